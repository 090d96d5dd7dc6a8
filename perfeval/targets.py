"""Target and actual-value text as real self-evaluation forms write it: ``≥95%``, ``不少于20个``, ``1.2万人次``.

:func:`parse_target` and :func:`parse_actual` read one cell into a :class:`Target` (operator, value, unit, flags);
:func:`parse_observations` reads the ``target`` / ``actual`` / ``op`` / ``level`` columns of a whole observations
frame, parsing each distinct text once (a million rows carry a few hundred distinct target texts) and reporting
every problem located as ``file:row:column``.

Reading rules (documented defaults; every one is visible in the result's ``flags``):

* Text is NFKC-normalised (full-width digits, ``＝``, ``％``, ``＞``), spaces are dropped, and the look-alike signs
  of published forms are mapped: ``≧ ⩾ ≥`` -> ``>=``, ``≦ ⩽ ≤`` -> ``<=``, ``═ ＝ ==`` -> ``=``.
* Spaces around a number are dropped (``≥ 95 %``), but a space *inside* one is ambiguous (``≥9 5``: 95, or 9 and
  5?) and an error (``ambiguous_number``). The one grouping accepted is the thousands form: a group of 1-3 digits,
  then groups of exactly three, one space (also a no-break, thin or ideographic space) between groups, optionally
  a decimal part (``1 000``, ``12 345 678.5`` -> 12345678.5), read like ``1,000``.
* Operator words: 不低于/不少于/不小于/大于等于/至少/达到 ... -> ``>=``; 不高于/不超过/不多于/小于等于/控制在 ... -> ``<=``;
  等于 -> ``=``; suffixes 以上 -> ``>=``, 以下/以内 -> ``<=``. Strict ``>`` / ``<`` (大于, 低于 ...) are read as
  ``>=`` / ``<=`` (scoring has no strict form) and flagged ``strict_op``.
* A bare value (``8755``, ``100%``) has no comparator: it is read as ``>=`` (``bare_op``) and flagged
  ``bare_target``; under a cost node (成本指标) it is read as ``<=`` (``bare_cost_op``: a cost target is a
  ceiling). Templates that print the comparator in its own column (指标性质) give it through ``op``.
* Text without any number (``按时完成``, ``有效提升``, any description) is qualitative; a deadline
  (``2024年12月底前完成``) is qualitative too, flagged ``deadline``. A comparator without its number (``≥``,
  ``不高于``, ``≥百分之九十五``) is an error, not qualitative text.
* ``(含)`` (inclusive) after the value is dropped (``≥`` and ``≤`` already include the bound); ``左右`` after it and
  ``约`` / ``近`` before it make the value approximate (flagged ``approximate``). Numbers may carry thousands
  separators (``8,755``) and an exponent as Excel prints wide numbers (``1.2E+05``).
* Ranges (``90%-95%``, ``90%~95%``, ``90至95%``) and lists (``≥95%；≥90%``) are errors naming the cell: the score
  depends on which bound is meant, so perfeval does not pick one.
* Count multipliers: ``万`` (1e4), ``亿`` (1e8), ``千万``, ``百万`` multiply the value when they prefix a non-money
  unit (``1.2万人次`` -> 12000 人次). Money units (``元``, ``千元``, ``万元``, ``百万元``, ``亿元``) stay as written;
  :func:`parse_observations` converts an actual written in another money unit to the target's.
* Percentages keep percent points (``95%`` -> 95, unit ``%``). A percent target with an actual written as a bare
  fraction (``0.98``), or the reverse, is refused (``ambiguous_percentage``), never guessed.
* Actuals: a number with its unit (``98%``, ``1.2万人次``), a level phrase (``已完成`` / ``完成`` / ``达成`` ... ->
  ``met``, ``部分完成`` / ``基本完成`` ... -> ``partly``, ``未完成`` / ``未达成`` ... -> ``not_met``: the words of
  ``LEVEL_LOOKUP``, flagged ``qualitative_level``), other text (qualitative, level None) or empty (flagged
  ``missing``). Which of these a row accepts depends on its rule: on a quantitative row (``>=``, ``<=``, ``=``,
  piecewise, deduction) other text (``很多``) is an error ``unparseable_actual`` naming the cell, a level phrase
  scores 0 with a ``missing_actual`` warning (it states no measurement; the row keeps the ``qualitative_level``
  flag) and an empty cell scores 0 with a ``missing_actual`` warning; on a qualitative row the text is a
  description and the level column decides. :func:`parse_actual` checks this when given ``op``;
  :func:`perfeval.score` checks it with each row's effective rule.
* Forms as units fill them in (issue 14; docs/methodology.md §13): a qualitative row without 完成等级 takes its
  level from the actual restating the target (``level_from_text``), from the usual words (``level_from_words``)
  or from the band of the claimed score (``level_from_score``); an actual that is only 不适用, ``/``, ``—``,
  ``N/A`` or 无 marks the row not applicable (``applicable_from_actual``); a row whose target and actual are empty
  takes the target written at the end of the indicator's name (``target_in_name``: 年度资金支付完成率100%,
  工程质量合格) and reads as met.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._target_text import (LEVEL_LOOKUP, MONEY_UNITS, OFFICIAL_LEVEL_PHRASES, OP_LOOKUP, OP_UNSPECIFIED, ROW_FLAGS,
                           TARGET_FLAGS, Cell, Unparseable, is_free_text, is_not_applicable, level_from_words,
                           read_cell, target_in_name)
from ._target_text import is_missing as _is_missing
from ._target_text import normalize as _normalize
from ._rows import header_as_written
from .errors import InputError, Problem, format_location

__all__ = [
    "Target",
    "parse_target",
    "parse_actual",
    "parse_op",
    "parse_level",
    "parse_observations",
    "is_free_text",
    "free_text_message",
    "MONEY_UNITS",
    "TARGET_FLAGS",
]


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed target or actual cell.

    Attributes
    ----------
    op : str or None
        ``>=``, ``<=``, ``=``, ``qualitative``; None for a plain measurement (actuals) or a missing cell.
    value : float
        The number (percent points for ``%``); NaN for qualitative and missing cells.
    unit : str
        The unit as written after multipliers are applied (``%``, ``万元``, ``人次``, ``元/人*月``; "" if none).
    flags : tuple of str
        What the reading assumed or noticed (:data:`TARGET_FLAGS`).
    text : str
        The text as given.
    level : str or None
        For qualitative actuals, the level the words state (``已完成`` -> ``met``), else None.
    """

    op: str | None
    value: float
    unit: str = ""
    flags: tuple[str, ...] = ()
    text: str = ""
    level: str | None = None

    @property
    def is_percent(self) -> bool:
        """True when the value is in percent points."""
        return self.unit == "%"

    @property
    def is_qualitative(self) -> bool:
        """True for qualitative text (按时完成, 有效提升 ...)."""
        return self.op == "qualitative"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (flags ``;``-joined)."""
        return {"op": self.op, "value": self.value, "unit": self.unit, "flags": ";".join(self.flags),
                "text": self.text, "level": self.level}

    def __str__(self) -> str:
        if self.op == "qualitative":
            return f"qualitative({self.text})"
        head = f"{self.op} " if self.op else ""
        return f"{head}{self.value:g}{self.unit}"


def _target_of(cell: Cell, text: str) -> Target:
    """A :class:`Target` from a read cell and its text."""
    return Target(cell.op, cell.value, cell.unit, cell.flags, text, cell.level)


def parse_target(text: Any, *, bare_op: str = ">=", where: str = "<target>") -> Target:
    """Parse a target cell (年度指标值).

    Parameters
    ----------
    text : str or number
        ``≥95%``, ``>=95``, ``≤100万元``, ``=0``, ``＝0``, ``不低于95%``, ``不少于20个``, ``不超过3个月``,
        ``小于等于5天``, ``≧90%``, ``≦5``, ``═0``, ``≤50元/人*月``, ``≥1.2万人次``, ``按时完成``, ``8755``, ``100%``.
    bare_op : {">=", "<=", "="}
        The operator a bare value (no comparator) is read with; the result is flagged ``bare_target``.
    where : str
        Location used in the error (``file:row:column``).

    Returns
    -------
    Target

    Raises
    ------
    InputError
        ``missing_target`` for an empty cell, ``ambiguous_number`` for digits split by a space (``≥9 5``; the
        thousands grouping ``1 000`` is accepted), ``unparseable_target`` for other text that is neither a
        comparison nor qualitative (the message names the cell and the reason).

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.parse_target("不低于95%")
    Target(op='>=', value=95.0, unit='%', flags=(), text='不低于95%', level=None)
    >>> pe.parse_target("≤100万元").unit
    '万元'
    >>> pe.parse_target("8755").flags
    ('bare_target',)
    >>> pe.parse_target("≥1 000人次").value
    1000.0
    """
    if bare_op not in (">=", "<=", "="):
        raise ValueError(f"`bare_op` must be '>=', '<=' or '='; got {bare_op!r}.")
    if _is_missing(text):
        raise InputError.single(where, "missing_target", "the target is empty; write it as on the form (年度指标值, "
                                "e.g. ≥95% or 按时完成)")
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return Target(bare_op, float(text), "", ("bare_target",), str(text))
    try:
        t = _target_of(read_cell(str(text), kind="target"), str(text))
    except Unparseable as exc:
        raise InputError.single(where, exc.code or "unparseable_target",
                                f"cannot read target {str(text)!r}: {exc}") from None
    if t.op is None:
        return Target(bare_op, t.value, t.unit, (*t.flags, "bare_target"), t.text)
    return t


def parse_actual(text: Any, *, op: str | None = None, where: str = "<actual>") -> Target:
    """Parse an actual-value cell (实际完成值).

    ``98%`` -> 98 %, ``1.2万人次`` -> 12000 人次, ``约95%`` -> 95 % flagged ``approximate``, ``已完成`` ->
    qualitative with ``level='met'`` (flagged ``qualitative_level``). An actual that carries a comparator
    (``≥90%``) merely restates the target: its value is NaN (not a measurement) and it is flagged
    ``actual_restates_target``. An empty cell gives NaN flagged ``missing`` (the aggregation reports it as
    ``missing_actual``). Other text (``效果良好``) is qualitative with no level: a description, legitimate on a
    qualitative row only.

    Parameters
    ----------
    text : str or number
        The cell.
    op : {None, ">=", "<=", "=", "qualitative"}
        The row's comparison, when known. On a quantitative row (``>=``, ``<=``, ``=``) text that is neither a
        number, a level phrase (``已完成``: kept, scored 0 as ``missing_actual`` by :func:`perfeval.score`) nor
        empty is refused (``unparseable_actual``), never guessed.
    where : str
        Location used in the error (``file:row:column``).

    Raises
    ------
    InputError
        ``unparseable_actual`` (or ``ambiguous_number`` for digits split by a space), naming the cell.

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.parse_actual("1.2万人次").value
    12000.0
    >>> pe.parse_actual("≥90%").flags
    ('actual_restates_target',)
    >>> pe.parse_actual("已完成", op=">=").level
    'met'
    """
    if op not in (None, *OP_CATEGORIES):
        raise ValueError(f"`op` must be None, '>=', '<=', '=' or 'qualitative'; got {op!r}.")
    if _is_missing(text):
        return Target(None, math.nan, "", ("missing",), "" if text is None else str(text))
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return Target(None, float(text), "", (), str(text))
    try:
        t = _target_of(read_cell(str(text), kind="actual"), str(text))
    except Unparseable as exc:
        raise InputError.single(where, exc.code or "unparseable_actual",
                                f"cannot read actual {str(text)!r}: {exc}") from None
    if op in _QUANTITATIVE_OPS and t.op == "qualitative" and t.level is None:
        raise InputError.single(where, "unparseable_actual", free_text_message(str(text), f"a {op} target"))
    if t.op is not None and t.op != "qualitative":
        return Target(t.op, math.nan, t.unit, (*t.flags, "actual_restates_target"), t.text)
    return t


def free_text_message(text: str, what: str) -> str:
    """The message of an ``unparseable_actual`` for text on a quantitative row (``what``: ``a >= target``)."""
    return (f"cannot read actual {text!r}: it is neither a number (with its unit), a level phrase (已完成, 部分完成, "
            f"未完成 ...) nor empty, and {what} needs a measurement; write the value reached (e.g. 98% or 1200人次)")


def parse_op(text: Any, *, where: str = "<op>") -> str | None:
    """Normalise an operator cell (指标性质): ``≥ ≧ >= 正向`` -> ``>=``, ``≤ ≦ <= 反向`` -> ``<=``,
    ``= ＝ ═ 等于`` -> ``=``, ``定性 qualitative`` -> ``qualitative``; None for an empty cell and for ``定量``
    (quantitative, comparator not given: it is read from the target text). Strict ``>`` / ``<`` read as ``>=`` /
    ``<=``.

    Raises
    ------
    InputError
        ``unknown_op`` listing the accepted spellings.
    """
    if _is_missing(text):
        return None
    s = _normalize(str(text)).lower()
    if s in OP_UNSPECIFIED:
        return None
    key = s if s in OP_LOOKUP else str(text).strip()
    if key not in OP_LOOKUP:
        raise InputError.single(where, "unknown_op",
                                f"`op` must be one of >=, <=, =, qualitative (or ≥ ≤ ＝ 正向 反向 定性); got {text!r}.")
    return OP_LOOKUP[key]


def parse_level(text: Any, *, where: str = "<level>") -> str | None:
    """Normalise a qualitative level (完成等级): ``met`` / ``partly`` / ``not_met``, or the Chinese wording of
    MOF-10 art. 15 (达成年度指标 / 部分达成年度指标并具有一定效果 / 未达成年度指标且效果较差, 达成 / 部分达成 / 未达成).

    Raises
    ------
    InputError
        ``unknown_level`` listing the accepted values.
    """
    if _is_missing(text):
        return None
    key = _normalize(str(text)).lower()
    if key not in LEVEL_LOOKUP:
        raise InputError.single(where, "unknown_level",
                                f"`level` must be met, partly or not_met (达成, 部分达成, 未达成); got {text!r}.")
    return LEVEL_LOOKUP[key]


# ---------------------------------------------------------------------------------------------------------------
# whole frames
# ---------------------------------------------------------------------------------------------------------------
_PLAIN_NUMBER = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_PLAIN_PERCENT = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*%\s*$")

#: Categories of the parsed ``op`` and ``level`` columns (their codes are used by the aggregation).
OP_CATEGORIES: tuple[str, ...] = (">=", "<=", "=", "qualitative")
_QUANTITATIVE_OPS = (">=", "<=", "=")
LEVEL_CATEGORIES: tuple[str, ...] = ("met", "partly", "not_met")

#: At most this many located problems are listed per (kind, column, value); the rest are counted in one
#: summary problem (the rows still carry their flags).
MAX_LISTED = 50


def _op_id(op: str | None) -> int:
    """Index of an operator in :data:`OP_CATEGORIES` (-1 for none)."""
    return OP_CATEGORIES.index(op) if op in OP_CATEGORIES else -1


@dataclass(frozen=True)
class _Parsed:
    """The distinct values of one column, parsed: row codes plus one entry per distinct value."""

    codes: np.ndarray
    uniques: np.ndarray
    op: np.ndarray       # int8 op id per unique (-1 none)
    value: np.ndarray
    unit: list
    flags: list
    level: list
    errors: dict


def _parse_column(series: pd.Series, kind: str) -> _Parsed:
    """Parse the distinct values of a column: plain numbers and ``x%`` in bulk, the rest one by one."""
    codes, uniques = _factorize(series)
    uniq = np.asarray(uniques, dtype=object)
    n = len(uniq)
    op = np.full(n, -1, dtype=np.int8)
    value = np.full(n, np.nan)
    unit, flags, level = [""] * n, [""] * n, [None] * n
    errors: dict[int, tuple[str | None, str]] = {}
    text = pd.Series(uniq, dtype=object).astype(str)
    is_num = np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                       for v in uniq], dtype=bool)
    plain = is_num | text.str.match(_PLAIN_NUMBER).to_numpy(dtype=bool)
    pct = ~plain & text.str.match(_PLAIN_PERCENT).to_numpy(dtype=bool)
    value[plain] = pd.to_numeric(text[plain], errors="coerce").to_numpy(dtype=float)
    value[pct] = pd.to_numeric(text[pct].str.replace("%", "", regex=False).str.strip(),
                               errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(pct):
        unit[i] = "%"
    for i in np.flatnonzero(~(plain | pct)):
        try:
            t = _target_of(read_cell(str(uniq[i]), kind=kind), str(uniq[i]))
        except Unparseable as exc:
            errors[int(i)] = (exc.code, str(exc))
            continue
        f = tuple(x for x in t.flags if x != "missing")  # an empty cell: reported by the rule that needs it
        if kind == "actual" and t.op is not None and t.op != "qualitative":
            f = (*f, "actual_restates_target")
            t = Target(t.op, math.nan, t.unit, f, t.text)
        op[i], value[i], unit[i], flags[i], level[i] = _op_id(t.op), t.value, t.unit, ";".join(f), t.level
    return _Parsed(codes, uniq, op, value, unit, flags, level, errors)


def _factorize(values: Any) -> tuple[np.ndarray, Any]:
    """``pandas.factorize(values, use_na_sentinel=True)``; a text column (``str`` dtype, the default of pandas 3
    for text) is hashed from its object array, which gives the same codes and values without the string array's
    validation and copies (about 1.7x faster on a million cells). The uniques are then an object array."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        values = values.to_numpy()
    return pd.factorize(values, use_na_sentinel=True)


def _take(codes: np.ndarray, values: np.ndarray, fill: Any) -> np.ndarray:
    """``values[codes]`` with ``fill`` where the code is -1 (missing)."""
    if len(values) == 0:
        return np.full(len(codes), fill, dtype=values.dtype)
    return np.where(codes >= 0, values[np.maximum(codes, 0)], fill)


def _small_unique(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)`` for non-negative integer keys, in O(n) when their range is small."""
    key = np.asarray(key, dtype=np.int64)
    if not len(key):
        return key, key
    top = int(key.max())
    if key.min() < 0 or top > 4 * len(key) + 1_000_000:
        uniq, inv = np.unique(key, return_inverse=True)
        return uniq, inv.ravel()
    present = np.bincount(key, minlength=top + 1) > 0
    uniq = np.flatnonzero(present)
    lookup = np.zeros(top + 1, dtype=np.int64)
    lookup[uniq] = np.arange(len(uniq))
    return uniq, lookup[key]


def _stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of integer keys; keys within a range of 65,536 are sorted as 16-bit
    integers, which NumPy sorts by radix in O(n) (15x faster on a million rows), with the same order."""
    key = np.asarray(key)
    if len(key) and key.dtype.kind in "iu":
        low = int(key.min())
        if int(key.max()) - low < 1 << 16:
            key = (key - low).astype(np.uint16)
    return np.argsort(key, kind="stable")


def _cumcount(groups: np.ndarray) -> np.ndarray:
    """Position of each row within its group, in row order (0, 1, ...; ``groupby(groups).cumcount()``)."""
    n = len(groups)
    order = _stable_order(groups)
    g = groups[order]
    start = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if n else np.zeros(0, dtype=np.int64)
    first = np.repeat(start, np.diff(np.r_[start, n]))  # sorted position of each group's first row
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) - first
    return out


def _locations(obs: pd.DataFrame, rows: np.ndarray, column: str) -> list[str]:
    """``file:row:column`` of the given row positions (sheet rows when no source), the column named by the header
    the file wrote it under (:func:`perfeval._rows.header_as_written`; the canonical name without a record)."""
    files = obs["source_file"].iloc[rows].tolist() if "source_file" in obs else [None] * len(rows)
    lines = obs["source_row"].iloc[rows].tolist() if "source_row" in obs else (rows + 2).tolist()
    out = []
    headers: dict[Any, str] = {}  # the header as written, looked up once per file
    for f, r in zip(files, lines):
        f = None if _is_missing(f) else f
        r = None if _is_missing(r) else int(r)
        if f not in headers:
            headers[f] = header_as_written(obs, f, column)
        out.append(format_location(f, r, headers[f]))
    return out


def _problems(obs: pd.DataFrame, mask: np.ndarray, column: str, code: str, message: Any,
              severity: str = "error") -> list[Problem]:
    """Located problems for the rows in ``mask`` (at most :data:`MAX_LISTED`, then one summary problem).

    ``message`` is a string or a callable taking the listed row positions and returning one message each.
    """
    rows = np.flatnonzero(mask)
    if not len(rows):
        return []
    listed = rows[:MAX_LISTED]
    msgs = message(listed) if callable(message) else [message] * len(listed)
    out = [Problem(loc, code, msg, severity) for loc, msg in zip(_locations(obs, listed, column), msgs)]
    if len(rows) > len(listed):
        first = _locations(obs, rows[len(listed):len(listed) + 1], column)[0]
        out.append(Problem(first, code, f"and {len(rows) - len(listed)} more rows with this problem (only the "
                                         f"first {MAX_LISTED} are listed)", severity))
    return out


def _cell_problems(obs: pd.DataFrame, parsed: _Parsed, column: str, code: str,
                   keep: np.ndarray | None = None) -> list[Problem]:
    """One located problem per row of each distinct unparseable text (``code`` unless the reading names a more
    specific one, e.g. ``ambiguous_number``); only rows in ``keep`` when given."""
    out: list[Problem] = []
    for i, (specific, why) in parsed.errors.items():
        rows = parsed.codes == i
        out += _problems(obs, rows if keep is None else rows & keep, column, specific or code,
                         f"cannot read {column} {str(parsed.uniques[i])!r}: {why}")
    return out


_NOT_APPLICABLE_CELLS = frozenset({"false", "0", "0.0", "否", "不适用", "n", "no", "f", "×", "n/a", "na"})


def _marked_not_applicable(obs: pd.DataFrame) -> np.ndarray:
    """Rows whose ``applicable`` column already says not applicable (False, 否, 不适用 ...)."""
    if "applicable" not in obs:
        return np.zeros(len(obs), dtype=bool)
    codes, uniq = _factorize(obs["applicable"])
    no = np.array([(isinstance(u, (bool, np.bool_)) and not u) or str(u).strip().lower() in _NOT_APPLICABLE_CELLS
                   for u in uniq], dtype=bool)
    return _take(codes, no, False).astype(bool)


def _present_codes(parsed: _Parsed) -> np.ndarray:
    """Rows whose cell holds something (not NA, not blank text)."""
    filled = np.array([not _is_missing(u) for u in parsed.uniques], dtype=bool)
    return _take(parsed.codes, filled, False).astype(bool)


def _targets_from_names(obs: pd.DataFrame, target: pd.Series, a_present: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Targets written inside the indicator's name (:func:`perfeval._target_text.target_in_name`) on rows whose
    target and actual cells are both empty: the target column with those filled in, and the rows."""
    n = len(obs)
    if "indicator" not in obs or not n:
        return target, np.zeros(n, dtype=bool)
    codes, uniq = _factorize(target)
    blank = np.array([_is_missing(u) for u in uniq], dtype=bool)
    cand = (codes < 0) | _take(codes, blank, False).astype(bool)
    cand &= ~a_present
    if "node_code" in obs:  # a score sheet's row (located by node code) is an evaluator's judgement, not a target
        cand &= obs["node_code"].isna().to_numpy()
    if not cand.any():
        return target, np.zeros(n, dtype=bool)
    rows = np.flatnonzero(cand)
    n_codes, names = _factorize(obs["indicator"].iloc[rows])
    found = [target_in_name(u) for u in names]
    text = np.array([*found, None], dtype=object)[np.where(n_codes >= 0, n_codes, len(found))]
    hit = np.array([t is not None for t in text], dtype=bool)
    in_name = np.zeros(n, dtype=bool)
    in_name[rows[hit]] = True
    if not hit.any():
        return target, in_name
    out = target.astype(object).copy()
    out.iloc[rows[hit]] = text[hit]
    return out, in_name


def _infer_levels(obs: pd.DataFrame, ap: _Parsed, a_present: np.ndarray, level_col: np.ndarray, qual: np.ndarray,
                  target: pd.Series, tp: _Parsed) -> tuple[np.ndarray, np.ndarray]:
    """Each row's level code and how it was read (0 given or stated, 1 text, 2 words, 3 score).

    The level column decides where given. Else an official level phrase as the actual (达成年度指标, 部分达成 ...)
    states it, on any row. Else, on a qualitative row with an actual: the actual restating the target text
    (``有效`` / ``有效``) is met (``level_from_text``); the usual words (较满意, 基本达成, 一般 ...,
    :func:`perfeval._target_text.level_from_words`) give theirs (``level_from_words``); otherwise the band of
    the claimed score on the row's points (``level_from_score``, :func:`perfeval.scoring.band_level`). Each
    inferred level is a located warning (:func:`level_problems`).
    """
    from .scoring import band_level

    n = len(obs)
    level = level_col.astype(np.int8).copy()
    how = np.zeros(n, dtype=np.int8)
    a_level = _take(ap.codes, np.array([LEVEL_CATEGORIES.index(v) if v else -1 for v in ap.level], np.int8), -1)
    official_u = np.array([isinstance(u, str) and _normalize(u).lower() in OFFICIAL_LEVEL_PHRASES
                           for u in ap.uniques], dtype=bool)
    official = _take(ap.codes, official_u, False).astype(bool)
    stated = (level < 0) & (a_level >= 0) & (official | ~qual)
    level = np.where(stated, a_level, level).astype(np.int8)
    todo = (level < 0) & qual & a_present
    if todo.any():
        rows = np.flatnonzero(todo)
        t_codes = tp.codes[rows].astype(np.int64)
        pair = (t_codes + 1) * (len(ap.uniques) + 1) + ap.codes[rows].astype(np.int64) + 1
        uniq, inv = np.unique(pair, return_inverse=True)
        found = np.full(len(uniq), -1, dtype=np.int8)
        kind = np.zeros(len(uniq), dtype=np.int8)
        for j, p in enumerate(uniq):
            tc, ac = int(p // (len(ap.uniques) + 1)) - 1, int(p % (len(ap.uniques) + 1)) - 1
            a_text = str(ap.uniques[ac])
            t_text = str(tp.uniques[tc]) if tc >= 0 else ""
            if t_text and _normalize(t_text) == _normalize(a_text):
                found[j], kind[j] = LEVEL_CATEGORIES.index("met"), 1
            elif (w := level_from_words(a_text)) is not None:
                found[j], kind[j] = LEVEL_CATEGORIES.index(w), 2
        level[rows] = np.where(found[inv.ravel()] >= 0, found[inv.ravel()], level[rows])
        how[rows] = kind[inv.ravel()]
    todo = (level < 0) & qual & a_present
    if todo.any() and "score" in obs and "points" in obs:
        rows = np.flatnonzero(todo)
        sc = pd.to_numeric(obs["score"].iloc[rows], errors="coerce").to_numpy(dtype=float)
        pts = pd.to_numeric(obs["points"].iloc[rows], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            banded = band_level(np.where(pts > 0, sc / np.where(pts > 0, pts, 1.0), np.nan))
        got = np.array([b is not None for b in banded], dtype=bool)
        level[rows[got]] = [LEVEL_CATEGORIES.index(b) for b in banded[got]]
        how[rows[got]] = 3
    return level, how


def in_name_problems(obs: pd.DataFrame, rows: np.ndarray, target: pd.Series) -> list[Problem]:
    """The located ``target_in_name`` warnings of ``rows`` (``target``: the target column with the names' targets)."""
    return _problems(obs, rows, "indicator", "target_in_name", lambda at: [
        f"target and actual are empty and the indicator's name carries the target {target.iat[r]!r}: read as "
        "met and scored full (write the target in 年度指标值 and the value reached in 实际完成值)" for r in at],
        "warning")


def level_problems(obs: pd.DataFrame, level: np.ndarray, how: np.ndarray) -> list[Problem]:
    """The located warnings of the levels :func:`parse_observations` read from the actual or the claimed score:
    ``how`` 1 ``level_from_text``, 2 ``level_from_words``, 3 ``level_from_score`` (``level``: codes into
    :data:`LEVEL_CATEGORIES`)."""
    problems: list[Problem] = []

    def actual_of(r: int) -> str:
        return str(obs["actual"].iat[r])

    problems += _problems(obs, how == 1, "actual", "level_from_text", lambda rows: [
        f"the actual {actual_of(r)!r} restates the qualitative target: read as level 'met' (no 完成等级 given)"
        for r in rows], "warning")
    problems += _problems(obs, how == 2, "actual", "level_from_words", lambda rows: [
        f"the level is read from the words of the actual {actual_of(r)!r}: {LEVEL_CATEGORIES[level[r]]!r} (no "
        "完成等级 given)" for r in rows], "warning")
    problems += _problems(obs, how == 3, "score", "level_from_score", lambda rows: [
        f"the actual {actual_of(r)!r} states no level: read as {LEVEL_CATEGORIES[level[r]]!r}, the band of the "
        f"claimed score {obs['score'].iat[r]} of {obs['points'].iat[r]} points (no 完成等级 given)" for r in rows],
        "warning")
    return problems


def _vocabulary_ids(values: list, lookup: dict[str, int]) -> np.ndarray:
    """Integer ids of ``values`` in ``lookup``, adding new values as they come."""
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        out[i] = lookup.setdefault(v, len(lookup))
    return out


def _normalized_column(obs: pd.DataFrame, name: str, parse: Any, problems: list[Problem],
                       categories: tuple[str, ...]) -> np.ndarray:
    """Codes (index into ``categories``; -1 empty) of an op or level column, parsed once per distinct value."""
    if name not in obs:
        return np.full(len(obs), -1, dtype=np.int8)
    codes, uniques = _factorize(obs[name])
    ids = np.full(len(uniques), -1, dtype=np.int8)
    for i, u in enumerate(uniques):
        try:
            v = parse(u)
        except InputError as err:
            p = err.problems[0]
            problems += _problems(obs, codes == i, name, p.code, p.message)
            continue
        ids[i] = categories.index(v) if v is not None else -1
    return _take(codes, ids, -1).astype(np.int8)


def _units_and_values(obs: pd.DataFrame, tp: _Parsed, ap: _Parsed, t_err: np.ndarray,
                      problems: list[Problem]) -> tuple:
    """Values and units per row, on integer ids of one unit vocabulary: the ``unit`` column fills a target
    written without a unit; actuals in another money unit are converted to the target's; a percentage next to
    a bare number <= 1 is ``ambiguous_percentage``, other unit differences ``unit_mismatch`` (both errors)."""
    n = len(obs)
    vocab: dict[str, int] = {"": 0, "%": 1}
    t_unit = _take(tp.codes, _vocabulary_ids(tp.unit, vocab), 0)
    a_unit = _take(ap.codes, _vocabulary_ids(ap.unit, vocab), 0)
    if "unit" in obs:
        uc, uu = _factorize(obs["unit"])
        col_unit = _take(uc, _vocabulary_ids([_normalize(str(u)) for u in uu], vocab), 0)
    else:
        col_unit = np.zeros(n, dtype=np.int64)
    names = list(vocab)
    money_factor = np.array([MONEY_UNITS.get(u, np.nan) for u in names])
    implicit = (t_unit == 0) & ((col_unit == 1) | ~np.isnan(money_factor[col_unit]))
    t_unit = np.where(implicit, col_unit, t_unit)
    t_val = np.where(t_err, np.nan, _take(tp.codes, tp.value, np.nan))
    a_val = _take(ap.codes, ap.value, np.nan)
    money = ~np.isnan(money_factor[t_unit]) & ~np.isnan(money_factor[a_unit]) & (t_unit != a_unit)
    a_val = np.where(money, a_val * money_factor[a_unit] / money_factor[t_unit], a_val)
    a_unit = np.where(money, t_unit, a_unit)
    numeric = ~np.isnan(t_val) & ~np.isnan(a_val)
    t_pct, a_pct = t_unit == 1, a_unit == 1
    one_pct = numeric & (t_pct != a_pct)
    bare_val = np.abs(np.where(t_pct, a_val, t_val))
    bare_unit = np.where(t_pct, a_unit, t_unit)
    ambiguous = one_pct & (bare_unit == 0) & (bare_val > 0) & (bare_val <= 1)
    problems += _problems(obs, ambiguous, "actual", "ambiguous_percentage", lambda rows: [
        f"target {str(obs['target'].iat[r])!r} and actual {str(obs['actual'].iat[r])!r} mix a percentage with a "
        "bare number <= 1 (a fraction or percent points?); write both with % or both as fractions" for r in rows])
    mismatch = ((numeric & ~one_pct & (t_unit != a_unit) & (a_unit != 0) & (t_unit != 0))
                | (one_pct & (bare_unit != 0)))
    problems += _problems(obs, mismatch, "actual", "unit_mismatch", lambda rows: [
        f"actual unit {names[a_unit[r]]!r} differs from target unit {names[t_unit[r]]!r}" for r in rows])
    return t_val, a_val, t_unit, a_unit, names, ambiguous, mismatch


def cost_rows(obs: pd.DataFrame) -> np.ndarray:
    """Rows under a cost node: ``l1`` or ``l2`` names 成本 (成本指标, 经济成本指标 ...; the 2021 first-level 成本指标
    and the 2015 产出 > 成本指标), except saving rates (成本节约率) and minimum standards (基础养老金最低标准) whose
    right comparator is ``>=`` (:func:`perfeval.library._schema.cost_ge_allowed`)."""
    from .library._schema import cost_ge_allowed

    n = len(obs)
    cost = np.zeros(n, dtype=bool)
    for col in ("l1", "l2"):
        if col in obs:  # each distinct name checked once, whatever the column's dtype (categorical included)
            codes, names = pd.factorize(obs[col], use_na_sentinel=True)
            hit = np.array(["成本" in str(x) for x in names], dtype=bool)
            cost |= (codes >= 0) & (hit[np.maximum(codes, 0)] if len(names) else False)
    if "indicator" in obs and cost.any():
        at = np.flatnonzero(cost)
        names, inv = np.unique(obs["indicator"].to_numpy(dtype=object)[at].astype(str), return_inverse=True)
        cost[at[np.array([cost_ge_allowed(x) for x in names], dtype=bool)[inv]]] = False
    return cost


def parse_observations(obs: pd.DataFrame, *, bare_op: str = ">=", bare_cost_op: str | None = "<=",
                       report_levels: bool = True) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse the ``op``, ``target``, ``actual``, ``unit`` and ``level`` columns of an observations frame.

    Each distinct text is parsed once and mapped back to its rows; the row-level checks run on integer codes,
    so a million rows cost a few factorisations.

    Parameters
    ----------
    obs : DataFrame
        Observations (``docs/architecture.md`` §3.1). Only the columns present are read; ``source_file`` and
        ``source_row`` locate problems (without them the location is the 0-based position + 2, the row a sheet
        with one header row shows).
    bare_op : {">=", "<=", "="}
        The operator of a bare target value when no ``op`` column gives one (flagged ``bare_target``).
    bare_cost_op : {"<=", "=", ">="} or None
        The operator of a bare target under a cost node (:func:`cost_rows`: ``l1``/``l2`` names 成本, saving
        rates excepted): real forms write cost targets as bare values (``75元``, ``20万元``), meaning a ceiling;
        reading them as ``>=`` would reward spending more (PIDU re-check sheet: a cost indicator must not use ≥).
        Default ``<=``; ``=`` for fixed quotas; None applies ``bare_op``.
    report_levels : bool
        Report the readings that matter only on some rules: levels read from the actual or the claimed score
        (``level_from_text``, ``level_from_words``, ``level_from_score`` warnings) and targets read from the
        indicator's name (``target_in_name``); :func:`perfeval.score` reports them itself, on the rows its rules
        score by a level or a target.

    Returns
    -------
    frame : DataFrame
        A shallow copy of ``obs`` with ``op`` (categorical over ``>=, <=, =, qualitative``: the ``op`` column
        where given, else the target's comparator, else ``bare_op`` for a bare value), ``level`` (categorical
        ``met, partly, not_met``; filled from a qualitative actual such as 已完成 where empty) and the new
        columns ``target_value``, ``target_unit``, ``actual_value``, ``actual_unit`` (units categorical),
        ``actual_op`` (the comparator an actual restates, else NaN) and ``parse_flags`` (``;``-joined codes).
        Actuals written in another money unit than the target's are converted to the target's unit; values of
        rows with a problem are NaN.
    problems : list of Problem
        Errors: ``unparseable_target``, ``unparseable_actual``, ``ambiguous_number``, ``unknown_op``,
        ``unknown_level``, ``op_conflict`` (the op column and the target text disagree), ``ambiguous_percentage``,
        ``unit_mismatch``. Free text in the actual of a quantitative row is reported by :func:`perfeval.score`,
        which knows each row's rule. Warnings: ``bare_target``, ``actual_restates_target``,
        ``applicable_from_actual`` (an actual 不适用 / ``/`` / ``—`` / ``N/A`` / 无 sets ``applicable`` False), and with
        ``report_levels`` ``level_from_text``, ``level_from_words``, ``level_from_score`` (the level of a
        qualitative row without one, :func:`_infer_levels`) and ``target_in_name`` (target and actual empty, the
        target taken from the indicator's name: the row reads as met). The same codes are added to
        ``parse_flags``. On a row whose level decides (a level given, or a qualitative row) an actual that is no
        number (``延期1个月``) is kept as text, not an error. At most
        :data:`MAX_LISTED` rows are listed per kind and value, then one summary problem.
    """
    if bare_op not in (">=", "<=", "="):
        raise ValueError(f"`bare_op` must be '>=', '<=' or '='; got {bare_op!r}.")
    if bare_cost_op is not None and bare_cost_op not in (">=", "<=", "="):
        raise ValueError(f"`bare_cost_op` must be '<=', '=', '>=' or None; got {bare_cost_op!r}.")
    n = len(obs)
    problems: list[Problem] = []
    empty = pd.Series([None] * n, index=obs.index, dtype=object)
    col_op = _normalized_column(obs, "op", parse_op, problems, OP_CATEGORIES)
    actual_col = obs["actual"] if "actual" in obs else empty
    ap = _parse_column(actual_col, "actual")
    a_present = _present_codes(ap)
    # not applicable: 不适用, /, —, N/A, 无 as the actual (no digit anywhere)
    na_u = np.array([is_not_applicable(u) for u in ap.uniques], dtype=bool)
    na_actual = _take(ap.codes, na_u, False).astype(bool)
    # a target written inside the indicator's name, target and actual cells empty (年度资金支付完成率100%, 工程质量合格)
    target_col = obs["target"] if "target" in obs else empty
    target_col, in_name = _targets_from_names(obs, target_col, a_present)
    tp = _parse_column(target_col, "target")
    problems += _cell_problems(obs, tp, "target", "unparseable_target")
    t_err = _take(tp.codes, np.isin(np.arange(len(tp.uniques)), list(tp.errors)), False)
    a_err = _take(ap.codes, np.isin(np.arange(len(ap.uniques)), list(ap.errors)), False)

    # operator: the op column wins; the target text must agree with it
    t_op = _take(tp.codes, tp.op, -1)
    conflict = (col_op >= 0) & (t_op >= 0) & (col_op != t_op)
    problems += _problems(obs, conflict, "target", "op_conflict", lambda rows: [
        f"the op column says {OP_CATEGORIES[col_op[r]]!r} but the target {str(obs['target'].iat[r])!r} says "
        f"{OP_CATEGORIES[t_op[r]]!r}" for r in rows])
    bare = (tp.codes >= 0) & (t_op < 0) & (col_op < 0) & ~t_err
    cost = cost_rows(obs) if bare_cost_op is not None else np.zeros(n, dtype=bool)
    bare_ids = np.where(cost, _op_id(bare_cost_op or bare_op), _op_id(bare_op))
    op = np.where(col_op >= 0, col_op, np.where(t_op >= 0, t_op, np.where(bare, bare_ids, -1)))
    problems += _problems(obs, bare & ~cost & ~in_name, "target", "bare_target",
                          f"the target has no comparator; read as {bare_op!r} (give the op column to be explicit)",
                          "warning")
    problems += _problems(obs, bare & cost & ~in_name, "target", "bare_target",
                          f"the cost target has no comparator; read as {bare_cost_op!r} (a cost target is a "
                          "ceiling; give the op column to be explicit)", "warning")

    # levels: the level column, else what the actual says (see _infer_levels)
    level_col = _normalized_column(obs, "level", parse_level, problems, LEVEL_CATEGORIES)
    qual = op == OP_CATEGORIES.index("qualitative")
    # the actual of a row whose level decides (a level given, or a qualitative row) may be any text (延期1个月)
    tolerant = (level_col >= 0) | qual | na_actual
    problems += _cell_problems(obs, ap, "actual", "unparseable_actual", keep=~tolerant)
    a_err &= ~tolerant
    level, how = _infer_levels(obs, ap, a_present & ~na_actual, level_col, qual & ~na_actual, target_col, tp)
    if report_levels:
        problems += level_problems(obs, level, how)
    in_name_qual = in_name & qual & (level < 0)
    level = np.where(in_name_qual, LEVEL_CATEGORIES.index("met"), level).astype(np.int8)
    if report_levels:
        problems += in_name_problems(obs, in_name, target_col)
    na_new = na_actual & ~_marked_not_applicable(obs)  # 是否适用 否 already says so: nothing read
    problems += _problems(obs, na_new, "actual", "applicable_from_actual", lambda rows: [
        f"the actual {str(obs['actual'].iat[r])!r} marks the indicator not applicable: the row is left out and "
        "its siblings share its points (na_policy; say so in 是否适用)" for r in rows], "warning")

    t_val, a_val, t_unit, a_unit, names, ambiguous, mismatch = _units_and_values(obs, tp, ap, t_err, problems)
    a_op = _take(ap.codes, ap.op, -1)
    restates = (a_op >= 0) & (a_op != OP_CATEGORIES.index("qualitative"))
    problems += _problems(obs, restates, "actual", "actual_restates_target", lambda rows: [
        f"the actual {str(obs['actual'].iat[r])!r} restates a target, it is not a measurement; scored as missing"
        for r in rows], "warning")
    a_val = np.where(in_name & ~qual, t_val, a_val)  # the name states the target as reached

    # flags: one label per distinct (row flags, bare, target flags, actual flags)
    row_bits = (np.where(how == 1, 1, 0) | np.where(how == 2, 2, 0) | np.where(how == 3, 4, 0)
                | np.where(na_new, 8, 0) | np.where(in_name, 16, 0)).astype(np.int64)
    t_fl = _take(tp.codes, _vocabulary_ids(tp.flags, f_vocab := {"": 0}), 0)
    a_fl = _take(ap.codes, _vocabulary_ids(ap.flags, f_vocab), 0)
    v = len(f_vocab)
    key = ((row_bits * 2 + bare.astype(np.int64) * ~in_name) * v + t_fl) * v + a_fl
    uniq, inv = _small_unique(key)
    f_names = list(f_vocab)
    labels = []
    for k in uniq:
        rb, rest = divmod(int(k), 2 * v * v)
        parts = ["bare_target" if rest // (v * v) else "", f_names[(rest // v) % v], f_names[rest % v],
                 *(name for bit, name in enumerate(ROW_FLAGS) if rb & (1 << bit))]
        labels.append(";".join(x for x in parts if x))

    frame = obs.copy(deep=False)
    if in_name.any():
        frame["target"] = target_col
    if na_actual.any():
        applicable = frame["applicable"].astype(object) if "applicable" in frame else pd.Series(
            True, index=frame.index, dtype=object)
        frame["applicable"] = applicable.where(~na_actual, False)
    frame["op"] = pd.Categorical.from_codes(op.astype(np.int8), categories=list(OP_CATEGORIES))
    frame["level"] = pd.Categorical.from_codes(level, categories=list(LEVEL_CATEGORIES))
    frame["target_value"] = t_val
    frame["target_unit"] = pd.Categorical.from_codes(t_unit, categories=names)
    frame["actual_value"] = np.where(a_err | ambiguous | mismatch, np.nan, a_val)
    frame["actual_unit"] = pd.Categorical.from_codes(a_unit, categories=names)
    frame["actual_op"] = pd.Categorical.from_codes(np.where(restates, a_op, -1).astype(np.int8),
                                                   categories=list(OP_CATEGORIES))
    label_codes, label_names = pd.factorize(pd.Index(labels, dtype=object))
    frame["parse_flags"] = pd.Categorical.from_codes(label_codes[inv.ravel()] if len(uniq) else inv.ravel(),
                                                     categories=label_names)
    return frame, problems
