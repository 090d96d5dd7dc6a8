"""Argument types of the command line with their allowed ranges (argparse reports a value outside as a usage
error, exit 2, naming the argument and the range)."""
from __future__ import annotations

import argparse
import math
from typing import Callable

__all__ = ["int_in", "float_in"]


def int_in(low: int, high: int, *, note: str = "") -> Callable[[str], int]:
    """An argparse type: an integer in ``[low, high]``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}{note}; got {text!r}")
        return value

    parse.__name__ = "integer"
    return parse


def float_in(low: float, high: float, *, low_open: bool = False, note: str = "") -> Callable[[str], float]:
    """An argparse type: a finite number in ``[low, high]`` (``(low, high]`` with ``low_open``); NaN and infinity
    are refused."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
        if not ok:
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(f"must be a finite number in {bracket}{low:g}, {high:g}]{note}; got "
                                             f"{text!r}")
        return value

    parse.__name__ = "number"
    return parse
