"""What the 督办 pages share (pages/supervision.py, pages/supervision_inbox.py): the signed-in
user as dashboard.supervision's Actor, the open count in the navigation, an item as a table
row and as a line, the evidence and notice downloads (audited).  The rules live in
dashboard/supervision/; this only draws."""
from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from dashboard import store, supervision as S
from dashboard.explain import fmt_date
from dashboard.safe import md
from dashboard.ui import auth

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EVIDENCE_MIME = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "docx": DOCX_MIME}
OVERDUE_STYLE = "color: #b71c1c; font-weight: bold"
OPEN_COUNT = "supervision.open_count"    # this run's count (nav_title), for the notice on other pages
log = logging.getLogger(__name__)


def actor(user: auth.User | None = None) -> S.Actor:
    """The user of this run (or of a deferred download) as the supervision module's Actor."""
    user = user or auth.current()
    client, session = auth._BOUND_WHERE.get() or auth.attribution()     # a download: where it was drawn
    return S.Actor(user.name or "演示模式", user.role, town=user.scope.town, village=user.scope.village,
                   department=user.scope.department, client=client, session=session)


def open_count(user: auth.User) -> int:
    """督办 not yet 已销号 of the user's authority (what the navigation shows)."""
    return sum(it.state != S.SIGNED for it in S.items(actor(user), check_latest=False))


def nav_title(title: str, user: auth.User | None) -> str:
    """督办事项（2）: the navigation counts the open 督办 of a town's or department's account.
    Never stops the menu: a store that does not answer leaves the plain title."""
    st.session_state.pop(OPEN_COUNT, None)
    if user is None or not user.may("answer_supervision"):
        return title
    try:
        n = open_count(user)
    except Exception:                  # noqa: BLE001 — the menu must draw; the page says what failed
        log.exception("open 督办 count failed")
        return title
    st.session_state[OPEN_COUNT] = n
    return f"{title}（{n}）" if n else title


def reminder(user: auth.User | None, url_path: str) -> None:
    """On every other page (a phone folds the menu away): how many 督办 wait, and the way to them."""
    n = st.session_state.get(OPEN_COUNT) if user is not None and user.may("answer_supervision") else 0
    if not n or url_path == "inbox":
        return
    from dashboard.ui.pages import page_object
    box = st.container(key="supervision_notice", horizontal=True, vertical_alignment="center")
    box.warning(f"本单位有{n}项督办尚未销号，请反馈整改情况。", icon=":material/inbox:")
    box.page_link(page_object("inbox"), label="前往督办事项", icon=":material/arrow_forward:")


def day(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = S.beijing_date(value)
    return value.isoformat()


def rules_text(it: S.Item) -> str:
    return "；".join(f"{r['rule_id']} {r.get('name') or ''}：{r.get('text') or ''}" for r in it.rules)


def frame(found: list[S.Item], today: dt.date) -> pd.DataFrame:
    """The items as the lists and exports show them (text for Excel; dates as 2024-03-31)."""
    return pd.DataFrame([{
        "督办编号": it.number, "责任单位": it.authority, "资产编号": it.asset_id, "资产名称": it.asset_name or "—",
        "所在镇": it.town or "—", "销号层级": it.tier, "月份": it.month,
        "红色预警规则": "、".join(it.rule_ids), "下发日期": day(it.issued_at), "整改时限": day(it.due),
        "状态": it.state, "逾期": "逾期" if it.state != S.SIGNED and it.overdue(today) else "",
        "预警已解除": "是" if it.cleared else "", "整改措施": it.measures or "—",
        "计划完成日期": day(it.planned), "反馈时间": store.beijing(it.answered_at) if it.answered_at else "—",
        "销号时间": store.beijing(it.signed_at) if it.signed_at else "—",
        "佐证材料（份）": len(it.evidence)} for it in found])


def colour_overdue(row: pd.Series) -> list[str]:
    return [OVERDUE_STYLE if row.get("逾期") == "逾期" else ""] * len(row)


def state_line(it: S.Item, today: dt.date) -> str:
    """'整改中 · :red[**逾期**] · 预警已解除' (markdown)."""
    parts = [it.state]
    if it.state != S.SIGNED and it.overdue(today):
        parts.append(":red[**逾期**]")
    if it.cleared:
        parts.append(":green[预警已解除]")
    return " · ".join(parts)


def details(it: S.Item, today: dt.date) -> None:
    """One item: its asset, the red rules with their facts, 整改时限, the answer so far, evidence."""
    st.markdown(f"**{md(it.number)}**　资产 **{md(it.asset_id)} {md(it.asset_name or '')}**"
                f"（{md(it.town or '')}{md(it.village or '')}，{it.tier}层级）　状态：{state_line(it, today)}")
    st.markdown("\n".join(f"- **{md(r['rule_id'])} {md(r.get('name') or '')}**：{md(r.get('text') or '')}"
                          for r in it.rules))
    line = f"下发：{day(it.issued_at)}（{md(it.issued_by or '—')}）　整改时限：{fmt_date(it.due)}"
    if it.cleared is False and it.still_red:
        line += f"　最新月份仍触发：{'、'.join(it.still_red)}"
    st.caption(line)
    if it.answered_at:
        st.markdown(f"整改措施：{md(it.measures or '—')}　计划完成：{day(it.planned)}　"
                    f"反馈：{store.beijing(it.answered_at)}（{md(it.answered_by or '—')}）")
    if it.signed_at:
        extra = (f"，实地核查{day(it.site_check)}" if it.site_check else "") + (f"，复核{day(it.recheck)}" if it.recheck else "")
        st.markdown(f"销号：{store.beijing(it.signed_at)}（{md(it.signed_by or '—')}{extra}）")
    evidence(it)


def evidence(it: S.Item) -> None:
    """Each evidence file, served back by the supervision module (it checks who may see it)."""
    for e in it.evidence:
        def data(evidence_id=e.id, name=e.name, number=it.number) -> bytes:
            _, content = S.evidence_file(evidence_id, actor())
            auth.record("export", f"{number} 佐证材料 {name}", details={"格式": e.kind, "SHA-256": e.sha256})
            return content
        size = f"{e.bytes / 1024 / 1024:,.1f} MB" if e.bytes >= 1024 * 1024 else f"{max(1, round(e.bytes / 1024))} KB"
        st.download_button(f"{e.name}（{size}）", auth.bound(data), e.name,
                           EVIDENCE_MIME.get(e.kind, "application/octet-stream"), on_click="ignore",
                           icon=":material/attach_file:", key=f"sup.ev.{e.id}")


def notice_button(number: str, authority: str, key: str) -> None:
    """The kept 督办通知 (Word) of one notice, audited when downloaded."""
    def data() -> bytes:
        _, content = S.notice_document(number, actor())
        auth.record("export", f"{number} 督办通知", details={"格式": "docx", "责任单位": authority})
        return content
    st.download_button(f"{number} {authority} 督办通知（Word）", auth.bound(data), f"{number}_{authority}_督办通知.docx",
                       DOCX_MIME, on_click="ignore", icon=":material/download:", key=key)
