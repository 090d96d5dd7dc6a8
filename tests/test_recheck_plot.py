"""Plots of the re-evaluation and of panels: they draw, label in both languages and refuse what they cannot draw."""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import perfeval as pe
from perfeval.panel import rater_diagnostics
from perfeval.plotting.recheck import grade_transition_plot, rater_severity_plot, recheck_bland_altman_plot
from perfeval.recheck import compare


@pytest.fixture(scope="module")
def result():
    data = pe.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        return compare(data.budget, data.recheck, units=data.units)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bland_altman_of_self_vs_recheck(result, lang):
    ax = recheck_bland_altman_plot(result, lang=lang)
    assert len(ax.collections[0].get_offsets()) == len(result.units)
    outside = result.units["flags"].str.contains("outside_loa").sum()
    assert len(ax.texts) == outside
    assert ax.get_ylabel() == ("自评 − 复核（分）" if lang == "zh" else "self - re-check (points)")
    plt.close(ax.figure)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_grade_transition_heatmap(result, lang):
    ax = grade_transition_plot(result, lang=lang)
    counts = [int(t.get_text()) for t in ax.texts]
    assert counts == result.transitions.to_numpy().ravel().tolist()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == (["优", "良", "中", "差"] if lang == "zh" else ["Excellent", "Good", "Fair", "Poor"])
    down = int((result.units["grade_steps"] > 0).sum())                   # right of the diagonal: downgrades
    assert down > 0 and (f"降级 {down}" if lang == "zh" else f"downgraded {down}") in ax.get_title()
    plt.close(ax.figure)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rater_severity(lang):
    data = pe.load_sample()
    diag = rater_diagnostics(data.panel, framework="project_key")
    fig, ax = plt.subplots()
    assert rater_severity_plot(diag, ax=ax, lang=lang) is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    severe = data.meta["truth"]["raters"]["severe"]
    assert any(lab.startswith(severe) and ("偏严" if lang == "zh" else "severe") in lab for lab in labels)
    plt.close(fig)


def test_bland_altman_needs_two_units():
    one = compare(pd.DataFrame({"unit_id": ["A"], "self_total": [90.0]}),
                  pd.DataFrame({"unit_id": ["A"], "recheck_total": [85.0]}))
    assert one.agreement.bland_altman is None and one.statistic("mean_bias") == 5.0
    with pytest.raises(ValueError, match="`result` must compare at least 2 units"):
        recheck_bland_altman_plot(one)
