"""Weights from an importance ranking: rank order centroid, rank sum and rank reciprocal."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import WeightResult, check_choice

__all__ = ["rank_order", "positional_weights"]

_METHODS = ("roc", "rank_sum", "reciprocal")


def positional_weights(n: int, method: str = "roc") -> np.ndarray:
    r"""Weights of positions 1..n (1 = most important), summing to 1.

    .. math::

        \text{ROC: } w_r = \frac1n \sum_{k=r}^{n} \frac1k, \qquad
        \text{rank sum: } w_r = \frac{2 (n + 1 - r)}{n (n + 1)}, \qquad
        \text{reciprocal: } w_r = \frac{1/r}{\sum_{k=1}^{n} 1/k}

    Examples
    --------
    >>> from perfeval.weighting import positional_weights
    >>> positional_weights(3).round(4).tolist()                     # ROC: (1 + 1/2 + 1/3) / 3, ...
    [0.6111, 0.2778, 0.1111]
    >>> positional_weights(3, "rank_sum").round(4).tolist()
    [0.5, 0.3333, 0.1667]
    """
    check_choice("method", method, _METHODS)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise InputError(f"`n` must be a positive integer; got {n!r}.")
    r = np.arange(1, n + 1, dtype=float)
    if method == "roc":  # Barron & Barrett (1996): centroid of {w_1 >= ... >= w_n >= 0, sum w = 1}
        return np.cumsum((1.0 / r)[::-1])[::-1] / n
    if method == "rank_sum":  # Stillwell, Seaver & Edwards (1981)
        return 2.0 * (n + 1 - r) / (n * (n + 1))
    return (1.0 / r) / np.sum(1.0 / r)  # reciprocal (rank reciprocal), Stillwell et al. (1981)


def rank_order(ranks: Mapping[Any, float] | pd.Series | Sequence[Any], method: str = "roc") -> WeightResult:
    r"""Weights from the importance ranks of the items (1 = most important).

    Parameters
    ----------
    ranks : Series or mapping item -> rank, a sequence of ranks, or a sequence of item labels
        Ranks are positive numbers where smaller means more important (1, 2, 3 ...; gaps are allowed and only
        the order counts). A sequence of numbers ranks items labelled 1..n; a sequence of text labels lists the
        items from most to least important. Equal ranks are ties.
    method : {"roc", "rank_sum", "reciprocal"}, default "roc"
        Rank order centroid (Barron & Barrett 1996), rank sum or rank reciprocal (Stillwell et al. 1981).

    Returns
    -------
    WeightResult
        ``method`` as given; weights in the input's item order; details: ``input_rank`` (the ranks given, a Series)
        and ``position_weights`` (the weights of positions 1..n).

    Raises
    ------
    InputError
        Ranks that are not positive finite numbers, repeated item labels, an empty ranking, or an unknown method.

    Notes
    -----
    See :func:`positional_weights` for the formulas. Items tied over positions r..r+t-1 share the mean of those
    positions' weights, so the weights still sum to 1.

    References
    ----------
    .. [1] Barron, F. H. & Barrett, B. E. (1996). Decision quality using ranked attribute weights. Manage. Sci.
       42, 1515-1523.
    .. [2] Stillwell, W. G., Seaver, D. A. & Edwards, W. (1981). A comparison of weight approximation techniques
       in multiattribute utility decision making. Organ. Behav. Hum. Perform. 28, 62-77.

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.weighting.rank_order(["output", "effect", "execution", "satisfaction"]).weights.round(4).tolist()
    [0.5208, 0.2708, 0.1458, 0.0625]
    """
    check_choice("method", method, _METHODS)
    if isinstance(ranks, pd.Series):
        series = ranks.copy()
    elif isinstance(ranks, Mapping):
        series = pd.Series(dict(ranks))
    elif isinstance(ranks, (Sequence, np.ndarray)) and not isinstance(ranks, str):
        values = list(ranks)
        if values and all(isinstance(v, str) for v in values):
            series = pd.Series(np.arange(1, len(values) + 1), index=values)
        else:
            series = pd.Series(values, index=range(1, len(values) + 1))
    else:
        raise InputError(f"`ranks` must be a Series, a mapping, or a sequence of ranks or item labels; "
                         f"got {type(ranks).__name__}.")
    if series.empty:
        raise InputError("`ranks` must rank at least one item; got none.")
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()].unique().tolist()
        raise InputError(f"`ranks` must name each item once; got duplicates {dup}.")
    values = pd.to_numeric(series, errors="coerce").astype(float)
    bad = values[~np.isfinite(values.to_numpy()) | (values.to_numpy() <= 0)]
    if len(bad):
        raise InputError(f"`ranks` must be positive numbers (1 = most important); got {series[bad.index].to_dict()}.")
    n = len(values)
    pos = positional_weights(n, method)
    order = np.argsort(values.to_numpy(), kind="stable")
    sorted_ranks = values.to_numpy()[order]
    w = np.empty(n)
    start = 0
    while start < n:  # ties share the mean weight of the positions they occupy
        stop = start
        while stop + 1 < n and sorted_ranks[stop + 1] == sorted_ranks[start]:
            stop += 1
        w[order[start:stop + 1]] = pos[start:stop + 1].mean()
        start = stop + 1
    weights = pd.Series(w, index=series.index, name="weight")
    return WeightResult(weights=weights, method=method, details={
        "input_rank": values.rename("input_rank"),
        "position_weights": pd.Series(pos, index=pd.RangeIndex(1, n + 1, name="position"), name="weight")})
