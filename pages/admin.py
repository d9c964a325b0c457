"""系统管理 (旗级管理员): accounts, the list of banner departments with their aliases, what
the 公示 page shows, and the saved monthly snapshots.  Every change goes to the audit trail."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import month_versions, places, snapshots, ui
from dashboard.explain import fmt_date
from dashboard.scope import ROLES
from dashboard.store import accounts, sessions, settings
from dashboard.ui import auth, data, fmt
from dashboard.ui import editions as edition_versions

DONE = "admin.done"


def _done(message: str) -> None:
    st.session_state[DONE] = message
    st.rerun()


def account_list() -> None:
    online, locked = sessions.open_counts(), accounts.locked_addresses()
    rows = [(a.name, a.role_zh, a.scope().label, "已停用" if a.disabled else "正常", online.get(a.id, 0),
             locked.get(accounts.name_key(a.name), 0), a.created_at.strftime("%Y-%m-%d"))
            for a in accounts.all_accounts()]
    st.dataframe(pd.DataFrame(rows, columns=["用户名", "角色", "范围", "状态", "在线会话", "锁定的地址", "创建日期"]),
                 hide_index=True, width="stretch", key="admin.accounts")


def new_account() -> None:
    with st.form("admin.add", clear_on_submit=True):
        st.markdown("**新建账号**")
        left, right = st.columns(2)
        name = left.text_input("用户名", key="admin.add.name")
        role = right.selectbox("角色", list(ROLES), format_func=ROLES.get, key="admin.add.role")
        # an empty label would show Streamlit's English "Choose an option": the blank choice is named
        town = left.selectbox("所在镇（镇、嘎查村账号）", ["", *places.TOWNS], key="admin.add.town",
                              format_func=lambda v: v or "（不限镇）")
        village = right.text_input("嘎查村（嘎查村账号）", key="admin.add.village")
        department = left.selectbox("部门（旗行业主管部门账号）", ["", *(d.name for d in settings.departments())],
                                    key="admin.add.department", format_func=lambda v: v or "（非部门账号）")
        password = right.text_input("初始密码（至少8个字符）", type="password", key="admin.add.password")
        if not st.form_submit_button("新建", type="primary"):
            return
    try:
        account = accounts.add(name, role, password, town=town or None, village=village or None,
                               department=department or None, by=auth.current().name)
    except accounts.AccountError as exc:
        auth.record("account_add", name, outcome="refused", details={"原因": str(exc)})
        st.error(fmt.md(exc))
        return
    auth.record("account_add", account.name, details={"角色": account.role_zh, "范围": account.scope().label})
    _done(f"已新建账号“{account.name}”，可立即登录。")


def change_account() -> None:
    names = [a.name for a in accounts.all_accounts()]
    st.markdown("**停用、启用、重设密码或解除锁定**")
    left, right = st.columns(2)
    name = left.selectbox("账号", names, key="admin.change.name")
    password = right.text_input("新密码（至少8个字符）", type="password", key="admin.change.password")
    b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1, 1])
    me = auth.current().name
    if b1.button("停用", key="admin.disable", disabled=name == me):
        accounts.set_disabled(name, True)
        auth.record("account_disable", name)
        _done(f"已停用“{name}”，其登录已结束。")
    if b2.button("启用", key="admin.enable"):
        accounts.set_disabled(name, False)
        auth.record("account_enable", name)
        _done(f"已启用“{name}”。")
    if b3.button("重设密码", key="admin.passwd"):
        try:
            accounts.set_password(name, password)
        except accounts.AccountError as exc:
            auth.record("account_passwd", name, outcome="refused", details={"原因": str(exc)})
            st.error(fmt.md(exc))
            return
        auth.record("account_passwd", name)
        _done(f"已重设“{name}”的密码，其登录已结束。")
    if b4.button("解除锁定", key="admin.unlock", help="解除连续登录失败造成的锁定（所有地址）"):
        locked = accounts.unlock(name)
        auth.record("account_unlock", name, details={"锁定的地址": locked})
        _done(f"已解除“{name}”的登录锁定（此前锁定的地址{locked}个）。")


def departments() -> None:
    st.caption("资产台账“主管部门”写的是名单中的部门（或其别名）时，由该部门报送、该部门账号查看；否则由所在镇报送。")
    items = settings.departments()
    frame = pd.DataFrame({"部门": [d.name for d in items], "别名（以、分隔）": ["、".join(d.aliases) for d in items]})
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, width="stretch", key="admin.departments")
    if st.button("保存部门名单", key="admin.departments.save", type="primary"):
        text = edited.fillna("").to_csv(index=False)
        try:
            parsed = settings.parse_departments(text)
        except ValueError as exc:
            auth.record("departments_save", "旗行业主管部门名单", outcome="failed", details={"原因": str(exc)})
            st.error(f"未保存：{fmt.md(exc)}")
            return
        settings.save_departments(parsed, auth.current().name)
        data.departments.clear()
        auth.record("departments_save", "旗行业主管部门名单", details={"部门数": len(parsed)})
        _done("部门名单已保存。")


def department_doubts(ctx) -> None:
    if ctx is None:
        return
    doubts = ctx.frame("shared/department_doubts")
    st.markdown(f"**台账中不在名单内的主管部门**（{fmt.md(ctx.source.label)}）")
    if doubts.empty:
        st.caption("全部主管部门都能对应到名单中的部门或资产所在镇。")
    else:
        st.caption("这些资产的主管部门既不是名单中的部门（或别名），也不是资产所在镇，报送主体暂按所在镇；"
                   "可把别名补进名单，或请报送单位更正台账。")
        fmt.table(doubts, key="admin.department_doubts")


def publication() -> None:
    months = snapshots.list_months()
    current = settings.published_month()
    st.caption("公示页（无需登录）只显示这里发布的月份；未发布时公示页为空。")
    if not months:
        st.info("还没有保存的月度快照，保存后才能发布。")
        return
    options = [None, *(m.month for m in reversed(months))]
    labels = {None: "不公示"} | {m.month: m.label for m in months}
    chosen = st.selectbox("公示月份", options, index=options.index(current) if current in options else 0,
                          format_func=labels.get, key="admin.publish.month")
    if st.button("发布", key="admin.publish", type="primary"):
        settings.publish(chosen, auth.current().name)
        auth.record("publish", labels[chosen])
        _done(f"公示页已改为：{labels[chosen]}。")


def snapshot_list() -> None:
    months = snapshots.list_months()
    if not months:
        st.info("还没有保存的快照。")
    else:
        st.markdown("、".join(m.label for m in months))
        left, right = st.columns([2, 1], vertical_alignment="bottom")
        month = left.selectbox("删除快照", [m.month for m in months], format_func=snapshots.month_label,
                               key="admin.snapshot.month")
        sure = left.checkbox("确认删除（删除的快照保留为历史版本，可在下方恢复）", key="admin.snapshot.sure")
        if right.button("删除", key="admin.snapshot.delete", disabled=not sure):
            kept = snapshots.delete(month)
            auth.record("snapshot_delete", snapshots.month_label(month),
                        details={"保留为": f"第{kept}版" if kept else "—"})
            _done(f"已删除{snapshots.month_label(month)}快照" + (f"（保留为第{kept}版，可恢复）。" if kept else "。"))
    snapshot_versions()


def snapshot_versions() -> None:
    """Every month's current file and kept versions; one of them brought back (issue 19.2)."""
    st.markdown("**历史版本**")
    found = list(reversed(month_versions.months()))                  # newest month first
    kept = {m: month_versions.versions(m) for m in found}
    rows = [(snapshots.month_label(m), v.name if v else "当前", v.kind_zh if v else "（已删除）",
             v.assets if v else None, month_versions.when(v.saved_at) if v and v.saved_at else "",
             (v.saved_by or "") if v else "", fmt_date(v.data_date) if v and v.data_date else "",
             f"第{v.restored[0]}版" if v and v.restored else "")
            for m in found for v in [month_versions.current(m), *reversed(kept[m])]]
    st.caption("快照被替换、删除或恢复时，原来的文件保留为历史版本；恢复某一版时，当前快照先保留为新的一版。")
    if rows:
        table = pd.DataFrame(rows, columns=VERSION_COLUMNS).astype({"资产（项）": "Int64"})
        st.dataframe(table, hide_index=True, width="stretch", key="admin.versions")
    if not any(kept.values()):
        st.info("还没有历史版本。")
        return
    with_versions = [m for m in found if kept[m]]
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="bottom")
    month = left.selectbox("恢复月份", with_versions, format_func=snapshots.month_label, key="admin.restore.month")
    choices = {v.number: v for v in reversed(kept[month])}
    number = middle.selectbox("恢复为", list(choices), key="admin.restore.version",
                              format_func=lambda n: f"{choices[n].name}（{choices[n].line()}）")
    sure = middle.checkbox("确认恢复（当前快照先保留为新的一版）", key="admin.restore.sure")
    if right.button("恢复", key="admin.restore", disabled=not sure):
        try:
            done = month_versions.restore(month, number, by=auth.current().name)
        except (month_versions.VersionError, TimeoutError) as exc:
            reason = str(exc).rstrip("。") if isinstance(exc, month_versions.VersionError) else "该月份正由其他用户保存或汇总"
            auth.record("snapshot_restore", snapshots.month_label(month), outcome="failed",
                        details={"版本": f"第{number}版", "原因": reason})
            st.error(f"未恢复：{fmt.md(reason)}。")
            return
        auth.record("snapshot_restore", snapshots.month_label(month), details={
            "恢复的版本": f"第{done.number}版", "恢复前的快照保留为": f"第{done.kept}版" if done.kept else "—"})
        _done(done.message())


VERSION_COLUMNS = ["月份", "版本", "来源", "资产（项）", "保存时间", "保存人", "数据截至", "恢复自"]


def body(ctx) -> None:
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(fmt.md(done))
    # Keyed and tracked, so a widget's rerun inside 公示 or 快照 keeps that tab open (an untracked
    # st.tabs shows the first tab again after every rerun). Every tab still runs: AppTest reads them.
    tabs = st.tabs(["账号", "主管部门", "公示", "快照", "政策版本"], key="admin.tab", on_change="rerun")
    with tabs[0]:
        account_list()
        new_account()
        change_account()
    with tabs[1]:
        departments()
        department_doubts(ctx)
    with tabs[2]:
        publication()
    with tabs[3]:
        snapshot_list()
    with tabs[4]:
        edition_versions.tab()


ui.run("系统管理", body, needs_data=False)
