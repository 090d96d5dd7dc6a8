"""AHP on one matrix: published cases, random-index tables, missing comparisons, suggestions, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfeval.errors import InconsistentJudgementsWarning, InputError
from perfeval.weighting import AHPResult, RI_SOURCES, RI_TABLES, SAATY_SCALE, ahp, gci_threshold

CITY = ["culture", "family", "housing", "jobs", "transportation"]
SAATY2004 = pd.DataFrame([[1, 1 / 5, 3, 1 / 2, 5], [5, 1, 7, 1, 7], [1 / 3, 1 / 7, 1, 1 / 4, 3],
                          [2, 1, 4, 1, 7], [1 / 5, 1 / 7, 1 / 3, 1 / 7, 1]], index=CITY, columns=CITY)
WANG_CHIN = np.array([[1, 4, 3, 1, 3, 4], [1 / 4, 1, 7, 3, 1 / 5, 1], [1 / 3, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 6],
                      [1, 1 / 3, 5, 1, 1, 1 / 3], [1 / 3, 5, 5, 1, 1, 3], [1 / 4, 1, 6, 3, 1 / 3, 1]])


def _from_pairs(pairs: dict[tuple[str, str], float], items: list[str]) -> pd.DataFrame:
    m = pd.DataFrame(np.nan, index=items, columns=items)
    for (a, b), v in pairs.items():
        m.loc[a, b] = v
    return m


DRINKS = _from_pairs({
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("water", "coffee"): 2, ("water", "wine"): 9, ("water", "tea"): 9, ("water", "beer"): 3,
    ("water", "soda"): 2, ("water", "milk"): 3, ("tea", "wine"): 3, ("beer", "wine"): 9, ("beer", "tea"): 3,
    ("beer", "milk"): 1, ("soda", "wine"): 9, ("soda", "tea"): 4, ("soda", "beer"): 2, ("soda", "milk"): 2,
    ("milk", "wine"): 9, ("milk", "tea"): 3}, ["coffee", "wine", "tea", "beer", "soda", "milk", "water"])


# --------------------------------------------------------------------------------------------------------------
# published values
# --------------------------------------------------------------------------------------------------------------
def test_ri_tables_exactly_as_published():
    """RI tables of Saaty (1980), Saaty (2005), Donegan & Dodd (1991) and Tummala & Ling (1998), n = 3..15, as
    printed in reference-values.md; RI = 0 for n <= 2."""
    expected = {
        "saaty1980": [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59],
        "saaty2005": [0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59],
        "donegan_dodd": [0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643,
                         1.4822, 1.4969],
        "tummala_ling": [0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882, 1.5117, 1.5356, 1.5571,
                         1.5714, 1.5831],
    }
    assert sorted(RI_TABLES) == sorted(expected) == sorted(RI_SOURCES)
    for name, values in expected.items():
        assert [RI_TABLES[name][n] for n in range(3, 16)] == values
        assert RI_TABLES[name][1] == RI_TABLES[name][2] == 0.0


@pytest.mark.parametrize("method, expected", [
    ("eigen", [0.1522, 0.4335, 0.0716, 0.3050, 0.0378]),
    ("rgm", [0.1526, 0.4228, 0.0723, 0.3147, 0.0376]),
])
def test_saaty2004_priorities(method, expected):
    """Saaty (2004), J. Syst. Sci. Syst. Eng. 13:1-35, Table 3: eigenvector and row geometric mean priorities of the
    city criteria, 4 decimals."""
    res = ahp(SAATY2004, method=method)
    assert res.weights.index.tolist() == CITY
    np.testing.assert_allclose(res.weights.to_numpy(), expected, atol=5e-5)
    assert res.lambda_max == pytest.approx(5.2252, abs=5e-5)
    assert res.ci == pytest.approx(0.0563, abs=5e-5)


@pytest.mark.parametrize("table, cr", [
    ("saaty1980", 0.0503), ("saaty2005", 0.0507), ("donegan_dodd", 0.0532), ("tummala_ling", 0.0505)])
def test_saaty2004_cr_with_each_table(table, cr):
    """Saaty (2004) Table 3: CR 0.0503 with the Saaty (1980) RI (published); for the other tables CR = CI / RI(5)
    with the published CI 0.0563 (0.0563/1.11, /1.0591, /1.1159), to 4 decimals. The table is reported."""
    res = ahp(SAATY2004, ri=table)
    assert res.cr == pytest.approx(cr, abs=5e-5)
    assert res.ri == RI_TABLES[table][5] and res.ri_table == table and res.consistent


@pytest.mark.parametrize("table, cr", [
    ("saaty1980", 0.229), ("saaty2005", 0.227), ("donegan_dodd", 0.241), ("tummala_ling", 0.230)])
def test_wang_chin_2011_inconsistent_is_flagged(table, cr):
    """Wang & Chin (2011), Inf. Sci. 181:5240: w = (0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391), lambda_max
    7.4199, CR 0.229 (Saaty 1980 RI); other tables: CI 0.2840 / RI(6), 3 decimals. Every table flags it."""
    pattern = rf"inconsistent: CR = 0\.2\d+ > 0\.1 \(n = 6, RI table '{table}'"
    with pytest.warns(InconsistentJudgementsWarning, match=pattern):
        res = ahp(WANG_CHIN, ri=table)
    np.testing.assert_allclose(res.weights, [0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391], atol=5e-5)
    assert res.lambda_max == pytest.approx(7.4199, abs=5e-5)
    assert res.cr == pytest.approx(cr, abs=5e-4)
    assert not res.consistent


@pytest.mark.parametrize("table, cr", [("saaty1980", 0.022), ("saaty2005", 0.022), ("donegan_dodd", 0.0235),
                                       ("tummala_ling", 0.022)])
def test_saaty2008_drinks(table, cr):
    """Saaty (2008), Int. J. Services Sciences 1:83-98, drink consumption in the US: priorities coffee .177,
    wine .019, tea .042, beer .116, sodas .190, milk .129, water .327 and CR 0.022; with the Donegan & Dodd table
    CR 0.0235 (AHPy's test suite). Only one triangle is entered: the other is filled by reciprocals."""
    res = ahp(DRINKS, ri=table)
    expected = {"coffee": 0.177, "wine": 0.019, "tea": 0.042, "beer": 0.116, "soda": 0.190, "milk": 0.129,
                "water": 0.327}
    np.testing.assert_allclose(res.weights[list(expected)].to_numpy(), list(expected.values()), atol=5e-4)
    digits = 4 if table == "donegan_dodd" else 3
    assert res.cr == pytest.approx(cr, abs=0.5 * 10 ** -digits)
    assert res.completed.empty


def test_bozoki_2010_optimal_completion_example():
    """Bozoki, Fulop & Ronyai (2010), Math. Comput. Modelling 52:318, 4 x 4 example with a_cd missing: the
    lambda_max-optimal completion is x = 0.7303 (AHPy's reproduction 0.730297, 6 digits); eigenvector weights
    (0.3738, 0.3920, 0.0985, 0.1357) and CR 0.0372 with the Donegan & Dodd RI (AHPy, 4 decimals)."""
    m = np.array([[1, 1, 5, 2], [1, 1, 3, 4], [1 / 5, 1 / 3, 1, np.nan], [1 / 2, 1 / 4, np.nan, 1]])
    res = ahp(m, labels=list("abcd"), ri="donegan_dodd")
    assert res.completed[["i", "j"]].values.tolist() == [["c", "d"]]
    assert res.completed["value"].iloc[0] == pytest.approx(0.730297, abs=5e-7)
    assert res.matrix.loc["d", "c"] * res.completed["value"].iloc[0] == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(res.weights, [0.3738, 0.3920, 0.0985, 0.1357], atol=5e-5)
    assert res.cr == pytest.approx(0.0372, abs=5e-5)


def test_bozoki_2010_housing_twelve_missing():
    """Bozoki et al. (2010): Saaty's 8 x 8 housing matrix with 12 comparisons deleted; optimal completion values
    as reproduced by AHPy's test suite (its cyclic coordinates stop at tolerance 1e-4, so compared to rel 1e-3)."""
    pairs = {("a", "b"): 5, ("a", "c"): 3, ("a", "d"): 7, ("a", "e"): 6, ("a", "f"): 6, ("b", "d"): 5,
             ("b", "f"): 3, ("c", "e"): 3, ("c", "g"): 6, ("f", "d"): 4, ("g", "a"): 3, ("g", "e"): 5,
             ("h", "a"): 4, ("h", "b"): 7, ("h", "d"): 8, ("h", "f"): 6}
    expected = {("b", "c"): 0.3300187496240363, ("b", "e"): 1.7197409185349517, ("b", "g"): 0.4663515002203321,
                ("c", "d"): 9.920512661898753, ("c", "f"): 4.852486449214693, ("c", "h"): 0.5696073301509899,
                ("d", "e"): 0.5252768142894285, ("d", "g"): 0.1424438146531802, ("e", "f"): 0.9311973564754218,
                ("e", "h"): 0.10930828182051665, ("f", "g"): 0.2912120796181874, ("g", "h"): 0.4030898885178746}
    with pytest.warns(InconsistentJudgementsWarning, match=r"CR = 0\.13"):
        res = ahp(_from_pairs(pairs, list("abcdefgh")))
    got = {(r.i, r.j): r.value for r in res.completed.itertuples()}
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-3), key


def test_optimal_completion_beats_harker_and_is_consistent_for_three_items():
    """For n = 3 with one missing pair the optimal completion is the consistent one, a_13 = a_12 a_23 (lambda_max
    = 3; Bozoki et al. 2010); Harker's (1987) fill is also consistent there. For the 4 x 4 example, optimal gives a
    lambda_max no larger than Harker's, and Harker's weights are the eigenvector of its own completed matrix."""
    m = np.array([[1, 3, np.nan], [1 / 3, 1, 2], [np.nan, 1 / 2, 1]])
    for completion in ("optimal", "harker"):
        res = ahp(m, completion=completion)
        assert res.matrix.iloc[0, 2] == pytest.approx(6.0, rel=1e-7)
        assert res.cr == pytest.approx(0.0, abs=1e-9)
    u = np.array([[1, 1, 5, 2], [1, 1, 3, 4], [1 / 5, 1 / 3, 1, np.nan], [1 / 2, 1 / 4, np.nan, 1]])
    opt, har = ahp(u, completion="optimal"), ahp(u, completion="harker")
    assert opt.lambda_max < har.lambda_max
    assert har.completion == "harker" and har.completed["value"].iloc[0] != pytest.approx(0.7303, abs=1e-3)
    w = har.weights.to_numpy()
    assert har.matrix.iloc[2, 3] == pytest.approx(w[2] / w[3], rel=1e-9)


def test_one_sided_entries_are_reciprocated_not_missing():
    """A pair given on one side only is filled by the reciprocal: nothing is 'completed'."""
    m = np.array([[1, 3, 5], [np.nan, 1, 2], [np.nan, np.nan, 1]])
    res = ahp(m)
    assert res.completed.empty
    assert res.matrix.iloc[2, 0] == pytest.approx(1 / 5)


def test_rounded_reciprocals_are_accepted_and_made_exact():
    """0.33 for 1/3 and 0.14 for 1/7 pass the reciprocal check (rtol 0.05); the entry >= 1 is kept exactly."""
    typed = np.array([[1, 3, 7], [0.33, 1, 2], [0.14, 0.5, 1]])
    exact = np.array([[1, 3, 7], [1 / 3, 1, 2], [1 / 7, 1 / 2, 1]])
    np.testing.assert_allclose(ahp(typed).weights, ahp(exact).weights, rtol=1e-12)
    with pytest.raises(InputError, match=r"cell \(1, 2\).*not_reciprocal"):
        ahp(typed, rtol=0.001)


def test_fraction_text_cells():
    m = [["1", "1/3", "5"], ["3", "1", "7"], ["0.2", "1/7", "1"]]
    num = [[1, 1 / 3, 5], [3, 1, 7], [1 / 5, 1 / 7, 1]]
    np.testing.assert_allclose(ahp(m).weights, ahp(num).weights)


def test_gci_and_its_thresholds():
    """GCI of Dong et al. (2010), Decis. Support Syst. 49:281, Table 3: 0.1349 for A(1) (4 decimals); thresholds
    0.31 / 0.35 / 0.37 of Aguaron & Moreno-Jimenez (2003)."""
    a1 = [[1, 4, 6, 7], [1 / 4, 1, 3, 4], [1 / 6, 1 / 3, 1, 2], [1 / 7, 1 / 4, 1 / 2, 1]]
    res = ahp(a1, criterion="gci")
    assert res.gci == pytest.approx(0.1349, abs=5e-5)
    assert res.threshold == 0.35 and res.consistent
    assert [gci_threshold(n) for n in (2, 3, 4, 5, 12)] == [0.0, 0.31, 0.35, 0.37, 0.37]
    with pytest.warns(InconsistentJudgementsWarning, match=r"GCI = 0\.1349 > 0\.1"):
        strict = ahp(a1, criterion="gci", threshold=0.1)
    assert not strict.consistent


def test_two_items_are_always_consistent():
    res = ahp([[1, 4], [1 / 4, 1]], labels=["x", "y"])
    assert res.weights.tolist() == pytest.approx([0.8, 0.2])
    assert (res.cr, res.gci, res.ri) == (0.0, 0.0, 0.0) and res.consistent


def test_result_object_frames_and_html():
    res = ahp(SAATY2004)
    frame = res.to_frame()
    assert frame.columns.tolist() == ["item", "weight", "rank"]
    assert frame.loc[frame["rank"] == 1, "item"].item() == "family"
    summary = res.summary()
    assert summary.columns.tolist() == ["n", "method", "lambda_max", "ci", "ri_table", "ri", "cr", "gci",
                                        "criterion", "threshold", "consistent", "n_completed"]
    assert summary.loc[0, "ri_table"] == "saaty1980" and summary.loc[0, "n"] == 5
    html = res._repr_html_()
    assert "CR = 0.0503" in html and "saaty1980" in html and "family" in html
    assert "AHPResult(method='eigen'" in repr(res)
    assert isinstance(res, AHPResult)
    with pytest.raises(AttributeError):
        res.cr = 0.0  # frozen


# --------------------------------------------------------------------------------------------------------------
# suggestions
# --------------------------------------------------------------------------------------------------------------
def test_suggestions_fix_a_single_corrupted_judgement():
    """A consistent matrix with one judgement flipped: the top suggestion names that cell, proposes its consistent
    value and brings CR back to 0."""
    w = np.array([0.4, 0.3, 0.2, 0.1])
    m = w[:, None] / w[None, :]
    m[0, 3], m[3, 0] = 1 / 4, 4  # the true value is 4
    labels = ["a", "b", "c", "d"]
    with pytest.warns(InconsistentJudgementsWarning):
        res = ahp(m, labels=labels)
    sugg = res.suggestions(k=2)
    assert sugg.columns.tolist() == ["i", "j", "current", "suggested", "cr_after"]
    top = sugg.iloc[0]
    assert (top["i"], top["j"]) == ("a", "d")
    assert top["current"] == pytest.approx(0.25) and top["suggested"] == 4.0
    assert top["cr_after"] == pytest.approx(0.0, abs=1e-9)
    assert len(sugg) == 2 and sugg["cr_after"].is_monotonic_increasing
    assert set(sugg["suggested"]) <= set(SAATY_SCALE)


def test_suggestions_on_wang_chin_reduce_cr():
    with pytest.warns(InconsistentJudgementsWarning):
        res = ahp(WANG_CHIN)
    sugg = res.suggestions()
    assert len(sugg) == 3 and (sugg["cr_after"] < res.cr).all()


def test_suggestions_skip_completed_cells_and_reject_bad_k():
    m = np.array([[1, 1, 5, 2], [1, 1, 3, 4], [1 / 5, 1 / 3, 1, np.nan], [1 / 2, 1 / 4, np.nan, 1]])
    res = ahp(m, labels=list("abcd"))
    sugg = res.suggestions(k=10)
    assert not ((sugg["i"] == "c") & (sugg["j"] == "d")).any()
    assert ahp([[1, 2], [0.5, 1]]).suggestions().empty
    with pytest.raises(InputError, match=r"`k` must be a positive integer; got 0"):
        res.suggestions(0)


# --------------------------------------------------------------------------------------------------------------
# located errors
# --------------------------------------------------------------------------------------------------------------
def test_non_square():
    with pytest.raises(InputError, match=r"matrix: not_square: .*got shape \(2, 3\)"):
        ahp(np.ones((2, 3)))
    with pytest.raises(InputError, match=r"not_square: .*2 rows x 3 columns"):
        ahp(pd.DataFrame(np.ones((2, 3)), index=["a", "b"], columns=["a", "b", "c"]))


def test_non_reciprocal_names_the_cell():
    m = SAATY2004.copy()
    m.loc["housing", "jobs"] = 4  # jobs over housing is also 4
    with pytest.raises(InputError, match=r"cell \(housing, jobs\): not_reciprocal: a_ij = 4 but a_ji = 4 "
                                         r"at \(jobs, housing\)") as info:
        ahp(m)
    assert [p.location for p in info.value.problems] == ["cell (housing, jobs)"]


def test_dong_2010_printed_a5_is_not_reciprocal():
    """The copy of Dong et al. (2010) we read prints A(5) row 3 as (1, 1/2, 1, 4) next to a_23 = 1/2; the printed
    w(5) needs a_32 = 2. The reciprocal check names exactly that cell."""
    printed = [[1, 1 / 2, 1, 2], [2, 1, 1 / 2, 3], [1, 1 / 2, 1, 4], [1 / 2, 1 / 3, 1 / 4, 1]]
    with pytest.raises(InputError, match=r"cell \(2, 3\): not_reciprocal"):
        ahp(printed)


@pytest.mark.parametrize("value, code", [(0, "not_positive"), (-3, "not_positive"), (np.inf, "not_finite")])
def test_zero_negative_infinite_entries(value, code):
    m = SAATY2004.copy()
    m.loc["family", "jobs"] = value
    with pytest.raises(InputError, match=rf"cell \(family, jobs\): {code}"):
        ahp(m)


def test_bad_cells_diagonal_and_labels():
    with pytest.raises(InputError, match=r"cell \(1, 2\): not_a_number: .*got 'x'"):
        ahp([[1, "x"], [1, 1]])
    with pytest.raises(InputError, match=r"cell \(b, b\): diagonal: .*must be 1; got 2"):
        ahp([[1, 2], [0.5, 2]], labels=["a", "b"])
    with pytest.raises(InputError, match=r"labels_differ"):
        ahp(pd.DataFrame([[1, 2], [0.5, 1]], index=["a", "b"], columns=["b", "a"]))
    with pytest.raises(InputError, match=r"duplicate_label"):
        ahp([[1, 2], [0.5, 1]], labels=["a", "a"])
    with pytest.raises(InputError, match=r"`labels` must name the 2 items; got 3"):
        ahp([[1, 2], [0.5, 1]], labels=["a", "b", "c"])
    with pytest.raises(InputError, match=r"`labels` applies to arrays only"):
        ahp(SAATY2004, labels=CITY)
    with pytest.raises(InputError, match=r"too_small: AHP needs at least 2 items; got 1"):
        ahp([[1]])


def test_n_beyond_ri_table_names_table_and_range():
    m = np.ones((16, 16))
    with pytest.raises(InputError, match=r"ri_range: the random-index table 'donegan_dodd' covers n = 1\.\.15; "
                                         r"got n = 16"):
        ahp(m, ri="donegan_dodd")


def test_disconnected_missing_comparisons():
    m = np.array([[1, 2, np.nan, np.nan], [1 / 2, 1, np.nan, np.nan], [np.nan, np.nan, 1, 4],
                  [np.nan, np.nan, 1 / 4, 1]])
    with pytest.raises(InputError, match=r"disconnected: .*\{a, b\}; \{c, d\}"):
        ahp(m, labels=list("abcd"))


@pytest.mark.parametrize("kwargs, pattern", [
    ({"method": "mean"}, r"`method` must be one of 'eigen', 'rgm', 'colmean'; got 'mean'"),
    ({"ri": "saaty"}, r"`ri` must be one of .*'saaty1980'.*got 'saaty'"),
    ({"completion": "llsm"}, r"`completion` must be one of 'optimal', 'harker'; got 'llsm'"),
    ({"criterion": "ci"}, r"`criterion` must be one of 'cr', 'gci'; got 'ci'"),
    ({"threshold": -1}, r"`threshold` must be a non-negative number; got -1"),
    ({"rtol": 2}, r"`rtol` must be in \[0, 1\); got 2"),
])
def test_bad_options(kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        ahp(SAATY2004, **kwargs)


def test_suggestions_with_default_integer_labels_and_missing_comparisons():
    """Array input labels the items 1..n; with a completed cell, suggestions() used to look the label up as
    '1.0' (iterrows turned the integer labels into floats) and raised KeyError."""
    m = np.array([[1, 1, 5, 2], [1, 1, 3, 4], [1 / 5, 1 / 3, 1, np.nan], [1 / 2, 1 / 4, np.nan, 1]])
    res = ahp(m)
    assert res.completed[["i", "j"]].values.tolist() == [[3, 4]]
    sugg = res.suggestions(k=10)
    assert len(sugg) > 0 and not ((sugg["i"] == 3) & (sugg["j"] == 4)).any()


def test_all_cell_problems_of_a_matrix_are_reported_at_once():
    """A file with an unreadable cell, a negative cell and a pair entered both ways reports the three problems in
    one error (design.md: loading a file reports all problems at once)."""
    m = [["1", "3", "x"], ["3", "1", "2"], ["1/5", "-1", "1"]]
    with pytest.raises(InputError) as info:
        ahp(m, labels=["a", "b", "c"])
    assert [(p.location, p.code) for p in info.value.problems] == [
        ("cell (a, c)", "not_a_number"), ("cell (c, b)", "not_positive"), ("cell (a, b)", "not_reciprocal")]
