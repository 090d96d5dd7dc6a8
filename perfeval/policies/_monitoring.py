"""The dual-monitoring policy (``templates/policies/monitoring.yaml``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..framework import GradeBands
from ._doc import COLOURS, PolicyDoc, PolicyView, read_policy

__all__ = ["MonitoringPolicy", "SEVERITIES", "SEVERITY_ACTIONS"]

_LEVELS = ("met", "partly", "not_met")
#: Severity of a monitoring line, least to most severe (see ``actions.serious`` in monitoring.yaml).
SEVERITIES = ("none", "minor", "moderate", "serious")
#: Actions a severity may map to (codes of :data:`perfeval.monitoring.ACTIONS`).
SEVERITY_ACTIONS = ("none", "correct", "suspend", "cut")
_DENOMINATORS = ("budget_full_year", "budget_adjusted", "budget_initial")


# ---------------------------------------------------------------------------------------------------------------
# dual monitoring policy
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, repr=False)
class MonitoringPolicy(PolicyView):
    """The thresholds of dual monitoring (``templates/policies/monitoring.yaml``; see the module docstring).

    Attributes
    ----------
    budget_bands, indicator_bands : GradeBands
        Colour bands of the budget ratio and of the positive-indicator ratio (percent of the time-progress share).
    denominator : str
        Budget column of the execution share: ``budget_full_year``, ``budget_adjusted`` or ``budget_initial``.
    zero_budget : {'zero', 'none'}
        PMKPI's ratio 0 (red) for a zero or missing budget, or no light.
    normal_colours : tuple of str
        Budget colours that count as 预算执行正常 in the two-flag light.
    idle_max_execution_share : float
        Execution share in [0, 1] below which a red budget line from the checkpoint month on is idle (收回).
    prorate_percent : bool
        Pro-rate rates and ratios (units in :data:`perfeval.monitoring.RATE_UNITS`, or per-unit units with ``/``)
        like cumulative quantities (PMKPI); default False: they are compared with the annual target as they stand.
    reverse_strict : bool
    equality_tolerance : float
    equality_nonzero : {'positive', 'exact'}
    qualitative : mapping
        Level (met, partly, not_met) -> colour.
    planned_curve : tuple of (month, share)
        Milestones of the planned curve (empty: linear ``month / 12``).
    checkpoint_month : int
    serious_forecast_miss, serious_no_note : bool
        Conditions for a red line to be ``serious`` (besides red): forecast to miss; no corrective note.
    by_severity : mapping
        Severity (minor, moderate, serious) -> action code (``correct``, ``suspend``, ``cut``, ``none``).
    forecast_method : {'pace', 'last'}

    Examples
    --------
    >>> from perfeval.policies import MonitoringPolicy
    >>> policy = MonitoringPolicy.load({"forecast": {"method": "last"}})   # the shipped file, one key changed
    >>> policy.forecast_method, policy.checkpoint_month, float(policy.progress(6))
    ('last', 7, 0.5)
    >>> policy
    MonitoringPolicy(version='2024.1', settings=21)
    """

    budget_bands: GradeBands
    indicator_bands: GradeBands
    denominator: str = "budget_full_year"
    zero_budget: str = "zero"
    normal_colours: tuple[str, ...] = ("green", "yellow")
    idle_max_execution_share: float = 0.3
    prorate_percent: bool = False
    reverse_strict: bool = False
    equality_tolerance: float = 0.0
    equality_nonzero: str = "exact"
    qualitative: Mapping[str, str] = field(default_factory=lambda: {"met": "green", "partly": "yellow",
                                                                     "not_met": "red"})
    planned_curve: tuple[tuple[int, float], ...] = ()
    checkpoint_month: int = 7
    serious_forecast_miss: bool = True
    serious_no_note: bool = True
    by_severity: Mapping[str, str] = field(default_factory=lambda: {"minor": "correct", "moderate": "correct",
                                                                     "serious": "suspend"})
    forecast_method: str = "pace"
    source: str = ""
    version: str = ""

    @classmethod
    def load(cls, policy: "str | Path | Mapping[str, Any] | MonitoringPolicy | None" = None) -> "MonitoringPolicy":
        """The shipped policy with ``policy`` (YAML path or mapping of the keys to change) merged onto it.

        Raises
        ------
        InputError
            Every problem, located ``file:line``: bands with a gap, an overlap or short of ``(-inf, inf)``,
            unknown colours, levels or keys, shares outside [0, 1], a decreasing planned curve.
        """
        if isinstance(policy, MonitoringPolicy):
            return policy
        doc = read_policy("monitoring", policy)
        doc.keys((), ("kind", "version", "source", "time_progress", "budget", "indicators", "actions", "forecast"))
        inf = (float("inf"), float("inf"))
        doc.keys(("budget",), ("denominator", "zero_budget", "bands", "normal_colours", "idle_max_execution_share"))
        doc.keys(("indicators",), ("bands", "prorate_percent", "reverse_strict", "equality_tolerance",
                                   "equality_nonzero", "qualitative"))
        qual = doc.keys(("indicators", "qualitative"), _LEVELS, _LEVELS)
        for level, colour in qual.items():
            if level in _LEVELS and colour not in COLOURS:
                doc.problem(("indicators", "qualitative", level), "unknown_colour",
                            f"unknown colour {colour!r}; allowed: {', '.join(COLOURS)}")
        doc.keys(("actions",), ("checkpoint_month", "serious", "by_severity"))
        doc.keys(("actions", "serious"), ("forecast_miss", "no_corrective_note"),
                 ("forecast_miss", "no_corrective_note"))
        by_sev = doc.keys(("actions", "by_severity"), SEVERITIES[1:], SEVERITIES[1:])
        for sev, action in by_sev.items():
            if sev in SEVERITIES and action not in SEVERITY_ACTIONS:
                doc.problem(("actions", "by_severity", sev), "unknown_action",
                            f"unknown action {action!r}; allowed: {', '.join(SEVERITY_ACTIONS)}")
        doc.keys(("forecast",), ("method",))
        doc.keys(("time_progress",), ("planned_curve",))
        out = cls(
            budget_bands=doc.bands(("budget", "bands"), allowed=COLOURS, label_code="unknown_colour",
                                   scale=(0.0, inf[0])),
            indicator_bands=doc.bands(("indicators", "bands"), allowed=COLOURS, label_code="unknown_colour",
                                      scale=(0.0, inf[0])),
            denominator=doc.choice(("budget", "denominator"), _DENOMINATORS),
            zero_budget=doc.choice(("budget", "zero_budget"), ("zero", "none")),
            normal_colours=doc.labels(("budget", "normal_colours"), COLOURS, "unknown_colour"),
            idle_max_execution_share=doc.number(("budget", "idle_max_execution_share"), low=0, high=1,
                                                code="bad_share"),
            prorate_percent=doc.boolean(("indicators", "prorate_percent"), False),
            reverse_strict=doc.boolean(("indicators", "reverse_strict")),
            equality_tolerance=doc.number(("indicators", "equality_tolerance"), low=0, code="negative_tolerance"),
            equality_nonzero=doc.choice(("indicators", "equality_nonzero"), ("exact", "positive")),
            qualitative={k: str(v) for k, v in qual.items()},
            planned_curve=_planned_curve(doc),
            checkpoint_month=int(doc.number(("actions", "checkpoint_month"), low=1, high=12, integer=True,
                                            code="bad_month", fallback=7)),
            serious_forecast_miss=doc.boolean(("actions", "serious", "forecast_miss"), True),
            serious_no_note=doc.boolean(("actions", "serious", "no_corrective_note"), True),
            by_severity={k: str(v) for k, v in by_sev.items() if k in SEVERITIES},
            forecast_method=doc.choice(("forecast", "method"), ("pace", "last")),
            source=doc.text(("source",)), version=doc.text(("version",)),
        )
        doc.raise_if_problems("monitoring")
        return out

    def progress(self, month: Any) -> np.ndarray:
        """Planned cumulative share at ``month`` (array): the planned curve, or ``month / 12``."""
        m = np.asarray(month, dtype=float)
        if not self.planned_curve:
            return m / 12.0
        xs = np.array([0.0] + [float(k) for k, _ in self.planned_curve])
        ys = np.array([0.0] + [v for _, v in self.planned_curve])
        return np.interp(m, xs, ys)

    def to_dict(self) -> dict[str, Any]:
        """Every choice, for the result's record (bands as ``[{label, min, max}]``)."""
        return {
            "budget_bands": self.budget_bands.to_list(), "indicator_bands": self.indicator_bands.to_list(),
            "denominator": self.denominator, "zero_budget": self.zero_budget,
            "normal_colours": list(self.normal_colours), "idle_max_execution_share": self.idle_max_execution_share,
            "prorate_percent": self.prorate_percent, "reverse_strict": self.reverse_strict,
            "equality_tolerance": self.equality_tolerance, "equality_nonzero": self.equality_nonzero,
            "qualitative": dict(self.qualitative), "planned_curve": dict(self.planned_curve),
            "checkpoint_month": self.checkpoint_month, "serious_forecast_miss": self.serious_forecast_miss,
            "serious_no_note": self.serious_no_note, "by_severity": dict(self.by_severity),
            "forecast_method": self.forecast_method,
            "version": self.version,
        }


def _planned_curve(doc: PolicyDoc) -> tuple[tuple[int, float], ...]:
    """Milestones ``{month: share}``: months 1-12, shares in [0, 1], non-decreasing, ending at month 12."""
    keys = ("time_progress", "planned_curve")
    curve = doc.get(*keys)
    if curve is None:
        return ()
    if not isinstance(curve, Mapping) or not curve:
        doc.problem(keys, "not_a_mapping", f"`{'.'.join(keys)}` must be null or a mapping month: share")
        return ()
    points = []
    for month, share in curve.items():
        if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
            doc.problem((*keys, month), "bad_month", f"milestone month must be an integer 1-12; got {month!r}")
            continue
        points.append((month, doc.number((*keys, month), low=0, high=1, code="bad_share")))
    points.sort()
    for (m0, s0), (m1, s1) in zip(points, points[1:]):
        if s1 < s0:
            doc.problem((*keys, m1), "curve_decreasing",
                        f"the planned share falls from {s0:g} (month {m0}) to {s1:g} (month {m1})")
    if points and points[-1][0] != 12:
        doc.problem(keys, "curve_end", "the planned curve must give month 12 (the year-end share)")
    return tuple(points)




