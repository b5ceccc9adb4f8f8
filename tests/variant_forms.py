"""Workbooks laid out the way published province forms are (issue 11, section 2).

Each builder returns a :class:`Grid`: the cell values row by row and the
merged ranges, as the form was published (labels, units and numbers kept;
narrative shortened).  ``save`` writes it the way real files arise: with
openpyxl (``.xlsx``), with xlwt (``.xls``, the format many bureaus still
send), or re-saved by LibreOffice.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@dataclass
class Grid:
    sheet: str
    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)  # "A5:A10"


def save(grid: Grid, path: Path, how: str = "openpyxl") -> Path:
    """Write ``grid`` to ``path``: how = "openpyxl" | "xls" | "libreoffice" (openpyxl, then re-saved)."""
    if how == "xls":
        return _save_xls(grid, path.with_suffix(".xls"))
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    wb = Workbook()
    ws = wb.active
    ws.title = grid.sheet
    thin = Side(style="thin")
    for r, row in enumerate(grid.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(r, c, value)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for rng in grid.merges:
        ws.merge_cells(rng)
    for letter in "ABCDEFGHIJKL":
        ws.column_dimensions[letter].width = 14
    target = path.with_suffix(".xlsx")
    if how == "openpyxl":
        wb.save(target)
        return target
    assert how == "libreoffice", how
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src" / target.name
        src.parent.mkdir()
        wb.save(src)
        out = Path(tmp) / "out"
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "xlsx",
             "--outdir", str(out), str(src)],
            check=True, capture_output=True, timeout=180,
        )
        shutil.copy(out / target.name, target)
    return target


def _save_xls(grid: Grid, target: Path) -> Path:
    import xlwt
    from openpyxl.utils import range_boundaries

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(grid.sheet)
    merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for rng in grid.merges:
        c0, r0, c1, r1 = range_boundaries(rng)
        merged[(r0 - 1, c0 - 1)] = (r0 - 1, r1 - 1, c0 - 1, c1 - 1)
    covered = set()
    for (r0, c0), (a, b, c, d) in merged.items():
        for r in range(a, b + 1):
            for cc in range(c, d + 1):
                covered.add((r, cc))
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                a, b, cc, d = merged[(r, c)]
                ws.write_merge(a, b, cc, d, value)
            elif (r, c) in covered or value is None:
                continue
            else:
                ws.write(r, c, value)
    wb.save(str(target))
    return target


def _pad(rows: list[list[Any]], width: int) -> list[list[Any]]:
    return [row + [None] * (width - len(row)) for row in rows]


# --------------------------------------------------------------------------
# Sichuan: 报表编号 510000_0013zp, 预算执行情况(10分), 指标性质/度量单位, narrative 评价结论


def sichuan(*, conclusion: str = "项目按计划完成，资金使用规范，绩效目标基本实现。", filled: bool = True,
            total_label: str = "总额", zero_total: bool = False, grade: str | None = None) -> Grid:
    score = (lambda v: v) if filled else (lambda v: None)
    total_row = [None, total_label, 480, 500, 490, 0.98, 10, score(9.8), None]
    if zero_total:
        total_row = [None, total_label, 0, 0, 0, 1, 10, score(10), None]
    rows = [
        ["报表编号：510000_0013zp"],
        ["部门整体支出绩效自评表"],
        ["（2024年度）"],
        ["部门（单位）名称", None, "某县司法局"],
        ["预算执行情况\n（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重",
         "得分", "原因"],
        total_row,
        [None, "其中：财政资金", 430, 450, 445, "—", "—", "—"],
        [None, "财政专户管理资金", 0, 0, 0, "—", "—", "—"],
        [None, "单位资金", 50, 50, 45, "—", "—", "—"],
        [None, "其他资金", 0, 0, 0, "—", "—", "—"],
        ["年度总体目标", "预期目标", None, None, None, "实际完成情况"],
        [None, "完成全县法律援助和人民调解工作。", None, None, None, "办理法律援助案件320件，调解纠纷1100件。"],
        ["绩效指标\n（90分）", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重",
         "得分", "偏差原因分析及改进措施"],
        [None, "产出指标", "数量指标", "法律援助案件数", "≥", 300, "件", 320, 20, score(20)],
        [None, None, None, "人民调解纠纷数", "≥", 1000, "件", 1100, 20, score(20)],
        [None, None, "质量指标", "调解成功率", "≥", 95, "%", 96, 10, score(10)],
        [None, "效益指标", "社会效益指标", "群众法律意识", "定性", "提高", "—", "提高" if filled else None, 20,
         score(20)],
        [None, None, "可持续影响指标", "2018-2022年规划目标完成情况", "定性", "完成", "—", "完成", 10, score(10)],
        [None, "满意度指标", "服务对象满意度指标", "受援群众满意度", "≥", 90, "%", 95, 10, score(10)],
        ["总分", None, None, None, None, None, None, None, 100, score(99.8)],
        ["评价结论", None, None, conclusion, *([None] * 5 + ["自评等级", grade] if grade else [])],
        ["存在问题", None, None, "基层法律服务力量不足。" if filled else "（简要说明存在的问题）"],
        ["改进措施", None, None, "加强基层法律服务队伍建设。" if filled else "（简要说明改进措施）"],
    ]
    merges = ["A5:A10", "A11:A12", "B11:E11", "F11:K11", "B12:E12", "F12:K12", "A13:A19", "B14:B16",
              "C14:C15", "B17:B18", "A20:H20", "A21:C21", "D21:I21" if grade else "D21:K21", "A22:C22", "D22:K22",
              "A23:C23", "D23:K23", "A2:K2", "A3:K3", "A4:B4", "C4:K4"]
    return Grid("510000_0013zp", _pad(rows, 11), merges)


# --------------------------------------------------------------------------
# Hubei: 预算执行情况（万元）（20分）, 得分（20分*执行率）, two goal blocks each with its header


def hubei(*, block2_points: int = 40, weights: bool = True, total: float = 99.6, block2_label: str | None = None,
          overscore: bool = False) -> Grid:
    def row(l1, l2, l3, a, b, w, s, reason=None):
        return [l1, l2, l3, a, b, *([w] if weights else []), s, reason]

    head = ["一级指标", "二级指标", "三级指标", "指标值", "完成值", *(["分值"] if weights else []), "得分",
            "偏差原因分析及改进措施"]
    rows = [
        ["项目支出绩效自评表"],
        ["（2024年度）"],
        ["项目名称", "农村饮水安全巩固提升", None, "主管部门", "某县水利局"],
        ["预算执行情况（万元）（20分）"],
        ["资金来源", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分（20分*执行率）"],
        ["年度资金总额", 100, 98, 0.98, 19.6],
        ["年度绩效目标1（40分）", "完成农村供水工程维修养护。"],
        head,
        row("产出指标", "数量指标", "维修养护供水工程数", "≥20处", "20处", 20, 20),
        row(None, "质量指标", "工程验收合格率", "100%", "100%", 20, 20),
        [block2_label or f"年度绩效目标2（{block2_points}分）", "提升农村供水保障水平。"],
        head,
        row("效益指标", "社会效益指标", "受益人口", "≥5000人", "5000人", 30, 32 if overscore else 30),
        row("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%", "92%", 10, 10),
        ["总分", None, None, None, None, *([100] if weights else []), total],
        ["自评结论", None, None, None, None, "优"],
    ]
    merges = ["A1:H1", "A2:H2", "A4:H4", "B7:H7", "A9:A10", "B11:H11"]
    return Grid("湖北", _pad(rows, 8), merges)


# --------------------------------------------------------------------------
# Chongqing: 部门预算执行情况（万元） over two rows, 执行率权重 / 执行率得分, 得分系数（%） beside 指标得分（分）,
# a flat indicator list (no 一级/二级 columns)


def chongqing(*, wrong_points: bool = False, total_label: str = "自评总分", ratio_only: bool = False) -> Grid:
    rows = [
        ["部门整体支出绩效自评表"],
        ["（2024年度）"],
        ["部门名称", "某区统计局"],
        ["部门预算执行情况（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率（%）", "执行率权重",
         "执行率得分（分）"],
        [None, 800, 800, 760, 95, 10, 9.5],
        ["序号", "指标名称", "指标值", "完成值", "权重", "得分系数（%）", "指标得分（分）", "是否核心指标"],
        [1, "统计调查任务完成数", "≥12项", "12项", 30, 100, 30, "是"],
        [2, "统计数据差错率", "3%", "2%", 20, 100, 20, "是"],
        [3, "统计数据发布及时率", "100%", "100%", 20, 100, 20, "否"],
        [4, "预算调整率", "5%", "8%", 10, 62.5, 6.25 if not wrong_points else 10, "否"],
        [5, "数据使用单位满意度", "≥90%", "95%", 10, 100, 10, "否"],
        [total_label, 95.75 if not wrong_points else 99.5],
    ]
    if ratio_only:  # only the 得分系数（%） column: no points column the tool could read
        for row in rows[5:11]:
            del row[6]
    merges = ["A1:H1", "A2:H2", "A4:A5", "B3:H3"]
    return Grid("部门整体", _pad(rows, 8), merges)


# --------------------------------------------------------------------------
# Ningxia-style evaluation scheme 决策/过程/产出/效益 with 参考分值; 预算执行率 an indicator row


def evaluation() -> Grid:
    rows = [
        ["项目支出绩效自评表"],
        ["（2024年度）"],
        ["项目名称", "城乡环境综合整治"],
        ["一级指标", "二级指标", "三级指标", "年初指标值", "调整指标值", "全年完成值", "参考分值", "得分", "偏差原因"],
        ["决策", "项目立项", "立项依据充分性", "充分", None, "充分", 5, 5],
        [None, "绩效目标", "绩效目标明确性", "明确", None, "明确", 5, 5],
        ["过程", "资金管理", "资金到位率", "100%", None, "100%", 10, 10],
        [None, "投入管理", "预算执行率", "≥90%", "≥95%", "95%", 10, 10],
        [None, "组织实施", "管理制度健全性", "健全", None, "健全", 5, 5],
        ["产出", "产出数量", "整治村庄数", "≥20个", "≥25个", "22个", 30, 26.4, "3个村庄因征地延后，已列入下年计划"],
        ["效益", "社会效益", "村容村貌改善", "明显", None, "明显", 25, 25],
        [None, "满意度", "群众满意度", "≥90%", None, "93%", 10, 10],
        ["总分", None, None, None, None, None, 100, 96.4],
        ["自评结论", None, None, None, None, None, "优秀"],
    ]
    merges = ["A5:A6", "A7:A9", "A11:A12"]
    return Grid("宁夏", _pad(rows, 9), merges)


# --------------------------------------------------------------------------
# A department form with no merged cells and a second header row of "（A）"/"（B）"; the stated total in a
# header field; a lower-is-better indicator known by its name


def no_merges(*, placeholders: bool = False, total_label: str = "自评总分（分）") -> Grid:
    rows = [
        ["部门整体支出绩效自评表"],
        ["（2024年度）"],
        ["部门（单位）名称", "某县审计局", None, None, total_label, 91.5],
        ["部门（单位）总体资金（万元）", "资金来源", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, None, None, "（A）", "（B）"],
        [None, "年度资金总额", 300, 300, 285, 10, 0.95, 9.5],
        [None, "基本支出", 200, 200, 195, "—", "—", "—"],
        [None, "项目支出", 100, 100, 90, "—", "—", "—"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "未完成原因分析"],
        [None, None, None, None, "（A）", "（B）"],
        [None, "产出指标", "数量", "审计项目数", "≥30个", "32个", 25, 25],
        [None, "产出指标", "质量", "审计报告差错率", "2%", "3%", 25, 17, "复核不到位"],
        [None, "效益指标", "社会效益", "查出问题整改率", "≥90%", "95%", 30, 30],
        [None, "满意度指标", "服务对象满意度", "被审计单位满意度", "≥90%", "96%", 10, 10],
        *([[None, None, None, "指标1：", "*", "*"], [None, None, None, "……"], [None, None, None, "/", "/", "/", "/"]]
          if placeholders else []),
        ["自评结论", None, None, None, None, None, "优秀"],
    ]
    return Grid("Sheet1", _pad(rows, 9), [])


# --------------------------------------------------------------------------
# A funds block the reader cannot make out (unknown layout): L201 and no cascade


def unknown_funds() -> Grid:
    rows = [
        ["部门整体支出绩效自评表"],
        ["（2024年度）"],
        ["部门（单位）名称", "某县档案馆"],
        ["预算执行情况", "资金类型", "金额（万元）", "占比", "说明"],
        [None, "财政拨款", 120, "80%", None],
        [None, "自有资金", 30, "20%", None],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "未完成原因分析"],
        [None, "产出指标", "数量", "档案数字化页数", "≥10万页", "12万页", 50, 50],
        [None, "效益指标", "社会效益", "档案查阅服务人次", "≥2000人次", "2100人次", 30, 30],
        [None, "满意度指标", "服务对象满意度", "查档群众满意度", "≥90%", "95%", 10, 10],
        ["总分", None, None, None, None, None, 100, 97],
        ["自评结论", None, None, None, None, None, "优秀"],
    ]
    merges = ["A4:A6"]
    return Grid("档案馆", _pad(rows, 9), merges)


# --------------------------------------------------------------------------
# Yunnan: 指标性质 / 度量单位, the grade written in the 总分 row


def yunnan(*, total: float = 96, grade: str = "优") -> Grid:
    rows = [
        ["项目支出绩效自评表"],
        ["（2024年度）"],
        ["项目名称", "边境村寨人居环境提升", None, "主管部门", "某县住建局"],
        ["项目资金（万元）", "资金来源", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", 200, 200, 190, 10, 0.95, 9.5],
        [None, "其中：当年财政拨款", 200, 200, 190, "—", "—", "—"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分",
         "偏差原因分析及改进措施"],
        [None, "产出指标", "数量指标", "改造村寨数", "≥", 10, "个", 6, 30, 18, "4个村寨雨季停工，顺延至次年"],
        [None, None, "质量指标", "工程验收合格率", "=", 100, "%", 100, 20, 20],
        [None, "效益指标", "社会效益指标", "受益群众", "≥", 3000, "人", 3100, 30, 30],
        [None, "满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, "%", 93, 10, 10],
        ["总分", None, None, None, None, None, None, None, 100, total, grade],
    ]
    merges = ["A4:A6", "A7:A11", "B8:B9", "A12:H12"]
    return Grid("云南", _pad(rows, 11), merges)
