"""Tests of perfeval._yaml: YAML loading that keeps the lines of mappings and keys."""
from __future__ import annotations

import pytest
import yaml

from perfeval._yaml import MarkedDict, line_of, load_marked


def test_lines_and_duplicates_are_recorded():
    data, duplicates = load_marked("a: 1\nb:\n  c: 2\na: 3\n")
    assert data == {"a": 3, "b": {"c": 2}} and isinstance(data["b"], MarkedDict)
    assert duplicates == (("a", 4),)
    assert (line_of(data), line_of(data, "b"), line_of(data["b"], "c"), line_of({"a": 1})) == (1, 2, 3, None)


@pytest.mark.parametrize("text", ["a: 1\n? [x, y]\n: 2\n", "? {k: v}\n: 1\n"])
def test_unhashable_key_is_a_located_yaml_error(text):
    """A sequence or mapping used as a key cannot be a dict key: a ConstructorError pointing at the key, not a
    TypeError."""
    with pytest.raises(yaml.constructor.ConstructorError, match=r"^found an unhashable key \(a sequence or "
                                                                r"mapping cannot be a key") as err:
        load_marked(text)
    assert err.value.problem_mark.line + 1 == text.count("\n", 0, text.index("?")) + 1

