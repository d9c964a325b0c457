"""资产台账: the filtered ledger with search, column chooser, sorting, paging, export,
and one asset's whole record (income, distributions, disposals, problems, rules)."""
import math

import pandas as pd
import streamlit as st

from dashboard import explain, labels, ui
from dashboard.ui import auth, drill, export, fmt

PAGE_SIZE = 200
# What it is, how warned and why first: a phone shows about 330 px of the table, so the name is
# narrow and the level small, and 预警等级 and the start of 预警原因 are read without scrolling
# sideways; the ID and the rest scroll inside the table.
DEFAULT_COLUMNS = ["asset_name", "level", "reason", "asset_id", "town", "village", "category", "asset_type",
                   "build_year", "original_value", "operating_status", "operator", "rules", "flags",
                   "batch_suggested", "signoff_tier"]
WIDTHS = {"asset_name": 150, "level": 80, "reason": "large", "asset_id": 150}
DETAIL_KEY = "ledger_detail_id"


def listing(ctx: ui.Context, search: str, sort: str, desc: bool, limit, offset: int) -> pd.DataFrame:
    df = ctx.frame("ledger/listing", search=search, sort=sort, desc=desc, limit=limit, offset=offset)
    return df.assign(reason=df.pop("warnings").map(lambda w: reason(ctx, w)))


def reason(ctx: ui.Context, warnings) -> str:
    """预警原因: one sentence per red or yellow rule the asset fired."""
    if warnings is None or len(warnings) == 0:
        return "—"
    return "；".join(drill.sentence(w["rule_id"], w["facts"], ctx) for w in warnings)


def controls(ctx: ui.Context) -> tuple[str, list[str], str, bool]:
    every = [c for c in listing(ctx, "", "row_id", False, 0, 0).columns if c != "row_id"]
    search = st.text_input("搜索（资产或项目名称、运营主体、管护主体、镇、嘎查村、资产编号）", key="ledger_search",
                           placeholder="输入关键词，例如 光伏、合作社、城川").strip()
    with st.expander("显示的列与排序", expanded=False):
        columns = st.multiselect("显示的列", every, default=[c for c in DEFAULT_COLUMNS if c in every],
                                 format_func=fmt.label, key="ledger_columns",
                                 select_all=False)
        left, right = st.columns([3, 1])
        sortable = [c for c in every if c != "reason"]      # a sentence built here, not a column of SQL
        sort = left.selectbox("排序依据", sortable, index=sortable.index("original_value"), format_func=fmt.label,
                              key="ledger_sort")
        desc = right.toggle("降序", value=True, key="ledger_desc")
    return search, columns or DEFAULT_COLUMNS, sort, desc


def downloads(ctx: ui.Context, search: str, columns: list[str], sort: str, desc: bool) -> None:
    def full() -> pd.DataFrame:
        return fmt.export_frame(listing(ctx, search, sort, desc, None, 0)[columns])

    left, right, _ = st.columns([1, 1, 4])
    left.download_button("导出 Excel", auth.bound(lambda: export.xlsx_bytes({"资产台账": full()}, export.note(ctx))), "资产台账（筛选结果）.xlsx",
                         export.XLSX_MIME, on_click="ignore", icon=":material/download:", key="ledger_xlsx")
    right.download_button("导出 CSV", auth.bound(lambda: export.csv_bytes(full(), "资产台账（筛选结果）", export.note(ctx))), "资产台账（筛选结果）.csv",
                          export.CSV_MIME, on_click="ignore", icon=":material/download:", key="ledger_csv")


def detail(ctx: ui.Context, asset_id: str) -> None:
    record = ctx.frame("ledger/asset", asset_id=asset_id)
    if record.empty:
        st.info(f"没有资产编号为“{fmt.md(asset_id)}”的资产。")
        return
    row = record.iloc[0]
    st.subheader(f"{fmt.md(asset_id)} {fmt.md(row.asset_name)}")
    # tracked, so the open tab stays open over a rerun and when the next asset is chosen
    tabs = st.tabs(["预警与标记", "基本信息", "收益", "收益分配", "处置", "问题"], key="ledger.tab", on_change="rerun")
    with tabs[0]:
        fired = ctx.frame("ledger/asset_rules", asset_id=asset_id)
        if fired.empty:
            st.success("该资产未触发任何预警或标记。")
        for r in fired.itertuples():
            text = explain.explain(r.rule_id, r.facts, ctx.as_of, ctx.params)
            tag = fmt.LEVEL_ZH.get(r.level, r.level)
            st.markdown(f"- **{labels.rule(r.rule_id)}**（{tag}）{fmt.md(text)}")
    with tabs[1]:
        shown, _ = fmt.display(record)
        st.dataframe(shown.T.rename(columns={shown.index[0]: "值"}).astype(str), height=400)
    for tab, name in zip(tabs[2:], ("ledger/asset_income", "ledger/asset_distribution",
                                     "ledger/asset_disposals", "ledger/asset_problems")):
        with tab:
            df = ctx.frame(name, asset_id=asset_id)
            if df.empty:
                st.info("该资产在此台账中没有记录。")
            else:
                ui.table(df, key=f"ledger_{name}")


def body(ctx: ui.Context) -> None:
    search, columns, sort, desc = controls(ctx)
    total = ctx.frame("ledger/listing_count", search=search).iloc[0]
    if total.assets == 0:
        st.info("当前筛选条件和搜索词下没有资产。")
        return
    pages = max(1, math.ceil(total.assets / PAGE_SIZE))
    left, right = st.columns([3, 1])
    page = right.number_input(f"页码（共{pages}页）", 1, pages, 1, key="ledger_page")
    left.caption(f"共{fmt.count(total.assets)}项资产，原值{fmt.fmt_wan(total.value)}；每页{PAGE_SIZE}行。")
    if total.carried:            # a consolidated month holding an authority's rows of the month before
        st.warning(f"其中{fmt.count(total.carried)}项资产的报送单位本月未报送，沿用上月数据（“报送状态”列标注沿用上月）。")
        columns = columns if "report_state" in columns else ["report_state", *columns]
    df = listing(ctx, search, sort, desc, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    event = ui.table(df[columns], key="ledger_table", on_select="rerun", selection_mode="single-row",
                     height=600, widths=WIDTHS)
    downloads(ctx, search, columns, sort, desc)
    rows = event.selection.rows if event is not None else []
    picked = str(df.iloc[rows[0]].asset_id) if rows else None
    if picked and picked != st.session_state.get("ledger_last_pick"):   # a new click fills the box once
        st.session_state["ledger_last_pick"] = st.session_state[DETAIL_KEY] = picked
    st.divider()
    asset_id = st.text_input("资产详情：点击表格中的一行，或输入资产编号", key=DETAIL_KEY).strip()
    if asset_id:
        detail(ctx, asset_id)


ui.run("资产台账", body)
