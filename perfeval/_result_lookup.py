"""Looking up one unit's row, a node's label and a grade's label in a score result (shared by the narrative, the
report summaries and the charts, so that all three name things the same way)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["total_row", "node_label", "grade_text"]


def total_row(result: Any, unit_id: Any) -> pd.Series:
    """The ``totals`` row of ``unit_id`` (compared as text); a located ``unknown_unit`` error when absent."""
    totals = result.totals
    hit = totals[totals["unit_id"].astype(str) == str(unit_id)]
    if not len(hit):
        raise InputError.single("unit_id", "unknown_unit", f"unit {str(unit_id)!r} is not in the result "
                                f"({len(totals)} units)")
    return hit.iloc[0]


def node_label(result: Any, code: str, name: str, lang: str) -> str:
    """A node's name in the report language: the framework's ``name_en`` for English where the node is in the
    framework, else the name as written (unit-specific indicators keep the name written in the data).

    Examples
    --------
    >>> import perfeval as pe
    >>> from types import SimpleNamespace
    >>> r = SimpleNamespace(framework=pe.load_framework("project_self"))
    >>> node_label(r, "output", "产出指标", "en"), node_label(r, "output", "产出指标", "zh")
    ('Output', '产出指标')
    """
    if lang != "en":
        return name
    try:
        node = result.framework.find(code)
    except (KeyError, ValueError, AttributeError):
        return name
    return node.name_en or name


def grade_text(result: Any, grade: Any, lang: str = "zh") -> str:
    """A grade label in the report language (the framework's ``label_en`` for English); ``—`` for no grade."""
    if grade is None or (isinstance(grade, float) and np.isnan(grade)):
        return "—"
    if lang == "zh":
        return str(grade)
    bands = getattr(getattr(result, "framework", None), "bands", None) or getattr(result, "bands", None)
    try:
        english = {b.label: b.label_en or b.label for b in bands.bands}
    except AttributeError:
        return str(grade)
    return english.get(str(grade), str(grade))
