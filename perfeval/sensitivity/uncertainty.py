"""Weight uncertainty: grade probabilities, score and rank intervals under sampled weights."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._html import html_table
from ..errors import InputError
from ._model import Design, Engine, Units, design_for_level, rank_desc
from ._sampling import (check_chunk, check_n, concentrations, draw, parse_constraints, rng_and_description)

__all__ = ["UncertaintyResult", "weight_uncertainty"]

_QUANTILES = (0.05, 0.5, 0.95)
WEIGHT_MODEL = ("each draw multiplies every unit's points at a re-weighted node by the relative change of the "
                "framework's points (new share / nominal share within the parent); units whose own shares differ "
                "from the framework's are renormalised within each parent so they keep their own sums; "
                "achievements are never re-scored")


def check_nominal(engine: Engine) -> None:
    """The nominal grades recomputed from the node scores must be the reported ones (no hidden override).

    Raises
    ------
    InputError
        Naming the units whose reported grade the framework's bands and vetoes do not give.
    """
    codes = engine.nominal().codes[0]
    labels = np.array(list(engine.labels) + [None], dtype=object)
    recomputed = labels[codes]
    reported = engine.units.grade
    differ = np.array([a != b and not (pd.isna(a) and b is None) for a, b in zip(reported, recomputed)])
    if differ.any():
        units = engine.units.ids[differ][:10].tolist()
        raise InputError(f"`result` must carry the grades its totals, bands and vetoes give; units {units} "
                         "have other grades (was the result edited, or a grade overridden by hand?).")


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """How the units' totals, ranks and grades vary when the weights are sampled (:func:`weight_uncertainty`).

    Attributes
    ----------
    grade_probabilities : DataFrame
        Units (index ``unit_id``) x grades (columns in band order, best first, then veto-only grades): the share of
        draws giving each grade. Rows sum to 1 unless some draws fall outside every band.
    score_intervals : DataFrame
        ``unit_id, nominal, mean, median, p05, p95``: the reported total and the distribution of the total over the
        draws (quantiles by linear interpolation, Hyndman-Fan type 7).
    rank_intervals : DataFrame
        ``unit_id, nominal_rank, mean_rank, median_rank, p05, p95, mean_abs_rank_change``: ranks (1 = highest
        total, ties share the smallest rank) and COINr's mean absolute rank change against the nominal rank.
    grade_stability : Series
        Share of draws keeping the reported grade, by ``unit_id``.
    grades : Series
        The reported (nominal) grade, by ``unit_id``.
    weights : DataFrame
        The draws (rows ``draw`` 0..n-1) of the re-weighted nodes' points (columns: node codes of the cut).
    nominal_weights : Series
        The framework's points of the same nodes.
    params : mapping
        ``method, level, hierarchical, spread, concentration`` (per parent, ``"<root>"`` for the first level),
        ``n, chunk, bounds, order, candidates, acceptance_rate``, ``rng`` (seed and its entropy, or a Generator's
        state before drawing: enough to reproduce the draws), ``weight_model``, ``quantiles``, ``band_labels``
        (best first; other grades come from vetoes) and ``grade_labels_en`` (English names, for plots).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> u = pe.sensitivity.weight_uncertainty(res, n=500, rng=1)
    >>> u.most_likely_grade["0030007"], round(float(u.grade_stability["0030007"]), 2)
    ('优', 0.49)
    >>> row = u.to_frame().set_index("unit_id").loc["0030007"]
    >>> round(float(row["total_p05"]), 2), round(float(row["total_p95"]), 2)    # 90 % of the draws' totals
    (87.95, 91.77)
    """

    grade_probabilities: pd.DataFrame
    score_intervals: pd.DataFrame
    rank_intervals: pd.DataFrame
    grade_stability: pd.Series
    grades: pd.Series
    weights: pd.DataFrame
    nominal_weights: pd.Series
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def most_likely_grade(self) -> pd.Series:
        """The grade with the highest probability per unit (the better grade on ties)."""
        probs = self.grade_probabilities
        return pd.Series(probs.columns[probs.to_numpy().argmax(axis=1)], index=probs.index,
                         name="most_likely_grade")

    def to_frame(self) -> pd.DataFrame:
        """One row per unit.

        Columns: ``unit_id, grade, grade_stability, most_likely_grade, most_likely_probability, total,
        total_mean, total_median, total_p05, total_p95, rank, rank_mean, rank_median, rank_p05, rank_p95,
        mean_abs_rank_change``.
        """
        s, r = self.score_intervals, self.rank_intervals
        probs = self.grade_probabilities.to_numpy()
        return pd.DataFrame({
            "unit_id": s["unit_id"].to_numpy(), "grade": self.grades.to_numpy(),
            "grade_stability": self.grade_stability.to_numpy(),
            "most_likely_grade": self.most_likely_grade.to_numpy(), "most_likely_probability": probs.max(axis=1),
            "total": s["nominal"].to_numpy(), "total_mean": s["mean"].to_numpy(),
            "total_median": s["median"].to_numpy(), "total_p05": s["p05"].to_numpy(),
            "total_p95": s["p95"].to_numpy(), "rank": r["nominal_rank"].to_numpy(),
            "rank_mean": r["mean_rank"].to_numpy(), "rank_median": r["median_rank"].to_numpy(),
            "rank_p05": r["p05"].to_numpy(), "rank_p95": r["p95"].to_numpy(),
            "mean_abs_rank_change": r["mean_abs_rank_change"].to_numpy(),
        })

    def _repr_html_(self) -> str:
        p = self.params
        note = (f"{p['method']} weights at level {p['level']}{' (hierarchical)' if p['hierarchical'] else ''}, "
                f"n = {p['n']}; {int((self.grade_stability < 1).sum())} of {len(self.grades)} units change grade "
                "in some draws (least stable first)")
        frame = self.to_frame().sort_values("grade_stability", kind="stable")
        return html_table("Weight uncertainty", frame, note)

    def __repr__(self) -> str:
        p = self.params
        return (f"UncertaintyResult(method={p['method']!r}, level={p['level']}, n={p['n']}, "
                f"units={len(self.grades)}, unstable={int((self.grade_stability < 1).sum())})")


def weight_uncertainty(result: Any, *, level: int = 1, spread: float | None = None,
                       concentration: float | None = None, method: str = "dirichlet",
                       bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
                       order: Any = None, hierarchical: bool = False, n: int = 10_000, rng: Any = None,
                       chunk: int | None = None) -> UncertaintyResult:
    r"""Sample the weights around the framework's points and re-aggregate: grade probabilities and intervals.

    The units' achievements are kept (never re-scored); only the points move, on the simplex: the points of
    the children of every re-weighted parent always sum to the parent's points. Each draw re-aggregates all units
    at once (one matrix product per block of draws).

    Parameters
    ----------
    result : ScoreResult
        Scored units (:func:`perfeval.score`).
    level : int, default 1
        Tree level whose points are sampled (1 = first-level indicators). With ``hierarchical=False`` the
        children of each parent at ``level - 1`` are re-weighted inside their parent (its points kept).
    spread : float, optional
        Coefficient of variation of the largest weight in each sibling group (default 0.1, i.e. +/- 10 %;
        0 gives the nominal weights in every draw). Dirichlet only; exclusive with ``concentration``.
    concentration : float, optional
        Dirichlet concentration :math:`\kappa` of every group (larger = tighter; ``inf`` = nominal).
    method : {"dirichlet", "uniform"}
        ``dirichlet``: shares ~ Dirichlet(:math:`\kappa m`) with mean :math:`m` the nominal shares.
        ``uniform``: shares uniform on each group's simplex, within ``bounds`` (exact, see Notes).
    bounds : mapping, optional
        ``{node_code: (low, high)}`` in points (None for an open end) on re-weighted nodes.
    order : list of (a, b), optional
        Ordinal constraints ``w_a >= w_b`` between re-weighted nodes, e.g. ``[("output", "effect")]``.
    hierarchical : bool, default False
        Sample every level from 1 down to ``level``, each group inside its parent (a node's points are the
        total times the product of its ancestors' shares).
    n : int, default 10000
        Number of weight draws (>= 2).
    rng : None, int, SeedSequence or numpy Generator
        Source of randomness; the same seed gives identical results.
    chunk : int, optional
        Draws evaluated at once (bounds memory: about ``chunk x units x 40`` bytes of temporaries); default
        about 4 million totals per block.

    Returns
    -------
    UncertaintyResult
        ``grade_probabilities`` (unit x grade), ``score_intervals`` (``unit_id, nominal, mean, median, p05,
        p95``), ``rank_intervals`` (``unit_id, nominal_rank, mean_rank, median_rank, p05, p95,
        mean_abs_rank_change``), ``grade_stability``, ``grades``, ``weights`` (the n draws of points),
        ``nominal_weights`` and ``params``; ``to_frame()`` gives one row per unit.

    Raises
    ------
    TypeError
        ``result`` is not a ScoreResult.
    InputError
        Bad ``level``, ``spread`` (negative, or too large for a Dirichlet), ``concentration``, ``method``, ``n``
        (< 2), ``chunk`` or ``rng``; bounds or orders naming unknown or non-re-weighted nodes, or that no weights
        summing to their parents' points can meet; re-weighted nodes without framework points (slots); a result
        whose grades its totals do not give.

    Notes
    -----
    *Weights on a simplex.* In each sibling group with nominal shares :math:`m` (summing to 1) the shares are
    drawn from :math:`\mathrm{Dirichlet}(\kappa m)`, whose mean is :math:`m` and
    :math:`\operatorname{Var}(w_i) = m_i (1 - m_i) / (\kappa + 1)`. ``spread`` :math:`s` fixes the coefficient
    of variation of the largest share :math:`m_{\max}`:

    .. math:: \kappa = \frac{1 - m_{\max}}{m_{\max} s^2} - 1,

    so ``spread=0.1`` lets the largest weight vary by about 10 % of itself (one standard deviation) and
    ``spread=0`` reproduces the nominal result exactly. ``uniform`` draws Dirichlet(1), the uniform law on the
    simplex. Lower bounds of a group whose parent's points are fixed are met exactly by the affine map
    :math:`w = \ell + (P - \sum \ell) z`, :math:`z` uniform on the simplex; chains ``a >= b >= c`` inside an
    unbounded group by sorting the (exchangeable) uniform shares, which samples the uniform law on the ordered
    region exactly. Other bounds and orders are enforced by rejection (exact conditioning); the acceptance rate
    is in ``params``. Never "uniform then normalise", which is not uniform on the simplex (ADRIA.jl #327).

    *Re-aggregation.* A draw gives each re-weighted node a ratio :math:`r = w / w^{0}`; a unit's total becomes
    :math:`T_u = T^0_u + \sum_j s_{uj}(r_j - 1)` for the cut nodes :math:`j` (the deepest re-weighted nodes),
    with :math:`s_{uj}` the unit's score (achievement x points) there. Units that supply their own points
    (self-evaluation slots) or had not-applicable nodes rescaled get their own shares multiplied by :math:`r`
    and renormalised inside each parent, so their totals keep their own points sums (see
    ``params["weight_model"]``). Grades use the framework's half-open bands (a total within 1e-9 below an edge
    counts as reaching it, as in :func:`perfeval.score`) and its vetoes.

    References
    ----------
    .. [1] OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*, ch. 7.
       OECD Publishing. doi:10.1787/9789264043466-en
    .. [2] Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis techniques as
       tools for the quality assessment of composite indicators. *J. R. Stat. Soc. A* 168(2):307-323.
    .. [3] Becker, W. et al. (2022). COINr: An R package for developing composite indicators. *JOSS* 7(78):4567
       (``get_sensitivity``: rank intervals and mean absolute rank change).
    .. [4] Lahdelma, R. and Salminen, P. (2001). SMAA-2: Stochastic multicriteria acceptability analysis for group
       decision making. *Operations Research* 49(3):444-454 (uniform weights on the simplex).

    Examples
    --------
    The sample province's self-evaluations, first-level weights varying by about 10 %:

    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> u = pe.sensitivity.weight_uncertainty(res, spread=0.1, n=1000, rng=1)
    >>> u
    UncertaintyResult(method='dirichlet', level=1, n=1000, units=150, unstable=26)
    >>> u.grade_probabilities.loc["0030007"].round(2).to_dict()     # reported 良, a coin toss with 优
    {'优': 0.48, '良': 0.52, '中': 0.0, '差': 0.0}
    >>> int((u.grade_stability < 0.9).sum())                         # grades less than 90 % sure
    14
    """
    units = Units.from_result(result)
    design = design_for_level(units.framework, level, hierarchical)
    kappa = concentrations(design, method, spread, concentration)
    cons = parse_constraints(design, bounds, order, method)
    n = check_n(n)
    block = check_chunk(chunk, len(units.ids), n)
    gen, rng_info = rng_and_description(rng)
    engine = Engine(units, design)
    check_nominal(engine)
    r_edge, accept = draw(design, method, kappa, cons, n, gen)
    n_units, labels = len(units.ids), engine.labels
    totals = np.empty((n, n_units))
    ranks = np.empty((n, n_units), dtype=np.int32)
    counts = np.zeros((n_units, len(labels)))
    r_cut = np.empty((n, len(design.cut)))
    for start in range(0, n, block):
        stop = min(n, start + block)
        part = engine.evaluate(r_edge[start:stop])
        totals[start:stop], r_cut[start:stop] = part.totals, part.r_cut
        ranks[start:stop] = rank_desc(part.totals)
        for k in range(len(labels)):
            counts[:, k] += np.count_nonzero(part.codes == k, axis=0)
    ids = pd.Index(units.ids, name="unit_id")
    english = {b.label: b.label_en or b.label for b in units.framework.bands.bands}
    probs = pd.DataFrame(counts / n, index=ids, columns=pd.Index(labels, name="grade"))
    nominal_code = np.array([labels.index(g) if g in labels else -1 for g in units.grade])
    stability = np.where(nominal_code >= 0, counts[np.arange(n_units), np.maximum(nominal_code, 0)] / n, np.nan)
    return UncertaintyResult(
        grade_probabilities=probs,
        score_intervals=_intervals(ids, units.total, totals),
        rank_intervals=_rank_intervals(ids, units.total, ranks),
        grade_stability=pd.Series(stability, index=ids, name="grade_stability"),
        grades=pd.Series(units.grade, index=ids, name="grade"),
        weights=pd.DataFrame(r_cut * design.cut_points, columns=pd.Index(design.cut, name="node_code"),
                             index=pd.RangeIndex(n, name="draw")),
        nominal_weights=pd.Series(design.cut_points, index=pd.Index(design.cut, name="node_code"),
                                  name="points"),
        params={**_params(design, method, effective_spread(method, spread, concentration), kappa, cons, n, block,
                          accept, rng_info),
                "band_labels": list(units.framework.bands.labels),
                "grade_labels_en": {label: english.get(label, label) for label in labels}},
    )


def _intervals(ids: pd.Index, nominal: np.ndarray, totals: np.ndarray) -> pd.DataFrame:
    q = np.quantile(totals, _QUANTILES, axis=0)
    return pd.DataFrame({"unit_id": ids.to_numpy(), "nominal": nominal, "mean": totals.mean(axis=0),
                         "median": q[1], "p05": q[0], "p95": q[2]})


def _rank_intervals(ids: pd.Index, nominal: np.ndarray, ranks: np.ndarray) -> pd.DataFrame:
    nominal_rank = rank_desc(nominal)
    q = np.quantile(ranks, _QUANTILES, axis=0)
    return pd.DataFrame({"unit_id": ids.to_numpy(), "nominal_rank": nominal_rank, "mean_rank": ranks.mean(axis=0),
                         "median_rank": q[1], "p05": q[0], "p95": q[2],
                         "mean_abs_rank_change": np.abs(ranks - nominal_rank).mean(axis=0)})


def effective_spread(method: str, spread: Any, concentration: Any) -> float | None:
    """The spread that set the concentrations (0.1 when neither was given), None otherwise."""
    if method != "dirichlet" or concentration is not None:
        return None
    return 0.1 if spread is None else float(spread)


def group_names(design: Design) -> list[str]:
    """``"<root>"`` for the first-level group, else the parent's code."""
    return ["<root>" if g.parent is None else g.parent for g in design.groups]


def _params(design: Design, method: str, spread: Any, kappa: np.ndarray, cons: Any, n: int, block: int,
            accept: Mapping[str, Any], rng_info: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "method": method, "level": design.level, "hierarchical": design.hierarchical,
        "spread": spread,
        "concentration": dict(zip(group_names(design), map(float, kappa))) if method == "dirichlet" else None,
        "n": n, "chunk": block, **cons.describe(design), **accept, **rng_info,
        "weight_model": WEIGHT_MODEL, "quantiles": "linear interpolation (Hyndman-Fan type 7)",
    }

