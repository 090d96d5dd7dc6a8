"""pe.load_dataset: any dataset folder, with or without dataset.yaml; every problem of every file at once."""
import shutil

import pandas as pd
import pytest

import perfeval as pe
from perfeval.datasets import dataset_files, load_dataset, resolve_dataset


def test_shipped_sample_by_name_equals_load_sample():
    a, b = load_dataset("province"), pe.load_sample()
    for name in ("units", "observations", "panel", "monitoring"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.meta == b.meta and len(a.forms) == len(b.forms)


def test_folder_without_yaml_found_by_names(tmp_path):
    sample = resolve_dataset("province")
    for name in ("units.csv", "indicators.csv", "budget.csv"):
        shutil.copy(sample / name, tmp_path / name)
    data = load_dataset(tmp_path)
    assert data.meta["name"] == tmp_path.name and data.meta["synthetic"] is False
    assert data.meta["frameworks"]["self"] == "project_self" and data.meta["year"] == 2023
    assert len(data.observations) and len(data.panel) == 0 and list(data.panel.columns)[:3] == [
        "unit_id", "node_code", "rater_id"]
    analysis = pe.pipeline.analyse(tmp_path, draws=50)
    assert analysis.self_evaluation is not None and analysis.key_evaluation is None
    assert [p.name for p in dataset_files(tmp_path)] == ["units.csv", "indicators.csv", "budget.csv"]


def test_every_problem_of_every_file_at_once(tmp_path):
    (tmp_path / "units.csv").write_text("name,kind\n甲,project\n", encoding="utf-8")
    (tmp_path / "panel.csv").write_text("unit_id,node_code,rater_id,score\n1,A,E1,abc\n", encoding="utf-8")
    with pytest.raises(pe.InputError) as err:
        load_dataset(tmp_path)
    locations = " ".join(p.location for p in err.value.problems)
    assert "units.csv" in locations and "panel.csv" in locations


def test_not_a_dataset(tmp_path):
    with pytest.raises(pe.InputError, match="not_a_dataset"):
        load_dataset(tmp_path / "missing")
    (tmp_path / "file.csv").write_text("x\n1\n", encoding="utf-8")
    with pytest.raises(pe.InputError, match="got a file"):
        load_dataset(tmp_path / "file.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(pe.InputError, match="no_dataset_files"):
        load_dataset(empty)
    with pytest.raises(TypeError, match="folder path"):
        load_dataset(3)


def test_ambiguous_csv_and_xlsx(tmp_path):
    sample = resolve_dataset("province")
    shutil.copy(sample / "units.csv", tmp_path / "units.csv")
    pd.read_csv(sample / "units.csv", dtype=str).to_excel(tmp_path / "units.xlsx", index=False)
    with pytest.raises(pe.InputError, match="ambiguous_file"):
        load_dataset(tmp_path)


def test_analyse_rejects_other_types():
    with pytest.raises(TypeError, match="SampleData or a dataset folder"):
        pe.pipeline.analyse(42)
