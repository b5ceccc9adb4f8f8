"""The OOXML package: a zip of parts tied together by relationships.

One implementation of each thing both the loader (reading a file a user
hands us, safely) and the writer (patching it) need from the package:

* the zip-bomb guards (``BIG_MEMBER``, ``MAX_RATIO``: :func:`bomb_ratio`)
  and ONE safe inflate (:func:`inflate`: at most the declared size, checked
  against it and the CRC, so a lying central directory is caught, never
  obeyed);
* the local-header parse that finds a member's stored bytes
  (:func:`raw_member`; zipfile has no public call for it), for the head of a
  big sheet, the inflate and the writer's raw copy;
* ONE DTD/ENTITY guard (:func:`declares_dtd`, entity bombs) and the strict
  parse of the small XML parts the resolution reads (:func:`elements`);
* :class:`Package` (members by name, case-insensitive as OPC says),
  relationships (:func:`rels_path`, :func:`resolve_target`,
  :meth:`Package.rels`) and the sheets of the workbook resolved through them
  (:class:`Workbook`: the workbook part named by ``_rels/.rels``, each
  ``<sheet>`` through its ``r:id``; nothing assumes ``xl/``);
* the writing side: :class:`RawMember` (a member copied as stored, never
  inflated and deflated again), :func:`clone_info` and
  :func:`write_package` (the atomic write of the patched package).

Errors are :class:`~selfeval_xlsx.errors.SelfevalError` (one line, zh/en) or
``zipfile.BadZipFile`` for a damaged zip; the loader turns them into its own
``UnreadableError``.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote
from xml.parsers import expat

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.ooxml import deflate as _deflate
from selfeval_xlsx.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Mapping

MAX_RATIO = 100  # compression ratio allowed for a big member
BIG_MEMBER = 5 * 1024 * 1024  # "big" for the ratio check


def bomb_ratio(info: zipfile.ZipInfo) -> bool:
    """A big member that inflates far beyond its compressed size (a zip bomb)."""
    return info.file_size > BIG_MEMBER and info.file_size > MAX_RATIO * max(info.compress_size, 1)


# --------------------------------------------------------------------------
# members: stored bytes and the safe inflate


def raw_member(data: bytes, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
    """The stored (compressed) bytes of a member of the zip ``data``, read
    past its local header; with ``limit``, at most that many (a peek, which
    may come back short).  ``zipfile.BadZipFile`` when the local header is
    not there or the member is truncated."""
    off = info.header_offset
    header = data[off: off + 30]
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = off + 30 + name_len + extra_len
    if limit is not None:
        return data[start: start + min(info.compress_size, limit)]
    raw = data[start: start + info.compress_size]
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"truncated member {info.filename}")
    return raw


def inflate(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """One member, inflated to at most its declared size and checked against
    that size and its CRC (so a lying directory is caught, never obeyed).
    None when the member is damaged."""
    try:
        raw = raw_member(data, info)
        if info.compress_type == zipfile.ZIP_STORED:
            blob = raw
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            blob = zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
        else:  # bzip2 / lzma: rare; zipfile stops at the declared size too
            with zf.open(info) as fh:
                blob = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
            struct.error):
        return None
    if len(blob) != info.file_size or zlib.crc32(blob) != info.CRC:
        return None
    return blob


def inflate_head(data: bytes, info: zipfile.ZipInfo, size: int) -> bytes:
    """The first ``size`` bytes of a member, inflated (b"" when it cannot
    be): a look at the top of a big part without inflating all of it."""
    try:
        raw = raw_member(data, info, limit=size * 4)
        if info.compress_type == zipfile.ZIP_STORED:
            return raw[:size]
        if info.compress_type == zipfile.ZIP_DEFLATED:
            return zlib.decompressobj(-15).decompress(raw, size)
    except (zipfile.BadZipFile, zlib.error, struct.error, ValueError):
        pass
    return b""


# --------------------------------------------------------------------------
# XML: the DTD guard and a strict parse of the small parts

_DECL = lazy(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)


def declares_dtd(blob: bytes) -> bool:
    """True when an XML part declares a document type or an entity
    (``<!DOCTYPE`` / ``<!ENTITY`` outside comments and CDATA sections),
    which is what an entity bomb needs; a part in UTF-16 is decoded first
    (UnicodeDecodeError when it cannot be).  The whole part is looked at, not
    only a prolog guessed from where the root element seems to start."""
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        blob = blob.decode("utf-16").encode("utf-8")
    elif blob.startswith(b"<\x00"):
        blob = blob.decode("utf-16-le").encode("utf-8")
    elif blob.startswith(b"\x00<"):
        blob = blob.decode("utf-16-be").encode("utf-8")
    pos = blob.find(b"<!")
    while pos >= 0:
        if blob.startswith(b"<!--", pos):
            end = blob.find(b"-->", pos + 4)
        elif blob.startswith(b"<![CDATA[", pos):
            end = blob.find(b"]]>", pos + 9)
        elif _DECL.match(blob, pos):
            return True
        else:
            end = pos
        if end < 0:
            return False  # an unclosed comment or CDATA section: the parser refuses the part
        pos = blob.find(b"<!", end + 2)
    return False


def _not_wellformed(part: str, exc: Exception) -> SelfevalError:
    return SelfevalError(f"文件内部 {part} 不是格式正确的 XML：{exc}", f"{part} in the package is not well-formed XML: {exc}")


#: what :func:`elements` found in the last few parts it parsed, by (part's
#: bytes, parent): the loader and then the writer of one file resolve the
#: same ``_rels/.rels``, workbook.xml and its relationships (the writer is
#: handed the loader's very bytes, so the key's hash is already computed and
#: its comparison is one of identity).  Only successful parses are kept.
_PARSED: dict[tuple[bytes, str | None], list[tuple[str, dict[str, str]]]] = {}
_PARSED_MAX = 8


def elements(data: bytes, part: str, parent: str | None = None) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of the children of the root element, or with
    ``parent`` of the first element of that local name, in document order.
    Attribute names in a namespace are ``"{uri}local"`` (as ElementTree
    writes them).  The whole part must be well-formed and declare no DTD;
    a one-line SelfevalError otherwise.  The list is shared (see
    ``_PARSED``): callers read it, never change it."""
    key = (data, parent)
    found = _PARSED.get(key)
    if found is None:
        found = _parse_elements(data, part, parent)
        if len(_PARSED) >= _PARSED_MAX:
            # emptied, not trimmed to the oldest: clear() is one step, so the web
            # service's threads filling at once cannot trip over each other
            # (two deleting one key, or iterating while another inserts)
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _parse_elements(data: bytes, part: str, parent: str | None) -> list[tuple[str, dict[str, str]]]:
    try:
        dtd = declares_dtd(data)
    except UnicodeDecodeError as exc:
        raise _not_wellformed(part, exc) from None
    if dtd:
        raise SelfevalError(f"文件内部 {part} 含有 DTD，拒绝处理", f"{part} in the package contains a DTD; refusing it")
    out: list[tuple[str, dict[str, str]]] = []
    depth = 0
    at: int | None = None if parent is not None else 2  # the depth whose elements are collected

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, at
        depth += 1
        local = name.rsplit("}", 1)[-1]
        if depth == at:
            if attributes and any("}" in k for k in attributes):
                attributes = {("{" + k if "}" in k else k): v for k, v in attributes.items()}
            out.append((local, attributes))
        elif at is None and local == parent:
            at = depth + 1

    def end(_name: str) -> None:
        nonlocal depth, at
        depth -= 1
        if parent is not None and at is not None and depth == at - 2:
            at = -1  # the first such element is done: no other is looked at

    p = expat.ParserCreate(namespace_separator="}")
    p.StartElementHandler = start
    p.EndElementHandler = end
    try:
        p.Parse(data, True)
    except (expat.ExpatError, LookupError, ValueError) as exc:
        raise _not_wellformed(part, exc) from None
    return out


# --------------------------------------------------------------------------
# the package and its relationships


def rels_path(part: str) -> str:
    """The relationships part of ``part``: xl/workbook.xml → xl/_rels/workbook.xml.rels."""
    d, n = posixpath.split(part)
    return posixpath.join(d, "_rels", n + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """The part a relationship of ``source_part`` points at."""
    found = _RESOLVED.get((source_part, target))
    if found is None:
        path = unquote(target)
        if path.startswith("/"):
            path = path[1:]
        else:
            path = posixpath.join(posixpath.dirname(source_part), path)
        found = posixpath.normpath(path).lstrip("/")
        if len(_RESOLVED) >= 4096:
            _RESOLVED.clear()
        _RESOLVED[(source_part, target)] = found
    return found


#: resolve_target's answers: every workbook names its sheets, styles and
#: strings by the same few targets (and the loader and the writer each
#: resolve them); unquote and normpath cost a few µs each time
_RESOLVED: dict[tuple[str, str], str] = {}


def relative_target(part: str, source_dir: str) -> str:
    """The target of a relationship from a part in folder ``source_dir`` to
    ``part``: ``posixpath.relpath(part, source_dir)``, worked out on the two
    member names alone (relpath makes both absolute first: two os.getcwd()
    calls, a third of the time it took to add a sheet's relationships).  A
    name that climbs out with ".." or is absolute goes to relpath itself."""
    a, b = posixpath.normpath(part), posixpath.normpath(source_dir) if source_dir else "."
    if a.startswith(("/", "..")) or b.startswith(("/", "..")):
        return posixpath.relpath(part, source_dir)
    to = a.split("/") if a != "." else []
    start = b.split("/") if b != "." else []
    i = 0
    while i < len(to) and i < len(start) and to[i] == start[i]:
        i += 1
    rel = [".."] * (len(start) - i) + to[i:]
    return "/".join(rel) if rel else "."


class Rel:
    """One relationship as written (``target`` unresolved).  (Plain classes
    here, not dataclasses: this module is imported by every validate run.)"""

    __slots__ = ("id", "type", "target", "external")

    def __init__(self, id: str, type: str, target: str, external: bool):
        self.id, self.type, self.target, self.external = id, type, target, external


class Package:
    """Members by name (case-insensitive, as OPC says), read through
    :func:`inflate` with the bomb guard; ``preloaded``: parts the caller
    already inflated and checked from this very file (the loader's), used
    instead of inflating them again -- looked up when a part is read, so a
    part the caller adds later counts too (the loader inflates a big sheet
    after reading the workbook through this package, and the writer reads
    through the same one).  Without ``zf`` the package is just ``preloaded``
    (a dict of parts)."""

    def __init__(self, zf: zipfile.ZipFile | None = None, data: bytes = b"",
                 preloaded: Mapping[str, bytes] | None = None):
        self.zf, self.data = zf, data
        self.infos = zf.infolist() if zf is not None else []
        self.by_lower: dict[str, str] = {}
        self._info: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            if self.by_lower.setdefault(info.filename.lower(), info.filename) == info.filename:
                self._info.setdefault(info.filename, info)
        self._preloaded: Mapping[str, bytes] = preloaded if preloaded is not None else {}  # (the dict itself)
        self._cache: dict[str, bytes] = {}  # members inflated here
        if zf is None:
            for name in self._preloaded:
                self.by_lower.setdefault(name.lower(), name)
        self._rels: dict[str, tuple[str | None, list[Rel]]] = {}

    def name(self, part: str) -> str | None:
        """The member name of ``part`` as stored, None when there is none."""
        return self.by_lower.get(part.lower())

    def read(self, part: str) -> bytes:
        name = self.by_lower.get(part.lower())
        if name is None:
            raise SelfevalError(f"文件内部缺少部件 {part}", f"the package has no part {part}")
        data = self._cache.get(name)
        if data is None:
            data = self._preloaded.get(name)
            if data is not None and (self.zf is None or len(data) == self._info[name].file_size):
                return data  # (a part whose size is not the member's, a head only, is inflated)
            info = self._info[name]
            if info.flag_bits & 0x1:
                raise SelfevalError("文件内部部件已加密，无法修改", "a part of the package is encrypted; it cannot be modified")
            if bomb_ratio(info):
                raise SelfevalError(f"文件内部部件压缩比异常（{name}），疑似压缩炸弹，已拒绝处理",
                                    f"abnormal compression ratio in {name} (zip bomb?); refused")
            data = inflate(self.data, self.zf, info)  # type: ignore[arg-type]
            if data is None:
                raise zipfile.BadZipFile(f"{name} cannot be inflated (damaged or truncated)")
            self._cache[name] = data
        return data

    def rels(self, source_part: str) -> tuple[str | None, list[Rel]]:
        """The relationships part of ``source_part`` (its stored name, None
        when there is none) and its relationships in order."""
        found = self._rels.get(source_part)
        if found is None:
            name = self.name(rels_path(source_part))
            rels: list[Rel] = []
            if name is not None:
                for _local, a in elements(self.read(name), name):
                    rels.append(Rel(a.get("Id", ""), a.get("Type", ""), a.get("Target", ""),
                                    a.get("TargetMode") == "External"))
            found = self._rels[source_part] = (name, rels)
        return found

    def target(self, source_part: str, type_suffix: str) -> str | None:
        """The part the first internal relationship of ``source_part`` of a
        type ending in ``type_suffix`` points at (as stored), if it exists."""
        for rel in self.rels(source_part)[1]:
            if rel.type.endswith(type_suffix) and not rel.external:
                return self.name(resolve_target(source_part, rel.target))
        return None


class SheetRef:
    """A ``<sheet>`` of the workbook and the part it resolves to: ``part`` is
    the zip member name (None if the target is missing), ``index`` the
    position in ``<sheets>``."""

    __slots__ = ("name", "rid", "part", "rel_type", "index")

    def __init__(self, name: str, rid: str, part: str | None, rel_type: str, index: int):
        self.name, self.rid, self.part, self.rel_type, self.index = name, rid, part, rel_type, index


class Workbook:
    """The workbook part (named by ``_rels/.rels``, else ``xl/workbook.xml``)
    and its sheets, each resolved through the workbook's relationships."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.part = self._find_part()
        self.rels_part = rels_path(self.part)
        self.sheets = self._read_sheets()

    def _find_part(self) -> str:
        root_rels = self.pkg.name("_rels/.rels")
        if root_rels:
            for _local, rel in elements(self.pkg.read(root_rels), root_rels):
                if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    name = self.pkg.name(resolve_target("", rel.get("Target", "")))
                    if name:
                        return name
        name = self.pkg.name("xl/workbook.xml")
        if not name:
            raise SelfevalError("不是有效的 Excel 工作簿：找不到 workbook.xml", "not a valid Excel workbook: no workbook.xml")
        return name

    def _read_sheets(self) -> list[SheetRef]:
        children = elements(self.pkg.read(self.part), self.part, parent="sheets")
        rels_name, rels = self.pkg.rels(self.part)
        if rels_name:
            self.rels_part = rels_name
        targets = {rel.id: (rel.target, rel.type) for rel in rels if not rel.external}
        out: list[SheetRef] = []
        for i, (local, a) in enumerate(children):
            if local != "sheet":
                continue
            rid = next((v for k, v in a.items() if k.startswith("{") and k.rsplit("}", 1)[-1] == "id"), "")
            target, rtype = targets.get(rid, ("", ""))
            part = self.pkg.name(resolve_target(self.part, target)) if target else None
            out.append(SheetRef(a.get("name", ""), rid, part, rtype, i))
        return out

    def find(self, name: str) -> SheetRef | None:
        """The sheet of that name (exactly, else ignoring case)."""
        for s in self.sheets:
            if s.name == name:
                return s
        low = name.casefold()
        for s in self.sheets:
            if s.name.casefold() == low:
                return s
        return None


# --------------------------------------------------------------------------
# writing the package


def newest_date(pkg: Package) -> tuple[int, int, int, int, int, int]:
    """The date of the newest member: the date a new member gets."""
    dates = [i.date_time for i in pkg.infos if i.date_time >= (1980, 1, 1, 0, 0, 0)]
    return max(dates) if dates else (1980, 1, 1, 0, 0, 0)


class RawMember:
    """A member copied as stored: compressed bytes with their CRC and size;
    ``flags``: compression option bits (LZMA's end marker), never a data
    descriptor."""

    __slots__ = ("compress_type", "crc", "file_size", "raw", "flags")

    def __init__(self, compress_type: int, crc: int, file_size: int, raw: bytes, flags: int = 0):
        self.compress_type, self.crc, self.file_size, self.raw, self.flags = compress_type, crc, file_size, raw, flags


def clone_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with ``info``'s name, date, attributes and extra
    fields (but zip64's, which zipfile writes itself)."""
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = info.compress_type
    new.comment = info.comment
    new.external_attr = info.external_attr
    new.internal_attr = info.internal_attr
    new.create_system = info.create_system
    extra, out, i = info.extra, b"", 0
    while i + 4 <= len(extra):
        hid = int.from_bytes(extra[i: i + 2], "little")
        ln = int.from_bytes(extra[i + 2: i + 4], "little")
        if hid != 0x0001:
            out += extra[i: i + 4 + ln]
        i += 4 + ln
    new.extra = out
    return new


# zlib level of a member zipfile writes itself (one too big for :func:`deflated`):
# level 1, as :mod:`selfeval_xlsx.ooxml.deflate` deflates the others.
LEVEL = 1


def write_raw(zout: zipfile.ZipFile, info: zipfile.ZipInfo, member: RawMember) -> None:
    """Append a member's stored bytes as they are.  zipfile has no public
    call for this; this does what ZipFile._open_to_write and
    _ZipWriteFile.close do, with the sizes and CRC known up front (so the
    local header is written once, and the file is written straight on)."""
    info.compress_type = member.compress_type
    info.CRC, info.file_size, info.compress_size = member.crc, member.file_size, len(member.raw)
    info.flag_bits = member.flags  # sizes are in the local header: no data descriptor
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    if zout.fp.tell() != zout.start_dir:  # a seek flushes the buffer: only when needed
        zout.fp.seek(zout.start_dir)
    info.header_offset = zout.start_dir
    zout._writecheck(info)
    zout._didModify = True
    zout.fp.write(info.FileHeader(zip64))
    zout.fp.write(member.raw)
    zout.start_dir = zout.fp.tell()
    zout.filelist.append(info)
    zout.NameToInfo[info.filename] = info


def deflated(info: zipfile.ZipInfo, data: bytes) -> RawMember | None:
    """``data`` deflated at level 1 (:mod:`~selfeval_xlsx.ooxml.deflate`), with
    the default permissions ``ZipFile.writestr`` gives a member without any,
    to be written by :func:`write_raw` without writestr's two seeks back to
    its local header; None for a member writestr must write (not deflated,
    or big enough for its zip64 rule)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or len(data) * 1.05 > zipfile.ZIP64_LIMIT:
        return None
    if not info.external_attr:
        info.external_attr = 0o600 << 16  # what writestr gives it: ?rw-------
    return RawMember(zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), _deflate.deflate(data))


def write_members(zout: zipfile.ZipFile, members: list[tuple[zipfile.ZipInfo, bytes | RawMember]]) -> None:
    """Append ``members`` in order: raw copies as stored, new bytes deflated at level 1."""
    for info, data in members:
        if not isinstance(data, RawMember):
            data = deflated(info, data) or data
        if isinstance(data, RawMember):
            write_raw(zout, info, data)
        else:
            zout.writestr(info, data, compresslevel=LEVEL)


def write_package(dst: Path, members: list[tuple[zipfile.ZipInfo, bytes | RawMember]], comment: bytes,
                  like: Path | None = None) -> None:
    """Write the package to ``dst`` atomically (a temporary file, fsync,
    rename: :func:`selfeval_xlsx.atomic.writing`, which in a pool worker may
    leave the fsync and rename to the worker's commit thread)."""
    from selfeval_xlsx.atomic import writing

    with writing(dst, like=like) as fh, zipfile.ZipFile(fh, "w") as zout:
        write_members(zout, members)
        zout.comment = comment
