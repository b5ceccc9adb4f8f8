"""The drop page: a local web app behind ``selfeval serve``.

A person drops workbooks on the page; the page POSTs them to ``/api/check``
and shows, per workbook, the forms found, stated vs computed 总分 and 结论 and
the findings, with the corrected copy to download.  ``/api/bundle`` returns
one zip with every corrected copy and ``summary.xlsx``; ``/api/template``
a blank form.  Everything goes through the same library calls as the CLI
(``api.fill_file``, ``api.validate_file``, ``template.write_template``, the
summary writer).

Where uploads and results live
------------------------------
Each request gets its own ``tempfile.TemporaryDirectory``.  The multipart body
is parsed here, while it streams in, straight into that folder as
``upload_<i>.<ext>`` (Starlette's own form parser spools large parts to the
system temp folder, which is why it is not used).  The corrected copies, the
zip and the template are written into the same folder, read back into memory,
and the folder is deleted *before* the response is sent, so a disconnecting
client cannot leave anything behind and nothing is kept between requests: no
sessions, no tokens, no cache.  The page keeps the results (and the corrected
copies, base64 in the JSON) in the browser; for the zip it sends the original
files again, which keeps the server stateless.

Upload names are never used as paths: they are kept only to show on the page
and to name the downloads (``Content-Disposition`` with an RFC 5987
``filename*``).  Limits (size per file, number of files, whole request) are
enforced while reading the stream; ``Content-Length`` is only used to fail
early.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from selfeval_xlsx.display import KINDS
from selfeval_xlsx.profile import DEFAULT, Profile

try:  # python-multipart >= 0.0.13 ships as ``python_multipart``
    from python_multipart.multipart import MultipartParser, parse_options_header
except ImportError:  # pragma: no cover - older python-multipart
    from multipart.multipart import MultipartParser, parse_options_header  # type: ignore[no-redef]

log = logging.getLogger("selfeval_xlsx.web")

STATIC_DIR = Path(__file__).with_name("web_static")
ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
FIELD_NAME = "files"
MAX_BOUNDARY = 256  # bytes; python-multipart refuses longer ones (RFC 2046 allows 70)
#: Seconds one uploaded file may take (in its worker process) before it is
#: stopped and reported as that file's error.
FILE_TIMEOUT = 60.0
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LANGS = ("zh", "en")


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def request_lang(request: Request, default: str = "zh") -> str:
    """The page's language: ``?lang=`` (the page sends the browser's), else
    the first of Accept-Language that is zh or en, else the server's."""
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
        if code and code != "*":
            return "en"  # a browser in another language reads English better than Chinese
    return default


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


# --------------------------------------------------------------------------
# names


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(raw: str, lang: str = "zh") -> str:
    """The upload's name as shown: last path component, no control characters."""
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).strip().strip(".") or ""
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


def corrected_name(name: str, output: str | Path | None) -> str:
    """The corrected copy's download name, as ``selfeval fill`` names it:
    NAME.checked.xlsx (.xlsm kept; a .checked name is not doubled)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if stem.lower().endswith(".checked"):
        stem = stem[: -len(".checked")]
    suffix = Path(output).suffix if output else ".xlsx"
    return f"{stem}.checked{suffix or '.xlsx'}"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        taken.add(name)
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n}){dot}{ext}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        n += 1


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


# --------------------------------------------------------------------------
# processing (runs in a worker thread)


def _clean_error(message: str | None, upload: Upload, folder: Path, lang: str = "zh") -> str:
    unreadable = _t(lang, "无法读取", "cannot be read")
    text = str(message or unreadable).strip()
    for prefix in (str(upload.path), upload.path.name if upload.path else None):
        if prefix and text.startswith(prefix):
            text = text[len(prefix):].lstrip(":：").strip()
    text = text.replace(str(folder) + "/", "").replace(str(folder), "")
    if upload.path is not None:
        text = text.replace(upload.path.name, upload.name)
    return text or unreadable


def _severity_key(finding: dict[str, Any]) -> int:
    return {"error": 0, "warning": 1}.get(str(finding.get("severity")), 2)


def _public(result: dict[str, Any], upload: Upload, folder: Path, lang: str = "zh") -> dict[str, Any]:
    """The API result as the page gets it: display name, no server paths,
    findings errors first."""
    forms = []
    for form in result.get("forms") or []:
        form = dict(form)
        form["findings"] = sorted(form.get("findings") or [], key=_severity_key)
        forms.append(form)
    status = result.get("status") or "unreadable"
    out = {
        "name": upload.name,
        "size": upload.size,
        "status": status,
        "error": _clean_error(result.get("error"), upload, folder, lang) if status == "unreadable" else None,
        "forms": forms,
        "changes": list(result.get("changes") or []),
    }
    return out


def _unreadable(upload: Upload, reason: str) -> dict[str, Any]:
    return {"name": upload.name, "size": upload.size, "status": "unreadable", "error": reason,
            "forms": [], "changes": []}


@dataclass
class Services:
    profile: Profile
    validate: Callable[..., dict[str, Any]]
    fill: Callable[..., dict[str, Any]]
    template: Callable[..., Path]
    summary: "SummaryWriter | None"
    lang: str
    limits: Limits
    isolate: bool = False  # each file in a worker process, with a time limit
    file_timeout: float = FILE_TIMEOUT


def _check_one(fill: Callable[..., dict[str, Any]], validate: Callable[..., dict[str, Any]], profile: Profile,
               lang: str, task: tuple[str, str]) -> dict[str, Any]:
    """Validate and correct one upload (in a worker process when isolated):
    the fill result, or the validate result without a corrected copy when
    fill itself failed."""
    path, output = task
    try:
        return fill(Path(path), Path(output), profile, mark=True, lang=lang)
    except Exception:
        log.exception("fill failed for %s", Path(path).name)
    result = validate(Path(path), profile, lang=lang)  # still show the findings
    return {**result, "output": None}


def _check_isolated(fill: Callable[..., dict[str, Any]], validate: Callable[..., dict[str, Any]], profile: Profile,
                    lang: str, task: tuple[str, str]) -> dict[str, Any]:
    """:func:`_check_one` in a worker process: its scratch files (an .xls
    conversion) go into the request's own folder, which the server deletes
    even when this worker is killed."""
    tempfile.tempdir = str(Path(task[1]).parent)
    return _check_one(fill, validate, profile, lang, task)


def _finite(value: Any) -> Any:
    """JSON has no inf or NaN (a cell holding 1e309): such a number becomes null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _failure_text(kind: str, detail: str, timeout: float, lang: str = "zh") -> str:
    if kind == "timeout":
        return _t(lang, f"处理超时（超过 {timeout:g} 秒），已停止处理这个文件；请检查文件是否异常，或在 Excel/WPS 中另存后再试",
                  f"processing took over {timeout:g} s and was stopped; check the file, or save it again "
                  "in Excel/WPS and retry")
    if kind == "crash":
        return _t(lang, f"处理这个文件时处理进程异常退出（{detail}）；请在 Excel/WPS 中打开后另存为 .xlsx 再试",
                  f"the process checking this file died ({detail}); open it in Excel/WPS, save it as .xlsx "
                  "and retry")
    return _t(lang, "处理时出错，请把文件发给维护人员", "processing failed; please send the file to the maintainers")


def process_upload(upload: Upload, folder: Path, svc: Services,
                   lang: str | None = None) -> tuple[dict[str, Any], Path | None]:
    """Validate and correct one upload in this process; returns the page's
    result and the corrected copy's path inside ``folder`` (None when there
    is none)."""
    lang = lang or svc.lang
    if upload.rejected or upload.path is None:
        return _unreadable(upload, upload.rejected or _t(lang, "无法读取", "cannot be read")), None
    try:
        result = _check_one(svc.fill, svc.validate, svc.profile, lang, _task(upload, folder))
    except Exception as exc:
        log.exception("validate failed for upload %d", upload.index)
        return _unreadable(upload, _t(lang, f"处理时出错（{type(exc).__name__}），请把文件发给维护人员",
                                      f"processing failed ({type(exc).__name__}); please send the file "
                                      "to the maintainers")), None
    return _finish(upload, folder, result, lang)


def _task(upload: Upload, folder: Path) -> tuple[str, str]:
    assert upload.path is not None
    ext = ".xlsm" if upload.path.suffix.lower() == ".xlsm" else ".xlsx"
    return str(upload.path), str(folder / f"corrected_{upload.index}{ext}")


def _finish(upload: Upload, folder: Path, result: dict[str, Any],
            lang: str = "zh") -> tuple[dict[str, Any], Path | None]:
    """The page's result for one file; a result that cannot be sent as JSON
    is that file's error, never the whole request's."""
    public = _finite(_public(result, upload, folder, lang))
    written = result.get("output")
    path = Path(written) if written else None
    if path is None or not path.is_file() or folder not in path.resolve().parents:
        path = None
    public["corrected_name"] = corrected_name(upload.name, path) if path else None
    try:
        json.dumps(public, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        log.exception("result of upload %d is not JSON", upload.index)
        return _unreadable(upload, _failure_text("error", "", 0, lang)), None
    return public, path


def _process_isolated(uploads: list[Upload], folder: Path, svc: Services,
                      lang: str | None = None) -> list[tuple[dict[str, Any], Path | None]]:
    """Every upload in a worker process of its own (batch's runner): a file
    that takes too long is stopped after ``svc.file_timeout`` seconds, one
    that makes the reader abort or run out of memory takes only its worker
    down; each is that file's error."""
    import functools
    import os

    from selfeval_xlsx.batch import PRELOAD, WORKER_MEMORY_LIMIT, run_tasks

    lang = lang or svc.lang

    done: dict[int, tuple[dict[str, Any], Path | None]] = {}
    tasks = []
    for upload in uploads:
        if upload.rejected or upload.path is None:
            done[upload.index] = (_unreadable(upload, upload.rejected or _t(lang, "无法读取", "cannot be read")), None)
        else:
            tasks.append((upload, _task(upload, folder)))
    if tasks:
        by_task = {task: upload for upload, task in tasks}
        results = run_tasks(
            (task for _upload, task in tasks),
            functools.partial(_check_isolated, svc.fill, svc.validate, svc.profile, lang),
            jobs=min(len(tasks), os.cpu_count() or 1),
            timeout=svc.file_timeout,
            memory_limit=WORKER_MEMORY_LIMIT,
            preload=[*PRELOAD, "selfeval_xlsx.web"],
        )
        try:
            for task, result, failure in results:
                upload = by_task[task]
                if failure is not None:
                    log.warning("upload %d failed in its worker: %s %s", upload.index, failure.kind, failure.detail)
                    done[upload.index] = (_unreadable(upload, _failure_text(failure.kind, failure.detail,
                                                                            svc.file_timeout, lang)), None)
                else:
                    done[upload.index] = _finish(upload, folder, result, lang)
        except Exception:  # noqa: BLE001 - no worker process could be started here: check the rest in this process
            log.exception("cannot start worker processes; checking the uploads in the server process")
            for upload, _task_ in tasks:
                if upload.index not in done:
                    done[upload.index] = process_upload(upload, folder, svc, lang)
        finally:
            results.close()
    return [done[upload.index] for upload in uploads]


def process_all(uploads: list[Upload], folder: Path, svc: Services, *, inline: bool,
                lang: str | None = None) -> list[tuple[dict[str, Any], Path | None]]:
    if svc.isolate:
        done = _process_isolated(uploads, folder, svc, lang)
    else:
        done = [process_upload(upload, folder, svc, lang) for upload in uploads]
    if inline:
        for public, path in done:
            public["corrected"] = base64.b64encode(path.read_bytes()).decode("ascii") if path else None
    return done


def bundle_name(name: str, output: str | Path | None) -> str:
    """The corrected copy's name inside the zip: the original name (with the
    suffix fill chose, .xls becomes .xlsx), as ``selfeval batch`` writes it."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    suffix = Path(output).suffix if output else ".xlsx"
    return f"{stem}{suffix or '.xlsx'}"


def build_bundle(done: list[tuple[dict[str, Any], Path | None]], folder: Path, svc: Services,
                 lang: str | None = None) -> Path:
    """The zip: every corrected copy under its original name plus summary.xlsx
    (the same layout as ``selfeval batch``'s output folder)."""
    lang = lang or svc.lang
    zip_path = folder / "bundle.zip"
    summary_path = folder / "summary.xlsx"
    taken: set[str] = {"summary.xlsx"}
    entries: list[tuple[dict[str, Any], Path | None, str | None]] = []
    for public, path in done:
        entries.append((public, path, _unique(bundle_name(public["name"], path), taken) if path else None))
    summary_note = None
    if svc.summary is None:
        summary_note = _t(lang, "汇总表组件尚未安装，zip 中没有 summary.xlsx。",
                          "The summary component is not installed; the zip has no summary.xlsx.")
    else:
        try:
            svc.summary([(public, arcname) for public, _, arcname in entries], summary_path, lang)
        except Exception:
            log.exception("summary failed")
            summary_note = _t(lang, "汇总表生成失败，请查看各文件的校验结果。",
                              "The summary could not be written; see each file's findings.")
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if summary_path.is_file():
            zf.write(summary_path, "summary.xlsx")
        for _public, path, arcname in entries:
            if path is not None and arcname:
                zf.write(path, arcname)
        unreadable = [f"{p['name']}{_t(lang, '：', ': ')}{p['error']}" for p, _, _ in entries
                      if p["status"] == "unreadable"]
        if unreadable or summary_note:
            lines = ([summary_note] if summary_note else []) + (
                [_t(lang, "以下文件无法读取，没有校正副本：", "These files could not be read and have no corrected copy:")]
                + unreadable if unreadable else []
            )
            zf.writestr(_unique(_t(lang, "无法读取的文件.txt", "unreadable_files.txt"), taken),
                        "\r\n".join(lines) + "\r\n")
    return zip_path


SummaryWriter = Callable[..., Any]  # (items, path, lang) -> Any


def summary_writer(profile: Profile) -> SummaryWriter:
    """The summary.xlsx writer: :class:`selfeval_xlsx.summary.Summary`, fed
    like ``selfeval batch`` feeds it (display name, result, link target =
    the corrected copy's name in the zip)."""
    from selfeval_xlsx.summary import Summary

    def write(items: list[tuple[dict[str, Any], str | None]], path: Path, lang: str = "zh") -> Any:
        with Summary(
            path,
            tolerance=float(profile.tolerance),
            grades=(float(profile.grade_excellent), float(profile.grade_good), float(profile.grade_pass)),
            lang=lang,
        ) as summary:
            for result, link in items:
                summary.add(result["name"], {**result, "file": result["name"]}, link)
            return summary.finish()

    return write


# --------------------------------------------------------------------------
# the app


def _api_validate(path: Any, profile: Profile = DEFAULT, lang: str = "zh") -> dict[str, Any]:
    from selfeval_xlsx.api import validate_file

    return validate_file(path, profile, lang=lang)


def _api_fill(path: Any, output: Any, profile: Profile = DEFAULT, *, mark: bool = True, lang: str = "zh") -> dict[str, Any]:
    from selfeval_xlsx.api import fill_file

    return fill_file(path, output, profile, mark=mark, lang=lang)


def _api_template(path: Any, **kwargs: Any) -> Path:
    from selfeval_xlsx.template import write_template

    return write_template(path, **kwargs)


SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
     b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
     b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_origin(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request comes from the page itself: its ``Origin`` (or,
    without one, its ``Referer``) names the host the request was sent to.
    A request with neither (a script, curl) is not a browser being abused by
    another site, so it passes; ``Origin: null`` (a sandboxed or file://
    page) does not."""
    found: dict[bytes, str] = {}
    for key, value in headers:
        if key in (b"host", b"origin", b"referer") and key not in found:
            found[key] = value.decode("latin-1").strip()
    source = found.get(b"origin") or found.get(b"referer")
    if source is None:
        return True
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(source)
        netloc = parts.netloc.lower()
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not netloc:
        return False
    return netloc == found.get(b"host", "").lower()


class GuardMiddleware:
    """Security headers on every response; with ``allowed_hosts``, requests
    whose Host header names another host get 400 (DNS-rebinding guard); a
    request that changes or uploads anything (any method but GET/HEAD/OPTIONS)
    from another page — its Origin or Referer is not this server — gets 403,
    so a web site the reviewer visits cannot post files to the local server."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str] | None):
        self.app = app
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed is not None:
            host = ""
            for key, value in scope.get("headers", []):
                if key == b"host":
                    host = value.decode("latin-1").lower()
            host = host[1:].split("]")[0] if host.startswith("[") else host.split(":")[0]
            if host not in self.allowed:
                response = PlainTextResponse("Invalid host header", status_code=400)
                await response(scope, receive, send)
                return
        if scope.get("method", "GET") not in SAFE_METHODS and not same_origin(scope.get("headers", [])):
            response = JSONResponse({"error": "拒绝来自其他网页的请求：请直接在本页面上传文件。"
                                              " / Refused: a request from another web page; upload on this page."},
                                    status_code=403)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    profile: Profile = DEFAULT,
    validate: Callable[..., dict[str, Any]] | None = None,
    fill: Callable[..., dict[str, Any]] | None = None,
    *,
    template: Callable[..., Path] | None = None,
    summary: SummaryWriter | None | str = "default",
    lang: str = "zh",
    limits: Limits = Limits(),
    allowed_hosts: list[str] | None = None,
    temp_root: str | Path | None = None,
    isolate: bool | None = None,
    file_timeout: float = FILE_TIMEOUT,
) -> Starlette:
    """The drop page app.  ``validate``/``fill``/``template``/``summary`` default
    to the library's; tests inject stand-ins.  ``temp_root`` is where the
    per-request temporary folders are made (default: the system's).
    ``isolate`` runs each uploaded file in a worker process stopped after
    ``file_timeout`` seconds (default: on, unless fill or validate is a
    stand-in, which then must be picklable to be isolated)."""
    if isolate is None:
        isolate = fill is None and validate is None
    svc = Services(
        profile=profile,
        validate=validate or _api_validate,
        fill=fill or _api_fill,
        template=template or _api_template,
        summary=summary_writer(profile) if summary == "default" else summary,  # type: ignore[arg-type]
        lang=lang,
        limits=limits,
        isolate=isolate,
        file_timeout=file_timeout,
    )

    def workdir() -> tempfile.TemporaryDirectory[str]:
        return tempfile.TemporaryDirectory(prefix="selfeval-web-", dir=temp_root)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def info(request: Request) -> Response:
        from selfeval_xlsx import __version__

        return JSONResponse({
            "version": __version__,
            # no --profile: each form gets the profile its layout names (四川, 湖北 …)
            "profile": svc.profile.name if svc.profile is not DEFAULT else "按版式自动选用（默认 财政部附件3-1）",
            "default_profile": svc.profile is DEFAULT,  # the page says the words above in its language
            "year": date.today().year - 1,
            "max_file_bytes": limits.max_file_bytes,
            "max_files": limits.max_files,
            "max_request_bytes": limits.max_request_bytes,
            "extensions": list(ALLOWED_EXTENSIONS),
            "summary": svc.summary is not None,
        })

    async def receive(request: Request, folder: Path) -> tuple[list | None, Response | None]:
        """The uploads of a request, or the error response to send instead."""
        lang = request_lang(request, svc.lang)
        try:
            uploads, _ = await receive_uploads(request, folder, limits, lang)
        except UploadError as exc:
            return None, JSONResponse({"error": exc.text(lang)}, status_code=exc.status)
        if not uploads:
            return None, JSONResponse({"error": _t(lang, "没有收到文件。请把 Excel 自评表拖到页面上。",
                                                   "No file received. Drop Excel workbooks on the page.")},
                                      status_code=400)
        return uploads, None

    async def check(request: Request) -> Response:
        with workdir() as tmp:
            folder = Path(tmp)
            uploads, refusal = await receive(request, folder)
            if refusal is not None:
                return refusal
            done = await run_in_threadpool(process_all, uploads, folder, svc, inline=True,
                                           lang=request_lang(request, svc.lang))
            body = JSONResponse({"files": [public for public, _ in done]})
        return body

    async def bundle(request: Request) -> Response:
        with workdir() as tmp:
            folder = Path(tmp)
            uploads, refusal = await receive(request, folder)
            if refusal is not None:
                return refusal

            lang = request_lang(request, svc.lang)

            def work() -> bytes:
                done = process_all(uploads, folder, svc, inline=False, lang=lang)
                return build_bundle(done, folder, svc, lang).read_bytes()

            data = await run_in_threadpool(work)
        name = _t(lang, f"自评表校正结果_{datetime.now():%Y%m%d-%H%M}.zip",
                  f"selfeval_checked_{datetime.now():%Y%m%d-%H%M}.zip")
        return Response(data, media_type="application/zip",
                        headers={"content-disposition": content_disposition(name)})

    async def template_download(request: Request) -> Response:
        lang = request_lang(request, svc.lang)
        form = request.query_params.get("form", "department")
        if form not in KINDS:
            return JSONResponse({"error": _t(lang, "表样应为 department（部门整体支出）或 project（项目支出）。",
                                             "form must be department or project.")}, status_code=400)
        year_text = request.query_params.get("year", str(date.today().year - 1))
        if not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
            return JSONResponse({"error": _t(lang, "年度应为 1990 到 2100 之间的年份。",
                                             "year must be between 1990 and 2100.")}, status_code=400)
        year = int(year_text)
        unit = _CONTROL.sub("", request.query_params.get("unit", "")).strip()[:100]
        with workdir() as tmp:
            target = Path(tmp) / "template.xlsx"

            def work() -> bytes:
                written = svc.template(target, form=form, year=year, unit=unit, rows=3,
                                       protect=False, profile=svc.profile)
                return Path(written or target).read_bytes()

            try:
                data = await run_in_threadpool(work)
            except Exception:
                log.exception("template failed")
                return JSONResponse({"error": _t(lang, "生成模板时出错。", "The template could not be written.")},
                                    status_code=500)
        from selfeval_xlsx import layout

        name = layout.FORMS[form].default_filename(year)  # as `selfeval template` names it
        return Response(data, media_type=XLSX_TYPE,
                        headers={"content-disposition": content_disposition(name)})

    routes = [
        Route("/", index),
        Route("/api/info", info),
        Route("/api/check", check, methods=["POST"]),
        Route("/api/bundle", bundle, methods=["POST"]),
        Route("/api/template", template_download),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(GuardMiddleware, allowed_hosts=allowed_hosts)
    app.state.services = svc
    return app


__all__ = ["Limits", "UploadError", "content_disposition", "create_app", "display_name", "receive_uploads"]
