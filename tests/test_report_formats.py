"""One execution, three formats: pe.reports.render(..., formats=...) and `perfeval render --format` write HTML,
Word and PDF with the same numbers (the test report notebook tests/data/deliver/deliver_report.ipynb)."""
from __future__ import annotations

import html as html_lib
import io
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import docx
import pytest

import perfeval as pe
from perfeval._display import fmt_number
from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.reports import _engine
from perfeval.reports._export import FORMATS, check_formats, export
from perfeval.reports.pdf import available_engines

NOTEBOOKS = Path(__file__).resolve().parent / "data" / "deliver"
UNIT = "0010002"

needs_pdf = pytest.mark.skipif(not available_engines() or shutil.which("pdftotext") is None,
                               reason="no PDF engine or poppler-utils (make sysdeps)")


@pytest.fixture(autouse=True)
def test_notebooks(monkeypatch):
    monkeypatch.setattr(_engine, "notebooks_dir", lambda: NOTEBOOKS)


@pytest.fixture(scope="module")
def expected() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pe.load_dataset("province")
        result = pe.score(ds.meta["frameworks"]["self"], ds.observations, ds.budget)
    row = result.totals.set_index("unit_id").loc[UNIT]
    return {"name": ds.units.set_index("unit_id").loc[UNIT, "name"], "total": fmt_number(row.total, 2, floor=True),
            "grade": row.grade}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    original = _engine.notebooks_dir
    _engine.notebooks_dir = lambda: NOTEBOOKS
    try:
        return pe.reports.render("deliver_report", {"unit_id": UNIT}, tmp_path_factory.mktemp("r"),
                                 formats=("html", "docx", "pdf"))
    finally:
        _engine.notebooks_dir = original


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def docx_texts(data: bytes | Path) -> list[str]:
    document = docx.Document(io.BytesIO(data) if isinstance(data, bytes) else data)
    texts = [p.text for p in document.paragraphs]
    return texts + [c.text for t in document.tables for r in t.rows for c in r.cells]


@pytest.mark.slow
@needs_pdf
def test_render_writes_three_formats_with_the_same_numbers(rendered, expected):
    paths = rendered.paths
    assert {"html", "docx", "pdf"} <= set(paths) and paths["docx"].suffix == ".docx"
    assert paths["docx"].stem == paths["pdf"].stem == paths["html"].stem == f"deliver_report-{UNIT}"
    assert {"docx", "pdf"} <= set(rendered.timings) and rendered.timings["docx"] > 0
    page = paths["html"].read_text(encoding="utf-8")
    words = docx_texts(paths["docx"])
    text = pdf_text(paths["pdf"])
    for value in (expected["name"], expected["total"], expected["grade"]):
        assert html_lib.escape(value) in page
        assert any(value in w for w in words)
        assert value in text
    assert f"被评价单位：{expected['name']}" in words and "评价机构：某会计师事务所" in words
    # every CJK font is a Simplified Chinese face (a JP/KR/TC fallback would draw some Han characters wrongly)
    if available_engines()[0] == "weasyprint":
        fonts = subprocess.run(["pdffonts", str(paths["pdf"])], capture_output=True, text=True).stdout
        cjk = [line.split()[0] for line in fonts.splitlines()[2:] if "CJK" in line]
        assert cjk and all(name.endswith(("CJK-SC", "CJK-SC-Bold")) for name in cjk), cjk
    # the run log records the time of each format
    log = paths["log"].read_text(encoding="utf-8")
    assert re.search(r"^docx: \d+\.\d+ s$", log, re.M) and re.search(r"^pdf: \d+\.\d+ s$", log, re.M)


@pytest.mark.slow
@needs_pdf
def test_cli_format_option(tmp_path, capsys, expected):
    code = main(["render", "deliver_report", "-p", "unit_id", UNIT, "-p", "name_override", "<img src=x onerror=1>",
                 "--format", "docx,pdf", "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "docx:" in out and "pdf:" in out
    stem = f"deliver_report-{UNIT}"
    assert {p.name for p in tmp_path.iterdir()} >= {f"{stem}.html", f"{stem}.docx", f"{stem}.pdf"}
    assert "被评价单位：<img src=x onerror=1>" in docx_texts(tmp_path / f"{stem}.docx")
    assert "<img src=x onerror=1>绩效评价报告" in pdf_text(tmp_path / f"{stem}.pdf")


@pytest.mark.slow
def test_export_gives_bytes_of_each_format_from_one_execution(expected):
    prepared = _engine.prepare("deliver_report", {"unit_id": UNIT})
    executed = _engine.execute(prepared)
    timings: dict = {}
    formats = ("html", "docx", "pdf") if available_engines() else ("html", "docx")
    out = export(executed, prepared, formats, timings=timings)
    assert tuple(out) == formats and set(timings) == set(formats)
    assert expected["total"] in out["html"].decode("utf-8")
    assert expected["total"] in docx_texts(out["docx"])
    if "pdf" in out:
        assert out["pdf"].startswith(b"%PDF")
    # the same page as render writes; exporting again gives the same Word bytes
    assert export(executed, prepared, ("docx",))["docx"] == out["docx"]


def test_formats_are_checked_before_anything_runs(tmp_path, capsys):
    assert check_formats(None) == ("html",) and check_formats(["PDF"]) == ("html", "pdf")
    assert check_formats("docx,html") == ("html", "docx") and FORMATS == ("html", "docx", "pdf")
    with pytest.raises(InputError) as err:
        pe.reports.render("deliver_report", {"unit_id": UNIT}, tmp_path, formats="html,odt,rtf")
    assert err.value.problems[0].code == "unknown_format" and "'odt', 'rtf'" in err.value.problems[0].message
    assert list(tmp_path.iterdir()) == []
    assert main(["render", "deliver_report", "--format", "odt", "--out", str(tmp_path)]) == 1
    assert "unknown_format" in capsys.readouterr().err
