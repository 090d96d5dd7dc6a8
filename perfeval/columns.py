"""Canonical column names of every tidy frame, and the Chinese header aliases users' files carry.

The aliases follow ``docs/data-format.md``: real users keep data in Excel or in CSV exported on Chinese Windows
with the headers of the standard forms (项目编码, 三级指标, 年度指标值 ...). :func:`resolve_columns` maps a file's
headers to the canonical names; unknown columns are kept as they are, never dropped.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

__all__ = [
    "UNIT_ID", "L1", "L2", "INDICATOR", "INDICATOR_CODE", "OP", "TARGET", "ACTUAL", "UNIT", "POINTS",
    "LEVEL", "SCORE", "APPLICABLE", "NOTE", "NODE_CODE", "PARENT_CODE", "RATER_ID", "RATING", "MONTH",
    "BUDGET_INITIAL", "BUDGET_FULL_YEAR", "BUDGET_ADJUSTED", "FUNDS_IN_PLACE", "EXECUTED", "CLAIMED_TOTAL",
    "OBSERVATION_ALIASES", "BUDGET_ALIASES", "UNITS_ALIASES", "PANEL_ALIASES", "RECHECK_ALIASES",
    "MONITORING_ALIASES", "EXANTE_ALIASES", "OBSERVATION_REQUIRED", "BUDGET_REQUIRED",
    "normalize_header", "resolve_columns",
]

# --- observations (indicators.csv): one row per (unit, indicator) --------------------------------------------
UNIT_ID = "unit_id"
L1 = "l1"
L2 = "l2"
INDICATOR = "indicator"
INDICATOR_CODE = "indicator_code"
OP = "op"
TARGET = "target"
ACTUAL = "actual"
UNIT = "unit"
POINTS = "points"
LEVEL = "level"
SCORE = "score"
APPLICABLE = "applicable"
NOTE = "note"

# --- budget (budget.csv): one row per unit ---------------------------------------------------------------------
BUDGET_INITIAL = "budget_initial"
BUDGET_FULL_YEAR = "budget_full_year"
BUDGET_ADJUSTED = "budget_adjusted"
FUNDS_IN_PLACE = "funds_in_place"
EXECUTED = "executed"
CLAIMED_TOTAL = "claimed_total"

# --- long result / rating frames -------------------------------------------------------------------------------
NODE_CODE = "node_code"
PARENT_CODE = "parent_code"
RATER_ID = "rater_id"
RATING = "rating"
MONTH = "month"

# canonical name -> accepted header spellings (canonical English names are always accepted as well)
OBSERVATION_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: ("项目编码", "单位编码", "项目代码", "单位代码", "地区编码", "编码", "id"),
    L1: ("一级指标", "level1"),
    L2: ("二级指标", "level2"),
    INDICATOR: ("三级指标", "指标名称", "indicator_name", "level3"),
    INDICATOR_CODE: ("指标编码", "指标代码", "code"),
    OP: ("指标性质", "计算符号", "operator"),
    TARGET: ("年度指标值", "指标值", "目标值", "年度目标值", "target_value"),
    ACTUAL: ("实际完成值", "完成值", "实际值", "全年实际值", "actual_value"),
    UNIT: ("计量单位", "度量单位", "单位"),
    POINTS: ("分值", "权重", "weight"),
    LEVEL: ("完成等级", "完成情况等级", "达成情况"),
    SCORE: ("得分", "claimed_score"),
    APPLICABLE: ("是否适用", "适用"),
    NOTE: ("偏差原因分析及改进措施", "偏差原因", "备注", "notes"),
}

BUDGET_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: OBSERVATION_ALIASES[UNIT_ID],
    BUDGET_INITIAL: ("年初预算数", "年初预算"),
    BUDGET_FULL_YEAR: ("全年预算数", "全年预算", "预算数"),
    BUDGET_ADJUSTED: ("调整后预算数", "调整后预算"),
    FUNDS_IN_PLACE: ("到位资金", "资金到位数", "到位数"),
    EXECUTED: ("全年执行数", "执行数", "支出数"),
    SCORE: ("得分", "execution_score"),
    CLAIMED_TOTAL: ("总分", "自评总分"),
}

UNITS_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: OBSERVATION_ALIASES[UNIT_ID],
    "name": ("项目名称", "单位名称", "名称"),
    "kind": ("类型", "对象类型"),
    "department_id": ("主管部门编码", "部门编码"),
    "year": ("年度", "预算年度"),
    "project_type": ("项目类型",),
    "is_new": ("是否新增", "新增项目"),
    "rigid": ("刚性支出", "是否刚性支出"),
    "category": ("评价类别",),
}

PANEL_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: OBSERVATION_ALIASES[UNIT_ID],
    NODE_CODE: ("指标编码", "节点编码"),
    RATER_ID: ("专家编码", "专家", "评分人"),
    SCORE: ("得分", "评分"),
    LEVEL: ("等级",),
}

RECHECK_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: OBSERVATION_ALIASES[UNIT_ID],
    "recheck_total": ("复核得分", "复核总分", "再评价得分"),
    "recheck_score": ("复核指标得分",),
}

MONITORING_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: OBSERVATION_ALIASES[UNIT_ID],
    MONTH: ("月份", "月"),
    INDICATOR: OBSERVATION_ALIASES[INDICATOR],
    "value": ("累计完成值", "完成值", "累计执行数"),
    "forecast": ("完成目标可能性",),
    NOTE: ("偏差原因", "备注"),
}

EXANTE_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT_ID: OBSERVATION_ALIASES[UNIT_ID],
    NODE_CODE: ("指标编码", "节点编码"),
    SCORE: ("得分",),
    LEVEL: ("等级",),
}

OBSERVATION_REQUIRED: tuple[str, ...] = (UNIT_ID, L1, INDICATOR, TARGET, ACTUAL, POINTS)
BUDGET_REQUIRED: tuple[str, ...] = (UNIT_ID, BUDGET_FULL_YEAR, EXECUTED)

_SPACE = re.compile(r"[\s\u3000]+")


def normalize_header(text: object) -> str:
    """Header text as compared: full-width spaces and line breaks removed, ASCII lower case, ``(万元)`` dropped."""
    s = _SPACE.sub("", str(text)).strip()
    s = re.sub(r"[（(][^）)]*[）)]$", "", s)  # trailing unit note such as （万元） or (%)
    return s.lower()


def resolve_columns(headers: Iterable[object], aliases: Mapping[str, tuple[str, ...]]) -> dict[object, str]:
    """Map each header that names a known column to its canonical name.

    Returns ``{original_header: canonical_name}`` for recognised headers only; other headers are left to the
    caller, who keeps them. When two headers map to the same canonical name, the first wins and the second is
    left unmapped (the caller may report it).
    """
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        lookup.setdefault(normalize_header(canonical), canonical)
        for name in names:
            lookup.setdefault(normalize_header(name), canonical)
    mapping: dict[object, str] = {}
    taken: set[str] = set()
    for header in headers:
        canonical = lookup.get(normalize_header(header))
        if canonical is not None and canonical not in taken:
            mapping[header] = canonical
            taken.add(canonical)
    return mapping


def accepted_names(canonical: str, aliases: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every header accepted for ``canonical`` (for error messages)."""
    return [canonical, *aliases.get(canonical, ())]
