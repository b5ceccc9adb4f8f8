#!/usr/bin/env python3
"""Build the sample submissions in ``sample_workbooks/`` and their README.

Each workbook is a different, realistic case of a filled-in 绩效自评表 and is
made the way such files arise in practice: some written by openpyxl, some by
xlsxwriter, some resaved by LibreOffice, some "hand-edited" after creation.
The deliberate defects of every file are listed in ``sample_workbooks/README.md``
(generated here, from the same data that wrote the cells, so the cell
references cannot drift).

Run from the repository root::

    python tools/make_samples.py            # all files
    python tools/make_samples.py 01 04      # only some (by number prefix)

Deterministic: fixed document properties, fixed zip timestamps, fixed dates.
(The legacy .xls made by LibreOffice is not normalised; reruns have so far
produced identical bytes, but that is LibreOffice's doing, not guaranteed.)
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sample_workbooks"
sys.path.insert(0, str(ROOT))

from selfeval_xlsx.layout import NOTES_DEPARTMENT  # noqa: E402

D = Decimal
FIXED_DT = _dt.datetime(2024, 2, 11, 9, 30, 0)
ZIP_DT = (2024, 2, 11, 9, 30, 0)
AUTHOR = "财务股"

# ==========================================================================
# Form content model


@dataclass
class Ind:
    """One 三级指标 row as the clerk typed it."""

    l1: str
    l2: str
    l3: str
    target: object
    actual: object
    weight: object
    score: object
    reason: str = ""
    nature: str | None = None  # Sichuan: ≥ ≤ = 定性
    unit: str | None = None  # Sichuan: 度量单位


@dataclass
class Fund:
    label: str
    initial: object
    budget: object
    executed: object


@dataclass
class Form:
    kind: str  # department | project | sichuan
    year: int
    attachment: str
    title: str
    date: str
    header: list  # [(label, value)]
    funds_label: str
    funds: list  # [Fund] total first
    rate: object  # as displayed in 执行率 (Decimal ratio, or text)
    budget_score: object
    goal_expected: str
    goal_actual: str
    l1_labels: dict  # canonical l1 -> label shown
    inds: list
    reason_header: str
    total_score: object
    conclusion: str | None
    notes: tuple = ()
    funds_weight: object = D(10)
    total_weight: object = D(100)
    total_label: str = "总  分"
    seal: str = "单位（盖章）："
    conclusion_label: str = "自评结论"
    problems: str | None = None  # Sichuan 存在问题
    measures: str | None = None  # Sichuan 改进措施


# ==========================================================================
# Arithmetic (Decimal) — used to verify the clean files and to state the
# expected values of the defective ones in the README.

OPS_POS = ("≥", "≧", ">=", "＞", ">", "不低于", "不少于", "达到")
OPS_NEG = ("≤", "≦", "<=", "＜", "<", "不高于", "不超过")
VAGUE = ("不断提升", "有效提升", "逐步改善", "明显提升", "持续提升")


def num(v) -> Decimal | None:
    """A number out of a cell value (Decimal, int, '3分', '1,296.48', '97.52%')."""
    if v is None:
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, (int, float)):
        return D(str(v))
    s = str(v).strip().replace(",", "").replace("，", "")
    m = re.search(r"-?\d+(?:\.\d+)?", s)
    if not m:
        return None
    d = D(m.group(0))
    if s.endswith("%"):
        d = d / 100
    return d


def parse_target(t) -> tuple[str, Decimal | None, str]:
    """-> (direction pos|neg|eq|qual, value, unit-ish rest)."""
    s = str(t).strip()
    direction = "pos"
    for op in OPS_NEG:
        if s.startswith(op):
            return "neg", _lead_num(s[len(op):]), s
    for op in OPS_POS:
        if s.startswith(op):
            return "pos", _lead_num(s[len(op):]), s
    if s.startswith(("=", "＝", "═")):
        return "eq", _lead_num(s[1:]), s
    v = _lead_num(s)
    if v is None or re.search(r"\d{4}年|月|日", s):
        return "qual", None, s
    return direction, v, s


def _lead_num(s: str) -> Decimal | None:
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)", s.replace(",", ""))
    return D(m.group(1)) if m else None


def actual_num(v) -> Decimal | None:
    """The number in an 实际完成值 cell, '%' kept as written (85.5% -> 85.5)."""
    if isinstance(v, (Decimal, int, float)):
        return D(str(v))
    if v is None:
        return None
    return _lead_num(re.sub(r"^[^\d-]*", "", str(v)))


def expected_score(ind: Ind) -> Decimal | None:
    """The formula score of a quantitative row; None for qualitative rows."""
    w = num(ind.weight)
    if w is None:
        return None
    if ind.nature is not None:  # Sichuan: the sign is in its own column
        if ind.nature == "定性":
            return None
        direction = {"≥": "pos", "≤": "neg", "=": "eq"}[ind.nature]
        a, b = num(ind.target), num(ind.actual)
    else:
        direction, a, _ = parse_target(ind.target)
        if direction == "qual":
            return None
        b = actual_num(ind.actual)
    if a is None or b is None:
        return None
    if direction == "neg":
        ratio = D(1) if b == 0 else a / b
    else:
        ratio = b / a
    return min(ratio, D(1)) * w


def grade(total: Decimal) -> str:
    if total >= 90:
        return "优秀"
    if total >= 80:
        return "良好"
    if total >= 60:
        return "中"
    return "差"


def q(d: Decimal, places: int = 2) -> Decimal:
    return d.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_d(d) -> str:
    """Decimal without trailing zeros: 94.7520 -> 94.752."""
    if d is None:
        return "(empty)"
    d = D(d)
    s = format(d.normalize(), "f")
    return s


def form_sums(form: Form) -> dict:
    """Sums as written (stated scores) and with every score corrected."""
    stated = sum((num(i.score) or D(0)) for i in form.inds)
    budget = num(form.funds[0].budget)
    executed = num(form.funds[0].executed)
    rate = executed / budget if budget else D(0)
    budget_ok = min(rate, D(1)) * num(form.funds_weight)
    corrected = D(0)
    for i in form.inds:
        e = expected_score(i)
        s = num(i.score)
        w = num(i.weight) or D(0)
        if e is not None:
            corrected += e
        elif s is None:
            corrected += w
        else:
            corrected += min(s, w)
    by_l1: dict[str, Decimal] = {}
    for i in form.inds:
        by_l1[i.l1] = by_l1.get(i.l1, D(0)) + (num(i.weight) or D(0))
    return {
        "stated_rows": stated,
        "rate": rate,
        "budget_score": budget_ok,
        "stated_budget": num(form.budget_score),
        "total_from_stated": stated + (num(form.budget_score) or D(0)),
        "total_corrected": corrected + budget_ok,
        "weights_by_l1": by_l1,
        "weights_total": sum(by_l1.values()) + num(form.funds_weight),
    }


def verify_clean(form: Form, name: str, allow: tuple = ()) -> Decimal:
    """Assert a form has no defect a checker should find; return its 总分."""
    problems = []
    w_by = form_sums(form)["weights_by_l1"]
    expect_w = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    for k, v in expect_w.items():
        if w_by.get(k) != v:
            problems.append(f"weights {k} = {w_by.get(k)}")
    if form_sums(form)["weights_total"] != 100:
        problems.append("weights total")
    for n, i in enumerate(form.inds):
        w, s = num(i.weight), num(i.score)
        e = expected_score(i)
        if s is None or w is None:
            problems.append(f"row {n} empty")
            continue
        if s > w:
            problems.append(f"row {n} score > weight")
        if e is not None and s != e:
            problems.append(f"row {n} score {s} != formula {e}")
        if s < w and not i.reason:
            problems.append(f"row {n} deduction without reason")
        if e is None and s < w * D("0.8"):
            problems.append(f"row {n} qualitative below top tier")
        if any(v in str(i.target) for v in VAGUE):
            problems.append(f"row {n} vague target")
        if i.l2.startswith("成本") and (str(i.target).startswith(("≥", "≧", ">")) or i.nature == "≥"):
            problems.append(f"row {n} cost with ≥")
        tgt = str(i.target)
        if i.nature is None and tgt.endswith("%"):
            a = _lead_num(re.sub(r"^[^\d]*", "", tgt))
            if a is not None and a > 100:
                problems.append(f"row {n} % target > 100")
        if e is not None:
            if i.nature is not None:
                direction = {"≥": "pos", "≤": "neg", "=": "eq"}[i.nature]
                a, b = num(i.target), num(i.actual)
            else:
                direction, a, _ = parse_target(i.target)
                b = actual_num(i.actual)
            if a and b:
                over = (a / b) if direction == "neg" else (b / a)
                if over >= D("1.2") and not i.reason:
                    problems.append(f"row {n} over-achievement {over:.2f} without explanation")
    f = form.funds
    for col in ("initial", "budget", "executed"):
        tot = num(getattr(f[0], col))
        parts = sum(num(getattr(x, col)) for x in f[1:])
        if tot != parts:
            problems.append(f"funds {col} total {tot} != parts {parts}")
    for x in f[1:]:
        if num(x.executed) > num(x.budget):
            problems.append(f"funds {x.label} executed > budget")
    sums = form_sums(form)
    if num(form.rate) != sums["rate"]:
        problems.append(f"rate {form.rate} != {sums['rate']}")
    if num(form.budget_score) != sums["budget_score"]:
        problems.append(f"budget score {form.budget_score} != {sums['budget_score']}")
    total = sums["total_from_stated"]
    if num(form.total_score) != total:
        problems.append(f"total {form.total_score} != {total}")
    if form.conclusion is not None:
        g = grade(total)
        if not str(form.conclusion).startswith(g[0]):
            problems.append(f"conclusion {form.conclusion} != {g}")
    problems = [p for p in problems if not any(p.startswith(a) for a in allow)]
    if problems:
        raise AssertionError(f"{name}: not clean: " + "; ".join(problems))
    return total


# ==========================================================================
# A sheet as a grid of cells, rendered by openpyxl or xlsxwriter


@dataclass
class Cell:
    value: object = None
    style: str = "text"
    formula: str | None = None  # without '='
    cached: object = None
    numfmt: str | None = None


STYLES = {
    # name: (bold, size, halign, border, wrap, font)
    "attach": (False, 12, "left", False, False, "黑体"),
    "title": (True, 18, "center", False, True, "宋体"),
    "sub": (False, 12, "center", False, False, "宋体"),
    "plain": (False, 11, "left", False, False, "宋体"),
    "plainr": (False, 11, "right", False, False, "宋体"),
    "head": (True, 10, "center", True, True, "宋体"),
    "label": (False, 10, "center", True, True, "宋体"),
    "text": (False, 10, "left", True, True, "宋体"),
    "center": (False, 10, "center", True, True, "宋体"),
    "note": (False, 9, "left", False, True, "宋体"),
    "data": (False, 11, "general", False, False, "宋体"),
    "datah": (True, 11, "center", True, False, "宋体"),
    "datab": (False, 11, "general", True, False, "宋体"),
}


class Grid:
    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], Cell] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.refs: dict[str, tuple[int, int]] = {}

    def put(self, r, c, value=None, style="text", *, formula=None, cached=None, numfmt=None, ref=None):
        if value == "":
            value = None
        self.cells[(r, c)] = Cell(value, style, formula, cached, numfmt)
        if ref:
            self.refs[ref] = (r, c)

    def merge(self, r1, c1, r2, c2, value=None, style="text", **kw):
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self.cells[(r, c)] = Cell(None, style)
        self.put(r1, c1, value, style, **kw)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def a1(self, key: str) -> str:
        r, c = self.refs[key]
        return f"{col_letter(c)}{r}"

    @property
    def max_row(self):
        return max(r for r, _ in self.cells)

    def autoheight(self, default=18.0):
        """Estimate row heights for wrapped Chinese text (Excel does not)."""
        spans = {}
        for r1, c1, r2, c2 in self.merges:
            spans[(r1, c1)] = (r2 - r1 + 1, sum(self.widths.get(c, 9) for c in range(c1, c2 + 1)))
        need: dict[int, float] = {}
        for (r, c), cell in self.cells.items():
            text = cell.value if isinstance(cell.value, str) else ""
            if not text:
                continue
            nrows, width = spans.get((r, c), (1, self.widths.get(c, 9)))
            size = STYLES[cell.style][1]
            per_line = max(1.0, width * 1.05 * 10 / size)
            lines = 0
            for part in text.split("\n"):
                units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
                lines += max(1, math.ceil(units / per_line))
            h = lines * size * 1.45 + 5
            h = h / nrows
            need[r] = max(need.get(r, default), h)
        for r, h in need.items():
            self.heights.setdefault(r, round(min(h, 400), 1))


def col_letter(c: int) -> str:
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def _val(v):
    if isinstance(v, Decimal):
        f = float(v)
        return int(f) if f == int(f) and v == v.to_integral_value() else f
    return v


def render_openpyxl(wb, grid: Grid, ws=None):
    from openpyxl.styles import Alignment, Border, Font, Side

    ws = ws or wb.create_sheet(grid.name)
    thin = Side(style="thin", color="000000")
    cache = {}
    for (r, c), cell in sorted(grid.cells.items()):
        bold, size, halign, border, wrap, font = STYLES[cell.style]
        x = ws.cell(row=r, column=c)
        if cell.formula is not None:
            x.value = "=" + cell.formula
        elif cell.value is not None:
            x.value = _val(cell.value)
            if isinstance(cell.value, str):
                x.data_type = "s"  # "=100%" is text the clerk typed, not a formula
        key = cell.style
        if key not in cache:
            cache[key] = (
                Font(name=font, size=size, bold=bold),
                Alignment(horizontal=None if halign == "general" else halign, vertical="center", wrap_text=wrap),
                Border(left=thin, right=thin, top=thin, bottom=thin) if border else Border(),
            )
        x.font, x.alignment, x.border = cache[key]
        if cell.numfmt:
            x.number_format = cell.numfmt
    for r1, c1, r2, c2 in grid.merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for c, w in grid.widths.items():
        ws.column_dimensions[col_letter(c)].width = w
    for r, h in grid.heights.items():
        ws.row_dimensions[r].height = h
    ws.page_setup.paperSize = 9
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    return ws


class XlsxwriterFormats:
    def __init__(self, wb):
        self.wb = wb
        self.cache = {}

    def get(self, style: str, numfmt: str | None = None):
        key = (style, numfmt)
        if key not in self.cache:
            bold, size, halign, border, wrap, font = STYLES[style]
            props = {"font_name": font, "font_size": size, "bold": bold, "valign": "vcenter", "text_wrap": wrap}
            if halign != "general":
                props["align"] = halign
            if border:
                props["border"] = 1
            if numfmt:
                props["num_format"] = numfmt
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def render_xlsxwriter(wb, grid: Grid, fmts: XlsxwriterFormats, ws=None):
    ws = ws or wb.add_worksheet(grid.name)
    merged_first = {(m[0], m[1]): m for m in grid.merges}
    covered = set()
    for r1, c1, r2, c2 in grid.merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                covered.add((r, c))
    for (r, c), cell in sorted(grid.cells.items()):
        f = fmts.get(cell.style, cell.numfmt)
        if (r, c) in merged_first:
            r1, c1, r2, c2 = merged_first[(r, c)]
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", f)
            if cell.formula:
                ws.write_formula(r - 1, c - 1, "=" + cell.formula, f, _val(cell.cached))
            elif isinstance(cell.value, str):
                ws.write_string(r - 1, c - 1, cell.value, f)
            elif cell.value is not None:
                ws.write_number(r - 1, c - 1, _val(cell.value), f)
            continue
        if (r, c) in covered:
            continue
        if cell.formula:
            ws.write_formula(r - 1, c - 1, "=" + cell.formula, f, _val(cell.cached))
        elif cell.value is None:
            ws.write_blank(r - 1, c - 1, None, f)
        elif isinstance(cell.value, str):
            ws.write_string(r - 1, c - 1, cell.value, f)  # never a formula, even "=100%"
        else:
            ws.write_number(r - 1, c - 1, _val(cell.value), f)
    for c, w in grid.widths.items():
        ws.set_column(c - 1, c - 1, w)
    for r, h in grid.heights.items():
        ws.set_row(r - 1, h)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return ws


# ==========================================================================
# The official layout (附件3-1 / 附件3-2): columns A..I
#   A vertical block label | B 一级 | C 二级 | D 三级 | E 指标值 | F 完成值 |
#   G 分值 | H 得分 | I 原因
# funds block: A label | B:C 资金来源 | D 年初 | E 全年预算 | F 全年执行 |
#   G 分值 | H 执行率 | I 得分

FUNDS_KEYS_DEPT = ("total", "basic", "project", "other")
FUNDS_KEYS_PROJ = ("total", "fiscal", "carryover", "other")


@dataclass
class Style:
    """Presentation choices of one submission (headers, merges, offsets)."""

    r0: int = 0  # row offset (form starts at row r0+1)
    c0: int = 0  # column offset
    merge_l1: bool = True
    merge_l2: bool = True
    funds_headers: tuple = ("资金来源", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率", "得分")
    ind_headers: tuple = ("一级指标", "二级指标", "三级指标", "年度指标值（A）", "实际完成值（B）", "分值", "得分")
    name_label: str = "部门（单位）名称"
    goal_label: str = "年度总体目标"
    goal_cols: tuple = ("预期目标", "实际完成情况")
    ind_block_label: str = "绩效指标"
    blank_rows_before: tuple = ()  # indicator indexes before which a blank row is left
    rate_fmt: str = "0.00%"
    money_fmt: str = "0.00"
    total_weight_col_merge: bool = True


def layout_official(form: Form, st: Style | None = None, name: str | None = None, *,
                    formulas: str | None = None) -> Grid:
    """formulas: None (static values), 'cached' (formula + cached value), 'bare' (formula only)."""
    st = st or Style()
    g = Grid(name or form.attachment)
    R, C = st.r0, st.c0

    def col(i):
        return C + i

    widths = [7, 11, 9, 30, 14, 14, 7, 8, 24]
    for i, w in enumerate(widths, 1):
        g.widths[col(i)] = w
    proj = form.kind == "project"
    r = R + 1
    g.put(r, col(1), form.attachment, "attach")
    r += 1
    g.merge(r, col(1), r, col(9), form.title, "title")
    g.heights[r] = 36
    r += 1
    g.merge(r, col(1), r, col(9), f"（{form.year}年度）", "sub", ref="year")
    r += 1
    g.merge(r, col(1), r, col(4), form.date, "plain", ref="date")
    g.merge(r, col(5), r, col(9), form.seal, "plain", ref="seal")
    r += 1
    # header fields
    if not proj:
        g.merge(r, col(1), r, col(3), st.name_label, "label")
        g.merge(r, col(4), r, col(9), form.header[0][1], "text", ref="unit")
        r += 1
    else:
        (l1, v1), (l2, v2), (l3, v3) = form.header
        g.merge(r, col(1), r, col(3), l1, "label")
        g.merge(r, col(4), r, col(9), v1, "text", ref="project")
        r += 1
        g.merge(r, col(1), r, col(3), l2, "label")
        g.merge(r, col(4), r, col(5), v2, "text", ref="authority")
        g.merge(r, col(6), r, col(7), l3, "label")
        g.merge(r, col(8), r, col(9), v3, "text", ref="implementer")
        r += 1
    # funds block
    keys = FUNDS_KEYS_PROJ if proj else FUNDS_KEYS_DEPT
    top = r
    g.merge(r, col(1), r + len(form.funds), col(1), form.funds_label, "label", ref="funds.label")
    h = st.funds_headers
    g.merge(r, col(2), r, col(3), h[0], "head")
    for i, text in enumerate(h[1:]):
        g.put(r, col(4 + i), text, "head")
    r += 1
    for key, f in zip(keys, form.funds):
        g.merge(r, col(2), r, col(3), f.label, "text" if key != "total" else "label", ref=f"funds.{key}.label")
        for j, attr in enumerate(("initial", "budget", "executed")):
            v = getattr(f, attr)
            g.put(r, col(4 + j), v, "center", numfmt=st.money_fmt if isinstance(v, (Decimal, int)) else None,
                  ref=f"funds.{key}.{attr}")
        if key == "total":
            bud, exe = f"{col_letter(col(5))}{r}", f"{col_letter(col(6))}{r}"
            rate_cell = f"{col_letter(col(8))}{r}"
            g.put(r, col(7), form.funds_weight, "center", ref="funds.total.weight")
            if formulas and isinstance(form.rate, Decimal) and num(form.rate) is not None:
                g.put(r, col(8), None, "center", formula=f"{exe}/{bud}",
                      cached=form.rate if formulas == "cached" else None, numfmt=st.rate_fmt, ref="funds.total.rate")
                g.put(r, col(9), None, "center", formula=f"ROUND({rate_cell}*{col_letter(col(7))}{r},2)",
                      cached=form.budget_score if formulas == "cached" else None, ref="funds.total.score")
            else:
                g.put(r, col(8), form.rate, "center", numfmt=st.rate_fmt if isinstance(form.rate, Decimal) else None,
                      ref="funds.total.rate")
                g.put(r, col(9), form.budget_score, "center", ref="funds.total.score")
        else:
            for j in range(3):
                g.put(r, col(7 + j), "—", "center")
        r += 1
    assert r == top + len(form.funds) + 1
    # goals
    g.merge(r, col(1), r + 1, col(1), st.goal_label, "label")
    g.merge(r, col(2), r, col(6), st.goal_cols[0], "head")
    g.merge(r, col(7), r, col(9), st.goal_cols[1], "head")
    r += 1
    g.merge(r, col(2), r, col(6), form.goal_expected, "text", ref="goal.expected")
    g.merge(r, col(7), r, col(9), form.goal_actual, "text", ref="goal.actual")
    r += 1
    # indicator table
    ind_top = r
    hdr = (*st.ind_headers, form.reason_header)
    for i, text in enumerate(hdr):
        g.put(r, col(2 + i), text, "head")
    r += 1
    first = r
    rows = []
    for n, ind in enumerate(form.inds):
        if n in st.blank_rows_before:
            for i in range(8):
                g.put(r, col(2 + i), None, "center")
            r += 1
        rows.append(r)
        g.put(r, col(2), form.l1_labels.get(ind.l1, ind.l1), "label", ref=f"ind.{n}.l1")
        g.put(r, col(3), ind.l2, "label", ref=f"ind.{n}.l2")
        g.put(r, col(4), ind.l3, "text", ref=f"ind.{n}.l3")
        g.put(r, col(5), ind.target, "center", ref=f"ind.{n}.target")
        g.put(r, col(6), ind.actual, "center", ref=f"ind.{n}.actual")
        g.put(r, col(7), ind.weight, "center", ref=f"ind.{n}.weight")
        g.put(r, col(8), ind.score, "center", ref=f"ind.{n}.score")
        g.put(r, col(9), ind.reason or None, "text", ref=f"ind.{n}.reason")
        r += 1
    last = r - 1
    g.merge(ind_top, col(1), last, col(1), st.ind_block_label, "label", ref="ind.label")
    # vertical merges of 一级 / 二级 over consecutive equal values
    for level, c, do in ((0, 2, st.merge_l1), (1, 3, st.merge_l2)):
        if not do:
            continue
        n = 0
        while n < len(form.inds):
            key = (form.inds[n].l1, form.inds[n].l2)[: level + 1]
            m = n
            while m + 1 < len(form.inds) and (form.inds[m + 1].l1, form.inds[m + 1].l2)[: level + 1] == key \
                    and rows[m + 1] == rows[m] + 1:
                m += 1
            if m > n:
                g.merge(rows[n], col(c), rows[m], col(c), g.cells[(rows[n], col(c))].value, "label",
                        ref=f"ind.{n}.{('l1', 'l2')[level]}")
            n = m + 1
    # total
    g.merge(r, col(1), r, col(6), form.total_label, "label", ref="total.label")
    g.put(r, col(7), form.total_weight, "center", ref="total.weight")
    if formulas:
        score_col = col_letter(col(8))
        g.put(r, col(8), None, "center",
              formula=f"SUM({score_col}{first}:{score_col}{last})+{g.a1('funds.total.score')}",
              cached=form.total_score if formulas == "cached" else None, ref="total.score")
    else:
        g.put(r, col(8), form.total_score, "center", ref="total.score")
    g.put(r, col(9), None, "center")
    r += 1
    if form.conclusion is not None:
        g.merge(r, col(1), r, col(3), form.conclusion_label, "label", ref="conclusion.label")
        g.merge(r, col(4), r, col(9), form.conclusion, "text", ref="conclusion")
        r += 1
    for note in form.notes:
        g.merge(r, col(1), r, col(9), note, "note")
        r += 1
    g.refs["ind.first"] = (first, col(2))
    g.refs["ind.last"] = (last, col(2))
    g.autoheight()
    return g


# ==========================================================================
# Packaging helpers: deterministic zips, LibreOffice conversion


def normalize_package(path: Path) -> None:
    """Fixed zip timestamps and fixed dcterms dates (deterministic output)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?", b"2024-02-11T09:30:00Z", data)
            if info.filename == "docProps/app.xml":
                data = re.sub(rb"<TotalTime>\d+</TotalTime>", b"<TotalTime>0</TotalTime>", data)
            zi = zipfile.ZipInfo(info.filename, ZIP_DT)
            zi.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)
    path.write_bytes(buf.getvalue())


_LO_PROFILE: Path | None = None


def soffice_convert(src: Path, target: str, dest: Path) -> None:
    """Convert with LibreOffice from a temp folder (as a clerk's resave would)."""
    global _LO_PROFILE
    if _LO_PROFILE is None:
        _LO_PROFILE = Path(tempfile.mkdtemp(prefix="mksamples_lo_"))
    ext = target.split(":")[0]
    with tempfile.TemporaryDirectory(prefix="mksamples_") as td:
        tdp = Path(td)
        inp = tdp / ("in" + src.suffix)
        shutil.copy(src, inp)
        cmd = [
            "soffice", f"-env:UserInstallation=file://{_LO_PROFILE}", "--headless", "--norestore",
            "--convert-to", target, "--outdir", str(tdp / "out"), str(inp),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300, cwd=td)
        res = tdp / "out" / f"in.{ext}"
        if not res.exists():
            raise RuntimeError(f"LibreOffice produced nothing for {src.name} -> {target}")
        shutil.move(str(res), dest)


def openpyxl_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    p = wb.properties
    p.creator = AUTHOR
    p.lastModifiedBy = AUTHOR
    p.created = FIXED_DT
    p.modified = FIXED_DT
    return wb


def save_openpyxl(wb, path: Path) -> None:
    wb.save(path)
    normalize_package(path)


def xlsxwriter_workbook(path: Path, **opts):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), opts)
    wb.set_properties({"author": AUTHOR, "created": FIXED_DT, "company": ""})
    return wb


# ==========================================================================
# README bookkeeping


@dataclass
class Sample:
    file: str
    made: str
    case: str
    defects: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # key cells (for tests)
    notes: list = field(default_factory=list)


SAMPLES: dict[str, Sample] = {}


def ref(g: Grid, key: str, sheet: str | None = None) -> str:
    return f"{sheet or g.name}!{g.a1(key)}"


def key_cells(g: Grid, form: Form, sums: dict | None = None, sheet: str | None = None) -> list[str]:
    sums = sums or form_sums(form)
    out = []
    if "unit" in g.refs:
        out.append(f"{ref(g, 'unit', sheet)} 单位名称 = {form.header[0][1]}")
    if "project" in g.refs:
        out.append(f"{ref(g, 'project', sheet)} 项目名称 = {form.header[0][1]}")
    out.append(
        f"funds total row: 全年预算数 {ref(g, 'funds.total.budget', sheet)} = {fmt_d(num(form.funds[0].budget))}, "
        f"执行数 {ref(g, 'funds.total.executed', sheet)} = {fmt_d(num(form.funds[0].executed))}, "
        f"执行率 {ref(g, 'funds.total.rate', sheet)}, 得分 {ref(g, 'funds.total.score', sheet)}; "
        f"true rate {fmt_d(q(sums['rate'], 6))}, budget score {fmt_d(q(sums['budget_score'], 4))}"
    )
    out.append(
        f"indicator rows {g.refs['ind.first'][0]}–{g.refs['ind.last'][0]} "
        f"({len(form.inds)} 三级 rows); 总分 {ref(g, 'total.score', sheet)}"
        + (f"; 结论 {ref(g, 'conclusion', sheet)}" if "conclusion" in g.refs else "")
    )
    return out


def write_readme():
    lines = [
        "# sample_workbooks — realistic filled 绩效自评表 submissions",
        "",
        "Generated by `python tools/make_samples.py` (deterministic: fixed document",
        "properties and zip timestamps; the .xls is LibreOffice's output, not normalised).",
        "Do not edit the workbooks by hand — change the generator and rerun it.",
        "",
        "Arithmetic used below (docs/domain.md): quantitative ≥/bare/= target: score = min(B/A,1)×分值;",
        "≤ target: min(A/B,1)×分值; qualitative: any score in the top tier (≥80% of 分值), a",
        "deduction needs a reason; 执行率 = 全年执行数/全年预算数; budget 得分 = min(rate,1)×10;",
        "总分 = Σ 三级得分 + budget 得分; 结论 ≥90 优秀, ≥80 良好, ≥60 中, else 差.",
        "\"computed from stated\" = the sum of the scores as written in the file;",
        "\"fully corrected\" = every score replaced by its correct value (formula score,",
        "capped at 分值, empty cell = full marks for an achieved row).",
        "",
        "Cell references are `sheet!A1` in the file as saved (LibreOffice resaving keeps them).",
        "",
    ]
    for key in sorted(SAMPLES):
        s = SAMPLES[key]
        lines += [f"## `{s.file}`", "", f"- **Made with:** {s.made}", f"- **Case:** {s.case}"]
        for n in s.notes:
            lines.append(f"- {n}")
        if s.cells:
            lines.append("- **Key cells:**")
            lines += [f"  - {c}" for c in s.cells]
        if s.defects:
            lines.append("- **Deliberate defects:**")
            lines += [f"  {i}. {d}" for i, d in enumerate(s.defects, 1)]
        else:
            lines.append("- **Deliberate defects:** none — a checker should report no finding.")
        lines.append("")
    (OUT / "README.md").write_text("\n".join(lines), encoding="utf-8")


# ==========================================================================
# 01 — the seed, as submitted

SEED_GOAL = (
    "1. 加大与中央有关部门联系力度，协助做好与有关部委的联系工作。 "
    "2. 加强与北京及上海有关部门的联络，争取到北京、上海地区相关部门对我州经济社会发展的支持。 "
    "3. 加强在京、沪的黔籍人士、曾在黔南工作过的同志及关心黔南发展的各界人士的联络工作。 "
    "4. 配合做好“黔货出山”工作，发挥“窗口”作用，宣传黔南形象。 "
    "5. 为我州基层组织、社会组织和群众在北京、上海活动提供相关服务；协助流入地党组织做好负责区域内流动党员的教育管理服务工作。 "
    "6. 配合十二县(市)及州直部门单位做好京、沪重大经济技术合作、招商引资和重点人才、技术招引的牵线搭桥、信息反馈。 "
    "7. 协助做好我州劳务输出工作。 "
    "8. 帮好州领导及相关部门在京、沪办理公务、召开和举办各类会议、活动组织、协调和后勤服务工作。 "
    "9. 及时准确地搜集京津冀及长三角等地区值得借鉴的先进经验、举措、动态和经济、市场、科技信息，为州委、州政府科学决策提供信息服务。 "
    "10. 配合国家信访部门和首都各级公安部门、州内各县(市)、各等部门做好我州驻京信访维稳工作。 "
    "11. 完成州委州政府及上级安排的其他工作。"
)


def seed_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    qd = "按期保质完成"
    inds = [
        Ind(P, "数量", "协助做好与有关部委的联络工作", qd, qd, 1, 1),
        Ind(P, "数量", "做好与京沪当地党政机关的联络工作", qd, qd, 1, 1),
        Ind(P, "数量", "做好在京、沪的黔籍人士、曾在黔南工作过的同志及关心黔南发展的各界人士的联络工作", qd, qd, 2, 2),
        Ind(P, "数量", "配合做好“黔货出山”工作，发挥“窗口”作用", qd, qd, 3, 3),
        Ind(P, "数量", "为我州基层组织、社会组织和群众在北京、上海活动提供相关服务；协助流入地党组织做好负责区域内流动党员的教育管理服务工作", "≥5次", "25次", 3, 3),
        Ind(P, "数量", "配合十二县(市)及州直部门单位做好京、沪重大经济技术合作、招商引资和重点人才、协助做好我州劳务输出工作。", "≥5次", "41次", 5, 5),
        Ind(P, "数量", "做好州领导及相关部门在京沪办理公务、召开和举办各类会议、活动组织、协调和后勤服务工作", qd, qd, 3, 3),
        Ind(P, "数量", "及时准确地搜集京津冀及长三角等地区值得借鉴的先进经验、举措、动态和经济、市场、科技信息，为州委、州政府科学决策提供信息服务", "≥5次", "46次", 3, 3),
        Ind(P, "数量", "配合国家信访部门和首都各级公安部门、州内各县(市)、各部门做好我州驻京信访维稳工作", "12篇/年", "79篇", 3, 3),
        Ind(P, "质量", "开展项目个数", "365天", "365天", 3, 3),
        Ind(P, "质量", "完成州委州政府及上级安排的其他工作", qd, qd, 5, 5),
        Ind(P, "质量", "全单位工作任务完成情况", "优秀", "优秀", 5, 5),
        Ind(P, "时效", None, "2023年12月31日前", qd, 5, 5),
        Ind(P, "成本", "本单位2023总工作经费", "≤777.68万元", D("777.68"), 5, 5),
        Ind(B, "经济效益", "严控“三公”经费变动率，节支增效。助推黔南人才引进，争取对我州经济发展的支持，总结新兴产业思路。将企业引到黔南投资，壮大黔南经济实力，助推黔南经济增长。", "不断提升", "不断提升", 10, 9),
        Ind(B, "社会效益", "保社会稳定，提高行政效率；发挥“窗口”作用，扩大黔南影响力，提高黔南知名度，打造和谐共赢的发展环境，为黔南提供更多的就业岗位，解决", "不断提升", "不断提升", 10, 9),
        Ind(B, "可持续影响", "保持与中央国家机关各部委及社会各界的联系，宣传黔南经济社会、民族文化、风土人情、旅游景观、气候生态、投资环境、优惠政策等情况，长期保持我州与京沪地区的良好沟", "不断提升", "不断提升", 10, 10),
        Ind(S, "服务对象满意度", "满意度", "99%", "99%", 10, 10),
    ]
    return Form(
        kind="department", year=2023, attachment="附件3-1", title="部门整体支出绩效目标自评表",
        date="填报日期：20240211", header=[("部门(单位)名称", "贵州省黔南布依族苗族自治州人民政府驻北京联络处")],
        funds_label="部门(单位)总体资金(万元)",
        funds=[
            Fund("年度资金总额:", D("777.68"), D("777.68"), D("758.37")),
            Fund("基本支出", D("299.89"), D("299.89"), D("280.58")),
            Fund("项目支出", D("477.79"), D("477.79"), D("477.79")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.9752"), budget_score=D("9.752"),
        goal_expected=SEED_GOAL, goal_actual="按时保质完成预期目标",
        l1_labels={P: "产出指标(50分)", B: "效益指标(30分)", S: "满意度指标(10分)"},
        inds=inds, reason_header="未完成原因分析", total_score=D("97.752"), conclusion="优秀",
        notes=NOTES_DEPARTMENT, total_label="总 分", seal="单位(盖章)",
    )


SEED_STYLE = Style(
    funds_headers=("资金来源", "年初预算数", "全年预算数(A)", "全年执行数(B)", "分值", "执行率", "得分"),
    ind_headers=("一级指标", "二级指标", "三级指标", "年度指标值(A)", "实际完成值(B)", "分值", "得分"),
    name_label="部门(单位)名称",
)


def make_01():
    form = seed_form()
    fn = "01_黔南州驻京联络处_2023部门整体支出绩效自评表.xlsx"
    g = layout_official(form, SEED_STYLE, "附件3-1")
    wb = openpyxl_workbook()
    render_openpyxl(wb, g)
    with tempfile.TemporaryDirectory() as td:
        raw = Path(td) / "raw.xlsx"
        save_openpyxl(wb, raw)
        soffice_convert(raw, "xlsx", OUT / fn)
    normalize_package(OUT / fn)
    s = form_sums(form)
    rows = {n: g.refs[f"ind.{n}.score"][0] for n in range(len(form.inds))}
    out_rows = [n for n, i in enumerate(form.inds) if i.l1 == "产出指标"]
    assert s["weights_by_l1"]["产出指标"] == 47 and s["weights_total"] == 97
    assert s["total_from_stated"] == D("94.752")
    defects = [
        f"{ref(g, 'ind.0.l1')} (一级 label 产出指标(50分), merged over rows {rows[out_rows[0]]}–{rows[out_rows[-1]]}): "
        f"the 产出 分值 {ref(g, 'ind.0.weight')}:G{rows[out_rows[-1]]} add up to 47, not 50.",
        f"{ref(g, 'total.weight')}: 总分 分值 stated 100, but the 三级 分值 add up to 87 "
        f"(产出 47 + 效益 30 + 满意度 10) + budget 10 = 97.",
        f"{ref(g, 'total.score')}: 总分 stated 97.752, computed 94.752 "
        f"(三级 scores 47 + 28 + 10 = 85, + budget 9.752).",
        f"{ref(g, 'ind.14.score')} and {ref(g, 'ind.15.score')}: 经济效益 / 社会效益 scored 9 of 10 with no reason "
        f"({ref(g, 'ind.14.reason')}, {ref(g, 'ind.15.reason')} empty).",
        f"{ref(g, 'ind.14.target')}, {ref(g, 'ind.15.target')}, {ref(g, 'ind.16.target')}: vague target 不断提升 "
        f"(actual 不断提升) on all three 效益 rows.",
        f"Over-achievement without explanation (reason cells empty): {ref(g, 'ind.4.target')} ≥5次 → 25次 (×5), "
        f"{ref(g, 'ind.5.target')} ≥5次 → 41次 (×8.2), {ref(g, 'ind.7.target')} ≥5次 → 46次 (×9.2), "
        f"{ref(g, 'ind.8.target')} 12篇/年 → 79篇 (×6.58).",
        f"{ref(g, 'ind.12.l3')}: the 时效 row has no 三级指标 name (empty, as in the seed PDF).",
    ]
    notes = [
        f"Budget: {ref(g, 'funds.total.rate')} 执行率 97.52% (758.37/777.68 = 0.975157… rounded), "
        f"{ref(g, 'funds.total.score')} 得分 9.752 = rounded rate × 10 (unrounded 9.7516; a checker should accept "
        "either, this is how the seed computes it — not a defect).",
        "年度资金总额 = 基本支出 + 项目支出 + 其他资金 in all three columns (777.68 / 777.68 / 758.37). "
        "结论 优秀 agrees with the computed 94.752.",
        "Values are static (typed, no formulas). One sheet `附件3-1`; 一级 and 二级 merged vertically, "
        "the four notes at the bottom. Half-width brackets as in the seed text (部门(单位)名称, 全年预算数(A), "
        "产出指标(50分)), the total funds label is `年度资金总额:` (with a colon), the total label `总 分`.",
    ]
    SAMPLES["01"] = Sample(fn, "openpyxl (static values), then resaved by LibreOffice (`soffice --convert-to xlsx`)",
                           "the real seed form (黔南州驻京联络处, 2023) exactly as submitted, errors included",
                           defects, key_cells(g, form, s), notes)


# ==========================================================================
# 02 — clean department form, xlsxwriter with cached formulas


def caizheng_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量", "编制年度财政预决算报告", "≥2份", "2份", D(5), D(5)),
        Ind(P, "数量", "开展预算绩效运行监控项目数", "≥120个", "126个", D(5), D(5)),
        Ind(P, "数量", "组织财政业务培训", "≥6次", "6次", D(5), D(5)),
        Ind(P, "数量", "开展财会监督检查", "≥10次", "9次", D(5), D("4.5"),
            "1次检查因人员抽调参加县委巡察推迟至2025年一季度开展；下一步合理安排检查计划，确保按期完成。"),
        Ind(P, "质量", "部门预决算公开率", "=100%", "100%", D(5), D(5)),
        Ind(P, "质量", "政府采购执行合规率", "≥98%", "98.5%", D(5), D(5)),
        Ind(P, "质量", "财政资金支付差错率", "≤0.5%", "0.45%", D(5), D(5)),
        Ind(P, "时效", "预算批复及时性", "人代会批准后20日内批复", "按期完成", D(5), D(5)),
        Ind(P, "时效", "月度财政收支报表报送", "每月10日前报送", "按期完成", D(5), D(5)),
        Ind(P, "成本", "部门运行经费控制", "≤620万元", "612.36万元", D(5), D(5)),
        Ind(B, "经济效益", "一般公共预算收入完成率", "≥100%", "101.2%", D(10), D(10)),
        Ind(B, "社会效益", "民生支出占一般公共预算支出比重", "≥75%", "78.6%", D(10), D(10)),
        Ind(B, "可持续影响", "预算绩效管理覆盖率", "=100%", "100%", D(10), D(10)),
        Ind(S, "服务对象满意度", "预算单位满意度", "≥90%", "93%", D(5), D(5)),
        Ind(S, "服务对象满意度", "社会公众满意度", "≥90%", "85.5%", D(5), D("4.75"),
            "部分群众对惠民惠农补贴发放进度了解不够；下一步加大“一卡通”政策宣传，畅通查询渠道。"),
    ]
    form = Form(
        kind="department", year=2024, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期：2025年2月20日", header=[("部门（单位）名称", "某县财政局")],
        funds_label="部门（单位）总体资金（万元）",
        funds=[
            Fund("年度资金总额", D("1248.20"), D("1296.00"), D("1276.56")),
            Fund("基本支出", D("598.20"), D("612.36"), D("612.36")),
            Fund("项目支出", D("650.00"), D("683.64"), D("664.20")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.985"), budget_score=D("9.85"),
        goal_expected=(
            "1. 科学编制年度预算，严格预算执行，全年预算执行率达到95%以上；2. 深化预算绩效管理改革，"
            "实现绩效目标、绩效监控、绩效评价全覆盖；3. 加强财会监督，规范政府采购和国库集中支付；"
            "4. 保障“三保”支出，民生支出占比不低于75%。"
        ),
        goal_actual=(
            "全年预算执行率98.50%；完成126个项目绩效运行监控，预算绩效管理覆盖率100%；开展财会监督检查9次，"
            "政府采购执行合规率98.5%；“三保”支出足额保障，民生支出占比78.6%。"
        ),
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=inds, reason_header="未完成原因分析", total_score=D("99.1"), conclusion="优秀",
        notes=NOTES_DEPARTMENT,
    )
    assert verify_clean(form, "02") == D("99.1")
    return form


def make_02():
    form = caizheng_form()
    fn = "02_某县财政局_2024部门整体支出绩效自评表.xlsx"
    g = layout_official(form, Style(), "附件3-1", formulas="cached")
    path = OUT / fn
    wb = xlsxwriter_workbook(path)
    ws = render_xlsxwriter(wb, g, XlsxwriterFormats(wb))
    ws.repeat_rows(g.refs["ind.first"][0] - 2, g.refs["ind.first"][0] - 2)
    wb.close()
    normalize_package(path)
    s = form_sums(form)
    SAMPLES["02"] = Sample(
        fn, "xlsxwriter; 执行率, budget 得分 and 总分 are formulas with cached values "
        f"({ref(g, 'funds.total.rate')} `={g.cells[g.refs['funds.total.rate']].formula}`, "
        f"{ref(g, 'funds.total.score')} `={g.cells[g.refs['funds.total.score']].formula}`, "
        f"{ref(g, 'total.score')} `={g.cells[g.refs['total.score']].formula}`)",
        "a clean, fully correct department form (某县财政局, 2024): weights 50/30/10 + budget 10, "
        "two deductions with reasons, rate 98.50% → 9.85, 总分 99.1 → 优秀",
        [], key_cells(g, form, s),
        ["Cached values: 执行率 0.985, budget 得分 9.85, 总分 99.1. 15 三级 rows."],
    )


# ==========================================================================
# 03 — clean project form, openpyxl, formulas without cached values


def jiaoyu_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量指标", "资助普通高中家庭经济困难学生人数", "≥3200人", "3280人", D(10), D(10)),
        Ind(P, "数量指标", "资助学前教育家庭经济困难幼儿人数", "≥1500人", "1470人", D(10), D("9.8"),
            "部分幼儿秋季学期转至外县就读，按实际在园人数资助；下一步加强学籍动态核查，提高预算编制精准度。"),
        Ind(P, "质量指标", "资助对象认定准确率", "=100%", "100%", D(10), D(10)),
        Ind(P, "质量指标", "资助资金足额发放率", "=100%", "100%", D(5), D(5)),
        Ind(P, "时效指标", "资助资金发放及时率", "≥95%", "98%", D(5), D(5)),
        Ind(P, "成本指标", "普通高中国家助学金标准", "≤2000元/生·年", "2000元/生·年", D(5), D(5)),
        Ind(P, "成本指标", "学前教育资助标准", "≤1000元/生·年", "1000元/生·年", D(5), D(5)),
        Ind(B, "社会效益指标", "家庭经济困难学生资助政策落实", "应助尽助", "应助尽助", D(10), D(10)),
        Ind(B, "社会效益指标", "普通高中学生巩固率", "≥93%", "94.5%", D(10), D(10)),
        Ind(B, "可持续影响指标", "学生资助政策知晓率", "≥90%", "96%", D(10), D(10)),
        Ind(S, "服务对象满意度指标", "受助学生及家长满意度", "≥90%", "95%", D(10), D(10)),
    ]
    form = Form(
        kind="project", year=2024, attachment="附件3-2", title="项目支出绩效自评表",
        date="填报日期：2025年3月5日",
        header=[("项目名称", "2024年学生资助补助经费"), ("主管部门", "某县教育局"), ("实施单位", "某县学生资助管理中心")],
        funds_label="项目资金（万元）",
        funds=[
            Fund("年度资金总额", D("860.00"), D("912.00"), D("893.76")),
            Fund("其中：当年财政拨款", D("800.00"), D("852.00"), D("833.76")),
            Fund("上年结转资金", D("60.00"), D("60.00"), D("60.00")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.98"), budget_score=D("9.8"),
        goal_expected=(
            "落实学前教育幼儿资助、普通高中国家助学金和免学杂费政策，资助普通高中家庭经济困难学生3200人以上、"
            "学前教育家庭经济困难幼儿1500人以上，资金按时足额发放，确保不让一个学生因家庭经济困难而失学。"
        ),
        goal_actual=(
            "全年资助普通高中家庭经济困难学生3280人、学前教育家庭经济困难幼儿1470人，资金通过“一卡通”按时足额发放，"
            "资助对象认定准确，未发生因贫失学辍学情况。"
        ),
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=inds, reason_header="偏差原因分析及改进措施", total_score=D("99.6"), conclusion=None,
    )
    assert verify_clean(form, "03") == D("99.6")
    return form


PROJECT_STYLE = Style(
    funds_headers=("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
    ind_headers=("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"),
)


def make_03():
    form = jiaoyu_form()
    fn = "03_某县教育局_2024项目支出绩效自评表.xlsx"
    g = layout_official(form, PROJECT_STYLE, "附件3-2", formulas="bare")
    wb = openpyxl_workbook()
    ws = render_openpyxl(wb, g)
    ws.page_setup.orientation = "portrait"
    save_openpyxl(wb, OUT / fn)
    s = form_sums(form)
    SAMPLES["03"] = Sample(
        fn, "openpyxl; 执行率, budget 得分 and 总分 are formulas WITHOUT cached values (as openpyxl leaves them): "
        f"{ref(g, 'funds.total.rate')} `={g.cells[g.refs['funds.total.rate']].formula}`, "
        f"{ref(g, 'funds.total.score')} `={g.cells[g.refs['funds.total.score']].formula}`, "
        f"{ref(g, 'total.score')} `={g.cells[g.refs['total.score']].formula}`",
        "a clean, fully correct project form (附件3-2 layout, 某县教育局 2024年学生资助补助经费); no 自评结论 row; "
        "long 二级 names (数量指标 …); 11 三级 rows",
        [], key_cells(g, form, s),
        ["Values a reader must compute (no cache): 执行率 0.98, budget 得分 9.8, 总分 99.6 (→ 优秀 if graded).",
         "The funds block's 资金来源 header cell is empty (as on the MoF 3-2 form)."],
    )


# ==========================================================================
# 04 — typical errors, LibreOffice-resaved


def weijian_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量", "家庭医生签约服务人数", "≥25000人", "25600人", 5, 5),
        Ind(P, "数量", "开展健康教育培训", "≥100人次", "80人次", 5, 5),  # B/A → 4
        Ind(P, "数量", "开展卫生监督执法检查", "≥10次", "30次", 5, 5),  # over-achievement, no reason
        Ind(P, "数量", "指标1", "*", "*", None, None),  # placeholder left in
        Ind(P, "质量", "家庭医生签约服务履约率", "≥90%", "92%", 5, 6),  # score > 分值
        Ind(P, "质量", "传染病报告及时率", "≥120%", "120%", 5, 5),  # % target > 100
        Ind(P, "质量", "孕产妇系统管理率", "≥90%", "81%", 5, D("4.5"),
            "部分流动孕产妇未在辖区建档，系统管理率未达标；已加强与户籍地信息互通，开展入户随访。"),
        Ind(P, "时效", "疫苗接种及时率", "≥95%", "97%", 5, None),  # empty 得分
        Ind(P, "时效", "突发公共卫生事件报告及时率", "=100%", "100%", 5, 5),
        Ind(P, "成本", "基本公共卫生服务药品耗材采购", "≥50万元", "50万元", 5, 5),  # cost with ≥
        Ind(P, "成本", "公用经费支出", "≤180万元", "200万元", 5, D("4.5"),
            "新增发热门诊设备维护费用导致公用经费超支；下一步严控非必要支出，加强预算约束。"),
        Ind(B, "社会效益", "居民健康素养水平", "有效提升", "有效提升", 10, 10),  # vague
        Ind(B, "社会效益", "重点人群健康管理", "达到预期", "部分达到预期", 10, 6),  # deduction, no reason
        Ind(B, "可持续影响", "乡镇卫生院达到服务能力基本标准比例", "≥80%", "60%", 10, D("7.5"),
            "2家乡镇卫生院因专业技术人员不足未达标；已通过县域医共体下派人员帮扶，计划2025年达标。"),
        Ind(S, "服务对象满意度", "群众就医满意度", "≥90%", "67.5%", 10, D("7.5"),
            "部分乡镇卫生院候诊时间较长、药品种类不全；下一步优化就诊流程，扩充基本药物目录。"),
    ]
    return Form(
        kind="department", year=2024, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期：2025年2月28日", header=[("部门（单位）名称", "某县卫生健康局")],
        funds_label="部门（单位）总体资金（万元）",
        funds=[
            Fund("年度资金总额", D("1850.00"), D("2000.00"), D("1900.00")),  # 年初: parts add to 1830
            Fund("基本支出", D("760.00"), D("800.00"), D("670.00")),
            Fund("项目支出", D("1070.00"), D("1200.00"), D("1230.00")),  # 执行 > 预算
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.965"), budget_score=D("9.65"),  # true 0.95 / 9.5
        goal_expected=(
            "1. 巩固国家基本公共卫生服务项目成果，家庭医生签约服务覆盖25000人以上；2. 做好传染病防控和突发公共卫生事件应急处置；"
            "3. 加强妇幼健康和免疫规划管理；4. 推进县域医共体建设，提升基层医疗卫生服务能力。"
        ),
        goal_actual=(
            "家庭医生签约服务25600人，开展卫生监督执法检查30次、健康教育培训80人次；传染病报告及时，"
            "未发生重大突发公共卫生事件；孕产妇系统管理率81%；2家乡镇卫生院服务能力尚未达标。"
        ),
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=inds, reason_header="未完成原因分析", total_score=D("92.35"), conclusion="优秀",
        notes=NOTES_DEPARTMENT,
    )


def make_04():
    form = weijian_form()
    fn = "04_某县卫健局_2024部门整体支出绩效自评表_典型错误.xlsx"
    g = layout_official(form, Style(), "附件3-1")
    wb = openpyxl_workbook()
    render_openpyxl(wb, g)
    with tempfile.TemporaryDirectory() as td:
        raw = Path(td) / "raw.xlsx"
        save_openpyxl(wb, raw)
        soffice_convert(raw, "xlsx", OUT / fn)
    normalize_package(OUT / fn)
    s = form_sums(form)
    assert s["total_from_stated"] == D("85.65"), s
    assert s["total_corrected"] == D("88.5"), s
    assert s["weights_by_l1"] == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    r = lambda k: ref(g, k)  # noqa: E731
    defects = [
        f"{r('ind.4.score')}: score 6 above its 分值 5 ({r('ind.4.weight')}); ≥90% → 92% → expected 5.",
        f"{r('ind.1.score')}: 开展健康教育培训 ≥100人次 → 80人次 at 分值 5 stated 5; B/A×分值 = 80/100×5 = 4 "
        f"(and the deduction then needs a reason in {r('ind.1.reason')}).",
        f"{r('funds.total.rate')}: 执行率 stated 96.50%, correct 1900.00/2000.00 = 95.00%.",
        f"{r('funds.total.score')}: budget 得分 stated 9.65, correct 9.5.",
        f"{r('funds.total.initial')}: 年初预算数 年度资金总额 stated 1850.00 ≠ 基本支出 760.00 + 项目支出 1070.00 "
        f"+ 其他资金 0 = 1830.00 (the 全年预算数 and 全年执行数 columns do add up).",
        f"{r('funds.project.executed')}: 项目支出 全年执行数 1230.00 > 全年预算数 1200.00 ({r('funds.project.budget')}).",
        f"{r('total.score')}: 总分 stated 92.35; computed from stated scores 85.65 "
        "(三级 76 + budget 9.65); fully corrected 88.5 (三级 79 + budget 9.5).",
        f"{r('conclusion')}: 自评结论 优秀, but the computed score (85.65 as stated / 88.5 corrected) is in 良好.",
        f"{r('ind.12.score')}: 重点人群健康管理 达到预期 → 部分达到预期 scored 6 of 10 with no reason "
        f"({r('ind.12.reason')} empty).",
        f"{r('ind.2.actual')}: 开展卫生监督执法检查 ≥10次 → 30次 (×3) with no explanation ({r('ind.2.reason')} empty).",
        f"{r('ind.11.target')}: vague target 有效提升 (actual 有效提升) on 居民健康素养水平.",
        f"{r('ind.9.target')}: cost indicator (成本) 基本公共卫生服务药品耗材采购 written as ≥50万元 "
        "(a cost target should be ≤).",
        f"{r('ind.5.target')}: percentage target ≥120% (above 100%) on 传染病报告及时率.",
        f"{r('ind.3.l3')}: placeholder row left in — 三级 指标1, 指标值 {r('ind.3.target')} `*`, 完成值 `*`, "
        f"分值/得分 ({r('ind.3.weight')}, {r('ind.3.score')}) empty.",
        f"{r('ind.7.score')}: 疫苗接种及时率 ≥95% → 97% (分值 5) has an empty 得分; expected 5.",
    ]
    notes = [
        "Weights are right: 产出 50 (10 rows × 5, the placeholder row has none), 效益 30, 满意度 10, budget 10.",
        f"Deductions that are correct and explained (not defects): {r('ind.6.score')} 4.5, {r('ind.10.score')} 4.5 "
        f"(≤180万元 → 200万元: 180/200×5), {r('ind.13.score')} 7.5, {r('ind.14.score')} 7.5.",
        "Values are static; the file was written by openpyxl and resaved by LibreOffice.",
    ]
    SAMPLES["04"] = Sample(fn, "openpyxl (static values), then resaved by LibreOffice",
                           "a department form (某县卫生健康局, 2024) with the typical errors reviewers find, one per cell",
                           defects, key_cells(g, form, s), notes)


# ==========================================================================
# 05 — reworded and moved layout, hand-edited (inserted row, text numbers)


def zhen_form(with_inserted: bool) -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量", "开展安全生产隐患排查", "≥24次", "26次", "5分", "5"),
        Ind(P, "数量", "完成农村人居环境整治村数", "≥12个", "12个", "5分", "5"),
        Ind(P, "数量", "组织农村劳动力就业技能培训", "≥300人次", "288人次", "5分", "4.8",
            "部分培训班次与农忙时节冲突，参训人数不足；\n下一步错峰安排培训时间，采取“送培训下村”方式。"),
        Ind(P, "质量", "民生项目验收合格率", "=100%", "100%", "5分", "5"),
        Ind(P, "质量", "信访事项按期办结率", "≥95%", "97%", "5分", "5"),
        Ind(P, "时效", "重点项目按期开工率", "≥90%", "92%", "5分", "5"),
        Ind(P, "时效", "惠民资金发放及时率", "=100%", "100%", "5分", "5"),
        Ind(P, "成本", "“三公”经费控制数", "≤12万元", "11.6万元", "5分", "5"),
        Ind(P, "成本", "机关运行经费", "≤260万元", "258.4万元", "5分", "5"),
        Ind(B, "经济效益", "村集体经济年收入10万元以上村占比", "≥60%", "66.7%", 10, 10),
        Ind(B, "社会效益", "群众安全感", "≥95%", "96.2%", 10, 10),
        Ind(B, "生态效益", "农村生活垃圾收运处置体系覆盖率", "≥95%", "100%", 5, 5),
        Ind(B, "可持续影响", "人居环境长效管护机制", "建立", "已建立", 5, 5),
        Ind(S, "服务对象满意度", "辖区群众满意度", "≥90%", "93.5%", 10, 10),
    ]
    if with_inserted:
        inds.insert(2, ZHEN_INSERTED)
    return Form(
        kind="department", year=2024, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期： 2025年 3月 10日", header=[("部门（单位）\n名称", "某镇人民政府")],
        funds_label="部门（单位）\n总体资金\n（万元）",
        funds=[
            Fund("年度资金总额", "1,430.00", "1,518.00", "1,495.23"),
            Fund("基本支出", "810.00", "826.40", "826.40"),
            Fund("项目支出", "620.00", "691.60", "668.83"),
            Fund("其他资金", "0", "0", "0"),
        ],
        rate="98.50%", budget_score="9.85",
        goal_expected=(
            "1. 抓好安全生产和信访维稳，全年不发生较大以上安全事故；2. 持续推进农村人居环境整治，完成12个村整治任务；"
            "3. 发展壮大村集体经济；4. 组织农村劳动力就业技能培训300人次以上；5. 完成县委县政府安排的其他工作。"
        ),
        goal_actual=(
            "全年开展安全隐患排查26次，未发生较大以上安全事故；完成12个村人居环境整治，新建改建农村公路8.5公里；"
            "村集体经济年收入10万元以上村占比66.7%；培训农村劳动力288人次。"
        ),
        l1_labels={P: "产出指标\n（50分）", B: "效益指标\n（30分）", S: "满意度指标\n（10分）"},
        inds=inds, reason_header="偏差原因及\n改进措施", total_score=D("99.65"), conclusion="优秀",
        notes=(), total_label="总  分", seal="单位（盖章）：", conclusion_label="自 评 结 论",
    )


ZHEN_INSERTED = Ind("产出指标", "数量", "新建改建农村公路", "≥8公里", "8.5公里", "5分", "5")

ZHEN_STYLE = Style(
    r0=3, c0=2, merge_l1=False, merge_l2=True,
    funds_headers=("资金来源", "年初\n预算数", "调整后预算数", "预算执行数", "分 值", "预算\n执行率", "得 分"),
    ind_headers=("一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "得分"),
    name_label="部门（单位）\n名称", goal_label="年度总体\n目标", goal_cols=("预期目标", "实际完成情况"),
    ind_block_label="绩\n效\n指\n标", money_fmt="@",
)


def make_05():
    from openpyxl import load_workbook
    from openpyxl.worksheet.cell_range import CellRange

    pre = zhen_form(False)
    final = zhen_form(True)
    blank_at = 5  # blank row before the first 质量 row (index in the pre form)
    g_pre = layout_official(pre, replace(ZHEN_STYLE, blank_rows_before=(blank_at,)), "Sheet1")
    g = layout_official(final, replace(ZHEN_STYLE, blank_rows_before=(blank_at + 1,)), "Sheet1")
    assert verify_clean(final, "05") == D("99.65")
    fn = "05_某镇人民政府_2024部门整体支出绩效自评表_改版.xlsx"
    path = OUT / fn
    wb = openpyxl_workbook()
    render_openpyxl(wb, g_pre)
    for (r, c), cell in g_pre.cells.items():  # typed-as-text cells are formatted as text
        if isinstance(cell.value, str) and re.fullmatch(r"[\d,.%分]+", cell.value):
            wb["Sheet1"].cell(r, c).number_format = "@"
    with tempfile.TemporaryDirectory() as td:
        raw = Path(td) / "raw.xlsx"
        save_openpyxl(wb, raw)
        # --- the clerk reopens the file and inserts a row for a forgotten indicator
        wb = load_workbook(raw)
        ws = wb["Sheet1"]
        at = g_pre.refs["ind.2.l1"][0]  # insert above the third 数量 row
        merges = [CellRange(str(m)) for m in ws.merged_cells.ranges]
        for m in merges:
            ws.unmerge_cells(str(m))
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
        ws.insert_rows(at)
        for m in merges:  # Excel would move/extend merged ranges; do what it does
            if m.min_row >= at:
                m.shift(row_shift=1)
            elif m.max_row >= at:
                m.expand(down=1)
            ws.merge_cells(m.coord)
        for r in sorted(heights, reverse=True):
            ws.row_dimensions[r + 1 if r >= at else r].height = heights[r]
        ws.row_dimensions[at].height = 30
        from copy import copy
        for c in range(1, ws.max_column + 1):
            src = ws.cell(at + 1, c)
            dst = ws.cell(at, c)
            if src.has_style:
                dst._style = copy(src._style)
        i = ZHEN_INSERTED
        c0 = ZHEN_STYLE.c0
        for k, v in enumerate((final.l1_labels[i.l1], None, i.l3, i.target, i.actual, i.weight, i.score, None)):
            if v is not None:
                ws.cell(at, c0 + 2 + k, v)
        wb.properties.modified = FIXED_DT
        wb.save(path)
    normalize_package(path)
    # the edited file must equal the layout of the final form
    ws = load_workbook(path)["Sheet1"]
    for (r, c), cell in g.cells.items():
        got = ws.cell(r, c).value
        want = _val(cell.value)
        if (r, c) in {(m[0], m[1]) for m in g.merges} or not any(
                m[0] <= r <= m[2] and m[1] <= c <= m[3] for m in g.merges):
            assert got == want, (r, c, got, want)
    assert sorted(str(m) for m in ws.merged_cells.ranges) == sorted(
        f"{col_letter(m[1])}{m[0]}:{col_letter(m[3])}{m[2]}" for m in g.merges)
    s = form_sums(final)
    blank_row = g.refs["ind.%d.l1" % (blank_at + 1)][0] - 1
    SAMPLES["05"] = Sample(
        fn, "openpyxl, then hand-edited: reopened with openpyxl, a row inserted with `insert_rows` "
        f"(row {at}, 新建改建农村公路) and merged ranges moved/extended as Excel does",
        "a reworded and moved department form (某镇人民政府, 2024): starts at C4 (rows 1–3 and columns A–B empty); "
        "header synonyms (调整后预算数, 预算执行数, 预算执行率, 分 值, 得 分; 指标值, 完成值, 权重, 偏差原因及\\n改进措施); "
        "labels with stray spaces and line breaks (总  分, 自 评 结 论, 部门（单位）\\n名称, 绩\\n效\\n指\\n标), full-width "
        "brackets (产出指标\\n（50分）); 一级 repeated on every row (not merged), 二级 merged; "
        f"a blank row inside the table (row {blank_row}); numbers typed as text: funds amounts "
        "(\"1,518.00\", \"1,495.23\", …), 执行率 \"98.50%\", budget 得分 \"9.85\", the 产出 权重 \"5分\" and 产出 得分 "
        "(\"5\", \"4.8\"); a reason with a line break. Arithmetic is correct.",
        [], key_cells(g, final, s, "Sheet1"),
        ["Expected: 执行率 98.50% (1495.23/1518.00 = 0.985), budget 得分 9.85, 三级 sum 89.8, "
         f"总分 {ref(g, 'total.score')} = 99.65 → 优秀 ({ref(g, 'conclusion')}). 15 三级 rows "
         "(产出 10 × 5分 = 50, 效益 10+10+5+5 = 30, 满意度 10).",
         f"No notes block. The one deduction ({ref(g, 'ind.3.score')} \"4.8\": ≥300人次 → 288人次 × 5) is explained."],
    )


# ==========================================================================
# 06 — several forms in one workbook (xlsxwriter)


def nongye_forms() -> tuple[Form, Form, Form]:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    dept = Form(
        kind="department", year=2024, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期：2025年3月15日", header=[("部门（单位）名称", "某县农业农村局")],
        funds_label="部门（单位）总体资金（万元）",
        funds=[
            Fund("年度资金总额", D("2210.00"), D("2436.00"), D("2411.64")),
            Fund("基本支出", D("1010.00"), D("1024.50"), D("1024.50")),
            Fund("项目支出", D("1200.00"), D("1411.50"), D("1387.14")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.99"), budget_score=D("9.9"),
        goal_expected="1. 新建高标准农田2.5万亩；2. 足额发放耕地地力保护补贴；3. 稳定粮食播种面积45万亩以上；"
                      "4. 推进化肥农药减量增效；5. 开展农技推广培训40期以上。",
        goal_actual="建成高标准农田2.52万亩，发放耕地地力保护补贴52.3万亩，粮食播种面积45.6万亩，"
                    "开展农技推广培训42期，化肥使用量减少1.8%。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=[
            Ind(P, "数量", "建成高标准农田面积", "≥2.5万亩", "2.52万亩", D(10), D(10)),
            Ind(P, "数量", "发放耕地地力保护补贴面积", "≥52万亩", "52.3万亩", D(10), D(10)),
            Ind(P, "数量", "开展农技推广培训", "≥40期", "42期", D(5), D(5)),
            Ind(P, "质量", "农产品质量安全例行监测合格率", "≥98%", "99.2%", D(5), D(5)),
            Ind(P, "质量", "高标准农田建设项目验收合格率", "=100%", "100%", D(5), D(5)),
            Ind(P, "时效", "惠农补贴资金发放及时率", "=100%", "100%", D(5), D(5)),
            Ind(P, "成本", "高标准农田亩均建设成本", "≤3000元/亩", "2980元/亩", D(10), D(10)),
            Ind(B, "经济效益", "粮食播种面积", "≥45万亩", "45.6万亩", D(10), D(10)),
            Ind(B, "社会效益", "农村居民人均可支配收入增长率", "≥7%", "7.2%", D(10), D(10)),
            Ind(B, "生态效益", "化肥使用量减少比例", "≥2%", "1.8%", D(10), D(9),
                "部分经济作物种植区化肥减量推进较慢；下一步扩大测土配方施肥和有机肥替代覆盖面。"),
            Ind(S, "服务对象满意度", "农户满意度", "≥90%", "94%", D(10), D(10)),
        ],
        reason_header="未完成原因分析", total_score=D("98.9"), conclusion="优秀", notes=NOTES_DEPARTMENT,
    )
    p1 = Form(
        kind="project", year=2024, attachment="附件3-2", title="项目支出绩效自评表",
        date="填报日期：2025年3月15日",
        header=[("项目名称", "2024年高标准农田建设项目"), ("主管部门", "某县农业农村局"), ("实施单位", "某县农田建设服务中心")],
        funds_label="项目资金（万元）",
        funds=[
            Fund("年度资金总额", D("3000.00"), D("3750.00"), D("3712.50")),
            Fund("其中：当年财政拨款", D("2800.00"), D("3450.00"), D("3412.50")),
            Fund("上年结转资金", D("200.00"), D("300.00"), D("300.00")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.99"), budget_score=D("9.9"),
        goal_expected="新建高标准农田2.5万亩，配套建设灌排渠道30公里以上，项目区亩均粮食产能提升100斤以上。",
        goal_actual="建成高标准农田2.52万亩，新建改建灌排渠道31.2公里，项目通过县级验收，亩均粮食产能提升105斤。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=[
            Ind(P, "数量指标", "新建高标准农田面积", "≥2.5万亩", "2.52万亩", D(15), D(15)),
            Ind(P, "数量指标", "新建改建灌排渠道长度", "≥30公里", "31.2公里", D(10), D(10)),
            Ind(P, "质量指标", "项目工程验收合格率", "=100%", "100%", D(10), D(10)),
            Ind(P, "时效指标", "项目完工时间", "2024年12月31日前", "按期完成", D(5), D(5)),
            Ind(P, "成本指标", "亩均财政投资", "≤1500元/亩", "1485元/亩", D(10), D(10)),
            Ind(B, "经济效益指标", "项目区亩均粮食产能提升", "≥100斤", "105斤", D(10), D(10)),
            Ind(B, "社会效益指标", "受益农户数", "≥8000户", "8120户", D(10), D(10)),
            Ind(B, "可持续影响指标", "建后管护机制", "建立并落实", "已建立并落实", D(10), D(10)),
            Ind(S, "服务对象满意度指标", "项目区农户满意度", "≥90%", "95%", D(10), D(10)),
        ],
        reason_header="偏差原因分析及改进措施", total_score=D("99.9"), conclusion="优秀",
    )
    p2 = Form(
        kind="project", year=2024, attachment="附件3-2", title="项目支出绩效自评表",
        date="填报日期：2025年3月15日",
        header=[("项目名称", "2024年耕地地力保护补贴"), ("主管部门", "某县农业农村局"), ("实施单位", "某县农业农村局")],
        funds_label="项目资金（万元）",
        funds=[
            Fund("年度资金总额", D("5150.00"), D("5200.00"), D("5200.00")),
            Fund("其中：当年财政拨款", D("5150.00"), D("5200.00"), D("5200.00")),
            Fund("上年结转资金", D(0), D(0), D(0)),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D(1), budget_score=D(10),
        goal_expected="按照每亩100元标准，向拥有耕地承包权的种地农民发放耕地地力保护补贴，补贴面积52万亩以上，"
                      "6月30日前兑付到户，引导农民保护耕地地力、稳定粮食生产。",
        goal_actual="向9.86万户农户发放补贴，补贴面积50.7万亩，资金于6月30日前通过“一卡通”兑付到户。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=[
            Ind(P, "数量指标", "补贴发放面积", "≥52万亩", "50.7万亩", D(10), D(10)),  # B/A → 9.75
            Ind(P, "数量指标", "补贴发放户数", "≥9.8万户", "9.86万户", D(10), D(10)),
            Ind(P, "质量指标", "补贴资金发放准确率", "=100%", "100%", D(10), D(10)),
            Ind(P, "时效指标", "补贴资金兑付时间", "2024年6月30日前", "按期完成", D(10), D(10)),
            Ind(P, "成本指标", "亩均补贴标准", "≤100元/亩", "100元/亩", D(10), D(10)),
            Ind(B, "经济效益指标", "全县粮食总产量", "≥22万吨", "22.4万吨", D(10), D(10)),
            Ind(B, "社会效益指标", "耕地撂荒面积", "≤0.5万亩", "0.42万亩", D(10), D(10)),
            Ind(B, "生态效益指标", "耕地质量平均等级", "≤4.5等", "4.4等", D(10), D(10)),
            Ind(S, "服务对象满意度指标", "受补贴农户满意度", "≥92%", "96%", D(10), D(10)),
        ],
        reason_header="偏差原因分析及改进措施", total_score=D(100), conclusion="优秀",
    )
    assert verify_clean(dept, "06 dept") == D("98.9")
    assert verify_clean(p1, "06 p1") == D("99.9")
    assert verify_clean(p2, "06 p2", allow=("row 0 score",)) == D(100)
    return dept, p1, p2


def make_06():
    dept, p1, p2 = nongye_forms()
    fn = "06_某县农业农村局_2024多表合一.xlsx"
    path = OUT / fn
    wb = xlsxwriter_workbook(path)
    fm = XlsxwriterFormats(wb)
    cover = Grid("填报说明")
    cover.widths = {1: 6, 2: 100}
    cover.merge(1, 1, 1, 2, "2024年度预算绩效自评填报说明", "title")
    cover.heights[1] = 36
    tips = [
        "本工作簿包含部门整体支出绩效自评表1张、项目支出绩效自评表2张及附表数据1张。",
        "请据实填写年初预算数、全年预算数、全年执行数，执行率保留两位小数。",
        "定量指标按实际完成值/年度指标值×分值计算得分，反向指标按年度指标值/实际完成值×分值计算，最高不超过该指标分值。",
        "凡指标得分低于分值的，须在“未完成原因分析”或“偏差原因分析及改进措施”栏说明原因及改进措施。",
        "填报完成后请于2025年3月20日前报县财政局预算绩效管理股，联系电话：0000-1234567。",
    ]
    for i, t in enumerate(tips, 1):
        cover.put(2 + i, 1, f"{i}.", "plain")
        cover.put(2 + i, 2, t, "plain")
    render_xlsxwriter(wb, cover, fm)
    g_d = layout_official(dept, Style(), "部门整体支出", formulas="cached")
    g_1 = layout_official(p1, PROJECT_STYLE, "项目1-高标准农田建设", formulas="cached")
    g_2 = layout_official(p2, PROJECT_STYLE, "项目2-耕地地力保护补贴")
    for g in (g_d, g_1, g_2):
        render_xlsxwriter(wb, g, fm)
    data = wb.add_worksheet("附表数据")
    hfmt, bfmt = fm.get("datah"), fm.get("datab")
    mfmt, pfmt = fm.get("datab", "#,##0.00"), fm.get("datab", "0.00%")
    heads = ["序号", "项目名称", "资金性质", "全年预算数（万元）", "全年执行数（万元）", "执行率", "责任股室"]
    rows = [
        (1, "2024年高标准农田建设项目", "中央和省级资金", 3450.00, 3412.50, "农田建设股"),
        (2, "2024年耕地地力保护补贴", "中央资金", 5200.00, 5200.00, "计划财务股"),
        (3, "2024年农机购置与应用补贴", "中央资金", 860.00, 842.80, "农机股"),
        (4, "2024年动物疫病防控经费", "县级资金", 126.00, 119.70, "畜牧兽医股"),
        (5, "2024年农产品质量安全监管经费", "县级资金", 48.00, 47.52, "农产品质量安全股"),
    ]
    for c, h in enumerate(heads):
        data.write(0, c, h, hfmt)
    for r, row in enumerate(rows, 1):
        data.write_number(r, 0, row[0], bfmt)
        data.write_string(r, 1, row[1], bfmt)
        data.write_string(r, 2, row[2], bfmt)
        data.write_number(r, 3, row[3], mfmt)
        data.write_number(r, 4, row[4], mfmt)
        data.write_formula(r, 5, f"=E{r + 1}/D{r + 1}", pfmt, round(row[4] / row[3], 6))
        data.write_string(r, 6, row[5], bfmt)
    data.set_column(0, 0, 6)
    data.set_column(1, 1, 30)
    data.set_column(2, 6, 16)
    wb.close()
    normalize_package(path)
    SAMPLES["06"] = Sample(
        fn, "xlsxwriter (the department and project-1 sheets carry cached formulas for 执行率, 得分, 总分; "
        "project-2 is static)",
        "a multi-form workbook (某县农业农村局, 2024): sheets `填报说明` (instructions, no form), `部门整体支出` "
        "(附件3-1, clean, 总分 98.9 优秀), `项目1-高标准农田建设` (附件3-2, clean, 总分 99.9), "
        "`项目2-耕地地力保护补贴` (附件3-2, one error) and `附表数据` (a plain table of project funds with a "
        "执行率 formula column — not a form).",
        [f"{ref(g_2, 'ind.0.score')}: 补贴发放面积 ≥52万亩 → 50.7万亩 at 分值 10 stated 10; "
         "B/A×分值 = 50.7/52×10 = 9.75 (the deduction then also needs a reason in "
         f"{ref(g_2, 'ind.0.reason')}; the stated 总分 {ref(g_2, 'total.score')} = 100 is the sum of the stated "
         "scores, fully corrected 99.75)."],
        key_cells(g_d, dept) + key_cells(g_1, p1) + key_cells(g_2, p2),
        ["Project sheets have a 自评结论 row (优秀). Cached values: 部门整体支出 执行率 0.99, 得分 9.9, 总分 98.9; "
         "项目1 执行率 0.99, 得分 9.9, 总分 99.9. 项目2: 执行率 100%, 得分 10, 总分 100 (static)."],
    )


# ==========================================================================
# 07 — Sichuan layout (指标性质 / 度量单位 columns, 预算执行情况(10分))


def layout_sichuan(form: Form, name: str) -> Grid:
    g = Grid(name)
    for i, w in enumerate([8, 10, 12, 26, 7, 10, 9, 10, 7, 7, 24], 1):
        g.widths[i] = w
    r = 1
    g.merge(r, 1, r, 11, form.title, "title")
    g.heights[r] = 36
    r += 1
    g.merge(r, 1, r, 11, f"（{form.year}年度）", "sub", ref="year")
    r += 1
    g.merge(r, 1, r, 5, form.date, "plain", ref="date")
    g.merge(r, 6, r, 11, form.seal, "plain", ref="seal")
    r += 1
    (l1, v1), (l2, v2), (l3, v3) = form.header
    g.merge(r, 1, r, 2, l1, "label")
    g.merge(r, 3, r, 11, v1, "text", ref="project")
    r += 1
    g.merge(r, 1, r, 2, l2, "label")
    g.merge(r, 3, r, 6, v2, "text", ref="authority")
    g.merge(r, 7, r, 8, l3, "label")
    g.merge(r, 9, r, 11, v3, "text", ref="implementer")
    r += 1
    g.merge(r, 1, r + len(form.funds), 1, form.funds_label, "label", ref="funds.label")
    g.merge(r, 2, r, 3, None, "head")
    for c, h in ((4, "年初预算"), (5, "调整后预算数"), (7, "预算执行数"), (8, "预算执行率"), (9, "权重"),
                 (10, "得分"), (11, "原因")):
        if c == 5:
            g.merge(r, 5, r, 6, h, "head")
        else:
            g.put(r, c, h, "head")
    r += 1
    keys = ("total", "fiscal", "special", "unitfund", "other")
    for key, f in zip(keys, form.funds):
        g.merge(r, 2, r, 3, f.label, "label" if key == "total" else "text", ref=f"funds.{key}.label")
        g.put(r, 4, f.initial, "center", numfmt="0.00", ref=f"funds.{key}.initial")
        g.merge(r, 5, r, 6, f.budget, "center", numfmt="0.00", ref=f"funds.{key}.budget")
        g.put(r, 7, f.executed, "center", numfmt="0.00", ref=f"funds.{key}.executed")
        if key == "total":
            g.put(r, 8, form.rate, "center", numfmt="0.00%", ref="funds.total.rate")
            g.put(r, 9, form.funds_weight, "center", ref="funds.total.weight")
            g.put(r, 10, form.budget_score, "center", ref="funds.total.score")
            g.put(r, 11, None, "text", ref="funds.total.reason")
        else:
            for c in (8, 9, 10):
                g.put(r, c, "—", "center")
            g.put(r, 11, None, "text")
        r += 1
    g.merge(r, 1, r + 1, 1, "年度总体目标", "label")
    g.merge(r, 2, r, 6, "预期目标", "head")
    g.merge(r, 7, r, 11, "实际完成情况", "head")
    r += 1
    g.merge(r, 2, r, 6, form.goal_expected, "text", ref="goal.expected")
    g.merge(r, 7, r, 11, form.goal_actual, "text", ref="goal.actual")
    r += 1
    top = r
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
                           form.reason_header), 2):
        g.put(r, c, h, "head")
    r += 1
    first = r
    for n, i in enumerate(form.inds):
        for c, v, st, k in ((2, form.l1_labels[i.l1], "label", "l1"), (3, i.l2, "label", "l2"), (4, i.l3, "text", "l3"),
                            (5, i.nature, "center", "nature"), (6, i.target, "center", "target"),
                            (7, i.unit, "center", "unit"), (8, i.actual, "center", "actual"),
                            (9, i.weight, "center", "weight"), (10, i.score, "center", "score"),
                            (11, i.reason or None, "text", "reason")):
            g.put(r, c, v, st, ref=f"ind.{n}.{k}")
        r += 1
    last = r - 1
    g.merge(top, 1, last, 1, form.l1_labels.get("_block", "绩效指标（90分）"), "label", ref="ind.label")
    for level, c in ((0, 2), (1, 3)):
        n = 0
        while n < len(form.inds):
            key = (form.inds[n].l1, form.inds[n].l2)[: level + 1]
            m = n
            while m + 1 < len(form.inds) and (form.inds[m + 1].l1, form.inds[m + 1].l2)[: level + 1] == key:
                m += 1
            if m > n:
                g.merge(first + n, c, first + m, c, g.cells[(first + n, c)].value, "label")
            n = m + 1
    g.merge(r, 1, r, 8, form.total_label, "label", ref="total.label")
    g.put(r, 9, form.total_weight, "center", ref="total.weight")
    g.put(r, 10, form.total_score, "center", ref="total.score")
    g.put(r, 11, None, "center")
    r += 1
    for label, value, key in ((form.conclusion_label, form.conclusion, "conclusion"),
                              ("存在问题", form.problems, "problems"), ("改进措施", form.measures, "measures")):
        g.merge(r, 1, r, 3, label, "label")
        g.merge(r, 4, r, 11, value, "text", ref=key)
        r += 1
    g.refs["ind.first"] = (first, 2)
    g.refs["ind.last"] = (last, 2)
    g.autoheight()
    return g


def sichuan_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量指标", "农村公路日常养护里程", 1250, 1262, 10, 10, nature="≥", unit="公里"),
        Ind(P, "数量指标", "危桥改造数量", 6, 6, 10, 10, nature="≥", unit="座"),
        Ind(P, "质量指标", "养护路段优良中等路率", 85, D("86.4"), 10, 10, nature="≥", unit="%"),
        Ind(P, "时效指标", "年度养护任务完成时间", "2024年12月底前", "按期完成", 10, 10, nature="定性", unit="—"),
        Ind(P, "成本指标", "每公里年均养护成本", 3800, 3760, 10, 10, nature="≤", unit="元/公里"),
        Ind(B, "经济效益指标", "带动沿线群众务工就业", 300, 285, 10, D("9.5"),
            "部分路段采用机械化养护，用工需求减少；下一步优先吸纳沿线脱贫人口参与养护。", nature="≥", unit="人次"),
        Ind(B, "社会效益指标", "农村公路列养率", 100, 100, 10, 10, nature="=", unit="%"),
        Ind(B, "可持续影响指标", "“路长制”长效管护机制", "健全", "健全", 10, 10, nature="定性", unit="—"),
        Ind(S, "满意度指标", "沿线群众满意度", 90, D("92.5"), 10, 10, nature="≥", unit="%"),
    ]
    form = Form(
        kind="sichuan", year=2024, attachment="", title="项目支出绩效自评表", date="填报日期：2025年3月12日",
        header=[("项目名称", "2024年农村公路日常养护补助资金"), ("主管部门", "某县交通运输局"),
                ("实施单位", "某县农村公路养护管理站")],
        funds_label="预算执行情况\n（10分）",
        funds=[
            Fund("年度资金总额", D("480.00"), D("520.00"), D("509.60")),
            Fund("其中：财政资金", D("450.00"), D("490.00"), D("479.60")),
            Fund("财政专户管理资金", D(0), D(0), D(0)),
            Fund("单位资金", D("30.00"), D("30.00"), D("30.00")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.98"), budget_score=D("9.8"),
        goal_expected="完成全县1250公里农村公路日常养护，改造危桥6座，养护路段优良中等路率达到85%以上，保障农村群众安全便捷出行。",
        goal_actual="完成农村公路日常养护1262公里，改造危桥6座，优良中等路率86.4%，农村公路列养率100%。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标", "_block": "绩效指标\n（90分）"},
        inds=inds, reason_header="偏差原因分析及改进措施", total_score=D("99.3"), conclusion="优",
        total_label="总分", conclusion_label="评价结论", seal="填报单位（盖章）：",
        problems="部分偏远路段养护频次偏低，机械化养护水平不高。",
        measures="加大养护机械投入，建立“县道县管、乡道乡管、村道村管”分级养护责任清单，将养护质量纳入乡镇年度目标考核。",
    )
    assert verify_clean(form, "07") == D("99.3")
    return form


def make_07():
    form = sichuan_form()
    fn = "07_四川某县_2024项目支出绩效自评表.xlsx"
    g = layout_sichuan(form, "项目自评表")
    wb = openpyxl_workbook()
    render_openpyxl(wb, g)
    save_openpyxl(wb, OUT / fn)
    cells = [
        f"{ref(g, 'project')} 项目名称 = 2024年农村公路日常养护补助资金",
        f"funds (预算执行情况（10分）, {ref(g, 'funds.label')}): total row 调整后预算数 {ref(g, 'funds.total.budget')} = 520, "
        f"预算执行数 {ref(g, 'funds.total.executed')} = 509.6, 预算执行率 {ref(g, 'funds.total.rate')} = 0.98, "
        f"权重 {ref(g, 'funds.total.weight')} = 10, 得分 {ref(g, 'funds.total.score')} = 9.8; rows below: 其中：财政资金 "
        "450/490/479.6, 财政专户管理资金 0, 单位资金 30/30/30, 其他资金 0 (total = sum of all four)",
        f"indicator rows {g.refs['ind.first'][0]}–{g.refs['ind.last'][0]} (9 三级 rows; columns E 指标性质, F 指标值 (bare "
        "number or text), G 度量单位, H 完成值, I 权重, J 得分, K 偏差原因分析及改进措施)",
        f"总分 {ref(g, 'total.score')} = 99.3; 评价结论 {ref(g, 'conclusion')} = 优; 存在问题 {ref(g, 'problems')}; "
        f"改进措施 {ref(g, 'measures')}",
    ]
    SAMPLES["07"] = Sample(
        fn, "openpyxl (static values)",
        "a Sichuan-style project form (四川某县交通运输局, 农村公路日常养护): no 附件 line; funds block 预算执行情况（10分） "
        "with 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因; indicator block 绩效指标（90分） with "
        "指标性质 (≥, ≤, =, 定性) and 度量单位 columns, so targets are bare numbers (1250, 85, 3800 …); ends with "
        "评价结论 / 存在问题 / 改进措施. Arithmetic correct (one explained deduction: 285/300×10 = 9.5).",
        [], cells, ["Numbers are real numbers (not text). 二级 use the long forms (数量指标 …); the 满意度 二级 is 满意度指标."],
    )


# ==========================================================================
# 08 — legacy .xls (openpyxl -> LibreOffice --convert-to xls)


def minzheng_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量", "城乡低保对象保障人数", "≥5800人", "5860人", 10, 10),
        Ind(P, "数量", "特困人员救助供养人数", "≥600人", "588人", 5, D("4.9"),
            "部分特困人员去世或转入低保保障，供养人数减少；将按政策动态调整，做到应养尽养。"),
        Ind(P, "数量", "开展养老机构安全检查", "≥12次", "12次", 5, 5),
        Ind(P, "质量", "低保资金发放准确率", "=100%", "100%", 10, 10),
        Ind(P, "时效", "救助资金按月发放率", "=100%", "100%", 10, 10),
        Ind(P, "成本", "临时救助人均支出", "≤1500元/人次", "1480元/人次", 10, 10),
        Ind(B, "社会效益", "困难群众基本生活保障率", "=100%", "100%", 10, 10),
        Ind(B, "社会效益", "遗体火化率", "≥60%", "63%", 10, 10),
        Ind(B, "可持续影响", "社会救助长效机制", "健全", "健全", 10, 9),  # deduction, no reason
        Ind(S, "服务对象满意度", "救助对象满意度", "≥95%", "97%", 10, 10),
    ]
    return Form(
        kind="department", year=2023, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期：2024年2月26日", header=[("部门（单位）名称", "某县民政局")],
        funds_label="部门（单位）总体资金（万元）",
        funds=[
            Fund("年度资金总额", D("1600.00"), D("1680.00"), D("1612.80")),
            Fund("基本支出", D("700.00"), D("720.00"), D("712.80")),
            Fund("项目支出", D("900.00"), D("960.00"), D("900.00")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.96"), budget_score=D("9.6"),
        goal_expected="1. 保障城乡低保、特困供养等困难群众基本生活；2. 做好临时救助和养老服务监管；3. 推进殡葬改革；"
                      "4. 健全社会救助长效机制。",
        goal_actual="保障城乡低保对象5860人、特困人员588人，救助资金按月足额发放；开展养老机构安全检查12次；遗体火化率63%。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=inds, reason_header="未完成原因分析", total_score=D("98.5"), conclusion="优秀", notes=NOTES_DEPARTMENT,
    )


def make_08():
    form = minzheng_form()
    assert verify_clean(form, "08", allow=("row 8 deduction",)) == D("98.5")
    fn = "08_某县民政局_2023部门整体支出绩效自评表.xls"
    g = layout_official(form, Style(), "附件3-1")
    wb = openpyxl_workbook()
    render_openpyxl(wb, g)
    with tempfile.TemporaryDirectory() as td:
        raw = Path(td) / "raw.xlsx"
        save_openpyxl(wb, raw)
        soffice_convert(raw, "xls:MS Excel 97", OUT / fn)
    s = form_sums(form)
    SAMPLES["08"] = Sample(
        fn, "openpyxl, then converted by LibreOffice to legacy BIFF8 `.xls` (`--convert-to xls:\"MS Excel 97\"`)",
        "a legacy .xls department form (某县民政局, 2023), otherwise correct: rate 1612.80/1680.00 = 96% → 9.6, "
        "总分 98.5 → 优秀",
        [f"{ref(g, 'ind.8.score')}: 社会救助长效机制 健全 → 健全 scored 9 of 10 with no reason "
         f"({ref(g, 'ind.8.reason')} empty)."],
        key_cells(g, form, s),
        [f"The other deduction ({ref(g, 'ind.1.score')} 4.9 = 588/600×5) is correct and explained.",
         "Made by LibreOffice, so byte-identical reruns are not guaranteed (the generator normalises only "
         "zip packages)."],
    )


# ==========================================================================
# 09 — xlsxwriter with seal image, chart, comment, validation, conditional
# format and a defined name (for the writer's "nothing lost" tests)


def seal_png(size: int = 160) -> bytes:
    """A red seal: ring, inner ring and a five-pointed star, drawn in pure Python."""
    cx = cy = (size - 1) / 2
    r_out, r_in = size / 2 - 2, size / 2 - 11
    star = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        rad = size * 0.2 if k % 2 == 0 else size * 0.08
        star.append((cx + rad * math.cos(ang), cy + rad * math.sin(ang)))

    def in_star(x, y):
        inside = False
        j = len(star) - 1
        for i in range(len(star)):
            xi, yi = star[i]
            xj, yj = star[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
        return inside

    raw = bytearray()
    for y in range(size):
        raw.append(0)
        for x in range(size):
            d = math.hypot(x - cx, y - cy)
            on = (r_in <= d <= r_out) or (r_in - 7 <= d <= r_in - 5) or in_star(x, y)
            raw += bytes((214, 28, 28, 235)) if on else bytes((255, 255, 255, 0))

    def chunk(t, data):
        c = struct.pack(">I", len(data)) + t + data
        return c + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def wenlv_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量", "举办群众文化活动", "≥60场", "64场", D(10), D(10)),
        Ind(P, "数量", "送戏下乡演出", "≥40场", "40场", D(10), D(10)),
        Ind(P, "数量", "开展文物安全巡查", "≥24次", "26次", D(5), D(5)),
        Ind(P, "质量", "公共文化场馆免费开放率", "=100%", "100%", D(10), D(10)),
        Ind(P, "时效", "文化惠民活动按计划完成率", "≥95%", "97%", D(5), D(5)),
        Ind(P, "成本", "单场送戏下乡补助标准", "≤1.2万元/场", "1.2万元/场", D(10), D(10)),
        Ind(B, "经济效益", "全县接待游客人次", "≥320万人次", "336万人次", D(10), D(10)),
        Ind(B, "社会效益", "公共图书馆年流通人次", "≥15万人次", "14.4万人次", D(10), D("9.6"),
            "县图书馆闭馆改造2个月，流通人次减少；改造完成后延长开放时间，开展全民阅读活动。"),
        Ind(B, "可持续影响", "文物保护单位完好率", "=100%", "100%", D(10), D(10)),
        Ind(S, "服务对象满意度", "群众满意度", "≥90%", "93%", D(10), D(10)),
    ]
    return Form(
        kind="department", year=2024, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期：2025年3月3日", header=[("部门（单位）名称", "某县文化广电旅游局")],
        funds_label="部门（单位）总体资金（万元）",
        funds=[
            Fund("年度资金总额", D("900.00"), D("980.00"), D("950.60")),
            Fund("基本支出", D("400.00"), D("410.00"), D("410.00")),
            Fund("项目支出", D("500.00"), D("570.00"), D("540.60")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.97"), budget_score=D(10),  # wrong: 9.7
        goal_expected="1. 举办群众文化活动60场以上，送戏下乡40场；2. 公共文化场馆免费开放；3. 加强文物安全巡查；"
                      "4. 推动文旅融合发展，接待游客320万人次以上。",
        goal_actual="举办群众文化活动64场、送戏下乡40场，文化场馆全部免费开放，开展文物安全巡查26次，全年接待游客336万人次。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=inds, reason_header="未完成原因分析", total_score=D("99.8"), conclusion="优秀", notes=NOTES_DEPARTMENT,
    )


def make_09():
    form = wenlv_form()
    assert verify_clean(form, "09", allow=("budget score", "total")) == D("99.6")
    fn = "09_某县文旅局_2024部门整体自评表_含印章图表批注.xlsx"
    path = OUT / fn
    g = layout_official(form, Style(), "附件3-1")
    wb = xlsxwriter_workbook(path)
    fm = XlsxwriterFormats(wb)
    ws = render_xlsxwriter(wb, g, fm)
    seal_r, seal_c = g.refs["seal"]
    ws.insert_image(seal_r - 1, seal_c + 1, "seal.png",
                    {"image_data": io.BytesIO(seal_png()), "x_scale": 0.6, "y_scale": 0.6,
                     "x_offset": 10, "y_offset": -30, "object_position": 3, "description": "单位公章"})
    sr, sc = g.refs["funds.total.score"]
    ws.write_comment(sr - 1, sc - 1, "县财政局审核意见：执行率得分应为执行率×10，请核实。",
                     {"author": "县财政局绩效股", "x_scale": 2, "y_scale": 1.5})
    cr, cc = g.refs["conclusion"]
    ws.data_validation(cr - 1, cc - 1, cr - 1, cc - 1,
                       {"validate": "list", "source": ["优秀", "良好", "中", "差"],
                        "input_title": "自评结论", "input_message": "请从下拉列表选择"})
    first, last = g.refs["ind.first"][0], g.refs["ind.last"][0]
    ws.conditional_format(f"H{first}:H{last}", {"type": "formula", "criteria": f"=$H{first}<$G{first}",
                                                 "format": wb.add_format({"bg_color": "#FFF2CC"})})
    wb.define_name("自评总分", f"='附件3-1'!${'H'}${g.refs['total.score'][0]}")
    wb.define_name("预算执行率", f"='附件3-1'!$H${g.refs['funds.total.rate'][0]}")
    ws.print_area(0, 0, g.max_row - 1, 8)
    an = wb.add_worksheet("支出分析")
    head = fm.get("datah")
    body = fm.get("datab", "0.00")
    an.write_row(0, 0, ["支出类别", "全年预算数（万元）", "全年执行数（万元）"], head)
    for i, f in enumerate(form.funds[1:3], 1):
        an.write_string(i, 0, f.label, fm.get("datab"))
        an.write_number(i, 1, float(f.budget), body)
        an.write_number(i, 2, float(f.executed), body)
    an.set_column(0, 2, 20)
    ch = wb.add_chart({"type": "column"})
    for col, nm in ((1, "全年预算数"), (2, "全年执行数")):
        ch.add_series({"name": nm, "categories": ["支出分析", 1, 0, 2, 0], "values": ["支出分析", 1, col, 2, col],
                       "data_labels": {"value": True}})
    ch.set_title({"name": "2024年预算执行情况（万元）"})
    ch.set_y_axis({"name": "万元"})
    an.insert_chart("E2", ch, {"x_scale": 1.2, "y_scale": 1.1})
    wb.close()
    normalize_package(path)
    s = form_sums(form)
    SAMPLES["09"] = Sample(
        fn, "xlsxwriter (static values) with extras the writer must keep: a red seal PNG (drawn in pure Python) "
        f"anchored next to 单位（盖章） ({col_letter(seal_c + 2)}{seal_r}), a comment (批注) on {ref(g, 'funds.total.score')}, "
        f"a data-validation list (优秀/良好/中/差) on {ref(g, 'conclusion')}, a conditional format on H{first}:H{last} "
        "(得分 < 分值 shaded), defined names `自评总分` → 总分 cell and `预算执行率` → 执行率 cell, a print area, "
        "and a second sheet `支出分析` with a data table and a column chart.",
        "a correct-ish department form (某县文化广电旅游局, 2024) with two values to be corrected by the writer",
        [f"{ref(g, 'funds.total.score')}: budget 得分 stated 10, correct 9.7 (执行率 {ref(g, 'funds.total.rate')} "
         "950.60/980.00 = 97.00%, stated correctly).",
         f"{ref(g, 'total.score')}: 总分 stated 99.8; computed from stated scores 99.6 (三级 89.6 + budget 10); "
         "fully corrected 99.3 (三级 89.6 + budget 9.7). 结论 优秀 is right either way."],
        key_cells(g, form, s),
        [f"The deduction {ref(g, 'ind.7.score')} 9.6 = 14.4/15×10 is correct and explained."],
    )


# ==========================================================================
# 10 — .xlsm with a macro. No vbaProject.bin ships with the xlsxwriter wheel
# and LibreOffice only re-exports VBA it imported, so the VBA project is built
# here: MS-OVBA streams in an MS-CFB compound file, both written by hand.


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 CompressedContainer using literal tokens only (valid, not small)."""
    out = bytearray(b"\x01")
    for start in range(0, max(len(data), 1), 4096):
        chunk = data[start:start + 4096]
        if len(chunk) == 4096:  # raw chunk: flag 0, size field 0xFFF
            out += struct.pack("<H", 0x3000 | 0x0FFF) + chunk
            continue
        body = bytearray()
        for i in range(0, len(chunk), 8):
            body.append(0)  # FlagByte: 8 literal tokens
            body += chunk[i:i + 8]
        size = len(body) + 2
        if size > 4098:
            raise ValueError("chunk too large for literal-only compression")
        out += struct.pack("<H", 0x8000 | 0x3000 | (size - 3)) + body
    return bytes(out)


def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def ovba_encrypt(data: bytes, project_id: str, seed: int = 0x43) -> str:
    """MS-OVBA 2.4.3 data encryption (CMG / DPB / GC values of the PROJECT stream)."""
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unenc1, enc1, enc2 = proj_key, seed ^ proj_key, seed ^ version

    def step(b):
        nonlocal unenc1, enc1, enc2
        e = b ^ ((enc2 + unenc1) & 0xFF)
        out.append(e)
        enc2, enc1, unenc1 = enc1, e, b

    for _ in range((seed & 6) // 2):
        step(0x07)
    for b in struct.pack("<I", len(data)) + data:
        step(b)
    return out.hex().upper()


def build_vba_project(modules: list[tuple[str, str, str]], codepage: int = 936) -> bytes:
    """modules: (name, kind 'doc'|'std', source without the attribute header)."""
    enc = f"cp{codepage}"
    project_id = "{5DD90D76-4904-47A2-AF0D-D69B4673604E}"
    # --- dir stream
    d = bytearray()
    d += _rec(0x0001, struct.pack("<I", 1))  # SYSKIND win32
    d += _rec(0x0002, struct.pack("<I", 0x0804))  # LCID zh-CN
    d += _rec(0x0014, struct.pack("<I", 0x0804))
    d += _rec(0x0003, struct.pack("<H", codepage))
    d += _rec(0x0004, b"VBAProject")
    d += _rec(0x0005, b"") + _rec(0x0040, b"")  # docstring + unicode
    d += _rec(0x0006, b"") + _rec(0x003D, b"")  # helpfile
    d += _rec(0x0007, struct.pack("<I", 0))
    d += _rec(0x0008, struct.pack("<I", 0))
    d += struct.pack("<HIIH", 0x0009, 4, 0x4B8B4E5C & 0xFFFFFFFF, 17)  # PROJECTVERSION
    d += _rec(0x000C, b"") + _rec(0x003C, b"")  # constants
    # references: stdole
    d += _rec(0x0016, b"stdole") + _rec(0x003E, "stdole".encode("utf-16-le"))
    libid = rb"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation"
    d += _rec(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    d += _rec(0x000F, struct.pack("<H", len(modules)))
    d += _rec(0x0013, struct.pack("<H", 0xFFFF))
    streams: dict[str, bytes] = {}
    for name, kind, _src in modules:
        nb = name.encode(enc)
        d += _rec(0x0019, nb) + _rec(0x0047, name.encode("utf-16-le"))
        d += _rec(0x001A, nb) + _rec(0x0032, name.encode("utf-16-le"))
        d += _rec(0x001C, b"") + _rec(0x0048, b"")
        d += _rec(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source starts at 0 (no p-code)
        d += _rec(0x001E, struct.pack("<I", 0))
        d += _rec(0x002C, struct.pack("<H", 0xFFFF))
        d += struct.pack("<HI", 0x0022 if kind == "doc" else 0x0021, 0)
        d += struct.pack("<HI", 0x002B, 0)
    d += struct.pack("<HI", 0x0010, 0)
    for name, kind, src in modules:
        if kind == "doc":
            base = {"ThisWorkbook": "0{00020819-0000-0000-C000-000000000046}"}.get(
                name, "0{00020820-0000-0000-C000-000000000046}")
            head = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{base}"',
                    "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                    "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
                    "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
        else:
            head = [f'Attribute VB_Name = "{name}"']
        text = "\r\n".join(head + src.strip("\n").split("\n")) + "\r\n"
        streams[f"VBA/{name}"] = ovba_compress(text.encode(enc))
    streams["VBA/dir"] = ovba_compress(bytes(d))
    streams["VBA/_VBA_PROJECT"] = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x00, 0x00])
    lines = [f'ID="{project_id}"']
    for name, kind, _ in modules:
        lines.append(f"Document={name}/&H00000000" if kind == "doc" else f"Module={name}")
    lines += ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{ovba_encrypt(bytes(4), project_id, 0x43)}"',
              f'DPB="{ovba_encrypt(bytes(1), project_id, 0x45)}"',
              f'GC="{ovba_encrypt(bytes([0xFF]), project_id, 0x47)}"', "",
              "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
              "[Workspace]"]
    lines += [f"{name}=0, 0, 0, 0, C" for name, _, _ in modules]
    streams["PROJECT"] = ("\r\n".join(lines) + "\r\n").encode(enc)
    wm = bytearray()
    for name, _, _ in modules:
        wm += name.encode(enc) + b"\x00" + name.encode("utf-16-le") + b"\x00\x00"
    streams["PROJECTwm"] = bytes(wm + b"\x00\x00")
    return cfb_write(streams)


def cfb_write(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (MS-CFB) holding small streams (all in the mini stream)."""
    ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    # directory tree: entries [root, storages..., streams...]
    entries = [{"name": "Root Entry", "type": 5, "children": []}]
    index = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        parent = ""
        for k, part in enumerate(parts):
            cur = "/".join(parts[: k + 1])
            if cur not in index:
                index[cur] = len(entries)
                is_stream = k == len(parts) - 1
                entries.append({"name": part, "type": 2 if is_stream else 1, "children": [],
                                "data": streams[cur] if is_stream else None})
                entries[index[parent]]["children"].append(index[cur])
            parent = cur
    # mini stream
    mini = bytearray()
    minifat: list[int] = []
    for e in entries:
        if e["type"] != 2:
            continue
        data = e["data"]
        assert len(data) < 4096
        n = max(1, math.ceil(len(data) / 64))
        e["start"] = len(minifat)
        e["size"] = len(data)
        minifat += [len(minifat) + i + 1 for i in range(n - 1)] + [ENDOFCHAIN]
        mini += data + bytes(n * 64 - len(data))

    def key(i):
        nm = entries[i]["name"]
        return (len(nm), nm.upper())

    for e in entries:  # balanced red-black trees of siblings
        e.setdefault("left", NOSTREAM)
        e.setdefault("right", NOSTREAM)
        e.setdefault("color", 1)
    for e in entries:
        kids = sorted(e["children"], key=key)
        if not kids:
            e["child"] = NOSTREAM
            continue
        depth_of = {}

        def build(lo, hi, depth):
            if lo > hi:
                return NOSTREAM
            mid = (lo + hi) // 2
            node = kids[mid]
            depth_of[node] = depth
            entries[node]["left"] = build(lo, mid - 1, depth + 1)
            entries[node]["right"] = build(mid + 1, hi, depth + 1)
            return node

        e["child"] = build(0, len(kids) - 1, 0)
        full = int(math.log2(len(kids) + 1))  # levels 0..full-1 are complete
        for node, dep in depth_of.items():
            entries[node]["color"] = 0 if dep >= full else 1
    n_mini_sectors = math.ceil(len(mini) / 512)
    n_minifat_sectors = math.ceil(len(minifat) * 4 / 512)
    n_dir_sectors = math.ceil(len(entries) * 128 / 512)
    n_fat = 1
    while True:
        total = n_mini_sectors + n_minifat_sectors + n_dir_sectors + n_fat
        if total <= n_fat * 128:
            break
        n_fat += 1
    assert n_fat <= 109
    fat: list[int] = []

    def chain(n):
        start = len(fat)
        fat.extend(start + i + 1 for i in range(n - 1))
        fat.append(ENDOFCHAIN)
        return start

    mini_start = chain(n_mini_sectors)
    minifat_start = chain(n_minifat_sectors)
    dir_start = chain(n_dir_sectors)
    fat_start = len(fat)
    fat.extend([FATSECT] * n_fat)
    fat.extend([FREESECT] * (n_fat * 128 - len(fat)))
    entries[0]["start"], entries[0]["size"] = mini_start, len(mini)
    header = bytearray()
    header += bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, minifat_start, n_minifat_sectors,
                          ENDOFCHAIN, 0)
    difat = [fat_start + i for i in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header += struct.pack("<109I", *difat)
    assert len(header) == 512
    body = bytearray()
    body += mini + bytes(n_mini_sectors * 512 - len(mini))
    mf = minifat + [FREESECT] * (n_minifat_sectors * 128 - len(minifat))
    body += struct.pack(f"<{len(mf)}I", *mf)
    dirb = bytearray()
    for e in entries:
        nm = e["name"].encode("utf-16-le") + b"\x00\x00"
        dirb += nm + bytes(64 - len(nm))
        dirb += struct.pack("<HBB", len(nm), e["type"], e["color"])
        dirb += struct.pack("<III", e["left"], e["right"], e["child"])
        dirb += bytes(16) + struct.pack("<I", 0) + bytes(16)
        start = e.get("start", ENDOFCHAIN if e["type"] != 2 else 0)
        if e["type"] == 1:
            start = 0
        dirb += struct.pack("<IQ", start, e.get("size", 0))
    while len(dirb) < n_dir_sectors * 512:
        dirb += bytes(64) + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
        dirb += bytes(16 + 4 + 16) + struct.pack("<IQ", 0, 0)
    body += dirb
    body += struct.pack(f"<{len(fat)}I", *fat)
    return bytes(header + body)


def shuiwu_form() -> Form:
    P, B, S = "产出指标", "效益指标", "满意度指标"
    inds = [
        Ind(P, "数量", "农村饮水安全工程维修养护处数", "≥45处", "47处", D(10), D(10)),
        Ind(P, "数量", "开展河湖日常巡查", "≥240次", "252次", D(10), D(10)),
        Ind(P, "质量", "农村集中供水工程水质达标率", "≥95%", "96.5%", D(10), D(10)),
        Ind(P, "时效", "防汛物资储备到位时间", "2024年5月31日前", "按期完成", D(10), D(10)),
        Ind(P, "成本", "单处维修养护平均成本", "≤8万元/处", "7.8万元/处", D(10), D(10)),
        Ind(B, "社会效益", "农村自来水普及率", "≥92%", "93%", D(10), D(10)),
        Ind(B, "生态效益", "主要河流出境断面水质达标率", "=100%", "100%", D(10), D(10)),
        Ind(B, "可持续影响", "河湖长制长效管护机制", "健全", "健全", D(10), D(10)),
        Ind(S, "服务对象满意度", "受益群众满意度", "≥90%", "92%", D(10), D(10)),
    ]
    return Form(
        kind="department", year=2024, attachment="附件3-1", title="部门整体支出绩效自评表",
        date="填报日期：2025年3月8日", header=[("部门（单位）名称", "某县水务局")],
        funds_label="部门（单位）总体资金（万元）",
        funds=[
            Fund("年度资金总额", D("1430.00"), D("1500.00"), D("1485.00")),
            Fund("基本支出", D("580.00"), D("600.00"), D("600.00")),
            Fund("项目支出", D("850.00"), D("900.00"), D("885.00")),
            Fund("其他资金", D(0), D(0), D(0)),
        ],
        rate=D("0.99"), budget_score=D("9.9"),
        goal_expected="1. 完成农村饮水安全工程维修养护45处以上；2. 落实河湖长制，开展河湖日常巡查240次以上；"
                      "3. 做好防汛抗旱物资储备；4. 农村自来水普及率达到92%。",
        goal_actual="维修养护农村饮水工程47处，开展河湖巡查252次，防汛物资5月底前储备到位，农村自来水普及率93%。",
        l1_labels={P: "产出指标", B: "效益指标", S: "满意度指标"},
        inds=inds, reason_header="未完成原因分析", total_score=D("98.9"), conclusion="优秀", notes=NOTES_DEPARTMENT,
    )


def make_10():
    form = shuiwu_form()
    assert verify_clean(form, "10", allow=("total",)) == D("99.9")
    fn = "10_某县水务局_2024部门整体自评表_含宏.xlsm"
    path = OUT / fn
    g = layout_official(form, Style(), "附件3-1")
    first, last = g.refs["ind.first"][0], g.refs["ind.last"][0]
    macro = f"""Option Explicit

' 校验总分：三级指标得分之和 + 预算执行率得分
Public Sub CheckTotal()
    Dim ws As Worksheet, r As Long, s As Double
    Set ws = ThisWorkbook.Worksheets("附件3-1")
    For r = {first} To {last}
        s = s + Val(ws.Cells(r, 8).Value)
    Next r
    s = s + ws.Range("{g.a1('funds.total.score')}").Value
    If Abs(s - ws.Range("{g.a1('total.score')}").Value) > 0.005 Then
        MsgBox "总分应为 " & Format(s, "0.00") & "，请核对。", vbExclamation, "自评表校验"
    Else
        MsgBox "总分正确。", vbInformation, "自评表校验"
    End If
End Sub
"""
    vba = build_vba_project([("ThisWorkbook", "doc", ""), ("Sheet1", "doc", ""), ("Module1", "std", macro)])
    wb = xlsxwriter_workbook(path)
    ws = render_xlsxwriter(wb, g, XlsxwriterFormats(wb))
    wb.set_vba_name("ThisWorkbook")
    ws.set_vba_name("Sheet1")
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()
    normalize_package(path)
    s = form_sums(form)
    SAMPLES["10"] = Sample(
        fn, "xlsxwriter with `add_vba_project`; the `xl/vbaProject.bin` (an MS-CFB compound file with the MS-OVBA "
        "streams PROJECT, PROJECTwm, VBA/dir, VBA/_VBA_PROJECT, VBA/ThisWorkbook, VBA/Sheet1, VBA/Module1; "
        "code page 936) is built by `build_vba_project` in the generator, because neither the xlsxwriter wheel nor "
        "LibreOffice provides one. Module1 holds a `CheckTotal` macro that re-adds the scores.",
        "a macro-enabled department form (某县水务局, 2024), otherwise correct",
        [f"{ref(g, 'total.score')}: 总分 stated 98.9, computed 99.9 (三级 90 + budget 9.9)."],
        key_cells(g, form, s),
        ["Workbook codename ThisWorkbook, sheet codename Sheet1. _VBA_PROJECT version 0xFFFF (no p-code cache: "
         "Excel recompiles from source). The writer must keep xl/vbaProject.bin and the .xlsm content type."],
    )


# ==========================================================================


def main(argv: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    makers = {k[5:]: v for k, v in sorted(globals().items()) if k.startswith("make_") and k[5:].isdigit()}
    wanted = argv or list(makers)
    for key in makers:
        if key in wanted:
            makers[key]()
            print(f"made {SAMPLES[key].file}" if key in SAMPLES else f"made {key}")
    if not argv:
        write_readme()
    else:  # keep the README complete: rebuild the descriptions of the others without writing files
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
