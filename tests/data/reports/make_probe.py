"""Writes probe.ipynb, the small report notebook the engine tests render (run: python make_probe.py)."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMETERS = '''data = "province"  # 数据集文件夹（默认：内置示例省）
unit_id = "0010001"  # 项目编码
month: int = 8  # 月份
lang = "zh"  # 语言 zh|en
notes = ""  # 评价人说明文件
fail = False  # raise in the last cell'''

BODY = [
    '''import warnings, sys
import matplotlib.pyplot as plt
import perfeval as pe
from perfeval import reports as R
data_set = pe.load_dataset(data)
units = data_set.units.set_index("unit_id")
name = units.loc[unit_id, "name"] if unit_id in units.index else unit_id
R.heading(f"{name}（{unit_id}）绩效报告", 1)''',
    '''warnings.warn("a warning the page must not show")
print("stderr text the page must not show", file=sys.stderr)
R.facts(unit_id=unit_id, name=name, total=89.996, grade="良", month=month)
R.key_figures({"总分": "89.99", "等级": "良"})''',
    '''R.heading("一、基本情况")
R.table(data_set.units.head(3)[["unit_id", "name"]], caption="表 1 单位", headers={"unit_id": "编码", "name": "名称"})''',
    '''with pe.plotting.plot_context(lang):
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.bar([str(name)[:8], "其他项目"], [89.996, 75.0])
    ax.set_title("得分对比")
    chart = R.figure(ax, caption=f"图 1 {name}")
chart''',
    '''if fail:
    raise ValueError("planted failure")
R.paragraph(f"{name} 的说明。", drafted=True, source="probe")''',
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["perfeval"] = {"title": {"zh": "测试报告", "en": "Test report"},
                               "parameters": {"month": {"min": 1, "max": 12}}}
    cells = [new_markdown_cell("测试用报告（不随软件发布）。")]
    parameters = new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    cells.append(parameters)
    cells.extend(new_code_cell(source) for source in BODY)
    for i, cell in enumerate(cells):
        cell["id"] = f"probe-{i}"
    nb.cells = cells
    return nb


if __name__ == "__main__":
    nbformat.write(build(), Path(__file__).with_name("probe.ipynb"))
