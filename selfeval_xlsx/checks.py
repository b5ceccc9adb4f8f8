"""Run the rules on a form: findings and the computed values.

Input: a :class:`model.Form` from the reader.  Output: a :class:`FormResult`
with the findings (each positioned at a cell), the computed 执行率, budget
得分, 总分 and 自评结论, and the edits the writer would make.

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
import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from selfeval_xlsx import layout
from selfeval_xlsx.formula import col_index
from selfeval_xlsx.model import Cell, Form, Indicator, Workbook
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.rules import BY_CODE, ERROR
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
from selfeval_xlsx.values import Direction, Value, is_vague, parse_number, parse_value

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Finding:
    code: str
    sheet: str
    cell: str | None  # A1 on ``sheet``
    params: dict[str, Any]  # fills the rule's message template
    expected: Any = None
    found: Any = None

    @property
    def severity(self) -> str:
        return BY_CODE[self.code].severity

    def message(self, lang: str = "zh") -> str:
        rule = BY_CODE[self.code]
        template = rule.en if lang == "en" else rule.zh
        return template.format(**{k: show(v) for k, v in self.params.items()})


@dataclass(frozen=True)
class Change:
    """A computed value for a cell; ``fill`` writes it."""

    cell: Cell
    new: Decimal | str
    code: str  # the rule that asked for it
    number_format: str | None = None


@dataclass
class FormResult:
    form: Form
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    budget_rate: Decimal | None = None  # rounded to profile.rate_decimals
    budget_score: Decimal | None = None  # the effective budget score
    total: Decimal = ZERO  # computed, rounded to profile.rounding
    stated_total: Decimal | None = None
    grade: str = ""
    stated_grade: str | None = None  # the conclusion cell's text

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def show(value: Any) -> str:
    """A value as a person reads it: Decimal without trailing zeros."""
    if value is None:
        return "（空）"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, float):
        return show(Decimal(repr(value)))
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


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=8192)  # indicator names and values repeat across rows and files
def _label(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


PLACEHOLDERS = re.compile(r"^(指标\d*|[*＊xX×]+|…+|\.{3,}|XX+|xx+|示例.*|例[:：].*)$")
DECLARED = re.compile(r"(\d+(?:\.\d+)?)\s*分")
# A year: "2023年", or a bare 20xx inside a name ("本单位2023总工作经费"); never a
# part of a longer number or a quantity ("≤2000元/生·年").
YEAR = re.compile(r"(?<![\d.,])(20\d\d)(?![\d.,])(\s*年)?")


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
        self.result = FormResult(form=form)
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
        if not self.form.indicators:  # a blank template: one finding, not a cascade
            self.add("E102", None)
            self.result.grade = grade(ZERO, self.profile)
            return self.result
        self.name()
        indicator_total, indicator_weights = self.indicators()
        budget_weight, budget_score_value = self.funds()
        self.weights(indicator_weights, budget_weight)
        self.totals(indicator_total + (budget_score_value or ZERO))
        self.conclusion()
        self.year()
        self.formulas()
        self.result.findings.sort(key=lambda f: position(f.cell))
        self.result.changes.sort(key=lambda c: position(c.cell.ref))
        return self.result

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
        for row in self.form.indicators:
            score, weight = self.indicator(row)
            total += score
            weights += weight
        return total, weights

    def indicator(self, row: Indicator) -> tuple[Decimal, Decimal]:
        """Check one 三级 row; returns (effective score, weight)."""
        self.placeholder(row)
        for cell, name_zh, name_en in ((row.level3, "三级指标名称", "Level-3 indicator name"),
                                       (row.target, "年度指标值", "Target value")):
            if cell is not None:
                self.required(cell, name_zh, name_en)
        weight = _number(row.weight)
        if not self.required(row.weight, "分值", "Weight"):
            weight = None
        elif weight is None or weight <= 0:
            self.add("W104", row.weight, found=row.weight.text if row.weight else None)
            weight = None
        nature = row.nature.value if row.nature is not None else None
        target = parse_value(row.target.value if row.target else None, nature)
        actual = parse_value(row.actual.value if row.actual else None, nature)
        self.quality(row, target)

        stated = _number(row.score)
        if stated is None and row.score is not None and not row.score.empty:
            self.add("S104", row.score, found=row.score.text.strip())
        formula = None
        if weight is not None and target.quantitative:
            if actual.quantitative:
                formula = quantitative_score(target, actual, weight, self.profile)
            elif stated is not None:
                self.add("S203", row.actual, found=actual.raw or None)

        effective = self.indicator_score(row, stated, weight, formula, target, actual)
        if weight is not None and effective is not None:
            self.deviation(row, effective, weight, target, actual)
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
            self.add("S103", row.score, expected=new, found=stated, formula=formula_text(target, actual, weight))
            self.change(row.score, new, "S103")
            return new
        return min(stated, weight) if weight is not None else stated

    def deviation(self, row: Indicator, score: Decimal, weight: Decimal, target: Value, actual: Value) -> None:
        has_reason = row.reason is not None and not row.reason.empty
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
            if cell is not None and not cell.empty and PLACEHOLDERS.match(_label(cell.text)):
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
        total = self.form.funds_row("total")
        if total is None:
            return self.profile.budget_points, None
        self.funds_sums(total)
        for row in self.form.funds:
            budget, executed = _number(row.budget), _number(row.executed)
            if budget is not None and executed is not None and executed > budget + self.tolerance:
                label = row.label.text.strip().rstrip(":：")
                self.add("F201", row.executed, expected=budget, found=executed, label=label)

        weight = _number(total.weight)
        if weight is None:
            weight = self.profile.budget_points
        elif weight != self.profile.budget_points:
            self.add("W103", total.weight, expected=self.profile.budget_points, found=weight)

        budget_ok = self.required(total.budget, "全年预算数", "Budget (A)")
        executed_ok = self.required(total.executed, "全年执行数", "Executed (B)")
        rate = budget_rate(_number(total.budget), _number(total.executed)) if budget_ok and executed_ok else None
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

    def funds_sums(self, total) -> None:
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

    # -- weights --------------------------------------------------------
    def weights(self, indicator_weights: Decimal, budget_weight: Decimal) -> None:
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
        for key in order:
            label, found = groups[key]
            name = re.sub(r"[（(].*", "", label.text).strip()
            declared_match = DECLARED.search(unicodedata.normalize("NFKC", label.text))
            declared = Decimal(declared_match.group(1)) if declared_match else None
            group = level1_key(label.text)
            if group:
                seen.add(group)
            if declared is not None and declared != found:
                self.add("W101", label, expected=declared, found=found, label=name, declared=declared)
                continue
            expected = self.profile.level1_weights.get(group) if group else None
            if expected is not None and found != expected:
                self.add("W201", label, expected=expected, found=found, label=name)
        for group in layout.LEVEL1:
            expected = self.profile.level1_weights.get(group.key)
            if self.form.indicators and expected and group.key not in seen:
                self.add("W202", None, expected=expected, label=group.name)
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
        if stated is None:
            self.add("E101", cell, field="总分", field_en="Total score")
            self.change(cell, computed, "E101")
        elif abs(stated - computed) > self.tolerance:
            self.add("T101", cell, expected=computed, found=stated)
            self.change(cell, computed, "T101")

    def conclusion(self) -> None:
        cell = self.form.conclusion
        if cell is None:
            return
        expected = self.result.grade
        if cell.empty:
            self.add("E101", cell, field="自评结论", field_en="Conclusion")
            self.change(cell, expected, "E101")
            return
        text = cell.text.strip()
        self.result.stated_grade = text
        stated = normalise_grade(text)
        if stated is None:
            self.add("C201", cell, expected=expected, found=text)
            self.change(cell, expected, "C201")
        elif stated != expected:
            self.add("C101", cell, expected=expected, found=text, total=self.result.total)
            short = len(_label(text)) == 1
            self.change(cell, expected[0] if short else expected, "C101")

    # -- formulas -------------------------------------------------------
    def formulas(self) -> None:
        """T102: a computed cell whose formula, fed the corrected values, still
        gives another result.  Writing the value would not help (the file
        recalculates on open), so that cell's change and arithmetic finding
        give way to T102 and a person fixes the formula."""
        total_row = self.form.funds_row("total")
        targets = [
            (total_row.rate if total_row else None, self.result.budget_rate, "rate"),
            (total_row.score if total_row else None, self.result.budget_score, "score"),
            (self.form.total, self.result.total, "score"),
            (self.form.conclusion, self.result.grade, "grade"),
        ]
        grid = None
        for cell, expected, kind in targets:
            if cell is None or not cell.formula or expected is None:
                continue
            grid = grid or _Grid(self.form, self.result.changes)
            found = grid.evaluate(cell)
            if found is None or _formula_agrees(found, expected, kind, self.tolerance):
                continue
            self.result.changes = [c for c in self.result.changes if c.cell.ref != cell.ref]
            self.result.findings = [f for f in self.result.findings if f.cell != cell.ref]
            shown = percent(found) if kind == "rate" and isinstance(found, Decimal) else found
            wanted = percent(expected) if kind == "rate" else expected
            self.add("T102", cell, expected=wanted, found=shown, formula=cell.formula.lstrip("="))

    def year(self) -> None:
        year = self.form.year
        if year is None:
            return
        for row in self.form.indicators:
            for cell in (row.level3, row.target):
                if cell is None or cell.empty:
                    continue
                for found, with_nian in _years(cell.text):
                    named = with_nian or (cell is row.level3 and abs(found - year) <= 2)
                    if named and found != year:
                        self.add("Q205", cell, expected=year, found=found)
                        return


@functools.lru_cache(maxsize=8192)
def _years(text: str) -> tuple[tuple[int, bool], ...]:
    """The years written in ``text``: (year, followed by 年)."""
    return tuple((int(m.group(1)), bool(m.group(2))) for m in YEAR.finditer(unicodedata.normalize("NFKC", text)))


class _Grid:
    """The form's cells by position, with the corrected values laid over them,
    for evaluating a formula as the file would after fill.  A reference to a
    cell the form model does not know (outside the form's rows) makes the
    evaluation give up rather than guess."""

    def __init__(self, form: Form, changes: list[Change]):
        self.values: dict[tuple[int, int], Any] = {}
        cells = [form.total, form.total_weight, form.conclusion]
        for row in form.funds:
            cells += [row.label, row.initial, row.budget, row.executed, row.weight, row.rate, row.score]
        for row in form.indicators:
            cells += [row.level1, row.level2, row.level3, row.target, row.actual, row.weight, row.score,
                      row.reason, row.nature, row.unit]
        for cell in cells:
            if cell is not None:
                self.values[position(cell.ref)] = cell.value
        for change in changes:
            new = change.new
            self.values[position(change.cell.ref)] = float(new) if isinstance(new, Decimal) else new
        rows = [row.row for row in form.indicators]
        self.table = (min(rows), max(rows)) if rows else (0, -1)

    def get(self, row: int, col: int) -> Any:  # 0-based, as formula.evaluate asks
        key = (row + 1, col + 1)
        if key in self.values:
            value = self.values[key]
            if isinstance(value, str):  # a number typed as text ("3分") is read as that number
                number = parse_number(value)
                return value if number is None else number
            return value
        if self.table[0] <= row + 1 <= self.table[1]:
            return None  # a blank row inside the indicator table
        from selfeval_xlsx.formula import Unsupported

        raise Unsupported("outside the form")

    def evaluate(self, cell: Cell) -> Decimal | str | None:
        from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate

        try:
            value = evaluate(cell.formula, self.get)
        except (Unsupported, ArithmeticError, ValueError, TypeError):
            return None
        if isinstance(value, ExcelError) or isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return Decimal(repr(float(value)))
        return str(value)


def _formula_agrees(found: Decimal | str, expected: Decimal | str, kind: str, tolerance: Decimal) -> bool:
    if kind == "grade":
        return normalise_grade(found) == expected
    if not isinstance(found, Decimal):
        return False
    if kind == "rate":
        return rate_matches(found, expected)
    return abs(found - expected) <= tolerance


_A1 = re.compile(r"([A-Z]+)(\d+)")


@functools.lru_cache(maxsize=8192)
def position(ref: str | None) -> tuple[int, int]:
    """Sort key of an A1 reference: row, then column; no cell sorts first."""
    if not ref:
        return (0, 0)
    match = _A1.match(ref)
    if match is None:
        return (0, 0)
    return (int(match.group(2)), col_index(match.group(1)) + 1)


def rate_matches(stated: Decimal, rate: Decimal) -> bool:
    """A stated rate is right when it is the exact rate rounded anywhere from
    whole percent to 0.0001 %, or within 0.01 percentage points of it."""
    if abs(stated - rate) <= Decimal("0.0001"):
        return True
    return any(stated == round_half_up(rate, places) for places in range(2, 7))


EXPLICIT_OPERATOR = re.compile(r"^\s*(?:[≥>＞≧=＝═]|不低于|不少于|至少|大于|达到)|以上\s*$")


def explicit_operator(raw: str) -> bool:
    return bool(EXPLICIT_OPERATOR.search(unicodedata.normalize("NFKC", raw)))


ACHIEVED = re.compile(r"完成|达成|达到|实现|按期|按时|及时|合格|满意|良好|优秀|是|符合|合规|正常")
NOT_ACHIEVED = re.compile(r"未|部分|没有|延期|滞后|不足|不合格|不满意|否")


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
    return [check_form(form, profile) for form in workbook.forms]
