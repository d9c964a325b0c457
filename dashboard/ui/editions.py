"""系统管理 → 政策版本 (issue 22.3, verification.md §4): the editions, a draft copied from the one in
force (or a saved one opened), its fields and tables edited, previewed on the latest saved month,
saved into $ZCPH_DATA_DIR/editions/.  The logic is dashboard/edition_admin.py; this only draws.
Every step (draft, preview, save, refusals) goes to the audit trail."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import edition_admin, editions, snapshots
from dashboard.editions import MEASURES
from dashboard.policy import PolicyError
from dashboard.ui import auth, fmt

K = "admin.edition"
DRAFT = f"{K}.draft"               # {"base": Edition, "replacing": Edition | None, "issued": bool, "from": label}
PREVIEW = f"{K}.preview.result"
DONE = "admin.done"                # pages/admin.py shows it after the rerun
FIELDS = ("document", "title", "effective", "start_year", "due_day")
TABLES = ("funds", "beneficiaries", "batches", "parameters", "milestones")


def tab() -> None:
    if not auth.current().may("edit_policy"):
        return
    st.caption("政策版本（文号、施行日期、工作范围与资金、受益对象类别、四个一批、参数默认值、工作节点）决定按哪一版方案评估：评估基准日"
               "采用当日已施行的最新版本。新版本由现行版本复制后修改；已据以印发报告或导出数据的版本不能原地修改，更正须另存为新版本。")
    table = edition_admin.listing()
    st.dataframe(table, hide_index=True, width="stretch", key=f"{K}.list")
    for path, message in editions.scan()[1]:
        st.warning(f"未采用的版本文件 {fmt.md(path.name)}：{fmt.md(message)}")
    saved = [e for e in editions.load_all() if edition_admin.is_saved(e)]
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="bottom")
    if left.button("复制现行版本", key=f"{K}.copy", type="primary"):
        current = editions.in_force(dt.date.today())
        _start(edition_admin.draft_of(current), None, current)
        auth.record("edition_draft", current.label(), details={"操作": "复制现行版本", "复制自": current.label()})
        st.rerun()
    if saved:
        by_label = {e.label(): e for e in saved}
        chosen = middle.selectbox("已保存的版本", list(by_label), key=f"{K}.open.choice")
        if right.button("打开修改", key=f"{K}.open"):
            e = by_label[chosen]
            _start(e, e, e)
            auth.record("edition_draft", e.label(), details={"操作": "打开已保存的版本", "文件": e.source})
            st.rerun()
    state = st.session_state.get(DRAFT)
    if state:
        _draft(state)


def _start(base, replacing, source) -> None:
    """A new draft: its fields and tables start from `base` (widget state of an earlier draft dropped)."""
    for name in (*FIELDS, *TABLES):
        st.session_state.pop(f"{K}.{name}", None)
    st.session_state.pop(PREVIEW, None)
    st.session_state[f"{K}.document"] = base.document
    st.session_state[f"{K}.title"] = base.title
    st.session_state[f"{K}.effective"] = base.effective_from.isoformat()
    st.session_state[f"{K}.start_year"] = str(base.start_year)
    st.session_state[f"{K}.due_day"] = str(base.monthly_due_day)
    issued = bool(replacing and edition_admin.issued_under(replacing))
    st.session_state[DRAFT] = {"base": base, "replacing": replacing, "issued": issued, "from": source.label()}


def _draft(state: dict) -> None:
    base, replacing = state["base"], state["replacing"]
    st.markdown("**草稿**" + (f"（修改 {fmt.md(replacing.label())}）" if replacing else f"（复制自 {fmt.md(state['from'])}）"))
    if replacing and state["issued"]:
        st.info("已按此版本印发报告或导出数据，不能原地修改；修改后请“另存为新版本”（新的文号或施行日期）。")
    # One form: typing and editing cells do not rerun the page (and lose nothing); the buttons
    # below send everything at once.
    form = st.form(f"{K}.form", border=False)
    with form:
        left, right = st.columns(2)
        document = left.text_input("文号", key=f"{K}.document")
        effective = right.text_input("施行日期（YYYY-MM-DD）", key=f"{K}.effective")
        title = left.text_input("标题", key=f"{K}.title")
        start_year = right.text_input("工作范围起始年度", key=f"{K}.start_year")
        due_day = left.text_input("月调度报送日（每月几日前，1–28）", key=f"{K}.due_day")
        frames = edition_admin.tables(base)
        st.markdown("**工作节点**（考核口径为政策规则所列口径之一；截止日期写作 2026-06-30）")
        milestones = st.data_editor(
            frames["milestones"], num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}.milestones",
            column_config={"考核口径": st.column_config.SelectboxColumn("考核口径", options=list(MEASURES.values()),
                                                                     width="large"),
                           "截止日期": st.column_config.TextColumn("截止日期", help="YYYY-MM-DD")})
        a, b = st.columns(2)
        with a:
            st.markdown("**纳入工作范围的资金**")
            funds = st.data_editor(frames["funds"], num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}.funds")
            st.markdown("**四个一批**（本方案名称 = 全国名称）")
            batches = st.data_editor(frames["batches"], num_rows="dynamic", hide_index=True, width="stretch",
                                     key=f"{K}.batches")
        with b:
            st.markdown("**收益分配对象类别（D5）及别名**")
            beneficiaries = st.data_editor(frames["beneficiaries"], num_rows="dynamic", hide_index=True, width="stretch",
                                           key=f"{K}.beneficiaries")
        st.markdown("**参数默认值**")
        parameters = st.data_editor(frames["parameters"], hide_index=True, width="stretch", key=f"{K}.parameters",
                                    disabled=["参数", "说明", "单位"])
        edited = {"funds": funds, "beneficiaries": beneficiaries, "batches": batches, "parameters": parameters,
                  "milestones": milestones}
        text = edition_admin.draft_text(base, document, title, effective, start_year, edited, due_day)
        cols = st.columns(4)
        preview = cols[0].form_submit_button("预览变化", key=f"{K}.preview",
                                             help="按草稿与该月原采用的版本分别评估最近保存的月份，列出会变化的资产")
        in_place = replacing and not state["issued"] and cols[1].form_submit_button(
            "保存修改", key=f"{K}.save_in_place", type="primary")
        label = "另存为新版本" if replacing else "保存为新版本"
        as_new = cols[2].form_submit_button(label, key=f"{K}.save",
                                            type="secondary" if replacing and not state["issued"] else "primary")
        discard = cols[3].form_submit_button("放弃草稿", key=f"{K}.discard")
    if discard:
        st.session_state.pop(DRAFT, None)
        st.session_state.pop(PREVIEW, None)
        st.rerun()
    if preview:
        _preview(text)
    if in_place or as_new:
        _save(text, state, in_place=bool(in_place))
    shown = st.session_state.get(PREVIEW)
    if shown:
        _show(shown)


def _checked(text: str, action: str, obj: str):
    try:
        return edition_admin.check(text)
    except PolicyError as exc:
        auth.record(action, obj, outcome="refused", details={"原因": str(exc)})
        st.error(f"未通过检查：{fmt.md(exc)}")
        return None


def _preview(text: str) -> None:
    draft = _checked(text, "edition_preview", "草稿")
    if draft is None:
        return
    months = snapshots.list_months()
    if not months:
        st.info("还没有保存的月份，无法预览。")
        return
    from dashboard.ui import data
    saved = months[-1]
    books = data.open_source(saved.key, saved.version, data.policy_version())
    result = edition_admin.preview(draft, books, saved.month, books.reference)
    auth.record("edition_preview", draft.label(), details={
        "月份": saved.label, "评估基准日": result.as_of, "原采用版本": result.judged.label(),
        "变化的资产": len(result.assets)})
    st.session_state[PREVIEW] = result


def _show(result) -> None:
    st.markdown(f"**预览：{snapshots.month_label(result.month)}（评估基准日{fmt.fmt_date(result.as_of)}）**，"
                f"原按{fmt.md(result.judged.label())}评估")
    if result.assets.empty:
        st.caption("按草稿评估，没有资产的预警等级、规则、标记或是否计入工作节点发生变化。")
    else:
        st.caption(f"按草稿评估，{len(result.assets)}项资产的预警等级、规则、标记或是否计入工作节点会变化：")
        st.dataframe(result.assets, hide_index=True, width="stretch", key=f"{K}.preview.assets")
    st.caption("全旗工作节点（评估基准日）：")
    st.dataframe(result.milestones, hide_index=True, width="stretch", key=f"{K}.preview.milestones")


def _save(text: str, state: dict, in_place: bool) -> None:
    draft = _checked(text, "edition_save", "草稿")
    if draft is None:
        return
    replacing = state["replacing"] if in_place else None
    clash = next((e for e in editions.load_all() if e.document == draft.document
                  and e.effective_from == draft.effective_from and e is not state["replacing"]
                  and not (replacing and e.source == replacing.source)), None)
    try:
        if clash is not None:
            raise PolicyError(f"已有同一文号、同一施行日期的版本（{clash.label()}），请修改文号或施行日期。")
        path = edition_admin.save(draft, replacing)
    except (PolicyError, OSError) as exc:
        auth.record("edition_save", draft.label(), outcome="refused", details={"原因": str(exc)})
        st.error(f"未保存：{fmt.md(exc)}")
        return
    auth.record("edition_save", draft.label(), details={
        "文件": str(path), "方式": "原地修改" if replacing else "新版本", "来源": state["from"],
        "工作节点": "、".join(f"{m.id} {m.due.isoformat()}" for m in draft.milestones),
        "资金": "、".join(draft.funds)})
    st.session_state.pop(DRAFT, None)
    st.session_state.pop(PREVIEW, None)
    st.session_state[DONE] = f"已保存政策版本{draft.label()}：{path.name}。"
    st.rerun()
