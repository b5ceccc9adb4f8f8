"""Template → a clerk fills it in → validate → fill: the whole life of a form.

The clerk's copy is saved by openpyxl, so every formula of the template loses
its cached value and the reader has to compute them.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from selfeval_xlsx.api import validate_file
from selfeval_xlsx.fill import fill_path
from selfeval_xlsx.template import plan_template, write_template

# 二级 -> (三级 name, target, actual, weight, score, reason)
ROWS = {
    "数量指标": ("举办培训班", "≥10期", "10期", 20, 20, None),
    "质量指标": ("培训合格率", "≥95%", "96%", 10, 10, None),
    "时效指标": ("按时完成率", "=100%", "100%", 10, 10, None),
    "成本指标": ("培训成本", "≤30万元", "28万元", 10, 10, None),
    "经济效益指标": ("带动就业人数", "≥200人", "180人", 10, 9, "受市场影响，部分学员未就业"),
    "社会效益指标": ("群众知晓率", "≥90%", "92%", 10, 10, None),
    "生态效益指标": ("纸质材料节约", "≥20%", "20%", 5, 5, None),
    "可持续影响指标": ("长效机制建立", "建立", "已建立", 5, 5, None),
    "服务对象满意度指标": ("学员满意度", "≥90%", "95%", 10, 10, None),
}


def clerk_fills(path, form: str, year: int, *, total_score=None, conclusion=None):
    plan = plan_template(form, year)
    wb = openpyxl.load_workbook(path)
    ws = wb.active

    def put(row0: int, key: str, value) -> None:
        ws.cell(row=row0 + 1, column=plan.col[key] + 1, value=value)

    funds = plan.funds_rows
    parts = [key for key in funds if key != "total"]
    amounts = {parts[0]: (300, 300, 290), parts[1]: (700, 700, 690), parts[2]: (0, 0, 0)}
    for key, (initial, budget, executed) in amounts.items():
        for column, value in zip(("initial", "budget", "executed"), (initial, budget, executed)):
            ws[plan.funds_cell(key, column)] = value
    for block in plan.level1_blocks:
        for level2 in block.level2:
            name, target, actual, weight, score, reason = ROWS[level2.name]
            row = level2.first_row
            put(row, "level3", name)
            put(row, "target", target)
            put(row, "actual", actual)
            put(row, "weight", weight)
            put(row, "score", score)
            if reason:
                put(row, "reason", reason)
    if total_score is not None:
        ws[plan.total_score_cell] = total_score
    if conclusion is not None:
        ws[plan.conclusion_cell] = conclusion
    wb.save(path)
    return plan


@pytest.mark.parametrize("form", ["department", "project"])
def test_a_correctly_filled_template_validates_clean(tmp_path, form):
    path = write_template(tmp_path / f"{form}.xlsx", form=form, year=2025, unit="某县人社局")
    plan = clerk_fills(path, form, 2025)
    (checked,) = validate_file(path)["forms"]
    assert checked["findings"] == [], checked["findings"]
    # 三级 89 (one explained deduction: 180/200 × 10 = 9) + budget 980/1000 × 10 = 9.8
    assert checked["budget"] == {"rate": 0.98, "score": 9.8, "stated_rate": 0.98, "stated_score": 9.8,
                                 "rate_cell": plan.funds_cell("total", "rate"),
                                 "score_cell": plan.funds_cell("total", "score")}
    assert checked["total"] == {"stated": 98.8, "computed": 98.8, "cell": plan.total_score_cell}
    assert checked["conclusion"] == {"stated": "优秀", "computed": "优秀", "cell": plan.conclusion_cell}
    assert checked["kind"] == form and checked["year"] == 2025


def test_a_wrong_hand_typed_total_is_filled_back_into_the_template(tmp_path):
    path = write_template(tmp_path / "dept.xlsx", form="department", year=2025, unit="某县人社局")
    plan = clerk_fills(path, "department", 2025, total_score=100, conclusion="良好")
    (form,) = validate_file(path)["forms"]
    assert sorted((f["code"], f["cell"]) for f in form["findings"]) == [
        ("C101", plan.conclusion_cell), ("T101", plan.total_score_cell)]
    out = fill_path(path, tmp_path / "out.xlsx")
    assert {c["cell"]: c["new"] for c in out["changes"]} == {plan.total_score_cell: 98.8,
                                                              plan.conclusion_cell: "优秀"}
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    assert wb.active[plan.total_score_cell].value == pytest.approx(98.8)
    assert wb.active[plan.conclusion_cell].value == "优秀"
    assert Decimal(str(validate_file(tmp_path / "out.xlsx")["forms"][0]["total"]["computed"])) == Decimal("98.8")
    assert validate_file(tmp_path / "out.xlsx")["forms"][0]["findings"] == []
