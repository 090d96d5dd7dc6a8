"""Input of dual monitoring: reading monitoring.csv, checking its rows (located), and the targets of the
observations. Private to :mod:`perfeval.monitoring`, which re-exports :func:`read_monitoring` and
:data:`MONITORING_COLUMNS`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._rows import row_locations, with_source
from .columns import MONITORING_ALIASES
from .errors import InputError, Problem

__all__ = ["MONITORING_COLUMNS", "read_monitoring", "check_monitoring", "latest_rows", "numeric",
           "observation_targets"]

#: Accepted columns of monitoring.csv (canonical name -> header aliases).
MONITORING_COLUMNS: Mapping[str, tuple[str, ...]] = {
    **MONITORING_ALIASES, "planned": ("计划进度", "计划完成比例", "planned_share")}

_FORECASTS = {**{k: "likely" for k in ("likely", "能", "可能", "是", "能完成", "预计能完成", "可以完成", "yes")},
              **{k: "unlikely" for k in ("unlikely", "不能", "不可能", "否", "不能完成", "难以完成",
                                         "预计不能完成", "no")}}


def read_monitoring(path: str | Path) -> pd.DataFrame:
    """Read monitoring.csv / .xlsx (one row per unit x month x line).

    Columns (Chinese header aliases of :data:`MONITORING_COLUMNS` accepted):

    * ``unit_id`` (项目编码) and ``month`` (月份, 1-12), required;
    * ``indicator`` (三级指标): the indicator name exactly as in the unit's observations row, or ``budget`` for
      the budget-execution line, required;
    * ``value`` (累计完成值 / 累计执行数): cumulative, executed amount (万元) on the budget line, cumulative actual
      on indicator lines, a level (met / partly / not_met or 达成 / 部分达成 / 未达成) on qualitative ones;
    * optional ``forecast`` (完成目标可能性: likely / unlikely, 能 / 不能), ``planned`` (计划进度: planned
      cumulative share of the annual target at that month, 0-1), ``note`` (偏差原因).

    Returns
    -------
    DataFrame
        Canonical columns (``month`` and ``planned`` as float, the rest as text) plus ``source_file`` and
        ``source_row``; the content is checked by :func:`lights`.
    """
    from .io import read_table

    return read_table(path, MONITORING_COLUMNS, required=("unit_id", "month", "indicator", "value"),
                      kind="monitoring", numeric=("month", "planned"))


def check_monitoring(mon: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed copy of the monitoring frame (month int, forecast and planned normalised) and its problems."""
    missing = [c for c in ("unit_id", "month", "indicator", "value") if c not in mon]
    if missing:
        raise InputError.single("monitoring", "missing_column",
                                f"`monitoring` lacks column(s) {missing}; it has {list(mon.columns)}")
    mon = with_source(mon, "monitoring")
    problems: list[Problem] = []
    month = pd.to_numeric(mon["month"], errors="coerce")
    bad = month.isna() | (month % 1 != 0) | (month < 1) | (month > 12)
    problems += [Problem(loc, "bad_month", f"month must be an integer 1-12; got {mon['month'][r]!r}")
                 for r, loc in zip(mon.index[bad], row_locations(mon, mon.index[bad], "month"))]
    mon["month"] = month.where(~bad).astype("Int64")
    for col in ("unit_id", "indicator"):
        empty = mon[col].isna() | (mon[col].astype(str).str.strip() == "")
        problems += [Problem(loc, "missing_value", f"{col} is empty")
                     for loc in row_locations(mon, mon.index[empty], col)]
        mon[col] = mon[col].astype(str).str.strip()
    forecast = mon["forecast"] if "forecast" in mon else pd.Series(None, index=mon.index, dtype=object)
    key = forecast.astype("string").str.strip().str.lower()
    mon["forecast"] = key.map(_FORECASTS).astype(object)
    bad = key.notna() & (key != "") & mon["forecast"].isna()
    problems += [Problem(loc, "bad_forecast", f"forecast must be likely or unlikely (能 / 不能); got {forecast[r]!r}")
                 for r, loc in zip(mon.index[bad], row_locations(mon, mon.index[bad], "forecast"))]
    planned = mon["planned"] if "planned" in mon else pd.Series(np.nan, index=mon.index)
    share = pd.to_numeric(planned, errors="coerce")
    bad = (planned.notna() & share.isna()) | (share < 0) | (share > 1)
    problems += [Problem(loc, "bad_share", f"planned must be a share in [0, 1]; got {planned[r]!r}")
                 for r, loc in zip(mon.index[bad], row_locations(mon, mon.index[bad], "planned"))]
    mon["planned"] = share.where(~bad)
    values = numeric(mon["value"])
    bad = pd.Series(np.isinf(values.to_numpy()), index=mon.index)  # inf, 1e400: never a light
    problems += [Problem(loc, "not_finite", f"value must be a finite number; got {mon['value'][r]!r}")
                 for r, loc in zip(mon.index[bad], row_locations(mon, mon.index[bad], "value"))]
    bad = (mon["indicator"] == "budget") & (values < 0)  # monitoring.BUDGET_LINE: cumulative spending
    problems += [Problem(loc, "negative_value", f"the budget line is the cumulative amount spent and cannot be "
                                                f"negative; got {mon['value'][r]!r}")
                 for r, loc in zip(mon.index[bad], row_locations(mon, mon.index[bad], "value"))]
    if "note" not in mon:
        mon["note"] = ""
    return mon, problems


def latest_rows(mon: pd.DataFrame, month: int) -> tuple[pd.DataFrame, list[Problem]]:
    """Each (unit, line)'s latest row at or before ``month``; a second row for the same month is a problem."""
    mon = mon[mon["month"].notna() & (mon["month"] <= month)]
    dup = mon.duplicated(["unit_id", "indicator", "month"], keep="first")
    problems = [Problem(loc, "duplicate_row", f"a second row for unit {u!r}, line {i!r}, month {m}")
                for loc, u, i, m in zip(row_locations(mon, mon.index[dup], "indicator"), mon["unit_id"][dup],
                                        mon["indicator"][dup], mon["month"][dup])]
    latest = mon.sort_values("month", kind="stable").groupby(["unit_id", "indicator"], sort=False).tail(1)
    return latest, problems


def numeric(values: pd.Series) -> pd.Series:
    """Numbers of a value column: plain numbers directly, other text (``95%``, ``1.2万``) through parse_actual."""
    num = pd.to_numeric(values, errors="coerce").astype(float)
    rest = values[num.isna() & values.notna() & (values.astype(str).str.strip() != "")]
    if len(rest):
        from .targets import parse_actual

        parsed: dict[Any, float] = {}
        for text in rest.unique():
            try:
                parsed[text] = parse_actual(text).value
            except InputError:
                parsed[text] = np.nan
        num.loc[rest.index] = rest.map(parsed).astype(float)
    return num


def observation_targets(observations: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """(unit_id, indicator) -> op, target_value, target_unit; errors (duplicates) and warnings (bad targets)."""
    from .targets import parse_observations

    missing = [c for c in ("unit_id", "indicator", "target") if c not in observations]
    if missing:
        raise InputError.single("observations", "missing_column",
                                f"`observations` lacks column(s) {missing}; it has {list(observations.columns)}")
    obs = with_source(observations, "observations")
    parsed, parse_problems = parse_observations(obs.drop(columns=["actual", "level"], errors="ignore"))
    warnings = [Problem(p.location, p.code, p.message + " (no light for this indicator)"
                        if p.severity == "error" else p.message, "warning") for p in parse_problems]
    parsed["unit_id"] = parsed["unit_id"].astype(str)
    parsed["indicator"] = parsed["indicator"].astype(str).str.strip()
    dup = parsed.duplicated(["unit_id", "indicator"], keep="first")
    errors = [Problem(loc, "duplicate_indicator", f"unit {u!r} has two indicators named {i!r}: monitoring rows "
                                                  "cannot be matched to one")
              for loc, u, i in zip(row_locations(parsed, parsed.index[dup], "indicator"), parsed["unit_id"][dup],
                                   parsed["indicator"][dup])]
    cols = ["unit_id", "indicator", "op", "target_value", "target_unit"]  # source columns stay monitoring's
    return parsed.loc[~dup, cols].rename(columns={"target_unit": "unit"}), errors, warnings
