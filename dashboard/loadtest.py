"""`python -m dashboard loadtest --sessions N --minutes M [--url U]`: server cost per page run.

N signed-in sessions — browser pages (Debian's chromium through Playwright: one browser, a
context per session), or with --client protocol Streamlit's websocket protocol spoken by this
process without drawing (dashboard/loadtest_protocol.py: the clients then leave the cores to the
server) — go round 总览 → a town filter → 预警热力图 → 资产台账 → that town dropped → …, each
action one page run, with --think seconds between actions.  It prints each action's p50/p95
(from the click to the run's script_finished message reaching the browser — drawing not
included) and the **server processes' CPU seconds per page run**: utime+stime (children
included) of the app processes from /proc/<pid>/stat, read when every session is signed in
and again when the last action ends, divided by the page runs measured — the figure that does
not depend on where the browsers run — and the app processes' memory (VmRSS, sampled every
15 s: at the start, the end, the peak, and every 10 minutes of a long run; the figure that
decides Streamlit's garbage collection after every run, `runner.postScriptGC`).  Behind `serve`'s proxy the sessions are spread evenly
over the processes (a route cookie per session, found by the proxy's X-Zcph-Upstream header).

Without --url it builds its own banner: a temporary data folder (the store in it as SQLite,
or --database-url), an administrator it creates, the workbook (--workbook, else the bundled
sample) saved as a month, and `serve --processes K` (--processes, default 1) on a free port.
With --url it signs in as --user/--password and finds the server processes by one of
--runtime-dir (the folder `serve --runtime-dir` was given: its servers.json), --pids 12,34 or
--ports 8601,8602 (the app processes' local ports: the listening sockets in /proc/net/tcp*,
matched to the processes holding them under /proc/*/fd — run it as the servers' user or root).
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from dashboard import settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ACTIONS = [("总览", "nav", "overview"), ("筛选镇", "town", None), ("预警热力图", "nav", "heatmap"),
           ("资产台账", "nav", "ledger"), ("取消筛选镇", "untown", None)]
TICK = os.sysconf("SC_CLK_TCK")


class LoadError(RuntimeError):
    pass


def add_parsers(sub) -> None:
    s = sub.add_parser("loadtest", help="多个登录会话轮流切换页面和筛选：页面用时p50/p95与每次页面运行的服务器CPU秒")
    s.add_argument("--sessions", type=int, default=4)
    s.add_argument("--minutes", type=float, default=2.0)
    s.add_argument("--think", type=float, default=1.0, help="两次操作之间的停顿秒数（缺省1）")
    s.add_argument("--url", default=None, help="已运行的服务地址；缺省时自建（临时数据目录、管理员、serve）")
    s.add_argument("--user", default=None)
    s.add_argument("--password", default=None, help="或环境变量ZCPH_LOADTEST_PASSWORD")
    s.add_argument("--runtime-dir", type=Path, default=None, help="serve的运行目录（读取其中servers.json的进程号）")
    s.add_argument("--pids", default=None, help="应用进程号，以逗号分隔")
    s.add_argument("--ports", default=None, help="应用进程的本地端口，以逗号分隔（经/proc查进程号）")
    s.add_argument("--processes", type=int, default=1, help="自建服务时的应用进程数（缺省1）")
    s.add_argument("--workbook", type=Path, default=None, help="自建服务时保存为月份的台账（缺省：示例数据）")
    s.add_argument("--database-url", default=None, help="自建服务时的账号库（缺省：临时数据目录中的SQLite）")
    s.add_argument("--client", choices=("browser", "protocol"), default="browser",
                   help="browser：chromium页面（缺省）；protocol：Streamlit的websocket协议，不绘制页面，客户端几乎不占CPU")


def dispatch(args) -> int | None:
    if args.command != "loadtest":
        return None
    try:
        return main(args)
    except LoadError as exc:
        print(str(exc), file=sys.stderr)
        return 2


# --- the server's processes and their CPU ---------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its waited-for children (/proc/<pid>/stat), seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICK


def rss_mib(pid: int) -> float:
    """Resident memory of one process (VmRSS in /proc/<pid>/status), MiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def sample_rss(pids: list[int], samples: list[tuple[float, float]], started: float,
                     every: float = 15.0) -> None:
    """(seconds since `started`, the app processes' summed RSS in MiB) every `every` s until cancelled."""
    while True:
        samples.append((time.monotonic() - started, sum(rss_mib(p) for p in pids)))
        await asyncio.sleep(every)


def rss_lines(samples: list[tuple[float, float]]) -> list[str]:
    """The memory lines of the report: start, end, peak; a long run also every 10 minutes."""
    if not samples:
        return []
    peak = max(mib for _, mib in samples)
    lines = [f"应用进程内存（RSS合计）：开始 {samples[0][1]:.0f} MiB，结束 {samples[-1][1]:.0f} MiB，"
             f"峰值 {peak:.0f} MiB（每15秒采样{len(samples)}次）"]
    if samples[-1][0] >= 20 * 60:
        marks, shown = [], -1
        for i, (t, mib) in enumerate(samples):
            if int(t // 600) > shown or i == len(samples) - 1:
                shown = int(t // 600)
                marks.append(f"{t / 60:.0f}分 {mib:.0f}")
        lines.append("  每10分钟：" + "，".join(marks) + " MiB")
    return lines


def pids_by_ports(ports: list[int]) -> list[int]:
    """The processes listening on these local TCP ports, from /proc (no psutil)."""
    inodes: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            port = int(cols[1].rsplit(":", 1)[1], 16)
            if cols[3] == "0A" and port in ports:          # LISTEN
                inodes[cols[9]] = port
    found: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                m = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
                if m and m.group(1) in inodes:
                    found.setdefault(inodes[m.group(1)], int(proc.name))
        except OSError:
            continue
    missing = [p for p in ports if p not in found]
    if missing:
        raise LoadError(f"找不到监听端口{missing}的进程（需以服务进程的用户或root运行）。")
    return [found[p] for p in ports]


def server_pids(args, runtime: Path | None) -> tuple[list[int], int | None]:
    """(app process ids, nginx pid or None)."""
    if runtime is not None:
        info = json.loads((runtime / "servers.json").read_text(encoding="utf-8"))
        return [p["pid"] for p in info["processes"]], info.get("nginx")
    if args.pids:
        return [int(p) for p in args.pids.split(",")], None
    if args.ports:
        return pids_by_ports([int(p) for p in args.ports.split(",")]), None
    raise LoadError("给出--url时须以--runtime-dir、--pids或--ports指明服务进程，才能计量服务器CPU。")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- a banner of its own ------------------------------------------------------------------

def own_banner(args, work: Path) -> tuple[str, str, str, subprocess.Popen]:
    """Accounts and a saved month in a new data folder, served by `serve`; (url, user, password, serve)."""
    data_dir = work / "var"
    os.environ["ZCPH_DATA_DIR"] = str(data_dir)
    if args.database_url:
        os.environ["ZCPH_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("ZCPH_DATABASE_URL", None)
    from dashboard import ledgers, store
    from dashboard.store import accounts
    store.dispose()
    user, password = f"压测{secrets.token_hex(2)}", secrets.token_urlsafe(12)
    accounts.add(user, "admin", password)
    started = time.monotonic()
    books = ledgers.load([args.workbook or ledgers.sample_path()], label="压测台账", max_bytes=4 * 1024 ** 3)
    if not books.usable:
        raise LoadError("台账无法使用：" + books.fatal)
    month = books.reference.strftime("%Y-%m")
    books.save(month, by=user)
    store.dispose()
    print(f"准备：管理员{user}，{month}已保存（{time.monotonic() - started:.1f} s）", flush=True)
    from dashboard.serve import free_port
    port, runtime = free_port(), work / "run"
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--processes", str(args.processes),
                             "--port", str(port), "--host", "127.0.0.1", "--runtime-dir", str(runtime)],
                            cwd=ROOT, env=os.environ.copy(), stdout=open(work / "serve.log", "w"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while not (runtime / "servers.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise LoadError("服务未能启动：" + (work / "serve.log").read_text(encoding="utf-8")[-2000:])
        time.sleep(0.5)
    return f"http://127.0.0.1:{port}", user, password, proc


# --- the sessions --------------------------------------------------------------------------

class Runs:
    """Finished script runs of one browser session, counted from Streamlit's own websocket
    messages (a ForwardMsg script_finished per run), so a run too quick to show its running
    state in the page is still seen."""

    def __init__(self, page):
        self.count = 0
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        if "/_stcore/stream" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        try:
            msg = ForwardMsg.FromString(bytes(payload))
        except Exception:       # noqa: BLE001 — not a message of ours to count
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
            self.count += 1

    async def after(self, before: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count <= before:
            if time.monotonic() > deadline:
                raise TimeoutError("no finished run")
            await asyncio.sleep(0.02)


def routes(url: str, processes: int) -> list[str | None]:
    """Route cookie values reaching each app process behind `serve`'s proxy (its X-Zcph-Upstream
    header), so the sessions are spread evenly; [None] behind another proxy (its own routing)."""
    found: dict[str, str] = {}
    for n in range(400):
        request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"zcph_route=lt{n}"})
        with urllib.request.urlopen(request, timeout=30) as r:
            upstream = r.headers.get("X-Zcph-Upstream")
        if upstream is None:
            return [None]
        found.setdefault(upstream, f"lt{n}")
        if len(found) >= processes:
            break
    return list(found.values())


async def _settle(page, timeout: float) -> None:
    for _ in range(2):
        await asyncio.sleep(0.4)
        await page.wait_for_selector(READY, state="attached", timeout=timeout * 1000)
        await page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                     timeout=timeout * 1000)


SIGNED_IN, REFUSED = '[data-testid="stSidebarNav"]', '[data-testid="stAlert"]'


def retry_after(refused: str) -> float | None:
    """Seconds a person would wait before signing in again after this answer, None when waiting
    does not help.  Every session signs in with one account from one address, so a wave of them
    meets accounts.py's guards: 登录繁忙 (argon2 two at a time: a moment) and, as simultaneous
    attempts are each reserved as a failure until one succeeds, 请N秒后再试 (N seconds)."""
    if "繁忙" in refused:
        return 1 + random.random() * 2
    m = re.search(r"请(\d+)秒后再试", refused)
    return int(m.group(1)) + random.random() * 2 if m else None


async def _sign_in(page, url: str, user: str, password: str, timeout: float) -> None:
    """Sign in as a person would: a wave of sign-ins is answered 登录繁忙 or 请N秒后再试
    (retry_after), and the person tries again when told."""
    await page.goto(f"{url}/overview", timeout=timeout * 1000)
    await _settle(page, timeout)
    deadline = time.monotonic() + timeout
    while True:
        await page.get_by_label("用户名").fill(user)
        await page.get_by_label("密码").fill(password)
        await page.get_by_role("button", name="登录", exact=True).click()
        await _settle(page, timeout)
        await page.wait_for_selector(f"{SIGNED_IN}, {REFUSED}", state="attached", timeout=timeout * 1000)
        if await page.locator(SIGNED_IN).count():
            break
        refused = await page.locator(REFUSED).first.inner_text()
        wait = retry_after(refused)
        if wait is None or time.monotonic() > deadline:
            raise LoadError(f"登录被拒绝：{refused}")
        await asyncio.sleep(wait)
    await _settle(page, timeout)


async def _act(page, runs: Runs, kind: str, target: str | None, n: int, timeout: float) -> float | None:
    """Do one action; the seconds from the click that starts its run to the run's end (None:
    nothing to do).  Opening the town list is not timed: only the choice changes the filter."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box, options = sidebar.locator('[data-testid="stMultiSelect"]').first, page.get_by_role("option")
    if kind == "untown":                  # a chosen town's ×
        remove = box.locator('[aria-label^="Remove "]')
        if await remove.count() == 0:
            return None
        before, started = runs.count, time.monotonic()
        await remove.last.click()
    elif kind == "town":
        for attempt in range(5):          # a list opened while the page redraws closes again: open anew
            try:
                await box.locator("input").focus(timeout=10_000)     # not a click: it may hit a chosen town's ×
                await page.keyboard.press("ArrowDown")
                await options.first.wait_for(timeout=3_000)
                count = await options.count()
                before, started = runs.count, time.monotonic()
                await options.nth(n % count).click(timeout=3_000)
                break
            except Exception:             # noqa: BLE001
                await page.keyboard.press("Escape")
                if attempt == 4:
                    raise
        await page.keyboard.press("Escape")
    else:
        before, started = runs.count, time.monotonic()
        await sidebar.locator(f'[data-testid="stSidebarNav"] a[href$="/{target}"]').click()
    await runs.after(before, timeout)
    return time.monotonic() - started


class Ended(Exception):
    """A session that cannot go on (its connection closed): it leaves the round."""


async def go_round(i: int, sign_in, act, recover, close, ready, start_event, stop_at, think, out) -> None:
    """One session's part, whatever the client: sign in (a failure is reported, not fatal), wait
    for every session, then go round ACTIONS until stop_at — starting at its own point of the
    round — timing each action's run; after a failed action `recover(step)` (it may raise Ended)."""
    try:
        await sign_in()
    except Exception as exc:        # noqa: BLE001 — a session that cannot sign in is reported, not fatal
        out["errors"].append(f"会话{i + 1}登录失败：{type(exc).__name__} {str(exc)[:160]}")
        ready.release()
        await close()
        return
    ready.release()
    await start_event.wait()
    step = i % len(ACTIONS)
    try:
        while time.monotonic() < stop_at[0]:
            name, kind, target = ACTIONS[step % len(ACTIONS)]
            try:
                seconds = await act(kind, target, step // len(ACTIONS) + i)
                if seconds is not None:
                    out["times"].setdefault(name, []).append(seconds)
            except Exception as exc:  # noqa: BLE001 — count it and go on with the round
                out["errors"].append(f"会话{i + 1} {name}：{type(exc).__name__} {str(exc)[:160]}")
                await recover(step)
            step += 1
            await asyncio.sleep(think)
    except Ended:
        pass
    finally:
        await close()


async def _browser_session(i: int, browser, url, route, user, password, ready, start_event, stop_at, think,
                           timeout, out) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    if route:
        await context.add_cookies([{"name": "zcph_route", "value": route, "url": url}])
    page = await context.new_page()
    runs = Runs(page)
    page.set_default_timeout(timeout * 1000)

    async def recover(step: int) -> None:             # start the page again
        if settings.text("ZCPH_LOADTEST_SHOTS"):
            await page.screenshot(path=f"{settings.text('ZCPH_LOADTEST_SHOTS')}/s{i + 1}-{step}.png")
        await page.goto(f"{url}/overview")
        await _settle(page, timeout)

    await go_round(i, lambda: _sign_in(page, url, user, password, max(timeout, 900)),   # the first open of a big month
                   lambda kind, target, n: _act(page, runs, kind, target, n, timeout),
                   recover, context.close, ready, start_event, stop_at, think, out)


async def _protocol_session(i: int, url, route, user, password, ready, start_event, stop_at, think,
                            timeout, out) -> None:
    from dashboard import loadtest_protocol
    session = loadtest_protocol.Session(url, route, timeout)

    async def sign_in() -> None:
        await session.open("overview")
        deadline = time.monotonic() + max(timeout, 900)       # the first open of a big month
        while (refused := await session.sign_in(user, password)) is not None:
            wait = retry_after(refused)
            if wait is None or time.monotonic() > deadline:
                raise LoadError(f"登录被拒绝：{refused[:200]}")
            await asyncio.sleep(wait)

    async def recover(step: int) -> None:
        if session.closed:
            raise Ended

    await go_round(i, sign_in, lambda kind, target, n: loadtest_protocol.act(session, kind, target, n),
                   recover, session.close, ready, start_event, stop_at, think, out)


async def drive(url, user, password, sessions, minutes, think, pids, nginx_pid, timeout=120.0,
                client: str = "browser") -> dict:
    """The sessions as `client` ("browser": chromium pages; "protocol": Streamlit's websocket
    protocol without a browser, dashboard/loadtest_protocol.py), measured alike."""
    out: dict = {"times": {}, "errors": []}
    spread = routes(url, len(pids))
    if client == "protocol":
        start = lambda i, ready, start_event, stop_at: _protocol_session(   # noqa: E731
            i, url, spread[i % len(spread)], user, password, ready, start_event, stop_at, think, timeout, out)
        return await _measure(start, sessions, minutes, pids, nginx_pid, out)
    from playwright.async_api import async_playwright
    if not Path(CHROMIUM).exists():
        raise LoadError("未找到chromium：apt-get install chromium fonts-noto-cjk")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = lambda i, ready, start_event, stop_at: _browser_session(   # noqa: E731
            i, browser, url, spread[i % len(spread)], user, password, ready, start_event, stop_at, think, timeout, out)
        await _measure(start, sessions, minutes, pids, nginx_pid, out)
        await browser.close()
    return out


async def _measure(start, sessions, minutes, pids, nginx_pid, out) -> dict:
    """Start every session, wait until all are signed in, then measure the app processes' CPU
    and memory while the sessions go round for `minutes`."""
    ready, start_event, stop_at = asyncio.Semaphore(0), asyncio.Event(), [0.0]
    tasks = [asyncio.create_task(start(i, ready, start_event, stop_at)) for i in range(sessions)]
    for _ in range(sessions):
        await ready.acquire()
    out["cpu_before"] = {pid: cpu_seconds(pid) for pid in pids}
    out["nginx_before"] = cpu_seconds(nginx_pid) if nginx_pid else None
    out["load_before"], out["started"] = load_average(), time.monotonic()
    out["client_before"] = sum(os.times()[:2])
    stop_at[0] = out["started"] + minutes * 60
    out["rss"] = []
    sampler = asyncio.create_task(sample_rss(pids, out["rss"], out["started"]))
    start_event.set()
    await asyncio.gather(*tasks)
    out["elapsed"] = time.monotonic() - out["started"]
    sampler.cancel()
    out["rss"].append((out["elapsed"], sum(rss_mib(p) for p in pids)))
    out["cpu_after"] = {pid: cpu_seconds(pid) for pid in pids}
    out["nginx_after"] = cpu_seconds(nginx_pid) if nginx_pid else None
    out["load_after"] = load_average()
    out["client_cpu"] = sum(os.times()[:2]) - out["client_before"]
    return out


def quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def report(out: dict, sessions: int, processes: int) -> str:
    every = [t for ts in out["times"].values() for t in ts]
    runs = len(every)
    cpu = {pid: out["cpu_after"][pid] - out["cpu_before"][pid] for pid in out["cpu_before"]}
    total = sum(cpu.values())
    lines = [f"{sessions}个会话，{processes}个应用进程，计时{out['elapsed']:.0f} s，页面运行{runs}次"
             f"（失败{len(out['errors'])}次）"]
    for name, _, _ in ACTIONS:
        ts = out["times"].get(name)
        if ts:
            lines.append(f"  {name}：{len(ts)}次，p50 {quantile(ts, .5):.2f} s，p95 {quantile(ts, .95):.2f} s")
    if runs:
        lines.append(f"全部页面运行：p50 {quantile(every, .5):.2f} s，p95 {quantile(every, .95):.2f} s")
        lines.append(f"应用进程CPU：共{total:.1f} s（" + "、".join(f"{pid} {s:.1f} s" for pid, s in cpu.items())
                     + f"），每次页面运行 {total / runs:.3f} s")
    lines.append(f"压测进程自身CPU：{out['client_cpu']:.1f} s（浏览器客户端时不含chromium）")
    if out.get("nginx_before") is not None:
        lines.append(f"nginx CPU：{out['nginx_after'] - out['nginx_before']:.2f} s")
    lines += rss_lines(out.get("rss", []))
    lines.append(f"负载（1/5/15分钟平均）：开始 {out['load_before']}，结束 {out['load_after']}；CPU核数 {os.cpu_count()}")
    for e in out["errors"][:10]:
        lines.append("  " + e)
    return "\n".join(lines)


def require_playwright() -> None:
    """Playwright is a test package (requirements-test.txt), not installed by the first command:
    say so in Chinese before anything starts, instead of a ModuleNotFoundError after a server did."""
    import importlib.util
    if importlib.util.find_spec("playwright") is None:
        raise LoadError("压测需要playwright（测试依赖）：先运行 .venv/bin/pip install -r requirements-test.txt")


def main(args) -> int:
    if args.sessions < 1 or args.minutes <= 0:
        raise LoadError("--sessions 至少为1，--minutes 须大于0。")
    if args.client == "browser":
        require_playwright()
    work = Path(tempfile.mkdtemp(prefix="zcph-loadtest-"))
    serving = None
    try:
        if args.url:
            url, user = args.url.rstrip("/"), args.user
            password = args.password or settings.text("ZCPH_LOADTEST_PASSWORD")
            if not user or not password:
                raise LoadError("给出--url时须给出--user和--password（或环境变量ZCPH_LOADTEST_PASSWORD）。")
            pids, nginx_pid = server_pids(args, args.runtime_dir)
            processes = len(pids)
        else:
            url, user, password, serving = own_banner(args, work)
            pids, nginx_pid = server_pids(args, work / "run")
            processes = args.processes
        print(f"压测：{url}，{args.sessions}个会话，{args.minutes:g}分钟；应用进程{pids}；负载 {load_average()}",
              flush=True)
        out = asyncio.run(drive(url, user, password, args.sessions, args.minutes, args.think, pids, nginx_pid,
                                client=args.client))
        print(report(out, args.sessions, processes), flush=True)
        return 0 if any(out["times"].values()) else 1
    finally:
        if serving is not None:
            serving.send_signal(signal.SIGTERM)
            try:
                serving.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serving.kill()
        shutil.rmtree(work, ignore_errors=True)
