"""`python -m dashboard bench --assets N`: the performance targets, measured.

Generates a workbook of N assets, then times in separate processes (so each
peak memory figure is that step's own):
  (a) pandas.read_excel(engine="openpyxl") of every sheet — the plain way
  (b) pandas.read_excel(engine="calamine") of every sheet — a plain calamine read
  (b′) python-calamine alone, every sheet to_python(), no pandas — the real floor
  (c) our full import (dashboard.ingest.load_files: headers, units, dates, checks, every
      file parsed in worker processes; peak memory is the largest process's)
  (d) our evaluation of every rule, on the ledgers already loaded in DuckDB
      (printed with it: loading the import into DuckDB, which also judges the
      ledgers' own facts once, queries/asset_facts.sql and the like — the work
      an evaluation at another date or with other thresholds does not redo)
Then, as whole processes (start-up, imports and exports included): `python -m dashboard
evaluate` against a process doing only (b′), the least of two runs each, in CPU seconds (user +
system of the process and of the workers it waited for: the figure a busy machine changes little)
and in wall seconds; `--whole` measures only these.
Targets (issue 2): (c) ≤ 1.5 × (b); (d) ≤ 1 s at 1,000,000 assets; 1M imported within 24 GiB.
Issue 9: whole evaluate ≤ 1.5 × whole (b′) at 100,000 assets; issue 20.8: in CPU seconds.
`--months` (issue 20.3): saved months opened in place, and the heatmap's month history
(dashboard/month_bench.py).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2024, 12, 31)


def _peak_mib() -> float:
    """This process's peak, or its largest worker's (the import parses in child processes; the
    last ones are reaped first, as the import does not wait for them to finish exiting)."""
    for child in mp.active_children():
        child.join()
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


BARE = """
import sys, time
from python_calamine import CalamineWorkbook
t = time.perf_counter()
book = CalamineWorkbook.from_path(sys.argv[1])
rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
print(time.perf_counter() - t, rows)
"""


def _read_bare(path: str) -> tuple[float, int]:
    """(b′): what any reader of this workbook must at least do."""
    from python_calamine import CalamineWorkbook
    t = time.perf_counter()
    book = CalamineWorkbook.from_path(path)
    rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
    return time.perf_counter() - t, rows


def whole(argv: list[str], runs: int = 2) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of a whole process, the least of `runs` each (the machine is
    shared).  CPU: user + system time of the process and of the children it waited for (evaluate
    reaps its import workers before it leaves), read from this process's RUSAGE_CHILDREN."""
    cpu = wall = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        wall = min(wall, time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode:
            raise RuntimeError(f"{argv[:4]} 失败：{done.stderr.strip()[-300:]}")
        cpu = min(cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return cpu, wall


def wholes(path: Path, runs: int = 2) -> None:
    """`evaluate` against (b′), as whole processes: CPU and wall seconds and their ratios."""
    load = os.getloadavg()[0]
    bare = whole([sys.executable, "-c", BARE, str(path)], runs)
    with tempfile.TemporaryDirectory(prefix="bench-out-") as out:
        full = whole([sys.executable, "-m", "dashboard", "evaluate", str(path), "--as-of", AS_OF.isoformat(),
                      "--out", out], runs)
    print(f"整个进程（各{runs}次取少者；CPU = 进程及其子进程的用户态 + 内核态秒数；开始时负载 {load:.1f}，"
          f"结束时 {os.getloadavg()[0]:.1f}，{os.cpu_count()} 核）：", flush=True)
    print(f"  evaluate      CPU {full[0]:7.2f} s   墙钟 {full[1]:7.2f} s")
    print(f"  (b′) 仅读取   CPU {bare[0]:7.2f} s   墙钟 {bare[1]:7.2f} s")
    print(f"  evaluate/(b′) = CPU {full[0] / bare[0]:.2f}  （目标：10万项资产时 ≤ 1.5）  墙钟 {full[1] / bare[1]:.2f}",
          flush=True)


def _read_openpyxl(path: str) -> tuple[float, int]:
    import pandas as pd
    t = time.perf_counter()
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return time.perf_counter() - t, sum(len(f) for f in sheets.values())


def _read_calamine(path: str) -> tuple[float, int]:
    import pandas as pd
    t = time.perf_counter()
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    return time.perf_counter() - t, sum(len(f) for f in sheets.values())


def _import(path: str) -> tuple[float, int]:
    from dashboard.ingest import load_files
    t = time.perf_counter()
    result = load_files([path], max_bytes=4 * 1024**3)
    return time.perf_counter() - t, sum(len(f) for f in result.tables.values())


def _evaluate(path: str) -> tuple[float, int, float]:
    from dashboard import model, rules
    from dashboard.ingest import load_files
    result = load_files([path], max_bytes=4 * 1024**3)
    con = model.connect()
    t = time.perf_counter()
    model.load_tables(con, result.tables, result.columns)
    loading = time.perf_counter() - t
    t = time.perf_counter()
    ev = rules.evaluate(con, AS_OF)
    seconds = time.perf_counter() - t
    return seconds, con.execute("SELECT count(*) FROM asset_results").fetchone()[0], loading, \
        _verification_seconds(con, ev)


def _verification_seconds(con, ev) -> tuple[float, float, float, float]:
    """(MG1–MG6's rule step run once more with the same binds, their load-time facts judged once
    more, DQ1–DQ4 judged as a page's first question judges them, the cells 完整率 counts) on the
    evaluated connection (issue 21.5)."""
    from dashboard import dq, rules, sql
    text = sql.text("rules/management_checks")
    bind = rules.bindings(ev.as_of, ev.params, ev.not_evaluated, ev.edition)
    t = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_mg AS {text}", sql.used_params(text, bind))
    mg = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_mg_facts AS {sql.text('facts/management_facts')}")
    mg_load = time.perf_counter() - t
    t = time.perf_counter()
    dq.judge(con, AS_OF)
    judged = time.perf_counter() - t
    t = time.perf_counter()
    dq.count_cells(con)
    return mg, mg_load, judged, time.perf_counter() - t


REPORT_PERIODS = (("monthly", "2024-12", "月调度"), ("quarterly", "2024Q4", "季通报"), ("annual", "2024", "年总结"))


def _report_times(path: str) -> list[tuple[str, float, float, float]]:
    """(kind, seconds to gather the content, to write the docx, to write the xlsx) for each
    kind, on ledgers loaded once (the page builds the content once and each file from it)."""
    from dashboard import ledgers
    from dashboard.reports import build
    books = ledgers.load([path], max_bytes=4 * 1024**3)
    out = []
    for kind, period, label in REPORT_PERIODS:
        t = time.perf_counter()
        report = build.build(books, kind, period)
        gathered = time.perf_counter() - t
        timings = []
        for fmt in ("docx", "xlsx"):
            t = time.perf_counter()
            build.render(report, fmt, build.masthead_for(report.period) if fmt == "docx" else None)
            timings.append(time.perf_counter() - t)
        out.append((label, gathered, *timings))
    return out


def _report_child(path, queue) -> None:
    queue.put(_report_times(path))


def reports(path: Path) -> None:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_report_child, args=(str(path), queue))
    proc.start()
    rows = queue.get()
    proc.join()
    print(f"{'报告':<10}{'汇总内容 秒':>12}{'Word 秒':>10}{'Excel 秒':>10}{'Word 文件 秒':>14}{'Excel 文件 秒':>14}")
    for label, gathered, docx_s, xlsx_s in rows:
        print(f"{label:<10}{gathered:>12.2f}{docx_s:>10.2f}{xlsx_s:>10.2f}{gathered + docx_s:>14.2f}"
              f"{gathered + xlsx_s:>14.2f}", flush=True)
    worst = max(max(g + d, g + x) for _, g, d, x in rows)
    print(f"最慢的报告文件（汇总内容 + 写文件）：{worst:.2f} s  （目标：10万项资产时每个文件 ≤ 10 s）", flush=True)


def _child(step, path, queue) -> None:
    seconds, rows, *extra = step(path)
    queue.put((seconds, rows, _peak_mib(), extra[0] if extra else None, extra[1] if len(extra) > 1 else None))


def run_step(step, path: str) -> tuple[float, int, float, float | None, tuple | None]:
    """Run one step in a fresh process: (seconds, rows, peak MiB of that process,
    and for (d) the seconds of loading into DuckDB before it and (MG, DQ) seconds)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(step, path, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(args) -> int:
    if getattr(args, "months", False):           # saved months opened in place, the month history
        from dashboard import month_bench
        return month_bench.main(args)
    from dashboard import sample
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"bench-{args.assets}-seed{args.seed}.xlsx"   # reused only for the same N and seed
    t = time.perf_counter()
    if not path.exists():
        sample.generate(args.assets, args.seed, path)
    print(f"工作簿：{path}（{path.stat().st_size / 1024**2:.1f} MiB，资产{args.assets:,}项，"
          f"生成/复用 {time.perf_counter() - t:.1f} s）", flush=True)
    if args.reports:
        reports(path)
        return 0
    if args.whole:
        wholes(path)
        return 0
    steps = [("(a) pandas + openpyxl 读取", _read_openpyxl), ("(b) pandas + calamine 读取", _read_calamine),
             ("(b′) 仅 python-calamine 读取", _read_bare),
             ("(c) 本系统完整导入", _import), ("(d) 全部规则评估（已载入）", _evaluate)]
    if args.skip_openpyxl:
        steps = steps[1:]
    results = {}
    print(f"{'步骤':<28}{'秒':>10}{'行数':>12}{'峰值内存 MiB':>16}", flush=True)
    for label, step in steps:
        seconds, rows, peak, loading, checks = run_step(step, str(path))
        results[label.split()[0]] = seconds
        if loading is not None:
            print(f"{'    其前：载入 DuckDB 并预判台账事实':<28}{loading:>10.2f}", flush=True)
        print(f"{label:<28}{seconds:>10.2f}{rows:>12,}{peak:>16,.0f}", flush=True)
        if checks is not None:
            mg, mg_load, dq, cells = checks
            print(f"    其中 MG1–MG6 管理核查 {mg:.3f} s（在 (d) 内；不随日期变的部分 {mg_load:.3f} s 在载入内）\n"
                  f"    MG+DQ 加在评估上 {mg + dq:.3f} s  （目标：100万项资产时 ≤ 0.3 s）；"
                  f"连同载入时的部分 {mg + mg_load + dq:.3f} s\n"
                  f"    另：DQ1–DQ4 数据质量 {dq:.3f} s、完整率的单元格计数 {cells:.3f} s（不在评估内：数据质量页、dq.csv、"
                  f"月调度首次问及时各算一次）", flush=True)
    if "(b)" in results and "(c)" in results:
        print(f"(c)/(b) = {results['(c)'] / results['(b)']:.2f}  （目标 ≤ 1.5）")
    if "(a)" in results and "(c)" in results:
        print(f"(a)/(c) = {results['(a)'] / results['(c)']:.2f}  （本系统比 openpyxl 快的倍数）")
    if "(d)" in results:
        print(f"(d) = {results['(d)']:.3f} s  （目标：100万项资产时 ≤ 1 s）")
    if "(b′)" in results and "(c)" in results:
        print(f"(c)/(b′) = {results['(c)'] / results['(b′)']:.2f}  （导入比仅读取多用的倍数）")
    wholes(path)
    return 0
