"""Presentation helpers of the result objects in Jupyter: a short header with the key figures, then the tables,
truncated so that a 10,000-row result does not flood the notebook (the full table is one attribute away).

Presentation only: the numbers of a result are never rounded, only their HTML text.
"""
from __future__ import annotations

import html
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["MAX_ROWS", "fmt", "header", "frame_html", "html_table", "short_items"]

#: Rows of a table shown in a result's HTML view: the first and last ``MAX_ROWS // 2`` of a longer one.
MAX_ROWS = 20


def fmt(value: Any, digits: int = 4) -> str:
    """Short text of a value: floats to ``digits`` significant digits, everything else ``str``.

    Examples
    --------
    >>> from perfeval._html import fmt
    >>> fmt(0.123456), fmt(3), fmt("优")
    ('0.1235', '3', '优')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{digits}g}"
    return str(value)


def header(title: str, note: str = "") -> str:
    """``<p><b>title</b>: note</p>``, both escaped.

    Examples
    --------
    >>> from perfeval._html import header
    >>> header("Weights", "CR < 0.1")
    '<p><b>Weights</b>: CR &lt; 0.1</p>'
    """
    return f"<p><b>{html.escape(title)}</b>{': ' + html.escape(note) if note else ''}</p>"


def frame_html(frame: pd.DataFrame, *, max_rows: int = MAX_ROWS, source: str = ".to_frame()",
               float_format: Callable[[float], str] | None = None, index: bool = False, caption: str = "") -> str:
    """The frame as an HTML table; a frame longer than ``max_rows`` shows its first and last rows and says how
    many there are and where to get them all (``source``).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval._html import frame_html
    >>> text = frame_html(pd.DataFrame({"x": range(100)}), max_rows=6, source=".units")
    >>> text.count("<tr>"), "6 of 100 rows shown; all of them: .units" in text
    (7, True)
    """
    fmt_float = float_format or (lambda v: f"{v:.6g}")
    n = len(frame)
    cap = f"<p>{html.escape(caption)}</p>" if caption else ""
    if n > max_rows:
        table = frame.to_html(index=index, max_rows=max_rows, float_format=fmt_float, na_rep="",
                              show_dimensions=False)
        shown = 2 * (max_rows // 2) if max_rows > 1 else 1
        return (cap + table + f"<p><i>{shown} of {n} rows shown; all of them: {html.escape(source)}</i></p>")
    return cap + frame.to_html(index=index, float_format=fmt_float, na_rep="")


def html_table(title: str, frame: pd.DataFrame, note: str = "", **kwargs: Any) -> str:
    """:func:`header` and :func:`frame_html` (``kwargs`` go to the latter).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval._html import html_table
    >>> html_table("Weights", pd.DataFrame({"item": ["a"], "weight": [1.0]})).startswith("<p><b>Weights</b></p>")
    True
    """
    return header(title, note) + frame_html(frame, **kwargs)


def short_items(items: Mapping[Any, Any] | pd.Series | Iterable[tuple[Any, Any]], k: int = 8,
                value_format: Callable[[Any], str] = fmt) -> str:
    """``{a: 0.25, b: 0.75}`` of the first ``k`` items, ``..., +N more`` after them: for a one-line ``__repr__``.

    Examples
    --------
    >>> from perfeval._html import short_items
    >>> short_items({"a": 0.25, "b": 0.75})
    '{a: 0.25, b: 0.75}'
    >>> short_items({f"x{i}": i / 10 for i in range(10)}, k=2, value_format="{:.4f}".format)
    '{x0: 0.0000, x1: 0.1000, ... +8 more}'
    """
    pairs = list(items.items()) if hasattr(items, "items") else list(items)
    text = ", ".join(f"{key}: {value_format(value)}" for key, value in pairs[:k])
    more = f", ... +{len(pairs) - k} more" if len(pairs) > k else ""
    return "{" + text + more + "}"
