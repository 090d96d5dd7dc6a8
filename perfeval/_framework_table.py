"""Kept for compatibility: the flat table form of a framework now lives in :mod:`perfeval.framework._table`.

``perfeval._framework_table`` was a module of its own until the framework became a package (issue 14); this thin
module keeps the old import path working by re-exporting the names from their new home. Nothing in perfeval
imports this module.
"""
from __future__ import annotations

from .framework._table import frame_records, walk_records

__all__ = ["frame_records", "walk_records"]
