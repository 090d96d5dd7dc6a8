"""Kendall's coefficient of concordance W, and marginal homogeneity of a square table (Stuart-Maxwell, Bhapkar)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..columns import RATER_ID, RATING, UNIT_ID
from ..errors import InputError
from ._results import ResultMixin
from ._util import check_choice, numeric, pivot, square_table, warn_degenerate

__all__ = ["kendall_w", "stuart_maxwell", "bhapkar", "KendallWResult", "MarginalHomogeneityResult"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class KendallWResult(ResultMixin):
    """Kendall's W (returned by :func:`kendall_w`).

    Attributes
    ----------
    statistic : float
        W in [0, 1].
    chi2 : float
        m (n - 1) W, the Friedman statistic.
    df : int
        n - 1.
    pvalue : float
        Upper tail of chi2(df).
    n_objects, n_raters : int
        n ranked targets and m raters.
    correct_ties : bool

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.agreement import kendall_w
    >>> kendall_w(pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 2], "c": [2, 1, 3]}), rows="rater")
    KendallWResult(statistic=0.0333333, chi2=0.2, df=2, pvalue=0.904837)
    """

    statistic: float
    chi2: float
    df: int
    pvalue: float
    n_objects: int
    n_raters: int
    correct_ties: bool

    _repr_fields = ("statistic", "chi2", "df", "pvalue")
    _title = "Kendall's coefficient of concordance W"

    def to_frame(self) -> pd.DataFrame:
        """One row: ``w, chi2, df, pvalue, n_objects, n_raters, correct_ties``."""
        return pd.DataFrame([{"w": self.statistic, "chi2": self.chi2, "df": self.df, "pvalue": self.pvalue,
                              "n_objects": self.n_objects, "n_raters": self.n_raters,
                              "correct_ties": self.correct_ties}])


def kendall_w(data: Any, correct_ties: bool = True, *, targets: str = UNIT_ID, raters: str = RATER_ID,
              ratings: str = RATING, rows: str | None = None, nan_policy: str = "raise") -> KendallWResult:
    """Kendall's coefficient of concordance W of m raters ranking (or scoring) n targets.

    Parameters
    ----------
    data : pandas.DataFrame or 2-D array-like
        Long ratings (columns ``targets``, ``raters``, ``ratings``), or a wide matrix of ranks or scores with
        its orientation given by ``rows``. Scores are ranked within each rater (average ranks for ties).
    correct_ties : bool
        Apply the tie correction (default, as R ``irr`` with ``correct=TRUE`` and DescTools).
    targets, raters, ratings : str
        Column names of long data.
    rows : {"unit", "rater"}, optional
        Required for a wide matrix: ``"unit"`` when rows are targets (R ``irr::kendall``), ``"rater"`` when rows
        are raters.
    nan_policy : {"raise", "omit"}
        ``"omit"`` drops targets that some rater did not rank.

    Returns
    -------
    KendallWResult

    Notes
    -----
    With R_i the rank sum of target i and S = sum (R_i - mean R)^2,
    W = 12 S / (m^2 (n^3 - n) - m T), T = sum over raters and tie groups of (t^3 - t) (T = 0 without the
    correction). chi2 = m (n - 1) W is Friedman's statistic (with its tie correction), compared with
    chi2(n - 1).

    References
    ----------
    .. [1] Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. Annals of Mathematical
       Statistics, 10(3), 275-287.
    .. [2] Siegel, S., & Castellan, N. J. (1988). Nonparametric Statistics for the Behavioral Sciences, 2nd
       ed., section 9.4.

    Examples
    --------
    >>> res = kendall_w([[1, 2, 3], [1, 3, 2], [2, 1, 3]], rows="rater")
    >>> round(res.statistic, 4)
    0.4444
    """
    check_choice("nan_policy", nan_policy, ("raise", "omit"))
    if isinstance(data, pd.DataFrame) and rows is None:
        y, _, _ = pivot(data, targets, raters, ratings)          # targets x raters
    else:
        if rows is None:
            raise InputError("`rows` must be given for a wide matrix: 'unit' (targets in rows) or 'rater' "
                             "(raters in rows); the orientation is never guessed.")
        check_choice("rows", rows, ("unit", "rater"))
        arr = np.asarray(data, dtype=object)
        if arr.ndim != 2:
            raise InputError(f"`data` must be 2-D; got {arr.ndim} dimension(s).")
        y = numeric(arr.ravel(), "data").reshape(arr.shape)
        if rows == "rater":
            y = y.T
    missing = np.isnan(y)
    if missing.any():
        if nan_policy == "raise":
            raise InputError(f"every rater must rank every target; {int(missing.sum())} rank(s) are missing. "
                             "Pass nan_policy='omit' to drop incomplete targets.")
        y = y[~missing.any(axis=1)]
    n, m = y.shape
    if n < 2 or m < 2:
        warn_degenerate("kendall_w: fewer than 2 targets or 2 raters; W is NaN.", stacklevel=3)
        return KendallWResult(math.nan, math.nan, max(n - 1, 0), math.nan, n, m, correct_ties)
    ranks = stats.rankdata(y, axis=0)
    rsum = ranks.sum(axis=1)
    s = float(np.sum((rsum - rsum.mean()) ** 2))
    ties = 0.0
    if correct_ties:
        # tie groups of every rater at once: runs of equal values in each sorted column
        srt = np.sort(y, axis=0)
        key = np.concatenate([np.ones((1, m), dtype=bool), srt[1:] != srt[:-1]], axis=0).T.ravel()
        run_id = np.cumsum(key) - 1
        t = np.bincount(run_id).astype(float)
        ties = float(np.sum(t ** 3 - t))
    den = m ** 2 * (n ** 3 - n) - m * ties
    if den <= 0:
        warn_degenerate("kendall_w: every rater gave all targets the same value; W is 0/0 = NaN.", stacklevel=3)
        return KendallWResult(math.nan, math.nan, n - 1, math.nan, n, m, correct_ties)
    w = 12.0 * s / den
    chi2 = m * (n - 1) * w
    return KendallWResult(w, chi2, n - 1, float(stats.chi2.sf(chi2, n - 1)), n, m, correct_ties)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class MarginalHomogeneityResult(ResultMixin):
    """Test of marginal homogeneity of a square table (returned by :func:`stuart_maxwell` and :func:`bhapkar`).

    Attributes
    ----------
    statistic : float
        Chi-square statistic.
    df : int
        Degrees of freedom (categories with off-diagonal counts, minus one).
    pvalue : float
        Upper tail of chi2(df).
    method : str
        ``"stuart_maxwell"`` or ``"bhapkar"``.
    n : int
        Table total.
    margins : pandas.DataFrame
        ``category, row_total, col_total, difference`` (row minus column: a positive difference means the
        row rater used the category more often).

    Examples
    --------
    >>> from perfeval.agreement import stuart_maxwell
    >>> res = stuart_maxwell([[20, 5], [1, 10]])
    >>> res
    MarginalHomogeneityResult(method='stuart_maxwell', statistic=2.66667, df=1, pvalue=0.10247)
    >>> res.margins["difference"].tolist()
    [4.0, -4.0]
    """

    statistic: float
    df: int
    pvalue: float
    method: str
    n: int
    margins: pd.DataFrame

    _repr_fields = ("method", "statistic", "df", "pvalue")
    _title = "Marginal homogeneity test"

    def to_frame(self) -> pd.DataFrame:
        """One row: ``method, statistic, df, pvalue, n``."""
        return pd.DataFrame([{"method": self.method, "statistic": self.statistic, "df": self.df,
                              "pvalue": self.pvalue, "n": self.n}])


def _homogeneity(table: Any, method: str, categories: Sequence[Any] | None) -> MarginalHomogeneityResult:
    arr, cats = square_table(table, categories)
    row, col = arr.sum(axis=1), arr.sum(axis=0)
    margins = pd.DataFrame({"category": list(cats), "row_total": row, "col_total": col, "difference": row - col})
    n = float(arr.sum())
    # categories without off-diagonal counts carry no information (zero variance): leave them out
    off = row + col - 2 * np.diag(arr)
    keep = np.flatnonzero(off > 0)
    if len(keep) < 2:
        warn_degenerate(f"{method}: no disagreement between the two ratings (or in one category only); the "
                        "statistic is 0 with 0 df.", stacklevel=4)
        return MarginalHomogeneityResult(0.0, 0, 1.0, method, int(n), margins)
    sub = arr[np.ix_(keep, keep)]
    d = (row - col)[keep][:-1]
    v = -(sub + sub.T)
    np.fill_diagonal(v, off[keep])
    v = v[:-1, :-1]
    if method == "bhapkar":
        v = v - np.outer(d, d) / n                 # Bhapkar (1966): covariance estimated without H0
    df = int(np.linalg.matrix_rank(v))
    stat = float(d @ np.linalg.pinv(v) @ d)
    return MarginalHomogeneityResult(stat, df, float(stats.chi2.sf(stat, df)) if df > 0 else math.nan, method,
                                     int(n), margins)


def stuart_maxwell(table: Any, *, categories: Sequence[Any] | None = None) -> MarginalHomogeneityResult:
    """Stuart-Maxwell test of marginal homogeneity: did the second rating shift the grade distribution?

    Parameters
    ----------
    table : array-like, k x k
        Counts, rows = first rating (e.g. self-evaluation grade), columns = second rating (re-evaluation),
        categories in the same order.
    categories : sequence, optional
        Names of the k categories (for ``margins``).

    Returns
    -------
    MarginalHomogeneityResult

    Notes
    -----
    With d the vector of row-minus-column margins and V its covariance under H0
    (V_ii = n_i. + n_.i - 2 n_ii, V_ij = -(n_ij + n_ji)), both without the last category,
    X^2 = d' V^{-1} d ~ chi2(k - 1). Categories with no off-diagonal counts are left out first (their row and
    column of V are zero); the df is the rank of V. For a 2 x 2 table this is McNemar's test. It equals
    statsmodels' ``SquareTable.homogeneity()`` when no category is left out.

    References
    ----------
    .. [1] Stuart, A. (1955). A test for homogeneity of the marginal distributions in a two-way
       classification. Biometrika, 42, 412-416.
    .. [2] Maxwell, A. E. (1970). Comparing the classification of subjects by two independent judges. British
       Journal of Psychiatry, 116, 651-655.

    Examples
    --------
    >>> round(stuart_maxwell([[1520, 266, 124, 66], [234, 1512, 432, 78], [117, 362, 1772, 205],
    ...                       [36, 82, 179, 492]]).statistic, 2)
    11.96
    """
    return _homogeneity(table, "stuart_maxwell", categories)


def bhapkar(table: Any, *, categories: Sequence[Any] | None = None) -> MarginalHomogeneityResult:
    """Bhapkar's test of marginal homogeneity (Wald version of Stuart-Maxwell).

    Parameters
    ----------
    table : array-like, k x k
    categories : sequence, optional

    Returns
    -------
    MarginalHomogeneityResult

    Notes
    -----
    The covariance of d is estimated without assuming H0: V_B = V - d d'/n, so that
    X_B^2 = d' V_B^{-1} d = X_SM^2 / (1 - X_SM^2 / n) >= X_SM^2 (asymptotically equivalent).

    References
    ----------
    .. [1] Bhapkar, V. P. (1966). A note on the equivalence of two test criteria for hypotheses in categorical
       data. Journal of the American Statistical Association, 61, 228-235.

    Examples
    --------
    >>> round(bhapkar([[1520, 266, 124, 66], [234, 1512, 432, 78], [117, 362, 1772, 205],
    ...                [36, 82, 179, 492]]).statistic, 2)
    11.98
    """
    return _homogeneity(table, "bhapkar", categories)
