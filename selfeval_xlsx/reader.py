"""Find the self-evaluation forms in a workbook and build the form model.

Everything is found by its labels (``layout.py``), never by coordinates:

- a sheet holds a form where it has an indicator header row (一级指标 /
  三级指标 … 分值 / 得分); several forms per sheet or per workbook are fine;
- above that header: the title, the ``(YYYY年度)`` line, the header fields
  (单位 / 项目名称 / 主管部门 / 实施单位 / 填报日期), the funds block (found by
  its header row 年初预算数 / 全年预算数 / 全年执行数 / 执行率 …) and the
  年度总体目标 (预期目标 / 实际完成情况);
- below it: the indicator rows (blank rows skipped, 一级/二级 carried down
  through merges and groups), the 总分 row and the 自评结论 row.

Labels are compared after normalisation (:func:`norm`): NFKC, no whitespace,
bracketed suffixes such as "(A)" or "(50分)" dropped, trailing colons
dropped.

``read_workbook`` raises :class:`UnreadableError` for anything it cannot
read (see ``loading.py`` for the file-level checks) and for a workbook
without any self-evaluation form.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from decimal import Decimal

from selfeval_xlsx import cellref, layout
from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate
from selfeval_xlsx.loading import RawBook, RawSheet, load
from selfeval_xlsx.model import Block, Cell, Form, FundsRow, Indicator, Part, Workbook
from selfeval_xlsx.values import parse_number
from selfeval_xlsx.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any, Iterable

__all__ = ["read_workbook", "norm", "read_sheet"]

# --------------------------------------------------------------------------
# label normalisation

_OPENERS = {"(": 0, "[": 1, "【": 2, "〔": 3, "<": 4}
_CLOSERS = {")": 0, "]": 1, "】": 2, "〕": 3, ">": 4}
_WS = lazy(r"\s+")
_NORM_CACHE: dict[str, str] = {}


def _drop_brackets(s: str) -> str:
    """Every bracketed part dropped, nested ones too, in one pass (the
    repeated innermost-first regex this replaces was quadratic on deep
    nesting): a closer drops back to the latest opener of its own kind,
    with whatever was opened after it; a closer with no opener stays."""
    if not any(ch in s for ch in "([【〔<"):
        return s
    out: list[str] = []
    stacks: list[list[int]] = [[], [], [], [], []]  # per kind: positions in out
    for ch in s:
        kind = _OPENERS.get(ch)
        if kind is not None:
            stacks[kind].append(len(out))
            out.append(ch)
            continue
        kind = _CLOSERS.get(ch)
        if kind is not None and stacks[kind]:
            at = stacks[kind].pop()
            del out[at:]
            for other in stacks:
                while other and other[-1] >= at:
                    other.pop()
            continue
        out.append(ch)
    return "".join(out)


def norm(text: Any) -> str:
    """Normalise a label: NFKC, no whitespace, bracketed parts dropped,
    leading/trailing colons and list marks dropped.  Linear in the text."""
    if not isinstance(text, str):
        return ""
    cached = _NORM_CACHE.get(text)
    if cached is not None:
        return cached
    s = unicodedata.normalize("NFKC", text)
    s = _WS.sub("", s)
    s = _drop_brackets(s)
    s = s.strip(":：*★")
    if len(_NORM_CACHE) < 50_000 and len(text) < 1000:
        _NORM_CACHE[text] = s
    return s


def _names(*groups: Iterable[str]) -> frozenset[str]:
    return frozenset(norm(n) for g in groups for n in g if norm(n))


_IND_COLS: dict[str, str] = {}
for _col in layout.INDICATOR_COLUMNS:
    for _n in _col.names:
        _IND_COLS.setdefault(norm(_n), _col.key)
_FUND_COLS: dict[str, str] = {}
for _col in layout.FUNDS_COLUMNS:
    for _n in _col.names:
        _FUND_COLS.setdefault(norm(_n), _col.key)

_TOTAL = _names(layout.TOTAL_LABELS, ("总计得分", "合计", "总计", "合  计", "自评总分", "自评得分合计"))
_TOTAL_STRICT = _names(layout.TOTAL_LABELS)
_CONCLUSION = _names(layout.CONCLUSION_LABELS, ("自评结果", "评价结果"))
_GOAL_LABEL = _names(layout.GOAL_LABELS, ("年度目标", "总体目标", "年度绩效目标"))
_GOAL_EXPECTED = _names(("预期目标", "年度预期目标", "预期目标内容"))
_GOAL_ACTUAL = _names(("实际完成情况", "目标实际完成情况", "实际完成内容"))
_FIELD_LABELS: dict[str, str] = {}
for _key, _labels in layout.HEADER_FIELDS.items():
    for _n in _labels:
        _FIELD_LABELS.setdefault(norm(_n), _key)
# "单位(盖章)" normalises to "单位": a unit label only as "单位(盖章)：XXX"
_WEAK_UNIT = frozenset({"单位", "填报单位盖章", "单位盖章"})
_BLOCK_LABELS = _GOAL_LABEL | _GOAL_EXPECTED | _GOAL_ACTUAL | _names((layout.INDICATOR_BLOCK_LABEL, "绩效指标"))
_YEAR = lazy(r"((?:19|20)\d{2})\s*年度?")
_GRADE_WORDS = frozenset({"优秀", "良好", "优", "良", "中等", "中", "差", "及格", "合格", "不合格", "较差", "一般"})


def _is_grade(text: str) -> bool:
    """``re.match(r"^(优秀|良好|优|良|中等|中|差|及格|合格|不合格|较差|一般)(等级|等次)?$", text)``
    as set look-ups: a grade word, perhaps followed by 等级 or 等次 (``$`` also matches before a
    final newline)."""
    text = text[:-1] if text.endswith("\n") else text
    return text in _GRADE_WORDS or (text[-2:] in ("等级", "等次") and text[:-2] in _GRADE_WORDS)


_FUNDS_ROWS_BY_KIND = {
    "department": (layout.DEPARTMENT_FUNDS_ROWS, layout.PROJECT_FUNDS_ROWS),
    "project": (layout.PROJECT_FUNDS_ROWS, layout.DEPARTMENT_FUNDS_ROWS),
}


def _indicator_key(label: str) -> str | None:
    key = _IND_COLS.get(label)
    if key is not None:
        return key
    if not label or len(label) > 20:
        return None
    if "系数" in label:
        return "ratio"  # 得分系数（%）: a ratio, not points
    if "核心" in label:
        return "core"  # 是否核心指标
    if "三级指标" in label:
        return "level3"
    if "二级指标" in label:
        return "level2"
    if "一级指标" in label:
        return "level1"
    if "得分" in label:
        return "score"
    if "分值" in label or "权重" in label:
        return "weight"
    if "原因" in label:
        return "reason"
    if "完成值" in label or "实际值" in label:
        return "actual"
    if label.endswith(("指标值", "目标值")):
        return "target"
    if "指标性质" in label:
        return "nature"
    return None


def _funds_key(label: str) -> str | None:
    key = _FUND_COLS.get(label)
    if key is not None:
        return key
    if not label or len(label) > 20:
        return None
    # "执行率权重" / "执行率得分" (Chongqing) are the points and the score, not the rate
    if "权重" in label or "分值" in label:
        return "weight"
    if "得分" in label:
        return "score"
    if "执行率" in label:
        return "rate"
    if "执行数" in label:
        return "executed"
    if "年初" in label and "预算" in label:
        return "initial"
    if "预算数" in label:
        return "budget"
    return None


def _funds_row_key(label: str, kind: str) -> str | None:
    for rows in _FUNDS_ROWS_BY_KIND[kind]:
        for row in rows:
            if label == norm(row.label) or label in (norm(s) for s in row.synonyms):
                return row.key
    # "其中：当年财政拨款" style: drop a leading 其中
    if label.startswith("其中"):
        rest = label[2:].lstrip(":：,，、")
        return _funds_row_key(rest, kind) if rest else None
    return None


# --------------------------------------------------------------------------
# the sheet view

_ref = cellref.ref  # 0-based (r, c) -> "A1"



class _Cycle(Unsupported):
    """A formula refers back to itself."""


class _Sheet:
    """A grid with merge resolution and formula values."""

    def __init__(self, raw: RawSheet):
        self.name = raw.name
        self.rows = raw.rows
        self.nrows = len(raw.rows)
        self.ncols = max((len(r) for r in raw.rows), default=0)
        self.formulas = raw.formulas
        self._computed: dict[tuple[int, int], Any] = {}
        self._busy: set[tuple[int, int]] = set()
        # (r, c) -> (r0, c0, r1, c1) for every cell inside a merge
        self.merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        self.big_merges: list[tuple[int, int, int, int]] = []
        budget = 200_000
        for m in raw.merges:
            r0, c0, r1, c1 = m
            area = (r1 - r0 + 1) * (c1 - c0 + 1)
            if area > budget:
                self.big_merges.append(m)
                continue
            budget -= area
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self.merge_at[(r, c)] = m
        self._norm_rows: list[list[str]] | None = None
        self._text_rows: list[list[tuple[int, str]]] | None = None

    # values -------------------------------------------------------------
    def raw(self, r: int, c: int) -> Any:
        v = None
        if 0 <= r < self.nrows and c >= 0:
            row = self.rows[r]
            if c < len(row):
                v = row[c]
                if v == "":
                    v = None
        formulas = self.formulas
        if formulas:
            f = formulas.get((r, c))
            if f is not None and (v is None or not f[1]):
                computed = self._formula_value(r, c)
                # an unsupported formula keeps whatever value was stored
                return v if computed is None else computed
        return v

    def _formula_value(self, r: int, c: int) -> Any:
        key = (r, c)
        if key in self._computed:
            return self._computed[key]
        if key in self._busy:
            raise _Cycle()
        self._busy.add(key)
        cycle = False
        try:
            value = evaluate(self.formulas[key][0], self._get_for_formula, self.name)
        except _Cycle:
            value, cycle = None, True
        except (Unsupported, RecursionError, ValueError, TypeError, ArithmeticError):
            value = None
        finally:
            self._busy.discard(key)
        if isinstance(value, ExcelError):
            value = "#" + value.code.lstrip("#")
        self._computed[key] = value
        if cycle and self._busy:
            raise _Cycle()  # every formula on the cycle stays None
        return value

    def _get_for_formula(self, r: int, c: int) -> Any:
        return self.raw(r, c)

    def merge(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        m = self.merge_at.get((r, c))
        if m is not None or not self.big_merges:
            return m
        for m in self.big_merges:
            if m[0] <= r <= m[2] and m[1] <= c <= m[3]:
                return m
        return None

    def top_left(self, r: int, c: int) -> tuple[int, int]:
        m = self.merge(r, c)
        return (m[0], m[1]) if m else (r, c)

    def end_col(self, r: int, c: int) -> int:
        m = self.merge(r, c)
        return m[3] if m else c

    def resolved(self, r: int, c: int) -> Any:
        return self.raw(*self.top_left(r, c))

    def cell(self, r: int, c: int) -> Cell:
        """The cell at exactly (r, c) (0-based), value as read."""
        v = self.raw(r, c)
        if v.__class__ is float and v.is_integer() and abs(v) < 1e15:
            v = int(v)
        elif v == "":
            v = None
        f = self.formulas.get((r, c)) if self.formulas else None
        letters = col_letters(c)
        return Cell(self.name, f"{letters}{r + 1}", v, f[0] if f else None)

    def rcell(self, r: int, c: int) -> Cell:
        """The top-left cell of the merge covering (r, c)."""
        return self.cell(*self.top_left(r, c))

    # labels -------------------------------------------------------------
    def norm_row(self, r: int) -> list[str]:
        if self._norm_rows is None:
            self._norm_rows = [None] * self.nrows  # type: ignore[list-item]
        row = self._norm_rows[r]
        if row is None:
            src = self.rows[r]
            cache = _NORM_CACHE
            row = [(cache.get(v) or norm(v)) if v.__class__ is str and v else "" for v in src]
            self._norm_rows[r] = row
        return row

    def text_cells(self, r: int) -> list[tuple[int, str]]:
        if self._text_rows is None:
            self._text_rows = [None] * self.nrows  # type: ignore[list-item]
        cells = self._text_rows[r]
        if cells is None:
            cells = [(c, t) for c, t in enumerate(self.norm_row(r)) if t]
            self._text_rows[r] = cells
        return cells

    def row_empty(self, r: int, cols: Iterable[int] | None = None) -> bool:
        if cols is None:
            cols = range(len(self.rows[r]) if r < self.nrows else 0)
        return all(self.raw(r, c) in (None, "") for c in cols)


# --------------------------------------------------------------------------
# finding forms


def _find_indicator_headers(sh: _Sheet) -> list[tuple[int, dict[str, int]]]:
    found = []
    for r in range(sh.nrows):
        cells = sh.text_cells(r)
        if len(cells) < 3 or not any("指标" in t for _, t in cells):
            continue
        cols: dict[str, int] = {}
        for c, t in cells:
            key = _indicator_key(t)
            if key is not None and key not in cols:
                cols[key] = c
        levels = {"level1", "level2", "level3"} & cols.keys()
        values = {"target", "actual", "weight", "score"} & cols.keys()
        if levels and values and len(cols) >= 3:
            if r > 0 and not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in sh.rows[r - 1]):
                # a two-row header: 年度指标值 | 实际完成值 | 分值 | 得分 above 指标性质 | 指标值 | 度量单位
                for c, t in sh.text_cells(r - 1):
                    key = _indicator_key(t)
                    if key is not None and key not in cols and c not in cols.values():
                        cols[key] = c
            adjusted = [c for c, t in cells if t.startswith("调整") and _indicator_key(t) == "target"]
            if adjusted and "target" in cols and cols["target"] != adjusted[0]:
                # 年初指标值 | 调整指标值: the adjusted target is A
                cols["target_initial"] = cols["target"]
                cols["target"] = adjusted[0]
            found.append((r, cols))
    return found


def _unknown_columns(sh: _Sheet, r: int, cols: dict[str, int], extra_row: int | None = None) -> list[str]:
    """Header texts of the indicator table the reader gave no meaning."""
    used = set(cols.values())
    unknown = []
    for row in (r, extra_row):
        if row is None:
            continue
        for c, t in sh.text_cells(row):
            if c not in used and _indicator_key(t) is None and t not in _BLOCK_LABELS and c > min(used, default=0):
                text = str(sh.raw(row, c)).strip()
                if text not in unknown:
                    unknown.append(text)
    return unknown


def _find_funds_header(sh: _Sheet, r0: int, r1: int) -> tuple[int, dict[str, int]] | None:
    for r in range(r0, r1):
        cells = sh.text_cells(r)
        if len(cells) < 3 or not any("预算" in t or "执行" in t for _, t in cells):
            continue
        cols: dict[str, int] = {}
        for c, t in cells:
            key = _funds_key(t)
            if key is not None and key not in cols:
                cols[key] = c
        money = {"initial", "budget", "executed", "rate"} & cols.keys()
        if len(money) >= 2 and ({"budget", "executed"} & cols.keys()):
            return r, cols
    return None


_BLOCK_NUMERALS = frozenset("0123456789一二三四五六七八九十")


def _is_block(text: str) -> bool:
    """``re.match(r"^(?:年度)?绩效目标[0-9一二三四五六七八九十]+$|^目标[0-9一二三四五六七八九十]+$", text)``
    as string tests (a pattern compiled for a few labels costs a validate run more than they do;
    ``$`` also matches before a final newline)."""
    text = text[:-1] if text.endswith("\n") else text
    for prefix in ("年度绩效目标", "绩效目标", "目标"):  # no two start alike: at most one applies
        if text.startswith(prefix):
            rest = text[len(prefix):]
            return bool(rest) and all(char in _BLOCK_NUMERALS for char in rest)
    return False


# points in a label; bounded and never starting inside a run of digits, so a
# cell of 32,000 digits costs one pass (as checks.DECLARED)
_POINTS = lazy(r"(?<![\d.])(\d{1,6}(?:\.\d{1,6})?)\s{0,10}分")
_AB_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")


def _ab_only(text: str) -> bool:
    """``re.match(r"^[(（]\\s*[A-Za-zＡ-Ｚａ-ｚ]\\s*[)）]$", text)`` as string tests: one letter in
    brackets, spaces allowed inside (``\\s`` and ``str.strip`` know the same spaces; ``$`` also
    matches before a final newline)."""
    text = text[:-1] if text.endswith("\n") else text
    return (len(text) >= 3 and text[0] in "(（" and text[-1] in ")）"
            and text[1:-1].strip() in _AB_LETTERS)


_SICHUAN_CODE = "510000_0013zp"


def _block_label_above(sh: _Sheet, h: int, top: int) -> Cell | None:
    """A goal-block label (年度绩效目标1（40分）) in one of the two rows above a header."""
    for r in range(h - 1, max(top, h - 3) - 1, -1):
        for c, t in sh.text_cells(r):
            if _is_block(t):
                return sh.cell(r, c)
        if sh.text_cells(r) and r < h - 1:
            break
    return None


def _points_in(text: Any) -> Decimal | None:
    if not isinstance(text, str):
        return None
    m = _POINTS.search(unicodedata.normalize("NFKC", text))
    return Decimal(m.group(1)) if m else None


def read_sheet(raw: RawSheet) -> list[Form]:
    """Every form on one sheet (empty list when it has none)."""
    sh = _Sheet(raw)
    headers = _find_indicator_headers(sh)
    forms: list[Form] = []
    region_start = 0
    i = 0
    while i < len(headers):
        # a form may hold several goal blocks, each with its own header row
        group = [headers[i]]
        j = i + 1
        if _block_label_above(sh, headers[i][0], region_start) is not None:
            while j < len(headers) and _continues(sh, group[-1][0], headers[j][0], region_start):
                group.append(headers[j])
                j += 1
        limit = headers[j][0] if j < len(headers) else sh.nrows
        form, last_row = _read_form(sh, region_start, group, limit)
        if raw.fixed_formulas:
            form.fixed_formulas = frozenset(_ref(r, c) for r, c in raw.fixed_formulas)
        forms.append(form)
        region_start = last_row + 1
        i = j
    return forms


def _continues(sh: _Sheet, prev_h: int, h: int, top: int) -> bool:
    """True when the header at ``h`` opens another goal block of the form above."""
    label = _block_label_above(sh, h, top)
    if label is None:
        return False
    label_row = _parse_ref(label.ref)[0]
    for r in range(prev_h + 1, label_row):
        for _, t in sh.text_cells(r):
            if t in _TOTAL_STRICT or "自评表" in t or "评价表" in t:
                return False
    return True


def _skip_header_rows(sh: _Sheet, data_start: int, limit: int, cols: dict[str, int]) -> tuple[int, dict[str, int], int | None]:
    """Sub-header rows under the header: extra column names, or only "（A）"/"（B）"."""
    extra_row = None
    if data_start < limit:
        extra = {}
        for c, t in sh.text_cells(data_start):
            key = _indicator_key(t)
            if key is not None and key not in cols and key not in extra:
                extra[key] = c
        numeric = any(isinstance(sh.raw(data_start, c), (int, float)) for c in range(sh.ncols))
        if len(extra) >= 2 and not numeric:
            cols = {**cols, **extra}
            extra_row = data_start
            data_start += 1
    if data_start < limit:
        texts = [v for v in sh.rows[data_start] if isinstance(v, str) and v.strip()]
        numbers = [v for v in sh.rows[data_start] if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if texts and not numbers and all(_ab_only(unicodedata.normalize("NFKC", v).strip()) for v in texts):
            data_start += 1  # "（A）" | "（B）" under 年度指标值 | 实际完成值: part of the header
    return data_start, cols, extra_row


def _read_form(sh: _Sheet, top: int, group: list[tuple[int, dict[str, int]]], limit: int) -> tuple[Form, int]:
    h, cols = group[0]
    form = Form(sheet=sh.name, kind="department", indicator_header_row=h + 1)
    data_start, cols, extra_row = _skip_header_rows(sh, h + 1, limit, cols)

    # the area above the table -------------------------------------------
    first_block = _block_label_above(sh, h, top)  # 年度绩效目标1（80分） above the (first) header
    head_limit = _parse_ref(first_block.ref)[0] if first_block is not None else h
    funds = _find_funds_header(sh, top, head_limit)
    head_end = funds[0] if funds else head_limit
    _read_title(sh, form, top, head_end)
    _read_fields(sh, form, top, head_limit, funds)
    stated_field = _read_total_field(sh, top, head_limit, funds)
    funds_label, funds_label_raw = "", None
    if funds:
        form.funds_header_row = funds[0] + 1
        funds_label, funds_label_raw = _read_funds_block_label(sh, funds[0], funds[1])
    # kind decides funds row keys, so settle it before reading the rows
    title = norm(form.title.value) if form.title is not None else ""
    if "项目" in title or "project" in form.fields or "项目资金" in funds_label:
        form.kind = "project"
    if funds:
        _read_funds(sh, form, funds[0], funds[1], head_limit, funds_label_raw)
    _read_goals(sh, form, top, head_limit)
    _funds_part(sh, form, top, head_limit, funds, funds_label, funds_label_raw)

    # the indicator table ---------------------------------------------------
    end = _read_indicators(sh, form, data_start, cols, group[1][0] if len(group) > 1 else limit)
    if first_block is not None:
        form.blocks.append(_block(sh, first_block, form, 0))
    unknown = _unknown_columns(sh, h, cols, extra_row)
    for k, (bh, bcols) in enumerate(group[1:], start=1):
        label = _block_label_above(sh, bh, top)
        count = len(form.indicators)
        bstart, bcols, bextra = _skip_header_rows(sh, bh + 1, limit, bcols)
        block_limit = group[k + 1][0] if k + 1 < len(group) else limit
        end = _read_indicators(sh, form, bstart, bcols, block_limit)
        if label is not None:
            form.blocks.append(_block(sh, label, form, count))
        for text in _unknown_columns(sh, bh, bcols, bextra):
            if text not in unknown:
                unknown.append(text)
    last = max(end - 1, group[-1][0])
    last = _read_total_and_conclusion(sh, form, end, cols, limit, last)
    if form.total is None and stated_field is not None:
        form.total, inline = stated_field
        form.parts["total"] = Part("total", "ok", form.total.ref, info={"header_field": True, "inline": inline})
    _indicator_part(sh, form, h, cols, unknown, end)
    _total_and_conclusion_parts(sh, form)
    _recognise(sh, form, top, last, cols)
    return form, last


def _block(sh: _Sheet, label: Cell | None, form: Form, first: int) -> Block:
    rows = [ind.row for ind in form.indicators[first:]]
    return Block(label=label, points=_points_in(label.value) if label is not None else None, rows=rows)


_TOTAL_FIELDS = _names(("自评总分", "自评得分", "综合得分", "自评总得分", "总得分"))


def _read_total_field(
    sh: _Sheet, top: int, h: int, funds: tuple[int, dict[str, int]] | None
) -> tuple[Cell, bool] | None:
    """A stated total written as a header field above the table: 自评总分（分）：96."""
    for r in range(top, h):
        if funds and r == funds[0]:
            continue
        for c, t in sh.text_cells(r):
            if "分" not in t:
                continue  # every total field label ends in 分
            if t in _TOTAL_FIELDS:
                value = _value_right(sh, r, c)
                if value is not None:
                    return value, False
            raw = sh.raw(r, c)
            if isinstance(raw, str):
                m = _LABEL_VALUE.match(raw)
                if m and norm(m.group(1)) in _TOTAL_FIELDS and parse_number(m.group(2).strip()) is not None:
                    ref = sh.cell(r, c)
                    return Cell(sh.name, ref.ref, m.group(2).strip(), ref.formula), True
    return None


def _read_title(sh: _Sheet, form: Form, top: int, end: int) -> None:
    title_cell = None
    year_cell = None
    for r in range(top, end):
        for c, raw in enumerate(sh.rows[r]):
            if not isinstance(raw, str) or not raw:
                continue
            t = norm(raw)
            if title_cell is None and ("自评表" in t or "评价表" in t or ("绩效" in t and t.endswith("表"))):
                title_cell = sh.cell(r, c)
            if year_cell is None and "年度" in raw and "日期" not in t:
                m = _YEAR.search(unicodedata.normalize("NFKC", raw))
                if m:
                    year_cell = (sh.cell(r, c), int(m.group(1)))
        if title_cell is not None and year_cell is not None:
            break
    form.title = title_cell
    if year_cell is None and title_cell is not None:
        m = _YEAR.search(unicodedata.normalize("NFKC", title_cell.text))
        if m:
            year_cell = (title_cell, int(m.group(1)))
    if year_cell is not None:
        form.year_cell, form.year = year_cell


class _LabelValue:
    """"label：value" in one cell: the label is the text before the first
    colon (1 to 20 characters once trimmed).  Found with str.find, not a
    regex (whose backtracking over long runs of spaces was quadratic)."""

    __slots__ = ("_label", "_value")

    def __init__(self, label: str, value: str):
        self._label, self._value = label, value

    def group(self, n: int) -> str:
        return self._label if n == 1 else self._value

    @staticmethod
    def match(raw: str) -> _LabelValue | None:
        head = raw[:64]
        at = min((i for i in (head.find(":"), head.find("：")) if i >= 0), default=-1)
        if at < 0:
            return None
        label = raw[:at].strip()
        if not 1 <= len(label) <= 20:
            return None
        return _LabelValue(label, raw[at + 1 :].lstrip())


_LABEL_VALUE = _LabelValue


def _is_label(t: str) -> bool:
    return (
        t in _FIELD_LABELS
        or t in _BLOCK_LABELS
        or t in _CONCLUSION
        or t in _TOTAL_STRICT
        or t in _WEAK_UNIT
        or _funds_key(t) is not None
        or _IND_COLS.get(t) is not None
    )


def _value_right(sh: _Sheet, r: int, c: int) -> Cell | None:
    """The value cell right of the label at (r, c): the next non-empty cell
    (through merges) unless that is itself a label; else the next cell;
    None when the label ends the row."""
    start = sh.end_col(r, c) + 1
    first = None
    seen: set[tuple[int, int]] = set()
    for cc in range(start, sh.ncols):
        tl = sh.top_left(r, cc)
        if tl in seen:
            continue
        seen.add(tl)
        if first is None:
            first = tl
        v = sh.raw(*tl)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, str) and _is_label(norm(v)):
            break
        return sh.cell(*tl)
    if first is None:
        return None
    return sh.cell(*first)


def _read_fields(sh: _Sheet, form: Form, top: int, h: int, funds: tuple[int, dict[str, int]] | None) -> None:
    weak_unit: Cell | None = None
    for r in range(top, h):
        if funds and r > funds[0]:
            break
        for c, t in sh.text_cells(r):
            key = _FIELD_LABELS.get(t)
            if key is not None:
                if key not in form.fields:
                    value = _value_right(sh, r, c)
                    if value is not None:
                        form.fields[key] = value
                continue
            raw = sh.raw(r, c)
            if not isinstance(raw, str):
                continue
            m = _LABEL_VALUE.match(raw)
            if not m:
                continue
            label = norm(m.group(1))
            value = m.group(2).strip()
            key = _FIELD_LABELS.get(label)
            ref = sh.cell(r, c)
            if key is not None and key not in form.fields:
                form.fields[key] = Cell(sh.name, ref.ref, value or None, ref.formula)
            elif label in _WEAK_UNIT and value and weak_unit is None:
                weak_unit = Cell(sh.name, ref.ref, value, ref.formula)
    if weak_unit is not None and ("unit" not in form.fields or form.fields["unit"].empty):
        form.fields["unit"] = weak_unit  # "单位（盖章）：某局" names the unit the empty 单位名称 cell did not


def _read_funds_block_label(sh: _Sheet, hr: int, cols: dict[str, int]) -> tuple[str, str | None]:
    """The block label left of the funds header (normalised, and as written)."""
    first = min(cols.values())
    for c in range(first - 1, -1, -1):
        raw = sh.resolved(hr, c)
        t = norm(raw)
        if t:
            return t, raw
    # a label in the row above (预算执行情况（万元）（20分） over the header)
    if hr > 0:
        for c, t in sh.text_cells(hr - 1):
            if ("预算" in t or "资金" in t) and c <= first + 1:
                return t, sh.raw(hr - 1, c)
    return "", None


def _read_funds(sh: _Sheet, form: Form, hr: int, cols: dict[str, int], h: int, block_label: Any = None) -> None:
    value_cols = {k: c for k, c in cols.items() if k not in ("source", "reason")}
    # the budget points: the block label "（20分）" or the score header "得分（20分*执行率）"
    points = _points_in(block_label)
    if points is None and "score" in cols:
        points = _points_in(sh.raw(hr, cols["score"]))
    form.budget_points = points
    label_col = cols.get("source")
    if label_col is None:
        label_col = min(value_cols.values()) - 1
        if label_col < 0:
            return
    used: set[str] = set()
    first = hr + 1
    if first < h:
        texts = [v for v in sh.rows[first] if isinstance(v, str) and v.strip()]
        if texts and all(_ab_only(unicodedata.normalize("NFKC", v).strip()) for v in texts):
            first += 1  # "（A）" | "（B）" under 全年预算数 | 全年执行数: part of the header
    for r in range(first, h):
        tl = sh.top_left(r, label_col)
        if tl[0] != r:
            label_raw = None  # continuation of a merge from above
        else:
            label_raw = sh.raw(*tl)
        t = norm(label_raw) if isinstance(label_raw, str) else ""
        if not t and r == first and tl[0] < r and not form.funds:
            # the block label merged over header and data (Chongqing): one unlabelled total row
            values = [sh.raw(r, c) for c in value_cols.values()]
            if any(v not in (None, "") for v in values):
                row = FundsRow(key="total", label=sh.cell(*tl))
                for k, c in value_cols.items():
                    setattr(row, k, sh.cell(r, c))
                form.funds.append(row)
                continue
        if not t:
            break
        if t in _BLOCK_LABELS or t in _TOTAL_STRICT or t in _CONCLUSION or _indicator_key(t) in ("level1", "level2", "level3"):
            break
        if _funds_key(t) is not None and any(_funds_key(x) for _, x in sh.text_cells(r)[1:]):
            break  # another header row
        key = _funds_row_key(t, form.kind)
        if key is None or key in used:
            key = f"row{r + 1}"
        used.add(key)
        row = FundsRow(key=key, label=sh.cell(*tl))
        for k, c in value_cols.items():
            setattr(row, k, sh.cell(r, c))
        form.funds.append(row)


def _read_goals(sh: _Sheet, form: Form, top: int, h: int) -> None:
    exp_at = act_at = None
    for r in range(top, h):
        for c, t in sh.text_cells(r):
            if exp_at is None and t in _GOAL_EXPECTED:
                exp_at = (r, c)
            elif act_at is None and t in _GOAL_ACTUAL:
                act_at = (r, c)
        if exp_at and act_at:
            break
    if exp_at and act_at and exp_at[0] == act_at[0]:
        # header row: values in the next row (top-left of their merges)
        for key, (r, c) in (("expected", exp_at), ("actual", act_at)):
            m = sh.merge(r, c)
            below = (m[2] if m else r) + 1
            if below < h:
                form.goals[key] = sh.rcell(below, c)
        return
    for key, at in (("expected", exp_at), ("actual", act_at)):
        if at is not None:
            value = _value_right(sh, *at)
            if value is not None:
                form.goals[key] = value


def _read_indicators(sh: _Sheet, form: Form, start: int, cols: dict[str, int], limit: int) -> int:
    """Read indicator rows from ``start``; returns the first row after the table."""
    content = [cols[k] for k in ("level3", "target", "actual", "weight", "score", "reason", "nature", "unit", "ratio",
                                 "target_initial") if k in cols]
    level_cols = [cols[k] for k in ("level1", "level2", "level3") if k in cols]
    first_level = min(level_cols) if level_cols else 0
    carry: dict[str, Cell | None] = {"level1": None, "level2": None}
    r = start
    while r < limit:
        if _is_end_row(sh, r, first_level):
            return r
        if all(sh.raw(r, c) in (None, "") or (sh.top_left(r, c)[0] != r and c in level_cols) for c in content):
            r += 1
            continue
        ind: dict[str, Cell | None] = {}
        for key in ("level1", "level2"):
            if key in cols:
                tl = sh.top_left(r, cols[key])
                v = sh.raw(*tl)
                if v is not None and not (isinstance(v, str) and not v.strip()):
                    cell = sh.cell(*tl)
                    if key == "level1" and (
                        carry["level1"] is None or norm(carry["level1"].text) != norm(cell.text)
                    ):
                        carry["level2"] = None  # a new 一级 group starts its own 二级
                    carry[key] = cell
            ind[key] = carry[key] if key in cols else None
        if "level3" in cols:
            ind["level3"] = sh.rcell(r, cols["level3"])
        for key in ("target", "actual", "weight", "score", "reason", "nature", "unit", "ratio", "target_initial"):
            ind[key] = sh.cell(r, cols[key]) if key in cols else None
        if "target_initial" in cols and ind["target"] is not None and ind["target"].empty:
            ind["target"] = ind["target_initial"]  # no adjustment: the initial target is A
        kind, placeholder = _placeholder_row(ind)
        if kind is not None:
            # an empty template slot ("指标2：", "……", "/" and nothing else) or a "其中…" detail row under a
            # scored row: not an indicator, no finding; placeholder content ("指标1 | * | *"): Q204 once
            if placeholder is not None:
                form.placeholders.append(placeholder)
            r += 1
            continue
        form.indicators.append(
            Indicator(
                row=r + 1,
                level1=ind["level1"],
                level2=ind["level2"],
                level3=ind.get("level3"),
                target=ind["target"],
                actual=ind["actual"],
                weight=ind["weight"],
                score=ind["score"],
                reason=ind["reason"],
                nature=ind["nature"],
                unit=ind["unit"],
                ratio=ind["ratio"],
                target_initial=ind["target_initial"],
            )
        )
        r += 1
    return r


_DASHES = frozenset({"", "-", "--", "—", "——", "–", "\\"})
_FILLER_MARKS = frozenset("*＊xX×")


def _is_placeholder(text: str, slot: bool = False) -> bool:
    """A template's stand-in text, as string tests (``$`` also matches before a final newline,
    ``.`` never a newline, ``\\d`` is ``str.isdecimal``):
    ``re.match(r"^(?:指标\\d*|[*＊xX×]+|…+|\\.{3,}|/|／|XX+|xx+|示例.*|例:.*)$", text)``, or with ``slot``
    an empty slot's only: ``re.match(r"^(?:指标\\d*|…+|\\.{3,}|/|／)$", text)``."""
    text = text[:-1] if text.endswith("\n") else text
    if not text:
        return False
    first = text[0]  # the alternatives start with different characters: at most one applies
    if text.startswith("指标"):
        return all(char.isdecimal() for char in text[2:])
    if first == "…" or first == ".":
        return text == first * len(text) and (first == "…" or len(text) >= 3)
    if text == "/" or text == "／":
        return True
    if slot:
        return False
    if first in _FILLER_MARKS:
        return all(char in _FILLER_MARKS for char in text)
    if text.startswith("示例") or text.startswith("例:"):
        return "\n" not in text
    return False


@functools.lru_cache(maxsize=8192)
def _compact(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def _placeholder_row(ind: dict[str, Cell | None]) -> tuple[str | None, Cell | None]:
    """("slot", None) for an empty template slot, ("detail", None) for a "其中…" row without points,
    ("placeholder", cell) for a row of nothing but placeholder content, (None, None) otherwise."""
    level3 = ind.get("level3")
    if level3 is not None and not level3.empty:
        name = _compact(level3.text)
        if name.startswith("其中") and all(ind.get(k) is None or ind[k].empty for k in ("weight", "score")):
            return "detail", None
        if len(name) > 12 or not _is_placeholder(name.rstrip("/／").rstrip(":：") or name):
            return None, None  # a real indicator name
    cells = []
    for key in ("level3", "target", "actual", "weight", "score", "reason"):
        cell = ind.get(key)
        if cell is None or cell.empty:
            continue
        value = cell.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None, None  # a number: not a placeholder row
        text = _compact(cell.text)
        if len(text) > 1:
            text = text.rstrip("/／").rstrip(":：") or text  # "指标1:/" is the slot 指标1 marked empty
        if text in _DASHES or text in ("/", "／"):
            continue
        if not _is_placeholder(text):
            return None, None
        cells.append((cell, text))
    if not cells:
        return "slot", None  # "/" and dashes only
    if len(cells) == 1 and _is_placeholder(cells[0][1], slot=True):
        return "slot", None
    return "placeholder", cells[0][0]


def _is_end_row(sh: _Sheet, r: int, first_level: int) -> bool:
    for c, t in sh.text_cells(r):
        if t in _TOTAL or t in _CONCLUSION or _is_block(t):
            return True
        if t.startswith(("注:", "注1", "注：", "说明:")) or t == "注":
            return True
        if t in ("存在问题", "改进措施", "问题及改进措施") or t.startswith(("其他需要说明", "其他说明事项", "需要说明的")):
            return True
        if c > first_level + 1:
            break
    return False


def _find_label(sh: _Sheet, r: int, labels: frozenset[str]) -> tuple[int, str | None] | None:
    """Column of a label on row r; with the value text if written "label：value"."""
    for c, t in sh.text_cells(r):
        if t in labels:
            return c, None
        raw = sh.raw(r, c)
        if isinstance(raw, str):
            m = _LABEL_VALUE.match(raw)
            if m and norm(m.group(1)) in labels:
                return c, m.group(2).strip()
    return None


def _read_total_and_conclusion(
    sh: _Sheet, form: Form, start: int, cols: dict[str, int], limit: int, last: int
) -> int:
    weight_col, score_col = cols.get("weight"), cols.get("score")
    r = start
    total_row = None
    stop = min(limit, start + 30)
    while r < stop:
        if total_row is None:
            found = _find_label(sh, r, _TOTAL)
            if found is not None:
                total_row = r
                last = r
                _read_total(sh, form, r, found[0], weight_col, score_col)
                form.parts["total"] = Part(
                    "total", "ok" if form.total is not None else "partial",
                    form.total.ref if form.total is not None else _ref(r, found[0]),
                    info={"label": _ref(r, found[0])},
                    missing=[] if form.total is not None else [("未找到填报总分的单元格", "no cell holds the stated total")],
                )
                r += 1
                continue
        found = _find_label(sh, r, _CONCLUSION)
        if found is not None:
            c, inline = found
            if inline is not None:
                ref = sh.cell(r, c)
                form.conclusion = Cell(sh.name, ref.ref, inline or None, ref.formula)
            else:
                form.conclusion = _conclusion_value(sh, r, c)
            _classify_conclusion(sh, form, r, c, limit)
            last = r
            break
        if total_row is None and r > start + 3 and sh.text_cells(r):
            # neither row came right after the table; keep looking a little
            pass
        r += 1
    if form.conclusion is None and total_row is not None and form.total is not None:
        # Yunnan: the grade written in the 总分 row, right of the score
        tr, tc = _parse_ref(form.total.ref)
        for c in range(sh.end_col(tr, tc) + 1, sh.ncols):
            tl = sh.top_left(tr, c)
            v = sh.raw(*tl)
            if isinstance(v, str) and _is_grade(norm(v)):
                form.conclusion = sh.cell(*tl)
                form.parts["conclusion"] = Part("conclusion", "ok", form.conclusion.ref,
                                                info={"kind": "grade", "in_total_row": True})
                break
    return last


_INSTRUCTIONS = lazy(
    r"字以内|字以下|字左右|结合自评|结合.{0,12}情况|请[^，。；]{0,8}填|简要(?:说明|描述|概述|阐述)|填写说明|填报说明|此处填"
)
_NARRATIVE_FOLLOWERS = frozenset({"存在问题", "改进措施", "问题及改进措施", "存在的问题", "整改措施", "下一步改进措施"})


def _classify_conclusion(sh: _Sheet, form: Form, r: int, c: int, limit: int) -> None:
    """Grade cell, narrative box, or a box still holding the template's instructions.

    A grade is read only from a cell that holds a grade word; a narrative
    box is never a place to write a grade."""
    cell = form.conclusion
    label = norm(sh.raw(r, c))
    text = _WS.sub("", unicodedata.normalize("NFKC", cell.text)) if cell is not None else ""
    followed = any(
        t in _NARRATIVE_FOLLOWERS for rr in range(r + 1, min(limit, r + 4)) for _, t in sh.text_cells(rr)
    )
    narrative_box = followed and label.startswith("评价")
    rng = cell.ref if cell is not None else _ref(r, c)
    m = sh.merge(*_parse_ref(cell.ref)) if cell is not None else None
    if m is not None:
        rng = f"{_ref(m[0], m[1])}:{_ref(m[2], m[3])}"
    if text and _is_grade(norm(cell.text)):
        form.parts["conclusion"] = Part("conclusion", "ok", rng, info={"kind": "grade"})
        return
    if text and _INSTRUCTIONS.search(text):
        form.parts["conclusion"] = Part(
            "conclusion", "partial", rng, info={"kind": "instructions", "label": sh.raw(r, c)},
            missing=[("仍是模板的填表说明，未填写", "still holds the template's instructions, not filled in")],
        )
        form.conclusion = None
        return
    if text and (len(text) > 6 or narrative_box):
        # narrative: a grade only from another cell of the row that holds a grade word
        grade_cell = None
        for cc in range(sh.ncols):
            tl = sh.top_left(r, cc)
            v = sh.raw(*tl)
            if tl != _parse_ref(cell.ref) and isinstance(v, str) and _is_grade(norm(v)):
                grade_cell = sh.cell(*tl)
                break
        form.conclusion = grade_cell
        form.parts["conclusion"] = Part("conclusion", "ok", rng, info={
            "kind": "narrative", "grade_cell": grade_cell.ref if grade_cell else None})
        return
    form.parts["conclusion"] = Part("conclusion", "ok", rng, info={"kind": "narrative" if narrative_box else "grade"})


def _conclusion_value(sh: _Sheet, r: int, c: int) -> Cell:
    start = sh.end_col(r, c) + 1
    for cc in range(start, sh.ncols):
        tl = sh.top_left(r, cc)
        if tl[0] != r and tl[1] < start:
            continue
        v = sh.raw(*tl)
        if v is not None and not (isinstance(v, str) and not v.strip()):
            return sh.cell(*tl)
    return sh.rcell(r, start)


def _read_total(sh: _Sheet, form: Form, r: int, c: int, weight_col: int | None, score_col: int | None) -> None:
    label_end = sh.end_col(r, c)
    right: list[Cell] = []
    seen = set()
    for cc in range(label_end + 1, sh.ncols):
        tl = sh.top_left(r, cc)
        if tl in seen:
            continue
        seen.add(tl)
        v = sh.raw(*tl)
        if v not in (None, "") and not (isinstance(v, str) and _is_grade(norm(v))):
            right.append(sh.cell(*tl))
    weight_ok = weight_col is not None and weight_col > label_end
    score_ok = score_col is not None and score_col > label_end
    if weight_ok:
        form.total_weight = sh.rcell(r, weight_col)  # type: ignore[arg-type]
    if score_ok:
        form.total = sh.rcell(r, score_col)  # type: ignore[arg-type]
        others = [x for x in right if x.ref not in (form.total.ref, form.total_weight.ref if form.total_weight else "")]
        if form.total.empty and len(others) == 1 and parse_number(others[0].value) is not None:
            form.total = others[0]  # "自评总分 | 95.75" written right of its label, not under 得分
    if not score_ok:
        numbers = [x for x in right if form.total_weight is None or x.ref != form.total_weight.ref]
        if not weight_ok and len(numbers) >= 2:
            form.total_weight, form.total = numbers[0], numbers[1]
        elif numbers:
            form.total = numbers[-1] if weight_ok else numbers[0]
            if not weight_ok and len(numbers) == 1:
                form.total = numbers[0]


_parse_ref = cellref.rc0  # "A1" -> 0-based (r, c)


# --------------------------------------------------------------------------
# what was understood


def _range(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{_ref(r0, c0)}:{_ref(r1, c1)}"


_FUNDS_HINTS = ("预算执行情况", "总体资金", "项目资金", "资金情况", "资金来源", "资金总额", "预算资金")


def _funds_part(sh: _Sheet, form: Form, top: int, h: int, funds, label: str, label_raw: Any) -> None:
    if funds is None:
        for r in range(top, h):
            for c, t in sh.text_cells(r):
                # a block label ("项目资金（万元）", "预算执行情况(10分)"), never a sentence that mentions funds
                if len(t) <= 12 and any(t.startswith(hint) or t.endswith(hint) for hint in _FUNDS_HINTS):
                    r1 = r
                    while r1 + 1 < h and sh.text_cells(r1 + 1) and not any(
                        t2 in _BLOCK_LABELS for _, t2 in sh.text_cells(r1 + 1)
                    ):
                        r1 += 1
                    form.parts["funds"] = Part(
                        "funds", "partial", _range(r, 0, r1, max(sh.ncols - 1, 0)),
                        info={"label": str(sh.raw(r, c)).strip()},
                        missing=[("未找到预算数（A）和执行数（B）列", "no budget (A) and executed (B) columns")],
                    )
                    return
        form.parts["funds"] = Part("funds", "absent")
        return
    hr, cols = funds
    first = min(cols.values())
    if "source" not in cols:
        first = max(first - 1, 0)
    if label:
        first = 0
    last_row = _parse_ref(form.funds[-1].label.ref)[0] if form.funds else hr
    for row in form.funds:
        for cell in (row.budget, row.executed, row.score):
            if cell is not None:
                last_row = max(last_row, _parse_ref(cell.ref)[0])
    part = Part(
        "funds", "ok", _range(hr, first, last_row, max(cols.values())),
        columns={k: col_letters(c) for k, c in sorted(cols.items(), key=lambda kv: kv[1])},
        info={"label": (str(label_raw).strip() if label_raw else "") or None,
              "points": float(form.budget_points) if form.budget_points is not None else None},
    )
    if "budget" not in cols:
        part.missing.append(("未找到预算数列（A，全年预算数/调整后预算数）", "no budget column (A)"))
    if "executed" not in cols:
        part.missing.append(("未找到执行数列（B）", "no executed column (B)"))
    if form.funds_row("total") is None:
        part.missing.append(("未找到资金总额行", "no total row"))
    if part.missing:
        part.status = "partial"
    form.parts["funds"] = part


def _indicator_part(sh: _Sheet, form: Form, h: int, cols: dict[str, int], unknown: list[str], end: int) -> None:
    last_row = max([ind.row - 1 for ind in form.indicators] + [h])
    part = Part(
        "indicators", "ok", _range(h, min(cols.values()), last_row, max(cols.values())),
        columns={k: col_letters(c) for k, c in sorted(cols.items(), key=lambda kv: kv[1])},
        unknown=unknown,
    )
    form.level1_column = "level1" in cols
    if "score" not in cols:
        if "ratio" in cols:
            part.missing.append(("只有得分系数列（比率，不是分数），没有得分（分）列；各指标得分未核验",
                                 "only a score-ratio column (a ratio, not points), no score column; scores not checked"))
        else:
            part.missing.append(("没有得分列；各指标得分未核验", "no score column; scores not checked"))
    if "weight" not in cols:
        part.missing.append(("没有分值列；各指标得分上限未核验", "no weight column; the cap of each score is not checked"))
    if "score" in cols and "target" not in cols and "actual" not in cols:
        # a sheet scored against written criteria (指标解释 / 评分标准), not against targets
        part.missing.append(("没有年度指标值和实际完成值列（按评分标准打分的评价表）；各指标得分未核验",
                             "no target and no actual column (a sheet scored against criteria); scores not checked"))
    if part.missing:
        part.status = "partial"
    form.parts["indicators"] = part


def _total_and_conclusion_parts(sh: _Sheet, form: Form) -> None:
    if "total" not in form.parts:
        if form.total is not None:
            form.parts["total"] = Part("total", "ok", form.total.ref, info={"header_field": True})
        else:
            form.parts["total"] = Part("total", "absent")
    if "conclusion" not in form.parts:
        form.parts["conclusion"] = Part("conclusion", "absent")
    title = form.title
    form.parts = {
        "title": Part("title", "ok" if title is not None else "absent", title.ref if title else None,
                      info={"kind": form.kind, "year": form.year}),
        **{k: form.parts[k] for k in ("funds", "indicators", "total", "conclusion") if k in form.parts},
    }


_EVALUATION_LEVEL1 = ("决策", "过程", "管理")


def _recognise(sh: _Sheet, form: Form, top: int, last: int, cols: dict[str, int]) -> None:
    """The layout the form follows, from its markers."""
    markers: list[str] = []
    head = (form.indicator_header_row or top + 1) - 1
    for r in range(top, min(head, sh.nrows)):  # 报表编号 sits in the header area
        for v in sh.rows[r]:
            if v.__class__ is str and "510000" in v and _SICHUAN_CODE in v.replace(" ", "").lower():
                markers.append(_SICHUAN_CODE)
                break
        if markers:
            break
    funds = form.parts.get("funds")
    if "ratio" in cols:
        markers.append("得分系数")
    if form.funds_header_row is not None:
        texts = [t for _, t in sh.text_cells(form.funds_header_row - 1)]
        if any("执行率权重" in t or "执行率得分" in t for t in texts):
            markers.append("执行率权重")
        if funds is not None and funds.status == "ok" and "initial" in funds.columns and any(
            t.startswith("调整后预算") for t in texts
        ) and any("权重" == t for t in texts):
            markers.append("调整后预算数/权重")
    if form.blocks:
        markers.append("年度绩效目标N")
    level1 = {ind.level1.text for ind in form.indicators if ind.level1 is not None and ind.level1.value is not None}
    if any("决策" in t for t in level1) and any("过程" in t or "管理" in t for t in level1):
        markers.append("决策/过程")
    if form.parts.get("conclusion") and form.parts["conclusion"].info.get("in_total_row"):
        markers.append("总分行等级")
    form.markers = markers
    if _SICHUAN_CODE in markers or "调整后预算数/权重" in markers:
        form.layout = "sichuan"
    elif "得分系数" in markers or "执行率权重" in markers:
        form.layout = "chongqing"
    elif "年度绩效目标N" in markers or form.budget_points == 20:
        form.layout = "hubei"
    elif "决策/过程" in markers:
        form.layout = "evaluation"
    elif "总分行等级" in markers:
        form.layout = "yunnan"
    elif any(p.status == "partial" for p in form.parts.values()) or not form.level1_column:
        form.layout = "unknown"
    else:
        form.layout = "mof-3-2" if form.kind == "project" else "mof-3-1"


# --------------------------------------------------------------------------


def read_workbook(path: str | os.PathLike) -> Workbook:
    """Read every self-evaluation form in the workbook at ``path``.

    Raises :class:`UnreadableError` (one-line zh/en message, ``path`` set)
    for a file that cannot be read or that holds no form."""
    return read_raw(load(path), path)


_SCORE_WORDS = ("分值", "得分", "评分", "自评分")


def unknown_form(raw: RawSheet) -> Form | None:
    """A sheet titled as a performance evaluation (绩效 … 自评/评价/评分) that has points or scores but no
    indicator header the reader knows: a form of unknown layout, so that it gets one L finding (and fill
    leaves it alone) instead of "no form found"."""
    sh = _Sheet(raw)
    title = None
    for r in range(min(3, sh.nrows)):
        for c, t in sh.text_cells(r):
            if "绩效" in t and any(w in t for w in ("自评", "评价", "评分")):
                title = sh.cell(r, c)
                break
        if title is not None:
            break
    if title is None:
        return None
    last = min(sh.nrows, 60)
    if not any(any(w in t for w in _SCORE_WORDS) for r in range(last) for _, t in sh.text_cells(r)):
        return None
    form = Form(sheet=sh.name, kind="project" if "项目" in norm(title.value) else "department", title=title)
    m = _YEAR.search(unicodedata.normalize("NFKC", title.text))
    if m:
        form.year_cell, form.year = title, int(m.group(1))
    r1 = max((r for r in range(sh.nrows) if sh.text_cells(r)), default=0)
    c1 = max(sh.ncols - 1, 0)
    form.parts = {
        "title": Part("title", "ok", title.ref, info={"kind": form.kind, "year": form.year}),
        "funds": Part("funds", "absent"),
        "indicators": Part(
            "indicators", "partial", _range(0, 0, r1, c1),
            missing=[("未找到绩效指标表头（一级/三级指标 … 指标值、完成值、分值、得分），不是本工具认识的自评表版式；"
                      "未做任何核验", "no indicator header (一级/三级指标 … 指标值, 完成值, 分值, 得分): a layout the "
                      "tool does not know; nothing was checked")],
        ),
        "total": Part("total", "absent"),
        "conclusion": Part("conclusion", "absent"),
    }
    form.layout = "unknown"
    form.level1_column = False
    return form


def read_raw(raw: RawBook, path: str | os.PathLike) -> Workbook:
    """The forms of a workbook :func:`loading.load` has already read."""
    book = Workbook(path=str(path), sheets=list(raw.sheet_names), format=raw.format)
    for sheet in raw.sheets:
        try:
            book.forms.extend(read_sheet(sheet))
        except UnreadableError:
            raise
        except Exception as exc:  # noqa: BLE001 - a layout we did not foresee: one line, no traceback
            raise UnreadableError(
                f"无法识别工作表“{sheet.name}”的表格结构（{type(exc).__name__}）；请对照官方模板检查表头和合并单元格",
                f"cannot make out the layout of sheet {sheet.name!r} ({type(exc).__name__}); "
                "compare its headers and merged cells with the official template",
                path=str(path),
            ) from exc
    if not book.forms:
        for sheet in raw.sheets:  # a performance-evaluation sheet of a layout the reader has no model of
            form = unknown_form(sheet)
            if form is not None:
                book.forms.append(form)
    if not book.forms:
        names = "、".join(raw.sheet_names[:5]) or "（无工作表）"
        raise UnreadableError(
            f"未找到绩效自评表：工作表（{names}）中没有“一级指标/三级指标…分值/得分”表头；"
            "请确认报送的是绩效自评表，且绩效指标表保留了表头行",
            "no self-evaluation form found: no indicator header row (一级指标/三级指标 … 分值/得分) on any sheet; "
            "check that this is the self-evaluation form and that its indicator table kept its header row",
            path=str(path),
        )
    return book
