"""What every page gets from the shell: the data source, the evaluation in force and
the sidebar filters, with one call to run a query (`ctx.frame("overview/categories")`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import baseline, month_info, month_summary, snapshots
from dashboard.evaluated import EvalKey, Evaluated
from dashboard.filters import Filters
from dashboard.ledgers import Ledgers
from dashboard.rules import Evaluation
from dashboard.ui import data, summaries

_CURRENT = "ui.context"
_ERROR = "ui.context_error"


@dataclass
class Context:
    source: Ledgers
    key: EvalKey
    filters: Filters

    @property
    def evaluation(self) -> Evaluation:
        return data.evaluated(self.key).evaluation

    @property
    def as_of(self) -> dt.date:
        return self.key.as_of

    @property
    def params(self) -> dict:
        return self.key.param_dict

    @property
    def source_key(self) -> str:
        return self.key.source

    def frame(self, name: str, **bind) -> pd.DataFrame:
        """queries/<name>.sql with the filters, as_of, parameters and the banner's department
        list bound (cached; a query binds only the parameters it names)."""
        return data.cached_frame(self.key, name, self.filters, data.freeze({**data.departments(), **bind}))

    def evaluated(self) -> Evaluated:
        return data.evaluated(self.key)

    def key_for(self, source: str, as_of: dt.date) -> EvalKey:
        """The same parameters applied to another source at another date."""
        return self.key.elsewhere(source, data.source_version(source), as_of)

    def previous(self) -> tuple[str, EvalKey]:
        """(label, key) of what "since last month" compares with — baseline.before, as the
        reports: the latest saved month before this one at its own 数据截至, else these
        ledgers at the end of the month before."""
        month = self.source.month
        base = baseline.before(month, baseline.month_before(
            snapshots.month_end(month) if month else self.as_of))
        if base.saved is None:
            return base.label, self.key_for(self.source_key, base.as_of)
        return base.label, self.key.elsewhere(base.saved.key, base.saved.version, base.as_of)

    def compared(self, name: str, previous: EvalKey, **bind) -> pd.DataFrame:
        return data.compared_frame(self.key, previous, name, self.filters, data.freeze(bind))

    def compared_checks(self, name: str, previous: EvalKey, **bind) -> pd.DataFrame:
        """`name` with the management checks of an older evaluation registered as prev_checks."""
        return data.checks_compared_frame(self.key, previous, name, self.filters, data.freeze(bind))

    def history(self, name: str) -> list[tuple[str, pd.DataFrame]]:
        """(month label, result) of one query over every saved snapshot, oldest first,
        each judged at its own reference date; this source alone when it is not a month.
        shared/town_levels is read from the months' summaries (month_summary.ANSWERS: its
        columns month, town, assets, value, red, red_value, yellow, yellow_value, warned,
        is_total; no total row for a month with no asset in the filters), so a run costs the same
        however many months are saved; other queries, and filters the summaries do not
        hold, evaluate every month."""
        if self.source.month is None:
            return [(self.source.label, self.frame(name))]
        months = snapshots.list_months()
        if name in month_summary.ANSWERS and month_summary.answers(self.filters):
            df = summaries.month_history(tuple((s.month, str(s.path), s.version) for s in months),
                                         self.key.params, self.key.policy_version, self.filters,
                                         month_summary.ANSWERS[name])
            by_month = dict(tuple(df.groupby("month", sort=False))) if len(df) else {}   # one pass, not one per month
            return [(s.label, by_month.get(s.month, df.iloc[:0])) for s in months]
        return [(s.label, data.cached_frame(self.key_for(s.key, month_info.data_date(s)), name, self.filters, ()))
                for s in months]


def set_current(ctx: Context | None, error: str | None = None) -> None:
    st.session_state[_CURRENT] = ctx
    st.session_state[_ERROR] = error


def current() -> Context | None:
    return st.session_state.get(_CURRENT)


def current_error() -> str | None:
    return st.session_state.get(_ERROR)
