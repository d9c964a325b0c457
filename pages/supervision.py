"""督办 (verification.md §3) for the banner office and leadership: 办理情况 by reporting
authority — issued, answered, overdue (red), signed off, median days to answer — with the
items behind it, a filter and an export; the sign-off of T2 (实地核查日期) and T3/T4
(复核日期); issuing 督办 on a saved month's red assets (all new red, or chosen ones) with
one 督办通知 per authority; the notices kept.  Only draws: dashboard/supervision/ decides,
stores and audits."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import snapshots
from dashboard import supervision as S
from dashboard.safe import md
from dashboard.supervision import red
from dashboard.supervision import summary
from dashboard.ui import auth, export
from dashboard.ui import supervision as U
from dashboard import ui

DONE = "supervision.done"
TABS = ["办理情况", "下发督办", "督办通知"]
ALL_NEW = "本月新增红色预警全部"
CHOSEN = "选择资产"
STATE_FILTERS = ["全部", *S.STATES, S.OVERDUE, S.CLEARED]


def _summary_frame(rows: list[summary.Row]) -> pd.DataFrame:
    frame = pd.DataFrame([r.as_list() for r in rows], columns=summary.HEADERS)
    frame[summary.HEADERS[-1]] = ["—" if pd.isna(v) else f"{v:g}" for v in frame[summary.HEADERS[-1]]]   # none answered
    return frame


def _red_count(row: pd.Series) -> list[str]:
    return [U.OVERDUE_STYLE if c == "逾期（项）" and row[c] else "" for c in row.index]


def overview(actor: S.Actor, today: dt.date) -> None:
    every = S.items(actor, today=today)
    if not every:
        st.info("尚未下发督办。在“下发督办”中选择月份和红色预警资产下发。")
        return
    c = st.columns(3)
    months = c[0].multiselect("下发月份", sorted({it.month for it in every}, reverse=True), placeholder="全部",
                              format_func=snapshots.month_label, key="supervision.f.months")
    authorities = c[1].multiselect("责任单位", sorted({it.authority for it in every}), placeholder="全部",
                                   key="supervision.f.authorities")
    state = c[2].selectbox("状态", STATE_FILTERS, key="supervision.f.state")
    found = [it for it in every if (not months or it.month in months) and (not authorities or it.authority in authorities)]
    rows = summary.by_authority(found, today)
    table = _summary_frame(rows)
    st.subheader("各单位办理情况")
    st.caption("逾期：整改时限已过仍未反馈“已整改”（红色）；反馈用时：自下发之日至最近一次反馈的天数。")
    st.dataframe(table.style.apply(_red_count, axis=1), hide_index=True,
                 key="supervision.by_authority")
    late = [r for r in rows if r.overdue and r.authority != summary.TOTAL]
    if late:
        st.markdown(f":red[**逾期未整改{sum(r.overdue for r in late)}项**]："
                    + "、".join(f"{md(r.authority)}{r.overdue}项" for r in late))
    if state == S.OVERDUE:
        found = [it for it in found if it.state != S.SIGNED and it.overdue(today)]
    elif state == S.CLEARED:
        found = [it for it in found if it.cleared]
    elif state != "全部":
        found = [it for it in found if it.state == state]
    st.subheader(f"督办事项（{len(found)}项）")
    if not found:
        st.info("没有符合筛选条件的督办事项。")
        return
    items = U.frame(found, today)
    st.dataframe(items.style.apply(U.colour_overdue, axis=1), hide_index=True, key="supervision.items",
                 column_config={"督办编号": st.column_config.TextColumn(pinned=True)})
    chosen = {"月份": "、".join(months) or "全部", "责任单位": "、".join(authorities) or "全部", "状态": state}
    note = "督办事项　筛选：" + "；".join(f"{k}={v}" for k, v in chosen.items()) + f"　导出日期：{today.isoformat()}"
    st.download_button("导出督办事项（Excel）",
                       auth.bound(lambda: export.xlsx_bytes({"督办事项": items, "各单位办理情况": table}, note)),
                       f"督办事项_{today.isoformat()}.xlsx", export.XLSX_MIME, on_click="ignore",
                       icon=":material/download:", key="supervision.export")
    one(found, actor, today)


def one(found: list[S.Item], actor: S.Actor, today: dt.date) -> None:
    """One item in full — its evidence — and its sign-off at the banner's tiers (T2–T4)."""
    st.subheader("查看与销号")
    pick = st.selectbox("督办事项", range(len(found)), key="supervision.pick",
                        format_func=lambda i: f"{found[i].number} {found[i].asset_id} {found[i].asset_name or ''}"
                                              f"（{found[i].authority}，{found[i].tier}，{found[i].state}）")
    it = found[pick]
    with st.container(border=True):
        U.details(it, today)
    if it.state == S.SIGNED:
        return
    if it.tier == "T1":
        st.caption(f"T1层级：由责任单位{md(it.authority)}反馈“已整改”后自行销号。")
        return
    if it.state != S.FIXED:
        st.caption(f"{it.tier}层级：责任单位反馈“已整改”后，由旗级管理员或旗级领导销号。")
        return
    label = {"T2": "实地核查日期", "T3": "市乡村振兴部门复核日期", "T4": "自治区乡村振兴部门复核日期"}[it.tier]
    with st.form(f"supervision.signoff.{it.id}", border=False):
        when = st.date_input(label, value=None, key=f"supervision.when.{it.id}", format="YYYY-MM-DD")
        sent = st.form_submit_button(f"销号（{it.tier}）", type="primary")
    if sent:
        try:
            S.signoff(it.number, it.asset_id, actor, site_check=when if it.tier == "T2" else None,
                      recheck=when if it.tier != "T2" else None)
        except S.SupervisionError as exc:
            st.error(md(str(exc)))
            return
        st.session_state[DONE] = (f"{it.number}资产{it.asset_id}已销号（{it.tier}）。", [])
        st.rerun()


def _months() -> list[str]:
    return [s.month for s in reversed(snapshots.list_months())]


def issue(ctx, actor: S.Actor) -> None:
    months = _months()
    if not months:
        st.info("督办依据已保存或已汇总的月份下发：请先在“数据上传”保存月份或在“报送情况”汇总。")
        return
    shown = ctx.source.month if ctx is not None and ctx.source.month in months else months[0]
    month = st.selectbox("月份（已保存或已汇总）", months, index=months.index(shown), format_func=snapshots.month_label,
                         key="supervision.issue.month")
    found = red.month_red(month)
    new = red.new_red(month)
    open_now = {it.asset_id: it.number for it in S.items(actor, check_latest=False) if it.state != S.SIGNED}
    if not found.assets:
        st.info(f"{snapshots.month_label(month)}没有红色预警资产。")
        return
    rows = sorted(found.assets.values(), key=lambda a: (a.authority, a.asset_id))
    st.dataframe(pd.DataFrame([{
        "资产编号": a.asset_id, "资产名称": a.asset_name or "—", "责任单位": a.authority,
        "本月新增": "是" if a.asset_id in new else "", "已有督办": open_now.get(a.asset_id, ""), "销号层级": a.tier,
        "红色预警规则": "、".join(f"{r.rule_id} {r.name}" for r in a.rules), "所在镇": a.town or "—"} for a in rows]),
        hide_index=True, key="supervision.issue.red")
    how = st.radio("下发范围", [ALL_NEW, CHOSEN], horizontal=True, key="supervision.issue.how")
    chosen: list[str] = []
    if how == CHOSEN:
        chosen = st.multiselect("红色预警资产", [a.asset_id for a in rows if a.asset_id not in open_now],
                                format_func=lambda i: f"{i} {found.assets[i].asset_name or ''}（{found.assets[i].authority}）",
                                key=f"supervision.issue.assets.{month}", placeholder="选择资产")
        targets = chosen
    else:
        targets = sorted(a for a in new if a not in open_now)
    by = {}
    for a in targets:
        by.setdefault(found.assets[a].authority, []).append(a)
    days = S.supervision_days()
    if targets:
        st.caption(f"将下发{len(by)}份督办通知、{len(targets)}项资产：" + "；".join(f"{md(k)}{len(v)}项" for k, v in sorted(by.items()))
                   + f"。整改时限为下发之日起{days}天；已有未销号督办的资产不重复下发。")
    else:
        st.caption("没有可下发的资产（本月新增红色预警均已有未销号的督办，或尚未选择资产）。")
    confirmed = st.checkbox("已核对上述资产和责任单位，确认下发", key=f"supervision.issue.confirm.{month}")
    if st.button("下发督办", type="primary", key="supervision.issue.go", disabled=not targets or not confirmed):
        try:
            made = S.issue(month, actor, asset_ids=chosen or None) if how == CHOSEN else S.issue(month, actor)
        except S.SupervisionError as exc:
            st.error(md(str(exc)))
            return
        st.session_state.pop(f"supervision.issue.confirm.{month}", None)     # the next issue is confirmed anew
        st.session_state[DONE] = ("已下发" + "、".join(f"{n.number}（{n.authority}，{len(n.items)}项）" for n in made) + "。",
                                  [(n.number, n.authority, n.id) for n in made])
        st.rerun()


def notices(actor: S.Actor) -> None:
    kept = S.notices(actor)
    if not kept:
        st.info("尚未下发督办通知。")
        return
    st.caption("每份督办通知在下发时生成并保存（红头，附资产清单）；下载记入审计记录。")
    for n in kept:
        U.notice_button(n.number, n.authority, key=f"supervision.notice.{n.id}")


def body(ctx) -> None:
    actor = U.actor()
    today = S.beijing_today()
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(md(done[0]))
        for number, authority, notice_id in done[1]:
            U.notice_button(number, authority, key=f"supervision.made.{notice_id}")
    issued = bool(S.items(actor, check_latest=False))
    tabs = st.tabs(TABS, key="supervision.tab", on_change="rerun", default=TABS[0] if issued else TABS[1])
    with tabs[0]:
        if tabs[0].open:
            overview(actor, today)
    with tabs[1]:
        if tabs[1].open:
            issue(ctx, actor)
    with tabs[2]:
        if tabs[2].open:
            notices(actor)


ui.run("督办", body, needs_data=False)
