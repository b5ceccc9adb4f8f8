"""``selfeval serve``: the drop page on a local port (see selfeval_xlsx.web)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import signal
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


def _interface_addresses() -> list[str]:
    """The IPv4 address of each network interface, asked of the kernel
    (Linux's SIOCGIFADDR); empty elsewhere, where the host name lists them."""
    if not sys.platform.startswith("linux"):
        return []
    try:
        import fcntl
        import struct

        names = [name for _, name in socket.if_nameindex()]
    except (ImportError, OSError, AttributeError):
        return []
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            try:
                packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
            except OSError:  # no IPv4 address on this interface
                continue
            found.append(socket.inet_ntoa(packed[20:24]))
    return found


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses, for the people on the
    network who are to open the page.  Only enumerates, sending nothing: the
    interfaces' addresses (Linux), the host name's addresses, and the address
    of the interface that carries the default route (a UDP socket "connected"
    to a documentation address, which sends no packet)."""
    found: list[str] = []

    def keep(address: str) -> None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return
        if ip.version == 4 and not (ip.is_loopback or ip.is_unspecified or ip.is_link_local) \
                and address not in found:
            found.append(address)

    for address in _interface_addresses():
        keep(address)
    try:  # the host name's addresses (no reverse lookup: getfqdn could ask a DNS server)
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            keep(info[4][0])
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1; connect() on UDP sends no packet
            keep(probe.getsockname()[0])
    except OSError:
        pass
    return found


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


def _stop_like_ctrl_c() -> dict[int, object]:
    """Make a stop request (SIGTERM: ``kill``, systemd, docker stop; SIGBREAK:
    Ctrl+Break on Windows) end the server as Ctrl+C does, through the cleanup
    that removes the uploads' folder.  uvicorn catches these signals, shuts
    down, then restores the handlers it found and raises the signal again: with
    the default handlers still in place that killed the process before its
    ``finally`` ran, leaving every uploaded workbook in the temporary folder.
    Returns the handlers replaced (to put back)."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous: dict[int, object] = {}
    for name in ("SIGTERM", "SIGBREAK"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, stop)
    return previous


def run(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", "zh")

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    try:
        import uvicorn

        from selfeval_xlsx.web import create_app
    except ImportError as exc:  # a dependency was removed after installing (they are not optional)
        print(t(f"网页功能所需的组件 {exc.name} 没有安装。请重新安装本工具：pip install --force-reinstall selfeval-xlsx",
                f"The page needs {exc.name}, which is not installed. Reinstall the tool: "
                f"pip install --force-reinstall selfeval-xlsx"), file=sys.stderr)
        return 2

    from selfeval_xlsx.profile import ProfileError, load_profile

    try:
        profile = load_profile(getattr(args, "profile", None))
    except ProfileError as exc:
        print(t(f"配置文件错误: {exc.message('zh')}", f"profile error: {exc.message('en')}"), file=sys.stderr)
        return 2

    host: str = args.host
    port: int = args.port
    try:
        sock = _bind(host, port)
    except OSError as exc:
        if getattr(exc, "errno", None) in (98, 48, 10048):  # EADDRINUSE (Linux, macOS, Windows)
            print(t(f"端口 {port} 已被占用。请换一个端口，例如：selfeval serve --port {port + 1}",
                    f"Port {port} is in use. Choose another, for example: selfeval serve --port {port + 1}"),
                  file=sys.stderr)
        else:
            print(t(f"无法在 {host}:{port} 上启动：{exc.strerror or exc}",
                    f"Cannot start on {host}:{port}: {exc.strerror or exc}"), file=sys.stderr)
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
    app = create_app(profile, lang=lang, allowed_hosts=allowed, temp_root=root)
    wildcard = host in ("0.0.0.0", "::", "")
    shown_host = "127.0.0.1" if wildcard else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{port}/"
    others = [f"http://{a}:{port}/" for a in lan_addresses()] if wildcard else []

    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if not server.started:
            return
        print(t(f"绩效自评表校验页面已启动：{url}", f"The self-evaluation checking page is running: {url}"))
        for other in others:
            print(t(f"局域网内的其他电脑可打开：{other}", f"Other computers on the network can open: {other}"))
        if wildcard and not others:
            print(t("（没有找到本机的局域网地址）", "(no network address of this computer was found)"))
        print(t("在浏览器中打开上面的地址，把自评表拖到页面上。按 Ctrl+C 停止。",
                "Open the address above in a browser and drop workbooks on the page. Press Ctrl+C to stop."))
        if not loopback:
            print(t(f"注意：正在监听 {host}，局域网内任何人都能打开此页面并上传文件。只在可信的网络中这样做；"
                    "仅本机使用请去掉 --host。",
                    f"Warning: listening on {host}, so anyone on the network can open this page and upload files. "
                    "Do this only on a network you trust; leave out --host to keep it to this computer."))
        if getattr(args, "open", False):
            webbrowser.open(url)
        sys.stdout.flush()

    threading.Thread(target=announce, daemon=True).start()
    previous = _stop_like_ctrl_c()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()
        tempfile.tempdir = None
        shutil.rmtree(root, ignore_errors=True)
    print(t("已停止。", "Stopped."))
    return 0
