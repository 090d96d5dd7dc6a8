"""From plan rows to runnable report jobs: validated parameters, the notebook with its parameters injected, the
input files, the output name and the HTML export the worker calls.

Category rows go through the single-report engine (``perfeval.reports._engine.prepare``), so a batch checks
parameters exactly as ``pe.reports.render`` does. A row naming a ``notebook`` file of one's own is prepared here:
its parameters are checked against the notebook's ``parameters`` cell (names declared there, JSON values) and
injected with papermill's own ``parameterize_notebook``.
"""
from __future__ import annotations

import copy
import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError, Problem
from ._batch_plan import PARAM_NAME, PlanRow

__all__ = ["Job", "prepare_job", "slug", "export_html"]


@dataclass(frozen=True)
class Job:
    """One report of a batch, ready to run."""

    index: int
    name: str
    category: str | None
    params: Mapping[str, Any]
    nb: Any
    notebook_path: Path
    input_files: tuple[Path, ...]
    dataset_dir: Path | None
    lang: str
    prepared: Any = None


def slug(text: Any) -> str:
    """A file-name-safe slug: ASCII letters, digits, ``.``, ``_`` and ``-``; anything else becomes ``-`` (Chinese
    names stay in titles, never in paths)."""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-.")
    return value or "x"


def _engine() -> Any:
    try:
        from . import _engine  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _engine


def _output_name(category: str, params: Mapping[str, Any], prepared: Any) -> str:
    for attr in ("name", "output_name", "stem"):
        value = getattr(prepared, attr, None)
        if isinstance(value, str) and value:
            return value
    ident = next((params[k] for k in ("unit_id", "department_id", "region_id") if params.get(k) is not None), None)
    parts = [slug(category)] + ([slug(ident)] if ident is not None else [])
    if params.get("month") is not None and category == "monitoring":
        parts.append(f"m{int(params['month']):02d}")
    return "-".join(parts)


def prepare_job(row: PlanRow, index: int, *, lang: str = "zh") -> Job:
    """Validate one plan row and inject its parameters.

    Raises
    ------
    InputError
        Parameters that are unknown, of the wrong type or not JSON; an unknown category; a missing notebook.
    """
    params = dict(row.params)
    row_lang = str(params.pop("lang", lang))
    if row.category is not None:
        engine = _engine()
        if engine is None:
            raise InputError.single(row.source, "no_engine", "the report engine (perfeval.reports._engine) is not "
                                    "installed; only `notebook` rows can run")
        prepared = engine.prepare(row.category, params, lang=row_lang)
        nb = prepared.notebook if hasattr(prepared, "notebook") else prepared.nb
        full = dict(getattr(prepared, "params", None) or getattr(prepared, "parameters", None) or params)
        path = Path(getattr(prepared, "notebook_path", None) or getattr(prepared, "path", ""))
        inputs = tuple(Path(p) for p in getattr(prepared, "input_files", ()) or ())
        dataset = _dataset_dir(full.get("data"))
        return Job(index, _output_name(row.category, full, prepared), row.category, full, nb, path, inputs,
                   dataset, row_lang, prepared)
    return _prepare_notebook(row, index, params, row_lang)


def _dataset_dir(data: Any) -> Path | None:
    if data is None:
        return None
    try:
        from ..datasets._load import resolve_dataset

        return resolve_dataset(data).resolve()
    except Exception:  # noqa: BLE001  (not a dataset: the report itself will say so)
        return None


def _prepare_notebook(row: PlanRow, index: int, params: dict[str, Any], lang: str) -> Job:
    import papermill as pm
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    path = Path(str(row.notebook))
    if not path.is_file():
        raise InputError.single(row.source, "file_not_found", f"no such notebook: {path}")
    declared = pm.inspect_notebook(str(path))
    if "lang" in declared:
        params["lang"] = lang
    problems = []
    for name, value in params.items():
        if not re.match(PARAM_NAME, name):
            problems.append(Problem(row.source, "bad_parameter", f"`{name}` is not a parameter name"))
        elif name not in declared:
            problems.append(Problem(row.source, "unknown_parameter",
                                    f"`{name}` is not a parameter of {path.name}; it declares "
                                    f"{', '.join(declared) or 'none'}"))
        else:
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                problems.append(Problem(row.source, "bad_parameter", f"`{name}` must be a JSON value; got {value!r}"))
    if problems:
        raise InputError(problems=problems)
    nb = load_notebook_node(str(path))  # papermill's reader (gives every cell a `tags` list)
    nb = parameterize_notebook(nb, params, report_mode=False, kernel_name=None, language="python")
    for i, cell in enumerate(nb.cells):  # stable ids: the HTML must not change between identical runs
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = f"injected-parameters-{i}"
    dataset = _dataset_dir(params.get("data"))
    inputs: tuple[Path, ...] = ()
    if dataset is not None:
        from ..datasets._load import dataset_files

        inputs = tuple(dataset_files(dataset))
    ident = next((params[k] for k in ("unit_id", "department_id", "region_id") if params.get(k) is not None), None)
    if ident is None:  # no unit: name the report by its parameters
        import hashlib

        ident = hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    name = f"{slug(path.stem)}-{slug(ident)}"
    return Job(index, name, None, params, nb, path.resolve(), inputs, dataset, lang, None)


def export_html(nb: Any, *, job: Job, provenance: Mapping[str, Any]) -> str:
    """The report's HTML: the engine's export for category reports, a plain offline page for own notebooks."""
    engine = _engine()
    if engine is not None and job.prepared is not None:
        return engine.export_html(nb, job.prepared, provenance=provenance)
    return _plain_html(nb, job, provenance)


def _plain_html(nb: Any, job: Job, provenance: Mapping[str, Any]) -> str:
    """An own notebook's outputs as one offline page (nbconvert's ``basic`` template: no CDN, no inputs)."""
    from html import escape

    from nbconvert import HTMLExporter

    exporter = _basic_exporter()
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    body, _ = exporter.from_notebook_node(nb)
    footer = escape(json.dumps(provenance, ensure_ascii=False, sort_keys=True))
    return (f'<!DOCTYPE html>\n<html lang="{escape(job.lang)}">\n<head><meta charset="utf-8">'
            f"<title>{escape(job.name)}</title></head>\n<body>\n{body}\n"
            f'<footer class="pe-provenance"><pre>{footer}</pre></footer>\n</body>\n</html>\n')


@functools.lru_cache(maxsize=1)
def _basic_exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, anchor_link_text="")


def exporter_for(job: Job, provenance: Mapping[str, Any]) -> Any:
    """A picklable callable ``nb -> html`` for the worker."""
    return functools.partial(export_html, job=job, provenance=dict(provenance))
