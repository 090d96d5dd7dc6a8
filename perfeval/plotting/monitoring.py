"""Plots of dual monitoring: the traffic-light table of :func:`perfeval.monitoring.lights` and budget execution by
month against time progress (:func:`perfeval.monitoring.execution_by_month`)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..policies import COLOURS, COLOURS_ZH
from ._base import check_max_units, get_ax, label, plot_function, unit_labels

__all__ = ["lights_plot", "execution_plot", "LIGHT_COLOURS"]

#: Fill colour of each light (ColorBrewer RdYlGn/RdYlBu ends, readable with black or white text); unlit = grey.
LIGHT_COLOURS: dict[str, str] = {"red": "#d73027", "yellow": "#fee08b", "green": "#1a9850", "blue": "#4575b4",
                                 "": "#d9d9d9"}
_TEXT = {"red": "white", "yellow": "black", "green": "white", "blue": "white", "": "black"}
_NAMES_ZH = {**COLOURS_ZH, "": "—"}
_NAMES_EN = {**{c: c for c in COLOURS}, "": "—"}


@plot_function
def lights_plot(result: Any, *, ax: Any = None, lang: str = "zh", max_units: int = 40, names: Any = None,
                units: Any = None) -> Any:
    """Traffic-light table: one row per unit, columns budget, goal and two-flag light; each cell its colour.

    Parameters
    ----------
    result : MonitoringResult
        From :func:`perfeval.monitoring.lights`.
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    lang : {'zh', 'en'}
        Language of labels and cell texts.
    max_units : int
        At most this many units are drawn (the first ones of ``result.units``); the title says how many.
    names : DataFrame or mapping, optional
        Units table (``unit_id, name``) or id -> name: rows labelled "name (id)".
    units : list of str, optional
        Only these units (in this order); default all.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> result = pe.monitoring.lights(data.monitoring, data.observations, data.budget)
    >>> ax = pe.plotting.lights_plot(result, lang="en", max_units=10)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['budget', 'goal', 'two-flag']
    >>> ax.get_title()
    'Dual monitoring (month 8, 10/150 units)'
    """
    check_max_units(max_units)
    table = result.units
    if units is not None:
        wanted = [str(u) for u in ([units] if isinstance(units, str) else units)]
        unknown = sorted(set(wanted) - set(table["unit_id"].astype(str)))
        if unknown:
            raise ValueError(f"`units` must name units of the result; got unknown {unknown}.")
        table = table.set_index(table["unit_id"].astype(str)).loc[wanted].reset_index(drop=True)
    units = table.head(max_units)
    columns = ["budget_colour", "goal_colour", "combined_colour"]
    heads = [label("预算执行", "budget", lang), label("目标实现", "goal", lang), label("双监控", "two-flag", lang)]
    ax = get_ax(ax, figsize=(5.5, 0.9 + 0.32 * max(len(units), 1)), lang=lang)
    colour_names = _NAMES_ZH if lang == "zh" else _NAMES_EN
    cells = units[columns].astype(object).where(units[columns].notna(), "").to_numpy()
    for i, row in enumerate(cells):
        for j, colour in enumerate(row):
            ax.add_patch(_rect(j, i, LIGHT_COLOURS[colour]))
            ax.text(j + 0.5, i + 0.5, colour_names[colour], ha="center", va="center", color=_TEXT[colour],
                    fontsize=9)
    ax.set_xlim(0, len(columns))
    ax.set_ylim(max(len(units), 1), 0)
    ax.set_xticks(np.arange(len(columns)) + 0.5, heads)
    ax.set_yticks(np.arange(len(units)) + 0.5, unit_labels(units["unit_id"].astype(str), names))
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    shown = f"{len(units)}/{len(table)}" if len(table) > len(units) else f"{len(units)}"
    ax.set_title(label(f"绩效运行监控（{result.month}月，{shown}个单位）",
                       f"Dual monitoring (month {result.month}, {shown} units)", lang), pad=24)
    return ax


def _rect(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x + 0.04, y + 0.06), 0.92, 0.88, facecolor=colour, edgecolor="white")


@plot_function
def execution_plot(frame: Any, *, ax: Any = None, lang: str = "zh", unit_id: Any = None, names: Any = None,
                   title: str | None = None, units: Any = None) -> Any:
    """Cumulative budget execution by month against time progress, each month's dot in its budget light.

    Parameters
    ----------
    frame : DataFrame
        From :func:`perfeval.monitoring.execution_by_month`.
    ax : matplotlib Axes, optional
    lang : {"zh", "en"}
    unit_id : str, optional
        The unit drawn. Default: every unit of ``frame`` pooled (executed and budget summed by month, e.g. a
        department's projects).
    names : DataFrame or mapping, optional
        Units table or id -> name for the title "name (id)".
    title : str, optional
        Replaces the default title (e.g. the department's name when pooling).
    units : list of str, optional
        Pool only these units (those without rows in ``frame`` are left out).

    Returns
    -------
    matplotlib Axes
        Execution share (percent of the budget) by month, the time-progress line (dashed), and the 60 % / 80 % of
        time progress under which the budget light turns red / yellow (shaded); months 1-12 on x.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> t = pe.monitoring.execution_by_month(data.monitoring, data.budget, units="0010001")
    >>> ax = pe.plotting.execution_plot(t, unit_id="0010001", names=data.units, lang="en")
    >>> ax.get_title()
    'Budget execution by month: 高校科研创新平台建设（0010001）'
    """
    import pandas as pd

    need = {"unit_id", "month", "executed", "budget", "time_progress"}
    if not isinstance(frame, pd.DataFrame) or not need <= set(frame.columns):
        raise ValueError(f"`frame` must be the DataFrame of perfeval.monitoring.execution_by_month (columns "
                         f"{sorted(need)}); got {type(frame).__name__}.")
    data = frame
    if units is not None:
        data = frame[frame["unit_id"].astype(str).isin([str(u) for u in units])]
        if not len(data):
            raise ValueError("none of `units` has rows in `frame`.")
    if unit_id is not None:
        data = frame[frame["unit_id"].astype(str) == str(unit_id)]
        if not len(data):
            raise ValueError(f"`unit_id` {unit_id!r} has no rows in `frame`.")
    by_month = data.groupby("month", sort=True).agg(executed=("executed", "sum"), budget=("budget", "sum"),
                                                    time_progress=("time_progress", "mean"))
    colours = None
    if unit_id is not None and "colour" in data:
        colours = data.set_index("month")["colour"].reindex(by_month.index)
    months = by_month.index.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(by_month["budget"] > 0, by_month["executed"] / by_month["budget"], np.nan) * 100
    ax = get_ax(ax, figsize=(6.5, 3.8), lang=lang)
    grid = np.arange(0, 13)
    progress = np.interp(grid, np.r_[0.0, months], np.r_[0.0, by_month["time_progress"].to_numpy(dtype=float)])
    progress = np.where(grid <= months.max(), progress, grid / 12.0) * 100 if len(months) else grid / 12.0 * 100
    ax.fill_between(grid, 0, progress * 0.6, color=LIGHT_COLOURS["red"], alpha=0.12, linewidth=0,
                    label=label("红灯区（< 60% 时间进度）", "red zone (< 60 % of time progress)", lang))
    ax.fill_between(grid, progress * 0.6, progress * 0.8, color=LIGHT_COLOURS["yellow"], alpha=0.25, linewidth=0,
                    label=label("黄灯区（60%–80%）", "yellow zone (60-80 %)", lang))
    ax.plot(grid, progress, "--", color="#555555", linewidth=1, label=label("时间进度", "time progress", lang))
    ax.plot(months, share, "-", color="#2b5c8a", linewidth=1.8, label=label("累计执行率", "cumulative execution", lang))
    dot = [LIGHT_COLOURS.get(c or "", LIGHT_COLOURS[""]) for c in colours] if colours is not None else "#2b5c8a"
    ax.scatter(months, share, c=dot, edgecolors="#333333", linewidths=0.5, zorder=3, s=30)
    if len(months):
        ax.annotate(f"{share[-1]:.1f}%", (months[-1], share[-1]), textcoords="offset points", xytext=(6, 0),
                    va="center", fontsize=8)
    ax.set_xlim(0, 12.5)
    ax.set_xticks(range(1, 13))
    ax.set_ylim(0, max(105.0, float(np.nanmax(share)) + 5 if len(share) and np.isfinite(share).any() else 105.0))
    ax.set_xlabel(label("月份", "month", lang))
    ax.set_ylabel(label("占全年预算（%）", "share of the year's budget (%)", lang))
    if title is None:
        if unit_id is not None:
            head = unit_labels([unit_id], names, width=30)[0]
        else:
            n = data["unit_id"].nunique()
            head = label(f"{n}个单位合计", f"{n} units pooled", lang)
        title = label(f"预算执行进度：{head}", f"Budget execution by month: {head}", lang)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="x-small")
    return ax
