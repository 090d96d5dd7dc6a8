"""Every distribution the sample-province generator draws from, documented in one place.

The generator (:func:`perfeval.synthesize`) never calls a random method directly: it calls :func:`draw` with the
name of an entry of :data:`DISTRIBUTIONS`, so this table *is* the generative model. ``sample_data/README.md``
prints it (:func:`distribution_table`). The parameters are judgement calls that make the data look like real
provincial self-evaluations (domain.md §3-§7), not estimates from any real province.

Performance classes
-------------------
Each project belongs to a latent *performance class* (``excellent``, ``good``, ``fair``, ``weak``, ``troubled``)
whose shares are fixed (:data:`CLASS_SHARES`; the members are a random permutation). The class sets the
distributions of its budget execution, of how often and how badly its indicators miss their targets, and of the
experts' and re-checkers' view of it. The projects per department are fixed too, in proportion to the
departments' weights (:data:`perfeval.datasets._names.DEPARTMENTS`).

Selections
----------
Besides these draws, members are picked uniformly at random with the same streams (``permutation``, ``choice``
without replacement, a uniform index): the projects of each performance class, the order of each department's
programme titles, the projects and rows of the planted problems, the severe, lenient and erratic experts, the
proposals with the near-edge ex-ante totals, the inconsistent AHP expert and the projects with an XLSX form.

Families
--------
``beta``        ``loc + scale * Beta(a, b)``
``uniform``     ``Uniform(low, high)``
``lognormal``   ``median * exp(sigma * N(0, 1))``, clipped to ``[low, high]``
``normal``      ``N(mean, sd)``
``bernoulli``   ``1`` with probability ``p``
``integers``    a uniform integer in ``[low, high]``
``choice``      one of ``values`` with probabilities ``p``
``dirichlet``   ``Dirichlet(concentration * alpha)``
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._names import DEPARTMENTS

__all__ = ["Distribution", "DISTRIBUTIONS", "CLASSES", "CLASS_SHARES", "UNIT_SCALE", "RATE_SCALE", "draw",
           "draw_by_class", "fixed_counts", "distribution_table"]

#: Latent performance classes, best first.
CLASSES: tuple[str, ...] = ("excellent", "good", "fair", "weak", "troubled")

#: Fixed shares of the classes (counts by the largest-remainder rule, members by a random permutation).
CLASS_SHARES: Mapping[str, float] = MappingProxyType({
    "excellent": 0.34, "good": 0.35, "fair": 0.21, "weak": 0.06, "troubled": 0.04})


@dataclass(frozen=True, slots=True)
class Distribution:
    """One named distribution of the generator.

    Attributes
    ----------
    name : str
        Key in :data:`DISTRIBUTIONS` (``group.what[.class]``).
    family : str
        ``beta``, ``uniform``, ``lognormal``, ``normal``, ``bernoulli``, ``integers``, ``choice`` or
        ``dirichlet`` (:meth:`draw` raises ValueError for another).
    params : mapping
        Parameters of the family (see the module docstring).
    used_for : str
        What the draw becomes in the data.
    """

    name: str
    family: str
    params: Mapping[str, Any]
    used_for: str

    def draw(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Draw ``size`` values with ``rng``."""
        p = self.params
        if self.family == "beta":
            return p.get("loc", 0.0) + p.get("scale", 1.0) * rng.beta(p["a"], p["b"], size)
        if self.family == "uniform":
            return rng.uniform(p["low"], p["high"], size)
        if self.family == "lognormal":
            x = p["median"] * np.exp(p["sigma"] * rng.standard_normal(size))
            return np.clip(x, p.get("low", 0.0), p.get("high", np.inf))
        if self.family == "normal":
            return rng.normal(p["mean"], p["sd"], size)
        if self.family == "bernoulli":
            return rng.random(size) < p["p"]
        if self.family == "integers":
            return rng.integers(p["low"], p["high"] + 1, size)
        if self.family == "choice":
            values = np.asarray(p["values"], dtype=object)
            return values[rng.choice(len(values), size=size, p=np.asarray(p["p"], dtype=float))]
        if self.family == "dirichlet":
            alpha = np.asarray(p["alpha"], dtype=float) * p["concentration"]
            return rng.dirichlet(alpha, size)
        raise ValueError(f"`family` must be a known distribution family; got {self.family!r}.")

    def describe(self) -> str:
        """Short formula, e.g. ``0.85 + 0.15 Beta(18, 1.5)``."""
        p = self.params
        if self.family == "beta":
            return f"{p.get('loc', 0):g} + {p.get('scale', 1):g} Beta({p['a']:g}, {p['b']:g})"
        if self.family == "uniform":
            return f"Uniform({p['low']:g}, {p['high']:g})"
        if self.family == "lognormal":
            return (f"{p['median']:g} exp({p['sigma']:g} Z), clipped to "
                    f"[{p.get('low', 0):g}, {p.get('high', np.inf):g}]")
        if self.family == "normal":
            return f"N({p['mean']:g}, {p['sd']:g}²)"
        if self.family == "bernoulli":
            return f"Bernoulli({p['p']:g})"
        if self.family == "integers":
            return f"uniform integer in [{p['low']}, {p['high']}]"
        if self.family == "choice":
            return ", ".join(f"{v}: {q:.3g}" for v, q in zip(p["values"], p["p"]))
        if self.family == "dirichlet":
            return f"Dirichlet({p['concentration']:g} × {list(p['alpha'])})"
        return self.family


def _d(name: str, family: str, used_for: str, **params: Any) -> tuple[str, Distribution]:
    """A registry entry."""
    return name, Distribution(name, family, MappingProxyType(params), used_for)


def _per_class(prefix: str, family: str, used_for: str, table: Mapping[str, Mapping[str, Any]]
               ) -> list[tuple[str, Distribution]]:
    """One registry entry per performance class, ``<prefix>.<class>``."""
    return [_d(f"{prefix}.{c}", family, f"{used_for} ({c})", **table[c]) for c in CLASSES]


_ENTRIES: list[tuple[str, Distribution]] = [
    # -- units and budgets ---------------------------------------------------------------------------------------
    _d("unit.project_type", "choice", "project type (持续性 / 阶段性 / 一次性) of a new (ex-ante) proposal",
       values=("continuing", "phased", "one_off"), p=(0.55, 0.25, 0.20)),
    _d("unit.project_type.subsidy", "choice", "project type of a recurring fund (title ending 补助, 补贴, 资金, "
       "经费 ...)", values=("continuing", "phased", "one_off"), p=(0.85, 0.10, 0.05)),
    _d("unit.project_type.construction", "choice", "project type of works (title with 建设, 改造, 治理 ...)",
       values=("continuing", "phased", "one_off"), p=(0.25, 0.45, 0.30)),
    _d("unit.project_type.other", "choice", "project type of any other programme",
       values=("continuing", "phased", "one_off"), p=(0.55, 0.25, 0.20)),
    _d("unit.project_type_troubled", "choice", "project type of a troubled project (stalled phased projects are "
       "the typical failures)", values=("continuing", "phased", "one_off"), p=(0.35, 0.50, 0.15)),
    _d("unit.rigid", "bernoulli", "rigid expenditure (刚性支出), continuing projects only", p=0.25),
    _d("budget.full_year", "lognormal", "full-year budget 全年预算数 (万元), times the department's median",
       median=1.0, sigma=0.85, low=0.05, high=60.0),
    _d("budget.adjusted_any", "bernoulli", "the full-year budget differs from the initial one", p=0.35),
    _d("budget.adjustment", "uniform", "relative in-year adjustment of the initial budget", low=-0.12, high=0.22),
    _d("budget.carry_over_any", "bernoulli", "the full-year budget includes last year's carry-over (上年结转), so "
       "the adjusted current-year budget 调整后预算数 is below it", p=0.2),
    _d("budget.carry_over_share", "uniform", "carry-over / full-year budget when there is one", low=0.05, high=0.25),
    _d("budget.in_place_short", "bernoulli", "funds in place fall short of the full-year budget", p=0.12),
    _d("budget.in_place_ratio", "uniform", "funds in place / full-year budget when short", low=0.86, high=0.99),
    *_per_class("budget.execution", "beta", "true execution rate executed / full-year budget", {
        "excellent": {"a": 18, "b": 1.5, "loc": 0.86, "scale": 0.14},
        "good": {"a": 6, "b": 1.5, "loc": 0.80, "scale": 0.20},
        "fair": {"a": 3, "b": 2, "loc": 0.70, "scale": 0.30},
        "weak": {"a": 2, "b": 2, "loc": 0.50, "scale": 0.45},
        "troubled": {"a": 2, "b": 3, "loc": 0.10, "scale": 0.40},
    }),
    # -- indicators ----------------------------------------------------------------------------------------------
    _d("ind.count", "choice", "number of indicators of a project (5-12)",
       values=(5, 6, 7, 8, 9, 10, 11, 12), p=(0.10, 0.16, 0.18, 0.17, 0.14, 0.11, 0.08, 0.06)),
    _d("ind.output_pattern", "integers", "order in which a project's output indicators fill the slots (two "
       "patterns: timeliness or cost first after quantity and quality)", low=0, high=1),
    _d("ind.points_weight", "uniform", "relative weight of an indicator inside its first level (points = the "
       "level's points split in proportion, whole numbers by largest remainder)", low=0.6, high=1.4),
    _d("ind.individual", "bernoulli", "an indicator is individual (个性, not from the library) by the unit's "
       "choice (besides the slots where no library entry relates to the programme)", p=0.06),
    _d("ind.pick", "uniform", "random key ranking library candidates within a slot, after their affinity with "
       "the programme title (shared words; common entries before unrelated ones of the sector)", low=0.0, high=1.0),
    _d("ind.not_applicable", "bernoulli", "an indicator is marked not applicable (是否适用 = 否)", p=0.012),
    _d("ind.target_style", "choice", "how the target is written on the form",
       values=("symbol", "chinese", "bare"), p=(0.80, 0.12, 0.08)),
    _d("ind.op_blank", "bernoulli", "the 指标性质 column is left blank (operator read from the target)", p=0.18),
    _d("ind.percent_target", "choice", "target of a completion-type rate (覆盖率, 合格率, 发放率 ...: %)",
       values=(80, 85, 90, 95, 98, 100), p=(0.08, 0.12, 0.30, 0.30, 0.08, 0.12)),
    _d("ind.outcome_target", "choice", "target of an outcome rate (就业率, 入园率, 巩固率 ...: %), never 100",
       values=(80, 85, 90, 95), p=(0.15, 0.30, 0.35, 0.20)),
    _d("ind.satisfaction_target", "choice", "target of a satisfaction rate (满意度: %)",
       values=(80, 85, 90, 95), p=(0.10, 0.30, 0.45, 0.15)),
    _d("ind.growth_target", "choice", "target of a growth or decline rate (增长率, 下降率: %)",
       values=(2, 3, 5, 8, 10, 15), p=(0.10, 0.20, 0.30, 0.20, 0.15, 0.05)),
    _d("ind.share_target", "choice", "target of a share (占比, 分担率, 利用率: %)",
       values=(20, 30, 40, 50, 60, 70), p=(0.10, 0.20, 0.25, 0.20, 0.15, 0.10)),
    _d("ind.cap_target", "choice", "target of a lower-is-better percentage indicator (%)",
       values=(3, 5, 10, 15, 20), p=(0.15, 0.30, 0.30, 0.15, 0.10)),
    _d("ind.count_target", "lognormal", "count target = budget / 100 万元 x UNIT_SCALE[unit] x this multiplier",
       median=1.0, sigma=0.6, low=0.1, high=10.0),
    _d("ind.money_target", "uniform", "money target (万元) as a share of the project budget", low=0.15, high=1.0),
    _d("ind.cost_budget_share", "uniform", "ceiling of a project-cost indicator (项目总成本 ≤, 万元) as a share of "
       "the project's own full-year budget; its actual is the amount executed", low=0.95, high=1.0),
    _d("ind.rate_target", "lognormal", "target of a per-unit cost or standard (元/人, 万元/公里 ...)",
       median=1.0, sigma=0.5, low=0.2, high=5.0),
    _d("ind.duration_target", "choice", "target of a duration indicator (天)", values=(7, 15, 20, 30, 60, 90),
       p=(0.10, 0.20, 0.15, 0.30, 0.15, 0.10)),
    _d("ind.unit_in_text", "bernoulli", "a count target carries its unit in the text (≥1200人次)", p=0.5),
    _d("ind.wan_actual", "bernoulli", "an actual >= 10000 is written with 万 (1.26万人次)", p=0.4),
    _d("ind.text_variant", "uniform", "choice among the wordings of a qualitative target, actual or note",
       low=0.0, high=1.0),
    *_per_class("ind.miss", "bernoulli", "a quantitative indicator truly misses its target", {
        "excellent": {"p": 0.20}, "good": {"p": 0.45}, "fair": {"p": 0.70}, "weak": {"p": 0.85},
        "troubled": {"p": 0.95}}),
    *_per_class("ind.miss_ratio", "uniform", "true achievement ratio of a missed indicator", {
        "excellent": {"low": 0.60, "high": 0.97}, "good": {"low": 0.45, "high": 0.95},
        "fair": {"low": 0.30, "high": 0.92}, "weak": {"low": 0.20, "high": 0.85},
        "troubled": {"low": 0.05, "high": 0.50}}),
    _d("ind.pct_miss_depth", "uniform", "a missed percentage falls short by this share of the ratio's shortfall "
       "or standard (rates miss by less than counts: ratio = 1 - depth x (1 - miss_ratio))", low=0.25, high=0.55),
    _d("ind.satisfaction_miss_depth", "uniform", "like ind.pct_miss_depth for satisfaction rates (surveys rarely "
       "fall far below their target)", low=0.15, high=0.35),
    _d("ind.exact", "bernoulli", "a met count indicator lands exactly on its target", p=0.35),
    _d("ind.over", "bernoulli", "a met count indicator far exceeds its target (>= 130 %)", p=0.08),
    _d("ind.over_ratio", "uniform", "achievement ratio of a far-exceeded indicator", low=1.30, high=2.20),
    _d("ind.met_ratio", "beta", "achievement ratio of an ordinarily met count indicator",
       a=1.0, b=6.0, loc=1.0, scale=0.25),
    _d("ind.percent_slack", "uniform", "how far a met percentage lies between target and 100 %", low=0.0, high=1.0),
    _d("ind.cost_saving", "uniform", "actual cost / target of a met cost indicator", low=0.82, high=1.0),
    *_per_class("ind.qual_level", "choice", "true level of a qualitative indicator", {
        "excellent": {"values": ("met", "partly", "not_met"), "p": (0.95, 0.05, 0.0)},
        "good": {"values": ("met", "partly", "not_met"), "p": (0.75, 0.25, 0.0)},
        "fair": {"values": ("met", "partly", "not_met"), "p": (0.50, 0.40, 0.10)},
        "weak": {"values": ("met", "partly", "not_met"), "p": (0.30, 0.45, 0.25)},
        "troubled": {"values": ("met", "partly", "not_met"), "p": (0.05, 0.35, 0.60)}}),
    _d("ind.qual_position", "uniform", "position of a qualitative score inside its level's band", low=0.0,
       high=1.0),
    _d("ind.zero_events", "choice", "events counted by a missed `=0` indicator (accidents, complaints)",
       values=(1, 2, 3), p=(0.6, 0.3, 0.1)),
    # -- self-evaluation inflation -------------------------------------------------------------------------------
    *_per_class("self.inflate", "bernoulli", "a missed indicator is reported better than it is", {
        "excellent": {"p": 0.70}, "good": {"p": 0.70}, "fair": {"p": 0.60}, "weak": {"p": 0.50},
        "troubled": {"p": 0.10}}),
    _d("self.inflate_share", "beta", "share of the gap to the target the report hides", a=2.0, b=2.0),
    _d("self.restate", "bernoulli", "an inflated indicator is reported exactly at its target", p=0.30),
    _d("self.qual_upgrade", "bernoulli", "a qualitative level is reported one level better", p=0.55),
    _d("self.qual_position", "beta", "position of the claimed qualitative score in its band (top-heavy)",
       a=4.0, b=1.2),
    # -- re-check (再评价) ---------------------------------------------------------------------------------------
    _d("recheck.noise", "normal", "relative measurement noise of a re-checked actual", mean=0.0, sd=0.015),
    # -- expert panel (key evaluations) --------------------------------------------------------------------------
    *_per_class("panel.truth", "beta", "true achievement of a key evaluation's leaf", {
        "excellent": {"a": 18, "b": 2}, "good": {"a": 12, "b": 3}, "fair": {"a": 7, "b": 3},
        "weak": {"a": 4, "b": 3}, "troubled": {"a": 2, "b": 3}}),
    _d("panel.bias", "normal", "an ordinary expert's personal bias (achievement points)", mean=0.0, sd=0.025),
    _d("panel.noise", "normal", "an ordinary expert's noise per rating", mean=0.0, sd=0.05),
    _d("panel.erratic_noise", "normal", "the erratic expert's noise per rating", mean=0.0, sd=0.22),
    _d("panel.severe_bias", "normal", "the severe expert's bias (achievement points)", mean=-0.16, sd=0.02),
    _d("panel.lenient_bias", "normal", "the lenient expert's bias (achievement points)", mean=0.13, sd=0.02),
    _d("panel.pick", "uniform", "random key choosing the key-evaluation projects among the large ones",
       low=0.0, high=1.0),
    _d("recheck.pick", "uniform", "random start of the systematic sample within a department", low=0.0, high=1.0),
    # -- ex-ante assessment ---------------------------------------------------------------------------------------
    _d("exante.conclusion", "choice", "intended conclusion of a proposal beyond the near-edge ones",
       values=("support", "adjust", "reject"), p=(0.45, 0.40, 0.15)),
    _d("exante.department", "choice", "department proposing a new project (equal shares)",
       values=tuple(d.code for d in DEPARTMENTS), p=(1 / len(DEPARTMENTS),) * len(DEPARTMENTS)),
    _d("exante.position", "uniform", "position of the total (in 0.5 steps) inside its conclusion's interval: "
       "support [90, 98], adjust [70, 89.5], reject [52, 69.5] (cut-offs from the exante framework's bands)",
       low=0.0, high=1.0),
    _d("exante.deficit_split", "dirichlet", "split of the points lost over the ten leaves",
       alpha=(1.0,) * 10, concentration=1.5),
    # -- monitoring -----------------------------------------------------------------------------------------------
    _d("monitor.spend_shape", "uniform", "exponent g of the spending curve (m / 12) ** g", low=0.85, high=1.9),
    _d("monitor.progress_shape", "uniform", "exponent of an indicator's progress curve", low=0.55, high=1.6),
    _d("monitor.event_month", "integers", "month in which the events of a missed `=0` line happen", low=1,
       high=12),
    _d("monitor.done_month", "integers", "month from which a qualitative line shows its final level (部分达成 "
       "before)", low=4, high=10),
    _d("monitor.forecast_noise", "bernoulli", "the unit's forecast contradicts the true outcome", p=0.1),
    _d("monitor.no_note", "bernoulli", "a lagging line carries no deviation reason or corrective action (偏差原因)",
       p=0.35),
    _d("monitor.rate_start", "uniform", "a monitored rate's value in month 1 as a share of its year-end value "
       "(rates are measured, not accumulated: they settle toward the year-end value)", low=0.9, high=1.02),
    # -- AHP survey -----------------------------------------------------------------------------------------------
    _d("ahp.inconsistent_flip", "choice", "judgement the inconsistent expert reverses (index of the pair, by "
       "strength) and the factor applied", values=(5, 7, 9), p=(0.3, 0.4, 0.3)),
    _d("ahp.consensus", "dirichlet", "the panel's consensus weights of the key framework's first level",
       alpha=(1.0,), concentration=40.0),  # alpha = the framework's points, set at draw time
    _d("ahp.expert", "dirichlet", "an expert's own weights around the consensus", alpha=(1.0,),
       concentration=60.0),
    # -- department and transfer evaluations ----------------------------------------------------------------------
    *_per_class("overall.truth", "beta", "achievement of a department's or city's leaf", {
        "excellent": {"a": 20, "b": 1.5}, "good": {"a": 12, "b": 2}, "fair": {"a": 7, "b": 2.5},
        "weak": {"a": 4, "b": 2.5}, "troubled": {"a": 2, "b": 2.5}}),
    *_per_class("overall.findings", "choice", "problems found in a deduction-scored leaf (资金使用合规性 ...)", {
        "excellent": {"values": (0, 1), "p": (0.9, 0.1)}, "good": {"values": (0, 1, 2), "p": (0.6, 0.3, 0.1)},
        "fair": {"values": (0, 1, 2, 3), "p": (0.3, 0.4, 0.2, 0.1)},
        "weak": {"values": (1, 2, 3, 4), "p": (0.3, 0.3, 0.2, 0.2)},
        "troubled": {"values": (2, 3, 4, 5), "p": (0.25, 0.25, 0.25, 0.25)}}),
    _d("overall.department_budget", "uniform", "department budget / the sum of its project budgets (basic "
       "expenditure on top)", low=2.5, high=5.0),
    _d("overall.transfer_budget", "lognormal", "a city's allocation of the evaluated transfer fund (万元)",
       median=6000.0, sigma=0.6, low=800.0, high=60000.0),
    _d("overall.class", "choice", "performance class of a department or city",
       values=("excellent", "good", "fair", "weak"), p=(0.35, 0.40, 0.20, 0.05)),
]

#: Typical count per 100 万元 of budget by measure unit (the scale of a count target; ``ind.count_target``
#: multiplies it). Units not listed use 1.
UNIT_SCALE: Mapping[str, float] = MappingProxyType({
    "人次": 60.0, "人": 20.0, "户": 12.0, "名": 15.0, "个": 1.5, "项": 1.0, "所": 0.3, "家": 0.8, "公里": 0.3,
    "千米": 0.3, "亩": 300.0, "万亩": 0.03, "次": 2.0, "场": 1.5, "件": 5.0, "处": 0.6, "座": 0.2, "台": 2.0,
    "套": 2.0, "册": 200.0, "吨": 20.0, "平方米": 300.0, "万平方米": 0.03, "篇": 2.0, "张": 30.0, "床": 2.0,
    "村": 0.5, "条": 0.5, "批": 0.3, "期": 0.5, "户数": 12.0, "万人次": 0.5, "万人": 0.2, "万吨": 0.05,
    "km": 0.3, "平方公里": 0.5})

#: Typical value of a per-unit cost or standard (units with a ``/``) by the unit before the ``/`` (元/人 -> 元),
#: or of a whole unit (倍). Units not listed use 100.
RATE_SCALE: Mapping[str, float] = MappingProxyType({"元": 800.0, "万元": 40.0, "人": 2.0, "倍": 1.5, "微克": 35.0,
                                                    "1/10万": 12.0})

#: The generator's distributions by name.
DISTRIBUTIONS: Mapping[str, Distribution] = MappingProxyType(dict(_ENTRIES))


def draw(rng: np.random.Generator, name: str, size: int | tuple[int, ...], **override: Any) -> np.ndarray:
    """Draw ``size`` values from the named distribution (``override`` replaces parameters, e.g. ``alpha``)."""
    if name not in DISTRIBUTIONS:
        raise KeyError(f"`name` must be a distribution of DISTRIBUTIONS; got {name!r}.")
    dist = DISTRIBUTIONS[name]
    if override:
        dist = Distribution(dist.name, dist.family, MappingProxyType({**dist.params, **override}), dist.used_for)
    return dist.draw(rng, size)


def draw_by_class(rng: np.random.Generator, prefix: str, classes: np.ndarray) -> np.ndarray:
    """One draw per element of ``classes`` from ``<prefix>.<class>`` (vectorised: one call per class)."""
    classes = np.asarray(classes, dtype=object)
    out: np.ndarray | None = None
    for c in CLASSES:
        mask = classes == c
        values = draw(rng, f"{prefix}.{c}", int(mask.sum()))
        if out is None:
            out = np.empty(classes.shape, dtype=values.dtype)
        out[mask] = values
    return out if out is not None else np.empty(0)


def fixed_counts(n: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Counts that sum to ``n`` in the given shares (largest remainder, ties in the order of ``shares``)."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * n
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - int(counts.sum())]] += 1
    return dict(zip(keys, counts.tolist()))


def distribution_table() -> pd.DataFrame:
    """The generative model as a table: ``name, family, distribution, used_for`` (one row per entry)."""
    return pd.DataFrame([{"name": d.name, "family": d.family, "distribution": d.describe(),
                          "used_for": d.used_for} for d in DISTRIBUTIONS.values()],
                        columns=["name", "family", "distribution", "used_for"])
