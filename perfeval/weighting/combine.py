"""Combine subjective (expert) and objective (data-driven) weights."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError
from ._common import WeightResult, as_weights, check_choice

__all__ = ["combine"]


def combine(subjective: Any, objective: Any, method: str = "linear", alpha: float = 0.5) -> WeightResult:
    r"""Blend subjective and objective weights of the same items.

    Parameters
    ----------
    subjective, objective : Series, mapping or result object with ``.weights``
        Weights by item (e.g. an :class:`~perfeval.weighting.AHPResult` and an entropy
        :class:`~perfeval.weighting.WeightResult`); both must name the same items. Each is normalised to sum 1
        first. The output keeps the subjective weights' item order.
    method : {"linear", "multiplicative"}, default "linear"
        ``linear``: w = alpha s + (1 - alpha) o. ``multiplicative``: w proportional to s * o.
    alpha : float in [0, 1], default 0.5
        Share of the subjective weights in the linear blend. Ignored by ``multiplicative`` (the product has no
        mixing share): any value is accepted there and has no effect.

    Returns
    -------
    WeightResult
        ``method`` as given; details: ``alpha`` (None for multiplicative), ``subjective`` and ``objective`` (the
        normalised inputs, Series).

    Raises
    ------
    InputError
        Items that differ between the two (listed), negative or non-finite weights, alpha outside [0, 1] with
        ``linear``, no overlap of positive weights in ``multiplicative``, or an unknown method.

    Notes
    -----
    .. math::

        w_j^{lin} = \alpha s_j + (1 - \alpha) o_j, \qquad
        w_j^{mult} = \frac{s_j o_j}{\sum_k s_k o_k}

    The linear blend keeps any item that either source weighs; the multiplicative one strengthens agreement
    and sends an item to 0 when either source does. Treating alpha as an uncertain factor is one of the
    sensitivity analyses of :mod:`perfeval.sensitivity`.

    References
    ----------
    .. [1] Ma, J., Fan, Z.-P. & Huang, L.-H. (1999). A subjective and objective integrated approach to determine
       attribute weights. Eur. J. Oper. Res. 112, 397-404.
    .. [2] Wang, T.-C. & Lee, H.-D. (2009). Developing a fuzzy TOPSIS approach based on subjective weights and
       objective weights. Expert Syst. Appl. 36, 8980-8985.

    Examples
    --------
    >>> import pandas as pd
    >>> import perfeval as pe
    >>> s = pd.Series({"output": 0.6, "effect": 0.4})
    >>> o = pd.Series({"output": 0.2, "effect": 0.8})
    >>> pe.weighting.combine(s, o, alpha=0.5).weights.round(4).tolist()
    [0.4, 0.6]
    >>> pe.weighting.combine(s, o, method="multiplicative", alpha=0.5).weights.round(4).tolist()
    [0.2727, 0.7273]
    """
    check_choice("method", method, ("linear", "multiplicative"))
    if method == "linear":
        if not (isinstance(alpha, (int, float, np.floating)) and not isinstance(alpha, bool)
                and 0.0 <= float(alpha) <= 1.0):
            raise InputError(f"`alpha` must be a number in [0, 1]; got {alpha!r}.")
        alpha = float(alpha)
    s = as_weights(subjective, "subjective")
    o = as_weights(objective, "objective")
    only_s = [str(k) for k in s.index if k not in o.index]
    only_o = [str(k) for k in o.index if k not in s.index]
    if only_s or only_o:
        raise InputError(f"`subjective` and `objective` must weigh the same items; only subjective: {only_s}, "
                         f"only objective: {only_o}.")
    s = s / s.sum()
    o = (o / o.sum()).reindex(s.index)
    if method == "linear":
        w = alpha * s + (1.0 - alpha) * o
    else:
        prod = s * o
        if not prod.sum() > 0:
            raise InputError("multiplicative combination is undefined: no item has a positive weight in both "
                             "`subjective` and `objective`.")
        w = prod / prod.sum()
    return WeightResult(weights=w.rename("weight"), method=method,
                        details={"alpha": alpha if method == "linear" else None, "subjective": s.rename("subjective"),
                                 "objective": o.rename("objective")})
