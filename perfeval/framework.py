"""Evaluation frameworks (评价指标体系): a tree of nodes with points, grade bands, constraints and vetoes.

A :class:`Framework` is immutable. Its nodes carry points (weights), bilingual names and, on leaves, the name of a
scoring rule from :data:`perfeval.scoring.RULES`. Self-evaluation frameworks declare *slots*: second-level nodes
under which each unit attaches its own third-level indicators (with their own points) at scoring time.

Frameworks are stored as YAML (``templates/frameworks/*.yaml``) and have a flat table form (COINr style:
``node_code, parent_code, level, name, name_en, points, rule, ...``) that round-trips.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from .errors import FrameworkError, Problem

__all__ = [
    "Band",
    "GradeBands",
    "Node",
    "Constraint",
    "Veto",
    "Framework",
    "DEFAULT_BANDS",
    "list_frameworks",
    "load_framework",
    "grade",
]

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


def _number(value: Any) -> Any:
    """Ints stay ints in YAML (10, not 10.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---------------------------------------------------------------------------------------------------------------
# grade bands
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Band:
    """One grade band, the half-open interval ``[low, high)``; the top band also includes ``high``."""

    label: str
    low: float
    high: float
    label_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = {"label": self.label, "min": _number(self.low), "max": _number(self.high)}
        if self.label_en:
            d["label_en"] = self.label_en
        return d


@dataclass(frozen=True, slots=True)
class GradeBands:
    """Grade bands on a score scale, checked to tile ``[min, max]`` without gaps or overlaps.

    Intervals are half-open, ``[low, high)``, and the highest band is closed at its top, so with the default bands
    89.995 is 良 and 90 is 优 (no rounding happens before grading: round for presentation only).
    """

    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.bands, key=lambda b: b.low))
        object.__setattr__(self, "bands", ordered)

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels from the best (highest) band to the lowest."""
        return tuple(b.label for b in reversed(self.bands))

    @property
    def low(self) -> float:
        return self.bands[0].low

    @property
    def high(self) -> float:
        return self.bands[-1].high

    def problems(self, where: str = "bands") -> list[Problem]:
        """Gaps, overlaps, empty bands and duplicate labels, located."""
        out: list[Problem] = []
        if not self.bands:
            return [Problem(where, "bands_empty", "at least one grade band is required")]
        seen: set[str] = set()
        for i, b in enumerate(self.bands):
            if b.label in seen:
                out.append(Problem(f"{where}[{b.label}]", "band_duplicate", f"label {b.label!r} is used twice"))
            seen.add(b.label)
            if not b.high > b.low:
                out.append(Problem(f"{where}[{b.label}]", "band_empty",
                                   f"band must have max > min; got [{b.low}, {b.high})"))
            if i:
                prev = self.bands[i - 1]
                if b.low > prev.high:
                    out.append(Problem(f"{where}[{b.label}]", "band_gap",
                                       f"gap between {prev.label!r} (max {prev.high}) and {b.label!r} "
                                       f"(min {b.low}): scores in [{prev.high}, {b.low}) get no grade"))
                elif b.low < prev.high:
                    out.append(Problem(f"{where}[{b.label}]", "band_overlap",
                                       f"{prev.label!r} [{prev.low}, {prev.high}) overlaps {b.label!r} "
                                       f"[{b.low}, {b.high})"))
        return out

    def grade(self, scores: Any) -> Any:
        """Grade label(s) of ``scores`` (scalar, array or Series; NaN and out-of-range give None)."""
        lows = np.array([b.low for b in self.bands], dtype=float)
        labels = np.array([b.label for b in self.bands] + [None], dtype=object)
        scalar = np.ndim(scores) == 0
        x = np.atleast_1d(np.asarray(scores, dtype=float))
        idx = np.searchsorted(lows, x, side="right") - 1
        bad = np.isnan(x) | (x < self.low) | (x > self.high) | (idx < 0)
        idx = np.where(bad, len(self.bands), idx)
        out = labels[idx]
        if scalar:
            return out[0]
        if isinstance(scores, pd.Series):
            return pd.Series(out, index=scores.index, name="grade", dtype=object)
        return out

    def rank(self, label: str) -> int:
        """0 for the best grade, 1 for the next ..., for signed grade steps."""
        return self.labels.index(label)

    def to_list(self) -> list[dict[str, Any]]:
        return [b.to_dict() for b in reversed(self.bands)]

    @classmethod
    def from_list(cls, items: Sequence[Mapping[str, Any]]) -> "GradeBands":
        return cls(tuple(Band(str(d["label"]), float(d["min"]), float(d["max"]), str(d.get("label_en", "")))
                         for d in items))


DEFAULT_BANDS = GradeBands((
    Band("优", 90.0, 100.0, "Excellent"),
    Band("良", 80.0, 90.0, "Good"),
    Band("中", 60.0, 80.0, "Fair"),
    Band("差", 0.0, 60.0, "Poor"),
))


def grade(scores: Any, bands: GradeBands | Sequence[Mapping[str, Any]] | None = None) -> Any:
    """Grade totals on half-open bands (default 优 [90, 100], 良 [80, 90), 中 [60, 80), 差 [0, 60)).

    Parameters
    ----------
    scores : float, array-like or Series
        Totals on the bands' scale (0-100 for the default bands). Never rounded before grading.
    bands : GradeBands or list of {label, min, max}, optional
        The default bands follow MOF 预算司's unification notice and PMKPI ``selfresultproject`` (domain §5.4).

    Returns
    -------
    Same shape as ``scores``: a label, an object array or a Series named ``grade``. NaN and scores outside the
    bands' range give None.

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.grade([89.995, 90, 79.999, 60, 59.999]).tolist()
    ['良', '优', '中', '中', '差']
    """
    if bands is None:
        bands = DEFAULT_BANDS
    elif not isinstance(bands, GradeBands):
        bands = GradeBands.from_list(bands)
    return bands.grade(scores)


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
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise FrameworkError.single(str(d.get("code", "<node>")), "unknown_key",
                                        f"unknown key(s) {sorted(unknown)}; allowed: {sorted(known)}")
        kwargs = dict(d)
        kwargs["children"] = tuple(cls.from_dict(c) for c in d.get("children") or ())
        kwargs["aliases"] = tuple(d.get("aliases") or ())
        kwargs["params"] = dict(d.get("params") or {})
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A constraint on the points: ``sum(points of nodes) / total op share`` (e.g. 产出 + 效益 >= 60 %)."""

    code: str
    nodes: tuple[str, ...]
    op: str
    share: float
    message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))

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
    "unsuccessful" when Effectiveness, Impact or Sustainability is graded worse than 3).
    """

    code: str
    node: str
    op: str
    grade: str
    value: float | None = None
    measure: str = "achievement"
    message: str = ""

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
    path: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "constraints", tuple(self.constraints))
        object.__setattr__(self, "vetoes", tuple(self.vetoes))
        object.__setattr__(self, "total", float(self.total))

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

    @property
    def bands_grade(self):  # pragma: no cover - convenience alias
        return self.bands.grade

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
        d["nodes"] = [n.to_dict() for n in self.nodes]
        return d

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text of the framework; also written (atomically) to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=110)
        if path is not None:
            from ._io_util import atomic_write_text
            atomic_write_text(Path(path), text)
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], path: str | None = None) -> "Framework":
        where = path or str(d.get("name", "<framework>"))
        allowed = {"name", "title", "title_en", "version", "category", "total", "tolerance", "source",
                   "description", "bands", "constraints", "vetoes", "nodes"}
        unknown = set(d) - allowed
        problems = []
        if unknown:
            problems.append(Problem(where, "unknown_key", f"unknown key(s) {sorted(unknown)}; "
                                                          f"allowed: {sorted(allowed)}"))
        for key in ("name", "title", "nodes"):
            if key not in d:
                problems.append(Problem(where, "missing_key", f"`{key}` is required"))
        if problems:
            raise FrameworkError(problems=problems)
        try:
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
                constraints=tuple(Constraint(**c) for c in d.get("constraints") or ()),
                vetoes=tuple(Veto(**v) for v in d.get("vetoes") or ()),
                nodes=tuple(Node.from_dict(n) for n in d["nodes"]),
                path=path,
            )
        except FrameworkError:
            raise
        except (TypeError, KeyError, ValueError) as exc:
            raise FrameworkError.single(where, "malformed", f"cannot read framework: {exc}") from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Framework":
        path = Path(path)
        if not path.is_file():
            raise FrameworkError.single(str(path), "file_not_found", "framework file does not exist")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            loc = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            raise FrameworkError.single(loc, "yaml_syntax", str(exc).splitlines()[0]) from None
        if not isinstance(data, Mapping):
            raise FrameworkError.single(str(path), "malformed", "a framework file must hold a YAML mapping")
        return cls.from_dict(data, path=str(path))

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
        """Inverse of :meth:`to_frame` (``meta`` defaults to ``frame.attrs["framework"]``)."""
        meta = dict(meta if meta is not None else frame.attrs.get("framework", {}))
        missing = [c for c in ("node_code", "parent_code", "name", "points") if c not in frame.columns]
        if missing:
            raise FrameworkError.single("<frame>", "missing_column",
                                        f"framework table lacks column(s) {missing}")
        meta.setdefault("name", "framework")
        meta.setdefault("title", meta["name"])

        def text(value: Any) -> str | None:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                return None
            return str(value)

        records: dict[str, dict[str, Any]] = {}
        order: list[tuple[str | None, str]] = []
        for _, row in frame.iterrows():
            code = str(row["node_code"])
            params = text(row.get("params"))
            points = row["points"]
            rec: dict[str, Any] = {
                "code": code, "name": str(row["name"]),
                "name_en": text(row.get("name_en")) or "",
                "points": None if pd.isna(points) else float(points),
                "rule": text(row.get("rule")), "slot": bool(row.get("slot", False)),
                "indicator_code": text(row.get("indicator_code")), "op": text(row.get("op")),
                "aliases": tuple(a for a in (text(row.get("aliases")) or "").split("|") if a),
                "params": yaml.safe_load(params) if params else {},
                "description": text(row.get("description")) or "", "children": [],
            }
            records[code] = rec
            order.append((text(row["parent_code"]), code))
        roots = []
        for parent, code in order:
            if parent is None:
                roots.append(records[code])
            elif parent in records:
                records[parent]["children"].append(records[code])
            else:
                raise FrameworkError.single(f"<frame>:{code}", "unknown_parent",
                                            f"parent {parent!r} of node {code!r} is not in the table")
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
    from ._resources import templates_dir
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
