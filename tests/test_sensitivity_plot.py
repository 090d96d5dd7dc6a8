"""Tests of the sensitivity plots: they draw what the results hold and refuse bad arguments."""
from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

from perfeval.plotting.sensitivity import flip_margin_tornado, grade_probability_plot, rank_interval_plot
from perfeval.sensitivity import flip_margin, weight_uncertainty

from test_sensitivity import tree_case

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def results():
    _, _, res = tree_case()
    return weight_uncertainty(res, spread=0.4, n=400, rng=0), flip_margin(res)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no CJK font on a bare machine
        return func(*args, **kwargs)


def test_grade_probability_plot(results):
    u, _ = results
    ax = _quiet(grade_probability_plot, u, lang="en", max_units=5)
    assert len(ax.get_yticklabels()) == 5
    least_stable = u.grade_stability.sort_values(kind="stable").index[:5].tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == least_stable
    widths = np.array([p.get_width() for p in ax.patches]).reshape(4, 5)  # grades x units
    np.testing.assert_allclose(widths.sum(axis=0), 1.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Excellent", "Good", "Fair", "Poor"]
    assert "5/12 units" in ax.get_title()
    zh = _quiet(grade_probability_plot, u, units=["u00", "u01"])
    assert [t.get_text() for t in zh.get_yticklabels()] == ["u00", "u01"]
    assert [t.get_text() for t in zh.get_legend().get_texts()] == ["优", "良", "中", "差"]


def test_rank_interval_plot(results):
    u, _ = results
    ax = _quiet(rank_interval_plot, u, lang="en")
    ranks = u.rank_intervals.sort_values("nominal_rank", kind="stable")
    assert [t.get_text() for t in ax.get_xticklabels()] == ranks["unit_id"].tolist()
    assert ax.yaxis_inverted() and ax.get_ylabel() == "rank (1 = highest)"
    few = _quiet(rank_interval_plot, u, max_units=3)
    widest = (u.rank_intervals["p95"] - u.rank_intervals["p05"]).nlargest(3).index
    assert sorted(t.get_text() for t in few.get_xticklabels()) == sorted(u.rank_intervals.loc[widest, "unit_id"])


def test_flip_margin_tornado(results):
    _, flips = results
    ax = _quiet(flip_margin_tornado, flips, lang="en", max_units=4)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 4
    closest = flips.groupby("unit_id")["margin"].min().sort_values(kind="stable").index[:4].tolist()
    assert sorted(labels) == sorted(closest)
    lefts = [p.get_width() for p in ax.patches[:4]]
    assert all(w <= 0 for w in lefts)  # downgrade margins drawn to the left
    fig, given = matplotlib.pyplot.subplots()
    assert _quiet(flip_margin_tornado, flips, ax=given) is given


@pytest.mark.parametrize("kwargs,match", [
    ({"lang": "fr"}, "`lang` must be 'zh' or 'en'"),
    ({"max_units": 0}, "`max_units` must be a positive integer"),
])
def test_bad_arguments(results, kwargs, match):
    u, flips = results
    for func, arg in ((grade_probability_plot, u), (rank_interval_plot, u), (flip_margin_tornado, flips)):
        with pytest.raises(ValueError, match=match):
            func(arg, **kwargs)


def test_unknown_units_and_frames(results):
    u, _ = results
    with pytest.raises(ValueError, match=r"`units` must name units of the result; got unknown \['zz'\]"):
        grade_probability_plot(u, units=["zz"])
    with pytest.raises(ValueError, match="`units` must name units"):
        rank_interval_plot(u, units=["zz"])
    with pytest.raises(ValueError, match="`flips` must be the DataFrame of perfeval.sensitivity.flip_margin"):
        flip_margin_tornado(u.to_frame())
