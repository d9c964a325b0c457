"""收益与分配: collection C1–C6 and distribution D1–D6 as a scorecard per town or village,
the failing assets and rows with one sentence per failed check, and the negative list
(负面清单) viewed, edited and saved in the page — used by the next evaluation at once."""
import pandas as pd
import streamlit as st

from dashboard import explain, labels, policy, template, ui
from dashboard.ui import auth, export, fmt

EDITOR_KEY = "income_negative_editor"
SAVED_KEY = "income_negative_saved"
ITEM, WORDS = "负面清单事项", "关键词（多个用“；”分隔）"
LIST_LIMIT = 500
COLLECTION = [f"C{i}" for i in range(1, 7)]
DISTRIBUTION = [f"D{i}" for i in range(1, 7)]


def need_text(need: str) -> str:
    """'distribution.plan' → “收益分配”表的“分配方案”列."""
    sheet_name, _, column = need.partition(".")
    sheet = template.SHEET_BY_NAME[sheet_name]
    return f"“{sheet.zh}”表的“{sheet.column(column).zh}”列" if column else f"“{sheet.zh}”表"


def not_evaluated(ctx: ui.Context, ids: list[str]) -> list[str]:
    """The checks of `ids` the upload cannot answer, each said with what to upload."""
    skipped = [i for i in ids if i in ctx.evaluation.not_evaluated]
    if skipped:
        rules = policy.rules()
        lines = [f"- {labels.rule(i)}：需要" + "、".join(need_text(n) for n in rules[i].needs) for i in skipped]
        st.warning("以下检查因缺少工作表或列未评估（不是“通过”）。请在“数据上传”页上传含这些内容的台账：\n"
                   + "\n".join(lines))
    return skipped


def reasons(ctx: ui.Context, df: pd.DataFrame) -> pd.Series:
    """One sentence per failed check of each row, from the row's facts."""
    def sentence(row) -> str:
        return " ".join(f"{labels.rule(rid)}：{explain.explain(rid, row.facts, ctx.as_of, ctx.params)}" for rid in row.failed)
    return df.apply(sentence, axis=1) if len(df) else pd.Series(dtype=str)


def check_summary(ctx: ui.Context, name: str) -> None:
    df = ctx.frame(name)
    if "is_total" in df:        # the page shows the checks over everything filtered
        df = df[df.is_total].drop(columns=["town", "is_total"]).reset_index(drop=True)
    df.insert(1, "check_name", df.check_id.map(lambda i: policy.rules()[i].name))
    df["not_evaluated"] = df.not_evaluated.map({True: "未评估", False: ""})
    ui.table(df, key=f"income_{name}")


def scorecard(ctx: ui.Context, name: str, by_village: bool) -> None:
    df = ctx.frame(name, by_village=by_village)
    if "is_total" in df:        # the page lists the towns (or villages) only
        df = df[~df.is_total].drop(columns="is_total")
    if not by_village:
        df = df.drop(columns="village")
    ui.table(df, key=f"income_{name}")


def failing(ctx: ui.Context, name: str, columns: list[str], title: str) -> None:
    df = ctx.frame(name, failing_only=True)
    st.markdown(f"**{title}：{fmt.count(len(df))}项**")
    if df.empty:
        st.success("当前筛选条件下全部通过。")
        return
    shown = df.head(LIST_LIMIT).assign(reasons=lambda d: reasons(ctx, d))
    if len(df) > LIST_LIMIT:
        st.caption(f"只显示前{LIST_LIMIT}项，完整清单请导出。")
    # The failed checks and their reasons right after who it is: the rest is context.
    order = columns[:3] + ["failed", "reasons"] + columns[3:]
    ui.table(shown[order], key=f"income_{name}_table")
    full = lambda: fmt.export_frame(df.assign(reasons=reasons(ctx, df))[order])  # noqa: E731
    st.download_button(f"导出{title}（Excel）", auth.bound(lambda: export.xlsx_bytes({title: full()}, export.note(ctx))), f"{title}.xlsx",
                       export.XLSX_MIME, on_click="ignore", icon=":material/download:", key=f"income_{name}_xlsx")


def collection(ctx: ui.Context, by_village: bool) -> None:
    st.header("收益收缴（C1–C6，经营性资产）")
    if len(not_evaluated(ctx, COLLECTION)) == len(COLLECTION):
        return
    st.caption("每项检查只统计有可检查内容的资产（如无到期本金的资产不参加C6）。")
    check_summary(ctx, "shared/collection_by_check")
    st.markdown("**分" + ("嘎查村" if by_village else "镇") + "计分卡**（各检查项列为未通过资产数）")
    scorecard(ctx, "income/collection_score", by_village)
    failing(ctx, "income/collection_assets", ["town", "village", "asset_id", "asset_name", "original_value"],
            "收益收缴未通过的资产")


def distribution(ctx: ui.Context, by_village: bool) -> None:
    st.header("收益分配（D1–D6，每条分配记录）")
    if len(not_evaluated(ctx, DISTRIBUTION)) == len(DISTRIBUTION):
        return
    st.caption(f"统计{ctx.as_of.year}年及以前年度的收益分配记录；分配日期晚于评估基准日的按尚未分配计。")
    check_summary(ctx, "income/distribution_checks")
    st.markdown("**分" + ("嘎查村" if by_village else "镇") + "计分卡**（各检查项列为未通过记录数）")
    scorecard(ctx, "shared/distribution_score", by_village)
    failing(ctx, "income/distribution_rows", ["town", "village", "asset_id", "year", "amount", "purpose",
                                            "beneficiary", "payout_method"], "收益分配未通过的记录")


def negative_list() -> None:
    st.header("负面清单（D3、R06）")
    edited_copy = policy.user_negative_list_file().exists()
    st.caption("正在使用：在本页修改并保存的清单（保存在数据文件夹）。" if edited_copy else
               "正在使用：系统默认清单。修改后点“保存并重新评估”，D3和R06立即按新清单判断。")
    if st.session_state.pop(SAVED_KEY, None):
        st.success("负面清单已保存，已按新清单重新评估。")
    items = policy.read_negative_list()
    frame = pd.DataFrame({ITEM: [i for i, _ in items], WORDS: ["；".join(w) for _, w in items]})
    user = auth.current()
    if not user.may("edit_policy"):
        st.dataframe(frame, hide_index=True, width="stretch")
        st.caption("负面清单由旗级管理员维护。" + ("演示模式下不能修改。" if user.demo else ""))
        return
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key=EDITOR_KEY, width="stretch",
                            column_config={ITEM: st.column_config.TextColumn(ITEM, width="medium"),
                                           WORDS: st.column_config.TextColumn(WORDS, width="large")})
    left, right, _ = st.columns([1, 1, 3])
    if left.button("保存并重新评估", key="income_negative_save", type="primary", icon=":material/save:"):
        save(edited)
    if edited_copy and right.button("恢复默认清单", key="income_negative_reset", icon=":material/restart_alt:"):
        policy.reset_negative_list()
        auth.record("negative_list_reset", "负面清单")
        st.session_state.pop(EDITOR_KEY, None)
        st.rerun()


def save(edited: pd.DataFrame) -> None:
    text = edited.rename(columns={ITEM: "item", WORDS: "keywords"}).fillna("").to_csv(index=False)
    try:
        items = policy.parse_negative_list(text)
        policy.save_negative_list(items)
    except policy.PolicyError as exc:
        auth.record("negative_list_save", "负面清单", outcome="failed", details={"原因": str(exc)})
        st.error(f"未保存：{fmt.md(exc)}")
        return
    auth.record("negative_list_save", "负面清单", details={"事项数": len(items)})
    # A fresh editor on the saved list; the sidebar's next run sees the new list and re-evaluates.
    st.session_state.pop(EDITOR_KEY, None)
    st.session_state[SAVED_KEY] = True
    st.rerun()


def body(ctx: ui.Context) -> None:
    by_village = st.radio("计分卡口径", [False, True], horizontal=True, key="income_by_village",
                          format_func={False: "按镇", True: "按嘎查村"}.get) or False
    collection(ctx, by_village)
    distribution(ctx, by_village)
    negative_list()


ui.run("收益与分配", body)
