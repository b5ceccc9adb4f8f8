"""The drop page's upload parser: a multipart body streamed into the request's own folder.

:func:`receive_uploads` parses ``multipart/form-data`` with python-multipart
while the body streams in, each file straight into the request's folder as
``upload_<i>.<ext>`` (Starlette's own form parser spools large parts to the
system temp folder, which is why it is not used).  The :class:`Limits`
(size per file, number of files, whole request) are enforced while reading;
``Content-Length`` only fails early.  A request that cannot be used raises
:class:`UploadError` (its message in Chinese and English); a file that
cannot be used (not a workbook, empty, too large) is an :class:`Upload` with
``rejected`` set, reported on the page as that file's error.

Upload names are never used as paths: :func:`display_name` keeps them only
to show and to name the downloads (:func:`content_disposition`, with an RFC
5987 ``filename*``).  :func:`in_lang` picks the Chinese or English text of a
message, for the other ``web_*`` modules too.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote

from selfeval_xlsx.lazyre import lazy

try:  # python-multipart >= 0.0.13 ships as ``python_multipart``
    from python_multipart.multipart import MultipartParser, parse_options_header
except ImportError:  # pragma: no cover - older python-multipart
    from multipart.multipart import MultipartParser, parse_options_header  # type: ignore[no-redef]

if TYPE_CHECKING:
    from starlette.requests import Request

log = logging.getLogger("selfeval_xlsx.web")

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
FIELD_NAME = "files"
MAX_BOUNDARY = 256  # bytes; python-multipart refuses longer ones (RFC 2046 allows 70)

#: control characters, dropped from an upload's name and the template's unit
CONTROL = lazy(r"[\x00-\x1f\x7f]")


def in_lang(lang: str, zh: str, en: str) -> str:
    """``en`` for ``lang == "en"``, otherwise ``zh``."""
    return en if lang == "en" else zh


_t = in_lang


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_files: int = 200
    max_request_bytes: int = 256 * 1024 * 1024

    @property
    def file_mb(self) -> str:
        return _mb(self.max_file_bytes)

    @property
    def request_mb(self) -> str:
        return _mb(self.max_request_bytes)


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:g} MB" if value >= 1 else f"{n / 1024:g} KB"


class UploadError(Exception):
    """The request as a whole cannot be used; ``message`` is shown on the page."""

    def __init__(self, status: int, message: str, en: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.en = en or message

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.message


@dataclass
class Upload:
    index: int
    name: str  # display only, never a path
    path: Path | None = None
    size: int = 0
    rejected: str | None = None  # why the file was not kept
    _handle: BinaryIO | None = field(default=None, repr=False)


def display_name(raw: str, lang: str = "zh") -> str:
    """The upload's name as shown: last path component, no control characters."""
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[\\/]", name)[-1]
    name = CONTROL.sub("", name).strip().strip(".") or ""
    if len(name) > 180:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:170] + dot + ext) if dot and len(ext) <= 8 else name[:180]
    return name or _t(lang, "未命名.xlsx", "unnamed.xlsx")


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 5987 UTF-8 name."""
    filename = display_name(filename)
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    safe_ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:8]
    safe_stem = re.sub(r"[^A-Za-z0-9.()-]+", "_", stem).strip("_") or "download"
    ascii_name = safe_stem + ("." + safe_ext if safe_ext else "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --------------------------------------------------------------------------
# streaming multipart upload into the request's own folder


async def receive_uploads(request: Request, folder: Path, limits: Limits,
                          lang: str = "zh") -> tuple[list[Upload], dict[str, str]]:
    """Parse the multipart body into ``folder``; returns the uploads and the
    plain (non-file) fields.  Raises :class:`UploadError` for a request that
    cannot be used (wrong type, too many files, too large as a whole)."""
    content_type = request.headers.get("content-type", "")
    try:
        kind, params = parse_options_header(content_type)
    except Exception:  # noqa: BLE001 - any header the parser chokes on is the client's mistake
        kind, params = b"", {}
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError(400, "请求格式不对：请通过页面上传文件（multipart/form-data）。",
                          "Wrong request: upload the files through the page (multipart/form-data).")
    if not 1 <= len(params[b"boundary"]) <= MAX_BOUNDARY:  # RFC 2046 allows 70; browsers use ~40
        raise UploadError(400, "上传的数据格式不对（multipart 分隔符无效），请通过页面重新上传。",
                          "The upload is malformed (invalid multipart boundary); upload again through the page.")
    too_large = UploadError(
        413, f"上传内容过大：一次最多 {limits.request_mb}。请分批上传。",
        f"Too much at once: at most {limits.request_mb} per upload. Upload in smaller batches."
    )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_request_bytes + 64 * 1024:
        raise too_large  # fail early; the stream is counted below regardless

    uploads: list[Upload] = []
    fields: dict[str, str] = {}
    state: dict[str, Any] = {"headers": {}, "hname": b"", "hvalue": b"", "current": None, "field": None}

    def on_part_begin() -> None:
        state["headers"] = {}
        state["current"] = None
        state["field"] = None

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["hname"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["hvalue"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["hname"].lower()] = state["hvalue"]
        state["hname"] = b""
        state["hvalue"] = b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(state["headers"].get(b"content-disposition", b""))
        field_name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        if raw_filename is None and b"filename*" in options:
            raw = options[b"filename*"].decode("latin-1")
            raw_filename = raw.split("''", 1)[-1].encode("latin-1")
            from urllib.parse import unquote_to_bytes

            raw_filename = unquote_to_bytes(raw_filename)
        if raw_filename is None:
            if field_name and len(fields) < 20:
                state["field"] = (field_name, bytearray())
            return
        if field_name != FIELD_NAME:
            return
        if len(uploads) >= limits.max_files:
            raise UploadError(
                413, f"文件太多：一次最多 {limits.max_files} 个文件。请分批上传。",
                f"Too many files: at most {limits.max_files} at once. Upload in smaller batches."
            )
        name = display_name(raw_filename.decode("utf-8", "replace"), lang)
        upload = Upload(index=len(uploads), name=name)
        uploads.append(upload)
        ext = Path(name).suffix.lower()
        if ext not in ALLOWED_EXTENSIONS:
            upload.rejected = _t(lang, "不是 Excel 工作簿（只接受 " + "、".join(ALLOWED_EXTENSIONS) + "）",
                                 "not an Excel workbook (only " + ", ".join(ALLOWED_EXTENSIONS) + " are taken)")
        else:
            upload.path = folder / f"upload_{upload.index}{ext}"
            upload._handle = open(upload.path, "wb")
        state["current"] = upload

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["field"] is not None:
            buf = state["field"][1]
            if len(buf) + (end - start) <= 4096:
                buf.extend(data[start:end])
            return
        upload: Upload | None = state["current"]
        if upload is None:
            return
        upload.size += end - start
        if upload.rejected:
            return
        if upload.size > limits.max_file_bytes:
            upload.rejected = _t(lang, f"文件超过 {limits.file_mb} 的上限，未处理",
                                 f"the file is over the {limits.file_mb} limit; not processed")
            _discard(upload)
            return
        assert upload._handle is not None
        upload._handle.write(data[start:end])

    def on_part_end() -> None:
        if state["field"] is not None:
            name, buf = state["field"]
            fields[name] = bytes(buf).decode("utf-8", "replace")
            state["field"] = None
        upload: Upload | None = state["current"]
        if upload is not None and upload._handle is not None:
            upload._handle.close()
            upload._handle = None
            if upload.size == 0 and not upload.rejected:
                upload.rejected = _t(lang, "文件是空的（0 字节）", "the file is empty (0 bytes)")
        state["current"] = None

    callbacks = {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
    }
    total = 0
    try:
        parser = MultipartParser(params[b"boundary"], callbacks)
        async for chunk in request.stream():
            total += len(chunk)
            if total > limits.max_request_bytes:
                raise too_large
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        raise
    except Exception as exc:  # malformed multipart
        log.info("bad multipart body: %s", exc)
        raise UploadError(400, "上传的数据不完整或格式不对，请重新上传。",
                          "The upload was incomplete or malformed; please upload again.") from None
    finally:
        for upload in uploads:
            if upload._handle is not None:
                upload._handle.close()
                upload._handle = None
    for upload in uploads:
        if upload.path is not None and upload.rejected:
            _discard(upload)
    return uploads, fields


def _discard(upload: Upload) -> None:
    if upload._handle is not None:
        upload._handle.close()
        upload._handle = None
    if upload.path is not None:
        upload.path.unlink(missing_ok=True)
        upload.path = None
