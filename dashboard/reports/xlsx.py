"""The report as an Excel workbook (xlsxwriter): a cover sheet with the
narrative and the parameters, one sheet per table, then the annex ledgers.

Every sheet: title rows, a frozen header row, an auto-filter, widths from the
content, 万元 as '#,##0.00'.  Text is always a string cell, and a text that
Excel could take for a formula (= + - @) also gets the quote-prefix style, so
it stays text even when a user edits the cell.

A table's rows (half a million annex cells at 100,000 assets) are not handed to
xlsxwriter cell by cell: `TableSheet` keeps them as rows and writes them into the
sheet's XML when the workbook closes — the very XML xlsxwriter writes for
write_string / write_number / write_datetime / write_blank (tests/test_reports_xlsx.py
holds it to that), without a cell object and a dict entry per cell.  That leans on
xlsxwriter's internals, so it is used only with the version requirements.txt pins
(PINNED_XLSXWRITER); with any other the rows go through the library's own write_string /
write_number / write_datetime / write_blank (`write_rows`), slower but the same cells.  The
charts are drawn (by chromium, another process) while the cells are written.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

try:                                        # private helpers: only TableSheet uses them
    from xlsxwriter.utility import _utf16_len, _utf16_truncate
except ImportError:                         # pragma: no cover — another xlsxwriter
    _utf16_len = _utf16_truncate = None

from dashboard import explain, safe
from dashboard.reports import charts
from dashboard.reports.document import DATE, INT, PCT, TEXT, WAN, Report, Table

NUMBER_FORMATS = {INT: "#,##0", WAN: "#,##0.00", PCT: "0.00%", DATE: "yyyy-mm-dd"}
HEADER_ROW = 2          # rows 0–1: title and "数据截至…"; row 2: the header
MAX_WIDTH = 60
PINNED_XLSXWRITER = "3.3.1"     # the version (requirements.txt) whose sheet XML TableSheet writes


def fast_rows() -> bool:
    """Whether table bodies go straight into the sheet XML (TableSheet): only on the pinned
    xlsxwriter, whose internals it was written against and is tested on."""
    return xlsxwriter.__version__ == PINNED_XLSXWRITER and _utf16_len is not None


_NARROW = re.compile("[\x00-\u2e7f]+")


def display_width(text: str) -> int:
    """Characters as Excel measures them: a Chinese character (above U+2E7F) is two."""
    return len(text) + len(_NARROW.sub("", text))


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
    # chromium draws the charts (one at a time) while this thread writes the cells; a drawing
    # that hangs is not waited for (charts.drawn gives up, the thread is left)
    drawer = ThreadPoolExecutor(1)
    try:
        images = {id(p.chart): drawer.submit(charts.png, p.chart) for s in report.sections for p in s.parts
                  if p.chart and any(t.in_xlsx for t in p.tables)}
        _cover(wb, report, styles)
        subtitle = f"数据截至{explain.fmt_date(report.as_of)}；金额单位：万元"
        placed = []
        for section in report.sections:
            for part in section.parts:
                for i, table in enumerate(t for t in part.tables if t.in_xlsx):
                    ws = _table_sheet(wb, table, styles, subtitle)
                    if part.chart and i == 0:
                        placed.append((ws, part.chart, len(table.rows) + HEADER_ROW + 2))
        for table in report.annexes:
            _table_sheet(wb, table, styles, subtitle)
        for ws, chart, row in placed:
            _insert_chart(ws, chart, row, charts.drawn(images[id(chart)]))
    finally:
        drawer.shutdown(wait=False, cancel_futures=True)
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
    ws.merge_range(row, 0, row, 1, "", s.header)        # the Chinese name takes the two wide columns
    for col, head in ((0, "参数"), (2, "取值"), (3, "单位")):
        ws.write_string(row, col, head, s.header)
    ws.set_column(2, 3, 12)
    for p in report.parameters:        # as the Word file prints them: 10万元, 1%, 6个月 (no 元 or 比率)
        row += 1
        value, unit = p.written()
        ws.merge_range(row, 0, row, 1, "", s.text)
        ws.write_string(row, 0, p.label, s.text)
        ws.write_number(row, 2, value, s.numbers[WAN] if unit == "万元" else s.text)
        ws.write_string(row, 3, unit, s.text)
    if report.edition:                 # the policy edition the rules were judged by (editions.py)
        row += 2
        ws.merge_range(row, 0, row, 3, "", s.para)
        ws.write_string(row, 0, f"政策版本：{report.edition_text}，{report.edition['effective_from']}起施行", s.para)


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
    fast = fast_rows()
    ws = wb.add_worksheet(table.sheet, worksheet_class=TableSheet if fast else Worksheet)
    last_col = max(len(table.columns) - 1, 0)
    ws.write_string(0, 0, table.title, s.title)
    ws.write_string(1, 0, subtitle, s.subtitle)
    for c, col in enumerate(table.columns):
        ws.write_string(HEADER_ROW, c, col.header, s.header)
    if fast:
        ws.write_body(HEADER_ROW + 1, table, s)
    else:
        write_rows(ws, HEADER_ROW + 1, table, s)
    for r, lines in enumerate(_row_lines(table)):
        if lines > 1:
            ws.set_row(HEADER_ROW + 1 + r, 14 * min(lines, 30))
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(table.rows), 1), last_col)
    ws.set_row(HEADER_ROW, 30)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, _width_cached(table, c))
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(HEADER_ROW)
    ws.fit_to_pages(1, 0)
    return ws


def write_rows(ws, first_row: int, table: Table, s: Styles) -> None:
    """The rows of `table` from `first_row` down through xlsxwriter's public writer, cell by
    cell: the cells TableSheet.write_body writes (any xlsxwriter version)."""
    kinds = [col.kind for col in table.columns]
    for r, row in enumerate(table.rows):
        row_kinds = [k if k == TEXT else table.row_kinds[r] for k in kinds] if table.row_kinds else kinds
        for c, (value, kind) in enumerate(zip(row, row_kinds)):
            _cell(ws, first_row + r, c, value, kind, s)


def _cell(ws, r: int, c: int, value, kind: str, s: Styles) -> None:
    if value is None:
        ws.write_blank(r, c, None, s.text)
    elif kind == TEXT or isinstance(value, str):
        value = str(value)
        ws.write_string(r, c, value, s.quoted if value.startswith(safe.FORMULA_START) else s.text)
    elif kind == DATE or isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value,
                          s.numbers[DATE])
    else:
        ws.write_number(r, c, float(value) if value.__class__ is Fraction else value,
                        s.numbers.get(kind, s.numbers[INT]))


class TableSheet(Worksheet):
    """A worksheet whose table body is kept as rows of (type, value, format) and written
    straight into <sheetData> on close, as xlsxwriter would write the same cells.  It uses
    xlsxwriter's internals (the shared strings, xf indices, row tags and spans of 3.3.1, which
    requirements.txt pins): tests/test_reports_xlsx.py compares the bytes, so an upgrade that
    changes them fails there first."""

    def __init__(self):
        super().__init__()
        self._body: list = []
        self._body_first = 0
        self._serials: dict = {}       # date → Excel serial number, each date converted once

    def write_body(self, first_row: int, table: Table, s: Styles) -> None:
        """The rows of `table` from `first_row` down, as the cells write_string / write_number /
        write_datetime / write_blank would store: text a shared string (registered now, in cell
        order, so the strings are numbered as before), a date its Excel serial number, None a
        blank in the text style."""
        assert not self.constant_memory
        sst, text, quoted, risky = self.str_table._get_shared_string_index, s.text, s.quoted, safe.FORMULA_START
        blank = (BLANK, None, text)

        def text_cell(value) -> tuple:
            if value is None:
                return blank
            value = str(value)
            if len(value) > STR_MAX // 2 and _utf16_len(value) > STR_MAX:
                value = _utf16_truncate(value, STR_MAX)              # as write_string does
            return STRING, sst(value), quoted if value.startswith(risky) else text

        def other_cell(kind: str):
            number_format = s.numbers.get(kind, s.numbers[INT])

            def cell(value) -> tuple:
                if value is None:
                    return blank
                if isinstance(value, str):
                    return text_cell(value)
                if kind == DATE or isinstance(value, (dt.date, dt.datetime)):
                    serial = self._serials.get(value)
                    if serial is None:
                        when = dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value
                        serial = self._serials[value] = self._convert_date_time(when)
                    return NUMBER, serial, s.numbers[DATE]
                if math.isnan(value) or math.isinf(value):
                    raise TypeError("NAN/INF not supported in write_number()")
                return NUMBER, float(value) if value.__class__ is Fraction else value, number_format
            return cell

        kinds = [col.kind for col in table.columns]
        by_kind = {k: text_cell if k == TEXT else other_cell(k) for k in {*kinds, *(table.row_kinds or ())}}
        if table.row_kinds:          # a table of mixed units: each row's numbers of its own kind
            rows = [[by_kind[k if k == TEXT else table.row_kinds[r]](value) for value, k in zip(row, kinds)]
                    for r, row in enumerate(table.rows)]
        else:
            cells = [by_kind[k] for k in kinds]
            rows = [[cell(value) for cell, value in zip(cells, row)] for row in table.rows]
        widest = max(map(len, rows), default=0)
        if widest:
            self._check_dimensions(first_row, 0)
            self._check_dimensions(first_row + len(rows) - 1, widest - 1)
        self._body, self._body_first = rows, first_row

    def _write_sheet_data(self) -> None:
        if not self._body or self.dim_rowmin is None:
            return super()._write_sheet_data()
        first, last = self._body_first, self._body_first + len(self._body) - 1
        low, high = self.dim_rowmin, self.dim_rowmax
        self._xml_start_tag("sheetData")
        try:
            if low < first:                      # title, subtitle and header: xlsxwriter's own cells
                self.dim_rowmax = first - 1
                self._write_rows()
            else:
                self._calculate_spans()
            self._write_body()
            if high > last:                      # a note under the table (a chart left out)
                self.dim_rowmin, self.dim_rowmax = last + 1, high
                self._write_rows()
        finally:
            self.dim_rowmin, self.dim_rowmax = low, high
        self._xml_end_tag("sheetData")

    def _calculate_spans(self) -> None:
        """xlsxwriter's "spans" of each block of 16 rows (first:last column with a cell), over
        its own cells and the body's."""
        reach: dict[int, tuple[int, int]] = {}

        def see(row: int, low: int, high: int) -> None:
            block = row // 16
            was = reach.get(block)
            reach[block] = (low, high) if was is None else (min(was[0], low), max(was[1], high))

        for cells in (self.table, self.comments):
            for row, columns in cells.items():
                if columns:
                    see(row, min(columns), max(columns))
        for row, body in enumerate(self._body, start=self._body_first):
            if body:
                see(row, 0, len(body) - 1)
        self.row_spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in reach.items()}

    def _write_body(self) -> None:
        write = self.fh.write
        names = [xl_col_to_name(c) for c in range(max(map(len, self._body)))]
        spans = self.row_spans
        for r, cells in enumerate(self._body, start=self._body_first):
            if not cells:
                if r in self.row_info:
                    self._write_empty_row(r, spans.get(r // 16), self.row_info[r])
                continue
            self._write_row(r, spans.get(r // 16), self.row_info.get(r))
            ref = str(r + 1)
            out = []
            for name, (kind, value, fmt) in zip(names, cells):
                xf = fmt.xf_index if fmt.xf_index is not None else fmt._get_xf_index()
                if kind is STRING:
                    out.append(f'<c r="{name}{ref}" s="{xf}" t="s"><v>{value}</v></c>')
                elif kind is NUMBER:
                    out.append(f'<c r="{name}{ref}" s="{xf}"><v>{value:.16G}</v></c>')
                else:
                    out.append(f'<c r="{name}{ref}" s="{xf}"/>')
            out.append("</row>")
            write("".join(out))


def _text(ws, r: int, c: int, value: str, s: Styles) -> None:
    """Always a string cell; one that starts like a formula keeps Excel's quote prefix."""
    quoted = safe.safe_text(value) != value
    ws.write_string(r, c, value, s.quoted if quoted else s.text)


STRING, NUMBER, BLANK = "s", "n", "b"
STR_MAX = 32767       # Excel's longest cell text, in UTF-16 units (xlsxwriter cuts it there too)


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


def _row_lines(table: Table) -> list[int]:
    """Excel does not grow a row for wrapped text it did not type itself: estimate each
    row's lines, its tallest text cell's."""
    rooms = [max(_width_cached(table, c) - 1, 1) for c in range(len(table.columns))]
    out = []
    for row in table.rows:
        lines = 1
        for value, room in zip(row, rooms):
            if isinstance(value, str) and 2 * len(value) > room:   # else one line even if all Chinese
                if "\n" in value:
                    n = sum(-(-max(display_width(p), 1) // room) for p in value.split("\n"))
                else:
                    n = -(-max(display_width(value), 1) // room)
                lines = max(lines, n)
        out.append(lines)
    return out


def _width_cached(table: Table, c: int) -> int:
    cache = table.__dict__.setdefault("_widths", {})
    if c not in cache:
        cache[c] = _width(table, c)
    return cache[c]


def _insert_chart(ws, chart, row: int, image: bytes | None) -> None:
    if image is None:
        ws.write_string(row, 0, charts.omitted(chart))
        return
    ws.insert_image(row, 0, "chart.png", {"image_data": io.BytesIO(image), "x_scale": 0.5, "y_scale": 0.5,
                                          "object_position": 3})
