"""A corpus of hostile inputs and output paths for every perfeval command, generated (no committed blobs).

Each case is built by a function ``case_<name>(d, base)`` in a fresh folder ``d`` (``base`` is a copy of the shipped
sample province, read-only for the builders) and returns a :class:`Case`: the command line, the file the command
must not create or change, and whether it must run in a fresh process (the memory and time cases, measured there).
``tests/test_hostile.py`` runs every case and checks the promises of perfeval's error handling: exit status 1 or 2,
one located line per problem, no traceback, inputs byte-identical, no partial output, bounded memory and time.

The ``score`` cases without a budget pass ``--no-budget`` (issue 14: a framework that scores 资金执行率 needs a budget or
that flag), so they still reach the check they are about rather than stopping at ``budget_required``.

Run ``python tests/hostile_corpus.py DIR`` to write the whole corpus to ``DIR`` (one folder per case, with the
command in ``command.txt``) for a manual fuzz run.
"""
from __future__ import annotations

import os
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

FORMULA = '=cmd|" /C calc"!A0'


@dataclass
class Case:
    """One hostile run: ``argv`` after ``perfeval``; ``outputs`` must be absent afterwards (or unchanged when they
    existed); ``code`` is a problem code (or text) stderr must show; ``fresh`` runs in a subprocess measured for
    memory and time."""

    argv: list[str]
    outputs: list[Path] = field(default_factory=list)
    code: str | None = None
    fresh: bool = False
    exits: tuple[int, ...] = (1, 2)


def _copy(base: Path, d: Path, name: str = "ds") -> Path:
    target = d / name
    shutil.copytree(base, target)
    return target


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def _edit_csv(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")


def wide_xlsx(path: Path, rows: int = 200_000, column: str = "XFD", dimension: str = "A1:B2") -> Path:
    """An XLSX of ``rows`` rows each holding one number at ``column`` under a two-column header, with a false
    ``<dimension>``: about 1 MB on disk (the hostile sheet of issue 17)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData><row r="1">'
             '<c r="A1" t="inlineStr"><is><t>unit_id</t></is></c><c r="B1" t="inlineStr"><is><t>total</t></is></c>'
             '</row>']
    parts += [f'<row r="{r}"><c r="{column}{r}"><v>1</v></c></row>' for r in range(2, rows + 2)]
    parts.append("</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/'
                   'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/'
                   f'2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" '
                   'sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}'
                   f'/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/'
                   'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return path


def zip_bomb(path: Path, unpacked: int = 600_000_000) -> Path:
    """An XLSX whose sheet XML unpacks to ``unpacked`` bytes of blanks (about 0.6 MB on disk): opened naively it
    would take gigabytes of memory."""
    wide_xlsx(path, rows=1)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/worksheets/padding.xml", "w") as part:
        block = b" " * (1 << 20)
        for _ in range(unpacked // len(block)):
            part.write(block)
    return path


def anchor_bomb(levels: int = 9, width: int = 9) -> str:
    """YAML whose last anchor expands to ``width ** (levels + 1)`` values (a "billion laughs" of aliases)."""
    names = [f"a{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    lines += [f"{names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * width)}]" for i in range(1, levels + 1)]
    return "name: bomb\ntitle: bomb\n" + "\n".join(lines) + "\nnodes: *a9\n"


DEEP = "name: deep\nnodes: " + "[" * 50_000 + "]" * 50_000 + "\n"
CYCLE = "name: cycle\ntitle: cycle\nnodes: &n [*n]\n"


# --- outputs that are inputs (every command with --out) ------------------------------------------------------------

def case_score_out_is_data(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    return Case(["score", "--no-budget", "--framework", "project_self", "--data", str(data), "--out", str(data)],
                code="output_is_input")


def case_score_out_symlink_to_data(d: Path, base: Path) -> Case:
    data = Path(shutil.copy(base / "indicators.csv", d / "in.csv"))
    os.symlink(data, d / "link.csv")
    return Case(["score", "--no-budget",
                "--framework", "project_self", "--data", str(data), "--out", str(d / "link.csv")],
                code="output_is_input")


def case_score_out_is_budget_xlsx_name(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    budget = shutil.copy(base / "budget.csv", d / "budget.csv")
    return Case(["score", "--framework", "project_self", "--data", str(data), "--budget", str(budget),
                 "--out", str(budget)], code="output_is_input")


def case_audit_out_is_data(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    budget = shutil.copy(base / "budget.csv", d / "budget.csv")
    return Case(["audit", "--data", str(data), "--budget", str(budget), "--out", str(budget)],
                code="output_is_input")


def case_recheck_out_is_self(d: Path, base: Path) -> Case:
    budget = shutil.copy(base / "budget.csv", d / "budget.csv")
    recheck = shutil.copy(base / "recheck.csv", d / "recheck.csv")
    return Case(["recheck", "--self", str(budget), "--recheck", str(recheck), "--out", str(recheck)],
                code="output_is_input")


def case_monitor_out_is_dataset_file(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    return Case(["monitor", str(ds), "--out", str(ds / "monitoring.csv")], code="output_is_input")


def case_exante_out_is_dataset_file(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    return Case(["exante", str(ds), "--out", str(ds / "exante.csv")], code="output_is_input")


def case_apply_out_is_units(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    return Case(["apply", str(ds), "--out", str(ds / "units.csv")], code="output_is_input")


def case_apply_out_is_totals(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    totals = _write(d / "totals.csv", "unit_id,total\n0010001,90\n")
    return Case(["apply", str(ds), "--totals", str(totals), "--out", str(totals)], code="output_is_input")


def case_weights_ahp_out_is_matrix(d: Path, base: Path) -> Case:
    m = _write(d / "m.csv", ",a,b,c\na,1,3,5\nb,1/3,1,2\nc,1/5,1/2,1\n")
    return Case(["weights", "ahp", str(m), "--out", str(m)], code="output_is_input")


def case_weights_entropy_out_is_data(d: Path, base: Path) -> Case:
    m = _write(d / "data.csv", "unit,x,y\nA,1,2\nB,2,3\nC,4,1\n")
    return Case(["weights", "entropy", str(m), "--out", str(m)], code="output_is_input")


def case_panel_collect_out_is_a_workbook(d: Path, base: Path) -> Case:
    sheets = d / "sheets"
    shutil.copytree(base / "sheets", sheets)
    return Case(["panel", "collect", str(sheets), "--out", str(sheets / "E01.xlsx")], code="output_is_input")


def case_panel_sheets_out_is_a_file(d: Path, base: Path) -> Case:
    units = shutil.copy(base / "units.csv", d / "units.csv")
    experts = _write(d / "experts.csv", "expert_id,name\nE01,甲\n")
    return Case(["panel", "sheets", "--units", str(units), "--experts", str(experts), "--out", str(units)],
                code="bad_output")


def case_survey_rate_out_is_answers(d: Path, base: Path) -> Case:
    answers = _write(d / "answers.csv", "unit_id,respondent_id,question,answer\n0010001,1,q1,满意\n"
                                        "0010001,2,q1,不满意\n")
    return Case(["survey", "rate", str(answers), "--method", "share", "--out", str(answers)])


def case_panel_collect_fifo_workbook(d: Path, base: Path) -> Case:
    sheets = d / "sheets"
    shutil.copytree(base / "sheets", sheets)
    os.mkfifo(sheets / "E08.xlsx")
    return Case(["panel", "collect", str(sheets)], code="FIFO")


# --- output paths that cannot be written -------------------------------------------------------------------------

def case_out_is_directory(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    (d / "outdir.csv").mkdir()
    return Case(["score", "--no-budget",
                "--framework", "project_self", "--data", str(data), "--out", str(d / "outdir.csv")],
                code="bad_output")


def case_out_parent_is_file(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    _write(d / "afile", "x")
    return Case(["monitor", str(ds), "--out", str(d / "afile" / "lights.csv")], outputs=[d / "afile" / "lights.csv"],
                code="bad_output")


def case_out_missing_folders(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    out = d / "no" / "such" / "lights.csv"
    return Case(["exante", str(ds), "--out", str(out)], outputs=[out, d / "no"], code="--mkdir")


def case_out_dangling_symlink(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    os.symlink(d / "nowhere" / "x.csv", d / "dangling.csv")
    return Case(["score", "--no-budget",
                "--framework", "project_self", "--data", str(data), "--out", str(d / "dangling.csv")],
                code="bad_output")


def case_demo_out_is_a_file(d: Path, base: Path) -> Case:
    target = _write(d / "demo_out", "not a folder")
    return Case(["demo", "--out", str(target), "--no-charts", "--draws", "10"], code="bad_output")


def case_apply_totals_zip_bomb(d: Path, base: Path) -> Case:
    return Case(["apply", str(_copy(base, d)), "--totals", str(zip_bomb(d / "totals.xlsx"))],
                code="file_too_large", fresh=True)


def case_annual_out_is_the_dataset(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    return Case(["annual", str(ds), "--out", str(ds), "--no-progress"], outputs=[ds / "index.html"],
                code="output_is_input")


def case_batch_out_is_the_plan(d: Path, base: Path) -> Case:
    plan = _write(d / "plan.csv", "category,unit_id\nself_evaluation,0010001\n")
    return Case(["batch", str(plan), "--out", str(plan), "--no-progress"], outputs=[plan], code="bad_output")


def case_batch_plan_is_a_fifo(d: Path, base: Path) -> Case:
    os.mkfifo(d / "plan.csv")
    return Case(["batch", str(d / "plan.csv"), "--out", str(d / "o"), "--no-progress"], outputs=[d / "o"],
                code="FIFO")


# --- files that are not regular files (never opened, never dropped silently) ---------------------------------------

def _fifo_indicators(d: Path, base: Path) -> Path:
    ds = _copy(base, d)
    (ds / "indicators.csv").unlink()
    os.mkfifo(ds / "indicators.csv")
    return ds


def case_apply_fifo_indicators(d: Path, base: Path) -> Case:
    return Case(["apply", str(_fifo_indicators(d, base))], code="not_a_file")


def case_validate_fifo_indicators(d: Path, base: Path) -> Case:
    return Case(["validate", str(_fifo_indicators(d, base))], code="not_a_file")


def case_monitor_fifo_indicators(d: Path, base: Path) -> Case:
    return Case(["monitor", str(_fifo_indicators(d, base))], code="not_a_file")


def case_score_fifo_data(d: Path, base: Path) -> Case:
    os.mkfifo(d / "pipe.csv")
    return Case(["score", "--no-budget",
                "--framework", "project_self", "--data", str(d / "pipe.csv")], code="not_a_file")


def case_validate_fifo_file(d: Path, base: Path) -> Case:
    os.mkfifo(d / "pipe.csv")
    return Case(["validate", str(d / "pipe.csv")], code="not_a_file")


def case_apply_indicators_is_directory(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (ds / "indicators.csv").unlink()
    (ds / "indicators.csv").mkdir()
    return Case(["apply", str(ds)])


def case_validate_indicators_symlink_loop(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (ds / "indicators.csv").unlink()
    os.symlink("indicators.csv", ds / "indicators.csv")
    return Case(["validate", str(ds)], code="not_a_file")


def case_apply_units_symlink_loop(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (ds / "units.csv").unlink()
    os.symlink("units.csv", ds / "units.csv")
    return Case(["apply", str(ds)], code="not_a_file")


def case_exante_units_fifo(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (ds / "units.csv").unlink()
    os.mkfifo(ds / "units.csv")
    return Case(["exante", str(ds)], code="not_a_file")


def case_monitor_policy_fifo(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    os.mkfifo(d / "rules.yaml")
    return Case(["monitor", str(ds), "--rules", str(d / "rules.yaml")], code="not_a_file")


def case_dataset_yaml_fifo(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (ds / "dataset.yaml").unlink()
    os.mkfifo(ds / "dataset.yaml")
    return Case(["apply", str(ds)], code="not_a_file")


def case_framework_is_directory(d: Path, base: Path) -> Case:
    (d / "fw.yaml").mkdir()
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    return Case(["score", "--no-budget", "--framework", str(d / "fw.yaml"), "--data", str(data)], code="not_a_file")


def case_weights_matrix_fifo(d: Path, base: Path) -> Case:
    os.mkfifo(d / "m.csv")
    return Case(["weights", "ahp", str(d / "m.csv")])


# --- YAML: aliases, nesting, encodings ----------------------------------------------------------------------------

def case_framework_anchor_bomb(d: Path, base: Path) -> Case:
    fw = _write(d / "bomb.yaml", anchor_bomb())
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    return Case(["score", "--no-budget", "--framework", str(fw), "--data", str(data)], code="yaml_syntax", fresh=True)


def case_validate_anchor_bomb(d: Path, base: Path) -> Case:
    return Case(["validate", str(_write(d / "bomb.yaml", anchor_bomb()))], code="yaml_syntax", fresh=True)


def case_policy_anchor_bomb(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    rules = _write(d / "rules.yaml", "kind: monitoring\n" + anchor_bomb().split("\n", 2)[2])
    return Case(["monitor", str(ds), "--rules", str(rules)], code="yaml_syntax")


def case_dataset_yaml_anchor_bomb(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    _write(ds / "dataset.yaml", anchor_bomb())
    return Case(["validate", str(ds)], code="yaml_syntax")


def case_framework_deep_nesting(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    return Case(["score", "--no-budget", "--framework", str(_write(d / "deep.yaml", DEEP)), "--data", str(data)],
                code="yaml_syntax", fresh=True)


def case_framework_alias_cycle(d: Path, base: Path) -> Case:
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    return Case(["score", "--no-budget", "--framework", str(_write(d / "cycle.yaml", CYCLE)), "--data", str(data)],
                code="yaml_syntax")


def case_policy_alias_cycle(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    rules = _write(d / "rules.yaml", "kind: application\nx: &x [*x]\n")
    return Case(["apply", str(ds), "--policy", str(rules)], code="yaml_syntax")


def case_policy_binary(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (d / "rules.yaml").write_bytes(b"kind: monitoring\n\x00\xff\xfe\x81garbage")
    return Case(["monitor", str(ds), "--rules", str(d / "rules.yaml")], code="wrong_encoding")


def case_dataset_yaml_binary(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (ds / "dataset.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return Case(["validate", str(ds)], code="wrong_encoding")


def case_exante_policy_not_utf8(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    (d / "p.yaml").write_bytes(b"kind: exante\nname: \xff\xfe\xfa\xfb\x81\x30\n")
    return Case(["exante", str(ds), "--policy", str(d / "p.yaml")])


def case_render_params_anchor_bomb(d: Path, base: Path) -> Case:
    params = _write(d / "params.yaml", anchor_bomb())
    return Case(["render", "self_evaluation", "--params", str(params), "--out", str(d / "out")],
                outputs=[d / "out"])  # the code depends on whether the category's notebook exists yet


def case_render_params_fifo(d: Path, base: Path) -> Case:
    os.mkfifo(d / "params.yaml")
    return Case(["render", "self_evaluation", "--params", str(d / "params.yaml"), "--out", str(d / "out")],
                outputs=[d / "out"])


# --- hostile workbooks --------------------------------------------------------------------------------------------

def case_score_xlsx_xfd_rows(d: Path, base: Path) -> Case:
    return Case(["score", "--no-budget", "--framework", "project_self", "--data", str(wide_xlsx(d / "wide.xlsx"))],
                code="sheet_too_large", fresh=True)


def case_validate_xlsx_xfd_rows(d: Path, base: Path) -> Case:
    return Case(["validate", str(wide_xlsx(d / "wide.xlsx"))], code="sheet_too_large", fresh=True)


def case_apply_totals_xlsx_false_dimension(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    book = wide_xlsx(d / "totals.xlsx", rows=50, column="ZZZ", dimension="A1:XFD1048576")
    return Case(["apply", str(ds), "--totals", str(book)], code="sheet_too_large")


def case_xlsx_not_a_zip(d: Path, base: Path) -> Case:
    (d / "book.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip file" * 10)
    return Case(["score", "--no-budget", "--framework", "project_self", "--data", str(d / "book.xlsx")])


def case_xlsx_empty_zip(d: Path, base: Path) -> Case:
    with zipfile.ZipFile(d / "book.xlsx", "w") as z:
        z.writestr("hello.txt", "no workbook here")
    return Case(["audit", "--data", str(d / "book.xlsx")])


def case_csv_binary(d: Path, base: Path) -> Case:
    (d / "in.csv").write_bytes(bytes(range(256)) * 40)
    return Case(["score", "--no-budget",
                "--framework", "project_self", "--data", str(d / "in.csv")], code="wrong_encoding")


# --- arguments ----------------------------------------------------------------------------------------------------

def _args_case(extra: list[str], command: str = "audit") -> Callable[[Path, Path], Case]:
    def build(d: Path, base: Path) -> Case:
        data = shutil.copy(base / "indicators.csv", d / "in.csv")
        head = {"audit": ["audit", "--data", str(data)],
                "score": ["score", "--no-budget", "--framework", "project_self", "--data", str(data)]}[command]
        return Case([*head, *extra], exits=(2,))
    return build


case_tolerance_nan = _args_case(["--tolerance", "nan"])
case_tolerance_negative = _args_case(["--tolerance", "-1"])
case_decimals_huge = _args_case(["--decimals", "100000"], "score")
case_decimals_308 = _args_case(["--decimals", "308"], "score")
case_over_achievement_nan = _args_case(["--over-achievement", "nan"], "score")


def case_draws_billion(d: Path, base: Path) -> Case:
    return Case(["demo", "--out", str(d / "out"), "--draws", "1000000000"], outputs=[d / "out"], exits=(2,))


def case_weights_threshold_nan(d: Path, base: Path) -> Case:
    m = _write(d / "m.csv", ",a,b\na,1,3\nb,1/3,1\n")
    return Case(["weights", "ahp", str(m), "--threshold", "nan"], exits=(2,))


def case_weights_matrix_1e300(d: Path, base: Path) -> Case:
    m = _write(d / "m.csv", ",a,b,c\na,1,1e300,3\nb,1e-300,1,2\nc,1/3,1/2,1\n")
    return Case(["weights", "ahp", str(m)], code="out_of_range")


def case_monitor_month_13(d: Path, base: Path) -> Case:
    return Case(["monitor", str(_copy(base, d)), "--month", "13"], code="--month", exits=(2,))


# --- numbers and ids that must not pass ---------------------------------------------------------------------------

def case_monitor_infinite_values(d: Path, base: Path) -> Case:
    ds = _copy(base, d)

    def edit(lines: list[str]) -> list[str]:
        budget = [i for i, line in enumerate(lines) if ",budget," in line][:3]
        for i, value in zip(budget, ("inf", "1e400", "-5")):
            cells = lines[i].split(",")
            cells[3] = value
            lines[i] = ",".join(cells)
        return lines

    _edit_csv(ds / "monitoring.csv", edit)
    return Case(["monitor", str(ds)], code="not_finite")


def _dup_units(d: Path, base: Path) -> Path:
    ds = _copy(base, d)
    _edit_csv(ds / "units.csv", lambda lines: [*lines, lines[1].replace(lines[1].split(",")[1], "又一个名称")])
    return ds


def case_exante_duplicate_units(d: Path, base: Path) -> Case:
    return Case(["exante", str(_dup_units(d, base))], code="duplicate_unit")


def case_apply_duplicate_units(d: Path, base: Path) -> Case:
    return Case(["apply", str(_dup_units(d, base))], code="duplicate_unit")


def case_monitor_duplicate_units(d: Path, base: Path) -> Case:
    return Case(["monitor", str(_dup_units(d, base))], code="duplicate_unit")


def case_apply_totals_out_of_range(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    totals = _write(d / "totals.csv", "unit_id,total\n0010001,150\n0010002,-5\n")
    return Case(["apply", str(ds), "--totals", str(totals)], code="out_of_range")


def case_apply_totals_grade_mismatch(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    totals = _write(d / "totals.csv", "unit_id,total,grade\n0010001,95,差\n")
    return Case(["apply", str(ds), "--totals", str(totals)], code="grade_mismatch")


def case_apply_totals_duplicated(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    totals = _write(d / "totals.csv", "unit_id,total\n0010001,95\n0010001,55\n")
    return Case(["apply", str(ds), "--totals", str(totals)], code="duplicate_unit")


def case_apply_totals_control_characters(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    totals = _write(d / "totals.csv", "unit_id,total\n\u202e0010001,95\n00\x1b10002,80\n")
    return Case(["apply", str(ds), "--totals", str(totals), "--out", str(d / "out.xlsx")],
                outputs=[d / "out.xlsx"], code="bad_id")


def case_units_control_characters(d: Path, base: Path) -> Case:
    ds = _copy(base, d)
    _edit_csv(ds / "units.csv", lambda lines: [lines[0], "\u202e" + lines[1], *lines[2:]])
    return Case(["exante", str(ds), "--out", str(d / "out.xlsx")], outputs=[d / "out.xlsx"], code="bad_id")


def case_score_inverted_bands(d: Path, base: Path) -> Case:
    import perfeval as pe

    fw = pe.load_framework("project_self").to_dict()
    for band in fw["bands"]:
        band["min"], band["max"] = band["max"], band["min"]
    import yaml

    path = _write(d / "inverted.yaml", yaml.safe_dump(fw, allow_unicode=True))
    data = shutil.copy(base / "indicators.csv", d / "in.csv")
    return Case(["score", "--no-budget", "--framework", str(path), "--data", str(data), "--out", str(d / "out.csv")],
                outputs=[d / "out.csv"])


def case_score_unit_without_id(d: Path, base: Path) -> Case:
    data = d / "in.csv"
    shutil.copy(base / "indicators.csv", data)
    _edit_csv(data, lambda lines: [lines[0], "," + lines[1].split(",", 1)[1], *lines[2:]])
    return Case(["score", "--no-budget", "--framework", "project_self", "--data", str(data)])


CASES: dict[str, Callable[[Path, Path], Case]] = {
    name[len("case_"):]: func for name, func in sorted(globals().items()) if name.startswith("case_")}


def main(argv: list[str]) -> int:  # pragma: no cover - a manual fuzz run
    from perfeval.cli.samples import export_sample

    root = Path(argv[0])
    root.mkdir(parents=True, exist_ok=True)
    base = root / "_base"
    if not base.exists():
        export_sample("province", base)
    for name, build in CASES.items():
        d = root / name
        d.mkdir(exist_ok=True)
        case = build(d, base)
        (d / "command.txt").write_text(" ".join(["perfeval", *case.argv]) + "\n", encoding="utf-8")
    print(f"{len(CASES)} cases in {root}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
