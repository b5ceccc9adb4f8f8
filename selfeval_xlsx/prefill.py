"""Tables to forms: what ``selfeval template --from SOURCE`` pre-fills.

A source is a table with one row per 三级 indicator or a filled workbook
(last year's self-evaluation); ``prefill_source`` describes both and reads
them.

:func:`read_source` turns either into :class:`Source` objects (one per
form to make): header fields, the year of the new form, the indicator rows
as they go into the cells.  :func:`arrange` lays the rows out under the
profile's 一级 and their standard 二级 (every standard 二级 stays, with one
blank row when the source has none for it; other 二级 and 一级 follow in the
order met).  The generated workbook is then read back and checked by the
same reader and rules as ``validate`` (:func:`review`), so a weight mistake
in the table gives the same W-findings as on a submitted form.

Reading the source is ``prefill_source``'s (its names are imported from
here too); this module arranges the rows and reviews the result.

Nothing in a target is rewritten: a year inside a target or name that is
not the new form's year is reported (:class:`Notice`), not changed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from selfeval_xlsx import layout
from selfeval_xlsx.layout import Level1
from selfeval_xlsx.prefill_source import Row, Source, SourceError, fold_target, read_source
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.template_plan import Groups, IndicatorRow, level1_groups


# --------------------------------------------------------------------------
# laying the rows out under the 一级 and 二级


_DECLARED = re.compile(r"(\d+(?:\.\d+)?)\s*分")


def _norm_name(text: str) -> str:
    from selfeval_xlsx.export import level_name

    return level_name(text) or ""


def _level2_match(name: str, level1: Level1) -> str | None:
    """The standard 二级 ``name`` means: the same name, long or short
    ("数量" = "数量指标"), or the one standard name it ends ("满意度" =
    "服务对象满意度指标"; "效益" ends three and matches none)."""
    clean = _norm_name(name)
    short = layout.short_level2(clean)
    for standard in level1.level2:
        if clean in (standard, layout.short_level2(standard)):
            return standard
    ending = [s for s in level1.level2 if len(short) >= 2 and layout.short_level2(s).endswith(short)]
    return ending[0] if len(ending) == 1 else None


def arrange(rows: list[Row], profile: Profile = DEFAULT) -> Groups:
    """The indicator table of the form: the profile's 一级 with all their
    standard 二级 (in the official order), then any other 二级 and 一级 in
    the order the source has them.  Each 一级 label shows the weight its
    一级 cell declares ("产出指标(50分)"), else the sum of its rows' 分值, else
    the profile's weight."""
    from selfeval_xlsx.checks import level1_key

    standard = level1_groups(profile)
    order: list[Level1] = [g for g, _w in standard]
    weights = {g.key: w for g, w in standard}
    by_key = {g.key: g for g in order}
    level2s: dict[str, dict[str, list[IndicatorRow]]] = {g.key: {n: [] for n in g.level2} for g in order}
    declared: dict[str, Decimal] = {}
    sums: dict[str, Decimal] = {}
    numeric: dict[str, bool] = {}

    for row in rows:
        key = level1_key(row.level1) if row.level1 else None
        if key is None and not row.level1:  # no 一级 written: the one whose standard 二级 this is
            key = next((g.key for g in order if _level2_match(row.level2, g)), None)
        if key is None or key not in by_key:
            if key == "cost":
                group = layout.COST_LEVEL1
            else:
                name = _norm_name(row.level1) or "未填一级指标"
                key = f"other:{name}"
                group = Level1(key, name, (name,), ())
            if key not in by_key:
                by_key[key] = group
                # a 成本指标 一级 goes after 产出指标, as on the newer forms
                position = 1 if key == "cost" else len(order)
                order.insert(position, group)
                level2s[key] = {}
        group = by_key[key]
        if key not in declared and row.level1:
            match = _DECLARED.search(unicodedata.normalize("NFKC", row.level1))
            if match:
                declared[key] = Decimal(match.group(1))
        level2 = _level2_match(row.level2, group) or (_norm_name(row.level2) or "未填二级指标")
        level2s[key].setdefault(level2, []).append(IndicatorRow(row.level3, row.target, row.weight))
        if isinstance(row.weight, Decimal):
            sums[key] = sums.get(key, Decimal(0)) + row.weight
            numeric[key] = True

    groups: Groups = []
    for group in order:
        if group.key in declared:
            weight = declared[group.key]
        elif numeric.get(group.key):
            weight = sums[group.key]
        else:
            weight = weights.get(group.key, Decimal(0))
        groups.append((group, weight, list(level2s[group.key].items())))
    return groups


# --------------------------------------------------------------------------
# checking the result


@dataclass
class Notice:
    """A year inside a target or name that is not the new form's year."""

    sheet: str
    cell: str
    text: str
    found: int
    year: int

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return (f"{self.text!r} names the year {self.found}, the new form is for {self.year}; "
                    "left as it is, check it")
        return f"“{self.text}”中的年份 {self.found} 与新表年度 {self.year} 不同，未改动；请核对"


def shown(finding, plan_cells: set[str]) -> bool:
    """The findings printed before writing: the weights (W), an empty
    三级指标 / 年度指标值 / 分值 and the quality of the targets (Q; Q205 gives
    way to the fuller year notices).  Empty 得分 and 总分 are the point of a
    new form and not shown."""
    if finding.code.startswith("W"):
        return True
    if finding.code == "E101" and finding.cell in plan_cells:
        return True
    return finding.code.startswith("Q") and finding.code != "Q205"


def review(path: str | os.PathLike, year: int, profile: Profile = DEFAULT):
    """Read the generated workbook back and check it: (findings to show,
    year notices, the form read back)."""
    from selfeval_xlsx.checks import check_form, written_years
    from selfeval_xlsx.reader import read_workbook

    workbook = read_workbook(path)
    form = workbook.forms[0]
    result = check_form(form, profile)
    plan_cells = {cell.ref for row in form.indicators for cell in (row.level3, row.target, row.weight)
                  if cell is not None}
    findings = [f for f in result.findings if shown(f, plan_cells)]
    notices = []
    for row in form.indicators:
        for cell in (row.level3, row.target):
            if cell is None or cell.empty:
                continue
            for found, with_nian in written_years(cell.text):
                if (with_nian or (cell is row.level3 and abs(found - year) <= 2)) and found != year:
                    notices.append(Notice(form.sheet, cell.ref, cell.text.strip(), found, year))
                    break
    return findings, notices, form


__all__ = ["Notice", "Row", "Source", "SourceError", "arrange", "fold_target", "read_source", "review"]
