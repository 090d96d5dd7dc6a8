"""Ex-ante performance assessment (事前绩效评估): conclusion, vetoes and the budget gate of new projects.

New major policies and projects that need fiscal money are assessed before the budget is prepared (domain.md §2).
Assessors score the leaves of the ``exante`` framework (five first-level dimensions of 20 points, each split into
two 10-point items: 立项必要性 necessity, 投入经济性 economy, 绩效目标合理性 targets, 实施方案可行性 feasibility,
筹资合规性 compliance); the total gives the conclusion, veto rules may cap it, and a new project without a passing
assessment is flagged 不得安排预算 (no budget may be arranged). The conclusion cut-offs are the grade bands of the
framework (``templates/frameworks/exante.yaml``, their single source); the passing conclusions, vetoes and the gate
flag live in ``templates/policies/exante.yaml`` (:class:`ExantePolicy`).

Rules (defaults)
----------------
* Total = sum of the leaf scores (an exactly rounded sum, ``math.fsum``, so one-decimal scores that add up to 90
  give 90, not 89.99999999999999); each score must lie in ``[0, points]`` (PMKPI ex-ante sheet: item scores may
  not exceed their weight, totals are the roll-up of the leaves [V]).
* Conclusion = the framework's grade band of the total (PMKPI #54653474066 [V], as half-open bands so 89.5 is not
  lost between PMKPI's integer bands): 予以支持 ``[90, 100]``, 调整完善后予以支持 ``[70, 90)``, 不予支持 ``[0, 70)``.
* Vetoes [I]: a rule such as "compliance below 60 % of its points" caps the conclusion at 不予支持.
* Budget gate (朝阳县, Liaoning [V]): "未按要求开展事前绩效评估或者绩效评估结果未通过的，不得安排预算". A new
  project (units.csv ``is_new``) without an assessment, or any assessed unit whose conclusion does not pass, is
  flagged. Passing conclusions are also admitted to the project pool (是否纳入项目库, PMKPI #54823873790 [V]).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import math

import numpy as np
import pandas as pd

from ._html import frame_html, header
from ._rows import row_locations, with_source
from .columns import EXANTE_ALIASES
from .errors import FrameworkError, InputError, Problem
from .framework import Framework, load_framework, validate_framework
from .policies import ExantePolicy, to_bool

__all__ = ["ExantePolicy", "ExanteResult", "assess", "read_exante"]


@dataclass(frozen=True, slots=True)
class ExanteResult:
    """Ex-ante assessment of every unit (see :func:`assess` for the columns).

    Attributes
    ----------
    units : DataFrame
        One row per assessed unit and per new unit without an assessment.
    nodes : DataFrame
        One row per (assessed unit, framework leaf).
    framework : Framework
    policy : mapping
        Every rule used: the framework's name and conclusion bands, then :meth:`ExantePolicy.to_dict`.
    problems : tuple of Problem
        Warnings (leaves scored 0 because they were missing).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> r = pe.exante.assess(data.exante, units=data.units)
    >>> r
    ExanteResult(units=20, conclusions={'予以支持': 12, '调整完善后予以支持': 5, '不予支持': 3})
    >>> r.nodes.shape                                         # 20 projects x 10 leaves
    (200, 6)
    """

    units: pd.DataFrame
    nodes: pd.DataFrame
    framework: Framework
    policy: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The unit table."""
        return self.units.copy()

    def _repr_html_(self) -> str:
        cols = ["unit_id", "total", "conclusion", "vetoes", "budget_flag"]
        counts = self.units["conclusion"].value_counts()
        note = (f"{self.framework.name}, {len(self.units)} units: "
                + ", ".join(f"{c} {int(n)}" for c, n in counts.items())
                + f"; {len(self.problems)} problem(s)")
        return header("事前绩效评估 ex-ante assessment", note) + frame_html(self.units[cols], source=".units")

    def __repr__(self) -> str:
        counts = self.units["conclusion"].value_counts().to_dict()
        return f"ExanteResult(units={len(self.units)}, conclusions={counts})"


def read_exante(path: str | Path) -> pd.DataFrame:
    """Read exante.csv / .xlsx: ``unit_id`` (项目编码), ``node_code`` (指标编码: a leaf of the ``exante``
    framework), ``score`` (得分: the points given, 0 to the leaf's points); other columns are kept.

    Returns
    -------
    DataFrame
        Canonical columns with ``score`` as float, plus ``source_file`` and ``source_row``.

    Examples
    --------
    >>> import perfeval as pe
    >>> from pathlib import Path
    >>> sheet = pe.exante.read_exante(Path(pe.list_samples()["path"][0]) / "exante.csv")
    >>> sheet.shape, sheet[["unit_id", "node_code", "score"]].head(1).values.tolist()
    ((200, 5), [['0042024001', 'necessity.relevance', 8.5]])
    """
    from .io import read_table

    return read_table(path, EXANTE_ALIASES, required=("unit_id", "node_code", "score"), kind="exante",
                      numeric=("score",))


def _dimensions(fw: Framework) -> tuple[dict[str, str], dict[str, float], list[str]]:
    """Leaf -> first-level code, leaf points, and the first-level codes in order."""
    parent = {n.code: p for n, _, p in fw.walk()}
    top: dict[str, str] = {}
    points: dict[str, float] = {}
    for leaf in fw.leaves():
        code = leaf.code
        while parent[code] is not None:
            code = parent[code]
        top[leaf.code] = code
        points[leaf.code] = float(leaf.points) if leaf.points is not None else np.nan
    return top, points, [n.code for n in fw.nodes]


def _check_scores(scores: pd.DataFrame, fw: Framework, leaf_points: Mapping[str, float]) -> pd.DataFrame:
    """Typed copy of the scores; raise every problem (unknown or inner node, bad score, duplicates), located."""
    missing = [c for c in ("unit_id", "node_code", "score") if c not in scores]
    if missing:
        raise InputError.single("scores", "missing_column",
                                f"`scores` lacks column(s) {missing}; it has {list(scores.columns)}")
    s = with_source(scores, "scores")

    def loc(i: int, column: str) -> str:
        return row_locations(s, [i], column)[0]

    s["unit_id"] = s["unit_id"].astype(str)
    s["node_code"] = s["node_code"].astype(str).str.strip()
    value = pd.to_numeric(s["score"], errors="coerce")
    pts = s["node_code"].map(leaf_points)
    inner = {n.code for n in fw.all_nodes()} - set(leaf_points)
    problems = []
    for i in s.index[pts.isna()]:
        code = s["node_code"][i]
        why = ("is not a leaf: score its items" if code in inner else "is not a node of the framework")
        problems.append(Problem(loc(i, "node_code"), "unknown_node",
                                f"node {code!r} {why} {fw.name!r}; leaves: {', '.join(leaf_points)}"))
    problems += [Problem(loc(i, "score"), "bad_score", f"score must be a number; got {s['score'][i]!r}")
                 for i in s.index[value.isna()]]
    out = value.notna() & pts.notna() & ((value < 0) | (value > pts))
    problems += [Problem(loc(i, "score"), "score_out_of_range",
                         f"score of {s['node_code'][i]!r} must be in [0, {pts[i]:g}]; got {value[i]:g}")
                 for i in s.index[out]]
    dup = s.duplicated(["unit_id", "node_code"], keep="first")
    problems += [Problem(loc(i, "node_code"), "duplicate_row",
                         f"unit {s['unit_id'][i]!r} scores {s['node_code'][i]!r} twice") for i in s.index[dup]]
    if problems:
        raise InputError(problems=problems)
    return s.assign(score=value.astype(float))


def _veto_table(dims: pd.DataFrame, dim_points: Mapping[str, float], pol: ExantePolicy) -> pd.DataFrame:
    """Boolean frame (unit x veto code): which vetoes fire."""
    fired = pd.DataFrame(index=dims.index)
    for veto in pol.vetoes:
        codes = list(dim_points) if veto.node == "*" else [veto.node]
        unknown = [c for c in codes if c not in dim_points]
        if unknown:
            raise InputError.single(f"<policy>:vetoes.{veto.code}", "unknown_node",
                                    f"veto {veto.code!r} names {unknown[0]!r}, not a first-level dimension; "
                                    f"dimensions: {', '.join(dim_points)}")
        measure = dims[codes] / pd.Series(dim_points)[codes] if veto.measure == "share" else dims[codes]
        hit = measure < veto.value if veto.op == "<" else measure <= veto.value
        fired[veto.code] = hit.any(axis=1)
    return fired


def assess(scores: pd.DataFrame, framework: str | Path | Framework = "exante", *, units: pd.DataFrame | None = None,
           policy: "str | Path | Mapping[str, Any] | ExantePolicy | None" = None) -> ExanteResult:
    """Ex-ante assessment: totals, the five dimension totals, conclusion, vetoes and the budget gate.

    Parameters
    ----------
    scores : DataFrame
        Long: ``unit_id, node_code, score`` (exante.csv, :func:`read_exante`); one row per (unit, leaf), the score
        being the points given (0 to the leaf's points).
    framework : str, Path or Framework
        The assessment framework; its leaf codes are the valid ``node_code`` values, its first-level nodes the
        dimensions and its grade bands the conclusions (default the shipped ``exante``).
    units : DataFrame, optional
        units.csv (``unit_id, is_new``): new units without an assessment are added and flagged.
    policy : path, mapping or ExantePolicy, optional
        Changes to ``templates/policies/exante.yaml``.

    Returns
    -------
    ExanteResult
        ``units`` columns: ``unit_id``; ``total`` (sum of leaf scores; NaN when not assessed); ``conclusion`` and
        ``conclusion_en`` (after vetoes; None when not assessed); ``banded_conclusion`` (from the total alone); one
        column per first-level dimension with its total (``necessity, economy, targets, feasibility,
        compliance`` for the shipped framework); ``vetoes`` (codes of the fired vetoes, ``;``-joined);
        ``passed`` (conclusion passes: 纳入项目库, admitted to the project pool; None when not assessed);
        ``is_new`` (from ``units``; None without it); ``assessed``; ``budget_gate`` (True when a budget may be
        arranged); ``budget_flag`` and ``budget_flag_en`` (不得安排预算 / no budget may be arranged, or "");
        ``flags`` (``missing_leaves``).

        ``nodes`` columns: ``unit_id, node_code, dimension, points, score, missing``.

    Raises
    ------
    InputError
        Every problem of ``scores``, located (``file:row:column`` from ``source_file``/``source_row``, else
        ``scores:<row + 2>``): missing columns, unknown or inner nodes, non-numeric scores, scores outside
        ``[0, points]``, duplicated (unit, node); missing leaves when the policy says ``missing_leaf: error``; a
        veto naming an unknown dimension; an invalid policy, or one naming a conclusion the framework's bands
        do not have.
    FrameworkError
        ``framework`` cannot be loaded, or :func:`perfeval.validate_framework` finds errors in it (bands with a
        gap, points that do not sum ...).

    Notes
    -----
    The conclusion is the framework's grade band of the total (:meth:`perfeval.GradeBands.grade`), the single
    source of the 90 / 70 cut-offs, so :func:`perfeval.score` on the same framework grades alike; for other
    cut-offs give a framework with other ``bands``. A fired veto caps the conclusion:
    ``conclusion = worse(banded, veto.conclusion)`` over the fired vetoes.

    References
    ----------
    .. [1] PMKPI ex-ante score sheet (#54653474066) and project-pool admission (#54823873790), domain.md §2.
    .. [2] 朝阳县人民政府 (Liaoning), 事前绩效评估 rules: https://cyx.gov.cn/html/CYXZF/202006/0163659671720459.html

    Examples
    --------
    >>> import pandas as pd, perfeval as pe
    >>> fw = pe.load_framework("exante")
    >>> leaves = [n.code for n in fw.leaves()]
    >>> scores = pd.DataFrame({"unit_id": "N1", "node_code": leaves, "score": 9.0})
    >>> r = pe.exante.assess(scores)
    >>> r.units[["total", "conclusion"]].values.tolist()
    [[90.0, '予以支持']]

    The sample province's 20 new projects; 0032024002 scores 71.5 but fails the compliance floor (a veto):

    >>> data = pe.load_sample()
    >>> r = pe.exante.assess(data.exante, units=data.units)
    >>> r.units["conclusion"].value_counts().to_dict()
    {'予以支持': 12, '调整完善后予以支持': 5, '不予支持': 3}
    >>> r.units.loc[r.units["conclusion"] == "不予支持", ["unit_id", "total", "budget_flag"]].values.tolist()
    [['0022024001', 69.5, '不得安排预算'], ['0032024002', 71.5, '不得安排预算'], ['0122024002', 71.5, '不得安排预算']]
    """
    fw = load_framework(framework)
    errors = [p for p in validate_framework(fw) if p.severity == "error"]
    if errors:
        raise FrameworkError(f"framework {fw.name!r} cannot conclude an assessment:", problems=errors)
    pol = ExantePolicy.load(policy, framework=fw)
    top, leaf_points, dim_codes = _dimensions(fw)
    s = _check_scores(scores, fw, leaf_points)
    grid = s.pivot(index="unit_id", columns="node_code", values="score").reindex(columns=list(leaf_points))
    grid.columns.name = None
    absent = grid.isna()
    severity = "warning" if pol.missing_leaf == "zero" else "error"
    rows, cols = np.nonzero(absent.to_numpy())
    problems = [Problem(f"scores:{grid.index[r]}", "missing_leaf", f"unit {grid.index[r]!r} has no score for "
                        f"{grid.columns[c]!r}" + ("; scored 0" if severity == "warning" else ""), severity)
                for r, c in zip(rows, cols)]
    if pol.missing_leaf == "error" and problems:
        raise InputError(problems=problems)
    grid = grid.fillna(0.0)
    dims = pd.DataFrame({d: _fsum_rows(grid[[leaf for leaf in leaf_points if top[leaf] == d]]) for d in dim_codes},
                        index=grid.index)
    dim_points = {d: math.fsum(p for leaf, p in leaf_points.items() if top[leaf] == d) for d in dim_codes}
    total = _fsum_rows(grid)
    low_first = [b.label for b in fw.bands.bands]  # worst first
    banded = pd.Series(fw.bands.grade(total.to_numpy()), index=total.index, dtype=object)
    fired = _veto_table(dims, dim_points, pol)
    rank = banded.map(low_first.index)
    for veto in pol.vetoes:
        rank = rank.where(~fired[veto.code], np.minimum(rank, low_first.index(veto.conclusion)))
    conclusion = rank.map(dict(enumerate(low_first)))
    en = {b.label: b.label_en for b in fw.bands.bands}
    out = pd.DataFrame({"total": total, "conclusion": conclusion, "conclusion_en": conclusion.map(en),
                        "banded_conclusion": banded})
    out = pd.concat([out, dims], axis=1)
    out["vetoes"] = (fired.apply(lambda r: ";".join(fired.columns[r.to_numpy()]), axis=1)
                     if len(fired.columns) and len(fired) else "")
    out["passed"] = conclusion.isin(pol.passing).astype(object)
    out["flags"] = np.where(absent.any(axis=1), "missing_leaves", "")
    out.index.name = "unit_id"
    out = out.reset_index()
    out = _gate(out, units, pol)
    nodes = grid.stack().reset_index()
    nodes.columns = ["unit_id", "node_code", "score"]
    nodes["dimension"] = nodes["node_code"].map(top)
    nodes["points"] = nodes["node_code"].map(leaf_points)
    nodes["missing"] = absent.stack().to_numpy()
    nodes = nodes[["unit_id", "node_code", "dimension", "points", "score", "missing"]]
    record = {"framework": fw.name, "conclusions": fw.bands.to_list(), **pol.to_dict()}
    return ExanteResult(units=out, nodes=nodes, framework=fw, policy=record, problems=tuple(problems))


def _fsum_rows(frame: pd.DataFrame) -> pd.Series:
    """Exactly rounded row sums (``math.fsum``): decimal scores that add up to 90 give 90.0."""
    return pd.Series([math.fsum(row) for row in frame.to_numpy(dtype=float)], index=frame.index, dtype=float)


def _gate(out: pd.DataFrame, units: pd.DataFrame | None, pol: ExantePolicy) -> pd.DataFrame:
    """Add is_new, assessed, budget_gate and the flag; new units without an assessment get a row."""
    out["assessed"] = True
    out["is_new"] = None
    if units is not None:
        if "unit_id" not in units or "is_new" not in units:
            raise InputError.single("units", "missing_column",
                                    f"`units` needs columns unit_id and is_new; it has {list(units.columns)}")
        units = with_source(units, "units")
        flags = units["is_new"].map(to_bool)
        bad = units.index[flags.isna()]
        if len(bad):
            raise InputError(problems=[Problem(loc, "not_boolean", f"is_new must be yes/no (是/否, true/false, 1/0); "
                                                                   f"got {units['is_new'][i]!r}")
                                       for i, loc in zip(bad, row_locations(units, bad, "is_new"))])
        new = pd.Series(flags.to_numpy(dtype=bool), index=units["unit_id"].astype(str))
        new = new[~new.index.duplicated()]
        out["is_new"] = out["unit_id"].map(new).astype(object)
        missing = new.index[new.to_numpy() & ~new.index.isin(out["unit_id"])]
        if len(missing):
            extra = pd.DataFrame({"unit_id": missing, "assessed": False, "is_new": True, "passed": None,
                                  "flags": ""})
            out = pd.concat([out, extra], ignore_index=True)
    out["is_new"] = out["is_new"].astype(object).where(out["is_new"].notna(), None)
    out["passed"] = out["passed"].where(out["assessed"], None)
    gate = out["assessed"] & out["passed"].eq(True)
    gate = gate | (~out["assessed"] & ~out["is_new"].eq(True))
    out["budget_gate"] = gate.astype(bool)
    out["budget_flag"] = np.where(gate, "", pol.gate_flag)
    out["budget_flag_en"] = np.where(gate, "", pol.gate_flag_en)
    cols = [c for c in out.columns if c not in ("vetoes", "passed", "is_new", "assessed", "budget_gate",
                                                "budget_flag", "budget_flag_en", "flags")]
    out["vetoes"] = out["vetoes"].fillna("")
    return out[cols + ["vetoes", "passed", "is_new", "assessed", "budget_gate", "budget_flag", "budget_flag_en",
                       "flags"]]
