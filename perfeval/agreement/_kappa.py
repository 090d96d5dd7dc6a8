"""Cohen's (weighted) kappa for two raters and Fleiss' kappa (with Randolph's free-marginal variant) for many."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..columns import RATER_ID, RATING, UNIT_ID
from ..errors import InputError
from ._results import (ConfidenceInterval, ResultMixin, check_alternative, check_level, normal_interval,
                       normal_pvalue, t_interval, t_pvalue)
from ._util import check_choice, encode_categories, factorize, require_frame, square_table, warn_degenerate

__all__ = ["cohen_kappa", "fleiss_kappa", "KappaResult", "FleissKappaResult", "disagreement_weights",
           "counts_from_long", "table_from_pairs"]


def disagreement_weights(weights: Any, k: int) -> tuple[np.ndarray, str]:
    """Disagreement weights ``d`` (k x k, 0 on the diagonal) and their name.

    ``None``: 0/1 (unweighted); ``"linear"``: ``|i-j|/(k-1)``; ``"quadratic"``: ``(i-j)^2/(k-1)^2``, with i, j
    the positions 0..k-1 of the categories on the declared scale (equally spaced, as statsmodels); a k x k
    matrix is taken as disagreement weights (statsmodels' convention).
    """
    idx = np.arange(k, dtype=float)
    if weights is None:
        return 1.0 - np.eye(k), "unweighted"
    if isinstance(weights, str):
        check_choice("weights", weights, ("linear", "quadratic"))
        if k < 2:
            return np.zeros((k, k)), weights
        diff = np.abs(idx[:, None] - idx[None, :]) / (k - 1)
        return (diff if weights == "linear" else diff ** 2), weights
    d = np.asarray(weights, dtype=float)
    if d.shape != (k, k):
        raise InputError(f"`weights` must be None, 'linear', 'quadratic' or a {k} x {k} matrix of disagreement "
                         f"weights (one row and column per category); got shape {d.shape}.")
    if not np.isfinite(d).all() or (d < 0).any() or np.any(np.diag(d) != 0):
        raise InputError("`weights` must be a matrix of non-negative *disagreement* weights with 0 on the "
                         "diagonal (statsmodels' convention; agreement weights w correspond to 1 - w); got "
                         f"diagonal {np.diag(d).tolist()} and minimum {float(d.min())!r}.")
    return d, "custom"


def table_from_pairs(rater1: Any, rater2: Any, categories: Sequence[Any] | None
                     ) -> tuple[np.ndarray, tuple[Any, ...], int]:
    """k x k table of two label vectors (pairs with a missing label are dropped): (table, categories, n_dropped)."""
    a = pd.Series(list(rater1) if not isinstance(rater1, pd.Series) else rater1, dtype=object)
    b = pd.Series(list(rater2) if not isinstance(rater2, pd.Series) else rater2, dtype=object)
    if len(a) != len(b):
        raise InputError(f"`rater1` and `rater2` must have the same length; got {len(a)} and {len(b)}.")
    both = pd.concat([a, b], ignore_index=True)
    codes, cats = encode_categories(both, categories, "rater1/rater2")
    c1, c2 = codes[: len(a)], codes[len(a):]
    ok = (c1 >= 0) & (c2 >= 0)
    k = len(cats)
    table = np.bincount(c1[ok] * k + c2[ok], minlength=k * k).reshape(k, k).astype(float) if k else \
        np.zeros((0, 0))
    return table, cats, int((~ok).sum())


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class KappaResult(ResultMixin):
    """Cohen's kappa (weighted or not) of two raters (returned by :func:`cohen_kappa`).

    Attributes
    ----------
    statistic : float
        Kappa.
    se : float
        Asymptotic standard error (Fleiss, Cohen & Everitt 1969), used for the interval.
    se0 : float
        Standard error under H0: kappa = 0, used for the test.
    zstatistic : float
        ``statistic / se0``.
    pvalue : float
        Normal p-value of ``zstatistic`` for ``alternative`` (two-sided by default).
    alternative : str
    n : int
        Rated pairs used.
    n_dropped : int
        Pairs dropped because a rating was missing.
    p_observed, p_expected : float
        Observed and chance agreement with agreement weights ``1 - d / max(d)``.
    weights : str
        ``"unweighted"``, ``"linear"``, ``"quadratic"`` or ``"custom"``.
    categories : tuple
        The scale, in order.
    table : numpy.ndarray
        The k x k table (rows: rater 1).
    confidence_level : float

    Examples
    --------
    >>> from perfeval.agreement import cohen_kappa
    >>> res = cohen_kappa(table=[[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    >>> res
    KappaResult(statistic=0.484163, se=0.138014, pvalue=0.00110399, weights='unweighted')
    >>> [round(v, 3) for v in res.confidence_interval(0.9)]
    [0.257, 0.711]
    """

    statistic: float
    se: float
    se0: float
    zstatistic: float
    pvalue: float
    alternative: str
    n: int
    n_dropped: int
    p_observed: float
    p_expected: float
    weights: str
    categories: tuple
    table: np.ndarray
    confidence_level: float = 0.95

    _repr_fields = ("statistic", "se", "pvalue", "weights")
    _title = "Cohen's kappa"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Normal (Wald) interval ``kappa ± z · se`` at ``confidence_level`` (default: the call's level)."""
        level = self._level(confidence_level)
        return normal_interval(self.statistic, self.se, level)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``weights, kappa, se, ci_low, ci_high, se0, z, pvalue, alternative, n, p_observed,
        p_expected``."""
        low, high = self.confidence_interval()
        return pd.DataFrame([{"weights": self.weights, "kappa": self.statistic, "se": self.se, "ci_low": low,
                              "ci_high": high, "se0": self.se0, "z": self.zstatistic, "pvalue": self.pvalue,
                              "alternative": self.alternative, "n": self.n, "p_observed": self.p_observed,
                              "p_expected": self.p_expected}])


def cohen_kappa(rater1: Any = None, rater2: Any = None, *, table: Any = None, weights: Any = None,
                categories: Sequence[Any] | None = None, confidence_level: float = 0.95,
                alternative: str = "two-sided") -> KappaResult:
    """Cohen's kappa of two raters, unweighted or weighted, with asymptotic SE, normal CI and z test.

    Parameters
    ----------
    rater1, rater2 : array-like, optional
        Labels given by each rater to the same units (same length; a pair with a missing label is dropped).
    table : array-like, optional
        Instead of the labels: the k x k table of counts (rows rater 1, columns rater 2), categories in order.
    weights : None, "linear", "quadratic" or k x k array
        *Disagreement* weights, 0 on the diagonal (statsmodels' convention). ``"linear"`` is ``|i-j|/(k-1)``
        and ``"quadratic"`` ``(i-j)^2/(k-1)^2`` with i, j the positions of the categories on the scale
        (equally spaced; Cicchetti-Allison and Fleiss-Cohen weights).
    categories : sequence, optional
        The full ordered scale, including categories nobody used (e.g. the four grades 优 良 中 差). Weighted
        kappa depends on it: with k categories the linear weight of adjacent grades is 1/(k-1). Without it the
        scale is the sorted set of observed labels. With ``table``, it names the rows and must have k entries.
    confidence_level : float
        Level of the interval (default 0.95).
    alternative : {"two-sided", "greater", "less"}
        Alternative of the z test of H0: kappa = 0 (default two-sided; statsmodels prints both sides, SAS the
        one-sided value as well).

    Returns
    -------
    KappaResult
        ``statistic, se, se0, zstatistic, pvalue, n, p_observed, p_expected, table``;
        ``confidence_interval(level)``; ``to_frame()``.

    Notes
    -----
    With cell proportions p_ij, margins p_i., p_.j and disagreement weights d_ij, kappa = 1 - sum d p /
    sum d p_i. p_.j. In agreement weights w = 1 - d/max(d): kappa = (p_o - p_e)/(1 - p_e) with
    p_o = sum w p, p_e = sum w p_i. p_.j. The variances are those of Fleiss, Cohen & Everitt (1969), with
    wbar_i. = sum_j p_.j w_ij and wbar_.j = sum_i p_i. w_ij:

    - var = [sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2 - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)
    - var0 = [sum p_i. p_.j (w_ij - (wbar_i. + wbar_.j))^2 - p_e^2] / (n (1 - p_e)^2)

    The interval is normal (z quantile, as SAS PROC FREQ and statsmodels), not t(n-1) as irrCAC. All ratings
    in one category make kappa 0/0: NaN with a :class:`~perfeval.errors.DegenerateDataWarning`.

    References
    ----------
    .. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales. Educ. Psychol. Meas. 20, 37-46.
    .. [2] Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70(4), 213-220.
    .. [3] Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa and
       weighted kappa. Psychological Bulletin, 72(5), 323-327.
    .. [4] SAS Institute, PROC FREQ "Tests and Measures of Agreement" (example table reproduced in the
       statsmodels tests).

    Examples
    --------
    >>> res = cohen_kappa(table=[[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    >>> round(res.statistic, 4), round(res.se, 4)
    (0.4842, 0.138)
    """
    level = check_level(confidence_level)
    check_alternative(alternative)
    if table is not None:
        if rater1 is not None or rater2 is not None:
            raise InputError("pass either `rater1` and `rater2` or `table`, not both.")
        counts, cats = square_table(table, categories)
        k = counts.shape[0]
        n_dropped = 0
    else:
        if rater1 is None or rater2 is None:
            raise InputError("`rater1` and `rater2` must both be given (or `table`).")
        counts, cats, n_dropped = table_from_pairs(rater1, rater2, categories)
        k = len(cats)
    d, wname = disagreement_weights(weights, k)
    return _cohen_from_table(counts, d, wname, cats, n_dropped, level, alternative)


def _cohen_from_table(counts: np.ndarray, d: np.ndarray, wname: str, cats: tuple, n_dropped: int, level: float,
                      alternative: str) -> KappaResult:
    n = float(counts.sum())
    nan = math.nan
    if n == 0:
        warn_degenerate("cohen_kappa: no unit is rated by both raters (no overlap); kappa is NaN.", stacklevel=4)
        return KappaResult(nan, nan, nan, nan, nan, alternative, 0, n_dropped, nan, nan, wname, cats, counts, level)
    p = counts / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    pe_cells = row[:, None] * col[None, :]
    dmax = d.max() if d.size else 0.0
    if dmax <= 0 or (d * pe_cells).sum() <= 0:
        warn_degenerate("cohen_kappa: all ratings fall in one category; kappa is 0/0 = NaN (declare the full "
                        "scale with `categories`, or use gwet_ac).", stacklevel=4)
        po = float(np.trace(p))
        return KappaResult(nan, nan, nan, nan, nan, alternative, int(n), n_dropped, po, 1.0, wname, cats, counts,
                           level)
    if n < 2:
        warn_degenerate("cohen_kappa: a single rated pair; kappa and its standard errors carry no information "
                        "about agreement.", stacklevel=4)
    w = 1.0 - d / dmax
    po = float((w * p).sum())
    pe = float((w * pe_cells).sum())
    kappa = 1.0 - float((d * p).sum()) / float((d * pe_cells).sum())
    # Fleiss, Cohen & Everitt (1969), eqs. for var(kappa_w) and var0(kappa_w)
    wbar_row = w @ col            # wbar_i. = sum_j p_.j w_ij
    wbar_col = row @ w            # wbar_.j = sum_i p_i. w_ij
    s = wbar_row[:, None] + wbar_col[None, :]
    var = ((p * (w - s * (1 - kappa)) ** 2).sum() - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    var0 = ((pe_cells * (w - s) ** 2).sum() - pe ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(var, 0.0))
    se0 = math.sqrt(max(var0, 0.0))
    z = kappa / se0 if se0 > 0 else nan
    return KappaResult(kappa, se, se0, z, normal_pvalue(z, alternative), alternative, int(n), n_dropped, po, pe,
                       wname, cats, counts, level)


# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, repr=False, eq=False)
class FleissKappaResult(ResultMixin):
    """Fleiss' (or Randolph's) kappa of many raters (returned by :func:`fleiss_kappa`).

    Attributes
    ----------
    statistic : float
        Kappa.
    se : float
        Gwet's (2014) linearisation standard error (valid with unequal raters per subject), used for the
        interval.
    se0 : float
        Fleiss, Nee & Landis (1979) standard error under H0: kappa = 0 (equal raters per subject, method
        "fleiss"); NaN otherwise.
    test_statistic : float
        ``statistic / se0`` (z) when ``se0`` exists, else ``statistic / se`` (t with n-1 df).
    test : str
        ``"z"`` or ``"t"``: which test gave ``pvalue``.
    pvalue : float
        p-value for ``alternative`` (two-sided by default).
    alternative : str
    n_subjects : int
        Subjects with at least one rating.
    raters_per_subject : float
        Mean ratings per subject.
    p_observed, p_expected : float
        Observed agreement (over subjects with two or more ratings) and chance agreement.
    method : str
        ``"fleiss"`` or ``"randolph"``.
    categories : tuple
    per_category : pandas.DataFrame
        ``category, proportion, kappa, se0, z, pvalue``: the kappa of each category against the rest
        (Fleiss 1971), with the Fleiss-Nee-Landis H0 test when raters per subject are equal.
    confidence_level : float

    Examples
    --------
    >>> from perfeval.agreement import fleiss_kappa
    >>> res = fleiss_kappa(counts=[[0, 0, 3], [0, 2, 1], [3, 0, 0], [1, 1, 1]])   # subjects x categories
    >>> res
    FleissKappaResult(statistic=0.361702, se=0.357885, pvalue=0.0796639, method='fleiss')
    >>> res.per_category["kappa"].round(3).tolist()
    [0.625, 0.111, 0.314]
    """

    statistic: float
    se: float
    se0: float
    test_statistic: float
    test: str
    pvalue: float
    alternative: str
    n_subjects: int
    raters_per_subject: float
    p_observed: float
    p_expected: float
    method: str
    categories: tuple
    per_category: pd.DataFrame
    confidence_level: float = 0.95

    _repr_fields = ("statistic", "se", "pvalue", "method")
    _title = "Multi-rater kappa"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """``kappa ± t_{n-1} · se``, upper end clipped at 1 (Gwet 2014; irrCAC)."""
        level = self._level(confidence_level)
        return t_interval(self.statistic, self.se, self.n_subjects - 1, level, upper_bound=1.0)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``method, kappa, se, ci_low, ci_high, se0, test, statistic, pvalue, alternative,
        n_subjects, raters_per_subject, p_observed, p_expected``."""
        low, high = self.confidence_interval()
        return pd.DataFrame([{"method": self.method, "kappa": self.statistic, "se": self.se, "ci_low": low,
                              "ci_high": high, "se0": self.se0, "test": self.test,
                              "statistic": self.test_statistic, "pvalue": self.pvalue,
                              "alternative": self.alternative, "n_subjects": self.n_subjects,
                              "raters_per_subject": self.raters_per_subject, "p_observed": self.p_observed,
                              "p_expected": self.p_expected}])


def counts_from_long(data: pd.DataFrame, targets: str, raters: str | None, ratings: str,
                     categories: Sequence[Any] | None) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Subjects x categories counts of long ratings (missing ratings skipped; duplicate (target, rater) refused)."""
    cols = [targets, ratings] + ([raters] if raters is not None and raters in data.columns else [])
    require_frame(data, cols)
    t_codes, t_labels = factorize(data[targets], targets)
    if len(cols) == 3:
        r_codes, _ = factorize(data[raters], raters)
        key = t_codes.astype(np.int64) * (int(r_codes.max()) + 1 if len(r_codes) else 1) + r_codes
        n_dup = len(key) - len(np.unique(key))
        if n_dup:
            raise InputError(f"each (target, rater) pair must occur once in `data`; {n_dup} rating(s) repeat a "
                             "pair. Average or drop the duplicates first.")
    codes, cats = encode_categories(data[ratings], categories, ratings)
    ok = codes >= 0
    q = len(cats)
    counts = np.bincount(t_codes[ok] * q + codes[ok], minlength=len(t_labels) * q).reshape(len(t_labels), q)
    return counts.astype(float), cats


def _check_counts(counts: Any, categories: Sequence[Any] | None) -> tuple[np.ndarray, tuple[Any, ...]]:
    arr = np.asarray(counts, dtype=float)
    if arr.ndim != 2:
        raise InputError(f"`counts` must be a 2-D subjects x categories array; got {arr.ndim} dimension(s).")
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise InputError("`counts` must hold non-negative whole numbers of ratings (subjects x categories); got "
                         f"{float(arr[i, j])!r} in row {i}, column {j} ({int(bad.sum())} bad entries in all). "
                         "Build it with statsmodels' aggregate_raters, or pass long ratings as `data=`.")
    if categories is not None and len(categories) != arr.shape[1]:
        raise InputError(f"`categories` must have one entry per column of `counts` ({arr.shape[1]}); got "
                         f"{len(categories)}.")
    cats = tuple(categories) if categories is not None else (
        tuple(counts.columns) if isinstance(counts, pd.DataFrame) else tuple(range(arr.shape[1])))
    return arr, cats


def fleiss_kappa(counts: Any = None, *, data: pd.DataFrame | None = None, targets: str = UNIT_ID,
                 raters: str = RATER_ID, ratings: str = RATING, categories: Sequence[Any] | None = None,
                 method: str = "fleiss", confidence_level: float = 0.95,
                 alternative: str = "two-sided") -> FleissKappaResult:
    """Fleiss' kappa for many raters (or Randolph's free-marginal kappa), with SE, CI and per-category kappas.

    Parameters
    ----------
    counts : array-like, optional
        Subjects x categories counts: how many raters put each subject in each category (statsmodels'
        ``aggregate_raters`` output). Rows may sum to different totals (missing ratings).
    data : pandas.DataFrame, optional
        Instead of ``counts``: long ratings with columns ``targets``, ``raters`` (optional) and ``ratings``.
    categories : sequence, optional
        The full scale. It matters for ``method="randolph"`` (chance agreement 1/q) and names the columns.
    method : {"fleiss", "randolph"}
        Chance agreement from the pooled category proportions (Fleiss 1971) or 1/q (Randolph 2005,
        Brennan-Prediger).
    confidence_level : float
    alternative : {"two-sided", "greater", "less"}

    Returns
    -------
    FleissKappaResult

    Notes
    -----
    Missing ratings follow Gwet's *Handbook of Inter-Rater Reliability* (4th ed., 2014) and his irrCAC
    package: with r_i ratings of subject i and r_ik of them in category k,
    p_a = mean over subjects with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)),
    pi_k = mean over subjects with r_i >= 1 of r_ik / r_i, p_e = sum_k pi_k^2 (Fleiss) or 1/q (Randolph), and
    kappa = (p_a - p_e) / (1 - p_e). With equal raters per subject this is Fleiss (1971) exactly.

    ``se`` is Gwet's linearisation variance (irrCAC ``fleiss.kappa.raw`` / ``bp.coeff.raw``, no finite
    population correction); the interval is ``kappa ± t_{n-1} se`` with the upper end clipped at 1, as irrCAC.
    The p-value is the z test with the Fleiss-Nee-Landis (1979) H0 standard error when every subject has the
    same number of raters and ``method="fleiss"`` (as R ``irr::kappam.fleiss``), else the t test of
    ``kappa / se`` with n-1 df. Both are two-sided by default. A single category, or all ratings in one
    category, give NaN (0/0) with a :class:`~perfeval.errors.DegenerateDataWarning` (statsmodels #4387, #7657).

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin,
       76(5), 378-382.
    .. [2] Fleiss, J. L., Nee, J. C. M., & Landis, J. R. (1979). Large sample variance of kappa in the case of
       different sets of raters. Psychological Bulletin, 86(5), 974-977.
    .. [3] Randolph, J. J. (2005). Free-marginal multirater kappa. Joensuu Learning and Instruction Symposium.
    .. [4] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.

    Examples
    --------
    >>> res = fleiss_kappa([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
    ...                     [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
    ...                     [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    >>> round(res.statistic, 3)
    0.21
    """
    check_choice("method", method, ("fleiss", "randolph"))
    level = check_level(confidence_level)
    check_alternative(alternative)
    if (counts is None) == (data is None):
        raise InputError("pass exactly one of `counts` (subjects x categories) or `data` (long ratings).")
    if counts is not None:
        arr, cats = _check_counts(counts, categories)
    else:
        arr, cats = counts_from_long(data, targets, raters, ratings, categories)
    arr = arr[arr.sum(axis=1) > 0]
    return _fleiss_from_counts(arr, cats, method, level, alternative)


def _fleiss_from_counts(arr: np.ndarray, cats: tuple, method: str, level: float,
                        alternative: str) -> FleissKappaResult:
    n, q = arr.shape
    r = arr.sum(axis=1)
    two = r >= 2
    n2 = int(two.sum())
    nan = math.nan
    per_cat = _per_category(arr, cats)
    if n2 == 0 or q == 0:
        warn_degenerate("fleiss_kappa: no subject has two ratings (all missing or no overlap); kappa is NaN.",
                        stacklevel=4)
        return FleissKappaResult(nan, nan, nan, nan, "t", nan, alternative, n, float(r.mean()) if n else nan,
                                 nan, nan, method, cats, per_cat, level)
    den = np.where(two, r * (r - 1), 1.0)
    pa_i = np.where(two, (arr * (arr - 1)).sum(axis=1) / den, 0.0)
    pa = float(pa_i[two].mean())
    pi = (arr / r[:, None]).mean(axis=0)
    pe = float(np.sum(pi ** 2)) if method == "fleiss" else 1.0 / q
    if not pe < 1.0:
        warn_degenerate("fleiss_kappa: all ratings fall in one category (or a single category is declared); "
                        "kappa is 0/0 = NaN. Gwet's AC1 (gwet_ac) is defined here.", stacklevel=4)
        return FleissKappaResult(nan, nan, nan, nan, "t", nan, alternative, n, float(r.mean()), pa, pe, method,
                                 cats, per_cat, level)
    if n < 2:
        warn_degenerate("fleiss_kappa: a single subject; kappa is defined but its standard error is not (NaN).",
                        stacklevel=4)
    kappa = (pa - pe) / (1.0 - pe)
    # Gwet (2014) / irrCAC fleiss.kappa.raw and bp.coeff.raw: linearised per-subject terms
    kappa_i = (n / n2) * (pa_i - pe * two) / (1.0 - pe)
    if method == "fleiss":
        pe_i = (arr @ pi) / r
        kappa_i = kappa_i - 2.0 * (1.0 - kappa) * (pe_i - pe) / (1.0 - pe)
    var = float(np.sum((kappa_i - kappa) ** 2)) / (n * (n - 1)) if n > 1 else nan
    se = math.sqrt(var) if var == var else nan
    se0 = _fnl_se0(arr, r) if method == "fleiss" else nan
    if se0 == se0 and se0 > 0:
        test, stat = "z", kappa / se0
        pvalue = normal_pvalue(stat, alternative)
    else:
        test, stat = "t", (kappa / se if se and se > 0 else nan)
        pvalue = t_pvalue(stat, n - 1, alternative)
    return FleissKappaResult(kappa, se, se0, stat, test, pvalue, alternative, n, float(r.mean()), pa, pe, method,
                             cats, per_cat, level)


def _fnl_se0(arr: np.ndarray, r: np.ndarray) -> float:
    """Fleiss, Nee & Landis (1979) eq. (12): SE of kappa under H0 for m raters per subject (NaN if unequal)."""
    if len(r) == 0 or np.any(r != r[0]) or r[0] < 2:
        return math.nan
    n, m = arr.shape[0], float(r[0])
    p = arr.sum(axis=0) / (n * m)
    pq = p * (1 - p)
    s = pq.sum()
    if s <= 0:
        return math.nan
    var0 = 2.0 / (n * m * (m - 1)) * (s ** 2 - np.sum(pq * (1 - 2 * p))) / s ** 2
    return math.sqrt(var0) if var0 > 0 else math.nan


def _per_category(arr: np.ndarray, cats: tuple) -> pd.DataFrame:
    """Kappa of each category against the rest (Fleiss 1971, eq. 10), with FNL (1979) H0 test if balanced."""
    n, q = arr.shape
    r = arr.sum(axis=1) if n else np.zeros(0)
    two = r >= 2
    rows = []
    balanced = n > 0 and bool(np.all(r == r[0])) and r[0] >= 2
    for j in range(q):
        x = arr[two, j]
        rr = r[two]
        pj = float((arr[:, j] / np.where(r > 0, r, 1)).mean()) if n else math.nan
        with np.errstate(all="ignore"):
            dis = float(np.mean(2 * x * (rr - x) / (rr * (rr - 1)))) if len(rr) else math.nan
            kj = 1.0 - dis / (2 * pj * (1 - pj)) if 0 < pj < 1 else math.nan
        if balanced:
            m = float(r[0])
            se0 = math.sqrt(2.0 / (n * m * (m - 1)))
            z = kj / se0 if kj == kj else math.nan
            p = normal_pvalue(z, "two-sided")
        else:
            se0 = z = p = math.nan
        rows.append({"category": cats[j], "proportion": pj, "kappa": kj, "se0": se0, "z": z, "pvalue": p})
    return pd.DataFrame(rows, columns=["category", "proportion", "kappa", "se0", "z", "pvalue"])
