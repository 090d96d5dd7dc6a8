r"""The numerical core of :mod:`perfeval.sensitivity` (private): re-aggregating scored units under new weights.

Three pieces:

- :class:`Units` reads what the analysis needs from a :class:`~perfeval.aggregate.ScoreResult`: per unit the
  reported total, grade and flags, and the score and points of every framework node and whether it has data.
- :class:`Design` says which weights move: a set of *active* sibling groups (the children of one parent share
  the parent's points), their *edges* (one per child) and the *cut*, the deepest nodes whose points change.
- :class:`Engine` turns edge ratios (new share / nominal share of every edge, one row per draw) into totals,
  grade codes and node values, vectorised over draws and units.

The weight model (documented once here, cited by the public docstrings). A draw gives every edge ``e`` a ratio
``r_e = share_e / m_e`` of its new to its nominal share within its group. A unit ``u`` whose own shares in a
group equal the framework's gets its points multiplied by ``r_e``; a unit whose own shares differ (units that
supply their own indicator points, or whose not-applicable nodes were rescaled away) gets its own shares
``m_ue`` multiplied by ``r_e`` and renormalised within the group, so every unit keeps its own group sums:

.. math::

    q_{uj} = \prod_{e \in \mathrm{path}(j)} \frac{r_e}{D_{u g(e)}}, \qquad
    D_{ug} = 1 + \sum_{c \in g} m_{uc} (r_c - 1), \qquad
    T_u = T_u^{0} + \sum_{j \in \mathrm{cut}} s_{uj} (q_{uj} - 1),

with :math:`s_{uj}` the unit's score at cut node ``j`` (achievement x its points) and :math:`T^0_u` its reported
total. For units with the framework's shares :math:`D = 1` and the totals of all draws are one matrix product
``(R - 1) @ S.T``. Achievements are never re-scored. With every ``r_e = 1`` the totals are the reported ones,
bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..framework import Framework

__all__ = ["Units", "Group", "Design", "Engine", "band_codes", "rank_desc", "grade_labels",
           "design_for_level", "design_for_parents"]

#: Unit shares within this distance of the framework's shares are treated as the framework's.
_SHARE_TOL = 1e-9
_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


# ---------------------------------------------------------------------------------------------------------------
# grades and ranks
# ---------------------------------------------------------------------------------------------------------------
def grade_labels(framework: Framework) -> tuple[str, ...]:
    """Band labels best first, then the veto-only grades (``override_grades``, then any other veto grade)."""
    labels = list(framework.bands.labels)
    for g in [*framework.override_grades, *(v.grade for v in framework.vetoes)]:
        if g not in labels:
            labels.append(g)
    return tuple(labels)


def band_codes(bands: Any, totals: np.ndarray) -> np.ndarray:
    """Grade code of every total: 0 for the best band, 1 for the next ..., -1 outside the bands (vectorised).

    :meth:`perfeval.GradeBands.codes` (the rule :func:`perfeval.score` grades by: half-open bands, the top band
    closed, float noise at the edges absorbed), counted from the best band.
    """
    idx = bands.codes(totals)
    return np.where(idx < 0, -1, len(bands.bands) - 1 - idx).astype(np.int16)


def rank_desc(totals: np.ndarray) -> np.ndarray:
    """Competition ranks along the last axis: 1 for the highest total, ties share the smallest rank (int32).

    ``rank = 1 + #{v: total_v > total_u}``, read from one ascending sort per row: the count of larger totals is
    the row width minus the end of the run of equal totals.
    """
    t = np.atleast_2d(np.asarray(totals, dtype=float))
    width = t.shape[1]
    order = np.argsort(t, axis=1)  # ties need no stable order: equal totals get equal ranks below
    ordered = np.take_along_axis(t, order, axis=1)
    run_end = np.full(t.shape, width, dtype=np.int32)
    last = np.ones(t.shape, dtype=bool)
    last[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
    np.copyto(run_end, np.arange(1, width + 1, dtype=np.int32), where=last)
    run_end = np.minimum.accumulate(run_end[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty(t.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, width + 1 - run_end, axis=1)
    return ranks.reshape(np.shape(totals))


# ---------------------------------------------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Units:
    """Per-unit data of a ScoreResult on the framework's nodes (``U`` units x ``N`` nodes, pre-order)."""

    framework: Framework
    ids: np.ndarray
    total: np.ndarray
    grade: np.ndarray
    codes: tuple[str, ...]
    index: Mapping[str, int]
    score: np.ndarray
    points: np.ndarray
    has_data: np.ndarray
    flags: np.ndarray | None

    @classmethod
    def from_result(cls, result: Any) -> "Units":
        """Read and check a :class:`~perfeval.aggregate.ScoreResult`.

        Raises
        ------
        TypeError
            ``result`` is not a ScoreResult.
        InputError
            Missing columns, duplicated or non-finite totals, no units, totals that are not the sum of the
            first-level scores.
        """
        from ..aggregate import ScoreResult

        if not isinstance(result, ScoreResult):
            raise TypeError(f"`result` must be a ScoreResult (from perfeval.score); got {type(result).__name__}.")
        totals, nodes, fw = result.totals, result.nodes, result.framework
        _require(totals, ("unit_id", "total", "grade"), "result.totals")
        _require(nodes, ("unit_id", "node_code", "points", "score"), "result.nodes")
        if len(totals) == 0:
            raise InputError("`result` must hold at least one unit; got an empty totals table.")
        ids = totals["unit_id"].astype(str).to_numpy(dtype=object)
        dup = pd.Index(ids)[pd.Index(ids).duplicated()].unique().tolist()
        if dup:
            raise InputError(f"`result.totals` must have one row per unit; got duplicated unit_id {dup}.")
        total = totals["total"].to_numpy(dtype=float)
        bad = ids[~np.isfinite(total)].tolist()
        if bad:
            raise InputError(f"`result.totals.total` must be finite; got NaN or infinite totals for units {bad}.")
        codes = tuple(n.code for n, _, _ in fw.walk())
        index = {c: i for i, c in enumerate(codes)}
        u = pd.Index(ids).get_indexer(nodes["unit_id"].astype(str))
        c = nodes["node_code"].map(index).to_numpy(dtype=float)
        keep = (u >= 0) & ~np.isnan(c)
        u, c = u[keep], c[keep].astype(np.int64)
        shape = (len(ids), len(codes))
        score, points = np.zeros(shape), np.zeros(shape)
        score[u, c] = nodes["score"].to_numpy(dtype=float)[keep]
        points[u, c] = nodes["points"].to_numpy(dtype=float)[keep]
        score, points = np.nan_to_num(score), np.nan_to_num(points)
        has_data = _has_data(fw, ids, nodes, index)
        first = [index[n.code] for n in fw.nodes]
        gap = np.abs(score[:, first].sum(axis=1) - total)
        off = ids[gap > 1e-6 * np.maximum(1.0, np.abs(total))].tolist()
        if off:
            raise InputError(f"`result.totals.total` must equal the sum of the first-level scores in "
                             f"`result.nodes`; it does not for units {off[:10]}{' ...' if len(off) > 10 else ''}.")
        flags = totals["flags"].fillna("").astype(str).to_numpy(dtype=object) if "flags" in totals else None
        return cls(fw, ids, total, totals["grade"].to_numpy(dtype=object), codes, index, score, points, has_data,
                   flags)

    def columns(self, codes: Sequence[str]) -> np.ndarray:
        """Node columns of ``codes``."""
        return np.array([self.index[c] for c in codes], dtype=np.int64)


def _has_data(fw: Framework, ids: np.ndarray, nodes: pd.DataFrame, index: Mapping[str, int]) -> np.ndarray:
    """Whether a unit has applicable data at or below each node: an applicable fixed-leaf or unit-indicator row
    not flagged ``missing_actual`` (the ``missing`` veto's test, read back from the node rows)."""
    parent = {n.code: p for n, _, p in fw.walk()}
    leaves = {n.code for n in fw.leaves() if not n.slot}
    code = nodes["node_code"].astype(str)
    home = code.where(code.isin(leaves), nodes["parent_code"].astype(str).where(~code.isin(index)))
    ok = nodes["applicable"].fillna(False).astype(bool) if "applicable" in nodes else nodes["points"] > 0
    if "flags" in nodes:
        ok &= ~nodes["flags"].fillna("").astype(str).str.contains("missing_actual", regex=False)
    u = pd.Index(ids).get_indexer(nodes["unit_id"].astype(str))
    col = home.map(index)
    sel = ok.to_numpy() & (u >= 0) & col.notna().to_numpy()
    has = np.zeros((len(ids), len(index)), dtype=bool)
    has[u[sel], col[sel].astype(np.int64).to_numpy()] = True
    for code_ in reversed(list(index)):  # children before parents (pre-order reversed)
        if parent[code_] is not None:
            has[:, index[parent[code_]]] |= has[:, index[code_]]
    return has


def _require(frame: Any, columns: Sequence[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"`{name}` must be a DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"`{name}` must have columns {list(columns)}; missing {missing}.")


# ---------------------------------------------------------------------------------------------------------------
# design
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Group:
    """Children of one parent (``None`` = the first-level nodes) sharing the parent's points."""

    parent: str | None
    children: tuple[str, ...]
    points: np.ndarray

    @property
    def shares(self) -> np.ndarray:
        return self.points / self.points.sum()


@dataclass(frozen=True, eq=False)
class Design:
    """Which weights move: active groups, their edges (children), and the cut (deepest re-weighted nodes).

    Paths are padded with ``E`` (an edge of ratio 1) and group paths with ``G`` (a group of denominator 1).
    ``fixed`` marks groups whose parent's points cannot change (the first-level group, or a parent that is not
    itself re-weighted).
    """

    framework: Framework
    groups: tuple[Group, ...]
    edge_codes: tuple[str, ...]
    edge_group: np.ndarray
    edge_share: np.ndarray
    edge_points: np.ndarray
    edge_path: np.ndarray
    cut: tuple[str, ...]
    cut_path: np.ndarray
    cut_gpath: np.ndarray
    fixed: np.ndarray
    level: int | None = None
    hierarchical: bool | None = None
    parents: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def n_edges(self) -> int:
        return len(self.edge_codes)

    @property
    def cut_points(self) -> np.ndarray:
        return self.framework_points(self.cut)

    def framework_points(self, codes: Sequence[str]) -> np.ndarray:
        pts = self.framework.points()
        return np.array([pts[c] for c in codes], dtype=float)

    def path_of(self, code: str) -> list[int]:
        """Edges on the path from the root to ``code`` (inclusive), root first."""
        edge_of = {c: i for i, c in enumerate(self.edge_codes)}
        out, node = [], code
        while node is not None:
            if node in edge_of:
                out.append(edge_of[node])
            node = self.parents[node]
        return out[::-1]

    def pad(self, paths: Sequence[Sequence[int]], fill: int) -> np.ndarray:
        depth = max([len(p) for p in paths] + [1])
        out = np.full((len(paths), depth), fill, dtype=np.int64)
        for i, p in enumerate(paths):
            out[i, : len(p)] = p
        return out

    def edge_ratios_to_nodes(self, r_edge: np.ndarray, path: np.ndarray) -> np.ndarray:
        """Product of the edge ratios along padded paths: (m x E) -> (m x K)."""
        ext = np.concatenate([r_edge, np.ones((r_edge.shape[0], 1))], axis=1)
        return ext[:, path].prod(axis=2)

    def effective_points(self, r_edge: np.ndarray) -> np.ndarray:
        """Framework points of every edge's child under the draws (m x E)."""
        return self.edge_points * self.edge_ratios_to_nodes(r_edge, self.edge_path)


def design_for_level(fw: Framework, level: int, hierarchical: bool) -> Design:
    """Groups re-weighted at ``level``: inside each parent of that level, or every level down to it.

    Raises
    ------
    InputError
        ``level`` not an integer in ``1..depth``, no group of two or more children at that level, or sampled
        nodes without positive framework points (slots, whose points each unit supplies).
    """
    depth = max(lv for _, lv, _ in fw.walk())
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 1 <= level <= depth:
        raise InputError(f"`level` must be an integer from 1 to {depth} (the depth of framework {fw.name!r}); "
                         f"got {level!r}.")
    if not isinstance(hierarchical, (bool, np.bool_)):
        raise InputError(f"`hierarchical` must be True or False; got {hierarchical!r}.")
    inner = [(n.code, lv) for n, lv, _ in fw.walk() if len(n.children) >= 2]
    root = [None] if len(fw.nodes) >= 2 else []
    if hierarchical:
        parents = root + [c for c, lv in inner if lv < level]
    else:
        parents = root if level == 1 else [c for c, lv in inner if lv == level - 1]
    if not parents:
        raise InputError(f"`level` {level} of framework {fw.name!r} has no parent with two or more children, so "
                         "there are no weights to move; choose another level.")
    return design_for_parents(fw, parents, level=int(level), hierarchical=bool(hierarchical))


def design_for_parents(fw: Framework, parents: Sequence[str | None], *, level: int | None = None,
                       hierarchical: bool | None = None) -> Design:
    """A design whose active groups are the children of ``parents`` (``None`` = the first-level nodes)."""
    children_of: dict[str | None, tuple[Any, ...]] = {None: fw.nodes}
    parent_of: dict[str, str | None] = {}
    for node, _, parent in fw.walk():
        children_of[node.code] = node.children
        parent_of[node.code] = parent
    groups, bad = [], []
    for parent in parents:
        kids = children_of[parent]
        bad += [k.code for k in kids if k.points is None or not np.isfinite(k.points) or k.points <= 0]
        groups.append(Group(parent, tuple(k.code for k in kids),
                            np.array([np.nan if k.points is None else k.points for k in kids], dtype=float)))
    if bad:
        raise InputError(f"the re-weighted nodes must carry positive framework points; {bad} have none or zero "
                         "(slots take their points from each unit's indicators). Re-weight a level above them.")
    edge_codes = tuple(c for g in groups for c in g.children)
    edge_group = np.concatenate([np.full(len(g.children), i) for i, g in enumerate(groups)])
    edge_share = np.concatenate([g.shares for g in groups])
    edge_points = np.concatenate([g.points for g in groups])
    active = {g.parent for g in groups}
    edge_set = set(edge_codes)
    fixed = np.array([g.parent is None or not _under(g.parent, edge_set, parent_of) for g in groups])
    cut: list[str] = []
    below: dict[str, bool] = {}

    def has_active_below(node: Any) -> bool:
        if node.code not in below:
            below[node.code] = node.code in active or any(has_active_below(k) for k in node.children)
        return below[node.code]

    def visit(node: Any, under: bool) -> None:
        if has_active_below(node):
            for kid in node.children:
                visit(kid, under or node.code in active)
        elif under:
            cut.append(node.code)

    for top in fw.nodes:
        visit(top, None in active)
    design = Design(fw, tuple(groups), edge_codes, edge_group, edge_share, edge_points,
                    np.zeros((len(edge_codes), 1), dtype=np.int64), tuple(cut),
                    np.zeros((len(cut), 1), dtype=np.int64), np.zeros((len(cut), 1), dtype=np.int64), fixed,
                    level, hierarchical, parent_of)
    e, g = len(edge_codes), len(groups)
    edge_paths = [design.path_of(c) for c in edge_codes]
    cut_paths = [design.path_of(c) for c in cut]
    object.__setattr__(design, "edge_path", design.pad(edge_paths, e))
    object.__setattr__(design, "cut_path", design.pad(cut_paths, e))
    object.__setattr__(design, "cut_gpath", design.pad([[int(edge_group[i]) for i in p] for p in cut_paths], g))
    return design


def _under(code: str, edge_set: set[str], parent_of: Mapping[str, str | None]) -> bool:
    node: str | None = code
    while node is not None:
        if node in edge_set:
            return True
        node = parent_of[node]
    return False


# ---------------------------------------------------------------------------------------------------------------
# engine
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Chunk:
    """Totals and grade codes of a block of draws, with what node values need."""

    totals: np.ndarray
    codes: np.ndarray
    r_edge: np.ndarray
    r_cut: np.ndarray
    q_ns: np.ndarray | None
    d_ns: np.ndarray | None


class Engine:
    """Totals, grades and node values of every unit under edge ratios (see the module docstring)."""

    def __init__(self, units: Units, design: Design) -> None:
        self.units, self.design = units, design
        fw = units.framework
        self.labels = grade_labels(fw)
        self.cut_cols = units.columns(design.cut)
        self.s_cut = units.score[:, self.cut_cols]
        shares = []
        ns = np.zeros(len(units.ids), dtype=bool)
        for g in design.groups:
            pts = units.points[:, units.columns(g.children)]
            tot = pts.sum(axis=1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                own = np.where(tot > 0, pts / tot, g.shares)
            ns |= np.abs(own - g.shares).max(axis=1) > _SHARE_TOL
            shares.append(own)
        self.ns = np.flatnonzero(ns)
        self.std = np.flatnonzero(~ns)
        self.m_ns = np.concatenate(shares, axis=1)[self.ns]
        self.vetoes = [_VetoPlan.build(v, self) for v in fw.vetoes]
        self.veto_codes = [self.labels.index(v.grade) for v in fw.vetoes]

    # -- totals --------------------------------------------------------------------------------------------
    def evaluate(self, r_edge: np.ndarray) -> Chunk:
        """Totals (m x U) and grade codes (m x U; index into ``labels``, -1 ungraded) of draws ``r_edge``."""
        d = self.design
        r_cut = d.edge_ratios_to_nodes(r_edge, d.cut_path)
        u0 = self.units.total
        if not len(self.ns):
            totals = u0 + (r_cut - 1.0) @ self.s_cut.T
            q_ns = d_ns = None
        else:
            totals = np.empty((r_edge.shape[0], len(u0)))
            totals[:, self.std] = u0[self.std] + (r_cut - 1.0) @ self.s_cut[self.std].T
            d_ns = self._denominators(r_edge)
            q_ns = r_cut[:, None, :] / self._gprod(d_ns, d.cut_gpath)
            totals[:, self.ns] = u0[self.ns] + np.einsum("muj,uj->mu", q_ns - 1.0, self.s_cut[self.ns])
        codes = band_codes(self.units.framework.bands, totals)
        chunk = Chunk(totals, codes, r_edge, r_cut, q_ns, d_ns)
        hit = np.zeros(codes.shape, dtype=bool)
        for plan, code in zip(self.vetoes, self.veto_codes):
            fires = plan.fires(self, chunk) & ~hit
            codes[fires] = code
            hit |= fires
        return chunk

    def _denominators(self, r_edge: np.ndarray) -> np.ndarray:
        """D_ug = 1 + sum_c m_uc (r_c - 1) for the units with their own shares: (m x U_ns x G)."""
        d = self.design
        out = np.empty((r_edge.shape[0], len(self.ns), len(d.groups)))
        for g in range(len(d.groups)):
            cols = np.flatnonzero(d.edge_group == g)
            out[:, :, g] = 1.0 + (r_edge[:, cols] - 1.0) @ self.m_ns[:, cols].T
        return out

    @staticmethod
    def _gprod(d_ns: np.ndarray, gpath: np.ndarray) -> np.ndarray:
        ext = np.concatenate([d_ns, np.ones(d_ns.shape[:2] + (1,))], axis=2)
        return ext[:, :, gpath].prod(axis=3)

    def nominal(self) -> Chunk:
        """The chunk of the nominal weights (every ratio 1): the reported totals exactly."""
        return self.evaluate(np.ones((1, self.design.n_edges)))

    # -- node values (for vetoes) -------------------------------------------------------------------------
    def node_score_points(self, chunk: Chunk, code: str) -> tuple[np.ndarray, np.ndarray]:
        """Score and points (m x U) of node ``code`` under the draws of ``chunk``."""
        d, u = self.design, self.units
        col = u.index[code]
        s0, p0 = u.score[:, col], u.points[:, col]
        m = chunk.totals.shape[0]
        cut_below = [j for j, c in enumerate(d.cut) if c == code or _is_ancestor(code, c, d.parents)]
        cut_above = [j for j, c in enumerate(d.cut) if _is_ancestor(c, code, d.parents)]
        score, points = np.broadcast_to(s0, (m, len(s0))).copy(), np.broadcast_to(p0, (m, len(p0))).copy()
        if cut_above:  # below a cut node: scaled with it
            j = cut_above[0]
            score[:, self.std] = chunk.r_cut[:, [j]] * s0[self.std]
            points[:, self.std] = chunk.r_cut[:, [j]] * p0[self.std]
            if chunk.q_ns is not None:
                score[:, self.ns] = chunk.q_ns[:, :, j] * s0[self.ns]
                points[:, self.ns] = chunk.q_ns[:, :, j] * p0[self.ns]
        elif cut_below:  # a cut node or above the cut: score from the cut nodes below, points from its own path
            j = np.array(cut_below)
            path = d.pad([d.path_of(code)], d.n_edges)
            ratio = d.edge_ratios_to_nodes(chunk.r_edge, path)[:, 0]
            score[:, self.std] = s0[self.std] + (chunk.r_cut[:, j] - 1.0) @ self.s_cut[np.ix_(self.std, j)].T
            points[:, self.std] = ratio[:, None] * p0[self.std]
            if chunk.q_ns is not None:
                ns_s = self.s_cut[np.ix_(self.ns, j)]
                score[:, self.ns] = s0[self.ns] + np.einsum("muj,uj->mu", chunk.q_ns[:, :, j] - 1.0, ns_s)
                gpath = d.pad([[int(d.edge_group[e]) for e in d.path_of(code)]], len(d.groups))
                q = ratio[:, None] / self._gprod(chunk.d_ns, gpath)[:, :, 0]
                points[:, self.ns] = q * p0[self.ns]
        return score, points


def _is_ancestor(anc: str, code: str, parents: Mapping[str, str | None]) -> bool:
    node = parents.get(code)
    while node is not None:
        if node == anc:
            return True
        node = parents.get(node)
    return False


@dataclass(frozen=True, eq=False)
class _VetoPlan:
    """A veto of the framework, evaluated once when weights cannot change it, else per draw."""

    veto: Any
    fixed: np.ndarray | None

    @classmethod
    def build(cls, veto: Any, engine: Engine) -> "_VetoPlan":
        d, u = engine.design, engine.units
        col = u.index[veto.node]
        moves = any(c == veto.node or _is_ancestor(c, veto.node, d.parents) or _is_ancestor(veto.node, c, d.parents)
                    for c in d.cut)
        below_cut = any(c == veto.node or _is_ancestor(c, veto.node, d.parents) for c in d.cut)
        invariant = veto.op == "missing" or not moves or (below_cut and veto.measure != "score")
        if not invariant:
            return cls(veto, None)
        if veto.op == "missing":
            return cls(veto, _missing(veto, u, col))
        return cls(veto, _veto_test(veto, u.score[:, col], u.points[:, col]))

    def fires(self, engine: Engine, chunk: Chunk) -> np.ndarray:
        if self.fixed is not None:
            return np.broadcast_to(self.fixed, chunk.totals.shape)
        score, points = engine.node_score_points(chunk, self.veto.node)
        return _veto_test(self.veto, score, points)


def _missing(veto: Any, units: Units, col: int) -> np.ndarray:
    """Units the ``missing`` veto fires for: as ``result.totals.flags`` reports it; where an earlier veto took
    the unit (so this one was not recorded) or there are no flags, from the node rows (:func:`_has_data`)."""
    guess = ~units.has_data[:, col]
    if units.flags is None:
        return guess
    mine = np.array([f"veto:{veto.code}" in f.split(";") for f in units.flags])
    other = np.array(["veto:" in f for f in units.flags]) & ~mine
    return mine | (other & guess)


def _veto_test(veto: Any, score: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``measure op value`` on a node, as :func:`perfeval.score` applies vetoes (NaN never fires)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = score if veto.measure == "score" else np.where(points > 0, score / points, np.nan)
    return _OPS[veto.op](value, float(veto.value)) & ~np.isnan(value)
