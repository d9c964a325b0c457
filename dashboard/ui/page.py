"""The frame of every page: title, the data/as_of/parameters line, and a guard that
turns any exception into a Chinese message (a user never sees a traceback)."""
from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from dashboard import labels, month_info, policy
from dashboard.explain import fmt_date
from dashboard.safe import md
from dashboard.ui.context import Context, current, current_error

log = logging.getLogger("dashboard.ui")


def run(title: str, body: Callable[[Context], None], *, needs_data: bool = True) -> None:
    """Draw `title`, the line of what is in force, then body(ctx), guarded."""
    st.title(title)
    ctx = current()
    try:
        if ctx is not None:
            header(ctx)
        if ctx is None and (needs_data or current_error()):
            # a failed load is said on every page, the upload page too (it is where to go next)
            st.warning(md(current_error()) or "没有可显示的数据，请在“数据上传”页上传台账。")
            if needs_data:
                return
        body(ctx)
    except ScriptControlException:     # st.rerun / st.stop / st.switch_page are not errors
        raise
    except Exception as exc:            # noqa: BLE001 — the promise: no traceback reaches a user
        log.exception("page %s failed", title)
        st.error(f"本页出现内部错误（{type(exc).__name__}），已记录。请调整筛选条件或重新选择数据来源后重试。")


def header(ctx: Context) -> None:
    """Data source, as_of and the parameters in force, on every page."""
    ev = ctx.evaluation
    defaults = ev.edition.parameters if ev.edition else None    # the edition in force at as_of
    changed = changed_params(ev.params, defaults)
    params_text = ("政策参数：全部为默认值" if not changed else
                   "政策参数（已调整）：" + "；".join(changed))
    if ev.edition:                    # which plan judged it (verification.md §4)
        params_text += f" · 政策版本：{md(ev.edition.document)}（{fmt_date(ev.edition.effective_from)}起施行）"
    stated = month_info.stated(ctx.source)           # the one 数据截至 of sidebar, exports and reports
    date_text = f"数据截至{fmt_date(stated)}，" if stated else ""
    st.caption(f"数据来源：{md(ctx.source.label)}（{date_text}评估基准日{fmt_date(ev.as_of)}，"
               f"收益按{ev.last_full_year}年度计） · {params_text}"
               + (" · 已应用侧栏筛选" if ctx.filters.active else ""))
    with st.expander("本次评估使用的政策参数与未评估的规则"):
        st.dataframe(params_frame(ev.params, defaults), hide_index=True)
        if ev.not_evaluated:
            st.caption("因缺少相应工作表或列而未评估的规则：" + "、".join(ev.not_evaluated))


def changed_params(params: dict, defaults: dict | None = None) -> list[str]:
    """The parameters that differ from the defaults (the edition's when given)."""
    specs = policy.parameters()
    defaults = defaults or {n: p.default for n, p in specs.items()}
    return [f"{specs[n].label} = {v}{specs[n].unit}" for n, v in params.items() if v != defaults.get(n, specs[n].default)]


def params_frame(params: dict, defaults: dict | None = None) -> pd.DataFrame:
    """The parameters in force as the reports print them: Chinese names, money in 万元, rates in %."""
    from dashboard.reports.document import Parameter

    def written(name: str, value) -> tuple[str, str]:
        number, unit = Parameter(name, "", value, policy.parameters()[name].unit).written()
        return f"{number:g}" if isinstance(number, float) else str(number), unit

    def named(rules: str) -> str:          # "IDLE 闲置、R07 …": a code with its name (T1–T4 are tiers)
        return "、".join(labels.rule(r) if r in policy.rules() else r for r in (x.strip() for x in rules.split(",")))
    defaults = defaults or {}
    rows = [(p.label, written(n, params.get(n, p.default))[0], written(n, defaults.get(n, p.default))[0],
             written(n, p.default)[1], named(p.rules))
            for n, p in policy.parameters().items()]
    return pd.DataFrame(rows, columns=["参数", "当前值", "默认值", "单位", "适用规则"])
