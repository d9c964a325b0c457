"""`python -m dashboard evaluate`: the rule results as the files of exports.md."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dashboard import pipeline, rules, safe
from dashboard.rules import Evaluation


def write_exports(bench: pipeline.Workbench, ev: Evaluation, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    bind = rules.bindings(ev.as_of, ev.params, ev.not_evaluated)
    for name, query in (("assets", "export_assets"), ("distribution", "export_distribution"),
                        ("disposals", "export_disposals")):
        _write_csv(pipeline.frame(bench.con, query, bind), out / f"{name}.csv")
    rejected = bench.result.rejection_frame()
    rejected = rejected.rename(columns={"文件": "file", "工作表": "sheet", "行": "row",
                                        "列": "column", "原因": "reason"})
    _write_csv(rejected[["file", "sheet", "row", "column", "reason"]], out / "rejected.csv")
    summary = build_summary(bench, ev, bind)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    return summary


def _write_csv(frame, path: Path) -> None:
    # UTF-8 with BOM so Excel opens Chinese text correctly; no formula can start a cell.
    safe.safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")


def build_summary(bench: pipeline.Workbench, ev: Evaluation, bind: dict) -> dict:
    towns: dict[str, dict[str, int]] = {}
    levels = {"red": 0, "yellow": 0, "none": 0}
    for town, level, n, _ in pipeline.frame(bench.con, "summary_levels_by_town", bind).itertuples(index=False):
        towns.setdefault(town, {"red": 0, "yellow": 0, "none": 0})[level] = int(n)
        levels[level] += int(n)
    by_rule = {r: int(n) for r, n in pipeline.frame(bench.con, "summary_rules", bind).itertuples(index=False)}
    return {
        "as_of": ev.as_of.isoformat(),
        "last_full_year": ev.last_full_year,
        "parameters": ev.params,
        "counts_by_level": levels,
        "counts_by_town": towns,
        "counts_by_rule": by_rule,
        "not_evaluated": ev.not_evaluated,
        "sheets": [{"file": s.file, "sheet": s.sheet, "kind": s.kind, "rows_read": s.rows_read,
                    "rows_loaded": s.rows_loaded, "rows_rejected": s.rows_rejected}
                   for s in bench.result.sheets],
    }


def run(files: list[str], as_of: dt.date, out: Path, params: dict) -> tuple[int, str]:
    """Returns (exit status, message for stderr)."""
    bench = pipeline.open_ledgers(files)
    if not bench.result.usable:
        return 2, "；".join(bench.result.fatal) or "文件无法使用：未找到资产台账"
    ev = pipeline.evaluate(bench, as_of, params)
    summary = write_exports(bench, ev, out)
    counts = summary["counts_by_level"]
    return 0, (f"已评估{sum(counts.values())}项资产：红色预警{counts['red']}项，黄色预警{counts['yellow']}项；"
               f"结果写入{out}")
