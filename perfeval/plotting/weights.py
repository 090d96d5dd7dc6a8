"""Plots of weights: the weights of several methods side by side."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._base import get_ax, label, plot_function

__all__ = ["weight_comparison_plot"]

_METHOD_COLOURS = ["#4d4d4d", "#4575b4", "#d73027", "#1a9850", "#984ea3", "#ff7f00", "#a65628", "#f781bf"]


@plot_function
def weight_comparison_plot(weights: Any, *, ax: Any = None, lang: str = "zh",
                           labels: Mapping[Any, str] | None = None) -> Any:
    """Grouped bars: one group per item (criterion), one bar per method.

    Parameters
    ----------
    weights : DataFrame or mapping
        :func:`perfeval.weighting.compare_weights` (items x methods; a ``spread`` column is left out), or the
        mapping that function takes.
    ax : matplotlib Axes, optional
    lang : {"zh", "en"}
    labels : mapping, optional
        Item -> display name (e.g. node code -> the framework's name).

    Returns
    -------
    matplotlib Axes
        Weights in percent, each bar's value written above it.

    Examples
    --------
    >>> import perfeval as pe
    >>> t = pe.weighting.compare_weights({"points": {"a": 30, "b": 70}, "AHP": {"a": 0.5, "b": 0.5}})
    >>> ax = pe.plotting.weight_comparison_plot(t, lang="en", labels={"a": "Output", "b": "Effect"})
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_legend().get_texts()[1].get_text()
    (['Output', 'Effect'], 'AHP')
    """
    from ..weighting import compare_weights

    table = weights if isinstance(weights, pd.DataFrame) else compare_weights(weights)
    table = table.drop(columns=["spread"], errors="ignore")
    if table.empty:
        raise ValueError("`weights` has no methods to compare.")
    k, m = table.shape
    ax = get_ax(ax, figsize=(max(5.5, 1.2 * k + 2.5), 3.8), lang=lang)
    width = 0.8 / m
    x = np.arange(k)
    for j, method in enumerate(table.columns):
        values = table[method].to_numpy(dtype=float) * 100
        pos = x - 0.4 + width * (j + 0.5)
        ax.bar(pos, values, width=width * 0.95, color=_METHOD_COLOURS[j % len(_METHOD_COLOURS)], label=str(method))
        for p, v in zip(pos, values):
            ax.text(p, v + 0.4, f"{v:.1f}", ha="center", va="bottom", fontsize=6.5)
    names = dict(labels or {})
    ax.set_xticks(x, [str(names.get(i, i)) for i in table.index])
    ax.set_ylabel(label("权重（%）", "weight (%)", lang))
    ax.set_ylim(0, float(np.nanmax(table.to_numpy(dtype=float))) * 100 * 1.18 + 1)
    ax.set_title(label("不同方法的权重比较", "Weights by method", lang))
    ax.legend(loc="upper left", fontsize="small", ncols=min(m, 3))
    return ax
