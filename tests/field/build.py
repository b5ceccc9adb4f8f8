"""Rebuild the field corpus: forms published by finance bureaus and departments.

Each form below is the text of a published 绩效自评表 (address and province in
``cases.py`` and README.md), rebuilt cell for cell as a workbook: labels,
numbers and units as published (mistakes included), narrative boxes shortened
in our own words.  Where the stored copy of the page breaks off, the workbook
ends where the copy ends and the README says so.

    python tests/field/build.py          # rewrite every .xlsx / .xls (deterministic)
    python tests/field/build.py --lo     # also redo the LibreOffice re-save

Output is deterministic: fixed document properties and zip timestamps.  The
LibreOffice re-save is not (LibreOffice stamps its own metadata), so it is only
redone with ``--lo`` or when it is missing.
"""

from __future__ import annotations

import datetime as _dt
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string, range_boundaries

HERE = Path(__file__).resolve().parent
FIXED = _dt.datetime(2024, 1, 1, 0, 0, 0)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class Form:
    """A sheet as data: values by A1 reference, merged ranges, number formats."""

    def __init__(self, sheet: str, widths: dict[str, float] | None = None):
        self.sheet = sheet
        self.cells: dict[str, object] = {}
        self.formats: dict[str, str] = {}
        self.merges: list[str] = []
        self.titles: set[str] = set()
        self.widths = widths or {}

    def row(self, r: int, *values, start: str = "A") -> None:
        """Put values in row r from column ``start`` on; None leaves a cell empty."""
        c0 = column_index_from_string(start)
        for i, v in enumerate(values):
            if v is not None:
                self.cells[f"{get_column_letter(c0 + i)}{r}"] = v

    def put(self, ref: str, value, fmt: str | None = None) -> None:
        self.cells[ref] = value
        if fmt:
            self.formats[ref] = fmt

    def merge(self, *ranges: str) -> None:
        self.merges.extend(ranges)

    def title(self, ref: str, value, merge: str | None = None) -> None:
        self.cells[ref] = value
        self.titles.add(ref)
        if merge:
            self.merges.append(merge)


# ---------------------------------------------------------------------------
# 1. 四川 眉山市青神县 发展和改革局 — 510000_0013zp, published unfilled
def sc_qingshen() -> Form:
    f = Form("Sheet1", {"A": 14, "B": 16, "C": 12, "D": 20, "E": 10, "F": 10, "G": 9, "H": 9, "I": 8, "J": 8, "K": 18})
    f.put("A1", "报表编号:510000_0013zp")
    f.merge("A1:K1")
    f.title("A2", "部门预算项目支出绩效自评表(2023年度)", "A2:K2")
    f.row(3, "项目名称", "51000021R000000019951-工资性支出")
    f.merge("B3:K3")
    f.row(4, "主管部门", "青神县发展和改革局本级", None, None, None, "实施单位 (盖章)", None, "青神县发展和改革局")
    f.merge("B4:E4", "F4:G4", "H4:K4")
    f.row(5, "项目基本情况", "1.项目年度目标完成情况", None, "项目年度目标", None, None, None, "年度目标完成情况")
    f.row(6, None, None, None, "按政策及时足额发放工资、缴纳社保，预算编制科学合理，减少结余资金。", None, None, None,
          "对照年度目标,说明相关任务目标的完成情况(100字以内)")
    f.row(7, None, "2.项目实施内容及过程概述")
    f.merge("A5:A7", "B5:C6", "D5:G5", "H5:K5", "D6:G6", "H6:K6", "B7:C7", "D7:K7")
    f.row(8, "预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因")
    f.row(9, None, "总额", 238.93, 251.89, 251.89, 1, 10)
    f.put("I9", "1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内);2.年中发生预算调整的"
                "(追加或调减),应单独说明理由;3.其他资金包括:社会投入资金、银行贷款.")
    f.row(10, None, "其中:财政资金", 238.93, 251.89, 251.89, 1, "/", "/")
    f.row(11, None, "财政专户管理资金", 0, 0, 0, 0, "/", "/")
    f.row(12, None, "单位资金", 0, 0, 0, 0, "/", "/")
    f.row(13, None, "其他资金", None, None, None, None, "/", "/")
    for r in range(9, 13):
        for c in "CDE":
            f.formats[f"{c}{r}"] = "0.00"
        f.formats[f"F{r}"] = "0.00%"
    f.merge("A8:A13", "I8:K8", "I9:K13")
    f.row(14, "绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析")
    f.row(15, None, "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", 100, "%", None, 60)
    f.row(16, None, "效益指标", "社会效益指标", "足额保障率(参保率)", "=", 100, "%", None, 30)
    f.merge("A14:A16")
    f.row(17, "合计", None, None, None, None, None, None, None, 100)
    f.merge("A17:H17")
    f.row(18, "评价结论", "结合自评情况,说明项目自评总分,说明项目实施取得的成效或成果。(200字以内)")
    f.row(19, "存在问题", "结合自评情况,分析存在的问题及原因。(200字以内)")
    f.row(20, "改进措施", "针对项目自评中发现的问题,提出下一步改进完善的意见及有关政策性建议。(200字以内)")
    f.merge("B18:K18", "B19:K19", "B20:K20")
    f.row(21, "项目负责人:", None, None, None, None, "财务负责人:")
    f.merge("A21:E21", "F21:K21")
    return f


# 2. 四川 遂宁市大英县 司法局 — 510000 layout, 年初预算 0.00; the stored copy ends
#    inside the first indicator row
def sc_daying() -> Form:
    f = Form("Sheet1", {"A": 14, "B": 16, "C": 12, "D": 24, "E": 10, "F": 10, "G": 9, "H": 9, "I": 8, "J": 8, "K": 18})
    f.title("A1", "部门预算项目支出绩效自评表(2023年度)", "A1:K1")
    f.row(2, "项目名称", "51092324T000010263357-2023年全县安可替代补助资金项目")
    f.merge("B2:K2")
    f.row(3, "主管部门", "大英县司法局部门", None, None, None, "实施单位", None, "大英县司法局")
    f.merge("B3:E3", "F3:G3", "H3:K3")
    f.row(4, "项目基本情况", "1.项目年度目标完成情况", None, "项目年度目标", None, None, None, "年度目标完成情况")
    f.row(5, None, None, None, "按要求购买安可设备并完成资金支付。", None, None, None, "完成")
    f.row(6, None, "2.项目实施内容及过程概述", None, "2023年购置安可电脑13台，12月前付清资金。")
    f.merge("A4:A6", "B4:C5", "D4:G4", "H4:K4", "D5:G5", "H5:K5", "B6:C6", "D6:K6")
    f.row(7, "预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因")
    f.row(8, None, "总额", 0, 3.36, 3.36, 1, 10, 10)
    f.put("I8", "1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内);2.年中发生预算调整的"
                "(追加或调减),应单独说明理由;3.其他资金包括:社会投入资金、银行贷款.")
    f.row(9, None, "其中:财政资金", 0, 3.36, 3.36, 1, "/", "/")
    f.row(10, None, "财政专户管理资金", 0, 0, 0, 0, "/", "/")
    f.row(11, None, "单位资金", 0, 0, 0, 0, "/", "/")
    f.row(12, None, "其他资金", None, None, None, None, "/", "/")
    for r in range(8, 12):
        for c in "CDE":
            f.formats[f"{c}{r}"] = "0.00"
        f.formats[f"F{r}"] = "0.00%"
    f.merge("A7:A12", "I7:K7", "I8:K12")
    f.row(13, "绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析")
    f.row(14, None, "产出指标", "质量指标", "完成安可产品购买并按要求支付资金", "=", 100)
    f.merge("A13:A14")
    return f


# 3. 四川 德阳市中江县 水利局 — 衔接资金 绩效目标自评表, 分值 before 指标值
def sc_zhongjiang() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 12, "C": 14, "D": 26, "E": 8, "F": 12, "G": 12, "H": 8, "I": 20})
    f.title("A1", "绩效目标自评表", "A1:I1")
    f.put("A2", "(2022年度)")
    f.merge("A2:I2")
    f.row(3, "项目名称", None, "中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装", None, None, None,
          "项目负责人及电话", "（略）")
    f.merge("A3:B3", "C3:F3", "H3:I3")
    f.row(4, "主管部门", None, "中江县水利局", None, None, None, "实施单位", "中江县水利局")
    f.merge("A4:B4", "C4:F4", "H4:I4")
    f.row(5, "资金情况 (万元)", None, None, "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分")
    f.row(6, None, None, "年度资金总额:", 20, 20, 10, 1, 10)
    f.formats["H6"] = "0.00%"
    f.row(7, None, None, "其中:本年财政拨款", 20, 20)
    f.row(8, None, None, "其他资金")
    f.merge("A5:B8")
    f.row(9, "年度总体目标", None, "年初设定目标", None, None, None, "年度总体目标完成情况综述")
    f.row(10, None, None, "改进农村供水计量设施，为项目区农业用水计量、农业生产打基础。", None, None, None,
          "已完成农业用水计量设施改进，为农业生产打下基础。")
    f.merge("A9:B10", "C9:F9", "G9:I9", "C10:F10", "G10:I10")
    f.row(11, "绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分", "未完成原因及拟采取的改进措施")
    f.row(12, None, "产出指标(70分)", "数量指标", "安装坡面水标尺", 10, "≥266米", "≥266米", 10)
    f.row(13, None, None, None, "水标尺宽度", 10, "≥50厘米", "≥50厘米", 10)
    f.row(14, None, None, "质量指标", "项目(工程)验收合格率", 20, "100%", "100%", 20)
    f.row(15, None, None, "时效指标", "及时(按期)开工率", 10, "≥90%", "≥90%", 10)
    f.row(16, None, None, None, "及时(按期)完工率", 10, "≥90%", "≥90%", 10)
    f.row(17, None, None, "成本指标", "项目计划总投资", 10, "20万元", "20万元", 10)
    f.row(18, None, "效益指标(20分)", "经济效益指标")
    f.row(19, None, None, "社会效益指标", "受益脱贫(含监测对象)户人口数", 10, "≥1000人", "≥1000人", 10)
    f.row(20, None, None, None, "群众生产生活条件改善状况", 10, "显著提升", "显著提升", 10)
    f.row(21, None, "满意度指标(10分)", "服务对象满意度指标", "受益脱贫(含监测对象)户满意度", 10, "≥95%", "≥95%", 10)
    f.row(22, None, None, None, "……")
    f.merge("A11:A22", "B12:B17", "C12:C13", "C15:C16", "B18:B20", "C19:C20", "B21:B22", "C21:C22")
    f.row(23, "总分", None, None, None, 100, None, None, 100)
    f.merge("A23:D23")
    f.put("A24", "注:1.一级指标分值统一设置为:产出指标50分、效益指标30分、满意度指标10分、预算资金执行率10分,各部门根据各项指标重要程度确定"
                 "三级指标的分值,得分最高不能超过该指标分值上限。")
    f.merge("A24:I24")
    return f


# 4. 云南 保山市施甸县 农业农村局 — 预算执行情况(20分), 年度绩效目标1(80分), no 分值 column
def yn_shidian() -> Form:
    f = Form("Sheet1", {"A": 12, "B": 14, "C": 28, "D": 14, "E": 14, "F": 10, "G": 4})
    f.title("A1", "项目支出绩效自评表", "A1:G1")
    f.row(2, "单位名称:施甸县农业农村局", None, None, "填报日期:2022年7月5日")
    f.merge("A2:C2", "D2:G2")
    f.row(3, "项目名称", "2019年新型农业经营主体扶持项目")
    f.merge("B3:G3")
    f.row(4, "主管部门", "施甸县人民政府", None, "项目实施单位", "施甸县农业农村局")
    f.merge("B4:C4", "E4:G4")
    f.row(5, "项目类别", "1、部门预算项目 □ 2、上级专项 ☑")
    f.row(6, "项目属性", "1、持续性项目 □ 2、新增性项目☑")
    f.merge("B5:G5", "B6:G6")
    f.row(7, "预算执行情况(万元)(20分)", None, "预算数(A)", "执行数(B)", "执行率(B/A)", "得分 (20分*执行率)")
    f.row(8, "年度财政资金总额", None, 650, 94, 0.1, 2.9)
    f.merge("A7:B7", "A8:B8", "F7:G7", "F8:G8")
    f.put("A9", "年度绩效目标1 (80分)")
    f.merge("A9:G9")
    f.row(10, "一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "得分")
    f.row(11, "产出指标", "数量指标", "扶持发展新型农业经营主体 (个)", 15, 6, 8.0)
    f.row(12, None, "数量指标", "带动贫困户(人)", 11442, 4164, 7.3)
    f.row(13, "效益指标", "经济效益指标", "新型经营主体实现产值(%)", 8000, 12767.36, 31.9)
    f.row(14, None, "经济效益指标", "新型经营主体助农增收 (元)", 1980, 2074, 10.5)
    f.row(15, "满意度指标", "服务对象满意度指标", "满意度(%)", 90, 100, 11.1)
    f.merge("A11:A12", "A13:A14")
    for r in range(11, 16):
        f.formats[f"F{r}"] = "0.0"
    f.row(16, "总分", None, None, None, None, 71.7)
    f.merge("A16:E16")
    f.row(17, "偏差大或 目标未完成 原因分析",
          "部分经营主体带动建档立卡户的台账和佐证不全、带动能力有限；项目先建后补，不符合奖补条件的未予补助，资金有结余，未全部执行。")
    f.row(18, "改进措施及 结果应用方案", "加强对新型经营主体的管理指导，健全内部管理制度，规范业务管理。")
    f.merge("B17:G17", "B18:G18")
    return f


# 5. 云南 临沧市临翔区 林业和草原局 — MoF 3-2, 97.80% scored 9; copy ends at the satisfaction row
def yn_linxiang() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 10, "C": 14, "D": 22, "E": 14, "F": 14, "G": 8, "H": 8, "I": 14})
    f.title("A1", "项目支出绩效自评表", "A1:I1")
    f.put("A2", "( 2023年度)")
    f.merge("A2:I2")
    f.row(3, "项目名称", None, "2023年马鹿坑国有林场新建野生动物收容所建设项目")
    f.merge("A3:B3", "C3:I3")
    f.row(4, "主管部门", None, "临沧市临翔区林业和草原局", None, None, "实施单位", "临沧市临翔区林业和草原局")
    f.merge("A4:B4", "C4:E4", "G4:I4")
    f.row(5, "项目资金 (万元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(6, None, None, "年度资金总额", None, 32.4, 31.69, 10, 0.978, 9)
    f.row(7, None, None, "其中:当年财政拨款", None, 32.4, 31.69, 10, 0.978, 9)
    f.formats["H6"] = f.formats["H7"] = "0.00%"
    f.merge("A5:B7")
    f.row(8, "年度 总体 目标", "预期目标", None, None, None, "实际完成情况")
    f.row(9, None, "新建马鹿坑国有林场临时野生动物收容所1间200平方米、钢结构圈养围栏120米，补齐林场基础设施短板，救助受伤野生动物。",
          None, None, None, "收容所1间200平方米、围栏120米已建成，可同时收容近百头(只)野生动物。")
    f.merge("A8:A9", "B8:E8", "F8:I8", "B9:E9", "F9:I9")
    f.row(10, "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    f.row(11, None, "产出指标", "数量指标", "野生动物收容所", "≥200平方米", "204.46平方米", 10, 10, "无")
    f.row(12, None, None, "数量指标", "钢结构圈养围栏", "≥120米", "121.5米", 10, 10, "无")
    f.row(13, None, None, "时效指标", "项目完工时限", "2023年12月", "2023年10月", 15, 15, "无")
    f.row(14, None, None, "质量指标", "项目竣工验收率", "100%", "100%", 15, 15, "无")
    f.row(15, None, "效益指标", "经济效益指标", "务工人员年人均增收", "≥8400元", "8400元", 10, 10, "无")
    f.row(16, None, None, "社会效益指标", "提供务工岗位", "≥5个", "5个", 10, 10, "无")
    f.row(17, None, None, "可持续影响指标", "项目建成后可持续影响年限", "≥15年", "15年", 10, 10, "无")
    f.row(18, None, "满意度指标", "服务对象满意度指标", "受益农户满意度")
    f.merge("A10:A18", "B11:B14", "B15:B17")
    return f


# 6. 安徽 池州市贵池区 棠溪镇人民政府 — 年度资金总额 row of zeros; copy ends in the satisfaction row
def ah_tangxi() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 12, "C": 14, "D": 26, "E": 18, "F": 14, "G": 8, "H": 8, "I": 16})
    f.put("A1", "附件:")
    f.title("A2", "项目支出绩效自评表", "A2:I2")
    f.put("A3", "(2022年度)")
    f.merge("A3:I3")
    f.row(4, "项目名称", None, "委托业务项目")
    f.merge("A4:B4", "C4:I4")
    f.row(5, "主管部门", None, "219-池州市贵池区棠溪镇人民政府", None, None, "实施单位", "219001-池州市贵池区棠溪镇人民政府")
    f.merge("A5:B5", "C5:E5", "G5:I5")
    f.row(6, "项目资金 (万元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(7, None, None, "年度资金总额:", 0, 0, 0, 10, 0, 0)
    f.row(8, None, None, "其中:本年财政拨款", 90, 89.974, 89.974)
    f.row(9, None, None, "上年结转资金")
    f.row(10, None, None, "其他资金")
    f.merge("A6:B10")
    f.row(11, "年度总体目标", "预期目标", None, None, None, "实际完成情况")
    f.row(12, None, "申请预算资金90万元，基建工程项目预算编制、审计和设计规划测绘各30万元。", None, None, None,
          "完成89.97万元：预算编制、审计各30万元，设计规划测绘29.99万元。")
    f.merge("A11:A12", "B11:E11", "F11:I11", "B12:E12", "F12:I12")
    f.row(13, "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    f.row(14, None, "产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", 50, 8, 8)
    f.row(15, None, None, "质量指标", "委托业务报告合格率", "≥100百分比", 100, 8, 8)
    f.row(16, None, None, None, "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8, 8)
    f.row(17, None, None, "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", 8, 8)
    f.row(18, None, None, "成本指标", "项目总成本", "≤90万元", 90, 8, 8)
    f.row(19, None, None, None, "单项业务成本", "符合相关规定", "达成预期指标", 10, 10)
    f.row(20, None, "效益指标(30分)", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", 10, 10)
    f.row(21, None, None, "生态效益指标", "对控制基建项目成本影响程度", "效果明显", "达成预期指标", 10, 10)
    f.row(22, None, None, "可持续影响指标", "对推动基建项目“四项制度”健全和落实的持续性影响", "效果明显", "达成预期指标", 10, 10)
    f.row(23, None, None, "经济效益指标")
    f.row(24, None, "满意度指标(10分)", "满意度指标", "公众满")
    f.merge("A13:A24", "B14:B19", "C15:C16", "C18:C19", "B20:B23")
    return f


# 7. 安徽 滁州 天长市水利局 — MoF 3-2 with 指标1:/指标2:/…… slots, 一级 names missing, rate blank
def ah_tianchang() -> Form:
    f = Form("Sheet1", {"A": 10, "B": 10, "C": 14, "D": 30, "E": 10, "F": 10, "G": 8, "H": 8, "I": 16})
    f.title("A1", "项目支出绩效自评表", "A1:I1")
    f.put("A2", "(2022年度)")
    f.merge("A2:I2")
    f.row(3, "项目名称", None, "水旱灾害防御经费")
    f.merge("A3:B3", "C3:I3")
    f.row(4, "主管部门", None, None, None, None, "实施单位", "天长市水利局")
    f.merge("A4:B4", "C4:E4", "G4:I4")
    f.row(5, "项目资金 (万元)", None, None, "年初预算数", "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分")
    f.row(6, None, None, "年度资金总额:", 880, 880, 880, 10, None, 10)
    f.row(7, None, None, " 其中:本年财政拨款", 880, 880, 880, "-", None, "-")
    f.row(8, None, None, "上年结转资金", None, None, None, "-", None, "-")
    f.row(9, None, None, "其他资金", None, None, None, "-", None, "-")
    f.merge("A5:B9")
    f.row(10, "年度总体目标完成情况", "预期目标", None, None, None, "实际完成情况")
    f.row(11, None, "完成年度防汛工作，完成中型灌区节水改造和农业综合水价改革项目。", None, None, None, "完成年度目标。")
    f.merge("A10:A11", "B10:E10", "F10:I10", "B11:E11", "F11:I11")
    f.row(12, "年度绩效指标完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    rows = [
        # (一级 label or None, 二级 or None, 三级, A, B, 分值, 得分)
        ("(50分)", "数量指标", "指标1:完成中型灌区节水改造项目数量", 1, 1, 10, 10),
        (None, None, "指标2:完成农业综合水价改革项目", 1, 1, 10, 10),
        (None, None, "……"),
        (None, "质量指标", "指标1:工程质量合格", None, None, 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
        (None, "时效指标", "指标1:年度资金支付完成率100%", None, None, 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
        (None, "成本指标", "指标1:资金执行在预算范围内", None, None, 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
        ("(30分)", "经济效益指标", "指标1:全市安全度汛", None, None, 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
        (None, "社会效益指标", "指标1:保护全市人口财产不受损失", None, None, 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
        (None, "生态效益指标", "指标1:/", "/", "/"),
        (None, None, "指标2:"),
        (None, None, "……"),
        (None, "可持续影响指标", "指标1:已建工程良性运行", None, None, 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
        ("满意度指标(10分)", "服务对象满意度指标", "指标1:服务对象满意度", "90%", "100%", 10, 10),
        (None, None, "指标2:"),
        (None, None, "……"),
    ]
    for i, spec in enumerate(rows):
        spec = tuple(spec) + (None,) * (7 - len(spec))
        f.row(13 + i, None, *spec)
    # rows 13..39: 一级 blocks 13-24, 25-36, 37-39; 二级 blocks of three rows
    f.merge("A12:A39", "B13:B24", "B25:B36", "B37:B39")
    for top in range(13, 40, 3):
        f.merge(f"C{top}:C{top + 2}")
    f.row(40, "总分", None, None, None, None, None, 100, 100)
    f.merge("A40:F40")
    f.put("A41", "注:1.一级指标分值统一设置为:产出指标50分、效益指标30分、服务对象满意度指标10分、预算资金执行率10分。")
    f.merge("A41:I41")
    return f


# 8. 安徽 宿州市萧县 张庄寨镇 — 分值 before 指标值, ★ core rows, "其中" rows without points; copy ends
#    where the satisfaction block begins
def ah_xiaoxian() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 10, "C": 12, "D": 30, "E": 8, "F": 14, "G": 12, "H": 8, "I": 16})
    f.title("A1", "绩效目标自评表", "A1:I1")
    f.put("A2", "(2023年度)")
    f.merge("A2:I2")
    f.row(3, "项目名称", None, "河西村特色种养补贴到户项目", None, None, "项目负责人及电话", "（略）")
    f.merge("A3:B3", "C3:E3", "G3:I3")
    f.row(4, "主管部门", None, "县农业农村局", None, None, "实施单位", "张庄寨镇人民政府")
    f.merge("A4:B4", "C4:E4", "G4:I4")
    f.row(5, "资金情况 (万元)", None, None, "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分")
    f.row(6, None, None, "年度资金总额:", 9.48, 9.48, 10, 1, 10)
    f.row(7, None, None, "其中:本年财政拨款", 9.48, 9.48, 10, 1, 10)
    f.row(8, None, None, "其他资金", "-", "-")
    f.formats["G6"] = f.formats["G7"] = "0%"
    f.merge("A5:B8")
    f.row(9, "年度总体目标", None, "年初设定目标", None, None, None, "年度总体目标完成情况综述")
    f.row(10, None, None, "落实39户特色种养业奖补，增加脱贫户家庭收入。", None, None, None, "已落实39户特色种养业奖补，增加了脱贫户收入。")
    f.merge("A9:B10", "C9:F9", "G9:I9", "C10:F10", "G10:I10")
    f.row(11, "绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分", "未完成原因及拟采取的改进措施")
    f.row(12, None, "产出指标(50分)", "数量指标", "★补助各类瓜果蔬菜种植面积", 20, "29.5亩", "29.5亩", 20)
    f.row(13, None, None, None, "其中桃树种植面积", None, "1.5亩", "1.5亩")
    f.row(14, None, None, None, "其中苹果树种植面积", None, "5亩", "5亩")
    f.row(15, None, None, None, "其中露天蔬菜", None, "20亩", "20亩")
    f.row(16, None, None, None, "其中大棚蔬菜", None, "3亩", "3亩")
    f.row(17, None, None, None, "★补助鱼塘面积", 10, "3亩", "3亩", 10)
    f.row(18, None, None, None, "其中鱼塘养殖面积", None, "3亩", "3亩")
    f.row(19, None, None, None, "★补助家畜家禽养殖数量", 10, "192只", "192只", 10)
    f.row(20, None, None, None, "其中羊养殖数量", None, "180只", "180只")
    f.row(21, None, None, None, "其中猪养殖数量", None, "12头", "12头")
    f.row(22, None, None, "质量指标")
    f.row(23, None, None, None, "种植作物成活率", 5, "95%", "95%", 5)
    f.row(24, None, None, None, "养殖家畜家禽成活率", 5, "95%", "100%", 5)
    f.row(25, None, None, None, "……")
    f.row(26, None, "效益指标(30分)", "经济效益指标")
    f.row(27, None, None, None, "特色产业带动增加受益农户收入(总收入)", 20, "≥11.376万元", "12万元", 20)
    f.row(28, None, None, "社会效益指标", "受益人口数量", 10, "90人", "90人", 10)
    f.row(29, None, None, "生态效益指标")
    f.row(30, None, None, "可持续影响指标")
    f.row(31, None, None, None, "……")
    # the stored copy breaks off at the word 满意 that starts the satisfaction block
    f.merge("A11:A31", "B12:B25", "C12:C21", "C22:C25", "B26:B31", "C26:C27", "C30:C31")
    return f


# 9. 河北 廊坊市食品工程学校 — MoF 3-2 2019, 86% scored 9; copy ends after the satisfaction block
def he_langfang() -> Form:
    f = Form("Sheet1", {"A": 10, "B": 12, "C": 24, "D": 10, "E": 10, "F": 8, "G": 8, "H": 30})
    f.put("A1", "附件1")
    f.title("A2", "项目支出绩效自评表", "A2:H2")
    f.put("A3", "2019年度)")
    f.merge("A3:H3")
    f.row(4, "项目名称", "办公宿舍楼、食堂及餐厅暖通改造经费")
    f.merge("B4:H4")
    f.row(5, "主管部门", "廊坊市发改委", None, None, "实施单位", "廊坊市食品工程学校")
    f.merge("B5:D5", "F5:H5")
    f.row(6, "项目资金\n(万元)", None, "年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分")
    f.row(7, None, "年度资金总额", 43.2, 43.2, 37.24, 10, 0.86, 9)
    f.formats["G7"] = "0%"
    f.row(8, None, "其中:当年财政拨款", 43.2, 43.2, 37.24)
    f.row(9, None, "      上年结转资金")
    f.row(10, None, "  其他资金")
    f.merge("A6:A10")
    f.row(11, "年度总体目标", "预期目标", None, None, "实际完成情况")
    f.row(12, None, 43.2, None, None, 37.24)
    f.merge("A11:A12", "B11:D11", "E11:H11", "B12:D12", "E12:H12")
    f.row(13, "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因分析及改进措施")
    rows = [
        ("产出指标", "数量指标", "指标1工程资金金额", 43.2, 37.24, 10, 9, "已完工,剩余3%尾款未付,且最高限价低于预算金额。提高预算准确度。"),
        (None, None, "指标2"),
        (None, None, "……"),
        (None, "质量指标", "指标1工程完工率", 100, 100, 10, 10),
        (None, None, "指标2工程验收合格率", 100, 100, 10, 10),
        (None, None, "……"),
        (None, "时效指标", "指标1项目完成及时率", 100, 100, 10, 10),
        (None, None, "指标2"),
        (None, None, "……"),
        (None, "成本指标", "指标1成本控制率", 100, 100, 10, 10),
        (None, None, "指标2"),
        (None, None, "……"),
        ("效益指标", "经济效益\n指标", "指标1安全率", 100, 100, 10, 10, 0),
        (None, None, "指标2"),
        (None, None, "……"),
        (None, "社会效益\n指标", "指标1学校发展能力", 100, 100, 10, 10, 0),
        (None, None, "指标2"),
        (None, None, "……"),
        (None, "生态效益\n指标", "指标1"),
        (None, None, "指标2"),
        (None, None, "……"),
        ("效益指标", "可持续影响\n指标", "指标1长期使用性", 100, 100, 10, 10),
        (None, None, "指标2"),
        (None, None, "……"),
        ("满意度\n指标", "服务对象满意度指标", "指标1学生满意度", 100, 100, 10, 10, 0),
        (None, None, "指标2"),
    ]
    for i, spec in enumerate(rows):
        f.row(14 + i, *spec)
    # rows 14..39; 一级 产出 14-25, 效益 26-34 and (after a page break) 35-37, 满意度 38-39
    f.merge("A14:A25", "A26:A34", "A35:A37", "A38:A39")
    for top in range(14, 38, 3):
        f.merge(f"B{top}:B{top + 2}")
    f.merge("B38:B39")
    return f


# 10. 宁夏 银川市第六中学 — 银川市本级 决策/管理/产出/效益 scheme with 参考分值; copy ends at 满意度
def nx_yinchuan() -> Form:
    f = Form("Sheet1", {"A": 12, "B": 14, "C": 26, "D": 8, "E": 14, "F": 22, "G": 8, "H": 16})
    f.title("A1", "银川市本级部门项目支出绩效自评表(2021年)", "A1:H1")
    f.row(2, "项目名称", "初中公用经费", None, None, "主管部门", "银川市教育局")
    f.merge("B2:D2", "F2:H2")
    f.row(3, "实施单位", "银川市第六中学", None, None, "自评得分", 98, "财政审核评分")
    f.merge("B3:D3")
    f.row(4, "项目资金(万元)", "年度资金总额", "年初预算数", None, "调整预算数(A)", "全年执行数(B)", "执行率(B/A)")
    f.row(5, None, None, 64.8, None, 64.8, 64.8, 1)
    f.formats["G5"] = "0%"
    f.merge("A4:A5", "B4:B5", "C4:D4", "C5:D5")
    f.row(6, "年度总体目标", "年初设定目标", "保障学校正常工作运行", None, "年度总体目标完成情况")
    f.merge("C6:D6", "F6:H6")
    f.row(7, "一级指标", "二级指标", "三级指标", "参考分值", "指标值(A)", "全年实际值(B)", "得分", "未完成原因分析及改进措施")
    rows = [
        ("项目决策(10分)", "项目目标", "完整性", 4, "—", "目标明确、内容细化、目标量化", 4),
        (None, "项目立项", "相关性", 2, "—", "按照学校管理标准对学校进行管理", 2),
        (None, None, "可行性", 2, "—", "实际工作需求", 2),
        (None, None, "适当性", 2, "—", "有资金测算标准", 2),
        ("项目管理(25分)", "投入管理", "预算执行率", 10, "—", "100%", 9),
        (None, "财务管理", "财务管理制度有效性", 7, "—", "财务制度健全,严格执行制度,会计核算规范", 7),
        (None, "项目实施", "绩效监控有效性", 2, "—", "持续有效", 2),
        (None, None, "管理制度有效性", 6, "—", "严格执行相关管理制度", 6),
        ("项目产出(30分)", "数量指标(10分)", "保障人数", 10, "2370人", "2370人", 10),
        (None, None, "指标2:"),
        (None, "质量指标(5分)", "公用经费标准", 5, "符合相关文件要求", "符合相关文件要求", 5),
        (None, None, "指标2:"),
        (None, "时效指标(5分)", "公用经费完成时间", 5, "2021年12月完成", "2021年12月完成", 4),
        (None, None, "指标2:"),
        (None, "成本指标(10分)", "办公所需成本", 4, "15万元", "15万元", 4),
        (None, None, "维修(维护)所需成本", 3, "35万元", "35万元", 3),
        (None, None, "绿化、水电费等成本", 3, "14.8万元", "14.8万元", 3),
        ("项目效益(35分)", "经济效益指标", "指标1:"),
        (None, None, "指标2:"),
        (None, "社会效益指标", "效果显著", 15, "改善学校的办学条件", "改善学校的办学条件", 13),
        (None, "生态效益指标", "指标1:"),
        (None, None, "指标2:"),
        (None, "可持续影响指标", "使学生和老师有个更好的学习和工作环境,做到社会认可的办学环境", 10,
         "社会认可的办学环境.", "社会认可的办学环境.", 8),
        (None, None, "指标2:"),
        (None, "服务对象满意度指标(10分)", "学生和老"),
    ]
    for i, spec in enumerate(rows):
        f.row(8 + i, *spec)
    # rows 8..32
    f.merge("A8:A11", "B9:B11", "A12:A15", "B14:B15", "A16:A24", "B16:B17", "B18:B19", "B20:B21",
            "B22:B24", "A25:A32", "B25:B26", "B28:B29", "B30:B31")
    return f


# 11. 重庆 西部(重庆)科学城 融媒体中心 — 部门整体绩效自评表: flat list, 得分系数(%), 执行率权重;
#     the stored copy is an OCR text that ends at the 公共服务 row
def cq_rongmeiti() -> Form:
    f = Form("Sheet1", {"A": 22, "B": 8, "C": 10, "D": 10, "E": 10, "F": 10, "G": 10, "H": 10, "I": 10, "J": 10})
    f.title("A1", "部门整体绩效自评表", "A1:J1")
    f.row(2, "主管部门", None, None, "财政处室", None, None, "自评总分(分)", None, 97.6)
    f.merge("B2:C2", "E2:F2", "G2:H2", "I2:J2")
    f.row(3, "部门联系人", "（略）", None, "联系电话")
    f.merge("B3:C3", "E3:J3")
    f.row(4, "部门预算执行情况(万元)", "年初预算数", None, "全年(调整)预算数", None, "全年执行数", "执行率(%)", None, "执行率权重", "执行率得分(分)")
    f.row(5, None, None, None, None, None, None, 0.76, None, 10, 7.6)
    f.formats["G5"] = "0%"
    f.merge("A4:A5", "B4:C4", "D4:E4", "G4:H4", "B5:C5", "D5:E5", "G5:H5")
    f.row(6, "当年绩效目标", "年初绩效目标", None, None, "全年(调整)绩效目标", None, None, "全年目标实际完成情况")
    f.row(7, None, "无", None, None, "整合各类媒体和宣传活动，为成渝双城经济圈和科学城营造氛围；保障中心运转，承担科学城新闻宣传和思想文化工作。",
          None, None, "2021年较好完成履职任务，有效开展了科学城新闻宣传和思想文化工作。")
    f.merge("A6:A7", "B6:D6", "E6:G6", "H6:J6", "B7:D7", "E7:G7", "H7:J7")
    f.row(8, "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "得分系数(%)", "指标权重(分)", "指标得分(分)", "是否核心指标")
    rows = [
        ("财政供养人员控制率", "%", "定量指标", "100%", None, "92%", 1, 2, 2, "否"),
        ("“三公”经费变动率", "%", None, None, None, None, 1, 2, 2, "否"),
        ("基础信息完善", "%", None, "100%", None, "100%", 1, 1, 1, "否"),
        ("预算完成率", "%", None, "70%", None, "76%", 1, 2, 2, "是"),
        ("预算调整率", "%", None, "3%", None, "0", 1, 2, 2, "否"),
        ("结转结余率", "%", None, "2%", None, "0", 1, 2, 2, "是"),
        ("公用经费控制率", "%", None, "100%", None, "97%", 1, 2, 2, "是"),
        ("“三公”经费控制率", "%", None, None, None, None, 1, 2, 2, "否"),
        ("政府采购执行率", "%", None, "100%", None, "72.74%", 1, 2, 2, "是"),
        ("管理制度健全性", None, "定性指标", "高", None, "高", 1, 3, 3, "否"),
        ("资金使用合规性", None, None, "好", None, "好", 1, 5, 5, "否"),
        ("预决算信息公开性", None, None, "高", None, "高", 1, 1, 1, "否"),
        ("资产管理安全", None, None, "好", None, "好", 1, 2, 2, "否"),
        ("固定资产利用率", "%", "定量指标", "90%", None, "100%", 1, 2, 2, "否"),
        ("党性教育培训次数", "次", None, "≥6次", None, "12次", 1, 5, 5, "是"),
        ("组织宣传活动次数", "次", None, "≥30次", None, "43次", 1, 10, 10, "是"),
        ("制作宣传品数量", "份", None, "≥10份", None, "20份", 1, 5, 5, "否"),
        ("播发稿件数量", "篇", None, "≥200篇", None, "2859篇", 1, 10, 10, "是"),
        ("业务保障能力提升", "%", None, "90%", None, "95%", 1, 10, 10, "否"),
        ("公共服务"),
    ]
    for i, spec in enumerate(rows):
        spec = (spec,) if isinstance(spec, str) else spec
        f.row(9 + i, *spec)
        if len(spec) > 6:
            f.formats[f"G{9 + i}"] = "0%"
    # rows 9..28; 指标性质 merged: 定量 9-17, 定性 18-21, 定量 22-28
    f.merge("C9:C17", "C18:C21", "C22:C28")
    return f


# 12. 湖南 永州市零陵区 林业局 — 部门整体支出绩效自评表, amounts typed with 万元; copy ends at 生态
def hn_lingling() -> Form:
    f = Form("Sheet1", {"A": 12, "B": 12, "C": 16, "D": 14, "E": 14, "F": 14, "G": 8, "H": 8, "I": 8, "J": 12})
    f.title("A1", "部门整体支出绩效自评表", "A1:J1")
    f.put("A2", "2021年度)")
    f.merge("A2:J2")
    f.row(3, "级预算单位名称", None, " 陵区林业局")
    f.merge("A3:B3", "C3:J3")
    f.row(4, "年度预\n算申请\n(万元)", None, None, "年初\n预算数", "全年预算数", "全年\n执行数", "分值", "执行率", "得分")
    f.row(5, None, "年度资金总额", None, "4753.66万元", "4753.66万元", "3824.26万元", 10, 1, 10)
    f.formats["H5"] = "0%"
    f.row(6, None, "按收入性质分:", None, None, "按支出性质分:")
    f.row(7, None, "  其中: 一般公共预算:1873.66万元", None, None, "其中:基本支出:1768.16万元")
    f.row(8, None, "政府性基金拨款:", None, None, "项目支出:2985.5万元")
    f.row(9, None, "纳入专户管理的非税收入拨款:")
    f.row(10, None, "其他资金:2880万元")
    f.merge("A4:A10", "B4:C4", "B5:C5", "B6:D6", "E6:I6", "B7:D7", "E7:I7", "B8:D8", "E8:I8", "B9:I9", "B10:I10")
    f.row(11, "年度总体目标", "预期目标", None, None, None, "实际完成情况 ")
    f.row(12, None, "目标1:造林1.2万亩,\n目标2森林经营16.3万亩\n目标3:病虫害防治3.45万亩", None, None, None,
          "目标1:造林1.2万亩,\n目标2森林经营16.3万亩\n目标3:病虫害防治3.45万亩")
    f.merge("A11:A12", "B11:E11", "F11:J11", "B12:E12", "F12:J12")
    f.row(13, "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因\n分析及\n改进措施")
    rows = [
        ("产出指标\n(50)", "数量\n指标", "造林面积", "1.2万亩", "1.2万亩", 10, 10),
        (None, None, "病虫害防治面积", "3.45万亩", "3.45万亩", 7, 7),
        (None, None, "森林经营面积", "16.3万亩", "16.3万亩", 7, 7),
        (None, "质量\n指标", "造林成活率", "85%", "85%", 7, 7),
        (None, None, "……"),
        (None, "时效\n指标", "当期完成", "90%", " 100%", 7, 7),
        (None, None, "……"),
        (None, "成本\n指标", "造林补助", "每亩300", "每亩300", 6, 6),
        (None, None, "育补助", "每亩100", "每亩100", 6, 6),
        ("效益指标\n30分) ", "经济效\n益指标", "木材销售收入", "1100万元", "1093万元", 6, 5),
        (None, None, "林产品收入", "2.6亿元", "2.45亿元", 6, 5),
        (None, "社会效\n益指标", "提高就业率", " 显著", " 显著", 6, 6),
        (None, None, "……"),
        (None, "生态"),
    ]
    for i, spec in enumerate(rows):
        f.row(14 + i, *spec)
    # rows 14..27
    f.merge("A14:A22", "B14:B16", "B17:B18", "B19:B20", "B21:B22", "A23:A27", "B23:B24", "B25:B26")
    return f


# 13. 湖北 随州 广水市交通运输局 — 广水市财政预算支出项目绩效目标自评表: 决策2/管理13/绩效85,
#     自评总分 in the header, 复核分 column; the stored copy (a PDF text) ends in the 质量指标 block
def hb_guangshui() -> Form:
    f = Form("Sheet1", {"A": 10, "B": 10, "C": 22, "D": 10, "E": 10, "F": 8, "G": 8, "H": 36})
    f.title("A1", "广水市财政预算支出项目绩效目标自评表", "A1:H1")
    f.row(2, "填报日期:2022 年 8 月 10 日", None, None, "自评总分:", 95, None, "单位领导审签:")
    f.merge("A2:C2")
    f.row(3, "项目名称", "乡村道路建设养护项目", None, None, "项目主管单位", None, "广水市交通运输局")
    f.merge("B3:D3", "E3:F3", "G3:H3")
    f.row(4, "项目实施单位", "广水市交通运输局", None, None, "项目负责人", None, "（略）")
    f.merge("B4:D4", "E4:F4", "G4:H4")
    f.row(5, "项目属性", "1、常年性 2、延续性□ 3、一次性□ 4、新增性□")
    f.merge("B5:H5")
    f.row(6, "项目资金", "中央\n(万元)", "省、地\n(万元)", "本级\n(万元)", "其他\n(万元)", "合计\n(万元)", "执行数\n(万元)", "执行率")
    f.row(7, "来源", None, None, 309, None, 309, 309, 1)
    f.formats["H7"] = "0%"
    f.row(8, "项目年度目标", "1.完成乡村道路建设养护里程300公里;\n2.\n3.")
    f.merge("B8:H8")
    f.row(9, "项目权重", "评价内容", None, "分值", "自评分", "复核分", None, "评价标准及依据")
    f.merge("B9:C9", "F9:G9")
    f.row(10, "项目决策\n2分", "决策依据", None, 2, 2, None, None, "有项目年度工作计划或有上级文件或审批报告计2分,没有不得分。")
    f.row(11, "项目管理\n13分", "财务制度", None, 3, 3, None, None, "1、单位财务管理制度1分;2、项目管理制度1分;3、有制度执行佐证资料1分。没有不得分。")
    f.row(12, None, "组织机构", None, 2, 2, None, None, "有明确的绩效管理机构或专人负责2分。没有不得分")
    f.row(13, None, "运行监管", None, 4, 4, None, None, "1、运行监管记录3分;2、填报《项目支出绩效监控表》1分。没有不得分。")
    f.row(14, None, "目标申报", None, 4, 4, None, None, "1、项目绩效目标全申报的1分,缺一项扣0.5分,扣完为止;2、绩效目标规范1分,不规范扣0.5分;"
                                                        "3、按时申报绩效目标计2分,逾期扣1分。")
    for r in range(10, 15):
        f.merge(f"B{r}:C{r}", f"F{r}:G{r}")
    f.merge("A11:A14")
    f.put("A15", "项目年度目标 1:乡村道路建设养护项目")
    f.merge("A15:H15")
    f.row(16, "一级指标", "二级指标", "指标名称(三级指标)", "年初指标值", "年终完成值", "自评分", "复核分", "评价标准")
    f.row(17, "项目绩效85分\n产出指标40分", "数量指标15分", "乡村道路建设养护里程", "300公里", "300公里", 15, None,
          "1、提供三级指标完成程度的佐证资料;2、三级指标分值按三级指标个数平均确定(15分÷三级指标个数),四舍五入保留整数。")
    f.row(18, None, "质量指标12分", "农村公路建设验收合格率")
    f.row(19, None, None, "农村公路养护验收合格率")
    f.merge("A17:A19", "B18:B19")
    return f


# 14. 湖南 衡阳市衡山县 商务和粮食局 — 县级专项资金绩效目标自评表: targets and results only,
#     no 分值 and no 得分 column at all; a page break repeats the 效益指标 label
def hn_hengshan() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 10, "C": 12, "D": 34, "E": 12, "F": 12, "G": 22})
    f.title("A1", "2020年度县级专项资金绩效目标自评表", "A1:G1")
    f.row(2, "专项资金名称", "县级储备粮", None, None, "负责人及电话", "（略）")
    f.row(3, "县级主管部门", "衡山县商务和粮食局", None, None, "实施单位", "粮食调控储备与产业发展股")
    f.merge("B2:D2", "F2:G2", "B3:D3", "F3:G3")
    f.row(4, "项目资金(万元)", None, None, "全年预算数(A)", "全年执行数(B)", "执行率(B/A)")
    f.row(5, None, None, "年度资金总额", 194.9, 194.9, 1)
    f.row(6, None, None, "其中:中央、省、市补助县级资金", 194.9, 194.9, 1)
    f.row(7, None, None, "其他资金")
    f.formats["F5"] = f.formats["F6"] = "0%"
    f.merge("A4:B7")
    f.row(8, "年度 总体 目标", "年初设定目标", None, None, "全年实际完成情况")
    f.row(9, None, "保持和稳定地方粮食储备机制", None, None, "地方储备粮食规模达标")
    f.merge("A8:A9", "B8:D8", "E8:G8", "B9:D9", "E9:G9")
    f.row(10, "绩 效 指 标", "一级 指标", "二级 指标", "三级指标", "年度指标 值", "全年 完成值", "未完成原因和 改进措施")
    rows = [
        ("产 出 指 标", "数量 指标", "5000吨稻谷、500吨成品粮储备到位率", "100%", "100%"),
        (None, None, "库存数量真实率", "100%", "100%"),
        (None, "质量 指标", "县级储备粮管理制度严格执行率", "100%", "100%"),
        (None, None, "储备粮管理专户管理率", "100%", "100%"),
        (None, None, "县级储备粮库存粮食明显变质比例", 0, 0),
        (None, "时效 指标", "县级储备粮贷款付息及时率", "100%", "100%"),
        (None, None, "县级储备粮应急保障率", "100%", "100%"),
        (None, "成本 指标", "国家政策性粮收购价格执行率", "100%", "100%"),
        (None, None, "县级储备粮库存成本核算率", "100%", "100%"),
        ("效益 指标", "经济 效益 指标", "利息费用保障率", "100%", "100%"),
        (None, None, "政策性挂账利息补贴保障率", "100%", "无", "没有轮换、动用库存"),
        ("效 益 指 标", "生态 效益 指标", "低温、低氧、低剂量科学保粮率", "100%", "100%"),
        (None, None, "食品安全指标达标率", "100%", "100%"),
        (None, "可持 续影 响指标", "粮食储备设备维护及安全性", "高", "高"),
        ("满意 度指 标", "服务 对象 满意 度指 标", "因粮食市场波动引起的粮食安全事件发生数", "0起", "0起"),
        (None, None, "市民满意度调查", "≥90%", "100%"),
    ]
    for i, spec in enumerate(rows):
        f.row(11 + i, None, *spec)
    # rows 11..26
    f.merge("A10:A26", "B11:B19", "C11:C12", "C13:C15", "C16:C17", "C18:C19", "B20:B21", "C20:C21",
            "B22:B24", "C22:C23", "B25:B26", "C25:C26")
    f.row(27, "说明", "无")
    f.merge("B27:G27")
    f.put("A28", "注:1、其他资金包括和中央、省、市补助、地方财政资金共同投入到同一项目的自有资金、社会资金等。")
    f.merge("A28:G28")
    return f


# 15. 云南 丽江市古城区 自然资源局 — Yunnan two-row header (指标性质|指标值|度量单位 under 年度指标值),
#     targets met but points deducted; the copy ends before the satisfaction score
def yn_lijiang() -> Form:
    f = Form("Sheet1", {"A": 10, "B": 12, "C": 16, "D": 8, "E": 10, "F": 8, "G": 10, "H": 8, "I": 8, "J": 16})
    f.title("A1", "2020年度项目支出绩效自评表", "A1:J1")
    f.row(2, "项目名称", None, "2020年省级自然资源卫片执法补助经费支出绩效自评表")
    f.merge("A2:B2", "C2:J2")
    f.row(3, "主管部门", None, "丽江市自然资源和规划局", None, None, "实施单位", None, "丽江市古城区自然资源局")
    f.merge("A3:B3", "C3:E3", "F3:G3", "H3:J3")
    f.row(4, "项目资金 (万元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(5, None, None, "年度资金总额", 7.29, 7.29, 7.29, 10, 1, 10)
    f.row(6, None, None, "其中:当年财政拨款", 7.29, 7.29, 7.29, None, 1)
    f.row(7, None, None, "上年结转资金")
    f.row(8, None, None, "其他资金")
    f.formats.update({"G5": "0.00", "H5": "0%", "I5": "0.00", "H6": "0%"})
    f.merge("A4:B8")
    f.row(9, "年度 总体 目标", "预期目标", None, None, None, "实际完成情况")
    f.row(10, None, "自然资源卫片执法补助经费", None, None, None, "自然资源卫片执法补助经费")
    f.merge("A9:A10", "B9:E9", "F9:J9", "B10:E10", "F10:J10")
    f.row(11, "绩效指标", None, None, "年度指标值", None, None, "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    f.row(12, "一级 指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")
    f.merge("A11:C11", "D11:F11", "G11:G12", "H11:H12", "I11:I12", "J11:J12")
    f.row(13, "产出指标", "数量指标", "卫片执法补助经费", "﹦", 72890, "元", 72890, 10, 9)
    f.row(14, None, "质量指标", "项目验收合格率", "﹦", 100, "%", 100, 20, 19)
    f.row(15, None, "时效指标", "项目完成及时率", "﹦", 100, "%", 100, 20, 19)
    f.row(16, "效益指标", "社会效益指标", "违法行为责停率", "≥", 95, "%", 95, 30, 27)
    f.row(17, "满意度指标", "服务对象满意度指标", "满意度", "≥", 95, "%", 95, 10)
    for r in (13, 15, 16, 17):
        f.formats[f"H{r}"] = "0.00"
        f.formats[f"I{r}"] = "0.00"
    f.merge("A13:A15")
    return f


# 16. 云南 临沧市永德县 明朗中学 — Yunnan 公开14表 (two-row header, 指标性质 ≧/═), amounts in 元,
#     the grade written in the 总分 row ("总分 | 100 | 96 | 优"); the whole form is in the stored copy
def yn_yongde() -> Form:
    f = Form("Sheet1", {"A": 10, "B": 12, "C": 20, "D": 7, "E": 11, "F": 11, "G": 10, "H": 6, "I": 6, "J": 12})
    f.title("A1", "2022年度项目支出绩效自评表", "A1:J1")
    f.row(2, "部门:临沧市永德县明朗中学", None, None, None, None, None, None, None, None, "公开14表")
    f.merge("A2:I2")
    f.row(3, "项目名称", None, "义务教育营养改善计划专项资金")
    f.merge("A3:B3", "C3:J3")
    f.row(4, "主管部门", None, "永德县教育体育局", None, None, "实施单位", None, "永德县明朗中学")
    f.merge("A4:B4", "C4:E4", "F4:G4", "H4:J4")
    f.row(5, "项目资金 (元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(6, None, None, "年度资金总额", None, 387664.62, 387664.62, 10, 1, 10)
    f.row(7, None, None, "其中:当年财政 拨款", None, 387664.62, 387664.62, "—", None, "—")
    f.row(8, None, None, "上年结转 资金", None, None, None, "—", None, "—")
    f.row(9, None, None, "其他资金", "—", "—", "—", "—", None, "—")
    f.formats.update({"E6": "0.00", "F6": "0.00", "E7": "0.00", "F7": "0.00", "H6": "0%"})
    f.merge("A5:B9")
    f.row(10, "年度 总体 目标", "预期目标", None, None, None, "实际完成情况")
    f.row(11, None, "让每个学生享受国家营养餐政策，增强学生体质", None, None, None,
          "每个学生都享受了国家营养餐政策，学生体质得到改善")
    f.merge("A10:A11", "B10:E10", "F10:J10", "B11:E11", "F11:J11")
    f.row(12, "绩效指标", None, None, "年度指标值", None, None, "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    f.row(13, "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")
    f.merge("A12:C12", "D12:F12", "G12:G13", "H12:H13", "I12:I13", "J12:J13")
    f.row(14, "产出指标", "数量指标", "学生受资助人数", "≧", 735, "人次", 735, 10, 10)
    f.row(15, None, "质量指标", "营养改善计划覆盖率", "≧", 100, "%", "100%", 10, 10)
    f.row(16, None, "时效指标", "资金到位及时率", "≧", 100, "%", "100%", 10, 7)
    f.row(17, None, "成本指标", "生均补助标准达标率", "═", 100, "%", "100%", 10, 10)
    f.row(18, "效益指标", "经济效益 指标", "减轻贫困学生家庭经济负担", None, "有效", None, "有效", 10, 10)
    f.row(19, None, "社会效益 指标", "政策知晓率", "═", 100, "%", "98%", 10, 9)
    f.row(20, None, "生态效益 指标")
    f.row(21, None, "可持续影响 指标", "促进学校教育事业健康发展", "≧", 100, "%", "100%", 10, 10)
    f.row(22, "满意度指标", "服务对象满意度指标等", "学生满意度", "≧", 95, "%", "100%", 10, 10)
    f.row(23, None, None, "家长满意度", "≧", 95, "%", "100%", 10, 10)
    f.merge("A14:A17", "A18:A21", "A22:A23", "B22:B23")
    f.row(24, "其他需要说明事项", None, "无")
    f.merge("A24:B24", "C24:J24")
    f.row(25, "总分", None, None, None, None, None, None, 100, 96, "优")
    f.merge("A25:G25")
    return f


# 17. 安徽 池州市贵池区 棠溪镇人民政府 — a second form of the same attachment series (村级补助及运转经费):
#     年度资金总额 row of zeros again, 全年预算数 cut from 202.64 to 132.912; the copy ends at 可持续影响
def ah_tangxi_cunji() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 12, "C": 14, "D": 30, "E": 18, "F": 14, "G": 8, "H": 8, "I": 16})
    f.put("A1", "附件:")
    f.title("A2", "项目支出绩效自评表", "A2:I2")
    f.put("A3", "(2022年度)")
    f.merge("A3:I3")
    f.row(4, "项目名称", None, "村级补助及运转经费")
    f.merge("A4:B4", "C4:I4")
    f.row(5, "主管部门", None, "219-池州市贵池区棠溪镇人民政府", None, None, "实施单位", "219001-池州市贵池区棠溪镇人民政府")
    f.merge("A5:B5", "C5:E5", "G5:I5")
    f.row(6, "项目资金 (万元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(7, None, None, "年度资金总额:", 0, 0, 0, 10, 0, 0)
    f.row(8, None, None, "其中:本年财政拨款", 202.64, 132.912, 132.912)
    f.row(9, None, None, "上年结转资金")
    f.row(10, None, None, "其他资金")
    f.merge("A6:B10")
    f.row(11, "年度总体目标", "预期目标", None, None, None, "实际完成情况")
    f.row(12, None, "申请2026400元：村级组织运转、村民组长和党小组长报酬、监督委员会工资、村级事务补助、"
                    "村级工作目标奖励。", None, None, None,
          "完成1329120.67元：同五项用途，其中村级事务补助660000元、目标奖励50000元。")
    f.merge("A11:A12", "B11:E11", "F11:I11", "B12:E12", "F12:I12")
    f.row(13, "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    f.row(14, None, "产出指标(50分)", "数量指标", "补助村(社区)数量", "=8个", 8, 8, 8)
    f.row(15, None, None, None, "保障村干部人数", "=42个", 42, 8, 8)
    f.row(16, None, None, "质量指标", "补助资格合规性", "合规", "达成预期指标", 8, 8)
    f.row(17, None, None, None, "经费审批流程规范性", "严格执行相关制度规定", "达成预期指标", 8, 8)
    f.row(18, None, None, "时效指标", "补助经费到位及时性", "及时", "达成预期指标", 8, 8)
    f.row(19, None, None, "成本指标", "项目总成本", "≤202.6万元", 132.9, 10, 10)
    f.row(20, None, "效益指标(30分)", "经济效益指标", "对保障村(社区)两委机构正常运行的影响程度", "效果明显", "达成预期指标", 10, 10)
    f.row(21, None, None, "社会效益指标", "提高村(社区)干部工作积极性的影响程度", "效果明显", "达成预期指标", 10, 10)
    f.row(22, None, None, "可持续影响")
    f.merge("A13:A22", "B14:B19", "C14:C15", "C16:C17", "B20:B22")
    return f


# 18. 广西 贵港市港南区 八塘街道办事处 — 耕地地力保护补贴 专项支出绩效评分细则 (2018): a scoring sheet
#     目标名称 | 评分标准 | 分值 | 得分 with no targets, no actual values and no funds block; the stored copy
#     (a document-site text of the .xls) ends inside the 领导重视 row
def gx_batang() -> Form:
    f = Form("Sheet1", {"A": 16, "B": 60, "C": 8, "D": 8})
    f.title("A1", "港南区八塘街道2018年耕地地力保护补贴项目专项支出绩效评分细则", "A1:D1")
    f.row(2, "评价单位:港南区八塘街道办事处", None, "评价项目:2018年耕地地力保护补贴")
    f.merge("A2:B2", "C2:D2")
    f.row(3, "评价人员:")
    f.merge("A3:D3")
    f.row(4, "目标名称", None, "分值")
    f.row(5, "充分性", "有本项目实施方案的得3分，没有不得分。", 3, 3)
    f.row(6, "合理性", "按程序报批、经费安排符合自治区补贴资金管理规定的得3分。", 3, 3)
    f.row(7, "宣传培训工作", "以板报宣传、培训村级人员并下乡宣传的得2分，未做不得分。", 2, 2)
    f.row(8, "信息传达", "接上级批复后15个工作日内通知各村的得2分，每项未达扣1分，最多扣2分。", 2, 2)
    f.row(9, "建立农户一折通账户", "农户一折通账户全部建立得3分（漏一户此项不得分）；补贴按批复发放到户得4分，"
                             "未完成按比例计分。", 7, 7)
    f.row(10, "补贴公示情况", "村级公示补贴面积、标准、金额不少于7天的得5分，未达要求不得分。", 5, 5)
    f.row(11, "实施情况", "按时报送补贴面积得4分、按时下发补贴资金得4分，每次未达各扣1分，各最多扣4分。", 8, 8)
    f.row(12, "完成情况", "补贴面积全部发放得5分；补贴资金全部下发得5分；未完成不得分。", 10, 10)
    f.row(13, "领导重视", "成立项目实施工作领导小组，有检查、有督")
    return f


# 19. 安徽 铜陵市郊区 财政局 — 2021年度农村公益事业财政奖补项目绩效评价自评表: 序号|一级|二级|三级|指标说明|
#     指标分值|县级评分|市级评分 (决策10/过程30/…), scored by the county for the city; the copy ends in row 14
def ah_jiaoqu() -> Form:
    f = Form("Sheet1", {"A": 6, "B": 10, "C": 10, "D": 12, "E": 56, "F": 8, "G": 8, "H": 8})
    f.title("A1", "2021年度农村公益事业财政奖补项目绩效评价自评表", "A1:H1")
    f.put("A2", "填报单位:郊区财政局")
    f.merge("A2:H2")
    f.row(3, "序号", "一级指标", "二级指标", "三级指标", "指标说明", "指标", "县级", "市级")
    f.row(4, None, None, None, None, None, "分值", "评分", "评分")
    f.merge("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4")
    rows = [
        (1, "决策(10)", "项目立项", "民主议事", "民主议事记录完整得2分，每个项目记录不完整扣1分", 2, 2),
        (2, None, None, "申报审批", "村级申报、乡镇审核、县级审批文件齐全得2分，每个项目缺程序扣1分", 2, 2),
        (3, None, "资金投入", "预算安排", "县级按乡村人口人均不低于5元安排奖补资金得4分；按农业人口人均10元加1分、"
                                        "20元加2分；市财政对县安排补助加1分", 4, 4),
        (4, None, None, "资金整合", "整合其他涉农财政资金支持财政奖补的得2分", 2, 0),
        (5, "过程(30)", "资金管理", "管理制度", "资金管理制度健全规范得2分", 2, 2),
        (6, None, None, "监督考核", "监督考核制度健全规范得2分", 2, 2),
        (7, None, None, "账务管理", "筹资、集体投入、捐赠等项目资金纳入乡镇账户管理得2分", 2, 2),
        (None, None, None, None, "奖补资金专账核算得1分", 1, 1),
        (8, None, None, "资金拨付", "实行国库集中支付得2分", 2, 2),
        (9, None, "组织实施", "工作安排", "纳入县级重点工作部署得1分；党政领导正面批示每个加1分，最多加2分", 1, 2),
        (10, None, None, "工作保障", "有专人、有必要工作经费得1分", 1, 1),
        (11, None, None, "项目管理", "项目管理制度健全规范得2分", 2, 2),
        (12, None, None, "项目管护", "项目管护制度健全规范得2分", 2, 2),
        (13, None, None, "项目库建设", "制定三年规划得2分；建立项目库得3分", 5, 5),
        (14, None, None, "项目实施", "施工合同规范、资料齐全得2分；合同不规范、资料"),
    ]
    for i, spec in enumerate(rows):
        f.row(5 + i, *spec)
    # rows 5..19
    f.merge("B5:B8", "C5:C6", "C7:C8", "B9:B19", "C9:C13", "D11:D12", "C14:C19")
    return f


# 20. 河北 邢台市宁晋县 教育局 — 2019年度高中助学金项目绩效评价指标表: targets and points only
#     (评价指标|评价内容|指标名称|指标说明|目标值|分值|备注), published under 决算信息; the whole table is in the copy
def he_ningjin() -> Form:
    f = Form("Sheet1", {"A": 16, "B": 14, "C": 16, "D": 14, "E": 10, "F": 8, "G": 10})
    f.title("A1", "2019年度宁晋县高中助学金项目绩效评价指标表", "A1:G1")
    f.row(2, "评价指标", "评价内容", "指标名称", "指标说明", "目标值", "分值", "备注")
    f.row(3, "项目年度绩效目标(定量指标)", "制度指标", "规章制度", "建立与否", None, 20)
    f.row(4, None, "产出数量指标", "享受资助人数", "达到预计值", 2100, 10)
    f.row(5, None, None, "资金支出率", "达到目标值", "95%", 10)
    f.row(6, None, "质量指标", "建档立卡学生", "全面覆盖", "100%", 10)
    f.row(7, None, None, "资助对象满意度", "达到目标值", "95%以上", 10)
    f.row(8, None, "时效指标", "及时发放率", "达到目标值", "100%", 20)
    f.row(9, None, "成本指标", "资助标准达标率", None, "100%", 20)
    f.row(10, "总分", None, None, None, None, 100)
    f.merge("A3:A9", "B4:B5", "B6:B7", "A10:E10")
    return f


# 21. 安徽 淮南市寿县 — 2023年度部门整体支出绩效评价自评表: 序号|一级|二级|三级|指标分值|指标解释|
#     指标说明及评分标准|自评得分 (规划15/执行35/…); the 单位 field blank; the copy ends inside row 6
def ah_shouxian() -> Form:
    f = Form("Sheet1", {"A": 6, "B": 10, "C": 10, "D": 14, "E": 8, "F": 40, "G": 40, "H": 8})
    f.title("A1", "2023年度部门整体支出绩效评价自评表", "A1:H1")
    f.row(2, "单位")
    f.merge("B2:H2")
    f.row(3, "序号", "一级 指标", "二级 指标", "三级 指标", "指标分值", "指标解释", "指标说明及评分标准", "自评得分")
    rows = [
        (1, "规划 (15分)", "基础信息 (3分)", "基础信息 完整性", 3, "预算基础信息是否真实、完整，能否支撑预算编制（按年初预算基础信息表考核）。",
         "基础数据真实、完整、准确各1分。", 3),
        (2, None, "工作计划 (6分)", "年度工作 计划完整性", 3, "年度工作计划是否完整可行。", "完整可行得3分。", 3),
        (3, None, None, "年度工作 计划明确性", 3, "年度工作计划是否明确可操作。", "明确可操作得3分。", 3),
        (4, None, "绩效目标 (6分)", "年度绩效 目标合理性", 4, "是否设置年度绩效目标，目标是否合理、符合实际。",
         "设置目标2分（整体1分、项目1分，无项目得2分）；依据充分1分；合理可操作1分；未设置不得分。", 4),
        (5, None, None, "年度绩效 目标明确性", 2, "绩效目标是否明确、细化、量化。", "明确且细化、量化得2分。", 2),
        (6, "执行 (35分)", "预算执行 (18分)", "预算执行率", 5, "预算执行数与预算数之比，反映预算执行程度。",
         "1、除上级政策性因素影响外,年度无预算追加(1"),
    ]
    for i, spec in enumerate(rows):
        f.row(4 + i, *spec)
    # rows 4..9
    f.merge("B4:B8", "C5:C6", "C7:C8")
    return f


# 22. 山西 运城市稷山县 翟店镇卫生院 — 项目支出绩效自评表 (2021, 国家基本公共卫生服务): MoF 3-2 with 25
#     数量 indicators numbered 指标1:…指标25:, scores rounded to one decimal; the stored text (of the .xlsx, on a
#     document-sharing mirror) ends inside the first 质量指标 row
def sx_jishan() -> Form:
    f = Form("Sheet1", {"A": 8, "B": 10, "C": 34, "D": 12, "E": 12, "F": 6, "G": 6, "H": 20})
    f.title("A1", "稷山县项目支出绩效自评表", "A1:H1")
    f.put("A2", "(2021年度)")
    f.merge("A2:H2")
    f.row(3, "项目名称", "国家基本公共卫生服务")
    f.merge("B3:H3")
    f.row(4, "主管部门", "稷山县卫生健康和体育局", None, None, "实施单位", "稷山县翟店镇卫生院")
    f.merge("B4:D4", "F4:H4")
    f.row(5, "项目资金 (万元)", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(6, None, "年度资金总额", 0, 207.4538, 207.4538, 10, 1, 10)
    f.row(7, None, "其中:当年财政拨款", 0, 207.4538, 207.4538, "—", 1, "—")
    f.row(8, None, "上年结转资金")
    f.row(9, None, "其他资金")
    f.formats.update({"G6": "0%", "G7": "0%"})
    f.merge("A5:A9")
    f.row(10, "年度 总体 目标", "预期目标", None, None, "实际完成情况")
    f.row(11, None, "国家基本公共卫生服务", None, None, "国家基本公共卫生服务")
    f.merge("A10:A11", "B10:D10", "E10:H10", "B11:D11", "E11:H11")
    f.row(12, "一级 指标", "二级指标", "三级指标", "年度 指标值", "实际 完成值", "分值", "得分", "偏差原因分析及改进措施")
    rows = [
        ("指标1:居民健康档案", "38508人", "37442人", 3, 3),
        ("指标2:发放健康教育资料", "不少于12种", "14种", 1, 1),
        ("指标3:", "不少于6种", "28种", 1, 1),
        ("指标4:", "116次", "150次", 1, 1),
        ("指标5:举办健康教育知识讲座", "6次", "150次", 1, 1),
        ("指标6:举办健康教育宣传咨询活动", "12次", "96次", 1, 1),
        ("指标7:建立预防接种证", "221人", "221人", 2, 2),
        ("指标8:适龄儿童疫苗接种率", "100.00%", "97.30%", 2, 1.9),
        ("指标9:0-6岁儿童健康管理数", "2089人", "2089人", 2, 2),
        ("指标10:0-6岁儿童眼保健操覆盖数", "2089人", "2089人", 2, 2),
        ("指标11:新生入访视数", "214人", "214人", 2, 2),
        ("指标12:孕产妇7天访视数", "214人", "203人", 2, 1.8),
        ("指标13:孕产妇42天访视数", "214人", "203人", 2, 1.8),
        ("指标14:早孕建册数", "120人", "69人", 2, 1),
        ("指标15:老年人体检数", "5662人", "4044人", 2, 1.4),
        ("指标16:高血压规范管理数", "3807人", "3224人", 2, 1.9),
        ("指标17:高血压随访控制数", "3807人", "3220人", 2, 1.8),
        ("指标18:糖尿病规范管理数", "863人", "695人", 2, 1.8),
        ("指标19:糖尿病随访控制数", "863人", "683人", 2, 1.7),
        ("指标20:严重精神障碍患者管理数", "212人", "209人", 2, 1.8),
        ("指标21:肺结核健康规范管理数", "8例", "8例", 2, 2),
        ("指标22:老年人中医药规范管理数", "5662人", "4044人", 2, 1.4),
        ("指标23:0-36月龄中医药规范管理数", "1228人", "770人", 2, 1.8),
        ("指标24:传染病及突发公共卫生事件报告数", "14例", "14例", 2, 2),
        ("指标25:家庭医生签约率", "24694人", "22584人", 2, 1.7),
    ]
    for i, spec in enumerate(rows):
        f.row(13 + i, None, None, *spec)
    # rows 13..37
    f.put("A13", "产出指标")
    f.put("B13", "数量指标")
    f.row(38, None, "质量指标", "指标1:提升国家基本")
    f.merge("A13:A38", "B13:B37")
    return f


# 23. 安徽 六安市金寨县 茶谷和美丽乡村建设服务中心 — 部门整体支出绩效自评表 (2023): 执行数 above 预算数
#     (102.59%) with the budget score left blank; 指标1:/指标2: prefixes; copy ends at the 成本指标 slot
def ah_jinzhai() -> Form:
    f = Form("Sheet1", {"A": 6, "B": 10, "C": 12, "D": 32, "E": 12, "F": 12, "G": 8, "H": 10, "I": 16})
    f.title("A1", "部门整体支出绩效自评表", "A1:I1")
    f.put("A2", "(2023年度)")
    f.merge("A2:I2")
    f.row(3, "部门", None, "金寨县茶谷和美丽乡村建设服务中心")
    f.merge("A3:B3", "C3:I3")
    f.row(4, "预算资金 (万元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    f.row(5, None, None, "年度资金总额", 329.77, 329.77, 338.31, 10, 1.0259)
    f.row(6, None, None, "其中:当年财政拨款", 329.77, 329.77, 338.31, "—", 1.0259, "—")
    f.row(7, None, None, "上年结转资金", None, None, None, "—", None, "—")
    f.row(8, None, None, "其他资金", None, None, None, "—", None, "—")
    f.formats.update({"H5": "0.00%", "H6": "0.00%"})
    f.merge("A4:B8")
    f.row(9, "年度总体目标", None, "预期目标", None, None, "实际完成情况")
    f.row(10, None, None, "建设徽风皖韵美丽乡村、整治宜居自然村庄、推进农村改厕、开展村庄清洁、促进茶谷果岭融合。",
          None, None, "启动4个精品示范村建设，整治宜居自然村庄202个，改厕3061户，2022年度10个省级中心村通过验收。")
    f.merge("A9:B10", "C9:E9", "F9:I9", "C10:E10", "F10:I10")
    f.row(11, "绩 效 指 标", "一级指标", "二级指标", "三级指标", "年度 指标值", "实际 完成值", "分值", "得分", "偏差原因分析及改进措施")
    rows = [
        ("产出指标", "数量指标", "指标1:开展精品示范村建设数量", "≤4", 4, 10, 10),
        (None, None, "指标2:建设美丽宜居自然村庄数量", "≥200", 202, 10, 10),
        (None, None, "指标3:完成农村户用卫生厕所改造数量", "≥2000", 3061, 10, 10),
        (None, None, "指标4:新建省级中心村数量", "≥10", 10, 10, 10),
        (None, "质量指标", "指标1:美丽宜居自然村庄验收通过率", "≥95%", "100%", 5, 5),
        (None, None, "指标2:户用卫生厕所改造验收通过率", "≥95%", "100%", 5, 5),
        (None, "时效指标", "指标1:完成美丽宜居自然村庄验收时间", "9月前", "7月", 5, 5),
        (None, None, "指标2:完成户用卫生厕所改造验收时间", "11月前", "10月", 5, 5),
        (None, "成本指标", "指标1:"),
    ]
    for i, spec in enumerate(rows):
        f.row(12 + i, None, *spec)
    # rows 12..20
    f.merge("A11:A20", "B12:B20", "C12:C15", "C16:C17", "C18:C19")
    return f


FORMS = {
    "sc_qingshen_2023.xlsx": sc_qingshen,
    "sc_daying_2023.xlsx": sc_daying,
    "sc_zhongjiang_2022.xlsx": sc_zhongjiang,
    "yn_shidian_2019.xlsx": yn_shidian,
    "yn_linxiang_2023.xlsx": yn_linxiang,
    "ah_tangxi_2022.xlsx": ah_tangxi,
    "ah_tianchang_2022.xlsx": ah_tianchang,
    "ah_xiaoxian_2023.xlsx": ah_xiaoxian,
    "he_langfang_2019.xlsx": he_langfang,
    "nx_yinchuan_2021.xlsx": nx_yinchuan,
    "cq_rongmeiti_2021.xlsx": cq_rongmeiti,
    "hn_lingling_2021.xlsx": hn_lingling,
    "hb_guangshui_2021.xlsx": hb_guangshui,
    "hn_hengshan_2020.xlsx": hn_hengshan,
    "yn_lijiang_2020.xlsx": yn_lijiang,
    "yn_yongde_2022.xlsx": yn_yongde,
    "ah_tangxi_cunji_2022.xlsx": ah_tangxi_cunji,
    "gx_batang_2018.xlsx": gx_batang,
    "ah_jiaoqu_2021.xlsx": ah_jiaoqu,
    "he_ningjin_2019.xlsx": he_ningjin,
    "ah_shouxian_2023.xlsx": ah_shouxian,
    "sx_jishan_2021.xlsx": sx_jishan,
    "ah_jinzhai_2023.xlsx": ah_jinzhai,
}
XLS = {"sc_qingshen_2023.xls": sc_qingshen, "nx_yinchuan_2021.xls": nx_yinchuan, "yn_shidian_2019.xls": yn_shidian,
       "yn_yongde_2022.xls": yn_yongde}
LIBREOFFICE = {
    "ah_tangxi_2022_lo.xlsx": "ah_tangxi_2022.xlsx",
    "he_langfang_2019_lo.xlsx": "he_langfang_2019.xlsx",
    "cq_rongmeiti_2021_lo.xlsx": "cq_rongmeiti_2021.xlsx",
    "yn_yongde_2022_lo.xlsx": "yn_yongde_2022.xlsx",
}


def _xlsx_bytes(form: Form) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = form.sheet
    for ref, value in form.cells.items():
        cell = ws[ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # typed text such as "=8个", not a formula (Excel users type '=8个)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = BOX
        if ref in form.formats:
            cell.number_format = form.formats[ref]
        if ref in form.titles:
            cell.font = Font(bold=True, size=14)
            cell.alignment = Alignment(horizontal="center", vertical="center")
    for rng in form.merges:
        ws.merge_cells(rng)
    for col, width in form.widths.items():
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.properties.creator = "selfeval-xlsx field corpus"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Same entries, fixed timestamps: the same input gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now()
                import re

                payload = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                                 b'<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>',
                                 payload)
            dst.writestr(fixed, payload)
    return out.getvalue()


def _write_xls(form: Form, path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(form.sheet)
    merged_tail: set[str] = set()
    for rng in form.merges:
        c1, r1, c2, r2 = range_boundaries(rng)
        sheet.merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    merged_tail.add(f"{get_column_letter(c)}{r}")
    styles: dict[str, xlwt.XFStyle] = {}
    for ref, value in form.cells.items():
        if ref in merged_tail:
            continue
        col, row = coordinate_from_string(ref)
        fmt = form.formats.get(ref, "General")
        style = styles.get(fmt)
        if style is None:
            style = xlwt.XFStyle()
            style.num_format_str = fmt
            style.alignment.wrap = 1
            styles[fmt] = style
        sheet.write(row - 1, column_index_from_string(col) - 1, value, style)
    for col, width in form.widths.items():
        sheet.col(column_index_from_string(col) - 1).width = int(width * 256)
    book.save(str(path))


def _libreoffice_resave(source: Path, target: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print(f"skipped (no LibreOffice): {target.name}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        outdir = Path(tmp) / "out"
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                        "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=180)
        shutil.copyfile(outdir / source.name, target)


def main(argv: list[str]) -> None:
    redo_lo = "--lo" in argv
    for name, make in FORMS.items():
        (HERE / name).write_bytes(_xlsx_bytes(make()))
        print("wrote", name)
    for name, make in XLS.items():
        _write_xls(make(), HERE / name)
        print("wrote", name)
    for name, source in LIBREOFFICE.items():
        if redo_lo or not (HERE / name).exists():
            _libreoffice_resave(HERE / source, HERE / name)
            print("wrote", name, "(LibreOffice)")


if __name__ == "__main__":
    main(sys.argv[1:])
