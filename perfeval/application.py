"""Application of evaluation results (评价结果应用, 激励约束): from grades to next year's budget.

Evaluation results feed next year's budget (domain.md §6). Each evaluated unit gets an action by its grade,
differentiated by project type, with rigid expenditure exempt from cuts, a rectification requirement, and a
proposed budget; transfer payments to regions are scaled by a performance adjustment factor. The rules are
parameters of ``templates/policies/application.yaml`` (:class:`ApplicationPolicy`).

Rules (defaults)
----------------
* Grade -> action (达州 Dazhou [V]): 优 优先保障 (priority), 良 据实合理保障 (fund on actual need), 中 一定比例核减
  (cut by a set share: 10 % [I], no authoritative figure exists), 差 取消或暂停 (cancel or suspend: cut 100 %).
  MOF 财预〔2020〕10号 [R]: 中/差 must 完善政策、改进管理 (rectification required).
* Project type (chinavalue.com.cn 2020 [V]): continuing projects follow the grade table; phased projects get
  保障后续资金 (guarantee follow-up funds) when good and 暂停拨付 (suspend disbursement) when poor; a one-off project
  ends, so its result tilts similar projects (优/良 同类项目倾斜) or tightens their review (中/差 同类新项目从严审核)
  and it has no proposed budget of its own.
* Rigid expenditure (刚性支出) is not cut (Liaoning 2017 practice [V]); rectification is still required.
* Transfer payments [I]: regions (``kind = region``) get next year's allocation = this year's x factor,
  ``factor = clip(1 + k (s - mean) / mean + shift, floor, cap)`` (:func:`transfer_factors`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ._html import frame_html, header, short_items
from ._rows import row_locations, with_source
from .errors import DataQualityWarning, InputError, Problem
from .io.dataset import read_units  # re-exported: the reader lives with the other readers in perfeval.io
from .policies import PROJECT_TYPES, ApplicationPolicy, to_bool
from .policies._application import GRADE_SOURCES

__all__ = ["ApplicationPolicy", "ApplicationResult", "apply_results", "transfer_factors", "read_units"]

_TYPE_ZH = {"continuing": "持续性项目", "phased": "阶段性项目", "one_off": "一次性项目"}
_TYPE_EN = {"continuing": "continuing project", "phased": "phased project", "one_off": "one-off project"}
_UNIT_COLUMNS = ["unit_id", "department_id", "kind", "project_type", "rigid", "total", "grade", "action_code",
                 "action", "action_en", "cut_share", "current_budget", "proposed_budget", "budget_change",
                 "rectification_required", "transfer_factor", "reason", "reason_en", "grade_source", "self_total",
                 "self_grade", "self_action_code", "changed_by_verification"]
_SOURCE_ZH = {"key_evaluation": "重点评价", "recheck": "再评价（复核）", "self_evaluation": "自评"}
_SOURCE_EN = {"key_evaluation": "key evaluation", "recheck": "re-evaluation (re-check)",
              "self_evaluation": "self-evaluation"}


@dataclass(frozen=True, slots=True)
class ApplicationResult:
    """Next year's budget actions (see :func:`apply_results` for the columns).

    Attributes
    ----------
    units : DataFrame
        One row per evaluated unit.
    summary : DataFrame
        Budget impact per department and grade.
    transfers : DataFrame
        The performance adjustment factor of each region (:func:`transfer_factors`); empty without regions.
    policy : mapping
        Every rule used (:meth:`ApplicationPolicy.to_dict`).
    problems : tuple of Problem
        Warnings (scored units missing from ``units`` ...).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> r = pe.application.apply_results(res, data.units, budget=data.budget)
    >>> r.summary.columns.tolist()
    ['department_id', 'grade', 'n_units', 'n_rectification', 'current_budget', 'proposed_budget', 'budget_change']
    >>> int(r.units["rectification_required"].sum())
    8
    """

    units: pd.DataFrame
    summary: pd.DataFrame
    transfers: pd.DataFrame
    policy: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The unit table."""
        return self.units.copy()

    def verification(self) -> pd.DataFrame:
        """What verification changed, per grade source (in the policy's ``verification_order``).

        Returns
        -------
        DataFrame
            ``grade_source, n_units, n_with_self`` (units that also have a self-evaluation grade),
            ``n_grade_changed`` (grade differs from the self-evaluation's), ``n_action_changed``
            (``changed_by_verification``).

        Examples
        --------
        >>> import pandas as pd, perfeval as pe
        >>> graded = pd.DataFrame({"unit_id": ["P1", "P2", "P1"], "total": [92.0, 85.0, 57.0],
        ...                        "grade_source": ["self_evaluation", "self_evaluation", "key_evaluation"]})
        >>> units = pd.DataFrame({"unit_id": ["P1", "P2"], "budget": [100.0, 50.0]})
        >>> pe.application.apply_results(graded, units).verification().values.tolist()
        [['key_evaluation', 1, 1, 1, 1], ['self_evaluation', 1, 1, 0, 0]]
        """
        u = self.units
        order = [s for s in self.policy.get("verification_order", GRADE_SOURCES) if s in set(u["grade_source"])]
        with_self = u["self_grade"].notna()
        g = u.assign(_self=with_self, _grade=with_self & (u["grade"] != u["self_grade"]),
                     _action=u["changed_by_verification"].astype(bool))
        out = g.groupby("grade_source", sort=False).agg(n_units=("unit_id", "size"), n_with_self=("_self", "sum"),
                                                        n_grade_changed=("_grade", "sum"),
                                                        n_action_changed=("_action", "sum"))
        return out.reindex(order).reset_index().astype({c: int for c in out.columns})

    def _repr_html_(self) -> str:
        cols = ["unit_id", "grade", "grade_source", "action", "cut_share", "current_budget", "proposed_budget",
                "rectification_required", "changed_by_verification"]
        counts = self.units["action"].value_counts()
        note = (f"{len(self.units)} units; " + ", ".join(f"{a} {int(n)}" for a, n in counts.items())
                + f"; {int(self.units['changed_by_verification'].sum())} changed by verification"
                + f"; budget change {self.units['budget_change'].sum():,.2f}; "
                f"{int(self.units['rectification_required'].sum())} to rectify; {len(self.problems)} problem(s)")
        out = (header("评价结果应用 application of results", note) + frame_html(self.units[cols], source=".units")
               + frame_html(self.summary, caption="By department and grade", source=".summary"))
        if len(self.transfers):
            out += frame_html(self.transfers, caption="Transfer-payment factors", source=".transfers")
        return out

    def __repr__(self) -> str:
        actions = short_items(self.units["action_code"].value_counts(), k=4)
        return (f"ApplicationResult(units={len(self.units)}, actions={actions}, "
                f"budget_change={self.units['budget_change'].sum():g})")


# ---------------------------------------------------------------------------------------------------------------
# transfer payments
# ---------------------------------------------------------------------------------------------------------------
def transfer_factors(totals: pd.Series, allocation: pd.Series | None = None, *, k: float = 0.5,
                     floor: float = 0.9, cap: float = 1.1, budget_neutral: bool = True,
                     grades: pd.Series | None = None, neutral_grades: Sequence[str] = (),
                     grade_order: Sequence[str] = ("优", "良", "中", "差")) -> pd.DataFrame:
    """Performance adjustment factor of next year's transfer-payment allocation to each region.

    Parameters
    ----------
    totals : Series
        Evaluation totals indexed by region ``unit_id``.
    allocation : Series, optional
        This year's allocation per region (same index); without it the budget-neutral shift keeps the mean
        factor at 1.
    k : float
        Sensitivity (>= 0): a region 10 % above the mean score gets ``1 + 0.1 k`` before capping.
    floor, cap : float
        Bounds of the factor, ``0 < floor <= 1 <= cap``.
    budget_neutral : bool
        Solve the shift so that ``sum(allocation x factor) == sum(allocation)`` (weights 1 without allocations)
        when the bounds allow it; otherwise the shift that comes closest.
    grades : Series, optional
        Each region's grade (same index). With ``neutral_grades`` the grade bounds the factor: a neutral grade
        (良 by default in the policy: 据实合理保障) keeps factor 1, a better grade only gains (``[1, cap]``), a worse
        one only loses (``[floor, 1]``), so no region graded 良 is cut for being below the mean.
    neutral_grades : sequence of str
        Grades whose factor is 1 (empty: no grade bounds, the relative factor alone).
    grade_order : sequence of str
        All grades, best first (the policy's bands).

    Returns
    -------
    DataFrame
        ``unit_id, total, deviation`` ((s - mean) / mean), ``raw_factor`` (1 + k deviation), ``shift``,
        ``factor``, ``capped`` (the factor was clipped), ``allocation``, ``adjusted_allocation``
        (allocation x factor), ``grade`` (None without ``grades``), ``low``, ``high`` (the bounds applied).

    Raises
    ------
    ValueError
        ``k < 0``, bounds outside ``0 < floor <= 1 <= cap``, a missing total, a neutral grade or region grade
        that is not in ``grade_order``.

    Notes
    -----
    .. math:: f_i = \\min\\{h_i, \\max\\{l_i, 1 + k (s_i - \\bar s) / \\bar s + \\delta\\}\\}

    where :math:`\\bar s` is the regions' mean score, :math:`[l_i, h_i]` is ``[floor, cap]`` or the grade's bounds,
    and :math:`\\delta` is 0, or with ``budget_neutral`` the root of :math:`\\sum_i a_i f_i(\\delta) = \\sum_i a_i`
    (monotone in :math:`\\delta`, found by Brent's method; the nearest end of its range when the bounds leave no
    root, e.g. every region graded 优). No source fixes this formula [I]: it implements the "incentives and
    constraints" of transfer-payment performance (domain.md §6, §7) as a documented, capped, budget-neutral
    factor; the grade bounds keep it consistent with the grade table (良 = 据实合理保障, Dazhou [V]).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.application import transfer_factors
    >>> t = transfer_factors(pd.Series({"R1": 90.0, "R2": 70.0}), pd.Series({"R1": 100.0, "R2": 100.0}))
    >>> t["factor"].round(4).tolist(), float(t["adjusted_allocation"].sum())
    ([1.0625, 0.9375], 200.0)

    A region graded 良 below the mean keeps its allocation:

    >>> g = pd.Series({"R1": "优", "R2": "良", "R3": "中"})
    >>> t = transfer_factors(pd.Series({"R1": 95.0, "R2": 82.0, "R3": 70.0}), grades=g, neutral_grades=["良"])
    >>> t["factor"].round(4).tolist()
    [1.0759, 1.0, 0.9241]
    """
    if not k >= 0:
        raise ValueError(f"`k` must be >= 0; got {k!r}.")
    if not 0 < floor <= 1 <= cap:
        raise ValueError(f"`floor` and `cap` must satisfy 0 < floor <= 1 <= cap; got floor={floor!r}, cap={cap!r}.")
    s = pd.Series(totals, dtype=float)
    if s.isna().any():
        raise ValueError(f"`totals` must not be missing; got NaN for {list(s.index[s.isna()])}.")
    low, high = np.full(len(s), floor), np.full(len(s), cap)
    g = pd.Series(None, index=s.index, dtype=object) if grades is None else pd.Series(grades, dtype=object).reindex(
        s.index)
    if grades is not None and len(neutral_grades):
        order = {label: i for i, label in enumerate(grade_order)}
        bad = [x for x in [*neutral_grades, *g.dropna()] if x not in order]
        if bad:
            raise ValueError(f"grades must be among {list(grade_order)}; got {sorted(set(map(str, bad)))}.")
        ranks = [order[x] for x in neutral_grades]
        rank = g.map(order).to_numpy(dtype=float)
        better, worse = rank < min(ranks), rank > max(ranks)
        neutral = ~better & ~worse & ~np.isnan(rank)
        low = np.where(better | neutral, 1.0, low)
        high = np.where(worse | neutral, 1.0, high)
    mean = s.mean() if len(s) else 0.0
    deviation = (s - mean) / mean if mean else s * 0.0
    raw = 1.0 + k * deviation
    a = pd.Series(np.nan, index=s.index) if allocation is None else pd.Series(allocation, dtype=float).reindex(s.index)
    weights = a.to_numpy() if a.notna().all() and a.sum() > 0 else np.ones(len(s))
    r = raw.to_numpy()
    shift = 0.0
    if budget_neutral and len(s):
        def excess(delta: float) -> float:
            return float(np.sum(weights * np.clip(r + delta, low, high)) - weights.sum())

        lo, hi = float(np.min(low - r)), float(np.max(high - r))
        if excess(0.0) == 0:
            shift = 0.0
        elif excess(lo) >= 0:
            shift = lo
        elif excess(hi) <= 0:
            shift = hi
        else:
            shift = brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    unclipped = r + shift
    factor = np.clip(unclipped, low, high)
    return pd.DataFrame({"unit_id": s.index.astype(str), "total": s.to_numpy(), "deviation": deviation.to_numpy(),
                         "raw_factor": r, "shift": shift, "factor": factor,
                         "capped": unclipped != factor, "allocation": a.to_numpy(),
                         "adjusted_allocation": a.to_numpy() * factor, "grade": g.to_numpy(dtype=object),
                         "low": low, "high": high})


# ---------------------------------------------------------------------------------------------------------------
# application of results
# ---------------------------------------------------------------------------------------------------------------
def _totals(score_result: Any, pol: ApplicationPolicy) -> pd.DataFrame:
    """unit_id, total, grade (computed with the policy's bands where absent); unknown grades raise, located."""
    totals = getattr(score_result, "totals", score_result)
    if not isinstance(totals, pd.DataFrame) or not {"unit_id", "total"} <= set(totals.columns):
        raise InputError.single("score_result", "missing_column",
                                "`score_result` must be a ScoreResult or a DataFrame with columns unit_id, total "
                                "(and optionally grade)")
    t = with_source(totals, "totals")

    def loc(i: int, column: str) -> str:
        return row_locations(t, [i], column)[0]

    out = pd.DataFrame({"unit_id": t["unit_id"].astype(str),
                        "total": pd.to_numeric(t["total"], errors="coerce").astype(float)})
    labels = list(pol.bands.labels)
    if "grade" in t:
        out["grade"] = t["grade"].astype(object).where(t["grade"].notna(), None)
        bad = out["grade"].notna() & ~out["grade"].isin(labels)
        if bad.any():
            raise InputError(problems=[Problem(loc(i, "grade"), "unknown_grade",
                                               f"grade {out['grade'][i]!r} of unit {out['unit_id'][i]!r} is not one "
                                               f"of the policy's grades {', '.join(labels)}")
                                       for i in np.flatnonzero(bad)])
    else:
        out["grade"] = None
    missing = out["grade"].isna()
    out.loc[missing, "grade"] = pol.bands.grade(out.loc[missing, "total"].to_numpy(dtype=float))
    if out["grade"].isna().any():
        raise InputError(problems=[Problem(loc(i, "total"), "no_grade",
                                           f"unit {out['unit_id'][i]!r} has total {out['total'][i]:g}, outside the "
                                           "policy's grade bands") for i in np.flatnonzero(out["grade"].isna())])
    return out.drop_duplicates("unit_id")


def _source_of(result: Any) -> str:
    """The grade source a result object stands for: a RecheckResult is ``recheck``; a ScoreResult on a key
    evaluation framework (category ``project_key``) ``key_evaluation``; anything else ``self_evaluation``."""
    from .recheck.compare import RecheckResult

    if isinstance(result, RecheckResult):
        return "recheck"
    fw = getattr(result, "framework", None)
    if fw is not None and getattr(fw, "category", "") == "project_key":
        return "key_evaluation"
    return "self_evaluation"


def _as_totals(result: Any) -> Any:
    """A RecheckResult's re-check totals and grades as a totals frame; anything else unchanged."""
    from .recheck.compare import RecheckResult

    if isinstance(result, RecheckResult):
        u = result.units
        return pd.DataFrame({"unit_id": u["unit_id"].astype(str), "total": u["recheck_total"],
                             "grade": u["recheck_grade"]})
    return result


def _graded(score_result: Any, pol: ApplicationPolicy) -> pd.DataFrame:
    """One row per unit: the grade of the most verified source that grades it (``pol.verification_order``),
    with ``grade_source``, and the self-evaluation's ``self_total`` and ``self_grade`` where there is one."""
    if isinstance(score_result, Mapping):
        items = [(str(k), v) for k, v in score_result.items() if v is not None]
    elif isinstance(score_result, (list, tuple)):
        items = [(_source_of(r), r) for r in score_result if r is not None]
    elif isinstance(score_result, pd.DataFrame) and "grade_source" in score_result:
        src = score_result["grade_source"].astype(str)
        items = [(str(k), score_result[src == k].drop(columns="grade_source")) for k in dict.fromkeys(src)]
    else:
        items = [(_source_of(score_result), score_result)]
    if not items:
        raise InputError.single("score_result", "no_results", "`score_result` holds no results to apply")
    sources = [k for k, _ in items]
    unknown = [k for k in sources if k not in GRADE_SOURCES]
    if unknown:
        raise InputError.single("score_result", "unknown_source", f"unknown grade source(s) {unknown}; use "
                                                                  f"{', '.join(GRADE_SOURCES)}")
    twice = sorted({k for k in sources if sources.count(k) > 1})
    if twice:
        raise InputError.single("score_result", "duplicate_source", f"grade source(s) {twice} given more than once")
    unordered = [k for k in sources if k not in pol.verification_order]
    if unordered:
        raise InputError.single("policy:verification_order", "unordered_source",
                                f"grade source(s) {unordered} are not in the policy's verification_order "
                                f"{list(pol.verification_order)}")
    rank = {k: i for i, k in enumerate(pol.verification_order)}
    frames = [_totals(_as_totals(r), pol).assign(grade_source=k, _rank=rank[k]) for k, r in items]
    allg = pd.concat(frames, ignore_index=True)
    best = allg.sort_values(["_rank"], kind="stable").drop_duplicates("unit_id")
    order = pd.Index(pd.unique(allg["unit_id"]), name="unit_id")
    best = best.set_index("unit_id").reindex(order).reset_index()
    own = allg[allg["grade_source"] == "self_evaluation"].set_index("unit_id")
    best["self_total"] = best["unit_id"].map(own["total"]).astype(float)
    best["self_grade"] = best["unit_id"].map(own["grade"]).astype(object)
    best["self_grade"] = best["self_grade"].where(best["self_grade"].notna(), None)
    return best.drop(columns="_rank")


def _actions_for(d: pd.DataFrame, grades: pd.Series, pol: ApplicationPolicy
                 ) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """The grade table's action of each unit for ``grades`` (None where no grade), with the rigid-expenditure
    exemption applied: (actions, exempt, ends)."""
    acts = [pol.actions[p][g] if g is not None else None for p, g in zip(d["project_type"], grades)]
    cut = np.array([a.cut_share if a is not None else 0.0 for a in acts], dtype=float)
    ends = ((d["project_type"] == "one_off") & pol.one_off_ends).to_numpy()
    exempt = pol.rigid_exempt & d["rigid"].to_numpy(dtype=bool) & (cut > 0) & ~ends
    return acts, exempt, ends


def _unit_info(units: pd.DataFrame, pol: ApplicationPolicy) -> pd.DataFrame:
    """Per unit_id: department_id, kind, project_type, rigid (checked, located)."""
    if "unit_id" not in units:
        raise InputError.single("units", "missing_column", f"`units` needs a unit_id column; it has "
                                                           f"{list(units.columns)}")
    u = with_source(units, "units")
    info = pd.DataFrame({"unit_id": u["unit_id"].astype(str)})
    for col in ("department_id", "kind"):
        info[col] = u[col].astype(object).where(u[col].notna(), None) if col in u else None
    ptype = u["project_type"].astype("string").str.strip() if "project_type" in u else pd.Series(pd.NA, index=u.index)
    bad_type = ptype.notna() & (ptype != "") & ~ptype.isin(PROJECT_TYPES)
    rigid = u["rigid"].map(to_bool) if "rigid" in u else pd.Series(False, index=u.index)
    problems = [Problem(loc, "unknown_project_type",
                        f"project_type must be one of {', '.join(PROJECT_TYPES)}; got {ptype[i]!r}")
                for i, loc in zip(u.index[bad_type], row_locations(u, u.index[bad_type], "project_type"))]
    problems += [Problem(loc, "not_boolean", f"rigid must be yes/no (是/否, true/false, 1/0); got {u['rigid'][i]!r}")
                 for i, loc in zip(u.index[rigid.isna()], row_locations(u, u.index[rigid.isna()], "rigid"))]
    if problems:
        raise InputError(problems=problems)
    info["project_type"] = ptype.where(ptype.notna() & (ptype != ""), pol.default_project_type).astype(object)
    info["rigid"] = rigid.astype(bool)
    for col in ("budget_full_year", "budget"):
        if col in u:
            info["current_budget"] = pd.to_numeric(u[col], errors="coerce")
            break
    return info.drop_duplicates("unit_id").set_index("unit_id")


def apply_results(score_result: Any, units: pd.DataFrame,
                  policy: "str | Path | Mapping[str, Any] | ApplicationPolicy | None" = None, *,
                  budget: pd.DataFrame | None = None) -> ApplicationResult:
    """Next year's budget action for every evaluated unit, and the budget impact by department and grade.

    Parameters
    ----------
    score_result : ScoreResult, RecheckResult, DataFrame, or a list or mapping of them
        Evaluation totals: a :class:`perfeval.ScoreResult` (its ``totals``), a
        :class:`perfeval.recheck.RecheckResult` (its ``recheck_total`` and ``recheck_grade``) or a frame with
        ``unit_id, total`` and optionally ``grade`` (graded with the policy's bands where absent) and
        ``grade_source``. Several sources of grades are given as a mapping ``{source: result}``, a list of
        results (the source read from each: a RecheckResult is ``recheck``, a ScoreResult on a ``project_key``
        framework ``key_evaluation``, anything else ``self_evaluation``) or one frame with a ``grade_source``
        column. Sources: ``key_evaluation``, ``recheck``, ``self_evaluation``. Each unit's action follows the
        first source in the policy's ``verification_order`` that grades it (default: key evaluation, then
        re-check, then self-evaluation: the most verified grade decides the budget).
    units : DataFrame
        units.csv (:func:`read_units`): ``unit_id`` and optionally ``department_id, kind, project_type, rigid``
        and the current budget (``budget_full_year``, else ``budget``), used for the units the ``budget`` frame
        does not give (units.csv itself has no budget column: pass ``budget=``).
    policy : path, mapping or ApplicationPolicy, optional
        Changes to ``templates/policies/application.yaml``.
    budget : DataFrame, optional
        The budget frame (``unit_id, budget_full_year``; e.g. ``data.budget`` or :func:`perfeval.read_budget`):
        this year's budget, the base of next year's. Without it and without a budget column in ``units`` there is
        no current budget: ``current_budget``, ``proposed_budget`` and ``budget_change`` are NaN, and a
        DataQualityWarning says to pass ``budget=``.

    Returns
    -------
    ApplicationResult
        ``units`` columns: ``unit_id, department_id, kind, project_type`` (the default type where units.csv
        has none; None for regions), ``rigid, total, grade``; ``action_code, action, action_en``; ``cut_share``
        (share of this year's budget cut; ``1 - factor`` for regions, negative for an increase; NaN for a one-off
        project that ends); ``current_budget``; ``proposed_budget`` (current x (1 - cut_share));
        ``budget_change`` (proposed - current); ``rectification_required`` (整改); ``transfer_factor`` (regions,
        else NaN); ``reason`` and ``reason_en`` (the rule applied, in words, naming the grade's source);
        ``grade_source`` (where ``total`` and ``grade`` come from); ``self_total``, ``self_grade`` and
        ``self_action_code`` (the self-evaluation's, when given; None else); ``changed_by_verification`` (the
        action differs from the one the self-evaluation grade would give).

        ``summary`` columns: ``department_id, grade, n_units, n_rectification, current_budget`` (all units),
        ``proposed_budget`` (units with a proposed budget), ``budget_change`` (over units with both).

        ``transfers``: :func:`transfer_factors` of the regions.

    Raises
    ------
    InputError
        Located problems: a missing column, a grade that is not one of the policy's, a total outside the bands,
        an unknown project type, an unreadable ``rigid``; an unknown or repeated grade source, or one missing from
        the policy's ``verification_order``; an invalid policy (``file:line``).

    Warns
    -----
    DataQualityWarning
        No current budget at all (``no_budget``: pass ``budget=``), or some listed units without one
        (``missing_budget``, one problem per unit); both also in ``problems``.

    Examples
    --------
    >>> import pandas as pd, perfeval as pe
    >>> totals = pd.DataFrame({"unit_id": ["P1", "P2"], "total": [92.0, 71.5]})
    >>> units = pd.DataFrame({"unit_id": ["P1", "P2"], "project_type": ["continuing", "continuing"],
    ...                       "budget": [100.0, 200.0]})
    >>> r = pe.application.apply_results(totals, units)
    >>> r.units[["grade", "action", "proposed_budget"]].values.tolist()
    [['优', '优先保障', 100.0], ['中', '一定比例核减', 180.0]]

    The most verified grade decides: a self-evaluated 优 that a key evaluation grades 差 is cancelled.

    >>> graded = pd.DataFrame({"unit_id": ["P1", "P1"], "total": [92.0, 57.0],
    ...                        "grade_source": ["self_evaluation", "key_evaluation"]})
    >>> u = pe.application.apply_results(graded, units).units
    >>> u[["grade", "grade_source", "self_grade", "action", "changed_by_verification"]].values.tolist()
    [['差', 'key_evaluation', '优', '取消或暂停', True]]

    Next year's actions for the sample province's self-evaluations:

    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> r = pe.application.apply_results(res, data.units, budget=data.budget)
    >>> r.units["action"].value_counts().head(3).to_dict()
    {'优先保障': 62, '保障后续资金': 40, '同类项目倾斜': 29}
    >>> round(float(r.units["budget_change"].sum()), 2)
    -1814.72
    """
    pol = ApplicationPolicy.load(policy)
    t = _graded(score_result, pol)
    info = _unit_info(units, pol)
    unknown = ~t["unit_id"].isin(info.index)
    problems = [Problem(f"units:{u}", "unknown_unit", f"unit {u!r} has a score but no row in units; treated as a "
                                                     f"{pol.default_project_type} project, not rigid", "warning")
                for u in t["unit_id"][unknown]]
    d = t.join(info, on="unit_id")
    d["project_type"] = d["project_type"].fillna(pol.default_project_type)
    d["rigid"] = d["rigid"].fillna(False).astype(bool)
    d["current_budget"] = _current_budget(d, "current_budget" in info, budget, unknown.to_numpy(), problems)
    acts, exempt_a, ends_a = _actions_for(d, d["grade"], pol)
    d["action_code"] = [a.code for a in acts]
    d["action"], d["action_en"] = [a.action for a in acts], [a.action_en for a in acts]
    d["cut_share"] = np.array([a.cut_share for a in acts], dtype=float)
    d["rectification_required"] = np.array([a.rectification for a in acts], dtype=bool)
    ends, exempt = pd.Series(ends_a, index=d.index), pd.Series(exempt_a, index=d.index)
    d.loc[exempt, ["action_code", "action", "action_en"]] = [pol.rigid.code, pol.rigid.action, pol.rigid.action_en]
    d.loc[exempt, "cut_share"] = 0.0
    d.loc[ends, "cut_share"] = np.nan
    self_acts, self_exempt, _ = _actions_for(d, d["self_grade"], pol)
    d["self_action_code"] = [None if a is None else pol.rigid.code if x else a.code
                             for a, x in zip(self_acts, self_exempt)]
    region = (d["kind"] == pol.transfer.kind).to_numpy()
    transfers = _transfers(d[region], pol)
    d["transfer_factor"] = d["unit_id"].map(transfers.set_index("unit_id")["factor"]) if len(transfers) else np.nan
    d.loc[region, ["action_code", "action", "action_en"]] = [pol.transfer.code, pol.transfer.action,
                                                            pol.transfer.action_en]
    d.loc[region, "cut_share"] = 1.0 - d.loc[region, "transfer_factor"]
    d["project_type"] = d["project_type"].where(~region, None)  # regions are not projects
    d.loc[region, "self_action_code"] = None
    d["changed_by_verification"] = (d["grade_source"] != "self_evaluation") & d["self_action_code"].notna() & (
        d["self_action_code"] != d["action_code"]) & ~region
    d["proposed_budget"] = d["current_budget"] * (1.0 - d["cut_share"])
    d["budget_change"] = d["proposed_budget"] - d["current_budget"]
    d["reason"], d["reason_en"] = _reasons(d, exempt.to_numpy(), ends.to_numpy(), region)
    out = d[_UNIT_COLUMNS].reset_index(drop=True)
    return ApplicationResult(units=out, summary=_summary(out, pol), transfers=transfers, policy=pol.to_dict(),
                             problems=tuple(problems))


def _current_budget(d: pd.DataFrame, in_units: bool, budget: pd.DataFrame | None, unknown: np.ndarray,
                    problems: list[Problem]) -> pd.Series:
    """This year's budget per unit: the ``budget`` frame's ``budget_full_year``, else the budget column of
    ``units``; warns (DataQualityWarning) when there is none at all or a listed unit has none."""
    current = d["current_budget"].astype(float) if in_units else pd.Series(np.nan, index=d.index)
    if budget is not None:
        if not {"unit_id", "budget_full_year"} <= set(budget.columns):
            raise InputError.single("budget", "missing_column", f"`budget` needs columns unit_id and "
                                                                f"budget_full_year; it has {list(budget.columns)}")
        b = budget.assign(unit_id=budget["unit_id"].astype(str)).drop_duplicates("unit_id").set_index("unit_id")
        given = pd.to_numeric(d["unit_id"].map(b["budget_full_year"]), errors="coerce").astype(float)
        current = given.where(given.notna(), current)
    if budget is None and not in_units:
        message = ("no current budget: pass `budget=` (the budget frame with unit_id and budget_full_year, e.g. "
                   "budget=data.budget) or give `units` a budget_full_year column; current_budget, "
                   "proposed_budget and budget_change are NaN")
        problems.append(Problem("budget", "no_budget", message, "warning"))
        warnings.warn(f"apply_results(): {message}.", DataQualityWarning, stacklevel=3)
        return current
    lacking = d["unit_id"][current.isna().to_numpy() & ~unknown]
    problems += [Problem(f"budget:{u}", "missing_budget", f"unit {u!r} has no current budget in `budget` or "
                         "`units`; its proposed budget is NaN", "warning") for u in lacking]
    if len(lacking):
        warnings.warn(f"apply_results(): {len(lacking)} unit(s) without a current budget (missing_budget: "
                      f"{', '.join(map(repr, lacking[:5]))}{' ...' if len(lacking) > 5 else ''}); see "
                      "result.problems", DataQualityWarning, stacklevel=3)
    return current


def _transfers(regions: pd.DataFrame, pol: ApplicationPolicy) -> pd.DataFrame:
    tp = pol.transfer
    totals = pd.Series(regions["total"].to_numpy(dtype=float), index=regions["unit_id"])
    alloc = pd.Series(regions["current_budget"].to_numpy(dtype=float), index=regions["unit_id"])
    grades = pd.Series(regions["grade"].to_numpy(dtype=object), index=regions["unit_id"])
    return transfer_factors(totals, alloc, k=tp.k, floor=tp.floor, cap=tp.cap, budget_neutral=tp.budget_neutral,
                            grades=grades, neutral_grades=tp.neutral_grades, grade_order=pol.bands.labels)


def _reasons(d: pd.DataFrame, exempt: np.ndarray, ends: np.ndarray, region: np.ndarray) -> tuple[list[str], list[str]]:
    """The rule applied to each unit, in Chinese and English."""
    zh, en = [], []
    for i, r in enumerate(d.itertuples(index=False)):
        kind_zh = "转移支付地区" if region[i] else _TYPE_ZH[r.project_type]
        kind_en = "transfer-payment region" if region[i] else _TYPE_EN[r.project_type]
        head_zh = f"{_SOURCE_ZH[r.grade_source]}等级{r.grade}（{r.total:g}分）；{kind_zh}"
        head_en = f"{_SOURCE_EN[r.grade_source]} grade {r.grade} ({r.total:g} points); {kind_en}"
        if r.grade_source != "self_evaluation" and r.self_grade is not None:
            head_zh += f"；自评等级{r.self_grade}（{r.self_total:g}分）" + ("，措施因核查改变" if r.changed_by_verification
                                                                        else "")
            head_en += (f"; self-evaluation grade {r.self_grade} ({r.self_total:g} points)"
                        + (", action changed by verification" if r.changed_by_verification else ""))
        if region[i]:
            z, e = f"转移支付绩效调整系数{r.transfer_factor:.4f}", f"transfer factor {r.transfer_factor:.4f}"
        elif ends[i]:
            z, e = f"{r.action}；项目当年结束，无下年预算", f"{r.action_en}; the project ends, no budget of its own"
        elif exempt[i]:
            z, e = f"{r.action}（等级规则要求核减）", f"{r.action_en} (the grade calls for a cut)"
        elif r.cut_share > 0:
            z, e = f"{r.action}，核减{r.cut_share:.0%}", f"{r.action_en}: cut {r.cut_share:.0%}"
        else:
            z, e = r.action, r.action_en
        tail_zh = "；须整改" if r.rectification_required else ""
        tail_en = "; rectification required" if r.rectification_required else ""
        zh.append(f"{head_zh}；{z}{tail_zh}")
        en.append(f"{head_en}; {e}{tail_en}")
    return zh, en


def _summary(u: pd.DataFrame, pol: ApplicationPolicy) -> pd.DataFrame:
    """Budget impact per department and grade (grades best first)."""
    both = u["proposed_budget"].notna() & u["current_budget"].notna()
    g = u.assign(department_id=u["department_id"].fillna(""), _change=u["budget_change"].where(both),
                 _rect=u["rectification_required"].astype(int))
    s = g.groupby(["department_id", "grade"], sort=False).agg(
        n_units=("unit_id", "size"), n_rectification=("_rect", "sum"),
        current_budget=("current_budget", lambda x: x.sum(min_count=1)),
        proposed_budget=("proposed_budget", lambda x: x.sum(min_count=1)),
        budget_change=("_change", lambda x: x.sum(min_count=1))).reset_index()
    order = {label: i for i, label in enumerate(pol.bands.labels)}
    return s.sort_values(["department_id", "grade"], key=lambda c: c.map(order) if c.name == "grade" else c,
                         kind="stable").reset_index(drop=True)
