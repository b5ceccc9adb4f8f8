"""XML text primitives: editing an OOXML part as text, byte for byte.

The package writer never re-serialises a part it edits: it finds the spans it
changes with regular expressions on the decoded text and splices new text in,
so every other byte (namespace prefixes, attribute order and quoting,
whitespace, unknown extensions) stays as the producing application wrote it.
This module holds what every part editor needs for that:

* ``TAG_TAIL``: the rest of a start tag after its name, whose attribute
  values may hold ``>``; group 1 is ``"/"`` for an empty-element tag;
  ``start_tag``: the compiled pattern of one element's start tag;
* ``get_attr`` / ``set_attr`` / ``del_attr`` / ``attrs``: attributes of one
  raw start tag, leaving the rest of the tag alone;
* ``esc_text`` / ``esc_attr`` / ``xstring`` / ``number_text``: values into
  element text and attribute values (``xstring`` follows ST_Xstring, so text
  a spreadsheet application reads back is the text written);
* ``unescape``: the character and predefined entity references of XML;
* ``decode`` / ``encode``: a part's bytes and text (UTF-8, or UTF-16 with a
  byte-order mark), failures as a one-line ``SelfevalError``;
* ``check_wellformed``: an edited part still parses (expat), with a message
  that tells a damaged input from a patching bug;
* ``splice``: many (start, end, replacement) edits applied in one pass;
* ``local``: an ElementTree tag without its namespace.

Nothing here knows about spreadsheets beyond ST_Xstring.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from xml.parsers import expat

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.lazyre import lazy

# the rest of a start tag whose attribute values may contain '>': runs of
# plain characters, quoted values and a '/' not before '>', then "/>" or ">"
# (the loop unrolled: it matches what the lazy (?:[^>"']|"…"|'…')*?(/?)>
# does, several times faster, since the tokens cannot overlap)
TAG_TAIL = r"""[^>"'/]*(?:(?:"[^"]*"|'[^']*'|/(?!>))[^>"'/]*)*(/?)>"""


_START_TAGS: dict[tuple[str, str], re.Pattern[str]] = {}


def start_tag(prefix: str, name: str) -> re.Pattern[str]:
    """The pattern of a start tag ``<{prefix}{name} …>`` (or ``…/>``: group 1
    is ``"/"``), compiled once: every part editor looks for the same few
    elements in every file, and building and escaping the pattern each time
    cost more than the search."""
    pat = _START_TAGS.get((prefix, name))
    if pat is None:
        pat = _START_TAGS[(prefix, name)] = re.compile("<" + re.escape(prefix) + name + r"(?=[\s/>])" + TAG_TAIL)
    return pat


def esc_text(s: str) -> str:
    """``s`` as element text."""
    if "&" not in s and "<" not in s and ">" not in s:
        return s
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(s: str) -> str:
    """``s`` as a double-quoted attribute value (line breaks and tabs kept)."""
    return esc_text(s).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


_XSTR_ESCAPE = lazy(r"_(x[0-9A-Fa-f]{4}_)")
_ILLEGAL_XML = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xstring(s: str) -> str:
    """Escape text for a ``<t>``/``<v>`` element (ST_Xstring rules: a
    literal ``_x0041_`` is protected as ``_x005F_x0041_``; characters XML 1.0
    forbids become ``_xHHHH_``; CR survives parsing as ``&#13;``)."""
    if "_x" in s:
        s = _XSTR_ESCAPE.sub(r"_x005F_\1", s)
    if not s.isprintable():  # only then can it hold a character XML forbids
        s = _ILLEGAL_XML.sub(lambda m: "_x%04X_" % ord(m.group()), s)
    s = esc_text(s)
    return s.replace("\r", "&#13;") if "\r" in s else s


def number_text(value: Decimal | int | float) -> str:
    """A number as the text of a ``<v>``: plain notation, never an exponent;
    exact for Decimal and int.  A non-finite number cannot be written."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SelfevalError(f"无法写入非有限数值：{value!r}", f"cannot write a non-finite number: {value!r}")
        value = Decimal(repr(value))
    if not value.is_finite():
        raise SelfevalError(f"无法写入非有限数值：{value!r}", f"cannot write a non-finite number: {value!r}")
    text = format(value, "f")
    if text.startswith("-") and not value:
        text = text[1:]  # -0, -0.00
    return text


# --------------------------------------------------------------------------
# attributes of a raw start tag, leaving every other byte alone

_ATTR_CACHE: dict[str, re.Pattern[str]] = {}


def _attr_pat(name: str) -> re.Pattern[str]:
    pat = _ATTR_CACHE.get(name)
    if pat is None:
        pat = _ATTR_CACHE[name] = re.compile(r"(\s)" + re.escape(name) + r"""\s*=\s*("[^"]*"|'[^']*')""")
    return pat


def get_attr(tag: str, name: str) -> str | None:
    """The value of attribute ``name`` of start tag ``tag`` (unescaped)."""
    m = _attr_pat(name).search(tag)
    if not m:
        return None
    return unescape(m.group(2)[1:-1])


def set_attr(tag: str, name: str, value: str) -> str:
    """Set ``name`` on a start tag (``<x ...>`` or ``<x .../>``)."""
    pat = _attr_pat(name)
    new = f'{name}="{esc_attr(value)}"'
    m = pat.search(tag)
    if m:
        return tag[: m.start(0)] + m.group(1) + new + tag[m.end(0):]
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    # keep a space before '/>' if the tag had one
    while end > 0 and tag[end - 1].isspace():
        end -= 1
    return tag[:end] + " " + new + tag[end:]


def del_attr(tag: str, name: str) -> str:
    """``tag`` without attribute ``name``."""
    m = _attr_pat(name).search(tag)
    if not m:
        return tag
    return tag[: m.start(0)] + tag[m.end(0):]


_ANY_ATTR = lazy(r"""\s([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")


def attrs(tag: str) -> list[tuple[str, str]]:
    """Every (qualified name, unescaped value) of a start tag, in order."""
    return [(k, unescape(v[1:-1])) for k, v in _ANY_ATTR.findall(tag)]


_ENTITY = lazy(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    g = m.group(1)
    if g[0] == "#":
        try:
            return chr(int(g[2:], 16) if g[1] in "xX" else int(g[1:]))
        except (ValueError, OverflowError):  # no such character: left as written
            return m.group(0)
    return _ENTITIES[g]


def unescape(s: str) -> str:
    """Character and predefined entity references replaced by what they stand for."""
    if "&" not in s:
        return s
    return _ENTITY.sub(_entity, s)


# --------------------------------------------------------------------------
# a part's bytes and text


def decode(data: bytes, part: str) -> tuple[str, str]:
    """Text and encoding of an XML part (UTF-8, or UTF-16 with a BOM)."""
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    else:
        enc = "utf-8"
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as exc:
        raise SelfevalError(f"文件内部 {part} 编码无效：{exc}", f"{part} in the package is not valid {enc}: {exc}") from None


def encode(text: str, enc: str) -> bytes:
    """``text`` in the encoding :func:`decode` found (a BOM written again)."""
    return text.encode(enc)


def _expat_error(data: bytes) -> Exception | None:
    # expat raises LookupError / ValueError for an encoding it does not know
    # or cannot handle (encoding="x-klingon", "gbk"): not well-formed either
    p = expat.ParserCreate()
    try:
        p.Parse(data, True)
    except (expat.ExpatError, LookupError, ValueError) as exc:
        return exc
    return None


def check_wellformed(data: bytes, part: str, original: bytes | None = None) -> None:
    """Raise a one-line ``SelfevalError`` when ``data`` is not well-formed XML.
    With ``original`` (the part before patching): when the original is
    well-formed the patch is at fault, and the message says so."""
    exc = _expat_error(data)
    if exc is None:
        return
    if original is not None:
        exc2 = _expat_error(original)
        if exc2 is None:
            raise SelfevalError(
                f"修改 {part} 后 XML 无效（程序缺陷，请报告）：{exc}",
                f"patching {part} produced invalid XML (a bug, please report): {exc}",
            )
        exc = exc2
    raise SelfevalError(f"文件内部 {part} 不是格式正确的 XML：{exc}",
                        f"{part} in the package is not well-formed XML: {exc}")


def splice(text: str, ops: list[tuple[int, int, int, str]]) -> str:
    """Apply (start, end, order, replacement) operations to ``text``; at one
    offset, insertions (start == end) go before a replacement, in ``order``."""
    ops = sorted(ops, key=lambda o: (o[0], o[0] != o[1], o[2]))
    out: list[str] = []
    pos = 0
    for start, end, _o, repl in ops:
        if start < pos:
            raise AssertionError("overlapping patch operations")
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def local(tag: str) -> str:
    """An ElementTree tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]
