"""Where the blocks of a 项目支出绩效自评表 are on a sheet, found by their labels (private).

Published forms differ in details (an extra 项目编码 line, 指标性质 / 计量单位 columns, 权重 for 分值, the footer
on one line or two), so nothing here uses a fixed cell address: every block is found by its header labels. The
reader (:mod:`perfeval.io.forms`) and the writer (:mod:`perfeval.io.form_writer`) share :func:`locate`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
from openpyxl.cell.read_only import ReadOnlyCell

from .. import columns as C
from ._text import cell_of, label_key

__all__ = ["Grid", "FormLayout", "sheet_grid", "SheetTooLarge", "MAX_COLUMNS", "MAX_ROWS", "MAX_GRID_CELLS", "locate", "split_label", "value_cell", "UNIT_LABELS", "FUNDS_LINES",
           "YEAR", "TITLE_YEAR", "YEAR_CELL"]

Grid = Sequence[Sequence[object]]  # rows of cell text (str or NaN), 0-based

UNIT_LABELS: Mapping[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "unit_id": ("项目编码", "项目代码"),
    "department": ("主管部门", "主管部门及代码"),
    "implementing_unit": ("实施单位",),
    "year": ("年度", "预算年度", "评价年度"),
}
# funds lines: key -> words identifying the line's label
FUNDS_LINES: Mapping[str, tuple[str, ...]] = {
    "total": ("年度资金总额", "资金总额", "合计"),
    "appropriation": ("财政拨款",),
    "carryover": ("上年结转",),
    "other": ("其他资金",),
}
_FUNDS_EXTRA = {"分值": "points", "权重": "points", "执行率": "execution_rate", "预算执行率": "execution_rate"}
_GOAL_LABELS = {"预期目标": "expected", "实际完成情况": "actual"}
_TOTAL_LABELS = frozenset({"总分", "自评总分", "合计"})
_GRADE_LABELS = frozenset({"自评等级", "评价等级", "等级", "自评结果"})
_NOTE_PREFIXES = ("填表说明", "说明:", "注:", "备注:")
_BLOCK_LABELS = frozenset({"绩效指标", "年度绩效指标"})
YEAR_CELL = re.compile(r"^[（(]\s*(\d{4})?\s*年度?\s*[）)]$")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass(frozen=True, slots=True)
class FormLayout:
    """Positions (1-based rows and columns, as openpyxl counts) of a form's blocks.

    ``indicator_columns`` maps canonical observation columns (and the header text of unknown columns) to their
    column; ``end_row`` is the first row after the indicator rows (footer, notes, or one past the sheet).
    """

    header_row: int
    indicator_columns: Mapping[str, int]
    indicator_headers: Mapping[str, str]
    end_row: int
    label_column: int | None = None
    unit_cells: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    unit_inline: Mapping[str, str] = field(default_factory=dict)
    year_cell: tuple[int, int] | None = None
    funds_header_row: int | None = None
    funds_columns: Mapping[str, int] = field(default_factory=dict)
    funds_headers: Mapping[str, str] = field(default_factory=dict)
    funds_rows: Mapping[str, int] = field(default_factory=dict)
    goal_cells: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    total_cell: tuple[int, int] | None = None
    grade_cell: tuple[int, int] | None = None

    @property
    def is_form(self) -> bool:
        """True when a header or funds block sits above an indicator block without a unit-id column.

        A plain indicators table names its unit on every row (项目编码 in the header row); a form names it once.
        """
        has_block = bool(self.unit_cells) or self.funds_header_row is not None
        return has_block and C.UNIT_ID not in self.indicator_columns


#: Limits of a worksheet perfeval reads (generous for real forms and tables; named in the error): columns, rows,
#: and cells of the rectangular grid (rows x widest row).
MAX_COLUMNS = 1_000
MAX_ROWS = 1_048_576
MAX_GRID_CELLS = 10_000_000


class SheetTooLarge(ValueError):
    """A worksheet beyond :data:`MAX_COLUMNS`, :data:`MAX_ROWS` or :data:`MAX_GRID_CELLS` (the message says which)."""


def sheet_grid(ws, max_rows: int | None = None) -> list[list[object]]:
    """A worksheet's cells as the text a user sees (merged cells other than the top-left one are empty).

    A read-only sheet is streamed row by row from its XML: the stored ``<dimension>`` is never trusted, each row
    is as long as its last cell, and the limits are checked while reading, so a hostile sheet (one cell at
    column XFD on every row) fails fast in bounded memory.

    Raises
    ------
    SheetTooLarge
        More than :data:`MAX_COLUMNS` columns, :data:`MAX_ROWS` rows or :data:`MAX_GRID_CELLS` cells.
    """
    if not hasattr(ws, "_get_source"):  # an ordinary (writable) sheet: the package's own template
        return [[cell_of(c) for c in row] for row in ws.iter_rows(max_row=max_rows)]
    rows: list[list[object]] = []
    width = 0
    for idx, cells in _raw_rows(ws):
        if max_rows is not None and idx > max_rows:
            break
        if idx > MAX_ROWS:
            raise SheetTooLarge(f"sheet {ws.title!r} has more than {MAX_ROWS:,} rows (the most perfeval reads)")
        last = cells[-1]["column"] if cells else 0
        if last > MAX_COLUMNS:
            raise SheetTooLarge(f"sheet {ws.title!r} has a cell in column {last:,} (row {idx}); perfeval reads at "
                                f"most {MAX_COLUMNS:,} columns")
        width = max(width, last)
        if idx * max(width, 1) > MAX_GRID_CELLS:
            raise SheetTooLarge(f"sheet {ws.title!r} spans more than {MAX_GRID_CELLS:,} cells ({idx:,} rows x "
                                f"{width:,} columns); perfeval reads at most {MAX_GRID_CELLS:,}")
        while len(rows) < idx - 1:
            rows.append([])
        row: list[object] = [np.nan] * last
        for cell in cells:
            row[cell["column"] - 1] = cell_of(ReadOnlyCell(ws, **cell))
        rows.append(row)
    return rows


def _raw_rows(ws):
    """``(row number, [cell dicts])`` of a read-only sheet, straight from openpyxl's streaming XML parser."""
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=wb.data_only, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for idx, cells in parser.parse():
            yield idx, [c for c in cells if c["column"] >= 1]


def _text(grid: Grid, r: int, c: int) -> str | None:
    if r < len(grid) and c < len(grid[r]) and isinstance(grid[r][c], str):
        return grid[r][c]
    return None


def split_label(text: str) -> tuple[str, str]:
    """``"项目名称：某项目"`` -> ``("项目名称", "某项目")``; a bare label gives an empty value."""
    s = unicodedata.normalize("NFKC", text)
    if ":" in s:
        label, value = s.split(":", 1)
        return label_key(label), value.strip()
    return label_key(s), ""


def _find(grid: Grid, labels: frozenset[str] | Mapping[str, str], rows: range) -> list[tuple[int, int, str]]:
    """Cells in ``rows`` whose label (before any colon) is one of ``labels``: (row, col, inline value)."""
    found = []
    for r in rows:
        for c in range(len(grid[r]) if r < len(grid) else 0):
            text = _text(grid, r, c)
            if text is not None:
                label, value = split_label(text)
                if label in labels:
                    found.append((r, c, value))
    return found


def _header_map(grid: Grid, r: int, aliases: Mapping[str, Sequence[str]]) -> dict[int, str]:
    """Column -> canonical name for the recognised header cells of row ``r`` (first of duplicates wins)."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    for c in range(len(grid[r])):
        text = _text(grid, r, c)
        canonical = C.resolve_columns([text], aliases).get(text) if text else None
        if canonical is not None and canonical not in taken:
            out[c] = canonical
            taken.add(canonical)
    return out


def _indicator_header(grid: Grid) -> int | None:
    for r in range(len(grid)):
        found = set(_header_map(grid, r, C.OBSERVATION_ALIASES).values())
        if C.INDICATOR in found and (C.TARGET in found or C.ACTUAL in found):
            return r
    return None


def _value_right(grid: Grid, r: int, c: int, stop: frozenset[str]) -> tuple[int, int] | None:
    """The first non-empty cell right of (r, c) that is not itself a label."""
    for cc in range(c + 1, len(grid[r])):
        text = _text(grid, r, cc)
        if text is not None:
            return None if split_label(text)[0] in stop else (r, cc)
    return None


def locate(grid: Grid) -> FormLayout | None:
    """Find the blocks of a self-evaluation form on ``grid``; None when there is no indicator header row."""
    h = _indicator_header(grid)
    if h is None:
        return None
    columns, headers, label_column = _indicator_columns(grid, h)
    end = _block_end(grid, h)
    above = range(0, h)
    unit_cells: dict[str, tuple[int, int]] = {}
    unit_inline: dict[str, str] = {}
    for key, labels in UNIT_LABELS.items():
        hits = _find(grid, frozenset(labels), above)
        if hits:
            r, c, inline = hits[0]
            unit_cells[key] = (r + 1, c + 1)
            if inline:
                unit_inline[key] = inline
    goals = _find(grid, frozenset(_GOAL_LABELS) | {"年度总体目标", "绩效目标"}, above)
    funds_row, funds_columns, funds_headers = _funds_header(grid, above)
    funds_rows = {} if funds_row is None else _funds_lines(grid, funds_row, funds_columns, goals, h)
    goal_cells = {_GOAL_LABELS[split_label(str(grid[r][c]))[0]]: (r + 1, c + 1)
                  for r, c, _ in goals if split_label(str(grid[r][c]))[0] in _GOAL_LABELS}
    top = range(0, funds_row if funds_row is not None else h)
    cells = [(r, c, t) for r in top for c in range(len(grid[r])) if (t := _text(grid, r, c)) is not None]
    year_cell = next(((r + 1, c + 1) for r, c, t in cells if YEAR_CELL.match(t.strip())), None) or \
        next(((r + 1, c + 1) for r, c, t in cells if TITLE_YEAR.search(t)), None)
    footer = range(end - 1, len(grid))
    totals = _find(grid, _TOTAL_LABELS, footer)
    grades = _find(grid, _GRADE_LABELS, footer)
    return FormLayout(
        header_row=h + 1, indicator_columns=columns, indicator_headers=headers, end_row=end,
        label_column=label_column, unit_cells=unit_cells, unit_inline=unit_inline, year_cell=year_cell,
        funds_header_row=None if funds_row is None else funds_row + 1, funds_columns=funds_columns,
        funds_headers=funds_headers, funds_rows=funds_rows, goal_cells=goal_cells,
        total_cell=(totals[0][0] + 1, totals[0][1] + 1) if totals else None,
        grade_cell=(grades[0][0] + 1, grades[0][1] + 1) if grades else None,
    )


def _indicator_columns(grid: Grid, h: int) -> tuple[dict[str, int], dict[str, str], int | None]:
    """Columns of the indicator block (canonical names, unknown headers as written) and its label column."""
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    mapped = _header_map(grid, h, C.OBSERVATION_ALIASES)
    label_column = None
    for c in range(len(grid[h])):
        text = _text(grid, h, c)
        if text is None:
            continue
        name = mapped.get(c)
        if name is None and label_key(text) in _BLOCK_LABELS:
            label_column = c + 1  # the 绩效指标 cell merged down the block's left edge
            continue
        name = name or text.strip()
        columns.setdefault(name, c + 1)
        headers.setdefault(name, text.strip())
    return columns, headers, label_column


def _block_end(grid: Grid, h: int) -> int:
    """First row (1-based) after the indicator rows: the footer or the notes, else one past the sheet."""
    for r in range(h + 1, len(grid)):
        first = next((t for t in (_text(grid, r, c) for c in range(len(grid[r]))) if t is not None), None)
        if first is None:
            continue
        key = split_label(first)[0]
        if key in _TOTAL_LABELS or key in _GRADE_LABELS or label_key(first).startswith(_NOTE_PREFIXES):
            return r + 1
    return len(grid) + 1


def _funds_lines(grid: Grid, funds_row: int, funds_columns: Mapping[str, int],
                 goals: Sequence[tuple[int, int, str]], h: int) -> dict[str, int]:
    """Rows (1-based) of the funds lines, by the labels left of the amounts, above the goal block."""
    first_amount = min(funds_columns.values()) - 1
    goal_top = min((r for r, _, _ in goals if r > funds_row), default=h)
    rows: dict[str, int] = {}
    for r in range(funds_row + 1, goal_top):
        label = "".join(label_key(t) for t in (_text(grid, r, c) for c in range(first_amount)) if t)
        for line, words in FUNDS_LINES.items():
            if line not in rows and any(w in label for w in words):
                rows[line] = r + 1
                break
    return rows


def _funds_header(grid: Grid, rows: range) -> tuple[int | None, dict[str, int], dict[str, str]]:
    """The funds header row (全年预算数 and 全年执行数) and its columns, or ``(None, {}, {})``."""
    for r in rows:
        mapped = _header_map(grid, r, C.BUDGET_ALIASES)
        if C.BUDGET_FULL_YEAR in mapped.values() and C.EXECUTED in mapped.values():
            cols = {name: c + 1 for c, name in mapped.items() if name != C.UNIT_ID}
            heads = {name: _text(grid, r, c - 1) or name for name, c in cols.items()}
            for c in range(len(grid[r])):
                text = _text(grid, r, c)
                extra = _FUNDS_EXTRA.get(label_key(text)) if text else None
                if extra and extra not in cols:
                    cols[extra], heads[extra] = c + 1, text.strip()
            return r, cols, {k: v.strip() for k, v in heads.items()}
    return None, {}, {}


def value_cell(grid: Grid, cell: tuple[int, int], stop: frozenset[str] | None = None) -> tuple[int, int] | None:
    """1-based position of the value written right of a 1-based label cell (first non-empty, not a label)."""
    stop = stop if stop is not None else frozenset(k for labels in UNIT_LABELS.values() for k in labels) | \
        frozenset(_GOAL_LABELS) | _TOTAL_LABELS | _GRADE_LABELS
    found = _value_right(grid, cell[0] - 1, cell[1] - 1, stop)
    return None if found is None else (found[0] + 1, found[1] + 1)
