"""The drop page's work: each upload checked and corrected, its result shaped for the page, the zip.

Runs in a worker thread of the server (``web.create_app`` calls
:func:`process_all` and :func:`build_bundle` through
``run_in_threadpool``).  With ``Services.isolate`` each file goes to a
worker process of batch's runner, stopped after ``file_timeout`` seconds;
a file that times out, crashes its worker or fails is that file's error,
never the request's.  :func:`_public` and :func:`_finish` shape a result
as the page gets it: the display name, no server paths, findings errors
first, no inf/NaN, the corrected copy's download name
(:func:`corrected_name`) and, for ``/api/check``, the copy itself in
base64.  :func:`build_bundle` writes the zip of ``/api/bundle``: every
corrected copy under its original name, ``summary.xlsx``
(:func:`summary_writer`) and a list of the files that could not be read.
The library calls the services default to (:func:`library_validate`,
:func:`library_fill`, :func:`library_template`) are here too: a worker
process runs them without importing the web server.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.web_upload import Limits, Upload
from selfeval_xlsx.web_upload import in_lang as _t

log = logging.getLogger("selfeval_xlsx.web")

#: Seconds one uploaded file may take (in its worker process) before it is
#: stopped and reported as that file's error.
FILE_TIMEOUT = 60.0


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
            preload=[*PRELOAD, "selfeval_xlsx.web_results"],
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


def library_validate(path: Any, profile: Profile = DEFAULT, lang: str = "zh") -> dict[str, Any]:
    from selfeval_xlsx.api import validate_file

    return validate_file(path, profile, lang=lang)


def library_fill(path: Any, output: Any, profile: Profile = DEFAULT, *, mark: bool = True, lang: str = "zh") -> dict[str, Any]:
    from selfeval_xlsx.api import fill_file

    return fill_file(path, output, profile, mark=mark, lang=lang)


def library_template(path: Any, **kwargs: Any) -> Path:
    from selfeval_xlsx.template import write_template

    return write_template(path, **kwargs)
