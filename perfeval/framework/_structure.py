"""The structure of a framework file, checked on the raw mapping before any object is built; the problem vocabulary.

:func:`structure_problems` reports unknown or missing keys and values of the wrong type, all at once and in file
order; :meth:`perfeval.Framework.from_dict` raises them as one :class:`~perfeval.errors.FrameworkError`, because
such a file cannot be turned into a framework at all. :data:`PROBLEM_CODES` lists every code the loader and
:func:`perfeval.framework.checks.validate_framework` emit.

Private to :mod:`perfeval.framework`. The bottom layer of the package: it imports nothing from it.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Mapping

from .._yaml import line_of
from ..errors import Problem

__all__ = ["PROBLEM_CODES", "NODE_KEYS", "structure_problems", "in_file_order"]

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
