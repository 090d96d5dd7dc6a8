"""Expert panels (专家评审): robust consensus scores, rater diagnostics and reliability per framework node.

Key evaluations (重点评价) and third-party evaluations score each project on every leaf of a framework with a
panel of experts. This module turns the long ratings (``unit_id, node_code, rater_id, score``; architecture §3.4,
Chinese headers 专家编码 / 得分 accepted) into

- :func:`aggregate`: one consensus score per (unit, node), by a trimmed mean that drops a fixed *count* of the
  highest and lowest ratings (never ``scipy.stats.trim_mean(x, 1/k)``, which drops nothing for k = 49 because
  ``int(49 * (1/49)) == 0``), with how much the trimming moved each score, total and grade;
- :func:`rater_diagnostics`: per expert severity (mean deviation from the leave-one-out consensus, with SE),
  consistency (correlation with the rest), leave-one-rater-out ICC and alpha, robust outlier flags;
- :func:`reliability`: ICC and Krippendorff's alpha per framework node and overall.

:mod:`perfeval.panel.sheets` makes the experts' score workbooks (:func:`write_sheets`) and reads them back into
the long ratings with every problem located ``file:sheet!cell`` (:func:`collect_sheets`).

The consensus scores feed :func:`perfeval.score` for the key-evaluation framework:
``pe.score("project_key", aggregate(panel, framework="project_key").to_observations())``.
"""
from __future__ import annotations

from ._consensus import METHODS, PanelResult, aggregate
from ._diagnostics import RaterDiagnostics, rater_diagnostics, reliability
from .sheets import CollectedSheets, collect_sheets, write_sheets

__all__ = ["METHODS", "PanelResult", "RaterDiagnostics", "aggregate", "rater_diagnostics", "reliability",
           "CollectedSheets", "collect_sheets", "write_sheets"]
