"""An executed report notebook as an editable Word document (.docx), laid out like a Chinese official document.

The exporter walks the notebook's outputs in order and writes each piece of report content as native Word content:

- outputs carrying the block mimetype (``application/vnd.perfeval.block+json``, see :mod:`perfeval.reports`) are
  read from that structure: headings become Word *Heading* styles (so Word's navigation pane and table of contents
  work), tables become real Word tables (header row repeated on every page, rows never split across pages, numeric
  columns right-aligned, the caption above), key figures a two-column table, notices a boxed paragraph, drafted
  paragraphs carry a highlighted 初稿 mark for the evaluator;
- ``image/png`` outputs (charts) go in as pictures scaled to fit the text block (never wider than the margins),
  the figure block's caption below;
- otherwise markdown cells and ``text/markdown`` outputs give headings and paragraphs, and ``text/html`` outputs
  give their tables and text (an HTML table becomes a Word table). Code, prompts, streams and errors never appear.

Layout (GB/T 9704-2012, the national layout of official documents, as far as a report needs it): A4, margins
37/35/28/26 mm (a 156 mm text block), body 仿宋 three-size (16 pt) with a fixed 28 pt line, first-line indent of
two characters; title 宋体 22 pt bold; level-1 headings 黑体, level-2 楷体, level-3 仿宋 bold; tables 10.5 pt;
the page number "— n —" centred in the footer. Every run sets its East Asian font (``w:eastAsia``) as well as its
Latin font, so Word on Chinese Windows shows Chinese in the intended face, and the document language is zh-CN
(en-US for ``lang="en"``). A cover page holds the title, the evaluated unit, the evaluator and the date, followed
by a table-of-contents field that Word fills when the document is opened.

The output is deterministic: identical notebooks give identical bytes (fixed core-property dates, fixed zip
timestamps), so a report cache can compare them.

Examples
--------
>>> import nbformat
>>> from perfeval.reports.docx import notebook_to_docx
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells.append(nbformat.v4.new_markdown_cell("## 一、基本情况\\n\\n项目概况。"))
>>> data = notebook_to_docx(nb, meta={"title": "绩效评价报告", "unit": "某单位"})
>>> data[:2]
b'PK'
"""
from __future__ import annotations

import datetime as _dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any, Mapping

from nbconvert.exporters import Exporter
from traitlets import Unicode, default

from ._walk import ReportMeta, iter_blocks

__all__ = ["DOCX_MIMETYPE", "DocxExporter", "ReportMeta", "notebook_to_docx", "iter_blocks"]

#: The mimetype of a Word document.
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# fonts: (East Asian face, Latin face); names as Word on Chinese Windows knows them
_BODY = ("仿宋", "Times New Roman")
_HEI = ("黑体", "Times New Roman")
_KAI = ("楷体", "Times New Roman")
_SONG = ("宋体", "Times New Roman")

_TEXT_WIDTH_MM = 156.0
_FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_LABELS = {
    "zh": {"unit": "被评价单位", "evaluator": "评价机构", "date": "报告日期", "toc": "目　录",
           "toc_hint": "（打开文档时由 Word 更新目录；如未更新，请右键此处选择“更新域”。）", "draft": "初稿",
           "title": "绩效评价报告"},
    "en": {"unit": "Evaluated unit", "evaluator": "Evaluator", "date": "Date", "toc": "Contents",
           "toc_hint": "(Word updates the table of contents when the document opens; otherwise right-click here "
                       "and choose Update Field.)", "draft": "draft", "title": "Performance evaluation report"},
}


# --- writing Word -----------------------------------------------------------------------------------------------

def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _child(parent: Any, tag: str, *, first: bool = False) -> Any:
    """The child ``tag`` of an XML element, created when missing (at the front when ``first``)."""
    from docx.oxml import OxmlElement

    node = parent.find(_qn(tag))
    if node is None:
        node = OxmlElement(tag)
        if first:
            parent.insert(0, node)
        else:
            parent.append(node)
    return node


def _rpr(element: Any) -> Any:
    """The run properties of a run, a style or ``w:rPrDefault``."""
    if hasattr(element, "get_or_add_rPr"):
        return element.get_or_add_rPr()
    return _child(element, "w:rPr")


def _set_fonts(element: Any, fonts: tuple[str, str]) -> None:
    """Set the East Asian and Latin fonts on an element with run properties (a run, a style, docDefaults)."""
    rpr = _rpr(element)
    rfonts = rpr.get_or_add_rFonts() if hasattr(rpr, "get_or_add_rFonts") else _child(rpr, "w:rFonts", first=True)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(_qn(theme), None)
    east, latin = fonts
    rfonts.set(_qn("w:ascii"), latin)
    rfonts.set(_qn("w:hAnsi"), latin)
    rfonts.set(_qn("w:eastAsia"), east)
    rfonts.set(_qn("w:cs"), latin)


def _set_lang(element: Any, lang: str) -> None:
    node = _child(_rpr(element), "w:lang")
    node.set(_qn("w:val"), "zh-CN" if lang == "zh" else "en-US")
    node.set(_qn("w:eastAsia"), "zh-CN")


@dataclass
class _Writer:
    """Builds one document; ``lang`` chooses the cover labels and the draft mark."""

    doc: Any
    lang: str

    # styles -----------------------------------------------------------------------------------------------------
    def setup(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Mm, Pt, RGBColor

        doc = self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(20)

        defaults = doc.styles.element.find(_qn("w:docDefaults"))
        rpr_default = defaults.find(_qn("w:rPrDefault")) if defaults is not None else None
        if rpr_default is not None:
            _set_fonts(rpr_default, _BODY)
            _set_lang(rpr_default, self.lang)

        normal = doc.styles["Normal"]
        _set_fonts(normal.element, _BODY)
        normal.font.size = Pt(16)
        pf = normal.paragraph_format
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
        pf.space_before = pf.space_after = Pt(0)
        pf.widow_control = True

        for name, fonts, size, bold in (("Heading 1", _HEI, 16, False), ("Heading 2", _KAI, 16, True),
                                        ("Heading 3", _BODY, 16, True)):
            style = doc.styles[name]
            _set_fonts(style.element, fonts)
            style.font.size, style.font.bold, style.font.italic = Pt(size), bold, False
            style.font.color.rgb = RGBColor(0, 0, 0)
            spf = style.paragraph_format
            spf.line_spacing_rule, spf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
            spf.space_before, spf.space_after = Pt(6), Pt(0)
            spf.first_line_indent = Pt(32)
            spf.keep_with_next = True

        title = doc.styles.add_style("PE Title", WD_STYLE_TYPE.PARAGRAPH)
        title.base_style = normal
        _set_fonts(title.element, _SONG)
        title.font.size, title.font.bold = Pt(22), True
        tpf = title.paragraph_format
        tpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        tpf.line_spacing_rule, tpf.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
        tpf.space_before, tpf.space_after = Pt(0), Pt(24)

        body = doc.styles.add_style("PE Body", WD_STYLE_TYPE.PARAGRAPH)
        body.base_style = normal
        body.paragraph_format.first_line_indent = Pt(32)   # two characters of 16 pt

        cell = doc.styles.add_style("PE Table", WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = normal
        cell.font.size = Pt(10.5)
        cpf = cell.paragraph_format
        cpf.line_spacing_rule, cpf.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
        cpf.first_line_indent = Pt(0)

        caption = doc.styles["Caption"]
        caption.base_style = normal
        _set_fonts(caption.element, _HEI)
        caption.font.size, caption.font.bold, caption.font.italic = Pt(12), False, False
        caption.font.color.rgb = RGBColor(0, 0, 0)
        kpf = caption.paragraph_format
        kpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        kpf.line_spacing_rule, kpf.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
        kpf.space_before, kpf.space_after = Pt(6), Pt(6)

        notice = doc.styles.add_style("PE Notice", WD_STYLE_TYPE.PARAGRAPH)
        notice.base_style = normal
        _set_fonts(notice.element, _KAI)
        notice.font.size = Pt(14)
        npf = notice.paragraph_format
        npf.line_spacing_rule, npf.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
        npf.space_before, npf.space_after = Pt(6), Pt(6)

        figure = doc.styles.add_style("PE Figure", WD_STYLE_TYPE.PARAGRAPH)
        figure.base_style = normal
        fpf = figure.paragraph_format
        fpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fpf.line_spacing_rule, fpf.line_spacing = WD_LINE_SPACING.SINGLE, 1.0   # exact spacing would clip
        fpf.keep_with_next = True

        self._footer()

    def _footer(self) -> None:
        """The page number "— n —" centred in the footer (宋体 14 pt, GB/T 9704 §7.3.3)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.shared import Pt

        para = self.doc.sections[0].footer.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run(para, "— ", _SONG, size=Pt(14))
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            run = self.run(para, "", _SONG, size=Pt(14))
            if kind:
                node = OxmlElement("w:fldChar")
                node.set(_qn("w:fldCharType"), kind)
            elif text == " PAGE ":
                node = OxmlElement("w:instrText")
                node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                node.text = text
            else:
                node = OxmlElement("w:t")
                node.text = text
            run._r.append(node)
        self.run(para, " —", _SONG, size=Pt(14))

    # content ----------------------------------------------------------------------------------------------------
    def para(self, style: str | None = None) -> Any:
        """A new paragraph at the end of the document in the named paragraph style."""
        paragraph = self.doc.add_paragraph()
        if style:
            self.set_style(paragraph, style)
        return paragraph

    def set_style(self, paragraph: Any, style: str) -> None:
        """Set a paragraph's style by id (python-docx's ``paragraph.style =`` scans every style each time)."""
        ids = self.__dict__.setdefault("_ids", {})
        if style not in ids:
            ids[style] = self.doc.styles[style].style_id
        paragraph._p.get_or_add_pPr().style = ids[style]

    def run(self, para: Any, text: str, fonts: tuple[str, str] | None = None, *, size: Any = None,
            bold: bool | None = None) -> Any:
        """A run whose East Asian font is always set (the paragraph style's unless ``fonts`` is given)."""
        run = para.add_run(text)
        if fonts is None:
            fonts = self._style_fonts(para._p.style)
        _set_fonts(run._r, fonts)
        if size is not None:
            run.font.size = size
        if bold is not None:
            run.font.bold = bold
        return run

    def _style_fonts(self, style_id: str | None) -> tuple[str, str]:
        """The fonts a paragraph style sets (through its base styles); the body fonts otherwise."""
        cache = self.__dict__.setdefault("_fonts", {})
        if style_id not in cache:
            style = self.doc.styles.element.get_by_id(style_id) if style_id else None
            fonts = _BODY
            while style is not None:
                rpr = style.rPr
                if rpr is not None and rpr.rFonts is not None and rpr.rFonts.get(_qn("w:eastAsia")):
                    fonts = (rpr.rFonts.get(_qn("w:eastAsia")), rpr.rFonts.get(_qn("w:ascii")) or _BODY[1])
                    break
                style = style.base_style
            cache[style_id] = fonts
        return cache[style_id]

    def cover(self, meta: ReportMeta) -> None:
        from docx.enum.text import WD_BREAK
        from docx.shared import Pt

        labels = _LABELS[meta.lang]
        for _ in range(4):
            self.para("PE Title")
        self.run(self.para("PE Title"), meta.title or labels["title"])
        for _ in range(3):
            self.para()
        for key in ("unit", "evaluator", "date"):
            para = self.para("PE Body")
            para.paragraph_format.first_line_indent = Pt(64)
            para.paragraph_format.space_after = Pt(12)
            self.run(para, f"{labels[key]}：" if meta.lang == "zh" else f"{labels[key]}: ", _HEI)
            value = getattr(meta, key)
            run = self.run(para, value if value else "\u3000" * 12)
            run.font.underline = not value
        self.run(self.para(), "").add_break(WD_BREAK.PAGE)
        self._toc(labels)

    def _toc(self, labels: Mapping[str, str]) -> None:
        """A table-of-contents field over Heading 1-2 (Word fills it on opening: ``w:updateFields``)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.oxml import OxmlElement

        head = self.para("PE Title")
        self.run(head, labels["toc"])
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para = self.para("PE Body")
        parts = (("begin", None), ("instr", ' TOC \\o "1-2" \\h \\z \\u '), ("separate", None),
                 ("text", labels["toc_hint"]), ("end", None))
        for kind, text in parts:
            run = self.run(para, "")
            if kind == "instr":
                node = OxmlElement("w:instrText")
                node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                node.text = text
            elif kind == "text":
                node = OxmlElement("w:t")
                node.text = text
            else:
                node = OxmlElement("w:fldChar")
                node.set(_qn("w:fldCharType"), kind)
            run._r.append(node)
        self.run(self.para(), "").add_break(WD_BREAK.PAGE)
        settings = self.doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(_qn("w:val"), "true")
        settings.append(update)

    def heading(self, block: Mapping[str, Any]) -> None:
        level = int(block.get("level", 2))
        style = "PE Title" if level <= 1 else f"Heading {min(level - 1, 3)}"
        self.run(self.para(style), str(block.get("text", "")))

    def paragraph(self, block: Mapping[str, Any]) -> None:
        from docx.enum.text import WD_COLOR_INDEX

        text = str(block.get("text", ""))
        for i, line in enumerate(text.split("\n") or [""]):
            para = self.para("PE Body")
            if block.get("drafted") and i == 0:
                mark = self.run(para, f"〔{_LABELS[self.lang]['draft']}〕", _KAI)
                mark.font.highlight_color = WD_COLOR_INDEX.YELLOW
            self.run(para, line)

    def notice(self, block: Mapping[str, Any]) -> None:
        para = self.para("PE Notice")
        _box(para)
        self.run(para, str(block.get("text", "")))

    def key_figures(self, block: Mapping[str, Any]) -> None:
        """Key figures as a compact table: two (label, value) pairs per row, labels shaded."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        items = [(str(k), str(v)) for k, v in block.get("items", [])]
        if not items:
            return
        per_row = 3 if len(items) % 3 == 0 else min(2, len(items))
        tbl = self.doc.add_table(rows=(len(items) + per_row - 1) // per_row, cols=2 * per_row)
        tbl.style = self.doc.styles["Table Grid"]
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        _full_width(tbl)
        for n, (label, value) in enumerate(items):
            row = tbl.rows[n // per_row]
            if n % per_row == 0:
                _row_flags(row, repeat_header=False)
            cells = row.cells
            label_cell, value_cell = cells[2 * (n % per_row)], cells[2 * (n % per_row) + 1]
            _shade(label_cell, "E7EBF0")
            for cell, text, fonts in ((label_cell, label, _HEI), (value_cell, value, None)):
                para = cell.paragraphs[0]
                self.set_style(para, "PE Table")
                para.alignment = WD_ALIGN_PARAGRAPH.LEFT if fonts else WD_ALIGN_PARAGRAPH.RIGHT
                self.run(para, text, fonts)
        self.para("PE Table")

    def table(self, block: Mapping[str, Any], *, header: bool = True) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        columns = [str(c) for c in block.get("columns") or []]
        rows = [[str(v) for v in r] for r in block.get("rows") or []]
        width = max([len(columns)] + [len(r) for r in rows])
        if width == 0:
            return
        align = list(block.get("align") or [])
        align += ["left"] * (width - len(align))
        if block.get("caption"):
            cap = self.para("Caption")
            cap.paragraph_format.keep_with_next = True
            self.run(cap, str(block["caption"]))
        grid = [columns] if header and columns else []
        grid += rows
        tbl = self.doc.add_table(rows=len(grid), cols=width)
        tbl.style = self.doc.styles["Table Grid"]
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        _full_width(tbl)
        widths = _column_widths(columns if header else [], rows, width)
        for column, mm in zip(tbl.columns, widths):
            column.width = Mm(mm)
        for i, (row, values) in enumerate(zip(tbl.rows, grid)):
            is_head = header and bool(columns) and i == 0
            _row_flags(row, repeat_header=is_head)
            cells = row.cells          # python-docx rebuilds this list on every access
            for j, cell in enumerate(cells):
                cell.width = Mm(widths[j])
                text = values[j] if j < len(values) else ""
                para = cell.paragraphs[0]
                self.set_style(para, "PE Table")
                if is_head:
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    self.run(para, text, _HEI)
                    _shade(cell, "E7EBF0")
                else:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align[j] == "right" else WD_ALIGN_PARAGRAPH.LEFT
                    self.run(para, text, _BODY)
        note = block.get("note")
        if note:
            self.run(self.para("PE Table"), str(note))
        self.para("PE Table")   # a little space after the table

    def figure(self, block: Mapping[str, Any], png: bytes | None) -> None:
        from docx.shared import Mm

        if png:
            para = self.para("PE Figure")
            run = self.run(para, "")
            picture = run.add_picture(io.BytesIO(png))
            limit = Mm(_TEXT_WIDTH_MM)
            if picture.width > limit:       # never wider than the text block; keep the aspect ratio
                picture.height = int(picture.height * limit / picture.width)
                picture.width = limit
            height_limit = Mm(200)
            if picture.height > height_limit:
                picture.width = int(picture.width * height_limit / picture.height)
                picture.height = height_limit
        if block.get("caption"):
            self.run(self.para("Caption"), str(block["caption"]))

    def add(self, block: Mapping[str, Any], png: bytes | None) -> None:
        kind = block.get("kind")
        if kind == "heading":
            self.heading(block)
        elif kind == "paragraph":
            self.paragraph(block)
        elif kind == "notice":
            self.notice(block)
        elif kind == "figures":
            self.key_figures(block)
        elif kind == "table":
            self.table(block)
        elif kind == "figure" or png:
            self.figure(block, png)
        elif block.get("text"):
            self.paragraph({"text": block["text"]})


def _row_flags(row: Any, *, repeat_header: bool) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if repeat_header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _text_width(text: str) -> int:
    """Display width of a text in half-width units (a Chinese character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _column_widths(columns: list[str], rows: list[list[str]], width: int) -> list[float]:
    """Column widths (mm) summing to the text block, in proportion to what each column holds.

    A column's share is its longest cell (a header counts up to four Chinese characters, since headers may wrap),
    at least 4 and at most 40 half-width units, so short numeric columns stay narrow and text columns get room.
    """
    needs = []
    for j in range(width):
        cells = [_text_width(r[j]) for r in rows if j < len(r)]
        head = min(_text_width(columns[j]), 8) if j < len(columns) else 0
        needs.append(min(max([head, 4] + cells), 40) + 2)   # + cell padding
    total = sum(needs)
    return [_TEXT_WIDTH_MM * n / total for n in needs]


def _full_width(tbl: Any) -> None:
    """The table spans the text block (100 %)."""
    from docx.oxml import OxmlElement

    tbl_pr = tbl._tbl.tblPr
    width = tbl_pr.find(_qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(_qn("w:type"), "pct")
    width.set(_qn("w:w"), "5000")


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement

    shd = OxmlElement("w:shd")
    shd.set(_qn("w:val"), "clear")
    shd.set(_qn("w:color"), "auto")
    shd.set(_qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _box(para: Any) -> None:
    """A thin border around a paragraph (notices)."""
    from docx.oxml import OxmlElement

    ppr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "B58900")):
            edge.set(_qn(key), value)
        borders.append(edge)
    ppr.append(borders)


def _core_date(text: str | None) -> _dt.datetime:
    """The report's date as the document's core dates when it is an ISO date; a fixed date otherwise."""
    if text:
        try:
            return _dt.datetime.fromisoformat(str(text)[:10]).replace(tzinfo=_dt.timezone.utc)
        except ValueError:
            pass
    return _FIXED_DATE


def _deterministic_zip(data: bytes) -> bytes:
    """The same package with fixed entry timestamps and attributes (python-docx stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def notebook_to_docx(nb: Any, *, meta: Mapping[str, Any] | ReportMeta | None = None) -> bytes:
    """An executed report notebook as a Word document (.docx bytes).

    Parameters
    ----------
    nb : nbformat.NotebookNode or mapping
        The executed notebook (outputs present). It is not changed.
    meta : mapping or ReportMeta, optional
        Cover data: ``title``, ``unit`` (the evaluated unit's name), ``evaluator``, ``date``, ``lang``
        ("zh" or "en"). Missing keys are taken from ``nb.metadata["perfeval"]``, then from the papermill
        parameters (``evaluator``, ``date``/``report_date``, ``lang``); the title defaults to the first level-1
        heading.

    Returns
    -------
    bytes
        The .docx package; identical input gives identical bytes.

    Raises
    ------
    ImportError
        When python-docx is not installed.
    ValueError
        When ``meta`` has an unknown key or ``lang`` is not "zh" or "en".

    Notes
    -----
    The level-1 heading block (the report title) goes on the cover and is not repeated; heading levels 2 and 3
    (一、 / （一）) become Word's *Heading 1* and *Heading 2*, which the table of contents lists.
    """
    from docx import Document

    info = ReportMeta.from_notebook(nb, meta)
    doc = Document()
    writer = _Writer(doc, info.lang)
    writer.setup()
    writer.cover(info)
    title_skipped = False
    for block, png in iter_blocks(nb):
        if (block.get("kind") == "heading" and block.get("level") == 1 and not title_skipped
                and block.get("text") == info.title):
            title_skipped = True
            continue
        writer.add(block, png)

    when = _core_date(info.date)
    props = doc.core_properties
    props.title = info.title or _LABELS[info.lang]["title"]
    props.subject = info.unit or ""
    props.author = info.evaluator or "perfeval"
    props.last_modified_by = "perfeval"
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when.replace(tzinfo=None)
    props.language = "zh-CN" if info.lang == "zh" else "en-US"
    buffer = io.BytesIO()
    doc.save(buffer)
    return _deterministic_zip(buffer.getvalue())


# --- nbconvert --------------------------------------------------------------------------------------------------

class DocxExporter(Exporter):
    """nbconvert exporter: ``jupyter nbconvert --to perfeval_docx report.ipynb`` writes ``report.docx``.

    Registered through the ``nbconvert.exporters`` entry point as ``perfeval_docx``. The cover data come from the
    notebook (see :func:`notebook_to_docx`); the traits ``title``, ``unit``, ``evaluator`` and ``date`` override
    them (``--DocxExporter.evaluator=...``).
    """

    export_from_notebook = "Word document (perfeval)"
    output_mimetype = DOCX_MIMETYPE
    title = Unicode(None, allow_none=True, help="Report title on the cover.").tag(config=True)
    unit = Unicode(None, allow_none=True, help="Evaluated unit shown on the cover.").tag(config=True)
    evaluator = Unicode(None, allow_none=True, help="Evaluator shown on the cover.").tag(config=True)
    date = Unicode(None, allow_none=True, help="Report date shown on the cover.").tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[bytes, dict]:
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        given = {k: getattr(self, k) for k in ("title", "unit", "evaluator", "date") if getattr(self, k)}
        data = notebook_to_docx(nb_copy, meta=given or None)
        resources["output_extension"] = ".docx"
        return data, resources
