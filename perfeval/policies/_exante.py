"""The ex-ante assessment policy (``templates/policies/exante.yaml``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..framework import GradeBands
from ._doc import read_policy

__all__ = ["ExantePolicy", "ExanteVeto"]

# ---------------------------------------------------------------------------------------------------------------
# ex-ante assessment policy
# ---------------------------------------------------------------------------------------------------------------
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


@dataclass(frozen=True, slots=True)
class ExantePolicy:
    """The ex-ante assessment rules (``templates/policies/exante.yaml``).

    Attributes
    ----------
    bands : GradeBands
        Conclusion bands on the total (default 予以支持 [90, 100], 调整完善后予以支持 [70, 90), 不予支持 [0, 70);
        PMKPI #54653474066 as half-open bands).
    passing : tuple of str
        Conclusions that pass (a budget may be arranged, admitted to the project pool).
    vetoes : tuple of ExanteVeto
    missing_leaf : {'zero', 'error'}
    gate_flag, gate_flag_en : str
        The flag of a new project without a passing assessment (不得安排预算).
    """

    bands: GradeBands
    passing: tuple[str, ...]
    vetoes: tuple[ExanteVeto, ...] = ()
    missing_leaf: str = "zero"
    gate_flag: str = "不得安排预算"
    gate_flag_en: str = "no budget may be arranged"
    source: str = ""
    version: str = ""

    @classmethod
    def load(cls, policy: "str | Path | Mapping[str, Any] | ExantePolicy | None" = None) -> "ExantePolicy":
        """The shipped policy with ``policy`` (YAML path or mapping of the keys to change) merged onto it.

        Raises
        ------
        InputError
            Every problem, located ``file:line``: conclusion bands with a gap or an overlap or short of [0, 100],
            vetoes naming an unknown conclusion, operator or measure, unknown keys.
        """
        if isinstance(policy, ExantePolicy):
            return policy
        doc = read_policy("exante", policy)
        doc.keys((), ("kind", "version", "source", "conclusions", "passing", "vetoes", "missing_leaf", "gate"))
        bands = doc.bands(("conclusions",), allowed=None, label_code="unknown_conclusion", scale=(0.0, 100.0))
        labels = tuple(b.label for b in bands.bands)
        vetoes = []
        items = doc.get("vetoes", default=[])
        if not isinstance(items, list):
            doc.problem(("vetoes",), "not_a_list", f"`vetoes` must be a list; got {items!r}")
            items = []
        for i, _ in enumerate(items):
            key = ("vetoes", i)
            node = doc.keys(key, ("code", "node", "measure", "op", "value", "conclusion", "message"),
                            ("code", "node", "op", "value", "conclusion"))
            if not {"code", "node", "op", "value", "conclusion"} <= set(node):
                continue
            measure = doc.choice((*key, "measure"), ("share", "score")) if "measure" in node else "share"
            vetoes.append(ExanteVeto(
                code=doc.text((*key, "code")), node=doc.text((*key, "node")), op=doc.choice((*key, "op"), ("<", "<=")),
                value=doc.number((*key, "value"), low=0, code="negative_value"),
                conclusion=doc.choice((*key, "conclusion"), labels or ("",), "unknown_conclusion"),
                measure=measure, message=doc.text((*key, "message"))))
        doc.keys(("gate",), ("flag", "flag_en"))
        out = cls(bands=bands, passing=doc.labels(("passing",), labels, "unknown_conclusion"),
                  vetoes=tuple(vetoes), missing_leaf=doc.choice(("missing_leaf",), ("zero", "error")),
                  gate_flag=doc.text(("gate", "flag"), "不得安排预算"),
                  gate_flag_en=doc.text(("gate", "flag_en"), "no budget may be arranged"),
                  source=doc.text(("source",)), version=doc.text(("version",)))
        doc.raise_if_problems("ex-ante")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"conclusions": self.bands.to_list(), "passing": list(self.passing),
                "vetoes": [v.to_dict() for v in self.vetoes], "missing_leaf": self.missing_leaf,
                "gate_flag": self.gate_flag, "version": self.version}


