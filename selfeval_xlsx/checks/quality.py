"""The Q rules: what a filled-in indicator row says that a reviewer would query.

Q201 a target that cannot be measured (“不断提升”), Q202 a cost indicator
whose target states a lower bound (≥, 不低于…: a cost is capped, ≤), Q203 a
percent target above 100 %, Q204 a template's stand-in label left in a row
(“指标1”, “*”, “示例…”), Q205 a year in a name or target that is not the
form's year (a period such as 2018–2022 is not one).  All are warnings and
none changes a score; ``scores`` calls the row checks as it scores each
row, ``check_year`` runs once a form.

Two of the text tests here serve others too: ``explicit_operator`` (whether
a target states its direction) the scoring, ``written_years`` prefill.
"""

from __future__ import annotations

import functools
import unicodedata

from selfeval_xlsx.checks.context import HUNDRED
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.values import Direction, compact, is_vague

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.checks.context import Context
    from selfeval_xlsx.model import Indicator
    from selfeval_xlsx.values import Value

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


_OPERATOR_WORDS = ("≥", ">", "＞", "≧", "=", "＝", "═", "不低于", "不少于", "至少", "大于", "达到")


@functools.lru_cache(maxsize=4096)  # targets repeat across rows and forms
def explicit_operator(raw: str) -> bool:
    """Whether the text states its direction: on the NFKC text,
    ``re.search(r"^\\s*(?:[≥>＞≧=＝═]|不低于|不少于|至少|大于|达到)|以上\\s*$", text)`` as string
    tests (``\\s`` and ``str.strip`` know the same spaces)."""
    text = unicodedata.normalize("NFKC", raw)
    return text.lstrip().startswith(_OPERATOR_WORDS) or text.rstrip().endswith("以上")


# A year: "2023年", or a bare 20xx inside a name ("本单位2023总工作经费"); never a
# part of a longer number or a quantity ("≤2000元/生·年").
YEAR = lazy(r"(?<![\d.,])(20\d\d)(?![\d.,])(\s*年)?")


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


def check_placeholder(ctx: Context, row: Indicator) -> None:
    for cell in (row.level3, row.target):
        if cell is not None and not cell.empty and _placeholder_text(cell.text):
            ctx.add("Q204", cell, found=cell.text.strip())
            return


@functools.lru_cache(maxsize=4096)  # names and targets repeat across rows and forms
def _placeholder_text(text: str) -> bool:
    return is_placeholder(compact(text))


def check_target(ctx: Context, row: Indicator, target: Value) -> None:
    if target.kind == "empty":
        return
    if is_vague(target.raw):
        ctx.add("Q201", row.target, found=target.raw)
    groups = " ".join(c.text for c in (row.level1, row.level2) if c is not None)
    if "成本" in groups and target.direction is Direction.POSITIVE and explicit_operator(target.raw):
        ctx.add("Q202", row.target, found=target.raw)
    if target.percent and target.number is not None and target.number > HUNDRED:
        ctx.add("Q203", row.target, found=target.raw)


def check_year(ctx: Context) -> None:
    year = ctx.form.year
    if year is None:
        return
    for row in ctx.form.indicators:
        for cell in (row.level3, row.target):
            if cell is None or cell.empty:
                continue
            for found, with_nian in written_years(cell.text):
                named = with_nian or (cell is row.level3 and abs(found - year) <= 2)
                if named and found != year:
                    ctx.add("Q205", cell, expected=year, found=found)
                    return
