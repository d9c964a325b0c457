"""`python -m dashboard evaluate`: the rule results as the files of exports.md."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from dashboard import dq, ledgers, policy, safe, snapshots, store
from dashboard.evaluated import Evaluated
from dashboard.ledgers import Ledgers

EXPORTS = (("assets", "exports/assets"), ("distribution", "exports/distribution"),
           ("disposals", "exports/disposals"))


def write_exports(books: Ledgers, ev: Evaluated, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    for name, query in EXPORTS:
        safe.write_csv(ev.arrow(query), out / f"{name}.csv")
    # A saved (consolidated) month was checked when each part was read: nothing rejected here.
    rejected = books.result.rejection_frame() if books.result else pd.DataFrame(
        columns=["文件", "工作表", "行", "列", "原因"])
    rejected = rejected.rename(columns={"文件": "file", "工作表": "sheet", "行": "row",
                                        "列": "column", "原因": "reason"})
    safe.write_csv(rejected[["file", "sheet", "row", "column", "reason"]], out / "rejected.csv")
    # 漏项错项 (verification.md §2): DQ1–DQ4 (quality/findings), the user's scope like every export
    safe.write_csv(dq.csv_frame(dq.findings(ev)), out / "dq.csv")
    summary = build_summary(books, ev)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    return summary


def saved_or_loaded(files: list[str], month: str | None, mappings=()) -> Ledgers | str:
    """The workbooks, or the saved month when none is given; a Chinese reason when unusable."""
    if files:
        books = ledgers.load(files, mappings=list(mappings))
        if books.result.auto_profiles and store.exists():   # a saved (administrator's) profile read the file
            from dashboard.store.cli import record
            record("profile_apply", "、".join(books.result.auto_profiles), **{
                name: "、".join(sheets) for name, sheets in books.result.auto_profiles.items()})
    elif month:
        saved = snapshots.find(month)
        if saved is None:
            return f"{month}没有已保存或已汇总的月度数据（先运行 python -m dashboard consolidate --month {month}）"
        books = ledgers.saved_month(saved)
    else:
        return "请给出台账文件，或用 --month 指定已汇总的月份"
    return books if books.usable else books.fatal


def build_summary(books: Ledgers, ev: Evaluated) -> dict:
    towns: dict[str, dict[str, int]] = {}
    levels = {"red": 0, "yellow": 0, "none": 0}
    for t in ev.rows("shared/town_levels"):
        counts = {"red": t["red"], "yellow": t["yellow"], "none": t["assets"] - t["warned"]}
        if t["is_total"]:
            levels = counts
        else:
            towns[t["town"]] = counts
    by_rule = {r["rule_id"]: r["hits"] for r in ev.rows("exports/rule_counts")}
    checks, by_town = check_counts(ev, towns)
    e = ev.evaluation
    return {
        "as_of": e.as_of.isoformat(),
        "edition": e.edition.meta() if e.edition else None,     # the policy edition judging as_of
        "last_full_year": e.last_full_year,
        "parameters": e.params,
        "counts_by_level": levels,
        "counts_by_town": towns,
        "counts_by_rule": by_rule,
        "not_evaluated": e.not_evaluated,
        "checks": checks,
        "checks_by_town": by_town,
        "sheets": [{"file": s.file, "sheet": s.sheet, "kind": s.kind, "rows_read": s.rows_read,
                    "rows_loaded": s.rows_loaded, "rows_rejected": s.rows_rejected,
                    "orphan_rows": s.orphan_rows, "profile": s.profile,
                    "mapped_columns": s.profile_pairs}
                   for s in (books.result.sheets if books.result else [])],
    }


def check_counts(ev: Evaluated, towns) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """MG1–MG6: assets each check fired on, in all and per town (every town with assets, every
    check, 0 when none)."""
    ids = [r for r, rule in policy.rules().items() if rule.level == "check"]
    by_town = {town: dict.fromkeys(ids, 0) for town in towns}
    for r in ev.rows("exports/check_counts"):
        by_town.setdefault(r["town"], dict.fromkeys(ids, 0))[r["rule_id"]] = r["hits"]
    return {i: sum(t[i] for t in by_town.values()) for i in ids}, by_town


def run(files: list[str], as_of: dt.date | None, out: Path, params: dict, mappings=(),
        month: str | None = None, edition=None) -> tuple[int, str]:
    """Returns (exit status, message for stderr).  With `month` and no files: the saved
    (consolidated) month, judged at its own date unless as_of is given (policy-rules §9), by
    the edition in force then unless `edition` (--edition FILE.toml) is given."""
    books = saved_or_loaded(files, month, mappings)
    if isinstance(books, str):
        return 2, books
    as_of = as_of or books.reference
    ev = Evaluated(books, as_of, params, edition=edition)      # edition None: the one in force at as_of
    summary = write_exports(books, ev, out)
    if not files:                # the store's consolidated month left the server: attributed
        from dashboard.store import cli
        cli.record("export", str(out), 月份=month, 数据截至=as_of.isoformat(),
                   政策版本=ev.evaluation.edition.label())     # exported under it (edition_admin.issued_under)
    counts = summary["counts_by_level"]
    return 0, (f"已评估{sum(counts.values())}项资产：红色预警{counts['red']}项，黄色预警{counts['yellow']}项；"
               f"结果写入{out}")
