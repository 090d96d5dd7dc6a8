"""The README's five-minute tour runs as written (a README that lies is a defect)."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_the_two_commands_first():
    text = README.read_text(encoding="utf-8")
    first_code = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    assert "make demo" in first_code and "make test" in first_code


def test_readme_tour_runs():
    tour = _blocks()[0]
    assert "pe.load_sample" in tour
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(tour, str(README) + ":tour", "exec"), namespace)  # noqa: S102
    assert set(namespace["result"].totals["grade"]) <= {"优", "良", "中", "差"}
    assert namespace["unc"].grade_probabilities.shape[0] == len(namespace["result"].totals)


@pytest.mark.parametrize("expected", [["良", "优", "中", "中", "差"]])
def test_readme_grade_example_is_true(expected):
    import perfeval as pe

    assert pe.grade([89.995, 90, 79.999, 60, 59.999]).tolist() == expected
