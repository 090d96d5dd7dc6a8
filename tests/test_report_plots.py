"""The report plots: contribution, peer profile, grade distribution, execution by month, weight comparison, and
names on the traffic-light and rank-interval plots. Shared contract (Axes, given ax, both languages, CJK font, no
missing glyph) as in test_plotting.py; then what each one draws, checked against numbers worked out by hand."""
from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.text import Text

import perfeval as pe
from perfeval import plotting
from perfeval.plotting._base import cjk_font_family

matplotlib.use("Agg")

UNIT = "0070010"


@pytest.fixture(scope="module")
def sample():
    data = pe.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        an = pe.pipeline.analyse(data, steps=["self", "monitoring", "sensitivity", "weights"], draws=100)
    return data, an


@pytest.fixture(scope="module")
def calls(sample):
    data, an = sample
    months = pe.monitoring.execution_by_month(data.monitoring, data.budget, units=[UNIT])
    weights = pe.weighting.compare_weights({"分值": {"decision": 20, "process": 20, "output": 30, "effect": 30},
                                            "AHP": an.weights})
    return {
        "contribution_plot": ((an.self_evaluation, UNIT), {"names": data.units}),
        "profile_plot": ((an.self_evaluation, UNIT), {"units": data.units, "by": "department_id"}),
        "grade_distribution_plot": ((an.self_evaluation,), {"units": data.units, "by": "project_type"}),
        "execution_plot": ((months,), {"unit_id": UNIT, "names": data.units}),
        "weight_comparison_plot": ((weights,), {}),
    }


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


NAMES = ["contribution_plot", "profile_plot", "grade_distribution_plot", "execution_plot", "weight_comparison_plot"]


@pytest.mark.parametrize("name", NAMES)
def test_contract(calls, name):
    func = getattr(plotting, name)
    assert name in plotting.__all__ and hasattr(func, "__wrapped__")
    args, kwargs = calls[name]
    fig, given = plt.subplots()
    assert func(*args, ax=given, lang="en", **kwargs) is given and len(fig.axes) == 1
    ax = func(*args, lang="en", **kwargs)
    assert isinstance(ax, Axes) and ax.get_title()
    with pytest.raises(ValueError, match="`lang` must be 'zh' or 'en'"):
        func(*args, lang="fr", **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_chinese_labels_without_missing_glyphs(calls, name):
    family = cjk_font_family()
    if family is None:
        pytest.skip("no CJK font installed")
    args, kwargs = calls[name]
    fig, given = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)           # "Glyph ... missing from font" would raise
        ax = getattr(plotting, name)(*args, ax=given, **kwargs)
        fig.canvas.draw()
    chinese = [t for t in ax.findobj(Text) if _has_cjk(t.get_text())]
    assert chinese and all(family in t.get_fontfamily() for t in chinese)


def test_contribution_bars_are_scores_against_points(sample):
    data, an = sample
    ax = plotting.contribution_plot(an.self_evaluation, UNIT, names=data.units)
    nodes = an.self_evaluation.nodes
    rows = nodes[nodes["unit_id"] == UNIT]
    leaves = rows[~rows["node_code"].isin(set(rows["parent_code"].dropna())) & rows["applicable"]]
    widths = [p.get_width() for p in ax.patches]
    n = len(leaves)
    assert len(widths) == 2 * n                                   # a points bar and a score bar per indicator
    np.testing.assert_allclose(widths[:n], leaves["points"].to_numpy())
    assert sorted(widths[n:]) == pytest.approx(sorted(leaves["score"].to_numpy()))
    row = an.self_evaluation.totals.set_index("unit_id").loc[UNIT]
    from perfeval._display import fmt_number

    assert "既有建筑节能改造" in ax.get_title() and "（0070010）" in ax.get_title()
    assert f"{fmt_number(float(row['total']), 2, floor=True)} 分，{row['grade']}" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "预算执行率"
    with pytest.raises(ValueError, match="not in the result"):
        plotting.contribution_plot(an.self_evaluation, "nope")


def test_profile_is_the_units_rates_and_the_peers_quartiles(sample):
    data, an = sample
    ax = plotting.profile_plot(an.self_evaluation, UNIT, units=data.units, by="department_id")
    p = pe.peers.peer_profile(an.self_evaluation, UNIT, units=data.units, by="department_id")
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, p["achievement"].to_numpy() * 100)
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"][0]
    np.testing.assert_allclose(dots.get_ydata(), p["peer_median"].to_numpy() * 100)
    assert "n = 12" in ax.get_legend().get_texts()[0].get_text()


def test_grade_distribution_counts_by_group(sample):
    data, an = sample
    ax = plotting.grade_distribution_plot(an.self_evaluation, units=data.units, by="department_id")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "示例省教育厅（001）" and len(labels) == 12
    totals = an.self_evaluation.totals.merge(data.units[["unit_id", "department_id"]], on="unit_id")
    first = totals[totals["department_id"] == "001"]["grade"].value_counts()
    # segments of the first bar, grade by grade (zero-width segments included)
    segments = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 1e-9]
    assert [int(p.get_width()) for p in segments] == [int(first.get(g, 0)) for g in ("优", "良", "中", "差")]
    assert sum(p.get_width() for p in ax.patches) == len(an.self_evaluation.totals)
    one = plotting.grade_distribution_plot(an.self_evaluation, by=None, lang="en")
    assert [t.get_text() for t in one.get_yticklabels()] == ["all"]


def test_execution_plot_shows_the_share_by_month():
    mon = pd.DataFrame({"unit_id": ["P1"] * 3 + ["P2"] * 3, "month": [3, 6, 9] * 2, "indicator": "budget",
                        "value": [10.0, 30.0, 75.0, 20.0, 20.0, 25.0]})
    bud = pd.DataFrame({"unit_id": ["P1", "P2"], "budget_full_year": [100.0, 100.0]})
    t = pe.monitoring.execution_by_month(mon, bud)
    ax = plotting.execution_plot(t, unit_id="P1", lang="en")
    line = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"][0]
    assert line.get_xdata().tolist() == [3.0, 6.0, 9.0]
    np.testing.assert_allclose(line.get_ydata(), [10.0, 30.0, 75.0])
    pooled = plotting.execution_plot(t, lang="en")                   # both units summed: 30/200, 50/200, 100/200
    line = [ln for ln in pooled.get_lines() if ln.get_linestyle() == "-"][0]
    np.testing.assert_allclose(line.get_ydata(), [15.0, 25.0, 50.0])
    assert "2 units pooled" in pooled.get_title()
    with pytest.raises(ValueError, match="execution_by_month"):
        plotting.execution_plot(pd.DataFrame({"x": [1]}))


def test_weight_comparison_bars_in_percent():
    t = pe.weighting.compare_weights({"points": {"a": 30, "b": 70}, "AHP": {"a": 0.5, "b": 0.5}})
    ax = plotting.weight_comparison_plot(t, lang="en", labels={"a": "Output", "b": "Effect"})
    assert [round(p.get_height(), 6) for p in ax.patches] == [30.0, 70.0, 50.0, 50.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["points", "AHP"]


def test_lights_and_rank_plots_label_units_by_name(sample):
    data, an = sample
    ax = plotting.lights_plot(an.monitoring, names=data.units, units=[UNIT, "0010001"], lang="en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["既有建筑节能改造（2022—2024年）（0070010）",
                                                            "高校科研创新平台建设（0010001）"]
    with pytest.raises(ValueError, match="unknown"):
        plotting.lights_plot(an.monitoring, units=["nope"])
    ax = plotting.rank_interval_plot(an.sensitivity, names=data.units, units=[UNIT])
    assert ax.get_xticklabels()[0].get_text() == "既有建筑节能改造（2022…（0070010）"


def test_unit_labels():
    from perfeval.plotting import unit_labels

    units = pd.DataFrame({"unit_id": ["001", "002", "P1"], "name": ["示例省教育厅", None, "Roads"]})
    assert unit_labels(["001", "002", "P1", "X"], units) == ["示例省教育厅（001）", "002", "Roads (P1)", "X"]
    with pytest.raises(ValueError, match="unit_id and name"):
        unit_labels(["001"], pd.DataFrame({"id": [1]}))


def test_sensitivity_plots_label_units_by_name(sample):
    data, an = sample
    ax = plotting.grade_probability_plot(an.sensitivity, units=[UNIT], names=data.units)
    assert ax.get_yticklabels()[0].get_text() == "既有建筑节能改造（2022—2…（0070010）"
    flips = pe.sensitivity.flip_margin(an.self_evaluation, UNIT)
    ax = plotting.flip_margin_tornado(flips, names=data.units, lang="en")
    assert ax.get_yticklabels()[0].get_text().endswith("（0070010）")
