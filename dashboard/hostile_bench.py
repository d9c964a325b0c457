"""`python -m dashboard hostile`: the three small-but-costly uploads of issue 18.6, each read
the way 数据上传 reads an upload (load_files on its bytes, then the mapping step's preview),
in a fresh process: seconds to the answer, peak memory of that process and of its workers.
Then a session that ends while an unbudgeted read runs: seconds until its worker is gone.

The files come from tests/hostile_files.py (made here, never committed).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "百万行.xlsx": ("million_rows", ()),           # 1,048,575 rows (7.9 MB)
    "压缩炸弹.xlsx": ("dense_bomb", (230_000, 45)),  # 693 KB → 168 MB of XML, 10.35 million cells
    "16384列.xlsx": ("columns_16384", ()),         # 157 KB, 320 rows × 16,384 cells
}


def _files():
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile_files as H
    return H


def _hwm() -> int:
    """This process's peak resident memory, MiB (VmHWM: unlike ru_maxrss, not carried over exec
    from the process that made the files)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def one(name: str, folder: str) -> dict:
    """In this process: read the file as an upload; what it took."""
    data = (Path(folder) / name).read_bytes()
    from dashboard.ingest import jobs, load_files
    t = time.perf_counter()
    result = load_files([(name, data)], use_saved=False)
    took = time.perf_counter() - t
    t = time.perf_counter()
    try:
        _, grids = jobs.sheets_of((name, data), len(data) + 1, rows=50)     # the mapping step's preview
        preview = f"{len(grids)}张表"
    except Exception as e:  # noqa: BLE001 — the refusal is the expected answer
        preview = str(e)[:60]
    import multiprocessing
    for child in multiprocessing.active_children():      # reaped, so that their peak is counted
        child.join()
    return {"file": name, "bytes": len(data), "seconds": round(took, 2),
            "preview_seconds": round(time.perf_counter() - t, 2), "usable": result.usable,
            "message": result.fatal[0] if result.fatal else "", "preview": preview,
            "parent_peak_mib": _hwm(),
            "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}


def session_end(folder: str) -> dict:
    """A read without a budget (as the command line's) of the million-row file, whose caller
    leaves after one second: how long until run() raises and the worker is dead."""
    from dashboard.ingest import tasks, worker
    path = os.path.join(folder, "百万行.xlsx")
    head = Path(path).read_bytes()[:8192]
    start = time.monotonic()
    procs = []

    class Left(Exception):
        pass

    def check():
        procs.extend(p for _, p in runner.running.values() if p not in procs)
        if time.monotonic() - start > 1.0:
            raise Left
    worker.session_check = lambda: check
    runner = worker.Runner(worker.Limits.resolve(), folder)
    done = []
    runner.submit(tasks.grids, ("百万行.xlsx", path, head, None, folder, None), 0, done.append)
    try:
        runner.run()
        left = False
    except Left:
        left = True
    gone = time.monotonic() - start
    alive = [p.pid for p in procs if p.exitcode is None]
    return {"left_after_seconds": 1.0, "run_raised": left, "finished": [o.status for o in done], "worker_gone_after_seconds": round(gone, 2),
            "workers_still_alive": alive,
            "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}


def main(args=None) -> int:
    if args is not None and getattr(args, "one", None):
        name, folder = args.one.split("|")
        print(json.dumps(session_end(folder) if name == "session" else one(name, folder), ensure_ascii=False))
        return 0
    import tempfile
    folder = tempfile.mkdtemp(prefix="zcph-hostile-")
    H = _files()
    for name, (fn, fargs) in FILES.items():
        (Path(folder) / name).write_bytes(getattr(H, fn)(*fargs))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    for name in [*FILES, "session"]:
        wall = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", "dashboard", "hostile", "--one", f"{name}|{folder}"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=900)
        if p.returncode:
            print(p.stderr, file=sys.stderr)
            return 1
        got = json.loads(p.stdout.strip().splitlines()[-1])
        got["process_seconds"] = round(time.perf_counter() - wall, 2)
        rows.append(got)
    for r in rows:
        if "file" in r:
            print(f"{r['file']}（{r['bytes'] / 1024:,.0f} KB）：{r['seconds']} s（预览 {r['preview_seconds']} s），"
                  f"主进程峰值 {r['parent_peak_mib']} MiB，工作进程峰值 {r['worker_peak_mib']} MiB；{r['message']}")
        else:
            print(f"会话结束（1 s后，读取百万行文件且不设上限）：run(){'已中止' if r['run_raised'] else '未中止'}，工作进程在"
                  f"{r['worker_gone_after_seconds']} s时已结束（仍在运行：{r['workers_still_alive'] or '无'}），"
                  f"工作进程峰值 {r['worker_peak_mib']} MiB")

    shutil.rmtree(folder, ignore_errors=True)
    return 0
