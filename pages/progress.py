"""盘活进度: the milestones of the edition in force (M1–M6 in the seed's) against their due dates
(per town, with the due line drawn), the shares passing MG1 (确权) and MG3 (纳入平台) by town and month, 盘活率 (M5) month by month, the four batches suggested vs
recorded (with their national labels), the six paths."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import policy, template, ui
from dashboard.ui import fmt

BANNER = "全旗"
DUE_COLOUR, LINE_COLOURS = "#c62828", ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]
UNRECORDED = "未登记"


def name(series: pd.DataFrame, milestone: str) -> str:
    names = series.loc[series.milestone == milestone, "name"]
    return f"{milestone} {names.iloc[0] if len(names) else ''}".strip()


def milestone_table(ctx: ui.Context) -> None:
    df = ctx.frame("shared/milestones")
    df["town"] = df.town.fillna(BANNER)
    df = df.rename(columns={"name": "milestone_name"})
    cols = ["milestone", "milestone_name", "town", "due_date", "share_at_due", "share", "done", "total"]
    banner, towns = df[df.town == BANNER], df[df.town != BANNER]
    # A town's user has no banner-wide row (it counts other towns): its own town's table is the answer.
    if not banner.empty or towns.empty:
        ui.table(banner[cols], key="progress_milestones")
    if df.pending.any():
        st.caption("到期日晚于评估基准日的节点尚未到期，“到期时完成率”为空。")
    if not towns.empty:
        st.markdown("**分镇完成率**（到期时 / 截至评估基准日）")
        ui.table(towns[cols], key="progress_milestones_towns", height=300)


def series_label(town) -> str:
    return BANNER if town is None or pd.isna(town) else town


def milestone_figure(series: pd.DataFrame, due: pd.DataFrame, m: str) -> go.Figure:
    """One milestone: the month-end share per town, the due date as a dashed line and the share on
    the due date marked (due: the page_milestones rows of the same towns).  One figure each, in
    columns: three to a row on a desktop, one to a row on a phone (Streamlit stacks columns), so
    titles, date ticks and labels never share a phone's 390 px."""
    fig = go.Figure()
    part = series[series.milestone == m]
    towns = list(dict.fromkeys(series.town.map(series_label)))
    for j, town in enumerate(towns):
        line = part[part.town.map(series_label) == town]
        fig.add_trace(go.Scatter(
            x=line.at_date, y=line.share * 100, mode="lines", name=fmt.chart_text(town), legendgroup=town,
            showlegend=len(towns) > 1, line=dict(color=LINE_COLOURS[j % len(LINE_COLOURS)], width=2),
            customdata=line[["done", "total"]].values,
            hovertemplate=f"{fmt.chart_text(town)} %{{x|%Y年%-m月%-d日}}<br>完成率 %{{y:.2f}}%（%{{customdata[0]:.0f}}/%{{customdata[1]:.0f}}）"
                          "<extra></extra>"))
    due_rows = due[due.milestone == m]
    if not due_rows.empty:
        due_date = due_rows.due_date.iloc[0]
        fig.add_shape(type="line", x0=due_date, x1=due_date, y0=0, y1=105,
                      line=dict(color=DUE_COLOUR, width=1.5, dash="dash"))
        reached = due_rows[due_rows.share_at_due.notna()]
        # One label at most: several towns' labels at one date pile into "29.7%29.7%" (the table has them all).
        text = [f"{v * 100:.1f}%" for v in reached.share_at_due] if len(reached) == 1 else None
        fig.add_trace(go.Scatter(
            x=reached.due_date.tolist(), y=(reached.share_at_due * 100).tolist(),
            mode="markers+text" if text else "markers", name="到期日完成率", showlegend=False,
            marker=dict(color=DUE_COLOUR, size=9, symbol="diamond"), text=text, textposition="bottom right",
            textfont=dict(color=DUE_COLOUR, size=11), customdata=reached.town.map(series_label).map(fmt.chart_text),
            hovertemplate="%{customdata} 到期日%{x|%Y年%-m月%-d日}<br>完成率 %{y:.2f}%<extra></extra>"))
    fig.update_yaxes(range=[0, 110], ticksuffix="%", fixedrange=True)
    fig.update_xaxes(tickformat="%Y年%-m月", nticks=4, fixedrange=True)
    several = len(towns) > 1        # a legend of towns under the dates, two lines on a phone
    fig.update_layout(height=260 + (60 if several else 0), title=dict(text=name(series, m), font=dict(size=14)),
                      margin=dict(t=40, b=10, l=10, r=20),
                      legend=dict(orientation="h", y=-0.15 if several else 0, yanchor="top"))
    return fig


def milestones(ctx: ui.Context) -> None:
    edition = ctx.evaluation.edition
    ids = [m.id for m in edition.milestones]
    st.header(f"重点工作节点（{ids[0]}–{ids[-1]}）" if len(ids) > 1 else "重点工作节点")
    st.caption(f"节点依据{edition.document}（{fmt.fmt_date(edition.effective_from)}起施行），自其施行之日起计算。"
               "节点按镇统计：侧栏只有“镇”筛选适用。红色虚线为到期日，菱形标出到期日的完成率。")
    scope = ctx.filters.scope
    if scope.village or scope.department:     # milestone_in_scope: counted per town, not per village or department
        st.info(f"节点完成率按全旗和各镇统计，本账号的查看范围（{scope.label}）不是整镇，这里不显示；"
                "本页以下各部分只含本范围的资产。")
        return
    milestone_table(ctx)
    series = ctx.frame("progress/milestone_series")
    if series.empty:
        st.info("评估基准日之前没有节点数据。")
        return
    due = ctx.frame("shared/milestones")
    due = due[due.town.isna()] if not ctx.filters.towns else due[due.town.notna()]
    shown = list(dict.fromkeys(series.milestone))
    for row in (shown[i:i + 3] for i in range(0, len(shown), 3)):
        for col, m in zip(st.columns(3), row):
            col.plotly_chart(milestone_figure(series, due, m), key=f"progress_milestone_{m}",
                             config={"displayModeBar": False})


def check_shares(ctx: ui.Context) -> None:
    """MG1 (确权移交) and MG3 (纳入对应管理平台): the share of in-scope assets passing, by town, and
    month by month from the saved months (their summaries)."""
    st.header("确权移交与纳入平台（MG1、MG3）")
    df = ctx.frame("progress/check_shares")
    if df.empty or df[df.is_total].checked.iloc[0] == 0:
        st.info("当前筛选条件下没有核查范围内的资产。")
        return
    st.caption("核查范围内资产：在核实范围内（未标记“不在核实范围”）且处置状态不是已处置的资产；确权移交率 = 未触发"
               "MG1（未确权移交）的资产 ÷ 核查范围内资产，纳入平台率 = 未触发MG3（未纳入对应管理平台）的资产 ÷ "
               "核查范围内资产（到户类等产权归属为农户的不检查MG3，计为已纳入）。")
    df["town"] = df.town.fillna(BANNER)
    ui.table(df.rename(columns={"checked": "in_scope_checked"})[
        ["town", "in_scope_checked", "confirmed", "confirmed_share", "on_platform", "platform_share"]],
        key="progress_check_shares")
    months = [(label, frame[frame.is_total]) for label, frame in ctx.history("progress/check_shares")]
    months = [(label, frame.iloc[0]) for label, frame in months if len(frame) and frame.checked.iloc[0] > 0]
    if len(months) < 2:
        st.caption("保存两个以上月份后，这里显示逐月变化。")
        return
    fig = go.Figure()
    for j, (col, title) in enumerate((("confirmed_share", "确权移交率"), ("platform_share", "纳入平台率"))):
        fig.add_trace(go.Scatter(x=[m for m, _ in months], y=[float(r[col]) * 100 for _, r in months],
                                 mode="lines+markers", name=title, line=dict(color=LINE_COLOURS[j]),
                                 hovertemplate=f"%{{x}} {title} %{{y:.2f}}%<extra></extra>"))
    fig.update_yaxes(range=[0, 105], ticksuffix="%", fixedrange=True)
    fig.update_xaxes(type="category", fixedrange=True)
    fig.update_layout(height=300, margin=dict(t=30, b=10, l=10, r=20), legend=dict(orientation="h", y=1.15))
    st.plotly_chart(fig, key="progress_check_shares_chart", config={"displayModeBar": False})


def revitalisation(ctx: ui.Context) -> None:
    st.header("盘活率（M5）逐月变化")
    series = ctx.frame("progress/milestone_series")
    m5 = series[series.milestone == "M5"]
    if m5.empty:
        st.info("没有需要盘活的闲置或低效经营性资产。")
        return
    st.caption(policy.rules()["M5"].seed + "。盘活率 =（已盘活原值 ÷ 需盘活原值 + 已盘活项数 ÷ 需盘活项数）÷ 2，"
               "按台账记录的盘活日期逐月计算。")
    fig = go.Figure()
    for j, (town, line) in enumerate(m5.groupby(m5.town.map(series_label), sort=False)):
        fig.add_trace(go.Scatter(
            x=line.at_date, y=line.share * 100, mode="lines+markers+text", name=fmt.chart_text(town),
            # the latest month only: a label on every month piles up on a phone
            text=[""] * (len(line) - 1) + [f"{line.share.iloc[-1] * 100:.1f}%"], textposition="top left",
            line=dict(color=LINE_COLOURS[j % len(LINE_COLOURS)]), customdata=line[["done", "total"]].values,
            hovertemplate=f"{fmt.chart_text(town)} %{{x|%Y年%-m月%-d日}}<br>盘活率 %{{y:.2f}}%（已盘活%{{customdata[0]:.0f}}项，"
                          "需盘活%{customdata[1]:.0f}项）<extra></extra>"))
    due_date = m5.due_date.iloc[0]
    fig.add_shape(type="line", x0=due_date, x1=due_date, y0=0, y1=105, line=dict(color=DUE_COLOUR, dash="dash"))
    fig.add_annotation(x=due_date, y=105, text=f"到期日{fmt.fmt_date(due_date)}", showarrow=False,
                       font=dict(color=DUE_COLOUR), yanchor="bottom")
    fig.update_yaxes(range=[0, 115], ticksuffix="%", title="盘活率")
    fig.update_xaxes(tickformat="%Y年%-m月", nticks=5)
    fig.update_layout(height=340, margin=dict(t=30, b=10, l=10, r=20), legend=dict(orientation="h", y=1.12))
    st.plotly_chart(fig, key="progress_m5_chart", config={"displayModeBar": False})


def batches(ctx: ui.Context) -> None:
    st.header("四个一批：建议分类与台账登记")
    summary = ctx.frame("progress/batch_summary").iloc[0]
    if summary.assets == 0:
        st.info("当前筛选条件下没有资产。")
        return
    c = st.columns(3)
    c[0].metric("台账已登记分类", f"{fmt.count(summary.recorded)}项", border=True)
    c[1].metric("登记与建议不一致", f"{fmt.count(summary.differs)}项", border=True)
    c[2].metric("台账未登记分类", f"{fmt.count(summary.unrecorded)}项", border=True)
    df = ctx.frame("progress/batches")
    df["batch_recorded"] = df.batch_recorded.fillna(UNRECORDED)
    # Arrangement only: the counts come from SQL; rows = suggested, columns = recorded.
    cross = df.pivot_table(index="batch_suggested", columns="batch_recorded", values="assets",
                           aggfunc="sum", fill_value=0)
    order = list(template.BATCHES)
    cross = cross.reindex(index=order, columns=order + [UNRECORDED], fill_value=0).astype(int)
    label = ctx.evaluation.edition.batch_label      # 提升（升级）: the national label beside the plan's
    cross.index = [f"建议：{label(b)}" for b in cross.index]
    cross.columns = [f"台账：{label(b)}" for b in cross.columns]
    st.caption("行为规则建议的分类，列为台账登记的分类；对角线以外为不一致（项数）。括号内为全国统一的"
               "“四个一批”名称。")
    st.dataframe(cross, key="progress_batches")


def paths(ctx: ui.Context) -> None:
    st.header("六条盘活路径")
    df = ctx.frame("progress/paths", paths=list(template.PATHS))
    if df.assets.sum() == 0:
        st.info("当前筛选条件下没有登记盘活路径的资产。")
        return
    ui.table(df, key="progress_paths")
    fig = go.Figure([
        go.Bar(x=df.revitalisation_path.map(fmt.chart_text), y=df.revitalised, name="已盘活", marker_color="#2e7d32",
               text=df.revitalised, textposition="inside"),
        go.Bar(x=df.revitalisation_path.map(fmt.chart_text), y=df.assets - df.revitalised, name="尚未盘活", marker_color="#bdbdbd"),
    ])
    fig.update_layout(barmode="stack", height=300, margin=dict(t=30, b=10, l=10, r=10),
                      yaxis_title="资产数（项）", legend=dict(orientation="h", y=1.15))
    fig.update_yaxes(tickformat=",d", rangemode="tozero", dtick=max(1, int(df.assets.max()) // 5) or 1)
    st.plotly_chart(fig, key="progress_paths_chart", config={"displayModeBar": False})


def body(ctx: ui.Context) -> None:
    milestones(ctx)
    check_shares(ctx)
    revitalisation(ctx)
    batches(ctx)
    paths(ctx)


ui.run("盘活进度", body)
