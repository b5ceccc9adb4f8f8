"""Cell comments (notes) on the changed cells, and the VML that shows them.

:func:`add_notes` merges one note per changed cell into the sheet's
comments part and its legacy VML drawing, creating the parts, the sheet's
relationships and the content types when the sheet has none.  A cell that
carries a user's comment keeps it byte for byte and gets no note; our own
notes of an earlier run (by the same ``author``) are renewed, so a second
run writes the same bytes.  :func:`insert_legacy_drawing` then adds the
``<legacyDrawing>`` a new VML part needs to the rendered sheet part, in
schema order.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

from selfeval_xlsx.ooxml.package import Package, newest_date, relative_target, rels_path, resolve_target
from selfeval_xlsx import cellref
from selfeval_xlsx.ooxml.sheet import CellSlot, SheetPatcher
from selfeval_xlsx.ooxml.workbook import R_NS, add_content_type
from selfeval_xlsx.ooxml.xmltext import (TAG_TAIL, attrs, check_wellformed, decode, encode, esc_attr, esc_text,
                                         get_attr, start_tag, unescape, xstring)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_NOTE_RPR = '<rPr><sz val="10"/><color indexed="81"/><rFont val="宋体"/><family val="3"/><charset val="134"/></rPr>'


def _free_name(taken: set[str], pattern: str) -> str:
    k = 1
    while pattern.format(k).lower() in taken:
        k += 1
    name = pattern.format(k)
    taken.add(name.lower())
    return name


def add_notes(pkg: Package, patcher: SheetPatcher, notes: list[tuple[CellSlot, str]],
              replaced: dict[str, bytes], new_members: list[tuple[zipfile.ZipInfo, bytes]],
             taken: set[str], author: str) -> None:
    """Merge one note per changed cell into the sheet's comments part (and
    its VML drawing), creating the parts, relationships and content types
    when the sheet has none.  A user's comment on the same cell keeps its
    runs byte for byte; the note is a run added after them.  Our own
    comments (by ``author``) and added runs are replaced, so a
    second run writes the same bytes."""
    sheet_part = patcher.part
    rels_part = rels_path(sheet_part)
    rels_name, rels = pkg.rels(sheet_part)
    rels_data = pkg.read(rels_name) if rels_name else None
    by_id = {rel.id: rel for rel in rels if not rel.external}
    comments_part = vml_part = None
    for rel in by_id.values():
        if rel.type.endswith("/comments"):
            comments_part = pkg.name(resolve_target(sheet_part, rel.target))
    legacy = start_tag(patcher.p, "legacyDrawing").search(patcher.text[patcher.sd_end:])
    if legacy:
        rid = next((v for k, v in attrs(legacy.group(0)) if k.endswith(":id")), None)
        rel = by_id.get(rid or "")
        if rel is not None:
            vml_part = pkg.name(resolve_target(sheet_part, rel.target))
        if vml_part is None:
            return  # a <legacyDrawing> whose part is missing: a second one would break the sheet
    new_rels: list[tuple[str, str]] = []  # (type, target part)

    # the comments part
    if comments_part is not None:
        text, enc = decode(pkg.read(comments_part), comments_part)
    else:
        comments_part = _free_name(taken, "xl/comments{}.xml")
        text, enc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     f'<comments xmlns="{MAIN_NS}"><authors></authors><commentList></commentList></comments>',
                     "utf-8")
        new_rels.append((_COMMENTS_REL, comments_part))
        ct = replaced.get(pkg.name("[Content_Types].xml") or "") or pkg.read("[Content_Types].xml")
        replaced[pkg.name("[Content_Types].xml")] = add_content_type(ct, override=(comments_part, _COMMENTS_CT))
    merged, cells_new = _merge_comments(text, notes, author)
    data = encode(merged, enc)
    check_wellformed(data, comments_part)
    if pkg.name(comments_part):
        if merged != text:  # every note fell on a user's comment: the part stays as it was
            replaced[pkg.name(comments_part)] = data
    else:
        info = zipfile.ZipInfo(comments_part, date_time=newest_date(pkg))
        info.compress_type = zipfile.ZIP_DEFLATED
        new_members.append((info, data))

    # the VML shapes that let Excel show them
    if vml_part is not None:
        vml, venc = decode(pkg.read(vml_part), vml_part)
        vml_new = _vml_add_shapes(vml, cells_new)
        if vml_new != vml:
            replaced[vml_part] = encode(vml_new, venc)
    else:
        vml_part = _free_name(taken, "xl/drawings/vmlDrawing{}.vml")
        block = 1 + max([int(x) for name in taken if name.endswith(".vml") and pkg.name(name)
                         for x in re.findall(r'o:idmap[^>]*data="(\d+)', pkg.read(pkg.name(name)).decode(
                             "utf-8", "replace"))] or [0])
        vml = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
               'xmlns:x="urn:schemas-microsoft-com:office:excel">'
               f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout></xml>')
        vml = _vml_add_shapes(vml, cells_new, first_id=block * 1024 + 1)
        info = zipfile.ZipInfo(vml_part, date_time=newest_date(pkg))
        info.compress_type = zipfile.ZIP_DEFLATED
        new_members.append((info, vml.encode("utf-8")))
        new_rels.append((_VML_REL, vml_part))
        ct_name = pkg.name("[Content_Types].xml")
        ct = replaced.get(ct_name) or pkg.read(ct_name)
        replaced[ct_name] = add_content_type(ct, default=("vml", _VML_CT))

    # relationships of the sheet
    if new_rels:
        used = set(by_id) | {rel.id for rel in rels}
        xml_rels = []
        for rtype, target in new_rels:
            n = 1
            while f"rId{n}" in used:
                n += 1
            used.add(f"rId{n}")
            rel_target = relative_target(target, posixpath.dirname(sheet_part))
            xml_rels.append(f'<Relationship Id="rId{n}" Type="{rtype}" Target="{esc_attr(rel_target)}"/>')
            if rtype == _VML_REL:
                patcher.legacy_drawing = f"rId{n}"
        if rels_data is not None:
            rtext, renc = decode(rels_data, rels_name)
            i = rtext.rfind("</")
            m = re.search(r"<(\w+:)?Relationships\b" + TAG_TAIL, rtext)
            if m and m.group(2) == "/":
                rtext = rtext[: m.start()] + m.group(0)[:-2].rstrip() + ">" + "".join(xml_rels) + \
                    "</Relationships>" + rtext[m.end():]
            else:
                prefix = (m.group(1) or "") if m else ""
                rtext = rtext[:i] + "".join(x.replace("<Relationship ", f"<{prefix}Relationship ")
                                            for x in xml_rels) + rtext[i:]
            out = encode(rtext, renc)
            check_wellformed(out, rels_name, rels_data)
            replaced[rels_name] = out
        else:
            info = zipfile.ZipInfo(rels_part, date_time=newest_date(pkg))
            info.compress_type = zipfile.ZIP_DEFLATED
            new_members.append((info, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                       f'<Relationships xmlns="{_PKG_REL_NS}">' + "".join(xml_rels)
                                       + "</Relationships>").encode("utf-8")))




def _merge_comments(text: str, notes: list[tuple[CellSlot, str]], author: str) -> tuple[str, list[tuple[int, int]]]:
    """Put each note into the comments XML; returns the text and the cells
    (row, col) that got a comment of their own (they need a VML shape).

    A cell that already carries a user's comment keeps it exactly as written
    and gets no note (the 审核意见单 row says what changed there); when every
    note falls on such a cell the part comes back byte for byte."""
    m = re.search(r"<(\w+:)?comments\b", text)
    p = (m.group(1) or "") if m else ""
    authors = re.search(r"<" + re.escape(p) + r"authors\b" + TAG_TAIL, text)
    if authors is None:
        return text, []
    names: list[str] = []
    if authors.group(1) != "/":
        close = text.find(f"</{p}authors>", authors.end())
        names = [unescape(a) for a in re.findall(r"<" + re.escape(p) + r"author(?:\s[^>]*)?>(.*?)</"
                                                  + re.escape(p) + "author>", text[authors.end(): close], re.S)]
        names += [""] * len(re.findall(r"<" + re.escape(p) + r"author\s*/>", text[authors.end(): close]))
    ours = names.index(author) if author in names else len(names)
    pat = start_tag(p, "comment")

    def existing(ref: str) -> re.Match | None:
        for cm in pat.finditer(text):
            r = get_attr(cm.group(0), "ref")
            if r and r.replace("$", "").upper() == ref:
                return cm
        return None

    # notes for cells with no comment, or with our own note of an earlier run
    todo = []
    for slot, note in sorted(notes, key=lambda n: (n[0].row, n[0].col)):
        ref = cellref.ref1(slot.row, slot.col)
        hit = existing(ref)
        if hit is None or get_attr(hit.group(0), "authorId") == str(ours) and author in names:
            todo.append((slot, note, ref, hit is not None))
    if not todo:
        return text, []
    if author not in names:
        new_author = f"<{p}author>{esc_text(author)}</{p}author>"
        if authors.group(1) == "/":
            text = text[: authors.start()] + authors.group(0)[:-2].rstrip() + ">" + new_author + \
                f"</{p}authors>" + text[authors.end():]
        else:
            close = text.find(f"</{p}authors>", authors.end())
            text = text[:close] + new_author + text[close:]
    rpr = _NOTE_RPR.replace("<", "<" + p).replace("<" + p + "/", "</" + p) if p else _NOTE_RPR
    own: list[tuple[int, int]] = []
    for slot, note, ref, had_one in todo:
        run = f'<{p}r>{rpr}<{p}t xml:space="preserve">{xstring(note)}</{p}t></{p}r>'
        mine = f'<{p}comment ref="{ref}" authorId="{ours}"><{p}text>{run}</{p}text></{p}comment>'
        # (only a cell that had a comment has one now: the notes added so far are on other cells)
        hit = existing(ref) if had_one else None
        if hit is not None:  # our own note of an earlier run: renew it
            close_tag = f"</{p}comment>"
            end = hit.end() if hit.group(1) == "/" else text.find(close_tag, hit.end()) + len(close_tag)
            text = text[: hit.start()] + mine + text[end:]
            continue
        lst = re.search(r"<" + re.escape(p) + r"commentList\b" + TAG_TAIL, text)
        if lst is None:
            continue
        if lst.group(1) == "/":
            text = text[: lst.start()] + lst.group(0)[:-2].rstrip() + ">" + mine + \
                f"</{p}commentList>" + text[lst.end():]
        else:
            close = text.find(f"</{p}commentList>", lst.end())
            text = text[:close] + mine + text[close:]
        own.append((slot.row, slot.col))
    return text, own


def _vml_add_shapes(vml: str, cells: list[tuple[int, int]], first_id: int | None = None) -> str:
    """Append a hidden note shape for each (row, col) that has none yet."""
    if not cells:
        return vml
    have = {(int(r), int(c)) for r, c in re.findall(
        r"<x:Row>\s*(\d+)\s*</x:Row>\s*<x:Column>\s*(\d+)\s*</x:Column>", vml)}
    ids = [int(x) for x in re.findall(r'id="_x0000_s(\d+)"', vml)]
    n = max(ids) + 1 if ids else (first_id or 1025)
    shapes = []
    if 'id="_x0000_t202"' not in vml:
        shapes.append('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
                      'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
                      '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
    for row, col in cells:
        r0, c0 = row - 1, col - 1
        if (r0, c0) in have:
            continue
        shapes.append(
            f'<v:shape id="_x0000_s{n}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
            f'margin-top:10pt;width:200pt;height:60pt;z-index:{n};visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f'<x:SizeWithCells/><x:Anchor>{c0 + 1}, 15, {max(r0 - 1, 0)}, 10, {c0 + 4}, 15, {max(r0 - 1, 0) + 4}, 4'
            f'</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{r0}</x:Row><x:Column>{c0}</x:Column>'
            '</x:ClientData></v:shape>')
        n += 1
    i = vml.rfind("</xml>")
    if i < 0:
        return vml
    return vml[:i] + "".join(shapes) + vml[i:]



_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


def insert_legacy_drawing(data: bytes, patcher: SheetPatcher) -> bytes:
    """Add ``<legacyDrawing r:id=…/>`` to a rendered sheet part, in schema order
    (only the part after ``</sheetData>`` is searched)."""
    text, enc = decode(data, patcher.part)
    p = patcher.p
    base = text.rfind(f"</{p}sheetData>")
    base = base if base >= 0 else 0
    tail = text[base:]
    close = tail.rfind(f"</{p}worksheet>")
    at = close
    for name in _AFTER_LEGACY:
        m = re.search(r"<" + re.escape(p) + name + r"(?=[\s/>])", tail)
        if m is None:
            continue
        if name == "extLst":
            # the worksheet's own extLst is its last child (a rule's extLst sits inside it)
            end = tail.rfind(f"</{p}extLst>")
            if end < 0 or tail[end + len(f"</{p}extLst>"): close].strip():
                continue
            stack: list[int] = []
            outer = None
            for em in re.finditer(r"<(/?)" + re.escape(p) + r"extLst(?=[\s/>])" + TAG_TAIL, tail):
                if em.group(1):
                    opened = stack.pop() if stack else None
                    if em.start() == end:
                        outer = opened
                elif em.group(2) != "/":
                    stack.append(em.start())
            if outer is not None:
                at = min(at, outer)
        else:
            at = min(at, m.start())
    root = re.search(r"<" + re.escape(p) + r"worksheet\b" + TAG_TAIL, text)
    prefix = None
    for k, v in attrs(root.group(0) if root else ""):
        if k.startswith("xmlns:") and v == R_NS:
            prefix = k[6:]
    if prefix:
        xml = f'<{p}legacyDrawing {prefix}:id="{patcher.legacy_drawing}"/>'
    else:
        xml = f'<{p}legacyDrawing xmlns:r="{R_NS}" r:id="{patcher.legacy_drawing}"/>'
    return encode(text[: base + at] + xml + text[base + at:], enc)

