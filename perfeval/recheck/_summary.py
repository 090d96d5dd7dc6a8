r"""Portfolio statistics of a self-evaluation vs re-evaluation comparison (private to :mod:`perfeval.recheck`).

One function, :func:`summarize`, computes every statistic of :attr:`RecheckResult.summary` on a set of matched
units, with intervals and, where a budget-weighted version is defined, its value weighted by the budget amount.

Budget-weighted column (unit i weighted by its amount :math:`a_i > 0`, :math:`V_1 = \sum a_i`, :math:`V_2 = \sum
a_i^2`; units without a positive amount are left out of it):

- means, shares and rates: :math:`\sum a_i v_i / V_1`; ``median_bias``: the weighted median; ``n``: :math:`V_1`,
  the total budget of the units compared (in the money unit of the amounts);
- ``ba_lower`` / ``ba_upper``: :math:`\bar d_w \mp m\,s_w` with :math:`\bar d_w = \sum a_i d_i / V_1` and the
  unbiased reliability-weights SD :math:`s_w^2 = \sum a_i (d_i - \bar d_w)^2 / (V_1 - V_2 / V_1)` (equal amounts
  give the ordinary n-1 SD); ``ba_slope``: weighted least squares of :math:`d_i` on the pair mean
  :math:`(s_i + r_i)/2`, :math:`\sum a_i (x_i - \bar x_w)(d_i - \bar d_w) / \sum a_i (x_i - \bar x_w)^2`;
- ``ccc``: Lin's formula on weighted moments, :math:`2 s_{xy} / (s_x^2 + s_y^2 + (\bar x_w - \bar y_w)^2)` with
  :math:`s_{xy} = \sum a_i (x_i - \bar x_w)(y_i - \bar y_w) / V_1` (the n-divisor analogue);
- ``kappa_weighted``, ``gwet_ac2``: the usual point formulas on the budget-weighted transition table, whose cell
  proportions are budget shares :math:`p_{jk} = \sum_{i: j,k} a_i / V_1` (no interval: the weighted column has
  none);
- ``icc_a1`` and ``stuart_maxwell`` are ANOVA / test quantities with no standard budget-weighted form: always NaN.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DegenerateDataWarning

__all__ = ["STATISTICS", "Agreement", "summarize", "transitions", "wilson"]

#: Statistic -> description (the index of ``RecheckResult.summary``, in this order).
STATISTICS: Mapping[str, str] = MappingProxyType({
    "n": "units compared (budget-weighted: the total budget of the units compared, in the money unit)",
    "self_mean": "mean self-evaluation total",
    "recheck_mean": "mean re-evaluation total",
    "mean_bias": "mean deviation self - recheck (> 0: inflation); t interval",
    "median_bias": "median deviation; distribution-free order-statistic interval",
    "share_inflated": "share of units with deviation > 0; Wilson interval",
    "share_deflated": "share of units with deviation < 0; Wilson interval",
    "mae": "mean absolute deviation; t interval",
    "rmse": "root mean squared deviation",
    "share_within_3": "share with |deviation| <= 3 points (the first tolerance); Wilson interval",
    "share_within_5": "share with |deviation| <= 5 points (the second tolerance); Wilson interval",
    "ba_lower": "Bland-Altman lower limit of agreement (bias - 1.96 sd); exact interval (Carkeet 2015); "
                "budget-weighted: weighted bias - 1.96 weighted sd (reliability weights, unbiased)",
    "ba_upper": "Bland-Altman upper limit of agreement (bias + 1.96 sd); exact interval; budget-weighted: weighted "
                "bias + 1.96 weighted sd",
    "ba_slope": "proportional bias: slope of the deviation on the pair mean; p-value of slope = 0; "
                "budget-weighted: weighted least squares",
    "ccc": "Lin's concordance correlation (n divisor); z-transform interval; budget-weighted: from weighted moments",
    "icc_a1": "ICC(A,1), two-way absolute agreement of the two scorings; F interval; no budget-weighted form "
              "(an ANOVA quantity): NaN",
    "grade_exact": "share of units with the same grade; Wilson interval",
    "kappa_weighted": "weighted Cohen's kappa on the full declared grade scale; normal interval, z test; "
                      "budget-weighted: from the budget-share transition table",
    "gwet_ac2": "Gwet's AC2 with the same weights; t interval; budget-weighted: from the budget-share transition "
                "table",
    "stuart_maxwell": "Stuart-Maxwell chi-square of a systematic grade shift; p-value; no budget-weighted form (a "
                      "test on counts): NaN",
    "disconnect_rate": "share of units whose re-check grade differs from the self grade; Wilson interval",
    "downgrade_rate": "share of units graded lower by the re-check; Wilson interval",
    "upgrade_rate": "share of units graded higher by the re-check; Wilson interval",
    "net_disconnect": "share at or above the satisfactory grade by self - by re-check (percentage points / 100)",
    "share_accurate": "share rated 准确 (accurate)",
    "share_basically_accurate": "share rated 基本准确 (mostly accurate)",
    "share_inaccurate": "share rated 不准确 (inaccurate)",
})
_COLUMNS = ["estimate", "ci_low", "ci_high", "pvalue", "budget_weighted"]


@dataclass(frozen=True)
class Agreement:
    """The agreement result objects behind the summary (None when too few units)."""

    bland_altman: Any = None
    ccc: Any = None
    icc: Any = None
    kappa: Any = None
    gwet: Any = None
    stuart_maxwell: Any = None


def wilson(k: float, n: float, level: float) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n (Wilson 1927)."""
    if n <= 0:
        return math.nan, math.nan
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _t_mean(x: np.ndarray, level: float) -> tuple[float, float]:
    n = len(x)
    if n < 2:
        return math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return float(x.mean() - half), float(x.mean() + half)


def _median_ci(x: np.ndarray, level: float) -> tuple[float, float]:
    """Order-statistic interval of the median: x_(k), x_(n-k+1) with k the binomial(n, 1/2) quantile."""
    n = len(x)
    k = int(stats.binom.ppf((1 - level) / 2, n, 0.5)) if n else 0
    if k < 1:
        return math.nan, math.nan
    s = np.sort(x)
    return float(s[k - 1]), float(s[n - k])


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    if len(x) == 0 or not w.sum() > 0:
        return math.nan
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order]) / w.sum()
    i = int(np.searchsorted(cw, 0.5, side="left"))
    if np.isclose(cw[i], 0.5) and i + 1 < len(x):
        return float((x[order][i] + x[order][i + 1]) / 2)
    return float(x[order][i])


def transitions(self_grade: np.ndarray, recheck_grade: np.ndarray, labels: tuple[str, ...]) -> pd.DataFrame:
    """Counts self grade (rows) x re-check grade (columns) on the full scale, best grade first."""
    table = pd.crosstab(pd.Categorical(self_grade, categories=labels), pd.Categorical(recheck_grade, categories=labels),
                        dropna=False)
    table = table.reindex(index=list(labels), columns=list(labels), fill_value=0).astype(np.int64)
    table.index.name, table.columns.name = "self_grade", "recheck_grade"
    return table


def summarize(units: pd.DataFrame, labels: tuple[str, ...], rules: Any, level: float, *,
              quiet: bool = False) -> tuple[pd.DataFrame, Agreement]:
    """Every statistic of :data:`STATISTICS` on the matched ``units`` (columns of ``RecheckResult.units``)."""
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore", DegenerateDataWarning)
        return _summarize(units, labels, rules, level)


def _summarize(units: pd.DataFrame, labels: tuple[str, ...], rules: Any, level: float
               ) -> tuple[pd.DataFrame, Agreement]:
    from ..agreement import bland_altman, icc, lin_ccc

    nan = math.nan
    s = units["self_total"].to_numpy(dtype=float)
    r = units["recheck_total"].to_numpy(dtype=float)
    d = s - r
    n = len(d)
    amount = units["amount"].to_numpy(dtype=float) if "amount" in units else np.full(n, nan)
    wok = np.isfinite(amount) & (amount > 0)
    w, dw = amount[wok], d[wok]
    weighted = wok.any()
    rows: dict[str, list[float]] = {}

    def put(key: str, est: float, ci: tuple[float, float] = (nan, nan), p: float = nan,
            wval: float = nan) -> None:
        rows[key] = [est, ci[0], ci[1], p, wval if weighted else nan]

    def wmean(v: np.ndarray) -> float:
        return float(np.sum(w * v[wok]) / w.sum()) if weighted else nan

    def share(key: str, mask: np.ndarray, valid: np.ndarray | None = None) -> None:
        valid = np.ones(n, dtype=bool) if valid is None else valid
        k, m = float(mask[valid].sum()), float(valid.sum())
        ww = wok & valid
        wv = float(np.sum(amount[ww] * mask[ww]) / amount[ww].sum()) if ww.any() else nan
        put(key, k / m if m else nan, wilson(k, m, level), wval=wv)

    put("n", float(n), wval=float(w.sum()))
    put("self_mean", float(s.mean()) if n else nan, _t_mean(s, level), wval=wmean(s))
    put("recheck_mean", float(r.mean()) if n else nan, _t_mean(r, level), wval=wmean(r))
    put("mean_bias", float(d.mean()) if n else nan, _t_mean(d, level), wval=wmean(d))
    put("median_bias", float(np.median(d)) if n else nan, _median_ci(d, level), wval=_weighted_median(dw, w))
    share("share_inflated", d > 0)
    share("share_deflated", d < 0)
    put("mae", float(np.abs(d).mean()) if n else nan, _t_mean(np.abs(d), level), wval=wmean(np.abs(d)))
    put("rmse", float(np.sqrt(np.mean(d ** 2))) if n else nan, wval=math.sqrt(wmean(d ** 2)) if weighted else nan)
    for tol, key in zip(rules.tolerances, ("share_within_3", "share_within_5")):
        share(key, np.abs(d) <= tol)
    agree = Agreement()
    if n >= 2:
        ba = bland_altman(s, r, multiplier=rules.multiplier, confidence_level=level)
        put("ba_lower", ba.lower, ba.confidence_interval(which="lower"))
        put("ba_upper", ba.upper, ba.confidence_interval(which="upper"))
        put("ba_slope", ba.slope, p=ba.slope_pvalue)
        ccc = lin_ccc(s, r, confidence_level=level)
        put("ccc", ccc.statistic, ccc.confidence_interval())
        long = pd.DataFrame({"unit_id": np.tile(np.arange(n), 2), "rater_id": np.repeat(["self", "recheck"], n),
                             "rating": np.concatenate([s, r])})
        ic = icc(long, confidence_level=level)
        put("icc_a1", float(ic.statistic["ICC(A,1)"]), ic.confidence_interval(form="ICC(A,1)"),
            float(ic.pvalue["ICC(A,1)"]))
        agree = Agreement(ba, ccc, ic)
        for key, value in _weighted_continuous(s[wok], r[wok], w, rules.multiplier).items():
            rows[key][4] = value if weighted else nan
    else:
        for key in ("ba_lower", "ba_upper", "ba_slope", "ccc", "icc_a1"):
            put(key, nan)
    agree = _grades(units, labels, rules, level, put, share, agree)
    acc = units["accuracy"].to_numpy(dtype=object)
    for key, label_ in (("share_accurate", "准确"), ("share_basically_accurate", "基本准确"),
                        ("share_inaccurate", "不准确")):
        share(key, acc == label_)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=_COLUMNS).reindex(list(STATISTICS))
    frame.index.name = "statistic"
    return frame, agree


def _grades(units: pd.DataFrame, labels: tuple[str, ...], rules: Any, level: float, put: Any, share: Any,
            agree: Agreement) -> Agreement:
    from ..agreement import cohen_kappa, gwet_ac, stuart_maxwell

    nan = math.nan
    sg = units["self_grade"].to_numpy(dtype=object)
    rg = units["recheck_grade"].to_numpy(dtype=object)
    valid = pd.notna(sg) & pd.notna(rg)
    steps = units["grade_steps"].to_numpy(dtype=float)
    share("grade_exact", steps == 0, valid)
    k_res = g_res = sm = None
    if valid.sum() >= 2:
        k_res = cohen_kappa(sg[valid], rg[valid], weights=rules.kappa_weights, categories=list(labels),
                            confidence_level=level)
        kw, gw = _weighted_grades(units, sg, rg, valid, labels, rules.kappa_weights)
        put("kappa_weighted", k_res.statistic, k_res.confidence_interval(), k_res.pvalue, wval=kw)
        g_res = gwet_ac(table=k_res.table, weights=rules.kappa_weights, categories=list(labels),
                        confidence_level=level)
        put("gwet_ac2", g_res.statistic, g_res.confidence_interval(), g_res.pvalue, wval=gw)
        sm = stuart_maxwell(k_res.table, categories=list(labels))
        put("stuart_maxwell", sm.statistic, p=sm.pvalue)
    else:
        for key in ("kappa_weighted", "gwet_ac2", "stuart_maxwell"):
            put(key, nan)
    share("disconnect_rate", steps != 0, valid)
    share("downgrade_rate", steps > 0, valid)
    share("upgrade_rate", steps < 0, valid)
    _net_disconnect(units, labels, rules, level, put, valid)
    return Agreement(agree.bland_altman, agree.ccc, agree.icc, k_res, g_res, sm)


def _weighted_continuous(s: np.ndarray, r: np.ndarray, a: np.ndarray, mult: float) -> dict[str, float]:
    """Budget-weighted Bland-Altman limits, proportional-bias slope (WLS) and CCC (weighted moments); NaN where
    too few weighted units (2 for the limits and the CCC, 3 with distinct pair means for the slope)."""
    nan = math.nan
    out = {"ba_lower": nan, "ba_upper": nan, "ba_slope": nan, "ccc": nan}
    if len(a) < 2:
        return out
    v1, v2 = float(a.sum()), float(np.sum(a * a))
    d = s - r
    dbar = float(np.sum(a * d) / v1)
    sd = math.sqrt(float(np.sum(a * (d - dbar) ** 2)) / (v1 - v2 / v1))   # reliability weights, unbiased
    out["ba_lower"], out["ba_upper"] = dbar - mult * sd, dbar + mult * sd
    m = (s + r) / 2
    mc = m - float(np.sum(a * m) / v1)
    sxx = float(np.sum(a * mc * mc))
    if len(a) >= 3 and np.ptp(m) > 0 and sxx > 0:
        out["ba_slope"] = float(np.sum(a * mc * (d - dbar))) / sxx
    sc, rc = s - float(np.sum(a * s) / v1), r - float(np.sum(a * r) / v1)
    den = float(np.sum(a * sc * sc) + np.sum(a * rc * rc)) / v1 + (float(np.sum(a * s) - np.sum(a * r)) / v1) ** 2
    if den > 0:
        out["ccc"] = 2 * float(np.sum(a * sc * rc)) / v1 / den
    return out


def _weighted_grades(units: pd.DataFrame, sg: np.ndarray, rg: np.ndarray, valid: np.ndarray,
                     labels: tuple[str, ...], weights: str) -> tuple[float, float]:
    """Weighted kappa and Gwet's AC2 of the budget-weighted transition table (cell proportions = budget shares):
    the point estimates of :func:`~perfeval.agreement.cohen_kappa` and :func:`~perfeval.agreement.gwet_ac` on
    that table (they depend on the proportions only). NaN below 2 weighted units or when degenerate."""
    from ..agreement import cohen_kappa, gwet_ac

    nan = math.nan
    amount = units["amount"].to_numpy(dtype=float) if "amount" in units else np.full(len(units), nan)
    ok = valid & np.isfinite(amount) & (amount > 0)
    if ok.sum() < 2:
        return nan, nan
    pos = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    table = np.zeros((k, k))
    np.add.at(table, ([pos[g] for g in sg[ok]], [pos[g] for g in rg[ok]]), amount[ok])
    table *= ok.sum() / table.sum()          # budget shares, scaled to the number of units (same proportions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)   # already said for the unweighted statistics
        kappa = cohen_kappa(table=table, weights=weights, categories=list(labels)).statistic
        ac2 = gwet_ac(table=table, weights=weights, categories=list(labels)).statistic
    return float(kappa), float(ac2)


def _net_disconnect(units: pd.DataFrame, labels: tuple[str, ...], rules: Any, level: float, put: Any,
                    valid: np.ndarray) -> None:
    """Share satisfactory by self - by re-check, paired (Wald interval of a difference of paired proportions)."""
    nan = math.nan
    top = labels[: labels.index(rules.satisfactory) + 1]
    a = units["self_grade"].isin(top).to_numpy()[valid]
    b = units["recheck_grade"].isin(top).to_numpy()[valid]
    n = len(a)
    if n == 0:
        put("net_disconnect", nan)
        return
    up, down = float((a & ~b).sum()), float((~a & b).sum())
    est = (up - down) / n
    var = ((up + down) - (up - down) ** 2 / n) / n ** 2  # Agresti (2013) §11.1.1
    z = stats.norm.ppf(0.5 + level / 2)
    amount = units["amount"].to_numpy(dtype=float)[valid] if "amount" in units else np.full(n, nan)
    ok = np.isfinite(amount) & (amount > 0)
    wval = float(np.sum(amount[ok] * (a[ok].astype(float) - b[ok])) / amount[ok].sum()) if ok.any() else nan
    put("net_disconnect", est, (est - z * math.sqrt(var), est + z * math.sqrt(var)), wval=wval)
