"""Checks of evaluation frameworks: the content of a built Framework, and against the indicator library.

Two kinds of checks, both reporting every problem at once:

* :func:`structure_problems` (in :mod:`perfeval.framework._structure`, re-exported here) runs on the raw mapping
  of a framework file before any object is built (unknown or missing keys, values of the wrong type).
  :meth:`perfeval.Framework.from_dict` raises them as one :class:`~perfeval.errors.FrameworkError`, because such a
  file cannot be turned into a framework at all.
* :func:`validate_framework` runs on a built :class:`~perfeval.Framework` and *returns* its content problems
  (points that do not sum, unknown rules, bands with gaps ...), so a user sees all of them in one run.

Problems are located at ``file:line`` when the framework was loaded from YAML (the line of the offending node,
band, constraint or veto), else at the node code (or ``bands[<label>]``, ``constraints[<code>]``,
``vetoes[<code>]``, the framework name). :data:`PROBLEM_CODES` lists the stable codes.

The top layer of :mod:`perfeval.framework`: it imports the model and the indicator library
(:mod:`perfeval.library`), which itself imports nothing from :mod:`perfeval.framework`.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Iterable, Mapping

from ..errors import Problem
from ..library import IndicatorLibrary, load_library
from ..library._schema import cost_ge_allowed
from ..scoring import check_params
from ._model import Framework, Node
from ._structure import NODE_KEYS, PROBLEM_CODES, _at, _problem, in_file_order, structure_problems

__all__ = ["PROBLEM_CODES", "NODE_KEYS", "structure_problems", "validate_framework"]

OPS = (">=", "<=", "=", "qualitative")
_CONSTRAINT_OPS = (">=", "<=", ">", "<", "=")
_VETO_OPS = ("<", "<=", ">", ">=", "missing")
_VETO_MEASURES = ("achievement", "score")
_RULE_OP = {"positive": ">=", "reverse": "<=", "equality": "=", "qualitative": "qualitative"}
_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
#: Words that mark a rate of *saving* (higher is better) rather than a cost, so `>=` is right for it
#: (成本节约率 = (计划成本 - 实际成本) / 计划成本, domain.md §5.1).
SAVING_WORDS = ("节约", "节省", "降低", "下降", "saving", "reduction")


# ---------------------------------------------------------------------------------------------------------------
# content of a Framework
# ---------------------------------------------------------------------------------------------------------------
def _node_at(fw: "Framework", node: "Node") -> str:
    return _at(fw.path, node.line, node.code)


def _key_at(fw: "Framework", key: str) -> str:
    return _at(fw.path, fw.lines.get(key), fw.name)


def _tolerance(fw: "Framework") -> float:
    """The points tolerance, 0 when it is invalid (reported once by the header check)."""
    return fw.tolerance if math.isfinite(fw.tolerance) and fw.tolerance > 0 else 0.0


def _bad_number(value: float | None) -> bool:
    return value is not None and not math.isfinite(value)


def _check_header(fw: "Framework") -> list[Problem]:
    out = []
    if not (math.isfinite(fw.total) and fw.total > 0):
        out.append(_problem(_key_at(fw, "total"), "total_invalid",
                            f"`total` must be a positive number; got {fw.total:g}."))
    if not (math.isfinite(fw.tolerance) and fw.tolerance >= 0):
        out.append(_problem(_key_at(fw, "tolerance"), "tolerance_invalid",
                            f"`tolerance` must be a number >= 0; got {fw.tolerance:g}."))
    if not fw.nodes:
        out.append(_problem(_key_at(fw, "nodes"), "nodes_empty", "a framework needs at least one node"))
    return out


def _check_node(fw: "Framework", node: "Node", seen: dict[str, str], rules_check: Any) -> list[Problem]:
    """Problems of one node on its own: code, names, points, rule, operator."""
    at, what = _node_at(fw, node), f"node `{node.code}`"
    out = []
    if not _CODE_RE.match(node.code):
        out.append(_problem(at, "code_invalid", f"{what}: code must match [A-Za-z][A-Za-z0-9_.-]*."))
    if node.code in seen:
        out.append(_problem(at, "duplicate_code", f"{what}: code already used at {seen[node.code]}."))
    else:
        seen[node.code] = at
    if not node.name.strip():
        out.append(_problem(at, "name_missing", f"{what}: `name` (Chinese name) must not be empty."))
    if not node.name_en.strip():
        out.append(_problem(at, "name_en_missing", f"{what}: add `name_en` (English name)."))
    if node.points is None and not node.slot:
        out.append(_problem(at, "points_missing", f"{what}: `points` is required (only slots may have null)."))
    elif _bad_number(node.points):
        out.append(_problem(at, "points_invalid", f"{what}: `points` must be finite; got {node.points}."))
    elif node.points is not None and node.points <= 0:
        out.append(_problem(at, "points_nonpositive", f"{what}: `points` must be > 0; got {node.points:g}."))
    if node.slot and node.children:
        out.append(_problem(at, "slot_children", f"{what}: a slot takes units' own indicators and must not "
                                                 "have fixed children; drop `slot: true` or the children."))
    if node.children:
        extra = [k for k in ("rule", "op", "indicator_code") if getattr(node, k) is not None]
        if extra:
            out.append(_problem(at, "inner_leaf_field", f"{what}: {extra} are ignored on a node with children."))
    elif node.rule is None:
        out.append(_problem(at, "rule_missing", f"{what}: a leaf needs `rule` (one of the scoring rules)."))
    else:
        out.extend(_problem(at, p.code, f"{what}: {p.message}") for p in rules_check(node.rule, node.params))
    if node.op is not None and node.op not in OPS:
        out.append(_problem(at, "op_invalid", f"{what}: `op` must be one of {', '.join(OPS)}; got {node.op!r}."))
    elif node.op is not None and node.rule in _RULE_OP and _RULE_OP[node.rule] != node.op:
        out.append(_problem(at, "op_rule_mismatch", f"{what}: op {node.op!r} contradicts rule {node.rule!r} "
                                                    f"(which scores {_RULE_OP[node.rule]!r})."))
    return out


def _sum_problem(fw: "Framework", children: Iterable["Node"], expected: float, at: str, what: str,
                 code: str) -> list[Problem]:
    """Children's points against ``expected``; slots with null points only need room left for them."""
    children = list(children)
    fixed = [c.points for c in children if c.points is not None and math.isfinite(c.points)]
    open_slots = len(fixed) < len(children)
    total = math.fsum(fixed)
    tol = _tolerance(fw)
    if open_slots and total > expected + tol:
        return [_problem(at, code, f"{what}: fixed children's points sum to {total:g}, more than the "
                                   f"{expected:g} available (tolerance {tol:g}).")]
    if not open_slots and abs(total - expected) > tol:
        return [_problem(at, code, f"{what}: children's points sum to {total:g} but must sum to {expected:g} "
                                   f"(tolerance {tol:g}).")]
    return []


def _check_tree(fw: "Framework") -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, str] = {}
    for node, _, _ in fw.walk():
        out.extend(_check_node(fw, node, seen, check_params))
        if node.children and node.points is not None and math.isfinite(node.points):
            out.extend(_sum_problem(fw, node.children, node.points, _node_at(fw, node), f"node `{node.code}`",
                                    "points_sum"))
    if fw.nodes and math.isfinite(fw.total):
        out.extend(_sum_problem(fw, fw.nodes, fw.total, _key_at(fw, "total"),
                                f"framework {fw.name!r}: first-level nodes", "total_sum"))
    return out


def _compare(left: float, op: str, right: float, tol: float) -> bool:
    return {">=": left >= right - tol, "<=": left <= right + tol, ">": left > right + tol,
            "<": left < right - tol, "=": abs(left - right) <= tol}[op]


def _check_constraints(fw: "Framework", points: Mapping[str, float | None]) -> list[Problem]:
    out: list[Problem] = []
    seen: set[str] = set()
    for c in fw.constraints:
        at, what = _at(fw.path, c.line, f"constraints[{c.code}]"), f"constraint `{c.code}`"
        if c.code in seen:
            out.append(_problem(at, "duplicate_code", f"{what}: code used twice among the constraints."))
        seen.add(c.code)
        unknown = [n for n in c.nodes if n not in points]
        if unknown:
            out.append(_problem(at, "constraint_unknown_node", f"{what}: unknown node(s) {unknown}."))
        if c.op not in _CONSTRAINT_OPS:
            out.append(_problem(at, "constraint_op", f"{what}: `op` must be one of "
                                                     f"{', '.join(_CONSTRAINT_OPS)}; got {c.op!r}."))
        if not (0 <= c.share <= 1):
            out.append(_problem(at, "constraint_share", f"{what}: `share` must be in [0, 1]; got {c.share:g}."))
        values = [points.get(n) for n in c.nodes]
        if (unknown or c.op not in _CONSTRAINT_OPS or not 0 <= c.share <= 1 or fw.total <= 0
                or any(v is None or not math.isfinite(v) for v in values)):
            continue
        held = math.fsum(values)  # type: ignore[arg-type]
        if not _compare(held, c.op, c.share * fw.total, _tolerance(fw)):
            out.append(_problem(at, "constraint_violated",
                                f"{what}: {' + '.join(c.nodes)} = {held:g} points = {held / fw.total:.1%} of "
                                f"{fw.total:g}; must be {c.op} {c.share:.0%}. {c.message}".rstrip()))
    return out


def _check_bands(fw: "Framework") -> list[Problem]:
    by_where = {f"bands[{b.label}]": b for b in fw.bands.bands}
    out = []
    for p in fw.bands.problems():
        band = by_where.get(p.location)
        at = _at(fw.path, band.line if band is not None else fw.lines.get("bands"), p.location)
        out.append(_problem(at, p.code, f"{p.location}: {p.message}"))
    if fw.bands.bands:
        low, high = fw.bands.low, fw.bands.high
        if abs(low) > _tolerance(fw) or abs(high - fw.total) > _tolerance(fw):
            out.append(_problem(_key_at(fw, "bands"), "band_range",
                                f"bands cover [{low:g}, {high:g}] but must cover [0, {fw.total:g}] (the total)."))
    return out


def _check_vetoes(fw: "Framework", points: Mapping[str, float | None]) -> list[Problem]:
    out: list[Problem] = []
    grades = [*fw.bands.labels, *fw.override_grades]
    seen: set[str] = set()
    for v in fw.vetoes:
        at, what = _at(fw.path, v.line, f"vetoes[{v.code}]"), f"veto `{v.code}`"
        if v.code in seen:
            out.append(_problem(at, "duplicate_code", f"{what}: code used twice among the vetoes."))
        seen.add(v.code)
        if v.node not in points:
            out.append(_problem(at, "veto_unknown_node", f"{what}: `node` must be a node code; got {v.node!r}."))
        if v.grade not in grades:
            out.append(_problem(at, "veto_grade", f"{what}: `grade` must be a band label or an override grade "
                                                  f"({', '.join(grades)}); got {v.grade!r}. Declare it under "
                                                  "`override_grades`."))
        if v.op not in _VETO_OPS:
            out.append(_problem(at, "veto_op", f"{what}: `op` must be one of {', '.join(_VETO_OPS)}; "
                                               f"got {v.op!r}."))
        if v.measure not in _VETO_MEASURES:
            out.append(_problem(at, "veto_measure", f"{what}: `measure` must be achievement or score; "
                                                    f"got {v.measure!r}."))
        if v.op in _VETO_OPS and v.op != "missing":
            top = 1.0 if v.measure == "achievement" else points.get(v.node)
            if v.value is None:
                out.append(_problem(at, "veto_value", f"{what}: op {v.op!r} needs a `value`."))
            elif top is not None and not (0 <= v.value <= top):
                out.append(_problem(at, "veto_value", f"{what}: `value` must be in [0, {top:g}] for measure "
                                                      f"{v.measure!r}; got {v.value:g}."))
    return out


def _as_library(library: Any) -> IndicatorLibrary:
    """An IndicatorLibrary from the argument (a library, or a path to a library CSV or folder)."""
    if isinstance(library, (str, bytes)) or hasattr(library, "__fspath__"):
        return load_library(library)
    if not (hasattr(library, "get") and hasattr(library, "__contains__")):
        raise TypeError(f"`library` must be an IndicatorLibrary or a path to one; got {type(library).__name__}.")
    return library


def _cost_node(node: "Node") -> bool:
    last = node.code.rsplit(".", 1)[-1].lower()
    return "成本" in node.name or "cost" in last


def _is_saving(node: "Node") -> bool:
    """A saving rate or a minimum standard: ``>=`` is right under a cost node."""
    text = f"{node.name} {node.name_en}".lower()
    return any(word in text for word in SAVING_WORDS) or cost_ge_allowed(text)


def _leaf_context(fw: "Framework") -> list[tuple["Node", bool]]:
    """Leaves with whether they sit under (or are) a cost node (成本 / cost)."""
    out = []

    def visit(node: "Node", under_cost: bool) -> None:
        here = under_cost or _cost_node(node)
        if node.is_leaf:
            out.append((node, here))
        for child in node.children:
            visit(child, here)

    for top in fw.nodes:
        visit(top, False)
    return out


def _check_leaves(fw: "Framework", library: Any) -> list[Problem]:
    """Cost indicators declared >=, and the library look-ups of the leaves' indicator codes."""
    out: list[Problem] = []
    today = _dt.date.today()
    for leaf, under_cost in _leaf_context(fw):
        at, what = _node_at(fw, leaf), f"node `{leaf.code}`"
        code = leaf.indicator_code
        entry = library.get(code) if library is not None and code and code in library else None
        op = leaf.op or _RULE_OP.get(leaf.rule or "") or (entry.op if entry is not None else None)
        is_cost = under_cost or bool(entry is not None and entry.is_cost)
        if op == ">=" and is_cost and not _is_saving(leaf):
            out.append(_problem(at, "cost_op", f"{what}: a cost indicator must not be `>=` (that rewards "
                                               "spending more); use `<=`, or `=` for a fixed quota."))
        if library is None or not code:
            continue
        if entry is None:
            out.append(_problem(at, "library_missing", f"{what}: indicator_code {code!r} is not in the "
                                                       "indicator library."))
        else:
            out.extend(_library_entry_problems(leaf, entry, at, what, today))
    return out


def _library_entry_problems(leaf: "Node", entry: Any, at: str, what: str, today: _dt.date) -> list[Problem]:
    """Status, validity, name and operator of a leaf's library entry."""
    out = []
    code = leaf.indicator_code
    if entry.status != "approved":
        out.append(_problem(at, "library_draft", f"{what}: library indicator {code} has status "
                                                 f"{entry.status!r}; only 'approved' entries may be used."))
    if not entry.is_valid_on(today):
        out.append(_problem(at, "library_expired", f"{what}: library indicator {code} is valid from "
                                                   f"{entry.valid_from or '-'} to {entry.valid_to or '-'}, not "
                                                   f"on {today}."))
    if entry.name_zh.strip() != leaf.name.strip():
        out.append(_problem(at, "library_name_mismatch", f"{what}: name {leaf.name!r} differs from library "
                                                         f"indicator {code} {entry.name_zh!r}."))
    if leaf.op and entry.op != leaf.op:
        out.append(_problem(at, "library_op_mismatch", f"{what}: op {leaf.op!r} differs from library indicator "
                                                       f"{code} op {entry.op!r}."))
    return out


def validate_framework(fw: "Framework", library: Any = None) -> list[Problem]:
    """Every content problem of a framework, located; nothing is raised for content.

    Parameters
    ----------
    fw : Framework
        From :func:`perfeval.load_framework` (problems located at ``file:line``) or built in memory (located
        at node codes).
    library : IndicatorLibrary or path, optional
        When given, every ``indicator_code`` must be in it (and approved, in its validity dates, with the same
        name and operator).

    Returns
    -------
    list of Problem
        In file order when ``fw`` was loaded from a file (else grouped by check); ``severity`` is ``error`` or
        ``warning`` (:data:`PROBLEM_CODES` lists the codes and marks the warnings). An empty list means the
        framework can be used as it is.

    Raises
    ------
    TypeError
        When ``fw`` is not a Framework, or ``library`` is neither an indicator library nor a path to one.
    InputError
        When ``library`` is a path whose library cannot be loaded (see :func:`perfeval.load_library`).

    Notes
    -----
    The checks follow domain.md: children's points sum to their parent's and first-level points to the total
    (PMKPI's weight-sum check, within ``fw.tolerance``; slots with null points are filled per unit), points are
    > 0 (PMKPI ``isCheckWeightGtZero``), node codes are unique (PMKPI ``ISCHECKINDEXNAME``), constraints such as
    产出 + 效益 >= 60 % hold (MOF 财预〔2020〕10号 art. 16), grade bands tile ``[0, total]`` without gaps or
    overlaps, and no cost indicator is declared ``>=`` (practitioner re-check rule, PIDU#58030075274): a leaf
    under (or being) a node named 成本 (or coded ``*cost*``), or a library cost indicator (level 成本指标, 经济/社会/
    生态环境成本指标 or 运行成本), whose operator (its ``op``, else the one its rule implies, else the library's) is
    ``>=``. Saving rates (成本节约率: names with
    节约, 节省, 降低, 下降, saving, reduction) are higher-is-better and exempt.

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.validate_framework(pe.load_framework("project_key"))
    []
    """
    if not isinstance(fw, Framework):
        raise TypeError(f"`fw` must be a Framework; got {type(fw).__name__}.")
    library = _as_library(library) if library is not None else None
    points = {n.code: n.points for n in fw.all_nodes()}
    found = [*_check_header(fw), *_check_tree(fw), *_check_constraints(fw, points), *_check_bands(fw),
             *_check_vetoes(fw, points), *_check_leaves(fw, library)]
    return in_file_order(found, fw.path)
