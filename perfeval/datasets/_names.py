"""Fictional names of the sample province: the province, its cities, departments, projects and experts.

Everything here is invented. 示例省 (Example Province) and its fourteen cities do not exist; the departments carry
the generic names of provincial functions (教育厅, 水利厅 ...) prefixed with the fictional province, and the
project names are generic programme titles of the kind every province budgets for. No real unit's name, code or
number is used. Codes are fictional as well: departments ``001``-``012`` (leading zeros on purpose, so that readers
must keep ``unit_id`` as text), projects ``<department><sequence>`` (``0010001``), cities ``R01``-``R14``.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PROVINCE",
    "PROVINCE_EN",
    "CITIES",
    "Department",
    "DEPARTMENTS",
    "EXANTE_TOPICS",
    "GOAL_TEMPLATES",
    "QUALITATIVE_TARGETS",
    "QUALITATIVE_ACTUALS",
    "OUTPUT_ROLES",
    "NOTES_MISSED",
    "NOTES_OVER",
    "NOTE_UNDER",
    "NOTE_NOT_APPLICABLE",
    "DEDUCTION_TARGET",
    "INDIVIDUAL_TEMPLATES",
    "SUBSIDY_ENDINGS",
    "CONSTRUCTION_WORDS",
    "NOTES_MISSED_SATISFACTION",
    "NOTES_MISSED_EFFECT",
    "GENERIC_BIGRAMS",
]

PROVINCE = "示例省"
PROVINCE_EN = "Example Province (fictional)"

#: Fourteen fictional prefecture-level cities (no real prefecture-level city carries these names).
CITIES: tuple[tuple[str, str], ...] = (
    ("R01", "东川市"), ("R02", "西岭市"), ("R03", "南湖市"), ("R04", "北原市"), ("R05", "云台市"),
    ("R06", "临溪市"), ("R07", "安澜市"), ("R08", "青屏市"), ("R09", "梅岭市"), ("R10", "枫林市"),
    ("R11", "鹿鸣市"), ("R12", "星桥市"), ("R13", "望海市"), ("R14", "丰源市"),
)


@dataclass(frozen=True, slots=True)
class Department:
    """A fictional provincial department.

    Attributes
    ----------
    code : str
        Department code (``001`` ...), also its ``unit_id`` in the department evaluation.
    name : str
        Full name, e.g. ``示例省教育厅``.
    name_en : str
        English name.
    sectors : tuple of str
        Values of the indicator library's ``sector`` column the department's projects draw from, besides the
        ``general`` (common) entries.
    weight : float
        Relative number of projects (the department's share of the 150).
    budget_median : float
        Median project budget in 万元 (the project budget distribution is lognormal around it).
    topics : tuple of str
        Generic programme titles the department's projects are named after.
    """

    code: str
    name: str
    name_en: str
    sectors: tuple[str, ...]
    weight: float
    budget_median: float
    topics: tuple[str, ...]


DEPARTMENTS: tuple[Department, ...] = (
    Department("001", "示例省教育厅", "Department of Education", ("education",), 1.5, 900.0, (
        "义务教育薄弱环节改善与能力提升补助", "学前教育发展专项资金", "普通高中教育发展补助", "现代职业教育质量提升计划",
        "高校一流学科建设专项", "学生资助补助经费", "中小学教师培训计划", "特殊教育发展补助", "乡村教师生活补助",
        "中小学校舍安全维修改造", "教育信息化建设", "高校科研创新平台建设", "中小学课后服务补助", "省属高校实验室改造")),
    Department("002", "示例省科学技术厅", "Department of Science and Technology", ("science",), 1.0, 500.0, (
        "重点研发计划", "自然科学基金", "科技成果转化引导资金", "高新技术企业培育奖补", "科技创新平台建设",
        "科技特派员服务", "中小企业技术创新资金", "科普基础设施建设", "产学研合作项目", "重点实验室运行补助",
        "科技人才引进计划", "科技创新券补助")),
    Department("003", "示例省民政厅", "Department of Civil Affairs", ("social_security",), 1.1, 1200.0, (
        "城乡最低生活保障补助", "特困人员救助供养补助", "养老服务体系建设", "临时救助资金", "儿童福利机构运转补助",
        "城乡社区服务设施建设", "困难残疾人生活补贴", "殡葬设施改造", "社会组织培育扶持", "流浪乞讨人员救助",
        "居家养老服务补贴", "婚姻登记信息化建设")),
    Department("004", "示例省人力资源和社会保障厅", "Department of Human Resources and Social Security",
               ("social_security",), 1.0, 800.0, (
        "就业补助资金", "职业技能提升行动", "创业担保贷款贴息", "高校毕业生就业见习补贴", "公共就业服务平台建设",
        "高层次人才发展专项", "劳动保障监察执法", "农民工工资支付保障", "技工院校能力建设", "博士后科研工作站资助",
        "社会保障卡应用推广", "失业人员再就业培训")),
    Department("005", "示例省自然资源厅", "Department of Natural Resources", ("environment", "agriculture"), 0.8, 700.0, (
        "国土空间规划编制", "矿山地质环境治理", "地质灾害防治", "不动产登记信息平台建设", "自然资源调查监测",
        "测绘地理信息服务", "耕地保护补偿", "地质勘查基金", "土地综合整治", "自然保护地勘界立标")),
    Department("006", "示例省生态环境厅", "Department of Ecology and Environment", ("environment",), 1.0,
               650.0, (
        "大气污染防治资金", "水污染防治资金", "土壤污染防治资金", "农村环境综合整治", "生态环境监测能力建设",
        "环境执法能力建设", "重点流域水环境治理", "危险废物处置", "核与辐射安全监管", "生态保护修复试点",
        "应对气候变化专项", "环境应急能力建设")),
    Department("007", "示例省住房和城乡建设厅", "Department of Housing and Urban-Rural Development",
               ("housing",), 1.1, 1500.0, (
        "城镇老旧小区改造", "保障性安居工程", "农村危房改造", "城市排水防涝设施建设", "既有建筑节能改造",
        "历史文化街区保护", "城市燃气管网更新改造", "城镇污水处理设施建设", "市政道路桥梁维护", "城市园林绿化提升",
        "装配式建筑推广", "住房公积金信息化建设")),
    Department("008", "示例省交通运输厅", "Department of Transport", ("transport",), 1.2, 2500.0, (
        "农村公路建设", "国省干线公路养护", "普通国省道改造", "客运站场建设", "内河航道整治", "公路安全生命防护工程",
        "城市公交运营补贴", "城乡客运一体化", "智慧交通建设", "危旧桥梁加固改造", "物流枢纽建设", "治超站点建设")),
    Department("009", "示例省农业农村厅", "Department of Agriculture and Rural Affairs", ("agriculture",), 1.4,
               1000.0, (
        "高标准农田建设", "耕地地力保护补贴", "农机购置补贴", "动物疫病防控补助", "农业产业化龙头企业扶持",
        "种业振兴行动", "农村人居环境整治", "农产品质量安全监管", "高素质农民培育", "畜禽粪污资源化利用",
        "农业保险保费补贴", "现代农业产业园建设")),
    Department("010", "示例省水利厅", "Department of Water Resources", ("water",), 1.0, 1800.0, (
        "中小河流治理", "小型水库除险加固", "农村供水保障工程", "灌区续建配套与节水改造", "山洪灾害防治",
        "水土保持重点工程", "水资源监测能力建设", "河湖长制工作经费", "防汛抗旱物资储备", "水文站网建设",
        "地下水超采治理", "江河堤防加固")),
    Department("011", "示例省卫生健康委员会", "Health Commission", ("health",), 1.3, 1100.0, (
        "基本公共卫生服务补助", "医疗服务与保障能力提升", "重大传染病防控", "基层医疗卫生机构能力建设", "妇幼健康服务",
        "疾病预防控制机构能力建设", "全民健康信息化建设", "计划生育家庭扶助", "中医药传承发展", "卫生应急体系建设",
        "医学重点学科建设", "乡村医生补助")),
    Department("012", "示例省文化和旅游厅", "Department of Culture and Tourism", ("culture",), 0.9,
               450.0, (
        "公共文化服务体系建设", "文物保护修缮", "非物质文化遗产保护", "公共图书馆免费开放", "博物馆纪念馆免费开放",
        "旅游公共服务设施建设", "文化惠民演出", "艺术创作扶持", "全域旅游示范区创建", "文化市场综合执法",
        "智慧旅游平台建设", "乡村文化振兴")),
)

#: Endings of a programme title that make it a recurring fund (持续性: subsidies, allowances, funds, grants).
SUBSIDY_ENDINGS: tuple[str, ...] = ("补助", "补贴", "资金", "经费", "基金", "奖补", "贴息", "资助", "免费开放",
                                    "扶助")
#: Words of a programme title that make it works (建设, 改造 ...: phased or one-off more often than continuing).
CONSTRUCTION_WORDS: tuple[str, ...] = ("建设", "改造", "治理", "整治", "修缮", "加固", "工程", "修复", "防治",
                                       "整理", "更新", "创建")
#: Two-character words too common in titles and indicator names to tie an indicator to a programme.
GENERIC_BIGRAMS: frozenset[str] = frozenset({"建设", "发展", "专项", "资金", "项目", "计划", "提升", "能力", "工作",
                                             "服务", "完成", "年度", "指标", "补助", "经费", "管理", "体系", "综合"})

#: Titles of the new projects proposed for the next budget year (ex-ante assessment), by department code.
EXANTE_TOPICS: dict[str, tuple[str, ...]] = {
    "001": ("县域普通高中提质扩容", "职业院校产教融合实训基地"),
    "002": ("概念验证中心建设", "科技企业孵化器提质"),
    "003": ("社区嵌入式养老服务", "精神障碍社区康复服务"),
    "004": ("零工市场建设", "数字技能人才培训"),
    "005": ("实景三维建设", "历史遗留矿山修复"),
    "006": ("新污染物治理试点", "近零碳排放示范区"),
    "007": ("城市生命线安全工程", "完整社区建设试点"),
    "008": ("农村客货邮融合发展", "高速公路服务区充电设施"),
    "009": ("盐碱地综合利用试点", "设施农业更新改造"),
    "010": ("数字孪生流域建设", "小型水库雨水情测报"),
    "011": ("县域医共体信息化", "急救站点网络建设"),
    "012": ("夜间文化消费集聚区", "革命文物保护利用"),
}

#: Sentences of the goal block of a self-evaluation form: 预期目标, then 实际完成情况 when the unit claims 优 and
#: when it claims less; ``{topic}`` is the project title.
GOAL_TEMPLATES: tuple[str, str, str] = (
    "按计划完成{topic}年度任务，资金使用规范，主要产出和效益指标达到年度目标。",
    "{topic}年度任务全面完成，资金按规定使用，主要产出和效益指标均达到或超过年度目标。",
    "{topic}年度任务总体完成，主要指标基本达到预期，部分指标存在偏差，已分析原因并提出改进措施。",
)

#: Targets of qualitative indicators as forms write them, by slot role (数量, 质量 ... of the self framework).
QUALITATIVE_TARGETS: dict[str, tuple[str, ...]] = {
    "quantity": ("全面完成年度任务", "按计划完成"),
    "quality": ("符合相关标准", "验收合格"),
    "timeliness": ("按时完成", "年底前完成"),
    "cost": ("控制在预算范围内",),
    "economic": ("有效带动", "明显提升"),
    "social": ("有效提升", "明显改善", "逐步提高"),
    "ecological": ("明显改善", "持续改善"),
    "sustainable": ("长期发挥作用", "持续发挥效益", "逐步完善"),
    "satisfaction": ("群众满意",),
    "criterion": ("符合评价要点要求",),
}

#: Actual-value wording of qualitative indicators by level (met, partly, not_met): for output indicators (a task
#: done or not), for cost indicators (within the budget or not), for effect indicators (an effect seen or not) and
#: for the evaluation criteria of department and transfer evaluations (role ``criterion``).
QUALITATIVE_ACTUALS: dict[str, dict[str, tuple[str, ...]]] = {
    "output": {"met": ("已完成", "按时完成", "全面完成"), "partly": ("基本完成", "部分完成"),
               "not_met": ("未完成", "未按期完成")},
    "effect": {"met": ("达到预期目标", "效果明显"), "partly": ("部分达到预期", "初见成效"),
               "not_met": ("未达到预期", "效果不明显")},
    "criterion": {"met": ("符合要求",), "partly": ("基本符合要求",), "not_met": ("不符合要求",)},
    "cost": {"met": ("控制在预算范围内", "未超出预算"), "partly": ("略有超支",), "not_met": ("超出预算较多",)},
}

#: Slot roles whose qualitative actuals are worded as tasks (the rest as effects).
OUTPUT_ROLES: tuple[str, ...] = ("quantity", "quality", "timeliness", "cost")

#: 偏差原因分析及改进措施 of a missed target, by cause (资金 / 制度 / 人员 / 硬件 / 其他, the Anhui monitoring
#: template's categories).
NOTES_MISSED: tuple[str, ...] = (
    "受上级资金下达时间影响，部分任务顺延至下年度实施，将加快资金拨付进度。",
    "项目前期审批手续办理时间较长，开工滞后，已建立周调度机制督促推进。",
    "专业技术人员不足，部分工作未能按计划完成，拟通过政府购买服务补充力量。",
    "设备采购招标流标一次，安装调试推迟，已重新组织采购。",
    "受极端天气影响，有效施工期缩短，剩余任务已纳入下年度计划。",
)

#: Notes of a missed satisfaction rate (survey results: the causes units give for them).
NOTES_MISSED_SATISFACTION: tuple[str, ...] = (
    "部分服务对象对办理时限和流程便捷性意见较多，将简化流程、加强政策宣传。",
    "满意度调查样本中新纳入对象对政策了解不足，将加强政策解读和回访。",
)

#: Notes of a missed effect indicator (effects lag the outputs; units say so).
NOTES_MISSED_EFFECT: tuple[str, ...] = (
    "项目效益需逐步显现，部分效益指标当年未完全达到预期，将持续跟踪监测。",
    "受项目实施进度滞后影响，效益发挥推迟，下年度将加强跟踪问效。",
    "受外部市场和政策环境变化影响，效益未达预期，已调整实施方案。",
)

#: Notes of a target exceeded by 130 % or more (Guangxi requires an explanation, domain.md §5.3 rule 7).
NOTES_OVER: tuple[str, ...] = (
    "年度目标设定偏保守，实际需求高于预期，下年度将科学合理设置目标值。",
    "上年结转任务在本年度一并完成，实际完成值高于年度目标。",
)

#: Note of a lower-is-better target beaten by 130 % or more (target / actual).
NOTE_UNDER = "实际值明显优于年度目标值，下年度将结合实际合理设置目标值。"

#: Target of a deduction-scored leaf (资金使用合规性 ...): the actual is the number of problems found.
DEDUCTION_TARGET = "无违规问题"

#: Note of an indicator marked not applicable.
NOTE_NOT_APPLICABLE = "本年度未安排该项任务，不适用。"

#: Individual (个性) indicators a unit writes itself, by slot role: (name pattern, unit, op). ``{topic}`` is the
#: project's title.
INDIVIDUAL_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "quantity": (("{topic}年度任务完成数", "项", ">="), ("{topic}受益对象数量", "人次", ">="),
                 ("{topic}覆盖县（市、区）数", "个", ">=")),
    "quality": (("{topic}验收合格率", "%", ">="), ("{topic}资金使用合规率", "%", ">="),
                ("{topic}质量达标率", "%", ">=")),
    "timeliness": (("{topic}按期完成率", "%", ">="), ("{topic}资金拨付及时率", "%", ">="),
                   ("{topic}任务按时完成率", "%", ">=")),
    "cost": (("{topic}成本控制数", "万元", "<="), ("{topic}单位成本", "元", "<=")),
    "economic": (("{topic}带动社会投资", "万元", ">="), ("{topic}带动就业人数", "人", ">=")),
    "social": (("{topic}政策知晓率", "%", ">="), ("{topic}社会效益", "", "qualitative")),
    "ecological": (("{topic}生态环境改善情况", "", "qualitative"), ("{topic}生态效益", "", "qualitative")),
    "sustainable": (("{topic}长效管护机制", "", "qualitative"), ("{topic}长期效益发挥情况", "", "qualitative")),
    "satisfaction": (("{topic}受益群众满意度", "%", ">="), ("{topic}服务对象满意度", "%", ">=")),
}
