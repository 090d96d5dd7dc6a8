"""A unit among its peers: rank, first-level profile against the peer group, and the peer group itself.

Reports put a project's total next to its rank among comparable projects (the same department, the same project
type) and its first-level profile (决策/过程/产出/效益, or 产出/效益/满意度 in a self-evaluation) next to the
peers' median and quartiles. Everything here reads a :class:`~perfeval.aggregate.ScoreResult`; nothing re-scores.

Ranking
-------
Competition ranking ("1224"): ``rank = 1 + #{peers with a higher total}``, totals compared after rounding to
:data:`TIE_DECIMALS` decimals so that float noise (89.99999999999 vs 90.0) does not break a tie. The unit itself is
one of the ``n`` units ranked.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["PeerRank", "peer_ids", "rank_among_peers", "peer_profile", "TIE_DECIMALS"]

#: Totals equal to this many decimals tie (absorbs float noise, far below any displayed precision).
TIE_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class PeerRank:
    """Rank of one unit's total among its peers (1 = highest).

    Attributes
    ----------
    unit_id : str
    rank : int
        Competition rank: 1 + the number of peers with a strictly higher total.
    n : int
        Units ranked, the unit included.
    ties : int
        Other peers with the same total.
    group : str
        What the peers share (``"all"``, ``"department_id=001"``, ``"project_type=continuing"`` or ``"given"``).
    peers : tuple of str
        The ids ranked, the unit included.
    """

    unit_id: str
    rank: int
    n: int
    ties: int
    group: str
    peers: tuple[str, ...]

    def text(self, lang: str = "zh") -> str:
        """``"3/12"`` style text ("并列" / "tied" added when tied).

        Examples
        --------
        >>> PeerRank("P1", 3, 12, 1, "all", ()).text("en")
        '3/12 (tied)'
        """
        tied = ("（并列）" if lang == "zh" else " (tied)") if self.ties else ""
        return f"{self.rank}/{self.n}{tied}"


def _totals(result: Any) -> pd.Series:
    totals = getattr(result, "totals", None)
    if not isinstance(totals, pd.DataFrame) or not {"unit_id", "total"} <= set(totals.columns):
        raise TypeError(f"`result` must be a ScoreResult (with .totals); got {type(result).__name__}.")
    return pd.Series(totals["total"].to_numpy(dtype=float), index=totals["unit_id"].astype(str))


def peer_ids(result: Any, unit_id: Any, *, units: pd.DataFrame | None = None, by: str | None = None,
             peers: Sequence[Any] | None = None) -> tuple[tuple[str, ...], str]:
    """The ids of ``unit_id``'s peers in ``result`` (the unit included) and the name of the group.

    Parameters
    ----------
    result : ScoreResult
    unit_id : str
        A unit of ``result``.
    units : DataFrame, optional
        units.csv (``unit_id`` and the column ``by``); needed with ``by``.
    by : str, optional
        A column of ``units`` (``"department_id"``, ``"project_type"``): peers share its value with the unit.
    peers : list of str, optional
        The peers given explicitly (the unit is added when missing); excludes ``by``.

    Returns
    -------
    (tuple of str, str)
        Ids in the order of ``result.totals`` and the group name (``"all"``, ``"<by>=<value>"`` or ``"given"``).

    Raises
    ------
    InputError
        An unknown unit, a ``by`` column ``units`` lacks, a peer not in ``result``.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> res = SimpleNamespace(totals=pd.DataFrame({"unit_id": ["A", "B", "C"], "total": [90.0, 80.0, 70.0]}))
    >>> units = pd.DataFrame({"unit_id": ["A", "B", "C"], "department_id": ["01", "02", "01"]})
    >>> peer_ids(res, "A", units=units, by="department_id")
    (('A', 'C'), 'department_id=01')
    """
    totals = _totals(result)
    uid = str(unit_id)
    if uid not in totals.index:
        raise InputError.single("unit_id", "unknown_unit", f"unit {uid!r} is not in the result "
                                f"({len(totals)} units, e.g. {list(totals.index[:3])})")
    if peers is not None and by is not None:
        raise ValueError("give either `by` or `peers`, not both.")
    if peers is not None:
        wanted = {str(p) for p in peers} | {uid}
        unknown = sorted(wanted - set(totals.index))
        if unknown:
            raise InputError.single("peers", "unknown_unit", f"peer(s) {unknown} are not in the result")
        return tuple(u for u in totals.index if u in wanted), "given"
    if by is None:
        return tuple(totals.index), "all"
    if units is None or "unit_id" not in units or by not in units:
        have = [] if units is None else list(units.columns)
        raise InputError.single("units", "missing_column", f"grouping peers by {by!r} needs a units table with "
                                f"columns unit_id and {by}; got {have}")
    column = units.assign(unit_id=units["unit_id"].astype(str)).drop_duplicates("unit_id").set_index("unit_id")[by]
    value = column.get(uid)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return (uid,), f"{by}=?"
    same = set(column.index[column.astype(object) == value])
    return tuple(u for u in totals.index if u in same or u == uid), f"{by}={value}"


def rank_among_peers(result: Any, unit_id: Any, *, units: pd.DataFrame | None = None, by: str | None = None,
                     peers: Sequence[Any] | None = None) -> PeerRank:
    """Rank of ``unit_id``'s total among its peers (competition ranking, 1 = highest).

    Parameters
    ----------
    result, unit_id, units, by, peers
        As :func:`peer_ids`: all units of ``result`` by default, ``by="department_id"`` for the unit's
        department, or an explicit list.

    Returns
    -------
    PeerRank

    Examples
    --------
    Totals 90, 95, 90 and 80: A and C tie at rank 2 behind B; D is 4th.

    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> res = SimpleNamespace(totals=pd.DataFrame({"unit_id": list("ABCD"), "total": [90.0, 95.0, 90.0, 80.0]}))
    >>> r = rank_among_peers(res, "A")
    >>> (r.rank, r.n, r.ties), r.text()
    ((2, 4, 1), '2/4（并列）')
    >>> rank_among_peers(res, "D", peers=["A", "B"]).text("en")
    '3/3'
    """
    ids, group = peer_ids(result, unit_id, units=units, by=by, peers=peers)
    totals = _totals(result).loc[list(ids)].round(TIE_DECIMALS)
    own = float(totals.loc[str(unit_id)])
    higher = int((totals > own).sum())
    ties = int((totals == own).sum()) - 1
    return PeerRank(unit_id=str(unit_id), rank=higher + 1, n=len(ids), ties=ties, group=group, peers=ids)


def peer_profile(result: Any, unit_id: Any, *, level: int = 1, units: pd.DataFrame | None = None,
                 by: str | None = None, peers: Sequence[Any] | None = None) -> pd.DataFrame:
    """The unit's score rate at each node of ``level`` next to its peers' median and quartiles.

    Parameters
    ----------
    result : ScoreResult
    unit_id : str
    level : int, default 1
        Node level of the framework (1 = first-level indicators).
    units, by, peers
        The peer group, as :func:`peer_ids`.

    Returns
    -------
    DataFrame
        One row per node of ``level`` the unit has, in framework order: ``node_code, name, points, score,
        achievement`` (score / points of the unit; NaN where not applicable), ``peer_q1, peer_median, peer_q3,
        peer_mean`` (of the peers' achievements, the unit included, not-applicable nodes left out), ``n_peers``
        (units with an achievement at that node) and ``gap`` (achievement - peer_median).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> p = peer_profile(res, "0010001", units=data.units, by="department_id")
    >>> p["node_code"].tolist()
    ['execution', 'output', 'effect', 'satisfaction']
    >>> round(float(p.loc[p.node_code == "output", "achievement"].iloc[0]), 3)
    0.559
    """
    ids, _ = peer_ids(result, unit_id, units=units, by=by, peers=peers)
    nodes = result.nodes
    rows = nodes[(nodes["level"] == level) & nodes["unit_id"].astype(str).isin(ids)]
    if not len(rows):
        raise InputError.single("level", "no_nodes", f"the result has no nodes at level {level}")
    uid = str(unit_id)
    own = rows[rows["unit_id"].astype(str) == uid]
    ach = rows.assign(achievement=rows["achievement"].astype(float).where(rows["applicable"].astype(bool)))
    stats = ach.groupby("node_code", sort=False)["achievement"].agg(
        peer_q1=lambda s: s.quantile(0.25), peer_median="median", peer_q3=lambda s: s.quantile(0.75),
        peer_mean="mean", n_peers="count")
    out = own[["node_code", "name", "points", "score", "achievement", "applicable"]].copy()
    out["achievement"] = out["achievement"].astype(float).where(out["applicable"].astype(bool))
    out = out.drop(columns="applicable").merge(stats, left_on="node_code", right_index=True, how="left")
    out["n_peers"] = out["n_peers"].fillna(0).astype(int)
    out["gap"] = out["achievement"] - out["peer_median"]
    return out.reset_index(drop=True)
