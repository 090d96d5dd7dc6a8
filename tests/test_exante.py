"""Ex-ante assessment (perfeval.exante): conclusions 90 / 70 (PMKPI #54653474066), vetoes, budget gate."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import perfeval as pe
from perfeval.errors import FrameworkError, InputError
from perfeval.exante import ExantePolicy, ExanteResult, assess, read_exante
from perfeval.framework import Band, GradeBands

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "province"
FW = pe.load_framework("exante")
LEAVES = [n.code for n in FW.leaves()]


def _scores(unit: str, total: float, *, compliance: float | None = None) -> pd.DataFrame:
    """Scores of one unit summing to ``total``: equal leaves, the rounding put on the first leaf.

    With ``compliance`` the two compliance leaves share that many points and the others the rest.
    """
    values = {leaf: total / len(LEAVES) for leaf in LEAVES}
    if compliance is not None:
        comp = [leaf for leaf in LEAVES if leaf.startswith("compliance")]
        rest = [leaf for leaf in LEAVES if leaf not in comp]
        values = {**{leaf: (total - compliance) / len(rest) for leaf in rest},
                  **{leaf: compliance / len(comp) for leaf in comp}}
    values[LEAVES[0]] += total - sum(values.values())
    return pd.DataFrame({"unit_id": unit, "node_code": list(values), "score": list(values.values())})


def test_framework_has_the_five_dimensions():
    assert [n.code for n in FW.nodes] == ["necessity", "economy", "targets", "feasibility", "compliance"]
    assert all(n.points == 10 for n in FW.leaves()) and len(LEAVES) == 10


@pytest.mark.parametrize("total, conclusion", [
    (100, "予以支持"), (90, "予以支持"), (89.5, "调整完善后予以支持"), (89.99, "调整完善后予以支持"),
    (70, "调整完善后予以支持"), (69.99, "不予支持"), (0, "不予支持")])
def test_conclusion_boundaries(total, conclusion):
    """Half-open bands: [90, 100] support, [70, 90) after adjustment, [0, 70) not; 89.5 is not lost."""
    r = assess(_scores("N1", total))
    row = r.units.iloc[0]
    assert row["total"] == pytest.approx(total, abs=1e-9)
    assert row["conclusion"] == conclusion and row["banded_conclusion"] == conclusion


def test_dimension_totals_and_nodes():
    r = assess(_scores("N1", 80, compliance=16))
    row = r.units.iloc[0]
    assert row["compliance"] == 16 and row["necessity"] + row["economy"] + row["targets"] + row["feasibility"] == 64
    assert list(r.nodes.columns) == ["unit_id", "node_code", "dimension", "points", "score", "missing"]
    assert len(r.nodes) == 10 and r.nodes["points"].eq(10).all()
    assert isinstance(r, ExanteResult) and r.to_frame().equals(r.units)
    assert "事前绩效评估" in r._repr_html_() and "ExanteResult(units=1" in repr(r)


@pytest.mark.parametrize("compliance, fired", [(11.99, True), (12, False)])
def test_compliance_veto_caps_the_conclusion(compliance, fired):
    """The shipped veto: compliance below 60 % of its 20 points -> 不予支持 whatever the total."""
    row = assess(_scores("N1", 91, compliance=compliance)).units.iloc[0]
    assert row["banded_conclusion"] == "予以支持"
    assert (row["conclusion"], row["vetoes"]) == (("不予支持", "compliance_floor") if fired else ("予以支持", ""))
    assert row["passed"] is (not fired)


def _with_bands(*bands: tuple[str, float, float]) -> pe.Framework:
    """The shipped framework with other conclusion bands (label, min, max)."""
    return dataclasses.replace(FW, name="exante_local", bands=GradeBands(tuple(Band(*b) for b in bands)))


def test_custom_vetoes_and_cutoffs():
    """80 / 60 cut-offs of other localities (the framework's bands); a per-dimension floor capping the conclusion."""
    local = _with_bands(("予以支持", 80, 100), ("调整完善后予以支持", 60, 80), ("不予支持", 0, 60))
    policy = {"vetoes": [{"code": "floor", "node": "*", "measure": "score", "op": "<=", "value": 10,
                          "conclusion": "调整完善后予以支持"}]}
    scores = pd.concat([_scores("A", 85), _scores("B", 85, compliance=10), _scores("C", 60), _scores("D", 59.99)])
    r = assess(scores, local, policy=policy)
    u = r.units.set_index("unit_id")
    assert u["conclusion"].tolist() == ["予以支持", "调整完善后予以支持", "调整完善后予以支持", "不予支持"]
    assert u.loc["B", "vetoes"] == "floor" and u.loc["B", "banded_conclusion"] == "予以支持"
    assert r.policy["framework"] == "exante_local" and r.policy["conclusions"][0]["min"] == 80


def test_conclusions_come_from_the_framework_bands_only():
    """The framework's bands are the single source of the cut-offs: the policy names conclusions, no bands."""
    r = assess(_scores("N1", 90))
    assert r.policy["conclusions"] == FW.bands.to_list() and "bands" not in ExantePolicy.load().to_dict()
    assert r.units.loc[0, "conclusion_en"] == "Support"
    with pytest.raises(InputError, match=r"<policy>:conclusions: unknown_key: `conclusions` is not a policy key: "
                                         r"the conclusion bands are the `bands` of the ex-ante framework"):
        assess(_scores("N1", 90), policy={"conclusions": FW.bands.to_list()})


def test_policy_conclusions_must_be_labels_of_the_framework():
    english = _with_bands(("support", 90, 100), ("adjust", 70, 90), ("reject", 0, 70))
    with pytest.raises(InputError, match=r"unknown_conclusion: `passing` names '予以支持', which is not one of "
                                         r"'support', 'adjust', 'reject'") as err:
        assess(_scores("N1", 90), english)
    assert {p.code for p in err.value.problems} == {"unknown_conclusion"} and len(err.value.problems) == 3
    policy = ExantePolicy.load()  # checked against the shipped framework, then against `english`
    with pytest.raises(InputError, match=r"<policy>:vetoes.compliance_floor.conclusion: unknown_conclusion: veto "
                                         r"'compliance_floor' caps at '不予支持'"):
        assess(_scores("N1", 90), english, policy=policy)
    fine = assess(_scores("N1", 90), english, policy={"passing": ["support", "adjust"],
                                                        "vetoes": []})
    assert fine.units.loc[0, "conclusion"] == "support" and fine.units.loc[0, "passed"] is True


def test_one_decimal_scores_summing_to_a_cut_off_reach_it():
    """Ten one-decimal scores adding up to exactly 90 (89.99999999999999 in a naive float sum) are 予以支持."""
    values = [10.0, 10.0, 10.0, 10.0, 9.9, 8.3, 7.7, 7.2, 7.3, 9.6]
    assert pd.Series(values).sum() < 90  # the float noise the total must not inherit
    scores = pd.DataFrame({"unit_id": "N1", "node_code": LEAVES, "score": values})
    row = assess(scores).units.iloc[0]
    assert row["total"] == 90.0 and row["conclusion"] == "予以支持"


def test_missing_leaves_are_zero_or_an_error():
    scores = _scores("N1", 95).iloc[1:]
    r = assess(scores)
    assert r.units.loc[0, "flags"] == "missing_leaves" and r.units.loc[0, "total"] < 95
    assert [p.code for p in r.problems] == ["missing_leaf"] and r.problems[0].severity == "warning"
    assert r.nodes["missing"].sum() == 1
    with pytest.raises(InputError, match=r"scores:N1: missing_leaf: unit 'N1' has no score for 'necessity.relevance'"):
        assess(scores, policy={"missing_leaf": "error"})


def test_budget_gate():
    """朝阳县: no budget may be arranged without a (passed) assessment."""
    scores = pd.concat([_scores("PASS", 92), _scores("ADJ", 75), _scores("FAIL", 60), _scores("OLD", 50)])
    units = pd.DataFrame({"unit_id": ["PASS", "ADJ", "FAIL", "NONE", "OLD", "KEEP"],
                          "is_new": ["是", True, "1", "true", "否", False]})
    u = assess(scores, units=units).units.set_index("unit_id")
    assert u["budget_gate"].to_dict() == {"PASS": True, "ADJ": True, "FAIL": False, "OLD": False, "NONE": False}
    assert u.loc["NONE", "budget_flag"] == "不得安排预算" and u.loc["NONE", "budget_flag_en"] == "no budget may be arranged"
    assert not u.loc["NONE", "assessed"] and pd.isna(u.loc["NONE", "total"]) and u.loc["NONE", "passed"] is None
    assert u.loc["PASS", "budget_flag"] == "" and u.loc["OLD", "is_new"] is False
    assert "KEEP" not in u.index  # not new, not assessed: the gate does not apply
    no_units = assess(scores).units.set_index("unit_id")
    assert no_units.loc["FAIL", "budget_gate"] == False and no_units.loc["FAIL", "is_new"] is None  # noqa: E712


def test_score_problems_are_all_located():
    scores = pd.DataFrame({
        "unit_id": ["N1"] * 6,
        "node_code": ["necessity", "nope", "economy.budget", "economy.value", "targets.alignment", "economy.budget"],
        "score": [5, 5, "x", 11, -1, 3],
        "source_file": "exante.csv", "source_row": [2, 3, 4, 5, 6, 7]})
    with pytest.raises(InputError, match=r"exante.csv:2:node_code: unknown_node: node 'necessity' is not a "
                                         r"leaf") as err:
        assess(scores)
    found = {(p.location, p.code) for p in err.value.problems}
    assert found == {("exante.csv:2:node_code", "unknown_node"), ("exante.csv:3:node_code", "unknown_node"),
                     ("exante.csv:4:score", "bad_score"), ("exante.csv:5:score", "score_out_of_range"),
                     ("exante.csv:6:score", "score_out_of_range"), ("exante.csv:7:node_code", "duplicate_row")}
    messages = " ".join(p.message for p in err.value.problems)
    assert "'necessity' is not a leaf" in messages and "must be in [0, 10]; got 11" in messages


def test_argument_errors():
    with pytest.raises(InputError, match=r"`scores` lacks column\(s\) \['score'\]"):
        assess(_scores("N1", 90).drop(columns="score"))
    with pytest.raises(InputError, match="`units` needs columns unit_id and is_new"):
        assess(_scores("N1", 90), units=pd.DataFrame({"unit_id": ["N1"]}))
    with pytest.raises(InputError, match=r"units:3:is_new: not_boolean: is_new must be yes/no"):
        assess(_scores("N1", 90), units=pd.DataFrame({"unit_id": ["N1", "N2"], "is_new": ["是", "maybe"]}))
    with pytest.raises(InputError, match=r"veto 'v' names 'risk', not a first-level dimension"):
        assess(_scores("N1", 90), policy={"vetoes": [{"code": "v", "node": "risk", "op": "<", "value": 0.5,
                                                      "conclusion": "不予支持"}]})


def test_framework_with_errors_cannot_conclude():
    broken = _with_bands(("予以支持", 90, 100), ("不予支持", 0, 70))
    with pytest.raises(FrameworkError, match=r"framework 'exante_local' cannot conclude an assessment(.|\n)*"
                                             r"band_gap"):
        assess(_scores("N1", 90), broken)


def test_read_exante_and_cli(tmp_path, capsys):
    from perfeval.cli import main

    d = tmp_path / "ds"
    d.mkdir()
    pd.concat([_scores("N1", 92), _scores("N2", 65)]).rename(
        columns={"unit_id": "项目编码", "node_code": "指标编码", "score": "得分"}).to_csv(d / "exante.csv", index=False)
    (d / "units.csv").write_text("unit_id,is_new\nN1,是\nN2,是\nN3,是\n", encoding="utf-8")
    scores = read_exante(d / "exante.csv")
    assert scores["score"].dtype == float and scores["source_row"].iloc[0] == 2
    out = tmp_path / "exante_out.csv"
    assert main(["exante", str(d), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "予以支持" in text and "不得安排预算" in text and len(pd.read_csv(out)) == 3
    (d / "exante.csv").write_text("unit_id,node_code,score\nN1,necessity.need,12\n", encoding="utf-8")
    assert main(["exante", str(d)]) == 1
    assert f"{d / 'exante.csv'}:2:score: score_out_of_range" in capsys.readouterr().err
    policy = tmp_path / "policy.yaml"
    policy.write_text("kind: exante\npassing: [予以支持, 也许]\n", encoding="utf-8")
    assert main(["exante", str(d), "--policy", str(policy)]) == 1
    assert f"{policy}:2: unknown_conclusion" in capsys.readouterr().err


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample_data/province has not been generated")
def test_sample_province_shows_every_conclusion():
    """`perfeval exante sample_data/province`: every conclusion occurs and the budget gate flags someone."""
    from perfeval.application import read_units

    r = assess(read_exante(SAMPLE / "exante.csv"), units=read_units(SAMPLE / "units.csv"))
    assert set(r.units["conclusion"].dropna()) == {"予以支持", "调整完善后予以支持", "不予支持"}
    assert (~r.units["budget_gate"]).any() and r.units["budget_flag"].eq("不得安排预算").any()
