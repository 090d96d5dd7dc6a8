"""Tests of perfeval.io's table readers and writer: encodings, headers, located problems, contracts."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

import perfeval as pe
from perfeval import columns as C
from perfeval.errors import DataQualityWarning, InputError
from perfeval.io import read_budget, read_observations, read_table, write_selfeval_form, write_table

DATA = Path(__file__).resolve().parent / "data" / "io"

HEADERS_ZH = ["项目编码", "一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "实际完成值", "计量单位", "分值",
              "完成等级", "得分", "是否适用", "偏差原因分析及改进措施", "备注说明"]
ROWS = [
    ["001", "产出指标", "数量指标", "培训人次", "≥", "1000", "1200", "人次", "20", "", "20", "是", "", "甲"],
    ["001", "产出指标", "质量指标", "合格率", "", "≥95%", "98%", "", "1,0.5", "", "10", "", "", ""],
    ["001", "效益指标", "社会效益指标", "带动就业", "定性", "有效提升", "达成年度指标", "", "30", "", "27", "是", "无", ""],
    ["001", "满意度指标", "服务对象满意度指标", "满意度", "", "≥90%", "92%", "", "１０", "", "9", "否", "", ""],
    ["0020", "产出指标", "时效指标", "完成时间", "", "≤12个月", "11个月", "", "20", "", "", "", "", ""],
    ["0020", "效益指标", "社会效益指标", "影响", "定性", "有效提升", "见成效", "", "30", "部分达成", "21", "", "", ""],
]
ROWS[1][8] = "10.5"  # a decimal; thousands separators are tested separately


def _csv(path: Path, headers, rows, encoding: str) -> Path:
    lines = [",".join(headers)] + [",".join(f'"{c}"' if "," in c else c for c in r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _xlsx(path: Path, headers, rows, title_rows=()) -> Path:
    wb = Workbook()
    ws = wb.active
    for t in title_rows:
        ws.append(t)
    ws.append(headers)
    for r in rows:
        ws.append([c if c != "" else None for c in r])
    wb.save(path)
    return path


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), os.stat(path).st_mtime_ns


def _problem(err: pytest.ExceptionInfo, code: str):
    found = [p for p in err.value.problems if p.code == code]
    assert found, f"no {code} problem in {[str(p) for p in err.value.problems]}"
    return found[0]


# --- encodings and formats ---------------------------------------------------------------------------------------

def test_gb18030_bom_utf8_and_xlsx_read_to_equal_frames(tmp_path):
    gb = _csv(tmp_path / "gb.csv", HEADERS_ZH, ROWS, "gb18030")
    bom = _csv(tmp_path / "bom.csv", HEADERS_ZH, ROWS, "utf-8-sig")
    utf8 = _csv(tmp_path / "utf8.csv", HEADERS_ZH, ROWS, "utf-8")
    xlsx = _xlsx(tmp_path / "x.xlsx", HEADERS_ZH, ROWS)
    frames = [read_observations(p).drop(columns="source_file") for p in (gb, bom, utf8, xlsx)]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)
    first = frames[0]
    assert list(first.columns[:14]) == [C.UNIT_ID, C.L1, C.L2, C.INDICATOR, C.INDICATOR_CODE, C.OP, C.TARGET,
                                        C.ACTUAL, C.UNIT, C.POINTS, C.LEVEL, C.SCORE, C.APPLICABLE, C.NOTE]
    assert list(first.columns[14:]) == ["备注说明", "source_row"]
    assert first[C.UNIT_ID].tolist() == ["001"] * 4 + ["0020"] * 2  # leading zeros kept
    assert first[C.POINTS].tolist() == [20.0, 10.5, 30.0, 10.0, 20.0, 30.0]
    assert first[C.OP].iloc[0] == ">=" and pd.isna(first[C.OP].iloc[1]) and first[C.OP].iloc[2] == "qualitative"
    assert first[C.TARGET].tolist()[:2] == ["1000", "≥95%"]  # kept as written
    assert first[C.APPLICABLE].tolist() == [True, True, True, False, True, True]
    assert first[C.LEVEL].tolist()[2] == "met"  # 达成年度指标 as the actual of a row without a level
    assert first[C.LEVEL].tolist()[5] == "partly"
    assert first["source_row"].tolist() == [2, 3, 4, 5, 6, 7]


def test_committed_gb18030_fixture_reads_like_its_utf8_twin(tmp_path):
    """tests/data/io/indicators_gb18030.csv: a GB18030 file with Chinese headers, as Excel on Chinese Windows writes."""
    path = DATA / "indicators_gb18030.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    twin = tmp_path / "indicators.csv"
    twin.write_text(path.read_bytes().decode("gb18030"), encoding="utf-8")
    a, b = read_observations(path), read_observations(twin)
    pd.testing.assert_frame_equal(a.drop(columns="source_file"), b.drop(columns="source_file"))
    assert a[C.UNIT_ID].str.startswith("0").all()


def test_xlsx_cells_read_as_the_text_excel_shows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["unit_id", "l1", "indicator", "target", "actual", "points"])
    ws.append(["007", "产出指标", "a", 0.955, 120000, 5.0])
    ws["D2"].number_format = "0.0%"
    ws.append([8, "产出指标", "b", "≥90%", 1.5, 2])
    wb.save(tmp_path / "t.xlsx")
    frame = read_observations(tmp_path / "t.xlsx")
    assert frame[C.UNIT_ID].tolist() == ["007", "8"]
    assert frame[C.TARGET].tolist() == ["95.5%", "≥90%"]
    assert frame[C.ACTUAL].tolist() == ["120000", "1.5"]
    assert frame[C.POINTS].tolist() == [5.0, 2.0]


@pytest.mark.parametrize("text, value", [
    ("1,234.5", 1234.5), ("１２", 12.0), (" 7 ", 7.0), ("95%", 95.0), ("10分", 10.0), ("-0", 0.0),
    ("1e2", 100.0), ("１２，３４５", 12345.0), ("", np.nan),
])
def test_numbers_as_users_write_them(tmp_path, text, value):
    path = tmp_path / "b.csv"
    path.write_text(f"unit_id,budget_full_year,executed\nA,\"{text}\",1\n", encoding="utf-8")
    got = read_table(path, C.BUDGET_ALIASES, numeric=[C.BUDGET_FULL_YEAR])[C.BUDGET_FULL_YEAR].iloc[0]
    assert (np.isnan(value) and np.isnan(got)) or got == value


def test_header_below_title_rows_and_blank_rows_keep_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("2023年度项目绩效指标,,,\n\n项目编码,一级指标,三级指标,年度指标值,实际完成值,分值\n"
                    "A,产出指标,x,1,1,5\n,,,,,\nB,产出指标,y,1,1,5\n\nC,产出指标,z,1,1,5\n", encoding="utf-8")
    frame = read_observations(path)
    assert frame[C.UNIT_ID].tolist() == ["A", "B", "C"]
    assert frame["source_row"].tolist() == [4, 6, 8]
    xlsx = _xlsx(tmp_path / "t.xlsx", ["项目编码", "一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
                 [["A", "产出指标", "x", "1", "1", "5"]], title_rows=[["某市2023年度绩效指标汇总"], []])
    assert read_observations(xlsx)["source_row"].tolist() == [4]


def test_tab_separated_and_extra_columns_kept(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("unit_id\tl1\tindicator\ttarget\tactual\tpoints\t负责人\t\nA\t产出指标\tx\t1\t1\t5\t张三\t\n",
                    encoding="utf-8")
    frame = read_observations(path)
    assert frame["负责人"].tolist() == ["张三"]
    assert "column_H" not in frame  # an unnamed empty column is Excel's trailing column, not data


def test_read_table_generic_with_sheet_and_booleans(tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["这一页是说明"])
    ws = wb.create_sheet("数据")
    ws.append(["单位编码", "是否新增", "年度", "项目名称"])
    ws.append(["0301", "是", 2023, "甲"])
    ws.append(["0302", "N", 2024, "乙"])
    wb.save(tmp_path / "u.xlsx")
    frame = read_table(tmp_path / "u.xlsx", C.UNITS_ALIASES, required=[C.UNIT_ID], kind="units",
                       numeric=["year"], booleans=["is_new"], sheet="数据")
    assert frame.columns.tolist() == [C.UNIT_ID, "is_new", "year", "name", "source_file", "source_row"]
    assert frame["is_new"].tolist() == [True, False]
    assert frame["year"].tolist() == [2023.0, 2024.0]
    assert read_table(tmp_path / "u.xlsx", C.UNITS_ALIASES, sheet=1)[C.UNIT_ID].tolist() == ["0301", "0302"]


# --- normalisation tables ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, op", [
    ("≥", ">="), (">=", ">="), ("≧", ">="), ("大于等于", ">="), ("不低于", ">="), ("正向", ">="), ("＞", ">="),
    ("≤", "<="), ("≦", "<="), ("小于等于", "<="), ("不超过", "<="), ("反向指标", "<="),
    ("=", "="), ("＝", "="), ("═", "="), ("等于", "="), ("定性", "qualitative"), ("Qualitative", "qualitative"),
    ("定量", None), ("", None),
])
def test_op_spellings(tmp_path, text, op):
    path = _csv(tmp_path / "o.csv", ["unit_id", "l1", "indicator", "指标性质", "target", "actual", "points"],
                [["A", "产出指标", "x", text, "1", "1", "5"]], "utf-8")
    got = read_observations(path)[C.OP].iloc[0]
    assert got == op if op is not None else pd.isna(got)


@pytest.mark.parametrize("text, level", [
    ("达成", "met"), ("达成年度指标", "met"), ("met", "met"), ("部分达成", "partly"),
    ("部分达成年度指标并具有一定效果", "partly"), ("部分达成年度指标", "partly"), ("Partly", "partly"),
    ("未达成", "not_met"), ("未达成年度指标且效果较差", "not_met"), ("not_met", "not_met"), ("未达成年度指标，效果差", "not_met"),
])
def test_level_spellings(tmp_path, text, level):
    path = _csv(tmp_path / "l.csv", ["unit_id", "l1", "indicator", "target", "actual", "points", "完成等级"],
                [["A", "产出指标", "x", "有效", "好", "5", text]], "utf-8")
    assert read_observations(path)[C.LEVEL].iloc[0] == level


@pytest.mark.parametrize("text, value", [("是", True), ("否", False), ("true", True), ("FALSE", False), ("1", True),
                                         ("0", False), ("Y", True), ("n", False), ("", True)])
def test_applicable_spellings(tmp_path, text, value):
    path = _csv(tmp_path / "a.csv", ["unit_id", "l1", "indicator", "target", "actual", "points", "是否适用"],
                [["A", "产出指标", "x", "1", "1", "5", text]], "utf-8")
    got = read_observations(path)[C.APPLICABLE]
    assert got.dtype == bool
    assert bool(got.iloc[0]) is value


# --- every problem code, located -------------------------------------------------------------------------------

def test_file_not_found(tmp_path):
    path = tmp_path / "missing.csv"
    with pytest.raises(InputError, match="file_not_found") as err:
        read_observations(path)
    assert _problem(err, "file_not_found").location == str(path)


def test_not_a_file_and_unsupported_format(tmp_path):
    with pytest.raises(InputError, match="not_a_file") as err:
        read_table(tmp_path, C.OBSERVATION_ALIASES)
    assert _problem(err, "not_a_file").location == str(tmp_path)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"unsupported_format: .*save it from Excel as \.xlsx") as err:
        read_observations(old)
    assert _problem(err, "unsupported_format").location == str(old)


@pytest.mark.parametrize("content, row", [(b"", None), (b"  \r\n\r\n", None),
                                           ("项目编码,一级指标,三级指标,年度指标值,实际完成值,分值\r\n".encode("gb18030"), 1)])
def test_empty_file(tmp_path, content, row):
    path = tmp_path / "e.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty_file") as err:
        read_observations(path)
    assert _problem(err, "empty_file").location == (str(path) if row is None else f"{path}:{row}")


def test_missing_column_lists_accepted_headers(tmp_path):
    path = _csv(tmp_path / "m.csv", ["单位", "一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
                [["A", "产出指标", "x", "1", "1", "5"]], "utf-8")
    with pytest.raises(InputError, match=r"missing_column: .*unit_id \(项目编码, 单位编码, ") as err:
        read_observations(path)
    problem = _problem(err, "missing_column")
    assert problem.location == f"{path}:1:unit_id"
    assert "headers found: 单位, 一级指标" in problem.message


@pytest.mark.parametrize("headers", [["unit_id", "node_code", "score"], ["项目编码", "节点编码", "得分"]])
def test_score_sheet_by_node_code_needs_only_unit_id(tmp_path, headers):
    """Panel consensus and ex-ante sheets (unit_id, node_code, score): l1, indicator, target, actual and points
    are optional when node_code is present (the framework gives the leaf and its points), still located."""
    path = _csv(tmp_path / "consensus.csv", headers, [["0010001", "decision.approval.basis", "2.5"],
                                                      ["0010001", " output.quantity.completion ", "8"]], "gb18030")
    obs = read_observations(path)
    assert obs["unit_id"].tolist() == ["0010001"] * 2 and obs["score"].tolist() == [2.5, 8.0]
    assert obs["node_code"].tolist() == ["decision.approval.basis", "output.quantity.completion"]
    assert obs[[C.L1, C.INDICATOR, C.TARGET, C.ACTUAL, C.POINTS]].isna().all().all()
    assert obs["source_row"].tolist() == [2, 3] and obs["applicable"].all()
    without_unit = _csv(tmp_path / "no_unit.csv", headers[1:], [["decision.approval.basis", "2.5"]], "utf-8")
    with pytest.raises(InputError, match=r"no unit_id column") as err:
        read_observations(without_unit)
    assert [p.code for p in err.value.problems] == ["missing_column"]


def test_without_node_code_the_indicator_columns_stay_required(tmp_path):
    path = _csv(tmp_path / "sheet.csv", ["unit_id", "indicator_code", "score"], [["001", "X1", "2"]], "utf-8")
    with pytest.raises(InputError, match=r"no l1 column") as err:
        read_observations(path)
    assert sorted(p.location.rsplit(":", 1)[-1] for p in err.value.problems) == sorted(
        [C.L1, C.INDICATOR, C.TARGET, C.ACTUAL, C.POINTS])


def test_duplicate_column(tmp_path):
    path = _csv(tmp_path / "d.csv", ["项目编码", "单位编码", "一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
                [["A", "B", "产出指标", "x", "1", "1", "5"]], "utf-8")
    with pytest.raises(InputError, match=r"duplicate_column: columns '项目编码' \(A\) and '单位编码' \(B\)") as err:
        read_observations(path)
    assert _problem(err, "duplicate_column").location == f"{path}:1:单位编码"


def test_not_numeric_names_cell_and_value(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[2][8] = "三十"
    path = _csv(tmp_path / "n.csv", HEADERS_ZH, rows, "gb18030")
    with pytest.raises(InputError, match=r"not_numeric: 分值 in row 4 must be a number; got '三十'") as err:
        read_observations(path)
    assert _problem(err, "not_numeric").location == f"{path}:4:分值"


@pytest.mark.parametrize("data, row, hint", [
    ("unit_id,l1\r\nA,Caf\u00e9\r\n".encode("latin-1"), 2, "neither UTF-8"),
    ("unit_id,l1\r\nA,产出\r\n".encode("utf-16"), None, "UTF-16"),
    (b"PK\x03\x04rest-of-a-zip", None, "Excel workbook"),
    (b"unit_id,l1\nA\x00B,x\n", 2, "NUL bytes"),
    (b"\xef\xbb\xbfunit_id,l1\nA,\xff\n", 2, "BOM"),
])
def test_wrong_encoding(tmp_path, data, row, hint):
    path = tmp_path / "w.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=f"wrong_encoding: .*{hint}") as err:
        read_observations(path)
    assert _problem(err, "wrong_encoding").location == (str(path) if row is None else f"{path}:{row}")


def test_no_header_in_xlsx(tmp_path):
    path = _xlsx(tmp_path / "h.xlsx", ["甲", "乙"], [["1", "2"]])
    with pytest.raises(InputError, match=r"no_header: sheet 'Sheet' has no header row .*unit_id \(项目编码\)") as err:
        read_observations(path)
    assert _problem(err, "no_header").location == str(path)


def test_no_sheet_and_unreadable_workbook(tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", ["unit_id"], [["A"]])
    with pytest.raises(InputError, match=r"no_sheet: no sheet '其他'; the workbook has Sheet") as err:
        read_table(path, C.OBSERVATION_ALIASES, sheet="其他")
    assert _problem(err, "no_sheet").location == str(path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file at all")
    with pytest.raises(InputError, match="unreadable_file") as err:
        read_observations(broken)
    assert _problem(err, "unreadable_file").location == str(broken)


def test_malformed_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("unit_id,l1,indicator,target,actual,points\nA,产出,x,1,1,5\nB,产出,y,完成,但延迟,1,5\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"malformed_row: row has 7 fields but the header has 6") as err:
        read_observations(path)
    assert _problem(err, "malformed_row").location == f"{path}:3"


def test_unclosed_quote_is_a_malformed_row(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('unit_id,l1,indicator,target,actual,points\nA,x,y,1,1,3\nB,x,"z,1,1,3\nC,x,w,1,1,3\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"malformed_row: cannot read the CSV from here on: .*unclosed quote") as err:
        read_observations(path)
    assert _problem(err, "malformed_row").location == f"{path}:3"


def test_observation_content_problems_all_reported_at_once(tmp_path):
    headers = ["unit_id", "l1", "l2", "indicator", "op", "target", "actual", "points", "level", "score", "applicable"]
    rows = [["01", "产出指标", "数量指标", "a", "≥", "1", "1", "-2", "", "1", ""],
            ["01", "产出指标", "数量指标", "b", "大约", "1", "1", "5", "", "1", ""],
            ["01", "产出指标", "数量指标", "c", "定性", "好", "好", "5", "还行", "4", ""],
            ["01", "产出指标", "数量指标", "d", "", "1", "1", "5", "", "1", "也许"],
            ["", "产出指标", "数量指标", "e", "", "1", "1", "5", "", "1", ""],
            ["01", "产出指标", "数量指标", "a", "", "1", "1", "5", "", "1", ""]]
    path = _csv(tmp_path / "c.csv", headers, rows, "utf-8")
    with pytest.raises(InputError) as err:
        read_observations(path)
    got = {p.code: p.location for p in err.value.problems}
    assert got == {"negative_value": f"{path}:2:points", "unknown_op": f"{path}:3:op",
                   "unknown_level": f"{path}:4:level", "not_boolean": f"{path}:5:applicable",
                   "missing_value": f"{path}:6:unit_id", "duplicate_row": f"{path}:7:indicator"}
    assert "row 7 repeats row 2: unit '01', 产出指标 / 数量指标 / a" in str(err.value)
    with pytest.raises(InputError, match=r"unknown_op: op in row 3 must be ≥, ≤, =, 定性 .*got '大约'"):
        read_observations(path)


def test_many_bad_cells_are_listed_up_to_a_cap_and_counted(tmp_path):
    rows = [[f"U{i}", "产出指标", "x", "1", "1", "abc"] for i in range(120)]
    path = _csv(tmp_path / "many.csv", ["unit_id", "l1", "indicator", "target", "actual", "points"], rows, "utf-8")
    with pytest.raises(InputError, match=r"70 more not_numeric problems") as err:
        read_observations(path)
    assert len(err.value.problems) == 51
    assert err.value.problems[-1].location == f"{path}:points"


def test_budget_reader_contract_and_problems(tmp_path):
    path = _csv(tmp_path / "budget.csv", ["项目编码", "年初预算数", "全年预算数（万元）", "全年执行数", "得分", "总分"],
                [["001", "80", "1,000", "950.5", "9.5", "88"], ["002", "", "50", "45", "", ""]], "gb18030")
    frame = read_budget(path)
    assert frame.columns.tolist() == [C.UNIT_ID, C.BUDGET_INITIAL, C.BUDGET_FULL_YEAR, C.BUDGET_ADJUSTED,
                                      C.FUNDS_IN_PLACE, C.EXECUTED, C.SCORE, C.CLAIMED_TOTAL, "source_file",
                                      "source_row"]
    assert frame[C.BUDGET_FULL_YEAR].tolist() == [1000.0, 50.0]
    assert frame[C.CLAIMED_TOTAL].iloc[0] == 88.0 and np.isnan(frame[C.BUDGET_ADJUSTED]).all()
    bad = _csv(tmp_path / "bad.csv", ["项目编码", "全年预算数", "全年执行数"],
               [["001", "-1", "5"], ["002", "10", "-3"], ["001", "10", "5"], ["003", "10", ""]], "utf-8")
    with pytest.raises(InputError) as err:
        read_budget(bad)
    got = sorted((p.code, p.location) for p in err.value.problems)
    # every location names the column by its header as written (项目编码, not unit_id)
    assert got == [("duplicate_unit", f"{bad}:4:项目编码"), ("missing_value", f"{bad}:5:全年执行数"),
                   ("negative_value", f"{bad}:2:全年预算数"), ("negative_value", f"{bad}:3:全年执行数")]
    with pytest.raises(InputError, match=r"duplicate_unit: unit '001' in row 4 repeats row 2"):
        read_budget(bad)


def test_budget_over_execution_and_zero_budget_are_flagged_not_refused(tmp_path):
    path = _csv(tmp_path / "b.csv", ["unit_id", "budget_full_year", "executed"],
                [["A", "100", "120"], ["B", "0", "0"], ["C", "100", "90"]], "utf-8")
    over = r"executed above the full-year budget .*b\.csv:2 \(unit A: 120 > 100\)"
    with pytest.warns(DataQualityWarning, match=over):
        with pytest.warns(DataQualityWarning, match=r"zero full-year budget .*b\.csv:3 \(unit B\)"):
            frame = read_budget(path)
    assert frame[C.UNIT_ID].tolist() == ["A", "B", "C"]


# --- directories and forms among tables --------------------------------------------------------------------------

def _small_form(path: Path, unit_id: str, indicator: str = "培训人次") -> Path:
    obs = pd.DataFrame({C.L1: ["产出指标"], C.L2: ["数量指标"], C.INDICATOR: [indicator], C.TARGET: ["≥10人次"],
                        C.ACTUAL: ["12人次"], C.POINTS: [90.0], C.SCORE: [90.0]})
    budget = {C.BUDGET_FULL_YEAR: 10.0, C.EXECUTED: 9.0, C.SCORE: 9.0}
    return write_selfeval_form(path, unit={"unit_id": unit_id, "name": "项目"}, observations=obs, budget=budget)


def test_directory_of_tables_and_forms(tmp_path):
    _csv(tmp_path / "indicators_a.csv", HEADERS_ZH, ROWS[:2], "gb18030")
    _xlsx(tmp_path / "indicators_b.xlsx", HEADERS_ZH, ROWS[4:])
    _small_form(tmp_path / "P9.xlsx", "P9")
    _csv(tmp_path / "budget.csv", ["unit_id", "budget_full_year", "executed"], [["001", "1", "1"]], "utf-8")
    (tmp_path / "~$indicators_a.csv").write_bytes(b"\x00lock")
    frame = read_observations(tmp_path)
    assert frame[C.UNIT_ID].tolist() == ["P9", "001", "001", "0020", "0020"]  # file-name order
    assert [Path(f).name for f in frame["source_file"]] == ["P9.xlsx", "indicators_a.csv", "indicators_a.csv",
                                                            "indicators_b.xlsx", "indicators_b.xlsx"]
    assert frame["source_row"].tolist() == [13, 2, 3, 2, 3]
    budget = read_budget(tmp_path)
    assert sorted(budget[C.UNIT_ID]) == ["001", "P9"]


def test_directory_problems_across_files(tmp_path):
    _csv(tmp_path / "indicators_1.csv", HEADERS_ZH, ROWS[:1], "utf-8")
    _csv(tmp_path / "indicators_2.csv", HEADERS_ZH, ROWS[:1], "utf-8")
    bad = _csv(tmp_path / "indicators_3.csv", ["unit_id"], [["x"]], "utf-8")
    with pytest.raises(InputError) as err:
        read_observations(tmp_path)
    dup = _problem(err, "duplicate_row")
    assert dup.location == f"{tmp_path / 'indicators_2.csv'}:2:三级指标"          # the header as written
    assert f"repeats {tmp_path / 'indicators_1.csv'} row 2" in dup.message
    assert _problem(err, "missing_column").location == f"{bad}:1:l1"


def test_empty_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    with pytest.raises(InputError, match=r"no_input_files: no indicators\*\.csv") as err:
        read_observations(tmp_path)
    assert _problem(err, "no_input_files").location == str(tmp_path)
    with pytest.raises(InputError, match=r"no_input_files: no budget\*\.csv"):
        read_budget(tmp_path)


def test_single_form_through_the_table_readers(tmp_path):
    path = _small_form(tmp_path / "form.xlsx", "P1")
    obs = read_observations(path)
    assert obs[[C.UNIT_ID, C.INDICATOR, C.POINTS]].values.tolist() == [["P1", "培训人次", 90.0]]
    budget = read_budget(path)
    assert budget[[C.BUDGET_FULL_YEAR, C.EXECUTED, C.SCORE]].values.tolist() == [[10.0, 9.0, 9.0]]


# --- inputs are never modified ---------------------------------------------------------------------------------

def test_inputs_unchanged_after_reading_and_after_errors(tmp_path):
    good = _csv(tmp_path / "good.csv", HEADERS_ZH, ROWS, "gb18030")
    xlsx = _xlsx(tmp_path / "good.xlsx", HEADERS_ZH, ROWS)
    form = _small_form(tmp_path / "form.xlsx", "P1")
    rows = [r[:] for r in ROWS]
    rows[0][8] = "x"
    bad = _csv(tmp_path / "bad.csv", HEADERS_ZH, rows, "utf-8")
    before = {p: _fingerprint(p) for p in (good, xlsx, form, bad)}
    read_observations(good), read_observations(xlsx), pe.read_selfeval_form(form), read_budget(form)
    with pytest.raises(InputError, match="not_numeric"):
        read_observations(bad)
    assert {p: _fingerprint(p) for p in before} == before


# --- writing tables --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, encoding", [("o.csv", "utf-8"), ("o.csv", "gb18030"), ("o.csv", "utf-8-sig"),
                                            ("o.xlsx", "utf-8"), ("o.tsv", "utf-8")])
def test_write_table_round_trip(tmp_path, name, encoding):
    frame = pd.DataFrame({"unit_id": ["001", "002"], "总分": [91.5, 79.999], "等级": ["优", "中"],
                          "目标": ["=0", "≥95%"]})
    path = write_table(frame, tmp_path / name, encoding=encoding)
    back = read_table(path, {"unit_id": ()}, numeric=["总分"])
    pd.testing.assert_frame_equal(back.drop(columns=["source_file", "source_row"]), frame, check_dtype=False)
    if encoding == "gb18030":
        assert path.read_bytes().decode("gb18030").startswith("unit_id,总分,等级")


def test_write_table_argument_errors_and_atomicity(tmp_path):
    frame = pd.DataFrame({"名称": ["中文"]})
    with pytest.raises(ValueError, match=r"`encoding` must be a codec name .*got 'klingon'"):
        write_table(frame, tmp_path / "a.csv", encoding="klingon")
    with pytest.raises(ValueError, match=r"`path` must end in \.csv, \.txt, \.tsv or \.xlsx; got"):
        write_table(frame, tmp_path / "a.json")
    target = tmp_path / "keep.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError, match="ascii"):
        write_table(frame, target, encoding="ascii")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_public_names_resolve_to_this_module():
    import perfeval.io as pio

    for name in ("read_observations", "read_budget", "read_table", "read_selfeval_form", "write_selfeval_form",
                 "SelfEvalForm"):
        assert getattr(pe, name) is getattr(pio, name)


def test_frames_record_the_headers_as_written_for_later_locations(tmp_path):
    """Every location names the column as the file writes it: the readers record, per file, the header each
    canonical column came from (frame.attrs["headers"]), and perfeval._rows locates later problems with it; a
    file with English headers, or a frame built in code, is named canonically."""
    from perfeval._rows import header_as_written, row_locations, with_source

    zh = _csv(tmp_path / "indicators_a.csv", HEADERS_ZH, ROWS[:2], "gb18030")
    en = _csv(tmp_path / "indicators_b.csv", ["unit_id", "l1", "indicator", "target", "actual", "points"],
              [["009", "产出指标", "x", "≥1", "1", "5"]], "utf-8")
    frame = read_observations(tmp_path)
    assert header_as_written(frame, str(zh), C.TARGET) == "年度指标值"
    assert header_as_written(frame, str(en), C.TARGET) == "target"
    located = with_source(frame, "observations")
    assert row_locations(located, [0, 2], C.TARGET) == [f"{zh}:2:年度指标值", f"{en}:2:target"]
    assert row_locations(with_source(frame.drop(columns=["source_file", "source_row"]), "obs"), [0],
                         C.TARGET) == ["obs:2:target"]
    budget = read_budget(_csv(tmp_path / "b.csv", ["项目编码", "全年预算数", "全年执行数"], [["001", "1", "1"]], "utf-8"))
    assert budget.attrs["headers"][str(tmp_path / "b.csv")][C.EXECUTED] == "全年执行数"


def test_many_files_share_one_header_record(tmp_path):
    """Ten files with the same Chinese headers, one with 权重 for 分值 and one in English: one shared record (``*``)
    and only the two that differ listed, so each file's columns are still named as written."""
    from perfeval._rows import ALL_FILES, header_as_written

    for i in range(10):
        _csv(tmp_path / f"indicators_{i:02d}.csv", HEADERS_ZH, [[f"U{i}", *ROWS[0][1:]]], "utf-8")
    weight = [h if h != "分值" else "权重" for h in HEADERS_ZH]
    _csv(tmp_path / "indicators_w.csv", weight, [["W", *ROWS[0][1:]]], "utf-8")
    _csv(tmp_path / "indicators_x.csv", ["unit_id", "l1", "indicator", "target", "actual", "points"],
         [["X", "产出指标", "x", "≥1", "1", "5"]], "utf-8")
    frame = read_observations(tmp_path)
    record = frame.attrs["headers"]
    assert set(record) == {ALL_FILES, str(tmp_path / "indicators_w.csv"), str(tmp_path / "indicators_x.csv")}
    assert header_as_written(frame, str(tmp_path / "indicators_03.csv"), C.POINTS) == "分值"
    assert header_as_written(frame, str(tmp_path / "indicators_w.csv"), C.POINTS) == "权重"
    assert header_as_written(frame, str(tmp_path / "indicators_x.csv"), C.POINTS) == "points"
