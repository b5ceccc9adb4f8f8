"""The area of a form above its indicator table: the title and its year,
the header fields (单位 / 项目名称 / 主管部门 / 实施单位 / 填报日期 …), a
stated total written as a header field (自评总分：96) and the 年度总体目标
(预期目标 / 实际完成情况).

A field's value is the next non-empty cell right of its label (through
merges) unless that is itself a label, or the text after the colon when
label and value share a cell ("单位名称：某局").  The funds block, which
also sits above the table, is ``reader_funds.py``'s.
"""

from __future__ import annotations

import unicodedata

from selfeval_xlsx.model import Cell
from selfeval_xlsx.reader_labels import (
    FIELD_LABELS, GOAL_ACTUAL, GOAL_EXPECTED, TOTAL_FIELDS, WEAK_UNIT, YEAR, LabelValue, is_label, norm,
)
from selfeval_xlsx.values import parse_number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.model import Form
    from selfeval_xlsx.reader_sheet import Sheet


def read_title(sh: Sheet, form: Form, top: int, end: int) -> None:
    """The title cell (…自评表 / …评价表 / 绩效…表) and the year (``YYYY年度``, from its own cell
    or from the title) in rows ``top`` to ``end``."""
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
                m = YEAR.search(unicodedata.normalize("NFKC", raw))
                if m:
                    year_cell = (sh.cell(r, c), int(m.group(1)))
        if title_cell is not None and year_cell is not None:
            break
    form.title = title_cell
    if year_cell is None and title_cell is not None:
        m = YEAR.search(unicodedata.normalize("NFKC", title_cell.text))
        if m:
            year_cell = (title_cell, int(m.group(1)))
    if year_cell is not None:
        form.year_cell, form.year = year_cell


def read_fields(sh: Sheet, form: Form, top: int, h: int, funds: tuple[int, dict[str, int]] | None) -> None:
    """The header fields (单位 / 项目名称 / 主管部门 …) in the rows above the table, down to the
    funds header row: a label and the value right of it, or "label：value" in one cell."""
    weak_unit: Cell | None = None
    for r in range(top, h):
        if funds and r > funds[0]:
            break
        for c, t in sh.text_cells(r):
            key = FIELD_LABELS.get(t)
            if key is not None:
                if key not in form.fields:
                    value = value_right(sh, r, c)
                    if value is not None:
                        form.fields[key] = value
                continue
            raw = sh.raw(r, c)
            if not isinstance(raw, str):
                continue
            m = LabelValue.match(raw)
            if not m:
                continue
            label = norm(m.group(1))
            value = m.group(2).strip()
            key = FIELD_LABELS.get(label)
            ref = sh.cell(r, c)
            if key is not None and key not in form.fields:
                form.fields[key] = Cell(sh.name, ref.ref, value or None, ref.formula)
            elif label in WEAK_UNIT and value and weak_unit is None:
                weak_unit = Cell(sh.name, ref.ref, value, ref.formula)
    if weak_unit is not None and ("unit" not in form.fields or form.fields["unit"].empty):
        form.fields["unit"] = weak_unit  # "单位（盖章）：某局" names the unit the empty 单位名称 cell did not


def read_total_field(
    sh: Sheet, top: int, h: int, funds: tuple[int, dict[str, int]] | None
) -> tuple[Cell, bool] | None:
    """A stated total written as a header field above the table: 自评总分（分）：96."""
    for r in range(top, h):
        if funds and r == funds[0]:
            continue
        for c, t in sh.text_cells(r):
            if "分" not in t:
                continue  # every total field label ends in 分
            if t in TOTAL_FIELDS:
                value = value_right(sh, r, c)
                if value is not None:
                    return value, False
            raw = sh.raw(r, c)
            if isinstance(raw, str):
                m = LabelValue.match(raw)
                if m and norm(m.group(1)) in TOTAL_FIELDS and parse_number(m.group(2).strip()) is not None:
                    ref = sh.cell(r, c)
                    return Cell(sh.name, ref.ref, m.group(2).strip(), ref.formula), True
    return None


def value_right(sh: Sheet, r: int, c: int) -> Cell | None:
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
        if isinstance(v, str) and is_label(norm(v)):
            break
        return sh.cell(*tl)
    if first is None:
        return None
    return sh.cell(*first)


def read_goals(sh: Sheet, form: Form, top: int, h: int) -> None:
    """The 年度总体目标: 预期目标 and 实际完成情况, as header row and values below or as label and
    value right of it."""
    exp_at = act_at = None
    for r in range(top, h):
        for c, t in sh.text_cells(r):
            if exp_at is None and t in GOAL_EXPECTED:
                exp_at = (r, c)
            elif act_at is None and t in GOAL_ACTUAL:
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
            value = value_right(sh, *at)
            if value is not None:
                form.goals[key] = value
