"""Kept for compatibility: the framework checks now live in :mod:`perfeval.framework.checks`.

``perfeval.framework_checks`` was a module of its own until the framework became a package (issue 14); this thin
module keeps the old import path working by re-exporting the names from their new homes. New code imports from
:mod:`perfeval.framework` (or :mod:`perfeval.framework.checks`); nothing in perfeval imports this module.
"""
from __future__ import annotations

from .framework._structure import NODE_KEYS, PROBLEM_CODES, in_file_order, structure_problems
from .framework.checks import OPS, SAVING_WORDS, validate_framework

__all__ = ["PROBLEM_CODES", "NODE_KEYS", "structure_problems", "validate_framework", "in_file_order", "OPS",
           "SAVING_WORDS"]
