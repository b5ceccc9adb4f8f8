"""styles.xml editing: new fills, borders, fonts, number formats and cell xfs.

:class:`Styles` edits a styles part as text (see ``xmltext``): each counted
list (``<fonts>``, ``<fills>``, ``<borders>``, ``<cellXfs>``) is indexed once
(:class:`_Collection`), an item identical to one already there is reused
rather than added (so a second run adds nothing), and :meth:`Styles.render`
splices the added items in and fixes the ``count`` attributes; ``<numFmts>``
gets the custom number formats, with ids that clash with none in use.

What the writer asks of it: :meth:`Styles.derive` (the xf of a changed cell,
marked and/or with a new number format), :meth:`Styles.numfmt_of` and
:meth:`Styles.xf_numfmt` (the format a cell shows), and the fonts, fills,
borders and xfs of the review sheet (``add_font``, ``add_fill``,
``border``, ``add_xf``).
"""

from __future__ import annotations

import re

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.ooxml.xmltext import (TAG_TAIL, check_wellformed, decode, encode, esc_attr, get_attr, set_attr,
                                         splice, start_tag)

_BUILTIN_FORMATS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
    "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13, "mm-dd-yy": 14, "d-mmm-yy": 15, "d-mmm": 16,
    "mmm-yy": 17, "h:mm AM/PM": 18, "h:mm:ss AM/PM": 19, "h:mm": 20, "h:mm:ss": 21,
    "m/d/yy h:mm": 22, "#,##0 ;(#,##0)": 37, "#,##0 ;[Red](#,##0)": 38, "#,##0.00;(#,##0.00)": 39,
    "#,##0.00;[Red](#,##0.00)": 40, "mm:ss": 45, "[h]:mm:ss": 46, "mmss.0": 47, "##0.0E+0": 48, "@": 49,
}


class _Collection:
    """A counted list (``<fills>``, ``<fonts>``, ``<cellXfs>``) in styles.xml:
    ``items`` as found, ``added`` the new ones, ``all`` both in order (an
    index into the list is an id: ``fontId``, ``xfId`` …)."""

    def __init__(self, styles: "Styles", name: str, item: str):
        self.styles, self.name, self.item = styles, name, item
        self.added: list[str] = []
        self._locate()
        self.all = list(self.items)
        self._index: dict[str, int] | None = None  # item -> its first index, made on first use

    def _locate(self) -> None:
        t, p = self.styles.text, self.styles.p
        m = start_tag(p, self.name).search(t)
        self.items: list[str] = []
        if not m:
            self.tag = None
            return
        self.tag_start, self.tag_end, self.tag = m.start(), m.end(), m.group(0)
        if m.group(1) == "/":
            self.close_start = self.close_end = m.end()
            return
        close = f"</{p}{self.name}>"
        i = t.find(close, m.end())
        if i < 0:
            raise SelfevalError("styles.xml 结构无效", "styles.xml is malformed")
        self.close_start, self.close_end = i, i + len(close)
        pat = start_tag(p, self.item)
        iclose = f"</{p}{self.item}>"
        pos = m.end()
        while True:
            im = pat.search(t, pos, i)
            if not im:
                break
            if im.group(1) == "/":
                end = im.end()
            else:
                j = t.find(iclose, im.end(), i)
                if j < 0:
                    raise SelfevalError("styles.xml 结构无效", "styles.xml is malformed")
                end = j + len(iclose)
            self.items.append(t[im.start(): end])
            pos = end

    def index_of(self, xml: str) -> int:
        """Index of an identical item, appending it if there is none.  (By a
        dict: the review sheet asks for some 15 items a file among a
        workbook's hundreds of xfs.)"""
        index = self._index
        if index is None:
            index = self._index = {}
            for i, item in enumerate(self.items):
                index.setdefault(item, i)
        found = index.get(xml)
        if found is None:
            found = index[xml] = len(self.all)
            self.added.append(xml)
            self.all.append(xml)
        return found

    def ops(self) -> list[tuple[int, int, int, str]]:
        if not self.added:
            return []
        if self.tag is None:
            raise SelfevalError(f"styles.xml 缺少 {self.name}", f"styles.xml has no {self.name}")
        p = self.styles.p
        count = len(self.items) + len(self.added)
        tag = set_attr(self.tag, "count", str(count)) if get_attr(self.tag, "count") is not None else self.tag
        if self.tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
            return [(self.tag_start, self.tag_end, 0, tag + "".join(self.added) + f"</{p}{self.name}>")]
        out = [(self.close_start, self.close_start, 0, "".join(self.added))]
        if tag != self.tag:
            out.append((self.tag_start, self.tag_end, 0, tag))
        return out


class Styles:
    """The editor of one styles.xml.  ``mark_rgb``: the fill and the frame
    colour of a marked cell (ARGB)."""

    def __init__(self, part: str, data: bytes, mark_rgb: tuple[str, str] = ("FFFFEB9C", "FFC00000")):
        self.part, self.data = part, data
        self.mark_rgb = mark_rgb
        self.text, self.enc = decode(data, part)
        m = re.search(r"<([A-Za-z_][\w.-]*:)?styleSheet\b", self.text)
        if not m:
            check_wellformed(data, part)
            raise SelfevalError("styles.xml 缺少 styleSheet 根元素", "styles.xml has no styleSheet root")
        self.p = m.group(1) or ""
        self.fonts = _Collection(self, "fonts", "font")
        self.fills = _Collection(self, "fills", "fill")
        self.borders = _Collection(self, "borders", "border")
        self.xfs = _Collection(self, "cellXfs", "xf")
        self.style_xfs = _Collection(self, "cellStyleXfs", "xf")
        self._numfmt_added: list[tuple[int, str]] = []
        self._numfmts = self._read_numfmts()
        self._mark_fill: int | None = None
        self._mark_border: int | None = None

    def _read_numfmts(self) -> dict[int, str]:
        """Formats declared in ``<numFmts>`` (those a cell xf may use); ids
        used anywhere (dxfs too) are remembered so a new id never clashes."""
        out: dict[int, str] = {}
        self._used_numfmt_ids = {0}
        m = start_tag(self.p, "numFmts").search(self.text)
        end = -1
        if m and m.group(1) != "/":
            end = self.text.find(f"</{self.p}numFmts>", m.end())
        for nm in start_tag(self.p, "numFmt").finditer(self.text):
            i, code = get_attr(nm.group(0), "numFmtId"), get_attr(nm.group(0), "formatCode")
            if not (i and i.isdigit()):
                continue
            self._used_numfmt_ids.add(int(i))
            if m and m.end() <= nm.start() < end and code is not None:
                out[int(i)] = code
        return out

    def numfmt_id(self, code: str) -> int:
        for i, c in self._numfmts.items():
            if c == code:
                return i
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        new = max([163, *self._numfmts, *self._used_numfmt_ids]) + 1
        self._numfmts[new] = code
        self._numfmt_added.append((new, code))
        return new

    def numfmt_code(self, i: int) -> str | None:
        if i in self._numfmts:
            return self._numfmts[i]
        for code, j in _BUILTIN_FORMATS.items():
            if j == i:
                return code
        return None

    def xf_numfmt(self, index: int) -> tuple[int, str | None] | None:
        """The ``numFmtId`` of xf ``index`` and its code when ``<numFmts>``
        declares it (None: a built-in id); None when the xf names no format
        (or there are no xfs)."""
        if not self.xfs.all:
            return None
        m = start_tag(self.p, "xf").match(self.xf(index))
        cur = get_attr(m.group(0), "numFmtId") if m else None
        if not (cur and cur.isdigit()):
            return None
        i = int(cur)
        return i, self._numfmts.get(i)

    def mark_fill(self) -> int:
        if self._mark_fill is None:
            p = self.p
            xml = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{self.mark_rgb[0]}"/>'
                   f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
            self._mark_fill = self.fills.index_of(xml)
        return self._mark_fill

    def mark_border(self) -> int:
        """A medium frame all round: a marked cell stays visible on paper."""
        if self._mark_border is None:
            self._mark_border = self.borders.index_of(self.border("medium", self.mark_rgb[1]))
        return self._mark_border

    def border(self, style: str | None, rgb: str = "FF000000") -> str:
        p = self.p
        if style is None:
            return f"<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>"
        side = "".join(f'<{p}{k} style="{style}"><{p}color rgb="{rgb}"/></{p}{k}>'
                       for k in ("left", "right", "top", "bottom"))
        return f"<{p}border>{side}<{p}diagonal/></{p}border>"

    def add_fill(self, rgb: str) -> int:
        p = self.p
        return self.fills.index_of(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
                                   f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')

    def numfmt_of(self, xf_index: int) -> tuple[int, str]:
        """The number format (id, code) of cell style ``xf_index``."""
        cache = self.__dict__.setdefault("_numfmt_cache", {})
        found = cache.get(xf_index)
        if found is None:
            found = cache[xf_index] = self._numfmt_of(xf_index)
        return found

    def _numfmt_of(self, xf_index: int) -> tuple[int, str]:
        m = start_tag(self.p, "xf").match(self.xf(xf_index))
        cur = get_attr(m.group(0), "numFmtId") if m else None
        i = int(cur) if cur and cur.isdigit() else 0
        return i, self.numfmt_code(i) or "General"

    def xf(self, index: int) -> str:
        items = self.xfs.all
        if not items:
            raise SelfevalError("styles.xml 缺少 cellXfs", "styles.xml has no cellXfs")
        return items[index] if 0 <= index < len(items) else items[0]

    def derive(self, index: int, *, mark: bool, number_format: str | None) -> int:
        """The xf index for a cell whose xf was ``index``, marked and/or with a
        number format; identical xfs are reused (so a second run adds none)."""
        xml = self.xf(index)
        m = start_tag(self.p, "xf").match(xml)
        tag = m.group(0)
        new_tag = tag
        if number_format is not None:
            cur = get_attr(tag, "numFmtId")
            cur_code = self.numfmt_code(int(cur)) if cur and cur.isdigit() else "General"
            if cur_code != number_format:
                new_tag = set_attr(new_tag, "numFmtId", str(self.numfmt_id(number_format)))
                new_tag = set_attr(new_tag, "applyNumberFormat", "1")
        if mark:
            new_tag = set_attr(new_tag, "fillId", str(self.mark_fill()))
            new_tag = set_attr(new_tag, "applyFill", "1")
            if self.borders.tag is not None:
                new_tag = set_attr(new_tag, "borderId", str(self.mark_border()))
                new_tag = set_attr(new_tag, "applyBorder", "1")
        if new_tag == tag:
            return index
        return self.xfs.index_of(new_tag + xml[len(tag):])

    def add_font(self, base: int, *, bold: bool = False, link: bool = False, size: float | None = None,
                 rgb: str | None = None) -> int:
        items = self.fonts.all
        if not items:
            raise SelfevalError("styles.xml 缺少 fonts", "styles.xml has no fonts")
        xml = items[base if base < len(items) else 0]
        p = self.p
        m = start_tag(p, "font").match(xml)
        if m.group(1) == "/":
            open_tag, inner = m.group(0)[:-2].rstrip() + ">", ""
        else:
            open_tag, inner = m.group(0), xml[m.end(): -len(f"</{p}font>")]
        inner = start_tag(p, "(?:b|u)").sub("", inner)
        if link:
            rgb = "FF0563C1"
        if size is not None:
            inner = start_tag(p, "sz").sub("", inner)
        if rgb is not None:
            inner = start_tag(p, "color").sub("", inner)
        # CT_Font children: b, i, strike, condense, extend, outline, shadow, u, vertAlign, sz, color, name, ...
        head = (f"<{p}b/>" if bold else "")
        if link:
            head += f"<{p}u/>"
        if size is not None:
            head += f'<{p}sz val="{size:g}"/>'
            sz_end = 0
        else:
            sz = start_tag(p, "sz").search(inner)
            sz_end = sz.end() if sz else 0
        colour = f'<{p}color rgb="{rgb}"/>' if rgb is not None else ""
        inner = head + inner[:sz_end] + colour + inner[sz_end:] if size is None else head + colour + inner
        return self.fonts.index_of(f"{open_tag}{inner}</{p}font>")

    def add_xf(self, *, font: int = 0, fill: int = 0, wrap: bool = False, border: int = 0, numfmt: int = 0,
               horizontal: str | None = None, vertical: str | None = None) -> int:
        p = self.p
        xf_id = ' xfId="0"' if self.style_xfs.items else ""
        attrs = f'numFmtId="{numfmt}" fontId="{font}" fillId="{fill}" borderId="{border}"{xf_id}'
        if numfmt:
            attrs += ' applyNumberFormat="1"'
        if font:
            attrs += ' applyFont="1"'
        if fill:
            attrs += ' applyFill="1"'
        if border:
            attrs += ' applyBorder="1"'
        if wrap and vertical is None:
            vertical = "top"
        align = "".join(f' {k}="{v}"' for k, v in (("horizontal", horizontal), ("vertical", vertical)) if v)
        if wrap:
            align += ' wrapText="1"'
        if align:
            return self.xfs.index_of(f'<{p}xf {attrs} applyAlignment="1"><{p}alignment{align}/></{p}xf>')
        return self.xfs.index_of(f"<{p}xf {attrs}/>")

    def render(self) -> bytes:
        ops = self.fonts.ops() + self.fills.ops() + self.borders.ops() + self.xfs.ops()
        if self._numfmt_added:
            p = self.p
            new = "".join(f'<{p}numFmt numFmtId="{i}" formatCode="{esc_attr(c)}"/>' for i, c in self._numfmt_added)
            nf = _Collection(self, "numFmts", "numFmt")
            if nf.tag is None:
                at = self.fonts.tag_start if self.fonts.tag is not None else self._first_child_pos()
                ops.append((at, at, -1, f'<{p}numFmts count="{len(self._numfmt_added)}">{new}</{p}numFmts>'))
            else:
                nf.added = [new]  # count fixed below
                tag = nf.tag
                if get_attr(tag, "count") is not None:
                    tag = set_attr(tag, "count", str(len(nf.items) + len(self._numfmt_added)))
                if tag.endswith("/>"):
                    ops.append((nf.tag_start, nf.tag_end, 0, tag[:-2].rstrip() + ">" + new + f"</{p}numFmts>"))
                else:
                    ops.append((nf.close_start, nf.close_start, 0, new))
                    if tag != nf.tag:
                        ops.append((nf.tag_start, nf.tag_end, 0, tag))
        if not ops:
            return self.data
        data = encode(splice(self.text, ops), self.enc)
        check_wellformed(data, self.part, self.data)
        return data

    def _first_child_pos(self) -> int:
        m = re.search(r"<" + re.escape(self.p) + r"styleSheet\b" + TAG_TAIL, self.text)
        return m.end()


