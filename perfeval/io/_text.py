"""Cell-level text handling shared by the table and form readers (private).

Everything here is vectorised over a column: the functions map the *distinct* values of a column (a handful for
codes such as 指标性质 or 是否适用) or run pandas string operations, so a million-row file costs a few pandas
passes, and Python only touches the cells that fail.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "TEXT", "as_text", "strip_text", "cell_text", "cell_of", "parse_numbers", "parse_booleans", "normalize_ops",
    "normalize_levels", "level_from_actual", "label_key",
]

try:  # the "str" dtype (default for text from pandas 3): text or NaN, never the string "nan"
    TEXT: object = pd.StringDtype(na_value=np.nan)
except TypeError:  # pandas < 2.3
    TEXT = object

# full-width digits and signs, the minus sign and the ideographic space -> ASCII
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "，": ",", "－": "-",
                       "\u2212": "-", "＋": "+", "％": "%", "\u3000": " ", "\u00a0": " "})
_SPACES = re.compile(r"\s+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")

# operator spellings (keys compared after :func:`label_key`); NaN means "read the operator from the target text"
_OP_SPELLINGS: Mapping[str, str | None] = {
    **dict.fromkeys((">=", "≥", "≧", "⩾", "=>", ">", "大于等于", "大于或等于", "不低于", "不少于", "不小于",
                     "大于", "高于", "正向", "正向指标"), ">="),
    **dict.fromkeys(("<=", "≤", "≦", "⩽", "=<", "<", "小于等于", "小于或等于", "不高于", "不超过", "不大于",
                     "不多于", "小于", "低于", "反向", "反向指标"), "<="),
    **dict.fromkeys(("=", "==", "═", "等于", "持平"), "="),
    **dict.fromkeys(("qualitative", "定性", "定性指标"), "qualitative"),
    **dict.fromkeys(("定量", "定量指标", "quantitative"), None),
}

# completion levels of qualitative indicators (MOF 财预〔2020〕10号 art. 15 wording and short forms)
_LEVEL_SPELLINGS: Mapping[str, str] = {
    **dict.fromkeys(("met", "达成", "达成年度指标", "已达成", "全部达成", "完全达成"), "met"),
    **dict.fromkeys(("partly", "partly_met", "partlymet", "partial", "部分达成", "部分达成年度指标",
                     "部分达成年度指标并具有一定效果"), "partly"),
    **dict.fromkeys(("not_met", "notmet", "未达成", "未达成年度指标", "未达成年度指标且效果较差"), "not_met"),
}
# the phrases that, written as the actual value of a row without a level, *are* its level (the form's convention)
_LEVEL_PHRASES: Mapping[str, str] = {
    "达成年度指标": "met", "部分达成年度指标并具有一定效果": "partly", "未达成年度指标且效果较差": "not_met",
    "达成": "met", "部分达成": "partly", "未达成": "not_met",
}

_TRUE = frozenset({"是", "true", "1", "1.0", "y", "yes", "t", "√", "✓", "适用"})
_FALSE = frozenset({"否", "false", "0", "0.0", "n", "no", "f", "×", "不适用"})


def strip_text(s: pd.Series) -> pd.Series:
    """Strip surrounding whitespace (full-width too); a blank cell becomes NaN. Works on the distinct values."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == 0:
        return s.astype(object)
    values = [u.strip() if isinstance(u, str) else u for u in uniques]
    values = np.array([v if v != "" else np.nan for v in values] + [np.nan], dtype=object)
    return pd.Series(values[codes], index=s.index, name=s.name)  # code -1 (missing) picks the trailing NaN


def as_text(s: pd.Series) -> pd.Series:
    """A column of text cells (``str`` or missing) in pandas' text dtype, missing as NaN."""
    return s.where(s.notna(), np.nan).astype(object).astype(TEXT)


def label_key(text: object) -> str:
    """Text as compared with a list of spellings: NFKC, no spaces, no trailing colon, lower case."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACES.sub("", s).rstrip(":：")
    return s.lower()


def cell_text(value: object, number_format: str | None = "General") -> object:
    """One spreadsheet cell as the text a user sees (``np.nan`` for an empty cell).

    Numbers keep their digits (``repr``, no rounding); whole floats lose the ``.0``; a cell formatted as a
    percentage reads ``95%`` (exact decimal arithmetic, so ``0.955`` gives ``95.5%``); dates read ISO.
    """
    if value is None:
        return np.nan
    if isinstance(value, str):
        return value if value.strip() else np.nan
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return _percent(value, number_format)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return str(value)
        return _percent(value, number_format)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def cell_of(cell) -> object:
    """:func:`cell_text` of an openpyxl cell; the number format is looked up only for numbers (it is slow)."""
    value = cell.value
    if value is None:
        return np.nan
    if isinstance(value, str):
        return value if value.strip() else np.nan
    return cell_text(value, getattr(cell, "number_format", None) if isinstance(value, (int, float)) else None)


def _percent(value: float | int, number_format: str | None) -> str:
    """A number as written; ``value * 100`` followed by ``%`` when the cell is formatted as a percentage."""
    number = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(int(value))
    suffix = ""
    if number_format and "%" in number_format:
        number, suffix = number * 100, "%"
    if number == number.to_integral_value():
        return f"{int(number)}{suffix}"
    return f"{number.normalize():f}{suffix}"


def _clean_numbers(s: pd.Series) -> pd.Series:
    """Full-width digits, spaces, thousands separators, a trailing ``%`` or ``分`` removed."""
    t = s.astype(str).str.translate(_WIDE).str.replace(_SPACES, "", regex=True)
    t = t.str.replace(r"(?:%|分)$", "", regex=True)
    thousands = t.str.match(_THOUSANDS)
    return t.where(~thousands, t.str.replace(",", "", regex=False))


def parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column as float.

    Returns
    -------
    values : pandas.Series of float64
        NaN where the cell is empty or not a number.
    bad : pandas.Series of bool
        True where a non-empty cell is not a finite number (the caller reports those cells).

    Notes
    -----
    Accepted: ``1234.5``, ``1,234.5`` (thousands separators in groups of three), full-width digits
    (``９５``), spaces, a trailing ``%`` (the number is kept as written: ``95%`` gives 95.0, percentage points)
    and a trailing ``分`` (points). Anything else (``95万元``, ``1,5``, ``约10``) is not a number.
    """
    present = s.notna()
    values = pd.to_numeric(s, errors="coerce").astype("float64")
    retry = present & (values.isna() | ~np.isfinite(values))
    if retry.any():
        values = values.copy()
        values[retry] = pd.to_numeric(_clean_numbers(s[retry]), errors="coerce").astype("float64")
    bad = present & ~np.isfinite(values.to_numpy())
    values = values.where(~bad)
    return values, bad


def _map_unique(s: pd.Series, lookup: Mapping[str, object], missing: object) -> tuple[pd.Series, pd.Series]:
    """Map the distinct values of ``s`` through ``lookup`` (keys compared by :func:`label_key`)."""
    present = s.notna()
    table: dict[object, object] = {}
    unknown: set[object] = set()
    for value in s[present].unique():
        key = label_key(value)
        if key in lookup:
            table[value] = lookup[key]
        else:
            unknown.add(value)
    mapped = s.map(table)
    bad = present & s.isin(unknown)
    mapped = mapped.where(present, missing)
    return mapped, bad


def normalize_ops(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map 指标性质 spellings to ``>=``, ``<=``, ``=``, ``qualitative`` (NaN: read from the target text).

    Returns ``(ops, bad)``; ``bad`` marks cells that are no known spelling. Strict signs (``>``, ``大于``) read as
    their inclusive form because the scoring rules have no strict comparator; ``正向``/``反向`` (positive/reverse
    indicator) read ``>=``/``<=``; ``定量`` (quantitative, direction not given) leaves the operator to the target.
    """
    ops, bad = _map_unique(s, _OP_SPELLINGS, np.nan)
    ops = ops.where(ops.notna(), np.nan).astype(object)
    return ops, bad


def normalize_levels(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map completion-level spellings to ``met``, ``partly``, ``not_met``; returns ``(levels, bad)``.

    Besides the listed spellings, text beginning ``部分达成`` reads ``partly``, ``未达成`` reads ``not_met`` and
    ``达成`` reads ``met`` (the long forms of MOF 财预〔2020〕10号 art. 15 vary in their endings).
    """
    levels, bad = _map_unique(s, _LEVEL_SPELLINGS, np.nan)
    if bad.any():
        keys = s[bad].map(label_key)
        prefixed = pd.Series(np.select(
            [keys.str.startswith("部分达成"), keys.str.startswith("未达成"), keys.str.startswith("达成")],
            ["partly", "not_met", "met"], default=""), index=keys.index)
        found = prefixed != ""
        levels = levels.astype(object)
        levels[found[found].index] = prefixed[found]
        bad = bad.copy()
        bad[found[found].index] = False
    return levels.astype(object), bad


def level_from_actual(actual: pd.Series) -> pd.Series:
    """The level an actual value *is*, when it is one of the official level phrases (else NaN)."""
    codes, uniques = pd.factorize(actual, use_na_sentinel=True)
    levels = [_LEVEL_PHRASES.get(_SPACES.sub("", u), np.nan) if isinstance(u, str) else np.nan for u in uniques]
    table = np.array([*levels, np.nan], dtype=object)
    return pd.Series(table[codes], index=actual.index, dtype=object)


def parse_booleans(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse 是/否, true/false, 1/0, Y/N (and 适用/不适用, √/×) as a nullable boolean column.

    Returns ``(values, bad)``: ``values`` has dtype ``boolean`` with ``<NA>`` for empty cells; ``bad`` marks
    cells that are none of the spellings.
    """
    lookup = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
    values, bad = _map_unique(s, lookup, pd.NA)
    values = values.where(~bad, pd.NA)
    return values.astype("boolean"), bad
