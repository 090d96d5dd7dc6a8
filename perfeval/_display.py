"""Numbers as people read them in reports and handed-over tables.

Computation never rounds (design §1); presentation does, here, in one place:

- :func:`floor_display` rounds a score *down* at the display precision, so a shown total never crosses a grade
  edge it did not reach: 89.996 is shown as 89.99, not 90.00 (a reader would take 90.00 for 优). Float noise is
  absorbed first (89.99999999999997, the sum of points that make 90, shows as 90.00), as the grade bands absorb it
  (:data:`perfeval.grades.EDGE_RTOL`).
- :func:`round_display` does either to a whole array (the floats written in tables: ``k / 10**d`` is the float
  nearest the decimal, so a written file shows ``12.9``, never ``12.900000000000002``).
- :func:`fmt_number` writes other numbers rounded half away from zero on their shortest decimal form, so
  ``12.90000000000001`` is ``12.90`` and 2.675 is ``2.68`` (what a reader computes by hand; binary rounding would
  give 2.67).

Examples
--------
>>> from perfeval._display import floor_display, fmt_number
>>> floor_display(89.996), floor_display(89.99999999999997), floor_display(79.5)
(89.99, 90.0, 79.5)
>>> fmt_number(89.996, floor=True), fmt_number(12.90000000000001), fmt_number(2.675), fmt_number(float("nan"))
('89.99', '12.90', '2.68', '—')
>>> fmt_number(1234567.891, thousands=True)
'1,234,567.89'
"""
from __future__ import annotations

import math
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["floor_display", "fmt_number", "round_display", "edge_safe_display", "MISSING"]

#: What a missing number shows as.
MISSING = "—"

# A value within this relative distance of a display step is that step (float noise of sums of points).
_NOISE_RTOL = 1e-9


def _decimal(value: float) -> Decimal:
    # the shortest repr round-trips the float: 12.90000000000001 stays itself, 2.675 is 2.675 (not 2.67499999...)
    return Decimal(repr(float(value)))


def _check_decimals(decimals: int) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 10:
        raise ValueError(f"`decimals` must be an integer from 0 to 10; got {decimals!r}.")
    return decimals


def floor_display(value: float, decimals: int = 2) -> float:
    """``value`` rounded down to ``decimals`` places, float noise at a step absorbed.

    Parameters
    ----------
    value : float
        A score or total (NaN and infinities are returned as they are).
    decimals : int, default 2

    Returns
    -------
    float
        :math:`\\lfloor v \\cdot 10^d \\rfloor / 10^d`, except that a :math:`v \\cdot 10^d` within a relative
        1e-9 of an integer is that integer.
    """
    decimals = _check_decimals(decimals)
    if value is None or not math.isfinite(float(value)):
        return float("nan") if value is None else float(value)
    scaled = float(value) * 10 ** decimals
    nearest = round(scaled)
    if abs(scaled - nearest) <= _NOISE_RTOL * max(1.0, abs(scaled)):
        return nearest / 10 ** decimals
    return math.floor(scaled) / 10 ** decimals


def fmt_number(value: Any, decimals: int = 2, *, floor: bool = False, thousands: bool = False,
               missing: str = MISSING) -> str:
    """A number as display text.

    Parameters
    ----------
    value : number or None
        NaN, None and pandas' NA show as ``missing``; a non-number is returned as ``str(value)``.
    decimals : int, default 2
        Places shown (trailing zeros kept: ``12.90``). Integers (``int``, not floats) are shown without decimals.
    floor : bool, default False
        Round down (:func:`floor_display`): for totals and scores compared with grade edges.
    thousands : bool, default False
        Group thousands with commas.
    missing : str, default "—"
    """
    decimals = _check_decimals(decimals)
    if value is None:
        return missing
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return missing
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        return f"{int(value):,}" if thousands else str(int(value))
    number = float(value)
    if math.isnan(number):
        return missing
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    quantum = Decimal(1).scaleb(-decimals)
    if floor:
        shown = Decimal(repr(floor_display(number, decimals))).quantize(quantum, rounding=ROUND_FLOOR)
    else:
        shown = _decimal(number).quantize(quantum, rounding=ROUND_HALF_UP)
    if shown == 0:
        shown = abs(shown)  # no "-0.00"
    return f"{shown:,.{decimals}f}" if thousands else f"{shown:.{decimals}f}"


def round_display(values: Any, decimals: int = 2, *, floor: bool = False) -> np.ndarray:
    """Floats rounded for display, element-wise, as :func:`floor_display` (``floor``) or :func:`fmt_number` do.

    Parameters
    ----------
    values : array-like of float
        NaN and infinities stay as they are.
    decimals : int, default 2
    floor : bool, default False
        Round down (scores and totals compared with grade edges); otherwise half away from zero.

    Returns
    -------
    numpy.ndarray of float
        :math:`k / 10^d` with :math:`k` the integer the rule gives for :math:`v \\cdot 10^d` (a product within a
        relative 1e-9 of an integer, or of a half for rounding, is taken as exactly there: float noise of sums and
        of decimal inputs such as 2.675). Division by :math:`10^d` is correctly rounded, so each result is the float
        nearest its decimal and prints as it (``repr``), never with float noise. No ``-0.0``.

    Examples
    --------
    >>> round_display([89.996, 89.99999999999997, 12.90000000000001, 2.675, -0.001], 2, floor=True).tolist()
    [89.99, 90.0, 12.9, 2.67, -0.01]
    >>> round_display([2.675, 12.90000000000001, -0.001, float("nan")]).tolist()
    [2.68, 12.9, 0.0, nan]
    """
    decimals = _check_decimals(decimals)
    arr = np.asarray(values, dtype=float)
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore", over="ignore"):
        s = arr * scale
        tol = _NOISE_RTOL * np.maximum(1.0, np.abs(s))
        nearest = np.round(s)
        near = np.abs(s - nearest) <= tol
        if floor:
            k = np.where(near, nearest, np.floor(s))
        else:
            a = np.abs(s)
            whole = np.floor(a)
            k = np.where(near, nearest, np.sign(s) * (whole + (a - whole >= 0.5 - tol)))
        out = k / scale + 0.0  # + 0.0: no negative zero
    finite = np.isfinite(arr)
    return np.where(finite, out, arr)


def edge_safe_display(values: Any, edges: Any = None, decimals: int = 2) -> np.ndarray:
    """Totals rounded half away from zero, except where that would reach a grade edge the total did not reach:
    there rounded down (:func:`round_display`). Without ``edges`` every value is rounded down.

    Parameters
    ----------
    values : array-like of float
    edges : sequence of float or GradeBands, optional
        The grade edges (the lower ends of the bands; a :class:`perfeval.grades.GradeBands` gives its own). None:
        unknown, so every value is rounded down (then no edge can be crossed).
    decimals : int, default 2

    Examples
    --------
    >>> edge_safe_display([89.996, 89.2777, 79.999, 90.0, 89.99999999999997], [60, 80, 90]).tolist()
    [89.99, 89.28, 79.99, 90.0, 90.0]
    >>> edge_safe_display([89.2777]).tolist()
    [89.27]
    """
    floor = round_display(values, decimals, floor=True)
    if edges is None:
        return floor
    if hasattr(edges, "bands"):
        edges = [b.low for b in edges.bands] + [b.high for b in edges.bands]
    e = np.unique(np.asarray([float(x) for x in edges], dtype=float))
    arr = np.asarray(values, dtype=float)
    near = round_display(arr, decimals)
    # the index of the first edge above each value: an edge in (exact, shown] was crossed by rounding up
    crossed = np.zeros(arr.shape, dtype=bool)
    reached = floor  # noise absorbed: 89.99999999999997 has reached 90
    for edge in e:
        crossed |= (reached < edge) & (near >= edge)
    return np.where(crossed, floor, near)
