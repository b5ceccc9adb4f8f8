"""Parse a 年度指标值 / 实际完成值 cell into a typed :class:`Value`.

Every cell is first normalised with Unicode NFKC (full-width digits, ``％``,
``＞＝`` and ideographic spaces become ASCII) and, for parsing, all white space
is removed ("≥ 5 次" reads like "≥5次"); ``Value.raw`` keeps the cell text as
written (only stripped).

What a cell can be (``Value.kind``):

``"empty"``
    nothing, or a placeholder dash: ``""``, ``-``, ``—``, ``——``, ``/``.
    ``无`` is *not* empty: "无" (no accidents) is a real qualitative target.
``"number"``
    an optional operator, a number, an optional unit and an optional
    direction suffix: ``≥5次``, ``12篇/年``, ``≤30万元``, ``控制在100万元以内``,
    ``95%以上``, ``1,296.48``.  ``number`` is the number *as written*
    (``98%`` -> 98, ``percent`` True, ``unit`` "%").  Only ``%`` sets
    ``percent``; ``‰`` stays an ordinary unit (``number`` 3, ``unit`` "‰").
    A bare number is a POSITIVE target.  The unit must be short (at most
    8 characters) and hold no digit or sentence punctuation, otherwise the
    cell is text ("5次，效果明显", "3-5次").
``"date"``
    ``2023年12月31日前``, ``2023-12-31``, ``2023年12月底``, ``2023年底前``,
    an Excel date cell, and dates without a year (``12月底之前完成``,
    ``6月30日前``).  ``date`` is the day meant (a month or year alone means
    its last day); it is ``None`` when the year is not written, since the
    cell alone cannot tell which year.  The direction is NEGATIVE for a
    deadline (前 / 内 / 底 / 末), POSITIVE for 后, else NONE.  Dates are not
    quantitative: scoring treats them like qualitative targets.
``"text"``
    anything else (按期保质完成, 高, 优秀, 达成预期指标 ...); direction NONE.

Operators (symbols, before the number): ``≥ ≧ ⩾ >= => ≮`` POSITIVE,
``≤ ≦ ⩽ <= =< ≯`` NEGATIVE, ``= == ═`` EQUAL, ``>`` / ``<`` strict.
Words: 不低于, 不少于, 不小于, 大于等于, 至少, 最少, 达到, 达 (POSITIVE);
高于, 大于, 多于, 超过 (strict POSITIVE); 不高于, 不超过, 不大于, 不多于,
小于等于, 控制在, 最多, 至多 (NEGATIVE); 低于, 小于, 少于 (strict NEGATIVE);
等于 (EQUAL).  Suffixes after the unit: 以上 / 及以上 / 或以上 (POSITIVE),
以下 / 以内 / 之内 / 内 (NEGATIVE).  The first direction written wins.

The 指标性质 column of Sichuan/Yunnan forms (``nature``) overrides the
direction: an operator, 正向 / 反向 / 逆向, or 定性 (which makes the value
qualitative text whatever it looks like).  Their 度量单位 column can be
passed as ``unit``; it fills in the unit of a bare number.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import Decimal
from enum import Enum

from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.record import FrozenRecord, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any


class Direction(str, Enum):
    """Which way a target points."""

    POSITIVE = "≥"
    NEGATIVE = "≤"
    EQUAL = "="
    NONE = ""


class Value(FrozenRecord):
    """A parsed 年度指标值 or 实际完成值 cell (see the module docstring)."""

    __slots__ = _fields = ("raw", "kind", "direction", "number", "percent", "unit", "date", "strict")
    raw: str
    kind: str  # "empty" | "number" | "date" | "text"
    direction: Direction
    number: Decimal | None
    percent: bool
    unit: str
    date: datetime.date | None
    strict: bool

    def __init__(self, raw: str, kind: str, direction: Direction, number: Decimal | None, percent: bool, unit: str,
                 date: datetime.date | None, strict: bool = False) -> None:
        # one for every target and actual cell read: set the slots directly (object.__setattr__ is twice as slow)
        _SET_RAW(self, raw)
        _SET_KIND(self, kind)
        _SET_DIRECTION(self, direction)
        _SET_NUMBER(self, number)
        _SET_PERCENT(self, percent)
        _SET_UNIT(self, unit)
        _SET_DATE(self, date)
        _SET_STRICT(self, strict)

    @property
    def quantitative(self) -> bool:
        """True for a number (dates and text are scored qualitatively)."""
        return self.kind == "number"


_SET_RAW, _SET_KIND = Value.raw.__set__, Value.kind.__set__  # type: ignore[attr-defined]
_SET_DIRECTION, _SET_NUMBER = Value.direction.__set__, Value.number.__set__  # type: ignore[attr-defined]
_SET_PERCENT, _SET_UNIT = Value.percent.__set__, Value.unit.__set__  # type: ignore[attr-defined]
_SET_DATE, _SET_STRICT = Value.date.__set__, Value.strict.__set__  # type: ignore[attr-defined]


# Unmeasurable targets reviewers criticise.  A text containing one of these
# and no digit is vague ("进一步提高到95%" names a measure and is not).
VAGUE_WORDS: tuple[str, ...] = (
    "不断提升", "不断提高", "不断完善", "不断加强", "不断增强", "不断改善",
    "有效提升", "有效提高", "有效改善", "有效增强", "有效推进",
    "逐步改善", "逐步提高", "逐步提升", "逐步完善", "逐步增强",
    "进一步提高", "进一步提升", "进一步改善", "进一步完善", "进一步加强", "进一步增强",
    "明显提升", "明显提高", "明显改善", "明显增强",
    "持续改善", "持续提升", "持续提高", "持续增强", "持续推进",
    "显著提升", "显著提高", "显著改善", "稳步提升", "稳步提高",
    "大幅提升", "大幅提高", "有所提升", "有所提高", "有所改善", "逐年提高", "逐年提升",
)

_EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\"})

# (token, direction, strict), longest first so that 不超过 wins over 超过.
_PREFIXES: tuple[tuple[str, Direction, bool], ...] = tuple(
    sorted(
        (
            (">=", Direction.POSITIVE, False),
            ("=>", Direction.POSITIVE, False),
            ("≥", Direction.POSITIVE, False),
            ("≧", Direction.POSITIVE, False),
            ("⩾", Direction.POSITIVE, False),
            ("≮", Direction.POSITIVE, False),
            ("<=", Direction.NEGATIVE, False),
            ("=<", Direction.NEGATIVE, False),
            ("≤", Direction.NEGATIVE, False),
            ("≦", Direction.NEGATIVE, False),
            ("⩽", Direction.NEGATIVE, False),
            ("≯", Direction.NEGATIVE, False),
            ("==", Direction.EQUAL, False),
            ("=", Direction.EQUAL, False),
            ("═", Direction.EQUAL, False),
            (">", Direction.POSITIVE, True),
            ("<", Direction.NEGATIVE, True),
            ("不低于", Direction.POSITIVE, False),
            ("不少于", Direction.POSITIVE, False),
            ("不小于", Direction.POSITIVE, False),
            ("大于等于", Direction.POSITIVE, False),
            ("大于或等于", Direction.POSITIVE, False),
            ("至少", Direction.POSITIVE, False),
            ("最少", Direction.POSITIVE, False),
            ("达到", Direction.POSITIVE, False),
            ("达", Direction.POSITIVE, False),
            ("高于", Direction.POSITIVE, True),
            ("大于", Direction.POSITIVE, True),
            ("多于", Direction.POSITIVE, True),
            ("超过", Direction.POSITIVE, True),
            ("不高于", Direction.NEGATIVE, False),
            ("不超过", Direction.NEGATIVE, False),
            ("不大于", Direction.NEGATIVE, False),
            ("不多于", Direction.NEGATIVE, False),
            ("小于等于", Direction.NEGATIVE, False),
            ("小于或等于", Direction.NEGATIVE, False),
            ("控制在", Direction.NEGATIVE, False),
            ("最多", Direction.NEGATIVE, False),
            ("至多", Direction.NEGATIVE, False),
            ("低于", Direction.NEGATIVE, True),
            ("小于", Direction.NEGATIVE, True),
            ("少于", Direction.NEGATIVE, True),
            ("等于", Direction.EQUAL, False),
        ),
        key=lambda item: -len(item[0]),
    )
)

_SUFFIXES: tuple[tuple[str, Direction], ...] = (
    ("及以上", Direction.POSITIVE),
    ("或以上", Direction.POSITIVE),
    ("以上", Direction.POSITIVE),
    ("及以下", Direction.NEGATIVE),
    ("或以下", Direction.NEGATIVE),
    ("以下", Direction.NEGATIVE),
    ("以内", Direction.NEGATIVE),
    ("之内", Direction.NEGATIVE),
    ("内", Direction.NEGATIVE),
)

_NATURE_WORDS: dict[str, Direction] = {
    "正向": Direction.POSITIVE,
    "正向指标": Direction.POSITIVE,
    "反向": Direction.NEGATIVE,
    "反向指标": Direction.NEGATIVE,
    "逆向": Direction.NEGATIVE,
    "逆向指标": Direction.NEGATIVE,
}
_QUALITATIVE_NATURES = frozenset({"定性", "定性指标"})

_NUMBER_RE = lazy(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)")
_UNIT_MAX = 8
# a unit holds no digit (str.isdecimal: what \d matches) and none of these
_BAD_UNIT_CHARS = frozenset(",.;:!?。、;，；：！？\"'“”")
_PERCENT_FACTOR = {"%": Decimal(100), "‰": Decimal(1000)}

_TIME = r"(?:\d{1,2}:\d{2}(?::\d{2})?)?"
_FULL_DATE_RE = lazy(r"(\d{4})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})日?" + _TIME)
_MONTH_RE = lazy(r"(\d{4})年(\d{1,2})月(?:份)?")
_YEAR_END_RE = lazy(r"(\d{4})年(?:度)?(?:底|末|年底|年末)")
_NO_YEAR_RE = lazy(r"(\d{1,2})月(?:(\d{1,2})日|底|末|份)?")


_SPACES = lazy(r"\s+")
_DIGIT = lazy(r"\d")


@functools.lru_cache(maxsize=16384)  # labels, names and values repeat row after row and file after file
def compact(text: str) -> str:
    """``text`` NFKC-normalised, then every kind of white space removed: how the
    reader and the checks compare labels and names, and what a cell is parsed from."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _finite_decimal(raw: int | float | Decimal) -> Decimal | None:
    """An exact Decimal for a cell number (floats via repr, never binary noise)."""
    number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    return number if number.is_finite() else None


def _empty(raw: str) -> Value:
    return Value(raw, "empty", Direction.NONE, None, False, "", None)


def _text(raw: str) -> Value:
    return Value(raw, "text", Direction.NONE, None, False, "", None)


# --------------------------------------------------------------------------
# Numbers


# _PREFIXES by their first character (a text can only start with the tokens
# that start like it), each list still longest first
_PREFIXES_BY_FIRST: dict[str, list[tuple[str, Direction, bool]]] = {}
for _prefix in _PREFIXES:
    _PREFIXES_BY_FIRST.setdefault(_prefix[0][0], []).append(_prefix)


def _take_prefixes(text: str) -> tuple[str, Direction, bool]:
    """Strip up to two leading operators (e.g. 控制在≤); the first gives the direction."""
    direction, strict = Direction.NONE, False
    for _ in range(2):
        for token, token_direction, token_strict in _PREFIXES_BY_FIRST.get(text[:1], ()):
            if text.startswith(token):
                text = text[len(token):]
                if direction is Direction.NONE:
                    direction, strict = token_direction, token_strict
                break
        else:
            break
    return text, direction, strict


def _take_suffix(unit: str) -> tuple[str, Direction]:
    for token, direction in _SUFFIXES:
        if unit.endswith(token):
            return unit[: -len(token)], direction
    return unit, Direction.NONE


def _valid_unit(unit: str) -> bool:
    return len(unit) <= _UNIT_MAX and not any(char.isdecimal() or char in _BAD_UNIT_CHARS for char in unit)


def _parse_quantity(raw: str, text: str) -> Value | None:
    """``≥5次`` and friends, or None when the text is not a number with a unit."""
    rest, direction, strict = _take_prefixes(text)
    match = _NUMBER_RE.match(rest)
    if match is None:
        return None
    unit, suffix_direction = _take_suffix(rest[match.end():])
    if not _valid_unit(unit):
        return None
    if direction is Direction.NONE:
        direction = suffix_direction if suffix_direction is not Direction.NONE else Direction.POSITIVE
    return Value(raw, "number", direction, _decimal(match.group()), unit.startswith("%"), unit, None, strict)


# --------------------------------------------------------------------------
# Dates


# days in each month of a common year (calendar.monthrange gives the same, but importing
# calendar also imports locale: 2 ms of a validate process)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _safe_date(year: int, month: int, day: int | None) -> datetime.date | None:
    """The date, or None when it does not exist; ``day`` None means month end."""
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    last = _DAYS_IN_MONTH[month] + (month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
    if day is None:
        day = last
    return datetime.date(year, month, day) if 1 <= day <= last else None


def _date_direction(text: str) -> Direction:
    if "后" in text:
        return Direction.POSITIVE
    if any(word in text for word in ("前", "内", "底", "末")):
        return Direction.NEGATIVE
    return Direction.NONE


def _match_date(text: str) -> tuple[re.Match[str], datetime.date | None] | None:
    """The first date pattern matching at the start, with the day it means.

    Each pattern is tried only when the text has what it starts with (four
    digits and 年 or a separator; a digit or two and 月; ``\\d`` is
    ``str.isdecimal``), so most texts need none of them compiled."""
    year = text[:4].isdecimal() and len(text) > 4  # \d{4} and something after it
    match = _FULL_DATE_RE.match(text) if year and text[4] in "年-/." else None
    if match:
        day = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        return (match, day) if day else None
    if year and text[4] == "年":
        match = _YEAR_END_RE.match(text)
        if match:
            return match, _safe_date(int(match[1]), 12, None)
        match = _MONTH_RE.match(text)
        if match:
            day = _safe_date(int(match[1]), int(match[2]), None)
            return (match, day) if day else None
    if not (text[:1].isdecimal() and (text[1:2] == "月" or (text[1:2].isdecimal() and text[2:3] == "月"))):
        return None
    match = _NO_YEAR_RE.match(text)
    if match and 1 <= int(match[1]) <= 12 and (match[2] is None or 1 <= int(match[2]) <= 31):
        return match, None
    return None


def _parse_date(raw: str, text: str) -> Value | None:
    """A date at the start followed by words without digits (前, 之前完成 ...)."""
    found = _match_date(text)
    if found is None:
        return None
    match, day = found
    if _DIGIT.search(text, match.end()):
        return None
    return Value(raw, "date", _date_direction(text), None, False, "", day)


# --------------------------------------------------------------------------
# Public API


@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str) -> Value:
    """Text cells repeat across the forms of a batch ("按期保质完成", "≥95%"):
    parse each once (Value is immutable)."""
    return _parse_cell(raw)


def _parse_cell(raw: Any) -> Value:
    """The value of a cell on its own, before 指标性质 / 度量单位 are applied."""
    if raw is None:
        return _empty("")
    if isinstance(raw, bool):
        return _text(str(raw))
    if isinstance(raw, datetime.datetime):
        return Value(raw.date().isoformat(), "date", Direction.NONE, None, False, "", raw.date())
    if isinstance(raw, datetime.date):
        return Value(raw.isoformat(), "date", Direction.NONE, None, False, "", raw)
    if isinstance(raw, (int, float, Decimal)):
        text = repr(raw) if isinstance(raw, float) else str(raw)
        number = _finite_decimal(raw)
        if number is None:
            return _text(text)
        return Value(text, "number", Direction.POSITIVE, number, False, "", None)
    raw_text = str(raw).strip()
    text = compact(raw_text)
    if text in _EMPTY_MARKS:
        return _empty(raw_text)
    return _parse_date(raw_text, text) or _parse_quantity(raw_text, text) or _text(raw_text)


def _nature_direction(nature: Any) -> tuple[Direction, bool] | None:
    """The direction a 指标性质 cell names, or None when it names none."""
    if nature is None:
        return None
    text = compact(str(nature))
    if text in _NATURE_WORDS:
        return _NATURE_WORDS[text], False
    rest, direction, strict = _take_prefixes(text)
    if direction is not Direction.NONE and rest == "":
        return direction, strict
    return None


def nature_direction(nature: Any) -> Direction | None:
    """The direction a 指标性质 cell names (None for 定量指标, 定性指标, blank …)."""
    found = _nature_direction(nature)
    return found[0] if found else None


def _is_qualitative_nature(nature: Any) -> bool:
    return nature is not None and compact(str(nature)) in _QUALITATIVE_NATURES


def _with_unit(value: Value, unit: Any) -> Value:
    """Fill in the unit of a bare number from a 度量单位 cell."""
    unit_text = compact(str(unit)) if unit is not None else ""
    if not value.quantitative or value.unit or unit_text in _EMPTY_MARKS:
        return value
    return replace(value, unit=unit_text, percent=unit_text.startswith("%"))


def parse_value(raw: Any, nature: Any = None, *, unit: Any = None) -> Value:
    """Parse a 年度指标值 / 实际完成值 cell; never raises.

    ``raw`` is whatever the cell holds (str, int, float, Decimal, date,
    datetime, None).  ``nature`` is the optional 指标性质 cell and overrides
    the direction (定性 makes the value text); ``unit`` the optional 度量单位
    cell, used when the value itself carries no unit.
    """
    value = _parse_text(raw) if type(raw) is str else _parse_cell(raw)
    if nature is None and unit is None:
        return value  # most forms: no 指标性质 or 度量单位 column
    if _is_qualitative_nature(nature) and value.kind != "empty":
        return _text(value.raw)
    override = _nature_direction(nature)
    if override is not None and value.kind in ("number", "date"):
        value = replace(value, direction=override[0], strict=override[1])
    return _with_unit(value, unit)


def parse_number(raw: Any, *, percent_as_fraction: bool = True) -> Decimal | None:
    """A plain number from a 分值 / 得分 / 预算 cell, or None.

    Accepts cell numbers (floats converted via repr: 9.752 -> Decimal("9.752"))
    and text of a number with an optional short unit: "3分" -> 3, "25次" -> 25,
    "1,296.48" -> 1296.48.  "97.52%" -> 0.9752 and "3‰" -> 0.003 when
    ``percent_as_fraction`` (else 97.52 and 3).  Placeholders ("—", "-", "无"),
    booleans, non-finite numbers, operators and text without a leading number
    give None.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float, Decimal)):
        return _finite_decimal(raw)
    text = compact(str(raw))
    match = _NUMBER_RE.match(text)
    if match is None or not _valid_unit(text[match.end():]):
        return None
    number = _decimal(match.group())
    unit = text[match.end():]
    factor = _PERCENT_FACTOR.get(unit[:1])
    return number / factor if percent_as_fraction and factor else number


def is_vague(text: Any) -> bool:
    """True for an unmeasurable target such as 不断提升 (see VAGUE_WORDS)."""
    if text is None:
        return False
    return _vague(compact(str(text)))


@functools.lru_cache(maxsize=4096)  # targets repeat across rows and forms ("≥95%", "按期完成")
def _vague(normal: str) -> bool:
    return not _DIGIT.search(normal) and any(word in normal for word in VAGUE_WORDS)


__all__ = ["VAGUE_WORDS", "Direction", "Value", "is_vague", "nature_direction", "parse_number", "parse_value"]
