"""Build tiny ledgers in memory and evaluate the rules on them (no importer involved).

Every template column of a sheet that a test passes is declared "uploaded", so a
rule is evaluated unless the test leaves its sheet out on purpose.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import model, rules, template

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


def load(assets=None, income=None, distribution=None, disposals=None, problems=None):
    """A connection with the given rows loaded; None means the sheet was not uploaded."""
    con = model.connect()
    sheets = {"assets": [{**BASE_ASSET, **a} for a in (assets or [{}])], "income": income,
              "distribution": distribution, "disposals": disposals, "problems": problems}
    tables, columns = {}, {}
    for name, rows in sheets.items():
        if rows is None:
            continue
        sheet = template.SHEET_BY_NAME[name]
        tables[name] = _frame(sheet, rows)
        columns[name] = {c.name for c in sheet.columns}
    model.load_tables(con, tables, columns)
    return con


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
