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
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ._html import frame_html, header, short_items
from ._rows import row_locations, with_source
from .errors import DataQualityWarning, InputError, Problem
from .io.dataset import read_units  # re-exported: the reader lives with the other readers in perfeval.io
from .policies import PROJECT_TYPES, ApplicationPolicy, to_bool

__all__ = ["ApplicationPolicy", "ApplicationResult", "apply_results", "transfer_factors", "read_units"]

_TYPE_ZH = {"continuing": "持续性项目", "phased": "阶段性项目", "one_off": "一次性项目"}
_TYPE_EN = {"continuing": "continuing project", "phased": "phased project", "one_off": "one-off project"}
_UNIT_COLUMNS = ["unit_id", "department_id", "kind", "project_type", "rigid", "total", "grade", "action_code",
                 "action", "action_en", "cut_share", "current_budget", "proposed_budget", "budget_change",
                 "rectification_required", "transfer_factor", "reason", "reason_en"]


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
    12
    """

    units: pd.DataFrame
    summary: pd.DataFrame
    transfers: pd.DataFrame
    policy: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The unit table."""
        return self.units.copy()

    def _repr_html_(self) -> str:
        cols = ["unit_id", "grade", "action", "cut_share", "current_budget", "proposed_budget",
                "rectification_required"]
        counts = self.units["action"].value_counts()
        note = (f"{len(self.units)} units; " + ", ".join(f"{a} {int(n)}" for a, n in counts.items())
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
                     floor: float = 0.9, cap: float = 1.1, budget_neutral: bool = True) -> pd.DataFrame:
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
        Solve the shift so that ``sum(allocation x factor) == sum(allocation)`` (weights 1 without allocations).

    Returns
    -------
    DataFrame
        ``unit_id, total, deviation`` ((s - mean) / mean), ``raw_factor`` (1 + k deviation), ``shift``,
        ``factor``, ``capped`` (the factor was clipped), ``allocation``, ``adjusted_allocation``
        (allocation x factor).

    Raises
    ------
    ValueError
        ``k < 0``, bounds outside ``0 < floor <= 1 <= cap``, or a missing total.

    Notes
    -----
    .. math:: f_i = \\min\\{cap, \\max\\{floor, 1 + k (s_i - \\bar s) / \\bar s + \\delta\\}\\}

    where :math:`\\bar s` is the regions' mean score and :math:`\\delta` is 0, or with ``budget_neutral`` the root
    of :math:`\\sum_i a_i f_i(\\delta) = \\sum_i a_i` (monotone in :math:`\\delta`, found by Brent's method). The
    shift keeps the differences between regions; the bounds keep any region's change within
    ``[floor - 1, cap - 1]`` of its allocation. No source fixes this formula [I]: it implements the "incentives
    and constraints" of transfer-payment performance (domain.md §6, §7) as a documented, capped, budget-neutral
    factor; ``k``, ``floor`` and ``cap`` are policy parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.application import transfer_factors
    >>> t = transfer_factors(pd.Series({"R1": 90.0, "R2": 70.0}), pd.Series({"R1": 100.0, "R2": 100.0}))
    >>> t["factor"].round(4).tolist(), float(t["adjusted_allocation"].sum())
    ([1.0625, 0.9375], 200.0)
    """
    if not k >= 0:
        raise ValueError(f"`k` must be >= 0; got {k!r}.")
    if not 0 < floor <= 1 <= cap:
        raise ValueError(f"`floor` and `cap` must satisfy 0 < floor <= 1 <= cap; got floor={floor!r}, cap={cap!r}.")
    s = pd.Series(totals, dtype=float)
    if s.isna().any():
        raise ValueError(f"`totals` must not be missing; got NaN for {list(s.index[s.isna()])}.")
    mean = s.mean() if len(s) else 0.0
    deviation = (s - mean) / mean if mean else s * 0.0
    raw = 1.0 + k * deviation
    a = pd.Series(np.nan, index=s.index) if allocation is None else pd.Series(allocation, dtype=float).reindex(s.index)
    weights = a.to_numpy() if a.notna().all() and a.sum() > 0 else np.ones(len(s))
    shift = 0.0
    if budget_neutral and len(s):
        def excess(delta: float) -> float:
            return float(np.sum(weights * np.clip(raw.to_numpy() + delta, floor, cap)) - weights.sum())

        lo, hi = floor - float(raw.max()), cap - float(raw.min())
        shift = 0.0 if excess(0.0) == 0 else brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    unclipped = raw + shift
    factor = unclipped.clip(floor, cap)
    return pd.DataFrame({"unit_id": s.index.astype(str), "total": s.to_numpy(), "deviation": deviation.to_numpy(),
                         "raw_factor": raw.to_numpy(), "shift": shift, "factor": factor.to_numpy(),
                         "capped": (unclipped != factor).to_numpy(), "allocation": a.to_numpy(),
                         "adjusted_allocation": (a * factor).to_numpy()})


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
    score_result : ScoreResult or DataFrame
        Evaluation totals: a :class:`perfeval.ScoreResult` (its ``totals``) or a frame with ``unit_id, total``
        and optionally ``grade`` (graded with the policy's bands where absent).
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
        else NaN); ``reason`` and ``reason_en`` (the rule applied, in words).

        ``summary`` columns: ``department_id, grade, n_units, n_rectification, current_budget`` (all units),
        ``proposed_budget`` (units with a proposed budget), ``budget_change`` (over units with both).

        ``transfers``: :func:`transfer_factors` of the regions.

    Raises
    ------
    InputError
        Located problems: a missing column, a grade that is not one of the policy's, a total outside the bands,
        an unknown project type, an unreadable ``rigid``; an invalid policy (``file:line``).

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

    Next year's actions for the sample province's self-evaluations:

    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> r = pe.application.apply_results(res, data.units, budget=data.budget)
    >>> r.units["action"].value_counts().head(3).to_dict()
    {'优先保障': 58, '保障后续资金': 38, '同类项目倾斜': 28}
    >>> round(float(r.units["budget_change"].sum()), 2)
    -2952.8
    """
    pol = ApplicationPolicy.load(policy)
    t = _totals(score_result, pol)
    info = _unit_info(units, pol)
    unknown = ~t["unit_id"].isin(info.index)
    problems = [Problem(f"units:{u}", "unknown_unit", f"unit {u!r} has a score but no row in units; treated as a "
                                                     f"{pol.default_project_type} project, not rigid", "warning")
                for u in t["unit_id"][unknown]]
    d = t.join(info, on="unit_id")
    d["project_type"] = d["project_type"].fillna(pol.default_project_type)
    d["rigid"] = d["rigid"].fillna(False).astype(bool)
    d["current_budget"] = _current_budget(d, "current_budget" in info, budget, unknown.to_numpy(), problems)
    acts = [pol.actions[p][g] for p, g in zip(d["project_type"], d["grade"])]
    d["action_code"] = [a.code for a in acts]
    d["action"], d["action_en"] = [a.action for a in acts], [a.action_en for a in acts]
    d["cut_share"] = np.array([a.cut_share for a in acts], dtype=float)
    d["rectification_required"] = np.array([a.rectification for a in acts], dtype=bool)
    ends = (d["project_type"] == "one_off") & pol.one_off_ends
    exempt = pol.rigid_exempt & d["rigid"] & (d["cut_share"] > 0) & ~ends
    d.loc[exempt, ["action_code", "action", "action_en"]] = [pol.rigid.code, pol.rigid.action, pol.rigid.action_en]
    d.loc[exempt, "cut_share"] = 0.0
    d.loc[ends, "cut_share"] = np.nan
    region = (d["kind"] == pol.transfer.kind).to_numpy()
    transfers = _transfers(d[region], pol)
    d["transfer_factor"] = d["unit_id"].map(transfers.set_index("unit_id")["factor"]) if len(transfers) else np.nan
    d.loc[region, ["action_code", "action", "action_en"]] = [pol.transfer.code, pol.transfer.action,
                                                            pol.transfer.action_en]
    d.loc[region, "cut_share"] = 1.0 - d.loc[region, "transfer_factor"]
    d["project_type"] = d["project_type"].where(~region, None)  # regions are not projects
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
    return transfer_factors(totals, alloc, k=tp.k, floor=tp.floor, cap=tp.cap, budget_neutral=tp.budget_neutral)


def _reasons(d: pd.DataFrame, exempt: np.ndarray, ends: np.ndarray, region: np.ndarray) -> tuple[list[str], list[str]]:
    """The rule applied to each unit, in Chinese and English."""
    zh, en = [], []
    for i, r in enumerate(d.itertuples(index=False)):
        kind_zh = "转移支付地区" if region[i] else _TYPE_ZH[r.project_type]
        kind_en = "transfer-payment region" if region[i] else _TYPE_EN[r.project_type]
        head_zh = f"评价等级{r.grade}（{r.total:g}分）；{kind_zh}"
        head_en = f"grade {r.grade} ({r.total:g} points); {kind_en}"
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
