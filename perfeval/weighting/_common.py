"""Shared pieces of the weighting workbench: the :class:`WeightResult` type and argument helpers.

Every weighting function returns weights as a :class:`pandas.Series` indexed by item (indicator or node code),
non-negative and summing to 1. Nothing here rounds: rounding to points happens in :mod:`perfeval.weighting.points`.
"""
from __future__ import annotations

import html
import numbers
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._html import fmt, frame_html, short_items
from ..agreement._util import check_choice
from ..errors import InputError

__all__ = ["WeightResult", "as_weights", "check_choice", "frame_4f", "parse_judgement", "points_or_shares",
           "rank_desc", "weights_text"]


def parse_judgement(value: Any) -> float:
    """A number from a cell: numbers as they are, text like ``"5"``, ``"0.2"`` or ``"1/5"``; blank gives NaN.

    Raises :class:`ValueError` (without location; callers add it) for text that is not a number or a fraction.
    """
    if value is None:
        return float("nan")
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text == "" or text.lower() in ("nan", "na", "n/a", "-"):
        return float("nan")
    if "/" in text:
        num, _, den = text.partition("/")
        return float(num) / float(den)
    return float(text)


def rank_desc(weights: pd.Series) -> pd.Series:
    """Rank 1 for the largest weight (ties share the smallest rank), as integers."""
    return weights.rank(ascending=False, method="min").astype(int)


def as_weights(weights: Any, name: str = "weights", index: Sequence[Any] | None = None, *,
               str_labels: bool = False) -> pd.Series:
    """Weights as a float Series: from a Series, a mapping, a result object with ``.weights`` or a sequence.

    A sequence needs ``index`` (the item labels in the same order). Values must be finite and non-negative with a
    positive sum; they are returned as given (not normalised). With ``str_labels`` the labels of a mapping or
    Series are turned into text first (node codes and expert ids are text).
    """
    if hasattr(weights, "weights") and isinstance(getattr(weights, "weights"), pd.Series):
        series = weights.weights
    elif isinstance(weights, pd.Series):
        series = weights
    elif isinstance(weights, Mapping):
        series = pd.Series(dict(weights))
    elif isinstance(weights, (Sequence, np.ndarray)) and not isinstance(weights, str):
        values = list(weights)
        if index is None:
            raise InputError(f"`{name}` given as a sequence needs item labels; pass a Series indexed by item.")
        if len(values) != len(index):
            raise InputError(f"`{name}` must have one value per item ({len(index)}: {list(index)}); "
                             f"got {len(values)} values.")
        series = pd.Series(values, index=list(index))
    else:
        raise InputError(f"`{name}` must be a Series, a mapping, a sequence or a weighting result; "
                         f"got {type(weights).__name__}.")
    if str_labels:
        series = series.rename(index=str)
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()].unique().tolist()
        raise InputError(f"`{name}` must name each item once; got duplicates {dup}.")
    try:
        values = series.astype(float)
    except (TypeError, ValueError):
        raise InputError(f"`{name}` must hold numbers; got {series.tolist()}.") from None
    bad = values[~np.isfinite(values.to_numpy()) | (values.to_numpy() < 0)]
    if len(bad):
        raise InputError(f"`{name}` must be finite and non-negative; got {bad.to_dict()}.")
    if not values.sum() > 0:
        raise InputError(f"`{name}` must have a positive sum; got {values.to_dict()}.")
    return values.rename("weight")


def points_or_shares(values: Any, expected: float, tolerance: float, what: str, owner: str) -> np.ndarray:
    r"""Shares (summing to 1) of weights given either as points summing to ``expected`` or as shares summing to 1.

    The rule wherever new weights replace a framework's points (:func:`apply_weights`,
    :func:`perfeval.sensitivity.compare_weightings`): a set of weights whose sum :math:`S` satisfies
    :math:`|S - P| \le \tau` is points (``P`` = the points the parent shares among these children, :math:`\tau` =
    the framework's points ``tolerance``, at least :math:`10^{-9} \max(1, P)`); one with :math:`|S - 1| \le
    \tau / P` is shares; anything else cannot be the parent's points and is an error, never silently rescaled.
    Relative weights (ratios such as 1 : 1 : 2, ranks) go through :func:`to_points` first.

    Parameters
    ----------
    values : array-like
        The weights of one sibling group, finite and non-negative (checked by the caller).
    expected : float
        ``P``, the parent's points.
    tolerance : float
        The framework's points tolerance.
    what, owner : str
        The set (e.g. ``"`weightings['alt']`"``) and its parent (e.g. ``"the root"``), for the message.

    Raises
    ------
    InputError
        The sum is neither ``P`` nor 1 within the tolerance; the message names the set, the sum and ``P``.
    """
    arr = np.asarray(values, dtype=float)
    total = float(arr.sum())
    expected = float(expected)
    tol = max(float(tolerance) if np.isfinite(tolerance) else 0.0, 1e-9 * max(1.0, abs(expected)))
    share_tol = max(tol / expected, 1e-9) if expected > 0 else 1e-9
    if abs(total - expected) <= tol or abs(total - 1.0) <= share_tol:
        return arr / total
    raise InputError(f"{what} for the children of {owner!r} sum to {total:.10g}: they must be points summing to "
                     f"the {expected:.10g} points of {owner!r} (tolerance {tol:g}) or shares summing to 1; "
                     "weights are not rescaled silently (turn relative weights into points with "
                     "perfeval.weighting.to_points).")


def weights_text(weights: pd.Series) -> str:
    """``{a: 0.2500, b: 0.7500}`` (the first 8 items, then how many more): the weights in a ``__repr__``."""
    return short_items(weights, value_format="{:.4f}".format)


def frame_4f(frame: pd.DataFrame, **kwargs: Any) -> str:
    """A frame in a result's HTML view: floats to 4 decimals, long frames truncated (:func:`frame_html`)."""
    return frame_html(frame, float_format="{:.4f}".format, **kwargs)


@dataclass(frozen=True, slots=True, eq=False)
class WeightResult:
    """Weights from a data-driven, rank-based or combined method.

    Attributes
    ----------
    weights : pandas.Series
        One weight per item (indicator or node code), non-negative, summing to 1; named ``weight``.
    method : str
        The method that produced them (``entropy``, ``critic``, ``std_dev``, ``cv``, ``merec``, ``roc``,
        ``rank_sum``, ``reciprocal``, ``linear``, ``multiplicative``).
    details : mapping
        Intermediate quantities of the method (read-only): Series indexed like ``weights`` (e.g. ``entropy``,
        ``std``), frames (e.g. ``correlation``) and scalars (e.g. ``normalization``, ``alpha``). Each function's
        docstring lists its keys.

    Examples
    --------
    >>> import perfeval as pe
    >>> res = pe.weighting.entropy([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]])
    >>> res
    WeightResult(method='entropy', weights={1: 0.4630, 2: 0.3992, 3: 0.1378, 4: 0.0000})
    >>> res.to_frame().columns.tolist()
    ['item', 'weight', 'rank', 'entropy', 'divergence', 'directions']
    """

    weights: pd.Series
    method: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def to_frame(self) -> pd.DataFrame:
        """One row per item.

        Columns: ``item``, ``weight``, ``rank`` (1 = largest weight), then every per-item detail Series (indexed
        like ``weights``) under its key, e.g. ``entropy``, ``divergence`` for :func:`entropy`.
        """
        frame = pd.DataFrame({"item": list(self.weights.index), "weight": self.weights.to_numpy(),
                              "rank": rank_desc(self.weights).to_numpy()})
        for key, value in self.details.items():
            if key not in frame.columns and isinstance(value, pd.Series) and value.index.equals(self.weights.index):
                frame[key] = value.to_numpy()
        return frame

    def _repr_html_(self) -> str:
        scalars = ", ".join(f"{html.escape(str(k))} = {html.escape(fmt(v, 6))}" for k, v in self.details.items()
                            if np.isscalar(v) or v is None)
        head = (f"<p><b>Weights</b> ({html.escape(self.method)}, {len(self.weights)} items)"
                f"{'; ' + scalars if scalars else ''}</p>")
        return head + frame_4f(self.to_frame())

    def __repr__(self) -> str:
        return f"WeightResult(method={self.method!r}, weights={weights_text(self.weights)})"
