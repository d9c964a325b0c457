"""`python -m dashboard bench --assets N`: the performance targets, measured.

Generates a workbook of N assets, then times in separate processes (so each
peak memory figure is that step's own):
  (a) pandas.read_excel(engine="openpyxl") of every sheet — the plain way
  (b) pandas.read_excel(engine="calamine") of every sheet — a plain calamine read
  (c) our full import (dashboard.ingest.load_files: headers, units, dates, checks)
  (d) our evaluation of every rule, on the ledgers already loaded in DuckDB
      (printed with it: loading the import into DuckDB, which also judges the
      ledgers' own facts once, queries/asset_facts.sql and the like — the work
      an evaluation at another date or with other thresholds does not redo)
Targets (issue 2): (c) ≤ 1.5 × (b); (d) ≤ 1 s at 1,000,000 assets; 1M imported within 24 GiB.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2024, 12, 31)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


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
    rules.evaluate(con, AS_OF)
    seconds = time.perf_counter() - t
    return seconds, con.execute("SELECT count(*) FROM asset_results").fetchone()[0], loading


def _child(step, path, queue) -> None:
    seconds, rows, *extra = step(path)
    queue.put((seconds, rows, _peak_mib(), extra[0] if extra else None))


def run_step(step, path: str) -> tuple[float, int, float, float | None]:
    """Run one step in a fresh process: (seconds, rows, peak MiB of that process,
    and for (d) the seconds of loading into DuckDB before it)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(step, path, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(args) -> int:
    from dashboard import sample
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"bench-{args.assets}-seed{args.seed}.xlsx"   # reused only for the same N and seed
    t = time.perf_counter()
    if not path.exists():
        sample.generate(args.assets, args.seed, path)
    print(f"工作簿：{path}（{path.stat().st_size / 1024**2:.1f} MiB，资产{args.assets:,}项，"
          f"生成/复用 {time.perf_counter() - t:.1f} s）", flush=True)
    steps = [("(a) pandas + openpyxl 读取", _read_openpyxl), ("(b) pandas + calamine 读取", _read_calamine),
             ("(c) 本系统完整导入", _import), ("(d) 全部规则评估（已载入）", _evaluate)]
    if args.skip_openpyxl:
        steps = steps[1:]
    results = {}
    print(f"{'步骤':<28}{'秒':>10}{'行数':>12}{'峰值内存 MiB':>16}", flush=True)
    for label, step in steps:
        seconds, rows, peak, loading = run_step(step, str(path))
        results[label[:3]] = seconds
        if loading is not None:
            print(f"{'    其前：载入 DuckDB 并预判台账事实':<28}{loading:>10.2f}", flush=True)
        print(f"{label:<28}{seconds:>10.2f}{rows:>12,}{peak:>16,.0f}", flush=True)
    if "(b)" in results and "(c)" in results:
        print(f"(c)/(b) = {results['(c)'] / results['(b)']:.2f}  （目标 ≤ 1.5）")
    if "(a)" in results and "(c)" in results:
        print(f"(a)/(c) = {results['(a)'] / results['(c)']:.2f}  （本系统比 openpyxl 快的倍数）")
    if "(d)" in results:
        print(f"(d) = {results['(d)']:.3f} s  （目标：100万项资产时 ≤ 1 s）")
    return 0
