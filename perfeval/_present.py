"""Tables as a finance department reads them: the one step between a result frame and a written file.

Computation keeps canonical English column names, codes and unrounded floats (design §1, :mod:`perfeval.columns`).
Every table perfeval writes for people (``Analysis.write``, the ``--out`` files and tables of the command line)
goes through :func:`present`, which

* puts the unit's **name beside its code**: a ``name`` column (项目名称) right after ``unit_id`` in a per-unit table
  (``unit_name`` in a table whose ``name`` is an indicator's), taken from the units table or the forms;
* **rounds numbers for display**: to 2 decimals half away from zero (四舍五入), rates and shares (0.9262 = 92.62 %)
  to 4, and totals so that they **never show a grade they did not reach**: a total that rounding would lift onto a
  grade edge is rounded down (:func:`perfeval._display.edge_safe_display`: 89.996 shows 89.99, never 90.00, which a
  reader would take for 优; 89.2777 shows 89.28); the values are the floats of those decimals, so a written file
  never holds float noise such as ``12.90000000000001``;
* writes **paths relative to the data folder** (``indicators.csv``, not ``/home/.../indicators.csv``); an absolute
  path outside it keeps its file name only;
* adds the **meaning** (说明) of problem and finding codes (a ``code`` column) and of ``flags``
  (:mod:`perfeval._messages`), translates severities and yes/no values, and keeps one column of a language pair
  (``action`` / ``action_en``, ``colour`` / ``colour_zh``) in the chosen language;
* **names the columns** in the chosen language: :data:`COLUMNS` maps every canonical column any writer emits to its
  Chinese and English header. The Chinese headers are the ones :mod:`perfeval.columns` accepts as aliases where
  perfeval reads such a file back (项目编码, 三级指标, 年度指标值, 得分, 专家编码, 复核得分 ...); the English headers
  are the canonical names, which every reader accepts.

``lang="zh"`` is the default; ``lang="en"`` gives English headers, meanings and labels.

Examples
--------
>>> import pandas as pd
>>> from perfeval._present import present
>>> t = pd.DataFrame({"unit_id": ["001"], "total": [89.996], "grade": ["良"], "execution_rate": [0.92625]})
>>> present(t, units=pd.DataFrame({"unit_id": ["001"], "name": ["乡村教师生活补助"]})).values.tolist()[0]
['001', '乡村教师生活补助', 89.99, '良', 0.9263]
>>> list(present(t)), list(present(t, "en"))
(['项目编码', '总分', '等级', '预算执行率'], ['unit_id', 'total', 'grade', 'execution_rate'])
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ._display import edge_safe_display, round_display
from ._messages import SEVERITY_NAMES, check_lang, message

__all__ = ["COLUMNS", "present", "header", "unit_names", "relative_path", "score_sheets", "GRADED_COLUMNS",
           "RATIO_COLUMNS", "SUBJECTS"]

#: Canonical column -> (Chinese header, English header), for every column a perfeval writer emits.
COLUMNS: dict[str, tuple[str, str]] = {
    # units
    "unit_id": ("项目编码", "unit_id"), "name": ("项目名称", "name"), "unit_name": ("项目名称", "unit_name"),
    "kind": ("类型", "kind"), "department_id": ("主管部门编码", "department_id"), "year": ("年度", "year"),
    "project_type": ("项目类型", "project_type"), "is_new": ("是否新增", "is_new"), "rigid": ("刚性支出", "rigid"),
    "category": ("评价类别", "category"), "department": ("主管部门", "department"),
    "implementing_unit": ("实施单位", "implementing_unit"),
    # observations and nodes
    "node_code": ("指标编码", "node_code"), "parent_code": ("上级指标编码", "parent_code"), "level": ("层级", "level"),
    "l1": ("一级指标", "l1"), "l2": ("二级指标", "l2"), "indicator": ("三级指标", "indicator"),
    "indicator_code": ("指标库编码", "indicator_code"), "op": ("指标性质", "op"), "target": ("年度指标值", "target"),
    "actual": ("实际完成值", "actual"), "unit": ("计量单位", "unit"), "points": ("分值", "points"),
    "achievement": ("完成度", "achievement"), "score": ("得分", "score"), "claimed_score": ("自评得分", "claimed_score"),
    "rule": ("评分规则", "rule"), "applicable": ("是否适用", "applicable"), "note": ("偏差原因", "note"),
    "source_file": ("来源文件", "source_file"), "source_row": ("来源行", "source_row"),
    # totals
    "total": ("总分", "total"), "grade": ("等级", "grade"), "banded_grade": ("按分数等级（未计否决）", "banded_grade"),
    "execution_rate": ("预算执行率", "execution_rate"), "execution_score": ("预算执行得分", "execution_score"),
    "n_indicators": ("指标数", "n_indicators"), "points_total": ("总分值", "points_total"), "flags": ("标记", "flags"),
    "flags_meaning": ("标记说明", "flags_meaning"),
    # budget
    "budget_initial": ("年初预算数", "budget_initial"), "budget_full_year": ("全年预算数", "budget_full_year"),
    "budget_adjusted": ("调整后预算数", "budget_adjusted"), "funds_in_place": ("到位资金", "funds_in_place"),
    "executed": ("全年执行数", "executed"), "claimed_total": ("自评总分", "claimed_total"),
    # problems and findings
    "location": ("位置", "location"), "code": ("代码", "code"), "meaning": ("说明", "meaning"),
    "message": ("详情", "message"), "severity": ("严重程度", "severity"), "row": ("行号", "row"),
    "claimed": ("自评", "claimed"), "expected": ("按规则", "expected"), "finding": ("问题", "finding"),
    "section": ("章节", "section"), "text": ("内容", "text"), "source": ("依据", "source"),
    # summary of an analysis
    "step": ("步骤", "step"), "what": ("内容", "what"), "figure": ("结果", "figure"),
    # re-check
    "self_total": ("自评得分", "self_total"), "recheck_total": ("复核得分", "recheck_total"),
    "self_total_source": ("自评得分来源", "self_total_source"),
    "deviation": ("偏差", "deviation"), "abs_deviation": ("偏差绝对值", "abs_deviation"),
    "rel_deviation": ("相对偏差", "rel_deviation"), "self_grade": ("自评等级", "self_grade"),
    "recheck_grade": ("复核等级", "recheck_grade"), "grade_steps": ("等级变化", "grade_steps"),
    "accuracy": ("准确性", "accuracy"), "drivers": ("主要偏差指标", "drivers"), "amount": ("金额", "amount"),
    "statistic": ("统计量", "statistic"), "estimate": ("估计值", "estimate"), "ci_low": ("置信区间下限", "ci_low"),
    "ci_high": ("置信区间上限", "ci_high"), "pvalue": ("P值", "pvalue"), "budget_weighted": ("按预算加权", "budget_weighted"),
    "recheck_score": ("复核指标得分", "recheck_score"), "self_score": ("自评指标得分", "self_score"),
    "from_grade": ("自评等级", "from_grade"), "to_grade": ("复核等级", "to_grade"), "count": ("数量", "count"),
    "n": ("数量", "n"), "group": ("分组", "group"), "share": ("比例", "share"),
    # ex-ante
    "conclusion": ("评估结论", "conclusion"), "banded_conclusion": ("分数结论", "banded_conclusion"),
    "vetoes": ("否决项", "vetoes"), "passed": ("是否通过", "passed"), "assessed": ("是否已评估", "assessed"),
    "budget_gate": ("预算安排", "budget_gate"), "budget_flag": ("预算安排建议", "budget_flag"),
    # monitoring
    "line": ("监控行", "line"), "month": ("月份", "month"), "value": ("累计完成值", "value"),
    "time_progress": ("时间进度", "time_progress"), "progress_basis": ("进度依据", "progress_basis"),
    "ratio": ("完成比例(%)", "ratio"), "execution_share": ("执行进度", "execution_share"),
    "colour": ("预警颜色", "colour"), "forecast_value": ("预计全年完成值", "forecast_value"),
    "forecast_share": ("预计全年执行进度", "forecast_share"), "forecast_colour": ("预计预警颜色", "forecast_colour"),
    "forecast_met": ("预计能否完成", "forecast_met"), "forecast_reported": ("是否填报预计", "forecast_reported"),
    "forecast": ("完成目标可能性", "forecast"), "planned": ("计划进度", "planned"),
    "action_code": ("措施代码", "action_code"), "action": ("处理措施", "action"),
    "budget_colour": ("预算执行颜色", "budget_colour"), "goal_colour": ("目标颜色", "goal_colour"),
    "combined_colour": ("综合颜色", "combined_colour"),
    # application of results
    "cut_share": ("压减比例", "cut_share"), "current_budget": ("本年预算", "current_budget"),
    "proposed_budget": ("建议预算", "proposed_budget"), "budget_change": ("预算调整额", "budget_change"),
    "rectification_required": ("是否需要整改", "rectification_required"),
    "transfer_factor": ("转移支付调节系数", "transfer_factor"), "reason": ("依据", "reason"),
    "grade_source": ("等级来源", "grade_source"), "self_action_code": ("自评对应措施代码", "self_action_code"),
    "changed_by_verification": ("核验后措施改变", "changed_by_verification"),
    "n_units": ("项目数", "n_units"), "n_with_self": ("有自评的项目数", "n_with_self"),
    "n_grade_changed": ("等级改变数", "n_grade_changed"), "n_action_changed": ("措施改变数", "n_action_changed"),
    "deviation_share": ("偏离比例", "deviation_share"), "factor": ("调节系数", "factor"), "capped": ("是否封顶", "capped"),
    "allocation": ("分配金额", "allocation"), "adjusted_allocation": ("调整后分配金额", "adjusted_allocation"),
    "budget_before": ("调整前预算", "budget_before"), "budget_after": ("调整后预算", "budget_after"),
    # panel and raters
    "rater_id": ("专家编码", "rater_id"), "rating": ("评级", "rating"), "n_ratings": ("评分数", "n_ratings"),
    "severity_se": ("严厉度标准误", "severity_se"), "severity_ci_low": ("严厉度置信下限", "severity_ci_low"),
    "severity_ci_high": ("严厉度置信上限", "severity_ci_high"), "severity_z": ("严厉度Z值", "severity_z"),
    "consistency": ("一致性", "consistency"), "consistency_z": ("一致性Z值", "consistency_z"),
    "residual_sd": ("残差标准差", "residual_sd"), "residual_z": ("残差Z值", "residual_z"),
    "icc_without": ("剔除该专家后ICC", "icc_without"), "alpha_without": ("剔除该专家后α系数", "alpha_without"),
    "expert_id": ("专家编码", "expert_id"), "file": ("文件", "file"), "sheet": ("工作表", "sheet"),
    # weights and sensitivity
    "weight": ("权重", "weight"), "item": ("指标", "item"), "method": ("方法", "method"), "cr": ("一致性比率", "cr"),
    "grade_stability": ("等级稳定性", "grade_stability"), "probability": ("概率", "probability"),
    # surveys
    "question": ("问题", "question"), "respondent": ("问卷编号", "respondent"), "answer": ("答案", "answer"),
    "rate": ("满意度", "rate"), "n_answers": ("有效答卷数", "n_answers"), "margin": ("误差范围", "margin"),
    "rank": ("排名", "rank"), "entropy": ("信息熵", "entropy"), "divergence": ("差异系数", "divergence"),
    "directions": ("指标方向", "directions"), "points_old": ("原分值", "points_old"),
    "points_new": ("新分值", "points_new"), "comment": ("评分说明", "comment"),
}

#: Totals compared with grade edges: rounded half away from zero unless that reaches an edge the total did not
#: reach, then rounded down (:func:`perfeval._display.edge_safe_display`; always down when the edges are unknown).
GRADED_COLUMNS: frozenset[str] = frozenset({"total", "self_total", "recheck_total", "claimed_total"})
#: Rates and shares (0.9262 = 92.62 %): 4 decimals, so that the percentage keeps 2.
RATIO_COLUMNS: frozenset[str] = frozenset({
    "execution_rate", "achievement", "rel_deviation", "execution_share", "forecast_share", "time_progress",
    "cut_share", "pvalue", "estimate", "ci_low", "ci_high", "grade_stability", "share", "deviation_share",
    "weight", "planned", "probability", "margin"})

#: How the code and name of a unit are called: project (default), department, region.
SUBJECTS: Mapping[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "project": (("项目编码", "unit_id"), ("项目名称", "name")),
    "department": (("单位编码", "unit_id"), ("单位名称", "name")),
    "region": (("地区编码", "unit_id"), ("地区名称", "name")),
}

_YES_NO = ("是", "否")
#: Re-check statistics beyond the report's (:data:`perfeval.summaries._STATS`).
_MORE_STATS = {
    "self_mean": ("自评平均分", "mean self-evaluation total"), "recheck_mean": ("复核平均分", "mean re-check total"),
    "median_bias": ("偏差中位数（分）", "median bias"), "share_inflated": ("自评偏高的比例", "share inflated"),
    "share_deflated": ("自评偏低的比例", "share deflated"), "rmse": ("均方根偏差（分）", "root mean square deviation"),
    "ba_slope": ("偏差随分数变化的斜率", "Bland-Altman slope"), "gwet_ac2": ("Gwet AC2 一致性系数", "Gwet's AC2"),
    "stuart_maxwell": ("等级边际一致性检验（Stuart-Maxwell）", "Stuart-Maxwell test"),
    "disconnect_rate": ("等级不一致率", "grade disconnect rate"),
    "net_disconnect": ("达标等级净差（自评−复核）", "net disconnect at the satisfactory grade"),
    "share_basically_accurate": ("自评基本准确的比例", "share basically accurate"),
    "share_inaccurate": ("自评不准确的比例", "share inaccurate"),
}
_COLOURS = {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝"}
# absolute paths: POSIX (/a/b), Windows (C:\a or C:/a) and UNC (\\server\share)
_ABSOLUTE = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:[\\/]|\\\\|/)(?:[^\s:;,'\"()（）\[\]/\\]+[\\/])+")


def header(column: Any, lang: str = "zh") -> str:
    """The header of a canonical ``column`` in ``lang`` (the column itself when it has none)."""
    pair = COLUMNS.get(str(column))
    return str(column) if pair is None else pair[0 if lang == "zh" else 1]


def relative_path(text: Any, base: str | os.PathLike | None = None) -> Any:
    """``text`` with every absolute path in it made relative to ``base`` (the data folder); an absolute path
    outside ``base`` keeps its file name only. Non-text values are returned as they are.

    >>> relative_path("/data/2024/indicators.csv:7:target", "/data/2024")
    'indicators.csv:7:target'
    >>> relative_path("/elsewhere/forms/a.xlsx", "/data/2024"), relative_path("executed / budget x 10")
    ('a.xlsx', 'executed / budget x 10')
    """
    if not isinstance(text, str) or not text:
        return text
    for prefix in _bases(base):
        if prefix in text:
            text = text.replace(prefix, "")
    if not _ABSOLUTE.search(text):
        return text
    return _ABSOLUTE.sub("", text)


def _bases(base: Any) -> list[str]:
    if base is None:
        return []
    out = []
    for p in {str(base), str(Path(base).resolve()), os.path.abspath(str(base))}:
        p = p.rstrip("/\\")
        if p:
            out += [p + "/", p + "\\"]
    return sorted(set(out), key=len, reverse=True)


def unit_names(*sources: Any) -> dict[str, str]:
    """``unit_id -> name`` from units tables (``unit_id`` and ``name``/项目名称), mappings or Series; the first
    source naming a unit wins. Empty names are skipped."""
    out: dict[str, str] = {}
    for source in sources:
        if source is None:
            continue
        if isinstance(source, pd.DataFrame):
            if "unit_id" not in source or "name" not in source:
                continue
            pairs = zip(source["unit_id"], source["name"])
        elif isinstance(source, pd.Series):
            pairs = source.items()
        elif isinstance(source, Mapping):
            pairs = source.items()
        else:
            continue
        for uid, name in pairs:
            if uid is None or name is None or (isinstance(name, float) and math.isnan(name)):
                continue
            text = str(name).strip()
            if text and text.lower() != "nan":
                out.setdefault(str(uid), text)
    return out


def _texty(values: pd.Series) -> bool:
    """An object or string column (text, or mixed cells)."""
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _round_column(values: pd.Series, decimals: int, graded: bool, edges: Any) -> pd.Series:
    """Floats rounded for display (totals edge-safe); other cells (text in an object column) kept."""
    def rounded(arr: Any) -> np.ndarray:
        return edge_safe_display(arr, edges, decimals) if graded else round_display(arr, decimals)

    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        return values
    if pd.api.types.is_float_dtype(values.dtype):
        return pd.Series(rounded(values.to_numpy(dtype=float)), index=values.index, name=values.name)
    if _texty(values):
        def one(v: Any) -> Any:
            if isinstance(v, (float, np.floating)) and math.isfinite(v):
                return float(rounded([float(v)])[0])
            return v
        return values.map(one)
    return values


def present(frame: pd.DataFrame, lang: str = "zh", *, units: Any = None, base: str | os.PathLike | None = None,
            decimals: int | None = 2, subject: str = "project", headers: Mapping[str, str] | None = None,
            index: bool | None = None, edges: Any = None) -> pd.DataFrame:
    """A result table as written for people: names beside codes, numbers rounded, meanings, headers translated.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy result table with canonical columns (left unchanged: the output is a new frame).
    lang : {"zh", "en"}
        Headers, meanings, severities, yes/no and paired columns (``action``/``action_en``) in this language.
    units : DataFrame, mapping or Series, optional
        Unit names (:func:`unit_names`): a ``name`` column (项目名称) is inserted after ``unit_id`` when the table
        has none (``unit_name`` when its ``name`` is an indicator's, as in a nodes table).
    base : path, optional
        The data folder: absolute paths in text cells become relative to it (:func:`relative_path`).
    decimals : int or None, default 2
        Decimals of points and other floats (rates and shares get ``decimals + 2``), half away from zero; totals
        (:data:`GRADED_COLUMNS`) never rounded onto a grade edge they did not reach. None keeps full precision.
    subject : {"project", "department", "region"}
        What the units are, for the Chinese headers of their code and name (项目编码 / 单位编码 / 地区编码).
    headers : mapping, optional
        Headers of particular columns (e.g. the names of a framework's node-code columns), overriding
        :data:`COLUMNS`.
    index : bool, optional
        Turn a named index (``unit_id`` of grade probabilities) into the first column; default: when it is named.
    edges : GradeBands or sequence of float, optional
        The grade edges of the totals (:func:`perfeval._display.edge_safe_display`); None: unknown, totals are
        rounded down.

    Returns
    -------
    pandas.DataFrame
        With a plain RangeIndex; only the headers of columns in :data:`COLUMNS` (or ``headers``) are renamed.
    """
    check_lang(lang)
    if subject not in SUBJECTS:
        raise ValueError(f"`subject` must be one of {', '.join(SUBJECTS)}; got {subject!r}.")
    out = frame.copy()
    if index if index is not None else any(n is not None for n in out.index.names):
        out = out.reset_index()
        out.columns = [str(c) for c in out.columns]
    else:
        out = out.reset_index(drop=True)
    zh = lang == "zh"
    # a table read back from one perfeval wrote: its Chinese unit-name header is the name column
    for written in ("项目名称", "单位名称", "地区名称"):
        if written in out and "name" not in out and "node_code" not in out:
            out = out.rename(columns={written: "name"})
    nodes_like = "node_code" in out or "indicator" in out and "name" in out and "unit_id" in out and "level" in out
    # language pairs: action / action_en, conclusion / conclusion_en, colour / colour_zh
    for column in list(out.columns):
        col = str(column)
        if col.endswith("_en") and col[:-3] in out:
            if not zh:
                out[col[:-3]] = out[col].where(out[col].notna() & (out[col].astype(str) != ""), out[col[:-3]])
            out = out.drop(columns=column)
        elif col.endswith("_zh") and col[:-3] in out:
            if zh:
                out[col[:-3]] = out[col].where(out[col].notna(), out[col[:-3]])
            out = out.drop(columns=column)
    # names beside codes
    names = unit_names(units) if units is not None else {}
    if "unit_id" in out and "name" in out and not nodes_like:  # a units attribute joined at the end: move it
        at = list(out.columns).index("unit_id") + 1
        out.insert(at, "name", out.pop("name"))
    if names and "unit_id" in out:
        name_col = "unit_name" if nodes_like and "name" in out else "name"
        if name_col not in out:
            at = list(out.columns).index("unit_id") + 1
            out.insert(at, name_col, out["unit_id"].astype(str).map(names).fillna(""))
    # numbers
    if decimals is not None:
        for column in out.columns:
            col = str(column)
            places = decimals + 2 if col in RATIO_COLUMNS else decimals
            out[column] = _round_column(out[column], places, col in GRADED_COLUMNS, edges)
    # paths
    for column in out.columns:
        if _texty(out[column]):
            if out[column].map(lambda v: isinstance(v, str) and ("/" in v or "\\" in v)).any():
                out[column] = out[column].map(lambda v: relative_path(v, base))
    # meanings of codes and flags
    if "code" in out and "meaning" in out and "message" not in out:  # a vocabulary: its meaning is the detail
        out = out.rename(columns={"meaning": "message"})
    # the code column saying what kind of problem: `finding` in the indicator library's check (its `code` is the
    # indicator's), else `code`
    kind = "finding" if "finding" in out else "code"
    if kind in out and "meaning" not in out:
        at = list(out.columns).index("message") + 1 if "message" in out else list(out.columns).index(kind) + 1
        out.insert(at, "meaning", out[kind].map(lambda c: message(c, lang)))
    if "statistic" in out and "meaning" not in out and _texty(out["statistic"]):  # re-check statistics
        from .summaries import _STATS

        stats = {**_STATS, **_MORE_STATS}
        if out["statistic"].isin(list(stats)).any():
            at = list(out.columns).index("statistic") + 1
            out.insert(at, "meaning", out["statistic"].map(lambda k: stats.get(k, ("", ""))[0 if zh else 1]))
    if "flags" in out and _texty(out["flags"]):
        flags = out["flags"].fillna("").astype(str)
        if (flags != "").any():
            at = list(out.columns).index("flags") + 1
            out.insert(at, "flags_meaning", flags.map(lambda c: message(c, lang) if c else ""))
    # severities (text), yes / no
    if "severity" in out and _texty(out["severity"]):
        out["severity"] = out["severity"].map(lambda s: SEVERITY_NAMES.get(s, (s, s))[0 if zh else 1]
                                              if isinstance(s, str) else s)
    if zh and "self_total_source" in out and _texty(out["self_total_source"]):  # re-check: whose total
        from .recheck._inputs import SELF_TOTAL_SOURCE_NAMES

        out["self_total_source"] = out["self_total_source"].map(lambda v: SELF_TOTAL_SOURCE_NAMES.get(v, (v,))[0])
    if zh:
        for column in out.columns:
            values = out[column]
            if pd.api.types.is_bool_dtype(values.dtype) or (
                    values.dtype == object and values.notna().any()
                    and values.dropna().map(lambda v: isinstance(v, (bool, np.bool_))).all()):
                out[column] = values.map(lambda b: _YES_NO[0] if b is True or b is np.True_ else
                                         _YES_NO[1] if b is False or b is np.False_ else b)
            elif str(column).endswith("colour") and _texty(values):
                out[column] = values.map(lambda c: _COLOURS.get(c, c) if isinstance(c, str) else c)
    # headers
    renames: dict[Any, str] = {}
    code_head, name_head = SUBJECTS[subject]
    for column in out.columns:
        col = str(column)
        if headers and col in headers:
            renames[column] = headers[col]
        elif col == "unit_id":
            renames[column] = code_head[0 if zh else 1]
        elif col == "name" and not nodes_like:
            renames[column] = name_head[0 if zh else 1]
        elif col == "name":
            renames[column] = "指标名称" if zh else "name"
        elif col == "unit_name":
            renames[column] = name_head[0] if zh else "unit_name"
        elif col == "level" and nodes_like and pd.api.types.is_integer_dtype(out[column].dtype):
            renames[column] = "层级" if zh else "level"
        elif col == "level":
            renames[column] = "完成等级" if zh else "level"
        elif col == "severity" and pd.api.types.is_numeric_dtype(out[column].dtype):
            renames[column] = "严厉度" if zh else "severity"
        elif col == "expected" and "colour" in out:  # monitoring: the value due by the month
            renames[column] = "应完成值" if zh else "expected"
        else:
            renames[column] = header(col, lang)
    out = out.rename(columns=renames)
    return out.loc[:, ~out.columns.duplicated()]  # a column given twice (read back, then added) is written once


def untranslated(columns: Iterable[Any]) -> list[str]:
    """The columns of ``columns`` with no header in :data:`COLUMNS` (for tests and checks of new writers); a
    language twin (``action_en``, ``colour_zh``) of a known column is merged into it, so it needs none."""
    return [str(c) for c in columns
            if str(c) not in COLUMNS and not (str(c)[-3:] in ("_en", "_zh") and str(c)[:-3] in COLUMNS)]


def score_sheets(result: Any, *, lang: str = "zh", units: Any = None, base: Any = None, decimals: int | None = 2,
                 subject: str = "project", edges: Any = None) -> list[tuple[str, pd.DataFrame]]:
    """The sheets of a scoring workbook as people read them: totals, one sheet per level, problems, parameters.

    Sheet names are 总分, 第1级指标 ..., 问题, 参数 (``totals``, ``level 1`` ..., ``problems``, ``parameters`` in
    English); every table goes through :func:`present`.
    """
    check_lang(lang)
    zh = lang == "zh"
    kw = {"units": units, "base": base, "decimals": decimals, "subject": subject,
          "edges": result.framework.bands if edges is None else edges}
    sheets = [("总分" if zh else "totals", present(result.totals, lang, **kw))]
    nodes = result.nodes
    for level in sorted(int(v) for v in nodes["level"].unique()):
        sheets.append((f"第{level}级指标" if zh else f"level {level}",
                       present(nodes[nodes["level"] == level], lang, **kw)))
    problems = pd.DataFrame([p.to_dict() for p in result.problems], columns=["location", "code", "message", "severity"])
    sheets.append(("问题" if zh else "problems", present(problems, lang, **kw)))
    params = pd.DataFrame({("参数" if zh else "parameter"): list(result.policy),
                           ("取值" if zh else "value"): [str(v) for v in result.policy.values()]})
    sheets.append(("参数" if zh else "parameters", params))
    return sheets
