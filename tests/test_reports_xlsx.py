"""The Excel writer's fast table body (issue 12): `xlsx.TableSheet` writes a table's rows
straight into the sheet's XML.  Held here to the XML xlsxwriter itself writes when each
cell goes through write_string / write_number / write_datetime / write_blank, as the writer
did before: every part of the workbook is byte for byte the same."""
from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter

from dashboard import safe
from dashboard.reports import build, xlsx
from dashboard.reports.document import DATE, INT, PCT, TEXT, WAN, Col, Table


# --- the reference: the cell-by-cell writer as it was ---------------------------------

def _reference_cell(ws, r, c, value, kind, s):
    if value is None:
        ws.write_blank(r, c, None, s.text)
    elif kind == TEXT or isinstance(value, str):
        value = str(value)
        ws.write_string(r, c, value, s.quoted if safe.safe_text(value) != value else s.text)
    elif kind == DATE or isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value,
                          s.numbers[DATE])
    else:
        ws.write_number(r, c, value, s.numbers.get(kind, s.numbers[INT]))


def _reference_fit_row(ws, r, row, table):
    lines = 1
    for c, value in enumerate(row):
        if isinstance(value, str):
            room = max(xlsx._width_cached(table, c) - 1, 1)
            if 2 * len(value) <= room:
                continue
            lines = max(lines, sum(math.ceil(max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in p), 1) / room)
                                   for p in value.split("\n")))
    if lines > 1:
        ws.set_row(r, 14 * min(lines, 30))


def _reference_sheet(wb, table, s, subtitle):
    H = xlsx.HEADER_ROW
    ws = wb.add_worksheet(table.sheet)
    ws.write_string(0, 0, table.title, s.title)
    ws.write_string(1, 0, subtitle, s.subtitle)
    for c, col in enumerate(table.columns):
        ws.write_string(H, c, col.header, s.header)
    for r, row in enumerate(table.rows):
        kinds = [col.kind for col in table.columns]
        if table.row_kinds:
            kinds = [k if k == TEXT else table.row_kinds[r] for k in kinds]
        for c, (value, kind) in enumerate(zip(row, kinds)):
            _reference_cell(ws, H + 1 + r, c, value, kind, s)
        _reference_fit_row(ws, H + 1 + r, row, table)
    ws.freeze_panes(H + 1, 0)
    ws.autofilter(H, 0, H + max(len(table.rows), 1), max(len(table.columns) - 1, 0))
    ws.set_row(H, 30)
    for c in range(len(table.columns)):
        ws.set_column(c, c, xlsx._width_cached(table, c))
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(H)
    ws.fit_to_pages(1, 0)


NOTE = "（图表生成失败，已略去，数据见上表。）"     # what the writer puts under a table for a chart left out


def workbook(tables, subtitle, sheet, note=False) -> bytes:
    """A workbook of these tables as `sheet(wb, table, styles, subtitle)` writes each, with the
    report writer's options; `note`: a line under each table, as for a chart left out."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"author": "资产盘活驾驶舱"})
    s = xlsx.Styles(wb)
    for table in tables:
        ws = sheet(wb, table, s, subtitle) or wb.get_worksheet_by_name(table.sheet)
        if note:
            ws.write_string(len(table.rows) + xlsx.HEADER_ROW + 2, 0, NOTE)
    wb.close()
    return buf.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of the package but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def assert_same_workbook(tables, note=False):
    subtitle = "金额单位：万元"
    slow = parts(workbook(tables, subtitle, _reference_sheet, note))
    fast = parts(workbook(tables, subtitle, xlsx._table_sheet, note))
    if not note:
        assert parts(xlsx.tables_workbook(tables, subtitle)) == fast
    assert list(fast) == list(slow)
    for name in slow:
        assert fast[name] == slow[name], name


# --- the tests ------------------------------------------------------------------------

def test_every_kind_of_cell_is_written_as_xlsxwriter_writes_it():
    long_reason = "R03 年收益率低于1%：" + "资产原值100万元，2024年实收收益0.5万元，" * 12
    rows = [
        [1, "城川镇", "=SUM(A1)", Decimal("12.50"), 0.123456789, dt.date(2024, 2, 29), None, long_reason],
        [2, None, "+86 123", 1234567.891, 1.0, dt.datetime(2024, 12, 31, 8, 30), "2024-05-01", "一行\n二行\n三行"],
        [3, "-减号开头", "@at", 0, None, None, 7, " leading & <trailing> \"quoted\" "],
        [4, "控制\x01字符_x0041_", "\t制表", -3.5, 0.5, dt.date(1900, 3, 1), dt.date(2024, 1, 1), "x" * 40000],
        [5, 42, "数字列里的文字", "12", 2, dt.date(2024, 6, 30), "", "😀" * 20000],
    ]
    table = Table("各种单元格", "各种单元格", [
        Col("序号", INT, 6), Col("镇", TEXT, 12), Col("文字", TEXT, 16), Col("万元", WAN), Col("占比", PCT),
        Col("日期", DATE), Col("任意", TEXT, 10), Col("原因", TEXT, 60)], rows)
    mixed = Table("主要指标", "主要指标", [Col("指标", TEXT, 28), Col("本期", INT), Col("上期", INT), Col("增减", INT)],
                  [["资产总数（项）", 800, 790, 10], ["原值（万元）", 60454.11, None, None],
                   ["盘活率", 0.5123, 0.4, "+11.23个百分点"]], row_kinds=[INT, WAN, PCT])
    empty = Table("空表", "空表", [Col("序号", INT), Col("镇", TEXT)], [])
    ragged = Table("无列", "无列", [], [[], []])           # rows without a cell: no row written
    assert_same_workbook([table, mixed, empty, ragged])
    assert_same_workbook([table, mixed, empty, ragged], note=True)


@pytest.mark.parametrize("kind, period", [("monthly", "2024-12"), ("quarterly", "2024Q4"), ("annual", "2024")])
def test_every_table_of_the_sample_reports_matches(sample_books, kind, period):
    report = build.build(sample_books, kind, period)
    tables = [t for t in report.tables() if t.in_xlsx]
    assert sum(len(t.rows) for t in tables) > 100
    assert_same_workbook(tables, note=kind == "annual")


def test_display_width_counts_a_chinese_character_twice():
    for text in ("", "abc", "城川镇", "R03：年收益率低于1%（“未填写”—…）", "😀ü×·", "\n\t"):
        assert xlsx.display_width(text) == sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def test_the_report_workbook_keeps_its_charts_and_every_sheet(sample_books):
    report = build.build(sample_books, "annual", "2024")
    data = build.render(report, "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    sheets = 1 + sum(1 for t in report.tables() if t.in_xlsx)          # the cover, then a sheet a table
    assert sum(1 for n in names if n.startswith("xl/worksheets/sheet")) == sheets
    images = [n for n in names if n.startswith("xl/media/")]
    assert len(images) in (0, len(report.charts()))                      # every chart, or (no browser) none


# --- another xlsxwriter: the library's own writer (issue 20.7) -------------------------

def _cells(data: bytes) -> dict:
    """Every cell of every sheet as openpyxl reads it: value, number format, quote prefix."""
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {(ws.title, c.coordinate): (c.value, c.number_format, c.quotePrefix, c.font.name)
            for ws in wb for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}


def test_another_xlsxwriter_gets_the_public_writer_and_the_same_cells(sample_books, monkeypatch):
    report = build.build(sample_books, "quarterly", "2024Q4")
    tables = [t for t in report.tables() if t.in_xlsx][:6]
    odd = Table("各种单元格", "各种单元格", [Col("镇", TEXT, 12), Col("万元", WAN), Col("占比", PCT), Col("日期", DATE)],
                [["=SUM(A1)", Decimal("12.50"), 0.25, dt.date(2024, 2, 29)], [None, None, None, None],
                 [42, 1234567.891, "—", dt.datetime(2024, 12, 31, 8, 30)], ["x" * 40000, -3.5, 1, None]])
    tables.append(odd)
    assert xlsx.fast_rows()                          # the pinned version: TableSheet
    pinned = xlsx.tables_workbook(tables, "金额单位：万元")

    monkeypatch.setattr(xlsxwriter, "__version__", "3.4.0")
    assert not xlsx.fast_rows()

    def refused(*args, **kwargs):
        raise AssertionError("TableSheet used on another xlsxwriter")
    monkeypatch.setattr(xlsx.TableSheet, "write_body", refused)
    public = xlsx.tables_workbook(tables, "金额单位：万元")

    cells = _cells(pinned)
    assert cells == _cells(public)
    assert cells[("各种单元格", "A4")] == ("=SUM(A1)", "General", True, "宋体")        # text, quoted
    assert cells[("各种单元格", "B4")][:2] == (12.5, "#,##0.00")
    assert cells[("各种单元格", "D4")][:2] == (dt.datetime(2024, 2, 29), "yyyy-mm-dd")
    assert cells[("各种单元格", "A6")][0] == "42"                                       # text column
    assert len(cells[("各种单元格", "A7")][0]) == xlsx.STR_MAX                          # cut as Excel's limit
    assert sum(1 for sheet, _ in cells if sheet != "各种单元格") > 100
    assert parts(public) == parts(pinned)            # and, on this version, byte for byte
