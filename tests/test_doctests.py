"""The Examples sections of every module of the package run and print what they say (doctest)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import matplotlib
import pytest

import perfeval

matplotlib.use("Agg")

# ``perfeval.__main__`` is left out: importing it runs the command line (``sys.exit(main())``)
MODULES = sorted(["perfeval"] + [info.name for info in pkgutil.walk_packages(perfeval.__path__, "perfeval.")
                                 if not info.name.endswith(".__main__")])


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = importlib.import_module(name)
        try:
            result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                     report=True, verbose=False)
        finally:
            plt.close("all")
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples of {name} failed (see output)"
