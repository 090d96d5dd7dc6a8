"""``perfeval validate`` is a dry run of ``perfeval score`` (issue 14): over a corpus of realistic and broken inputs
(CSV in UTF-8 and GB18030 with Chinese headers, XLSX tables, self-evaluation forms written with openpyxl with merged
cells, dataset folders with and without ``dataset.yaml``; missing columns, unknown indicators, non-numeric scores,
duplicate rows, unknown units, a missing budget, unparseable targets, empty files, wrong encodings ...) both commands
give the same verdict: both pass, or both fail with the same error codes. Every error line names its file; the
row-level ones name the row and the column too; no traceback.

The corpus is generated in ``tmp_path``; both commands run in-process through :func:`perfeval.cli.main`.
"""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Callable

import pytest
from openpyxl import Workbook

from perfeval.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from _indicator_rows import BUDGET, HEADER, ROWS  # noqa: E402
#: the indicator rows of one form: (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分)
FORM_ROWS = [
    ("产出指标", "数量指标", "培训人次", "≥1000人次", "1200人次", 30, None),
    ("产出指标", "质量指标", "合格率", "≥95%", "97%", 20, None),
    ("效益指标", "社会效益指标", "就业率", "≥80%", "85%", 20, None),
    ("效益指标", "可持续影响指标", "长效机制", "有效提升", "达成年度指标", 10, 9),
    ("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10, None),
]
LINE = re.compile(r"^(?P<location>\S[^\n]*?): (?P<code>[a-z][a-z0-9_]*): (?P<message>.*)$")
ROW_LEVEL = {"unknown_l1", "not_numeric", "duplicate_row", "unparseable_target", "unparseable_actual",
             "negative_value", "duplicate_unit", "missing_level", "score_outside_band", "unknown_node",
             "ambiguous_percentage"}


# ---------------------------------------------------------------------------------------------------------------
# writers: the way units write their files
# ---------------------------------------------------------------------------------------------------------------
def csv(path: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def budget(path: Path, text: str = BUDGET, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def xlsx(path: Path, rows: list[str], header: str = HEADER) -> Path:
    """An observations table in a workbook: numbers as numbers, texts as typed."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效指标"
    ws.append(header.split(","))
    for line in rows:
        cells = []
        for value in line.split(","):
            try:
                cells.append(float(value) if value and value.replace(".", "", 1).isdigit() else (value or None))
            except ValueError:
                cells.append(value)
        ws.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def form(path: Path, uid: str = "001", rows: list[tuple] = FORM_ROWS, funds: tuple = (100, 95)) -> Path:
    """A self-evaluation form as units fill it in Excel: the title and the funds label merged over several cells,
    each first-level name written once in a cell merged down over its rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    ws["A1"] = "项目支出绩效自评表"
    ws.merge_cells("A1:I1")
    ws["A2"] = "（2023年度）"
    ws.merge_cells("A2:I2")
    ws["A3"], ws["B3"], ws["F3"], ws["G3"] = "项目名称", f"示范项目{uid}", "项目编码", uid
    ws.merge_cells("B3:E3")
    ws.merge_cells("G3:I3")
    ws["A4"], ws["F4"] = "主管部门", "实施单位"
    ws["A5"] = "项目资金（万元）"
    for col, text in zip("DEFGHI", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        ws[f"{col}5"] = text
    ws["B6"] = "年度资金总额"
    ws.merge_cells("B6:C6")
    ws["E6"], ws["F6"], ws["G6"] = funds[0], funds[1], 10
    ws.merge_cells("A5:A7")
    ws["B7"] = "其中：当年财政拨款"
    ws.merge_cells("B7:C7")
    ws["A8"], ws["B8"], ws["F8"] = "年度总体目标", "预期目标", "实际完成情况"
    ws.merge_cells("B8:E8")
    ws.merge_cells("F8:I8")
    ws["A9"] = "绩效指标"
    for col, text in zip("BCDEFGHI", ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                      "偏差原因分析及改进措施")):
        ws[f"{col}9"] = text
    first = 10
    start = first
    for i, (l1, l2, name, target, actual, points, score) in enumerate(rows):
        r = first + i
        if i == 0 or rows[i - 1][0] != l1:
            ws[f"B{r}"] = l1
            start = r
        elif i + 1 == len(rows) or rows[i + 1][0] != l1:
            ws.merge_cells(f"B{start}:B{r}")
        for col, value in zip("CDEFGH", (l2, name, target, actual, points, score)):
            if value is not None:
                ws[f"{col}{r}"] = value
    last = first + len(rows)
    ws.merge_cells(f"A9:A{last - 1}")
    ws[f"A{last}"], ws[f"G{last}"] = "总分", 100
    ws.merge_cells(f"A{last}:F{last}")
    ws[f"A{last + 1}"] = "自评等级"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def dataset(folder: Path, rows: list[str] = ROWS, *, meta: bool = True, with_budget: bool = True,
            encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True)
    if meta:
        (folder / "dataset.yaml").write_text("name: mini\nyear: 2023\nframeworks: {self: project_self}\n",
                                             encoding="utf-8")
    csv(folder / "indicators.csv", rows, encoding=encoding)
    if with_budget:
        budget(folder / "budget.csv", encoding=encoding)
    (folder / "units.csv").write_text("unit_id,name,kind\n001,示范项目,project\n002,培训项目,project\n",
                                      encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------------------------------------------
# the corpus: name -> builder(d) returning (PATH, score's extra arguments, validate's extra arguments, verdict)
# verdict: "pass", "fail", or a code both must report (a clearly broken input)
# ---------------------------------------------------------------------------------------------------------------
def _file(rows: list[str], verdict: str, *, header: str = HEADER, encoding: str = "utf-8",
          budget_text: str | None = BUDGET, name: str = "indicators.csv") -> Callable:
    def build(d: Path):
        path = csv(d / name, rows, header=header, encoding=encoding)
        extra = ["--budget", str(budget(d / "budget.csv", budget_text))] if budget_text is not None else []
        return path, extra, extra, verdict
    return build


def _raw(content: bytes, verdict: str, name: str = "indicators.csv") -> Callable:
    def build(d: Path):
        (d / name).write_bytes(content)
        extra = ["--budget", str(budget(d / "budget.csv"))]
        return d / name, extra, extra, verdict
    return build


def _form(verdict: str, **kwargs) -> Callable:
    def build(d: Path):
        return form(d / "自评表.xlsx", **kwargs), [], [], verdict
    return build


def _case_xlsx_table(d: Path):
    path = xlsx(d / "indicators.xlsx", ROWS)
    wb = Workbook()
    wb.active.append(["项目编码", "全年预算数", "全年执行数"])
    wb.active.append(["001", 100, 95])
    wb.active.append(["002", 200, 150])
    wb.save(d / "budget.xlsx")
    extra = ["--budget", str(d / "budget.xlsx")]
    return path, extra, extra, "pass"


def _case_xlsx_missing_column(d: Path):
    path = xlsx(d / "indicators.xlsx", [r.rsplit(",", 3)[0] for r in ROWS], HEADER.rsplit(",", 3)[0])
    extra = ["--budget", str(budget(d / "budget.csv"))]
    return path, extra, extra, "missing_column"


def _case_not_a_form(d: Path):
    wb = Workbook()
    wb.active.append(["随便", "什么"])
    wb.active.append([1, 2])
    wb.save(d / "book.xlsx")
    return d / "book.xlsx", ["--no-budget"], ["--no-budget"], "fail"


def _case_empty_workbook(d: Path):
    Workbook().save(d / "empty.xlsx")
    return d / "empty.xlsx", ["--no-budget"], ["--no-budget"], "fail"


def _case_forms_dir(d: Path):
    for uid in ("001", "002", "003"):
        form(d / "batch" / f"{uid}.xlsx", uid=uid)
    return d / "batch", [], [], "pass"


def _case_forms_dir_one_broken(d: Path):
    form(d / "batch" / "001.xlsx", uid="001")
    bad = list(FORM_ROWS)
    bad[0] = ("过程指标", *bad[0][1:])
    form(d / "batch" / "002.xlsx", uid="002", rows=bad)
    return d / "batch", [], [], "unknown_l1"


def _case_dataset(d: Path):
    return dataset(d / "ds"), [], [], "pass"


def _case_dataset_gb18030_no_yaml(d: Path):
    return dataset(d / "ds", meta=False, encoding="gb18030"), [], [], "pass"


def _case_dataset_without_budget(d: Path):
    return dataset(d / "ds", with_budget=False), [], [], "budget_required"


def _case_folder_without_budget_no_yaml(d: Path):
    return dataset(d / "ds", meta=False, with_budget=False), [], [], "budget_required"


def _case_dataset_unknown_l1(d: Path):
    rows = [ROWS[0].replace("产出指标", "过程指标"), *ROWS[1:]]
    return dataset(d / "ds", rows), [], [], "unknown_l1"


def _case_folder_bad_target_no_yaml(d: Path):
    rows = [ROWS[0].replace("≥1000人次", "1000-1200人次"), *ROWS[1:]]
    return dataset(d / "ds", rows, meta=False, encoding="gb18030"), [], [], "unparseable_target"


def _case_dataset_duplicate_budget(d: Path):
    folder = dataset(d / "ds")
    budget(folder / "budget.csv", BUDGET + "001,1,1\n")
    return folder, [], [], "duplicate_unit"


def _case_score_sheet(d: Path):
    path = d / "consensus.csv"
    path.write_text("unit_id,node_code,score\n001,decision.approval.basis,2.5\n001,process.funds.execution,3\n"
                    "002,decision.approval.basis,3\n002,process.funds.execution,4\n", encoding="utf-8")
    extra = ["--framework", "project_key"]
    return path, [], extra, "pass"


def _case_score_sheet_unknown_node(d: Path):
    path = d / "consensus.csv"
    path.write_text("unit_id,node_code,score\n001,decision.approval.nothing,2.5\n001,process.funds.execution,3\n",
                    encoding="utf-8")
    return path, [], ["--framework", "project_key"], "unknown_node"


def _case_score_sheet_without_budget(d: Path):
    path = d / "consensus.csv"
    path.write_text("unit_id,node_code,score\n001,decision.approval.basis,2.5\n", encoding="utf-8")
    return path, [], ["--framework", "project_key"], "budget_required"


def _case_structure_2021(d: Path):
    rows = [ROWS[0], ROWS[2], ROWS[4], "001,成本指标,经济成本指标,人均培训成本,,≤500元,480元,10,,"]
    rows[0] = rows[0].replace(",30,", ",40,")
    return _file(rows, "pass")(d)


CORPUS: dict[str, Callable] = {
    # realistic inputs that score
    "csv_utf8_chinese_headers": _file(ROWS, "pass"),
    "csv_gb18030_chinese_headers": _file(ROWS, "pass", encoding="gb18030"),
    "csv_utf8_bom": _file(ROWS, "pass", encoding="utf-8-sig"),
    "csv_no_budget_flag": lambda d: (csv(d / "indicators.csv", ROWS), ["--no-budget"], ["--no-budget"], "pass"),
    "csv_unmatched_l2_is_a_warning": _file([r.replace("服务对象满意度指标等", "群众满意度") for r in ROWS], "pass"),
    "csv_individual_indicators": _file([r.replace("培训人次", "农民实用技术培训人次") for r in ROWS], "pass"),
    "csv_budget_for_an_unknown_unit": _file(ROWS, "pass", budget_text=BUDGET + "099,10,10\n"),
    "csv_structure_2021": _case_structure_2021,
    "xlsx_table": _case_xlsx_table,
    "form_merged_cells": _form("pass"),
    "form_second_unit": _form("pass", uid="Z-07"),
    "forms_directory": _case_forms_dir,
    "dataset_with_yaml": _case_dataset,
    "dataset_gb18030_without_yaml": _case_dataset_gb18030_no_yaml,
    "score_sheet_scores_execution": _case_score_sheet,
    # broken
    "missing_column": _file([r.rsplit(",", 3)[0] for r in ROWS], "missing_column", header=HEADER.rsplit(",", 3)[0]),
    "unknown_l1": _file([ROWS[0].replace("产出指标", "过程指标"), *ROWS[1:]], "unknown_l1"),
    "non_numeric_points": _file([ROWS[0].replace(",30,", ",三十,"), *ROWS[1:]], "not_numeric"),
    "non_numeric_score": _file([ROWS[3].replace(",9", ",九分")], "not_numeric"),
    "duplicate_rows": _file([ROWS[0], ROWS[0], *ROWS[1:]], "duplicate_row"),
    "unparseable_target": _file([ROWS[0].replace("≥1000人次", "1000-1200人次"), *ROWS[1:]], "unparseable_target"),
    "free_text_actual": _file([ROWS[0].replace("1200人次", "很多"), *ROWS[1:]], "unparseable_actual"),
    "ambiguous_percentage": _file([ROWS[1].replace("97%", "0.97"), *ROWS[2:]], "ambiguous_percentage"),
    "qualitative_without_level": _file([ROWS[3].replace(",达成,9", ",,").replace("有效提升,,", "有效提升,详见附件,")],
                                       "missing_level"),
    "score_outside_band": _file([ROWS[3].replace(",9", ",7")], "score_outside_band"),
    "missing_budget": _file(ROWS, "budget_required", budget_text=None),
    "negative_budget": _file(ROWS, "negative_value", budget_text=BUDGET.replace("001,100", "001,-100")),
    "budget_missing_column": _file(ROWS, "missing_column", budget_text="项目编码,全年执行数\n001,95\n"),
    "budget_without_unit_id": _file(ROWS, "fail", budget_text=BUDGET + ",5,5\n"),
    "empty_file": _raw(b"", "empty_file"),
    "wrong_encoding_utf16": _raw(("\n".join([HEADER, *ROWS]) + "\n").encode("utf-16"), "wrong_encoding"),
    "binary_garbage": _raw(bytes(range(256)) * 8, "fail"),
    "header_only": _raw((HEADER + "\n").encode("utf-8"), "fail"),
    "unit_without_id": _file([ROWS[0], "," + ROWS[1].split(",", 1)[1], *ROWS[2:]], "fail"),
    "xlsx_missing_column": _case_xlsx_missing_column,
    "xlsx_not_a_form": _case_not_a_form,
    "xlsx_empty_workbook": _case_empty_workbook,
    "form_unknown_l1": _form("unknown_l1", rows=[("过程指标", *FORM_ROWS[0][1:]), *FORM_ROWS[1:]]),
    "form_non_numeric_points": _form("not_numeric", rows=[(*FORM_ROWS[0][:5], "三十", None), *FORM_ROWS[1:]]),
    "form_unparseable_target": _form("unparseable_target",
                                     rows=[(*FORM_ROWS[0][:3], "1000至1200人次", *FORM_ROWS[0][4:]), *FORM_ROWS[1:]]),
    "form_blank_funds": _form("fail", funds=(None, None)),
    "forms_directory_one_broken": _case_forms_dir_one_broken,
    "dataset_without_budget": _case_dataset_without_budget,
    "folder_without_budget_or_yaml": _case_folder_without_budget_no_yaml,
    "dataset_unknown_l1": _case_dataset_unknown_l1,
    "folder_unparseable_target_gb18030": _case_folder_bad_target_no_yaml,
    "dataset_duplicate_budget_unit": _case_dataset_duplicate_budget,
    "score_sheet_unknown_node": _case_score_sheet_unknown_node,
    "score_sheet_without_budget": _case_score_sheet_without_budget,
}


def _run(capsys, argv: list[str], stream: str) -> tuple[int, list[str], str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(argv)
    out, err = capsys.readouterr()
    text = out if stream == "out" else err
    return code, text.splitlines(), out + err


def _errors(lines: list[str]) -> list[re.Match]:
    """The error lines (``location: code: message`` without ``warning:`` / ``notice:``, not perfeval's own)."""
    found = [LINE.match(line) for line in lines if not line.startswith("perfeval:")]
    return [m for m in found if m and not m["message"].startswith(("warning:", "notice:"))]


def test_the_corpus_is_large_and_mixed():
    assert len(CORPUS) >= 30
    built = sum(1 for name in CORPUS if name.startswith(("form", "forms")))
    assert built >= 5 and sum(1 for n in CORPUS if n.startswith(("dataset", "folder"))) >= 5


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_validate_and_score_give_the_same_verdict(name, tmp_path, capsys):
    path, score_extra, validate_extra, verdict = CORPUS[name](tmp_path)
    framework = validate_extra[validate_extra.index("--framework") + 1] if "--framework" in validate_extra \
        else "project_self"
    s_code, s_lines, s_text = _run(capsys, ["score", "--framework", framework, "--data", str(path), *score_extra],
                                   "err")
    v_code, v_lines, v_text = _run(capsys, ["validate", str(path), *validate_extra], "out")
    for text in (s_text, v_text):
        assert "Traceback" not in text
    s_errors, v_errors = _errors(s_lines), _errors(v_lines)
    assert (s_code, v_code) in ((0, 0), (1, 1)), f"{name}: score {s_code}, validate {v_code}\n{s_text}\n{v_text}"
    assert sorted({m["code"] for m in s_errors}) == sorted({m["code"] for m in v_errors}), (s_text, v_text)
    if verdict == "pass":
        assert s_code == 0, s_text
    else:
        assert s_code == 1 and s_errors, s_text
        if verdict != "fail":
            assert verdict in {m["code"] for m in s_errors}, s_text
    for m in v_errors:  # every problem names its file (the row and the column when it is about a cell)
        assert m["location"].startswith(str(tmp_path)), m.group(0)
        if m["code"] in ROW_LEVEL:
            assert re.search(r":\d+:\S", m["location"]), m.group(0)
