"""Below the indicator table: the 总分 row (the stated total and total
weight, under the table's 分值/得分 columns or right of the label) and the
自评结论 (a grade cell, a narrative box, or a box still holding the
template's instructions; Yunnan's grade in the 总分 row), and the
``total`` and ``conclusion`` part records.
"""

from __future__ import annotations

from selfeval_xlsx import cellref
from selfeval_xlsx.model import Cell, Part
from selfeval_xlsx.reader_labels import CONCLUSION, TOTAL, LabelValue, is_grade, norm
from selfeval_xlsx.reader_sheet import area
from selfeval_xlsx.values import compact, parse_number
from selfeval_xlsx.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.model import Form
    from selfeval_xlsx.reader_sheet import Sheet

_ref = cellref.ref  # 0-based (r, c) -> "A1"
_parse_ref = cellref.rc0  # "A1" -> 0-based (r, c)


def _find_label(sh: Sheet, r: int, labels: frozenset[str]) -> tuple[int, str | None] | None:
    """Column of a label on row r; with the value text if written "label：value"."""
    for c, t in sh.text_cells(r):
        if t in labels:
            return c, None
        raw = sh.raw(r, c)
        if isinstance(raw, str):
            m = LabelValue.match(raw)
            if m and norm(m.group(1)) in labels:
                return c, m.group(2).strip()
    return None


def read_total_and_conclusion(
    sh: Sheet, form: Form, start: int, cols: dict[str, int], limit: int, last: int
) -> int:
    """The 总分 row and the 自评结论 in the rows after the table (at most 30, up to ``limit``)
    into ``form``, with their part records; returns the last row of the form read so far."""
    weight_col, score_col = cols.get("weight"), cols.get("score")
    r = start
    total_row = None
    stop = min(limit, start + 30)
    while r < stop:
        if total_row is None:
            found = _find_label(sh, r, TOTAL)
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
        found = _find_label(sh, r, CONCLUSION)
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
            if isinstance(v, str) and is_grade(norm(v)):
                form.conclusion = sh.cell(*tl)
                form.parts["conclusion"] = Part("conclusion", "ok", form.conclusion.ref,
                                                info={"kind": "grade", "in_total_row": True})
                break
    return last


def _read_total(sh: Sheet, form: Form, r: int, c: int, weight_col: int | None, score_col: int | None) -> None:
    label_end = sh.end_col(r, c)
    right: list[Cell] = []
    seen = set()
    for cc in range(label_end + 1, sh.ncols):
        tl = sh.top_left(r, cc)
        if tl in seen:
            continue
        seen.add(tl)
        v = sh.raw(*tl)
        if v not in (None, "") and not (isinstance(v, str) and is_grade(norm(v))):
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


def _conclusion_value(sh: Sheet, r: int, c: int) -> Cell:
    start = sh.end_col(r, c) + 1
    for cc in range(start, sh.ncols):
        tl = sh.top_left(r, cc)
        if tl[0] != r and tl[1] < start:
            continue
        v = sh.raw(*tl)
        if v is not None and not (isinstance(v, str) and not v.strip()):
            return sh.cell(*tl)
    return sh.rcell(r, start)


_INSTRUCTIONS = lazy(
    r"字以内|字以下|字左右|结合自评|结合.{0,12}情况|请[^，。；]{0,8}填|简要(?:说明|描述|概述|阐述)|填写说明|填报说明|此处填"
)
_NARRATIVE_FOLLOWERS = frozenset({"存在问题", "改进措施", "问题及改进措施", "存在的问题", "整改措施", "下一步改进措施"})


def _classify_conclusion(sh: Sheet, form: Form, r: int, c: int, limit: int) -> None:
    """Grade cell, narrative box, or a box still holding the template's instructions.

    A grade is read only from a cell that holds a grade word; a narrative
    box is never a place to write a grade."""
    cell = form.conclusion
    label = norm(sh.raw(r, c))
    text = compact(cell.text) if cell is not None else ""
    followed = any(
        t in _NARRATIVE_FOLLOWERS for rr in range(r + 1, min(limit, r + 4)) for _, t in sh.text_cells(rr)
    )
    narrative_box = followed and label.startswith("评价")
    rng = cell.ref if cell is not None else _ref(r, c)
    m = sh.merge(*_parse_ref(cell.ref)) if cell is not None else None
    if m is not None:
        rng = area(*m)
    if text and is_grade(norm(cell.text)):
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
            if tl != _parse_ref(cell.ref) and isinstance(v, str) and is_grade(norm(v)):
                grade_cell = sh.cell(*tl)
                break
        form.conclusion = grade_cell
        form.parts["conclusion"] = Part("conclusion", "ok", rng, info={
            "kind": "narrative", "grade_cell": grade_cell.ref if grade_cell else None})
        return
    form.parts["conclusion"] = Part("conclusion", "ok", rng, info={"kind": "narrative" if narrative_box else "grade"})


def total_and_conclusion_parts(sh: Sheet, form: Form) -> None:
    """The part records in their fixed order (title, funds, indicators, total, conclusion):
    a total found only as a header field is ``ok`` from there; a total or conclusion not
    found at all is ``absent``."""
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
