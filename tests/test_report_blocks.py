"""Report blocks: escaped HTML, structured block json, deterministic figures."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from perfeval import reports
from perfeval.reports import BLOCK_MIMETYPE

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"quoted" & \'single\'']


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in (value or []) if not isinstance(v, (bool, int, float)) for s in _strings(v)]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_block_escapes_user_text(text):
    blocks = [reports.heading(text), reports.paragraph(text, drafted=True, source=text),
              reports.key_figures({text: text}), reports.notice(text),
              reports.table(pd.DataFrame({text: [text]}), caption=text, note=text)]
    for block in blocks:
        page = block._repr_html_()
        assert "<script" not in page and "<img" not in page, page
        bundle = block._repr_mimebundle_()
        assert text in _strings(bundle[BLOCK_MIMETYPE])  # the structure keeps the text as it is


def test_table_formats_numbers_and_aligns():
    frame = pd.DataFrame({"项目": ["甲", "乙"], "总分": [89.996, 90.0], "执行率": [0.9512, None],
                          "个数": [3, 4], "达标": [True, False]})
    t = reports.table(frame, caption="表 1", floor_columns=["总分"], decimals={"执行率": 3})
    assert t.block["columns"] == ["项目", "总分", "执行率", "个数", "达标"]
    assert t.block["rows"] == [["甲", "89.99", "0.951", "3", "是"], ["乙", "90.00", "—", "4", "否"]]
    assert t.block["align"] == ["left", "right", "right", "right", "left"]
    assert reports.table(frame, lang="en").block["rows"][0][4] == "yes"
    assert frame["总分"].tolist() == [89.996, 90.0]  # the frame is not changed


def test_table_headers_and_errors():
    frame = pd.DataFrame({"total": [1.0]})
    assert reports.table(frame, headers={"total": "总分"}).block["columns"] == ["总分"]
    with pytest.raises(ValueError, match="floor_columns"):
        reports.table(frame, floor_columns=["missing"])
    with pytest.raises(TypeError, match="DataFrame"):
        reports.table([1, 2])
    with pytest.raises(ValueError, match="lang"):
        reports.table(frame, lang="fr")


def test_heading_levels_and_paragraph_mark():
    assert reports.heading("一、基本情况").block == {"kind": "heading", "level": 2, "text": "一、基本情况"}
    with pytest.raises(ValueError, match="level"):
        reports.heading("x", level=5)
    drafted = reports.paragraph("问题", drafted=True, source="audit:x")
    assert drafted.block == {"kind": "paragraph", "text": "问题", "drafted": True, "source": "audit:x"}
    assert "初稿" in drafted._repr_html_()
    assert "draft" in reports.paragraph("p", drafted=True, lang="en")._repr_html_()
    assert "初稿" not in reports.paragraph("plain")._repr_html_()


def _chart():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], [1, 2])
    return ax


def test_figure_is_deterministic_and_closed():
    charts = [_chart(), _chart()]
    numbers = [ax.figure.number for ax in charts]
    first, second = (reports.figure(ax, caption="图 1") for ax in charts)
    assert first.png == second.png and first.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not set(numbers) & set(plt.get_fignums())
    bundle = first._repr_mimebundle_()
    assert bundle[BLOCK_MIMETYPE] == {"kind": "figure", "caption": "图 1"}
    assert "image/png" in bundle and 'src="data:image/png;base64,' in bundle["text/html"]
    with pytest.raises(TypeError, match="Axes or Figure"):
        reports.figure("not a chart")
