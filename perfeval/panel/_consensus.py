"""Consensus scores of a panel (private to :mod:`perfeval.panel`): :func:`aggregate` and :class:`PanelResult`."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .._html import frame_html
from ..columns import NODE_CODE, SCORE, UNIT_ID
from ..errors import DataQualityWarning, Problem
from ..framework import Framework, GradeBands, load_framework
from ..grades import DEFAULT_BANDS
from ._ratings import check_int, read_ratings

__all__ = ["METHODS", "PanelResult", "aggregate"]

#: Consensus methods of :func:`aggregate`.
METHODS: tuple[str, ...] = ("trimmed", "mean", "median", "winsorized")


@dataclass(frozen=True)
class PanelResult:
    """Consensus scores of an expert panel (returned by :func:`aggregate`).

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (unit, node): ``unit_id, node_code, points`` (NaN without a framework), ``n_ratings``,
        ``n_used`` (ratings averaged: ``n_ratings - 2 trim`` for ``trimmed``, all of them for the other methods, 0
        without a consensus), ``score`` (the consensus; NaN below ``min_raters``), ``mean``
        (plain mean of every rating), ``median``, ``min``, ``max``, ``shift`` (``score - mean``: how much the
        method moved the score), ``dropped_low``, ``dropped_high`` (``;``-joined rater ids trimmed or winsorized
        at each end; "" when none).
    totals : pandas.DataFrame
        One row per unit: ``unit_id, n_nodes, total`` (sum of the consensus scores), ``mean_total`` (sum of the
        plain means), ``shift`` (``total - mean_total``), ``grade``, ``mean_grade`` (grades of the two totals on
        ``bands``), ``grade_changed`` (bool).
    method : str
    trim : int
    min_raters : int
    bands : GradeBands
    problems : tuple of Problem
        Cells with fewer than ``min_raters`` ratings (``too_few_raters``, warnings).

    Examples
    --------
    >>> import perfeval as pe
    >>> res = pe.panel.aggregate(pe.load_sample().panel, framework="project_key")
    >>> obs = res.to_observations()                  # one consensus score per (unit, node), for pe.score
    >>> obs.shape, obs.columns.tolist()
    ((160, 3), ['unit_id', 'node_code', 'score'])
    >>> pe.score("project_key", obs).totals["grade"].value_counts().to_dict()
    {'良': 3, '中': 3, '差': 2}
    """

    scores: pd.DataFrame
    totals: pd.DataFrame
    method: str
    trim: int
    min_raters: int
    bands: GradeBands = DEFAULT_BANDS
    problems: tuple[Problem, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The consensus scores (one row per unit and node); see :attr:`scores`."""
        return self.scores

    def to_observations(self) -> pd.DataFrame:
        """``unit_id, node_code, score``: the consensus scores as observations for :func:`perfeval.score`.

        Cells without a consensus (fewer than ``min_raters`` ratings) are left out.
        """
        ok = self.scores["score"].notna()
        return self.scores.loc[ok, [UNIT_ID, NODE_CODE, SCORE]].reset_index(drop=True)

    def _repr_html_(self) -> str:
        changed = int(self.totals["grade_changed"].sum())
        head = (f"<p><b>PanelResult</b>: {self.method} (trim {self.trim}) over {len(self.scores)} unit-node cells "
                f"of {len(self.totals)} units; trimming changed {changed} grade(s); {len(self.problems)} "
                "problem(s).</p>")
        return head + frame_html(self.totals, source=".totals") + frame_html(
            self.scores, caption="Consensus scores (unit x node)", source=".scores")

    def __repr__(self) -> str:
        return (f"PanelResult(method={self.method!r}, trim={self.trim}, cells={len(self.scores)}, "
                f"units={len(self.totals)}, problems={len(self.problems)})")


def aggregate(ratings: pd.DataFrame, method: str = "trimmed", trim: int = 1, min_raters: int = 3, *,
              framework: Framework | str | None = None, points: Mapping[str, float] | None = None,
              bands: GradeBands | None = None) -> PanelResult:
    r"""Consensus score of a panel per (unit, node), trimming a fixed *count* of ratings at each end.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long ratings ``unit_id, node_code, rater_id, score`` (Chinese headers 项目编码, 指标编码, 专家编码, 得分
        accepted). A NaN score is a missing rating; absent rows are missing ratings too.
    method : {"trimmed", "mean", "median", "winsorized"}
        ``trimmed``: mean after dropping the ``trim`` lowest and ``trim`` highest ratings (去掉最高分和最低分);
        ``winsorized``: mean after replacing them by the nearest kept rating; ``mean``; ``median``.
    trim : int
        Ratings dropped (or winsorized) at *each* end, a count: ``trim=1`` drops exactly one highest and one lowest
        rating whatever the panel size.
    min_raters : int
        Fewest ratings a cell needs for a consensus; cells with fewer get NaN and a ``too_few_raters`` problem.
        For ``trimmed`` and ``winsorized`` it must be at least ``2 * trim + 1``.
    framework : Framework or str, optional
        Gives each node's points (a rating above them is an error; so is an unknown node) and the grade bands.
    points : mapping, optional
        node_code -> points, instead of (or overriding) the framework's.
    bands : GradeBands, optional
        Bands grading the totals (default: the framework's, else 优 [90, 100] 良 [80, 90) 中 [60, 80) 差 [0, 60)).

    Returns
    -------
    PanelResult
        ``scores`` per (unit, node), ``totals`` per unit, ``problems``; ``to_observations()`` for
        :func:`perfeval.score`.

    Raises
    ------
    InputError
        Every problem at once, located (``file:row:column`` when the frame carries ``source_file`` and
        ``source_row``): ``missing_column``, ``missing_value``, ``not_numeric``, ``score_out_of_range`` (negative),
        ``duplicate_rating`` (a rater rating the same node of the same unit twice, naming both rows),
        ``unknown_node``, ``score_above_points``.
    ValueError
        ``method`` not one of :data:`METHODS`; ``trim`` or ``min_raters`` not a non-negative integer, or
        ``min_raters < 2 * trim + 1`` for a trimming method.

    Warns
    -----
    DataQualityWarning
        When cells fall below ``min_raters``.

    Notes
    -----
    With the :math:`k` ratings of a cell sorted, :math:`x_{(1)} \le \dots \le x_{(k)}`, and :math:`g` = ``trim``:

    .. math::

        \bar x_{T} = \frac{1}{k - 2g} \sum_{i=g+1}^{k-g} x_{(i)}, \qquad
        \bar x_{W} = \frac{1}{k} \Big( g\,x_{(g+1)} + \sum_{i=g+1}^{k-g} x_{(i)} + g\,x_{(k-g)} \Big)

    Trimming is by counts, never by a proportion: ``scipy.stats.trim_mean(x, 1/k)`` cuts ``int(k * (1/k))``
    ratings per tail, which is 0 for k = 49, 98, 103, ... in floating point (agreement-notes §1). **Ties:** the
    trimmed value does not depend on which of several equal extreme ratings is dropped; ``dropped_low`` /
    ``dropped_high`` name the tied raters in ``rater_id`` order (the first at the low end, the last at the high
    end). **Missing ratings** reduce ``k`` for that cell only; the same count ``g`` is trimmed. Totals are the sums
    of the consensus scores over each unit's rated nodes (NaN when a cell has no consensus); for a framework's full
    scoring use :func:`perfeval.score` on :meth:`PanelResult.to_observations`.

    References
    ----------
    .. [1] Wilcox, R. R. (2012). *Introduction to Robust Estimation and Hypothesis Testing*, 3rd ed., ch. 3
       (trimmed and winsorized means). Academic Press.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"unit_id": "P1", "node_code": "n1", "rater_id": list("ABCDE"),
    ...                   "score": [9.0, 2.0, 5.0, 8.0, 7.0]})
    >>> res = aggregate(r, trim=1)
    >>> float(res.scores["score"].iloc[0]), res.scores["dropped_low"].iloc[0], res.scores["dropped_high"].iloc[0]
    (6.666666666666667, 'B', 'A')

    The sample province's key evaluations: 7 experts, 8 projects, the highest and lowest rating dropped.

    >>> import perfeval as pe
    >>> panel = aggregate(pe.load_sample().panel, framework="project_key")
    >>> panel
    PanelResult(method='trimmed', trim=1, cells=160, units=8, problems=0)
    >>> panel.totals[["unit_id", "total", "grade"]].head(3).round(2).values.tolist()
    [['0010001', 39.5, '差'], ['0020002', 89.6, '良'], ['0030004', 57.0, '差']]
    """
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
    trim = check_int("trim", trim, 0)
    min_raters = check_int("min_raters", min_raters, 1)
    g = trim if method in ("trimmed", "winsorized") else 0
    if min_raters < 2 * g + 1:
        raise ValueError(f"`min_raters` must be >= 2 * trim + 1 = {2 * g + 1} for method {method!r} (a cell needs "
                         f"a rating left after trimming); got {min_raters}.")
    fw = load_framework(framework) if framework is not None else None
    data = read_ratings(ratings, fw, points)
    bands = bands if bands is not None else (fw.bands if fw is not None else DEFAULT_BANDS)
    f, cells = data.frame, data.cells.copy()
    n_cells = len(cells)
    x = f[SCORE].to_numpy(dtype=float)
    order = np.lexsort((data.rater, x, data.cell))
    xs, cs, rs = x[order], data.cell[order], data.rater[order]
    k = np.bincount(data.cell, minlength=n_cells)
    start = np.concatenate([[0], np.cumsum(k)[:-1]]).astype(np.int64)
    rank = np.arange(len(xs)) - start[cs]
    low, high = rank < g, rank >= (k[cs] - g)
    enough = k >= min_raters
    total_sum = np.bincount(cs, weights=xs, minlength=n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total_sum / k
        if method == "mean":
            score = mean
        elif method == "median":
            score = _at(xs, start + (k - 1) // 2, k) / 2 + _at(xs, start + k // 2, k) / 2
        else:
            kept = ~(low | high)
            kept_sum = np.bincount(cs, weights=np.where(kept, xs, 0.0), minlength=n_cells)
            if method == "trimmed":
                score = kept_sum / (k - 2 * g)
            else:  # winsorized: the g lowest become x_(g+1), the g highest x_(k-g)
                score = (kept_sum + g * _at(xs, start + g, k) + g * _at(xs, start + k - g - 1, k)) / k
    used = np.where(enough, k - 2 * g if method == "trimmed" else k, 0)
    score = np.where(enough, score, np.nan)
    lab = data.raters
    cells["n_ratings"] = k
    cells["n_used"] = used
    cells[SCORE] = score
    cells["mean"] = mean
    cells["median"] = _at(xs, start + (k - 1) // 2, k) / 2 + _at(xs, start + k // 2, k) / 2
    cells["min"] = _at(xs, start, k)
    cells["max"] = _at(xs, start + k - 1, k)
    cells["shift"] = score - mean
    cells["dropped_low"] = _joined(cs, np.where(low & enough[cs], rs, -1), lab, n_cells)
    cells["dropped_high"] = _joined(cs, np.where(high & enough[cs], rs, -1), lab, n_cells)
    problems = tuple(Problem(f"unit {u}:{n}", "too_few_raters", f"{kk} rating(s), fewer than min_raters = "
                             f"{min_raters}: no consensus score", "warning")
                     for u, n, kk in zip(cells[UNIT_ID], cells[NODE_CODE], k) if kk < min_raters)
    if problems:
        warnings.warn(f"aggregate(): {len(problems)} unit-node cell(s) have fewer than {min_raters} ratings and no "
                      "consensus; see result.problems", DataQualityWarning, stacklevel=2)
    return PanelResult(cells, _totals(cells, bands), method, trim, min_raters, bands, problems)


def _at(xs: np.ndarray, position: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``xs[position]`` per cell (sorted values), NaN for cells without ratings."""
    if len(xs) == 0:
        return np.full(len(k), np.nan)
    return np.where(k > 0, xs[np.clip(position, 0, len(xs) - 1)], np.nan)


def _joined(cell: np.ndarray, rater: np.ndarray, labels: np.ndarray, n_cells: int) -> np.ndarray:
    """``;``-joined rater labels per cell (rows with rater -1 ignored), "" when none."""
    out = np.full(n_cells, "", dtype=object)
    take = np.flatnonzero(rater >= 0)
    for c, r in zip(cell[take], rater[take]):  # only the trimmed ratings: 2 x trim per cell
        out[c] = f"{out[c]};{labels[r]}" if out[c] else str(labels[r])
    return out


def _totals(cells: pd.DataFrame, bands: GradeBands) -> pd.DataFrame:
    grouped = cells.groupby(UNIT_ID, sort=False)
    totals = pd.DataFrame({
        "n_nodes": grouped.size(),
        "total": grouped[SCORE].sum(min_count=1).where(grouped[SCORE].count() == grouped.size()),
        "mean_total": grouped["mean"].sum(min_count=1),
    }).reset_index()
    totals["shift"] = totals["total"] - totals["mean_total"]
    totals["grade"] = bands.grade(totals["total"].to_numpy(dtype=float))
    totals["mean_grade"] = bands.grade(totals["mean_total"].to_numpy(dtype=float))
    totals["grade_changed"] = (totals["grade"] != totals["mean_grade"]).to_numpy(dtype=bool)
    return totals
