"""The observations and budget contracts (architecture.md §3.1, §3.2): conversion and file-level checks (private).

Shared by the table readers and the form reader, so a CSV and a form holding the same data give the same frame.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .. import columns as C
from .._rows import attach_headers, header_as_written
from ..errors import DataQualityWarning
from ._log import ProblemLog
from ._text import TEXT, as_text, level_from_actual, normalize_levels, normalize_ops
from .tables import RawTable, convert

__all__ = [
    "OBSERVATION_COLUMNS", "BUDGET_COLUMNS", "BUDGET_NUMERIC", "observations_frame", "budget_frame",
    "check_observation_duplicates", "check_budget_duplicates", "budget_warnings", "empty_observations",
]

OBSERVATION_COLUMNS: tuple[str, ...] = (
    C.UNIT_ID, C.L1, C.L2, C.INDICATOR, C.INDICATOR_CODE, C.OP, C.TARGET, C.ACTUAL, C.UNIT, C.POINTS, C.LEVEL,
    C.SCORE, C.APPLICABLE, C.NOTE,
)
BUDGET_COLUMNS: tuple[str, ...] = (
    C.UNIT_ID, C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.BUDGET_ADJUSTED, C.FUNDS_IN_PLACE, C.EXECUTED, C.SCORE,
    C.CLAIMED_TOTAL,
)
BUDGET_NUMERIC: tuple[str, ...] = BUDGET_COLUMNS[1:]
_SOURCE = ("source_file", "source_row")
_FLOAT = frozenset({C.POINTS, C.SCORE, *BUDGET_NUMERIC})


def _ordered(frame: pd.DataFrame, canonical: tuple[str, ...]) -> pd.DataFrame:
    """Every canonical column (NaN when absent) in contract order, then the extras, then the source columns."""
    for column in canonical:
        if column not in frame:
            frame[column] = np.nan if column in _FLOAT else pd.Series(np.nan, index=frame.index, dtype=TEXT)
        elif column not in _FLOAT and column != C.APPLICABLE:
            frame[column] = as_text(frame[column])
    frame["source_file"] = as_text(frame["source_file"])
    extras = [c for c in frame.columns if c not in canonical and c not in _SOURCE]
    return frame[[*canonical, *extras, *_SOURCE]]


def empty_observations() -> pd.DataFrame:
    """An observations frame with no rows and the contract's columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype=float if c in _FLOAT else TEXT) for c in OBSERVATION_COLUMNS})
    frame[C.APPLICABLE] = frame[C.APPLICABLE].astype(bool)
    frame["source_file"] = pd.Series(dtype=TEXT)
    frame["source_row"] = pd.Series(dtype=np.int64)
    return frame


def _cells(log: ProblemLog, raw: RawTable, frame: pd.DataFrame, column: str, mask: pd.Series, code: str,
           message) -> None:
    if mask.any():
        log.add_cells(code, file=raw.file, column=raw.headers.get(column, column), rows=frame["source_row"][mask],
                      values=frame[column][mask], message=message)


# coded columns: (column, normaliser, problem code, accepted spellings for the message)
_CODED = ((C.OP, normalize_ops, "unknown_op", "≥, ≤, =, 定性 (or >=, <=, 大于等于, 小于等于, 等于, qualitative)"),
          (C.LEVEL, normalize_levels, "unknown_level", "达成 / 部分达成 / 未达成 (met / partly / not_met)"))


def observations_frame(raw: RawTable, log: ProblemLog, *, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    """Convert a raw observations table to the contract and report its row problems (not duplicates);
    ``numeric`` names extra columns parsed as numbers (``recheck_score``)."""
    frame = convert(raw, numeric=(C.POINTS, C.SCORE, *numeric), booleans=(C.APPLICABLE,), log=log)
    head = raw.headers
    for column, normalize, code, accepted in _CODED:
        if column in frame:
            values, bad = normalize(frame[column])
            _cells(log, raw, frame, column, bad, code,
                   lambda r, v, h=head[column], accepted=accepted: f"{h} in row {r} must be {accepted}; got {v!r}")
            frame[column] = values
    if C.ACTUAL in frame:
        implied = level_from_actual(frame[C.ACTUAL])
        frame[C.LEVEL] = frame[C.LEVEL].where(frame[C.LEVEL].notna(), implied) if C.LEVEL in frame else implied
    if C.APPLICABLE in frame:
        frame[C.APPLICABLE] = frame[C.APPLICABLE].fillna(True).astype(bool)
    else:
        frame[C.APPLICABLE] = True
    for column in (C.UNIT_ID, C.INDICATOR):
        if column in head:
            _cells(log, raw, frame, column, frame[column].isna(), "missing_value",
                   lambda r, v, h=head[column]: f"{h} is empty in row {r}")
    if C.POINTS in head:
        _cells(log, raw, frame, C.POINTS, raw.frame[C.POINTS].isna(), "missing_value",
               lambda r, v: f"{head[C.POINTS]} is empty in row {r}: every indicator needs its points")
    for column in (C.POINTS, C.SCORE):
        if column in head:
            _cells(log, raw, frame, column, frame[column] < 0, "negative_value",
                   lambda r, v, h=head[column]: f"{h} in row {r} must be >= 0; got {v:g}")
    frame["source_file"] = raw.file
    return attach_headers(_ordered(frame, OBSERVATION_COLUMNS), raw.file, raw.headers)


def _repeats(frame: pd.DataFrame, keys: list[str], log: ProblemLog, code: str, column: str,
             message) -> None:
    """Report every row repeating an earlier row's ``keys`` (rows with an empty key are left to other checks),
    naming both rows; ``message(row, where_first, index)`` words it, ``column`` locates it (as written)."""
    named = frame[keys[0]].notna() & frame[keys[-1]].notna()
    dup = frame.duplicated(keys, keep=False) & named
    if not dup.any():
        return
    sub = frame.loc[dup, [*keys, *_SOURCE]]
    groups = sub.groupby(keys, dropna=False, sort=False)
    first_file, first_row = groups["source_file"].transform("first"), groups["source_row"].transform("first")
    later = ~((sub["source_file"] == first_file) & (sub["source_row"] == first_row))
    for file, row, f_file, f_row, index in zip(sub["source_file"][later], sub["source_row"][later],
                                               first_file[later], first_row[later], sub.index[later]):
        where = f"row {f_row}" if f_file == file else f"{f_file} row {f_row}"
        log.add(code, message(row, where, index), file=str(file), row=int(row),
                column=header_as_written(frame, file, column))


def check_observation_duplicates(frame: pd.DataFrame, log: ProblemLog) -> None:
    """Report every row repeating an earlier (unit_id, l1, l2, indicator), naming both rows."""
    keys = [C.UNIT_ID, C.L1, C.L2, C.INDICATOR]

    def message(row, where, index):
        unit, l1, l2, indicator = (frame.at[index, k] for k in keys)
        return f"row {row} repeats {where}: unit {unit!r}, {l1} / {l2} / {indicator}; keep one"

    _repeats(frame, keys, log, "duplicate_row", C.INDICATOR, message)


def budget_frame(raw: RawTable, log: ProblemLog, *, from_form: bool = False) -> pd.DataFrame:
    """Convert a raw budget table to the contract and report its row problems (not duplicate units).

    Blank amounts are errors in a budget table and :class:`DataQualityWarning` in a form (whose funds block
    may be left empty without making its indicators unusable).
    """
    frame = convert(raw, numeric=BUDGET_NUMERIC, log=log)
    head = raw.headers
    if C.UNIT_ID in head:
        _cells(log, raw, frame, C.UNIT_ID, frame[C.UNIT_ID].isna(), "missing_value",
               lambda r, v: f"{head[C.UNIT_ID]} is empty in row {r}")
    for column in BUDGET_NUMERIC:
        if column in head:
            _cells(log, raw, frame, column, frame[column] < 0, "negative_value",
                   lambda r, v, h=head[column]: f"{h} in row {r} must be >= 0; got {v:g}")
    blanks = [c for c in (C.BUDGET_FULL_YEAR, C.EXECUTED) if c in head and raw.frame[c].isna().any()]
    if from_form and blanks:
        warnings.warn(f"{raw.file}: the funds block has no {' or '.join(head[c] for c in blanks)}; the "
                      "execution rate cannot be computed", DataQualityWarning, stacklevel=5)
    elif blanks:
        for column in blanks:
            _cells(log, raw, frame, column, raw.frame[column].isna(), "missing_value",
                   lambda r, v, h=head[column]: f"{h} is empty in row {r}")
    frame["source_file"] = raw.file
    return attach_headers(_ordered(frame, BUDGET_COLUMNS), raw.file, raw.headers)


def check_budget_duplicates(frame: pd.DataFrame, log: ProblemLog) -> None:
    """Report every row repeating an earlier unit_id, naming both rows."""
    _repeats(frame, [C.UNIT_ID], log, "duplicate_unit", C.UNIT_ID,
             lambda row, where, index: f"unit {frame.at[index, C.UNIT_ID]!r} in row {row} repeats {where}: one "
                                       "budget row per unit")


def budget_warnings(frame: pd.DataFrame, *, stacklevel: int = 3) -> None:
    """Warn (:class:`DataQualityWarning`) about executed above the full-year budget and zero budgets, by row.

    Both happen in real forms (supplementary appropriations, projects funded in-year), so they are flagged, not
    refused; the scoring rules cap the execution rate at 1 and define 0/0.
    """
    def rows(mask: pd.Series, detail) -> str:
        sub = frame[mask]
        listed = [f"{f}:{r} (unit {u}{detail(i)})" for f, r, u, i in
                  zip(sub["source_file"], sub["source_row"], sub[C.UNIT_ID], sub.index)][:20]
        more = f" and {len(sub) - 20} more" if len(sub) > 20 else ""
        return ", ".join(listed) + more

    over = frame[C.EXECUTED] > frame[C.BUDGET_FULL_YEAR]
    if over.any():
        warnings.warn("executed above the full-year budget (flagged, not refused) in " + rows(
            over, lambda i: f": {frame.at[i, C.EXECUTED]:g} > {frame.at[i, C.BUDGET_FULL_YEAR]:g}"),
            DataQualityWarning, stacklevel=stacklevel)
    zero = frame[C.BUDGET_FULL_YEAR] == 0
    if zero.any():
        warnings.warn("zero full-year budget (the execution rate is 0/0 or undefined) in "
                      + rows(zero, lambda i: ""), DataQualityWarning, stacklevel=stacklevel)
