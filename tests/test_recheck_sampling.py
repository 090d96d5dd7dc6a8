"""The re-check sample: allocation, inclusion probabilities (simple random and πps with certainty units, checked
against their empirical frequencies), and design-based population estimates worked by hand (Horvitz-Thompson
and Hájek with the finite-population correction)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from perfeval.errors import DataQualityWarning, InputError
from perfeval.recheck import DESIGN_COLUMNS, compare, design_estimate, sample_units


def units_frame(depts, sizes=None):
    frame = pd.DataFrame({"unit_id": [f"P{i:02d}" for i in range(len(depts))], "dept": list(depts)})
    if sizes is not None:
        frame["budget"] = sizes
    return frame


# ---------------------------------------------------------------------------------------------------------------
# sample_units
# ---------------------------------------------------------------------------------------------------------------
def test_stratified_simple_random_sample():
    units = units_frame("AAAAAABBBB")
    s = sample_units(units, n=5, strata="dept", rng=1)
    assert list(s.columns) == ["unit_id", "dept", *DESIGN_COLUMNS]
    assert s.groupby("stratum").size().to_dict() == {"A": 3, "B": 2}         # proportional: 3 and 2
    assert (s["inclusion_probability"] == 0.5).all() and (s["design_weight"] == 2.0).all()
    assert s.groupby("stratum")["stratum_size"].first().to_dict() == {"A": 6, "B": 4}
    assert (s["dept"] == s["stratum"]).all() and not s["certainty"].any()
    assert s.equals(sample_units(units, n=5, strata="dept", rng=1))          # reproducible from the seed


def test_allocation_gives_every_stratum_one_unit_and_keeps_n():
    """Quotas 3.6, 0.2, 0.2 for n = 4: one each for the small strata, the rest to the large one."""
    s = sample_units(units_frame("A" * 18 + "BC"), n=4, strata="dept", rng=2)
    assert s.groupby("stratum").size().to_dict() == {"A": 2, "B": 1, "C": 1}
    assert s.set_index("stratum")["inclusion_probability"].groupby(level=0).first().to_dict() == \
        pytest.approx({"A": 2 / 18, "B": 1.0, "C": 1.0})


def test_fraction_and_mapping():
    s = sample_units(units_frame("AAAAAABBBB"), frac=0.5, strata="dept", rng=3)
    assert s.groupby("stratum").size().to_dict() == {"A": 3, "B": 2}
    m = sample_units(units_frame("AAAAAABBBB"), n={"A": 1, "B": 4}, strata="dept", rng=3)
    assert m.groupby("stratum").size().to_dict() == {"A": 1, "B": 4}
    one = sample_units(units_frame("AAAAAABBBB"), n=3, rng=3)
    assert (one["stratum"] == "all").all() and (one["inclusion_probability"] == 0.3).all()


def test_pps_probabilities_with_certainty_units_by_hand():
    """Sizes 1 2 3 4 10 30, n = 3: 30 (3 x 30/50 > 1) and then 10 (2 x 10/20 = 1) are certain; the last draw
    goes to 1..4 with probabilities x / 10."""
    units = units_frame("AAAAAA", sizes=[1.0, 2.0, 3.0, 4.0, 10.0, 30.0])
    s = sample_units(units, n=3, pps="budget", rng=0)
    assert len(s) == 3 and {"P04", "P05"} <= set(s["unit_id"]) and s["certainty"].sum() == 2
    expected = np.array([0.1, 0.2, 0.3, 0.4, 1.0, 1.0])
    counts = np.zeros(6)
    gen = np.random.default_rng(2024)
    draws = 1000
    for _ in range(draws):
        picked = sample_units(units, n=3, pps="budget", rng=gen)
        counts[picked["unit_id"].str[1:].astype(int).to_numpy()] += 1
        pi = dict(zip(picked["unit_id"], picked["inclusion_probability"]))
        assert all(pi[u] == pytest.approx(expected[int(u[1:])]) for u in pi)
    se = np.sqrt(expected * (1 - expected) / draws)
    assert np.all(np.abs(counts / draws - expected) <= 4 * se + 1e-12)


@pytest.mark.parametrize("kwargs, error, match", [
    ({}, ValueError, "pass exactly one of `n`"),
    ({"n": 3, "frac": 0.5}, ValueError, "pass exactly one of `n`"),
    ({"frac": 1.5}, ValueError, r"`frac` must be a number in \(0, 1\]"),
    ({"n": 0}, ValueError, "`n` must be a positive integer"),
    ({"n": 1, "strata": "dept"}, ValueError, r"`n` must be at least the number of strata \(2\)"),
    ({"n": 11}, InputError, "sample_larger_than_population"),
    ({"n": {"A": 7}, "strata": "dept"}, InputError, r"stratum A: sample_larger_than_stratum: the sample asked for "
                                                    r"\(7\) is larger than the stratum \(6 units\)"),
    ({"n": {"Z": 1}, "strata": "dept"}, InputError, "unknown_stratum"),
    ({"n": {"A": 1.5}, "strata": "dept"}, ValueError, "`n` must map strata to non-negative integers"),
    ({"n": 2, "strata": "region"}, InputError, "`strata` must name columns of `units`"),
    ({"n": 2, "pps": "size"}, InputError, "`pps` must name a column of `units`"),
])
def test_sample_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        sample_units(units_frame("AAAAAABBBB"), **kwargs)


def test_located_unit_errors():
    units = units_frame("AABB", sizes=[1.0, 0.0, np.nan, 2.0])
    units.loc[3, "unit_id"] = "P00"
    units.loc[2, "dept"] = None
    with pytest.raises(InputError) as err:
        sample_units(units, n=2, strata="dept", pps="budget")
    found = {(p.code, p.location) for p in err.value.problems}
    # a frame built in code is located as the CSV it would be: <name>:<row>:<column>
    assert found == {("duplicate_unit", "units:5:unit_id"), ("missing_value", "units:4:dept"),
                     ("invalid_size", "units:3:budget"), ("invalid_size", "units:4:budget")}
    read = units.assign(source_file="units.csv", source_row=[12, 13, 14, 15])
    read.attrs["headers"] = {"units.csv": {"unit_id": "项目编码"}}
    with pytest.raises(InputError) as err:
        sample_units(read, n=2, strata="dept", pps="budget")
    assert ("duplicate_unit", "units.csv:15:项目编码") in {(p.code, p.location) for p in err.value.problems}
    with pytest.raises(TypeError, match="`units` must be a pandas DataFrame"):
        sample_units([1, 2], n=1)
    with pytest.raises(InputError, match="`units` must have a `unit_id` column"):
        sample_units(pd.DataFrame({"x": [1]}), n=1)


# ---------------------------------------------------------------------------------------------------------------
# design-based estimates
# ---------------------------------------------------------------------------------------------------------------
def hand_sample():
    """Stratum A: N = 4, n = 2 (pi = 1/2), deviations 2 and 4; stratum B: N = 6, n = 3 (pi = 1/2), 1, 1, 4."""
    return pd.DataFrame({"unit_id": ["a1", "a2", "b1", "b2", "b3"], "stratum": list("AABBB"),
                         "stratum_size": [4, 4, 6, 6, 6], "stratum_sample_size": [2, 2, 3, 3, 3],
                         "inclusion_probability": 0.5})


def test_horvitz_thompson_by_hand():
    """HT mean = (4/2 (2 + 4) + 6/3 (1 + 1 + 4)) / 10 = 2.4; v = (4/10)^2 (1 - 2/4) s_A^2 / 2
    + (6/10)^2 (1 - 3/6) s_B^2 / 3 with s_A^2 = 2, s_B^2 = 3: 0.08 + 0.18 = 0.26; t with 5 - 2 = 3 df."""
    est = design_estimate([2.0, 4.0, 1.0, 1.0, 4.0], hand_sample(), estimator="ht")
    se = math.sqrt(0.26)
    t = stats.t.ppf(0.975, 3)
    assert est["estimate"] == pytest.approx(2.4, abs=1e-12)
    assert est["se"] == pytest.approx(se, abs=1e-12)
    assert (est["ci_low"], est["ci_high"]) == pytest.approx((2.4 - t * se, 2.4 + t * se), abs=1e-12)
    assert (est["df"], est["n"], est["population_size"]) == (3.0, 5, 10.0)
    # stratified simple random sampling: Hájek = HT (sum of weights = N in every stratum)
    assert design_estimate([2.0, 4.0, 1.0, 1.0, 4.0], hand_sample())["estimate"] == pytest.approx(2.4)


def test_hajek_with_unequal_weights_by_hand():
    """One stratum, pi = 0.5, 0.25, 0.2 (w = 2, 4, 5), y = 1, 2, 4, no population size: N-hat = 11,
    mean = (2 + 8 + 20)/11; z_i = w_i (y_i - mean)/11, v = n/(n-1) sum (z - z-bar)^2, no FPC."""
    sample = pd.DataFrame({"unit_id": ["x", "y", "z"], "inclusion_probability": [0.5, 0.25, 0.2]})
    y, w = np.array([1.0, 2.0, 4.0]), np.array([2.0, 4.0, 5.0])
    mean = (w * y).sum() / w.sum()
    z = w * (y - mean) / w.sum()
    v = 3 / 2 * ((z - z.mean()) ** 2).sum()
    est = design_estimate(y, sample)
    assert est["estimate"] == pytest.approx(30 / 11, abs=1e-12)
    assert est["se"] == pytest.approx(math.sqrt(v), abs=1e-12)
    ht = design_estimate(y, sample, estimator="ht")
    assert ht["estimate"] == pytest.approx(30 / 11, abs=1e-12)          # N estimated by the weights: the same


def test_certainty_units_add_no_variance_and_shares_are_clipped():
    sample = pd.DataFrame({"unit_id": list("abc"), "stratum": "S", "stratum_size": 5, "stratum_sample_size": 3,
                           "inclusion_probability": [1.0, 0.5, 0.5]})
    a = design_estimate([10.0, 1.0, 3.0], sample, estimator="ht")
    b = design_estimate([99.0, 1.0, 3.0], sample, estimator="ht")
    assert a["se"] == pytest.approx(b["se"])                               # the certain unit's value is known
    # FPC of the non-certain part: (n - c)/(N - c) = 2/4; v = (1 - 1/2) x 2 x sum (z - zbar)^2, z = 2y/5
    z = np.array([2.0, 6.0]) / 5
    assert a["se"] == pytest.approx(math.sqrt(0.5 * 2 * ((z - z.mean()) ** 2).sum()))
    share = design_estimate([1.0, 1.0, 0.0], sample)
    assert 0.0 <= share["ci_low"] and share["ci_high"] <= 1.0


def test_lonely_stratum_warns_and_missing_values_are_non_response():
    sample = hand_sample()
    with pytest.warns(DataQualityWarning, match="single responding unit"):
        est = design_estimate([2.0, np.nan, 1.0, 1.0, 4.0], sample)
    assert est["n"] == 4
    assert math.isnan(design_estimate([np.nan] * 5, sample)["estimate"])


def test_design_estimate_errors():
    with pytest.raises(ValueError, match="`estimator` must be one of"):
        design_estimate([1.0], hand_sample().iloc[:1], estimator="pps")
    with pytest.raises(ValueError, match="one value per row of `sample`"):
        design_estimate([1.0, 2.0], hand_sample())
    with pytest.raises(InputError, match="`sample` must have an `inclusion_probability` column"):
        design_estimate([1.0], pd.DataFrame({"unit_id": ["a"]}))
    with pytest.raises(InputError, match=r"`inclusion_probability` must be in \(0, 1\]"):
        design_estimate([1.0], pd.DataFrame({"inclusion_probability": [1.5]}))
    with pytest.raises(ValueError, match="`confidence_level` must be strictly between 0 and 1"):
        design_estimate([1.0], hand_sample().iloc[:1], confidence_level=1)


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")  # every grade shift is 0
def test_compare_estimates_the_population_from_the_sample():
    """compare(..., sample=) gives the HT population bias of test_horvitz_thompson_by_hand and the recheck grade
    shares; a sampled unit without a re-check is non-response, reported."""
    sample = pd.concat([hand_sample(), pd.DataFrame({"unit_id": ["b4"], "stratum": ["B"], "stratum_size": [6],
                                                     "stratum_sample_size": [3], "inclusion_probability": [0.5]})])
    rec = [80.0, 70.0, 91.0, 85.0, 60.0]
    dev = [2.0, 4.0, 1.0, 1.0, 4.0]
    self_ = pd.DataFrame({"unit_id": ["a1", "a2", "b1", "b2", "b3", "b4"], "self_total": [*np.add(rec, dev), 90.0]})
    recheck = pd.DataFrame({"unit_id": ["a1", "a2", "b1", "b2", "b3"], "recheck_total": rec})
    with pytest.warns(DataQualityWarning, match="not_rechecked x1, sample_unit_not_compared x1"):
        res = compare(self_, recheck, sample=sample, estimator="ht")
    pop = res.population.set_index(["quantity", "grade"])
    assert pop.loc[("mean_bias", None), "estimate"] == pytest.approx(2.4)
    assert pop.loc[("mean_bias", None), "se"] == pytest.approx(math.sqrt(0.26))
    # re-check grades: a1 良, a2 中, b1 优, b2 良, b3 中; HT share of 优 = 2 x 1 / 10
    assert pop.loc[("recheck_grade_share", "优"), "estimate"] == pytest.approx(0.2)
    assert pop.loc[("share_inflated", None), "estimate"] == pytest.approx(1.0)
    assert set(pop.index.get_level_values(0)) == {"mean_bias", "mae", "share_inflated", "disconnect_rate",
                                                  "downgrade_rate", "net_disconnect", "self_grade_share",
                                                  "recheck_grade_share"}
    with pytest.raises(InputError, match="`sample` must be a DataFrame with `unit_id`"):
        compare(self_, recheck, sample=pd.DataFrame({"x": [1]}))


def test_sampling_the_province_by_budget():
    import perfeval as pe

    data = pe.load_sample()
    frame = data.units.merge(data.budget[["unit_id", "budget_full_year"]], on="unit_id")
    s = sample_units(frame, n=30, strata="department_id", pps="budget_full_year", rng=7)
    assert len(s) == 30 and s["stratum"].nunique() == frame["department_id"].nunique()
    by = s.groupby("stratum")
    assert (by["stratum_sample_size"].first() == by.size()).all()
