"""Readers of the two inputs scoring needs: observations (indicators) and budgets.

Both accept a CSV or XLSX table (any encoding Excel writes, Chinese or English headers), a standard
self-evaluation form, or a directory of them, and return the tidy frames of ``docs/architecture.md`` §3.1-3.2.
Every problem of every file is collected and raised at once as one :class:`~perfeval.errors.InputError`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from .. import columns as C
from .._rows import HEADERS, merged_headers
from ..errors import format_location
from ._contracts import (BUDGET_COLUMNS, budget_frame, budget_warnings, check_budget_duplicates,
                         check_observation_duplicates, empty_observations, observations_frame)
from ._log import ProblemLog
from .forms import is_selfeval_form, read_form
from .tables import CSV_SUFFIXES, XLSX_SUFFIXES, load_raw

__all__ = ["read_observations", "read_budget"]

#: Observation headers: :data:`perfeval.columns.OBSERVATION_ALIASES` and ``node_code`` (节点编码), which places a
#: row on a framework leaf directly (score sheets: panel consensus, ex-ante, key evaluations).
OBSERVATION_HEADERS = {**C.OBSERVATION_ALIASES, C.NODE_CODE: ("节点编码",)}
#: Required columns a table located by ``node_code`` may leave out (the framework gives the leaf and its points).
OPTIONAL_WITH_NODE_CODE: tuple[str, ...] = (C.L1, C.INDICATOR, C.TARGET, C.ACTUAL, C.POINTS)


def read_observations(path: str | Path) -> pd.DataFrame:
    """Read the indicator observations of one or more units.

    Parameters
    ----------
    path : str or Path
        An observations table (``indicators.csv`` / ``.xlsx``: UTF-8, UTF-8 with BOM or GB18030 CSV; headers
        canonical or Chinese, see :data:`perfeval.columns.OBSERVATION_ALIASES`, plus ``node_code`` / 节点编码), a
        score sheet (``unit_id, node_code, score``: a table with a ``node_code`` column needs only ``unit_id``;
        ``l1``, ``indicator``, ``target``, ``actual`` and ``points`` are then optional, the framework giving each
        leaf and its points), a standard self-evaluation
        form (``.xlsx``, recognised by its layout, read by :func:`read_selfeval_form`), or a directory: every
        ``indicators*.csv`` / ``indicators*.xlsx`` and every XLSX form in it (not its subfolders), concatenated
        in file-name order.

    Returns
    -------
    pandas.DataFrame
        One row per (unit, indicator), columns in this order:

        - ``unit_id`` (str, leading zeros kept), ``l1``, ``l2``, ``indicator``, ``indicator_code`` (str or NaN);
        - ``op`` (``">="``, ``"<="``, ``"="``, ``"qualitative"``, or NaN: read from the target text);
        - ``target``, ``actual`` (text as written, not parsed: see :func:`perfeval.parse_target`), ``unit``;
        - ``points`` (float), ``level`` (``"met"``, ``"partly"``, ``"not_met"`` or NaN), ``score`` (float:
          the evaluator's score on qualitative rows, the unit's claim on quantitative rows);
        - ``applicable`` (bool; blank reads True), ``note``;
        - ``node_code`` where the file has it, then any other columns of the file, under their headers as
          written;
        - ``source_file`` (str), ``source_row`` (int, the spreadsheet row; header = row 1 in a plain table).

        A missing optional column is present and empty.

    Raises
    ------
    InputError
        Every problem of every file, located ``file:row:column``: the file-level codes of :func:`read_table`
        (``file_not_found``, ``empty_file``, ``wrong_encoding``, ``no_header``, ``missing_column`` (``unit_id``
        always; ``l1``, ``indicator``, ``target``, ``actual``, ``points`` when there is no ``node_code``),
        ``duplicate_column``, ``not_numeric``, ...), ``unknown_op`` (a 指标性质 that is none of ≥ ≤ = 定性 and
        their spellings), ``unknown_level``, ``not_boolean`` (是否适用), ``negative_value`` (分值 or 得分 below
        0), ``missing_value`` (empty unit_id, indicator or points), ``duplicate_row`` (a repeated
        (unit_id, l1, l2, indicator), naming both rows) and ``no_input_files`` (a directory without any).

    Notes
    -----
    ``op`` spellings: ``≥ ≧ >= 大于等于 不低于 不少于 正向`` read ``>=``; ``≤ ≦ <= 小于等于 不超过 反向`` read ``<=``;
    ``= ＝ ═ 等于`` read ``=``; ``定性`` reads ``qualitative``; ``定量`` (no direction) leaves the operator to the
    target text. Strict ``>``/``<`` read as ``>=``/``<=`` (the rules have no strict comparator). ``level``
    spellings: ``达成 / 达成年度指标`` (met), ``部分达成...`` (partly), ``未达成...`` (not_met), English too; a row
    with no level whose ``actual`` is one of the official level phrases (MOF 财预〔2020〕10号 art. 15) gets that
    level. Files are only read, never written.
    """
    p = Path(path)
    if p.is_dir():
        return _read_directory(p, "indicators", _observations_file, _finish_observations)
    log = ProblemLog()
    frame = _observations_file(p, log)
    return _finish_observations([frame] if frame is not None else [], log)


def read_budget(path: str | Path) -> pd.DataFrame:
    """Read the budget execution of one or more units.

    Parameters
    ----------
    path : str or Path
        A budget table (``budget.csv`` / ``.xlsx``; headers canonical or Chinese, see
        :data:`perfeval.columns.BUDGET_ALIASES`), a standard self-evaluation form (its 年度资金总额 line), or a
        directory: every ``budget*.csv`` / ``budget*.xlsx`` and every XLSX form in it.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``unit_id`` (str), ``budget_initial`` (年初预算数), ``budget_full_year`` (全年预算数),
        ``budget_adjusted`` (调整后预算数), ``funds_in_place`` (到位资金), ``executed`` (全年执行数), ``score``
        (the execution points the unit claimed), ``claimed_total`` (the 总分 the unit claimed), all amounts
        float in the file's money unit (万元 by convention) and NaN when the file has no such column; then any
        other columns; then ``source_file``, ``source_row``.

    Raises
    ------
    InputError
        Every problem, located: the file-level codes of :func:`read_table`, ``negative_value`` (a negative
        amount or score), ``missing_value`` (empty unit_id, 全年预算数 or 全年执行数), ``duplicate_unit`` (naming
        both rows), ``no_input_files``.

    Warns
    -----
    DataQualityWarning
        Executed above the full-year budget, or a zero full-year budget, naming the rows: both occur in real
        forms and are flagged, not refused.
    """
    p = Path(path)
    if p.is_dir():
        return _read_directory(p, "budget", _budget_file, _finish_budget)
    log = ProblemLog()
    frame = _budget_file(p, log)
    return _finish_budget([frame] if frame is not None else [], log)


def _file_reader(part: str, aliases, required, to_contract, optional_with: str | None = None,
                 optional: tuple[str, ...] = ()) -> Callable[[Path, ProblemLog], pd.DataFrame | None]:
    """A reader of one file: a standard form's ``part`` (``observations`` or ``budget``), else a table; a table
    with the column ``optional_with`` may leave out the ``optional`` ones of ``required``."""
    def read_one(p: Path, log: ProblemLog) -> pd.DataFrame | None:
        if p.suffix.lower() in XLSX_SUFFIXES and is_selfeval_form(p):
            form = read_form(p, log)
            return None if form is None else getattr(form, part)
        if optional_with is None:
            raw = load_raw(p, aliases, required, kind=part, sheet=None, log=log)
        else:
            scratch = ProblemLog()
            raw = load_raw(p, aliases, required, kind=part, sheet=None, log=scratch)
            excused = (set() if raw is None or optional_with not in raw.frame else
                       {format_location(raw.file, raw.header_row, c) for c in optional})
            log.extend(q for q in scratch.problems if not (q.code == "missing_column" and q.location in excused))
        return None if raw is None else to_contract(raw, log)

    return read_one


_observations_file = _file_reader("observations", OBSERVATION_HEADERS, C.OBSERVATION_REQUIRED, observations_frame,
                                  C.NODE_CODE, OPTIONAL_WITH_NODE_CODE)
_budget_file = _file_reader("budget", C.BUDGET_ALIASES, C.BUDGET_REQUIRED, budget_frame)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if len(frames) == 1:
        return frames[0]
    head = frames[0].columns.tolist()
    extras = [c for f in frames[1:] for c in f.columns if c not in head]
    order = [*head[:-2], *dict.fromkeys(extras), "source_file", "source_row"]
    out = pd.concat(frames, ignore_index=True)[order]
    headers = merged_headers(frames)
    out.attrs.pop(HEADERS, None)
    if headers:
        out.attrs[HEADERS] = headers
    return out


def _finish_observations(frames: list[pd.DataFrame], log: ProblemLog) -> pd.DataFrame:
    """Concatenate, check duplicates across all rows, raise every problem of the read at once."""
    if not frames:
        log.raise_if_errors()
        return empty_observations()
    frame = _concat(frames)
    check_observation_duplicates(frame, log)
    log.raise_if_errors()
    return frame


def _finish_budget(frames: list[pd.DataFrame], log: ProblemLog) -> pd.DataFrame:
    """Concatenate, check duplicate units, raise every problem at once, then warn about legitimate oddities."""
    if not frames:
        log.raise_if_errors()
        return pd.DataFrame(columns=[*BUDGET_COLUMNS, "source_file", "source_row"])
    frame = _concat(frames)
    check_budget_duplicates(frame, log)
    log.raise_if_errors()
    budget_warnings(frame, stacklevel=4)
    return frame


def _read_directory(folder: Path, prefix: str, read_one: Callable[[Path, ProblemLog], pd.DataFrame | None],
                    finish: Callable[[list[pd.DataFrame], ProblemLog], pd.DataFrame]) -> pd.DataFrame:
    """Read every ``<prefix>*`` table and every XLSX form in ``folder``; one error for all their problems."""
    log = ProblemLog()
    files = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith(("~$", ".")))
    chosen = [f for f in files if f.suffix.lower() in CSV_SUFFIXES | XLSX_SUFFIXES
              and (f.name.lower().startswith(prefix) or (f.suffix.lower() in XLSX_SUFFIXES
                                                        and is_selfeval_form(f)))]
    if not chosen:
        log.add("no_input_files", f"no {prefix}*.csv, {prefix}*.xlsx or self-evaluation form (.xlsx) in "
                f"{folder}", file=str(folder))
        log.raise_if_errors()
    frames = [frame for frame in (read_one(f, log) for f in chosen) if frame is not None]
    return finish(frames, log)
