"""Tests of the Sobol' indices: the grouped scipy wrapper on published functions, and sobol() on weights."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from perfeval.errors import InputError
from perfeval.sensitivity import SobolResult, sobol, sobol_indices, weight_uncertainty

from test_sensitivity import achievements_frame, flat_framework, random_achievements, score_with, tree_case


def linear(x: np.ndarray) -> np.ndarray:
    return x[0] + 2 * x[1] + 3 * x[2]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[0]) + a * np.sin(x[1]) ** 2 + b * x[2] ** 4 * np.sin(x[0])


def test_linear_model_indices():
    """y = x1 + 2 x2 + 3 x3, xi ~ U(0, 1): first-order = total = (1, 4, 9) / 14 (reference-values.md,
    Sensitivity ground truth; Var(y) = (1 + 4 + 9) / 12)."""
    res = sobol_indices(linear, [stats.uniform()] * 3, n=4096, rng=1)
    expected = np.array([1, 4, 9]) / 14
    np.testing.assert_allclose(res.first_order.to_numpy()[0], expected, atol=0.01)
    np.testing.assert_allclose(res.total_order.to_numpy()[0], expected, atol=0.01)
    assert res.variance.iloc[0] == pytest.approx(14 / 12, rel=0.02)
    assert list(res.first_order.columns) == ["x1", "x2", "x3"]
    assert res.params["evaluations"] == 4096 * 5


def test_linear_model_grouped():
    """Closed index of a group = sum of its members' variances for an additive model: (1 + 4) / 14 and 9 / 14."""
    res = sobol_indices(linear, [stats.uniform()] * 3, n=4096, groups={"x12": ["x1", "x2"], "x3": [2]}, rng=2)
    np.testing.assert_allclose(res.first_order.to_numpy()[0], [5 / 14, 9 / 14], atol=0.01)
    np.testing.assert_allclose(res.total_order.to_numpy()[0], [5 / 14, 9 / 14], atol=0.01)
    assert res.groups == {"x12": ("x1", "x2"), "x3": ("x3",)}
    single = sobol_indices(linear, [stats.uniform()] * 3, n=1024, groups=[[0, 1, 2]], rng=2)
    assert single.first_order.to_numpy()[0, 0] == pytest.approx(1.0, abs=0.01)  # one group explains all


def test_ishigami_published_indices():
    """Ishigami (a = 7, b = 0.1, xi ~ U(-pi, pi)): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    (Saltelli et al. 2008, Primer; reference-values.md), to Monte Carlo error at n = 2^15."""
    dists = [stats.uniform(-math.pi, 2 * math.pi)] * 3
    res = sobol_indices(ishigami, dists, n=2 ** 15, rng=3)
    np.testing.assert_allclose(res.first_order.to_numpy()[0], [0.3139, 0.4424, 0.0], atol=0.015)
    np.testing.assert_allclose(res.total_order.to_numpy()[0], [0.5576, 0.4424, 0.2437], atol=0.015)


def test_same_design_as_scipy():
    """Ungrouped, the wrapper is scipy.stats.sobol_indices on the same scrambled Sobol' design."""
    dists = [stats.uniform(-math.pi, 2 * math.pi)] * 3
    ours = sobol_indices(ishigami, dists, n=1024, rng=np.random.default_rng(5))
    theirs = stats.sobol_indices(func=ishigami, n=1024, dists=dists, rng=np.random.default_rng(5))
    np.testing.assert_allclose(ours.first_order.to_numpy()[0], theirs.first_order, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.total_order.to_numpy()[0], theirs.total_order, rtol=1e-12, atol=1e-12)


def test_several_outputs():
    """Outputs are rows: y1 depends on x1 only, y2 on x2 only."""
    res = sobol_indices(lambda x: np.vstack([x[0], 3 * x[1]]), [stats.uniform()] * 2, n=1024,
                        outputs=["y1", "y2"], rng=0)
    np.testing.assert_allclose(res.first_order.to_numpy(), [[1, 0], [0, 1]], atol=0.01)
    frame = res.to_frame()
    assert list(frame.columns) == ["output", "group", "first_order", "total_order", "interaction"]
    assert frame[["output", "group"]].values.tolist() == [["y1", "x1"], ["y1", "x2"], ["y2", "x1"], ["y2", "x2"]]


def test_bootstrap_intervals_cover_the_analytic_values():
    res = sobol_indices(linear, [stats.uniform()] * 3, n=2048, rng=4)
    ci = res.bootstrap(n_resamples=199, rng=0)
    assert list(ci.columns) == ["output", "group", "first_order", "first_order_low", "first_order_high",
                                "first_order_se", "total_order", "total_order_low", "total_order_high",
                                "total_order_se"]
    expected = np.array([1, 4, 9]) / 14
    assert np.all(ci["first_order_low"] - 0.01 <= expected) and np.all(expected <= ci["first_order_high"] + 0.01)
    assert (ci["first_order_se"] > 0).all()
    again = res.bootstrap(n_resamples=199, rng=0)
    pd.testing.assert_frame_equal(ci, again)  # reproducible with a seed
    percentile = res.bootstrap(n_resamples=99, method="percentile", rng=1)
    assert (percentile["total_order_low"] <= percentile["total_order_high"]).all()


@pytest.mark.parametrize("kwargs,match", [
    ({"n": 1000}, "`n` must be a power of 2 and >= 2"),
    ({"n": 1}, "`n` must be a power of 2 and >= 2"),
    ({"groups": {"a": ["x1"], "b": ["x2"]}}, r"every input in exactly one group; in none: \['x3'\]"),
    ({"groups": {"a": ["x1", "x2"], "b": ["x2", "x3"]}}, r"in several: \['x2'\]"),
    ({"groups": {"a": ["x9"]}}, "names unknown input 'x9'"),
    ({"groups": {"a": []}}, r"`groups\['a'\]` must be a non-empty list"),
    ({"names": ["a", "b"]}, "`names` must name each of the 3 inputs"),
])
def test_wrapper_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        sobol_indices(linear, [stats.uniform()] * 3, **{"n": 64, **kwargs})


def test_wrapper_bad_functions():
    with pytest.raises(InputError, match="`dists` must hold distributions with a `ppf` method"):
        sobol_indices(linear, [object()] * 3, n=64)
    with pytest.raises(InputError, match="`func` must return shape"):
        sobol_indices(lambda x: x[0][:5], [stats.uniform()] * 3, n=64)
    with pytest.raises(InputError, match="`dists` must hold at least one distribution"):
        sobol_indices(linear, [], n=64)
    res = sobol_indices(linear, [stats.uniform()] * 3, n=64)
    for kwargs, match in (({"confidence_level": 1.5}, "`confidence_level` must be strictly between 0 and 1"),
                          ({"n_resamples": 1}, "`n_resamples` must be an integer >= 2"),
                          ({"method": "normal"}, "`method` must be 'BCa', 'percentile' or 'basic'")):
        with pytest.raises(InputError, match=match):
            res.bootstrap(**kwargs)


# ---------------------------------------------------------------------------------------------------------------
# sobol() on scored units
# ---------------------------------------------------------------------------------------------------------------
def test_two_weights_one_share():
    """Two first-level nodes: the total depends on the one share w1 = X1 / (X1 + X2); both gamma inputs together
    explain everything, and with equal nominal shares they matter equally."""
    fw = flat_framework([50, 50])
    res = score_with(fw, achievements_frame({"a": {"x1": 1.0, "x2": 0.6}, "b": {"x1": 0.7, "x2": 0.7}}))
    s = sobol(res, target="score", n=2048, rng=0, spread=0.2)
    assert s.first_order.loc["a", "x1"] == pytest.approx(s.first_order.loc["a", "x2"], abs=0.03)
    assert s.variance.loc["b"] == pytest.approx(0.0, abs=1e-20)  # equal achievements: no variance ...
    assert (s.first_order.loc["b"] == 0).all()  # ... hence indices 0 (scipy's convention)
    joint = sobol(res, target="score", groups="parent", n=1024, rng=0, spread=0.2)
    assert joint.first_order.loc["a", "<root>"] == pytest.approx(1.0, abs=0.01)
    assert list(joint.groups) == ["<root>"] and joint.groups["<root>"] == ("x1", "x2")


@pytest.mark.parametrize("method,kwargs", [("dirichlet", {"spread": 0.15}), ("uniform", {})])
def test_reparameterisation_has_the_dirichlet_law(method, kwargs):
    """The independent-gamma inputs give the totals the same variance as weight_uncertainty's Dirichlet draws."""
    fw = flat_framework([40, 35, 25])
    ach = random_achievements(["x1", "x2", "x3"], 3, seed=8)
    res = score_with(fw, achievements_frame(ach))
    s = sobol(res, target="score", n=4096, rng=1, method=method, **kwargs)
    u = weight_uncertainty(res, n=20_000, rng=1, method=method, **kwargs)
    a = np.array([[ach[uid][c] for c in ("x1", "x2", "x3")] for uid in s.variance.index])
    direct = (u.weights.to_numpy() @ a.T).var(axis=0)
    np.testing.assert_allclose(s.variance.to_numpy(), direct, rtol=0.06)


def test_targets_and_result():
    _, _, res = tree_case()
    rank = sobol(res, n=512, rng=2)
    assert isinstance(rank, SobolResult)
    assert list(rank.first_order.index) == ["mean_abs_rank_change"]
    assert list(rank.first_order.columns) == ["a", "b", "c"]
    assert rank.params["target"] == "mean_abs_rank_change" and rank.params["evaluations"] == 512 * 5
    assert (rank.total_order.to_numpy() >= -0.05).all()
    grades = sobol(res, target="grade_change", n=512, rng=2, spread=0.4, groups={"ab": ["a", "b"], "c": ["c"]})
    assert list(grades.first_order.columns) == ["ab", "c"]
    per_unit = sobol(res, target="score", level=2, hierarchical=True, n=256, rng=3)
    assert list(per_unit.first_order.index) == list(res.totals["unit_id"])
    assert list(per_unit.first_order.columns) == ["a", "b", "c", "a1", "a2", "b1", "b2", "b3"]
    assert "Sobol" in per_unit._repr_html_() and repr(rank).startswith("SobolResult(outputs=1")
    a = sobol(res, n=256, rng=9)
    b = sobol(res, n=256, rng=9)
    pd.testing.assert_frame_equal(a.first_order, b.first_order)


@pytest.mark.parametrize("kwargs,match", [
    ({"target": "rank"}, "`target` must be one of 'mean_abs_rank_change', 'score', 'grade_change'"),
    ({"n": 1000}, "`n` must be a power of 2"),
    ({"spread": 0}, "`spread` must be positive for Sobol' indices"),
    ({"groups": "level"}, "`groups` must be None, 'parent' or a mapping"),
    ({"groups": {"g": ["a", "zz"], "h": ["b", "c"]}}, "names unknown input 'zz'"),
    ({"spread": -1}, "`spread` must be a non-negative finite number"),
    ({"level": 5}, "`level` must be an integer from 1 to 2"),
])
def test_sobol_bad_arguments(kwargs, match):
    _, _, res = tree_case()
    with pytest.raises(InputError, match=match):
        sobol(res, **{"n": 64, **kwargs})
