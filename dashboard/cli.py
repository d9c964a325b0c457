"""Command line: sample, evaluate, bench, report (see ../shared/spec/exports.md).

A user never sees a traceback: every failure ends in one Chinese line on stderr.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dashboard import policy
from dashboard.ingest.profiles import ProfileError


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a Chinese line, like every failure
        self.exit(2, f"命令行参数错误：{message}\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为YYYY-MM-DD格式：{text}") from None


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="python -m dashboard", description="资产盘活驾驶舱 命令行")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("evaluate", help="评估全部规则并导出结果")
    e.add_argument("workbooks", nargs="*", help="台账文件；不给时用 --month 指定的已汇总月份")
    e.add_argument("--month", default=None, metavar="2024-05", help="已保存或已汇总的月份")
    e.add_argument("--as-of", type=_date, default=None, help="缺省：台账的数据日期（已汇总月份为其数据日期或月末）")
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    e.add_argument("--mapping", action="append", default=[], metavar="PROFILE.toml",
                   help="导入方案（见 mapping-profiles.md），可多次指定")
    e.add_argument("--edition", type=Path, default=None, metavar="FILE.toml",
                   help="按此政策版本评估；缺省：评估基准日施行的版本")

    s = sub.add_parser("sample", help="生成示例台账")
    s.add_argument("--assets", type=int, default=800)
    s.add_argument("--seed", type=int, default=2024)
    s.add_argument("--out", type=Path, required=True)

    r = sub.add_parser("report", help="生成月调度、季通报或年总结（xlsx或docx）")
    r.add_argument("kind", metavar="monthly|quarterly|annual")
    r.add_argument("workbooks", nargs="*", help="台账文件；不给时读期末所在月的已汇总数据")
    r.add_argument("--period", required=True, metavar="2024-05|2024Q2|2024")
    r.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.docx")
    r.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    r.add_argument("--as-of", type=_date, default=None)
    r.add_argument("--mapping", action="append", default=[], metavar="PROFILE.toml")
    r.add_argument("--edition", type=Path, default=None, metavar="FILE.toml",
                   help="按此政策版本评估；缺省：评估基准日施行的版本")

    b = sub.add_parser("bench", help="性能基准")
    b.add_argument("--assets", type=int, default=100_000)
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--skip-openpyxl", action="store_true", help="不测openpyxl读取（100万行时约5分钟）")
    b.add_argument("--workdir", type=Path, default=None)
    b.add_argument("--reports", action="store_true", help="只测报告：每种报告的汇总内容、Word 和 Excel 文件用时")
    b.add_argument("--months", action="store_true", help="只测已保存月份：原地打开的用时和内存、12个月的内存、热力图月份历史的CPU")
    b.add_argument("--whole", action="store_true", help="只测整个进程：evaluate 与仅 python-calamine 读取的 CPU 秒和墙钟秒")

    u = sub.add_parser("uibench", help="页面筛选变化后的重跑时间（AppTest）")
    u.add_argument("--assets", type=int, default=100_000)
    u.add_argument("--seed", type=int, default=7)
    u.add_argument("--workbook", type=Path, default=None, help="已生成的工作簿（缺省时生成）")
    h = sub.add_parser("hostile", help="三个小而耗资源的上传文件（问题18.6）：应答用时与内存峰值")
    h.add_argument("--one", default=None, help=argparse.SUPPRESS)
    from dashboard.store import cli as store_cli      # users, audit
    store_cli.add_parsers(sub, _date)
    from dashboard.monthly import cli as monthly_cli  # submit, consolidate
    monthly_cli.add_parsers(sub)
    from dashboard import month_versions              # months list / restore
    month_versions.add_parsers(sub)
    from dashboard import edition_admin               # editions list
    edition_admin.add_parsers(sub)
    from dashboard.supervision import cli as supervision_cli   # supervision issue|list|answer|signoff
    supervision_cli.add_parsers(sub, _date)
    from dashboard import loadtest, serve                 # serve --processes N; loadtest
    serve.add_parsers(sub)
    loadtest.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    # Workbooks are optional for evaluate and report (a saved month instead), and argparse
    # leaves an optional positional list empty when an option comes first: take them back.
    if rest and getattr(args, "workbooks", None) is not None and not any(r.startswith("-") for r in rest):
        args.workbooks = [*args.workbooks, *rest]
    elif rest:
        parser.error(f"无法识别的参数：{' '.join(rest)}")
    try:
        return _dispatch(args)
    except (policy.PolicyError, ProfileError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 — the promise: no traceback reaches a user
        print(f"内部错误：{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _mappings(args) -> list:
    """The --mapping profiles, read and checked (a ProfileError is one Chinese line, exit 2)."""
    from dashboard.ingest import read_profile
    return [read_profile(p) for p in args.mapping]


def _params(args) -> dict:
    """--param NAME=VALUE, checked; only the names given: the others are the defaults of the
    edition judging as_of (rules.evaluate)."""
    given = policy.parse_param_args(args.param)
    resolved = policy.resolve_params(given)
    return {name: resolved[name] for name in given}


def _edition(args):
    """--edition FILE.toml, checked like a file in the editions folder (PolicyError: one line)."""
    if args.edition is None:
        return None
    from dashboard import editions
    if not args.edition.is_file():
        raise policy.PolicyError(f"政策版本文件不存在：{args.edition}")
    return editions.parse(args.edition)


def _dispatch(args) -> int:
    if args.command == "evaluate":
        from dashboard import evaluate
        params = _params(args)
        if args.workbooks and args.as_of is None:
            print("命令行参数错误：给出台账文件时须指定 --as-of", file=sys.stderr)
            return 2
        status, message = evaluate.run(args.workbooks, args.as_of, args.out, params, _mappings(args), args.month,
                                       edition=_edition(args))
        print(message, file=sys.stderr if status else sys.stdout)
        return status
    if args.command == "sample":
        from dashboard import sample
        counts = sample.generate(args.assets, args.seed, args.out)
        print(f"已生成{args.out}：{counts}")
        return 0
    if args.command == "report":
        from dashboard.reports import build
        params = _params(args)
        status, message = build.run(args.kind, args.period, args.workbooks, args.out, params, args.as_of,
                                    _mappings(args), edition=_edition(args))
        print(message, file=sys.stderr if status else sys.stdout)
        return status
    if args.command == "uibench":
        from dashboard import ui_bench
        return ui_bench.main(args)
    if args.command == "bench":
        from dashboard import bench
        return bench.main(args)
    if args.command == "hostile":
        from dashboard import hostile_bench
        return hostile_bench.main(args)
    if args.command == "supervision":
        from dashboard.supervision import cli as supervision_cli
        return supervision_cli.dispatch(args)
    from dashboard.monthly import cli as monthly_cli
    from dashboard.store import cli as store_cli
    if args.command in ("serve", "loadtest"):
        from dashboard import loadtest, serve
        return (serve if args.command == "serve" else loadtest).dispatch(args)
    status = store_cli.dispatch(args)
    if status is None:
        from dashboard import month_versions
        status = month_versions.dispatch(args)
    if status is None:
        from dashboard import edition_admin
        status = edition_admin.dispatch(args)
    if status is None:
        status = monthly_cli.dispatch(args, lambda: _mappings(args))
    return 2 if status is None else status
