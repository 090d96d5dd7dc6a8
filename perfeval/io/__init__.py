"""Readers and writers of users' files: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX, the standard form.

- :func:`read_table`: any table, headers mapped to canonical names, every problem located and raised at once.
- :func:`read_observations`, :func:`read_budget`: the two inputs of :func:`perfeval.score` (tables, forms or a
  directory of them), in the contracts of ``docs/architecture.md`` §3.1-3.2.
- :func:`read_selfeval_form`, :func:`write_selfeval_form`: the 项目支出绩效自评表 as published, read and filled.
- :func:`write_table`: atomic CSV/XLSX output (``encoding="gb18030"`` for Excel on Chinese Windows).
- :func:`read_units`, :func:`read_recheck_indicators`, :func:`read_dataset_meta`, :func:`read_dataset_file`: the
  other files of a dataset directory (``dataset.yaml``, ``units.csv``, ``panel.csv`` ...), each by its name.

Every problem is located ``file:row:column`` with the column named by its header as the user wrote it
(``indicators.csv:5:年度指标值``); the frames record those headers in ``frame.attrs["headers"]`` so that later
steps can name them too (:mod:`perfeval._rows`). A column missing from a file is named canonically.
"""
from __future__ import annotations

from .form_writer import TEMPLATE_NAME, blank_form_path, build_blank_form, write_selfeval_form
from .dataset import read_dataset_file, read_dataset_meta, read_recheck_indicators, read_units
from .forms import SelfEvalForm, is_selfeval_form, read_selfeval_form
from .readers import read_budget, read_observations
from .tables import read_table, write_table

__all__ = [
    "read_table",
    "write_table",
    "read_observations",
    "read_budget",
    "read_units",
    "read_recheck_indicators",
    "read_dataset_meta",
    "read_dataset_file",
    "read_selfeval_form",
    "write_selfeval_form",
    "SelfEvalForm",
    "is_selfeval_form",
    "build_blank_form",
    "blank_form_path",
    "TEMPLATE_NAME",
]
