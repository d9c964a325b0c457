"""督办办理情况: the items of each reporting authority counted — issued, answered, overdue,
signed off, open, the median days from issue to answer — for the 督办 page and the monthly
dispatch (verification.md §3 Reports).  Reads only the Items `items()` returned."""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from dashboard.supervision import SIGNED, Item, beijing_date

TOTAL = "合计"


@dataclass
class Row:
    authority: str
    issued: int = 0
    answered: int = 0
    overdue: int = 0
    signed: int = 0
    open: int = 0
    median_days: float | None = None      # issue → last answer, of the answered items

    def as_list(self) -> list:
        return [self.authority, self.issued, self.answered, self.overdue, self.signed, self.open, self.median_days]


HEADERS = ["责任单位", "已下发（项）", "已反馈（项）", "逾期（项）", "已销号（项）", "未销号（项）", "反馈用时中位数（天）"]


def days_to_answer(it: Item) -> int | None:
    return None if it.answered_at is None else (beijing_date(it.answered_at) - it.issue_date).days


def by_authority(found: list[Item], today: dt.date | None = None) -> list[Row]:
    """One row per authority (by name), then 合计 when there is more than one."""
    groups: dict[str, list[Item]] = {}
    for it in found:
        groups.setdefault(it.authority, []).append(it)
    rows = [_row(name, groups[name], today) for name in sorted(groups)]
    if len(rows) > 1:
        rows.append(_row(TOTAL, found, today))
    return rows


def _row(name: str, its: list[Item], today: dt.date | None) -> Row:
    days = [d for d in map(days_to_answer, its) if d is not None]
    return Row(name, issued=len(its), answered=sum(it.answered_at is not None for it in its),
               overdue=sum(it.state != SIGNED and it.overdue(today) for it in its),
               signed=sum(it.state == SIGNED for it in its), open=sum(it.state != SIGNED for it in its),
               median_days=float(statistics.median(days)) if days else None)
