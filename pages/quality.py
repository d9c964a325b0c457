"""数据质量 (漏项错项, verification.md §2): DQ1–DQ4 over every loaded sheet — counts by reporting
authority × check with each authority's 完整率, counts by column, the rows with their values and
reasons, and the workbook each authority gets back to correct (a town or department user gets
only its own)."""
import pandas as pd
import streamlit as st

from dashboard import dq, month_info, safe, ui
from dashboard.explain import fmt_date
from dashboard.ui import auth, export, fmt

ROW_LIMIT = 2000
CHECK_COLUMNS = {"dq1": "DQ1 漏项", "dq2": "DQ2 错项·取值", "dq3": "DQ3 错项·矛盾", "dq4": "DQ4 错项·日期"}


def own_authority(ctx: ui.Context) -> str | None | bool:
    """The one authority whose workbook this user may download (a town's or department's
    account: its own); True for the banner (any); None for a village (none)."""
    scope = ctx.filters.scope
    if scope.whole:
        return True
    if scope.department:
        return scope.department
    if scope.town and not scope.village:
        return scope.town
    return None


def by_authority(rates: pd.DataFrame) -> None:
    shown = pd.DataFrame({"报送单位": rates.authority})
    for col, head in CHECK_COLUMNS.items():
        shown[head] = rates[col]
    shown["检查的单元格"] = rates.cells
    shown["有问题的单元格"] = rates.bad_cells
    shown["完整率"] = rates.complete_rate.map(dq.pct)
    ui.table(shown, key="quality_authorities")


def by_column(ctx: ui.Context) -> None:
    frame = dq.by_column(ctx.evaluated(), ctx.filters)
    if frame.empty:
        return
    frame = frame.rename(columns={"column": "列", "findings": "合计", **CHECK_COLUMNS})
    ui.table(frame, key="quality_columns")


def rows(ctx: ui.Context, authorities: list[str]) -> pd.DataFrame:
    c = st.columns(2)
    who = c[0].selectbox("报送单位", ["全部"] + authorities, key="quality_authority")
    check = c[1].selectbox("检查", ["全部"] + list(dq.CHECK_NAMES), key="quality_check",
                           format_func=lambda k: k if k == "全部" else f"{k} {dq.CHECK_NAMES[k]}")
    found = ctx.frame("quality/findings", authority=None if who == "全部" else who)
    if check != "全部":
        found = found[found["check"] == check]
    shown = pd.DataFrame({"报送单位": found.authority, "工作表": found.sheet, "行号": found.row,
                          "资产编号": found.asset_id, "列": found["column"],
                          "检查": found["check"] + " " + found.check_name, "填报值": found.value,
                          "问题": found.reason})
    if len(shown) > ROW_LIMIT:
        st.caption(f"共{fmt.count(len(shown))}处，下表列出前{fmt.count(ROW_LIMIT)}处；全部见导出或各单位清单。")
    ui.table(shown.head(ROW_LIMIT), key="quality_rows", height=420)
    name = "漏项错项清单（当前范围）"
    st.download_button("导出 CSV（漏项错项清单）",
                       auth.bound(lambda: export.csv_bytes(dq.csv_frame(found), name, export.note(ctx))),
                       f"{name}.csv", mime="text/csv", key="quality_csv")
    return found


def send_back(ctx: ui.Context, rates: pd.DataFrame) -> None:
    """One workbook per authority, only its rows; a town or department account only its own."""
    own = own_authority(ctx)
    if own is None:
        st.caption("嘎查村账号不单独下发更正清单，请向所在镇索取。")
        return
    choices = list(rates.authority) if own is True else [own]
    due = dq.correction_due()
    st.caption(f"更正期限取下一个月度报送日（每月25日）且至少留出7天：请于{due.year}年{due.month}月{due.day}日前更正，"
               "随下次报送重新上报。")
    who = choices[0] if len(choices) == 1 else st.selectbox("下发给", choices, key="quality_send_to")
    rate = rates.loc[rates.authority == who, "complete_rate"]
    rate = None if rate.empty or pd.isna(rate.iloc[0]) else float(rate.iloc[0])
    stated = month_info.stated(ctx.source) or dq.data_date(ctx.evaluated())
    ev = ctx.evaluated()

    def build() -> bytes:
        mine = dq.findings(ev, ctx.filters, authority=who)
        auth.record("export", f"{who}漏项错项清单", details={"格式": "xlsx", "行数": len(mine), "报送单位": who,
                                                         "更正期限": due.isoformat()})
        return dq.workbook(mine, who, rate, stated)

    st.download_button(f"下载{safe.md(who)}的更正清单（Excel）", auth.bound(build), f"{who}_漏项错项清单.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="quality_workbook")


def body(ctx: ui.Context) -> None:
    when = dq.ensure(ctx.evaluated())
    st.caption(f"按国家系统录入要求检查台账的漏项错项（DQ1漏项、DQ2取值不在可选值中、DQ3前后矛盾、DQ4日期晚于数据截至日期"
               f"{fmt_date(when)}），已处置资产同样检查；问题归属资产的报送单位（主管部门，未填时为所在镇）。"
               "完整率=填写且无误的单元格÷检查的单元格。")
    rates = ctx.frame("quality/by_authority")
    if rates.empty:
        st.info("当前范围内没有可检查的台账。")
        return
    total = rates.findings.sum()
    cells = rates.cells.sum()
    c = st.columns(2)
    c[0].metric("漏项错项", f"{fmt.count(total)}处", border=True)
    c[1].metric("完整率", dq.pct((cells - rates.bad_cells.sum()) / cells if cells else None), border=True)
    st.subheader("按报送单位")
    by_authority(rates)
    st.subheader("按列")
    by_column(ctx)
    st.subheader("问题明细")
    rows(ctx, list(rates.authority))
    st.subheader("下发更正清单")
    send_back(ctx, rates)


ui.run("数据质量", body)
