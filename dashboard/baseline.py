"""What "since last month" is compared with — one answer for 总览, 报告 and the command line
(issue 19.4: 总览 said there was nothing to compare while 报告 said 较上月增加3项).

The period before a saved month is the latest saved month before it (for a 季通报 or 年总结:
the latest saved month up to the previous period's last day), judged at its own 数据截至
(its data date, else its last day).  Where there is none — the sample, an upload not saved,
the first saved month — the same ledgers judged at the previous period's last day: what
changed because time passed.  The change itself is one query, queries/shared/changes.sql.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard import month_info, snapshots
from dashboard.explain import fmt_date


@dataclass(frozen=True)
class Baseline:
    saved: snapshots.SavedMonth | None     # None: the same ledgers, judged at `as_of`
    as_of: dt.date

    @property
    def label(self) -> str:
        """'2024年11月（数据截至2024年11月30日）' / '本期台账按2024年11月30日评估'."""
        if self.saved is None:
            return f"本期台账按{fmt_date(self.as_of)}评估（没有更早的已保存月份）"
        return f"{self.saved.label}（数据截至{fmt_date(self.as_of)}）"


def before(month: str | None, previous_end: dt.date) -> Baseline:
    """`month`: the saved month shown ('2024-12'; None for the sample or an upload);
    `previous_end`: the last day of the period before the one reported (总览: the month before)."""
    if month is not None:
        last = f"{previous_end:%Y-%m}"
        older = [s for s in snapshots.list_months() if s.month < month and s.month <= last]
        if older:
            return Baseline(older[-1], month_info.data_date(older[-1]))
    return Baseline(None, previous_end)


def month_before(day: dt.date) -> dt.date:
    """The last day of the month before `day`'s."""
    return day.replace(day=1) - dt.timedelta(days=1)
