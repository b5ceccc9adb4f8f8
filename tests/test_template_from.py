"""selfeval template --from: forms pre-filled from tables and last year's workbooks.

Each test writes a source (a CSV typed by hand, export's own table, a
filled sample workbook), runs the command, and reads the generated form
back with the same reader validate uses: the indicators, targets and
points must be exactly the source's, 实际完成值 and 得分 blank, the year
the next one.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from selfeval_xlsx import layout
from selfeval_xlsx.checks import check_form
from selfeval_xlsx.cli import main
from selfeval_xlsx.prefill import fold_target
from selfeval_xlsx.profile import DEFAULT
from selfeval_xlsx.reader import read_workbook
from selfeval_xlsx.template import level1_groups

from conftest import ROOT, SAMPLES


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).normalize()


def _rows(form) -> list[tuple[str, str, Decimal | None]]:
    """(三级指标, 年度指标值, 分值) of every indicator the reader finds."""
    return [(ind.level3.text.strip() if ind.level3 and not ind.level3.empty else "",
             ind.target.text.strip() if ind.target and not ind.target.empty else "",
             _number(ind.weight.value) if ind.weight is not None else None) for ind in form.indicators]


def _blank_results(form) -> None:
    for ind in form.indicators:
        assert ind.actual is not None and ind.actual.empty, ind.row
        assert ind.score is not None and ind.score.empty, ind.row
        assert ind.reason is None or ind.reason.empty, ind.row
    assert form.total is not None and form.total.formula  # the live formula, no stated number
    assert form.conclusion is None or not (form.conclusion.value or "")


def _level2_column(path: Path) -> list[str]:
    """The 二级 label of every indicator row of the generated sheet (merges resolved)."""
    form = read_workbook(path).forms[0]
    ws = openpyxl.load_workbook(path).active
    first = form.indicator_header_row + 1
    labels, current = [], None
    for r in range(first, ws.max_row + 1):
        if ws.cell(r, 2).value and str(ws.cell(r, 2).value).startswith(("总分", layout.TEMPLATE_TOTAL_LABEL)):
            break
        if ws.cell(r, 1).value == layout.TEMPLATE_TOTAL_LABEL:
            break
        value = ws.cell(r, 3).value
        if value is not None:
            current = value
        labels.append(current)
    return labels


HAND = [  # 一级, 二级, 三级, 指标性质, 年度指标值, 计量单位, 分值
    ("产出指标", "数量指标", "培训人次", "≥", "500", "人次", "20"),
    ("产出指标", "数量指标", "检查项目数", "", "≥30个", "", "10"),
    ("产出指标", "质量指标", "验收合格率", "=", "100", "%", "10"),
    ("产出指标", "成本指标", "培训成本", "≤", "30", "万元", "10"),
    ("效益指标", "社会效益指标", "群众知晓率", "≥", "90%", "", "15"),
    ("效益指标", "可持续影响指标", "长效机制", "定性", "建立并运行", "", "15"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", "95", "%", "10"),
]
HAND_EXPECTED = [  # what the form's 年度指标值 cells hold
    ("培训人次", "500人次", Decimal(20)), ("检查项目数", "≥30个", Decimal(10)),
    ("验收合格率", "=100%", Decimal(10)), ("培训成本", "≤30万元", Decimal(10)),
    ("群众知晓率", "90%", Decimal(15)), ("长效机制", "建立并运行", Decimal(15)),
    ("参训人员满意度", "95%", Decimal(10)),
]


def _write_hand_csv(path: Path, rows=HAND, *, encoding="gb18030", extra: dict | None = None) -> None:
    header = ["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "计量单位", "分值", *(extra or {})]
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([*row, *(extra or {}).values()])


def test_fold_target():
    assert fold_target("30", "≤", "万元") == "≤30万元"
    assert fold_target("5", "≥", "次") == "5次"  # a bare number already reads as ≥
    assert fold_target("≥5次", "≥", "次") == "≥5次"
    assert fold_target("12篇/年", "≥", "篇/年") == "12篇/年"
    assert fold_target("95%以上", "≤", "") == "95%以上"
    assert fold_target("按期完成", "定性", "") == "按期完成"
    assert fold_target("2024年12月31日前", "", "") == "2024年12月31日前"


def test_hand_written_csv_gbk(tmp_path):
    """A CSV saved by Excel on Chinese Windows (GBK), plan only: that year, those rows."""
    source = tmp_path / "目标表.csv"
    _write_hand_csv(source, extra={"单位": "某县人社局", "年度": "2025"})
    out = tmp_path / "out.xlsx"
    proc = _cli("template", "--from", str(source), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == f"已生成模板：{out}"
    assert "W" not in "".join(line.split(": ")[1][:1] for line in proc.stdout.splitlines() if ": " in line)
    form = read_workbook(out).forms[0]
    assert form.kind == "department" and form.year == 2025 and form.unit_name == "某县人社局"
    assert Counter(_rows(form)) == Counter(HAND_EXPECTED)
    _blank_results(form)
    # validate sees exactly these indicators, and no weight problem
    result = json.loads(_cli("validate", "--format", "json", str(out)).stdout)[0]["forms"][0]
    assert result["indicator_count"] == len(HAND)
    assert not [f for f in result["findings"] if f["code"].startswith(("W", "Q"))]
    # every standard 二级 is there; each 二级 block has exactly its rows (one blank row when none)
    labels = _level2_column(out)
    standard = [n for group, _w in level1_groups(DEFAULT) for n in group.level2]
    counts = Counter(labels)
    expected = Counter({name: 1 for name in standard})
    expected.update({"数量指标": 1})  # two rows
    assert counts == expected
    # the total 分值 cell's cached value already adds up (a reader that does not calculate sees 100)
    ws = openpyxl.load_workbook(out, data_only=True).active
    assert ws[form.total_weight.ref].value == 100


def test_csv_with_last_years_actuals_gives_the_next_year(tmp_path):
    source = tmp_path / "上年.csv"
    rows = [(*row, "done") for row in HAND]
    with open(source, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "计量单位", "分值", "实际完成值",
                         "年度"])
        for row in rows:
            writer.writerow([*row, 2024])
    proc = _cli("template", "--from", str(source), "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "部门整体支出绩效自评表_2025.xlsx"
    form = read_workbook(out).forms[0]
    assert form.year == 2025
    assert Counter(_rows(form)) == Counter(HAND_EXPECTED)
    _blank_results(form)


def test_weight_mistakes_are_reported_before_writing(tmp_path):
    rows = [list(r) for r in HAND]
    rows[0][6] = "15"  # 产出 45, total 95
    source = tmp_path / "t.csv"
    _write_hand_csv(source, rows)
    out = tmp_path / "out.xlsx"
    proc = _cli("template", "--from", str(source), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    codes = [line.split(": ")[1].split()[0] for line in lines if f"{out}:" in line]
    assert codes == ["W201", "W102"]
    assert lines[-1] == f"已生成模板：{out}"
    assert "分值 45，原则上应为 50" in proc.stdout and "分值合计 95" in proc.stdout
    # the same findings as a submitted form with these points
    assert [f.code for f in check_form(read_workbook(out).forms[0]).findings if f.code.startswith("W")] == codes

    # --strict: reported, nothing written, exit 1
    strict = tmp_path / "strict.xlsx"
    proc = _cli("template", "--from", str(source), "-o", str(strict), "--strict")
    assert proc.returncode == 1
    assert "W201" in proc.stdout and "W102" in proc.stdout and "--strict" in proc.stderr
    assert not strict.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    # a 一级 that declares its points, rows adding up to less: W101 as on a submitted form
    rows = [list(r) for r in HAND]
    for row in rows:
        if row[0] == "产出指标":
            row[0] = "产出指标（50分）"
    rows[1][6] = "7"
    _write_hand_csv(source, rows)
    proc = _cli("template", "--from", str(source), "-o", str(tmp_path / "declared.xlsx"))
    assert "W101 错误 一级指标“产出指标”标注 50 分，其下三级指标分值合计 47" in proc.stdout
    assert "W102" in proc.stdout

    # a 一级 with no rows
    rows = [list(r) for r in HAND if r[0] != "满意度指标"]
    _write_hand_csv(source, rows)
    proc = _cli("template", "--from", str(source), "-o", str(out), "--force")  # (over the first one)
    assert proc.returncode == 0, proc.stderr
    assert "W202 警告 缺少一级指标“满意度指标”" in proc.stdout and "分值合计 90" in proc.stdout

    # a missing 分值
    rows = [list(r) for r in HAND]
    rows[2][6] = ""
    _write_hand_csv(source, rows)
    proc = _cli("template", "--from", str(source), "-o", str(tmp_path / "missing.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert "E101 错误 分值为空" in proc.stdout


def test_project_form_takes_the_project_name(tmp_path):
    source = tmp_path / "t.csv"
    _write_hand_csv(source, encoding="utf-8")
    proc = _cli("template", "--from", str(source), "--form", "project", "--project", "乡村道路养护",
                "--unit", "某县交通运输局", "--year", "2025", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "项目支出绩效自评表_2025.xlsx"
    form = read_workbook(out).forms[0]
    assert form.kind == "project"
    assert form.fields["project"].text == "乡村道路养护"
    assert form.fields["implementer"].text == "某县交通运输局"
    assert Counter(_rows(form)) == Counter(HAND_EXPECTED)
    # 项目 from the table itself
    _write_hand_csv(source, extra={"项目": "校舍维修", "单位": "某县教育局"}, encoding="utf-8")
    proc = _cli("template", "--from", str(source), "--form", "project", "-o", str(tmp_path / "p.xlsx"))
    assert proc.returncode == 0, proc.stderr
    form = read_workbook(tmp_path / "p.xlsx").forms[0]
    assert form.fields["project"].text == "校舍维修" and form.fields["implementer"].text == "某县教育局"


def test_from_last_years_workbook(tmp_path):
    sample = SAMPLES / "02_某县财政局_2024部门整体支出绩效自评表.xlsx"
    old = read_workbook(sample).forms[0]
    proc = _cli("template", "--from", str(sample), "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "部门整体支出绩效自评表_2025.xlsx"
    assert proc.stdout.strip().splitlines()[-1] == f"已生成模板：{out}"
    form = read_workbook(out).forms[0]
    assert form.year == 2025 and form.unit_name == old.unit_name == "某县财政局"
    assert Counter(_rows(form)) == Counter(_rows(old))
    _blank_results(form)
    funds = form.funds_row("total")
    assert funds.budget.formula  # the budget is not carried over
    result = json.loads(_cli("validate", "--format", "json", str(out)).stdout)[0]["forms"][0]
    assert result["indicator_count"] == len(old.indicators)
    # an unfinished form: its blank cells are asked for, and its live 自评结论
    # formula (which shows "" until scores are in) is not held to a grade
    assert result["total"]["computed"] is None and result["conclusion"]["computed"] in (None, "")
    assert {f["code"] for f in result["findings"]} == {"E101"}


def test_years_inside_targets_are_reported_not_rewritten(tmp_path):
    sample = SAMPLES / "01_黔南州驻京联络处_2023部门整体支出绩效自评表.xlsx"
    proc = _cli("template", "--from", str(sample), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert "“2023年12月31日前”中的年份 2023 与新表年度 2024 不同，未改动" in proc.stdout
    assert "“本单位2023总工作经费”中的年份 2023" in proc.stdout
    form = read_workbook(tmp_path / "x.xlsx").forms[0]
    assert form.year == 2024
    assert "2023年12月31日前" in [t for _n, t, _w in _rows(form)]
    # the seed's own weight mistakes come along and are reported
    assert "W101" in proc.stdout and "W102" in proc.stdout


def test_from_a_sichuan_workbook_folds_nature_and_unit(tmp_path):
    sample = SAMPLES / "07_四川某县_2024项目支出绩效自评表.xlsx"
    old = read_workbook(sample).forms[0]
    proc = _cli("template", "--from", str(sample), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 0, proc.stderr
    form = read_workbook(tmp_path / "x.xlsx").forms[0]
    assert form.kind == "project" and form.year == 2025
    expected = [(ind.level3.text.strip(), fold_target(ind.target.text, ind.nature.text if ind.nature else "",
                                                      ind.unit.text if ind.unit else ""),
                 _number(ind.weight.value)) for ind in old.indicators]
    assert Counter(_rows(form)) == Counter(expected)
    # the scores mean the same: same direction and number for every target
    from selfeval_xlsx.values import parse_value

    for ind, (_n, target, _w) in zip(old.indicators, expected):
        a = parse_value(ind.target.value, ind.nature.value if ind.nature else None,
                        unit=ind.unit.value if ind.unit else None)
        b = parse_value(target)
        assert a.quantitative == b.quantitative, target
        if a.quantitative:
            assert (a.direction, a.number, a.unit) == (b.direction, b.number, b.unit), target


@pytest.fixture(scope="module")
def export_table(tmp_path_factory):
    out = tmp_path_factory.mktemp("exp")
    assert main(["export", str(SAMPLES), "-o", str(out / "导出.xlsx"), "--jobs", "1"]) == 0
    return out / "导出.xlsx"


def test_from_the_exports_own_table(export_table, tmp_path):
    proc = _cli("template", "--from", str(export_table), "-o", str(tmp_path / "forms"))
    assert proc.returncode == 0, proc.stderr
    indicators = pd.read_excel(export_table, sheet_name="指标", engine="openpyxl")
    forms = pd.read_excel(export_table, sheet_name="表", engine="openpyxl")
    written = sorted((tmp_path / "forms").glob("*.xlsx"))
    assert len(written) == len(forms) == proc.stdout.count("已生成模板：")
    assert proc.stdout.strip().splitlines()[-1] == f"共 {len(forms)} 张表：已生成 {len(forms)} 个文件，未写入 0 个。"
    for _, meta in forms.iterrows():
        rows = indicators[(indicators["文件"] == meta["文件"]) & (indicators["工作表"] == meta["工作表"])]
        name = meta["项目"] if meta["表类型"] == "项目" else meta["单位"]
        kind = "项目支出" if meta["表类型"] == "项目" else "部门整体支出"
        matches = [p for p in written if p.name.startswith(f"{name}_{kind}绩效自评表_{meta['年度'] + 1}")]
        assert matches, (name, [p.name for p in written])
        forms_read = [read_workbook(p).forms[0] for p in matches]
        expected = Counter(
            (str(r["三级指标"]) if pd.notna(r["三级指标"]) else "",
             fold_target(str(r["年度指标值"]) if pd.notna(r["年度指标值"]) else "",
                         str(r["指标性质"]) if pd.notna(r["指标性质"]) else "",
                         str(r["计量单位"]) if pd.notna(r["计量单位"]) else ""),
             _number(r["分值"]) if pd.notna(r["分值"]) else None)
            for _, r in rows.iterrows())
        assert any(Counter(_rows(f)) == expected for f in forms_read), name
        form = next(f for f in forms_read if Counter(_rows(f)) == expected)
        assert form.year == meta["年度"] + 1
        assert form.kind == ("project" if meta["表类型"] == "项目" else "department")
        _blank_results(form)


def test_round_trip_export_edit_template_fill_validate(tmp_path):
    """Export a folder, edit the indicators table (pandas), template --from
    it, fill in the actuals (openpyxl), validate: the table's indicators."""
    folder = tmp_path / "2024"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes((SAMPLES / "02_某县财政局_2024部门整体支出绩效自评表.xlsx").read_bytes())
    table = tmp_path / "指标.xlsx"
    assert main(["export", str(folder), "-o", str(table), "--jobs", "1"]) == 0
    indicators = pd.read_excel(table, sheet_name="指标", engine="openpyxl")
    # the edit: a new target, points moved between two rows, a row dropped and its points given to another
    indicators.loc[0, "年度指标值"] = "≥3份"
    indicators.loc[1, "分值"] += 2
    indicators.loc[2, "分值"] -= 2
    dropped = indicators.iloc[3]
    indicators = indicators.drop(index=3).reset_index(drop=True)
    indicators.loc[3, "分值"] += dropped["分值"]
    edited = tmp_path / "指标_改.xlsx"
    indicators.to_excel(edited, sheet_name="指标", index=False)

    out = tmp_path / "2025.xlsx"
    proc = _cli("template", "--from", str(edited), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert " W" not in proc.stdout  # the points still add up

    form = read_workbook(out).forms[0]
    # fill in the actuals: every target met, full points, as a department would
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for ind in form.indicators:
        ws[ind.actual.ref] = ind.target.text.lstrip("≥≤=")
        ws[ind.score.ref] = float(ind.weight.value)
    for key in ("total", "basic"):  # openpyxl keeps no cached results: type the sums too
        funds = form.funds_row(key)
        ws[funds.budget.ref] = 100
        ws[funds.executed.ref] = 100
    wb.save(out)

    result = json.loads(_cli("validate", "--format", "json", str(out)).stdout)[0]
    assert result["status"] != "unreadable"
    filled = read_workbook(out).forms[0]
    expected = Counter((str(r["三级指标"]), str(r["年度指标值"]), _number(r["分值"])) for _, r in indicators.iterrows())
    assert Counter(_rows(filled)) == expected
    assert ("开展预算绩效运行监控项目数", "≥3份", None) not in expected  # (the edit took)
    assert any(t == "≥3份" for _n, t, _w in _rows(filled))
    findings = result["forms"][0]["findings"]
    assert not [f for f in findings if f["code"].startswith("W")], findings
    assert result["forms"][0]["year"] == 2025
    assert result["forms"][0]["indicator_count"] == len(indicators)
    assert result["forms"][0]["total"]["computed"] == 100


def test_bad_sources_are_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,值\na,1\n", encoding="utf-8")
    proc = _cli("template", "--from", str(bad), "-o", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "缺少列" in proc.stderr and "一级指标" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("template", "--from", str(tmp_path / "missing.csv"), "-o", str(tmp_path))
    assert proc.returncode == 2 and "找不到来源文件" in proc.stderr
    notaform = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(notaform)
    proc = _cli("template", "--from", str(notaform), "-o", str(tmp_path / "y.xlsx"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "既不是指标表" in proc.stderr
    # the source is never overwritten
    sample_copy = tmp_path / "部门整体支出绩效自评表_2025.xlsx"
    sample_copy.write_bytes((SAMPLES / "02_某县财政局_2024部门整体支出绩效自评表.xlsx").read_bytes())
    before = sample_copy.read_bytes()
    proc = _cli("template", "--from", str(sample_copy), "-o", str(tmp_path))
    assert proc.returncode == 2 and sample_copy.read_bytes() == before


def test_level1_and_level2_written_once_carry_down(tmp_path):
    """A table typed like the form: 一级 and 二级 only on the first row of their group."""
    rows = [list(r) for r in HAND]
    rows[1][0] = rows[1][1] = ""  # 产出/数量 again
    rows[2][0] = ""  # 产出, 质量
    rows[3][0] = ""  # 产出, 成本
    rows[5][0] = ""  # 效益, 可持续影响
    source = tmp_path / "t.csv"
    _write_hand_csv(source, rows)
    out = tmp_path / "o.xlsx"
    proc = _cli("template", "--from", str(source), "-o", str(out), "--year", "2025")
    assert proc.returncode == 0, proc.stderr
    assert " W" not in proc.stdout
    form = read_workbook(out).forms[0]
    assert Counter(_rows(form)) == Counter(HAND_EXPECTED)
    labels = _level2_column(out)
    assert labels.count("数量指标") == 2 and labels.count("成本指标") == 1


def test_level2_names_short_long_and_ambiguous():
    from selfeval_xlsx.prefill import Row, arrange

    def row(level1, level2):
        return Row(level1, level2, f"{level1}-{level2}", "≥1个", Decimal(1))

    groups = arrange([row("产出指标", "数量"), row("效益指标", "社会效益指标"), row("效益指标", "效益"),
                      row("效益指标", "环境效益"), row("满意度指标", "满意度"), row("决策指标", "决策")])
    layout_ = {g.name: [(name, len(rows)) for name, rows in level2s] for g, _w, level2s in groups}
    assert layout_["产出指标"] == [("数量指标", 1), ("质量指标", 0), ("时效指标", 0), ("成本指标", 0)]
    assert layout_["效益指标"] == [("经济效益指标", 0), ("社会效益指标", 1), ("生态效益指标", 0), ("可持续影响指标", 0),
                               ("效益", 1), ("环境效益", 1)]
    assert layout_["满意度指标"] == [("服务对象满意度指标", 1)]
    assert layout_["决策指标"] == [("决策", 1)]
    assert [g.name for g, _w, _l in groups] == ["产出指标", "效益指标", "满意度指标", "决策指标"]
    assert [w for _g, w, _l in groups] == [1, 3, 1, 1]


def test_form_level_columns_on_the_first_row_only(tmp_path):
    """单位/年度 typed once at the top: one form, not one per blank; two units: two forms."""
    source = tmp_path / "t.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "计量单位", "分值", "单位", "年度"])
        for i, row in enumerate(HAND):
            writer.writerow([*row, "某县人社局" if i == 0 else "", "2025" if i == 0 else ""])
        for i, row in enumerate(HAND):
            writer.writerow([*row, "某县医保局" if i == 0 else "", "2025" if i == 0 else ""])
    proc = _cli("template", "--from", str(source), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "out").glob("*.xlsx"))
    assert written == ["某县人社局_部门整体支出绩效自评表_2025.xlsx", "某县医保局_部门整体支出绩效自评表_2025.xlsx"]
    for name in written:
        form = read_workbook(tmp_path / "out" / name).forms[0]
        assert Counter(_rows(form)) == Counter(HAND_EXPECTED) and form.year == 2025


@pytest.mark.libreoffice
@pytest.mark.usefixtures("soffice")
def test_prefilled_form_recalculates_in_libreoffice(tmp_path):
    """The formulas span the pre-filled rows: filled in and recalculated, the
    totals and the conclusion come out as validate computes them."""
    from test_template import _recalculate

    source = tmp_path / "t.csv"
    _write_hand_csv(source, encoding="utf-8")
    out = tmp_path / "form.xlsx"
    assert _cli("template", "--from", str(source), "--year", "2025", "--unit", "某县人社局",
                "-o", str(out)).returncode == 0
    form = read_workbook(out).forms[0]
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for ind in form.indicators:
        ws[ind.actual.ref] = ind.target.text
        ws[ind.score.ref] = float(ind.weight.value)
    first = form.indicators[0]
    ws[first.actual.ref] = "450人次"  # 450/500 × 20 = 18, with a reason
    ws[first.score.ref] = 18
    ws[first.reason.ref] = "部分培训延期"
    basic = form.funds_row("basic")
    ws[basic.budget.ref] = 200
    ws[basic.executed.ref] = 190
    wb.save(out)
    result = openpyxl.load_workbook(_recalculate(out, tmp_path), data_only=True).active
    assert result[form.total_weight.ref].value == pytest.approx(100)
    assert result[form.total.ref].value == pytest.approx(88 + 9.5)
    assert result[form.conclusion.ref].value == "优秀"
    checked = json.loads(_cli("validate", "--format", "json", str(out)).stdout)[0]["forms"][0]
    assert checked["total"]["computed"] == pytest.approx(97.5)
    assert checked["findings"] == []


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    source = tmp_path / "t.csv"
    _write_hand_csv(source, encoding="utf-8")
    out = tmp_path / "filled.xlsx"
    out.write_bytes(b"a filled-in workbook")
    proc = _cli("template", "--from", str(source), "-o", str(out))
    assert proc.returncode == 2 and "--force" in proc.stderr and proc.stderr.count("\n") == 1
    assert out.read_bytes() == b"a filled-in workbook"
    proc = _cli("template", "--from", str(source), "-o", str(out), "--force")
    assert proc.returncode == 0, proc.stderr
    assert Counter(_rows(read_workbook(out).forms[0])) == Counter(HAND_EXPECTED)


def test_exports_table_without_results_still_advances_the_year(export_table, tmp_path):
    """An exported form that was published unfilled is still that year's
    self-evaluation: the new form is for the next year."""
    indicators = pd.read_excel(export_table, sheet_name="指标", engine="openpyxl")
    one = indicators[indicators["文件"].str.contains("02_某县财政局")].copy()
    for name in ("实际完成值", "完成数值", "填报得分", "计算得分", "未完成原因"):
        one[name] = None
    source = tmp_path / "t.xlsx"
    one.to_excel(source, sheet_name="指标", index=False)
    proc = _cli("template", "--from", str(source), "-o", str(tmp_path / "o.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert read_workbook(tmp_path / "o.xlsx").forms[0].year == 2025


def test_level_names_for_grouping():
    from selfeval_xlsx.export import level_name

    assert level_name("产出指标\n（50分）") == "产出指标"
    assert level_name("效益指标30分)") == "效益指标"
    assert level_name("产 出 指 标") == "产出指标"
    assert level_name("满意度指标(10分)") == "满意度指标"
    assert level_name("") is None and level_name("(30分)") is None


def test_a_csv_in_neither_utf8_nor_gb18030_is_one_line(tmp_path):
    from selfeval_xlsx.prefill import SourceError, read_source

    source = tmp_path / "坏.csv"
    source.write_bytes("一级指标,二级指标\n".encode("gb18030") + b"\xff\n")
    with pytest.raises(SourceError) as caught:
        read_source(source)
    assert "UTF-8" in caught.value.message("zh") and "\n" not in caught.value.message("en")
