"""The funds block of a form (预算执行情况): its header row (年初预算数 /
全年预算数 / 全年执行数 / 执行率 / 分值 / 得分 …), its block label and the
budget points it states, its rows (资金总额 / 财政拨款 / 其他资金 …, keyed by
``layout.py``'s funds rows for the form's kind), and the ``funds`` part
record saying what was understood of it (or that a block that looks like
funds had no budget and executed columns).
"""

from __future__ import annotations

import functools
import unicodedata

from selfeval_xlsx import cellref
from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.model import FundsRow, Part
from selfeval_xlsx.reader_labels import (
    BLOCK_LABELS, CONCLUSION, TOTAL_STRICT, ab_only, funds_key, funds_row_key, indicator_key, norm, points_in,
)
from selfeval_xlsx.reader_sheet import area

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

    from selfeval_xlsx.model import Form
    from selfeval_xlsx.reader_sheet import Sheet

_parse_ref = cellref.rc0  # "A1" -> 0-based (r, c)


@functools.lru_cache(maxsize=1024)  # the same few references, form after form
def _row0(ref: str) -> int:
    """The 0-based row of an A1 reference."""
    return _parse_ref(ref)[0]


def find_funds_header(sh: Sheet, r0: int, r1: int) -> tuple[int, dict[str, int]] | None:
    """The funds header row between rows ``r0`` and ``r1`` (0-based, end excluded) and its
    column keys: the first row naming at least two money columns, budget or executed among them."""
    for r in range(r0, r1):
        cells = sh.text_cells(r)
        if len(cells) < 3 or not any("预算" in t or "执行" in t for _, t in cells):
            continue
        cols: dict[str, int] = {}
        for c, t in cells:
            key = funds_key(t)
            if key is not None and key not in cols:
                cols[key] = c
        money = {"initial", "budget", "executed", "rate"} & cols.keys()
        if len(money) >= 2 and ({"budget", "executed"} & cols.keys()):
            return r, cols
    return None


def read_funds_block_label(sh: Sheet, hr: int, cols: dict[str, int]) -> tuple[str, str | None]:
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


def read_funds(sh: Sheet, form: Form, hr: int, cols: dict[str, int], h: int, block_label: Any = None) -> None:
    """The funds rows under the header at ``hr`` (up to row ``h``) into ``form.funds``, and the
    budget points the block label or the score header states into ``form.budget_points``."""
    value_cols = {k: c for k, c in cols.items() if k not in ("source", "reason")}
    # the budget points: the block label "（20分）" or the score header "得分（20分*执行率）"
    points = points_in(block_label)
    if points is None and "score" in cols:
        points = points_in(sh.raw(hr, cols["score"]))
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
        if texts and all(ab_only(unicodedata.normalize("NFKC", v).strip()) for v in texts):
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
        if t in BLOCK_LABELS or t in TOTAL_STRICT or t in CONCLUSION or indicator_key(t) in ("level1", "level2", "level3"):
            break
        if funds_key(t) is not None and any(funds_key(x) for _, x in sh.text_cells(r)[1:]):
            break  # another header row
        key = funds_row_key(t, form.kind)
        if key is None or key in used:
            key = f"row{r + 1}"
        used.add(key)
        row = FundsRow(key=key, label=sh.cell(*tl))
        for k, c in value_cols.items():
            setattr(row, k, sh.cell(r, c))
        form.funds.append(row)


_FUNDS_HINTS = ("预算执行情况", "总体资金", "项目资金", "资金情况", "资金来源", "资金总额", "预算资金")


def funds_part(sh: Sheet, form: Form, top: int, h: int, funds, label: str, label_raw: Any) -> None:
    """``form.parts["funds"]``: the block's range and columns, or a block that only looks like
    funds (partial), or none at all (absent)."""
    if funds is None:
        for r in range(top, h):
            for c, t in sh.text_cells(r):
                # a block label ("项目资金（万元）", "预算执行情况(10分)"), never a sentence that mentions funds
                if len(t) <= 12 and any(t.startswith(hint) or t.endswith(hint) for hint in _FUNDS_HINTS):
                    r1 = r
                    while r1 + 1 < h and sh.text_cells(r1 + 1) and not any(
                        t2 in BLOCK_LABELS for _, t2 in sh.text_cells(r1 + 1)
                    ):
                        r1 += 1
                    form.parts["funds"] = Part(
                        "funds", "partial", area(r, 0, r1, max(sh.ncols - 1, 0)),
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
    last_row = _row0(form.funds[-1].label.ref) if form.funds else hr
    for row in form.funds:
        for cell in (row.budget, row.executed, row.score):
            if cell is not None:
                last_row = max(last_row, _row0(cell.ref))
    part = Part(
        "funds", "ok", area(hr, first, last_row, max(cols.values())),
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
