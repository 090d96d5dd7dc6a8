"""Frameworks: shipped templates, YAML and table round trips, grade bands, validation of every fault kind."""
from __future__ import annotations

import copy
import dataclasses
import datetime
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import perfeval as pe
from perfeval.errors import FrameworkError
from perfeval.framework import (DEFAULT_BANDS, PROBLEM_CODES, Band, Constraint, Framework, GradeBands, Node,
                                Veto, grade, list_frameworks, load_framework, validate_framework)

DATA = Path(__file__).resolve().parent / "data" / "frameworks"
SHIPPED = ("project_self", "project_key", "policy", "department", "transfer", "exante", "us_part", "dac_kfw")
FIRST_LEVEL = {
    "project_self": ["execution", "output", "effect", "satisfaction"],
    "project_key": ["decision", "process", "output", "effect"],
    "policy": ["decision", "process", "output", "effect"],
    "department": ["operating_cost", "management", "duties", "social_effect", "sustainability", "satisfaction"],
    "transfer": ["targets", "funds", "output", "effect", "satisfaction"],
    "exante": ["necessity", "economy", "targets", "feasibility", "compliance"],
    "us_part": ["purpose", "planning", "management", "results"],
    "dac_kfw": ["relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability"],
}


def _shipped_library():
    lib = pe.load_library()
    if len(lib) == 0:
        pytest.skip("templates/indicators/*.csv not shipped yet")
    return lib


# ---------------------------------------------------------------------------------------------------------------
# shipped frameworks
# ---------------------------------------------------------------------------------------------------------------
def test_list_frameworks_has_every_category():
    assert set(SHIPPED) <= set(list_frameworks())
    assert list_frameworks() == sorted(list_frameworks())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_framework_is_clean_and_documented(name):
    fw = load_framework(name)
    assert validate_framework(fw) == []
    assert [n.code for n in fw.nodes] == FIRST_LEVEL[name]
    assert fw.source and fw.description and fw.title_en
    assert all(n.name and n.name_en for n in fw.all_nodes())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_framework_is_clean_against_the_shipped_library(name):
    assert validate_framework(load_framework(name), library=_shipped_library()) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_yaml_round_trip(name, tmp_path):
    fw = load_framework(name)
    text = fw.to_yaml(tmp_path / f"{name}.yaml")
    again = Framework.from_yaml(tmp_path / f"{name}.yaml")
    assert again == fw
    assert again.to_yaml() == text
    assert Framework.from_dict(yaml.safe_load(text)) == fw


@pytest.mark.parametrize("name", SHIPPED)
def test_frame_round_trip_in_memory_and_through_csv(name, tmp_path):
    fw = load_framework(name)
    frame = fw.to_frame()
    assert list(frame["node_code"]) == [n.code for n in fw.all_nodes()]
    assert Framework.from_frame(frame) == fw
    frame.to_csv(tmp_path / "fw.csv", index=False)
    from_csv = pd.read_csv(tmp_path / "fw.csv", dtype={"node_code": str, "parent_code": str})
    assert Framework.from_frame(from_csv, meta=frame.attrs["framework"]) == fw


def test_project_key_carries_the_mof_reference_leaves():
    fw = load_framework("project_key")
    leaves = {n.name: n for n in fw.leaves()}
    for name in ("立项依据充分性", "立项程序规范性", "绩效目标合理性", "绩效指标明确性", "预算编制科学性", "资金分配合理性",
                 "资金到位率", "预算执行率", "资金使用合规性", "管理制度健全性", "制度执行有效性", "实际完成率",
                 "质量达标率", "完成及时性", "成本节约率", "服务对象满意度"):
        assert name in leaves
    assert leaves["资金到位率"].indicator_code == "GEN-PRC-001"
    assert leaves["预算执行率"].rule == "execution"
    assert leaves["服务对象满意度"].indicator_code == "GEN-SAT-001"
    share = (fw.find("output").points + fw.find("effect").points) / fw.total
    assert share >= 0.6


@pytest.mark.parametrize("name, points", [
    ("project_self", {"execution": 10, "output": 50, "effect": 30, "satisfaction": 10}),
    ("exante", {"necessity": 20, "economy": 20, "targets": 20, "feasibility": 20, "compliance": 20}),
    ("us_part", {"purpose": 20, "planning": 10, "management": 20, "results": 50}),
])
def test_first_level_points_follow_the_sources(name, points):
    """MOF 财预〔2020〕10号 art. 14 (10/50/30/10); ex-ante score sheet (5 x 20, items of 10); PART 20/10/20/50."""
    fw = load_framework(name)
    assert fw.points(level=1).to_dict() == points
    if name == "exante":
        assert all([c.points for c in n.children] == [10, 10] for n in fw.nodes)


@pytest.mark.parametrize("name", ["project_key", "policy", "transfer"])
def test_evaluation_frameworks_keep_output_and_effect_at_60_percent(name):
    """MOF 财预〔2020〕10号 art. 16: 产出 + 效益 >= 60 % of the points, declared and holding."""
    fw = load_framework(name)
    (c,) = fw.constraints
    assert (set(c.nodes), c.op, c.share) == ({"output", "effect"}, ">=", 0.6)
    assert (fw.find("output").points + fw.find("effect").points) / fw.total >= 0.6


def test_department_dimensions_are_the_six_of_the_2018_opinion():
    """中发〔2018〕34号: 运行成本, 管理效率, 履职效能, 社会效应, 可持续发展能力, 服务对象满意度."""
    names = [n.name for n in load_framework("department").nodes]
    assert names == ["运行成本", "管理效率", "履职效能", "社会效应", "可持续发展能力", "服务对象满意度"]


def test_project_key_points_that_break_output_effect_share_are_reported():
    fw = load_framework("project_key").with_points({"decision": 30, "effect": 20})
    codes = {p.code for p in validate_framework(fw)}
    assert "constraint_violated" in codes


def test_exante_conclusions_on_half_open_bands():
    """Conclusions at 90 / 70 (PMKPI#54653474066), half-open so 89.995 is not 予以支持 (domain.md §2)."""
    bands = load_framework("exante").bands
    assert list(grade([100, 90, 89.995, 70, 69.999, 0], bands)) == [
        "予以支持", "予以支持", "调整完善后予以支持", "调整完善后予以支持", "不予支持", "不予支持"]


def test_dac_kfw_bands_give_the_rounded_weighted_grade():
    """Equal weights: the total maps back to the KfW grade (domain.md §9); a boundary goes to the better grade."""
    from perfeval.scoring import ordinal

    fw = load_framework("dac_kfw")
    points = np.array([n.points for n in fw.nodes])
    assert math.isclose(points.sum(), 100.0)
    # [4, 4, 4, 5, 5, 5] averages 4.5, exactly on the 4/5 boundary: it goes to the better grade
    for grades, expected in (([1] * 6, "1"), ([2] * 6, "2"), ([3, 3, 3, 3, 3, 3], "3"), ([1, 2, 3, 3, 2, 1], "2"),
                             ([4, 4, 4, 5, 5, 5], "4"), ([4, 4, 5, 5, 5, 5], "5"), ([6] * 6, "6")):
        total = float((ordinal(grades) * points).sum())
        assert fw.bands.grade(total) == expected, (grades, total)
    assert {v.node for v in fw.vetoes} == {"effectiveness", "impact", "sustainability"}
    # grade 3 (achievement 0.6) passes the veto, grade 4 (0.4) fires it
    assert all(ordinal([3])[0] >= v.value > ordinal([4])[0] for v in fw.vetoes)


def test_us_part_results_not_demonstrated_override():
    fw = load_framework("us_part")
    assert [n.points for n in fw.nodes] == [20, 10, 20, 50]
    (veto,) = fw.vetoes
    assert (veto.node, veto.op, veto.grade) == ("results", "missing", "Results Not Demonstrated")
    assert "Results Not Demonstrated" in fw.override_grades
    assert fw.bands.grade(85) == "Effective" and fw.bands.grade(84.99) == "Moderately Effective"


# ---------------------------------------------------------------------------------------------------------------
# grades
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("score", "label"), [
    (100, "优"), (90, "优"), (89.995, "良"), (80, "良"), (79.999, "中"), (60, "中"), (59.999, "差"), (0, "差"),
    (100.001, None), (-0.001, None), (float("nan"), None),
])
def test_grade_band_edges(score, label):
    assert grade(score) == label


def test_grade_absorbs_float_noise_at_inner_edges_only():
    """Decimal scores summing to exactly 90 give 89.99999999999999 in a float sum: still 优. Real shortfalls
    (89.995, 89.9999999) and the ends stay as they are."""
    total = np.sum([10, 10, 10, 10, 9.9, 8.3, 7.7, 7.2, 7.3, 9.6])
    assert total < 90 and grade(total) == "优"
    assert list(grade([89.9999999, 89.995, 60 - 1e-13, 100 + 1e-8])) == ["良", "良", "中", "优"]
    assert list(grade([-1e-6, 100.1])) == [None, None]


def test_grade_keeps_series_index_and_accepts_band_lists():
    s = pd.Series([95.0, 85.0], index=["a", "b"])
    out = grade(s)
    assert list(out.index) == ["a", "b"] and out.name == "grade" and list(out) == ["优", "良"]
    bands = [{"label": "pass", "min": 60, "max": 100}, {"label": "fail", "min": 0, "max": 60}]
    assert list(grade([60, 59.9], bands)) == ["pass", "fail"]


def test_grade_gives_none_inside_a_gap():
    bands = GradeBands((Band("high", 70, 100), Band("low", 0, 60)))
    assert list(bands.grade([65, 70, 59])) == [None, "high", "low"]


def test_grade_errors():
    with pytest.raises(ValueError, match="`bands` must hold at least one band"):
        GradeBands(()).grade(50)
    with pytest.raises(ValueError, match=r"`label` must be one of '优', '良', '中', '差'; got 'A'"):
        DEFAULT_BANDS.rank("A")
    assert DEFAULT_BANDS.rank("中") == 2


# ---------------------------------------------------------------------------------------------------------------
# faults in files: located problems, all at once
# ---------------------------------------------------------------------------------------------------------------
def test_five_faults_in_one_run():
    path = DATA / "five_faults.yaml"
    problems = validate_framework(load_framework(path))
    assert [(p.location, p.code) for p in problems] == [
        (f"{path}:15", "band_gap"), (f"{path}:20", "points_sum"), (f"{path}:30", "unknown_rule"),
        (f"{path}:36", "cost_op"), (f"{path}:43", "duplicate_code")]
    assert all(p.severity == "error" for p in problems)
    assert "children's points sum to 45 but must sum to 50" in problems[1].message


def test_structural_faults_are_raised_together_with_lines():
    path = DATA / "structure_faults.yaml"
    with pytest.raises(FrameworkError, match=r"structure_faults\.yaml:8: unknown_key") as info:
        load_framework(path)
    assert [(p.location, p.code) for p in info.value.problems] == [
        (f"{path}:8", "unknown_key"), (f"{path}:12", "missing_key"), (f"{path}:18", "unknown_key"),
        (f"{path}:19", "missing_key"), (f"{path}:22", "points_invalid")]


def test_yaml_syntax_error_is_located():
    with pytest.raises(FrameworkError, match=r"syntax_error\.yaml:6: yaml_syntax: mapping values"):
        load_framework(DATA / "syntax_error.yaml")


def test_duplicate_yaml_key_is_refused():
    with pytest.raises(FrameworkError, match=r"duplicate_key\.yaml:7: duplicate_key: key `points` appears twice"):
        load_framework(DATA / "duplicate_key.yaml")


def test_load_errors(tmp_path):
    with pytest.raises(FrameworkError, match=r"unknown_framework: `name_or_path` must be a shipped framework.*"
                                             r"Shipped: dac_kfw, "):
        load_framework("no_such_framework")
    with pytest.raises(FrameworkError, match="file_not_found: framework file does not exist"):
        load_framework(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="must hold a YAML mapping; got list"):
        load_framework(tmp_path / "list.yaml")
    (tmp_path / "gbk.yaml").write_bytes("name: 产出\n".encode("gb18030"))  # GBK is detected and read
    with pytest.raises(FrameworkError, match="missing_key: framework: `nodes` is required"):
        load_framework(tmp_path / "gbk.yaml")
    (tmp_path / "binary.yaml").write_bytes(b"name: \x00\xff\xfe\x80\x81")
    with pytest.raises(FrameworkError, match="wrong_encoding: the framework file is not text"):
        load_framework(tmp_path / "binary.yaml")
    (tmp_path / "empty_name.yaml").write_text("title: t\nnodes: 3\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"empty_name\.yaml:1: missing_key: framework: `name` is required"
                                             r"(.|\n)*:2: malformed: framework: `nodes` must be a list"):
        load_framework(tmp_path / "empty_name.yaml")


def test_load_framework_passes_a_framework_through():
    fw = load_framework("us_part")
    assert load_framework(fw) is fw


# ---------------------------------------------------------------------------------------------------------------
# every content fault, table-driven (in memory: located at node codes)
# ---------------------------------------------------------------------------------------------------------------
BASE = {
    "name": "mini", "title": "小框架", "title_en": "Mini", "total": 100, "tolerance": 0.01,
    "bands": DEFAULT_BANDS.to_list(),
    "constraints": [{"code": "oe", "nodes": ["output", "effect"], "op": ">=", "share": 0.6}],
    "vetoes": [{"code": "v", "node": "effect", "op": "<", "value": 0.5, "grade": "差"}],
    "nodes": [
        {"code": "execution", "name": "预算执行率", "name_en": "Budget execution", "points": 10, "rule": "execution"},
        {"code": "output", "name": "产出指标", "name_en": "Output", "points": 60, "children": [
            {"code": "output.units", "name": "建设数量", "name_en": "Units", "points": 30, "rule": "positive",
             "op": ">="},
            {"code": "output.cost", "name": "成本指标", "name_en": "Cost", "points": 30, "children": [
                {"code": "output.cost.amount", "name": "单位成本", "name_en": "Unit cost", "points": 30,
                 "rule": "reverse", "op": "<="}]}]},
        {"code": "effect", "name": "效益指标", "name_en": "Effect", "points": 30, "children": [
            {"code": "effect.slot", "name": "社会效益指标", "name_en": "Social", "points": None, "slot": True,
             "rule": "auto"}]},
    ],
}


def _node(d, *path):
    node = {"children": d["nodes"]}
    for i in path:
        node = node["children"][i]
    return node


def _band(d, label):
    return next(b for b in d["bands"] if b["label"] == label)


def _mutated(change):
    d = copy.deepcopy(BASE)
    change(d)
    return Framework.from_dict(d)


def test_base_fixture_is_clean():
    assert validate_framework(Framework.from_dict(BASE)) == []


CASES = [
    ("duplicate_code", lambda d: _node(d, 2, 0).update(code="output.units"),
     [("output.units", "duplicate_code")]),
    ("points_sum", lambda d: _node(d, 1, 0).update(points=25), [("output", "points_sum")]),
    ("total_sum", lambda d: _node(d, 0).update(points=15), [("mini", "total_sum")]),
    ("points_sum_beside_a_slot", lambda d: _node(d, 2)["children"].append(
        {"code": "effect.fixed", "name": "固定指标", "name_en": "Fixed", "points": 35, "rule": "positive"}),
     [("effect", "points_sum")]),
    ("room_left_beside_a_slot", lambda d: _node(d, 2)["children"].append(
        {"code": "effect.fixed", "name": "固定指标", "name_en": "Fixed", "points": 20, "rule": "positive"}), []),
    ("points_nonpositive", lambda d: _node(d, 0).update(points=0),
     [("execution", "points_nonpositive"), ("mini", "total_sum")]),
    ("points_missing", lambda d: _node(d, 0).update(points=None), [("execution", "points_missing")]),
    ("points_invalid", lambda d: _node(d, 0).update(points=float("inf")), [("execution", "points_invalid")]),
    ("rule_missing", lambda d: _node(d, 0).pop("rule"), [("execution", "rule_missing")]),
    ("unknown_rule", lambda d: _node(d, 1, 0).update(rule="positiv"), [("output.units", "unknown_rule")]),
    ("unknown_param", lambda d: _node(d, 0).update(params={"denom": "x"}), [("execution", "unknown_param")]),
    ("bad_param", lambda d: _node(d, 0).update(params={"denominator": "monthly"}), [("execution", "bad_param")]),
    ("op_invalid", lambda d: _node(d, 1, 0).update(op="≥"), [("output.units", "op_invalid")]),
    ("op_rule_mismatch", lambda d: _node(d, 1, 0).update(op="<="), [("output.units", "op_rule_mismatch")]),
    ("cost_op", lambda d: _node(d, 1, 1, 0).update(op=">=", rule="positive"),
     [("output.cost.amount", "cost_op")]),
    ("cost_op_from_rule", lambda d: (_node(d, 1, 1, 0).pop("op"), _node(d, 1, 1, 0).update(rule="positive")),
     [("output.cost.amount", "cost_op")]),
    ("saving_rate_is_not_a_cost", lambda d: _node(d, 1, 1, 0).update(name="成本节约率", op=">=", rule="positive"), []),
    ("slot_children", lambda d: _node(d, 2, 0).update(children=[
        {"code": "effect.slot.x", "name": "甲", "name_en": "X", "points": 5, "rule": "positive"}]),
     [("effect.slot", "slot_children"), ("effect.slot", "inner_leaf_field")]),
    ("inner_leaf_field", lambda d: _node(d, 1).update(rule="positive"), [("output", "inner_leaf_field")]),
    ("code_invalid", lambda d: _node(d, 0).update(code="1exec"), [("1exec", "code_invalid")]),
    ("name_missing", lambda d: _node(d, 0).update(name=" "), [("execution", "name_missing")]),
    ("name_en_missing", lambda d: _node(d, 0).pop("name_en"), [("execution", "name_en_missing")]),
    ("constraint_violated", lambda d: d["constraints"][0].update(share=0.95), [("constraints[oe]",
                                                                                 "constraint_violated")]),
    ("constraint_unknown_node", lambda d: d["constraints"][0].update(nodes=["output", "outcome"]),
     [("constraints[oe]", "constraint_unknown_node")]),
    ("constraint_op", lambda d: d["constraints"][0].update(op="≥"), [("constraints[oe]", "constraint_op")]),
    ("constraint_share", lambda d: d["constraints"][0].update(share=60),
     [("constraints[oe]", "constraint_share")]),
    ("constraint_duplicate", lambda d: d["constraints"].append(dict(d["constraints"][0])),
     [("constraints[oe]", "duplicate_code")]),
    ("band_gap", lambda d: _band(d, "良").update(min=85), [("bands[良]", "band_gap")]),
    ("band_overlap", lambda d: _band(d, "良").update(min=75), [("bands[良]", "band_overlap")]),
    ("band_duplicate", lambda d: _band(d, "良").update(label="优"), [("bands[优]", "band_duplicate")]),
    ("band_empty", lambda d: _band(d, "良").update(min=90, max=90),
     [("bands[良]", "band_gap"), ("bands[良]", "band_empty")]),
    ("band_range", lambda d: _band(d, "优").update(max=95), [("mini", "band_range")]),
    ("veto_unknown_node", lambda d: d["vetoes"][0].update(node="outcome"), [("vetoes[v]", "veto_unknown_node")]),
    ("veto_grade", lambda d: d["vetoes"][0].update(grade="不合格"), [("vetoes[v]", "veto_grade")]),
    ("veto_op", lambda d: d["vetoes"][0].update(op="≤"), [("vetoes[v]", "veto_op")]),
    ("veto_measure", lambda d: d["vetoes"][0].update(measure="points"), [("vetoes[v]", "veto_measure")]),
    ("veto_value_range", lambda d: d["vetoes"][0].update(value=2), [("vetoes[v]", "veto_value")]),
    ("veto_value_missing", lambda d: d["vetoes"][0].pop("value"), [("vetoes[v]", "veto_value")]),
    ("veto_score_range", lambda d: d["vetoes"][0].update(measure="score", value=31),
     [("vetoes[v]", "veto_value")]),
    ("veto_duplicate", lambda d: d["vetoes"].append(dict(d["vetoes"][0])), [("vetoes[v]", "duplicate_code")]),
    ("veto_override_grade", lambda d: (d["vetoes"][0].update(grade="RND"), d.update(override_grades=["RND"])),
     []),
    ("total_invalid", lambda d: d.update(total=0),
     [("mini", "total_invalid"), ("mini", "total_sum"), ("mini", "band_range")]),
    ("tolerance_invalid", lambda d: d.update(tolerance=-1), [("mini", "tolerance_invalid")]),
    ("nodes_empty", lambda d: d.update(nodes=[], constraints=[], vetoes=[]), [("mini", "nodes_empty")]),
]


@pytest.mark.parametrize(("label", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_content_fault(label, change, expected):
    problems = validate_framework(_mutated(change))
    assert sorted((p.location, p.code) for p in problems) == sorted(expected)
    for p in problems:
        assert p.code in PROBLEM_CODES
        assert (p.severity == "warning") == PROBLEM_CODES[p.code].startswith("(warning)")


def test_bands_empty_is_reported():
    fw = dataclasses.replace(Framework.from_dict(BASE), bands=GradeBands(()))
    assert [(p.location, p.code) for p in validate_framework(fw)] == [("bands", "bands_empty"),
                                                                      ("vetoes[v]", "veto_grade")]


def test_validate_framework_argument_errors():
    with pytest.raises(TypeError, match="`fw` must be a Framework; got dict"):
        validate_framework(BASE)
    with pytest.raises(TypeError, match="`library` must be an IndicatorLibrary or a path to one; got int"):
        validate_framework(Framework.from_dict(BASE), library=3)


# ---------------------------------------------------------------------------------------------------------------
# library checks
# ---------------------------------------------------------------------------------------------------------------
def _indicator(code, name, level2, op, rule, **kw):
    from perfeval.library import Indicator

    kind = "qualitative" if op == "qualitative" else "quantitative"
    return Indicator(code=code, name_zh=name, name_en=name, level1="产出指标", level2=level2, kind=kind, op=op,
                     unit="" if kind == "qualitative" else "%", scoring_rule=rule, sector="general",
                     applies_to=("project",), **kw)


def test_library_checks():
    from perfeval.library import IndicatorLibrary

    lib = IndicatorLibrary((
        _indicator("GEN-OUT-101", "建设数量", "数量指标", ">=", "positive"),
        _indicator("GEN-OUT-102", "单位成本", "成本指标", "<=", "reverse", status="draft",
                   valid_to=datetime.date(2020, 12, 31)),
    ))

    def change(d):
        _node(d, 1, 0).update(indicator_code="GEN-OUT-101", name="建设数量(个)", op="=", rule="equality")
        _node(d, 1, 1, 0).update(indicator_code="GEN-OUT-102")
        _node(d, 0).update(indicator_code="GEN-PRC-999")

    problems = validate_framework(_mutated(change), library=lib)
    assert sorted((p.location, p.code) for p in problems) == sorted([
        ("execution", "library_missing"), ("output.units", "library_name_mismatch"),
        ("output.units", "library_op_mismatch"), ("output.cost.amount", "library_draft"),
        ("output.cost.amount", "library_expired")])


def test_library_cost_indicator_with_ge_outside_a_cost_node():
    from perfeval.library import IndicatorLibrary

    lib = IndicatorLibrary((_indicator("GEN-OUT-103", "运维费用", "成本指标", "<=", "reverse"),))

    def change(d):
        _node(d, 1, 0).update(indicator_code="GEN-OUT-103", name="运维费用", op=None, rule="positive")

    problems = validate_framework(_mutated(change), library=lib)
    assert [(p.location, p.code) for p in problems] == [("output.units", "cost_op")]


def test_library_path_is_loaded(tmp_path):
    lib = _shipped_library()
    lib.to_frame().head(0).to_csv(tmp_path / "empty.csv", index=False)
    fw = _mutated(lambda d: _node(d, 0).update(indicator_code="GEN-PRC-002"))
    assert [p.code for p in validate_framework(fw, library=tmp_path / "empty.csv")] == ["library_missing"]


# ---------------------------------------------------------------------------------------------------------------
# data model details
# ---------------------------------------------------------------------------------------------------------------
def test_nodes_compare_without_their_lines():
    a = load_framework("project_self")
    b = Framework.from_dict(a.to_dict())
    assert a.nodes[0].line is not None and b.nodes[0].line is None
    assert a == b and a.nodes[0] == b.nodes[0]
    assert "line" not in a.nodes[0].to_dict()


def test_node_from_dict_rejects_unknown_keys():
    with pytest.raises(FrameworkError, match=r"output: unknown_key: unknown key\(s\) \['weight'\]"):
        Node.from_dict({"code": "output", "name": "产出", "weight": 3})


def test_find_and_with_points_errors():
    fw = load_framework("project_self")
    with pytest.raises(FrameworkError, match=r"`node` must be a node code of framework 'project_self'; got 'x'"):
        fw.find("x")
    with pytest.raises(FrameworkError, match=r"`points` names unknown node\(s\) \['x'\]"):
        fw.with_points({"x": 1})
    assert fw.with_points({"output": 45, "effect": 35}).find("effect").points == 35
    assert fw.find("effect").points == 30  # unchanged: frameworks are immutable


def test_navigation_helpers():
    fw = load_framework("project_self")
    assert fw.parent_of("output.cost") == "output" and fw.parent_of("output") is None
    assert (fw.level_of("output"), fw.level_of("output.cost")) == (1, 2)
    assert [n.code for n in fw.children_of("effect")][:2] == ["effect.economic", "effect.social"]
    assert fw.children_of(None) == fw.nodes
    assert [n.code for n in fw.slots()][0] == "output.quantity" and len(fw.slots()) == 9
    assert fw.points().loc["execution"] == 10 and np.isnan(fw.points().loc["output.cost"])
    for method in (fw.parent_of, fw.level_of):
        with pytest.raises(FrameworkError, match=r"`node` must be a node code of framework 'project_self'; got 'x'"):
            method("x")
    assert repr(fw) == "Framework(name='project_self', title='项目支出绩效自评', total=100, nodes=13, leaves=10)"
    assert fw._repr_html_().startswith("<p><b>项目支出绩效自评</b> (project_self, v2020.1; total 100)</p>")


def test_constraint_and_veto_to_dict():
    c = Constraint("oe", ["output", "effect"], ">=", 0.6)
    assert c.nodes == ("output", "effect") and c.to_dict()["share"] == 0.6
    v = Veto("rnd", "results", "missing", "RND")
    assert "value" not in v.to_dict() and v.to_dict()["measure"] == "achievement"


def _frame(rows):
    return pd.DataFrame(rows, columns=["node_code", "parent_code", "name", "points"])


def test_from_frame_errors():
    with pytest.raises(FrameworkError, match=r"lacks column\(s\) \['points'\]"):
        Framework.from_frame(pd.DataFrame({"node_code": ["a"], "parent_code": [None], "name": ["A"]}))
    with pytest.raises(FrameworkError, match=r"<frame>:a: duplicate_code(.|\n)*<frame>:c: unknown_parent"):
        Framework.from_frame(_frame([["a", None, "A", 1], ["a", None, "A", 2], ["c", "zz", "C", 1]]))
    with pytest.raises(FrameworkError, match=r"parent_cycle: node\(s\) \['a', 'b'\] are their own ancestors"):
        Framework.from_frame(_frame([["a", "b", "A", 1], ["b", "a", "B", 1]]))
    with pytest.raises(FrameworkError, match=r"<frame>:a: points_invalid: `points` must be a number; got 'ten'"):
        Framework.from_frame(_frame([["a", None, "A", "ten"]]))
    bad = _frame([["a", None, "A", 1]]).assign(params="{a: [")
    with pytest.raises(FrameworkError, match=r"<frame>:a: params_invalid"):
        Framework.from_frame(bad)


def test_from_frame_accepts_children_before_parents():
    fw = Framework.from_frame(_frame([["a.x", "a", "X", 1], ["a", None, "A", 1]]), meta={"name": "t"})
    assert fw.nodes[0].children[0].code == "a.x"


def test_every_emitted_problem_code_is_documented():
    """Codes written in the loader and the checks (literal strings next to a message) are all in PROBLEM_CODES."""
    import re

    import perfeval._yaml as yaml_module  # yaml_syntax problems are built there for every YAML loader
    import perfeval.framework._model as model
    import perfeval.framework._structure as structure
    import perfeval.framework._table as table
    import perfeval.framework.checks as checks

    source = "".join(Path(m.__file__).read_text(encoding="utf-8")
                     for m in (checks, structure, model, table, yaml_module))
    first_arg = r'(?:"[^"\n]*"|f"[^"\n]*"|\([^()\n]*\)|[^,"()\n])*?'
    emitted = set(re.findall(r'(?:_problem|Problem|\.single)\(' + first_arg + r',\s*"([a-z_]+)"', source))
    emitted |= set(re.findall(r'\.add\("([a-z_]+)"', source))
    emitted |= set(re.findall(r'_sum_problem\([^;]*?"([a-z]+_[a-z_]+)"\)', source, flags=re.S))
    emitted |= set(re.findall(r'typed\([^)\n]*, "([a-z_]+)"', source))
    assert {"duplicate_code", "points_sum", "total_sum", "cost_op", "yaml_syntax", "parent_cycle", "unknown_key",
            "points_invalid", "library_missing", "params_invalid"} <= emitted
    assert emitted <= set(PROBLEM_CODES), emitted - set(PROBLEM_CODES)
    assert pe.validate_framework is validate_framework


STRUCTURE_CASES = [
    ("total_null", lambda d: d.update(total=None),
     "mini: malformed: framework: `total` must be a number; got None"),
    ("band_min_null", lambda d: _band(d, "良").update(min=None), r"bands\[良\]: missing_key: band '良': `min`"),
    ("band_label_number", lambda d: _band(d, "良").update(label=2),
     r"bands\[2\]: malformed: band 2: `label` must be text"),
    ("share_null", lambda d: d["constraints"][0].update(share=None),
     r"constraints\[oe\]: missing_key: .*`share`"),
    ("nodes_text", lambda d: d["constraints"][0].update(nodes="output"), r"`nodes` must be a list of node codes"),
    ("veto_grade_number", lambda d: d["vetoes"][0].update(grade=3),
     r"vetoes\[v\]: malformed: .*`grade` must be text"),
    ("veto_value_text", lambda d: d["vetoes"][0].update(value="half"), r"`value` must be a number; got 'half'"),
    ("node_not_mapping", lambda d: d["nodes"].append("effect"),
     r"nodes\[3\]: malformed: nodes\[3\]: a node must be"),
    ("children_not_list", lambda d: _node(d, 1).update(children="x"),
     r"output: malformed: .*`children` must be a list"),
    ("slot_text", lambda d: _node(d, 2, 0).update(slot="yes"), r"`slot` must be true or false; got 'yes'"),
    ("aliases_text", lambda d: _node(d, 0).update(aliases="预算执行"), r"`aliases` must be a list of text"),
    ("params_list", lambda d: _node(d, 0).update(params=[1]), r"`params` must be a mapping; got \[1\]"),
    ("code_number", lambda d: _node(d, 0).update(code=7), r"7: malformed: node `7`: `code` must be text"),
    ("bands_not_list", lambda d: d.update(bands="default"),
     r"mini: malformed: framework: `bands` must be a list"),
    ("band_not_mapping", lambda d: d["bands"].append(5), r"`bands\[4\]` must be a mapping; got 5"),
    ("override_text", lambda d: d.update(override_grades="RND"),
     r"`override_grades` must be a list of grade labels"),
]


@pytest.mark.parametrize(("label", "change", "match"), STRUCTURE_CASES, ids=[c[0] for c in STRUCTURE_CASES])
def test_structural_fault_in_memory(label, change, match):
    with pytest.raises(FrameworkError, match=match) as info:
        _mutated(change)
    assert all(p.code in PROBLEM_CODES for p in info.value.problems)


def test_unhashable_yaml_key_is_a_located_syntax_problem(tmp_path):
    path = tmp_path / "complex_key.yaml"
    path.write_text("name: x\n? [a, b]\n: 1\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"complex_key\.yaml:2: yaml_syntax: found an unhashable key"):
        load_framework(path)
