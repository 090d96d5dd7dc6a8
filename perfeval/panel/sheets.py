"""Expert score sheets (专家评分表): one XLSX per expert out, the long panel table back in.

A key evaluation (重点评价) sends every expert a scoring workbook for the projects, collects the workbooks back and
aggregates the panel. :func:`write_sheets` makes the workbooks, :func:`collect_sheets` reads them back into the
long ``panel`` table (``unit_id, node_code, rater_id, score, comment``) that :func:`perfeval.panel.aggregate`
takes unchanged, and reports every problem of every sheet at once, located ``file:sheet!cell``.

Layout (one workbook per expert, ``<expert_id>.xlsx``; one worksheet per project, named by its ``unit_id``)::

    row 1   title: <framework title> 专家评分表                                   (merged A:score+1)
    row 2   项目：<unit_id> <project name>
    row 3   评审专家：<name>（<expert_id>）         评价体系：<framework name>（版本 <version>）
    row 4   填写说明 (what to type where; the other cells are locked)
    row 5   header: 一级指标 | 二级指标 | 三级指标 | 分值 | 评价要点 | 得分 | 评分说明
    row 6+  one row per framework node in tree order; a node's name sits in its level's column, its points in
            分值, its 指标解释 / 评价要点 (``Node.description``) in 评价要点. Leaves have an editable score cell (data
            validation: a number from 0 to the node's points, at most ``decimals`` decimals) and an editable
            comment cell; inner nodes sum their children by formula.
    then    合计 row (points of the framework, score = sum of the first-level nodes by formula), a blank row, and
            专家签名：______  日期：______

The number of level columns is the depth of the framework (3 for ``project_key``). The column after 评分说明 is
hidden: its first cell holds the sheet's id (``perfeval.sheet/1;expert=…;unit=…;framework=…;version=…;
structure=…``) and each node row holds the node's code, so that a sheet is read by code, never by position alone.
A very hidden worksheet ``_perfeval`` records the workbook's expert, framework, version, decimals and the units
issued. Every sheet is protected (only the score and comment cells of leaves are unlocked) and so is the workbook
structure (no sheet can be added, renamed or deleted without removing the protection). Protection without a
password only prevents accidents; :func:`collect_sheets` therefore checks the structure cell by cell.

User text (project and expert names, comments) is always stored as text, never as a formula, also when it begins
with ``=``.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._io_util import atomic_path
from ..columns import NODE_CODE, RATER_ID, SCORE, UNIT_ID
from ..errors import InputError, Problem
from ..framework import Framework, Node, load_framework

__all__ = ["write_sheets", "collect_sheets", "CollectedSheets", "read_experts", "sheet_layout", "SheetLayout",
           "PROBLEM_CODES", "META_SHEET", "ID_PREFIX"]

#: Name of the very hidden worksheet holding the workbook's record.
META_SHEET = "_perfeval"
#: First part of every sheet id (format version 1).
ID_PREFIX = "perfeval.sheet/1"
FIRST_NODE_ROW = 6
HEADER_ROW = 5

#: Problems :func:`collect_sheets` reports, by code.
PROBLEM_CODES: Mapping[str, str] = {
    "score_above_points": "a score above the node's points",
    "score_out_of_range": "a negative score",
    "not_numeric": "text in a score cell",
    "score_as_text": "a number typed as text (Excel's totals ignore it)",
    "formula_in_score": "a formula in a score cell",
    "too_many_decimals": "more decimals than the sheet allows",
    "empty_score": "a score cell left empty (a warning with allow_missing)",
    "missing_sheet": "a project sheet issued but absent (a warning with allow_missing)",
    "missing_workbook": "an expert's workbook absent (a warning with allow_missing)",
    "wrong_expert": "a sheet or workbook issued to another expert",
    "wrong_framework": "a sheet issued for another framework",
    "wrong_framework_version": "a sheet issued for another version of the framework",
    "wrong_unit": "a sheet whose id names another project than its tab",
    "unknown_unit": "a sheet for a project the workbook was not issued for",
    "duplicate_sheet": "the same expert's sheet for the same project twice",
    "edited_structure": "a locked cell, row or column changed (names, points, formulas, codes)",
    "not_a_score_sheet": "a workbook or sheet without a perfeval sheet id",
    "unreadable_file": "a file that is not a readable XLSX workbook",
}
_MISSING_CODES = frozenset({"empty_score", "missing_sheet", "missing_workbook"})

_LABELS = {
    "zh": {"title": "{title} 专家评分表", "project": "项目：{unit_id} {name}", "expert": "评审专家：{name}（{code}）",
           "framework": "评价体系：{name}（版本 {version}）",
           "instructions": ("填写说明：请在“得分”列填写 0 至该指标分值之间的数字（最多 {decimals} 位小数），在“评分说明”"
                            "列写明扣分理由；上级指标得分和合计自动计算，其他单元格已锁定。"),
           "instructions0": ("填写说明：请在“得分”列填写 0 至该指标分值之间的整数，在“评分说明”列写明扣分理由；"
                             "上级指标得分和合计自动计算，其他单元格已锁定。"),
           "levels": ("一级指标", "二级指标", "三级指标", "四级指标", "五级指标"), "points": "分值",
           "guidance": "评价要点", "score": "得分", "comment": "评分说明", "total": "合计",
           "signature": "专家签名：", "date": "日期：", "error_title": "得分超出范围",
           "error": "请填写 0 至 {points} 之间的数字", "prompt_title": "得分", "prompt": "0 至 {points} 分"},
    "en": {"title": "{title}: expert score sheet", "project": "Project: {unit_id} {name}",
           "expert": "Expert: {name} ({code})", "framework": "Framework: {name} (version {version})",
           "instructions": ("How to fill in: type a number from 0 to the indicator's points (at most {decimals} "
                            "decimals) in the Score column and the reasons for any deduction in the Comment column; "
                            "parent scores and the total are computed; every other cell is locked."),
           "instructions0": ("How to fill in: type a whole number from 0 to the indicator's points in the Score "
                             "column and the reasons for any deduction in the Comment column; parent scores and the "
                             "total are computed; every other cell is locked."),
           "levels": ("Level 1", "Level 2", "Level 3", "Level 4", "Level 5"), "points": "Points",
           "guidance": "Scoring guidance", "score": "Score", "comment": "Comment", "total": "Total",
           "signature": "Signature:", "date": "Date:", "error_title": "Score out of range",
           "error": "Type a number from 0 to {points}", "prompt_title": "Score", "prompt": "0 to {points}"},
}

_SAFE_CODE = re.compile(r"^[0-9A-Za-z_\-\u4e00-\u9fff]{1,31}$")


# ---------------------------------------------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetLayout:
    """Where everything sits on a project sheet of one framework (see the module notes).

    Attributes
    ----------
    depth : int
        Number of level columns (A, B, ...).
    points_col, guidance_col, score_col, comment_col, code_col : int
        1-based column numbers; ``code_col`` is the hidden column of node codes (and the sheet id in row 1).
    rows : tuple of (node_code, row, level, is_leaf)
        One entry per node in tree order, from row :data:`FIRST_NODE_ROW`.
    total_row, signature_row : int
    structure : str
        Fingerprint of the framework's codes, names, points and of the layout (16 hex digits of SHA-256).
    """

    depth: int
    points_col: int
    guidance_col: int
    score_col: int
    comment_col: int
    code_col: int
    rows: tuple[tuple[str, int, int, bool], ...]
    total_row: int
    signature_row: int
    structure: str
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def letter(self, col: int) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(col)


def sheet_layout(framework: Framework | str) -> SheetLayout:
    """The :class:`SheetLayout` of ``framework``'s project sheets.

    Raises
    ------
    InputError
        ``slots_not_supported`` when the framework has slots (their indicators differ per unit, so there is no
        common sheet; score sheets are for frameworks with fixed leaves such as ``project_key``).
    """
    fw = load_framework(framework)
    if fw.slots():
        raise InputError.single(fw.name, "slots_not_supported",
                                f"framework {fw.name!r} has slots ({', '.join(n.code for n in fw.slots())}) whose "
                                "indicators differ per unit; expert score sheets need fixed leaves (e.g. "
                                "'project_key').")
    walked = list(fw.walk())
    depth = max(level for _, level, _ in walked)
    rows = tuple((node.code, FIRST_NODE_ROW + i, level, node.is_leaf) for i, (node, level, _) in enumerate(walked))
    children = {node.code: tuple(c.code for c in node.children) for node, _, _ in walked}
    total_row = FIRST_NODE_ROW + len(walked)
    payload = json.dumps({"layout": 1, "name": fw.name, "version": fw.version,
                          "nodes": [[n.code, n.name, n.name_en, n.points, level] for n, level, _ in walked]},
                         ensure_ascii=False, sort_keys=True)
    structure = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    return SheetLayout(depth=depth, points_col=depth + 1, guidance_col=depth + 2, score_col=depth + 3,
                       comment_col=depth + 4, code_col=depth + 5, rows=rows, total_row=total_row,
                       signature_row=total_row + 2, structure=structure, children=children)


def _sheet_id(expert: str, unit: str, fw: Framework, structure: str) -> str:
    return f"{ID_PREFIX};expert={expert};unit={unit};framework={fw.name};version={fw.version};structure={structure}"


def _parse_id(text: Any) -> dict[str, str] | None:
    if not isinstance(text, str) or not text.startswith(ID_PREFIX + ";"):
        return None
    parts = dict(p.split("=", 1) for p in text.split(";")[1:] if "=" in p)
    return parts if {"expert", "unit", "framework", "version", "structure"} <= parts.keys() else None


def _inner_formula(layout: SheetLayout, codes: Sequence[str]) -> str:
    col = layout.letter(layout.score_col)
    row_of = {code: row for code, row, _, _ in layout.rows}
    return "=SUM(" + ",".join(f"{col}{row_of[c]}" for c in codes) + ")"


def _total_formula(layout: SheetLayout) -> str:
    return _inner_formula(layout, [code for code, _, level, _ in layout.rows if level == 1])


# ---------------------------------------------------------------------------------------------------------------
# inputs: experts and units
# ---------------------------------------------------------------------------------------------------------------
def read_experts(experts: pd.DataFrame | str | Path | Mapping[str, str] | Sequence[str]) -> pd.DataFrame:
    """The experts a set of sheets is issued to: ``expert_id, name`` (Chinese headers 专家编码, 专家姓名 / 姓名).

    Parameters
    ----------
    experts : DataFrame, path, mapping or sequence
        A table (or CSV/XLSX file) with ``expert_id`` (also ``rater_id``) and ``name``; a mapping id -> name; or
        a sequence of ids (named by their id).

    Raises
    ------
    InputError
        ``missing_column``, ``missing_value``, ``duplicate_expert`` and ``bad_expert_id`` (an id that cannot name a
        file: 1-31 letters, digits, ``_``, ``-`` or Chinese characters), located ``file:row:column``.
    """
    from .._rows import located, with_source
    from ..columns import resolve_columns

    aliases = {"expert_id": ("专家编码", "专家", "rater_id", "评分人"), "name": ("专家姓名", "姓名", "名称")}
    if isinstance(experts, (str, Path)):
        from ..io import read_table

        frame = read_table(experts, aliases, ["expert_id"], kind="experts")
    elif isinstance(experts, pd.DataFrame):
        frame = experts.rename(columns=resolve_columns(experts.columns, aliases))
    elif isinstance(experts, Mapping):
        frame = pd.DataFrame({"expert_id": list(experts), "name": list(experts.values())})
    else:
        ids = list(experts)
        frame = pd.DataFrame({"expert_id": ids, "name": ids})
    if "expert_id" not in frame:
        raise InputError.single("experts", "missing_column",
                                f"`experts` must have an expert_id column (or 专家编码); got {list(frame.columns)}.")
    frame = with_source(frame, "experts")
    ids = frame["expert_id"].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                 else str(v).strip())
    if "name" not in frame:
        frame["name"] = ids
    names = frame["name"].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                              else str(v).strip())
    problems: list[Problem] = []
    empty = np.flatnonzero(ids.eq("").to_numpy())
    problems += located(frame, empty, "expert_id", "missing_value", "`expert_id` is empty")
    bad = [i for i in range(len(frame)) if ids.iat[i] and not _SAFE_CODE.match(ids.iat[i])]
    problems += located(frame, bad, "expert_id", "bad_expert_id",
                        lambda i: f"expert id {ids.iat[i]!r} names the expert's file: use 1-31 letters, digits, "
                                  "'_', '-' or Chinese characters")
    dup = np.flatnonzero((ids.duplicated() & ids.ne("")).to_numpy())
    problems += located(frame, dup, "expert_id", "duplicate_expert", lambda i: f"expert {ids.iat[i]!r} listed twice")
    if problems:
        raise InputError(problems=problems)
    return pd.DataFrame({"expert_id": ids.to_numpy(), "name": np.where(names.eq(""), ids, names)})


def _units_table(units: pd.DataFrame | Mapping[str, str] | Sequence[str]) -> pd.DataFrame:
    from .._rows import located, with_source

    if isinstance(units, pd.DataFrame):
        frame = units
    elif isinstance(units, Mapping):
        frame = pd.DataFrame({UNIT_ID: list(units), "name": list(units.values())})
    else:
        frame = pd.DataFrame({UNIT_ID: list(units)})
    if UNIT_ID not in frame:
        raise InputError.single("units", "missing_column", f"`units` must have a unit_id column; got "
                                                           f"{list(frame.columns)}.")
    frame = with_source(frame, "units")
    ids = frame[UNIT_ID].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                             else str(v).strip())
    names = (frame["name"].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
             if "name" in frame else pd.Series([""] * len(frame)))
    problems = located(frame, [i for i in range(len(frame)) if not _SAFE_CODE.match(ids.iat[i])], UNIT_ID,
                       "bad_unit_id", lambda i: f"unit id {ids.iat[i]!r} names a worksheet: use 1-31 letters, "
                                                "digits, '_', '-' or Chinese characters")
    problems += located(frame, np.flatnonzero((ids.duplicated() & ids.ne("")).to_numpy()), UNIT_ID,
                        "duplicate_unit", lambda i: f"unit {ids.iat[i]!r} listed twice")
    if problems:
        raise InputError(problems=problems)
    if frame.empty:
        raise InputError.single("units", "no_units", "`units` lists no project to score.")
    return pd.DataFrame({UNIT_ID: ids.to_numpy(), "name": names.to_numpy()})


# ---------------------------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------------------------
def _text(cell, value: Any) -> None:
    """Store ``value`` as text (``=...`` stays text, never a formula; XML-illegal characters become U+FFFD)."""
    from .._cells import set_text_cell

    set_text_cell(cell, "" if value is None else str(value))
    cell.data_type = "s"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_sheets(framework: Framework | str, units: pd.DataFrame | Mapping[str, str] | Sequence[str],
                 experts: pd.DataFrame | str | Path | Mapping[str, str] | Sequence[str], out: str | Path, *,
                 decimals: int = 2, lang: str = "zh", password: str | None = None,
                 scores: pd.DataFrame | None = None, overwrite: bool = False) -> list[Path]:
    """Write one score workbook per expert (``<out>/<expert_id>.xlsx``); see the module notes for the layout.

    Parameters
    ----------
    framework : Framework or str
        A framework with fixed leaves (e.g. ``"project_key"``).
    units : DataFrame, mapping or sequence
        The projects to score: ``unit_id`` and ``name`` (e.g. :func:`perfeval.read_units`), a mapping id -> name,
        or ids. One worksheet per project, in this order.
    experts : DataFrame, path, mapping or sequence
        See :func:`read_experts`.
    out : str or Path
        Folder (created if needed). Each workbook is written atomically; other files are left alone.
    decimals : int, default 2
        Decimals a score may have (0: whole points). Data validation enforces the range; :func:`collect_sheets`
        enforces the decimals.
    lang : {"zh", "en"}
    password : str, optional
        Sheet and workbook protection password (none by default: protection then prevents accidents only).
    scores : DataFrame, optional
        Ratings ``unit_id, node_code, rater_id, score[, comment]`` written into the score cells (filled sheets:
        the sample province, tests). Rows of experts or projects not issued are ignored.
    overwrite : bool, default False
        Replace workbooks that already exist in ``out``. By default an existing ``<expert_id>.xlsx`` (perhaps
        already filled in by its expert) is a ``file_exists`` error and nothing is written.

    Returns
    -------
    list of Path
        The workbooks written, in the experts' order.
    """
    from openpyxl import Workbook

    if lang not in _LABELS:
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)) or not 0 <= decimals <= 6:
        raise ValueError(f"`decimals` must be an integer from 0 to 6; got {decimals!r}.")
    fw = load_framework(framework)
    layout = sheet_layout(fw)
    unit_table = _units_table(units)
    expert_table = read_experts(experts)
    filled = _filled(scores)
    out = Path(out)
    if not overwrite:
        exists = [out / f"{e}.xlsx" for e in expert_table["expert_id"] if (out / f"{e}.xlsx").exists()]
        if exists:
            raise InputError(problems=[Problem(str(p), "file_exists",
                                               "a workbook of this expert exists already (perhaps filled in); "
                                               "choose another folder or pass overwrite=True (--overwrite)")
                                       for p in exists])
    written = []
    for expert_id, expert_name in zip(expert_table["expert_id"], expert_table["name"]):
        wb = Workbook()
        wb.remove(wb.active)
        for unit_id, unit_name in zip(unit_table[UNIT_ID], unit_table["name"]):
            ws = wb.create_sheet(unit_id)
            _write_project_sheet(ws, fw, layout, expert_id, expert_name, unit_id, unit_name, int(decimals), lang,
                                 password, filled.get((expert_id, unit_id), {}))
        meta = wb.create_sheet(META_SHEET)
        record = [("format", ID_PREFIX), ("expert", expert_id), ("expert_name", expert_name),
                  ("framework", fw.name), ("version", fw.version), ("structure", layout.structure),
                  ("decimals", str(int(decimals))), ("lang", lang), ("units", ";".join(unit_table[UNIT_ID]))]
        for r, (key, value) in enumerate(record, start=1):
            _text(meta.cell(r, 1), key)
            _text(meta.cell(r, 2), value)
        meta.sheet_state = "veryHidden"
        meta.protection.sheet = True
        if password:
            meta.protection.password = password
        from openpyxl.workbook.protection import WorkbookProtection

        wb.security = WorkbookProtection(lockStructure=True)
        if password:
            wb.security.workbookPassword = password
        wb.active = 0
        path = out / f"{expert_id}.xlsx"
        with atomic_path(path) as tmp:
            wb.save(tmp)
        written.append(path)
    return written


def _filled(scores: pd.DataFrame | None) -> dict[tuple[str, str], dict[str, tuple[Any, str]]]:
    if scores is None:
        return {}
    from ..columns import PANEL_ALIASES, resolve_columns

    frame = scores.rename(columns=resolve_columns(scores.columns, PANEL_ALIASES))
    out: dict[tuple[str, str], dict[str, tuple[Any, str]]] = {}
    comments = frame["comment"] if "comment" in frame else pd.Series([""] * len(frame), index=frame.index)
    for u, n, r, s, c in zip(frame[UNIT_ID], frame[NODE_CODE], frame[RATER_ID], frame[SCORE], comments):
        value = s.item() if isinstance(s, np.generic) else s
        text = "" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c)
        out.setdefault((str(r), str(u)), {})[str(n)] = (value, text)
    return out


def _write_project_sheet(ws, fw: Framework, layout: SheetLayout, expert_id: str, expert_name: str, unit_id: str,
                         unit_name: str, decimals: int, lang: str, password: str | None,
                         filled: Mapping[str, tuple[Any, str]]) -> None:
    from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
    from openpyxl.styles import Font as _Font
    from openpyxl.worksheet.datavalidation import DataValidation

    def Font(**style):  # noqa: N802  the workbook's default face everywhere (a bare Font() has none)
        return _Font(name="Calibri", **style)

    lab = _LABELS[lang]
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    editable = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    last = layout.comment_col
    L = layout.letter

    def merged_text(row: int, first: int, end: int, text: str, **style) -> None:
        cell = ws.cell(row, first)
        _text(cell, text)
        for k, v in style.items():
            setattr(cell, k, v)
        if end > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=end)

    title = fw.title_en if lang == "en" and fw.title_en else fw.title
    merged_text(1, 1, last, lab["title"].format(title=title), font=Font(bold=True, size=14), alignment=centre)
    ws.row_dimensions[1].height = 24
    merged_text(2, 1, last, lab["project"].format(unit_id=unit_id, name=unit_name), font=Font(bold=True),
                alignment=wrap)
    merged_text(3, 1, layout.points_col, lab["expert"].format(name=expert_name, code=expert_id), alignment=wrap)
    merged_text(3, layout.guidance_col, last, lab["framework"].format(name=fw.name, version=fw.version),
                alignment=wrap)
    note = lab["instructions" if decimals else "instructions0"].format(decimals=decimals)
    merged_text(4, 1, last, note, alignment=wrap, font=Font(size=9, color="404040"))
    ws.row_dimensions[4].height = 30
    headers = [*lab["levels"][:layout.depth], lab["points"], lab["guidance"], lab["score"], lab["comment"]]
    for c, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, c)
        _text(cell, text)
        cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), centre, box, header_fill
    # hidden column: the sheet id and the node codes
    _text(ws.cell(1, layout.code_col), _sheet_id(expert_id, unit_id, fw, layout.structure))
    _text(ws.cell(HEADER_ROW, layout.code_col), "node_code")
    validations: dict[float, DataValidation] = {}
    widths = {c: _display_width(h) + 2 for c, h in enumerate(headers, start=1)}
    nodes = {n.code: n for n, _, _ in fw.walk()}
    for code, row, level, is_leaf in layout.rows:
        node: Node = nodes[code]
        name = node.name_en if lang == "en" and node.name_en else node.name
        for c in range(1, last + 1):
            ws.cell(row, c).border = box
            ws.cell(row, c).alignment = wrap
        _text(ws.cell(row, level), name)
        ws.cell(row, level).font = Font(bold=not is_leaf)
        widths[level] = max(widths[level], min(_display_width(name) + 2, 24))
        points = ws.cell(row, layout.points_col, node.points)
        points.alignment = centre
        _text(ws.cell(row, layout.guidance_col), node.description)
        score = ws.cell(row, layout.score_col)
        score.alignment = centre
        comment = ws.cell(row, layout.comment_col)
        _text(ws.cell(row, layout.code_col), code)
        if is_leaf:
            value, text = filled.get(code, (None, ""))
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                score.value = value
            if text:
                _text(comment, text)
            for cell in (score, comment):
                cell.protection = Protection(locked=False)
                cell.fill = editable
            pts = float(node.points)
            if pts not in validations:
                shown = f"{pts:g}"
                dv = DataValidation(type="decimal" if decimals else "whole", operator="between", formula1="0",
                                    formula2=shown, allow_blank=True, showErrorMessage=True,
                                    showInputMessage=True, errorTitle=lab["error_title"],
                                    error=lab["error"].format(points=shown), promptTitle=lab["prompt_title"],
                                    prompt=lab["prompt"].format(points=shown))
                validations[pts] = dv
                ws.add_data_validation(dv)
            validations[pts].add(score.coordinate)
        else:
            score.value = _inner_formula(layout, layout.children[code])
            score.font = Font(bold=True)
        lines = max(1, math.ceil(_display_width(node.description) / 56), math.ceil(_display_width(name) / 22))
        ws.row_dimensions[row].height = max(18, 14 * lines + 4)
    total = layout.total_row
    for c in range(1, last + 1):
        ws.cell(total, c).border = box
        ws.cell(total, c).font = Font(bold=True)
    _text(ws.cell(total, 1), lab["total"])
    ws.cell(total, 1).alignment = centre
    if layout.depth > 1:
        ws.merge_cells(start_row=total, start_column=1, end_row=total, end_column=layout.depth)
    ws.cell(total, layout.points_col, float(fw.total)).alignment = centre
    ws.cell(total, layout.score_col, _total_formula(layout)).alignment = centre
    sig = layout.signature_row
    _text(ws.cell(sig, 1), lab["signature"])
    underline = Border(bottom=Side(style="thin", color="000000"))
    for c in range(2, layout.points_col + 1):
        ws.cell(sig, c).border = underline
    _text(ws.cell(sig, layout.guidance_col), lab["date"])
    ws.cell(sig, layout.guidance_col).alignment = Alignment(horizontal="right")
    for c in (layout.score_col, layout.comment_col):
        ws.cell(sig, c).border = underline
    ws.row_dimensions[sig].height = 30
    for c in range(1, layout.depth + 1):
        ws.column_dimensions[L(c)].width = max(widths[c], 10)
    ws.column_dimensions[L(layout.points_col)].width = 7
    ws.column_dimensions[L(layout.guidance_col)].width = 58
    ws.column_dimensions[L(layout.score_col)].width = 9
    ws.column_dimensions[L(layout.comment_col)].width = 28
    ws.column_dimensions[L(layout.code_col)].hidden = True
    ws.freeze_panes = ws.cell(FIRST_NODE_ROW, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{L(last)}{sig}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    if password:
        ws.protection.password = password


# ---------------------------------------------------------------------------------------------------------------
# collecting
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CollectedSheets:
    """Score sheets read back (returned by :func:`collect_sheets`).

    Attributes
    ----------
    ratings : pandas.DataFrame
        The long panel table ``unit_id, node_code, rater_id, score, comment`` (``score`` NaN where a cell was left
        empty and ``allow_missing`` was set), then ``source_file``, ``source_sheet``, ``source_cell``. Feeds
        :func:`perfeval.panel.aggregate` unchanged.
    missing : pandas.DataFrame
        What is missing: ``what`` (``empty_score`` / ``missing_sheet`` / ``missing_workbook``), ``rater_id``,
        ``unit_id``, ``node_code``, ``location``.
    problems : tuple of Problem
        The warnings (missing parts with ``allow_missing``); errors are raised instead.
    files : tuple of str
        The workbooks read.
    """

    ratings: pd.DataFrame
    missing: pd.DataFrame
    problems: tuple[Problem, ...] = ()
    files: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The long panel table (see :attr:`ratings`)."""
        return self.ratings

    def __repr__(self) -> str:
        return (f"CollectedSheets(files={len(self.files)}, ratings={len(self.ratings)}, "
                f"missing={len(self.missing)}, problems={len(self.problems)})")


def _loc(file: str, sheet: str | None = None, cell: str | None = None) -> str:
    if sheet is None:
        return file
    return f"{file}:{sheet}!{cell}" if cell else f"{file}:{sheet}"


def collect_sheets(directory: str | Path, *, framework: Framework | str | None = None,
                   experts: pd.DataFrame | str | Path | Mapping[str, str] | Sequence[str] | None = None,
                   allow_missing: bool = False) -> CollectedSheets:
    """Read the score workbooks of a folder back into the long panel table, checking every sheet.

    Parameters
    ----------
    directory : str or Path
        The folder of ``<expert_id>.xlsx`` workbooks made by :func:`write_sheets` and filled by the experts
        (other ``.xlsx`` files there are reported as ``not_a_score_sheet``; files starting with ``~$`` or ``.``,
        Excel's lock files, are skipped).
    framework : Framework or str, optional
        The framework the sheets must be for; by default the one named in the sheets' ids (a shipped framework).
    experts : optional
        The experts the workbooks were issued to (see :func:`read_experts`); an expert without a workbook is
        ``missing_workbook``. By default the workbooks found are the experts.
    allow_missing : bool, default False
        Report empty score cells, absent sheets and absent workbooks as warnings (listed in
        :attr:`CollectedSheets.missing`) and keep going; by default they are errors like the others.

    Returns
    -------
    CollectedSheets

    Raises
    ------
    InputError
        Every problem of every sheet at once, each located ``file:sheet!cell`` (codes :data:`PROBLEM_CODES`).
    """
    from openpyxl import load_workbook

    directory = Path(directory)
    if not directory.is_dir():
        raise InputError.single(str(directory), "not_a_directory", "the score sheets folder does not exist")
    fw = load_framework(framework) if framework is not None else None
    files = sorted(p for p in directory.glob("*.xlsx") if not p.name.startswith(("~$", ".")))
    problems: list[Problem] = []
    missing: list[dict[str, str]] = []
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    layouts: dict[tuple[str, str], tuple[Framework, SheetLayout] | None] = {}
    found_experts: list[str] = []

    def miss(what: str, location: str, message: str, rater: str = "", unit: str = "", node: str = "") -> None:
        problems.append(Problem(location, what, message, "warning" if allow_missing else "error"))
        missing.append({"what": what, RATER_ID: rater, UNIT_ID: unit, NODE_CODE: node, "location": location})

    from .._io_util import note_input, regular_file
    from ..io.tables import workbook_too_large

    for path in files:
        file = str(path)
        why = regular_file(path, "score sheet") or workbook_too_large(path)  # never open a FIFO or a zip bomb
        if why:
            problems.append(Problem(file, "unreadable_file", why))
            continue
        note_input(path)  # an output must never overwrite a collected workbook
        try:
            wb = load_workbook(path, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
            problems.append(Problem(file, "unreadable_file", f"not a readable XLSX workbook ({type(exc).__name__})"))
            continue
        meta = _read_meta(wb)
        if meta is None:
            problems.append(Problem(file, "not_a_score_sheet",
                                    f"no {META_SHEET!r} record: this workbook was not made by `perfeval panel "
                                    "sheets`"))
            continue
        expert = meta.get("expert", "")
        found_experts.append(expert)
        if expert != path.stem:
            problems.append(Problem(_loc(file, META_SHEET, "B2"), "wrong_expert",
                                    f"this workbook was issued to expert {expert!r}, not {path.stem!r} as its file "
                                    "name says"))
        issued = [u for u in meta.get("units", "").split(";") if u]
        try:
            decimals = int(meta.get("decimals", "2"))
        except ValueError:
            decimals = 2
        present: set[str] = set()
        for ws in wb.worksheets:
            if ws.title == META_SHEET:
                continue
            sheet_id, id_cell = _find_id(ws)
            if sheet_id is None:
                problems.append(Problem(_loc(file, ws.title), "not_a_score_sheet",
                                        "no perfeval sheet id in this sheet (hidden column): it was not issued "
                                        "with the workbook"))
                continue
            unit, owner = sheet_id["unit"], sheet_id["expert"]
            where = _loc(file, ws.title, id_cell)
            key = (owner, unit)
            if key in seen:
                problems.append(Problem(_loc(file, ws.title), "duplicate_sheet",
                                        f"expert {owner!r}'s sheet for project {unit!r} appears twice (also at "
                                        f"{seen[key]})"))
                continue
            if owner != expert:
                problems.append(Problem(where, "wrong_expert",
                                        f"this sheet was issued to expert {owner!r}, not to {expert!r} whose "
                                        "workbook it is in"))
                continue
            if unit != ws.title:
                problems.append(Problem(where, "wrong_unit",
                                        f"this sheet was issued for project {unit!r}, its tab says {ws.title!r}"))
                continue
            if unit not in issued:
                problems.append(Problem(where, "unknown_unit",
                                        f"project {unit!r} is not among the projects issued in this workbook "
                                        f"({', '.join(issued)})"))
                continue
            seen[key] = _loc(file, ws.title)
            present.add(unit)
            resolved = _resolve_framework(sheet_id, fw, layouts, where, problems)
            if resolved is None:
                continue
            sheet_fw, layout = resolved
            if sheet_id["structure"] != layout.structure:
                problems.append(Problem(where, "edited_structure",
                                        f"the sheet was made from a different {sheet_fw.name!r} "
                                        f"{sheet_fw.version} framework (structure {sheet_id['structure']}, "
                                        f"expected {layout.structure}): reissue it"))
                continue
            edit = _structure_edit(ws, sheet_fw, layout, id_cell)
            if edit is not None:
                cell, message = edit
                problems.append(Problem(_loc(file, ws.title, cell), "edited_structure", message))
                continue
            records += _read_scores(ws, file, sheet_fw, layout, expert, unit, decimals, problems, miss)
        for unit in issued:
            if unit not in present and (expert, unit) not in seen:
                miss("missing_sheet", _loc(file, unit), f"the sheet of project {unit!r} is missing", expert, unit)
    if experts is not None:
        for expert_id in read_experts(experts)["expert_id"]:
            if expert_id not in found_experts:
                miss("missing_workbook", str(directory / f"{expert_id}.xlsx"),
                     f"no workbook from expert {expert_id!r}", expert_id)
    if not files:
        problems.append(Problem(str(directory), "missing_workbook", "no .xlsx workbook in this folder"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems=problems)
    columns = [UNIT_ID, NODE_CODE, RATER_ID, SCORE, "comment", "source_file", "source_sheet", "source_cell"]
    ratings = pd.DataFrame(records, columns=columns)
    ratings[SCORE] = ratings[SCORE].astype(float)
    return CollectedSheets(ratings=ratings,
                           missing=pd.DataFrame(missing, columns=["what", RATER_ID, UNIT_ID, NODE_CODE, "location"]),
                           problems=tuple(problems), files=tuple(str(p) for p in files))


def _read_meta(wb) -> dict[str, str] | None:
    if META_SHEET not in wb.sheetnames:
        return None
    ws = wb[META_SHEET]
    meta = {}
    for key, value in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if key is not None:
            meta[str(key)] = "" if value is None else str(value)
    return meta if meta.get("format") == ID_PREFIX else None


def _find_id(ws) -> tuple[dict[str, str] | None, str]:
    """The sheet id in row 1 (any column: the hidden code column unless columns were inserted or deleted)."""
    for cell in ws[1]:
        parsed = _parse_id(cell.value)
        if parsed is not None:
            return parsed, cell.coordinate
    return None, "A1"


def _resolve_framework(sheet_id: Mapping[str, str], fw: Framework | None,
                       cache: dict[tuple[str, str], tuple[Framework, SheetLayout] | None], where: str,
                       problems: list[Problem]) -> tuple[Framework, SheetLayout] | None:
    name, version = sheet_id["framework"], sheet_id["version"]
    if fw is not None:
        if name != fw.name:
            problems.append(Problem(where, "wrong_framework",
                                    f"this sheet was issued for framework {name!r}, not {fw.name!r}"))
            return None
        if version != fw.version:
            problems.append(Problem(where, "wrong_framework_version",
                                    f"this sheet was issued for version {version!r} of {name!r}; the framework "
                                    f"is version {fw.version!r}"))
            return None
    key = (name, version)
    if key not in cache:
        try:
            current = fw if fw is not None else load_framework(name)
            cache[key] = (current, sheet_layout(current)) if current.version == version else None
        except InputError:
            cache[key] = None
        if cache[key] is None and fw is None:
            problems.append(Problem(where, "wrong_framework_version",
                                    f"this sheet was issued for {name!r} version {version!r}, which is not the "
                                    "shipped framework; pass `framework=` (--framework) with that version"))
            return None
    return cache[key]


def _structure_edit(ws, fw: Framework, layout: SheetLayout, id_cell: str) -> tuple[str, str] | None:
    """The first locked cell that differs from what was issued (cell, message), or None."""
    L = layout.letter
    if id_cell != f"{L(layout.code_col)}1":
        return id_cell, (f"the sheet id moved from {L(layout.code_col)}1 to {id_cell}: columns were inserted or "
                         "deleted")
    nodes = {n.code: n for n, _, _ in fw.walk()}
    for code, row, level, is_leaf in layout.rows:
        node = nodes[code]
        got = ws.cell(row, layout.code_col).value
        if got != code:
            return (f"{L(layout.code_col)}{row}",
                    f"row {row} should be node {code!r}, found {got!r}: rows were inserted, deleted or moved")
        name = ws.cell(row, level).value
        if name not in (node.name, node.name_en):
            return f"{L(level)}{row}", f"the name of node {code!r} was changed to {name!r} (issued: {node.name!r})"
        points = ws.cell(row, layout.points_col).value
        if not isinstance(points, (int, float)) or isinstance(points, bool) or float(points) != float(node.points):
            return (f"{L(layout.points_col)}{row}",
                    f"the points of node {code!r} were changed to {points!r} (issued: {node.points:g})")
        if not is_leaf:
            expected = _inner_formula(layout, layout.children[code])
            if ws.cell(row, layout.score_col).value != expected:
                return (f"{L(layout.score_col)}{row}",
                        f"the subtotal formula of node {code!r} was changed (issued: {expected})")
    total = ws.cell(layout.total_row, layout.score_col).value
    if total != _total_formula(layout):
        return f"{L(layout.score_col)}{layout.total_row}", f"the total formula was changed (issued: " \
                                                           f"{_total_formula(layout)})"
    extra = ws.cell(layout.total_row + 1, layout.code_col).value
    if extra not in (None, ""):
        return f"{L(layout.code_col)}{layout.total_row + 1}", "rows were added below the total"
    return None


_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _read_scores(ws, file: str, fw: Framework, layout: SheetLayout, expert: str, unit: str, decimals: int,
                 problems: list[Problem], miss) -> list[dict[str, Any]]:
    L = layout.letter
    nodes = {n.code: n for n, _, _ in fw.walk()}
    records = []
    for code, row, _, is_leaf in layout.rows:
        if not is_leaf:
            continue
        cell = ws.cell(row, layout.score_col)
        where = _loc(file, ws.title, cell.coordinate)
        points = float(nodes[code].points)
        value = cell.value
        score = math.nan
        what = f"score of node {code!r} ({nodes[code].name})"
        if value is None or (isinstance(value, str) and not value.strip()):
            miss("empty_score", where, f"the {what} is empty", expert, unit, code)
        elif cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            problems.append(Problem(where, "formula_in_score",
                                    f"the {what} is a formula ({value}); type the score as a number"))
        elif isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.append(Problem(where, "not_numeric", f"the {what} must be a number; got {value!r}"))
        elif isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            if _NUMBER_TEXT.match(text):
                problems.append(Problem(where, "score_as_text",
                                        f"the {what} is the text {value!r}, not a number (Excel's totals ignore "
                                        "it); retype it as a number"))
            else:
                problems.append(Problem(where, "not_numeric", f"the {what} must be a number; got {value!r}"))
        elif not math.isfinite(float(value)):
            problems.append(Problem(where, "not_numeric", f"the {what} must be a number; got {value!r}"))
        else:
            score = float(value)
            if score < 0:
                problems.append(Problem(where, "score_out_of_range", f"the {what} must be >= 0; got {score:g}"))
            elif score > points + 1e-9:
                problems.append(Problem(where, "score_above_points",
                                        f"the {what} must be <= its points ({points:g}); got {score:g}"))
            elif abs(score * 10 ** decimals - round(score * 10 ** decimals)) > 1e-6:
                problems.append(Problem(where, "too_many_decimals",
                                        f"the {what} may have at most {decimals} decimal(s); got {score!r}"))
        comment = ws.cell(row, layout.comment_col).value
        records.append({UNIT_ID: unit, NODE_CODE: code, RATER_ID: expert, SCORE: score,
                        "comment": "" if comment is None else str(comment).strip(), "source_file": file,
                        "source_sheet": ws.title, "source_cell": f"{L(layout.score_col)}{row}"})
    return records
