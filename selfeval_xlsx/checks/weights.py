"""The W rules: the points (分值) of the rows add up to full marks.

``check_weights`` groups the rows by their 一级 label: a 一级 whose rows do
not add up to the points its label declares (“产出指标(50分)”) is W101, one
whose points differ from the profile's split W201, a 一级 the profile
expects but the form lacks W202, and all rows plus the budget 分值 not 100
W102.  ``check_blocks`` does the same for goal blocks (年度绩效目标1（40分）):
their rows' 分值 against the block's points (W105), or, with no 分值
column, their scores (S105).  The 分值 of single rows (W104) and of the
budget (W103) are checked where those are read, in ``scores`` and ``funds``.

The 一级 names of both schemes are recognised here too: the
产出/效益/满意度 of the official forms (``layout.LEVEL1``) and the
决策/过程/产出/效益 of the evaluation scheme.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from selfeval_xlsx import layout
from selfeval_xlsx.checks.context import HUNDRED, ZERO, cell_number
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.values import compact

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.checks.context import Context
    from selfeval_xlsx.model import Cell

# points written in a 一级 label ("产出指标(50分)"); bounded and never starting
# inside a run of digits, so a cell of 32,000 digits costs one pass
DECLARED = lazy(r"(?<![\d.])(\d{1,6}(?:\.\d{1,6})?)\s{0,10}分")


EVALUATION_LEVEL1 = (("decision", ("决策",)), ("process", ("过程", "管理")), ("output", ("产出",)),
                     ("benefit", ("效益", "效果")))


def evaluation_key(text: str) -> str | None:
    """The 一级 of the evaluation-style scheme 决策/过程(管理)/产出/效益."""
    clean = compact(text)
    for key, names in EVALUATION_LEVEL1:
        if any(name in clean for name in names):  # "决策", "项目决策(10分)"
            return key
    return None


@functools.lru_cache(maxsize=1024)  # the same few 一级 labels, form after form
def level1_key(text: str) -> str | None:
    """The 一级 of the official forms a label names: 产出, 效益, 满意度, or the newer forms' 成本."""
    clean = compact(text)
    for group in (*layout.LEVEL1, layout.COST_LEVEL1):
        if any(compact(name) in clean for name in group.synonyms):
            return group.key
    return None


def check_weights(ctx: Context, indicator_weights: Decimal, budget_weight: Decimal) -> None:
    """W101, W201, W202 per 一级; W102 for the whole form (rows plus the budget's 分值)."""
    if not ctx.scores_known():
        return  # no score column (L202): no weight sums on a table that is not understood
    if ctx.missing_weights:
        return  # a blank or invalid 分值 (E101/W104 said so): no sums built on it
    groups: dict[str, tuple[Cell, Decimal]] = {}
    order: list[str] = []
    for row in ctx.form.indicators:
        label = row.level1
        if label is None or label.empty:
            continue
        key = compact(label.text)
        weight = cell_number(row.weight) or ZERO
        if key not in groups:
            groups[key] = (label, ZERO)
            order.append(key)
        groups[key] = (groups[key][0], groups[key][1] + weight)
    seen: set[str] = set()
    unnamed = False
    has_weights = any(row.weight is not None for row in ctx.form.indicators)  # the form has a 分值 column
    for key in order:
        label, found = groups[key]
        name = re.sub(r"[（(].*", "", label.text).strip()
        declared_match = DECLARED.search(unicodedata.normalize("NFKC", label.text))
        declared = Decimal(declared_match.group(1)) if declared_match else None
        group = evaluation_key(label.text) if ctx.evaluation else level1_key(label.text)
        if group:
            seen.add(group)
        else:
            unnamed = True  # "(50分)" alone: which 一级 it is cannot be told
        if not has_weights:
            continue  # no 分值 column: block sums and the total are checked instead
        if declared is not None and declared != found:
            ctx.add("W101", label, expected=declared, found=found, label=name, declared=declared)
            continue
        expected = ctx.profile.level1_weights.get(group) if group else None
        if ctx.profile.indicator_points is not None:
            expected = None  # the profile prescribes no per-一级 split
        if expected is not None and found != expected:
            ctx.add("W201", label, expected=expected, found=found, label=name)
    for group in layout.LEVEL1:
        expected = ctx.profile.level1_weights.get(group.key)
        if not ctx.form.level1_column or ctx.evaluation or ctx.profile.indicator_points is not None or unnamed:
            break  # no 一级 column, another scheme, or no per-一级 split: no "missing 一级" warnings
        if ctx.form.indicators and expected and group.key not in seen:
            ctx.add("W202", None, expected=expected, label=group.name)
    if not has_weights:
        declared = [b.points for b in ctx.form.blocks if b.points is not None]
        if not declared:
            return  # no 分值 column and no block points: nothing to add up
        indicator_weights = sum(declared, ZERO)
    found = indicator_weights + budget_weight
    if found != HUNDRED:
        cell = ctx.form.total_weight
        ctx.add("W102", cell, expected=HUNDRED, found=found, indicators=indicator_weights, budget=budget_weight)


def check_blocks(ctx: Context) -> None:
    """Goal blocks (年度绩效目标1（40分）…): block points against row weights or scores."""
    rows = {ind.row: ind for ind in ctx.form.indicators}
    for block in ctx.form.blocks:
        if block.points is None:
            continue
        members = [rows[r] for r in block.rows if r in rows]
        name = re.sub(r"[（(].*", "", block.label.text).strip()
        if members and members[0].weight is not None:
            found = sum((cell_number(m.weight) or ZERO for m in members), ZERO)
            if found != block.points:
                ctx.add("W105", block.label, expected=block.points, found=found, label=name,
                        declared=block.points)
        else:
            found = sum((cell_number(m.score) or ZERO for m in members), ZERO)
            if found > block.points + ctx.tolerance:
                ctx.add("S105", block.label, expected=block.points, found=found, label=name)
