"""A small formula evaluator for what self-evaluation forms use.

Files last saved by openpyxl or xlsxwriter carry formulas without cached
values; the reader computes those instead of treating the cell as empty.
Supported: numbers, strings, TRUE/FALSE, cell references and ranges on the
same sheet, ``+ - * / ^ &``, comparisons, unary minus, postfix ``%``, and
SUM, MIN, MAX, AVERAGE, COUNT, ROUND, ROUNDUP, ROUNDDOWN, ABS, IF, IFERROR,
AND, OR, NOT.  Anything else raises :class:`Unsupported`, and the caller
leaves the value ``None``.

Excel errors (``#DIV/0!``, ``#VALUE!``) are :class:`ExcelError` values; they
propagate through arithmetic and are caught by IFERROR.
"""

from __future__ import annotations

import math
import re

from selfeval_xlsx.cellref import col_index, col_letters
from selfeval_xlsx.lazyre import lazy
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any, Callable

__all__ = ["Unsupported", "ExcelError", "evaluate", "shift_formula"]


class Unsupported(Exception):
    """The formula uses something this evaluator does not know."""


class ExcelError(Exception):
    """An Excel error value (#DIV/0!, #VALUE!, #REF!, ...)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


_TOKEN = lazy(
    r"""\s*(?:
      (?P<str>"(?:[^"]|"")*")
     |(?P<ref>(?:(?:'(?:[^']|'')+'|[^\s!:,()'"+\-*/^&=<>%]+)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(])
     |(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
     |(?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\(
     |(?P<bool>TRUE|FALSE)(?![\w(])
     |(?P<err>\#[A-Z/0!?]+[!?A-Z0-9]*)
     |(?P<op><>|<=|>=|[-+*/^&=<>%(),:])
    )""",
    re.X | re.I,
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise Unsupported(f"cannot parse at {text[pos:pos + 10]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


# ---------------------------------------------------------------- parser
# AST nodes are tuples: ("num", v) ("str", v) ("bool", v) ("ref", sheet, r, c)
# ("range", sheet, r0, c0, r1, c1) ("un", op, x) ("bin", op, a, b)
# ("pct", x) ("call", NAME, [args])

_BINARY = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}
_REF = lazy(r"\$?([A-Za-z]{1,3})\$?(\d+)")


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.t = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise Unsupported("unexpected end")
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        tok = self.take()
        if tok != ("op", op):
            raise Unsupported(f"expected {op}")

    def parse(self):
        node = self.expr(0)
        if self.peek() is not None:
            raise Unsupported("trailing tokens")
        return node

    def expr(self, min_prec: int):
        # nesting beyond what Excel itself allows (64 levels) is refused
        # long before Python's own recursion limit
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Unsupported("nested too deeply")
            return self._expr(min_prec)
        finally:
            self.depth -= 1

    def _expr(self, min_prec: int):
        left = self.unary()
        while True:
            tok = self.peek()
            if tok is None or tok[0] != "op" or tok[1] not in _BINARY:
                return left
            prec = _BINARY[tok[1]]
            if prec < min_prec:
                return left
            self.i += 1
            # ^ is left-associative in Excel too
            right = self.expr(prec + 1)
            left = ("bin", tok[1], left, right)

    def unary(self):
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in "+-" and len(tok[1]) == 1:
            self.i += 1
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise Unsupported("nested too deeply")
                return ("un", tok[1], self.unary())
            finally:
                self.depth -= 1
        node = self.primary()
        while self.peek() == ("op", "%"):
            self.i += 1
            node = ("pct", node)
        return node

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "bool":
            return ("bool", text.upper() == "TRUE")
        if kind == "err":
            return ("err", text)
        if kind == "ref":
            sheet = None
            if "!" in text:
                sheet, text = text.rsplit("!", 1)
                if sheet.startswith("'"):
                    sheet = sheet[1:-1].replace("''", "'")
            parts = text.split(":")
            refs = []
            for part in parts:
                m = _REF.fullmatch(part)
                if not m:
                    raise Unsupported(part)
                refs.append((int(m.group(2)) - 1, col_index(m.group(1))))
            if len(refs) == 1:
                return ("ref", sheet, *refs[0])
            (r0, c0), (r1, c1) = refs
            return ("range", sheet, min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))
        if kind == "func":
            name = text.upper()
            if name.startswith("_XLFN."):
                name = name[6:]
            args = []
            if self.peek() == ("op", ")"):
                self.i += 1
                return ("call", name, args)
            while True:
                if self.peek() in (("op", ","), ("op", ")")):
                    args.append(("blank",))
                else:
                    args.append(self.expr(0))
                tok = self.take()
                if tok == ("op", ")"):
                    return ("call", name, args)
                if tok != ("op", ","):
                    raise Unsupported("bad argument list")
        if (kind, text) == ("op", "("):
            node = self.expr(0)
            self.expect(")")
            return node
        raise Unsupported(f"unexpected {text!r}")


_PARSED: dict[str, Any] = {}
MAX_DEPTH = 100  # nested parentheses, unary signs and calls in one formula


def parse(text: str):
    node = _PARSED.get(text)
    if node is None:
        try:
            node = _Parser(_tokenize(text)).parse()
        except RecursionError:
            raise Unsupported("nested too deeply") from None
        if len(_PARSED) < 10000:
            _PARSED[text] = node
    return node


# ---------------------------------------------------------------- values

_MAX_RANGE = 100_000


def _num(v: Any) -> float:
    if isinstance(v, ExcelError):
        raise v
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip().replace(",", "")
        try:
            if s.endswith("%"):
                return float(s[:-1]) / 100
            return float(s)
        except ValueError:
            raise ExcelError("#VALUE!") from None
    raise ExcelError("#VALUE!")


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    return str(v)


def _truth(v: Any) -> bool:
    if isinstance(v, str):
        u = v.strip().upper()
        if u in ("TRUE", "FALSE"):
            return u == "TRUE"
        raise ExcelError("#VALUE!")
    return _num(v) != 0


def _round(x: float, digits: float, mode=ROUND_HALF_UP) -> float:
    d = int(digits)
    q = Decimal(1).scaleb(-d)
    return float(Decimal(repr(x)).quantize(q, rounding=mode))


def _compare(op: str, a: Any, b: Any) -> bool:
    def key(v):
        if v is None:
            return (0, 0.0)
        if isinstance(v, bool):
            return (2, v)
        if isinstance(v, (int, float)):
            return (0, float(v))
        return (1, str(v).upper())

    ka, kb = key(a), key(b)
    if a is None and isinstance(b, str):
        ka = (1, "")
    if b is None and isinstance(a, str):
        kb = (1, "")
    if op == "=":
        return ka == kb
    if op == "<>":
        return ka != kb
    if op == "<":
        return ka < kb
    if op == ">":
        return ka > kb
    if op == "<=":
        return ka <= kb
    return ka >= kb


class _Eval:
    def __init__(self, get: Callable[[int, int], Any], sheet: str | None):
        self.get = get
        self.sheet = sheet

    def _same_sheet(self, sheet: str | None) -> None:
        if sheet is not None and sheet != self.sheet:
            raise Unsupported("reference to another sheet")

    def values(self, node) -> list[Any]:
        """Flatten an argument for aggregate functions: ranges yield cells."""
        if node[0] == "range":
            _, sheet, r0, c0, r1, c1 = node
            self._same_sheet(sheet)
            if (r1 - r0 + 1) * (c1 - c0 + 1) > _MAX_RANGE:
                raise Unsupported("range too large")
            return [("cell", self.get(r, c)) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
        if node[0] == "ref":
            _, sheet, r, c = node
            self._same_sheet(sheet)
            return [("cell", self.get(r, c))]
        return [("arg", self.ev(node))]

    def numbers(self, args) -> list[float]:
        out = []
        for arg in args:
            for origin, v in self.values(arg):
                if isinstance(v, ExcelError):
                    raise v
                if origin == "cell":
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        out.append(float(v))
                else:
                    out.append(_num(v))
        return out

    def ev(self, node) -> Any:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            return node[1]
        if kind == "blank":
            return None
        if kind == "err":
            raise ExcelError(node[1])
        if kind == "ref":
            _, sheet, r, c = node
            self._same_sheet(sheet)
            v = self.get(r, c)
            if isinstance(v, ExcelError):
                raise v
            return v
        if kind == "range":
            raise ExcelError("#VALUE!")
        if kind == "un":
            x = _num(self.ev(node[2]))
            return -x if node[1] == "-" else x
        if kind == "pct":
            return _num(self.ev(node[1])) / 100
        if kind == "bin":
            op = node[1]
            a, b = self.ev(node[2]), self.ev(node[3])
            if op == "&":
                return _text(a) + _text(b)
            if op in ("=", "<>", "<", ">", "<=", ">="):
                return _compare(op, a, b)
            x, y = _num(a), _num(b)
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if op == "/":
                if y == 0:
                    raise ExcelError("#DIV/0!")
                return x / y
            try:
                return float(x**y)
            except (OverflowError, ZeroDivisionError, ValueError):
                raise ExcelError("#NUM!") from None
        if kind == "call":
            return self.call(node[1], node[2])
        raise Unsupported(kind)

    def call(self, name: str, args: list) -> Any:
        if name == "IF":
            if not 1 <= len(args) <= 3:
                raise Unsupported("IF arity")
            if _truth(self.ev(args[0])):
                return self.ev(args[1]) if len(args) > 1 else True
            return self.ev(args[2]) if len(args) > 2 else False
        if name == "IFERROR":
            if len(args) != 2:
                raise Unsupported("IFERROR arity")
            try:
                return self.ev(args[0])
            except ExcelError:
                return self.ev(args[1])
        if name in ("AND", "OR"):
            vals = []
            for arg in args:
                for origin, v in self.values(arg):
                    if origin == "cell" and (v is None or isinstance(v, str)):
                        continue
                    vals.append(_truth(v))
            if not vals:
                raise ExcelError("#VALUE!")
            return all(vals) if name == "AND" else any(vals)
        if name == "NOT":
            return not _truth(self.ev(args[0]))
        if name in ("SUM", "MIN", "MAX", "AVERAGE", "COUNT"):
            nums = self.numbers(args)
            if name == "SUM":
                return math.fsum(nums)
            if name == "COUNT":
                return float(len(nums))
            if name == "AVERAGE":
                if not nums:
                    raise ExcelError("#DIV/0!")
                return math.fsum(nums) / len(nums)
            if not nums:
                return 0.0
            return min(nums) if name == "MIN" else max(nums)
        if name in ("ROUND", "ROUNDUP", "ROUNDDOWN"):
            if len(args) != 2:
                raise Unsupported("ROUND arity")
            x, d = _num(self.ev(args[0])), _num(self.ev(args[1]))
            mode = {"ROUND": ROUND_HALF_UP, "ROUNDUP": ROUND_UP, "ROUNDDOWN": ROUND_DOWN}[name]
            return _round(x, d, mode)
        if name == "ABS":
            return abs(_num(self.ev(args[0])))
        raise Unsupported(name)


def evaluate(text: str, get: Callable[[int, int], Any], sheet: str | None = None) -> Any:
    """Evaluate formula ``text`` (with or without "="); ``get(row, col)``
    (0-based) returns a cell's value (it may itself evaluate formulas).

    Returns a number (float), str or bool; an :class:`ExcelError` instance
    for an Excel error; raises :class:`Unsupported` for anything unknown."""
    node = parse(text)
    try:
        value = _Eval(get, sheet).ev(node)
    except ExcelError as exc:
        return exc
    except RecursionError:
        raise Unsupported("too deep") from None
    if value.__class__ is float and not math.isfinite(value):
        return ExcelError("#NUM!")  # Excel has no infinity: 1e309, 1e308*10, 0*1e309 are #NUM!
    return value


# ---------------------------------------------------------------- shared formulas

_SHIFT = lazy(r"""("(?:[^"]|"")*")|('(?:[^']|'')*'!)|(?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(])""")


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """Move the relative references of a shared formula by (drow, dcol)."""

    def repl(m: re.Match) -> str:
        if m.group(1) or m.group(2):
            return m.group(0)
        cabs, col, rabs, row = m.group(3), m.group(4), m.group(5), m.group(6)
        c = col_index(col) if cabs else col_index(col) + dcol
        r = int(row) if rabs else int(row) + drow
        if c < 0 or r < 1:
            return "#REF!"
        return f"{cabs}{col_letters(c)}{rabs}{r}"

    return _SHIFT.sub(repl, text)
