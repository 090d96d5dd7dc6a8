"""Rendering one report: check the parameters, execute the notebook (papermill), export offline HTML (nbconvert).

The steps are separate functions so that the batch runner can reuse them with its own execution strategy:

1. :func:`prepare` checks the parameters against the notebook's declaration and injects them (papermill's
   injection, fed only JSON values under declared identifier names); the injected cell gets a stable id.
2. :func:`execute` runs the notebook in a fresh kernel; a failing cell, a timeout or a dead kernel raise
   :class:`~perfeval.errors.ReportExecutionError`, :class:`~perfeval.errors.ReportTimeoutError` or
   :class:`~perfeval.errors.ReportCrashError`.
3. :func:`clean_outputs` takes stderr out of the notebook (into the run log) and reads the key facts.
4. :func:`export_html` writes the page with the template shipped in the package
   (``perfeval/reports/templates/perfeval_html``): no code, no prompts, no external URL, images embedded,
   ``<html lang>``, a provenance footer. Identical inputs give byte-identical HTML.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import platform
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .._io_util import atomic_write_bytes, atomic_write_text, regular_file
from .._resources import notebooks_dir
from ..errors import InputError, Problem, ReportCrashError, ReportExecutionError, ReportTimeoutError
from ._blocks import BLOCK_MIMETYPE, FACTS_MIMETYPE
from ._params import Parameter, check_parameters, notebook_parameters

__all__ = ["Prepared", "ReportResult", "list_reports", "report_parameters", "prepare", "execute", "clean_outputs",
           "export_html", "render", "slug", "report_stem", "TEMPLATE_NAME", "SUBJECT_PARAMETERS", "CATEGORY_TITLES"]

#: The nbconvert template of the report pages.
TEMPLATE_NAME = "perfeval_html"
#: Parameters naming what a report is about, in the order they name the output file.
SUBJECT_PARAMETERS = ("unit_id", "department_id", "region_id", "month")
#: Title of each report category (zh, en); a notebook's ``metadata.perfeval.title`` takes precedence.
CATEGORY_TITLES: Mapping[str, tuple[str, str]] = {
    "self_evaluation": ("项目支出绩效自评报告", "Project self-evaluation report"),
    "key_evaluation": ("重点绩效评价报告", "Key evaluation report"),
    "recheck": ("绩效自评复核（再评价）报告", "Re-check (re-evaluation) report"),
    "department": ("部门整体支出绩效评价报告", "Department overall performance report"),
    "transfer": ("转移支付绩效自评报告", "Transfer payment self-evaluation report"),
    "exante": ("事前绩效评估报告", "Ex-ante performance assessment report"),
    "monitoring": ("绩效运行监控报告", "Performance monitoring report"),
    "annual_summary": ("年度预算绩效管理工作报告", "Annual budget performance summary"),
    "weight_study": ("指标权重研究报告", "Indicator weight study"),
}
_LABELS = {
    "zh": {"made_with": "perfeval {version} 生成", "fingerprint": "指纹", "warnings": "计算警告（见运行日志）", "provenance": "出处信息",
           "parameters": "参数", "inputs": "输入文件", "versions": "软件版本"},
    "en": {"made_with": "Made with perfeval {version}", "fingerprint": "fingerprint", "warnings": "warnings (see the run log)",
           "provenance": "Provenance", "parameters": "Parameters", "inputs": "Input files",
           "versions": "Versions"},
}
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_KERNEL_NAME = "python3"


# --- catalogue ---------------------------------------------------------------------------------------------------

def _notebook_path(category: str) -> Path:
    if not isinstance(category, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", category):
        raise InputError.single(str(category), "unknown_report", _unknown_message(category))
    path = notebooks_dir() / f"{category}.ipynb"
    if not path.is_file():
        raise InputError.single(category, "unknown_report", _unknown_message(category))
    return path


def _categories() -> list[str]:
    return sorted(p.stem for p in notebooks_dir().glob("*.ipynb") if not p.name.startswith("."))


def _unknown_message(category: Any) -> str:
    return f"no report category {category!r}; the categories are: {', '.join(_categories()) or 'none'}"


@lru_cache(maxsize=64)
def _declared(path: str, mtime_ns: int) -> dict[str, Parameter]:
    return notebook_parameters(path)


def report_parameters(category: str) -> dict[str, Parameter]:
    """The parameters report ``category`` declares (name -> :class:`Parameter`), in the notebook's order."""
    path = _notebook_path(category)
    return dict(_declared(str(path), path.stat().st_mtime_ns))


def _title(category: str, lang: str) -> str:
    import nbformat

    meta = (nbformat.read(_notebook_path(category), as_version=4).metadata.get("perfeval") or {}).get("title") or {}
    zh, en = CATEGORY_TITLES.get(category, (category, category))
    return str(meta.get(lang) or (zh if lang == "zh" else en))


def list_reports(lang: str = "zh") -> "Any":
    """The report categories and their parameters.

    Returns
    -------
    pandas.DataFrame
        ``category``, ``title`` (in ``lang``), ``parameters`` (names, comma-separated), ``notebook`` (file name).

    Examples
    --------
    >>> import perfeval as pe
    >>> list(pe.reports.list_reports().columns)
    ['category', 'title', 'parameters', 'notebook']
    """
    import pandas as pd

    rows = []
    for category in _categories():
        rows.append({"category": category, "title": _title(category, lang),
                     "parameters": ", ".join(report_parameters(category)),
                     "notebook": f"{category}.ipynb"})
    return pd.DataFrame(rows, columns=["category", "title", "parameters", "notebook"])


# --- names -------------------------------------------------------------------------------------------------------

def slug(text: Any) -> str:
    """A file-name-safe form of an id: ASCII letters, digits, ``_`` and ``-`` kept; anything else (``/``, ``..``,
    quotes, Chinese) replaced, with a short hash of the original appended so different ids never share a name.

    >>> slug("0040001"), slug("../../etc/x")[:6], slug("财政厅") != slug("教育厅")
    ('0040001', 'etc_x-', True)
    """
    text = str(text)
    cleaned = _SLUG_UNSAFE.sub("_", text).strip("_-")[:60]
    if cleaned == text and cleaned:
        return cleaned
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned}-{digest}" if cleaned else digest


def report_stem(category: str, params: Mapping[str, Any], lang: str = "zh") -> str:
    """The file name (without suffix) of a report: ``<category>[-<subject id>][-en]``."""
    parts = [category]
    for name in SUBJECT_PARAMETERS:
        if params.get(name) not in (None, ""):
            parts.append(slug(params[name]))
            break
    if lang != "zh":
        parts.append(lang)
    return "-".join(parts)


# --- prepare -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """A report ready to execute: checked parameters injected into the notebook.

    Attributes
    ----------
    category : str
    notebook_path : Path
    params : dict
        The complete parameters (defaults updated with the caller's), as injected.
    lang : str
    notebook : nbformat.NotebookNode
        The notebook with the injected-parameters cell (id ``injected-parameters``).
    input_files : tuple of (label, Path)
        The files the report reads (dataset files, notes file): label is the name shown in the provenance
        (relative to the dataset folder, prefixed with its name), never an absolute path.
    stem : str
        Output file name without suffix.
    """

    category: str
    notebook_path: Path
    params: Mapping[str, Any]
    lang: str
    notebook: Any = field(repr=False)
    input_files: tuple[tuple[str, Path], ...] = ()
    stem: str = ""

    def shown_parameters(self) -> list[tuple[str, str]]:
        """Parameters as shown in the provenance footer: folders and files by name, never an absolute path."""
        out = []
        for name, value in self.params.items():
            if name in ("data", "notes") and isinstance(value, str) and value and os.path.isabs(value):
                value = Path(value).name
            out.append((name, json.dumps(value, ensure_ascii=False)))
        return out


def _resolve_inputs(params: dict[str, Any]) -> list[tuple[str, Path]]:
    """Make ``data`` and ``notes`` absolute (the kernel's working folder is not the caller's) and list the files."""
    from ..datasets import dataset_files, resolve_dataset

    files: list[tuple[str, Path]] = []
    if isinstance(params.get("data"), str) and params["data"]:
        directory = resolve_dataset(params["data"]).resolve()  # the report runs in another working folder
        if Path(params["data"]).is_dir():
            params["data"] = str(directory)
        for path in dataset_files(directory):
            files.append((f"{directory.name}/{path.relative_to(directory).as_posix()}", path))
    if isinstance(params.get("notes"), str) and params["notes"]:
        notes = Path(params["notes"])
        why = regular_file(notes, "notes")
        if why == "missing":
            raise InputError.single(str(notes), "file_not_found", "the evaluator's notes file does not exist")
        if why is not None:
            raise InputError.single(str(notes), "not_a_file", f"the evaluator's notes file: {why}")
        notes = notes.resolve()
        params["notes"] = str(notes)
        files.append((notes.name, notes))
    return files


#: The dataset files (stems) each category needs: a missing one is a located error before anything runs.
CATEGORY_FILES: Mapping[str, tuple[str, ...]] = {
    "self_evaluation": ("units", "indicators"), "key_evaluation": ("units", "panel"),
    "recheck": ("units", "indicators", "recheck"), "department": ("units", "department_indicators"),
    "transfer": ("units", "transfer_indicators"), "exante": ("units", "exante"),
    "monitoring": ("units", "monitoring"), "annual_summary": ("units",), "weight_study": ("indicators",),
}
#: The subject parameter -> the units' column that must hold its value (a department may also be a unit).
_SUBJECT_COLUMNS = {"unit_id": ("unit_id",), "department_id": ("department_id", "unit_id"), "region_id": ("unit_id",)}


def _check_subject(category: str, values: Mapping[str, Any]) -> None:
    """The data a category needs exist, and the unit, department or region it is about is in ``units``."""
    import pandas as pd

    from ..datasets import resolve_dataset
    from ..datasets._load import TABLE_SUFFIXES

    data = values.get("data")
    if not isinstance(data, str) or not data:
        return
    directory = resolve_dataset(data)
    problems: list[Problem] = []
    for stem in CATEGORY_FILES.get(category, ()):
        if not any((directory / f"{stem}{suffix}").is_file() for suffix in TABLE_SUFFIXES):
            problems.append(Problem(f"{directory.name}/{stem}.csv", "no_data_for_report",
                                    f"the {category} report needs {stem}.csv (or .xlsx) in the dataset folder"))
    if problems:
        raise InputError(f"the dataset cannot make a {category} report", problems)
    for name, columns in _SUBJECT_COLUMNS.items():
        value = values.get(name)
        if value in (None, "") or name not in values:
            continue
        try:
            from ..io import read_units

            units = read_units(next(directory / f"units{suffix}" for suffix in TABLE_SUFFIXES
                                    if (directory / f"units{suffix}").is_file()))
        except (StopIteration, InputError):
            return  # the notebook reports the units file's own problems
        known = set()
        for column in columns:
            if column in units:
                known |= set(units[column].dropna().astype(str))
        if str(value) not in known:
            raise InputError.single(f"{category}:{name}", "unknown_subject",
                                    f"`{name}` {value!r} is not in {directory.name}/units.csv")


def prepare(category: str, params: Mapping[str, Any] | None = None, *, lang: str | None = None) -> Prepared:
    """Check ``params`` against report ``category``'s declaration and inject them into its notebook.

    ``lang`` (when given) sets the ``lang`` parameter; it must agree with ``params["lang"]`` when both are given.

    Raises
    ------
    InputError
        ``unknown_report``; the parameter problems of :func:`~perfeval.reports._params.check_parameters`, all at
        once; ``not_a_dataset`` / ``file_not_found`` for ``data`` and ``notes``; ``no_data_for_report`` when the
        dataset lacks a file the category needs (:data:`CATEGORY_FILES`); ``unknown_subject`` when the unit,
        department or region is not in ``units``.
    """
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    path = _notebook_path(category)
    declared = report_parameters(category)
    given = dict(params or {})
    if lang is not None:
        if "lang" in given and given["lang"] != lang:
            raise InputError.single(f"{category}:lang", "conflicting_lang",
                                    f"`lang` is {given['lang']!r} in the parameters and {lang!r} in the call")
        if "lang" in declared:
            given["lang"] = lang
    values = check_parameters(category, declared, given)
    files = _resolve_inputs(values)
    _check_subject(category, values)
    nb = load_notebook_node(str(path))  # papermill's reader: the tags and metadata its injection expects
    nb = parameterize_notebook(nb, values, report_mode=False, kernel_name=_KERNEL_NAME, language="python")
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    nb.metadata.get("papermill", {}).pop("input_path", None)
    nb.metadata.get("papermill", {}).pop("output_path", None)
    chosen_lang = str(values.get("lang", "zh"))
    return Prepared(category=category, notebook_path=path, params=values, lang=chosen_lang, notebook=nb,
                    input_files=tuple(files), stem=report_stem(category, values, chosen_lang))


# --- execute -----------------------------------------------------------------------------------------------------

def execute(prepared: Prepared, *, timeout: float | None = 600, start_timeout: float = 60,
            km: Any = None, cwd: str | Path | None = None) -> Any:
    """Run a prepared report in a fresh kernel (or the kernel manager ``km``) and return the executed notebook.

    Parameters
    ----------
    timeout : float or None
        Limit in seconds for each cell (None: none).
    cwd : path, optional
        Working folder of the kernel (default: a temporary folder), set through nbclient's resources, not
        ``os.chdir`` (which is not thread-safe).

    Raises
    ------
    ReportExecutionError
        A cell raised: ``ename``, ``evalue``, ``cell`` (index) and the notebook are kept.
    ReportTimeoutError
        A cell ran past ``timeout``.
    ReportCrashError
        The kernel died (for example killed, out of memory, ``os._exit``) or could not start.
    """
    import tempfile

    import papermill
    from papermill.exceptions import PapermillExecutionError

    from traitlets.config import Config

    nb = copy.deepcopy(prepared.notebook)
    kwargs: dict[str, Any] = {"record_timing": False}
    if km is not None:
        kwargs["km"] = km
    with tempfile.TemporaryDirectory(prefix="pe-k-") as scratch:
        # IPC transport (sockets in a private folder, named by absolute path since the kernel runs elsewhere):
        # no TCP port race between concurrent kernels (papermill#511), no "running over TCP" warning
        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(scratch, "kernel")
        kwargs["config"] = config
        kwargs["resources"] = {"metadata": {"path": str(cwd or scratch)}}
        try:
            return papermill.execute_notebook(
                nb, None, parameters=None, kernel_name=_KERNEL_NAME, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, start_timeout=start_timeout, execution_timeout=timeout,
                **kwargs)
        except PapermillExecutionError as exc:
            raise ReportExecutionError(
                f"{prepared.category}: cell {exc.cell_index} raised {exc.ename}: {exc.evalue}",
                notebook=prepared.category, parameters=dict(prepared.params), cell=exc.cell_index,
                ename=exc.ename, evalue=exc.evalue) from None
        except Exception as exc:  # nbclient's timeout and dead-kernel errors, kernel start failures
            name = type(exc).__name__
            if name == "CellTimeoutError" or isinstance(exc, TimeoutError):
                raise ReportTimeoutError(f"{prepared.category}: a cell ran past the timeout of {timeout} s",
                                         notebook=prepared.category, parameters=dict(prepared.params),
                                         ename=name, evalue=str(exc)[:500]) from None
            if name in ("DeadKernelError", "RuntimeError") or "kernel" in str(exc).lower():
                raise ReportCrashError(f"{prepared.category}: the kernel died or did not start ({name}: "
                                       f"{str(exc)[:200]})", notebook=prepared.category,
                                       parameters=dict(prepared.params), ename=name,
                                       evalue=str(exc)[:500]) from None
            raise


# --- clean, facts, provenance ------------------------------------------------------------------------------------

def clean_outputs(nb: Any) -> tuple[Any, list[str], dict[str, Any], str | None]:
    """Take stderr streams out of an executed notebook and read its facts and title.

    Returns
    -------
    (notebook, warnings, facts, title)
        A copy of the notebook without stderr outputs and without papermill's per-cell timings, the stderr texts
        (one item per stream output), the merged key facts of :func:`perfeval.reports.facts`, and the text of
        the first level-1 heading block (None when there is none).
    """
    nb = copy.deepcopy(nb)
    warnings: list[str] = []
    facts: dict[str, Any] = {}
    title: str | None = None
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        papermill_meta = cell.metadata.get("papermill")
        if isinstance(papermill_meta, dict):
            for key in ("start_time", "end_time", "duration"):
                papermill_meta.pop(key, None)
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = str(output.get("text", "")).strip()
                if text:
                    warnings.append(text)
                continue
            data = output.get("data", {})
            if FACTS_MIMETYPE in data:
                facts.update(dict(data[FACTS_MIMETYPE]))
            block = data.get(BLOCK_MIMETYPE)
            if title is None and isinstance(block, Mapping) and block.get("kind") == "heading" \
                    and block.get("level") == 1:
                title = str(block.get("text"))
            kept.append(output)
        cell["outputs"] = kept
    papermill_nb = nb.metadata.get("papermill")
    if isinstance(papermill_nb, dict):
        for key in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
            papermill_nb.pop(key, None)
    return nb, warnings, facts, title


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> list[tuple[str, str]]:
    """Versions recorded in every report: perfeval, python, pandas, numpy, matplotlib, papermill, nbconvert."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    out = [("perfeval", __version__), ("python", platform.python_version())]
    for name in ("pandas", "numpy", "matplotlib", "papermill", "nbclient", "nbconvert"):
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:  # pragma: no cover - all are dependencies
            out.append((name, "?"))
    return out


def provenance(prepared: Prepared, warnings: Sequence[str] = ()) -> dict[str, Any]:
    """The provenance of a report: parameters as shown, sha256 of each input file and of the notebook,
    versions, the number of warnings, and a fingerprint (short hash of all of it)."""
    inputs = [(label, _sha256(path)) for label, path in prepared.input_files]
    notebook_hash = _sha256(prepared.notebook_path)
    record = {"category": prepared.category, "parameters": prepared.shown_parameters(), "inputs": inputs,
              "notebook": notebook_hash, "versions": versions()}
    fingerprint = hashlib.sha256(json.dumps(record, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    return {**record, "warnings": len(warnings), "fingerprint": fingerprint}


# --- export ------------------------------------------------------------------------------------------------------

def template_basedir() -> Path:
    """The folder holding the shipped nbconvert template (``perfeval_html``)."""
    return Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _css() -> str:
    return (template_basedir() / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _html_exporter(lang: str) -> Any:
    """One HTML exporter per language for the whole process: building one compiles the report template again
    (0.4-0.8 s), and an exporter holds no state between pages (the byte-identical re-render test checks it)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(template_basedir())],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        exclude_anchor_links=True, language_code=lang)


def export_html(nb: Any, prepared: Prepared, *, provenance: Mapping[str, Any], title: str | None = None) -> str:
    """The report page of an executed (cleaned) notebook: offline, deterministic HTML."""
    lang = prepared.lang if prepared.lang in _LABELS else "zh"
    exporter = _html_exporter(lang)
    resources = {"perfeval": {
        "title": title or _title(prepared.category, lang), "css": _css(), "labels": _LABELS[lang],
        "made_with": _LABELS[lang]["made_with"].format(version=dict(provenance["versions"]).get("perfeval", "")),
        "version": dict(provenance["versions"]).get("perfeval", ""), "fingerprint": provenance["fingerprint"],
        "warnings": provenance["warnings"], "parameters": provenance["parameters"], "inputs": provenance["inputs"],
        "versions": provenance["versions"]}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# --- render ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportResult:
    """One rendered report.

    Attributes
    ----------
    category : str
    params : dict
        The complete parameters the report ran with.
    status : str
        ``"ok"`` (failures raise).
    paths : dict
        Format -> written file: ``html``, ``ipynb`` (the executed notebook, stderr removed), ``log`` (the run log:
        warnings and timings), ``json`` (facts, provenance, timings); ``docx`` and ``pdf`` when asked for.
    timings : dict
        Seconds per stage: ``prepare``, ``execute``, ``export`` (HTML), ``docx``, ``pdf`` (when asked for),
        ``total``.
    warnings : tuple of str
        What the computation wrote to stderr (warnings); the page shows only their number.
    facts : dict
        The key facts the notebook recorded (:func:`perfeval.reports.facts`).
    title : str
    fingerprint : str
        The short hash printed in the page's footer.
    """

    category: str
    params: Mapping[str, Any]
    status: str
    paths: Mapping[str, Path]
    timings: Mapping[str, float]
    warnings: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""
    fingerprint: str = ""

    @property
    def html(self) -> Path:
        return self.paths["html"]

    def to_frame(self) -> "Any":
        """One row: ``category, title, status, html, warnings, fingerprint`` plus the timings and the facts."""
        import pandas as pd

        row = {"category": self.category, "title": self.title, "status": self.status,
               "html": str(self.paths.get("html", "")), "warnings": len(self.warnings),
               "fingerprint": self.fingerprint}
        row.update({f"seconds_{k}": v for k, v in self.timings.items()})
        row.update({f"fact_{k}": v for k, v in self.facts.items()})
        return pd.DataFrame([row])

    def _repr_html_(self) -> str:
        import html as _html

        return (f"<p><b>{_html.escape(self.title)}</b> ({_html.escape(self.category)}): {self.status}, "
                f"{len(self.warnings)} warning(s), {self.timings.get('total', 0):.1f} s — "
                f"<code>{_html.escape(str(self.paths.get('html', '')))}</code></p>")


def finish(prepared: Prepared, executed: Any, out_dir: Path, timings: dict[str, float],
           formats: Sequence[str] = ("html",)) -> ReportResult:
    """Clean an executed notebook, export it and write the report's files (atomically).

    ``formats`` adds ``"docx"`` and ``"pdf"`` to the HTML page (:func:`perfeval.reports._export.check_formats`);
    their seconds are ``timings["docx"]`` and ``timings["pdf"]``.
    """
    import nbformat

    from ._export import check_formats, extra_formats

    chosen = check_formats(formats)
    started = time.perf_counter()
    nb, warnings, facts, title = clean_outputs(executed)
    prov = provenance(prepared, warnings)
    page = export_html(nb, prepared, provenance=prov, title=title)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"html": out_dir / f"{prepared.stem}.html", "ipynb": out_dir / f"{prepared.stem}.ipynb",
             "log": out_dir / f"{prepared.stem}.log", "json": out_dir / f"{prepared.stem}.json"}
    atomic_write_text(paths["html"], page, encoding="utf-8")
    atomic_write_text(paths["ipynb"], nbformat.writes(nb), encoding="utf-8")
    timings["export"] = time.perf_counter() - started
    for name, data in extra_formats(nb, page, prepared, chosen, title=title, timings=timings).items():
        paths[name] = out_dir / f"{prepared.stem}.{name}"
        atomic_write_bytes(paths[name], data)
    timings["total"] = sum(v for k, v in timings.items() if k != "total")
    log_lines = [f"report {prepared.category} ({prepared.stem})"]
    log_lines += [f"{k}: {v:.3f} s" for k, v in timings.items()]
    log_lines += [f"warning {i + 1}: {w}" for i, w in enumerate(warnings)]
    atomic_write_text(paths["log"], "\n".join(log_lines) + "\n", encoding="utf-8")
    record = {"category": prepared.category, "stem": prepared.stem, "title": title or _title(prepared.category,
                                                                                            prepared.lang),
              "facts": facts, "provenance": prov, "timings": {k: round(v, 3) for k, v in timings.items()},
              "warnings": len(warnings)}
    atomic_write_text(paths["json"], json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    return ReportResult(category=prepared.category, params=dict(prepared.params), status="ok", paths=paths,
                        timings=dict(timings), warnings=tuple(warnings), facts=facts,
                        title=record["title"], fingerprint=prov["fingerprint"])


def render(category: str, params: Mapping[str, Any] | None = None, out_dir: str | Path = "reports", *,
           lang: str | None = None, timeout: float | None = 600,
           formats: str | Sequence[str] = ("html",)) -> ReportResult:
    """Render one report to offline HTML (and, with ``formats``, a Word document and a PDF of the same run).

    Parameters
    ----------
    category : str
        A category of :func:`list_reports` (``self_evaluation``, ``key_evaluation``, ``recheck``, ``department``,
        ``transfer``, ``exante``, ``monitoring``, ``annual_summary``, ``weight_study``).
    params : mapping, optional
        Parameters of the report (see :func:`list_reports`); missing ones take the notebook's defaults, which
        point at the shipped sample province.
    out_dir : path, default "reports"
        Folder of the output files (created when missing). File names are ``<category>-<slug of the id>``; an id
        holding ``/``, ``..``, quotes or Chinese never reaches a path.
    lang : {"zh", "en"}, optional
        Language of the report (the ``lang`` parameter; default zh).
    timeout : float or None, default 600
        Limit in seconds for each cell.
    formats : str or sequence of str, default ("html",)
        Any of "html", "docx", "pdf" (or "html,docx,pdf"); HTML is always written. One execution: the Word
        document (:mod:`perfeval.reports.docx`) and the PDF (:mod:`perfeval.reports.pdf`) are exports of it.

    Returns
    -------
    ReportResult

    Raises
    ------
    InputError
        Bad parameters (before anything runs), each located at ``<category>:<parameter>``.
    ReportExecutionError, ReportTimeoutError, ReportCrashError
        The report failed; nothing is written.

    Examples
    --------
    >>> import perfeval as pe, tempfile
    >>> result = pe.reports.render("self_evaluation", out_dir=tempfile.mkdtemp())  # doctest: +SKIP
    >>> result.status, result.html.suffix  # doctest: +SKIP
    ('ok', '.html')
    """
    from ._export import check_formats

    chosen = check_formats(formats)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    prepared = prepare(category, params, lang=lang)
    timings["prepare"] = time.perf_counter() - started
    started = time.perf_counter()
    executed = execute(prepared, timeout=timeout)
    timings["execute"] = time.perf_counter() - started
    return finish(prepared, executed, Path(out_dir), timings, chosen)
