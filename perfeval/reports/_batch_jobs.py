"""From plan rows to runnable report jobs, and the report's last step in the worker (clean, provenance, HTML).

Category rows go through the single-report engine (:func:`perfeval.reports._engine.prepare`), so a batch checks
parameters exactly as ``pe.reports.render`` does; text cells of a CSV plan are first read as the parameter's
declared type, as ``perfeval render -p`` reads them (``8`` -> 8 for an int, ``0010001`` stays text). A row naming
a ``notebook`` file of one's own is checked against that notebook's ``parameters`` cell with the same rules.

In the worker, :func:`finish_report` does what :func:`perfeval.reports._engine.finish` does before writing files:
stderr out of the notebook (into the log), key facts, provenance, the page through the engine's template — so the
batch's HTML is byte for byte the HTML of ``pe.reports.render``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError
from ._batch_plan import PlanRow

__all__ = ["Job", "prepare_job", "finish_report", "exporter_for"]


@dataclass(frozen=True)
class Job:
    """One report of a batch, ready to run: the engine's :class:`~perfeval.reports._engine.Prepared` and where
    it sits in the plan."""

    index: int
    prepared: Any
    dataset_dir: Path | None
    title: str | None = None  # own notebooks: the page title when the notebook shows no level-1 heading

    @property
    def name(self) -> str:
        return str(self.prepared.stem)

    @property
    def category(self) -> str:
        return str(self.prepared.category)

    @property
    def params(self) -> Mapping[str, Any]:
        return self.prepared.params

    @property
    def nb(self) -> Any:
        return self.prepared.notebook

    @property
    def input_files(self) -> tuple[tuple[str, Path], ...]:
        return tuple(self.prepared.input_files)


def _typed(category: str, declared: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """Text values of declared non-text parameters read as their type (a CSV plan holds text only)."""
    from ._params import parse_cli_value

    out = {}
    for name, value in params.items():
        p = declared.get(name)
        if p is not None and isinstance(value, str) and p.type != "str":
            value = parse_cli_value(category, p, value)
        out[name] = value
    return out


def _dataset_dir(params: Mapping[str, Any]) -> Path | None:
    data = params.get("data")
    if not isinstance(data, str) or not data:
        return None
    try:
        from ..datasets import resolve_dataset

        return resolve_dataset(data).resolve()
    except Exception:  # noqa: BLE001  (prepare has accepted it; a folder that vanished fails in the report)
        return None


def prepare_job(row: PlanRow, index: int, *, lang: str = "zh") -> Job:
    """Check one plan row and inject its parameters.

    Raises
    ------
    InputError
        An unknown category, a missing notebook, parameters that are unknown, of the wrong type or not JSON.
    """
    from . import _engine

    params = dict(row.params)
    if row.category is not None:
        declared = _engine.report_parameters(row.category)
        params = _typed(row.category, declared, params)
        if "lang" not in params and "lang" in declared:
            params["lang"] = lang
        prepared = _engine.prepare(row.category, params)
        return Job(index, prepared, _dataset_dir(prepared.params))
    return _prepare_notebook(row, index, params, lang)


def _prepare_notebook(row: PlanRow, index: int, params: dict[str, Any], lang: str) -> Job:
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from . import _engine
    from ._params import check_parameters, notebook_parameters

    path = Path(str(row.notebook))
    if not path.is_file():
        raise InputError.single(row.source, "file_not_found", f"no such notebook: {path}")
    category = path.stem
    declared = notebook_parameters(path)
    params = _typed(path.name, declared, params)
    if "lang" not in params and "lang" in declared:
        params["lang"] = lang
    values = check_parameters(path.name, declared, params)
    files = _engine._resolve_inputs(values)
    nb = load_notebook_node(str(path))
    nb = parameterize_notebook(nb, values, report_mode=False, kernel_name="python3", language="python")
    for cell in nb.cells:  # stable id: identical inputs must give identical HTML
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    nb.metadata.get("papermill", {}).pop("input_path", None)
    nb.metadata.get("papermill", {}).pop("output_path", None)
    chosen = str(values.get("lang", lang))
    stem = _engine.report_stem(_engine.slug(category), values, chosen)
    if not any(values.get(n) not in (None, "") for n in _engine.SUBJECT_PARAMETERS):
        import hashlib
        import json

        digest = hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
        stem = f"{stem}-{digest}"  # no subject: name the report by its parameters
    prepared = _engine.Prepared(category=category, notebook_path=path.resolve(), params=values, lang=chosen,
                                notebook=nb, input_files=tuple(files), stem=stem)
    return Job(index, prepared, _dataset_dir(values), title=category)


def finish_report(nb: Any, *, prepared: Any, title: str | None = None,
                  formats: tuple[str, ...] = ("html",)) -> dict[str, Any]:
    """The report's page from its executed notebook, as :func:`perfeval.reports._engine.finish` makes it.

    Returns ``html``, ``notebook`` (stderr removed, as the engine saves it), ``warnings`` (the stderr texts),
    ``facts``, ``title``, ``fingerprint`` and ``extra`` (format -> bytes of the Word document and the PDF of
    ``formats``, made in the worker's child so they render in parallel like the pages; ``extra_timings`` their
    seconds).
    """
    from . import _engine
    from ._export import extra_formats

    cleaned, warnings, facts, found_title = _engine.clean_outputs(nb)
    prov = _engine.provenance(prepared, warnings)
    html = _engine.export_html(cleaned, prepared, provenance=prov, title=found_title or title)
    extra_timings: dict[str, float] = {}
    extra = extra_formats(cleaned, html, prepared, [f for f in formats if f != "html"],
                          title=found_title or title, timings=extra_timings)
    return {"html": html, "notebook": cleaned, "warnings": list(warnings), "facts": facts,
            "title": found_title or title, "fingerprint": prov["fingerprint"], "extra": extra,
            "extra_timings": extra_timings}


def exporter_for(job: Job, formats: tuple[str, ...] = ("html",)) -> Any:
    """A picklable callable ``executed notebook -> finish_report(...)`` for the worker."""
    return functools.partial(finish_report, prepared=job.prepared, title=job.title, formats=tuple(formats))
