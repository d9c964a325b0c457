"""`python -m dashboard users …` and `python -m dashboard audit …`: the store from a shell.

The banner's administrator creates the first account here (that ends demo mode).  Every
change is written to the audit trail as done by 命令行 (with the operating-system user).
Passwords come from standard input (`--password-stdin`, one line) or a prompt that does
not echo; they are never taken as an argument, which would leave them in the shell history.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from dashboard.scope import ROLES


def add_parsers(sub, date_type) -> None:
    users = sub.add_parser("users", help="账号管理：add / list / disable / enable / passwd / unlock")
    verbs = users.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="新建账号")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES),
                     help="；".join(f"{k}={v}" for k, v in ROLES.items()))
    add.add_argument("--town", help="镇、嘎查村账号的所在镇")
    add.add_argument("--village", help="嘎查村账号的嘎查村")
    add.add_argument("--department", help="旗行业主管部门账号的部门（名单见系统管理页）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码")
    verbs.add_parser("list", help="列出账号")
    for verb, text in (("disable", "停用账号（立即结束其登录）"), ("enable", "重新启用账号"),
                       ("unlock", "解除登录失败造成的锁定（所有地址）")):
        verbs.add_parser(verb, help=text).add_argument("name")
    passwd = verbs.add_parser("passwd", help="修改密码（立即结束其登录）")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")

    global _AUDIT_PARSER
    audit = _AUDIT_PARSER = sub.add_parser("audit", help="导出审计记录（CSV）；audit verify 校验哈希链")
    audit.add_argument("verb", nargs="?", choices=["verify"], help="verify：校验审计记录的哈希链（无需 --out）")
    audit.add_argument("--since", type=date_type, help="起始日期（北京时间）YYYY-MM-DD")
    audit.add_argument("--user")
    audit.add_argument("--action", help="操作代码，如 sign_in、upload、export")
    audit.add_argument("--out", type=Path, metavar="FILE.csv")

    migrate = sub.add_parser("store", help="运行存储的数据库迁移（以表的所有者角色：ZCPH_MIGRATE_DATABASE_URL）")
    migrate.add_argument("verb", choices=["migrate"])


_AUDIT_PARSER = None


NO_TERMINAL = ("没有可输入密码的终端（标准输入不是终端）。请加 --password-stdin，从标准输入提供密码（一行），"
               "例如：printf '%s\\n' \"$密码\" | .venv/bin/python -m dashboard users add 用户名 --role admin --password-stdin")


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin or not sys.stdin.isatty():     # a script or a pipe: getpass would end in EOFError
        raise ValueError(NO_TERMINAL)
    try:
        first = getpass.getpass("密码：")
        again = getpass.getpass("再次输入密码：")
    except EOFError:
        raise ValueError("未输入密码。") from None
    if again != first:
        raise ValueError("两次输入的密码不一致。")
    return first


def _actor() -> dict:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return {"user": f"命令行（{who}）", "role": None, "scope": "全旗", "client": "命令行", "session": f"pid {os.getpid()}"}


def record(action: str, obj: str, **details) -> None:
    """An export or change made from the command line, in the audit trail (its actor: the OS user)."""
    from dashboard.store import audit
    audit.record(action, obj=obj, details=details, **_actor())


def users(args) -> int:
    from dashboard.store import accounts, audit
    if args.verb == "list":
        rows = accounts.all_accounts()
        if not rows:
            print("还没有账号（演示模式）。新建管理员：.venv/bin/python -m dashboard users add 用户名 --role admin")
        for a in rows:
            place = a.department or "".join(p for p in (a.town, a.village) if p) or "全旗"
            print(f"{a.name}\t{ROLES[a.role]}\t{place}\t{'已停用' if a.disabled else '正常'}")
        return 0
    try:
        if args.verb == "add":
            account = accounts.add(args.name, args.role, _password(args), town=args.town, village=args.village,
                                   department=args.department, by=_actor()["user"])
            message = f"已新建账号“{account.name}”（{ROLES[account.role]}，范围：{account.scope().label}）。"
            action, details = "account_add", {"角色": ROLES[account.role], "范围": account.scope().label}
        elif args.verb == "unlock":
            locked = accounts.unlock(args.name)
            message = f"已解除“{args.name}”的登录锁定（此前锁定的地址{locked}个）。"
            action, details = "account_unlock", {"锁定的地址": locked}
        elif args.verb in ("disable", "enable"):
            accounts.set_disabled(args.name, args.verb == "disable")
            message = f"已{'停用' if args.verb == 'disable' else '启用'}账号“{args.name}”。"
            action, details = f"account_{args.verb}", {}
        else:
            accounts.set_password(args.name, _password(args))
            message, action, details = f"已修改“{args.name}”的密码，其登录已结束。", "account_passwd", {}
    except (accounts.AccountError, ValueError) as exc:
        audit.record(f"account_{args.verb}" if args.verb != "passwd" else "account_passwd", obj=args.name,
                     outcome="refused", details={"原因": str(exc)}, **_actor())
        print(str(exc), file=sys.stderr)
        return 2
    audit.record(action, obj=args.name, details=details, **_actor())
    print(message)
    return 0


def verify_audit() -> int:
    """`audit verify`: 0 when the chain holds from the first entry to the last, else 2 naming
    the first entry that breaks it."""
    from dashboard import store
    from dashboard.store import audit
    count, broken = audit.verify()
    if broken is None:
        print(f"审计记录完整：共{count}条，哈希链校验通过")
        return 0
    print(f"审计记录被改动：第{count}条（编号{broken.id}，{store.beijing(broken.at)}）{broken.reason}；"
          f"自此条起的记录不可信。", file=sys.stderr)
    return 2


def migrate_store() -> int:
    from dashboard import store
    found, now = store.migrate()
    print(f"数据库结构已是第{now}版" + (f"（由第{found}版迁移）" if found != now else "（无需迁移）") + "。")
    return 0


def export_audit(args) -> int:
    from dashboard.store import audit
    if args.verb == "verify":
        return verify_audit()
    if args.out is None:
        _AUDIT_PARSER.error("the following arguments are required: --out")
    entries = audit.rows(args.since, args.user, args.action)
    table = audit.frame(entries)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(audit.csv_bytes(table))
    audit.record("audit_export", obj=args.out.name, details={
        "起始日期": args.since.isoformat() if args.since else "—", "用户": args.user or "—",
        "操作": args.action or "—", "条数": len(table)}, **_actor())
    print(f"已导出审计记录{len(table):,}条：{args.out}")
    return 0


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command == "users":
        return users(args)
    if args.command == "audit":
        return export_audit(args)
    if args.command == "store":
        return migrate_store()
    return None

