"""Rater diagnostics and reliability of a panel (private to :mod:`perfeval.panel`)."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .._html import frame_html
from ..columns import NODE_CODE, RATER_ID, SCORE, UNIT_ID
from ..errors import DegenerateDataWarning
from ..framework import Framework, load_framework
from ._ratings import normalised, read_ratings

__all__ = ["RaterDiagnostics", "rater_diagnostics", "reliability"]

_MAD_K = 1.482602218505602     # 1 / Phi^{-1}(3/4): MAD -> SD under normality
_MEANAD_K = 1.2533141373155001  # sqrt(pi / 2): mean absolute deviation -> SD (Iglewicz & Hoaglin 1993)


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
        without this rater; the ICC estimated as :attr:`icc_method` says),
        ``flags`` (``;``-joined ``severe``, ``lenient``, ``erratic``; "" when none).
    icc : float
        ICC(A,1) of the whole panel (cells as targets).
    icc_method : str
        Estimator of the panel ICC: ``"anova"`` (every cell rated by every rater: the two-way ANOVA) or
        ``"variance_components"`` (incomplete panel: Henderson's method I on every rating, see
        :func:`perfeval.agreement.icc` with ``incomplete="variance_components"``).
    alpha : float
        Interval Krippendorff alpha of the whole panel.
    scale : str
        ``"share_of_points"`` (ratings divided by the node's points) or ``"points"`` (raw, no points known).
    threshold : float
        Robust z beyond which a rater is flagged.
    confidence_level : float

    Examples
    --------
    >>> import perfeval as pe
    >>> diag = pe.panel.rater_diagnostics(pe.load_sample().panel, framework="project_key")
    >>> diag.flagged("severe"), diag.flagged("lenient"), diag.flagged("erratic")
    (['E01'], ['E02'], ['E06'])
    """

    raters: pd.DataFrame
    icc: float
    alpha: float
    scale: str
    threshold: float
    confidence_level: float = 0.95
    icc_method: str = "anova"

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
        return head + frame_html(self.raters, float_format="{:.4g}".format, source=".raters")

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


def _icc_alpha(cell: np.ndarray, rater: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """ICC(A,1) (variance components on every rating when cells are incomplete), interval alpha and the ICC's
    estimator (``ICCResult.method``), degenerate cases quietly NaN."""
    from ..agreement import icc, krippendorff_alpha

    long = pd.DataFrame({"unit_id": cell, "rater_id": rater, "rating": y})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        two = long["rater_id"].nunique() >= 2
        res = icc(long, nan_policy="omit", incomplete="variance_components") if two else None
        i = res.statistic["ICC(A,1)"] if res is not None else math.nan
        a = krippendorff_alpha(long, level="interval").statistic if len(long) else math.nan
    return float(i), float(a), res.method if res is not None else "anova"


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
    - ``icc_without`` / ``alpha_without``: ICC(A,1) (McGraw & Wong; cells as targets) and interval Krippendorff
      alpha of the panel without r: a rater whose removal raises them disagrees with the rest.

    The ICC is the two-way ANOVA one when every rater rates every cell; when the panel is incomplete (raters
    assigned to part of the projects) it comes from the variance components of the two-way random model
    estimated on every rating by Henderson's method I (:func:`perfeval.agreement.icc` with
    ``incomplete="variance_components"``; Searle, Casella & McCulloch 1992; ten Hove et al. 2022), and
    :attr:`RaterDiagnostics.icc_method` is ``"variance_components"``.

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
    data = read_ratings(ratings, framework, points)
    y = normalised(data)
    cell, rater = data.cell, data.rater
    n_cells, n_raters = len(data.cells), len(data.raters)
    k = np.bincount(cell, minlength=n_cells)
    s = np.bincount(cell, weights=y, minlength=n_cells)
    ok = k[cell] >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        loo = np.where(ok, (s[cell] - y) / (k[cell] - 1), np.nan)
    d = y - loo
    rows = []
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
        i_wo, a_wo, _ = _icc_alpha(cell[keep], rater[keep], y[keep])
        rows.append((data.raters[r], n, sev, se, sev - tq * se, sev + tq * se, cons, sd, i_wo, a_wo))
    out = pd.DataFrame(rows, columns=[RATER_ID, "n_ratings", "severity", "severity_se", "severity_ci_low",
                                      "severity_ci_high", "consistency", "residual_sd", "icc_without",
                                      "alpha_without"])
    out.insert(6, "severity_z", _robust_z(out["severity"].to_numpy(dtype=float)))
    out.insert(8, "consistency_z", _robust_z(out["consistency"].to_numpy(dtype=float)))
    out.insert(10, "residual_z", _robust_z(out["residual_sd"].to_numpy(dtype=float)))
    out["flags"] = _flags(out, float(threshold))
    icc_all, alpha_all, icc_method = _icc_alpha(cell, rater, y)
    return RaterDiagnostics(out, icc_all, alpha_all, "share_of_points" if data.has_points else "points",
                            float(threshold), float(confidence_level),
                            icc_method)


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
        ``alpha`` (interval Krippendorff alpha), ``alpha_ci_low``, ``alpha_ci_high`` (Gwet's t interval),
        ``icc_method`` (``"anova"`` or ``"variance_components"``, see Notes; "" when the ICC is not computed).

    Notes
    -----
    Per node the targets are the units and the ratings are raw points (one scale). ``overall`` takes every
    (unit, leaf) cell as a target and the ratings as shares of the node's points when points are known. When every
    rater rates every target the ICC is the two-way ANOVA one (``icc_method = "anova"``). When the panel is
    incomplete (each project rated by a subset of the experts) the ICC(A,1) and ICC(A,k) come from the
    variance components of the two-way random model estimated on every rating by Henderson's method I
    (:func:`perfeval.agreement.icc` with ``incomplete="variance_components"``; ``icc_method =
    "variance_components"``), with k the mean number of ratings per target; no interval is derived for them
    (``icc_a1_ci_low`` / ``icc_a1_ci_high`` NaN). Alpha uses every pairable rating. Nodes with fewer than two
    units or raters give NaN.

    References
    ----------
    .. [1] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
       Psychological Bulletin, 86(2), 420-428.
    .. [2] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. University of Pennsylvania.
    .. [3] ten Hove, D., Jorgensen, T. D., & van der Ark, L. A. (2022). Updated guidelines on selecting an
       intraclass correlation coefficient for interrater reliability, with applications to incomplete
       observational designs. Psychological Methods.

    Examples
    --------
    >>> import perfeval as pe
    >>> rel = reliability(pe.load_sample().panel, framework="project_key")
    >>> rel["node_code"].iloc[-1]
    'overall'
    """
    fw = load_framework(framework) if framework is not None else None
    data = read_ratings(ratings, fw, points)
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
    overall = pd.DataFrame({UNIT_ID: cell_ids, RATER_ID: f[RATER_ID].to_numpy(), SCORE: normalised(data)})
    rows = [_reliability_row(code, level, part, confidence_level) for code, level, part in blocks]
    rows.append(_reliability_row("overall", math.nan, overall, confidence_level))
    out = pd.DataFrame(rows, columns=["node_code", "level", "n_units", "n_raters", "n_ratings", "icc_a1",
                                      "icc_a1_ci_low", "icc_a1_ci_high", "icc_ak", "alpha", "alpha_ci_low",
                                      "alpha_ci_high", "icc_method"])
    out.loc[out["node_code"] == "overall", "n_units"] = f[UNIT_ID].nunique()
    return out


def _reliability_row(code: str, level: float, part: pd.DataFrame, confidence_level: float) -> tuple:
    from ..agreement import icc, krippendorff_alpha

    nan = math.nan
    n_units, n_raters = part[UNIT_ID].nunique(), part[RATER_ID].nunique()
    head = (code, level, n_units, n_raters, len(part))
    if n_units < 2 or n_raters < 2:
        return (*head, nan, nan, nan, nan, nan, nan, nan, "")
    long = part.rename(columns={SCORE: "rating"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        res = icc(long, nan_policy="omit", confidence_level=confidence_level, incomplete="variance_components")
        low, high = res.confidence_interval(form="ICC(A,1)")
        alpha = krippendorff_alpha(long, level="interval", confidence_level=confidence_level)
        a_low, a_high = alpha.confidence_interval()
    stat = res.statistic
    return (*head, float(stat["ICC(A,1)"]), low, high, float(stat["ICC(A,k)"]), alpha.statistic, a_low, a_high,
            res.method)
