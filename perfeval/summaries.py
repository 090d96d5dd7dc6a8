"""Report tables and key figures: the results of one unit or of the year, as frames ready to hand over.

Every function returns a DataFrame whose headers are Chinese (English with ``lang="en"``), whose units carry their
names ("name (id)"), whose codes are translated (grades, findings, lights, actions) and whose numbers are left
unrounded: :func:`block` (or :func:`perfeval.reports.table`) formats them, rounding the score columns listed in
``frame.attrs["floor_columns"]`` *down* (a shown total never crosses a grade edge it did not reach).
:func:`key_figures` gives the figures at the top of a report as display texts.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._display import fmt_number
from ._messages import SEVERITY_NAMES
from ._result_lookup import grade_text, node_label, total_row
from .recheck._inputs import SELF_TOTAL_SOURCE_NAMES
from .errors import InputError

__all__ = ["block", "key_figures", "unit_facts", "score_table", "level_table", "findings_frame", "recheck_frame",
           "recheck_statistics", "grade_counts", "application_frame", "monitoring_frame", "exante_frame",
           "rater_frame", "panel_matrix", "recheck_cautions", "weights_frame", "unit_label", "grade_text",
           "PROJECT_TYPES", "reliability_frame", "recheck_figures", "finding_counts", "overview", "annual_figures", "select_units",
           "expert_frame", "has_unit", "achievement_matrix", "node_names", "weight_methods", "study_figures",
           "transfer_frame", "monitoring_figures", "exante_figures", "exante_dimensions", "funds_frame",
           "fact_values"]

#: Project types (units.csv ``project_type``) in both languages.
PROJECT_TYPES: Mapping[str, tuple[str, str]] = {"continuing": ("持续性项目", "continuing"),
                                                "phased": ("阶段性项目", "phased"),
                                                "one_off": ("一次性项目", "one-off")}

_LIGHTS = {"red": ("红", "red"), "yellow": ("黄", "yellow"), "green": ("绿", "green"), "blue": ("蓝", "blue")}
_SEVERITY = SEVERITY_NAMES


def _check_lang(lang: Any) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")


def _t(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en


def _floor(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    frame.attrs["floor_columns"] = [c for c in columns if c in frame.columns]
    return frame


def block(frame: pd.DataFrame, *, caption: str | None = None, lang: str = "zh", decimals: Any = 2,
          note: str | None = None) -> Any:
    """The report table of a frame of this module (:func:`perfeval.reports.table` with its floor columns).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"得分": [89.996]})
    >>> f.attrs["floor_columns"] = ["得分"]
    >>> block(f).block["rows"]
    [['89.99']]
    """
    from .reports import table

    return table(frame, caption=caption, decimals=decimals, floor_columns=frame.attrs.get("floor_columns", ()),
                 lang=lang, note=note)


def unit_label(units: pd.DataFrame | None, unit_id: Any, lang: str = "zh") -> str:
    """"name（id）" from a units table, the id alone when the name is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"unit_id": ["001"], "name": ["示例省教育厅"]})
    >>> unit_label(u, "001"), unit_label(u, "001", "en"), unit_label(u, "002")
    ('示例省教育厅（001）', '示例省教育厅 (001)', '002')
    """
    from .narrative import unit_name

    name = unit_name(units, unit_id)
    if not name:
        return str(unit_id)
    return f"{name}（{unit_id}）" if lang == "zh" else f"{name} ({unit_id})"


def _labels(units: pd.DataFrame | None, ids: Any, lang: str) -> list[str]:
    if units is None or "unit_id" not in units or "name" not in units:
        return [str(u) for u in ids]
    names = dict(zip(units["unit_id"].astype(str), units["name"]))
    out = []
    for u in ids:
        name = names.get(str(u))
        if name is None or (isinstance(name, float) and np.isnan(name)) or not str(name).strip():
            out.append(str(u))
        else:
            out.append(f"{name}（{u}）" if lang == "zh" else f"{name} ({u})")
    return out


def key_figures(result: Any, unit_id: Any, *, rank: Any = None, claimed_total: Any = None, audit: Any = None,
                lang: str = "zh") -> list[tuple[str, str]]:
    """The figures at the top of a unit's report: total, grade, rank among peers, execution rate.

    Parameters
    ----------
    result : ScoreResult
    unit_id : str
    rank : PeerRank, optional
        From :func:`perfeval.peers.rank_among_peers`.
    claimed_total : float, optional
        The unit's own total (自评得分), shown before the total the rules give.
    audit : AuditResult, optional
        Gives ``claimed_total`` when it is not given (the total the unit wrote).
    lang : {"zh", "en"}

    Returns
    -------
    list of (label, text)
        The total rounded down (89.996 -> "89.99"), the grade, ``rank/n``, the execution rate in percent (left
        out when the result has none).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> res = SimpleNamespace(totals=pd.DataFrame({"unit_id": ["P1"], "total": [89.996], "grade": ["良"],
    ...                                             "execution_rate": [0.9512]}))
    >>> key_figures(res, "P1")
    [('综合得分', '89.99'), ('评价等级', '良'), ('预算执行率', '95.12%')]
    """
    _check_lang(lang)
    row = total_row(result, unit_id)
    items: list[tuple[str, str]] = []
    if claimed_total is None and audit is not None:
        hit = audit.units[audit.units["unit_id"].astype(str) == str(unit_id)]
        claimed_total = hit["claimed_total"].iloc[0] if len(hit) else None
    if claimed_total is not None and not pd.isna(claimed_total):
        items.append((_t("自评得分", "claimed total", lang), fmt_number(float(claimed_total), 2, floor=True)))
    items.append((_t("综合得分", "total", lang), fmt_number(float(row["total"]), 2, floor=True)))
    items.append((_t("评价等级", "grade", lang), grade_text(result, row["grade"], lang)))
    if rank is not None:
        items.append((_t("同类排名", "rank among peers", lang), rank.text(lang)))
    rate = row.get("execution_rate")
    if rate is not None and not pd.isna(rate):
        items.append((_t("预算执行率", "execution rate", lang), fmt_number(float(rate) * 100, 2) + "%"))
    return items


def unit_facts(units: pd.DataFrame, unit_id: Any, *, budget: pd.DataFrame | None = None, money_unit: str = "",
               lang: str = "zh") -> pd.DataFrame:
    """Basic information on a unit (一、基本情况): name, id, department, type, year and its funds.

    Returns
    -------
    DataFrame
        Two columns, 项目 / 内容 (``item`` / ``value``), texts.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"unit_id": ["P1", "001"], "name": ["乡村教师补助", "教育厅"], "kind": ["project", "department"],
    ...                   "department_id": ["001", "001"], "project_type": ["continuing", None], "year": [2023, 2023]})
    >>> b = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [832.0], "executed": [626.79]})
    >>> unit_facts(u, "P1", budget=b, money_unit="万元").values.tolist()[-3:]
    [['全年预算数（万元）', '832.00'], ['全年执行数（万元）', '626.79'], ['预算执行率', '75.34%']]
    """
    _check_lang(lang)
    u = units.assign(unit_id=units["unit_id"].astype(str))
    hit = u[u["unit_id"] == str(unit_id)]
    if not len(hit):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} is not in the units table")
    r = hit.iloc[0]
    rows: list[tuple[str, str]] = [(_t("名称", "name", lang), str(r.get("name", ""))),
                                   (_t("编码", "id", lang), str(unit_id))]
    dept = r.get("department_id")
    if dept is not None and not pd.isna(dept) and str(r.get("kind", "")) != "department":
        d = u[(u.get("kind", pd.Series("", index=u.index)) == "department")
              & (u["department_id"].astype(str) == str(dept))] if "department_id" in u else u.iloc[0:0]
        name = str(d["name"].iloc[0]) if len(d) else ""
        rows.append((_t("主管部门", "department", lang), f"{name}（{dept}）" if name and lang == "zh"
                     else f"{name} ({dept})" if name else str(dept)))
    ptype = r.get("project_type")
    if ptype is not None and not pd.isna(ptype):
        zh, en = PROJECT_TYPES.get(str(ptype), (str(ptype), str(ptype)))
        rows.append((_t("项目类型", "project type", lang), _t(zh, en, lang)))
    if r.get("year") is not None and not pd.isna(r.get("year")):
        rows.append((_t("年度", "year", lang), str(int(r["year"]))))
    if budget is not None and len(budget):
        b = budget[budget["unit_id"].astype(str) == str(unit_id)]
        if len(b):
            b0 = b.iloc[0]
            unit = f"（{money_unit}）" if money_unit and lang == "zh" else f" ({money_unit})" if money_unit else ""
            for col, zh, en in (("budget_initial", "年初预算数", "initial budget"),
                                ("budget_full_year", "全年预算数", "full-year budget"),
                                ("funds_in_place", "资金到位数", "funds in place"),
                                ("executed", "全年执行数", "executed")):
                if col in b0 and not pd.isna(b0[col]):
                    rows.append((_t(zh, en, lang) + unit, fmt_number(float(b0[col]), 2)))
            if "executed" in b0 and "budget_full_year" in b0 and float(b0["budget_full_year"] or 0) > 0:
                rate = min(float(b0["executed"]) / float(b0["budget_full_year"]), 1.0)
                rows.append((_t("预算执行率", "execution rate", lang), fmt_number(rate * 100, 2) + "%"))
    return pd.DataFrame(rows, columns=[_t("项目", "item", lang), _t("内容", "value", lang)])


def score_table(result: Any, unit_id: Any, *, lang: str = "zh") -> pd.DataFrame:
    """The unit's scoring table (评分表): one row per scored indicator under its first- and second-level names.

    Returns
    -------
    DataFrame
        一级指标, 二级指标, 三级指标, 分值, 指标值, 实际完成值, 得分, 得分率(%) (English headers with ``lang="en"``);
        rows in framework order, not-applicable rows left out; ``attrs["floor_columns"]`` = the score column.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> t = score_table(pe.score("project_self", data.observations, data.budget), "0070010")
    >>> t.columns.tolist()
    ['一级指标', '二级指标', '三级指标', '分值', '指标值', '实际完成值', '得分', '得分率(%)']
    >>> round(float(t["得分"].sum()), 6) == round(float(pe.score("project_self", data.observations,
    ...                                                        data.budget).totals.set_index("unit_id").loc["0070010", "total"]), 6)
    True
    """

    _check_lang(lang)
    nodes = result.nodes
    rows = nodes[nodes["unit_id"].astype(str) == str(unit_id)]
    if not len(rows):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} is not in the result")
    names = {c: (node_label(result, c, n, lang))
             for c, n in zip(rows["node_code"].astype(str), rows["name"].astype(str))}
    parents = set(rows["parent_code"].dropna().astype(str))
    leaves = rows[~rows["node_code"].astype(str).isin(parents) & rows["applicable"].astype(bool)]
    parent = dict(zip(rows["node_code"].astype(str), rows["parent_code"]))

    def chain(code: str) -> list[str]:
        out = [code]
        while parent.get(out[-1]) is not None and not pd.isna(parent.get(out[-1])):
            out.append(str(parent[out[-1]]))
        return out[::-1]

    def text(v: Any) -> str:
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)

    recs = []
    for _, leaf in leaves.iterrows():
        path = chain(str(leaf["node_code"]))
        levels = [names.get(c, c) for c in path] + ["", "", ""]
        if len(path) == 1:
            levels = [names[path[0]], "", ""]
        elif len(path) == 2:
            levels = [names[path[0]], names[path[1]], ""]
        recs.append((levels[0], levels[1], levels[2], float(leaf["points"]),
                     text(leaf.get("target")), text(leaf.get("actual")), float(leaf["score"]),
                     float(leaf["achievement"]) * 100 if not pd.isna(leaf["achievement"]) else np.nan))
    heads = (["一级指标", "二级指标", "三级指标", "分值", "指标值", "实际完成值", "得分", "得分率(%)"] if lang == "zh" else
             ["level 1", "level 2", "level 3", "points", "target", "actual", "score", "rate (%)"])
    return _floor(pd.DataFrame(recs, columns=heads), [heads[6]])


def level_table(result: Any, unit_id: Any, *, level: int = 1, units: pd.DataFrame | None = None,
                by: str | None = None, peers: Sequence[Any] | None = None, lang: str = "zh") -> pd.DataFrame:
    """Score by indicator of one level with the peers' median score rate (:func:`perfeval.peers.peer_profile`).

    Returns
    -------
    DataFrame
        指标, 分值, 得分, 得分率(%), 同类中位数(%), 差距(百分点) (English with ``lang="en"``).
    """
    from .peers import peer_profile

    _check_lang(lang)
    p = peer_profile(result, unit_id, level=level, units=units, by=by, peers=peers)
    heads = (["指标", "分值", "得分", "得分率(%)", "同类中位数(%)", "差距(百分点)"] if lang == "zh" else
             ["indicator", "points", "score", "rate (%)", "peers' median (%)", "gap (pp)"])
    frame = pd.DataFrame({
        heads[0]: [node_label(result, c, n, lang) for c, n in zip(p["node_code"], p["name"])],
        heads[1]: p["points"].astype(float), heads[2]: p["score"].astype(float),
        heads[3]: p["achievement"].astype(float) * 100, heads[4]: p["peer_median"].astype(float) * 100,
        heads[5]: p["gap"].astype(float) * 100})
    return _floor(frame, [heads[2]])


def findings_frame(audit: Any, *, unit_ids: Sequence[Any] | None = None, units: pd.DataFrame | None = None,
                   lang: str = "zh") -> pd.DataFrame:
    """Audit findings in the report language: unit, indicator, finding, severity, claimed, by the rules, where.

    ``where`` is ``file:row`` (never a folder path).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> a = pe.recheck.audit(data.observations, data.budget, framework="project_self")
    >>> findings_frame(a, unit_ids=["0080002"], units=data.units).iloc[0, :3].tolist()
    ['智慧交通建设（2022—2024年）（0080002）', '公共交通乘客满意度', '目标未完成却按满分自评']
    """
    from .narrative import _file_row

    _check_lang(lang)
    f = audit.findings
    if unit_ids is not None:
        f = f[f["unit_id"].astype(str).isin([str(u) for u in unit_ids])]
    heads = (["单位", "指标", "问题", "严重程度", "自评", "按规则", "位置"] if lang == "zh" else
             ["unit", "indicator", "finding", "severity", "claimed", "by the rules", "where"])
    frame = pd.DataFrame({
        heads[0]: _labels(units, f["unit_id"], lang),
        heads[1]: f["indicator"].fillna("").astype(str).tolist(),
        heads[2]: [_finding_name(c, lang) for c in f["code"]],
        heads[3]: [_SEVERITY.get(str(s), (str(s), str(s)))[0 if lang == "zh" else 1] for s in f["severity"]],
        heads[4]: f["claimed"].astype(float).tolist(), heads[5]: f["expected"].astype(float).tolist(),
        heads[6]: ["" if str(loc).startswith("unit ") else _file_row(loc) for loc in f["location"]]})
    return _floor(frame, heads[4:6])


def _finding_name(code: Any, lang: str) -> str:
    """The short name of an audit finding code (:data:`perfeval.recheck.FINDINGS`) in ``lang``: its meaning in
    :mod:`perfeval._messages`, the one vocabulary of code meanings."""
    from ._messages import message

    return message(str(code), lang)


def recheck_frame(recheck: Any, *, units: pd.DataFrame | None = None, unit_ids: Sequence[Any] | None = None,
                  lang: str = "zh") -> pd.DataFrame:
    """Self-evaluation against re-check per unit (二、复核结果): totals, difference, grades, accuracy.

    Returns
    -------
    DataFrame
        项目, 自评得分, 复核得分, 差值, 自评等级, 复核等级, 准确性; largest deviation first.
    """
    _check_lang(lang)
    u = recheck.units
    if unit_ids is not None:
        u = u[u["unit_id"].astype(str).isin([str(x) for x in unit_ids])]
    u = u.reindex(u["deviation"].abs().sort_values(ascending=False, kind="stable").index)
    accuracy = {"准确": "accurate", "基本准确": "basically accurate", "不准确": "inaccurate"}
    heads = (["项目", "自评得分", "复核得分", "差值", "自评等级", "复核等级", "准确性"] if lang == "zh" else
             ["project", "self-evaluation", "re-check", "difference", "self grade", "re-check grade", "accuracy"])
    frame = pd.DataFrame({
        heads[0]: _labels(units, u["unit_id"], lang), heads[1]: u["self_total"].astype(float).tolist(),
        heads[2]: u["recheck_total"].astype(float).tolist(), heads[3]: u["deviation"].astype(float).tolist(),
        heads[4]: [grade_text(recheck, g, lang) for g in u["self_grade"]],
        heads[5]: [grade_text(recheck, g, lang) for g in u["recheck_grade"]],
        heads[6]: [str(a) if lang == "zh" else accuracy.get(str(a), str(a)) for a in u["accuracy"]]})
    return _floor(frame, heads[1:3])


_STATS = {
    "n": ("复核项目数", "projects re-checked"), "mean_bias": ("平均偏差（自评−复核，分）", "mean bias (self - re-check)"),
    "mae": ("平均绝对偏差（分）", "mean absolute deviation"), "share_within_3": ("偏差在3分以内的比例", "share within 3 points"),
    "share_within_5": ("偏差在5分以内的比例", "share within 5 points"),
    "ba_lower": ("一致性界限下限", "lower limit of agreement"), "ba_upper": ("一致性界限上限", "upper limit of agreement"),
    "ccc": ("一致性相关系数 CCC", "concordance correlation (CCC)"), "icc_a1": ("组内相关系数 ICC(A,1)", "ICC(A,1)"),
    "grade_exact": ("等级一致率", "same grade"), "kappa_weighted": ("加权 Kappa", "weighted kappa"),
    "downgrade_rate": ("降级比例", "downgraded"), "upgrade_rate": ("升级比例", "upgraded"),
    "share_accurate": ("自评准确的比例", "share accurate"),
}


def recheck_statistics(recheck: Any, *, lang: str = "zh") -> pd.DataFrame:
    """The agreement statistics of the re-check (estimate and confidence interval), in the report language.

    Returns
    -------
    DataFrame
        统计量, 估计值, 置信区间下限, 置信区间上限.
    """
    _check_lang(lang)
    s = recheck.summary
    keys = [k for k in _STATS if k in s.index]
    heads = (["统计量", "估计值", "置信区间下限", "置信区间上限"] if lang == "zh" else
             ["statistic", "estimate", "CI low", "CI high"])
    return pd.DataFrame({heads[0]: [_STATS[k][0 if lang == "zh" else 1] for k in keys],
                         heads[1]: pd.Series([float(s.loc[k, "estimate"]) if k != "n" else int(s.loc[k, "estimate"])
                                              for k in keys], dtype=object),
                         heads[2]: [s.loc[k, "ci_low"] for k in keys], heads[3]: [s.loc[k, "ci_high"] for k in keys]})


def grade_counts(result: Any, *, units: pd.DataFrame | None = None, by: str | None = "department_id",
                 lang: str = "zh") -> pd.DataFrame:
    """Units per grade and group (department, project type), with the total and the share of the best grade.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> t = grade_counts(pe.score("project_self", data.observations, data.budget), units=data.units,
    ...                  by="project_type")
    >>> t.columns.tolist()
    ['分组', '优', '良', '中', '差', '合计', '优秀率(%)']
    >>> int(t["合计"].sum())
    150
    """
    _check_lang(lang)
    totals = result.totals.assign(unit_id=result.totals["unit_id"].astype(str))
    labels = list(result.framework.bands.labels)
    labels += [g for g in totals["grade"].dropna().unique() if g not in labels]
    if units is None or by is None:
        group = pd.Series(_t("全部", "all", lang), index=totals.index)
        order = [_t("全部", "all", lang)]
    else:
        u = units.assign(unit_id=units["unit_id"].astype(str)).drop_duplicates("unit_id").set_index("unit_id")
        if by not in u:
            raise InputError.single("units", "missing_column", f"`units` has no column {by!r}")
        raw = totals["unit_id"].map(u[by]).astype(object).fillna("?").astype(str)
        if by == "project_type":
            names = {k: _t(*PROJECT_TYPES[k], lang) for k in PROJECT_TYPES}
            order = [names[k] for k in PROJECT_TYPES if k in set(raw)] + sorted(set(raw) - set(PROJECT_TYPES))
            group = raw.map(lambda g: names.get(g, g))
        elif by == "department_id" and "kind" in u:
            depts = u[u["kind"] == "department"]
            lookup = dict(zip(depts["department_id"].astype(str), depts["name"].astype(str)))
            def name(g: str) -> str:
                return (f"{lookup[g]}（{g}）" if lang == "zh" else f"{lookup[g]} ({g})") if g in lookup else g
            order = [name(g) for g in sorted(set(raw))]
            group = raw.map(name)
        else:
            order = sorted(set(raw))
            group = raw
    counts = pd.crosstab(group, totals["grade"]).reindex(index=order, columns=labels, fill_value=0)
    counts.columns = [grade_text(result, g, lang) for g in labels]
    counts[_t("合计", "total", lang)] = counts.sum(axis=1)
    best = counts.columns[0]
    counts[_t("优秀率(%)", "best grade (%)", lang)] = counts[best] / counts[_t("合计", "total", lang)] * 100
    counts.index.name = _t("分组", "group", lang)
    return counts.reset_index()


def application_frame(application: Any, *, units: pd.DataFrame | None = None, by_department: bool = True,
                      unit_ids: Sequence[Any] | None = None, lang: str = "zh") -> pd.DataFrame:
    """Budget impact of applying the results: per department (default) or per unit.

    Returns
    -------
    DataFrame
        Per department: 部门, 项目数, 须整改, 本年预算, 建议预算, 预算调整 (sums); per unit: 项目, 得分, 等级, 应用措施,
        本年预算, 建议预算, 预算调整.
    """
    _check_lang(lang)
    u = application.units
    if unit_ids is not None:
        u = u[u["unit_id"].astype(str).isin([str(x) for x in unit_ids])]
    if by_department:
        g = u.groupby(u["department_id"].astype(str), sort=True).agg(
            n=("unit_id", "size"), rect=("rectification_required", "sum"), cur=("current_budget", "sum"),
            prop=("proposed_budget", "sum"), change=("budget_change", "sum"))
        heads = (["部门", "项目数", "须整改", "本年预算", "建议预算", "预算调整"] if lang == "zh" else
                 ["department", "projects", "to rectify", "current budget", "proposed budget", "change"])
        depts = None
        if units is not None and "kind" in units:
            d = units[units["kind"] == "department"]
            depts = pd.DataFrame({"unit_id": d["department_id"].astype(str), "name": d["name"]})
        return pd.DataFrame({heads[0]: _labels(depts, g.index, lang), heads[1]: g["n"].astype(int).tolist(),
                             heads[2]: g["rect"].astype(int).tolist(), heads[3]: g["cur"].tolist(),
                             heads[4]: g["prop"].tolist(), heads[5]: g["change"].tolist()})
    heads = (["项目", "得分", "等级", "应用措施", "本年预算", "建议预算", "预算调整"] if lang == "zh" else
             ["project", "total", "grade", "action", "current budget", "proposed budget", "change"])
    frame = pd.DataFrame({heads[0]: _labels(units, u["unit_id"], lang), heads[1]: u["total"].astype(float).tolist(),
                          heads[2]: [str(g) for g in u["grade"]],
                          heads[3]: (u["action"] if lang == "zh" else u["action_en"]).astype(str).tolist(),
                          heads[4]: u["current_budget"].tolist(), heads[5]: u["proposed_budget"].tolist(),
                          heads[6]: u["budget_change"].tolist()})
    return _floor(frame, [heads[1]])


def monitoring_frame(monitoring: Any, *, unit_ids: Sequence[Any] | None = None, units: pd.DataFrame | None = None,
                     lines: bool = False, colour: str | None = None, lang: str = "zh") -> pd.DataFrame:
    """Dual-monitoring lights in the report language: per unit (default) or per line (``lines=True``).

    Returns
    -------
    DataFrame
        Per unit: 项目, 执行进度, 目标实现, 双监控, 预计结余, 纠偏措施. Per line: 项目, 监控内容, 指标值, 累计完成,
        进度比(%), 灯, 措施. ``colour`` keeps the units (or lines) of that two-flag (line) colour only.
    """
    _check_lang(lang)
    i = 0 if lang == "zh" else 1

    def light(c: Any) -> str:
        return _LIGHTS.get(str(c), ("—", "—"))[i] if c is not None and not pd.isna(c) else "—"

    if lines:
        t = monitoring.lights
        if unit_ids is not None:
            t = t[t["unit_id"].astype(str).isin([str(x) for x in unit_ids])]
        if colour is not None:
            t = t[t["colour"] == colour]
        heads = (["项目", "监控内容", "年度指标值", "累计完成", "进度比(%)", "灯", "措施", "偏差原因"] if lang == "zh" else
                 ["project", "line", "annual target", "done", "ratio (%)", "light", "action", "cause stated"])
        what = [(_t("预算执行", "budget execution", lang) if ln == "budget" else str(ind))
                for ln, ind in zip(t["line"], t["indicator"])]
        return pd.DataFrame({heads[0]: _labels(units, t["unit_id"], lang), heads[1]: what,
                             heads[2]: t["target"].astype(float).tolist(), heads[3]: t["value"].astype(float).tolist(),
                             heads[4]: t["ratio"].astype(float).tolist(), heads[5]: [light(c) for c in t["colour"]],
                             heads[6]: (t["action"] if lang == "zh" else t["action_en"]).astype(str).tolist(),
                             heads[7]: ["" if pd.isna(x) else str(x) for x in t["note"]]})
    t = monitoring.units
    if unit_ids is not None:
        t = t[t["unit_id"].astype(str).isin([str(x) for x in unit_ids])]
    if colour is not None:
        t = t[t["combined_colour"] == colour]
    heads = (["项目", "执行进度", "目标实现", "双监控", "预计结余", "纠偏措施"] if lang == "zh" else
             ["project", "budget", "goal", "two-flag", "expected balance", "action"])
    return pd.DataFrame({heads[0]: _labels(units, t["unit_id"], lang), heads[1]: [light(c) for c in t["budget_colour"]],
                         heads[2]: [light(c) for c in t["goal_colour"]],
                         heads[3]: [light(c) for c in t["combined_colour"]],
                         heads[4]: t["expected_balance"].astype(float).tolist(),
                         heads[5]: (t["action"] if lang == "zh" else t["action_en"]).astype(str).tolist()})


def exante_frame(exante: Any, *, unit_ids: Sequence[Any] | None = None, units: pd.DataFrame | None = None,
                 lang: str = "zh") -> pd.DataFrame:
    """Ex-ante assessments: total, the five dimensions, conclusion and budget gate.

    Returns
    -------
    DataFrame
        项目, 总分, 立项必要性, 投入经济性, 绩效目标合理性, 实施方案可行性, 筹资合规性, 评估结论, 预算安排.
    """
    _check_lang(lang)
    t = exante.units
    if unit_ids is not None:
        t = t[t["unit_id"].astype(str).isin([str(x) for x in unit_ids])]
    dims = [("necessity", "立项必要性", "necessity"), ("economy", "投入经济性", "economy"),
            ("targets", "绩效目标合理性", "targets"), ("feasibility", "实施方案可行性", "feasibility"),
            ("compliance", "筹资合规性", "compliance")]
    frame = pd.DataFrame({_t("项目", "project", lang): _labels(units, t["unit_id"], lang),
                          _t("总分", "total", lang): t["total"].astype(float).tolist()})
    for col, zh, en in dims:
        if col in t:
            frame[_t(zh, en, lang)] = t[col].astype(float).tolist()
    frame[_t("评估结论", "conclusion", lang)] = (t["conclusion"] if lang == "zh" else t["conclusion_en"]).astype(str).tolist()
    gate = [(_t("可安排", "may be funded", lang) if ok else
             (str(f) if lang == "zh" else str(fe)) or _t("不得安排", "no budget", lang))
            for ok, f, fe in zip(t["budget_gate"], t["budget_flag"].fillna(""), t["budget_flag_en"].fillna(""))]
    frame[_t("预算安排", "budget", lang)] = gate
    return _floor(frame, [_t("总分", "total", lang)])


def rater_frame(raters: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Rater diagnostics (专家评分诊断) in the report language: severity with its interval, consistency, flag.

    Parameters
    ----------
    raters : DataFrame
        :attr:`perfeval.panel.RaterDiagnostics.raters` (or ``Analysis.raters``).
    """
    _check_lang(lang)
    flags = {"severe": ("偏严", "severe"), "lenient": ("偏松", "lenient"), "erratic": ("不稳定", "erratic")}
    i = 0 if lang == "zh" else 1
    heads = (["专家", "评分次数", "严厉度", "区间下限", "区间上限", "一致性", "标记"] if lang == "zh" else
             ["rater", "ratings", "severity", "CI low", "CI high", "consistency", "flag"])
    return pd.DataFrame({heads[0]: raters["rater_id"].astype(str).tolist(),
                         heads[1]: raters["n_ratings"].astype(int).tolist(),
                         heads[2]: raters["severity"].astype(float).tolist(),
                         heads[3]: raters["severity_ci_low"].astype(float).tolist(),
                         heads[4]: raters["severity_ci_high"].astype(float).tolist(),
                         heads[5]: raters["consistency"].astype(float).tolist(),
                         heads[6]: ["、".join(flags.get(f, (f, f))[i] for f in str(x).split(";") if f) if lang == "zh"
                                    else ", ".join(flags.get(f, (f, f))[i] for f in str(x).split(";") if f)
                                    for x in raters["flags"].fillna("")]})


def panel_matrix(ratings: pd.DataFrame, panel: Any, unit_id: Any, *, result: Any = None,
                 lang: str = "zh") -> pd.DataFrame:
    """The experts' scores of one unit (专家评分汇总表): one row per leaf, one column per expert, then the points,
    the consensus score and the experts' range.

    Parameters
    ----------
    ratings : DataFrame
        panel.csv (``unit_id, node_code, rater_id, score``).
    panel : PanelResult
        :func:`perfeval.panel.aggregate` of ``ratings`` (the consensus).
    unit_id : str
    result : ScoreResult, optional
        For the node names (else the codes are shown).
    """
    _check_lang(lang)

    r = ratings[ratings["unit_id"].astype(str) == str(unit_id)]
    if not len(r):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} has no expert ratings")
    wide = r.pivot_table(index="node_code", columns="rater_id", values="score", aggfunc="first", sort=False)
    s = panel.scores[panel.scores["unit_id"].astype(str) == str(unit_id)].set_index("node_code")
    names: dict[str, str] = {}
    if result is not None:
        n = result.nodes[result.nodes["unit_id"].astype(str) == str(unit_id)]
        names = dict(zip(n["node_code"].astype(str), n["name"].astype(str)))
    head = _t("指标", "indicator", lang)
    frame = pd.DataFrame({head: [node_label(result, c, names.get(c, c), lang)
                                 for c in wide.index.astype(str)]})
    for rater in wide.columns:
        frame[str(rater)] = wide[rater].astype(float).to_numpy()
    frame[_t("分值", "points", lang)] = s["points"].reindex(wide.index).astype(float).to_numpy()
    frame[_t("综合得分", "consensus", lang)] = s["score"].reindex(wide.index).astype(float).to_numpy()
    frame[_t("极差", "range", lang)] = (s["max"] - s["min"]).reindex(wide.index).astype(float).to_numpy()
    return _floor(frame, [_t("综合得分", "consensus", lang)])


def weights_frame(table: pd.DataFrame, *, labels: Mapping[Any, str] | None = None, lang: str = "zh") -> pd.DataFrame:
    """A weight comparison (:func:`perfeval.weighting.compare_weights`) in percent, items named.

    Returns
    -------
    DataFrame
        指标, one column per method (percent), 极差(百分点).
    """
    _check_lang(lang)
    names = dict(labels or {})
    out = pd.DataFrame({_t("指标", "item", lang): [str(names.get(i, i)) for i in table.index]})
    for col in table.columns:
        head = _t("极差(百分点)", "spread (pp)", lang) if col == "spread" else f"{col}(%)"
        out[head] = table[col].astype(float).to_numpy() * 100
    return out


def has_unit(result: Any, unit_id: Any) -> bool:
    """Whether ``result`` (any result with ``.units`` or ``.totals``, or None) holds ``unit_id``."""
    if result is None:
        return False
    table = getattr(result, "totals", None)
    if not isinstance(table, pd.DataFrame):
        table = getattr(result, "units", None)
    return isinstance(table, pd.DataFrame) and bool((table["unit_id"].astype(str) == str(unit_id)).any())


def select_units(units: pd.DataFrame, *, department_id: Any = "", kind: str | None = None) -> list[str] | None:
    """The ids of one department's units (of ``kind`` when given); None when ``department_id`` is empty (all).

    Raises
    ------
    InputError
        A department no unit belongs to.
    """
    if department_id is None or str(department_id).strip() == "":
        return None
    u = units[units["department_id"].astype(str) == str(department_id)]
    if kind is not None:
        u = u[u["kind"] == kind]
    if not len(u):
        raise InputError.single("department_id", "unknown_department",
                                f"no unit belongs to department {str(department_id)!r}")
    return u["unit_id"].astype(str).tolist()


def reliability_frame(reliability: pd.DataFrame, *, result: Any = None, level: int = 1,
                      lang: str = "zh") -> pd.DataFrame:
    """Panel reliability (:func:`perfeval.panel.reliability`) of the nodes of ``level`` and overall.

    Returns
    -------
    DataFrame
        指标, 项目数, 专家数, ICC(A,1), 区间下限, 区间上限, Krippendorff α.
    """

    _check_lang(lang)
    r = reliability[(reliability["level"] == level) | (reliability["node_code"] == "overall")]
    names: dict[str, str] = {}
    if result is not None:
        names = dict(zip(result.nodes["node_code"].astype(str), result.nodes["name"].astype(str)))
    def name(c: str) -> str:
        if c == "overall":
            return _t("全部指标", "all", lang)
        return node_label(result, c, names.get(c, c), lang)
    heads = (["指标", "项目数", "专家数", "ICC(A,1)", "区间下限", "区间上限", "Krippendorff α"] if lang == "zh" else
             ["indicator", "projects", "raters", "ICC(A,1)", "CI low", "CI high", "Krippendorff α"])
    return pd.DataFrame({heads[0]: [name(str(c)) for c in r["node_code"]], heads[1]: r["n_units"].astype(int).tolist(),
                         heads[2]: r["n_raters"].astype(int).tolist(), heads[3]: r["icc_a1"].astype(float).tolist(),
                         heads[4]: r["icc_a1_ci_low"].astype(float).tolist(),
                         heads[5]: r["icc_a1_ci_high"].astype(float).tolist(),
                         heads[6]: r["alpha"].astype(float).tolist()})


def recheck_figures(recheck: Any, *, lang: str = "zh") -> list[tuple[str, str]]:
    """Key figures of a re-check: projects, mean bias, downgraded, weighted kappa.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> rc = pe.recheck.compare(pe.score("project_self", data.observations, data.budget), data.recheck)
    >>> recheck_figures(rc)
    [('复核项目数', '30'), ('平均偏差（分）', '+3.65'), ('等级下调', '7'), ('加权 Kappa', '0.70')]
    """
    _check_lang(lang)
    s = recheck.summary["estimate"]
    down = int((recheck.units["grade_steps"] > 0).sum())
    bias = float(s["mean_bias"])
    return [(_t("复核项目数", "projects re-checked", lang), str(int(s["n"]))),
            (_t("平均偏差（分）", "mean bias (points)", lang), ("+" if bias > 0 else "") + fmt_number(bias, 2)),
            (_t("等级下调", "downgraded", lang), str(down)),
            (_t("加权 Kappa", "weighted kappa", lang), fmt_number(float(s["kappa_weighted"]), 2))]


def recheck_cautions(recheck: Any, *, lang: str = "zh") -> list[str]:
    """What a reader of re-check statistics must know first: a sample too small to read the statistics as more
    than indicative (fewer than ``rules.small_sample`` units, :attr:`perfeval.recheck.RecheckResult.notes`), and
    where the self totals come from (the totals the units wrote, or perfeval's sum of their claimed rows).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> fw = pe.score("project_self", data.observations, data.budget)
    >>> few = data.recheck[data.recheck["unit_id"].isin(data.recheck["unit_id"].unique()[:4])]
    >>> recheck_cautions(pe.recheck.compare(fw, few, claimed_totals=data.budget))
    ['仅复核 4 个项目（少于 10 个），区间较宽，一致性统计（Kappa、ICC、CCC、Bland-Altman 界限）不稳定，仅供参考。', '自评总分：4 个项目取单位填报的总分。']
    """
    _check_lang(lang)
    out = []
    n, floor = len(recheck.units), recheck.rules.small_sample
    if recheck.small_sample:
        out.append(_t(f"仅复核 {n} 个项目（少于 {floor} 个），区间较宽，一致性统计（Kappa、ICC、CCC、Bland-Altman 界限）"
                      "不稳定，仅供参考。",
                      f"Only {n} projects re-checked (fewer than {floor}): the intervals are wide and the agreement "
                      "statistics (kappa, ICC, CCC, Bland-Altman limits) unstable; read them as indicative only.",
                      lang))
    words, i = SELF_TOTAL_SOURCE_NAMES, 0 if lang == "zh" else 1
    parts = [(k, v) for k, v in recheck.self_total_sources().items() if v]
    if parts:
        if lang == "zh":
            out.append("自评总分：" + "；".join(f"{v} 个项目取{words.get(k, (k, k))[i]}" for k, v in parts) + "。")
        else:
            out.append("Self totals: " + "; ".join(f"{v} projects from {words.get(k, (k, k))[i]}"
                                                   for k, v in parts) + ".")
    return out


def finding_counts(audit: Any, *, lang: str = "zh") -> pd.DataFrame:
    """Audit findings by kind: finding, severity, findings, projects (vocabulary order)."""
    _check_lang(lang)
    c = audit.counts()
    i = 0 if lang == "zh" else 1
    heads = (["问题", "严重程度", "问题数", "涉及项目数"] if lang == "zh" else
             ["finding", "severity", "findings", "projects"])
    return pd.DataFrame({heads[0]: [_finding_name(k, lang) for k in c["code"]],
                         heads[1]: [_SEVERITY.get(str(v), (str(v), str(v)))[i] for v in c["severity"]],
                         heads[2]: c["n_findings"].astype(int).tolist(), heads[3]: c["n_units"].astype(int).tolist()})


def overview(analysis: Any, *, lang: str = "zh") -> pd.DataFrame:
    """One row per stage of the year's closed loop (事前评估, 双监控, 自评, 审核, 复核, 重点评价, 部门整体, 转移支付,
    结果应用) with the units covered and the headline figure, in the report language."""
    _check_lang(lang)
    a = analysis
    rows: list[tuple[str, int, str]] = []

    def grades(result: Any) -> str:
        counts = result.totals["grade"].value_counts()
        sep = "，" if lang == "zh" else ", "
        return sep.join(f"{grade_text(result, g, lang)} {int(counts.get(g, 0))}" for g in result.framework.bands.labels)

    if a.exante is not None:
        ok = int(a.exante.units["budget_gate"].astype(bool).sum())
        rows.append((_t("事前绩效评估", "ex-ante assessment", lang), len(a.exante.units),
                     _t(f"通过 {ok}，未通过 {len(a.exante.units) - ok}", f"passed {ok}, failed {len(a.exante.units) - ok}",
                        lang)))
    if a.monitoring is not None:
        c = a.monitoring.units["combined_colour"].value_counts()
        rows.append((_t(f"绩效运行监控（{a.monitoring.month}月）", f"monitoring (month {a.monitoring.month})", lang),
                     len(a.monitoring.units),
                     ("，" if lang == "zh" else ", ").join(f"{_LIGHTS[k][0 if lang == 'zh' else 1]} {int(c.get(k, 0))}"
                                                          for k in ("red", "yellow", "green", "blue"))))
    if a.self_evaluation is not None:
        rows.append((_t("项目绩效自评", "self-evaluation", lang), len(a.self_evaluation.totals), grades(a.self_evaluation)))
    if a.audit is not None:
        f = a.audit.findings
        rows.append((_t("自评规范性审核", "audit of the self-evaluations", lang), len(a.audit.units),
                     _t(f"问题 {len(f)} 项，涉及 {f['unit_id'].nunique()} 个项目",
                        f"{len(f)} findings in {f['unit_id'].nunique()} projects", lang)))
    if a.recheck is not None:
        s = a.recheck.summary["estimate"]
        rows.append((_t("自评复核（再评价）", "re-check", lang), int(s["n"]),
                     _t(f"平均偏差 {fmt_number(float(s['mean_bias']), 2)} 分", f"mean bias {fmt_number(float(s['mean_bias']), 2)}",
                        lang)))
    for attr, zh, en in (("key_evaluation", "重点绩效评价", "key evaluations"),
                         ("department", "部门整体支出绩效评价", "department-overall evaluations"),
                         ("transfer", "转移支付绩效评价", "transfer-payment evaluations")):
        result = getattr(a, attr)
        if result is not None:
            rows.append((_t(zh, en, lang), len(result.totals), grades(result)))
    if a.application is not None:
        change = float(a.application.units["budget_change"].fillna(0).sum())
        rows.append((_t("评价结果应用", "use of the results", lang), len(a.application.units),
                     _t(f"预算调整 {fmt_number(change, 2)}", f"budget change {fmt_number(change, 2)}", lang)))
    heads = ["环节", "单位数", "结果"] if lang == "zh" else ["stage", "units", "result"]
    return pd.DataFrame(rows, columns=heads)


def annual_figures(analysis: Any, *, lang: str = "zh") -> list[tuple[str, str]]:
    """Key figures of the year: projects self-evaluated, share graded best, mean total, re-check bias, red lights."""
    _check_lang(lang)
    a = analysis
    items: list[tuple[str, str]] = []
    if a.self_evaluation is not None:
        t = a.self_evaluation.totals
        best = a.self_evaluation.framework.bands.labels[0]
        items += [(_t("自评项目数", "projects self-evaluated", lang), str(len(t))),
                  (_t("优秀率", "graded best", lang), fmt_number(float((t["grade"] == best).mean()) * 100, 1) + "%"),
                  (_t("平均得分", "mean total", lang), fmt_number(float(t["total"].mean()), 2))]
    if a.recheck is not None:
        bias = float(a.recheck.summary.loc["mean_bias", "estimate"])
        items.append((_t("复核平均偏差（分）", "re-check mean bias", lang), ("+" if bias > 0 else "") + fmt_number(bias, 2)))
    if a.monitoring is not None:
        items.append((_t("监控红灯项目", "red on monitoring", lang),
                      str(int((a.monitoring.units["combined_colour"] == "red").sum()))))
    return items


def expert_frame(weights: Any, *, labels: Mapping[Any, str] | None = None, lang: str = "zh") -> pd.DataFrame:
    """The experts of a group AHP (:class:`perfeval.weighting.GroupAHPResult`): CR, consistent, their weights
    (percent; items named by ``labels``)."""
    _check_lang(lang)
    names = dict(labels or {})
    rows = []
    for expert, res in weights.individual.items():
        w = pd.Series(res.weights)
        rows.append({_t("专家", "expert", lang): str(expert), "CR": float(res.cr),
                     _t("一致性", "consistent", lang): bool(res.consistent),
                     **{f"{names.get(k, k)}(%)": float(v) * 100 for k, v in w.items()}})
    return pd.DataFrame(rows)


def study_figures(survey: Any, uncertainty: Any = None, *, lang: str = "zh") -> list[tuple[str, str]]:
    """Key figures of a weight study: experts, inconsistent experts, units, grades sensitive to the weights."""
    _check_lang(lang)
    items = [(_t("专家人数", "experts", lang), str(len(survey.individual))),
             (_t("一致性未通过", "inconsistent", lang), str(len(survey.inconsistent_experts)))]
    if uncertainty is not None:
        stab = uncertainty.grade_stability
        items += [(_t("评价项目数", "projects", lang), str(len(stab))),
                  (_t("等级敏感项目", "grade-sensitive projects", lang), str(int((stab < 0.9).sum())))]
    return items


def achievement_matrix(result: Any, *, level: int = 1) -> pd.DataFrame:
    """Units x nodes of ``level``: each unit's score rate (score / points) at each node, the input of the objective
    weights (entropy, CRITIC). Not-applicable nodes are NaN; units with any NaN are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> nodes = pd.DataFrame({"unit_id": ["A", "A", "B", "B"], "node_code": ["x", "y", "x", "y"], "level": 1,
    ...                       "achievement": [0.5, 1.0, 0.8, 0.6], "applicable": True})
    >>> achievement_matrix(SimpleNamespace(nodes=nodes)).values.tolist()
    [[0.5, 1.0], [0.8, 0.6]]
    """
    n = result.nodes[result.nodes["level"] == level]
    ach = n["achievement"].astype(float).where(n["applicable"].astype(bool))
    wide = n.assign(achievement=ach).pivot_table(index="unit_id", columns="node_code", values="achievement",
                                                 aggfunc="first", sort=False)
    wide = wide.reindex(columns=list(dict.fromkeys(n["node_code"])))
    wide.columns.name = None
    return wide.dropna()


def node_names(framework: Any, *, level: int = 1, lang: str = "zh") -> dict[str, str]:
    """Node code -> name (``name_en`` for English when the framework has one) of the nodes of ``level``."""
    _check_lang(lang)
    return {n.code: (n.name if lang == "zh" else (n.name_en or n.name)) for n, lv, _ in framework.walk()
            if lv == level}


def weight_methods(result: Any, survey: Any = None, *, alpha: float = 0.5, lang: str = "zh") -> pd.DataFrame:
    """The first-level weights of a weight study side by side: the framework's points, the experts' group AHP
    (when ``survey`` is given), entropy and CRITIC weights of the units' score rates, and the linear blend of AHP
    (or the points) with entropy.

    Parameters
    ----------
    result : ScoreResult
        Scored units on the framework studied.
    survey : GroupAHPResult, optional
        :func:`perfeval.weighting.ahp_survey` of the experts' comparisons of the first-level nodes.
    alpha : float, default 0.5
        Share of the subjective weights in the blend (:func:`perfeval.weighting.combine`).

    Returns
    -------
    DataFrame
        :func:`perfeval.weighting.compare_weights` of the methods (columns named in ``lang``).
    """
    from .weighting import combine, compare_weights, critic, entropy

    _check_lang(lang)
    matrix = achievement_matrix(result, level=1)
    points = result.framework.points(1)
    ent = entropy(matrix)
    named: dict[str, Any] = {_t("现行分值", "current points", lang): points}
    subjective: Any = points
    if survey is not None:
        named["AHP"] = survey
        subjective = survey
    named[_t("熵权法", "entropy", lang)] = ent
    named["CRITIC"] = critic(matrix)
    named[_t("组合权重", "blend", lang)] = combine(subjective, ent, alpha=alpha)
    return compare_weights(named)


def funds_frame(budget: pd.DataFrame, *, unit_ids: Sequence[Any] | None = None, units: pd.DataFrame | None = None,
                lang: str = "zh") -> pd.DataFrame:
    """Funds per unit (预算/到位/支出/执行率) and a total row: initial and full-year budget, funds in place,
    executed, execution rate (executed / full-year budget, percent, capped at 100).

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"unit_id": ["A", "B"], "budget_initial": [100.0, 50.0], "budget_full_year": [100.0, 60.0],
    ...                   "funds_in_place": [100.0, 60.0], "executed": [90.0, 66.0]})
    >>> funds_frame(b, lang="en").values.tolist()[-1]
    ['total', 150.0, 160.0, 160.0, 156.0, 97.5]
    """
    _check_lang(lang)
    b = budget.assign(unit_id=budget["unit_id"].astype(str))
    if unit_ids is not None:
        b = b[b["unit_id"].isin([str(x) for x in unit_ids])]
    cols = [c for c in ("budget_initial", "budget_full_year", "funds_in_place", "executed") if c in b]
    names = {"budget_initial": ("年初预算数", "initial budget"), "budget_full_year": ("全年预算数", "full-year budget"),
             "funds_in_place": ("资金到位数", "funds in place"), "executed": ("全年执行数", "executed")}
    frame = pd.DataFrame({_t("单位", "unit", lang): _labels(units, b["unit_id"], lang)})
    for c in cols:
        frame[_t(*names[c], lang)] = b[c].astype(float).to_numpy()
    total = {frame.columns[0]: _t("合计", "total", lang), **{_t(*names[c], lang): float(b[c].sum()) for c in cols}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    if "executed" in cols and "budget_full_year" in cols:
        ex, bud = frame[_t(*names["executed"], lang)], frame[_t(*names["budget_full_year"], lang)]
        frame[_t("执行率(%)", "execution rate (%)", lang)] = (ex / bud.where(bud > 0)).clip(upper=1.0) * 100
    return frame


def transfer_frame(factors: pd.DataFrame, *, units: pd.DataFrame | None = None, lang: str = "zh") -> pd.DataFrame:
    """Transfer-payment adjustment factors (:func:`perfeval.application.transfer_factors`) in the report language:
    region, total, deviation from the mean (%), factor, this year's and the adjusted allocation."""
    _check_lang(lang)
    heads = (["地区", "得分", "偏离均值(%)", "调整系数", "本年分配", "调整后分配"] if lang == "zh" else
             ["region", "total", "deviation (%)", "factor", "allocation", "adjusted allocation"])
    frame = pd.DataFrame({heads[0]: _labels(units, factors["unit_id"], lang),
                          heads[1]: factors["total"].astype(float).to_numpy(),
                          heads[2]: factors["deviation"].astype(float).to_numpy() * 100,
                          heads[3]: factors["factor"].astype(float).to_numpy(),
                          heads[4]: factors["allocation"].astype(float).to_numpy(),
                          heads[5]: factors["adjusted_allocation"].astype(float).to_numpy()})
    return _floor(frame, [heads[1]])


def monitoring_figures(monitoring: Any, *, unit_ids: Sequence[Any] | None = None,
                       lang: str = "zh") -> list[tuple[str, str]]:
    """Key figures of a monitoring report: month, units, red / yellow / green two-flag lights, execution share."""
    _check_lang(lang)
    u = monitoring.units
    if unit_ids is not None:
        u = u[u["unit_id"].astype(str).isin([str(x) for x in unit_ids])]
    c = u["combined_colour"].value_counts()
    items = [(_t("监控月份", "month", lang), str(monitoring.month)), (_t("监控项目数", "projects", lang), str(len(u)))]
    items += [(_t(f"{_LIGHTS[k][0]}灯", f"{k}", lang), str(int(c.get(k, 0)))) for k in ("red", "yellow", "green")]
    budget = monitoring.lights[(monitoring.lights["line"] == "budget")
                               & monitoring.lights["unit_id"].astype(str).isin(u["unit_id"].astype(str))]
    total = float(budget["target"].sum())
    if total > 0:
        items.append((_t("累计执行率", "executed so far", lang),
                      fmt_number(float(budget["value"].sum()) / total * 100, 2) + "%"))
    return items


def exante_figures(exante: Any, unit_id: Any, *, lang: str = "zh") -> list[tuple[str, str]]:
    """Key figures of an ex-ante report: total, conclusion, budget gate."""
    _check_lang(lang)
    t = exante.units[exante.units["unit_id"].astype(str) == str(unit_id)]
    if not len(t):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} has no ex-ante assessment")
    r = t.iloc[0]
    gate = _t("可安排预算", "may be funded", lang) if bool(r["budget_gate"]) else \
        (str(r["budget_flag"]) if lang == "zh" else str(r["budget_flag_en"])) or _t("不得安排预算", "no budget", lang)
    return [(_t("评估总分", "total", lang), fmt_number(float(r["total"]), 2, floor=True)),
            (_t("评估结论", "conclusion", lang), str(r["conclusion"] if lang == "zh" else r["conclusion_en"])),
            (_t("预算安排", "budget", lang), gate)]


def exante_dimensions(exante: Any, unit_id: Any, *, lang: str = "zh") -> pd.DataFrame:
    """One proposal's score by dimension and criterion: dimension, criterion, points, score, rate (%)."""

    _check_lang(lang)
    n = exante.nodes[exante.nodes["unit_id"].astype(str) == str(unit_id)]
    if not len(n):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} has no ex-ante assessment")
    fw = exante.framework

    def name(code: str) -> str:
        try:
            node = fw.find(code)
        except (KeyError, ValueError):
            return code
        return node.name if lang == "zh" else (node.name_en or node.name)

    heads = (["评估维度", "评估要点", "分值", "得分", "得分率(%)"] if lang == "zh" else
             ["dimension", "criterion", "points", "score", "rate (%)"])
    frame = pd.DataFrame({heads[0]: [name(str(d)) for d in n["dimension"]],
                          heads[1]: [name(str(c)) for c in n["node_code"]],
                          heads[2]: n["points"].astype(float).to_numpy(), heads[3]: n["score"].astype(float).to_numpy(),
                          heads[4]: (n["score"].astype(float) / n["points"].astype(float)).to_numpy() * 100})
    return _floor(frame, [heads[3]])


def fact_values(result: Any, unit_id: Any) -> dict[str, Any]:
    """The machine-readable key facts of a unit's report (:func:`perfeval.reports.facts`): ``total`` (unrounded),
    ``grade``, ``execution_rate`` (None when the result has none).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> fact_values(SimpleNamespace(totals=pd.DataFrame({"unit_id": ["P1"], "total": [89.996], "grade": ["良"]})), "P1")
    {'total': 89.996, 'grade': '良', 'execution_rate': None}
    """
    row = total_row(result, unit_id)
    rate = row.get("execution_rate")
    return {"total": float(row["total"]), "grade": str(row["grade"]),
            "execution_rate": None if rate is None or pd.isna(rate) else float(rate)}
