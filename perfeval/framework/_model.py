"""Evaluation frameworks (评价指标体系): a tree of nodes with points, grade bands, constraints and vetoes.

A :class:`Framework` is immutable. Its nodes carry points (weights), bilingual names and, on leaves, the name of a
scoring rule from :data:`perfeval.scoring.RULES`. Self-evaluation frameworks declare *slots*: second-level nodes
under which each unit attaches its own third-level indicators (with their own points) at scoring time.

Frameworks are stored as YAML (``templates/frameworks/*.yaml``) and have a flat table form (COINr style:
``node_code, parent_code, level, name, name_en, points, rule, ...``) that round-trips. Grade bands live in
:mod:`perfeval.grades`, the content checks in :mod:`perfeval.framework.checks`; :mod:`perfeval.framework`
re-exports both.

Private to :mod:`perfeval.framework`. It imports :mod:`._structure` (the checks of a raw mapping, which every
load runs) and :mod:`._table` (rows of the flat table), never :mod:`.checks`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd
import yaml

from .._io_util import atomic_write_text
from .._resources import templates_dir
from .._yaml import line_of, read_yaml
from ..errors import FrameworkError, Problem
from ..grades import DEFAULT_BANDS, GradeBands, _number
from ._structure import NODE_KEYS, in_file_order, structure_problems
from ._table import frame_records, walk_records

__all__ = ["Node", "Constraint", "Veto", "Framework", "list_frameworks", "load_framework"]

_FRAME_COLUMNS = ("node_code", "parent_code", "level", "name", "name_en", "points", "rule", "slot",
                  "indicator_code", "op", "aliases", "params", "description")


def _freeze(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


def _plain(value: Any) -> Any:
    """Convert frozen containers back to plain YAML-friendly ones."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


# ---------------------------------------------------------------------------------------------------------------
# nodes, constraints, vetoes
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Node:
    """A node of the framework tree.

    Attributes
    ----------
    code : str
        Unique within the framework (e.g. ``output``, ``output.quantity``).
    name, name_en : str
        Chinese and English names.
    points : float or None
        Points (weight) of the node. ``None`` only on slots, whose points come from each unit's indicators.
    rule : str or None
        Scoring rule name on leaves and slots (see :data:`perfeval.scoring.RULES`); ``auto`` picks the rule from
        each observation's comparison operator.
    slot : bool
        True when units attach their own indicators under this node.
    indicator_code : str or None
        The indicator library entry a fixed leaf uses.
    op : str or None
        Default comparison operator of a fixed leaf (``>=``, ``<=``, ``=``, ``qualitative``).
    aliases : tuple of str
        Other names the node goes by in users' files (e.g. 产出, 产出指标, 服务对象满意度指标等).
    params : mapping
        Parameters of the scoring rule.
    description : str
        指标解释 / 评价要点 (free text).
    children : tuple of Node
    line : int or None
        Line of the node in its YAML file (for located problems); ignored by equality and not written out.
    """

    code: str
    name: str
    points: float | None = None
    name_en: str = ""
    rule: str | None = None
    slot: bool = False
    indicator_code: str | None = None
    op: str | None = None
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    children: tuple["Node", ...] = ()
    line: int | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _freeze(self.params))
        object.__setattr__(self, "aliases", tuple(self.aliases))
        object.__setattr__(self, "children", tuple(self.children))
        if self.points is not None:
            object.__setattr__(self, "points", float(self.points))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    @property
    def is_leaf(self) -> bool:
        """True for nodes without children (fixed leaves and slots)."""
        return not self.children

    def walk(self, level: int = 1, parent: str | None = None) -> Iterator[tuple["Node", int, str | None]]:
        """Pre-order ``(node, level, parent_code)`` over this node and its descendants."""
        yield self, level, parent
        for child in self.children:
            yield from child.walk(level + 1, self.code)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "name": self.name}
        if self.name_en:
            d["name_en"] = self.name_en
        d["points"] = _number(self.points)
        for key in ("rule", "indicator_code", "op"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.slot:
            d["slot"] = True
        if self.aliases:
            d["aliases"] = list(self.aliases)
        if self.params:
            d["params"] = _plain(self.params)
        if self.description:
            d["description"] = self.description
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Node":
        unknown = set(d) - NODE_KEYS
        if unknown:
            raise FrameworkError.single(str(d.get("code", "<node>")), "unknown_key",
                                        f"unknown key(s) {sorted(unknown)}; allowed: {sorted(NODE_KEYS)}")
        kwargs = dict(d)
        kwargs["children"] = tuple(cls.from_dict(c) for c in d.get("children") or ())
        kwargs["aliases"] = tuple(d.get("aliases") or ())
        kwargs["params"] = _plain(d.get("params") or {})
        kwargs["line"] = line_of(d)
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A constraint on the points: ``sum(points of nodes) / total op share`` (e.g. 产出 + 效益 >= 60 %)."""

    code: str
    nodes: tuple[str, ...]
    op: str
    share: float
    message: str = ""
    line: int | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "share", float(self.share))

    def to_dict(self) -> dict[str, Any]:
        d = {"code": self.code, "nodes": list(self.nodes), "op": self.op, "share": self.share}
        if self.message:
            d["message"] = self.message
        return d


@dataclass(frozen=True, slots=True)
class Veto:
    """A rule that overrides the banded grade.

    The veto fires for a unit when ``measure`` of ``node`` satisfies ``op value``; ``measure`` is
    ``achievement`` (0-1) or ``score`` (points), ``op`` one of ``< <= > >= missing``. The unit then gets
    ``grade`` (e.g. PART's *Results Not Demonstrated* when the results section is missing, KfW's
    "unsuccessful" when Effectiveness, Impact or Sustainability is graded worse than 3). ``grade`` is a band label
    or one of the framework's ``override_grades``.
    """

    code: str
    node: str
    op: str
    grade: str
    value: float | None = None
    measure: str = "achievement"
    message: str = ""
    line: int | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "node": self.node, "measure": self.measure, "op": self.op}
        if self.value is not None:
            d["value"] = _number(self.value)
        d["grade"] = self.grade
        if self.message:
            d["message"] = self.message
        return d


# ---------------------------------------------------------------------------------------------------------------
# framework
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Framework:
    """An evaluation framework: first-level nodes (``nodes``), total points, grade bands, constraints, vetoes.

    The framework's own points are the nominal weights. Weighting tools return new frameworks
    (:meth:`with_points`); nothing is changed in place.

    ``override_grades`` declares the grade labels that only a veto gives (PART's *Results Not Demonstrated*,
    KfW's *unsuccessful*): a veto's grade must be a band label or one of these. ``path`` and ``lines`` (the
    1-based lines of the top-level YAML keys) only locate problems; they take no part in equality.
    """

    name: str
    title: str
    nodes: tuple[Node, ...]
    total: float = 100.0
    title_en: str = ""
    version: str = "1"
    category: str = ""
    bands: GradeBands = DEFAULT_BANDS
    constraints: tuple[Constraint, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    tolerance: float = 1e-6
    source: str = ""
    description: str = ""
    override_grades: tuple[str, ...] = ()
    path: str | None = field(default=None, compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "constraints", tuple(self.constraints))
        object.__setattr__(self, "vetoes", tuple(self.vetoes))
        object.__setattr__(self, "override_grades", tuple(self.override_grades))
        object.__setattr__(self, "total", float(self.total))
        object.__setattr__(self, "tolerance", float(self.tolerance))
        object.__setattr__(self, "lines", _freeze(self.lines))

    __hash__ = None  # type: ignore[assignment]

    # -- navigation ------------------------------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[Node, int, str | None]]:
        """Pre-order ``(node, level, parent_code)``; first-level nodes have level 1 and parent None."""
        for node in self.nodes:
            yield from node.walk(1, None)

    def all_nodes(self) -> list[Node]:
        return [n for n, _, _ in self.walk()]

    def leaves(self) -> list[Node]:
        """Fixed leaves and slots, in pre-order."""
        return [n for n, _, _ in self.walk() if n.is_leaf]

    def slots(self) -> list[Node]:
        return [n for n, _, _ in self.walk() if n.slot]

    def find(self, code: str) -> Node:
        """The node with this code; :class:`FrameworkError` naming the known codes otherwise."""
        for n, _, _ in self.walk():
            if n.code == code:
                return n
        raise FrameworkError.single(self.name, "unknown_node",
                                    f"`node` must be a node code of framework {self.name!r}; got {code!r}. "
                                    f"Known codes: {', '.join(n.code for n in self.all_nodes())}.")

    def parent_of(self, code: str) -> str | None:
        for n, _, parent in self.walk():
            if n.code == code:
                return parent
        self.find(code)  # raises
        return None

    def level_of(self, code: str) -> int:
        for n, level, _ in self.walk():
            if n.code == code:
                return level
        self.find(code)
        return 0

    def children_of(self, code: str | None) -> tuple[Node, ...]:
        """Children of a node; ``None`` gives the first-level nodes."""
        return self.nodes if code is None else self.find(code).children

    def points(self, level: int | None = None) -> pd.Series:
        """Points by node code (all nodes, or one level), in pre-order."""
        rows = [(n.code, n.points) for n, lv, _ in self.walk() if level is None or lv == level]
        return pd.Series(dict(rows), name="points", dtype=float)

    # -- changes ---------------------------------------------------------------------------------------------
    def with_points(self, points: Mapping[str, float]) -> "Framework":
        """A new framework whose nodes named in ``points`` carry the new points (nothing else changes)."""
        missing = [c for c in points if c not in {n.code for n in self.all_nodes()}]
        if missing:
            raise FrameworkError.single(self.name, "unknown_node",
                                        f"`points` names unknown node(s) {missing}.")

        def rebuild(node: Node) -> Node:
            children = tuple(rebuild(c) for c in node.children)
            new_points = points.get(node.code, node.points)
            return dataclasses.replace(node, children=children,
                                       points=None if new_points is None else float(new_points))

        return dataclasses.replace(self, nodes=tuple(rebuild(n) for n in self.nodes))

    # -- YAML / dict -----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "title": self.title}
        if self.title_en:
            d["title_en"] = self.title_en
        d["version"] = self.version
        if self.category:
            d["category"] = self.category
        d["total"] = _number(self.total)
        if self.tolerance != 1e-6:
            d["tolerance"] = self.tolerance
        if self.source:
            d["source"] = self.source
        if self.description:
            d["description"] = self.description
        d["bands"] = self.bands.to_list()
        if self.constraints:
            d["constraints"] = [c.to_dict() for c in self.constraints]
        if self.vetoes:
            d["vetoes"] = [v.to_dict() for v in self.vetoes]
        if self.override_grades:
            d["override_grades"] = list(self.override_grades)
        d["nodes"] = [n.to_dict() for n in self.nodes]
        return d

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text of the framework; also written (atomically) to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=110)
        if path is not None:
            atomic_write_text(Path(path), text)
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], path: str | None = None) -> "Framework":
        """Build a framework from its dict form (what :meth:`to_dict` and the YAML files hold).

        Raises
        ------
        FrameworkError
            With every structural problem at once (unknown or missing keys, values of the wrong type), each
            located at ``file:line`` when ``d`` was loaded from YAML by :meth:`from_yaml`. Content problems
            (points that do not sum, unknown rules ...) are not raised: see :func:`validate_framework`.
        """
        problems = structure_problems(d, path)
        if problems:
            raise FrameworkError(problems=problems)
        return cls(
            name=str(d["name"]),
            title=str(d["title"]),
            title_en=str(d.get("title_en", "")),
            version=str(d.get("version", "1")),
            category=str(d.get("category", "")),
            total=float(d.get("total", 100)),
            tolerance=float(d.get("tolerance", 1e-6)),
            source=str(d.get("source", "")),
            description=str(d.get("description", "")),
            bands=GradeBands.from_list(d["bands"]) if d.get("bands") else DEFAULT_BANDS,
            constraints=tuple(Constraint(**c, line=line_of(c)) for c in d.get("constraints") or ()),
            vetoes=tuple(Veto(**v, line=line_of(v)) for v in d.get("vetoes") or ()),
            override_grades=tuple(str(g) for g in d.get("override_grades") or ()),
            nodes=tuple(Node.from_dict(n) for n in d["nodes"]),
            path=path,
            lines={str(k): line for k, line in getattr(d, "key_lines", {}).items()},
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Framework":
        """Load a framework YAML file, remembering the line of every node for located problems.

        Raises
        ------
        FrameworkError
            Missing file, YAML syntax error (located at its line), duplicated keys, or the structural problems
            of :meth:`from_dict`, all of them at once.
        """
        path = Path(path)
        if not path.exists() and not path.is_symlink():  # a FIFO or folder: read_yaml says what it is
            raise FrameworkError.single(str(path), "file_not_found", "framework file does not exist")
        data, duplicates = read_yaml(path, "framework", error=FrameworkError)  # limits, encodings, located
        if not isinstance(data, Mapping):
            raise FrameworkError.single(str(path), "malformed", "a framework file must hold a YAML mapping; "
                                                                f"got {type(data).__name__}")
        problems = [Problem(f"{path}:{line}", "duplicate_key",
                            f"key `{key}` appears twice in the same mapping; only the last value would be kept")
                    for key, line in duplicates]
        try:
            fw = cls.from_dict(data, path=str(path))
        except FrameworkError as err:
            raise FrameworkError(problems=in_file_order([*problems, *err.problems], str(path))) from None
        if problems:
            raise FrameworkError(problems=problems)
        return fw

    # -- flat table ------------------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Flat table, one row per node in pre-order.

        Columns: node_code, parent_code, level, name, name_en, points, rule, slot, indicator_code, op, aliases
        (``|``-separated), params (YAML flow text), description. Framework-level fields (bands, constraints,
        vetoes, total ...) travel in ``frame.attrs["framework"]``.
        """
        rows = []
        for n, level, parent in self.walk():
            rows.append({
                "node_code": n.code, "parent_code": parent, "level": level, "name": n.name,
                "name_en": n.name_en, "points": np.nan if n.points is None else n.points, "rule": n.rule,
                "slot": n.slot, "indicator_code": n.indicator_code, "op": n.op,
                "aliases": "|".join(n.aliases),
                "params": yaml.safe_dump(_plain(n.params), allow_unicode=True,
                                         default_flow_style=True).strip() if n.params else "",
                "description": n.description,
            })
        frame = pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))
        meta = self.to_dict()
        meta.pop("nodes")
        frame.attrs["framework"] = meta
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, meta: Mapping[str, Any] | None = None) -> "Framework":
        """Inverse of :meth:`to_frame` (``meta`` defaults to ``frame.attrs["framework"]``).

        Rows may come in any order (a child before its parent is fine); ``level`` is recomputed from the tree.

        Raises
        ------
        FrameworkError
            Missing columns, or, all at once: duplicated node codes, parents not in the table, parent cycles,
            points that are not numbers, unreadable ``params`` text.
        """
        meta = dict(meta if meta is not None else frame.attrs.get("framework", {}))
        missing = [c for c in ("node_code", "parent_code", "name", "points") if c not in frame.columns]
        if missing:
            raise FrameworkError.single("<frame>", "missing_column",
                                        f"framework table lacks column(s) {missing}; it needs node_code, "
                                        "parent_code, name and points")
        meta.setdefault("name", "framework")
        meta.setdefault("title", meta["name"])
        records, order, problems = frame_records(frame)
        roots = []
        for parent, code in order:
            if parent is None:
                roots.append(records[code])
            elif parent in records:
                records[parent]["children"].append(records[code])
            else:
                problems.append(Problem(f"<frame>:{code}", "unknown_parent",
                                        f"parent {parent!r} of node {code!r} is not in the table"))
        reached = {n["code"] for n in walk_records(roots)}
        cycle = [code for _, code in order if code not in reached and code in records]
        if cycle and not any(p.code == "unknown_parent" for p in problems):
            problems.append(Problem("<frame>", "parent_cycle",
                                    f"node(s) {cycle} are their own ancestors through parent_code"))
        if problems:
            raise FrameworkError(problems=problems)
        meta["nodes"] = roots
        return cls.from_dict(meta)

    # -- presentation ----------------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        frame = self.to_frame()[["node_code", "level", "name", "name_en", "points", "rule"]]
        head = f"<p><b>{self.title}</b> ({self.name}, v{self.version}; total {self.total:g})</p>"
        return head + frame.to_html(index=False, na_rep="")

    def __repr__(self) -> str:
        return (f"Framework(name={self.name!r}, title={self.title!r}, total={self.total:g}, "
                f"nodes={len(self.all_nodes())}, leaves={len(self.leaves())})")


# ---------------------------------------------------------------------------------------------------------------
# shipped frameworks
# ---------------------------------------------------------------------------------------------------------------
def _frameworks_dir() -> Path:
    return templates_dir() / "frameworks"


def list_frameworks() -> list[str]:
    """Names of the shipped frameworks (``templates/frameworks/*.yaml``), sorted.

    Examples
    --------
    >>> import perfeval as pe
    >>> "project_self" in pe.list_frameworks()
    True
    """
    return sorted(p.stem for p in _frameworks_dir().glob("*.yaml"))


def load_framework(name_or_path: str | Path | Framework) -> Framework:
    """Load a shipped framework by name, or any framework YAML by path.

    Raises
    ------
    FrameworkError
        Unknown name (the message lists the shipped ones), missing file, YAML syntax error or malformed content.
        Content problems such as points that do not sum are *not* raised here: see
        :func:`perfeval.validate_framework`.

    Examples
    --------
    >>> import perfeval as pe
    >>> fw = pe.load_framework("project_self")
    >>> fw.total
    100.0
    """
    if isinstance(name_or_path, Framework):
        return name_or_path
    text = str(name_or_path)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return Framework.from_yaml(path)
    shipped = _frameworks_dir() / f"{text}.yaml"
    if shipped.is_file():
        return Framework.from_yaml(shipped)
    raise FrameworkError.single(text, "unknown_framework",
                                f"`name_or_path` must be a shipped framework or a YAML file; got {text!r}. "
                                f"Shipped: {', '.join(list_frameworks())}.")
