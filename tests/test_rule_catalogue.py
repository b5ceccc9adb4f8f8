"""Every rule in the catalogue fires on a workbook made to break it.

The base is the official blank template filled in correctly by a clerk (openpyxl,
so formulas carry no cached values and the reader computes them); it validates
clean. Each entry of FIXTURES then breaks exactly one thing the way submissions
do, and the rule's code must be among the findings, at the cell named. The
catalogue is walked: a rule without a fixture fails the suite, so a rule cannot
be added, or silently stop firing, without a test noticing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import openpyxl
import pytest

from selfeval_xlsx.api import validate_file
from selfeval_xlsx.rules import RULES
from selfeval_xlsx.template import plan_template, write_template

YEAR = 2025

# 二级 -> (三级 name, target, actual, weight, score, reason): a clean form,
# 三级 89 + budget 9.8 = 98.8, 优秀.
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
FIELDS = ("level3", "target", "actual", "weight", "score", "reason")


class Form:
    """The clerk's sheet with the template's plan, addressed by meaning."""

    def __init__(self, ws, plan):
        self.ws, self.plan = ws, plan

    def ref(self, level2: str, key: str) -> str:
        row = next(l2.first_row for b in self.plan.level1_blocks for l2 in b.level2 if l2.name == level2)
        return f"{openpyxl.utils.get_column_letter(self.plan.col[key] + 1)}{row + 1}"

    def put(self, level2: str, key: str, value) -> str:
        ref = self.ref(level2, key)
        self.ws[ref] = value
        return ref

    def level1_cell(self, key: str) -> str:
        block = next(b for b in self.plan.level1_blocks if b.level1.key == key)
        return f"{openpyxl.utils.get_column_letter(self.plan.col['level1'] + 1)}{block.first_row + 1}"

    def funds(self, row: str, column: str, value) -> str:
        ref = self.plan.funds_cell(row, column)
        self.ws[ref] = value
        return ref


def build(path: Path, mutate: Callable[[Form], str | None] | None, *, filled: bool = True) -> str | None:
    write_template(path, form="department", year=YEAR, unit="某县人社局")
    plan = plan_template("department", YEAR)
    wb = openpyxl.load_workbook(path)
    form = Form(wb.active, plan)
    if filled:
        parts = [key for key in plan.funds_rows if key != "total"]
        amounts = {parts[0]: (300, 300, 290), parts[1]: (700, 700, 690), parts[2]: (0, 0, 0)}
        for key, values in amounts.items():
            for column, value in zip(("initial", "budget", "executed"), values):
                form.funds(key, column, value)
        for level2, values in ROWS.items():
            for key, value in zip(FIELDS, values):
                if value is not None:
                    form.put(level2, key, value)
    where = mutate(form) if mutate else None
    wb.save(path)
    return where


def _level1_labels(form: Form) -> str:
    form.ws[form.level1_cell("output")] = "产出指标\n（60分）"
    form.ws[form.level1_cell("benefit")] = "效益指标\n（20分）"
    form.put("数量指标", "weight", 30)
    form.put("数量指标", "score", 30)
    form.put("经济效益指标", "weight", 5)
    form.put("经济效益指标", "score", 4.5)
    form.put("社会效益指标", "weight", 5)
    form.put("社会效益指标", "score", 5)
    return form.level1_cell("output")


def _no_satisfaction(form: Form) -> None:
    for key in FIELDS:
        form.put("服务对象满意度指标", key, None)
    form.put("数量指标", "weight", 30)   # keep the total at 100
    form.put("数量指标", "score", 30)


def _total_formula_misses_rows(form: Form) -> str:
    """The template's own 总分 formula with its range cut short: it leaves out
    the 效益 and 满意度 rows, so it stays wrong whatever fill writes."""
    cell = form.plan.total_score_cell
    formula = form.ws[cell].value
    assert isinstance(formula, str) and formula.startswith("=SUM("), formula
    last_output_row = form.ref("成本指标", "score")
    form.ws[cell] = re.sub(r"(SUM\(\$?[A-Z]+\$?\d+:)\$?[A-Z]+\$?\d+", lambda m: m.group(1) + last_output_row,
                           formula, count=1)
    assert form.ws[cell].value != formula
    return cell


def _header(form: Form, row: int, key: str, text: str) -> str:
    ref = f"{openpyxl.utils.get_column_letter(form.plan.col[key] + 1)}{row + 1}"
    form.ws[ref] = text
    return ref


def _funds_header_unreadable(form: Form) -> None:
    """The funds block's A and B columns relabelled so that no budget/executed column is left."""
    for column in ("initial", "budget", "executed", "rate"):
        ref = form.plan.funds_cell("total", column)
        letter = re.match(r"[A-Z]+", ref).group()
        form.ws[f"{letter}{form.plan.funds_header_row + 1}"] = f"金额{column[0]}"


def _no_score_column_and_blank_total(form: Form) -> None:
    _header(form, form.plan.indicator_header_row, "score", "自评情况")
    form.ws[form.plan.total_score_cell] = None


# code -> mutation returning the cell the finding must name (None: any cell)
FIXTURES: dict[str, Callable[[Form], str | None]] = {
    "W101": lambda f: (f.put("数量指标", "weight", 22), f.level1_cell("output"))[1],
    "W102": lambda f: (f.put("数量指标", "weight", 22), None)[1],
    "W103": lambda f: f.funds("total", "weight", 5),
    "W104": lambda f: f.put("生态效益指标", "weight", "五分"),
    "W201": _level1_labels,
    "W202": _no_satisfaction,
    "S101": lambda f: f.put("生态效益指标", "score", -2),
    "S102": lambda f: f.put("可持续影响指标", "score", 7),
    "S103": lambda f: (f.put("数量指标", "actual", "8期"), f.ref("数量指标", "score"))[1],
    "S104": lambda f: f.put("社会效益指标", "score", "满分"),
    "S201": lambda f: (f.put("可持续影响指标", "score", 4), f.ref("可持续影响指标", "reason"))[1],
    "S202": lambda f: (f.put("数量指标", "actual", "30期"), None)[1],
    "S203": lambda f: (f.put("成本指标", "actual", "完成"), None)[1],
    "F101": lambda f: f.funds("total", "rate", 0.5),
    "F102": lambda f: f.funds("total", "score", 10),
    "F103": lambda f: (f.funds("total", "executed", 999), None)[1],
    "F201": lambda f: (f.funds("basic", "executed", 310), None)[1],
    "T101": lambda f: (f.ws.__setitem__(f.plan.total_score_cell, 100), f.plan.total_score_cell)[1],
    "T102": _total_formula_misses_rows,
    "C101": lambda f: (f.ws.__setitem__(f.plan.conclusion_cell, "良好"), f.plan.conclusion_cell)[1],
    "C201": lambda f: (f.ws.__setitem__(f.plan.conclusion_cell, "已完成"), f.plan.conclusion_cell)[1],
    "E101": lambda f: f.put("生态效益指标", "score", None),
    "Q201": lambda f: f.put("经济效益指标", "target", "不断提升"),
    "Q202": lambda f: f.put("成本指标", "target", "≥30万元"),
    "Q203": lambda f: f.put("质量指标", "target", "≥120%"),
    "Q204": lambda f: (f.put("时效指标", "level3", "指标1"), f.put("时效指标", "target", "*"), None)[2],
    "Q205": lambda f: f.put("时效指标", "target", f"{YEAR - 2}年12月31日前"),
    "L201": _funds_header_unreadable,
    "L202": lambda f: (_header(f, f.plan.indicator_header_row, "weight", "备注"), None)[1],
    "L203": _no_score_column_and_blank_total,
    "L204": lambda f: (f.ws.__setitem__(f.plan.conclusion_cell, "结合自评情况，简要说明（200字以内）"),
                       f.plan.conclusion_cell)[1],
}
# Rules that need a form other than the filled template.
BLANK = {"E102"}
# Rules of layouts the official template does not have (goal blocks), with the test that fires each.
OTHER_LAYOUTS = {
    "W105": "test_variants.py::test_hubei_block_points_checked",
    "S105": "test_variants.py::test_no_weight_column_one_L_finding_block_sums_still_checked",
}


def findings(path: Path) -> list[dict]:
    result = validate_file(path)
    assert result["error"] is None, result["error"]
    (form,) = result["forms"]
    return form["findings"]


def test_the_base_form_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "clean.xlsx"
    build(path, None)
    assert findings(path) == []


def test_every_rule_has_a_fixture() -> None:
    assert {rule.code for rule in RULES} == set(FIXTURES) | BLANK | set(OTHER_LAYOUTS)


@pytest.mark.parametrize("code", sorted(FIXTURES))
def test_rule_fires(tmp_path: Path, code: str) -> None:
    path = tmp_path / f"{code}.xlsx"
    where = build(path, FIXTURES[code])
    found = findings(path)
    cells = [f["cell"] for f in found if f["code"] == code]
    assert cells, f"{code} did not fire; found {[(f['code'], f['cell']) for f in found]}"
    if where is not None:
        assert where in cells, (code, where, cells)


def test_blank_template_is_e102(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    build(path, None, filled=False)
    assert [f["code"] for f in findings(path)] == ["E102"]
