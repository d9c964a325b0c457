"""Who is expected to report month M, and what stands in for an authority that has not.

Expected authorities come from the data, not the accounts (issue 19): every town of the
division list, every banner department that reports an asset in the month before (the
latest saved month before M) or has submitted a part of M, and — so that nothing is left
out silently — every department with an enabled account.

An expected authority that has not reported M is **carried forward**: its rows of the
month before (the latest saved month before M, else its own part of the calendar month
before) go into M, every row's 来源文件 starting with 沿用上月（2026年11月）, which the ledger
explorer shows as 报送状态 "沿用上月".  With nothing earlier, it is named as missing.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard import model, places, snapshots, sql, template
from dashboard.monthly.submissions import Submission, latest, previous_month
from dashboard.store import settings

CARRIED_PREFIX = "沿用上月"


@dataclass(frozen=True)
class Carried:
    authority: str
    month: str            # the month its rows come from
    assets: int
    origin: str           # "2026年11月快照·汇总" or "城川镇报送#12"

    @property
    def label(self) -> str:
        """上海庙镇未报送，沿用11月数据（资产120项）"""
        return f"{self.authority}未报送，沿用{_short(self.month)}数据（资产{self.assets:,}项）"


def together(carried: list[Carried]) -> str | None:
    """均沿用11月数据（资产共668项） when several authorities were carried from one month — the
    dispatch's one clause for them all (each one's count is in the 附表); None otherwise."""
    if len(carried) < 2 or len({c.month for c in carried}) > 1:
        return None
    return f"均沿用{_short(carried[0].month)}数据（资产共{sum(c.assets for c in carried):,}项，各单位见附表）"


@dataclass
class Plan:
    """What consolidating M would do with the authorities that have not reported."""
    month: str
    expected: list[str]
    carried: list[Carried]
    missing: list[str]    # expected, not reported, nothing earlier to carry

    def sentences(self) -> list[str]:
        out = [c.label for c in self.carried]
        out += [f"{a}未报送，且无上月数据，本月汇总不含其资产" for a in self.missing]
        return out

    def meta(self) -> dict:
        """What a consolidated month records of it (snapshot meta "carried" and "missing")."""
        return {"carried": [{"authority": c.authority, "month": c.month, "assets": c.assets,
                             "origin": c.origin} for c in self.carried],
                "missing": list(self.missing)}


def _short(month: str) -> str:
    return f"{int(month[5:])}月"


def authority_of_assets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """row_id → reporting authority of every asset in `con`'s assets table."""
    rel = sql.relation(con, "monthly/asset_authority", settings.department_lists())
    return rel.select("row_id, authority").to_arrow_table().to_pandas()


def _attached(path) -> duckdb.DuckDBPyConnection:
    """A connection whose assets (and other sheets) are views over a saved DuckDB file."""
    con = model.connect()
    con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
    for sheet in template.SHEETS:
        con.execute(f"CREATE VIEW main.{sheet.name} AS SELECT * FROM src.{sheet.name}")
    return con


def _account_departments() -> set[str]:
    from dashboard import store
    from dashboard.store import accounts
    if not store.exists():                 # demo mode writes nothing
        return set()
    return {a.department for a in accounts.all_accounts() if a.role == "department" and not a.disabled}


class Earlier:
    """The month before M as the carry-forward reads it: the latest saved month before M."""

    def __init__(self, month: str):
        self.saved = snapshots.previous(month)
        self.kind = snapshots.read_meta(self.saved.path).get("kind") if self.saved else None
        self._owners: pd.DataFrame | None = None

    def owners(self) -> pd.DataFrame:
        if self._owners is None:
            if self.saved is None:
                self._owners = pd.DataFrame({"row_id": [], "authority": []})
            else:
                con = _attached(self.saved.path)
                try:
                    self._owners = authority_of_assets(con)
                finally:
                    con.close()
        return self._owners

    def counts(self) -> dict[str, int]:
        return self.owners().authority.value_counts().to_dict()

    def frames(self, authority: str) -> dict[str, pd.DataFrame]:
        """This authority's rows of every sheet, as a consolidation part (no row ids)."""
        rows = set(self.owners().loc[lambda f: f.authority == authority, "row_id"].astype(int))
        con = _attached(self.saved.path)
        try:
            return _frames_of(con, rows, authority, self._prefix())
        finally:
            con.close()

    def origin(self) -> str:
        return f"{self.saved.label}快照·{snapshots.KINDS.get(self.kind, '上传快照')}"

    def _prefix(self) -> str:
        return f"{CARRIED_PREFIX}（{self.saved.label}）·"


def _frames_of(con, rows: set[int], authority: str, prefix: str) -> dict[str, pd.DataFrame]:
    con.execute("CREATE OR REPLACE TEMP TABLE carried_rows (row_id BIGINT)")
    con.executemany("INSERT INTO carried_rows VALUES (?)", [(r,) for r in sorted(rows)])
    out = {}
    for sheet in template.SHEETS:
        if sheet.name == "assets":
            query = "SELECT * EXCLUDE (row_id) FROM assets WHERE row_id IN (SELECT row_id FROM carried_rows)"
        else:
            town = "town = $authority" if sheet.name == "distribution" else "false"
            query = (f"SELECT * EXCLUDE (row_id, asset_row) FROM {sheet.name} WHERE asset_row IN "
                     f"(SELECT row_id FROM carried_rows) OR (asset_row IS NULL AND {town})")
        frame = con.execute(query, {"authority": authority} if "$authority" in query else None).df()
        frame["source_file"] = prefix + frame["source_file"].fillna("").astype(str)
        out[sheet.name] = frame
    return out


def part_frames(part: Submission, prefix: str = "") -> dict[str, pd.DataFrame]:
    """A submitted part's rows of every sheet (its own file holds only its rows)."""
    con = _attached(part.file)
    try:
        rows = {r[0] for r in con.execute("SELECT row_id FROM assets").fetchall()}
        return _frames_of(con, rows, part.authority, prefix + f"{part.authority}报送#{part.id}·")
    finally:
        con.close()


def expected(month: str, earlier: Earlier | None = None) -> list[str]:
    """Towns, then departments in the administrator's order, then anyone else who submitted."""
    earlier = earlier or Earlier(month)
    reporting = set(earlier.counts()) | set(latest(month)) | _account_departments()
    departments = [d.name for d in settings.departments() if d.name in reporting]
    known = list(places.TOWNS) + departments
    return known + sorted(reporting - set(known))


def plan(month: str, earlier: Earlier | None = None) -> Plan:
    """Who is expected, who would be carried forward from where, who is missing outright."""
    earlier = earlier or Earlier(month)
    reported = set(latest(month))
    counts = earlier.counts()
    before = latest(previous_month(month))
    names = expected(month, earlier)
    carried, missing = [], []
    for authority in names:
        if authority in reported:
            continue
        if counts.get(authority):
            carried.append(Carried(authority, earlier.saved.month, counts[authority], earlier.origin()))
        elif authority in before:
            part = before[authority]
            carried.append(Carried(authority, part.month, part.accepted, f"{authority}报送#{part.id}"))
        else:
            missing.append(authority)
    return Plan(month, names, carried, missing)


def carried_frames(item: Carried, earlier: Earlier) -> dict[str, pd.DataFrame]:
    if earlier.saved is not None and item.month == earlier.saved.month:
        return earlier.frames(item.authority)
    part = latest(item.month)[item.authority]
    return part_frames(part, prefix=f"{CARRIED_PREFIX}（{snapshots.month_label(item.month)}）·")

