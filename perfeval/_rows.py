"""Located rows of input frames: where each row came from, for ``file:row:column`` problems.

Frames read by :mod:`perfeval.io` carry ``source_file`` and ``source_row`` (the spreadsheet row, header = 1). A
frame built in code has neither; its rows are then located as ``<name>:<position + 2>``, the row the same data
would have in a CSV file written with a header, so messages read the same either way.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import format_location

__all__ = ["with_source", "row_locations"]


def with_source(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A copy with a ``0..n-1`` index and ``source_file`` / ``source_row`` columns (``name`` and position + 2 where
    the frame has none)."""
    frame = frame.reset_index(drop=True).copy()
    if "source_row" not in frame:
        frame["source_row"] = np.arange(len(frame)) + 2
    if "source_file" not in frame:
        frame["source_file"] = name
    return frame


def row_locations(frame: pd.DataFrame, rows: Sequence[Any] | pd.Index, column: str) -> list[str]:
    """``file:row:column`` of the rows with these index labels (``frame`` as returned by :func:`with_source`)."""
    sub = frame.loc[rows]
    return [format_location(None if pd.isna(f) else f, None if pd.isna(r) else int(r), column)
            for f, r in zip(sub["source_file"], sub["source_row"])]
