"""The sidebar every page shares: data source, as_of, filters, parameters, rules.

Widget keys carry the data source, so switching months starts from that month's
defaults instead of carrying a town list the other month may not have.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import editions, labels, landing, ledgers, month_info, policy, snapshots, template
from dashboard.explain import fmt_date
from dashboard.evaluated import EvalKey
from dashboard.ledgers import Ledgers
from dashboard.scope import Scope
from dashboard.ui import auth, data
from dashboard.ui.context import Context, Filters, set_current
from dashboard.ui import fmt
from dashboard.ui.fmt import LEVEL_ZH

SOURCE_KEY = "ui.source"
PENDING_SOURCE = "ui.source_pending"   # set by the upload page before a rerun
UPLOAD_SOURCE = "ui.source_upload"     # the key of this session's unsaved upload
PARAM_PREFIX = "ui.param."


def build(user) -> Context | None:
    """Draw the sidebar and publish the page context (None when no data can be shown).
    The user's scope goes into the filters, so every query of every page applies it."""
    with st.sidebar:
        try:
            key = _source_picker(user)
            source = data.open_source(key, data.source_version(key), data.policy_version())
            as_of = _as_of_picker(key, source)
            params = _params_panel(editable=user.demo or user.may("edit_policy"), as_of=as_of)
            ev_key = data.key_for(key, as_of, params)
            data.evaluated(ev_key)         # evaluate before the filters read asset levels
            filters = _filters_panel(ev_key, user.scope)
        except data.SourceError as exc:
            st.error(fmt.md(exc))
            set_current(None, str(exc))
            _rules_panel()
            return None
        _rules_panel()
    ctx = Context(source, ev_key, filters)
    set_current(ctx)
    return ctx


def select_source(key: str) -> None:
    """Ask the sidebar to show `key` on the next run (call st.rerun() after)."""
    st.session_state[PENDING_SOURCE] = key


SAMPLE_LABEL = f"{ledgers.SAMPLE_LABEL}（非真实数据）"
LANDED = "ui.source_landed"     # True while the source is the landing rule's, not the user's choice
SOURCE_USER = "ui.source_user"  # whose session state it is: a new sign-in lands anew


def _source_picker(user) -> str:
    """Months newest first, an unsaved upload of this session, the sample last and labelled so.
    A session's first run opens on the latest saved month of the user's scope (landing.py);
    a source the user picked, or an upload just made, is kept."""
    months = snapshots.list_months()
    options = [s.key for s in reversed(months)] + [data.SAMPLE_KEY]
    labels = {data.SAMPLE_KEY: SAMPLE_LABEL} | {s.key: f"{s.label}（{month_info.kind_label(s)}）" for s in months}
    upload = st.session_state.get(UPLOAD_SOURCE)       # this session's upload, not saved yet
    if upload and data.upload_label(upload):
        options.insert(0, upload)
        labels[upload] = f"{data.upload_label(upload)}（未保存）"
    if st.session_state.get(SOURCE_USER, user.name) != user.name:   # another account signed in here
        st.session_state.pop(SOURCE_KEY, None)
    st.session_state[SOURCE_USER] = user.name
    pending = st.session_state.pop(PENDING_SOURCE, None)
    if pending in options:
        st.session_state[SOURCE_KEY] = pending
        st.session_state.pop(LANDED, None)
    if st.session_state.get(SOURCE_KEY) not in options or st.session_state.get(LANDED):
        # not chosen by this user: the landing rule (a month saved since is opened on the next run)
        target = landing.source_for(user.scope)
        st.session_state[SOURCE_KEY] = target if target in options else data.SAMPLE_KEY
        st.session_state[LANDED] = True
    return st.selectbox("数据来源", options, key=SOURCE_KEY, format_func=labels.get, on_change=_source_chosen,
                        help="已保存的月度数据（上传快照或各单位报送的汇总）；示例数据仅供演示，不是真实数据")


def _source_chosen() -> None:
    st.session_state.pop(LANDED, None)


def _as_of_picker(key: str, source: Ledgers) -> dt.date:
    # Ledgers are judged at their own date (policy-rules §9): the data date their title rows
    # state, else a saved month's last day; only an upload stating no date opens at today.
    as_of = st.date_input("评估基准日", value=source.reference, key=f"ui.as_of.{key}", format="YYYY-MM-DD",
                          help="预警、认定和节点进度按此日期判断")
    if source.month:      # the month's 数据截至, as the page header, the exports and the reports say it
        st.caption(f"数据截至{fmt_date(month_info.stated(source))}"
                   + ("" if source.data_date else f"（未注明数据日期，按{source.label}最后一天）") + "，默认按此日评估。")
    elif source.data_date:
        st.caption(f"数据截至{fmt_date(source.data_date)}，默认按此日评估。")
    else:
        st.caption("上传的台账未注明数据日期，默认按今天评估。")
    return as_of


def _params_panel(editable: bool, as_of: dt.date | None = None) -> dict:
    specs = policy.parameters()
    edition = editions.in_force(as_of)       # its defaults; the page header names it
    with st.expander("政策参数", icon=":material/tune:"):
        st.caption(f"政策版本：{edition.document}（{fmt_date(edition.effective_from)}起施行），下列默认值为该版本的。")
        if not editable:
            st.caption("政策参数由旗级管理员调整；本账号按下列取值评估。")
        st.button("恢复默认值", on_click=_reset_params, args=(edition.parameters,), key="ui.param_reset",
                  disabled=not editable)
        _follow_edition(edition)
        values = {}
        for name, p in specs.items():
            key = PARAM_PREFIX + name
            unit, factor = _shown_unit(p)
            default = edition.parameters.get(name, p.default)
            st.session_state.setdefault(key, _shown(default, factor))
            is_int = isinstance(p.default, int) and factor == 1
            shown = st.number_input(
                f"{p.label}（{unit}）", min_value=0 if is_int else 0.0, key=key,
                step=1 if is_int else 0.01, format="%d" if is_int else "%.2f", disabled=not editable,
                on_change=_param_changed, args=(name,),
                help=f"默认值{_shown(default, factor):g}{unit}；用于规则："
                     + "、".join(labels.rule(r.strip()) for r in p.rules.split(",") if r.strip() in policy.rules()))
            values[name] = shown if factor == 1 else round(shown / factor, 6)
    try:
        return policy.resolve_params(values)
    except policy.PolicyError as exc:
        st.error(f"{exc}。已按默认值评估。")
        return policy.default_params()


# Money is entered in 万元 and rates in %, as every page and report shows them; the rules
# keep 元 and ratios (parameters.toml).
SHOWN_UNITS = {"元": ("万元", 0.0001), "比率": ("%", 100)}


def _shown_unit(p) -> tuple[str, float]:
    return SHOWN_UNITS.get(p.unit, (p.unit, 1))


def _shown(value, factor: float):
    return value if factor == 1 else round(value * factor, 6)


def _reset_params(defaults: dict | None = None) -> None:
    """Back to the defaults of the edition in force (the catalog's when none is given)."""
    for name, p in policy.parameters().items():
        st.session_state[PARAM_PREFIX + name] = _shown((defaults or {}).get(name, p.default), _shown_unit(p)[1])
    auth.record("parameters", "恢复默认值")


PARAM_EDITION = "ui.param_edition"     # the edition whose defaults the parameter widgets started from


def _follow_edition(edition) -> None:
    """When as_of moves into another edition, the values still at the old edition's defaults
    take the new one's; values the user changed stay."""
    old = st.session_state.get(PARAM_EDITION)
    st.session_state[PARAM_EDITION] = edition.parameters
    if old is None or old == edition.parameters:
        return
    for name, p in policy.parameters().items():
        key, factor = PARAM_PREFIX + name, _shown_unit(p)[1]
        if key in st.session_state and st.session_state[key] == _shown(old.get(name, p.default), factor):
            st.session_state[key] = _shown(edition.parameters.get(name, p.default), factor)


def _param_changed(name: str) -> None:
    spec = policy.parameters()[name]
    auth.record("parameters", name, details={"新值": f"{st.session_state.get(PARAM_PREFIX + name)}{_shown_unit(spec)[0]}"})


def _filters_panel(ev_key: EvalKey, scope: Scope) -> Filters:
    opts = data.cached_frame(ev_key, "sidebar/filter_options", Filters().within(scope), ())
    k = f"ui.f.{ev_key.source}."
    st.subheader("筛选")
    st.button("清除筛选", key=k + "clear", on_click=_clear_filters, args=(k,))
    towns = _pick("镇", _values(opts, "town"), k + "towns", "全部镇")
    village_rows = opts[opts.field == "village"]
    if towns:
        village_rows = village_rows[village_rows.parent.isin(towns)]
    villages = _pick("嘎查村", village_rows.value.drop_duplicates().tolist(), k + "villages", "全部嘎查村")
    categories = _pick("资产类别", _values(opts, "category"), k + "categories")
    types = _pick("资产类型", _values(opts, "asset_type"), k + "types")
    funds = _pick("资金来源", _values(opts, "funding_source"), k + "funds")
    year_from, year_to = _year_range(opts, k)
    levels = _pick("预警等级", list(LEVEL_ZH)[:3], k + "levels", format_func=LEVEL_ZH.get)
    batches = _pick("四个一批（建议）", list(template.BATCHES), k + "batches")
    return Filters(tuple(towns), tuple(villages), tuple(categories), tuple(types), tuple(funds),
                   year_from, year_to, tuple(levels), tuple(batches), scope)


def _pick(label: str, options: list, key: str, placeholder: str = "全部", **kwargs) -> list:
    # No bulk "Select all" entry: Streamlit writes it in English, and an empty filter already means all.
    return st.multiselect(label, options, key=key, placeholder=placeholder, select_all=False, **kwargs)


def _values(opts: pd.DataFrame, field: str) -> list[str]:
    return opts.loc[opts.field == field, "value"].tolist()


def _year_range(opts: pd.DataFrame, k: str) -> tuple[int | None, int | None]:
    years = sorted(int(y) for y in _values(opts, "build_year"))
    if len(years) < 2:
        return None, None
    st.session_state[k + "years_full"] = (years[0], years[-1])      # what 清除筛选 puts back
    lo, hi = st.slider("建成年度", years[0], years[-1], (years[0], years[-1]), key=k + "years")
    # The full range means "no filter", so assets without a build year stay in.
    return (None if lo == years[0] else lo), (None if hi == years[-1] else hi)


FILTER_LISTS = ("towns", "villages", "categories", "types", "funds", "levels", "batches")


def _clear_filters(prefix: str) -> None:
    # Each widget is given its empty value: a deleted key lets the browser send back the
    # choice it still shows (the towns stayed chosen after 清除筛选).
    for name in FILTER_LISTS:
        st.session_state[prefix + name] = []
    full = st.session_state.get(prefix + "years_full")
    if full is not None:
        st.session_state[prefix + "years"] = full


def _rules_panel() -> None:
    with st.expander("规则说明（规则编号与工作方案原文）", icon=":material/menu_book:"):
        rows = [(r.rule_id, r.name, r.seed) for r in policy.rules().values()]
        st.dataframe(pd.DataFrame(rows, columns=["规则", "名称", "工作方案原文"]), hide_index=True,
                     height=300)
