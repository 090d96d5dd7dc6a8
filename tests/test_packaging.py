"""The wheel ships the templates, notebooks and sample data, and works when installed from the wheel."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    wheels = list(out.glob("perfeval-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_contains_templates_notebooks_and_sample_data(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for p in names if p.startswith("perfeval/_data/")]
    # every file of the three top-level folders is in the wheel
    for folder in ("templates", "notebooks", "sample_data"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(ROOT).as_posix()
                assert f"perfeval/_data/{rel}" in names, f"{rel} missing from the wheel"
    assert any(p.startswith("perfeval/_data/templates/frameworks/") for p in shipped)
    assert "perfeval/py.typed" in names
    assert not any("/tests/" in p for p in names)


@pytest.mark.slow
def test_installed_wheel_validates_every_shipped_framework(wheel: Path, tmp_path: Path):
    """Installed from the wheel (not editable) in a fresh venv, the package finds its data and validates.

    The fresh venv gets the wheel with ``--no-deps``; the dependencies come from the test environment's
    site-packages through a plain ``.pth`` line (which adds the folder without running the ``.pth`` files in it,
    so the editable install of the source tree stays invisible).
    """
    import site
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    fresh_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    Path(fresh_site, "_perfeval_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    code = ("import perfeval, sys; from pathlib import Path; "
            "print(Path(perfeval.__file__).parent); print(','.join(perfeval.list_frameworks()))")
    out = subprocess.run([str(python), "-c", code], cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout.splitlines()
    assert Path(out[0]).is_relative_to(Path(fresh_site)), "imported the source tree, not the installed wheel"
    frameworks = out[1].split(",")
    for name in ("project_self", "project_key", "policy", "department", "transfer", "exante", "us_part",
                 "dac_kfw"):
        assert name in frameworks
    fw_dir = Path(fresh_site) / "perfeval" / "_data" / "templates" / "frameworks"
    perfeval_cmd = venv / "bin" / "perfeval"
    result = subprocess.run([str(perfeval_cmd), "validate", *map(str, sorted(fw_dir.glob("*.yaml")))],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    sample = subprocess.run([str(python), "-c", "import perfeval as pe; print(len(pe.load_sample().units))"],
                            cwd=tmp_path, check=True, capture_output=True, text=True)
    assert int(sample.stdout) > 150
