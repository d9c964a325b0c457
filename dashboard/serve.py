"""`python -m dashboard serve --processes N [--port P]`: N Streamlit processes behind nginx.

Each process is `streamlit run dashboard/server.py` on a free local port; nginx (Debian's
package, `apt-get install nginx-light`) listens on P, passes websockets through and keeps a
browser on one process (a cookie it sets: deploy/nginx.conf.template).  The processes share
the store (ZCPH_DATABASE_URL, PostgreSQL for more than one process) and the data folder
(ZCPH_DATA_DIR); what one process changes the others see on their next page run
(deploy/README.md).  nginx runs in the foreground with its config, pid and temp files in a
runtime folder (--runtime-dir, else a temporary one), so it needs neither root nor /etc/nginx.
Ctrl-C or SIGTERM stops them all; one that dies stops the rest (exit 1, for systemd to restart).
The runtime folder's servers.json names every process (`loadtest --runtime-dir` reads it).
"""
from __future__ import annotations

import ctypes
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

from dashboard import settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
NGINX_USER = "www-data"          # the workers' account when started as root (Debian's nginx user)


class ServeError(RuntimeError):
    """Cannot start: one Chinese line."""


def add_parsers(sub) -> None:
    s = sub.add_parser("serve", help="多个应用进程加nginx反向代理（一个地址）")
    s.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="应用进程数（缺省：CPU核数）")
    s.add_argument("--port", type=int, default=8501, help="nginx监听的端口（缺省8501）")
    s.add_argument("--host", default="0.0.0.0", help="nginx监听的地址（缺省0.0.0.0）")
    s.add_argument("--runtime-dir", type=Path, default=None, help="nginx配置、pid和临时文件的目录（缺省：临时目录）")


def dispatch(args) -> int | None:
    if args.command != "serve":
        return None
    try:
        return serve(args.processes, args.port, args.host, args.runtime_dir)
    except ServeError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if not found:
        raise ServeError("未找到nginx：请先安装（apt-get install nginx-light），见deploy/README.md。")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def max_upload_mb() -> int:
    try:
        cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        return int(cfg.get("server", {}).get("maxUploadSize", 200))
    except (OSError, ValueError):
        return 200


def render_config(runtime: Path, listen: str, ports: list[int], as_root: bool) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in ports)
    values = {"runtime": str(runtime), "listen": listen, "servers": servers,
              "max_body": f"{max_upload_mb() + 1}m", "user_line": f"user {NGINX_USER};" if as_root else ""}
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


def _die_with_parent() -> None:
    """Child processes end when serve does, even when it is killed (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def _streamlit_env() -> dict:
    """Every process signs Streamlit's own cookies (XSRF) with one key derived from the app's
    shared secret, so a browser moved to another process (one stopped) is not refused."""
    from dashboard.store import sessions
    key = hmac.new(sessions._secret(), b"streamlit-cookie-secret", hashlib.sha256).hexdigest()
    return {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": key}


def start_app(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, preexec_fn=_die_with_parent)


def wait_healthy(url: str, procs: list[subprocess.Popen], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            raise ServeError(f"应用进程启动失败（退出码{dead[0].returncode}），见上方日志。")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServeError(f"应用进程{timeout:.0f}秒内未就绪：{url}")
        time.sleep(0.3)


class _Stop(Exception):
    pass


def _on_term(_signum, _frame):
    raise _Stop


def stop_all(procs: list[subprocess.Popen], grace: float = 10) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def serve(processes: int, port: int, host: str, runtime_dir: Path | None) -> int:
    if processes < 1:
        raise ServeError("--processes 至少为1。")
    nginx = nginx_binary()
    if processes > 1 and not settings.text("ZCPH_DATABASE_URL"):
        print("提示：未设置ZCPH_DATABASE_URL，多个进程共用数据目录中的SQLite账号库；多进程部署建议使用PostgreSQL"
              "（docs/operations.md）。", file=sys.stderr)
    owned = runtime_dir is None
    runtime = Path(tempfile.mkdtemp(prefix="zcph-serve-")) if owned else runtime_dir.resolve()
    runtime.mkdir(parents=True, exist_ok=True)
    as_root = os.geteuid() == 0
    for name in TEMP_DIRS:
        (runtime / name).mkdir(exist_ok=True)
        if as_root:
            shutil.chown(runtime / name, NGINX_USER)
    if as_root:
        os.chmod(runtime, 0o711)

    signal.signal(signal.SIGTERM, _on_term)
    env = _streamlit_env()
    ports = [free_port() for _ in range(processes)]
    apps: list[subprocess.Popen] = []
    proxy: subprocess.Popen | None = None
    try:
        apps = [start_app(p, env) for p in ports]
        for p in ports:
            wait_healthy(f"http://127.0.0.1:{p}", apps)
        listen = f"{host}:{port}" if host not in ("", "0.0.0.0", "*") else str(port)
        conf = runtime / "nginx.conf"
        conf.write_text(render_config(runtime, listen, ports, as_root), encoding="utf-8")
        proxy = subprocess.Popen([nginx, "-p", str(runtime), "-c", str(conf), "-g", "daemon off;"],
                                 preexec_fn=_die_with_parent)
        url = f"http://{'127.0.0.1' if listen == str(port) else host}:{port}"
        wait_healthy(url, [proxy, *apps], timeout=30)
        (runtime / "servers.json").write_text(json.dumps(
            {"url": url, "nginx": proxy.pid, "processes": [{"pid": a.pid, "port": p} for a, p in zip(apps, ports)]},
            ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"资产盘活驾驶舱已启动：{url}（nginx进程{proxy.pid}；{processes}个应用进程："
              + "、".join(f"{a.pid}@{p}" for a, p in zip(apps, ports)) + f"；运行目录{runtime}）。按Ctrl-C停止。",
              flush=True)
        while True:
            for p in [proxy, *apps]:
                if p.poll() is not None:
                    what = "nginx" if p is proxy else f"应用进程{p.pid}"
                    print(f"{what}已退出（退出码{p.returncode}），正在停止其余进程。", file=sys.stderr, flush=True)
                    return 1
            time.sleep(1)
    except (_Stop, KeyboardInterrupt):
        print("正在停止…", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stop_all(([proxy] if proxy else []) + apps)
        if owned:
            shutil.rmtree(runtime, ignore_errors=True)
