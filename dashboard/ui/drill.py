"""One town's warned assets with a sentence per rule: the heatmap's drill-down (a town and a
rule) and 总览's town ranking (a town's red and yellow assets) draw the same list."""
from __future__ import annotations

import streamlit as st

from dashboard import explain, labels
from dashboard.ui import fmt
from dashboard.ui.context import Context

LIST_LIMIT = 100


def sentence(rule_id: str, facts, ctx: Context) -> str:
    try:
        return f"{labels.rule(rule_id)}：{explain.explain(rule_id, facts, ctx.as_of, ctx.params)}"
    except Exception:  # noqa: BLE001 — a fact the template cannot use must not hide the asset
        return labels.rule(rule_id)


def warned_assets(ctx: Context, town: str, rule_id: str | None, total: int) -> None:
    """The assets (largest first), each with its level and one sentence per rule it fired."""
    df = ctx.frame("shared/warned_assets", town=town, rule_id=rule_id, limit=LIST_LIMIT)
    what = labels.rule(rule_id) if rule_id else "红色和黄色预警"
    if df.empty:
        st.info(f"{fmt.md(town)}没有{what}资产（当前筛选条件下）。")
        return
    shown = df.asset_id.nunique()
    more = f"，显示原值最大的{shown}项" if total > shown else ""
    st.markdown(f"#### {fmt.md(town)} · {what}：{total:,}项资产{more}")
    box = st.container(height=560 if shown > 6 else "content", border=True)
    for asset_id, rows in df.groupby("asset_id", sort=False):
        first = rows.iloc[0]
        box.markdown(f"**{fmt.md(asset_id)} {fmt.md(first.asset_name)}**（{fmt.md(first.village) or '未填写嘎查村'}，原值"
                     f"{fmt.fmt_wan(first.original_value)}，{fmt.LEVEL_ZH.get(first.level, first.level)}）")
        box.markdown("\n".join(f"- {fmt.md(sentence(r.rule_id, r.facts, ctx))}" for r in rows.itertuples()))
