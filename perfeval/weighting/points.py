"""From weights to framework points: exact-sum rounding and a new Framework with the weights applied."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import FrameworkError, InputError
from ..framework import Framework
from ._common import as_weights, points_or_shares

__all__ = ["to_points", "apply_weights"]


def to_points(weights: Any, total: float = 100, decimals: int = 0) -> pd.Series:
    r"""Points proportional to ``weights`` that sum exactly to ``total`` at ``decimals`` places (largest remainder).

    Parameters
    ----------
    weights : Series, mapping, array-like or result object with ``.weights``
        Non-negative weights by item, relative (any positive sum: normalised here). A plain list or 1-D array
        is labelled ``0 .. n-1``.
    total : float, default 100
        The points to distribute; ``total * 10**decimals`` must be a whole number.
    decimals : int, default 0
        Decimal places of the points (0 = whole points).

    Returns
    -------
    pandas.Series
        Points by item (named ``points``), each a multiple of 10**-decimals, summing to ``total`` (exactly in
        units of 10**-decimals; as floats up to representation error).

    Raises
    ------
    InputError
        Invalid weights, a negative or non-finite total, negative ``decimals``, or a total that is not a whole
        number of units.

    Notes
    -----
    Hamilton's largest-remainder method: with U = total * 10^d units and quotas q_j = U w_j / sum w, each item
    first gets floor(q_j) units; the U - sum floor(q_j) units left go one each to the largest remainders
    q_j - floor(q_j) (ties to the larger weight, then to the earlier item). Every item ends within one unit of
    its exact quota, which plain rounding does not guarantee for the sum (e.g. three equal weights of 100 give
    33 + 33 + 33 = 99). Items with weight 0 get 0 points.

    References
    ----------
    .. [1] Balinski, M. L. & Young, H. P. (2001). Fair Representation: Meeting the Ideal of One Man, One Vote.
       2nd ed., Brookings Institution Press (Hamilton's method).

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.weighting.to_points({"a": 1, "b": 1, "c": 1}).tolist()
    [34.0, 33.0, 33.0]
    >>> pe.weighting.to_points([0.5, 0.3, 0.2]).to_dict()
    {0: 50.0, 1: 30.0, 2: 20.0}
    >>> pe.weighting.to_points({"a": 0.5208, "b": 0.2708, "c": 0.1458, "d": 0.0626}, total=90).tolist()
    [47.0, 24.0, 13.0, 6.0]
    """
    labels = None
    if isinstance(weights, (Sequence, np.ndarray)) and not isinstance(weights, (str, bytes, pd.Series)):
        try:
            flat = np.ndim(weights) == 1
        except ValueError:  # ragged nesting
            flat = False
        if not flat:
            raise InputError(f"`weights` given as a sequence must be one-dimensional (one weight per item); got "
                             f"{weights!r}.")
        labels = range(len(weights))
    w = as_weights(weights, "weights", index=labels)
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool) or decimals < 0:
        raise InputError(f"`decimals` must be a non-negative integer; got {decimals!r}.")
    if not (isinstance(total, (int, float, np.number)) and np.isfinite(total) and total >= 0):
        raise InputError(f"`total` must be a non-negative number; got {total!r}.")
    units_f = float(total) * 10 ** int(decimals)
    units = round(units_f)
    if not math.isclose(units, units_f, rel_tol=0.0, abs_tol=1e-9 * max(1.0, units_f)):
        raise InputError(f"`total` must be a whole number of 10**-{decimals} units; got total={total!r}. "
                         "Increase `decimals`.")
    quota = w.to_numpy() / w.sum() * units
    base = np.floor(quota)
    left = int(units - base.sum())
    remainder = quota - base
    # largest remainder first; ties to the larger weight, then to the earlier item (stable sort)
    order = np.lexsort((np.arange(len(w)), -w.to_numpy(), -remainder))
    base[order[:left]] += 1.0
    return pd.Series(base / 10 ** int(decimals), index=w.index, name="points")


def apply_weights(framework: Framework, weights: Any, node: str | None = None, *, decimals: int | None = None,
                  rescale_children: bool = True) -> Framework:
    r"""A new framework whose children of ``node`` carry points proportional to ``weights``.

    Parameters
    ----------
    framework : Framework
        The framework to re-weight (not changed).
    weights : Series, mapping, sequence or result object with ``.weights``
        One weight per child of ``node``, by node code (a Series indexed by node codes, e.g. an AHP result on a
        survey of those codes); a plain sequence follows the children's order. Either points summing to the
        parent's points (``framework.total`` for the first level) or shares summing to 1, each within the
        framework's points ``tolerance``; any other sum is an error (relative weights such as 1 : 1 : 2 go
        through :func:`to_points` first).
    node : str, optional
        Code of the parent node; None means the first-level nodes, whose points share ``framework.total``.
    decimals : int, optional
        Round the new points with :func:`to_points` at this many decimals (sum kept exact); None keeps the exact
        shares.
    rescale_children : bool, default True
        Multiply the points of every node below a re-weighted child by new/old points, so that each subtree still
        sums to its parent (a child whose old points were 0 or None keeps its subtree unchanged).

    Returns
    -------
    Framework
        A new framework (built with :meth:`Framework.with_points`); everything else is unchanged.

    Raises
    ------
    FrameworkError
        Unknown ``node`` (known codes listed), a leaf or slot as ``node``, or a parent without points.
    InputError
        Weights naming unknown children or missing some (both listed), invalid weights, or weights that sum
        neither to the parent's points nor to 1 (the message gives the sum and the expected points).

    Notes
    -----
    With parent points P and weights w_j of its children (sum_k w_k = P or 1): points_j = P w_j / sum_k w_k (then
    optionally rounded by largest remainder). Rounding to whole points can leave a grandchild subtree a fraction
    off its parent when ``rescale_children`` is used; validate the framework afterwards if integer points are
    required throughout.

    Examples
    --------
    >>> import perfeval as pe
    >>> fw = pe.load_framework("project_self")
    >>> w = {"execution": 0.1, "output": 0.4, "effect": 0.4, "satisfaction": 0.1}
    >>> new = pe.weighting.apply_weights(fw, w)
    >>> new.points(level=1).tolist()
    [10.0, 40.0, 40.0, 10.0]
    """
    if not isinstance(framework, Framework):
        raise InputError(f"`framework` must be a Framework (see perfeval.load_framework); "
                         f"got {type(framework).__name__}.")
    if node is None:
        children, parent_points = framework.nodes, framework.total
    else:
        parent = framework.find(node)
        if parent.is_leaf:
            raise FrameworkError.single(f"{framework.name}:{node}", "leaf_node",
                                        f"`node` must have children to re-weight; {node!r} is a "
                                        f"{'slot' if parent.slot else 'leaf'}.")
        if parent.points is None:
            raise FrameworkError.single(f"{framework.name}:{node}", "no_points",
                                        f"node {node!r} has no points to share among its children.")
        children, parent_points = parent.children, parent.points
    codes = [c.code for c in children]
    w = as_weights(weights, "weights", index=codes, str_labels=True)
    unknown = [str(k) for k in w.index if k not in codes]
    missing = [c for c in codes if c not in w.index]
    if unknown or missing:
        where = "the first-level nodes" if node is None else f"the children of {node!r}"
        raise InputError(f"`weights` must give one weight per node of {where} {codes}; unknown {unknown}, "
                         f"missing {missing}.")
    w = w.reindex(codes)
    owner = "the root" if node is None else node
    w = pd.Series(points_or_shares(w.to_numpy(), parent_points, framework.tolerance, "`weights`", owner),
                  index=w.index)
    if decimals is None:
        new_points = (w * parent_points).to_dict()
    else:
        new_points = to_points(w, total=parent_points, decimals=decimals).to_dict()
    updates: dict[str, float] = dict(new_points)
    if rescale_children:
        for child in children:
            old = child.points
            if old and child.children:
                factor = new_points[child.code] / old
                for sub in child.children:
                    for n, _, _ in sub.walk():
                        if n.points is not None:
                            updates[n.code] = n.points * factor
    return framework.with_points(updates)
