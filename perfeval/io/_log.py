"""Problem collection for one read (private): every problem is kept, and raised at once."""
from __future__ import annotations

from typing import Callable, Iterable

import pandas as pd

from ..errors import InputError, Problem, format_location

__all__ = ["ProblemLog"]


class ProblemLog:
    """Collect located problems while a file is read, then raise them together.

    A file with a million bad cells must not make a million-line message: at most ``cap`` problems are listed per
    (file, column, code); the rest are counted and summarised in one extra problem at the end.
    """

    def __init__(self, cap: int = 50) -> None:
        self._items: list[Problem] = []
        self._counts: dict[tuple[str, str, str], int] = {}
        self._cap = cap

    def add(self, code: str, message: str, *, file: str, row: int | None = None, column: str | None = None,
            severity: str = "error") -> None:
        """Record one problem located at ``file:row:column``."""
        key = (file, column or "", code)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= self._cap:
            self._items.append(Problem(format_location(file, row, column), code, message, severity))

    def add_cells(self, code: str, *, file: str, column: str, rows: pd.Series, values: pd.Series,
                  message: Callable[[int, object], str]) -> None:
        """Record one problem per cell; only the first ``cap`` cells are formatted (no per-row Python beyond)."""
        key = (file, column, code)
        room = max(self._cap - self._counts.get(key, 0), 0)
        for row, value in zip(rows.iloc[:room].tolist(), values.iloc[:room].tolist()):
            self.add(code, message(int(row), value), file=file, row=int(row), column=column)
        rest = len(rows) - min(room, len(rows))
        if rest > 0:
            self._counts[key] = self._counts.get(key, 0) + rest

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems already located (from another file of the same read)."""
        self._items.extend(problems)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every listed problem, plus one summary per (file, column, code) whose cells went past the cap."""
        summary = [
            Problem(format_location(file, None, column or None), code,
                    f"{count - self._cap} more {code} problems of this kind (only the first {self._cap} are "
                    "listed)")
            for (file, column, code), count in self._counts.items() if count > self._cap
        ]
        return tuple(self._items) + tuple(summary)

    def has_errors(self) -> bool:
        """True when at least one problem of severity ``error`` was recorded."""
        return any(p.severity == "error" for p in self._items)

    def raise_if_errors(self) -> None:
        """Raise one :class:`~perfeval.errors.InputError` carrying every problem, if any is an error."""
        if self.has_errors():
            raise InputError(problems=self.problems)
