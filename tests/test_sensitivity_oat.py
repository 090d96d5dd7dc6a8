"""Tests of perfeval.sensitivity.oat and compare_weightings, against full re-scoring."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import perfeval as pe
from perfeval.errors import InputError
from perfeval.framework import Framework, Node
from perfeval.sensitivity import ComparisonResult, compare_weightings, oat

from test_sensitivity import achievements_frame, leaf, rescore, score_with, tree_case


def test_oat_matches_rescoring():
    """Setting a's points to v moves b and c proportionally: b = 35 (100 - v) / 60, c = 25 (100 - v) / 60."""
    fw, ach, res = tree_case()
    sweep = oat(res, "a", [20, 40, 55])
    assert list(sweep.columns) == ["value", "share", "unit_id", "total", "grade", "rank", "total_change",
                                   "rank_change", "grade_changed"]
    for v in (20, 55):
        oracle = rescore(fw, ach, {"a": v, "b": 35 * (100 - v) / 60, "c": 25 * (100 - v) / 60})
        part = sweep[sweep["value"] == v]
        np.testing.assert_allclose(part["total"], oracle["total"], atol=1e-9)
        assert part["grade"].tolist() == oracle["grade"].tolist()
        assert (part["grade_changed"] == (part["grade"].to_numpy() != res.totals["grade"].to_numpy())).all()
    nominal = sweep[sweep["value"] == 40]
    assert np.array_equal(nominal["total"].to_numpy(), res.totals["total"].to_numpy())  # exactly
    assert (nominal["rank_change"] == 0).all() and not nominal["grade_changed"].any()
    assert sweep["share"].tolist()[0] == pytest.approx(0.2)


def test_oat_inside_a_parent():
    """A second-level node: its siblings share the rest of the parent's 35 points; the rest is untouched."""
    fw, ach, res = tree_case()
    sweep = oat(res, "b2", [0.0, 35.0])
    zero = sweep[sweep["value"] == 0.0]
    oracle = rescore(fw, ach, {"b1": 20 * 35 / 25, "b2": 0.0, "b3": 5 * 35 / 25})
    np.testing.assert_allclose(zero["total"], oracle["total"], atol=1e-9)
    assert sweep["share"].max() == 1.0


@pytest.mark.parametrize("node,values,match", [
    ("zz", [10], "`node` must be a node code of framework 'tree'"),
    ("a", [120], r"`values` must be points of 'a' in \[0, 100\]"),
    ("a", [-1], r"`values` must be points of 'a' in \[0, 100\]"),
    ("a", [], r"`values` must be points of 'a'"),
    ("a", ["x"], "`values` must be numbers"),
    ("b1", [40], r"in \[0, 35\]"),
])
def test_oat_bad_arguments(node, values, match):
    _, _, res = tree_case()
    with pytest.raises(InputError, match=match):
        oat(res, node, values)


def test_oat_node_without_siblings():
    fw = Framework("one", "one", (Node("a", "A", 60, children=(leaf("a1", 60),)), leaf("b", 40)))
    res = score_with(fw, achievements_frame({"u": {"a1": 0.5, "b": 0.9}}))
    with pytest.raises(InputError, match="`node` must have siblings to take points from; 'a1' is the only child"):
        oat(res, "a1", [30])


def test_compare_weightings_against_rescoring_and_kendall():
    fw, ach, res = tree_case()
    equal = {"a": 100 / 3, "b": 100 / 3, "c": 100 / 3}  # points summing to the framework total
    shares = pd.Series({"a1": 0.5, "a2": 0.5})  # shares summing to 1
    deep = pe.weighting.apply_weights(fw, {"b1": 0.25, "b2": 0.25, "b3": 0.5}, node="b")
    c = compare_weightings(res, {"equal": equal, "inner": shares, "framework": deep, "nominal": fw})
    assert isinstance(c, ComparisonResult)
    assert list(c.summary["weighting"]) == ["equal", "inner", "framework", "nominal"]
    eq = c.units[c.units["weighting"] == "equal"]
    oracle = rescore(fw, ach, {"a": 100 / 3, "b": 100 / 3, "c": 100 / 3})
    np.testing.assert_allclose(eq["total"], oracle["total"], atol=1e-9)
    assert eq["grade"].tolist() == oracle["grade"].tolist()
    inner = c.units[c.units["weighting"] == "inner"]
    np.testing.assert_allclose(inner["total"], rescore(fw, ach, {"a1": 20, "a2": 20})["total"], atol=1e-9)
    deep_units = c.units[c.units["weighting"] == "framework"]
    np.testing.assert_allclose(deep_units["total"], rescore(fw, ach, {"b1": 8.75, "b2": 8.75, "b3": 17.5})["total"],
                               atol=1e-9)
    row = c.summary.set_index("weighting").loc["equal"]
    tau = stats.kendalltau(res.totals["total"], eq["total"])
    assert row["kendall_tau"] == pytest.approx(tau.statistic) and row["kendall_pvalue"] == pytest.approx(tau.pvalue)
    assert row["n_grade_changes"] == int((eq["grade"] != eq["nominal_grade"]).sum())
    assert row["n_upgraded"] + row["n_downgraded"] == row["n_grade_changes"]
    same = c.summary.set_index("weighting").loc["nominal"]
    assert same["kendall_tau"] == pytest.approx(1.0) and same["n_grade_changes"] == 0
    assert same["mean_abs_total_change"] == 0  # the nominal framework reproduces the totals exactly
    assert list(c.weights.columns) == ["weighting", "node_code", "points", "nominal_points"]
    eq_points = c.weights[c.weights["weighting"] == "equal"].set_index("node_code")
    np.testing.assert_allclose(eq_points["points"], 100 / 3)
    assert eq_points["nominal_points"].to_dict() == {"a": 40.0, "b": 35.0, "c": 25.0}
    assert c.weights.loc[c.weights["weighting"] == "framework", "node_code"].tolist() == ["b1", "b2", "b3"]
    assert c.to_frame() is c.summary and "Alternative weightings" in c._repr_html_()


def test_grade_steps_sign():
    """+1 = one grade better: a unit strong on x1 gains a grade when x1 gets all the weight."""
    fw = Framework("f", "f", (leaf("x1", 50), leaf("x2", 50)))
    res = score_with(fw, achievements_frame({"u": {"x1": 0.95, "x2": 0.7}}))
    c = compare_weightings(res, {"x1": {"x1": 0.9, "x2": 0.1}, "x2": {"x1": 0.1, "x2": 0.9}})
    steps = c.units.set_index("weighting")["grade_steps"]
    assert steps["x1"] == 1 and steps["x2"] == -1
    assert c.summary.set_index("weighting").loc["x1", "n_upgraded"] == 1


def test_weighting_results_are_accepted():
    """A WeightResult from perfeval.weighting (Series of shares by node code)."""
    fw, _, res = tree_case()
    roc = pe.weighting.rank_order(["a", "b", "c"], method="roc")
    c = compare_weightings(res, {"roc": roc})
    points = c.weights.set_index("node_code")["points"]
    np.testing.assert_allclose(points.loc[["a", "b", "c"]].to_numpy(), 100 * roc.weights.loc[["a", "b", "c"]])


def test_points_and_shares_give_the_same_comparison():
    """A group is read as points when it sums to its parent's points and as shares when it sums to 1."""
    _, _, res = tree_case()
    c = compare_weightings(res, {"points": {"a": 50, "b": 30, "c": 20}, "shares": {"a": 0.5, "b": 0.3, "c": 0.2},
                                 "inner": {"b1": 15, "b2": 15, "b3": 5}})
    units = c.units.set_index(["weighting", "unit_id"])["total"]
    np.testing.assert_allclose(units.loc["points"], units.loc["shares"], rtol=0, atol=1e-12)
    inner = c.weights[c.weights["weighting"] == "inner"].set_index("node_code")["points"]
    assert inner.to_dict() == pytest.approx({"b1": 15.0, "b2": 15.0, "b3": 5.0})


def test_nested_points_sum_to_the_new_parent_points():
    """Re-weighting a parent and its children together: the children's points share the parent's new points."""
    fw, ach, res = tree_case()
    c = compare_weightings(res, {"w": {"a": 50, "b": 25, "c": 25, "a1": 30, "a2": 20}})
    oracle = rescore(fw, ach, {"a1": 30, "a2": 20, "b": 25, "c": 25})
    np.testing.assert_allclose(c.units["total"], oracle["total"], atol=1e-9)
    with pytest.raises(InputError, match=r"`weightings\['w'\]` for the children of 'a' sum to 40: they must be "
                                         r"points summing to the 50 points of 'a'"):
        compare_weightings(res, {"w": {"a": 50, "b": 25, "c": 25, "a1": 25, "a2": 15}})


def test_weights_that_cannot_sum_to_the_total_are_refused():
    """The audit case: 20 / 50 / 40 / 10 (120 points) on a 100-point framework used to be rescaled silently."""
    data = pe.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        res = pe.score("project_self", data.observations, data.budget)
    alt = {"execution": 20, "output": 50, "effect": 40, "satisfaction": 10}
    with pytest.raises(InputError, match=r"`weightings\['alt'\]` for the children of 'the root' sum to 120: they "
                                         r"must be points summing to the 100 points of 'the root' \(tolerance 0.01\) "
                                         r"or shares summing to 1"):
        compare_weightings(res, {"alt": alt})
    near = {"execution": 10.004, "output": 50, "effect": 30, "satisfaction": 10}  # within project_self's 0.01
    assert compare_weightings(res, {"near": near}).summary["weighting"].tolist() == ["near"]


@pytest.mark.parametrize("weightings,match", [
    ({}, "`weightings` must be a non-empty mapping"),
    ({"w": {"a": 1, "b": 1}}, r"must give every child of 'the root'; missing \['c'\]"),
    ({"w": {"a": 1, "b": 1, "c": 1, "zz": 1}}, r"names unknown node\(s\) \['zz'\]"),
    ({"w": {"a": 1, "b": 1, "c": 1}}, r"`weightings\['w'\]` for the children of 'the root' sum to 3: they must be "
                                      r"points summing to the 100 points of 'the root' \(tolerance 1e-06\) or shares"),
    ({"w": {"a": 0.5, "b": 0.3, "c": 0.1}}, r"sum to 0.9: they must be points summing to the 100 points"),
    ({"w": {"a1": 25, "a2": 25}}, r"`weightings\['w'\]` for the children of 'a' sum to 50: they must be points "
                                  r"summing to the 40 points of 'a'"),
    ({"w": {"a": -1, "b": 1, "c": 1}}, r"`weightings\['w'\]\['a'\]` must be a finite non-negative number"),
    ({"w": {"a": 0, "b": 0, "c": 0}}, "gives the children of 'the root' a zero sum"),
    ({"w": [1, 2, 3]}, "must be a Framework, a Series or mapping by node code"),
])
def test_compare_bad_arguments(weightings, match):
    _, _, res = tree_case()
    with pytest.raises(InputError, match=match):
        compare_weightings(res, weightings)


def test_compare_framework_with_other_nodes():
    _, _, res = tree_case()
    other = Framework("o", "o", (leaf("a", 50), leaf("z", 50)))
    with pytest.raises(InputError, match="must be a Framework with the same nodes"):
        compare_weightings(res, {"other": other})


def test_compare_framework_whose_points_do_not_add_up():
    """A Framework spec is held to the same rule: each group sums to its parent's points, the first level to the
    result's total."""
    fw, _, res = tree_case()
    inner = fw.with_points({"b1": 30})  # b1 + b2 + b3 = 45, b has 35
    with pytest.raises(InputError, match=r"`weightings\['x'\]` \(a Framework\) gives the children of 'b' points "
                                         r"summing to 45, not the 35 points of 'b'"):
        compare_weightings(res, {"x": inner})
    top = fw.with_points({"c": 45})  # 40 + 35 + 45 = 120
    with pytest.raises(InputError, match=r"gives the children of 'the root' points summing to 120, not the 100"):
        compare_weightings(res, {"x": top})
