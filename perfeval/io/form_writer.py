"""The blank standard self-evaluation form shipped in ``templates/forms/``, and filling it from data.

:func:`build_blank_form` draws the 项目支出绩效自评表 (layout of MOF 财预〔2020〕10号 附件1, plus a 项目编码 cell so a
written form carries its unit id); the committed ``templates/forms/项目支出绩效自评表.xlsx`` is its output.
:func:`write_selfeval_form` copies that template and writes cells, locating them by their labels exactly as the
reader does, so a form written and read back gives the same data.
"""
from __future__ import annotations

import math
import re
from copy import copy
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .. import columns as C
from .._io_util import atomic_path
from .._resources import templates_dir
from ._layout import TITLE_YEAR, YEAR_CELL, FormLayout, locate, sheet_grid, value_cell
from ._text import level_from_actual

__all__ = ["TEMPLATE_NAME", "blank_form_path", "build_blank_form", "write_selfeval_form"]

TEMPLATE_NAME = "项目支出绩效自评表.xlsx"
_WIDTHS = (10, 12, 14, 26, 14, 14, 9, 9, 30, 9)
_L2 = (("产出指标", ("数量指标", "质量指标", "时效指标", "成本指标")),
       ("效益指标", ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
       ("满意度指标", ("服务对象满意度指标",)))
_NOTES = (
    "填表说明：1. 金额单位为万元；执行率 = 全年执行数 ÷ 全年预算数。2. 预算执行率 10 分，绩效指标合计 90 分（一般产出"
    "指标 50 分、效益指标 30 分、满意度指标 10 分，特殊情况可调整）。3. 定量指标的实际完成值填写实际数值；定性指标的"
    "实际完成值填写“达成年度指标”“部分达成年度指标并具有一定效果”或“未达成年度指标且效果较差”，得分分别在该指标"
    "分值的 80%–100%、60%–80%、0–60% 之间。4. 未完成年度指标或偏离较大的，在“偏差原因分析及改进措施”中说明。"
    "5. 自评等级：90 分（含）以上为优，80 分（含）至 90 分为良，60 分（含）至 80 分为中，60 分以下为差。"
    "6. 不适用的指标在“是否适用”栏填“否”（实际完成值可填“不适用”），其分值由同级指标分担；未填报实际完成值的指标"
    "按未填报计 0 分。"
)
# optional observation columns the standard form has no place for: appended right of the table when used
_EXTRA_HEADERS = {C.OP: "指标性质", C.UNIT: "计量单位", C.LEVEL: "完成等级", C.INDICATOR_CODE: "指标编码",
                  C.APPLICABLE: "是否适用"}
_OP_TEXT = {">=": "≥", "<=": "≤", "=": "=", "qualitative": "定性"}
_LEVEL_TEXT = {"met": "达成年度指标", "partly": "部分达成年度指标并具有一定效果", "not_met": "未达成年度指标且效果较差"}
_UNIT_KEYS = ("unit_id", "name", "department", "implementing_unit", "year")
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def blank_form_path() -> Path:
    """The blank form shipped with perfeval (``templates/forms/项目支出绩效自评表.xlsx``)."""
    return templates_dir() / "forms" / TEMPLATE_NAME


def build_blank_form(path: str | Path) -> Path:
    """Draw the blank 项目支出绩效自评表 and write it atomically to ``path``; returns the path.

    Layout (columns A-J): title; ``（    年度）``; 项目名称 / 项目编码; 主管部门 / 实施单位; the funds block
    (项目资金（万元）: 年度资金总额, 其中：当年财政拨款, 上年结转资金, 其他资金 by 年初预算数, 全年预算数, 全年执行数,
    分值 (10), 执行率, 得分); 年度总体目标 (预期目标 / 实际完成情况); the indicator block (绩效指标: 一级指标,
    二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施, 是否适用) with one placeholder row per
    second-level indicator of MOF 财预〔2020〕10号; 总分 (100); 自评等级; 填表说明.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _put(ws, "A1:J1", "项目支出绩效自评表", boxed=False)
    ws["A1"].font = Font(bold=True, size=16)
    _put(ws, "A2:J2", "（    年度）", boxed=False)
    for ref, value, bold in (("A3", "项目名称", True), ("B3:E3", None, False), ("F3", "项目编码", True),
                             ("G3:J3", None, False), ("A4", "主管部门", True), ("B4:E4", None, False),
                             ("F4", "实施单位", True), ("G4:J4", None, False)):
        _put(ws, ref, value, bold=bold, left=not bold)
    _put(ws, "A5:A9", "项目资金（万元）", bold=True)
    _put(ws, "B5:C5")
    for col, label in zip("DEFGHI", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        _put(ws, f"{col}5:J5" if col == "I" else f"{col}5", label, bold=True)
    for r, label in zip(range(6, 10), ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")):
        _put(ws, f"B{r}:C{r}", label, left=r > 6)
        for col in "DEFGHI":  # 分值 10 on the total line; breakdown lines carry no points or score
            ref = f"{col}{r}:J{r}" if col == "I" else f"{col}{r}"
            _put(ws, ref, 10 if (col, r) == ("G", 6) else ("—" if col in "GI" and r > 6 else None))
    _put(ws, "A10:A11", "年度总体目标", bold=True)
    _put(ws, "B10:E10", "预期目标", bold=True)
    _put(ws, "F10:J10", "实际完成情况", bold=True)
    _put(ws, "B11:E11", left=True)
    _put(ws, "F11:J11", left=True)
    r = _draw_indicator_block(ws, header_row=12)
    _put(ws, f"A{r}:F{r}", "总分", bold=True)
    _put(ws, f"G{r}", 100)
    _put(ws, f"H{r}")
    _put(ws, f"I{r}:J{r}")
    _put(ws, f"A{r + 1}:F{r + 1}", "自评等级", bold=True)
    _put(ws, f"G{r + 1}:J{r + 1}")
    _put(ws, f"A{r + 3}:J{r + 3}", _NOTES, boxed=False)
    ws[f"A{r + 3}"].alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    for row, height in ((1, 30), (11, 60), (r + 3, 96)):
        ws.row_dimensions[row].height = height
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _put(ws, ref: str, value: Any = None, *, bold: bool = False, left: bool = False, boxed: bool = True) -> None:
    """Write ``value`` to the first cell of ``ref`` (merging the range), boxed and aligned like the printed form."""
    first = ref.split(":")[0]
    ws[first] = value
    if ":" in ref:
        ws.merge_cells(ref)
    cells = [cell for row in ws[ref] for cell in row] if ":" in ref else [ws[ref]]
    for cell in cells:
        cell.alignment = _LEFT if left else _CENTER
        if boxed:
            cell.border = _BOX
    ws[first].font = Font(bold=bold)


def _draw_indicator_block(ws, header_row: int) -> int:
    """Header and one placeholder row per second-level indicator; returns the first row after the block."""
    n = sum(len(l2s) for _, l2s in _L2)
    _put(ws, f"A{header_row}:A{header_row + n}", "绩效指标", bold=True)
    labels = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
              "是否适用")
    for col, label in zip("BCDEFGHIJ", labels):
        _put(ws, f"{col}{header_row}", label, bold=True)
    r = header_row + 1
    for l1, l2s in _L2:
        _put(ws, f"B{r}:B{r + len(l2s) - 1}" if len(l2s) > 1 else f"B{r}", l1)
        for l2 in l2s:
            _put(ws, f"C{r}", l2)
            for col in "DEFGHIJ":
                _put(ws, f"{col}{r}", left=col in "DI")
            r += 1
    return r


def write_selfeval_form(path: str | Path, *, unit: Mapping[str, Any] | str, observations: pd.DataFrame,
                        budget: pd.DataFrame | Mapping[str, Any] | None = None, claimed_total: float | None = None,
                        claimed_grade: str | None = None, goals: Mapping[str, str | None] | None = None,
                        template: str | Path | None = None) -> Path:
    """Fill the blank self-evaluation form from data and write it atomically to ``path``.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file to write (replaced in one rename; a failure leaves an existing file untouched).
    unit : mapping or str
        A plain id (``"2023001"``, read as ``{"unit_id": "2023001"}``) or a mapping with any of ``unit_id``
        (written to 项目编码; on a template without that cell the reader falls back to the file name), ``name``
        (项目名称), ``department`` (主管部门), ``implementing_unit`` (实施单位), ``year`` (the title's
        ``（2024年度）``): the keys of :attr:`SelfEvalForm.unit`.
    observations : pandas.DataFrame
        One unit's indicator rows in the observations contract (at least ``indicator``); written in order.
    budget : pandas.DataFrame or mapping, optional
        The unit's budget row (contract of :func:`perfeval.read_budget`; a frame with several units is
        filtered on ``unit_id``): 年初预算数, 全年预算数, 全年执行数 and 得分 of the 年度资金总额 line; 执行率 is
        written as 全年执行数 / 全年预算数.
    claimed_total : float, optional
        总分; defaults to the budget's ``claimed_total``.
    claimed_grade : str, optional
        自评等级.
    goals : mapping, optional
        ``expected`` (预期目标) and ``actual`` (实际完成情况) text.
    template : str or Path, optional
        Another blank form to fill (a provincial variant); the shipped one by default.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        ``unit`` with unknown keys, observations without an ``indicator`` column, with no rows or with several
        units, a budget frame without exactly one row for the unit, or a template without an indicator block.

    Notes
    -----
    The indicator block grows or shrinks to the observations (footer, notes and their merges move with it);
    runs of equal 一级指标 and, within them, 二级指标 are merged down as on the published form. ``op``, ``unit``,
    ``level`` and ``indicator_code`` have no column on the standard form (是否适用 has one in the shipped template):
    when the data has values there, columns 指标性质 / 计量单位 / 完成等级 / 指标编码 / 是否适用 are added right of the table, so
    reading the form back gives the same data. A blank ``l2`` reads back as the ``l2`` above it (a blank merged
    cell means "same as above" on a form); columns outside the contract are not written.
    """
    if isinstance(unit, (str, int, np.integer)) and not isinstance(unit, bool):
        unit = {"unit_id": str(unit)}
    if not isinstance(unit, Mapping):
        raise ValueError(f"`unit` must be a unit id (str) or a mapping with keys among {', '.join(_UNIT_KEYS)}; got "
                         f"{type(unit).__name__}.")
    unknown = sorted(set(unit) - set(_UNIT_KEYS))
    if unknown:
        raise ValueError(f"`unit` keys must be among {', '.join(_UNIT_KEYS)}; got {', '.join(unknown)}.")
    obs = _check_observations(observations, unit)
    row = _budget_row(budget, unit)
    if claimed_total is None and row is not None and pd.notna(row.get(C.CLAIMED_TOTAL, np.nan)):
        claimed_total = float(row[C.CLAIMED_TOTAL])
    wb = load_workbook(Path(template) if template is not None else blank_form_path())
    ws = wb.worksheets[0]
    layout = locate(sheet_grid(ws))
    if layout is None:
        raise ValueError(f"`template` must be a self-evaluation form with an indicator block (三级指标 / "
                         f"年度指标值); got {template or blank_form_path()}.")
    _resize_block(ws, layout, len(obs))
    layout = locate(sheet_grid(ws))
    grid = sheet_grid(ws)
    _write_header(ws, grid, layout, unit, goals or {})
    if row is not None:
        _write_funds(ws, layout, row)
    _write_indicators(ws, layout, obs)
    if claimed_total is not None and layout.total_cell and C.SCORE in layout.indicator_columns:
        ws.cell(layout.total_cell[0], layout.indicator_columns[C.SCORE], float(claimed_total))
    if claimed_grade is not None and layout.grade_cell:
        _set(ws, value_cell(grid, layout.grade_cell) or _right_of(ws, layout.grade_cell), claimed_grade)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _check_observations(observations: pd.DataFrame, unit: Mapping[str, Any]) -> pd.DataFrame:
    if not isinstance(observations, pd.DataFrame) or C.INDICATOR not in observations:
        raise ValueError("`observations` must be a DataFrame with an `indicator` column; got "
                         f"{type(observations).__name__} with columns {list(getattr(observations, 'columns', []))}.")
    if observations.empty:
        raise ValueError("`observations` must have at least one row; got an empty frame.")
    if C.UNIT_ID in observations:
        units = observations[C.UNIT_ID].dropna().unique().tolist()
        if len(units) > 1:
            raise ValueError(f"`observations` must hold one unit; got {len(units)} ({', '.join(map(str, units[:5]))}"
                             f"{', ...' if len(units) > 5 else ''}). Write one form per unit.")
    return observations.reset_index(drop=True)


def _budget_row(budget: pd.DataFrame | Mapping[str, Any] | None, unit: Mapping[str, Any]) -> Mapping | None:
    if budget is None:
        return None
    if isinstance(budget, pd.DataFrame):
        frame = budget
        if C.UNIT_ID in frame and len(frame) > 1 and unit.get("unit_id") is not None:
            frame = frame[frame[C.UNIT_ID] == unit["unit_id"]]
        if len(frame) != 1:
            raise ValueError(f"`budget` must have exactly one row for unit {unit.get('unit_id')!r}; got {len(frame)}.")
        return frame.iloc[0].to_dict()
    return dict(budget)


def _set(ws, cell: tuple[int, int] | None, value: Any) -> None:
    """Write to a cell, or to the top-left cell of the merged range holding it."""
    if cell is None:
        return
    r, c = cell
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= r <= rng.max_row and rng.min_col <= c <= rng.max_col:
            r, c = rng.min_row, rng.min_col
            break
    _assign(ws.cell(r, c), value)


def _right_of(ws, cell: tuple[int, int]) -> tuple[int, int]:
    """The cell just right of a label (after the label's merged range)."""
    r, c = cell
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= r <= rng.max_row and rng.min_col <= c <= rng.max_col:
            return r, rng.max_col + 1
    return r, c + 1


def _resize_block(ws, layout: FormLayout, n: int) -> None:
    """Make the indicator block exactly ``n`` rows, moving the footer (and its merges and heights) with it."""
    h, end = layout.header_row, layout.end_row
    template_row = h + 1 if end - h - 1 > 0 else h
    styles = {c: copy(ws.cell(template_row, c)._style) for c in range(1, ws.max_column + 1)}
    height = ws.row_dimensions[template_row].height
    moved = []
    for rng in list(ws.merged_cells.ranges):
        if rng.max_row > h:
            ws.unmerge_cells(rng.coord)
            if rng.min_row >= end:
                moved.append(rng.bounds)
    heights = {r: ws.row_dimensions[r].height for r in range(end, ws.max_row + 1)}
    delta = n - (end - h - 1)
    if delta > 0:
        ws.insert_rows(end, delta)
    elif delta < 0:
        ws.delete_rows(h + 1 + n, -delta)
    for r in range(h + 1, max(ws.max_row, end + delta) + 1):
        ws.row_dimensions[r].height = None
    for r, value in heights.items():
        ws.row_dimensions[r + delta].height = value
    for r in range(h + 1, h + 1 + n):
        ws.row_dimensions[r].height = height
        for c, style in styles.items():
            ws.cell(r, c)._style = copy(style)
            ws.cell(r, c).value = None
    for min_col, min_row, max_col, max_row in moved:
        ws.merge_cells(start_row=min_row + delta, start_column=min_col, end_row=max_row + delta,
                       end_column=max_col)


def _text(value: Any) -> Any:
    """A cell value as written: text stays text (so ``1.50`` and ``≥95%`` survive), missing or blank is empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _assign(cell, value: Any) -> None:
    """Set a cell; text beginning with ``=`` (a target such as ``=0``), ``+``, ``-`` or ``@`` is stored as text, never
    as a formula (:func:`perfeval._cells.set_text_cell`)."""
    from .._cells import set_text_cell

    set_text_cell(cell, value)


def _write_indicators(ws, layout: FormLayout, obs: pd.DataFrame) -> None:
    h, n = layout.header_row, len(obs)
    columns = dict(layout.indicator_columns)
    extras = [c for c in _EXTRA_HEADERS if c not in columns and c in obs and _needed(obs, c)]
    last = max([*columns.values(), *(rng.max_col for rng in ws.merged_cells.ranges if rng.min_row <= h <= rng.max_row)])
    note_col = columns.get(C.NOTE, max(columns.values()))
    for k, name in enumerate(extras, start=1):
        col = last + k
        columns[name] = col
        header = ws.cell(h, col, _EXTRA_HEADERS[name])
        header._style = copy(ws.cell(h, note_col)._style)
        ws.column_dimensions[get_column_letter(col)].width = 12
        for r in range(h + 1, h + 1 + n):
            ws.cell(r, col)._style = copy(ws.cell(r, note_col)._style)
    for i, record in enumerate(obs.to_dict("records")):
        r = h + 1 + i
        for name, col in columns.items():
            if name not in record or name == C.UNIT_ID:
                continue
            value = _text(record[name])
            if name == C.OP:
                value = _OP_TEXT.get(value, value)
            elif name == C.LEVEL:
                value = _LEVEL_TEXT.get(value, value)
            elif name == C.APPLICABLE:
                value = "是" if value is None or bool(value) else "否"
            elif name in (C.POINTS, C.SCORE) and value is not None:
                value = float(value)
            _assign(ws.cell(r, col), value)
    if layout.label_column is not None:
        ws.merge_cells(start_row=h, start_column=layout.label_column, end_row=h + n,
                       end_column=layout.label_column)
    _merge_runs(ws, obs, columns, h)


def _needed(obs: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` carries data the form's standard columns cannot give back on reading."""
    if column == C.APPLICABLE:
        return bool((~obs[column].fillna(True).astype(bool)).any())
    if column == C.LEVEL and C.ACTUAL in obs:  # a level phrase written as the actual value is read back as the level
        return bool((obs[column].notna() & (obs[column] != level_from_actual(obs[C.ACTUAL]))).any())
    return bool(obs[column].notna().any())


def _merge_runs(ws, obs: pd.DataFrame, columns: Mapping[str, int], h: int) -> None:
    """Merge runs of equal 一级指标, and of equal 二级指标 within them, down their columns."""
    keys = [k for k in (C.L1, C.L2) if k in obs and k in columns]
    for depth, key in enumerate(keys):
        group = obs[keys[:depth + 1]].astype(object).where(obs[keys[:depth + 1]].notna(), None)
        labels = [tuple(x) for x in group.itertuples(index=False, name=None)]
        start = 0
        for i in range(1, len(labels) + 1):
            if i == len(labels) or labels[i] != labels[start] or labels[start][-1] is None:
                if i - start > 1 and labels[start][-1] is not None:
                    ws.merge_cells(start_row=h + 1 + start, start_column=columns[key], end_row=h + i,
                                   end_column=columns[key])
                start = i


def _write_header(ws, grid: list, layout: FormLayout, unit: Mapping[str, Any],
                  goals: Mapping[str, str | None]) -> None:
    for key in ("name", "unit_id", "department", "implementing_unit", "year"):
        if unit.get(key) is None or key not in layout.unit_cells:
            continue
        label = ws.cell(*layout.unit_cells[key])
        text = str(label.value)
        if key in layout.unit_inline or text.rstrip().endswith((":", "：")):  # "项目名称：..." in one cell
            _assign(label, f"{re.split('[:：]', text, maxsplit=1)[0]}：{unit[key]}")
        else:
            _set(ws, _right_of(ws, layout.unit_cells[key]), str(unit[key]))
    if unit.get("year") is not None and "year" not in layout.unit_cells:
        if layout.year_cell:
            text = str(ws.cell(*layout.year_cell).value or "")
            _set(ws, layout.year_cell, f"（{unit['year']}年度）" if YEAR_CELL.match(text.strip())
                 else TITLE_YEAR.sub(f"{unit['year']}年度", text, count=1))
    for key, cell in layout.goal_cells.items():
        if goals.get(key) is not None:
            _set(ws, (cell[0] + 1, cell[1]), str(goals[key]))


def _write_funds(ws, layout: FormLayout, row: Mapping[str, Any]) -> None:
    r = layout.funds_rows.get("total")
    if r is None:
        return
    for key in (C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.BUDGET_ADJUSTED, C.FUNDS_IN_PLACE, C.EXECUTED, C.SCORE):
        if key in layout.funds_columns and pd.notna(row.get(key, np.nan)):
            ws.cell(r, layout.funds_columns[key], float(row[key]))
    full, executed = row.get(C.BUDGET_FULL_YEAR, np.nan), row.get(C.EXECUTED, np.nan)
    if "execution_rate" in layout.funds_columns and pd.notna(full) and pd.notna(executed) and full > 0:
        cell = ws.cell(r, layout.funds_columns["execution_rate"], float(executed) / float(full))
        cell.number_format = "0.00%"
