"""The shipped key-evaluation report in all three formats: Word and PDF say what the HTML page says.

Runs on ``notebooks/key_evaluation.ipynb`` on the sample province (skipped while that notebook is not in the tree).
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import nbformat
import pytest

import perfeval as pe
from perfeval.reports import BLOCK_MIMETYPE
from perfeval.reports.pdf import available_engines

ROOT = Path(__file__).resolve().parent.parent
KEY = ROOT / "notebooks" / "key_evaluation.ipynb"
MOF = ["一、基本情况", "二、绩效评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not KEY.exists(), reason="notebooks/key_evaluation.ipynb not in this tree"),
              pytest.mark.skipif(not available_engines() or shutil.which("pdftotext") is None,
                                 reason="no PDF engine or poppler-utils (make sysdeps)")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return pe.reports.render("key_evaluation", out_dir=tmp_path_factory.mktemp("key"),
                             formats=("html", "docx", "pdf"))


def blocks(path: Path) -> list[dict]:
    nb = nbformat.read(path, as_version=4)
    return [o["data"][BLOCK_MIMETYPE] for c in nb.cells for o in c.get("outputs", [])
            if BLOCK_MIMETYPE in o.get("data", {})]


def test_word_has_the_reports_headings_figures_and_tables(rendered):
    shown = blocks(rendered.paths["ipynb"])
    document = docx.Document(rendered.paths["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [b["text"] for b in shown if b["kind"] == "heading" and b["level"] == 2]
    assert headings[:4] == MOF                                     # the MOF outline, in order
    figures = next(b for b in shown if b["kind"] == "figures")
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    for label, value in figures["items"]:                          # total, grade, rank ... as the page shows them
        assert label in cells and value in cells
    tables = [b for b in shown if b["kind"] == "table"]
    words = {tuple(c.text for c in t.rows[0].cells): [[c.text for c in r.cells] for r in t.rows[1:]]
             for t in document.tables}
    for table in tables:                                           # every table a Word table with the same cells
        assert words[tuple(table["columns"])] == table["rows"], table["caption"]
    assert len(document.inline_shapes) == sum(b["kind"] == "figure" for b in shown) > 0


def test_pdf_has_the_same_numbers_as_text(rendered):
    record = json.loads(rendered.paths["json"].read_text(encoding="utf-8"))
    text = subprocess.run(["pdftotext", "-layout", str(rendered.paths["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    figures = next(b for b in blocks(rendered.paths["ipynb"]) if b["kind"] == "figures")
    for _label, value in figures["items"]:
        assert value in text
    assert record["title"] in text.replace("\n", "")
    fonts = subprocess.run(["pdffonts", str(rendered.paths["pdf"])], capture_output=True, text=True).stdout
    assert "CJK" in fonts or "Type 3" in fonts


def test_word_export_is_deterministic(rendered):
    from perfeval.reports.docx import notebook_to_docx

    nb = nbformat.read(rendered.paths["ipynb"], as_version=4)
    again = notebook_to_docx(nb, meta={"title": rendered.title, "lang": "zh"})
    assert again == rendered.paths["docx"].read_bytes()
    assert docx.Document(io.BytesIO(again)).paragraphs[4].text == rendered.title
