"""The checks on form models built in code (the reader is tested elsewhere).

Each test builds a form the way the reader would hand it over — every value
in its cell — runs the checks and asserts the exact findings and computed
values.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from selfeval_xlsx.checks import check_form
from selfeval_xlsx.model import Cell, Form, FundsRow, Indicator
from selfeval_xlsx.profile import DEFAULT, profile_from_dict
from selfeval_xlsx.rules import RULES, readme_section

SHEET = "附件3-1"
COLUMNS = "BCDEFGHI"  # level1 level2 level3 target actual weight score reason


def cell(ref: str, value=None) -> Cell:
    return Cell(SHEET, ref, value)


def indicator(row: int, level1, level2, level3, target, actual, weight, score, reason=None) -> Indicator:
    values = (level1, level2, level3, target, actual, weight, score, reason)
    cells = [cell(f"{col}{row}", value) for col, value in zip(COLUMNS, values)]
    return Indicator(row, *cells)


# The seed form's rows (附件3-1, 2023): level1, level2, level3, A, B, weight, score
SEED_ROWS = [
    ("产出指标(50分)", "数量", "协助做好与有关部委的联络工作", "按期保质完成", "按期保质完成", 1, 1),
    ("产出指标(50分)", "数量", "做好与京沪当地党政机关的联络工作", "按期保质完成", "按期保质完成", 1, 1),
    ("产出指标(50分)", "数量", "做好在京、沪的黔籍人士的联络工作", "按期保质完成", "按期保质完成", 2, 2),
    ("产出指标(50分)", "数量", "配合做好“黔货出山”工作", "按期保质完成", "按期保质完成", 3, 3),
    ("产出指标(50分)", "数量", "为我州基层组织提供相关服务", "≥5次", "25次", 3, 3),
    ("产出指标(50分)", "数量", "配合十二县(市)做好招商引资", "≥5次", "41次", 5, 5),
    ("产出指标(50分)", "数量", "做好州领导在京沪办理公务的后勤服务", "按期保质完成", "按期保质完成", 3, 3),
    ("产出指标(50分)", "数量", "搜集京津冀及长三角先进经验", "≥5次", "46次", 3, 3),
    ("产出指标(50分)", "数量", "做好我州驻京信访维稳工作", "12篇/年", "79篇", 3, 3),
    ("产出指标(50分)", "质量", "开展项目个数", "365天", "365天", 3, 3),
    ("产出指标(50分)", "质量", "完成州委州政府及上级安排的其他工作", "按期保质完成", "按期保质完成", 5, 5),
    ("产出指标(50分)", "质量", "全单位工作任务完成情况", "优秀", "优秀", 5, 5),
    ("产出指标(50分)", "时效", "全年工作完成时限", "2023年12月31日前", "按期保质完成", 5, 5),
    ("产出指标(50分)", "成本", "本单位2023总工作经费", "≤777.68万元", "777.68", 5, 5),
    ("效益指标(30分)", "经济效益", "严控“三公”经费变动率，节支增效", "不断提升", "不断提升", 10, 9),
    ("效益指标(30分)", "社会效益", "保社会稳定，提高行政效率", "不断提升", "不断提升", 10, 9),
    ("效益指标(30分)", "可持续影响", "保持与中央国家机关各部委的联系", "不断提升", "不断提升", 10, 10),
    ("满意度指标(10分)", "服务对象满意度", "满意度", "99%", "99%", 10, 10),
]


def seed_form(rows=SEED_ROWS, *, budget=(777.68, 777.68, 758.37, 10, 0.9752, 9.752), total=97.752,
              conclusion="优秀", reasons=None) -> Form:
    first = 14
    indicators = []
    for offset, row in enumerate(rows):
        reason = (reasons or {}).get(offset)
        indicators.append(indicator(first + offset, *row, reason))
    last = first + len(rows)
    initial, planned, executed, weight, rate, score = budget
    funds = [
        FundsRow("total", cell("B7", "年度资金总额:"), cell("C7", initial), cell("D7", planned),
                 cell("E7", executed), cell("F7", weight), cell("G7", rate), cell("H7", score)),
        FundsRow("basic", cell("B8", "基本支出"), cell("C8", 299.89), cell("D8", 299.89), cell("E8", 280.58),
                 cell("F8", "—"), cell("G8", "—"), cell("H8", "—")),
        FundsRow("project", cell("B9", "项目支出"), cell("C9", 477.79), cell("D9", 477.79), cell("E9", 477.79),
                 cell("F9", "—"), cell("G9", "—"), cell("H9", "—")),
        FundsRow("other", cell("B10", "其他资金"), cell("C10", 0), cell("D10", 0), cell("E10", 0),
                 cell("F10", "—"), cell("G10", "—"), cell("H10", "—")),
    ]
    return Form(
        sheet=SHEET, kind="department", year=2023, year_cell=cell("A3", "（2023年度）"),
        fields={"unit": cell("C5", "贵州省黔南布依族苗族自治州人民政府驻北京联络处")},
        funds=funds, indicators=indicators, total_weight=cell(f"G{last}", 100), total=cell(f"H{last}", total),
        conclusion=cell(f"B{last + 1}", conclusion),
    )


def codes(result) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.cell) for f in result.findings)


def test_seed_form_findings_are_exactly_the_reviewers():
    result = check_form(seed_form())
    assert codes(result) == sorted([
        ("W101", "B14"),  # 产出指标(50分) over rows totalling 47
        ("W102", "G32"),  # total weight 97
        ("T101", "H32"),  # stated 97.752, computed 94.75
        ("S201", "I28"), ("S201", "I29"),  # 9/10 without a reason
        ("Q201", "E28"), ("Q201", "E29"), ("Q201", "E30"),  # 不断提升
        ("S202", "I18"), ("S202", "I19"), ("S202", "I21"), ("S202", "I22"),  # 5x over target, unexplained
    ])
    by_code = {f.code: f for f in result.findings}
    assert by_code["W101"].expected == Decimal(50) and by_code["W101"].found == Decimal(47)
    assert by_code["W102"].found == Decimal(97)
    assert by_code["T101"].found == Decimal("97.752") and by_code["T101"].expected == Decimal("94.75")
    assert result.total == Decimal("94.75")
    assert result.grade == "优秀"
    assert result.budget_rate == Decimal("0.9752")
    assert result.budget_score == Decimal("9.752")
    assert "产出指标" in by_code["W101"].message() and "47" in by_code["W101"].message()
    assert "97.752" in by_code["T101"].message("en") and "94.75" in by_code["T101"].message("en")


def test_seed_form_changes_only_the_total():
    result = check_form(seed_form())
    assert [(c.cell.ref, c.new) for c in result.changes] == [("H32", Decimal("94.75"))]


def clean_rows():
    rows = [list(r) for r in SEED_ROWS]
    rows[13][5] = rows[13][6] = 8  # 成本 weight 8 → 产出 50
    for row in rows[14:17]:  # measurable targets; 9 of 10 is 85.5/95 × 10
        row[3], row[4] = "≥95%", "85.5%" if row[6] == 9 else "95%"
    for index in (4, 5, 7, 8):  # no big over-achievement
        rows[index][4] = rows[index][3].replace("≥", "").replace("/年", "")
    return [tuple(r) for r in rows]


def test_a_correct_form_gives_no_finding():
    rows = clean_rows()
    result = check_form(seed_form(rows, total=97.752, reasons={14: "部分指标未达预期", 15: "宣传力度不足"}))
    assert result.findings == []
    assert result.changes == []
    assert result.total == Decimal("97.75")


@pytest.mark.parametrize("stated, ok", [(9.752, True), (9.7517, True), (9.75, True), (9.85, False)])
def test_budget_score_tolerance(stated, ok):
    result = check_form(seed_form(clean_rows(), budget=(777.68, 777.68, 758.37, 10, 0.9752, stated),
                                  reasons={14: "x", 15: "y"}, total=97.752))
    found = [f.code for f in result.findings if f.code == "F102"]
    assert found == ([] if ok else ["F102"])
    if not ok:
        assert result.changes[0].cell.ref == "H7" and result.changes[0].new == Decimal("9.75")


def test_wrong_rate_and_score_are_reported_and_corrected():
    result = check_form(seed_form(clean_rows(), budget=(777.68, 777.68, 758.37, 10, "98.52%", 9.85),
                                  reasons={14: "x", 15: "y"}, total=97.75))
    assert [(f.code, f.cell) for f in result.findings] == [("F101", "G7"), ("F102", "H7")]
    assert [(c.cell.ref, c.new) for c in result.changes] == [("G7", Decimal("0.9752")), ("H7", Decimal("9.75"))]
    assert result.findings[0].message() == "执行率 98.52% 与计算结果 97.52% 不符（全年执行数 ÷ 全年预算数）；请更正"


def test_score_above_weight_and_formula_and_conclusion():
    rows = clean_rows()
    rows[4] = ("产出指标(50分)", "数量", "服务", "≥100人次", "80人次", 3, 3)  # formula 2.4
    rows[1] = ("产出指标(50分)", "数量", "联络", "按期保质完成", "按期保质完成", 1, 5)  # above weight
    result = check_form(seed_form(rows, reasons={4: "受疫情影响", 14: "x", 15: "y"}, total=97.752,
                                  conclusion="良好"))
    found = {(f.code, f.cell) for f in result.findings}
    assert ("S103", "H18") in found and ("S102", "H15") in found
    changes = {c.cell.ref: c.new for c in result.changes}
    assert changes["H18"] == Decimal("2.4") and changes["H15"] == Decimal(1)
    # 97.75 - 0.6 = 97.15: the stated 良好 is wrong, the total too
    assert result.total == Decimal("97.15")
    assert ("C101", "B33") in found and changes["B33"] == "优秀"
    s102 = next(f for f in result.findings if f.code == "S102")
    assert s102.message() == "得分 5 超过分值 1；三级指标得分不能超过其分值"


def test_funds_total_not_sum_of_parts_and_executed_above_budget():
    form = seed_form(clean_rows(), reasons={14: "x", 15: "y"}, total=97.752)
    form.funds[1] = FundsRow("basic", cell("B8", "基本支出"), cell("C8", 299.89), cell("D8", 299.89),
                             cell("E8", 310.0))
    result = check_form(form)
    found = [(f.code, f.cell) for f in result.findings]
    assert ("F103", "E7") in found  # 310 + 477.79 + 0 ≠ 758.37
    assert ("F201", "E8") in found


def test_empty_required_cells_and_unchecked_actual():
    rows = clean_rows()
    rows[4] = ("产出指标(50分)", "数量", "服务", "≥5次", "已完成", 3, 3)
    rows[5] = ("产出指标(50分)", "数量", "招商", "≥5次", "5次", 5, None)
    result = check_form(seed_form(rows, reasons={14: "x", 15: "y"}, total=None, conclusion=None))
    found = [(f.code, f.cell) for f in result.findings]
    assert ("S203", "F18") in found
    assert ("E101", "H19") in found and ("E101", "H32") in found and ("E101", "B33") in found
    changes = {c.cell.ref: c.new for c in result.changes}
    assert changes["H19"] == Decimal(5) and changes["H32"] == result.total and changes["B33"] == "优秀"


def test_a_blank_actual_makes_the_form_unfilled():
    """A blank 完成值 (issue 11): E101 on it, 未填写完整 — no computed total or grade, nothing written
    but the values whose inputs are all there (H19)."""
    rows = clean_rows()
    rows[4] = ("产出指标(50分)", "数量", "服务", "≥5次", "", 3, 3)
    rows[5] = ("产出指标(50分)", "数量", "招商", "≥5次", "5次", 5, None)
    result = check_form(seed_form(rows, reasons={14: "x", 15: "y"}, total=None, conclusion=None))
    found = [(f.code, f.cell) for f in result.findings]
    assert ("E101", "F18") in found and ("S203", "F18") not in found
    assert ("E101", "H19") in found and ("E101", "H32") in found and ("E101", "B33") in found
    assert result.complete is False and result.total is None and result.grade == ""
    assert {c.cell.ref: c.new for c in result.changes} == {"H19": Decimal(5)}


def test_quality_warnings():
    rows = clean_rows()
    rows[13] = ("产出指标(50分)", "成本", "经费", "≥50万元", "50万元", 8, 8)
    rows[17] = ("满意度指标(10分)", "服务对象满意度", "满意度", "≥120%", "120%", 10, 10)
    rows[0] = ("产出指标(50分)", "数量", "指标1", "*", "*", 1, 1)
    result = check_form(seed_form(rows, reasons={14: "x", 15: "y"}, total=97.752))
    assert sorted((f.code, f.cell) for f in result.findings) == [
        ("Q202", "E27"), ("Q203", "E31"), ("Q204", "D14")]


def test_level1_weights_adjusted_and_profile_budget_points():
    profile = profile_from_dict({"weights": {"budget": 20, "output": 40}})
    form = seed_form(clean_rows(), reasons={14: "x", 15: "y"}, total=97.752)
    result = check_form(form, profile)
    found = {f.code for f in result.findings}
    assert "W103" in found  # the form's 10 against the profile's 20
    assert "W201" in found  # 产出 50 (as labelled) against the profile's 40
    assert DEFAULT.budget_points == 10


def test_year_in_indicators_differs_from_title():
    rows = clean_rows()
    form = seed_form(rows, reasons={14: "x", 15: "y"}, total=97.752)
    form.year = 2024
    result = check_form(form)
    assert [(f.code, f.found) for f in result.findings] == [("Q205", 2023)]


def test_every_rule_is_in_the_readme_section():
    section = readme_section()
    for rule in RULES:
        assert f"`{rule.code}`" in section
        assert rule.severity in ("error", "warning")
        assert (rule.code[1] == "1") == (rule.severity == "error")


def test_readme_rules_table_is_generated_from_the_catalogue():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = readme.index("<!-- rules:end -->")
    assert readme[start:end] == readme_section(), "run: python -m selfeval_xlsx.rules and paste into README.md"


def test_a_score_that_is_not_a_number():
    rows = clean_rows()
    rows[4] = ("产出指标(50分)", "数量", "服务", "≥5次", "5次", 3, "满分")  # quantitative: the formula gives 3
    rows[0] = ("产出指标(50分)", "数量", "联络", "按期保质完成", "未完成", 1, "达标")  # nothing to compute from
    result = check_form(seed_form(rows, reasons={0: "人员调整", 14: "x", 15: "y"}, total=97.752))
    found = [(f.code, f.cell, f.found) for f in result.findings]
    assert ("S104", "H18", "满分") in found and ("S104", "H14", "达标") in found
    assert not any(code == "E101" for code, _, _ in found)
    assert [(c.cell.ref, c.new, c.code) for c in result.changes if c.code == "S104"] == [("H18", Decimal(3), "S104")]
    # the row that cannot be scored counts 0: 97.75 - 1
    assert result.total == Decimal("96.75")
