"""The official forms described once, as data.

Both the template generator (``template.py``) and the reader (``reader.py``)
use these descriptions: the generator lays the official labels out in the
order given here, the reader recognises a filled-in copy by the same labels
and their synonyms (``docs/domain.md``, "Header synonyms seen in real
submissions").

Nothing here knows about cells of a particular file; positions in the
official templates are given as column keys and row order, and the generator
turns them into A1 references.
"""

from __future__ import annotations

from selfeval_xlsx.record import FrozenRecord

_set = object.__setattr__  # a frozen record's fields are set once, in __init__

# --------------------------------------------------------------------------
# Column descriptions shared by both forms


class Column(FrozenRecord):
    """One column of a table: a stable key, the official header, synonyms."""

    __slots__ = _fields = ("key", "header", "synonyms", "width")
    key: str
    header: str
    synonyms: tuple[str, ...]
    width: float

    def __init__(self, key: str, header: str, synonyms: tuple[str, ...] = (), width: float = 10.0) -> None:
        _set(self, "key", key)
        _set(self, "header", header)
        _set(self, "synonyms", synonyms)
        _set(self, "width", width)

    @property
    def names(self) -> tuple[str, ...]:
        """Every header text that means this column (official first)."""
        return (self.header, *self.synonyms)


# The funds block (部门(单位)总体资金 / 项目资金). Order = official order.
FUNDS_COLUMNS: tuple[Column, ...] = (
    Column("source", "资金来源", ("资金来源", "资金类别", "项目", "年度预算数(万元)", "年度预算数", "资金性质")),
    Column("initial", "年初预算数", ("年初预算数", "年初预算", "年初预算数(万元)")),
    Column(
        "budget",
        "全年预算数（A）",
        ("全年预算数(A)", "全年预算数", "调整后预算数", "全年(调整)预算数", "全年（调整）预算数", "调整预算数"),
    ),
    Column(
        "executed",
        "全年执行数（B）",
        ("全年执行数(B)", "全年执行数", "预算执行数", "实际执行数", "全年实际执行数"),
    ),
    Column("weight", "分值", ("分值", "权重", "指标权重(分)")),
    Column("rate", "执行率", ("执行率", "执行率(B/A)", "预算执行率")),
    Column("score", "得分", ("得分", "指标得分(分)", "得分(分)")),
    Column("reason", "原因", ("原因", "偏差原因", "未执行原因")),
)

# The indicator table (绩效指标). ``nature`` and ``unit`` appear only on
# Sichuan/Yunnan style forms; the official templates do not have them.
INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("level1", "一级指标", ("一级指标",), 10),
    Column("level2", "二级指标", ("二级指标",), 10),
    Column("level3", "三级指标", ("三级指标", "三级指标名称", "指标名称"), 30),
    Column("nature", "指标性质", ("指标性质", "指标方向", "计算符号"), 8),
    Column(
        "target",
        "年度指标值（A）",
        ("年度指标值(A)", "年度指标值", "指标值", "年初指标值", "调整指标值", "年初目标值(A)", "年初目标值", "目标值", "预期指标值"),
        14,
    ),
    Column(
        "actual",
        "实际完成值（B）",
        ("实际完成值(B)", "实际完成值", "全年实际值", "完成值", "全年完成值", "实际值"),
        14,
    ),
    Column("unit", "度量单位", ("度量单位", "计量单位", "单位"), 8),
    Column("weight", "分值", ("分值", "权重", "指标权重(分)", "指标分值"), 7),
    Column("score", "得分", ("得分", "指标得分(分)", "得分(分)", "自评得分"), 7),
    Column(
        "reason",
        "未完成原因分析",
        (
            "未完成原因分析",
            "偏差原因分析及改进措施",
            "偏差原因及改进措施",
            "原因",
            "偏差大或目标未完成原因分析",
            "偏差原因分析",
            "未完成原因分析及改进措施",
        ),
        24,
    ),
)

INDICATOR_COLUMN = {c.key: c for c in INDICATOR_COLUMNS}
FUNDS_COLUMN = {c.key: c for c in FUNDS_COLUMNS}

# Columns of the indicator table the official templates lay out, in order.
OFFICIAL_INDICATOR_KEYS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "reason")
# Columns of the funds block the official templates lay out, in order.
OFFICIAL_FUNDS_KEYS = ("source", "initial", "budget", "executed", "weight", "rate", "score")

# --------------------------------------------------------------------------
# The indicator hierarchy


class Level1(FrozenRecord):
    """A 一级指标 with its standard 二级 and its default weight key."""

    __slots__ = _fields = ("key", "name", "synonyms", "level2")
    key: str  # key into Profile.level1_weights
    name: str  # official label
    synonyms: tuple[str, ...]
    level2: tuple[str, ...]

    def __init__(self, key: str, name: str, synonyms: tuple[str, ...], level2: tuple[str, ...]) -> None:
        _set(self, "key", key)
        _set(self, "name", name)
        _set(self, "synonyms", synonyms)
        _set(self, "level2", level2)


LEVEL1: tuple[Level1, ...] = (
    Level1("output", "产出指标", ("产出指标", "产出"), ("数量指标", "质量指标", "时效指标", "成本指标")),
    Level1(
        "benefit",
        "效益指标",
        ("效益指标", "效益"),
        ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    ),
    Level1(
        "satisfaction",
        "满意度指标",
        ("满意度指标", "服务对象满意度", "满意度"),
        ("服务对象满意度指标",),
    ),
)

# Newer forms make 成本指标 its own 一级.
COST_LEVEL1 = Level1("cost", "成本指标", ("成本指标", "成本"), ("经济成本指标", "社会成本指标", "生态环境成本指标"))

# Every 二级 name a reader should accept (short and long forms), for the
# template's drop-down the long official forms are used.
LEVEL2_NAMES: tuple[str, ...] = tuple(
    name for group in (*LEVEL1, COST_LEVEL1) for name in group.level2
)


def short_level2(name: str) -> str:
    """'数量指标' -> '数量' (the seed and most forms write the short form)."""
    return name[:-2] if name.endswith("指标") and len(name) > 3 else name


# --------------------------------------------------------------------------
# Funds rows


class FundsRow(FrozenRecord):
    __slots__ = _fields = ("key", "label", "synonyms", "scored")
    key: str
    label: str
    synonyms: tuple[str, ...]
    scored: bool  # only the total row carries 分值/执行率/得分

    def __init__(self, key: str, label: str, synonyms: tuple[str, ...], scored: bool = False) -> None:
        _set(self, "key", key)
        _set(self, "label", label)
        _set(self, "synonyms", synonyms)
        _set(self, "scored", scored)


# Labels of the funds block's total row seen in published forms.
TOTAL_FUNDS_LABELS = (
    "年度资金总额", "资金总额", "合计", "总计", "总额", "年度财政资金总额", "预算资金总额", "年度预算资金总额",
)

DEPARTMENT_FUNDS_ROWS: tuple[FundsRow, ...] = (
    FundsRow("total", "年度资金总额", TOTAL_FUNDS_LABELS, scored=True),
    FundsRow("basic", "基本支出", ("基本支出",)),
    FundsRow("project", "项目支出", ("项目支出",)),
    FundsRow("other", "其他资金", ("其他资金", "其他")),
)

PROJECT_FUNDS_ROWS: tuple[FundsRow, ...] = (
    FundsRow("total", "年度资金总额", TOTAL_FUNDS_LABELS, scored=True),
    FundsRow(
        "fiscal",
        "其中：当年财政拨款",
        ("其中：当年财政拨款", "当年财政拨款", "本年财政拨款", "财政拨款", "财政资金"),
    ),
    FundsRow("carryover", "上年结转资金", ("上年结转资金", "上年结转", "财政专户管理资金")),
    FundsRow("other", "其他资金", ("其他资金", "其他")),
)

# --------------------------------------------------------------------------
# Other labels the reader looks for

TOTAL_LABELS = ("总分", "合计得分", "总得分", "综合得分")
CONCLUSION_LABELS = ("自评结论", "评价结论", "自评等级", "评价等级")
GOAL_LABELS = ("年度总体目标",)
GOAL_COLUMNS = ("预期目标", "实际完成情况")
INDICATOR_BLOCK_LABEL = "绩效指标"
GRADES = ("优秀", "良好", "中", "差")

HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "unit": ("部门（单位）名称", "部门(单位)名称", "单位名称", "部门名称", "预算单位", "填报单位"),
    "project": ("项目名称",),
    "authority": ("主管部门",),
    "implementer": ("实施单位",),
    "date": ("填报日期",),
}

# --------------------------------------------------------------------------
# The two forms

NOTES_DEPARTMENT: tuple[str, ...] = (
    "注：1. 绩效自评采取打分评价的形式，满分为100分，各部门（单位）可根据指标的重要程度确定各项三级指标的权重分值，"
    "各项指标得分加总得出该绩效自评的总分。原则上一级指标分值统一设置为：产出指标50分，效益指标30分、服务对象满意度10分、"
    "预算资金执行率10分。如有特殊情况，除预算资金执行率外，其他指标权重可适当调整，但总分应为100分。"
    "各三级指标得分最高不能超过该指标分值上限。",
    "2. 未完成原因分析：说明偏离目标、不能完成目标的原因及拟采取的措施。",
    "3. 定量指标若为正向指标（即指标值为≥*），则得分计算方法应用实际完成值(B)/年度指标值(A)*该指标分值；"
    "若定量指标为反向指标（即指标值为≤*），则得分计算方法应用年度指标值(A)/实际完成值(B)*该指标分值。",
    "4. 定性指标根据指标完成情况分为：达成预期指标、部分达成预期指标并具有一定效果、未达成预期指标且效果较差三档，"
    "分别按照该指标对应分值权重区间100-80%(含80%)、80-50%(含50%)、50-0%合理选择权重确定得分。",
)


class FormLayout(FrozenRecord):
    __slots__ = _fields = ("kind", "attachment", "title", "title_synonyms", "funds_label", "funds_rows",
                           "reason_header", "header_fields", "has_conclusion", "notes", "file_stem")
    kind: str  # "department" | "project"
    attachment: str  # 附件3-1
    title: str
    title_synonyms: tuple[str, ...]
    funds_label: str
    funds_rows: tuple[FundsRow, ...]
    reason_header: str
    # header fields laid out above the funds block: (label, field key)
    header_fields: tuple[tuple[str, str], ...]
    has_conclusion: bool
    notes: tuple[str, ...]
    file_stem: str

    def __init__(self, kind: str, attachment: str, title: str, title_synonyms: tuple[str, ...], funds_label: str,
                 funds_rows: tuple[FundsRow, ...], reason_header: str, header_fields: tuple[tuple[str, str], ...],
                 has_conclusion: bool = True, notes: tuple[str, ...] = (), file_stem: str = "") -> None:
        for name, value in zip(self._fields, (kind, attachment, title, title_synonyms, funds_label, funds_rows,
                                               reason_header, header_fields, has_conclusion, notes, file_stem)):
            _set(self, name, value)

    def default_filename(self, year: int) -> str:
        return f"{self.file_stem}_{year}.xlsx"


DEPARTMENT = FormLayout(
    kind="department",
    attachment="附件3-1",
    title="部门整体支出绩效自评表",
    title_synonyms=("部门整体支出绩效自评表", "部门整体支出绩效目标自评表", "部门整体支出绩效评价表", "部门整体"),
    funds_label="部门（单位）总体资金（万元）",
    funds_rows=DEPARTMENT_FUNDS_ROWS,
    reason_header="未完成原因分析",
    header_fields=(("部门（单位）名称", "unit"),),
    has_conclusion=True,
    notes=NOTES_DEPARTMENT,
    file_stem="部门整体支出绩效自评表",
)

PROJECT = FormLayout(
    kind="project",
    attachment="附件3-2",
    title="项目支出绩效自评表",
    title_synonyms=("项目支出绩效自评表", "项目支出绩效目标自评表", "项目绩效自评表", "项目支出"),
    funds_label="项目资金（万元）",
    funds_rows=PROJECT_FUNDS_ROWS,
    reason_header="偏差原因分析及改进措施",
    header_fields=(("项目名称", "project"), ("主管部门", "authority"), ("实施单位", "implementer")),
    has_conclusion=True,
    notes=NOTES_DEPARTMENT,
    file_stem="项目支出绩效自评表",
)

FORMS: dict[str, FormLayout] = {"department": DEPARTMENT, "project": PROJECT}

# --------------------------------------------------------------------------
# The official templates' grid (``template.py`` turns this into cells).
#
# Both forms share one grid of nine sheet columns.  Every block of the form
# says which of these columns it spans by key, never by letter, so the
# generator computes each A1 reference in one place.  The reader does not
# need any of this (it finds a filled-in form by its labels, wherever they
# are); the tests use it to look the labels up in the generated files.


class SheetColumn(FrozenRecord):
    """One sheet column of the template: key and width (Excel character units)."""

    __slots__ = _fields = ("key", "width")
    key: str
    width: float

    def __init__(self, key: str, width: float) -> None:
        _set(self, "key", key)
        _set(self, "width", width)


# A: the vertical block labels (总体资金 / 年度总体目标 / 绩效指标); B..I: the
# indicator table's eight official columns (OFFICIAL_INDICATOR_KEYS).
TEMPLATE_COLUMNS: tuple[SheetColumn, ...] = (
    SheetColumn("block", 8.5),
    SheetColumn("level1", 11.5),
    SheetColumn("level2", 11.5),
    SheetColumn("level3", 30),
    SheetColumn("target", 14),
    SheetColumn("actual", 14),
    SheetColumn("weight", 8.5),
    SheetColumn("score", 9.5),
    SheetColumn("reason", 24),
)

# The funds block's columns (OFFICIAL_FUNDS_KEYS) -> the sheet columns they
# span (first, last).  分值 sits under the indicator table's 分值 column.
TEMPLATE_FUNDS_SPANS: dict[str, tuple[str, str]] = {
    "source": ("level1", "level2"),
    "initial": ("level3", "level3"),
    "budget": ("target", "target"),
    "executed": ("actual", "actual"),
    "weight": ("weight", "weight"),
    "rate": ("score", "score"),
    "score": ("reason", "reason"),
}

# Header fields above the funds block, one tuple per sheet row.
TEMPLATE_HEADER_ROWS: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "department": ((("部门（单位）名称", "unit"),),),
    "project": ((("项目名称", "project"),), (("主管部门", "authority"), ("实施单位", "implementer"))),
}
# For a header row holding n fields: (label span, value span) per field.
TEMPLATE_HEADER_SPANS: dict[int, tuple[tuple[tuple[str, str], tuple[str, str]], ...]] = {
    1: ((("block", "level1"), ("level2", "reason")),),
    2: (
        (("block", "level1"), ("level2", "target")),
        (("actual", "weight"), ("score", "reason")),
    ),
}

# The remaining fixed spans of the form.
TEMPLATE_SPANS: dict[str, tuple[str, str]] = {
    "full": ("block", "reason"),  # title, year line, notes
    "date": ("block", "level1"),  # 填报日期：
    "date_value": ("level2", "level3"),
    "seal": ("target", "actual"),  # 单位（盖章）：
    "seal_value": ("weight", "reason"),
    "goal_expected": ("level1", "target"),  # 预期目标
    "goal_actual": ("actual", "reason"),  # 实际完成情况
    "total_label": ("block", "actual"),  # 总分 / 自评结论 labels
    "conclusion_value": ("weight", "reason"),
}

# Fixed texts of the template (the reader matches the bare labels above).
TEMPLATE_YEAR_LINE = "（{year}年度）"
TEMPLATE_DATE_LABEL = "填报日期："
TEMPLATE_SEAL_LABEL = "单位（盖章）："
TEMPLATE_GOAL_LABEL = GOAL_LABELS[0]
TEMPLATE_TOTAL_LABEL = "总分"
TEMPLATE_CONCLUSION_LABEL = "自评结论"
# The 一级 label as the official form writes it: "产出指标（50分）" (the line
# break keeps the narrow merged cell readable; readers strip whitespace).
TEMPLATE_LEVEL1_LABEL = "{name}\n（{weight}分）"
