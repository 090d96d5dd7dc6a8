"""The :class:`SampleData` container: one frame per file of a sample dataset, byte-stable writing and reading.

Writing is deterministic so that ``pe.synthesize(seed=2019).write(dir)`` reproduces the committed
``sample_data/province/`` byte for byte: fixed column order per file, UTF-8 without BOM, ``\\n`` line endings,
numbers in their shortest round-trip decimal form (values are generated at the precision a form would show),
booleans as ``true``/``false``, missing values as empty cells. The XLSX forms are made byte-stable too: their
zip entries get a fixed timestamp and the workbook's created/modified properties are set to the end of the budget
year (openpyxl would otherwise stamp the current time).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from .._io_util import atomic_write_bytes

__all__ = ["SampleData", "FormData", "FILES", "COLUMNS", "frame_to_csv", "stable_xlsx", "write_file"]

#: Frame attribute -> file name in the dataset directory.
FILES: Mapping[str, str] = {
    "units": "units.csv",
    "observations": "indicators.csv",
    "budget": "budget.csv",
    "recheck": "recheck.csv",
    "recheck_indicators": "recheck_indicators.csv",
    "panel": "panel.csv",
    "department_observations": "department_indicators.csv",
    "department_budget": "department_budget.csv",
    "transfer_observations": "transfer_indicators.csv",
    "transfer_budget": "transfer_budget.csv",
    "exante": "exante.csv",
    "monitoring": "monitoring.csv",
    "ahp_survey": "ahp_survey.csv",
}

_OBS = ["unit_id", "l1", "l2", "indicator", "indicator_code", "op", "target", "actual", "unit", "points",
        "level", "score", "applicable", "note"]

_BUDGET = ["unit_id", "budget_initial", "budget_full_year", "budget_adjusted", "funds_in_place", "executed"]

#: Column order of every file (the canonical names of :mod:`perfeval.columns`).
COLUMNS: Mapping[str, list[str]] = {
    "units": ["unit_id", "name", "kind", "department_id", "year", "project_type", "is_new", "rigid", "category"],
    "observations": _OBS,
    "budget": [*_BUDGET, "score", "claimed_total"],
    "recheck": ["unit_id", "recheck_total"],
    "recheck_indicators": [*_OBS, "recheck_score"],
    "panel": ["unit_id", "node_code", "rater_id", "score"],
    "department_observations": ["unit_id", "node_code", *_OBS[1:]],
    "department_budget": _BUDGET,
    "transfer_observations": ["unit_id", "node_code", *_OBS[1:]],
    "transfer_budget": _BUDGET,
    "exante": ["unit_id", "node_code", "score"],
    "monitoring": ["unit_id", "month", "indicator", "value", "forecast", "note"],
    "ahp_survey": ["expert_id", "a", "b", "value"],
}

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class FormData:
    """One filled standard self-evaluation form (项目支出绩效自评表), ready for :func:`perfeval.write_selfeval_form`.

    Attributes
    ----------
    file : str
        File name inside ``forms/`` (``<unit_id>.xlsx``).
    unit : mapping
        Header block: ``unit_id``, ``name`` (项目名称), ``department`` (主管部门), ``implementing_unit``
        (实施单位), ``year``.
    observations : pandas.DataFrame
        The project's rows of ``indicators.csv``.
    budget : dict
        The project's row of ``budget.csv``.
    claimed_total : float
        总分 as the unit wrote it.
    claimed_grade : str
        自评等级 as the unit wrote it.
    goals : mapping
        ``expected`` (预期目标) and ``actual`` (实际完成情况) of the goal block.
    """

    file: str
    unit: Mapping[str, Any]
    observations: pd.DataFrame
    budget: Mapping[str, Any]
    claimed_total: float
    claimed_grade: str
    goals: Mapping[str, str]


def _fmt(value: Any) -> str:
    """One cell as text: shortest round-trip decimals, ``true``/``false``, empty for missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return np.format_float_positional(float(value), trim="-")
    return str(value)


def frame_to_csv(frame: pd.DataFrame, columns: list[str]) -> str:
    """CSV text of ``frame`` restricted to ``columns`` (in that order), formatted byte-stably."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    cols = [frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in columns]
    for row in zip(*cols):
        writer.writerow([_fmt(v) for v in row])
    return buffer.getvalue()


def write_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, readable by everyone (mode 0644, not the temporary file's 0600)."""
    atomic_write_bytes(path, data)
    os.chmod(path, 0o644)
    return path


def _c14n(content: bytes) -> bytes:
    """C14N 2.0 form of an XML document, whatever namespaces other libraries registered in this process.

    ElementTree's canonicalizer reads the process-wide prefix registry; WeasyPrint registers the empty namespace
    there on import (for its XMP metadata), which makes every default-namespace child come out as
    ``xmlns="" xmlns="..."``. The entry is set aside while canonicalizing.
    """
    import xml.etree.ElementTree as ET

    registry = ET._namespace_map
    empty = registry.pop("", None)
    try:
        return ET.canonicalize(content.decode("utf-8")).encode("utf-8")
    finally:
        if empty is not None:
            registry[""] = empty


def stable_xlsx(data: bytes, timestamp: str) -> bytes:
    """Rewrite an XLSX so that the same content gives the same bytes.

    Every zip entry gets the timestamp 1980-01-01 00:00 and the workbook's ``dcterms:created`` /
    ``dcterms:modified`` properties are set to ``timestamp`` (ISO 8601, e.g. ``2023-12-31T00:00:00Z``). Every XML
    part is canonicalized (C14N 2.0, after a fixed XML declaration): openpyxl serializes differently when lxml is
    installed (namespace placement, ``<a />`` or ``<a/>``), and the bytes must not depend on that.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    pattern = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = pattern.sub(lambda m: m.group(1) + timestamp.encode() + m.group(3), content)
            if item.filename.endswith((".xml", ".rels")):
                content = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _c14n(content)
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()


@dataclass(frozen=True)
class SampleData:
    """A sample dataset: one frame per file, the metadata of ``dataset.yaml`` and the filled forms.

    Frames follow the data contract of ``docs/data-format.md`` (canonical column names). The frames are plain
    DataFrames: treat them as read-only, or copy before changing them.

    Attributes
    ----------
    units : pandas.DataFrame
        ``unit_id, name, kind, department_id, year, project_type, is_new, rigid, category``.
    observations : pandas.DataFrame
        Self-evaluation indicator rows of the projects (``indicators.csv``).
    budget : pandas.DataFrame
        Budget execution of the projects, with the claimed execution points and totals.
    recheck, recheck_indicators : pandas.DataFrame
        The re-evaluation (再评价) of a stratified sample: totals, and indicator rows with ``recheck_score``.
    panel : pandas.DataFrame
        Expert ratings of the key evaluations: ``unit_id, node_code, rater_id, score``.
    department_observations, transfer_observations : pandas.DataFrame
        Department-overall and transfer-payment evaluations, observations keyed by ``node_code``.
    department_budget, transfer_budget : pandas.DataFrame
        The budgets their execution leaves are scored from (budget contract, without claims).
    exante : pandas.DataFrame
        Ex-ante assessment score sheets: ``unit_id, node_code, score``.
    monitoring : pandas.DataFrame
        Dual monitoring, months 1-8: ``unit_id, month, indicator, value, forecast, note``.
    ahp_survey : pandas.DataFrame
        Pairwise comparisons: ``expert_id, a, b, value``.
    meta : dict
        ``dataset.yaml``: name, title, year, frameworks and files per category, planted problems, ``truth``.
    forms : tuple of FormData
        Filled standard self-evaluation forms (``forms/*.xlsx``).
    readme : str
        The dataset's README.md.
    """

    units: pd.DataFrame
    observations: pd.DataFrame
    budget: pd.DataFrame
    recheck: pd.DataFrame
    recheck_indicators: pd.DataFrame
    panel: pd.DataFrame
    department_observations: pd.DataFrame
    department_budget: pd.DataFrame
    transfer_observations: pd.DataFrame
    transfer_budget: pd.DataFrame
    exante: pd.DataFrame
    monitoring: pd.DataFrame
    ahp_survey: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)
    forms: tuple[FormData, ...] = ()
    readme: str = ""

    def frames(self) -> dict[str, pd.DataFrame]:
        """The frames by attribute name, in file order."""
        return {name: getattr(self, name) for name in FILES}

    def csv_texts(self) -> dict[str, str]:
        """File name -> CSV text exactly as :meth:`write` writes it."""
        return {FILES[name]: frame_to_csv(frame, COLUMNS[name]) for name, frame in self.frames().items()}

    def yaml_text(self) -> str:
        """``dataset.yaml`` exactly as :meth:`write` writes it."""
        return yaml.safe_dump(_plain(self.meta), allow_unicode=True, sort_keys=False, width=110)

    def write(self, directory: str | Path) -> Path:
        """Write every file of the dataset to ``directory`` (created if needed); each file atomically.

        Writes ``dataset.yaml``, ``README.md``, one CSV per frame (:data:`FILES`), ``forms/<unit>.xlsx`` and the
        experts' filled score sheets ``sheets/<expert>.xlsx`` (:mod:`perfeval.datasets._sheets`).
        Returns the directory.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_file(directory / "dataset.yaml", self.yaml_text().encode("utf-8"))
        if self.readme:
            write_file(directory / "README.md", self.readme.encode("utf-8"))
        for file, text in self.csv_texts().items():
            write_file(directory / file, text.encode("utf-8"))
        for form in self.forms:
            write_file(directory / "forms" / form.file, self.form_bytes(form))
        from ._sheets import write_sample_sheets  # the experts' filled score sheets, from panel.csv

        write_sample_sheets(self, directory)
        return directory

    def form_bytes(self, form: FormData) -> bytes:
        """The XLSX bytes of one form exactly as :meth:`write` writes it (byte-stable, see :func:`stable_xlsx`)."""
        from ..io import write_selfeval_form

        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / form.file
            write_selfeval_form(raw, unit=dict(form.unit), observations=form.observations,
                                budget=dict(form.budget), claimed_total=form.claimed_total,
                                claimed_grade=form.claimed_grade, goals=dict(form.goals))
            data = raw.read_bytes()
        return stable_xlsx(data, f"{int(self.meta.get('year', 2023))}-12-31T00:00:00Z")

    def with_readme(self, readme: str) -> "SampleData":
        """A copy carrying ``readme`` as its README.md text."""
        return dataclasses.replace(self, readme=readme)

    def summary(self) -> pd.DataFrame:
        """One row per file: ``file, rows, units, columns``."""
        rows = []
        for name, frame in self.frames().items():
            key = "expert_id" if name == "ahp_survey" else "unit_id"
            units = frame[key].nunique() if key in frame.columns else 0
            rows.append({"file": FILES[name], "rows": len(frame), "units": units,
                         "columns": ", ".join(COLUMNS[name])})
        rows.append({"file": "forms/*.xlsx", "rows": len(self.forms), "units": len(self.forms), "columns": ""})
        return pd.DataFrame(rows, columns=["file", "rows", "units", "columns"])

    def _repr_html_(self) -> str:
        """Title line and the :meth:`summary` table (JupyterLab)."""
        meta = self.meta
        head = (f"<p><b>{meta.get('title', meta.get('name', 'sample'))}</b> — year {meta.get('year', '')}, "
                f"seed {meta.get('seed', '')}, scale {meta.get('scale', '')}"
                f"{' (synthetic)' if meta.get('synthetic') else ''}</p>")
        return head + self.summary().to_html(index=False)

    def __repr__(self) -> str:
        """Name, year and sizes."""
        return (f"SampleData(name={self.meta.get('name')!r}, year={self.meta.get('year')!r}, "
                f"units={len(self.units)}, observations={len(self.observations)}, forms={len(self.forms)})")


def _plain(value: Any) -> Any:
    """Plain YAML-friendly containers and scalars (numpy scalars become Python ones)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
