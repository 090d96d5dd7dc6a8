"""Hostile inputs over every command (issue 17): the corpus of ``tests/hostile_corpus.py``, and formula injection.

Each corpus case must end with exit status 1 (invalid input) or 2 (usage), a located line (``location: code:
message``, or argparse's ``error: argument ...``), no traceback and no raw Python warning, every file of its folder
byte-identical and no new file or folder (no partial output, no temporary file left). The memory and time cases
run in a fresh process, measured with ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process: under 1 GiB resident and
30 s each (wall time on a shared machine: generous on purpose).
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from perfeval.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from hostile_corpus import CASES, FORMULA  # noqa: E402

LOCATED = re.compile(r"^\S[^\n]*?: [a-z][a-z_]*: \S")  # file[:row[:column]]: code: message
USAGE = re.compile(r"^perfeval [a-z ]+: error: (argument|the following)")
GIB = 1 << 30


@pytest.fixture(scope="session")
def base(tmp_path_factory) -> Path:
    from perfeval.cli.samples import export_sample

    folder = tmp_path_factory.mktemp("hostile") / "base"
    export_sample("province", folder)
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: regular files by content hash, the rest by kind (a FIFO is never opened)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            st = os.lstat(p)
            rel = str(p.relative_to(folder))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = "link:" + os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "dir" if stat.S_ISDIR(st.st_mode) else f"mode:{stat.S_IFMT(st.st_mode)}"
    return out


def run_in_process(argv: list[str]) -> tuple[int, str, list[warnings.WarningMessage]]:
    """Exit status, standard output + error, and warnings that escaped the command (a raw warning line)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return int(code), out.getvalue(), list(caught)


_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
try:
    p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
    rc, text = p.returncode, p.stdout + p.stderr
except subprocess.TimeoutExpired:
    rc, text = -9, "timeout"
print(json.dumps({"rc": rc, "text": text, "seconds": time.perf_counter() - start,
                  "rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


def run_fresh(argv: list[str]) -> tuple[int, str, float, int]:
    """Exit status, output, seconds and peak resident bytes of ``perfeval argv`` in a fresh process."""
    p = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "perfeval", *argv],
                       capture_output=True, text=True, timeout=200)
    doc = json.loads(p.stdout)
    return doc["rc"], doc["text"], doc["seconds"], doc["rss"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(name, base, tmp_path):
    if os.geteuid() == 0 and "unreadable" in name:  # pragma: no cover - root reads everything
        pytest.skip("permissions do not bind root")
    case = CASES[name](tmp_path, base)
    before = snapshot(tmp_path)
    if case.fresh:
        code, text, seconds, rss = run_fresh(case.argv)
        assert seconds < 30, f"{name}: {seconds:.1f} s"
        assert rss < GIB, f"{name}: {rss / 2**20:.0f} MiB resident"
        escaped = []
    else:
        code, text, escaped = run_in_process(case.argv)
    lines = [line for line in text.splitlines() if line.strip()]
    assert code in case.exits, f"{name}: exit {code}\n{text}"
    assert "Traceback" not in text and not any(line.lstrip().startswith('File "') for line in lines), text
    assert not escaped, f"{name}: raw warnings {[str(w.message) for w in escaped]}"
    assert any(LOCATED.match(line) or USAGE.match(line) for line in lines), f"{name}: no located line\n{text}"
    if case.code:
        assert case.code in text, f"{name}: expected {case.code}\n{text}"
    assert snapshot(tmp_path) == before, f"{name}: files changed or created"
    for out in case.outputs:
        assert not out.exists() or out.relative_to(tmp_path).as_posix() in before


def test_a_missing_output_folder_is_created_only_as_the_last_component_or_with_mkdir(base, tmp_path):
    ds = tmp_path / "ds"
    shutil.copytree(base, ds)
    code, text, _ = run_in_process(["exante", str(ds), "--out", str(tmp_path / "new" / "x.csv")])
    assert code == 0 and (tmp_path / "new" / "x.csv").is_file(), text
    code, text, _ = run_in_process(["exante", str(ds), "--out", str(tmp_path / "a" / "b" / "x.csv"), "--mkdir"])
    assert code == 0 and (tmp_path / "a" / "b" / "x.csv").is_file(), text


def test_a_multi_file_write_failing_midway_leaves_no_partial_output(tmp_path, monkeypatch):
    """The tables of the year (``Analysis.write``, what demo and annual write) appear only when all are written."""
    import perfeval as pe
    import perfeval.pipeline as P

    def broken(self, directory):
        raise OSError(28, "No space left on device", str(directory))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = P.analyse(pe.load_sample("province"), draws=20)
    monkeypatch.setattr(P.Analysis, "_charts", broken)
    with pytest.raises(pe.InputError, match="demo: bad_output: cannot write the output: No space left on device"):
        analysis.write(tmp_path / "demo")
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a temporary one


def test_dataset_yaml_paths_are_relative_to_the_dataset_folder(base, tmp_path, monkeypatch):
    ds = tmp_path / "ds"
    shutil.copytree(base, ds)
    (ds / "fw").mkdir()
    shutil.copy(Path(__file__).parent.parent / "templates" / "frameworks" / "project_self.yaml", ds / "fw" / "m.yaml")
    meta = (ds / "dataset.yaml").read_text(encoding="utf-8").replace("  self: project_self", "  self: fw/m.yaml")
    (ds / "dataset.yaml").write_text(meta, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, text, _ = run_in_process(["apply", str(ds)])
    assert code == 0, text
    (ds / "fw" / "m.yaml").write_text("name: broken\n", encoding="utf-8")  # now it must be this file that fails
    code, text, _ = run_in_process(["apply", str(ds)])
    assert code == 1 and f"{ds / 'fw' / 'm.yaml'}:1: missing_key" in text, text


def test_validate_prints_warnings_as_located_problems(base, tmp_path):
    ds = tmp_path / "ds"
    shutil.copytree(base, ds)
    code, text, escaped = run_in_process(["validate", str(ds)])
    assert code == 0 and not escaped
    line = next(line for line in text.splitlines() if "executed above the full-year budget" in line)
    assert re.match(rf"{re.escape(str(ds / 'budget.csv'))}:\d+: data_quality: warning: ", line), line


def test_a_blank_grade_is_never_silent():
    """Points adding up above the framework's total give a total outside the bands: a located no_grade warning
    (scored as given: the default points_policy="rescale" of issue 14 brings them back to 90)."""
    import perfeval as pe

    obs = pd.DataFrame({"unit_id": "P1", "l1": ["产出指标", "效益指标", "满意度指标"],
                        "l2": ["数量指标", "社会效益指标", "服务对象满意度指标等"],
                        "indicator": ["培训人次", "就业率", "满意度"], "target": ["≥1000人次", "≥80%", "≥90%"],
                        "actual": ["1200人次", "85%", "95%"], "points": [150, 30, 10]})
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [100.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pe.score("project_self", obs, budget, points_policy="as_given")
        rescaled = pe.score("project_self", obs, budget)
    assert rescaled.totals["total"].iloc[0] == 100 and rescaled.totals["grade"].iloc[0] == "优"
    assert res.totals["total"].iloc[0] == 200 and res.totals["grade"].isna().all()
    [p] = [p for p in res.problems if p.code == "no_grade"]
    assert p.location == "observations:2" and "total 200 is outside the grade bands [0, 100]" in p.message


# --- formula injection ---------------------------------------------------------------------------------------------

NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")


def excel_formula(text: object) -> bool:
    """Would Excel evaluate this typed text as a formula? (``=``, ``+``, ``-``, ``@`` first; not a plain number)."""
    return isinstance(text, str) and text[:1] in ("=", "+", "-", "@") and not NUMBER.match(text)


def formula_cells(path: Path) -> list[str]:
    """Cells of a CSV or XLSX file that Excel would evaluate as a formula."""
    found = []
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for r, row in enumerate(csv.reader(fh), start=1):
                found += [f"{path.name}:{r}:{c}: {v!r}" for c, v in enumerate(row, start=1)
                          if excel_formula(v) or v[:1] in ("\t", "\r")]
        return found
    with zipfile.ZipFile(path) as z:  # no formula element anywhere
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<(\w+:)?f[ >]", z.read(name)):
                found.append(f"{path.name}:{name}: <f> element")
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{path.name}:{ws.title}!{cell.coordinate}: formula {cell.value!r}")
    return found


def cell_texts(path: Path) -> set[str]:
    """Every text cell of a CSV or XLSX file."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {v for row in csv.reader(fh) for v in row}
    wb = load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


@pytest.fixture(scope="module")
def formula_dataset(tmp_path_factory) -> Path:
    """The sample province with one unit of every file renamed ``=cmd|" /C calc"!A0`` (and formula-like names)."""
    from perfeval.cli.samples import export_sample

    ds = tmp_path_factory.mktemp("formula") / "ds"
    export_sample("province", ds)
    exante_unit = pd.read_csv(ds / "exante.csv", dtype=str)["unit_id"].iloc[0]
    unit = pd.read_csv(ds / "recheck.csv", dtype=str)["unit_id"].iloc[0]  # a re-checked project: in every file
    for path in ds.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in ("unit_id", "a", "b", "expert_id"):
            if column in frame:
                renames = {unit: FORMULA, "X01": "@SUM(1)"}
                if path.name == "exante.csv":  # its unit becomes 0010002's twin (also a unit of units.csv)
                    renames[exante_unit] = FORMULA
                frame[column] = frame[column].replace(renames)
        if "name" in frame:
            frame.loc[frame.index[:3], "name"] = ["+1+1", "-2+3", '=HYPERLINK("http://x","y")']
        frame.to_csv(path, index=False)
    return ds


def test_no_output_holds_a_formula(formula_dataset, tmp_path):
    import perfeval as pe

    ds = formula_dataset
    out = tmp_path
    runs = [
        ["score", "--framework", "project_self", "--data", str(ds / "indicators.csv"), "--budget",
         str(ds / "budget.csv"), "--out", str(out / "score.csv")],
        ["score", "--framework", "project_self", "--data", str(ds / "indicators.csv"), "--budget",
         str(ds / "budget.csv"), "--out", str(out / "score.xlsx")],
        ["audit", "--data", str(ds / "indicators.csv"), "--budget", str(ds / "budget.csv"), "--out",
         str(out / "audit.csv")],
        ["audit", "--data", str(ds / "indicators.csv"), "--budget", str(ds / "budget.csv"), "--out",
         str(out / "audit.xlsx")],
        ["recheck", "--self", str(ds / "budget.csv"), "--recheck", str(ds / "recheck.csv"), "--out",
         str(out / "recheck.csv")],
        ["recheck", "--self", str(ds / "budget.csv"), "--recheck", str(ds / "recheck.csv"), "--out",
         str(out / "recheck.xlsx")],
        ["monitor", str(ds), "--out", str(out / "monitor.csv")],
        ["monitor", str(ds), "--out", str(out / "monitor.xlsx")],
        ["exante", str(ds), "--out", str(out / "exante.csv")],
        ["exante", str(ds), "--out", str(out / "exante.xlsx")],
        ["apply", str(ds), "--out", str(out / "apply.csv")],
        ["apply", str(ds), "--out", str(out / "apply.xlsx")],
        ["weights", "survey", str(ds / "ahp_survey.csv"), "--out", str(out / "survey.csv")],
    ]
    matrix = out / "m.csv"
    matrix.write_text(f'"",a,"{FORMULA.replace(chr(34), chr(34) * 2)}"\na,1,3\n"{FORMULA.replace(chr(34), chr(34) * 2)}"'
                      ",1/3,1\n", encoding="utf-8")
    entropy = out / "e.csv"
    entropy.write_text(f'unit,"{FORMULA.replace(chr(34), chr(34) * 2)}",+x\nA,1,2\nB,2,3\nC,4,1\n', encoding="utf-8")
    answers = out / "answers.csv"
    pd.DataFrame({"unit_id": FORMULA, "respondent_id": [1, 2, 3], "question": "+q1",
                  "answer": ["满意", "不满意", "满意"]}).to_csv(answers, index=False)
    runs += [["weights", "ahp", str(matrix), "--out", str(out / "ahp.csv")],
             ["weights", "entropy", str(entropy), "--out", str(out / "entropy.csv")],
             ["survey", "rate", str(answers), "--method", "share", "--out", str(out / "survey_rate.csv")]]
    for argv in runs:
        code, text, _ = run_in_process(argv)
        assert code == 0, f"{argv}\n{text}"
    frame = pd.DataFrame({"unit_id": [FORMULA, "+1+1", "-2+3", "@SUM(1)", "\tx", "ok"], "total": [1.0, -2.5, 3, 4, 5, 6],
                          "text": ["-2.5", "-", "=", None, "a=b", "\x1bE"]})
    pe.write_table(frame, out / "table.csv")
    pe.write_table(frame, out / "table.xlsx")
    obs = pd.read_csv(ds / "indicators.csv", dtype=str)
    obs = obs[obs["unit_id"] == FORMULA]
    pe.write_selfeval_form(out / "form.xlsx", observations=obs, unit={"unit_id": FORMULA, "name": "+1+1"})
    written = sorted(p for p in out.iterdir() if p.suffix in (".csv", ".xlsx")
                     and p.name not in ("m.csv", "e.csv", "answers.csv"))
    assert len(written) == 19
    holding = {p.name for p in written if FORMULA in cell_texts(p) or "'" + FORMULA in cell_texts(p)}
    assert {"score.csv", "score.xlsx", "recheck.csv", "recheck.xlsx", "monitor.csv", "monitor.xlsx", "exante.csv",
            "exante.xlsx", "apply.csv", "apply.xlsx", "ahp.csv", "entropy.csv", "table.csv", "table.xlsx",
            "form.xlsx", "survey_rate.csv"} <= holding, holding
    problems = [cell for p in written for cell in formula_cells(p)]
    assert problems == []
    # the data survives: a CSV perfeval wrote reads back as it was; numbers stay numbers in XLSX
    back = pe.read_table(out / "table.csv", {"unit_id": ()}, ["unit_id"])
    assert back["unit_id"].tolist() == frame["unit_id"].str.strip().tolist()  # ids are read stripped
    assert back["text"].tolist()[:3] == ["-2.5", "-", "="]
    ws = load_workbook(out / "table.xlsx")["Sheet1"]
    assert [c.value for c in ws["A"]][1:] == frame["unit_id"].tolist()
    assert ws["B3"].value == -2.5 and ws["B3"].data_type == "n"
    assert ws["A2"].quotePrefix and ws["C7"].value == "\ufffdE"


def test_no_formula_check_can_fail(tmp_path):
    """The checker itself finds formulas: a workbook pandas writes and a raw CSV."""
    pd.DataFrame({"a": [FORMULA]}).to_excel(tmp_path / "raw.xlsx", index=False)
    pd.DataFrame({"a": ["+1+1", "-2.5"]}).to_csv(tmp_path / "raw.csv", index=False)
    assert len(formula_cells(tmp_path / "raw.xlsx")) == 2  # the <f> element and the cell
    assert formula_cells(tmp_path / "raw.csv") == ["raw.csv:2:1: '+1+1'"]
