"""The .xlsx package of a converted .xls, written part by part.

:func:`package` takes the worksheets :mod:`selfeval_xlsx.xls` rendered (their
XML, hyperlink targets and cell comments), the ``styles.xml`` of
:mod:`selfeval_xlsx.xls_styles` and the defined names of
:mod:`selfeval_xlsx.xls_sheet`, and writes the rest of a package Excel opens:
``[Content_Types].xml``, the package and part relationships, ``workbook.xml``
(sheets in order with their visibility, the active tab, the 1904 date mode,
defined names, a full recalculation on load), ``docProps`` (created and
modified at the .xls file's own time), and a comments part with its VML
drawing for a sheet with comments.  Every zip member carries that same
time, so the same .xls gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field

from selfeval_xlsx.cellref import rc1
from selfeval_xlsx.ooxml.package import write_members
from selfeval_xlsx.ooxml.xmltext import esc_attr, esc_text

__all__ = ["Sheet", "package"]

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."


@dataclass
class Sheet:
    """One rendered worksheet: ``xml`` refers to its hyperlinks as rId1…
    (``links``, in order) and, with comments, to its VML drawing as the
    next id (``rels_for_comments`` tells which)."""

    title: str
    state: str  # "visible", "hidden" or "veryHidden"
    xml: bytes
    links: list[str] = field(default_factory=list)
    comments: list[tuple[str, str, str]] = field(default_factory=list)  # (cell ref, author, text)


def legacy_drawing_id(links: list[str]) -> str:
    """The relationship id a sheet's ``<legacyDrawing>`` uses (after its links)."""
    return f"rId{len(links) + 1}"


def package(sheets: list[Sheet], styles: bytes, names: list[tuple[str, int | None, str]], active: int,
            date1904: bool, stamp: datetime.datetime) -> bytes:
    """The whole package, in memory."""
    members: list[tuple[str, bytes]] = []
    overrides = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"), ("/xl/styles.xml", "spreadsheetml.styles+xml")]
    sheet_entries = []
    book_rels = []
    commented = 0
    for i, sheet in enumerate(sheets, 1):
        part = f"xl/worksheets/sheet{i}.xml"
        members.append((part, sheet.xml))
        overrides.append((f"/{part}", "spreadsheetml.worksheet+xml"))
        sheet_entries.append(f'<sheet name="{esc_attr(sheet.title)}" sheetId="{i}" state="{sheet.state}" r:id="rId{i}" />')
        book_rels.append(_rel(f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml"))
        rels = [_rel(f"rId{k}", "hyperlink", target, external=True) for k, target in enumerate(sheet.links, 1)]
        if sheet.comments:
            commented += 1
            comments_part = f"xl/comments/comment{commented}.xml"
            vml_part = f"xl/drawings/commentsDrawing{commented}.vml"
            members.append((comments_part, _comments_xml(sheet.comments)))
            members.append((vml_part, _vml(sheet.comments, commented)))
            overrides.append((f"/{comments_part}", "spreadsheetml.comments+xml"))
            rels.append(_rel(legacy_drawing_id(sheet.links), "vmlDrawing", f"/{vml_part}"))
            rels.append(_rel(f"rId{len(sheet.links) + 2}", "comments", f"/{comments_part}"))
        if rels:
            members.append((f"xl/worksheets/_rels/sheet{i}.xml.rels", _rels_xml(rels)))
    book_rels.append(_rel(f"rId{len(sheets) + 1}", "styles", "styles.xml"))

    defined = "".join(
        f'<definedName name="{esc_attr(name)}"' + ("" if shx is None else f' localSheetId="{shx}"')
        + f">{esc_text(text)}</definedName>" for name, shx, text in names)
    workbook = (
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        + ('<workbookPr date1904="1" />' if date1904 else "<workbookPr />")
        + f'<bookViews><workbookView activeTab="{active}" /></bookViews>'
        + "<sheets>" + "".join(sheet_entries) + "</sheets>"
        + (f"<definedNames>{defined}</definedNames>" if defined else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>'
    )
    members.append(("xl/workbook.xml", workbook.encode("utf-8")))
    members.append(("xl/styles.xml", styles))
    members.append(("xl/_rels/workbook.xml.rels", _rels_xml(book_rels)))
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    members.append(("docProps/core.xml", (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>').encode()))
    members.append(("docProps/app.xml", (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel Compatible / selfeval-xlsx</Application></Properties>").encode()))
    members.append(("_rels/.rels", _rels_xml([
        _rel("rId1", "officeDocument", "xl/workbook.xml"),
        _rel("rId2", "core-properties", "docProps/core.xml"),
        _rel("rId3", "extended-properties", "docProps/app.xml"),
    ])))
    overrides += [("/docProps/core.xml", "core"), ("/docProps/app.xml", "extended-properties+xml")]
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
        '<Default Extension="xml" ContentType="application/xml" />'
        + (f'<Default Extension="vml" ContentType="{_CT}vmlDrawing" />' if commented else "")
        + "".join(f'<Override PartName="{esc_attr(name)}" ContentType="{_content_type(kind)}" />'
                  for name, kind in overrides)
        + "</Types>")
    members.insert(0, ("[Content_Types].xml", types.encode("utf-8")))

    buf = io.BytesIO()
    date_time = stamp.timetuple()[:6]
    entries = []
    for name, data in members:
        info = zipfile.ZipInfo(name, date_time=date_time)
        info.compress_type = zipfile.ZIP_DEFLATED  # level 1 and rw-------, as fill writes its parts
        entries.append((info, data))
    with zipfile.ZipFile(buf, "w") as zf:
        write_members(zf, entries)
    return buf.getvalue()


def _content_type(kind: str) -> str:
    if kind == "core":
        return "application/vnd.openxmlformats-package.core-properties+xml"
    return _CT + kind


_REL_TYPES = {
    "core-properties": "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
}


def _rel(rid: str, kind: str, target: str, external: bool = False) -> str:
    rtype = _REL_TYPES.get(kind) or f"{_REL_NS}/{kind}"
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{rtype}" Target="{esc_attr(target)}"{mode} />'


def _rels_xml(rels: list[str]) -> bytes:
    return (f'<Relationships xmlns="{_PKG_REL_NS}">' + "".join(rels) + "</Relationships>").encode("utf-8")


def _comments_xml(comments: list[tuple[str, str, str]]) -> bytes:
    authors: dict[str, int] = {}
    for _ref, author, _text in comments:
        authors.setdefault(author, len(authors))
    return (
        f'<comments xmlns="{_MAIN_NS}"><authors>'
        + "".join(f"<author>{esc_text(a)}</author>" for a in authors)
        + "</authors><commentList>"
        + "".join(f'<comment ref="{ref}" authorId="{authors[author]}"><text><t xml:space="preserve">'
                  f"{esc_text(text)}</t></text></comment>" for ref, author, text in comments)
        + "</commentList></comments>").encode("utf-8")


def _vml(comments: list[tuple[str, str, str]], block: int) -> bytes:
    """The legacy drawing Excel needs to show the notes: one hidden note
    shape per comment, anchored at its cell (as openpyxl drew them)."""
    shapes = []
    for k, (ref, _author, _text) in enumerate(comments):
        row, col = rc1(ref)
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + 1 + k}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:{k + 1};visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1" />'
            '<v:shadow on="t" color="black" obscured="t" /><v:path o:connecttype="none" />'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells /><x:SizeWithCells />'
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column>"
            "</x:ClientData></v:shape>")
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}" /></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter" /><v:path gradientshapeok="t" o:connecttype="rect" /></v:shapetype>'
        + "".join(shapes) + "</xml>").encode("utf-8")
