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
                                                          "资产": result.assets, "冲突": len(result.conflicts)},
                 **_actor())
    print(result.message)
    return 0


def dispatch(args, mappings) -> int | None:
    if args.command == "submit":
        return submit(args, mappings())
    if args.command == "consolidate":
        return consolidate(args)
    return None
