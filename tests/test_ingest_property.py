"""Property: whatever a user does to a valid ledger, the import accounts for every row."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from dashboard.ingest import load_files

HEADERS = ["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（万元）",
           "资产净值", "确权日期", "运营状况", "认定低效", "备注"]
INCOME = ["资产编号", "年度", "应收收益", "实收收益", "实际上缴日期"]


def valid_rows(n: int) -> list[list]:
    towns = [("城川镇", "城川嘎查"), ("昂素镇", "毛盖图嘎查"), ("上海庙镇", "八一村")]
    return [[f"P{i:03d}", f"资产{i}", ["经营性", "公益性", "到户类"][i % 3], *towns[i % 3],
             2015 + i % 9, 1.5 * (i + 1), 1000 * i, dt.date(2020, 1 + i % 12, 1 + i % 28),
             ["良好", "一般", "停运"][i % 3], ["是", "否"][i % 2], f"备注{i}"] for i in range(n)]


odd_values = st.one_of(
    st.none(), st.just(""), st.just("   "), st.just("合计"), st.just("小 计"),
    st.text(max_size=12), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["2024.03", "2024年3月1日", "2024/3/1", "20240301", "2024-02-30", "12.5万",
                     "1,234.5", "2019年", "城川", "克珠日", "经营性资产", "P001", "#N/A", "—", "45352"]),
)


def write_xlsx(sheets: dict[str, list[list]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(i, j, v, fmt)
                elif isinstance(v, str):
                    ws.write_string(i, j, v)
                else:
                    ws.write_number(i, j, v)
    wb.close()
    return buf.getvalue()


def write_csv(rows: list[list]) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue().encode("gb18030")


@st.composite
def messy_ledger(draw):
    n = draw(st.integers(0, 12))
    rows = valid_rows(n)
    rows = draw(st.permutations(rows))
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(0, 3))):                        # blank rows anywhere
        rows.insert(draw(st.integers(0, len(rows))), [None] * len(HEADERS))
    if rows:
        for _ in range(draw(st.integers(0, 25))):                   # corrupt random cells
            i = draw(st.integers(0, len(rows) - 1))
            j = draw(st.integers(0, len(HEADERS) - 1))
            rows[i][j] = draw(odd_values)
    title = draw(st.sampled_from([[], [["台账（截至2024年12月31日）"]], [["标题"], ["单位：万元"]]]))
    income = [INCOME] + [[f"P{i:03d}", draw(odd_values), 100, draw(odd_values), draw(odd_values)]
                         for i in range(draw(st.integers(0, 4)))]
    as_csv = draw(st.booleans())
    return title + [HEADERS] + rows, income, as_csv


def check(result) -> None:
    for s in result.sheets:
        assert s.rows_read == s.rows_loaded + s.rows_rejected, s
        not_loaded = [i for i in result.issues if i.file == s.file and i.sheet == s.sheet
                      and i.kind in ("rejected", "skipped")]
        assert len(not_loaded) == s.rows_rejected, (s, not_loaded)
        assert len({i.row for i in not_loaded}) == len(not_loaded)          # one per row
    for kind, table in result.tables.items():
        loads = [s for s in result.sheets if s.kind == kind]
        assert len(table) == sum(s.rows_loaded for s in loads)
        keyed = pd.Series([f"{f}|{s}|{r}" for f, s, r in
                           zip(table["source_file"], table["source_sheet"], table["source_row"])], dtype=object)
        assert keyed.is_unique
        rejected = {f"{i.file}|{i.sheet}|{i.row}" for i in result.issues if i.kind in ("rejected", "skipped")}
        assert not rejected & set(keyed)
        flagged = {f"{i.file}|{i.sheet}|{i.row}" for i in result.issues if i.kind in ("corrected", "doubt")}
        assert set(keyed[table["qa"].to_numpy(bool)]) == flagged & set(keyed)
    if "assets" in result.tables:
        assert result.tables["assets"]["asset_id"].is_unique


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_ledger())
def test_every_row_is_accounted_for(case):
    assets, income, as_csv = case
    if as_csv:
        files = [("资产.csv", write_csv(assets))]
    else:
        files = [("台账.xlsx", write_xlsx({"资产台账": assets, "收益台账": income, "说明": [["说明文字"]]}))]
    result = load_files(files)
    check(result)
    assert result.usable or result.fatal


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.xlsx", "a.xls", "a.csv", "a"]))
def test_arbitrary_bytes_never_raise(data, name):
    result = load_files([(name, data)])
    check(result)
    assert not result.usable or "assets" in result.tables
