"""The report as an Excel workbook (xlsxwriter): a cover sheet with the
narrative and the parameters, one sheet per table, then the annex ledgers.

Every sheet: title rows, a frozen header row, an auto-filter, widths from the
content, 万元 as '#,##0.00'.  Text goes through write_string, and a text that
Excel could take for a formula (= + - @) also gets the quote-prefix style, so
it stays text even when a user edits the cell.
"""
from __future__ import annotations

import datetime as dt
import io
import math

import xlsxwriter

from dashboard import explain, safe
from dashboard.reports import charts
from dashboard.reports.document import DATE, INT, PCT, TEXT, WAN, Report, Table

NUMBER_FORMATS = {INT: "#,##0", WAN: "#,##0.00", PCT: "0.00%", DATE: "yyyy-mm-dd"}
HEADER_ROW = 2          # rows 0–1: title and "数据截至…"; row 2: the header
MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Characters as Excel measures them: a Chinese character is two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


class Styles:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1}
        self.title = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True})
        self.subtitle = wb.add_format({"font_name": "宋体", "font_size": 10, "italic": True})
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True,
                                     "align": "center", "valign": "vcenter"})
        self.text = wb.add_format({**base, "text_wrap": True})
        self.quoted = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.numbers = {k: wb.add_format({**base, "num_format": f}) for k, f in NUMBER_FORMATS.items()}
        self.para = wb.add_format({"font_name": "仿宋", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.heading = wb.add_format({"font_name": "黑体", "font_size": 12, "bold": True})


def write(report: Report) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"title": report.title, "subject": report.period.label, "author": "资产盘活驾驶舱"})
    styles = Styles(wb)
    _cover(wb, report, styles)
    subtitle = f"数据截至{explain.fmt_date(report.as_of)}；金额单位：万元"
    for section in report.sections:
        for part in section.parts:
            for i, table in enumerate(t for t in part.tables if t.in_xlsx):
                ws = _table_sheet(wb, table, styles, subtitle)
                if part.chart and i == 0:
                    _insert_chart(ws, part.chart, len(table.rows) + HEADER_ROW + 2)
    for table in report.annexes:
        _table_sheet(wb, table, styles, subtitle)
    wb.close()
    return buf.getvalue()


def _cover(wb, report: Report, s: Styles) -> None:
    ws = wb.add_worksheet("说明")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, report.title + report.subtitle, s.title)
    facts = [("报告期间", report.period.label), ("数据截至", explain.fmt_date(report.as_of)),
             ("对比日期（上期末）", explain.fmt_date(report.previous_as_of) if report.previous_as_of
              else report.compared_with),
             ("生成日期", explain.fmt_date(report.generated)),
             ("未评估规则", "、".join(report.not_evaluated) or "无（全部规则均已评估）")]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, s.header)
        _text(ws, row, 1, value, s)
        row += 1
    row += 1
    for n, section in enumerate(report.sections):
        ws.write_string(row, 0, f"{NUMERALS[n]}、{section.title}", s.heading)
        ws.merge_range(row + 1, 0, row + 1, 1, "", s.para)
        ws.write_string(row + 1, 0, section.narrative, s.para)
        ws.set_row(row + 1, 15 * max(2, math.ceil(display_width(section.narrative) / 118)))
        row += 3
    ws.write_string(row, 0, "本报告采用的参数", s.heading)
    row += 1
    for col, head in enumerate(("参数", "说明", "取值", "单位")):
        ws.write_string(row, col, head, s.header)
    ws.set_column(2, 3, 12)
    for p in report.parameters:
        row += 1
        ws.write_string(row, 0, p.name, s.text)
        ws.write_string(row, 1, p.label, s.text)
        ws.write_number(row, 2, p.value, s.numbers[WAN] if isinstance(p.value, float) else s.numbers[INT])
        ws.write_string(row, 3, p.unit, s.text)


NUMERALS = "一二三四五六七八九十"


def tables_workbook(tables: list[Table], subtitle: str) -> bytes:
    """Plain tables (a page's export) in the reports' own sheet style."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"author": "资产盘活驾驶舱"})
    styles = Styles(wb)
    for table in tables:
        _table_sheet(wb, table, styles, subtitle)
    wb.close()
    return buf.getvalue()


def _table_sheet(wb, table: Table, s: Styles, subtitle: str):
    ws = wb.add_worksheet(table.sheet)
    last_col = max(len(table.columns) - 1, 0)
    ws.write_string(0, 0, table.title, s.title)
    ws.write_string(1, 0, subtitle, s.subtitle)
    for c, col in enumerate(table.columns):
        ws.write_string(HEADER_ROW, c, col.header, s.header)
    for r, row in enumerate(table.rows):
        kinds = [col.kind for col in table.columns]
        if table.row_kinds:
            kinds = [k if k == TEXT else table.row_kinds[r] for k in kinds]
        for c, (value, kind) in enumerate(zip(row, kinds)):
            _cell(ws, HEADER_ROW + 1 + r, c, value, kind, s)
        _fit_row(ws, HEADER_ROW + 1 + r, row, table)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(table.rows), 1), last_col)
    ws.set_row(HEADER_ROW, 30)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, _width(table, c))
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(HEADER_ROW)
    ws.fit_to_pages(1, 0)
    return ws


def _cell(ws, r: int, c: int, value, kind: str, s: Styles) -> None:
    if value is None:
        ws.write_blank(r, c, None, s.text)
    elif kind == TEXT or isinstance(value, str):
        _text(ws, r, c, str(value), s)
    elif kind == DATE or isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value,
                          s.numbers[DATE])
    else:
        ws.write_number(r, c, value, s.numbers.get(kind, s.numbers[INT]))


def _text(ws, r: int, c: int, value: str, s: Styles) -> None:
    """Always a string cell; one that starts like a formula keeps Excel's quote prefix."""
    quoted = safe.safe_text(value) != value
    ws.write_string(r, c, value, s.quoted if quoted else s.text)


def _width(table: Table, c: int) -> int:
    col = table.columns[c]
    widest = display_width(col.header) // 2 + 2   # headers wrap onto two lines
    for row in table.rows[:500]:
        value = row[c]
        if col.kind == DATE or isinstance(value, dt.date):
            text = "2024-12-31"
        elif isinstance(value, float):
            text = f"{value:,.2f}"
        else:
            text = "" if value is None else str(value).split("\n")[0]
        widest = max(widest, display_width(text) + 2)
    return min(widest, col.width or MAX_WIDTH, MAX_WIDTH) if col.kind == TEXT else max(min(widest, 16), 8)


def _fit_row(ws, r: int, row: list, table: Table) -> None:
    """Excel does not grow a row for wrapped text it did not type itself: estimate the lines."""
    lines = 1
    for c, value in enumerate(row):
        if isinstance(value, str):
            room = max(_width_cached(table, c) - 1, 1)
            if 2 * len(value) <= room:          # fits on one line even if every character is Chinese
                continue
            lines = max(lines, sum(math.ceil(max(display_width(p), 1) / room) for p in value.split("\n")))
    if lines > 1:
        ws.set_row(r, 14 * min(lines, 30))


def _width_cached(table: Table, c: int) -> int:
    cache = table.__dict__.setdefault("_widths", {})
    if c not in cache:
        cache[c] = _width(table, c)
    return cache[c]


def _insert_chart(ws, chart, row: int) -> None:
    image = charts.png(chart)
    if image is None:
        ws.write_string(row, 0, charts.omitted(chart))
        return
    ws.insert_image(row, 0, "chart.png", {"image_data": io.BytesIO(image), "x_scale": 0.5, "y_scale": 0.5,
                                          "object_position": 3})
