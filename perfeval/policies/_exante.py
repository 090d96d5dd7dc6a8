"""The ex-ante assessment policy (``templates/policies/exante.yaml``).

The conclusions themselves (予以支持 [90, 100], 调整完善后予以支持 [70, 90), 不予支持 [0, 70)) are the grade bands of
the ex-ante *framework* (``templates/frameworks/exante.yaml``): that is their single source. The policy keeps only
what a framework cannot express: which conclusions pass, the veto rules, how a missing leaf counts and the flag
of the budget gate. Its conclusion labels are checked against the framework's bands.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..errors import InputError, Problem
from ._doc import PolicyView, read_policy

if TYPE_CHECKING:  # pragma: no cover
    from ..framework import Framework

__all__ = ["ExantePolicy", "ExanteVeto"]

_VETO_KEYS = ("code", "node", "measure", "op", "value", "conclusion", "message")
_VETO_REQUIRED = ("code", "node", "op", "value", "conclusion")


@dataclass(frozen=True, slots=True)
class ExanteVeto:
    """A veto of the ex-ante conclusion: fires when ``measure`` of ``node`` is ``op value``.

    ``node`` is a first-level dimension code or ``*`` (each dimension); ``measure`` is ``share`` (score /
    points) or ``score`` (points); ``op`` is ``<`` or ``<=``. A fired veto caps the conclusion at ``conclusion``.
    """

    code: str
    node: str
    op: str
    value: float
    conclusion: str
    measure: str = "share"
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "node": self.node, "measure": self.measure, "op": self.op, "value": self.value,
                "conclusion": self.conclusion, "message": self.message}


@dataclass(frozen=True, slots=True, repr=False)
class ExantePolicy(PolicyView):
    """The ex-ante assessment rules (``templates/policies/exante.yaml``) beyond the framework's conclusion bands.

    Attributes
    ----------
    passing : tuple of str
        Conclusions (band labels of the ex-ante framework) that pass: a budget may be arranged, the project is
        admitted to the project pool.
    vetoes : tuple of ExanteVeto
    missing_leaf : {'zero', 'error'}
    gate_flag, gate_flag_en : str
        The flag of a new project without a passing assessment (不得安排预算).

    Examples
    --------
    >>> from perfeval.policies import ExantePolicy
    >>> policy = ExantePolicy.load()
    >>> policy.passing, [(v.code, v.node, v.value) for v in policy.vetoes]
    (('予以支持', '调整完善后予以支持'), [('compliance_floor', 'compliance', 0.6)])
    """

    passing: tuple[str, ...]
    vetoes: tuple[ExanteVeto, ...] = ()
    missing_leaf: str = "zero"
    gate_flag: str = "不得安排预算"
    gate_flag_en: str = "no budget may be arranged"
    source: str = ""
    version: str = ""

    @classmethod
    def load(cls, policy: "str | Path | Mapping[str, Any] | ExantePolicy | None" = None, *,
             framework: "str | Path | Framework" = "exante") -> "ExantePolicy":
        """The shipped policy with ``policy`` (YAML path or mapping of the keys to change) merged onto it.

        Parameters
        ----------
        policy : path, mapping, ExantePolicy or None
            None gives the shipped policy; an ExantePolicy is checked against ``framework`` and returned.
        framework : str, Path or Framework
            The assessment framework whose grade bands are the conclusions (default the shipped ``exante``).

        Raises
        ------
        InputError
            Every problem, located ``file:line``: a passing conclusion or a veto conclusion that is not one of the
            framework's band labels, a veto with an unknown operator or measure or a negative value, unknown keys
            (a ``conclusions`` key is refused: the bands live in the framework).
        FrameworkError
            ``framework`` cannot be loaded.
        """
        from ..framework import load_framework

        labels = load_framework(framework).bands.labels
        if isinstance(policy, ExantePolicy):
            problems = policy.conclusion_problems(labels)
            if problems:
                raise InputError("invalid ex-ante policy:", problems=problems)
            return policy
        doc = read_policy("exante", policy)
        if "conclusions" in doc.data:
            doc.problem(("conclusions",), "unknown_key",
                        "`conclusions` is not a policy key: the conclusion bands are the `bands` of the ex-ante "
                        "framework (templates/frameworks/exante.yaml); edit those or pass another framework")
        doc.keys((), ("kind", "version", "source", "conclusions", "passing", "vetoes", "missing_leaf", "gate"))
        vetoes = []
        items = doc.get("vetoes", default=[])
        if not isinstance(items, list):
            doc.problem(("vetoes",), "not_a_list", f"`vetoes` must be a list; got {items!r}")
            items = []
        for i, _ in enumerate(items):
            key = ("vetoes", i)
            node = doc.keys(key, _VETO_KEYS, _VETO_REQUIRED)
            if not set(_VETO_REQUIRED) <= set(node):
                continue
            measure = doc.choice((*key, "measure"), ("share", "score")) if "measure" in node else "share"
            vetoes.append(ExanteVeto(
                code=doc.text((*key, "code")), node=doc.text((*key, "node")), op=doc.choice((*key, "op"), ("<", "<=")),
                value=doc.number((*key, "value"), low=0, code="negative_value"),
                conclusion=doc.choice((*key, "conclusion"), labels, "unknown_conclusion"),
                measure=measure, message=doc.text((*key, "message"))))
        doc.keys(("gate",), ("flag", "flag_en"))
        out = cls(passing=doc.labels(("passing",), labels, "unknown_conclusion"), vetoes=tuple(vetoes),
                  missing_leaf=doc.choice(("missing_leaf",), ("zero", "error")),
                  gate_flag=doc.text(("gate", "flag"), "不得安排预算"),
                  gate_flag_en=doc.text(("gate", "flag_en"), "no budget may be arranged"),
                  source=doc.text(("source",)), version=doc.text(("version",)))
        doc.raise_if_problems("ex-ante")
        return out

    def conclusion_problems(self, labels: Sequence[str]) -> list[Problem]:
        """Conclusions this policy names (``passing``, veto caps) that are not among ``labels``, located."""
        allowed = ", ".join(map(repr, labels))
        out = [Problem(f"<policy>:passing.{i}", "unknown_conclusion",
                       f"`passing` names {label!r}, which is not one of the framework's conclusions {allowed}")
               for i, label in enumerate(self.passing) if label not in labels]
        out += [Problem(f"<policy>:vetoes.{v.code}.conclusion", "unknown_conclusion",
                        f"veto {v.code!r} caps at {v.conclusion!r}, which is not one of the framework's "
                        f"conclusions {allowed}") for v in self.vetoes if v.conclusion not in labels]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"passing": list(self.passing), "vetoes": [v.to_dict() for v in self.vetoes],
                "missing_leaf": self.missing_leaf, "gate_flag": self.gate_flag, "version": self.version}
