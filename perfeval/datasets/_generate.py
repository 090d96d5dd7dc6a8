"""The sample-province generator: :func:`synthesize`.

The generator draws from :mod:`perfeval.datasets._distributions` only, through independent random streams
spawned from ``np.random.default_rng(seed)`` (one per part, so changing one part never shifts another), and reads
the indicator library and the frameworks at generation time.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..framework import Framework, grade, load_framework
from ..library import load_library
from . import _names as N
from ._distributions import CLASS_SHARES, draw, draw_by_class
from ._loop import monitoring, overall_rows, slot_rows
from ._planted import plant_budget, plant_rows
from ._projects import indicator_total, make_projects, notes, render
from ._review import ahp_survey, exante_scores, key_units, panel_scores, recheck_rows, recheck_sample
from ._readme import dataset_meta, readme_text
from ._sample import FILES, FormData, SampleData

__all__ = ["synthesize", "GENERATOR_VERSION", "YEAR", "FRAMEWORKS", "SIZES"]

#: Version of the generator; bump it whenever the output for a given seed changes.
GENERATOR_VERSION = "1.0"
#: The budget year of the sample.
YEAR = 2023
#: Framework of each evaluation category.
FRAMEWORKS: dict[str, str] = {"self": "project_self", "key": "project_key", "department": "department",
                              "transfer": "transfer", "exante": "exante", "policy": "policy"}
#: Counts at ``scale=1``; projects, re-checks, key evaluations and ex-ante proposals scale, the rest do not.
SIZES: dict[str, int] = {"projects": 150, "recheck": 30, "key": 8, "exante": 20, "forms": 10, "raters": 7,
                         "ahp_experts": 10, "months": 8}
#: The transfer fund evaluated in the fourteen cities (fictional).
TRANSFER_FUND = "乡村振兴衔接补助资金"
#: Library sectors the fund's regional indicators come from (besides the common entries).
TRANSFER_SECTORS = ("transfer", "agriculture")
_STREAMS = ("projects", "planted", "render", "recheck", "panel", "exante", "monitoring", "ahp", "department",
            "transfer", "forms")


def _check(seed: object, scale: object) -> tuple[int, float]:
    """Validated ``seed`` and ``scale`` (fail fast with the standard message)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise ValueError(f"`seed` must be a non-negative integer; got {seed!r}.")
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not np.isfinite(float(scale)) \
            or not 0.2 <= float(scale) <= 1000.0:
        raise ValueError(f"`scale` must be a number in [0.2, 1000] (1 = 150 projects); got {scale!r}.")
    return int(seed), float(scale)


def _claims(rows: pd.DataFrame, budget: pd.DataFrame, where: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Claimed execution points and claimed totals as the units write them (planted slips included)."""
    n = len(budget)
    full = budget["budget_full_year"].to_numpy(dtype=float)
    exec_points = np.minimum(budget["executed"].to_numpy(dtype=float) / full, 1.0) * 10.0
    claim = np.round(exec_points, 2)
    if "execution_score_differs" in where:  # the execution points rounded to a whole number
        p = where["execution_score_differs"]
        claim[p] = np.round(exec_points[p])
    if "all_full_marks" in where:
        claim[where["all_full_marks"]] = 10.0
    total = np.round(claim + indicator_total(rows, rows["claimed"].to_numpy(dtype=float), n), 2)
    if "all_full_marks" in where:
        total[where["all_full_marks"]] = 100.0
    if "total_not_sum_of_rows" in where:  # an addition slip of 2 points (down when up would pass 100)
        p = where["total_not_sum_of_rows"]
        total[p] = np.round(total[p] + (2.0 if total[p] <= 98.0 else -2.0), 2)
    return claim, total


def _departments(rng: np.random.Generator, fw: Framework, library: pd.DataFrame, projects_budget: pd.DataFrame,
                 units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Department units, their overall-evaluation rows and their budgets."""
    codes = np.array([d.code for d in N.DEPARTMENTS], dtype=object)
    classes = draw(rng, "overall.class", len(codes))
    sums = projects_budget.groupby(units["department_id"].to_numpy())["budget_full_year"].sum()
    base = sums.reindex(codes).to_numpy(dtype=float) * draw(rng, "overall.department_budget", len(codes))
    budget = _budget_table(rng, codes, base, classes)
    full = budget["budget_full_year"].to_numpy(dtype=float)
    rows = overall_rows(rng, fw, codes, classes, library, full / 100.0)
    dept_units = pd.DataFrame({"unit_id": codes, "name": [d.name for d in N.DEPARTMENTS], "kind": "department",
                               "department_id": codes, "year": YEAR, "project_type": "", "is_new": False,
                               "rigid": False, "category": "department"})
    return dept_units, rows, budget


def _budget_table(rng: np.random.Generator, codes: np.ndarray, base: np.ndarray, classes: np.ndarray
                  ) -> pd.DataFrame:
    """Budget rows of departments or cities: ``base`` rounded as the initial budget, adjusted, executed."""
    n = len(codes)
    initial = np.round(base)
    full = np.round(initial * (1.0 + draw(rng, "budget.adjusted_any", n) * draw(rng, "budget.adjustment", n)), 2)
    short = draw(rng, "budget.in_place_short", n)
    in_place = np.round(full * np.where(short, draw(rng, "budget.in_place_ratio", n), 1.0), 2)
    executed = np.round(np.minimum(full * draw_by_class(rng, "budget.execution", classes), in_place), 2)
    return pd.DataFrame({"unit_id": codes, "budget_initial": initial, "budget_full_year": full,
                         "budget_adjusted": full, "funds_in_place": in_place, "executed": executed})


def _transfers(rng: np.random.Generator, fw: Framework, library: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """City units, their transfer-payment evaluation rows (fixed leaves and slots) and their fund budgets."""
    codes = np.array([c for c, _ in N.CITIES], dtype=object)
    classes = draw(rng, "overall.class", len(codes))
    budget = _budget_table(rng, codes, draw(rng, "overall.transfer_budget", len(codes)), classes)
    full = budget["budget_full_year"].to_numpy(dtype=float)
    fixed = overall_rows(rng, fw, codes, classes, library, full)
    slots = slot_rows(rng, fw, codes, classes, library, full, TRANSFER_FUND, TRANSFER_SECTORS, YEAR)
    rows = pd.concat([fixed, slots], ignore_index=True)
    rows["_order"] = pd.factorize(rows["unit_id"])[0]
    rows = rows.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    city_units = pd.DataFrame({"unit_id": codes, "name": [f"{c}{TRANSFER_FUND}" for _, c in N.CITIES],
                               "kind": "region", "department_id": "", "year": YEAR, "project_type": "",
                               "is_new": False, "rigid": False, "category": "transfer"})
    return city_units, rows, budget


def _forms(rng: np.random.Generator, units: pd.DataFrame, observations: pd.DataFrame, budget: pd.DataFrame,
           fw: Framework, count: int) -> tuple[FormData, ...]:
    """Filled self-evaluation forms of ``count`` projects chosen at random."""
    pick = np.sort(rng.choice(len(units), size=min(count, len(units)), replace=False))
    dept_name = {d.code: d.name for d in N.DEPARTMENTS}
    out = []
    for i in pick:
        u = units.iloc[i]
        obs = observations[observations["unit_id"] == u["unit_id"]].reset_index(drop=True)
        b = budget.iloc[i].to_dict()
        total = float(b["claimed_total"])
        achieved = N.GOAL_TEMPLATES[1 if total >= 90 else 2].format(topic=u["name"])
        out.append(FormData(
            file=f"{u['unit_id']}.xlsx",
            unit={"unit_id": u["unit_id"], "name": u["name"], "department": dept_name[u["department_id"]],
                  "implementing_unit": f"{dept_name[u['department_id']]}（本级）", "year": YEAR},
            observations=obs, budget=b, claimed_total=total, claimed_grade=str(grade(total, fw.bands)),
            goals={"expected": N.GOAL_TEMPLATES[0].format(topic=u["name"]), "actual": achieved}))
    return tuple(out)


@dataclass(frozen=True)
class _SelfEvaluation:
    """The projects' self-evaluation as generated: public frames and what the generator knows."""

    units: pd.DataFrame
    rows: pd.DataFrame
    budget: pd.DataFrame
    observations: pd.DataFrame
    classes: np.ndarray
    planted: list[dict]
    true_execution: np.ndarray
    true_total: np.ndarray


def _self_evaluation(rng: dict[str, np.random.Generator], n: int, library: pd.DataFrame, fw: Framework
                     ) -> _SelfEvaluation:
    """Projects, their indicator rows and budgets, the planted problems and the units' claims."""
    pr = make_projects(rng["projects"], n, YEAR, library, fw)
    classes = pr.truth["cls"].to_numpy(dtype=object)
    taken: set[int] = set()
    rows, planted = plant_rows(rng["planted"], pr.rows, taken)
    rows, budget, where, more = plant_budget(rng["planted"], rows, pr.budget, classes, taken)
    rows["note"] = notes(rng["render"], rows)
    claim, total = _claims(rows, budget, where)
    budget = budget.assign(score=claim, claimed_total=total)
    exec_true = np.minimum(budget["executed"].to_numpy() / budget["budget_full_year"].to_numpy(), 1.0) * 10.0
    true_total = exec_true + indicator_total(rows, rows["true_achievement"].to_numpy() * rows["points"].to_numpy(),
                                             n)
    return _SelfEvaluation(pr.units.copy(), rows, budget, render(rng["render"], rows), classes, planted + more,
                           exec_true, true_total)


def synthesize(seed: int = 2019, scale: float = 1.0) -> SampleData:
    """Generate the synthetic sample province (示例省, fictional): every file of ``sample_data/province``.

    Parameters
    ----------
    seed : int, default 2019
        Seed of ``numpy.random.default_rng``; the same seed gives the same data, byte for byte once written.
    scale : float, default 1.0
        Multiplies the number of projects (150 at 1; 100 gives 15,000), of re-checks (30), key evaluations (8)
        and ex-ante proposals (20). Departments (12), cities (14), raters, AHP experts and forms do not scale.

    Returns
    -------
    SampleData
        Every frame of the dataset, ``meta`` (dataset.yaml), the forms and the README.

    Raises
    ------
    ValueError
        ``seed`` not a non-negative integer, or ``scale`` outside ``[0.2, 1000]``.

    Notes
    -----
    Every draw comes from a named distribution of :mod:`perfeval.datasets._distributions` (the README prints
    them), through independent streams ``np.random.default_rng(seed).spawn(k)``, one per part of the data.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.synthesize(seed=7, scale=0.2)
    >>> len(data.budget), data.meta["synthetic"]
    (30, True)
    """
    seed, scale = _check(seed, scale)
    sizes = {k: (max(1, round(v * scale)) if k in ("projects", "recheck", "key", "exante") else v)
             for k, v in SIZES.items()}
    rng = dict(zip(_STREAMS, np.random.default_rng(seed).spawn(len(_STREAMS))))
    fws = {k: load_framework(v) for k, v in FRAMEWORKS.items()}
    library = load_library().to_frame()
    se = _self_evaluation(rng, sizes["projects"], library, fws["self"])
    units = se.units
    claimed_grade = grade(se.budget["claimed_total"].to_numpy(), fws["self"].bands)
    sample = recheck_sample(rng["recheck"], units, claimed_grade, sizes["recheck"],
                            se.budget["claimed_total"].to_numpy(dtype=float))
    recheck, recheck_ind = recheck_rows(rng["recheck"], se.rows, se.observations, sample, se.true_execution,
                                        len(units))
    key = key_units(rng["panel"], units, se.budget, sizes["key"])
    panel, rater_roles = panel_scores(rng["panel"], units["unit_id"].to_numpy(dtype=object)[key],
                                      se.classes[key], fws["key"], sizes["raters"])
    category = units["category"].to_numpy(dtype=object)
    category[sample] = category[sample] + ";recheck"
    category[key] = category[key] + ";key"
    units["category"] = category
    ex_units, exante = exante_scores(rng["exante"], sizes["exante"], YEAR, fws["exante"])
    ahp, inconsistent = ahp_survey(rng["ahp"], fws["key"], sizes["ahp_experts"])
    dept_units, dept_rows, dept_budget = _departments(rng["department"], fws["department"], library, se.budget,
                                                      units)
    city_units, transfer_rows, transfer_budget = _transfers(rng["transfer"], fws["transfer"], library)
    forms = _forms(rng["forms"], units, se.observations, se.budget, fws["self"], sizes["forms"])
    truth = {"raters": rater_roles, "ahp_inconsistent": inconsistent,
             "class_counts": {c: int((se.classes == c).sum()) for c in CLASS_SHARES},
             "mean_true_total": round(float(se.true_total.mean()), 2),
             "mean_claimed_total": round(float(se.budget["claimed_total"].mean()), 2)}
    meta = dataset_meta(seed=seed, scale=scale, year=YEAR, version=GENERATOR_VERSION, frameworks=FRAMEWORKS,
                        files=FILES, planted=se.planted, truth=truth, forms=[f.file for f in forms],
                        transfer_fund=TRANSFER_FUND)
    data = SampleData(units=pd.concat([units, ex_units, dept_units, city_units], ignore_index=True),
                      observations=se.observations, budget=se.budget, recheck=recheck,
                      recheck_indicators=recheck_ind, panel=panel, department_observations=dept_rows,
                      department_budget=dept_budget, transfer_observations=transfer_rows,
                      transfer_budget=transfer_budget, exante=exante,
                      monitoring=monitoring(rng["monitoring"], se.rows, se.budget, sizes["months"]),
                      ahp_survey=ahp, meta=meta, forms=forms)
    return data.with_readme(readme_text(data))
