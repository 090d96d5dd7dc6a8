"""Bland-Altman plot: differences against means, with the bias, the limits of agreement and their intervals."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._base import get_ax, label, plot_function

__all__ = ["bland_altman_plot"]


@plot_function
def bland_altman_plot(result_or_x: Any, y: Any = None, *, ax: Any = None, lang: str = "zh",
                      show_ci: bool = True, **kwargs: Any) -> Any:
    """Draw a Bland-Altman plot and return the Axes (never calls ``show()``).

    Parameters
    ----------
    result_or_x : BlandAltmanResult or array-like
        A result of :func:`perfeval.agreement.bland_altman`, or the first measurement ``x`` (then ``y`` is
        required and ``bland_altman(x, y, **kwargs)`` is computed).
    y : array-like, optional
        The second measurement when ``result_or_x`` is ``x``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.
    show_ci : bool
        Shade the confidence intervals of the bias and of the limits (default True).
    **kwargs
        Passed to ``bland_altman`` when raw data are given (``multiplier``, ``confidence_level``, ``ci``,
        ``nan_policy``).

    Returns
    -------
    matplotlib.axes.Axes
        Points (x+y)/2 against x-y, a solid bias line, dashed limit lines, shaded intervals and a legend.

    Examples
    --------
    Self-evaluation totals against re-checked totals of the sample province:

    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> both = data.budget[["unit_id", "claimed_total"]].merge(data.recheck, on="unit_id")
    >>> ax = pe.plotting.bland_altman_plot(both["claimed_total"], both["recheck_total"], lang="en")
    >>> ax.get_title()
    'Bland-Altman plot (n = 30, shaded: 95% CIs)'
    >>> ax = pe.plotting.bland_altman_plot(pe.agreement.bland_altman([90, 85, 70], [88, 86, 65]))
    >>> ax.get_ylabel()
    '差值（x − y）'
    """
    from ..agreement import BlandAltmanResult, bland_altman

    if isinstance(result_or_x, BlandAltmanResult):
        if y is not None:
            raise ValueError("`y` must be None when a BlandAltmanResult is given.")
        res = result_or_x
    else:
        if y is None:
            raise ValueError("`y` is required when `result_or_x` is the first measurement.")
        res = bland_altman(result_or_x, y, **kwargs)
    ax = get_ax(ax, lang=lang)
    ax.scatter(res.means, res.differences, s=18, alpha=0.7, color="#3b6ea5",
               label=label("项目", "pairs", lang))
    pct = f"{res.confidence_level:.0%}"
    lines = (
        ("bias", res.bias, "-", "#222222", label("平均差（偏倚）", "bias", lang)),
        ("upper", res.upper, "--", "#b03a2e",
         label(f"一致性上限 +{res.multiplier:g}SD", f"upper LoA +{res.multiplier:g} SD", lang)),
        ("lower", res.lower, "--", "#b03a2e",
         label(f"一致性下限 −{res.multiplier:g}SD", f"lower LoA -{res.multiplier:g} SD", lang)),
    )
    spans = []
    for which, value, style, color, text in lines:
        ax.axhline(value, linestyle=style, color=color, linewidth=1.2, label=f"{text}: {value:.3g}")
        if show_ci:
            low, high = res.confidence_interval(which=which)
            ax.axhspan(low, high, color=color, alpha=0.10, linewidth=0)
            spans += [low, high]
    clipped = _focus(ax, [*np.asarray(res.differences, dtype=float), res.lower, res.upper, 0.0], spans)
    ax.axhline(0.0, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_xlabel(label("两次评分的均值", "mean of the two measurements", lang))
    ax.set_ylabel(label("差值（x − y）", "difference (x - y)", lang))
    title = label(f"Bland-Altman 图（n = {res.n}，阴影为 {pct} 置信区间{'，超出部分未画全' if clipped else ''}）",
                  f"Bland-Altman plot (n = {res.n}, shaded: {pct} CIs{', cut at the frame' if clipped else ''})",
                  lang)
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def _focus(ax: Any, shown: Sequence[float], spans: Sequence[float], *, ratio: float = 3.0) -> bool:
    """Keep the points and limit lines readable: when the shaded intervals reach more than ``ratio`` times the
    height of the points and lines (a handful of pairs gives intervals of hundreds of points), the y-axis shows
    the points and lines with a margin and the intervals are cut at the frame. True when they were cut."""
    values = [v for v in shown if np.isfinite(v)]
    bounds = [v for v in spans if np.isfinite(v)]
    if not values or not bounds:
        return False
    low, high = min(values), max(values)
    height = max(high - low, 1e-9)
    if max(bounds) - min(bounds) <= ratio * height:
        return False
    ax.set_ylim(low - 0.5 * height, high + 0.5 * height)
    return True
