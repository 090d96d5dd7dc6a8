"""Kept for compatibility: the schema of indicator library files now lives in :mod:`perfeval.library._schema`.

``perfeval._library_schema`` was a module of its own until the library became a package (issue 14); this thin
module keeps the old import path working by re-exporting the names from their new home. Nothing in perfeval
imports this module.
"""
from __future__ import annotations

from .library._schema import (APPLIES_TO, COST_GE_WORDS, FIELDS, KINDS, LEVEL1_SEGMENTS, OPS, SCORING_RULES,
                              SECTOR_PREFIXES, STATUSES, choices, cost_ge_allowed, entry_problems, filled,
                              is_cost_level, norm_name, norm_op, observation_items, parse_date, read_file,
                              strip_level)

__all__ = ["FIELDS", "KINDS", "OPS", "SCORING_RULES", "STATUSES", "APPLIES_TO", "SECTOR_PREFIXES", "LEVEL1_SEGMENTS",
           "COST_GE_WORDS", "choices", "norm_name", "norm_op", "strip_level", "cost_ge_allowed", "is_cost_level",
           "entry_problems", "parse_date", "read_file", "filled", "observation_items"]
