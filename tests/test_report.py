"""The JSON shape of a validate result and the linter-style text lines."""

from __future__ import annotations

import json

from test_checks import seed_form

from selfeval_xlsx.checks import check_form
from selfeval_xlsx.report import text_lines
from selfeval_xlsx.results import FileResult

FORM_KEYS = {"sheet", "kind", "unit", "year", "indicator_count", "budget", "total", "conclusion", "layout", "parts",
             "profile", "complete", "unfilled", "findings"}
PART_KEYS = {"status", "range", "columns", "missing"}
FINDING_KEYS = {"code", "severity", "cell", "message", "expected", "found"}


def seed_result():
    return FileResult("申报表.xlsx", [check_form(seed_form())])


def test_json_shape_is_pinned():
    result = json.loads(json.dumps(seed_result().to_dict(), ensure_ascii=False))
    assert set(result) == {"file", "status", "error", "forms"}
    assert result["file"] == "申报表.xlsx" and result["status"] == "errors" and result["error"] is None
    (form,) = result["forms"]
    assert set(form) == FORM_KEYS
    assert form["sheet"] == "附件3-1" and form["kind"] == "department" and form["year"] == 2023
    assert form["unit"] == "贵州省黔南布依族苗族自治州人民政府驻北京联络处"
    assert form["indicator_count"] == 18
    assert form["budget"] == {"rate": 0.9752, "score": 9.752, "stated_rate": 0.9752, "stated_score": 9.752,
                              "rate_cell": "G7", "score_cell": "H7"}
    assert form["total"] == {"stated": 97.752, "computed": 94.75, "cell": "H32"}
    assert form["conclusion"] == {"stated": "优秀", "computed": "优秀", "cell": "B33"}
    for finding in form["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning")
    # a form model built by hand records no layout: the reader does (test below)
    assert form["layout"] == "unknown" and form["parts"] == {} and form["complete"] is True
    assert form["profile"] == {"name": "默认（附件3-1）", "auto": False, "expected_absent": []}
    assert form["unfilled"] is None
    t101 = next(f for f in form["findings"] if f["code"] == "T101")
    assert t101 == {
        "code": "T101", "severity": "error", "cell": "H32",
        "message": "总分 97.752 与计算结果 94.75 不符（各三级指标得分 + 预算执行得分）；请更正",
        "expected": 94.75, "found": 97.752,
    }


def test_status_ok_when_only_warnings():
    form = seed_form()
    result = check_form(form)
    result.findings = [f for f in result.findings if f.severity == "warning"]
    assert FileResult("x.xlsx", [result]).to_dict()["status"] == "ok"
    assert FileResult("x.xlsx", [result]).status == "ok"


def test_text_lines_linter_style():
    lines = text_lines(seed_result())
    assert "申报表.xlsx:附件3-1!H32: T101 错误 总分 97.752 与计算结果 94.75 不符（各三级指标得分 + 预算执行得分）；请更正" in lines
    assert lines[-1] == (
        "申报表.xlsx:附件3-1: 部门整体自评表 贵州省黔南布依族苗族自治州人民政府驻北京联络处，版式 未识别（已识别：无），"
        "总分 填报 97.752 / 计算 94.75，结论 填报 优秀 / 计算 优秀；错误 3，警告 9"
    )
    assert not any("\033[" in line for line in lines)
    assert any("\033[31m" in line for line in text_lines(seed_result(), colour=True))


def test_text_lines_english():
    lines = text_lines(seed_result(), "en")
    assert any(line.startswith("申报表.xlsx:附件3-1!H32: T101 error Total 97.752 should be 94.75") for line in lines)
    assert lines[-1].endswith("3 errors, 9 warnings")


def test_unreadable_result_is_one_line():
    result = FileResult.unreadable("坏.xlsx", "坏.xlsx: 文件已损坏")
    assert text_lines(result) == ["坏.xlsx: 文件已损坏"]
    assert result.to_dict() == {"file": "坏.xlsx", "status": "unreadable", "error": "坏.xlsx: 文件已损坏", "forms": []}


def test_readme_json_example_is_what_validate_prints():
    import re
    from pathlib import Path

    from selfeval_xlsx.api import validate_file

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", readme, re.S).group(1)
    (example,) = json.loads(block)
    assert validate_file(example["file"] if Path(example["file"]).is_absolute() else root / example["file"]) | {
        "file": example["file"]} == example


def test_layout_and_parts_of_a_read_form():
    from pathlib import Path

    from selfeval_xlsx.api import validate_file
    from selfeval_xlsx.pipeline import validate

    root = Path(__file__).resolve().parent.parent
    (path,) = (root / "sample_workbooks").glob("01_*")
    (form,) = validate_file(path)["forms"]
    assert form["layout"] == "mof-3-1"
    assert list(form["parts"]) == ["title", "funds", "indicators", "total", "conclusion"]
    for part in form["parts"].values():
        assert PART_KEYS <= set(part) and part["status"] == "ok" and part["missing"] == []
    assert form["parts"]["funds"]["range"] == "A6:I10"
    assert form["parts"]["funds"]["columns"] == {
        "source": "B", "initial": "D", "budget": "E", "executed": "F", "weight": "G", "rate": "H", "score": "I"}
    assert form["parts"]["indicators"]["columns"] == {
        "level1": "B", "level2": "C", "level3": "D", "target": "E", "actual": "F", "weight": "G", "score": "H",
        "reason": "I"}
    assert form["parts"]["total"]["range"] == "H32" and form["parts"]["conclusion"]["kind"] == "grade"
    lines = text_lines(validate(path))
    assert "，版式 财政部附件3-1（已识别：资金、绩效指标、总分、结论），总分 填报 97.752 / 计算 94.75" in lines[-1]


def _show_by_decimal(value):
    """results.show as it was before its fast path: every number through the
    Decimal context (15 digits, half up, normalised)."""
    from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext

    if isinstance(value, float):
        value = Decimal(repr(value))
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 15, ROUND_HALF_UP
        ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
        return format((+value).normalize(), "f")


def test_show_fast_path_is_the_decimal_route():
    """show's shortcut for short floats and Decimals gives what the Decimal
    context gives, at the edges too (zero, -0, 15/16 digits, exponents)."""
    import random
    import struct
    from decimal import Decimal

    from selfeval_xlsx.results import show

    values: list = [0.0, -0.0, 1.0, -1.0, 100.0, 1e15, 1e16, 123456789012345.0, 12345678901234.5,
                    1234567890123.45, 0.1, 0.0001, 1e-5, 5e-324, 1.7976931348623157e308, 98.64999999999999,
                    0.30000000000000004, -0.5, float("inf"), float("-inf"), float("nan")]
    values += [Decimal(text) for text in (
        "0", "-0", "0.00", "-0.000", "6.50", "100", "1E+2", "1E+20", "1.000000000000000", "123456789012345",
        "1234567890123456", "-12345678901.234", "0.1234567890123456789", "1E-30", "-1.5E+3", "12.3450",
        "9.99999999999999950", "NaN", "Infinity", "-Infinity", "1E+999999")]
    rnd = random.Random(15)
    for _ in range(20000):
        values.append(struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0])
        values.append(round(rnd.uniform(-1000, 1000), rnd.randint(0, 8)))
        values.append(Decimal(rnd.randint(-10 ** rnd.randint(1, 18), 10 ** rnd.randint(1, 18))).scaleb(rnd.randint(-20, 5)))
    for value in values:
        assert show(value) == _show_by_decimal(value), repr(value)
