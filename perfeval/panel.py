"""Expert panels (专家评审): robust consensus scores, rater diagnostics and reliability per framework node.

Key evaluations (重点评价) and third-party evaluations score each project on every leaf of a framework with a
panel of experts. This module turns the long ratings (``unit_id, node_code, rater_id, score``; architecture §3.4,
Chinese headers 专家编码 / 得分 accepted) into

- :func:`aggregate`: one consensus score per (unit, node), by a trimmed mean that drops a fixed *count* of the
  highest and lowest ratings (never ``scipy.stats.trim_mean(x, 1/k)``, which drops nothing for k = 49 because
  ``int(49 * (1/49)) == 0``), with how much the trimming moved each score, total and grade;
- :func:`rater_diagnostics`: per expert severity (mean deviation from the leave-one-out consensus, with SE),
  consistency (correlation with the rest), leave-one-rater-out ICC and alpha, robust outlier flags;
- :func:`reliability`: ICC and Krippendorff's alpha per framework node and overall.

The consensus scores feed :func:`perfeval.score` for the key-evaluation framework:
``pe.score("project_key", aggregate(panel, framework="project_key").to_observations())``.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .columns import NODE_CODE, PANEL_ALIASES, RATER_ID, SCORE, UNIT_ID, resolve_columns
from .errors import DataQualityWarning, DegenerateDataWarning, InputError, Problem, format_location
from .framework import Framework, GradeBands, load_framework
from .grades import DEFAULT_BANDS

__all__ = ["METHODS", "PanelResult", "RaterDiagnostics", "aggregate", "rater_diagnostics", "reliability"]

#: Consensus methods of :func:`aggregate`.
METHODS: tuple[str, ...] = ("trimmed", "mean", "median", "winsorized")
_MAD_K = 1.482602218505602     # 1 / Phi^{-1}(3/4): MAD -> SD under normality
_MEANAD_K = 1.2533141373155001  # sqrt(pi / 2): mean absolute deviation -> SD (Iglewicz & Hoaglin 1993)


# ---------------------------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ratings:
    """Validated long ratings: one row per rating present, with integer codes of units, nodes, cells, raters."""

    frame: pd.DataFrame          # unit_id, node_code, rater_id, score (float), points (float or NaN)
    cell: np.ndarray             # cell code per row, cells in first-appearance order
    cells: pd.DataFrame          # unit_id, node_code, points per cell
    rater: np.ndarray            # rater code per row
    raters: np.ndarray           # rater labels
    has_points: bool


def _where(frame: pd.DataFrame, i: int, column: str) -> str:
    """``file:row:column`` of row ``i`` when the frame was read from a file, else the rating's key."""
    if "source_file" in frame and "source_row" in frame and not pd.isna(frame["source_row"].iat[i]):
        return format_location(frame["source_file"].iat[i], int(frame["source_row"].iat[i]), column)
    return (f"rating {frame[UNIT_ID].iat[i]}/{frame[NODE_CODE].iat[i]}/{frame[RATER_ID].iat[i]} "
            f"(row {i + 2}):{column}")


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


def _read_ratings(ratings: pd.DataFrame, framework: Framework | str | None = None,
                  points: Mapping[str, float] | None = None) -> _Ratings:
    """Canonical columns, every problem located and raised at once; NaN scores are missing ratings."""
    if not isinstance(ratings, pd.DataFrame):
        raise TypeError(f"`ratings` must be a pandas DataFrame; got {type(ratings).__name__}.")
    frame = ratings.rename(columns=resolve_columns(ratings.columns, PANEL_ALIASES))
    missing = [c for c in (UNIT_ID, NODE_CODE, RATER_ID, SCORE) if c not in frame]
    if missing:
        raise InputError.single("ratings", "missing_column",
                                f"`ratings` must have the columns unit_id, node_code, rater_id, score (or 项目编码, "
                                f"指标编码, 专家编码, 得分); missing {missing}; got {list(ratings.columns)}.")
    frame = frame.reset_index(drop=True)
    problems: list[Problem] = []
    for col in (UNIT_ID, NODE_CODE, RATER_ID):
        bad = frame[col].isna() | (frame[col].astype(str).str.strip() == "")
        problems += [Problem(_where(frame, i, col), "missing_value", f"`{col}` is empty") for i in np.flatnonzero(bad)]
        frame[col] = frame[col].astype(str).str.strip()
    score = pd.to_numeric(frame[SCORE], errors="coerce").to_numpy(dtype=float)
    text_bad = np.isnan(score) & frame[SCORE].notna().to_numpy() & (frame[SCORE].astype(str).str.strip() != "")
    problems += [Problem(_where(frame, i, SCORE), "not_numeric", f"`score` must be a number; got "
                         f"{frame[SCORE].iat[i]!r}") for i in np.flatnonzero(text_bad)]
    problems += [Problem(_where(frame, i, SCORE), "score_out_of_range", f"`score` must be >= 0; got {score[i]:g}")
                 for i in np.flatnonzero(score < 0)]
    key = frame[[UNIT_ID, NODE_CODE, RATER_ID]]
    dup = key.duplicated(keep=False).to_numpy()
    first = ~key.duplicated(keep="first").to_numpy()
    for i in np.flatnonzero(dup & ~first):
        j = int(np.flatnonzero(dup & first & (key == key.iloc[i]).all(axis=1).to_numpy())[0])
        problems.append(Problem(_where(frame, i, RATER_ID), "duplicate_rating",
                                f"rater {key[RATER_ID].iat[i]!r} rated node {key[NODE_CODE].iat[i]!r} of unit "
                                f"{key[UNIT_ID].iat[i]!r} twice (also at {_where(frame, j, RATER_ID)})"))
    table, fw = _node_points(framework, points)
    pts = np.full(len(frame), np.nan)
    if table is not None:
        pts = frame[NODE_CODE].map(table).to_numpy(dtype=float)
        unknown = np.isnan(pts)
        known = ", ".join(list(table)[:12]) + (" ..." if len(table) > 12 else "")
        problems += [Problem(_where(frame, i, NODE_CODE), "unknown_node",
                             f"node {frame[NODE_CODE].iat[i]!r} is not in "
                             f"{'framework ' + repr(fw.name) if fw is not None else '`points`'} (known: {known})")
                     for i in np.flatnonzero(unknown)]
        above = ~unknown & (score > pts)
        problems += [Problem(_where(frame, i, SCORE), "score_above_points",
                             f"`score` must be <= the node's points ({pts[i]:g}); got {score[i]:g}")
                     for i in np.flatnonzero(above)]
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
    return _Ratings(frame[present].reset_index(drop=True), np.asarray(cell, dtype=np.int64)[present], cells,
                    np.asarray(rater, dtype=np.int64)[present], np.asarray(raters, dtype=object),
                    table is not None)


# ---------------------------------------------------------------------------------------------------------------
# aggregate
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PanelResult:
    """Consensus scores of an expert panel (returned by :func:`aggregate`).

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (unit, node): ``unit_id, node_code, points`` (NaN without a framework), ``n_ratings``,
        ``n_used`` (ratings left after trimming), ``score`` (the consensus; NaN below ``min_raters``), ``mean``
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
        return head + self.totals.to_html(index=False, na_rep="")

    def __repr__(self) -> str:
        return (f"PanelResult(method={self.method!r}, trim={self.trim}, cells={len(self.scores)}, "
                f"units={len(self.totals)}, problems={len(self.problems)})")


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"`{name}` must be an integer >= {low}; got {value!r}.")
    return int(value)


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
    """
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
    trim = _check_int("trim", trim, 0)
    min_raters = _check_int("min_raters", min_raters, 1)
    g = trim if method in ("trimmed", "winsorized") else 0
    if min_raters < 2 * g + 1:
        raise ValueError(f"`min_raters` must be >= 2 * trim + 1 = {2 * g + 1} for method {method!r} (a cell needs "
                         f"a rating left after trimming); got {min_raters}.")
    fw = load_framework(framework) if framework is not None else None
    data = _read_ratings(ratings, fw, points)
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
            score = np.where(k > 0, (xs[np.minimum(start + (k - 1) // 2, len(xs) - 1)]
                                     + xs[np.minimum(start + k // 2, len(xs) - 1)]) / 2, np.nan)
        else:
            kept = ~(low | high)
            kept_sum = np.bincount(cs, weights=np.where(kept, xs, 0.0), minlength=n_cells)
            if method == "trimmed":
                score = kept_sum / (k - 2 * g)
            else:  # winsorized: the g lowest become x_(g+1), the g highest x_(k-g)
                lo_val = xs[np.clip(start + g, 0, max(len(xs) - 1, 0))] if len(xs) else np.zeros(n_cells)
                hi_val = xs[np.clip(start + k - g - 1, 0, max(len(xs) - 1, 0))] if len(xs) else np.zeros(n_cells)
                score = (kept_sum + g * lo_val + g * hi_val) / k
    used = np.where(enough, k - 2 * g if method == "trimmed" else k, 0)
    score = np.where(enough, score, np.nan)
    lab = data.raters
    cells["n_ratings"] = k
    cells["n_used"] = used
    cells[SCORE] = score
    cells["mean"] = mean
    cells["median"] = _cell_median(xs, start, k)
    cells["min"] = np.where(k > 0, xs[np.minimum(start, max(len(xs) - 1, 0))] if len(xs) else np.nan, np.nan)
    cells["max"] = np.where(k > 0, xs[np.maximum(start + k - 1, 0)] if len(xs) else np.nan, np.nan)
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


def _cell_median(xs: np.ndarray, start: np.ndarray, k: np.ndarray) -> np.ndarray:
    if len(xs) == 0:
        return np.full(len(k), np.nan)
    a = xs[np.minimum(start + np.maximum(k - 1, 0) // 2, len(xs) - 1)]
    b = xs[np.minimum(start + k // 2, len(xs) - 1)]
    return np.where(k > 0, (a + b) / 2, np.nan)


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
        "total": grouped[SCORE].sum(min_count=1).where(~grouped[SCORE].apply(lambda s: s.isna().any())),
        "mean_total": grouped["mean"].sum(min_count=1),
    }).reset_index()
    totals["shift"] = totals["total"] - totals["mean_total"]
    totals["grade"] = bands.grade(totals["total"].to_numpy(dtype=float))
    totals["mean_grade"] = bands.grade(totals["mean_total"].to_numpy(dtype=float))
    totals["grade_changed"] = (totals["grade"] != totals["mean_grade"]).to_numpy(dtype=bool)
    return totals


# ---------------------------------------------------------------------------------------------------------------
# rater diagnostics
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RaterDiagnostics:
    """Per-rater severity, consistency and influence on reliability (returned by :func:`rater_diagnostics`).

    Attributes
    ----------
    raters : pandas.DataFrame
        One row per rater: ``rater_id, n_ratings, severity`` (mean deviation from the leave-one-out consensus),
        ``severity_se``, ``severity_ci_low``, ``severity_ci_high`` (t interval), ``severity_z`` (robust z across
        raters), ``consistency`` (Pearson correlation of the rater's ratings with the leave-one-out consensus),
        ``consistency_z``, ``residual_sd`` (SD of the deviations: spread around the rater's own severity),
        ``residual_z``, ``icc_without``, ``alpha_without`` (ICC(A,1) and interval Krippendorff alpha of the panel
        without this rater), ``flags`` (``;``-joined ``severe``, ``lenient``, ``erratic``; "" when none).
    icc : float
        ICC(A,1) of the whole panel (cells as targets).
    alpha : float
        Interval Krippendorff alpha of the whole panel.
    scale : str
        ``"share_of_points"`` (ratings divided by the node's points) or ``"points"`` (raw, no points known).
    threshold : float
        Robust z beyond which a rater is flagged.
    confidence_level : float
    """

    raters: pd.DataFrame
    icc: float
    alpha: float
    scale: str
    threshold: float
    confidence_level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """The per-rater table (see :attr:`raters`)."""
        return self.raters

    def flagged(self, flag: str) -> list[str]:
        """Rater ids carrying ``flag`` (``"severe"``, ``"lenient"`` or ``"erratic"``)."""
        if flag not in ("severe", "lenient", "erratic"):
            raise ValueError(f"`flag` must be 'severe', 'lenient' or 'erratic'; got {flag!r}.")
        has = self.raters["flags"].str.split(";").apply(lambda parts: flag in parts)
        return self.raters.loc[has, RATER_ID].tolist()

    def _repr_html_(self) -> str:
        head = (f"<p><b>RaterDiagnostics</b>: {len(self.raters)} raters; panel ICC(A,1) {self.icc:.3f}, "
                f"alpha {self.alpha:.3f} ({self.scale}); severe {self.flagged('severe')}, lenient "
                f"{self.flagged('lenient')}, erratic {self.flagged('erratic')}.</p>")
        return head + self.raters.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")

    def __repr__(self) -> str:
        return (f"RaterDiagnostics(raters={len(self.raters)}, icc={self.icc:.4g}, alpha={self.alpha:.4g}, "
                f"severe={self.flagged('severe')}, lenient={self.flagged('lenient')}, "
                f"erratic={self.flagged('erratic')})")


def _robust_z(v: np.ndarray) -> np.ndarray:
    """Modified z-scores (Iglewicz & Hoaglin 1993): (v - median) / (1.4826 MAD), MeanAD when MAD = 0."""
    ok = np.isfinite(v)
    if ok.sum() < 3:
        return np.full(v.shape, np.nan)
    med = np.median(v[ok])
    scale = _MAD_K * np.median(np.abs(v[ok] - med))
    if not scale > 0:
        scale = _MEANAD_K * np.mean(np.abs(v[ok] - med))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, (v - med) / scale if scale > 0 else 0.0, np.nan)


def _normalised(data: _Ratings) -> np.ndarray:
    x = data.frame[SCORE].to_numpy(dtype=float)
    if not data.has_points:
        return x
    p = data.frame["points"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, x / np.where(p > 0, p, 1.0), np.nan)


def _icc_alpha(cell: np.ndarray, rater: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """ICC(A,1) (incomplete cells omitted) and interval alpha, degenerate cases quietly NaN."""
    from .agreement import icc, krippendorff_alpha

    long = pd.DataFrame({"unit_id": cell, "rater_id": rater, "rating": y})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        i = icc(long, nan_policy="omit").statistic["ICC(A,1)"] if long["rater_id"].nunique() >= 2 else math.nan
        a = krippendorff_alpha(long, level="interval").statistic if len(long) else math.nan
    return float(i), float(a)


def rater_diagnostics(ratings: pd.DataFrame, *, framework: Framework | str | None = None,
                      points: Mapping[str, float] | None = None, threshold: float = 2.0,
                      confidence_level: float = 0.95) -> RaterDiagnostics:
    r"""Which experts score systematically high or low, or inconsistently: severity, consistency, influence.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long ratings as for :func:`aggregate`.
    framework : Framework or str, optional
        Node points: ratings are then compared as shares of the node's points, so that a 3-point and an 8-point
        node weigh alike (and ratings above the points are refused).
    points : mapping, optional
        node_code -> points, instead of (or overriding) the framework's.
    threshold : float
        Robust z beyond which a rater is flagged (default 2).
    confidence_level : float
        Level of the severity intervals.

    Returns
    -------
    RaterDiagnostics
        ``raters`` (one row per rater), the panel's ``icc`` and ``alpha``; ``flagged("severe")`` etc.

    Raises
    ------
    InputError
        As :func:`aggregate` (located problems of the ratings).
    ValueError
        ``threshold`` not positive, ``confidence_level`` outside (0, 1).

    Notes
    -----
    With :math:`y_{rc}` rater r's rating of cell c (unit x node; a share of the node's points when points are
    known), :math:`k_c` the cell's ratings and :math:`S_c` their sum, the leave-one-out consensus is
    :math:`\bar y_{-r,c} = (S_c - y_{rc})/(k_c - 1)` and the deviation :math:`d_{rc} = y_{rc} - \bar y_{-r,c}`
    (cells with a single rating are left out). Then, over the :math:`n_r` cells of rater r:

    - severity :math:`= \bar d_r`, SE :math:`= s(d_r)/\sqrt{n_r}`, t interval with :math:`n_r - 1` df
      (negative: severe, positive: lenient); ``residual_sd`` :math:`= s(d_r)`;
    - consistency :math:`= \mathrm{corr}(y_{r\cdot}, \bar y_{-r,\cdot})`, the rater-rest correlation
      (``r.drop`` of R psych's ``alpha``);
    - ``icc_without`` / ``alpha_without``: ICC(A,1) (McGraw & Wong; cells as targets, incomplete cells omitted)
      and interval Krippendorff alpha of the panel without r: a rater whose removal raises them disagrees with
      the rest.

    Flags use modified z-scores across raters, :math:`z = (v - \tilde v) / (1.4826\,\mathrm{MAD})` (Iglewicz &
    Hoaglin 1993; 1.2533 x mean absolute deviation when the MAD is 0): ``severe`` when the severity's
    :math:`z < -\text{threshold}`, ``lenient`` when :math:`z > \text{threshold}`, ``erratic`` when the residual
    SD's :math:`z > \text{threshold}` or the consistency's :math:`z < -\text{threshold}`. A flag also needs the
    severity's interval to exclude 0 (severe, lenient). With fewer than 3 raters no z is defined (NaN, no flags).

    References
    ----------
    .. [1] Iglewicz, B., & Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*. ASQC Quality Press.
    .. [2] Myford, C. M., & Wolfe, E. W. (2003). Detecting and measuring rater effects using many-facet Rasch
       measurement: Part I. Journal of Applied Measurement, 4(4), 386-422 (severity, leniency, inconsistency).
    .. [3] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
       coefficients. Psychological Methods, 1(1), 30-46.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> diag = rater_diagnostics(data.panel, framework="project_key")
    >>> diag.flagged("severe") == [data.meta["truth"]["raters"]["severe"]]
    True
    """
    if not (isinstance(threshold, (int, float)) and threshold > 0):
        raise ValueError(f"`threshold` must be a positive number; got {threshold!r}.")
    if not (isinstance(confidence_level, (int, float)) and 0 < confidence_level < 1):
        raise ValueError(f"`confidence_level` must be strictly between 0 and 1; got {confidence_level!r}.")
    data = _read_ratings(ratings, framework, points)
    y = _normalised(data)
    cell, rater = data.cell, data.rater
    n_cells, n_raters = len(data.cells), len(data.raters)
    k = np.bincount(cell, minlength=n_cells)
    s = np.bincount(cell, weights=y, minlength=n_cells)
    ok = k[cell] >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        loo = np.where(ok, (s[cell] - y) / (k[cell] - 1), np.nan)
    d = y - loo
    rows = []
    tq = None
    for r in range(n_raters):
        m = (rater == r) & ok
        n = int(m.sum())
        dr, yr, lr = d[m], y[m], loo[m]
        sev = float(dr.mean()) if n else math.nan
        sd = float(dr.std(ddof=1)) if n >= 2 else math.nan
        se = sd / math.sqrt(n) if n >= 2 else math.nan
        tq = stats.t.ppf(0.5 + confidence_level / 2, n - 1) if n >= 2 else math.nan
        cons = float(np.corrcoef(yr, lr)[0, 1]) if n >= 3 and np.ptp(yr) > 0 and np.ptp(lr) > 0 else math.nan
        keep = rater != r
        i_wo, a_wo = _icc_alpha(cell[keep], rater[keep], y[keep])
        rows.append((data.raters[r], n, sev, se, sev - tq * se, sev + tq * se, cons, sd, i_wo, a_wo))
    out = pd.DataFrame(rows, columns=[RATER_ID, "n_ratings", "severity", "severity_se", "severity_ci_low",
                                      "severity_ci_high", "consistency", "residual_sd", "icc_without",
                                      "alpha_without"])
    out.insert(6, "severity_z", _robust_z(out["severity"].to_numpy(dtype=float)))
    out.insert(8, "consistency_z", _robust_z(out["consistency"].to_numpy(dtype=float)))
    out.insert(10, "residual_z", _robust_z(out["residual_sd"].to_numpy(dtype=float)))
    out["flags"] = _flags(out, float(threshold))
    icc_all, alpha_all = _icc_alpha(cell, rater, y)
    return RaterDiagnostics(out, icc_all, alpha_all, "share_of_points" if data.has_points else "points",
                            float(threshold), float(confidence_level))


def _flags(out: pd.DataFrame, thr: float) -> list[str]:
    z = out["severity_z"].to_numpy(dtype=float)
    lo, hi = out["severity_ci_low"].to_numpy(dtype=float), out["severity_ci_high"].to_numpy(dtype=float)
    severe = (z < -thr) & (hi < 0)
    lenient = (z > thr) & (lo > 0)
    erratic = (out["residual_z"].to_numpy(dtype=float) > thr) | (out["consistency_z"].to_numpy(dtype=float) < -thr)
    flags = []
    for s, l_, e in zip(severe, lenient, erratic):
        flags.append(";".join(name for name, on in (("severe", s), ("lenient", l_), ("erratic", e)) if on))
    return flags


# ---------------------------------------------------------------------------------------------------------------
# reliability
# ---------------------------------------------------------------------------------------------------------------
def reliability(ratings: pd.DataFrame, *, framework: Framework | str | None = None,
                points: Mapping[str, float] | None = None, confidence_level: float = 0.95) -> pd.DataFrame:
    r"""Inter-rater reliability of the panel per framework node and overall: ICC and Krippendorff's alpha.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long ratings as for :func:`aggregate`.
    framework : Framework or str, optional
        Adds every inner node of the framework (a rater's score of an inner node is the sum of their ratings of
        its leaves, when they rated all of the unit's leaves under it) and gives the points that make the
        overall row comparable across nodes.
    points : mapping, optional
        node_code -> points, instead of (or overriding) the framework's.
    confidence_level : float
        Level of the ICC intervals.

    Returns
    -------
    pandas.DataFrame
        One row per node (framework pre-order when a framework is given, else first appearance) and a last row
        ``node_code = "overall"``: ``node_code, level`` (tree level; NaN without a framework and on ``overall``),
        ``n_units, n_raters, n_ratings``, ``icc_a1`` (ICC(A,1): one rater's agreement with the truth scale),
        ``icc_a1_ci_low``, ``icc_a1_ci_high``, ``icc_ak`` (ICC(A,k): reliability of the panel mean),
        ``alpha`` (interval Krippendorff alpha), ``alpha_ci_low``, ``alpha_ci_high`` (Gwet's t interval).

    Notes
    -----
    Per node the targets are the units and the ratings are raw points (one scale). ``overall`` takes every
    (unit, leaf) cell as a target and the ratings as shares of the node's points when points are known. The ICC
    two-way forms use the targets rated by every rater (listwise, :func:`perfeval.agreement.icc` with
    ``nan_policy="omit"``); alpha uses every pairable rating. Nodes with fewer than two units or raters give NaN.

    References
    ----------
    .. [1] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
       Psychological Bulletin, 86(2), 420-428.
    .. [2] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. University of Pennsylvania.

    Examples
    --------
    >>> import perfeval as pe
    >>> rel = reliability(pe.load_sample().panel, framework="project_key")
    >>> rel["node_code"].iloc[-1]
    'overall'
    """
    fw = load_framework(framework) if framework is not None else None
    data = _read_ratings(ratings, fw, points)
    f = data.frame
    blocks: list[tuple[str, float, pd.DataFrame]] = []
    levels: dict[str, int] = {}
    if fw is not None:
        for node, level, _ in fw.walk():
            levels[node.code] = level
            leaves = [n.code for n, _, _ in node.walk() if n.is_leaf]
            part = f[f[NODE_CODE].isin(leaves)]
            if node.is_leaf or part.empty:
                blocks.append((node.code, level, part[[UNIT_ID, RATER_ID, SCORE]]))
                continue
            need = part.groupby(UNIT_ID)[NODE_CODE].nunique()
            got = part.groupby([UNIT_ID, RATER_ID]).agg(n=(NODE_CODE, "size"), s=(SCORE, "sum")).reset_index()
            got = got[got["n"].to_numpy() == need.reindex(got[UNIT_ID]).to_numpy()]
            blocks.append((node.code, level, got.rename(columns={"s": SCORE})[[UNIT_ID, RATER_ID, SCORE]]))
    else:
        for code in pd.unique(f[NODE_CODE]):
            blocks.append((code, math.nan, f.loc[f[NODE_CODE] == code, [UNIT_ID, RATER_ID, SCORE]]))
    cell_ids = data.cell.astype(str)
    overall = pd.DataFrame({UNIT_ID: cell_ids, RATER_ID: f[RATER_ID].to_numpy(), SCORE: _normalised(data)})
    rows = [_reliability_row(code, level, part, confidence_level) for code, level, part in blocks]
    rows.append(_reliability_row("overall", math.nan, overall, confidence_level))
    out = pd.DataFrame(rows, columns=["node_code", "level", "n_units", "n_raters", "n_ratings", "icc_a1",
                                      "icc_a1_ci_low", "icc_a1_ci_high", "icc_ak", "alpha", "alpha_ci_low",
                                      "alpha_ci_high"])
    out.loc[out["node_code"] == "overall", "n_units"] = f[UNIT_ID].nunique()
    return out


def _reliability_row(code: str, level: float, part: pd.DataFrame, confidence_level: float) -> tuple:
    from .agreement import icc, krippendorff_alpha

    nan = math.nan
    n_units, n_raters = part[UNIT_ID].nunique(), part[RATER_ID].nunique()
    head = (code, level, n_units, n_raters, len(part))
    if n_units < 2 or n_raters < 2:
        return (*head, nan, nan, nan, nan, nan, nan, nan)
    long = part.rename(columns={SCORE: "rating"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        res = icc(long, nan_policy="omit", confidence_level=confidence_level)
        low, high = res.confidence_interval(form="ICC(A,1)")
        alpha = krippendorff_alpha(long, level="interval", confidence_level=confidence_level)
        a_low, a_high = alpha.confidence_interval()
    stat = res.statistic
    return (*head, float(stat["ICC(A,1)"]), low, high, float(stat["ICC(A,k)"]), alpha.statistic, a_low, a_high)
