"""The annual batch on the sample province's report notebooks: the same pages as ``pe.reports.render``, and a
re-run after an edit renders exactly the reports the edit concerns.

Skipped while the report notebooks they need are not in ``notebooks/``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import perfeval as pe
from perfeval._resources import notebooks_dir, sample_data_dir
from perfeval.reports.batch import render_annual, render_batch

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::perfeval.errors.DataQualityWarning")]


def _needs(*categories: str) -> None:
    missing = [c for c in categories if not (notebooks_dir() / f"{c}.ipynb").is_file()]
    if missing:
        pytest.skip(f"report notebooks not built yet: {', '.join(missing)}")


def test_batch_pages_are_the_single_report_engines_pages(tmp_path):
    _needs("self_evaluation")
    unit = "0070010"  # a project with planted problems
    batch = render_batch(pd.DataFrame({"category": ["self_evaluation"], "unit_id": [unit]}), tmp_path / "batch",
                         jobs=1, progress=False)
    assert batch.reports[0].status == "ok", batch.reports[0].evalue
    single = pe.reports.render("self_evaluation", {"unit_id": unit}, out_dir=tmp_path / "single")
    assert (tmp_path / "batch" / batch.reports[0].html).read_bytes() == single.html.read_bytes()
    facts = batch.reports[0].facts
    assert dict(single.facts).items() <= dict(facts).items()
    totals = pe.pipeline.analyse(pe.load_dataset("province"), draws=50).self_evaluation.totals.set_index("unit_id")
    assert facts["grade"] == totals.loc[unit, "grade"]  # read from the key figures when no facts are recorded
    assert facts["total"] == pytest.approx(totals.loc[unit, "total"], abs=0.01)


def _edit(path: Path, unit: str, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[frame.index[frame["unit_id"] == unit][0], column] = value
    frame.to_csv(path, index=False, encoding="utf-8")


def test_rerun_after_an_edit_renders_exactly_the_reports_it_concerns(tmp_path):
    """Editing a project's deviation note re-renders that project's reports and the reports about the whole
    year; nothing else. Editing a value that moves its score re-renders every report that reads the table."""
    _needs("self_evaluation")
    data = tmp_path / "province"
    shutil.copytree(sample_data_dir() / "province", data)
    units = ["0010001", "0010002", "0020001", "0020002"]
    whole = [c for c in ("annual_summary", "recheck") if (notebooks_dir() / f"{c}.ipynb").is_file()][:1]
    rows = [{"category": "self_evaluation", "unit_id": u, "data": str(data)} for u in units]
    rows += [{"category": c, "data": str(data)} for c in whole]
    out = tmp_path / "out"
    first = render_batch(rows, out, jobs=2, progress=False)
    assert first.ok, [(r.name, r.evalue) for r in first.failed]
    index_before = (out / "index.html").stat().st_mtime_ns
    _edit(data / "indicators.csv", "0010002", "note", "评价人补充：资金拨付滞后两个月。")
    second = render_batch(rows, out, jobs=2, progress=False)
    rendered = {r.name for r in second.reports if r.status == "ok"}
    assert rendered == {"self_evaluation-0010002", *(f"{c}" for c in whole)}
    assert {r.name for r in second.reports if r.status == "skipped"} == {f"self_evaluation-{u}" for u in units
                                                                           if u != "0010002"}
    assert (out / "index.html").stat().st_mtime_ns > index_before
    _edit(data / "indicators.csv", "0010002", "actual", "0")
    third = render_batch(rows, out, jobs=2, progress=False)
    assert all(r.status == "ok" for r in third.reports)  # ranks and peer profiles may move: all re-rendered
    fourth = render_batch(rows, out, jobs=2, progress=False)
    assert all(r.status == "skipped" for r in fourth.reports)


def test_annual_on_the_sample_with_tables_and_index(tmp_path):
    _needs("self_evaluation")
    result = render_annual("province", tmp_path, jobs=2, progress=False, draws=50, charts=False,
                           categories=["recheck"] if (notebooks_dir() / "recheck.ipynb").is_file() else None)
    assert result.ok, [(r.name, r.evalue) for r in result.failed]
    assert (tmp_path / "tables" / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    index = (tmp_path / "index.html").read_text("utf-8")
    assert 'href="tables/summary.csv"' in index
    for run in result.reports:
        assert f'href="{run.html}"' in index
