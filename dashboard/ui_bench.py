"""`python -m dashboard uibench`: how long a page rerun takes after a filter change.

Drives the real app with AppTest on a generated workbook (100,000 assets by
default) used as the sample: the first run imports and evaluates it (cached), then
each page is rerun after changing the sidebar's town and warning-level filters to
values not seen before, so every rerun runs its queries (no cache hit).
Target (issue 3): under 0.3 s per rerun with 100,000 assets.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "heatmap", "ledger")
TARGET = 0.3


def _timed(at) -> float:
    t = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return seconds


def _changes(towns: list[str]) -> list[dict]:
    """Filter states, each new to the cache: one town, two towns, red only, yellow in one town."""
    out = [{"towns": [t]} for t in towns]
    out += [{"towns": towns[:2]}, {"levels": ["red"]}, {"towns": towns[-1:], "levels": ["yellow"]}]
    return out


def run(workbook: Path) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest
    os.environ["ZCPH_SAMPLE"] = str(workbook)
    os.environ.setdefault("ZCPH_DATA_DIR", tempfile.mkdtemp(prefix="uibench-"))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=900)
    print(f"首次打开（导入并评估）：{_timed(at):.1f} s", flush=True)
    towns = list(at.multiselect(key="ui.f.sample.towns").options)
    results = {}
    for page in PAGES:
        at.switch_page(f"../pages/{page}.py")
        _timed(at)
        times = []
        for change in _changes(towns):
            at.multiselect(key="ui.f.sample.towns").set_value(change.get("towns", []))
            at.multiselect(key="ui.f.sample.levels").set_value(change.get("levels", []))
            times.append(_timed(at))
        at.multiselect(key="ui.f.sample.towns").set_value([])
        at.multiselect(key="ui.f.sample.levels").set_value([])
        _timed(at)
        results[page] = times
    return results


def main(args) -> int:
    from dashboard import sample
    path = Path(args.workbook or Path(tempfile.gettempdir()) / f"uibench-{args.assets}-{args.seed}.xlsx")
    if not path.exists():
        t = time.perf_counter()
        sample.generate(args.assets, args.seed, path)
        print(f"已生成{path}（{time.perf_counter() - t:.1f} s）", flush=True)
    results = run(path)
    print(f"{'页面':<12}{'筛选变化次数':>10}{'中位数 s':>12}{'最大 s':>10}")
    worst = 0.0
    for page, times in results.items():
        worst = max(worst, max(times))
        print(f"{page:<12}{len(times):>10}{statistics.median(times):>12.3f}{max(times):>10.3f}")
    verdict = "达标" if worst < TARGET else "未达标"
    print(f"筛选变化后页面重跑最长 {worst:.3f} s（目标 < {TARGET} s，{verdict}）")
    return 0
