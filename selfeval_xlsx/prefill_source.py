"""The source of ``selfeval template --from``: a table or a filled workbook read into forms to make.

A source is

* a table (``.csv``, or a sheet of an ``.xlsx``/``.xls`` whose header is in
  one of its first rows) with one row per 三级 indicator and columns named
  as in ``selfeval export`` or as on the form: 一级指标, 二级指标, 三级指标,
  年度指标值, 分值 (required); 指标性质, 计量单位 (optional); 单位, 项目,
  年度, 预算数, 主管部门 (optional, form level).  ``export``'s own indicators
  table is one, with 文件 and 工作表 telling its forms apart (one form is
  made per (文件, 工作表) -- or per (单位, 项目) in a table without them);
* or a filled workbook (last year's self-evaluation): every form in it.

:func:`read_source` turns either into :class:`Source` objects (one per
form to make): header fields, the year of the new form, the indicator rows
(:class:`Row`) as they go into the cells -- a target's operator and unit
folded into its text (:func:`fold_target`), 分值 a number or the text
given.  A source that cannot be used raises :class:`SourceError` (one line).
``prefill`` lays the rows out and checks the generated form.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from selfeval_xlsx import layout
from selfeval_xlsx.errors import SelfevalError, UnreadableError


class SourceError(SelfevalError):
    """The source cannot be used: one line, exit 2."""


@dataclass
class Row:
    level1: str
    level2: str
    level3: str
    target: str  # as it goes into the 年度指标值 cell (operator and unit folded in)
    weight: Decimal | str | None


@dataclass
class Source:
    path: str
    label: str  # names this form in messages and file names
    kind: str | None = None  # "department" | "project" from the source, None when it does not say
    year: int | None = None  # the source's own year
    filled: bool = False  # the source holds actual values / scores (last year's form)
    fields: dict[str, str] = field(default_factory=dict)  # unit, project, authority, implementer
    budget: Decimal | None = None
    rows: list[Row] = field(default_factory=list)

    def new_year(self, default: int | None = None) -> tuple[int, str, str]:
        """The year of the form to make, and why (zh, en)."""
        if self.year is None:
            year = default if default is not None else date.today().year - 1
            return year, f"来源未写年度，用 {year}", f"the source names no year; using {year}"
        if self.filled:
            return (self.year + 1, f"来源为 {self.year} 年度的自评，年度加一",
                    f"the source is the {self.year} self-evaluation; one year on")
        return self.year, f"来源年度 {self.year}", f"the source's year {self.year}"


# --------------------------------------------------------------------------
# cell texts


def _clean(value: Any) -> str:
    """A table cell as text: numbers without a trailing .0, no NaN."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (date,)):
        return value.isoformat()
    return str(value).strip()


_BARE_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?")
_DIRECTION_WORDS = re.compile(r"^(?:不低于|不少于|不小于|大于等于|至少|最少|达到|高于|大于|多于|超过|不高于|不超过|不大于|"
                              r"不多于|小于等于|控制在|最多|至多|低于|小于|少于|等于)|(?:以上|以下|以内|之内|内)$")
_OPERATORS = {"≥": "≥", ">=": "≥", "正向": "≥", "≤": "≤", "<=": "≤", "反向": "≤", "逆向": "≤", "=": "=", "＝": "=",
              "═": "=", "≧": "≥", "≦": "≤", ">": ">", "<": "<"}


def fold_target(target: str, nature: str = "", unit: str = "") -> str:
    """The 年度指标值 as the official form (which has no 指标性质 or 计量单位
    column) needs it: a plain number gets the 计量单位 behind it, and a
    number without an operator gets the 指标性质 in front when it is not ≥
    (a bare number already reads as ≥): ("30", "≤", "万元") → "≤30万元",
    ("5", "≥", "次") → "5次".  Anything else is kept as written."""
    text = target.strip()
    nature = unicodedata.normalize("NFKC", nature or "").replace(" ", "")
    unit = (unit or "").strip()
    normal = unicodedata.normalize("NFKC", text).replace(" ", "")
    match = _BARE_NUMBER.match(normal)
    if not text or match is None or _DIRECTION_WORDS.search(normal):
        return text
    if unit and not normal[match.end():]:
        text += unit
    op = _OPERATORS.get(nature)
    if op and op != "≥":
        text = op + text
    return text


def _weight(value: Any) -> Decimal | str | None:
    from selfeval_xlsx.values import parse_number

    text = _clean(value)
    if not text:
        return None
    number = parse_number(value if isinstance(value, (int, float)) else text, percent_as_fraction=False)
    return number if number is not None else text


# --------------------------------------------------------------------------
# tables

def _key(text: str) -> str:
    from selfeval_xlsx.reader import norm

    return norm(text) if isinstance(text, str) else ""


_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "三级指标名称", "指标名称"),
    "target": layout.INDICATOR_COLUMN["target"].names,
    "weight": ("分值", "权重", "指标权重", "指标分值", "指标权重(分)"),
    "nature": ("指标性质", "指标方向", "计算符号", "指标性质/方向", "性质"),
    "measure": ("计量单位", "度量单位"),
    "actual": (*layout.INDICATOR_COLUMN["actual"].names, "完成数值"),
    "score": ("得分", "填报得分", "计算得分", "自评得分", "指标得分"),
    "unit": ("单位", "部门(单位)名称", "部门（单位）名称", "单位名称", "部门名称", "预算单位", "填报单位", "实施单位"),
    "project": ("项目", "项目名称"),
    "authority": ("主管部门",),
    "year": ("年度",),
    "budget": ("预算数", "全年预算数", "全年预算数(A)"),
    "file": ("文件",),
    "sheet": ("工作表",),
    "row": ("行",),
    "kind": ("表类型",),
}
_BY_NAME = {_key(name): key for key, names in _COLUMNS.items() for name in names}
REQUIRED = ("level1", "level2", "level3", "target", "weight")
REQUIRED_NAMES = "一级指标、二级指标、三级指标、年度指标值、分值"


def _header_map(row: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, value in enumerate(row):
        key = _BY_NAME.get(_key(_clean(value)))
        if key is not None and key not in found:
            found[key] = c
    return found


def _is_table_header(found: dict[str, int]) -> bool:
    return all(key in found for key in REQUIRED)


def _kind_of(text: str) -> str | None:
    text = _clean(text)
    if not text:
        return None
    if "项目" in text or text.lower() == "project":
        return "project"
    if "部门" in text or text.lower() == "department":
        return "department"
    return None


def _sources_from_rows(path: str, header: dict[str, int], rows: list[list[Any]],
                       forms: dict[tuple[str, str], dict[str, str]]) -> list[Source]:
    """One Source per form the table describes, in the order first met."""
    def get(row: list[Any], key: str) -> str:
        c = header.get(key)
        return _clean(row[c]) if c is not None and c < len(row) else ""

    if "file" in header:
        group_keys = ("file", "sheet")
    else:
        group_keys = tuple(k for k in ("unit", "project") if k in header)
    sources: dict[tuple[str, ...], Source] = {}
    previous: tuple[str, ...] = tuple("" for _ in group_keys)
    for row in rows:
        if not any(_clean(v) for v in row):
            continue
        level3, target, weight = get(row, "level3"), get(row, "target"), get(row, "weight")
        if not (level3 or target or weight):
            continue
        # form-level columns written on the first row of a form only carry down
        group = tuple(get(row, k) or last for k, last in zip(group_keys, previous))
        previous = group
        source = sources.get(group)
        if source is None:
            label = " ".join(g for g in group if g) or Path(path).stem
            source = sources[group] = Source(path=path, label=label)
            looked_up = forms.get((get(row, "file"), get(row, "sheet")), {}) if "file" in header else {}
            source.kind = _kind_of(get(row, "kind")) or _kind_of(looked_up.get("表类型", ""))
            for key in ("unit", "project", "authority"):
                value = get(row, key) or looked_up.get({"unit": "单位", "project": "项目"}.get(key, ""), "")
                if value:
                    source.fields[key] = value
        year = get(row, "year")
        if year and source.year is None:
            match = re.match(r"^((?:19|20)\d\d)", year)
            if match:
                source.year = int(match.group(1))
        budget = get(row, "budget")
        if budget and source.budget is None:
            from selfeval_xlsx.values import parse_number

            source.budget = parse_number(budget)
        # export's own table describes submitted self-evaluations (of its 年度),
        # as does any table with results in it; a table of targets alone does not
        if get(row, "actual") or get(row, "score") or {"file", "sheet", "row"} <= header.keys():
            source.filled = True
        # 一级/二级 written once for a group of rows (as merged cells look) carry down
        level1 = get(row, "level1") or (source.rows[-1].level1 if source.rows else "")
        level2 = get(row, "level2") or (source.rows[-1].level2 if source.rows and not get(row, "level1") else "")
        source.rows.append(Row(
            level1=level1, level2=level2, level3=level3,
            target=fold_target(target, get(row, "nature"), get(row, "measure")),
            weight=_weight(row[header["weight"]] if header["weight"] < len(row) else None),
        ))
    return list(sources.values())


def _forms_lookup(rows: list[list[Any]]) -> dict[tuple[str, str], dict[str, str]]:
    """export's forms table (表 / NAME.forms.csv) by (文件, 工作表)."""
    if not rows:
        return {}
    header = {_clean(v): c for c, v in enumerate(rows[0])}
    if "文件" not in header or "工作表" not in header or "表类型" not in header:
        return {}
    out = {}
    for row in rows[1:]:
        values = {name: _clean(row[c]) if c < len(row) else "" for name, c in header.items()}
        out[(values["文件"], values["工作表"])] = values
    return out


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # neither (a stray byte such as 0xFF: GB18030 does not decode every byte string)
        raise SourceError("无法识别文件编码；请另存为 UTF-8 或 .xlsx", "unknown text encoding; save it as UTF-8 or .xlsx",
                          path=str(path))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(text.splitlines(), dialect)]


HEADER_SEARCH_ROWS = 3


def _table_sources(path: str, sheets: list[tuple[str, list[list[Any]]]],
                   extra_forms: list[list[Any]] | None = None) -> list[Source] | None:
    """Sources from the first sheet with a table header in its first rows; None when no sheet has one."""
    forms = _forms_lookup(extra_forms or [])
    for _name, rows in sheets:  # export's own 表 sheet
        forms.update(_forms_lookup(rows))
    for _name, rows in sheets:
        for h, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            header = _header_map(row)
            if _is_table_header(header):
                return _sources_from_rows(path, header, rows[h + 1:], forms)
    return None


_CONSTANT = re.compile(r"^\s*[\d.,]+\s*%?\s*$")


def _typed_targets(sheet) -> list[list[Any]]:
    """The sheet's rows, with a target typed as "=100%" in Excel (which
    makes it the formula =100%, the value 1) given back as written."""
    if not sheet.formulas:
        return sheet.rows
    rows = [list(row) for row in sheet.rows]
    for (r, c), (formula, _cached) in sheet.formulas.items():
        text = formula[1:] if formula.startswith("=") else formula
        if r < len(rows) and c < len(rows[r]) and _CONSTANT.match(text):
            rows[r][c] = "=" + text.strip()
    return rows


def _missing_columns(rows: list[list[Any]]) -> str:
    best: dict[str, int] = {}
    for row in rows[:HEADER_SEARCH_ROWS]:
        header = _header_map(row)
        if len(header) > len(best):
            best = header
    names = dict(zip(REQUIRED, REQUIRED_NAMES.split("、")))
    return "、".join(names[k] for k in REQUIRED if k not in best)


def _workbook_sources(path: str, workbook) -> list[Source]:
    """Last year's filled forms: indicators, targets and points, nothing else."""
    out = []
    for form in workbook.forms:
        source = Source(path=path, label=form.unit_name or form.sheet, kind=form.kind, year=form.year, filled=True)
        for key in ("unit", "project", "authority", "implementer"):
            cell = form.fields.get(key)
            if cell is not None and not cell.empty:
                source.fields[key] = cell.text.strip()
        for ind in form.indicators:
            def text(cell) -> str:
                return "" if cell is None or cell.empty else cell.text.strip()

            source.rows.append(Row(
                level1=text(ind.level1), level2=text(ind.level2), level3=text(ind.level3),
                target=fold_target(text(ind.target), text(ind.nature), text(ind.unit)),
                weight=_weight(ind.weight.value if ind.weight is not None else None),
            ))
        out.append(source)
    return out


def read_source(path: str | os.PathLike) -> list[Source]:
    """Every form ``path`` describes (see the module doc); SourceError /
    UnreadableError (one line) when it is neither a table nor a form."""
    path = str(path)
    p = Path(path)
    if not p.exists():
        raise SourceError("找不到来源文件", "source file not found", path=path)
    if p.is_dir():
        raise SourceError("来源应是一个文件（指标表或上一年的自评表），不是文件夹",
                          "the source must be a file (a table or last year's form), not a folder", path=path)
    if p.suffix.lower() in (".csv", ".txt"):
        rows = _read_csv(p)
        companion = p.with_name(f"{p.stem}.forms{p.suffix}")
        extra = _read_csv(companion) if companion.exists() else None
        sources = _table_sources(path, [("", rows)], extra)
        if sources is None:
            raise SourceError(f"第一行应是表头，缺少列：{_missing_columns(rows)}（需要 {REQUIRED_NAMES}）",
                              f"the first row must be the header; missing columns: {_missing_columns(rows)} "
                              f"(needed: {REQUIRED_NAMES})", path=path)
        return _non_empty(sources, path)
    from selfeval_xlsx.loading import load
    from selfeval_xlsx.reader import read_raw

    raw = load(path)  # UnreadableError for a bad file
    sources = _table_sources(path, [(sheet.name, _typed_targets(sheet)) for sheet in raw.sheets])
    if sources is not None:
        return _non_empty(sources, path)
    try:
        workbook = read_raw(raw, path)
    except UnreadableError:
        raise SourceError(
            f"既不是指标表（前 {HEADER_SEARCH_ROWS} 行中没有 {REQUIRED_NAMES} 表头），也不是填好的自评表",
            f"neither a table (no header {REQUIRED_NAMES} in its first {HEADER_SEARCH_ROWS} rows) "
            "nor a filled self-evaluation form", path=path) from None
    return _non_empty(_workbook_sources(path, workbook), path)


def _non_empty(sources: list[Source], path: str) -> list[Source]:
    sources = [s for s in sources if s.rows]
    if not sources:
        raise SourceError("没有任何三级指标行", "no indicator rows", path=path)
    return sources


__all__ = ["Row", "Source", "SourceError", "fold_target", "read_source"]
