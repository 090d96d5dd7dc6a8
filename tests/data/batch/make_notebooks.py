"""Writes tests/data/batch/*.ipynb (run once; the notebooks are committed)."""
import nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell
from pathlib import Path

out = Path("tests/data/batch")
PARAMS = 'name = "a"  # str: label of the report\nvalue = 1  # int: a number shown as the key figure\n'
FIG = ("import perfeval as pe\n"
       "pe.reports.facts(unit_id=name, name=f'项目 {name}', total=float(value), grade='良' if value < 90 else '优')\n")

def nb(name, cells):
    book = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                  "language_info": {"name": "python"}})
    book.cells = [new_markdown_cell(f"# {name}", id="title"),
                  new_code_cell(PARAMS, id="parameters", metadata={"tags": ["parameters"]})]
    for i, src in enumerate(cells):
        book.cells.append(new_code_cell(src, id=f"c{i}"))
    nbformat.write(book, out / f"{name}.ipynb")

nb("ok", [FIG,
          "import pandas as pd\npd.DataFrame({'name': [name], 'value': [value]})",
          "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 1))\nax.bar([name], [value])",
          "print('done', name)"])
nb("raises", [FIG, "raise ValueError(f'bad data for {name}')", "print('never')"])
nb("hangs", [FIG, "import time\ntime.sleep(3600)"])
nb("crashes", [FIG, "import os\nos._exit(1)", "print('never')"])
nb("exits", [FIG, "import sys\nsys.exit(0)", "print('never')", "print('never either')"])
nb("leaks", [
    "import builtins, json, os, sys\nimport matplotlib\nimport pandas as pd\nimport perfeval\n"
    "builtins.LEAKED_BUILTIN = 1\n"
    "import statistics, perfeval.grades\n"
    "statistics.mean = lambda *a, **k: 'patched'\n"
    "perfeval.grades.grade = lambda *a, **k: 'patched'\n"
    "matplotlib.rcParams['lines.linewidth'] = 42.0\n"
    "pd.set_option('display.max_rows', 3)\n"
    "os.environ['PERFEVAL_LEAK'] = '1'\n"
    "sys.modules['leaked_module'] = sys\n"
    "perfeval.LEAKED = True\n"
    "GLOBAL_FROM_LEAKS = 1\n",
    FIG])
nb("checks", [
    "import builtins, json, os, sys\nimport matplotlib\nimport pandas as pd\nimport perfeval\n"
    "leaks = []\n"
    "if hasattr(builtins, 'LEAKED_BUILTIN'): leaks.append('builtins')\n"
    "import statistics, perfeval.grades\n"
    "if statistics.mean([1, 3]) != 2: leaks.append('statistics.mean monkeypatch')\n"
    "if perfeval.grades.grade.__name__ != 'grade': leaks.append('perfeval.grades.grade monkeypatch')\n"
    "if matplotlib.rcParams['lines.linewidth'] == 42.0: leaks.append('rcParams')\n"
    "if pd.get_option('display.max_rows') == 3: leaks.append('pandas option')\n"
    "if 'PERFEVAL_LEAK' in os.environ: leaks.append('environment')\n"
    "if 'leaked_module' in sys.modules: leaks.append('sys.modules')\n"
    "if hasattr(perfeval, 'LEAKED'): leaks.append('perfeval attribute')\n"
    "if 'GLOBAL_FROM_LEAKS' in globals(): leaks.append('global')\n"
    "if leaks: raise AssertionError('state leaked from an earlier report: ' + ', '.join(leaks))\n",
    FIG])

# a report that reads the sample and analyses it (the worker's memo of datasets and analyses); with
# spend_nothing=True it changes its dataset first (nothing executed from the project's budget), so the worker's
# shared analysis must not be used
book = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                              "language_info": {"name": "python"}})
book.cells = [
    new_markdown_cell("# analysis", id="title"),
    new_code_cell('data = "province"  # str: dataset\nunit_id = "0010001"  # str: project\n'
                  'spend_nothing = False  # bool: set the project\'s executed budget to 0 first', id="parameters",
                  metadata={"tags": ["parameters"]}),
    new_code_cell("import warnings\nimport perfeval as pe\nds = pe.load_dataset(data)\n"
                  "if spend_nothing:\n    ds.budget.loc[ds.budget['unit_id'] == unit_id, 'executed'] = 0.0\n"
                  "an = pe.pipeline.analyse(ds, draws=50)\ntotals = an.self_evaluation.totals\n"
                  "row = totals[totals['unit_id'] == unit_id]", id="c0"),
    new_code_cell("pe.reports.heading(f'分析 {unit_id}', level=1)", id="c1"),
    new_code_cell("pe.reports.facts(unit_id=unit_id, present=bool(len(row)), n=len(totals), "
                  "total=float(row['total'].iloc[0]) if len(row) else None, "
                  "grade=str(row['grade'].iloc[0]) if len(row) else None)", id="c2"),
    new_code_cell("pe.reports.table(totals.head(5)[['unit_id', 'total', 'grade']])", id="c3"),
]
nbformat.write(book, out / "analysis.ipynb")
