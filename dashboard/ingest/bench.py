"""Benchmark: full import vs pandas.read_excel(engine="calamine") on one workbook.

    python -m dashboard.ingest.bench --rows 100000 [--path /tmp/bench.xlsx] [--keep]

Writes a ledger with every 资产台账 column of the template (xlsxwriter,
constant_memory), a title row, 万元 money and dates as real Excel dates, then
times both reads.  Used to check the importer stays ≤ 1.5 × the pandas read.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

from dashboard import places, template as T


def _value(col: T.Column, i: int, rnd: random.Random, village):
    """A plausible cell for row i of column col."""
    if col.name == "asset_id":
        return f"ZC{i:08d}"
    if col.name == "town":
        return village.town
    if col.name == "village":
        return village.short
    if col.values:
        return rnd.choice(list(col.values))
    if col.kind == T.YEAR:
        return rnd.randint(2013, 2024)
    if col.kind == T.MONEY:
        return round(rnd.uniform(0.5, 500), 2)
    if col.kind == T.NUMBER:
        return rnd.randint(0, 1000)
    if col.kind == T.DATE:
        return None if rnd.random() < 0.3 else dt.date(2015, 1, 1) + dt.timedelta(rnd.randint(0, 3650))
    return f"{col.zh}{rnd.randint(1, 5000)}"


def write_workbook(path: Path, rows: int, seed: int = 1) -> None:
    import xlsxwriter

    rnd = random.Random(seed)
    vills = [v for v in places.villages() if v.town in places.TOWNS]
    cols = T.ASSETS.columns
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("资产台账")
    ws.write(0, 0, "鄂托克前旗扶贫项目资产台账（截至2024年12月31日）")
    headers = [c.zh + ("（万元）" if c.kind == T.MONEY else "") for c in cols]
    ws.write_row(1, 0, headers)
    for i in range(rows):
        v = rnd.choice(vills)
        for j, c in enumerate(cols):
            x = _value(c, i, rnd, v)
            if x is None:
                continue
            if isinstance(x, dt.date):
                ws.write_datetime(i + 2, j, x, datefmt)
            else:
                ws.write(i + 2, j, x)
    wb.close()


def main() -> None:
    import pandas as pd

    from dashboard.ingest import load_files

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--path", default="/tmp/ingest-bench-{rows}.xlsx")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    path = Path(a.path.format(rows=a.rows))
    if not path.exists():
        t = time.perf_counter()
        write_workbook(path, a.rows)
        print(f"wrote {path} in {time.perf_counter() - t:.1f}s")
    for _ in range(a.repeat):
        t = time.perf_counter()
        pd.read_excel(path, sheet_name=None, engine="calamine")
        base = time.perf_counter() - t
        t = time.perf_counter()
        r = load_files([path])
        ours = time.perf_counter() - t
        n = len(r.tables["assets"]) if "assets" in r.tables else 0
        print(f"rows={a.rows} pandas+calamine={base:.2f}s load_files={ours:.2f}s "
              f"ratio={ours / base:.2f} loaded={n} issues={len(r.issues)}")


if __name__ == "__main__":
    main()
