"""The year's analysis (perfeval.pipeline) and ``perfeval demo`` on the shipped sample province."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import perfeval as pe
from perfeval.cli import main
from perfeval.pipeline import Analysis, analyse

STEPS = ("exante", "monitoring", "self", "audit", "recheck", "application", "sensitivity", "panel", "key",
         "department", "transfer", "weights")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyse(pe.load_sample(), draws=300)


def test_every_step_runs_on_the_sample(analysis: Analysis):
    assert set(STEPS) <= set(analysis.steps)
    summary = analysis.summary()
    assert list(summary.columns) == ["step", "what", "figure"]
    assert {"exante", "monitoring", "self", "audit", "recheck", "key", "panel", "department", "transfer",
            "weights", "sensitivity", "application"} == set(summary["step"])


def test_key_evaluation_scores_only_the_panel_projects(analysis: Analysis):
    panel_units = set(pe.load_sample().panel["unit_id"])
    assert set(analysis.key_evaluation.totals["unit_id"]) == panel_units
    assert not analysis.key_evaluation.problems or all(p.severity != "error" for p in analysis.key_evaluation.problems)


def test_sample_truths_come_out(analysis: Analysis):
    """The panel's planted raters are flagged and the re-check finds inflation (sample README, 'Known truths')."""
    flagged = set(analysis.raters.loc[analysis.raters["flags"] != "", "rater_id"].astype(str))
    assert flagged == {"E01", "E02", "E06"}
    assert analysis.recheck.summary.loc["mean_bias", "estimate"] > 0
    experts = analysis.weights.experts
    assert experts.loc[~experts["consistent"], "expert_id"].astype(str).tolist() == ["X03"]


def test_write_puts_every_table_and_chart_in_the_folder(analysis: Analysis, tmp_path: Path):
    paths = analysis.write(tmp_path / "out")
    names = {p.name for p in paths}
    assert {"summary.csv", "self_evaluation_totals.csv", "recheck_units.csv", "grade_probabilities.png"} <= names
    totals = pd.read_csv(tmp_path / "out" / "self_evaluation_totals.csv", dtype={"unit_id": str},
                         encoding="utf-8-sig")
    assert len(totals) == len(analysis.self_evaluation.totals)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporaries left


def test_demo_command_prints_one_line_per_step(tmp_path: Path, capsys):
    # the demo is `perfeval annual` on the sample; --only keeps this test to the year's summary report
    only = ["--only", "annual_summary"] if "annual_summary" in pe.reports.list_reports()["category"].tolist() else []
    assert main(["demo", "--out", str(tmp_path / "demo"), "--draws", "200", "--no-charts", "--no-progress",
                 *only]) == 0
    out = capsys.readouterr().out
    assert "synthetic: True" in out
    for step in ("exante", "self", "recheck", "application"):
        assert step in out
    assert (tmp_path / "demo" / "tables" / "summary.csv").is_file()
    assert f"open {tmp_path / 'demo' / 'index.html'}" in out


def test_demo_unknown_sample_is_a_located_error(tmp_path: Path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--sample", "atlantis"]) == 1
    assert "unknown_sample" in capsys.readouterr().err


def test_the_chinese_summary_names_the_weighted_criteria():
    summary = analyse(pe.load_sample(), steps=["weights"]).summary("zh").set_index("step")
    assert summary.loc["weights", "figure"].split()[::2] == ["决策", "过程", "产出", "效益"]
    assert analyse(pe.load_sample(), steps=["weights"]).summary("en").set_index("step").loc[
        "weights", "figure"].startswith("decision ")
