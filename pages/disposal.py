"""处置与销号: every disposal with its path, its steps on a timeline and its violations
DP1–DP6 explained; the disposal ledger in the layout of the seed's annex 3 (built by the
report's own annex code) and the approval form of annex 2 for any one disposal; the problem
ledger by the five aspects with overdue problems highlighted; the sign-off tiers T1–T4 and
who signs off."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import explain, labels, template, ui
from dashboard.reports import approval_form, build, content
from dashboard.reports.document import WAN
from dashboard.ui import auth, export, fmt

TIMELINE_LIMIT = 40
STEP_COLOURS = ["#90caf9", "#42a5f5", "#1e88e5", "#66bb6a", "#ffca28", "#ffa000", "#ab47bc", "#7b1fa2",
                "#ef5350", "#212121", "#8d6e63"]
OVERDUE_STYLE = "background-color: #ffebee; color: #b71c1c"


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, missing values as None (what the report's annex code expects)."""
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    # Lists arrive as numpy arrays; the annex code tests them for truth like Python lists.
    return [{k: v.tolist() if hasattr(v, "tolist") else v for k, v in r.items()} for r in rows]


def path_name(path: str) -> str:
    return labels.PATH_ZH.get(path, path)


def counts(ctx: ui.Context) -> bool:
    df = ctx.frame("shared/disposal_counts")
    total = df[df.is_total]
    if total.empty or total.checked.iloc[0] == 0:
        st.info("当前筛选条件下没有处置记录。")
        return False
    t = total.iloc[0]
    c = st.columns(2)
    c[0].metric("检查的处置", f"{fmt.count(t.checked)}件", border=True)
    c[1].metric("有违规的处置", f"{fmt.count(t.violating)}件", border=True)
    df["path_name"] = df.path.map(lambda p: "合计" if p is None or pd.isna(p) else path_name(p))
    ui.table(df[["path_name", "checked", "violating"] + [f"DP{i}" for i in range(1, 7)]], key="disposal_counts")
    return True


def row_label(name, violating: bool, width: int = 9) -> str:
    """A timeline row: the asset's name, cut to fit beside the dates on a phone, ⚠ when violating."""
    name = "（未知资产）" if name is None or pd.isna(name) else str(name)
    return (name if len(name) <= width else name[:width] + "…") + (" ⚠" if violating else "")


def timeline_figure(steps: pd.DataFrame) -> go.Figure:
    """One row per disposal, named by its asset (the ID in the hover), one marker per dated step
    (colour = step), a line over its span; the step legend under the chart."""
    steps = steps.assign(row=steps.row_id.astype(str),
                         who=[row_label(n, v) for n, v in zip(steps.asset_name, steps.violating)],
                         whole=(steps.asset_id + " " + steps.asset_name.fillna("")).map(fmt.chart_text))
    rows = list(dict.fromkeys(steps.row))
    names = dict(zip(steps.row, steps.who))
    fig = go.Figure()
    for row, part in steps.groupby("row", sort=False):
        fig.add_trace(go.Scatter(x=[part.step_date.min(), part.step_date.max()], y=[row, row], mode="lines",
                                 line=dict(color="#bdbdbd", width=2), showlegend=False, hoverinfo="skip"))
    for i, (step, part) in enumerate(steps.sort_values("idx").groupby("step", sort=False)):
        fig.add_trace(go.Scatter(
            x=part.step_date, y=part.row, mode="markers", name=fmt.label(step), customdata=part.whole,
            marker=dict(size=10, color=STEP_COLOURS[i % len(STEP_COLOURS)], line=dict(width=1, color="#fff")),
            hovertemplate="%{customdata}<br>" + fmt.label(step) + " %{x|%Y年%-m月%-d日}<extra></extra>"))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows[::-1], title="", tickmode="array",
                     tickvals=rows, ticktext=[fmt.chart_text(names[r]) for r in rows], fixedrange=True)
    fig.update_xaxes(tickformat="%Y年%-m月", nticks=3, side="top", fixedrange=True)
    fig.update_layout(height=200 + 24 * len(rows), margin=dict(t=30, b=10, l=10, r=20),
                      legend=dict(orientation="h", y=0, yanchor="top"))
    return fig


def timeline(ctx: ui.Context) -> None:
    st.subheader("处置环节时间线")
    steps = ctx.frame("disposal/disposal_steps", limit=TIMELINE_LIMIT)
    if steps.empty:
        st.info("当前筛选条件下没有登记了日期的处置台账记录。")
        return
    st.caption(f"每行一件处置，以资产名称标出（⚠ 为有违规；资产编号见悬停提示），每个点是处置台账中登记的一个环节日期；有违规的排在前面，最多显示{TIMELINE_LIMIT}件。")
    steps["step_date"] = pd.to_datetime(steps.step_date)
    st.plotly_chart(timeline_figure(steps), key="disposal_timeline", config={"displayModeBar": False})


def violations(ctx: ui.Context, rows: list[dict]) -> None:
    st.subheader("处置程序违规（DP1–DP6）")
    bad = [r for r in rows if r["violations"] is not None and len(r["violations"])]
    if not bad:
        st.success("当前筛选条件下未发现处置程序违规。")
        return
    box = st.container(height=420, border=True)
    for r in bad:
        box.markdown(f"**{fmt.md(r['asset_id'])} {fmt.md(r['asset_name'])}**（{fmt.md(r['town'])} {fmt.md(r['village'])}，"
                     f"{path_name(r['path'])}，原值{fmt.fmt_wan(r['original_value'])}）")
        box.markdown("\n".join(f"- **{labels.rule(rid)}**：{fmt.md(explain.explain(rid, r['facts'], ctx.as_of, ctx.params))}"
                               for rid in r["violations"]))


def annex(ctx: ui.Context, rows: list[dict]) -> None:
    table = content.disposal_annex(rows, ctx.evaluation)
    st.subheader(f"附件3 {fmt.md(table.title)}")
    frame = pd.DataFrame(table.rows, columns=[c.header for c in table.columns])
    money = [c.header for c in table.columns if c.kind == WAN]
    frame[money] = frame[money].astype("Float64").round(2)
    st.dataframe(frame, hide_index=True, key="disposal_annex", height=360,
                 column_config={h: st.column_config.NumberColumn(h, format="%.2f") for h in money})
    st.download_button("导出处置登记台账（Excel）", auth.bound(lambda: export.xlsx_bytes({table.sheet: frame}, export.note(ctx))),
                       "项目资产处置登记台账.xlsx", export.XLSX_MIME, on_click="ignore",
                       icon=":material/download:", key="disposal_annex_xlsx")


def approval(ctx: ui.Context, rows: list[dict]) -> None:
    """附件2: the approval form of one disposal picked from the register, built when downloaded."""
    st.subheader("附件2 项目资产处置审批表")
    pick = st.selectbox("选择一件处置（资产编号 资产名称）", range(len(rows)), key="disposal_form_pick",
                        format_func=lambda i: f"{rows[i]['asset_id']} {rows[i]['asset_name'] or ''}")
    row_id = None if rows[pick]["row_id"] is None else int(rows[pick]["row_id"])
    asset_id = rows[pick]["asset_id"]

    def form() -> bytes:
        facts = records(ctx.frame("disposal/approval_form", row_id=row_id, asset_id=asset_id))
        auth.record("export", "处置审批表", details={"格式": "docx", "资产编号": asset_id, "处置台账行": row_id})
        return approval_form.write(facts[0])

    st.download_button("打印处置审批表（Word）", auth.bound(form), approval_form.file_name(asset_id), build.MIME["docx"],
                       on_click="ignore", icon=":material/print:", key="disposal_form_docx")


def disposals(ctx: ui.Context) -> None:
    st.header("资产处置")
    if not counts(ctx):
        return
    rows = records(ctx.frame("shared/disposal_register", annex_order=False))
    timeline(ctx)
    violations(ctx, rows)
    annex(ctx, rows)
    approval(ctx, rows)


def highlight_overdue(row: pd.Series) -> list[str]:
    return [OVERDUE_STYLE if row.get("是否逾期") == "逾期" else ""] * len(row)


SYSTEM_ASPECT = "项目资产管理运维"     # the aspect of the management checks MG1–MG6 (verification.md §1)
SYSTEM_COLUMNS = {"problem_source": "来源", "system_checks": "系统核查发现"}


def check_text(ctx: ui.Context, checks, facts) -> str:
    """The management checks a problem carries, each with its facts: MG3 未纳入对应管理平台：产权归属为…。"""
    if checks is None or not len(checks):
        return ""
    return "；".join(f"{labels.rule(c)}：{explain.explain(c, f, ctx.as_of, ctx.params)}" for c, f in zip(checks, facts))


def resolved_checks(ctx: ui.Context) -> tuple[str, pd.DataFrame]:
    """The system-found problems of the month compared with that no longer fire: 已整改 here."""
    label, ref = ctx.previous()
    return label, ctx.compared_checks("shared/resolved_checks", ref)


def problems(ctx: ui.Context) -> None:
    st.header("问题整改（按五个方面）")
    aspects = list(template.ASPECTS)
    summary = ctx.frame("shared/problem_aspects", aspects=aspects)
    label, resolved = resolved_checks(ctx)
    if len(resolved):        # gone since the month compared with: rectified findings of 项目资产管理运维
        mine = summary.is_total | (summary.aspect == SYSTEM_ASPECT)
        summary.loc[mine, "problems"] += len(resolved)
        summary.loc[mine, "rectified"] += len(resolved)
    if summary[summary.is_total].problems.iloc[0] == 0:
        st.info("当前筛选条件下没有问题记录。")
        return
    summary["aspect"] = summary.aspect.fillna("合计")
    ui.table(summary.drop(columns=["is_total", "planned"]), key="disposal_aspects")
    ledger = ctx.frame("shared/problem_register", aspects=aspects, annex_order=False)
    ledger = pd.concat([ledger, resolved.assign(overdue=False)], ignore_index=True) if len(resolved) else ledger
    ledger["overdue"] = ledger.overdue.map({True: "逾期", False: ""})
    ledger["system_checks"] = [check_text(ctx, c, f) for c, f in zip(ledger.checks, ledger.check_facts)]
    st.caption("整改时限早于评估基准日且尚未整改（不是已整改或已销号）的问题标为“逾期”，红色显示；整改状态为评估基准日时的状态。")
    st.caption(f"来源“系统核查”：系统按资产台账核查的管理运维问题（MG1–MG6，如未确权移交、未纳入对应管理平台），"
               f"评估基准日仍存在的为整改中，{fmt.md(label)}存在、本期已不存在的为已整改；同一资产在问题台账中已登记"
               f"“{SYSTEM_ASPECT}”问题的，核查发现并列在该问题的“系统核查发现”中，不重复计数。")
    cols = ["problem_id", "asset_id", "asset_name", "town", "description", "problem_source", "system_checks", "measure",
            "responsible_unit", "found_date", "deadline", "plan_date", "status_as_of", "overdue", "signoff_date",
            "signoff_tier"]
    for tab, aspect in zip(st.tabs(aspects, key="disposal.tab", on_change="rerun"), aspects):
        with tab:
            part = ledger[ledger.aspect == aspect][cols]
            if part.empty:
                st.info("该方面没有问题记录。")
                continue
            shown, config = fmt.display(part.rename(columns=SYSTEM_COLUMNS))
            st.dataframe(shown.style.apply(highlight_overdue, axis=1), column_config=config, hide_index=True,
                         key=f"disposal_problems_{aspects.index(aspect)}", height=320)


def tier_range(tier: str, params: dict) -> str:
    limits = [params["tier_t1_max"], params["tier_t2_max"], params["tier_t3_max"]]
    i = int(tier[1]) - 1
    if i == 0:
        return f"{fmt.fmt_wan(limits[0])}及以下"
    if i == 3:
        return f"{fmt.fmt_wan(limits[2])}以上"
    return f"{fmt.fmt_wan(limits[i - 1])}以上至{fmt.fmt_wan(limits[i])}"


def tiers(ctx: ui.Context) -> None:
    st.header("销号层级（T1–T4）")
    st.caption("按单项资产原值确定销号层级（七(四)）；原值界限来自政策参数。")
    df = ctx.frame("shared/signoff_tiers")
    df = df[df.tier.notna()]    # the tiers of the ledger's assets (the reports also count unlinked problems)
    df.insert(1, "signer", df.tier.map(labels.SIGNER_ZH))
    df.insert(2, "tier_range", df.tier.map(lambda t: tier_range(t, ctx.params)))
    ui.table(df, key="disposal_tiers")


def body(ctx: ui.Context) -> None:
    disposals(ctx)
    problems(ctx)
    tiers(ctx)


ui.run("处置与销号", body)
