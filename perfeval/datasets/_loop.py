"""In-year monitoring and the department-overall and transfer-payment evaluations of the sample province.

* Monitoring (双监控, months 1-8): the budget line spends along ``(m / 12) ** g`` toward the year's true
  execution, count indicators progress along their own curves toward their true actuals, cost and ``=0`` lines
  accumulate, percentages are measured as they stand and settle toward their year-end value, qualitative lines
  move from 部分达成 to their final level; so with linear time progress every light colour appears (red, yellow,
  green and, for indicators ahead of their pro-rated target, blue). Some lagging lines carry no deviation note,
  which makes a red line serious (暂缓或停止拨款) when it is also forecast to miss.
* Department-overall (12 departments) and transfer-payment (14 cities) evaluations: one row per fixed leaf of
  their frameworks (the leaf's ``node_code``) and, for the transfer framework's slots, regional indicators from
  the library; plus the budget tables their execution leaves are scored from.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..framework import Framework
from . import _names as N
from . import _values as V
from ._distributions import draw, draw_by_class
from ._projects import (band_scores, deviation_notes, library_candidates, pick_indicators, slot_roles,
                        split_points)

__all__ = ["monitoring", "overall_rows", "slot_rows", "MONITORED"]

#: Lines monitored per project besides the budget line (kinds that accumulate over the year, then rates, then
#: qualitative lines).
MONITORED = 4
_CUMULATIVE = ("count", "money", "zero")  # totals that accumulate (not rates, per-unit costs or durations)
_RATES = ("pct",)  # percentages: measured as they stand each month (not pro-rated by the lights)


def _budget_lines(rng: np.random.Generator, budget: pd.DataFrame, m: np.ndarray) -> pd.DataFrame:
    """Budget lines: cumulative executed amount along ``(m / 12) ** g`` toward the year's true execution."""
    n, months, tp = len(budget), len(m), m / 12.0
    executed = budget["executed"].to_numpy(dtype=float)
    full = budget["budget_full_year"].to_numpy(dtype=float)
    g = draw(rng, "monitor.spend_shape", n)
    spent = np.round(executed[:, None] * tp[None, :] ** g[:, None], 2)
    return pd.DataFrame({"unit_id": np.repeat(budget["unit_id"].to_numpy(dtype=object), months),
                         "month": np.tile(m, n), "indicator": "budget", "value": spent.ravel(),
                         "_ratio": (spent / full[:, None] / tp[None, :]).ravel(),
                         "_project": np.repeat(np.arange(n), months),
                         "_met": np.repeat(executed / full >= 0.9, months)})


def _indicator_lines(rng: np.random.Generator, rows: pd.DataFrame, m: np.ndarray) -> pd.DataFrame:
    """Up to :data:`MONITORED` lines per project: cumulative actuals, events of ``=0`` lines, levels."""
    months, tp = len(m), m / 12.0
    kind = rows["kind"].to_numpy(dtype=object)
    eligible = rows["applicable"].to_numpy(dtype=bool) & np.isin(kind, [*_CUMULATIVE, *_RATES, "qual"])
    eligible &= ~rows["restated"].to_numpy(dtype=bool)
    ke = kind[eligible]
    cand = rows[eligible].assign(_pri=-2 * np.isin(ke, _CUMULATIVE).astype(int) - np.isin(ke, _RATES).astype(int))
    cand = cand.sort_values(["project", "_pri"], kind="stable")
    cand = cand[cand.groupby("project").cumcount() < MONITORED]
    k, ck = len(cand), cand["kind"].to_numpy(dtype=object)
    t, final = cand["target_value"].to_numpy(dtype=float), cand["true_value"].to_numpy(dtype=float)
    share = tp[None, :] ** draw(rng, "monitor.progress_shape", k)[:, None]
    value = V.round_values((final[:, None] * share).ravel(), np.repeat(ck, months),
                           np.repeat(cand["unit"].to_numpy(dtype=object), months)).reshape(k, months)
    rate = np.isin(ck, _RATES)
    start = draw(rng, "monitor.rate_start", k)
    measured = np.minimum(final[:, None] * (start[:, None] + (1.0 - start[:, None]) * share), 100.0)
    value = np.where(rate[:, None], V.round_values(measured.ravel(), np.repeat(ck, months),
                                                   np.repeat(cand["unit"].to_numpy(dtype=object), months)
                                                   ).reshape(k, months), value)
    happen = draw(rng, "monitor.event_month", k)
    value = np.where((ck == "zero")[:, None], np.where(m[None, :] >= happen[:, None], final[:, None], 0.0), value)
    level = cand["true_level"].to_numpy(dtype=object)
    lv = np.where(m[None, :] >= draw(rng, "monitor.done_month", k)[:, None], level[:, None], "partly")
    op = cand["true_op"].to_numpy(dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((op == ">=")[:, None], value / (t[:, None] * np.where(rate[:, None], 1.0, tp[None, :])),
                         np.where(value <= t[:, None], 1.0, 0.0))
    qual = (ck == "qual")[:, None]
    met = np.where(ck == "qual", level == "met", cand["true_achievement"].to_numpy(dtype=float) >= 0.999)
    return pd.DataFrame({"unit_id": np.repeat(cand["unit_id"].to_numpy(dtype=object), months),
                         "month": np.tile(m, k), "indicator": np.repeat(cand["indicator"].to_numpy(), months),
                         "value": np.where(qual, lv, value.astype(object)).ravel(),
                         "_ratio": np.where(qual, (lv == "met") * 1.0, ratio).ravel(),
                         "_project": np.repeat(cand["project"].to_numpy(), months),
                         "_met": np.repeat(met, months)})


def monitoring(rng: np.random.Generator, rows: pd.DataFrame, budget: pd.DataFrame, months: int = 8
               ) -> pd.DataFrame:
    """Monitoring rows of every project for months 1..``months`` (see the module docstring).

    Returns ``unit_id, month, indicator, value, forecast, note``: the budget line and up to :data:`MONITORED`
    indicator lines per project (accumulating totals first, then percentages, measured as they stand and settling
    toward their year-end value, then qualitative ones). ``forecast`` (完成目标可能性) is the unit's view of the year end,
    the true outcome sometimes contradicted, one per line; ``note`` gives the line's deviation reason in the
    months it lags (from March), except on lines whose unit states none (``monitor.no_note``).
    """
    m = np.arange(1, months + 1)
    out = pd.concat([_budget_lines(rng, budget, m), _indicator_lines(rng, rows, m)], ignore_index=True)
    out = out.sort_values(["_project", "month"], kind="stable").reset_index(drop=True)
    line = pd.factorize(out["unit_id"].astype(str) + "|" + out["indicator"].astype(str))[0]
    n_lines = int(line.max()) + 1 if len(line) else 0
    likely = out["_met"].to_numpy(dtype=bool) ^ draw(rng, "monitor.forecast_noise", n_lines)[line]
    out["forecast"] = np.where(likely, "likely", "unlikely")
    lagging = (out["_ratio"].to_numpy(dtype=float) < 0.8) & (out["month"].to_numpy() >= 3)
    lagging &= ~draw(rng, "monitor.no_note", n_lines)[line]  # some units state no reason or corrective action
    reason = V.pick_text(N.NOTES_MISSED, draw(rng, "ind.text_variant", n_lines))[line]
    out["note"] = np.where(lagging, reason, "")
    return out.drop(columns=["_ratio", "_project", "_met"])


def _fixed_values(rng: np.random.Generator, leaves: list, library: pd.DataFrame, classes: np.ndarray,
                  amount: np.ndarray) -> pd.DataFrame:
    """One row per (unit, fixed leaf) with target, actual, level, score and note as an evaluator records them.

    The leaf's operator and unit come from its library entry (``indicator_code``); qualitative and evaluator
    leaves get a level and a score inside its band, deduction leaves (扣分制) the number of problems found.
    """
    lib = library.set_index("code")
    n_u, n_l = len(classes), len(leaves)
    code = np.tile(np.array([lf.code for lf in leaves], dtype=object), n_u)
    rule = np.tile(np.array([lf.rule for lf in leaves], dtype=object), n_u)
    pts = np.tile(np.array([float(lf.points or 0.0) for lf in leaves]), n_u)
    ind_code = np.tile(np.array([lf.indicator_code or "" for lf in leaves], dtype=object), n_u)
    name = np.tile(np.array([lf.name for lf in leaves], dtype=object), n_u)
    op = np.array([lf.op or (lib.at[c, "op"] if c in lib.index else ">=") for lf, c in
                   zip(leaves * n_u, ind_code)], dtype=object)
    unit = np.array([lib.at[c, "unit"] if c in lib.index and isinstance(lib.at[c, "unit"], str) else "%"
                     for c in ind_code], dtype=object)
    unit = np.where(op == "qualitative", "", unit)
    cls = np.repeat(classes, n_l)
    kind = V.value_kind(op, unit)
    target = V.draw_targets(rng, kind, op, unit, np.repeat(amount, n_l), name)
    control = np.array(["控制率" in s for s in name]) & (kind == "pct") & (op == "<=")
    target = np.where(control, 100.0, target)  # control rates (控制率) are capped at 100 %
    actual, _, missed = V.true_values(rng, kind, op, unit, target, cls, np.array(["满意" in s for s in name]))
    truth = draw_by_class(rng, "overall.truth", cls)
    findings = draw_by_class(rng, "overall.findings", cls).astype(float)
    qual = np.isin(rule, ["qualitative", "evaluator"])
    ded = rule == "deduction"
    level = np.where(truth >= 0.8, "met", np.where(truth >= 0.6, "partly", "not_met")).astype(object)
    low = np.select([level == "met", level == "partly"], [0.8, 0.6], 0.0)
    width = np.select([level == "met", level == "partly"], [0.2, 0.2], 0.6)
    score = np.round(V.achievement(op, target, actual) * pts, 2)
    score[qual] = band_scores(level[qual], ((truth - low) / width)[qual], pts[qual])
    score[ded] = np.maximum(pts[ded] - findings[ded], 0.0)
    role = np.full(len(cls), "criterion", dtype=object)
    target_text, _ = V.render_target(rng, kind, op, target, unit, role)
    actual_text = V.render_actual(rng, kind, actual, level, unit, role)
    # deduction leaves: the standard is "no violation", the actual the number of problems found
    target_text = np.where(ded, N.DEDUCTION_TARGET, target_text)
    actual_text = np.where(ded, np.char.mod("%d", findings).astype(object), actual_text)
    unit = np.where(ded, "项", unit)
    missed = (missed & ~qual & ~ded) | (qual & (level != "met")) | (ded & (findings > 0))
    note = deviation_notes(rng, op, np.where(ded, "qual", kind), target, actual, missed)
    return pd.DataFrame({"node_code": code, "indicator": name, "indicator_code": ind_code, "op": op,
                         "target": target_text, "actual": actual_text, "unit": unit, "points": pts,
                         "level": np.where(qual, level, ""), "score": score, "applicable": True, "note": note})


def overall_rows(rng: np.random.Generator, fw: Framework, unit_ids: np.ndarray, classes: np.ndarray,
                 library: pd.DataFrame, amount: np.ndarray) -> pd.DataFrame:
    """Observation rows of every fixed leaf of ``fw`` (execution leaves excepted: they come from the budget)."""
    leaves = [lf for lf in fw.leaves() if not lf.slot and lf.rule != "execution"]
    rows = _fixed_values(rng, leaves, library, classes, amount)
    parents = {lf.code: fw.parent_of(lf.code) for lf in leaves}
    l1 = {lf.code: fw.find(_root(fw, lf.code)).name for lf in leaves}
    rows.insert(0, "unit_id", np.repeat(unit_ids, len(leaves)))
    rows.insert(2, "l1", rows["node_code"].map(l1))
    rows.insert(3, "l2", rows["node_code"].map(lambda c: fw.find(parents[c]).name if parents[c] else ""))
    return rows


def _root(fw: Framework, code: str) -> str:
    """Code of the first-level ancestor of node ``code``."""
    parent = fw.parent_of(code)
    while parent is not None and fw.parent_of(parent) is not None:
        parent = fw.parent_of(parent)
    return parent or code


def slot_rows(rng: np.random.Generator, fw: Framework, unit_ids: np.ndarray, classes: np.ndarray,
              library: pd.DataFrame, amount: np.ndarray, topic: str, sectors: tuple[str, ...], year: int
              ) -> pd.DataFrame:
    """Regional indicators under ``fw``'s slots (transfer payments: 产出 and 效益), from the library's entries for
    transfers of the fund's ``sectors`` and the common ones, each first level's points split over its rows."""
    slots = slot_roles(fw, required=())
    lib = library_candidates(library, "transfer", year)
    lib = lib[lib["sector"].isin(sectors) | lib["common"]].reset_index(drop=True)
    roles = [r for r in ("quantity", "quality", "timeliness", "social", "economic", "sustainable") if r in slots]
    n = len(unit_ids)
    project = np.repeat(np.arange(n), len(roles))
    role = np.tile(np.array(roles, dtype=object), n)
    picks = pick_indicators(rng, lib, np.full(n, "transfer", dtype=object),
                            {"transfer": np.ones(len(lib), dtype=bool)}, np.full(n, topic, dtype=object),
                            project, role).drop(columns="role")
    op, unit = picks["op"].to_numpy(dtype=object), picks["unit"].to_numpy(dtype=object)
    kind = V.value_kind(op, unit)
    cls = classes[project]
    names = picks["indicator"].to_numpy(dtype=object)
    target = V.draw_targets(rng, kind, op, unit, amount[project], names)
    actual, level, _ = V.true_values(rng, kind, op, unit, target, cls, np.array(["满意" in s for s in names]))
    l1_code = np.array([slots[r].l1_code for r in role], dtype=object)
    points = split_points(rng, pd.factorize(pd.Series(project).astype(str) + l1_code)[0],
                          np.array([slots[r].l1_points for r in role]))
    ach = V.achievement(op, target, actual)
    qual = kind == "qual"
    score = np.round(ach * points, 2)
    score[qual] = band_scores(level[qual], draw(rng, "ind.qual_position", int(qual.sum())), points[qual])
    missed = (ach < 1.0) | (qual & (level != "met"))
    note = deviation_notes(rng, op, kind, target, actual, missed)
    target_text, _ = V.render_target(rng, kind, op, target, unit, role)
    return pd.DataFrame({"unit_id": unit_ids[project], "node_code": [slots[r].code for r in role],
                         "l1": [slots[r].l1_name for r in role], "l2": [slots[r].name for r in role],
                         "indicator": picks["indicator"], "indicator_code": picks["indicator_code"], "op": op,
                         "target": target_text, "actual": V.render_actual(rng, kind, actual, level, unit, role),
                         "unit": unit, "points": points, "level": np.where(qual, level, ""), "score": score,
                         "applicable": True, "note": note})
