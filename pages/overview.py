"""总览: the filtered assets at a glance, towns ranked, the change since the previous month."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.ui import drill, fmt


TABLE_KEY, CHART_KEY = "overview_ranking", "overview_towns"
# The ranking's columns, what it is sorted by first: on a phone the red counts stay in view.
RANKING = ["rank", "town", "red", "red_value", "yellow", "yellow_value", "assets", "value", "idle", "low",
           "warned_share"]


def metric(col, label: str, n, yuan=None) -> None:
    money = None if yuan is None else fmt.fmt_wan(yuan)
    col.metric(label, f"{fmt.count(n)}项", money, delta_color="off", delta_arrow="off", border=True)


def cards(ctx: ui.Context) -> bool:
    towns = ctx.frame("shared/town_levels")
    o = towns[towns.is_total].iloc[0]
    if o.assets == 0:
        st.info("当前筛选条件下没有资产，请放宽侧栏筛选。")
        return False
    c = st.columns(4)
    metric(c[0], "资产", o.assets)
    c[1].metric("资产原值（万元）", f"{fmt.wan(o.value):,.2f}", border=True)
    metric(c[2], "红色预警资产", o.red, o.red_value)
    metric(c[3], "黄色预警资产", o.yellow, o.yellow_value)
    cats = ctx.frame("overview/categories")
    c = st.columns(2 + max(len(cats), 2))
    metric(c[0], "闲置资产", o.idle, o.idle_value)
    metric(c[1], "低效资产", o.low, o.low_value)
    for col, r in zip(c[2:], cats.itertuples()):
        metric(col, f"{fmt.md(r.category)}资产", r.assets, r.value)
    return True


def town_chart(ranking: pd.DataFrame) -> None:
    # go rather than plotly.express: building the figure is ~25× faster, and it is rebuilt on every filter change.
    bars = [go.Bar(x=ranking.town.map(fmt.chart_text), y=ranking[level], name=fmt.LEVEL_ZH[level], text=ranking[level],
                   marker_color=color) for level, color in (("red", "#c62828"), ("yellow", "#f9a825"))]
    fig = go.Figure(bars)
    fig.update_layout(barmode="stack", height=320, title=dict(text="各镇预警资产数"), yaxis_title="资产数",
                      margin=dict(t=40, b=10, l=10, r=10), legend=dict(orientation="h", y=1.12, x=1, xanchor="right"))
    st.plotly_chart(fig, key=CHART_KEY, config={"displayModeBar": False},   # no toolbar over the legend
                    on_select="rerun", selection_mode="points")


def changes(ctx: ui.Context) -> None:
    """What changed since last month, as the reports count it: baseline.before chooses what is
    compared with, queries/shared/changes.sql lists the change (assets that joined or left too)."""
    st.subheader("与上一期相比")
    label, ref = ctx.previous()
    df = ctx.compared("shared/changes", ref)
    counts = df.change.value_counts()
    st.caption(f"上一期：{fmt.md(label)}；政策参数与本期相同")
    c = st.columns(len(fmt.CHANGE_ZH))
    for col, (key, name) in zip(c, fmt.CHANGE_ZH.items()):
        col.metric(name, f"{int(counts.get(key, 0)):,}项", border=True)
    if df.empty:
        st.caption("与上一期相比，资产和预警没有变化。")
        return
    with st.expander("变化明细"):
        # a joined asset had no level then, one that left has none now: "—", not an empty cell
        for name in ("rule_level", "level", "previous_level"):
            df[name] = df[name].where(df[name].notna(), "—")
        ui.table(df, key="overview_changes_table")


def ranking(ctx: ui.Context) -> None:
    st.subheader("各镇排名（按红色预警资产数、其原值）")
    st.caption("点击某镇所在行或柱形，查看该镇红色和黄色预警资产及原因。")
    df = ctx.frame("shared/town_levels")
    df = df[~df.is_total].sort_values("rank", kind="stable")[RANKING].reset_index(drop=True)
    ui.table(df, key=TABLE_KEY, on_select="rerun", selection_mode="single-row")
    town_chart(df)
    town = picked_town(df)
    if town is not None:
        row = df[df.town == town].iloc[0]
        drill.warned_assets(ctx, town, None, int(row.red + row.yellow))


def picked_town(df: pd.DataFrame) -> str | None:
    """The town tapped in the ranking (a row) or the chart (a bar), the latest tap winning."""
    rows = (st.session_state.get(TABLE_KEY) or {}).get("selection", {}).get("rows", [])
    points = (st.session_state.get(CHART_KEY) or {}).get("selection", {}).get("points", [])
    town = fmt.chart_value(points[0].get("x")) if points else df.town.iloc[rows[0]] if rows and rows[0] < len(df) else None
    return town if town in set(df.town) else None


def body(ctx: ui.Context) -> None:
    if not cards(ctx):
        return
    ranking(ctx)
    changes(ctx)


ui.run("总览", body)
