"""Tests of perfeval.sensitivity: the re-aggregation engine, the weight samplers and weight_uncertainty.

The oracle throughout is a full re-scoring: for a draw of weights, build the framework with those points
(``Framework.with_points``) and run ``perfeval.score`` again; the engine must give the same totals and grades.
The helpers here are imported by the other ``test_sensitivity_*`` files.
"""
from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import perfeval as pe
from perfeval.aggregate import ScoreResult
from perfeval.errors import FrameworkError, InputError
from perfeval.framework import DEFAULT_BANDS, Band, Framework, GradeBands, Node, Veto
from perfeval.sensitivity import UncertaintyResult, weight_uncertainty
from perfeval.sensitivity._model import Engine, Units, band_codes, design_for_level, rank_desc

LEAVES = {"a1": 25.0, "a2": 15.0, "b1": 20.0, "b2": 10.0, "b3": 5.0, "c": 25.0}


# ---------------------------------------------------------------------------------------------------------------
# helpers (shared with the other sensitivity test files)
# ---------------------------------------------------------------------------------------------------------------
def leaf(code: str, points: float) -> Node:
    return Node(code, code.upper(), points, rule="evaluator")


def flat_framework(points, bands: GradeBands = DEFAULT_BANDS, vetoes=()) -> Framework:
    """One level of leaves ``x1, x2, ...`` with these points."""
    return Framework("flat", "flat", tuple(leaf(f"x{i + 1}", p) for i, p in enumerate(points)), bands=bands,
                     vetoes=tuple(vetoes))


def tree_framework(vetoes=()) -> Framework:
    """Two levels: a (a1 25, a2 15), b (b1 20, b2 10, b3 5), c 25 (a first-level leaf)."""
    return Framework("tree", "tree", (
        Node("a", "A", 40, children=(leaf("a1", 25), leaf("a2", 15))),
        Node("b", "B", 35, children=(leaf("b1", 20), leaf("b2", 10), leaf("b3", 5))),
        leaf("c", 25)), vetoes=tuple(vetoes))


def achievements_frame(ach: dict[str, dict[str, float]], not_applicable=()) -> pd.DataFrame:
    """Long achievements ``unit_id, node_code, ach, applicable`` from {unit: {leaf: achievement}}."""
    rows = [{"unit_id": u, "node_code": c, "ach": a, "applicable": (u, c) not in set(not_applicable)}
            for u, codes in ach.items() for c, a in codes.items()]
    return pd.DataFrame(rows)


def score_with(fw: Framework, ach: pd.DataFrame) -> ScoreResult:
    """``perfeval.score`` on evaluator leaves whose score is achievement x the leaf's points in ``fw``."""
    obs = ach.assign(score=ach["ach"] * ach["node_code"].map(fw.points())).drop(columns="ach")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        return pe.score(fw, obs)


def random_achievements(codes, n_units: int, seed: int, low: float = 0.3) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    return {f"u{u:02d}": {c: float(rng.uniform(low, 1.0)) for c in codes} for u in range(n_units)}


def tree_case(vetoes=()) -> tuple[Framework, pd.DataFrame, ScoreResult]:
    """The tree framework, 12 units, two with a not-applicable a2 and one with all of b not applicable."""
    fw = tree_framework(vetoes)
    na = [("u03", "a2"), ("u04", "a2"), ("u05", "b1"), ("u05", "b2"), ("u05", "b3")]
    ach = achievements_frame(random_achievements(LEAVES, 12, seed=3), na)
    return fw, ach, score_with(fw, ach)


def points_from_cut(fw: Framework, cut_points: dict[str, float]) -> dict[str, float]:
    """Every node's points when the cut nodes get ``cut_points``: descendants scaled, ancestors summed."""
    nominal = fw.points()
    new = dict(cut_points)

    def scale(node: Node, factor: float) -> None:
        for kid in node.children:
            new[kid.code] = nominal[kid.code] * factor
            scale(kid, factor)

    for node in fw.all_nodes():
        if node.code in cut_points:
            scale(node, cut_points[node.code] / nominal[node.code])
    for node in reversed(fw.all_nodes()):
        if node.children and node.code not in new:
            new[node.code] = sum(new.get(k.code, nominal[k.code]) for k in node.children)
    return new


def rescore(fw: Framework, ach: pd.DataFrame, cut_points: dict[str, float]) -> pd.DataFrame:
    """The oracle: score again on the framework carrying the new points."""
    return score_with(fw.with_points(points_from_cut(fw, cut_points)), ach).totals


# ---------------------------------------------------------------------------------------------------------------
# grading and ranking helpers
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bands", [
    DEFAULT_BANDS,
    GradeBands((Band("A", 50, 100), Band("B", 0, 40))),  # a gap [40, 50)
])
def test_band_codes_agree_with_grade_bands(bands):
    """band_codes is GradeBands.grade (how perfeval.score grades), as integer codes counted from the best band."""
    rng = np.random.default_rng(0)
    edges = [b.low for b in bands.bands] + [b.high for b in bands.bands]
    specials = [e + d for e in edges for d in (-1e-7, -1e-9, -5e-10, 0.0, 5e-10, 1e-9, 1e-7)]
    totals = np.concatenate([rng.uniform(-5, 105, 2000), specials, [np.nan, -np.inf, np.inf]])
    specials = np.array(specials)
    totals = np.concatenate([totals, specials * (1 - 5e-13), specials * (1 - 5e-12)])  # inside / outside EDGE_RTOL
    expected = np.asarray(bands.grade(totals), dtype=object)
    labels = np.array(list(bands.labels) + [None], dtype=object)
    assert labels[band_codes(bands, totals)].tolist() == expected.tolist()
    # the float-noise tolerance: just below an inner edge counts as on it, a recorded difference does not
    assert bands.grade(bands.bands[-1].low * (1 - 5e-13)) == bands.bands[-1].label
    assert bands.grade(bands.bands[-1].low - 1e-7) != bands.bands[-1].label


def test_rank_desc_is_competition_ranking():
    rng = np.random.default_rng(1)
    for totals in (rng.normal(size=(40, 25)), np.round(rng.normal(size=(40, 25))), np.zeros((2, 5))):
        expected = stats.rankdata(-totals, axis=1, method="min")
        assert np.array_equal(rank_desc(totals), expected)
    assert rank_desc(np.array([3.0, 9.0, 3.0, 1.0])).tolist() == [2, 1, 2, 4]


# ---------------------------------------------------------------------------------------------------------------
# the engine against full re-scoring
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("level,hierarchical", [(1, False), (2, False), (2, True)])
def test_engine_reproduces_rescoring(level, hierarchical):
    """Totals and grades under drawn weights equal a full perfeval.score on the re-weighted framework, including
    units whose not-applicable nodes were rescaled (their own shares) and vetoes on score and achievement."""
    vetoes = (Veto("v_b", "b", "<", "中", 0.5), Veto("v_c", "c", "<", "差", 10.0, measure="score"))
    fw, ach, res = tree_case(vetoes)
    u = weight_uncertainty(res, level=level, hierarchical=hierarchical, spread=0.4, n=6, rng=5)
    units = Units.from_result(res)
    engine = Engine(units, design_for_level(fw, level, hierarchical))
    assert len(engine.ns) > 0  # the case exercises units with their own shares
    ratios = u.weights.to_numpy() / u.nominal_weights.to_numpy()
    for i, row in u.weights.iterrows():
        oracle = rescore(fw, ach, row.to_dict())
        edge_ratios = _edge_ratios(engine, ratios[i])
        chunk = engine.evaluate(edge_ratios[None, :])
        np.testing.assert_allclose(chunk.totals[0], oracle["total"].to_numpy(), rtol=0, atol=1e-9)
        labels = np.array(list(engine.labels) + [None], dtype=object)
        assert labels[chunk.codes[0]].tolist() == oracle["grade"].tolist()


def _edge_ratios(engine: Engine, cut_ratio: np.ndarray) -> np.ndarray:
    """Edge ratios giving these cut ratios (parents first: a child's edge ratio is its ratio over its parent's)."""
    d = engine.design
    node_ratio = dict(zip(d.cut, cut_ratio))
    pts = d.framework.points()
    for code in d.edge_codes:  # inner edges: sum of the cut points below over nominal
        if code not in node_ratio:
            kids = [c for c in d.cut if d.parents.get(c) == code]
            node_ratio[code] = sum(node_ratio[k] * pts[k] for k in kids) / pts[code]
    out = np.empty(d.n_edges)
    for i, code in enumerate(d.edge_codes):
        parent = d.parents[code]
        out[i] = node_ratio[code] / (node_ratio[parent] if parent in node_ratio else 1.0)
    return out


def test_units_with_own_first_level_points_keep_their_sum():
    """A unit that supplies its own points (87 instead of 100) keeps 87 points under any draw: its points are its
    own shares scaled by the framework's relative change and renormalised."""
    fw = flat_framework([10, 50, 30, 10])
    nodes = pd.DataFrame({"unit_id": ["u"] * 4, "node_code": ["x1", "x2", "x3", "x4"], "parent_code": None,
                          "level": 1, "points": [10.0, 50.0, 17.0, 10.0], "achievement": [0.5, 1.0, 0.2, 1.0]})
    nodes["score"] = nodes["points"] * nodes["achievement"]
    totals = pd.DataFrame({"unit_id": ["u"], "total": [nodes["score"].sum()], "grade": ["中"]})
    res = ScoreResult(fw, totals, nodes)
    u = weight_uncertainty(res, spread=0.3, n=50, rng=2)
    w = u.weights.to_numpy()
    own = np.array([10.0, 50.0, 17.0, 10.0])
    r = w / np.array([10.0, 50.0, 30.0, 10.0])
    points = 87 * own * r / (own * r).sum(axis=1, keepdims=True)
    expected = (points * nodes["achievement"].to_numpy()).sum(axis=1)
    assert u.score_intervals["mean"].iloc[0] == pytest.approx(expected.mean(), abs=1e-9)
    assert u.score_intervals["p95"].iloc[0] == pytest.approx(np.quantile(expected, 0.95), abs=1e-9)


# ---------------------------------------------------------------------------------------------------------------
# acceptance checks of weight_uncertainty
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"spread": 0}, {"concentration": math.inf}])
@pytest.mark.parametrize("level,hierarchical", [(1, False), (2, True)])
def test_zero_spread_reproduces_the_nominal_result_exactly(kwargs, level, hierarchical):
    fw, _, res = tree_case((Veto("v_b", "b", "<", "中", 0.5),))
    u = weight_uncertainty(res, level=level, hierarchical=hierarchical, n=20, rng=0, **kwargs)
    totals = res.totals["total"].to_numpy()
    for col in ("median", "p05", "p95"):  # every draw's total is the reported one, bit for bit
        assert np.array_equal(u.score_intervals[col].to_numpy(), totals)
    np.testing.assert_allclose(u.score_intervals["mean"], totals, rtol=1e-15, atol=0)  # a sum of n copies
    assert (u.grade_stability == 1.0).all()
    probs = u.grade_probabilities
    assert all(probs.loc[uid, g] == 1.0 for uid, g in zip(res.totals["unit_id"], res.totals["grade"]))
    r = u.rank_intervals
    assert np.array_equal(r["p05"], r["nominal_rank"]) and np.array_equal(r["p95"], r["nominal_rank"])
    assert (r["mean_abs_rank_change"] == 0).all()
    assert np.array_equal(u.weights.to_numpy(), np.tile(u.nominal_weights.to_numpy(), (20, 1)))


def test_unit_far_from_band_edges_keeps_its_grade():
    """Achievements all in [0.9, 1]: the total stays in [90, 100] for every simplex weight, so P(优) = 1 exactly
    even under a wide spread; a unit in the middle of 良 keeps it under a small spread."""
    fw = flat_framework([30, 30, 20, 20])
    ach = achievements_frame({"far": {"x1": 0.9, "x2": 1.0, "x3": 0.95, "x4": 0.92},
                              "mid": {"x1": 0.8, "x2": 0.9, "x3": 0.85, "x4": 0.86}})
    res = score_with(fw, ach)
    u = weight_uncertainty(res, spread=0.5, n=4000, rng=11)
    assert u.grade_probabilities.loc["far", "优"] == 1.0
    small = weight_uncertainty(res, spread=0.02, n=4000, rng=11)
    assert small.grade_probabilities.loc["mid", "良"] == 1.0
    assert small.grade_stability.loc["mid"] == 1.0


@pytest.mark.parametrize("method", ["dirichlet", "uniform"])
def test_unit_on_a_band_edge_moves_with_probability_one_half(method):
    """Two nodes of 50 points, achievements 1.0 and 0.8: total 80 + 20 w1/50... = exactly 90 at the nominal weights.
    The perturbation is symmetric in w1 around 50, so P(优) = P(w1 >= 50) = 1/2."""
    fw = flat_framework([50, 50])
    res = score_with(fw, achievements_frame({"edge": {"x1": 1.0, "x2": 0.8}}))
    assert res.totals["total"].iloc[0] == 90.0
    n = 20_000
    u = weight_uncertainty(res, method=method, spread=0.2 if method == "dirichlet" else None, n=n, rng=3)
    p = u.grade_probabilities.loc["edge", "优"]
    assert abs(p - 0.5) < 4 * math.sqrt(0.25 / n)
    assert p + u.grade_probabilities.loc["edge", "良"] == pytest.approx(1.0)


def test_same_seed_identical_different_seed_differs():
    _, _, res = tree_case()
    a = weight_uncertainty(res, n=500, rng=42)
    b = weight_uncertainty(res, n=500, rng=42)
    c = weight_uncertainty(res, n=500, rng=43)
    pd.testing.assert_frame_equal(a.weights, b.weights)
    pd.testing.assert_frame_equal(a.grade_probabilities, b.grade_probabilities)
    pd.testing.assert_frame_equal(a.score_intervals, b.score_intervals)
    assert not np.array_equal(a.weights.to_numpy(), c.weights.to_numpy())
    assert not a.score_intervals["mean"].equals(c.score_intervals["mean"])
    assert a.params["seed"] == 42 and a.params["entropy"] == 42


def test_generator_state_recorded_reproduces_the_draws():
    _, _, res = tree_case()
    gen = np.random.default_rng(7)
    gen.random(3)  # an arbitrary state
    a = weight_uncertainty(res, n=200, rng=gen)
    again = np.random.default_rng()
    again.bit_generator.state = a.params["state"]
    b = weight_uncertainty(res, n=200, rng=again)
    pd.testing.assert_frame_equal(a.weights, b.weights)
    assert a.params["rng"] == "Generator" and a.params["bit_generator"] == "PCG64"


def test_chunking_does_not_change_the_result():
    _, _, res = tree_case()
    a = weight_uncertainty(res, n=300, rng=1, chunk=7)
    b = weight_uncertainty(res, n=300, rng=1)
    pd.testing.assert_frame_equal(a.score_intervals, b.score_intervals)
    pd.testing.assert_frame_equal(a.rank_intervals, b.rank_intervals)
    pd.testing.assert_frame_equal(a.grade_probabilities, b.grade_probabilities)
    assert a.params["chunk"] == 7


# ---------------------------------------------------------------------------------------------------------------
# the samplers
# ---------------------------------------------------------------------------------------------------------------
def test_dirichlet_draws_are_on_the_simplex_with_the_requested_spread():
    """Mean = nominal points, sum = total, and the largest weight's coefficient of variation = spread."""
    fw = flat_framework([10, 50, 30, 10])
    res = score_with(fw, achievements_frame(random_achievements(["x1", "x2", "x3", "x4"], 5, 0)))
    u = weight_uncertainty(res, spread=0.1, n=20_000, rng=0)
    w = u.weights.to_numpy()
    np.testing.assert_allclose(w.sum(axis=1), 100.0, rtol=0, atol=1e-10)
    assert (w >= 0).all()
    np.testing.assert_allclose(w.mean(axis=0), [10, 50, 30, 10], rtol=0.01)
    assert w[:, 1].std() / w[:, 1].mean() == pytest.approx(0.1, rel=0.03)
    kappa = (1 - 0.5) / (0.5 * 0.01) - 1  # eq. in the Notes of weight_uncertainty
    assert u.params["concentration"] == {"<root>": pytest.approx(kappa)}
    assert u.params["spread"] == 0.1 and u.params["acceptance_rate"] == 1.0


def test_uniform_draws_follow_the_uniform_simplex_law():
    """Uniform on the simplex of 3 weights: each share ~ Beta(1, 2) (not what 'uniform then normalise' gives)."""
    fw = flat_framework([20, 30, 50])
    res = score_with(fw, achievements_frame(random_achievements(["x1", "x2", "x3"], 3, 1)))
    u = weight_uncertainty(res, method="uniform", n=5000, rng=4)
    shares = u.weights.to_numpy() / 100
    for j in range(3):
        assert stats.kstest(shares[:, j], stats.beta(1, 2).cdf).pvalue > 1e-3
    naive = np.random.default_rng(4).uniform(size=(5000, 3))
    naive /= naive.sum(axis=1, keepdims=True)
    assert stats.kstest(naive[:, 0], stats.beta(1, 2).cdf).pvalue < 1e-6  # the test can tell them apart


def test_uniform_with_lower_bounds_is_the_translated_simplex():
    """Lower bounds l: w = l + (T - sum l) z, z uniform: (w1 - l1) / (T - sum l) ~ Beta(1, 2); upper bounds by
    rejection keep every draw inside."""
    fw = flat_framework([20, 30, 50])
    res = score_with(fw, achievements_frame(random_achievements(["x1", "x2", "x3"], 3, 1)))
    u = weight_uncertainty(res, method="uniform", n=4000, rng=5, bounds={"x1": (10, None), "x2": (20, None)})
    w = u.weights.to_numpy()
    assert (w[:, 0] >= 10 - 1e-9).all() and (w[:, 1] >= 20 - 1e-9).all()
    assert stats.kstest((w[:, 0] - 10) / 70, stats.beta(1, 2).cdf).pvalue > 1e-3
    v = weight_uncertainty(res, method="uniform", n=2000, rng=5, bounds={"x3": (40, 60), "x1": (None, 30)})
    assert (v.weights["x3"].between(40 - 1e-9, 60 + 1e-9)).all() and (v.weights["x1"] <= 30 + 1e-9).all()
    assert 0 < v.params["acceptance_rate"] < 1
    assert v.params["bounds"] == {"x1": (0.0, 30.0), "x3": (40.0, 60.0)}


def test_chain_order_by_sorting_matches_the_ordered_uniform_law():
    """Uniform shares with w1 >= w2 >= w3: the means of ordered uniform spacings are (11, 5, 2) / 18."""
    fw = flat_framework([40, 35, 25])
    res = score_with(fw, achievements_frame(random_achievements(["x1", "x2", "x3"], 3, 1)))
    u = weight_uncertainty(res, method="uniform", n=20_000, rng=6, order=[("x1", "x2"), ("x2", "x3")])
    w = u.weights.to_numpy() / 100
    assert (np.diff(w, axis=1) <= 1e-12).all()
    np.testing.assert_allclose(w.mean(axis=0), np.array([11, 5, 2]) / 18, atol=0.005)
    assert u.params["acceptance_rate"] == 1.0  # by construction, not rejection
    assert u.params["order"] == [("x1", "x2"), ("x2", "x3")]


def test_dirichlet_order_and_bounds_by_rejection():
    fw = flat_framework([40, 35, 25])
    res = score_with(fw, achievements_frame(random_achievements(["x1", "x2", "x3"], 3, 1)))
    u = weight_uncertainty(res, spread=0.3, n=3000, rng=7, order=[("x1", "x2")], bounds={"x3": (15, 35)})
    w = u.weights
    assert (w["x1"] >= w["x2"] - 1e-9).all() and w["x3"].between(15 - 1e-9, 35 + 1e-9).all()
    assert 0 < u.params["acceptance_rate"] < 1


def test_hierarchical_and_level_two_sampling_respect_the_tree():
    """Level 2 inside each parent keeps the parents' points; hierarchical moves them, children still sum."""
    fw, _, res = tree_case()
    inside = weight_uncertainty(res, level=2, spread=0.2, n=500, rng=8)
    w = inside.weights
    assert list(w.columns) == ["a1", "a2", "b1", "b2", "b3"]
    np.testing.assert_allclose(w[["a1", "a2"]].sum(axis=1), 40.0, atol=1e-10)
    np.testing.assert_allclose(w[["b1", "b2", "b3"]].sum(axis=1), 35.0, atol=1e-10)
    hier = weight_uncertainty(res, level=2, hierarchical=True, spread=0.2, n=500, rng=8).weights
    assert list(hier.columns) == ["a1", "a2", "b1", "b2", "b3", "c"]
    np.testing.assert_allclose(hier.sum(axis=1), 100.0, atol=1e-10)
    assert hier[["a1", "a2"]].sum(axis=1).std() > 1.0  # the first level moves too


def test_vetoes_fix_grades_that_weights_cannot_change():
    """us_part: a program without a results section is Results Not Demonstrated in every draw."""
    obs = pd.DataFrame({"unit_id": ["A"] * 3 + ["B"] * 4,
                        "node_code": ["purpose", "planning", "management"] + ["purpose", "planning", "management",
                                                                              "results"],
                        "score": [20, 10, 20, 15, 8, 15, 40]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        res = pe.score("us_part", obs)
    u = weight_uncertainty(res, spread=0.3, n=1000, rng=1)
    assert u.grade_probabilities.loc["A", "Results Not Demonstrated"] == 1.0
    assert list(u.grade_probabilities.columns)[-1] == "Results Not Demonstrated"
    assert u.params["band_labels"] == ["Effective", "Moderately Effective", "Adequate", "Ineffective"]


# ---------------------------------------------------------------------------------------------------------------
# the result object
# ---------------------------------------------------------------------------------------------------------------
def test_result_frames_and_presentation():
    _, _, res = tree_case()
    u = weight_uncertainty(res, spread=0.3, n=400, rng=9)
    assert isinstance(u, UncertaintyResult)
    frame = u.to_frame()
    assert list(frame.columns) == ["unit_id", "grade", "grade_stability", "most_likely_grade",
                                   "most_likely_probability", "total", "total_mean", "total_median", "total_p05",
                                   "total_p95", "rank", "rank_mean", "rank_median", "rank_p05", "rank_p95",
                                   "mean_abs_rank_change"]
    assert list(u.score_intervals.columns) == ["unit_id", "nominal", "mean", "median", "p05", "p95"]
    assert list(u.rank_intervals.columns) == ["unit_id", "nominal_rank", "mean_rank", "median_rank", "p05", "p95",
                                              "mean_abs_rank_change"]
    assert list(u.grade_probabilities.columns) == ["优", "良", "中", "差"]
    np.testing.assert_allclose(u.grade_probabilities.sum(axis=1), 1.0)
    assert (u.score_intervals["p05"] <= u.score_intervals["median"]).all()
    assert (u.score_intervals["median"] <= u.score_intervals["p95"]).all()
    assert u.grade_stability.name == "grade_stability" and u.grade_stability.between(0, 1).all()
    assert frame["most_likely_probability"].ge(frame["grade_stability"] - 1e-12).all()
    assert "Weight uncertainty" in u._repr_html_() and "<table" in u._repr_html_()
    assert repr(u).startswith("UncertaintyResult(method='dirichlet', level=1, n=400")
    with pytest.raises(dataclasses.FrozenInstanceError):
        u.weights = None
    with pytest.raises(TypeError, match="does not support item assignment"):
        u.params["n"] = 3


# ---------------------------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def flat_result() -> ScoreResult:
    fw = flat_framework([40, 35, 25])
    return score_with(fw, achievements_frame(random_achievements(["x1", "x2", "x3"], 4, 2)))


@pytest.mark.parametrize("kwargs,match", [
    ({"spread": -0.1}, "`spread` must be a non-negative finite number"),
    ({"spread": math.nan}, "`spread` must be a number"),
    ({"spread": 5.0}, "`spread` must be below 1.22474"),
    ({"spread": 0.1, "concentration": 10}, "give `spread` or `concentration`, not both"),
    ({"concentration": 0}, "`concentration` must be a positive number"),
    ({"concentration": "big"}, "`concentration` must be a number"),
    ({"method": "uniform", "spread": 0.1}, "apply to method='dirichlet'"),
    ({"method": "normal"}, "`method` must be one of 'dirichlet', 'uniform'"),
    ({"n": 1}, r"`n` must be an integer >= 2"),
    ({"n": 2.5}, r"`n` must be an integer >= 2"),
    ({"n": True}, r"`n` must be an integer >= 2"),
    ({"chunk": 0}, "`chunk` must be a positive integer"),
    ({"rng": "seed"}, "`rng` must be None, a non-negative int seed"),
    ({"rng": -1}, "`rng` must be None, a non-negative int seed"),
    ({"level": 2}, r"`level` must be an integer from 1 to 1"),
    ({"level": 0}, r"`level` must be an integer from 1 to 1"),
    ({"hierarchical": "yes"}, "`hierarchical` must be True or False"),
    ({"bounds": {"x9": (0, 10)}}, "`bounds` names unknown node 'x9'"),
    ({"bounds": [("x1", 0, 10)]}, r"`bounds` must be a mapping"),
    ({"bounds": {"x1": (20, 10)}}, r"`bounds\['x1'\]` must satisfy 0 <= low <= high"),
    ({"bounds": {"x1": (-1, 10)}}, r"`bounds\['x1'\]` must satisfy 0 <= low <= high"),
    ({"bounds": {"x1": 10}}, r"`bounds\['x1'\]` must be a \(low, high\) pair"),
    ({"bounds": {"x1": ("a", 10)}}, r"`bounds\['x1'\] low` must be a number"),
    ({"bounds": {"x1": (60, None), "x2": (50, None)}}, "lower bounds of the children of 'the root' sum to 110 "
                                                       "points, more than the 100 points"),
    ({"bounds": {"x1": (0, 20), "x2": (0, 20), "x3": (0, 20)}}, "upper bounds of the children of 'the root' sum "
                                                                "to 60 points, less than the 100"),
    ({"order": [("x1", "x2"), ("x2", "x1")]}, "`order` must not be cyclic"),
    ({"order": [("x1", "x1")]}, "`order` pairs must name two different nodes"),
    ({"order": [("x1", "x7")]}, "`order` names unknown node 'x7'"),
    ({"order": "x1>x2"}, "`order` must be a list of"),
    ({"order": [("x1",)]}, r"`order` must hold \(a, b\) pairs"),
    ({"order": [("x3", "x1")], "bounds": {"x1": (40, None), "x3": (None, 30)}},
     "`bounds` and `order` cannot be met together"),
    ({"spread": 0, "bounds": {"x1": (0, 30)}}, "with zero spread every draw is the nominal weights"),
])
def test_bad_arguments(flat_result, kwargs, match):
    with pytest.raises(InputError, match=match):
        weight_uncertainty(flat_result, **{"n": 50, **kwargs})


def test_bounds_that_reject_almost_every_draw(flat_result):
    """A tight Dirichlet (concentration 1e6) around 40 points never reaches x1 >= 60: refused, with the rate."""
    with pytest.raises(InputError, match=r"accept only 0 of \d+ candidate draws"):
        from perfeval.sensitivity._model import design_for_level as design
        from perfeval.sensitivity._sampling import draw, parse_constraints
        d = design(flat_result.framework, 1, False)
        cons = parse_constraints(d, {"x1": (60, None)}, None, "dirichlet")
        draw(d, "dirichlet", np.array([1e6]), cons, 10, np.random.default_rng(0), max_candidates=20_000)


def test_bounds_on_nodes_not_reweighted():
    fw, _, res = tree_case()
    with pytest.raises(InputError, match="`bounds` names node 'a1', whose weight is not re-weighted here"):
        weight_uncertainty(res, bounds={"a1": (0, 30)}, n=10)


def test_slots_cannot_be_reweighted():
    """project_self's second level are slots (each unit brings its own indicator points)."""
    obs = pd.DataFrame({"unit_id": "P1", "l1": ["产出指标", "效益指标", "满意度指标"],
                        "l2": ["数量指标", "社会效益指标", "服务对象满意度指标等"], "indicator": ["培训人次", "就业率", "满意度"],
                        "target": ["≥1000人次", "≥80%", "≥90%"], "actual": ["1200人次", "76%", "95%"],
                        "points": [50, 30, 10]})
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [95.0]})
    res = pe.score("project_self", obs, budget)
    u = weight_uncertainty(res, n=100, rng=0)  # level 1 works: execution 10, output 50, effect 30, satisfaction 10
    assert list(u.nominal_weights) == [10.0, 50.0, 30.0, 10.0]
    with pytest.raises(InputError, match="carry no framework points|have none or zero"):
        weight_uncertainty(res, level=2, n=10)


def test_result_checks(flat_result):
    with pytest.raises(TypeError, match="`result` must be a ScoreResult"):
        weight_uncertainty(flat_result.totals)
    edited = dataclasses.replace(flat_result, totals=flat_result.totals.assign(grade="优"))
    with pytest.raises(InputError, match="must carry the grades its totals, bands and vetoes give"):
        weight_uncertainty(edited, n=10)
    shifted = dataclasses.replace(flat_result, totals=flat_result.totals.assign(total=lambda t: t["total"] + 1))
    with pytest.raises(InputError, match="must equal the sum of the first-level scores"):
        weight_uncertainty(shifted, n=10)
    nan = dataclasses.replace(flat_result, totals=flat_result.totals.assign(total=np.nan))
    with pytest.raises(InputError, match="must be finite"):
        weight_uncertainty(nan, n=10)
    twice = dataclasses.replace(flat_result, totals=pd.concat([flat_result.totals] * 2))
    with pytest.raises(InputError, match="one row per unit; got duplicated unit_id"):
        weight_uncertainty(twice, n=10)
    empty = dataclasses.replace(flat_result, totals=flat_result.totals.iloc[:0])
    with pytest.raises(InputError, match="at least one unit"):
        weight_uncertainty(empty, n=10)
    no_score = dataclasses.replace(flat_result, nodes=flat_result.nodes.drop(columns="score"))
    with pytest.raises(InputError, match=r"`result.nodes` must have columns .*missing \['score'\]"):
        weight_uncertainty(no_score, n=10)


def test_level_without_groups():
    """A framework whose second level has single children: nothing to re-weight there."""
    fw = Framework("one", "one", (Node("a", "A", 60, children=(leaf("a1", 60),)), leaf("b", 40)))
    res = score_with(fw, achievements_frame({"u": {"a1": 0.5, "b": 0.9}}))
    with pytest.raises(InputError, match="has no parent with two or more children"):
        weight_uncertainty(res, level=2, n=10)
    with pytest.raises(FrameworkError):  # FrameworkError is an InputError naming the known codes
        pe.sensitivity.oat(res, "zz", [10])
