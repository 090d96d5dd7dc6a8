"""Weight draws for :mod:`perfeval.sensitivity` (private): Dirichlet, uniform on a bounded simplex, constraints.

Every draw is a vector of *edge ratios* ``r_e = share_e / m_e`` (new over nominal share of each re-weighted node
within its sibling group; see :mod:`perfeval.sensitivity._model`), so the sibling points always sum to their
parent's: the draws are simplex-correct by construction, never "uniform then normalise".

- ``dirichlet``: the shares of each group follow Dirichlet(kappa m) with mean m = the nominal shares; kappa comes
  from ``concentration`` or from ``spread`` (the coefficient of variation of the group's largest share).
- ``uniform``: the shares of each group are uniform on their simplex (Dirichlet(1)); lower bounds of groups whose
  parent's points are fixed are met exactly by an affine map, chain orders of unbounded groups by sorting.
- bounds on points and ordinal constraints that the construction does not meet are enforced by rejection, which
  keeps the draws exactly distributed as the unconstrained law conditioned on the constraints.
"""
from __future__ import annotations

import graphlib
import math
import numbers
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

from ..errors import InputError
from ._model import Design

__all__ = ["METHODS", "Constraints", "check_n", "check_chunk", "rng_and_description", "concentrations",
           "parse_constraints", "draw"]

METHODS = ("dirichlet", "uniform")
_DEFAULT_SPREAD = 0.1
_MAX_BATCH_CELLS = 2 ** 23


# ---------------------------------------------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------------------------------------------
def check_n(n: Any, name: str = "n") -> int:
    """``n`` as an int >= 2, or the standard error."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise InputError(f"`{name}` must be an integer >= 2 (the number of weight draws); got {n!r}.")
    return int(n)


def check_chunk(chunk: Any, n_units: int, n: int) -> int:
    """Draws per block: ``chunk``, or a block of about 4 million totals (32 MB) when None."""
    if chunk is None:
        return max(1, min(n, 2 ** 22 // max(n_units, 1)))
    if isinstance(chunk, bool) or not isinstance(chunk, numbers.Integral) or chunk < 1:
        raise InputError(f"`chunk` must be a positive integer (draws evaluated at once) or None; got {chunk!r}.")
    return int(chunk)


def rng_and_description(rng: Any) -> tuple[np.random.Generator, dict[str, Any]]:
    """A Generator from ``rng`` and what reproduces it (the seed's entropy, or a Generator's state)."""
    if isinstance(rng, np.random.Generator):
        bg = rng.bit_generator
        return rng, {"rng": "Generator", "bit_generator": type(bg).__name__, "state": bg.state}
    try:
        gen = np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise InputError(f"`rng` must be None, a non-negative int seed, a SeedSequence or a numpy Generator; "
                         f"got {rng!r} ({exc}).") from None
    seq = getattr(gen.bit_generator, "seed_seq", None)
    return gen, {"rng": "seed", "seed": rng if isinstance(rng, numbers.Integral) else None,
                 "entropy": getattr(seq, "entropy", None), "bit_generator": type(gen.bit_generator).__name__}


def concentrations(design: Design, method: str, spread: Any, concentration: Any) -> np.ndarray:
    """Dirichlet concentration kappa of every group (``inf`` = no perturbation; ones for uniform draws).

    With mean shares m, Var(share_i) = m_i (1 - m_i) / (kappa + 1), so the coefficient of variation of the
    largest share m is sqrt((1 - m) / (m (kappa + 1))); ``spread`` sets it: kappa = (1 - m) / (m spread^2) - 1.
    """
    if method not in METHODS:
        raise InputError(f"`method` must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
    n_groups = len(design.groups)
    if method == "uniform":
        if spread is not None or concentration is not None:
            raise InputError("`spread` and `concentration` apply to method='dirichlet'; method='uniform' draws "
                             f"uniformly on the (bounded) simplex. Got spread={spread!r}, "
                             f"concentration={concentration!r}.")
        return np.ones(n_groups)
    if spread is not None and concentration is not None:
        raise InputError(f"give `spread` or `concentration`, not both; got spread={spread!r}, "
                         f"concentration={concentration!r}.")
    if concentration is not None:
        value = _number(concentration, "concentration")
        if not value > 0:
            raise InputError(f"`concentration` must be a positive number (inf: no perturbation); got "
                             f"{concentration!r}.")
        return np.full(n_groups, value)
    value = _DEFAULT_SPREAD if spread is None else _number(spread, "spread")
    if not (value >= 0 and math.isfinite(value)):
        raise InputError(f"`spread` must be a non-negative finite number (the coefficient of variation of the "
                         f"largest weight; 0 = the nominal weights); got {spread!r}.")
    if value == 0:
        return np.full(n_groups, np.inf)
    out = np.empty(n_groups)
    for i, g in enumerate(design.groups):
        m = float(g.shares.max())
        kappa = (1.0 - m) / (m * value ** 2) - 1.0
        if not kappa > 0:
            raise InputError(f"`spread` must be below {math.sqrt((1 - m) / m):.6g} for the children of "
                             f"{g.parent or 'the root'!r} (largest nominal share {m:.6g}): a larger coefficient of "
                             f"variation needs a Dirichlet concentration <= 0; got {spread!r}.")
        out[i] = kappa
    return out


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(float(value)):
        raise InputError(f"`{name}` must be a number; got {value!r}.")
    return float(value)


# ---------------------------------------------------------------------------------------------------------------
# constraints
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Constraints:
    """Bounds (points, per edge; 0 and inf when open), order pairs (edge a >= edge b) and sortable chains."""

    low: np.ndarray
    high: np.ndarray
    order: tuple[tuple[int, int], ...]
    chains: Mapping[int, tuple[tuple[int, ...], ...]]
    translated: frozenset[int]

    @property
    def active(self) -> bool:
        return bool(self.order) or bool(np.any(self.low > 0)) or bool(np.any(np.isfinite(self.high)))

    def describe(self, design: Design) -> dict[str, Any]:
        bounds = {c: (float(lo), float(hi)) for c, lo, hi in zip(design.edge_codes, self.low, self.high)
                  if lo > 0 or np.isfinite(hi)}
        order = [(design.edge_codes[a], design.edge_codes[b]) for a, b in self.order]
        return {"bounds": bounds, "order": order}


def parse_constraints(design: Design, bounds: Any, order: Any, method: str) -> Constraints:
    """Check ``bounds`` ({code: (low, high)} in points) and ``order`` ([(a, b)]: w_a >= w_b) against ``design``.

    Raises
    ------
    InputError
        Unknown nodes, nodes that are not re-weighted, bounds that are not numbers or have low > high, bounds or
        orders that no weights summing to their parent's points can meet, cyclic orders.
    """
    edge_of = {c: i for i, c in enumerate(design.edge_codes)}
    e = len(edge_of)
    low, high = np.zeros(e), np.full(e, np.inf)
    if bounds is not None:
        if not isinstance(bounds, Mapping):
            raise InputError(f"`bounds` must be a mapping {{node_code: (low, high)}} in points; got "
                             f"{type(bounds).__name__}.")
        for code, pair in bounds.items():
            i = _edge(design, edge_of, code, "bounds")
            lo, hi = _pair(code, pair)
            low[i], high[i] = lo, hi
    pairs: list[tuple[int, int]] = []
    if order is not None:
        if isinstance(order, (str, bytes)) or not isinstance(order, Sequence):
            raise InputError(f"`order` must be a list of (a, b) node-code pairs meaning w_a >= w_b; got {order!r}.")
        for item in order:
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2:
                raise InputError(f"`order` must hold (a, b) pairs of node codes; got {item!r}.")
            a, b = (_edge(design, edge_of, c, "order") for c in item)
            if a == b:
                raise InputError(f"`order` pairs must name two different nodes; got {tuple(item)!r}.")
            pairs.append((a, b))
        sorter = graphlib.TopologicalSorter({b: {a} for a, b in pairs})
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle = [design.edge_codes[i] for i in exc.args[1]]
            raise InputError(f"`order` must not be cyclic (w_a >= w_b >= ... >= w_a holds only with equal "
                             f"weights, a set of measure zero); got the cycle {cycle}.") from None
    cons = Constraints(low, high, tuple(pairs), {}, frozenset())
    _check_feasible(design, cons)
    chains, translated = _constructions(design, cons, method)
    return Constraints(low, high, tuple(pairs), chains, translated)


def _edge(design: Design, edge_of: Mapping[str, int], code: Any, name: str) -> int:
    if code in edge_of:
        return edge_of[code]
    known = set(design.parents)
    if code not in known:
        raise InputError(f"`{name}` names unknown node {code!r}; framework {design.framework.name!r} has "
                         f"{', '.join(design.parents)}.")
    raise InputError(f"`{name}` names node {code!r}, whose weight is not re-weighted here; re-weighted nodes: "
                     f"{', '.join(design.edge_codes)}.")


def _pair(code: str, pair: Any) -> tuple[float, float]:
    if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
        raise InputError(f"`bounds[{code!r}]` must be a (low, high) pair in points (None for an open end); "
                         f"got {pair!r}.")
    lo = 0.0 if pair[0] is None else _number(pair[0], f"bounds[{code!r}] low")
    hi = math.inf if pair[1] is None else _number(pair[1], f"bounds[{code!r}] high")
    if not (0 <= lo <= hi) or math.isinf(lo):
        raise InputError(f"`bounds[{code!r}]` must satisfy 0 <= low <= high with a finite low; got {pair!r}.")
    return lo, hi


def _group_total(design: Design, g: int) -> float:
    return float(design.groups[g].points.sum())


def _check_feasible(design: Design, cons: Constraints) -> None:
    """Sum checks per fixed group (clear messages), then one linear programme for everything together."""
    if not cons.active:
        return
    for g, group in enumerate(design.groups):
        if not design.fixed[g]:
            continue
        cols = np.flatnonzero(design.edge_group == g)
        total = _group_total(design, g)
        lows, highs = cons.low[cols].sum(), np.minimum(cons.high[cols], total).sum()
        who = group.parent or "the root"
        if lows > total * (1 + 1e-12):
            raise InputError(f"`bounds` cannot be met: the lower bounds of the children of {who!r} sum to "
                             f"{lows:g} points, more than the {total:g} points they share.")
        if highs < total * (1 - 1e-12):
            raise InputError(f"`bounds` cannot be met: the upper bounds of the children of {who!r} sum to "
                             f"{highs:g} points, less than the {total:g} points they share.")
    e = design.n_edges
    a_eq, b_eq = [], []
    for g, group in enumerate(design.groups):
        row = np.zeros(e)
        row[design.edge_group == g] = 1.0
        if design.fixed[g]:
            b_eq.append(_group_total(design, g))
        else:  # the parent's points: the nearest re-weighted ancestor's, scaled by the nominal points
            anc = design.path_of(group.parent)[-1]
            pts = design.framework.points()
            row[anc] -= pts[group.parent] / design.edge_points[anc]
            b_eq.append(0.0)
        a_eq.append(row)
    a_ub = [np.eye(e)[b] - np.eye(e)[a] for a, b in cons.order]
    bounds = [(lo, None if math.isinf(hi) else hi) for lo, hi in zip(cons.low, cons.high)]
    res = linprog(np.zeros(e), A_ub=np.array(a_ub) if a_ub else None, b_ub=np.zeros(len(a_ub)) if a_ub else None,
                  A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=bounds, method="highs")
    if res.status == 2:
        raise InputError("`bounds` and `order` cannot be met together: no weights that sum to their parents' "
                         f"points satisfy them ({cons.describe(design)}).")


def _constructions(design: Design, cons: Constraints, method: str) -> tuple[dict, frozenset]:
    """Groups whose lower bounds are met by translation, and chains met by sorting (uniform draws only)."""
    if method != "uniform":
        return {}, frozenset()
    translated, chains = set(), {}
    for g in range(len(design.groups)):
        cols = set(np.flatnonzero(design.edge_group == g).tolist())
        if design.fixed[g] and np.any(cons.low[list(cols)] > 0):
            translated.add(g)
        bounded = np.any(cons.low[list(cols)] > 0) or np.any(np.isfinite(cons.high[list(cols)]))
        inside = [(a, b) for a, b in cons.order if a in cols and b in cols]
        if bounded or not inside:
            continue
        succ = {a: b for a, b in inside}
        pred = {b: a for a, b in inside}
        if len(succ) != len(inside) or len(pred) != len(inside):
            continue  # not disjoint chains: rejection
        heads = [a for a in succ if a not in pred]
        found = []
        for head in heads:
            chain = [head]
            while chain[-1] in succ:
                chain.append(succ[chain[-1]])
            found.append(tuple(chain))
        chains[g] = tuple(found)
    return chains, frozenset(translated)


# ---------------------------------------------------------------------------------------------------------------
# draws
# ---------------------------------------------------------------------------------------------------------------
def _raw(design: Design, method: str, kappa: np.ndarray, cons: Constraints, size: int,
         gen: np.random.Generator) -> np.ndarray:
    """Unconstrained (but translated / sorted) edge ratios, one row per draw."""
    out = np.empty((size, design.n_edges))
    for g, group in enumerate(design.groups):
        cols = np.flatnonzero(design.edge_group == g)
        m = group.shares
        if method == "dirichlet":
            if math.isinf(kappa[g]):
                out[:, cols] = 1.0
                continue
            shares = gen.dirichlet(kappa[g] * m, size=size)
        else:
            shares = gen.dirichlet(np.ones(len(cols)), size=size)
            for chain in cons.chains.get(g, ()):  # exchangeable: sorting a chain's values conditions on it
                pos = [int(np.flatnonzero(cols == c)[0]) for c in chain]
                shares[:, pos] = -np.sort(-shares[:, pos], axis=1)
            if g in cons.translated:  # uniform on {share >= lo}: an affine image of the unit simplex
                lo = cons.low[cols] / _group_total(design, g)
                shares = lo + (1.0 - lo.sum()) * shares
        out[:, cols] = shares / m
    return out


def _accept(design: Design, cons: Constraints, r_edge: np.ndarray) -> np.ndarray:
    pts = design.effective_points(r_edge)
    tol = 1e-9 * design.framework.total
    ok = np.all((pts >= cons.low - tol) & (pts <= cons.high + tol), axis=1)
    for a, b in cons.order:
        ok &= pts[:, a] >= pts[:, b] - tol
    return ok


def draw(design: Design, method: str, kappa: np.ndarray, cons: Constraints, n: int, gen: np.random.Generator,
         max_candidates: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """``n`` draws of edge ratios (n x E) and the acceptance record.

    Raises
    ------
    InputError
        When constraints reject the nominal weights under zero spread, or accept too few candidates (fewer than
        ``n`` among ``max_candidates``, default ``max(1000 n, 10^6)``).
    """
    if not cons.active:
        return _raw(design, method, kappa, cons, n, gen), {"candidates": n, "acceptance_rate": 1.0}
    if method == "dirichlet" and np.all(np.isinf(kappa)):
        if not _accept(design, cons, np.ones((1, design.n_edges)))[0]:
            raise InputError("with zero spread every draw is the nominal weights, which violate `bounds` or "
                             f"`order` ({cons.describe(design)}).")
        return np.ones((n, design.n_edges)), {"candidates": n, "acceptance_rate": 1.0}
    limit = max(1000 * n, 10 ** 6) if max_candidates is None else int(max_candidates)
    max_batch = max(1, _MAX_BATCH_CELLS // design.n_edges)
    parts, got, tried, accepted, rate = [], 0, 0, 0, 1.0
    while got < n:
        if tried >= limit:
            raise InputError(f"`bounds` / `order` accept only {got} of {tried} candidate draws (rate "
                             f"{got / tried:.3g}); {n} are needed. Widen the bounds, drop order constraints, or "
                             "use method='uniform' (lower bounds and chain orders are then met exactly).")
        size = int(min(max_batch, limit - tried, max(256, math.ceil((n - got) / max(rate, 1e-6) * 1.2))))
        cand = _raw(design, method, kappa, cons, size, gen)
        ok = _accept(design, cons, cand)
        take = cand[ok][: n - got]
        parts.append(take)
        got += len(take)
        tried += size
        accepted += int(ok.sum())
        rate = max(accepted / tried, 1.0 / tried)
    return np.concatenate(parts, axis=0), {"candidates": tried, "acceptance_rate": accepted / tried}
