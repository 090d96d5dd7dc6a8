"""Reading and scoring the inputs of ``perfeval score``, shared with ``perfeval validate`` (its dry run).

:func:`score_inputs` is the whole of what ``score`` does before it writes anything: it reads the observations
(a table, a score sheet, a self-evaluation form or a directory of them) and the budget (``--budget``, else the
forms' funds block or the ``budget*`` tables of a directory), checks that a framework with a budget-execution
leaf (资金执行率) has a budget, and scores. ``validate`` calls the same function and reports the same problems,
so a file that passes ``validate`` scores, and one that does not is refused by ``score`` with the same codes.

Every problem is collected before anything is refused: the reading problems of the observations and of the
budget, ``budget_required``, and the scoring errors of whatever could be read, all in one
:class:`~perfeval.errors.InputError`.

``keep_going`` (``--keep-going``) reads file by file and row by row: a unit whose rows (or budget row, or form)
cannot be read or scored is left out and listed in ``result.rejected`` (``unit_id, code, location, message``);
only problems that belong to no unit (a missing column, an unreadable framework, a missing budget) or a batch
where no unit is left still refuse the whole run.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem

__all__ = ["score_inputs", "execution_leaves", "needs_budget", "BUDGET_HELP"]

#: How to give the budget, as ``budget_required`` says it.
BUDGET_HELP = ("give the budget table with --budget FILE (全年预算数, 全年执行数 per unit), score the self-evaluation "
               "forms that carry their funds block (年度资金总额), or pass --no-budget to score 资金执行率 as 0 for "
               "every unit")


def execution_leaves(fw: Any) -> list[str]:
    """Codes of the framework's leaves scored from the budget (rule ``execution``: 资金执行率)."""
    return [n.code for n in fw.leaves() if getattr(n, "rule", None) == "execution"]


def needs_budget(fw: Any, observations: pd.DataFrame | None) -> bool:
    """True when scoring ``observations`` on ``fw`` reads a budget: the framework has an execution leaf and some
    unit has no evaluator's ``node_code, score`` row for it (a score sheet that scores 资金执行率 itself needs
    none)."""
    leaves = execution_leaves(fw)
    if not leaves:
        return False
    if observations is None or "node_code" not in observations or "unit_id" not in observations:
        return True
    from ..aggregate._matching import unit_texts

    units = set(unit_texts(observations["unit_id"]).dropna())
    scored = observations["score"].notna() if "score" in observations else pd.Series(False, index=observations.index)
    codes = observations["node_code"].astype(str).str.strip()
    ids = unit_texts(observations["unit_id"])
    return any(units - set(ids[scored & (codes == leaf)].dropna()) for leaf in leaves)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for p in problems:
        key = (p.location, p.code, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _is_form(path: Path) -> bool:
    """A regular XLSX file holding a self-evaluation form (:func:`perfeval.io.is_selfeval_form`); remembered per
    (path, size, modification time): a folder of forms is looked at several times by one run."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
        return False
    st = path.stat()
    return _form_seen(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _form_seen(path: str, size: int, mtime: int) -> bool:
    from ..io import is_selfeval_form

    return is_selfeval_form(path)


# ---------------------------------------------------------------------------------------------------------------
# reading: strict (one error for all) or lenient (units rejected, the rest kept)
# ---------------------------------------------------------------------------------------------------------------
def _files(folder: Path, prefix: str) -> list[Path]:
    """The files ``read_observations`` / ``read_budget`` read in a directory (``<prefix>*`` tables and forms)."""
    from ..io.tables import CSV_SUFFIXES, XLSX_SUFFIXES

    files = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith(("~$", ".")))
    return [f for f in files if f.suffix.lower() in CSV_SUFFIXES | XLSX_SUFFIXES
            and (f.name.lower().startswith(prefix) or (f.suffix.lower() in XLSX_SUFFIXES and _is_form(f)))]


def _read_lenient(path: Path, part: str) -> tuple[pd.DataFrame | None, list[tuple[Any, Problem]], list[Problem]]:
    """Read ``part`` (``observations`` or ``budget``) of a file or directory, keeping the units that read cleanly.

    Returns the frame (None when nothing was read), the rejected (unit id, problem) records and the problems
    that belong to no unit (fatal: the directory has no input files)."""
    from ..aggregate._skip import _owner, _row_index, _unit_ids
    from ..io import _contracts as K
    from ..io import readers as R
    from ..io._log import ProblemLog

    read_one = R._observations_file if part == "observations" else R._budget_file
    prefix = "indicators" if part == "observations" else "budget"
    if path.is_dir():
        files = _files(path, prefix)
        if not files:
            return None, [], [Problem(str(path), "no_input_files",
                                      f"no {prefix}*.csv, {prefix}*.xlsx or self-evaluation form (.xlsx) in {path}")]
    else:
        files = [path]
    frames: list[pd.DataFrame] = []
    records: list[tuple[Any, Problem]] = []
    fatal: list[Problem] = []

    def split(frame: pd.DataFrame, errors: list[Problem]) -> pd.DataFrame | None:
        """``frame`` without the units the errors are on; None when an error names no row of it."""
        ids = _unit_ids(frame)
        tables = [(_row_index(frame), ids)]
        known = {u for u in ids if isinstance(u, str)}
        bad: set[str] = set()
        rows: set[int] = set()
        owners = [_owner(p, tables, known) for p in errors]
        if any(o is None for o in owners):
            return None
        for p, found in zip(errors, owners):
            for unit, _, pos in found:
                records.append((unit, p))
                bad.add(unit) if isinstance(unit, str) else rows.add(pos)
        keep = ~ids.isin(bad).to_numpy()
        keep[list(rows)] = False
        return frame.reset_index(drop=True)[keep].reset_index(drop=True)

    for f in files:
        log = ProblemLog()
        frame = read_one(f, log)
        errors = [p for p in log.problems if p.severity == "error"]
        if not errors:
            if frame is not None:
                frames.append(frame)
            continue
        kept = split(frame, errors) if isinstance(frame, pd.DataFrame) else None
        if kept is None and part == "budget" and not _is_form(f):
            fatal.extend(errors)  # a budget table that cannot be read belongs to no unit: refused
        elif kept is None:  # a file-level problem: the whole file (a form: its unit) is rejected
            records.extend((None, p) for p in errors)
        elif len(kept):
            frames.append(kept)
    if not frames:
        return None, records, fatal
    frame = R._concat(frames)
    log = ProblemLog()
    (K.check_observation_duplicates if part == "observations" else K.check_budget_duplicates)(frame, log)
    errors = [p for p in log.problems if p.severity == "error"]
    if errors:
        kept = split(frame, errors)
        frame = kept if kept is not None else frame
    if part == "budget" and len(frame):
        K.budget_warnings(frame, stacklevel=3)
    return frame, records, fatal


def _read(path: Path, part: str, keep_going: bool) -> tuple[pd.DataFrame | None, list[tuple[Any, Problem]],
                                                             list[Problem]]:
    """(frame or None, rejected records, refusing problems) of ``part`` at ``path``."""
    if keep_going:
        return _read_lenient(path, part)
    from ..io import read_budget, read_observations

    try:
        return (read_observations if part == "observations" else read_budget)(path), [], []
    except InputError as err:
        return None, [], list(err.problems)


def _budget(data: Path, budget: str | os.PathLike | None, keep_going: bool) -> tuple[pd.DataFrame | None, bool,
                                                                                    list, list[Problem]]:
    """The budget: ``budget``, else a form's funds block, else a directory's ``budget*`` tables and forms.
    Returns (frame or None, whether a budget was given, rejected records, refusing problems)."""
    if budget:
        frame, records, problems = _read(Path(budget), "budget", keep_going)
        return frame, True, records, problems
    if data.is_file():
        if _is_form(data):
            frame, records, problems = _read(data, "budget", keep_going)
            return frame, True, records, problems
        return None, False, [], []
    if data.is_dir():
        frame, records, problems = _read(data, "budget", keep_going)
        if problems and all(p.code == "no_input_files" for p in problems):
            return None, False, [], []
        return frame, True, records, problems
    return None, False, [], []


# ---------------------------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------------------------
def score_inputs(framework: Any, data: str | os.PathLike, *, budget: str | os.PathLike | None = None,
                 no_budget: bool = False, keep_going: bool = False, seen: dict | None = None, **options: Any) -> Any:
    """Read ``data`` (and the budget) and score it on ``framework``, as ``perfeval score`` does.

    Parameters
    ----------
    framework : str, path or Framework
        Shipped name or YAML path (``project_self`` rows written in the 2021 structure are scored on
        ``project_self_2021``, :func:`perfeval.aggregate.detect_framework`).
    data : path
        Observations table, score sheet, form, or directory of them.
    budget : path, optional
        Budget table; default: the funds block of a form, the ``budget*`` tables and forms of a directory.
    no_budget : bool
        Score without a budget: 资金执行率 scores 0 for every unit (flagged ``missing_budget``). Without it a
        framework with an execution leaf and no budget is the error ``budget_required``.
    keep_going : bool
        Leave out the units that cannot be read or scored (``result.rejected``) instead of refusing the batch.
    seen : dict, optional
        Receives ``observations``: the frame read (None when it could not be read), for further checks.
    **options
        Passed to :func:`perfeval.score` (reverse, denominator, na_policy, ...).

    Returns
    -------
    ScoreResult
        With ``rejected`` holding the units left out at reading and at scoring (``keep_going``).

    Raises
    ------
    InputError
        Every problem at once: reading (observations and budget), ``budget_required``, scoring.
    """
    from dataclasses import replace

    from ..aggregate import score
    from ..aggregate._skip import rejected_frame
    from ..aggregate._matching import unit_texts
    from ..framework import load_framework

    fw = load_framework(framework) if not hasattr(framework, "leaves") else framework
    data = Path(data)
    observations, records, problems = _read(data, "observations", keep_going)
    if seen is not None:
        seen["observations"] = observations
    bud, given, bud_records, bud_problems = _budget(data, budget, keep_going)
    records += bud_records
    problems += bud_problems
    if not given and not no_budget and data.exists() and needs_budget(fw, observations):  # nothing read: no ask
        problems.append(Problem(str(data), "budget_required",
                                f"framework {fw.name!r} scores 资金执行率 from the budget ({', '.join(execution_leaves(fw))}) "
                                f"and no budget was given: {BUDGET_HELP}"))
    if no_budget:
        bud = None
    if keep_going and observations is not None:  # a unit rejected in one table is rejected in the other too
        out = {u for u, _ in records if isinstance(u, str)}
        if out:
            observations = observations[~unit_texts(observations["unit_id"]).isin(out).to_numpy()]
            if bud is not None and "unit_id" in bud:
                bud = bud[~unit_texts(bud["unit_id"]).isin(out).to_numpy()]
        if not len(observations):
            observations = None
    result = None
    if observations is not None:
        scoring = framework if isinstance(framework, str) else fw
        try:
            result = score(scoring, observations, bud if given or no_budget else None,
                           on_error="skip" if keep_going else "raise", **options)
        except InputError as err:
            problems += list(err.problems)
    errors = [p for p in problems if p.severity == "error" or options.get("strict")]
    if errors or result is None:
        if keep_going:  # refused after all: every problem, the rejected units' too
            problems = [p for _, p in records] + problems
        if not problems:
            problems = [Problem(str(data), "nothing_scored", "no unit could be read")]
        raise InputError(problems=_dedupe(problems))
    if records:
        both = pd.concat([rejected_frame(records), result.rejected], ignore_index=True)
        result = replace(result, rejected=both.drop_duplicates(ignore_index=True))  # a form is read twice
    return result
