"""Batch plans: which reports to render. Reading a plan (table, CSV or YAML) and building the year's plan.

A plan is a table with one row per report: ``category`` (a report notebook, see ``pe.reports.list_reports()``)
and its parameters, either as one column per parameter (an empty cell means "not given") or as a ``params``
column holding a mapping (JSON text in a CSV). A ``notebook`` column may name a parameterized notebook file of
one's own instead of a category.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .._io_util import regular_file
from ..errors import InputError, Problem

__all__ = ["PlanRow", "read_plan", "annual_plan", "PARAM_NAME"]

PARAM_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_RESERVED = ("category", "notebook", "params")


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One report of a plan: ``category`` or ``notebook`` (a path), the parameters, and where it came from."""

    category: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    notebook: str | None = None
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"category": self.category, "params": dict(self.params)}
        if self.notebook is not None:
            out["notebook"] = self.notebook
        return out


def _cell(value: Any) -> Any:
    """A plan cell as a JSON value: NaN / None / "" -> None (not given), numpy scalars -> Python."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _rows_from_records(records: list[Mapping[str, Any]], source: str, line_of: Any = None) -> list[PlanRow]:
    problems: list[Problem] = []
    rows: list[PlanRow] = []
    for i, record in enumerate(records):
        where = line_of(i) if line_of else f"{source}:row {i + 1}"
        if not isinstance(record, Mapping):
            problems.append(Problem(where, "bad_plan_row",
                                    f"a plan row must be a mapping; got {type(record).__name__}"))
            continue
        category, notebook = _cell(record.get("category")), _cell(record.get("notebook"))
        if (category is None) == (notebook is None):
            problems.append(Problem(where, "bad_plan_row", "give exactly one of `category` and `notebook`"))
            continue
        params: dict[str, Any] = {}
        raw = record.get("params")
        if isinstance(raw, str) and raw.strip():
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(Problem(where, "bad_params", f"`params` is not JSON: {exc.msg}"))
                continue
        if raw is not None and _cell(raw) is not None:
            if not isinstance(raw, Mapping):
                problems.append(Problem(where, "bad_params", f"`params` must be a mapping; got {type(raw).__name__}"))
                continue
            params.update(raw)
        for key, value in record.items():
            if key in _RESERVED:
                continue
            value = _cell(value)
            if value is not None:
                if key in params:
                    problems.append(Problem(where, "bad_params", f"parameter `{key}` given twice"))
                params[str(key)] = value
        rows.append(PlanRow(None if category is None else str(category), params,
                            None if notebook is None else str(notebook), where))
    if problems:
        raise InputError(problems=problems)
    return rows


def read_plan(plan: Any) -> list[PlanRow]:
    """The rows of ``plan``: a DataFrame, a list of mappings, or the path of a CSV or YAML file.

    Raises
    ------
    InputError
        ``bad_plan`` (not a table, no ``category``/``notebook`` column, an unreadable file) or ``bad_plan_row`` /
        ``bad_params`` naming the row.
    """
    if isinstance(plan, (list, tuple)) and all(isinstance(r, PlanRow) for r in plan):
        return list(plan)
    if isinstance(plan, pd.DataFrame):
        if not {"category", "notebook"} & set(plan.columns):
            raise InputError.single("plan", "bad_plan", "the plan needs a `category` (or `notebook`) column; "
                                    f"columns: {', '.join(map(str, plan.columns))}")
        return _rows_from_records(plan.to_dict("records"), "plan")
    if isinstance(plan, (list, tuple)):
        return _rows_from_records(list(plan), "plan")
    if isinstance(plan, (str, os.PathLike)):
        path = Path(plan)
        why = regular_file(path, "plan")
        if why == "missing":
            raise InputError.single(str(path), "file_not_found", "no such plan file")
        if why is not None:  # a FIFO would block the reader; a folder is not "missing"
            raise InputError.single(str(path), "not_a_file", why)
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(path.read_text("utf-8"))
            except yaml.YAMLError as exc:
                raise InputError.single(str(path), "bad_plan", f"not valid YAML: {exc}") from None
            if isinstance(data, Mapping) and "reports" in data:
                data = data["reports"]
            if not isinstance(data, list):
                raise InputError.single(str(path), "bad_plan",
                                        "a YAML plan is a list of reports (or a mapping with a `reports` list)")
            return _rows_from_records(data, str(path), lambda i: f"{path}:report {i + 1}")
        if path.suffix.lower() == ".csv":
            # every cell as text: codes keep their leading zeros ("001"), as the dataset readers keep them
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            if not {"category", "notebook"} & set(frame.columns):
                raise InputError.single(str(path), "bad_plan", "the plan needs a `category` (or `notebook`) column")
            return _rows_from_records(frame.to_dict("records"), str(path), lambda i: f"{path}:{i + 2}")
        raise InputError.single(str(path), "bad_plan", "a plan file is .csv, .yaml or .yml")
    raise InputError.single("plan", "bad_plan",
                            f"`plan` must be a DataFrame, a list of rows or a CSV/YAML path; got {type(plan).__name__}")


def annual_plan(data: str | os.PathLike[str], *, lang: str = "zh", categories: Any = None) -> pd.DataFrame:
    """The plan of a dataset's year: every report whose data exist.

    One row per project's self-evaluation, key evaluation (projects with expert-panel rows), department
    evaluation, transfer-payment (region) evaluation and ex-ante proposal, the re-check of the whole sample,
    monitoring per department (latest month of its data), the annual summary and the weight study (when an AHP
    survey exists). Only categories whose notebook exists are planned (``pe.reports.list_reports()``).

    Returns
    -------
    pandas.DataFrame
        ``category`` and the parameter columns (``data``, ``lang``, ``unit_id``, ``department_id``,
        ``region_id``, ``month``); cells a category does not take are empty.
    """
    from ..datasets import load_dataset
    from ..datasets._load import resolve_dataset

    import warnings

    folder = resolve_dataset(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the data's warnings are counted in the reports; the plan needs the ids
        ds = load_dataset(folder)
    data_param = str(data)
    rows: list[dict[str, Any]] = []

    def add(category: str, **params: Any) -> None:
        rows.append({"category": category, "data": data_param, "lang": lang, **params})

    units = ds.units

    def ids(frame: pd.DataFrame) -> list[str]:
        return sorted(set(frame["unit_id"].astype(str))) if len(frame) and "unit_id" in frame else []

    for unit in ids(ds.observations):
        add("self_evaluation", unit_id=unit)
    for unit in ids(ds.panel):
        add("key_evaluation", unit_id=unit)
    if len(ds.recheck):
        add("recheck")
    for dept in ids(ds.department_observations):
        add("department", department_id=dept)
    for region in ids(ds.transfer_observations):
        add("transfer", region_id=region)
    for unit in ids(ds.exante):
        add("exante", unit_id=unit)
    if len(ds.monitoring):
        mon = ds.monitoring.merge(units[["unit_id", "department_id"]].astype(str), on="unit_id", how="left")
        for dept, frame in sorted(mon.groupby("department_id", dropna=True), key=lambda kv: str(kv[0])):
            add("monitoring", department_id=str(dept), month=int(frame["month"].max()))
    add("annual_summary")
    if len(ds.ahp_survey):
        add("weight_study")
    columns = ["category", "data", "lang", "unit_id", "department_id", "region_id", "month"]
    frame = pd.DataFrame([[row.get(c) for c in columns] for row in rows], columns=columns, dtype=object)
    if categories is not None:
        frame = frame[frame["category"].isin(list(categories))]
    frame = frame[frame["category"].isin(_available_categories())]
    return frame.reset_index(drop=True)


def _available_categories() -> list[str]:
    """Categories with a notebook (the engine's list when it exists, else ``notebooks/*.ipynb``)."""
    try:
        from . import _engine  # type: ignore[attr-defined]

        listed = _engine.list_reports()
        if isinstance(listed, pd.DataFrame):
            return [str(c) for c in listed.iloc[:, 0]] if "category" not in listed else listed["category"].tolist()
        return [str(getattr(r, "category", r)) for r in listed]
    except ImportError:
        from .._resources import notebooks_dir

        return sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
