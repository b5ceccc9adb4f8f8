"""Display text: what a spreadsheet shows for a value, and how wide text is.

* ``display_value(value, code)`` -- a value as a cell with number format
  ``code`` shows it (0.9752 under "0.00%" is "97.52%"): used for the notes
  fill writes on changed cells and the 处理 column of the review sheet.
* ``is_date_format(code)`` -- whether a number format shows a date or time.
* ``display_width(text)`` -- the columns text takes (CJK characters count
  double): column widths and line counts of the review sheet and summary.xlsx.
* The zh/en labels of the two form kinds and the two severities, as every
  output shows them: the text lines, the review sheet, summary.xlsx, the
  export workbook and the web page's server side.

Standard library only; patterns are compiled on first use.
"""

from __future__ import annotations

import re
from decimal import Decimal

from selfeval_xlsx.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

#: the form kinds (``Form.kind``)
KINDS = ("department", "project")
#: a kind in a line of text or a table cell (“部门整体自评表”, the 表类型 column)
KIND_LABEL = {"zh": {"department": "部门整体", "project": "项目"}, "en": {"department": "department", "project": "project"}}
#: a kind as the name of the form (the review sheet's title and lines)
FORM_NAME = {
    "zh": {"department": "部门整体支出绩效自评表", "project": "项目支出绩效自评表"},
    "en": {"department": "department self-evaluation form", "project": "project self-evaluation form"},
}
#: a finding's severity (``rules.ERROR``, ``rules.WARNING``)
SEVERITY_LABEL = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}

_FMT_DROP = lazy(r'\[[^\]]*\]|"[^"]*"|\\.|_.|\*.')
_FMT_DATE = lazy(r"[yYdDhHsS]|(?<![0#?])[mM]")


def _format_section(code: str) -> str:
    """The first section of a number format (the one for positive numbers
    and, with a single section, for all), split outside quotes."""
    out, quoted = [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def display_value(value: Any, code: str | None) -> str:
    """``value`` as a spreadsheet shows it under number format ``code``:
    0.9752 under "0.00%" is "97.52%", 9.7 under "0.00" is "9.70".  Handles
    General, fixed decimals, thousands separators, percent and literal
    text around the number; anything else (dates, fractions) falls back to
    the plain value.  Text is returned as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (ValueError, ArithmeticError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    fmt = _FORMATS.get(code)
    if fmt is None:
        if len(_FORMATS) >= 4096:
            _FORMATS.clear()
        fmt = _FORMATS[code] = _NumberFormat(code)
    if fmt.plain:
        return _plain_number(number)
    if number < 0 and fmt.sections > 1:
        number = -number  # the negative section shows its own sign (or brackets): keep it simple
    if fmt.pattern is None:
        return _plain_number(number)
    if fmt.percent:
        number *= 100
    places, required = fmt.places, fmt.required
    if number.adjusted() >= 15:  # beyond Excel's 15 digits (a 32,000-digit cell): no format shows more
        return _plain_number(number)
    number = number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    text = f"{number:,.{places}f}" if fmt.thousands else f"{number:.{places}f}"
    if places > required and "." in text:
        keep = len(text) - (places - required)
        trimmed = text.rstrip("0")
        text = trimmed if len(trimmed) >= keep else text[:keep]
        text = text.rstrip(".") if text.endswith(".") else text
    return fmt.head + text + fmt.tail


class _NumberFormat:
    """What display_value needs of a number format, worked out once per
    format code (the notes and the review sheet show the same few formats
    file after file): whether it shows the plain value, its sections, its
    digit pattern (None: none) with its places, percent and thousands, and
    the literal text before and after the number."""

    __slots__ = ("plain", "sections", "pattern", "percent", "thousands", "places", "required", "head", "tail")

    def __init__(self, code: str | None):
        section = _format_section(code or "General")
        bare = _FMT_DROP.sub("", section)
        self.plain = bool(not section or section.strip().lower() in ("general", "@") or _FMT_DATE.search(bare)
                          or "/" in bare or "E" in bare.upper() and "E+" in bare.upper())
        self.sections = len(_split_sections(code or ""))
        m = re.search(r"[0#?][0#?,]*(?:\.[0#?]*)?|\.[0#?]+", bare)
        self.pattern = m.group(0) if m else None
        self.percent = "%" in bare
        whole, _dot, frac = (self.pattern or "").partition(".")
        self.thousands = "," in whole
        self.places = sum(1 for ch in frac if ch in "0#?")
        self.required = sum(1 for ch in frac if ch == "0")
        head, tail = _around_number(section)
        self.head, self.tail = _literal(head), _literal(tail)


_FORMATS: dict[str | None, _NumberFormat] = {}
# literal text before and after the number ("0.00分", "¥#,##0")
_LITERAL = lazy(r'"([^"]*)"|\\(.)|([^0#?,.%\[\]_*]+)|(%)|\[[^\]]*\]|_.|\*.')


def _literal(part: str) -> str:
    out = []
    for lm in _LITERAL.finditer(part):
        if lm.group(1) is not None:
            out.append(lm.group(1))
        elif lm.group(2) is not None:
            out.append(lm.group(2))
        elif lm.group(3) is not None:
            out.append(lm.group(3))
        elif lm.group(4) is not None:
            out.append("%")
    return "".join(out)


def _split_sections(code: str) -> list[str]:
    parts, cur, quoted = [], [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def _around_number(section: str) -> tuple[str, str]:
    """The parts of a format section before and after its digit placeholders
    (outside quotes and brackets)."""
    first = last = None
    i, quoted = 0, False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch == "[":
                j = section.find("]", i)
                i = j if j > 0 else i
            elif ch in "\\_*":
                i += 1
            elif ch in "0#?":
                first = i if first is None else first
                last = i
            elif ch in ".," and first is not None:
                last = i
        i += 1
    if first is None:
        return section, ""
    return section[:first], section[last + 1:]


def _plain_number(number: Decimal) -> str:
    """General format: up to 10 significant digits, no exponent, no trailing zeros."""
    if number == number.to_integral_value() and abs(number) < Decimal(10) ** 15:
        return str(int(number))
    rounded = Decimal(format(number, ".10g")) if abs(number) >= Decimal("1e-9") else number
    text = format(rounded.normalize(), "f")
    return text


_FORMAT_LITERALS = lazy(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def is_date_format(code: str) -> bool:
    """True when a number format code shows a date or time (y m d h s 年 月 日
    outside quoted text, escapes and [colour]/[locale] sections)."""
    section = code.split(";", 1)[0]
    if re.search(r"\[(?:h+|m+|s+)\]", section, re.I):  # elapsed time
        return True
    return bool(re.search(r"[ymdhs年月日时秒]", _FORMAT_LITERALS.sub("", section), re.I))


def display_width(s: str) -> int:
    """Columns the text takes: CJK characters count double.  (UTF-8 length
    plus character count, halved: 1 for ASCII, 2 for CJK; done in C.)"""
    if s.isascii():
        return len(s)
    return (len(s.encode("utf-8", "surrogatepass")) + len(s)) // 2
