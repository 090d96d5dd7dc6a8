"""Policies of the closed loop: loading, merging and located validation (perfeval.policies)."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from perfeval.errors import InputError
from perfeval.policies import (POLICY_KINDS, ApplicationPolicy, ExantePolicy, MonitoringPolicy, policy_path,
                               read_policy, to_bool, validate_policy)


def _write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    """1-based line of the first line of ``path`` containing ``needle``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.mark.parametrize("kind", POLICY_KINDS)
def test_shipped_policies_are_valid(kind):
    assert validate_policy(policy_path(kind)) == []


def test_shipped_defaults_are_the_sourced_values():
    """domain.md §2 (PMKPI 90/70), §4 (PMKPI 60/80/120), §6 (Dazhou grade map)."""
    mon = MonitoringPolicy.load()
    assert [(b.label, b.low, b.high) for b in mon.budget_bands.bands] == [
        ("red", -math.inf, 60.0), ("yellow", 60.0, 80.0), ("green", 80.0, math.inf)]
    assert [(b.label, b.low) for b in mon.indicator_bands.bands][1:] == [("yellow", 60.0), ("green", 80.0),
                                                                         ("blue", 120.0)]
    assert mon.progress([1, 6, 12]).tolist() == [1 / 12, 0.5, 1.0]
    ex = ExantePolicy.load()  # the conclusions are the exante framework's bands (tests/test_framework.py)
    assert ex.passing == ("予以支持", "调整完善后予以支持")
    assert [(v.node, v.measure, v.op, v.value, v.conclusion) for v in ex.vetoes] == [
        ("compliance", "share", "<", 0.6, "不予支持")]
    app = ApplicationPolicy.load()
    assert {g: a.action for g, a in app.actions["continuing"].items()} == {
        "优": "优先保障", "良": "据实合理保障", "中": "一定比例核减", "差": "取消或暂停"}
    assert app.actions["phased"]["差"].cut_share == 1.0  # inherited from the grade table


def test_policy_instances_pass_through():
    pol = MonitoringPolicy.load()
    assert MonitoringPolicy.load(pol) is pol


def test_mapping_override_merges_onto_the_default():
    pol = ApplicationPolicy.load({"grades": {"中": {"cut_share": 0.2}}})
    assert pol.actions["continuing"]["中"].cut_share == 0.2
    assert pol.actions["continuing"]["中"].action == "一定比例核减"  # other keys kept
    assert pol.actions["one_off"]["中"].cut_share == 0.2  # overrides inherit the new base


def test_file_override_merges_onto_the_default(tmp_path):
    path = _write(tmp_path, "kind: monitoring\nactions:\n  checkpoint_month: 8\n")
    pol = MonitoringPolicy.load(path)
    assert pol.checkpoint_month == 8 and pol.denominator == "budget_full_year"


def test_band_gap_is_located_file_line(tmp_path):
    path = _write(tmp_path, """kind: monitoring
budget:
  bands:
    - {label: green, min: 80, max: .inf}
    - {label: yellow, min: 65, max: 80}
    - {label: red, min: -.inf, max: 60}
""")
    with pytest.raises(InputError, match=r"band_gap") as err:
        MonitoringPolicy.load(path)
    (problem,) = err.value.problems
    assert problem.location == f"{path}:{_line_of(path, 'yellow')}"
    assert "[60, 65)" in problem.message


def test_band_overlap_is_located_file_line(tmp_path):
    path = _write(tmp_path, """kind: application
bands:
  - {label: 优, min: 90, max: 100}
  - {label: 良, min: 80, max: 92}
  - {label: 中, min: 60, max: 80}
  - {label: 差, min: 0, max: 60}
""")
    with pytest.raises(InputError, match=r"band_overlap: '良' \[80, 92\) overlaps '优' \[90, 100\)"):
        ApplicationPolicy.load(path)
    assert validate_policy(path)[0].location == f"{path}:{_line_of(path, '优, min: 90')}"


def test_exante_conclusions_key_is_refused_with_a_pointer_to_the_framework(tmp_path):
    path = _write(tmp_path, "kind: exante\nconclusions:\n  - {label: 予以支持, min: 80, max: 100}\n")
    (problem,) = validate_policy(path)
    assert (problem.location, problem.code) == (f"{path}:2", "unknown_key")
    assert "bands` of the ex-ante framework" in problem.message


def test_bands_must_cover_their_scale(tmp_path):
    path = _write(tmp_path, """kind: monitoring
indicators:
  bands:
    - {label: green, min: 80, max: 120}
    - {label: yellow, min: 60, max: 80}
    - {label: red, min: 0, max: 60}
""")
    with pytest.raises(InputError, match=r"band_coverage.*must cover \[0, inf\]"):
        MonitoringPolicy.load(path)


def test_empty_band_and_duplicate_label(tmp_path):
    path = _write(tmp_path, """kind: application
bands:
  - {label: 优, min: 90, max: 90}
  - {label: 良, min: 60, max: 100}
  - {label: 良, min: 0, max: 60}
""")
    codes = {p.code for p in validate_policy(path)}
    assert {"band_empty", "band_duplicate"} <= codes


def test_unknown_colour_is_located(tmp_path):
    path = _write(tmp_path, """kind: monitoring
budget:
  bands:
    - {label: green, min: 80, max: .inf}
    - {label: orange, min: 60, max: 80}
    - {label: red, min: -.inf, max: 60}
""")
    with pytest.raises(InputError, match=r"unknown_colour: unknown label 'orange'") as err:
        MonitoringPolicy.load(path)
    assert err.value.problems[0].location == f"{path}:{_line_of(path, 'orange')}"


def test_unknown_grade_is_located(tmp_path):
    path = _write(tmp_path, """kind: application
grades:
  A: {code: x, action: x, action_en: x, cut_share: 0, rectification: false}
project_types:
  phased:
    甲: {code: y}
""")
    problems = validate_policy(path)
    located = {(p.code, p.location) for p in problems}
    assert ("unknown_grade", f"{path}:{_line_of(path, 'A:')}") in located
    assert ("unknown_grade", f"{path}:{_line_of(path, '甲')}") in located
    with pytest.raises(InputError, match=r"unknown_grade: unknown key 'A' in `grades`; allowed: 优, 良, 中, 差"):
        ApplicationPolicy.load(path)


def test_grade_without_action_is_reported():
    pol_dict = {"bands": [{"label": "A", "min": 50, "max": 100}, {"label": "B", "min": 0, "max": 50}],
                "grades": {"A": {"code": "a", "action": "a", "action_en": "a", "cut_share": 0,
                                 "rectification": False}},
                "project_types": {"phased": {}, "one_off": {}}}
    with pytest.raises(InputError, match=r"<policy>:grades: missing_grade: `grades.B` is required"):
        ApplicationPolicy.load(pol_dict)


def test_negative_cut_is_located(tmp_path):
    path = _write(tmp_path, "kind: application\ngrades:\n  中:\n    cut_share: -0.1\n")
    with pytest.raises(InputError, match=r"negative_cut: `cut_share` must be in \[0, 1\]; got -0.1") as err:
        ApplicationPolicy.load(path)
    assert err.value.problems[0].location == f"{path}:4"


def test_cut_above_one_and_bad_types():
    with pytest.raises(InputError, match=r"<policy>:grades.中.cut_share: bad_share") as err:
        ApplicationPolicy.load({"grades": {"中": {"cut_share": 1.5, "rectification": "yes"}}})
    assert {p.code for p in err.value.problems} == {"bad_share", "bad_bool"}


def test_unknown_keys_anywhere(tmp_path):
    path = _write(tmp_path, "kind: monitoring\nbudget:\n  denominater: budget_full_year\nextra: 1\n")
    problems = validate_policy(path)
    assert [(p.code, p.location) for p in problems] == [("unknown_key", f"{path}:4"),
                                                        ("unknown_key", f"{path}:3")]


def test_bad_choices_numbers_and_labels():
    with pytest.raises(InputError, match=r"<policy>:indicators.equality_tolerance: negative_tolerance: "
                                         r"`indicators.equality_tolerance` must be >= 0; got -1") as err:
        MonitoringPolicy.load({"budget": {"denominator": "executed", "normal_colours": ["green", "purple"],
                                          "idle_max_execution_share": 2},
                               "indicators": {"qualitative": {"met": "green", "partly": "pink", "not_met": "red"},
                                              "equality_tolerance": -1},
                               "actions": {"checkpoint_month": 7.5}, "forecast": {"method": "guess"}})
    codes = sorted(p.code for p in err.value.problems)
    assert codes == ["bad_choice", "bad_choice", "bad_number", "bad_share", "negative_tolerance", "unknown_colour",
                     "unknown_colour"]


def test_planned_curve(tmp_path):
    pol = MonitoringPolicy.load({"time_progress": {"planned_curve": {3: 0.2, 6: 0.5, 9: 0.8, 12: 1.0}}})
    assert pol.progress([0, 3, 4.5, 12]).tolist() == pytest.approx([0.0, 0.2, 0.35, 1.0])
    path = _write(tmp_path, "kind: monitoring\ntime_progress:\n  planned_curve: {3: 0.5, 6: 0.4, 13: 1}\n")
    codes = sorted(p.code for p in validate_policy(path))
    assert codes == ["bad_month", "curve_decreasing", "curve_end"]
    with pytest.raises(InputError, match="must be null or a mapping"):
        MonitoringPolicy.load({"time_progress": {"planned_curve": [0.25, 0.5]}})


def test_exante_veto_problems():
    with pytest.raises(InputError, match=r"invalid ex-ante policy:(.|\n)*unknown_conclusion") as err:
        ExantePolicy.load({"vetoes": [{"code": "v", "node": "*", "op": ">", "value": -1, "conclusion": "maybe"},
                                      {"code": "w"}], "passing": ["予以支持", "ok"]})
    codes = sorted(p.code for p in err.value.problems)
    assert codes == ["bad_choice", *["missing_key"] * 4, "negative_value", "unknown_conclusion",
                     "unknown_conclusion"]
    with pytest.raises(InputError, match="`vetoes` must be a list"):
        ExantePolicy.load({"vetoes": {"code": "v"}})


def test_transfer_bounds():
    with pytest.raises(InputError, match=r"<policy>:transfer.k: negative_k: `transfer.k` must be >= 0; got -1") as err:
        ApplicationPolicy.load({"transfer": {"floor": 1.2, "cap": 0.8, "k": -1}})
    assert sorted(p.code for p in err.value.problems) == ["bad_cap", "bad_floor", "negative_k"]


def test_yaml_syntax_duplicates_and_kind(tmp_path):
    bad = _write(tmp_path, "kind: monitoring\nbudget: [\n", "syntax.yaml")
    with pytest.raises(InputError, match=r"syntax.yaml:\d+: yaml_syntax"):
        MonitoringPolicy.load(bad)
    dup = _write(tmp_path, "kind: monitoring\nforecast: {method: pace}\nforecast: {method: last}\n", "dup.yaml")
    with pytest.raises(InputError, match=r"dup.yaml:3: duplicate_key"):
        read_policy("monitoring", dup)
    other = _write(tmp_path, "kind: exante\n", "other.yaml")
    with pytest.raises(InputError, match=r"wrong_kind: `kind` must be 'monitoring'"):
        MonitoringPolicy.load(other)
    assert validate_policy(_write(tmp_path, "kind: budget\n", "k.yaml"))[0].code == "unknown_kind"
    assert validate_policy(tmp_path / "absent.yaml")[0].code == "file_not_found"
    with pytest.raises(InputError, match="must hold a YAML mapping"):
        read_policy("exante", _write(tmp_path, "- 1\n", "list.yaml"))


def test_policy_path_rejects_unknown_kind():
    with pytest.raises(ValueError, match="`kind` must be one of 'monitoring', 'exante', 'application'"):
        policy_path("budget")


def test_not_a_mapping_section():
    with pytest.raises(InputError, match=r"`budget` must be a mapping"):
        MonitoringPolicy.load({"budget": 3})


@pytest.mark.parametrize("value, expected", [
    (True, True), ("是", True), ("1", True), ("YES", True), (False, False), ("否", False), (0, False),
    (None, False), (float("nan"), False), (pd.NA, False), ("", False), ("maybe", None)])
def test_to_bool(value, expected):
    assert to_bool(value) is expected


def test_to_dict_records_every_choice():
    d = MonitoringPolicy.load().to_dict()
    assert d["checkpoint_month"] == 7 and d["budget_bands"][0] == {"label": "green", "min": 80, "max": math.inf}
    assert ExantePolicy.load().to_dict()["passing"] == ["予以支持", "调整完善后予以支持"]
    assert ApplicationPolicy.load().to_dict()["actions"]["one_off"]["中"]["code"] == "stricter_review"
