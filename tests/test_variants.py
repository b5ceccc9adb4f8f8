"""The layouts of published province forms (issue 11, sections 1–3).

Each test builds a workbook the way such files arise (openpyxl with merged
cells, xlwt .xls, LibreOffice re-saved), validates it and pins the exact
findings, then fills it and reads every cell of the output back against the
input: only the cells named may change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

import variant_forms as vf
from selfeval_xlsx.api import fill_file, validate_file
from selfeval_xlsx.pipeline import validate
from selfeval_xlsx.report import text_lines

HOWS = ["openpyxl", "xls", pytest.param("libreoffice", marks=pytest.mark.libreoffice)]


@pytest.fixture(autouse=True)
def _soffice_for_libreoffice_forms(request):
    """A form LibreOffice saves needs soffice: the fixture fails, naming what to install, without it."""
    if request.node.get_closest_marker("libreoffice"):
        request.getfixturevalue("soffice")

ROOT = Path(__file__).resolve().parent.parent


def build(tmp_path: Path, grid: vf.Grid, how: str = "openpyxl") -> Path:
    return vf.save(grid, tmp_path / "form", how)


def only_form(path: Path) -> dict:
    result = validate_file(path)
    assert result["status"] != "unreadable", result["error"]
    (form,) = result["forms"]
    return form


def pairs(form: dict) -> list[tuple[str, str | None]]:
    return sorted((f["code"], f["cell"]) for f in form["findings"])


def cells(path: Path, sheet: str) -> dict[str, object]:
    """Every non-empty cell value of a sheet (an .xls is read through the .xlsx fill wrote)."""
    wb = load_workbook(path, data_only=True)
    ws = wb[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}


def filled(tmp_path: Path, src: Path, sheet: str) -> tuple[dict, dict[str, tuple[object, object]]]:
    """fill ``src``; the result and {cell: (old, new)} for every cell of ``sheet`` that differs."""
    out = tmp_path / "out.xlsx"
    result = fill_file(src, out)
    assert result["status"] != "unreadable", result["error"]
    if src.suffix == ".xls":  # compare against the plain conversion fill starts from
        from selfeval_xlsx.xls import xls_to_xlsx

        xls_to_xlsx(src, tmp_path / "plain.xlsx")
        before = cells(tmp_path / "plain.xlsx", sheet)
    else:
        before = cells(src, sheet)
    after = cells(out, sheet)
    diff = {ref: (before.get(ref), after.get(ref)) for ref in set(before) | set(after)
            if before.get(ref) != after.get(ref)}
    return result, diff


def close(a, b) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9


# --------------------------------------------------------------------------
# Sichuan 510000_0013zp


@pytest.mark.parametrize("how", HOWS)
def test_sichuan_adjusted_budget_is_A_and_the_form_is_clean(tmp_path, how):
    src = build(tmp_path, vf.sichuan(), how)
    form = only_form(src)
    assert form["layout"] == "sichuan" and form["profile"] == {"name": "四川", "auto": True, "expected_absent": []}
    assert form["kind"] == "department" and form["indicator_count"] == 6
    # A is 调整后预算数 (500), never 年初预算 (480): 490 / 500
    assert form["budget"] == {"rate": 0.98, "score": 9.8, "stated_rate": 0.98, "stated_score": 9.8,
                              "rate_cell": "F6", "score_cell": "H6"}
    assert form["parts"]["funds"]["columns"]["budget"] == "D" and form["parts"]["funds"]["columns"]["initial"] == "C"
    assert form["parts"]["funds"]["label"] == "预算执行情况\n（10分）" and form["parts"]["funds"]["points"] == 10
    assert form["total"] == {"stated": 99.8, "computed": 99.8, "cell": "J20"}
    # 评价结论 is narrative: no grade read from it, none written into it
    assert form["parts"]["conclusion"]["kind"] == "narrative" and form["conclusion"]["cell"] is None
    # "2018-2022年规划目标" is a period, not a stale year: no Q205; nothing else either
    assert pairs(form) == []
    result, diff = filled(tmp_path, src, "510000_0013zp")
    assert result["changes"] == [] and diff == {} and result["unfilled"] == []


@pytest.mark.parametrize("label", ["总额", "年度资金总额", "年度财政资金总额", "预算资金总额", "资金总额", "合计"])
def test_sichuan_total_row_labels(tmp_path, label):
    form = only_form(build(tmp_path, vf.sichuan(total_label=label)))
    assert form["parts"]["funds"]["status"] == "ok"
    assert (form["budget"]["rate"], form["budget"]["score"]) == (0.98, 9.8)
    assert pairs(form) == []


@pytest.mark.parametrize("how", ["openpyxl", "xls"])
def test_a_zero_total_row_above_filled_components(tmp_path, how):
    """年度资金总额 0 | 0 | 0 over filled components: F103 on each total, and the stated
    rate 100 % and score 10 are checked against the components (490 / 500)."""
    src = build(tmp_path, vf.sichuan(zero_total=True), how)
    form = only_form(src)
    assert pairs(form) == [("F101", "F6"), ("F102", "H6"), ("F103", "C6"), ("F103", "D6"), ("F103", "E6")]
    messages = {f["cell"]: f["message"] for f in form["findings"]}
    assert messages["D6"] == "年度资金总额 全年预算数 0 不等于各项之和 500；请核对"
    assert messages["F6"] == "执行率 100% 与计算结果 98% 不符（全年执行数 ÷ 全年预算数）；请更正"
    result, diff = filled(tmp_path, src, "510000_0013zp")
    assert set(diff) == {"F6", "H6"}
    assert diff["F6"][0] == 1 and close(diff["F6"][1], 0.98)
    assert diff["H6"][0] == 10 and close(diff["H6"][1], 9.8)


def test_an_unfilled_form_reports_blanks_and_writes_only_what_its_inputs_give(tmp_path):
    """Scores blank, instructions left in the 评价结论 box: 未填写完整."""
    src = build(tmp_path, vf.sichuan(filled=False, conclusion="结合自评情况，对项目绩效作出总体评价（200字以内）"))
    form = only_form(src)
    assert form["complete"] is False
    assert form["total"] == {"stated": None, "computed": None, "cell": "J20"}
    assert form["conclusion"]["computed"] is None and form["conclusion"]["cell"] is None
    assert pairs(form) == [
        ("E101", "H17"), ("E101", "H6"), ("E101", "J14"), ("E101", "J15"), ("E101", "J16"), ("E101", "J17"),
        ("E101", "J18"), ("E101", "J19"), ("E101", "J20"), ("L204", "D21"),
    ]
    l204 = next(f for f in form["findings"] if f["code"] == "L204")
    assert l204["message"] == "评价结论（D21:K21）：仍是模板的填表说明，未填写"
    assert not any(f["code"][0] in "TC" for f in form["findings"])
    summary = text_lines(validate(src))[-1]
    assert "总分 填报 （空） / 计算 —（未填写完整），结论 填报 （无） / 计算 —" in summary
    result, diff = filled(tmp_path, src, "510000_0013zp")
    # the budget score and the rows whose target, actual and weight are all there; never J17 (完成值 blank),
    # never the total J20, never the narrative box D21
    assert {ref: new for ref, (old, new) in diff.items()} == {
        "H6": 9.8, "J14": 20, "J15": 20, "J16": 10, "J18": 10, "J19": 10}
    assert all(old is None for old, _ in diff.values())


# --------------------------------------------------------------------------
# Hubei: two goal blocks, budget points in the block label


@pytest.mark.parametrize("how", HOWS)
def test_hubei_two_goal_blocks_are_one_form(tmp_path, how):
    src = build(tmp_path, vf.hubei(), how)
    form = only_form(src)
    assert form["layout"] == "hubei" and form["profile"]["name"] == "湖北" and form["profile"]["auto"]
    assert form["indicator_count"] == 4 and form["kind"] == "project"
    assert form["parts"]["funds"]["points"] == 20
    assert form["budget"] == {"rate": 0.98, "score": 19.6, "stated_rate": 0.98, "stated_score": 19.6,
                              "rate_cell": "D6", "score_cell": "E6"}
    assert form["total"] == {"stated": 99.6, "computed": 99.6, "cell": "G15"}
    assert pairs(form) == []
    result, diff = filled(tmp_path, src, "湖北")
    assert diff == {} and result["unfilled"] == []  # the correct 99.6 stays


def test_hubei_block_points_checked(tmp_path):
    form = only_form(build(tmp_path, vf.hubei(block2_points=20)))
    assert pairs(form) == [("W105", "A11")]
    assert form["findings"][0]["message"] == (
        "指标块“年度绩效目标2”标注 20 分，其下三级指标分值合计 40；请调整三级指标分值或更正标注")


def test_hubei_under_the_mof_profile_says_budget_is_20(tmp_path):
    from selfeval_xlsx.profile import named

    result = validate_file(build(tmp_path, vf.hubei()), named("mof"))
    (form,) = result["forms"]
    assert form["profile"] == {"name": "财政部（默认）", "auto": False, "expected_absent": []}
    assert pairs(form) == [("W103", None), ("W201", "A9")]


def test_no_weight_column_one_L_finding_block_sums_still_checked(tmp_path):
    src = build(tmp_path, vf.hubei(weights=False))
    form = only_form(src)
    assert pairs(form) == [("L202", "A8")]
    assert form["findings"][0]["message"] == "绩效指标（A8:G14）：没有分值列；各指标得分上限未核验"
    assert form["total"] == {"stated": 99.6, "computed": 99.6, "cell": "F15"}
    (tmp_path / "over").mkdir()
    over = build(tmp_path / "over", vf.hubei(weights=False, overscore=True))
    form = only_form(over)
    assert pairs(form) == [("L202", "A8"), ("S105", "A11"), ("T101", "F15")]
    result, diff = filled(tmp_path / "over", over, "湖北")
    assert diff == {} and result["changes"] == []
    assert result["unfilled"] == [{"sheet": "湖北", "reason": "没有分值列，无法核对各指标分值与满分；"
                                                          "计算总分 101.6 超过满分 100（得分超出分值，见上）"}]


def test_a_form_split_at_an_unrecognised_block_is_left_untouched(tmp_path):
    """The second block label is not one the reader knows: the table reads as two forms
    whose points are far from 100; fill writes nothing into either (the old damage:
    a correct 总分 99.6 replaced by 40)."""
    src = build(tmp_path, vf.hubei(block2_label="第二部分（40分）"))
    result, diff = filled(tmp_path, src, "湖北")
    assert diff == {} and result["changes"] == []
    assert [u["reason"] for u in result["unfilled"]] == [
        "分值合计 60，与满分 100 相差超过 5%（分值有误，或表格未被正确识别）",
        "分值合计 50，与满分 100 相差超过 5%（分值有误，或表格未被正确识别）",
    ]
    report = load_workbook(tmp_path / "out.xlsx")["校验结果"]
    messages = [v for row in report.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "未回填：分值合计 60，与满分 100 相差超过 5%（分值有误，或表格未被正确识别）；此表没有改动任何单元格" in messages


# --------------------------------------------------------------------------
# Chongqing: 得分系数（%） is a ratio, flat list, direction by name


@pytest.mark.parametrize("how", HOWS)
def test_chongqing_ratio_column_is_not_points(tmp_path, how):
    src = build(tmp_path, vf.chongqing(), how)
    form = only_form(src)
    assert form["layout"] == "chongqing" and form["profile"]["name"] == "重庆"
    columns = form["parts"]["indicators"]["columns"]
    assert columns["ratio"] == "F" and columns["score"] == "G" and columns["weight"] == "E"
    funds = form["parts"]["funds"]["columns"]
    assert (funds["rate"], funds["weight"], funds["score"]) == ("E", "F", "G")  # 执行率权重 is not the rate
    assert form["budget"] == {"rate": 0.95, "score": 9.5, "stated_rate": 0.95, "stated_score": 9.5,
                              "rate_cell": "E5", "score_cell": "G5"}
    # 统计数据差错率 3% → 2% and 预算调整率 5% → 8% are lower-is-better by name: 20 and 6.25;
    # a flat list has no 一级 column, so no W202; the total is the 自评总分 row
    # and the form has no reason column, so no S201 for the deduction on 预算调整率
    assert form["total"] == {"stated": 95.75, "computed": 95.75, "cell": "B12"}
    assert pairs(form) == []


def test_chongqing_wrong_points_fixed_ratio_column_untouched(tmp_path):
    src = build(tmp_path, vf.chongqing(wrong_points=True))
    form = only_form(src)
    assert pairs(form) == [("S103", "G10"), ("T101", "B12")]
    s103 = next(f for f in form["findings"] if f["code"] == "S103")
    assert s103["message"] == "得分 10 与计算结果 6.25 不符（5/8×10，按指标名称推定为反向指标）；请按公式更正"
    result, diff = filled(tmp_path, src, "部门整体")
    assert {ref: (old, new) for ref, (old, new) in diff.items()} == {"G10": (10, 6.25), "B12": (99.5, 95.75)}


# --------------------------------------------------------------------------
# the evaluation scheme 决策/过程/产出/效益


@pytest.mark.parametrize("how", HOWS)
def test_evaluation_scheme_budget_is_an_indicator_row(tmp_path, how):
    src = build(tmp_path, vf.evaluation(), how)
    form = only_form(src)
    assert form["layout"] == "evaluation" and form["profile"]["name"] == "决策/过程/产出/效益"
    # 年初指标值 | 调整指标值 | 全年完成值: A is the adjusted ≥25个, so 22个 scores 26.4 of 30
    assert form["parts"]["indicators"]["columns"]["target"] == "E"
    assert form["parts"]["indicators"]["columns"]["target_initial"] == "D"
    assert form["budget"]["score"] is None
    assert form["total"] == {"stated": 96.4, "computed": 96.4, "cell": "H13"}
    assert pairs(form) == []  # no separate budget score, no W202 for 满意度, no W201 for 决策 10 / 过程 25
    result, diff = filled(tmp_path, src, "宁夏")
    assert diff == {}


# --------------------------------------------------------------------------
# no merged cells, a second header row of （A）/（B）, a stated total in a header field


@pytest.mark.parametrize("how", HOWS)
def test_no_merges_ab_row_and_total_in_a_header_field(tmp_path, how):
    src = build(tmp_path, vf.no_merges(), how)
    form = only_form(src)
    assert form["layout"] == "mof-3-1" and form["indicator_count"] == 4  # the （A）/（B） rows are header
    assert form["budget"] == {"rate": 0.95, "score": 9.5, "stated_rate": 0.95, "stated_score": 9.5,
                              "rate_cell": "G6", "score_cell": "H6"}
    assert form["total"] == {"stated": 91.5, "computed": 91.17, "cell": "F3"}
    assert pairs(form) == [("S103", "H12"), ("T101", "F3")]
    s103 = next(f for f in form["findings"] if f["code"] == "S103")
    assert "按指标名称推定为反向指标" in s103["message"]  # 审计报告差错率 2% → 3%: 2/3 × 25
    result, diff = filled(tmp_path, src, "Sheet1")
    assert diff == {"H12": (17, 16.67), "F3": (91.5, 91.17)}


def test_placeholder_rows_are_not_indicators(tmp_path):
    form = only_form(build(tmp_path, vf.no_merges(placeholders=True)))
    assert form["indicator_count"] == 4
    # "指标1： | * | *" is placeholder content left in (Q204); "……" and a row of "/" are empty slots (nothing)
    assert pairs(form) == [("Q204", "D15"), ("S103", "H12"), ("T101", "F3")]


# --------------------------------------------------------------------------
# a part present but not understood: one L finding, no cascade, nothing written


@pytest.mark.parametrize("how", HOWS)
def test_unknown_funds_block_one_L_finding_no_cascade(tmp_path, how):
    src = build(tmp_path, vf.unknown_funds(), how)
    form = only_form(src)
    assert form["layout"] == "unknown"
    assert form["parts"]["funds"]["status"] == "partial"
    assert pairs(form) == [("L201", "A4")]
    assert form["findings"][0]["message"] == (
        "预算执行情况（A4:I6）：未找到预算数（A）和执行数（B）列；预算执行得分未核验，总分与自评结论未核验")
    assert form["total"] == {"stated": 97, "computed": None, "cell": "H11"}
    assert "未识别：资金" in text_lines(validate(src))[-1]
    result, diff = filled(tmp_path, src, "档案馆")
    assert diff == {} and result["changes"] == []
    assert result["unfilled"] == [{"sheet": "档案馆", "reason": "资金部分（A4:I6）未识别"}]


def test_fill_cli_says_why_and_exits_1(tmp_path):
    src = build(tmp_path, vf.unknown_funds())
    run = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "fill", str(src), "-o", str(tmp_path / "o.xlsx")],
                         capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"})
    assert run.returncode == 1, run.stderr
    assert f"{src}:档案馆: 未回填：资金部分（A4:I6）未识别；此表没有改动任何单元格" in run.stdout.splitlines()
    report = load_workbook(tmp_path / "o.xlsx")["校验结果"]
    texts = [v for row in report.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    # in the summary lines under the title, and as the first row of the table
    assert texts.count("未回填：资金部分（A4:I6）未识别；此表没有改动任何单元格") == 2


# --------------------------------------------------------------------------
# the year rule and the direction inference, at the unit level


def test_a_period_is_not_a_stale_year():
    from selfeval_xlsx.checks import written_years

    assert written_years("2018-2022年规划目标完成情况") == ()
    assert written_years("2018年至2022年规划") == ()
    assert written_years("2023年12月31日前") == ((2023, True),)


@pytest.mark.parametrize("name", ["成本控制率", "预算调整率", "结余率", "结转结余率", "人员变动率", "差错率", "投诉率",
                                  "安全事故率", "超支率", "不良事件发生率", "预算调整率（%）"])
def test_lower_is_better_by_name(name):
    from selfeval_xlsx.checks import lower_is_better

    assert lower_is_better(name)


@pytest.mark.parametrize("name", ["预算执行率", "满意度", "达标率", "覆盖率"])
def test_higher_is_better_names_stay(name):
    from selfeval_xlsx.checks import lower_is_better

    assert not lower_is_better(name)


def test_profile_weights_must_total_100_naming_the_keys(tmp_path):
    from selfeval_xlsx.profile import ProfileError, load_profile

    path = tmp_path / "p.toml"
    path.write_text("[weights]\nbudget = 20\n", encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value) == (
        f"{path}: [weights] 合计 110（output 50 + benefit 30 + satisfaction 10 + budget 20），应为 100；"
        "请调整 weights.output, weights.benefit, weights.satisfaction, weights.budget 使合计为 100"
        "（未写出的键取默认值：output 50, benefit 30, satisfaction 10, budget 10）"
    )


# --------------------------------------------------------------------------
# Yunnan, narrative conclusion with a grade cell, a ratio column without points, stated totals anywhere


@pytest.mark.parametrize("how", HOWS)
def test_yunnan_grade_in_the_total_row(tmp_path, how):
    src = build(tmp_path, vf.yunnan(), how)
    form = only_form(src)
    assert form["layout"] == "yunnan" and form["profile"] == {"name": "云南", "auto": True, "expected_absent": []}
    assert form["total"] == {"stated": 96, "computed": 87.5, "cell": "J12"}
    assert form["conclusion"] == {"stated": "优", "computed": "良好", "cell": "K12"}
    assert pairs(form) == [("C101", "K12"), ("T101", "J12")]
    result, diff = filled(tmp_path, src, "云南")
    assert diff == {"J12": (96, 87.5), "K12": ("优", "良")}  # the grade keeps the form's one-character style


def test_narrative_conclusion_grade_read_only_from_a_grade_cell(tmp_path):
    src = build(tmp_path, vf.sichuan(grade="良"))
    form = only_form(src)
    assert form["parts"]["conclusion"]["kind"] == "narrative"
    assert form["parts"]["conclusion"]["grade_cell"] == "K21"
    assert form["conclusion"] == {"stated": "良", "computed": "优秀", "cell": "K21"}
    assert pairs(form) == [("C101", "K21")]
    result, diff = filled(tmp_path, src, "510000_0013zp")
    assert diff == {"K21": ("良", "优")}  # never the narrative box D21


def test_a_ratio_column_without_points_is_not_read_as_scores(tmp_path):
    """Only 得分系数（%）: the ratio is never taken for points, never overwritten; one L202, no T101."""
    src = build(tmp_path, vf.chongqing(ratio_only=True))
    form = only_form(src)
    assert form["parts"]["indicators"]["columns"]["ratio"] == "F" and "score" not in form["parts"]["indicators"]["columns"]
    assert pairs(form) == [("L202", "B6")]
    assert form["findings"][0]["message"] == (
        "绩效指标（B6:G11）：只有得分系数列（比率，不是分数），没有得分（分）列；各指标得分未核验")
    assert form["total"]["computed"] is None
    result, diff = filled(tmp_path, src, "部门整体")
    assert diff == {} and result["unfilled"] == [{"sheet": "部门整体", "reason": "绩效指标表没有得分列"}]


@pytest.mark.parametrize("label", ["总分", "合计", "总计", "自评总分"])
def test_stated_total_rows_after_the_table(tmp_path, label):
    form = only_form(build(tmp_path, vf.chongqing(wrong_points=True, total_label=label)))
    assert form["total"] == {"stated": 99.5, "computed": 95.75, "cell": "B12"}
    assert ("T101", "B12") in pairs(form)


@pytest.mark.parametrize("label", ["自评总分（分）", "自评得分", "综合得分", "自评总分："])
def test_stated_total_in_a_header_field(tmp_path, label):
    form = only_form(build(tmp_path, vf.no_merges(total_label=label)))
    assert form["total"] == {"stated": 91.5, "computed": 91.17, "cell": "F3"}
    assert form["parts"]["total"]["header_field"] is True
    assert pairs(form) == [("S103", "H12"), ("T101", "F3")]


def test_an_evaluation_profile_has_no_template():
    run = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "template", "--profile", "evaluation", "-o", "x.xlsx"],
                         capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"})
    assert run.returncode == 2 and "没有对应的官方空白模板" in run.stderr and "Traceback" not in run.stderr
    assert not (ROOT / "x.xlsx").exists()


# --------------------------------------------------------------------------
# grids read straight from memory: direction by name beside a 指标性质 that names none, the profile line


def _grid_form(rows: list[list], merges=()):
    from selfeval_xlsx.loading import RawSheet
    from selfeval_xlsx.reader import read_sheet

    width = max(len(r) for r in rows)
    grid = [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in rows]
    (form,) = read_sheet(RawSheet("S", grid, list(merges), {}))
    return form


@pytest.mark.parametrize("nature", ["定量指标", "定量", None])
def test_direction_inferred_when_the_nature_column_names_none(nature):
    from selfeval_xlsx.checks import check_form

    form = _grid_form([
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "实际完成值", "分值", "得分", "原因"],
        ["满意度指标", "服务对象满意度", "群众投诉率", nature, "5%", "2%", 10, 4, None],
        ["总分", None, None, None, None, None, 10, 4],
    ])
    result = check_form(form)
    (s103,) = [f for f in result.findings if f.code == "S103"]
    assert s103.expected == 10  # 2% ≤ 5%: full marks, not 2/5 × 10
    assert s103.message() == "得分 4 与计算结果 10 不符（5/2×10，按指标名称推定为反向指标）；请按公式更正"
    assert s103.message("en").endswith("(5/2×10, lower-is-better inferred from the name); correct it")


def test_an_explicit_operator_or_nature_is_never_overridden_by_the_name():
    from selfeval_xlsx.checks import check_form

    form = _grid_form([
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "实际完成值", "分值", "得分", "原因"],
        ["产出指标", "质量", "问题整改率", None, "≥90%", "95%", 10, 10, None],
        ["产出指标", "质量", "资金结余率", "正向", "5%", "4%", 10, 8, "结余偏低"],
        ["总分", None, None, None, None, None, 20, 18],
    ])
    result = check_form(form)
    assert not [f for f in result.findings if f.code.startswith("S1")]


def test_the_text_line_says_the_profile_was_picked_from_the_layout(tmp_path):
    src = build(tmp_path, vf.hubei())
    line = text_lines(validate(src))[-1]
    assert "版式 湖北（已识别：资金、绩效指标、总分、结论），按版式自动选用配置 湖北，总分 填报 99.6 / 计算 99.6" in line
    from selfeval_xlsx.profile import named

    explicit = text_lines(validate(src, named("hubei")))[-1]
    assert "自动选用" not in explicit and "总分 填报 99.6 / 计算 99.6" in explicit


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

VOCAB = ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分", "权重", "得分系数（%）", "指标得分（分）",
         "参考分值", "年初指标值", "调整指标值", "（A）", "（B）", "年度绩效目标1（40分）", "年度绩效目标2（40分）",
         "预算执行情况（万元）（20分）", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分（20分*执行率）", "执行率权重",
         "执行率得分（分）", "年初预算", "调整后预算数", "预算执行数", "总额", "合计", "总分", "自评总分（分）", "评价结论",
         "存在问题", "结合自评情况（200字以内）", "510000_0013zp", "决策", "过程", "产出", "效益", "指标1：", "……", "*",
         "/", "差错率", "优", "2018-2022年", "定量指标", "", ""]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(st.one_of(st.sampled_from(VOCAB), st.integers(-5, 120), st.none()), max_size=9),
                  max_size=22),
    merges=st.lists(st.tuples(st.integers(0, 21), st.integers(0, 8), st.integers(0, 3), st.integers(0, 2)), max_size=6),
)
def test_any_province_like_grid_is_read_and_checked_without_crashing(rows, merges):
    from selfeval_xlsx.checks import check_workbook
    from selfeval_xlsx.loading import RawSheet
    from selfeval_xlsx.model import Workbook
    from selfeval_xlsx.reader import read_sheet
    from selfeval_xlsx.results import FileResult

    grid = [["" if v is None else v for v in row] for row in rows]
    width = max((len(r) for r in grid), default=0)
    grid = [r + [""] * (width - len(r)) for r in grid]
    ms = [(r, c, r + dr, c + dc) for r, c, dr, dc in merges if dr or dc]
    forms = read_sheet(RawSheet("S", grid, ms, {}))
    results = check_workbook(Workbook("x.xlsx", ["S"], forms))
    for result in results:
        assert result.form.layout and set(result.form.parts) <= {"title", "funds", "indicators", "total", "conclusion"}
        if result.unfilled:
            assert result.changes == []
        text_lines(FileResult("x.xlsx", results))
        FileResult("x.xlsx", results).to_dict()


@pytest.mark.parametrize("name", ["mof", "sichuan", "hubei", "chongqing", "yunnan"])
def test_templates_of_the_shipped_profiles_add_up_to_100(tmp_path, name):
    import re

    from selfeval_xlsx.profile import named
    from selfeval_xlsx.template import write_template

    profile = named(name)
    path = tmp_path / f"{name}.xlsx"
    write_template(path, form="department", year=2025, unit="", profile=profile)
    ws = load_workbook(path).active
    labels = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and re.search(r"指标\n（\d+分）", c.value)]
    points = sum(int(re.search(r"（(\d+)分）", label).group(1)) for label in labels)
    assert len(labels) == 3 and points + int(profile.budget_points) == 100, labels


def test_a_sentence_that_mentions_funds_is_not_a_funds_block():
    """Only a block label makes a funds part: goal text about 项目资金 gives no L201 (and no refusal)."""
    from selfeval_xlsx.checks import check_form

    form = _grid_form([
        ["项目支出绩效自评表"],
        ["年度总体目标", "项目资金用于全县道路养护，资金总额300万元"],
        ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分", "原因"],
        ["产出指标", "数量", "道路养护里程", "≥10公里", "10公里", 90, 90],
        ["总分", None, None, None, None, 90, 90],
    ])
    assert form.parts["funds"].status == "absent"
    assert not [f for f in check_form(form).findings if f.code.startswith("L")]


def test_an_empty_narrative_conclusion_is_reported_never_written(tmp_path):
    src = build(tmp_path, vf.sichuan(conclusion=None))
    form = only_form(src)
    assert form["parts"]["conclusion"]["kind"] == "narrative"
    assert pairs(form) == [("E101", "D21")]
    result, diff = filled(tmp_path, src, "510000_0013zp")
    assert diff == {} and result["changes"] == []
