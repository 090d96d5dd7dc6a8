"""Weight sensitivity: how sure is each grade, and what would change it.

A grade decides budget consequences, so perfeval reports how much it depends on the weights. Every function
re-aggregates the already-scored achievements of a :class:`~perfeval.aggregate.ScoreResult` under other points
(scoring is never repeated), on the simplex (sibling points keep their parent's sum):

- :func:`weight_uncertainty`: Monte Carlo over Dirichlet or bounded-uniform weights, optionally hierarchical
  and with ordinal constraints -> grade probabilities, score and rank intervals, grade stability;
- :func:`flip_margin`: the smallest L1 change of the first-level points that moves a unit up or down a grade,
  and the weights that do it (exact), with the gap to the next grade per first-level node;
- :func:`sobol`: first-order and total Sobol' indices of the weights for the mean absolute rank change, each
  unit's total, or the share of grade changes (via :func:`scipy.stats.sobol_indices`); :func:`sobol_indices`
  is the grouped wrapper for any function;
- :func:`oat`: one-at-a-time sweep of one node's points; :func:`compare_weightings`: alternative weight sets
  against the nominal (Kendall's tau, grade changes).

Weights given by the user are points summing to the parent's points or shares summing to 1 (within the
framework's points tolerance); anything else (e.g. 120 points for a 100-point level) is an error, never rescaled.
Bounds are points, and bounds that no weights summing to the parent's points can meet are an error.

Plots: :func:`perfeval.plotting.grade_probability_plot`, :func:`~perfeval.plotting.rank_interval_plot`,
:func:`~perfeval.plotting.flip_margin_tornado`.
"""
from __future__ import annotations

from .flip import flip_margin
from .oat import ComparisonResult, compare_weightings, oat
from .sobol import TARGETS, SobolResult, sobol, sobol_indices
from .uncertainty import UncertaintyResult, weight_uncertainty

__all__ = ["weight_uncertainty", "UncertaintyResult", "flip_margin", "sobol", "sobol_indices", "SobolResult",
           "TARGETS", "oat", "compare_weightings", "ComparisonResult"]
