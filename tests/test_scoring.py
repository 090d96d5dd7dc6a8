"""Tests of perfeval.scoring: every rule hand-worked, with its edges (domain.md §5.3, §9)."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from perfeval import scoring as S


def test_registry_names():
    assert list(S.RULES) == ["positive", "reverse", "equality", "qualitative", "execution", "evaluator",
                             "deduction", "piecewise", "ordinal", "auto"]
    for name, rule in S.RULES.items():
        assert rule.name == name and callable(rule.function) and rule.description and rule.inputs
    assert S.RULES["reverse"].params["formula"] == "linear"
    assert S.RULES["execution"].params["denominator"] == "full_year"
    assert_allclose(S.RULES["positive"]([95.0], [100.0]), [0.95])


def test_positive():
    """PMKPI selfpositiveindex: actual >= target -> full, else actual / target."""
    assert_allclose(S.positive([100, 95, 190, 0, -5], 100), [1.0, 0.95, 1.0, 0.0, 0.0])
    # zero / negative targets: met or not, no ratio
    assert_allclose(S.positive([0, 3, -1], 0), [1.0, 1.0, 0.0])
    assert_allclose(S.positive([-4, -6], -5), [1.0, 0.0])
    assert np.isnan(S.positive([np.nan], [1.0])[0]) and np.isnan(S.positive([1.0], [np.nan])[0])


def test_reverse_linear_pmkpi():
    """PMKPI selfreverseindex: full at actual <= target, (1 - (x - t) / t) between, 0 from 2 x target."""
    assert_allclose(S.reverse([100, 80, 125, 150, 200, 260], 100), [1.0, 1.0, 0.75, 0.5, 0.0, 0.0])
    assert_allclose(S.reverse([200], 100, zero_at=3.0), [0.5])
    assert_allclose(S.reverse([0, 1], 0), [1.0, 0.0])


def test_reverse_ratio_formula():
    """Provincial form: target / actual."""
    assert_allclose(S.reverse([100, 125, 200, 50], 100, formula="ratio"), [1.0, 0.8, 0.5, 1.0])


def test_reverse_bad_arguments():
    with pytest.raises(ValueError, match="`formula` must be 'linear' or 'ratio'; got 'log'"):
        S.reverse([1], [1], formula="log")
    with pytest.raises(ValueError, match="`zero_at` must be > 1; got 1"):
        S.reverse([1], [1], zero_at=1)


def test_equality():
    """PMKPI selfequalindex: target 0 -> full only when actual <= 0; otherwise as positive."""
    assert_allclose(S.equality([0, 1, -1], 0), [1.0, 0.0, 1.0])
    assert_allclose(S.equality([50, 100, 120], 100), [0.5, 1.0, 1.0])


def test_qualitative_and_bands():
    """MOF-10 art. 15: met [0.8, 1], partly [0.6, 0.8), not met [0, 0.6)."""
    assert_allclose(S.qualitative([9, 7, 3], [10, 10, 10], ["met", "partly", "not_met"]), [0.9, 0.7, 0.3])
    # no score: the lower bound of the level's band
    assert_allclose(S.qualitative([np.nan] * 3, [10] * 3, ["met", "partly", "not_met"]), [0.8, 0.6, 0.0])
    assert np.isnan(S.qualitative([np.nan], [10])[0])
    levels = ["met", "met", "met", "partly", "partly", "partly", "not_met", "not_met", "met"]
    ach = [0.8, 1.0, 0.79, 0.6, 0.8, 0.59, 0.599, 0.6, 2.4 / 3]
    assert_array_equal(S.band_violation(levels, ach),
                       [False, False, True, False, True, True, False, True, False])
    assert_array_equal(S.band_violation([None, "met"], [0.1, np.nan]), [False, False])


def test_band_level_out_of_range_and_message():
    """One band lookup for the engine and the audit: met [0.8, 1], partly [0.6, 0.8), not met [0, 0.6), float
    noise at the edges absorbed (EDGE_TOL); band_violation is 'the level is not the band's'."""
    ach = [1.0, 0.8, 2.4 / 3, 0.7999, 0.6, 0.5999, 0.0, -0.1, 1.01, np.nan]
    assert S.band_level(ach).tolist() == ["met", "met", "met", "partly", "partly", "not_met", "not_met", None,
                                          None, None]
    levels = ["met", "partly", "not_met"]
    for a in ach[:7]:
        assert S.band_violation(levels, [a] * 3).tolist() == [lv != S.band_level([a])[0] for lv in levels]
    assert S.band_level([1 + 1e-12, -1e-12]).tolist() == ["met", "not_met"]
    assert_array_equal(S.out_of_range([-1, 0, 10, 10.5, np.nan, 5], [10, 10, 10, 10, 10, np.nan]),
                       [True, False, False, True, False, False])
    assert_array_equal(S.out_of_range([10.005, -0.005, 10.02], 10, tol=0.01), [False, False, True])
    assert S.band_message(7, 10, "met") == ("score 7 of 10 points (70%) is outside the band of level 'met': "
                                            "[80%, 100%] of the points, i.e. [8, 10]")
    assert S.band_message(18, 20, "partly").endswith("i.e. [12, 16)")
    assert S.band_message(12, 10, "met") == S.band_message(12, 10) == (
        "`score` must lie in [0, 10] (the row's points); got 12")


def test_execution():
    """PMKPI selfscoreproject: executed / budget, capped at 1; 0/0 -> 0."""
    assert_allclose(S.execution([95, 120, 0, 5], [100, 100, 0, 0]), [0.95, 1.0, 0.0, 0.0])
    assert np.isnan(S.execution([np.nan], [1])[0])


def test_evaluator_and_deduction():
    assert_allclose(S.evaluator([4.5, 6, -1], [5, 5, 5]), [0.9, 1.0, 0.0])
    assert np.isnan(S.evaluator([1], [0])[0])
    assert_allclose(S.deduction([0, 2, 9], 5), [1.0, 0.6, 0.0])
    assert_allclose(S.deduction([2], 10, per_finding=2.5), [0.5])


def test_piecewise():
    assert_allclose(S.piecewise([95, 90, 89.99, 80, 70, 65, 55]), [1.0, 1.0, 0.8, 0.8, 0.6, 0.4, 0.0])
    assert_allclose(S.piecewise([3, 1, 0], bands=[[1, 0.5], [2, 1.0]], below=0.1), [1.0, 0.5, 0.1])
    assert np.isnan(S.piecewise([np.nan])[0])


def test_ordinal():
    """KfW 1 (best) ... 6; IEG HS ... HU: evenly spaced."""
    assert_allclose(S.ordinal([1, "3", 6.0, "6 "]), [1.0, 0.6, 0.0, 0.0])
    assert_allclose(S.ordinal(["HS", "ms", "HU"], scale="ieg"), [1.0, 0.6, 0.0])
    assert_allclose(S.ordinal(["A", "C"], levels=["A", "B", "C"]), [1.0, 0.0])
    assert np.isnan(S.ordinal([7])[0]) and np.isnan(S.ordinal([2.5])[0])
    with pytest.raises(ValueError, match="`scale` must be one of"):
        S.ordinal([1], scale="dac")
    with pytest.raises(ValueError, match="`levels` must name at least 2 levels"):
        S.ordinal([1], levels=["A"])


def test_auto_dispatch():
    got = S.auto([95, 120, 1, np.nan, 5], [100, 100, 0, 1, 1], [">=", "<=", "=", "qualitative", None],
                 score=[0, 0, 0, 8, 0], points=[10, 10, 10, 10, 10], level=[None, None, None, "met", None])
    assert_allclose(got, [0.95, 0.8, 0.0, 0.8, np.nan])
    assert_array_equal(S.rule_for_op([">=", "<=", "=", "qualitative", "?"]),
                       ["positive", "reverse", "equality", "qualitative", None])


def test_over_achievement_and_moderate_reduction():
    ratio = S.over_achievement([130, 100, 50, 5, 1], [100, 100, 100, 0, 2], [">=", "=", "<=", ">=", "<="])
    assert_allclose(ratio, [1.3, 1.0, 2.0, np.nan, 2.0])
    # MOF "moderate reduction" [I]: a - 0.5 (ratio - 1.3), floored at 0.6, only at or above the threshold
    assert_allclose(S.moderate_reduction([1.0, 1.0, 1.0, 1.0], [1.2, 1.3, 1.7, 3.0]), [1.0, 1.0, 0.8, 0.6])


def test_check_params():
    assert S.check_params("reverse", {"formula": "ratio", "zero_at": 3}) == []
    assert S.check_params("auto", None) == []
    (p,) = S.check_params("linear", {}, where="fw.yaml:3")
    assert (p.location, p.code) == ("fw.yaml:3", "unknown_rule") and "positive, reverse" in p.message
    codes = [p.code for p in S.check_params("reverse", {"formula": "log", "zero_at": 1, "x": 1})]
    assert codes == ["unknown_param", "bad_param", "bad_param"]
    assert [p.code for p in S.check_params("execution", {"denominator": "paid"})] == ["bad_param"]
    assert [p.code for p in S.check_params("deduction", {"per_finding": -1})] == ["bad_param"]
    assert [p.code for p in S.check_params("ordinal", {"scale": "dac"})] == ["bad_param"]
    assert [p.code for p in S.check_params("piecewise", {"bands": [[90, 2]]})] == ["bad_param"]
    assert [p.code for p in S.check_params("piecewise", {"bands": "x"})] == ["bad_param"]


@pytest.mark.parametrize("module", ["perfeval.scoring", "perfeval.targets", "perfeval.aggregate._core"])
def test_docstring_examples_run(module):
    """The Examples sections are doctests (design.md §5)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
