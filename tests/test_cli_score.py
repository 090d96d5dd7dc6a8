"""Tests of ``perfeval score``: outputs, located errors with exit 1 and untouched inputs, flagged oddities, forms."""
from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import perfeval as pe
from perfeval.cli import main
from perfeval.errors import DataQualityWarning

HEADER = "项目编码,一级指标,二级指标,三级指标,指标性质,年度指标值,实际完成值,分值,完成等级,得分"
ROWS = [
    "001,产出指标,数量指标,培训人次,,≥1000人次,1200人次,30,,",
    "001,产出指标,质量指标,合格率,≥,95%,97%,20,,",
    "001,效益指标,社会效益指标,就业率,,≥80%,76%,20,,",
    "001,效益指标,可持续影响指标,长效机制,定性,有效提升,,10,达成,9",
    "001,满意度指标,服务对象满意度指标等,满意度,,≥90%,95%,10,,",
    "002,产出指标,数量指标,培训人次,,≥1000人次,800人次,40,,",
    "002,效益指标,社会效益指标,就业率,,≥80%,80%,40,,",
    "002,满意度指标,服务对象满意度,满意度,,≥90%,88%,10,,",
]
BUDGET = "项目编码,全年预算数,全年执行数\n001,100,95\n002,200,150\n"


def write(path: Path, text: str, encoding: str = "gb18030") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def files(tmp_path):
    data = write(tmp_path / "indicators.csv", "\n".join([HEADER, *ROWS]) + "\n")
    budget = write(tmp_path / "budget.csv", BUDGET)
    return data, budget


def run(capsys, *argv):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        code = main(["score", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_totals_to_stdout(files, capsys):
    """001: 9.5 + 30 + 20 + 20 x 0.95 + 9 + 10 = 97.5; 002: 7.5 + 40 x 0.8 + 40 + 10 x 88/90."""
    data, budget = files
    code, out, err = run(capsys, "--framework", "project_self", "--data", data, "--budget", budget)
    assert code == 0, err
    totals = pd.read_csv(io.StringIO(out), dtype={"unit_id": str})
    assert out.startswith("unit_id,total,grade,")
    assert totals["unit_id"].tolist() == ["001", "002"]
    assert totals["total"].tolist() == pytest.approx([97.5, 7.5 + 32 + 40 + 880 / 90])
    assert totals["grade"].tolist() == ["优", "良"]


def test_outputs_csv_json_xlsx(files, capsys, tmp_path):
    data, budget = files
    base = ["--framework", "project_self", "--data", data, "--budget", budget]
    assert run(capsys, *base, "--out", tmp_path / "t.csv")[0] == 0
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbfunit_id,total,grade")
    code, out, _ = run(capsys, *base, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["framework"] == "project_self" and doc["totals"][0]["total"] == 97.5
    assert doc["policy"]["denominator"] == "full_year"
    assert run(capsys, *base, "--out", tmp_path / "r.xlsx")[0] == 0
    assert load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "总分"
    with pytest.raises(SystemExit, match="2") as exc:
        run(capsys, *base, "--format", "xlsx")
    assert exc.value.code == 2 and "--format xlsx needs --out FILE" in capsys.readouterr().err


def test_policies_reach_the_scores(files, capsys):
    data, budget = files
    code, out, _ = run(capsys, "--framework", "project_self", "--data", data, "--budget", budget,
                       "--format", "json", "--reverse", "ratio", "--na-policy", "zero", "--over-achievement", "1.1")
    doc = json.loads(out)
    assert code == 0 and doc["policy"]["reverse"] == "ratio" and doc["policy"]["na_policy"] == "zero"
    assert "target_too_low" in doc["totals"][0]["flags"]


# ---------------------------------------------------------------------------------------------------------------
# bad input: a located error, exit 1, no traceback, the input file unchanged
# ---------------------------------------------------------------------------------------------------------------
def _table(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _xlsx_without_form(path: Path) -> Path:
    wb = Workbook()
    wb.active.append(["随便", "什么"])
    wb.active.append([1, 2])
    wb.save(path)
    return path


BAD = {
    # name: (indicator file content or builder, budget content, extra args, code, location regex)
    "missing_column": (_table([r.rsplit(",", 3)[0] for r in ROWS[:1]], HEADER.rsplit(",", 3)[0]), BUDGET, (),
                       "missing_column", r"indicators\.csv"),
    "unrecognised_header": (_table(ROWS[:1], HEADER.replace("一级指标", "一级指标名")), BUDGET, (),
                            "missing_column", r"indicators\.csv"),
    "empty_file": ("", BUDGET, (), "empty_file", r"indicators\.csv"),
    "text_in_numeric": (_table([ROWS[0].replace(",30,", ",三十,")]), BUDGET, (), "not_numeric",
                        r"indicators\.csv:2:分值"),
    "ambiguous_percentage": (_table([ROWS[1].replace("97%", "0.97")]), BUDGET, (), "ambiguous_percentage",
                             r"indicators\.csv:2:actual"),
    "negative_points": (_table([ROWS[0].replace(",30,", ",-30,")]), BUDGET, (), "negative_value",
                        r"indicators\.csv:2:分值"),
    "duplicate_unit_indicator": (_table([ROWS[0], ROWS[0]]), BUDGET, (), "duplicate_row", r"indicators\.csv:3"),
    "duplicate_indicator_name": (_table([ROWS[0], ROWS[1].replace("合格率", "培训人次")]), BUDGET, (),
                                 "duplicate_indicator", r"indicators\.csv:3:indicator"),
    "unknown_l1": (_table([ROWS[0].replace("产出指标", "过程指标")]), BUDGET, (), "unknown_l1",
                   r"indicators\.csv:2:l1"),
    "qualitative_without_level": (_table([ROWS[3].replace(",达成,", ",,")]), BUDGET, (), "missing_level",
                                  r"indicators\.csv:2:level"),
    "score_outside_band": (_table([ROWS[3].replace(",9", ",7")]), BUDGET, (), "score_outside_band",
                           r"indicators\.csv:2:score"),
    "score_out_of_range": (_table([ROWS[3].replace(",9", ",12")]), BUDGET, (), "score_out_of_range",
                           r"indicators\.csv:2:score"),
    "negative_budget": (_table(ROWS), BUDGET.replace("001,100", "001,-100"), (), "negative_value",
                        r"budget\.csv:2:全年预算数"),
    "duplicate_budget_unit": (_table(ROWS), BUDGET + "001,1,1\n", (), "duplicate_unit", r"budget\.csv:4"),
    "unparseable_target": (_table([ROWS[0].replace("≥1000人次", "1000-1200人次")]), BUDGET, (),
                           "unparseable_target", r"indicators\.csv:2:target"),
    "unparseable_actual": (_table([ROWS[0].replace("1200人次", "12-13人次")]), BUDGET, (), "unparseable_actual",
                           r"indicators\.csv:2:actual"),
    "unknown_op": (_table([ROWS[1].replace(",≥,", ",约,")]), BUDGET, (), "unknown_op", r"indicators\.csv:2:指标性质"),
    "unknown_level": (_table([ROWS[3].replace(",达成,", ",很好,")]), BUDGET, (), "unknown_level",
                      r"indicators\.csv:2:完成等级"),
    "op_conflict": (_table([ROWS[1].replace("95%", "≤95%")]), BUDGET, (), "op_conflict", r"indicators\.csv:2:target"),
    "unit_mismatch": (_table([ROWS[0].replace("1200人次", "12天")]), BUDGET, (), "unit_mismatch",
                      r"indicators\.csv:2:actual"),
    "missing_target": (_table([ROWS[0].replace("≥1000人次", "")]), BUDGET, (), "missing_target",
                       r"indicators\.csv:2:target"),
    "missing_denominator_column": (_table(ROWS), BUDGET, ("--denominator", "adjusted"), "missing_column",
                                   r"budget\.csv"),
    "strict_points_sum": (_table(ROWS[:2]), BUDGET, ("--strict",), "points_sum", r"indicators\.csv:unit 001"),
    "wrong_encoding": ("\n".join([HEADER, *ROWS]).encode("utf-16"), BUDGET, (), "wrong_encoding",
                       r"indicators\.csv"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_located_error(case, tmp_path, capsys):
    content, budget_text, extra, code_name, where = BAD[case]
    data = tmp_path / "indicators.csv"
    if isinstance(content, bytes):
        data.write_bytes(content)
    else:
        write(data, content)
    budget = write(tmp_path / "budget.csv", budget_text)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (data, budget)}
    code, out, err = run(capsys, "--framework", "project_self", "--data", data, "--budget", budget, *extra)
    assert code == 1, (out, err)
    assert "Traceback" not in err and out == ""
    assert re.search(rf"{where}[^\n]*: {code_name}: ", err), err
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (data, budget)} == before


def test_unrecognised_header_lists_accepted_names(tmp_path, capsys):
    data = write(tmp_path / "indicators.csv", _table(ROWS[:1], HEADER.replace("一级指标", "一级指标名")))
    _, _, err = run(capsys, "--framework", "project_self", "--data", data)
    assert "一级指标" in err and "level1" in err


def test_missing_files_and_unknown_framework(tmp_path, capsys):
    code, _, err = run(capsys, "--framework", "project_self", "--data", tmp_path / "nope.csv")
    assert code == 1 and "file_not_found" in err and "Traceback" not in err
    data = write(tmp_path / "indicators.csv", _table(ROWS))
    code, _, err = run(capsys, "--framework", "no_such_fw", "--data", data)
    assert code == 1 and "unknown_framework" in err


def test_sheet_without_the_forms_header(tmp_path, capsys):
    data = _xlsx_without_form(tmp_path / "form.xlsx")
    before = data.read_bytes()
    code, _, err = run(capsys, "--framework", "project_self", "--data", data)
    assert code == 1 and re.search(r"form\.xlsx[^\n]*: (no_header|missing_column): ", err), err
    assert data.read_bytes() == before


# ---------------------------------------------------------------------------------------------------------------
# what real forms contain: flagged, not refused
# ---------------------------------------------------------------------------------------------------------------
def test_flagged_not_refused(tmp_path, capsys):
    rows = [r.replace("服务对象满意度指标等", "服务对象满意度指标") for r in ROWS]
    rows[4] = rows[4].replace("服务对象满意度指标", "群众满意度")  # an L2 the framework does not know
    data = write(tmp_path / "indicators.csv", _table(rows))
    budget = write(tmp_path / "budget.csv", "项目编码,全年预算数,全年执行数\n001,100,120\n002,0,0\n")
    code, out, err = run(capsys, "--framework", "project_self", "--data", data, "--budget", budget)
    assert code == 0, err
    for flag in ("executed_above_budget", "zero_budget", "unmatched_l2"):
        assert re.search(rf": {flag}: warning: ", err), err
    totals = pd.read_csv(io.StringIO(out), dtype={"unit_id": str}, keep_default_na=False).set_index("unit_id")
    assert "executed_above_budget" in totals.loc["001", "flags"] and "zero_budget" in totals.loc["002", "flags"]


# ---------------------------------------------------------------------------------------------------------------
# the standard form and a GB18030 CSV with Chinese headers give identical scores
# ---------------------------------------------------------------------------------------------------------------
def test_form_and_gb18030_csv_give_identical_scores(files, tmp_path, capsys):
    data, budget = files
    obs = pe.read_observations(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        bud = pe.read_budget(budget)
    forms = tmp_path / "forms"
    forms.mkdir()
    for uid in ("001", "002"):
        pe.write_selfeval_form(forms / f"{uid}.xlsx", unit={"unit_id": uid, "name": f"项目{uid}"},
                               observations=obs[obs["unit_id"] == uid], budget=bud[bud["unit_id"] == uid])
    code_csv, out_csv, err_csv = run(capsys, "--framework", "project_self", "--data", data, "--budget", budget)
    code_one, out_one, _ = run(capsys, "--framework", "project_self", "--data", forms / "001.xlsx")
    code_dir, out_dir, err_dir = run(capsys, "--framework", "project_self", "--data", forms)
    assert (code_csv, code_one, code_dir) == (0, 0, 0), (err_csv, err_dir)
    assert out_dir == out_csv
    assert out_one.splitlines()[:2] == out_csv.splitlines()[:2]


def test_bad_policy_argument_is_a_usage_error(files, capsys):
    data, _ = files
    with pytest.raises(SystemExit, match="2") as exc:
        run(capsys, "--framework", "project_self", "--data", data, "--over-achievement", "0.9")
    assert exc.value.code == 2 and "must be a number > 1" in capsys.readouterr().err
