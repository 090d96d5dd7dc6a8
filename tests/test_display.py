"""Display rounding: shown totals never cross a grade edge they did not reach; no float artefacts."""
import math

import numpy as np
import pandas as pd
import pytest

from perfeval._display import MISSING, floor_display, fmt_number


@pytest.mark.parametrize("value, shown", [
    (89.996, 89.99),            # would round to 90.00 (优) but the total is 良
    (89.99999999999997, 90.0),  # float noise of a sum of points that make 90
    (90.0, 90.0),
    (79.5, 79.5),
    (59.999, 59.99),
    (0.0, 0.0),
    (12.8999999999999, 12.9),   # noise below a step is absorbed, not floored to 12.89
])
def test_floor_display(value, shown):
    assert floor_display(value) == shown


def test_floor_display_keeps_nan_and_checks_decimals():
    assert math.isnan(floor_display(float("nan")))
    with pytest.raises(ValueError, match="decimals"):
        floor_display(1.0, decimals=-1)
    with pytest.raises(ValueError, match="decimals"):
        fmt_number(1.0, decimals=100000)


@pytest.mark.parametrize("value, kwargs, text", [
    (89.996, {"floor": True}, "89.99"),
    (89.996, {}, "90.00"),
    (12.90000000000001, {}, "12.90"),
    (2.675, {}, "2.68"),            # half away from zero on the decimal form (binary rounding gives 2.67)
    (-0.001, {}, "0.00"),           # no "-0.00"
    (1234567.891, {"thousands": True}, "1,234,567.89"),
    (7, {}, "7"),
    (np.int64(7), {}, "7"),
    (np.float64(0.1 + 0.2), {"decimals": 1}, "0.3"),
    (None, {}, MISSING),
    (float("nan"), {}, MISSING),
    (pd.NA, {}, MISSING),
    ("良", {}, "良"),
    (float("inf"), {}, "∞"),
])
def test_fmt_number(value, kwargs, text):
    assert fmt_number(value, **kwargs) == text
