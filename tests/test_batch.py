"""The annual batch (perfeval.reports.batch): statuses from the runner, isolation, the cache, plans, the Dask
executor and the index in a real browser.

The notebooks under ``tests/data/batch/`` (made by ``make_notebooks.py`` there) raise, hang, ``os._exit(1)``,
``sys.exit(0)`` early, leak state (a builtin, a monkeypatched module, a matplotlib rc setting, a pandas option,
an environment variable, a ``sys.modules`` entry, an attribute on perfeval) or check for leaked state.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import nbformat
import pandas as pd
import pytest

from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.reports._batch_cache import InputDigests, cache_key, canonical_json, report_scope
from perfeval.reports._batch_plan import read_plan
from perfeval.reports.batch import STATUSES, ReportRun, render_batch

DATA = Path(__file__).parent / "data" / "batch"


def _row(name: str, label: str, value: int = 80) -> dict:
    return {"notebook": str(DATA / f"{name}.ipynb"), "params": {"name": label, "value": value}}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def failing_batch(tmp_path_factory):
    """One batch through the CLI: two ok reports around one that raises, hangs, crashes and exits early."""
    out = tmp_path_factory.mktemp("failing")
    plan = out / "plan.yaml"
    rows = [_row("ok", "first", 91), _row("raises", "r"), _row("hangs", "h"), _row("crashes", "c"),
            _row("exits", "e"), _row("ok", "last", 75)]
    import yaml

    plan.write_text(yaml.safe_dump(rows, allow_unicode=True), "utf-8")
    code = main(["batch", str(plan), "--out", str(out / "out"), "--jobs", "2", "--timeout", "4", "--no-progress"])
    manifest = json.loads((out / "out" / "manifest.json").read_text("utf-8"))
    return code, out / "out", manifest


@pytest.mark.slow
def test_four_failures_get_their_own_status_and_the_rest_succeed(failing_batch):
    code, out, manifest = failing_batch
    assert code == 1
    by = {r["params"]["name"]: r for r in manifest["reports"]}
    assert [by[n]["status"] for n in ("first", "r", "h", "c", "e", "last")] == \
        ["ok", "error", "timeout", "crashed", "error", "ok"]
    # cell indexes are those of the executed notebook (title, parameters, injected parameters, facts, ...)
    assert (by["r"]["ename"], by["r"]["evalue"], by["r"]["cell"]) == ("ValueError", "bad data for r", 4)
    assert by["h"]["ename"] == "Timeout" and "within 4 s" in by["h"]["evalue"] and by["h"]["cell"] == 4
    assert by["c"]["ename"] == "Crashed" and "exited with code 1" in by["c"]["evalue"] and by["c"]["cell"] == 4
    assert by["e"]["ename"] == "SystemExit" and by["e"]["cell"] == 4
    assert by["e"]["evalue"] == "sys.exit(0); 2 later code cell(s) did not run"
    assert by["h"]["timings"]["total"] < 10  # killed at its timeout, not left running
    assert manifest["counts"] == {"ok": 2, "error": 2, "timeout": 1, "crashed": 1, "skipped": 0}
    for r in manifest["reports"]:
        assert (out / r["log"]).is_file()
        assert (r["html"] is not None) == (r["status"] == "ok")
    assert "bad data for r" in (out / by["r"]["log"]).read_text("utf-8")  # the traceback went to the log
    assert by["first"]["facts"]["total"] == 91.0 and by["r"]["facts"] == {}  # no figures from a failed report


@pytest.mark.slow
def test_failures_are_listed_in_the_index_with_their_error(failing_batch):
    _, out, manifest = failing_batch
    html = (out / "index.html").read_text("utf-8")
    assert html.count('<li data-report="') == 4
    assert "bad data for r" in html and "SystemExit" in html
    assert not re.search(r'(src|href)="https?://', html)


@pytest.mark.slow
def test_reports_are_isolated_on_one_worker(tmp_path):
    """A report that leaks state (builtin, monkeypatched modules, rc setting, pandas option, environment,
    sys.modules, perfeval attribute, global) runs right before a report that checks for each, on one worker."""
    result = render_batch([_row("leaks", "l"), _row("checks", "c"), _row("leaks", "l2"), _row("checks", "c2")],
                          tmp_path, jobs=1, progress=False)
    assert [r.status for r in result.reports] == ["ok"] * 4, [r.evalue for r in result.reports]
    assert result.exit_code == 0


def test_the_leak_check_detects_leaks_without_the_fork():
    """Control for the isolation test: the same two notebooks in one shell (no fork) do see the leaks."""
    from perfeval.reports import _inprocess

    script = (
        "import nbformat, sys\n"
        "from perfeval.reports._inprocess import make_shell, run_notebook\n"
        "shell = make_shell()\n"
        f"a = nbformat.read({str(DATA / 'leaks.ipynb')!r}, as_version=4)\n"
        f"b = nbformat.read({str(DATA / 'checks.ipynb')!r}, as_version=4)\n"
        "print(run_notebook(a, shell).status)\n"
        "o = run_notebook(b, shell)\n"
        "print(o.status, o.ename, o.evalue)\n")
    assert _inprocess.INLINE_BACKEND
    done = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "ok"
    assert lines[1].startswith("error AssertionError state leaked from an earlier report")
    for leak in ("builtins", "statistics.mean monkeypatch", "perfeval.grades.grade monkeypatch", "rcParams",
                 "pandas option", "environment", "sys.modules", "perfeval attribute", "global"):
        assert leak in lines[1]


@pytest.mark.slow
def test_in_process_outputs_equal_papermill_outputs():
    """The outputs the batch records for a notebook are the ones papermill + a kernel record."""
    import papermill as pm

    from perfeval.reports._inprocess import make_shell, run_notebook

    script = (
        "import nbformat, pickle, sys\n"
        "from perfeval.reports._inprocess import make_shell, run_notebook\n"
        f"nb = nbformat.read({str(DATA / 'ok.ipynb')!r}, as_version=4)\n"
        "run_notebook(nb, make_shell())\n"
        "sys.stdout.write(nbformat.writes(nb))\n")
    done = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=DATA)
    ours = nbformat.reads(done.stdout, as_version=4)
    theirs = pm.execute_notebook(str(DATA / "ok.ipynb"), None, progress_bar=False, cwd=str(DATA))
    assert make_shell and run_notebook
    assert [c.get("outputs") for c in ours.cells] == [c.get("outputs") for c in theirs.cells]
    assert [c.get("execution_count") for c in ours.cells] == [c.get("execution_count") for c in theirs.cells]


@pytest.mark.slow
def test_rerun_renders_only_what_changed_and_force_renders_all(tmp_path):
    plan = [_row("ok", "a", 81), _row("ok", "b", 82), _row("ok", "c", 83)]
    first = render_batch(plan, tmp_path, jobs=2, progress=False)
    assert [r.status for r in first.reports] == ["ok"] * 3
    html = {r.name: _sha(tmp_path / r.html) for r in first.reports}
    second = render_batch(plan, tmp_path, jobs=2, progress=False)
    assert [r.status for r in second.reports] == ["skipped"] * 3 and second.exit_code == 0
    plan[1] = _row("ok", "b", 99)
    third = render_batch(plan, tmp_path, jobs=2, progress=False)
    assert [r.status for r in third.reports] == ["skipped", "ok", "skipped"]
    (tmp_path / first.reports[0].html).write_text("tampered", "utf-8")  # a changed output is rendered again
    fourth = render_batch(plan, tmp_path, jobs=2, progress=False)
    assert [r.status for r in fourth.reports] == ["ok", "skipped", "skipped"]
    assert _sha(tmp_path / fourth.reports[0].html) == html[first.reports[0].name]  # identical inputs, same bytes
    forced = render_batch(plan, tmp_path, jobs=2, progress=False, force=True)
    assert [r.status for r in forced.reports] == ["ok"] * 3


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_statuses_and_html(tmp_path):
    pytest.importorskip("distributed")
    plan = [_row("ok", "a", 81), _row("raises", "r"), _row("crashes", "c"), _row("exits", "e"), _row("ok", "b", 95)]
    local = render_batch(plan, tmp_path / "local", jobs=2, progress=False, timeout=60)
    dask = render_batch(plan, tmp_path / "dask", jobs=2, progress=False, timeout=60, executor="dask")
    assert [r.status for r in local.reports] == ["ok", "error", "crashed", "error", "ok"]
    assert [(r.name, r.status, r.ename, r.cell) for r in dask.reports] == \
        [(r.name, r.status, r.ename, r.cell) for r in local.reports]
    for a, b in zip(local.reports, dask.reports):
        if a.html:
            assert (tmp_path / "local" / a.html).read_bytes() == (tmp_path / "dask" / b.html).read_bytes()
    manifest = json.loads(dask.manifest.read_text("utf-8"))
    assert manifest["executor"] == "dask" and manifest["counts"]["ok"] == 2


def test_plan_from_csv_yaml_and_frame(tmp_path):
    csv = tmp_path / "plan.csv"
    csv.write_text("category,unit_id,month,data\nself_evaluation,0010001,,province\nmonitoring,,8,province\n",
                   "utf-8")
    rows = read_plan(csv)
    assert rows[0].category == "self_evaluation" and rows[0].params == {"unit_id": "0010001", "data": "province"}
    assert rows[1].params == {"month": "8", "data": "province"}
    yml = tmp_path / "plan.yaml"
    yml.write_text("reports:\n- category: recheck\n  params: {data: province}\n- category: department\n"
                   "  department_id: '001'\n", "utf-8")
    assert [(r.category, dict(r.params)) for r in read_plan(yml)] == \
        [("recheck", {"data": "province"}), ("department", {"department_id": "001"})]
    frame = pd.DataFrame({"category": ["exante"], "params": [{"unit_id": "0042024001"}]})
    assert read_plan(frame)[0].params == {"unit_id": "0042024001"}


def test_bad_plans_are_located_errors(tmp_path):
    with pytest.raises(InputError, match="bad_plan"):
        read_plan(pd.DataFrame({"unit_id": ["1"]}))
    bad = tmp_path / "plan.csv"
    bad.write_text('category,params\nrecheck,"{not json"\n', "utf-8")
    with pytest.raises(InputError) as err:
        read_plan(bad)
    assert err.value.problems[0].location == f"{bad}:2" and err.value.problems[0].code == "bad_params"
    with pytest.raises(InputError, match="exactly one of"):
        read_plan([{"params": {}}])
    with pytest.raises(InputError, match="not valid YAML"):
        (tmp_path / "p.yaml").write_text("- [unclosed", "utf-8")
        read_plan(tmp_path / "p.yaml")
    with pytest.raises(InputError, match="executor"):
        render_batch([], tmp_path, executor="spark")
    with pytest.raises(InputError, match="scheduler"):
        render_batch([], tmp_path, scheduler="tcp://x:1")


def test_a_row_with_bad_parameters_is_that_reports_error(tmp_path):
    result = render_batch([{"notebook": str(DATA / "ok.ipynb"), "params": {"nope": 1}},
                           {"notebook": str(DATA / "ok.ipynb"), "params": {"name": "x; import os"}}],
                          tmp_path, progress=False)
    first = result.reports[0]
    assert first.status == "error" and first.ename == "InputError" and "unknown_parameter" in first.evalue
    assert "`nope` is not a parameter of ok.ipynb" in first.evalue
    assert result.reports[1].status == "ok"  # a string value is data, never code
    assert result.exit_code == 1


def test_report_run_refuses_an_unknown_status():
    with pytest.raises(ValueError, match="`status` must be one of"):
        ReportRun("x", None, {}, "finished")
    assert STATUSES == ("ok", "error", "timeout", "crashed", "skipped")


# ----------------------------------------------------------------------------------------------- cache keys
def _dataset_copy(tmp_path: Path) -> Path:
    from perfeval._resources import sample_data_dir

    folder = tmp_path / "province"
    shutil.copytree(sample_data_dir() / "province", folder)
    return folder


def _edit_row(path: Path, unit: str, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    first = frame.index[frame["unit_id"] == unit][0]
    frame.loc[first, column] = value
    frame.to_csv(path, index=False)


def test_a_note_edit_changes_only_that_units_digest(tmp_path):
    folder = _dataset_copy(tmp_path)
    indicators = folder / "indicators.csv"
    a, b = frozenset({"0010001"}), frozenset({"0010002"})
    before = InputDigests()
    da, db, dall = before.digest(indicators, a), before.digest(indicators, b), before.digest(indicators, None)
    _edit_row(indicators, "0010001", "note", "评价人补充的偏差原因")
    after = InputDigests()
    assert after.digest(indicators, a) != da
    assert after.digest(indicators, b) == db  # a peer's note is not part of another unit's report
    assert after.digest(indicators, None) != dall  # a report about the whole dataset sees every byte
    _edit_row(indicators, "0010001", "actual", "1项")
    moved = InputDigests()
    assert moved.digest(indicators, b) != db  # a value that can move scores, ranks and peer profiles


def test_department_scope_holds_its_projects(tmp_path):
    from perfeval._resources import sample_data_dir

    units = sample_data_dir() / "province" / "units.csv"
    scope = report_scope({"department_id": "001"}, units)
    assert "001" in scope and "0010001" in scope and "0020001" not in scope
    assert report_scope({"data": "province"}, units) is None
    assert report_scope({"data": "province", "department_id": ""}, units) is None  # "" means every department
    assert report_scope({"unit_id": "0010001"}, units) == frozenset({"0010001"})


def test_cache_key_is_canonical():
    one = cache_key("{}", {"b": 1, "a": "示例"}, {"x.csv": "1"}, {"perfeval": "1"})
    assert one == cache_key("{}", {"a": "示例", "b": 1}, {"x.csv": "1"}, {"perfeval": "1"})
    assert one != cache_key("{}", {"a": "示例", "b": 2}, {"x.csv": "1"}, {"perfeval": "1"})
    assert canonical_json({"b": [1, 2], "a": "中"}) == '{"a":"中","b":[1,2]}'


# ------------------------------------------------------------------------------------------------- browser
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _dump_dom(url: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    return done.stdout, done.stderr


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make sysdeps installs it)")
def test_index_filters_and_sorts_in_a_real_browser(tmp_path):
    from perfeval.reports._batch_index import write_index

    runs = [ReportRun(f"r{i}", "self_evaluation", {"unit_id": f"00{i}"}, "ok", html=f"reports/r{i}.html",
                      facts={"name": f"项目{i}", "total": total, "grade": grade})
            for i, (total, grade) in enumerate([(85.5, "良"), (92.0, "优"), (88.25, "良"), (79.99, "中"),
                                                (89.999, "良")])]
    runs.append(ReportRun("bad", "self_evaluation", {"unit_id": "009"}, "error", "ValueError", "<b>boom</b>",
                          log="logs/bad.log"))
    index = write_index(tmp_path, runs, lang="zh", title="测试 <年度>")
    dom, log = _dump_dom(index.as_uri() + "#grade=" + quote("良") + "&sort=total&dir=desc")
    assert 'data-ready="1"' in dom and 'data-js-error="' not in dom
    rows = re.findall(r'<tr data-category="[^"]*" data-id="([^"]*)"[^>]*?(hidden="")?>', dom)
    shown = [ident for ident, hidden in rows if not hidden]
    assert shown == ["004", "002", "000"]  # grade 良 only, by total descending (89.999 shown as 89.99)
    assert '<b id="shown">3</b>' in dom
    assert "89.99<" in dom and "90.00" not in dom
    assert "&lt;b&gt;boom&lt;/b&gt;" in dom and "<b>boom</b>" not in dom  # errors are text
    assert ":CONSOLE" not in log, log  # the browser console stayed silent (no error, no warning)
    english, log_en = _dump_dom(index.as_uri() + "#lang=en&status=error")
    assert '<html lang="en">' in english
    assert [i for i, h in re.findall(r'<tr data-category="[^"]*" data-id="([^"]*)"[^>]*?(hidden="")?>', english)
            if not h] == ["009"]
    assert ":CONSOLE" not in log_en


# ------------------------------------------------------------------------------------------- worker memo
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::perfeval.errors.DataQualityWarning")
def test_worker_shares_dataset_and_analysis_and_pages_equal_a_fresh_kernels(tmp_path):
    """The worker reads the sample and computes ``analyse(ds, draws=50)`` once; every report gets the same
    numbers as a fresh computation, a report that changed its dataset first gets its own analysis, and a page is
    byte for byte what papermill and a real kernel give (warnings count in the footer included)."""
    import perfeval as pe
    from perfeval.reports import _engine
    from perfeval.reports._batch_jobs import finish_report, prepare_job
    from perfeval.reports._batch_plan import PlanRow

    notebook = str(DATA / "analysis.ipynb")
    rows = [{"notebook": notebook, "params": {"unit_id": u, "spend_nothing": d}}
            for u, d in (("0010001", False), ("0020003", False), ("0030001", True), ("0120008", False))]
    result = render_batch(rows, tmp_path, jobs=1, progress=False)
    assert [r.status for r in result.reports] == ["ok"] * 4, [r.evalue for r in result.reports]
    truth = pe.pipeline.analyse(pe.load_dataset("province"), draws=50).self_evaluation.totals.set_index("unit_id")
    for run in (result.reports[0], result.reports[1], result.reports[3]):
        unit = run.params["unit_id"]
        assert run.facts["total"] == pytest.approx(truth.loc[unit, "total"], abs=1e-12)
        assert run.facts["grade"] == truth.loc[unit, "grade"] and run.facts["n"] == len(truth)
    changed = result.reports[2].facts  # its own analysis of its changed data, not the worker's
    assert changed["present"] is True and changed["total"] < truth.loc["0030001", "total"] - 1
    shared = ["shared" in r.timings for r in result.reports]
    assert shared == [True, False, False, False]  # computed by the worker once, for the first report
    job = prepare_job(PlanRow(None, {"unit_id": "0020003"}, notebook), 0)
    executed = _engine.execute(job.prepared)
    page = finish_report(executed, prepared=job.prepared, title=job.title)["html"]
    assert page.encode("utf-8") == (tmp_path / result.reports[1].html).read_bytes()


# ------------------------------------------------------------------------------------------------------ CLI
def test_cli_errors_are_located_one_liners(tmp_path, capsys):
    assert main(["annual", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 1
    assert "not_a_dataset" in capsys.readouterr().err
    plan = tmp_path / "plan.csv"
    plan.write_text("category\nrecheck\n", "utf-8")
    assert main(["batch", str(plan), "--out", str(tmp_path / "o"), "--scheduler", "tcp://x:1"]) == 1
    assert "--scheduler needs --executor dask" in capsys.readouterr().err
    assert main(["annual", "province", "--out", str(tmp_path / "o"), "--only", "horoscope"]) == 1
    assert "unknown_report" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")]) == 1
    assert "file_not_found" in capsys.readouterr().err


def test_cli_batch_of_own_notebooks_prints_counts_and_the_index(tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text(f"notebook,name,value\n{DATA / 'ok.ipynb'},a,88\n{DATA / 'raises.ipynb'},b,1\n", "utf-8")
    assert main(["batch", str(plan), "--out", str(tmp_path / "o"), "--jobs", "1", "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "2 reports (ok 1, error 1)" in out and "ValueError: bad data for b (cell 4)" in out
    assert f"open {tmp_path / 'o' / 'index.html'}" in out
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text("utf-8"))
    assert manifest["reports"][0]["params"] == {"name": "a", "value": 88}  # "88" read as the declared int


# ------------------------------------------------------------------------------------------- start retries
def test_a_worker_that_fails_to_start_is_started_once_more(monkeypatch):
    from perfeval.reports import _forkserver

    real_start = _forkserver.WorkerProcess.start
    calls = []

    def flaky_start(self):
        calls.append(1)
        if len(calls) == 1:  # the first start dies at once, as a worker whose imports fail would
            self._proc = subprocess.Popen([os.sys.executable, "-c", "import sys; sys.exit(3)"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self._ready = False
            self.starts += 1
            return
        real_start(self)

    monkeypatch.setattr(_forkserver.WorkerProcess, "start", flaky_start)
    with _forkserver.WorkerProcess() as worker:
        worker.start()
        result = worker.run({"nb": nbformat.read(DATA / "ok.ipynb", as_version=4), "timeout": 120, "export": None})
    assert result["status"] == "ok" and worker.starts == 2


def test_a_report_process_that_dies_before_it_starts_is_forked_once_more():
    """The fork server's analogue of retrying a failed kernel start, run in a fresh process."""
    script = (
        "import nbformat\n"
        "from perfeval.reports import _forkserver as fs\n"
        "shell = fs._warm()\n"
        "memo = fs._Memo()\n"
        "real = fs._fork_and_wait\n"
        "calls = []\n"
        "def flaky(*args):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 1:\n"
        "        return {**fs._crashed_result('died before it started', None, '', 0.0), 'never_started': True}\n"
        "    return real(*args)\n"
        "fs._fork_and_wait = flaky\n"
        f"nb = nbformat.read({str(DATA / 'ok.ipynb')!r}, as_version=4)\n"
        "result = fs.serve_task({'nb': nb, 'timeout': 120, 'export': None}, shell, memo)\n"
        "print(result['status'], result['attempts'], len(calls))\n"
        "calls.clear()\n"
        "fs._fork_and_wait = lambda *a: {**fs._crashed_result('x', None, '', 0.0), 'never_started': True}\n"
        "result = fs.serve_task({'nb': nb, 'timeout': 120, 'export': None}, shell, memo)\n"
        "print(result['status'], result['attempts'])\n")
    done = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.stdout.split("\n")[:2] == ["ok 2 2", "crashed 2"], done.stderr[-2000:]


@pytest.mark.filterwarnings("ignore::perfeval.errors.DataQualityWarning")
def test_annual_plan_has_every_report_whose_data_exist(monkeypatch):
    from perfeval.reports import _batch_plan

    every = ["self_evaluation", "key_evaluation", "recheck", "department", "transfer", "exante", "monitoring",
             "annual_summary", "weight_study"]
    monkeypatch.setattr(_batch_plan, "_available_categories", lambda: every)
    plan = _batch_plan.annual_plan("province", lang="en")
    assert plan["category"].value_counts().to_dict() == {
        "self_evaluation": 150, "exante": 20, "transfer": 14, "department": 12, "monitoring": 12,
        "key_evaluation": 8, "recheck": 1, "annual_summary": 1, "weight_study": 1}
    assert set(plan["lang"]) == {"en"} and set(plan["data"]) == {"province"}
    first = plan.iloc[0]
    assert (first["category"], first["unit_id"], first["month"]) == ("self_evaluation", "0010001", None)
    monitoring = plan[plan["category"] == "monitoring"].iloc[0]
    assert (monitoring["department_id"], monitoring["month"]) == ("001", 8)  # the latest month of its data
    monkeypatch.setattr(_batch_plan, "_available_categories", lambda: ["recheck"])  # only notebooks that exist
    assert _batch_plan.annual_plan("province")["category"].tolist() == ["recheck"]


@pytest.mark.slow
def test_extra_formats_render_in_the_batch_and_are_linked_and_cached(tmp_path):
    """--format html,docx,pdf: the Word document and the PDF of each report, from the same execution, linked from
    the index; an unchanged re-run keeps them (skipped), and asking for fewer formats is another cache key."""
    pytest.importorskip("docx")
    probe = str(Path(__file__).parent / "data" / "reports" / "probe.ipynb")
    plan = [{"notebook": probe, "params": {"unit_id": "0010001"}}]
    first = render_batch(plan, tmp_path, jobs=1, progress=False, formats="html,docx,pdf")
    run = first.reports[0]
    assert run.status == "ok" and set(run.extra) == {"docx", "pdf"}
    for path in run.extra.values():
        assert (tmp_path / path).is_file() and (tmp_path / path).stat().st_size > 1000
    assert (tmp_path / run.extra["pdf"]).read_bytes()[:5] == b"%PDF-"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'href="{run.extra["docx"]}">Word</a>' in index and f'href="{run.extra["pdf"]}">PDF</a>' in index
    assert "docx" in run.timings and "pdf" in run.timings
    again = render_batch(plan, tmp_path, jobs=1, progress=False, formats="html,docx,pdf")
    assert again.reports[0].status == "skipped" and again.reports[0].extra == run.extra
    fewer = render_batch(plan, tmp_path, jobs=1, progress=False)
    assert fewer.reports[0].status == "ok" and fewer.reports[0].extra == {}
    with pytest.raises(InputError, match="unknown_format"):
        render_batch(plan, tmp_path, progress=False, formats="html,odt")


@pytest.mark.slow
def test_annual_on_a_relative_dataset_path_renders(tmp_path, monkeypatch, capsys):
    """Users type `perfeval annual mydata --out reports`: the inputs a report hashes are found from the report's
    own working folder too (the paths were relative to the caller's)."""
    shutil.copytree(Path(__file__).parent / "data" / "handmade", tmp_path / "hm")
    monkeypatch.chdir(tmp_path)
    assert main(["annual", "hm", "--out", "o", "--only", "self_evaluation", "--jobs", "1", "--no-progress"]) == 0
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text("utf-8"))
    assert [r["status"] for r in manifest["reports"]] == ["ok"] * 3
    page = next((tmp_path / "o").rglob("self_evaluation-H001*.html")).read_text("utf-8")
    assert "hm/units.csv" in page and str(tmp_path) not in page


def test_annual_and_batch_refuse_an_output_folder_that_is_an_input(tmp_path, capsys):
    shutil.copytree(Path(__file__).parent / "data" / "handmade", tmp_path / "hm")
    before = sorted(p.name for p in (tmp_path / "hm").rglob("*"))
    for out in (tmp_path / "hm", tmp_path / "hm" / "reports"):
        assert main(["annual", str(tmp_path / "hm"), "--out", str(out), "--no-progress"]) == 1
        err = capsys.readouterr().err
        assert f"{out}: output_is_input: the output folder is" in err and "dataset folder" in err
    plan = tmp_path / "plan.csv"
    plan.write_text("category,unit_id\nself_evaluation,H001\n", "utf-8")
    assert main(["batch", str(plan), "--out", str(plan), "--no-progress"]) == 1
    assert f"{plan}: bad_output: the output folder exists and is not a folder" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "hm").rglob("*")) == before
    assert plan.read_text("utf-8") == "category,unit_id\nself_evaluation,H001\n"
