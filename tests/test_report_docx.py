"""Word export of report notebooks: read every .docx back with python-docx and check content and layout."""
from __future__ import annotations

import base64
import io
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import docx
import nbformat
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

import perfeval as pe
from perfeval._display import fmt_number
from perfeval.reports import BLOCK_MIMETYPE
from perfeval.reports.docx import DocxExporter, ReportMeta, iter_blocks, notebook_to_docx

DATA = Path(__file__).resolve().parent / "data"
REPORT_NB = DATA / "deliver" / "deliver_report.ipynb"
UNIT = "0010002"
MOF_SECTIONS = ["一、基本情况", "二、绩效评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析",
                "五、主要经验及做法、存在的问题及原因分析", "六、有关建议", "七、其他需要说明的问题"]
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def execute(tmp_path: Path, **params) -> nbformat.NotebookNode:
    """The test report notebook (pe.reports blocks on the sample province) executed with papermill."""
    import papermill as pm

    out = tmp_path / "executed.ipynb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm.execute_notebook(str(REPORT_NB), str(out), parameters=params, progress_bar=False, kernel_name="python3")
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> nbformat.NotebookNode:
    return execute(tmp_path_factory.mktemp("nb"), unit_id=UNIT)


@pytest.fixture(scope="module")
def document(executed) -> docx.document.Document:
    return docx.Document(io.BytesIO(notebook_to_docx(executed)))


@pytest.fixture(scope="module")
def expected() -> dict:
    """The unit's numbers computed here with pe.score, independently of the notebook."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pe.load_dataset("province")
        result = pe.score(ds.meta["frameworks"]["self"], ds.observations, ds.budget)
    row = result.totals.set_index("unit_id").loc[UNIT]
    nodes = result.nodes[(result.nodes.unit_id == UNIT) & (result.nodes.level == 1)]
    return {"name": ds.units.set_index("unit_id").loc[UNIT, "name"], "total": fmt_number(row.total, 2, floor=True),
            "grade": row.grade,
            "level1": [[n, fmt_number(p, 2), fmt_number(s, 2, floor=True)] for n, p, s in zip(nodes.name, nodes.points,
                                                                                     nodes.score)]}


def all_texts(document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def find_table(document, header: list[str]):
    for table in document.tables:
        if [c.text for c in table.rows[0].cells] == header:
            return table
    raise AssertionError(f"no table with header {header}")


# --- the report's content -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_mof_headings_in_order_as_word_headings(document):
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == MOF_SECTIONS
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == ["（一）项目概况"]


@pytest.mark.slow
def test_unit_name_total_and_grade_equal_pe_score(document, expected):
    texts = all_texts(document)
    cover = [p.text for p in document.paragraphs[:12]]
    assert f"被评价单位：{expected['name']}" in cover
    assert f"{expected['name']}绩效评价报告" in cover
    key = document.tables[0]
    cells = [c.text for c in key.rows[0].cells]
    assert cells[:4] == ["总分", expected["total"], "等级", expected["grade"]]
    assert expected["total"] in texts and expected["grade"] in texts


@pytest.mark.slow
def test_real_word_table_with_the_reports_numbers(document, expected):
    table = find_table(document, ["一级指标", "分值", "得分"])
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert body == expected["level1"]
    # header row repeated on every page, rows never split, numbers right-aligned, caption above
    first = table.rows[0]._tr.trPr
    assert first.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for row in table.rows[1:]:
        assert row.cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
        assert row.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert row.cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    previous = table._tbl.getprevious()
    assert previous.xpath("string(.)") == "表1 一级指标得分"


@pytest.mark.slow
def test_east_asian_font_on_every_run(document):
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs
    missing = [r.text for r in runs if r._r.rPr is None or r._r.rPr.rFonts is None
               or not r._r.rPr.rFonts.get(qn("w:eastAsia"))]
    assert missing == []

    def east(paragraph):
        return {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs}

    body = [p for p in document.paragraphs if p.style.name == "PE Body" and "本次评价对象" in p.text]
    assert body and east(body[0]) == {"仿宋"}
    assert all(east(p) == {"黑体"} for p in document.paragraphs if p.style.name == "Heading 1")
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"


@pytest.mark.slow
def test_images_present_within_the_margins(document, executed):
    shapes = document.inline_shapes
    pngs = [png for block, png in iter_blocks(executed) if png]
    assert len(shapes) == len(pngs) == 1
    assert 0 < shapes[0].width <= Mm(156)
    image_parts = [p for p in document.part.package.parts if p.partname.startswith("/word/media/")]
    assert [p.blob for p in image_parts] == pngs
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "图1 一级指标得分" in captions


@pytest.mark.slow
def test_drafted_paragraphs_marked(document):
    drafted = [p for p in document.paragraphs if p.text.startswith("〔初稿〕")]
    assert [p.text for p in drafted] == ["〔初稿〕部分产出指标未达到年度目标。", "〔初稿〕加强预算执行进度管理。"]


@pytest.mark.slow
def test_layout_a4_page_numbers_and_cover(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)   # A4
    assert round(section.left_margin.mm + section.right_margin.mm) == 54               # a 156 mm text block
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text
    cover = [p.text for p in document.paragraphs[:12]]
    assert "评价机构：某会计师事务所" in cover and "报告日期：2026-03-31" in cover
    assert document.core_properties.created.isoformat().startswith("2026-03-31")
    assert document.core_properties.title == f"{document.paragraphs[4].text}"


@pytest.mark.slow
def test_identical_notebooks_give_identical_bytes(executed):
    first = notebook_to_docx(executed)
    assert notebook_to_docx(nbformat.from_dict(executed)) == first
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_unit_name_is_plain_text(tmp_path, name):
    nb = execute(tmp_path, unit_id=UNIT, name_override=name)
    data = notebook_to_docx(nb)
    document = docx.Document(io.BytesIO(data))
    assert f"被评价单位：{name}" in [p.text for p in document.paragraphs]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert name.replace("<", "&lt;").replace(">", "&gt;") in xml
    assert "<script" not in xml and "<img" not in xml


@pytest.mark.slow
def test_nbconvert_entry_point_writes_a_docx(executed, tmp_path):
    from nbconvert.exporters import get_exporter

    assert get_exporter("perfeval_docx") is DocxExporter
    source = tmp_path / "报告.ipynb"
    nbformat.write(executed, source)
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "perfeval_docx", str(source),
                           "--DocxExporter.evaluator=第三方评价机构"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = docx.Document(tmp_path / "报告.docx")
    texts = [p.text for p in document.paragraphs]
    assert "评价机构：第三方评价机构" in texts
    assert [t for t, p in zip(texts, document.paragraphs) if p.style.name == "Heading 1"] == MOF_SECTIONS


# --- the walker on hand-built notebooks (no kernel) --------------------------------------------------------------

def _output(data: dict) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data=data)


def _notebook(*outputs, markdown: str | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    if markdown is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    cell = nbformat.v4.new_code_cell("print('code never shows')")
    cell.outputs = list(outputs)
    nb.cells.append(cell)
    return nb


def _png() -> bytes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 3))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    plt.close(fig)
    return buffer.getvalue()


def test_markdown_html_tables_and_plain_images_without_blocks():
    png = _png()
    html = ("<style>p{}</style><h3>附表</h3><table><thead><tr><th>项目</th><th>得分</th></tr></thead>"
            "<tbody><tr><td>甲 &amp; 乙</td><td>89.99</td></tr><tr><td>丙</td><td>7</td></tr></tbody></table>")
    nb = _notebook(_output({"text/html": html, "text/plain": "frame"}),
                   _output({"image/png": base64.b64encode(png).decode()}),
                   nbformat.v4.new_output("stream", name="stderr", text="Warning: /abs/path"),
                   nbformat.v4.new_output("error", ename="E", evalue="boom", traceback=[]),
                   markdown="# 标题\n\n## 一、基本情况\n\n**项目**概况，见[附件](x.pdf)。\n\n- 要点一\n")
    document = docx.Document(io.BytesIO(notebook_to_docx(nb, meta={"unit": "某单位"})))
    texts = [p.text for p in document.paragraphs]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["一、基本情况"]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == ["附表"]
    assert "项目概况，见附件。" in texts and "• 要点一" in texts
    table = find_table(document, ["项目", "得分"])
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [["甲 & 乙", "89.99"], ["丙", "7"]]
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert len(document.inline_shapes) == 1 and document.inline_shapes[0].width == Mm(156)
    joined = "\n".join(all_texts(document))
    assert "code never shows" not in joined and "boom" not in joined and "/abs/path" not in joined


def test_block_json_wins_over_html_and_title_goes_to_the_cover():
    blocks = [{"kind": "heading", "level": 1, "text": "某报告"},
              {"kind": "table", "caption": "表 1", "columns": ["a", "b"], "rows": [["x", "1.50"]],
               "align": ["left", "right"], "note": "单位：万元"},
              {"kind": "notice", "text": "警告 2 条"}, {"kind": "figures", "items": [["总分", "90.00"]]}]
    nb = _notebook(*[_output({BLOCK_MIMETYPE: b, "text/html": "<p>HTML twin</p>"}) for b in blocks],
                   markdown="# 报告笔记本说明\n\nParameters: `data`, `unit_id`.")
    document = docx.Document(io.BytesIO(notebook_to_docx(nb, meta={"lang": "en"})))
    texts = all_texts(document)
    assert "HTML twin" not in "\n".join(texts)
    assert not any("笔记本说明" in t or "Parameters" in t for t in texts)   # notes for the notebook's reader
    assert texts.count("某报告") == 1 and document.paragraphs[4].text == "某报告"
    assert "Evaluated unit: " + "\u3000" * 12 in texts   # blank line left for the evaluator
    assert "单位：万元" in texts and "警告 2 条" in texts
    assert [c.text for c in find_table(document, ["a", "b"]).rows[1].cells] == ["x", "1.50"]
    assert [c.text for c in document.tables[-1].rows[0].cells] == ["总分", "90.00"]


def test_meta_comes_from_argument_metadata_facts_and_parameters():
    facts = _output({"application/vnd.perfeval.facts+json": {"name": "事实单位"}, "text/html": ""})
    nb = _notebook(facts)
    params = nbformat.v4.new_code_cell('evaluator = "参数机构"  # str\nreport_date = "2026-01-02"\nlang = "zh"')
    params.metadata["tags"] = ["parameters"]
    nb.cells.insert(0, params)
    assert ReportMeta.from_notebook(nb) == ReportMeta(None, "事实单位", "参数机构", "2026-01-02", "zh")
    nb.metadata["papermill"] = {"parameters": {"evaluator": "注入机构"}}
    nb.metadata["perfeval"] = {"unit": "元数据单位"}
    meta = ReportMeta.from_notebook(nb, {"title": "标题"})
    assert (meta.title, meta.unit, meta.evaluator) == ("标题", "元数据单位", "注入机构")


def test_bad_meta_is_refused():
    nb = _notebook()
    with pytest.raises(ValueError, match="`meta` may have the keys"):
        notebook_to_docx(nb, meta={"unitt": "x"})
    with pytest.raises(ValueError, match="`lang` must be one of"):
        notebook_to_docx(nb, meta={"lang": "fr"})


def test_table_columns_sized_by_content_within_the_text_block():
    block = {"kind": "table", "caption": None, "columns": ["三级指标", "分值", "得分"],
             "rows": [["资金分配合理性与使用规范性", "3.00", "2.80"], ["预算执行率", "10.00", "9.50"]],
             "align": ["left", "right", "right"]}
    document = docx.Document(io.BytesIO(notebook_to_docx(_notebook(_output({BLOCK_MIMETYPE: block})))))
    table = find_table(document, ["三级指标", "分值", "得分"])
    widths = [column.width.mm for column in table.columns]
    assert sum(widths) == pytest.approx(156, abs=0.5)
    assert widths[0] > 2 * max(widths[1:]) and widths[1] > widths[2]      # "10.00" is wider than "9.50"
    assert [c.width.mm for c in table.rows[1].cells] == pytest.approx(widths, abs=0.1)
