"""The result-application policy (``templates/policies/application.yaml``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..framework import GradeBands
from ._doc import Key, PolicyDoc, PolicyView, read_policy

__all__ = ["ApplicationPolicy", "GradeAction", "TransferPolicy", "PROJECT_TYPES", "GRADE_SOURCES"]

# ---------------------------------------------------------------------------------------------------------------
# application-of-results policy
# ---------------------------------------------------------------------------------------------------------------
#: Project types of units.csv.
PROJECT_TYPES: tuple[str, ...] = ("continuing", "phased", "one_off")
#: Where a grade comes from, as :func:`perfeval.application.apply_results` names it.
GRADE_SOURCES: tuple[str, ...] = ("key_evaluation", "recheck", "self_evaluation")
_ACTION_KEYS = ("code", "action", "action_en", "cut_share", "rectification")


@dataclass(frozen=True, slots=True)
class GradeAction:
    """What a grade means for next year's budget: action (code, 中文, English), cut share, rectification."""

    code: str
    action: str
    action_en: str
    cut_share: float
    rectification: bool

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "action": self.action, "action_en": self.action_en,
                "cut_share": self.cut_share, "rectification": self.rectification}


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    """The performance adjustment factor of transfer payments to regions (see
    :func:`perfeval.application.transfer_factors`)."""

    kind: str = "region"
    code: str = "transfer_factor"
    action: str = "按绩效调整系数分配"
    action_en: str = "allocation adjusted by the performance factor"
    k: float = 0.5
    floor: float = 0.9
    cap: float = 1.1
    budget_neutral: bool = True
    neutral_grades: tuple[str, ...] = ("良",)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "k": self.k, "floor": self.floor, "cap": self.cap,
                "budget_neutral": self.budget_neutral, "neutral_grades": list(self.neutral_grades)}


@dataclass(frozen=True, slots=True, repr=False)
class ApplicationPolicy(PolicyView):
    """The result-application rules (``templates/policies/application.yaml``).

    Attributes
    ----------
    bands : GradeBands
        Grades of totals that carry none.
    actions : mapping
        ``{project_type: {grade: GradeAction}}`` for every project type and grade (the grade table with the
        type's overrides applied).
    default_project_type : str
    one_off_ends : bool
    rigid_exempt : bool
    rigid : GradeAction
        The action of rigid expenditure whose grade calls for a cut (cut share 0).
    transfer : TransferPolicy
    verification_order : tuple of str
        Grade sources (:data:`GRADE_SOURCES`), most verified first: a unit's action uses the first source that
        grades it (default key evaluation, then re-check, then self-evaluation).

    Examples
    --------
    >>> from perfeval.policies import ApplicationPolicy
    >>> policy = ApplicationPolicy.load()
    >>> fair = policy.actions["continuing"]["中"]
    >>> fair.action, fair.cut_share, fair.rectification
    ('一定比例核减', 0.1, True)
    >>> list(policy.actions), policy.transfer.k
    (['continuing', 'phased', 'one_off'], 0.5)
    """

    bands: GradeBands
    actions: Mapping[str, Mapping[str, GradeAction]]
    default_project_type: str = "continuing"
    one_off_ends: bool = True
    rigid_exempt: bool = True
    rigid: GradeAction = GradeAction("rigid_exempt", "刚性支出不予核减", "rigid expenditure, not cut", 0.0, False)
    transfer: TransferPolicy = field(default_factory=TransferPolicy)
    verification_order: tuple[str, ...] = GRADE_SOURCES
    source: str = ""
    version: str = ""

    @classmethod
    def load(cls, policy: "str | Path | Mapping[str, Any] | ApplicationPolicy | None" = None) -> "ApplicationPolicy":
        """The shipped policy with ``policy`` (YAML path or mapping of the keys to change) merged onto it.

        Raises
        ------
        InputError
            Every problem, located ``file:line``: grade bands with a gap or an overlap, an action for an unknown
            grade or project type, a grade without an action, a negative (or above 1) cut share, unknown keys, a
            transfer floor above 1 or cap below 1.
        """
        if isinstance(policy, ApplicationPolicy):
            return policy
        doc = read_policy("application", policy)
        doc.keys((), ("kind", "version", "source", "bands", "grades", "project_types", "default_project_type",
                      "one_off_ends", "rigid", "transfer", "verification_order"))
        bands = doc.bands(("bands",), allowed=None, label_code="unknown_grade", scale=(0.0, 100.0))
        labels = list(bands.labels)
        grades = doc.keys(("grades",), labels, labels, unknown="unknown_grade", missing="missing_grade")
        base = {g: _grade_action(doc, ("grades", g), None) for g in labels if g in grades}
        types = doc.keys(("project_types",), PROJECT_TYPES, unknown="unknown_project_type")
        actions: dict[str, dict[str, GradeAction]] = {}
        for ptype in PROJECT_TYPES:
            over = (doc.keys(("project_types", ptype), labels, unknown="unknown_grade")
                    if ptype in types and types[ptype] else {})
            actions[ptype] = {g: _grade_action(doc, ("project_types", ptype, g), base[g]) if g in over else base[g]
                              for g in base}
        doc.keys(("rigid",), ("exempt", "code", "action", "action_en"))
        doc.keys(("transfer",), ("kind", "code", "action", "action_en", "k", "floor", "cap", "budget_neutral",
                                 "neutral_grades"))
        neutral = doc.labels(("transfer", "neutral_grades"), labels, "unknown_grade")
        order = doc.labels(("verification_order",), GRADE_SOURCES, "unknown_source")
        if len(set(order)) != len(order):
            doc.problem(("verification_order",), "duplicate_source", f"`verification_order` lists a source twice: "
                                                                     f"{list(order)}")
        t = ("transfer",)
        out = cls(
            bands=bands, actions=actions,
            default_project_type=doc.choice(("default_project_type",), PROJECT_TYPES, "unknown_project_type"),
            one_off_ends=doc.boolean(("one_off_ends",), True), rigid_exempt=doc.boolean(("rigid", "exempt"), True),
            rigid=GradeAction(doc.text(("rigid", "code"), "rigid_exempt"), doc.text(("rigid", "action")),
                              doc.text(("rigid", "action_en")), 0.0, False),
            transfer=TransferPolicy(
                kind=doc.text((*t, "kind"), "region"), code=doc.text((*t, "code"), "transfer_factor"),
                action=doc.text((*t, "action")), action_en=doc.text((*t, "action_en")),
                k=doc.number((*t, "k"), low=0, code="negative_k"),
                floor=doc.number((*t, "floor"), low=0, high=1, code="bad_floor", fallback=1.0),
                cap=doc.number((*t, "cap"), low=1, code="bad_cap", fallback=1.0),
                budget_neutral=doc.boolean((*t, "budget_neutral"), True), neutral_grades=neutral),
            verification_order=order,
            source=doc.text(("source",)), version=doc.text(("version",)))
        doc.raise_if_problems("application")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"bands": self.bands.to_list(),
                "actions": {t: {g: a.to_dict() for g, a in m.items()} for t, m in self.actions.items()},
                "default_project_type": self.default_project_type, "one_off_ends": self.one_off_ends,
                "rigid_exempt": self.rigid_exempt, "rigid": self.rigid.to_dict(),
                "transfer": self.transfer.to_dict(), "verification_order": list(self.verification_order),
                "version": self.version}


def _grade_action(doc: PolicyDoc, keys: Key, base: GradeAction | None) -> GradeAction:
    """A grade's action entry; with ``base``, the keys the entry omits are inherited from it."""
    node = doc.keys(keys, _ACTION_KEYS, () if base is not None else _ACTION_KEYS)
    if base is None:
        base = GradeAction("", "", "", 0.0, False)
    cut = base.cut_share
    if "cut_share" in node:
        value = node["cut_share"]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            doc.problem((*keys, "cut_share"), "negative_cut", f"`cut_share` must be in [0, 1]; got {value:g} "
                                                              "(a cut cannot be negative)")
        else:
            cut = doc.number((*keys, "cut_share"), low=0, high=1, code="bad_share")
    return GradeAction(code=doc.text((*keys, "code"), base.code), action=doc.text((*keys, "action"), base.action),
                       action_en=doc.text((*keys, "action_en"), base.action_en), cut_share=cut,
                       rectification=doc.boolean((*keys, "rectification"), base.rectification)
                       if "rectification" in node else base.rectification)

