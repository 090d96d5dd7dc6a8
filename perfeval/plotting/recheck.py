"""Plots of the re-evaluation and of expert panels: self vs re-check Bland-Altman, grade transitions, rater severity.

Each function is ``f(result, *, ax=None, lang="zh") -> Axes`` and never calls ``show()``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._base import get_ax, label, plot_function

__all__ = ["recheck_bland_altman_plot", "grade_transition_plot", "rater_severity_plot"]

_FLAG_COLOURS = {"severe": "#2166ac", "lenient": "#b2182b", "erratic": "#e08214", "": "#4d4d4d"}


@plot_function
def recheck_bland_altman_plot(result: Any, *, ax: Any = None, lang: str = "zh", annotate: bool = True) -> Any:
    """Bland-Altman plot of self-evaluation minus re-evaluation, against their mean.

    Parameters
    ----------
    result : RecheckResult
        From :func:`perfeval.recheck.compare` (with at least 2 units).
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    lang : {"zh", "en"}
    annotate : bool
        Label the units outside the limits of agreement with their ``unit_id`` (default True).

    Returns
    -------
    matplotlib Axes
        Points (self + re-check)/2 against self - re-check, the bias, the limits and their shaded intervals
        (:func:`perfeval.plotting.agreement.bland_altman_plot`), axis labels naming the two scorings.

    Raises
    ------
    ValueError
        When the result has no Bland-Altman analysis (fewer than 2 units).

    Examples
    --------
    >>> import perfeval as pe
    >>> from perfeval.recheck import compare
    >>> data = pe.load_sample()
    >>> ax = recheck_bland_altman_plot(compare(data.budget, data.recheck), lang="en")
    >>> ax.get_ylabel()
    'self - re-check (points)'
    """
    from .agreement import bland_altman_plot

    ba = result.bland_altman
    if ba is None:
        raise ValueError("`result` must compare at least 2 units for a Bland-Altman plot; got "
                         f"{len(result.units)}.")
    ax = bland_altman_plot(ba, ax=ax, lang=lang)
    ax.set_xlabel(label("自评与复核得分的均值", "mean of self-evaluation and re-check", lang))
    ax.set_ylabel(label("自评 − 复核（分）", "self - re-check (points)", lang))
    ax.set_title(label(f"自评与复核得分的一致性（n = {ba.n}）", f"Self-evaluation vs re-check (n = {ba.n})", lang))
    if annotate:
        units = result.units
        outside = units["flags"].str.split(";").apply(lambda f: "outside_loa" in f).to_numpy()
        mean = ((units["self_total"] + units["recheck_total"]) / 2).to_numpy(dtype=float)
        for x, y, u in zip(mean[outside], units["deviation"].to_numpy(dtype=float)[outside],
                           units["unit_id"].to_numpy(dtype=object)[outside]):
            ax.annotate(str(u), (x, y), textcoords="offset points", xytext=(5, 0), va="center", fontsize=8)
    return ax


@plot_function
def grade_transition_plot(result: Any, *, ax: Any = None, lang: str = "zh") -> Any:
    """Heat map of self grade (rows) against re-check grade (columns), counts written in the cells.

    Parameters
    ----------
    result : RecheckResult
        From :func:`perfeval.recheck.compare`; its ``transitions`` table (full grade scale, best first).
    ax : matplotlib Axes, optional
    lang : {"zh", "en"}

    Returns
    -------
    matplotlib Axes
        Cells shaded by count, the diagonal (same grade) outlined; with the best grade first on both axes,
        cells right of (above) the diagonal are downgrades, left of (below) it upgrades.

    Examples
    --------
    >>> import perfeval as pe
    >>> from perfeval.recheck import compare
    >>> data = pe.load_sample()
    >>> ax = grade_transition_plot(compare(data.budget, data.recheck), lang="en")
    >>> ax.get_xlabel()
    're-check grade'
    """
    from matplotlib.patches import Rectangle

    table = result.transitions
    counts = table.to_numpy(dtype=float)
    k = counts.shape[0]
    ax = get_ax(ax, figsize=(4.8, 4.2), lang=lang)
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(counts.max(), 1.0))
    top = counts.max() if counts.size else 0.0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center",
                    color="white" if counts[i, j] > top / 2 else "black", fontsize=10)
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#222222", linewidth=1.2))
    names = {b.label: (b.label_en or b.label) if lang == "en" else b.label for b in result.bands.bands}
    ax.set_xticks(np.arange(k), [names.get(str(c), str(c)) for c in table.columns])
    ax.set_yticks(np.arange(k), [names.get(str(c), str(c)) for c in table.index])
    ax.set_xlabel(label("复核等级", "re-check grade", lang))
    ax.set_ylabel(label("自评等级", "self-evaluation grade", lang))
    n = int(counts.sum())
    down = int(np.triu(counts, 1).sum())
    ax.set_title(label(f"等级变化（n = {n}，降级 {down}）", f"Grade transitions (n = {n}, downgraded {down})", lang))
    return ax


@plot_function
def rater_severity_plot(diagnostics: Any, *, ax: Any = None, lang: str = "zh") -> Any:
    """Each expert's severity (mean deviation from the others) with its interval, flagged experts coloured.

    Parameters
    ----------
    diagnostics : RaterDiagnostics
        From :func:`perfeval.panel.rater_diagnostics`.
    ax : matplotlib Axes, optional
    lang : {"zh", "en"}

    Returns
    -------
    matplotlib Axes
        One horizontal interval per rater (severity ± its confidence interval), a zero line; severe raters blue,
        lenient red, erratic orange, the flags in the tick labels.

    Examples
    --------
    >>> import perfeval as pe
    >>> from perfeval.panel import rater_diagnostics
    >>> ax = rater_severity_plot(rater_diagnostics(pe.load_sample().panel, framework="project_key"), lang="en")
    >>> len(ax.get_yticklabels())
    7
    """
    raters = diagnostics.raters
    n = len(raters)
    ax = get_ax(ax, figsize=(6.0, 1.2 + 0.38 * max(n, 1)), lang=lang)
    y = np.arange(n)
    sev = raters["severity"].to_numpy(dtype=float)
    low = sev - raters["severity_ci_low"].to_numpy(dtype=float)
    high = raters["severity_ci_high"].to_numpy(dtype=float) - sev
    names_zh = {"severe": "偏严", "lenient": "偏松", "erratic": "不稳定"}
    seen: set[str] = set()
    ticks = []
    for i, (rid, flags) in enumerate(zip(raters["rater_id"], raters["flags"])):
        first = flags.split(";")[0] if flags else ""
        colour = _FLAG_COLOURS.get(first, _FLAG_COLOURS[""])
        text = label(names_zh.get(first, "未标记"), first or "not flagged", lang)
        ax.errorbar(sev[i], y[i], xerr=[[low[i]], [high[i]]], fmt="o", color=colour, capsize=3,
                    label=None if text in seen else text)
        seen.add(text)
        shown = [names_zh[f] if lang == "zh" else f for f in flags.split(";") if f]
        ticks.append(f"{rid}" + (f" ({', '.join(shown)})" if shown else ""))
    ax.axvline(0.0, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, ticks)
    ax.invert_yaxis()
    unit = label("分值占比", "share of the node's points", lang) if diagnostics.scale == "share_of_points" else \
        label("分", "points", lang)
    ax.set_xlabel(label(f"严厉度（与其他专家均值之差，{unit}）", f"severity (deviation from the others' mean, {unit})",
                        lang))
    ax.set_title(label(f"专家评分偏差（{diagnostics.confidence_level:.0%} 置信区间）",
                       f"Rater severity ({diagnostics.confidence_level:.0%} intervals)", lang))
    ax.legend(loc="best", fontsize="small")
    return ax
