"""``perfeval validate PATH...``: check frameworks, indicator libraries, policies and data files.

Each PATH is one of:

* a framework YAML (top-level ``nodes``): loaded, then :func:`perfeval.validate_framework` against the shipped
  indicator library;
* a policy YAML (top-level ``kind``: monitoring, exante, application): :func:`perfeval.policies.validate_policy`;
* an indicator library CSV (in an ``indicators`` folder, or with the library header ``code, name_zh, ...``):
  :func:`perfeval.library.validate_library_file`;
* an observations table (CSV/XLSX: ``indicators.csv``, ``*_indicators``, or any table whose name is not one of
  the other dataset tables) or a self-evaluation form (XLSX): a dry run of ``perfeval score`` — the same readers,
  the same budget rule and the same scoring (:func:`perfeval.cli._dryrun.score_inputs`), so a file that passes
  scores and one that does not is refused by ``score`` with the same codes. The framework is ``--framework``, else
  the one its name calls for (``department_indicators`` -> department, ``transfer_indicators`` -> transfer), else
  ``project_self``; the budget is ``--budget``, a form's funds block, or none (``budget_required`` unless
  ``--no-budget``, as for ``score``);
* another dataset table (``units``, ``budget``, ``panel``, ``recheck``, ``exante``, ``monitoring`` ...): read with
  the :mod:`perfeval.io` reader its name calls for (:func:`perfeval.io.dataset.dataset_reader`);
* a dataset directory: one with ``dataset.yaml`` (or that file), or one without it holding files named as a
  dataset's (``indicators.csv``, ``budget.csv``, ``units.csv`` ..., ``forms/``) or self-evaluation forms, found by
  name as :func:`perfeval.load_dataset` finds them. Its observations (``indicators*`` tables and forms) and budget
  (``budget*`` tables and forms) are dry-run scored as ``perfeval score --data DIR`` would, with the framework
  ``dataset.yaml`` names (else ``--framework``, else ``project_self``); the forms of ``forms/`` are dry-run scored
  as a batch (their funds blocks are their budget); ``department_indicators.csv`` and
  ``transfer_indicators.csv`` are dry-run scored with their budget tables on the frameworks ``perfeval apply``
  uses for them (``dataset.yaml``'s, else ``department`` / ``transfer``); every other data file is read with its
  reader;
* any other directory: every framework/policy YAML and CSV inside it, recursively (other YAML files are skipped
  with a note), and the dataset directories under it.

Observation rows are also checked against the shipped indicator library (:meth:`IndicatorLibrary.check`):
indicators "in principle chosen from the library" (domain.md §8). A row whose indicator is not in the library is
an individual (个性) indicator: allowed, listed as a ``notice`` (code ``individual``, one line per indicator at its
first row, with the number of rows); library findings on library entries (``not_in_library``, ``draft``,
``expired``, ``not_yet_valid``, ``op_differs``) are warnings. Neither fails the check: ``score`` does not refuse
them.

``perfeval validate --frameworks`` lists the shipped frameworks (code, name, year of the rules they follow).

Every problem is printed on standard output as ``location: code: message`` (``file:line`` for YAML,
``file:row:column`` for tables); warnings carry ``warning:`` and notices ``notice:`` before the message. A path
without errors gets a one-line ``ok`` summary on standard error. Exit status: 1 when any error was found, else 0
(warnings and notices alone do not fail); 2 usage.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import InputError, Problem
from ._dataset import add_lang

__all__ = ["register", "run", "validate_path"]

_YAML = (".yaml", ".yml")
_TABLES = (".csv", ".xlsx", ".xlsm")
_LIBRARY_HEADER = ("code", "name_zh")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    parser = subparsers.add_parser(
        "validate", help="check frameworks, indicator libraries, policies, forms and data files (a dry run of score)",
        description="Check frameworks (YAML), indicator libraries (CSV), policies (YAML), observations tables and "
                    "self-evaluation forms (CSV/XLSX) and dataset directories (with or without dataset.yaml). Data "
                    "are read and scored exactly as `perfeval score` would (a dry run): a file that passes scores. "
                    "Every problem is printed as `location: code: message`; individual (个性) indicators not in "
                    "the shipped library are notices. Exit 1 when any error is found.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file or directory to check")
    parser.add_argument("--frameworks", action="store_true",
                        help="list the shipped frameworks (code, name, year) and exit")
    parser.add_argument("--framework", metavar="NAME|PATH",
                        help="framework the data are scored on (default: the one dataset.yaml names, else by file "
                             "name: department_indicators -> department, transfer_indicators -> transfer, else "
                             "project_self)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--budget", metavar="FILE", help="budget table, as for `perfeval score --budget`")
    source.add_argument("--no-budget", action="store_true",
                        help="as for `perfeval score --no-budget`: no budget, 资金执行率 scored 0")
    add_lang(parser)
    parser.set_defaults(func=run, _parser=parser)


def run(args: argparse.Namespace) -> int:
    """Validate every path of ``args.paths``; print problems to stdout and ok summaries to stderr."""
    if args.frameworks:
        _list_frameworks()
        if not args.paths:
            return 0
    elif not args.paths:
        args._parser.error("give a PATH to check, or --frameworks")
    from .._messages import problem_text

    options = {"framework": args.framework, "budget": args.budget, "no_budget": args.no_budget}
    failed = False
    for text in args.paths:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            problems, summary = validate_path(Path(text), **options)
        problems = [*problems, *_warning_problems(caught, text, problems)]
        for p in problems:
            prefix = f"{p.severity}: " if p.severity in ("warning", "notice") else ""
            print(f"{p.location}: {p.code}: {prefix}{problem_text(p, args.lang)}")
        errors = sum(p.severity == "error" for p in problems)
        n_notices = sum(p.severity == "notice" for p in problems)
        n_warnings = len(problems) - errors - n_notices
        if errors:
            failed = True
        else:
            note = f", {n_warnings} warning(s)" if n_warnings else ""
            note += f", {n_notices} notice(s)" if n_notices else ""
            print(f"{text}: ok ({summary}{note})", file=sys.stderr)
    return 1 if failed else 0


def _list_frameworks() -> None:
    """Print the shipped frameworks, tab-separated: code, name (title) and year: that of the framework's version
    when it is a year (``2021.1``), else the first year its source cites (the rules it follows), else ``-``."""
    import re

    from ..framework import list_frameworks, load_framework

    year = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
    print("code\tname\tyear")
    for code in list_frameworks():
        fw = load_framework(code)
        found = re.match(r"(?:19|20)\d{2}(?!\d)", str(fw.version)) or year.search(fw.source)
        print(f"{code}\t{fw.title}\t{found.group(0) if found else '-'}")


def _warning_problems(caught: list, path: str, known: list[Problem]) -> list[Problem]:
    """The warnings raised while checking ``path`` as located warning problems (never Python's raw warning lines
    with source paths): located at the ``file:row`` the message names, else at ``path``; one per message."""
    import re

    out: list[Problem] = []
    seen = {p.message for p in known}
    for w in caught:
        message = str(w.message)
        if message in seen or message.startswith("score():"):  # score's summary of the problems listed
            continue
        seen.add(message)
        at = re.search(r"\bin (\S+?:\d+)\b", message)
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", w.category.__name__).lower().removesuffix("_warning") or "warning"
        out.append(Problem(at.group(1) if at else path, code, message, "warning"))
    return out


def validate_path(path: Path, *, framework: str | None = None, budget: str | None = None,
                  no_budget: bool = False) -> tuple[list[Problem], str]:
    """Problems of one PATH (file or directory) and a one-line summary of what was checked.

    ``framework``, ``budget`` and ``no_budget`` are the dry run's (``--framework``, ``--budget``,
    ``--no-budget``); see the module docstring.
    """
    options = {"framework": framework, "budget": budget, "no_budget": no_budget}
    if not path.exists():
        return [Problem(str(path), "file_not_found", "no such file or directory")], "nothing checked"
    if path.is_dir():
        if (path / "dataset.yaml").is_file() or _is_data_folder(path):
            return _dataset(path, **options)
        if _is_library_folder(path):
            return _library(path)
        return _directory(path, **options)
    if path.name == "dataset.yaml":
        return _dataset(path.parent, **options)
    suffix = path.suffix.lower()
    if suffix in _YAML:
        kind = _yaml_kind(path)
        return _policy(path) if kind == "policy" else _framework(path)
    if suffix == ".csv" and _is_library_csv(path):
        return _library(path)
    if suffix in _TABLES:
        return _data_file(path, **options)
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


def _is_form(path: Path) -> bool:
    from ._dryrun import _is_form as is_form

    return is_form(path)


def _read_only(path: Path) -> bool:
    """True for the dataset tables that are read, not scored (units, budget, panel, recheck, ...)."""
    from ..io.dataset import DATASET_TABLES

    stem = path.stem.lower()
    return (stem in DATASET_TABLES or stem == "recheck_indicators" or stem == "budget" or stem.endswith("_budget")
            or stem.startswith("budget"))


def _framework_for(path: Path, framework: str | None) -> str:
    """The framework a data file is dry-run scored on: ``--framework``, else by file name, else project_self."""
    from ._dataset import SCORED

    if framework:
        return framework
    for file, _, default, _ in SCORED:
        if path.stem.lower() == Path(file).stem:
            return default
    return SCORED[0][2]


def _data_file(path: Path, *, framework: str | None = None, budget: str | None = None,
               no_budget: bool = False) -> tuple[list[Problem], str]:
    if not _is_form(path) and _read_only(path):
        problems: list[Problem] = []
        frame = _read(path, problems)
        rows = f", {len(frame)} rows" if hasattr(frame, "__len__") else ""
        return problems, f"data file{rows}"
    name = _framework_for(path, framework)
    problems, summary = _dry_run(name, path, budget=budget, no_budget=no_budget)
    kind = "form" if _is_form(path) else "observations"
    return problems, f"{kind}, {summary}"


def _dry_run(framework: str, data: Path, *, budget: str | None, no_budget: bool,
             where: Path | None = None) -> tuple[list[Problem], str]:
    """``perfeval score --framework FRAMEWORK --data DATA`` without writing: its problems (errors refuse, as in
    score; warnings as score prints them) plus the library notices, and a summary."""
    from ._dryrun import score_inputs

    seen: dict[str, Any] = {}
    try:
        result = score_inputs(framework, data, budget=budget, no_budget=no_budget, seen=seen)
    except InputError as err:
        problems = [Problem(p.location or str(where or data), p.code, p.message, p.severity) for p in err.problems]
        return [*problems, *_library_notices(seen.get("observations"))], f"framework {framework}"
    problems = [*result.problems, *_library_notices(seen.get("observations"))]
    return problems, f"{len(result.totals)} unit(s) scored on {result.framework.name}"


#: At most this many individual-indicator notices per file, then one line counting the rest.
MAX_NOTICES = 20


def _library_notices(observations: Any) -> list[Problem]:
    """The shipped library's findings on observation rows (:meth:`IndicatorLibrary.check`), one per (finding,
    indicator, file) at its first row: ``individual`` (个性 indicator, not in the library) as a notice, findings on
    library entries as warnings. Never errors: score does not refuse them."""
    import pandas as pd

    from .._rows import header_as_written

    if not isinstance(observations, pd.DataFrame) or not len(observations) or "indicator" not in observations:
        return []
    library = _shipped_library()
    if library is None:
        return []
    try:
        findings = library.check(observations)
    except InputError:
        return []
    out: list[Problem] = []
    counts: dict[tuple[str, str, str], int] = {}
    first: dict[tuple[str, str, str], Any] = {}
    for row in findings.itertuples(index=False):
        file = str(row.location).rsplit(":", 2)[0]
        key = (row.finding, str(row.indicator), file)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, row)
    per_file: dict[str, int] = {}
    for key, row in first.items():
        finding, name, file = key
        where, _, column = str(row.location).rpartition(":")
        location = f"{where}:{header_as_written(observations, file, column)}" if where else str(row.location)
        n = counts[key]
        times = f" ({n} rows)" if n > 1 else ""
        if finding == "individual":
            per_file[file] = per_file.get(file, 0) + 1
            if per_file[file] > MAX_NOTICES:
                continue
            message = (f"{name!r} is not in the indicator library{times}: an individual (个性) indicator, allowed; "
                       "its definition and target need review")
            out.append(Problem(location, "individual", message, "notice"))
        else:
            out.append(Problem(location, str(finding), f"{row.message}{times}", "warning"))
    for file, n in per_file.items():
        if n > MAX_NOTICES:
            out.append(Problem(file, "individual", f"{n - MAX_NOTICES} more individual (个性) indicators not in "
                               f"the library (only the first {MAX_NOTICES} are listed)", "notice"))
    return out


# ---------------------------------------------------------------------------------------------------------------
# directories
# ---------------------------------------------------------------------------------------------------------------
def _is_data_folder(path: Path, *, forms: bool = True) -> bool:
    """A folder without ``dataset.yaml`` that holds data by name, as :func:`perfeval.load_dataset` finds them: a
    file of a dataset (``indicators.csv``, ``budget.xlsx``, ``units.csv`` ...) or ``indicators*`` / ``budget*``
    tables; with ``forms`` (a folder given as PATH, not one met while walking a tree of templates) also
    self-evaluation forms."""
    from ..datasets import FILES

    stems = {Path(f).stem for f in FILES.values()}
    for child in path.iterdir():
        if not child.is_file() or child.name.startswith((".", "~$")) or child.suffix.lower() not in _TABLES:
            continue
        stem = child.stem.lower()
        if stem in stems or stem.startswith(("indicators", "budget")) or (forms and _is_form(child)):
            return True
    return False


def _dataset(directory: Path, *, framework: str | None = None, budget: str | None = None,
             no_budget: bool = False) -> tuple[list[Problem], str]:
    """Dry-run score the observations of a dataset directory as ``perfeval score --data DIR`` would, and its
    ``forms/`` as a batch; read every other data file with its reader."""
    from ..io import read_dataset_meta
    from ._dataset import SCORED, dataset_framework
    from ._dryrun import _files

    problems: list[Problem] = []
    meta_path = directory / "dataset.yaml"
    has_meta = meta_path.is_file() or meta_path.is_symlink()
    try:
        meta = read_dataset_meta(directory)
    except InputError as err:
        return list(err.problems), "dataset"
    scored = {*_files(directory, "indicators"), *_files(directory, "budget")} if budget is None else \
        set(_files(directory, "indicators"))
    others = [(directory / file, keys, default, directory / budget_file)  # department / transfer evaluations
              for file, keys, default, budget_file in SCORED[1:] if (directory / file).is_file()]
    scored |= {p for entry in others for p in (entry[0], entry[3]) if p.is_file()}
    forms = directory / "forms"
    files = sorted(p for p in [*directory.iterdir(), *(forms.glob("*") if forms.is_dir() else ())]
                   if p.suffix.lower() in _TABLES and not p.name.startswith(("~$", ".")))
    for path in files:  # a FIFO, folder or broken link is read too: an error
        if path not in scored and path.parent != forms:
            _read(path, problems)
    name = dataset_framework(meta, "indicators.csv", SCORED[0][1])  # as written, for the summary
    to_score = bool(_files(directory, "indicators")) or any(f.parent == forms for f in files)
    if framework:
        name = framework
    elif name is None and has_meta and to_score:
        problems.append(Problem(str(meta_path), "no_framework",
                                "dataset.yaml must name the framework that scores indicators.csv (e.g. "
                                "`frameworks: {self: project_self}`)"))
    elif name is None:
        name = SCORED[0][2]  # no dataset.yaml: the default framework, as load_dataset uses
    summaries = []
    if name is not None:
        resolved = name if framework else dataset_framework(meta, "indicators.csv", SCORED[0][1], SCORED[0][2],
                                                            directory=directory)
        if _files(directory, "indicators"):
            found, summary = _dry_run(resolved, directory, budget=budget, no_budget=no_budget,
                                      where=meta_path if has_meta else directory)
            problems.extend(found)
            summaries.append(summary)
        form_files = [f for f in files if f.parent == forms]
        if form_files:
            form_problems = [q for f in form_files if not _is_form(f) for q in _not_a_form(f)]
            if any(_is_form(f) for f in form_files):
                found, summary = _dry_run(resolved, forms, budget=None, no_budget=no_budget)
                form_problems.extend(found)
                summaries.append(f"forms: {summary}")
            problems.extend(form_problems)
    for data, keys, default, budget_file in others:  # scored as `perfeval apply` scores them
        other = dataset_framework(meta, data.name, keys, default, directory=directory)
        found, summary = _dry_run(other, data, budget=str(budget_file) if budget_file.is_file() else None,
                                  no_budget=no_budget)
        problems.extend(found)
        summaries.append(f"{data.stem}: {summary}")
    shown = os.path.relpath(name, directory) if name and Path(name).is_absolute() else name  # as in dataset.yaml
    what = "dataset" if has_meta else "data folder"
    done = f"; {'; '.join(summaries)}" if summaries else ""
    return problems, f"{what}, {len(files)} data file(s), framework {shown or '-'}{done}"


def _not_a_form(path: Path) -> list[Problem]:
    """The problems of a workbook in ``forms/`` that is not a self-evaluation form (read as one, located)."""
    problems: list[Problem] = []
    _read(path, problems)
    return problems or [Problem(str(path), "not_a_form", "the workbook in forms/ is not a self-evaluation form")]


def _entries(directory: Path) -> Iterator[Path]:
    """Files, dataset directories and library folders under ``directory``, depth first in name order (hidden
    entries skipped)."""
    for child in sorted(directory.iterdir()):
        if child.name.startswith((".", "__")):
            continue
        if child.is_dir():
            if (child / "dataset.yaml").is_file() or _is_library_folder(child) or _is_data_folder(child, forms=False):
                yield child
            else:
                yield from _entries(child)
        elif child.suffix.lower() in (*_YAML, ".csv"):
            yield child


def _directory(directory: Path, **options: Any) -> tuple[list[Problem], str]:
    problems: list[Problem] = []
    checked, skipped = 0, []
    for entry in _entries(directory):
        if entry.is_file() and entry.suffix.lower() in _YAML and _yaml_kind(entry) == "other":
            skipped.append(entry.name)
            continue
        found, _ = validate_path(entry, **options)
        problems.extend(found)
        checked += 1
    note = f"; skipped {len(skipped)} YAML file(s) that are neither frameworks nor policies" if skipped else ""
    return problems, f"{checked} file(s) checked{note}"
