"""Tests of the standard self-evaluation form (项目支出绩效自评表): the shipped template, reading, writing."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from perfeval import columns as C
from perfeval.errors import DataQualityWarning, InputError
from perfeval.io import (SelfEvalForm, blank_form_path, build_blank_form, is_selfeval_form, read_observations,
                         read_selfeval_form, write_selfeval_form)

CANONICAL = [C.UNIT_ID, C.L1, C.L2, C.INDICATOR, C.INDICATOR_CODE, C.OP, C.TARGET, C.ACTUAL, C.UNIT, C.POINTS,
             C.LEVEL, C.SCORE, C.APPLICABLE, C.NOTE]


def _layout(path: Path) -> dict:
    """What a user sees of a workbook: values, merged ranges, column widths, row heights, bold cells."""
    ws = load_workbook(path).worksheets[0]
    return {
        "title": ws.title,
        "values": {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.width},
        "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
        "bold": sorted(c.coordinate for row in ws.iter_rows() for c in row if c.font and c.font.b),
    }


def _published_form(path: Path, *, variant: bool = False) -> Path:
    """A form laid out like the published ones: title with the year, inline label, merged cells down, percent
    formats, a spacer row inside the indicator block, a placeholder row, total and grade on one line, notes.

    The variant (Sichuan-like) has 指标性质 / 度量单位 columns, 权重 for 分值, 调整后预算数 and no 项目编码.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "2023年度项目支出绩效自评表"
    ws.merge_cells("A1:K1")
    ws["A3"] = "项目名称：乡村道路养护"
    ws.merge_cells("A3:E3")
    if not variant:
        ws["F3"], ws["G3"] = "项目编码", "0012"
    ws["A4"], ws["B4"], ws["F4"], ws["G4"] = "主管部门", "县交通运输局", "实施单位", "县公路中心"
    ws["A5"] = "项目资金（万元）"
    ws.merge_cells("A5:A9")
    heads = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    if variant:
        heads[1] = "调整后预算数"
        heads.insert(1, "全年预算数")
    for col, head in zip("DEFGHIJ", heads):
        ws[f"{col}5"] = head
    funds = [("年度资金总额", [100, 120, 118, 10, 118 / 120, 9.83]),
             ("其中：当年财政拨款", [100, 110, 108, "—", None, "—"]),
             ("上年结转资金", [None, 10, 10, "—", None, "—"]),
             ("其他资金", ["—", "—", "—", "—", None, "—"])]
    for r, (label, values) in zip(range(6, 10), funds):
        ws[f"B{r}"] = label
        ws.merge_cells(f"B{r}:C{r}")
        if variant:
            values = values[:2] + [values[1]] + values[2:]
        for col, value in zip("DEFGHIJ", values):
            ws[f"{col}{r}"] = value
    rate_col = "I" if variant else "H"
    ws[f"{rate_col}6"].number_format = "0.00%"
    ws["A10"], ws["B10"], ws["F10"] = "年度总体目标", "预期目标", "实际完成情况"
    ws["B11"], ws["F11"] = "养护农村公路120公里", "养护125公里，桥梁检查30座"
    ws.merge_cells("A10:A11")
    ws.merge_cells("B11:E11")
    # row 12: blank spacer before the indicator block
    if variant:
        head = ["绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "实际完成值",
                "得分", "偏差原因分析及改进措施"]
    else:
        head = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                "偏差原因分析及改进措施"]
    for c, text in enumerate(head, start=1):
        ws.cell(13, c, text)
    if not variant:
        ws.merge_cells("I13:J13")
        rows = [
            (14, "产出指标", "数量指标", "养护里程", "≥120公里", "125公里", 20, 20, None),
            (15, None, None, "桥梁检查", "≥30座", "30座", 10, 10, None),
            (16, None, "质量指标", "路况优良率", "≥90%", 0.92, 10, 10, None),
            (17, None, "时效指标", "完成时间", "2023年12月底前", "按时完成", 10, 10, None),
            (19, "效益指标", "社会效益指标", "通行条件", "有效改善", "达成年度指标", 20, 18, "部分路段待改善"),
            (20, None, None, "安全事故", "≤2起", "0起", 10, 10, None),
            (21, "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10, 9, None),
        ]
        for r, l1, l2, ind, target, actual, pts, score, note in rows:
            for col, value in zip("BCDEFGHI", (l1, l2, ind, target, actual, pts, score, note)):
                if value is not None:
                    ws[f"{col}{r}"] = value
        ws["F16"].number_format = "0%"
        for rng in ("A13:A22", "B14:B17", "C14:C15", "B19:B20", "C19:C20"):
            ws.merge_cells(rng)
        ws["D22"] = "……"  # placeholder row left in the form
        ws["A23"], ws["G23"], ws["H23"], ws["I23"] = "总分", 100, 96.83, "自评等级：优"
        ws.merge_cells("A23:F23")
    else:
        rows = [
            (14, "产出指标", "数量指标", "培训人次", "≥", 1000, "人次", 40, 1050, 40),
            (15, None, "质量指标", "合格率", "≥", 95, "%", 20, 96, 20),
            (16, "效益指标", "社会效益指标", "就业带动", "定性", "明显", None, 20, "部分达成年度指标并具有一定效果", 14),
            (17, "满意度指标", "服务对象满意度指标", "满意度", "≥", 90, "%", 10, 93, 10),
        ]
        for r, *values in rows:
            for col, value in zip("BCDEFGHIJ", values):
                if value is not None:
                    ws[f"{col}{r}"] = value
        ws.merge_cells("B14:B15")
        ws["A19"], ws["I19"], ws["J19"] = "总分", 100, 93.5
        ws["A20"], ws["B20"] = "自评等级", "优"
    last = ws.max_row + 2
    ws[f"A{last}"] = "填表说明：1. 定性指标的实际完成值填写达成情况。2. 分值合计100分。"
    ws.merge_cells(f"A{last}:J{last}")
    ws[f"A{last + 1}"] = "注：本表金额单位为万元。"
    wb.save(path)
    return path


# --- the shipped template ----------------------------------------------------------------------------------------

def test_committed_template_equals_a_fresh_build(tmp_path):
    fresh = build_blank_form(tmp_path / "fresh.xlsx")
    assert blank_form_path().is_file()
    assert _layout(blank_form_path()) == _layout(fresh)


def test_blank_template_reads_as_an_empty_form():
    with pytest.warns(DataQualityWarning, match="funds block has no 全年预算数 or 全年执行数"):
        form = read_selfeval_form(blank_form_path())
    assert form.observations.empty and list(form.observations.columns[:14]) == CANONICAL
    assert form.claimed_total is None and form.claimed_grade is None
    assert form.funds["line"].tolist() == ["total", "appropriation", "carryover", "other"]
    assert form.funds["points"].iloc[0] == 10.0 and np.isnan(form.funds["points"].iloc[1:]).all()
    assert is_selfeval_form(blank_form_path())


# --- reading published forms -------------------------------------------------------------------------------------

def test_published_form_with_merged_cells_spacers_and_notes(tmp_path):
    path = _published_form(tmp_path / "乡村道路.xlsx")
    form = read_selfeval_form(path)
    assert isinstance(form, SelfEvalForm)
    assert dict(form.unit) == {"unit_id": "0012", "name": "乡村道路养护", "department": "县交通运输局",
                               "implementing_unit": "县公路中心", "year": 2023}
    obs = form.observations
    assert list(obs.columns) == [*CANONICAL, "source_file", "source_row"]
    assert obs[C.L1].tolist() == ["产出指标"] * 4 + ["效益指标"] * 2 + ["满意度指标"]
    assert obs[C.L2].tolist() == ["数量指标", "数量指标", "质量指标", "时效指标", "社会效益指标", "社会效益指标",
                                  "服务对象满意度指标"]
    assert obs[C.INDICATOR].tolist() == ["养护里程", "桥梁检查", "路况优良率", "完成时间", "通行条件", "安全事故",
                                         "群众满意度"]
    assert obs[C.ACTUAL].tolist()[2] == "92%"  # a percent-formatted number reads as shown
    assert obs[C.POINTS].sum() == 90.0
    assert obs[C.SCORE].tolist() == [20.0, 10.0, 10.0, 10.0, 18.0, 10.0, 9.0]
    assert obs[C.LEVEL].tolist()[4] == "met" and obs[C.LEVEL].isna().sum() == 6
    assert obs[C.NOTE].tolist()[4] == "部分路段待改善"
    assert obs["source_row"].tolist() == [14, 15, 16, 17, 19, 20, 21]
    assert (obs[C.UNIT_ID] == "0012").all() and obs[C.APPLICABLE].all()
    assert form.claimed_total == 96.83 and form.claimed_grade == "优"
    assert dict(form.goals) == {"expected": "养护农村公路120公里", "actual": "养护125公里，桥梁检查30座"}
    budget = form.budget
    assert budget[[C.UNIT_ID, C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.EXECUTED, C.SCORE, C.CLAIMED_TOTAL]].values \
        .tolist() == [["0012", 100.0, 120.0, 118.0, 9.83, 96.83]]
    assert budget["source_row"].tolist() == [6]
    funds = form.funds.set_index("line")
    assert funds.loc["appropriation", C.EXECUTED] == 108.0 and np.isnan(funds.loc["other", C.BUDGET_INITIAL])
    assert funds.loc["total", "execution_rate"] == "98.33333333333333%"  # as stored in the percent cell, unrounded
    assert funds.loc["appropriation", "label"] == "其中：当年财政拨款"


def test_variant_with_operator_and_unit_columns(tmp_path):
    path = _published_form(tmp_path / "川-培训项目.xlsx", variant=True)
    form = read_selfeval_form(path)
    assert form.unit["unit_id"] == "川-培训项目"  # no 项目编码: the file name
    obs = form.observations
    assert obs[C.OP].tolist() == [">=", ">=", "qualitative", ">="]
    assert obs[C.TARGET].tolist() == ["1000", "95", "明显", "90"]
    assert obs[C.UNIT].tolist()[:2] == ["人次", "%"] and pd.isna(obs[C.UNIT].iloc[2])
    assert obs[C.POINTS].tolist() == [40.0, 20.0, 20.0, 10.0]
    assert obs[C.L1].tolist() == ["产出指标", "产出指标", "效益指标", "满意度指标"]
    assert obs[C.LEVEL].tolist()[2] == "partly"
    assert form.budget[[C.BUDGET_FULL_YEAR, C.BUDGET_ADJUSTED, C.EXECUTED]].values.tolist() == [[120.0, 120.0, 118.0]]
    assert form.claimed_total == 93.5 and form.claimed_grade == "优"


def test_form_on_a_later_sheet_and_via_read_observations(tmp_path):
    path = _published_form(tmp_path / "f.xlsx")
    wb = load_workbook(path)
    wb.create_sheet("说明", 0)["A1"] = "本工作簿第二页为自评表"
    wb.save(path)
    assert read_selfeval_form(path).observations.shape[0] == 7
    pd.testing.assert_frame_equal(read_observations(path), read_selfeval_form(path).observations)


def test_form_problems_are_located(tmp_path):
    path = _published_form(tmp_path / "bad.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws["G15"] = -10
    ws["E6"] = "约120"
    ws["H23"] = "九十六"
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_selfeval_form(path)
    got = sorted((p.code, p.location) for p in err.value.problems)
    assert got == [("negative_value", f"{path}:15:分值"), ("not_numeric", f"{path}:23:得分"),
                   ("not_numeric", f"{path}:6:全年预算数")]
    with pytest.raises(InputError, match=r"not_numeric: 全年预算数 in row 6 must be a number; got '约120'"):
        read_selfeval_form(path)


def test_form_without_indicator_block_is_no_header(tmp_path):
    wb = Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "项目支出绩效自评表"
    wb.active["A3"] = "项目名称"
    wb.save(tmp_path / "cover.xlsx")
    with pytest.raises(InputError, match=r"no_header: no indicator block header .* on sheet '封面' of ") as err:
        read_selfeval_form(tmp_path / "cover.xlsx")
    assert err.value.problems[0].location == str(tmp_path / "cover.xlsx")
    assert not is_selfeval_form(tmp_path / "cover.xlsx")


def test_form_file_problems(tmp_path):
    with pytest.raises(InputError, match="file_not_found") as err:
        read_selfeval_form(tmp_path / "none.xlsx")
    assert err.value.problems[0].location == str(tmp_path / "none.xlsx")
    csv = tmp_path / "form.csv"
    csv.write_text("a", encoding="utf-8")
    with pytest.raises(InputError, match=r"unsupported_format: self-evaluation form file must be \.xlsm/\.xlsx"):
        read_selfeval_form(csv)
    path = _published_form(tmp_path / "f.xlsx")
    with pytest.raises(InputError, match=r"no_sheet: no sheet 'x'; the workbook has 自评表"):
        read_selfeval_form(path, sheet="x")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 but not a workbook")
    with pytest.raises(InputError, match="unreadable_file"):
        read_selfeval_form(broken)


def test_form_missing_points_column(tmp_path):
    path = _published_form(tmp_path / "f.xlsx")
    wb = load_workbook(path)
    wb.worksheets[0]["G13"] = "备用"
    wb.save(path)
    with pytest.raises(InputError, match=r"missing_column: the indicator block has no points column; accepted "
                                         r"headers: points \(分值, 权重") as err:
        read_selfeval_form(path)
    assert err.value.problems[0].location == f"{path}:13:points"


def test_reading_a_form_leaves_it_unchanged(tmp_path):
    path = _published_form(tmp_path / "f.xlsx")
    before = path.read_bytes(), os.stat(path).st_mtime_ns
    read_selfeval_form(path)
    ws_path = path.with_name("bad.xlsx")
    wb = load_workbook(path)
    wb.worksheets[0]["G15"] = "x"
    wb.save(ws_path)
    bad_before = ws_path.read_bytes(), os.stat(ws_path).st_mtime_ns
    with pytest.raises(InputError, match="not_numeric"):
        read_selfeval_form(ws_path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert (ws_path.read_bytes(), os.stat(ws_path).st_mtime_ns) == bad_before


# --- writing -----------------------------------------------------------------------------------------------------

def _observations(n: int, unit_id: str = "P01") -> pd.DataFrame:
    l1s = ["产出指标"] * (n - n // 3) + ["效益指标"] * (n // 3)
    return pd.DataFrame({
        C.UNIT_ID: unit_id, C.L1: l1s, C.L2: [("数量指标" if i % 2 else "质量指标") if l1 == "产出指标" else "社会效益指标"
                                             for i, l1 in enumerate(l1s)],
        C.INDICATOR: [f"指标{i + 1}" for i in range(n)], C.TARGET: [f"≥{90 + i}%" for i in range(n)],
        C.ACTUAL: [f"{95 + i}%" for i in range(n)], C.POINTS: 90.0 / n, C.SCORE: 90.0 / n,
        C.NOTE: [None] * (n - 1) + ["说明"],
    })


@pytest.mark.parametrize("n", [1, 9, 23])
def test_write_then_read_gives_the_same_data(tmp_path, n):
    obs = read_observations(_csv_of(_observations(n), tmp_path / "indicators.csv"))
    budget = pd.DataFrame({C.UNIT_ID: ["P01"], C.BUDGET_INITIAL: [50.0], C.BUDGET_FULL_YEAR: [60.0],
                           C.EXECUTED: [57.0], C.SCORE: [9.5], C.CLAIMED_TOTAL: [95.5]})
    unit = {"unit_id": "P01", "name": "某项目", "department": "某局", "implementing_unit": "某中心", "year": 2024}
    path = write_selfeval_form(tmp_path / "out.xlsx", unit=unit, observations=obs, budget=budget,
                               claimed_grade="优", goals={"expected": "目标", "actual": "完成"})
    form = read_selfeval_form(path)
    pd.testing.assert_frame_equal(form.observations[CANONICAL], obs[CANONICAL])
    assert dict(form.unit) == unit
    assert form.claimed_total == 95.5 and form.claimed_grade == "优"
    assert dict(form.goals) == {"expected": "目标", "actual": "完成"}
    cols = [C.UNIT_ID, C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.EXECUTED, C.SCORE, C.CLAIMED_TOTAL]
    pd.testing.assert_frame_equal(form.budget[cols], budget[cols])
    ws = load_workbook(path).worksheets[0]
    assert ws.cell(13 + n, 1).value == "总分" and ws.cell(14 + n, 1).value == "自评等级"
    assert str(ws.cell(16 + n, 1).value).startswith("填表说明")
    merged = {str(r) for r in ws.merged_cells.ranges}
    # the notes span A-J (J: 是否适用, issue 14)
    assert f"A{13 + n}:F{13 + n}" in merged and f"A12:A{12 + n}" in merged and f"A{16 + n}:J{16 + n}" in merged
    producing = (obs[C.L1] == "产出指标").sum()
    if producing > 1:
        assert f"B13:B{12 + producing}" in merged
    assert ws.cell(6, 8).value == pytest.approx(57.0 / 60.0) and ws.cell(6, 8).number_format == "0.00%"


def _csv_of(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="gb18030")
    return path


def test_round_trip_of_columns_the_standard_form_lacks(tmp_path):
    obs = read_observations(_csv_of(_observations(4).assign(
        op=[">=", "<=", "=", "qualitative"], unit=["%", None, "个", None], level=[None, None, None, "partly"],
        applicable=[True, False, True, True], indicator_code=["A1", None, None, None]), tmp_path / "i.csv"))
    path = write_selfeval_form(tmp_path / "out.xlsx", unit={"unit_id": "P01"}, observations=obs)
    ws = load_workbook(path).worksheets[0]
    # 是否适用 is a column of the shipped template (J, issue 14); the others are added right of it
    assert [ws.cell(12, c).value for c in range(10, 15)] == ["是否适用", "指标性质", "计量单位", "完成等级", "指标编码"]
    assert [ws.cell(r, 10).value for r in range(13, 17)] == ["是", "否", "是", "是"]
    with pytest.warns(DataQualityWarning):
        back = read_selfeval_form(path).observations
    pd.testing.assert_frame_equal(back[CANONICAL], obs[CANONICAL])


def test_level_given_as_the_actual_phrase_needs_no_extra_column(tmp_path):
    obs = _observations(2).assign(actual=["达成年度指标", "98%"])
    obs = read_observations(_csv_of(obs, tmp_path / "i.csv"))
    assert obs[C.LEVEL].tolist()[0] == "met"
    path = write_selfeval_form(tmp_path / "out.xlsx", unit={}, observations=obs)
    header = [load_workbook(path).worksheets[0].cell(12, c).value for c in (10, 11)]
    assert header == ["是否适用", None]  # the template's 是否适用, no 完成等级 added
    with pytest.warns(DataQualityWarning):
        assert read_selfeval_form(path).observations[C.LEVEL].tolist()[0] == "met"


def test_write_argument_errors(tmp_path):
    obs = _observations(2)
    with pytest.raises(ValueError, match=r"`unit` keys must be among unit_id, name, .*; got 项目名称"):
        write_selfeval_form(tmp_path / "a.xlsx", unit={"项目名称": "x"}, observations=obs)
    with pytest.raises(ValueError, match=r"`observations` must be a DataFrame with an `indicator` column"):
        write_selfeval_form(tmp_path / "a.xlsx", unit={}, observations=obs.drop(columns=C.INDICATOR))
    with pytest.raises(ValueError, match=r"`observations` must have at least one row"):
        write_selfeval_form(tmp_path / "a.xlsx", unit={}, observations=obs.iloc[:0])
    with pytest.raises(ValueError, match=r"`observations` must hold one unit; got 2 \(P01, P02\)"):
        write_selfeval_form(tmp_path / "a.xlsx", unit={}, observations=pd.concat([obs, _observations(2, "P02")]))
    budget = pd.DataFrame({C.UNIT_ID: ["X", "Y"], C.BUDGET_FULL_YEAR: [1.0, 2.0], C.EXECUTED: [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"`budget` must have exactly one row for unit 'P01'; got 0"):
        write_selfeval_form(tmp_path / "a.xlsx", unit={"unit_id": "P01"}, observations=obs, budget=budget)
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    with pytest.raises(ValueError, match=r"`template` must be a self-evaluation form with an indicator block"):
        write_selfeval_form(tmp_path / "a.xlsx", unit={}, observations=obs, template=plain)
    assert not (tmp_path / "a.xlsx").exists()


def test_write_into_a_variant_template(tmp_path):
    template = _published_form(tmp_path / "variant.xlsx", variant=True)
    obs = _observations(3).assign(op=[">=", ">=", "qualitative"], unit=["%", "%", None])
    path = write_selfeval_form(tmp_path / "filled.xlsx", unit={"name": "新项目", "year": 2025}, observations=obs,
                               template=template)
    form = read_selfeval_form(path)
    assert form.unit["year"] == 2025 and load_workbook(path).worksheets[0]["A1"].value == "2025年度项目支出绩效自评表"
    assert form.unit["name"] == "新项目" and form.observations[C.OP].tolist() == [">=", ">=", "qualitative"]
    assert form.observations[C.INDICATOR].tolist() == ["指标1", "指标2", "指标3"]


def test_extra_columns_go_right_of_a_merged_note_header(tmp_path):
    """The published form merges 偏差原因分析及改进措施 over I:J; added columns start after the merge."""
    template = _published_form(tmp_path / "published.xlsx")
    obs = _observations(2).assign(op=["<=", "qualitative"], level=[None, "not_met"])
    path = write_selfeval_form(tmp_path / "filled.xlsx", unit={"unit_id": "X1"}, observations=obs,
                               template=template)
    ws = load_workbook(path).worksheets[0]
    assert [ws.cell(13, c).value for c in (11, 12)] == ["指标性质", "完成等级"]
    form = read_selfeval_form(path)
    assert form.observations[C.OP].tolist() == ["<=", "qualitative"]
    assert form.observations[C.LEVEL].tolist()[1] == "not_met" and form.unit["unit_id"] == "X1"
    assert form.observations["source_row"].tolist() == [14, 15]
    assert form.claimed_total == 96.83  # the template's own total row moved up, kept


def test_targets_beginning_with_equals_stay_text(tmp_path):
    """``=0`` is a target (equality with zero), not an Excel formula; blank text writes an empty cell."""
    obs = _observations(2).assign(target=["=0", "＝0"], note=["", "说明"])
    path = write_selfeval_form(tmp_path / "eq.xlsx", unit={}, observations=obs)
    assert load_workbook(path).worksheets[0]["E13"].data_type == "s"
    with pytest.warns(DataQualityWarning):
        back = read_selfeval_form(path).observations
    assert back[C.TARGET].tolist() == ["=0", "＝0"]
    assert pd.isna(back[C.NOTE].iloc[0]) and back[C.NOTE].iloc[1] == "说明"
