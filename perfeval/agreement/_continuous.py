"""Agreement of two continuous measurements: Lin's concordance correlation and Bland-Altman limits."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ._results import ConfidenceInterval, ResultMixin, check_level
from ._util import check_choice, numeric, warn_degenerate

__all__ = ["lin_ccc", "bland_altman", "CCCResult", "BlandAltmanResult"]


def _pairs(x: Any, y: Any, nan_policy: str) -> tuple[np.ndarray, np.ndarray, int]:
    check_choice("nan_policy", nan_policy, ("raise", "omit"))
    a = numeric(np.asarray(x, dtype=object).ravel() if not isinstance(x, pd.Series) else x, "x")
    b = numeric(np.asarray(y, dtype=object).ravel() if not isinstance(y, pd.Series) else y, "y")
    if len(a) != len(b):
        raise InputError(f"`x` and `y` must have the same length; got {len(a)} and {len(b)}.")
    ok = np.isfinite(a) & np.isfinite(b)
    if not ok.all() and nan_policy == "raise":
        raise InputError(f"`x` and `y` must not have missing values; {int((~ok).sum())} pair(s) have one. Pass "
                         "nan_policy='omit' to drop them.")
    return a[ok], b[ok], int((~ok).sum())


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class CCCResult(ResultMixin):
    """Lin's concordance correlation coefficient (returned by :func:`lin_ccc`).

    Attributes
    ----------
    statistic : float
        rho_c (variances with divisor n, Lin 1989).
    pearson_r : float
        Pearson's r (precision).
    bias_correction : float
        C_b = rho_c / r (accuracy: how far the best-fit line is from the 45-degree line).
    scale_shift : float
        v = s_y / s_x.
    location_shift : float
        u = (mean_y - mean_x) / sqrt(s_x s_y).
    se : float
        Asymptotic SE of rho_c (Lin 1989, corrected 2000).
    se_z : float
        SE of z = atanh(rho_c): ``se / (1 - rho_c^2)``.
    n : int
    n_dropped : int
    confidence_level : float

    Examples
    --------
    >>> from perfeval.agreement import lin_ccc
    >>> res = lin_ccc([92, 85, 78, 66, 88, 95], [90, 80, 79, 60, 85, 93])
    >>> res
    CCCResult(statistic=0.93909, pearson_r=0.98022, bias_correction=0.95804, n=6)
    >>> [round(v, 3) for v in res.confidence_interval()]
    [0.721, 0.988]
    """

    statistic: float
    pearson_r: float
    bias_correction: float
    scale_shift: float
    location_shift: float
    se: float
    se_z: float
    n: int
    n_dropped: int
    confidence_level: float = 0.95

    _repr_fields = ("statistic", "pearson_r", "bias_correction", "n")
    _title = "Lin's concordance correlation coefficient"

    def confidence_interval(self, confidence_level: float | None = None,
                            method: str = "z-transform") -> ConfidenceInterval:
        """``"z-transform"`` (default, Lin 1989): tanh(atanh(rho_c) ± z se_z); ``"asymptotic"``: rho_c ± z se."""
        level = check_level(self.confidence_level if confidence_level is None else confidence_level)
        check_choice("method", method, ("z-transform", "asymptotic"))
        z = stats.norm.ppf(0.5 + level / 2)
        if method == "asymptotic":
            return ConfidenceInterval(float(self.statistic - z * self.se), float(self.statistic + z * self.se))
        with np.errstate(all="ignore"):
            t = np.arctanh(self.statistic)
            return ConfidenceInterval(float(np.tanh(t - z * self.se_z)), float(np.tanh(t + z * self.se_z)))

    def to_frame(self) -> pd.DataFrame:
        """One row: ``ccc, ci_low, ci_high`` (z-transform), ``pearson_r, bias_correction, scale_shift,
        location_shift, se, n``."""
        low, high = self.confidence_interval()
        return pd.DataFrame([{"ccc": self.statistic, "ci_low": low, "ci_high": high, "pearson_r": self.pearson_r,
                              "bias_correction": self.bias_correction, "scale_shift": self.scale_shift,
                              "location_shift": self.location_shift, "se": self.se, "n": self.n}])


def lin_ccc(x: Any, y: Any, confidence_level: float = 0.95, *, nan_policy: str = "raise") -> CCCResult:
    """Lin's concordance correlation coefficient of two measurements of the same units.

    Parameters
    ----------
    x, y : array-like
        Paired measurements (e.g. self-evaluation and re-evaluation scores).
    confidence_level : float
    nan_policy : {"raise", "omit"}
        ``"omit"`` drops pairs with a missing value.

    Returns
    -------
    CCCResult

    Notes
    -----
    rho_c = 2 s_xy / (s_x^2 + s_y^2 + (mean_x - mean_y)^2) with **divisor n** in every (co)variance, as Lin
    (1989) and R DescTools/epiR (the divisor n-1 gives a slightly different value). rho_c = r C_b.
    The asymptotic variance (Lin 1989 eq. with the 2000 correction) is
    [(1-r^2) rho_c^2 (1-rho_c^2)/r^2 + 2 rho_c^3 (1-rho_c) u^2/r - rho_c^4 u^4/(2 r^2)] / (n-2), and the
    default interval is built on z = atanh(rho_c) with SE se/(1-rho_c^2).

    References
    ----------
    .. [1] Lin, L. I.-K. (1989). A concordance correlation coefficient to evaluate reproducibility.
       Biometrics, 45, 255-268; (2000) A note on the concordance correlation coefficient. Biometrics, 56,
       324-325.

    Examples
    --------
    >>> wright = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
    >>> mini = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]
    >>> round(lin_ccc(wright, mini).statistic, 6)
    0.942742
    """
    level = check_level(confidence_level)
    a, b, dropped = _pairs(x, y, nan_policy)
    n = len(a)
    nan = math.nan
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        warn_degenerate("lin_ccc: fewer than 3 pairs or a constant measurement; the CCC is NaN.", stacklevel=3)
        return CCCResult(nan, nan, nan, nan, nan, nan, nan, n, dropped, level)
    mx, my = float(a.mean()), float(b.mean())
    sx2, sy2 = float(np.mean((a - mx) ** 2)), float(np.mean((b - my) ** 2))
    sxy = float(np.mean((a - mx) * (b - my)))
    rc = 2 * sxy / (sx2 + sy2 + (mx - my) ** 2)
    r = sxy / math.sqrt(sx2 * sy2)
    v = math.sqrt(sy2 / sx2)                                # scale shift
    u = (my - mx) / (sx2 * sy2) ** 0.25                     # location shift
    cb = 2.0 / (v + 1.0 / v + u ** 2)                       # Lin (1989): rho_c = r C_b, defined even when r = 0
    # Lin (1989, 2000) variance of rho_c, with rho_c / r written as C_b so that r = 0 needs no division
    var = ((1 - r ** 2) * cb ** 2 * (1 - rc ** 2) + 2 * rc ** 2 * cb * (1 - rc) * u ** 2
           - 0.5 * rc ** 2 * cb ** 2 * u ** 4) / (n - 2)
    se = math.sqrt(var) if var > 0 else 0.0
    return CCCResult(rc, r, cb, v, u, se, se / (1 - rc ** 2) if abs(rc) < 1 else nan, n, dropped, level)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class BlandAltmanResult(ResultMixin):
    """Bland-Altman analysis of two measurements (returned by :func:`bland_altman`).

    Attributes
    ----------
    bias : float
        Mean difference d = x - y (positive: x reads higher, e.g. self-evaluation inflation).
    sd : float
        SD of the differences (divisor n-1).
    lower, upper : float
        Limits of agreement ``bias ∓ multiplier · sd``.
    multiplier : float
        1.96 by default; Bland & Altman (1986) used 2.
    slope, intercept, slope_pvalue : float
        Regression of d on the pair means (proportional bias), two-sided t test of slope = 0 (n-2 df).
    n : int
    n_dropped : int
    ci : str
        ``"exact"`` or ``"approximate"``: how the limits' intervals are computed.
    x, y : numpy.ndarray
        The pairs used (kept for plotting).
    confidence_level : float

    Examples
    --------
    >>> from perfeval.agreement import bland_altman
    >>> res = bland_altman([92, 85, 78, 66, 88, 95], [90, 80, 79, 60, 85, 93])
    >>> res
    BlandAltmanResult(bias=2.83333, sd=2.48328, lower=-2.03389, upper=7.70056, n=6)
    >>> [round(v, 2) for v in res.confidence_interval(which="bias")]
    [0.23, 5.44]
    >>> res.to_frame()["quantity"].tolist()
    ['bias', 'lower', 'upper', 'sd', 'proportional_bias_slope']
    """

    bias: float
    sd: float
    lower: float
    upper: float
    multiplier: float
    slope: float
    intercept: float
    slope_pvalue: float
    n: int
    n_dropped: int
    ci: str
    x: np.ndarray
    y: np.ndarray
    confidence_level: float = 0.95

    _repr_fields = ("bias", "sd", "lower", "upper", "n")
    _title = "Bland-Altman limits of agreement"

    @property
    def differences(self) -> np.ndarray:
        """d = x - y per pair."""
        return self.x - self.y

    @property
    def means(self) -> np.ndarray:
        """(x + y) / 2 per pair."""
        return (self.x + self.y) / 2

    def confidence_interval(self, confidence_level: float | None = None, which: str = "bias",
                            method: str | None = None) -> ConfidenceInterval:
        """Interval of ``which`` in {"bias", "lower", "upper"} at ``confidence_level`` (default: the call's).

        The bias interval is ``bias ± t_{n-1} sd/sqrt(n)``. The limits' intervals use ``method`` (default
        the call's ``ci``): ``"exact"`` (Carkeet 2015, non-central t) or ``"approximate"`` (Bland & Altman
        1986, SE = sd sqrt(1/n + multiplier^2/(2n)), t_{n-1} quantile).
        """
        level = check_level(self.confidence_level if confidence_level is None else confidence_level)
        check_choice("which", which, ("bias", "lower", "upper"))
        method = self.ci if method is None else check_choice("method", method, ("exact", "approximate"))
        return _loa_interval(self.bias, self.sd, self.n, self.multiplier, level, which, method)

    def to_frame(self) -> pd.DataFrame:
        """Rows ``bias``, ``lower``, ``upper`` (columns ``quantity, estimate, ci_low, ci_high``) and ``sd`` and
        ``proportional_bias_slope`` (with ``pvalue``)."""
        rows = []
        for which, est in (("bias", self.bias), ("lower", self.lower), ("upper", self.upper)):
            low, high = self.confidence_interval(which=which)
            rows.append({"quantity": which, "estimate": est, "ci_low": low, "ci_high": high, "pvalue": math.nan})
        rows.append({"quantity": "sd", "estimate": self.sd, "ci_low": math.nan, "ci_high": math.nan,
                     "pvalue": math.nan})
        rows.append({"quantity": "proportional_bias_slope", "estimate": self.slope, "ci_low": math.nan,
                     "ci_high": math.nan, "pvalue": self.slope_pvalue})
        return pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_high", "pvalue"])


def _loa_interval(bias: float, sd: float, n: int, mult: float, level: float, which: str,
                  method: str) -> ConfidenceInterval:
    nan = math.nan
    if n < 2 or not np.isfinite(sd):
        return ConfidenceInterval(nan, nan)
    tail = (1 - level) / 2
    tq = stats.t.ppf(1 - tail, n - 1)
    if which == "bias":
        half = tq * sd / math.sqrt(n)
        return ConfidenceInterval(float(bias - half), float(bias + half))
    sign = 1.0 if which == "upper" else -1.0
    limit = bias + sign * mult * sd
    if sd == 0:
        return ConfidenceInterval(limit, limit)
    if method == "approximate":
        half = tq * sd * math.sqrt(1.0 / n + mult ** 2 / (2.0 * n))   # Bland & Altman (1986): sqrt(3 s^2/n) at 2
        return ConfidenceInterval(float(limit - half), float(limit + half))
    # Carkeet (2015): sqrt(n)(theta - dbar)/s ~ non-central t(n-1, mult sqrt(n)) for theta = mu + mult sigma
    nct = stats.nct(n - 1, mult * math.sqrt(n))
    q_low, q_high = nct.ppf(tail), nct.ppf(1 - tail)
    k = sd / math.sqrt(n)
    if which == "upper":
        return ConfidenceInterval(float(bias + k * q_low), float(bias + k * q_high))
    return ConfidenceInterval(float(bias - k * q_high), float(bias - k * q_low))


def bland_altman(x: Any, y: Any, *, multiplier: float = 1.96, confidence_level: float = 0.95, ci: str = "exact",
                 nan_policy: str = "raise") -> BlandAltmanResult:
    """Bland-Altman limits of agreement with their confidence intervals and a proportional-bias test.

    Parameters
    ----------
    x, y : array-like
        Paired measurements; differences are ``x - y`` (pass the self-evaluation as ``x`` and the
        re-evaluation as ``y`` so that a positive bias is inflation).
    multiplier : float
        Limits are ``bias ± multiplier · sd``: 1.96 (default) for 95 % of differences under normality;
        Bland & Altman (1986) used 2.
    confidence_level : float
        Level of the intervals of the bias and of the limits.
    ci : {"exact", "approximate"}
        Intervals of the limits: exact (Carkeet 2015; asymmetric, from the non-central t distribution) or
        Bland & Altman's (1986) large-sample approximation SE = sd sqrt(1/n + multiplier^2/(2n)), i.e.
        sqrt(3 sd^2/n) for multiplier 2 (pingouin and BlandAltmanLeh use sqrt(3 sd^2/n) whatever the
        multiplier; blandr uses 2(n-1) in place of 2n as Bland & Altman 1999).
    nan_policy : {"raise", "omit"}

    Returns
    -------
    BlandAltmanResult

    Notes
    -----
    bias = mean(d), sd = SD(d) with divisor n-1; bias interval ``bias ± t_{n-1} sd/sqrt(n)``. The exact
    interval of the upper limit is ``bias + sd/sqrt(n) · [t'_{a/2}, t'_{1-a/2}]`` with t' the quantiles of the
    non-central t distribution with n-1 df and non-centrality multiplier·sqrt(n) (the lower limit mirrors
    it): each limit is treated as a normal percentile on its own (Carkeet's one-sided tolerance factors, as
    the approximate method does). Carkeet also tabulates intervals for the two limits taken as a pair
    (two-sided tolerance factors), which are wider; they are not computed here.

    Proportional bias: OLS of d on (x+y)/2; a slope significantly different from 0 means the
    differences grow with the magnitude (consider log ratios).

    References
    ----------
    .. [1] Bland, J. M., & Altman, D. G. (1986). Statistical methods for assessing agreement between two
       methods of clinical measurement. The Lancet, 327(8476), 307-310.
    .. [2] Bland, J. M., & Altman, D. G. (1999). Measuring agreement in method comparison studies.
       Statistical Methods in Medical Research, 8(2), 135-160.
    .. [3] Carkeet, A. (2015). Exact parametric confidence intervals for Bland-Altman limits of agreement.
       Optometry and Vision Science, 92(3), e71-e80.

    Examples
    --------
    >>> wright = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
    >>> mini = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]
    >>> res = bland_altman(wright, mini)
    >>> round(res.bias, 4), round(res.lower, 2), round(res.upper, 2)
    (-2.1176, -78.1, 73.86)
    """
    level = check_level(confidence_level)
    check_choice("ci", ci, ("exact", "approximate"))
    try:
        mult = float(multiplier)
    except (TypeError, ValueError):
        mult = math.nan
    if not mult > 0:
        raise InputError(f"`multiplier` must be a positive number; got {multiplier!r}.")
    a, b, dropped = _pairs(x, y, nan_policy)
    n = len(a)
    nan = math.nan
    d = a - b
    if n < 2:
        warn_degenerate("bland_altman: fewer than 2 pairs; the SD and the limits are NaN.", stacklevel=3)
        bias = float(d.mean()) if n else nan
        return BlandAltmanResult(bias, nan, nan, nan, mult, nan, nan, nan, n, dropped, ci, a, b, level)
    bias, sd = float(d.mean()), float(d.std(ddof=1))
    means = (a + b) / 2
    if np.ptp(means) > 0 and n >= 3:
        reg = stats.linregress(means, d)
        slope, intercept, p = float(reg.slope), float(reg.intercept), float(reg.pvalue)
    else:
        slope = intercept = p = nan
    if sd == 0:
        warn_degenerate("bland_altman: all differences are identical; the limits collapse on the bias.",
                        stacklevel=3)
    return BlandAltmanResult(bias, sd, bias - mult * sd, bias + mult * sd, mult, slope, intercept, p, n, dropped,
                             ci, a, b, level)
