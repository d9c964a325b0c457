"""审计记录 (旗级管理员): who signed in, uploaded, changed or exported what, when — filtered
and downloaded.  The trail is append-only; this page only reads it (its export is itself
recorded)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import ui
from dashboard.store import audit
from dashboard.ui import auth

SHOWN = 2000        # newest entries on the page; the download has every match


def body(_ctx) -> None:
    left, mid, right = st.columns(3)
    since = left.date_input("起始日期", value=dt.date.today() - dt.timedelta(days=30), key="audit.since",
                            format="YYYY-MM-DD")
    user = mid.text_input("用户", key="audit.user", placeholder="全部用户").strip() or None
    action = right.selectbox("操作", [None, *audit.ACTIONS], key="audit.action",
                             format_func=lambda a: "全部操作" if a is None else audit.ACTIONS[a])
    entries = audit.rows(since, user, action)
    table = audit.frame(entries)
    st.caption(f"共{len(table):,}条" + (f"，显示最新{SHOWN:,}条" if len(table) > SHOWN else "") + "；时间为北京时间。")
    st.dataframe(table.head(SHOWN), hide_index=True, width="stretch", key="audit.table")

    def download() -> bytes:
        auth.record("audit_export", "审计记录.csv", details={
            "起始日期": since.isoformat() if since else "—", "用户": user or "—",
            "操作": audit.ACTIONS.get(action, "—") if action else "—", "条数": len(table)})
        return audit.csv_bytes(table)

    st.download_button("下载审计记录（CSV）", auth.bound(download), "审计记录.csv", "text/csv", on_click="ignore",
                       icon=":material/download:", key="audit.download")


ui.run("审计记录", body, needs_data=False)
