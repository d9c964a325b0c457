"""公示 (群众监管, plan 八(四)): what a villager may read without signing in — per village, the
assets, the income received and how it was distributed.  Only the month the banner
administrator published is shown (nothing is public before); in demo mode, the bundled
sample, marked as such.  No names of people and no contract terms: the queries (queries/gongshi/)
withhold them, so a household's 到户类 asset reads "基础母牛（到户类）" (issue 19.5)."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from dashboard import policy, snapshots
from dashboard.filters import Filters
from dashboard.scope import Scope
from dashboard.store import settings
from dashboard.ui import auth, data, fmt

ASSET_COLUMNS = ["asset_name", "category", "asset_type", "build_year", "original_value", "operating_status",
                 "owner_level", "asset_id"]


def published_source() -> tuple[str, str] | None:
    """(source key, what it is called) of what is public, or None."""
    if auth.demo_mode():
        return data.SAMPLE_KEY, "示例数据（演示模式）"
    month = settings.published_month()
    saved = snapshots.find(month) if month else None
    return (saved.key, saved.label) if saved else None


def village_picker(key) -> Scope | None:
    places = data.cached_frame(key, "gongshi/villages", Filters(), ())
    if places.empty:
        st.info("暂无可公示的资产。")
        return None
    towns = list(dict.fromkeys(places.town))
    left, right = st.columns(2)
    town = left.selectbox("镇", towns, key="gongshi.town")
    villages = places.loc[places.town == town, "village"].tolist()
    village = right.selectbox("嘎查村", villages, key=f"gongshi.village.{town}")
    return Scope(town=town, village=village)


def show(key, place: Scope) -> None:
    where = Filters().within(place)
    assets = data.cached_frame(key, "gongshi/assets", where, ())
    income = data.cached_frame(key, "gongshi/income", where, ())
    shared = data.cached_frame(key, "gongshi/distribution", where, ())
    a, b, c = st.columns(3)
    a.metric("资产", f"{len(assets):,}项")
    b.metric("收到收益", fmt.fmt_wan(income.income_received.sum()))
    c.metric("已分配", fmt.fmt_wan(shared.amount.sum()))
    st.subheader(f"{fmt.md(place.label)}的项目资产")
    st.caption("到户类资产只公示类型（如“基础母牛（到户类）”），不公开个人姓名。")
    fmt.table(assets[ASSET_COLUMNS], key="gongshi.assets")
    st.subheader("收到的收益")
    if income.empty:
        st.caption("暂无收益记录。")
    else:
        fmt.table(income, key="gongshi.income")
    st.subheader("收益分配")
    if shared.empty:
        st.caption("暂无分配记录。")
    else:
        fmt.table(shared, key="gongshi.distribution")


def body() -> None:
    st.title("公示")
    st.caption("鄂托克前旗扶贫（帮扶）项目资产及收益分配公示，接受群众监督。金额单位：万元。")
    source = published_source()
    if source is None:
        st.info("尚未发布公示内容。")
        return
    key_name, label = source
    books = data.open_source(key_name, data.source_version(key_name), data.policy_version())
    key = data.key_for(key_name, books.reference, policy.default_params())
    st.caption(f"公示数据：{fmt.md(label)}，截至{fmt.fmt_date(books.reference)}。")
    place = village_picker(key)
    if place is not None:
        show(key, place)


try:
    body()
except ScriptControlException:
    raise
except Exception:  # noqa: BLE001 — a villager never sees a traceback
    import logging
    logging.getLogger("dashboard.ui").exception("公示 failed")
    st.error("公示内容暂时无法显示，请稍后再试。")
