"""Plots of dual monitoring: the traffic-light table of :func:`perfeval.monitoring.lights`."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..policies import COLOURS, COLOURS_ZH
from ._base import check_max_units, get_ax, label, plot_function

__all__ = ["lights_plot", "LIGHT_COLOURS"]

#: Fill colour of each light (ColorBrewer RdYlGn/RdYlBu ends, readable with black or white text); unlit = grey.
LIGHT_COLOURS: dict[str, str] = {"red": "#d73027", "yellow": "#fee08b", "green": "#1a9850", "blue": "#4575b4",
                                 "": "#d9d9d9"}
_TEXT = {"red": "white", "yellow": "black", "green": "white", "blue": "white", "": "black"}
_NAMES_ZH = {**COLOURS_ZH, "": "—"}
_NAMES_EN = {**{c: c for c in COLOURS}, "": "—"}


@plot_function
def lights_plot(result: Any, *, ax: Any = None, lang: str = "zh", max_units: int = 40) -> Any:
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
    units = result.units.head(max_units)
    columns = ["budget_colour", "goal_colour", "combined_colour"]
    heads = [label("预算执行", "budget", lang), label("目标实现", "goal", lang), label("双监控", "two-flag", lang)]
    ax = get_ax(ax, figsize=(5.5, 0.9 + 0.32 * max(len(units), 1)), lang=lang)
    names = _NAMES_ZH if lang == "zh" else _NAMES_EN
    cells = units[columns].astype(object).where(units[columns].notna(), "").to_numpy()
    for i, row in enumerate(cells):
        for j, colour in enumerate(row):
            ax.add_patch(_rect(j, i, LIGHT_COLOURS[colour]))
            ax.text(j + 0.5, i + 0.5, names[colour], ha="center", va="center", color=_TEXT[colour], fontsize=9)
    ax.set_xlim(0, len(columns))
    ax.set_ylim(max(len(units), 1), 0)
    ax.set_xticks(np.arange(len(columns)) + 0.5, heads)
    ax.set_yticks(np.arange(len(units)) + 0.5, units["unit_id"].astype(str).tolist())
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    shown = f"{len(units)}/{len(result.units)}" if len(result.units) > len(units) else f"{len(units)}"
    ax.set_title(label(f"绩效运行监控（{result.month}月，{shown}个单位）",
                       f"Dual monitoring (month {result.month}, {shown} units)", lang), pad=24)
    return ax


def _rect(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x + 0.04, y + 0.06), 0.92, 0.88, facecolor=colour, edgecolor="white")
