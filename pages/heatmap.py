"""预警热力图: town × warning rule (red and yellow groups), town × month, and the
assets behind any cell with one sentence per fired rule."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import labels, policy, ui
from dashboard.ui import drill, fmt

CHART_KEY, GRID_KEY = "heatmap_chart", "heatmap_grid"   # GRID_KEY: its CSS class st-key-heatmap_grid
PICK_TOWN, PICK_RULE = "heatmap_pick_town", "heatmap_pick_rule"
LIST_LIMIT = 100
GROUPS = (("red", "红色预警规则", "Reds"), ("yellow", "黄色预警规则", "YlOrBr"))


def rule_ids(level: str) -> list[str]:
    return [r.rule_id for r in policy.rules().values() if r.level == level]


def grid(df: pd.DataFrame, towns: list[str], rules: list[str], measure: str) -> list[list[float]]:
    """towns × rules, zeros where nothing fired (arrangement only; plain loops are
    much faster than a pandas pivot at this size, and the page reruns on every filter)."""
    cells = {(t, r): v for t, r, v in zip(df.town, df.rule_id, df[measure])}
    return [[float(cells.get((t, r), 0)) for r in rules] for t in towns]


def figure(df: pd.DataFrame, measure: str, towns: list[str]) -> go.Figure:
    """Red and yellow rules side by side on one shared town axis (go, not make_subplots: faster)."""
    groups = [(level, title, scale, rule_ids(level)) for level, title, scale in GROUPS]
    split = len(groups[0][3]) / sum(len(g[3]) for g in groups)
    domains = [(0, split - 0.03), (split + 0.03, 1)]
    traces, layout = [], {}
    for i, (level, title, scale, rules) in enumerate(groups):
        axis = "x" if i == 0 else "x2"
        z = grid(df, towns, rules, measure)
        if measure == "value":
            z = [[fmt.wan(v) or 0 for v in row] for row in z]
        text = [["" if v == 0 else (f"{v:.2f}" if measure == "value" else f"{int(v)}") for v in row] for row in z]
        names = [labels.rule(r) for r in rules]
        traces.append(go.Heatmap(
            z=z, x=rules, y=[fmt.chart_text(t) for t in towns], text=text, texttemplate="%{text}", colorscale=scale, name=title,
            showscale=False, xgap=2, ygap=2, customdata=[names] * len(towns), xaxis=axis, yaxis="y",
            hovertemplate="%{y} · %{customdata}<br>" + ("原值 %{z:.2f}万元" if measure == "value" else "%{z}项资产")
            + "<extra></extra>"))
        # Invisible points on every cell: plotly heatmaps send no click selection themselves.
        traces.append(go.Scatter(
            x=[r for _ in towns for r in rules], y=[fmt.chart_text(t) for t in towns for _ in rules], mode="markers",
            showlegend=False, hoverinfo="none", xaxis=axis, yaxis="y",
            marker=dict(size=28, symbol="square", opacity=0.01, color="#000")))
        layout["xaxis" if i == 0 else "xaxis2"] = dict(domain=domains[i], title=dict(text=title), side="top")
    fig = go.Figure(traces)
    fig.update_layout(**layout, yaxis=dict(autorange="reversed"), height=140 + 38 * len(towns),
                      margin=dict(t=50, b=10, l=10, r=10), clickmode="event+select", dragmode=False)
    return fig


def picked_from_chart() -> None:
    """Chart click → the town and rule selectboxes (they are the drill-down's one state)."""
    event = st.session_state.get(CHART_KEY)
    points = (event or {}).get("selection", {}).get("points", [])
    if points:
        st.session_state[PICK_TOWN] = fmt.chart_value(points[0].get("y"))
        st.session_state[PICK_RULE] = points[0].get("x")


def town_order(ctx: ui.Context, df: pd.DataFrame) -> list[str]:
    """Towns in the order of 总览's ranking (most red first), so both pages read alike."""
    ranking = ctx.frame("shared/town_levels")
    ranked = ranking[~ranking.is_total].sort_values("rank", kind="stable").town.tolist()
    present = set(df.town)
    return [t for t in ranked if t in present] + [t for t in dict.fromkeys(df.town) if t not in ranked]


def rule_names(df: pd.DataFrame) -> None:
    """The codes on the chart with their short names: a projector or a phone has no hover."""
    fired = [r for r in rule_ids("red") + rule_ids("yellow") if r in set(df.rule_id)]
    st.caption("　".join(labels.rule(r) for r in fired))


def pick(town: str, rule_id: str) -> None:
    st.session_state[PICK_TOWN], st.session_state[PICK_RULE] = town, rule_id


def town_list(df: pd.DataFrame, towns: list[str]) -> None:
    """The same counts as a list a thumb can use: a town, then a rule, opens its assets."""
    st.subheader("按镇查看")
    for town in towns:
        rows = df[df.town == town]
        red, yellow = rows[rows.level == "red"], rows[rows.level == "yellow"]
        with st.expander(f"{fmt.md(town)}：红色预警规则{len(red)}条 · 黄色预警规则{len(yellow)}条"):
            for r in pd.concat([red, yellow]).itertuples():
                st.button(f"{labels.rule(r.rule_id)} · {int(r.assets)}项", key=f"heatmap_list.{town}.{r.rule_id}",
                          on_click=pick, args=(town, r.rule_id), width="stretch")


def drill_down(ctx: ui.Context, df: pd.DataFrame, towns: list[str]) -> None:
    st.subheader("查看资产")
    st.caption("点击上面“按镇查看”中的规则或热力图中的格子，或在下面选择镇和规则。")
    rules = rule_ids("red") + rule_ids("yellow")
    if st.session_state.get(PICK_TOWN) not in towns:
        st.session_state[PICK_TOWN] = towns[0]
    if st.session_state.get(PICK_RULE) not in rules:
        fired = df[df.town == st.session_state[PICK_TOWN]].rule_id
        st.session_state[PICK_RULE] = fired.iloc[0] if len(fired) else rules[0]
    left, right = st.columns(2)
    town = left.selectbox("镇", towns, key=PICK_TOWN)
    rule_id = right.selectbox("规则", rules, key=PICK_RULE, format_func=labels.rule)
    cell = df[(df.town == town) & (df.rule_id == rule_id)]
    drill.warned_assets(ctx, town, rule_id, int(cell.assets.sum()))


def over_time(ctx: ui.Context) -> None:
    st.subheader("各镇预警资产数（按月度快照）")
    history = [(label, h[~h.is_total]) for label, h in ctx.history("shared/town_levels")]
    frames = [h.assign(month=label) for label, h in history if not h.empty]
    if not frames:
        st.info("当前筛选条件下没有预警资产。")
        return
    if len(history) == 1:
        st.info(f"目前只有一期数据（{fmt.md(history[0][0])}）。在“数据上传”页按月份保存快照后，这里逐月比较。")
    df = pd.concat(frames).rename(columns={"month": "rule_id"})   # grid() reads columns as rule_id
    towns, months = list(dict.fromkeys(df.town)), [label for label, _ in history]
    z = grid(df, towns, months, "warned")
    fig = go.Figure(go.Heatmap(z=z, x=[fmt.chart_text(m) for m in months], y=[fmt.chart_text(t) for t in towns], text=[[int(v) for v in row] for row in z],
                               texttemplate="%{text}",
                               colorscale="OrRd", xgap=2, ygap=2,
                               hovertemplate="%{y} · %{x}<br>红色和黄色预警资产 %{z}项<extra></extra>"))
    fig.update_layout(height=120 + 38 * len(towns), margin=dict(t=20, b=10, l=10, r=10))
    fig.update_yaxes(autorange="reversed")
    st.plotly_chart(fig, key="heatmap_months", config={"displayModeBar": False})


def body(ctx: ui.Context) -> None:
    df = ctx.frame("shared/heatmap")
    if df.empty:
        st.info("当前筛选条件下没有红色或黄色预警。")
        return
    towns = town_order(ctx, df)
    # On a narrow screen the cells are a few pixels wide: style.py hides this box there and the
    # list by town below carries the same counts.
    with st.container(key=GRID_KEY):
        measure = st.radio("数值", ["assets", "value"], horizontal=True, key="heatmap_measure",
                           format_func={"assets": "资产数（项）", "value": "资产原值（万元）"}.get)
        st.plotly_chart(figure(df, measure, towns), key=CHART_KEY, on_select=picked_from_chart,
                        selection_mode="points", config={"displayModeBar": False})
        rule_names(df)
    town_list(df, towns)
    drill_down(ctx, df, towns)
    over_time(ctx)


ui.run("预警热力图", body)
