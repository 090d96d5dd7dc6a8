"""A warm worker that forks one child per report: the batch runner's way to be fast and isolated at once.

One worker process per job slot (``python -m perfeval.reports._forkserver``, started fresh, never forked from the
caller, which may be a Jupyter kernel or a threaded Dask worker). The worker pays the fixed costs once: it imports
pandas, matplotlib (ipykernel's inline backend), nbformat/nbconvert and every perfeval module, builds the IPython
shell the reports run in (:func:`perfeval.reports._inprocess.make_shell`), and keeps the datasets it has read in
memory, keyed by folder and the sha256 of its files. It never runs report code itself.

For each report it forks a child. The child runs the notebook's cells in the shell it inherited, exports the HTML
and writes its result to a file, then exits; its memory (globals, monkeypatched modules, matplotlib rc settings,
environment variables) dies with it, so the next report starts from the worker's pristine state. The worker
waits for the child with the report's wall-clock timeout (a ``pidfd``), kills it when the time is up (``timeout``),
and tells a child that died without a result (``os._exit``, a segfault, the OOM killer) apart as ``crashed``, naming
the last cell it started. A child that dies before it signals it has started is forked once more (the batch's
"retry a failed kernel start").

The protocol on the worker's stdin/stdout is length-prefixed pickles: the caller sends task dicts, the worker
answers result dicts (see :func:`serve_task`). Anything the notebook or the libraries write to the process's own
file descriptors goes to the report's log, never to the caller's terminal.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping

__all__ = ["WorkerProcess", "WorkerStartError", "serve_task", "main"]

_HEADER = struct.Struct("!Q")
#: environment of the worker: one BLAS/OpenMP thread per report process (the batch runs one process per core)
_WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1", "PYTHONUNBUFFERED": "1"}
_START_TIMEOUT = 30.0  # seconds a forked child may take to signal that it runs


class WorkerStartError(RuntimeError):
    """The worker process could not be started (twice)."""


# ----------------------------------------------------------------------------------------------------- framing
def _send(stream: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _recv(stream: BinaryIO) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("the worker process closed its pipe")
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the worker process closed its pipe mid-message")
    return pickle.loads(data)


# ------------------------------------------------------------------------------------------------ caller side
class WorkerProcess:
    """The caller's handle on one warm worker: ``run(task) -> result`` one report at a time.

    Starting takes the imports (a few seconds); :meth:`start` returns at once and :meth:`run` waits for the worker
    to be ready. A worker that fails to start is started once more; a worker that dies while a report runs is
    replaced before the next one, and the report is ``crashed``.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._ready = False
        self._lock = threading.Lock()
        self.starts = 0

    def start(self) -> None:
        """Launch the worker process (non-blocking)."""
        env = {**os.environ, **_WORKER_ENV}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "perfeval.reports._forkserver"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, close_fds=True)
        self._ready = False
        self.starts += 1

    def _ensure_ready(self) -> None:
        if self._proc is not None and self._proc.poll() is None and self._ready:
            return
        last: BaseException | None = None
        for _attempt in range(2):  # one retry of a failed start
            if self._proc is None or self._proc.poll() is not None:
                self.start()
            try:
                hello = _recv(self._proc.stdout)  # type: ignore[union-attr]
                if hello.get("ready"):
                    self._ready = True
                    return
                last = RuntimeError(hello.get("error", "the worker did not start"))
            except EOFError as exc:
                last = exc
            self.close()
        raise WorkerStartError(f"the report worker could not be started: {last}")

    def run(self, task: dict[str, Any]) -> dict[str, Any]:
        """Run one report task on the worker; a worker that dies mid-task gives a ``crashed`` result."""
        with self._lock:
            try:
                self._ensure_ready()
            except WorkerStartError as exc:
                return _crashed_result(str(exc), None, "", 0.0, ename="WorkerStartError")
            try:
                _send(self._proc.stdin, task)  # type: ignore[union-attr]
                return _recv(self._proc.stdout)  # type: ignore[union-attr]
            except (EOFError, BrokenPipeError, OSError) as exc:
                code = self._proc.poll() if self._proc else None
                self.close()
                return _crashed_result(f"the report worker died ({exc}; exit code {code})", None, "", 0.0)

    def close(self) -> None:
        """Stop the worker process (its children die with their reports' timeouts or on their own)."""
        proc, self._proc, self._ready = self._proc, None, False
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.stdin.close()  # type: ignore[union-attr]
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            proc.stdout.close()  # type: ignore[union-attr]

    def __enter__(self) -> "WorkerProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _crashed_result(message: str, cell: int | None, log: str, elapsed: float, *, status: str = "crashed",
                    ename: str = "Crashed") -> dict[str, Any]:
    return {"status": status, "ename": ename, "evalue": message, "cell": cell, "traceback": [],
            "html": None, "notebook": None, "log": log, "timings": {"total": elapsed}, "attempts": 1}


# ------------------------------------------------------------------------------------------------ worker side
#: exit code of a child that stops to let the worker compute a shared result first (see :class:`_Memo`)
_RESTART_CODE = 87
_MAX_RESTARTS = 4


class _Memo:
    """What the worker computes once for all its reports: datasets read and dataset-level analyses.

    In this worker process only, ``perfeval.load_dataset`` and ``perfeval.pipeline.analyse`` are routed through
    :meth:`call`:

    - ``load_dataset(folder)`` of a folder the worker has read (same sha256 of every file; a file changed since
      gives a fresh read) answers a deep copy of it (the notebook may change what it gets);
    - ``analyse(data, **options)`` of such a dataset, unchanged since it was handed out (compared with the
      worker's copy), with JSON options (``steps``, ``rng`` as a seed, ``draws``), answers the worker's result of
      the same call. A child that asks for an analysis the worker has not computed yet stops at once (exit
      :data:`_RESTART_CODE`, the call named on its progress pipe); the worker computes it from its own copy of
      the dataset and forks the report again, which now finds it. Each result is handed out once per child
      (a second identical call computes afresh), so a report never sees another call's changes.

    Both replay the warnings the first computation emitted, through the same filters and registries, so a report
    shows what a fresh kernel would show. Anything else (other arguments, a changed dataset, a ``Generator`` as
    ``rng``) goes to the real functions.
    """

    def __init__(self) -> None:
        self.datasets: dict[str, tuple[dict[str, str], tuple[Any, ...], Any, list[Any]]] = {}
        self.results: dict[str, tuple[Any, list[Any]]] = {}
        self.failed: set[str] = set()
        self.originals: dict[str, Callable[..., Any]] = {}
        # child-side state (set after the fork)
        self.handed: set[str] = set()
        self.handed_data: dict[int, tuple[str, Any]] = {}
        self.progress: int | None = None
        self.restarts_left = 0

    # -- worker side
    @staticmethod
    def _stat(folder: Path) -> tuple[Any, ...]:
        return tuple(x for p in sorted(folder.rglob("*")) if p.is_file()
                     for x in (str(p), p.stat().st_size, p.stat().st_mtime_ns))

    def preload(self, folder: str, hashes: dict[str, str]) -> None:
        """Read ``folder`` unless it was read with the same file ``hashes`` (relative path -> sha256)."""
        loader = self.originals.get("load_dataset")
        if loader is None:
            return
        key = str(Path(folder).resolve())
        held = self.datasets.get(key)
        if held is not None and held[0] == hashes:
            return
        data, caught = _recording(loader, key)
        self.datasets[key] = (dict(hashes), self._stat(Path(key)), data, caught)
        self.results = {k: v for k, v in self.results.items() if not k.startswith(f"{key}\n")}

    def compute(self, key: str) -> None:
        """Compute the result the child asked for (``folder\nfunction\noptions``) from the worker's dataset."""
        import json

        folder, name, options = key.split("\n", 2)
        held = self.datasets.get(folder)
        if held is None or name not in self.originals:
            self.failed.add(key)
            return
        try:
            self.results[key] = _recording(self.originals[name], held[2], **json.loads(options))
        except Exception:  # noqa: BLE001  (the report's own call will raise it, in the report)
            self.failed.add(key)

    def install(self) -> None:
        """Route the functions through :meth:`call` (in this worker process only)."""
        import perfeval
        import perfeval.pipeline

        load = getattr(perfeval, "load_dataset", None)
        if load is not None:
            self.originals["load_dataset"] = load
            wrapped = self._wrap("load_dataset", load)
            module = sys.modules.get(getattr(load, "__module__", ""), None)
            for owner in {perfeval, module, sys.modules.get("perfeval.datasets")} - {None}:
                if getattr(owner, "load_dataset", None) is load:
                    setattr(owner, "load_dataset", wrapped)
            perfeval.__dict__["load_dataset"] = wrapped
        analyse = getattr(perfeval.pipeline, "analyse", None)
        if analyse is not None:
            self.originals["analyse"] = analyse
            perfeval.pipeline.analyse = self._wrap("analyse", analyse)  # type: ignore[attr-defined]

    def _wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, function, args, kwargs)

        return wrapped

    # -- child side
    def call(self, name: str, function: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        if self.progress is None:  # not inside a report (the worker itself): no memo
            return function(*args, **kwargs)
        if name == "load_dataset":
            return self._load(function, args, kwargs)
        key = self._analysis_key(name, args, kwargs)
        if key is None or key in self.handed or key in self.failed:
            return function(*args, **kwargs)
        if key in self.results:
            self.handed.add(key)
            value, caught = self.results[key]
            _replay(caught)
            return value
        if self.restarts_left > 0:
            os.write(self.progress, f"M{key.encode().hex()};".encode())
            os._exit(_RESTART_CODE)
        return function(*args, **kwargs)

    def _load(self, function: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        data = args[0] if args else kwargs.get("data", "province")
        if len(args) > 1 or set(kwargs) - {"data"}:
            return function(*args, **kwargs)
        folder = _dataset_folder(data)
        held = self.datasets.get(str(folder)) if folder is not None else None
        if held is None or held[1] != self._stat(folder):  # type: ignore[arg-type]
            return function(*args, **kwargs)
        _replay(held[3])
        value = copy.deepcopy(held[2])
        self.handed_data[id(value)] = (str(folder), value)
        return value

    def _analysis_key(self, name: str, args: tuple, kwargs: dict) -> str | None:
        import json

        if len(args) != 1 or name != "analyse":
            return None
        data = args[0]
        if isinstance(data, (str, os.PathLike)):
            folder = _dataset_folder(data)
            held = self.datasets.get(str(folder)) if folder is not None else None
            if held is None or held[1] != self._stat(folder):  # type: ignore[arg-type]
                return None
        else:
            handed = self.handed_data.get(id(data))
            if handed is None or handed[1] is not data:
                return None
            folder_key = handed[0]
            held = self.datasets.get(folder_key)
            if held is None or not _same(data, held[2]):
                return None  # the notebook changed its dataset: compute on what it has
            folder = Path(folder_key)
        options = dict(kwargs)
        if "steps" in options and options["steps"] is not None:
            options["steps"] = list(options["steps"])
        try:
            text = json.dumps(options, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError):
            return None  # e.g. a Generator as rng
        return f"{folder}\n{name}\n{text}"


def _recording(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
    """``function(*args, **kwargs)`` and every warning it emitted (in order, duplicates kept)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = function(*args, **kwargs)
    return value, list(caught)


def _replay(caught: list[Any]) -> None:
    """Emit recorded warnings again through the current filters and each module's own registry, as the first
    computation would have in this process."""
    files = {getattr(m, "__file__", None): m for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
    for w in caught:
        module = files.get(w.filename)
        registry = module.__dict__.setdefault("__warningregistry__", {}) if module is not None else {}
        name = module.__name__ if module is not None else None
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, module=name, registry=registry)


def _same(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether two datasets hold the same data: frames and series by ``equals`` (dtypes and labels included),
    dataclasses, mappings and sequences item by item, anything else by ``==``. Unsure means different."""
    import dataclasses

    import numpy as np
    import pandas as pd

    if depth > 12 or type(a) is not type(b):
        return False
    if isinstance(a, (pd.DataFrame, pd.Series)):
        same_labels = a.index.equals(b.index) and (
            not isinstance(a, pd.DataFrame) or (list(a.columns) == list(b.columns) and a.dtypes.equals(b.dtypes)))
        return bool(same_labels and a.equals(b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if dataclasses.is_dataclass(a):
        return all(_same(getattr(a, f.name), getattr(b, f.name), depth + 1) for f in dataclasses.fields(a))
    if isinstance(a, Mapping):
        return list(a) == list(b) and all(_same(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b  # NaN is the same as NaN here
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001  (cannot tell: treat as changed, the real function runs)
        return False


def _dataset_folder(data: Any) -> Path | None:
    """The folder ``pe.load_dataset(data)`` reads: a folder path, or a shipped sample's name."""
    if not isinstance(data, (str, os.PathLike)):
        return None
    try:
        from ..datasets import resolve_dataset

        return resolve_dataset(data).resolve()
    except Exception:  # noqa: BLE001  (not a dataset: the real loader says why)
        return None


def _warm() -> Any:
    """Import what reports use and build the shell; returns the shell. Runs once, before any fork."""
    from . import _inprocess

    shell = _inprocess.make_shell()
    import importlib
    import pkgutil

    import matplotlib.pyplot  # noqa: F401  (inline backend hooks into the shell, as at a kernel's first plot)
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import perfeval

    for info in pkgutil.walk_packages(perfeval.__path__, "perfeval."):
        if ".cli" in info.name or info.name.endswith("_forkserver"):
            continue
        with contextlib.suppress(Exception), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importlib.import_module(info.name)
    _warm_fonts()
    _share_template_environments()
    _warm_export()
    return shell


def _share_template_environments() -> None:
    """Let every HTML exporter of this worker share one Jinja environment per template configuration.

    The report engine builds a new ``HTMLExporter`` per page, and each new exporter compiles its templates again
    (about 0.4 s a page). In this worker process only, ``nbconvert.HTMLExporter`` becomes a subclass whose
    environment (with its compiled templates) is cached by template paths and settings, so the templates are
    compiled once, here, before any fork. The exporter's configuration and output are unchanged (the tests compare
    the batch's pages with ``pe.reports.render``'s byte for byte).
    """
    import nbconvert
    from nbconvert.exporters import html as html_module

    base = html_module.HTMLExporter
    if getattr(base, "_perfeval_shared_env", False):
        return
    environments: dict[Any, Any] = {}

    class SharedEnvironmentHTMLExporter(base):  # type: ignore[misc, valid-type]
        _perfeval_shared_env = True

        def _create_environment(self) -> Any:
            key = (tuple(self.template_paths), self.template_extension, self.enable_async,
                   tuple(sorted((self.filters or {}).items(), key=lambda kv: kv[0])) if self.filters else (),
                   self.raw_template, tuple(id(x) for x in self.extra_loaders))
            env = environments.get(key)
            if env is None:
                env = environments[key] = super()._create_environment()
            return env

    SharedEnvironmentHTMLExporter.__name__ = base.__name__
    SharedEnvironmentHTMLExporter.__qualname__ = base.__qualname__
    nbconvert.HTMLExporter = SharedEnvironmentHTMLExporter


def _warm_export() -> None:
    """Export a small page through the engine in each language: templates compiled, lazy tables filled."""
    import nbformat

    try:
        from . import _engine
    except ImportError:  # pragma: no cover  (the engine is part of the package)
        return
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("warm"))
    provenance = {"versions": list(_engine.versions()), "fingerprint": "0", "warnings": 0, "parameters": [],
                  "inputs": []}
    for lang in ("zh", "en"):
        prepared = _engine.Prepared(category="warm", notebook_path=Path("warm.ipynb"), params={}, lang=lang,
                                    notebook=nb, input_files=(), stem="warm")
        with contextlib.suppress(Exception), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _engine.export_html(nb, prepared, provenance=provenance, title="warm")


def _warm_fonts() -> None:
    """Load matplotlib's font list and the CJK fonts once (a figure drawn off pyplot, no state left behind)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = Figure(figsize=(1, 1))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        try:
            from ..plotting import _fonts  # type: ignore[attr-defined]

            family = list(getattr(_fonts, "font_family", lambda: [])()) or None
        except Exception:  # noqa: BLE001  (warm-up only)
            family = None
        ax.set_title("总分 Total 0123", family=family)
        fig.savefig(io.BytesIO(), format="png")


def serve_task(task: dict[str, Any], shell: Any, memo: _Memo) -> dict[str, Any]:
    """Run one report in a forked child and return its result.

    ``task``: ``nb`` (the notebook with its parameters injected), ``cwd``, ``timeout`` (seconds, wall clock),
    ``preload`` (``[(folder, {relative path: sha256})]``), ``export`` (``None`` or a picklable callable taking the
    executed notebook and returning the HTML text).

    The result: ``status`` (``ok | error | timeout | crashed``), ``ename``, ``evalue``, ``cell`` (index of the
    failing or last started cell), ``traceback``, ``html``, ``notebook`` (the executed notebook), ``log`` (what
    the child wrote to its stdout/stderr and warnings), ``timings`` (seconds by stage) and ``attempts``.
    """
    started = time.perf_counter()
    for folder, hashes in task.get("preload") or ():
        memo.preload(folder, hashes)
    preload_s = time.perf_counter() - started
    if task.get("nb") is None:  # a preload-only task: read the datasets now, before the first report
        return {"status": "ok", "preloaded": True, "timings": {"load": preload_s}}
    with tempfile.TemporaryDirectory(prefix="perfeval-report-") as tmp:
        result_path, log_path = os.path.join(tmp, "result.pickle"), os.path.join(tmp, "log.txt")
        attempts = restarts = 0
        shared_s = 0.0
        while True:
            attempts += 1
            outcome = _fork_and_wait(task, shell, memo, _MAX_RESTARTS - restarts, result_path, log_path)
            if outcome.get("restart") and restarts < _MAX_RESTARTS:
                t = time.perf_counter()
                memo.compute(outcome["restart"])  # in the worker, from its own copy of the dataset
                shared_s += time.perf_counter() - t
                restarts += 1
                attempts -= 1
                continue
            if outcome.get("never_started") and attempts < 2:
                continue
            break
        outcome.pop("never_started", None)
        outcome.pop("restart", None)
        outcome["attempts"] = attempts
        outcome.setdefault("timings", {})
        outcome["timings"]["load"] = preload_s
        if restarts:
            outcome["timings"]["shared"] = shared_s
        outcome["timings"]["total"] = time.perf_counter() - started
        return outcome


def _fork_and_wait(task: dict[str, Any], shell: Any, memo: _Memo, restarts_left: int, result_path: str,
                   log_path: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    progress_r, progress_w = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(progress_r)
        os.close(progress_w)
        return {**_crashed_result(f"could not start the report process: {exc}", None, "", 0.0), "never_started": True}
    if pid == 0:  # child
        os.close(progress_r)
        memo.progress, memo.restarts_left = progress_w, restarts_left
        _child(task, shell, result_path, log_path, progress_w)  # never returns
    os.close(progress_w)
    timeout = task.get("timeout")
    waited = _wait(pid, timeout)
    timed_out = waited is None
    if waited is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, wait_status, usage = os.wait4(pid, 0)
        cpu = usage.ru_utime + usage.ru_stime
    else:
        wait_status, cpu = waited
    progress = _drain(progress_r)
    elapsed = time.perf_counter() - t0
    log = Path(log_path).read_text("utf-8", errors="replace") if os.path.exists(log_path) else ""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(log_path)
    cell = progress["cell"]
    if timed_out:
        return _crashed_result(f"the report did not finish within {timeout:g} s", cell, log,
                               elapsed, status="timeout", ename="Timeout")
    if os.path.exists(result_path):
        with open(result_path, "rb") as fh:
            result = pickle.load(fh)
        os.unlink(result_path)
        result["log"] = log + result.get("log", "")
        result["timings"]["start"] = progress["start"] - t0 if progress["start"] else 0.0
        result["timings"]["cpu"] = cpu
        return result
    if os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == _RESTART_CODE and progress["restart"]:
        return {"restart": progress["restart"]}
    if os.WIFSIGNALED(wait_status):
        how = f"was killed by signal {signal.Signals(os.WTERMSIG(wait_status)).name}"
    else:
        how = f"exited with code {os.WEXITSTATUS(wait_status)}"
    where = "" if cell is not None else " before running any cell"
    crashed = _crashed_result(f"the report process {how}{where}", cell, log, elapsed)
    if not progress["started"]:
        crashed["never_started"] = True
    return crashed


def _wait(pid: int, timeout: float | None) -> tuple[int, float] | None:
    """Wait for child ``pid`` to exit within ``timeout`` seconds (None: forever): its wait status and the CPU
    seconds it used (user + system), or None when the time is up."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux >= 5.3: poll
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                return status, usage.ru_utime + usage.ru_stime
            if deadline is not None and time.monotonic() > deadline:
                return None
            time.sleep(0.01)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ready:
        return None
    _, status, usage = os.wait4(pid, 0)
    return status, usage.ru_utime + usage.ru_stime


def _drain(fd: int) -> dict[str, Any]:
    """Read the child's progress pipe: ``S`` started, ``C<n>`` cell n started, ``X`` exporting, ``M<hex>`` a
    shared result to compute first (:class:`_Memo`)."""
    chunks = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    text = b"".join(chunks).decode("ascii", errors="replace")
    cell = restart = None
    start = 0.0
    for token in text.split(";"):
        if token.startswith("C"):
            cell = int(token[1:])
        elif token.startswith("S"):
            start = float(token[1:])
        elif token.startswith("M"):
            restart = bytes.fromhex(token[1:]).decode()
    return {"started": "S" in text, "start": start, "cell": cell, "restart": restart}


def _child(task: dict[str, Any], shell: Any, result_path: str, log_path: str, progress: int) -> None:
    """The forked child: run the report, export it, write the result, exit. Never returns."""
    code = 0
    try:
        os.setpgrp()  # a timeout kills the report and anything it started
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        sys.__stdout__ = sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False,  # noqa: SIM115
                                           buffering=1)
        sys.__stderr__ = sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False,  # noqa: SIM115
                                           buffering=1)
        os.write(progress, f"S{time.perf_counter()};".encode())
        from ._inprocess import run_notebook

        # the working folder of a report: the task's, else a fresh empty one (as the engine gives its kernels)
        work = task.get("cwd") or os.path.join(os.path.dirname(result_path), "work")
        os.makedirs(work, exist_ok=True)
        os.chdir(work)
        nb = task["nb"]
        outcome = run_notebook(nb, shell, on_cell=lambda i: os.write(progress, f"C{i};".encode()))
        result: dict[str, Any] = {
            "status": outcome.status, "ename": outcome.ename, "evalue": outcome.evalue, "cell": outcome.cell,
            "traceback": list(outcome.traceback), "html": None, "notebook": nb, "log": "",
            "timings": dict(outcome.timings)}
        export = task.get("export")
        if outcome.status == "ok" and export is not None:
            os.write(progress, b"X;")
            t = time.perf_counter()
            try:
                done = export(nb)
                result.update(done if isinstance(done, dict) else {"html": done})
            except Exception as exc:  # noqa: BLE001  (an export failure is this report's error, not the batch's)
                result.update(status="error", ename=type(exc).__name__, evalue=f"HTML export failed: {exc}",
                              cell=None, traceback=traceback.format_exception(exc))
            result["timings"]["export"] = time.perf_counter() - t
        sys.stdout.flush()
        sys.stderr.flush()
        tmp = result_path + ".part"
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, result_path)
    except BaseException:  # noqa: BLE001  (report the child's own failure through its log, then exit non-zero)
        with contextlib.suppress(Exception):
            traceback.print_exc()
            sys.stderr.flush()
        code = 70
    finally:
        os._exit(code)


def main() -> int:
    """The worker's loop: warm up, say ready, then serve tasks from stdin until it closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # nothing the libraries print may corrupt the protocol stream: fd 1 becomes stderr (discarded by the caller)
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    del stdout
    try:
        with warnings.catch_warnings():
            shell = _warm()
        memo = _Memo()
        memo.install()
    except BaseException as exc:  # noqa: BLE001
        _send(proto_out, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(proto_out, {"ready": True, "pid": os.getpid()})
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:
        try:
            task = _recv(stdin)
        except EOFError:
            return 0
        try:
            result = serve_task(task, shell, memo)
        except Exception as exc:  # noqa: BLE001  (the worker survives a broken task)
            result = _crashed_result(f"the report worker failed: {type(exc).__name__}: {exc}", None,
                                     traceback.format_exc(), 0.0, status="error", ename=type(exc).__name__)
        _send(proto_out, result)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
