"""Readers of a dataset directory's other files (``docs/data-format.md``): ``dataset.yaml``, ``units.csv`` and
every data file by its name, so that :func:`perfeval.load_sample`, ``perfeval validate`` and the dataset
subcommands read a file the same way.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from .. import columns as C
from .._yaml import read_yaml
from ..errors import InputError
from ._log import ProblemLog
from ._contracts import check_observation_duplicates, observations_frame
from .forms import read_selfeval_form
from .readers import read_budget, read_observations
from .tables import XLSX_SUFFIXES, load_raw, read_table

__all__ = ["check_unique_units", "read_units", "read_recheck_indicators", "read_dataset_meta", "read_dataset_file", "dataset_reader",
           "DATASET_TABLES"]

_NODE = {C.NODE_CODE: ("指标编码", "节点编码")}

#: Tables of a dataset read with :func:`read_table`, by file stem: (aliases, required columns, numeric columns,
#: boolean columns). ``indicators`` / ``*_indicators`` and ``budget`` / ``*_budget`` files have their own readers.
DATASET_TABLES: Mapping[str, tuple[Mapping[str, tuple[str, ...]], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "units": (C.UNITS_ALIASES, (C.UNIT_ID,), ("year",), ("is_new", "rigid")),
    "panel": (C.PANEL_ALIASES, (C.UNIT_ID, C.NODE_CODE, C.RATER_ID), (C.SCORE,), ()),
    "recheck": (C.RECHECK_ALIASES, (C.UNIT_ID,), ("recheck_total",), ()),
    "exante": (C.EXANTE_ALIASES, (C.UNIT_ID, C.NODE_CODE), (C.SCORE,), ()),
    "monitoring": (C.MONITORING_ALIASES, (C.UNIT_ID, C.MONTH), (C.MONTH,), ()),
    "ahp_survey": ({"expert_id": ("专家编码", "专家"), "a": (), "b": (), "value": ("判断值",)},
                   ("expert_id", "a", "b", "value"), (), ()),
}


def read_units(path: str | Path) -> pd.DataFrame:
    """Read units.csv / .xlsx: ``unit_id, name, kind`` (project | department | region | policy),
    ``department_id, year``, ``project_type`` (continuing | phased | one_off), ``is_new`` and ``rigid`` (yes/no:
    是/否, true/false, 1/0), ``category``; Chinese headers of :data:`perfeval.columns.UNITS_ALIASES` accepted.

    Returns
    -------
    DataFrame
        Canonical columns (``year`` as float, ``is_new``, ``rigid`` as nullable booleans), any other column as
        text, plus ``source_file`` and ``source_row``.

    Raises
    ------
    InputError
        The located problems of :func:`read_table` (``missing_column`` when there is no ``unit_id``,
        ``not_numeric``, ``not_boolean`` ...).
    """
    aliases, required, numeric, booleans = DATASET_TABLES["units"]
    units = read_table(path, aliases, required, kind="units", numeric=numeric, booleans=booleans)
    check_unique_units(units, "units")
    return units


def check_unique_units(frame: pd.DataFrame, kind: str) -> None:
    """Refuse a table naming a unit twice (``duplicate_unit``, located at the later row, naming the first row):
    a second row would otherwise be dropped or doubled silently by whoever merges it."""
    ids = frame[C.UNIT_ID]
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return
    log = ProblemLog()
    first: dict[str, int] = {}
    for uid, row, file in zip(ids[dup], frame["source_row"][dup], frame["source_file"][dup]):
        if uid in first:
            log.add("duplicate_unit", f"unit {uid!r} appears twice in the {kind} table: rows {first[uid]} and "
                    f"{row}; keep one row per unit", file=str(file), row=int(row), column=C.UNIT_ID)
        else:
            first[uid] = int(row)
    log.raise_if_errors()


def read_dataset_meta(directory: str | Path) -> dict[str, Any]:
    """``directory/dataset.yaml`` as a mapping ({} when it is absent or not a mapping).

    Framework paths it names (``frameworks: {self: fw/mine.yaml}``, ``categories: {c: {framework: ...}}``, a
    top-level ``framework``) are resolved against ``directory``, never the working directory: a value ending in
    ``.yaml``/``.yml`` or holding a folder is a path; a bare name is a shipped framework.

    Raises
    ------
    InputError
        ``yaml_syntax``, located ``file:line``, when the file is not valid YAML; the errors of
        :func:`perfeval._yaml.read_yaml` (not a regular file, encoding, size, nesting and alias limits).
    """
    path = Path(directory) / "dataset.yaml"
    if not path.exists() and not path.is_symlink():
        return {}
    meta, _ = read_yaml(path, "dataset.yaml")  # a FIFO, folder or unreadable file is an error, not "absent"
    if not isinstance(meta, dict):
        return {}
    if isinstance(meta.get("frameworks"), dict):
        for key, value in meta["frameworks"].items():
            meta["frameworks"][key] = dataset_path(directory, value)
    for spec in (meta.get("categories") or {}).values() if isinstance(meta.get("categories"), dict) else ():
        if isinstance(spec, dict) and "framework" in spec:
            spec["framework"] = dataset_path(directory, spec["framework"])
    if "framework" in meta:
        meta["framework"] = dataset_path(directory, meta["framework"])
    return meta


def dataset_path(directory: str | Path, value: Any) -> Any:
    """``value`` resolved against the dataset folder when it is a relative file path (ends in ``.yaml``/``.yml``
    or names a folder); names of shipped frameworks and anything else are returned unchanged."""
    if not isinstance(value, str) or not value.strip():
        return value
    p = Path(value)
    if p.is_absolute() or not (p.suffix.lower() in (".yaml", ".yml") or len(p.parts) > 1):
        return value
    return os.path.abspath(Path(directory) / p)  # absolute: it stays right whoever joins it again


def read_recheck_indicators(path: str | Path) -> pd.DataFrame:
    """Read an indicator-level re-check (``recheck_indicators.csv``): the observations of
    :func:`read_observations` with the re-checker's ``recheck_score`` (复核指标得分) as a required float column.

    Raises
    ------
    InputError
        As :func:`read_observations`, and ``missing_column`` / ``not_numeric`` for ``recheck_score``.
    """
    log = ProblemLog()
    aliases = {**C.OBSERVATION_ALIASES, "recheck_score": C.RECHECK_ALIASES["recheck_score"]}
    raw = load_raw(path, aliases, (*C.OBSERVATION_REQUIRED, "recheck_score"), kind="recheck indicators",
                   sheet=None, log=log)
    if raw is None:
        log.raise_if_errors()
    frame = observations_frame(raw, log, numeric=("recheck_score",))
    check_observation_duplicates(frame, log)
    log.raise_if_errors()
    return frame


def dataset_reader(path: str | Path) -> Callable[[Path], Any]:
    """The reader of a dataset file, chosen by its name: ``indicators`` and ``*_indicators`` by
    :func:`read_observations` (``recheck_indicators`` with a numeric ``recheck_score``), ``budget`` and
    ``*_budget`` by :func:`read_budget`, a workbook in ``forms/`` by :func:`read_selfeval_form`, the tables of
    :data:`DATASET_TABLES` by :func:`read_table` with their numeric and boolean columns, anything else as text."""
    p = Path(path)
    stem = p.stem.lower()
    if p.parent.name == "forms" and p.suffix.lower() in XLSX_SUFFIXES:
        return read_selfeval_form
    if stem == "recheck_indicators":
        return read_recheck_indicators
    if stem == "indicators" or stem.endswith("_indicators"):
        return read_observations
    if stem == "budget" or stem.endswith("_budget"):
        return read_budget
    aliases, required, numeric, booleans = DATASET_TABLES.get(stem, ({}, (), (), ()))
    return lambda q: read_table(q, aliases, required, kind=stem, numeric=numeric, booleans=booleans)


def read_dataset_file(path: str | Path) -> Any:
    """Read one file of a dataset directory with the reader its name calls for (:func:`dataset_reader`)."""
    return dataset_reader(path)(Path(path))
