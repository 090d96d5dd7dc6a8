"""PDF printing of report HTML: text (not pictures), an embedded CJK font, A4, page numbers, hostile names as text."""
from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import perfeval as pe
from perfeval._display import fmt_number
from perfeval.errors import ReportError
from perfeval.reports import pdf
from perfeval.reports.pdf import available_engines, html_to_pdf, pdf_bytes, print_html

UNIT = "0010002"
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
ENGINES = [pytest.param(name, marks=pytest.mark.skipif(name not in available_engines(),
                                                       reason=f"PDF engine {name} not installed (make sysdeps)"))
           for name in pdf.ENGINES]
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="poppler-utils not installed (make sysdeps)")


def poppler(tool: str, path: Path, *args: str) -> str:
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def unit() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pe.load_dataset("province")
        result = pe.score(ds.meta["frameworks"]["self"], ds.observations, ds.budget)
    row = result.totals.set_index("unit_id").loc[UNIT]
    return {"name": ds.units.set_index("unit_id").loc[UNIT, "name"], "total": fmt_number(row.total, 2, floor=True),
            "grade": row.grade}


def report_html(name: str, total: str, grade: str, rows: int = 60) -> str:
    """A report page built from the report blocks, as the HTML template lays them out."""
    import pandas as pd

    from perfeval import reports

    table = pd.DataFrame({"指标": [f"指标{i}" for i in range(rows)], "得分": [i / 7 for i in range(rows)]})
    blocks = [reports.heading(f"{name}绩效评价报告", level=1),
              reports.key_figures([("总分", total), ("等级", grade)]),
              reports.heading("一、基本情况", level=2), reports.paragraph(f"{name}为本次评价对象。"),
              reports.heading("三、综合评价情况及评价结论", level=2),
              reports.table(table, caption="表1 指标得分")]
    body = "".join(b._repr_html_() for b in blocks)
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html_lib.escape(name)}</title>'
            f'</head><body><main class="pe-report">{body}</main></body></html>')


@needs_poppler
@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_has_text_cjk_font_a4_and_page_numbers(engine, unit, tmp_path):
    out = html_to_pdf(report_html(unit["name"], unit["total"], unit["grade"]), tmp_path / "r.pdf", engine=engine)
    text = poppler("pdftotext", out, "-layout")
    assert unit["name"] in text and f"{unit['name']}绩效评价报告" in text
    assert re.search(rf"{re.escape(unit['total'])}\s", text) and unit["grade"] in text
    info = poppler("pdfinfo", out)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1            # A4 in points
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2                                                     # the 60-row table runs on
    numbers = [int(n) for n in re.findall(r"—\s*(\d+)\s*—", text)]
    assert numbers == list(range(1, pages + 1))                           # "— n —" in the margin of each page
    fonts = poppler("pdffonts", out).splitlines()[2:]
    embedded = [line for line in fonts if re.search(r"\byes\s+\S+\s+\S+\s+\d+\s+\d+\s*$", line)]
    assert embedded and len(embedded) == len(fonts)                       # every font embedded
    if engine == "weasyprint":
        assert any("CJK" in line.split()[0] for line in embedded), fonts   # Noto ... CJK SC, by name


@needs_poppler
@pytest.mark.parametrize("engine", ENGINES)
def test_table_header_repeats_and_rows_are_not_split(engine, unit, tmp_path):
    out = html_to_pdf(report_html(unit["name"], unit["total"], unit["grade"], rows=80), tmp_path / "r.pdf",
                      engine=engine)
    pages = poppler("pdftotext", out, "-layout").split("\f")
    with_rows = [p for p in pages if re.search(r"指标\d+", p)]
    assert len(with_rows) >= 2
    for page in with_rows:
        assert re.search(r"指标\s+得分", page)                               # the header on every page
    numbers = [int(n) for p in with_rows for n in re.findall(r"指标(\d+)", p)]
    assert numbers == list(range(80))                                    # each row whole, once, in order


@needs_poppler
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_unit_name_is_plain_text(engine, name, tmp_path):
    out = html_to_pdf(report_html(name, "80.25", "良", rows=3), tmp_path / "r.pdf", engine=engine)
    text = poppler("pdftotext", out)
    assert f"{name}为本次评价对象" in text


@needs_poppler
@pytest.mark.skipif("weasyprint" not in available_engines(), reason="WeasyPrint not installed")
def test_nothing_is_fetched_from_outside(tmp_path):
    page = ('<html><head><meta charset="utf-8"><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
            '<p>外部</p><img src="file:///usr/share/pixmaps/debian-logo.png"><img src="http://127.0.0.1:9/x.png">'
            '</body></html>')
    out = html_to_pdf(page, tmp_path / "r.pdf", engine="weasyprint")
    listing = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
    assert len(listing.strip().splitlines()) == 2                        # the header lines: no image loaded
    assert "外部" in poppler("pdftotext", out)


def test_print_css_goes_at_the_end_of_the_head():
    page = "<html><head><style>body{}</style></HEAD><body></body></html>"
    printed = print_html(page)
    assert printed.index('id="perfeval-print"') < printed.index("</HEAD>")
    assert printed.index("body{}") < printed.index('id="perfeval-print"')
    assert print_html("<p>x</p>").startswith('<style id="perfeval-print">')
    assert "@bottom-center" in pdf.PRINT_CSS and "size: A4" in pdf.PRINT_CSS


def test_engine_is_checked(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="`engine` must be one of"):
        html_to_pdf("<p>x</p>", tmp_path / "r.pdf", engine="latex")
    monkeypatch.setattr(pdf, "_weasyprint_ok", lambda: False)
    monkeypatch.setattr(pdf, "_chromium", lambda: None)
    with pytest.raises(ReportError, match="no PDF engine"):
        pdf_bytes("<p>x</p>")
    with pytest.raises(ReportError, match="cannot be loaded"):
        pdf_bytes("<p>x</p>", engine="weasyprint")
    with pytest.raises(ReportError, match="chromium.*not installed"):
        pdf_bytes("<p>x</p>", engine="chromium")
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.skipif("weasyprint" not in available_engines(), reason="WeasyPrint not installed")
def test_auto_prefers_weasyprint_and_writes_atomically(tmp_path, monkeypatch):
    assert available_engines()[0] == "weasyprint"
    target = tmp_path / "sub" / "r.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")

    def fail(html, path):
        path.write_bytes(b"partial")
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf, "_weasyprint", fail)
    with pytest.raises(RuntimeError):
        html_to_pdf("<p>x</p>", target)
    assert target.read_bytes() == b"old" and [p.name for p in target.parent.iterdir()] == ["r.pdf"]


@pytest.mark.skipif("weasyprint" not in available_engines(), reason="WeasyPrint not installed")
def test_loading_weasyprint_keeps_sample_forms_byte_stable(sample_dir):
    """WeasyPrint registers the empty XML namespace process-wide on import; the sample forms' canonical XML
    (datasets.stable_xlsx) must not change with it."""
    import xml.etree.ElementTree as ET

    import weasyprint  # noqa: F401

    from perfeval.datasets._sample import stable_xlsx

    assert ET._namespace_map.get("") == ""                               # the registration this guards against
    sample = pe.synthesize(seed=2019)
    form = sample.forms[0]
    generated = sample.form_bytes(form)
    assert (sample_dir / "forms" / form.file).read_bytes() == generated
    assert stable_xlsx(generated, "2023-12-31T00:00:00Z") == generated    # idempotent
