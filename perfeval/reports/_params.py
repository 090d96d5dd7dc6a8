"""The parameters a report notebook declares, and checking what a caller passes against them.

Papermill injects parameters as Python code and checks nothing (``shared/docs/reporting-notes.md`` §1, §6): an
unknown name only logs a line, a name that is not an identifier runs as code, and a value that is not JSON is
written with ``str()``. Here every parameter is checked *before* execution against the notebook's declaration:

- names: identifiers declared in the notebook's ``parameters`` cell (read with :func:`papermill.inspect_notebook`);
- types: the annotation (``month: int = 8``), or a type word opening the comment (``month = 8  # int: 月份``), or
  else the type of the default; ``None`` as a default makes a text parameter that may be empty; JSON types only (str, int, float, bool, None, list, dict with str keys);
- allowed values: ``metadata.perfeval.parameters.<name>`` in the notebook (``choices``, ``min``, ``max``), and
  ``lang`` in ``zh`` / ``en`` everywhere.
"""
from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError, Problem

__all__ = ["Parameter", "notebook_parameters", "check_parameters", "parse_cli_value", "JSON_TYPES"]

#: JSON type names a parameter may have.
JSON_TYPES = ("str", "int", "float", "bool", "list", "dict")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ANNOTATIONS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "list": "list", "dict": "dict",
                "Optional[str]": "str", "str | None": "str", "None": "str"}
_BUILTIN_CHOICES = {"lang": ("zh", "en")}
_HELP_TYPE = re.compile(r"^(str|int|float|bool|list|dict)\s*[:：]\s*")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a report notebook.

    Attributes
    ----------
    name : str
    type : str
        One of :data:`JSON_TYPES`.
    default : object
        The default value (the notebook's own).
    help : str
        The help text (the comment after the assignment).
    nullable : bool
        Whether ``None`` is accepted (the default is ``None``).
    choices : tuple or None
        Allowed values, when the notebook declares them.
    minimum, maximum : float or None
        Bounds of a number.
    """

    name: str
    type: str
    default: Any
    help: str = ""
    nullable: bool = False
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        """One line: ``name (type, default ...): help``."""
        extra = f"; one of {', '.join(map(str, self.choices))}" if self.choices else ""
        if self.minimum is not None or self.maximum is not None:
            extra += f"; {self.minimum if self.minimum is not None else ''}..{self.maximum if self.maximum is not None else ''}"
        return f"{self.name} ({self.type}, default {json.dumps(self.default, ensure_ascii=False)}{extra}): {self.help}"


def _literal(source: str, name: str, notebook: str) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        raise InputError.single(f"{notebook}:parameters:{name}", "bad_default",
                                f"the default of `{name}` must be a literal (text, number, true/false, None, "
                                f"list or dict); got {source!r}") from None


def notebook_parameters(path: str | Path) -> dict[str, Parameter]:
    """The parameters a report notebook declares, in the order of its ``parameters`` cell.

    Raises
    ------
    InputError
        ``no_parameters_cell`` when no cell is tagged ``parameters``; ``bad_default`` when a default is not a
        literal.
    """
    import nbformat
    import papermill

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if not any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in nb.cells):
        raise InputError.single(path.name, "no_parameters_cell", "the notebook has no cell tagged `parameters`")
    declared = (nb.metadata.get("perfeval") or {}).get("parameters") or {}
    out: dict[str, Parameter] = {}
    for name, spec in papermill.inspect_notebook(str(path)).items():
        default = _literal(str(spec.get("default")), name, path.name)
        annotation = str(spec.get("inferred_type_name") or "None").strip()
        help_text = str(spec.get("help") or "").strip()
        typed = _HELP_TYPE.match(help_text)  # `x = 1  # int: help` declares the type in the comment
        if typed:
            help_text = help_text[typed.end():].strip()
        if annotation in _ANNOTATIONS and annotation != "None":
            kind = _ANNOTATIONS[annotation]
        elif typed:
            kind = typed.group(1)
        elif default is None:
            kind = "str"
        else:
            kind = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(
                type(default), "str")
        extra = declared.get(name) or {}
        choices = extra.get("choices") or _BUILTIN_CHOICES.get(name)
        out[name] = Parameter(name=name, type=kind, default=default, help=help_text,
                              nullable=default is None or bool(extra.get("nullable", False)),
                              choices=tuple(choices) if choices else None,
                              minimum=extra.get("min"), maximum=extra.get("max"))
    return out


def _is_json(value: Any, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v, depth + 1) for k, v in value.items())
    return False


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"list": list, "dict": dict}[kind])


def check_parameters(category: str, declared: Mapping[str, Parameter], given: Mapping[str, Any]) -> dict[str, Any]:
    """The complete, checked parameters of one report: the notebook's defaults updated with ``given``.

    Raises
    ------
    InputError
        Every problem at once, each located at ``<category>:<parameter>``: ``bad_parameter_name`` (not an
        identifier), ``unknown_parameter`` (lists the declared ones), ``not_json`` (a value that is not text, a
        number, true/false, null, a list or a mapping with text keys), ``wrong_type``, ``not_allowed`` (not one
        of the choices, or out of bounds).
    """
    if not isinstance(given, Mapping):
        raise TypeError(f"`params` must be a mapping of parameter names to values; got {type(given).__name__}.")
    problems: list[Problem] = []
    values = {name: p.default for name, p in declared.items()}
    names = ", ".join(declared) or "none"
    for name, value in given.items():
        where = f"{category}:{name}"
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            problems.append(Problem(f"{category}:{name!r}", "bad_parameter_name",
                                    f"a parameter name must be an identifier (letters, digits, _); got {name!r}"))
            continue
        if name not in declared:
            problems.append(Problem(where, "unknown_parameter",
                                    f"`{name}` is not a parameter of {category}; its parameters are: {names}"))
            continue
        p = declared[name]
        if not _is_json(value):
            problems.append(Problem(where, "not_json", f"`{name}` must be a JSON value (text, number, true/false, "
                                                       f"null, list, mapping); got {type(value).__name__}"))
            continue
        if value is None:
            if not p.nullable:
                problems.append(Problem(where, "wrong_type", f"`{name}` must be {p.type}; got null"))
                continue
        elif not _type_ok(p.type, value):
            problems.append(Problem(where, "wrong_type", f"`{name}` must be {p.type}; got {type(value).__name__} "
                                                         f"{json.dumps(value, ensure_ascii=False)[:80]}"))
            continue
        if value is not None and p.choices is not None and value not in p.choices:
            problems.append(Problem(where, "not_allowed", f"`{name}` must be one of "
                                                          f"{', '.join(map(str, p.choices))}; got {value!r}"))
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if (p.minimum is not None and value < p.minimum) or (p.maximum is not None and value > p.maximum):
                problems.append(Problem(where, "not_allowed", f"`{name}` must be within "
                                                              f"{p.minimum}..{p.maximum}; got {value!r}"))
                continue
        if p.type == "float" and isinstance(value, int):
            value = float(value)
        values[name] = value
    if problems:
        raise InputError(f"invalid parameters for report {category!r}", problems)
    return values


def parse_cli_value(category: str, parameter: Parameter, text: str) -> Any:
    """A value given on the command line (``-p NAME VALUE``) as the parameter's type.

    Text stays text (``-p unit_id 0010001`` keeps its leading zeros, unlike papermill's ``-p``); numbers,
    true/false (also 是/否) and JSON lists or mappings are converted; ``null`` gives None for a parameter that
    may be empty.
    """
    where = f"{category}:{parameter.name}"
    if parameter.nullable and text.strip().lower() in ("null", "none"):
        return None
    try:
        if parameter.type == "str":
            return text
        if parameter.type == "int":
            return int(text.strip())
        if parameter.type == "float":
            value = float(text.strip())
            if not math.isfinite(value):
                raise ValueError
            return value
        if parameter.type == "bool":
            word = text.strip().lower()
            if word in ("true", "yes", "1", "是"):
                return True
            if word in ("false", "no", "0", "否"):
                return False
            raise ValueError
        value = json.loads(text)
        if not _type_ok(parameter.type, value):
            raise ValueError
        return value
    except ValueError:
        raise InputError.single(where, "wrong_type",
                                f"`{parameter.name}` must be {parameter.type}; got {text!r}") from None
