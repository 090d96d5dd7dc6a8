"""Weights of several methods side by side (the weight-comparison table of a weight study)."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["compare_weights"]


def _series(value: Any, name: str) -> pd.Series:
    if isinstance(value, pd.Series):
        series = value
    elif hasattr(value, "weights") and isinstance(getattr(value, "weights"), (pd.Series, Mapping)):
        series = pd.Series(getattr(value, "weights"))
    elif isinstance(value, Mapping):
        series = pd.Series(dict(value))
    else:
        raise InputError.single(name, "bad_weights", f"weights of {name!r} must be a Series, a mapping or a "
                                f"weighting result; got {type(value).__name__}")
    series = pd.to_numeric(series, errors="coerce").astype(float)
    if series.isna().any() or (series < 0).any() or series.sum() <= 0:
        raise InputError.single(name, "bad_weights", f"weights of {name!r} must be non-negative numbers with a "
                                f"positive sum; got {series.to_dict()}")
    return series / series.sum()


def compare_weights(named: Mapping[str, Any]) -> pd.DataFrame:
    """One column of weights (shares summing to 1) per method, one row per item.

    Parameters
    ----------
    named : mapping
        Column name -> weights: a Series or mapping item -> weight (points are fine: every column is divided by
        its sum), or a result with a ``weights`` attribute (:class:`~perfeval.weighting.WeightResult`,
        :class:`~perfeval.weighting.GroupAHPResult`, :class:`~perfeval.weighting.AHPResult`).

    Returns
    -------
    DataFrame
        Index: the items in the order of the first column (items missing from a column get weight 0 there);
        columns: the names of ``named``; then ``spread`` (max - min across the methods).

    Raises
    ------
    InputError
        Empty ``named``, negative, missing or all-zero weights (naming the column).

    Examples
    --------
    >>> from perfeval.weighting import compare_weights
    >>> t = compare_weights({"现行分值": {"a": 30, "b": 70}, "AHP": {"a": 0.5, "b": 0.5}})
    >>> t.round(2).values.tolist()
    [[0.3, 0.5, 0.2], [0.7, 0.5, 0.2]]
    """
    if not named:
        raise InputError.single("named", "empty", "no weights to compare")
    columns = {str(name): _series(value, str(name)) for name, value in named.items()}
    items: list[Any] = []
    for series in columns.values():
        items += [i for i in series.index if i not in items]
    out = pd.DataFrame({name: s.reindex(items).fillna(0.0) for name, s in columns.items()}, index=items)
    out.index.name = "item"
    out["spread"] = out.max(axis=1) - out.min(axis=1) if out.shape[1] > 1 else np.zeros(len(out))
    return out
