"""`python -m dashboard submit …` and `python -m dashboard consolidate …` (exports.md).

`submit` is the banner office keying in an authority's late paper report: the same
submission as the upload page's, recorded as done by 命令行.  It prints one Chinese line
and, with --out DIR, writes the rows not accepted as DIR/rejected.csv.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from dashboard import safe


def add_parsers(sub) -> None:
    s = sub.add_parser("submit", help="报送单位的月度台账（月调度）")
    s.add_argument("workbooks", nargs="+")
    s.add_argument("--month", required=True, metavar="2024-05")
    s.add_argument("--authority", required=True, metavar="城川镇|农牧局")
    s.add_argument("--progress", default="", metavar="本月工作推进情况")
    s.add_argument("--mapping", action="append", default=[], metavar="PROFILE.toml")
    s.add_argument("--out", type=Path, default=None, metavar="DIR")
    c = sub.add_parser("consolidate", help="汇总各单位报送，生成月度快照")
    c.add_argument("--month", required=True, metavar="2024-05")
    t = sub.add_parser("status", help="报送情况（各单位是否报送、何时、何人、接收与未接收行数、沿用上月）")
    t.add_argument("--month", required=True, metavar="2024-05")
    t.add_argument("--out", type=Path, default=None, metavar="FILE.csv")


def _actor() -> dict:
    from dashboard.store.cli import _actor as actor
    return actor()


def _applied(auto: dict) -> str:
    return "；".join(f"{name}（{'、'.join(sheets)}）" for name, sheets in auto.items()) or "无"


def submit(args, mappings: list) -> int:
    from dashboard.monthly.submissions import MonthlyError, submit as do_submit
    from dashboard.store import audit
    try:
        outcome = do_submit(args.month, args.authority, args.workbooks, by=_actor()["user"],
                            progress=args.progress, mappings=mappings)
    except MonthlyError as exc:
        audit.record("submit", obj=f"{args.authority} {args.month}", outcome="refused",
                     details={"原因": str(exc)}, **_actor())
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:                      # recorded, then the traceback as before
        audit.record("submit", obj=f"{args.authority} {args.month}", outcome="failed",
                     details={"原因": audit.failure(exc), "文件": [Path(f).name for f in args.workbooks]},
                     **_actor())
        raise
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        safe.write_csv(outcome.rejected, args.out / "rejected.csv")
    part = outcome.submission
    audit.record("submit", obj=f"{args.authority} {args.month}", outcome="ok" if part else "failed",
                 details={"接收资产": part.accepted if part else 0, "未接收行": len(outcome.rejected),
                          "文件": [Path(f).name for f in args.workbooks],
                          "自动采用的导入方案": _applied(outcome.auto_profiles)}
                 | ({} if part else {"原因": outcome.message}), **_actor())
    print(outcome.message, file=sys.stdout if part else sys.stderr)
    return 0 if part else 2


def consolidate(args) -> int:
    from dashboard.monthly.consolidate import consolidate as do_consolidate
    from dashboard.monthly.submissions import MonthlyError
    from dashboard.store import audit
    try:
        result = do_consolidate(args.month, by=_actor()["user"])
    except MonthlyError as exc:
        audit.record("consolidate", obj=args.month, outcome="failed", details={"原因": str(exc)}, **_actor())
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:                      # recorded and logged; one Chinese line, no server path
        audit.record("consolidate", obj=args.month, outcome="failed", details={"原因": audit.failure(exc)},
                     **_actor())
        logging.getLogger(__name__).exception("consolidation failed")
        print(f"汇总未完成：读取各单位的报送时出错（{type(exc).__name__}，已记入审计记录），请稍后重试。",
              file=sys.stderr)
        return 2
    audit.record("consolidate", obj=args.month, details={"单位": [p.authority for p in result.parts],
                                                          "资产": result.assets, "冲突": len(result.conflicts),
                                                          "沿用上月": [c.label for c in result.carried],
                                                          "未报送且无上月数据": result.missing,
                                                          "替换并保留为": (f"第{result.snapshot.kept}版"
                                                                     if getattr(result.snapshot, "kept", None) else "—")},
                 **_actor())
    print(result.message)
    for item in result.carried:                  # one line each, for the scheduled job's log
        print(f"沿用上月：{item.authority}，{item.assets:,}项，来自{item.origin}")
    for authority in result.missing:
        print(f"未报送且无上月数据：{authority}")
    return 0


STATUS_COLUMNS = ["报送单位", "状态", "报送时间", "报送人", "接收资产（项）", "未接收（行）", "沿用上月"]


def status_rows(month: str) -> list[list]:
    from dashboard import snapshots, store
    from dashboard.monthly import status as S
    out = []
    for r in S.status(month, with_changes=False):
        p = r.part
        out.append([r.authority, r.label(dated=True), store.beijing(p.submitted_at) if p else "",
                    (p.submitted_by or "") if p else "", p.accepted if p else "", p.rejected if p else "",
                    f"{snapshots.month_label(r.carried.month)}，{r.carried.assets}项，来自{r.carried.origin}" if r.carried else ""])
    return out


def status(args) -> int:
    """报送情况 for scheduled jobs: a table on stdout, or --out FILE.csv."""
    from dashboard.monthly.submissions import MonthlyError, check_month
    from dashboard.store import audit
    try:
        check_month(args.month)
    except MonthlyError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    rows = status_rows(args.month)
    if args.out:
        import pandas as pd
        safe.write_csv(pd.DataFrame(rows, columns=STATUS_COLUMNS), args.out)
        audit.record("export", obj=f"报送情况 {args.month}", details={"文件": args.out.name, "行数": len(rows)},
                     **_actor())
        print(f"已写出{args.month}报送情况：{len(rows)}个单位 → {args.out}")
        return 0
    print("\t".join(STATUS_COLUMNS))
    for row in rows:
        print("\t".join(str(v) if v != "" else "—" for v in row))
    return 0


def dispatch(args, mappings) -> int | None:
    if args.command == "submit":
        return submit(args, mappings())
    if args.command == "consolidate":
        return consolidate(args)
    if args.command == "status":
        return status(args)
    return None
