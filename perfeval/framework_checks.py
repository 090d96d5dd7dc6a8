"""Checks of evaluation frameworks: the structure of a framework file, and the content of a Framework.

Two kinds of checks, both reporting every problem at once:

* :func:`structure_problems` runs on the raw mapping of a framework file before any object is built (unknown or
  missing keys, values of the wrong type). :meth:`perfeval.Framework.from_dict` raises them as one
  :class:`~perfeval.errors.FrameworkError`, because such a file cannot be turned into a framework at all.
* :func:`validate_framework` runs on a built :class:`~perfeval.Framework` and *returns* its content problems
  (points that do not sum, unknown rules, bands with gaps ...), so a user sees all of them in one run.

Problems are located at ``file:line`` when the framework was loaded from YAML (the line of the offending node,
band, constraint or veto), else at the node code (or ``bands[<label>]``, ``constraints[<code>]``,
``vetoes[<code>]``, the framework name). :data:`PROBLEM_CODES` lists the stable codes.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from ._yaml import line_of
from .errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    from .framework import Framework, Node

__all__ = ["PROBLEM_CODES", "NODE_KEYS", "structure_problems", "validate_framework"]

#: Every problem code the framework loader and :func:`validate_framework` emit, with its meaning. Codes marked
#: "(warning)" have severity ``warning``; all others are errors.
PROBLEM_CODES: Mapping[str, str] = MappingProxyType({
    # raised while loading or looking up (FrameworkError)
    "file_not_found": "the framework file does not exist",
    "unknown_framework": "a name that is neither a shipped framework nor a YAML path",
    "yaml_syntax": "the file is not valid YAML",
    "encoding": "the file is not UTF-8 text",
    "wrong_encoding": "the file is neither UTF-8 (UTF-16 with BOM) nor GB18030 text",
    "not_a_file": "the path is a directory, FIFO or device, not a regular file",
    "unreadable_file": "the file cannot be read (permission)",
    "file_too_large": "the file is larger than perfeval reads",
    "duplicate_key": "a key appears twice in one YAML mapping",
    "unknown_key": "a key the framework format does not know",
    "missing_key": "a required key is absent",
    "malformed": "a value of the wrong type (a node that is not a mapping, a name that is not text ...)",
    "missing_column": "a framework table lacks a required column",
    "unknown_parent": "a framework table row names a parent that is not in the table",
    "parent_cycle": "framework table rows that are their own ancestors",
    "params_invalid": "a framework table's params cell is not YAML mapping text",
    "unknown_node": "a node code the framework does not have (Framework.find, Framework.with_points)",
    # returned by validate_framework
    "total_invalid": "the framework total is not a positive number",
    "tolerance_invalid": "the points tolerance is negative or not a number",
    "nodes_empty": "the framework has no nodes",
    "code_invalid": "a node code is not of the form [A-Za-z][A-Za-z0-9_.-]*",
    "duplicate_code": "a node, constraint or veto code used twice",
    "name_missing": "a node without a Chinese name",
    "name_en_missing": "(warning) a node without an English name",
    "points_missing": "a node that is not a slot but has no points",
    "points_invalid": "points that are not a finite number",
    "points_nonpositive": "points that are zero or negative",
    "points_sum": "children's points that do not sum to their parent's (slots with null points are exempt)",
    "total_sum": "first-level points that do not sum to the framework total",
    "slot_children": "a slot (units attach their own indicators) that also has fixed children",
    "rule_missing": "a leaf or slot without a scoring rule",
    "unknown_rule": "a rule name that is not in perfeval.scoring.RULES",
    "unknown_param": "a rule parameter the rule does not take",
    "bad_param": "a rule parameter with an invalid value",
    "inner_leaf_field": "(warning) rule, op or indicator_code on a node with children (ignored there)",
    "op_invalid": "an operator other than >=, <=, =, qualitative",
    "op_rule_mismatch": "(warning) an operator that contradicts the rule (e.g. op <= with rule positive)",
    "cost_op": "a cost indicator declared >= (rewards spending more; use <= or =)",
    "constraint_unknown_node": "a constraint naming a node that does not exist",
    "constraint_op": "a constraint operator other than >=, <=, >, <, =",
    "constraint_share": "a constraint share outside [0, 1]",
    "constraint_violated": "points that break a constraint (e.g. output + effect < 60 %)",
    "bands_empty": "no grade bands",
    "band_duplicate": "a band label used twice",
    "band_empty": "a band with max <= min",
    "band_gap": "scores between two bands that get no grade",
    "band_overlap": "two bands that overlap",
    "band_range": "bands that do not cover [0, total]",
    "veto_unknown_node": "a veto naming a node that does not exist",
    "veto_grade": "a veto grade that is neither a band label nor a declared override grade",
    "veto_op": "a veto operator other than <, <=, >, >=, missing",
    "veto_measure": "a veto measure other than achievement or score",
    "veto_value": "a veto without a value, or with a value it can never reach",
    "library_missing": "an indicator_code that is not in the indicator library",
    "library_draft": "a library indicator that is not approved (only approved entries may be used)",
    "library_expired": "a library indicator outside its validity dates (checked on today's date)",
    "library_name_mismatch": "(warning) a node name that differs from its library indicator's name",
    "library_op_mismatch": "(warning) a node operator that differs from its library indicator's operator",
})

_WARNINGS = frozenset(code for code, text in PROBLEM_CODES.items() if text.startswith("(warning)"))

NODE_KEYS = frozenset({"code", "name", "name_en", "points", "rule", "slot", "indicator_code", "op", "aliases",
                       "params", "description", "children"})
_FRAMEWORK_KEYS = frozenset({"name", "title", "title_en", "version", "category", "total", "tolerance", "source",
                             "description", "bands", "constraints", "vetoes", "override_grades", "nodes"})
_BAND_KEYS = (frozenset({"label", "min", "max"}), frozenset({"label_en"}))
_CONSTRAINT_KEYS = (frozenset({"code", "nodes", "op", "share"}), frozenset({"message"}))
_VETO_KEYS = (frozenset({"code", "node", "op", "grade"}), frozenset({"value", "measure", "message"}))
_TEXT_KEYS = ("name", "name_en", "rule", "indicator_code", "op", "description")

OPS = (">=", "<=", "=", "qualitative")
_CONSTRAINT_OPS = (">=", "<=", ">", "<", "=")
_VETO_OPS = ("<", "<=", ">", ">=", "missing")
_VETO_MEASURES = ("achievement", "score")
_RULE_OP = {"positive": ">=", "reverse": "<=", "equality": "=", "qualitative": "qualitative"}
_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
#: Words that mark a rate of *saving* (higher is better) rather than a cost, so `>=` is right for it
#: (成本节约率 = (计划成本 - 实际成本) / 计划成本, domain.md §5.1).
SAVING_WORDS = ("节约", "节省", "降低", "下降", "saving", "reduction")


def _problem(where: str, code: str, message: str) -> Problem:
    return Problem(where, code, message, "warning" if code in _WARNINGS else "error")


# ---------------------------------------------------------------------------------------------------------------
# structure of the raw mapping
# ---------------------------------------------------------------------------------------------------------------
def _at(path: str | None, line: int | None, fallback: str) -> str:
    """``file:line`` when the framework came from a file, else the fallback (node code ...)."""
    if path:
        return f"{path}:{line}" if line else str(path)
    return fallback


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Raw:
    """Problem collector for one raw mapping: locates each problem at its key's line when known."""

    def __init__(self, d: Mapping[str, Any], path: str | None, label: str, what: str, out: list[Problem]):
        self.d, self.path, self.label, self.what, self.out = d, path, label, what, out

    def add(self, code: str, message: str, key: str | None = None) -> None:
        line = line_of(self.d, key) if key is not None else line_of(self.d)
        self.out.append(_problem(_at(self.path, line, self.label), code, f"{self.what}: {message}"))

    def keys(self, required: frozenset[str], optional: frozenset[str]) -> None:
        """Unknown keys (each at its line) and missing or empty required keys (at the mapping's line)."""
        allowed = sorted(required | optional)
        for key in sorted(set(self.d) - required - optional, key=str):
            self.add("unknown_key", f"unknown key `{key}`; allowed: {', '.join(allowed)}.", key)
        for key in sorted(required):
            if self.d.get(key) is None:
                self.add("missing_key", f"`{key}` is required.")

    def typed(self, key: str, ok: Callable[[Any], bool], rule: str, code: str = "malformed", *,
              nullable: bool = True) -> None:
        """A problem when ``key`` is present and fails ``ok`` (None passes when ``nullable``)."""
        if key not in self.d or (self.d[key] is None and nullable):
            return
        value = self.d[key]
        if value is None or not ok(value):
            self.add(code, f"`{key}` must be {rule}; got {value!r}.", key)


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _node_structure(d: Any, path: str | None, fallback: str, out: list[Problem]) -> None:
    """Append the structural problems of one raw node mapping and its descendants."""
    if not isinstance(d, Mapping):
        out.append(_problem(_at(path, None, fallback), "malformed", f"{fallback}: a node must be a mapping; "
                                                                    f"got {d!r}."))
        return
    label = str(d.get("code") or fallback)
    raw = _Raw(d, path, label, f"node `{label}`", out)
    raw.keys(frozenset({"code", "name"}), NODE_KEYS)
    for key in ("code", *_TEXT_KEYS):
        raw.typed(key, lambda v: isinstance(v, str), "text")
    raw.typed("points", _is_number, "a number or null", "points_invalid")
    raw.typed("slot", lambda v: isinstance(v, bool), "true or false")
    raw.typed("aliases", _text_list, "a list of text")
    raw.typed("params", lambda v: isinstance(v, Mapping), "a mapping")
    raw.typed("children", lambda v: isinstance(v, list), "a list of nodes")
    if isinstance(d.get("children"), list):
        for i, child in enumerate(d["children"]):
            _node_structure(child, path, f"{label}.children[{i}]", out)


def _list_of_mappings(d: Mapping[str, Any], key: str, raw: _Raw) -> list[Mapping[str, Any]]:
    """The mappings of list ``d[key]`` (problems for a non-list or for items that are not mappings)."""
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raw.add("malformed", f"`{key}` must be a list; got {value!r}.", key)
        return []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raw.add("malformed", f"`{key}[{i}]` must be a mapping; got {item!r}.", key)
    return [item for item in value if isinstance(item, Mapping)]


def _extras_structure(d: Mapping[str, Any], raw: _Raw) -> None:
    """Structure of bands, constraints, vetoes and override grades."""
    out, path = raw.out, raw.path
    for band in _list_of_mappings(d, "bands", raw):
        item = _Raw(band, path, f"bands[{band.get('label')}]", f"band {band.get('label')!r}", out)
        item.keys(*_BAND_KEYS)
        for key in ("min", "max"):
            item.typed(key, _is_number, "a number")
        for key in ("label", "label_en"):
            item.typed(key, lambda v: isinstance(v, str), "text")
    for kind, noun, keys in (("constraints", "constraint", _CONSTRAINT_KEYS), ("vetoes", "veto", _VETO_KEYS)):
        for mapping in _list_of_mappings(d, kind, raw):
            item = _Raw(mapping, path, f"{kind}[{mapping.get('code')}]", f"{noun} {mapping.get('code')!r}", out)
            item.keys(*keys)
            for key in ("share", "value"):
                item.typed(key, _is_number, "a number")
            for key in ("code", "node", "op", "grade", "measure", "message"):
                item.typed(key, lambda v: isinstance(v, str), "text")
            item.typed("nodes", _text_list, "a list of node codes")
    raw.typed("override_grades", _text_list, "a list of grade labels")


def structure_problems(d: Mapping[str, Any], path: str | None = None) -> list[Problem]:
    """Structural problems of a raw framework mapping (as read from YAML or built by ``to_dict``).

    Parameters
    ----------
    d : mapping
        The framework's dict form. Mappings loaded by :func:`perfeval._yaml.load_marked` carry their lines.
    path : str, optional
        The file it came from, for ``file:line`` locations.

    Returns
    -------
    list of Problem
        Unknown and missing keys, nodes that are not mappings, values of the wrong type, in file order; empty
        when the mapping can be built into a :class:`~perfeval.Framework`.
    """
    out: list[Problem] = []
    raw = _Raw(d, path, str(d.get("name", "<framework>")), "framework", out)
    raw.keys(frozenset({"name", "title", "nodes"}), _FRAMEWORK_KEYS)
    for key in ("total", "tolerance"):
        raw.typed(key, _is_number, "a number", nullable=False)
    raw.typed("nodes", lambda v: isinstance(v, list), "a list of nodes")
    if isinstance(d.get("nodes"), list):
        for i, node in enumerate(d["nodes"]):
            _node_structure(node, path, f"nodes[{i}]", out)
    _extras_structure(d, raw)
    return in_file_order(out, path)


def in_file_order(problems: list[Problem], path: str | None) -> list[Problem]:
    """Problems sorted by line when they are located ``path:line`` (order kept otherwise; stable)."""
    if not path:
        return problems

    def line(p: Problem) -> int:
        tail = p.location[len(path) + 1:] if p.location.startswith(f"{path}:") else ""
        return int(tail) if tail.isdigit() else 0

    return sorted(problems, key=line)


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
    from .scoring import check_params  # lazy: the rule registry is only needed here

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


def _as_library(library: Any) -> Any:
    """An IndicatorLibrary from the argument (a library, or a path to a library CSV or folder)."""
    if isinstance(library, (str, bytes)) or hasattr(library, "__fspath__"):
        from .library import load_library
        return load_library(library)
    if not (hasattr(library, "get") and hasattr(library, "__contains__")):
        raise TypeError(f"`library` must be an IndicatorLibrary or a path to one; got {type(library).__name__}.")
    return library


def _cost_node(node: "Node") -> bool:
    last = node.code.rsplit(".", 1)[-1].lower()
    return "成本" in node.name or "cost" in last


def _is_saving(node: "Node") -> bool:
    """A saving rate or a minimum standard: ``>=`` is right under a cost node."""
    from ._library_schema import cost_ge_allowed

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
    from .framework import Framework

    if not isinstance(fw, Framework):
        raise TypeError(f"`fw` must be a Framework; got {type(fw).__name__}.")
    library = _as_library(library) if library is not None else None
    points = {n.code: n.points for n in fw.all_nodes()}
    found = [*_check_header(fw), *_check_tree(fw), *_check_constraints(fw, points), *_check_bands(fw),
             *_check_vetoes(fw, points), *_check_leaves(fw, library)]
    return in_file_order(found, fw.path)
