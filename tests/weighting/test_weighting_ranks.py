"""Rank-based weights (ROC, rank sum, reciprocal) and Delphi consensus statistics."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from perfeval.errors import DegenerateDataWarning, InputError
from perfeval.weighting import delphi, kendall_w, positional_weights, rank_order


@pytest.mark.parametrize("method, expected", [
    ("roc", [0.5208, 0.2708, 0.1458, 0.0625]),
    ("rank_sum", [0.4, 0.3, 0.2, 0.1]),
    ("reciprocal", [0.48, 0.24, 0.16, 0.12]),
])
def test_rank_weights_n4(method, expected):
    """Barron & Barrett (1996) ROC and Stillwell, Seaver & Edwards (1981) rank-sum and reciprocal weights for
    n = 4 (reference-values.md, 4 / 1 / 2 decimals)."""
    res = rank_order(["a", "b", "c", "d"], method)
    np.testing.assert_allclose(res.weights, expected, atol=5e-5)
    assert res.weights.index.tolist() == ["a", "b", "c", "d"] and res.method == method
    np.testing.assert_allclose(positional_weights(4, method), expected, atol=5e-5)


def test_rank_input_forms_and_ties():
    by_series = rank_order(pd.Series({"x": 3, "y": 1, "z": 2}))
    assert by_series.weights.index.tolist() == ["x", "y", "z"]
    np.testing.assert_allclose(by_series.weights, positional_weights(3)[[2, 0, 1]])
    assert rank_order({"x": 30, "y": 10, "z": 20}).weights.equals(by_series.weights)  # only the order counts
    numbered = rank_order([2, 1])
    assert numbered.weights.index.tolist() == [1, 2] and numbered.weights[2] == pytest.approx(0.75)
    tied = rank_order({"a": 1, "b": 2, "c": 2, "d": 4}, "rank_sum")
    assert tied.weights.tolist() == pytest.approx([0.4, 0.25, 0.25, 0.1])
    frame = tied.to_frame()
    assert frame.columns.tolist() == ["item", "weight", "rank", "input_rank"]
    assert frame["rank"].tolist() == [1, 2, 2, 4] and frame["input_rank"].tolist() == [1, 2, 2, 4]


@pytest.mark.parametrize("ranks, pattern", [
    ({"a": 1, "b": 0}, r"`ranks` must be positive numbers .*'b': 0"),
    ({"a": 1, "b": "x"}, r"`ranks` must be positive numbers"),
    ([], r"`ranks` must rank at least one item"),
    (pd.Series([1, 2], index=["a", "a"]), r"`ranks` must name each item once; got duplicates \['a'\]"),
    (3, r"`ranks` must be a Series, a mapping, or a sequence"),
])
def test_rank_errors(ranks, pattern):
    with pytest.raises(InputError, match=pattern):
        rank_order(ranks)


def test_rank_bad_method_and_n():
    with pytest.raises(InputError, match=r"`method` must be one of 'roc', 'rank_sum', 'reciprocal'; got 'sr'"):
        rank_order(["a", "b"], "sr")
    with pytest.raises(InputError, match=r"`n` must be a positive integer; got 0"):
        positional_weights(0)


# --------------------------------------------------------------------------------------------------------------
# Delphi
# --------------------------------------------------------------------------------------------------------------
def test_kendall_w_matches_friedman_with_ties():
    """Kendall's W with the tie correction equals Friedman's chi-square / (m (n - 1)) (Kendall & Babington Smith
    1939): checked against scipy.stats.friedmanchisquare, which corrects for ties the same way."""
    ratings = pd.DataFrame([[5, 4, 2, 4], [4, 4, 3, 1], [5, 3, 1, 2], [3, 5, 2, 2], [5, 4, 4, 1]])
    w, chi2, df, p = kendall_w(ratings)
    fr = stats.friedmanchisquare(*[ratings[c] for c in ratings.columns])
    assert chi2 == pytest.approx(fr.statistic, rel=1e-12) and p == pytest.approx(fr.pvalue, rel=1e-12)
    assert w == pytest.approx(fr.statistic / (5 * 3)) and df == 3


def test_kendall_w_perfect_agreement_and_degenerate():
    agree = pd.DataFrame([[1, 2, 3], [1, 2, 3], [1, 2, 3]])
    assert kendall_w(agree)[0] == pytest.approx(1.0)
    with pytest.warns(DegenerateDataWarning, match="same value"):
        assert np.isnan(kendall_w(pd.DataFrame([[2, 2], [3, 3]]))[0])


def _rounds():
    experts = ["E1", "E2", "E3", "E4"]
    r1 = pd.DataFrame({"output": [5, 3, 5, 4], "effect": [4, 4, 2, 3], "cost": [1, 3, 2, 1]}, index=experts)
    r2 = pd.DataFrame({"output": [5, 4, 5, 4], "effect": [4, 4, 3, 3], "cost": [1, 2, 2, 1]}, index=experts)
    return r1, r2


def test_delphi_statistics_by_hand():
    r1, r2 = _rounds()
    res = delphi({"R1": r1, "R2": r2})
    st = res.stats.set_index(["round", "item"])
    assert res.stats.columns.tolist() == ["round", "item", "n", "mean", "median", "sd", "cv", "q1", "q3", "iqr",
                                          "mean_change", "converged"]
    out1, out2 = st.loc[("R1", "output")], st.loc[("R2", "output")]
    assert out1["mean"] == pytest.approx(4.25) and out1["sd"] == pytest.approx(np.std([5, 3, 5, 4], ddof=1))
    assert out1["cv"] == pytest.approx(out1["sd"] / 4.25) and out1["median"] == 4.5
    assert out1["q1"] == pytest.approx(3.75) and out1["iqr"] == pytest.approx(5 - 3.75)
    assert np.isnan(out1["mean_change"]) and not out1["converged"]
    assert out2["mean_change"] == pytest.approx((4.5 - 4.25) / 4.25) and bool(out2["converged"])
    cost2 = st.loc[("R2", "cost")]
    assert cost2["cv"] == pytest.approx(np.std([1, 2, 2, 1], ddof=1) / 1.5) and not cost2["converged"]
    assert res.rounds.columns.tolist() == ["round", "n_experts", "n_items", "kendall_w", "chi2", "df", "pvalue",
                                           "w_change", "converged"]
    assert res.rounds["kendall_w"].iloc[1] == pytest.approx(kendall_w(r2[["output", "effect", "cost"]])[0])
    assert res.rounds["w_change"].iloc[1] == pytest.approx(res.rounds["kendall_w"].diff().iloc[1])
    assert not res.converged  # the cost item still disagrees (CV 0.38 > 0.25)
    assert res.weights.index.tolist() == ["output", "effect", "cost"]
    assert res.weights.sum() == pytest.approx(1.0) and res.weights["output"] == pytest.approx(4.5 / 9.5)
    assert delphi([r1, r2], cv_max=0.5).converged


def test_delphi_long_table_equals_wide():
    r1, r2 = _rounds()
    long = pd.concat([r.rename_axis("expert_id").reset_index().melt("expert_id", var_name="item")
                      .assign(round=k) for k, r in ((1, r1), (2, r2))])
    a, b = delphi(long), delphi([r1, r2])
    pd.testing.assert_frame_equal(a.rounds, b.rounds)
    assert a.to_frame()["mean"].tolist() == pytest.approx(b.stats["mean"].tolist())
    assert "Delphi" in a._repr_html_()


def test_delphi_errors_and_degenerate_round():
    r1, _ = _rounds()
    with pytest.warns(DegenerateDataWarning, match=r"round 1: every expert rated every item the same"):
        res = delphi([pd.DataFrame({"a": [3, 3], "b": [3, 3]})])
    assert np.isnan(res.rounds["kendall_w"].iloc[0]) and not res.converged
    holes = r1.astype(float).copy()
    holes.loc["E2", "cost"] = np.nan
    with pytest.raises(InputError, match=r"round 1: every expert must rate every item .*expert E2 / item cost"):
        delphi([holes])
    with pytest.raises(InputError, match=r"round 1: consensus needs at least 2 experts and 2 items"):
        delphi([r1.iloc[:1]])
    long = pd.DataFrame({"round": [1, 1], "expert_id": ["E1", "E1"], "item": ["a", "a"], "value": [3, "x"]})
    with pytest.raises(InputError) as info:
        delphi(long)
    assert [p.code for p in info.value.problems] == ["bad_value", "duplicate"]
    with pytest.raises(InputError, match=r"missing_column: column\(s\) \['value'\] are required"):
        delphi(long.drop(columns="value"))
    with pytest.raises(InputError, match=r"`cv_max` must be a positive number; got 0"):
        delphi([r1], cv_max=0)
    with pytest.raises(InputError, match=r"`alpha` must be a positive number below 1; got 1.5"):
        delphi([r1], alpha=1.5)
    with pytest.raises(InputError, match=r"`rounds` must be a long DataFrame or a mapping/list"):
        delphi("rounds.csv")
    with pytest.raises(InputError, match=r"round 'x' must be a DataFrame"):
        delphi({"x": [[1, 2]]})


def test_delphi_kendall_w_is_the_agreement_implementation():
    """One Kendall's W in perfeval: the Delphi tuple is perfeval.agreement.kendall_w (experts in rows, ties
    corrected), including on tied ratings."""
    from perfeval.agreement import kendall_w as agreement_w
    ratings = pd.DataFrame([[5, 4, 2, 4], [4, 4, 3, 1], [5, 3, 1, 2], [3, 5, 2, 2], [5, 4, 4, 1]])
    ref = agreement_w(ratings.to_numpy(), rows="rater")
    assert kendall_w(ratings) == (ref.statistic, ref.chi2, ref.df, ref.pvalue)
    r1, r2 = _rounds()
    res = delphi([r1, r2])
    assert res.rounds["kendall_w"].tolist() == [agreement_w(r.to_numpy(), rows="rater").statistic for r in (r1, r2)]


def test_delphi_long_table_rounds_in_numeric_order_whatever_the_row_order():
    """A long table listing round 2 before round 1 used to be read in row order, so the change between rounds
    had the wrong sign and round 2 could never converge."""
    r1, r2 = _rounds()
    long = pd.concat([r.rename_axis("expert_id").reset_index().melt("expert_id", var_name="item")
                      .assign(round=k) for k, r in ((2, r2), (1, r1))])
    a, b = delphi(long), delphi([r1, r2])
    assert a.rounds["round"].tolist() == [1, 2]
    pd.testing.assert_frame_equal(a.rounds.drop(columns="round"), b.rounds.drop(columns="round"))
    assert a.stats["mean_change"].tolist() == pytest.approx(b.stats["mean_change"].tolist(), nan_ok=True)
    text = long.assign(round=long["round"].map({1: "first", 2: "second"}))
    assert delphi(text).rounds["round"].tolist() == ["second", "first"]     # text ids: order of appearance


def test_delphi_needs_a_round():
    with pytest.raises(InputError, match=r"`rounds` must hold at least one round; got none"):
        delphi([])
    with pytest.raises(InputError, match=r"`rounds` must be a long DataFrame or a mapping/list"):
        delphi("round1.csv")
