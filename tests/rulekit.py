"""Build tiny ledgers in memory and evaluate the rules on them (no importer involved).

Every template column of a sheet that a test passes is declared "uploaded", so a
rule is evaluated unless the test leaves its sheet out on purpose, or names the
column in `absent` ("assets.benefit_linkage"): then it is as if the upload lacked it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import model, rules, template
from dashboard.ledgers import Ledgers

D = dt.date.fromisoformat

BASE_ASSET = {
    "asset_id": "A1", "asset_name": "温室大棚", "category": "经营性", "town": "城川镇",
    "village": "大发村", "build_year": 2018, "original_value": 1_000_000.0,
    "operating_status": "良好", "funding_source": "衔接推进乡村振兴补助资金",
    "owner_level": "嘎查村",
}


def _frame(sheet: template.Sheet, rows: list[dict]) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows):
        rec = {c.name: None for c in sheet.columns}
        rec.update({k: (D(v) if isinstance(v, str) and _is_date(sheet, k) else v) for k, v in row.items()})
        rec.update(source_file="t.xlsx", source_sheet=sheet.zh, source_row=i + 3, qa=row.get("qa", False))
        records.append(rec)
    columns = [c.name for c in sheet.columns] + ["source_file", "source_sheet", "source_row", "qa"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for c in sheet.columns:
        if c.kind == template.DATE:
            frame[c.name] = pd.to_datetime(frame[c.name])
    return frame


def _is_date(sheet: template.Sheet, name: str) -> bool:
    return any(c.name == name and c.kind == template.DATE for c in sheet.columns)


def load(assets=None, income=None, distribution=None, disposals=None, problems=None,
         absent=()):
    """A connection with the given rows loaded; None means the sheet was not uploaded,
    a "sheet.column" in `absent` that the column was not (its cells are all NULL)."""
    con = model.connect()
    sheets = {"assets": [{**BASE_ASSET, **a} for a in (assets or [{}])], "income": income,
              "distribution": distribution, "disposals": disposals, "problems": problems}
    tables, columns = {}, {}
    for name, rows in sheets.items():
        if rows is None:
            continue
        sheet = template.SHEET_BY_NAME[name]
        missing = {a.split(".", 1)[1] for a in absent if a.startswith(name + ".")}
        assert not any(r.get(c) is not None for r in rows for c in missing), "a value in an absent column"
        tables[name] = _frame(sheet, rows).drop(columns=sorted(missing))
        columns[name] = {c.name for c in sheet.columns} - missing
    model.load_tables(con, tables, columns)
    return con


def ledgers(**sheets) -> Ledgers:
    """The rows loaded as `Ledgers` (what reports and `Evaluated` take), no import report."""
    return Ledgers("测试台账", load(**sheets), None)


def evaluate(as_of: str, params=None, **sheets):
    con = load(**sheets)
    ev = rules.evaluate(con, D(as_of), params)
    return con, ev


def fired(as_of: str, asset_id: str = "A1", params=None, **sheets) -> set[str]:
    """Rule IDs and flags fired on one asset (plus its sign-off tier)."""
    con, _ = evaluate(as_of, params, **sheets)
    got = con.execute("SELECT rules, flags, signoff_tier FROM asset_results WHERE asset_id = ?",
                      [asset_id]).fetchone()
    return set(got[0]) | set(got[1])


def distribution_failed(as_of: str, row: dict, **sheets) -> set[str]:
    con, _ = evaluate(as_of, distribution=[row], **sheets)
    return set(con.execute("SELECT failed FROM distribution_checks").fetchone()[0])


def disposal_violations(as_of: str, rows: list[dict], assets=None) -> list[set[str]]:
    con, _ = evaluate(as_of, assets=assets, disposals=rows)
    return [set(v) for (v,) in con.execute(
        "SELECT violations FROM disposal_checks ORDER BY row_id NULLS LAST").fetchall()]


def collection(as_of: str, asset_id: str = "A1", absent=(), **sheets) -> tuple[dict, list[str]]:
    """The collection checks C1–C6 of one asset (True pass, False fail, None nothing to
    check) and the rules not evaluated; {} when the asset is not checked at all."""
    con = load(absent=absent, **sheets)
    ev = rules.evaluate(con, D(as_of))
    cur = con.execute("SELECT C1, C2, C3, C4, C5, C6 FROM collection_checks WHERE asset_id = ?", [asset_id])
    row = cur.fetchall()
    return (dict(zip(("C1", "C2", "C3", "C4", "C5", "C6"), row[0])) if row else {}), ev.not_evaluated
