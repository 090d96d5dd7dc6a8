"""Helpers the dataset subcommands share (``monitor``, ``exante``, ``apply``, ``validate``, ...): dataset files and
``dataset.yaml``, printing tables, problems and warnings, writing an output table."""
from __future__ import annotations

import contextlib
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pandas as pd

from .._io_util import regular_file
from ..errors import InputError, Problem

__all__ = ["SCORED", "dataset_file", "present", "read_optional", "dataset_framework", "print_table", "print_problems",
           "write_out", "warnings_to_stderr"]

#: The scored observation files of a dataset: (file, ``frameworks`` keys dataset.yaml may use, default framework,
#: budget file).
SCORED: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("indicators.csv", ("self", "project_self", "project", "indicators"), "project_self", "budget.csv"),
    ("department_indicators.csv", ("department", "dept"), "department", "department_budget.csv"),
    ("transfer_indicators.csv", ("transfer", "region"), "transfer", "transfer_budget.csv"))


def dataset_file(directory: str | Path, name: str) -> Path:
    """``directory/name``; a missing directory or file is a located ``file_not_found`` error."""
    folder = Path(directory)
    if not folder.is_dir():
        code = "not_a_directory" if os.path.lexists(folder) else "file_not_found"
        raise InputError.single(str(folder), code, "no such dataset directory" if code == "file_not_found" else
                                "expected a dataset directory, found a file (or a broken link)")
    path = folder / name
    if not os.path.lexists(path):
        raise InputError.single(str(path), "file_not_found", f"the dataset has no {name}")
    why = regular_file(path, name)
    if why is not None:  # a FIFO, a folder, a symlink loop: an error, never "absent"
        raise InputError.single(str(path), "not_a_file", why)
    return path


def present(path: str | Path) -> bool:
    """True when something is at ``path`` (a file, a FIFO, a broken or looping link ...): a file the dataset
    has is read, and its reader refuses what is not a regular file, so nothing is dropped silently."""
    return os.path.lexists(path)


def read_optional(directory: str | Path, name: str, reader: Callable[[Path], pd.DataFrame]) -> pd.DataFrame | None:
    """Read ``directory/name`` with ``reader`` when the file exists, else None."""
    path = Path(directory) / name
    return reader(dataset_file(directory, name)) if present(path) else None


def print_table(title: str, frame: pd.DataFrame, columns: list[str] | None = None) -> None:
    """Print a titled table on standard output (floats to 2 decimals: presentation only)."""
    shown = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    print(f"== {title} ({len(shown)} rows)")
    if len(shown):
        print(shown.to_string(index=False, na_rep="", float_format=lambda x: f"{x:.2f}"))
    print()


def write_out(frame: pd.DataFrame, path: str | None, *, encoding: str = "utf-8",
              sheets: Mapping[str, pd.DataFrame] | None = None) -> None:
    """Write ``frame`` to ``path`` (CSV in ``encoding``, or XLSX), atomically, when a path is given; an ``.xlsx``
    path with ``sheets`` gets a workbook of those sheets instead (name -> table, in order)."""
    if not path:
        return
    try:
        if sheets is not None and Path(path).suffix.lower() == ".xlsx":
            from .._cells import write_xlsx
            from .._io_util import atomic_path

            with atomic_path(Path(path)) as tmp:
                write_xlsx(tmp, sheets)
        else:
            from ..io import write_table

            write_table(frame, path, encoding=encoding)
    except InputError:
        raise
    except ValueError as err:
        raise InputError.single(str(path), "bad_output", str(err)) from None
    print(f"wrote {path}", file=sys.stderr)


@contextlib.contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Print the warnings raised inside the block as one ``warning: Class: message`` line each (no repeats)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for w in caught:
                line = f"warning: {w.category.__name__}: {w.message}"
                if line not in seen:
                    seen.add(line)
                    print(line, file=sys.stderr)


def print_problems(problems: tuple[Problem, ...]) -> None:
    """Warnings kept in a result, one per line on standard error."""
    for p in problems:
        print(f"{p.location}: {p.code}: warning: {p.message}", file=sys.stderr)


def dataset_framework(meta: Any, file: str, keys: tuple[str, ...], default: str | None = None, *,
                      directory: str | Path | None = None) -> str | None:
    """The framework ``dataset.yaml`` names for the observations ``file``, else ``default``.

    Three spellings are read, in this order: ``categories: {<c>: {framework: NAME, files: [FILE, ...]}}``;
    ``frameworks: {<key>: NAME}`` with the first of ``keys`` present; and, for ``indicators.csv`` only, a
    top-level ``framework: NAME``. NAME is a shipped framework or a YAML path next to the data: with
    ``directory`` (the dataset folder) a relative path is resolved against that folder, never against the
    working directory.
    """
    name = _named_framework(meta, file, keys, default)
    if name is not None and directory is not None:
        candidate = Path(name)
        if not candidate.is_absolute() and (candidate.suffix.lower() in (".yaml", ".yml") or len(candidate.parts) > 1):
            return str(Path(directory) / candidate)
    return name


def _named_framework(meta: Any, file: str, keys: tuple[str, ...], default: str | None) -> str | None:
    """The framework NAME ``dataset.yaml`` gives ``file`` (as written), else ``default``."""
    if not isinstance(meta, dict):
        return default
    categories = meta.get("categories")
    if isinstance(categories, dict):
        for spec in categories.values():
            if isinstance(spec, dict) and file in (spec.get("files") or ()) and spec.get("framework"):
                return str(spec["framework"])
    frameworks = meta.get("frameworks")
    if isinstance(frameworks, dict):
        for key in keys:
            if frameworks.get(key):
                return str(frameworks[key])
    if file == "indicators.csv" and isinstance(meta.get("framework"), str):
        return meta["framework"]
    return default
