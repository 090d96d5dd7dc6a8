"""The annual batch: many reports at once, fast, isolated and incremental, with a browsable index.

:func:`render_batch` renders a plan (one row per report: a category and its parameters) into a folder::

    out_dir/index.html              every report: unit, department, category, key figures, status, link (zh/en)
    out_dir/reports/<name>.html     the reports (offline HTML from the report engine)
    out_dir/notebooks/<name>.ipynb  the executed notebooks (for the Word/PDF exporters)
    out_dir/logs/<name>.log         what each report printed, warned or failed with
    out_dir/tables/*.csv            the tables of the year (written by ``perfeval annual``), linked from the index
    out_dir/manifest.json           the batch: parameters, input hashes, versions, timings per stage, status
    out_dir/.perfeval-cache.json    the incremental cache (keys of the reports rendered ok)

How it runs (see :mod:`perfeval.reports._forkserver`): ``jobs`` warm worker processes (default: one per core)
have pandas, matplotlib, nbconvert and perfeval imported and the dataset read once; each report runs in a child
forked from a worker, executes its cells in-process (an IPython shell recording outputs as a kernel does), exports
its HTML and exits, so nothing one report does is seen by the next. Statuses come from the runner, never from the
notebook: ``ok``, ``error`` (an exception, an early ``sys.exit``, invalid parameters or a failed export: with the
exception's name, message and cell), ``timeout`` (killed after ``timeout`` seconds of wall clock), ``crashed``
(the report's process died: ``os._exit``, a segfault, out of memory) and ``skipped`` (unchanged since an earlier
``ok`` render: the cache key matched, the HTML was kept). A report process that dies before it starts is started
once more. With ``executor="dask"`` the same tasks run on a Dask cluster (one warm worker per Dask worker).
"""
from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from .._io_util import atomic_write_bytes, atomic_write_text, check_output_dir
from ..errors import InputError, PerfevalError
from ._batch_cache import (InputDigests, cache_key, canonical_json, relative_names, report_scope, sha256_file,
                           versions)
from ._batch_jobs import Job, exporter_for, prepare_job
from ._batch_plan import PlanRow, annual_plan, read_plan

__all__ = ["render_batch", "render_annual", "BatchResult", "ReportRun", "annual_plan", "read_plan", "STATUSES",
           "FAILED"]

#: every status a report of a batch can have
STATUSES = ("ok", "error", "timeout", "crashed", "skipped")
#: the statuses that make a batch fail (exit code 1)
FAILED = ("error", "timeout", "crashed")
_CACHE_FILE = ".perfeval-cache.json"
_TABLES_CACHE = ".perfeval-tables-key"
_CACHE_VERSION = 1
_EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ReportRun:
    """One report of a batch: what was asked, how it ended, where its files are.

    ``html``, ``notebook`` and ``log`` are paths relative to the batch folder (None when not written); ``facts``
    are the report's key facts (``pe.reports.facts``: unit, name, total, grade, light, conclusion ...);
    ``timings`` are seconds by stage (``prepare``, ``start``, ``load``, ``shared`` (analyses the worker computed
    for it), ``execute``, ``export``, ``write``, ``total``) and ``cpu``, the CPU seconds of the report's process
    (what it costs whatever else the machine does).
    """

    name: str
    category: str | None
    params: Mapping[str, Any]
    status: str
    ename: str | None = None
    evalue: str | None = None
    cell: int | None = None
    html: str | None = None
    notebook: str | None = None
    log: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    key: str | None = None
    attempts: int = 0
    inputs: Mapping[str, str] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"`status` must be one of {STATUSES}; got {self.status!r}.")

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "category": self.category, "params": dict(self.params), "status": self.status,
                "ename": self.ename, "evalue": self.evalue, "cell": self.cell, "html": self.html,
                "notebook": self.notebook, "log": self.log, "facts": dict(self.facts), "key": self.key,
                "attempts": self.attempts, "inputs": dict(self.inputs),
                "timings": {k: round(v, 4) for k, v in self.timings.items()}, "extra": dict(self.extra)}


@dataclass(frozen=True)
class BatchResult:
    """The result of :func:`render_batch`: one :class:`ReportRun` per plan row, in plan order."""

    out_dir: Path
    reports: tuple[ReportRun, ...]
    index: Path
    manifest: Path
    elapsed: float
    executor: str
    jobs: int
    extra: Any = None

    @property
    def failed(self) -> tuple[ReportRun, ...]:
        """The reports that ended ``error``, ``timeout`` or ``crashed``."""
        return tuple(r for r in self.reports if r.failed)

    @property
    def ok(self) -> bool:
        """True when no report failed (``skipped`` reports are unchanged ``ok`` ones)."""
        return not self.failed

    @property
    def exit_code(self) -> int:
        """0 when every report is ``ok`` or ``skipped``, else 1 (the CLI's exit code)."""
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        """Number of reports per status (every status listed, zeros included)."""
        out = dict.fromkeys(STATUSES, 0)
        for r in self.reports:
            out[r.status] += 1
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per report: ``name, category, status, ename, evalue, cell, html, log, attempts, seconds`` and
        the parameters (``params``, a dict) and key facts (``facts``, a dict)."""
        rows = [{"name": r.name, "category": r.category, "status": r.status, "ename": r.ename, "evalue": r.evalue,
                 "cell": r.cell, "html": r.html, "log": r.log, "attempts": r.attempts,
                 "seconds": r.timings.get("total"), "params": dict(r.params), "facts": dict(r.facts)}
                for r in self.reports]
        return pd.DataFrame(rows, columns=["name", "category", "status", "ename", "evalue", "cell", "html", "log",
                                           "attempts", "seconds", "params", "facts"])

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts().items() if v)
        return f"<BatchResult {len(self.reports)} reports ({counts}) in {self.elapsed:.1f} s: {self.index}>"


# ------------------------------------------------------------------------------------------------------ runner
class _Progress:
    """A progress bar on a terminal, one plain line per report otherwise (CI logs); silent when off."""

    def __init__(self, total: int, enabled: bool, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        self.bar = None
        self.enabled = enabled
        if enabled and total and getattr(self.stream, "isatty", lambda: False)():
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, file=self.stream, unit="report", dynamic_ncols=True)
            except ImportError:  # pragma: no cover  (tqdm comes with papermill)
                self.bar = None

    def update(self, run: ReportRun) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(1)
            if run.failed:
                self.bar.write(f"{run.status}: {run.name}: {run.ename}: {run.evalue}")
            return
        seconds = run.timings.get("total")
        took = f" {seconds:.2f} s" if seconds is not None else ""
        detail = f" {run.ename}: {run.evalue}" if run.failed else ""
        print(f"[{self.done}/{self.total}] {run.status} {run.name}{took}{detail}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover  (not Linux)
        return max(1, os.cpu_count() or 1)


class _LocalPool:
    """``jobs`` warm workers on this machine, each fed from one queue by a thread."""

    def __init__(self, jobs: int) -> None:
        from ._forkserver import WorkerProcess

        self.workers = [WorkerProcess() for _ in range(jobs)]
        self._preloading: list[threading.Thread] = []
        for w in self.workers:
            w.start()  # imports run while the plan is prepared

    def preload(self, preload: list[tuple[str, dict[str, str]]]) -> None:
        """Have every worker read the datasets now (in parallel, before the first report arrives)."""
        threads = [threading.Thread(target=w.run, args=({"nb": None, "preload": preload},), daemon=True)
                   for w in self.workers]
        for t in threads:
            t.start()
        self._preloading.extend(threads)

    def run(self, tasks: list[dict[str, Any]], on_result: Callable[[int, dict[str, Any]], None]) -> None:
        todo: queue.Queue = queue.Queue()
        for i, task in enumerate(tasks):
            todo.put((i, task))
        lock = threading.Lock()
        errors: list[BaseException] = []

        def feed(worker: Any) -> None:
            while not errors:
                try:
                    i, task = todo.get_nowait()
                except queue.Empty:
                    return
                result = worker.run(task)
                with lock:
                    try:
                        on_result(i, result)
                    except BaseException as exc:  # noqa: BLE001  (e.g. a full disk: stop, re-raised below)
                        errors.append(exc)

        for t in self._preloading:
            t.join()
        threads = [threading.Thread(target=feed, args=(w,), daemon=True) for w in self.workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def close(self) -> None:
        for w in self.workers:
            w.close()


def _result_run(job: Job, result: Mapping[str, Any], key: str | None, inputs: Mapping[str, str],
                prepare_s: float, out: Path) -> tuple[ReportRun, str | None]:
    """Write a report's files from its worker result; the run and the sha256 of the HTML written."""
    import hashlib

    t = time.perf_counter()
    status = result["status"]
    html_rel = nb_rel = None
    html_sha = None
    extra: dict[str, str] = {}
    log_rel = f"logs/{job.name}.log"
    lines = [f"report {job.category} ({job.name}): {status}"]
    if status != "ok":
        cell = f" (cell {result.get('cell')})" if result.get("cell") is not None else ""
        lines.append(f"{result.get('ename')}: {result.get('evalue')}{cell}")
    lines += [f"warning {i + 1}: {w}" for i, w in enumerate(result.get("warnings") or ())]
    if result.get("log"):
        lines += ["--- output of the report process ---", result["log"].rstrip("\n")]
    if result.get("traceback"):
        lines += ["--- traceback ---", _strip_ansi("\n".join(result["traceback"]))]
    facts: dict[str, Any] = {}
    nb = result.get("notebook")
    if nb is not None:
        import nbformat

        if status == "ok":  # no key figures from a report that did not finish
            facts = {**_facts(nb), **dict(result.get("facts") or {})}
        nb_rel = f"notebooks/{job.name}.ipynb"
        atomic_write_text(out / nb_rel, nbformat.writes(nb))
    if status == "ok" and result.get("html") is not None:
        data = result["html"].encode("utf-8")
        html_rel = f"reports/{job.name}.html"
        atomic_write_bytes(out / html_rel, data)
        html_sha = hashlib.sha256(data).hexdigest()
        for fmt, payload in sorted((result.get("extra") or {}).items()):
            extra[fmt] = f"reports/{job.name}.{fmt}"
            atomic_write_bytes(out / extra[fmt], payload)
    elif status == "ok":
        status, result = "error", {**result, "ename": "NoHTML", "evalue": "the report ran but produced no HTML"}
    timings = {"prepare": prepare_s, **dict(result.get("timings") or {}),
               **dict(result.get("extra_timings") or {}), "write": time.perf_counter() - t}
    lines += [f"{k}: {v:.3f} s" for k, v in timings.items()]
    atomic_write_text(out / log_rel, "\n".join(lines) + "\n")
    run = ReportRun(job.name, job.category, dict(job.params), status, result.get("ename"), result.get("evalue"),
                    result.get("cell"), html_rel, nb_rel, log_rel, facts, key, int(result.get("attempts") or 1),
                    dict(inputs), timings, extra)
    return run, html_sha


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


#: key-figure labels (zh, en) read as the index's columns when a report records no ``pe.reports.facts``
_FIGURE_LABELS: dict[str, tuple[str, ...]] = {
    "total": ("综合得分", "总分", "得分", "评价得分", "评估得分", "Total", "Total score", "Score",
              "Overall score"),
    "grade": ("评价等级", "等级", "Grade"),
    "light": ("信号灯", "预警信号", "Light", "Signal"),
    "conclusion": ("评估结论", "结论", "Conclusion"),
}


def _facts(nb: Any) -> dict[str, Any]:
    """A report's key facts: the ``pe.reports.facts`` outputs of the executed notebook (merged in order), and
    ``figures``, the items of its first key-figures block; ``total``, ``grade``, ``light`` and ``conclusion`` are
    read from those items by their labels when the facts do not give them."""
    from ._blocks import BLOCK_MIMETYPE, FACTS_MIMETYPE

    facts: dict[str, Any] = {}
    figures: list[Any] | None = None
    for cell in nb.cells:
        for out in cell.get("outputs", ()):
            data = out.get("data") or {}
            if FACTS_MIMETYPE in data and isinstance(data[FACTS_MIMETYPE], Mapping):
                facts.update(data[FACTS_MIMETYPE])
            block = data.get(BLOCK_MIMETYPE)
            if figures is None and isinstance(block, Mapping) and block.get("kind") == "figures":
                figures = [[str(a), str(b)] for a, b in block.get("items") or []]
    if figures:
        facts.setdefault("figures", figures)
        by_label = {label.strip().lower(): value for label, value in figures}
        for key, labels in _FIGURE_LABELS.items():
            value = next((by_label[x.lower()] for x in labels if x.lower() in by_label), None)
            if key in facts or value is None:
                continue
            if key == "total":
                try:
                    value = float(value.replace(",", ""))
                except ValueError:
                    continue
            facts[key] = value
    return facts


def _load_cache(out: Path) -> dict[str, Any]:
    path = out / _CACHE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
        return {}
    return data.get("reports", {}) if isinstance(data.get("reports"), dict) else {}


def _cache_hit(entry: Mapping[str, Any] | None, key: str, out: Path) -> bool:
    if not entry or entry.get("key") != key or entry.get("status") not in ("ok", "skipped"):
        return False
    html = entry.get("html")
    if not html or not (out / html).is_file():
        return False
    if not all((out / path).is_file() for path in (entry.get("extra") or {}).values()):
        return False
    return sha256_file(out / html) == entry.get("html_sha256")


def _failure_run(row: PlanRow, index: int, exc: BaseException, prepare_s: float, out: Path) -> ReportRun:
    """A plan row that could not be prepared (bad parameters, unknown category): an ``error`` with its message."""
    from ._engine import SUBJECT_PARAMETERS, slug

    ident = next((row.params[k] for k in SUBJECT_PARAMETERS if row.params.get(k) not in (None, "")), None)
    base = row.category or (Path(row.notebook).stem if row.notebook else "report")
    name = "-".join([slug(base)] + ([slug(ident)] if ident is not None else []) + [f"row{index + 1}"])
    message = str(exc) if not isinstance(exc, InputError) or not exc.problems else "; ".join(
        f"{p.code}: {p.message}" for p in exc.problems)
    log_rel = f"logs/{name}.log"
    atomic_write_text(out / log_rel, f"{row.source}: {type(exc).__name__}: {message}\n")
    return ReportRun(name, row.category, dict(row.params), "error", type(exc).__name__, message, None, None, None,
                     log_rel, {}, None, 0, {}, {"prepare": prepare_s, "total": prepare_s})


def render_batch(plan: Any, out_dir: str | os.PathLike[str], *, jobs: int | None = None,
                 executor: str = "local", scheduler: str | None = None, force: bool = False,
                 timeout: float | None = 600, progress: bool = True, lang: str = "zh",
                 title: str | None = None, tables: Callable[[Path], Any] | None = None,
                 formats: Iterable[str] | str = ("html",)) -> BatchResult:
    """Render every report of ``plan`` into ``out_dir``, in parallel, each isolated; write the index and manifest.

    Parameters
    ----------
    plan : DataFrame, list of mappings, or path of a CSV / YAML file
        One row per report: ``category`` (or ``notebook``: a parameterized notebook file) and its parameters
        (one column per parameter, or a ``params`` mapping). :func:`annual_plan` builds the plan of a dataset.
    out_dir : path
        The batch folder (created); see the module docstring for its layout. A re-run into the same folder renders
        only the reports whose cache key changed.
    jobs : int, optional
        Reports run at once (worker processes); default: the number of cores available.
    executor : {"local", "dask"}
        ``local``: worker processes on this machine. ``dask``: tasks on a Dask cluster (``pip install
        perfeval[dask]``): the one at ``scheduler`` (``tcp://host:port``), else a ``LocalCluster`` of ``jobs``
        single-threaded workers. The dataset must be at the same path on every machine.
    scheduler : str, optional
        Address of a running Dask scheduler (``executor="dask"`` only).
    force : bool
        Render every report, ignoring the cache.
    timeout : float or None
        Wall-clock seconds one report may take (execution and export); None: no limit.
    progress : bool
        A progress bar on a terminal, one line per report otherwise (on standard error).
    lang : {"zh", "en"}
        Language of reports whose row gives no ``lang``, and the index's first language (it switches to the other).
    title : str, optional
        Title of the index page (default: the dataset's title, else "Reports").
    tables : callable, optional
        ``tables(out_dir / "tables")`` writes the tables of the year (CSV) while the reports render; the index
        links every ``tables/*.csv``. Its return value is kept as ``BatchResult.extra``.
    formats : str or iterable of {"html", "docx", "pdf"}, default ("html",)
        Formats of each report (HTML always). The Word document and the PDF are made from the same execution,
        in the report's own process, and linked from the index beside the page.

    Returns
    -------
    BatchResult
        One :class:`ReportRun` per plan row, in plan order; ``exit_code`` is 1 when any report failed.

    Raises
    ------
    InputError
        A plan that cannot be read (no ``category`` column, bad YAML, a row that is not a mapping), or bad
        arguments. Problems of one row (unknown category, bad parameter) are that report's ``error`` instead.
    """
    started = time.perf_counter()
    if executor not in _EXECUTORS:
        raise InputError.single("executor", "bad_argument", f"`executor` must be one of {_EXECUTORS}; got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise InputError.single("scheduler", "bad_argument", "`scheduler` needs `executor=\"dask\"`")
    if lang not in ("zh", "en"):
        raise InputError.single("lang", "bad_argument", f"`lang` must be 'zh' or 'en'; got {lang!r}")
    if timeout is not None and not timeout > 0:
        raise InputError.single("timeout", "bad_argument", f"`timeout` must be > 0 seconds or None; got {timeout!r}")
    n_jobs = _default_jobs() if jobs is None else int(jobs)
    if n_jobs < 1:
        raise InputError.single("jobs", "bad_argument", f"`jobs` must be >= 1; got {jobs!r}")
    rows = read_plan(plan)
    from ._export import check_formats

    chosen_formats = tuple(check_formats(formats))
    out = check_output_dir(out_dir)  # an existing file is refused before anything renders
    out.mkdir(parents=True, exist_ok=True)

    pools: list[_LocalPool] = []

    def pool() -> _LocalPool | None:
        """The local workers, started at the first report that must render (none for an unchanged re-run)."""
        if executor != "local":
            return None
        if not pools:
            pools.append(_LocalPool(min(n_jobs, max(1, len(rows)))))
        return pools[0]

    try:
        return _render(rows, out, pool, executor, scheduler, n_jobs, force, timeout, progress, lang, title, started,
                       tables, chosen_formats)
    finally:
        for p in pools:
            p.close()


def _render(rows: list[PlanRow], out: Path, pool: Callable[[], Any], executor: str, scheduler: str | None, n_jobs: int,
            force: bool, timeout: float | None, progress: bool, lang: str, title: str | None,
            started: float, tables: Callable[[Path], Any] | None,
            formats: tuple[str, ...] = ("html",)) -> BatchResult:
    side: dict[str, Any] = {}

    def write_tables() -> None:
        try:
            side["value"] = tables(out / "tables")  # type: ignore[misc]
        except BaseException as exc:  # noqa: BLE001  (re-raised in the caller's thread below)
            side["error"] = exc

    side_thread = threading.Thread(target=write_tables, daemon=True) if tables is not None else None
    if side_thread is not None:
        side_thread.start()
    vers = versions()
    digests = InputDigests()
    cache = {} if force else _load_cache(out)
    runs: list[ReportRun | None] = [None] * len(rows)
    shas: dict[str, str] = {}
    pending: list[tuple[Job, str, dict[str, str], float]] = []
    names: dict[str, int] = {}
    datasets: dict[Path, dict[str, str]] = {}
    preloaded = False
    for i, row in enumerate(rows):
        t = time.perf_counter()
        try:
            job = prepare_job(row, i, lang=lang)
            if job.name in names:
                raise InputError.single(row.source, "duplicate_report",
                                        f"same report as plan row {names[job.name] + 1} ({job.name})")
        except (PerfevalError, ValueError, TypeError, OSError) as exc:
            runs[i] = _failure_run(row, i, exc, time.perf_counter() - t, out)
            continue
        names[job.name] = i
        units_csv = job.dataset_dir / "units.csv" if job.dataset_dir else None
        scope = report_scope(job.params, units_csv)
        inputs = {label: digests.digest(p, scope) for label, p in job.input_files}
        import nbformat

        key = cache_key(nbformat.writes(job.nb), job.params, inputs, {**vers, "formats": ",".join(formats)})
        if job.dataset_dir is not None and job.dataset_dir not in datasets:
            datasets[job.dataset_dir] = {rel_name: digests.full(p) for p, rel_name in
                                         relative_names(_dataset_files(job.dataset_dir), job.dataset_dir).items()}
            preloaded = False
        prepare_s = time.perf_counter() - t
        entry = cache.get(job.name)
        if _cache_hit(entry, key, out):
            runs[i] = ReportRun(job.name, job.category, dict(job.params), "skipped", None, None, None,
                                entry["html"], entry.get("notebook"), entry.get("log"), entry.get("facts") or {},
                                key, 0, inputs, {"prepare": prepare_s, "total": prepare_s}, entry.get("extra") or {})
            shas[job.name] = entry["html_sha256"]
            continue
        pending.append((job, key, inputs, prepare_s))
        workers = pool()
        if workers is not None and not preloaded and datasets:
            workers.preload([(str(d), h) for d, h in datasets.items()])
            preloaded = True

    bar = _Progress(len(rows), progress)
    for run in runs:
        if run is not None:
            bar.update(run)
    tasks = [{"nb": job.nb, "cwd": None, "timeout": timeout, "export": exporter_for(job, formats),
              "preload": [(str(d), h) for d, h in datasets.items()]} for job, _key, _inputs, _ps in pending]

    def on_result(i: int, result: dict[str, Any]) -> None:
        job, key, inputs, prepare_s = pending[i]
        run, sha = _result_run(job, result, key, inputs, prepare_s, out)
        runs[job.index] = run
        if sha is not None:
            shas[job.name] = sha
        bar.update(run)

    if tasks:
        if executor == "dask":
            from ._batch_dask import run_on_dask

            run_on_dask(tasks, scheduler, n_jobs, on_result)
        else:
            pool().run(tasks, on_result)
    bar.close()
    if side_thread is not None:
        side_thread.join()
        if "error" in side:
            raise side["error"]
    done = tuple(r for r in runs if r is not None)
    cache_out = {r.name: {**r.as_dict(), "html_sha256": shas.get(r.name)} for r in done
                 if r.status in ("ok", "skipped") and r.key}
    atomic_write_text(out / _CACHE_FILE, canonical_json({"version": _CACHE_VERSION, "reports": cache_out}))
    from ._batch_index import write_index

    index = write_index(out, done, lang=lang, title=title or _title(datasets), units=_units(datasets))
    manifest = _write_manifest(out, done, vers, datasets, executor, scheduler, n_jobs, force, timeout,
                               time.perf_counter() - started)
    return BatchResult(out, done, index, manifest, time.perf_counter() - started, executor, n_jobs,
                       side.get("value"))


def _dataset_files(folder: Path) -> list[Path]:
    from ..datasets._load import dataset_files

    return list(dataset_files(folder))


def _title(datasets: Mapping[Path, Any]) -> str | None:
    for folder in datasets:
        try:
            from ..io import read_dataset_meta

            meta = read_dataset_meta(folder)
            return str(meta.get("title") or "") or None
        except Exception:  # noqa: BLE001  (a title is optional)
            return None
    return None


def _units(datasets: Mapping[Path, Any]) -> dict[str, dict[str, str]]:
    """Unit id -> name and department name, from the datasets' ``units.csv`` (for the index)."""
    out: dict[str, dict[str, str]] = {}
    for folder in datasets:
        path = Path(folder) / "units.csv"
        if not path.is_file():
            continue
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except Exception:  # noqa: BLE001  (names are a convenience of the index)
            continue
        if not {"unit_id", "name"} <= set(frame.columns):
            continue
        kinds = frame["kind"] if "kind" in frame else pd.Series("", index=frame.index)
        depts = dict(zip(frame.loc[kinds == "department", "unit_id"], frame.loc[kinds == "department", "name"]))
        for unit, name, dept in zip(frame["unit_id"], frame["name"],
                                    frame["department_id"] if "department_id" in frame else [""] * len(frame)):
            out.setdefault(unit, {"name": name, "department": depts.get(dept, dept)})
    return out


def _write_manifest(out: Path, runs: Iterable[ReportRun], vers: Mapping[str, str],
                    datasets: Mapping[Path, Mapping[str, str]], executor: str, scheduler: str | None, jobs: int,
                    force: bool, timeout: float | None, elapsed: float) -> Path:
    runs = list(runs)
    counts = dict.fromkeys(STATUSES, 0)
    for r in runs:
        counts[r.status] += 1
    manifest = {
        "perfeval_batch": 1,
        "executor": executor, "scheduler": scheduler, "jobs": jobs, "force": force, "timeout": timeout,
        "seconds": round(elapsed, 3), "counts": counts, "versions": dict(vers),
        "datasets": {str(d): dict(h) for d, h in datasets.items()},
        "reports": [r.as_dict() for r in runs],
    }
    path = out / "manifest.json"
    atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n")
    return path


def render_annual(data: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, jobs: int | None = None,
                  lang: str = "zh", executor: str = "local", scheduler: str | None = None, force: bool = False,
                  timeout: float | None = 600, progress: bool = True, tables: bool = True, draws: int = 2000,
                  charts: bool = True, categories: Iterable[str] | None = None,
                  formats: Iterable[str] | str = ("html",)) -> BatchResult:
    """Every report of a dataset's year (:func:`annual_plan`), the tables of the year and the index.

    ``data`` is a dataset folder or a shipped sample's name. With ``tables`` the year's analysis
    (:func:`perfeval.pipeline.analyse`) is computed while the reports render and its tables (CSV, UTF-8 with
    BOM, headers and meanings in ``lang``: :meth:`perfeval.pipeline.Analysis.write`) and, with ``charts``, its
    charts are written to ``out_dir/tables`` (``draws``: weight draws of its sensitivity step), unless the same
    dataset files, versions and options wrote them before (``force`` writes them again); its one-line-per-step
    summary (``Analysis.summary(lang)``, as ``summary.csv`` holds it) is ``BatchResult.extra``. Other arguments
    as in :func:`render_batch`; ``categories`` keeps only those report categories.
    """
    from ..datasets import resolve_dataset

    folder = resolve_dataset(data).resolve()
    target = Path(out_dir).resolve()
    if target == folder or folder in target.parents:
        raise InputError.single(str(out_dir), "output_is_input",
                                f"the output folder is {'the' if target == folder else 'inside the'} dataset folder "
                                f"{data}; write the reports to a folder outside it")
    plan = annual_plan(data, lang=lang, categories=categories)

    def write_tables(folder: Path) -> pd.DataFrame:
        import warnings

        from ..datasets import dataset_files
        from ..pipeline import analyse

        key = cache_key("", {"draws": draws, "charts": charts, "lang": lang},
                        {p.name: sha256_file(p) for p in dataset_files(data)}, versions())
        marker = folder / _TABLES_CACHE
        summary = folder / "summary.csv"
        if not force and summary.is_file() and marker.is_file() and marker.read_text("utf-8").strip() == key:
            return pd.read_csv(summary, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reports count the data's warnings; the tables are the numbers
            analysis = analyse(data, draws=draws)
            analysis.write(folder, charts=charts, lang=lang)
        atomic_write_text(marker, key + "\n")
        from .._present import present

        return present(analysis.summary(lang), lang)  # as summary.csv holds it (read back when cached)

    return render_batch(plan, out_dir, jobs=jobs, executor=executor, scheduler=scheduler, force=force,
                        timeout=timeout, progress=progress, lang=lang, tables=write_tables if tables else None,
                        formats=formats)
