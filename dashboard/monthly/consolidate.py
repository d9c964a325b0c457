"""Consolidation: month M's snapshot is the union of the part in force of every authority.

An asset ID submitted by two authorities (a changed 主管部门, a typo) is a conflict: it
and the rows that follow it are kept out of the snapshot until one part is corrected and
submitted again.  Every row records its part: its 来源文件 reads "城川镇报送#12·file.xlsx",
which the ledger explorer shows.  The snapshot is saved like an uploaded month
(dashboard/snapshots.py), so every page, report and export reads it the same way.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from dashboard import model, snapshots, store, template
from dashboard.monthly import carry
from dashboard.monthly.submissions import MonthlyError, Submission, beijing_date, check_month, latest


@dataclass
class Conflict:
    asset_id: str
    authorities: list[str]


@dataclass
class Consolidation:
    month: str
    parts: list[Submission]
    conflicts: list[Conflict]
    assets: int
    plan: carry.Plan | None = None
    data_date: dt.date | None = None
    snapshot: snapshots.SavedMonth | None = None

    @property
    def carried(self) -> list[carry.Carried]:
        return self.plan.carried if self.plan else []

    @property
    def missing(self) -> list[str]:
        return self.plan.missing if self.plan else []

    @property
    def message(self) -> str:
        head = (f"已汇总{snapshots.month_label(self.month)}：{len(self.parts)}个单位的报送，资产{self.assets:,}项"
                if self.snapshot else f"{snapshots.month_label(self.month)}未汇总")
        if self.plan and self.plan.sentences():
            head += "；" + "；".join(self.plan.sentences())
        if self.conflicts:
            head += (f"；{len(self.conflicts)}项资产被两个单位同时报送，暂不纳入（"
                     + "、".join(f"{c.asset_id}：{'与'.join(c.authorities)}" for c in self.conflicts[:5])
                     + ("等" if len(self.conflicts) > 5 else "") + "）")
        return head + "。"


def _frames(part: Submission) -> tuple[dict[str, pd.DataFrame], set[str], dict]:
    """A part's tables, each row's 来源文件 naming the part; its loaded columns; its meta."""
    con = model.connect()
    try:
        con.execute(f"ATTACH '{str(part.file).replace(chr(39), chr(39) * 2)}' AS part (READ_ONLY)")
        tables = {}
        for sheet in template.SHEETS:
            drop = "row_id, asset_row" if sheet.name != "assets" else "row_id"
            frame = con.sql(f"SELECT * EXCLUDE ({drop}) FROM part.{sheet.name}").to_arrow_table().to_pandas()
            frame["source_file"] = f"{part.authority}报送#{part.id}·" + frame["source_file"].fillna("").astype(str)
            tables[sheet.name] = frame
        columns = {f"{s}.{c}" for s, c in con.execute("SELECT sheet, column_name FROM part.loaded_columns").fetchall()}
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'part' AND table_name = ?",
                       [model.EMPTY_REQUIRED]).fetchall()[0][0]:      # DQ1's rejected rows (parts since issue 21)
            empty = con.sql(f"SELECT * FROM part.{model.EMPTY_REQUIRED}").to_arrow_table().to_pandas()
            empty["source_file"] = f"{part.authority}报送#{part.id}·" + empty["source_file"].fillna("").astype(str)
            tables[model.EMPTY_REQUIRED] = empty
        meta = json.loads(con.execute("SELECT meta FROM part.part_meta").fetchall()[0][0])
    finally:
        con.close()
    return tables, columns, meta


def conflicts_of(parts: list[Submission], frames: dict[int, dict[str, pd.DataFrame]]) -> list[Conflict]:
    owners: dict[str, list[str]] = {}
    for part in parts:
        for asset_id in frames[part.id]["assets"]["asset_id"].dropna().unique():
            owners.setdefault(asset_id, []).append(part.authority)
    return [Conflict(a, sorted(set(who))) for a, who in sorted(owners.items()) if len(set(who)) > 1]


def data_date(dates: list[dt.date], month: str, today: dt.date) -> dt.date:
    """数据截至 of a consolidated month: the latest 截至 date its parts state, else the day it is
    consolidated — never after today nor after the month's last day."""
    return min(max(dates) if dates else today, today, snapshots.month_end(month))


def consolidate(month: str, *, save: bool = True, by: str | None = None,
                today: dt.date | None = None) -> Consolidation:
    """Month M = every authority's part in force, and for each expected authority that has not
    reported, its rows of the month before (dashboard/monthly/carry.py)."""
    check_month(month)
    parts = sorted(latest(month).values(), key=lambda s: s.authority)
    if not parts:
        raise MonthlyError(f"{snapshots.month_label(month)}还没有任何单位报送，无法汇总。")
    earlier = carry.Earlier(month)
    plan = carry.plan(month, earlier)
    frames, columns, dates = {}, {}, []
    for part in parts:
        tables, cols, meta = _frames(part)
        frames[part.id] = tables
        for name in cols:
            sheet, _, column = name.partition(".")
            columns.setdefault(sheet, set()).add(column)
        if meta.get("data_date"):
            dates.append(dt.date.fromisoformat(meta["data_date"]))
    conflicts = conflicts_of(parts, frames)
    out = set(c.asset_id for c in conflicts)
    submitted = {a for p in parts for a in frames[p.id]["assets"]["asset_id"].dropna()}
    carried = [_without(carry.carried_frames(c, earlier), submitted) for c in plan.carried]
    if carried and earlier.saved is not None:
        for sheet, column in _loaded_columns(earlier.saved.path):
            columns.setdefault(sheet, set()).add(column)
    tables = {}
    for sheet in template.SHEETS:
        union = pd.concat([frames[p.id][sheet.name] for p in parts] + [c[sheet.name] for c in carried],
                          ignore_index=True)
        tables[sheet.name] = union[~union["asset_id"].isin(out)] if out else union
    today = today or beijing_date(store.now())
    result = Consolidation(month, parts, conflicts, len(tables["assets"]), plan, data_date(dates, month, today))
    if not save:
        return result
    con = model.connect()
    empty = [tuple(r) for p in parts if model.EMPTY_REQUIRED in frames[p.id]
             for r in frames[p.id][model.EMPTY_REQUIRED].astype(object).pipe(lambda f: f.where(f.notna(), None))
             .values.tolist()]
    model.load_tables(con, tables, columns, empty)
    try:
        with snapshots.month_lock(month):        # two consolidations of one month: one after the other
            result.snapshot = snapshots.save(con, month, result.data_date,
                                             [f"{p.authority}报送#{p.id}" for p in parts],
                                             kind="consolidated", by=by, extra=plan.meta())
    except TimeoutError:
        raise MonthlyError(f"{snapshots.month_label(month)}正由其他用户汇总，请稍后再试。") from None
    finally:
        con.close()
    return result


def _without(tables: dict[str, pd.DataFrame], asset_ids: set[str]) -> dict[str, pd.DataFrame]:
    """A carried-forward authority's rows minus the assets another authority reported this
    month (an asset whose 主管部门 changed): this month's part wins."""
    return {name: frame[~frame["asset_id"].isin(asset_ids)] for name, frame in tables.items()}


def _loaded_columns(path) -> list[tuple[str, str]]:
    con = model.connect()
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        return con.execute("SELECT sheet, column_name FROM src.loaded_columns").fetchall()
    finally:
        con.close()
