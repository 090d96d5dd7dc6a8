"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, in memory linear in the number of ratings.

Every level is computed from two ingredients, never from a values x values matrix:

- per unit u with m_u pairable values, ``D_u``: the sum of the distances over the ordered pairs of its values;
- per distinct value k with n_k pairable occurrences, ``e_k = sum_l n_l delta(k, l)``: its summed distance to
  the pooled values.

Then ``D_o = (1/N) sum_u D_u / (m_u - 1)``, ``D_e = sum_k n_k e_k / (N (N - 1))`` and ``alpha = 1 - D_o/D_e``
(Krippendorff 2011), which is the coincidence-matrix computation rearranged. For the squared-difference metric
(interval) both ingredients are sums of squares around means. The ordinal metric of Krippendorff is the
interval metric applied to the cumulative-frequency positions ``M_k = sum_{g<k} n_g + n_k/2`` of the values
(``(sum_{g=c..k} n_g - (n_c + n_k)/2)^2 = (M_k - M_c)^2``), so it is linear too, and a declared category that
nobody used (n = 0) changes nothing. The ratio metric ``((c - k)/(c + k))^2`` has no such decomposition: e_k is
summed exactly over the distinct values in blocks (memory linear, time quadratic in the distinct values).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..columns import RATER_ID, RATING, UNIT_ID
from ..errors import InputError
from ._results import ConfidenceInterval, ResultMixin, check_alternative, check_level, t_interval, t_pvalue
from ._util import check_choice, encode_categories, factorize, numeric, require_frame, warn_degenerate

__all__ = ["krippendorff_alpha", "AlphaResult"]

_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_BLOCK_CELLS = 1 << 17   # cells per block of the ratio metric (1 MiB of float64 per temporary: stays in cache)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class AlphaResult(ResultMixin):
    """Krippendorff's alpha (returned by :func:`krippendorff_alpha`).

    Attributes
    ----------
    statistic : float
        Alpha.
    level : str
        Level of measurement (metric).
    d_observed, d_expected : float
        Observed and expected disagreement (alpha = 1 - d_observed / d_expected).
    n_units : int
        Pairable units (two or more ratings).
    n_units_rated : int
        Units with at least one rating (irrCAC's n for the t quantile).
    n_values : int
        Pairable values N (the total of the coincidence matrix).
    se : float
        Gwet's (2014) linearisation standard error (irrCAC ``krippen.alpha.raw``), with the metric's distances
        as weights.
    tstatistic, pvalue : float
        ``statistic / se`` and its Student-t p-value with ``n_units_rated - 1`` df for ``alternative``.
    alternative : str
    bootstrap_distribution : numpy.ndarray or None
        Alphas of the unit bootstrap, when requested.
    confidence_level : float

    Examples
    --------
    Panel ratings of one node of the sample province's key evaluations:

    >>> import perfeval as pe
    >>> panel = pe.load_sample().panel
    >>> one = panel[panel["node_code"] == "decision.approval.basis"]
    >>> pe.agreement.krippendorff_alpha(one, ratings="score", level="interval")
    AlphaResult(statistic=0.743911, level='interval', n_units=8, se=0.101492)
    """

    statistic: float
    level: str
    d_observed: float
    d_expected: float
    n_units: int
    n_units_rated: int
    n_values: int
    se: float
    tstatistic: float
    pvalue: float
    alternative: str
    bootstrap_distribution: np.ndarray | None = None
    confidence_level: float = 0.95

    _repr_fields = ("statistic", "level", "n_units", "se")
    _title = "Krippendorff's alpha"

    def confidence_interval(self, confidence_level: float | None = None,
                            method: str | None = None) -> ConfidenceInterval:
        """Interval at ``confidence_level`` (default: the call's level).

        ``method="bootstrap"`` (the default when a bootstrap was run): percentile interval of the unit
        bootstrap. ``method="gwet"``: ``alpha ± t_{n-1} se``, upper end clipped at 1 (irrCAC).
        """
        level = check_level(self.confidence_level if confidence_level is None else confidence_level)
        if method is None:
            method = "bootstrap" if self.bootstrap_distribution is not None else "gwet"
        check_choice("method", method, ("bootstrap", "gwet"))
        if method == "gwet":
            return t_interval(self.statistic, self.se, self.n_units_rated - 1, level, upper_bound=1.0)
        if self.bootstrap_distribution is None:
            raise InputError("`method='bootstrap'` needs a bootstrap: call krippendorff_alpha(..., "
                             "n_resamples=1000, rng=seed).")
        boot = self.bootstrap_distribution[np.isfinite(self.bootstrap_distribution)]
        if boot.size == 0:
            return ConfidenceInterval(math.nan, math.nan)
        tail = (1 - level) / 2
        low, high = np.quantile(boot, [tail, 1 - tail])
        return ConfidenceInterval(float(low), float(high))

    def to_frame(self) -> pd.DataFrame:
        """One row: ``level, alpha, d_observed, d_expected, se, ci_low, ci_high, ci_method, t, pvalue,
        n_units, n_units_rated, n_values``."""
        method = "bootstrap" if self.bootstrap_distribution is not None else "gwet"
        low, high = self.confidence_interval(method=method)
        return pd.DataFrame([{"level": self.level, "alpha": self.statistic, "d_observed": self.d_observed,
                              "d_expected": self.d_expected, "se": self.se, "ci_low": low, "ci_high": high,
                              "ci_method": method, "t": self.tstatistic, "pvalue": self.pvalue,
                              "n_units": self.n_units, "n_units_rated": self.n_units_rated,
                              "n_values": self.n_values}])


@dataclass(frozen=True, slots=True)
class _Incidence:
    """Sparse units x values counts of the pairable units, sorted by unit then value."""

    iu: np.ndarray       # unit index (0..U-1) of each nonzero cell
    iv: np.ndarray       # value index (0..V-1)
    c: np.ndarray        # count (float)
    m: np.ndarray        # ratings per unit (float, >= 2)
    x: np.ndarray | None  # numeric value of each value index (interval / ratio), else None
    n_rated: int         # units with at least one rating


def _count_keys(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-negative integer keys (sorted) and their counts: bincount when the key space is small."""
    if size <= max(4 * len(key), 1 << 20):
        counts = np.bincount(key, minlength=size)
        uniq = np.flatnonzero(counts)
        return uniq, counts[uniq]
    return np.unique(key, return_counts=True)


def _incidence(units: np.ndarray, codes: np.ndarray, n_codes: int, x: np.ndarray | None) -> _Incidence:
    n_units = int(units.max()) + 1 if len(units) else 0
    key = units.astype(np.int64) * max(n_codes, 1) + codes
    uniq, cnt = _count_keys(key, n_units * max(n_codes, 1))
    iu, iv = uniq // max(n_codes, 1), uniq % max(n_codes, 1)
    m = np.bincount(iu, weights=cnt)
    n_rated = int((m > 0).sum())
    pair = m >= 2
    keep = pair[iu]
    new_unit = np.cumsum(pair) - 1
    iu, iv, cnt = new_unit[iu[keep]], iv[keep], cnt[keep].astype(float)
    if x is not None:  # keep only the values that occur among pairable units
        used = np.zeros(n_codes, dtype=bool)
        used[iv] = True
        new_val = np.cumsum(used) - 1
        iv, x = new_val[iv], x[used]
    return _Incidence(iu, iv, cnt, m[pair].astype(float), x, n_rated)


def _ratio_expected(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """e_k = sum_l n_l ((x_k - x_l)/(x_k + x_l))^2, exact, in blocks of rows (0/0 counts as 0).

    The differences are formed directly (not as 1 - 4ab/(a+b)^2, which cancels badly for close values), in place
    in one block buffer: time is quadratic in the distinct values, memory is one block.
    """
    v = len(x)
    out = np.empty(v)
    step = max(1, min(v, _BLOCK_CELLS // max(v, 1)))
    for s in range(0, v, step):
        xs = x[s:s + step, None]
        r = xs - x[None, :]
        den = xs + x[None, :]
        np.divide(r, den, out=r, where=den > 0)            # only (0, 0) has den = 0, and its r is already 0
        r *= r
        out[s:s + step] = r @ n
    return out


def _ratio_within(inc: _Incidence) -> np.ndarray:
    """D_u of the ratio metric: pairs of distinct values inside each unit, by offsets in the sorted cells."""
    d = np.zeros(len(inc.m))
    iu, c, xv = inc.iu, inc.c, inc.x[inc.iv]
    for off in range(1, len(iu)):
        same = iu[:-off] == iu[off:]
        if not same.any():
            break
        a, b = xv[:-off][same], xv[off:][same]
        den = a + b
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(den > 0, (a - b) / den, 0.0)
        d += np.bincount(iu[:-off][same], weights=2 * c[:-off][same] * c[off:][same] * r * r, minlength=len(d))
    return d


def _squared_terms(inc: _Incidence, x: np.ndarray, n_k: np.ndarray, total: float, d_within: bool
                   ) -> tuple[np.ndarray | None, np.ndarray]:
    """(D_u, e_k) of the squared-difference metric on positions ``x`` (interval, or ordinal positions)."""
    mean = float(n_k @ x) / total
    xc = x - mean
    e = total * xc ** 2 + float(n_k @ xc ** 2)
    if not d_within:
        return None, e
    xi = xc[inc.iv]
    unit_mean = np.bincount(inc.iu, weights=inc.c * xi, minlength=len(inc.m)) / inc.m
    ss = np.bincount(inc.iu, weights=inc.c * (xi - unit_mean[inc.iu]) ** 2, minlength=len(inc.m))
    return 2.0 * inc.m * ss, e


class _Engine:
    """Alpha and its ingredients for one incidence structure and level, optionally with unit weights."""

    def __init__(self, inc: _Incidence, level: str, n_codes: int) -> None:
        self.inc, self.level, self.n_codes = inc, level, n_codes
        self._plain: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None
        self.fixed_d = None
        if level == "nominal":
            self.fixed_d = inc.m ** 2 - np.bincount(inc.iu, weights=inc.c ** 2, minlength=len(inc.m))
        elif level == "interval":
            n_k = np.bincount(inc.iv, weights=inc.c, minlength=len(inc.x))
            self.fixed_d, _ = _squared_terms(inc, inc.x, n_k, float(inc.m.sum()), True)
        elif level == "ratio":
            self.fixed_d = _ratio_within(inc)

    def terms(self, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """(D_u, e_k, n_k, N) with unit weights ``w`` (bootstrap multiplicities; None = 1).

        The unweighted terms are computed once and kept: alpha and its standard error share them (the ratio
        metric's e_k is the expensive part)."""
        if w is None:
            if self._plain is None:
                self._plain = self._terms(None)
            return self._plain
        return self._terms(w)

    def _terms(self, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        inc = self.inc
        cw = inc.c if w is None else inc.c * w[inc.iu]
        size = self.n_codes if inc.x is None else len(inc.x)
        n_k = np.bincount(inc.iv, weights=cw, minlength=size)
        total = float(n_k.sum())
        if self.level == "nominal":
            return self.fixed_d, total - n_k, n_k, total
        if self.level == "interval":
            _, e = _squared_terms(inc, inc.x, n_k, total, False)
            return self.fixed_d, e, n_k, total
        if self.level == "ratio":
            return self.fixed_d, _ratio_expected(inc.x, n_k), n_k, total
        positions = np.cumsum(n_k) - n_k / 2.0          # ordinal: M_k = sum_{g<k} n_g + n_k / 2
        d, e = _squared_terms(inc, positions, n_k, total, True)
        return d, e, n_k, total

    def alpha(self, w: np.ndarray | None = None) -> tuple[float, float, float]:
        """(alpha, D_o, D_e)."""
        d, e, n_k, total = self.terms(w)
        wu = np.ones(len(self.inc.m)) if w is None else w
        d_o = float(np.sum(wu * d / (self.inc.m - 1))) / total
        d_e = float(n_k @ e) / (total * (total - 1))
        with np.errstate(all="ignore"):
            return (1.0 - d_o / d_e if d_e > 0 else math.nan), d_o, d_e

    def gwet_se(self) -> float:
        """Gwet (2014) / irrCAC krippen.alpha.raw variance, written with disagreements (scale-free)."""
        inc = self.inc
        d, e, n_k, total = self.terms()
        units = len(inc.m)
        if units < 2:
            return math.nan
        rbar = total / units
        x_ = float(n_k @ e) / total ** 2                    # 1 - p_e
        a_ = float(np.sum(d / (inc.m - 1))) / total         # 1 - p_a'
        if not x_ > 0:
            return math.nan
        alpha_p = 1.0 - a_ / x_
        kr_i = (x_ - d / ((inc.m - 1) * rbar) + a_ * (inc.m - rbar) / rbar) / x_
        z_i = np.bincount(inc.iu, weights=inc.c * e[inc.iv], minlength=units) / (total * rbar)
        pe_i = (x_ - z_i + x_ * (inc.m - rbar) / rbar) / x_
        kr_x = kr_i - 2.0 * (1.0 - alpha_p) * pe_i
        var = float(np.sum((kr_x - alpha_p) ** 2)) / (units * (units - 1))
        return math.sqrt(var)


def _encode_values(values: pd.Series, level: str, categories: Sequence[Any] | None, name: str
                   ) -> tuple[np.ndarray, int, np.ndarray | None]:
    """(codes with -1 for missing, number of codes, numeric value per code or None)."""
    if level in ("interval", "ratio"):
        x = numeric(values, name)
        if categories is not None:
            encode_categories(pd.Series(x).where(~np.isnan(x)), categories, name)
        present = ~np.isnan(x)
        if level == "ratio" and (x[present] < 0).any():
            raise InputError(f"ratio alpha needs non-negative `{name}`; got {float(x[present].min())!r}. Use "
                             "level='interval' for data with negative values.")
        codes, uniq = pd.factorize(x, sort=True, use_na_sentinel=True)
        return codes.astype(np.int64), len(uniq), np.asarray(uniq, dtype=float)
    if categories is None and pd.api.types.is_numeric_dtype(values):
        codes, uniq = pd.factorize(values.to_numpy(dtype=float), sort=True, use_na_sentinel=True)
        return codes.astype(np.int64), len(uniq), None
    if level == "ordinal" and categories is None:
        try:
            sorted(pd.unique(values.dropna()).tolist())
        except TypeError:
            raise InputError("ordinal alpha needs ordered values: pass `categories` with the scale in order; "
                             "the observed labels cannot be sorted.") from None
    codes, cats = encode_categories(values, categories, name)
    return codes, len(cats), None


def krippendorff_alpha(data: pd.DataFrame, *, level: str = "nominal", units: str = UNIT_ID,
                       raters: str | None = RATER_ID, ratings: str = RATING,
                       categories: Sequence[Any] | None = None, confidence_level: float = 0.95,
                       alternative: str = "two-sided", n_resamples: int = 0, rng: Any = None) -> AlphaResult:
    """Krippendorff's alpha for long ratings with missing values, at any level of measurement.

    Parameters
    ----------
    data : pandas.DataFrame
        Long ratings, one row per (unit, rater); a missing rating is an absent row or NaN.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric. Default nominal (the ``krippendorff`` package defaults to interval).
    units, raters, ratings : str
        Column names. ``raters`` is used only to refuse duplicated (unit, rater) pairs; pass None when the
        frame has no rater column.
    categories : sequence, optional
        The declared scale: order of the values for ordinal data (required when labels cannot be sorted);
        for other levels it only validates the values. Unused categories change nothing (alpha's metrics use
        the frequencies of the pairable values).
    confidence_level : float
    alternative : {"two-sided", "greater", "less"}
        Alternative of the t test of ``alpha / se``.
    n_resamples : int
        Bootstrap replicates (0: none). Units are resampled with replacement (a cluster bootstrap); the
        percentile interval is then the default of ``confidence_interval``.
    rng : None, int or numpy.random.Generator
        Seed or generator of the bootstrap.

    Returns
    -------
    AlphaResult

    Notes
    -----
    alpha = 1 - D_o / D_e with D_o = (1/N) sum_u (1/(m_u - 1)) sum_{i != j in u} delta(v_i, v_j) and
    D_e = (1/(N(N-1))) sum_{i != j} delta(v_i, v_j) over all N pairable values (units with m_u >= 2 ratings;
    a unit with one rating is not pairable). Metrics: nominal ``[c != k]``; ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k)/2)^2`` over the ordered scale; interval ``(c - k)^2``; ratio
    ``((c - k)/(c + k))^2`` (non-negative values). Memory is linear in the number of ratings at every level
    (see the module notes); time is O(N log N) except for the expected disagreement of ratio data, which is
    exact and quadratic in the number of distinct values.

    ``se`` follows Gwet's Handbook (2014) and his irrCAC ``krippen.alpha.raw`` (the same missing-rating
    conventions; weights 1 - delta/max delta), and the default interval is ``alpha ± t se`` with
    ``n_units_rated - 1`` df, clipped at 1, as irrCAC. Degenerate data (all missing, no unit with two ratings,
    one distinct value) give NaN with a :class:`~perfeval.errors.DegenerateDataWarning`.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
       Communication, University of Pennsylvania (example C: 4 observers, 12 units).
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability measure for
       coding data. Communication Methods and Measures, 1(1), 77-89.
    .. [3] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.

    Examples
    --------
    >>> import numpy as np
    >>> from perfeval.agreement import to_long
    >>> nan = np.nan
    >>> c = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...      [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(to_long(c, rows="rater"), level="interval").statistic, 3)
    0.849
    """
    check_choice("level", level, _LEVELS)
    conf = check_level(confidence_level)
    check_alternative(alternative)
    if int(n_resamples) != n_resamples or n_resamples < 0:
        raise InputError(f"`n_resamples` must be a non-negative integer; got {n_resamples!r}.")
    cols = [units, ratings] + ([raters] if raters is not None else [])
    require_frame(data, cols)
    values = data[ratings]
    codes, n_codes, x = _encode_values(values, level, categories, ratings)
    present = codes >= 0
    u_codes, _ = factorize(data[units], units)
    if raters is not None:
        r_codes, r_labels = factorize(data[raters], raters)
        key = u_codes[present].astype(np.int64) * max(len(r_labels), 1) + r_codes[present]
        _, counts = _count_keys(key, (int(u_codes.max()) + 1) * max(len(r_labels), 1) if len(key) else 0)
        if len(counts) and counts.max() > 1:
            raise InputError(f"each (unit, rater) pair must occur once in `data`; {int((counts > 1).sum())} pair(s) "
                             "occur more than once. Average or drop the duplicates first.")
    inc = _incidence(u_codes[present], codes[present], n_codes, x)
    return _alpha_result(inc, level, n_codes, conf, alternative, int(n_resamples), rng)


def _alpha_result(inc: _Incidence, level: str, n_codes: int, conf: float, alternative: str, n_resamples: int,
                  rng: Any) -> AlphaResult:
    nan = math.nan
    n_units = len(inc.m)
    if n_units == 0:
        warn_degenerate("krippendorff_alpha: no unit has two ratings (all missing or no overlap); alpha is NaN.",
                        stacklevel=4)
        return AlphaResult(nan, level, nan, nan, 0, inc.n_rated, 0, nan, nan, nan, alternative, None, conf)
    engine = _Engine(inc, level, n_codes)
    alpha, d_o, d_e = engine.alpha()
    if not d_e > 0:
        warn_degenerate("krippendorff_alpha: all pairable values are identical; D_e = 0 and alpha is 0/0 = NaN.",
                        stacklevel=4)
    elif n_units == 1:
        warn_degenerate("krippendorff_alpha: a single pairable unit; alpha is defined but carries little "
                        "information.", stacklevel=4)
    se = engine.gwet_se() if d_e > 0 else nan
    t = alpha / se if se == se and se > 0 else nan
    boot = None
    if n_resamples and d_e > 0:
        gen = np.random.default_rng(rng)
        boot = np.empty(n_resamples)
        for b in range(n_resamples):
            w = np.bincount(gen.integers(0, n_units, n_units), minlength=n_units).astype(float)
            boot[b] = engine.alpha(w)[0]
    return AlphaResult(float(alpha), level, d_o, d_e, n_units, inc.n_rated, int(inc.c.sum()), se, t,
                       t_pvalue(t, inc.n_rated - 1, alternative), alternative, boot, conf)
