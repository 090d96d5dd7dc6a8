"""``score(..., on_error="skip")``: score the units that can be scored, list the others (``result.rejected``).

A batch of self-evaluations holds a few unusable forms (an unknown first-level name, a target that is a range, a
negative budget ...). By default :func:`perfeval.score` refuses the batch and lists every problem; with
``on_error="skip"`` the units those errors are located on are left out and the rest are scored. A problem belongs
to a unit when its location names the unit (``unit 001``, ``budget:unit 001``) or one of its rows
(``file:row[:column]``, the ``source_file`` / ``source_row`` of an observation or budget row). Scoring runs again
without the rejected units until it succeeds (a later pass sees the rows a listing cap left out). An error that
belongs to no unit (a missing column, the framework) is still raised, as is a batch where no unit is left.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import FrameworkError, InputError, Problem

__all__ = ["ON_ERROR", "REJECTED_COLUMNS", "score_skipping", "rejected_frame"]

#: Values of ``on_error``.
ON_ERROR = ("raise", "skip")
#: Columns of ``ScoreResult.rejected``.
REJECTED_COLUMNS = ("unit_id", "code", "location", "message")

_UNIT = re.compile(r"(?:^|:)unit (.+?)(?=:|$)")
_ROW = re.compile(r":(\d+)(?=:|$)")


def rejected_frame(records: list[tuple[Any, Problem]]) -> pd.DataFrame:
    """The ``rejected`` table of (unit id, problem) records (columns :data:`REJECTED_COLUMNS`)."""
    return pd.DataFrame([(u, p.code, p.location, p.message) for u, p in records],
                        columns=list(REJECTED_COLUMNS), dtype=object)


def _labelled(frame: pd.DataFrame | None, label: str) -> pd.DataFrame | None:
    """``frame`` with ``source_file`` / ``source_row`` (``label`` and the spreadsheet row of a one-header table)
    where it has none, so every problem names the table and row it is on."""
    if not isinstance(frame, pd.DataFrame):
        return frame
    out = frame
    if "source_file" not in frame:
        out = out.assign(source_file=label)
    if "source_row" not in frame:
        out = out.assign(source_row=np.arange(2, len(frame) + 2))
    return out


def _row_index(frame: pd.DataFrame | None) -> dict[tuple[str, int], list[int]]:
    """(source_file, source_row) -> positions of the rows there."""
    if not isinstance(frame, pd.DataFrame) or "source_file" not in frame or "source_row" not in frame:
        return {}
    out: dict[tuple[str, int], list[int]] = {}
    rows = pd.to_numeric(frame["source_row"], errors="coerce")
    for i, (f, r) in enumerate(zip(frame["source_file"].astype(str), rows)):
        if pd.notna(r):
            out.setdefault((f, int(r)), []).append(i)
    return out


def _unit_ids(frame: pd.DataFrame | None) -> pd.Series:
    from ._matching import unit_texts

    if not isinstance(frame, pd.DataFrame) or "unit_id" not in frame:
        return pd.Series([], dtype=object)
    raw = frame["unit_id"].reset_index(drop=True)
    blank = raw.isna().to_numpy() | raw.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    ids = unit_texts(raw).to_numpy(dtype=object).copy()
    ids[blank] = None  # a row without a unit id belongs to no unit (never to a unit named "nan")
    return pd.Series(ids, dtype=object)


def _owner(p: Problem, tables: list[tuple[dict, pd.Series]], known: set[str]) -> list[tuple[Any, int, int]] | None:
    """Who a problem belongs to: [(unit id or None, table, row position)], or None when nobody (a unit found by
    name gets position -1)."""
    m = _UNIT.search(p.location)
    if m and m.group(1) in known:
        return [(m.group(1), -1, -1)]
    for r in _ROW.finditer(p.location):
        key = (p.location[:r.start()], int(r.group(1)))
        found = [(ids.iat[i] if i < len(ids) and isinstance(ids.iat[i], str) else None, t, i)
                 for t, (index, ids) in enumerate(tables) for i in index.get(key, ())]
        if found:
            return found
    return None


def score_skipping(score: Callable[..., Any], fw: Any, observations: pd.DataFrame, budget: pd.DataFrame | None,
                   **options: Any) -> Any:
    """:func:`perfeval.score` with ``on_error="skip"`` (see the module docstring); ``options`` are score's."""
    if not isinstance(observations, pd.DataFrame):
        raise TypeError(f"`observations` must be a pandas DataFrame; got {type(observations).__name__}.")
    obs = _labelled(observations, "observations").reset_index(drop=True)
    bud = _labelled(budget, "budget")
    if isinstance(bud, pd.DataFrame):
        bud = bud.reset_index(drop=True)
    records: list[tuple[Any, Problem]] = []
    strict = bool(options.get("strict"))
    while True:
        try:
            result = score(fw, obs, bud, on_error="raise", **options)
        except FrameworkError:
            raise
        except InputError as err:
            found = [p for p in err.problems if strict or p.severity == "error"]
            obs_ids, bud_ids = _unit_ids(obs), _unit_ids(bud)
            tables = [(_row_index(obs), obs_ids), (_row_index(bud), bud_ids)]
            known = {u for u in (*obs_ids, *bud_ids) if isinstance(u, str)}
            bad_units: set[str] = set()
            bad_rows: set[int] = set()
            for p in found:
                owners = _owner(p, tables, known)
                for unit, table, pos in owners or ():
                    if isinstance(unit, str):
                        bad_units.add(unit)
                    elif table == 0:
                        bad_rows.add(pos)  # an observation row without a unit id
                    records.append((unit, p))
            if not bad_units and not bad_rows:
                raise  # nothing here belongs to a unit: the batch cannot be scored
            keep = ~obs_ids.isin(bad_units).to_numpy() & ~np.isin(np.arange(len(obs)), list(bad_rows))
            obs = obs[keep].reset_index(drop=True)
            if isinstance(bud, pd.DataFrame):
                bud = bud[~bud_ids.isin(bad_units).to_numpy()].reset_index(drop=True)
            if obs.empty:
                raise InputError(f"on_error='skip': no unit left to score ({len(records)} problem(s))",
                                 problems=[p for _, p in records]) from None
            continue
        return replace(result, rejected=rejected_frame(records))
