"""The catalogue of rule codes.

Like a linter's: each rule has a code (family letter, 1xx for errors and 2xx
for warnings), a severity, a Chinese and an English message template, and an
explanation with an example for the README (``python -m selfeval_xlsx.rules``
prints the README section; a test keeps the two in step).

Families: W weights (分值), S scores (得分), F funds (资金/预算执行),
T totals (总分), C conclusion (自评结论), E empty required cells,
Q quality of the indicators, L layout (a part of the form the reader found
but did not understand: the checks that need it are not run).
"""

from __future__ import annotations

from collections.abc import Iterable

from selfeval_xlsx.display import SEVERITY_LABEL  # the labels of ERROR and WARNING (fill imports them from here)
from selfeval_xlsx.record import FrozenRecord, by_keyword

ERROR = "error"
WARNING = "warning"

FAMILIES = {
    "W": ("分值", "weights"),
    "S": ("得分", "scores"),
    "F": ("资金与预算执行", "funds"),
    "T": ("总分", "totals"),
    "C": ("自评结论", "conclusion"),
    "E": ("必填项", "required cells"),
    "Q": ("指标质量", "quality"),
    "L": ("表格结构", "layout"),
}


_set = object.__setattr__  # a frozen record's fields are set once, in __init__


class Rule(FrozenRecord):
    """One rule; built by keyword only (``Rule(code=..., severity=..., ...)``)."""

    __slots__ = _fields = ("code", "severity", "name", "zh", "en", "doc_zh", "example")
    code: str
    severity: str
    name: str  # short English name, kebab-case
    zh: str  # message template (str.format with the finding's params)
    en: str
    doc_zh: str  # what it means and what to do
    example: str  # a one-line example of what triggers it

    def __init__(self, *, code: str, severity: str, name: str, zh: str, en: str, doc_zh: str, example: str) -> None:
        _set(self, "code", code)
        _set(self, "severity", severity)
        _set(self, "name", name)
        _set(self, "zh", zh)
        _set(self, "en", en)
        _set(self, "doc_zh", doc_zh)
        _set(self, "example", example)

    def __reduce__(self) -> tuple[object, ...]:
        return (by_keyword, (self.__class__, self._fields, self._values()))

    @property
    def family(self) -> str:
        return self.code[0]


RULES: tuple[Rule, ...] = (
    # -- weights ----------------------------------------------------------
    Rule(
        code="W101", severity=ERROR, name="level1-weight-mismatch",
        zh="一级指标“{label}”标注 {declared} 分，其下三级指标分值合计 {found}；请调整三级指标分值或更正标注",
        en="Level-1 indicator '{label}' says {declared} points but its rows add up to {found}; adjust the row weights or the label",
        doc_zh="一级指标名称中写明的分值（如“产出指标(50分)”）必须等于其下各三级指标分值之和。",
        example="产出指标(50分) 下各行分值 1+1+2+3+3+5+3+3+3+3+5+5+5+5 = 47",
    ),
    Rule(
        code="W102", severity=ERROR, name="total-weight-not-100",
        zh="分值合计 {found}（三级指标 {indicators} + 预算执行率 {budget}），应为 {expected}；请调整分值使总分为 100",
        en="Weights add up to {found} (indicators {indicators} + budget execution {budget}); they must add up to {expected}",
        doc_zh="满分为 100 分：全部三级指标分值加上预算资金执行率分值必须等于 100。",
        example="三级指标分值合计 87 + 预算执行率 10 = 97",
    ),
    Rule(
        code="W103", severity=ERROR, name="budget-weight",
        zh="预算资金执行率分值为 {found}，应为 {expected}（预算资金执行率分值不得调整）",
        en="Budget execution is weighted {found}; it must be {expected} (this weight may not be adjusted)",
        doc_zh="预算资金执行率的分值由财政部门统一规定（默认 10 分，可用 --profile 改为 20 分等），填报单位不得调整。",
        example="年度资金总额行“分值”填 5",
    ),
    Rule(
        code="W104", severity=ERROR, name="weight-invalid",
        zh="分值“{found}”不是正数；请填写该三级指标的分值",
        en="Weight '{found}' is not a positive number; enter the indicator's weight",
        doc_zh="每个三级指标的分值必须是大于 0 的数。",
        example="分值填“0”或“五分”",
    ),
    Rule(
        code="W105", severity=ERROR, name="block-weight-mismatch",
        zh="指标块“{label}”标注 {declared} 分，其下三级指标分值合计 {found}；请调整三级指标分值或更正标注",
        en="Goal block '{label}' says {declared} points but its rows add up to {found}; adjust the row weights or the label",
        doc_zh="一张表分几个目标块（如“年度绩效目标1（40分）”）时，块标题中的分值必须等于块内各三级指标分值之和。",
        example="年度绩效目标1（40分）下各行分值合计 35",
    ),
    Rule(
        code="W201", severity=WARNING, name="level1-weight-adjusted",
        zh="一级指标“{label}”分值 {found}，原则上应为 {expected}；如属特殊情况请在说明中注明",
        en="Level-1 indicator '{label}' is weighted {found}, in principle {expected}; explain the adjustment",
        doc_zh="原则上产出指标 50 分、效益指标 30 分、满意度指标 10 分；特殊情况可调整，但应说明理由。",
        example="产出指标(60分)、效益指标(20分)",
    ),
    Rule(
        code="W202", severity=WARNING, name="level1-missing",
        zh="缺少一级指标“{label}”（原则上 {expected} 分）；请补充该维度的指标",
        en="Level-1 indicator '{label}' (in principle {expected} points) is missing; add indicators for it",
        doc_zh="产出、效益、满意度三个一级指标都应设置。",
        example="表中没有满意度指标",
    ),
    # -- scores -----------------------------------------------------------
    Rule(
        code="S101", severity=ERROR, name="score-negative",
        zh="得分 {found} 小于 0；请更正",
        en="Score {found} is below 0; correct it",
        doc_zh="得分不能为负数。",
        example="得分填 -2",
    ),
    Rule(
        code="S102", severity=ERROR, name="score-above-weight",
        zh="得分 {found} 超过分值 {expected}；三级指标得分不能超过其分值",
        en="Score {found} exceeds the weight {expected}; a score may not exceed its weight",
        doc_zh="各三级指标得分最高不能超过该指标分值上限。",
        example="分值 3，得分 5",
    ),
    Rule(
        code="S103", severity=ERROR, name="score-formula",
        zh="得分 {found} 与计算结果 {expected} 不符（{formula}）；请按公式更正",
        en="Score {found} does not follow the formula: {expected} ({formula_en}); correct it",
        doc_zh="定量指标：正向指标（≥）得分 = 实际完成值(B)/年度指标值(A)×分值，反向指标（≤）得分 = A/B×分值，"
        "均不超过分值、不低于 0。",
        example="≥100人次 → 80人次，分值 5，应得 4，填报 5",
    ),
    Rule(
        code="S104", severity=ERROR, name="score-not-a-number",
        zh="得分“{found}”不是数值；请填写该指标的得分（数字）",
        en="Score '{found}' is not a number; enter the indicator's score as a number",
        doc_zh="得分栏必须是数字（可带“分”字）；写成“满分”“达标”等文字无法计入总分。能按公式或按已达成计算时，fill 会写入计算值。",
        example="得分栏填“满分”",
    ),
    Rule(
        code="S105", severity=ERROR, name="block-score-above-points",
        zh="指标块“{label}”得分合计 {found} 超过其分值 {expected}；请更正",
        en="Goal block '{label}' scores {found} in all, more than its {expected} points; correct it",
        doc_zh="没有分值列的表无法逐项核验得分上限，但每个目标块的得分合计不能超过块标题中的分值。",
        example="年度绩效目标2（40分）下各行得分合计 42",
    ),
    Rule(
        code="S201", severity=WARNING, name="deduction-without-reason",
        zh="得分 {found} 低于分值 {expected}，但未填写未完成原因；请说明偏离目标的原因及改进措施",
        en="Score {found} is below the weight {expected} but no reason is given; explain the shortfall",
        doc_zh="扣分的指标必须在“未完成原因分析”中说明偏离目标、不能完成目标的原因及拟采取的措施。",
        example="分值 10，得分 9，原因栏为空",
    ),
    Rule(
        code="S202", severity=WARNING, name="overachievement-without-reason",
        zh="实际完成值 {found} 达到目标 {expected} 的 {ratio} 倍，未说明原因；请说明超额完成的原因（目标是否偏低）",
        en="Actual {found} is {ratio} times the target {expected} with no explanation; explain (was the target set too low?)",
        doc_zh="实际完成值大幅超过目标（默认达到 1.3 倍）时应说明原因，审核时常视为目标设置偏低。",
        example="≥5次 → 25次，原因栏为空",
    ),
    Rule(
        code="S203", severity=WARNING, name="score-unchecked",
        zh="实际完成值“{found}”不是数值，无法按公式核验定量指标得分；请填写可比较的实际完成值",
        en="Actual value '{found}' is not a number, so the quantitative score cannot be checked; enter a comparable value",
        doc_zh="定量指标的实际完成值应为数值，才能按公式核验得分；此时按填报得分（不超过分值）计入总分。",
        example="≤30万元 → 完成",
    ),
    # -- funds ------------------------------------------------------------
    Rule(
        code="F101", severity=ERROR, name="rate-wrong",
        zh="执行率 {found} 与计算结果 {expected} 不符（全年执行数 ÷ 全年预算数）；请更正",
        en="Execution rate {found} should be {expected} (executed ÷ budget); correct it",
        doc_zh="执行率 = 全年执行数(B) ÷ 全年预算数(A)。",
        example="777.68 / 758.37 填 98.52%，应为 97.52%",
    ),
    Rule(
        code="F102", severity=ERROR, name="budget-score-wrong",
        zh="预算执行得分 {found} 与计算结果 {expected} 不符（执行率 × {points}，最高 {points}）；请更正",
        en="Budget score {found} should be {expected} (rate × {points}, at most {points}); correct it",
        doc_zh="预算执行得分 = 执行率 × 分值（默认 10 分），最高不超过分值；执行率先四舍五入到 0.01% 再计算亦可。",
        example="执行率 97.52%，得分填 9.85，应为 9.75",
    ),
    Rule(
        code="F103", severity=ERROR, name="funds-total-mismatch",
        zh="年度资金总额 {column} {found} 不等于各项之和 {expected}；请核对",
        en="Total funds ({column_en}) {found} is not the sum of its parts {expected}; check the figures",
        doc_zh="年度资金总额的每一列都应等于其下各项资金之和。",
        example="基本支出 299.89 + 项目支出 477.79 = 777.68，总额填 787.68",
    ),
    Rule(
        code="F201", severity=WARNING, name="executed-above-budget",
        zh="{label}全年执行数 {found} 超过全年预算数 {expected}；请核对",
        en="{label}: executed {found} exceeds the budget {expected}; check the figures",
        doc_zh="执行数一般不应超过预算数；超出时请核对数据或说明原因。",
        example="项目支出 预算 100，执行 120",
    ),
    # -- totals -----------------------------------------------------------
    Rule(
        code="T101", severity=ERROR, name="total-wrong",
        zh="总分 {found} 与计算结果 {expected} 不符（各三级指标得分 + 预算执行得分）；请更正",
        en="Total {found} should be {expected} (indicator scores + budget score); correct it",
        doc_zh="总分 = 全部三级指标得分之和 + 预算执行得分。定量指标按公式计，定性指标按填报得分（不超过分值）计。",
        example="填报总分 97.752，计算总分 94.75",
    ),
    Rule(
        code="T102", severity=ERROR, name="formula-wrong",
        zh="公式 ={formula} 的计算结果是 {found}，应为 {expected}；请修正公式（例如求和范围漏了行）",
        en="The formula ={formula} gives {found}, it should give {expected}; fix the formula (e.g. a sum that misses rows)",
        doc_zh="执行率、预算执行得分、总分、自评结论或要改的三级指标得分是公式时，按更正后的各项重新计算该公式；结果不对说明公式本身有误。"
        "此时只写入数值没有用（打开文件重算后又变回错误结果），工具不改这个单元格，需要人工修正公式。"
        "只缺上限的得分公式（超支时 =H7*10、超额完成时 =F18/E18*G18）由 fill 改为 =MIN(原公式,分值)，不报 T102。",
        example="总分公式 =SUM(H14:H27)+I7 漏了第 28 行",
    ),
    # -- conclusion -------------------------------------------------------
    Rule(
        code="C101", severity=ERROR, name="conclusion-band",
        zh="自评结论“{found}”与计算总分 {total} 对应的等级“{expected}”不符；请更正",
        en="Conclusion '{found}' does not match the grade '{expected}' of the computed total {total}; correct it",
        doc_zh="自评结论按总分确定：90（含）以上优秀，80（含）–90 良好，60（含）–80 中，60 以下差（可用 --profile 调整）。",
        example="计算总分 85，自评结论填“优秀”",
    ),
    Rule(
        code="C201", severity=WARNING, name="conclusion-unknown",
        zh="自评结论“{found}”不是优秀、良好、中、差之一；应为“{expected}”",
        en="Conclusion '{found}' is not one of 优秀/良好/中/差; it should be '{expected}'",
        doc_zh="自评结论应填写等级：优秀、良好、中或差。",
        example="自评结论填“已完成”",
    ),
    # -- required cells ---------------------------------------------------
    Rule(
        code="E101", severity=ERROR, name="required-empty",
        zh="{field}为空；请填写",
        en="{field_en} is empty; fill it in",
        doc_zh="单位名称（部门整体表）或项目名称（项目表）、分值、得分、全年预算数、全年执行数、总分和（有此栏时）自评结论都必须填写。",
        example="某三级指标的得分栏为空；“部门（单位）名称”右边的单元格为空",
    ),
    Rule(
        code="E102", severity=ERROR, name="no-indicators",
        zh="表中没有填写任何三级指标；请填写绩效指标后再提交",
        en="The form has no level-3 indicators; fill in the performance indicators first",
        doc_zh="绩效指标表中至少要有一行三级指标；空白模板会得到这一条（而不是一串分值、总分问题）。",
        example="直接提交未填写的空白模板",
    ),
    # -- quality ----------------------------------------------------------
    Rule(
        code="Q201", severity=WARNING, name="vague-target",
        zh="指标值“{found}”无法衡量；请改为可量化、可考核的目标值",
        en="Target '{found}' cannot be measured; use a quantifiable target",
        doc_zh="“不断提升”“有效提升”“逐步改善”之类的表述无法考核，审核时会被退回。",
        example="经济效益指标值填“不断提升”",
    ),
    Rule(
        code="Q202", severity=WARNING, name="cost-positive",
        zh="成本指标“{found}”使用了“≥”；成本指标一般为反向指标，应写作“≤”",
        en="Cost indicator '{found}' uses '≥'; cost indicators are normally written with '≤'",
        doc_zh="成本指标控制的是上限，应写“≤××万元”。",
        example="成本指标 ≥50万元",
    ),
    Rule(
        code="Q203", severity=WARNING, name="percent-above-100",
        zh="百分比指标值“{found}”超过 100%；请核对",
        en="Percentage target '{found}' is above 100%; check it",
        doc_zh="比率类指标的目标值一般不超过 100%。",
        example="满意度 ≥120%",
    ),
    Rule(
        code="Q204", severity=WARNING, name="placeholder-row",
        zh="“{found}”是未替换的占位内容；请填写实际指标或删除该行",
        en="'{found}' is a placeholder left in; fill in a real indicator or delete the row",
        doc_zh="模板中的“指标1”“*”等占位行应替换为实际指标或删除。",
        example="三级指标“指标1”，指标值“*”",
    ),
    Rule(
        code="Q205", severity=WARNING, name="year-mismatch",
        zh="表中出现年份 {found}，与标题年度 {expected} 不一致；请核对年度",
        en="The form mentions the year {found}, but its title says {expected}; check the year",
        doc_zh="指标中的年份应与自评年度一致，常见于沿用上年表格。",
        example="（2024年度）表中写“2023年12月31日前”",
    ),
)

RULES = RULES + (
    # -- layout -----------------------------------------------------------
    Rule(
        code="L201", severity=WARNING, name="funds-not-understood",
        zh="{part}（{range}）：{missing}",
        en="{part_en} ({range}): {missing_en}",
        doc_zh="找到了资金（预算执行）部分，但没有认出它的预算数（A）、执行数（B）列或资金总额行。依赖它的校验（执行率、预算执行得分、"
        "总分、自评结论）不做，fill 不改动这张表；请对照官方模板检查该部分的表头。",
        example="预算执行情况（A7:J12）：未找到预算数列（A）；预算执行得分未核验",
    ),
    Rule(
        code="L202", severity=WARNING, name="indicator-table-not-understood",
        zh="{part}（{range}）：{missing}",
        en="{part_en} ({range}): {missing_en}",
        doc_zh="绩效指标表缺少分值列或得分列（或只有“得分系数（%）”这类比率列）。没有分值列时只核验目标块和总分；没有得分列时不核验得分，"
        "fill 不改动这张表。",
        example="绩效指标（A14:H30）：没有分值列；各指标得分上限未核验",
    ),
    Rule(
        code="L203", severity=WARNING, name="total-not-understood",
        zh="{part}（{range}）：{missing}",
        en="{part_en} ({range}): {missing_en}",
        doc_zh="找到了“总分”行，但没有找到填报总分的单元格；总分不核验，fill 不改动这张表。",
        example="总分（A31）：未找到填报总分的单元格；总分未核验",
    ),
    Rule(
        code="L204", severity=WARNING, name="conclusion-not-filled",
        zh="{part}（{range}）：{missing}",
        en="{part_en} ({range}): {missing_en}",
        doc_zh="评价结论栏仍是模板的填表说明（如“结合自评情况…（200字以内）”），没有填写。叙述性的结论栏从不由 fill 写入。",
        example="评价结论（B40:J40）：仍是模板的填表说明，未填写",
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    return BY_CODE[code]


#: Short Chinese names of the rules, for the reviewer's sheets (审核意见单,
#: summary) where a code stands beside its name; English uses ``Rule.name``.
TITLES_ZH: dict[str, str] = {
    "W101": "一级指标分值与标注不符",
    "W102": "分值合计不为 100",
    "W103": "预算执行率分值被调整",
    "W104": "分值无效",
    "W201": "一级指标分值调整",
    "W202": "缺少一级指标",
    "S101": "得分为负",
    "S102": "得分超过分值",
    "S103": "得分不符合计分公式",
    "S104": "得分不是数值",
    "S201": "扣分未说明原因",
    "S202": "超额完成未说明原因",
    "S203": "实际完成值无法核验",
    "F101": "执行率计算错误",
    "F102": "预算执行得分错误",
    "F103": "资金总额不等于各项之和",
    "F201": "执行数超过预算数",
    "T101": "总分错误",
    "T102": "公式有误",
    "C101": "自评结论与总分等级不符",
    "C201": "自评结论不是等级",
    "E101": "必填项为空",
    "E102": "没有三级指标",
    "Q201": "指标值无法衡量",
    "Q202": "成本指标方向有误",
    "Q203": "百分比指标值超过 100%",
    "Q204": "占位内容未替换",
    "Q205": "年份与年度不符",
    "W105": "目标块分值与标注不符",
    "S105": "目标块得分超过分值",
    "L201": "资金部分未识别",
    "L202": "绩效指标表未识别",
    "L203": "总分未识别",
    "L204": "评价结论未填写",
}


#: rules whose ``expected`` is the value the finding's cell should hold (what a
#: reviewer reads as 应为); for the others (a missing reason, a weight total,
#: an over-achievement) the message says what to do and 应为 stays empty
VALUE_RULES = frozenset({"W103", "F101", "F102", "F103", "S102", "S103", "T101", "T102", "C101", "C201"})


def title(code: str, lang: str = "zh") -> str:
    """The rule's short name for people: Chinese, or the English kebab name."""
    if lang == "en":
        found = BY_CODE.get(code)
        return found.name if found else ""
    return TITLES_ZH.get(code, "")


def count_severities(severities: Iterable[str | None]) -> tuple[int, int]:
    """(errors, warnings) of findings given by their severities: a finding that
    is not an error is a warning.  The one count: ``FormResult.errors`` /
    ``warnings`` (text lines, fill, exit codes) and summary.xlsx, which counts
    the findings of the dicts batch workers send."""
    errors = total = 0
    for severity in severities:
        total += 1
        errors += severity == ERROR
    return errors, total - errors


def readme_section() -> str:
    """The rules section of the README, generated from the catalogue."""
    lines = [
        "| 代码 Code | 级别 | 名称 | 说明 | 示例 |",
        "|---|---|---|---|---|",
    ]
    for item in RULES:
        severity = SEVERITY_LABEL["zh"][item.severity] + " " + item.severity
        lines.append(f"| `{item.code}` | {severity} | {item.name} | {item.doc_zh} | {item.example} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(readme_section(), end="")
