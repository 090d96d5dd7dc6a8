"""Reading the two scorings :func:`perfeval.recheck.compare` matches (private): ScoreResults or totals tables,
and the indicator-level re-check."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..columns import BUDGET_ALIASES, OBSERVATION_ALIASES, RECHECK_ALIASES, UNIT_ID, resolve_columns
from .._rows import located, with_source
from ..aggregate._matching import unit_text
from ..errors import InputError
from ..grades import GradeBands

__all__ = ["Side", "side", "indicator_side", "ids", "claimed_totals", "BUDGET_COLUMNS", "TOTAL_ALIASES",
           "SELF_TOTAL_SOURCES", "SELF_TOTAL_SOURCE_NAMES"]

_SELF_COLUMNS = ("self_total", "claimed_total", "total")
# 总分 reads as claimed_total (a budget table's claim); on the re-check side it is the re-check's total (the Chinese
# header of the totals `perfeval score` writes)
_RECHECK_COLUMNS = ("recheck_total", "total", "claimed_total")
#: Headers of a totals table (either side): a budget table's, the re-check's, and the self-evaluation total.
#: ``execution_score`` comes first so that a column of that name is not read as a budget table's ``score``.
TOTAL_ALIASES = {"execution_score": ("预算执行得分",), **BUDGET_ALIASES,
                 "recheck_total": RECHECK_ALIASES["recheck_total"], "self_total": ("自评得分",), "total": ()}
# a budget table read as a totals table: its funds columns are not unit attributes
BUDGET_COLUMNS = ("budget_initial", "budget_full_year", "budget_adjusted", "funds_in_place", "executed", "score",
                   "claimed_total", "claimed_total_row", "claimed_total_column")
#: Where a unit's self total comes from (``RecheckResult.units["self_total_source"]``).
SELF_TOTAL_SOURCES: Mapping[str, str] = {
    "claimed": "the total the unit wrote (总分 of its form or budget table, a self_total / claimed_total column, or "
               "`claimed_totals=`)",
    "computed": "perfeval's roll-up of the unit's claimed row scores (no total written)",
    "scored": "perfeval's rules applied to the unit's reported values (self_total='scored')",
    "table": "the `total` column of a totals table (not said to be the unit's claim)",
}
#: The same sources as a reader is told them (zh, en): the written tables, the report's notice, the CLI line.
SELF_TOTAL_SOURCE_NAMES: Mapping[str, tuple[str, str]] = {
    "claimed": ("单位填报的总分", "the total the unit wrote, 总分"),
    "computed": ("各行自评得分汇总", "perfeval's sum of the unit's claimed rows; no total written"),
    "scored": ("评分规则计算的得分", "perfeval's rules on the reported values"),
    "table": ("总分表的总分", "the totals table's `total` column"),
}


@dataclass(frozen=True)
class Side:
    """One scoring, normalised: totals per unit, optional execution points and indicator scores."""

    totals: pd.DataFrame                 # unit_id, total, execution_score, source (SELF_TOTAL_SOURCES)
    leaves: pd.DataFrame | None          # unit_id, key, name, value
    bands: GradeBands | None
    extra: pd.DataFrame | None           # the totals table's other columns (amounts, departments ...)


# ---------------------------------------------------------------------------------------------------------------
def ids(values: pd.Series) -> pd.Series:
    """Unit ids as the engine reads them (:func:`perfeval.aggregate._matching.unit_text`: a float 1.0 read from a
    sheet becomes '1', leading zeros of text kept)."""
    return values.map(unit_text)


def side(x: Any, name: str, self_total: str) -> Side:
    from ..aggregate import ScoreResult

    if isinstance(x, ScoreResult):
        return _from_score_result(x, self_total if name == "self_scores" else "scored")
    if not isinstance(x, pd.DataFrame):
        raise TypeError(f"`{name}` must be a ScoreResult or a DataFrame of totals; got {type(x).__name__}.")
    frame = with_source(x.rename(columns=resolve_columns(x.columns, TOTAL_ALIASES)), name)
    wanted = _SELF_COLUMNS if name == "self_scores" else _RECHECK_COLUMNS
    column = next((c for c in wanted if c in frame), None)
    if UNIT_ID not in frame or column is None:
        raise InputError.single(name, "missing_column", f"`{name}` must have `unit_id` and one of "
                                f"{', '.join(wanted)}; got {list(x.columns)}.")
    uid = ids(frame[UNIT_ID])
    total = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    problems = located(frame, np.flatnonzero(np.isnan(total) & frame[column].notna()), column, "not_numeric",
                       lambda i: f"`{column}` must be a number; got {frame[column].iat[i]!r}")
    problems += located(frame, np.flatnonzero(frame[column].isna().to_numpy()), column, "missing_value",
                        lambda i: f"unit {uid.iat[i]!r} has no `{column}`")
    problems += located(frame, np.flatnonzero(uid.duplicated().to_numpy()), UNIT_ID, "duplicate_unit",
                        lambda i: f"unit {uid.iat[i]!r} appears more than once")
    if problems:
        raise InputError(problems=problems)
    exe = np.full(len(frame), np.nan)
    if "execution_score" in frame:
        exe = pd.to_numeric(frame["execution_score"], errors="coerce").to_numpy(dtype=float)
    elif column == "claimed_total" and "score" in frame:  # a budget table: score = claimed execution points
        exe = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    source = "table" if column == "total" else "claimed"
    totals = pd.DataFrame({UNIT_ID: uid, "total": total, "execution_score": exe, "source": source})
    extra = frame.drop(columns=[c for c in (column, "execution_score", "source_file", "source_row") if c in frame]
                       ).assign(**{UNIT_ID: uid})
    return Side(totals, None, None, extra)


def claimed_totals(claimed: Any, name: str = "claimed_totals") -> pd.Series:
    """Claimed totals (总分) by unit id from a DataFrame (``unit_id`` and ``claimed_total`` / ``total`` / ``总分``;
    a budget table works as it is), a Series or a mapping; NaN where a unit wrote none."""
    if isinstance(claimed, pd.DataFrame):
        col = next((c for c in ("claimed_total", "total", "总分") if c in claimed), None)
        if UNIT_ID not in claimed or col is None:
            raise InputError.single(name, "missing_column", f"`{name}` must have `unit_id` and `claimed_total`; "
                                    f"got {list(claimed.columns)}.")
        return pd.Series(pd.to_numeric(claimed[col], errors="coerce").to_numpy(dtype=float),
                         index=ids(claimed[UNIT_ID]).to_numpy())
    if isinstance(claimed, (pd.Series, Mapping)):
        s = pd.Series(claimed, dtype=float)
        s.index = s.index.map(unit_text)
        return s
    raise TypeError(f"`{name}` must be a DataFrame (unit_id, claimed_total), a Series or a mapping; got "
                    f"{type(claimed).__name__}.")


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
        # the claims as the engine rolls them up to the first level (with its N/A policy), for the units whose
        # every applicable leaf has a claim
        complete = ~leaves["value"].isna().groupby(leaves[UNIT_ID], sort=False).any()
        top = nodes[nodes["level"] == 1]
        rolled = top["claimed_score"].astype(float).groupby(top[UNIT_ID].astype(str), sort=False).sum(min_count=1)
        total = rolled.where(complete.reindex(rolled.index, fill_value=False)).reindex(units).to_numpy(dtype=float)
        ex = nodes[nodes["rule"] == "execution"].groupby(nodes[UNIT_ID].astype(str))["claimed_score"].first()
        exe = ex.reindex(units).to_numpy(dtype=float)
    totals = pd.DataFrame({UNIT_ID: units.to_numpy(), "total": total, "execution_score": exe,
                           "source": "computed" if which == "claimed" else "scored"})
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
    frame = with_source(frame, "indicators")
    keys = frame[[c for c in ("l1", "l2", key_col) if c in frame]].astype(str).agg("/".join, axis=1)
    name = frame["indicator"].astype(str) if "indicator" in frame else frame[key_col].astype(str)
    uid = ids(frame[UNIT_ID])
    dup = np.flatnonzero((uid + "\x00" + keys).duplicated().to_numpy())
    if len(dup):
        raise InputError(problems=located(frame, dup, key_col, "duplicate_row",
                                          lambda i: f"indicator {keys.iat[i]!r} of unit {uid.iat[i]!r} appears twice"))
    applicable = frame["applicable"].fillna(True).astype(bool) if "applicable" in frame else \
        pd.Series(True, index=frame.index)
    base = pd.DataFrame({UNIT_ID: uid, "key": keys, "name": name})[applicable]
    s = base.assign(value=pd.to_numeric(frame["score"], errors="coerce")[applicable])
    r = base.assign(value=pd.to_numeric(frame["recheck_score"], errors="coerce")[applicable])
    return s.reset_index(drop=True), r.reset_index(drop=True)
