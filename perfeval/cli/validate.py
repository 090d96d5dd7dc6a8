"""``perfeval validate PATH...``: check frameworks, indicator libraries, policies and data files.

Each PATH is one of:

* a framework YAML (top-level ``nodes``): loaded, then :func:`perfeval.validate_framework` against the shipped
  indicator library;
* a policy YAML (top-level ``kind``: monitoring, exante, application): :func:`perfeval.policies.validate_policy`;
* an indicator library CSV (in an ``indicators`` folder, or with the library header ``code, name_zh, ...``):
  :func:`perfeval.library.validate_library_file`;
* a dataset directory (it holds ``dataset.yaml``), or that ``dataset.yaml``: every data file is read with the
  :mod:`perfeval.io` reader its name calls for (:func:`perfeval.io.read_dataset_file`: ``*indicators.csv``
  with ``read_observations``, ``*budget.csv`` with ``read_budget``, the others with ``read_table``), then ``indicators.csv`` is scored with the framework ``dataset.yaml`` names
  and the scoring problems are reported;
* any other directory: every framework/policy YAML and CSV inside it, recursively (other YAML files are skipped
  with a note).

Every problem is printed on standard output as ``location: code: message`` (``file:line`` for YAML,
``file:row:column`` for tables); warnings carry ``warning:`` before the message. A path without errors gets a
one-line ``ok`` summary on standard error. Exit status: 1 when any error was found, else 0 (warnings alone do not
fail).
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import InputError, Problem

__all__ = ["register", "run", "validate_path"]

_YAML = (".yaml", ".yml")
_TABLES = (".csv", ".xlsx", ".xlsm")
_LIBRARY_HEADER = ("code", "name_zh")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    parser = subparsers.add_parser(
        "validate", help="check frameworks, indicator libraries, policies and data files",
        description="Check frameworks (YAML), indicator libraries (CSV), policies (YAML) and dataset "
                    "directories; print every problem as `location: code: message`. Exit 1 when any error "
                    "is found.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file or directory to check")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate every path of ``args.paths``; print problems to stdout and ok summaries to stderr."""
    failed = False
    for text in args.paths:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            problems, summary = validate_path(Path(text))
        problems = [*problems, *_warning_problems(caught, text, problems)]
        for p in problems:
            prefix = "warning: " if p.severity == "warning" else ""
            print(f"{p.location}: {p.code}: {prefix}{p.message}")
        errors = sum(p.severity == "error" for p in problems)
        n_warnings = len(problems) - errors
        if errors:
            failed = True
        else:
            note = f", {n_warnings} warning(s)" if n_warnings else ""
            print(f"{text}: ok ({summary}{note})", file=sys.stderr)
    return 1 if failed else 0


def _warning_problems(caught: list, path: str, known: list[Problem]) -> list[Problem]:
    """The warnings raised while checking ``path`` as located warning problems (never Python's raw warning lines
    with source paths): located at the ``file:row`` the message names, else at ``path``; one per message."""
    import re

    out: list[Problem] = []
    seen = {p.message for p in known}
    for w in caught:
        message = str(w.message)
        if message in seen:
            continue
        seen.add(message)
        at = re.search(r"\bin (\S+?:\d+)\b", message)
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", w.category.__name__).lower().removesuffix("_warning") or "warning"
        out.append(Problem(at.group(1) if at else path, code, message, "warning"))
    return out


def validate_path(path: Path) -> tuple[list[Problem], str]:
    """Problems of one PATH (file or directory) and a one-line summary of what was checked."""
    if not path.exists():
        return [Problem(str(path), "file_not_found", "no such file or directory")], "nothing checked"
    if path.is_dir():
        if (path / "dataset.yaml").is_file():
            return _dataset(path)
        if _is_library_folder(path):
            return _library(path)
        return _directory(path)
    if path.name == "dataset.yaml":
        return _dataset(path.parent)
    suffix = path.suffix.lower()
    if suffix in _YAML:
        kind = _yaml_kind(path)
        return _policy(path) if kind == "policy" else _framework(path)
    if suffix == ".csv" and _is_library_csv(path):
        return _library(path)
    if suffix in _TABLES:
        return _data_file(path)
    return [Problem(str(path), "unsupported_file",
                    f"cannot validate a {suffix or 'suffix-less'} file; expected a framework or policy YAML, a "
                    "library or data CSV/XLSX, or a directory")], "nothing checked"


# ---------------------------------------------------------------------------------------------------------------
# one file
# ---------------------------------------------------------------------------------------------------------------
def _yaml_kind(path: Path) -> str:
    """``framework``, ``policy`` or ``other`` from the top-level keys (unreadable YAML counts as a framework)."""
    from .._yaml import read_yaml

    try:
        data, _ = read_yaml(path, "YAML")
    except InputError:  # the framework check reports it, located
        return "framework"
    if not isinstance(data, dict):
        return "framework"
    if "nodes" in data:
        return "framework"
    if "kind" in data:
        return "policy"
    return "other"


def _shipped_library() -> Any:
    """The shipped indicator library; None when it is empty or cannot be loaded (its own check says why)."""
    try:
        from ..library import load_library
    except ImportError:  # pragma: no cover - perfeval.library is part of the package
        return None
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            library = load_library()
    except InputError:
        return None
    return library if len(library) else None


def _framework(path: Path) -> tuple[list[Problem], str]:
    from ..framework import Framework, validate_framework

    try:
        fw = Framework.from_yaml(path)
    except InputError as err:
        return list(err.problems), "framework"
    library = _shipped_library()
    problems = validate_framework(fw, library=library)
    checked = "" if library is not None else "; library check skipped: the shipped library did not load"
    return problems, (f"framework {fw.name}: {len(fw.nodes)} first-level nodes, {len(fw.all_nodes())} nodes, "
                      f"total {fw.total:g}{checked}")


def _policy(path: Path) -> tuple[list[Problem], str]:
    from ..policies import validate_policy

    return validate_policy(path), "policy"


def _library(path: Path) -> tuple[list[Problem], str]:
    from ..library import validate_library_file

    return validate_library_file(path), "indicator library"


def _is_library_folder(path: Path) -> bool:
    """An ``indicators`` folder holding CSV files: checked as one library (codes unique across its files)."""
    return path.name == "indicators" and any(path.glob("*.csv"))


def _is_library_csv(path: Path) -> bool:
    """In an ``indicators`` folder, or a first line naming the library's ``code`` and ``name_zh`` columns."""
    if path.parent.name == "indicators":
        return True
    from .._io_util import regular_file

    if regular_file(path) is not None:  # never open a FIFO; the data-file reader reports what it is
        return False
    try:
        with path.open("rb") as fh:
            first = fh.readline()
    except OSError:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            header = [h.strip().strip('"').lower() for h in first.decode(encoding).split(",")]
        except UnicodeDecodeError:
            continue
        return all(name in header for name in _LIBRARY_HEADER)
    return False


def _reader(path: Path) -> Callable[[Path], Any]:
    """The perfeval.io reader of a data file, chosen by its name (:func:`perfeval.io.dataset.dataset_reader`)."""
    from ..io.dataset import dataset_reader

    return dataset_reader(path)


def _read(path: Path, problems: list[Problem]) -> Any:
    """Read a data file, collecting its problems; None when it cannot be read."""
    try:
        return _reader(path)(path)
    except InputError as err:
        problems.extend(err.problems)
    except (OSError, ValueError) as err:  # a reader's unexpected failure is still a located problem
        problems.append(Problem(str(path), "unreadable_file", f"cannot read: {err}"))
    return None


def _data_file(path: Path) -> tuple[list[Problem], str]:
    problems: list[Problem] = []
    frame = _read(path, problems)
    rows = f", {len(frame)} rows" if hasattr(frame, "__len__") else ""
    return problems, f"data file{rows}"


# ---------------------------------------------------------------------------------------------------------------
# directories
# ---------------------------------------------------------------------------------------------------------------
def _dataset(directory: Path) -> tuple[list[Problem], str]:
    """Read every data file of a dataset directory, then score ``indicators.csv``."""
    from ..io import read_dataset_meta
    from ._dataset import SCORED, dataset_framework

    problems: list[Problem] = []
    meta_path = directory / "dataset.yaml"
    try:
        meta = read_dataset_meta(directory)
    except InputError as err:
        return list(err.problems), "dataset"
    frames: dict[str, Any] = {}
    forms = directory / "forms"
    files = sorted(p for p in [*directory.iterdir(), *(forms.glob("*") if forms.is_dir() else ())]
                   if p.suffix.lower() in _TABLES)  # a FIFO, folder or broken link is read too: an error
    for path in files:
        frames[path.name] = _read(path, problems)
    observations = frames.get("indicators.csv")
    name = dataset_framework(meta, "indicators.csv", SCORED[0][1])  # as written, for the summary
    if observations is not None:
        if name is None:
            problems.append(Problem(str(meta_path), "no_framework",
                                    "dataset.yaml must name the framework that scores indicators.csv (e.g. "
                                    "`frameworks: {self: project_self}`)"))
        else:
            resolved = dataset_framework(meta, "indicators.csv", SCORED[0][1], directory=directory)
            problems.extend(_score(directory, resolved, observations, frames.get("budget.csv"), meta_path))
    shown = os.path.relpath(name, directory) if name and Path(name).is_absolute() else name  # as in dataset.yaml
    return problems, f"dataset, {len(files)} data file(s), framework {shown or '-'}"


def _score(directory: Path, name: str, observations: Any, budget: Any, meta_path: Path) -> list[Problem]:
    """Problems of scoring the observations with the named framework (a shipped name or a path)."""
    from ..aggregate import score
    from ..framework import load_framework

    try:
        fw = load_framework(name)  # a path in dataset.yaml is already resolved against the dataset folder
        return list(score(fw, observations, budget).problems)
    except InputError as err:
        return [Problem(p.location or str(meta_path), p.code, p.message, p.severity) for p in err.problems]


def _entries(directory: Path) -> Iterator[Path]:
    """Files, dataset directories and library folders under ``directory``, depth first in name order (hidden
    entries skipped)."""
    for child in sorted(directory.iterdir()):
        if child.name.startswith((".", "__")):
            continue
        if child.is_dir():
            if (child / "dataset.yaml").is_file() or _is_library_folder(child):
                yield child
            else:
                yield from _entries(child)
        elif child.suffix.lower() in (*_YAML, ".csv"):
            yield child


def _directory(directory: Path) -> tuple[list[Problem], str]:
    problems: list[Problem] = []
    checked, skipped = 0, []
    for entry in _entries(directory):
        if entry.is_file() and entry.suffix.lower() in _YAML and _yaml_kind(entry) == "other":
            skipped.append(entry.name)
            continue
        found, _ = validate_path(entry)
        problems.extend(found)
        checked += 1
    note = f"; skipped {len(skipped)} YAML file(s) that are neither frameworks nor policies" if skipped else ""
    return problems, f"{checked} file(s) checked{note}"
