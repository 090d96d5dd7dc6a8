"""One-at-a-time sweeps and comparisons of alternative weightings."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .._html import html_table
from ..errors import InputError
from ..framework import Framework
from ..weighting._common import points_or_shares
from ._model import Engine, Units, design_for_parents, rank_desc
from .uncertainty import check_nominal

__all__ = ["oat", "compare_weightings", "ComparisonResult"]


def _labels(engine: Engine, codes: np.ndarray) -> np.ndarray:
    return np.array(list(engine.labels) + [None], dtype=object)[codes]


def oat(result: Any, node: str, values: Any) -> pd.DataFrame:
    r"""One-at-a-time sweep: set one node's points to each of ``values``, its siblings rescaled proportionally.

    Parameters
    ----------
    result : ScoreResult
        Scored units (:func:`perfeval.score`).
    node : str
        Code of a node with siblings (any level); its parent's points are kept.
    values : array-like
        New points of ``node`` (points, not shares), each in ``[0, P]`` with ``P`` the points its parent shares
        among its children; the siblings take ``P - value`` between them, so every swept weight set sums to
        ``P``. A value above ``P`` cannot sum to the parent's points and is an error, never clipped or rescaled
        (for shares, pass ``share * P``).

    Returns
    -------
    DataFrame
        One row per (value, unit): ``value`` (points of ``node``), ``share`` (``value / P``), ``unit_id``,
        ``total``, ``grade``, ``rank`` (1 = highest), ``total_change``, ``rank_change`` (against the reported
        totals and ranks; negative = better rank) and ``grade_changed``.

    Raises
    ------
    TypeError
        ``result`` is not a ScoreResult.
    InputError
        Unknown ``node`` (known codes listed), a node without siblings or without framework points, values that
        are not numbers in ``[0, P]``.

    Notes
    -----
    With nominal points :math:`w^0` and parent points :math:`P`, setting :math:`w_{node} = v` gives the
    siblings :math:`w_k = w^0_k (P - v) / (P - w^0_{node})`, the usual proportional rescaling (pyrepo-mcda's
    ``Sensitivity_analysis_weights_values``, but never negative). Units re-aggregate their scored achievements
    as in :func:`weight_uncertainty`.

    Examples
    --------
    Give 效益指标 (``effect``, 30 points) 20, 30 or 40 points, the other first-level nodes rescaled:

    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> sweep = pe.sensitivity.oat(res, "effect", [20, 30, 40])
    >>> sweep.groupby("value")["grade_changed"].sum().to_dict()      # grades changed, of 150
    {20.0: 6, 30.0: 0, 40.0: 6}
    """
    units = Units.from_result(result)
    fw = units.framework
    parent = fw.parent_of(node)  # FrameworkError (an InputError) for unknown codes
    siblings = fw.children_of(parent)
    if len(siblings) < 2:
        raise InputError(f"`node` must have siblings to take points from; {node!r} is the only child of "
                         f"{parent or 'the root'!r}.")
    design = design_for_parents(fw, [parent])
    pos = design.edge_codes.index(node)
    total, p0 = float(design.edge_points.sum()), float(design.edge_points[pos])
    try:
        vals = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(f"`values` must be numbers (points of {node!r}); got {values!r}.") from None
    if not len(vals) or np.any(~np.isfinite(vals)) or np.any(vals < 0) or np.any(vals > total):
        raise InputError(f"`values` must be points of {node!r} in [0, {total:g}] (what its parent shares); "
                         f"got {vals.tolist()}.")
    ratios = np.tile((total - vals)[:, None] / (total - p0), (1, design.n_edges))
    ratios[:, pos] = vals / p0
    engine = Engine(units, design)
    check_nominal(engine)
    part = engine.evaluate(ratios)
    ranks = rank_desc(part.totals)
    n_units, k = len(units.ids), len(vals)
    nominal_rank = rank_desc(units.total)
    grades = _labels(engine, part.codes)
    return pd.DataFrame({
        "value": np.repeat(vals, n_units), "share": np.repeat(vals / total, n_units),
        "unit_id": np.tile(units.ids, k), "total": part.totals.ravel(), "grade": grades.ravel(),
        "rank": ranks.ravel(), "total_change": (part.totals - units.total).ravel(),
        "rank_change": (ranks - nominal_rank).ravel(),
        "grade_changed": (grades != units.grade[None, :]).ravel(),
    })


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """Totals, grades and ranks under alternative weightings, against the nominal (:func:`compare_weightings`).

    Attributes
    ----------
    summary : DataFrame
        One row per weighting: ``weighting, kendall_tau, kendall_pvalue, n_grade_changes, share_grade_changed,
        n_upgraded, n_downgraded, mean_abs_rank_change, max_abs_rank_change, mean_abs_total_change``.
    units : DataFrame
        One row per (weighting, unit): ``weighting, unit_id, total, grade, rank, nominal_total, nominal_grade,
        nominal_rank, total_change, rank_change`` (negative = better), ``grade_steps`` (bands gained: +1 = one
        grade better; NaN when a veto-only grade is involved) and ``grade_changed``.
    weights : DataFrame
        The points each weighting gives the re-weighted nodes (the deepest whose points changed):
        ``weighting, node_code, points, nominal_points``.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> equal = {"execution": 25, "output": 25, "effect": 25, "satisfaction": 25}
    >>> c = pe.sensitivity.compare_weightings(res, {"equal": equal})
    >>> c
    ComparisonResult(weightings=['equal'], units=150, grade_changes=13)
    >>> c.weights[["node_code", "points", "nominal_points"]].values.tolist()
    [['execution', 25.0, 10.0], ['output', 25.0, 50.0], ['effect', 25.0, 30.0], ['satisfaction', 25.0, 10.0]]
    """

    summary: pd.DataFrame
    units: pd.DataFrame
    weights: pd.DataFrame
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def to_frame(self) -> pd.DataFrame:
        """The summary (one row per weighting)."""
        return self.summary

    def _repr_html_(self) -> str:
        changes = ", ".join(f"{w}: {n}" for w, n in zip(self.summary["weighting"], self.summary["n_grade_changes"]))
        note = f"{self.units['unit_id'].nunique()} units; grade changes {changes}"
        return html_table("Alternative weightings", self.summary, note, source=".summary")

    def __repr__(self) -> str:
        names = self.summary["weighting"].tolist()
        shown = names[:6] + ([f"... +{len(names) - 6} more"] if len(names) > 6 else [])
        return (f"ComparisonResult(weightings={shown}, units={self.units['unit_id'].nunique()}, "
                f"grade_changes={int(self.summary['n_grade_changes'].sum())})")


def compare_weightings(result: Any, weightings: Mapping[str, Any]) -> ComparisonResult:
    r"""Re-aggregate under alternative weight sets and compare totals, grades and ranks with the nominal ones.

    Parameters
    ----------
    result : ScoreResult
        Scored units (:func:`perfeval.score`).
    weightings : mapping
        ``{name: weights}``; each ``weights`` is a Framework with the same nodes (e.g. from
        :func:`perfeval.weighting.apply_weights`: every sibling group whose points changed is re-weighted), a
        Series or mapping by node code, or a weighting result with ``.weights`` (e.g. from
        :func:`perfeval.weighting.ahp`). Every sibling of a named node must be named, and each sibling group
        must be either **points** summing to the points its parent shares (the framework total for the first
        level; a parent re-weighted in the same mapping shares its new points) or **shares** summing to 1,
        within the framework's points ``tolerance`` (shares: that tolerance over the parent's points). Any other
        sum (e.g. 120 points for a 100-point level) is an error, never silently rescaled: turn relative weights
        into points with :func:`perfeval.weighting.to_points` first. A Framework's groups must sum to their
        parents' points in it, and its first level to the result's framework total.

    Returns
    -------
    ComparisonResult
        ``summary`` (one row per weighting, with Kendall's tau-b of the totals against the nominal ones and
        grade changes), ``units`` (one row per weighting and unit), ``weights``.

    Raises
    ------
    TypeError
        ``result`` is not a ScoreResult.
    InputError
        An empty mapping; weights naming unknown nodes, missing siblings, or with negative, non-finite or
        all-zero values in a group; a group that sums neither to its parent's points nor to 1 (the message
        names the weighting, the parent, the sum and the expected points); a Framework with other nodes or
        whose points do not add up.

    Notes
    -----
    Kendall's tau-b (:func:`scipy.stats.kendalltau`, ties corrected) between the nominal and the new totals;
    ``grade_steps`` is the nominal band position minus the new one. Re-aggregation as in
    :func:`weight_uncertainty` (achievements kept; units with their own points keep their own sums).

    References
    ----------
    .. [1] Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika* 33(3):239-251.
    .. [2] Becker, W. et al. (2022). COINr. *JOSS* 7(78):4567 (``compare_coins``: rank shifts between variants).

    Examples
    --------
    Equal first-level weights instead of the standard 10 / 50 / 30 / 10 points:

    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> equal = {"execution": 25, "output": 25, "effect": 25, "satisfaction": 25}
    >>> c = pe.sensitivity.compare_weightings(res, {"equal": equal})
    >>> c.summary[["weighting", "n_grade_changes", "n_upgraded", "n_downgraded"]].values.tolist()
    [['equal', 13, 5, 8]]
    >>> round(float(c.summary.loc[0, "kendall_tau"]), 3)            # rank agreement with the nominal totals
    0.826

    Shares work too; points that do not add up to the 100 points are refused:

    >>> c2 = pe.sensitivity.compare_weightings(res, {"shares": {"execution": 0.25, "output": 0.25,
    ...                                                         "effect": 0.25, "satisfaction": 0.25}})
    >>> bool((c2.units["total"] == c.units["total"]).all())
    True
    >>> pe.sensitivity.compare_weightings(res, {"alt": {"execution": 20, "output": 50, "effect": 40,
    ...                                                 "satisfaction": 10}})
    Traceback (most recent call last):
    ...
    perfeval.errors.InputError: `weightings['alt']` for the children of 'the root' sum to 120: they must be points
    summing to the 100 points of 'the root' (tolerance 0.01) or shares summing to 1; ...
    """
    if not isinstance(weightings, Mapping) or not weightings:
        raise InputError("`weightings` must be a non-empty mapping {name: weights}; got "
                         f"{weightings!r}.")
    units = Units.from_result(result)
    fw = units.framework
    nominal_rank = rank_desc(units.total)
    rows: list[pd.DataFrame] = []
    summary: list[dict[str, Any]] = []
    weights: list[pd.DataFrame] = []
    for name, spec in weightings.items():
        shares = _shares(fw, spec, str(name))
        changed = [p for p, s in shares.items()
                   if not np.allclose(s, _nominal_shares(fw, p), rtol=0, atol=1e-12)]
        if not changed and not shares:
            raise InputError(f"`weightings[{name!r}]` re-weights no node that carries framework points.")
        changed = changed or list(shares)[:1]
        design = design_for_parents(fw, changed)
        ratio = np.concatenate([shares[p] for p in changed]) / design.edge_share
        engine = Engine(units, design)
        check_nominal(engine)
        part = engine.evaluate(ratio[None, :])
        total, code = part.totals[0], part.codes[0]
        rank = rank_desc(total)
        nominal_code = engine.nominal().codes[0]
        n_bands = len(fw.bands.bands)
        steps = np.where((code >= 0) & (code < n_bands) & (nominal_code >= 0) & (nominal_code < n_bands),
                         nominal_code - code, np.nan)
        grade = _labels(engine, code)
        changed_grade = grade != units.grade
        rows.append(pd.DataFrame({
            "weighting": str(name), "unit_id": units.ids, "total": total, "grade": grade, "rank": rank,
            "nominal_total": units.total, "nominal_grade": units.grade, "nominal_rank": nominal_rank,
            "total_change": total - units.total, "rank_change": rank - nominal_rank, "grade_steps": steps,
            "grade_changed": changed_grade}))
        tau = stats.kendalltau(units.total, total) if len(total) > 1 else None
        summary.append({
            "weighting": str(name), "kendall_tau": np.nan if tau is None else float(tau.statistic),
            "kendall_pvalue": np.nan if tau is None else float(tau.pvalue),
            "n_grade_changes": int(changed_grade.sum()), "share_grade_changed": float(changed_grade.mean()),
            "n_upgraded": int(np.sum(steps > 0)), "n_downgraded": int(np.sum(steps < 0)),
            "mean_abs_rank_change": float(np.abs(rank - nominal_rank).mean()),
            "max_abs_rank_change": int(np.abs(rank - nominal_rank).max()),
            "mean_abs_total_change": float(np.abs(total - units.total).mean())})
        cut_points = design.cut_points * design.edge_ratios_to_nodes(ratio[None, :], design.cut_path)[0]
        weights.append(pd.DataFrame({"weighting": str(name), "node_code": list(design.cut), "points": cut_points,
                                     "nominal_points": design.cut_points}))
    return ComparisonResult(pd.DataFrame(summary), pd.concat(rows, ignore_index=True),
                            pd.concat(weights, ignore_index=True), {"weightings": list(map(str, weightings))})


def _nominal_shares(fw: Framework, parent: str | None) -> np.ndarray:
    pts = np.array([np.nan if c.points is None else c.points for c in fw.children_of(parent)], dtype=float)
    return pts / pts.sum()


def _shares(fw: Framework, spec: Any, name: str) -> dict[str | None, np.ndarray]:
    """Parent -> new shares of its children (in framework order), each group checked as points or shares."""
    if isinstance(spec, Framework):
        return _framework_shares(fw, spec, name)
    if hasattr(spec, "weights") and isinstance(getattr(spec, "weights"), pd.Series):
        spec = spec.weights
    if isinstance(spec, pd.Series):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping) or not spec:
        raise InputError(f"`weightings[{name!r}]` must be a Framework, a Series or mapping by node code, or a "
                         f"weighting result; got {type(spec).__name__}.")
    parent_of = {n.code: p for n, _, p in fw.walk()}
    unknown = [c for c in spec if c not in parent_of]
    if unknown:
        raise InputError(f"`weightings[{name!r}]` names unknown node(s) {unknown}; known: {', '.join(parent_of)}.")
    named = {parent_of[c] for c in spec}
    nominal = fw.points()
    new_points: dict[str, float] = {}  # points of the nodes this weighting sets, parents before children
    out: dict[str | None, np.ndarray] = {}
    for parent in [p for p in [None, *parent_of] if p in named]:  # pre-order
        kids = [k.code for k in fw.children_of(parent)]
        missing = [k for k in kids if k not in spec]
        if missing:
            raise InputError(f"`weightings[{name!r}]` must give every child of {parent or 'the root'!r}; "
                             f"missing {missing}.")
        vals = []
        for k in kids:
            v = spec[k]
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
                raise InputError(f"`weightings[{name!r}][{k!r}]` must be a finite non-negative number; got {v!r}.")
            vals.append(float(v))
        arr = np.array(vals)
        if not arr.sum() > 0:
            raise InputError(f"`weightings[{name!r}]` gives the children of {parent or 'the root'!r} a zero sum.")
        expected = fw.total if parent is None else new_points.get(parent, nominal[parent])
        out[parent] = points_or_shares(arr, expected, fw.tolerance, f"`weightings[{name!r}]`",
                                       parent or "the root")
        new_points.update(zip(kids, expected * out[parent]))
    return out


def _framework_shares(fw: Framework, other: Framework, name: str) -> dict[str | None, np.ndarray]:
    mine = [n.code for n in fw.all_nodes()]
    theirs = [n.code for n in other.all_nodes()]
    if mine != theirs:
        diff = sorted(set(mine) ^ set(theirs))
        raise InputError(f"`weightings[{name!r}]` must be a Framework with the same nodes as the result's "
                         f"({fw.name!r}); nodes differ: {diff or 'their order'}.")
    out: dict[str | None, np.ndarray] = {}
    for parent in [None, *(n.code for n in fw.all_nodes() if len(n.children) >= 2)]:
        new = [c.points for c in other.children_of(parent)]
        if any(p is None for p in new) or any(c.points is None for c in fw.children_of(parent)):
            continue  # slots: points come from the units
        arr = np.array(new, dtype=float)
        if np.any(~np.isfinite(arr)) or np.any(arr < 0) or not arr.sum() > 0:
            raise InputError(f"`weightings[{name!r}]` gives the children of {parent or 'the root'!r} invalid "
                             f"points {arr.tolist()}.")
        expected = float(fw.total if parent is None else other.find(parent).points)
        owner = parent or "the root"
        tol = max(fw.tolerance, 1e-9 * max(1.0, expected))
        if abs(arr.sum() - expected) > tol:
            raise InputError(f"`weightings[{name!r}]` (a Framework) gives the children of {owner!r} points "
                             f"summing to {arr.sum():.10g}, not the {expected:.10g} points of {owner!r} "
                             f"(tolerance {tol:g}).")
        out[parent] = arr / arr.sum()
    return out
