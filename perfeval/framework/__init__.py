"""Evaluation frameworks (评价指标体系): a tree of nodes with points, grade bands, constraints and vetoes.

A :class:`Framework` is immutable. Its nodes carry points (weights), bilingual names and, on leaves, the name of a
scoring rule from :data:`perfeval.scoring.RULES`. Self-evaluation frameworks declare *slots*: second-level nodes
under which each unit attaches its own third-level indicators (with their own points) at scoring time.

Frameworks are stored as YAML (``templates/frameworks/*.yaml``) and have a flat table form (COINr style:
``node_code, parent_code, level, name, name_en, points, rule, ...``) that round-trips.

Modules, each importing only the ones above it in this list (``tests/test_layering.py`` holds them to it):

* :mod:`._structure`: checks of a raw framework mapping (keys, types) and the problem vocabulary
  :data:`PROBLEM_CODES`;
* :mod:`._table`: rows of the flat table back to node mappings;
* :mod:`._model`: :class:`Node`, :class:`Constraint`, :class:`Veto`, :class:`Framework` (YAML, dict and table
  round trips), :func:`load_framework`, :func:`list_frameworks`;
* :mod:`.checks`: :func:`validate_framework`, the content checks of a built framework, also against the
  indicator library (:mod:`perfeval.library`, which imports nothing from this package).

Grade bands live in :mod:`perfeval.grades` and are re-exported here.
"""
from __future__ import annotations

from ..grades import DEFAULT_BANDS, Band, GradeBands, grade
from ._model import Constraint, Framework, Node, Veto, list_frameworks, load_framework
from ._structure import PROBLEM_CODES
from .checks import validate_framework

__all__ = [
    "Band",
    "GradeBands",
    "Node",
    "Constraint",
    "Veto",
    "Framework",
    "DEFAULT_BANDS",
    "list_frameworks",
    "load_framework",
    "grade",
    "validate_framework",
    "PROBLEM_CODES",
]
