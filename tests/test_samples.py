"""Each sample workbook's findings, exactly.

The samples are real files (openpyxl-written, xlsxwriter-written,
LibreOffice-resaved, hand-edited; see sample_workbooks/README.md).  Each test
pins every finding (code and cell), the stated and computed totals, the budget
rate and score: a new false alarm or a lost finding fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval_xlsx.api import validate_file

from conftest import SAMPLES


def sample(prefix: str) -> Path:
    (path,) = [p for p in SAMPLES.iterdir() if p.name.startswith(prefix)]
    return path


# prefix -> [(sheet, findings, (stated total, computed total), (rate, budget score), (stated, computed conclusion))]
EXPECTED = {
    "01_": [("附件3-1", [
        ("W101", "B14"),  # 产出指标(50分) over rows totalling 47
        ("S202", "I18"), ("S202", "I19"), ("S202", "I21"), ("S202", "I22"),  # ≥5次 → 25/41/46次, 12篇 → 79篇
        ("E101", "D26"),  # the 时效 row has no 三级 name
        ("Q201", "E28"), ("S201", "I28"), ("Q201", "E29"), ("S201", "I29"), ("Q201", "E30"),  # 不断提升, 9/10
        ("W102", "G32"),  # total weight 97
        ("T101", "H32"),  # 97.752 against 94.75
    ], (97.752, 94.75), (0.9752, 9.752), ("优秀", "优秀"))],
    "02_": [("附件3-1", [], (99.1, 99.1), (0.985, 9.85), ("优秀", "优秀"))],
    "03_": [("附件3-2", [], (99.6, 99.6), (0.98, 9.8), (None, "优秀"))],
    "04_": [("附件3-1", [
        ("F103", "D7"), ("F101", "H7"), ("F102", "I7"), ("F201", "F9"),
        ("S103", "H15"), ("S201", "I15"), ("S202", "I16"),
        ("Q204", "D17"),  # the placeholder row 指标1 | * | * is not an indicator: Q204 only, no E101 for its blanks
        ("S102", "H18"), ("Q203", "E19"), ("E101", "H21"), ("Q202", "E23"), ("Q201", "E25"), ("S201", "I26"),
        ("T101", "H29"), ("C101", "D30"),
    ], (92.35, 88.5), (0.95, 9.5), ("优秀", "良好"))],
    "05_": [("Sheet1", [], (99.65, 99.65), (0.985, 9.85), ("优秀", "优秀"))],
    "06_": [
        ("部门整体支出", [], (98.9, 98.9), (0.99, 9.9), ("优秀", "优秀")),
        ("项目1-高标准农田建设", [], (99.9, 99.9), (0.99, 9.9), ("优秀", "优秀")),
        ("项目2-耕地地力保护补贴", [("S103", "H15"), ("S201", "I15"), ("T101", "H24")],
         (100.0, 99.75), (1.0, 10.0), ("优秀", "优秀")),
    ],
    "07_": [("项目自评表", [], (99.3, 99.3), (0.98, 9.8), ("优", "优秀"))],
    "08_": [("附件3-1", [("S201", "I22")], (98.5, 98.5), (0.96, 9.6), ("优秀", "优秀"))],
    "09_": [("附件3-1", [("F102", "I7"), ("T101", "H24")], (99.8, 99.3), (0.97, 9.7), ("优秀", "优秀"))],
    "10_": [("附件3-1", [("T101", "H23")], (98.9, 99.9), (0.99, 9.9), ("优秀", "优秀"))],
}


def _pairs(findings):
    return sorted((f["code"], f["cell"]) for f in findings)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_findings_exactly(prefix):
    result = validate_file(sample(prefix))
    expected = EXPECTED[prefix]
    assert [form["sheet"] for form in result["forms"]] == [sheet for sheet, *_ in expected]
    for form, (sheet, findings, total, budget, conclusion) in zip(result["forms"], expected):
        assert _pairs(form["findings"]) == sorted(findings), sheet
        assert (form["total"]["stated"], form["total"]["computed"]) == total
        assert (form["budget"]["rate"], form["budget"]["score"]) == budget
        assert (form["conclusion"]["stated"], form["conclusion"]["computed"]) == conclusion
    errors = any(f["severity"] == "error" for form in result["forms"] for f in form["findings"])
    assert result["status"] == ("errors" if errors else "ok")


def test_every_sample_is_pinned():
    files = sorted(p.name[:3] for p in SAMPLES.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))
    assert files == sorted(EXPECTED)


def test_seed_messages_say_what_and_where():
    form = validate_file(sample("01_"))["forms"][0]
    messages = {f["cell"]: f["message"] for f in form["findings"]}
    assert messages["B14"] == "一级指标“产出指标”标注 50 分，其下三级指标分值合计 47；请调整三级指标分值或更正标注"
    assert messages["G32"] == "分值合计 97（三级指标 87 + 预算执行率 10），应为 100；请调整分值使总分为 100"
    assert messages["I28"] == "得分 9 低于分值 10，但未填写未完成原因；请说明偏离目标的原因及改进措施"
    assert messages["E28"] == "指标值“不断提升”无法衡量；请改为可量化、可考核的目标值"
    assert form["unit"] == "贵州省黔南布依族苗族自治州人民政府驻北京联络处" and form["year"] == 2023
    assert form["indicator_count"] == 18 and form["kind"] == "department"


def test_project_and_department_kinds_and_units():
    kinds = [(f["kind"], f["unit"]) for f in validate_file(sample("06_"))["forms"]]
    assert kinds == [("department", "某县农业农村局"), ("project", "2024年高标准农田建设项目"),
                     ("project", "2024年耕地地力保护补贴")]


def test_english_messages():
    form = validate_file(sample("09_"), lang="en")["forms"][0]
    assert [f["message"] for f in form["findings"]] == [
        "Budget score 10 should be 9.7 (rate × 10, at most 10); correct it",
        "Total 99.8 should be 99.3 (indicator scores + budget score); correct it",
    ]


@pytest.mark.parametrize("template", sorted((SAMPLES.parent / "templates").glob("*.xlsx")), ids=lambda p: p.name)
def test_a_blank_template_gives_one_finding_not_a_cascade(template):
    (form,) = validate_file(template)["forms"]
    assert [(f["code"], f["cell"]) for f in form["findings"]] == [("E102", None)]
    assert form["indicator_count"] == 0
