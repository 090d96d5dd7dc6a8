"""Tests of perfeval.sensitivity.flip_margin: closed form, linprog and brute force agree."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfeval as pe
from perfeval.errors import InputError
from perfeval.sensitivity import flip_margin
from perfeval.sensitivity._model import band_codes

from test_sensitivity import achievements_frame, flat_framework, rescore, score_with, tree_case

WEIGHT_COLUMNS = ["weight_x1", "weight_x2", "weight_x3"]


def test_closed_form_on_a_hand_example():
    """us_part, achievements (1, 1, 1, 0.6), total 80 (Moderately Effective [70, 85)). Moving t points from
    results (0.6) to any full node gains 0.4 t: up needs 5 / 0.4 = 12.5 points moved (L1 25), down needs
    10 / 0.4 = 25 points moved the other way (L1 50)."""
    obs = pd.DataFrame({"unit_id": "A", "node_code": ["purpose", "planning", "management", "results"],
                        "score": [20, 10, 20, 30]})
    res = pe.score("us_part", obs)
    m = flip_margin(res)
    assert m["direction"].tolist() == ["up", "down"]
    assert m["next_grade"].tolist() == ["Effective", "Adequate"]
    np.testing.assert_allclose(m["gap_to_next_grade"], [5.0, 10.0])
    np.testing.assert_allclose(m["margin"], [25.0, 50.0], rtol=1e-9)
    np.testing.assert_allclose(m["points_moved"], [12.5, 25.0], rtol=1e-9)
    w = m[["weight_purpose", "weight_planning", "weight_management", "weight_results"]].to_numpy()
    np.testing.assert_allclose(w.sum(axis=1), 100.0)
    assert w[0, 3] == pytest.approx(37.5) and w[1, 3] == pytest.approx(75.0)
    assert m.attrs["nominal_weights"] == {"purpose": 20.0, "planning": 10.0, "management": 20.0, "results": 50.0}
    assert not m["vetoed"].any() and m["feasible"].all()


def test_gap_per_first_level_node_by_hand():
    """us_part (purpose 20, planning 10, management 20, results 50), achievements (1, 0.5, 0.9, 0.7): scores 20,
    5, 18, 35, total 78 (Moderately Effective [70, 85)). Up: 7 points, headrooms 0, 5, 2, 15 -> only results
    can supply them. Down: 8 points, scores 20, 5, 18, 35 -> every node but planning (5 < 8) can lose them."""
    obs = pd.DataFrame({"unit_id": "A", "node_code": ["purpose", "planning", "management", "results"],
                        "score": [20, 5, 18, 35]})
    m = flip_margin(pe.score("us_part", obs)).set_index("direction")
    gaps = ["gap_purpose", "gap_planning", "gap_management", "gap_results"]
    assert list(m.columns[-4:]) == gaps  # after the existing columns, which are kept
    assert m.loc["up", "gap_to_next_grade"] == pytest.approx(7.0)
    assert m.loc["up", gaps].tolist() == [np.inf, np.inf, np.inf, pytest.approx(7.0)]
    assert m.loc["down", "gap_to_next_grade"] == pytest.approx(8.0)
    assert m.loc["down", gaps].tolist() == [pytest.approx(8.0), np.inf, pytest.approx(8.0), pytest.approx(8.0)]
    # a node whose headroom is exactly the gap can close it (reaching an edge counts for going up)
    exact = pd.DataFrame({"unit_id": "B", "node_code": ["purpose", "planning", "management", "results"],
                          "score": [20, 5, 20, 35]})  # total 80: 5 points to 85, planning's headroom is 5
    up = flip_margin(pe.score("us_part", exact)).set_index("direction").loc["up"]
    assert up["gap_planning"] == pytest.approx(5.0) and up["gap_purpose"] == np.inf


def test_gap_per_node_against_the_node_rows():
    """For every unit (not-applicable ones included: their own points), gap_j is the gap when the node's
    headroom (up) or score (down) in result.nodes covers it, and inf otherwise; vetoed units use the banded total."""
    _, _, res = tree_case()
    m = flip_margin(res)
    first = res.nodes[res.nodes["node_code"].isin(["a", "b", "c"])].set_index(["unit_id", "node_code"])
    checked = set()
    for _, row in m.iterrows():
        for code in ("a", "b", "c"):
            pts, score = first.loc[(row["unit_id"], code), ["points", "score"]]
            room = pts - score if row["direction"] == "up" else score
            expected = row["gap_to_next_grade"] if row["gap_to_next_grade"] <= room + 1e-7 else np.inf
            assert row[f"gap_{code}"] == pytest.approx(expected)
            checked.add(np.isfinite(expected))
    assert checked == {True, False}  # both cases occur
    assert (m.loc[m["unit_id"] == "u05", ["gap_b"]] == np.inf).all().all()  # b not applicable: no points there


def test_margin_formula_without_bounds():
    """Unbounded: margin = 2 gap / (a_max - a_min) when the receiving and giving capacities suffice."""
    fw = flat_framework([40, 35, 25])
    res = score_with(fw, achievements_frame({"u": {"x1": 0.95, "x2": 0.7, "x3": 0.85}}))
    total = res.totals["total"].iloc[0]
    m = flip_margin(res).set_index("direction")
    assert m.loc["up", "margin"] == pytest.approx(2 * (90 - total) / (0.95 - 0.7), rel=1e-7)
    assert m.loc["down", "margin"] == pytest.approx(2 * (total - 80) / (0.95 - 0.7), rel=1e-7)


@pytest.mark.parametrize("bounds", [None, {"a": (30, 50), "c": (10, 35)}, {"b": (20, 40)}])
def test_closed_form_equals_linprog(bounds):
    """Both solvers give the same margins for every unit (those with their own shares included)."""
    _, _, res = tree_case()
    a = flip_margin(res, bounds=bounds)
    b = flip_margin(res, bounds=bounds, method="linprog")
    pd.testing.assert_series_equal(a["feasible"], b["feasible"])
    np.testing.assert_allclose(a["margin"], b["margin"], rtol=1e-7, atol=1e-7)
    if bounds:
        for code, (lo, hi) in bounds.items():
            assert a[f"weight_{code}"].dropna().between(lo - 1e-9, hi + 1e-9).all()


def test_flipping_weights_reach_the_edge_by_rescoring():
    """Re-scoring with the returned weights (a full perfeval.score, not-applicable units included) lands on the
    band edge, where an upgrade already counts; a little further down the same way a downgrade does."""
    fw, ach, res = tree_case()
    m = flip_margin(res)
    nominal = pd.Series(m.attrs["nominal_weights"])
    checked = 0
    for _, row in m[m["feasible"]].iterrows():
        weights = pd.Series({c: row[f"weight_{c}"] for c in nominal.index})
        again = rescore(fw, ach, weights.to_dict()).set_index("unit_id").loc[row["unit_id"]]
        assert again["total"] == pytest.approx(row["edge"], abs=1e-7)
        if row["direction"] == "up":
            assert again["grade"] == row["next_grade"]
            checked += 1
            continue
        step = weights - nominal
        room = (weights[step < 0] / -step[step < 0]).min() if (step < 0).any() else 1.0
        if room > 0:
            further = weights + min(0.01, room / 2) * step
            moved = rescore(fw, ach, further.to_dict()).set_index("unit_id").loc[row["unit_id"]]
            assert moved["grade"] == row["next_grade"]
            checked += 1
    assert checked >= len(m) // 2


def test_units_that_no_weights_can_move():
    """Equal achievements: the total does not depend on the weights; the top band has no 'up' row."""
    fw = flat_framework([40, 35, 25])
    res = score_with(fw, achievements_frame({"flat": {"x1": 0.7, "x2": 0.7, "x3": 0.7},
                                             "top": {"x1": 0.95, "x2": 0.99, "x3": 0.92},
                                             "bottom": {"x1": 0.2, "x2": 0.5, "x3": 0.3}}))
    m = flip_margin(res)
    flat = m[m["unit_id"] == "flat"]
    assert not flat["feasible"].any() and np.isinf(flat["margin"]).all()
    assert flat[WEIGHT_COLUMNS].isna().all().all()
    assert m.loc[m["unit_id"] == "top", "direction"].tolist() == ["down"]
    assert m.loc[m["unit_id"] == "bottom", "direction"].tolist() == ["up"]
    assert flip_margin(res, unit_id="top")["unit_id"].unique().tolist() == ["top"]


def test_unit_exactly_on_an_edge_has_zero_downward_margin():
    fw = flat_framework([50, 50])
    res = score_with(fw, achievements_frame({"edge": {"x1": 1.0, "x2": 0.6}}))
    assert res.totals["total"].iloc[0] == 80.0
    m = flip_margin(res).set_index("direction")
    assert m.loc["down", "margin"] < 1e-7  # the 1e-9 grading tolerance over a slope of 0.4
    assert m.loc["up", "margin"] == pytest.approx(2 * 10 / 0.4)


def test_vetoed_units_are_marked():
    obs = pd.DataFrame({"unit_id": ["A"] * 3, "node_code": ["purpose", "planning", "management"],
                        "score": [20, 10, 20]})
    with pytest.warns(pe.DataQualityWarning):
        res = pe.score("us_part", obs)
    m = flip_margin(res)
    assert m["vetoed"].all() and (m["grade"] == "Results Not Demonstrated").all()
    assert (m["banded_grade"] == "Adequate").all()


def _brute_force(ach: np.ndarray, points: np.ndarray, bounds: np.ndarray, step: float) -> dict[str, float]:
    """Smallest L1 change over a grid of the bounded simplex that changes the grade, per direction."""
    total = points.sum()
    grid = np.arange(0, total + step / 2, step)
    w1, w2 = (g.ravel() for g in np.meshgrid(grid, grid))
    w = np.column_stack([w1, w2, total - w1 - w2])
    inside = np.all((w >= bounds[:, 0] - 1e-9) & (w <= bounds[:, 1] + 1e-9), axis=1) & (w[:, 2] >= -1e-9)
    w = w[inside]
    base = band_codes(pe.framework.DEFAULT_BANDS, np.array([ach @ points]))[0]
    codes = band_codes(pe.framework.DEFAULT_BANDS, w @ ach)
    dist = np.abs(w - points).sum(axis=1)
    return {"up": float(dist[codes < base].min(initial=np.inf)),
            "down": float(dist[(codes > base) | (codes < 0)].min(initial=np.inf))}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ach=st.lists(st.floats(0.3, 1.0), min_size=3, max_size=3),
       split=st.sampled_from([(40, 35, 25), (50, 30, 20), (34, 33, 33)]),
       bounded=st.booleans())
def test_margin_against_brute_force(ach, split, bounded):
    """No weight vector on a 0.5-point grid of the (bounded) simplex that changes the grade is closer than the
    margin, and the grid's best is within the grid's resolution of it (hypothesis, few examples)."""
    points = np.array(split, dtype=float)
    fw = flat_framework(points)
    res = score_with(fw, achievements_frame({"u": dict(zip(["x1", "x2", "x3"], ach))}))
    bounds = np.array([[p * 0.5, p * 1.5] for p in points]) if bounded else np.array([[0, 100]] * 3, float)
    spec = {f"x{i + 1}": tuple(b) for i, b in enumerate(bounds)} if bounded else None
    m = flip_margin(res, bounds=spec).set_index("direction")
    brute = _brute_force(np.array(ach), points, bounds, step=0.5)
    for direction in m.index:
        margin = m.loc[direction, "margin"]
        assert brute[direction] >= margin - 1e-7  # nothing on the grid beats the exact margin
        if np.isfinite(brute[direction]):
            assert brute[direction] <= margin + 3.0  # and the grid gets within a few cells of it
        if m.loc[direction, "feasible"]:
            w = m.loc[direction, WEIGHT_COLUMNS].to_numpy(dtype=float)
            assert w.sum() == pytest.approx(100.0)
            assert np.all(w >= bounds[:, 0] - 1e-9) and np.all(w <= bounds[:, 1] + 1e-9)
            assert np.abs(w - points).sum() == pytest.approx(margin, abs=1e-9)
            assert np.array(ach) @ w == pytest.approx(m.loc[direction, "edge"], abs=1e-6)


@pytest.mark.parametrize("kwargs,match", [
    ({"unit_id": "nope"}, r"`unit_id` must name units of the result; got unknown \['nope'\]"),
    ({"unit_id": ["u01", "zz"]}, r"got unknown \['zz'\]"),
    ({"method": "simplex"}, "`method` must be one of 'closed_form', 'linprog'"),
    ({"bounds": {"a1": (0, 10)}}, "`bounds` names node 'a1', whose weight is not re-weighted"),
    ({"bounds": {"zz": (0, 10)}}, "`bounds` names unknown node 'zz'"),
    ({"bounds": {"a": (60, None), "b": (45, None)}}, "lower bounds of the children of 'the root' sum to 105"),
    ({"bounds": {"a": (0, 30), "b": (0, 30), "c": (0, 30)}}, "`bounds` cannot be met: the upper bounds of the "
                                                            "children of 'the root' sum to 90 points, less than "
                                                            "the 100 points they share"),
    ({"bounds": {"a": (0, 10, 20)}}, r"`bounds\['a'\]` must be a \(low, high\) pair in points \(None for an open "
                                     r"end\); got \(0, 10, 20\)"),
    ({"bounds": {"a": "0-40"}}, r"`bounds\['a'\]` must be a \(low, high\) pair in points .*; got '0-40'"),
    ({"bounds": {"a": 40}}, r"`bounds\['a'\]` must be a \(low, high\) pair in points \(None for an open end\); "
                            r"got 40"),
])
def test_bad_arguments(kwargs, match):
    _, _, res = tree_case()
    with pytest.raises(InputError, match=match):
        flip_margin(res, **kwargs)


def test_not_a_score_result():
    with pytest.raises(TypeError, match="`result` must be a ScoreResult"):
        flip_margin(pd.DataFrame())
