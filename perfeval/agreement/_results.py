"""Shared pieces of the agreement result objects: the confidence-interval tuple, interval and p-value helpers.

Every public function of :mod:`perfeval.agreement` returns a frozen dataclass (scipy style): the estimates are
attributes, intervals that depend on the level come from ``confidence_interval(confidence_level=0.95)``, and
``to_frame()`` gives a tidy one-row-per-variant frame that ``_repr_html_`` shows in JupyterLab.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from scipy import stats

from .._html import fmt, html_table
from ..errors import InputError

__all__ = ["ConfidenceInterval", "ResultMixin", "check_level", "check_alternative", "normal_interval",
           "t_interval", "normal_pvalue", "t_pvalue"]

_ALTERNATIVES = ("two-sided", "greater", "less")


class ConfidenceInterval(NamedTuple):
    """A confidence interval: ``low`` and ``high`` (floats, or arrays / Series for results with several rows).

    Examples
    --------
    >>> from perfeval.agreement import ConfidenceInterval
    >>> low, high = ConfidenceInterval(0.25, 0.71)
    >>> ConfidenceInterval(0.25, 0.71).high
    0.71
    """

    low: Any
    high: Any


class ResultMixin:
    """``_repr_html_`` and a short ``__repr__`` for the frozen result dataclasses (which define ``to_frame``).

    ``_repr_fields`` names the key figures shown by both; ``_title`` is the statistic's name in the HTML header.
    """

    __slots__ = ()
    _repr_fields: tuple[str, ...] = ()
    _title: str = ""

    def _level(self, confidence_level: float | None) -> float:
        """``confidence_level``, or the level the result was computed at when it is None."""
        return self.confidence_level if confidence_level is None else confidence_level  # type: ignore[attr-defined]

    def _key_figures(self) -> list[tuple[str, Any]]:
        return [(name, getattr(self, name)) for name in self._repr_fields]

    def __repr__(self) -> str:
        parts = []
        for name, value in self._key_figures():
            if isinstance(value, (float, np.floating)):
                parts.append(f"{name}={float(value):.6g}")
            else:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _repr_html_(self) -> str:
        note = ", ".join(f"{name} = {fmt(value)}" for name, value in self._key_figures())
        return html_table(f"{self._title or type(self).__name__} ({type(self).__name__})", self.to_frame(), note)


def check_level(confidence_level: float) -> float:
    """Return ``confidence_level`` as a float in (0, 1), or raise."""
    try:
        level = float(confidence_level)
    except (TypeError, ValueError):
        level = math.nan
    if not 0.0 < level < 1.0:
        raise InputError(f"`confidence_level` must be a number strictly between 0 and 1; got {confidence_level!r}.")
    return level


def check_alternative(alternative: str) -> str:
    """Return ``alternative`` if it is one of 'two-sided', 'greater', 'less', or raise."""
    if alternative not in _ALTERNATIVES:
        raise InputError(f"`alternative` must be one of {', '.join(map(repr, _ALTERNATIVES))}; got {alternative!r}.")
    return alternative


def normal_interval(estimate: float, se: float, confidence_level: float) -> ConfidenceInterval:
    """``estimate ± z_{(1+level)/2} · se`` (symmetric normal interval)."""
    z = stats.norm.ppf(0.5 + check_level(confidence_level) / 2.0)
    return ConfidenceInterval(float(estimate - z * se), float(estimate + z * se))


def t_interval(estimate: float, se: float, df: float, confidence_level: float,
               upper_bound: float | None = None) -> ConfidenceInterval:
    """``estimate ± t_{df,(1+level)/2} · se``; the upper end is clipped at ``upper_bound`` when given (Gwet)."""
    level = check_level(confidence_level)
    if not df > 0:
        return ConfidenceInterval(math.nan, math.nan)
    t = stats.t.ppf(0.5 + level / 2.0, df)
    high = estimate + t * se
    if upper_bound is not None and high > upper_bound:
        high = upper_bound
    return ConfidenceInterval(float(estimate - t * se), float(high))


def normal_pvalue(z: float, alternative: str) -> float:
    """p-value of a standard normal statistic ``z`` for the given alternative."""
    if not np.isfinite(z):
        return math.nan
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2.0 * stats.norm.sf(abs(z)))


def t_pvalue(t: float, df: float, alternative: str) -> float:
    """p-value of a Student-t statistic ``t`` with ``df`` degrees of freedom for the given alternative."""
    if not (np.isfinite(t) and df > 0):
        return math.nan
    if alternative == "greater":
        return float(stats.t.sf(t, df))
    if alternative == "less":
        return float(stats.t.cdf(t, df))
    return float(2.0 * stats.t.sf(abs(t), df))
