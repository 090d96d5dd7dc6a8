"""Cells perfeval writes to CSV and XLSX files: formula neutralisation and a streaming XLSX writer.

Unit ids, names, targets and notes come from users' files and end up in every table perfeval writes. A text cell
such as ``=cmd|" /C calc"!A0``, ``+1+1``, ``-2+3``, ``@SUM(1)`` or ``=HYPERLINK(...)`` would be evaluated as a
formula by Excel (or LibreOffice) when the file is opened: CSV/formula injection. Following the OWASP
recommendation ("CSV Injection"), every writer of perfeval

* in **CSV** prefixes a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return with a
  single quote ``'`` (:func:`neutralise_text`, :func:`neutralise_frame`); perfeval's own table reader removes that
  quote again (:func:`unquote_text`), so a file perfeval wrote reads back as it was;
* in **XLSX** stores every text cell as a text cell, never a formula (:func:`write_xlsx` for tables, also marking
  the cells that start with one of those characters ``quotePrefix``: Excel's "text typed after an apostrophe",
  shown as written and kept as text when edited; :func:`set_text_cell` for filled forms, which keep the
  template's styles);
* keeps numbers numbers: only text cells are touched (a float ``-2.5`` stays a number; a text ``-2.5`` is quoted).

Characters XML cannot hold (C0 control characters other than tab, newline and carriage return) are replaced by
U+FFFD in XLSX cells, so a stray ESC in an id never aborts a write.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["FORMULA_START", "neutralise_text", "neutralise_frame", "unquote_text", "write_xlsx", "xlsx_cell",
           "is_formula_like", "set_text_cell"]

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV Injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_QUOTED = re.compile(r"'[=+\-@\t\r]")
_FORMULA_RE = re.compile(r"[=+\-@\t\r]")
_SHEET_ROWS = 1_048_575  # Excel's rows per sheet, less the header
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` typed in a cell as a formula (not a plain signed number).

    >>> is_formula_like("=1+1"), is_formula_like("-2+3"), is_formula_like("-2.5"), is_formula_like("a=b")
    (True, True, False, False)
    """
    return isinstance(text, str) and text.startswith(FORMULA_START) and not _NUMBER.match(text)


def neutralise_text(value: object) -> object:
    """``'`` + ``value`` when ``value`` is text starting with a formula character; anything else unchanged.

    >>> neutralise_text('=cmd|" /C calc"!A0'), neutralise_text("-5%"), neutralise_text(-5.0), neutralise_text("a")
    ('\\'=cmd|" /C calc"!A0', "'-5%", -5.0, 'a')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralise_text` applied to its text cells and column names (numeric
    columns untouched); ``frame`` itself when nothing needs it."""
    columns = [neutralise_text(c) for c in frame.columns]
    text_cols = [c for c in frame.columns if not (pd.api.types.is_numeric_dtype(frame[c].dtype)
                                                  or pd.api.types.is_bool_dtype(frame[c].dtype)
                                                  or pd.api.types.is_datetime64_any_dtype(frame[c].dtype))]
    changed = {}
    for c in text_cols:
        col = frame[c]
        mask = _starts(col, _FORMULA_RE)
        if mask.any():
            changed[c] = col.where(~mask, "'" + col[mask].astype(str))
    if not changed and columns == list(frame.columns):
        return frame
    out = frame.copy()
    for c, values in changed.items():
        out[c] = values
    out.columns = columns
    return out


def unquote_text(values: pd.Series) -> pd.Series:
    """Undo :func:`neutralise_text` on text read from a CSV: ``'=x`` -> ``=x`` (other text unchanged)."""
    mask = _starts(values, _QUOTED)
    if not mask.any():
        return values
    return values.where(~mask, values[mask].str.slice(1))


def _starts(values: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Boolean mask of the text cells of ``values`` matching ``pattern`` at their start (non-text: False)."""
    try:
        mask = values.str.match(pattern, na=False)
    except AttributeError:  # no text at all in the column
        return pd.Series(False, index=values.index)
    return mask.fillna(False).astype(bool) & values.map(type).eq(str)


def xlsx_cell(ws, value: object) -> object:
    """A value for an openpyxl write-only sheet: missing -> empty, numpy -> Python, text -> a text cell.

    Text is always a text cell (``data_type`` ``s``): ``=0`` is a target, never a formula. Text starting with a
    formula character also gets ``quotePrefix``; characters XML cannot hold become U+FFFD.
    """
    from openpyxl.cell import WriteOnlyCell

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if isinstance(value, (bool, int, float)) or hasattr(value, "isoformat"):
        return value
    text = value if isinstance(value, str) else str(value)
    text = _ILLEGAL_XML.sub("\ufffd", text)
    if not text.startswith(FORMULA_START):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if len(text) > 1:  # a lone "=" or "-" (an operator, a placeholder) is no formula
        cell.quotePrefix = True
    return cell


def set_text_cell(cell, value: object) -> None:
    """Set an openpyxl cell of an ordinary (not write-only) workbook (a filled form): text is a text cell, never a
    formula, XML-illegal characters become U+FFFD, other values as they are."""
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # a text cell; no quotePrefix style here, so filled forms keep the template's styles


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame] | Iterable[tuple[str, pd.DataFrame]]) -> None:
    """Write tables to an XLSX workbook in openpyxl's streaming (write-only) mode, one sheet per table.

    Column names are the header row; the index is not written. A table longer than a sheet holds continues on
    ``name(2)``, ``name(3)`` ... Memory stays proportional to one row, not to the table. ``path`` is written
    directly (callers wrap it in :func:`perfeval._io_util.atomic_path`).
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    items = sheets.items() if isinstance(sheets, Mapping) else sheets
    for name, frame in items:
        for i, start in enumerate(range(0, max(len(frame), 1), _SHEET_ROWS)):
            ws = wb.create_sheet(_sheet_name(name if i == 0 else f"{name}({i + 1})"))
            ws.append([xlsx_cell(ws, str(c)) for c in frame.columns])
            part = frame.iloc[start:start + _SHEET_ROWS]
            for row in zip(*(_column_values(ws, part.iloc[:, j]) for j in range(part.shape[1]))):
                ws.append(row)
    if not wb.worksheets:
        wb.create_sheet("Sheet1")
    wb.save(path)


def _column_values(ws, column: pd.Series) -> list:
    """The cells of one column as :func:`xlsx_cell` gives them, converted column-wise (per-cell work only for the
    cells that need it: missing values, text starting with a formula character or holding XML-illegal
    characters)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not column.isna().any():
        return column.astype(bool).tolist()
    if pd.api.types.is_integer_dtype(dtype) and not column.isna().any():
        return column.astype("int64").tolist()
    if pd.api.types.is_float_dtype(dtype) and np.isfinite(column.to_numpy(dtype=float)).all():
        return column.astype("float64").tolist()
    values = column.astype(object).tolist()
    missing = column.isna().to_numpy()
    text_only = pd.api.types.is_string_dtype(dtype) and (
        dtype != object or bool((column.map(type).eq(str).to_numpy() | missing).all()))
    if not text_only:
        return [xlsx_cell(ws, v) for v in values]
    for i in np.flatnonzero(missing):
        values[i] = None
    for i in np.flatnonzero(column.str.contains(_SPECIAL, na=False).to_numpy(dtype=bool)):
        values[i] = xlsx_cell(ws, values[i])
    return values


_SPECIAL = re.compile(r"^[=+\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _sheet_name(name: str) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "Sheet"
