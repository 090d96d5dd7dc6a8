"""Located policy documents: YAML loading with ``file:line`` of every key, merging onto the shipped defaults, and
typed readers that collect every problem before one :class:`~perfeval.errors.InputError` is raised."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
import yaml

from .._html import frame_html, header
from .._yaml import MarkedDict, line_of, load_marked, read_yaml, syntax_problem
from ..errors import InputError, Problem
from ..framework import Band, GradeBands

__all__ = ["POLICY_KINDS", "COLOURS", "COLOURS_ZH", "Key", "PolicyDoc", "PolicyView", "policy_path", "read_policy",
           "to_bool", "load_file"]

#: The policy files shipped in ``templates/policies/``.
POLICY_KINDS: tuple[str, ...] = ("monitoring", "exante", "application")

#: Traffic-light colours, worst first (PMKPI ``goalwarn`` priority red > yellow > green > blue).
COLOURS: tuple[str, ...] = ("red", "yellow", "green", "blue")
COLOURS_ZH: Mapping[str, str] = {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝"}

_TRUE = {"true", "1", "yes", "y", "t", "是", "对", "√", "1.0"}
_FALSE = {"false", "0", "no", "n", "f", "否", "不", "×", "0.0", ""}


def to_bool(value: Any) -> bool | None:
    """Read a yes/no cell (``True``, ``1``, ``yes``, ``是`` / ``False``, ``0``, ``no``, ``否``); None when unreadable.

    Missing values (None, NaN, empty text) read as False.

    Examples
    --------
    >>> from perfeval.policies import to_bool
    >>> to_bool("是"), to_bool("no"), to_bool(None), to_bool("maybe")
    (True, False, False, None)
    """
    if isinstance(value, bool):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def policy_path(kind: str) -> Path:
    """Path of the shipped policy file ``templates/policies/<kind>.yaml``.

    Examples
    --------
    >>> from perfeval.policies import policy_path
    >>> policy_path("monitoring").name
    'monitoring.yaml'
    """
    from .._resources import templates_dir

    if kind not in POLICY_KINDS:
        raise ValueError(f"`kind` must be one of {', '.join(map(repr, POLICY_KINDS))}; got {kind!r}.")
    return templates_dir() / "policies" / f"{kind}.yaml"


class PolicyView:
    """``to_frame()``, a short ``__repr__`` and ``_repr_html_`` for the policy dataclasses (which define
    ``to_dict``, ``source`` and ``version``)."""

    __slots__ = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per setting: ``key`` (dotted path of :meth:`to_dict`), ``value`` (bands as ``label [min, max)``).

        Examples
        --------
        >>> from perfeval.policies import MonitoringPolicy
        >>> frame = MonitoringPolicy.load().to_frame()
        >>> frame.loc[frame["key"] == "budget_bands", "value"].item()
        'green [80, inf]; yellow [60, 80); red [-inf, 60)'
        """
        return pd.DataFrame(list(_flatten(self.to_dict())), columns=["key", "value"])  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(version={self.version!r}, "  # type: ignore[attr-defined]
                f"settings={len(self.to_frame())})")

    def _repr_html_(self) -> str:
        note = f"version {self.version}; source: {self.source}"  # type: ignore[attr-defined]
        return header(type(self).__name__, note) + frame_html(self.to_frame(), max_rows=200, source=".to_dict()")


def _flatten(value: Any, key: str = "") -> Any:
    """``(dotted key, value)`` pairs of nested mappings and lists of mappings; a list of bands as one text."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _flatten(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) and {"label", "min", "max"} <= set(v)
                                                   for v in value):
        top = max(float(v["max"]) for v in value)
        yield key, "; ".join(f"{v['label']} [{v['min']:g}, {v['max']:g}{']' if float(v['max']) == top else ')'}"
                             for v in value)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{key}[{i}]")
    else:
        yield key, value


# ---------------------------------------------------------------------------------------------------------------
# located policy documents
# ---------------------------------------------------------------------------------------------------------------
Key = tuple[Any, ...]


class PolicyDoc:
    """A policy's data (plain mappings and lists) with the location of every key.

    ``where(*keys)`` gives ``file:line`` of a key (or of the closest located ancestor), and
    ``<label>:dotted.key`` for keys that came from a mapping given in code. Parsers call :meth:`problem` and
    raise all collected problems at the end (:meth:`raise_if_problems`).
    """

    __slots__ = ("data", "label", "_locs", "problems")

    def __init__(self, data: Mapping[str, Any], locs: Mapping[Key, str], label: str) -> None:
        self.data = data
        self.label = label
        self._locs = dict(locs)
        self.problems: list[Problem] = []

    def where(self, *keys: Any) -> str:
        """``file:line`` of ``keys`` (or of its closest located ancestor); ``<policy>:dotted.key`` in code."""
        for n in range(len(keys), -1, -1):
            loc = self._locs.get(tuple(keys[:n]))
            if loc is not None:
                return _dotted("<policy>", keys) if loc.startswith("<") else loc
        return _dotted(f"<{self.label}>", keys)

    def problem(self, keys: Sequence[Any], code: str, message: str) -> None:
        self.problems.append(Problem(self.where(*keys), code, message))

    def raise_if_problems(self, what: str) -> None:
        if self.problems:
            raise InputError(f"invalid {what} policy:", problems=self.problems)

    def get(self, *keys: Any, default: Any = None) -> Any:
        node: Any = self.data
        for k in keys:
            if isinstance(node, Mapping) and k in node:
                node = node[k]
            elif isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node):
                node = node[k]
            else:
                return default
        return node

    # -- typed readers: each reports a located problem and returns a fallback on bad input ---------------------
    def keys(self, keys: Sequence[Any], allowed: Sequence[str], required: Sequence[str] = (), *,
             unknown: str = "unknown_key", missing: str = "missing_key") -> Mapping:
        """The mapping at ``keys``, after reporting unknown and missing keys (with the given problem codes)."""
        node = self.get(*keys)
        if not isinstance(node, Mapping):
            self.problem(keys, "not_a_mapping", f"`{_name(keys)}` must be a mapping; got {node!r}")
            return {}
        for k in node:
            if k not in allowed:
                self.problem((*keys, k), unknown,
                             f"unknown key {k!r} in `{_name(keys)}`; allowed: {', '.join(allowed)}")
        for k in required:
            if k not in node:
                self.problem(keys, missing, f"`{_name((*keys, k))}` is required")
        return node

    def number(self, keys: Sequence[Any], *, low: float | None = None, high: float | None = None,
               integer: bool = False, code: str = "bad_number", fallback: float = 0.0) -> float:
        value = self.get(*keys)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and integer and float(value) != int(value):
            ok = False
        if not ok:
            kind = "an integer" if integer else "a number"
            self.problem(keys, "bad_number", f"`{_name(keys)}` must be {kind}; got {value!r}")
            return fallback
        value = float(value)
        if (low is not None and value < low) or (high is not None and value > high):
            rule = (f">= {low:g}" if high is None else f"<= {high:g}" if low is None
                    else f"in [{low:g}, {high:g}]")
            self.problem(keys, code, f"`{_name(keys)}` must be {rule}; got {value:g}")
            return fallback
        return value

    def boolean(self, keys: Sequence[Any], fallback: bool = False) -> bool:
        value = self.get(*keys)
        if not isinstance(value, bool):
            self.problem(keys, "bad_bool", f"`{_name(keys)}` must be true or false; got {value!r}")
            return fallback
        return value

    def choice(self, keys: Sequence[Any], options: Sequence[str], code: str = "bad_choice") -> str:
        value = self.get(*keys)
        if value not in options:
            self.problem(keys, code, f"`{_name(keys)}` must be one of {', '.join(map(repr, options))}; "
                                     f"got {value!r}")
            return options[0]
        return str(value)

    def text(self, keys: Sequence[Any], default: str = "") -> str:
        value = self.get(*keys, default=default)
        if value is None:
            return default
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(keys, "bad_text", f"`{_name(keys)}` must be text; got {value!r}")
            return default
        return str(value)

    def labels(self, keys: Sequence[Any], allowed: Sequence[str], code: str) -> tuple[str, ...]:
        value = self.get(*keys)
        if not isinstance(value, list):
            self.problem(keys, "not_a_list", f"`{_name(keys)}` must be a list; got {value!r}")
            return ()
        out = []
        for i, item in enumerate(value):
            if item not in allowed:
                self.problem((*keys, i), code, f"`{_name(keys)}` names {item!r}, which is not one of "
                                               f"{', '.join(map(repr, allowed))}")
            else:
                out.append(str(item))
        return tuple(out)

    def bands(self, keys: Sequence[Any], *, allowed: Sequence[str] | None, label_code: str,
              scale: tuple[float, float]) -> GradeBands:
        """Half-open bands ``[{label, min, max, label_en}]`` that must tile ``scale`` without gap or overlap."""
        items = self.get(*keys)
        if not isinstance(items, list) or not items:
            self.problem(keys, "bands_empty", f"`{_name(keys)}` must be a non-empty list of "
                                              "{label, min, max} bands")
            return GradeBands(())
        parsed: list[tuple[Band, int]] = []
        for i, item in enumerate(items):
            path = (*keys, i)
            node = self.keys(path, ("label", "label_en", "min", "max"), ("label", "min", "max"))
            if not {"label", "min", "max"} <= set(node):
                continue
            label = str(node["label"])
            if allowed is not None and label not in allowed:
                self.problem((*path, "label"), label_code,
                             f"unknown label {label!r}; allowed: {', '.join(map(repr, allowed))}")
            low = self.number((*path, "min"), fallback=float("nan"))
            high = self.number((*path, "max"), fallback=float("nan"))
            if low == low and high == high and not high > low:
                self.problem(path, "band_empty", f"band {label!r} must have max > min; got [{low:g}, {high:g})")
                continue
            parsed.append((Band(label, low, high, str(node.get("label_en", ""))), i))
        parsed.sort(key=lambda bi: bi[0].low)
        seen: set[str] = set()
        for j, (band, i) in enumerate(parsed):
            if band.label in seen:
                self.problem((*keys, i, "label"), "band_duplicate", f"label {band.label!r} is used twice")
            seen.add(band.label)
            if j:
                prev = parsed[j - 1][0]
                if band.low > prev.high:
                    self.problem((*keys, i), "band_gap",
                                 f"gap between {prev.label!r} (max {prev.high:g}) and {band.label!r} "
                                 f"(min {band.low:g}): values in [{prev.high:g}, {band.low:g}) get no label")
                elif band.low < prev.high:
                    self.problem((*keys, i), "band_overlap",
                                 f"{prev.label!r} [{prev.low:g}, {prev.high:g}) overlaps {band.label!r} "
                                 f"[{band.low:g}, {band.high:g})")
        if parsed:
            low, high = parsed[0][0].low, max(b.high for b, _ in parsed)
            if low > scale[0] or high < scale[1]:
                self.problem(keys, "band_coverage",
                             f"bands cover [{low:g}, {high:g}] but must cover [{scale[0]:g}, {scale[1]:g}]")
        return GradeBands(tuple(b for b, _ in parsed))


def _name(keys: Sequence[Any]) -> str:
    return ".".join(str(k) for k in keys) or "<policy>"


def _dotted(prefix: str, keys: Sequence[Any]) -> str:
    return f"{prefix}:{_name(keys)}" if keys else prefix


def _locations(node: Any, file: str, prefix: Key = (), parent_loc: str | None = None) -> dict[Key, str]:
    """``{key path: 'file:line'}`` for every key and list item of YAML data loaded by :func:`load_marked`."""
    out: dict[Key, str] = {}
    if isinstance(node, MarkedDict):
        if not prefix and node.line is not None:
            out[prefix] = f"{file}:{node.line}"
        for key, value in node.items():
            loc = f"{file}:{line_of(node, key)}"
            out[(*prefix, key)] = loc
            out.update(_locations(value, file, (*prefix, key), loc))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            loc = f"{file}:{item.line}" if isinstance(item, MarkedDict) and item.line else (parent_loc or file)
            out[(*prefix, i)] = loc
            out.update(_locations(item, file, (*prefix, i), loc))
    return out


def _code_locations(node: Any, label: str, prefix: Key = ()) -> dict[Key, str]:
    out: dict[Key, str] = {}
    if isinstance(node, Mapping):
        for key, value in node.items():
            out[(*prefix, key)] = _dotted(f"<{label}>", (*prefix, key))
            out.update(_code_locations(value, label, (*prefix, key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out[(*prefix, i)] = _dotted(f"<{label}>", (*prefix, i))
            out.update(_code_locations(item, label, (*prefix, i)))
    return out


def _merge(base: Any, base_locs: dict[Key, str], over: Any, over_locs: Mapping[Key, str],
           prefix: Key = ()) -> Any:
    """Deep-merge ``over`` onto ``base`` (mappings key by key; anything else replaces), updating locations."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for key, value in over.items():
            path = (*prefix, key)
            if key in base and isinstance(base[key], Mapping) and isinstance(value, Mapping):
                out[key] = _merge(base[key], base_locs, value, over_locs, path)
            else:
                for k in [k for k in base_locs if k[:len(path)] == path]:
                    del base_locs[k]
                out[key] = copy.deepcopy(value)
                base_locs.update({k: v for k, v in over_locs.items() if k[:len(path)] == path})
            if path in over_locs:
                base_locs[path] = over_locs[path]
        return out
    return copy.deepcopy(over)


def load_file(path: Path) -> tuple[Any, dict[Key, str]]:
    file = str(path)
    if not path.exists() and not path.is_symlink():  # a FIFO or folder: read_yaml says what it is
        raise InputError.single(file, "file_not_found", "policy file does not exist")
    data, duplicates = read_yaml(path, "policy")  # limits, encodings, located
    if duplicates:
        raise InputError(problems=[Problem(f"{file}:{line}", "duplicate_key",
                                           f"key {key!r} appears twice in the same mapping")
                                   for key, line in duplicates])
    if not isinstance(data, Mapping):
        raise InputError.single(file, "not_a_mapping", "a policy file must hold a YAML mapping")
    return data, _locations(data, file)


def read_policy(kind: str, policy: str | Path | Mapping[str, Any] | None = None) -> PolicyDoc:
    """The shipped ``kind`` policy with ``policy`` (a YAML path or a mapping) merged onto it.

    Parameters
    ----------
    kind : {'monitoring', 'exante', 'application'}
    policy : str, Path, mapping or None
        None gives the shipped default. A file or mapping needs only the keys it changes. Its ``kind`` key, when
        present, must equal ``kind``.

    Returns
    -------
    PolicyDoc
        The merged data with locations; the typed parsers (``MonitoringPolicy.load`` ...) check the content.

    Raises
    ------
    InputError
        Missing file, YAML syntax error (located ``file:line``), duplicate keys, a non-mapping document, or a
        ``kind`` key that names another policy.

    Examples
    --------
    >>> from perfeval.policies import read_policy
    >>> doc = read_policy("monitoring", {"forecast": {"method": "last"}})
    >>> doc.get("forecast", "method"), doc.where("forecast", "method")      # changed in code, located there
    ('last', '<policy>:forecast.method')
    >>> read_policy("monitoring").get("forecast", "method")
    'pace'
    """
    base_path = policy_path(kind)
    data, locs = load_file(base_path)
    label = str(base_path)
    if policy is not None:
        if isinstance(policy, Mapping):
            over, over_locs, label = dict(policy), _code_locations(policy, "policy"), "policy"
        else:
            path = Path(policy)
            over, over_locs = load_file(path)
            label = str(path)
        if "kind" in over and over["kind"] != kind:
            raise InputError.single(over_locs.get(("kind",), label), "wrong_kind",
                                    f"`kind` must be {kind!r} for this policy; got {over['kind']!r}")
        data = _merge(data, locs, over, over_locs)
    return PolicyDoc(data, locs, label)


