"""Re-evaluation: a re-check inflated by exactly 5 points worked by hand, accuracy rules and flags, units in one
scoring only, ScoreResults compared leaf by leaf, the sample province's planted inflation and downgrades."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import perfeval as pe
from perfeval.errors import DataQualityWarning, DegenerateDataWarning, InputError
from perfeval.recheck import ACCURACY, STATISTICS, UNIT_FLAGS, RecheckRules, compare

R = [50.0, 70.0, 76.0, 82.0, 86.0, 93.0]   # re-check totals: 差 中 中 良 良 优
AMOUNT = [1.0, 1.0, 1.0, 1.0, 1.0, 5.0]


def totals(values, column, ids=None, **extra):
    ids = ids or [f"U{i}" for i in range(len(values))]
    return pd.DataFrame({"unit_id": ids, column: values, **extra})


@pytest.fixture(scope="module")
def inflated():
    """Every unit's self-evaluation is exactly 5 points above its re-check."""
    self_ = totals([r + 5 for r in R], "claimed_total", budget_full_year=AMOUNT)
    with pytest.warns(DegenerateDataWarning, match="all differences are identical"):
        return compare(self_, totals(R, "recheck_total"))


def wilson(k, n, z=stats.norm.ppf(0.975)):
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, c - h), min(1.0, c + h)


def test_inflated_by_exactly_five_points(inflated):
    """Bias 5, share inflated 1, MAE = RMSE = 5, none within 3 points, all within 5, limits of agreement 5."""
    s = inflated.summary
    assert s.at["n", "estimate"] == 6
    for key in ("mean_bias", "median_bias", "mae", "rmse", "ba_lower", "ba_upper"):
        assert s.at[key, "estimate"] == pytest.approx(5.0, abs=1e-12), key
    assert (s.at["mean_bias", "ci_low"], s.at["mean_bias", "ci_high"]) == pytest.approx((5.0, 5.0), abs=1e-12)
    assert s.at["share_inflated", "estimate"] == 1.0
    assert (s.at["share_inflated", "ci_low"], s.at["share_inflated", "ci_high"]) == pytest.approx(wilson(6, 6))
    assert s.at["share_within_3", "estimate"] == 0.0 and s.at["share_within_5", "estimate"] == 1.0
    assert (inflated.units["deviation"] == 5).all() and (inflated.units["rel_deviation"] == 5 / np.array(R)).all()


def test_inflated_agreement_coefficients_by_hand(inflated):
    """x = y + 5: CCC = 2v / (2v + 25) with v the n-divisor variance (Lin 1989); ICC(A,1) = MSR / (MSR + k MSC / n)
    with MSR = 2 var(y, ddof=1), MSC = 6 (2.5^2 + 2.5^2) = 75, MSE = 0, i.e. 2v1 / (2v1 + 25)."""
    v, v1 = np.var(R), np.var(R, ddof=1)
    assert inflated.statistic("ccc") == pytest.approx(2 * v / (2 * v + 25), abs=1e-12)
    assert inflated.statistic("icc_a1") == pytest.approx(2 * v1 / (2 * v1 + 25), abs=1e-12)


def test_inflated_grades_accuracy_and_disconnect_by_hand(inflated):
    """Self 55 75 81 87 91 98 (差 中 良 良 优 优) vs re-check 差 中 中 良 良 优: units 2 and 4 are downgraded one
    grade; |d| = 5 keeps 准确 for the other four and 基本准确 for the two (<= 10 points, one grade)."""
    u = inflated.units
    assert u["self_grade"].tolist() == ["差", "中", "良", "良", "优", "优"]
    assert u["recheck_grade"].tolist() == ["差", "中", "中", "良", "良", "优"]
    assert u["grade_steps"].tolist() == [0, 0, 1, 0, 1, 0]
    assert u["accuracy"].tolist() == ["准确", "准确", "基本准确", "准确", "基本准确", "准确"]
    s = inflated.summary
    assert s.at["grade_exact", "estimate"] == pytest.approx(4 / 6)
    assert s.at["disconnect_rate", "estimate"] == pytest.approx(2 / 6)
    assert s.at["downgrade_rate", "estimate"] == pytest.approx(2 / 6)
    assert s.at["upgrade_rate", "estimate"] == 0.0
    assert s.at["share_accurate", "estimate"] == pytest.approx(4 / 6)
    # net disconnect on 良 or better: 4 by self, 3 by re-check; paired Wald interval (b = 1, c = 0, n = 6)
    se = math.sqrt((1 - 1 / 6) / 36)
    z = stats.norm.ppf(0.975)
    assert s.at["net_disconnect", "estimate"] == pytest.approx(1 / 6)
    assert (s.at["net_disconnect", "ci_low"], s.at["net_disconnect", "ci_high"]) == pytest.approx(
        (1 / 6 - z * se, 1 / 6 + z * se))
    assert inflated.transitions.loc["良", "中"] == 1 and inflated.transitions.loc["优", "良"] == 1
    assert inflated.transitions.to_numpy().sum() == 6 and list(inflated.transitions.columns) == ["优", "良", "中", "差"]


def test_inflated_budget_weighted(inflated):
    """Amounts 1 1 1 1 1 5: weighted bias 5; the two downgraded units hold 2 of 10; net disconnect 1 of 10."""
    s = inflated.summary["budget_weighted"]
    assert s["n"] == 10 and s["mean_bias"] == pytest.approx(5.0) and s["mae"] == pytest.approx(5.0)
    assert s["disconnect_rate"] == pytest.approx(0.2) and s["downgrade_rate"] == pytest.approx(0.2)
    assert s["net_disconnect"] == pytest.approx(0.1) and s["share_inflated"] == 1.0
    assert s["ba_lower"] == pytest.approx(5.0) and s["ba_upper"] == pytest.approx(5.0)
    assert math.isnan(s["icc_a1"]) and math.isnan(s["stuart_maxwell"])       # no budget-weighted form
    assert inflated.statistic("mean_bias", weighted=True) == pytest.approx(5.0)
    assert list(inflated.summary.index) == list(STATISTICS)


# Four units worked by hand: self 92 85 75 58 (优 良 中 差), re-check 90 78 76 62 (优 中 中 中), amounts 1 2 3 4.
HAND_SELF, HAND_RECHECK, HAND_AMOUNT = [92.0, 85.0, 75.0, 58.0], [90.0, 78.0, 76.0, 62.0], [1.0, 2.0, 3.0, 4.0]


@pytest.fixture(scope="module")
def hand4():
    return compare(totals(HAND_SELF, "self_total"), totals(HAND_RECHECK, "recheck_total"),
                   units=totals(HAND_AMOUNT, "budget_full_year"))


def test_budget_weighted_bias_and_limits_by_hand(hand4):
    """d = 2 7 -1 -4, a = 1 2 3 4: V1 = 10, V2 = 30; weighted bias (2 + 14 - 3 - 16) / 10 = -0.3 (unweighted 1);
    residuals 2.3 7.3 -0.7 -3.7, weighted SS 5.29 + 2(53.29) + 3(0.49) + 4(13.69) = 168.1, unbiased reliability-
    weights variance 168.1 / (V1 - V2/V1) = 168.1 / 7; limits -0.3 -/+ 1.96 sqrt(168.1 / 7); n = 10 (the budget)."""
    w = hand4.summary["budget_weighted"]
    sd = math.sqrt(168.1 / 7)
    assert w["n"] == pytest.approx(10.0) and hand4.statistic("n") == 4
    assert w["mean_bias"] == pytest.approx(-0.3) and hand4.statistic("mean_bias") == pytest.approx(1.0)
    assert w["ba_lower"] == pytest.approx(-0.3 - 1.96 * sd) and w["ba_upper"] == pytest.approx(-0.3 + 1.96 * sd)
    # WLS slope of d on the pair mean and the CCC from weighted (divisor V1) moments
    a, s, r = np.array(HAND_AMOUNT), np.array(HAND_SELF), np.array(HAND_RECHECK)
    m, d = (s + r) / 2, s - r
    assert w["ba_slope"] == pytest.approx(np.polyfit(m, d, 1, w=np.sqrt(a))[0])
    cov = np.cov(s, r, aweights=a, bias=True)
    mean_s, mean_r = np.average(s, weights=a), np.average(r, weights=a)
    assert w["ccc"] == pytest.approx(2 * cov[0, 1] / (cov[0, 0] + cov[1, 1] + (mean_s - mean_r) ** 2))


def test_budget_weighted_kappa_and_ac2_by_hand(hand4):
    """Budget-share transition table: 优->优 0.1, 良->中 0.2, 中->中 0.3, 差->中 0.4. Linear disagreement |i-j|/3:
    observed 0.2 (1/3) + 0.4 (1/3) = 15/75; margins rows .1 .2 .3 .4, columns .1 0 .9 0, expected
    0.1 (0 + .2/3 + .3 (2/3) + .4) + 0.9 (.1 (2/3) + .2/3 + .4/3) = 23/75; kappa_w = 1 - 15/23 = 8/23.
    AC2: pa = 0.8, pi = .1 .1 .6 .2, sum pi(1-pi) = 0.58, chance factor sum(w) / (q(q-1)) = (28/3) / 12 = 7/9,
    pe = 7 (0.58) / 9 = 203/450, AC2 = (360 - 203) / (450 - 203) = 157/247."""
    w = hand4.summary["budget_weighted"]
    assert w["kappa_weighted"] == pytest.approx(8 / 23)
    assert w["gwet_ac2"] == pytest.approx(157 / 247)
    assert w["grade_exact"] == pytest.approx(0.4) and w["disconnect_rate"] == pytest.approx(0.6)
    assert math.isnan(w["icc_a1"]) and math.isnan(w["stuart_maxwell"])
    assert not math.isnan(hand4.statistic("icc_a1")) and hand4.statistic("kappa_weighted") != pytest.approx(8 / 23)


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")
def test_budget_weighted_with_equal_amounts_is_the_unweighted_statistic():
    """Equal amounts: weighted limits (n-1 SD), slope, CCC (n divisor), kappa and AC2 equal the unweighted ones."""
    self_, rec = totals(HAND_SELF + [81.0, 66.0], "self_total"), totals(HAND_RECHECK + [84.0, 59.0], "recheck_total")
    res = compare(self_, rec, units=totals([7.0] * 6, "budget_full_year"))
    for key in ("mean_bias", "ba_lower", "ba_upper", "ba_slope", "ccc", "kappa_weighted", "gwet_ac2"):
        assert res.statistic(key, weighted=True) == pytest.approx(res.statistic(key), abs=1e-12), key
    assert res.statistic("n", weighted=True) == 42.0


def test_without_amounts_the_weighted_column_is_nan_without_a_warning():
    """No `units=` and a totals table without budget_full_year: all NaN, no error and no warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = compare(totals(HAND_SELF, "self_total"), totals(HAND_RECHECK, "recheck_total"))
    assert res.summary["budget_weighted"].isna().all() and res.summary["estimate"].notna().sum() > 20
    assert "total budget of the units compared" in STATISTICS["n"]
    assert "no budget-weighted form" in STATISTICS["icc_a1"] and "no budget-weighted form" in \
        STATISTICS["stuart_maxwell"]


def test_grade_agreement_uses_the_full_declared_scale(inflated):
    """The kappa of the summary is cohen_kappa with the four grades declared, linear weights."""
    k = pe.agreement.cohen_kappa(inflated.units["self_grade"], inflated.units["recheck_grade"], weights="linear",
                                 categories=["优", "良", "中", "差"])
    assert inflated.statistic("kappa_weighted") == pytest.approx(k.statistic, abs=1e-12)
    sm = pe.agreement.stuart_maxwell(k.table)
    assert inflated.statistic("stuart_maxwell") == pytest.approx(sm.statistic)
    assert inflated.summary.at["stuart_maxwell", "pvalue"] == pytest.approx(sm.pvalue)


def test_accuracy_rule_is_configurable():
    self_ = totals([88.0, 95.0, 70.0], "self_total")
    rec = totals([84.0, 82.0, 69.0], "recheck_total")
    res = compare(self_, rec)
    assert res.units["accuracy"].tolist() == ["准确", "不准确", "准确"]   # 4 pts same grade; 13 pts
    loose = compare(self_, rec, rules={"basic_gap": 15.0})
    assert loose.units["accuracy"].tolist() == ["准确", "基本准确", "准确"]
    strict = compare(self_, rec, rules=RecheckRules(accurate_gap=3.0))
    assert strict.units["accuracy"].tolist() == ["基本准确", "不准确", "准确"]
    assert ACCURACY == ("准确", "基本准确", "不准确") and strict.rules.to_dict()["accurate_gap"] == 3.0


def test_unit_flags():
    """100 self-scored, a two-grade jump, a total near a cut-point, and PMKPI's red light
    ((s/90 - b/10) / (s/90) > 0.05 with s = 95 - 5 = 90 indicator points and b = 5 execution points)."""
    self_ = totals([100.0, 91.0, 80.4, 95.0, 85.0], "self_total", execution_score=[10.0, 9.0, 9.0, 5.0, 8.5])
    rec = totals([97.0, 75.0, 78.0, 94.0, 84.0], "recheck_total")
    flags = compare(self_, rec).units["flags"].str.split(";").tolist()
    assert "self_full_marks" in flags[0]
    assert "two_grade_jump" in flags[1]
    assert "near_cut" in flags[2] and "near_cut" not in flags[0]
    assert "completion_above_execution" in flags[3] and "completion_above_execution" not in flags[4]
    assert set(UNIT_FLAGS) >= {f for fl in flags for f in fl if f}


def test_outside_loa_flag_and_drivers_from_indicators():
    self_ = totals([90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 90.0], "self_total")
    rec = totals([89.0, 90.5, 91.0, 92.5, 93.0, 94.5, 95.0, 70.0], "recheck_total")
    ind = pd.DataFrame({"unit_id": "U7", "indicator": ["a", "b", "c", "d"], "score": [30.0, 20.0, 20.0, 10.0],
                        "recheck_score": [15.0, 18.0, 17.0, 10.0]})
    res = compare(self_, rec, indicators=ind)
    u = res.units.set_index("unit_id")
    assert "outside_loa" in u.at["U7", "flags"]
    # deviation 20; indicator deviations a 15, b 2, c 3, d 0: a then c (15 + 3) reach 0.8 x 20 = 16
    assert u.at["U7", "drivers"] == "a;c" and u.at["U0", "drivers"] == ""
    assert res.indicators.set_index("key").at["a", "deviation"] == 15.0


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")  # two units: no CCC
def test_units_in_one_scoring_only_are_reported():
    self_ = totals([90.0, 80.0, 70.0], "self_total", ids=["A", "B", "X"])
    rec = totals([85.0, 80.0, 60.0], "recheck_total", ids=["A", "B", "Y"])
    with pytest.warns(DataQualityWarning, match="not_rechecked x1, not_in_self x1"):
        res = compare(self_, rec)
    assert res.units["unit_id"].tolist() == ["A", "B"]
    assert {(p.code, p.location) for p in res.problems} == {("not_rechecked", "unit X"), ("not_in_self", "unit Y")}


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")  # two units
def test_score_results_compared_leaf_by_leaf():
    obs = pd.DataFrame({"unit_id": ["P1"] * 3 + ["P2"] * 3, "l1": ["产出指标", "效益指标", "满意度指标"] * 2,
                        "l2": ["数量指标", "社会效益指标", "服务对象满意度指标"] * 2,
                        "indicator": ["培训人次", "就业率", "满意度"] * 2,
                        "target": ["≥1000人次", "≥80%", "≥90%"] * 2,
                        "actual": ["1200人次", "80%", "95%", "900人次", "72%", "90%"],
                        "points": [50.0, 30.0, 10.0] * 2, "score": [50.0, 30.0, 10.0, 45.0, 30.0, 10.0]})
    budget = pd.DataFrame({"unit_id": ["P1", "P2"], "budget_full_year": [100.0, 100.0],
                           "executed": [100.0, 90.0], "score": [10.0, 9.0]})
    recheck_obs = obs.assign(actual=["1000人次", "76%", "95%", "900人次", "72%", "90%"])
    self_res = pe.score("project_self", obs, budget)
    rec_res = pe.score("project_self", recheck_obs, budget)
    scored = compare(self_res, rec_res, self_total="scored")
    u = scored.units.set_index("unit_id")
    # P1 by the rules: 100 vs 10 + 50 + 28.5 + 10 = 98.5; P2 unchanged 9 + 45 + 27 + 10 = 91
    assert u.at["P1", "deviation"] == pytest.approx(1.5) and u.at["P2", "deviation"] == pytest.approx(0.0)
    assert u.at["P1", "drivers"] == "就业率" and u.at["P1", "execution_score"] == pytest.approx(10.0)
    claimed = compare(self_res, rec_res)                       # claimed: P2 claims 45 + 30 + 10 + 9 = 94
    assert claimed.units.set_index("unit_id").at["P2", "self_total"] == pytest.approx(94.0)
    assert set(scored.indicators["key"]) >= {"output.quantity.1", "effect.social.1", "execution"}


def test_province_recheck_finds_the_planted_inflation_and_downgrades():
    """The sample province's self-evaluations are inflated (dataset.yaml truth: claimed mean above the true
    mean): the re-check shows a positive bias whose interval excludes 0, most units inflated, and exactly the
    downgrades a direct grading of the two files gives."""
    data = pe.load_sample()
    with pytest.warns(DataQualityWarning, match="not_rechecked"):
        res = compare(data.budget, data.recheck, indicators=data.recheck_indicators, units=data.units)
    truth = data.meta["truth"]
    assert truth["mean_claimed_total"] > truth["mean_true_total"]
    assert len(res.units) == len(data.recheck)
    assert res.summary.at["mean_bias", "ci_low"] > 0 and res.statistic("share_inflated") > 0.5
    claimed = data.budget.set_index("unit_id")["claimed_total"].reindex(data.recheck["unit_id"])
    rank = {"优": 0, "良": 1, "中": 2, "差": 3}
    down = [u for u, a, b in zip(data.recheck["unit_id"], pe.grade(claimed.to_numpy()),
                                 pe.grade(data.recheck["recheck_total"].to_numpy())) if rank[b] > rank[a]]
    assert down and sorted(res.units.loc[res.units["grade_steps"] > 0, "unit_id"]) == sorted(down)
    assert res.statistic("downgrade_rate") == pytest.approx(len(down) / len(data.recheck))
    assert res.statistic("n", weighted=True) == pytest.approx(
        data.budget.set_index("unit_id")["budget_full_year"].reindex(data.recheck["unit_id"]).sum())
    by = res.by("department_id")
    assert by.loc[by["statistic"] == "n", "estimate"].sum() == len(data.recheck)
    assert (res.units["drivers"] != "").sum() > len(res.units) / 2
    assert "RecheckResult" in res._repr_html_() and "mean_bias" in repr(res)


@pytest.mark.parametrize("self_, rec, match", [
    (totals([1.0], "other"), totals([1.0], "recheck_total"), "missing_column"),
    (totals([1.0, 2.0], "self_total", ids=["A", "A"]), totals([1.0], "recheck_total", ids=["A"]), "duplicate_unit"),
    (totals(["x"], "self_total"), totals([1.0], "recheck_total"), "not_numeric"),
    (totals([1.0], "self_total", ids=["A"]), totals([1.0], "recheck_total", ids=["B"]), "no_common_units"),
])
def test_input_errors(self_, rec, match):
    with pytest.raises(InputError, match=match):
        compare(self_, rec)


def test_duplicate_units_are_located():
    self_ = totals([90.0, 91.0], "self_total", ids=["A", "A"], source_file="self.csv", source_row=[2, 3])
    with pytest.raises(InputError) as err:
        compare(self_, totals([90.0], "recheck_total", ids=["A"]))
    assert err.value.problems[0].location == "self.csv:3:unit_id"


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")
@pytest.mark.parametrize("kwargs, error, match", [
    ({"rules": {"gap": 3}}, ValueError, "`rules` must use the fields of RecheckRules"),
    ({"rules": {"accurate_gap": 12.0}}, ValueError, "the accurate rule must be at least as strict"),
    ({"rules": {"kappa_weights": "cubic"}}, ValueError, "`kappa_weights` must be 'linear' or 'quadratic'"),
    ({"rules": {"max_drivers": -1}}, ValueError, "`max_drivers` must be an integer >= 0"),
    ({"rules": {"multiplier": 0}}, ValueError, "`multiplier` must be a positive number"),
    ({"rules": {"near_cut": -1}}, ValueError, "`near_cut` must be a number >= 0"),
    ({"rules": {"tolerances": (3.0,)}}, ValueError, "`tolerances` must hold two numbers"),
    ({"rules": {"satisfactory": "甲"}}, ValueError, "`rules.satisfactory` must be a grade of the bands"),
    ({"rules": 5}, TypeError, "`rules` must be a RecheckRules"),
    ({"estimator": "pps"}, ValueError, "`estimator` must be one of"),
    ({"confidence_level": 0}, ValueError, "`confidence_level` must be strictly between 0 and 1"),
    ({"units": pd.DataFrame({"x": [1]})}, InputError, "`units` must be a DataFrame with a `unit_id` column"),
])
def test_option_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        compare(totals([90.0, 80.0], "self_total"), totals([85.0, 80.0], "recheck_total"), **kwargs)


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")
def test_other_errors():
    self_, rec = totals([90.0, 80.0], "self_total"), totals([85.0, 80.0], "recheck_total")
    with pytest.raises(TypeError, match="`self_scores` must be a ScoreResult or a DataFrame"):
        compare([90.0], rec)
    res = compare(self_, rec)
    with pytest.raises(ValueError, match="`column` must be a column of the compared units"):
        res.by("region")
    with pytest.raises(ValueError, match="`name` must be one of"):
        res.statistic("bias")
    with pytest.raises(InputError, match="duplicate_unit"):
        compare(self_, rec, units=pd.DataFrame({"unit_id": ["U0", "U0"]}))
    with pytest.raises(InputError, match="duplicate_row"):
        compare(self_, rec, indicators=pd.DataFrame({"unit_id": ["U0", "U0"], "indicator": ["a", "a"],
                                                     "score": [1.0, 1.0], "recheck_score": [1.0, 1.0]}))
    with pytest.raises(InputError, match="missing_column"):
        compare(self_, rec, indicators=pd.DataFrame({"unit_id": ["U0"], "indicator": ["a"]}))


@pytest.mark.filterwarnings("ignore::perfeval.errors.DataQualityWarning")
@pytest.mark.parametrize("module", ["perfeval.recheck.compare", "perfeval.recheck.audit",
                                    "perfeval.recheck.sampling", "perfeval.recheck._findings",
                                    "perfeval.plotting.recheck"])
def test_docstring_examples(module):
    """The Examples sections run (the sample-based ones on the shipped province)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")
def test_claimed_total_of_a_score_result_carries_not_applicable_rows_like_the_rules():
    """培训场次 (20 of the 50 quantity points) is not applicable: its points go to 培训人次 (30 -> 50, domain.md
    §5.3 rule 6), so the claim of 30 on 培训人次 counts 50 in the claimed total, as the rule's own total does:
    10 + 50 + 30 + 10 = 100 claimed and scored, no deviation."""
    obs = pd.DataFrame({"unit_id": "P1", "l1": ["产出指标", "产出指标", "效益指标", "满意度指标"],
                        "l2": ["数量指标", "数量指标", "社会效益指标", "服务对象满意度指标"],
                        "indicator": ["培训人次", "培训场次", "就业率", "满意度"],
                        "target": ["≥1000人次", "≥20场", "≥80%", "≥90%"], "actual": ["1200人次", "", "85%", "95%"],
                        "points": [30.0, 20.0, 30.0, 10.0], "score": [30.0, np.nan, 30.0, 10.0],
                        "applicable": [True, False, True, True]})
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [100.0], "score": [10.0]})
    res = pe.score("project_self", obs, budget)
    assert res.totals["total"].iat[0] == pytest.approx(100.0)
    cmp = compare(res, totals([100.0], "recheck_total", ids=["P1"]))
    assert cmp.units["self_total"].iat[0] == pytest.approx(100.0)


def _two_projects():
    """P1 claims 50 + 30 + 10 + 10 = 100 on its rows, P2 45 + 30 + 10 + 9 = 94; their forms print 总分 101 (one
    point above the rows, as units write it: domain.md §11) and 94."""
    obs = pd.DataFrame({"unit_id": ["P1"] * 3 + ["P2"] * 3, "l1": ["产出指标", "效益指标", "满意度指标"] * 2,
                        "l2": ["数量指标", "社会效益指标", "服务对象满意度指标"] * 2,
                        "indicator": ["培训人次", "就业率", "满意度"] * 2,
                        "target": ["≥1000人次", "≥80%", "≥90%"] * 2,
                        "actual": ["1200人次", "80%", "95%", "900人次", "72%", "90%"],
                        "points": [50.0, 30.0, 10.0] * 2, "score": [50.0, 30.0, 10.0, 45.0, 30.0, 10.0]})
    budget = pd.DataFrame({"unit_id": ["P1", "P2"], "budget_full_year": [100.0, 100.0],
                           "executed": [100.0, 90.0], "score": [10.0, 9.0], "claimed_total": [101.0, 94.0]})
    return obs, budget


@pytest.mark.filterwarnings("ignore::perfeval.errors.DegenerateDataWarning")
def test_the_written_total_is_the_self_total_and_its_source_is_said():
    """With the totals the units wrote (claimed_totals=, e.g. the budget table's 总分), the self total of a
    ScoreResult is the written one (P1: 101, not perfeval's 100 from its rows) and ``self_total_source`` says
    ``claimed``; a unit that wrote none keeps the roll-up of its claimed rows (``computed``); the rules' scores
    ignore the written totals (``scored``); a totals table is the claim itself."""
    obs, budget = _two_projects()
    res = pe.score("project_self", obs, budget)
    rec = totals([95.0, 90.0], "recheck_total", ids=["P1", "P2"])
    cmp = compare(res, rec, claimed_totals=budget)
    u = cmp.units.set_index("unit_id")
    assert u.at["P1", "self_total"] == 101.0 and u.at["P1", "deviation"] == pytest.approx(6.0)
    assert u["self_total_source"].tolist() == ["claimed", "claimed"]
    assert cmp.units.columns[:4].tolist() == ["unit_id", "self_total", "self_total_source", "recheck_total"]
    assert cmp.self_total_sources() == {"claimed": 2}
    partial = compare(res, rec, claimed_totals={"P1": 101.0, "P2": np.nan})
    assert partial.units.set_index("unit_id")[["self_total", "self_total_source"]].to_dict("index") == {
        "P1": {"self_total": 101.0, "self_total_source": "claimed"},
        "P2": {"self_total": pytest.approx(94.0), "self_total_source": "computed"}}
    assert compare(res, rec).self_total_sources() == {"computed": 2}          # no written totals given
    scored = compare(res, rec, self_total="scored", claimed_totals=budget)
    assert scored.self_total_sources() == {"scored": 2}
    assert scored.units.set_index("unit_id").at["P1", "self_total"] == pytest.approx(100.0)
    assert compare(budget, rec).self_total_sources() == {"claimed": 2}       # a budget table: 总分 as written
    generic = compare(totals([99.0, 93.0], "total", ids=["P1", "P2"]), rec)
    assert generic.self_total_sources() == {"table": 2}
    with pytest.raises(InputError, match="`claimed_totals` must have `unit_id` and `claimed_total`"):
        compare(res, rec, claimed_totals=pd.DataFrame({"unit_id": ["P1"], "x": [1.0]}))


def test_small_samples_carry_a_note(inflated):
    """Fewer than 10 units compared (6 here): a ``small_sample`` note in the result, its summary frame's attrs, its
    text and HTML views; none from 10 units on; the threshold is a rule."""
    assert inflated.small_sample and len(inflated.notes) == 1
    note = inflated.notes[0]
    assert note.startswith("small_sample: only 6 unit(s) compared (fewer than 10)") and "仅供参考" in note
    assert inflated.summary.attrs["notes"] == [note]
    assert "small_sample=True" in repr(inflated) and "only 6 unit(s) compared" in inflated._repr_html_()
    ten = [60.0 + 3 * i for i in range(10)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        big = compare(totals([r + 1 for r in ten], "claimed_total"), totals(ten, "recheck_total"))
        stricter = compare(totals([r + 1 for r in ten], "claimed_total"), totals(ten, "recheck_total"),
                           rules={"small_sample": 30})
    assert big.notes == () and not big.small_sample and big.summary.attrs["notes"] == []
    assert "small_sample" not in repr(big)
    assert stricter.notes[0].startswith("small_sample: only 10 unit(s) compared (fewer than 30)")
    with pytest.raises(ValueError, match="`small_sample` must be an integer >= 0"):
        RecheckRules(small_sample=-1)
