"""Gwet's AC1 (unweighted) and AC2 (weighted) agreement coefficients, with Gwet's variance."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..columns import RATER_ID, RATING, UNIT_ID
from ..errors import InputError
from ._kappa import _check_counts, counts_from_long, disagreement_weights
from ._results import ConfidenceInterval, ResultMixin, check_alternative, check_level, t_interval, t_pvalue
from ._util import square_table, warn_degenerate

__all__ = ["gwet_ac", "GwetResult"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class GwetResult(ResultMixin):
    """Gwet's AC1 / AC2 (returned by :func:`gwet_ac`).

    Attributes
    ----------
    statistic : float
        AC1 (unweighted) or AC2 (weighted).
    se : float
        Gwet's standard error (no finite-population correction).
    tstatistic : float
        ``statistic / se``.
    pvalue : float
        Student-t p-value with n-1 df for ``alternative`` (two-sided by default; irrCAC's R functions print
        the one-sided ``"greater"`` value, its Python port the two-sided one).
    alternative : str
    coefficient : str
        ``"AC1"`` or ``"AC2"``.
    n : int
        Subjects (units with at least one rating, or the table total).
    p_observed, p_expected : float
        Weighted observed and chance agreement.
    weights : str
    categories : tuple
    source : str
        ``"ratings"`` (long data or counts; irrCAC ``gwet.ac1.raw``/``.dist``) or ``"table"`` (two-rater
        contingency table; irrCAC ``gwet.ac1.table``).
    confidence_level : float

    Examples
    --------
    >>> from perfeval.agreement import gwet_ac
    >>> res = gwet_ac(table=[[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    >>> res
    GwetResult(coefficient='AC1', statistic=0.555988, se=0.158846, pvalue=0.00255574)
    >>> [round(v, 3) for v in res.confidence_interval()]
    [0.222, 0.89]
    """

    statistic: float
    se: float
    tstatistic: float
    pvalue: float
    alternative: str
    coefficient: str
    n: int
    p_observed: float
    p_expected: float
    weights: str
    categories: tuple
    source: str
    confidence_level: float = 0.95

    _repr_fields = ("coefficient", "statistic", "se", "pvalue")
    _title = "Gwet's agreement coefficient"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """``AC ± t_{n-1} · se`` with the upper end clipped at 1 (Gwet 2014; irrCAC)."""
        level = self._level(confidence_level)
        return t_interval(self.statistic, self.se, self.n - 1, level, upper_bound=1.0)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``coefficient, weights, statistic, se, ci_low, ci_high, t, pvalue, alternative, n,
        p_observed, p_expected``."""
        low, high = self.confidence_interval()
        return pd.DataFrame([{"coefficient": self.coefficient, "weights": self.weights,
                              "statistic": self.statistic, "se": self.se, "ci_low": low, "ci_high": high,
                              "t": self.tstatistic, "pvalue": self.pvalue, "alternative": self.alternative,
                              "n": self.n, "p_observed": self.p_observed, "p_expected": self.p_expected}])


def _agreement_weights(weights: Any, q: int) -> tuple[np.ndarray, str]:
    d, name = disagreement_weights(weights, q)
    if (d > 1).any():
        raise InputError("`weights` for gwet_ac must be disagreement weights between 0 and 1 (agreement weights "
                         f"are 1 - d); got a maximum of {float(d.max())!r}. Divide the matrix by its maximum.")
    return 1.0 - d, name


def gwet_ac(data: pd.DataFrame | None = None, *, counts: Any = None, table: Any = None, weights: Any = None,
            categories: Sequence[Any] | None = None, targets: str = UNIT_ID, raters: str = RATER_ID,
            ratings: str = RATING, confidence_level: float = 0.95, alternative: str = "two-sided") -> GwetResult:
    """Gwet's AC1 (no weights) or AC2 (weights) from long ratings, subjects x categories counts or a 2-rater table.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Long ratings (columns ``targets``, ``raters``, ``ratings``); missing ratings are allowed.
    counts : array-like, optional
        Subjects x categories counts (irrCAC "distribution" input).
    table : array-like, optional
        k x k contingency table of two raters (rows: rater 1).
    weights : None, "linear", "quadratic" or k x k array
        *Disagreement* weights in [0, 1] with 0 on the diagonal (the same convention as :func:`cohen_kappa`);
        Gwet's agreement weights are ``1 - d``. ``"linear"``/``"quadratic"`` use the positions of the
        categories on the declared scale (irrCAC uses the category values when they are numbers, which is the
        same for equally spaced scores such as 1..5).
    categories : sequence, optional
        The full scale, including unused categories: AC1's chance agreement depends on the number of
        categories q.
    confidence_level : float
    alternative : {"two-sided", "greater", "less"}

    Returns
    -------
    GwetResult

    Notes
    -----
    Exactly one of ``data``, ``counts``, ``table`` is given. For ratings (irrCAC ``gwet.ac1.raw``), with r_i
    ratings of subject i, r_ik in category k, agreement weights w and r*_ik = sum_l w_kl r_il:

    - p_a = mean over subjects with r_i >= 2 of sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))
    - pi_k = mean over the n subjects with r_i >= 1 of r_ik / r_i
    - p_e = (sum w) / (q (q - 1)) * sum_k pi_k (1 - pi_k);  AC = (p_a - p_e) / (1 - p_e)

    The variance is Gwet's (2008; Handbook 2014) linearisation, as in irrCAC: per-subject terms
    ac_i = (n / n_2)(p_a|i - p_e [r_i >= 2]) / (1 - p_e) - 2 (1 - AC)(p_e|i - p_e) / (1 - p_e) with
    p_e|i = (sum w)/(q(q-1)) * sum_k r_ik (1 - pi_k) / r_i, and var = sum (ac_i - AC)^2 / (n (n - 1)).
    For a table, irrCAC ``gwet.ac1.table``: pi_k = (p_k. + p_.k)/2 and
    var = [sum p_kl (w_kl - 2(1-AC) tw (1 - (pi_k + pi_l)/2) / (q(q-1)))^2 - (p_a - 2(1-AC) p_e)^2]
    / (n (1 - p_e)^2), tw = sum w. Missing ratings follow Gwet's Handbook conventions throughout. The
    interval is ``AC ± t_{n-1} se`` clipped at 1; no finite-population correction.

    A single category gives p_e = 0 and AC = p_a, with a :class:`~perfeval.errors.DegenerateDataWarning`.

    References
    ----------
    .. [1] Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of high
       agreement. British Journal of Mathematical and Statistical Psychology, 61, 29-48.
    .. [2] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.
    .. [3] Gwet, K. L. irrCAC (R package), ``gwet.ac1.raw``, ``gwet.ac1.dist``, ``gwet.ac1.table``.

    Examples
    --------
    >>> res = gwet_ac(table=[[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]])
    >>> round(res.statistic, 3), round(res.se, 3)
    (0.456, 0.043)
    """
    level = check_level(confidence_level)
    check_alternative(alternative)
    given = [x is not None for x in (data, counts, table)]
    if sum(given) != 1:
        raise InputError("pass exactly one of `data` (long ratings), `counts` (subjects x categories) or "
                         "`table` (two-rater k x k table).")
    if table is not None:
        arr, cats = square_table(table, categories)
        w, wname = _agreement_weights(weights, arr.shape[0])
        return _gwet_table(arr, w, wname, cats, level, alternative)
    if counts is not None:
        arr, cats = _check_counts(counts, categories)
    else:
        arr, cats = counts_from_long(data, targets, raters, ratings, categories)
    arr = arr[arr.sum(axis=1) > 0]
    w, wname = _agreement_weights(weights, arr.shape[1])
    return _gwet_ratings(arr, w, wname, cats, level, alternative)


def _chance(w: np.ndarray, q: int, pi: np.ndarray) -> tuple[float, float]:
    """Gwet's chance factor and chance agreement p_e = factor * sum_k pi_k (1 - pi_k) (Gwet 2014; irrCAC);
    warns for a single category (p_e = 0)."""
    factor = _chance_factor(w, q)
    if q < 2:
        warn_degenerate("gwet_ac: a single category; chance agreement is 0 and AC equals the percent agreement.",
                        stacklevel=5)
    return factor, factor * float(np.sum(pi * (1 - pi)))


def _name(w: np.ndarray) -> str:
    return "AC1" if np.allclose(w, np.eye(len(w))) else "AC2"


def _chance_factor(w: np.ndarray, q: int) -> float:
    return float(w.sum()) / (q * (q - 1)) if q >= 2 else 0.0


def _gwet_ratings(arr: np.ndarray, w: np.ndarray, wname: str, cats: tuple, level: float,
                  alternative: str) -> GwetResult:
    n, q = arr.shape
    nan = math.nan
    r = arr.sum(axis=1)
    two = r >= 2
    n2 = int(two.sum())
    if n2 == 0:
        warn_degenerate("gwet_ac: no subject has two ratings (all missing or no overlap); AC is NaN.", stacklevel=4)
        return GwetResult(nan, nan, nan, nan, alternative, _name(w), n, nan, nan, wname, cats, "ratings", level)
    rstar = arr @ w.T                                   # r*_ik = sum_l w_kl r_il
    sum_q = (arr * (rstar - 1.0)).sum(axis=1)
    den = np.where(two, r * (r - 1), 1.0)
    pa_i = np.where(two, sum_q / den, 0.0)
    pa = float(pa_i[two].mean())
    pi = (arr / r[:, None]).mean(axis=0)
    factor, pe = _chance(w, q, pi)
    if n < 2:
        warn_degenerate("gwet_ac: a single subject; AC is its percent agreement corrected for chance, and its "
                        "standard error is undefined (NaN).", stacklevel=4)
    ac = (pa - pe) / (1 - pe)
    ac_i = (n / n2) * (pa_i - pe * two) / (1 - pe)
    pe_i = factor * (arr @ (1 - pi)) / r
    ac_i = ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
    var = float(np.sum((ac_i - ac) ** 2)) / (n * (n - 1)) if n > 1 else nan
    return _finish(ac, var, n, pa, pe, w, wname, cats, "ratings", level, alternative)


def _gwet_table(table: np.ndarray, w: np.ndarray, wname: str, cats: tuple, level: float,
                alternative: str) -> GwetResult:
    q = table.shape[0]
    n = float(table.sum())
    nan = math.nan
    if n == 0:
        warn_degenerate("gwet_ac: the table is empty (no overlap); AC is NaN.", stacklevel=4)
        return GwetResult(nan, nan, nan, nan, alternative, _name(w), 0, nan, nan, wname, cats, "table", level)
    if n < 2:
        warn_degenerate("gwet_ac: a single rated pair; AC is defined but its interval and test are not (NaN).",
                        stacklevel=4)
    p = table / n
    pa = float((w * p).sum())
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    factor, pe = _chance(w, q, pi)
    ac = (pa - pe) / (1 - pe)
    # irrCAC gwet.ac1.table variance
    term = w - 2 * (1 - ac) * factor * (1 - (pi[:, None] + pi[None, :]) / 2)
    var = (float((p * term ** 2).sum()) - (pa - 2 * (1 - ac) * pe) ** 2) / (n * (1 - pe) ** 2)
    return _finish(ac, max(var, 0.0), int(n), pa, pe, w, wname, cats, "table", level, alternative)


def _finish(ac: float, var: float, n: int, pa: float, pe: float, w: np.ndarray, wname: str, cats: tuple,
            source: str, level: float, alternative: str) -> GwetResult:
    se = math.sqrt(var) if var == var else math.nan
    t = ac / se if se and se > 0 else math.nan
    return GwetResult(float(ac), se, t, t_pvalue(t, n - 1, alternative), alternative, _name(w), int(n), pa, pe,
                      wname, cats, source, level)
