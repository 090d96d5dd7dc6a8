"""Report text drafted from the data, in Chinese and English, and the evaluator's notes that finish it.

An evaluation report (MOF 财预〔2020〕10号 附件3 outline, ``report-outlines.md``) has sections whose text follows
from the numbers: the conclusion (total, grade, rank, execution), the analysis by indicator (points lost and where),
the problems found (audit findings, missed targets, low execution, red monitoring lights, low-scoring nodes,
experts who disagree, re-check deviations) and one recommendation per problem. This module drafts them as
:class:`Draft` objects: every draft carries both languages, the section it belongs to, the unit, a ``code`` saying
what kind of problem it is, and its ``source`` (the finding, file and row, or the result it was read from), and is
marked as drafted so the report shows it as 初稿 for the evaluator to check.

An evaluator's notes file (:func:`read_notes`, YAML or Markdown) keyed by unit and section adds paragraphs to a
section or replaces the drafted ones; :func:`section_blocks` puts drafts and notes together as report paragraphs.

Sections (:data:`SECTIONS`): ``basic`` (一、基本情况), ``method`` (二、评价工作开展情况), ``conclusion``
(三、综合评价情况及评价结论), ``indicators`` (四、绩效评价指标分析), ``problems`` (五、存在的问题及原因分析),
``recommendations`` (六、有关建议), ``other`` (七、其他需要说明的问题).

Numbers in the text are display texts: totals and scores rounded down (:func:`perfeval._display.fmt_number` with
``floor``; 89.996 reads 89.99, never 90.00), other numbers rounded half away from zero.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._display import fmt_number
from ._result_lookup import grade_text, node_label, total_row
from .errors import InputError, Problem

__all__ = ["Draft", "SECTIONS", "SECTION_ALIASES", "LIMITS", "Notes", "Note", "read_notes", "unit_name",
           "draft_conclusion", "draft_indicator_analysis", "draft_problems", "draft_recommendations",
           "draft_method", "section_blocks", "drafts_frame", "FINDING_TEXTS", "OUTLINES", "headings", "title",
           "WarningLog", "caption", "CAPTIONS", "draft_other", "draft_portfolio", "dataset_name",
           "draft_weight_study", "draft_exante", "draft_monitoring"]

#: Report sections, in outline order.
SECTIONS: tuple[str, ...] = ("basic", "method", "conclusion", "indicators", "problems", "recommendations", "other")

#: Names a notes file may use for a section (Chinese outline words and English names).
SECTION_ALIASES: Mapping[str, str] = {
    **{s: s for s in SECTIONS},
    "基本情况": "basic", "评价工作开展情况": "method", "评价工作": "method", "综合评价情况及评价结论": "conclusion",
    "评价结论": "conclusion", "结论": "conclusion", "绩效评价指标分析": "indicators", "指标分析": "indicators",
    "存在的问题": "problems", "问题": "problems", "存在的问题及原因分析": "problems", "有关建议": "recommendations",
    "建议": "recommendations", "其他": "other", "其他需要说明的问题": "other",
}

#: Thresholds of the drafts (documented defaults; every draft function takes them as keywords).
LIMITS: Mapping[str, float] = {
    "low_achievement": 0.6,     # a node scoring below 60 % of its points is low-scoring (the 中/差 edge)
    "low_execution": 0.9,       # an execution rate below 90 % is a problem (the 优 edge of the execution points)
    "expert_spread": 0.5,       # experts disagree when max - min >= 50 % of the node's points
    "recheck_deviation": 5.0,   # self - re-check beyond 5 points (or a grade change) is a problem
    "max_items": 6,             # at most this many missed-target / low-node drafts per unit (largest losses)
}


@dataclass(frozen=True, slots=True)
class Draft:
    """One drafted paragraph of a report.

    Attributes
    ----------
    section : str
        One of :data:`SECTIONS`.
    unit_id : str
    code : str
        What it is about: an audit finding code (``audit.unmet_full_score``), ``missed_target``,
        ``low_execution``, ``red_light``, ``low_node``, ``expert_disagreement``, ``recheck_deviation``,
        ``conclusion``, ``indicator_analysis``, ``no_problem`` ...
    zh, en : str
        The text in Chinese and English.
    source : str
        Where it comes from: ``audit:<code> indicators.csv:683``, ``score:<node_code>``, ``monitoring:<month>`` ...
        (file names only, never a path of the machine).
    severity : str
        ``high``, ``medium`` or ``low`` (problems); ``""`` otherwise.
    drafted : bool
        Always True for drafts; a :class:`Note` is not drafted.
    data : mapping
        What the recommendation is drafted from (``name`` of the indicator, ``name_en``, ``action_zh``,
        ``action_en`` of a monitoring light).
    """

    section: str
    unit_id: str
    code: str
    zh: str
    en: str
    source: str = ""
    severity: str = ""
    drafted: bool = True
    data: Mapping[str, str] = field(default_factory=dict, compare=False)

    def text(self, lang: str = "zh") -> str:
        """The text in ``lang``."""
        _check_lang(lang)
        return self.zh if lang == "zh" else self.en


def _check_lang(lang: Any) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")


def _pts(x: Any) -> str:
    """A score or total: rounded down at 2 places."""
    return fmt_number(_float(x), 2, floor=True)


def _num(x: Any, decimals: int = 2) -> str:
    value = _float(x)
    if value is not None and math.isfinite(value) and float(value).is_integer() and abs(value) < 1e12:
        return str(int(value))
    return fmt_number(value, decimals)


def _pct(share: Any, decimals: int = 2) -> str:
    value = _float(share)
    return fmt_number(None if value is None else value * 100, decimals) + "%"


def _float(x: Any) -> float | None:
    if x is None or x is pd.NA:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _file_row(location: Any) -> str:
    """``file:row`` of a located problem, without the folder (no absolute paths in reports)."""
    text = "" if location is None or (isinstance(location, float) and math.isnan(location)) else str(location)
    if not text:
        return ""
    parts = text.split(":")
    name = Path(parts[0]).name
    return ":".join([name, *parts[1:2]]) if len(parts) > 1 else name


def unit_name(units: pd.DataFrame | None, unit_id: Any) -> str:
    """The unit's name from a units table (``unit_id, name``), or ``""`` when unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> unit_name(pd.DataFrame({"unit_id": ["001"], "name": ["示例省教育厅"]}), "001")
    '示例省教育厅'
    >>> unit_name(None, "001")
    ''
    """
    if units is None or "unit_id" not in units or "name" not in units:
        return ""
    hit = units.loc[units["unit_id"].astype(str) == str(unit_id), "name"]
    return "" if not len(hit) or pd.isna(hit.iloc[0]) else str(hit.iloc[0]).strip()


def _label(units: pd.DataFrame | None, unit_id: Any, lang: str) -> str:
    name = unit_name(units, unit_id)
    if not name:
        return str(unit_id)
    return f"{name}（{unit_id}）" if lang == "zh" else f"{name} ({unit_id})"


def _unit_nodes(result: Any, unit_id: Any) -> pd.DataFrame:
    nodes = result.nodes
    rows = nodes[nodes["unit_id"].astype(str) == str(unit_id)]
    if not len(rows):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} is not in the result")
    return rows


#: Points lost below this are not reported (they would show as 0.00 at the display precision).
_SHOWN_LOSS = 0.01 - 1e-9

#: Rules whose rows are judged rather than measured: a loss there is "points deducted", not a missed target.
_JUDGED_RULES = frozenset({"qualitative", "evaluator", "deduction"})


def _leaves(rows: pd.DataFrame) -> pd.DataFrame:
    parents = set(rows["parent_code"].dropna().astype(str))
    return rows[~rows["node_code"].astype(str).isin(parents)]


# --------------------------------------------------------------------------------------------------------------
# conclusion and analysis by indicator
# --------------------------------------------------------------------------------------------------------------
def draft_conclusion(result: Any, unit_id: Any, *, units: pd.DataFrame | None = None, rank: Any = None,
                     year: Any = None) -> Draft:
    """The overall verdict (三、综合评价情况及评价结论): total, grade, rank among peers, execution, strongest and
    weakest first-level indicator.

    Parameters
    ----------
    result : ScoreResult
    unit_id : str
    units : DataFrame, optional
        For the unit's name.
    rank : PeerRank, optional
        From :func:`perfeval.peers.rank_among_peers`; adds "在 n 个同类单位中排第 k 位".
    year : int, optional
        The budget year named in the sentence.

    Returns
    -------
    Draft
        ``section="conclusion"``, ``code="conclusion"``.

    Examples
    --------
    >>> import pandas as pd, perfeval as pe
    >>> obs = pd.DataFrame({"unit_id": "P1", "node_code": ["output.quantity.1", "effect.social.1"],
    ...                     "indicator": ["完成数", "受益率"], "l1": ["产出指标", "效益指标"],
    ...                     "l2": ["数量指标", "社会效益指标"], "points": [50.0, 40.0], "score": [45.0, 40.0]})
    >>> from types import SimpleNamespace
    >>> res = SimpleNamespace(totals=pd.DataFrame({"unit_id": ["P1"], "total": [89.996], "grade": ["良"],
    ...                                             "execution_rate": [0.955]}),
    ...                       nodes=pd.DataFrame({"unit_id": "P1", "node_code": ["output", "effect"],
    ...                                           "parent_code": None, "level": 1, "name": ["产出指标", "效益指标"],
    ...                                           "points": [50.0, 40.0], "score": [44.996, 40.0],
    ...                                           "achievement": [0.89992, 1.0], "applicable": True}))
    >>> d = draft_conclusion(res, "P1", year=2023)
    >>> d.zh
    '2023年度绩效评价综合得分89.99分，评价等级为“良”。预算执行率95.50%。一级指标中，效益指标得分率最高（100.00%），产出指标最低（89.99%）。'
    """
    row = total_row(result, unit_id)
    total, grade = row["total"], str(row["grade"])
    year_zh = f"{year}年度" if year not in (None, "") else ""
    year_en = f"{year} " if year not in (None, "") else ""
    name = unit_name(units, unit_id)
    who_zh = f"{name}" if name else ""
    who_en = f"{name}: " if name else ""
    zh = f"{who_zh}{year_zh}绩效评价综合得分{_pts(total)}分，评价等级为“{grade}”"
    en = (f"{who_en}the {year_en}performance evaluation gives a total of {_pts(total)} points, grade "
          f"“{grade_text(result, grade, 'en')}”")
    if rank is not None:
        tied_zh = "（并列）" if getattr(rank, "ties", 0) else ""
        tied_en = " (tied)" if getattr(rank, "ties", 0) else ""
        zh += f"，在{rank.n}个同类单位中排第{rank.rank}位{tied_zh}"
        en += f", rank {rank.rank} of {rank.n} peers{tied_en}"
    zh += "。"
    en += "."
    rate = _float(row.get("execution_rate"))
    if rate is not None:
        zh += f"预算执行率{_pct(rate)}。"
        en += f" Budget execution rate {_pct(rate)}."
    level1 = _unit_nodes(result, unit_id)
    level1 = level1[(level1["level"] == 1) & level1["applicable"].astype(bool) & (level1["points"] > 0)]
    if len(level1) >= 2:
        ach = level1["achievement"].astype(float)
        best, worst = level1.loc[ach.idxmax()], level1.loc[ach.idxmin()]
        if ach.max() > ach.min():
            zh += (f"一级指标中，{best['name']}得分率最高（{_pct(best['achievement'])}），"
                   f"{worst['name']}最低（{_pct(worst['achievement'])}）。")
            en += (f" Among the first-level indicators {node_label(result, best['node_code'], best['name'], 'en')} scores "
                   f"best ({_pct(best['achievement'])}) and {node_label(result, worst['node_code'], worst['name'], 'en')} "
                   f"worst ({_pct(worst['achievement'])}).")
    return Draft("conclusion", str(unit_id), "conclusion", zh, en, source="score:totals")


def draft_indicator_analysis(result: Any, unit_id: Any, *, top: int = 3) -> list[Draft]:
    """One paragraph per first-level indicator (四、绩效评价指标分析): points, score, rate, and where points were
    lost (the ``top`` leaves that lost most).

    Returns
    -------
    list of Draft
        ``section="indicators"``, ``code="indicator_analysis"``, ``source="score:<node_code>"``; framework order.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> nodes = pd.DataFrame({"unit_id": "P1", "node_code": ["output", "output.a", "output.b"],
    ...                       "parent_code": [None, "output", "output"], "level": [1, 2, 2],
    ...                       "name": ["产出指标", "数量", "质量"], "points": [20.0, 10.0, 10.0],
    ...                       "score": [16.5, 10.0, 6.5], "achievement": [0.825, 1.0, 0.65], "applicable": True})
    >>> [d.zh for d in draft_indicator_analysis(SimpleNamespace(nodes=nodes), "P1")]
    ['产出指标：分值20分，得16.50分，得分率82.50%。失分在质量（失3.50分）。']
    """
    rows = _unit_nodes(result, unit_id)
    leaves = _leaves(rows)
    out = []
    for _, node in rows[rows["level"] == 1].iterrows():
        code = str(node["node_code"])
        name_en = node_label(result, code, str(node["name"]), "en")
        if not bool(node["applicable"]) or not (_float(node["points"]) or 0) > 0:
            out.append(Draft("indicators", str(unit_id), "indicator_analysis", f"{node['name']}：不适用，不计分。",
                             f"{name_en}: not applicable, not scored.", source=f"score:{code}"))
            continue
        zh = (f"{node['name']}：分值{_num(node['points'])}分，得{_pts(node['score'])}分，"
              f"得分率{_pct(node['achievement'])}。")
        en = (f"{name_en}: {_num(node['points'])} points, scored {_pts(node['score'])} "
              f"({_pct(node['achievement'])}).")
        below = leaves[(leaves["node_code"].astype(str) == code)
                       | leaves["node_code"].astype(str).str.startswith(code + ".")]
        below = below[below["applicable"].astype(bool)]
        lost = (below["points"].astype(float) - below["score"].astype(float)).round(9)
        lost = lost[lost >= _SHOWN_LOSS].sort_values(ascending=False, kind="stable").head(top)
        if len(lost):
            items_zh = "、".join(f"{rows.loc[i, 'name']}（失{_pts(v)}分）" for i, v in lost.items())
            items_en = ", ".join(f"{node_label(result, rows.loc[i, 'node_code'], rows.loc[i, 'name'], 'en')} "
                                 f"({_pts(v)} lost)" for i, v in lost.items())
            zh += f"失分{'主要' if len(lost) > 1 else ''}在{items_zh}。"
            en += f" Points were lost {'mainly ' if len(lost) > 1 else ''}on {items_en}."
        else:
            zh += "各项指标均得满分。"
            en += " Every indicator scored its full points."
        out.append(Draft("indicators", str(unit_id), "indicator_analysis", zh, en, source=f"score:{code}"))
    return out


# --------------------------------------------------------------------------------------------------------------
# problems
# --------------------------------------------------------------------------------------------------------------
#: Audit finding code -> (problem zh, problem en, recommendation zh, recommendation en); ``{indicator}``,
#: ``{claimed}``, ``{expected}`` are filled from the finding.
FINDING_TEXTS: Mapping[str, tuple[str, str, str, str]] = {
    "met_underscored": (
        "自评打分不规范：“{indicator}”已完成年度指标值，应得{expected}分，自评仅填报{claimed}分。",
        "Self-scoring irregular: “{indicator}” met its target and earns {expected} points, but {claimed} was claimed.",
        "按评分规则据实评分：已完成目标的指标应得满分。",
        "Score by the rules: an indicator that met its target earns its full points."),
    "unmet_full_score": (
        "自评结果不准确：“{indicator}”未完成年度指标值，按规则应得{expected}分，自评却按满分{claimed}分填报。",
        "Self-evaluation inaccurate: “{indicator}” missed its target and earns {expected} points by the rules, yet "
        "the full {claimed} points were claimed.",
        "严格按实际完成值与指标值的比例计分，未完成目标的指标不得按满分自评；对虚高自评的情况予以纠正。",
        "Score missed targets in proportion to what was achieved; never claim full points for a missed target, and "
        "correct the inflated score."),
    "score_differs_from_rule": (
        "自评得分与评分规则不符：“{indicator}”自评{claimed}分，按规则应为{expected}分。",
        "Claimed score differs from the rule: “{indicator}” claimed {claimed}, the rule gives {expected}.",
        "对照评分规则复核该指标得分，并在偏差原因栏说明计分依据。",
        "Re-check the score against the rule and state the basis in the deviation column."),
    "score_out_of_band": (
        "定性指标打分超出等级区间：“{indicator}”自评{claimed}分与所选等级不符。",
        "Qualitative score outside its level's band: “{indicator}” claimed {claimed}.",
        "按“达成/部分达成/未达成”对应的分值区间打分。",
        "Score qualitative indicators within the band of the level chosen (met / partly / not met)."),
    "actual_restates_target": (
        "指标不具考核性：“{indicator}”的实际完成值照抄指标值（如“≥95%”），未填报实际测量结果，按0分计。",
        "Indicator not verifiable: the actual value of “{indicator}” restates the target (e.g. ≥95%) instead of a "
        "measurement, so it scores 0.",
        "填报实际测得的完成值并留存佐证材料；不能测量的指标应在下年度改为可衡量的指标。",
        "Report the measured value and keep the evidence; replace an indicator that cannot be measured next year."),
    "not_reported": (
        "指标未填报实际完成值：“{indicator}”的实际完成值为空，按0分计（自评{claimed}分无依据）。",
        "Indicator not reported: the actual value of “{indicator}” is empty, so it scores 0 (the {claimed} points "
        "claimed have no basis).",
        "补充填报实际完成值并留存佐证材料；确不适用的指标在“是否适用”栏注明“否”并说明理由。",
        "Report the actual value with its evidence; mark an indicator that does not apply as not applicable "
        "(是否适用: 否) and say why."),
    "missing_target": (
        "指标未设定年度指标值：“{indicator}”无法考核，按0分计。",
        "No target set: “{indicator}” cannot be assessed and scores 0.",
        "申报绩效目标时为每个指标设定明确、可衡量的年度指标值。",
        "Give every indicator a clear, measurable annual target when the targets are set."),
    "cost_indicator_ge": (
        "成本指标设置不当：“{indicator}”使用“≥”，支出越多得分越高，与成本控制的要求相反。",
        "Cost indicator set the wrong way: “{indicator}” uses ≥, which rewards spending more.",
        "成本指标改用“≤”（成本控制在预算内），节约率类指标方可使用“≥”。",
        "Write cost indicators with ≤ (cost within the budget); only saving rates use ≥."),
    "unexplained_over_achievement": (
        "超额完成未说明原因：“{indicator}”实际值超过指标值30%以上，未填写偏差原因。",
        "Over-achievement unexplained: “{indicator}” exceeds its target by 30 % or more with no explanation.",
        "说明大幅超额完成的原因；如系目标设定偏低，下年度据实提高指标值。",
        "Explain the over-achievement; if the target was set too low, raise it next year."),
    "double_counted_execution": (
        "重复扣分：产出指标“{indicator}”以资金支出衡量产出，与预算执行率重复考核。",
        "Double counting: the output indicator “{indicator}” measures spending, already scored by the execution "
        "rate.",
        "产出指标应衡量实物产出，资金执行情况仅通过预算执行率考核。",
        "Measure outputs by what was produced; spending is scored once, by the execution rate."),
    "execution_score_differs": (
        "预算执行率得分填报不准确：自评{claimed}分，按执行数/预算数×10应为{expected}分。",
        "Execution points misreported: {claimed} claimed, executed / budget x 10 gives {expected}.",
        "按实际执行率计算预算执行得分，不得取整或估填。",
        "Compute the execution points from the actual rate; do not round or estimate them."),
    "executed_above_budget": (
        "资金执行数大于预算数：执行{claimed}万元，超过预算{expected}万元。",
        "Executed above the budget: {claimed} executed against a budget of {expected}.",
        "核实资金执行数与预算调整情况，确属超预算支出的，按规定履行调整程序。",
        "Verify the executed amount and any budget adjustment; spending above the budget needs a formal "
        "adjustment."),
    "total_not_sum_of_rows": (
        "自评总分与各项得分之和不符：填报总分{claimed}分，各项得分合计{expected}分。",
        "Total is not the sum of the rows: {claimed} claimed, the rows add up to {expected}.",
        "总分应为预算执行得分与各项指标得分之和，报送前进行逻辑校验。",
        "The total is the execution points plus the indicator scores; check it before submitting."),
    "points_not_total": (
        "指标分值设置不规范：各项指标分值合计不等于规定的总分值。",
        "Indicator points do not add up to the framework's total.",
        "按财预〔2020〕10号设置分值：预算执行率10分，其他指标合计90分。",
        "Set the points as MOF-10 requires: execution 10 points, the indicators 90 in total."),
    "l1_points_nondefault": (
        "一级指标分值与规定不一致：产出、效益、满意度指标分值未按财预〔2020〕10号的50、30、10分设置，需说明特殊情况。",
        "First-level points depart from the framework's (output 50, effect 30, satisfaction 10 under MOF-10): the "
        "special case needs to be explained.",
        "一级指标分值确需调整的，在自评报告中说明理由；无特殊情况的按规定分值设置。",
        "Explain any departure from the prescribed first-level points in the report; otherwise use them."),
    "all_full_marks": (
        "自评流于形式：各项指标及预算执行均按满分填报、总分{claimed}分，但实际完成情况不支持满分（按规则应为{expected}分）。",
        "Self-evaluation a formality: every row and the execution claimed at full points ({claimed} in total), "
        "which the reported values do not support ({expected} by the rules).",
        "如实开展自评，逐项对照实际完成值计分，对未完成的指标说明原因并提出改进措施。",
        "Carry out the self-evaluation for real: score each row on its actual value, explain every missed target "
        "and say how it will be improved."),
}

_RECOMMENDATIONS: Mapping[str, tuple[str, str]] = {
    "missed_target": ("分析“{name}”未完成目标的原因（经费、制度、人员、硬件条件保障等），明确整改措施、责任人和完成时限；"
                      "目标设定明显偏高的，下年度据实调整指标值。",
                      "Analyse why “{name}” missed its target (funding, rules, staff, facilities), set corrective "
                      "measures with an owner and a deadline; if the target was unrealistic, adjust it next year."),
    "not_reported": ("补充填报“{name}”的实际完成值并留存佐证材料；确不适用的指标在“是否适用”栏注明“否”并说明理由。",
                     "Report the actual value of “{name}” with its evidence; mark an indicator that does not apply "
                     "as not applicable (是否适用: 否) and say why."),
    "low_execution": ("加快预算执行进度，对执行缓慢的资金查明原因；长期沉淀的资金按规定收回统筹使用，并在下年度预算安排中"
                      "统筹考虑。",
                      "Speed up budget execution and find out why funds are idle; take back funds left unused as the "
                      "rules require and take it into account in next year's budget."),
    "red_light": ("对亮红灯的事项及时采取“{action}”措施，跟踪整改结果并在年度自评中说明。",
                  "Correct the red-light item promptly ({action}); follow up and report the result in the year-end "
                  "self-evaluation."),
    "low_node": ("针对“{name}”得分偏低的问题，完善相关管理制度和实施措施，补充佐证材料，提升该方面绩效。",
                 "Improve the rules, implementation and evidence behind “{name}”, which scored low."),
    "points_deducted": ("针对“{name}”的扣分事项，查明原因，完善相关制度和佐证材料，避免下年度重复扣分。",
                        "Find out why “{name}” lost points, improve the rules and the evidence behind it, and avoid "
                        "the same deduction next year."),
    "expert_disagreement": ("对专家评分分歧较大的“{name}”，补充佐证材料并组织专家复议，在报告中说明评分依据。",
                            "For “{name}”, where the experts disagree, add evidence, let the panel review its "
                            "scores and state the basis of the final score."),
    "recheck_deviation": ("以复核结果为准纠正自评得分，分析自评偏高的原因，加强自评质量管理。",
                          "Correct the self-evaluation to the re-check result, find out why it was inflated and "
                          "strengthen the quality control of self-evaluations."),
}


def _audit_drafts(audit: Any, unit_id: str) -> list[Draft]:
    findings = audit.findings
    rows = findings[findings["unit_id"].astype(str) == unit_id]
    out = []
    for _, f in rows.iterrows():
        code = str(f["code"])
        texts = FINDING_TEXTS.get(code)
        shown = _num if code == "executed_above_budget" else _pts   # amounts, or points (rounded down)
        values = {"indicator": "" if pd.isna(f["indicator"]) else str(f["indicator"]),
                  "claimed": shown(f["claimed"]), "expected": shown(f["expected"])}
        if texts is None:
            zh = en = str(f["message"])
        else:
            zh, en = texts[0].format(**values), texts[1].format(**values)
        where = _file_row(f["location"]) if not str(f["location"]).startswith("unit ") else ""
        out.append(Draft("problems", unit_id, f"audit.{code}", zh, en,
                         source=f"audit:{code}" + (f" {where}" if where else ""), severity=str(f["severity"])))
    return out


def _deviation(target: Any, actual: Any) -> tuple[str, str]:
    """Deviation text of actual against target (``偏差 -32.74%``) when both parse to numbers of one unit."""
    from .targets import parse_actual, parse_target

    try:
        t, a = parse_target(str(target)), parse_actual(str(actual))
    except (InputError, ValueError, TypeError):
        return "", ""
    tv, av = _float(getattr(t, "value", None)), _float(getattr(a, "value", None))
    if tv is None or av is None or tv == 0 or (t.unit or "") != (a.unit or ""):
        return "", ""
    dev = (av - tv) / abs(tv)
    return f"，偏差{_pct(dev)}", f", a deviation of {_pct(dev)}"


def _score_drafts(result: Any, unit_id: str, limits: Mapping[str, float]) -> list[Draft]:
    rows = _unit_nodes(result, unit_id)
    leaves = _leaves(rows)
    leaves = leaves[leaves["applicable"].astype(bool) & (leaves["points"].astype(float) > 0)]
    out: list[Draft] = []
    lost = (leaves["points"].astype(float) - leaves["score"].astype(float)).round(9)
    has_target = leaves["target"].notna() if "target" in leaves else pd.Series(False, index=leaves.index)
    if "rule" in leaves:
        execution = leaves["rule"].astype(str) == "execution"
    else:
        execution = pd.Series(False, index=leaves.index)
    missed = leaves[has_target & ~execution & (lost >= _SHOWN_LOSS)]
    missed = missed.loc[lost[missed.index].sort_values(ascending=False, kind="stable").index]
    judged = leaves["rule"].astype(str).isin(_JUDGED_RULES) if "rule" in leaves else \
        pd.Series(False, index=leaves.index)
    for i, n in missed.head(int(limits["max_items"])).iterrows():
        name = str(n["name"])
        name_en = node_label(result, n["node_code"], name, "en")
        src = f"score:{n['node_code']}"
        if "source_row" in n and _float(n.get("source_row")) is not None and "source_file" in n:
            src += f" {_file_row(str(n['source_file']) + ':' + str(int(float(n['source_row']))))}"
        if "not_reported" in str(n.get("flags", "")).split(";"):
            zh = (f"“{name}”未填报实际完成值：指标值{n['target']}，无法判断是否完成，按0分计"
                  f"（分值{_num(n['points'])}分）。")
            en = (f"“{name_en}” was not reported: target {n['target']}, no actual value given, so it scores 0 "
                  f"(of {_num(n['points'])} points).")
            code = "not_reported"
        elif bool(judged[i]):
            zh = (f"“{name}”失{_pts(lost[i])}分：评价要求{n['target']}，实际{n['actual']}，"
                  f"得{_pts(n['score'])}分（分值{_num(n['points'])}分）。")
            en = (f"“{name_en}” lost {_pts(lost[i])} points: required {n['target']}, found {n['actual']}; "
                  f"{_pts(n['score'])} of {_num(n['points'])} points.")
            code = "points_deducted"
        else:
            dzh, den = _deviation(n["target"], n["actual"])
            zh = (f"“{name}”未完成年度指标值：指标值{n['target']}，实际完成{n['actual']}{dzh}，"
                  f"得{_pts(n['score'])}分（分值{_num(n['points'])}分）。")
            en = (f"“{name_en}” missed its target: target {n['target']}, actual {n['actual']}{den}; "
                  f"{_pts(n['score'])} of {_num(n['points'])} points.")
            code = "missed_target"
        out.append(Draft("problems", unit_id, code, zh, en, source=src, severity="medium",
                         data={"name": name, "name_en": name_en}))
    total = total_row(result, unit_id)
    rate = _float(total.get("execution_rate"))
    if rate is not None and rate < limits["low_execution"]:
        ex = leaves[execution]
        lost_pts = float(lost[ex.index].sum()) if len(ex) else None
        zh = f"预算执行率偏低：全年执行率{_pct(rate)}"
        en = f"Low budget execution: {_pct(rate)} of the budget executed"
        if lost_pts:
            zh += f"，预算执行率指标失{_pts(lost_pts)}分"
            en += f", {_pts(lost_pts)} execution points lost"
        out.append(Draft("problems", unit_id, "low_execution", zh + "。", en + ".", source="score:execution_rate",
                         severity="high" if rate < 0.6 else "medium"))
    # low-scoring nodes without a target text (evaluator-scored leaves and inner nodes of level 2)
    low = rows[rows["applicable"].astype(bool) & (rows["points"].astype(float) > 0)
               & (rows["achievement"].astype(float) < limits["low_achievement"])]
    scored_by_target = set(missed["node_code"].astype(str))
    low = low[(low["level"] == 2) | (low.index.isin(leaves.index) & ~has_target.reindex(low.index, fill_value=False)
                                     & ~low.index.isin(leaves.index[execution]))]
    low = low[~low["node_code"].astype(str).isin(scored_by_target)]
    # a level-2 node is not repeated when every applicable leaf under it is already listed
    listed = scored_by_target | set(low.loc[low.index.isin(leaves.index), "node_code"].astype(str))
    codes = leaves["node_code"].astype(str)

    def covered(code: str) -> bool:
        below = codes[codes.str.startswith(code + ".")]
        return len(below) > 0 and set(below) <= listed

    skip = np.array([covered(c) for c in low["node_code"].astype(str)], dtype=bool)
    low = low[~((low["level"] == 2).to_numpy() & skip)]
    low = low.loc[(low["points"].astype(float) - low["score"].astype(float)).sort_values(
        ascending=False, kind="stable").index]
    for _, n in low.head(int(limits["max_items"])).iterrows():
        name = str(n["name"])
        zh = f"“{name}”得分偏低：得{_pts(n['score'])}分（分值{_num(n['points'])}分），得分率{_pct(n['achievement'])}。"
        en = (f"“{node_label(result, n['node_code'], name, 'en')}” scored low: {_pts(n['score'])} of {_num(n['points'])} "
              f"points ({_pct(n['achievement'])}).")
        out.append(Draft("problems", unit_id, "low_node", zh, en, source=f"score:{n['node_code']}",
                         severity="medium", data={"name": name, "name_en": node_label(result, n["node_code"], name, "en")}))
    return out


def _monitoring_drafts(monitoring: Any, unit_id: str, money: str) -> list[Draft]:
    lights = monitoring.lights
    rows = lights[(lights["unit_id"].astype(str) == unit_id) & (lights["colour"] == "red")]
    out = []
    month = monitoring.month
    for _, r in rows.iterrows():
        action_zh, action_en = str(r["action"]), str(r["action_en"])
        if r["line"] == "budget":
            zh = (f"截至{month}月预算执行进度亮红灯：累计执行{_num(r['value'])}{money}，占全年预算"
                  f"{_pct(r['execution_share'])}，仅为时间进度的{fmt_number(_float(r['ratio']), 1)}%。")
            en = (f"Budget execution red at month {month}: {_num(r['value'])} {money} executed, "
                  f"{_pct(r['execution_share'])} of the year's budget, {fmt_number(_float(r['ratio']), 1)} % of "
                  f"time progress.")
        elif r["op"] in ("<=", "="):
            unit = "" if pd.isna(r["unit"]) else str(r["unit"])
            cap_zh, cap_en = ("上限", "cap") if r["op"] == "<=" else ("标准", "standard")
            zh = (f"截至{month}月“{r['indicator']}”亮红灯：实际{_num(r['value'])}{unit}，不符合年度{cap_zh}"
                  f"{_num(r['target'])}{unit}。")
            en = (f"“{r['indicator']}” red at month {month}: {_num(r['value'])}{unit} against the annual {cap_en} "
                  f"of {_num(r['target'])}{unit}.")
        elif r["op"] == "qualitative":
            zh = f"截至{month}月“{r['indicator']}”亮红灯：未达成。"
            en = f"“{r['indicator']}” red at month {month}: not met."
        else:
            unit = "" if pd.isna(r["unit"]) else str(r["unit"])
            zh = (f"截至{month}月“{r['indicator']}”进度亮红灯：完成{_num(r['value'])}{unit}，"
                  f"按进度应达{_num(r['expected'])}{unit}（年度指标值{_num(r['target'])}{unit}）。")
            en = (f"“{r['indicator']}” red at month {month}: {_num(r['value'])}{unit} done against "
                  f"{_num(r['expected'])}{unit} due (annual target {_num(r['target'])}{unit}).")
        what = "budget" if r["line"] == "budget" else str(r["indicator"])
        out.append(Draft("problems", unit_id, "red_light", zh, en, source=f"monitoring:{month}:{what}",
                         severity="medium", data={"action_zh": action_zh, "action_en": action_en}))
    return out


def _panel_drafts(panel: Any, result: Any, unit_id: str, limits: Mapping[str, float]) -> list[Draft]:
    scores = panel.scores
    rows = scores[scores["unit_id"].astype(str) == unit_id]
    spread = (rows["max"].astype(float) - rows["min"].astype(float)) / rows["points"].astype(float)
    rows = rows.assign(_spread=spread)[spread >= limits["expert_spread"]]
    rows = rows.sort_values("_spread", ascending=False, kind="stable").head(int(limits["max_items"]))
    names = {}
    if result is not None:
        n = result.nodes
        n = n[n["unit_id"].astype(str) == unit_id]
        names = dict(zip(n["node_code"].astype(str), n["name"].astype(str)))
    out = []
    for _, r in rows.iterrows():
        code = str(r["node_code"])
        name = names.get(code, code)
        zh = (f"专家对“{name}”评分分歧较大：最低{_num(r['min'])}分、最高{_num(r['max'])}分（分值{_num(r['points'])}分），"
              f"去掉极端评分后取{_pts(r['score'])}分。")
        en = (f"The experts disagree on “{node_label(result, code, name, 'en')}”: from {_num(r['min'])} to "
              f"{_num(r['max'])} of {_num(r['points'])} points; {_pts(r['score'])} after trimming the extremes.")
        out.append(Draft("problems", unit_id, "expert_disagreement", zh, en, source=f"panel:{code}",
                         severity="low", data={"name": name, "name_en": node_label(result, code, name, 'en')}))
    return out


def _recheck_drafts(recheck: Any, unit_id: str, limits: Mapping[str, float]) -> list[Draft]:
    units = recheck.units
    rows = units[units["unit_id"].astype(str) == unit_id]
    out = []
    for _, r in rows.iterrows():
        dev = _float(r["deviation"]) or 0.0
        steps = _float(r.get("grade_steps")) or 0.0
        if abs(dev) < limits["recheck_deviation"] and steps == 0:
            continue
        word_zh = "高" if dev > 0 else "低"
        zh = (f"自评得分与复核结果偏差较大：自评{_pts(r['self_total'])}分，复核{_pts(r['recheck_total'])}分，"
              f"自评{word_zh}{_pts(abs(dev))}分")
        en = (f"Self-evaluation deviates from the re-check: {_pts(r['self_total'])} claimed, "
              f"{_pts(r['recheck_total'])} re-checked, {_pts(abs(dev))} points {'higher' if dev > 0 else 'lower'}")
        if steps:
            zh += f"，等级由“{r['self_grade']}”调整为“{r['recheck_grade']}”"
            en += (f"; grade {grade_text(recheck, r['self_grade'], 'en')} -> "
                   f"{grade_text(recheck, r['recheck_grade'], 'en')}")
        out.append(Draft("problems", unit_id, "recheck_deviation", zh + "。", en + ".", source="recheck:units",
                         severity="high" if steps else "medium"))
    return out


def draft_problems(unit_id: Any, *, score: Any = None, audit: Any = None, monitoring: Any = None,
                   panel: Any = None, recheck: Any = None, money_unit: str = "", **limits: float) -> list[Draft]:
    """Problems found in the data about one unit (五、存在的问题及原因分析), most serious sources first.

    Parameters
    ----------
    unit_id : str
    score : ScoreResult, optional
        Missed targets (leaves with a target that lost points, the ``max_items`` largest losses, each with its
        deviation actual vs target), low execution (rate < ``low_execution``), low-scoring nodes (score rate
        < ``low_achievement``: level-2 nodes and leaves scored without a target).
    audit : AuditResult, optional
        Every audit finding of the unit (:data:`FINDING_TEXTS`).
    monitoring : MonitoringResult, optional
        Every red light of the unit at the monitored month.
    panel : PanelResult, optional
        Nodes where the experts' scores span ``expert_spread`` of the points or more.
    recheck : RecheckResult, optional
        A re-check deviation beyond ``recheck_deviation`` points or a grade change.
    money_unit : str
        The dataset's money unit (``data.meta["money_unit"]``, e.g. 万元) written after amounts.
    **limits
        Overrides of :data:`LIMITS`.

    Returns
    -------
    list of Draft
        ``section="problems"``; audit findings first, then re-check, score, monitoring, panel.

    Examples
    --------
    The sample's planted problem: unit 0080002 claimed the full 10 points of an indicator it missed.

    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> audit = pe.recheck.audit(data.observations, data.budget, framework="project_self")
    >>> d = draft_problems("0080002", audit=audit)
    >>> d[0].code, d[0].source
    ('audit.unmet_full_score', 'audit:unmet_full_score indicators.csv:701')
    >>> d[0].zh
    '自评结果不准确：“公共交通乘客满意度”未完成年度指标值，按规则应得9.44分，自评却按满分10.00分填报。'
    """
    unknown = sorted(set(limits) - set(LIMITS))
    if unknown:
        raise TypeError(f"unknown limit(s) {unknown}; known: {sorted(LIMITS)}")
    lim = {**LIMITS, **limits}
    uid = str(unit_id)
    out: list[Draft] = []
    if audit is not None:
        out += _audit_drafts(audit, uid)
    if recheck is not None:
        out += _recheck_drafts(recheck, uid, lim)
    if score is not None:
        out += _score_drafts(score, uid, lim)
    if monitoring is not None:
        out += _monitoring_drafts(monitoring, uid, money_unit)
    if panel is not None:
        out += _panel_drafts(panel, score, uid, lim)
    return out


def draft_recommendations(problems: Sequence[Draft]) -> list[Draft]:
    """One recommendation per kind of problem (六、有关建议), in the problems' order: problems of one kind about
    several indicators (missed targets, low-scoring nodes, disagreeing experts, red lights) share one
    recommendation naming them all; identical texts are merged.

    Examples
    --------
    >>> p = [Draft("problems", "P1", "missed_target", "“覆盖率”未完成……", "“coverage” missed ...",
    ...            source="score:effect.social.1", data={"name": "覆盖率", "name_en": "coverage"}),
    ...      Draft("problems", "P1", "missed_target", "“知晓率”未完成……", "“awareness” missed ...",
    ...            source="score:effect.social.2", data={"name": "知晓率", "name_en": "awareness"})]
    >>> r = draft_recommendations(p)
    >>> len(r), r[0].zh[:20], r[0].source
    (1, '分析“覆盖率”“知晓率”未完成目标的原因', 'score:effect.social.1; score:effect.social.2')
    """
    out: list[Draft] = []
    seen: set[str] = set()
    groups: dict[tuple[str, str, str], list[Draft]] = {}
    order: list[tuple[str, str, str]] = []
    for p in problems:
        if p.section != "problems":
            continue
        base = p.code.removeprefix("audit.")
        if base in _RECOMMENDATIONS:
            key = (p.unit_id, base, p.data.get("action_zh", "") if base == "red_light" else "")
        else:
            key = (p.unit_id, p.code, str(len(order)))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(p)
    for key in order:
        group = groups[key]
        p = group[0]
        base = p.code.removeprefix("audit.")
        if p.code.startswith("audit.") and base in FINDING_TEXTS:
            zh, en = FINDING_TEXTS[base][2], FINDING_TEXTS[base][3]
        elif base in _RECOMMENDATIONS:
            zh, en = _RECOMMENDATIONS[base]
            names_zh = "”“".join(dict.fromkeys(g.data.get("name", "") for g in group))
            names_en = "”, “".join(dict.fromkeys(g.data.get("name_en", g.data.get("name", "")) for g in group))
            zh = zh.format(name=names_zh, action=p.data.get("action_zh", "纠偏"))
            en = en.format(name=names_en, action=p.data.get("action_en", "correct the deviation"))
        else:
            continue
        if zh in seen:
            continue
        seen.add(zh)
        severity = min((g.severity for g in group), key=lambda s: {"high": 0, "medium": 1, "low": 2}.get(s, 3))
        out.append(Draft("recommendations", p.unit_id, p.code, zh, en,
                         source="; ".join(dict.fromkeys(g.source for g in group)), severity=severity))
    return out


# --------------------------------------------------------------------------------------------------------------
# the evaluator's notes
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Note:
    """A paragraph of the evaluator's notes.

    Attributes
    ----------
    unit : str
        The unit id, or ``"*"`` for every unit (and for a report about no single unit).
    section : str
        One of :data:`SECTIONS`.
    mode : str
        ``"add"`` (after the drafts) or ``"replace"`` (instead of them).
    text : str
    source : str
        ``<file name>:<line>``.
    """

    unit: str
    section: str
    mode: str
    text: str
    source: str


@dataclass(frozen=True)
class Notes:
    """The evaluator's notes (:func:`read_notes`); ``Notes()`` is "no notes"."""

    items: tuple[Note, ...] = ()
    path: str = ""

    def select(self, section: str, unit_id: Any = None) -> list[Note]:
        """The notes of ``section`` for ``unit_id`` (those for ``"*"`` included), in file order."""
        uid = "*" if unit_id is None else str(unit_id)
        return [n for n in self.items if n.section == section and n.unit in ("*", uid)]

    def __len__(self) -> int:
        return len(self.items)


_MODES = {"add": "add", "append": "add", "补充": "add", "replace": "replace", "替换": "replace"}


def _all_sections() -> tuple[str, ...]:
    """The canonical sections and every section key of :data:`OUTLINES`."""
    extra = [k for outline in OUTLINES.values() for k, _, _ in outline if k not in SECTIONS]
    return SECTIONS + tuple(dict.fromkeys(extra))


def _section(name: Any, where: str) -> str:
    key = str(name).strip()
    if key in _all_sections():
        return key
    if key in SECTION_ALIASES:
        return SECTION_ALIASES[key]
    if key.lower() in SECTION_ALIASES:
        return SECTION_ALIASES[key.lower()]
    raise InputError(problems=[Problem(where, "unknown_section", f"unknown section {key!r}; use one of "
                                       f"{', '.join(SECTIONS)} (or 基本情况, 问题, 建议, 其他 ...)")])


def read_notes(path: Any) -> Notes:
    """Read an evaluator's notes file (YAML ``.yaml``/``.yml`` or Markdown ``.md``); ``""`` or None: no notes.

    YAML: unit id (or ``"*"``) -> section -> text, a list of texts, or ``{replace: text}`` / ``{add: text}``::

        "0070010":
          problems: 评价组现场核查发现，受益对象覆盖率的统计口径与申报时不一致。
          recommendations:
            replace:
              - 统一受益对象统计口径，按季度更新台账。
        "*":
          other: 本报告数据由项目单位提供，评价组对其真实性进行了抽查。

    Markdown: ``# <unit id or *>`` then ``## <section>`` (``## 建议（替换）`` or ``## recommendations (replace)``
    to replace); paragraphs are separated by blank lines.

    Sections may be named in English (:data:`SECTIONS`) or Chinese (:data:`SECTION_ALIASES`).

    Raises
    ------
    InputError
        A missing file, a syntax error, an unknown section or mode, text outside a unit heading; located
        ``file:line``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "notes.md"
    >>> _ = p.write_text("# 0070010\\n\\n## 问题\\n\\n现场核查发现统计口径不一致。\\n\\n## 建议（替换）\\n\\n统一口径。\\n",
    ...                  encoding="utf-8")
    >>> [(n.unit, n.section, n.mode, n.text, n.source) for n in read_notes(p).items]
    [('0070010', 'problems', 'add', '现场核查发现统计口径不一致。', 'notes.md:5'), ('0070010', 'recommendations', 'replace', '统一口径。', 'notes.md:9')]
    """
    if path is None or str(path).strip() == "":
        return Notes()
    p = Path(str(path))
    if not p.is_file():
        raise InputError.single(str(p.name), "missing_file", f"the notes file {p.name!r} does not exist")
    text = p.read_text(encoding="utf-8-sig")
    if p.suffix.lower() in (".yaml", ".yml"):
        items = _yaml_notes(text, p.name)
    elif p.suffix.lower() in (".md", ".markdown", ".txt"):
        items = _markdown_notes(text, p.name)
    else:
        raise InputError.single(p.name, "bad_format", "a notes file must be .yaml, .yml or .md")
    return Notes(tuple(items), p.name)


def _yaml_notes(text: str, name: str) -> list[Note]:
    import yaml

    from ._yaml import syntax_problem

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InputError(problems=[syntax_problem(err, name)]) from None
    lines = _yaml_key_lines(text)
    if data is None:
        return []
    if not isinstance(data, Mapping):
        raise InputError.single(f"{name}:1", "bad_notes", "the notes must map unit ids (or \"*\") to sections")
    out = []
    for unit, sections in data.items():
        where = f"{name}:{lines.get(str(unit), 1)}"
        if not isinstance(sections, Mapping):
            raise InputError.single(where, "bad_notes", f"unit {unit!r}: give sections (problems: ..., other: ...)")
        for sec, value in sections.items():
            swhere = f"{name}:{lines.get(str(sec), lines.get(str(unit), 1))}"
            section = _section(sec, swhere)
            mode = "add"
            if isinstance(value, Mapping):
                if len(value) != 1 or str(next(iter(value))) not in _MODES:
                    raise InputError.single(swhere, "bad_mode", f"section {sec!r}: use add: or replace:")
                mode = _MODES[str(next(iter(value)))]
                value = next(iter(value.values()))
            texts = value if isinstance(value, list) else [value]
            for t in texts:
                if t is None or not isinstance(t, (str, int, float)) or str(t).strip() == "":
                    raise InputError.single(swhere, "bad_notes", f"section {sec!r}: a note must be text")
                out.append(Note(str(unit), section, mode, str(t).strip(), swhere))
    return out


def _yaml_key_lines(text: str) -> dict[str, int]:
    """First line of each mapping key (for located messages)."""
    lines: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*([\"']?)([^:\"'#][^:\"']*)\1\s*:", line)
        if m:
            lines.setdefault(m.group(2).strip(), i)
    return lines


def _markdown_notes(text: str, name: str) -> list[Note]:
    out: list[Note] = []
    unit: str | None = None
    section: str | None = None
    mode = "add"
    para: list[str] = []
    start = 0

    def flush() -> None:
        nonlocal para
        body = "\n".join(para).strip()
        if body:
            if unit is None or section is None:
                raise InputError.single(f"{name}:{start}", "bad_notes",
                                        "text before a '# <unit id>' and '## <section>' heading")
            out.append(Note(unit, section, mode, body, f"{name}:{start}"))
        para = []

    for i, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("## "):
            flush()
            head = stripped[3:].strip()
            m = re.match(r"^(.*?)\s*[（(]\s*([^）)]*)\s*[）)]\s*$", head)
            mode = "add"
            if m:
                head, word = m.group(1), m.group(2)
                if word not in _MODES:
                    raise InputError.single(f"{name}:{i}", "bad_mode", f"unknown mode {word!r}; use replace / 替换")
                mode = _MODES[word]
            if unit is None:
                raise InputError.single(f"{name}:{i}", "bad_notes", "a '## section' before any '# <unit id>'")
            section = _section(head, f"{name}:{i}")
        elif stripped.startswith("# "):
            flush()
            unit, section = stripped[2:].strip(), None
        elif stripped == "":
            flush()
        else:
            if not para:
                start = i
            para.append(line.rstrip())
    flush()
    return out


# --------------------------------------------------------------------------------------------------------------
# drafts + notes -> report paragraphs
# --------------------------------------------------------------------------------------------------------------
_EMPTY = {
    "problems": ("未发现需要单独说明的问题。", "No problem was found that needs a separate note."),
    "recommendations": ("暂无需要提出的建议。", "No recommendation."),
    "other": ("无。", "None."),
}


def section_blocks(drafts: Iterable[Draft], section: str, *, unit_id: Any = None, notes: Notes | None = None,
                   lang: str = "zh", empty: bool = True) -> list[Any]:
    """The paragraphs of one report section: the drafts of ``section`` (and ``unit_id``), then the notes that add
    to it; notes marked ``replace`` take the drafts' place.

    Parameters
    ----------
    drafts : iterable of Draft
    section : str
        One of :data:`SECTIONS`.
    unit_id : str, optional
        Only drafts and notes of this unit (and notes for ``"*"``); None: every draft, notes for ``"*"``.
    notes : Notes, optional
    lang : {"zh", "en"}
    empty : bool, default True
        When nothing is left, one drafted "no problem found" paragraph (problems, recommendations, other).

    Returns
    -------
    list of perfeval.reports.Paragraph
        Drafts as ``drafted=True`` with their ``source``; notes as evaluator text (``drafted=False``).

    Examples
    --------
    >>> d = [Draft("problems", "P1", "missed_target", "甲未完成。", "A missed.", source="score:a")]
    >>> n = Notes((Note("P1", "problems", "add", "现场核查属实。", "notes.md:3"),))
    >>> [(p.text, p.drafted) for p in section_blocks(d, "problems", unit_id="P1", notes=n)]
    [('甲未完成。', True), ('现场核查属实。', False)]
    >>> n = Notes((Note("*", "problems", "replace", "见附件。", "notes.md:3"),))
    >>> [(p.text, p.drafted) for p in section_blocks(d, "problems", unit_id="P1", notes=n)]
    [('见附件。', False)]
    """
    from .reports import paragraph

    _check_lang(lang)
    if section not in _all_sections():
        raise ValueError(f"`section` must be one of {_all_sections()}; got {section!r}.")
    chosen = [d for d in drafts if d.section == section and (unit_id is None or d.unit_id in (str(unit_id), "*"))]
    mine = (notes or Notes()).select(section, unit_id)
    if any(n.mode == "replace" for n in mine):
        chosen = []
        mine = mine[next(i for i, n in enumerate(mine) if n.mode == "replace"):]
    blocks = [paragraph(d.text(lang), drafted=True, source=d.source, lang=lang) for d in chosen]
    blocks += [paragraph(n.text, drafted=False, source=f"notes:{n.source}", lang=lang) for n in mine]
    if not blocks and empty and section in _EMPTY:
        zh, en = _EMPTY[section]
        blocks.append(paragraph(zh if lang == "zh" else en, drafted=True, source="none", lang=lang))
    return blocks


def drafts_frame(drafts: Iterable[Draft], *, lang: str = "zh", units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Drafts as a table to hand over: unit (name and id), section, kind, text, source.

    Headers are Chinese (English with ``lang="en"``).

    Examples
    --------
    >>> d = [Draft("problems", "P1", "missed_target", "甲未完成。", "A missed.", source="score:a")]
    >>> drafts_frame(d, lang="en").columns.tolist()
    ['unit', 'section', 'kind', 'text', 'source']
    """
    _check_lang(lang)
    rows = [(_label(units, d.unit_id, lang), d.section, d.code, d.text(lang), d.source) for d in drafts]
    heads = (["单位", "部分", "类别", "内容", "来源"] if lang == "zh" else ["unit", "section", "kind", "text", "source"])
    return pd.DataFrame(rows, columns=heads)


# --------------------------------------------------------------------------------------------------------------
# outlines, titles, the method section, warnings
# --------------------------------------------------------------------------------------------------------------
#: Report outlines per category: (section key, Chinese heading, English heading), in order. Evaluation reports follow
#: MOF 财预〔2020〕10号 附件3; the others the outlines of ``report-outlines.md`` (§3-§8).
OUTLINES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "self_evaluation": (
        ("basic", "一、基本情况", "1. Basic information"),
        ("method", "二、绩效自评工作开展情况", "2. How the self-evaluation was done"),
        ("conclusion", "三、综合评价情况及评价结论", "3. Overall result and conclusion"),
        ("indicators", "四、绩效评价指标分析", "4. Analysis by indicator"),
        ("problems", "五、存在的问题及原因分析", "5. Problems found and their causes"),
        ("recommendations", "六、有关建议", "6. Recommendations"),
        ("other", "七、其他需要说明的问题", "7. Other matters")),
    "key_evaluation": (
        ("basic", "一、基本情况", "1. Basic information"),
        ("method", "二、绩效评价工作开展情况", "2. How the evaluation was done"),
        ("conclusion", "三、综合评价情况及评价结论", "3. Overall result and conclusion"),
        ("indicators", "四、绩效评价指标分析", "4. Analysis by indicator"),
        ("problems", "五、存在的问题及原因分析", "5. Problems found and their causes"),
        ("recommendations", "六、有关建议", "6. Recommendations"),
        ("other", "七、其他需要说明的问题", "7. Other matters"),
        ("annex", "附件：专家评分一致性分析", "Annex: consistency of the expert panel")),
    "recheck": (
        ("basic", "一、复核基本情况", "1. The re-check"),
        ("results", "二、复核结果", "2. Results"),
        ("problems", "三、发现的问题", "3. Problems found"),
        ("recommendations", "四、建议及结果应用", "4. Recommendations and use of the results"),
        ("other", "五、其他需要说明的问题", "5. Other matters")),
    "department": (
        ("basic", "一、部门（单位）概况", "1. The department"),
        ("results", "二、绩效实现情况", "2. Performance achieved"),
        ("budget", "三、预算管理情况", "3. Budget management"),
        ("conclusion", "四、评价结论", "4. Conclusion"),
        ("problems", "五、存在的问题及原因分析", "5. Problems found and their causes"),
        ("recommendations", "六、改进措施及结果应用", "6. Improvements and use of the results"),
        ("other", "七、其他需要说明的问题", "7. Other matters")),
    "transfer": (
        ("basic", "一、绩效目标分解下达情况", "1. Targets received and passed down"),
        ("results", "二、绩效目标完成情况分析", "2. Targets achieved"),
        ("problems", "三、偏离绩效目标的原因和下一步改进措施", "3. Deviations, causes and improvements"),
        ("application", "四、自评结果拟应用和公开情况", "4. Use and publication of the results"),
        ("other", "五、其他需要说明的问题", "5. Other matters")),
    "exante": (
        ("basic", "一、评估对象基本情况", "1. The proposal"),
        ("method", "二、评估工作开展情况", "2. How the assessment was done"),
        ("conclusion", "三、综合评估情况与评估结论", "3. Assessment and conclusion"),
        ("recommendations", "四、相关建议", "4. Recommendations"),
        ("other", "五、其他需要说明的问题", "5. Other matters")),
    "monitoring": (
        ("basic", "一、项目支出基本情况", "1. Spending"),
        ("method", "二、监控工作开展情况", "2. How the monitoring was done"),
        ("results", "三、绩效运行监控情况", "3. Monitoring results"),
        ("problems", "四、偏差及原因分析", "4. Deviations and causes"),
        ("recommendations", "五、纠偏措施", "5. Corrective actions"),
        ("other", "六、其他需要说明的问题", "6. Other matters")),
    "annual_summary": (
        ("basic", "一、总体情况", "1. Overview"),
        ("results", "二、评价结果", "2. Evaluation results"),
        ("application", "三、结果应用", "3. Use of the results"),
        ("problems", "四、存在的问题", "4. Problems"),
        ("recommendations", "五、下一步工作", "5. Next steps"),
        ("other", "六、其他需要说明的问题", "6. Other matters")),
    "weight_study": (
        ("basic", "一、研究目的与数据", "1. Purpose and data"),
        ("ahp", "二、专家赋权（层次分析法）", "2. Expert weights (AHP)"),
        ("objective", "三、客观赋权", "3. Objective weights"),
        ("blend", "四、组合权重与比较", "4. Combined weights and comparison"),
        ("sensitivity", "五、等级对权重的敏感性", "5. Sensitivity of the grades to the weights"),
        ("conclusion", "六、结论", "6. Conclusion")),
}

_TITLES: Mapping[str, tuple[str, str]] = {
    "self_evaluation": ("{name}{year}年度项目支出绩效自评报告", "{name}: project self-evaluation report {year}"),
    "key_evaluation": ("{name}{year}年度绩效评价报告", "{name}: performance evaluation report {year}"),
    "recheck": ("{name}{year}年度绩效自评复核报告", "{name}: re-check of the self-evaluations {year}"),
    "department": ("{name}{year}年度部门整体支出绩效评价报告", "{name}: department-overall evaluation {year}"),
    "transfer": ("{name}{year}年度转移支付绩效自评报告", "{name}: transfer-payment self-evaluation {year}"),
    "exante": ("{name}事前绩效评估报告", "{name}: ex-ante performance assessment"),
    "monitoring": ("{name}{year}年度绩效运行监控报告（截至{month}月）",
                   "{name}: performance monitoring {year} (to month {month})"),
    "annual_summary": ("{name}{year}年度预算绩效管理工作报告", "{name}: budget performance management {year}"),
    "weight_study": ("{name}指标权重研究报告", "{name}: indicator weight study"),
}


def _check_category(category: str) -> None:
    if category not in OUTLINES:
        raise ValueError(f"`category` must be one of {sorted(OUTLINES)}; got {category!r}.")


def headings(category: str, lang: str = "zh") -> dict[str, str]:
    """The section headings of a report category in ``lang``, keyed by section, in outline order.

    Examples
    --------
    >>> list(headings("key_evaluation").values())[:2]
    ['一、基本情况', '二、绩效评价工作开展情况']
    >>> headings("recheck", "en")["results"]
    '2. Results'
    """
    _check_category(category)
    _check_lang(lang)
    return {key: (zh if lang == "zh" else en) for key, zh, en in OUTLINES[category]}


def title(category: str, name: str, *, year: Any = "", month: Any = "", lang: str = "zh") -> str:
    """The report title, e.g. ``"乡村教师生活补助2023年度项目支出绩效自评报告"``.

    Examples
    --------
    >>> title("self_evaluation", "乡村教师生活补助", year=2023)
    '乡村教师生活补助2023年度项目支出绩效自评报告'
    >>> title("monitoring", "示例省教育厅", year=2023, month=8, lang="en")
    '示例省教育厅: performance monitoring 2023 (to month 8)'
    """
    _check_category(category)
    _check_lang(lang)
    zh, en = _TITLES[category]
    return (zh if lang == "zh" else en).format(name=name, year=year, month=month).strip()


def draft_method(category: str, *, result: Any = None, n_raters: int | None = None, n_units: int | None = None,
                 month: Any = None) -> Draft:
    """The standard description of how the evaluation was done (二、评价工作开展情况), from the result's policy.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> d = draft_method("self_evaluation", result=pe.score("project_self", data.observations, data.budget))
    >>> "按“项目支出绩效自评”指标体系评分。" in d.zh
    True
    """
    _check_category(category)
    fw = getattr(result, "framework", None)
    fw_zh = f"“{fw.title}”" if fw is not None and getattr(fw, "title", "") else "规定的"
    fw_en = f"“{fw.title_en or fw.name}”" if fw is not None else "the prescribed"
    policy = dict(getattr(result, "policy", {}) or {})
    denominator = {"full_year": ("全年预算数", "the full-year budget"), "adjusted": ("调整预算数", "the adjusted budget"),
                   "in_place": ("到位资金", "the funds in place")}.get(str(policy.get("denominator", "full_year")),
                                                                     ("全年预算数", "the full-year budget"))
    base_zh = (f"依据《项目支出绩效评价管理办法》（财预〔2020〕10号），按{fw_zh}指标体系评分。")
    base_en = (f"Scored on the {fw_en} framework under the MOF rules for project evaluation (Cai Yu [2020] No. 10).")
    rules_zh = (f"定量指标按实际完成值与年度指标值的比例计分（正向指标完成即得满分，反向指标超出上限按比例扣分）；"
                f"定性指标按达成、部分达成、未达成分档计分；预算执行率以{denominator[0]}为分母。"
                f"评价等级：90分（含）以上为优，80（含）至90分为良，60（含）至80分为中，60分以下为差。")
    rules_en = (f"Quantitative indicators score in proportion to the actual value against the target (full points when "
                f"met; caps exceeded lose points in proportion); qualitative ones by met / partly met / not met; the "
                f"execution rate is taken on {denominator[1]}. Grades: 90 and above Excellent, 80-90 Good, 60-80 "
                f"Fair, below 60 Poor.")
    extra_zh = extra_en = ""
    if category == "key_evaluation":
        rules_zh = ("各三级指标由评价专家对照评分标准和佐证材料打分。评价等级：90分（含）以上为优，80（含）至90分为良，"
                    "60（含）至80分为中，60分以下为差。")
        rules_en = ("Each indicator is scored by the experts against its scoring standard and the evidence. Grades: "
                    "90 and above Excellent, 80-90 Good, 60-80 Fair, below 60 Poor.")
    if category == "key_evaluation" and n_raters:
        extra_zh = (f"评价组由{n_raters}名专家组成，各专家独立评分，每项指标去掉一个最高分和一个最低分后取平均值"
                    f"作为该指标得分；专家评分一致性分析见附件。")
        extra_en = (f"A panel of {n_raters} experts scored independently; each indicator's score is the mean after "
                    f"dropping the highest and the lowest rating; the consistency of the panel is in the annex.")
    elif category == "self_evaluation":
        extra_zh = "本报告对单位填报的自评表逐项按评分规则重新计分，并对自评结果进行规范性审核。"
        extra_en = ("Every row of the unit's self-evaluation form was re-scored by the rules, and the form was "
                    "audited for compliance.")
    elif category == "recheck":
        extra_zh = (f"复核按分层抽样选取{n_units or ''}个项目，由复核组对自评表逐项重新核定完成值与得分，"
                    f"比较自评与复核结果的一致性，并对全部自评表进行规范性审核。")
        extra_en = (f"A stratified sample of {n_units or ''} projects was re-evaluated row by row; the agreement "
                    f"between self-evaluation and re-check is measured and every form is audited.")
        base_zh, base_en, rules_zh, rules_en = base_zh, base_en, "", ""
    elif category == "monitoring":
        base_zh = (f"依据《中央部门预算绩效运行监控管理暂行办法》（财预〔2019〕136号），对截至{month}月的预算执行进度"
                   f"和绩效目标实现程度实行“双监控”。")
        base_en = (f"Dual monitoring (MOF Cai Yu [2019] No. 136) of budget execution and target progress to month "
                   f"{month}.")
        rules_zh = ("预算执行进度为累计执行率与时间进度之比：低于60%亮红灯，60%至80%亮黄灯，80%及以上亮绿灯；"
                    "正向指标按进度折算后同样分档，反向指标超出上限即亮红灯。")
        rules_en = ("Budget: cumulative execution against time progress, red below 60 %, yellow 60-80 %, green from "
                    "80 %; positive indicators are pro-rated and lit the same way; a cap exceeded is red.")
    elif category == "exante":
        base_zh = "依据事前绩效评估管理有关规定，从立项必要性、投入经济性、绩效目标合理性、实施方案可行性和筹资合规性五个方面评估。"
        base_en = ("Assessed on five dimensions: necessity, economy, soundness of the targets, feasibility and "
                   "compliance of the funding.")
        rules_zh = "总分90分（含）以上“予以支持”，70（含）至90分“调整完善后予以支持”，70分以下“不予支持”；任一维度否决项不通过的不予支持。"
        rules_en = ("90 and above: support; 70-90: support after adjustment; below 70: do not support; a failed "
                    "veto on any dimension: do not support.")
    zh = base_zh + rules_zh + extra_zh
    en = " ".join(t for t in (base_en, rules_en, extra_en) if t)
    return Draft("method", "*", "method", zh, en, source=f"policy:{getattr(fw, 'name', category)}")


class WarningLog:
    """Warnings raised while a report is computed, kept out of the report and counted.

    ``log = WarningLog.start()`` records every warning from then on (nothing reaches stderr); :meth:`notice`
    gives the report's notice block ("计算过程中出现 N 条警告").

    Examples
    --------
    >>> import warnings
    >>> log = WarningLog.start()
    >>> warnings.warn("x")
    >>> log.stop()
    >>> log.count, log.notice("en").text
    (1, '1 warning was raised while this report was computed (see the run log).')
    """

    def __init__(self) -> None:
        import warnings

        self._manager = warnings.catch_warnings(record=True)
        self.records: list[Any] = []

    @classmethod
    def start(cls) -> "WarningLog":
        """Start recording (every warning, each once per location)."""
        import warnings

        log = cls()
        log.records = log._manager.__enter__()
        warnings.simplefilter("default")
        return log

    def stop(self) -> None:
        """Stop recording (restore the warning filters)."""
        self._manager.__exit__(None, None, None)

    @property
    def count(self) -> int:
        """Warnings recorded."""
        return len(self.records)

    def summary(self) -> dict[str, int]:
        """Warning class name -> count."""
        out: dict[str, int] = {}
        for r in self.records:
            out[r.category.__name__] = out.get(r.category.__name__, 0) + 1
        return out

    def notice(self, lang: str = "zh") -> Any:
        """The notice block of the count (:func:`perfeval.reports.notice`)."""
        from .reports import notice

        _check_lang(lang)
        n = self.count
        if lang == "zh":
            text = f"计算过程中出现{n}条警告（详见运行日志）。" if n else "计算过程中未出现警告。"
        else:
            text = (f"{n} warning{'s' if n != 1 else ''} {'was' if n == 1 else 'were'} raised while this report was "
                    f"computed (see the run log)." if n else "No warning was raised while this report was computed.")
        return notice(text)


#: Figure and table captions: key -> (Chinese, English); ``{n}`` is filled by :func:`caption`.
CAPTIONS: Mapping[str, tuple[str, str]] = {
    "facts": ("表{n} 基本情况", "Table {n}. Basic information"),
    "level1": ("表{n} 一级指标得分与同类比较", "Table {n}. First-level scores against peers"),
    "scores": ("表{n} 绩效评价评分表", "Table {n}. Scoring table"),
    "findings": ("表{n} 规范性审核发现的问题", "Table {n}. Audit findings"),
    "contribution": ("图{n} 各指标得分与分值", "Figure {n}. Score of each indicator against its points"),
    "profile": ("图{n} 一级指标得分率与同类比较", "Figure {n}. First-level score rates against peers"),
    "execution": ("图{n} 预算执行进度", "Figure {n}. Budget execution by month"),
    "panel_matrix": ("附表{n} 专家评分汇总表", "Annex table {n}. Expert scores"),
    "raters": ("附表{n} 专家评分诊断", "Annex table {n}. Rater diagnostics"),
    "reliability": ("附表{n} 专家评分信度（一级指标）", "Annex table {n}. Panel reliability (first level)"),
    "severity": ("附图{n} 专家评分偏差", "Annex figure {n}. Rater severity"),
    "recheck_stats": ("表{n} 自评与复核一致性统计", "Table {n}. Agreement of self-evaluation and re-check"),
    "recheck_units": ("表{n} 复核结果明细", "Table {n}. Re-check results by project"),
    "bland_altman": ("图{n} 自评与复核得分的一致性", "Figure {n}. Self-evaluation against re-check"),
    "transitions": ("图{n} 等级变化", "Figure {n}. Grade transitions"),
    "finding_counts": ("表{n} 规范性审核问题汇总", "Table {n}. Audit findings by kind"),
    "overview": ("表{n} 全年绩效管理各环节", "Table {n}. The year's performance management"),
    "grades_dept": ("表{n} 评价等级分布（按部门）", "Table {n}. Grades by department"),
    "grades_type": ("表{n} 评价等级分布（按项目类型）", "Table {n}. Grades by project type"),
    "grades_dept_fig": ("图{n} 评价等级分布（按部门）", "Figure {n}. Grades by department"),
    "grades_type_fig": ("图{n} 评价等级分布（按项目类型）", "Figure {n}. Grades by project type"),
    "application": ("表{n} 评价结果应用与预算调整（按部门）", "Table {n}. Use of the results and budget changes"),
    "monitoring_units": ("表{n} 双监控结果", "Table {n}. Dual-monitoring lights"),
    "monitoring_lines": ("表{n} 监控指标明细", "Table {n}. Monitored lines"),
    "lights": ("图{n} 双监控红绿灯", "Figure {n}. Traffic lights"),
    "exante": ("表{n} 事前绩效评估结果", "Table {n}. Ex-ante assessments"),
    "weights": ("表{n} 不同方法的权重", "Table {n}. Weights by method"),
    "weights_fig": ("图{n} 不同方法的权重比较", "Figure {n}. Weights by method"),
    "experts": ("表{n} 专家判断矩阵一致性", "Table {n}. Consistency of the experts' judgements"),
    "grade_probabilities": ("图{n} 权重不确定性下的等级概率", "Figure {n}. Grade probabilities under weight uncertainty"),
    "rank_intervals": ("图{n} 权重不确定性下的排名区间", "Figure {n}. Rank intervals under weight uncertainty"),
    "flip": ("图{n} 等级翻转裕度", "Figure {n}. Grade flip margins"),
    "totals": ("表{n} 评价结果", "Table {n}. Results"),
    "funds": ("表{n} 项目资金情况", "Table {n}. Project funds"),
}


def caption(key: str, n: Any = "", lang: str = "zh") -> str:
    """A numbered caption of :data:`CAPTIONS`.

    Examples
    --------
    >>> caption("contribution", 1), caption("contribution", 1, "en")
    ('图1 各指标得分与分值', 'Figure 1. Score of each indicator against its points')
    """
    _check_lang(lang)
    zh, en = CAPTIONS[key]
    return (zh if lang == "zh" else en).format(n=n)


def draft_other(meta: Mapping[str, Any] | None = None) -> list[Draft]:
    """Other matters (七、其他需要说明的问题) that follow from the dataset: synthetic data, the money unit.

    Examples
    --------
    >>> [d.zh for d in draft_other({"synthetic": True, "money_unit": "万元"})]
    ['本报告使用虚构的示例数据生成，不代表任何真实单位。', '金额单位：万元。']
    """
    meta = dict(meta or {})
    out = []
    if meta.get("synthetic"):
        out.append(Draft("other", "*", "synthetic", "本报告使用虚构的示例数据生成，不代表任何真实单位。",
                         "This report was made from synthetic sample data; it represents no real unit.",
                         source="dataset.yaml:synthetic"))
    if meta.get("money_unit"):
        unit = str(meta["money_unit"])
        out.append(Draft("other", "*", "money_unit", f"金额单位：{unit}。", f"Amounts in {unit}.",
                         source="dataset.yaml:money_unit"))
    return out


def draft_portfolio(*, self_evaluation: Any = None, audit: Any = None, recheck: Any = None, monitoring: Any = None,
                    exante: Any = None, application: Any = None, money_unit: str = "") -> list[Draft]:
    """Problems and recommendations of a set of units (the re-check report, the annual summary), from the
    results given.

    Returns
    -------
    list of Draft
        ``unit_id="*"``; section ``problems`` and ``recommendations``; one pair per source with something to say:
        the audit (findings and projects concerned), the re-check (inflation and downgrades), monitoring (red
        lights), ex-ante (proposals not supported), the self-evaluations (projects graded 差).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> audit = pe.recheck.audit(data.observations, data.budget, framework="project_self")
    >>> [d.zh for d in draft_portfolio(audit=audit)][0]
    '规范性审核发现问题16项，涉及9个项目，其中高风险问题9项（实际值照抄指标值、目标未完成却按满分自评等）。'
    """
    from ._messages import message

    out: list[Draft] = []

    def pair(code: str, zh: str, en: str, rzh: str, ren: str, source: str, severity: str) -> None:
        out.append(Draft("problems", "*", code, zh, en, source=source, severity=severity))
        out.append(Draft("recommendations", "*", code, rzh, ren, source=source, severity=severity))

    if audit is not None and len(audit.findings):
        f = audit.findings
        high = f[f["severity"] == "high"]
        kinds = list(dict.fromkeys(high["code"].astype(str)))[:2]
        names_zh = "、".join(message(k, "zh") for k in kinds)
        names_en = ", ".join(message(k, "en") for k in kinds)
        zh = f"规范性审核发现问题{len(f)}项，涉及{f['unit_id'].nunique()}个项目"
        en = f"The audit found {len(f)} problems in {f['unit_id'].nunique()} projects"
        if len(high):
            zh += f"，其中高风险问题{len(high)}项（{names_zh}等）"
            en += f", {len(high)} of them serious ({names_en} ...)"
        pair("audit", zh + "。", en + ".",
             "对审核发现的问题逐项整改，重点纠正未完成目标按满分自评、总分计算错误等影响自评结果真实性的问题；"
             "将自评质量纳入部门绩效管理考核。",
             "Have every finding corrected, first those that make the self-evaluation untrue (missed targets "
             "claimed in full, wrong totals); count the quality of self-evaluations in the departments' own "
             "performance assessment.", "audit:findings", "high" if len(high) else "medium")
    if recheck is not None and len(recheck.units):
        s = recheck.summary["estimate"]
        u = recheck.units
        down = int((u["grade_steps"] > 0).sum())
        inflated = int((u["deviation"] > 0).sum())
        bias = fmt_number(_float(s["mean_bias"]), 2)        # a statistic, rounded (not a total)
        zh = (f"自评结果总体偏高：复核{int(s['n'])}个项目，{inflated}个自评得分高于复核得分，平均高出{bias}分，"
              f"{down}个项目等级下调。")
        en = (f"Self-evaluations are inflated: of {int(s['n'])} projects re-checked, {inflated} scored themselves "
              f"higher, by {bias} points on average; {down} were downgraded.")
        pair("recheck", zh, en,
             "以复核结果作为结果应用的依据；对自评偏差较大的部门开展培训并扩大下年度抽查比例。",
             "Use the re-checked results when applying them to budgets; train the departments whose "
             "self-evaluations deviate most and re-check more of their projects next year.", "recheck:summary",
             "high" if down else "medium")
    if monitoring is not None and len(monitoring.units):
        red = monitoring.units[monitoring.units["combined_colour"] == "red"]
        if len(red):
            zh = (f"截至{monitoring.month}月，{len(red)}个项目双监控亮红灯（预算执行严重滞后或绩效目标难以实现），"
                  f"预计全年结余{_num(red['expected_balance'].clip(lower=0).sum())}{money_unit}。")
            en = (f"At month {monitoring.month}, {len(red)} projects are red on dual monitoring (execution far behind "
                  f"or targets out of reach), with {_num(red['expected_balance'].clip(lower=0).sum())} {money_unit} "
                  f"expected "
                  f"to remain unspent.")
            pair("monitoring", zh, en,
                 "对亮红灯项目暂缓拨款或收回沉淀资金，督促部门制定纠偏措施并跟踪落实。",
                 "Suspend disbursement to red projects or take back idle funds; have the departments set "
                 "corrective actions and follow them up.", f"monitoring:{monitoring.month}", "medium")
    if exante is not None and len(exante.units):
        rejected = exante.units[~exante.units["budget_gate"].astype(bool)]
        if len(rejected):
            zh = f"事前绩效评估{len(exante.units)}个新增项目中，{len(rejected)}个未通过评估，不得安排预算。"
            en = (f"Of {len(exante.units)} new proposals assessed ex ante, {len(rejected)} did not pass and may not "
                  f"be funded.")
            pair("exante", zh, en, "未通过事前评估的项目不纳入预算安排；调整完善后可重新申报评估。",
                 "Keep proposals that failed the ex-ante assessment out of the budget; they may be resubmitted "
                 "after revision.", "exante:units", "medium")
    if self_evaluation is not None and len(self_evaluation.totals):
        worst = self_evaluation.framework.bands.labels[-1]
        poor = self_evaluation.totals[self_evaluation.totals["grade"] == worst]
        if len(poor):
            zh = f"{len(poor)}个项目自评等级为“{worst}”，绩效目标完成情况较差。"
            en = f"{len(poor)} projects are graded “{grade_text(self_evaluation, worst, 'en')}” in their self-evaluation."
            pair("poor", zh, en, "评价等级为差的项目按规定压减或取消预算，限期整改并报送整改结果。",
                 "Cut or cancel the budgets of projects graded Poor as the rules require, and have them rectify "
                 "and report by a deadline.", "score:totals", "high")
    return out


def dataset_name(meta: Mapping[str, Any] | None, lang: str = "zh") -> str:
    """A short name of the dataset's region for report titles: ``region`` without its parenthesised note, else
    ``name``; in English the part of ``title_en`` before a colon when there is one.

    Examples
    --------
    >>> meta = {"region": "示例省（虚构 / fictional）", "name": "province",
    ...         "title_en": "Example Province (fictional): budget performance data for 2023"}
    >>> dataset_name(meta), dataset_name(meta, "en")
    ('示例省', 'Example Province (fictional)')
    """
    _check_lang(lang)
    meta = dict(meta or {})
    title_en = str(meta.get("title_en") or "")
    if lang == "en" and ":" in title_en:
        return title_en.split(":", 1)[0].strip()
    region = str(meta.get("region") or "").strip()
    short = re.split(r"[（(]", region, maxsplit=1)[0].strip()
    return short or str(meta.get("name") or "")


def draft_weight_study(table: pd.DataFrame, *, survey: Any = None, uncertainty: Any = None,
                       labels: Mapping[Any, str] | None = None, n_units: int | None = None) -> list[Draft]:
    """The text of a weight study: the experts' consistency, where the methods differ most, how stable the grades
    are under uncertain weights, and a conclusion.

    Parameters
    ----------
    table : DataFrame
        :func:`perfeval.summaries.weight_methods` (items x methods, ``spread``).
    survey : GroupAHPResult, optional
    uncertainty : UncertaintyResult, optional
        :func:`perfeval.sensitivity.weight_uncertainty` of the units.
    labels : mapping, optional
        Item -> name.
    n_units : int, optional
        Units the objective weights were computed from.

    Returns
    -------
    list of Draft
        Sections ``ahp``, ``objective``, ``blend``, ``sensitivity``, ``conclusion`` (unit ``"*"``).
    """
    names = dict(labels or {})
    out: list[Draft] = []
    methods_zh = "、".join(str(c) for c in table.columns if c != "spread")
    out.append(Draft("basic", "*", "study_data",
                     f"本研究比较一级指标的不同赋权方法（{methods_zh}），"
                     f"数据为专家两两比较问卷和{n_units or ''}个项目的评价得分，并检验评价等级对权重的敏感性。",
                     f"This study compares ways of weighting the first-level indicators "
                     f"({', '.join(str(c) for c in table.columns if c != 'spread')}) from the experts' pairwise "
                     f"survey and the scores of {n_units or ''} projects, and tests how sensitive the grades are to "
                     f"the weights.", source="weights:compare"))
    if survey is not None:
        bad = list(survey.inconsistent_experts) if hasattr(survey, "inconsistent_experts") else []
        n = len(survey.individual)
        experts = getattr(survey, "experts", None)
        included = int(experts["included"].sum()) if isinstance(experts, pd.DataFrame) and "included" in experts \
            else n
        top = max(survey.weights.items(), key=lambda kv: kv[1])
        zh = (f"{n}名专家完成两两比较问卷，{len(bad)}名专家的判断矩阵一致性比率超过0.1"
              + (f"（{'、'.join(map(str, bad))}）" if bad else "")
              + f"；群组权重按{included}名专家的判断汇总（AIJ 几何平均），以“{names.get(top[0], top[0])}”最高"
              f"（{_pct(top[1])}）。")
        en = (f"{n} experts answered the pairwise survey; {len(bad)} had a consistency ratio above 0.1"
              + (f" ({', '.join(map(str, bad))})" if bad else "")
              + f"; the group weights aggregate {included} experts' judgements (AIJ geometric mean) and put "
              f"“{names.get(top[0], top[0])}” first ({_pct(top[1])}).")
        out.append(Draft("ahp", "*", "ahp", zh, en, source="weights:ahp_survey"))
    spread = table["spread"] if "spread" in table else pd.Series(0.0, index=table.index)
    item = spread.idxmax()
    methods = [c for c in table.columns if c != "spread"]
    lo, hi = table.loc[item, methods].astype(float).idxmin(), table.loc[item, methods].astype(float).idxmax()
    out.append(Draft("objective", "*", "objective",
                     f"熵权法和CRITIC法根据{n_units or ''}个项目各一级指标得分率的差异程度赋权：得分率差异越大的指标权重越高。",
                     f"Entropy and CRITIC weight the first-level indicators by how much the {n_units or ''} "
                     f"projects' score rates differ: the more they differ, the larger the weight.",
                     source="weights:objective"))
    out.append(Draft("blend", "*", "blend",
                     f"各方法差异最大的是“{names.get(item, item)}”：{lo}为{_pct(table.loc[item, lo])}，{hi}为"
                     f"{_pct(table.loc[item, hi])}，相差{fmt_number(float(spread[item]) * 100, 2)}个百分点。",
                     f"The methods differ most on “{names.get(item, item)}”: {_pct(table.loc[item, lo])} ({lo}) "
                     f"against {_pct(table.loc[item, hi])} ({hi}), {fmt_number(float(spread[item]) * 100, 2)} "
                     f"percentage points apart.", source="weights:compare"))
    if uncertainty is not None:
        stab = uncertainty.grade_stability
        unstable = int((stab < 0.9).sum())
        if unstable:
            zh_s = (f"在一级指标权重随机扰动下，{len(stab)}个项目中有{unstable}个项目保持原等级的概率低于90%，"
                    f"这些项目的等级对权重设定较为敏感。")
            en_s = (f"With the first-level weights drawn at random around the current points, {unstable} of "
                    f"{len(stab)} projects keep their grade in less than 90 % of the draws: their grades depend on "
                    f"the weights.")
        else:
            zh_s = f"在一级指标权重随机扰动下，{len(stab)}个项目保持原等级的概率均不低于90%，等级对权重设定不敏感。"
            en_s = (f"With the first-level weights drawn at random around the current points, all {len(stab)} "
                    f"projects keep their grade in at least 90 % of the draws: the grades do not depend on the "
                    f"weights.")
        out.append(Draft("sensitivity", "*", "sensitivity", zh_s, en_s, source="sensitivity:grade_stability"))
        share = unstable / len(stab) if len(stab) else 0.0
        zh = ("现行分值下多数项目的评价等级对权重不敏感，" if share < 0.2 else "相当一部分项目的评价等级对权重较为敏感，")
        en = ("Most grades do not depend on the weights; " if share < 0.2 else
              "A sizeable share of the grades depends on the weights; ")
    else:
        zh, en = "", ""
    zh += f"建议以组合权重为参考调整“{names.get(item, item)}”的分值，并对等级敏感的项目在结果应用前复核。"
    en += (f"consider the blended weights when revising the points of “{names.get(item, item)}”, and re-check the "
           f"projects whose grade is sensitive before applying the results.")
    out.append(Draft("conclusion", "*", "weight_conclusion", zh, en, source="weights:compare"))
    return out


def draft_exante(exante: Any, unit_id: Any, *, units: pd.DataFrame | None = None, low: float = 0.7) -> list[Draft]:
    """Conclusion and recommendations of an ex-ante assessment (三、综合评估情况与评估结论, 四、相关建议).

    Returns
    -------
    list of Draft
        ``conclusion``: total, conclusion, strongest and weakest dimension, vetoes; ``problems`` and
        ``recommendations``: one per dimension scoring below ``low`` of its points (and one per failed veto).
    """
    t = exante.units[exante.units["unit_id"].astype(str) == str(unit_id)]
    if not len(t):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} has no ex-ante assessment")
    r = t.iloc[0]
    fw = exante.framework
    dims = [n for n in fw.nodes]
    rates = {n.code: float(r[n.code]) / float(n.points) for n in dims if n.code in r and n.points}
    name = unit_name(units, unit_id) or str(unit_id)
    best = max(rates, key=rates.get)
    worst = min(rates, key=rates.get)
    find = {n.code: n for n in dims}
    zh = (f"“{name}”事前绩效评估总分{_pts(r['total'])}分，评估结论为“{r['conclusion']}”。"
          f"五个维度中{find[best].name}得分率最高（{_pct(rates[best])}），{find[worst].name}最低（{_pct(rates[worst])}）。")
    en = (f"“{name}” scores {_pts(r['total'])} in the ex-ante assessment: {r['conclusion_en']}. "
          f"{find[best].name_en or find[best].name} scores best ({_pct(rates[best])}), "
          f"{find[worst].name_en or find[worst].name} worst ({_pct(rates[worst])}).")
    if not bool(r["passed"]):
        zh += "存在否决项未通过，不予支持。"
        en += " A veto failed: not supported."
    if not bool(r["budget_gate"]):
        zh += "按规定不得安排预算。"
        en += " No budget may be arranged."
    out = [Draft("conclusion", str(unit_id), "exante_conclusion", zh, en, source="exante:units")]
    advice = {
        "necessity": ("进一步论证立项依据和现实需求，说明与部门职能、发展规划的关系。",
                      "Substantiate the basis and the need, and relate the proposal to the department's duties "
                      "and plans."),
        "economy": ("细化成本测算，对照同类项目标准压减不合理支出。",
                    "Detail the cost estimate and cut spending above the standards of similar projects."),
        "targets": ("完善绩效目标，设置可衡量的产出和效益指标并明确指标值。",
                    "Rework the targets: measurable output and effect indicators with target values."),
        "feasibility": ("细化实施方案，明确进度安排、组织保障和风险应对措施。",
                        "Detail the implementation plan: schedule, organisation and risk responses."),
        "compliance": ("明确资金来源及筹资方式，确保符合预算管理和政府债务管理规定。",
                       "State the sources of funds and ensure they comply with budget and debt rules."),
    }
    for code, rate in rates.items():
        if rate < low:
            node = find[code]
            out.append(Draft("problems", str(unit_id), "exante_low",
                             f"{node.name}得分偏低：得{_pts(r[code])}分（分值{_num(node.points)}分），得分率{_pct(rate)}。",
                             f"{node.name_en or node.name} scored low: {_pts(r[code])} of {_num(node.points)} "
                             f"points ({_pct(rate)}).", source=f"exante:{code}", severity="medium"))
            zh_a, en_a = advice.get(code, ("针对得分偏低的方面补充论证。", "Strengthen the weak dimension."))
            out.append(Draft("recommendations", str(unit_id), "exante_low", zh_a, en_a, source=f"exante:{code}"))
    return out


def draft_monitoring(monitoring: Any, unit_ids: Sequence[Any], *, money_unit: str = "") -> list[Draft]:
    """Red lights of several units (四、偏差及原因分析) with the cause each unit reported (偏差原因), and the
    corrective actions (五、纠偏措施), grouped by action.

    Returns
    -------
    list of Draft
        ``problems``: one per red line (:func:`draft_problems` with ``monitoring``), the unit's stated cause
        appended; ``recommendations``: one per corrective action, naming the units.
    """
    lights = monitoring.lights
    out: list[Draft] = []
    for uid in unit_ids:
        for d in draft_problems(uid, monitoring=monitoring, money_unit=money_unit):
            what = d.source.split(":", 2)[-1]
            row = lights[(lights["unit_id"].astype(str) == str(uid)) & (lights["colour"] == "red")
                         & ((lights["line"] == what) | (lights["indicator"] == what))]
            note = "" if not len(row) or pd.isna(row["note"].iloc[0]) else str(row["note"].iloc[0]).strip()
            zh, en = d.zh, d.en
            if note:
                zh += f"单位说明的偏差原因：{note}"
                en += f" Cause stated by the unit: {note}"
            else:
                zh += "单位未说明偏差原因。"
                en += " The unit stated no cause."
            out.append(Draft(d.section, d.unit_id, d.code, zh, en, source=d.source, severity=d.severity, data=d.data))
    actions: dict[str, list[Draft]] = {}
    for d in out:
        actions.setdefault(d.data.get("action_zh", ""), []).append(d)
    for action, group in actions.items():
        ids = list(dict.fromkeys(g.unit_id for g in group))
        en_action = group[0].data.get("action_en", "")
        out.append(Draft("recommendations", "*", "red_light",
                         f"对{'、'.join(ids)}等{len(ids)}个项目的红灯事项采取“{action}”措施，明确整改时限并跟踪落实。",
                         f"{en_action.capitalize()} for the red items of {', '.join(ids)} ({len(ids)} projects), with "
                         f"a deadline and follow-up.", source=f"monitoring:{monitoring.month}"))
    return out
