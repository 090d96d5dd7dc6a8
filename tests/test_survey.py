"""Satisfaction surveys: answers as written, the two conventions worked by hand, Wilson bounds to 1e-12 and against
Newcombe (1998), t intervals, Kish's n_eff, the sample-size tables of Krejcie & Morgan (1970) and Yamane (1967),
bad answers located, and the observations fragment scored through pe.score."""
from __future__ import annotations

import math
import warnings
from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import perfeval as pe
from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.survey import (SCALES, effective_sample_size, merge_observations, read_answers, sample_size,
                             satisfaction, t_interval, wilson_interval)

Z95 = 1.959963984540054  # float of Phi^-1(0.975) = 1.95996398454005423552...


# ---------------------------------------------------------------------------------------------------------------
# precision
# ---------------------------------------------------------------------------------------------------------------
def wilson_by_quadratic(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Hand-worked Wilson bounds: the roots in pi of (p - pi)^2 = z^2 pi (1 - pi) / n, i.e.
    (1 + z^2/n) pi^2 - (2p + z^2/n) pi + p^2 = 0, solved in 50-digit decimal arithmetic."""
    getcontext().prec = 50
    p, n_, z2 = Decimal(k) / Decimal(n), Decimal(n), Decimal(repr(z)) ** 2
    a, b, c = 1 + z2 / n_, -(2 * p + z2 / n_), p * p
    root = (b * b - 4 * a * c).sqrt()
    return float((-b - root) / (2 * a)), float((-b + root) / (2 * a))


@pytest.mark.parametrize("k, n", [(81, 263), (15, 148), (0, 20), (1, 29), (8, 10), (29, 29), (450, 500)])
def test_wilson_bounds_equal_the_hand_worked_roots_to_1e_12(k, n):
    low, high = wilson_interval(k, n)
    want_low, want_high = wilson_by_quadratic(k, n)
    assert abs(low - max(want_low, 0.0)) < 1e-12 and abs(high - min(want_high, 1.0)) < 1e-12


def test_wilson_bounds_match_newcombe_1998_table_ii():
    """Newcombe (1998), Statistics in Medicine 17, 857-872, Table II, method 3 (score interval without
    continuity correction), printed to four decimals."""
    published = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605), (0, 20): (0.0000, 0.1611),
                 (1, 29): (0.0061, 0.1718)}
    for (k, n), (lo, hi) in published.items():
        low, high = wilson_interval(k, n)
        assert (round(low, 4), round(high, 4)) == (lo, hi)


def test_wilson_agrees_with_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for k, n, conf in [(81, 263, 0.95), (3, 7, 0.9), (99, 100, 0.99)]:
        got = wilson_interval(k, n, conf)
        want = proportion_confint(k, n, alpha=1 - conf, method="wilson")
        assert np.allclose(got, want, rtol=0, atol=1e-12)


def test_wilson_refuses_impossible_counts():
    assert all(math.isnan(b) for b in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="`successes`"):
        wilson_interval(5, 4)
    with pytest.raises(ValueError, match="`confidence`"):
        wilson_interval(1, 4, confidence=95)


def test_t_interval_by_hand_and_with_weights():
    # 60, 80, 80, 100: mean 80, s^2 = 800/3, SE = s/2, t(0.975, 3) = 3.182 (printed t tables: 3.182)
    t3 = stats.t.ppf(0.975, 3)
    assert round(t3, 3) == 3.182
    mean, low, high = t_interval([60, 80, 80, 100])
    half = t3 * math.sqrt(800 / 3) / 2
    assert mean == 80 and abs(low - (80 - half)) < 1e-12 and abs(high - (80 + half)) < 1e-12
    # weights 1, 1, 1, 3 on 60, 80, 80, 100: mean = 520/6, s_w^2 = sum w (x - m)^2 / 6, n_eff = 36/12 = 3
    x, w = np.array([60, 80, 80, 100.0]), np.array([1, 1, 1, 3.0])
    m = 520 / 6
    s2 = float(np.sum(w * (x - m) ** 2) / 6)
    half = stats.t.ppf(0.975, 2) * math.sqrt(s2 / 2)
    mean, low, high = t_interval(x, w)
    assert abs(mean - m) < 1e-12 and abs(low - (m - half)) < 1e-12 and abs(high - (m + half)) < 1e-12
    assert math.isnan(t_interval([70])[1])


def test_kish_effective_sample_size():
    assert effective_sample_size([2, 2, 2]) == 3.0
    assert effective_sample_size([1, 1, 1, 3]) == 3.0            # 6^2 / 12
    assert effective_sample_size([1, 3]) == 16 / 10
    with pytest.raises(ValueError):
        effective_sample_size([1, 0])


#: Krejcie & Morgan (1970), Table 1: required sample size s for population N (95 %, d = 0.05, P = 0.5).
KREJCIE_MORGAN = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48, 60: 52, 65: 56, 70: 59,
    75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86, 120: 92, 130: 97, 140: 103, 150: 108, 160: 113,
    170: 118, 180: 123, 190: 127, 200: 132, 210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155,
    270: 159, 280: 162, 290: 165, 300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196, 420: 201,
    440: 205, 460: 210, 480: 214, 500: 217, 550: 226, 600: 234, 650: 242, 700: 248, 750: 254, 800: 260,
    850: 265, 900: 269, 950: 274, 1000: 278, 1100: 285, 1200: 291, 1300: 297, 1400: 302, 1500: 306,
    1600: 310, 1700: 313, 1800: 317, 1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338,
    3000: 341, 3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367, 9000: 368,
    10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381, 75000: 382, 1000000: 384}

#: Yamane (1967), the ±5 % column of his table (95 %, P = 0.5).
YAMANE = {500: 222, 1000: 286, 1500: 316, 2000: 333, 2500: 345, 3000: 353, 3500: 359, 4000: 364, 4500: 367,
          5000: 370, 6000: 375, 7000: 378, 8000: 381, 9000: 383, 10000: 385, 15000: 390, 20000: 392,
          25000: 394, 50000: 397, 100000: 398}


def test_sample_size_reproduces_krejcie_and_morgan_table_1():
    got = {N: sample_size(N, method="krejcie_morgan", rounding="nearest") for N in KREJCIE_MORGAN}
    assert got == KREJCIE_MORGAN


def test_sample_size_reproduces_yamane_table():
    assert {N: sample_size(N, method="yamane", rounding="nearest") for N in YAMANE} == YAMANE


def test_sample_size_cochran_with_finite_population_correction():
    # n0 = 1.959964^2 * 0.25 / 0.05^2 = 384.146; n = n0 / (1 + (n0 - 1) / N), rounded up
    assert [sample_size(N) for N in (100, 1000, 10000)] == [80, 278, 370]
    assert sample_size(None) == sample_size(float("inf")) == 385
    assert sample_size(1000, margin=0.03) == 517       # n0 = 1067.07; 1067.07 / (1 + 1066.07/1000) = 516.5
    assert sample_size(5) == 5                            # never more than the population
    n0 = Z95 ** 2 * 0.2 * 0.8 / 0.04 ** 2
    assert sample_size(2000, margin=0.04, p=0.8) == math.ceil(n0 / (1 + (n0 - 1) / 2000))
    with pytest.raises(ValueError, match="Yamane"):
        sample_size(1000, confidence=0.9, method="yamane")
    with pytest.raises(ValueError, match="`margin`"):
        sample_size(1000, margin=5)
    with pytest.raises(ValueError, match="`method`"):
        sample_size(1000, method="slovin")


# ---------------------------------------------------------------------------------------------------------------
# the two conventions, worked by hand
# ---------------------------------------------------------------------------------------------------------------
Q1 = ["非常满意"] * 4 + ["满意"] * 3 + ["比较满意", "一般", "不满意", "不清楚", None]


def wide(q1=Q1, unit="0010003", **extra):
    frame = pd.DataFrame({"问卷编号": [f"R{i:02d}" for i in range(1, len(q1) + 1)], "项目编码": unit, "Q1": q1})
    for k, v in extra.items():
        frame[k] = v
    return frame


def test_share_of_satisfied_over_valid_answers():
    res = satisfaction(wide(), method="share")
    row = res.table.iloc[0]
    assert (row["n_respondents"], row["n_valid"], row["n_unknown"], row["n_blank"]) == (12, 10, 1, 1)
    assert row["value"] == pytest.approx(80.0, abs=1e-12)                 # 8 of 10 valid
    low, high = wilson_interval(8, 10)
    assert (row["low"], row["high"]) == pytest.approx((100 * low, 100 * high), abs=1e-12)
    assert row["interval"] == "wilson" and row["n_eff"] == 10
    narrow = satisfaction(wide(), method="share", satisfied=["非常满意", "满意"])
    assert narrow.table["value"].iat[0] == pytest.approx(70.0, abs=1e-12)
    assert res.policy["satisfied"] == {"labels": sorted(["非常满意", "满意", "比较满意"])}


def test_weighted_score_with_default_and_configured_level_scores():
    # six levels, 100 (6 - i) / 6: 100, 83.33, 66.67, 50, 33.33, 16.67
    res = satisfaction(wide(), method="score")
    want = (4 * 100 + 3 * 500 / 6 + 400 / 6 + 50 + 200 / 6) / 10               # = 80.0
    assert res.table["value"].iat[0] == pytest.approx(want, abs=1e-12)
    scores = {"非常满意": 100, "满意": 80, "比较满意": 70, "一般": 60, "不满意": 40, "非常不满意": 20}
    res = satisfaction(wide(), method="score", level_scores=scores)
    x = [100] * 4 + [80] * 3 + [70, 60, 40]
    mean, low, high = t_interval(x)
    assert res.table["value"].iat[0] == pytest.approx(81.0, abs=1e-12) == mean
    assert (res.table["low"].iat[0], res.table["high"].iat[0]) == pytest.approx((low, high), abs=1e-12)
    assert res.table["interval"].iat[0] == "t"
    five = satisfaction(wide(["非常满意", "满意", "一般", "不满意", "非常不满意"]), method="score", scale="labels5")
    assert five.table["value"].iat[0] == pytest.approx(60.0)                 # (100 + 80 + 60 + 40 + 20) / 5


def test_method_must_be_chosen_and_choices_checked():
    with pytest.raises(TypeError):
        satisfaction(wide())                                                 # no default convention
    with pytest.raises(ValueError, match="`method`"):
        satisfaction(wide(), method="rate")
    with pytest.raises(ValueError, match="`satisfied`"):
        satisfaction(wide(), method="share", satisfied=["很好"])
    with pytest.raises(ValueError, match="`level_scores`"):
        satisfaction(wide(), method="score", level_scores={"非常满意": 100})
    with pytest.raises(ValueError, match="satisfied="):
        satisfaction(wide([9, 8]), method="share", scale="1-10")


def test_numeric_scales_and_answers_as_written():
    res = satisfaction(wide([5, "4", "４", "3分", 2, 1, "", "不了解"]), method="share", scale="1-5")
    row = res.table.iloc[0]
    assert (row["n_valid"], row["n_unknown"], row["n_blank"]) == (6, 1, 1)
    assert row["value"] == pytest.approx(300 / 6)                             # 5, 4, 4 of 6
    ten = satisfaction(wide([10, 9, 7, 6, 3]), method="share", scale="1-10", satisfied=range(7, 11))
    assert ten.table["value"].iat[0] == pytest.approx(60.0)
    score = satisfaction(wide([10, 9, 7, 6, 3]), method="score", scale="1-10")
    assert score.table["value"].iat[0] == pytest.approx((100 + 90 + 70 + 60 + 30) / 5)
    letters = satisfaction(wide(["A.非常满意", "B、满意", "（E）不满意", "很满意"]), method="share")
    assert letters.table["value"].iat[0] == pytest.approx(75.0)


def test_per_indicator_per_group_and_design_weights():
    long = pd.DataFrame({
        "respondent_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "unit_id": "P1",
        "question": ["Q1", "Q2"] * 4,
        "answer": ["非常满意", "一般", "满意", "满意", "不满意", "不清楚", "一般", "一般"],
        "受访者类别": ["城镇", "城镇", "城镇", "城镇", "农村", "农村", "农村", "农村"],
        "权重": [1, 1, 1, 1, 3, 3, 3, 3]})
    mapping = {"Q1": "服务对象满意度", "Q2": "服务对象满意度"}
    # respondent values: a = 1/2, b = 1, c = 0 (Q2 unknown), d = 0
    res = satisfaction(long, method="share", mapping=mapping)
    row = res.table.iloc[0]
    assert row["indicator"] == "服务对象满意度" and row["n_valid"] == 4
    assert row["value"] == pytest.approx(100 * 1.5 / 4) and row["interval"] == "t"
    weighted = satisfaction(long, method="share", mapping=mapping, weights="权重")
    assert weighted.table["value"].iat[0] == pytest.approx(100 * 1.5 / 8)      # (0.5 + 1 + 0 + 0) / (1+1+3+3)
    assert weighted.table["n_eff"].iat[0] == pytest.approx(64 / 20)
    groups = satisfaction(long, method="share", group="受访者类别")
    q1 = groups.table[groups.table["question"] == "Q1"].set_index("group")["value"]
    assert q1.to_dict() == pytest.approx({"城镇": 100.0, "农村": 0.0})


# ---------------------------------------------------------------------------------------------------------------
# bad answers are located problems, never dropped
# ---------------------------------------------------------------------------------------------------------------
def test_every_bad_answer_is_located():
    frame = wide(["非常满意", "非常好", "满意", "6"], unit=["P1", "P1", "P2", "P1"])
    frame.loc[3, "问卷编号"] = "R01"                                          # R01 again, on the same project
    with pytest.raises(InputError) as err:
        satisfaction(frame, method="share", units=["P1"])
    found = {(p.location, p.code) for p in err.value.problems}
    assert found == {("answers:3:Q1", "unknown_answer"), ("answers:4:项目编码", "unknown_unit"),
                     ("answers:5:Q1", "duplicate_answer"), ("answers:5:Q1", "out_of_scale")}
    with pytest.raises(InputError) as err:
        satisfaction(wide([5, 6, 4.5, "满意"]), method="share", scale="1-5")
    assert [(p.location, p.code) for p in err.value.problems] == [
        ("answers:3:Q1", "out_of_scale"), ("answers:4:Q1", "out_of_scale"), ("answers:5:Q1", "unknown_answer")]


def test_a_respondent_under_two_projects_and_bad_weights(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("问卷编号,项目编码,题目,回答,权重\nR1,P1,Q1,满意,1\nR1,P2,Q2,满意,0\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        satisfaction(path, method="share", weights="权重")
    assert {(p.location, p.code) for p in err.value.problems} == {
        (f"{path}:3:项目编码", "respondent_two_units"), (f"{path}:3:权重", "bad_weight")}


def test_a_respondent_whose_rows_disagree_on_weight_or_group():
    long = pd.DataFrame({"respondent_id": ["a", "a", "b"], "unit_id": "P1", "question": ["Q1", "Q2", "Q1"],
                         "answer": "满意", "group": ["城镇", "农村", "城镇"], "weight": [1, 2, 1]})
    with pytest.raises(InputError) as err:
        satisfaction(long, method="share", weights="weight", group="group")
    assert {(p.location, p.code) for p in err.value.problems} == {
        ("answers:3:weight", "inconsistent_weight"), ("answers:3:group", "inconsistent_group")}
    assert satisfaction(long, method="share").table["n_valid"].tolist() == [2, 1]   # neither column used


def test_unmapped_question_is_located():
    with pytest.raises(InputError) as err:
        satisfaction(wide(["满意"], Q2="满意"), method="share", mapping={"Q1": "服务对象满意度"})
    assert [(p.location, p.code) for p in err.value.problems] == [("answers:2:Q2", "unmapped_question")]


def test_read_answers_long_and_wide_agree():
    w = wide(["满意", "一般"], Q2=["非常满意", None])
    got = read_answers(w)
    assert got[["respondent_id", "question"]].values.tolist() == [["R01", "Q1"], ["R01", "Q2"], ["R02", "Q1"],
                                                                  ["R02", "Q2"]]
    assert got["answer"].tolist()[:3] == ["满意", "非常满意", "一般"] and pd.isna(got["answer"].iat[3])
    long = got.drop(columns=["source_file", "source_row", "source_column"])
    a = satisfaction(long, method="score").table
    b = satisfaction(w, method="score").table
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------------------------------------------------------
# observations fragment scored through pe.score
# ---------------------------------------------------------------------------------------------------------------
def survey_of(unit: str, satisfied: int, total: int = 100) -> pd.DataFrame:
    answers = ["满意"] * satisfied + ["不满意"] * (total - satisfied) + ["不清楚"] * 5
    return pd.DataFrame({"respondent_id": [f"R{i}" for i in range(len(answers))], "unit_id": unit,
                         "Q1": answers})


def satisfaction_node(result, unit):
    nodes = result.nodes
    return nodes[(nodes["unit_id"] == unit) & (nodes["name"] == "服务对象满意度")].iloc[0]


def sample_satisfaction_row():
    """The sample's first 服务对象满意度 row with a target ``≥T%`` (T < 90), read from the data, not pinned."""
    import re

    obs = pe.load_sample().observations
    for _, row in obs[obs["indicator"] == "服务对象满意度"].iterrows():
        m = re.fullmatch(r"≥(\d+)%", str(row["target"]))
        if m and int(m.group(1)) < 90:
            return obs[obs["unit_id"] == row["unit_id"]], row["unit_id"], int(m.group(1)), row["actual"]
    pytest.fail("the sample has no 服务对象满意度 row with a target ≥T% below 90")


@pytest.mark.parametrize("offset", [+5, -10])
def test_fragment_merges_and_scores_the_satisfaction_row(offset):
    obs, unit, target, actual_before = sample_satisfaction_row()
    satisfied = target + offset                                               # above or below the target
    res = satisfaction(survey_of(unit, satisfied), method="share", mapping={"Q1": "服务对象满意度"}, units=[unit])
    fragment = res.to_observations()
    assert fragment.columns.tolist() == ["unit_id", "indicator", "actual", "unit", "n", "interval", "interval_low",
                                         "interval_high", "survey_method"]
    assert fragment["n"].iat[0] == 100 and fragment["actual"].iat[0] == pytest.approx(satisfied)
    before_merge = obs.copy()
    merged = merge_observations(obs, fragment)
    pd.testing.assert_frame_equal(obs, before_merge)                          # input untouched
    row = merged[merged["indicator"] == "服务对象满意度"].iloc[0]
    assert row["actual"] == f"{satisfied}%" and row["survey_n"] == 100
    typed = obs.copy()
    typed.loc[typed["indicator"] == "服务对象满意度", "actual"] = f"{satisfied}%"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        from_survey = satisfaction_node(pe.score("project_self", merged), unit)
        by_hand = satisfaction_node(pe.score("project_self", typed), unit)
        before = satisfaction_node(pe.score("project_self", obs), unit)
    assert from_survey["score"] == by_hand["score"] and from_survey["actual"] == f"{satisfied}%"
    assert before["actual"] == actual_before
    if offset > 0:
        assert from_survey["achievement"] == 1.0
    else:
        assert from_survey["achievement"] < 1.0


def test_fragment_without_a_matching_row_is_located():
    data = pe.load_sample()
    res = satisfaction(survey_of("0010003", 90), method="share", mapping={"Q1": "不存在的满意度指标"})
    with pytest.raises(InputError) as err:
        merge_observations(data.observations, res.to_observations())
    assert [(p.location, p.code) for p in err.value.problems] == [("fragment:2:indicator", "no_matching_row")]
    with pytest.raises(ValueError, match="mapping"):
        satisfaction(survey_of("0010003", 90), method="share").to_observations()


# ---------------------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------------------
def test_cli_survey_rate_and_plan(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    survey_of("0010003", 90).to_csv(answers, index=False)
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("题目,三级指标\nQ1,服务对象满意度\n", encoding="utf-8")
    out = tmp_path / "fragment.csv"
    assert main(["survey", "rate", str(answers), "--method", "share", "--mapping", str(mapping),
                 "--out", str(out), "--lang", "en"]) == 0
    frag = pd.read_csv(out, dtype={"unit_id": str})
    assert frag[["unit_id", "indicator", "actual", "n"]].values.tolist() == [["0010003", "服务对象满意度", 90.0, 100]]
    assert main(["survey", "plan", "--population", "1000"]) == 0
    assert capsys.readouterr().out.strip().endswith("278")
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit_id,Q1\nR1,P1,满意\nR2,P1,挺好\nR3,P9,满意\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name\nP1,甲项目\n", encoding="utf-8")
    assert main(["survey", "rate", str(bad), "--method", "share", "--units", str(units)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:Q1: unknown_answer" in err and f"{bad}:4:unit_id: unknown_unit" in err
    assert main(["survey", "rate", str(answers), "--method", "share", "--scale", "1-10"]) == 1
    assert "bad_argument" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), data=st.data(), conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_contains_the_estimate_and_matches_the_quadratic(n, data, conf):
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n, conf)
    assert 0 <= low <= k / n <= high <= 1
    want = wilson_by_quadratic(k, n, float(stats.norm.ppf(0.5 + conf / 2)))
    assert abs(low - max(want[0], 0.0)) < 1e-12 and abs(high - min(want[1], 1.0)) < 1e-12


@settings(max_examples=25, deadline=None)
@given(answers=st.lists(st.sampled_from(["非常满意", "满意", "比较满意", "一般", "不满意", "非常不满意", "不清楚", ""]),
                        min_size=1, max_size=40), weight=st.floats(0.1, 50), seed=st.integers(0, 10 ** 6))
def test_equal_weights_and_respondent_order_change_nothing(answers, weight, seed):
    frame = wide(answers)
    base = satisfaction(frame, method="score").table
    shuffled = frame.sample(frac=1, random_state=seed)
    pd.testing.assert_frame_equal(satisfaction(shuffled, method="score").table, base)
    weighted = satisfaction(frame.assign(权重=weight), method="score", weights="权重").table
    cols = ["n_valid", "n_unknown", "n_blank", "value", "low", "high", "n_eff"]
    pd.testing.assert_frame_equal(weighted[cols], base[cols], rtol=1e-9, atol=1e-9)
