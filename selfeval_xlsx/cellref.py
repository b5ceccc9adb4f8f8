"""Cell references: "A1" ↔ row and column, ranges, and Excel's limits.

The one place the package turns column letters into numbers and back.
Two numbering conventions meet here and are named apart:

- ``rc0``: 0-based (row, column), as python-calamine, xlrd and the reader
  count (``"A1"`` → ``(0, 0)``);
- ``rc1``: 1-based (row, column), as the XML and openpyxl count
  (``"A1"`` → ``(1, 1)``).

No regular expression is compiled at import: the parser is a plain loop,
which is also faster than a regex for strings this short.
"""

from __future__ import annotations

MAX_ROW = 1_048_576  # Excel 2007+: rows 1..1048576
MAX_COL = 16_384  # columns A..XFD

_LETTERS: list[str] = []  # 0-based column → letters, filled on first use


def col_letters(index: int) -> str:
    """0-based column → letters: 0 → "A", 26 → "AA"."""
    if 0 <= index < 256:
        if not _LETTERS:
            _LETTERS.extend(_letters(i) for i in range(256))
        return _LETTERS[index]
    return _letters(index)


def _letters(index: int) -> str:
    index += 1
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """Letters → 0-based column: "A" → 0, "AA" → 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def ref(row0: int, col0: int) -> str:
    """0-based (row, column) → "A1"."""
    return f"{col_letters(col0)}{row0 + 1}"


def ref1(row: int, col: int) -> str:
    """1-based (row, column) → "A1"."""
    return f"{col_letters(col - 1)}{row}"


def range_ref(r0: int, c0: int, r1: int, c1: int) -> str:
    """0-based corners → "A1:C3", or "A1" when the range is one cell."""
    if (r0, c0) == (r1, c1):
        return ref(r0, c0)
    return f"{ref(r0, c0)}:{ref(r1, c1)}"


def split(text: str) -> tuple[str, int] | None:
    """ "$H$23" / "h23" → ("H", 23); None when *text* is not one cell reference.

    Accepts an optional ``$`` before the letters and before the digits, one to
    three letters and one to seven digits; does not check Excel's limits.
    """
    s = text.strip()
    n = len(s)
    i = 0
    if i < n and s[i] == "$":
        i += 1
    j = i
    while j < n and ("A" <= s[j] <= "Z" or "a" <= s[j] <= "z"):
        j += 1
    if not 1 <= j - i <= 3:
        return None
    letters = s[i:j].upper()
    if j < n and s[j] == "$":
        j += 1
    digits = s[j:]
    if not 1 <= len(digits) <= 7 or not digits.isascii() or not digits.isdigit():
        return None
    return letters, int(digits)


def in_limits(row: int, col: int) -> bool:
    """1-based (row, column) inside Excel's grid."""
    return 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL


def rc1(text: str) -> tuple[int, int]:
    """ "H23" → (23, 8), 1-based; ValueError when not a reference inside Excel's grid."""
    parts = split(text)
    if parts is None:
        raise ValueError(f"not a cell reference: {text!r}")
    row, col = parts[1], col_index(parts[0]) + 1
    if not in_limits(row, col):
        raise ValueError(f"cell reference out of range: {text!r}")
    return row, col


def rc0(text: str) -> tuple[int, int]:
    """ "H23" → (22, 7), 0-based; ValueError as :func:`rc1`."""
    row, col = rc1(text)
    return row - 1, col - 1


def is_ref(text: str) -> bool:
    """True for a plain reference such as "H23" or "$H$23" inside Excel's grid."""
    parts = split(text)
    return parts is not None and in_limits(parts[1], col_index(parts[0]) + 1)


def parse_range(text: str) -> tuple[int, int, int, int]:
    """ "A1:C3" or "B2" → 0-based (r0, c0, r1, c1), corners ordered; ValueError otherwise."""
    a, _, b = text.partition(":")
    r0, c0 = rc0(a)
    r1, c1 = rc0(b) if b else (r0, c0)
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)
