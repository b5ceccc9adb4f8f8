"""Unit tests of the package writer's helpers whose fast paths must give
what the plain computation gives (selfeval_xlsx.ooxml): relationship
targets, the parse memo, start-tag patterns, styles' counted lists and the
sheet patcher's row and cell index."""

from __future__ import annotations

import itertools
import posixpath

import pytest

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.ooxml import package
from selfeval_xlsx.ooxml.package import elements, relative_target
from selfeval_xlsx.ooxml.sheet import SheetPatcher, parse_ref
from selfeval_xlsx.ooxml.styles import Styles
from selfeval_xlsx.ooxml.xmltext import check_wellformed, get_attr, start_tag

_NAMES = ["xl/worksheets/sheet3.xml", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml", "a.xml", "xl//x/./y.xml",
          "xl/../z.xml", "../up.xml", "/abs/x.xml", "xl/worksheets/../comments2.xml", "XL/worksheets/s.xml", "xl/",
          "..x/y.xml"]
_DIRS = ["xl", "xl/worksheets", "", "xl/", "xl//worksheets", "..", "/abs", "xl/worksheets/..", "a/b/c", ".", "XL"]


@pytest.mark.parametrize("part, folder", list(itertools.product(_NAMES, _DIRS)))
def test_relative_target_is_relpath(part: str, folder: str) -> None:
    assert relative_target(part, folder) == posixpath.relpath(part, folder or None)


def test_elements_memo_gives_the_same_and_still_refuses() -> None:
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="t/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    first = elements(rels, "xl/_rels/workbook.xml.rels")
    again = elements(bytes(bytearray(rels)), "other name")  # equal bytes, another object
    assert again == first == [("Relationship", {"Id": "rId1", "Type": "t/worksheet", "Target": "worksheets/sheet1.xml"})]
    assert elements(rels, "x", parent="Relationship") == []  # the parent is part of the key
    for _ in range(2):  # a refusal is never remembered
        with pytest.raises(SelfevalError):
            elements(b"<Relationships><Relationship></Relationships>", "bad.rels")
    for k in range(3 * package._PARSED_MAX):  # bounded
        elements(b"<a><b n='%d'/></a>" % k, "x")
    assert len(package._PARSED) <= package._PARSED_MAX


def test_start_tag() -> None:
    text = '<x:rows><x:row r="2" a="&gt;"/><x:rowx/><x:row>'
    found = [(m.group(0), m.group(1)) for m in start_tag("x:", "row").finditer(text)]
    assert found == [('<x:row r="2" a="&gt;"/>', "/"), ("<x:row>", "")]
    assert start_tag("x:", "row") is start_tag("x:", "row")


def test_styles_collection_index_of_first_match_and_appends() -> None:
    xml = ('<styleSheet xmlns="m"><fonts count="3"><font><b/></font><font/><font><b/></font></fonts>'
           '<fills count="0"/><borders count="0"/><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>')
    styles = Styles("xl/styles.xml", xml.encode())
    fonts = styles.fonts
    assert fonts.index_of("<font><b/></font>") == 0  # the first of two equal items
    assert fonts.index_of("<font/>") == 1
    assert fonts.index_of("<font><i/></font>") == 3
    assert fonts.index_of("<font><i/></font>") == 3
    assert fonts.added == ["<font><i/></font>"] and fonts.all == fonts.items + fonts.added
    assert styles.xf(0) == '<xf numFmtId="0"/>' and styles.xf(5) == '<xf numFmtId="0"/>'
    assert b'<fonts count="4">' in styles.render()


def test_parse_ref_remembers_and_still_refuses() -> None:
    assert parse_ref("H23") == parse_ref("H23") == (23, 8)
    for _ in range(2):
        with pytest.raises(SelfevalError):
            parse_ref("XFE1")


_SHEET = ('<worksheet xmlns="m"><cols><col min="3" max="4" style="9"/></cols><sheetData>'
          '<row r="2" spans="1:3"><c r="A2" s="1"/><c s="2" r="B2"><v>1</v></c><c r="C&#50;" s="3"/><c s="4"/></row>'
          '<row ht="20" r="4" customFormat="1" s="5"><c r="a4" s="6"><v>2</v></c></row>'
          '<row><c r="B5" s="7"/></row>'
          '<row r="7"/></sheetData></worksheet>')


def test_sheet_index_reads_r_wherever_it_is() -> None:
    patcher = SheetPatcher("xl/worksheets/sheet1.xml", _SHEET.encode())
    assert [(row.r, row.self_closing) for row in patcher.rows] == [(2, False), (4, False), (5, False), (7, True)]
    assert [c[0] for c in patcher._cells(0)] == [1, 2, 3, 4]  # r first, r second, r with an entity, no r
    assert [get_attr(c[4], "s") for c in patcher._cells(0)] == ["1", "2", "3", "4"]
    assert [patcher.style_at(2, col) for col in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 0]
    assert patcher.style_at(4, 1) == 6 and patcher.style_at(4, 2) == 5  # the row's style
    assert patcher.style_at(5, 2) == 7 and patcher.style_at(7, 3) == 9  # the column's style
    assert patcher.col_styles == [(3, 4, 9)]


def test_check_wellformed_remembers_only_a_good_part() -> None:
    good, bad = b"<a><b/></a>", b"<a><b></a>"
    for _ in range(2):
        check_wellformed(good, "x.xml")
        with pytest.raises(SelfevalError, match="不是格式正确的 XML"):
            check_wellformed(bad, "x.xml")
        with pytest.raises(SelfevalError, match="程序缺陷"):
            check_wellformed(bad, "x.xml", good)


@pytest.mark.parametrize("source, target, part", [
    ("xl/workbook.xml", "worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
    ("xl/workbook.xml", "/xl/styles.xml", "xl/styles.xml"),
    ("xl/worksheets/sheet1.xml", "../comments1.xml", "xl/comments1.xml"),
    ("xl/workbook.xml", "worksheets/sheet%201.xml", "xl/worksheets/sheet 1.xml"),
    ("", "xl/workbook.xml", "xl/workbook.xml"),
    ("xl/workbook.xml", "../../x.xml", "../x.xml"),
])
def test_resolve_target(source: str, target: str, part: str) -> None:
    assert package.resolve_target(source, target) == part
    assert package.resolve_target(source, target) == part  # remembered


def test_package_reads_the_parts_it_was_given_when_a_part_is_read() -> None:
    # the loader inflates a big sheet after reading the workbook through its
    # package; the writer reads through the same package and takes that sheet
    # as given, not inflated again; a part of another size (a head) is inflated
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/a.xml", b"<a/>")
    data = buf.getvalue()
    parts: dict[str, bytes] = {}
    pkg = package.Package(zipfile.ZipFile(io.BytesIO(data)), data, parts)
    given = bytes(bytearray(b"<a/>"))
    parts["xl/a.xml"] = given
    assert pkg.read("XL/a.XML") is given
    head = package.Package(zipfile.ZipFile(io.BytesIO(data)), data, {"xl/a.xml": b"<a"})
    assert head.read("xl/a.xml") == b"<a/>"
