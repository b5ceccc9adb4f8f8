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
(The legacy .xls made by LibreOffice carries LibreOffice's own save time in its
summary stream and is the one exception.)
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
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
            v = "" if cell.value is None or cell.formula else _val(cell.value)
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, v, f)
            if cell.formula:
                ws.write_formula(r - 1, c - 1, "=" + cell.formula, f, _val(cell.cached))
            continue
        if (r, c) in covered:
            continue
        if cell.formula:
            ws.write_formula(r - 1, c - 1, "=" + cell.formula, f, _val(cell.cached))
        elif cell.value is None:
            ws.write_blank(r - 1, c - 1, None, f)
        else:
            ws.write(r - 1, c - 1, _val(cell.value), f)
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


def layout_official(form: Form, st: Style = Style(), name: str | None = None, *, formulas: str | None = None) -> Grid:
    """formulas: None (static values), 'cached' (formula + cached value), 'bare' (formula only)."""
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
        "properties and zip timestamps; the .xls made by LibreOffice is the exception).",
        "Do not edit the workbooks by hand — change the generator and rerun it.",
        "",
        "Arithmetic used below (DOMAIN.md): quantitative ≥/bare/= target: score = min(B/A,1)×分值;",
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
    sh = g.name
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
        "the four notes at the bottom.",
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
        [f"Cached values: 执行率 0.985, budget 得分 9.85, 总分 99.1. 15 三级 rows."],
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
