"""workbook.xml, docProps/app.xml, [Content_Types].xml and relationships patches.

What a patch changes besides the sheets and styles, each as a textual edit
that leaves the rest of the part byte for byte:

* :class:`WorkbookXml`: ``<calcPr fullCalcOnLoad="1"/>``, a new ``<sheet>``
  and sheet-local defined names (``_xlnm._FilterDatabase``,
  ``_xlnm.Print_Titles``), each put where the schema's order wants it;
* :func:`add_content_type` (an ``<Override>`` or ``<Default>``),
  :func:`add_relationship` (one ``<Relationship>``) and :func:`add_app_title`
  (the new sheet's title in ``docProps/app.xml``, only when its
  HeadingPairs/TitlesOfParts are recognised and consistent: Excel repairs an
  app.xml whose counts disagree with each other, but tolerates a stale
  consistent one, so an unrecognised one is left alone);
* :func:`add_sheet`: a new worksheet part wired in through all of them.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Iterable

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.ooxml.package import Package, Workbook, newest_date, relative_target
from selfeval_xlsx.ooxml.xmltext import (TAG_TAIL, check_wellformed, decode, encode, esc_attr, esc_text, get_attr,
                                         set_attr, start_tag, unescape)

_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_WB_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                           "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_WB_AFTER_CALCPR = _WB_AFTER_DEFINED_NAMES[1:]


class WorkbookXml:
    def __init__(self, part: str, data: bytes):
        self.part, self.data = part, data
        self.text, self.enc = decode(data, part)
        m = re.search(r"<([A-Za-z_][\w.-]*:)?workbook\b" + TAG_TAIL, self.text)
        if not m:
            check_wellformed(data, part)
            raise SelfevalError("workbook.xml 缺少 workbook 根元素", "workbook.xml has no workbook root")
        self.p = m.group(1) or ""
        self.root_tag = m.group(0)

    def _find(self, name: str, text: str | None = None) -> re.Match[str] | None:
        t = self.text if text is None else text
        return start_tag(self.p, name).search(t)

    def _insert_before(self, names: Iterable[str], xml: str) -> None:
        t = self.text
        best = None
        for n in names:
            m = re.search(r"<" + re.escape(self.p) + n + r"(?=[\s/>])", t)
            if m and (best is None or m.start() < best):
                best = m.start()
        if best is None:
            best = t.rfind(f"</{self.p}workbook>")
        self.text = t[:best] + xml + t[best:]

    def full_calc_on_load(self) -> None:
        m = self._find("calcPr")
        if m:
            tag = set_attr(m.group(0), "fullCalcOnLoad", "1")
            self.text = self.text[: m.start()] + tag + self.text[m.end():]
        else:
            self._insert_before(_WB_AFTER_CALCPR, f'<{self.p}calcPr fullCalcOnLoad="1"/>')

    def add_sheet(self, name: str, sheet_id: int, rid: str, r_prefix: str) -> None:
        p = self.p
        xml = f'<{p}sheet name="{esc_attr(name)}" sheetId="{sheet_id}" {r_prefix}id="{rid}"/>'
        close = f"</{p}sheets>"
        i = self.text.find(close)
        if i < 0:
            raise SelfevalError("workbook.xml 缺少 sheets", "workbook.xml has no sheets element")
        self.text = self.text[:i] + xml + self.text[i:]

    def set_filter_name(self, local_sheet_id: int, value: str) -> None:
        self.set_local_name("_xlnm._FilterDatabase", local_sheet_id, value, hidden=True)

    def set_local_name(self, name: str, local_sheet_id: int, value: str, hidden: bool = False) -> None:
        """Set (or replace) the sheet-local defined name ``name``."""
        p = self.p
        hid = ' hidden="1"' if hidden else ""
        xml = (f'<{p}definedName name="{name}" localSheetId="{local_sheet_id}"{hid}>'
               f"{esc_text(value)}</{p}definedName>")
        t = self.text
        pat = start_tag(p, "definedName")
        for m in pat.finditer(t):
            tag = m.group(0)
            if get_attr(tag, "name") == name and get_attr(tag, "localSheetId") == str(local_sheet_id):
                close = f"</{p}definedName>"
                end = m.end() if m.group(1) == "/" else t.find(close, m.end()) + len(close)
                self.text = t[: m.start()] + xml + t[end:]
                return
        m = self._find("definedNames")
        if m and m.group(1) != "/":
            i = t.find(f"</{p}definedNames>", m.end())
            self.text = t[:i] + xml + t[i:]
        elif m:
            self.text = t[: m.start()] + f"<{p}definedNames>{xml}</{p}definedNames>" + t[m.end():]
        else:
            self._insert_before(_WB_AFTER_DEFINED_NAMES, f"<{p}definedNames>{xml}</{p}definedNames>")

    def render(self) -> bytes:
        data = encode(self.text, self.enc)
        if data != self.data:
            check_wellformed(data, self.part, self.data)
        return data


def add_content_type(data: bytes, *, override: tuple[str, str] | None = None,
                     default: tuple[str, str] | None = None) -> bytes:
    """[Content_Types].xml with an ``<Override>`` for a new part (part name,
    content type) or a ``<Default>`` for an extension (unless it has one)."""
    text, enc = decode(data, "[Content_Types].xml")
    if default is not None:
        ext, ctype = default
        if _default_ext(ext).search(text):
            return data
        xml = f'<Default Extension="{ext}" ContentType="{ctype}"/>'
    else:
        assert override is not None
        part, ctype = override
        xml = f'<Override PartName="/{part}" ContentType="{ctype}"/>'
    i = text.rfind("</Types>")
    if i < 0:
        m = _TYPES_CLOSE.search(text)
        if not m:
            raise SelfevalError("[Content_Types].xml 无效", "[Content_Types].xml is malformed")
        i = m.start()
    out = encode(text[:i] + xml + text[i:], enc)
    check_wellformed(out, "[Content_Types].xml", data)
    return out


def _default_ext(ext: str) -> re.Pattern[str]:
    return re.compile(r'<(?:\w+:)?Default\s[^>]*Extension="' + re.escape(ext) + '"', re.I)


_TYPES_CLOSE = lazy(r"</([A-Za-z_][\w.-]*:)?Types>")


def add_relationship(data: bytes, rid: str, target: str, rel_type: str) -> bytes:
    xml = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{esc_attr(target)}"/>'
    text, enc = decode(data, "workbook.xml.rels")
    m = re.search(r"</([A-Za-z_][\w.-]*:)?Relationships>", text)
    if not m:
        m2 = re.search(r"<([A-Za-z_][\w.-]*:)?Relationships\b" + TAG_TAIL, text)
        if not m2 or m2.group(2) != "/":
            raise SelfevalError("workbook.xml.rels 无效", "workbook.xml.rels is malformed")
        text = text[: m2.start()] + m2.group(0)[:-2].rstrip() + ">" + xml + "</Relationships>" + text[m2.end():]
    else:
        text = text[: m.start()] + xml.replace("<Relationship ", f"<{m.group(1) or ''}Relationship ") + text[m.start():]
    out = encode(text, enc)
    check_wellformed(out, "workbook.xml.rels", data)
    return out


def add_app_title(data: bytes, worksheet_names: list[str], new_name: str) -> bytes:
    """Add ``new_name`` after the worksheet titles in TitlesOfParts and bump
    the worksheet count in HeadingPairs, keeping the two consistent.  Returns
    ``data`` unchanged when the structure is not what we recognise."""
    try:
        text, enc = decode(data, "docProps/app.xml")
        hp = re.search(r"<(\w+:)?HeadingPairs>(.*?)</\1?HeadingPairs>", text, re.S)
        tp = re.search(r"<(\w+:)?TitlesOfParts>(.*?)</\1?TitlesOfParts>", text, re.S)
        if not hp or not tp:
            return data
        hp_inner, tp_inner = hp.group(2), tp.group(2)
        pairs = re.findall(r"<(\w+:)?lpstr>(.*?)</\1?lpstr>\s*</(?:\w+:)?variant>\s*<(?:\w+:)?variant>\s*"
                           r"<(?:\w+:)?i4>(\d+)</(?:\w+:)?i4>", hp_inner, re.S)
        title_iter = list(re.finditer(r"<(\w+:)?lpstr>(.*?)</\1?lpstr>", tp_inner, re.S))
        counts = [int(c) for _p, _n, c in pairs]
        if not pairs or sum(counts) != len(title_iter):
            return data
        tvec = re.search(r"<(\w+:)?vector\b" + TAG_TAIL, tp_inner)
        if not tvec or get_attr(tvec.group(0), "size") != str(len(title_iter)):
            return data
        # the heading pair whose titles are exactly the worksheet names
        ws = set(worksheet_names)
        start = 0
        which = None
        for k, c in enumerate(counts):
            titles = [unescape(m.group(2)) for m in title_iter[start: start + c]]
            if c and all(t in ws for t in titles) and len(titles) == len(worksheet_names):
                which = (k, start, c)
                break
            start += c
        if which is None:
            return data
        k, start, c = which
        # bump the i4 of pair k
        i4s = list(re.finditer(r"(<(?:\w+:)?i4>)(\d+)(</(?:\w+:)?i4>)", hp_inner))
        if len(i4s) != len(pairs):
            return data
        m = i4s[k]
        hp_new = hp_inner[: m.start(2)] + str(c + 1) + hp_inner[m.end(2):]
        # insert the title after the last worksheet title
        last = title_iter[start + c - 1]
        prefix = last.group(1) or ""
        tp_new = tp_inner[: last.end()] + f"<{prefix}lpstr>{esc_text(new_name)}</{prefix}lpstr>" + tp_inner[last.end():]
        tv = re.search(r"<(\w+:)?vector\b" + TAG_TAIL, tp_new)
        tp_new = tp_new[: tv.start()] + set_attr(tv.group(0), "size", str(len(title_iter) + 1)) + tp_new[tv.end():]
        new_text = (text[: hp.start(2)] + hp_new + text[hp.end(2): tp.start(2)] + tp_new + text[tp.end(2):])
        out = encode(new_text, enc)
        check_wellformed(out, "docProps/app.xml")
        return out
    except (SelfevalError, ValueError, AttributeError):
        return data


_BAD_SHEET_CHARS = lazy(r"[\[\]:*?/\\]")


def check_sheet_name(name: str) -> None:
    if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or name.startswith("'") or name.endswith("'"):
        raise SelfevalError(f"报告工作表名称无效：{name!r}", f"invalid report sheet name: {name!r}")


def add_sheet(pkg: Package, wb: Workbook, wbx: WorkbookXml, name: str, data: bytes,
               replaced: dict[str, bytes]) -> tuple[zipfile.ZipInfo, bytes]:
    base = posixpath.dirname(wb.part)
    k = 1
    while pkg.name(posixpath.join(base, f"worksheets/sheet{k}.xml")):
        k += 1
    part = posixpath.join(base, f"worksheets/sheet{k}.xml")

    rels_name = pkg.name(wb.rels_part)
    if rels_name is None:
        raise SelfevalError("工作簿缺少 workbook.xml.rels", "the workbook has no workbook.xml.rels")
    rels_data = pkg.read(rels_name)
    used = set()
    rel_type = WS_REL
    for rel in pkg.rels(wb.part)[1]:
        used.add(rel.id)
        if rel.type.endswith("/worksheet"):
            rel_type = rel.type
    n = len(used) + 1
    while f"rId{n}" in used:
        n += 1
    rid = f"rId{n}"
    target = relative_target(part, base) if base else part
    replaced[rels_name] = add_relationship(rels_data, rid, target, rel_type)

    ct = pkg.name("[Content_Types].xml")
    if ct is None:
        raise SelfevalError("缺少 [Content_Types].xml", "[Content_Types].xml is missing")
    replaced[ct] = add_content_type(replaced.get(ct) or pkg.read(ct), override=(part, _WS_CT))

    ids = [0]
    for m in start_tag(wbx.p, "sheet").finditer(wbx.text):
        v = get_attr(m.group(0), "sheetId")
        if v and v.isdigit():
            ids.append(int(v))
    sheet_tag = start_tag(wbx.p, "sheet").search(wbx.text)
    r_prefix = "r:"
    if sheet_tag:
        pm = re.search(r"\s(\w+):id\s*=", sheet_tag.group(0))
        if pm:
            r_prefix = pm.group(1) + ":"
    if r_prefix == "r:" and not re.search(r'xmlns:r\s*=', wbx.root_tag):
        # bind the prefix on the element itself
        r_prefix = 'xmlns:r="%s" r:' % R_NS
    wbx.add_sheet(name, max(ids) + 1, rid, r_prefix)

    app = pkg.name("docProps/app.xml")
    if app:
        ws_names = [s.name for s in wb.sheets if s.rel_type.endswith("/worksheet")]
        app_data = pkg.read(app)
        new_app = add_app_title(app_data, ws_names, name)
        if new_app != app_data:
            replaced[app] = new_app

    info = zipfile.ZipInfo(part, date_time=newest_date(pkg))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info, data

