"""Reading the two scorings :func:`perfeval.recheck.compare` matches (private): ScoreResults or totals tables,
and the indicator-level re-check."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..columns import BUDGET_ALIASES, OBSERVATION_ALIASES, RECHECK_ALIASES, UNIT_ID, resolve_columns
from ..errors import InputError, Problem, format_location
from ..grades import GradeBands

__all__ = ["Side", "side", "indicator_side", "ids", "loc", "BUDGET_COLUMNS"]

_SELF_COLUMNS = ("self_total", "claimed_total", "total")
_RECHECK_COLUMNS = ("recheck_total", "total")
_TOTAL_ALIASES = {UNIT_ID: OBSERVATION_ALIASES[UNIT_ID], "recheck_total": RECHECK_ALIASES["recheck_total"],
                  "claimed_total": BUDGET_ALIASES["claimed_total"], "self_total": ("自评得分",),
                  "execution_score": ("预算执行得分",)}
# a budget table read as a totals table: its funds columns are not unit attributes
BUDGET_COLUMNS = ("budget_initial", "budget_full_year", "budget_adjusted", "funds_in_place", "executed", "score",
                   "claimed_total")


@dataclass(frozen=True)
class Side:
    """One scoring, normalised: totals per unit, optional execution points and indicator scores."""

    totals: pd.DataFrame                 # unit_id, total, execution_score
    leaves: pd.DataFrame | None          # unit_id, key, name, value
    bands: GradeBands | None
    extra: pd.DataFrame | None           # the totals table's other columns (amounts, departments ...)


# ---------------------------------------------------------------------------------------------------------------
def ids(values: pd.Series) -> pd.Series:
    """Unit ids as text (a float 1.0 read from a sheet becomes '1', leading zeros of text kept)."""
    return values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())


def loc(frame: pd.DataFrame, i: int, column: str, name: str) -> str:
    if "source_file" in frame and "source_row" in frame and not pd.isna(frame["source_row"].iat[i]):
        return format_location(frame["source_file"].iat[i], int(frame["source_row"].iat[i]), column)
    return f"{name} row {i + 2}:{column}"


def side(x: Any, name: str, self_total: str) -> Side:
    from ..aggregate import ScoreResult

    if isinstance(x, ScoreResult):
        return _from_score_result(x, self_total if name == "self_scores" else "scored")
    if not isinstance(x, pd.DataFrame):
        raise TypeError(f"`{name}` must be a ScoreResult or a DataFrame of totals; got {type(x).__name__}.")
    frame = x.rename(columns=resolve_columns(x.columns, _TOTAL_ALIASES)).reset_index(drop=True)
    wanted = _SELF_COLUMNS if name == "self_scores" else _RECHECK_COLUMNS
    column = next((c for c in wanted if c in frame), None)
    if UNIT_ID not in frame or column is None:
        raise InputError.single(name, "missing_column", f"`{name}` must have `unit_id` and one of "
                                f"{', '.join(wanted)}; got {list(x.columns)}.")
    problems: list[Problem] = []
    uid = ids(frame[UNIT_ID])
    total = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    problems += [Problem(loc(frame, i, column, name), "not_numeric", f"`{column}` must be a number; got "
                         f"{frame[column].iat[i]!r}") for i in np.flatnonzero(np.isnan(total) & frame[column].notna())]
    problems += [Problem(loc(frame, i, column, name), "missing_value", f"unit {uid.iat[i]!r} has no `{column}`")
                 for i in np.flatnonzero(frame[column].isna().to_numpy())]
    dup = uid.duplicated().to_numpy()
    problems += [Problem(loc(frame, i, UNIT_ID, name), "duplicate_unit", f"unit {uid.iat[i]!r} appears more than "
                         "once") for i in np.flatnonzero(dup)]
    if problems:
        raise InputError(problems=problems)
    exe = np.full(len(frame), np.nan)
    if "execution_score" in frame:
        exe = pd.to_numeric(frame["execution_score"], errors="coerce").to_numpy(dtype=float)
    elif column == "claimed_total" and "score" in frame:  # a budget table: score = claimed execution points
        exe = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    totals = pd.DataFrame({UNIT_ID: uid, "total": total, "execution_score": exe})
    extra = frame.drop(columns=[c for c in (column, "execution_score") if c in frame]).assign(**{UNIT_ID: uid})
    return Side(totals, None, None, extra)


def _from_score_result(res: Any, which: str) -> Side:
    if which not in ("claimed", "scored"):
        raise ValueError(f"`self_total` must be 'claimed' or 'scored'; got {which!r}.")
    nodes = res.nodes
    value = "claimed_score" if which == "claimed" else "score"
    key = nodes[UNIT_ID].astype(str) + "\x00" + nodes["node_code"].astype(str)
    parents = set((nodes[UNIT_ID].astype(str) + "\x00" + nodes["parent_code"].astype(str)).tolist())
    leaf = ~key.isin(parents) & nodes["applicable"].astype(bool)
    leaves = pd.DataFrame({UNIT_ID: nodes.loc[leaf, UNIT_ID].astype(str), "key": nodes.loc[leaf, "node_code"],
                           "name": nodes.loc[leaf, "name"], "value": nodes.loc[leaf, value].astype(float)})
    units = res.totals[UNIT_ID].astype(str)
    if which == "scored":
        total = res.totals["total"].to_numpy(dtype=float)
        exe = res.totals["execution_score"].to_numpy(dtype=float)
    else:
        g = leaves.groupby(UNIT_ID, sort=False)["value"]
        complete = ~g.apply(lambda v: v.isna().any())
        total = g.sum().where(complete).reindex(units).to_numpy(dtype=float)
        ex = nodes[nodes["rule"] == "execution"].groupby(nodes[UNIT_ID].astype(str))["claimed_score"].first()
        exe = ex.reindex(units).to_numpy(dtype=float)
    totals = pd.DataFrame({UNIT_ID: units.to_numpy(), "total": total, "execution_score": exe})
    return Side(totals, leaves.reset_index(drop=True), res.framework.bands, None)


def indicator_side(indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Self and re-check leaves from an indicator-level table (``score`` and ``recheck_score`` columns)."""
    if not isinstance(indicators, pd.DataFrame):
        raise TypeError(f"`indicators` must be a DataFrame; got {type(indicators).__name__}.")
    frame = indicators.rename(columns=resolve_columns(indicators.columns,
                                                      {**OBSERVATION_ALIASES, **RECHECK_ALIASES}))
    key_col = "node_code" if "node_code" in frame else "indicator"
    missing = [c for c in (UNIT_ID, key_col, "score", "recheck_score") if c not in frame]
    if missing:
        raise InputError.single("indicators", "missing_column", f"`indicators` must have unit_id, node_code or "
                                f"indicator, score and recheck_score; missing {missing}.")
    keys = frame[[c for c in ("l1", "l2", key_col) if c in frame]].astype(str).agg("/".join, axis=1)
    name = frame["indicator"].astype(str) if "indicator" in frame else frame[key_col].astype(str)
    uid = ids(frame[UNIT_ID])
    dup = (uid + "\x00" + keys).duplicated().to_numpy()
    if dup.any():
        raise InputError(problems=[Problem(loc(frame, i, key_col, "indicators"), "duplicate_row",
                                           f"indicator {keys.iat[i]!r} of unit {uid.iat[i]!r} appears twice")
                                   for i in np.flatnonzero(dup)])
    applicable = frame["applicable"].fillna(True).astype(bool) if "applicable" in frame else \
        pd.Series(True, index=frame.index)
    base = pd.DataFrame({UNIT_ID: uid, "key": keys, "name": name})[applicable]
    s = base.assign(value=pd.to_numeric(frame["score"], errors="coerce")[applicable])
    r = base.assign(value=pd.to_numeric(frame["recheck_score"], errors="coerce")[applicable])
    return s.reset_index(drop=True), r.reset_index(drop=True)
