"""Plots of weight sensitivity: grade probabilities, rank intervals and a tornado of flip margins."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ._base import check_max_units, get_ax, label, plot_function, unit_labels

__all__ = ["grade_probability_plot", "rank_interval_plot", "flip_margin_tornado"]

_GREY = "#bdbdbd"


def _pick(index: pd.Index, units: Sequence[Any] | None) -> pd.Index:
    if units is None:
        return index
    wanted = pd.Index([str(u) for u in units])
    missing = wanted.difference(index.astype(str)).tolist()
    if missing:
        raise ValueError(f"`units` must name units of the result; got unknown {missing}.")
    return wanted


def _grade_colours(labels: Sequence[str], n_bands: int) -> list[Any]:
    """Best band green to worst band red (ColorBrewer RdYlGn); grades given only by vetoes grey."""
    from matplotlib import colormaps

    cmap = colormaps["RdYlGn"]
    steps = np.linspace(0.9, 0.1, max(n_bands, 2))
    return [cmap(steps[i]) if i < n_bands else _GREY for i in range(len(labels))]


@plot_function
def grade_probability_plot(result: Any, *, ax: Any = None, lang: str = "zh", units: Sequence[Any] | None = None,
                           max_units: int = 30, names: Any = None) -> Any:
    """Stacked bars of each unit's grade probabilities under sampled weights.

    Parameters
    ----------
    result : UncertaintyResult
        From :func:`perfeval.sensitivity.weight_uncertainty`.
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    lang : {"zh", "en"}
        Language of the labels (English grade names come from the framework's ``label_en``).
    units : list of str, optional
        Units to show; default the ``max_units`` least stable ones (lowest probability of their reported grade).
    max_units : int, default 30
        At most this many units when ``units`` is None.
    names : DataFrame or mapping, optional
        Units table (``unit_id, name``) or id -> name: units labelled "name (id)".

    Returns
    -------
    matplotlib Axes
        One horizontal bar per unit, split by grade (best grade left, green to red), the reported grade marked
        with a dot; the title says how many units are shown.

    Raises
    ------
    ValueError
        Bad ``lang`` or ``max_units``, unknown ``units``.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> u = pe.sensitivity.weight_uncertainty(res, n=500, rng=1)
    >>> ax = pe.plotting.grade_probability_plot(u, max_units=10)
    >>> ax.get_title()
    '权重不确定性下的等级概率（10/150个单位，500次抽样）'
    >>> [t.get_text() for t in pe.plotting.grade_probability_plot(u, lang="en").get_legend().get_texts()]
    ['Excellent', 'Good', 'Fair', 'Poor']
    """
    check_max_units(max_units)
    probs = result.grade_probabilities
    if units is None:
        chosen = result.grade_stability.sort_values(kind="stable").index[:max_units]
    else:
        chosen = _pick(probs.index, units)
    data = probs.loc[chosen]
    english = result.params.get("grade_labels_en", {})
    grade_names = [g if lang == "zh" else english.get(g, g) for g in data.columns]
    n_bands = len(result.params.get("band_labels", data.columns))
    colours = _grade_colours(list(data.columns), n_bands)
    ax = get_ax(ax, figsize=(7.5, 1.2 + 0.3 * max(len(data), 1)), lang=lang)
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for k, column in enumerate(data.columns):
        values = data[column].to_numpy()
        ax.barh(y, values, left=left, color=colours[k], edgecolor="white", linewidth=0.5, label=grade_names[k])
        left += values
    grades = result.grades.reindex(chosen).to_numpy()
    position = [data.columns.get_loc(g) if g in data.columns else None for g in grades]
    starts = np.cumsum(np.column_stack([np.zeros(len(data)), data.to_numpy()]), axis=1)
    for i, pos in enumerate(position):
        if pos is not None:
            ax.plot((starts[i, pos] + starts[i, pos + 1]) / 2, i, "o", color="black", markersize=3)
    ax.set_yticks(y, unit_labels(data.index, names, width=16))
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(label("等级概率（黑点：当前等级）", "grade probability (dot: reported grade)", lang))
    p = result.params
    shown = f"{len(data)}/{len(probs)}"
    ax.set_title(label(f"权重不确定性下的等级概率（{shown}个单位，{p.get('n')}次抽样）",
                       f"Grade probabilities under weight uncertainty ({shown} units, {p.get('n')} draws)", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


@plot_function
def rank_interval_plot(result: Any, *, ax: Any = None, lang: str = "zh", units: Sequence[Any] | None = None,
                       max_units: int = 30, names: Any = None) -> Any:
    """Median rank and 5-95 % rank interval of each unit under sampled weights (COINr's ``plot_uncertainty``).

    Parameters
    ----------
    result : UncertaintyResult
        From :func:`perfeval.sensitivity.weight_uncertainty`.
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.
    units : list of str, optional
        Units to show; default all when there are at most ``max_units``, else the ``max_units`` with the widest
        intervals.
    max_units : int, default 30
    names : DataFrame or mapping, optional
        Units table (``unit_id, name``) or id -> name: ticks labelled "name (id)".

    Returns
    -------
    matplotlib Axes
        Units ordered by nominal rank along x; a vertical line from the 5 % to the 95 % rank, a dot at the median
        and a cross at the nominal rank; rank 1 at the top.

    Raises
    ------
    ValueError
        Bad ``lang`` or ``max_units``, unknown ``units``.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> u = pe.sensitivity.weight_uncertainty(res, n=500, rng=1)
    >>> ax = pe.plotting.rank_interval_plot(u, lang="en", max_units=20)     # the 20 widest intervals
    >>> len(ax.get_xticklabels()), ax.get_ylabel()
    (20, 'rank (1 = highest)')
    """
    check_max_units(max_units)
    ranks = result.rank_intervals.set_index("unit_id")
    if units is None:
        width = ranks["p95"] - ranks["p05"]
        chosen = ranks.index if len(ranks) <= max_units else width.sort_values(ascending=False,
                                                                               kind="stable").index[:max_units]
    else:
        chosen = _pick(ranks.index, units)
    data = ranks.loc[chosen].sort_values("nominal_rank", kind="stable")
    ax = get_ax(ax, figsize=(max(6.0, 0.28 * len(data) + 2), 4.5), lang=lang)
    x = np.arange(len(data))
    ax.vlines(x, data["p05"], data["p95"], color="#3b6ea5", linewidth=2.5, alpha=0.7,
              label=label("5%–95% 区间", "5-95 % interval", lang))
    ax.plot(x, data["median_rank"], "o", color="#3b6ea5", markersize=4, label=label("中位数", "median", lang))
    ax.plot(x, data["nominal_rank"], "x", color="#b03a2e", markersize=5, label=label("名义排名", "nominal", lang))
    ax.set_xticks(x, unit_labels(data.index, names, width=14), rotation=90)
    ax.invert_yaxis()
    ax.set_ylabel(label("排名（1 = 最高）", "rank (1 = highest)", lang))
    shown = f"{len(data)}/{len(ranks)}"
    ax.set_title(label(f"权重不确定性下的排名区间（{shown}个单位）",
                       f"Rank intervals under weight uncertainty ({shown} units)", lang))
    ax.legend(loc="best", fontsize="small")
    return ax


@plot_function
def flip_margin_tornado(flips: pd.DataFrame, *, ax: Any = None, lang: str = "zh", max_units: int = 30,
                        names: Any = None) -> Any:
    """Tornado of flip margins: per unit, the weight change that lowers (left) or raises (right) its grade.

    Parameters
    ----------
    flips : DataFrame
        From :func:`perfeval.sensitivity.flip_margin`.
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.
    max_units : int, default 30
        The units closest to a grade change (smallest margin) are shown, at most this many.
    names : DataFrame or mapping, optional
        Units table (``unit_id, name``) or id -> name: units labelled "name (id)".

    Returns
    -------
    matplotlib Axes
        Horizontal bars in points of L1 weight change: downgrade margins to the left (red), upgrade margins to
        the right (green), each margin written at its bar's end, the unit with the smallest margin on top; a
        margin no weights within the bounds reach is marked with an infinity sign.

    Raises
    ------
    ValueError
        Bad ``lang`` or ``max_units``; a frame without the columns of ``flip_margin``.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> margins = pe.sensitivity.flip_margin(pe.score("project_self", data.observations, data.budget))
    >>> ax = pe.plotting.flip_margin_tornado(margins, max_units=5, lang="en")
    >>> [t.get_text() for t in ax.get_yticklabels()]              # closest to a grade change on top
    ['0010009', '0030007', '0090008', '0070007', '0100006']
    """
    check_max_units(max_units)
    need = {"unit_id", "direction", "margin"}
    if not isinstance(flips, pd.DataFrame) or not need <= set(flips.columns):
        raise ValueError(f"`flips` must be the DataFrame of perfeval.sensitivity.flip_margin (columns "
                         f"{sorted(need)}); got {type(flips).__name__}.")
    wide = flips.pivot_table(index="unit_id", columns="direction", values="margin", aggfunc="min", sort=False)
    wide = wide.reindex(columns=["down", "up"])
    closest = wide.min(axis=1, skipna=True).sort_values(kind="stable")
    data = wide.loc[closest.index[:max_units]]
    from matplotlib.ticker import FuncFormatter

    finite = data.to_numpy()[np.isfinite(data.to_numpy())]
    reach = float(finite.max()) if len(finite) else 1.0
    ax = get_ax(ax, figsize=(7.0, 1.2 + 0.3 * max(len(data), 1)), lang=lang)
    y = np.arange(len(data))
    for direction, sign, colour, text in (("down", -1, "#d73027", label("降一级", "one grade down", lang)),
                                          ("up", 1, "#1a9850", label("升一级", "one grade up", lang))):
        values = data[direction].to_numpy(dtype=float)
        shown = np.where(np.isfinite(values), values, np.nan)
        ax.barh(y, sign * np.nan_to_num(shown), color=colour, alpha=0.8, label=text)
        for i in np.flatnonzero(np.isinf(values)):
            ax.text(sign * reach * 0.05, i, "∞", va="center", ha="center", color=colour)
        for i in np.flatnonzero(np.isfinite(values)):  # the margin at the bar's end: short bars stay readable
            ax.text(sign * (values[i] + reach * 0.01), i, f"{values[i]:.3g}", va="center",
                    ha="left" if sign > 0 else "right", fontsize=7, color="#333333")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, unit_labels(data.index, names, width=16))
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(-reach * 1.2, reach * 1.2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):g}"))  # both sides are sizes
    ax.set_xlabel(label("改变等级所需的最小权重调整（分，L1）", "smallest weight change that moves the grade "
                                                      "(points, L1)", lang))
    ax.set_title(label(f"等级翻转裕度（{len(data)}/{len(wide)}个单位）",
                       f"Grade flip margins ({len(data)}/{len(wide)} units)", lang))
    ax.legend(loc="best", fontsize="small")
    return ax
