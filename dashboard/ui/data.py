"""Data sources and their evaluations, cached for every session of the app.

- `open_source(key, version, policy_version)` — st.cache_resource: the `Ledgers` of a
  source: the bundled sample (parsed once per process), a saved month (copied in from
  its file) or an upload not saved yet (parsed once, when uploaded; see `keep_upload`).
- `evaluated(key)` — st.cache_resource: `evaluated.Evaluated` for one `EvalKey`
  (source, version, as_of, parameters).  Sessions looking at the same month, date and
  parameters share it; it serialises its queries (a DuckDB cursor is not thread-safe).
- `cached_frame(key, name, where, bind)` — st.cache_data: the result of one queries/<name>.sql,
  keyed by everything it depends on (the evaluation, the filters, the other parameters).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import ledgers, policy, snapshots
from dashboard.evaluated import EvalKey, Evaluated
from dashboard.filters import Filters
from dashboard.ledgers import Ledgers
from dashboard.store import settings

SAMPLE_KEY = "sample"
UPLOAD_PREFIX = "upload:"


class SourceError(RuntimeError):
    """A data source cannot be opened; the message is Chinese and shown as is."""


def policy_version() -> float:
    """Changes when the negative list in force is edited or reset, so sources reload it."""
    return policy.negative_list_file().stat().st_mtime


def source_version(key: str) -> float:
    if key == SAMPLE_KEY:
        path = ledgers.sample_path()
        return path.stat().st_mtime if path.exists() else 0.0
    if key.startswith(UPLOAD_PREFIX):
        return _upload_versions().get(key, 0.0)     # read again when a profile changed
    saved = snapshots.find(key.removeprefix("snap:"))
    return saved.version if saved else 0.0


@st.cache_resource(max_entries=4, show_spinner=False)
def _uploads() -> dict[str, Ledgers]:
    """Uploads not saved yet, by key, so the sidebar can show them like any source."""
    return {}


@st.cache_resource(show_spinner=False)
def _upload_versions() -> dict[str, float]:
    """An upload's version: bumped when it is read again (a profile saved or changed), so
    its cached sources and evaluations are not reused."""
    return {}


def keep_upload(digest: str, books: Ledgers) -> str:
    """Make a parsed upload a data source (viewable before it is saved); returns its key."""
    key = UPLOAD_PREFIX + digest
    kept = _uploads()
    if kept.get(key) is not books:
        versions = _upload_versions()
        versions[key] = versions.get(key, 0.0) + 1.0
    kept[key] = books
    while len(kept) > 4:                # a few recent uploads, not every one ever made
        kept.pop(next(iter(kept)))
    return key


def replace_upload(digest: str, books: Ledgers) -> None:
    """The same files read again (a profile changed): an upload already kept as a source is
    replaced, so every page shows the new reading (dropped when it no longer loads: no page
    keeps showing the earlier reading)."""
    key = UPLOAD_PREFIX + digest
    if key in _uploads():
        if books.usable:
            keep_upload(digest, books)
        else:
            _uploads().pop(key, None)


def upload_label(key: str) -> str | None:
    books = _uploads().get(key)
    return books.label if books else None


@st.cache_resource(max_entries=8, show_spinner="正在载入数据…")
def open_source(key: str, version: float, policy_ver: float) -> Ledgers:
    if key == SAMPLE_KEY:
        if not ledgers.sample_path().exists():
            raise SourceError(f"未找到示例数据文件：{ledgers.sample_path().name}。请在“数据上传”页上传台账。")
        books = ledgers.sample()
        if not books.usable:
            raise SourceError("示例数据无法使用：" + books.fatal)
        return books
    if key.startswith(UPLOAD_PREFIX):
        books = _uploads().get(key)
        if books is None:
            raise SourceError("上传的台账已不在内存中（未保存的上传只保留最近几份），请重新上传或选择其他数据来源。")
        return books
    saved = snapshots.find(key.removeprefix("snap:"))
    if saved is None:
        raise SourceError("所选快照已不存在，请重新选择数据来源。")
    return ledgers.saved_month(saved)


def key_for(source: str, as_of: dt.date, params: dict) -> EvalKey:
    from dashboard import editions          # the edition in force may be a file saved by another process
    return EvalKey.of(source, source_version(source), policy_version(), as_of, params, editions.version())


@st.cache_resource(max_entries=12, show_spinner="正在评估规则…")
def evaluated(key: EvalKey) -> Evaluated:
    books = open_source(key.source, key.version, key.policy_version)
    return Evaluated(books, key.as_of, key.param_dict)


RUN_DEPARTMENTS = "data.departments"     # session_state: the list as read in this page run


def _in_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    return get_script_run_ctx(suppress_warning=True) is not None


def begin_run() -> None:
    """Called by app.py at the start of every page run: what the store says is read afresh
    in this run, so an edit made through another server process shows on the next run."""
    st.session_state.pop(RUN_DEPARTMENTS, None)


def departments() -> dict:
    """settings.department_lists, read from the store once per page run (begin_run), so every
    server process sees another's edit on its next run; outside a run, read each time."""
    if not _in_run():
        return settings.department_lists()
    held = st.session_state.get(RUN_DEPARTMENTS)
    if held is None:
        held = st.session_state[RUN_DEPARTMENTS] = settings.department_lists()
    return held


def _forget_departments() -> None:
    if _in_run():
        st.session_state.pop(RUN_DEPARTMENTS, None)


departments.clear = _forget_departments   # 系统管理 after saving: the rest of this run reads the new list


def freeze(bind: dict) -> tuple:
    """A bind dict as a hashable key (lists become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in bind.items()))


def thaw(bind: tuple) -> dict:
    # DuckDB binds a tuple as a STRUCT: give lists back.
    return {k: list(v) if isinstance(v, tuple) else v for k, v in bind}


@st.cache_data(max_entries=2000, show_spinner=False)
def cached_frame(key: EvalKey, name: str, where: Filters, bind: tuple) -> pd.DataFrame:
    return evaluated(key).frame(name, where, **thaw(bind))


@st.cache_data(max_entries=200, show_spinner=False)
def compared_frame(key: EvalKey, previous: EvalKey, name: str, where: Filters, bind: tuple) -> pd.DataFrame:
    """A query reading `prev_rule_hits` / `prev_levels` / `prev_assets` of an older evaluation
    (shared/changes, as the reports register them)."""
    warnings, levels = _previous_tables(previous, where.scope)
    tables = {"prev_rule_hits": warnings, "prev_levels": levels,
              "prev_assets": levels if not where.active else evaluated(previous).arrow("shared/previous_assets", where)}
    return evaluated(key).frame(name, where, tables, **thaw(bind))


@st.cache_data(max_entries=50, show_spinner=False)
def checks_compared_frame(key: EvalKey, previous: EvalKey, name: str, where: Filters, bind: tuple) -> pd.DataFrame:
    """A query reading `prev_checks`: the management checks that fired in an older evaluation,
    within the user's scope (shared/previous_checks; shared/resolved_checks lists those gone)."""
    before = evaluated(previous).arrow("shared/previous_checks", Filters().within(where.scope))
    return evaluated(key).frame(name, where, {"prev_checks": before}, **thaw(bind))


@st.cache_resource(max_entries=16, show_spinner=False)
def _previous_tables(previous: EvalKey, scope) -> tuple:
    """The earlier evaluation's warnings and assets within the user's scope (Arrow, read-only):
    the same for every filter change, so a filter change runs only the change query."""
    before, where = evaluated(previous), Filters().within(scope)
    return before.arrow("shared/previous_warnings", where), before.arrow("shared/previous_assets", where)
