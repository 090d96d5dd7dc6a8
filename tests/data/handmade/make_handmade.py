"""Writes a small dataset folder by hand, the way a county finance bureau would keep it (not the sample, not
generated from it): GB18030 CSV with the forms' Chinese headers, three projects of one department, their
indicators and budgets, a re-check of two of them, and an expert panel of three on one (key evaluation).
Fictional names and numbers. Run: python make_handmade.py
"""
from pathlib import Path

HERE = Path(__file__).parent

UNITS = """项目编码,项目名称,类型,主管部门编码,年度,项目类型,是否新增,刚性支出,评价类别
H001,城区老旧小区改造,project,D01,2024,phased,否,否,self;key;recheck
H002,农村饮水安全巩固提升,project,D01,2024,continuing,否,否,self;recheck
H003,社区养老服务中心运营补助,project,D01,2024,continuing,否,是,self
D01,县住房和城乡建设局,department,D01,2024,,否,否,department
"""

INDICATORS = """项目编码,一级指标,二级指标,三级指标,年度指标值,实际完成值,计量单位,分值,得分,偏差原因分析及改进措施
H001,产出指标,数量指标,改造小区数量,≥12个,12个,个,20,20,
H001,产出指标,质量指标,工程验收合格率,≥98%,100%,%,15,15,
H001,产出指标,时效指标,按期开工率,≥95%,83%,%,15,12,两个小区因居民意见未统一延期开工，已完成协调。
H001,效益指标,社会效益指标,惠及居民户数,≥3000户,3120户,户,15,15,
H001,效益指标,可持续影响指标,改造后设施完好率,≥90%,94%,%,15,15,
H001,满意度指标,服务对象满意度指标,居民满意度,≥90%,87%,%,10,9,部分居民对停车位数量不满意，下年度增设。
H002,产出指标,数量指标,新建改造供水工程,≥25处,25处,处,20,20,
H002,产出指标,质量指标,水质达标率,≥95%,96.5%,%,15,15,
H002,产出指标,成本指标,项目总成本,≤1800万元,1765万元,万元,15,15,
H002,效益指标,社会效益指标,农村自来水普及率,≥92%,90.2%,%,20,19,山区分散农户接入难度大。
H002,效益指标,可持续影响指标,工程正常运行率,≥95%,97%,%,10,10,
H002,满意度指标,服务对象满意度指标,受益群众满意度,≥90%,93%,%,10,10,
H003,产出指标,数量指标,服务老年人人次,≥20000人次,21500人次,人次,25,25,
H003,产出指标,时效指标,补助资金按时拨付率,100%,100%,%,15,15,
H003,效益指标,社会效益指标,社区养老服务覆盖率,≥60%,48%,%,25,22,两家中心装修延期，下半年投入运营。
H003,效益指标,可持续影响指标,护理人员持证上岗率,≥80%,85%,%,15,15,
H003,满意度指标,服务对象满意度指标,老年人满意度,≥90%,95%,%,10,10,
"""

BUDGET = """项目编码,年初预算数,全年预算数,全年执行数,得分,总分
H001,2600,2600,2288,8.8,96.8
H002,1800,1800,1765,9.81,97.81
H003,420,420,402.6,9.59,96.59
"""

RECHECK = """项目编码,复核总分
H001,86.5
H002,93.0
"""

PANEL_NODES = [
    ("decision.approval.basis", (3, 3, 2.5)), ("decision.approval.procedure", (3, 2.5, 3)),
    ("decision.targets.reasonable", (2.5, 3, 2)), ("decision.targets.clarity", (3, 3, 2.5)),
    ("decision.funding.budget", (4, 3.5, 4)), ("decision.funding.allocation", (4, 4, 3)),
    ("process.funds.in_place", (4, 4, 3.5)), ("process.funds.execution", (3.5, 3.5, 3)),
    ("process.funds.compliance", (4, 4, 4)), ("process.organization.rules", (3.5, 3, 3)),
    ("process.organization.enforcement", (3, 3.5, 2.5)), ("output.quantity.completion", (8, 7.5, 8)),
    ("output.quality.pass_rate", (8, 8, 7.5)), ("output.timeliness.timely", (5, 4, 4.5)),
    ("output.cost.saving", (6, 5.5, 6)), ("effect.benefit.social", (6, 5.5, 6)),
    ("effect.benefit.economic", (4.5, 4, 4)), ("effect.benefit.ecological", (5, 4.5, 4.5)),
    ("effect.benefit.sustainable", (5, 5, 4.5)), ("effect.benefit.satisfaction", (5, 5.5, 4.5)),
]


def main() -> None:
    for name, text in (("units.csv", UNITS), ("indicators.csv", INDICATORS), ("budget.csv", BUDGET),
                       ("recheck.csv", RECHECK)):
        (HERE / name).write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    rows = ["项目编码,指标编码,专家编码,得分"]
    for node, scores in PANEL_NODES:
        rows.extend(f"H001,{node},Z{i + 1},{s:g}" for i, s in enumerate(scores))
    (HERE / "panel.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gb18030"))


if __name__ == "__main__":
    main()
