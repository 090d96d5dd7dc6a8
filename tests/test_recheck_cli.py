"""``perfeval recheck`` and ``perfeval audit`` on the sample province: exit codes, printed tables, written files."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from perfeval.cli import main


def test_recheck_totals_with_units_by_department(sample_dir, tmp_path, capsys):
    out = tmp_path / "recheck.csv"
    code = main(["recheck", "--self", str(sample_dir / "budget.csv"), "--recheck", str(sample_dir / "recheck.csv"),
                 "--units", str(sample_dir / "units.csv"), "--indicators", str(sample_dir / "recheck_indicators.csv"),
                 "--by", "department_id", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "mean_bias" in captured.out and "by department_id" in captured.out
    assert "units not rated 准确 or flagged" in captured.out and "基本准确" in captured.out
    assert "have no re-evaluation and are not compared" in captured.err
    table = pd.read_csv(out, dtype={"unit_id": str})
    recheck = pd.read_csv(sample_dir / "recheck.csv", dtype={"unit_id": str})
    assert sorted(table["unit_id"]) == sorted(recheck["unit_id"])
    assert {"deviation", "accuracy", "flags", "drivers", "department_id"} <= set(table.columns)


def test_recheck_scores_observations_and_indicator_rows(sample_dir, tmp_path, capsys):
    """--self observations are scored with the framework; --recheck indicator rows are scored with their
    recheck_score; the workbook holds every table."""
    out = tmp_path / "recheck.xlsx"
    code = main(["recheck", "--self", str(sample_dir / "indicators.csv"), "--budget", str(sample_dir / "budget.csv"),
                 "--recheck", str(sample_dir / "recheck_indicators.csv"), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    sheets = load_workbook(out, read_only=True).sheetnames
    assert sheets == ["units", "summary", "transitions", "problems"]
    units = pd.read_excel(out, sheet_name="units", dtype={"unit_id": str})
    assert len(units) == len(pd.read_csv(sample_dir / "recheck.csv"))
    assert units["amount"].notna().all()                  # budget amounts from --budget
    summary = pd.read_excel(out, sheet_name="summary").set_index("statistic")
    assert summary.at["mean_bias", "budget_weighted"] > 0


def test_recheck_errors(sample_dir, tmp_path, capsys):
    assert main(["recheck", "--self", str(tmp_path / "none.csv"), "--recheck", str(sample_dir / "recheck.csv")]) == 1
    assert "file_not_found" in capsys.readouterr().err
    assert main(["recheck", "--self", str(sample_dir / "budget.csv"), "--recheck", str(sample_dir / "recheck.csv"),
                 "--by", "region"]) == 1
    assert "unknown_column" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["recheck", "--self", str(sample_dir / "budget.csv")])
    assert exit_.value.code == 2


def test_audit_prints_and_writes_findings(sample_dir, tmp_path, capsys):
    out = tmp_path / "audit.xlsx"
    code = main(["audit", "--data", str(sample_dir / "indicators.csv"), "--budget", str(sample_dir / "budget.csv"),
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "findings per code" in captured.out and "all_full_marks (medium)" in captured.out
    assert "indicators.csv:" in captured.out
    assert load_workbook(out, read_only=True).sheetnames == ["findings", "units", "vocabulary"]
    csv = tmp_path / "audit.csv"
    assert main(["audit", "--data", str(sample_dir / "forms"), "--out", str(csv)]) == 0
    assert "0 finding(s)" in capsys.readouterr().out
    assert pd.read_csv(csv).empty


def test_audit_errors(sample_dir, tmp_path, capsys):
    assert main(["audit", "--data", str(tmp_path / "missing")]) == 1
    assert "file_not_found" in capsys.readouterr().err
    bad = tmp_path / "indicators.csv"
    bad.write_text("unit_id,l1,l2,indicator,target,actual,points,score\nP1,产出指标,数量指标,培训,≥95%~,96%,90,90\n",
                   encoding="utf-8")
    assert main(["audit", "--data", str(bad)]) == 1
    assert "unparseable_target" in capsys.readouterr().err
