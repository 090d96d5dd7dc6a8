"""Weighting workbench: expert and data-driven weights for an indicator framework.

Every method names its conventions and reports them with its result:

- :func:`ahp` (one judgement matrix; element (i, j) = how much more important i is than j), :func:`ahp_group`
  (expert panels, AIJ/AIP) and :func:`ahp_survey` (long survey table ``expert_id, a, b, value``, or 专家 / 因素A /
  因素B / 标度, items by code or by the framework's node names);
- objective weights from a units x indicators table: :func:`entropy`, :func:`critic`, :func:`std_dev`,
  :func:`cv`, :func:`merec`;
- :func:`rank_order` (ROC, rank sum, reciprocal), :func:`delphi` (consensus across rounds),
  :func:`combine` (subjective x objective);
- :func:`to_points` (points that sum exactly, from relative weights) and :func:`apply_weights` (a new Framework;
  its weights are points summing to the parent's points or shares summing to 1, any other sum is an error).
"""
from __future__ import annotations

from ._common import WeightResult
from .ahp import GCI_THRESHOLDS, RI_SOURCES, RI_TABLES, SAATY_SCALE, AHPResult, ahp, gci_threshold
from .combine import combine
from .compare import compare_weights
from .delphi import DelphiResult, delphi, kendall_w
from .group import SURVEY_HEADERS, GroupAHPResult, ahp_group, ahp_survey
from .objective import critic, cv, entropy, merec, parse_directions, std_dev
from .points import apply_weights, to_points
from .ranks import positional_weights, rank_order

__all__ = [
    "AHPResult", "GroupAHPResult", "WeightResult", "DelphiResult",
    "ahp", "ahp_group", "ahp_survey", "SURVEY_HEADERS", "RI_TABLES", "RI_SOURCES", "GCI_THRESHOLDS", "SAATY_SCALE",
    "gci_threshold",
    "entropy", "critic", "std_dev", "cv", "merec", "parse_directions",
    "rank_order", "positional_weights", "delphi", "kendall_w", "combine", "to_points", "apply_weights",
    "compare_weights",
]
