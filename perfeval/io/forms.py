"""Reading the standard project self-evaluation form (项目支出绩效自评表) as published.

The form (MOF 财预〔2020〕10号 附件1; domain.md §5.5) has a title, a header block (项目名称, 主管部门, 实施单位), a
funds block (年度资金总额 / 其中 当年财政拨款 / 上年结转资金 / 其他资金 by 年初预算数, 全年预算数, 全年执行数, 分值,
执行率, 得分), a goal block (预期目标 / 实际完成情况), the indicator block (一级/二级/三级指标, 年度指标值, 实际完成值,
分值, 得分, 偏差原因分析及改进措施) and a footer (总分, 自评等级), with merged cells, spacer rows and notes below.
Every block is found by its labels (:mod:`perfeval.io._layout`), so provincial variants read too.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from .. import columns as C
from .._io_util import regular_file
from ..errors import DataQualityWarning
from ._contracts import (budget_frame, budget_warnings, check_observation_duplicates, empty_observations,
                         observations_frame)
from ._layout import YEAR, FormLayout, locate, sheet_grid, split_label, value_cell
from ._log import ProblemLog
from ._text import as_text, parse_numbers
from .tables import UNREADABLE, XLSX_SUFFIXES, RawTable, check_file, read_sheets, workbook_too_large

__all__ = ["SelfEvalForm", "read_selfeval_form", "is_selfeval_form"]

_UNIT_HEADER = "项目编码"
_DASH = re.compile(r"^[-—–/／\\－]+$")
_ELLIPSIS = re.compile(r"^[.…。·\s]+$")
# what a placeholder row (a line of the printed table left unfilled) holds: ……, /, —, 指标2, 无
_PLACEHOLDER = re.compile(r"^(?:[.…。·\s]+|[-—–―/／\\－\s]+|指标\s*\d*|无)$")
_FUNDS_NUMERIC = (C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.BUDGET_ADJUSTED, C.FUNDS_IN_PLACE, C.EXECUTED,
                  "points", C.SCORE)


@dataclass(frozen=True, eq=False, slots=True)
class SelfEvalForm:
    """One filled 项目支出绩效自评表.

    Attributes
    ----------
    unit : mapping
        ``unit_id`` (the 项目编码 cell, else the file name without suffix), ``name`` (项目名称), ``department``
        (主管部门), ``implementing_unit`` (实施单位), ``year`` (int, from a 年度 cell or the title's
        ``（2024年度）``); None when the form does not say.
    budget : pandas.DataFrame
        One row in the budget contract of :func:`perfeval.read_budget`: ``unit_id, budget_initial,
        budget_full_year, budget_adjusted, funds_in_place, executed, score`` (the execution points the unit
        claimed), ``claimed_total`` (总分), ``source_file, source_row`` (the 年度资金总额 row),
        ``claimed_total_row``, ``claimed_total_column`` (where 总分 stands: its row and the header of its column).
    observations : pandas.DataFrame
        The indicator rows in the observations contract of :func:`perfeval.read_observations` (``score`` is the
        得分 the unit wrote).
    goals : mapping
        ``expected`` (预期目标) and ``actual`` (实际完成情况) text, None when blank.
    claimed_total : float or None
        The 总分 the unit wrote.
    claimed_grade : str or None
        The 自评等级 the unit wrote.
    source : str
        The file read.
    funds : pandas.DataFrame
        The funds block, one row per line found: ``line`` (``total``, ``appropriation``, ``carryover``,
        ``other``), ``label`` (as written), ``budget_initial, budget_full_year, budget_adjusted, funds_in_place,
        executed, points, score`` (float; ``—`` reads NaN), ``execution_rate`` (text as written), ``source_row``.
    """

    unit: Mapping[str, object]
    budget: pd.DataFrame
    observations: pd.DataFrame
    goals: Mapping[str, str | None]
    claimed_total: float | None
    claimed_grade: str | None
    source: str
    funds: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The observations (one row per indicator)."""
        return self.observations

    def __repr__(self) -> str:
        return (f"SelfEvalForm(unit_id={self.unit.get('unit_id')!r}, name={self.unit.get('name')!r}, "
                f"indicators={len(self.observations)}, claimed_total={self.claimed_total!r}, "
                f"claimed_grade={self.claimed_grade!r}, source={self.source!r})")

    def _repr_html_(self) -> str:
        head = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                       for k, v in {**self.unit, "claimed_total": self.claimed_total,
                                    "claimed_grade": self.claimed_grade}.items())
        return f"<table>{head}</table>" + self.observations.drop(columns=["source_file"])._repr_html_()


def read_selfeval_form(path: str | Path, *, sheet: str | int | None = None) -> SelfEvalForm:
    """Read a filled standard self-evaluation form (项目支出绩效自评表) from an XLSX workbook.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` file. Merged cells (一级/二级 merged down are filled down), blank spacer rows, placeholder
        rows (``……``) and notes below the table (填表说明 ...) are normal.
    sheet : str or int, optional
        The sheet holding the form; by default the first sheet with an indicator header row.

    Returns
    -------
    SelfEvalForm
        ``unit``, ``budget``, ``observations``, ``goals``, ``claimed_total``, ``claimed_grade``, ``source``,
        ``funds`` (see :class:`SelfEvalForm`).

    Raises
    ------
    InputError
        Every problem of the form, located ``file:row:column`` (the column as its header is written):
        ``file_not_found``, ``unsupported_format``, ``unreadable_file``, ``empty_file``, ``no_header`` (no sheet
        with the indicator block header 三级指标 / 年度指标值, naming file and sheets), ``missing_column``,
        ``not_numeric``, ``negative_value``, ``missing_value``, ``unknown_op``, ``unknown_level``,
        ``duplicate_row``.

    Warns
    -----
    DataQualityWarning
        A form without a funds block or with blank 全年预算数 / 全年执行数, executed above the full-year budget,
        a zero full-year budget.

    Notes
    -----
    Blocks are located by their labels, never by cell address: the indicator header is the first row naming
    三级指标 and 年度指标值 (or 实际完成值); it ends at 总分 / 自评等级 / 填表说明. The unit id is the 项目编码 cell
    when the form has one, else the file name without its suffix. A qualitative row whose 实际完成值 is one of
    the level phrases (达成年度指标, 部分达成年度指标并具有一定效果, 未达成年度指标且效果较差) gets that level.
    """
    log = ProblemLog()
    form = read_form(path, log, sheet=sheet)
    log.raise_if_errors()
    budget_warnings(form.budget, stacklevel=3)  # type: ignore[union-attr]  # None only with errors logged
    return form  # type: ignore[return-value]


def is_selfeval_form(path: str | Path) -> bool:
    """True when an XLSX file holds a self-evaluation form (a header or funds block above an indicator block)."""
    p = Path(path)
    if p.suffix.lower() not in XLSX_SUFFIXES or regular_file(p) is not None or workbook_too_large(p):
        return False
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except UNREADABLE:  # not a form; the table reader reports why
        return False
    try:
        for ws in wb.worksheets:
            layout = locate(sheet_grid(ws, max_rows=80))
            if layout is not None and layout.is_form:
                return True
        return False
    except UNREADABLE:  # a sheet too large (SheetTooLarge) or unparsable: the table reader reports why
        return False
    finally:
        wb.close()


def read_form(path: str | Path, log: ProblemLog, *, sheet: str | int | None = None) -> SelfEvalForm | None:
    """Read a form, logging its problems instead of raising (None after a file-level problem)."""
    file = str(path)
    found = _open(path, log, sheet)
    if found is None:
        return None
    grid, layout = found
    unit = _unit(grid, layout, file)
    observations = _observations(grid, layout, unit["unit_id"], file, log)
    total_text, total_row, total_col = _total(grid, layout)
    claimed_total = None
    if total_text is not None:
        value, bad = parse_numbers(pd.Series([total_text], dtype=object))
        if bad.iloc[0]:
            log.add("not_numeric", f"总分 must be a number; got {total_text!r}", file=file, row=total_row,
                    column=total_col)
        elif not np.isnan(value.iloc[0]):
            claimed_total = float(value.iloc[0])
    grade = _grade(grid, layout)
    budget, funds = _funds(grid, layout, unit["unit_id"], file, log)
    budget[C.CLAIMED_TOTAL] = np.nan if claimed_total is None else claimed_total
    # where 总分 stands on the form (row, header of its column), to locate findings about the total
    at = budget.columns.get_loc("source_file")  # before the source columns, which stay last
    budget.insert(at, "claimed_total_row", pd.array([total_row] * len(budget), dtype="Int64"))
    budget.insert(at + 1, "claimed_total_column", pd.array([total_col] * len(budget), dtype=object))
    goals = {key: _below(grid, layout, cell) for key, cell in (("expected", layout.goal_cells.get("expected")),
                                                                ("actual", layout.goal_cells.get("actual")))}
    return SelfEvalForm(unit=unit, budget=budget, observations=observations, goals=goals,
                        claimed_total=claimed_total, claimed_grade=grade, source=file, funds=funds)


def _open(path: str | Path, log: ProblemLog, sheet: str | int | None) -> tuple[list, FormLayout] | None:
    file = str(path)
    p = check_file(path, "self-evaluation form", XLSX_SUFFIXES, log)
    if p is None:
        return None
    grids = read_sheets(p, file, "self-evaluation form", sheet, log)
    if grids is None:
        return None
    if not any(isinstance(v, str) for _, grid in grids for row in grid for v in row):
        log.add("empty_file", "the self-evaluation form workbook has no content", file=file)
        return None
    for name, grid in grids:
        layout = locate(grid)
        if layout is not None and C.UNIT_ID in layout.indicator_columns:  # a table naming a unit on every row
            log.add("not_a_form", f"sheet {name!r} is a plain indicators table (a unit id column in its header "
                    "row), not a self-evaluation form; read it with read_observations", file=file,
                    row=layout.header_row)
            return None
        if layout is not None:
            return grid, layout
    log.add("no_header", f"no indicator block header (一级指标 / 二级指标 / 三级指标 / 年度指标值 / 实际完成值 / "
            f"分值 / 得分) on sheet {', '.join(repr(n) for n, _ in grids)} of {file}", file=file)
    return None


def _cell(grid: list, r: int, c: int) -> object:
    """Text of the 1-based cell (r, c), NaN outside the grid."""
    return grid[r - 1][c - 1] if 0 < r <= len(grid) and 0 < c <= len(grid[r - 1]) else np.nan


def _labelled(grid: list, layout: FormLayout, key: str) -> str | None:
    """The value written after a header-block label (same cell after a colon, or the next cell)."""
    if key in layout.unit_inline:
        return layout.unit_inline[key]
    cell = layout.unit_cells.get(key)
    target = value_cell(grid, cell) if cell else None
    value = _cell(grid, *target) if target else np.nan
    return value.strip() if isinstance(value, str) else None


def _unit(grid: list, layout: FormLayout, file: str) -> dict[str, object]:
    unit: dict[str, object] = {k: _labelled(grid, layout, k)
                               for k in ("unit_id", "name", "department", "implementing_unit")}
    unit["unit_id"] = unit["unit_id"] or Path(file).stem
    texts = [_labelled(grid, layout, "year") or ""]  # a 年度 cell, else the title's （2024年度）
    if layout.year_cell:
        texts.append(str(_cell(grid, *layout.year_cell)))
    unit["year"] = next((int(m.group(1)) for t in texts if (m := YEAR.search(t + "年" if t.isdigit() else t))),
                        None)
    return unit


def _observations(grid: list, layout: FormLayout, unit_id: str, file: str, log: ProblemLog) -> pd.DataFrame:
    rows = list(range(layout.header_row + 1, layout.end_row))
    frame = pd.DataFrame({name: pd.Series([_cell(grid, r, c) for r in rows], dtype=object)
                          for name, c in layout.indicator_columns.items()})
    for name in frame.columns:
        s = frame[name].str.strip() if frame[name].notna().any() else frame[name]
        frame[name] = s.mask(s == "")
    frame["source_row"] = np.array(rows, dtype=np.int64)
    if C.L1 in frame:
        starts = frame[C.L1].notna()
        frame[C.L1] = frame[C.L1].ffill()  # 一级指标 merged down
        if C.L2 in frame:
            frame[C.L2] = frame[C.L2].groupby(starts.cumsum()).ffill()  # 二级指标 merged down within its 一级
    content = [c for c in (C.INDICATOR, C.TARGET, C.ACTUAL, C.POINTS, C.SCORE, C.NOTE, C.OP, C.UNIT, C.LEVEL)
               if c in frame]
    filled = frame[content].notna()
    if C.INDICATOR in frame:
        filled[C.INDICATOR] &= ~frame[C.INDICATOR].fillna("").str.match(_ELLIPSIS)
    # a placeholder row (……, 指标2, / in every cell) is a line of the printed table left unfilled: dropped
    placeholder = pd.DataFrame({c: frame[c].isna() | frame[c].astype(str).str.match(_PLACEHOLDER) for c in content})
    if C.INDICATOR in frame and len(frame):
        unfilled = placeholder.all(axis=1)
        filled = filled[~unfilled]
        frame = frame[~unfilled]
    frame = frame[filled.any(axis=1)].reset_index(drop=True)
    frame.insert(0, C.UNIT_ID, unit_id)
    headers = {**layout.indicator_headers, C.UNIT_ID: _UNIT_HEADER}
    for column in C.OBSERVATION_REQUIRED:
        if column not in headers:
            accepted = C.accepted_names(column, C.OBSERVATION_ALIASES)
            log.add("missing_column", f"the indicator block has no {column} column; accepted headers: "
                    f"{accepted[0]} ({', '.join(accepted[1:])})", file=file, row=layout.header_row, column=column)
    if frame.empty:
        return empty_observations()
    raw = RawTable(frame=frame, headers=headers, file=file, header_row=layout.header_row)
    observations = observations_frame(raw, log)
    check_observation_duplicates(observations, log)
    return observations


def _funds(grid: list, layout: FormLayout, unit_id: str, file: str,
           log: ProblemLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The budget row (the 年度资金总额 line, in the budget contract) and the funds block by line."""
    if layout.funds_header_row is None:
        warnings.warn(f"{file}: the form has no funds block (全年预算数 / 全年执行数); its budget row is empty",
                      DataQualityWarning, stacklevel=4)
    total_row = layout.funds_rows.get("total", (layout.funds_header_row or layout.header_row) + 1)
    budget_columns = [c for c in (C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.BUDGET_ADJUSTED, C.FUNDS_IN_PLACE,
                                  C.EXECUTED, C.SCORE) if c in layout.funds_columns]
    cells = {c: _dashless(_cell(grid, total_row, layout.funds_columns[c])) for c in budget_columns}
    frame = pd.DataFrame({C.UNIT_ID: [unit_id], **{c: pd.Series([v], dtype=object) for c, v in cells.items()},
                          "source_row": np.array([total_row], dtype=np.int64)})
    headers = {C.UNIT_ID: _UNIT_HEADER, **{c: layout.funds_headers[c] for c in budget_columns}}
    raw = RawTable(frame=frame, headers=headers, file=file, header_row=layout.funds_header_row or 0)
    budget = budget_frame(raw, log, from_form=layout.funds_header_row is not None)
    reported = {(total_row, c) for c in budget_columns}  # budget_frame has reported these cells
    return budget, _funds_lines(grid, layout, file, log, reported)


def _funds_lines(grid: list, layout: FormLayout, file: str, log: ProblemLog,
                 reported: set[tuple[int, str]]) -> pd.DataFrame:
    """One row per funds line found (total, appropriation, carryover, other), amounts parsed."""
    records = []
    for line, r in sorted(layout.funds_rows.items(), key=lambda kv: kv[1]):
        first_amount = min(layout.funds_columns.values())
        label = "".join(str(t).strip() for t in (_cell(grid, r, c) for c in range(1, first_amount))
                        if isinstance(t, str))
        record: dict[str, object] = {"line": line, "label": label}
        for column in _FUNDS_NUMERIC:
            col = layout.funds_columns.get(column)
            text = _dashless(_cell(grid, r, col)) if col is not None else np.nan
            value, bad = parse_numbers(pd.Series([text], dtype=object))
            if bad.iloc[0] and (r, column) not in reported:
                header = layout.funds_headers[column]
                log.add("not_numeric", f"{header} in row {r} must be a number; got {text!r}", file=file, row=r,
                        column=header)
            record[column] = value.iloc[0]
        rate_col = layout.funds_columns.get("execution_rate")
        record["execution_rate"] = _dashless(_cell(grid, r, rate_col)) if rate_col is not None else np.nan
        record["source_row"] = r
        records.append(record)
    funds = pd.DataFrame(records, columns=["line", "label", *_FUNDS_NUMERIC, "execution_rate", "source_row"])
    for column in ("line", "label", "execution_rate"):
        funds[column] = as_text(funds[column])
    funds[list(_FUNDS_NUMERIC)] = funds[list(_FUNDS_NUMERIC)].astype(float)
    funds["source_row"] = funds["source_row"].astype(np.int64)
    return funds


def _dashless(value: object) -> object:
    """``—`` / ``-`` / ``/`` (nothing to report in this cell) read as empty."""
    if isinstance(value, str):
        value = value.strip()
        return np.nan if not value or _DASH.match(value) else value
    return value


def _total(grid: list, layout: FormLayout) -> tuple[str | None, int | None, str | None]:
    """总分 as written, with its row and the header of its column."""
    if layout.total_cell is None:
        return None, None, None
    r, c = layout.total_cell
    inline = split_label(str(_cell(grid, r, c)))[1]
    if inline:
        return inline, r, "总分"
    score_col = layout.indicator_columns.get(C.SCORE)
    if score_col is not None:
        value = _dashless(_cell(grid, r, score_col))
        return (value if isinstance(value, str) else None), r, layout.indicator_headers[C.SCORE]
    right = [cc for cc in range(c + 1, len(grid[r - 1]) + 1) if isinstance(_cell(grid, r, cc), str)]
    if right:
        return str(_cell(grid, r, right[-1])), r, "总分"
    return None, None, None


def _grade(grid: list, layout: FormLayout) -> str | None:
    if layout.grade_cell is None:
        return None
    inline = split_label(str(_cell(grid, *layout.grade_cell)))[1]
    if inline:
        return inline
    target = value_cell(grid, layout.grade_cell)
    value = _cell(grid, *target) if target else np.nan
    return value.strip() if isinstance(value, str) else None


def _below(grid: list, layout: FormLayout, cell: tuple[int, int] | None) -> str | None:
    """The first text below a goal-block header, before the next label row or the indicator block."""
    if cell is None:
        return None
    inline = split_label(str(_cell(grid, *cell)))[1]
    if inline:
        return inline
    r, c = cell
    for rr in range(r + 1, layout.header_row):
        value = _cell(grid, rr, c)
        if isinstance(value, str):
            return value.strip()
    return None
