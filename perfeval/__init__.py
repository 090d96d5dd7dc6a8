"""perfeval: budget performance evaluation (预算绩效管理) as software.

The curated public API; see ``docs/architecture.md``.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ConstantIndicatorWarning,
    DataQualityWarning,
    DegenerateDataWarning,
    FrameworkError,
    InconsistentJudgementsWarning,
    InputError,
    PerfevalError,
    PerfevalWarning,
    Problem,
    ReportError,
)
from .framework import (  # noqa: E402
    Band,
    Framework,
    GradeBands,
    Node,
    grade,
    list_frameworks,
    load_framework,
)

__all__ = [
    "__version__",
    "PerfevalError", "InputError", "FrameworkError", "ReportError", "Problem",
    "PerfevalWarning", "DataQualityWarning", "InconsistentJudgementsWarning", "ConstantIndicatorWarning",
    "DegenerateDataWarning",
    "Band", "GradeBands", "Node", "Framework", "grade", "list_frameworks", "load_framework",
]
