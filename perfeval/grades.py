"""Grade bands (评级): half-open score intervals with labels, and :func:`grade`.

The default bands are 优 [90, 100], 良 [80, 90), 中 [60, 80), 差 [0, 60) (MOF 预算司 unification notice; PMKPI
``selfresultproject``; domain.md §5.4). Bands are half-open so no score falls between two bands (PMKPI's integer
bands let 89.5 fall through, domain.md §2); the highest band is closed at its top.

These names are re-exported by :mod:`perfeval.framework`, whose frameworks carry their bands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._yaml import line_of
from .errors import Problem

__all__ = ["Band", "GradeBands", "DEFAULT_BANDS", "EDGE_RTOL", "edge_tolerance", "grade"]

#: Relative tolerance at band edges for floating-point noise: a score this close below an edge is on the edge.
#: Sums and ratios of decimal data carry errors of a few units in the last place (about 1e-15 relative); 1e-12
#: leaves room for chained operations and is far below any recorded precision (0.01 points, 0.01 万元).
EDGE_RTOL: float = 1e-12


def edge_tolerance(edge: float) -> float:
    """How far below ``edge`` a score still counts as on it: ``EDGE_RTOL x max(|edge|, 1)``."""
    return EDGE_RTOL * max(abs(float(edge)), 1.0)


def _number(value: Any) -> Any:
    """Ints stay ints in YAML (10, not 10.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class Band:
    """One grade band, the half-open interval ``[low, high)``; the top band also includes ``high``."""

    label: str
    low: float
    high: float
    label_en: str = ""
    line: int | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = {"label": self.label, "min": _number(self.low), "max": _number(self.high)}
        if self.label_en:
            d["label_en"] = self.label_en
        return d


@dataclass(frozen=True, slots=True)
class GradeBands:
    """Grade bands on a score scale, checked to tile ``[min, max]`` without gaps or overlaps.

    Intervals are half-open, ``[low, high)``, and the highest band is closed at its top, so with the default bands
    89.995 is 良 and 90 is 优 (no rounding happens before grading: round for presentation only). A score within
    floating-point noise of an edge (:data:`EDGE_RTOL`) counts as on the edge: a total of decimal scores that sum to
    exactly 90 but adds up to ``89.99999999999999`` in binary floating point is 优.
    """

    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.bands, key=lambda b: (b.low, b.high)))
        object.__setattr__(self, "bands", ordered)

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels from the best (highest) band to the lowest."""
        return tuple(b.label for b in reversed(self.bands))

    @property
    def low(self) -> float:
        """Lowest score the bands grade (the smallest ``min``)."""
        return min(b.low for b in self.bands)

    @property
    def high(self) -> float:
        """Highest score the bands grade (the largest ``max``, included)."""
        return max(b.high for b in self.bands)

    def problems(self, where: str = "bands") -> list[Problem]:
        """Gaps, overlaps, empty bands and duplicate labels, located."""
        out: list[Problem] = []
        if not self.bands:
            return [Problem(where, "bands_empty", "at least one grade band is required")]
        seen: set[str] = set()
        for i, b in enumerate(self.bands):
            if b.label in seen:
                out.append(Problem(f"{where}[{b.label}]", "band_duplicate", f"label {b.label!r} is used twice"))
            seen.add(b.label)
            if not b.high > b.low:
                out.append(Problem(f"{where}[{b.label}]", "band_empty",
                                   f"band must have max > min; got [{b.low}, {b.high})"))
            if i:
                prev = self.bands[i - 1]
                if b.low > prev.high:
                    out.append(Problem(f"{where}[{b.label}]", "band_gap",
                                       f"gap between {prev.label!r} (max {prev.high}) and {b.label!r} "
                                       f"(min {b.low}): scores in [{prev.high}, {b.low}) get no grade"))
                elif b.low < prev.high:
                    out.append(Problem(f"{where}[{b.label}]", "band_overlap",
                                       f"{prev.label!r} [{prev.low}, {prev.high}) overlaps {b.label!r} "
                                       f"[{b.low}, {b.high})"))
        return out

    def grade(self, scores: Any) -> Any:
        """Grade label(s) of ``scores`` (scalar, array or Series).

        NaN, scores outside ``[low, high]`` and scores in a gap between two bands give None. A score within
        ``1e-9 x (high - low)`` outside an end counts as that end: summing points such as ``100 / 6`` six times
        gives ``100.00000000000001``, which is still the top grade. A score within ``EDGE_RTOL x max(|edge|, 1)``
        of an inner edge counts as on it: ``np.sum([10, 10, 10, 10, 9.9, 8.3, 7.7, 7.2, 7.3, 9.6])`` is
        ``89.99999999999999`` in floating point and 90 in decimals, so it is 优; 89.995 (or 89.9999999) stays 良.
        The tolerance only absorbs rounding noise of binary arithmetic, far below any recorded precision.

        Raises
        ------
        ValueError
            When there are no bands.
        """
        if not self.bands:
            raise ValueError("`bands` must hold at least one band; got none.")
        labels = np.array([b.label for b in self.bands] + [None], dtype=object)
        scalar = np.ndim(scores) == 0
        idx = self.codes(np.atleast_1d(np.asarray(scores, dtype=float)))
        idx = np.where(idx < 0, len(self.bands), idx)
        out = labels[idx]
        if scalar:
            return out[0]
        if isinstance(scores, pd.Series):
            return pd.Series(out, index=scores.index, name="grade", dtype=object)
        return out

    def codes(self, scores: Any) -> np.ndarray:
        """Index of each score's band in :attr:`bands` (ascending by ``low``), -1 where :meth:`grade` gives None.

        The vectorised core of :meth:`grade` (same edges, same float-noise tolerance), for callers that grade
        millions of totals, such as the weight-sensitivity draws.
        """
        if not self.bands:
            raise ValueError("`bands` must hold at least one band; got none.")
        lows = np.array([b.low for b in self.bands], dtype=float)
        highs = np.array([b.high for b in self.bands], dtype=float)
        x = np.asarray(scores, dtype=float)
        eps = 1e-9 * max(self.high - self.low, 1.0)
        x = np.where((x > self.high) & (x <= self.high + eps), self.high, x)
        x = np.where((x < self.low) & (x >= self.low - eps), self.low, x)
        for edge in lows[np.isfinite(lows)]:  # float noise just below an inner edge: on the edge
            x = np.where((x < edge) & (edge - x <= edge_tolerance(edge)), edge, x)
        idx = np.searchsorted(lows, x, side="right") - 1
        safe = np.clip(idx, 0, len(self.bands) - 1)
        last = len(self.bands) - 1
        inside = np.where(safe == last, x <= highs[safe], x < highs[safe])  # [low, high), top band closed
        bad = np.isnan(x) | (idx < 0) | ~inside
        return np.where(bad, -1, idx).astype(np.int64)

    def rank(self, label: str) -> int:
        """0 for the best grade, 1 for the next ..., for signed grade steps.

        Raises
        ------
        ValueError
            When ``label`` is not a band label.
        """
        if label not in self.labels:
            raise ValueError(f"`label` must be one of {', '.join(map(repr, self.labels))}; got {label!r}.")
        return self.labels.index(label)

    def to_list(self) -> list[dict[str, Any]]:
        """The bands as YAML-ready dicts ``{label, min, max[, label_en]}``, best first."""
        return [b.to_dict() for b in reversed(self.bands)]

    @classmethod
    def from_list(cls, items: Sequence[Mapping[str, Any]]) -> "GradeBands":
        """Inverse of :meth:`to_list` (any order; keeps each band's YAML line when loaded from a file)."""
        return cls(tuple(Band(str(d["label"]), float(d["min"]), float(d["max"]), str(d.get("label_en", "")),
                              line=line_of(d))
                         for d in items))


DEFAULT_BANDS = GradeBands((
    Band("优", 90.0, 100.0, "Excellent"),
    Band("良", 80.0, 90.0, "Good"),
    Band("中", 60.0, 80.0, "Fair"),
    Band("差", 0.0, 60.0, "Poor"),
))


def grade(scores: Any, bands: GradeBands | Sequence[Mapping[str, Any]] | None = None) -> Any:
    """Grade totals on half-open bands (default 优 [90, 100], 良 [80, 90), 中 [60, 80), 差 [0, 60)).

    Parameters
    ----------
    scores : float, array-like or Series
        Totals on the bands' scale (0-100 for the default bands). Never rounded before grading.
    bands : GradeBands or list of {label, min, max}, optional
        The default bands follow MOF 预算司's unification notice and PMKPI ``selfresultproject`` (domain §5.4).

    Returns
    -------
    Same shape as ``scores``: a label, an object array or a Series named ``grade``. NaN and scores outside the
    bands' range give None.

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.grade([89.995, 90, 79.999, 60, 59.999]).tolist()
    ['良', '优', '中', '中', '差']
    """
    if bands is None:
        bands = DEFAULT_BANDS
    elif not isinstance(bands, GradeBands):
        bands = GradeBands.from_list(bands)
    return bands.grade(scores)
