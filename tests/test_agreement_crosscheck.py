"""Cross-checks on 200 random data sets against pingouin, statsmodels and the krippendorff package (where the
conventions match), and against a dense, direct transcription of Gwet's irrCAC formulas (R package, 2021) for
the Gwet-style estimates and variances with missing ratings. Agreement to 1e-9."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from perfeval.agreement import (bhapkar, cohen_kappa, fleiss_kappa, gwet_ac, icc, krippendorff_alpha,
                                stuart_maxwell, to_long)

N_SETS = 200
TOL = 1e-9


def _sets(seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(N_SETS):
        yield rng


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_icc_matches_pingouin(monkeypatch):
    """All six forms, F, p and the CIs to 1e-9 (pingouin's CI95 rounding to 2 decimals switched off: the old
    0.005 tolerance could not see a wrong interval), on complete data and, for the two-way forms, with missing
    ratings under nan_policy="omit" (listwise deletion in both), text ids in shuffled rows."""
    pg = pytest.importorskip("pingouin")
    if "round.column.CI95" in getattr(pg, "options", {}):
        monkeypatch.setitem(pg.options, "round.column.CI95", None)
        ci_tol = TOL
    else:                                                # older pingouin: CIs printed to 2 decimals
        ci_tol = 0.005 + 1e-12
    for it, rng in enumerate(_sets(1)):
        n, k = rng.integers(3, 15), rng.integers(2, 6)
        y = rng.normal(size=(n, 1)) + rng.normal(size=(n, k)) * rng.uniform(0.2, 2) + rng.normal(size=k)
        y = np.round(y, 2)
        if it % 2:
            y[rng.random((n, k)) < 0.1] = np.nan
            if (~np.isnan(y)).all(axis=1).sum() < 3:
                continue
        long = to_long(y, rows="unit")
        if it % 4 == 1:
            long = long.sample(frac=1.0, random_state=it).assign(unit_id=lambda d: "u" + d["unit_id"].astype(str))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = icc(long, nan_policy="omit").to_frame()
            ref = pg.intraclass_corr(long, "unit_id", "rater_id", "rating", nan_policy="omit")
        rows = [0, 1, 2, 3, 4, 5] if not np.isnan(y).any() else [1, 2, 4, 5]   # one-way forms differ by design
        for col_ours, col_ref in (("icc", "ICC"), ("f", "F"), ("pvalue", "pval")):
            np.testing.assert_allclose(ours[col_ours].to_numpy()[rows], ref[col_ref].to_numpy()[rows],
                                       rtol=TOL, atol=TOL)
        np.testing.assert_allclose(ours["df2"].to_numpy()[rows], ref["df2"].to_numpy()[rows], rtol=TOL)
        ref_ci = np.vstack(ref["CI95"].to_numpy())[rows]
        np.testing.assert_allclose(ours[["ci_low", "ci_high"]].to_numpy()[rows], ref_ci, atol=ci_tol)


def test_cohen_kappa_matches_statsmodels():
    from statsmodels.stats.inter_rater import cohens_kappa
    for rng in _sets(2):
        k = rng.integers(2, 6)
        table = rng.integers(0, 12, size=(k, k)) + np.diag(rng.integers(1, 20, size=k))
        for ours_w, sm_kw in ((None, {}), ("linear", {"wt": "linear"}), ("quadratic", {"wt": "quadratic"})):
            ours = cohen_kappa(table=table, weights=ours_w)
            ref = cohens_kappa(table, **sm_kw)
            np.testing.assert_allclose([ours.statistic, ours.se, ours.se0],
                                       [ref.kappa, ref.std_kappa, ref.std_kappa0], rtol=TOL, atol=TOL)
        ours = cohen_kappa(table=table)
        np.testing.assert_allclose(ours.pvalue, cohens_kappa(table).pvalue_two_sided, rtol=1e-7, atol=TOL)


def test_fleiss_kappa_matches_statsmodels():
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss
    for rng in _sets(3):
        n, q, m = rng.integers(3, 20), rng.integers(2, 6), rng.integers(2, 9)
        p = rng.dirichlet(np.ones(q))
        counts = np.array([rng.multinomial(m, p) for _ in range(n)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = fleiss_kappa(counts)
            ours_r = fleiss_kappa(counts, method="randolph")
            ref = sm_fleiss(counts)
        np.testing.assert_allclose(ours.statistic, ref, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(ours_r.statistic, sm_fleiss(counts, method="randolph"), rtol=TOL, atol=TOL)


def test_marginal_homogeneity_matches_statsmodels():
    from statsmodels.stats.contingency_tables import SquareTable
    for rng in _sets(4):
        k = rng.integers(2, 6)
        table = rng.integers(1, 30, size=(k, k))
        st = SquareTable(table, shift_zeros=False)
        np.testing.assert_allclose(stuart_maxwell(table).statistic, st.homogeneity().statistic, rtol=TOL)
        np.testing.assert_allclose(bhapkar(table).statistic, st.homogeneity("bhapkar").statistic, rtol=TOL)


def _random_ratings(rng, numeric_levels=5, continuous=False):
    raters, units = rng.integers(2, 6), rng.integers(4, 25)
    if continuous:
        data = np.round(rng.gamma(2.0, 3.0, size=(raters, units)) + rng.normal(size=units) ** 2, 3)
    else:
        truth = rng.integers(1, numeric_levels + 1, size=units)
        noise = rng.integers(-1, 2, size=(raters, units)) * (rng.random((raters, units)) < 0.4)
        data = np.clip(truth + noise, 1, numeric_levels).astype(float)
    data[rng.random((raters, units)) < 0.2] = np.nan
    return data


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_matches_krippendorff_package(level):
    kd = pytest.importorskip("krippendorff")
    for rng in _sets(5):
        data = _random_ratings(rng, continuous=level in ("interval", "ratio") and rng.random() < 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ref = kd.alpha(reliability_data=data, level_of_measurement=level)
            except ValueError:          # fewer than two distinct values: the package refuses
                continue
            ours = krippendorff_alpha(to_long(data, rows="rater"), level=level).statistic
        if np.isfinite(ref):
            np.testing.assert_allclose(ours, ref, rtol=TOL, atol=TOL)


# --- dense transcription of irrCAC (K. Gwet, R package irrCAC, agree.coeff3.raw.r, 2021) --------------------------
def _dense(arr, weights):
    """Units x categories counts and agreement weights -> dict of irrCAC quantities (direct matrix formulas)."""
    arr = arr[arr.sum(1) > 0]
    n, q = arr.shape
    w = weights
    r = arr.sum(1)
    arr_w = (w @ arr.T).T
    sum_q = (arr * (arr_w - 1)).sum(1)
    n2 = (r >= 2).sum()
    pa = np.sum(sum_q[r >= 2] / (r * (r - 1))[r >= 2]) / n2
    pi = (arr / r[:, None]).mean(0)
    den = r * (r - 1)
    den = den - (den == 0)
    pa_i = sum_q / den
    out = {}
    # Gwet AC1/AC2 (gwet.ac1.raw)
    pe = w.sum() * np.sum(pi * (1 - pi)) / (q * (q - 1))
    ac = (pa - pe) / (1 - pe)
    ac_i = (n / n2) * (pa_i - pe * (r >= 2)) / (1 - pe)
    pe_i = (w.sum() / (q * (q - 1))) * (arr @ (1 - pi)) / r
    ac_x = ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
    out["gwet"] = (ac, np.sqrt(np.sum((ac_x - ac) ** 2) / (n * (n - 1))))
    # Fleiss (fleiss.kappa.raw), unweighted here
    pe = np.sum(w * np.outer(pi, pi))
    kap = (pa - pe) / (1 - pe)
    k_i = (n / n2) * (pa_i - pe * (r >= 2)) / (1 - pe)
    piw = (w @ pi + w.T @ pi) / 2
    pe_i = (arr @ piw) / r
    k_x = k_i - 2 * (1 - kap) * (pe_i - pe) / (1 - pe)
    out["fleiss"] = (kap, np.sqrt(np.sum((k_x - kap) ** 2) / (n * (n - 1))))
    # Krippendorff (krippen.alpha.raw)
    keep = r >= 2
    a, aw, rr = arr[keep], arr_w[keep], r[keep]
    nk = len(rr)
    rbar = rr.mean()
    eps = 1 / rr.sum()
    sq = (a * (aw - 1)).sum(1)
    paprime = np.sum(sq / (rbar * (rr - 1))) / nk
    pak = (1 - eps) * paprime + eps
    pik = (a / rbar).mean(0)
    pe = np.sum(w * np.outer(pik, pik))
    alpha = (pak - pe) / (1 - pe)
    alpha_p = (paprime - pe) / (1 - pe)
    pa_i = sq / (rbar * (rr - 1)) - paprime * (rr - rbar) / rbar
    kr_i = (pa_i - pe) / (1 - pe)
    piw = (w @ pik + w.T @ pik) / 2
    pe_i = (a @ piw) / rbar - pe * (rr - rbar) / rbar
    kr_x = kr_i - 2 * (1 - alpha_p) * (pe_i - pe) / (1 - pe)
    out["alpha"] = (alpha, np.sqrt(np.sum((kr_x - alpha_p) ** 2) / (nk * (nk - 1))))
    return out


def _counts(data, q):
    units = data.shape[1]
    out = np.zeros((units, q))
    for j in range(units):
        for v in data[:, j]:
            if v == v:
                out[j, int(v) - 1] += 1
    return out


def test_gwet_fleiss_alpha_match_dense_irrcac_formulas_with_missing_ratings():
    q = 5
    idx = np.arange(q)
    quad = 1 - (idx[:, None] - idx[None, :]) ** 2 / (q - 1) ** 2
    for rng in _sets(6):
        data = _random_ratings(rng, numeric_levels=q)
        if np.sum(np.sum(~np.isnan(data), axis=0) >= 2) < 2:
            continue
        long = to_long(data, rows="rater")
        counts = _counts(data, q)
        ref = _dense(counts, np.eye(q))
        ref_q = _dense(counts, quad)
        cats = list(range(1, q + 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = gwet_ac(long, categories=cats)
            g2 = gwet_ac(long, categories=cats, weights="quadratic")
            f = fleiss_kappa(data=long, categories=cats)
            a = krippendorff_alpha(long, level="nominal")
            ai = krippendorff_alpha(long, level="interval")
        np.testing.assert_allclose([g.statistic, g.se], ref["gwet"], rtol=TOL, atol=TOL)
        np.testing.assert_allclose([g2.statistic, g2.se], ref_q["gwet"], rtol=TOL, atol=TOL)
        if np.isfinite(f.statistic):
            np.testing.assert_allclose([f.statistic, f.se], ref["fleiss"], rtol=TOL, atol=TOL)
        if np.isfinite(a.statistic) and np.isfinite(a.se):
            np.testing.assert_allclose([a.statistic, a.se], ref["alpha"], rtol=TOL, atol=TOL)
        # interval alpha = alpha with quadratic weights on the observed values (weights scale-free)
        if np.isfinite(ai.statistic) and np.isfinite(ai.se):
            np.testing.assert_allclose([ai.statistic, ai.se], ref_q["alpha"], rtol=1e-8, atol=1e-9)
