"""Report periods: '2024-05' (月调度), '2024Q2' (季通报), '2024' (年总结).

A period knows its first and last day, its Chinese name and the period before
it: a report is evaluated as of the last day and compared with the previous
period's last day.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("monthly", "quarterly", "annual")
KIND_NAMES = {"monthly": "月调度", "quarterly": "季通报", "annual": "年总结"}
QUARTER_NAMES = "一二三四"
EXAMPLES = {"monthly": "2024-05", "quarterly": "2024Q2", "annual": "2024"}

_MONTH = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:-|年)?\s*(?:[Qq]\s*([1-4])|第?([一二三四1-4])季度?)$")
_YEAR = re.compile(r"^(\d{4})\s*年?度?$")


class PeriodError(ValueError):
    """A period or report kind the user typed is wrong (message in Chinese)."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date
    label: str           # 2024年5月 / 2024年第二季度 / 2024年度

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def previous(self) -> "Period":
        return containing(self.kind, self.start - dt.timedelta(days=1))

    def month_ends(self) -> list[dt.date]:
        """Every month end inside the period (the annual trend's dates)."""
        ends, day = [], self.start
        while day <= self.end:
            ends.append(_month_end(day.year, day.month))
            day = ends[-1] + dt.timedelta(days=1)
        return ends


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month(year: int, m: int) -> Period:
    return Period("monthly", dt.date(year, m, 1), _month_end(year, m), f"{year}年{m}月")


def quarter(year: int, q: int) -> Period:
    return Period("quarterly", dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q),
                  f"{year}年第{QUARTER_NAMES[q - 1]}季度")


def year(y: int) -> Period:
    return Period("annual", dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年度")


def containing(kind: str, day: dt.date) -> Period:
    """The period of this kind that contains the day (e.g. this month's dispatch)."""
    check_kind(kind)
    if kind == "monthly":
        return month(day.year, day.month)
    if kind == "quarterly":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    return year(day.year)


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise PeriodError(f"报告类型“{kind}”无效：应为 monthly（月调度）、quarterly（季通报）或 annual（年总结）")
    return kind


def parse(kind: str, text: str) -> Period:
    """'2024-05' / '2024Q2' / '2024' → Period; a Chinese PeriodError otherwise."""
    check_kind(kind)
    raw = (text or "").strip()
    if not raw:
        raise PeriodError(f"请填写{KIND_NAMES[kind]}的期间，例如 {EXAMPLES[kind]}")
    parsed = {"monthly": _parse_month, "quarterly": _parse_quarter, "annual": _parse_year}[kind](raw)
    if parsed is None:
        raise PeriodError(f"期间“{raw}”无法识别：{KIND_NAMES[kind]}的期间应写作 {EXAMPLES[kind]}")
    return parsed


def _check_year(y: int, raw: str) -> int:
    if not 2000 <= y <= 2100:
        raise PeriodError(f"期间“{raw}”的年份{y}超出范围（2000—2100年）")
    return y


def _parse_month(raw: str) -> Period | None:
    m = _MONTH.match(raw)
    if not m:
        return None
    y, mo = _check_year(int(m[1]), raw), int(m[2])
    if not 1 <= mo <= 12:
        raise PeriodError(f"期间“{raw}”的月份{mo}无效：月份应为1—12")
    return month(y, mo)


def _parse_quarter(raw: str) -> Period | None:
    m = _QUARTER.match(raw)
    if not m:
        return None
    q = m[2] or m[3]
    q = QUARTER_NAMES.index(q) + 1 if q in QUARTER_NAMES else int(q)
    return quarter(_check_year(int(m[1]), raw), q)


def _parse_year(raw: str) -> Period | None:
    m = _YEAR.match(raw)
    return year(_check_year(int(m[1]), raw)) if m else None
