"""What a careful reviewer finds on each field form — worked out by hand.

Every figure below was computed by hand (Decimal arithmetic, shown in the
comments), never by running the tool.  ``tests/test_field.py`` compares the
tool against these; ``benchmarks/field_accuracy.py`` counts how close it gets.

Conventions (README.md in this folder says why):

* ``findings``: ``"CODE@CELL"`` on the form's sheet.  ``CODE`` is a rule code
  from ``selfeval_xlsx/rules.py``, or a family prefix for a rule still to be
  named: ``L`` = "this part of the layout was not understood" (new family, issue
  11), ``*`` = any code (a warning that a narrative box still holds the template
  instructions; no code exists yet).  ``CELL`` is an A1 reference, a range (the
  finding's cell must lie inside it) or ``-`` (a finding about the whole form,
  no cell).  ``L+`` means one or more L findings inside the range.
* Default rules are the Ministry of Finance ones (docs/domain.md) except where issue
  11 says otherwise: budget points from the block label (20 分), the
  evaluation scheme (budget execution is an indicator row), no per-一级 weights
  on Sichuan's 510000_0013zp form (it fixes only 预算执行 10 + 绩效指标 90), no
  "missing 一级" or "no reason" findings for columns the layout does not have,
  direction inferred from the name (…控制率, 调整率, 结转结余率, 变动率 are
  lower-is-better).
* Empty template slots (``指标1:``/``指标2``/``……``/``/`` with nothing else in the
  row) are not indicators and give no finding; ``其中…`` rows without points
  under a ★ row are details of that row, not indicators.
* A form with a blank score or 完成值 is "未填写完整": its blank cells are E101,
  and it has no computed total (``computed: None``).
* ``fill``: the cells whose right value differs from the file, with the value
  ``selfeval fill`` should write; every other cell must come back unchanged.
  A form that fails the plausibility gate (an indicator without points, points
  not adding up to 100, a stated total out of reach) gets ``{}``.
* ``budget``: ``rate`` and ``score`` are the right values (2 decimals for the
  score; a stated value within 0.01 is right).  A key that is absent is not
  asserted.
"""

from __future__ import annotations

CASES: dict[str, dict] = {}


def case(name: str, **spec) -> None:
    CASES[name] = spec


# ---------------------------------------------------------------------------
QINGSHEN = {
    "source": "https://www.scqs.gov.cn/info/13206/211004.htm",
    "province": "四川",
    "unit": "青神县发展和改革局（工资性支出）",
    "kind": "project",
    "layout": "四川 510000_0013zp",
    "variant": "预算执行情况(10分) 年初预算|调整后预算数|预算执行数; 指标性质/度量单位; 评价结论 narrative; published unfilled",
    "sheet": "Sheet1",
    "truncated": False,
    "indicators": 2,
    # A = 调整后预算数 251.89 (not 年初预算 238.93), B = 251.89: rate 1, score 1 × 10 = 10 (H9 blank)
    "budget": {"rate": "1", "score": "10", "stated_rate": "1", "stated_score": None},
    # 完成值 and 得分 blank: unfilled, no computed total; 合计 得分 J17 blank
    "total": {"stated": None, "computed": None},
    "findings": [
        "E101@H9",                        # budget 得分 blank (its inputs are all there)
        "E101@H15", "E101@J15",           # 完成值, 得分 blank
        "E101@H16", "E101@J16",
        "E101@J17",                       # 合计 得分 blank
        "*@B18",                          # 评价结论 still holds the template instruction
    ],
    # weights 60 + 30 = 90 = 绩效指标(90分), + 10 = 100 = I17: the gate passes; only H9 has all its inputs
    "fill": {"H9": "10"},
    "notes": "Published blank: the bureau posted the form with targets and weights but no results. "
          "Weights 60/30 with no 满意度 are Sichuan's standard for wage items; the form fixes only 10 + 90.",
}
case("sc_qingshen_2023.xlsx", **QINGSHEN)
case("sc_qingshen_2023.xls", **{**QINGSHEN, "variant": QINGSHEN["variant"] + "; saved as .xls (xlwt)"})

case(
    "sc_daying_2023.xlsx",
    source="https://dyxrmt.cn/article-157795-21.html",
    province="四川",
    unit="大英县司法局（2023年全县安可替代补助资金项目）",
    kind="project",
    layout="四川 510000_0013zp",
    variant="年初预算 0.00 with 调整后预算数 3.36: A must be 调整后预算数; copy ends inside the first indicator row",
    sheet="Sheet1",
    truncated=True,
    indicators=1,
    # A = 3.36, B = 3.36: rate 1, score 10 = H8 (年初预算 0.00 would divide by zero)
    budget={"rate": "1", "score": "10", "stated_rate": "1", "stated_score": "10"},
    total={"stated": None, "computed": None},
    findings=["E101@H14", "E101@I14", "E101@J14"],  # 完成值, 权重, 得分 of the only row (copy ends)
    fill={},  # the indicator has no points: gate fails
    notes="The stored copy stops after 指标值 100 of the first indicator; the rest of the row is blank here.",
)

case(
    "sc_zhongjiang_2022.xlsx",
    source="https://chacewang.com/newsdetail/news242266.html",
    province="四川",
    unit="中江县水利局（小型水库水标尺制作安装）",
    kind="project",
    layout="MoF 3-2 (衔接资金 绩效目标自评表)",
    variant="分值 column before 年度指标值; 实际值 written with ≥; 产出(70分)/效益(20分); '……' slot",
    sheet="Sheet1",
    truncated=False,
    indicators=9,
    budget={"rate": "1", "score": "10", "stated_rate": "1", "stated_score": "10"},  # 20/20
    # Σ 三级 得分 = 10+10+20+10+10+10 + 10+10 + 10 = 100; + budget 10 = 110; the form states 100 (H23)
    total={"stated": "100", "computed": "110"},
    findings=[
        "W201@B12",   # 产出 70 (declared and summed) instead of 50
        "W201@B18",   # 效益 20 instead of 30
        "Q201@F20",   # 显著提升: not measurable
        "W102@E23",   # 三级 分值 100 + 预算 10 = 110, not 100
        "T101@H23",   # 总分 100 leaves out the budget score: 100 + 10 = 110
    ],
    fill={},  # points add up to 110: gate fails
    notes="The form's own note says 产出50/效益30/满意度10/预算10, yet its indicators carry 100 points by themselves.",
)

case(
    "yn_shidian_2019.xlsx",
    source="https://shidian.gov.cn/info/4312/182383.htm",
    province="云南",
    unit="施甸县农业农村局（2019年新型农业经营主体扶持项目）",
    kind="project",
    layout="预算执行情况(万元)(20分) + 年度绩效目标1(80分) (Hubei-style)",
    variant="budget points 20 from the block label; 得分(20分*执行率); no 分值 column; 偏差大或目标未完成原因分析 narrative",
    sheet="Sheet1",
    truncated=False,
    indicators=5,
    # rate = 94/650 = 0.144615…; score = 0.144615 × 20 = 2.8923 → 2.89 (stated 2.9: within 0.01)
    budget={"rate": "0.1446", "score": "2.89", "stated_rate": "0.1", "stated_score": "2.9"},
    # Σ = 8.0 + 7.3 + 31.9 + 10.5 + 11.1 = 68.8; + 2.9 = 71.7 = F16
    total={"stated": "71.7", "computed": "71.7"},
    findings=[
        "F101@E8",      # 执行率 written 0.1; 94/650 = 14.46%
        "L@A9:F15",     # no 分值 column: per-indicator caps cannot be checked (said once)
        "Q203@D13",     # 新型经营主体实现产值(%) with a target of 8000 (%)
    ],
    fill={},  # no points column: the form cannot be shown plausible, nothing written
    notes="By the scores the implied weights are 20/20/20/10/10 (= 80): 31.9, 10.5 and 11.1 exceed them, "
          "which the layout cannot show. The total adds up.",
)

case(
    "yn_linxiang_2023.xlsx",
    source="https://www.ynlx.gov.cn/info/2431/148733.htm",
    province="云南",
    unit="临沧市临翔区林业和草原局（马鹿坑国有林场野生动物收容所）",
    kind="project",
    layout="MoF 3-2",
    variant="执行率 97.80% scored 9; 年初预算数 blank; copy ends at the satisfaction row",
    sheet="Sheet1",
    truncated=True,
    indicators=8,
    # rate = 31.69/32.4 = 0.978086…; score 9.78 (stated 9)
    budget={"rate": "0.9781", "score": "9.78", "stated_rate": "0.978", "stated_score": "9"},
    total={"stated": None, "computed": None},
    findings=[
        "F102@I6",                                       # 9 instead of 9.78
        "E101@E18", "E101@F18", "E101@G18", "E101@H18",  # 受益农户满意度: values not in the copy
    ],
    fill={},  # the satisfaction row has no points: gate fails
    notes="97.80% is 97.8086% rounded to 0.1% — accepted. The sub-row repeats 10 / 97.80% / 9.",
)

TANGXI = {
    "source": "http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2",
    "province": "安徽",
    "unit": "池州市贵池区棠溪镇人民政府（委托业务项目）",
    "kind": "project",
    "layout": "MoF 3-2",
    "variant": "年度资金总额 row of zeros above a filled 本年财政拨款 row; '≥100百分比'; copy ends in the satisfaction row",
    "sheet": "Sheet1",
    "truncated": True,
    "indicators": 10,
    # components: 90 / 89.974 / 89.974 → rate 1, score 10; the total row says 0 / 0 / 0, 0, 0
    "budget": {"rate": "1", "score": "10", "stated_rate": "0", "stated_score": "0"},
    "total": {"stated": None, "computed": None},
    "findings": [
        "F103@D7", "F103@E7", "F103@F7",   # 0 ≠ 90, 89.974, 89.974
        "F101@H7", "F102@I7",              # 0 instead of 100% and 10
        "E101@E24", "E101@F24", "E101@G24", "E101@H24",  # 公众满… row: values not in the copy
    ],
    "fill": {},  # the satisfaction row has no points: gate fails
    "notes": "The address is a mirror of the bureau's attachment (a .doc of the 2022 form). "
          "The copy breaks off inside the word 公众满意度.",
}
case("ah_tangxi_2022.xlsx", **TANGXI)
case("ah_tangxi_2022_lo.xlsx", **{**TANGXI, "variant": TANGXI["variant"] + "; re-saved by LibreOffice"})

case(
    "ah_tianchang_2022.xlsx",
    source="天长市人民政府网站, 天长市水利局水旱灾害防御股项目支出绩效自评 (发布 2023-12-05; the search index gave no address)",
    province="安徽",
    unit="天长市水利局（水旱灾害防御经费）",
    kind="project",
    layout="MoF 3-2",
    variant="一级 cells hold only '(50分)'/'(30分)'; 指标1:/指标2:/…… slots; 执行率 blank; qualitative rows with no target/actual",
    sheet="Sheet1",
    truncated=False,
    indicators=9,
    budget={"rate": "1", "score": "10", "stated_rate": None, "stated_score": "10"},  # 880/880
    # scores 5×10 + 3×10 + 10 = 90, + 10 = 100 = H40; but 完成值 blank on six rows: no computed total
    total={"stated": "100", "computed": None},
    findings=[
        "E101@H6",                 # 执行率 blank
        "E101@E16", "E101@F16",    # 工程质量合格: no target, no actual
        "E101@E19", "E101@F19",
        "E101@E22", "E101@F22",
        "E101@E25", "E101@F25",
        "E101@E28", "E101@F28",
        "E101@E34", "E101@F34",
    ],
    fill={"H6": "1"},  # 880/880 = 100%: its inputs are all there; points 50+30+10+10 = 100, total 100 in reach
    notes="The 一级 names were lost when the page was published (vertical text); the blocks are 产出/效益 by their 二级 rows.",
)

case(
    "ah_xiaoxian_2023.xlsx",
    source="https://www.ahxx.gov.cn/grassroots/279/158998981.html",
    province="安徽",
    unit="萧县张庄寨镇人民政府（河西村特色种养补贴到户项目）",
    kind="project",
    layout="MoF 3-2 (绩效目标自评表)",
    variant="分值 before 指标值; ★ rows with '其中…' detail rows without points; copy ends where 满意度 begins",
    sheet="Sheet1",
    truncated=True,
    indicators=7,
    budget={"rate": "1", "score": "10", "stated_rate": "1", "stated_score": "10"},  # 9.48/9.48
    # Σ = 20+10+10+5+5 + 20+10 = 80, + 10 = 90 — but there is no 总分 row in the copy
    total={"stated": None, "computed": "90"},
    findings=[
        "W202@-",   # no 满意度 block (the copy ends before it)
        "W102@-",   # 80 + 10 = 90, not 100
    ],
    fill={},  # points 90 ≠ 100: gate fails
    notes="Both findings come from the end of the stored copy, not from the published form.",
)

LANGFANG = {
    "source": "http://www.lfsp.cn/newsinfo/1158053.html",
    "province": "河北",
    "unit": "廊坊市食品工程学校（办公宿舍楼、食堂及餐厅暖通改造经费）",
    "kind": "project",
    "layout": "MoF 3-2 (2019)",
    "variant": "'指标1工程资金金额' names; 指标2/…… slots; 效益 一级 split in two by a page break; copy ends after the satisfaction block",
    "sheet": "Sheet1",
    "truncated": True,
    "indicators": 9,
    # rate = 37.24/43.2 = 0.862037… (86% stated: right); score 8.62 (stated 9)
    "budget": {"rate": "0.8620", "score": "8.62", "stated_rate": "0.86", "stated_score": "9"},
    # 8.62 (row 14 corrected) + 8 × 10 = 88.62, + 8.62 = 97.24; no 总分 row in the copy
    "total": {"stated": None, "computed": "97.24"},
    "findings": [
        "F102@H7",    # 9 instead of 8.62
        "S103@G14",   # 43.2 → 37.24 of 10: 8.62, stated 9 (a reason is given, so no S201)
    ],
    "fill": {"H7": "8.62", "G14": "8.62"},  # points 50 + 30 + 10 + 10 = 100; no stated total
    "notes": "The 年度总体目标 boxes hold the two amounts 43.2 and 37.24, as published.",
}
case("he_langfang_2019.xlsx", **LANGFANG)
case("he_langfang_2019_lo.xlsx", **{**LANGFANG, "variant": LANGFANG["variant"] + "; re-saved by LibreOffice"})

YINCHUAN = {
    "source": "https://m.yzwku.com/doc/476505.html",
    "province": "宁夏",
    "unit": "银川市第六中学（初中公用经费）",
    "kind": "project",
    "layout": "银川市本级 决策/管理/产出/效益 (10/25/30/35) with 参考分值",
    "variant": "预算执行率 is an indicator row (no separate budget score); 自评得分 in the header; 指标1:/指标2: slots; "
            "copy ends at the satisfaction row",
    "sheet": "Sheet1",
    "truncated": True,
    "indicators": 17,
    "budget": {"rate": "1", "stated_rate": "1"},  # 64.8/64.8; the 预算执行率 row should score 10 (stated 9)
    # max reachable = 10 + 25 + 29 + 13 + 8 + 10 (satisfaction at most) = 95 < 98
    "total": {"stated": "98", "computed": None},
    "findings": [
        "F102@G12",                                      # 预算执行率 100% of 10 points: 10, stated 9
        "S201@H20",                                      # 公用经费完成时间: 4 of 5, met, no reason
        "S201@H27",                                      # 效果显著: 13 of 15, no reason
        "S201@H30",                                      # 可持续影响: 8 of 10, no reason
        "E101@D32", "E101@E32", "E101@F32", "E101@G32",  # satisfaction row: values not in the copy
        "T101@F3",                                       # 自评得分 98 cannot be reached (at most 95)
    ],
    "fill": {},  # satisfaction row without points, stated total out of reach: gate fails
    "notes": "The stored copy is an OCR text of a .docx; readings: 项Fl → 项目, 3M.8万元 → 14.8万元, 考值参分 → 参考分值.",
}
case("nx_yinchuan_2021.xlsx", **YINCHUAN)
case("nx_yinchuan_2021.xls", **{**YINCHUAN, "variant": YINCHUAN["variant"] + "; saved as .xls (xlwt)"})

case(
    "cq_rongmeiti_2021.xlsx",
    source="https://m.yzwku.com/doc/98587.html",
    province="重庆",
    unit="西部(重庆)科学城 融媒体中心",
    kind="department",
    layout="重庆 部门整体绩效自评表 (flat list)",
    variant="部门预算执行情况(万元) over two rows, 执行率(%)|执行率权重|执行率得分(分); 得分系数(%) beside 指标得分(分); "
            "是否核心指标; 自评总分 in the header; amounts missing; copy ends at 公共服务",
    sheet="Sheet1",
    truncated=True,
    indicators=20,
    budget={"rate": None, "stated_rate": "0.76", "stated_score": "7.6"},  # no amounts: the rate cannot be checked
    total={"stated": "97.6", "computed": None},
    findings=[
        "E101@D5", "E101@F5",      # 全年(调整)预算数, 全年执行数 blank
        "E101@D10", "E101@F10",    # “三公”经费变动率: no values
        "E101@D16", "E101@F16",    # “三公”经费控制率: no values
        "S103@I17",                # 政府采购执行率 72.74% of 100%: 2 × 0.7274 = 1.45, stated 2 (系数 100%)
        "E101@D28", "E101@F28", "E101@H28", "E101@I28",  # 公共服务…: copy ends
    ],
    fill={},  # an indicator without points: gate fails; 得分系数 is never written
    notes="OCR readings: 26次 → ≥6次, 到0次 → ≥30次, 第O份 → ≥10份, 2200篇 → ≥200篇 (≥ read as 2); "
          "控制率/调整率/结转结余率 are lower-is-better and met.",
)

case(
    "hn_lingling_2021.xlsx",
    source="http://admin.yzcity.gov.cn:8888/llqlinyj/gknb/202204/cd04d310d5364b2f9983a7843fb6a17d.shtml",
    province="湖南",
    unit="永州市零陵区林业局",
    kind="department",
    layout="湖南 部门整体支出绩效自评表",
    variant="amounts typed as text with 万元; 按收入性质分/按支出性质分 components inside labels; copy ends at 生态效益",
    sheet="Sheet1",
    truncated=True,
    indicators=10,
    # rate = 3824.26/4753.66 = 0.804487…; score 8.04 (stated 100% and 10)
    budget={"rate": "0.8045", "score": "8.04", "stated_rate": "1", "stated_score": "10"},
    # 50 (产出) + 5.96 + 5.65 + 6 = 67.61, + 8.04 = 75.65; no 总分 row in the copy
    total={"stated": None, "computed": "75.65"},
    findings=[
        "F101@H5", "F102@I5",     # 100% and 10 for 80.45%
        "W101@A23",               # 效益指标 30分 over rows adding up to 18 (the copy ends)
        "S103@G23", "S201@H23",   # 1100万元 → 1093万元 of 6: 5.96, stated 5, no reason
        "S103@G24", "S201@H24",   # 2.6亿元 → 2.45亿元 of 6: 5.65, stated 5, no reason
        "W202@-",                 # no 满意度 (the copy ends)
        "W102@-",                 # 50 + 18 + 10 = 78
    ],
    fill={},  # points 78 ≠ 100: gate fails
    notes="W101, W202 and W102 come from the end of the stored copy; F101/F102 and S103 are the publisher's.",
)

case(
    "hb_guangshui_2021.xlsx",
    source="https://pdf.wenkuvip.com/archives/bqg98jldqkx8g2xm7pe6.html",
    province="湖北",
    unit="广水市交通运输局（乡村道路建设养护项目）",
    kind=None,
    layout="unknown (广水市 项目决策2/项目管理13/项目绩效85 with 复核分)",
    variant="funds by source 中央|省、地|本级|其他|合计|执行数|执行率; 评价内容/分值/自评分/复核分; 自评总分 in the header; "
            "copy ends in 质量指标",
    sheet="Sheet1",
    truncated=True,
    indicators=None,
    budget={},
    total={},
    findings=["L+@A1:H19"],  # not understood: L findings only, no arithmetic on a misreading
    fill={},
    notes="A layout the tool has no model of: it must say so and leave the file alone.",
)

case(
    "hn_hengshan_2020.xlsx",
    source="https://taowenge.com/p-72820237.html",
    province="湖南",
    unit="衡山县商务和粮食局（县级储备粮）",
    kind="project",
    layout="湖南 县级专项资金绩效目标自评表 (targets and results only)",
    variant="no 分值 and no 得分 column at all; 执行率 without points; 效益指标 label repeated after a page break",
    sheet="Sheet1",
    truncated=False,
    indicators=16,
    budget={"rate": "1", "stated_rate": "1"},  # 194.9/194.9; the form gives budget execution no points
    total={"stated": None, "computed": None},  # nothing is scored: no total either way
    findings=["L+@A10:G26"],  # nothing to score: say so (L), ask for no 分值/得分 the form has no column for
    fill={},
    notes="政策性挂账利息补贴保障率 100% → 无 is explained in its reason cell. The address is a document-sharing "
          "mirror of the county's 2020 table.",
)

case("yn_shidian_2019.xls", **{**CASES["yn_shidian_2019.xlsx"],
                               "variant": CASES["yn_shidian_2019.xlsx"]["variant"] + "; saved as .xls (xlwt)"})
case("cq_rongmeiti_2021_lo.xlsx", **{**CASES["cq_rongmeiti_2021.xlsx"],
                                     "variant": CASES["cq_rongmeiti_2021.xlsx"]["variant"] + "; re-saved by LibreOffice"})

case(
    "yn_lijiang_2020.xlsx",
    source="http://m.jjiadianqingjie.com.cn/changyong/13241.html",
    province="云南",
    unit="丽江市古城区自然资源局（2020年省级自然资源卫片执法补助经费）",
    kind="project",
    layout="云南 项目支出绩效自评表 (two-row header: 年度指标值 over 指标性质|指标值|度量单位)",
    variant="指标性质 written '﹦' (U+FE66) and '≥'; bare numbers in 指标值; targets met but 1–3 points deducted; "
            "the copy ends before the satisfaction score",
    sheet="Sheet1",
    truncated=True,
    indicators=5,
    budget={"rate": "1", "score": "10", "stated_rate": "1", "stated_score": "10"},  # 7.29/7.29
    total={"stated": None, "computed": None},  # the satisfaction score is blank: half-filled
    findings=[
        "S103@I13",  # = 72890 元 → 72890: min(B/A, A/B) × 10 = 10, stated 9
        "S103@I14",  # = 100 % → 100: 20, stated 19
        "S103@I15",  # = 100 % → 100: 20, stated 19
        "S103@I16",  # ≥ 95 % → 95: 30, stated 27
        "E101@I17",  # 满意度 score blank (the copy ends)
    ],
    # points 10+20+20+30+10 + 10 = 100, every row has points, no stated total: the gate passes;
    # I17's inputs (≥95 → 95, 10 points) are all there, so it is written too
    fill={"I13": "10", "I14": "20", "I15": "20", "I16": "30", "I17": "10"},
    notes="The page is a WeChat repost (traditional characters) of the district bureau's table; rebuilt in simplified "
          "characters. A reviewer would ask why met targets lost points; none has a reason.",
)

YONGDE = {
    "source": "https://www.yongde.gov.cn/info/3003/116104.htm",
    "province": "云南",
    "unit": "临沧市永德县明朗中学（义务教育营养改善计划专项资金）",
    "kind": "project",
    "layout": "云南 项目支出绩效自评表 公开14表 (two-row header: 年度指标值 over 指标性质|指标值|度量单位)",
    "variant": "grade written in the 总分 row ('总分 | 100 | 96 | 优'); amounts in 元; 指标性质 '≧' and '═'; "
               "完成值 typed as text '100%' beside a bare 指标值 100; an empty 生态效益 slot; 年初预算数 blank",
    "sheet": "Sheet1",
    "truncated": False,
    "indicators": 9,
    # A = 全年预算数 387664.62, B = 387664.62: rate 1, score 1 × 10 = 10 (H6 100%, I6 10: right)
    "budget": {"rate": "1", "score": "10", "stated_rate": "1", "stated_score": "10"},
    # row by row (分值 10 each; ≧: B/A × 10 capped; ═: min(B/A, A/B) × 10; qualitative as stated):
    #   R14 735/735 → 10   R15 100/100 → 10   R16 100/100 → 10 (stated 7)   R17 100/100 → 10
    #   R18 有效 → 有效: 10 as stated            R19 98/100 = 0.98 × 10 = 9.8 (stated 9)
    #   R21 100/100 → 10   R22 100/95 = 1.0526… → capped 10   R23 the same → 10
    # Σ = 10+10+10+10+10+9.8+10+10+10 = 89.8; + budget 10 = 99.8.  Stated: Σ 10+10+7+10+10+9+10+10+10 = 86,
    # + 10 = 96 = I25 (the unit added its own scores right; two of them are wrong).  99.8 and 96 are both 优: no C.
    "total": {"stated": "96", "computed": "99.8"},
    "findings": [
        "S103@I16",   # ≧100% → 100%: 10, stated 7 (a met target; the error is the deduction, so no S201)
        "S103@I19",   # ═100% → 98%: 0.98 × 10 = 9.8, stated 9
        "S201@J19",   # 98% < 100% and the reason cell is empty
        "W201@A14",   # 产出 10+10+10+10 = 40 instead of 50
        "W201@A22",   # 满意度 10+10 = 20 instead of 10 (效益 10+10+10 = 30 as prescribed)
        "T101@I25",   # 总分 96; right 99.8
    ],
    # points 9 × 10 + 10 = 100, every indicator has points, 96 within reach: the gate passes.
    # 优 in J25 stays right (99.8 ≥ 90), so it is not touched.
    "fill": {"I16": "10", "I19": "9.8", "I25": "99.8"},
    "notes": "The whole form is in the stored copy (a one-form page). The page's flattened table loses empty cells; "
             "the dashes of the component rows are placed where the county template has them. 学生受资助人数 ≧735人次 → "
             "735 and the satisfaction rows 95 → 100% (ratio 1.05) need no explanation.",
}
case("yn_yongde_2022.xlsx", **YONGDE)
case("yn_yongde_2022.xls", **{**YONGDE, "variant": YONGDE["variant"] + "; saved as .xls (xlwt)"})
case("yn_yongde_2022_lo.xlsx", **{**YONGDE, "variant": YONGDE["variant"] + "; re-saved by LibreOffice"})

case(
    "ah_tangxi_cunji_2022.xlsx",
    source="http://www.anthempetcare.com/upload_cz/download?id=502367&siteId=2",
    province="安徽",
    unit="池州市贵池区棠溪镇人民政府（村级补助及运转经费）",
    kind="project",
    layout="MoF 3-2",
    variant="年度资金总额 row of zeros above a filled 本年财政拨款 row; 全年预算数 132.912 below 年初预算数 202.64; "
            "'=8个' targets; cost target ≤202.6万元 met at 132.9; copy ends at the 可持续影响 二级 label",
    sheet="Sheet1",
    truncated=True,
    indicators=8,
    # components: A = 全年预算数 132.912, B = 132.912 → rate 1, score 10; the total row says 0 / 0 / 0, 0%, 0
    budget={"rate": "1", "score": "10", "stated_rate": "0", "stated_score": "0"},
    # R14 8/8 × 8 = 8; R15 42/42 × 8 = 8; R16–R18 达成预期指标 8 each; R19 ≤202.6 → 132.9: 202.6/132.9 × 10
    # = 15.24… capped 10; R20, R21 达成 10 each.  Σ = 8+8+8+8+8+10+10+10 = 70; + budget 10 (right) = 80.
    # No row is blank (R22 holds only a 二级 label: a slot), so a total can be computed; there is no 总分 row.
    total={"stated": None, "computed": "80"},
    findings=[
        "F103@D7", "F103@E7", "F103@F7",   # 0 ≠ 202.64, 132.912, 132.912
        "F101@H7", "F102@I7",              # 0 instead of 100% and 10
        "W101@B20",   # 效益指标(30分) over rows adding up to 10 + 10 = 20 (the copy ends)
        "W202@-",     # no 满意度 block (the copy ends before it)
        "W102@-",     # 50 + 20 + budget 10 = 80, not 100
    ],
    fill={},  # points 80 ≠ 100: gate fails
    notes="Same publisher and attachment series as ah_tangxi_2022 (委托业务项目), a different project. W101, W202 "
          "and W102 come from the end of the stored copy; F101/F102/F103 are the publisher's. ≤202.6万元 → 132.9 "
          "is a cost target set on the 年初 budget: under a ≤ target it asks for no explanation (S202 is for ≥).",
)

case(
    "gx_batang_2018.xlsx",
    source="https://keke.chddh.cn/archives/48n5zg2zk8d9n27q6rjv.html",
    province="广西",
    unit="贵港市港南区八塘街道办事处（2018年耕地地力保护补贴）",
    kind=None,
    layout="unknown (广西 乡镇 专项支出绩效评分细则: 目标名称|(scoring rule)|分值|(score), no targets, no funds block)",
    variant="scoring sheet without 一级/二级/三级, without 年度指标值/实际完成值 and without a funds block; "
            "the score column has no header of its own; copy ends inside the 领导重视 row",
    sheet="Sheet1",
    truncated=True,
    indicators=None,
    budget={},
    total={},
    # 3+3+2+2+7+5+8+10 = 40 points on the eight complete rows, each scored in full; the rest of the sheet is lost.
    # Nothing here is a 绩效自评表 the tool has a model of: it must say so (L) and leave the file alone.
    findings=["L+@A1:D13"],
    fill={},
    notes="The address is a document-sharing mirror of the street office's .xls (2 pages; the stored text has the "
          "first rows only). Scoring rules are paraphrased; names, points and scores are as published.",
)

case(
    "ah_jiaoqu_2021.xlsx",
    source="https://tljq.gov.cn/openness/OpennessContent/show/580793.html",
    province="安徽",
    unit="铜陵市郊区财政局（2021年度农村公益事业财政奖补项目）",
    kind=None,
    layout="unknown (安徽 铜陵 财政奖补 绩效评价自评表: 决策(10)/过程(30)/…, 指标说明|指标分值|县级评分|市级评分)",
    variant="two-row header (指标/分值, 县级/评分, 市级/评分); the score is the county's, the city's column blank; "
            "a scoring rule instead of a target and an actual; bonus points (工作安排 1 分 scored 2); "
            "an unnumbered row under 账务管理; copy ends in row 14",
    sheet="Sheet1",
    truncated=True,
    indicators=None,
    budget={},
    total={},
    # On the rows in the copy: points 2+2+4+2 = 10 (决策) and 2+2+2+1+2+1+1+2+2+5 = 20 of 过程(30) (the copy ends);
    # county scores 2+2+4+0 = 8 and 2+2+2+1+2+2+1+2+2+5 = 21 — 工作安排 gets 2 of 1 by the bonus rule.
    # A layout the tool has no model of (who scores, against what): say so (L), no arithmetic, no change.
    findings=["L+@A1:H19"],
    fill={},
    notes="Published by the district finance bureau on its open-government page; only the first rows are in the "
          "stored copy. Scoring rules are paraphrased; names, points and scores are as published. Like 广水, a "
          "决策/过程 scheme the tool must not guess at: here the 县级评分 column may hold bonus points above 分值.",
)

case(
    "he_ningjin_2019.xlsx",
    source="https://www.ningjin.gov.cn/content/26279.html",
    province="河北",
    unit="宁晋县教育局（2019年度高中助学金项目）",
    kind=None,
    layout="unknown (河北 县级 项目绩效评价指标表: 评价内容|指标名称|指标说明|目标值|分值|备注 — targets and points only)",
    variant="a target table published as the project's 绩效 table: no 完成值, no 得分, no funds block; "
            "满意度 and 资金支出率 filed under 产出/质量; a blank 目标值 (规章制度 建立与否)",
    sheet="Sheet1",
    truncated=False,
    indicators=None,
    budget={},
    total={},
    # points 20 + 10 + 10 + 10 + 10 + 20 + 20 = 100 = F10: the table is consistent with itself.  It holds nothing a
    # self-evaluation is checked on (no actual value, no score): say so once (L) instead of asking for results
    # cell by cell, and change nothing.
    findings=["L+@A1:G10"],
    fill={},
    notes="The whole table is on the page (a short one-table page). Kept as the case of a department that publishes "
          "its target table where the self-evaluation belongs.",
)

case(
    "ah_shouxian_2023.xlsx",
    source="https://www.shouxian.gov.cn/public/118322758/1259995520.html",
    province="安徽",
    unit="寿县（部门整体支出；表中“单位”栏为空，发布于寿县人民政府信息公开目录）",
    kind=None,
    layout="unknown (安徽 部门整体支出绩效评价自评表: 规划(15分)/执行(35分)/…, 指标分值|指标解释|评分标准|自评得分)",
    variant="一级/二级 labels carry their points ('规划 (15分)', '基础信息 (3分)'); no targets, no actual values, "
            "no funds block; the 单位 field left blank; copy ends inside the 预算执行率 row (its score is lost)",
    sheet="Sheet1",
    truncated=True,
    indicators=None,
    budget={},
    total={},
    # 规划: 3 + (3 + 3) + (4 + 2) = 15 = '规划 (15分)'; 基础信息 3 = (3分), 工作计划 3 + 3 = 6 = (6分),
    # 绩效目标 4 + 2 = 6 = (6分); self-scores 3+3+3+4+2 = 15, every row in full.  The arithmetic that can be
    # checked holds; the layout (a rule-scored evaluation sheet, no target or actual) is not one the tool models:
    # say so (L) and change nothing.
    findings=["L+@A1:H9"],
    fill={},
    notes="A county department's 部门整体 evaluation sheet as published on the county's open-government page; only "
          "the first six rows are in the stored copy. Explanations and scoring rules are paraphrased; names, points "
          "and scores are as published.",
)

# 稷山: row r holds 指标(r − 12); columns C name, D target, E actual, F 分值, G 得分, H reason (all reasons blank).
# Every target is positive (a bare number or 不少于…): score = B/A × 分值, capped; 2 decimals.
_JISHAN_WRONG = {
    # row: (A, B, 分值, stated) → right
    13: "37442/38508 = 0.972317… × 3 = 2.916952… → 2.92, stated 3",
    20: "97.30/100 × 2 = 1.946 → 1.95, stated 1.9",
    24: "203/214 = 0.948598… × 2 = 1.897196… → 1.90, stated 1.8",
    25: "203/214 × 2 → 1.90, stated 1.8",
    26: "69/120 × 2 = 1.15, stated 1",
    27: "4044/5662 = 0.714235… × 2 = 1.428470… → 1.43, stated 1.4",
    28: "3224/3807 = 0.846861… × 2 = 1.693722… → 1.69, stated 1.9",
    29: "3220/3807 = 0.845810… × 2 = 1.691621… → 1.69, stated 1.8",
    30: "695/863 = 0.805330… × 2 = 1.610660… → 1.61, stated 1.8",
    31: "683/863 = 0.791425… × 2 = 1.582850… → 1.58, stated 1.7",
    32: "209/212 = 0.985849… × 2 = 1.971698… → 1.97, stated 1.8",
    34: "4044/5662 × 2 → 1.43, stated 1.4",
    35: "770/1228 = 0.627035… × 2 = 1.254071… → 1.25, stated 1.8",
    37: "22584/24694 = 0.914554… × 2 = 1.829108… → 1.83, stated 1.7",
}
case(
    "sx_jishan_2021.xlsx",
    source="https://keke.chddh.cn/archives/p4q58rogpx4emom7ewb9.html",
    province="山西",
    unit="稷山县翟店镇卫生院（国家基本公共卫生服务）",
    kind="project",
    layout="MoF 3-2 (稷山县项目支出绩效自评表)",
    variant="25 数量 indicators numbered 指标1:…指标25: in the name cell; scores rounded to one decimal "
            "(1.9 for 1.946, 1.4 for 1.428) and several above the formula (1.9 for 1.69); targets with units and "
            "'不少于'; 年初预算数 0; copy ends inside the first 质量指标 row",
    sheet="Sheet1",
    truncated=True,
    indicators=26,  # 25 数量 rows + the 质量指标 row whose name the copy cuts off
    # A = 全年预算数 207.4538, B = 207.4538: rate 1, score 10 (G6 100%, H6 10: right); 年初预算数 0 is not A
    budget={"rate": "1", "score": "10", "stated_rate": "1", "stated_score": "10"},
    total={"stated": None, "computed": None},  # the last row has no values: half-filled, no total in the copy
    findings=(
        [f"S103@G{r}" for r in _JISHAN_WRONG]            # see _JISHAN_WRONG: 14 scores off the formula
        + [f"S201@H{r}" for r in _JISHAN_WRONG]          # each of them short of its 分值, no reason given
        + ["S202@H15",   # 不少于6种 → 28种: 28/6 = 4.67 ≥ 1.3, no reason
           "S202@H17",   # 6次 → 150次: 25×
           "S202@H18"]   # 12次 → 96次: 8×   (116次 → 150次 is 1.29×, 不少于12种 → 14种 1.17×: no finding)
        + ["E101@D38", "E101@E38", "E101@F38", "E101@G38"]  # 质量指标 指标1: the copy ends in its name
    ),
    fill={},  # the last indicator has no points: gate fails (the 14 scores stay as they are)
    notes="The stored text reads the .xlsx column by column in places; the pairing of rows 1–6 follows the order of "
          "the values, and the names of 指标3 and 指标4 are not in the text (kept as '指标3:', '指标4:', values and "
          "points as read). The merged 产出指标/数量指标 label cells are missing from the text and put back: the "
          "rows precede the form's 质量指标 block. The 100% rate fixes 全年预算数 = 全年执行数 = 207.4538 where "
          "the text prints the amount once.",
)

case(
    "ah_jinzhai_2023.xlsx",
    source="https://www.ahjinzhai.gov.cn/public/6624963/37545031.html",
    province="安徽",
    unit="金寨县茶谷和美丽乡村建设服务中心（部门整体支出）",
    kind="department",
    layout="MoF 3-1 (部门整体支出绩效自评表, 安徽 县级)",
    variant="全年执行数 338.31 above 全年预算数 329.77 (执行率 102.59%) with the budget score left blank; "
            "'指标1:'/'指标2:' prefixes restarting in each 二级; '≤4' on a count; '9月前' → '7月'; "
            "copy ends at the empty 成本指标 '指标1:' slot",
    sheet="Sheet1",
    truncated=True,
    indicators=8,
    # rate = 338.31/329.77 = 1.025896… (102.59% stated: right); score = min(1.025896, 1) × 10 = 10 (I5 blank)
    budget={"rate": "1.0259", "score": "10", "stated_rate": "1.0259", "stated_score": None},
    # R12 ≤4 → 4: 4/4 × 10 = 10; R13 202/200 → 10 (1.01×); R14 3061/2000 = 1.5305 → capped 10; R15 10/10 → 10;
    # R16, R17 100/95 → capped 5; R18, R19 dates met → 5 as stated.  Σ = 40 + 20 = 60.  The budget score is
    # blank: 未填写完整, so no computed total (its right value 10 is known, see fill); no 总分 row in the copy.
    total={"stated": None, "computed": None},
    findings=[
        "F201@F5", "F201@F6",   # 执行数 338.31 > 预算数 329.77 on the total and the 当年财政拨款 row
        "E101@I5",              # budget score blank
        "S202@I14",             # ≥2000 → 3061 户: 1.53 ≥ 1.3, no reason
        "W201@B12",             # 产出 10+10+10+10 + 5+5 + 5+5 = 60 instead of 50 (the copy ends in 成本指标)
        "W202@-", "W202@-",     # no 效益, no 满意度 (the copy ends before them)
        "W102@-",               # 60 + budget 10 = 70, not 100
    ],
    fill={},  # points 70 ≠ 100: gate fails, so even the blank budget score (right value 10) is not written
    notes="Published by the county on its open-government page; the stored copy ends at the 成本指标 row. W201, W202 "
          "and W102 come from the end of the copy; F201 and the blank budget score are the publisher's. 执行率 "
          "102.59% scores 10 (capped), not 10.26.",
)
