"""YAML loading that remembers where things are: line numbers of mappings and of their keys.

Framework files are validated after loading, and every problem is reported as ``file:line``. PyYAML's composer
knows the position of each node (``start_mark``); :func:`load_marked` keeps it by building every mapping as a
:class:`MarkedDict` (a plain ``dict`` with two extra attributes) and records duplicated keys, which
``yaml.safe_load`` silently collapses to the last value.
"""
from __future__ import annotations

from typing import Any, Iterator

import yaml

__all__ = ["MarkedDict", "load_marked", "line_of"]


class MarkedDict(dict):
    """A ``dict`` built from a YAML mapping, with ``line`` (1-based line of the mapping) and ``key_lines``.

    It compares and behaves as a plain ``dict``; the positions are read with :func:`line_of`.
    """

    __slots__ = ("line", "key_lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[Any, int] = {}


def line_of(mapping: Any, key: Any = None) -> int | None:
    """1-based line of ``mapping`` (or of its ``key``) when it was loaded by :func:`load_marked`; else None."""
    if not isinstance(mapping, MarkedDict):
        return None
    if key is None:
        return mapping.line
    return mapping.key_lines.get(key, mapping.line)


class _MarkedLoader(yaml.SafeLoader):
    """SafeLoader building :class:`MarkedDict` mappings and collecting duplicated keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []


def _construct_marked_map(loader: _MarkedLoader, node: yaml.MappingNode) -> Iterator[MarkedDict]:
    """Construct a mapping as a MarkedDict (two-step, like SafeConstructor.construct_yaml_map)."""
    data = MarkedDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            # the problem first: callers report the first line of the message at the key's line
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key (a sequence or mapping cannot be a key; write a plain "
                "scalar key)", key_node.start_mark) from None
        line = key_node.start_mark.line + 1
        if key in data:
            loader.duplicates.append((str(key), line))
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = line


_MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_marked_map)


def load_marked(text: str) -> tuple[Any, tuple[tuple[str, int], ...]]:
    """Parse YAML ``text`` into plain Python data whose mappings are :class:`MarkedDict`.

    Returns
    -------
    data : object
        What ``yaml.safe_load`` would return, with every mapping a :class:`MarkedDict`.
    duplicates : tuple of (key, line)
        Keys that appear twice in the same mapping (the later value is kept, as YAML loaders do).

    Raises
    ------
    yaml.YAMLError
        On a syntax error (its ``problem_mark`` locates it), including a sequence or mapping used as a key
        (``found an unhashable key``, located at the key).
    """
    loader = _MarkedLoader(text)
    try:
        return loader.get_single_data(), tuple(loader.duplicates)
    finally:
        loader.dispose()


def syntax_problem(exc: yaml.YAMLError, file: str) -> "Problem":
    """The located ``yaml_syntax`` problem of a YAML error: ``file:line`` (from its mark) and its first line."""
    from .errors import Problem

    mark = getattr(exc, "problem_mark", None)
    where = f"{file}:{mark.line + 1}" if mark is not None else file
    return Problem(where, "yaml_syntax", str(exc).splitlines()[0])
