"""The Streamlit shell shared by every page (pages/*.py).

Design — how a rerun stays fast:

* Data sources.  The bundled sample (data/sample.xlsx, or $ZCPH_SAMPLE), a saved month
  (one DuckDB file per report month under $ZCPH_DATA_DIR, default var/; see
  dashboard/snapshots.py) or this session's upload before it is saved.  Each becomes a
  `ledgers.Ledgers` (one in-memory DuckDB connection, facts judged once), kept with
  `st.cache_resource` (`data.open_source`).
* Evaluation.  `evaluated.Evaluated` runs the rules on a cursor of its own (TEMP tables
  belong to a cursor); one per `evaluated.EvalKey` (source, version, as_of, parameters),
  kept with `st.cache_resource` (`data.evaluated`) and shared by the sessions asking for
  the same month, date and parameters.  A filter change never re-evaluates.
* Queries.  Pages run queries/<page>/*.sql and queries/shared/*.sql through
  `ctx.frame(name, **bind)`; results are `st.cache_data`, keyed by the EvalKey, the
  filters and the bind.  The sidebar filters reach SQL as one `$filters` STRUCT read by
  the macros of queries/filters/sidebar.sql — filtering happens in SQL.

For a page:

    from dashboard import ui
    def body(ctx: ui.Context):
        df = ctx.frame("overview/categories")   # filters, as_of, params bound
        ui.table(df)                             # Chinese headers, 万元, dates
    ui.run("标题", body)                         # header line + no traceback

and one line in `ui.pages.PAGES`.
"""
from dashboard.ui.context import Context, Filters, current
from dashboard.ui.fmt import display, fmt_date, fmt_wan, label, table, wan
from dashboard.ui.page import run

__all__ = ["Context", "Filters", "current", "display", "fmt_date", "fmt_wan", "label", "table", "wan", "run"]
