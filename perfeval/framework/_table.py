"""The flat table form of a framework (COINr style, one row per node): rows back to nested node mappings.

Private to :mod:`perfeval.framework`: :meth:`Framework.from_frame` (in :mod:`._model`) checks the tree the rows
make. A bottom layer of the package: it works on plain mappings and imports nothing from it.
"""
from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd
import yaml

from .._yaml import load_marked
from ..errors import Problem

__all__ = ["frame_records", "walk_records"]


def _text(value: Any) -> str | None:
    """A table cell as text; None for empty cells (NaN, None, "")."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return str(value)


def _flag(value: Any) -> bool:
    """A boolean table cell: True/False, 1/0 or their text (as a CSV round trip gives them)."""
    text = _text(value)
    return text is not None and text.strip().lower() in ("true", "1", "1.0", "yes")


def frame_records(frame: pd.DataFrame) -> tuple[dict[str, dict[str, Any]], list[tuple[str | None, str]],
                                                 list[Problem]]:
    """Node dicts by code, (parent, code) in table order, and the problems of the individual rows."""
    records: dict[str, dict[str, Any]] = {}
    order: list[tuple[str | None, str]] = []
    problems: list[Problem] = []
    for _, row in frame.iterrows():
        code = str(row["node_code"])
        where = f"<frame>:{code}"
        if code in records:
            problems.append(Problem(where, "duplicate_code", f"node code {code!r} appears twice in the table"))
            continue
        points = row["points"]
        try:
            points = None if pd.isna(points) else float(points)
        except (TypeError, ValueError):
            problems.append(Problem(where, "points_invalid", f"`points` must be a number; got {points!r}."))
            points = None
        params_text = _text(row.get("params"))
        try:
            params = load_marked(params_text)[0] if params_text else {}  # the YAML limits of perfeval._yaml
        except yaml.YAMLError:
            problems.append(Problem(where, "params_invalid",
                                    f"`params` must be YAML mapping text; got {params_text!r}."))
            params = {}
        records[code] = {
            "code": code, "name": str(row["name"]), "name_en": _text(row.get("name_en")) or "",
            "points": points, "rule": _text(row.get("rule")), "slot": _flag(row.get("slot")),
            "indicator_code": _text(row.get("indicator_code")), "op": _text(row.get("op")),
            "aliases": [a for a in (_text(row.get("aliases")) or "").split("|") if a],
            "params": params if isinstance(params, Mapping) else {},
            "description": _text(row.get("description")) or "", "children": [],
        }
        order.append((_text(row["parent_code"]), code))
    return records, order, problems


def walk_records(nodes: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Pre-order over node mappings and their ``children``."""
    for node in nodes:
        yield node
        yield from walk_records(node["children"])
