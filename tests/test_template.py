"""The official blank templates (selfeval_xlsx.template, `selfeval template`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from selfeval_xlsx import layout
from selfeval_xlsx.profile import DEFAULT, profile_from_dict
from selfeval_xlsx.template import formulas, page_breaks, plan_template, write_template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FORMS = ("department", "project")


def a1(row: int, col: int) -> str:
    """0-based row/col -> A1."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def span_ref(row: int, cols: tuple[int, int], last_row: int | None = None) -> str:
    last_row = row if last_row is None else last_row
    return f"{a1(row, cols[0])}:{a1(last_row, cols[1])}"


@pytest.fixture(scope="module", params=FORMS)
def generated(request, tmp_path_factory):
    """(form, plan, path, formula sheet, cached-value sheet)."""
    form = request.param
    path = write_template(tmp_path_factory.mktemp(form) / "t.xlsx", form=form, year=2025)
    plan = plan_template(form, 2025)
    ws = openpyxl.load_workbook(path).active
    cached = openpyxl.load_workbook(path, data_only=True).active
    return form, plan, path, ws, cached


# --------------------------------------------------------------------------
# labels


def test_title_lines(generated):
    form, plan, _, ws, _ = generated
    spec = layout.FORMS[form]
    assert ws.title == spec.title
    assert ws[a1(plan.attachment_row, 0)].value == spec.attachment
    assert ws[a1(plan.title_row, 0)].value == spec.title
    assert ws[a1(plan.year_row, 0)].value == "（2025年度）"
    assert ws[a1(plan.date_row, 0)].value == "填报日期："
    seal = plan.span(*layout.TEMPLATE_SPANS["seal"])
    assert ws[a1(plan.date_row, seal[0])].value == "单位（盖章）："
    merged = {str(r) for r in ws.merged_cells.ranges}
    full = plan.span("block", "reason")
    for row in (plan.title_row, plan.year_row):
        assert span_ref(row, full) in merged


def test_title_labels_official():
    assert layout.DEPARTMENT.attachment == "附件3-1"
    assert layout.PROJECT.attachment == "附件3-2"
    assert layout.PROJECT.title == "项目支出绩效自评表"


def test_header_fields(generated):
    form, plan, _, ws, _ = generated
    labels = [ws[a1(row, plan.span(*spans[0])[0])].value
              for row, fields in zip(plan.header_rows, layout.TEMPLATE_HEADER_ROWS[form])
              for spans in layout.TEMPLATE_HEADER_SPANS[len(fields)]]
    expected = ["部门（单位）名称"] if form == "department" else ["项目名称", "主管部门", "实施单位"]
    assert labels == expected


def test_funds_block(generated):
    form, plan, _, ws, _ = generated
    spec = layout.FORMS[form]
    head = plan.funds_header_row
    assert ws[a1(head, 0)].value == spec.funds_label
    assert spec.funds_label == ("部门（单位）总体资金（万元）" if form == "department" else "项目资金（万元）")
    headers = [ws[a1(head, plan.funds_span(k)[0])].value for k in layout.OFFICIAL_FUNDS_KEYS]
    assert headers == ["资金来源", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率", "得分"]
    rows = [ws[a1(plan.funds_rows[r.key], plan.funds_span("source")[0])].value for r in spec.funds_rows]
    if form == "department":
        assert rows == ["年度资金总额", "基本支出", "项目支出", "其他资金"]
    else:
        assert rows == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    total = plan.funds_rows["total"]
    assert ws[a1(total, plan.funds_span("weight")[0])].value == 10
    for key, row in plan.funds_rows.items():
        if key != "total":
            for col in ("weight", "rate", "score"):
                assert ws[a1(row, plan.funds_span(col)[0])].value == "—"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert span_ref(head, (0, 0), max(plan.funds_rows.values())) in merged


def test_goal_block(generated):
    _, plan, _, ws, _ = generated
    assert ws[a1(plan.goal_header_row, 0)].value == "年度总体目标"
    expected = plan.span(*layout.TEMPLATE_SPANS["goal_expected"])
    actual = plan.span(*layout.TEMPLATE_SPANS["goal_actual"])
    assert ws[a1(plan.goal_header_row, expected[0])].value == "预期目标"
    assert ws[a1(plan.goal_header_row, actual[0])].value == "实际完成情况"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert span_ref(plan.goal_text_row, expected) in merged
    assert span_ref(plan.goal_text_row, actual) in merged


def test_indicator_table(generated):
    form, plan, _, ws, _ = generated
    head = plan.indicator_header_row
    headers = [ws[a1(head, plan.col[k])].value for k in layout.OFFICIAL_INDICATOR_KEYS]
    reason = "未完成原因分析" if form == "department" else "偏差原因分析及改进措施"
    assert headers == ["一级指标", "二级指标", "三级指标", "年度指标值（A）", "实际完成值（B）", "分值", "得分", reason]
    assert ws[a1(head, 0)].value == "绩效指标"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert span_ref(head, (0, 0), plan.last_indicator_row) in merged
    level1 = plan.col["level1"]
    level2 = plan.col["level2"]
    seen1, seen2 = [], []
    for block in plan.level1_blocks:
        seen1.append(ws[a1(block.first_row, level1)].value)
        assert span_ref(block.first_row, (level1, level1), block.last_row) in merged
        for b2 in block.level2:
            assert b2.last_row - b2.first_row + 1 == 3  # --rows default
            seen2.append(ws[a1(b2.first_row, level2)].value)
            assert span_ref(b2.first_row, (level2, level2), b2.last_row) in merged
    assert seen1 == ["产出指标\n（50分）", "效益指标\n（30分）", "满意度指标\n（10分）"]
    assert seen2 == ["数量指标", "质量指标", "时效指标", "成本指标",
                     "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标"]
    assert plan.last_indicator_row - plan.first_indicator_row + 1 == 27
    # the 三级 rows are blank
    for row in range(plan.first_indicator_row, plan.last_indicator_row + 1):
        for key in ("level3", "target", "actual", "weight", "score", "reason"):
            assert ws[a1(row, plan.col[key])].value is None


def test_total_conclusion_and_notes(generated):
    form, plan, _, ws, _ = generated
    assert ws[a1(plan.total_row, 0)].value == "总分"
    assert ws[a1(plan.conclusion_row, 0)].value == "自评结论"
    merged = {str(r) for r in ws.merged_cells.ranges}
    label = plan.span(*layout.TEMPLATE_SPANS["total_label"])
    assert span_ref(plan.total_row, label) in merged
    assert span_ref(plan.conclusion_row, label) in merged
    notes = [ws[a1(r, 0)].value for r in plan.notes_rows]
    assert tuple(notes) == plan.notes
    assert len(notes) == 4
    assert notes[0].startswith("注：1. 绩效自评采取打分评价的形式，满分为100分")
    assert "产出指标50分、效益指标30分、满意度指标10分、预算资金执行率10分" in notes[0]
    assert notes[3].endswith("50-0%合理选择权重确定得分。")
    for row in plan.notes_rows:
        assert span_ref(row, plan.span("block", "reason")) in merged
    assert ws.max_row == plan.last_row + 1


# --------------------------------------------------------------------------
# formulas and cached values


def test_formulas(generated):
    form, plan, _, ws, cached = generated
    t = plan.funds_rows["total"] + 1  # 1-based total row
    first, last = t + 1, t + 3
    assert ws[f"D{t}"].value == f"=SUM(D{first}:D{last})"
    assert ws[f"E{t}"].value == f"=SUM(E{first}:E{last})"
    assert ws[f"F{t}"].value == f"=SUM(F{first}:F{last})"
    assert ws[f"H{t}"].value == f"=IFERROR(ROUND(F{t}/E{t},4),0)"
    assert ws[f"I{t}"].value == f"=ROUND(MIN(H{t},1)*G{t},2)"
    assert ws[f"H{t}"].number_format == "0.00%"
    i1, i2 = plan.first_indicator_row + 1, plan.last_indicator_row + 1
    total = plan.total_row + 1
    assert ws[f"G{total}"].value == f"=SUM(G{i1}:G{i2})+G{t}"
    assert ws[f"H{total}"].value == f"=SUM(H{i1}:H{i2})+I{t}"
    assert ws[plan.conclusion_cell].value == (
        f'=IF(COUNT(H{i1}:H{i2})=0,"",IF(H{total}>=90,"优秀",IF(H{total}>=80,"良好",'
        f'IF(H{total}>=60,"中","差"))))'
    )
    # cached results of the blank template
    assert cached[f"H{t}"].value == 0
    assert cached[f"I{t}"].value == 0
    assert cached[f"D{t}"].value == 0
    assert cached[f"G{total}"].value == 10
    assert cached[f"H{total}"].value == 0
    assert cached[plan.conclusion_cell].value in ("", None)
    # every formula of the plan is in the file, with a cached value
    for ref, (text, value) in formulas(plan).items():
        assert ws[ref].value == text
        if value != "":
            assert cached[ref].value == value


def test_cached_values_in_xml(generated):
    """Every formula cell carries a <v> (a reader that does not calculate sees it)."""
    import re
    import zipfile

    _, _, path, _, _ = generated
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r"<c [^>]*>(?:(?!</c>).)*<f>(?:(?!</c>).)*</c>", xml)
    assert len(cells) == 8
    assert all("<v>" in c or "<v/>" in c or "<v></v>" in c for c in cells)


def test_profile_changes_labels_and_formulas(tmp_path):
    profile = profile_from_dict({"weights": {"output": 40, "budget": 20},
                                 "grades": {"excellent": 80, "good": 70}})
    path = write_template(tmp_path / "p.xlsx", year=2024, profile=profile, rows=2, unit="测试局")
    plan = plan_template("department", 2024, 2, profile)
    ws = openpyxl.load_workbook(path).active
    assert ws[a1(plan.level1_blocks[0].first_row, plan.col["level1"])].value == "产出指标\n（40分）"
    assert ws[a1(plan.funds_rows["total"], plan.funds_span("weight")[0])].value == 20
    assert ">=80,\"优秀\"" in ws[plan.conclusion_cell].value
    assert ">=70,\"良好\"" in ws[plan.conclusion_cell].value
    assert plan.last_indicator_row - plan.first_indicator_row + 1 == 18
    assert ws[a1(plan.header_rows[0], plan.span("level2", "reason")[0])].value == "测试局"
    assert ws[a1(plan.year_row, 0)].value == "（2024年度）"


def test_cost_level1_profile(tmp_path):
    profile = profile_from_dict({"weights": {"output": 40, "cost": 10}})
    plan = plan_template("department", 2025, 1, profile)
    names = [b.level1.name for b in plan.level1_blocks]
    assert names == ["产出指标", "成本指标", "效益指标", "满意度指标"]
    assert "成本指标" not in plan.level1_blocks[0].level1.level2
    write_template(tmp_path / "c.xlsx", profile=profile, rows=1)


def test_project_unit_prefills_project_name(tmp_path):
    path = write_template(tmp_path / "p.xlsx", form="project", unit="某某项目")
    plan = plan_template("project", 2025)
    ws = openpyxl.load_workbook(path).active
    assert ws[a1(plan.header_rows[0], plan.span("level2", "reason")[0])].value == "某某项目"


# --------------------------------------------------------------------------
# validation, conditional formats, print settings, fonts, protection


def _validations(ws):
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_data_validation(generated):
    _, plan, _, ws, _ = generated
    dvs = _validations(ws)
    i1, i2 = plan.first_indicator_row + 1, plan.last_indicator_row + 1
    score = dvs[f"H{i1}:H{i2}"]
    assert score.type == "decimal" and score.operator in (None, "between")  # the OOXML default
    assert score.formula1 == "0" and score.formula2 == f"$G{i1}"
    assert "得分" in score.prompt and "分值" in score.error and score.showErrorMessage
    weight = dvs[f"G{i1}:G{i2}"]
    assert (weight.type, weight.operator, weight.formula1) == ("decimal", "greaterThan", "0")
    assert weight.prompt and weight.error
    for block in plan.level1_blocks:
        ref = f"C{block.first_row + 1}:C{block.last_row + 1}"
        dv = dvs[ref]
        assert dv.type == "list"
        assert dv.formula1 == '"' + ",".join(block.level1.level2) + '"'
        assert "二级" in dv.prompt and dv.error
    conclusion = dvs[plan.conclusion_cell]
    assert conclusion.type == "list" and conclusion.formula1 == '"优秀,良好,中,差"'
    assert "自评结论" in conclusion.error and conclusion.prompt
    for dv in dvs.values():
        assert dv.promptTitle and dv.errorTitle and dv.showInputMessage


def test_conditional_formats(generated):
    _, plan, _, ws, _ = generated
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    for block in plan.level1_blocks:
        first, last = block.first_row + 1, block.last_row + 1
        weights = f"$G${first}:$G${last}"
        assert rules[f"B{first}:B{last}"] == [f"AND(SUM({weights})>0,SUM({weights})<>{int(block.weight)})"]
    i1, i2 = plan.first_indicator_row + 1, plan.last_indicator_row + 1
    total = plan.total_row + 1
    assert rules[f"G{total}"] == [f"AND(COUNT($G${i1}:$G${i2})>0,$G${total}<>100)"]
    assert rules[f"H{i1}:H{i2}"] == [f"AND(ISNUMBER(H{i1}),ISNUMBER(G{i1}),H{i1}>G{i1})"]
    assert f"LEN(TRIM(I{i1}))=0" in rules[f"I{i1}:I{i2}"][0]


def test_print_settings(generated):
    _, plan, _, ws, _ = generated
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth or 1) == 1  # absent = the OOXML default, 1
    assert int(ws.page_setup.fitToHeight) == 0
    header = plan.indicator_header_row + 1
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert ws.print_area == [f"$A$1:$I${plan.last_row + 1}"] or ws.print_area == f"'{ws.title}'!$A$1:$I${plan.last_row + 1}"


def test_fonts_fills_borders_widths(generated):
    _, plan, _, ws, _ = generated
    title = ws[a1(plan.title_row, 0)]
    assert title.font.name == "黑体" and title.font.sz >= 16
    for ref in (a1(plan.indicator_header_row, 1), a1(plan.first_indicator_row, plan.col["level3"]),
                a1(plan.notes_rows[0], 0), plan.total_score_cell):
        assert ws[ref].font.name == "宋体"
        assert ws[ref].font.charset == 134
    header = ws[a1(plan.indicator_header_row, plan.col["level3"])]
    assert header.alignment.wrap_text and header.border.left.style == "thin"
    inputs = [a1(plan.first_indicator_row, plan.col[k]) for k in ("level3", "weight", "score", "reason")]
    inputs.append(a1(plan.funds_rows["total"] + 1, plan.funds_span("budget")[0]))
    for ref in inputs:
        assert ws[ref].fill.fgColor.rgb.endswith("FFF9DB"), ref
        assert ws[ref].border.bottom.style == "thin"
    for ref in (plan.total_score_cell, plan.total_weight_cell, plan.funds_cell("total", "rate")):
        assert ws[ref].fill.fgColor.rgb.endswith("E7E6E6"), ref
    widths = {c.key: ws.column_dimensions[get_column_letter(i + 1)].width
              for i, c in enumerate(layout.TEMPLATE_COLUMNS)}
    assert widths["level3"] > widths["target"] > widths["weight"]
    assert ws.row_dimensions[plan.notes_rows[0] + 1].height >= 40


def test_no_protection_by_default(generated):
    _, _, _, ws, _ = generated
    assert not ws.protection.sheet


@pytest.mark.parametrize("form", FORMS)
def test_protect(tmp_path, form):
    path = write_template(tmp_path / "p.xlsx", form=form, protect=True)
    plan = plan_template(form, 2025)
    ws = openpyxl.load_workbook(path).active
    assert ws.protection.sheet
    # OOXML: a true attribute *forbids* the action
    assert not ws.protection.insertRows and not ws.protection.deleteRows
    assert not ws.protection.formatCells
    for key in ("level2", "level3", "target", "actual", "weight", "score", "reason"):
        assert ws[a1(plan.first_indicator_row, plan.col[key])].protection.locked is False, key
    assert ws[a1(plan.header_rows[0], plan.span("level2", "reason")[0])].protection.locked is False
    assert ws[a1(plan.funds_rows["total"] + 1, plan.funds_span("budget")[0])].protection.locked is False
    for ref in (plan.total_score_cell, plan.total_weight_cell, plan.funds_cell("total", "rate"),
                plan.funds_cell("total", "score"), plan.funds_cell("total", "budget"),
                a1(plan.title_row, 0), a1(plan.indicator_header_row, 1),
                a1(plan.level1_blocks[0].first_row, plan.col["level1"])):
        assert ws[ref].protection.locked is not False, ref


# --------------------------------------------------------------------------
# determinism: regenerating gives the committed files


def _snapshot(path: Path) -> dict:
    ws = openpyxl.load_workbook(path).active
    cached = openpyxl.load_workbook(path, data_only=True).active
    return {
        "cells": {c.coordinate: (c.value, c.number_format, c.font.name, c.fill.fgColor.rgb,
                                 c.protection.locked)
                  for row in ws.iter_rows() for c in row},
        "cached": {c.coordinate: c.value for row in cached.iter_rows() for c in row},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "validations": sorted((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2,
                               dv.prompt, dv.error) for dv in ws.data_validations.dataValidation),
        "conditional": sorted((str(cf.sqref), tuple(r.formula[0] for r in cf.rules))
                              for cf in ws.conditional_formatting),
        "heights": {r: d.height for r, d in ws.row_dimensions.items()},
        "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        "print": (ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.paperSize),
        "breaks": [brk.id for brk in ws.row_breaks.brk],
        "title": ws.title,
    }


@pytest.mark.parametrize("form", FORMS)
def test_committed_templates_are_current(tmp_path, form):
    name = layout.FORMS[form].default_filename(2025)
    committed = TEMPLATES / name
    assert committed.exists(), f"{committed} missing: run python templates/regenerate.py"
    fresh = write_template(tmp_path / name, form=form, year=2025)
    assert _snapshot(fresh) == _snapshot(committed), "templates/ is stale: run python templates/regenerate.py"


def test_regeneration_is_byte_identical(tmp_path):
    a = write_template(tmp_path / "a.xlsx", year=2025)
    b = write_template(tmp_path / "b.xlsx", year=2025)
    assert a.read_bytes() == b.read_bytes()
    props = openpyxl.load_workbook(a).properties
    assert props.creator == "selfeval-xlsx"
    assert props.title == "部门整体支出绩效自评表（2025年度）"


def test_atomic_write_leaves_no_temp_files(tmp_path):
    write_template(tmp_path / "x.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


def test_bad_arguments():
    with pytest.raises(ValueError):
        plan_template("nope")
    with pytest.raises(ValueError):
        plan_template("department", rows=0)


# --------------------------------------------------------------------------
# filled in and recalculated by LibreOffice


def _recalculate(src: Path, workdir: Path) -> Path:
    """Open in LibreOffice with "always recalculate on load" and save a copy."""
    profile = workdir / "lo_profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    out = workdir / "out"
    out.mkdir()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    return out / src.name


@pytest.mark.libreoffice
@pytest.mark.usefixtures("soffice")
@pytest.mark.parametrize("form", FORMS)
def test_filled_template_recalculates_in_libreoffice(tmp_path, form):
    src = write_template(tmp_path / "filled.xlsx", form=form, year=2025)
    plan = plan_template(form, 2025)
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    parts = [k for k in plan.funds_rows if k != "total"]
    budget_col = plan.funds_span("budget")[0]
    executed_col = plan.funds_span("executed")[0]
    for key, (budget, executed) in zip(parts, [(299.89, 280.58), (477.79, 477.79), (0, 0)]):
        ws[a1(plan.funds_rows[key], budget_col)] = budget
        ws[a1(plan.funds_rows[key], executed_col)] = executed
    rows = []
    for block, pairs in zip(plan.level1_blocks, [[(30, 30), (20, 18)], [(20, 20), (10, 9)], [(10, 10)]]):
        for offset, (weight, score) in enumerate(pairs):
            rows.append((block.first_row + offset, weight, score))
    for row, weight, score in rows:
        ws[a1(row, plan.col["level3"])] = "指标"
        ws[a1(row, plan.col["weight"])] = weight
        ws[a1(row, plan.col["score"])] = score
    wb.save(src)

    result = openpyxl.load_workbook(_recalculate(src, tmp_path), data_only=True).active
    assert result[plan.funds_cell("total", "budget")].value == pytest.approx(777.68)
    assert result[plan.funds_cell("total", "executed")].value == pytest.approx(758.37)
    assert result[plan.funds_cell("total", "rate")].value == pytest.approx(0.9752)
    assert result[plan.funds_cell("total", "score")].value == pytest.approx(9.75)
    assert result[plan.total_weight_cell].value == pytest.approx(100)
    assert result[plan.total_score_cell].value == pytest.approx(87 + 9.75)
    assert result[plan.conclusion_cell].value == "优秀"

    # a lower score moves the conclusion down a band
    wb = openpyxl.load_workbook(src)
    wb.active[a1(rows[0][0], plan.col["score"])] = 15
    (tmp_path / "again").mkdir()
    again = tmp_path / "again" / "filled.xlsx"
    wb.save(again)
    result = openpyxl.load_workbook(_recalculate(again, tmp_path / "again"), data_only=True).active
    assert result[plan.total_score_cell].value == pytest.approx(72 + 9.75)
    assert result[plan.conclusion_cell].value == "良好"


# --------------------------------------------------------------------------
# the command line


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_writes_default_name_into_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = _cli("template", "-o", str(out), "--year", "2024", "--form", "project", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    target = out / "项目支出绩效自评表_2024.xlsx"
    assert target.exists()
    assert proc.stdout.strip() == f"已生成模板：{target}"
    ws = openpyxl.load_workbook(target).active
    assert ws.title == "项目支出绩效自评表"


def test_cli_default_is_department_last_year_in_cwd(tmp_path):
    from datetime import date

    proc = _cli("template", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    name = f"部门整体支出绩效自评表_{date.today().year - 1}.xlsx"
    assert (tmp_path / name).exists()
    assert proc.stdout.startswith("Template written: ")


def test_cli_explicit_file_and_options(tmp_path):
    target = tmp_path / "sub" / "mine.xlsx"
    proc = _cli("template", "-o", str(target), "--rows", "2", "--protect", "--unit", "某局", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(target).active
    assert ws.protection.sheet
    assert ws["C5"].value == "某局"


def test_cli_bad_profile(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\nbogus = 1\n", encoding="utf-8")
    proc = _cli("template", "--profile", str(bad), "-o", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "weights.bogus" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.glob("*.xlsx"))


def test_cli_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = _cli("template", "-o", str(blocker / "x.xlsx"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "x.xlsx" in proc.stderr


def test_cli_folder_without_suffix_and_bad_suffix(tmp_path):
    proc = _cli("template", "-o", "newdir", "--year", "2023", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "newdir" / "部门整体支出绩效自评表_2023.xlsx").exists()
    proc = _cli("template", "-o", "out.xls", cwd=tmp_path)
    assert proc.returncode == 2 and ".xlsx" in proc.stderr
    assert not (tmp_path / "out.xls").exists()


def test_cli_bad_rows(tmp_path):
    proc = _cli("template", "--rows", "0", "-o", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2 and "--rows" in proc.stderr


def test_default_profile_weights_match_labels():
    plan = plan_template("department", 2025, 3, DEFAULT)
    assert [b.weight for b in plan.level1_blocks] == [Decimal(50), Decimal(30), Decimal(10)]
    assert [range_boundaries(f"A{b.first_row + 1}:A{b.last_row + 1}")[3] - b.first_row for b in
            plan.level1_blocks] == [12, 12, 3]


# --------------------------------------------------------------------------
# printed pages, notes, number formats (issue 13)

A4_LANDSCAPE_POINTS = (11.69 * 72, 8.27 * 72)


def _level1_blocks_in_file(ws, plan) -> list[tuple[int, int]]:
    """(first, last) 0-based rows of each 一级 block, read from the file: each 一级 label
    cell ("产出指标\n（50分）") below the indicator header and the rows its merge spans."""
    column = plan.col["level1"] + 1
    merges = {(r.min_row, r.min_col): r.max_row for r in ws.merged_cells.ranges}
    blocks = []
    for row in range(plan.indicator_header_row + 2, ws.max_row + 1):
        value = ws.cell(row, column).value
        if isinstance(value, str) and re.search(r"指标\s*（\d+分）$", value):
            blocks.append((row - 1, merges.get((row, column), row) - 1))
    return blocks


def _pages_from_file(path: Path):
    """Read the sheet's manual row breaks and lay its rows out on A4 landscape pages at the
    fit-to-width scale, from the widths, heights, margins and print titles stored in the file.
    Returns (ws, breaks as 0-based first rows of a page, page heights in points, printable height)."""
    ws = openpyxl.load_workbook(path).active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert all(brk.man for brk in ws.row_breaks.brk)
    breaks = [brk.id for brk in ws.row_breaks.brk]  # a break after 1-based row id = before 0-based row id
    # Excel's column pixels for the default font (Calibri 11: 7 px digits + 5 px padding)
    pixels = 0
    for i in range(1, ws.max_column + 1):
        stored = ws.column_dimensions[get_column_letter(i)].width  # = chars + 5/7 as written
        pixels += round(stored * 7)
    width_points = pixels * 0.75
    margins = ws.page_margins
    printable_width = A4_LANDSCAPE_POINTS[0] - (margins.left + margins.right) * 72
    scale = min(1.0, printable_width / width_points)
    printable = (A4_LANDSCAPE_POINTS[1] - (margins.top + margins.bottom) * 72) / scale
    default = ws.sheet_format.defaultRowHeight or 15

    def height(row0: int) -> float:
        dim = ws.row_dimensions.get(row0 + 1)
        return dim.height if dim is not None and dim.height else default

    title = int(ws.print_title_rows.replace("$", "").split(":")[0]) - 1  # 0-based repeated header row
    starts = [0, *breaks]
    ends = [*(b - 1 for b in breaks), ws.max_row - 1]
    pages = []
    for first, last in zip(starts, ends):
        total = sum(height(r) for r in range(first, last + 1))
        if first > title:
            total += height(title)
        pages.append(total)
    return ws, breaks, pages, printable


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("rows,weights", [(3, None), (1, None), (5, None), (8, None),
                                          (3, {"output": 40, "cost": 10})])
def test_page_breaks_never_inside_a_level1_block(tmp_path, form, rows, weights):
    profile = profile_from_dict({"weights": weights}) if weights else DEFAULT
    path = write_template(tmp_path / "t.xlsx", form=form, year=2025, rows=rows, profile=profile)
    plan = plan_template(form, 2025, rows, profile)
    ws, breaks, pages, printable = _pages_from_file(path)
    assert breaks, "the form is taller than one page: it needs row breaks"
    blocks = _level1_blocks_in_file(ws, plan)
    assert len(blocks) == len(plan.level1_blocks)
    for first_row_of_page in breaks:
        for first, last in blocks:
            assert not first < first_row_of_page <= last, (first_row_of_page, first, last)
        # the indicator header never ends a page
        assert first_row_of_page != plan.indicator_header_row + 1
    # every page holds its rows at the fit-to-width scale (no automatic break needed)
    for number, used in enumerate(pages, 1):
        assert used <= printable + 0.01, f"page {number}: {used} pt > {printable} pt"
    # still fit to one page wide, as many tall as needed
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0


def test_committed_templates_break_between_blocks():
    for form in FORMS:
        path = TEMPLATES / layout.FORMS[form].default_filename(2025)
        plan = plan_template(form, 2025)
        ws, breaks, pages, printable = _pages_from_file(path)
        # page 1: title, funds, 年度总体目标; page 2: header, 产出, 效益; page 3: 满意度, 总分, notes
        assert breaks == [plan.indicator_header_row, plan.level1_blocks[2].first_row]
        assert max(pages) <= printable


def test_a_block_taller_than_a_page_is_split_at_level2_first(tmp_path):
    plan = plan_template("department", 2025, 12)  # 12 rows a 二级: 产出 is 48 rows = 720 pt
    path = write_template(tmp_path / "big.xlsx", year=2025, rows=12)
    ws, breaks, pages, printable = _pages_from_file(path)
    assert max(pages) <= printable
    level2_starts = {b2.first_row for b in plan.level1_blocks for b2 in b.level2}
    inside_level1 = [r for r in breaks if any(b.first_row < r <= b.last_row for b in plan.level1_blocks)]
    assert inside_level1 and set(inside_level1) <= level2_starts


@pytest.mark.parametrize("form", FORMS)
def test_notes_name_the_columns_as_the_form_does(generated, form):
    path = write_template(Path(generated[2]).parent / f"notes_{form}.xlsx", form=form, year=2025)
    plan = plan_template(form, 2025)
    ws = openpyxl.load_workbook(path).active
    head = plan.indicator_header_row
    headers = {ws[a1(head, plan.col[k])].value for k in layout.OFFICIAL_INDICATOR_KEYS}
    notes = [ws[a1(r, 0)].value for r in plan.notes_rows]
    reason = ws[a1(head, plan.col["reason"])].value
    assert notes[1].startswith(f"2. {reason}：")
    other = "未完成原因分析" if form == "project" else "偏差原因分析及改进措施"
    assert all(other not in note for note in notes)
    for name in ("年度指标值（A）", "实际完成值（B）"):
        assert name in headers and name in notes[2]
    # no half-width spelling of a header the form writes with full-width brackets
    assert all("(A)" not in note and "(B)" not in note for note in notes)


def test_notes_follow_the_profile(tmp_path):
    profile = profile_from_dict({"weights": {"output": 40, "budget": 20},
                                 "qualitative": {"partial": 0.6}, "scoring": {"reverse": "linear"}})
    path = write_template(tmp_path / "p.xlsx", year=2025, profile=profile)
    plan = plan_template("department", 2025, 3, profile)
    ws = openpyxl.load_workbook(path).active
    notes = [ws[a1(r, 0)].value for r in plan.notes_rows]
    assert "产出指标40分、效益指标30分、满意度指标10分、预算资金执行率20分" in notes[0]
    assert "满分为100分" in notes[0]
    assert "80-60%(含60%)、60-0%" in notes[3]
    assert "2倍及以上时得0分" in notes[2]


def test_target_and_actual_cells_are_text(generated):
    """"≥95%" and "=100%" typed into 年度指标值/实际完成值 stay what was typed: the cells
    are formatted as text (@), so Excel, WPS and LibreOffice take "=100%" as text, not a formula."""
    _, plan, path, ws, _ = generated
    for row in range(plan.first_indicator_row, plan.last_indicator_row + 1):
        for key in ("target", "actual"):
            cell = ws[a1(row, plan.col[key])]
            assert cell.number_format == "@", (cell.coordinate, cell.number_format)
            assert cell.protection.locked is False
        for key in ("weight", "score", "level3"):
            assert ws[a1(row, plan.col[key])].number_format != "@"


def test_no_number_format_shows_a_trailing_point(generated):
    """"0.##" shows 10 as "10." in Excel: no cell of the template may use such a format."""
    _, plan, _, ws, _ = generated
    formats = {c.number_format for row in ws.iter_rows() for c in row}
    assert not [f for f in formats if re.search(r"\.#", f)], formats
    for ref in (plan.total_weight_cell, plan.total_score_cell, plan.funds_cell("total", "weight"),
                a1(plan.first_indicator_row, plan.col["weight"]), a1(plan.first_indicator_row, plan.col["score"])):
        assert ws[ref].number_format == "General", ref


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.mark.libreoffice
@pytest.mark.usefixtures("soffice", "pdftotext")
@pytest.mark.parametrize("form,rows,weights", [("department", 3, None), ("project", 3, None),
                                               ("department", 1, None), ("project", 5, {"output": 40, "cost": 10})])
def test_libreoffice_prints_each_level1_block_on_one_page(tmp_path, form, rows, weights):
    """Render the template with a marker in every 三级 row through LibreOffice to PDF and
    read each page back: every 一级 block's markers are on one page, one page wide."""
    import xlsxwriter

    from selfeval_xlsx.template import build

    plan = plan_template(form, 2025, rows, profile_from_dict({"weights": weights}) if weights else DEFAULT)
    path = tmp_path / f"{form}.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    build(wb, plan)
    ws = wb.worksheets()[0]
    markers = {}
    for index, block in enumerate(plan.level1_blocks):
        for row in range(block.first_row, block.last_row + 1):
            marker = f"M{index}R{row}"
            markers[marker] = index
            ws.write_string(row, plan.col["level3"], marker)
    wb.close()
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pages = _pdf_pages(tmp_path / f"{form}.pdf")
    assert len(pages) == len(page_breaks(plan)) + 1
    where: dict[int, set[int]] = {}
    for number, text in enumerate(pages):
        for marker, index in markers.items():
            if re.search(rf"\b{marker}\b", text):
                where.setdefault(index, set()).add(number)
    assert sorted(where) == list(range(len(plan.level1_blocks))), "a block is missing from the PDF"
    for index, numbers in where.items():
        assert len(numbers) == 1, f"一级 block {index} printed over pages {sorted(numbers)}"
    # one page wide: every page with indicator rows shows all eight column headers
    reason = layout.FORMS[form].reason_header
    for number in {n for numbers in where.values() for n in numbers}:
        for header in ("一级指标", "三级指标", "年度指标值（A）", "实际完成值（B）", "得分", reason):
            assert header in pages[number], (number, header)


def _typed_values_workbook(path: Path, plan) -> None:
    """The template as Excel saves it after a user typed "=100%" and "≥95%" into 指标值 and
    实际完成值 cells formatted as text: the typed characters are stored as a string (the
    cell keeps its template style), not as a formula."""
    write_template(path, form=plan.form.kind, year=plan.year, unit="某县教育局")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = plan.col
    parts = [k for k in plan.funds_rows if k != "total"]
    for key, amount in zip(parts, (100, 0, 0)):
        for column in ("initial", "budget", "executed"):
            ws[a1(plan.funds_rows[key], plan.funds_span(column)[0])] = amount

    def typed(row: int, key: str, text: str) -> None:
        cell = ws[a1(row, col[key])]
        cell.value = text
        cell.data_type = "s"  # what a text-formatted cell holds after typing "=…"

    for block, weight in zip(plan.level1_blocks, (50, 30, 10)):
        row = block.first_row
        ws[a1(row, col["level3"])] = f"{block.level1.name}完成率"
        typed(row, "target", "=100%")
        typed(row, "actual", "98%")
        ws[a1(row, col["weight"])] = weight
        ws[a1(row, col["score"])] = weight
    typed(plan.level1_blocks[0].first_row + 1, "target", "≥95%")
    wb.save(path)


def test_a_typed_equals_target_is_read_and_scored_as_text(tmp_path):
    from selfeval_xlsx.api import validate_file

    plan = plan_template("department", 2024)
    path = tmp_path / "typed.xlsx"
    _typed_values_workbook(path, plan)
    ws = openpyxl.load_workbook(path).active
    target = ws[a1(plan.level1_blocks[0].first_row, plan.col["target"])]
    assert target.value == "=100%" and target.data_type == "s" and target.number_format == "@"
    found = {(f["code"], f["cell"]): f for f in validate_file(path)["forms"][0]["findings"]}
    # "=100%" is an equality target: 98% of it earns 98/100 of the points
    s103 = found[("S103", a1(plan.level1_blocks[0].first_row, plan.col["score"]))]
    assert s103["expected"] == pytest.approx(49)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("soffice", "pdftotext")
def test_libreoffice_keeps_typed_targets_as_text(tmp_path):
    """LibreOffice prints "=100%" and "≥95%" as typed and saves them back as text in '@' cells."""
    plan = plan_template("department", 2024)
    path = tmp_path / "typed.xlsx"
    _typed_values_workbook(path, plan)
    out = tmp_path / "out"
    for kind in ("pdf", "xlsx"):
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                        "--convert-to", kind, "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
    text = "".join(_pdf_pages(out / "typed.pdf"))
    assert "=100%" in text and "≥95%" in text
    ws = openpyxl.load_workbook(out / "typed.xlsx").active
    for row, expected in ((plan.level1_blocks[0].first_row, "=100%"), (plan.level1_blocks[0].first_row + 1, "≥95%")):
        cell = ws[a1(row, plan.col["target"])]
        assert cell.value == expected and cell.data_type == "s" and cell.number_format == "@"
    assert ws[a1(plan.level1_blocks[1].first_row + 1, plan.col["actual"])].number_format == "@"
