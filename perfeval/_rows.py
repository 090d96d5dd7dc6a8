"""Located rows of input frames: where each row came from, for ``file:row:column`` problems.

Frames read by :mod:`perfeval.io` carry ``source_file`` and ``source_row`` (the spreadsheet row, header = 1). A
frame built in code has neither; its rows are then located as ``<name>:<position + 2>``, the row the same data
would have in a CSV file written with a header, so messages read the same either way.

The column of a location is the header **as the user wrote it** (``indicators.csv:5:年度指标值``, not
``...:target``): the readers record, per file, which header each canonical column was read from in
``frame.attrs["headers"]`` (``{source_file: {canonical: header}}``), and :func:`header_as_written` looks it up.
A frame built in code has no such record and its columns are named as they are. A column that is missing from
a file has no header to quote and is named canonically (``missing_column`` problems).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import Problem, format_location

__all__ = ["HEADERS", "ALL_FILES", "with_source", "row_locations", "located", "header_as_written", "attach_headers",
           "merged_headers"]

#: Key of ``DataFrame.attrs`` holding ``{source_file: {canonical column: header as written}}`` (headers equal to
#: the canonical name are not recorded).
HEADERS = "headers"
#: Key of the header record shared by the files not listed on their own (see :func:`merged_headers`).
ALL_FILES = "*"


def with_source(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A copy with a ``0..n-1`` index and ``source_file`` / ``source_row`` columns (``name`` and position + 2 where
    the frame has none; the header record of :func:`attach_headers` is kept)."""
    frame = frame.reset_index(drop=True).copy()
    if "source_row" not in frame:
        frame["source_row"] = np.arange(len(frame)) + 2
    if "source_file" not in frame:
        frame["source_file"] = name
    return frame


def header_as_written(frame: pd.DataFrame, file: Any, column: str) -> str:
    """The header ``column`` was read from in ``file`` (see the module notes); ``column`` itself when unknown."""
    record = getattr(frame, "attrs", {}).get(HEADERS)
    if not isinstance(record, Mapping):
        return column
    key = None if file is None else str(file)
    per_file = record[key] if key in record else record.get(ALL_FILES)
    if isinstance(per_file, Mapping) and per_file.get(column):
        return str(per_file[column])
    return column


def row_locations(frame: pd.DataFrame, rows: Sequence[Any] | pd.Index, column: str) -> list[str]:
    """``file:row:column`` of the rows with these index labels (``frame`` as returned by :func:`with_source`),
    the column named by its header as written."""
    sub = frame.loc[rows]
    out = []
    for f, r in zip(sub["source_file"], sub["source_row"]):
        file = None if pd.isna(f) else f
        out.append(format_location(file, None if pd.isna(r) else int(r), header_as_written(frame, file, column)))
    return out


def located(frame: pd.DataFrame, rows: Sequence[Any] | pd.Index | np.ndarray, column: str, code: str,
            message: str | Callable[[Any], str], severity: str = "error") -> list[Problem]:
    """One :class:`~perfeval.errors.Problem` per row label of ``rows`` (``frame`` as returned by
    :func:`with_source`), located by :func:`row_locations`; ``message`` is a text or a function of the label."""
    labels = list(rows)
    return [Problem(where, code, message(i) if callable(message) else message, severity)
            for i, where in zip(labels, row_locations(frame, labels, column))]


def attach_headers(frame: pd.DataFrame, file: str, headers: Mapping[str, str]) -> pd.DataFrame:
    """Record (in place) that ``frame``'s columns were read from ``file`` under ``headers`` (canonical -> as
    written; only the columns the frame has and whose header differs from the name); returns ``frame``."""
    written = {str(c): str(h) for c, h in headers.items() if c in frame.columns and h and str(h) != str(c)}
    if written:
        frame.attrs[HEADERS] = {str(file): written}
    else:
        frame.attrs.pop(HEADERS, None)
    return frame


def merged_headers(frames: Iterable[pd.DataFrame]) -> dict[str, dict[str, str]]:
    """The header records of several frames (e.g. files concatenated), read from their ``source_file`` values. The
    record most files share is kept once, under :data:`ALL_FILES`, and only the files that differ from it are
    listed (a directory of 10,000 forms carries one small mapping, which pandas copies with every operation)."""
    per_file: dict[str, tuple] = {}
    for frame in frames:
        record = getattr(frame, "attrs", {}).get(HEADERS)
        record = record if isinstance(record, Mapping) else {}
        files = pd.unique(frame["source_file"].dropna().astype(str)) if "source_file" in frame else []
        for file in files:
            per_file[file] = tuple(sorted(dict(record.get(file, {})).items()))
    if not any(per_file.values()):
        return {}
    common, shared = Counter(per_file.values()).most_common(1)[0]
    if shared < 2:
        return {f: dict(h) for f, h in per_file.items() if h}
    return {ALL_FILES: dict(common), **{f: dict(h) for f, h in per_file.items() if h != common}}
