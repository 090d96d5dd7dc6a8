"""Aggregation: achievement x points rolled up the framework tree, graded -> :class:`ScoreResult` (``pe.score``).

The steps (all vectorised over rows and units; the only Python loops run over framework nodes and distinct
texts):

1. read the target / actual text (:func:`perfeval.targets.parse_observations`);
2. map each observation row to the framework (:mod:`perfeval.aggregate._matching`): a ``node_code`` column, else
   ``indicator_code`` of a fixed leaf, else the ``l1`` / ``l2`` / ``indicator`` names matched leniently;
3. score every row with its rule (:data:`perfeval.scoring.RULES`) and the execution leaf from the budget table;
4. drop not-applicable rows and rescale their siblings (``na_policy``), multiply by the points, roll up;
5. grade on half-open bands, apply the framework's vetoes, collect every problem located.

Errors (unusable input) raise one :class:`~perfeval.errors.InputError` listing them all; what real forms
legitimately contain (executed above budget, a zero budget, an unmatched L2 name, a target met at 130 %) is
scored, flagged in ``flags`` and reported in ``ScoreResult.problems`` with a :class:`DataQualityWarning`.
"""
from __future__ import annotations

from ._core import NA_POLICIES, OVER_POLICIES, POINTS_POLICIES, STRUCTURE_2021, detect_framework, score
from ._matching import FLAG_BITS, name_key
from ._result import ScoreResult

__all__ = ["score", "ScoreResult", "NA_POLICIES", "OVER_POLICIES", "POINTS_POLICIES", "FLAG_BITS", "name_key",
           "detect_framework", "STRUCTURE_2021"]
