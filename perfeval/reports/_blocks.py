"""The building blocks a report notebook shows: headings, paragraphs, key figures, tables, figures, notices.

Each block is a small frozen object whose ``_repr_mimebundle_`` gives three representations of the same content:

- ``text/html``: escaped (every text from user data goes through :func:`html.escape`), deterministic (no random
  ids, no timestamps), styled by the report template's CSS classes (``pe-...``);
- ``text/plain``: for a console;
- :data:`BLOCK_MIMETYPE` (``application/vnd.perfeval.block+json``): the structure (kind, level, caption, header and
  cells as display texts, alignment), which the Word and PDF exporters read instead of parsing HTML.

Figures carry ``image/png`` as well (150 dpi, fixed metadata, so identical inputs give identical bytes).

A notebook shows a block by leaving it as the last expression of a cell or through ``IPython.display.display``.

Examples
--------
>>> import pandas as pd
>>> from perfeval import reports
>>> t = reports.table(pd.DataFrame({"项目": ["<b>甲</b>"], "得分": [89.996]}), caption="得分", floor_columns=["得分"])
>>> t.block["rows"]
[['<b>甲</b>', '89.99']]
>>> "&lt;b&gt;" in t._repr_html_()
True
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["BLOCK_MIMETYPE", "FACTS_MIMETYPE", "Block", "facts", "Facts", "heading", "paragraph", "key_figures", "table", "figure", "notice",
           "Heading", "Paragraph", "KeyFigures", "Table", "Figure", "Notice"]

#: The mimetype of the structured representation of every block.
BLOCK_MIMETYPE = "application/vnd.perfeval.block+json"
#: The mimetype of a report's machine-readable key facts (:func:`facts`), read by the batch index.
FACTS_MIMETYPE = "application/vnd.perfeval.facts+json"

_LANGS = ("zh", "en")


def _esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _text(value: Any, name: str) -> str:
    if value is None:
        raise TypeError(f"`{name}` must be text; got None.")
    return str(value)


class Block:
    """Base of the report blocks: the three representations of one piece of report content."""

    kind: str = ""

    @property
    def block(self) -> dict[str, Any]:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _repr_html_(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _plain(self) -> str:
        return str(self.block.get("text", ""))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": self._plain(), BLOCK_MIMETYPE: self.block}

    def __repr__(self) -> str:
        return self._plain()


@dataclass(frozen=True)
class Heading(Block):
    """A section heading (level 1: the report title; 2: 一、; 3: （一）)."""

    text: str
    level: int = 2
    kind = "heading"

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"`level` must be 1, 2 or 3; got {self.level!r}.")

    @property
    def block(self) -> dict[str, Any]:
        return {"kind": "heading", "level": self.level, "text": self.text}

    def _repr_html_(self) -> str:
        return f'<h{self.level} class="pe-h{self.level}">{_esc(self.text)}</h{self.level}>'


@dataclass(frozen=True)
class Paragraph(Block):
    """A paragraph of text; ``drafted`` marks text perfeval drafted from the data for the evaluator to check."""

    text: str
    drafted: bool = False
    source: str | None = None
    lang: str = "zh"
    kind = "paragraph"

    @property
    def block(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "paragraph", "text": self.text, "drafted": bool(self.drafted)}
        if self.source:
            out["source"] = self.source
        return out

    def _repr_html_(self) -> str:
        mark = ""
        if self.drafted:
            label = "初稿" if self.lang == "zh" else "draft"
            title = f' title="{_esc(self.source)}"' if self.source else ""
            mark = f'<span class="pe-drafted"{title}>{label}</span> '
        cls = "pe-p pe-p-drafted" if self.drafted else "pe-p"
        body = "<br>".join(_esc(line) for line in self.text.split("\n"))
        return f'<p class="{cls}">{mark}{body}</p>'


@dataclass(frozen=True)
class KeyFigures(Block):
    """The key figures at the top of a report: (label, value text) pairs."""

    items: tuple[tuple[str, str], ...]
    kind = "figures"

    @property
    def block(self) -> dict[str, Any]:
        return {"kind": "figures", "items": [[label, value] for label, value in self.items]}

    def _plain(self) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.items)

    def _repr_html_(self) -> str:
        cells = "".join(f'<div class="pe-kf"><div class="pe-kf-v">{_esc(v)}</div>'
                        f'<div class="pe-kf-l">{_esc(k)}</div></div>' for k, v in self.items)
        return f'<div class="pe-kfs">{cells}</div>'


@dataclass(frozen=True)
class Table(Block):
    """A table ready to hand over: header texts, cell display texts, column alignment, caption."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]
    caption: str | None = None
    note: str | None = None
    kind = "table"

    @property
    def block(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "table", "caption": self.caption, "columns": list(self.columns),
                               "rows": [list(r) for r in self.rows], "align": list(self.align)}
        if self.note:
            out["note"] = self.note
        return out

    def _plain(self) -> str:
        lines = [self.caption] if self.caption else []
        lines.append("\t".join(self.columns))
        lines.extend("\t".join(r) for r in self.rows)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def cls(i: int) -> str:
            return ' class="pe-num"' if self.align[i] == "right" else ""

        head = "".join(f"<th{cls(i)}>{_esc(c)}</th>" for i, c in enumerate(self.columns))
        body = "".join("<tr>" + "".join(f"<td{cls(i)}>{_esc(v)}</td>" for i, v in enumerate(r)) + "</tr>"
                       for r in self.rows)
        caption = f"<caption>{_esc(self.caption)}</caption>" if self.caption else ""
        note = f'<p class="pe-table-note">{_esc(self.note)}</p>' if self.note else ""
        return (f'<div class="pe-table-wrap"><table class="pe-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>{note}</div>")


@dataclass(frozen=True)
class Figure(Block):
    """A chart as a PNG image (print resolution) with its caption."""

    png: bytes = field(repr=False)
    caption: str | None = None
    alt: str = ""
    kind = "figure"

    @property
    def block(self) -> dict[str, Any]:
        return {"kind": "figure", "caption": self.caption}

    def _plain(self) -> str:
        return self.caption or "[figure]"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        caption = f"<figcaption>{_esc(self.caption)}</figcaption>" if self.caption else ""
        alt = _esc(self.alt or self.caption or "")
        return f'<figure class="pe-figure"><img src="data:image/png;base64,{data}" alt="{alt}">{caption}</figure>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(include, exclude)
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle


@dataclass(frozen=True)
class Notice(Block):
    """A short notice (warnings counted during the report, data caveats)."""

    text: str
    kind = "notice"

    @property
    def block(self) -> dict[str, Any]:
        return {"kind": "notice", "text": self.text}

    def _repr_html_(self) -> str:
        return f'<div class="pe-notice">{_esc(self.text)}</div>'


@dataclass(frozen=True)
class Facts(Block):
    """A report's key facts for machines (the batch index): shown nowhere on the page."""

    values: Mapping[str, Any]
    kind = "facts"

    @property
    def block(self) -> dict[str, Any]:
        return dict(self.values)

    def _repr_html_(self) -> str:
        return ""

    def _plain(self) -> str:
        return ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {FACTS_MIMETYPE: dict(self.values), "text/html": "", "text/plain": ""}


# --- constructors -----------------------------------------------------------------------------------------------

def heading(text: str, level: int = 2) -> Heading:
    """A section heading; ``level`` 1 is the report title, 2 a section (一、), 3 a sub-section (（一）)."""
    return Heading(_text(text, "text"), level)


def paragraph(text: str, *, drafted: bool = False, source: str | None = None, lang: str = "zh") -> Paragraph:
    """A paragraph; ``drafted=True`` marks text drafted from the data (shown with a 初稿 / draft mark).

    ``source`` says what the draft was made from (e.g. ``audit:cost_indicator_ge``); ``lang`` is the language of the
    mark. Line breaks in ``text`` are kept.
    """
    if lang not in _LANGS:
        raise ValueError(f"`lang` must be one of {_LANGS}; got {lang!r}.")
    return Paragraph(_text(text, "text"), bool(drafted), source, lang)


def key_figures(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> KeyFigures:
    """Key figures: a mapping or (label, value) pairs; values are shown as given (format numbers first)."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return KeyFigures(tuple((str(k), "—" if v is None else str(v)) for k, v in pairs))


def notice(text: str) -> Notice:
    """A short notice shown in a box (e.g. how many warnings the report's computation raised)."""
    return Notice(_text(text, "text"))


def facts(**values: Any) -> Facts:
    """Record a report's key facts (e.g. ``unit_id``, ``name``, ``total``, ``grade``, ``light``, ``conclusion``)
    for the batch index and the report's result; nothing is shown on the page.

    In a notebook the facts are recorded at once (displayed through IPython, whatever the cell's last expression
    is); the returned object is for use outside a notebook. Values must be text, numbers, true/false or None
    (numpy scalars are converted; NaN becomes None).
    """
    import math

    out: dict[str, Any] = {}
    for key, value in values.items():
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise TypeError(f"fact `{key}` must be text, a number, true/false or None; got {type(value).__name__}.")
        out[key] = value
    result = Facts(out)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return result
    if get_ipython() is not None:
        from IPython.display import display

        display(result)
    return result


def _column_texts(series: Any, decimals: int, floor: bool, lang: str) -> tuple[list[str], str]:
    """Display texts of one column and its alignment."""
    import pandas as pd
    from pandas.api import types as pdt

    from .._display import fmt_number

    if pdt.is_bool_dtype(series.dtype):
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        return [("—" if pd.isna(v) else (yes if v else no)) for v in series], "left"
    if pdt.is_integer_dtype(series.dtype):
        return [fmt_number(None if pd.isna(v) else int(v)) for v in series], "right"
    if pdt.is_float_dtype(series.dtype):
        return [fmt_number(v, decimals, floor=floor) for v in series], "right"
    texts = []
    numeric = True
    for v in series:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            texts.append("—")
        elif isinstance(v, bool):
            texts.append(("是" if v else "否") if lang == "zh" else ("yes" if v else "no"))
            numeric = False
        elif isinstance(v, (int, float)):
            texts.append(fmt_number(v, decimals, floor=floor))
        else:
            texts.append(str(v))
            numeric = False
    return texts, ("right" if numeric and len(series) else "left")


def table(frame: Any, *, caption: str | None = None, decimals: int | Mapping[str, int] = 2,
          floor_columns: Sequence[str] = (), headers: Mapping[str, str] | None = None, lang: str = "zh",
          index: bool = False, note: str | None = None) -> Table:
    """A table ready to hand over, from a DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data; it is not changed. Column names are the header texts unless ``headers`` renames them.
    caption : str, optional
        Shown above the table (表 1 ...).
    decimals : int or mapping, default 2
        Places shown for float columns; a mapping gives them per column (others: 2).
    floor_columns : sequence of str
        Columns shown rounded *down* (scores and totals compared with grade edges: 89.996 is shown as 89.99).
    headers : mapping, optional
        Column name -> header text.
    lang : {"zh", "en"}
        Language of the yes/no texts.
    index : bool, default False
        Show the index as the first column.
    note : str, optional
        A note under the table (source, units).

    Returns
    -------
    Table
        Cells as display texts; float and integer columns right-aligned; missing values shown as "—".
    """
    import pandas as pd

    if lang not in _LANGS:
        raise ValueError(f"`lang` must be one of {_LANGS}; got {lang!r}.")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`frame` must be a pandas DataFrame; got {type(frame).__name__}.")
    data = frame.reset_index() if index else frame
    unknown = [c for c in floor_columns if c not in data.columns]
    if unknown:
        raise ValueError(f"`floor_columns` must name columns of the table; got {unknown!r}.")
    headers = dict(headers or {})
    columns: list[str] = []
    cells: list[list[str]] = []
    align: list[str] = []
    for position, name in enumerate(data.columns):
        places = decimals.get(name, 2) if isinstance(decimals, Mapping) else decimals
        texts, side = _column_texts(data.iloc[:, position], places, name in floor_columns, lang)
        columns.append(str(headers.get(name, name)))
        cells.append(texts)
        align.append(side)
    rows = tuple(tuple(col[i] for col in cells) for i in range(len(data)))
    return Table(tuple(columns), rows, tuple(align), caption, note)


def figure(chart: Any, *, caption: str | None = None, alt: str = "", dpi: int = 150, close: bool = True) -> Figure:
    """A chart (a matplotlib Axes or Figure) as a report figure: PNG at ``dpi``, deterministic bytes.

    The figure is closed afterwards (``close=False`` keeps it), so a notebook does not also show it inline.
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    fig = chart.figure if isinstance(chart, Axes) else chart
    if not isinstance(fig, MplFigure):
        raise TypeError(f"`chart` must be a matplotlib Axes or Figure; got {type(chart).__name__}.")
    buffer = io.BytesIO()
    # fixed metadata: no software version or date in the PNG, so identical inputs give identical bytes
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    if close:
        plt.close(fig)
    return Figure(buffer.getvalue(), caption, alt)
