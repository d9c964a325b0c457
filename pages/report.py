"""报告: the monthly dispatch, quarterly bulletin and annual summary — preview the key
figures and the narrative, download Word and Excel (each built when its button is clicked).
Only draws: the numbers come from dashboard.reports (queries/shared/ and queries/reports/)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import policy
from dashboard.explain import fmt_date
from dashboard.safe import md
from dashboard.reports import build, charts, periods, supervised
from dashboard.reports.document import PCT, WAN, Masthead, Report, Table
from dashboard import ui
from dashboard import snapshots
from dashboard.evaluated import EvalKey
from dashboard.scope import Scope
from dashboard.store import settings
from dashboard.ui import auth, context, data
from dashboard.ui.fmt import change as metric_change

KIND_LABELS = {"monthly": "月调度", "quarterly": "季通报", "annual": "年总结"}
NUMERALS = "一二三四五六七八九十"


@st.cache_data(max_entries=24, show_spinner="正在生成报告…")
def _report(key: EvalKey, kind: str, period_text: str, as_of: dt.date | None, scope: Scope,
            supervision: tuple = ()) -> Report:
    """The report of the reader's scope for one data source, period and parameter set
    (cached across reruns; `supervision` = supervised.stamp(): a 督办 issued, answered or signed
    off since makes the dispatch anew).  It compares with what 总览 compares with (build.compared_with);
    undated, a saved month's report is dated as the sidebar and the exports date it."""
    source = data.open_source(key.source, key.version, key.policy_version)
    period = periods.parse(kind, period_text)
    base = build.compared_with(source, period)
    previous = data.open_source(base.saved.key, base.saved.version, data.policy_version()) if base.saved else None
    return build.build(source, kind, period, key.param_dict, as_of or build.default_as_of(source, period),
                       previous, scope, base=base)


@st.cache_data(max_entries=24, show_spinner=False)
def _file(key: EvalKey, kind: str, period_text: str, as_of: dt.date | None, scope: Scope, mast: Masthead,
          supervision: tuple, fmt: str) -> bytes:
    return build.render(_report(key, kind, period_text, as_of, scope, supervision), fmt, mast)


def _masthead(report: Report) -> Masthead:
    """红头 and 版记: the stored defaults, the 期号 and 印发日期 chosen here."""
    stored = Masthead(**settings.masthead_defaults())
    with st.expander("红头与版记（Word）", icon=":material/article:"):
        left, right = st.columns(2)
        issuer = left.text_input("发文机关标志", stored.issuer, key="report.mast.issuer")
        issue_no = right.text_input("期号", build.default_issue_no(report.period), key=f"report.mast.no.{report.period.label}")
        signer = left.text_input("落款", stored.signer, key="report.mast.signer")
        issued = right.date_input("印发日期", dt.date.today(), key="report.mast.issued", format="YYYY-MM-DD")
        copy_to = left.text_input("抄送", stored.copy_to, key="report.mast.copy_to")
        printer = right.text_input("印发机关", stored.printer, key="report.mast.printer")
        fields = {"issuer": issuer, "signer": signer, "copy_to": copy_to, "printer": printer}
        if auth.current().may("administer") and st.button("保存为默认（发文机关、落款、抄送、印发机关）",
                                                          key="report.mast.save"):
            settings.save_masthead(fields, auth.current().name)
            auth.record("masthead_save", "红头与版记", details=fields)
            st.success("已保存，今后的文件默认使用这些内容。")
    return Masthead(issue_no=issue_no, issued=issued, **fields)


def _download(args: tuple, fmt: str, name: str) -> bytes:
    """The file, built when the button is pressed; every report downloaded is in the audit trail."""
    content = _file(*args, fmt)
    auth.record("report", name, details={"类型": KIND_LABELS[args[1]], "期间": args[2], "格式": fmt,
                                          "数据来源": args[0].source, "范围": args[4].label,
                                          "期号": args[5].issue_no, "印发日期": args[5].issued,
                                          "政策版本": _edition_label(args)})
    return content


def _edition_label(args: tuple) -> str:
    """The edition the report was judged by, as 系统管理 → 政策版本 looks it up: an edition a
    report was issued under is never edited in place (dashboard/edition_admin.issued_under)."""
    from dashboard import editions
    report = _report(*args[:5], args[6])
    meta = getattr(report, "edition", None) or editions.in_force(report.as_of).meta()
    return f"{meta['document']}（{meta['effective_from']}起施行）"


def _default_period(kind: str, day: dt.date) -> str:
    p = periods.containing(kind, day)
    return {"monthly": f"{p.end:%Y-%m}", "quarterly": f"{p.end.year}Q{(p.end.month - 1) // 3 + 1}",
            "annual": str(p.end.year)}[kind]


def _table_frame(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame(table.rows, columns=[c.header for c in table.columns])
    for col in table.columns:
        if col.kind == PCT and not table.row_kinds:
            frame[col.header] = frame[col.header].map(lambda v: None if v is None else f"{v * 100:.2f}%")
        elif col.kind == WAN and not table.row_kinds:
            frame[col.header] = frame[col.header].map(lambda v: None if v is None else f"{v:,.2f}")
    if table.row_kinds:   # mixed units: show each row in its own
        for col in table.columns[1:]:
            frame[col.header] = [_cell(v, k) for v, k in zip(frame[col.header], table.row_kinds)]
    return frame


def _cell(value, kind: str) -> str:
    if isinstance(value, str):          # already written out (a rate's change in 个百分点)
        return value
    if value is None or pd.isna(value):
        return "—"
    return f"{value * 100:.2f}%" if kind == PCT else f"{value:,.2f}" if kind == WAN else f"{value:,.0f}"


def _metrics(report: Report) -> None:
    f = report.section("overview").figures
    cols = st.columns(5)
    for col, (key, label, unit) in zip(cols, [("red", "红色预警", "项"), ("yellow", "黄色预警", "项"),
                                               ("idle", "闲置资产", "项"), ("problems_signed_off", "已销号问题", "个"),
                                               ("revitalisation_rate", "盘活率", "")]):
        now, before = f[key], f[f"prev_{key}"]
        if key == "revitalisation_rate":
            col.metric(label, "—" if now is None else f"{now * 100:.2f}%",
                       **metric_change(None if now is None or before is None else (now - before) * 100,
                                       "个百分点", ".2f"))
        else:
            col.metric(label, f"{now:,}{unit}", **metric_change(None if before is None else now - before, unit,
                                                                ",d", worse_when_up=key in ("red", "yellow", "idle")))


def _preview(report: Report) -> None:
    st.subheader(md(report.title + report.subtitle))
    st.caption(f"数据截至{fmt_date(report.as_of)}，{md(report.compared_with)}"
               + (f"；未评估的规则：{'、'.join(report.not_evaluated)}" if report.not_evaluated else ""))
    _metrics(report)
    for n, section in enumerate(report.sections):
        st.markdown(f"**{NUMERALS[n]}、{md(section.title)}**")
        st.markdown(md(section.narrative))
        if not any(p.chart or any(t.in_docx for t in p.tables) for p in section.parts):
            continue                     # a section of text only (下步工作, 督办办理情况 …)
        with st.expander(f"查看{md(section.title)}的表格和图表"):
            for part in section.parts:
                if part.title:
                    st.markdown(f"*{md(part.title)}*")
                for table in (t for t in part.tables if t.in_docx):   # as the Word file has them
                    st.caption(md(table.title))
                    st.dataframe(_table_frame(table), hide_index=True, width="stretch")
                if part.chart:
                    st.plotly_chart(charts.figure(part.chart), key=f"chart-{section.key}-{part.chart.kind}")
    with st.expander("本报告采用的参数"):
        st.dataframe(pd.DataFrame([(p.label, p.value, p.unit) for p in report.parameters],
                                  columns=["参数", "取值", "单位"]), hide_index=True, width="stretch")


def body(ctx: context.Context) -> None:
    left, mid, right = st.columns([2, 2, 2])
    kind = left.radio("报告类型", list(KIND_LABELS), format_func=KIND_LABELS.get, horizontal=True,
                      key="report.kind")
    # keyed by the source and date shown: another month offers its own period (policy-rules §9)
    # a saved month offers its own month (its 数据截至 may lie in the next one)
    shown = snapshots.month_end(ctx.source.month) if ctx.source.month else ctx.as_of
    period_text = mid.text_input("期间", value=_default_period(kind, shown),
                                 key=f"report.period.{kind}.{ctx.source_key}.{ctx.as_of}",
                                 help="月调度写 2024-05，季通报写 2024Q2，年总结写 2024")
    own_date = right.checkbox("另定数据截至日期", key="report.own_as_of",
                              help="默认取期间最后一天（已保存月份的本月报告取其数据截至日期）；勾选后可另选日期")
    as_of = right.date_input("数据截至", value=ctx.as_of, key="report.as_of") if own_date else None
    scope = ctx.filters.scope
    st.caption(f"报告覆盖{'全旗' if scope.whole else '本账号范围（' + md(scope.label) + '）的'}全部资产（不受侧栏筛选影响），"
               "采用侧栏的政策参数；与上一期期末的评估结果比较。")
    try:
        stamp = supervised.stamp() if kind == "monthly" and scope.whole else ()
        report = _report(ctx.key, kind, period_text, as_of, scope, stamp)
    except (periods.PeriodError, policy.PolicyError) as exc:
        st.error(md(exc))
        return
    args = (ctx.key, kind, period_text, as_of, scope, _masthead(report), stamp)
    docx_name, xlsx_name = build.file_name(report, "docx"), build.file_name(report, "xlsx")
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button("下载Word（docx）", data=auth.bound(lambda: _download(args, "docx", docx_name)), type="primary",
                       file_name=docx_name, mime=build.MIME["docx"], on_click="ignore",
                       key="report.docx")
    c2.download_button("下载Excel附表（xlsx）", data=auth.bound(lambda: _download(args, "xlsx", xlsx_name)),
                       file_name=xlsx_name, mime=build.MIME["xlsx"], on_click="ignore",
                       key="report.xlsx")
    _preview(report)


ui.run("报告", body)
