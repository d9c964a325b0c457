"""SQL 查询: for power users — the loaded and evaluated tables with their columns, a query
box, and the result on a read-only copy, run in a worker process with a row cap, a size cap,
a time limit and a memory ceiling (dashboard/console.py)."""
import pandas as pd
import streamlit as st

from dashboard import console, template, ui
from dashboard.evaluated import EvalKey
from dashboard.scope import Scope
from dashboard.ui import auth, data, export, fmt

RESULT_KEY = "sql_result"
EXAMPLE = """SELECT town AS 镇,
       CASE level WHEN 'red' THEN '红色预警' WHEN 'yellow' THEN '黄色预警' ELSE '无预警' END AS 预警等级,
       count(*) AS 资产数, round(sum(original_value) / 10000, 2) AS 原值万元
FROM asset_results
GROUP BY ALL
ORDER BY 镇, min(CASE level WHEN 'red' THEN 1 WHEN 'yellow' THEN 2 ELSE 3 END)"""
# What each table holds, for the list of tables (the names are the DuckDB names).
DESCRIPTIONS = {s.name: f"{s.zh}（上传的台账）" for s in template.SHEETS} | {
    "loaded_columns": "上传时识别到的工作表和列", "negative_list": "负面清单（事项、关键词）",
    "rule_catalog": "规则目录（编号、等级、名称、工作方案原文）", "eval_params": "本次评估的基准日和参数",
    "income_rate": "经营性资产上一完整年度收益率", "distribution_checks": "收益分配检查 D1–D6（每条分配记录）",
    "disposal_checks": "处置程序检查 DP1–DP6（每件处置）", "warnings_idle": "闲置与低效认定",
    "warnings_yellow": "黄色预警", "warnings_red": "红色预警", "asset_flags": "其他标记",
    "rule_hits": "全部规则触发记录（含事实依据 facts）", "asset_levels": "触发规则资产的预警等级",
    "asset_results": "每项资产的预警等级、四个一批建议、销号层级", "collection_checks": "收益收缴检查 C1–C6",
    "milestones": "重点工作节点（评估基准日施行的政策版本的节点，逐月、分镇）",
    "fund_sources": "台账中出现的资金来源（载入时列出）", "fund_scope": "各资金来源是否属于政策版本的资金范围",
    "asset_facts": "资产台账本身的事实（载入时判断一次：是否已处置、经营性、停运、抵押等）",
    "asset_checks": "只读资产台账的规则（逐项资产的判断）",
    "distribution_facts": "收益分配记录本身的事实（载入时判断 D1、D2、D6）",
    "distribution_judged": "收益分配检查 D1–D6 的结论（不含文字）",
    "milestone_items": "重点工作节点的计数项（载入时按日期分组）",
}


@st.cache_resource(max_entries=4, show_spinner="正在准备只读查询副本…", on_release=console.Console.close)
def console_for(key: EvalKey, scope: Scope) -> console.Console:
    """One read-only copy per evaluation (source, as_of, parameters) and scope, holding only
    that scope's rows; shared by the sessions of that scope, its worker processes end when it
    leaves the cache."""
    evaluated = data.evaluated(key)
    with evaluated.lock:
        return console.Console.from_cursor(evaluated.cur, scope)


def tables(con: console.Console) -> None:
    cat = con.catalog()
    with st.expander(f"可查询的数据表（{len(cat)}个）与列", expanded=True, icon=":material/table_chart:"):
        frame = pd.DataFrame({
            "表名": cat.table_name, "说明": cat.table_name.map(lambda t: DESCRIPTIONS.get(t, "")),
            "行数": cat.row_count,
            "列（名称 类型，括号内为中文名）": cat["columns"].map(lambda cols: "，".join(
                f"{c}（{fmt.LABELS[c.split(' ')[0]]}）" if c.split(" ")[0] in fmt.LABELS else c for c in cols))})
        st.dataframe(frame, hide_index=True, key="sql_tables", height=300,
                     column_config={"列（名称 类型，括号内为中文名）": st.column_config.TextColumn(width="large")})


def show(ctx: ui.Context, result: console.Result, row_cap: int) -> None:
    rows = len(result.frame)
    if result.truncated:
        st.warning(f"结果超过{row_cap:,}行，只显示并导出前{row_cap:,}行。请加筛选条件或 LIMIT。")
    st.caption(f"共{rows:,}行，用时{result.seconds:.2f}秒。")
    if rows == 0:
        st.info("查询没有返回任何行。")
        return
    st.dataframe(result.frame, hide_index=True, key="sql_result_table", height=420)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("导出 Excel", auth.bound(lambda: export.xlsx_bytes({"查询结果": result.frame}, export.note(ctx))), "查询结果.xlsx",
                         export.XLSX_MIME, on_click="ignore", icon=":material/download:", key="sql_xlsx")
    right.download_button("导出 CSV", auth.bound(lambda: export.csv_bytes(result.frame, "查询结果")), "查询结果.csv", export.CSV_MIME,
                          on_click="ignore", icon=":material/download:", key="sql_csv")


def body(ctx: ui.Context) -> None:
    scope = ctx.filters.scope
    con = console_for(ctx.key, scope)
    st.caption(f"只读：只能执行一条 SELECT、WITH、SHOW、DESCRIBE、SUMMARIZE 或 EXPLAIN 语句，不能读写文件、访问网络或修改设置；"
               f"最多返回{con.row_cap:,}行、{con.size_cap / 2**20:g}MB，单次查询限时{con.time_limit:g}秒。"
               f"查询的是本次评估{'的全部数据' if scope.whole else '中本账号范围（' + fmt.md(scope.label) + '）的数据'}，"
               "侧栏筛选不作用于本页；金额单位为元。")
    tables(con)
    with st.form("sql_form", border=False):
        sql = st.text_area("SQL 查询语句", value=EXAMPLE, height=180, key="sql_text")
        run = st.form_submit_button("执行查询", type="primary", icon=":material/play_arrow:")
    # The first visit runs the example, so the page shows what a result looks like.
    if run or RESULT_KEY not in st.session_state:
        try:
            result = con.run(sql)
            st.session_state[RESULT_KEY] = (ctx.key, result)
            if run:                  # the example shown on a first visit is not the user's query
                auth.record("console", sql[:4000], details={"行数": len(result.frame), "数据来源": ctx.source.label})
        except console.ConsoleError as exc:
            st.session_state[RESULT_KEY] = None
            if run:
                auth.record("console", sql[:4000], outcome="failed", details={"原因": str(exc)})
            st.error(fmt.md(exc))
    kept = st.session_state.get(RESULT_KEY)
    if kept and kept[0] == ctx.key:          # a result of another month or date is not shown
        show(ctx, kept[1], con.row_cap)


ui.run("SQL 查询", body)
