"""The heatmap's month history (Context.history): warned assets per town and month over every
saved month, read from the summaries saved with the months (dashboard/month_summary.py).

- `month_summaries(months, params, policy_version)` — st.cache_resource: every month's summary
  concatenated; a month whose saved summary was judged otherwise (other thresholds, another
  negative list, other rule queries, saved before summaries) is evaluated (opened in place).
- `month_rollup(…, keep)` — st.cache_resource: those summed over what the filters in force do
  not read (a few rows per town and month).
- `month_history(months, params, policy_version, where)` — st.cache_data: the history in the
  filters, one small query over the rollup however many months are saved.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard import editions, month_info, month_summary, snapshots
from dashboard.evaluated import EvalKey
from dashboard.filters import Filters
from dashboard.ui import data

Months = tuple[tuple[str, str, float], ...]     # (month, path, version) of each saved month


@functools.lru_cache(maxsize=8)
def _negative(policy_ver: float) -> str:
    return month_summary.negative_in_force()


@st.cache_resource(max_entries=8, show_spinner=False)
def month_summaries(months: Months, params: tuple, policy_ver: float, editions_ver: str = "") -> pa.Table:
    """Every month's summary (month_summary.with_month), concatenated: the one saved in its
    file when it was judged as asked (at its 数据截至, these thresholds, this negative list,
    today's rule queries), else made now by evaluating the month."""
    parts = []
    for month, path, version in months:
        saved = snapshots.SavedMonth(month, Path(path), version)
        as_of = month_info.data_date(saved)
        info, table = month_summary.read(path, version)
        if not month_summary.usable(info, as_of, dict(params), _negative(policy_ver)):
            key = EvalKey(saved.key, version, policy_ver, as_of, params, editions_ver)
            table = data.evaluated(key).arrow(month_summary.QUERY)
        parts.append(month_summary.with_month(month, table))
    return pa.concat_tables(parts)


@st.cache_resource(max_entries=16, show_spinner=False)
def month_rollup(months: Months, params: tuple, policy_ver: float, keep: tuple[str, ...],
                 editions_ver: str = "") -> pa.Table:
    """month_summaries summed over what no filter in force reads (month_summary.rollup): a
    few rows per town and month, so a filter change costs the same with 24 months as with one."""
    return month_summary.rollup(month_summaries(months, params, policy_ver, editions_ver), keep)


def month_history(months: Months, params: tuple, policy_ver: float, where: Filters,
                  query: str = month_summary.HISTORY) -> pd.DataFrame:
    """shared/town_levels_months over every saved month, in `where` (month_summary.answers); keyed
    by the edition files too (editions.version), so a new edition is seen on the next page run."""
    return _month_history(months, params, policy_ver, where, editions.version(), query)


@st.cache_data(max_entries=500, show_spinner=False)
def _month_history(months: Months, params: tuple, policy_ver: float, where: Filters,
                   editions_ver: str, query: str = month_summary.HISTORY) -> pd.DataFrame:
    return month_summary.history(month_rollup(months, params, policy_ver, month_summary.dimensions(where),
                                              editions_ver), where, query)
