"""数据上传: import ledgers, see what was loaded and rejected, look at them, save them as a monthly snapshot."""
import datetime as dt

import streamlit as st

from dashboard import blank_template, month_versions, policy, snapshots, ui
from dashboard.explain import fmt_date
from dashboard.safe import md
from dashboard.ui import auth, data, export, mapping, replace, sidebar, submit, uploads

UPLOADER = "upload_files"


def month_picker(books) -> str:
    default = uploads.default_month(books)
    years = list(range(2020, max(dt.date.today().year, default.year) + 2))
    left, right = st.columns(2)
    year = left.selectbox("报告年份", years, index=years.index(default.year), key="upload_year",
                          format_func=lambda y: f"{y}年")
    month = right.selectbox("报告月份", list(range(1, 13)), index=default.month - 1, key="upload_month",
                            format_func=lambda m: f"{m}月")
    return f"{year:04d}-{month:02d}"


def department_doubts(digest: str, books) -> None:
    """主管部门 values naming no banner department (a QA doubt, not a rejection)."""
    key = data.keep_upload(digest, books)
    ev_key = data.key_for(key, books.reference, policy.default_params())
    doubts = data.cached_frame(ev_key, "shared/department_doubts", ui.Filters(), data.freeze(data.departments()))
    if not doubts.empty:
        st.warning(f"{len(doubts)}种主管部门写法不在旗行业主管部门名单中，也不是资产所在镇（报送主体暂按所在镇）："
                   + "、".join(f"{md(r.department)}（{r.assets}项）" for r in doubts.itertuples()) + "。")


def view_panel(digest: str, books) -> None:
    st.subheader("查看")
    st.caption("未保存的台账也可以先在各页查看；保存后才会留存，并可与其他月份比较。")
    if st.button("在各页查看本次上传（不保存）", key="upload_view", icon=":material/visibility:"):
        auth.record("view_upload", books.label)
        key = data.keep_upload(digest, books)
        st.session_state[sidebar.UPLOAD_SOURCE] = key
        sidebar.select_source(key)
        st.rerun()


def save_panel(books) -> None:
    st.subheader("保存为月度快照")
    user = auth.current()
    if not user.may("save_snapshot"):
        st.info("演示模式：创建旗级管理员账号后才能保存快照。" if user.demo else "月度快照由旗级管理员保存；本账号可在各页查看本次上传。")
        return
    hint = f"数据日期{fmt_date(books.data_date)}" if books.data_date else "未在表头找到数据日期，默认为本月"
    st.caption(f"快照按报告月份命名，保存后可随时在侧栏“数据来源”中重新打开并与其他月份比较（{hint}）。")
    month = month_picker(books)
    label = snapshots.month_label(month)
    confirmed = replace.confirm_replace(month, key="upload_save")      # a saved month: name it, ask first
    replaced = month_versions.current(month)
    text = f"替换{label}快照并查看" if replaced else f"保存为{label}快照并查看"
    if st.button(text, type="secondary" if replaced else "primary", key="upload_save",
                 disabled=not confirmed) and confirmed:        # saved by someone else since: ask again
        try:
            snap = books.save(month, by=user.name)
        except TimeoutError:
            auth.record("snapshot_replace" if replaced else "snapshot_save", label, outcome="failed",
                        details={"文件": books.label, "原因": "该月份正由其他用户保存或汇总"})
            st.error(f"{label}正由其他用户保存或汇总，请稍后再试。")
            return
        details = {"文件": books.label}
        if snap.kept:
            details |= {"被替换的快照": replaced.line() if replaced else "—", "保留为": f"第{snap.kept}版"}
        auth.record("snapshot_replace" if snap.kept else "snapshot_save", snap.label, details=details)
        sidebar.select_source(snap.key)
        st.session_state["upload_saved"] = snap.label + (f"（原快照已保留为第{snap.kept}版）" if snap.kept else "")
        st.rerun()


def report(books) -> None:
    result = books.result
    for message in result.fatal:
        st.error(md(message))
    st.subheader("导入概况")
    st.dataframe(uploads.summary(books), hide_index=True)
    rejected = result.rejection_frame()
    not_loaded = rejected[rejected["类别"].isin(["未载入", "已跳过"])]
    st.markdown(f"**未载入{len(not_loaded):,}行**，存疑或已更正的单元格{len(rejected) - len(not_loaded):,}处。")
    if not rejected.empty:
        shown = rejected.assign(行=rejected["行"].astype("string").fillna(""))   # a file-level note has no row
        st.dataframe(shown, hide_index=True, height=400)
        st.download_button("下载未载入与存疑报告（Excel）", auth.bound(lambda: uploads.rejection_xlsx(books)),
                           "导入报告.xlsx", export.XLSX_MIME, on_click="ignore", key="upload_report",
                           icon=":material/download:")


def body(ctx) -> None:
    profile = st.session_state.pop("upload_mapping_saved", None)
    if profile:
        st.success(f"已保存导入方案“{md(profile)}”，本次上传已按它重新读取；以后符合的上传会自动采用。")
    saved = st.session_state.pop("upload_saved", None)
    if saved:
        st.success(f"已保存{md(saved)}快照，侧栏数据来源已切换到该快照。")
    st.markdown("可一次上传多个文件（xlsx、xls、csv），包括资产台账、收益台账、收益分配、处置台账、问题台账。")
    st.download_button("下载台账模板（Excel，含填表说明）", blank_template.workbook, "资产台账模板.xlsx",
                       export.XLSX_MIME, on_click="ignore", key="upload_template", icon=":material/download:")
    files = st.file_uploader("选择台账文件", type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                             key=UPLOADER)
    st.caption("把文件拖到上面的框内，或点“选择文件”；每个文件不超过200MB，格式为xlsx、xls或csv。")
    if files:
        digest, books = uploads.parsed(files)
        report(books)
        if not books.usable:
            st.error("上传的文件无法使用：没有找到可载入的资产台账。请在下方“指定工作表类型和列的对应关系”中"
                     "指定哪张表是资产台账、各列对应哪一列，或按模板整理后重新上传。")
        mapping.step(files, books)
        if books.usable:
            department_doubts(digest, books)
            view_panel(digest, books)
            submit.panel(files)
            save_panel(books)
    saved_list = snapshots.list_months()
    st.subheader("已保存的快照")
    if not saved_list:
        st.info("还没有保存的快照。")
    else:
        st.markdown("、".join(s.label for s in saved_list))


ui.run("数据上传", body, needs_data=False)
