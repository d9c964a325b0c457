"""`python -m dashboard bench --assets N --months`: saved months opened in place (issue 20.3).

Saves generated ledgers (dashboard.sample.build, loaded straight into DuckDB: no workbook
is written or read) as months under <workdir>/months-N-seedS/ (reused when present), then
measures, each in a fresh process so its memory is its own:
  1. opening the N-asset month in place (ledgers.saved_month: read-only ATTACH + views) and
     the way months were opened before (snapshots.copy_in: copied into memory) — seconds and
     resident memory added, then the first evaluation of every rule on it;
  2. twelve months of 100,000 assets open at once — memory added when opened, and when each
     is also evaluated (what a server holds when twelve months are looked at);
  3. the heatmap page (AppTest, the real app) rerun after filter changes, with 1 and with 24
     saved months of 100,000 assets: server CPU seconds per run (the month history is read
     from the months' summaries, so it must not grow with the months: target ≤ 1.2×).
Targets: a 1M month opens in ≤ 0.3 s and ≤ 100 MB; twelve months of 100k ≤ 1 GiB.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY_ASSETS = 100_000              # or --assets when smaller (a quick run)
MONTHS_24 = tuple(f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13))


def _rss() -> int:
    """Resident memory of this process now, bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _in_child(target, *args):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(target, queue, *args))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Exception:                     # queue.Empty: still working, unless it died
            if not proc.is_alive():
                raise RuntimeError(f"测量进程异常退出（退出码 {proc.exitcode}）") from None
    proc.join()
    if isinstance(result, BaseException):
        raise result
    return result


def _run(target, queue, *args) -> None:
    try:
        queue.put(target(*args))
    except BaseException as exc:          # shown by the parent
        queue.put(RuntimeError(repr(exc)))


def _ledgers(n: int, seed: int):
    """The generated tables loaded into DuckDB as an import would load them."""
    import pandas as pd
    from dashboard import ledgers, model, sample, template
    built = sample.build(n, seed)
    frames = {}
    for sheet in template.SHEETS:
        df = pd.DataFrame(dict(built.tables[sheet.name].cols))
        if sheet is template.ASSETS:
            df = df.iloc[built.asset_order].reset_index(drop=True)
        df["source_file"], df["source_sheet"] = f"bench-{n}.xlsx", sheet.name
        df["source_row"], df["qa"] = range(2, len(df) + 2), False
        frames[sheet.name] = df
    columns = {s.name: {c.name for c in s.columns if c.name in frames[s.name].columns} for s in template.SHEETS}
    con = model.connect()
    model.load_tables(con, frames, columns)
    return ledgers.Ledgers(f"bench-{n}", con, None)


def _save_months(data_dir: str, n: int, seed: int, months: tuple[str, ...]) -> float:
    os.environ["ZCPH_DATA_DIR"] = data_dir
    books = _ledgers(n, seed)
    t = time.perf_counter()
    for month in months:
        books.save(month)
    return (time.perf_counter() - t) / len(months)


def prepare(data_dir: Path, n: int, seed: int, months: tuple[str, ...]) -> None:
    """Save the months not saved yet (a month saved by other rule queries is saved again)."""
    os.environ["ZCPH_DATA_DIR"] = str(data_dir)
    from dashboard import month_summary, snapshots
    missing = []
    for month in months:
        saved = snapshots.find(month)
        info = month_summary.read(str(saved.path), saved.version)[0] if saved else None
        if not info or info.get("version") != month_summary.version():
            missing.append(month)
    if missing:
        t = time.perf_counter()
        each = _in_child(_save_months, str(data_dir), n, seed, tuple(missing))
        print(f"已保存{len(missing)}个月（资产{n:,}项）：{time.perf_counter() - t:.1f} s，"
              f"每次保存 {each:.2f} s（含月度摘要）", flush=True)


def _open(data_dir: str, month: str, way: str) -> tuple[float, int, float, int]:
    """(seconds to open, RSS added, seconds of the first evaluation, RSS added with it)."""
    os.environ["ZCPH_DATA_DIR"] = data_dir
    import duckdb
    from dashboard import ledgers, model, policy, rules, snapshots
    duckdb.connect().execute("SELECT 1").fetchall()          # the library's own start-up, not the month's
    policy.read_negative_list(), policy.rules()
    saved = snapshots.find(month)
    before = _rss()
    t = time.perf_counter()
    if way == "attach":
        books = ledgers.saved_month(saved)
    else:
        con = model.connect()
        snapshots.copy_in(saved, con)
        model.load_negative_list(con, policy.read_negative_list())
        model.load_rule_catalog(con)
        books = ledgers.Ledgers(saved.label, con, None, month=month)
    opened = time.perf_counter() - t
    after_open = _rss()
    t = time.perf_counter()
    rules.evaluate(books.con.cursor(), snapshots.month_end(month))
    return opened, after_open - before, time.perf_counter() - t, _rss() - before


def _twelve(data_dir: str, months: tuple[str, ...]) -> tuple[float, int, int]:
    """(seconds to open all, RSS added when open, RSS added when each is also evaluated)."""
    os.environ["ZCPH_DATA_DIR"] = data_dir
    import duckdb
    from dashboard import ledgers, policy, snapshots
    from dashboard.evaluated import Evaluated
    duckdb.connect().execute("SELECT 1").fetchall()
    policy.read_negative_list(), policy.rules()
    before = _rss()
    t = time.perf_counter()
    books = [ledgers.saved_month(snapshots.find(m)) for m in months]
    opened, after_open = time.perf_counter() - t, _rss()
    evaluations = [Evaluated(b, b.reference) for b in books]
    assert len(evaluations) == len(months)
    return opened, after_open - before, _rss() - before


def _heatmap(data_dir: str) -> tuple[list[float], list[float], int]:
    """(CPU seconds, wall seconds) of each heatmap rerun after a filter change, months saved."""
    os.environ["ZCPH_DATA_DIR"] = data_dir
    from streamlit.testing.v1 import AppTest
    from dashboard import snapshots
    from dashboard.store import accounts, sessions     # saved months: the app asks for a sign-in
    admin = accounts.get("基准测试") or accounts.add("基准测试", "admin", "bench-password-1")
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=900)
    at.session_state["auth.token"] = sessions.start(admin)
    at.run()
    at.switch_page("../pages/heatmap.py").run()
    source = at.selectbox(key="ui.source").value
    towns = list(at.multiselect(key=f"ui.f.{source}.towns").options)
    cpu, wall, drawn = [], [], 0
    changes = [{"towns": [t], "levels": lv} for t in towns for lv in ([], ["red"], ["yellow"])]
    changes += [{"levels": ["red"]}, {"levels": ["yellow"]}, {"towns": towns[:2]}, {"towns": towns[-2:]}]
    for change in changes:                      # each new to the caches: every run runs its queries
        at.multiselect(key=f"ui.f.{source}.towns").set_value(change.get("towns", []))
        at.multiselect(key=f"ui.f.{source}.levels").set_value(change.get("levels", []))
        c, t = time.process_time(), time.perf_counter()
        at.run()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        drawn += len(at.get("plotly_chart")) >= 2              # the town × rule chart and the months'
    if not drawn:
        raise RuntimeError("热力图页一次也没有画出按月份的图")
    return cpu, wall, len(snapshots.list_months())


def _mib(n: int) -> str:
    return f"{n / 1024 ** 2:,.0f} MiB"


def main(args) -> int:
    import tempfile
    workdir = Path(args.workdir or Path(tempfile.gettempdir()) / "bench-months")
    big = workdir / f"months-{args.assets}-seed{args.seed}"
    prepare(big, args.assets, args.seed, ("2024-12",))
    print(f"\n1. 打开一个月（资产{args.assets:,}项，{(big / 'snapshots' / '2024-12.duckdb').stat().st_size / 1024**2:,.0f} MiB 文件）",
          flush=True)
    print(f"{'方式':<22}{'打开 s':>8}{'内存增加':>12}{'首次评估 s':>12}{'评估后内存增加':>16}")
    for way, label in (("attach", "原地打开（只读挂接）"), ("copy", "复制进内存（以前）")):
        opened, rss, evaluated, rss_eval = _in_child(_open, str(big), "2024-12", way)
        print(f"{label:<22}{opened:>8.3f}{_mib(rss):>12}{evaluated:>12.2f}{_mib(rss_eval):>16}", flush=True)
        if way == "attach":
            verdict = "达标" if opened <= 0.3 and rss <= 100 * 1024 ** 2 else "未达标"
            print(f"    目标：100万项资产时打开 ≤ 0.3 s、内存增加 ≤ 100 MB（{verdict}，本次{args.assets:,}项）")
    small = min(args.assets, HISTORY_ASSETS)
    many = workdir / f"months-{small}-seed{args.seed}"
    prepare(many, small, args.seed, MONTHS_24)
    opened, rss, rss_eval = _in_child(_twelve, str(many), MONTHS_24[-12:])
    print(f"\n2. 同时打开12个月（各{small:,}项资产）：打开 {opened:.2f} s，内存增加 {_mib(rss)}；"
          f"再各评估一次后共增加 {_mib(rss_eval)}  （目标：≤ 1 GiB，"
          f"{'达标' if rss_eval <= 1024 ** 3 else '未达标'}）", flush=True)
    one = workdir / f"months-{small}-seed{args.seed}-one"
    (one / "snapshots").mkdir(parents=True, exist_ok=True)
    target = one / "snapshots" / "2024-12.duckdb"
    source = many / "snapshots" / "2024-12.duckdb"
    if not target.exists() or target.stat().st_mtime != source.stat().st_mtime:
        shutil.copy2(source, target)
    print(f"\n3. 预警热力图筛选变化后重跑（AppTest，各{small:,}项资产）", flush=True)
    print(f"{'已保存月份':<12}{'重跑次数':>8}{'CPU 中位数 s':>14}{'CPU 最大 s':>12}{'墙钟中位数 s':>14}")
    medians = {}
    for folder in (one, many):
        cpu, wall, count = _in_child(_heatmap, str(folder))
        medians[count] = statistics.median(cpu)
        print(f"{count:<12}{len(cpu):>8}{medians[count]:>14.3f}{max(cpu):>12.3f}{statistics.median(wall):>14.3f}",
              flush=True)
    ratio = medians[len(MONTHS_24)] / medians[1]
    print(f"24个月 / 1个月 的每次重跑 CPU = {ratio:.2f}  （目标 ≤ 1.2，{'达标' if ratio <= 1.2 else '未达标'}）")
    return 0
