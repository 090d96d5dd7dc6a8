"""The finding vocabulary of the standardization audit (规范性审核), one documented table.

Sources: **PMKPI** (the MOF budget-management platform's performance module: ``selfpositiveindex``,
``selfreverseindex``, ``selfqualscorecheck``, ``selfscoreproject``, the 90-point indicator total #54504033813, the
configurable 130 % over-achievement note), **Pidu** (the Chengdu Pidu 2025 re-check finding sheet,
PIDU#58030075274), **MOF-10** (财预〔2020〕10号 arts. 14-15) and **inference** (perfeval's reading where no source
states the rule). Severity is perfeval's [I]: ``high`` (the claimed score or total cannot stand), ``medium`` (a
rule is broken, the effect on the total is bounded) and ``low`` (a documentation gap).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import pandas as pd

__all__ = ["Finding", "FINDINGS", "SEVERITIES", "findings_table"]

#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Finding:
    """One code of the audit vocabulary.

    Attributes
    ----------
    code : str
    level : str
        ``"row"`` (an indicator row) or ``"unit"`` (the unit's funds block or totals).
    severity : str
        One of :data:`SEVERITIES`.
    meaning : str
    source : str
        ``PMKPI``, ``Pidu``, ``MOF-10`` or ``inference``, with the rule.
    """

    code: str
    level: str
    severity: str
    meaning: str
    source: str


_ALL = (
    Finding("met_underscored", "row", "medium",
            "the target was met (the rule gives full points) but the unit claimed less than the row's points",
            "PMKPI selfpositiveindex / selfreverseindex / selfequalindex: a met target scores full points"),
    Finding("unmet_full_score", "row", "high",
            "the target was missed (or a <= cap exceeded) but the unit claimed the full points",
            "PMKPI selfpositiveindex: actual < target scores actual / target x points"),
    Finding("score_differs_from_rule", "row", "medium",
            "the claimed score differs from the rule's score by more than the tolerance (other cases)",
            "PMKPI scoring rules (domain.md §5.3)"),
    Finding("score_out_of_band", "row", "high",
            "a qualitative score outside its level's band (met [0.8, 1], partly [0.6, 0.8), not met [0, 0.6) of "
            "the points), or any claimed score outside [0, points]",
            "MOF-10 art. 15; PMKPI selfqualscorecheck"),
    Finding("actual_restates_target", "row", "high",
            "the actual value restates the target (e.g. ≥95%) instead of reporting a measurement: the row cannot "
            "be verified and scores 0",
            "Pidu (不具考核性); PMKPI scores an empty actual 0"),
    Finding("not_reported", "row", "high",
            "the actual value (实际完成值) is empty: the indicator was not reported and scores 0 (not a missed "
            "target: there is nothing to compare); a score claimed on it is unsupported",
            "PMKPI scores an empty actual 0; MOF-10 art. 15 (scores rest on the completion reported)"),
    Finding("missing_target", "row", "high",
            "the target (年度指标值) is empty: the indicator is not assessable and scores 0",
            "Pidu (不具考核性, severe cases deducted to 0)"),
    Finding("cost_indicator_ge", "row", "medium",
            "a cost indicator (second level 成本) written with ≥, which rewards spending more; re-scored with ≤ (a "
            "saving rate such as 成本节约率 ≥5 % is not one)",
            "Pidu: a cost indicator must not use ≥"),
    Finding("unexplained_over_achievement", "row", "low",
            "a target exceeded by the over-achievement ratio (130 %) or more with no explanation (偏差原因)",
            "PMKPI #54504033813 (Guangxi, 130 % configurable); Pidu annotates instead of deducting"),
    Finding("double_counted_execution", "row", "medium",
            "an output indicator about spending (预算执行 / 资金支出 / 支出进度 ...) scored below full for the "
            "under-spending the execution row already penalises",
            "inference: MOF-10 art. 14 scores budget execution once, in its own 10 points"),
    Finding("execution_score_differs", "unit", "medium",
            "the claimed budget-execution points differ from executed / budget x 10 (including points rounded or "
            "truncated to a whole number)",
            "PMKPI selfscoreproject"),
    Finding("executed_above_budget", "unit", "medium",
            "the amount executed exceeds the budget the rate is taken on",
            "inference (a funds-block inconsistency; the rate is capped at 100 %)"),
    Finding("total_not_sum_of_rows", "unit", "high",
            "the claimed total (总分) is not the claimed execution points plus the claimed indicator scores",
            "PMKPI: the total is the sum of the row scores"),
    Finding("points_not_total", "unit", "high",
            "the indicator points do not add up to the framework's indicator total (90 in project_self; e.g. 100)",
            "PMKPI #54504033813; MOF-10 art. 14 (execution 10 + indicators 90)"),
    Finding("l1_points_nondefault", "unit", "low",
            "a first-level node's indicator points depart from the framework's (产出 60 / 效益 20 instead of 50 / 30 "
            "in project_self); allowed \"in special cases\", so a notice for the reviewer, and scored as given",
            "MOF-10 art. 14: 产出 50, 效益 30, 满意度 10, adjustable 如有特殊情况 (in special cases)"),
    Finding("all_full_marks", "unit", "medium",
            "every row and the execution claimed at full points and a total of 100 that the reported values do "
            "not support (the rules give less; a 100 the rules confirm is not a finding)",
            "Pidu: all self-evaluations at 100 = 自评流于形式 (a formality)"),
)

#: The vocabulary: code -> :class:`Finding`.
FINDINGS: Mapping[str, Finding] = MappingProxyType({f.code: f for f in _ALL})


def findings_table() -> pd.DataFrame:
    """The vocabulary as a table: ``code, level, severity, meaning, source``.

    Examples
    --------
    >>> findings_table().set_index("code").loc["all_full_marks", "source"][:4]
    'Pidu'
    """
    return pd.DataFrame([{"code": f.code, "level": f.level, "severity": f.severity, "meaning": f.meaning,
                          "source": f.source} for f in _ALL])
