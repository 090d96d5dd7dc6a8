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
           "write_out", "warnings_to_stderr", "add_lang", "names_near", "problem_text"]

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


def add_lang(parser: Any) -> None:
    """The ``--lang`` option of a command writing tables (headers, meanings of codes, problem lines)."""
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the written tables and of the meanings added to problem lines (default zh; "
                             "en: the canonical English headers)")


def names_near(*paths: str | Path | None, out: str | Path | None = None) -> dict[str, str]:
    """Unit id -> name for the tables written about the data at ``paths``: the ``units.csv`` of the data folder (the
    folder given, or the file's folder), else the project names of the self-evaluation forms there. Unreadable
    sources give no names (the tables are written without them), never an error; the output file ``out`` is never
    read (a table perfeval writes may be called units.csv)."""
    from .._present import unit_names
    from ..io import is_selfeval_form, read_selfeval_form, read_units

    names: dict[str, str] = {}
    for given in paths:
        if not given:
            continue
        p = Path(given)
        folder = p if p.is_dir() else p.parent
        try:
            units_csv = folder / "units.csv"
            if units_csv.is_file() and not _same(units_csv, out):
                for k, v in unit_names(read_units(units_csv)).items():
                    names.setdefault(k, v)
                continue
            forms = (sorted([*folder.glob("*.xlsx"), *folder.glob("forms/*.xlsx")]) if p.is_dir()
                     else [p] if p.suffix.lower() in (".xlsx", ".xlsm") else [])
            for f in forms:
                if not _same(f, out) and is_selfeval_form(f):
                    unit = read_selfeval_form(f).unit
                    if unit.get("unit_id") and unit.get("name"):
                        names.setdefault(str(unit["unit_id"]), str(unit["name"]))
        except (InputError, OSError, ValueError):
            continue
    return names


def _same(path: Path, out: str | Path | None) -> bool:
    """True when ``path`` is the output file ``out``."""
    try:
        return bool(out) and Path(out).exists() and Path(out).resolve() == path.resolve()
    except OSError:
        return False


#: Sheet names of the workbooks the commands write, in Chinese.
_SHEETS_ZH = {"units": "项目", "summary": "汇总", "transitions": "等级变化", "by": "分组", "population": "总体估计",
              "problems": "问题", "findings": "审核发现", "vocabulary": "问题代码表", "lights": "监控灯",
              "ratings": "专家评分", "weights": "权重", "totals": "总分", "parameters": "参数"}


def write_out(frame: pd.DataFrame, path: str | None, *, encoding: str = "utf-8-sig",
              sheets: Mapping[str, pd.DataFrame] | None = None, lang: str = "zh", units: Any = None,
              base: str | Path | None = None, subject: str = "project",
              headers: Mapping[str, str] | None = None) -> None:
    """Write ``frame`` to ``path`` (CSV in ``encoding``, UTF-8 with BOM by default, or XLSX), atomically, when a path
    is given; an ``.xlsx`` path with ``sheets`` gets a workbook of those sheets instead (name -> table, in order).

    Every table is written as people read it (:func:`perfeval._present.present`): headers and code meanings in
    ``lang``, the names of ``units`` beside the codes, numbers rounded for display, paths relative to ``base``.
    """
    if not path:
        return
    from .._present import present

    def shown(table: pd.DataFrame) -> pd.DataFrame:
        return present(table, lang, units=units, base=base, subject=subject, headers=headers)

    try:
        if sheets is not None and Path(path).suffix.lower() == ".xlsx":
            from .._cells import write_xlsx
            from .._io_util import atomic_path

            named = {(_SHEETS_ZH.get(name, name) if lang == "zh" else name): shown(table)
                     for name, table in sheets.items()}
            with atomic_path(Path(path)) as tmp:
                write_xlsx(tmp, named)
        else:
            from ..io import write_table

            write_table(shown(frame), path, encoding=encoding)
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


def problem_text(p: Any, lang: str = "zh") -> str:
    """A problem's message on a terminal line (:func:`perfeval._messages.problem_text`): in Chinese the code's
    meaning follows the message in brackets."""
    from .._messages import problem_text as text

    return text(p, lang)


def print_problems(problems: tuple[Problem, ...], lang: str = "zh") -> None:
    """Warnings kept in a result, one per line on standard error (``location: code: warning: message``)."""
    for p in problems:
        print(f"{p.location}: {p.code}: warning: {problem_text(p, lang)}", file=sys.stderr)


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
