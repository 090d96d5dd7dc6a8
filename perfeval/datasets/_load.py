"""Reading any dataset folder (``docs/data-format.md``): :func:`load_dataset`.

A dataset folder holds ``dataset.yaml`` (optional) and the files of :data:`~perfeval.datasets.FILES` that exist,
each as ``.csv`` or ``.xlsx``, plus filled forms in ``forms/*.xlsx``. Without ``dataset.yaml`` the files are found
by their names and every category uses the default framework. A file that is absent leaves its frame empty (the
category is skipped by the analysis and the reports); every problem of every present file is reported at once.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from .._resources import sample_data_dir
from .._rows import header_as_written
from ..errors import InputError, Problem, format_location
from ._sample import COLUMNS, FILES, FormData, SampleData

__all__ = ["load_dataset", "resolve_dataset", "dataset_files", "INTEGER_COLUMNS"]

#: Columns the samples hold as whole numbers, by :class:`SampleData` attribute: read as nullable integers
#: (``Int64``; an empty cell is ``<NA>``), where the generic readers give floats.
INTEGER_COLUMNS: dict[str, tuple[str, ...]] = {"monitoring": ("month",), "units": ("year",)}

#: Suffixes a dataset table may have, in the order they are looked for.
TABLE_SUFFIXES = (".csv", ".xlsx")


def resolve_dataset(data: str | os.PathLike[str]) -> Path:
    """The folder of a dataset: ``data`` itself when it is a folder, else the shipped sample of that name.

    Raises
    ------
    InputError
        ``not_a_dataset`` when ``data`` is neither a folder nor the name of a shipped sample (the message lists
        the shipped samples), or is a file.
    """
    if isinstance(data, SampleData):
        raise TypeError("`data` is already a SampleData; pass it on as it is.")
    if not isinstance(data, (str, os.PathLike)):
        raise TypeError(f"`data` must be a folder path or a shipped sample's name; got {type(data).__name__}.")
    path = Path(data)
    if path.is_dir():
        return path
    shipped = sample_data_dir() / str(data)
    if isinstance(data, str) and "/" not in data and "\\" not in data and (shipped / "dataset.yaml").is_file():
        return shipped
    names = sorted(p.parent.name for p in sample_data_dir().glob("*/dataset.yaml"))
    if path.exists():
        message = "a dataset is a folder (see docs/data-format.md); got a file"
    else:
        message = (f"no such folder, and not a shipped sample ({', '.join(names) or 'none'}): give the folder of a "
                   "dataset (see docs/data-format.md)")
    raise InputError.single(str(data), "not_a_dataset", message)


def _table_path(directory: Path, file: str) -> tuple[Path | None, Problem | None]:
    stem = Path(file).stem
    found = [directory / f"{stem}{suffix}" for suffix in TABLE_SUFFIXES if (directory / f"{stem}{suffix}").exists()]
    if len(found) > 1:
        return None, Problem(str(found[0]), "ambiguous_file",
                             f"both {', '.join(p.name for p in found)} exist; keep one of them")
    return (found[0] if found else None), None


def dataset_files(data: str | os.PathLike[str]) -> list[Path]:
    """The input files of a dataset folder that :func:`load_dataset` reads (``dataset.yaml`` first, then the
    tables, then the forms), for provenance hashes and caches."""
    directory = resolve_dataset(data)
    out = [directory / "dataset.yaml"] if (directory / "dataset.yaml").is_file() else []
    for file in FILES.values():
        path, _ = _table_path(directory, file)
        if path is not None:
            out.append(path)
    out.extend(sorted((directory / "forms").glob("*.xlsx")) if (directory / "forms").is_dir() else [])
    return out


def _whole_numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as ``Int64``; a value with a fractional part is an ``not_integer`` error naming the cell."""
    values = pd.to_numeric(frame[column], errors="raise").astype("float64")
    bad = values.notna() & (values != values.round())
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        file = frame["source_file"].iat[i] if "source_file" in frame else None
        row = int(frame["source_row"].iat[i]) if "source_row" in frame else i + 2
        raise InputError.single(format_location(file, row, header_as_written(frame, file, column)), "not_integer",
                                f"`{column}` must be a whole number; got {values.iat[i]:g}")
    return values.astype("Int64")


def _read(name: str, path: Path) -> pd.DataFrame:
    """Read one dataset file with the :mod:`perfeval.io` reader its name calls for; :data:`INTEGER_COLUMNS` as
    ``Int64``."""
    from ..io import read_dataset_file

    frame = read_dataset_file(path)
    for column in INTEGER_COLUMNS.get(name, ()):
        if isinstance(frame, pd.DataFrame) and column in frame:
            frame[column] = _whole_numbers(frame, column)
    return frame


def _empty(name: str) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[name]})
    for column in INTEGER_COLUMNS.get(name, ()):
        frame[column] = pd.Series(dtype="Int64")
    frame["source_file"] = pd.Series(dtype="object")
    frame["source_row"] = pd.Series(dtype="int64")
    return frame


def _default_meta(directory: Path, units: pd.DataFrame) -> dict[str, Any]:
    from ._generate import FRAMEWORKS

    # the budget year is the year most units carry (ex-ante proposals are for the next year)
    years = pd.to_numeric(units.get("year", pd.Series(dtype=float)), errors="coerce").dropna()
    year = int(years.astype("int64").value_counts().sort_index(ascending=False).idxmax()) if len(years) else None
    return {"name": directory.name, "title": directory.name, "synthetic": False, "year": year,
            "frameworks": dict(FRAMEWORKS)}


def load_dataset(data: str | os.PathLike[str]) -> SampleData:
    """Read a dataset folder laid out as in ``docs/data-format.md``.

    Parameters
    ----------
    data : str or path
        The dataset folder, or the name of a shipped sample (``"province"``).

    Returns
    -------
    SampleData
        One frame per file (canonical columns plus ``source_file`` and ``source_row``; an absent file gives an
        empty frame with the file's columns), ``meta`` (``dataset.yaml``, or defaults without it: the folder's
        name, the year of ``units``, the default framework of each category), ``forms`` (``forms/*.xlsx`` read
        back) and ``readme``. Without ``dataset.yaml``, ``meta["year"]`` is the year most units carry.

    Raises
    ------
    InputError
        ``not_a_dataset`` (see :func:`resolve_dataset`); ``no_dataset_files`` when the folder holds none of the
        files of a dataset; otherwise every located problem of every file at once.

    Notes
    -----
    The readers' warnings (:class:`~perfeval.DataQualityWarning`, e.g. an amount executed above its budget) are
    passed on; :func:`perfeval.load_sample` silences those of the shipped sample, which lists them in
    ``meta["planted"]``.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_dataset(pe.list_samples()["path"][0])
    >>> data.meta["name"], len(data.units) > 150
    ('province', True)
    """
    from .. import io as pio

    directory = resolve_dataset(data)
    problems: list[Problem] = []
    try:
        meta = pio.read_dataset_meta(directory)
    except InputError as exc:
        problems.extend(exc.problems)
        meta = {}
    frames: dict[str, pd.DataFrame] = {}
    found = 0
    for attr, file in FILES.items():
        path, problem = _table_path(directory, file)
        if problem is not None:
            problems.append(problem)
        if path is None:
            frames[attr] = _empty(attr)
            continue
        found += 1
        try:
            frames[attr] = _read(attr, path)
        except InputError as exc:
            problems.extend(exc.problems)
            frames[attr] = _empty(attr)
    forms: list[FormData] = []
    for path in sorted((directory / "forms").glob("*.xlsx")) if (directory / "forms").is_dir() else []:
        found += 1
        try:
            form = pio.read_selfeval_form(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        budget = form.budget.iloc[0].to_dict() if len(form.budget) else {}
        forms.append(FormData(file=path.name, unit=dict(form.unit), observations=form.observations,
                              budget=budget, claimed_total=float(budget.get("claimed_total", float("nan"))),
                              claimed_grade=str(getattr(form, "claimed_grade", "") or ""),
                              goals=dict(getattr(form, "goals", {}) or {})))
    if not found and not problems:
        expected = ", ".join(FILES.values())
        problems.append(Problem(str(directory), "no_dataset_files",
                                f"the folder holds none of the files of a dataset ({expected}, forms/*.xlsx)"))
    if problems:
        raise InputError(f"{directory}: {len(problems)} problem(s) in the dataset", problems)
    if not meta:
        meta = _default_meta(directory, frames["units"])
    else:
        from ._generate import FRAMEWORKS

        meta.setdefault("name", directory.name)
        meta.setdefault("frameworks", dict(FRAMEWORKS))
    readme = directory / "README.md"
    return SampleData(**frames, meta=meta, forms=tuple(forms),
                      readme=readme.read_text(encoding="utf-8") if readme.is_file() else "")
