"""Policies of the closed loop as YAML: dual monitoring, ex-ante assessment and application of results.

Every threshold of :mod:`perfeval.monitoring`, :mod:`perfeval.exante` and :mod:`perfeval.application` is a named
parameter of a policy file in ``templates/policies/`` (``monitoring.yaml``, ``exante.yaml``,
``application.yaml``), whose defaults are the sourced values of ``domain.md`` §2, §4 and §6. A user policy (a
YAML file or a mapping) only needs the keys it changes: it is merged onto the shipped default (mappings merge key
by key, lists and scalars replace).

Loading collects *all* problems of a policy before raising one :class:`~perfeval.errors.InputError`, each
located as ``file:line`` (or ``<policy>:dotted.key`` for a mapping given in code): bands with a gap or an overlap
or that do not cover their scale, unknown labels (colours, conclusions, grades), negative cut shares, unknown or
missing keys, values of the wrong type.

Bands are half-open intervals ``[min, max)``, the highest band closed at its top (:class:`perfeval.GradeBands`);
``.inf`` and ``-.inf`` are YAML's infinities.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ._application import PROJECT_TYPES, ApplicationPolicy, GradeAction, TransferPolicy
from ._doc import COLOURS, COLOURS_ZH, POLICY_KINDS, PolicyDoc, load_file, policy_path, read_policy, to_bool
from ._exante import ExantePolicy, ExanteVeto
from ._monitoring import MonitoringPolicy

__all__ = [
    "POLICY_KINDS", "COLOURS", "COLOURS_ZH", "PROJECT_TYPES", "PolicyDoc", "policy_path", "read_policy",
    "validate_policy", "to_bool", "MonitoringPolicy", "ExantePolicy", "ExanteVeto", "ApplicationPolicy",
    "GradeAction", "TransferPolicy",
]


def validate_policy(path: str | Path) -> list[Problem]:
    """Every problem of a policy file (its ``kind`` key says which policy it is), located ``file:line``.

    Returns an empty list for a valid file. Suitable for ``perfeval validate``.

    Examples
    --------
    >>> from perfeval.policies import policy_path, validate_policy
    >>> validate_policy(policy_path("monitoring"))
    []
    """
    path = Path(path)
    try:
        data, locs = load_file(path)
    except InputError as err:
        return list(err.problems)
    kind = data.get("kind")
    if kind not in POLICY_KINDS:
        return [Problem(locs.get(("kind",), str(path)), "unknown_kind",
                        f"`kind` must be one of {', '.join(map(repr, POLICY_KINDS))}; got {kind!r}")]
    loader = _loader(kind)
    try:
        loader(path)
    except InputError as err:
        return list(err.problems)
    return []


def _loader(kind: str):
    """The typed loader of a policy kind."""
    return {"monitoring": MonitoringPolicy.load, "exante": ExantePolicy.load,
            "application": ApplicationPolicy.load}[kind]
