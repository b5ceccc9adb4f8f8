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

This module reads a workbook sheet by sheet, splits a sheet into forms
(a form may hold several goal blocks, 年度绩效目标1 …, each with its own
header row), reads each form's parts in order and names the layout it
follows.  The parts themselves are read by:

- ``reader_labels.py``: what a text is taken to mean (:func:`norm`, label
  sets, column keys);
- ``reader_sheet.py``: the grid (merges, formulas, normalised rows);
- ``reader_head.py``: title, year, header fields, goals, a stated total above the table;
- ``reader_funds.py``: the funds block;
- ``reader_indicators.py``: the indicator table;
- ``reader_totals.py``: the 总分 row and the 自评结论.

``read_workbook`` raises :class:`UnreadableError` for anything it cannot
read (see ``loading.py`` for the file-level checks) and for a workbook
without any self-evaluation form.
"""

from __future__ import annotations

import os
import unicodedata

from selfeval_xlsx import cellref
from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.loading import RawBook, RawSheet, load
from selfeval_xlsx.model import Block, Cell, Form, Part, Workbook
from selfeval_xlsx.reader_funds import find_funds_header, funds_part, read_funds, read_funds_block_label
from selfeval_xlsx.reader_head import read_fields, read_goals, read_title, read_total_field
from selfeval_xlsx.reader_indicators import (
    find_indicator_headers, indicator_part, read_indicators, skip_header_rows, unknown_columns,
)
from selfeval_xlsx.reader_labels import TOTAL_STRICT, YEAR, is_block, norm, points_in
from selfeval_xlsx.reader_sheet import Sheet, area
from selfeval_xlsx.reader_totals import read_total_and_conclusion, total_and_conclusion_parts

__all__ = ["read_workbook", "norm", "read_sheet"]

_ref = cellref.ref  # 0-based (r, c) -> "A1"
_parse_ref = cellref.rc0  # "A1" -> 0-based (r, c)


def read_workbook(path: str | os.PathLike) -> Workbook:
    """Read every self-evaluation form in the workbook at ``path``.

    Raises :class:`UnreadableError` (one-line zh/en message, ``path`` set)
    for a file that cannot be read or that holds no form."""
    return read_raw(load(path), path)


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


def read_sheet(raw: RawSheet) -> list[Form]:
    """Every form on one sheet (empty list when it has none)."""
    sh = Sheet(raw)
    headers = find_indicator_headers(sh)
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


def _block_label_above(sh: Sheet, h: int, top: int) -> Cell | None:
    """A goal-block label (年度绩效目标1（40分）) in one of the two rows above a header."""
    for r in range(h - 1, max(top, h - 3) - 1, -1):
        for c, t in sh.text_cells(r):
            if is_block(t):
                return sh.cell(r, c)
        if sh.text_cells(r) and r < h - 1:
            break
    return None


def _continues(sh: Sheet, prev_h: int, h: int, top: int) -> bool:
    """True when the header at ``h`` opens another goal block of the form above."""
    label = _block_label_above(sh, h, top)
    if label is None:
        return False
    label_row = _parse_ref(label.ref)[0]
    for r in range(prev_h + 1, label_row):
        for _, t in sh.text_cells(r):
            if t in TOTAL_STRICT or "自评表" in t or "评价表" in t:
                return False
    return True


def _read_form(sh: Sheet, top: int, group: list[tuple[int, dict[str, int]]], limit: int) -> tuple[Form, int]:
    h, cols = group[0]
    form = Form(sheet=sh.name, kind="department", indicator_header_row=h + 1)
    data_start, cols, extra_row = skip_header_rows(sh, h + 1, limit, cols)

    # the area above the table -------------------------------------------
    first_block = _block_label_above(sh, h, top)  # 年度绩效目标1（80分） above the (first) header
    head_limit = _parse_ref(first_block.ref)[0] if first_block is not None else h
    funds = find_funds_header(sh, top, head_limit)
    head_end = funds[0] if funds else head_limit
    read_title(sh, form, top, head_end)
    read_fields(sh, form, top, head_limit, funds)
    stated_field = read_total_field(sh, top, head_limit, funds)
    funds_label, funds_label_raw = "", None
    if funds:
        form.funds_header_row = funds[0] + 1
        funds_label, funds_label_raw = read_funds_block_label(sh, funds[0], funds[1])
    # kind decides funds row keys, so settle it before reading the rows
    title = norm(form.title.value) if form.title is not None else ""
    if "项目" in title or "project" in form.fields or "项目资金" in funds_label:
        form.kind = "project"
    if funds:
        read_funds(sh, form, funds[0], funds[1], head_limit, funds_label_raw)
    read_goals(sh, form, top, head_limit)
    funds_part(sh, form, top, head_limit, funds, funds_label, funds_label_raw)

    # the indicator table ---------------------------------------------------
    end = read_indicators(sh, form, data_start, cols, group[1][0] if len(group) > 1 else limit)
    if first_block is not None:
        form.blocks.append(_block(sh, first_block, form, 0))
    unknown = unknown_columns(sh, h, cols, extra_row)
    for k, (bh, bcols) in enumerate(group[1:], start=1):
        label = _block_label_above(sh, bh, top)
        count = len(form.indicators)
        bstart, bcols, bextra = skip_header_rows(sh, bh + 1, limit, bcols)
        block_limit = group[k + 1][0] if k + 1 < len(group) else limit
        end = read_indicators(sh, form, bstart, bcols, block_limit)
        if label is not None:
            form.blocks.append(_block(sh, label, form, count))
        for text in unknown_columns(sh, bh, bcols, bextra):
            if text not in unknown:
                unknown.append(text)
    last = max(end - 1, group[-1][0])
    last = read_total_and_conclusion(sh, form, end, cols, limit, last)
    if form.total is None and stated_field is not None:
        form.total, inline = stated_field
        form.parts["total"] = Part("total", "ok", form.total.ref, info={"header_field": True, "inline": inline})
    indicator_part(sh, form, h, cols, unknown, end)
    total_and_conclusion_parts(sh, form)
    _recognise(sh, form, top, last, cols)
    return form, last


def _block(sh: Sheet, label: Cell | None, form: Form, first: int) -> Block:
    rows = [ind.row for ind in form.indicators[first:]]
    return Block(label=label, points=points_in(label.value) if label is not None else None, rows=rows)


_SICHUAN_CODE = "510000_0013zp"


def _recognise(sh: Sheet, form: Form, top: int, last: int, cols: dict[str, int]) -> None:
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


_SCORE_WORDS = ("分值", "得分", "评分", "自评分")


def unknown_form(raw: RawSheet) -> Form | None:
    """A sheet titled as a performance evaluation (绩效 … 自评/评价/评分) that has points or scores but no
    indicator header the reader knows: a form of unknown layout, so that it gets one L finding (and fill
    leaves it alone) instead of "no form found"."""
    sh = Sheet(raw)
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
    m = YEAR.search(unicodedata.normalize("NFKC", title.text))
    if m:
        form.year_cell, form.year = title, int(m.group(1))
    r1 = max((r for r in range(sh.nrows) if sh.text_cells(r)), default=0)
    c1 = max(sh.ncols - 1, 0)
    form.parts = {
        "title": Part("title", "ok", title.ref, info={"kind": form.kind, "year": form.year}),
        "funds": Part("funds", "absent"),
        "indicators": Part(
            "indicators", "partial", area(0, 0, r1, c1),
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
