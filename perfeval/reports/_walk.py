"""Reading an executed report notebook: its content as blocks, its parameters, its facts and its cover data.

The exporters of other formats than HTML (:mod:`perfeval.reports.docx`) walk the outputs in order: the block json
of :mod:`perfeval.reports` where present, otherwise ``image/png``, ``text/markdown`` and ``text/html`` (an HTML
table is read as a table). Code, prompts, streams and errors are never report content.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Iterator, Mapping

from ._blocks import BLOCK_MIMETYPE, FACTS_MIMETYPE

__all__ = ["LANGS", "ReportMeta", "iter_blocks"]

#: The report languages.
LANGS = ("zh", "en")


@dataclass(frozen=True)
class ReportMeta:
    """What the cover shows: title, evaluated unit, evaluator, date (as given, e.g. an ISO date), language.

    Missing values are left as blank lines on the cover for the evaluator to fill in.
    """

    title: str | None = None
    unit: str | None = None
    evaluator: str | None = None
    date: str | None = None
    lang: str = "zh"

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"`lang` must be one of {LANGS}; got {self.lang!r}.")

    @classmethod
    def from_notebook(cls, nb: Any, meta: Mapping[str, Any] | ReportMeta | None = None) -> ReportMeta:
        """Cover data: ``meta`` first, then ``nb.metadata.perfeval``, then the papermill parameters.

        Parameters looked up: ``lang``; ``evaluator``; ``date`` or ``report_date``. The title defaults to the
        notebook's first level-1 heading block.
        """
        if isinstance(meta, ReportMeta):
            return meta
        metadata = nb.get("metadata", {}) if hasattr(nb, "get") else {}
        params = _notebook_parameters(nb)
        stored = dict(metadata.get("perfeval") or {})
        given = dict(meta or {})
        unknown = sorted(set(given) - {"title", "unit", "evaluator", "date", "lang"})
        if unknown:
            raise ValueError(f"`meta` may have the keys title, unit, evaluator, date, lang; got {unknown!r}.")

        def pick(*names: str) -> str | None:
            for source in (given, stored, params):
                for name in names:
                    value = source.get(name)
                    if value not in (None, ""):
                        return str(value)
            return None

        facts = _facts(nb)
        title = pick("title")
        if title is None:
            title = next((b["text"] for b, _ in iter_blocks(nb) if b.get("kind") == "heading"
                          and b.get("level") == 1), None)
        unit = pick("unit", "unit_name")
        if unit is None and facts.get("name") not in (None, ""):
            unit = str(facts["name"])
        return cls(title=title, unit=unit, evaluator=pick("evaluator"),
                   date=pick("date", "report_date"), lang=pick("lang") or "zh")


# --- reading the notebook ---------------------------------------------------------------------------------------

def _text_of(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _notebook_parameters(nb: Any) -> dict[str, Any]:
    """The report's parameters: the literal defaults of the ``parameters`` cell, then papermill's injected ones."""
    import ast

    found: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        tags = set((cell.get("metadata") or {}).get("tags") or ())
        if cell.get("cell_type") != "code" or not tags & {"parameters", "injected-parameters"}:
            continue
        try:
            tree = ast.parse(_text_of(cell.get("source", "")))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    metadata = nb.get("metadata", {}) if hasattr(nb, "get") else {}
    found.update((metadata.get("papermill") or {}).get("parameters") or {})
    return found


def _facts(nb: Any) -> dict[str, Any]:
    """The report's key facts (:func:`perfeval.reports.facts` outputs), merged in order."""
    found: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            values = (output.get("data") or {}).get(FACTS_MIMETYPE)
            if isinstance(values, Mapping):
                found.update(values)
    return found


def iter_blocks(nb: Any) -> Iterator[tuple[dict[str, Any], bytes | None]]:
    """The report content of an executed notebook, in order, as ``(block, png)`` pairs.

    ``block`` is a block dict as in :mod:`perfeval.reports` (kinds heading, paragraph, figures, table, figure,
    notice); ``png`` holds the image bytes of a figure. Outputs without a block are read from ``image/png``,
    ``text/markdown`` or ``text/html``. Code, streams and errors are skipped, and so are cells tagged
    ``remove-cell``. Markdown cells are read from their source only in a notebook that shows no block at all: in a
    report notebook, whose content is its blocks, they are notes for the notebook's reader (what the notebook
    does, its parameters), not report text.
    """
    cells = nb.get("cells", [])
    uses_blocks = any(BLOCK_MIMETYPE in (output.get("data") or {}) for cell in cells
                      for output in (cell.get("outputs") or []) if cell.get("cell_type") == "code")
    for cell in cells:
        tags = set((cell.get("metadata") or {}).get("tags") or ())
        if tags & {"remove-cell", "remove_cell", "remove-output", "papermill-error-cell-tag"}:
            continue
        if cell.get("cell_type") == "markdown":
            if not uses_blocks:
                yield from _markdown_blocks(_text_of(cell.get("source", "")))
            continue
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data") or {}
            png = data.get("image/png")
            png_bytes = base64.b64decode(_text_of(png)) if png else None
            block = data.get(BLOCK_MIMETYPE)
            if isinstance(block, Mapping) and block.get("kind"):
                yield dict(block), png_bytes
            elif png_bytes is not None:
                yield {"kind": "figure", "caption": None}, png_bytes
            elif "text/markdown" in data:
                yield from _markdown_blocks(_text_of(data["text/markdown"]))
            elif "text/html" in data:
                yield from _html_blocks(_text_of(data["text/html"]))


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_INLINE = [(re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
              (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"), (re.compile(r"(?<!\w)[*_](.+?)[*_](?!\w)"), r"\1"),
              (re.compile(r"`([^`]*)`"), r"\1")]


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text.strip()


def _markdown_blocks(source: str) -> Iterator[tuple[dict[str, Any], None]]:
    """Headings and paragraphs of a markdown text (inline markup reduced to its text; HTML tags kept as text)."""
    lines: list[str] = []

    def flush() -> Iterator[tuple[dict[str, Any], None]]:
        text = " ".join(s.strip() for s in lines if s.strip())
        lines.clear()
        if text:
            yield {"kind": "paragraph", "text": _md_inline(text), "drafted": False}, None

    for raw in source.splitlines():
        match = _MD_HEADING.match(raw.strip())
        if match:
            yield from flush()
            yield {"kind": "heading", "level": min(len(match.group(1)), 3), "text": _md_inline(match.group(2))}, None
        elif not raw.strip() or re.match(r"^\s*([-*+]|\d+[.)])\s+", raw):
            yield from flush()
            if raw.strip():
                lines.append(re.sub(r"^\s*[-*+]\s+", "• ", raw))
                yield from flush()
        else:
            lines.append(raw)
    yield from flush()


class _HtmlReader(HTMLParser):
    """Headings, paragraphs and tables of an HTML fragment, as blocks (scripts and styles dropped)."""

    _SKIP = {"script", "style", "head", "title"}
    _BREAK = {"p", "div", "li", "br", "figcaption", "section", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict[str, Any]] = []
        self._skip = 0
        self._text: list[str] = []
        self._heading: int | None = None
        self._table: dict[str, Any] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._row_is_head = False

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            if self._heading:
                self.blocks.append({"kind": "heading", "level": min(self._heading, 3), "text": text})
            else:
                self.blocks.append({"kind": "paragraph", "text": text, "drafted": False})

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif self._skip:
            return
        elif tag == "table":
            self._flush()
            self._table = {"kind": "table", "caption": None, "columns": [], "rows": [], "head": []}
        elif self._table is not None:
            if tag == "tr":
                self._row, self._row_is_head = [], True
            elif tag in ("td", "th"):
                self._cell = []
                if tag == "td":
                    self._row_is_head = False
            elif tag == "caption":
                self._cell = []
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = int(tag[1])
        elif tag in self._BREAK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif self._skip:
            return
        elif self._table is not None:
            if tag in ("td", "th") and self._cell is not None and self._row is not None:
                self._row.append(" ".join("".join(self._cell).split()))
                self._cell = None
            elif tag == "caption" and self._cell is not None:
                self._table["caption"] = " ".join("".join(self._cell).split()) or None
                self._cell = None
            elif tag == "tr" and self._row is not None:
                target = "head" if self._row_is_head and not self._table["rows"] else "rows"
                self._table[target].append(self._row)
                self._row = None
            elif tag == "table":
                self.blocks.append(_finish_html_table(self._table))
                self._table = None
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = None
        elif tag in self._BREAK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._table is not None:
            if self._cell is not None:
                self._cell.append(data)
        else:
            self._text.append(data)


_NUMBER = re.compile(r"^[-+−]?[\d,，]*\.?\d+\s*%?$")


def _finish_html_table(table: dict[str, Any]) -> dict[str, Any]:
    head = table.pop("head")
    rows = table["rows"]
    width = max([len(r) for r in head + rows] or [0])
    columns = head[-1] if head else []
    columns = list(columns) + [""] * (width - len(columns))
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    align = []
    for j in range(width):
        values = [r[j] for r in rows if r[j] not in ("", "—", "-", "NaN", "nan")]
        align.append("right" if values and all(_NUMBER.match(v) for v in values) else "left")
    return {**table, "columns": columns, "rows": rows, "align": align}


def _html_blocks(source: str) -> Iterator[tuple[dict[str, Any], None]]:
    reader = _HtmlReader()
    reader.feed(source)
    reader.close()
    reader._flush()
    for block in reader.blocks:
        yield block, None
