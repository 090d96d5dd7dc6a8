"""Plots of perfeval's results: matplotlib only, ``f(result, *, ax=None, lang="zh") -> Axes``, never ``show()``.

Functions are imported lazily from the concept modules of this package.
"""
from __future__ import annotations

import importlib
from typing import Any

from ._base import cjk_font_family, get_ax, plot_context, plot_function, unit_labels

# public name -> module of this package
_EXPORTS: dict[str, str] = {
    "bland_altman_plot": "agreement",
    "lights_plot": "monitoring",
    "recheck_bland_altman_plot": "recheck",
    "grade_transition_plot": "recheck",
    "rater_severity_plot": "recheck",
    "grade_probability_plot": "sensitivity",
    "rank_interval_plot": "sensitivity",
    "flip_margin_tornado": "sensitivity",
    "contribution_plot": "scores",
    "profile_plot": "scores",
    "grade_distribution_plot": "scores",
    "execution_plot": "monitoring",
    "weight_comparison_plot": "weights",
}

__all__ = ["get_ax", "cjk_font_family", "plot_context", "plot_function", "unit_labels", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'perfeval.plotting' has no attribute {name!r}")
