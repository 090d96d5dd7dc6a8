"""Every public plot function: returns an Axes, draws on a given Axes, speaks both languages, and shows Chinese.

The per-plot tests (``test_agreement_plot.py``, ``test_recheck_plot.py``, ``test_sensitivity_plot.py``) check what
each plot draws; this file checks the contract that all of them share (``perfeval.plotting._base.plot_function``).
"""
from __future__ import annotations

import inspect
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes
from matplotlib.text import Text

import perfeval as pe
from perfeval import plotting
from perfeval.plotting._base import cjk_font_family

matplotlib.use("Agg")

PLOTS = ["bland_altman_plot", "lights_plot", "recheck_bland_altman_plot", "grade_transition_plot",
         "rater_severity_plot", "grade_probability_plot", "rank_interval_plot", "flip_margin_tornado"]


@pytest.fixture(scope="module")
def inputs():
    from perfeval.pipeline import analyse

    data = pe.load_sample()
    an = analyse(data, draws=100)
    return {
        "bland_altman_plot": an.recheck.agreement.bland_altman,
        "lights_plot": an.monitoring,
        "recheck_bland_altman_plot": an.recheck,
        "grade_transition_plot": an.recheck,
        "rater_severity_plot": pe.panel.rater_diagnostics(data.panel, framework="project_key"),
        "grade_probability_plot": an.sensitivity,
        "rank_interval_plot": an.sensitivity,
        "flip_margin_tornado": pe.sensitivity.flip_margin(an.self_evaluation),
    }


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def test_every_plot_function_is_exported_and_decorated():
    assert set(PLOTS) <= set(plotting.__all__)
    for name in PLOTS:
        func = getattr(plotting, name)
        assert hasattr(func, "__wrapped__"), f"{name} is not decorated with plot_function"
        params = inspect.signature(func).parameters
        assert params["ax"].default is None and params["ax"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["lang"].default == "zh" and params["lang"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("name", PLOTS)
def test_returns_axes_and_draws_on_a_given_ax(inputs, name):
    func = getattr(plotting, name)
    fig, given = plt.subplots()
    assert func(inputs[name], ax=given, lang="en") is given
    assert len(fig.axes) == 1                                            # no extra Axes, no new figure
    ax = func(inputs[name], lang="en")
    assert isinstance(ax, Axes) and ax.figure is not fig
    english = [t.get_text() for t in ax.findobj(Text)]
    assert not any(_has_cjk(t) for t in english), [t for t in english if _has_cjk(t)]
    assert ax.get_title()


@pytest.mark.parametrize("name", PLOTS)
def test_chinese_text_gets_a_cjk_font_even_on_a_given_ax(inputs, name):
    family = cjk_font_family()
    if family is None:
        pytest.skip("no CJK font installed")
    before = list(matplotlib.rcParams["font.family"])
    fig, given = plt.subplots()                          # created outside any perfeval font context
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)      # a missing glyph would warn on draw
        ax = getattr(plotting, name)(inputs[name], ax=given)
        fig.canvas.draw()
    chinese = [t for t in ax.findobj(Text) if _has_cjk(t.get_text())]
    assert chinese, "the Chinese labels are missing"
    assert all(family in t.get_fontfamily() for t in chinese)
    assert list(matplotlib.rcParams["font.family"]) == before          # nothing global changed


@pytest.mark.parametrize("name", PLOTS)
def test_unknown_language_is_refused(inputs, name):
    with pytest.raises(ValueError, match="`lang` must be 'zh' or 'en'; got 'fr'"):
        getattr(plotting, name)(inputs[name], lang="fr")


@pytest.mark.parametrize("name", ["lights_plot", "grade_probability_plot", "rank_interval_plot",
                                  "flip_margin_tornado"])
@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_max_units_must_be_a_positive_integer(inputs, name, bad):
    with pytest.raises(ValueError, match="`max_units` must be a positive integer; got "):
        getattr(plotting, name)(inputs[name], lang="en", max_units=bad)
