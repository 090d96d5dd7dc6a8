"""Bland-Altman plot: draws what the result says, from a result or from raw data, in both languages."""
from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from perfeval.agreement import bland_altman  # noqa: E402
from perfeval.plotting.agreement import bland_altman_plot  # noqa: E402

WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def test_plot_from_result_draws_bias_and_limits():
    import matplotlib.pyplot as plt

    res = bland_altman(WRIGHT, MINI)
    fig, ax = plt.subplots()
    out = bland_altman_plot(res, ax=ax, lang="en")
    assert out is ax
    levels = sorted(round(line.get_ydata()[0], 6) for line in ax.get_lines())
    assert levels == sorted(round(v, 6) for v in (res.lower, res.bias, res.upper, 0.0))
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 1], res.differences)
    assert len(ax.patches) == 3                          # shaded intervals of bias and both limits
    assert "difference" in ax.get_ylabel()
    plt.close(fig)


def test_plot_from_raw_data_in_chinese_and_argument_errors():
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                  # no CJK font on a bare machine
        ax = bland_altman_plot(WRIGHT, MINI, multiplier=2, show_ci=False)
    assert "差值" in ax.get_ylabel() and len(ax.patches) == 0
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="`y` is required"):
        bland_altman_plot(WRIGHT)
    with pytest.raises(ValueError, match="must be None"):
        bland_altman_plot(bland_altman(WRIGHT, MINI), MINI)


def test_huge_intervals_of_a_tiny_sample_do_not_flatten_the_points():
    """Two pairs give limit intervals of hundreds of points: the axis shows the points and lines, and says the
    shading is cut; a sample whose intervals are of the data's size keeps them whole."""
    import perfeval as pe

    ax = pe.plotting.bland_altman_plot([89.67, 99.92], [79.41, 99.92])
    low, high = ax.get_ylim()
    assert -40 < low < -9.1 and 19.4 < high < 40 and "超出部分未画全" in ax.get_title()
    data = pe.load_sample()
    both = data.budget[["unit_id", "claimed_total"]].merge(data.recheck, on="unit_id")
    ax = pe.plotting.bland_altman_plot(both["claimed_total"], both["recheck_total"], lang="en")
    assert ax.get_title() == "Bland-Altman plot (n = 30, shaded: 95% CIs)"
