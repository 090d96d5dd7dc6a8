"""The rendering engine on a small probe notebook (tests/data/reports/probe.ipynb): parameters checked before
anything runs, offline deterministic HTML, escaping, safe file names, provenance, errors."""
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import perfeval as pe
from perfeval.cli import main
from perfeval.datasets import resolve_dataset
from perfeval.reports import _engine

PROBE_DIR = Path(__file__).parent / "data" / "reports"
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def probe_notebooks(monkeypatch):
    monkeypatch.setattr(_engine, "notebooks_dir", lambda: PROBE_DIR)


@pytest.fixture(scope="module")
def hostile_dataset(tmp_path_factory):
    """The sample's units, indicators and budget with two projects renamed to markup."""
    folder = tmp_path_factory.mktemp("hostile")
    sample = resolve_dataset("province")
    for name in ("indicators.csv", "budget.csv"):
        shutil.copy(sample / name, folder / name)
    units = pd.read_csv(sample / "units.csv", dtype=str, keep_default_na=False)
    units.loc[0, "name"], units.loc[1, "name"] = HOSTILE
    units.to_csv(folder / "units.csv", index=False)
    return folder, units.loc[0, "unit_id"], units.loc[1, "unit_id"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    import perfeval.reports._engine as engine

    original = engine.notebooks_dir
    engine.notebooks_dir = lambda: PROBE_DIR
    try:
        out = tmp_path_factory.mktemp("probe")
        first = pe.reports.render("probe", {"unit_id": "0010001"}, out / "a")
        second = pe.reports.render("probe", {"unit_id": "0010001"}, out / "b")
    finally:
        engine.notebooks_dir = original
    return first, second


def test_render_writes_an_offline_page(rendered):
    result, _ = rendered
    page = result.html.read_text(encoding="utf-8")
    assert result.status == "ok" and set(result.paths) == {"html", "ipynb", "log", "json"}
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh">' in page
    assert "高校科研创新平台建设（0010001）绩效报告" in page and result.title.endswith("绩效报告")
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "http://" not in page and "https://" not in page
    assert 'src="data:image/png;base64,' in page
    assert "<script" not in page  # no script of any kind in a report page
    # no code, no prompts, no stderr, no traceback, no absolute path of this machine
    assert "import perfeval" not in page and "In&nbsp;[" not in page and "jp-InputPrompt" not in page
    assert "must not show" not in page and "Traceback" not in page
    assert "不随软件发布" not in page  # markdown cells are notes for the notebook's reader, not report content
    assert str(Path.cwd()) not in page and str(PROBE_DIR) not in page and "/tmp/" not in page
    assert "site-packages" not in page


def test_warnings_go_to_the_log_and_the_page_shows_their_count(rendered):
    result, _ = rendered
    assert any("a warning the page must not show" in w for w in result.warnings)
    assert any("stderr text the page must not show" in w for w in result.warnings)
    assert not any("Glyph" in w for w in result.warnings)  # the CJK font is found: no tofu in charts
    page = result.html.read_text(encoding="utf-8")
    assert f"计算警告（见运行日志） {len(result.warnings)}" in page
    assert "a warning the page must not show" in result.paths["log"].read_text(encoding="utf-8")


def test_identical_inputs_give_byte_identical_html(rendered):
    first, second = rendered
    assert first.html.read_bytes() == second.html.read_bytes()
    assert first.fingerprint == second.fingerprint and first.fingerprint in first.html.read_text(encoding="utf-8")


def test_facts_and_provenance(rendered):
    result, _ = rendered
    assert result.facts == {"unit_id": "0010001", "name": "高校科研创新平台建设", "total": 89.996, "grade": "良",
                            "month": 8}
    page = result.html.read_text(encoding="utf-8")
    digest = __import__("hashlib").sha256((resolve_dataset("province") / "units.csv").read_bytes()).hexdigest()
    assert "province/units.csv" in page and digest in page
    for package in ("perfeval", "pandas", "papermill", "nbconvert"):
        assert f"{package} " in page
    assert result.to_frame().loc[0, "fact_grade"] == "良"


def test_hostile_names_render_as_text(hostile_dataset, tmp_path):
    folder, first_id, second_id = hostile_dataset
    for unit_id, text in zip((first_id, second_id), HOSTILE):
        result = pe.reports.render("probe", {"data": str(folder), "unit_id": unit_id}, tmp_path)
        page = result.html.read_text(encoding="utf-8")
        assert text not in page
        assert "&lt;" + text[1:6] in page  # shown, escaped
        assert str(folder) not in page and folder.name + "/units.csv" in page


def test_an_id_with_a_path_stays_inside_the_output_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    sample = resolve_dataset("province")
    units = pd.read_csv(sample / "units.csv", dtype=str, keep_default_na=False)
    units.loc[0, "unit_id"], units.loc[1, "unit_id"] = "../../etc/x", "财政厅/项目"
    units.to_csv(folder / "units.csv", index=False)
    out = tmp_path / "out"
    result = pe.reports.render("probe", {"data": str(folder), "unit_id": "../../etc/x"}, out)
    for path in result.paths.values():
        assert path.resolve().parent == out.resolve()
    assert result.html.name.startswith("probe-etc_x-")
    chinese = pe.reports.render("probe", {"data": str(folder), "unit_id": "财政厅/项目"}, out)
    assert chinese.html.parent == out and re.fullmatch(r"probe-_-[0-9a-f]{8}\.html|probe-[0-9a-f]{8}\.html",
                                                       chinese.html.name)
    with pytest.raises(pe.InputError, match="unknown_subject"):  # an id that is no unit is refused up front
        pe.reports.prepare("probe", {"data": str(folder), "unit_id": "../../../x"})


@pytest.mark.parametrize("params, code", [
    ({"nope": 1}, "unknown_parameter"),
    ({"x=1;print('pwn')": 1}, "bad_parameter_name"),
    ({"__import__('os').system('x')": 1}, "bad_parameter_name"),
    ({"unit_id": object()}, "not_json"),
    ({"unit_id": Path("x\"; import os")}, "not_json"),
    ({"month": float("nan")}, "not_json"),
    ({"month": "8"}, "wrong_type"),
    ({"month": 13}, "not_allowed"),
    ({"lang": "fr"}, "not_allowed"),
    ({"fail": "yes"}, "wrong_type"),
    ({"unit_id": None}, "wrong_type"),
])
def test_bad_parameters_are_refused_before_anything_runs(params, code, tmp_path):
    with pytest.raises(pe.InputError) as err:
        pe.reports.prepare("probe", params)
    assert [p.code for p in err.value.problems] == [code]
    assert err.value.problems[0].location.startswith("probe:")


def test_a_string_value_with_code_stays_a_string(monkeypatch):
    monkeypatch.setattr(_engine, "_check_subject", lambda category, values: None)  # about injection, not units
    prepared = pe.reports.prepare("probe", {"unit_id": "\"; import os; os.system('touch pwned') #\n'''"})
    injected = next(c for c in prepared.notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert injected["id"] == "injected-parameters"
    namespace: dict = {}
    exec(injected.source, namespace)  # noqa: S102 - the injected cell is plain assignments of literals
    assert namespace["unit_id"] == "\"; import os; os.system('touch pwned') #\n'''"


def test_unknown_category_lists_the_known_ones():
    with pytest.raises(pe.InputError, match="the categories are: probe"):
        pe.reports.prepare("nope")
    with pytest.raises(pe.InputError, match="unknown_report"):
        pe.reports.prepare("../probe")


def test_a_failing_cell_is_a_report_error_with_its_cell(tmp_path):
    with pytest.raises(pe.ReportExecutionError) as err:
        pe.reports.render("probe", {"fail": True}, tmp_path)
    assert err.value.ename == "ValueError" and "planted failure" in err.value.evalue
    assert err.value.cell is not None and err.value.status == "error"
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_render_keeps_leading_zeros_and_lists(tmp_path, capsys):
    assert main(["render", "probe", "-p", "unit_id", "0010001", "-p", "month", "7", "--out", str(tmp_path)]) == 0
    record = __import__("json").loads((tmp_path / "probe-0010001.json").read_text(encoding="utf-8"))
    assert record["facts"]["unit_id"] == "0010001" and record["facts"]["month"] == 7
    assert main(["render", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "probe: 测试报告" in listing and "month (int, default 8; 1..12): 月份" in listing


def test_cli_render_bad_parameter_is_one_located_line(tmp_path, capsys):
    assert main(["render", "probe", "-p", "month", "eight", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "probe:month: wrong_type: `month` must be int; got 'eight'"
    assert main(["render", "probe", "-p", "bogus", "1", "--out", str(tmp_path)]) == 1
    assert "unknown_parameter" in capsys.readouterr().err
    params = tmp_path / "p.yaml"
    params.write_text("lang: en\nunit_id: '0010002'\n", encoding="utf-8")
    assert main(["render", "probe", "--params", str(params), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "probe-0010002-en.html").is_file()
    assert '<html lang="en">' in (tmp_path / "probe-0010002-en.html").read_text(encoding="utf-8")


def test_a_category_without_its_data_or_subject_is_a_located_error(monkeypatch):
    """Checked before anything runs, on the real catalogue: the hand-made dataset has no department indicators,
    and no unit 9999999."""
    from perfeval._resources import notebooks_dir

    monkeypatch.setattr(_engine, "notebooks_dir", notebooks_dir)
    handmade = str(Path(__file__).parent / "data" / "handmade")
    if "department" not in set(pe.reports.list_reports()["category"]):
        pytest.skip("report notebooks not in this tree")
    with pytest.raises(pe.InputError) as err:
        pe.reports.prepare("department", {"data": handmade, "department_id": "D01"})
    assert [p.code for p in err.value.problems] == ["no_data_for_report"]
    assert err.value.problems[0].location == "handmade/department_indicators.csv"
    with pytest.raises(pe.InputError, match="unknown_subject.*9999999"):
        pe.reports.prepare("self_evaluation", {"data": handmade, "unit_id": "9999999"})
    assert pe.reports.prepare("self_evaluation", {"data": handmade, "unit_id": "H002"}).stem == "self_evaluation-H002"


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_notes_path_that_is_not_a_file_is_a_located_error(kind, tmp_path):
    """A FIFO would block the reader forever and a folder is not "not found": both are named for what they are."""
    import os

    notes = tmp_path / "notes.yaml"
    os.mkfifo(notes) if kind == "fifo" else notes.mkdir()
    with pytest.raises(pe.InputError) as err:
        pe.reports.prepare("probe", {"unit_id": "0010001", "notes": str(notes)})
    (problem,) = err.value.problems
    assert problem.code == "not_a_file" and problem.location == str(notes)
    assert ("FIFO" if kind == "fifo" else "directory") in problem.message


def test_one_html_exporter_per_language_is_reused(rendered):
    """The second page of a process reuses the first page's exporter (its template compiled once)."""
    assert _engine._html_exporter("zh") is _engine._html_exporter("zh")
    assert _engine._html_exporter("zh") is not _engine._html_exporter("en")
