"""Exceptions and warning classes of perfeval, all in one place.

Every input problem is reported as a :class:`Problem` (where, what kind, what), and loading a file reports all of
its problems at once through :class:`InputError`. Argument checks fail fast with the first problem.

Hierarchy::

    PerfevalError(Exception)
    ├── InputError(PerfevalError, ValueError)      bad data or template files; carries .problems
    │   └── FrameworkError(InputError)             a framework definition that cannot be used
    └── ReportError(PerfevalError)                 a report that failed to render

    PerfevalWarning(UserWarning)
    ├── DataQualityWarning                         suspicious but legitimate input (flagged, not refused)
    ├── InconsistentJudgementsWarning              AHP consistency ratio above its threshold
    ├── ConstantIndicatorWarning                   an indicator with no spread (objective weighting)
    └── DegenerateDataWarning                      a statistic computed on degenerate data (one category, ...)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = [
    "Problem",
    "PerfevalError",
    "InputError",
    "FrameworkError",
    "ReportError",
    "ReportExecutionError",
    "ReportTimeoutError",
    "ReportCrashError",
    "PerfevalWarning",
    "DataQualityWarning",
    "InconsistentJudgementsWarning",
    "ConstantIndicatorWarning",
    "DegenerateDataWarning",
    "format_location",
]


def format_location(file: str | None = None, row: int | None = None, column: str | None = None,
                    node: str | None = None) -> str:
    """Return ``file:row:column`` (or the parts that are known; a node code when there is no file)."""
    parts = [str(p) for p in (file, row, column) if p is not None and p != ""]
    if not parts and node:
        return str(node)
    if node:
        parts.append(str(node))
    return ":".join(parts) if parts else "<input>"


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in the input.

    Attributes
    ----------
    location : str
        ``file:row:column`` (1-based data row as a spreadsheet shows it, header = row 1), or a node code.
    code : str
        Machine-readable kind, e.g. ``missing_column``, ``duplicate_code``, ``points_sum``.
    message : str
        What is wrong and, when known, how to fix it.
    severity : str
        ``"error"`` (the input cannot be used as it is) or ``"warning"`` (flagged, used anyway).
    """

    location: str
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.code}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "code": self.code, "message": self.message,
                "severity": self.severity}


class PerfevalError(Exception):
    """Base class of every error perfeval raises on purpose."""


class InputError(PerfevalError, ValueError):
    """Invalid input: a data file, a template or an argument.

    Carries ``problems`` (a tuple of :class:`Problem`); ``str(err)`` lists them one per line.
    """

    def __init__(self, message: str | None = None, problems: Iterable[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if message is None:
            message = "\n".join(str(p) for p in self.problems) or "invalid input"
        elif self.problems:
            message = message + "\n" + "\n".join(str(p) for p in self.problems)
        super().__init__(message)

    @classmethod
    def single(cls, location: str, code: str, message: str) -> "InputError":
        """An error carrying exactly one problem."""
        return cls(problems=[Problem(location, code, message)])


class FrameworkError(InputError):
    """A framework (evaluation indicator system) that is invalid or cannot be loaded."""


class ReportError(PerfevalError):
    """A report that failed to render; keeps the notebook, the parameters and the failing cell."""

    #: status of the report in a batch (``error``, ``timeout``, ``crashed``)
    status = "error"

    def __init__(self, message: str, *, notebook: str | None = None, parameters: dict | None = None,
                 cell: int | None = None, ename: str | None = None, evalue: str | None = None) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.parameters = dict(parameters or {})
        self.cell = cell
        self.ename = ename
        self.evalue = evalue


class ReportExecutionError(ReportError):
    """A cell of a report notebook raised: ``ename``, ``evalue`` and ``cell`` (index) say which and why."""

    status = "error"


class ReportTimeoutError(ReportError):
    """A cell of a report notebook ran past its time limit."""

    status = "timeout"


class ReportCrashError(ReportError):
    """The kernel running a report died (killed, out of memory, ``os._exit``) or could not start."""

    status = "crashed"


class PerfevalWarning(UserWarning):
    """Base class of perfeval's warnings."""


class DataQualityWarning(PerfevalWarning):
    """Input that is legitimate but suspicious (executed above budget, a bare target value, ...)."""


class InconsistentJudgementsWarning(PerfevalWarning):
    """Pairwise judgements whose consistency ratio (or GCI) exceeds the threshold."""


class ConstantIndicatorWarning(PerfevalWarning):
    """An indicator with no spread across units: it carries no information for objective weights."""


class DegenerateDataWarning(PerfevalWarning):
    """A statistic computed on degenerate data (one category only, all ratings identical, no overlap)."""
