"""The audit trail: who did what, when, on which part of the banner, and how it ended.

Append-only: this module only inserts and reads, and the database refuses UPDATE and
DELETE on the table (schema.py); each entry carries the hash of the one before (chain.py),
so `verify` finds any entry changed, removed or slipped in.  Columns: time, user, role,
scope, action, object, outcome (ok, failed, locked, refused), details (JSON, Chinese keys),
client (the browser's address, or 命令行), session.  `frame` answers the
administrator's page and `python -m dashboard audit`; `csv_bytes` writes what both export.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import select, text

from dashboard import safe, store
from dashboard.store import chain, schema

T = schema.audit
OUTCOMES = {"ok": "成功", "failed": "失败", "locked": "锁定", "refused": "拒绝"}
ACTIONS = {
    "sign_in": "登录", "sign_out": "退出登录", "upload": "上传台账", "view_upload": "查看未保存的上传",
    "snapshot_save": "保存快照", "snapshot_replace": "覆盖快照", "snapshot_delete": "删除快照",
    "snapshot_restore": "恢复快照版本", "snapshot_versions": "查看快照版本",
    "parameters": "调整政策参数", "negative_list_save": "修改负面清单", "negative_list_reset": "恢复默认负面清单",
    "account_add": "新建账号", "account_disable": "停用账号", "account_enable": "启用账号",
    "account_passwd": "修改密码", "account_unlock": "解除锁定", "departments_save": "修改旗行业主管部门名单", "publish": "发布公示",
    "profile_save": "保存导入方案", "profile_rename": "改名导入方案", "profile_delete": "删除导入方案",
    "profile_apply": "自动采用导入方案",
    "masthead_save": "修改红头与版记", "submit": "月度报送", "consolidate": "汇总月度快照", "open_page": "打开页面", "export": "导出", "report": "下载报告", "console": "SQL 查询", "audit_export": "导出审计记录",
    "supervision_issue": "下发督办", "supervision_answer": "督办反馈", "supervision_evidence": "上传督办佐证材料",
    "supervision_signoff": "督办销号",
    "edition_draft": "起草政策版本", "edition_preview": "预览政策版本", "edition_save": "保存政策版本",
}
COLUMNS = {"at": "时间（北京时间）", "user_name": "用户", "role": "角色", "scope": "范围", "action": "操作",
           "object": "对象", "outcome": "结果", "details": "详情", "client": "客户端地址", "session": "会话"}


LOCK = 150624          # the advisory lock that serialises appending (schema's migration lock is 150623)


def record(action: str, *, user: str | None, role: str | None, scope: str | None, obj: str = "",
           outcome: str = "ok", details: dict | None = None, client: str | None = None,
           session: str | None = None) -> None:
    """Append one entry, chained to the last (dashboard/store/chain.py).  Appending is
    serialised across threads and processes (write_lock), so no two entries follow the same one."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    entry = {"at": store.now(), "user_name": user, "role": role, "scope": scope, "action": action,
             "object": obj or "", "outcome": outcome,
             "details": json.dumps(details or {}, ensure_ascii=False, default=str),
             "client": (client or None) and str(client)[:64], "session": (session or None) and str(session)[:64]}
    with store.engine().connect() as con, con.begin():
        schema.write_lock(con, LOCK)
        last = con.execute(select(T.c.id, T.c.hash).order_by(T.c.id.desc()).limit(1)).first()
        if con.dialect.name == "postgresql":
            new_id = con.execute(text("SELECT nextval(pg_get_serial_sequence('audit', 'id'))")).scalar_one()
        else:
            new_id = (last.id if last else 0) + 1
        entry |= {"id": new_id, "prev_hash": last.hash if last else chain.GENESIS}
        con.execute(T.insert().values(**entry, hash=chain.entry_hash(entry)))


def failure(exc: BaseException) -> str:
    """An unexpected error as an entry's 原因 keeps it: its kind and first 300 characters."""
    return f"{type(exc).__name__}：{exc}"[:300]


def verify() -> tuple[int, chain.Break | None]:
    """(entries checked, the first entry that breaks the chain or None), oldest first."""
    if not store.exists():
        return 0, None
    with store.engine().connect() as con:
        return chain.first_break(con.execute(select(T).order_by(T.c.id)).yield_per(1000))


def rows(since: dt.date | None = None, user: str | None = None, action: str | None = None,
         limit: int | None = None) -> list:
    """Entries, newest first; `since` is a Beijing date."""
    query = select(T).order_by(T.c.id.desc())
    if since:
        query = query.where(T.c.at >= dt.datetime.combine(since, dt.time()) - dt.timedelta(hours=8))
    if user:
        query = query.where(T.c.user_name == user)
    if action:
        query = query.where(T.c.action == action)
    if limit:
        query = query.limit(limit)
    if not store.exists():
        return []
    with store.engine().connect() as con:
        return con.execute(query).all()


def frame(entries: list) -> pd.DataFrame:
    """The entries as the page and the CSV show them: Chinese headers, Beijing time."""
    from dashboard.scope import ROLES
    data = [{
        "at": store.beijing(r.at), "user_name": r.user_name or "—", "role": ROLES.get(r.role, r.role or "—"),
        "scope": r.scope or "—", "action": ACTIONS.get(r.action, r.action), "object": r.object or "",
        "outcome": OUTCOMES.get(r.outcome, r.outcome), "details": _details(r.details),
        "client": r.client or "—", "session": r.session or "—"} for r in entries]
    return pd.DataFrame(data, columns=list(COLUMNS)).rename(columns=COLUMNS)


def _details(text: str | None) -> str:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return text or ""
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


def csv_bytes(table: pd.DataFrame) -> bytes:
    return safe.csv_bytes(table)
