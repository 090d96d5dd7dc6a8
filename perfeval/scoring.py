"""Scoring rules: pure, vectorised functions from reported values to an achievement in ``[0, 1]``.

A leaf's score is ``achievement x points`` (:mod:`perfeval.aggregate` does the multiplication and the roll-up);
the rules here never see weights except where the rule is defined on points (qualitative, evaluator, deduction).
Every function takes NumPy arrays (or anything :func:`numpy.asarray` accepts), returns a float array of the
broadcast shape and propagates NaN: a missing input gives a NaN achievement, which the aggregation turns into 0
with a located ``missing_actual`` problem.

The rules follow ``domain.md`` §5.3 (PMKPI ``selfpositiveindex``, ``selfreverseindex``, ``selfequalindex``,
``selfqualscorecheck``, ``selfscoreproject``; MOF 财预〔2020〕10号 art. 15) and §9 (KfW 1-6, IEG six-point).
Where the sources disagree (reverse formula, execution denominator) both variants are implemented and named.

:data:`RULES` is the registry the frameworks' YAML names (``rule: positive`` ...); ``auto`` picks
``positive`` / ``reverse`` / ``equality`` / ``qualitative`` from each row's comparison operator.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .errors import Problem

__all__ = [
    "RELEASE_DEADLINES",
    "release_deadline",
    "Rule",
    "RULES",
    "QUALITATIVE_BANDS",
    "LEVELS",
    "ORDINAL_SCALES",
    "OPS",
    "positive",
    "reverse",
    "equality",
    "qualitative",
    "execution",
    "evaluator",
    "deduction",
    "piecewise",
    "ordinal",
    "auto",
    "rule_for_op",
    "over_achievement",
    "moderate_reduction",
    "band_violation",
    "band_level",
    "out_of_range",
    "band_message",
    "EDGE_TOL",
    "check_params",
]

#: Comparison operators a target may carry, and the rule ``auto`` gives each.
OPS: Mapping[str, str] = MappingProxyType({">=": "positive", "<=": "reverse", "=": "equality",
                                           "qualitative": "qualitative"})

#: Qualitative levels, best first.
LEVELS: tuple[str, ...] = ("met", "partly", "not_met")

#: Achievement bands of the qualitative levels (MOF-10 art. 15; PMKPI ``selfqualscorecheck``):
#: met ``[0.8, 1]``, partly ``[0.6, 0.8)``, not met ``[0, 0.6)``; the top of ``met`` is closed.
QUALITATIVE_BANDS: Mapping[str, tuple[float, float]] = MappingProxyType({
    "met": (0.8, 1.0), "partly": (0.6, 0.8), "not_met": (0.0, 0.6)})

#: Float noise absorbed where an achievement meets an edge (a band's bound, full achievement): ``2.4 / 3 =
#: 0.7999999999999999`` reads as 0.8. The one tolerance of the rules on points, used by :func:`band_level`,
#: :func:`band_violation` and the audit (:func:`perfeval.recheck.audit`).
EDGE_TOL = 1e-9

#: Ordinal scales, best level first (domain.md §9): KfW grades 1 (very good) ... 6 (failure); World Bank IEG
#: Highly Satisfactory ... Highly Unsatisfactory.
ORDINAL_SCALES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "kfw": ("1", "2", "3", "4", "5", "6"),
    "ieg": ("HS", "S", "MS", "MU", "U", "HU"),
})


def _f(x: Any) -> np.ndarray:
    """Float array view of ``x``."""
    return np.asarray(x, dtype=float)


def _nan_where_missing(out: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """``out`` with NaN wherever any input is NaN."""
    missing = np.zeros(np.broadcast(*inputs).shape, dtype=bool)
    for x in inputs:
        missing = missing | np.isnan(x)
    return np.where(missing, np.nan, out)


# ---------------------------------------------------------------------------------------------------------------
# quantitative rules
# ---------------------------------------------------------------------------------------------------------------
def positive(actual: Any, target: Any) -> np.ndarray:
    r"""Positive indicator (``>=``, 正向): more is better.

    .. math:: a = \begin{cases} 1 & x \ge t \\ \max(x / t, 0) & x < t,\ t > 0 \\ 0 & x < t,\ t \le 0 \end{cases}

    Parameters
    ----------
    actual, target : array-like of float
        Actual value ``x`` and target ``t`` on the same scale (percentages as percent points, or both as
        fractions: :mod:`perfeval.targets` refuses mixed scales).

    Returns
    -------
    numpy.ndarray
        Achievement in ``[0, 1]``; NaN where an input is NaN.

    Notes
    -----
    Source: PMKPI ``selfpositiveindex`` (domain.md §5.3 rule 1): ``actual >= target -> w`` else
    ``actual / target x w``. PMKPI rounds the score to 2 decimals; perfeval never rounds. A zero or negative
    target leaves the ratio undefined: the row scores 1 when the target is reached and 0 otherwise.

    Examples
    --------
    >>> positive([95, 100, 190], 100).tolist()
    [0.95, 1.0, 1.0]
    """
    x, t = np.broadcast_arrays(_f(actual), _f(target))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)
    out = np.where(x >= t, 1.0, np.clip(ratio, 0.0, 1.0))
    return _nan_where_missing(out, x, t)


def reverse(actual: Any, target: Any, *, formula: str = "linear", zero_at: float = 2.0) -> np.ndarray:
    r"""Reverse indicator (``<=``, 反向): less is better (costs, durations, complaints).

    ``formula="linear"`` (default, PMKPI ``selfreverseindex``): full when ``x <= t``, then linear to 0 at
    ``zero_at x t`` (2 x target by default):

    .. math:: a = \min\!\Big(1, \max\!\Big(0,\ 1 - \frac{x - t}{(k - 1)\,t}\Big)\Big), \quad k = \text{zero\_at}

    ``formula="ratio"`` (a provincial form, domain.md §5.3 rule 2): :math:`a = \min(1, t / x)`.

    Parameters
    ----------
    actual, target : array-like of float
    formula : {"linear", "ratio"}
        The two published formulas; the sources disagree (domain.md §10 item 3).
    zero_at : float
        Multiple of the target at which the linear formula reaches 0; must be > 1.

    Returns
    -------
    numpy.ndarray
        Achievement in ``[0, 1]``; NaN where an input is NaN.

    Notes
    -----
    A zero or negative target (e.g. ``<=0`` accidents): full when ``x <= t``, else 0 (no ratio exists).

    Examples
    --------
    >>> reverse([80, 100, 150, 200, 250], 100).tolist()
    [1.0, 1.0, 0.5, 0.0, 0.0]
    >>> reverse([125.0], 100, formula="ratio").tolist()
    [0.8]
    """
    if formula not in ("linear", "ratio"):
        raise ValueError(f"`formula` must be 'linear' or 'ratio'; got {formula!r}.")
    if not float(zero_at) > 1.0:
        raise ValueError(f"`zero_at` must be > 1; got {zero_at!r}.")
    x, t = np.broadcast_arrays(_f(actual), _f(target))
    pos = t > 0
    safe_t = np.where(pos, t, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if formula == "linear":
            part = 1.0 - (x - safe_t) / ((float(zero_at) - 1.0) * safe_t)
        else:
            part = np.where(x > 0, safe_t / np.where(x > 0, x, 1.0), 1.0)
    out = np.where(x <= t, 1.0, np.where(pos, np.clip(part, 0.0, 1.0), 0.0))
    return _nan_where_missing(out, x, t)


def equality(actual: Any, target: Any) -> np.ndarray:
    r"""Equality indicator (``=``, 等于).

    .. math:: a = \begin{cases} [x \le 0] & t = 0 \\ \text{positive}(x, t) & t \ne 0 \end{cases}

    Notes
    -----
    Source: PMKPI ``selfequalindex`` (domain.md §5.3 rule 3). A zero target (``=0`` accidents, complaints) is
    met only when the actual is 0 (or below); otherwise the rule is the positive one, as in PMKPI.

    Examples
    --------
    >>> equality([0, 1, 100], [0, 0, 100]).tolist()
    [1.0, 0.0, 1.0]
    """
    x, t = np.broadcast_arrays(_f(actual), _f(target))
    out = np.where(t == 0, np.where(x <= 0, 1.0, 0.0), positive(x, t))
    return _nan_where_missing(out, x, t)


def over_achievement(actual: Any, target: Any, op: Any) -> np.ndarray:
    r"""Degree of over-achievement: ``x / t`` for ``>=`` and ``=``, ``t / x`` for ``<=`` (NaN when undefined).

    Rows with a ratio at or above the threshold (130 % by default, configurable: PMKPI "130%可配置", domain.md
    §5.3 rule 7) are flagged ``target_too_low`` by :func:`perfeval.score`: a target met that easily was
    probably set too low (for ``<=`` targets: too high).
    """
    x, t = np.broadcast_arrays(_f(actual), _f(target))
    o = np.broadcast_to(np.asarray(op, dtype=object), x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where((t > 0) & ((o == ">=") | (o == "=")), x / np.where(t > 0, t, 1.0), np.nan)
        down = np.where((o == "<=") & (x > 0) & (t > 0), t / np.where(x > 0, x, 1.0), np.nan)
    return np.where(o == "<=", down, up)


def moderate_reduction(achievement: Any, ratio: Any, *, threshold: float = 1.3, rate: float = 0.5,
                       floor: float = 0.6) -> np.ndarray:
    r"""The optional MOF "moderate reduction" of over-achieved rows (policy ``over_policy="reduce"``; off by default).

    .. math:: a' = \begin{cases} \max(f,\ a - r\,(\rho - \theta)) & \rho \ge \theta \\ a & \text{otherwise}\end{cases}

    with ``ρ`` the over-achievement ratio, ``θ`` the threshold, ``r`` the rate and ``f`` the floor.

    Notes
    -----
    MOF 财预〔2020〕10号 says points of a target "obviously set too low" are reduced "按照偏离度适度调减" (moderately,
    by the degree of deviation) but gives no formula (domain.md §5.3 rule 1). The linear form and its defaults
    (rate 0.5 per unit of ratio above the threshold, floor 0.6) are perfeval's [I], hence off by default.
    """
    a, rho = np.broadcast_arrays(_f(achievement), _f(ratio))
    hit = ~np.isnan(rho) & (rho >= threshold)
    reduced = np.maximum(float(floor), a - float(rate) * (rho - float(threshold)))
    return np.where(hit, np.minimum(a, reduced), a)


# ---------------------------------------------------------------------------------------------------------------
# rules on points
# ---------------------------------------------------------------------------------------------------------------
def band_level(achievement: Any, *, tol: float = EDGE_TOL) -> np.ndarray:
    """The qualitative level whose band holds each achievement (:data:`QUALITATIVE_BANDS`).

    ``met`` is ``[0.8, 1]``, ``partly`` ``[0.6, 0.8)``, ``not_met`` ``[0, 0.6)``; an achievement within ``tol`` of
    a bound counts as the bound itself (``2.4 / 3 = 0.7999999999999999`` is ``met``).

    Parameters
    ----------
    achievement : array-like of float
        Score / points.
    tol : float
        Float noise absorbed at the bounds (:data:`EDGE_TOL`).

    Returns
    -------
    numpy.ndarray of object
        ``"met"``, ``"partly"``, ``"not_met"``, or None outside ``[0, 1]`` and for NaN.

    Examples
    --------
    >>> band_level([0.95, 2.4 / 3, 0.6, 0.1, 1.2]).tolist()
    ['met', 'met', 'partly', 'not_met', None]
    """
    a = _f(achievement)
    out = np.full(a.shape, None, dtype=object)
    for name, (low, high) in QUALITATIVE_BANDS.items():  # the bands are disjoint: at most one holds a value
        out[(a >= low - tol) & ((a <= high + tol) if high >= 1.0 else (a < high - tol))] = name
    return out


def band_violation(level: Any, achievement: Any, *, tol: float = EDGE_TOL) -> np.ndarray:
    """True where a qualitative row's achievement lies outside its level's band (:func:`band_level`).

    Rows without a known level or without an achievement are not violations (they are reported elsewhere).

    Examples
    --------
    >>> band_violation(["met", "partly", "partly"], [2.4 / 3, 0.8, 0.6]).tolist()
    [False, True, False]
    """
    a = _f(achievement)
    lv = np.broadcast_to(np.asarray(level, dtype=object), a.shape)
    known = np.zeros(a.shape, dtype=bool)
    for name in QUALITATIVE_BANDS:
        known |= lv == name
    return known & ~np.isnan(a) & (band_level(a, tol=tol) != lv)


def out_of_range(score: Any, points: Any, *, tol: float = 0.0) -> np.ndarray:
    """True where a score lies outside ``[0, points]`` by more than ``tol`` (False where either is NaN).

    :func:`perfeval.score` refuses an evaluator's or a qualitative score out of range (``score_out_of_range``,
    ``tol = 0``); the audit finds a claim out of range beyond its tolerance (``score_out_of_band``).

    Examples
    --------
    >>> out_of_range([-1, 0, 10, 10.5, np.nan], 10).tolist()
    [True, False, False, True, False]
    """
    s, w = np.broadcast_arrays(_f(score), _f(points))
    return (s < -tol) | (s > w + tol)


def band_message(score: float, points: float, level: str | None = None) -> str:
    """Why a score cannot stand on a row of ``points``: outside ``[0, points]``, else outside the band of
    ``level`` (in shares and in points). The text of ``score_out_of_range`` and ``score_outside_band``.

    Examples
    --------
    >>> band_message(18, 20, "partly")
    "score 18 of 20 points (90%) is outside the band of level 'partly': [60%, 80%) of the points, i.e. [12, 16)"
    >>> band_message(12, 10)
    "`score` must lie in [0, 10] (the row's points); got 12"
    """
    if level not in QUALITATIVE_BANDS or bool(out_of_range(score, points)):
        return f"`score` must lie in [0, {points:g}] (the row's points); got {score:g}"
    low, high = QUALITATIVE_BANDS[level]
    close = "]" if level == "met" else ")"
    share = f" ({score / points:.0%})" if points > 0 else ""
    return (f"score {score:g} of {points:g} points{share} is outside the band of level {level!r}: "
            f"[{low:.0%}, {high:.0%}{close} of the points, i.e. [{low * points:g}, {high * points:g}{close}")


def qualitative(score: Any, points: Any, level: Any = None) -> np.ndarray:
    r"""Qualitative indicator (定性): the evaluator's score inside the band of the chosen level.

    .. math:: a = s / w, \quad \text{met: } a \in [0.8, 1],\ \text{partly: } [0.6, 0.8),\ \text{not met: } [0, 0.6)

    Parameters
    ----------
    score : array-like of float
        The evaluator's score ``s`` in points.
    points : array-like of float
        The row's points ``w``.
    level : array-like of {"met", "partly", "not_met"}, optional
        The chosen level. Where the score is missing the achievement is the level's lower bound (the
        conservative reading; :func:`perfeval.score` flags it ``score_from_level``).

    Returns
    -------
    numpy.ndarray
        ``s / w`` clipped to ``[0, 1]``; NaN when neither a score nor a level is given. A score outside its band
        is *not* corrected here: :func:`band_violation` finds it and the aggregation reports a located problem.

    Notes
    -----
    Source: MOF 财预〔2020〕10号 art. 15 and PMKPI ``selfqualscorecheck`` (domain.md §5.3 rule 4).

    Examples
    --------
    >>> qualitative([9, 7], [10, 10], ["met", "partly"]).tolist()
    [0.9, 0.7]
    """
    s, w = np.broadcast_arrays(_f(score), _f(points))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(w > 0, s / np.where(w > 0, w, 1.0), np.nan)
    a = np.clip(a, 0.0, 1.0)
    if level is not None:
        lv = np.broadcast_to(np.asarray(level, dtype=object), a.shape)
        lows = np.full(a.shape, np.nan)
        for name, (low, _high) in QUALITATIVE_BANDS.items():
            lows = np.where(lv == name, low, lows)
        a = np.where(np.isnan(s), lows, a)
    return a


def execution(executed: Any, denominator: Any) -> np.ndarray:
    r"""Budget execution (预算执行率): ``min(executed / denominator, 1)``.

    .. math:: a = \begin{cases} \min(e / d, 1) & d > 0 \\ 0 & d \le 0 \end{cases}

    Parameters
    ----------
    executed : array-like of float
        全年执行数 (amount spent).
    denominator : array-like of float
        The budget the rate is taken on. :func:`perfeval.score` chooses it by the named policy ``denominator``:
        ``full_year`` (全年预算数; default: MOF form, PMKPI ``selfscoreproject``), ``adjusted`` (调整后预算数;
        Sichuan) or ``in_place`` (到位资金; MOF-10 reference framework 支出/到位). domain.md §10 item 4.

    Notes
    -----
    A zero budget gives 0 (``0/0 -> 0`` [I], domain.md §5.3 rule 5); the aggregation flags it
    ``zero_budget``. Spending above the budget is capped at 1 and flagged ``executed_above_budget``.

    Examples
    --------
    >>> execution([95, 120, 0], [100, 100, 0]).tolist()
    [0.95, 1.0, 0.0]
    """
    e, d = np.broadcast_arrays(_f(executed), _f(denominator))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(d > 0, e / np.where(d > 0, d, 1.0), 0.0)
    return _nan_where_missing(np.clip(rate, 0.0, 1.0), e, d)


def evaluator(score: Any, points: Any) -> np.ndarray:
    r"""Evaluator's score (专家打分, panel-aggregated or ex-ante scores): :math:`a = s / w` clipped to ``[0, 1]``.

    A score outside ``[0, w]`` is reported by the aggregation as ``score_out_of_range``; the clipped value is
    used. Source: domain.md §5.6 and §2 (expert scoring of qualitative criteria).

    Examples
    --------
    >>> evaluator([4.5, 6], [5, 5]).tolist()
    [0.9, 1.0]
    """
    s, w = np.broadcast_arrays(_f(score), _f(points))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(w > 0, s / np.where(w > 0, w, 1.0), np.nan)
    return _nan_where_missing(np.clip(a, 0.0, 1.0), s, w)


def deduction(findings: Any, points: Any, *, per_finding: float = 1.0) -> np.ndarray:
    r"""Deduction scoring (扣分制): full points minus the deductions, floored at 0.

    .. math:: a = \max(w - c \cdot n,\ 0) / w

    with ``n`` the findings (the ``actual`` column: number of findings, or points deducted when
    ``per_finding = 1``) and ``c`` the points deducted per finding.

    Notes
    -----
    Re-check sheets and process indicators (资金使用合规性, 制度执行有效性) deduct points per finding
    (domain.md §5.1, §5.6); the per-finding amount is a parameter of the framework.

    Examples
    --------
    >>> deduction([0, 2, 9], 5).tolist()
    [1.0, 0.6, 0.0]
    """
    n, w = np.broadcast_arrays(_f(findings), _f(points))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(w > 0, np.maximum(w - float(per_finding) * n, 0.0) / np.where(w > 0, w, 1.0), np.nan)
    return _nan_where_missing(np.clip(a, 0.0, 1.0), n, w)


_DEFAULT_PIECEWISE = ((90.0, 1.0), (80.0, 0.8), (70.0, 0.6), (60.0, 0.4))


def piecewise(actual: Any, *, bands: Sequence[Sequence[float]] = _DEFAULT_PIECEWISE,
              below: float = 0.0) -> np.ndarray:
    r"""Piecewise (banded) scoring: the achievement of the highest band whose lower bound the actual reaches.

    .. math:: a = a_k \text{ for the largest } b_k \le x, \qquad a = \text{below if } x < \min_k b_k

    Parameters
    ----------
    actual : array-like of float
    bands : sequence of (lower_bound, achievement)
        Default (satisfaction surveys, in percent): ``>= 90`` full, ``[80, 90)`` 0.8, ``[70, 80)`` 0.6,
        ``[60, 70)`` 0.4 [I, after the example in domain.md §5.3 rule 8 and issue 3].
    below : float
        Achievement under the lowest band.

    Examples
    --------
    >>> piecewise([95, 90, 89.99, 55]).tolist()
    [1.0, 1.0, 0.8, 0.0]
    """
    x = _f(actual)
    table = sorted(((float(b), float(v)) for b, v in bands), key=lambda p: p[0])
    lows = np.array([b for b, _ in table])
    values = np.array([float(below)] + [v for _, v in table])
    idx = np.searchsorted(lows, x, side="right")
    out = values[np.minimum(idx, len(table))]
    return np.where(np.isnan(x), np.nan, np.clip(out, 0.0, 1.0))


def ordinal(rating: Any, *, scale: str = "kfw", levels: Sequence[str] | None = None) -> np.ndarray:
    r"""Ordinal scales (KfW 1-6, World Bank IEG HS ... HU): evenly spaced from best (1) to worst (0).

    .. math:: a = \frac{n - 1 - i}{n - 1}

    with ``i`` the 0-based position of the rating in ``levels`` (best first) and ``n`` the number of levels.

    Parameters
    ----------
    rating : array-like
        Ratings as written (``2``, ``"2"``, ``"MS"``); numbers are matched by their integer text.
    scale : {"kfw", "ieg"}
        Named scales of :data:`ORDINAL_SCALES` (domain.md §9: KfW grade 1 best, 6 worst, 1-3 successful;
        IEG HS, S, MS, MU, U, HU).
    levels : sequence of str, optional
        A custom scale, best first; overrides ``scale``.

    Returns
    -------
    numpy.ndarray
        Achievement; NaN for ratings not on the scale (the aggregation reports them).

    Examples
    --------
    >>> ordinal([1, 3, 6]).tolist()
    [1.0, 0.6, 0.0]
    >>> ordinal(["HS", "MU"], scale="ieg").tolist()
    [1.0, 0.4]
    """
    if levels is None:
        if scale not in ORDINAL_SCALES:
            raise ValueError(f"`scale` must be one of {sorted(ORDINAL_SCALES)}; got {scale!r}.")
        levels = ORDINAL_SCALES[scale]
    names = [str(v).strip().upper() for v in levels]
    if len(names) < 2:
        raise ValueError(f"`levels` must name at least 2 levels; got {list(levels)!r}.")
    lookup = {name: (len(names) - 1 - i) / (len(names) - 1) for i, name in enumerate(names)}
    r = np.asarray(rating, dtype=object)
    flat = r.ravel()
    out = np.full(flat.shape, np.nan)
    for i, v in enumerate(flat):  # few distinct ratings; dictionary look-up per element
        out[i] = lookup.get(_ordinal_key(v), np.nan)
    return out.reshape(r.shape)


def _ordinal_key(value: Any) -> str:
    """A rating as looked up on an ordinal scale: integers as text, labels upper-cased."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip().upper()


# ---------------------------------------------------------------------------------------------------------------
# auto
# ---------------------------------------------------------------------------------------------------------------
def rule_for_op(op: Any) -> np.ndarray:
    """Rule names ``auto`` gives comparison operators (``>=`` positive, ``<=`` reverse, ``=`` equality,
    ``qualitative``); None for anything else."""
    o = np.asarray(op, dtype=object)
    out = np.full(o.shape, None, dtype=object)
    for sign, name in OPS.items():
        out = np.where(o == sign, name, out)
    return out


def auto(actual: Any, target: Any, op: Any, score: Any = np.nan, points: Any = np.nan, level: Any = None, *,
         formula: str = "linear", zero_at: float = 2.0) -> np.ndarray:
    """Pick the rule from each row's operator: ``>=`` :func:`positive`, ``<=`` :func:`reverse`, ``=``
    :func:`equality`, ``qualitative`` :func:`qualitative`; NaN for rows without a known operator.

    Examples
    --------
    >>> auto([95, 120, 1], [100, 100, 0], [">=", "<=", "="]).tolist()
    [0.95, 0.8, 0.0]
    """
    x, t = np.broadcast_arrays(_f(actual), _f(target))
    o = np.broadcast_to(np.asarray(op, dtype=object), x.shape)
    out = np.full(x.shape, np.nan)
    out = np.where(o == ">=", positive(x, t), out)
    out = np.where(o == "<=", reverse(x, t, formula=formula, zero_at=zero_at), out)
    out = np.where(o == "=", equality(x, t), out)
    if np.any(o == "qualitative"):
        out = np.where(o == "qualitative", qualitative(score, points, level), out)
    return out


# ---------------------------------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rule:
    """A named scoring rule.

    Attributes
    ----------
    name : str
        The name frameworks use (``rule:`` in YAML).
    function : callable
        The vectorised function; its positional inputs are named in ``inputs``.
    description : str
        One line, with the source.
    params : mapping
        Parameters a framework node may set (``params:`` in YAML) and their defaults.
    inputs : tuple of str
        The observation fields the function takes, in order: ``actual``, ``target``, ``op``, ``score``,
        ``points``, ``level``, ``executed``, ``denominator``, ``rating``.
    """

    name: str
    function: Callable[..., np.ndarray]
    description: str
    params: Mapping[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "inputs", tuple(self.inputs))

    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return self.function(*args, **kwargs)


def check_params(rule: str, params: Mapping[str, Any] | None, where: str = "params") -> list[Problem]:
    """Located problems with a rule name and its parameters (unknown rule, unknown or invalid parameter).

    Used by the frameworks' validation and by :func:`perfeval.score` before scoring.
    """
    if rule not in RULES:
        return [Problem(where, "unknown_rule", f"`rule` must be one of {', '.join(RULES)}; got {rule!r}.")]
    spec = RULES[rule]
    out: list[Problem] = []
    params = dict(params or {})
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        allowed = ", ".join(spec.params) or "none"
        out.append(Problem(where, "unknown_param",
                           f"rule {rule!r} takes parameters {allowed}; got unknown {unknown}."))
    value = params.get("formula")
    if value is not None and value not in ("linear", "ratio"):
        out.append(Problem(where, "bad_param", f"`formula` must be 'linear' or 'ratio'; got {value!r}."))
    value = params.get("zero_at")
    if value is not None and not (isinstance(value, (int, float)) and value > 1):
        out.append(Problem(where, "bad_param", f"`zero_at` must be a number > 1; got {value!r}."))
    value = params.get("denominator")
    if value is not None and value not in DENOMINATORS:
        out.append(Problem(where, "bad_param",
                           f"`denominator` must be one of {', '.join(DENOMINATORS)}; got {value!r}."))
    value = params.get("deadline")
    if value is not None:
        ok = isinstance(value, Mapping) and set(value) <= {"rule", "transfer"}
        if ok:
            try:
                release_deadline(value.get("rule", "local"), value.get("transfer", "special"))
            except ValueError:
                ok = False
        if not ok:
            out.append(Problem(where, "bad_param", "`deadline` must be a mapping {rule: local|central|forward, "
                                                   f"transfer: special|general}}; got {value!r}."))
    value = params.get("per_finding")
    if value is not None and not (isinstance(value, (int, float)) and value >= 0):
        out.append(Problem(where, "bad_param", f"`per_finding` must be a number >= 0; got {value!r}."))
    value = params.get("scale")
    if value is not None and value not in ORDINAL_SCALES:
        out.append(Problem(where, "bad_param",
                           f"`scale` must be one of {', '.join(ORDINAL_SCALES)}; got {value!r}."))
    value = params.get("bands")
    if value is not None:
        try:
            ok = len(value) > 0 and all(len(b) == 2 and 0 <= float(b[1]) <= 1 for b in value)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            out.append(Problem(where, "bad_param", "`bands` must be a list of [lower_bound, achievement] "
                                                   f"pairs with achievement in [0, 1]; got {value!r}."))
    return out


#: Execution-rate denominators and the budget column each reads (domain.md §10 item 4).
DENOMINATORS: Mapping[str, str] = MappingProxyType({
    "full_year": "budget_full_year", "adjusted": "budget_adjusted", "in_place": "funds_in_place"})

#: Statutory deadlines (days) for releasing transfer payments, 预算法 art. 52 (2014/2018 text) [R]:
#: ``central`` 中央对地方 (after the NPC approves the budget: general 30, special 90); ``forward`` the provincial
#: government forwarding central transfers to the governments below (30 days after receipt, both kinds); ``local``
#: transfers a local government's own budget arranges for lower levels (县级以上地方各级预算安排对下级政府: general
#: 30, special 60 days after the people's congress at that level approves the budget) — Liaoning's 省对下 case.
RELEASE_DEADLINES: Mapping[tuple[str, str], int] = MappingProxyType({
    ("central", "general"): 30, ("central", "special"): 90, ("forward", "general"): 30, ("forward", "special"): 30,
    ("local", "general"): 30, ("local", "special"): 60})


def release_deadline(rule: str = "local", transfer: str = "special") -> int:
    """Statutory release deadline in days (:data:`RELEASE_DEADLINES`, 预算法 art. 52).

    Parameters
    ----------
    rule : {"local", "central", "forward"}
        Who releases: a local budget to lower levels (default: a province's own 省对下 transfers), the centre to
        localities, or a province forwarding central transfers.
    transfer : {"special", "general"}
        专项转移支付 or 一般性转移支付.

    Examples
    --------
    >>> from perfeval.scoring import release_deadline
    >>> release_deadline(), release_deadline("central", "special"), release_deadline("local", "general")
    (60, 90, 30)
    """
    if (rule, transfer) not in RELEASE_DEADLINES:
        raise ValueError(f"`rule` must be local, central or forward and `transfer` special or general; got "
                         f"{rule!r}, {transfer!r}.")
    return RELEASE_DEADLINES[(rule, transfer)]


RULES: Mapping[str, Rule] = MappingProxyType({r.name: r for r in (
    Rule("positive", positive, "min(actual / target, 1) (PMKPI selfpositiveindex)", {}, ("actual", "target")),
    Rule("reverse", reverse, "full when actual <= target, linear to 0 at 2 x target (PMKPI selfreverseindex); "
                             "formula='ratio': target / actual; deadline={rule, transfer}: the target is at most "
                             "the statutory release deadline (预算法 art. 52)",
         {"formula": "linear", "zero_at": 2.0, "deadline": None}, ("actual", "target")),
    Rule("equality", equality, "target 0: full only when actual <= 0; else as positive (PMKPI selfequalindex)",
         {}, ("actual", "target")),
    Rule("qualitative", qualitative, "evaluator's score in the level's band: met [0.8, 1], partly [0.6, 0.8), "
                                     "not met [0, 0.6) (MOF-10 art. 15, PMKPI selfqualscorecheck)", {},
         ("score", "points", "level")),
    Rule("execution", execution, "executed / budget, capped at 1; denominator full_year, adjusted or in_place "
                                 "(PMKPI selfscoreproject)", {"denominator": "full_year"},
         ("executed", "denominator")),
    Rule("evaluator", evaluator, "points given / points (expert or panel score)", {}, ("score", "points")),
    Rule("deduction", deduction, "扣分制: full points minus per_finding x findings, floored at 0",
         {"per_finding": 1.0}, ("actual", "points")),
    Rule("piecewise", piecewise, "achievement of the highest band reached (e.g. satisfaction >= 90 full)",
         {"bands": [list(b) for b in _DEFAULT_PIECEWISE], "below": 0.0}, ("actual",)),
    Rule("ordinal", ordinal, "ordinal scale best = 1 ... worst = 0 (KfW 1-6, IEG HS..HU)",
         {"scale": "kfw", "levels": None}, ("rating",)),
    Rule("auto", auto, "positive / reverse / equality / qualitative by each row's operator",
         {"formula": "linear", "zero_at": 2.0}, ("actual", "target", "op", "score", "points", "level")),
)})
