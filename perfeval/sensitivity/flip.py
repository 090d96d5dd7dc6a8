"""Flip margins: the smallest change of the first-level weights that moves a unit to another grade."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import InputError
from ..grades import edge_tolerance
from ._model import Engine, Units, band_codes, design_for_level
from ._sampling import parse_constraints

__all__ = ["flip_margin", "FLIP_METHODS"]

FLIP_METHODS = ("closed_form", "linprog")


def flip_margin(result: Any, unit_id: Any = None, *,
                bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
                method: str = "closed_form") -> pd.DataFrame:
    r"""The smallest change of the first-level points that moves each unit up or down one grade.

    For every unit and direction, the weights :math:`w` closest to the framework's points :math:`w^0` in L1
    distance (total points preserved, within ``bounds``) at which the unit's total reaches the next band edge.
    Exact: the re-aggregated total is linear in the weights, so this is a small linear programme, solved in
    closed form (or by :func:`scipy.optimize.linprog` with ``method="linprog"``; both give the same margin).

    Parameters
    ----------
    result : ScoreResult
        Scored units (:func:`perfeval.score`).
    unit_id : str or list of str, optional
        Units to analyse (default all, in ``result.totals`` order).
    bounds : mapping, optional
        ``{node_code: (low, high)}`` in points for first-level nodes (None for an open end); default every
        weight in ``[0, total]``.
    method : {"closed_form", "linprog"}
        The greedy transfer below, or HiGHS through :func:`scipy.optimize.linprog`.

    Returns
    -------
    DataFrame
        One row per unit and possible direction (no ``up`` row for the top band, no ``down`` row for the
        bottom band): ``unit_id, grade`` (reported), ``banded_grade`` (from the total alone), ``vetoed`` (the
        reported grade comes from a veto, which re-weighting the banded total may not lift), ``direction``
        (``up``/``down``), ``next_grade``, ``total``, ``edge`` (the band edge to cross), ``gap_to_next_grade``
        (``|edge - total|``, points of the total), ``margin`` (the smallest L1 change of the first-level points,
        in points; ``inf`` when no weights within the bounds move the unit), ``points_moved`` (``margin / 2``:
        points taken from some nodes and given to others), ``feasible``, then ``weight_<code>`` for every
        first-level node: the points that do it (NaN when not feasible), then ``gap_<code>`` for every
        first-level node: the score the unit would have to gain (``up``) or lose (``down``) on that node alone,
        at the nominal weights, to reach the next grade, in points of the total. It equals
        ``gap_to_next_grade`` when that node can supply it (``up``: the gap is at most the node's headroom
        ``points_j (1 - achievement_j)``, the points the unit has not earned there; ``down``: at most its score
        ``points_j achievement_j``) and is ``inf`` when it cannot (including nodes the unit has no points on,
        e.g. not applicable). Moving down, the margin and the gaps are infima: any larger change in the same
        direction lands strictly below the edge.

    Raises
    ------
    TypeError
        ``result`` is not a ScoreResult.
    InputError
        Unknown ``unit_id`` or ``method``; bounds naming unknown or non-first-level nodes, or that cannot sum to
        the total; first-level nodes without points.

    Notes
    -----
    With first-level points :math:`w = w^0 + d`, :math:`\sum_j d_j = 0`, a unit whose first-level shares are the
    framework's has total :math:`T(w) = T^0 + c \cdot d`, :math:`c_j = s_j / w^0_j` (its achievement at node
    :math:`j`). A unit with its own first-level points (shares :math:`m_j`) keeps its own points sum, so
    :math:`T(w) = K + \frac{\sum_j s_j w_j / w^0_j}{\sum_j m_j w_j / w^0_j}` and :math:`T(w) \ge h` is again
    linear: :math:`g \cdot d \ge h - T^0` with :math:`g_j = (s_j - (h - K) m_j) / w^0_j`. The programme

    .. math:: \min \|d\|_1 \quad \text{s.t.} \quad g \cdot d \ge G, \; \sum_j d_j = 0, \;
              \ell_j - w^0_j \le d_j \le u_j - w^0_j

    moves :math:`t` points from low-coefficient to high-coefficient nodes at cost :math:`2t`; the best gain for
    a given :math:`t` pours it into the highest coefficients and takes it from the lowest (two fractional
    knapsacks), so the greedy transfer in decreasing order of :math:`g_a - g_b` is optimal. Without bounds the
    margin is :math:`2 G / (g_{\max} - g_{\min})`: the gap divided by the spread of the unit's achievements.
    Band edges are those of :func:`perfeval.score` (a total within 1e-9 below an edge reaches it).

    The per-node gaps hold the weights fixed instead: the total is the sum of the first-level scores
    :math:`s_j = p_j a_j` (the unit's points and achievement), so reaching the edge through node :math:`j` alone
    needs a score change of :math:`G = |h - T^0|` there, possible when :math:`G \le p_j (1 - a_j)` upwards and
    :math:`G \le s_j` downwards (within :math:`10^{-9}` times the framework total); ``gap_<code>`` is
    :math:`G` then and :math:`\infty` otherwise. The achievement that has to change is
    ``gap_<code> / p_j``.

    References
    ----------
    .. [1] Wolters, W. T. M. and Mareschal, B. (1995). Novel types of sensitivity analysis for additive MCDM
       methods. *European Journal of Operational Research* 81(2):281-290 (minimum weight change that alters a
       ranking).
    .. [2] Triantaphyllou, E. and Sanchez, A. (1997). A sensitivity analysis approach for some deterministic
       multi-criteria decision-making methods. *Decision Sciences* 28(1):151-194.

    Examples
    --------
    >>> import pandas as pd, perfeval as pe
    >>> obs = pd.DataFrame({"unit_id": "A", "node_code": ["purpose", "planning", "management", "results"],
    ...                     "score": [20, 10, 20, 30]})
    >>> res = pe.score("us_part", obs)
    >>> m = pe.sensitivity.flip_margin(res)
    >>> m[["direction", "next_grade", "gap_to_next_grade", "margin"]].round(6).values.tolist()
    [['up', 'Effective', 5.0, 25.0], ['down', 'Adequate', 10.0, 50.0]]

    Only ``results`` (30 of its 50 points earned) has room to gain the 5 points up; any node can lose 10 points:

    >>> m[["gap_purpose", "gap_planning", "gap_management", "gap_results"]].values.tolist()
    [[inf, inf, inf, 5.0], [10.0, 10.0, 10.0, 10.0]]

    On the sample province: the grades closest to changing.

    >>> data = pe.load_sample()
    >>> margins = pe.sensitivity.flip_margin(pe.score("project_self", data.observations, data.budget))
    >>> margins.nsmallest(3, "margin")[["unit_id", "grade", "next_grade", "margin"]].round(2).values.tolist()
    [['0010009', '良', '优', 0.7], ['0030007', '良', '优', 0.76], ['0090008', '优', '良', 1.24]]
    """
    if method not in FLIP_METHODS:
        raise InputError(f"`method` must be one of {', '.join(map(repr, FLIP_METHODS))}; got {method!r}.")
    units = Units.from_result(result)
    design = design_for_level(units.framework, 1, False)
    cons = parse_constraints(design, bounds, None, "dirichlet")
    total = float(design.edge_points.sum())
    low, high = cons.low, np.minimum(cons.high, total)
    rows = _select(units, unit_id)
    engine = Engine(units, design)
    shares = _unit_shares(units, design, engine)
    bands = units.framework.bands
    ordered = bands.bands  # ascending
    codes = band_codes(bands, units.total)
    banded = units.framework.bands.labels
    p0 = design.edge_points
    own = units.points[:, engine.cut_cols]  # each unit's own first-level points
    slack = 1e-9 * total
    out = []
    for u in rows:
        b = len(ordered) - 1 - int(codes[u]) if codes[u] >= 0 else -1
        s, m = units.score[u, engine.cut_cols], shares[u]
        t0 = float(units.total[u])
        k = t0 - float(s.sum())
        base = {"unit_id": units.ids[u], "grade": units.grade[u],
                "banded_grade": banded[codes[u]] if codes[u] >= 0 else None}
        base["vetoed"] = base["grade"] != base["banded_grade"]
        for direction, nxt, edge in _edges(ordered, b):
            # aim inside perfeval's grading tolerance to go up, just below it to go down
            h = edge - (0.5 if direction == "up" else 2.0) * edge_tolerance(edge)
            g = (s - (h - k) * m) / p0
            coef, gap = (g, h - t0) if direction == "up" else (-g, t0 - h)
            d = _solve(coef, p0 - low, high - p0, gap, method)
            row = {**base, "direction": direction, "next_grade": nxt.label, "total": t0, "edge": edge,
                   "gap_to_next_grade": abs(edge - t0)}
            feasible = d is not None
            margin = float(np.abs(d).sum()) if feasible else np.inf
            row.update({"margin": margin, "points_moved": margin / 2, "feasible": feasible})
            weights = p0 + d if feasible else np.full(len(p0), np.nan)
            weights[np.abs(weights) <= 1e-9 * total] = 0.0  # float noise of an emptied node
            row.update({f"weight_{c}": w for c, w in zip(design.edge_codes, weights)})
            room = (own[u] - s) if direction == "up" else s
            need = abs(edge - t0)
            row.update({f"gap_{c}": need if need <= r + slack else np.inf for c, r in zip(design.edge_codes, room)})
            out.append(row)
    columns = ["unit_id", "grade", "banded_grade", "vetoed", "direction", "next_grade", "total", "edge",
               "gap_to_next_grade", "margin", "points_moved", "feasible",
               *[f"weight_{c}" for c in design.edge_codes], *[f"gap_{c}" for c in design.edge_codes]]
    frame = pd.DataFrame(out, columns=columns)
    frame.attrs["nominal_weights"] = dict(zip(design.edge_codes, map(float, p0)))
    return frame


def _select(units: Units, unit_id: Any) -> np.ndarray:
    if unit_id is None:
        return np.arange(len(units.ids))
    wanted = [unit_id] if isinstance(unit_id, str) else list(unit_id)
    pos = pd.Index(units.ids).get_indexer([str(w) for w in wanted])
    missing = [w for w, p in zip(wanted, pos) if p < 0]
    if missing:
        raise InputError(f"`unit_id` must name units of the result; got unknown {missing}.")
    return pos


def _unit_shares(units: Units, design: Any, engine: Engine) -> np.ndarray:
    """Each unit's own first-level shares (the framework's for units without first-level points)."""
    pts = units.points[:, engine.cut_cols]
    tot = pts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tot > 0, pts / tot, design.edge_share)


def _edges(ordered: tuple[Any, ...], b: int) -> list[tuple[str, Any, float]]:
    """(direction, next band, edge) for band ``b`` of the ascending bands."""
    if b < 0:
        return []
    out = []
    if b + 1 < len(ordered):
        out.append(("up", ordered[b + 1], float(ordered[b + 1].low)))
    if b > 0:
        out.append(("down", ordered[b - 1], float(ordered[b].low)))
    return out


def _solve(coef: np.ndarray, give: np.ndarray, take: np.ndarray, gap: float, method: str) -> np.ndarray | None:
    """min ||d||_1 s.t. coef . d >= gap, sum d = 0, -give <= d <= take; None when infeasible."""
    give, take = np.maximum(give, 0.0), np.maximum(take, 0.0)
    if gap <= 0:  # on the edge: any strict improvement will do, the infimum is 0
        rec, don = coef[take > 0], coef[give > 0]
        ok = len(rec) and len(don) and (rec.max() > don.min())
        return np.zeros(len(coef)) if (gap < 0 or ok) else None
    if method == "linprog":
        return _solve_lp(coef, give, take, gap)
    return _solve_greedy(coef, give, take, gap)


def _solve_greedy(coef: np.ndarray, give: np.ndarray, take: np.ndarray, gap: float) -> np.ndarray | None:
    """Move points from the lowest to the highest coefficients until the gap is closed (closed form)."""
    d = np.zeros(len(coef))
    room, left = take.copy(), give.copy()
    up, down = np.argsort(-coef, kind="stable"), np.argsort(coef, kind="stable")
    i = j = 0
    gained = 0.0
    while gap - gained > 1e-12 * max(1.0, gap):
        while i < len(up) and room[up[i]] <= 0:
            i += 1
        while j < len(down) and left[down[j]] <= 0:
            j += 1
        if i == len(up) or j == len(down):
            return None
        a, b = up[i], down[j]
        slope = coef[a] - coef[b]
        if a == b or slope <= 0:
            return None
        amount = min(room[a], left[b], (gap - gained) / slope)
        d[a] += amount
        d[b] -= amount
        room[a] -= amount
        left[b] -= amount
        gained += amount * slope
    return d


def _solve_lp(coef: np.ndarray, give: np.ndarray, take: np.ndarray, gap: float) -> np.ndarray | None:
    """The same programme in d = d_plus - d_minus for HiGHS."""
    n = len(coef)
    res = linprog(np.ones(2 * n), A_ub=-np.concatenate([coef, -coef])[None, :], b_ub=[-gap],
                  A_eq=np.concatenate([np.ones(n), -np.ones(n)])[None, :], b_eq=[0.0],
                  bounds=[(0, t) for t in take] + [(0, g) for g in give], method="highs")
    if res.status != 0:
        return None
    return res.x[:n] - res.x[n:]
