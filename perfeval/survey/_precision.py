"""Precision of survey estimates (private to :mod:`perfeval.survey`): Wilson and t intervals, Kish's effective
sample size, and the questionnaire count needed before fieldwork."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import stats

__all__ = ["wilson_interval", "t_interval", "effective_sample_size", "sample_size", "SAMPLE_SIZE_METHODS"]

#: Methods of :func:`sample_size`.
SAMPLE_SIZE_METHODS: tuple[str, ...] = ("cochran", "krejcie_morgan", "yamane")


def _confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be a number strictly between 0 and 1; got {confidence!r}.")
    return float(confidence)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + _confidence(confidence) / 2))


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson score interval of a proportion.

    Parameters
    ----------
    successes : float
        Satisfied answers (a weighted count ``p_hat * n_eff`` is accepted).
    n : float
        Valid answers, or Kish's effective sample size under weights (need not be an integer).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float
        Bounds in [0, 1]; ``(nan, nan)`` when ``n == 0``.

    Notes
    -----
    With :math:`\hat p = k/n` and :math:`z = \Phi^{-1}(1 - \alpha/2)`,

    .. math:: \frac{\hat p + z^2/(2n)}{1 + z^2/n} \pm \frac{z}{1 + z^2/n}
              \sqrt{\frac{\hat p (1-\hat p)}{n} + \frac{z^2}{4n^2}}

    (Wilson 1927). Unlike the Wald interval it stays inside [0, 1] and keeps its coverage near 0 % and 100 %,
    where satisfaction rates often lie (Brown, Cai & DasGupta 2001).

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22,
       209-212.
    .. [2] Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial proportion.
       Statistical Science 16(2), 101-133.

    Examples
    --------
    >>> from perfeval.survey import wilson_interval
    >>> [round(b, 4) for b in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    """
    if n < 0 or successes < 0 or successes > n + 1e-9:
        raise ValueError(f"`successes` must be within [0, n] and `n` >= 0; got successes={successes!r}, n={n!r}.")
    if n == 0:
        return (math.nan, math.nan)
    z = _z(confidence)
    p = min(max(successes / n, 0.0), 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at p = 0 (p = 1) the lower (upper) bound is exactly 0 (1): a root of the Wilson quadratic, not float noise
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return (low, high)


def effective_sample_size(weights: Sequence[float] | np.ndarray) -> float:
    r"""Kish's effective sample size :math:`n_{eff} = (\sum w)^2 / \sum w^2`.

    Equal weights give the number of answers; unequal design weights (a stratified sample weighted to its
    population) give fewer: the number of equally weighted answers with the same precision (Kish 1965, §11.7).

    Examples
    --------
    >>> from perfeval.survey import effective_sample_size
    >>> effective_sample_size([1, 1, 1, 1]), effective_sample_size([1, 1, 1, 3])
    (4.0, 3.0)
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return 0.0
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("`weights` must be positive finite numbers.")
    return float(w.sum() ** 2 / np.sum(w * w))


def t_interval(values: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None,
               confidence: float = 0.95) -> tuple[float, float, float]:
    r"""Mean and Student-t interval of scores, with design weights through Kish's effective sample size.

    Returns
    -------
    (mean, low, high) : tuple of float
        Bounds NaN with fewer than two answers (or :math:`n_{eff} \le 1`).

    Notes
    -----
    :math:`\bar x_w = \sum w x / \sum w`, :math:`s_w^2 = \sum w (x - \bar x_w)^2 / \sum w`, and

    .. math:: \bar x_w \pm t_{1-\alpha/2,\; n_{eff}-1} \sqrt{s_w^2 / (n_{eff} - 1)}.

    With equal weights :math:`n_{eff} = n` and this is the textbook :math:`\bar x \pm t_{n-1} s/\sqrt n`; with
    unequal weights it is Kish's approximation (variance of the weighted mean :math:`\approx s^2 / n_{eff}`).
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.shape != w.shape:
        raise ValueError(f"`values` and `weights` must have the same length; got {x.size} and {w.size}.")
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    n_eff = effective_sample_size(w)
    mean = float(np.sum(w * x) / np.sum(w))
    if n_eff <= 1 + 1e-12:
        return (mean, math.nan, math.nan)
    var = float(np.sum(w * (x - mean) ** 2) / np.sum(w))
    half = float(stats.t.ppf(0.5 + _confidence(confidence) / 2, n_eff - 1)) * math.sqrt(var / (n_eff - 1))
    return (mean, mean - half, mean + half)


def sample_size(population: float | None, margin: float = 0.05, confidence: float = 0.95, p: float = 0.5, *,
                method: str = "cochran", rounding: str = "ceil") -> int:
    r"""Questionnaires needed to estimate a satisfaction rate within ``margin``, before fieldwork.

    Parameters
    ----------
    population : float or None
        Number of service recipients :math:`N` (None or ``inf``: no finite population correction).
    margin : float, default 0.05
        Half-width of the interval wanted (0.05 = ±5 percentage points).
    confidence : float, default 0.95
    p : float, default 0.5
        Expected rate; 0.5 is the most demanding (use it when unknown).
    method : {"cochran", "krejcie_morgan", "yamane"}
        ``cochran``: :math:`n_0 = z^2 p(1-p)/e^2` and the finite population correction
        :math:`n = n_0 / (1 + (n_0 - 1)/N)` (Cochran 1977, eq. 4.2 and §4.5).
        ``krejcie_morgan``: :math:`s = \chi^2 N P(1-P) / (d^2 (N-1) + \chi^2 P(1-P))` with :math:`\chi^2` the
        1-df quantile printed to three decimals (3.841 at 95 %), as Krejcie & Morgan (1970) tabulated it
        (algebraically Cochran's formula with :math:`z^2` replaced by that :math:`\chi^2`).
        ``yamane``: :math:`n = N / (1 + N e^2)` (Yamane 1967), which assumes 95 % and :math:`p = 0.5`.
    rounding : {"ceil", "nearest"}
        ``ceil`` (default): the least whole number of questionnaires reaching the margin; ``nearest``: how the
        published tables print it (Krejcie & Morgan's and Yamane's tables are rounded to the nearest integer).

    Returns
    -------
    int
        Never more than ``population``.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, §4.4-4.5.
    .. [2] Krejcie, R. V., Morgan, D. W. (1970). Determining sample size for research activities. Educational and
       Psychological Measurement 30, 607-610 (Table 1).
    .. [3] Yamane, T. (1967). Statistics: An Introductory Analysis, 2nd ed. Harper & Row.

    Examples
    --------
    >>> from perfeval.survey import sample_size
    >>> sample_size(1000), sample_size(None)
    (278, 385)
    >>> sample_size(1000, method="yamane", rounding="nearest")
    286
    """
    if method not in SAMPLE_SIZE_METHODS:
        raise ValueError(f"`method` must be one of {SAMPLE_SIZE_METHODS}; got {method!r}.")
    if rounding not in ("ceil", "nearest"):
        raise ValueError(f"`rounding` must be 'ceil' or 'nearest'; got {rounding!r}.")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 < margin < 1:
        raise ValueError(f"`margin` must be a number strictly between 0 and 1 (0.05 = ±5 points); got {margin!r}.")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < 1:
        raise ValueError(f"`p` must be a number strictly between 0 and 1; got {p!r}.")
    _confidence(confidence)
    finite = population is not None and math.isfinite(population)
    if population is not None and (isinstance(population, bool) or not isinstance(population, (int, float))
                                   or population < 1):
        raise ValueError(f"`population` must be a number >= 1 or None; got {population!r}.")
    if method == "yamane":
        if confidence != 0.95 or p != 0.5:
            raise ValueError("Yamane's formula assumes 95 % confidence and p = 0.5; use method='cochran' for "
                             f"confidence={confidence!r}, p={p!r}.")
        if not finite:
            raise ValueError("Yamane's formula needs a finite `population`.")
        n = population / (1 + population * margin ** 2)
    else:
        if method == "krejcie_morgan":
            q = round(float(stats.chi2.ppf(confidence, 1)), 3)
        else:
            q = _z(confidence) ** 2
        n0 = q * p * (1 - p) / margin ** 2
        n = n0 / (1 + (n0 - 1) / population) if finite else n0
    whole = math.ceil(n - 1e-9) if rounding == "ceil" else math.floor(n + 0.5)
    return int(min(whole, population) if finite else whole)
