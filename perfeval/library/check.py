"""Checking usage against the indicator library: which indicators of a framework or of observations it does not
cover or approve (:meth:`perfeval.library.IndicatorLibrary.check`).

This module knows a library only through two look-ups it is handed (entries by code, and a name to its code), and
a framework only through :class:`FrameworkLike` (anything with ``leaves()`` and ``walk()`` whose leaves carry
``code``, ``name``, ``indicator_code`` and ``op``): :mod:`perfeval.framework` imports the library to check
frameworks against it, so the library must not import :mod:`perfeval.framework` (``tests/test_layering.py``).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable, Mapping, Protocol, runtime_checkable

import pandas as pd

from ..errors import InputError
from ._schema import filled, norm_op, observation_items, parse_date

__all__ = ["FINDINGS", "FINDING_COLUMNS", "FrameworkLike", "usage_items", "usage_findings"]

#: Kinds of finding :meth:`IndicatorLibrary.check` reports.
FINDINGS: tuple[str, ...] = ("not_in_library", "individual", "draft", "expired", "not_yet_valid", "op_differs")
#: Columns of the findings frame.
FINDING_COLUMNS: tuple[str, ...] = ("location", "indicator", "code", "finding", "severity", "message")

#: One indicator in use: ``(name_loc, name, code, op, code_loc, op_loc)``.
Item = tuple[str, str, str | None, Any, str, str]


@runtime_checkable
class FrameworkLike(Protocol):
    """What the library check needs of a framework (:class:`perfeval.Framework` is one)."""

    def leaves(self) -> Iterable[Any]:
        """Fixed leaves and slots; each has ``code``, ``name``, ``indicator_code`` and ``op``."""

    def walk(self) -> Iterable[Any]:
        """Pre-order ``(node, level, parent_code)``."""


def usage_items(framework_or_observations: FrameworkLike | pd.DataFrame) -> list[Item]:
    """The indicators a framework (leaves with an ``indicator_code``) or an observations frame uses.

    Raises
    ------
    InputError
        Neither a framework nor a DataFrame, or a frame with neither ``indicator_code`` nor ``indicator``.
    """
    if isinstance(framework_or_observations, pd.DataFrame):
        return observation_items(framework_or_observations)
    if isinstance(framework_or_observations, FrameworkLike):
        return [(n.code, n.name, n.indicator_code, n.op, n.code, n.code)
                for n in framework_or_observations.leaves() if n.indicator_code]
    raise InputError.single("framework_or_observations", "bad_type",
                            "`framework_or_observations` must be a Framework or an observations DataFrame; "
                            f"got {type(framework_or_observations).__name__}.")


def usage_findings(items: Iterable[Item], by_code: Mapping[str, Any], lookup_name: Callable[[Any], str | None],
                   on: date | str | None = None) -> pd.DataFrame:
    """Findings of the indicators in use against a library's entries (``by_code``) and name look-up.

    See :meth:`perfeval.library.IndicatorLibrary.check` for the columns, the kinds and their severities.
    """
    day = as_date(on)
    rows = []
    for name_loc, name, code, op, code_loc, op_loc in items:
        rows.extend(_findings(by_code, lookup_name, name_loc, name, code, op, code_loc, op_loc, day))
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def _findings(by_code: Mapping[str, Any], lookup_name: Callable[[Any], str | None], name_loc: str, name: str,
              code: str | None, op: Any, code_loc: str, op_loc: str, day: date) -> list[dict[str, str]]:
    """Findings of one framework leaf or observation row."""
    def row(loc: str, c: str, finding: str, severity: str, message: str) -> dict[str, str]:
        return {"location": loc, "indicator": name, "code": c, "finding": finding, "severity": severity,
                "message": message}

    if code:
        if code not in by_code:
            return [row(code_loc, code, "not_in_library", "error",
                        f"indicator code {code!r} ({name}) is not in the library.")]
    else:
        code = lookup_name(name)
        if code is None:
            return [row(name_loc, "", "individual", "note",
                        f"{name!r} is not in the library: an individual (个性) indicator; allowed, but its "
                        "definition and target need review.")]
    ind = by_code[code]
    out = []
    if ind.status != "approved":
        out.append(row(code_loc, code, "draft", "error",
                       f"{ind.name_zh} ({code}) is a draft library entry; only approved entries may be used."))
    if ind.valid_to is not None and day > ind.valid_to:
        out.append(row(code_loc, code, "expired", "error",
                       f"{ind.name_zh} ({code}) expired on {ind.valid_to} (checked on {day})."))
    if ind.valid_from is not None and day < ind.valid_from:
        out.append(row(code_loc, code, "not_yet_valid", "error",
                       f"{ind.name_zh} ({code}) is valid from {ind.valid_from} (checked on {day})."))
    if filled(op) and norm_op(op) != ind.op:
        out.append(row(op_loc, code, "op_differs", "warning",
                       f"op {str(op)!r} differs from the library's {ind.op!r} for {ind.name_zh} ({code})."))
    return out


def as_date(on: date | str | None) -> date:
    """``on`` as a date (today when None).

    Raises
    ------
    InputError
        ``on`` is neither a date nor ``YYYY-MM-DD`` text.
    """
    if on is None:
        return date.today()
    if isinstance(on, date):
        return on
    parsed = parse_date(str(on))
    if parsed is None:
        raise InputError.single("on", "bad_date", f"`on` must be a date or 'YYYY-MM-DD'; got {on!r}.")
    return parsed
