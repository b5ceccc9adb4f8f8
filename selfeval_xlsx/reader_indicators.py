"""The indicator table of a form: finding its header rows (一级/二级/三级指标
… 指标值 / 完成值 / 分值 / 得分, a two-row header, 年初/调整 指标值), the
sub-header rows under it, the indicator rows (blank rows skipped, 一级/二级
carried down through merges and groups, template slots and "其中…" detail
rows left out, placeholder content noted), where the table ends, and the
``indicators`` part record (its columns, the header texts given no
meaning, what is missing for the scores to be checked).
"""

from __future__ import annotations

import unicodedata

from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.model import Indicator, Part
from selfeval_xlsx.reader_labels import (
    BLOCK_LABELS, CONCLUSION, DASHES, TOTAL, ab_only, indicator_key, is_block, is_placeholder, norm,
)
from selfeval_xlsx.reader_sheet import area
from selfeval_xlsx.values import compact

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.model import Cell, Form
    from selfeval_xlsx.reader_sheet import Sheet


def find_indicator_headers(sh: Sheet) -> list[tuple[int, dict[str, int]]]:
    """Every indicator header row of the sheet (0-based) with its column keys: a row naming an
    indicator level and a value column (指标值 / 完成值 / 分值 / 得分), a row above it that
    completes a two-row header, and the adjusted target (调整指标值) as the target."""
    found = []
    for r in range(sh.nrows):
        cells = sh.text_cells(r)
        if len(cells) < 3:
            continue
        for _, t in cells:  # (a loop, not any() over a generator: every row of every sheet comes here)
            if "指标" in t:
                break
        else:
            continue
        cols: dict[str, int] = {}
        for c, t in cells:
            key = indicator_key(t)
            if key is not None and key not in cols:
                cols[key] = c
        levels = {"level1", "level2", "level3"} & cols.keys()
        values = {"target", "actual", "weight", "score"} & cols.keys()
        if levels and values and len(cols) >= 3:
            if r > 0 and not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in sh.rows[r - 1]):
                # a two-row header: 年度指标值 | 实际完成值 | 分值 | 得分 above 指标性质 | 指标值 | 度量单位
                for c, t in sh.text_cells(r - 1):
                    key = indicator_key(t)
                    if key is not None and key not in cols and c not in cols.values():
                        cols[key] = c
            adjusted = [c for c, t in cells if t.startswith("调整") and indicator_key(t) == "target"]
            if adjusted and "target" in cols and cols["target"] != adjusted[0]:
                # 年初指标值 | 调整指标值: the adjusted target is A
                cols["target_initial"] = cols["target"]
                cols["target"] = adjusted[0]
            found.append((r, cols))
    return found


def unknown_columns(sh: Sheet, r: int, cols: dict[str, int], extra_row: int | None = None) -> list[str]:
    """Header texts of the indicator table the reader gave no meaning."""
    used = set(cols.values())
    unknown = []
    for row in (r, extra_row):
        if row is None:
            continue
        for c, t in sh.text_cells(row):
            if c not in used and indicator_key(t) is None and t not in BLOCK_LABELS and c > min(used, default=0):
                text = str(sh.raw(row, c)).strip()
                if text not in unknown:
                    unknown.append(text)
    return unknown


def skip_header_rows(sh: Sheet, data_start: int, limit: int, cols: dict[str, int]) -> tuple[int, dict[str, int], int | None]:
    """Sub-header rows under the header: extra column names, or only "（A）"/"（B）"."""
    extra_row = None
    if data_start < limit:
        extra = {}
        for c, t in sh.text_cells(data_start):
            key = indicator_key(t)
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
        if texts and not numbers and all(ab_only(unicodedata.normalize("NFKC", v).strip()) for v in texts):
            data_start += 1  # "（A）" | "（B）" under 年度指标值 | 实际完成值: part of the header
    return data_start, cols, extra_row


_VALUE_KEYS = ("target", "actual", "weight", "score", "reason", "nature", "unit", "ratio", "target_initial")


def read_indicators(sh: Sheet, form: Form, start: int, cols: dict[str, int], limit: int) -> int:
    """Read indicator rows from ``start``; returns the first row after the table."""
    content = [cols[k] for k in ("level3", *_VALUE_KEYS) if k in cols]
    level_cols = [cols[k] for k in ("level1", "level2", "level3") if k in cols]
    first_level = min(level_cols) if level_cols else 0
    groups = [(key, cols[key]) for key in ("level1", "level2") if key in cols]
    level3_col = cols.get("level3")
    value_cols = [(key, cols.get(key)) for key in _VALUE_KEYS]
    carry: dict[str, Cell | None] = {"level1": None, "level2": None}
    carried_from: dict[str, tuple[int, int] | None] = {"level1": None, "level2": None}  # carry's (r, c)
    r = start
    while r < limit:
        if _is_end_row(sh, r, first_level):
            return r
        if _blank_row(sh, r, content, level_cols):
            r += 1
            continue
        ind: dict[str, Cell | None] = {"level1": None, "level2": None}
        for key, c in groups:
            tl = sh.top_left(r, c)
            if tl != carried_from[key]:  # (a 一级/二级 merged over the rows above is carried on as it is)
                v = sh.raw(*tl)
                if v is not None and not (isinstance(v, str) and not v.strip()):
                    cell = sh.cell(*tl)
                    if key == "level1" and (
                        carry["level1"] is None or norm(carry["level1"].text) != norm(cell.text)
                    ):
                        carry["level2"] = None  # a new 一级 group starts its own 二级
                        carried_from["level2"] = None
                    carry[key] = cell
                    carried_from[key] = tl
            ind[key] = carry[key]
        ind["level3"] = sh.rcell(r, level3_col) if level3_col is not None else None
        for key, c in value_cols:
            ind[key] = sh.cell(r, c) if c is not None else None
        if ind["target_initial"] is not None and ind["target"] is not None and ind["target"].empty:
            ind["target"] = ind["target_initial"]  # no adjustment: the initial target is A
        kind, placeholder = _placeholder_row(ind)
        if kind is not None:
            # an empty template slot ("指标2：", "……", "/" and nothing else) or a "其中…" detail row under a
            # scored row: not an indicator, no finding; placeholder content ("指标1 | * | *"): Q204 once
            if placeholder is not None:
                form.placeholders.append(placeholder)
            r += 1
            continue
        form.indicators.append(Indicator(row=r + 1, **ind))
        r += 1
    return r


def _blank_row(sh: Sheet, r: int, content: list[int], level_cols: list[int]) -> bool:
    """No value in the row's content columns (a level cell merged down from a row above counts as
    blank).  A third of a table's rows are blank: a loop, not all() over a generator."""
    for c in content:
        v = sh.raw(r, c)
        if v is not None and v != "" and not (c in level_cols and sh.top_left(r, c)[0] != r):
            return False
    return True


def _placeholder_row(ind: dict[str, Cell | None]) -> tuple[str | None, Cell | None]:
    """("slot", None) for an empty template slot, ("detail", None) for a "其中…" row without points,
    ("placeholder", cell) for a row of nothing but placeholder content, (None, None) otherwise."""
    level3 = ind.get("level3")
    if level3 is not None and not level3.empty:
        name = compact(level3.text)
        if name.startswith("其中") and all(ind.get(k) is None or ind[k].empty for k in ("weight", "score")):
            return "detail", None
        if len(name) > 12 or not is_placeholder(name.rstrip("/／").rstrip(":：") or name):
            return None, None  # a real indicator name
    cells = []
    for key in ("level3", "target", "actual", "weight", "score", "reason"):
        cell = ind.get(key)
        if cell is None or cell.empty:
            continue
        value = cell.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None, None  # a number: not a placeholder row
        text = compact(cell.text)
        if len(text) > 1:
            text = text.rstrip("/／").rstrip(":：") or text  # "指标1:/" is the slot 指标1 marked empty
        if text in DASHES or text in ("/", "／"):
            continue
        if not is_placeholder(text):
            return None, None
        cells.append((cell, text))
    if not cells:
        return "slot", None  # "/" and dashes only
    if len(cells) == 1 and is_placeholder(cells[0][1], slot=True):
        return "slot", None
    return "placeholder", cells[0][0]


def _is_end_row(sh: Sheet, r: int, first_level: int) -> bool:
    for c, t in sh.text_cells(r):
        if t in TOTAL or t in CONCLUSION or is_block(t):
            return True
        if t.startswith(("注:", "注1", "注：", "说明:")) or t == "注":
            return True
        if t in ("存在问题", "改进措施", "问题及改进措施") or t.startswith(("其他需要说明", "其他说明事项", "需要说明的")):
            return True
        if c > first_level + 1:
            break
    return False


def indicator_part(sh: Sheet, form: Form, h: int, cols: dict[str, int], unknown: list[str], end: int) -> None:
    """``form.parts["indicators"]``: the table's range and columns, the header texts given no
    meaning, and what is missing for the scores to be checked (partial then)."""
    last_row = max([ind.row - 1 for ind in form.indicators] + [h])
    part = Part(
        "indicators", "ok", area(h, min(cols.values()), last_row, max(cols.values())),
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
