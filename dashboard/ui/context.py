"""What every page gets from the shell: the data source, the evaluation in force and
the sidebar filters, with one call to run a query (`ctx.frame("app_x", name=value)`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.filters import Filters
from dashboard.rules import Evaluation
from dashboard.ui import data, snapshots

_CURRENT = "ui.context"
_ERROR = "ui.context_error"


@dataclass
class Context:
    source: data.Source
    ref: data.Ref
    filters: Filters

    @property
    def evaluation(self) -> Evaluation:
        return data.evaluated(self.ref).evaluation

    @property
    def as_of(self) -> dt.date:
        return self.ref[3]

    @property
    def params(self) -> dict:
        return dict(self.ref[4])

    def frame(self, name: str, **bind) -> pd.DataFrame:
        """queries/<name>.sql with the filters, as_of and parameters bound (cached)."""
        return data.frame(self.ref, name, data.freeze({**self.filters.bind(), **bind}))

    def evaluated(self) -> data.Evaluated:
        return data.evaluated(self.ref)

    def ref_for(self, key: str, as_of: dt.date) -> data.Ref:
        """The same parameters applied to another source at another date."""
        return (key, data.source_version(key), self.ref[2], as_of, self.ref[4])

    def previous(self) -> tuple[str, data.Ref] | None:
        """(label, ref) of the snapshot before this one, judged at its own reference date."""
        if self.source.month is None:
            return None
        snap = snapshots.previous(self.source.month)
        if snap is None:
            return None
        before = data.open_source(snap.key, snap.version, self.ref[2])
        return snap.label, self.ref_for(snap.key, before.reference)

    def compared(self, name: str, previous_ref: data.Ref, **bind) -> pd.DataFrame:
        return data.compared_frame(self.ref, previous_ref, name,
                                   data.freeze({**self.filters.bind(), **bind}))

    def history(self, name: str) -> list[tuple[str, pd.DataFrame]]:
        """(month label, result) of one query over every saved snapshot, oldest first,
        each judged at its own reference date; the sample alone when it is the source."""
        if self.source.month is None:
            return [(self.source.label, self.frame(name))]
        out = []
        for snap in snapshots.list_snapshots():
            source = data.open_source(snap.key, snap.version, self.ref[2])
            ref = self.ref_for(snap.key, source.reference)
            out.append((snap.label, data.frame(ref, name, data.freeze(self.filters.bind()))))
        return out


def set_current(ctx: Context | None, error: str | None = None) -> None:
    st.session_state[_CURRENT] = ctx
    st.session_state[_ERROR] = error


def current() -> Context | None:
    return st.session_state.get(_CURRENT)


def current_error() -> str | None:
    return st.session_state.get(_ERROR)
