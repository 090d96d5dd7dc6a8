"""perfeval: budget performance evaluation (预算绩效管理) as software.

The curated public API (see ``docs/architecture.md``). Names are imported lazily on first use (PEP 562), so
``import perfeval`` stays cheap and a command line call loads only what it needs.

>>> import perfeval as pe
>>> fw = pe.load_framework("project_self")
>>> fw.total
100.0
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors and warnings
    "PerfevalError": "errors", "InputError": "errors", "FrameworkError": "errors", "ReportError": "errors", "ReportExecutionError": "errors", "ReportTimeoutError": "errors",
    "ReportCrashError": "errors",
    "Problem": "errors", "PerfevalWarning": "errors", "DataQualityWarning": "errors",
    "InconsistentJudgementsWarning": "errors", "ConstantIndicatorWarning": "errors",
    "DegenerateDataWarning": "errors",
    # frameworks and grades
    "Framework": "framework", "Node": "framework", "GradeBands": "framework", "Band": "framework",
    "Constraint": "framework", "Veto": "framework", "grade": "framework", "list_frameworks": "framework",
    "load_framework": "framework", "validate_framework": "framework",
    # indicator library
    "IndicatorLibrary": "library", "Indicator": "library", "load_library": "library",
    # reading and writing users' files
    "read_observations": "io", "read_budget": "io", "read_table": "io", "read_selfeval_form": "io",
    "write_selfeval_form": "io", "SelfEvalForm": "io", "read_units": "io", "write_table": "io",
    # targets, scoring, aggregation
    "Target": "targets", "parse_target": "targets", "parse_actual": "targets",
    "score": "aggregate", "ScoreResult": "aggregate",
    # sample data
    "synthesize": "datasets", "load_sample": "datasets", "list_samples": "datasets", "SampleData": "datasets",
    "load_dataset": "datasets",
}

_SUBMODULES = frozenset({
    "errors", "columns", "framework", "library", "io", "targets", "scoring", "aggregate", "weighting",
    "sensitivity", "agreement", "panel", "recheck", "monitoring", "exante", "application", "datasets",
    "plotting", "cli", "policies", "pipeline", "grades", "reports",
    "survey",
    "peers", "narrative", "summaries",
})

__all__ = ["__version__", *_EXPORTS, *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'perfeval' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
