"""总览: the filtered assets at a glance, the change since the previous snapshot, towns ranked."""
import plotly.express as px
import streamlit as st

from dashboard import ui
from dashboard.ui import fmt


def cards(ctx: ui.Context) -> bool:
    o = ctx.frame("app_overview").iloc[0]
    if o.assets == 0:
        st.info("当前筛选条件下没有资产，请放宽侧栏筛选。")
        return False
    c = st.columns(5)
    c[0].metric("资产", f"{fmt.count(o.assets)}项", border=True)
    c[1].metric("资产原值", fmt.fmt_wan(o.value), border=True)
    c[2].metric("红色预警", f"{fmt.count(o.red)}项", fmt.fmt_wan(o.red_value), delta_color="off", border=True)
    c[3].metric("黄色预警", f"{fmt.count(o.yellow)}项", fmt.fmt_wan(o.yellow_value), delta_color="off",
                border=True)
    c[4].metric("闲置 / 低效", f"{fmt.count(o.idle)} / {fmt.count(o.low)}项",
                f"{fmt.fmt_wan(o.idle_value)} / {fmt.fmt_wan(o.low_value)}", delta_color="off", border=True)
    return True


def categories(ctx: ui.Context) -> None:
    df = ctx.frame("app_overview_categories")
    left, right = st.columns([2, 3])
    with left:
        st.subheader("按资产类别")
        ui.table(df)
    with right:
        shown = df.assign(value_wan=df.value.map(fmt.wan))
        fig = px.bar(shown, x="category", y="value_wan", text="assets",
                     labels={"category": "资产类别", "value_wan": "资产原值（万元）", "assets": "资产数"},
                     title="各类别资产原值（万元，柱上数字为资产数）")
        fig.update_traces(marker_color="#5c6bc0", texttemplate="%{text}项")
        fig.update_layout(height=300, margin=dict(t=40, b=10, l=10, r=10))
        st.plotly_chart(fig, key="overview_categories")


def changes(ctx: ui.Context) -> None:
    st.subheader("与上一期快照相比")
    previous = ctx.previous()
    if previous is None:
        st.info("没有上一期快照可比较（示例数据或最早一期快照）。在“数据上传”页按月份保存快照后，这里显示新增、解除和等级升高的预警。")
        return
    label, ref = previous
    df = ctx.compared("app_changes", ref)
    counts = df.change.value_counts()
    st.caption(f"上一期：{label}（按其数据日期评估，政策参数与本期相同）")
    c = st.columns(3)
    for col, (key, name) in zip(c, fmt.CHANGE_ZH.items()):
        col.metric(name, f"{int(counts.get(key, 0)):,}项", border=True)
    if not df.empty:
        with st.expander("变化明细"):
            ui.table(df, key="overview_changes_table")


def ranking(ctx: ui.Context) -> None:
    st.subheader("各镇排名（按红色预警资产数、其原值）")
    ui.table(ctx.frame("app_town_ranking"), key="overview_ranking")


def body(ctx: ui.Context) -> None:
    if not cards(ctx):
        return
    categories(ctx)
    changes(ctx)
    ranking(ctx)


ui.run("总览", body)
