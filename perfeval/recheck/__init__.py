"""Re-evaluation (再评价 / 复核): the standardization audit of self-evaluation forms and the accuracy re-check.

The finance department re-checks a sample of self-evaluations for "the standardization of the evaluation work and
the accuracy of the results" (domain.md §5.6):

- :func:`audit` (规范性审核): recompute every row and total of the self-evaluation forms by the scoring rules and
  list what does not follow them, in a documented vocabulary (:data:`FINDINGS`);
- :func:`sample_units`: the re-check sample (stratified, proportional to budget), with inclusion probabilities;
- :func:`compare` (准确性复核): self-evaluation vs re-evaluation per unit (deviation, grade change, accuracy rating,
  red flags) and for the portfolio (bias, agreement, grade shift, disconnect rates), by group and, for a sample,
  for the population (:func:`design_estimate`).
"""
from __future__ import annotations

from ._summary import STATISTICS, Agreement
from ._findings import SEVERITIES, Finding, findings_table
from .audit import FINDINGS, SAVING_WORDS, SPENDING_WORDS, AuditResult, audit
from .compare import ACCURACY, SELF_TOTAL_SOURCES, UNIT_FLAGS, RecheckResult, RecheckRules, compare
from .sampling import DESIGN_COLUMNS, ESTIMATORS, design_estimate, sample_units

__all__ = [
    "audit", "AuditResult", "FINDINGS", "Finding", "SEVERITIES", "SPENDING_WORDS", "SAVING_WORDS", "findings_table",
    "compare", "RecheckResult", "RecheckRules", "Agreement", "ACCURACY", "UNIT_FLAGS", "STATISTICS",
    "SELF_TOTAL_SOURCES",
    "sample_units", "design_estimate", "DESIGN_COLUMNS", "ESTIMATORS",
]
