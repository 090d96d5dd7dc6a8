"""The result of :func:`perfeval.score`: totals, node scores, problems and the policy used."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..framework import Framework

__all__ = ["ScoreResult", "for_display"]

#: Columns in points, shown with ``decimals`` decimals, and ratios (0.95 = 95 %), shown with ``decimals + 2`` (the
#: same number of decimals as a percentage).
POINT_COLUMNS: tuple[str, ...] = ("total", "execution_score", "points_total", "points", "score", "claimed_score")
RATIO_COLUMNS: tuple[str, ...] = ("execution_rate", "achievement")


# ---------------------------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Scores of every unit on a framework.

    Attributes
    ----------
    framework : Framework
        The framework used.
    totals : DataFrame
        One row per unit: ``unit_id, total, grade, execution_rate, execution_score, n_indicators, points_total,
        flags`` plus ``banded_grade`` (the grade of the bands before vetoes). ``execution_rate`` is
        executed / denominator (uncapped; NaN for a zero budget), ``execution_*`` are NaN when the framework has no
        ``execution`` leaf; ``n_indicators`` counts the applicable observation rows; ``flags`` is a ``;``-joined
        list of codes ("" when none): those of :data:`perfeval.aggregate.FLAG_BITS` (``missing_actual``,
        ``not_applicable``, ``target_too_low``, ``reduced_over_achievement``, ``score_from_level``,
        ``unmatched_l2``, ``unmatched_indicator``, ``executed_above_budget``, ``zero_budget``, ``missing_budget``,
        ``points_sum``, ``scored_by_evaluator``), plus ``veto:<code>`` when a veto set the grade.
    nodes : DataFrame
        Long, one row per (unit, node) except the root: ``unit_id, node_code, parent_code, level, name, points,
        achievement, score, claimed_score, rule, applicable, flags`` plus, where the observations have them,
        ``indicator_code, target, actual, source_file, source_row`` of the row a leaf was scored from (None on
        inner nodes). Inner nodes carry the sums of their children's points and scores and ``achievement =
        score / points`` (NaN when no points). ``claimed_score`` on a leaf is the claim as written (the unit's
        得分; on evaluator-scored leaves the score given); on inner nodes it is the sum of the leaves' claims
        carried to their effective points (claim x effective points / own points: the N/A rescaling that
        ``points`` and ``score`` get), so every inner node's claim compares with its score. Unit-specific indicators get ``node_code = "<slot>.<k>"`` (k in
        input order within the unit and slot) and ``rule`` the rule their operator chose. ``points`` are after
        N/A rescaling; ``applicable`` is False on N/A rows and on nodes with nothing applicable (an empty slot).
        Rows are ordered by unit, then framework order, each slot followed by its indicators. Row ``flags`` add
        the reading flags of :data:`perfeval.targets.TARGET_FLAGS` (``bare_target``, ``approximate`` ...).
    problems : tuple of Problem
        Warnings (flagged, scored anyway). Errors are raised, never returned.
    policy : dict
        Every choice made (rule parameters, denominator, N/A and over-achievement policies, bands, version).
    rejected : DataFrame
        The units left out by ``score(..., on_error="skip")``, one row per problem: ``unit_id`` (None for a row
        without one), ``code``, ``location`` (``file:row:column``), ``message``. Empty when nothing was rejected.
    """

    framework: Framework
    totals: pd.DataFrame
    nodes: pd.DataFrame
    problems: tuple[Problem, ...] = ()
    policy: Mapping[str, Any] = field(default_factory=dict)
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("unit_id", "code", "location", "message")}))

    def to_frame(self) -> pd.DataFrame:
        """The totals table (one row per unit)."""
        return self.totals

    def by_level(self, level: int) -> pd.DataFrame:
        """The node rows of one tree level (1 = first-level indicators)."""
        levels = sorted(int(v) for v in self.nodes["level"].unique())
        if level not in levels:
            raise ValueError(f"`level` must be one of {levels}; got {level!r}.")
        return self.nodes[self.nodes["level"] == level].reset_index(drop=True)

    def contributions(self, level: int = 1) -> pd.DataFrame:
        """Share of each unit's total contributed by each node of ``level``: ``score / total`` (unit x node).

        Rows are units (index ``unit_id``), columns node codes in framework order; rows sum to 1 (NaN for a
        zero total).
        """
        rows = self.by_level(level)
        wide = rows.pivot_table(index="unit_id", columns="node_code", values="score", aggfunc="sum", sort=False)
        totals = self.totals.set_index("unit_id")["total"].reindex(wide.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = wide.div(totals.where(totals != 0), axis=0)
        share.columns.name = "node_code"
        return share

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table: ``location, code, message, severity``."""
        return pd.DataFrame([p.to_dict() for p in self.problems],
                            columns=["location", "code", "message", "severity"])

    def to_excel(self, path: str | Path, *, decimals: int | None = None, lang: str = "zh",
                 units: Any = None) -> Path:
        """Write an Excel workbook, atomically: 总分 (totals), one sheet per level (第1级指标 ...), 问题, 参数.

        The sheets are those ``perfeval score --out x.xlsx`` writes (:func:`perfeval._present.score_sheets`):
        Chinese headers (项目编码, 总分, 等级 ...; ``lang="en"``: the canonical ones), the meaning of every flag and
        problem code, the unit's name beside its code when ``units`` gives it. A level with more rows than a
        sheet holds (1,048,575 below the header) continues on ``第3级指标(2)`` and so on.

        Parameters
        ----------
        path : str or Path
        decimals : int, optional
            Round the values shown (points to ``decimals``, rates and achievements to ``decimals + 2``), a total
            never onto a grade edge it did not reach (89.996 shows 89.99 with 2 decimals); None (default) writes
            them unrounded. Grades are those of the unrounded totals.
        lang : {"zh", "en"}
        units : DataFrame or mapping, optional
            ``unit_id`` -> name (units.csv, or a mapping) for the name column.

        Returns
        -------
        Path
            ``path``; a failure leaves an existing file untouched (written via a temporary file and one rename).

        Raises
        ------
        ValueError
            ``decimals`` negative.
        """
        from .._cells import write_xlsx
        from .._io_util import atomic_path
        from .._present import score_sheets

        if decimals is not None and (not isinstance(decimals, (int, np.integer)) or decimals < 0):
            raise ValueError(f"`decimals` must be an integer >= 0 (or None: unrounded); got {decimals!r}.")
        path = Path(path)
        sheets = score_sheets(self, lang=lang, units=units, decimals=decimals)
        with atomic_path(path) as tmp:  # streaming, text never a formula (perfeval._cells)
            write_xlsx(tmp, sheets)
        return path

    def _repr_html_(self) -> str:
        """Summary (units, grades, problems) and the first totals rows."""
        counts = self.totals["grade"].value_counts(dropna=False)
        grades = ", ".join(f"{k}: {v}" for k, v in counts.items())
        head = (f"<p><b>ScoreResult</b> on {self.framework.title} ({self.framework.name}): "
                f"{len(self.totals)} units; grades {grades}; {len(self.problems)} problems flagged.</p>")
        return head + self.totals.head(20).to_html(index=False, na_rep="")

    def __repr__(self) -> str:
        return (f"ScoreResult(framework={self.framework.name!r}, units={len(self.totals)}, "
                f"nodes={len(self.nodes)}, problems={len(self.problems)})")


def for_display(frame: pd.DataFrame, decimals: int | None) -> pd.DataFrame:
    """A totals or nodes table rounded for people to read: the columns in points (:data:`POINT_COLUMNS`) to
    ``decimals`` decimals, the ratios (:data:`RATIO_COLUMNS`) to ``decimals + 2``.

    Presentation only, on a copy: grades, flags and every computation use the unrounded values (a total of
    89.996 shows as 90.0 and keeps the grade of 89.996).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``ScoreResult.totals`` or ``ScoreResult.nodes`` (other columns are left as they are).
    decimals : int or None
        Decimals of the points; None returns ``frame`` itself, unrounded.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        ``decimals`` negative or not an integer.

    Examples
    --------
    >>> import pandas as pd
    >>> for_display(pd.DataFrame({"total": [58.5904410478], "execution_rate": [0.592620]}), 2).iloc[0].tolist()
    [58.59, 0.5926]
    """
    if decimals is None:
        return frame
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)) or decimals < 0:
        raise ValueError(f"`decimals` must be an integer >= 0 (or None: unrounded); got {decimals!r}.")
    places = {**{c: int(decimals) for c in POINT_COLUMNS}, **{c: int(decimals) + 2 for c in RATIO_COLUMNS}}
    return frame.round({c: d for c, d in places.items() if c in frame})
