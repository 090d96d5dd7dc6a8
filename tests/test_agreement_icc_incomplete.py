"""ICC of incomplete designs: the two-way forms from Henderson's method I variance components."""
import math

import numpy as np
import pandas as pd
import pytest

from perfeval.agreement import icc, to_long
from perfeval.agreement._icc import _henderson_vc, _twoway_ms
from perfeval.errors import DegenerateDataWarning, InputError


def simulate(rng, n=40, k=6, va=1.0, vb=0.3, ve=0.5):
    return (rng.normal(0, math.sqrt(va), (n, 1)) + rng.normal(0, math.sqrt(vb), (1, k))
            + rng.normal(0, math.sqrt(ve), (n, k)) + 5.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_balanced_components_equal_the_anova_estimators(seed):
    """On complete data Henderson's method I is the ANOVA: s2e = MSE, s2a = (MSR-MSE)/k, s2b = (MSC-MSE)/n."""
    y = simulate(np.random.default_rng(seed), n=15, k=5)
    msr, _, msc, mse = _twoway_ms(y.copy())
    va, vb, ve, n, k, total = _henderson_vc(y.copy())
    assert (n, k, total) == (15, 5, 75)
    assert (va, vb, ve) == pytest.approx(((msr - mse) / 5, (msc - mse) / 15, mse), rel=1e-10, abs=1e-12)


def test_balanced_forms_equal_the_anova_forms():
    """The four two-way forms built from the components equal McGraw & Wong's ANOVA forms to 1e-8."""
    y = simulate(np.random.default_rng(3), n=12, k=4)
    anova = icc(to_long(y, rows="unit")).statistic
    va, vb, ve, n, k, _ = _henderson_vc(y.copy())
    direct = [va / (va + vb + ve), va / (va + ve), va / (va + (vb + ve) / k), va / (va + ve / k)]
    assert direct == pytest.approx(anova[["ICC(A,1)", "ICC(C,1)", "ICC(A,k)", "ICC(C,k)"]].tolist(), abs=1e-8)


def test_complete_data_take_the_anova_whatever_incomplete_says():
    long = to_long(simulate(np.random.default_rng(4), n=10, k=3), rows="unit")
    a = icc(long).to_frame()
    b = icc(long, nan_policy="omit", incomplete="variance_components")
    assert b.method == "anova"
    pd.testing.assert_frame_equal(a, b.to_frame())


def test_random_deletion_stays_close_to_the_complete_value():
    """40 targets x 6 raters, 25 % of the ratings deleted at random (fixed rng). The listwise ANOVA keeps only
    the few complete targets; the variance-components ICC(A,1) stays within 0.1 of the complete-data value (its
    sampling SD from the deletion alone is about 0.03-0.05 here, so 0.1 is a loose, safe bound)."""
    rng = np.random.default_rng(2024)
    y = simulate(rng)
    full = icc(to_long(y, rows="unit")).statistic
    holes = y.copy()
    holes[rng.random(y.shape) < 0.25] = np.nan
    long = to_long(holes, rows="unit").dropna()
    res = icc(long, nan_policy="omit", incomplete="variance_components")
    assert res.method == "variance_components" and res.n_targets == 40 and res.n_raters == 6
    assert res.k_mean == pytest.approx(len(long) / 40)
    for form in ("ICC(A,1)", "ICC(C,1)", "ICC(A,k)", "ICC(C,k)"):
        assert res.statistic[form] == pytest.approx(full[form], abs=0.1)
    frame = res.to_frame().set_index("type")
    assert frame.loc["ICC(A,1)", "k"] == pytest.approx(res.k_mean)
    assert frame.loc[["ICC(A,1)", "ICC(C,k)"], ["f", "pvalue", "ci_low", "ci_high"]].isna().all().all()
    assert np.isfinite(frame.loc["ICC(1,1)", ["ci_low", "ci_high"]].astype(float)).all()   # one-way kept
    # the one-way forms are the same as under the default (listwise) two-way path
    listwise = icc(long, nan_policy="omit").statistic
    assert res.statistic["ICC(1,1)"] == pytest.approx(listwise["ICC(1,1)"], abs=1e-12)


def test_components_are_unbiased_on_an_incomplete_design():
    """Henderson's method I is unbiased under the random model: over 300 replications with a fixed incomplete
    design (each target rated by 3 of 6 raters) the mean estimates are within 4 Monte Carlo SEs of the truth."""
    rng = np.random.default_rng(7)
    mask = np.zeros((30, 6), dtype=bool)
    for i in range(30):
        mask[i, rng.choice(6, 3, replace=False)] = True
    est = []
    for _ in range(300):
        y = simulate(rng, n=30, k=6, va=1.0, vb=0.5, ve=0.5)
        est.append(_henderson_vc(np.where(mask, y, np.nan))[:3])
    est = np.array(est)
    mean, se = est.mean(axis=0), est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(mean - [1.0, 0.5, 0.5]) < 4 * se)


def test_errors_and_degenerate_designs():
    long = to_long(simulate(np.random.default_rng(5), n=6, k=3), rows="unit")
    with pytest.raises(InputError, match="`incomplete` must be one of 'listwise', 'variance_components'"):
        icc(long, incomplete="reml")
    holes = long.iloc[1:]
    with pytest.raises(InputError, match="must have a rating for every"):
        icc(holes, incomplete="variance_components")         # nan_policy="raise" still refuses
    # each target rated by one rater only: no residual degrees of freedom
    single = pd.DataFrame({"unit_id": range(4), "rater_id": [0, 1, 0, 1], "rating": [1.0, 2.0, 3.0, 5.0]})
    with pytest.warns(DegenerateDataWarning, match="no residual degrees of freedom"):
        res = icc(single, nan_policy="omit", incomplete="variance_components")
    assert math.isnan(res.statistic["ICC(A,1)"])
    same = pd.DataFrame({"unit_id": [0, 0, 1, 1, 2, 2, 3], "rater_id": [0, 1, 0, 2, 1, 2, 0],
                         "rating": [3.0] * 7})
    with pytest.warns(DegenerateDataWarning, match="all ratings are identical"):
        res = icc(same, nan_policy="omit", incomplete="variance_components")
    assert math.isnan(res.statistic["ICC(A,1)"])
