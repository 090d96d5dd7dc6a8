"""Intraclass correlation coefficients: the six Shrout-Fleiss / McGraw-Wong forms from one vectorised ANOVA."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from ..columns import RATER_ID, RATING, UNIT_ID
from ..errors import InputError
from ._results import ConfidenceInterval, ResultMixin, check_level
from ._util import check_choice, pivot, warn_degenerate

__all__ = ["icc", "ICCResult", "ICC_FORMS"]

#: the six forms, in the order of ``ICCResult.to_frame()`` (McGraw & Wong 1996 names, as pingouin >= 0.6.1)
ICC_FORMS: tuple[str, ...] = ("ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)")
_DESCRIPTIONS = {
    "ICC(1,1)": "one-way random, single rater (Shrout-Fleiss ICC1)",
    "ICC(A,1)": "two-way, absolute agreement, single rater (ICC2)",
    "ICC(C,1)": "two-way, consistency, single rater (ICC3)",
    "ICC(1,k)": "one-way random, mean of k raters (ICC1k)",
    "ICC(A,k)": "two-way, absolute agreement, mean of k raters (ICC2k)",
    "ICC(C,k)": "two-way, consistency, mean of k raters (ICC3k)",
}


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ICCResult(ResultMixin):
    """Intraclass correlations of one targets x raters design (returned by :func:`icc`).

    Attributes
    ----------
    n_targets, n_raters : int
        Targets and raters of the two-way analysis (complete targets only under ``method="anova"``; every
        target and rater with a rating under ``method="variance_components"``).
    n_targets_oneway, n_ratings_oneway : int
        Targets and ratings of the one-way analysis (every target with at least one rating under
        ``nan_policy="omit"``; the same targets as the two-way analysis when the data are complete).
    k_oneway : float
        Raters per target of the one-way forms: ``k`` when balanced, else Searle's
        ``k0 = (N - sum n_i^2 / N) / (n - 1)``.
    ms_targets, ms_within, ms_raters, ms_error : float
        Two-way ANOVA mean squares (Shrout-Fleiss BMS, WMS, JMS, EMS).
    ms_targets_oneway, ms_within_oneway : float
        One-way ANOVA mean squares used by ICC(1,1) and ICC(1,k).
    n_dropped_targets : int
        Incomplete targets left out of the two-way forms.
    confidence_level : float
        Level of the intervals of :meth:`to_frame`.
    method : str
        Estimator of the two-way forms: ``"anova"`` (the mean squares of the complete or listwise-complete
        targets) or ``"variance_components"`` (Henderson's method I on every rating, ``incomplete=
        "variance_components"`` with missing ratings; the two-way mean-square fields are then NaN).
    var_targets, var_raters, var_residual : float
        Variance components of the two-way random model behind the two-way forms of the
        ``"variance_components"`` path (NaN under ``"anova"``).
    k_mean : float
        Mean number of ratings per target (``N / n``), the ``k`` of ICC(A,k) and ICC(C,k) on the
        ``"variance_components"`` path (NaN under ``"anova"``).

    Examples
    --------
    Panel ratings of one node of the sample province's key evaluations (8 projects, 7 experts):

    >>> import perfeval as pe
    >>> panel = pe.load_sample().panel
    >>> res = pe.agreement.icc(panel[panel["node_code"] == "decision.approval.basis"], ratings="score")
    >>> round(float(res.statistic["ICC(A,1)"]), 3), [round(v, 3) for v in res.confidence_interval(form="ICC(A,1)")]
    (0.768, [0.532, 0.937])
    >>> res.to_frame()["type"].tolist()
    ['ICC(1,1)', 'ICC(A,1)', 'ICC(C,1)', 'ICC(1,k)', 'ICC(A,k)', 'ICC(C,k)']
    """

    n_targets: int
    n_raters: int
    n_targets_oneway: int
    n_ratings_oneway: int
    k_oneway: float
    ms_targets: float
    ms_within: float
    ms_raters: float
    ms_error: float
    ms_targets_oneway: float
    ms_within_oneway: float
    n_dropped_targets: int
    confidence_level: float = 0.95
    method: str = "anova"
    var_targets: float = math.nan
    var_raters: float = math.nan
    var_residual: float = math.nan
    k_mean: float = math.nan

    _repr_fields = ("n_targets", "n_raters")
    _title = "Intraclass correlation coefficients"

    def __repr__(self) -> str:
        vals = ", ".join(f"{f}={v:.4g}" for f, v in self.statistic.items())
        return f"ICCResult(n_targets={self.n_targets}, n_raters={self.n_raters}, {vals})"

    def _rows(self, level: float) -> list[tuple]:
        alpha = 1.0 - check_level(level)
        n, k = self.n_targets, self.n_raters
        one = _oneway_rows(self.ms_targets_oneway, self.ms_within_oneway, self.n_targets_oneway,
                           self.n_ratings_oneway, self.k_oneway, alpha)
        if self.method == "variance_components":
            two = _vc_rows(self.var_targets, self.var_raters, self.var_residual, n, self.k_mean)
        else:
            two = _twoway_rows(self.ms_targets, self.ms_raters, self.ms_error, n, k, alpha)
        return [one[0], two[0], two[1], one[1], two[2], two[3]]

    def to_frame(self, confidence_level: float | None = None) -> pd.DataFrame:
        """One row per form.

        Returns
        -------
        pandas.DataFrame
            ``type`` (form name), ``description``, ``icc``, ``f`` (F statistic), ``df1``, ``df2``, ``pvalue``
            (one-sided F test of H0: ICC = 0), ``ci_low``, ``ci_high`` (at ``confidence_level``, default the
            level given to :func:`icc`), ``n_targets`` and ``k`` (raters per target; Searle's k0 for the
            unbalanced one-way forms; the mean ratings per target for the two-way forms under
            ``method="variance_components"``, whose ``f`` to ``pvalue`` and interval columns are NaN).
        """
        level = self._level(confidence_level)
        columns = list(zip(*self._rows(level)))
        frame = {"type": list(ICC_FORMS), "description": [_DESCRIPTIONS[f] for f in ICC_FORMS]}
        for name, values in zip(("icc", "f", "df1", "df2", "pvalue", "ci_low", "ci_high", "n_targets", "k"),
                                columns):
            frame[name] = np.array(values)
        return pd.DataFrame(frame)

    @property
    def statistic(self) -> pd.Series:
        """The six ICC values, indexed by form name."""
        return pd.Series([r[0] for r in self._rows(self.confidence_level)], index=list(ICC_FORMS), name="icc")

    @property
    def pvalue(self) -> pd.Series:
        """p-values of the F tests of H0: ICC = 0, indexed by form name."""
        return pd.Series([r[4] for r in self._rows(self.confidence_level)], index=list(ICC_FORMS),
                         name="pvalue")

    def confidence_interval(self, confidence_level: float | None = None,
                            form: str | None = None) -> ConfidenceInterval:
        """Interval at ``confidence_level`` (default: the level given to :func:`icc`).

        With ``form`` (e.g. ``"ICC(A,1)"``) the ends are floats; without it they are Series indexed by form.
        """
        level = self._level(confidence_level)
        rows = self._rows(level)
        low = pd.Series([r[5] for r in rows], index=list(ICC_FORMS), name="ci_low")
        high = pd.Series([r[6] for r in rows], index=list(ICC_FORMS), name="ci_high")
        if form is None:
            return ConfidenceInterval(low, high)
        check_choice("form", form, ICC_FORMS)
        return ConfidenceInterval(float(low[form]), float(high[form]))


def _fq(q: float, d1: float, d2: float) -> float:
    """Quantile ``q`` of F(d1, d2) (NaN unless both df are positive); ``scipy.special.fdtri``, which is what
    ``scipy.stats.f.ppf`` evaluates, without the distribution-object overhead."""
    return float(special.fdtri(d1, d2, q)) if d1 > 0 and d2 > 0 else math.nan


def _fsf(f: float, d1: float, d2: float) -> float:
    """Upper tail of F(d1, d2) at ``f`` (``scipy.special.fdtrc``, as ``scipy.stats.f.sf``)."""
    return float(special.fdtrc(d1, d2, f)) if np.isfinite(f) and d1 > 0 and d2 > 0 else math.nan


def _oneway_rows(msb: float, msw: float, n: int, n_ratings: int, k: float, alpha: float) -> list[tuple]:
    # Shrout & Fleiss (1979) eqs. for ICC(1,1) and ICC(1,k); k -> Searle's k0 when unbalanced (Donner 1986)
    df1, df2 = n - 1, n_ratings - n
    msb, msw = np.float64(msb), np.float64(msw)       # numpy division: 0/0 -> NaN, not ZeroDivisionError
    with np.errstate(all="ignore"):
        f = msb / msw if df1 > 0 and df2 > 0 else math.nan
        single = (msb - msw) / (msb + (k - 1) * msw) if df1 > 0 and df2 > 0 else math.nan
        average = (msb - msw) / msb if df1 > 0 and df2 > 0 else math.nan
        p = _fsf(f, df1, df2)
        f_low = f / _fq(1 - alpha / 2, df1, df2)
        f_up = f * _fq(1 - alpha / 2, df2, df1)
        rows = [
            (single, f, df1, df2, p, (f_low - 1) / (f_low + k - 1), (f_up - 1) / (f_up + k - 1), n, k),
            (average, f, df1, df2, p, 1 - 1 / f_low, 1 - 1 / f_up, n, k),
        ]
    return [tuple(float(v) if isinstance(v, (float, np.floating)) else v for v in row) for row in rows]


def _twoway_rows(msr: float, msc: float, mse: float, n: int, k: int, alpha: float) -> list[tuple]:
    # McGraw & Wong (1996) Table 4 / Shrout & Fleiss (1979); F = MSR/MSE with df2 = (n-1)(k-1) as psych/pingouin
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ok = df1 > 0 and df2 > 0
    msr, msc, mse = np.float64(msr), np.float64(msc), np.float64(mse)
    with np.errstate(all="ignore"):
        f = msr / mse if ok else math.nan
        p = _fsf(f, df1, df2)
        icc_a1 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n) if ok else math.nan
        icc_c1 = (msr - mse) / (msr + (k - 1) * mse) if ok else math.nan
        icc_ak = (msr - mse) / (msr + (msc - mse) / n) if ok else math.nan
        icc_ck = (msr - mse) / msr if ok else math.nan
        # consistency forms: exact F intervals
        f_low = f / _fq(1 - alpha / 2, df1, df2)
        f_up = f * _fq(1 - alpha / 2, df2, df1)
        c1 = ((f_low - 1) / (f_low + k - 1), (f_up - 1) / (f_up + k - 1))
        ck = (1 - 1 / f_low, 1 - 1 / f_up)
        # absolute-agreement forms: McGraw & Wong (1996) eq. for v (Satterthwaite df), as psych / pingouin
        fj = msc / mse
        a = icc_a1
        vn = (k - 1) * (n - 1) * (k * a * fj + n * (1 + (k - 1) * a) - k * a) ** 2
        vd = (n - 1) * k ** 2 * a ** 2 * fj ** 2 + (n * (1 + (k - 1) * a) - k * a) ** 2
        v = vn / vd
        f2u = _fq(1 - alpha / 2, n - 1, v) if np.isfinite(v) else math.nan
        f2l = _fq(1 - alpha / 2, v, n - 1) if np.isfinite(v) else math.nan
        low_a1 = n * (msr - f2u * mse) / (f2u * (k * msc + (k * n - k - n) * mse) + n * msr)
        up_a1 = n * (f2l * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2l * msr)
        ak = (low_a1 * k / (1 + low_a1 * (k - 1)), up_a1 * k / (1 + up_a1 * (k - 1)))
    rows = [
        (icc_a1, f, df1, df2, p, low_a1, up_a1, n, k),
        (icc_c1, f, df1, df2, p, *c1, n, k),
        (icc_ak, f, df1, df2, p, *ak, n, k),
        (icc_ck, f, df1, df2, p, *ck, n, k),
    ]
    return [tuple(float(v) if isinstance(v, (float, np.floating)) else v for v in row) for row in rows]


def _vc_rows(va: float, vb: float, ve: float, n: int, k: float) -> list[tuple]:
    """Two-way forms from the variance components (targets, raters, residual); no F test or interval."""
    nan = math.nan
    va, vb, ve = np.float64(va), np.float64(vb), np.float64(ve)
    with np.errstate(all="ignore"):
        vals = (va / (va + vb + ve), va / (va + ve), va / (va + (vb + ve) / k), va / (va + ve / k))
    return [(float(v), nan, nan, nan, nan, nan, nan, n, float(k)) for v in vals]


def _henderson_vc(y: np.ndarray) -> tuple[float, float, float, int, int, int]:
    """Henderson's method I for the two-way crossed random model without interaction, y_ij = mu + a_i + b_j + e_ij,
    on an n x k matrix with NaN for the missing cells (at most one rating per cell).

    Returns (var_targets, var_raters, var_residual, n, k, N) over the targets and raters with a rating. The
    quadratic forms SST = sum (y - ybar)^2, SSA = sum_i n_i (ybar_i - ybar)^2 and SSB = sum_j n_j (ybar_j - ybar)^2
    are equated to their expectations (Searle, Casella & McCulloch 1992, sec. 5.3; n_ij in {0, 1}):

    - E SST = (N - k1) s2a + (N - k2) s2b + (N - 1) s2e
    - E SSA = (N - k1) s2a + (n - k2) s2b + (n - 1) s2e
    - E SSB = (k - k1) s2a + (N - k2) s2b + (k - 1) s2e

    with k1 = sum n_i^2 / N and k2 = sum n_j^2 / N. On complete data these are the two-way ANOVA estimators
    s2e = MSE, s2a = (MSR - MSE)/k, s2b = (MSC - MSE)/n. Estimates are not truncated at 0 (like the ANOVA forms).
    NaN when n < 2, k < 2 or no residual degrees of freedom (N <= n + k - 1).
    """
    present = ~np.isnan(y)
    y = y[present.any(axis=1)][:, present.any(axis=0)]
    present = ~np.isnan(y)
    n, k = y.shape
    total = int(present.sum())
    nan = math.nan
    if n < 2 or k < 2 or total <= n + k - 1:
        return nan, nan, nan, n, k, total
    ni, nj = present.sum(axis=1).astype(float), present.sum(axis=0).astype(float)
    filled = np.where(present, y, 0.0)
    gm = filled.sum() / total
    dev = np.where(present, y - gm, 0.0)
    sst = float(np.sum(dev ** 2))
    ssa = float(np.sum(dev.sum(axis=1) ** 2 / ni))
    ssb = float(np.sum(dev.sum(axis=0) ** 2 / nj))
    k1, k2 = float(ni @ ni) / total, float(nj @ nj) / total
    coef = np.array([[total - k1, total - k2, total - 1.0],
                     [total - k1, n - k2, n - 1.0],
                     [k - k1, total - k2, k - 1.0]])
    try:
        va, vb, ve = np.linalg.solve(coef, np.array([sst, ssa, ssb]))
    except np.linalg.LinAlgError:       # a singular system: the components are not identified
        return nan, nan, nan, n, k, total
    return float(va), float(vb), float(ve), n, k, total


def _sum_squares(x: np.ndarray) -> float:
    """``sum(x ** 2)`` of a 1-D array without a temporary, in NumPy's own loop rather than BLAS ``ddot``: a
    multithreaded BLAS wakes its threads for a long vector, which on shared cores costs tens of milliseconds
    (measured: 20 ms for 40,000 values, against 0.1 ms here)."""
    return float(np.einsum("i,i->", x, x))


def _twoway_ms(y: np.ndarray, overwrite: bool = False) -> tuple[float, float, float, float]:
    """(MSR, MSW, MSC, MSE) of a complete n x k matrix; residuals are formed directly (no cancellation).

    The work is done in place on the k x n transpose, one contiguous row per rater (``y`` as returned by
    :func:`pivot` is laid out that way); ``overwrite=True`` lets it use ``y``'s memory instead of a copy. Only
    one temporary of n values is allocated: on large designs the cost is memory traffic, not arithmetic.
    """
    n, k = y.shape
    if n == 0 or k == 0:
        return (math.nan,) * 4
    r = y.T if overwrite and y.T.flags.c_contiguous else np.array(y.T, order="C")
    r -= r.flat[0]                             # shift-invariant; constant data become exact zeros
    rater_dev = r.sum(axis=1) / n              # rater means (k values)
    gm = float(rater_dev.sum()) / k
    rater_dev -= gm                            # rater effects
    target_dev = r.sum(axis=0)                 # target sums -> target effects, in place
    target_dev /= k
    target_dev -= gm
    ssr = k * _sum_squares(target_dev)
    ssc = n * _sum_squares(rater_dev)
    r -= target_dev                            # y - target mean + gm
    r -= gm                                    # within-target deviations
    flat = r.ravel()
    ssw = _sum_squares(flat)
    r -= rater_dev[:, None]                    # minus the rater effects: residuals
    sse = _sum_squares(flat)
    with np.errstate(all="ignore"):
        return (ssr / (n - 1) if n > 1 else math.nan, ssw / (n * (k - 1)) if k > 1 else math.nan,
                ssc / (k - 1) if k > 1 else math.nan,
                sse / ((n - 1) * (k - 1)) if n > 1 and k > 1 else math.nan)


def _oneway_ms(y: np.ndarray) -> tuple[float, float, int, int, float]:
    """Unbalanced one-way ANOVA over the rows of ``y`` (NaN = missing): (MSB, MSW, n, N, k0)."""
    present = ~np.isnan(y)
    counts = present.sum(axis=1)
    keep = counts > 0
    y, present, counts = y[keep], present[keep], counts[keep]
    n, total = int(len(counts)), int(counts.sum())
    if n == 0:
        return math.nan, math.nan, 0, 0, math.nan
    filled = np.where(present, y, 0.0)
    means = filled.sum(axis=1) / counts
    gm = filled.sum() / total
    ssb = float(np.sum(counts * (means - gm) ** 2))
    ssw = float(np.sum(np.where(present, y - means[:, None], 0.0) ** 2))
    with np.errstate(all="ignore"):
        k0 = (total - np.sum(counts.astype(float) ** 2) / total) / (n - 1) if n > 1 else float(counts[0])
        msb = ssb / (n - 1) if n > 1 else math.nan
        msw = ssw / (total - n) if total > n else math.nan
    return msb, msw, n, total, float(k0)


def icc(data: pd.DataFrame, targets: str = UNIT_ID, raters: str = RATER_ID, ratings: str = RATING,
        nan_policy: str = "raise", confidence_level: float = 0.95, incomplete: str = "listwise") -> ICCResult:
    """Intraclass correlation coefficients: the six Shrout-Fleiss / McGraw-Wong forms with F tests and CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Long ratings, one row per (target, rater) pair. A pair that occurs twice is an error.
    targets, raters, ratings : str
        Column names (defaults ``unit_id``, ``rater_id``, ``rating``). Ratings must be numbers.
    nan_policy : {"raise", "omit", "propagate"}
        What to do with a missing rating (NaN, or a (target, rater) pair absent from the long frame).
        ``"raise"``: refuse. ``"omit"``: the two-way forms use the targets rated by every rater (listwise
        deletion, as pingouin); the one-way forms use every rating of every target, through the unbalanced
        one-way ANOVA (targets may have unequal numbers of ratings). ``"propagate"``: every result is NaN.
    confidence_level : float
        Level of the intervals in :meth:`ICCResult.to_frame` (default 0.95).
    incomplete : {"listwise", "variance_components"}
        Two-way forms when ``nan_policy="omit"`` meets missing ratings. ``"listwise"`` (default): the ANOVA of
        the targets rated by every rater. ``"variance_components"``: the variance components of the two-way
        random model estimated on every rating (Henderson's method I, see Notes); ``method`` of the result
        says which was used. Complete data always take the ANOVA (the two coincide there).

    Returns
    -------
    ICCResult
        ``to_frame()`` has one row per form, in the order ``ICC(1,1) ICC(A,1) ICC(C,1) ICC(1,k) ICC(A,k)
        ICC(C,k)``, with the columns ``type, description, icc, f, df1, df2, pvalue, ci_low, ci_high, n_targets,
        k``.

    Notes
    -----
    With ``n`` targets, ``k`` raters and the ANOVA mean squares MSR (between targets), MSW (within targets),
    MSC (between raters) and MSE (residual) [1]_ [2]_:

    - ICC(1,1) = (MSR - MSW) / (MSR + (k-1) MSW);  ICC(1,k) = (MSR - MSW) / MSR
    - ICC(A,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n);  ICC(A,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)
    - ICC(C,1) = (MSR - MSE) / (MSR + (k-1) MSE);  ICC(C,k) = (MSR - MSE) / MSR

    **p-values.** All tests are one-sided F tests of H0: ICC = 0. The one-way forms use F = MSR/MSW with
    df = (n-1, n(k-1)). The A and C forms use F = MSR/MSE with df2 = (n-1)(k-1), as R ``psych`` and pingouin
    report it; R ``irr`` tests ICC(A,1) with the Satterthwaite df instead (e.g. F(19, 39.7) rather than
    F(19, 38)), which gives slightly different p-values.

    **Intervals.** F-distribution intervals of McGraw & Wong (1996); the A forms use their Satterthwaite
    degrees of freedom ``v``, as psych and pingouin (which fix the level at 95 %; here it is an argument).

    **Unbalanced one-way forms** (``nan_policy="omit"`` with missing ratings): MSR and MSW come from the
    unbalanced one-way ANOVA and ``k`` is replaced by Searle's ``k0 = (N - sum n_i^2/N)/(n-1)``, with
    df = (n-1, N-n) (Donner 1986).

    **Incomplete designs** (``incomplete="variance_components"``). When not every rater rates every target, the
    two-way random model y_ij = mu + a_i + b_j + e_ij (all three random) is fitted to all N ratings by Henderson's
    method I (equating SST, the between-target and the between-rater sums of squares to their expectations;
    Searle, Casella & McCulloch 1992 [4]_), as ten Hove, Jorgensen & van der Ark (2022) [5]_ recommend for
    incomplete observational designs; the estimators are unbiased under the model and reduce exactly to the
    ANOVA ones on complete data. Then ICC(A,1) = s2a / (s2a + s2b + s2e), ICC(C,1) = s2a / (s2a + s2e),
    ICC(A,k) = s2a / (s2a + (s2b + s2e)/k), ICC(C,k) = s2a / (s2a + s2e/k), with k = N/n the **mean** number of
    ratings per target. No F test or interval is derived for this path: those columns are NaN. The one-way
    forms are unchanged. Needs at least 2 targets and 2 raters with ratings and N > n + k - 1.

    Degenerate data (a single target or rater, all ratings identical, no complete target) give NaN where the
    formula is 0/0 and a :class:`~perfeval.errors.DegenerateDataWarning`.

    **Speed.** The ANOVA is a few vectorised passes over a raters x targets array. Integer ids laid out as
    :func:`to_long` returns them (targets 0..n-1, each followed by raters 0..k-1) are recognised and used as they
    are; any other ids are hashed once (:func:`pandas.factorize`). ``data`` is never modified.

    References
    ----------
    .. [1] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
       Psychological Bulletin, 86(2), 420-428.
    .. [2] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
       coefficients. Psychological Methods, 1(1), 30-46.
    .. [3] Donner, A. (1986). A review of inference procedures for the intraclass correlation coefficient in
       the one-way random effects model. International Statistical Review, 54(1), 67-82.
    .. [4] Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance Components*. Wiley (ch. 5,
       Henderson's method I for unbalanced crossed classifications).
    .. [5] ten Hove, D., Jorgensen, T. D., & van der Ark, L. A. (2022). Updated guidelines on selecting an
       intraclass correlation coefficient for interrater reliability, with applications to incomplete
       observational designs. Psychological Methods. https://doi.org/10.1037/met0000516

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.agreement import icc, to_long
    >>> sf = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> res = icc(to_long(sf, rows="unit"))
    >>> round(float(res.statistic["ICC(A,1)"]), 4)
    0.2898
    """
    check_choice("nan_policy", nan_policy, ("raise", "omit", "propagate"))
    check_choice("incomplete", incomplete, ("listwise", "variance_components"))
    level = check_level(confidence_level)
    y, _, _ = pivot(data, targets, raters, ratings)
    n_all, k = y.shape
    missing = np.isnan(y)
    any_missing = bool(missing.any())
    if any_missing and nan_policy == "raise":
        raise InputError(f"`data` must have a rating for every (target, rater) pair; {int(missing.sum())} of "
                         f"{y.size} are missing. Pass nan_policy='omit' to drop incomplete targets (the one-way "
                         "forms then use every rating), or fill them first.")
    if any_missing and nan_policy == "propagate":
        nan = math.nan
        return ICCResult(n_all, k, n_all, int((~missing).sum()), nan, nan, nan, nan, nan, nan, nan, 0, level)
    if any_missing and incomplete == "variance_components":
        return _icc_variance_components(y, level)
    if any_missing:
        complete = ~missing.any(axis=1)
        # complete targets, kept as the transpose of a C-contiguous raters x targets array (see _twoway_ms)
        yc = np.array(y.T[:, complete]).T
        msb1, msw1, n1, total1, k0 = _oneway_ms(y)
    else:
        yc = y
    _warn_icc(yc, k, any_missing and bool(missing.all()) or y.size == 0, n_all)
    msr, msw, msc, mse = _twoway_ms(yc, overwrite=True)     # yc is ours (pivot copies): reuse its memory
    if not any_missing:
        msb1, msw1, n1, total1, k0 = msr, msw, yc.shape[0], yc.size, float(k)
    return ICCResult(int(yc.shape[0]), int(k), n1, total1, k0, msr, msw, msc, mse, msb1, msw1,
                     int(n_all - yc.shape[0]), level)


def _icc_variance_components(y: np.ndarray, level: float) -> ICCResult:
    """``icc`` on incomplete data with the two-way forms from Henderson's method I (see :func:`_henderson_vc`)."""
    msb1, msw1, n1, total1, k0 = _oneway_ms(y)
    va, vb, ve, n, k, total = _henderson_vc(y)
    if total == 0:
        warn_degenerate("icc: all ratings are missing; every ICC is NaN.", stacklevel=4)
    elif n < 2 or k < 2:
        warn_degenerate("icc: fewer than 2 rated targets or raters; the two-way forms are NaN.", stacklevel=4)
    elif not np.isfinite(ve):
        warn_degenerate("icc: no residual degrees of freedom (N <= n + k - 1); the two-way forms are NaN.",
                        stacklevel=4)
    elif va == vb == ve == 0:
        warn_degenerate("icc: all ratings are identical; the ICCs are 0/0 = NaN.", stacklevel=4)
    nan = math.nan
    return ICCResult(n, k, n1, total1, k0, nan, nan, nan, nan, msb1, msw1, 0, level, method="variance_components",
                     var_targets=va, var_raters=vb, var_residual=ve, k_mean=total / n if n else nan)


def _warn_icc(yc: np.ndarray, k: int, all_missing: bool, n_all: int) -> None:
    if all_missing:
        warn_degenerate("icc: all ratings are missing; every ICC is NaN.", stacklevel=4)
    elif yc.shape[0] == 0:
        warn_degenerate("icc: no target is rated by every rater (no overlap); the two-way forms are NaN.",
                        stacklevel=4)
    elif k < 2:
        warn_degenerate("icc: a single rater; every ICC is NaN.", stacklevel=4)
    elif yc.shape[0] < 2:
        also = " and so are the one-way forms (one target in all)" if n_all < 2 else ""
        warn_degenerate(f"icc: a single complete target; the two-way forms are NaN{also}.", stacklevel=4)
    elif yc.max() == yc.min():
        warn_degenerate("icc: all ratings are identical; the ICCs are 0/0 = NaN.", stacklevel=4)
