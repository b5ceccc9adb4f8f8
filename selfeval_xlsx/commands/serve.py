"""``selfeval serve``: the drop page on a local port (see selfeval_xlsx.web)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import webbrowser

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves so a busy port is one clear line."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    last: OSError | None = None
    for family, _, _, _, address in infos:
        try:
            return socket.create_server(address[:2], family=family)
        except OSError as exc:
            last = exc
    raise last or OSError("no address")


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from selfeval_xlsx.web import create_app
    except ImportError as exc:  # the optional extra is missing
        print(f"网页功能需要额外的组件（缺少 {exc.name}）。请安装：pip install \"selfeval-xlsx[serve]\"",
              file=sys.stderr)
        return 2

    from selfeval_xlsx.profile import ProfileError, load_profile

    try:
        profile = load_profile(getattr(args, "profile", None))
    except ProfileError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    host: str = args.host
    port: int = args.port
    try:
        sock = _bind(host, port)
    except OSError as exc:
        if getattr(exc, "errno", None) in (98, 48, 10048):  # EADDRINUSE (Linux, macOS, Windows)
            print(f"端口 {port} 已被占用。请换一个端口，例如：selfeval serve --port {port + 1}", file=sys.stderr)
        else:
            print(f"无法在 {host}:{port} 上启动：{exc.strerror or exc}", file=sys.stderr)
        return 2

    port = sock.getsockname()[1]
    loopback = _is_loopback(host)
    allowed = [*LOOPBACK_NAMES, host.strip("[]")] if loopback else None
    # One private folder for the server's life: every request's temporary
    # folder is made in it, and so is any scratch file the library makes
    # (tempfile's default), so nothing from an upload lands anywhere else.
    # the worker processes' rendezvous socket stays in the system's temporary
    # folder (a socket path has a length limit); made before it changes
    import multiprocessing.util

    multiprocessing.util.get_temp_dir()
    root = tempfile.mkdtemp(prefix="selfeval-serve-")
    tempfile.tempdir = root
    for name in ("TMPDIR", "TEMP", "TMP"):  # and in the worker processes each file is checked in
        os.environ[name] = root
    app = create_app(profile, lang=getattr(args, "lang", "zh"), allowed_hosts=allowed, temp_root=root)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{port}/"

    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if not server.started:
            return
        print(f"绩效自评表校验页面已启动：{url}")
        print("在浏览器中打开上面的地址，把自评表拖到页面上。按 Ctrl+C 停止。")
        if not loopback:
            print(f"注意：正在监听 {host}，局域网内的其他电脑也能访问此页面。")
        if getattr(args, "open", False):
            webbrowser.open(url)
        sys.stdout.flush()

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        tempfile.tempdir = None
        shutil.rmtree(root, ignore_errors=True)
    print("已停止。")
    return 0
