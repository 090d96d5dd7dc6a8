"""Reading panel ratings (private to :mod:`perfeval.panel`): canonical columns, located problems, cell codes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..columns import NODE_CODE, PANEL_ALIASES, RATER_ID, SCORE, UNIT_ID, resolve_columns
from .._rows import located, row_locations, with_source
from ..errors import InputError, Problem
from ..framework import Framework, load_framework

__all__ = ["Ratings", "read_ratings", "normalised", "check_int"]


@dataclass(frozen=True)
class Ratings:
    """Validated long ratings: one row per rating present, with integer codes of units, nodes, cells, raters."""

    frame: pd.DataFrame          # unit_id, node_code, rater_id, score (float), points (float or NaN)
    cell: np.ndarray             # cell code per row, cells in first-appearance order
    cells: pd.DataFrame          # unit_id, node_code, points per cell
    rater: np.ndarray            # rater code per row
    raters: np.ndarray           # rater labels
    has_points: bool


def _node_points(framework: Framework | str | None, points: Mapping[str, float] | None
                 ) -> tuple[dict[str, float] | None, Framework | None]:
    fw = load_framework(framework) if framework is not None else None
    if points is not None:
        if not isinstance(points, Mapping):
            raise TypeError(f"`points` must be a mapping node_code -> points; got {type(points).__name__}.")
        return {str(k): float(v) for k, v in points.items()}, fw
    if fw is not None:
        return {n.code: float(n.points) for n, _, _ in fw.walk() if n.points is not None}, fw
    return None, fw


def read_ratings(ratings: pd.DataFrame, framework: Framework | str | None = None,
                 points: Mapping[str, float] | None = None) -> Ratings:
    """Canonical columns, every problem located and raised at once; NaN scores are missing ratings."""
    if not isinstance(ratings, pd.DataFrame):
        raise TypeError(f"`ratings` must be a pandas DataFrame; got {type(ratings).__name__}.")
    frame = ratings.rename(columns=resolve_columns(ratings.columns, PANEL_ALIASES))
    missing = [c for c in (UNIT_ID, NODE_CODE, RATER_ID, SCORE) if c not in frame]
    if missing:
        raise InputError.single("ratings", "missing_column",
                                f"`ratings` must have the columns unit_id, node_code, rater_id, score (or 项目编码, "
                                f"指标编码, 专家编码, 得分); missing {missing}; got {list(ratings.columns)}.")
    frame = with_source(frame, "ratings")
    problems: list[Problem] = []
    for col in (UNIT_ID, NODE_CODE, RATER_ID):
        bad = frame[col].isna() | (frame[col].astype(str).str.strip() == "")
        problems += located(frame, np.flatnonzero(bad), col, "missing_value", f"`{col}` is empty")
        frame[col] = frame[col].astype(str).str.strip()

    def rating(i: int) -> str:
        """Whose rating of what, for the messages."""
        return f"rater {frame[RATER_ID].iat[i]!r} on node {frame[NODE_CODE].iat[i]!r} of unit {frame[UNIT_ID].iat[i]!r}"

    score = pd.to_numeric(frame[SCORE], errors="coerce").to_numpy(dtype=float)
    text_bad = np.isnan(score) & frame[SCORE].notna().to_numpy() & (frame[SCORE].astype(str).str.strip() != "")
    problems += located(frame, np.flatnonzero(text_bad), SCORE, "not_numeric",
                        lambda i: f"{rating(i)}: `score` must be a number; got {frame[SCORE].iat[i]!r}")
    problems += located(frame, np.flatnonzero(score < 0), SCORE, "score_out_of_range",
                        lambda i: f"{rating(i)}: `score` must be >= 0; got {score[i]:g}")
    key, _ = pd.MultiIndex.from_frame(frame[[UNIT_ID, NODE_CODE, RATER_ID]]).factorize()
    _, first_row = np.unique(key, return_index=True)   # first row of every (unit, node, rater)
    first_of = first_row[key]
    repeated = np.flatnonzero(first_of != np.arange(len(frame)))
    firsts = dict(zip(repeated, row_locations(frame, first_of[repeated], RATER_ID)))
    problems += located(frame, repeated, RATER_ID, "duplicate_rating",
                        lambda i: f"{rating(i)}: rated twice (also at {firsts[i]})")
    table, fw = _node_points(framework, points)
    pts = np.full(len(frame), np.nan)
    if table is not None:
        pts = frame[NODE_CODE].map(table).to_numpy(dtype=float)
        unknown = np.isnan(pts)
        known = ", ".join(list(table)[:12]) + (" ..." if len(table) > 12 else "")
        where = f"framework {fw.name!r}" if fw is not None else "`points`"
        problems += located(frame, np.flatnonzero(unknown), NODE_CODE, "unknown_node",
                            lambda i: f"node {frame[NODE_CODE].iat[i]!r} is not in {where} (known: {known})")
        problems += located(frame, np.flatnonzero(~unknown & (score > pts)), SCORE, "score_above_points",
                            lambda i: f"{rating(i)}: `score` must be <= the node's points ({pts[i]:g}); got "
                                      f"{score[i]:g}")
    if problems:
        raise InputError(problems=problems)
    frame = pd.DataFrame({UNIT_ID: frame[UNIT_ID], NODE_CODE: frame[NODE_CODE], RATER_ID: frame[RATER_ID],
                          SCORE: score, "points": pts})
    # cells and raters are coded before missing ratings are dropped, so a cell rated by nobody is still reported
    cell, cell_index = pd.MultiIndex.from_frame(frame[[UNIT_ID, NODE_CODE]]).factorize()
    cells = cell_index.to_frame(index=False, name=[UNIT_ID, NODE_CODE])
    cells["points"] = pd.Series(pts).groupby(cell).first().to_numpy() if len(frame) else np.zeros(0)
    rater, raters = pd.factorize(frame[RATER_ID], sort=True)
    present = ~np.isnan(score)
    return Ratings(frame[present].reset_index(drop=True), np.asarray(cell, dtype=np.int64)[present], cells,
                   np.asarray(rater, dtype=np.int64)[present], np.asarray(raters, dtype=object),
                   table is not None)


def normalised(data: Ratings) -> np.ndarray:
    """Ratings as shares of their node's points when points are known, else as given."""
    x = data.frame[SCORE].to_numpy(dtype=float)
    if not data.has_points:
        return x
    p = data.frame["points"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, x / np.where(p > 0, p, 1.0), np.nan)


def check_int(name: str, value: Any, low: int) -> int:
    """``value`` as an int >= ``low``, or a ValueError in the standard shape."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"`{name}` must be an integer >= {low}; got {value!r}.")
    return int(value)
