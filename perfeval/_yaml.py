"""YAML loading that remembers where things are: line numbers of mappings and of their keys.

Framework files are validated after loading, and every problem is reported as ``file:line``. PyYAML's composer
knows the position of each node (``start_mark``); :func:`load_marked` keeps it by building every mapping as a
:class:`MarkedDict` (a plain ``dict`` with two extra attributes) and records duplicated keys, which
``yaml.safe_load`` silently collapses to the last value.
"""
from __future__ import annotations

from typing import Any, Iterator

import yaml

__all__ = ["MarkedDict", "load_marked", "line_of", "read_yaml", "MAX_DEPTH", "MAX_NODES", "MAX_BYTES"]

#: Limits of every YAML file perfeval reads (frameworks, policies, dataset.yaml): nesting depth, nodes after
#: expanding aliases (an "anchor bomb" of 9 aliases of 9 aliases ... expands to billions), and file size.
MAX_DEPTH = 100
MAX_NODES = 100_000
MAX_BYTES = 20_000_000


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
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose as PyYAML does, refusing nesting deeper than :data:`MAX_DEPTH` (located at the node)."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels; perfeval reads at most {MAX_DEPTH}",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        """Compose the document, check its size with aliases expanded (:func:`_check_expansion`), construct it."""
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases form a cycle, or that expands to more than :data:`MAX_NODES` nodes.

    Sizes are counted once per node (memoised, iteratively: no recursion), so the check is linear in the
    composed document even when its expansion is exponential.
    """
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else
                    list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if done:
            active.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"the aliases (*name) expand to more than {MAX_NODES:,} values; perfeval reads at "
                    f"most {MAX_NODES:,} (write the values out, or use fewer aliases)", node.start_mark)
            continue
        if key in size:
            continue
        if key in active:
            raise yaml.composer.ComposerError(None, None, "an alias (*name) refers to a value that contains it "
                                                          "(a cycle)", node.start_mark)
        active.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in active:
                raise yaml.composer.ComposerError(None, None, "an alias (*name) refers to a value that contains "
                                                              "it (a cycle)", child.start_mark)
            if id(child) not in size:
                stack.append((child, False))


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


def decode_yaml(data: bytes, file: str, kind: str) -> str:
    """YAML bytes as text: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030 (what Chinese Windows editors
    write); anything else (binary, NUL bytes) is a located ``wrong_encoding`` error."""
    import codecs

    from .errors import InputError

    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise InputError.single(file, "wrong_encoding", f"the {kind} file is not text (it holds NUL bytes); save it "
                                                        "as UTF-8 text")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError.single(file, "wrong_encoding", f"the {kind} file is neither UTF-8 nor GB18030 text; save it as "
                                                    "UTF-8")


def read_yaml(path: Any, kind: str, *, error: type | None = None) -> tuple[Any, tuple[tuple[str, int], ...]]:
    """Read a YAML file the way every YAML of perfeval is read: :func:`load_marked` of its decoded text.

    The file must be a regular file (:func:`perfeval._io_util.read_input_bytes`: no FIFO, directory, unreadable
    file) of at most :data:`MAX_BYTES` bytes; the text is decoded by :func:`decode_yaml`; nesting deeper than
    :data:`MAX_DEPTH`, alias cycles and aliases expanding past :data:`MAX_NODES` values are refused.

    Returns
    -------
    (data, duplicates)
        As :func:`load_marked`.

    Raises
    ------
    InputError (or ``error``, a subclass such as FrameworkError)
        Every failure as one located problem: ``file_not_found``, ``not_a_file``, ``unreadable_file``,
        ``file_too_large``, ``wrong_encoding``, ``yaml_syntax`` (``file:line``, also for the limits).
    """
    from ._io_util import read_input_bytes
    from .errors import InputError

    error = error or InputError
    file = str(path)
    try:
        text = decode_yaml(read_input_bytes(path, kind, limit=MAX_BYTES), file, kind)
        try:
            return load_marked(text)
        except yaml.YAMLError as exc:
            raise InputError(problems=[syntax_problem(exc, file)]) from None
        except RecursionError:  # pragma: no cover - nesting is limited above
            raise InputError.single(file, "yaml_syntax", f"nesting too deep; perfeval reads at most {MAX_DEPTH} "
                                                         "levels") from None
    except InputError as err:
        if error is InputError or isinstance(err, error):
            raise
        raise error(problems=err.problems) from None
