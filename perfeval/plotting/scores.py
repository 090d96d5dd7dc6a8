"""Plots of scores: one unit's indicators against their points, its first-level profile against its peers, and the
grade distribution of a group of units.

Each function is ``f(result, *, ax=None, lang="zh", ...) -> Axes`` (decorated with ``plot_function``) and never
calls ``show()``. Units are labelled "name (id)" when a units table is given (``names=data.units``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._result_lookup import node_label
from ._base import get_ax, label, plot_function, unit_labels

__all__ = ["contribution_plot", "profile_plot", "grade_distribution_plot", "node_label"]

#: Colours of the first-level branches (ColorBrewer Set2), in framework order.
_BRANCH = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"]
_LOST = "#e0e0e0"


def _unit_rows(result: Any, unit_id: Any) -> pd.DataFrame:
    nodes = result.nodes
    rows = nodes[nodes["unit_id"].astype(str) == str(unit_id)]
    if not len(rows):
        known = result.totals["unit_id"].astype(str).head(3).tolist()
        raise ValueError(f"`unit_id` {unit_id!r} is not in the result (e.g. {known}).")
    return rows


def _unit_title(result: Any, unit_id: Any, names: Any) -> str:
    return unit_labels([unit_id], names, width=30)[0]


@plot_function
def contribution_plot(result: Any, unit_id: Any = None, *, ax: Any = None, lang: str = "zh", names: Any = None,
                      max_rows: int = 40) -> Any:
    """Each scored indicator of one unit: the points it earned against the points it carries.

    Parameters
    ----------
    result : ScoreResult
        From :func:`perfeval.score`.
    unit_id : str
        The unit (project, department, region) shown.
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    lang : {"zh", "en"}
    names : DataFrame or mapping, optional
        Units table (``unit_id, name``) or id -> name, for the title "name (id)".
    max_rows : int, default 40
        At most this many indicators (the ones that lost most points first when there are more).

    Returns
    -------
    matplotlib Axes
        One horizontal bar per applicable leaf (framework order, first-level branches coloured): a light bar of
        its points, a coloured bar of its score, "score/points" written at the bar's end; the title names the unit,
        its total and grade.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> ax = pe.plotting.contribution_plot(res, "0010001", names=data.units, lang="en")
    >>> ax.get_title()
    '高校科研创新平台建设（0010001）: 64.22 points, Fair'
    >>> len(ax.get_yticklabels())
    11
    """
    from .._display import floor_display, fmt_number

    rows = _unit_rows(result, unit_id)
    parents = set(rows["parent_code"].dropna().astype(str))
    leaves = rows[~rows["node_code"].astype(str).isin(parents) & rows["applicable"].astype(bool)].copy()
    leaves["branch"] = leaves["node_code"].astype(str).str.split(".").str[0]
    if len(leaves) > max_rows:
        lost = (leaves["points"] - leaves["score"]).astype(float)
        leaves = leaves.loc[lost.sort_values(ascending=False, kind="stable").index[:max_rows]].sort_index()
    branches = list(dict.fromkeys(leaves["branch"]))
    colour = {b: _BRANCH[i % len(_BRANCH)] for i, b in enumerate(branches)}
    ax = get_ax(ax, figsize=(7.5, 1.2 + 0.32 * max(len(leaves), 1)), lang=lang)
    y = np.arange(len(leaves))
    points = leaves["points"].to_numpy(dtype=float)
    score = leaves["score"].to_numpy(dtype=float)
    ax.barh(y, points, color=_LOST, edgecolor="#bdbdbd", linewidth=0.5, label=label("分值", "points", lang))
    for b in branches:
        mask = (leaves["branch"] == b).to_numpy()
        top = rows[rows["node_code"].astype(str) == b]
        name = node_label(result, b, str(top["name"].iloc[0]) if len(top) else b, lang)
        ax.barh(y[mask], score[mask], color=colour[b], label=name)
    for i, (s, p) in enumerate(zip(score, points)):
        ax.text(p + max(points.max(), 1) * 0.01, i, f"{fmt_number(s, 2, floor=True)}/{p:g}", va="center", fontsize=7,
                color="#333333")                        # scores rounded down, as in the tables
    ax.set_yticks(y, [node_label(result, c, str(n), lang) for c, n in zip(leaves["node_code"], leaves["name"])])
    ax.set_ylim(len(leaves) - 0.5, -0.5)
    ax.set_xlim(0, max(points.max(), 1) * 1.25)
    ax.set_xlabel(label("得分 / 分值", "score / points", lang))
    totals = result.totals.set_index(result.totals["unit_id"].astype(str))
    total = float(totals.loc[str(unit_id), "total"])
    grade = str(totals.loc[str(unit_id), "grade"])
    if lang == "en":
        english = {b.label: b.label_en or b.label for b in result.framework.bands.bands}
        grade = english.get(grade, grade)
    head = _unit_title(result, unit_id, names)
    ax.set_title(label(f"{head}：{floor_display(total, 2)} 分，{grade}",
                       f"{head}: {floor_display(total, 2)} points, {grade}", lang))
    ax.legend(loc="lower right", fontsize="small")
    return ax


@plot_function
def profile_plot(result: Any, unit_id: Any = None, *, ax: Any = None, lang: str = "zh", units: Any = None,
                 by: str | None = None, peers: Sequence[Any] | None = None, level: int = 1,
                 names: Any = None) -> Any:
    """One unit's score rate at each first-level indicator against its peers' median and interquartile range.

    Parameters
    ----------
    result : ScoreResult
    unit_id : str
    ax : matplotlib Axes, optional
    lang : {"zh", "en"}
    units, by, peers
        The peer group (:func:`perfeval.peers.peer_ids`): all units by default, ``by="department_id"`` with
        ``units=data.units`` for the unit's department, or explicit ``peers``.
    level : int, default 1
        Framework level profiled.
    names : DataFrame or mapping, optional
        For the title "name (id)"; default ``units``.

    Returns
    -------
    matplotlib Axes
        Bars: the unit's score rate (percent) per node; black line and dot: the peers' quartiles and median.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> ax = pe.plotting.profile_plot(res, "0010001", units=data.units, by="department_id", lang="en")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['Budget execution', 'Output', 'Effect', 'Satisfaction']
    """
    from ..peers import peer_profile

    profile = peer_profile(result, unit_id, level=level, units=units, by=by, peers=peers)
    ax = get_ax(ax, figsize=(max(5.0, 1.1 * len(profile) + 2), 3.8), lang=lang)
    x = np.arange(len(profile))
    own = profile["achievement"].to_numpy(dtype=float) * 100
    ax.bar(x, np.nan_to_num(own), width=0.55, color="#4575b4", label=label("本单位", "this unit", lang))
    q1, med, q3 = (profile[c].to_numpy(dtype=float) * 100 for c in ("peer_q1", "peer_median", "peer_q3"))
    n_peers = int(profile["n_peers"].max()) if len(profile) else 0
    ax.vlines(x + 0.32, q1, q3, color="#222222", linewidth=2)
    ax.plot(x + 0.32, med, "o", color="#222222", markersize=5,
            label=label(f"同类单位中位数与四分位距（n = {n_peers}）", f"peers' median and IQR (n = {n_peers})", lang))
    for i, v in enumerate(own):
        if np.isfinite(v):
            ax.text(i, v + 1.5, f"{v:.1f}%", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [node_label(result, c, str(n), lang) for c, n in zip(profile["node_code"], profile["name"])])
    ax.set_ylim(0, 115)
    ax.set_ylabel(label("得分率（%）", "score rate (%)", lang))
    head = _unit_title(result, unit_id, names if names is not None else units)
    ax.set_title(label(f"{head}：一级指标得分率与同类比较", f"{head}: first-level score rates against peers", lang)
                 if level == 1 else label(f"{head}：{level}级指标得分率与同类比较",
                                          f"{head}: level-{level} score rates against peers", lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize="small", frameon=False)
    return ax


_TYPES = {"continuing": ("持续性项目", "continuing"), "phased": ("阶段性项目", "phased"),
          "one_off": ("一次性项目", "one-off")}


@plot_function
def grade_distribution_plot(result: Any, *, ax: Any = None, lang: str = "zh", units: pd.DataFrame | None = None,
                            by: str | None = "department_id") -> Any:
    """Number of units in each grade, one stacked bar per group (department, project type), or one bar in all.

    Parameters
    ----------
    result : ScoreResult
    ax : matplotlib Axes, optional
    lang : {"zh", "en"}
    units : DataFrame, optional
        units.csv: the grouping column and, for ``by="department_id"``, the departments' names (rows of kind
        ``department``). Without it all units form one bar.
    by : str or None, default "department_id"
        Column of ``units`` grouping the bars (``"department_id"``, ``"project_type"``); None for one bar.

    Returns
    -------
    matplotlib Axes
        Horizontal stacked bars (grades best first, green to red), the count written in each segment; the title
        says how many units.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> ax = pe.plotting.grade_distribution_plot(res, units=data.units, by="project_type", lang="en")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['continuing', 'phased', 'one-off']
    """
    from .sensitivity import _grade_colours

    totals = result.totals.assign(unit_id=result.totals["unit_id"].astype(str))
    bands = result.framework.bands
    grades = list(bands.labels)
    extra = [g for g in totals["grade"].dropna().unique() if g not in grades]
    grades += extra
    if units is None or by is None:
        group = pd.Series("all", index=totals.index)
        names = {"all": label("全部", "all", lang)}
    else:
        if "unit_id" not in units or by not in units:
            raise ValueError(f"`units` must have columns unit_id and {by!r}; got {list(units.columns)}.")
        u = units.assign(unit_id=units["unit_id"].astype(str)).drop_duplicates("unit_id").set_index("unit_id")
        group = totals["unit_id"].map(u[by]).astype(object).fillna("?").astype(str)
        names = {g: g for g in group.unique()}
        if by == "department_id" and "kind" in u:
            depts = u[u["kind"] == "department"]
            depts = depts.assign(unit_id=depts["department_id"].astype(str) if "department_id" in depts
                                 else depts.index).reset_index(drop=True)
            found = unit_labels(list(names), depts[["unit_id", "name"]], width=14)
            names = dict(zip(names, found))
        elif by == "project_type":
            names = {g: (_TYPES[g][0] if lang == "zh" else _TYPES[g][1]) if g in _TYPES else g for g in names}
    order = list(dict.fromkeys(_TYPES)) if by == "project_type" else sorted(names)
    order = [g for g in order if g in names] + sorted(g for g in names if g not in order)
    counts = pd.crosstab(group, totals["grade"]).reindex(index=order, columns=grades, fill_value=0)
    english = {b.label: b.label_en or b.label for b in bands.bands}
    colours = _grade_colours(grades, len(bands.labels))
    ax = get_ax(ax, figsize=(7.5, 1.3 + 0.34 * max(len(counts), 1)), lang=lang)
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    for k, g in enumerate(grades):
        values = counts[g].to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=colours[k], edgecolor="white", linewidth=0.5,
                label=g if lang == "zh" else english.get(g, g))
        for i, v in enumerate(values):
            if v > 0:
                ax.text(left[i] + v / 2, i, f"{int(v)}", ha="center", va="center", fontsize=8)
        left += values
    ax.set_yticks(y, [names[g] for g in counts.index])
    ax.set_ylim(len(counts) - 0.5, -0.5)
    ax.set_xlabel(label("单位数", "units", lang))
    n = len(totals)
    ax.set_title(label(f"评价等级分布（{n}个）", f"Grade distribution ({n} units)", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax
