"""The scoring rules of the self-evaluation form, in exact Decimal arithmetic.

Formulas (docs/domain.md, "The rules"; province variants come from the Profile):

* positive target (≥, or a bare number), A > 0: ``min(B/A, 1) × 分值``;
* negative target (≤): ``B ≤ A`` (including B = 0) gives full marks, else
  ``A/B × 分值`` (``reverse = "ratio"``) or ``(1 − (B−A)/A) × 分值``, 0 from
  ``B = 2A`` (``reverse = "linear"``);
* equal target (=): ``min(B/A, A/B) × 分值``;
* every score is clamped to ``[0, 分值]`` and returned unrounded;
* budget execution: ``执行率 = 执行数 / 预算数``, ``得分 = min(执行率, 1) ×
  budget_points``.  The seed rounds the rate to four decimals first
  (97.517 % -> 97.52 %, 9.752), so both readings count as right;
* grades: 优秀 ≥ grade_excellent, 良好 ≥ grade_good, 中 ≥ grade_pass, else 差.

A percentage compared with a bare number is compared as written ("99%" vs
99), except that a bare number of magnitude ≤ 1 facing a percentage above 1
is read as an Excel fraction (0.98 in a cell formatted as percent = 98 %).

Tolerance: a stated score is right when it is within ``profile.tolerance``
points (default 0.01, inclusive) of one of the computed candidates, so 9.75,
9.752 and 9.7517 all match the seed's budget score and 9.85 does not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from .profile import DEFAULT, Profile
from .values import Direction, Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


# quantize is exact whatever the precision, as long as the result fits in it:
# the usual case (a score, a rate) fits in the default 28 digits and is
# rounded in this context, without entering a local context each time
_HALF_UP = Context(prec=28, rounding=ROUND_HALF_UP)
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def round_half_up(x: Decimal, places: int) -> Decimal:
    """Round the way people and Excel's ROUND do: 9.755 -> 9.76, -0.005 -> -0.01."""
    quantum = _QUANTA.get(places)
    if quantum is not None and x.adjusted() + places + 2 <= _HALF_UP.prec:
        return x.quantize(quantum, context=_HALF_UP)
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, x.adjusted() + places + 2)
        return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _clamp(score: Decimal, weight: Decimal) -> Decimal:
    return min(max(score, _ZERO), weight)


def comparable(target: Value, actual: Value) -> tuple[Decimal, Decimal] | None:
    """(A, B) as the formulas compare them, or None when either side is not a number.

    Use it for any ratio shown to the user (B/A of an over-achievement), so
    that an Excel fraction facing a percentage is scaled the same way.
    """
    if not (target.quantitative and actual.quantitative):
        return None
    a, b = target.number, actual.number
    if a is None or b is None:
        return None
    if target.percent and not actual.percent and abs(b) <= _ONE < a:
        b *= _HUNDRED
    elif actual.percent and not target.percent and abs(a) <= _ONE < b:
        a *= _HUNDRED
    return a, b


def _positive_ratio(a: Decimal, b: Decimal) -> Decimal | None:
    return None if a <= 0 else min(b / a, _ONE)


def _negative_ratio(a: Decimal, b: Decimal, formula: str) -> Decimal | None:
    if a < 0:
        return None
    if b <= a:
        return _ONE
    if a == 0:
        return _ZERO
    if formula == "linear":
        return _ONE - (b - a) / a
    return a / b


def _equal_ratio(a: Decimal, b: Decimal) -> Decimal:
    if a == b:
        return _ONE
    if a == 0 or b == 0:
        return _ZERO
    return min(b / a, a / b)


def quantitative_score(
    target: Value, actual: Value, weight: Decimal | None, profile: Profile = DEFAULT
) -> Decimal | None:
    """The score a quantitative indicator earns, unrounded, in ``[0, weight]``.

    None when it cannot be computed: either side not a number, no or a
    negative weight, a positive target of A ≤ 0, a negative target below 0.
    """
    pair = comparable(target, actual)
    if pair is None or weight is None or weight < 0:
        return None
    a, b = pair
    if target.direction is Direction.NEGATIVE:
        ratio = _negative_ratio(a, b, profile.reverse_formula)
    elif target.direction is Direction.EQUAL:
        ratio = _equal_ratio(a, b)
    else:
        ratio = _positive_ratio(a, b)
    return None if ratio is None else _clamp(ratio * weight, weight)


def overachieved(target: Value, actual: Value, profile: Profile = DEFAULT) -> bool:
    """True when a positive target is exceeded by ``overachievement_ratio`` or more."""
    if target.direction not in (Direction.POSITIVE, Direction.NONE):
        return False
    pair = comparable(target, actual)
    if pair is None:
        return False
    a, b = pair
    return a > 0 and b >= profile.overachievement_ratio * a


def qualitative_tier(score: Decimal, weight: Decimal, profile: Profile = DEFAULT) -> str:
    """Which qualitative tier a score falls in: "full", "partial" or "none" (floors inclusive)."""
    if score >= profile.qualitative_full * weight:
        return "full"
    if score >= profile.qualitative_partial * weight:
        return "partial"
    return "none"


def budget_rate(budget: Decimal | None, executed: Decimal | None) -> Decimal | None:
    """执行率 = executed / budget, exact; None without a budget or an executed amount."""
    if budget is None or executed is None or budget == 0:
        return None
    return executed / budget


def budget_score(rate: Decimal, profile: Profile = DEFAULT) -> Decimal:
    """``min(rate, 1) × budget_points``, unrounded, never below 0."""
    return _clamp(rate, _ONE) * profile.budget_points


def budget_score_candidates(rate: Decimal, profile: Profile = DEFAULT) -> tuple[Decimal, ...]:
    """Budget scores that count as right: exact, and from the rate rounded to ``rate_decimals``."""
    exact = budget_score(rate, profile)
    rounded = budget_score(round_half_up(rate, profile.rate_decimals), profile)
    return (exact,) if rounded == exact else (exact, rounded)


def grade(total: Decimal, profile: Profile = DEFAULT) -> str:
    """The grade a total earns: 优秀, 良好, 中 or 差."""
    if total >= profile.grade_excellent:
        return "优秀"
    if total >= profile.grade_good:
        return "良好"
    if total >= profile.grade_pass:
        return "中"
    return "差"


# Whole-cell spellings of a grade (after NFKC, white space removed, upper case).
_GRADE_EXACT: dict[str, str] = {
    "优": "优秀", "优秀": "优秀", "A": "优秀",
    "良": "良好", "良好": "良好", "B": "良好",
    "中": "中", "中等": "中", "合格": "中", "及格": "中", "一般": "中", "C": "中",
    "差": "差", "较差": "差", "不合格": "差", "不及格": "差", "D": "差",
}
# Words found inside a longer text ("自评等级：优秀（97.75分）"), most specific first.
_GRADE_WORDS: tuple[tuple[str, str], ...] = (
    ("不合格", "差"), ("不及格", "差"), ("较差", "差"),
    ("优秀", "优秀"), ("良好", "良好"), ("中等", "中"), ("合格", "中"), ("及格", "中"),
)


def _grades_in(text: str) -> set[str]:
    found: set[str] = set()
    for word, name in _GRADE_WORDS:
        if word in text:
            found.add(name)
            text = text.replace(word, "")
    return found


def normalise_grade(text: Any) -> str | None:
    """The grade a conclusion cell names (优秀 / 良好 / 中 / 差), or None.

    Whole cells "优", " 优 秀 ", "A" (A–D are read as 优秀, 良好, 中, 差), "中等",
    "合格" ...; in longer text only unambiguous words count ("优秀（97.75分）"),
    and text naming two different grades gives None.
    """
    if text is None:
        return None
    clean = "".join(unicodedata.normalize("NFKC", str(text)).split()).upper()
    if clean in _GRADE_EXACT:
        return _GRADE_EXACT[clean]
    found = _grades_in(clean)
    return found.pop() if len(found) == 1 else None


def matches(stated: Decimal, candidates: Decimal | Iterable[Decimal], profile: Profile = DEFAULT) -> bool:
    """True when ``stated`` is within ``profile.tolerance`` of some candidate."""
    if isinstance(candidates, Decimal):
        return abs(stated - candidates) <= profile.tolerance
    return any(abs(stated - candidate) <= profile.tolerance for candidate in candidates)


__all__ = [
    "budget_rate",
    "budget_score",
    "budget_score_candidates",
    "comparable",
    "grade",
    "matches",
    "normalise_grade",
    "overachieved",
    "qualitative_tier",
    "quantitative_score",
    "round_half_up",
]
