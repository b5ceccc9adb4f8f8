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
is parsed while it streams in, straight into that folder as
``upload_<i>.<ext>`` (``web_upload``; Starlette's own form parser spools large
parts to the system temp folder, which is why it is not used).  The corrected copies, the
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

Modules
-------
This one holds the app: its routes, the page's language, the security
headers and the same-origin and host guard.  ``web_upload`` parses the
uploads; ``web_results`` checks and corrects them, shapes each result for
the page and writes the zip.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from selfeval_xlsx.display import KINDS
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.web_results import (
    FILE_TIMEOUT, Services, SummaryWriter, build_bundle, library_fill, library_template, library_validate,
    process_all, summary_writer,
)
from selfeval_xlsx.web_upload import (
    ALLOWED_EXTENSIONS, CONTROL, Limits, UploadError, content_disposition, display_name, receive_uploads,
)
from selfeval_xlsx.web_upload import in_lang as _t

log = logging.getLogger("selfeval_xlsx.web")

STATIC_DIR = Path(__file__).with_name("web_static")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LANGS = ("zh", "en")
DEFAULT_LIMITS = Limits()  # (frozen: one instance serves every app)


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
    limits: Limits = DEFAULT_LIMITS,
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
        validate=validate or library_validate,
        fill=fill or library_fill,
        template=template or library_template,
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
        unit = CONTROL.sub("", request.query_params.get("unit", "")).strip()[:100]
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
