"""Group AHP (AIJ / AIP) and the long survey table: the Dong et al. (2010) example, exclusion, located errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfeval.errors import InconsistentJudgementsWarning, InputError
from perfeval.weighting import GroupAHPResult, ahp_group, ahp_survey

# Dong, Zhang, Hong & Xu (2010), Decis. Support Syst. 49:281-289, section 5 (A(1)..A(4) first given in Xu 2000).
# A(5) row 3 is printed (1, 1/2, 1, 4) in the copy we read; reciprocity and the printed w(5) need a_32 = 2.
DONG = [
    [[1, 4, 6, 7], [1 / 4, 1, 3, 4], [1 / 6, 1 / 3, 1, 2], [1 / 7, 1 / 4, 1 / 2, 1]],
    [[1, 5, 7, 9], [1 / 5, 1, 4, 6], [1 / 7, 1 / 4, 1, 2], [1 / 9, 1 / 6, 1 / 2, 1]],
    [[1, 3, 5, 8], [1 / 3, 1, 4, 5], [1 / 5, 1 / 4, 1, 2], [1 / 8, 1 / 5, 1 / 2, 1]],
    [[1, 4, 5, 6], [1 / 4, 1, 3, 3], [1 / 5, 1 / 3, 1, 2], [1 / 6, 1 / 3, 1 / 2, 1]],
    [[1, 1 / 2, 1, 2], [2, 1, 1 / 2, 3], [1, 2, 1, 4], [1 / 2, 1 / 3, 1 / 4, 1]],
]
DONG_LAMBDA = [0.1, 0.3, 0.1, 0.2, 0.3]


@pytest.mark.parametrize("method", ["aij", "aip"])
def test_dong_2010_group_rgm(method):
    """Dong et al. (2010), section 5: with decision-maker weights (0.1, 0.3, 0.1, 0.2, 0.3) and the row geometric
    mean, the collective vector is w(c) = (0.4984, 0.2727, 0.1541, 0.0747) (4 decimals) by AIJ, and by AIP too
    (Barzilai & Golany 1994, their Lemma 1); individual w(k) and GCIs (Table 3) also match."""
    res = ahp_group(DONG, method, DONG_LAMBDA, priority="rgm", criterion="gci")
    np.testing.assert_allclose(res.weights, [0.4984, 0.2727, 0.1541, 0.0747], atol=5e-5)
    np.testing.assert_allclose(res.experts["gci"], [0.1349, 0.2358, 0.1194, 0.1657, 0.2208], atol=5e-5)
    np.testing.assert_allclose(res.individual["5"].weights, [0.2247, 0.2958, 0.3780, 0.1015], atol=5e-5)
    np.testing.assert_allclose(res.individual["1"].weights, [0.6145, 0.2246, 0.0985, 0.0624], atol=5e-5)
    assert res.experts["consistent"].all() and res.inconsistent_experts == []
    if method == "aij":
        expected_matrix = [[1, 2.2270, 3.4756, 5.0937], [0.4490, 1, 1.9663, 4.0005],
                           [0.2877, 0.5086, 1, 2.4623], [0.1963, 0.2500, 0.4061, 1]]
        np.testing.assert_allclose(res.aggregate.matrix, expected_matrix, atol=5e-5)
        assert res.aggregate.gci == pytest.approx(0.056, abs=5e-4)
    else:
        assert res.aggregate is None


def test_group_result_frames_and_html():
    res = ahp_group({"A": DONG[0], "B": DONG[1]}, labels=["p", "q", "r", "s"])
    assert isinstance(res, GroupAHPResult)
    assert res.experts.columns.tolist() == ["expert_id", "expert_weight", "n_missing", "lambda_max", "ci", "cr",
                                            "gci", "consistent", "included"]
    assert res.experts["expert_weight"].tolist() == [0.5, 0.5]
    assert res.to_frame().columns.tolist() == ["item", "weight", "rank"]
    assert res.individual_weights().columns.tolist() == ["A", "B"]
    assert res.individual_weights().index.tolist() == ["p", "q", "r", "s"]
    assert "Group AHP" in res._repr_html_() and "AIJ" in res._repr_html_()
    assert list(res.matrices) == ["A", "B"]


def test_aij_uses_the_experts_who_gave_each_cell():
    """A comparison one expert skipped is the other expert's judgement in the group matrix (pyanp's rule)."""
    e1 = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
    e2 = [[1, 8, np.nan], [1 / 8, 1, 2], [np.nan, 1 / 2, 1]]
    res = ahp_group([e1, e2], labels=list("xyz"))
    assert res.aggregate.matrix.loc["x", "z"] == pytest.approx(4.0)
    assert res.aggregate.matrix.loc["x", "y"] == pytest.approx(4.0)
    assert res.experts["n_missing"].tolist() == [0, 1]
    assert res.individual["2"].completed["value"].iloc[0] == pytest.approx(16.0)


def test_dataframes_are_aligned_by_label():
    a = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["u", "v"], columns=["u", "v"])
    b = pd.DataFrame([[1, 1 / 3], [3, 1]], index=["v", "u"], columns=["v", "u"])
    res = ahp_group({"a": a, "b": b})
    assert res.weights["u"] == pytest.approx(0.75)


def test_inconsistent_expert_flagged_and_excluded():
    wang_chin = [[1, 4, 3, 1, 3, 4], [1 / 4, 1, 7, 3, 1 / 5, 1], [1 / 3, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 6],
                 [1, 1 / 3, 5, 1, 1, 1 / 3], [1 / 3, 5, 5, 1, 1, 3], [1 / 4, 1, 6, 3, 1 / 3, 1]]
    w = np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    good = w[:, None] / w[None, :]
    with pytest.warns(InconsistentJudgementsWarning, match=r"1 of 2 experts .*: bad; kept"):
        kept = ahp_group({"good": good, "bad": wang_chin})
    assert kept.inconsistent_experts == ["bad"] and kept.experts["included"].all()
    with pytest.warns(InconsistentJudgementsWarning, match=r"bad; excluded"):
        dropped = ahp_group({"good": good, "bad": wang_chin}, exclude_inconsistent=True)
    np.testing.assert_allclose(dropped.weights, w, atol=1e-10)
    assert dropped.experts.set_index("expert_id").loc["bad", ["expert_weight", "included"]].tolist() == [0, False]
    with pytest.warns(InconsistentJudgementsWarning), \
            pytest.raises(InputError, match=r"every expert's matrix is inconsistent \(1\)"):
        ahp_group([wang_chin], exclude_inconsistent=True)


def test_group_errors_are_located():
    bad5 = [row[:] for row in DONG[4]]
    bad5[2] = [1, 1 / 2, 1, 4]
    with pytest.raises(InputError, match=r"expert 5: cell \(2, 3\): not_reciprocal"):
        ahp_group(DONG[:4] + [bad5])
    a = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["u", "v"], columns=["u", "v"])
    c = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["u", "w"], columns=["u", "w"])
    with pytest.raises(InputError, match=r"expert c: items_differ: compares \['u', 'w'\]"):
        ahp_group({"a": a, "c": c})
    with pytest.raises(InputError, match=r"`method` must be one of 'aij', 'aip'; got 'mean'"):
        ahp_group(DONG, "mean")
    with pytest.raises(InputError, match=r"`matrices` must hold at least one"):
        ahp_group([])
    with pytest.raises(InputError, match=r"`matrices` must be a mapping"):
        ahp_group(np.ones((2, 2)))
    with pytest.raises(InputError, match=r"`expert_weights` must have one value per item \(5"):
        ahp_group(DONG, expert_weights=[1, 2])
    with pytest.raises(InputError, match=r"`expert_weights` must give one weight per expert .*unknown \['9'\]"):
        ahp_group(DONG, expert_weights={"1": 1, "2": 1, "3": 1, "4": 1, "9": 1})
    with pytest.raises(InputError, match=r"`expert_weights` must be positive"):
        ahp_group(DONG, expert_weights=[0, 1, 1, 1, 1])


# --------------------------------------------------------------------------------------------------------------
# survey
# --------------------------------------------------------------------------------------------------------------
def _survey_from(matrices: dict[str, list[list[float]]], items: list[str]) -> pd.DataFrame:
    rows = []
    for expert, m in matrices.items():
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                rows.append({"expert_id": expert, "a": items[i], "b": items[j], "value": m[i][j]})
    return pd.DataFrame(rows)


def test_survey_reproduces_the_matrix_route():
    """The long table of Dong et al.'s five matrices gives exactly the ahp_group result."""
    items = ["p1", "p2", "p3", "p4"]
    survey = _survey_from({f"D{k + 1}": m for k, m in enumerate(DONG)}, items)
    via_survey = ahp_survey(survey, expert_weights=dict(zip([f"D{k}" for k in range(1, 6)], DONG_LAMBDA)),
                            priority="rgm")
    np.testing.assert_allclose(via_survey.weights, [0.4984, 0.2727, 0.1541, 0.0747], atol=5e-5)
    assert via_survey.weights.index.tolist() == items
    assert list(via_survey.matrices) == ["D1", "D2", "D3", "D4", "D5"]
    assert via_survey.matrices["D2"].loc["p1", "p4"] == 9


def test_survey_reversed_rows_fractions_and_missing_pairs():
    survey = pd.DataFrame({"expert_id": ["E1", "E1", "E1", "E2", "E2"],
                           "a": ["y", "x", "z", "x", "y"], "b": ["x", "z", "y", "y", "z"],
                           "value": ["1/2", "4", 0.5, 2, 2]})
    res = ahp_survey(survey)
    assert res.weights.index.tolist() == ["y", "x", "z"]
    np.testing.assert_allclose(res.individual["E1"].weights[["x", "y", "z"]], [4 / 7, 2 / 7, 1 / 7])
    assert res.experts.set_index("expert_id").loc["E2", "n_missing"] == 1
    filled = res.individual["E2"].completed.iloc[0]
    assert (filled["i"], filled["j"]) == ("x", "z") and filled["value"] == pytest.approx(4.0)  # 2 x 2


def test_survey_errors_all_located_at_once():
    survey = pd.DataFrame({
        "expert_id": ["E1", "E1", "E1", "", "E2", "E2"],
        "a": ["x", "x", "q", "x", "x", "y"],
        "b": ["x", "y", "y", "y", "y", "x"],
        "value": [1, "abc", 2, 3, -2, 2],
        "source_row": [10, 11, 12, 13, 14, 15],
    })
    with pytest.raises(InputError) as info:
        ahp_survey(survey, items=["x", "y"], source="survey.csv")
    locations = [(p.location, p.code) for p in info.value.problems]
    assert locations == [
        ("survey.csv:10:b", "self_comparison"), ("survey.csv:11:value", "bad_value"),
        ("survey.csv:12:a", "unknown_item"), ("survey.csv:13:expert_id", "missing_value"),
        ("survey.csv:14:value", "bad_value"),
    ]
    assert "'q' is not one of the items ['x', 'y']" in str(info.value)
    with pytest.raises(InputError, match=r"<survey>:2:b: self_comparison: item 'x' is compared with itself"):
        ahp_survey(pd.DataFrame({"expert_id": ["E"], "a": ["x"], "b": ["x"], "value": [1]}))


def test_survey_duplicate_pair_missing_column_and_unconnected_item():
    dup = pd.DataFrame({"expert_id": ["E1", "E1"], "a": ["x", "y"], "b": ["y", "x"], "value": [2, 0.5]})
    with pytest.raises(InputError, match=r"<survey>:3:a: duplicate_pair: expert 'E1' compares 'y' and 'x' again "
                                         r"\(first on row 2\)"):
        ahp_survey(dup)
    with pytest.raises(InputError, match=r"s\.csv: missing_column: column\(s\) \['value'\] are required"):
        ahp_survey(pd.DataFrame({"expert_id": [], "a": [], "b": []}), source="s.csv")
    gap = pd.DataFrame({"expert_id": ["E1", "E2", "E2"], "a": ["x", "x", "y"], "b": ["y", "y", "z"],
                        "value": [2, 2, 2]})
    with pytest.raises(InputError, match=r"<survey>: expert E1: matrix: disconnected: .*\{x, y\}; \{z\}"):
        ahp_survey(gap)
    with pytest.raises(InputError, match=r"`data` must be a DataFrame"):
        ahp_survey([["E1", "x", "y", 2]])
    with pytest.raises(InputError, match=r"empty: the survey holds no judgements"):
        ahp_survey(pd.DataFrame({"expert_id": [], "a": [], "b": [], "value": []}))


@pytest.mark.parametrize("headers", [("专家", "因素A", "因素B", "比较值"), ("专家编号", "指标A", "指标B", "判断值"),
                                     ("专家 编号", "因素Ａ", "因素Ｂ", "标度"), ("Expert_ID", "A", "B", "Value")])
def test_survey_chinese_headers(headers):
    """Chinese (and full-width, spaced, capitalised) headers read like expert_id, a, b, value; problems name the
    header as written."""
    survey = pd.DataFrame({"expert_id": ["E1", "E1", "E1"], "a": ["x", "x", "y"], "b": ["y", "z", "z"],
                           "value": [2, 4, 2]})
    res = ahp_survey(survey.set_axis(list(headers), axis=1))
    assert res.weights.round(4).tolist() == [0.5714, 0.2857, 0.1429]
    bad = survey.assign(value=[2, "x", 2]).set_axis(list(headers), axis=1)
    with pytest.raises(InputError, match=rf"<survey>:3:{headers[3]}: bad_value"):
        ahp_survey(bad)
    with pytest.raises(InputError, match=r"missing_column: column\(s\) \['value'\] are required; .*accepted "
                                         r"headers: value: value, 比较值, 标度"):
        ahp_survey(survey.drop(columns="value").set_axis(list(headers[:3]), axis=1))


def test_survey_items_by_name_are_read_as_their_codes():
    """Items written by name (Chinese, English, an alias, full-width or spaced) count as their codes; the weights are
    indexed by code, in the order of ``items``; without ``items`` the keys of ``names`` are the items."""
    names = {"out": ("产出", "Output", "产出指标"), "eff": ("效益", "Effect")}
    survey = pd.DataFrame({"expert_id": ["E1", "E2", "E3"], "a": ["产出", "ＯＵＴＰＵＴ", "产出 指标"],
                           "b": ["eff", "效益", "Effect"], "value": [3, 3, 3]})
    res = ahp_survey(survey, names=names)
    assert res.weights.index.tolist() == ["out", "eff"]
    assert res.weights.round(4).tolist() == [0.75, 0.25]
    assert ahp_survey(survey, items=["eff", "out"], names=names).weights.index.tolist() == ["eff", "out"]


def test_survey_unknown_names_once_per_name():
    """Two unknown names over many rows: one problem each, at the first cell, in row order with the others."""
    survey = pd.DataFrame({"expert_id": [f"E{k}" for k in range(8)],
                           "a": ["产出", "效率", "产出", "效率", "产出", "效率", "效率", "效率"],
                           "b": ["效益", "效益", "公平", "效益", "产出", "效益", "效益", "效益"],
                           "value": [2] * 8})
    with pytest.raises(InputError) as info:
        ahp_survey(survey, names={"out": "产出", "eff": "效益"}, source="s.csv")
    got = [(p.location, p.code, p.message) for p in info.value.problems]
    valid = "[out (产出), eff (效益)]"
    assert got == [
        ("s.csv:3:a", "unknown_item", f"'效率' is not one of the items {valid}; it occurs on 5 row(s): 3, 5, 7, 8, 9"),
        ("s.csv:4:b", "unknown_item", f"'公平' is not one of the items {valid}; it occurs on 1 row(s): 4"),
        ("s.csv:6:b", "self_comparison", "item 'out' is compared with itself"),
    ]


def test_survey_on_a_framework_by_node_names():
    """``framework=`` (and ``node=``) take the items and their names from the framework: the sample survey written
    with the Chinese node names gives the weights of the codes."""
    import perfeval as pe

    data = pe.load_sample().ahp_survey
    cn = {"decision": "决策", "process": "过程", "output": "产出", "effect": "效益"}
    with pytest.warns(Warning):
        base = ahp_survey(data)
    with pytest.warns(Warning):
        zh = ahp_survey(data.replace({"a": cn, "b": cn}), framework="project_key", node=None)
    pd.testing.assert_series_equal(base.weights, zh.weights)
