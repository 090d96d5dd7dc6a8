"""Notebook views of the result objects: a header with the key figures, truncated tables, one-line reprs."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

import perfeval as pe
from perfeval._html import MAX_ROWS, frame_html, short_items


@pytest.fixture(scope="module")
def analysis():
    from perfeval.pipeline import analyse

    return analyse(pe.load_sample(), draws=100)


def test_frame_html_truncates_long_frames_and_says_where_the_rest_is():
    short = frame_html(pd.DataFrame({"x": range(5)}))
    assert short.count("<tr>") == 5 and "rows shown" not in short         # body rows
    long = frame_html(pd.DataFrame({"x": range(10_000)}), source=".units")
    assert long.count("<tr>") == MAX_ROWS + 1                   # head, a "..." row, tail
    assert f"{MAX_ROWS} of 10000 rows shown; all of them: .units" in long and len(long) < 5_000


def test_short_items_cuts_long_mappings():
    assert short_items({f"x{i}": 0.5 for i in range(20)}, k=3) == "{x0: 0.5, x1: 0.5, x2: 0.5, ... +17 more}"


def test_result_views_are_short(analysis):
    diag = pe.panel.rater_diagnostics(pe.load_sample().panel, framework="project_key")
    results = [analysis.sensitivity, analysis.monitoring, analysis.exante, analysis.application, analysis.panel,
               analysis.weights, diag, analysis.recheck.agreement.bland_altman,
               pe.sensitivity.sobol(analysis.self_evaluation, target="score", n=16, rng=0)]
    for res in results:
        page, text = res._repr_html_(), repr(res)
        assert isinstance(res.to_frame(), pd.DataFrame)
        assert page.startswith("<p><b>") and "<table" in page, type(res).__name__
        assert page.count("<tr") <= 3 * (MAX_ROWS + 4), type(res).__name__      # at most a few short tables
        assert "\n" not in text and len(text) < 200, text


def test_uncertainty_view_shows_the_least_stable_units_first(analysis):
    u = analysis.sensitivity
    page = u._repr_html_()
    least = u.grade_stability.sort_values(kind="stable").index[0]
    assert page.index(f"<td>{least}</td>") < page.index("<td>", page.index("<tbody>") + 1) + 200
    assert f"{int((u.grade_stability < 1).sum())} of 150 units change grade" in page
    assert f"of {len(u.grades)} rows shown; all of them: .to_frame()" in page


def test_monitoring_view_counts_lights_and_puts_red_first(analysis):
    m = analysis.monitoring
    page = m._repr_html_()
    red = int((m.units["combined_colour"] == "red").sum())
    assert f"红 red {red}" in page
    first_row = page[page.index("<tbody>"):].split("</tr>")[0]
    assert "红" in first_row


def test_agreement_header_names_the_statistic_and_its_figures():
    res = pe.agreement.cohen_kappa(["优", "良", "良", "中"], ["优", "良", "中", "中"])
    assert res._repr_html_().startswith("<p><b>Cohen&#x27;s kappa (KappaResult)</b>: statistic = ")


def test_application_repr_is_one_short_line(analysis):
    text = repr(analysis.application)
    assert text.startswith("ApplicationResult(units=176, actions={priority: ") and "more}" in text


@pytest.mark.parametrize("kind", ["MonitoringPolicy", "ExantePolicy", "ApplicationPolicy"])
def test_policies_have_a_table_and_a_short_repr(kind):
    policy = getattr(pe.policies, kind).load()
    frame = policy.to_frame()
    assert list(frame.columns) == ["key", "value"] and frame["key"].is_unique
    assert repr(policy) == f"{kind}(version='2024.1', settings={len(frame)})"
    assert policy._repr_html_().startswith(f"<p><b>{kind}</b>: version 2024.1; source: ")


def test_delphi_and_weight_reprs():
    rounds = pd.DataFrame({"round": [1] * 6 + [2] * 6, "expert_id": ["a", "b", "c"] * 4,
                           "item": (["x"] * 3 + ["y"] * 3) * 2, "value": [5, 6, 5, 3, 2, 3, 5, 5, 5, 3, 3, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pe.weighting.delphi(rounds)
    assert repr(res).startswith("DelphiResult(rounds=2, items=2, converged=")
    many = pe.weighting.rank_order([f"i{k}" for k in range(30)])
    assert repr(many).endswith("... +22 more})") and len(repr(many)) < 200
