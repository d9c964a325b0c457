"""月调度 submissions (plan 八(二)): every reporting authority — each town and each banner
department — reports its part of month M by the 25th.

`submit` reads the files (the same import as any upload, import profiles included), keeps
the rows of the assets the authority reports (queries/monthly/asset_authority.sql: the
asset's 主管部门 when it names a banner department, else its 所在镇) and the rows of other
sheets that follow them, rejects every other row with its reason, writes the accepted
rows as a DuckDB file under `$ZCPH_DATA_DIR/submissions/M/` and records the submission in
the store.  A later submission of the same month and authority replaces it; both are kept.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from dashboard import ledgers, places, snapshots, sql, store, template
from dashboard.store import schema, settings

T = schema.submissions
REJECTED_COLUMNS = ["file", "sheet", "row", "column", "reason"]
OTHER_SHEETS = tuple(s.name for s in template.SHEETS[1:])


class MonthlyError(ValueError):
    """A refused submission or consolidation; the message is Chinese and shown as is."""


@dataclass(frozen=True)
class Submission:
    id: int
    month: str
    authority: str
    submitted_at: dt.datetime       # UTC, as the store keeps it
    submitted_by: str | None
    files: list[dict]
    accepted: int
    rejected: int
    progress: str
    path: str

    @property
    def file(self) -> Path:
        return snapshots.data_dir() / self.path

    @property
    def late(self) -> bool:
        return beijing_date(self.submitted_at) > due_date(self.month)


@dataclass
class Outcome:
    submission: Submission | None
    rejected: pd.DataFrame           # file, sheet, row, column, reason (exports.md's rejected.csv)
    message: str                     # one Chinese line
    auto_profiles: dict = field(default_factory=dict)   # saved import profiles that applied by themselves


def due_date(month: str) -> dt.date:
    """The month's 月调度 day (八(二)): the edition in force that month names it (seed: the 25th)."""
    from dashboard import editions
    year, mon = map(int, month.split("-"))
    return dt.date(year, mon, editions.in_force(dt.date(year, mon, 1)).monthly_due_day)


def previous_month(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year - (mon == 1):04d}-{12 if mon == 1 else mon - 1:02d}"


beijing_date = store.beijing_date


def check_month(month: str) -> str:
    if not snapshots.valid_month(month):
        raise MonthlyError(f"月份应写作YYYY-MM（2020年及以后，半角数字），如2024-05：{str(month)[:20]}")
    return month


def authorities() -> list[str]:
    """Who reports: every town of the banner and every banner department on the list."""
    return list(places.TOWNS) + [d.name for d in settings.departments()]


def _row(r) -> Submission:
    return Submission(r.id, r.month, r.authority, r.submitted_at, r.submitted_by, json.loads(r.files),
                      r.accepted, r.rejected, r.progress, r.path)


def history(month: str, authority: str | None = None) -> list[Submission]:
    """Every submission of the month (of one authority), oldest first."""
    if not store.exists():
        return []
    query = select(T).where(T.c.month == month).order_by(T.c.id)
    if authority:
        query = query.where(T.c.authority == authority)
    with store.engine().connect() as con:
        return [_row(r) for r in con.execute(query)]


def latest(month: str) -> dict[str, Submission]:
    """The part in force for each authority that submitted: its latest submission."""
    out: dict[str, Submission] = {}
    for s in history(month):
        out[s.authority] = s
    return out


def months() -> list[str]:
    if not store.exists():
        return []
    with store.engine().connect() as con:
        return sorted({r[0] for r in con.execute(select(T.c.month).distinct())})


def submit(month: str, authority: str, files, *, by: str | None, progress: str = "",
           mappings=(), use_saved: bool = True, profile_authority: str | None = None) -> Outcome:
    """`profile_authority`: whose saved import profiles apply besides the administrator's — the
    submitting town's or department's on its own upload page, as its preview read the files."""
    check_month(month)
    if authority not in authorities():
        raise MonthlyError(f"“{authority}”不是报送单位：应为{'、'.join(authorities())}之一。")
    books = ledgers.load(list(files), label=f"{authority}报送", mappings=list(mappings), use_saved=use_saved,
                         authority=profile_authority)
    rejected = _import_rejections(books)
    if not books.usable:
        return Outcome(None, rejected, f"未报送：{books.fatal}", books.result.auto_profiles)
    mine, others = _split(books.con, authority)
    rejected = pd.concat([rejected, others], ignore_index=True)
    if not mine:
        return Outcome(None, rejected, f"未报送：上传的资产台账中没有报送主体为{authority}的资产（{len(others)}行属于其他单位）。",
                       books.result.auto_profiles)
    path = Path("submissions") / month / f"{uuid.uuid4().hex}.duckdb"
    _write_part(books, mine, snapshots.data_dir() / path, month, authority)
    record = {"month": month, "authority": authority, "submitted_at": store.now(), "submitted_by": by,
              "files": json.dumps(_describe(files), ensure_ascii=False), "accepted": len(mine),
              "rejected": len(rejected), "progress": (progress or "").strip(), "path": str(path)}
    with store.engine().begin() as con:
        new_id = con.execute(T.insert().values(**record)).inserted_primary_key[0]
    submission = next(s for s in history(month, authority) if s.id == new_id)
    again = len(history(month, authority)) > 1
    return Outcome(submission, rejected,
                   f"{authority}{snapshots.month_label(month)}{'重新' if again else ''}报送：接收资产{len(mine):,}项，"
                   f"未接收{len(rejected):,}行" + ("（逾期）" if submission.late else "") + "。",
                   books.result.auto_profiles)


def _describe(files) -> list[dict]:
    out = []
    for f in files:
        if isinstance(f, (str, Path)):
            data, name = Path(f).read_bytes(), Path(f).name
        else:
            data, name = f.getvalue(), f.name
        out.append({"名称": name, "字节": len(data), "SHA-256": hashlib.sha256(data).hexdigest()})
    return out


def _import_rejections(books) -> pd.DataFrame:
    frame = books.result.rejection_frame() if books.result else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=REJECTED_COLUMNS)
    frame = frame[frame["类别"].isin(["未载入", "已跳过"])]
    return frame.rename(columns={"文件": "file", "工作表": "sheet", "行": "row", "列": "column",
                                 "原因": "reason"})[REJECTED_COLUMNS]


def _split(con, authority: str) -> tuple[set[int], pd.DataFrame]:
    """(asset row_ids this authority reports, rejected rows of every sheet with reasons)."""
    rel = sql.relation(con, "monthly/asset_authority", settings.department_lists())
    owners = rel.to_arrow_table().to_pandas()
    mine = set(owners.loc[owners.authority == authority, "row_id"].astype(int))
    theirs = owners[owners.authority != authority]
    rejected = [pd.DataFrame({
        "file": theirs.source_file, "sheet": theirs.source_sheet, "row": theirs.source_row,
        "column": theirs.why_column,
        "reason": [f"资产{i or '（无编号）'}的报送主体是{a or '（空）'}（{w}），不是{authority}，未接收"
                   for i, a, w in zip(theirs.asset_id, theirs.authority, theirs.why)]})]
    for table in OTHER_SHEETS:
        rows = con.execute(f"""SELECT asset_row, asset_id, {'town' if table == 'distribution' else 'NULL'} AS town,
                                      source_file, source_sheet, source_row FROM {table}""").fetchall()
        # one frame per sheet (a frame per row cost ~2 s of a sample's submission)
        refused = [[file, sheet, row, "资产编号",
                    f"资产{asset_id}不属于{authority}报送，未接收" if asset_row is not None else
                    f"资产编号{asset_id or '（空）'}不在本次报送的资产台账中，未接收"]
                   for asset_row, asset_id, town, file, sheet, row in rows
                   if not _follows(asset_row, town, mine, authority)]
        if refused:
            rejected.append(pd.DataFrame(refused, columns=REJECTED_COLUMNS))
    return mine, pd.concat(rejected, ignore_index=True)


def _follows(asset_row, town, mine: set[int], authority: str) -> bool:
    """A row of another sheet follows its asset; one without an asset follows its 所在镇."""
    if asset_row is not None:
        return int(asset_row) in mine
    return town is not None and town == authority


def _accepted_where(table: str, mine_table: str, authority: str) -> str:
    if table == "assets":
        return f"row_id IN (SELECT row_id FROM {mine_table})"
    town = "town = $authority" if table == "distribution" else "false"
    return f"(asset_row IN (SELECT row_id FROM {mine_table}) OR (asset_row IS NULL AND {town}))"


def _write_empty_required(con, authority: str) -> None:
    """The authority's rows the importer rejected for an empty required cell (DQ1 of
    verification.md §2 lists them; consolidation keeps them): by their 主管部门, else 所在镇."""
    from dashboard import model
    table = model.EMPTY_REQUIRED
    con.execute(f"CREATE TABLE part.{table} AS SELECT * FROM main.{table} WHERE false")
    rows = [r for r in con.execute(f"SELECT * FROM main.{table}").fetchall()
            if (settings.department_of(r[6]) or r[5]) == authority]
    if rows:
        con.executemany(f"INSERT INTO part.{table} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _write_part(books, mine: set[int], path: Path, month: str, authority: str) -> None:
    con = books.con
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute("CREATE OR REPLACE TEMP TABLE part_rows (row_id BIGINT)")
    con.executemany("INSERT INTO part_rows VALUES (?)", [(r,) for r in sorted(mine)])
    meta = {"month": month, "authority": authority,
            "data_date": books.data_date.isoformat() if books.data_date else None}
    con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS part")
    try:
        for sheet in template.SHEETS:
            where = _accepted_where(sheet.name, "part_rows", authority)
            con.execute(f"CREATE TABLE part.{sheet.name} AS SELECT * FROM main.{sheet.name} WHERE {where}",
                        {"authority": authority} if "$authority" in where else None)
        con.execute("CREATE TABLE part.loaded_columns AS SELECT * FROM main.loaded_columns")
        _write_empty_required(con, authority)
        con.execute("CREATE TABLE part.part_meta (meta VARCHAR)")
        con.execute("INSERT INTO part.part_meta VALUES (?)", [json.dumps(meta, ensure_ascii=False)])
    finally:
        con.execute("DETACH part")
