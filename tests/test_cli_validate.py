"""``perfeval validate``: frameworks, libraries, policies, datasets; one line per problem, exit 1 on errors."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from perfeval.cli import main
from perfeval.cli.validate import validate_path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "frameworks"
FRAMEWORKS = sorted((ROOT / "templates" / "frameworks").glob("*.yaml"))
LINE = re.compile(r"^(?P<location>.+?):(?P<line>\d+): (?P<code>[a-z_]+): (?P<message>.+)$")


def _run(capsys, *paths) -> tuple[int, list[str], str]:
    code = main(["validate", "--lang", "en", *map(str, paths)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_every_shipped_framework_validates(capsys):
    assert len(FRAMEWORKS) >= 8
    code, out, err = _run(capsys, *FRAMEWORKS)
    assert code == 0, "\n".join(out)
    assert out == []
    for path in FRAMEWORKS:
        assert f"{path}: ok (framework {path.stem}:" in err
    assert "library check skipped" not in err


def test_templates_folder_validates_frameworks_policies_and_library(capsys):
    code, out, err = _run(capsys, ROOT / "templates")
    assert code == 0, "\n".join(out)
    assert re.search(r"templates: ok \(\d+ file\(s\) checked\)", err)


def test_five_faults_print_five_located_lines_and_exit_1(capsys):
    path = DATA / "five_faults.yaml"
    code, out, err = _run(capsys, path)
    assert code == 1
    assert len(out) == 5
    parsed = [LINE.match(line) for line in out]
    assert all(parsed), out
    assert [(m["location"], int(m["line"]), m["code"]) for m in parsed] == [
        (str(path), 15, "band_gap"), (str(path), 20, "points_sum"), (str(path), 30, "unknown_rule"),
        (str(path), 36, "cost_op"), (str(path), 43, "duplicate_code")]
    assert "ok" not in err
    assert "Traceback" not in err


def test_structural_faults_and_syntax_errors_are_lines_not_tracebacks(capsys):
    code, out, err = _run(capsys, DATA / "structure_faults.yaml", DATA / "syntax_error.yaml",
                          DATA / "duplicate_key.yaml")
    assert code == 1
    codes = [LINE.match(line)["code"] for line in out]
    assert codes == ["unknown_key", "missing_key", "unknown_key", "missing_key", "points_invalid", "yaml_syntax",
                     "duplicate_key"]
    assert "Traceback" not in err


def test_warnings_are_printed_but_exit_0(capsys, tmp_path):
    text = (ROOT / "templates" / "frameworks" / "us_part.yaml").read_text(encoding="utf-8")
    path = tmp_path / "no_english.yaml"
    path.write_text(text.replace("    name_en: Strategic Planning\n", ""), encoding="utf-8")
    code, out, err = _run(capsys, path)
    assert code == 0
    assert out == [f"{path}:40: name_en_missing: warning: node `planning`: add `name_en` (English name)."]
    assert f"{path}: ok (framework us_part" in err and "1 warning(s)" in err


def test_missing_and_unsupported_paths(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    code, out, _ = _run(capsys, tmp_path / "nope.yaml", tmp_path / "notes.txt")
    assert code == 1
    assert out[0] == f"{tmp_path / 'nope.yaml'}: file_not_found: no such file or directory"
    assert out[1].startswith(f"{tmp_path / 'notes.txt'}: unsupported_file: cannot validate a .txt file")


def test_directory_mixes_good_bad_and_skipped_yaml(capsys, tmp_path):
    shutil.copy(FRAMEWORKS[0], tmp_path / "good.yaml")
    shutil.copy(DATA / "five_faults.yaml", tmp_path / "bad.yaml")
    (tmp_path / "notes.yaml").write_text("author: someone\n", encoding="utf-8")
    (tmp_path / ".hidden.yaml").write_text("{{{", encoding="utf-8")
    code, out, err = _run(capsys, tmp_path)
    assert code == 1
    assert len(out) == 5 and all(line.startswith(str(tmp_path / "bad.yaml")) for line in out)
    problems, summary = validate_path(tmp_path)
    assert "2 file(s) checked; skipped 1 YAML file(s)" in summary


def test_library_csv_reports_duplicate_code_missing_name_and_unknown_op(capsys, tmp_path):
    folder = tmp_path / "indicators"
    folder.mkdir()
    good = (ROOT / "templates" / "indicators" / "common.csv").read_text(encoding="utf-8").splitlines()
    header, first, second = good[0], good[1], good[2]
    cells = second.split(",")
    cells[0] = first.split(",")[0]  # row 3 repeats row 2's code
    fields = header.split(",")
    broken = first.split(",")
    broken[0] = broken[0][:-3] + "999"
    broken[fields.index("name_zh")] = ""
    broken[fields.index("op")] = "≈"
    (folder / "mine.csv").write_text("\n".join([header, first, ",".join(cells), ",".join(broken)]) + "\n",
                                     encoding="utf-8")
    code, out, _ = _run(capsys, folder / "mine.csv")
    assert code == 1
    joined = "\n".join(out)
    assert re.search(r"mine\.csv:3:code: duplicate_code", joined)
    assert re.search(r"mine\.csv:4:name_zh: missing_value", joined)
    assert re.search(r"mine\.csv:4:op: unknown_op", joined)


def test_policy_yaml_is_checked_as_a_policy(capsys):
    policies = sorted((ROOT / "templates" / "policies").glob("*.yaml"))
    code, out, err = _run(capsys, *policies)
    assert code == 0, out
    assert all(f"{p}: ok (policy)" in err for p in policies)


def _dataset(folder: Path, framework: str = "frameworks: {self: project_self}") -> Path:
    folder.mkdir()
    (folder / "dataset.yaml").write_text(f"name: mini\nyear: 2023\n{framework}\n", encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "unit_id,l1,l2,indicator,op,target,actual,unit,points\n"
        "001,产出指标,数量指标,建设数量,>=,100,95,个,30\n"
        "001,产出指标,质量指标,验收合格率,>=,100,100,%,20\n"
        "001,效益指标,社会效益指标,受益人数,>=,1000,1200,人,30\n"
        "001,满意度指标,服务对象满意度指标,服务对象满意度,>=,90,92,%,10\n", encoding="utf-8")
    (folder / "budget.csv").write_text("unit_id,budget_full_year,executed\n001,100,95\n", encoding="utf-8")
    (folder / "units.csv").write_text("unit_id,name,kind\n001,示范项目,project\n", encoding="utf-8")
    return folder


def test_clean_dataset_directory(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds")
    code, out, err = _run(capsys, folder)
    assert code == 0, out
    assert f"{folder}: ok (dataset, 3 data file(s), framework project_self; 1 unit(s) scored on project_self, " \
           "2 notice(s))" in err
    assert all(": individual: notice: " in line for line in out), out
    code, out, err = _run(capsys, folder / "dataset.yaml")
    assert code == 0, out


def test_dataset_reports_file_and_scoring_problems(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds")
    text = (folder / "indicators.csv").read_text(encoding="utf-8")
    (folder / "indicators.csv").write_text(text.replace("效益指标,社会效益指标", "不存在,社会效益指标"),
                                           encoding="utf-8")
    (folder / "budget.csv").write_text("unit_id,executed\n001,95\n", encoding="utf-8")
    code, out, _ = _run(capsys, folder)
    assert code == 1
    joined = "\n".join(out)
    assert f"{folder / 'budget.csv'}:1:budget_full_year: missing_column" in joined
    assert f"{folder / 'indicators.csv'}:4:l1: unknown_l1" in joined


def test_dataset_without_framework_name(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds", framework="region: 示例省")
    code, out, _ = _run(capsys, folder)
    assert code == 1
    assert out == [f"{folder / 'dataset.yaml'}: no_framework: dataset.yaml must name the framework that scores "
                   "indicators.csv (e.g. `frameworks: {self: project_self}`)"]


def test_dataset_yaml_syntax_error(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds")
    (folder / "dataset.yaml").write_text("name: [\n", encoding="utf-8")
    code, out, _ = _run(capsys, folder)
    assert code == 1
    assert LINE.match(out[0])["code"] == "yaml_syntax"


def test_dataset_framework_given_as_a_file_next_to_the_data(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds", framework="framework: mine.yaml")
    shutil.copy(ROOT / "templates" / "frameworks" / "project_self.yaml", folder / "mine.yaml")
    code, out, err = _run(capsys, folder)
    assert code == 0, out
    assert "framework mine.yaml" in err


@pytest.mark.parametrize("meta", [
    "categories: {self: {framework: project_self, files: [indicators.csv, budget.csv]}}",
    "frameworks: {self: project_self, key: project_key}",
    "framework: project_self",
])
def test_dataset_yaml_spellings_of_the_framework(capsys, tmp_path, meta):
    folder = _dataset(tmp_path / "ds", framework=meta)
    code, out, err = _run(capsys, folder)
    assert code == 0, out
    assert "framework project_self" in err


def test_reader_failure_is_a_located_line(capsys, tmp_path, monkeypatch):
    import perfeval.cli.validate as cli_validate

    def broken(path):
        raise OSError("device not ready")

    monkeypatch.setattr(cli_validate, "_reader", lambda path: broken)
    path = tmp_path / "units.csv"
    path.write_text("unit_id\n001\n", encoding="utf-8")
    code, out, _ = _run(capsys, path)
    assert code == 1
    assert out == [f"{path}: unreadable_file: cannot read: device not ready"]


def test_library_that_does_not_load_skips_the_library_check(capsys, monkeypatch):
    import perfeval.library
    from perfeval.errors import InputError

    def refuse(path=None):
        raise InputError.single("lib.csv:2:code", "duplicate_code", "code used twice")

    monkeypatch.setattr(perfeval.library, "load_library", refuse)
    code, out, err = _run(capsys, FRAMEWORKS[0])
    assert code == 0 and out == []
    assert "library check skipped: the shipped library did not load" in err


# ---------------------------------------------------------------------------------------------------------------
# a dry run of score (issue 14)
# ---------------------------------------------------------------------------------------------------------------
def test_frameworks_lists_the_shipped_frameworks(capsys):
    import perfeval as pe

    code, out, err = _run_args(capsys, "--frameworks")
    assert code == 0 and err == ""
    assert out[0] == "code\tname\tyear"
    rows = {line.split("\t")[0]: line.split("\t") for line in out[1:]}
    assert sorted(rows) == sorted(pe.list_frameworks())
    assert rows["project_self"] == ["project_self", "项目支出绩效自评", "2020"]
    assert rows["us_part"][2] == "2005" and rows["project_self_2021"][2] == "2021"


def test_no_path_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate"])
    assert exc.value.code == 2 and "give a PATH to check, or --frameworks" in capsys.readouterr().err


def _run_args(capsys, *argv) -> tuple[int, list[str], str]:
    code = main(["validate", "--lang", "en", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_an_observations_file_is_scored_with_its_budget_rule(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds")
    data = folder / "indicators.csv"
    code, out, _ = _run_args(capsys, data)
    assert code == 1 and any(line.startswith(f"{data}: budget_required: ") for line in out), out
    code, out, err = _run_args(capsys, data, "--budget", folder / "budget.csv")
    assert code == 0 and f"{data}: ok (observations, 1 unit(s) scored on project_self, 2 notice(s))" in err
    code, out, err = _run_args(capsys, data, "--no-budget")
    assert code == 0 and any(": no_budget: warning: " in line for line in out), out
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace(",100,95,个,30", ",100,95,个,三十"), encoding="utf-8")
    code, out, _ = _run_args(capsys, data, "--no-budget")
    assert code == 1 and any(re.match(rf"{re.escape(str(data))}:2:points: not_numeric: ", line) for line in out), out


def test_a_form_is_scored_with_its_funds_block(capsys, tmp_path):
    import pandas as pd

    import perfeval as pe

    obs = pd.DataFrame({"unit_id": "001", "l1": ["产出指标", "效益指标", "满意度指标"],
                        "l2": ["数量指标", "社会效益指标", "服务对象满意度指标"], "indicator": ["培训人次", "就业率", "满意度"],
                        "target": ["≥1000人次", "≥80%", "≥90%"], "actual": ["1200人次", "76%", "95%"],
                        "points": [50, 30, 10]})
    budget = pd.DataFrame({"unit_id": ["001"], "budget_full_year": [100.0], "executed": [95.0]})
    path = tmp_path / "自评表.xlsx"
    pe.write_selfeval_form(path, unit={"unit_id": "001", "name": "示范项目"}, observations=obs, budget=budget)
    code, out, err = _run_args(capsys, path)
    assert code == 0 and f"{path}: ok (form, 1 unit(s) scored on project_self" in err, out
    code, out, err = _run_args(capsys, path, "--framework", "project_key")
    assert code == 1 and any(": unknown_l1: " in line for line in out), out


def test_a_folder_without_dataset_yaml_is_validated_by_its_file_names(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds")
    (folder / "dataset.yaml").unlink()
    code, out, err = _run_args(capsys, folder)
    assert code == 0 and f"{folder}: ok (data folder, 3 data file(s), framework project_self; 1 unit(s)" in err
    text = (folder / "indicators.csv").read_text(encoding="utf-8")
    (folder / "indicators.csv").write_text(text.replace("产出指标,质量指标", "过程指标,质量指标"), encoding="utf-8")
    (folder / "units.csv").write_text("unit_id,name,kind,year\n001,示范项目,project,二〇二三\n", encoding="utf-8")
    code, out, _ = _run_args(capsys, folder)
    assert code == 1
    joined = "\n".join(out)
    assert f"{folder / 'indicators.csv'}:3:l1: unknown_l1: " in joined
    assert f"{folder / 'units.csv'}:2:year: not_numeric: " in joined
    (folder / "budget.csv").unlink()
    code, out, _ = _run_args(capsys, folder)
    assert code == 1 and f"{folder}: budget_required: " in "\n".join(out)


def test_individual_indicators_are_notices_not_errors(capsys, tmp_path):
    folder = _dataset(tmp_path / "ds")
    code, out, err = _run_args(capsys, folder)
    assert code == 0
    assert out == [f"{folder / 'indicators.csv'}:2:indicator: individual: notice: '建设数量' is not in the indicator "
                   "library: an individual (个性) indicator, allowed; its definition and target need review",
                   f"{folder / 'indicators.csv'}:4:indicator: individual: notice: '受益人数' is not in the "
                   "indicator library: an individual (个性) indicator, allowed; its definition and target need review"]
    assert "notice(s)" in err  # 验收合格率 and 服务对象满意度 are library entries: not listed


def test_problem_lines_carry_the_chinese_meaning_of_their_code_by_default(tmp_path, capsys):
    """Like `score`, `validate` keeps `location: code: message` and adds the code's meaning in Chinese."""
    missing = tmp_path / "nope.csv"
    assert main(["validate", str(missing)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{missing}: file_not_found: ") and line.endswith("（文件不存在）")
    assert main(["validate", "--lang", "en", str(missing)]) == 1
    assert "（" not in capsys.readouterr().out


def test_a_datasets_department_and_transfer_evaluations_are_dry_run_scored(sample_dir, tmp_path, capsys):
    """What `perfeval apply` scores in a dataset (department_indicators.csv with department_budget.csv on the
    department framework) `validate` scores too: a target nobody can read fails both, at its cell."""
    import shutil

    ds = tmp_path / "ds"
    shutil.copytree(sample_dir, ds)
    assert main(["validate", "--lang", "en", str(ds)]) == 0
    summary = capsys.readouterr().err
    assert "department_indicators: 12 unit(s) scored on department" in summary
    assert "transfer_indicators: 14 unit(s) scored on transfer" in summary
    path = ds / "department_indicators.csv"
    lines = path.read_text("utf-8-sig").splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("target")] = "≥很多"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    assert main(["validate", "--lang", "en", str(ds)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:2:target: unparseable_target" in out
    assert main(["apply", str(ds)]) == 1
    assert f"{path}:2:target: unparseable_target" in capsys.readouterr().err
