"""Map observation rows to framework nodes (private to :mod:`perfeval.aggregate`).

A row lands on a *home* node: a fixed leaf (the row scores that leaf) or a slot / inner node (the row is a
unit-specific indicator under it). Matching runs once per distinct ``node_code``, ``indicator_code`` or
(``l1``, ``l2``) pair, and once per distinct indicator name where a name has to be looked up, then maps back.

Lenient names: NFKC, no spaces, no leading enumeration (``一、`` ``1.`` ``(2)``), no trailing ``等`` or colon,
``指标`` removed, case-folded; so ``服务对象满意度指标等``, ``服务对象满意度`` and ``服务对象满意度指标`` are one name.
A node answers to its name, English name, code, the last part of its code and its aliases.

Unmatched second-level names are flagged ``unmatched_l2`` (a warning) and the row is attached to the first-level
node's only slot when it has exactly one; otherwise the indicator name is looked up among the first-level node's
fixed leaves and, failing that, the row is attached directly under the first-level node as an unclassified
indicator (``node_code = "<l1 code>.<k>"``), so its points still count where the unit put them.

Rows located by ``node_code`` on a fixed leaf with a ``score`` and no ``target``, ``actual``, ``level`` or
``rating`` are marked ``judged`` (an evaluator's score sheet); :mod:`._rows` scores them ``score / points``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from ..framework import Framework
from ..targets import _cumcount, _factorize, _is_missing, _problems, _small_unique

__all__ = ["Tree", "Rows", "map_rows", "name_key", "unit_text", "unit_texts", "open_points", "points_off_total",
           "FLAG_BITS"]

#: Row and unit flags stored as bits while scoring (the strings in ``flags`` columns).
FLAG_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate((
    "missing_actual", "not_applicable", "target_too_low", "reduced_over_achievement", "score_from_level",
    "unmatched_l2", "unmatched_indicator", "executed_above_budget", "zero_budget", "missing_budget", "points_sum",
    "scored_by_evaluator", "not_reported", "points_rescaled",
))}

_ENUM = re.compile(r"^(?:[(]?[0-9一二三四五六七八九十]+[).、:]|[(][0-9一二三四五六七八九十]+[)])")
_TRUE = frozenset({"true", "1", "1.0", "是", "适用", "y", "yes", "t", "√"})
_FALSE = frozenset({"false", "0", "0.0", "否", "不适用", "n", "no", "f", "×", "n/a", "na"})


def name_key(text: Any) -> str:
    """A name as compared leniently (see the module docstring)."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    s = _ENUM.sub("", s).rstrip(":")
    if s.endswith("等"):
        s = s[:-1]
    return s.replace("指标", "").lower()


@dataclass(frozen=True)
class Tree:
    """The framework as arrays in pre-order (index = position), with the name look-ups."""

    framework: Framework
    codes: tuple[str, ...]
    parents: np.ndarray
    levels: np.ndarray
    points: np.ndarray
    slot: np.ndarray
    leaf: np.ndarray
    names: tuple[str, ...]
    rules: tuple[str | None, ...]
    params: tuple[dict, ...]
    index: dict[str, int]
    l1_lookup: dict[str, int] = field(repr=False)
    child_lookup: dict[int, dict[str, int]] = field(repr=False)
    leaf_lookup: dict[int, dict[str, int]] = field(repr=False)
    code_lookup: dict[str, int] = field(repr=False)

    @classmethod
    def from_framework(cls, fw: Framework) -> "Tree":
        """Arrays and look-ups of ``fw`` in pre-order."""
        walked = list(fw.walk())
        codes = tuple(n.code for n, _, _ in walked)
        index = {c: i for i, c in enumerate(codes)}
        parents = np.array([-1 if p is None else index[p] for _, _, p in walked], dtype=np.int64)
        nodes = [n for n, _, _ in walked]

        def keys(i: int) -> list[str]:
            """Lenient keys a node answers to."""
            n = nodes[i]
            words = [n.name, n.name_en, n.code, n.code.rsplit(".", 1)[-1], *n.aliases]
            return [name_key(w) for w in words if w]

        l1 = {}
        for i in np.flatnonzero(parents < 0):
            for k in keys(i):
                l1.setdefault(k, int(i))
        child: dict[int, dict[str, int]] = {}
        leaves: dict[int, dict[str, int]] = {}
        for i, n in enumerate(nodes):
            child[i] = {}
            for j in np.flatnonzero(parents == i):
                for k in keys(j):
                    child[i].setdefault(k, int(j))
        is_leaf = np.array([not n.children for n in nodes])
        is_slot = np.array([bool(n.slot) for n in nodes])
        for i in range(len(nodes)):
            leaves[i] = {}
            for j in _descendants(parents, i):
                if is_leaf[j] and not is_slot[j]:
                    for k in keys(j) + ([name_key(nodes[j].indicator_code)] if nodes[j].indicator_code else []):
                        leaves[i].setdefault(k, j)
        code_lookup = {str(n.indicator_code).strip(): i for i, n in enumerate(nodes)
                       if n.indicator_code and is_leaf[i] and not is_slot[i]}
        return cls(
            framework=fw, codes=codes, parents=parents,
            levels=np.array([lv for _, lv, _ in walked], dtype=np.int64),
            points=np.array([np.nan if n.points is None else n.points for n in nodes], dtype=float),
            slot=is_slot, leaf=is_leaf, names=tuple(n.name for n in nodes),
            rules=tuple(n.rule if n.rule else ("auto" if (not n.children) else None) for n in nodes),
            params=tuple(dict(n.params) for n in nodes), index=index, l1_lookup=l1, child_lookup=child,
            leaf_lookup=leaves, code_lookup=code_lookup)

    # convenience arrays
    @property
    def fixed_leaf(self) -> np.ndarray:
        """Leaves that are not slots."""
        return self.leaf & ~self.slot

    @property
    def codes_arr(self) -> np.ndarray:
        """Node codes as an object array."""
        return np.array(self.codes, dtype=object)

    @property
    def names_arr(self) -> np.ndarray:
        """Node names as an object array."""
        return np.array(self.names, dtype=object)

    @property
    def rules_arr(self) -> np.ndarray:
        """Node rules as an object array."""
        return np.array(self.rules, dtype=object)

    @property
    def parent_codes(self) -> np.ndarray:
        """Parent code of each node (None at the first level)."""
        return np.array([None if p < 0 else self.codes[p] for p in self.parents], dtype=object)

    @property
    def preorder(self) -> np.ndarray:
        """Pre-order positions (the node indices)."""
        return np.arange(len(self.codes), dtype=np.int64)

    @property
    def top_down(self) -> range:
        """Node indices parents first."""
        return range(len(self.codes))

    @property
    def bottom_up(self) -> range:
        """Node indices children first."""
        return range(len(self.codes) - 1, -1, -1)

    def l1_names(self) -> str:
        """First-level names, for messages."""
        return ", ".join(self.names[i] for i in np.flatnonzero(self.parents < 0))

    def child_names(self, i: int) -> str:
        """Names of the children of ``i``, for messages."""
        return ", ".join(self.names[j] for j in np.flatnonzero(self.parents == i))

    def slots_under(self, i: int) -> list[int]:
        """Slot children of node ``i``."""
        return [int(j) for j in np.flatnonzero(self.parents == i) if self.slot[j]]


def _descendants(parents: np.ndarray, i: int) -> list[int]:
    """Indices of every node below ``i``."""
    out, frontier = [], [i]
    while frontier:
        kids = [int(j) for p in frontier for j in np.flatnonzero(parents == p)]
        out += kids
        frontier = kids
    return out


@dataclass
class Rows:
    """Observation rows mapped to the tree (arrays aligned with ``frame``)."""

    frame: pd.DataFrame
    units: pd.Index
    unit: np.ndarray
    home: np.ndarray
    is_indicator: np.ndarray
    k: np.ndarray
    names: np.ndarray
    applicable: np.ndarray
    points: np.ndarray
    bits: np.ndarray
    unit_bits: np.ndarray
    problems: list[Problem]
    judged: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``frame``, or an all-None column when absent."""
    if name in frame:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def unit_text(value: Any) -> str:
    """A unit id as text: whole floats lose ``.0`` (1001.0 -> "1001"), spaces are stripped.

    The one normalisation of unit ids: the engine, the audit and the re-check comparison read ids through it, so a
    sheet whose id column came out as floats names the same units everywhere.
    """
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _unit_text_list(values: Any) -> list[str]:
    """:func:`unit_text` of each value; text (the usual id) is only stripped."""
    return [v.strip() if type(v) is str else unit_text(v) for v in values]


def unit_texts(values: pd.Series) -> pd.Series:
    """``values.map(unit_text)`` as an object Series, computed once per distinct id (33,000 budget rows: 15x
    faster than mapping each cell of a pandas 3 ``str`` column)."""
    codes, uniq = _factorize(values)
    text = np.array(_unit_text_list(uniq) + [None], dtype=object)
    out = text[codes]  # code -1 (a missing id) takes the last slot, filled below as map() would
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        out[missing] = [unit_text(values.iat[i]) for i in missing]
    return pd.Series(out, index=values.index, dtype=object, name=values.name)


def _units(frame: pd.DataFrame, problems: list[Problem]) -> tuple[pd.Index, np.ndarray]:
    """Unit ids as text (in order of appearance) and each row's unit index."""
    codes, uniq = _factorize(frame["unit_id"])
    text = _unit_text_list(uniq)
    blank = np.array([not t for t in text], dtype=bool)
    bad = codes < 0
    if blank.any():
        bad |= np.isin(codes, np.flatnonzero(blank))
    problems += _problems(frame, bad, "unit_id", "missing_value", "`unit_id` is empty")
    remap, units = pd.factorize(pd.Index(text, dtype=object))
    unit = np.where(codes >= 0, remap[np.maximum(codes, 0)] if len(remap) else 0, 0)
    return pd.Index(units, dtype=object), unit.astype(np.int64)


def _booleans(frame: pd.DataFrame, problems: list[Problem]) -> np.ndarray:
    """The ``applicable`` column as booleans (是/否, true/false, 1/0; empty is True)."""
    if "applicable" not in frame:
        return np.ones(len(frame), dtype=bool)
    col = frame["applicable"]
    if col.dtype == bool:
        return col.to_numpy()
    codes, uniq = _factorize(col)
    values = np.ones(len(uniq), dtype=bool)
    for i, u in enumerate(uniq):
        key = str(u).strip().lower()
        if isinstance(u, (bool, np.bool_)):
            values[i] = bool(u)
        elif key in _FALSE:
            values[i] = False
        elif key not in _TRUE:
            problems += _problems(frame, codes == i, "applicable", "not_boolean",
                                  f"`applicable` must be true/false (是/否); got {u!r}")
    return np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else True, True)


def _numbers(frame: pd.DataFrame, name: str, problems: list[Problem]) -> np.ndarray:
    """A numeric column as floats; text that is not a number is a located problem."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    col = frame[name]
    if pd.api.types.is_numeric_dtype(col) and col.dtype != bool:
        return col.to_numpy(dtype=float, na_value=np.nan)
    num = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(num) & ~col.isna().to_numpy() & (col.astype("string").str.strip() != "").to_numpy(
        dtype=bool, na_value=False)
    problems += _problems(frame, bad, name, "not_numeric",
                          lambda rows: [f"`{name}` must be a number; got {col.iat[r]!r}" for r in rows])
    return num


def map_rows(tree: Tree, frame: pd.DataFrame) -> Rows:
    """Assign every row its home node; collect the mapping problems (see the module docstring)."""
    problems: list[Problem] = []
    n = len(frame)
    if "unit_id" not in frame:
        from ..columns import OBSERVATION_ALIASES
        accepted = ", ".join(["unit_id", *OBSERVATION_ALIASES["unit_id"]])
        return _fail(frame, Problem("observations", "missing_column",
                                    f"required column `unit_id` is missing; accepted headers: {accepted}"))
    if not any(c in frame for c in ("node_code", "l1", "indicator_code")):
        return _fail(frame, Problem("observations", "missing_column",
                                    "the observations need `l1` (一级指标), `indicator_code` or `node_code` to "
                                    "locate each row in the framework"))
    units, unit = _units(frame, problems)
    home = np.full(n, -1, dtype=np.int64)
    bits = np.zeros(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    by_code = np.zeros(n, dtype=bool)
    if "node_code" in frame:
        codes, uniq = _factorize(frame["node_code"])
        for i, u in enumerate(uniq):
            idx = tree.index.get(str(u).strip())
            rows_i = codes == i
            if idx is None:
                problems += _problems(frame, rows_i, "node_code", "unknown_node",
                                      f"`node_code` must be a node of framework {tree.framework.name!r}; got {u!r}")
            elif not tree.leaf[idx]:
                problems += _problems(frame, rows_i, "node_code", "not_a_leaf",
                                      f"node {u!r} has children; scores go on its leaves")
            else:
                home[rows_i] = idx
                by_code |= rows_i
            todo &= ~rows_i
    if "indicator_code" in frame and tree.code_lookup and todo.any():
        codes, uniq = _factorize(frame["indicator_code"])
        for i, u in enumerate(uniq):
            idx = tree.code_lookup.get(str(u).strip())
            if idx is not None:
                rows_i = (codes == i) & todo
                home[rows_i] = idx
                todo &= ~rows_i
    if todo.any():
        if "l1" not in frame:
            problems += _problems(frame, todo, "l1", "missing_column",
                                  "the row has no `l1` (一级指标) and no code matching the framework")
        else:
            _map_names(tree, frame, todo, home, bits, problems)
    is_ind = (home >= 0) & tree.slot[np.maximum(home, 0)] | (home >= 0) & ~tree.leaf[np.maximum(home, 0)]
    return _finish(tree, frame, units, unit, home, is_ind, bits, problems, _judged(tree, frame, home, by_code))


def _present(frame: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """True for the given row positions whose ``name`` cell holds something (not NA, not blank text)."""
    if name not in frame:
        return np.zeros(len(rows), dtype=bool)
    col = frame[name].iloc[rows]
    if pd.api.types.is_numeric_dtype(col.dtype) and col.dtype != bool:
        return col.notna().to_numpy(copy=True)
    codes, uniq = _factorize(col)  # each distinct cell checked once
    filled = np.array([not _is_missing(v) for v in uniq], dtype=bool)
    return (codes >= 0) & (filled[np.maximum(codes, 0)] if len(uniq) else False)


def _judged(tree: Tree, frame: pd.DataFrame, home: np.ndarray, by_code: np.ndarray) -> np.ndarray:
    """Rows that are an evaluator's judgement of a fixed leaf: located by ``node_code``, with a ``score`` and no
    ``target``, ``actual``, ``level`` or ``rating`` (score sheets: panel consensus, ex-ante, key evaluations)."""
    out = np.zeros(len(frame), dtype=bool)
    if "score" not in frame:
        return out
    rows = np.flatnonzero(by_code & (home >= 0))
    rows = rows[tree.fixed_leaf[home[rows]]]
    keep = _present(frame, "score", rows)
    for name in ("target", "actual", "level", "rating"):
        keep = keep & ~_present(frame, name, rows)
    out[rows[keep]] = True
    return out


def _fail(frame: pd.DataFrame, problem: Problem) -> Rows:
    """Empty rows carrying one problem (the frame cannot be mapped at all)."""
    empty = np.zeros(0, dtype=np.int64)
    return Rows(frame.iloc[:0], pd.Index([], dtype=object), empty, empty, empty.astype(bool), empty,
                np.zeros(0, dtype=object), empty.astype(bool), np.zeros(0), empty, empty, [problem])


def _map_names(tree: Tree, frame: pd.DataFrame, todo: np.ndarray, home: np.ndarray, bits: np.ndarray,
               problems: list[Problem]) -> None:
    """Rows located by their ``l1`` / ``l2`` names (see the module docstring)."""
    c1, u1 = _factorize(frame["l1"])
    c2, u2 = _factorize(_column(frame, "l2"))
    pair = (c1.astype(np.int64) + 1) * (len(u2) + 1) + (c2 + 1)
    pair = np.where(todo, pair, -1)
    uniq, inv = _small_unique(pair + 1)  # O(n); pairs are small non-negative numbers, -1 (not to do) first
    uniq = uniq - 1
    pending: list[tuple[np.ndarray, int]] = []
    for j, p in enumerate(uniq):
        if p < 0:
            continue
        rows_j = inv == j
        i1, i2 = int(p // (len(u2) + 1)) - 1, int(p % (len(u2) + 1)) - 1
        l1 = None if i1 < 0 else u1[i1]
        l2 = None if i2 < 0 else u2[i2]
        if l1 is None or _is_missing(l1):
            problems += _problems(frame, rows_j, "l1", "missing_value", "`l1` (一级指标) is empty")
            continue
        n1 = tree.l1_lookup.get(name_key(l1))
        if n1 is None:
            problems += _problems(frame, rows_j, "l1", "unknown_l1",
                                  f"`l1` must name a first-level node of {tree.framework.name!r} "
                                  f"({tree.l1_names()}, or their codes and aliases); got {l1!r}")
            continue
        if tree.leaf[n1]:
            home[rows_j] = n1
            continue
        given = l2 is not None and not _is_missing(l2)
        c = tree.child_lookup[n1].get(name_key(l2)) if given else None
        if c is None and given:
            c = tree.leaf_lookup[n1].get(name_key(l2))
        if c is not None:
            if tree.leaf[c]:
                home[rows_j] = c
            else:
                pending.append((rows_j, c))
            continue
        slots = tree.slots_under(n1)
        if len(slots) == 1:
            home[rows_j] = slots[0]
            if given:
                bits[rows_j] |= FLAG_BITS["unmatched_l2"]
                problems += _problems(frame, rows_j, "l2", "unmatched_l2",
                                      f"`l2` {l2!r} matches no second-level node of {tree.names[n1]!r} "
                                      f"({tree.child_names(n1)}); attached to its only slot", "warning")
            continue
        if given:
            bits[rows_j] |= FLAG_BITS["unmatched_l2"]
            problems += _problems(frame, rows_j, "l2", "unmatched_l2",
                                  f"`l2` {l2!r} matches no second-level node of {tree.names[n1]!r} "
                                  f"({tree.child_names(n1)}); matched by indicator name or attached under "
                                  f"{tree.codes[n1]!r}", "warning")
        pending.append((rows_j, n1))
    for rows_j, node in pending:
        _match_indicators(tree, frame, rows_j, node, home, bits, problems)


def _match_indicators(tree: Tree, frame: pd.DataFrame, rows_j: np.ndarray, node: int, home: np.ndarray,
                      bits: np.ndarray, problems: list[Problem]) -> None:
    """Rows under an inner node: fixed leaf by indicator name, else the only slot, else attached to the node."""
    slots = [j for j in _descendants(tree.parents, node) if tree.slot[j]]
    lookup = tree.leaf_lookup[node]
    idx = np.flatnonzero(rows_j)
    names = _column(frame, "indicator").to_numpy(dtype=object)[idx]
    codes, uniq = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
    target = np.full(len(uniq), -1, dtype=np.int64)
    for i, u in enumerate(uniq):
        target[i] = lookup.get(name_key(u), -1)
    found = target[np.maximum(codes, 0)] if len(uniq) else np.full(len(idx), -1)
    found = np.where(codes >= 0, found, -1)
    fallback = slots[0] if len(slots) == 1 else node
    home[idx] = np.where(found >= 0, found, fallback)
    unmatched = idx[found < 0]
    if len(unmatched) and fallback == node and tree.leaf_lookup[node]:
        mask = np.zeros(len(frame), dtype=bool)
        mask[unmatched] = True
        bits[mask] |= FLAG_BITS["unmatched_indicator"]
        problems += _problems(frame, mask, "indicator", "unmatched_indicator",
                              f"the indicator matches no leaf of {tree.names[node]!r}; attached under "
                              f"{tree.codes[node]!r} as an unclassified indicator", "warning")


def _finish(tree: Tree, frame: pd.DataFrame, units: pd.Index, unit: np.ndarray, home: np.ndarray,
            is_ind: np.ndarray, bits: np.ndarray, problems: list[Problem], judged: np.ndarray) -> Rows:
    """Points, applicability, duplicates, execution rows, ``<slot>.<k>`` numbers."""
    n = len(frame)
    applicable = _booleans(frame, problems)
    points = _numbers(frame, "points", problems)
    mapped = home >= 0
    names = _column(frame, "indicator").to_numpy(dtype=object)
    need = mapped & is_ind
    if "points" not in frame and need.any():
        problems.append(Problem("observations", "missing_column",
                                "required column `points` (分值, 权重) is missing: unit-specific indicators need "
                                "their points"))
    else:
        problems += _problems(frame, need & np.isnan(points), "points", "missing_value",
                              "`points` is empty: an indicator needs its points")
        problems += _problems(frame, need & (points < 0), "points", "negative_value",
                              lambda rows: [f"`points` must be >= 0; got {points[r]:g}" for r in rows])
        problems += _problems(frame, need & (points == 0), "points", "zero_points",
                              "the indicator has 0 points (PMKPI requires > 0); it cannot change the total",
                              "warning")
    missing_name = need & pd.isna(names)
    problems += _problems(frame, missing_name, "indicator", "missing_value",
                          "`indicator` (三级指标) is empty: a unit-specific indicator needs its name")
    # duplicates: (unit, indicator name) within a unit (PMKPI ISCHECKINDEXNAME), (unit, leaf) for fixed leaves
    raw_codes, raw_names = pd.factorize(names, use_na_sentinel=True)
    stripped, nu = pd.factorize(pd.Index([str(v).strip() for v in raw_names], dtype=object))
    nc = np.where(raw_codes >= 0, stripped[np.maximum(raw_codes, 0)] if len(stripped) else -1, -1)
    ident = np.where(is_ind, nc.astype(np.int64) + len(tree.codes) + 1, home)
    key = unit * (len(nu) + len(tree.codes) + 2) + ident
    dup = mapped & pd.Series(key).duplicated(keep="first").to_numpy() & ~missing_name
    problems += _problems(frame, dup, "indicator", "duplicate_indicator", lambda rows: [
        f"unit {units[unit[r]]!r} has " + (f"indicator {str(names[r]).strip()!r}" if is_ind[r] else
                                           f"node {tree.codes[home[r]]!r}")
        + " more than once (names must be unique within a unit, PMKPI ISCHECKINDEXNAME)" for r in rows])
    execution = mapped & ~is_ind & np.array([r == "execution" for r in tree.rules])[np.maximum(home, 0)] & ~judged
    problems += _problems(frame, execution, "l1", "execution_row_ignored",
                          "budget execution is scored from the budget table; this observation row is ignored "
                          "(give the execution score as a `node_code, score` row, or the amounts in the budget "
                          "table)", "warning")
    keep = mapped & ~execution
    k = np.zeros(n, dtype=np.int64)
    if (keep & is_ind).any():
        grp = np.where(keep & is_ind, unit * (len(tree.codes) + 1) + home, -1)
        k = _cumcount(grp) + 1
    unit_bits = np.zeros(len(units), dtype=np.int64)
    problems += _points_sum(tree, frame, units, unit, points, keep & is_ind, unit_bits)
    if not keep.all():
        sel = np.flatnonzero(keep)
        frame = frame.iloc[sel]
        unit, home, is_ind, k, names = unit[sel], home[sel], is_ind[sel], k[sel], names[sel]
        applicable, points, bits, judged = applicable[sel], points[sel], bits[sel], judged[sel]
    bits = bits | np.where(applicable, 0, FLAG_BITS["not_applicable"])
    return Rows(frame, units, unit, home, is_ind, k, names, applicable, points, bits, unit_bits, problems, judged)


def _points_sum(tree: Tree, frame: pd.DataFrame, units: pd.Index, unit: np.ndarray, points: np.ndarray,
                ind: np.ndarray, unit_bits: np.ndarray) -> list[Problem]:
    """``points_sum`` warnings (and unit flags) of the units whose indicator rows ``ind`` are off
    (:func:`points_off_total`)."""
    if not ind.any():
        return []
    files = frame["source_file"].to_numpy(dtype=object)[ind] if "source_file" in frame else None
    codes, first_units = pd.factorize(unit[ind], sort=False)  # integer codes: no text hashed again
    off = _points_off(tree.framework, codes, units.to_numpy(dtype=object)[first_units], points[ind], files)
    unit_bits[units.get_indexer(off["unit_id"])] |= FLAG_BITS["points_sum"]
    return [Problem(loc, "points_sum", msg, "warning") for loc, msg in zip(off["location"], off["message"])]


def open_points(fw: Framework) -> float:
    """The points a unit's own indicators share: the framework's total less its fixed leaves' (90 of 100 in
    ``project_self``, whose fixed leaf is budget execution)."""
    return float(fw.total - sum(n.points or 0.0 for n in fw.leaves() if not n.slot))


def points_off_total(fw: Framework, unit_ids: Any, points: Any, files: Any = None) -> pd.DataFrame:
    """The units whose indicator points do not add up to :func:`open_points` (beyond ``fw.tolerance``).

    The one check behind :func:`perfeval.score`'s ``points_sum`` warning and the audit's ``points_not_total``
    finding (PMKPI #54504033813: the indicators of a project share 90 points).

    Parameters
    ----------
    fw : Framework
    unit_ids : array-like of str
        The unit of each indicator row (ids as :func:`unit_text` gives them).
    points : array-like of float
        Each row's points as written (NaN counts 0).
    files : array-like of str, optional
        Each row's source file; a unit is located at the file of its first row.

    Returns
    -------
    pandas.DataFrame
        One row per unit off the total, in order of first appearance: ``unit_id``, ``points_sum``, ``expected``,
        ``location`` (``file:unit <id>``, or ``unit <id>``), ``message``.
    """
    codes, uniq = pd.factorize(np.asarray(unit_ids, dtype=object), sort=False)
    return _points_off(fw, codes, uniq, points, files)


def _points_off(fw: Framework, codes: np.ndarray, uniq: Any, points: Any, files: Any) -> pd.DataFrame:
    """:func:`points_off_total` of rows already numbered by unit in order of first appearance (``uniq[codes]``
    are the ids)."""
    expected = open_points(fw)
    sums = np.bincount(codes, weights=np.nan_to_num(np.asarray(points, dtype=float)), minlength=len(uniq))
    bad = np.flatnonzero(np.abs(sums - expected) > fw.tolerance)
    # codes number the units in order of appearance: a unit's first row is where the running maximum grows
    first = np.flatnonzero(np.r_[True, codes[1:] > np.maximum.accumulate(codes)[:-1]]) if len(codes) else codes
    where = np.full(len(uniq), None, dtype=object) if files is None else np.asarray(files, dtype=object)[first]
    ids = [str(uniq[u]) for u in bad]
    return pd.DataFrame({
        "unit_id": pd.Series(ids, dtype=object), "points_sum": sums[bad],
        "expected": np.full(len(bad), expected),
        "location": pd.Series([f"{where[u]}:unit {i}" if not _is_missing(where[u]) else f"unit {i}"
                               for u, i in zip(bad, ids)], dtype=object),
        "message": pd.Series([f"the indicator points of unit {i!r} sum to {sums[u]:g}, not {expected:g} (framework "
                              f"{fw.name!r})" for u, i in zip(bad, ids)], dtype=object)})
