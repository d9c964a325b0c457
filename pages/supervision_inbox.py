"""督办事项 (verification.md §3): a town's or department's own 督办 — each asset with its red
rules and facts, 整改时限, 逾期 in red, 预警已解除 beside the state —, its answer (整改措施,
计划完成日期, 整改中 or 已整改（申请销号）, evidence files), the T1 sign-off by its own
account, and the reminders of assets about to turn red.  Only draws: dashboard/supervision/
answers, checks, stores and audits."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import snapshots
from dashboard import supervision as S
from dashboard.safe import md
from dashboard.supervision import evidence as files
from dashboard.ui import supervision as U
from dashboard import ui

DONE = "inbox.done"
FIXED_LABEL = "已整改（申请销号）"
KIND_ZH = {"contract": "合同到期", "income": "收益到期"}


def answer_form(it: S.Item, today: dt.date) -> None:
    with st.form(f"inbox.answer.{it.id}", border=False):
        measures = st.text_area("整改措施", it.measures or "", key=f"inbox.measures.{it.id}", max_chars=4000)
        left, right = st.columns(2)
        planned = left.date_input("计划完成日期", it.planned or it.due, key=f"inbox.planned.{it.id}",
                                  format="YYYY-MM-DD")
        state = right.radio("整改状态", [S.WORKING, FIXED_LABEL], horizontal=True, key=f"inbox.state.{it.id}",
                            index=1 if it.answer_state == S.FIXED else 0)
        uploads = st.file_uploader(f"佐证材料（{files.ALLOWED}，每个不超过20MB，可多选）", accept_multiple_files=True,
                                   key=f"inbox.files.{it.id}")
        sent = st.form_submit_button("提交反馈", type="primary")
    if not sent:
        return
    try:
        S.answer(it.number, it.asset_id, U.actor(), measures, S.FIXED if state == FIXED_LABEL else S.WORKING,
                 planned)
    except S.SupervisionError as exc:
        st.error(md(str(exc)))
        return
    kept, refused = [], []
    for f in uploads or []:
        try:
            kept.append(S.add_evidence(it.number, it.asset_id, U.actor(), f.name, f.getvalue()).name)
        except S.SupervisionError as exc:
            refused.append(f"“{f.name}”未保存：{exc}")
    message = f"已提交{it.number}资产{it.asset_id}的反馈（{state}）" + (f"，佐证材料{len(kept)}份" if kept else "") + "。"
    st.session_state[DONE] = (message, refused)
    st.rerun()


def signoff(it: S.Item) -> None:
    if it.tier != "T1":
        st.caption(f"{it.tier}层级：由旗级管理员或旗级领导销号（{S.TIER_WHO[it.tier]}）。")
        return
    if it.state != S.FIXED:
        st.caption("T1层级：反馈“已整改”后由本单位销号。")
        return
    if st.button("销号（T1，本单位）", key=f"inbox.signoff.{it.id}", icon=":material/task_alt:"):
        try:
            S.signoff(it.number, it.asset_id, U.actor())
        except S.SupervisionError as exc:
            st.error(md(str(exc)))
            return
        st.session_state[DONE] = (f"{it.number}资产{it.asset_id}已销号。", [])
        st.rerun()


def item_box(it: S.Item, today: dt.date) -> None:
    overdue = it.state != S.SIGNED and it.overdue(today)
    label = (f"{it.number} · {it.asset_id} {it.asset_name or ''} · {it.state}" + ("（逾期）" if overdue else "")
             + (" · 预警已解除" if it.cleared else ""))
    with st.expander(label, expanded=it.state != S.SIGNED, icon=":material/error:" if overdue else None):
        U.details(it, today)
        if it.state == S.SIGNED:
            return
        answer_form(it, today)
        signoff(it)


def reminders(actor: S.Actor) -> None:
    st.subheader("提醒（尚未督办）")
    rows = S.reminders(actor)
    if not rows:
        st.caption("最新保存月份中没有一个月内将到期的合同或收益。")
        return
    st.caption("合同将在黄色预警期限内到期、或收益将在一个月内到期的资产，请提前处理，避免转为红色预警。")
    frame = pd.DataFrame([{"资产编号": r["asset_id"], "资产名称": r["asset_name"] or "—", "所在镇": r["town"] or "—",
                           "嘎查村": r["village"] or "—", "提醒": KIND_ZH.get(r["kind"], r["kind"]),
                           "到期日期": U.day(r["due_date"]), "说明": r["reason"]} for r in rows])
    st.dataframe(frame, hide_index=True, key="inbox.reminders")


def body(_ctx) -> None:
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(md(done[0]))
        for line in done[1]:
            st.error(md(line))
    actor = U.actor()
    today = S.beijing_today()
    found = S.items(actor)
    months = snapshots.list_months()
    open_items = [it for it in found if it.state != S.SIGNED]
    overdue = sum(it.overdue(today) for it in open_items)
    c = st.columns(3)
    c[0].metric("未销号督办", f"{len(open_items)}项", border=True)
    c[1].metric("其中逾期", f"{overdue}项", border=True)
    c[2].metric("已销号", f"{len(found) - len(open_items)}项", border=True)
    st.caption(f"{md(actor.scope_label)}的督办事项。整改时限过后仍未反馈“已整改”的为逾期（红色）；"
               + (f"“预警已解除”依据最新保存的{snapshots.month_label(months[-1].month)}。" if months else "")
               + "销号前须反馈“已整改”，且资产在最新保存月份已不是红色预警。")
    if not found:
        st.info("目前没有督办事项。")
    else:
        shown = found if st.toggle("显示已销号的督办", key="inbox.all") else open_items
        if not shown:
            st.success("督办事项均已销号。")
        for it in shown:
            item_box(it, today)
    notices = S.notices(actor)
    if notices:
        with st.expander("督办通知（Word）"):
            for n in notices:
                U.notice_button(n.number, n.authority, key=f"inbox.notice.{n.id}")
    reminders(actor)


ui.run("督办事项", body, needs_data=False)
