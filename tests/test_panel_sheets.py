"""Expert score sheets: the round trip (write, fill by script, collect, aggregate), every sheet problem located at
its cell, protection and validation as issued, user text kept as text, the CLI."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import perfeval as pe
from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.panel import aggregate
from perfeval.panel.sheets import (META_SHEET, PROBLEM_CODES, collect_sheets, read_experts, sheet_layout,
                                   write_sheets)

UNITS = pd.DataFrame({"unit_id": ["0010001", "0020002", "0030004"],
                      "name": ["高校科研创新平台建设", "=HYPERLINK(\"http://x\")", "农田水利"]})
EXPERTS = {"E01": "张专家", "E02": "李专家", "E03": "王专家", "E04": "赵专家"}


def known_scores(seed: int = 7) -> pd.DataFrame:
    """Known ratings in 0.5 steps within each leaf's points, for every expert, unit and leaf."""
    fw = pe.load_framework("project_key")
    rng = np.random.default_rng(seed)
    rows = []
    for expert in EXPERTS:
        for unit in UNITS["unit_id"]:
            for leaf in fw.leaves():
                steps = int(leaf.points * 2)
                rows.append({"unit_id": unit, "node_code": leaf.code, "rater_id": expert,
                             "score": rng.integers(0, steps + 1) / 2})
    return pd.DataFrame(rows)


def fill(directory: Path, scores: pd.DataFrame) -> None:
    """What an expert does: type each score into the cell of its node (found by the hidden code column)."""
    layout = sheet_layout("project_key")
    for expert, part in scores.groupby("rater_id"):
        path = directory / f"{expert}.xlsx"
        wb = load_workbook(path)
        for (unit, node), value in part.set_index(["unit_id", "node_code"])["score"].items():
            ws = wb[unit]
            row = next(r for c, r, _, _ in layout.rows if c == node)
            assert ws.cell(row, layout.code_col).value == node
            ws.cell(row, layout.score_col).value = value
            ws.cell(row, layout.comment_col).value = f"{expert} 对 {node} 的说明"
        wb.save(path)


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("issued")
    write_sheets("project_key", UNITS, EXPERTS, out)
    return out


@pytest.fixture()
def filled(issued, tmp_path) -> tuple[Path, pd.DataFrame]:
    out = tmp_path / "sheets"
    shutil.copytree(issued, out)
    scores = known_scores()
    fill(out, scores)
    return out, scores


def problems_of(directory, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(InputError) as err:
        collect_sheets(directory, **kwargs)
    found: dict[str, list[str]] = {}
    for p in err.value.problems:
        found.setdefault(p.code, []).append(p.location)
    return found


# ---------------------------------------------------------------------------------------------------------------
# round trip
# ---------------------------------------------------------------------------------------------------------------
def test_round_trip_consensus_equals_aggregate_on_the_same_scores(filled):
    directory, scores = filled
    got = collect_sheets(directory, framework="project_key", experts=list(EXPERTS))
    assert got.problems == () and got.missing.empty
    assert list(got.ratings.columns[:5]) == ["unit_id", "node_code", "rater_id", "score", "comment"]
    key = ["unit_id", "node_code", "rater_id"]
    merged = scores.merge(got.ratings, on=key, suffixes=("_typed", "_read"), validate="one_to_one")
    assert len(merged) == len(scores) == 4 * 3 * 20
    assert (merged["score_typed"] == merged["score_read"]).all()
    assert merged["comment"].iloc[0] == f"{merged['rater_id'].iloc[0]} 对 {merged['node_code'].iloc[0]} 的说明"
    a = aggregate(got.ratings, framework="project_key")
    b = aggregate(scores, framework="project_key")
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.totals, b.totals)


def test_sample_province_sheets_give_back_panel_csv(tmp_path):
    data = pe.load_sample()
    key = data.units[data.units["unit_id"].isin(data.panel["unit_id"])]
    experts = sorted(data.panel["rater_id"].unique())
    write_sheets("project_key", key, experts, tmp_path, scores=data.panel)
    got = collect_sheets(tmp_path, framework="project_key", experts=experts)
    a = aggregate(got.ratings, framework="project_key")
    b = aggregate(data.panel, framework="project_key")
    pd.testing.assert_frame_equal(a.totals, b.totals)


# ---------------------------------------------------------------------------------------------------------------
# what was issued
# ---------------------------------------------------------------------------------------------------------------
def test_issued_workbook_layout_protection_validation_and_ids(issued):
    fw = pe.load_framework("project_key")
    layout = sheet_layout(fw)
    assert sorted(p.name for p in issued.glob("*.xlsx")) == [f"{e}.xlsx" for e in EXPERTS]
    wb = load_workbook(issued / "E02.xlsx")
    assert wb.sheetnames == [*UNITS["unit_id"], META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert wb.security.lockStructure
    ws = wb["0010001"]
    assert ws.protection.sheet
    assert ws.column_dimensions["H"].hidden
    assert ws["H1"].value == (f"perfeval.sheet/1;expert=E02;unit=0010001;framework=project_key;"
                              f"version={fw.version};structure={layout.structure}")
    assert ws["A1"].value == "项目支出重点绩效评价 专家评分表"
    assert ws["A3"].value == "评审专家：李专家（E02）"
    assert [ws.cell(5, c).value for c in range(1, 8)] == ["一级指标", "二级指标", "三级指标", "分值", "评价要点",
                                                         "得分", "评分说明"]
    rows = {code: row for code, row, _, _ in layout.rows}
    leaf = fw.find("decision.approval.basis")
    r = rows[leaf.code]
    assert (ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value) == (leaf.name, 3, leaf.description)
    # only leaf score and comment cells unlocked
    unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
    leaves = [row for code, row, _, is_leaf in layout.rows if is_leaf]
    assert unlocked == {f"{col}{row}" for row in leaves for col in "FG"}
    # inner nodes and the total are formulas over their children
    assert ws.cell(rows["decision"], 6).value == "=SUM(F7,F10,F13)"
    assert ws.cell(rows["decision.approval"], 6).value == "=SUM(F8,F9)"
    assert ws.cell(layout.total_row, 6).value == "=SUM(F6,F16,F24,F33)"
    assert ws.cell(layout.total_row, 4).value == 100
    assert ws.cell(layout.signature_row, 1).value == "专家签名："
    # data validation: decimals between 0 and the leaf's points, on exactly the leaf score cells
    validated = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "decimal" and dv.operator == "between" and dv.formula1 == "0"
        for rng in dv.sqref.ranges:
            for (row,) in [(rr,) for rr in range(rng.min_row, rng.max_row + 1)]:
                validated[row] = float(dv.formula2)
    assert validated == {row: fw.find(code).points for code, row, _, is_leaf in layout.rows if is_leaf}


def test_user_text_is_stored_as_text_never_as_a_formula(issued):
    ws = load_workbook(issued / "E01.xlsx")["0020002"]
    assert ws["A2"].data_type == "s"
    assert ws["A2"].value == '项目：0020002 =HYPERLINK("http://x")'
    out = issued.parent / "formula_names"
    write_sheets("project_key", {"P1": "x"}, {"E09": "=1+1"}, out)
    ws = load_workbook(out / "E09.xlsx")["P1"]
    assert ws["A3"].data_type == "s" and ws["A3"].value == "评审专家：=1+1（E09）"
    cell = load_workbook(out / "E09.xlsx")[META_SHEET]["B3"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_english_sheets_and_whole_point_validation(tmp_path):
    write_sheets("project_key", ["P1"], ["E01"], tmp_path, lang="en", decimals=0)
    ws = load_workbook(tmp_path / "E01.xlsx")["P1"]
    assert ws["F5"].value == "Score" and ws["A1"].value == "Project expenditure key evaluation: expert score sheet"
    assert {dv.type for dv in ws.data_validations.dataValidation} == {"whole"}


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(InputError) as err:
        write_sheets("project_self", ["P1"], ["E01"], tmp_path)
    assert err.value.problems[0].code == "slots_not_supported"
    with pytest.raises(InputError) as err:
        write_sheets("project_key", ["P1"], ["E/1", "E02", "E02"], tmp_path)
    assert [p.code for p in err.value.problems] == ["bad_expert_id", "duplicate_expert"]
    assert err.value.problems[0].location == "experts:2:expert_id"
    with pytest.raises(InputError, match="bad_unit_id"):
        write_sheets("project_key", ["P:1"], ["E01"], tmp_path)
    with pytest.raises(ValueError, match="`lang`"):
        write_sheets("project_key", ["P1"], ["E01"], tmp_path, lang="fr")
    with pytest.raises(ValueError, match="`decimals`"):
        write_sheets("project_key", ["P1"], ["E01"], tmp_path, decimals=-1)
    assert not list(tmp_path.glob("*.xlsx"))


def test_read_experts_from_a_chinese_csv(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text("专家编码,专家姓名\nE01,张三\nE02,\n", encoding="utf-8")
    got = read_experts(path)
    assert got.to_dict("list") == {"expert_id": ["E01", "E02"], "name": ["张三", "E02"]}


# ---------------------------------------------------------------------------------------------------------------
# every problem, located
# ---------------------------------------------------------------------------------------------------------------
def test_every_sheet_problem_is_caught_at_its_cell(filled, tmp_path):
    directory, _ = filled
    fw = pe.load_framework("project_key")
    layout = sheet_layout(fw)
    rows = {code: row for code, row, _, _ in layout.rows}
    wb = load_workbook(directory / "E01.xlsx")
    ws = wb["0010001"]
    ws[f"F{rows['decision.approval.basis']}"] = 3.5                 # above its 3 points
    ws[f"F{rows['decision.approval.procedure']}"] = -1              # negative
    ws[f"F{rows['decision.targets.reasonable']}"] = "好"             # text
    ws[f"F{rows['decision.targets.clarity']}"] = "2.5"              # a number typed as text
    ws[f"F{rows['decision.funding.budget']}"] = None                # empty
    ws[f"F{rows['decision.funding.allocation']}"] = "=1+1"          # a formula
    ws[f"F{rows['process.funds.in_place']}"] = 1.234                # more than 2 decimals
    wb["0020002"]["C8"] = "改过的名称"                                  # a node renamed
    copy = wb.copy_worksheet(wb["0030004"])                          # a sheet duplicated inside the workbook
    copy.title = "0030004 (2)"
    wb.save(directory / "E01.xlsx")
    # a sheet from another expert: E03's sheet id in E02's workbook
    wb = load_workbook(directory / "E02.xlsx")
    wb["0010001"]["H1"] = wb["0010001"]["H1"].value.replace("expert=E02", "expert=E03")
    wb["0020002"].insert_rows(10)                                   # a row inserted
    wb.save(directory / "E02.xlsx")
    wb = load_workbook(directory / "E03.xlsx")
    wb["0010001"][f"D{rows['process.funds.execution']}"] = 5        # points edited
    wb.save(directory / "E03.xlsx")
    # a workbook issued on another version of the framework
    other = tmp_path / "old"
    write_sheets(dataclasses.replace(fw, version="2019.1"), UNITS, {"E04": "赵专家"}, other)
    shutil.copyfile(other / "E04.xlsx", directory / "E04.xlsx")
    # a stray workbook
    pd.DataFrame({"a": [1]}).to_excel(directory / "notes.xlsx", index=False)
    found = problems_of(directory, framework="project_key")
    f1 = f"{directory / 'E01.xlsx'}:0010001!F"
    assert found["score_above_points"] == [f"{f1}{rows['decision.approval.basis']}"]
    assert found["score_out_of_range"] == [f"{f1}{rows['decision.approval.procedure']}"]
    assert found["not_numeric"] == [f"{f1}{rows['decision.targets.reasonable']}"]
    assert found["score_as_text"] == [f"{f1}{rows['decision.targets.clarity']}"]
    assert found["empty_score"] == [f"{f1}{rows['decision.funding.budget']}"]
    assert found["formula_in_score"] == [f"{f1}{rows['decision.funding.allocation']}"]
    assert found["too_many_decimals"] == [f"{f1}{rows['process.funds.in_place']}"]
    assert sorted(found["edited_structure"]) == sorted([
        f"{directory / 'E03.xlsx'}:0010001!D{rows['process.funds.execution']}",
        f"{directory / 'E01.xlsx'}:0020002!C8",
        f"{directory / 'E02.xlsx'}:0020002!H10"])
    assert found["duplicate_sheet"] == [f"{directory / 'E01.xlsx'}:0030004 (2)"]
    assert found["wrong_expert"] == [f"{directory / 'E02.xlsx'}:0010001!H1"]
    assert sorted(found["wrong_framework_version"]) == [f"{directory / 'E04.xlsx'}:{u}!H1" for u in UNITS["unit_id"]]
    assert found["not_a_score_sheet"] == [str(directory / "notes.xlsx")]
    assert set(found) <= set(PROBLEM_CODES)


def test_wrong_framework_and_renamed_workbook(filled, tmp_path):
    directory, _ = filled
    (directory / "E03.xlsx").rename(directory / "E09.xlsx")
    found = problems_of(directory, framework="project_key", experts=list(EXPERTS))
    assert found["wrong_expert"] == [f"{directory / 'E09.xlsx'}:{META_SHEET}!B2"]
    assert "missing_workbook" not in found      # E03's workbook is there, under the wrong name
    found = problems_of(directory, framework="exante")
    assert len(found["wrong_framework"]) == 4 * 3


def test_a_copied_workbook_is_a_set_of_duplicated_sheets(filled):
    directory, _ = filled
    shutil.copyfile(directory / "E02.xlsx", directory / "E02-copy.xlsx")
    found = problems_of(directory)
    assert sorted(found["duplicate_sheet"]) == sorted(f"{directory / 'E02.xlsx'}:{u}" for u in UNITS["unit_id"])
    assert found["wrong_expert"] == [f"{directory / 'E02.xlsx'}:{META_SHEET}!B2"] or \
        found["wrong_expert"] == [f"{directory / 'E02-copy.xlsx'}:{META_SHEET}!B2"]


def test_allow_missing_keeps_going_and_lists_what_is_missing(filled):
    directory, scores = filled
    wb = load_workbook(directory / "E01.xlsx")
    del wb["0020002"]
    layout = sheet_layout("project_key")
    leaf_row = next(r for _, r, _, leaf in layout.rows if leaf)
    wb["0010001"].cell(leaf_row, layout.score_col).value = None
    wb.save(directory / "E01.xlsx")
    (directory / "E04.xlsx").unlink()
    found = problems_of(directory, experts=list(EXPERTS))
    assert set(found) == {"missing_sheet", "empty_score", "missing_workbook"}
    got = collect_sheets(directory, experts=list(EXPERTS), allow_missing=True)
    assert {p.severity for p in got.problems} == {"warning"}
    assert got.missing["what"].tolist() == ["empty_score", "missing_sheet", "missing_workbook"]
    assert got.missing.iloc[1][["rater_id", "unit_id"]].tolist() == ["E01", "0020002"]
    assert got.ratings["score"].isna().sum() == 1
    assert len(got.ratings) == 3 * 3 * 20 - 20          # E04 absent, E01's 0020002 absent
    with pytest.warns(pe.DataQualityWarning, match="21 unit-node cell"):   # 20 cells of 0020002 + 1 empty
        res = aggregate(got.ratings, framework="project_key")  # the collected table feeds aggregate unchanged
    assert len(res.totals) == 3


def test_a_damaged_workbook_is_reported_with_the_others(filled):
    directory, _ = filled
    (directory / "E05.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (directory / "~$E01.xlsx").write_bytes(b"Excel's lock file")              # skipped
    found = problems_of(directory)
    assert found == {"unreadable_file": [str(directory / "E05.xlsx")]}


def test_collect_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InputError, match="not_a_directory"):
        collect_sheets(tmp_path / "nowhere")
    with pytest.raises(InputError, match="no .xlsx workbook"):
        collect_sheets(tmp_path)


# ---------------------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------------------
def test_cli_sheets_then_collect(tmp_path, sample_dir, capsys):
    experts = tmp_path / "experts.csv"
    experts.write_text("expert_id,name\nE01,张专家\nE02,李专家\nE03,王专家\n", encoding="utf-8")
    out = tmp_path / "sheets"
    assert main(["panel", "sheets", "--units", str(sample_dir / "units.csv"), "--category", "key",
                 "--experts", str(experts), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["E01.xlsx", "E02.xlsx", "E03.xlsx"]
    data = pe.load_sample()
    n_key = int(data.units["category"].fillna("").str.split(";").map(lambda w: "key" in w).sum())
    assert len(load_workbook(out / "E01.xlsx").sheetnames) == n_key + 1
    capsys.readouterr()
    assert main(["panel", "sheets", "--units", str(sample_dir / "units.csv"), "--category", "key",
                 "--experts", str(experts), "--out", str(out)]) == 1              # filled sheets are not replaced
    assert f"{out / 'E01.xlsx'}: file_exists" in capsys.readouterr().err
    assert main(["panel", "sheets", "--units", str(sample_dir / "units.csv"), "--category", "key",
                 "--experts", str(experts), "--out", str(out), "--overwrite"]) == 0
    assert main(["panel", "collect", str(out), "--out", str(tmp_path / "r.csv")]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'E01.xlsx'}:" in err and "!F8: empty_score: the score of node 'decision.approval.basis'" in err
    assert main(["panel", "collect", str(out), "--out", str(tmp_path / "r.csv"), "--allow-missing", "--lang",
                 "en"]) == 0
    ratings = pd.read_csv(tmp_path / "r.csv", dtype={"unit_id": str})
    assert ratings.columns.tolist() == ["unit_id", "node_code", "rater_id", "score", "comment"]
    assert len(ratings) == 3 * n_key * 20 and ratings["score"].isna().all()


# ---------------------------------------------------------------------------------------------------------------
# the sample province ships filled sheets
# ---------------------------------------------------------------------------------------------------------------
def test_sample_sheets_are_reproduced_byte_for_byte_and_collect_to_panel_csv(sample_dir):
    from perfeval.datasets._sheets import SHEETS_DIR, sample_sheets

    data = pe.load_sample()
    generated = sample_sheets(pe.synthesize(seed=2019))       # what SampleData.write writes into sheets/
    folder = sample_dir / SHEETS_DIR
    assert sorted(p.name for p in folder.glob("*.xlsx")) == sorted(generated)
    for name, content in generated.items():
        assert (folder / name).read_bytes() == content, name
    got = collect_sheets(folder, framework="project_key", experts=sorted(data.panel["rater_id"].unique()))
    key = ["unit_id", "node_code", "rater_id"]
    merged = data.panel.merge(got.ratings, on=key, how="outer", suffixes=("_csv", "_xlsx"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["score_csv"] == merged["score_xlsx"]).all()
