"""Workbook mutations for the robustness tests, the fuzz test and the
attachment benchmark: every case is written here, on the XML of a real
workbook, so no binary fixture is needed.

- :func:`add_sheet` adds a worksheet (e.g. a 300,000-row data attachment)
  to an existing package without touching its other parts;
- :func:`replace_member` rewrites one member;
- :class:`Mutator` draws seeded XML-level, cell-level and zip-level faults.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path


def members(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def write_members(dst: Path, items: Iterable[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            z.writestr(name, data)
    return dst


def replace_member(src: Path, dst: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    return write_members(dst, ((i.filename, change(d) if i.filename == name else d) for i, d in members(src)))


def first_sheet_part(path: Path) -> str:
    names = [i.filename for i, _ in members(path)]
    return sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))[0]


def attachment_rows(n: int, *, header: tuple[str, ...] = ("序号", "单位名称", "支出项目", "金额（元）", "日期", "备注"),
                    shared: list[str] | None = None, sst_base: int = 0) -> bytes:
    """Sheet XML of a data attachment: a header row and ``n`` rows of text
    and numbers, the way an export from a finance system looks.  Text is
    inline, or (``shared`` given) appended to ``shared`` and referenced as
    shared strings numbered from ``sst_base``, the way Excel saves it."""
    index: dict[str, int] = {}

    def text(ref: str, t: str) -> str:
        if shared is None:
            return f'<c r="{ref}" t="inlineStr"><is><t>{t}</t></is></c>'
        if t not in index:  # Excel keeps each distinct text once
            index[t] = sst_base + len(shared)
            shared.append(t)
        return f'<c r="{ref}" t="s"><v>{index[t]}</v></c>'

    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
           '<row r="1">' + "".join(text(f"{chr(65 + i)}1", h) for i, h in enumerate(header)) + "</row>"]
    for r in range(2, n + 2):
        out.append(
            f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c>{text(f"B{r}", f"某某单位{r % 997}")}'
            f'{text(f"C{r}", f"办公经费第{r % 13}项")}<c r="D{r}"><v>{(r * 37) % 100000 / 100}</v></c>'
            f'<c r="E{r}"><v>{45000 + r % 365}</v></c>{text(f"F{r}", "无")}</row>'
        )
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def sst_count(src: Path) -> int:
    """How many items the shared-string table of ``src`` holds."""
    for info, data in members(src):
        if info.filename.lower().endswith("sharedstrings.xml"):
            return data.count(b"<si>") + data.count(b"<si ")
    return 0


def add_sheet(src: Path, dst: Path, name: str, sheet_xml: bytes, strings: list[str] | None = None) -> Path:
    """``src`` with one more worksheet ``name`` (last tab); ``strings``
    appended to its shared-string table."""
    items = members(src)
    taken = {i.filename for i, _ in items}
    k = 1
    while f"xl/worksheets/sheet{k}.xml" in taken:
        k += 1
    part = f"xl/worksheets/sheet{k}.xml"
    rid = "rIdAttach1"
    out: list[tuple[str, bytes]] = []
    for info, data in items:
        if info.filename == "xl/workbook.xml":
            ids = [int(x) for x in re.findall(rb'sheetId="(\d+)"', data)] or [0]
            data = data.replace(
                b"</sheets>",
                f'<sheet name="{name}" sheetId="{max(ids) + 1}" r:id="{rid}"/></sheets>'.encode(),
            )
            if b'xmlns:r="' not in data:
                data = data.replace(
                    b"<workbook ",
                    b'<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ',
                    1,
                )
        elif info.filename == "xl/_rels/workbook.xml.rels":
            data = data.replace(
                b"</Relationships>",
                f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/sheet{k}.xml"/></Relationships>'.encode(),
            )
        elif strings and info.filename.lower().endswith("sharedstrings.xml"):
            extra = "".join(f"<si><t>{t}</t></si>" for t in strings).encode()
            data = re.sub(rb'\s(?:count|uniqueCount)="\d+"', b"", data).replace(b"</sst>", extra + b"</sst>")
        elif info.filename == "[Content_Types].xml":
            data = data.replace(
                b"</Types>",
                f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
                f'spreadsheetml.worksheet+xml"/></Types>'.encode(),
            )
        out.append((info.filename, data))
    out.append((part, sheet_xml))
    return write_members(dst, out)


# --------------------------------------------------------------------------
# the fuzz mutator

_CELL_REF = re.compile(rb'r="([A-Z]{1,3})(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")
_T = re.compile(rb"<t(?: [^>]*)?>([^<]*)</t>")

HUGE_NUMBERS = (b"1e309", b"-1e309", b"inf", b"nan", b"1e-400", b"9" * 400, b"1" * 5000, b"0x1F", b"1,2,3", b"")
ADDRESSES = (b"XFD1048576", b"ZZZZZ99999999", b"A0", b"A1048577", b"XFE1", b"a1", b"1A", b"", b"A" * 40 + b"1")
ENCODINGS = (b"x-klingon", b"utf-16", b"gbk", b"latin-1", b"ebcdic-cp-us", b"")


class Mutator:
    """Seeded faults for a workbook's zip: ``case(i)`` gives (label, bytes)."""

    def __init__(self, source: Path, seed: int):
        self.items = members(source)
        self.rng = random.Random(seed)
        sheets = [i.filename for i, _ in self.items if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        self.sheet = sorted(sheets)[0] if sheets else None
        self.sst = next((i.filename for i, _ in self.items if i.filename.lower().endswith("sharedstrings.xml")), None)

    def _zip(self, replace: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in self.items:
                z.writestr(info.filename, replace.get(info.filename, data))
        return buf.getvalue()

    def _member(self, name: str) -> bytes:
        return next(d for i, d in self.items if i.filename == name)

    def _sub_one(self, blob: bytes, pattern: re.Pattern[bytes], repl: Callable[[re.Match[bytes]], bytes]) -> bytes:
        found = list(pattern.finditer(blob))
        if not found:
            return blob
        m = self.rng.choice(found)
        return blob[: m.start()] + repl(m) + blob[m.end():]

    def case(self) -> tuple[str, bytes]:
        rng = self.rng
        kind = rng.choice(("address", "number", "long_text", "deep_formula", "encoding", "truncate", "bitflip",
                           "cell_swap", "dimension", "row_number", "text_in_number", "label_digits"))
        sheet = self.sheet
        if sheet is None or kind in ("truncate", "bitflip"):
            data = bytearray(self._zip({}))
            if kind == "truncate" or sheet is None:
                return kind, bytes(data[: rng.randrange(1, len(data))])
            for _ in range(rng.randint(1, 8)):
                at = rng.randrange(len(data))
                data[at] ^= 1 << rng.randrange(8)
            return kind, bytes(data)
        blob = self._member(sheet)
        if kind == "address":
            new = rng.choice(ADDRESSES)
            blob = self._sub_one(blob, _CELL_REF, lambda m: b'r="' + new + b'"')
        elif kind == "number":
            new = rng.choice(HUGE_NUMBERS)
            blob = self._sub_one(blob, _V, lambda m: b"<v>" + new + b"</v>")
        elif kind == "text_in_number":
            new = rng.choice(HUGE_NUMBERS)
            blob = self._sub_one(blob, re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?>(?:<f>[^<]*</f>)?<v>[^<]*</v></c>'),
                                 lambda m: b'<c r="' + m.group(1) + b'" t="inlineStr"><is><t>' + new + b"</t></is></c>")
        elif kind == "long_text":
            size = rng.choice((40_000, 200_000))
            filler = rng.choice((b"x", b"9", b"(", "指".encode()))
            target = self.sst if self.sst and rng.random() < 0.5 else sheet
            if target == self.sst:
                sst = self._member(self.sst)
                return kind, self._zip({self.sst: self._sub_one(sst, _T, lambda m: b"<t>" + filler * size + b"</t>")})
            blob = self._sub_one(blob, re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?/?>(?:.*?</c>)?'),
                                 lambda m: b'<c r="' + m.group(1) + b'" t="inlineStr"><is><t>' + filler * size + b"</t></is></c>")
        elif kind == "label_digits":
            digits = b"1" * rng.choice((5000, 32_000)) + rng.choice((b"", "分".encode(), b")"))
            if self.sst:
                sst = self._member(self.sst)
                return kind, self._zip({self.sst: self._sub_one(sst, _T, lambda m: b"<t>" + m.group(1) + b"(" + digits + b"</t>")})
            blob = self._sub_one(blob, _T, lambda m: b"<t>" + m.group(1) + digits + b"</t>")
        elif kind == "deep_formula":
            depth = rng.choice((50, 350, 5000))
            blob = self._sub_one(blob, _V, lambda m: b"<f>" + b"(" * depth + b"1" + b")" * depth + b"</f><v>" + m.group(1) + b"</v>")
        elif kind == "encoding":
            enc = rng.choice(ENCODINGS)
            body = re.sub(rb"^<\?xml[^>]*\?>", b"", blob)
            blob = b'<?xml version="1.0" encoding="' + enc + b'"?>' + body
        elif kind == "cell_swap":
            found = list(_V.finditer(blob))
            if len(found) >= 2:
                a, b = rng.sample(found, 2)
                if a.start() > b.start():
                    a, b = b, a
                blob = blob[: a.start()] + b.group() + blob[a.end(): b.start()] + a.group() + blob[b.end():]
        elif kind == "dimension":
            blob = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:' + rng.choice(ADDRESSES) + b'"', blob)
        elif kind == "row_number":
            blob = self._sub_one(blob, re.compile(rb'<row r="\d+"'),
                                 lambda m: b'<row r="' + rng.choice((b"0", b"1048577", b"99999999999", b"-3", b"x")) + b'"')
        return kind, self._zip({sheet: blob})
