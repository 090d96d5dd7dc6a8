"""Problems planted in the sample province's self-evaluations, for the audit to find.

Real self-evaluation forms carry recurring mistakes (domain.md §3, §5.3, §5.6: PMKPI's plausibility checks and the
practitioner re-check findings of PIDU#58030075274). Each kind is planted once, in a different project chosen at
random, and recorded in ``dataset.yaml`` (``planted``) and the README with the unit, the indicator and what an
audit should report. Each kind is recorded under the finding code :func:`perfeval.recheck.audit` reports it with
(:data:`perfeval.recheck.FINDINGS`), so a user can match the list with the audit's findings. Planted problems
never make a file unusable: scoring and validation still succeed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._projects import OVER_ACHIEVEMENT

__all__ = ["PLANTED", "Planted", "plant_rows", "plant_budget"]


@dataclass(frozen=True, slots=True)
class Planted:
    """One kind of planted problem."""

    code: str
    file: str
    description: str


#: The planted problems, in the order they are planted.
PLANTED: tuple[Planted, ...] = (
    Planted("met_underscored", "indicators.csv",
            "a target that was met is claimed below its full points"),
    Planted("unmet_full_score", "indicators.csv",
            "a target that was missed is claimed at full points"),
    Planted("cost_indicator_ge", "indicators.csv",
            "a cost indicator is written with ≥ (a ≥ cost target rewards spending more); the unit claims full "
            "points"),
    Planted("actual_restates_target", "indicators.csv",
            "the actual value restates the target (e.g. ≥95%) instead of reporting a measurement; claimed full"),
    Planted("unexplained_over_achievement", "indicators.csv",
            "a target exceeded by 130 % or more carries no explanation (偏差原因)"),
    Planted("all_full_marks", "indicators.csv;budget.csv",
            "a project claims full points on every row and 100 in total although some targets were missed"),
    Planted("execution_score_differs", "budget.csv",
            "the claimed budget-execution points are rounded to a whole number"),
    Planted("total_not_sum_of_rows", "budget.csv",
            "the claimed total is not the sum of the claimed execution and indicator points"),
    Planted("executed_above_budget", "budget.csv",
            "the amount executed exceeds the full-year budget"),
)


def _choose(rng: np.random.Generator, candidates: np.ndarray, taken: set[int]) -> int | None:
    """A random project among ``candidates`` not used by another planted problem."""
    free = np.array(sorted(set(candidates.tolist()) - taken), dtype=int)
    if len(free) == 0:
        return None
    pick = int(free[rng.integers(len(free))])
    taken.add(pick)
    return pick


def _row_in(rng: np.random.Generator, rows: pd.DataFrame, mask: np.ndarray, taken: set[int]) -> int | None:
    """A random row satisfying ``mask`` in a project not yet used; returns the row position."""
    proj = rows["project"].to_numpy()
    project = _choose(rng, np.unique(proj[mask]), taken)
    if project is None:
        return None
    options = np.flatnonzero(mask & (proj == project))
    return int(options[rng.integers(len(options))])


def plant_rows(rng: np.random.Generator, rows: pd.DataFrame, taken: set[int]) -> tuple[pd.DataFrame,
                                                                                       list[dict]]:
    """Plant the indicator-level problems; returns the changed rows and the records of what was planted."""
    rows = rows.copy()
    rec: list[dict] = []
    kind, op = rows["kind"].to_numpy(dtype=object), rows["op"].to_numpy(dtype=object)
    app = rows["applicable"].to_numpy(dtype=bool)
    rep = rows["rep_achievement"].to_numpy(dtype=float)
    pts = rows["points"].to_numpy(dtype=float)
    quant = (kind != "qual") & app
    col = rows.columns.get_loc

    def record(code: str, i: int, detail: str) -> None:
        """Note what was planted at row ``i``."""
        rec.append({"code": code, "unit_id": str(rows.iat[i, col("unit_id")]),
                    "indicator": str(rows.iat[i, col("indicator")]), "detail": detail})

    i = _row_in(rng, rows, quant & (op == ">=") & (rep >= 1.0) & (pts >= 4), taken)
    if i is not None:
        rows.iat[i, col("claimed")] = pts[i] - 2.0
        record("met_underscored", i, f"met, claimed {pts[i] - 2.0:g} of {pts[i]:g} points")
    i = _row_in(rng, rows, quant & (rep >= 0.5) & (rep <= 0.97), taken)
    if i is not None:
        rows.iat[i, col("claimed")] = pts[i]
        record("unmet_full_score", i, f"achievement {rep[i]:.2f}, claimed the full {pts[i]:g} points")
    library_row = rows["indicator_code"].astype(str).str.len().to_numpy() > 0
    i = _row_in(rng, rows, quant & (rows["role"].to_numpy() == "cost") & (op == "<=") & (kind == "money")
                & (rep >= 1.0) & library_row, taken)
    if i is not None:
        rows.iat[i, col("op")] = ">="
        rows.iat[i, col("claimed")] = pts[i]
        record("cost_indicator_ge", i, "cost indicator with op >=")
    i = _row_in(rng, rows, quant & (rep >= 1.0) & np.isin(kind, ["pct", "count"]), taken)
    if i is not None:
        rows.iat[i, col("restated")] = True
        rows.iat[i, col("claimed")] = pts[i]
        record("actual_restates_target", i, "actual written as the target text")
    t, x = rows["target_value"].to_numpy(dtype=float), rows["rep_value"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        over = quant & (op == ">=") & (t > 0) & (x / np.where(t > 0, t, 1.0) >= OVER_ACHIEVEMENT)
    i = _row_in(rng, rows, over, taken)
    if i is not None:
        rows.iat[i, col("silent_over")] = True
        record("unexplained_over_achievement", i, f"actual / target = {x[i] / t[i]:.2f}, note empty")
    return rows, rec


def plant_budget(rng: np.random.Generator, rows: pd.DataFrame, budget: pd.DataFrame, cls: np.ndarray,
                 taken: set[int]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], list[dict]]:
    """Choose the projects of the project-level problems (the claims are written by the caller).

    Returns the rows (``all_full_marks`` rows claimed full), the budget (``executed_above_budget`` applied), the
    project index of each project-level problem and the records.
    """
    rows, budget = rows.copy(), budget.copy()
    rec: list[dict] = []
    where: dict[str, int] = {}
    unit_ids = budget["unit_id"].to_numpy(dtype=object)
    proj = rows["project"].to_numpy()
    missed = pd.Series(rows["rep_achievement"].to_numpy(dtype=float) < 1.0).groupby(proj).any()
    full = budget["budget_full_year"].to_numpy(dtype=float)
    rate = budget["executed"].to_numpy(dtype=float) / full

    p = _choose(rng, np.flatnonzero(np.isin(cls, ["fair", "weak"]) & missed.reindex(
        range(len(unit_ids)), fill_value=False).to_numpy() & (rate < 0.97)), taken)
    if p is not None:
        m = (proj == p) & rows["applicable"].to_numpy(dtype=bool)
        rows.loc[m, "claimed"] = rows.loc[m, "points"]
        rows.loc[m & (rows["kind"] == "qual").to_numpy(), "rep_level"] = "met"  # full marks claim "met"
        where["all_full_marks"] = p
        rec.append({"code": "all_full_marks", "unit_id": str(unit_ids[p]), "indicator": "",
                    "detail": "every row and the execution claimed at full points, total 100"})
    points = np.minimum(rate, 1.0) * 10.0
    p = _choose(rng, np.flatnonzero(np.abs(np.round(points) - points) >= 0.25), taken)
    if p is not None:
        where["execution_score_differs"] = p
        rec.append({"code": "execution_score_differs", "unit_id": str(unit_ids[p]), "indicator": "",
                    "detail": f"execution points {points[p]:.2f} claimed as {np.round(points[p]):g}"})
    p = _choose(rng, np.arange(len(unit_ids)), taken)
    if p is not None:
        where["total_not_sum_of_rows"] = p
        rec.append({"code": "total_not_sum_of_rows", "unit_id": str(unit_ids[p]), "indicator": "",
                    "detail": "claimed total is 2 points off the claimed rows + execution"})
    p = _choose(rng, np.flatnonzero(rate >= 0.95), taken)
    if p is not None:
        executed = round(full[p] * 1.03, 2)
        budget.iloc[p, budget.columns.get_loc("executed")] = executed
        where["executed_above_budget"] = p
        rec.append({"code": "executed_above_budget", "unit_id": str(unit_ids[p]), "indicator": "",
                    "detail": f"executed {executed:g} > full-year budget {full[p]:g} 万元"})
    return rows, budget, where, rec
