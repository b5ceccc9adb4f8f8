"""E101 on an empty 单位名称 (附件3-1) or 项目名称 (附件3-2), at the cell beside the label.

Real workbooks: the official template filled in with openpyxl (the unit left blank or
named), and the samples with their name cell cleared; each is read back by the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from selfeval_xlsx.reader import read_workbook
from selfeval_xlsx.template import plan_template, write_template

from conftest import ROOT, sample


def a1(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def validate(path: Path, lang: str = "zh") -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "validate", "--format", "json", "--lang", lang,
                           str(path)], capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)[0]


def findings(result: dict) -> list[tuple[str, str, str]]:
    return [(f["code"], f["cell"], f["message"]) for form in result["forms"] for f in form["findings"]]


def filled_template(tmp_path: Path, form: str, name: str) -> tuple[Path, str]:
    """The official template with every 一级 given indicators, funds and a name (or none);
    returns the file and the A1 cell of the 单位名称 / 项目名称 value."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = write_template(tmp_path / f"{form}.xlsx", form=form, year=2024)
    plan = plan_template(form, 2024)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    name_cell = a1(plan.header_rows[0], plan.col["level2"])
    ws[name_cell] = name or None
    if form == "project":
        ws[a1(plan.header_rows[1], plan.col["level2"])] = "某县教育局"
        ws[a1(plan.header_rows[1], plan.col["score"])] = "某县第一中学"
    parts = [k for k in plan.funds_rows if k != "total"]
    for key, (budget, executed) in zip(parts, [(100, 100), (0, 0), (0, 0)]):
        ws[a1(plan.funds_rows[key], plan.funds_span("initial")[0])] = budget
        ws[a1(plan.funds_rows[key], plan.funds_span("budget")[0])] = budget
        ws[a1(plan.funds_rows[key], plan.funds_span("executed")[0])] = executed
    for block, weight in zip(plan.level1_blocks, (50, 30, 10)):
        row = block.first_row
        ws[a1(row, plan.col["level3"])] = f"{block.level1.name}一"
        ws[a1(row, plan.col["target"])] = "≥10次"
        ws[a1(row, plan.col["actual"])] = "10次"
        ws[a1(row, plan.col["weight"])] = weight
        ws[a1(row, plan.col["score"])] = weight
    wb.save(path)
    return path, name_cell


@pytest.mark.parametrize("form,field", [("department", "单位名称"), ("project", "项目名称")])
def test_empty_name_on_the_template_is_e101_at_its_cell(tmp_path, form, field):
    path, name_cell = filled_template(tmp_path, form, "")
    result = validate(path)
    assert ("E101", name_cell, f"{field}为空；请填写") in findings(result)
    assert result["status"] == "errors"
    english = validate(path, "en")
    assert any(code == "E101" and cell == name_cell and "name is empty" in message
               for code, cell, message in findings(english))

    named, _ = filled_template(tmp_path / "named", form, "某县教育局" if form == "department" else "学生资助项目")
    result = validate(named)
    assert not [f for f in findings(result) if f[1] == name_cell]
    assert result["status"] == "ok", findings(result)


@pytest.mark.parametrize("prefix,key,field", [("02", "unit", "单位名称"), ("03", "project", "项目名称")])
def test_sample_with_its_name_cleared(tmp_path, prefix, key, field):
    src = sample(prefix, ".xlsx")
    form = read_workbook(src).forms[0]
    cell = form.fields[key]
    path = tmp_path / src.name
    shutil.copyfile(src, path)
    wb = openpyxl.load_workbook(path)
    wb[cell.sheet][cell.ref] = None
    wb.save(path)
    assert validate(src)["status"] == "ok"
    result = validate(path)
    assert findings(result) == [("E101", cell.ref, f"{field}为空；请填写")]


def test_unit_named_beside_the_seal_label_counts(tmp_path):
    """"单位（盖章）：某县教育局" names the unit the empty 单位名称 cell does not."""
    path, _ = filled_template(tmp_path, "department", "")
    plan = plan_template("department", 2024)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws[a1(plan.date_row, plan.col["target"])] = "单位（盖章）：某县教育局"
    wb.save(path)
    result = validate(path)
    assert not [f for f in findings(result) if f[0] == "E101"]
    assert result["forms"][0]["unit"] == "某县教育局"
