"""Self-evaluation vs re-evaluation (自评 vs 再评价/复核): unit deviations, accuracy ratings, portfolio statistics.

:func:`compare` matches two scorings of the same units (ScoreResults or totals tables), rates each unit's
self-evaluation 准确 / 基本准确 / 不准确 by a configurable rule, flags the units a reviewer should look at and
summarises the portfolio (bias, agreement, grade shifts, IEG-style disconnect rates), unweighted and weighted by
budget, overall, by group (:meth:`RecheckResult.by`) and, for a probability sample, for the population.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, fields, replace
from html import escape
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._rows import located, with_source
from ..columns import UNIT_ID
from ..errors import DataQualityWarning, InputError, Problem
from ..grades import DEFAULT_BANDS, GradeBands
from ._inputs import BUDGET_COLUMNS, SELF_TOTAL_SOURCES, Side, claimed_totals as claimed_total_series, ids, \
    indicator_side, side
from ._summary import Agreement, summarize, transitions
from .sampling import ESTIMATORS, design_estimate

__all__ = ["ACCURACY", "UNIT_FLAGS", "SELF_TOTAL_SOURCES", "RecheckRules", "RecheckResult", "compare"]

#: Accuracy ratings, best first: accurate, mostly accurate, inaccurate.
ACCURACY: tuple[str, ...] = ("准确", "基本准确", "不准确")

#: Unit flags of :attr:`RecheckResult.units` and what they mean.
UNIT_FLAGS: Mapping[str, str] = MappingProxyType({
    "near_cut": "a total lies within `near_cut` points of a grade cut-point (a small error can flip the grade)",
    "two_grade_jump": "the grades differ by two steps or more",
    "self_full_marks": "the self-evaluation scored 100 (Pidu re-check: all-100 self-evaluations are a formality)",
    "completion_above_execution": "indicator completion claimed more than 5 % above budget execution "
                                  "(PMKPI selfwarnproject red light: (s/90 - b/10) / (s/90) > 0.05)",
    "outside_loa": "the deviation lies outside the Bland-Altman limits of agreement of the portfolio",
})


@dataclass(frozen=True)
class RecheckRules:
    """The configurable rules of :func:`compare` (domain.md §5.6: **no official threshold exists** for calling a
    self-evaluation accurate; these defaults are perfeval's [I] and every result records the ones used).

    Attributes
    ----------
    accurate_gap, accurate_steps : float, int
        准确 (accurate) when ``|deviation| <= accurate_gap`` (5 points) and ``|grade_steps| <= accurate_steps``
        (0: same grade).
    basic_gap, basic_steps : float, int
        基本准确 (mostly accurate) when ``|deviation| <= basic_gap`` (10) and ``|grade_steps| <= basic_steps`` (1);
        anything else is 不准确 (inaccurate).
    near_cut : float
        Points from a grade cut-point that flag ``near_cut`` (1.0).
    red_flag : float
        PMKPI's red light: ``(s/I - b/E) / (s/I) > red_flag`` (0.05), s the indicator points (total minus
        execution), b the execution points, I and E their maxima.
    indicator_points, execution_points : float
        I = 90 and E = 10 (MOF 财预〔2020〕10号: execution 10, indicators 90).
    tolerances : tuple of float
        The two tolerances of ``share_within_3`` and ``share_within_5`` (3 and 5 points; the summary keys keep
        their names when other tolerances are set).
    satisfactory : str
        Grade at or above which a unit counts as satisfactory for ``net_disconnect`` (良: "良 or better", as IEG's
        "moderately satisfactory or better").
    kappa_weights : {"linear", "quadratic"}
        Weights of the weighted kappa and of AC2 on the grade scale.
    multiplier : float
        Bland-Altman limits ``bias ± multiplier · sd`` (1.96).
    driver_share, driver_min, max_drivers : float, float, int
        Drivers of a deviation: the fewest indicators, largest first, whose deviations in the direction of the
        unit's deviation reach ``driver_share`` (0.8) of it, each at least ``driver_min`` points (0.5), at most
        ``max_drivers`` (3).
    small_sample : int
        Fewer units compared than this (10) and the result carries a ``small_sample`` note
        (:attr:`RecheckResult.notes`): with a handful of units the intervals are wide and the agreement
        statistics (kappa, ICC, CCC, Bland-Altman limits) unstable, so they are indicative only.
    """

    accurate_gap: float = 5.0
    accurate_steps: int = 0
    basic_gap: float = 10.0
    basic_steps: int = 1
    near_cut: float = 1.0
    red_flag: float = 0.05
    indicator_points: float = 90.0
    execution_points: float = 10.0
    tolerances: tuple[float, float] = (3.0, 5.0)
    satisfactory: str = "良"
    kappa_weights: str = "linear"
    multiplier: float = 1.96
    driver_share: float = 0.8
    driver_min: float = 0.5
    max_drivers: int = 3
    small_sample: int = 10

    def __post_init__(self) -> None:
        object.__setattr__(self, "tolerances", tuple(float(t) for t in self.tolerances))
        for name in ("accurate_gap", "basic_gap", "near_cut", "red_flag", "driver_min"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value >= 0):
                raise ValueError(f"`{name}` must be a number >= 0; got {value!r}.")
        for name in ("indicator_points", "execution_points", "multiplier", "driver_share"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(f"`{name}` must be a positive number; got {value!r}.")
        for name in ("accurate_steps", "basic_steps", "max_drivers", "small_sample"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"`{name}` must be an integer >= 0; got {value!r}.")
        if self.accurate_gap > self.basic_gap or self.accurate_steps > self.basic_steps:
            raise ValueError("the accurate rule must be at least as strict as the basic one: `accurate_gap` <= "
                             f"`basic_gap` and `accurate_steps` <= `basic_steps`; got {self.accurate_gap}, "
                             f"{self.basic_gap}, {self.accurate_steps}, {self.basic_steps}.")
        if len(self.tolerances) != 2:
            raise ValueError(f"`tolerances` must hold two numbers; got {self.tolerances!r}.")
        if self.kappa_weights not in ("linear", "quadratic"):
            raise ValueError(f"`kappa_weights` must be 'linear' or 'quadratic'; got {self.kappa_weights!r}.")

    def to_dict(self) -> dict[str, Any]:
        """The rules as a plain dict (recorded with every result)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class RecheckResult:
    """A self-evaluation compared with its re-evaluation (returned by :func:`compare`).

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit scored by both: ``unit_id, self_total``, ``self_total_source`` (where the self total
        comes from: ``claimed``, the total the unit wrote; ``computed``, perfeval's roll-up of its claimed row
        scores; ``scored``, perfeval's rules; ``table``, a totals table's ``total``: :data:`SELF_TOTAL_SOURCES`),
        ``recheck_total, deviation`` (self - recheck; > 0 is inflation), ``abs_deviation``, ``rel_deviation``
        (deviation / recheck_total), ``self_grade``,
        ``recheck_grade``, ``grade_steps`` (signed: re-check grade rank minus self grade rank, ranks 0 = best, so
        +1 = downgraded one grade), ``accuracy`` (准确 / 基本准确 / 不准确), ``flags`` (``;``-joined codes of
        :data:`UNIT_FLAGS`, "" when none), ``drivers`` (``;``-joined indicators driving the deviation, "" when
        none or no indicator-level data), ``execution_score`` (self execution points, NaN when unknown),
        ``amount`` (budget used for weighting, NaN when unknown), then the attribute columns of ``units``.
    summary : pandas.DataFrame
        Indexed by ``statistic`` (:data:`perfeval.recheck.STATISTICS`: ``n, mean_bias, median_bias,
        share_inflated, mae, rmse, share_within_3, share_within_5, ba_lower, ba_upper, ccc, icc_a1, grade_exact,
        kappa_weighted, gwet_ac2, stuart_maxwell, disconnect_rate, downgrade_rate, net_disconnect`` ...); columns
        ``estimate, ci_low, ci_high, pvalue, budget_weighted`` (the value weighted by the units' budget amounts:
        formulas in :func:`compare`; NaN without amounts and always for ``icc_a1`` and ``stuart_maxwell``; for
        ``n`` the total budget of the units compared, in the money unit).
    transitions : pandas.DataFrame
        Self grade (rows) x re-check grade (columns) counts on the full grade scale, best first.
    indicators : pandas.DataFrame or None
        Indicator-level comparison when given: ``unit_id, key, name, self_score, recheck_score, deviation``.
    population : pandas.DataFrame or None
        With a ``sample``: design-based population estimates, one row per ``quantity`` (``mean_bias``,
        ``mae``, ``share_inflated``, ``disconnect_rate``, ``downgrade_rate``, ``net_disconnect``,
        ``self_grade_share``, ``recheck_grade_share``) and ``grade`` (for the shares), with ``estimate, se,
        ci_low, ci_high, df, n, population_size, estimator``.
    agreement : Agreement
        The result objects behind the summary: ``bland_altman``, ``ccc``, ``icc``, ``kappa``, ``gwet``,
        ``stuart_maxwell`` (None when too few units).
    problems : tuple of Problem
        Units in one scoring but not the other (``not_rechecked``, ``not_in_self``), unusable amounts, sample units
        without both scores.
    rules : RecheckRules
    bands : GradeBands
    confidence_level : float
    notes : tuple of str
        Cautions about the summary, also in ``summary.attrs["notes"]``, the text and HTML views and the CLI: a
        ``small_sample`` note when fewer than ``rules.small_sample`` (10) units are compared.
    """

    units: pd.DataFrame
    summary: pd.DataFrame
    transitions: pd.DataFrame
    indicators: pd.DataFrame | None
    population: pd.DataFrame | None
    agreement: Agreement
    problems: tuple[Problem, ...]
    rules: RecheckRules
    bands: GradeBands
    confidence_level: float = 0.95
    notes: tuple[str, ...] = ()

    @property
    def small_sample(self) -> bool:
        """True when fewer than ``rules.small_sample`` units are compared (see :attr:`notes`)."""
        return len(self.units) < self.rules.small_sample

    def self_total_sources(self) -> dict[str, int]:
        """Units per source of the self total (``claimed``, ``computed`` ...), in :data:`SELF_TOTAL_SOURCES`
        order."""
        counts = self.units["self_total_source"].value_counts()
        return {k: int(counts[k]) for k in SELF_TOTAL_SOURCES if k in counts}

    def to_frame(self) -> pd.DataFrame:
        """The unit table (see :attr:`units`)."""
        return self.units

    @property
    def bland_altman(self) -> Any:
        """The :class:`~perfeval.agreement.BlandAltmanResult` of self vs re-check (None below 2 units)."""
        return self.agreement.bland_altman

    def statistic(self, name: str, weighted: bool = False) -> float:
        """One summary value: ``estimate`` (or ``budget_weighted`` with ``weighted=True``)."""
        if name not in self.summary.index:
            raise ValueError(f"`name` must be one of {', '.join(self.summary.index)}; got {name!r}.")
        return float(self.summary.at[name, "budget_weighted" if weighted else "estimate"])

    def by(self, column: str) -> pd.DataFrame:
        """Every summary statistic per value of ``column`` (e.g. ``department_id`` or a region).

        Returns
        -------
        pandas.DataFrame
            Long: ``<column>, statistic, estimate, ci_low, ci_high, pvalue, budget_weighted``, groups in sorted
            order and statistics in :data:`STATISTICS` order. Groups too small for a statistic give NaN (no
            warning).
        """
        if column not in self.units:
            attrs = [c for c in self.units.columns if c not in _UNIT_COLUMNS]
            known = ", ".join(attrs) or "none: pass `units=` to compare"
            raise ValueError(f"`column` must be a column of the compared units ({known}); got {column!r}.")
        parts = []
        for value, group in self.units.groupby(column, sort=True, dropna=False):
            frame, _ = summarize(group, self.bands.labels, self.rules, self.confidence_level, quiet=True)
            frame = frame.reset_index()
            frame.insert(0, column, value)
            parts.append(frame)
        columns = [column, "statistic", "estimate", "ci_low", "ci_high", "pvalue", "budget_weighted"]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def _repr_html_(self) -> str:
        s = self.summary
        head = (f"<p><b>RecheckResult</b>: {len(self.units)} units; mean bias {s.at['mean_bias', 'estimate']:.3g} "
                f"[{s.at['mean_bias', 'ci_low']:.3g}, {s.at['mean_bias', 'ci_high']:.3g}], MAE "
                f"{s.at['mae', 'estimate']:.3g}, disconnect rate {s.at['disconnect_rate', 'estimate']:.1%}, "
                f"downgrade rate {s.at['downgrade_rate', 'estimate']:.1%}; {len(self.problems)} problem(s).</p>")
        acc = self.units["accuracy"].value_counts().reindex(list(ACCURACY), fill_value=0)
        head += "<p>" + escape(", ".join(f"{k}: {v}" for k, v in acc.items())) + "</p>"
        head += "".join(f"<p><b>Note</b>: {escape(n)}</p>" for n in self.notes)
        return head + s.to_html(float_format=lambda v: f"{v:.4g}", na_rep="")

    def __repr__(self) -> str:
        small = ", small_sample=True" if self.small_sample else ""
        return (f"RecheckResult(units={len(self.units)}, mean_bias={self.statistic('mean_bias'):.4g}, "
                f"disconnect_rate={self.statistic('disconnect_rate'):.4g}, problems={len(self.problems)}{small})")


_UNIT_COLUMNS = ("unit_id", "self_total", "self_total_source", "recheck_total", "deviation", "abs_deviation",
                 "rel_deviation",
                 "self_grade", "recheck_grade", "grade_steps", "accuracy", "flags", "drivers", "execution_score",
                 "amount")


# ---------------------------------------------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------------------------------------------
def _rules(rules: RecheckRules | Mapping[str, Any] | None) -> RecheckRules:
    if rules is None:
        return RecheckRules()
    if isinstance(rules, RecheckRules):
        return rules
    if isinstance(rules, Mapping):
        known = {f.name for f in fields(RecheckRules)}
        unknown = sorted(set(rules) - known)
        if unknown:
            raise ValueError(f"`rules` must use the fields of RecheckRules ({', '.join(sorted(known))}); got unknown "
                             f"{unknown}.")
        return replace(RecheckRules(), **dict(rules))
    raise TypeError(f"`rules` must be a RecheckRules, a mapping or None; got {type(rules).__name__}.")


def _bands(bands: Any, *sides: Side) -> GradeBands:
    if bands is None:
        return next((s.bands for s in sides if s.bands is not None), DEFAULT_BANDS)
    if isinstance(bands, GradeBands):
        return bands
    return GradeBands.from_list(bands)


def compare(self_scores: Any, recheck_scores: Any, *, bands: GradeBands | list | None = None,
            rules: RecheckRules | Mapping[str, Any] | None = None, indicators: pd.DataFrame | None = None,
            units: pd.DataFrame | None = None, amount: str = "budget_full_year", sample: pd.DataFrame | None = None,
            estimator: str = "hajek", self_total: str = "claimed", confidence_level: float = 0.95,
            claimed_totals: Any = None) -> RecheckResult:
    r"""Compare self-evaluations with their re-evaluation: deviations, accuracy, flags, portfolio statistics.

    Parameters
    ----------
    self_scores : ScoreResult or pandas.DataFrame
        The self-evaluation. A ScoreResult (``pe.score`` of the units' own observations) gives totals, the
        execution points and indicator scores; a totals table needs ``unit_id`` and one of ``self_total``,
        ``claimed_total`` (a budget table from :func:`perfeval.read_budget` works as it is: its ``score`` is then
        the claimed execution points) or ``total``.
    recheck_scores : ScoreResult or pandas.DataFrame
        The re-evaluation: a ScoreResult, or ``unit_id`` and ``recheck_total`` (复核得分) or ``total``.
    bands : GradeBands or list of {label, min, max}, optional
        Grade bands; default the self ScoreResult's framework bands, else 优 [90, 100] 良 [80, 90) 中 [60, 80)
        差 [0, 60). The grade scale declared by the bands (all of it, used or not) is the scale of the kappa.
    rules : RecheckRules or mapping, optional
        Accuracy rule, flags and summary options (:class:`RecheckRules`; a mapping overrides its defaults).
    indicators : pandas.DataFrame, optional
        Indicator-level re-check (``recheck_indicators.csv``): ``unit_id``, ``node_code`` or ``indicator`` (with
        ``l1``, ``l2`` when present), ``score`` (the self claim) and ``recheck_score``. Without it, two
        ScoreResults are compared leaf by leaf.
    units : pandas.DataFrame, optional
        Attributes per unit (``units.csv``: ``department_id``, region ...), joined on ``unit_id`` for
        :meth:`RecheckResult.by` and for the budget ``amount``.
    amount : str
        Column with the budget amount of the budget-weighted statistics (default ``budget_full_year``), read from
        ``units=`` first, then from the self totals table (a budget table such as ``data.budget`` carries it). A
        ScoreResult carries no amounts and ``units.csv`` has no budget column: pass the amounts with ``units=``,
        e.g. ``units=data.units.merge(data.budget[["unit_id", "budget_full_year"]], on="unit_id")``. Without
        amounts the ``budget_weighted`` column is all NaN (not an error, no warning).
    sample : pandas.DataFrame, optional
        The re-check sample as :func:`sample_units` returns it (``unit_id``, ``inclusion_probability``,
        ``stratum``, ``stratum_size``, ``stratum_sample_size``): adds design-based population estimates.
    estimator : {"hajek", "ht"}
        Population estimator (:func:`design_estimate`).
    self_total : {"claimed", "scored"}
        For a self ScoreResult: compare the scores the units claimed (``claimed_score`` of its nodes: 自评得分, the
        default) or the scores perfeval's rules give their reported values.
    confidence_level : float
    claimed_totals : DataFrame, Series or mapping, optional
        The totals the units wrote (总分: ``unit_id, claimed_total``; a budget table from
        :func:`perfeval.read_budget` or the forms' funds blocks works as it is). With a self ScoreResult and
        ``self_total="claimed"``, a unit's written total is its self total (``self_total_source`` ``claimed``)
        and perfeval's roll-up of its claimed rows is used only for units that wrote none (``computed``): the
        re-check judges what the unit claimed, not what perfeval adds up (the two differ when the form's total
        is not the sum of its rows, see :func:`perfeval.recheck.audit`). Ignored with ``self_total="scored"``
        and for a totals table (its total is already the claim).

    Returns
    -------
    RecheckResult
        ``units``, ``summary``, ``transitions``, ``indicators``, ``population``, ``agreement``, ``problems``;
        ``by(column)``.

    Raises
    ------
    InputError
        ``missing_column``, ``not_numeric``, ``missing_value``, ``duplicate_unit`` (located), ``duplicate_row``
        (indicators), ``no_common_units``.
    ValueError
        An option out of its range (``rules`` fields, ``estimator``, ``self_total``, ``confidence_level``, a
        ``satisfactory`` grade not on the scale).

    Warns
    -----
    DataQualityWarning
        When problems were reported (units in one scoring only, unusable amounts, sample units not compared).

    Notes
    -----
    For unit i, :math:`d_i = s_i - r_i` (self minus re-check; > 0 is inflation), ``rel_deviation`` :math:`d_i /
    r_i`, ``grade_steps`` = rank(re-check grade) - rank(self grade) with rank 0 the best grade. Accuracy (no
    official threshold exists, domain.md §5.6 [I]; defaults of :class:`RecheckRules`): 准确 when
    :math:`|d| \le 5` and the grade is the same; 基本准确 when :math:`|d| \le 10` and at most one grade apart;
    else 不准确. Grades are the bands' grades of the totals (a framework's vetoes are not applied; a total outside
    the bands has no grade and is left out of the grade statistics). Portfolio statistics: see
    :data:`perfeval.recheck.STATISTICS`. Budget-weighted values weight unit
    i by its amount :math:`a_i > 0` (:math:`V_1 = \sum a_i`, :math:`V_2 = \sum a_i^2`): means, shares and rates
    :math:`\sum a_i v_i / V_1`; a weighted median for ``median_bias``; ``n`` is :math:`V_1`, the total budget of
    the units compared in the money unit of the amounts. Bland-Altman limits :math:`\bar d_w \pm 1.96\, s_w` with
    :math:`\bar d_w = \sum a_i d_i / V_1` and the unbiased reliability-weights SD :math:`s_w^2 = \sum a_i (d_i -
    \bar d_w)^2 / (V_1 - V_2/V_1)`; ``ba_slope`` by weighted least squares of :math:`d_i` on :math:`(s_i + r_i)/2`;
    ``ccc`` = :math:`2 s_{sr} / (s_s^2 + s_r^2 + (\bar s_w - \bar r_w)^2)` from the weighted (divisor
    :math:`V_1`) moments; ``kappa_weighted`` and ``gwet_ac2`` from the budget-weighted transition table (cell
    proportions = budget shares), point values only. ``icc_a1`` and ``stuart_maxwell`` are ANOVA / test
    quantities with no standard budget-weighted form: their weighted value is always NaN. Disconnect rate, downgrade
    rate and net disconnect follow the World Bank IEG usage (agreement-notes §3): net disconnect = share
    satisfactory (``satisfactory`` grade or better) by self-evaluation minus by re-check.

    References
    ----------
    .. [1] Bland, J. M., & Altman, D. G. (1986). Statistical methods for assessing agreement between two methods of
       clinical measurement. The Lancet, 327(8476), 307-310.
    .. [2] Independent Evaluation Group (2016). *Behind the Mirror: A Report on the Self-Evaluation Systems of the
       World Bank Group*. World Bank.
    .. [3] 财政部《项目支出绩效评价管理办法》(财预〔2020〕10号).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = compare(data.budget, data.recheck, indicators=data.recheck_indicators, units=data.units)
    >>> res.statistic("mean_bias") > 0
    True

    A ScoreResult of the self-evaluations carries no budget: the amounts come from ``units=``.

    >>> scored = pe.score("project_self", data.observations, budget=data.budget)
    >>> units = data.units.merge(data.budget[["unit_id", "budget_full_year"]], on="unit_id")
    >>> weighted = compare(scored, data.recheck, units=units)
    >>> unweighted = compare(scored, data.recheck)                # no amounts: weighted column NaN
    >>> round(weighted.statistic("n", weighted=True))             # the total budget of the 30 units compared
    41120
    >>> bool(unweighted.summary["budget_weighted"].isna().all())
    True
    """
    rules = _rules(rules)
    if estimator not in ESTIMATORS:
        raise ValueError(f"`estimator` must be one of {', '.join(map(repr, ESTIMATORS))}; got {estimator!r}.")
    if not (isinstance(confidence_level, (int, float)) and 0 < confidence_level < 1):
        raise ValueError(f"`confidence_level` must be strictly between 0 and 1; got {confidence_level!r}.")
    s_side, r_side = side(self_scores, "self_scores", self_total), side(recheck_scores, "recheck_scores", "scored")
    if claimed_totals is not None:
        s_side = _with_claimed(s_side, claimed_total_series(claimed_totals))
    bands = _bands(bands, s_side, r_side)
    if rules.satisfactory not in bands.labels:
        raise ValueError(f"`rules.satisfactory` must be a grade of the bands ({', '.join(bands.labels)}); got "
                         f"{rules.satisfactory!r}.")
    problems: list[Problem] = []
    table = _match(s_side, r_side, sample, problems)
    table = _grades(table, bands, rules)
    table = _attributes(table, s_side, units, amount, problems)
    ind = _indicators(indicators, s_side, r_side)
    table["drivers"] = _drivers(table, ind, rules) if ind is not None else ""
    summary, agree = summarize(table, bands.labels, rules, float(confidence_level))
    table["flags"] = _flags(table, bands, rules, agree)
    table = table[[*_UNIT_COLUMNS, *[c for c in table.columns if c not in _UNIT_COLUMNS]]]
    population = None
    if sample is not None:
        population = _population(table, sample, bands, rules, estimator, float(confidence_level), problems)
    if problems:
        codes = pd.Series([p.code for p in problems]).value_counts()
        warnings.warn("compare(): " + ", ".join(f"{c} x{k}" for c, k in codes.items()) + "; see result.problems",
                      DataQualityWarning, stacklevel=2)
    trans = transitions(table["self_grade"].to_numpy(dtype=object), table["recheck_grade"].to_numpy(dtype=object),
                        bands.labels)
    notes = _notes(len(table), rules)
    summary.attrs["notes"] = list(notes)
    return RecheckResult(table.reset_index(drop=True), summary, trans, ind, population, agree, tuple(problems),
                         rules, bands, float(confidence_level), notes)


def _notes(n: int, rules: RecheckRules) -> tuple[str, ...]:
    """Cautions about the summary: ``small_sample`` below ``rules.small_sample`` units."""
    if n >= rules.small_sample:
        return ()
    return (f"small_sample: only {n} unit(s) compared (fewer than {rules.small_sample}); the intervals are wide "
            "and the agreement statistics (kappa, ICC, CCC, Bland-Altman limits) unstable: read the statistics "
            "as indicative only (样本过小，统计结果仅供参考)",)


def _with_claimed(s: Side, claimed: pd.Series) -> Side:
    """A self side from a ScoreResult with the units' written totals in place of perfeval's roll-up."""
    if s.leaves is None or not (s.totals["source"] == "computed").any():
        return s  # a totals table (already the claim) or the rules' scores (self_total="scored")
    claimed = claimed[~claimed.index.duplicated()]
    written = claimed.reindex(s.totals[UNIT_ID].astype(str)).to_numpy(dtype=float)
    use = np.isfinite(written)
    totals = s.totals.assign(total=np.where(use, written, s.totals["total"].to_numpy(dtype=float)),
                             source=np.where(use, "claimed", s.totals["source"].to_numpy(dtype=object)))
    return replace(s, totals=totals)


def _match(s: Side, r: Side, sample: pd.DataFrame | None, problems: list[Problem]) -> pd.DataFrame:
    """Units in both scorings; the others reported (``not_rechecked``, ``not_in_self``), never silently dropped."""
    a, b = s.totals.set_index(UNIT_ID), r.totals.set_index(UNIT_ID)
    both = a.index.intersection(b.index, sort=False)
    if len(both) == 0:
        raise InputError.single("recheck_scores", "no_common_units", "no unit is in both the self-evaluation and the "
                                f"re-evaluation (self: {list(a.index[:5])} ..., recheck: {list(b.index[:5])} ...)")
    sampled = None if sample is None or UNIT_ID not in sample else set(ids(sample[UNIT_ID]))
    for u in a.index.difference(b.index, sort=False):
        if sampled is None or u in sampled:
            problems.append(Problem(f"unit {u}", "not_rechecked", f"unit {u!r} has a self-evaluation but no "
                                    "re-evaluation; left out of the comparison", "warning"))
    for u in b.index.difference(a.index, sort=False):
        problems.append(Problem(f"unit {u}", "not_in_self", f"unit {u!r} has a re-evaluation but no "
                                "self-evaluation; left out of the comparison", "warning"))
    out = pd.DataFrame({UNIT_ID: both.to_numpy(dtype=object),
                        "self_total": a.loc[both, "total"].to_numpy(dtype=float),
                        "self_total_source": a.loc[both, "source"].to_numpy(dtype=object),
                        "recheck_total": b.loc[both, "total"].to_numpy(dtype=float),
                        "execution_score": a.loc[both, "execution_score"].to_numpy(dtype=float)})
    missing = out["self_total"].isna() | out["recheck_total"].isna()
    for u in out.loc[missing, UNIT_ID]:
        problems.append(Problem(f"unit {u}", "missing_total", f"unit {u!r} has no total on one side (a missing "
                                "claim); left out of the comparison", "warning"))
    return out[~missing].reset_index(drop=True)


def _grades(t: pd.DataFrame, bands: GradeBands, rules: RecheckRules) -> pd.DataFrame:
    t["deviation"] = t["self_total"] - t["recheck_total"]
    t["abs_deviation"] = t["deviation"].abs()
    with np.errstate(divide="ignore", invalid="ignore"):
        t["rel_deviation"] = np.where(t["recheck_total"] != 0, t["deviation"] / t["recheck_total"], np.nan)
    sg = np.asarray(bands.grade(t["self_total"].to_numpy(dtype=float)), dtype=object)
    rg = np.asarray(bands.grade(t["recheck_total"].to_numpy(dtype=float)), dtype=object)
    rank = {label: float(i) for i, label in enumerate(bands.labels)}
    t["self_grade"], t["recheck_grade"] = sg, rg
    steps = pd.Series(rg).map(rank).to_numpy(dtype=float) - pd.Series(sg).map(rank).to_numpy(dtype=float)
    t["grade_steps"] = steps
    ad, st = t["abs_deviation"].to_numpy(dtype=float), np.abs(steps)
    accurate = (ad <= rules.accurate_gap) & (st <= rules.accurate_steps)
    basic = (ad <= rules.basic_gap) & (st <= rules.basic_steps)
    t["accuracy"] = np.where(accurate, ACCURACY[0], np.where(basic, ACCURACY[1], ACCURACY[2]))
    return t


def _attributes(t: pd.DataFrame, s: Side, units: pd.DataFrame | None, amount: str,
                problems: list[Problem]) -> pd.DataFrame:
    """Budget amounts and the attribute columns of ``units`` (then of the self totals table)."""
    sources = []
    if units is not None:
        if not isinstance(units, pd.DataFrame) or UNIT_ID not in units:
            raise InputError.single("units", "missing_column", "`units` must be a DataFrame with a `unit_id` column.")
        units = with_source(units, "units")
        dup = np.flatnonzero(ids(units[UNIT_ID]).duplicated().to_numpy())
        if len(dup):
            raise InputError(problems=located(units, dup, UNIT_ID, "duplicate_unit",
                                              lambda i: f"unit {units[UNIT_ID].iat[i]!r} appears more than once"))
        sources.append(units.assign(**{UNIT_ID: ids(units[UNIT_ID])}))
    if s.extra is not None:
        sources.append(s.extra)
    t["amount"] = np.nan
    skip = {UNIT_ID, "source_file", "source_row", *BUDGET_COLUMNS, *t.columns}
    for src in sources:
        src = src.drop_duplicates(UNIT_ID).set_index(UNIT_ID)
        if amount in src and t["amount"].isna().all():
            t["amount"] = pd.to_numeric(src[amount], errors="coerce").reindex(t[UNIT_ID]).to_numpy(dtype=float)
        for col in src.columns:
            if col not in skip and col not in t:
                t[col] = src[col].reindex(t[UNIT_ID]).to_numpy()
    bad = t["amount"].notna() & ~(t["amount"] > 0)
    problems += [Problem(f"unit {u}", "invalid_amount", f"`{amount}` of unit {u!r} is not positive; the unit is left "
                         "out of the budget-weighted statistics", "warning") for u in t.loc[bad, UNIT_ID]]
    return t


def _indicators(indicators: pd.DataFrame | None, s: Side, r: Side) -> pd.DataFrame | None:
    if indicators is not None:
        a, b = indicator_side(indicators)
    elif s.leaves is not None and r.leaves is not None:
        a, b = s.leaves, r.leaves
    else:
        return None
    m = a.merge(b[[UNIT_ID, "key", "value"]], on=[UNIT_ID, "key"], how="outer", suffixes=("_self", "_recheck"))
    names = pd.concat([a, b]).drop_duplicates([UNIT_ID, "key"]).set_index([UNIT_ID, "key"])["name"]
    m["name"] = names.reindex(pd.MultiIndex.from_frame(m[[UNIT_ID, "key"]])).to_numpy()
    out = pd.DataFrame({UNIT_ID: m[UNIT_ID], "key": m["key"], "name": m["name"],
                        "self_score": m["value_self"].astype(float), "recheck_score": m["value_recheck"].astype(float)})
    out["deviation"] = out["self_score"] - out["recheck_score"]
    return out.reset_index(drop=True)


def _drivers(t: pd.DataFrame, ind: pd.DataFrame, rules: RecheckRules) -> np.ndarray:
    """The fewest indicators, largest first, whose same-sign deviations reach ``driver_share`` of the unit's."""
    dev = t.set_index(UNIT_ID)["deviation"]
    out = np.full(len(t), "", dtype=object)
    pos = {u: i for i, u in enumerate(t[UNIT_ID])}
    frame = ind[ind[UNIT_ID].isin(pos) & ind["deviation"].notna()]
    for u, g in frame.groupby(UNIT_ID, sort=False):  # one small group per re-checked unit
        total = float(dev[u])
        if total == 0:
            continue
        same = g[(np.sign(g["deviation"]) == np.sign(total)) & (g["deviation"].abs() >= rules.driver_min)]
        same = same.sort_values("deviation", key=np.abs, ascending=False, kind="stable")
        cum = same["deviation"].abs().cumsum().to_numpy()
        need = int(np.searchsorted(cum, rules.driver_share * abs(total), side="left")) + 1
        out[pos[u]] = ";".join(same["name"].astype(str).iloc[:min(need, rules.max_drivers)])
    return out


def _flags(t: pd.DataFrame, bands: GradeBands, rules: RecheckRules, agree: Agreement) -> np.ndarray:
    cuts = np.array(sorted({b.low for b in bands.bands} - {bands.low}), dtype=float)
    s, r = t["self_total"].to_numpy(dtype=float), t["recheck_total"].to_numpy(dtype=float)
    near = np.zeros(len(t), dtype=bool)
    for c in cuts:
        near |= (np.abs(s - c) < rules.near_cut) | (np.abs(r - c) < rules.near_cut)
    jump = np.abs(t["grade_steps"].to_numpy(dtype=float)) >= 2
    full = s >= bands.high - 1e-9
    b = t["execution_score"].to_numpy(dtype=float)
    ind_share = (s - b) / rules.indicator_points
    with np.errstate(divide="ignore", invalid="ignore"):
        red = np.where(ind_share > 0, (ind_share - b / rules.execution_points) / ind_share, np.nan) > rules.red_flag
    ba = agree.bland_altman
    d = t["deviation"].to_numpy(dtype=float)
    outside = (d < ba.lower) | (d > ba.upper) if ba is not None and np.isfinite(ba.sd) and ba.sd > 0 else \
        np.zeros(len(t), dtype=bool)
    marks = {"near_cut": near, "two_grade_jump": jump, "self_full_marks": full, "completion_above_execution": red,
             "outside_loa": outside}
    return np.array([";".join(k for k, v in marks.items() if v[i]) for i in range(len(t))], dtype=object)


def _population(t: pd.DataFrame, sample: pd.DataFrame, bands: GradeBands, rules: RecheckRules, estimator: str,
                level: float, problems: list[Problem]) -> pd.DataFrame:
    """Design-based estimates of the population bias, rates and grade distribution from the re-check sample."""
    if not isinstance(sample, pd.DataFrame) or UNIT_ID not in sample:
        raise InputError.single("sample", "missing_column", "`sample` must be a DataFrame with `unit_id` and "
                                "`inclusion_probability` (as sample_units returns).")
    sample = sample.reset_index(drop=True)
    uid = ids(sample[UNIT_ID])
    row = t.set_index(UNIT_ID).reindex(uid)
    for u in uid[row["deviation"].isna().to_numpy()]:
        problems.append(Problem(f"unit {u}", "sample_unit_not_compared", f"sampled unit {u!r} is not in both "
                                "scorings; treated as non-response in the population estimates", "warning"))
    d = row["deviation"].to_numpy(dtype=float)
    steps = row["grade_steps"].to_numpy(dtype=float)
    have = ~np.isnan(d)
    top = bands.labels[: bands.labels.index(rules.satisfactory) + 1]
    sat = np.where(have, row["self_grade"].isin(top).to_numpy(dtype=float)
                   - row["recheck_grade"].isin(top).to_numpy(dtype=float), np.nan)

    def ind(mask: np.ndarray) -> np.ndarray:
        return np.where(have & ~np.isnan(steps), mask.astype(float), np.nan)

    quantities = [("mean_bias", None, d), ("mae", None, np.abs(d)), ("share_inflated", None, np.where(have, d > 0,
                                                                                                       np.nan)),
                  ("disconnect_rate", None, ind(steps != 0)), ("downgrade_rate", None, ind(steps > 0)),
                  ("net_disconnect", None, sat)]
    for side in ("self", "recheck"):
        grades = row[f"{side}_grade"].to_numpy(dtype=object)
        quantities += [(f"{side}_grade_share", g, np.where(have, grades == g, np.nan).astype(float))
                       for g in bands.labels]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        for name, grade_, values in quantities:
            est = design_estimate(values, sample, estimator=estimator, confidence_level=level)
            rows.append({"quantity": name, "grade": grade_, **est, "estimator": estimator})
    return pd.DataFrame(rows, columns=["quantity", "grade", "estimate", "se", "ci_low", "ci_high", "df", "n",
                                       "population_size", "estimator"])
