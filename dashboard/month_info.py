"""What the app says about a saved month without opening its tables: its kind (汇总 or
上传快照) and its 数据截至 — read from its meta (snapshots.read_meta), cached by the file
and its modification time, since the sidebar labels every month on every run."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from dashboard import snapshots


def meta(saved: snapshots.SavedMonth) -> dict:
    """snapshots.read_meta of the month's current file (a re-saved month has a new mtime);
    a copy, so a caller may change it."""
    return dict(_meta(str(saved.path), saved.version))


@functools.lru_cache(maxsize=256)
def _meta(path: str, mtime: float) -> dict:
    return snapshots.read_meta(Path(path))


def kind_label(saved: snapshots.SavedMonth) -> str:
    """'汇总' (a consolidated month) or '上传快照' (snapshots.KINDS)."""
    return snapshots.KINDS.get(meta(saved).get("kind"), snapshots.KINDS["upload"])


def data_date(saved: snapshots.SavedMonth) -> dt.date:
    """The month's 数据截至 wherever it is shown or compared (sidebar, pages, exports, reports):
    its meta data_date, else its last day — ledgers.saved_month reads the same meta."""
    return snapshots.reference_date(saved.month, meta(saved))


def stated(books) -> dt.date | None:
    """数据截至 of a data source (ledgers.Ledgers) as the header, the sidebar, the exports and
    the reports state it: a saved month's own (above), else the date its ledgers state, if any."""
    return books.reference if getattr(books, "month", None) else books.data_date
