"""The Streamlit shell shared by every page (pages/*.py).

Design — how a rerun stays fast:

* Data sources.  The bundled sample (data/sample.xlsx, or $ZCPH_SAMPLE) or a saved
  snapshot (one DuckDB file per report month under $ZCPH_DATA_DIR, default var/;
  see `snapshots`).  Each source is one in-memory DuckDB connection, created once
  per process with `st.cache_resource` (`data.open_source`); an upload is parsed
  once, when it is uploaded, and a snapshot is only copied in when first chosen.
* Evaluation.  `rules.evaluate` writes TEMP tables, which belong to one DuckDB
  connection, so each (source, as_of, parameters) is evaluated once on its own
  cursor and kept with `st.cache_resource` (`data.evaluated`).  Sessions asking for
  the same month, date and parameters share that cursor; a lock serialises its
  queries (a cursor is not thread-safe).  A filter change never re-evaluates.
* Queries.  Pages only run queries/app_*.sql through `ctx.frame(name, **bind)`;
  results are `st.cache_data`, keyed by (source, version, as_of, parameters,
  filters, query, bind).  The sidebar filters are the macro of
  queries/app_filtered.sql, bound from `Filters.bind()` — filtering happens in SQL.

For a page:

    from dashboard import ui
    def body(ctx: ui.Context):
        df = ctx.frame("app_my_question", town="城川镇")   # filters, as_of, params bound
        ui.table(df)                                       # Chinese headers, 万元, dates
    ui.run("标题", body)                                   # header line + no traceback

and one line in `ui.pages.PAGES`.
"""
from dashboard.ui.context import Context, Filters, current
from dashboard.ui.fmt import display, fmt_date, fmt_wan, label, table, wan
from dashboard.ui.page import run

__all__ = ["Context", "Filters", "current", "display", "fmt_date", "fmt_wan", "label", "table", "wan", "run"]
