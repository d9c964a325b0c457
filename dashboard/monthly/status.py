"""报送情况: for month M, every authority expected, whether and when it reported, and what
changed against its own part of the month before (assets added, removed, changed in
status or value; red and yellow warnings new or cleared — each part judged at its
month's end, as a saved month is).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import model, policy, snapshots, store
from dashboard.evaluated import Evaluated
from dashboard.ledgers import Ledgers
from dashboard.monthly import carry
from dashboard.monthly.submissions import Submission, beijing_date, due_date, history, previous_month

STATES = {"missing": "未报送", "on_time": "按时报送", "late": "逾期报送"}


@dataclass
class Row:
    authority: str
    state: str                       # missing, on_time, late
    overdue: bool                    # not submitted and the 25th has passed: shown red
    part: Submission | None
    submissions: int                 # 2 or more: replaced
    changes: dict | None             # against its part of the month before
    carried: carry.Carried | None = None   # not reported: what consolidating would carry forward

    @property
    def carry_note(self) -> str:
        """What the month holds for an authority that has not reported: 沿用11月数据 / 无上月数据."""
        if self.part is not None:
            return ""
        return f"沿用{int(self.carried.month[5:])}月数据" if self.carried else "无上月数据"

    def label(self, dated: bool = False) -> str:
        """按时报送 / 逾期报送 / 逾期未报送, with how often it was submitted again and, `dated`,
        the day a late part came in: 逾期报送（12月28日，重报1次）."""
        if self.part is None:
            return "逾期未报送" if self.overdue else "未报送"
        notes = []
        if dated and self.state == "late":
            day = beijing_date(self.part.submitted_at)
            notes.append(f"{day.month}月{day.day}日")
        if self.submissions > 1:
            notes.append(f"重报{self.submissions - 1}次")
        return STATES[self.state] + (f"（{'，'.join(notes)}）" if notes else "")


def part_ledgers(part: Submission) -> Ledgers:
    """A submitted part as ledgers (facts judged), to evaluate or compare."""
    con = model.connect()
    con.execute(f"ATTACH '{str(part.file).replace(chr(39), chr(39) * 2)}' AS part (READ_ONLY)")
    try:
        for table in snapshots.LEDGER_TABLES:
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM part.{table}")
    finally:
        con.execute("DETACH part")
    model.load_negative_list(con, policy.read_negative_list())
    model.load_rule_catalog(con)
    model.derive_facts(con)
    return Ledgers(f"{part.authority}报送#{part.id}", con, None, month=part.month)


def _warnings(part: Submission) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    books = part_ledgers(part)
    try:
        assets = books.con.sql("SELECT asset_id, operating_status, original_value FROM assets").df()
        ev = Evaluated(books, snapshots.month_end(part.month))
        hits = {(r["asset_id"], r["rule_id"]) for r in ev.rows("shared/previous_warnings")}
        ev.close()
    finally:
        books.con.close()
    return assets, hits


def changes(part: Submission, before: Submission) -> dict:
    now_assets, now_hits = _warnings(part)
    old_assets, old_hits = _warnings(before)
    now_ids, old_ids = set(now_assets.asset_id.dropna()), set(old_assets.asset_id.dropna())
    both = now_assets.merge(old_assets, on="asset_id", suffixes=("", "_before"))
    changed = both[(both.operating_status.fillna("") != both.operating_status_before.fillna(""))
                   | (both.original_value.astype(float).fillna(-1) != both.original_value_before.astype(float).fillna(-1))]
    return {"added": len(now_ids - old_ids), "removed": len(old_ids - now_ids), "changed": len(changed),
            "new_warnings": len(now_hits - old_hits), "cleared_warnings": len(old_hits - now_hits)}


def status(month: str, today: dt.date | None = None, with_changes: bool = True) -> list[Row]:
    """Every expected authority (dashboard/monthly/carry.py), reported or not."""
    today = today or beijing_date(store.now())
    before = previous_month(month)
    rows = []
    parts, earlier = history(month), history(before)
    plan = carry.plan(month)
    carried = {c.authority: c for c in plan.carried}
    for authority in plan.expected:
        mine = [s for s in parts if s.authority == authority]
        part = mine[-1] if mine else None
        if part is None:
            rows.append(Row(authority, "missing", today > due_date(month), None, 0, None, carried.get(authority)))
            continue
        previous = [s for s in earlier if s.authority == authority]
        rows.append(Row(authority, "late" if part.late else "on_time", False, part, len(mine),
                        changes(part, previous[-1]) if previous and with_changes else None))
    return rows
