"""Run the rules on a form: findings and the computed values.

Input: a :class:`model.Form` from the reader.  Output: a :class:`FormResult`
with the findings (each positioned at a cell), the computed 执行率, budget
得分, 总分 and 自评结论, and the edits the writer would make; its
``to_dict`` is the form's JSON shape (``json_value`` the numbers in it).

How the computed 总分 is made (see the README, "How scores are computed"):
a quantitative row counts with its stated score when that is within the
profile's tolerance of the formula, otherwise with the formula's value
rounded to ``profile.rounding`` decimals (the value ``fill`` writes); a
qualitative row, or a quantitative row whose actual value is not a number,
counts with its stated score capped to [0, 分值]; the budget score likewise.
So a corrected copy validates without arithmetic findings.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext

from selfeval_xlsx import cellref, layout
from selfeval_xlsx.model import Cell, Form, Indicator, Part, Workbook
from selfeval_xlsx.profile import DEFAULT, Profile, for_layout
from selfeval_xlsx.rules import BY_CODE, count_severities
from selfeval_xlsx.scoring import (
    budget_rate,
    budget_score,
    budget_score_candidates,
    comparable,
    grade,
    matches,
    normalise_grade,
    overachieved,
    quantitative_score,
    round_half_up,
)
from selfeval_xlsx.values import Direction, Value, is_vague, nature_direction, parse_number, parse_value
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.record import FrozenRecord, Record, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any
# Lower-is-better indicators known by their name when the target has no ≥/≤
LOWER_IS_BETTER = ("控制率", "调整率", "结余率", "结转结余率", "变动率", "差错率", "投诉率", "事故率", "超支率", "发生率",
                   "失误率", "违规率", "返工率", "偏差率")


_NAME_UNIT = lazy(r"[（(]\s*([%％‰]|万元|元|个|人|次|天|户|项)\s*[)）]\s*$")


def name_unit(cell: Cell | None) -> str | None:
    """The unit a 三级 name carries: "新型经营主体实现产值(%)" → "%" (for a bare-number target)."""
    if cell is None or cell.empty:
        return None
    text = unicodedata.normalize("NFKC", cell.text)
    if not text.rstrip().endswith((")", "）")):
        return None  # the pattern ends in a bracket and spaces: most names are spared compiling it
    match = _NAME_UNIT.search(text)
    return match.group(1) if match else None


def lower_is_better(name: str) -> bool:
    clean = _SPACES_RE.sub("", unicodedata.normalize("NFKC", name or ""))
    clean = re.sub(r"[（(][^）)]*[）)]$", "", clean)
    return clean.endswith(LOWER_IS_BETTER)


_SPACES_RE = lazy(r"\s+")

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# fill refuses a form whose weights miss full marks by more than this share:
# a few points off is a defect of the form (W102, reported and still filled);
# far off means the table was most likely misread
GATE_SHARE = Decimal("0.05")
_A1_ONLY = lazy(r"^[A-Z]{1,3}\d+$")


def _is_ref(text: str) -> bool:
    return bool(_A1_ONLY.match(text))


_set = object.__setattr__  # a frozen record's fields are set once, in __init__
_FRESH: Any = object()  # "not given": the field starts as a new empty list


class Finding(FrozenRecord):
    __slots__ = _fields = ("code", "sheet", "cell", "params", "expected", "found")
    code: str
    sheet: str
    cell: str | None  # A1 on ``sheet``
    params: dict[str, Any]  # fills the rule's message template
    expected: Any
    found: Any

    def __init__(self, code: str, sheet: str, cell: str | None, params: dict[str, Any], expected: Any = None,
                 found: Any = None) -> None:
        _set(self, "code", code)
        _set(self, "sheet", sheet)
        _set(self, "cell", cell)
        _set(self, "params", params)
        _set(self, "expected", expected)
        _set(self, "found", found)

    @property
    def severity(self) -> str:
        return BY_CODE[self.code].severity

    def message(self, lang: str = "zh") -> str:
        rule = BY_CODE[self.code]
        template = rule.en if lang == "en" else rule.zh
        return template.format(**{k: show(v) for k, v in self.params.items()})

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The finding in the JSON shape (``api`` module doc)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "cell": self.cell,
            "message": self.message(lang),
            "expected": json_value(self.expected),
            "found": json_value(self.found),
        }


class Change(FrozenRecord):
    """A computed value for a cell; ``fill`` writes it."""

    __slots__ = _fields = ("cell", "new", "code", "number_format", "formula")
    cell: Cell
    new: Decimal | str
    code: str  # the rule that asked for it
    number_format: str | None
    formula: str | None  # a formula cell's new formula (without "="), when fill rewrites it

    def __init__(self, cell: Cell, new: Decimal | str, code: str, number_format: str | None = None,
                 formula: str | None = None) -> None:
        _set(self, "cell", cell)
        _set(self, "new", new)
        _set(self, "code", code)
        _set(self, "number_format", number_format)
        _set(self, "formula", formula)

    def to_dict(self) -> dict[str, Any]:
        """One entry of a fill result's ``"changes"`` (``api.fill_file``)."""
        return {
            "sheet": self.cell.sheet,
            "cell": self.cell.ref,
            "old": json_value(self.cell.value),
            "new": json_value(self.new),
            "code": self.code,
            "number_format": self.number_format,
            "formula": "=" + self.formula if self.formula else None,
        }


class FormResult(Record):
    """One form checked: its findings, the computed values and fill's changes.

    ``errors`` and ``warnings`` are the counts every front end shows;
    ``to_dict`` the form's JSON shape (``results.FileResult`` holds these)."""

    _fields = ("form", "findings", "changes", "budget_rate", "budget_score", "stated_budget_rate",
               "stated_budget_score", "total", "stated_total", "grade", "stated_grade", "complete", "unfilled",
               "profile_name", "profile_auto", "expected_absent")
    form: Form
    findings: list[Finding]
    changes: list[Change]
    budget_rate: Decimal | None  # rounded to profile.rate_decimals
    budget_score: Decimal | None  # the effective budget score
    stated_budget_rate: Decimal | None  # what the form says (a fraction)
    stated_budget_score: Decimal | None
    total: Decimal | None  # computed, rounded to profile.rounding; None when it cannot be computed
    stated_total: Decimal | None
    grade: str
    stated_grade: str | None  # the conclusion cell's text
    complete: bool  # False: 未填写完整 (scores or 完成值 blank), no total or grade shown as real
    unfilled: tuple[str, str] | None  # why fill writes nothing into this form (zh, en)
    profile_name: str  # the profile the form was checked with
    profile_auto: bool  # picked from the layout's markers
    expected_absent: list[str]  # parts the profile expects that the form lacks

    def __init__(self, form: Form, findings: list[Finding] = _FRESH, changes: list[Change] = _FRESH,
                 budget_rate: Decimal | None = None, budget_score: Decimal | None = None,
                 stated_budget_rate: Decimal | None = None, stated_budget_score: Decimal | None = None,
                 total: Decimal | None = ZERO, stated_total: Decimal | None = None, grade: str = "",
                 stated_grade: str | None = None, complete: bool = True, unfilled: tuple[str, str] | None = None,
                 profile_name: str = "", profile_auto: bool = False, expected_absent: list[str] = _FRESH) -> None:
        self.form = form
        self.findings = [] if findings is _FRESH else findings
        self.changes = [] if changes is _FRESH else changes
        self.budget_rate = budget_rate
        self.budget_score = budget_score
        self.stated_budget_rate = stated_budget_rate
        self.stated_budget_score = stated_budget_score
        self.total = total
        self.stated_total = stated_total
        self.grade = grade
        self.stated_grade = stated_grade
        self.complete = complete
        self.unfilled = unfilled
        self.profile_name = profile_name
        self.profile_auto = profile_auto
        self.expected_absent = [] if expected_absent is _FRESH else expected_absent

    @property
    def errors(self) -> int:
        return count_severities(f.severity for f in self.findings)[0]

    @property
    def warnings(self) -> int:
        return count_severities(f.severity for f in self.findings)[1]

    def unfilled_reason(self, lang: str = "zh") -> str | None:
        """Why fill writes nothing into this form, in ``lang``; None when it fills it."""
        if not self.unfilled:
            return None
        return self.unfilled[1] if lang == "en" else self.unfilled[0]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The form in the JSON shape (``api`` module doc; ``tests/test_report.py`` pins it)."""
        form = self.form
        total_row = form.funds_row("total")
        return {
            "sheet": form.sheet,
            "kind": form.kind,
            "unit": form.unit_name,
            "year": form.year,
            "indicator_count": len(form.indicators),
            "budget": {
                "rate": json_value(self.budget_rate),
                "score": json_value(self.budget_score),
                "stated_rate": json_value(self.stated_budget_rate),
                "stated_score": json_value(self.stated_budget_score),
                "rate_cell": total_row.rate.ref if total_row and total_row.rate else None,
                "score_cell": total_row.score.ref if total_row and total_row.score else None,
            },
            "total": {
                "stated": json_value(self.stated_total),
                "computed": json_value(self.total),
                "cell": form.total.ref if form.total else None,
            },
            "conclusion": {
                "stated": self.stated_grade,
                "computed": self.grade or None,  # None: no grade shown as if it were real
                "cell": form.conclusion.ref if form.conclusion else None,
            },
            "layout": form.layout,
            "parts": {name: _part_dict(part) for name, part in form.parts.items()},
            "profile": {"name": self.profile_name, "auto": self.profile_auto,
                        "expected_absent": list(self.expected_absent)},
            "complete": self.complete,
            "unfilled": self.unfilled_reason(lang),
            "findings": [finding.to_dict(lang) for finding in self.findings],
        }


def _part_dict(part: Part) -> dict[str, Any]:
    """What the reader understood of one part (see model.Part), in the JSON shape."""
    return {
        "status": part.status,
        "range": part.range,
        "columns": dict(part.columns),
        "missing": [zh for zh, _ in part.missing],
        **({"unknown": list(part.unknown)} if part.unknown else {}),  # header texts given no meaning
        **{k: json_value(v) for k, v in part.info.items()},
    }


def show(value: Any) -> str:
    """A value as the form shows it: at most 15 significant digits (Excel's
    precision: 98.64999999999999 is 98.65), no trailing zeros, no exponent."""
    if value is None:
        return "（空）"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
        with localcontext() as ctx:
            ctx.prec, ctx.rounding = 15, ROUND_HALF_UP
            ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
            return format((+value).normalize(), "f")
    return str(value)


_FLOAT_MAX = Decimal("1e308")  # beyond this a Decimal has no float


def json_value(value: Any) -> Any:
    """A value JSON can carry: numbers as numbers, and a number no JSON can
    hold (1e309 read as infinity, NaN) as null, never the invalid Infinity."""
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() and abs(value) < _FLOAT_MAX else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (int, str, bool)):
        return value
    return str(value)


def percent(rate: Decimal) -> str:
    return show(round_half_up(rate * HUNDRED, 2)) + "%"


def _number(cell: Cell | None) -> Decimal | None:
    if cell is None or cell.empty:
        return None
    return parse_number(cell.value)


def _rate_number(cell: Cell | None) -> Decimal | None:
    """A stated 执行率: 0.9752, "97.52%", or 97.52 typed without the sign."""
    value = _number(cell)
    if value is not None and value > 2:
        value = value / HUNDRED
    return value


_SPACES = lazy(r"\s+")


@functools.lru_cache(maxsize=8192)  # indicator names and values repeat across rows and files
def _label(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_FILLER_MARKS = frozenset("*＊xX×")


def is_placeholder(text: str) -> bool:
    """A template's stand-in label, as string tests (``$`` also matches before a final newline,
    ``.`` never a newline, ``\\d`` is ``str.isdecimal``):
    ``re.match(r"^(指标\\d*|[*＊xX×]+|…+|\\.{3,}|XX+|xx+|示例.*|例[:：].*)$", text)``."""
    text = text[:-1] if text.endswith("\n") else text
    if not text:
        return False
    first = text[0]  # the alternatives start with different characters: at most one applies
    if text.startswith("指标"):
        return all(char.isdecimal() for char in text[2:])
    if first == "…" or first == ".":
        return text == first * len(text) and (first == "…" or len(text) >= 3)
    if first in _FILLER_MARKS:
        return all(char in _FILLER_MARKS for char in text)
    if text.startswith(("示例", "例:", "例：")):
        return "\n" not in text
    return False


# points written in a 一级 label ("产出指标(50分)"); bounded and never starting
# inside a run of digits, so a cell of 32,000 digits costs one pass
DECLARED = lazy(r"(?<![\d.])(\d{1,6}(?:\.\d{1,6})?)\s{0,10}分")
# A year: "2023年", or a bare 20xx inside a name ("本单位2023总工作经费"); never a
# part of a longer number or a quantity ("≤2000元/生·年").
YEAR = lazy(r"(?<![\d.,])(20\d\d)(?![\d.,])(\s*年)?")


EVALUATION_LEVEL1 = (("decision", ("决策",)), ("process", ("过程", "管理")), ("output", ("产出",)),
                     ("benefit", ("效益", "效果")))


def evaluation_key(text: str) -> str | None:
    """The 一级 of the evaluation-style scheme 决策/过程(管理)/产出/效益."""
    clean = _label(text)
    for key, names in EVALUATION_LEVEL1:
        if any(name in clean for name in names):  # "决策", "项目决策(10分)"
            return key
    return None


def level1_key(text: str) -> str | None:
    clean = _label(text)
    for group in (*layout.LEVEL1, layout.COST_LEVEL1):
        if any(_label(name) in clean for name in group.synonyms):
            return group.key
    return None


class _Checker:
    def __init__(self, form: Form, profile: Profile):
        self.form = form
        self.profile = profile
        self.result = FormResult(form=form, profile_name=profile.name)
        self.result.expected_absent = [
            name for name in profile.expects if (part := form.parts.get(name)) is not None and part.status == "absent"
        ]
        self.tolerance = profile.tolerance

    # -- helpers --------------------------------------------------------
    def add(self, code: str, cell: Cell | None, expected: Any = None, found: Any = None, **params: Any) -> None:
        params.setdefault("expected", expected)
        params.setdefault("found", found)
        self.result.findings.append(
            Finding(code, self.form.sheet, cell.ref if cell else None, params, expected, found)
        )

    def change(self, cell: Cell | None, new: Decimal | str, code: str, number_format: str | None = None) -> None:
        if cell is not None:
            self.result.changes.append(Change(cell, new, code, number_format))

    def rounded(self, value: Decimal) -> Decimal:
        return round_half_up(value, self.profile.rounding)

    def required(self, cell: Cell | None, field_zh: str, field_en: str) -> bool:
        """True when the cell has a value; an E101 finding when it is empty."""
        if cell is not None and not cell.empty:
            return True
        self.add("E101", cell, field=field_zh, field_en=field_en)
        return False

    # -- the form -------------------------------------------------------
    def run(self) -> FormResult:
        self.layout_findings()
        for cell in self.form.placeholders:  # placeholder rows: not indicators, Q204 at most
            self.add("Q204", cell, found=cell.text.strip())
        if not self.form.indicators:  # a blank template: one finding, not a cascade
            self.result.total = None
            self.result.stated_total = _number(self.form.total)
            if self.understood("indicators"):
                self.add("E102", None)
                # nothing filled in: no computed total or grade shown as if it were real
                self.result.complete = False
            else:  # a table not understood has said so with its L finding; fill leaves the form alone
                self.result.unfilled = ("绩效指标表未识别", "the indicator table was not understood")
            self.result.findings.sort(key=lambda f: position(f.cell))
            return self.result
        self.name()
        indicator_total, indicator_weights = self.indicators()
        budget_weight, budget_score_value = self.funds()
        self.weights(indicator_weights, budget_weight)
        self.blocks()
        blanks = [c for c in self.result.changes if c.code == "E101" and c.cell is not self.form.conclusion]
        if blanks and self.form.total is None:
            # blank scores fill can compute, on a form with no 总分 cell: an unfinished form, no total shown
            # (with a 总分 cell it is a slip: the total is checked, and fill completes the form in one pass)
            self.result.complete = False
        if not self.result.complete:
            self.incomplete(indicator_weights, budget_weight, budget_score_value)
        elif self.budget_known(budget_score_value) and self.scores_known():
            self.totals(indicator_total + (budget_score_value or ZERO))
            self.conclusion()
        else:
            self.result.total = None
            self.result.stated_total = _number(self.form.total)
            self.result.grade = ""
            if self.form.conclusion is not None and not self.form.conclusion.empty:
                self.result.stated_grade = self.form.conclusion.text.strip()
        self.year()
        self.formulas()
        self.gate(indicator_weights, budget_weight)
        self.result.findings.sort(key=lambda f: position(f.cell))
        self.result.changes.sort(key=lambda c: position(c.cell.ref))
        return self.result

    # -- what the reader understood --------------------------------------
    def part(self, name: str):
        return self.form.parts.get(name)

    def understood(self, name: str) -> bool:
        part = self.part(name)
        return part is None or part.status != "partial"

    def layout_findings(self) -> None:
        """One L finding per part that is present but not understood."""
        codes = {"funds": "L201", "indicators": "L202", "total": "L203", "conclusion": "L204"}
        names = {"funds": ("资金", "Funds"), "indicators": ("绩效指标", "Indicators"), "total": ("总分", "Total"),
                 "conclusion": ("评价结论", "Conclusion")}
        for name, code in codes.items():
            part = self.part(name)
            if part is None or part.status != "partial":
                continue
            label = part.info.get("label")
            zh = _label(str(label)) if isinstance(label, str) and len(str(label)) < 30 and not _is_ref(label) else names[name][0]
            zh = re.sub(r"[（(].*?[)）]", "", zh) or names[name][0]
            missing_zh = "；".join(m[0] for m in part.missing)
            missing_en = "; ".join(m[1] for m in part.missing)
            if name == "funds":
                missing_zh += "；预算执行得分未核验"
                missing_en += "; the budget score is not checked"
                if self.form.total is not None:
                    missing_zh += "，总分与自评结论未核验"
                    missing_en += ", nor the total and the conclusion"
            elif name == "total":
                missing_zh += "；总分未核验"
                missing_en += "; the total is not checked"
            cell = Cell(self.form.sheet, part.range.split(":")[0]) if part.range else None
            self.add(code, cell, part=zh, part_en=names[name][1], range=part.range or "", missing=missing_zh,
                     missing_en=missing_en)

    def budget_known(self, budget_score_value: Decimal | None) -> bool:
        """The budget score needed by the total: known, or not part of this form's scheme."""
        if self.evaluation:
            return True
        if budget_score_value is not None:
            return True
        funds = self.part("funds")
        return funds is None or funds.status == "absent"

    def scores_known(self) -> bool:
        """The indicator scores the total needs: False when the table has no score column (L202)."""
        part = self.part("indicators")
        if part is None or not part.columns:
            return True
        return "score" in part.columns and ("target" in part.columns or "actual" in part.columns)

    @property
    def evaluation(self) -> bool:
        """决策/过程/产出/效益: budget execution is an indicator row, no separate budget score."""
        return self.profile.scheme == "evaluation" or self.form.layout == "evaluation"

    def incomplete(self, indicator_weights: Decimal, budget_weight: Decimal, budget_score: Decimal | None) -> None:
        """未填写完整: blank cells reported, no total or grade shown as if real, no C finding;
        a stated total no filling-in could reach is still T101 (reported, never written)."""
        self.result.total = None
        self.result.grade = ""
        cell = self.form.total
        stated = self.result.stated_total = _number(cell)
        if cell is not None and cell.empty:
            self.add("E101", cell, field="总分", field_en="Total score")
        elif stated is not None and self.scores_known() and (self.evaluation or self.budget_known(budget_score)):
            unaccounted = max(HUNDRED - indicator_weights - budget_weight, ZERO) if self.unweighted else ZERO
            budget = budget_weight if budget_score is None else budget_score
            reach = self.rounded(self.reach + unaccounted + (ZERO if self.evaluation else budget))
            if stated > reach + self.tolerance:
                self.add("T101", cell, expected=f"≤{show(reach)}", found=stated)
        conclusion = self.form.conclusion
        if conclusion is not None:
            if conclusion.empty:
                self.add("E101", conclusion, field="自评结论", field_en="Conclusion")
            else:
                self.result.stated_grade = conclusion.text.strip()

    def blocks(self) -> None:
        """Goal blocks (年度绩效目标1（40分）…): block points against row weights or scores."""
        rows = {ind.row: ind for ind in self.form.indicators}
        for block in self.form.blocks:
            if block.points is None:
                continue
            members = [rows[r] for r in block.rows if r in rows]
            name = re.sub(r"[（(].*", "", block.label.text).strip()
            if members and members[0].weight is not None:
                found = sum((_number(m.weight) or ZERO for m in members), ZERO)
                if found != block.points:
                    self.add("W105", block.label, expected=block.points, found=found, label=name,
                             declared=block.points)
            else:
                found = sum((_number(m.score) or ZERO for m in members), ZERO)
                if found > block.points + self.tolerance:
                    self.add("S105", block.label, expected=block.points, found=found, label=name)

    def gate(self, indicator_weights: Decimal, budget_weight: Decimal) -> None:
        """The plausibility gate: fill writes into this form only when it passes."""
        reasons: list[tuple[str, str]] = []
        for name in ("funds", "total"):
            part = self.part(name)
            if part is not None and part.status == "partial":
                what = {"funds": ("资金部分", "the funds block"), "total": ("总分", "the total")}[name]
                reasons.append((f"{what[0]}（{part.range}）未识别", f"{what[1]} ({part.range}) was not understood"))
        part = self.part("indicators")
        if part is not None and "score" not in part.columns:
            reasons.append(("绩效指标表没有得分列", "the indicator table has no score column"))
        elif not self.scores_known():
            reasons.append(("绩效指标表没有指标值和完成值列，得分无法核验", "the indicator table has no target or actual column"))
        has_weights = any(row.weight is not None for row in self.form.indicators)
        if has_weights:
            missing = getattr(self, "missing_weights", [])
            if missing:
                rows = "、".join(str(r) for r in missing[:5]) + ("…" if len(missing) > 5 else "")
                reasons.append((f"第 {rows} 行的指标没有分值", f"the indicators of rows {rows} have no weight"))
            points = indicator_weights + budget_weight
        else:
            # no 分值 column: the points of the rows cannot be shown to add up to full marks
            reasons.append(("没有分值列，无法核对各指标分值与满分", "no weight column: the points cannot be checked"))
            declared = [b.points for b in self.form.blocks if b.points is not None]
            points = sum(declared, ZERO) + budget_weight if declared else None
        full = HUNDRED
        missing_points = has_weights and bool(getattr(self, "missing_weights", None))
        if points is not None and not missing_points and abs(points - full) > full * GATE_SHARE:
            share = show(GATE_SHARE * HUNDRED)
            reasons.append((f"分值合计 {show(points)}，与满分 {show(full)} 相差超过 {share}%（分值有误，或表格未被正确识别）",
                            f"the weights add up to {show(points)}, more than {share} % away from full marks {show(full)} "
                            "(wrong weights, or a layout that was misread)"))
        stated = _number(self.form.total)
        reach = max(points, full) if points is not None else full
        if stated is not None and (stated < 0 or stated > reach * (1 + GATE_SHARE)):
            reasons.append((f"填报总分 {show(stated)} 超出各行分值合计 {show(reach)}",
                            f"the stated total {show(stated)} is beyond the {show(reach)} points of the rows"))
        computed = self.result.total
        if computed is not None and computed > reach + self.tolerance:
            reasons.append((f"计算总分 {show(computed)} 超过满分 {show(reach)}（得分超出分值，见上）",
                            f"the computed total {show(computed)} exceeds full marks {show(reach)} (scores above their points)"))
        if reasons:
            self.result.unfilled = ("；".join(r[0] for r in reasons), "; ".join(r[1] for r in reasons))
            self.result.changes = []

    # -- the unit / project name -------------------------------------------
    def name(self) -> None:
        """单位名称 (department form) or 项目名称 (project form): the form has the
        label but the cell beside it is empty -> E101 at that cell."""
        if self.form.kind == "project":
            key, field_zh, field_en = "project", "项目名称", "Project name"
        else:
            key, field_zh, field_en = "unit", "单位名称", "Unit name"
        cell = self.form.fields.get(key)
        if cell is not None:
            self.required(cell, field_zh, field_en)

    # -- indicators -----------------------------------------------------
    def indicators(self) -> tuple[Decimal, Decimal]:
        total = ZERO
        weights = ZERO
        # the most a half-filled form could still reach: scores that count + points of rows not scored
        self.reach = ZERO
        self.unweighted = False
        self.missing_weights: list[int] = []  # rows whose 分值 column is blank or not a positive number
        for row in self.form.indicators:
            score, weight = self.indicator(row)
            total += score
            weights += weight
            if row.weight is not None and not weight > 0:
                self.unweighted = True
                self.missing_weights.append(row.row)
        return total, weights

    def budget_row(self, row: Indicator, weight: Decimal | None, stated: Decimal | None) -> Decimal | None:
        """The evaluation scheme's 预算执行率 row: its score is the funds block's rate × its points (F102)."""
        total = self.form.funds_row("total")
        if total is None or weight is None or not self.understood("funds"):
            return None
        rate = budget_rate(_number(total.budget), _number(total.executed))
        if rate is None:
            return None
        profile = replace(self.profile, budget_points=weight)
        if stated is not None and matches(stated, budget_score_candidates(rate, profile), profile):
            return stated
        computed = self.rounded(budget_score(rate, profile))
        if stated is None:
            self.add("E101", row.score, field="得分", field_en="Score")
            self.change(row.score, computed, "E101")
        else:
            self.add("F102", row.score, expected=computed, found=stated, points=weight)
            self.change(row.score, computed, "F102")
        return computed

    def indicator(self, row: Indicator) -> tuple[Decimal, Decimal]:
        """Check one 三级 row; returns (effective score, weight)."""
        self.placeholder(row)
        if row.score is None or not self.scores_known():
            # no score column (L202): the table is not one the tool can score; no blanks or
            # weights asked of it, no arithmetic on a misreading
            nature = row.nature.value if row.nature is not None else None
            self.quality(row, parse_value(row.target.value if row.target else None, nature))
            return ZERO, (_number(row.weight) or ZERO)
        for cell, name_zh, name_en in ((row.level3, "三级指标名称", "Level-3 indicator name"),
                                       (row.target, "年度指标值", "Target value")):
            if cell is not None:
                self.required(cell, name_zh, name_en)
        weight = _number(row.weight)
        if row.weight is None:  # the form has no 分值 column: ask for nothing it has no column for
            weight = None
        elif not self.required(row.weight, "分值", "Weight"):
            weight = None
        elif weight is None or weight <= 0:
            self.add("W104", row.weight, found=row.weight.text if row.weight else None)
            weight = None
        nature = row.nature.value if row.nature is not None else None
        unit = row.unit.value if row.unit is not None else name_unit(row.level3)
        target = parse_value(row.target.value if row.target else None, nature, unit=unit)
        actual = parse_value(row.actual.value if row.actual else None, nature, unit=unit)
        inferred = False
        if (
            target.quantitative
            and target.direction is Direction.POSITIVE
            and not explicit_operator(target.raw)
            and (row.nature is None or nature_direction(nature) is None)
            and row.level3 is not None
            and lower_is_better(row.level3.text)
        ):
            # no ≥/≤ and no usable 指标性质: a …控制率 / 差错率 is lower-is-better by its name
            target = replace(target, direction=Direction.NEGATIVE)
            inferred = True
        self.quality(row, target)

        stated = _number(row.score)
        if stated is None and row.score is not None and not row.score.empty:
            self.add("S104", row.score, found=row.score.text.strip())
        formula = None
        if weight is not None and target.quantitative:
            if actual.quantitative:
                formula = quantitative_score(target, actual, weight, self.profile)
            elif stated is not None and actual.kind != "empty":  # a blank one is E101 below
                self.add("S203", row.actual, found=actual.raw or None)

        if row.score is None:  # no score column (L202 said so): nothing to check or write
            return ZERO, (weight or ZERO)
        if self.evaluation and row.level3 is not None and "预算执行率" in _label(row.level3.text):
            effective = self.budget_row(row, weight, stated)
            if effective is not None:
                self.reach += effective
                return effective, (weight or ZERO)
        self.inferred = inferred
        effective = self.indicator_score(row, stated, weight, formula, target, actual)
        if effective is None and row.score.empty:
            # a blank score fill cannot compute: 未填写完整.  One whose inputs are all there is
            # computed (and written); the total built on it is then real
            self.result.complete = False
        if row.actual is not None and row.actual.empty:
            # a blank 完成值: 未填写完整 even when a score was written (it cannot be checked)
            self.result.complete = False
            self.add("E101", row.actual, field="实际完成值", field_en="Actual value")
        if weight is not None and effective is not None:
            self.deviation(row, effective, weight, target, actual)
        if row.actual is not None and row.actual.empty or effective is None:
            self.reach += weight or ZERO  # not scored yet: it could still bring its points
        else:  # generous: the stated score (capped) when it is above the corrected one
            stated_capped = min(stated, weight) if stated is not None and weight is not None else stated
            self.reach += max(effective, stated_capped) if stated_capped is not None else effective
        return (effective or ZERO), (weight or ZERO)

    def indicator_score(
        self,
        row: Indicator,
        stated: Decimal | None,
        weight: Decimal | None,
        formula: Decimal | None,
        target: Value,
        actual: Value,
    ) -> Decimal | None:
        """Check the stated score; returns the score that counts in the total."""
        if stated is None:  # empty, or no number (S104): the formula, or full marks where plainly met
            if row.score is None or row.score.empty:
                self.add("E101", row.score, field="得分", field_en="Score")
            if formula is not None:
                new = self.rounded(formula)
            elif weight is not None and meets_target(target, actual):
                new = weight
            else:
                return None
            self.change(row.score, new, "S104" if row.score is not None and not row.score.empty else "E101")
            return new
        if stated < 0:
            self.add("S101", row.score, found=stated)
            new = self.rounded(formula) if formula is not None else ZERO
            self.change(row.score, new, "S101")
            return new
        if weight is not None and stated > weight + self.tolerance:
            self.add("S102", row.score, expected=weight, found=stated)
            new = self.rounded(formula) if formula is not None else weight
            self.change(row.score, new, "S102")
            return new
        if formula is not None and not matches(stated, formula, self.profile):
            new = self.rounded(formula)
            text = formula_text(target, actual, weight)
            if getattr(self, "inferred", False):
                text += "，按指标名称推定为反向指标"
            self.add("S103", row.score, expected=new, found=stated, formula=text,
                     formula_en=text.replace("，按指标名称推定为反向指标", ", lower-is-better inferred from the name"))
            self.change(row.score, new, "S103")
            return new
        return min(stated, weight) if weight is not None else stated

    def deviation(self, row: Indicator, score: Decimal, weight: Decimal, target: Value, actual: Value) -> None:
        if row.reason is None:
            return  # the form has no reason column: ask for nothing it has no column for
        has_reason = not row.reason.empty
        if has_reason:
            return
        if score < weight - self.tolerance:
            self.add("S201", row.reason or row.score, expected=weight, found=score)
        elif target.quantitative and actual.quantitative and overachieved(target, actual, self.profile):
            a, b = comparable(target, actual)
            ratio = round_half_up(b / a, 1)
            self.add("S202", row.reason or row.actual, expected=target.raw, found=actual.raw, ratio=ratio)

    def placeholder(self, row: Indicator) -> None:
        for cell in (row.level3, row.target):
            if cell is not None and not cell.empty and is_placeholder(_label(cell.text)):
                self.add("Q204", cell, found=cell.text.strip())
                return

    def quality(self, row: Indicator, target: Value) -> None:
        if target.kind == "empty":
            return
        if is_vague(target.raw):
            self.add("Q201", row.target, found=target.raw)
        groups = " ".join(c.text for c in (row.level1, row.level2) if c is not None)
        if "成本" in groups and target.direction is Direction.POSITIVE and explicit_operator(target.raw):
            self.add("Q202", row.target, found=target.raw)
        if target.percent and target.number is not None and target.number > HUNDRED:
            self.add("Q203", row.target, found=target.raw)

    # -- funds ----------------------------------------------------------
    def funds(self) -> tuple[Decimal, Decimal | None]:
        """Check the funds block; returns (budget weight, effective budget score)."""
        points = self.form.budget_points  # "（20分）" in the block label
        if self.evaluation:
            # budget execution is an indicator row of the 决策/过程/产出/效益 scheme: the rate is read
            # (and checked where stated), no separate budget score
            total = self.form.funds_row("total")
            if total is not None and self.understood("funds"):
                rate = budget_rate(_number(total.budget), _number(total.executed))
                if rate is not None:
                    self.result.budget_rate = round_half_up(rate, self.profile.rate_decimals)
                    stated_rate = _rate_number(total.rate)
                    self.result.stated_budget_rate = stated_rate
                    if stated_rate is not None and not rate_matches(stated_rate, rate):
                        self.add("F101", total.rate, expected=percent(rate), found=percent(stated_rate))
                        self.change(total.rate, self.result.budget_rate, "F101", "0.00%")
            return ZERO, None
        total = self.form.funds_row("total")
        if not self.understood("funds"):
            # present but not understood (L201): no F check; a stated score counts only when its cell was read
            weight = points if points is not None else self.profile.budget_points
            stated = _number(total.score) if total is not None and total.score is not None else None
            if stated is None:
                return weight, None
            return weight, min(max(stated, ZERO), weight)
        if total is None:
            return (points if points is not None else self.profile.budget_points), None
        self.result.stated_budget_rate = _rate_number(total.rate)
        self.result.stated_budget_score = _number(total.score)
        sums = self.funds_sums(total)
        for row in self.form.funds:
            budget, executed = _number(row.budget), _number(row.executed)
            if budget is not None and executed is not None and executed > budget + self.tolerance:
                label = row.label.text.strip().rstrip(":：")
                self.add("F201", row.executed, expected=budget, found=executed, label=label)

        weight = _number(total.weight)
        where = total.weight
        if weight is None and points is not None:
            weight, where = points, None
        if weight is None:
            weight = self.profile.budget_points
        elif weight != self.profile.budget_points:
            self.add("W103", where, expected=self.profile.budget_points, found=weight)

        budget, executed = _number(total.budget), _number(total.executed)
        if "budget" in sums and "executed" in sums and not budget and not executed:
            # a 年度资金总额 row of zeros above filled components (F103 said so): the rate is the components'
            budget, executed = sums["budget"], sums["executed"]
            rate = budget_rate(budget, executed)
        else:
            budget_ok = self.required(total.budget, "全年预算数", "Budget (A)")
            executed_ok = self.required(total.executed, "全年执行数", "Executed (B)")
            rate = budget_rate(budget, executed) if budget_ok and executed_ok else None
        if rate is None:
            stated = _number(total.score)
            return weight, min(max(stated, ZERO), weight) if stated is not None else None

        rounded_rate = round_half_up(rate, self.profile.rate_decimals)
        self.result.budget_rate = rounded_rate
        stated_rate = _rate_number(total.rate)
        if total.rate is not None:
            if stated_rate is None:
                self.add("E101", total.rate, field="执行率", field_en="Execution rate")
                self.change(total.rate, rounded_rate, "E101", "0.00%")
            elif not rate_matches(stated_rate, rate):
                self.add("F101", total.rate, expected=percent(rate), found=percent(stated_rate))
                self.change(total.rate, rounded_rate, "F101", "0.00%")

        # the form's own budget 分值 scores its budget (W103 already said if it differs)
        profile = replace(self.profile, budget_points=weight)
        computed = budget_score(rate, profile)
        stated_score = _number(total.score)
        if total.score is None:
            effective = self.rounded(computed)
        elif stated_score is None:
            effective = self.rounded(computed)
            self.add("E101", total.score, field="预算执行得分", field_en="Budget score")
            self.change(total.score, effective, "E101")
        elif matches(stated_score, budget_score_candidates(rate, profile), profile):
            effective = stated_score
        else:
            effective = self.rounded(computed)
            self.add("F102", total.score, expected=effective, found=stated_score, points=weight)
            self.change(total.score, effective, "F102")
        self.result.budget_score = effective
        return weight, effective

    def funds_sums(self, total) -> dict[str, Decimal]:
        """F103 per column; returns the components' sums of the columns the total row gets wrong."""
        wrong: dict[str, Decimal] = {}
        parts = [row for row in self.form.funds if row is not total]
        columns = (("initial", "年初预算数", "initial budget"), ("budget", "全年预算数", "budget"),
                   ("executed", "全年执行数", "executed"))
        for key, name_zh, name_en in columns:
            values = [_number(getattr(row, key)) for row in parts]
            if not any(v is not None for v in values):
                continue
            stated = _number(getattr(total, key))
            expected = sum((v for v in values if v is not None), ZERO)
            if stated is not None and abs(stated - expected) > self.tolerance:
                self.add("F103", getattr(total, key), expected=expected, found=stated, column=name_zh,
                         column_en=name_en)
                wrong[key] = expected
        return wrong

    # -- weights --------------------------------------------------------
    def weights(self, indicator_weights: Decimal, budget_weight: Decimal) -> None:
        if not self.scores_known():
            return  # no score column (L202): no weight sums on a table that is not understood
        if getattr(self, "missing_weights", None):
            return  # a blank or invalid 分值 (E101/W104 said so): no sums built on it
        groups: dict[str, tuple[Cell, Decimal]] = {}
        order: list[str] = []
        for row in self.form.indicators:
            label = row.level1
            if label is None or label.empty:
                continue
            key = _label(label.text)
            weight = _number(row.weight) or ZERO
            if key not in groups:
                groups[key] = (label, ZERO)
                order.append(key)
            groups[key] = (groups[key][0], groups[key][1] + weight)
        seen: set[str] = set()
        unnamed = False
        for key in order:
            label, found = groups[key]
            name = re.sub(r"[（(].*", "", label.text).strip()
            declared_match = DECLARED.search(unicodedata.normalize("NFKC", label.text))
            declared = Decimal(declared_match.group(1)) if declared_match else None
            group = evaluation_key(label.text) if self.evaluation else level1_key(label.text)
            if group:
                seen.add(group)
            else:
                unnamed = True  # "(50分)" alone: which 一级 it is cannot be told
            if not any(row.weight is not None for row in self.form.indicators):
                continue  # no 分值 column: block sums and the total are checked instead
            if declared is not None and declared != found:
                self.add("W101", label, expected=declared, found=found, label=name, declared=declared)
                continue
            expected = self.profile.level1_weights.get(group) if group else None
            if self.profile.indicator_points is not None:
                expected = None  # the profile prescribes no per-一级 split
            if expected is not None and found != expected:
                self.add("W201", label, expected=expected, found=found, label=name)
        for group in layout.LEVEL1:
            expected = self.profile.level1_weights.get(group.key)
            if not self.form.level1_column or self.evaluation or self.profile.indicator_points is not None or unnamed:
                break  # no 一级 column, another scheme, or no per-一级 split: no "missing 一级" warnings
            if self.form.indicators and expected and group.key not in seen:
                self.add("W202", None, expected=expected, label=group.name)
        if not any(row.weight is not None for row in self.form.indicators):
            declared = [b.points for b in self.form.blocks if b.points is not None]
            if not declared:
                return  # no 分值 column and no block points: nothing to add up
            indicator_weights = sum(declared, ZERO)
        found = indicator_weights + budget_weight
        if found != HUNDRED:
            cell = self.form.total_weight
            self.add("W102", cell, expected=HUNDRED, found=found, indicators=indicator_weights, budget=budget_weight)

    # -- totals and conclusion -----------------------------------------
    def totals(self, computed: Decimal) -> None:
        computed = self.rounded(computed)
        self.result.total = computed
        self.result.grade = grade(computed, self.profile)
        cell = self.form.total
        if cell is None:
            return
        stated = _number(cell)
        self.result.stated_total = stated
        part = self.part("total")
        writable = part is None or not part.info.get("inline")  # "自评总分：96" in one cell: report only
        if stated is None and not cell.empty:  # text, or a number no cell can hold (1e309)
            self.add("T101", cell, expected=computed, found=show(cell.value))
            if writable:
                self.change(cell, computed, "T101")
        elif stated is None:
            self.add("E101", cell, field="总分", field_en="Total score")
            if writable:
                self.change(cell, computed, "E101")
        elif abs(stated - computed) > self.tolerance:
            self.add("T101", cell, expected=computed, found=stated)
            if writable:
                self.change(cell, computed, "T101")

    def conclusion(self) -> None:
        cell = self.form.conclusion
        if cell is None:
            return
        expected = self.result.grade
        part = self.part("conclusion")
        if part is not None and part.info.get("kind") == "narrative" and (cell.empty or not part.info.get("grade_cell")):
            # a narrative box: a grade is read only from a cell holding a grade word, never written into it
            if cell.empty:
                self.add("E101", cell, field="评价结论", field_en="Conclusion")
            return
        if cell.empty:
            self.add("E101", cell, field="自评结论", field_en="Conclusion")
            words = dict(zip(("优秀", "良好", "中", "差"), self.profile.grade_words))
            self.change(cell, words.get(expected, expected), "E101")  # the profile's way of writing the grade
            return
        text = cell.text.strip()
        self.result.stated_grade = text
        stated = normalise_grade(text)
        if stated is None:
            self.add("C201", cell, expected=expected, found=text)
            if len(_label(text)) <= 6:  # a short wrong word, not a sentence someone wrote
                self.change(cell, expected, "C201")
        elif stated != expected:
            self.add("C101", cell, expected=expected, found=text, total=self.result.total)
            short = len(_label(text)) == 1
            self.change(cell, expected[0] if short else expected, "C101")

    # -- formulas -------------------------------------------------------
    def formulas(self) -> None:
        """Corrections that last.  fill writes a formula cell's cached value
        and the file recalculates on open, so a value lands in a formula cell
        only when the formula, recalculated with every correction in place,
        gives that value.  Otherwise:

        * a score whose formula is only missing the cap (over-spent budget,
          over-achieved indicator) gets its formula rewritten around the
          user's own: ``=MIN(H7*10,10)``, ``=MIN(F18/E18*G18,G18)``;
        * a formula that is right but is fed a cell that stays wrong keeps
          its finding and is not written;
        * a formula that is itself wrong gives T102 instead of its finding,
          and a person fixes it;
        * a formula this tool cannot evaluate is not written (report only).

        The 执行率, budget score, 总分 and 自评结论 formulas are checked even
        when nothing is written to them (T102 when they are wrong)."""
        total_row = self.form.funds_row("total")
        changed = {c.cell.ref: c for c in self.result.changes}
        targets: list[tuple[Cell, Any, str, str | None]] = []
        for row in self.form.indicators:
            change = changed.get(row.score.ref) if row.score is not None else None
            if change is not None and row.score.formula:
                targets.append((row.score, change.new, "score", self._cap(row.weight, _number(row.weight))))
        if total_row is not None:
            weight = _number(total_row.weight)
            targets += [
                (total_row.rate, self.result.budget_rate, "rate", None),
                (total_row.score, self.result.budget_score, "score",
                 self._cap(total_row.weight, weight if weight is not None else self.profile.budget_points)),
            ]
        targets += [(self.form.total, self.result.total, "score", None),
                    (self.form.conclusion, self.result.grade, "grade", None)]
        # "" is no computed grade (an unfinished form): nothing to hold the formula to
        targets = [t for t in targets if t[0] is not None and t[0].formula and t[1] not in (None, "")]
        if not targets:
            return
        recalc = _Grid(self.form, self.result.changes, recalc=True)
        ideal = None
        for cell, expected, kind, cap in targets:
            change = changed.get(cell.ref)
            found = recalc.evaluate(cell)
            if found is not None and _formula_agrees(found, expected, kind, self.tolerance):
                continue
            if found is not None and cap is not None and change is not None \
                    and cell.ref not in self.form.fixed_formulas:
                body = cell.formula.lstrip("=")
                for candidate in (f"MIN({body},{cap})", f"MAX(0,MIN({body},{cap}))"):
                    value = recalc.evaluate(cell, candidate)
                    if value is not None and _formula_agrees(value, expected, kind, self.tolerance):
                        recalc.rewrite(cell, candidate)
                        new_change = replace(change, formula=candidate)
                        self.result.changes = [new_change if c is change else c for c in self.result.changes]
                        changed[cell.ref] = new_change
                        break
                else:
                    value = None
                if value is not None:
                    continue
            # the value would not hold: nothing is written to this cell
            self.result.changes = [c for c in self.result.changes if c.cell.ref != cell.ref]
            changed.pop(cell.ref, None)
            if found is None:
                continue  # cannot tell: the finding stays, the cell is left to a person
            ideal = ideal or _Grid(self.form, self.result.changes, overlay=self._wanted(targets))
            right = ideal.evaluate(cell)
            if right is not None and _formula_agrees(right, expected, kind, self.tolerance):
                continue  # the formula is right; a cell it reads stays wrong (its own finding says so)
            shown_value = right if right is not None else found
            self.result.findings = [f for f in self.result.findings if f.cell != cell.ref]
            shown = percent(shown_value) if kind == "rate" and isinstance(shown_value, Decimal) else shown_value
            wanted = percent(expected) if kind == "rate" else expected
            self.add("T102", cell, expected=wanted, found=shown, formula=cell.formula.lstrip("="))

    @staticmethod
    def _cap(cell: Cell | None, weight: Decimal | None) -> str | None:
        """What caps a score in a rewritten formula: the 分值 cell itself when
        it holds the weight as a plain number, else the number."""
        if weight is None or weight <= 0:
            return None
        if cell is not None and not cell.formula and _number(cell) == weight and isinstance(cell.value, (int, float)):
            return cell.ref
        return format(weight.normalize(), "f")

    @staticmethod
    def _wanted(targets) -> dict[str, Any]:
        """The values the checked cells should have, for judging a formula
        apart from the cells it reads."""
        return {cell.ref: expected for cell, expected, _kind, _cap in targets}

    def year(self) -> None:
        year = self.form.year
        if year is None:
            return
        for row in self.form.indicators:
            for cell in (row.level3, row.target):
                if cell is None or cell.empty:
                    continue
                for found, with_nian in written_years(cell.text):
                    named = with_nian or (cell is row.level3 and abs(found - year) <= 2)
                    if named and found != year:
                        self.add("Q205", cell, expected=year, found=found)
                        return


@functools.lru_cache(maxsize=8192)
def written_years(text: str) -> tuple[tuple[int, bool], ...]:
    """The years written in ``text``: (year, followed by 年)."""
    text = unicodedata.normalize("NFKC", text)
    found = []
    for m in YEAR.finditer(text):
        before, after = text[: m.start()].rstrip(), text[m.end():].lstrip()
        if PERIOD_AFTER.match(after) or PERIOD_BEFORE.search(before):
            continue  # a period such as 2018-2022 is not a stale year
        found.append((int(m.group(1)), bool(m.group(2))))
    return tuple(found)


PERIOD_AFTER = lazy(r"^[-—–~～至到]\s*(?:19|20)\d\d")
PERIOD_BEFORE = lazy(r"(?:19|20)\d\d\s*年?\s*[-—–~～至到]$")


class _Grid:
    """The form's cells by position, with the corrected values laid over them,
    for evaluating a formula as the file would after fill.

    ``recalc=True`` evaluates every formula cell of the form from its formula
    (as recalculation on open does), written values landing only in plain
    cells; otherwise a cell's value is its corrected value (or, with
    ``overlay``, the value it should have).  A reference to a cell the form
    model does not know (outside the form's rows) makes the evaluation give up
    rather than guess."""

    def __init__(self, form: Form, changes: list[Change], *, recalc: bool = False,
                 overlay: dict[str, Any] | None = None):
        self.values: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.recalc = recalc
        self.sheet = form.sheet  # references to the form's own sheet by name are fine
        cells = [form.total, form.total_weight, form.conclusion]
        for row in form.funds:
            cells += [row.label, row.initial, row.budget, row.executed, row.weight, row.rate, row.score]
        for row in form.indicators:
            cells += [row.level1, row.level2, row.level3, row.target, row.actual, row.weight, row.score,
                      row.reason, row.nature, row.unit]
        for cell in cells:
            if cell is not None:
                key = position(cell.ref)
                self.values[key] = cell.value
                if recalc and cell.formula:
                    self.formulas[key] = cell.formula
        for change in changes:
            key = position(change.cell.ref)
            if change.formula and recalc:
                self.formulas[key] = change.formula
            elif key not in self.formulas:
                self.values[key] = _grid_value(change.new)
        for ref, value in (overlay or {}).items():
            self.values[position(ref)] = _grid_value(value)
        self.computed: dict[tuple[int, int], Any] = {}
        self.busy: set[tuple[int, int]] = set()
        rows = [row.row for row in form.indicators]
        self.table = (min(rows), max(rows)) if rows else (0, -1)
        # the indicator table's own columns: a blank there is a blank; a cell
        # in another column (a helper column the model does not read) is unknown
        self.columns = {key[1] for key in self.values if self.table[0] <= key[0] <= self.table[1]}

    def rewrite(self, cell: Cell, formula: str) -> None:
        self.formulas[position(cell.ref)] = formula
        self.computed.clear()

    def get(self, row: int, col: int) -> Any:  # 0-based, as formula.evaluate asks
        from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate

        key = (row + 1, col + 1)
        if key in self.formulas:
            if key in self.computed:
                return self.computed[key]
            if key in self.busy:
                raise Unsupported("circular reference")
            self.busy.add(key)
            try:
                value = evaluate(self.formulas[key], self.get, self.sheet)
            finally:
                self.busy.discard(key)
            if isinstance(value, ExcelError):
                raise value
            self.computed[key] = value
            return value
        if key in self.values:
            value = self.values[key]
            if isinstance(value, str):  # a number typed as text ("3分") is read as that number
                number = parse_number(value)
                return value if number is None else number
            return value
        if self.table[0] <= row + 1 <= self.table[1] and col + 1 in self.columns:
            return None  # a blank cell of the indicator table
        raise Unsupported("outside the form")

    def evaluate(self, cell: Cell, formula: str | None = None) -> Decimal | str | None:
        """What ``formula`` (default: the cell's own, or its rewrite) gives here."""
        from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate

        key = position(cell.ref)
        text = formula or (self.formulas.get(key) if self.recalc else None) or cell.formula
        try:
            value = evaluate(text, self.get, self.sheet)
        except (Unsupported, ExcelError, ArithmeticError, ValueError, TypeError, RecursionError):
            return None
        if isinstance(value, (ExcelError, bool)):
            return None
        if isinstance(value, (int, float)):
            if not math.isfinite(value):
                return None
            return Decimal(repr(float(value)))
        return str(value)


def _grid_value(new: Any) -> Any:
    return float(new) if isinstance(new, Decimal) else new


def _formula_agrees(found: Decimal | str, expected: Decimal | str, kind: str, tolerance: Decimal) -> bool:
    if kind == "grade":
        return normalise_grade(found) == expected
    if not isinstance(found, Decimal):
        return False
    if kind == "rate":
        return rate_matches(found, expected)
    return abs(found - expected) <= tolerance


@functools.lru_cache(maxsize=8192)
def position(ref: str | None) -> tuple[int, int]:
    """Sort key of an A1 reference: row, then column; no cell sorts first."""
    if not ref:
        return (0, 0)
    parts = cellref.split(ref.partition(":")[0])
    if parts is None:
        return (0, 0)
    return (parts[1], cellref.col_index(parts[0]) + 1)


def rate_matches(stated: Decimal, rate: Decimal) -> bool:
    """A stated rate is right when it is the exact rate rounded anywhere from
    whole percent to 0.0001 %, or within 0.01 percentage points of it."""
    if abs(stated - rate) <= Decimal("0.0001"):
        return True
    return any(stated == round_half_up(rate, places) for places in range(2, 7))


_OPERATOR_WORDS = ("≥", ">", "＞", "≧", "=", "＝", "═", "不低于", "不少于", "至少", "大于", "达到")


def explicit_operator(raw: str) -> bool:
    """Whether the text states its direction: on the NFKC text,
    ``re.search(r"^\\s*(?:[≥>＞≧=＝═]|不低于|不少于|至少|大于|达到)|以上\\s*$", text)`` as string
    tests (``\\s`` and ``str.strip`` know the same spaces)."""
    text = unicodedata.normalize("NFKC", raw)
    return text.lstrip().startswith(_OPERATOR_WORDS) or text.rstrip().endswith("以上")


ACHIEVED = lazy(r"完成|达成|达到|实现|按期|按时|及时|合格|满意|良好|优秀|是|符合|合规|正常")
NOT_ACHIEVED = lazy(r"未|部分|没有|延期|滞后|不足|不合格|不满意|否")


def meets_target(target: Value, actual: Value) -> bool:
    """A qualitative actual that plainly meets its target (for filling an empty score)."""
    if actual.kind == "empty":
        return False
    if _label(actual.raw) == _label(target.raw) and target.kind != "empty":
        return True
    return bool(ACHIEVED.search(actual.raw)) and not NOT_ACHIEVED.search(actual.raw)


def formula_text(target: Value, actual: Value, weight: Decimal | None) -> str:
    pair = comparable(target, actual)
    a, b = (show(n) for n in pair) if pair else (show(target.number), show(actual.number))
    w = show(weight)
    if target.direction is Direction.NEGATIVE:
        return f"{a}/{b}×{w}"
    return f"{b}/{a}×{w}"


def check_form(form: Form, profile: Profile = DEFAULT) -> FormResult:
    return _Checker(form, profile).run()


def check_workbook(workbook: Workbook, profile: Profile = DEFAULT) -> list[FormResult]:
    """Check every form; without a chosen profile each form gets the one its layout names."""
    results = []
    for form in workbook.forms:
        chosen, auto = for_layout(form.layout, profile)
        result = check_form(form, chosen)
        result.profile_auto = auto
        results.append(result)
    return results
