"""The report as a Word document laid out like a county office's bulletin
(GB/T 9704-2012): A4, margins 3.7/3.5/2.8/2.6 cm, title in 方正小标宋简体
(黑体 where it is not installed), body in 仿宋_GB2312 三号 on a 28-pt line,
headings 一、（一）1., tables whose header row repeats on every page,
charts as PNG, page numbers "— 1 —".
"""
from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dashboard import explain
from dashboard.reports import charts, masthead
from dashboard.reports.document import DATE, INT, PCT, TEXT, WAN, Col, Masthead, Report, Table

TITLE_FONT, HEI, KAI, FANG = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"
# Word shows altName when the font itself is missing (方正小标宋简体 is not on every PC).
FALLBACKS = {TITLE_FONT: (HEI, "roman"), FANG: ("仿宋", "roman"), KAI: ("楷体", "script"),
             HEI: ("SimHei", "swiss")}   # family: the look a substitute should have
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5
NUMERALS = "一二三四五六七八九十"
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6
# A grouped list leaves out its group column (the sub-heading says it) and the rule IDs
# (every reason starts with its rule ID).
GROUPED_HIDDEN = {"触发规则"}
# A list longer than this is cut in Word (a bulletin of 2,000 rows is read by nobody, and
# python-docx takes about 1 ms a cell); the Excel workbook has every row.
WORD_ROWS = 100


def write(report: Report, mast: Masthead | None = None) -> bytes:
    """The Word document; with `mast`, under a 红头 and closed by 落款 and 版记."""
    doc = docx.Document()
    _page(doc)
    _styles(doc)
    _fonts(doc)
    if mast:
        masthead.head(doc, mast, report.period.kind_name, _run)
    _title(doc, report, short=mast is not None and report.kind == "monthly")
    tables = 0
    for n, section in enumerate(report.sections):
        _heading(doc, f"{NUMERALS[n]}、{section.title}", HEI)
        _para(doc, section.narrative)
        for k, part in enumerate(p for p in section.parts if p.title or p.tables or p.chart):
            if part.title:
                _heading(doc, f"（{NUMERALS[k]}）{part.title}", KAI)
            if part.note:
                _para(doc, part.note)
            for table in part.tables:
                if table.in_docx and table.rows:
                    tables += 1
                    _table_block(doc, table, tables)
            if part.chart:
                _chart(doc, part.chart)
    _closing(doc, report, dated=mast is None)
    if mast:
        masthead.tail(doc, mast, _run)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- page, styles, fonts -----------------------------------------------------

def _page(doc) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Cm(21.0), Cm(29.7)
    s.top_margin, s.bottom_margin = Cm(3.7), Cm(3.5)
    s.left_margin, s.right_margin = Cm(2.8), Cm(2.6)
    s.footer_distance = Cm(2.5)
    _page_number(s.footer.paragraphs[0])


def _page_number(p) -> None:
    """'— 1 —' in 宋体 四号, centred (a PAGE field Word fills in)."""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ", "宋体", 14)
    run = _run(p, "", "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _run(p, " —", "宋体", 14)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _east_asian(normal.element.get_or_add_rPr(), FANG, "Times New Roman")
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)


def _fonts(doc) -> None:
    """Declare the Chinese fonts with their fallbacks in word/fontTable.xml."""
    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None or not hasattr(part, "_blob"):
        return
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        for name, (alt, family) in FALLBACKS.items())
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")


def _east_asian(rpr, east: str, latin: str | None = None) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    latin = latin or east
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east), ("w:cs", latin)):
        fonts.set(qn(attr), value)


def _run(p, text: str, font: str, size: float, bold: bool = False):
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run._r.get_or_add_rPr(), font, "Times New Roman" if font == FANG else font)
    return run


# --- text blocks -------------------------------------------------------------

def _title(doc, report: Report, short: bool = False) -> None:
    """The document's title; under a 红头 the dispatch's is one line (the 红头 names the kind)."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = Pt(35)
    p.paragraph_format.space_before = Pt(12)
    scope = "" if report.scope == "全旗" else report.scope
    lines = [f"{report.period.label}{scope}项目资产盘活工作调度情况"] if short else report.title_lines
    for k, line in enumerate(lines):
        if k:
            p.add_run().add_break()
        _run(p, line, TITLE_FONT, TITLE_PT)
    if not short:
        sub = doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(sub, report.subtitle, KAI, BODY_PT)
    note = doc.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.paragraph_format.space_after = Pt(14)
    _run(note, f"数据截至{explain.fmt_date(report.as_of)}，{report.compared_with}",
         KAI, 14)


def _heading(doc, text: str, font: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    p.paragraph_format.keep_with_next = True
    _run(p, text, font, BODY_PT, bold=font == FANG)


def _para(doc, text: str, size: float = BODY_PT, justify: bool = True) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if justify else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.first_line_indent = Pt(size * 2)
    if size < BODY_PT:                       # a note in small type keeps small lines, not the body's 28 pt
        p.paragraph_format.line_spacing = Pt(size * 1.5)
    _run(p, text, FANG, size)


def _closing(doc, report: Report, dated: bool = True) -> None:
    _heading(doc, "附：本报告采用的参数", HEI)
    if report.kind == "monthly":             # one paragraph keeps the dispatch to two pages
        _para(doc, "；".join(f"{p.label}{_param_text(p.value, p.unit)}" for p in report.parameters) + "。",
              10.5, justify=False)
    else:
        rows = [[p.label, *_param_text(p.value, p.unit, split=True)] for p in report.parameters]
        _table(doc, Table("参数", "", [Col("参数", TEXT, 40), Col("取值", TEXT, 10), Col("单位", TEXT, 6)], rows))
    skipped = "、".join(report.not_evaluated)
    small = 10.5 if report.kind == "monthly" else 14
    _para(doc, ("未上传相应数据、未作评估的规则：" + skipped + "。") if skipped else "全部规则均已评估。", small,
          justify=False)   # a list of IDs justified would spread into gaps
    _para(doc, "本报告由资产盘活驾驶舱根据上传的项目资产台账自动生成，预警规则依据《鄂托克前旗扶贫（帮扶）"
               "项目资产巩固提升盘活处置工作方案》（鄂前政办发〔2024〕13号）；各项预警的完整明细见同期Excel附表。", small)
    if not dated:                # the 落款 carries the 印发日期 chosen on the page
        return
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sign.paragraph_format.space_before = Pt(28)
    _run(sign, f"{explain.fmt_date(report.generated)}", FANG, BODY_PT)


def _param_value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _param_text(value, unit: str, split: bool = False):
    """A threshold as the plan writes it: money in 万元 (100000 元 → 10万元)."""
    if unit == "元":
        value, unit = value / 10000, "万元"
    text = _param_value(float(value) if unit == "万元" else value)
    return (text, unit) if split else f"{text}{unit}"


# --- tables and charts -------------------------------------------------------

def _table_block(doc, table: Table, number: int) -> None:
    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    _run(caption, f"表{number}　{table.title}", HEI, 12)
    if table.group_by is None:
        _table(doc, Table(table.sheet, table.title, table.columns, table.rows[:WORD_ROWS], table.row_kinds))
    else:
        groups: dict[str, list] = {}
        for row in table.rows:
            groups.setdefault(row[table.group_by], []).append(row)
        room = WORD_ROWS
        for i, (name, rows) in enumerate(groups.items(), 1):
            if room <= 0:
                break
            _heading(doc, f"{i}.{name}（{len(rows)}项）", FANG)
            hidden = GROUPED_HIDDEN | {table.columns[table.group_by].header}
            _table(doc, Table(table.sheet, table.title, table.columns, rows[:room]), hidden)
            room -= len(rows)
    if len(table.rows) > WORD_ROWS:
        _para(doc, f"（共{len(table.rows):,}条，此处列出前{WORD_ROWS}条，全部见同期Excel附表“{table.sheet}”。）",
              10.5, justify=False)


def _table(doc, table: Table, hidden: set[str] = frozenset()) -> None:
    keep = [i for i, c in enumerate(table.columns) if c.header not in hidden]
    cols = [table.columns[i] for i in keep]
    size = TABLE_PT if len(cols) <= 7 else 9
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = _widths(table, cols, keep, size)
    for column, width in zip(t.columns, widths):   # the grid: what LibreOffice and WPS lay out by
        column.width = Cm(width)
    _header_row(t.rows[0], cols, widths, size)
    for r, row in enumerate(table.rows):
        cells = t.add_row().cells
        for j, i in enumerate(keep):
            kind = cols[j].kind
            if table.row_kinds and kind != TEXT:
                kind = table.row_kinds[r]
            _cell(cells[j], _format(row[i], kind), widths[j], size, kind != TEXT)
    doc.add_paragraph().paragraph_format.line_spacing = Pt(12)


def _widths(table: Table, cols, keep: list[int], size: float) -> list[float]:
    """Each column's natural width (longest line; a header may wrap onto three lines),
    scaled up to the text width when all fit, else text columns share what the
    numbers leave, the widest content getting the most."""
    em = size * 0.0353                      # a Chinese character, in cm
    natural = []
    for j, i in enumerate(keep):
        col = cols[j]
        kinds = table.row_kinds or [col.kind] * len(table.rows)
        texts = [_format(row[i], col.kind if col.kind == TEXT else kinds[r]) for r, row in enumerate(table.rows)]
        longest = max([_ems(line) for t in texts for line in t.split("\n")] + [1])
        header = max(_ems(col.header) / 3, min(_ems(col.header), 2))
        natural.append(0.45 + em * max(longest, header))   # + the cell margins
    if sum(natural) <= TEXT_WIDTH_CM:
        return [w * TEXT_WIDTH_CM / sum(natural) for w in natural]
    numeric = [cols[j].kind != TEXT for j in range(len(cols))]
    # numbers take at most 3.2 cm; an asset ID takes what it needs, so it never wraps
    widths = [min(w, 3.2) if n else (w * 1.15 if cols[j].header == "资产编号" else None)
              for j, (w, n) in enumerate(zip(natural, numeric))]
    _water_fill(widths, natural, [c.width or 14 for c in cols],
                TEXT_WIDTH_CM - sum(w for w in widths if w is not None))
    return widths


def _water_fill(widths: list, natural: list[float], weights: list[int], room: float) -> None:
    """Open (None) columns that need less than an equal share get what they need; the
    rest share what is left by their weights (the reasons column weighs most)."""
    open_cols = sorted((natural[k], k) for k, w in enumerate(widths) if w is None)
    while open_cols and open_cols[0][0] <= room / len(open_cols):
        need, k = open_cols.pop(0)
        widths[k] = need
        room -= need
    total = sum(weights[k] for _, k in open_cols)
    for _, k in open_cols:
        widths[k] = max(room * weights[k] / total, 1.0)


def _ems(text: str) -> float:
    """Width in Chinese characters: Latin letters and digits are about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def _header_row(row, cols, widths, size) -> None:
    """The header repeats on every page (w:tblHeader) and is not split across pages."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)
    for cell, col, width in zip(row.cells, cols, widths):
        _cell(cell, col.header, width, size, False, bold=True, center=True)


def _cell(cell, text: str, width: float, size: float, numeric: bool, bold=False, center=False) -> None:
    cell.width = Cm(width)
    lines = text.split("\n")
    p = cell.paragraphs[0]
    for k, line in enumerate(lines):
        if k:
            p = cell.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
        p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if center else
                       WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
        _run(p, line, HEI if bold else FANG, size, bold=False)


def _format(value, kind: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):                 # already written out (e.g. +0.24个百分点)
        return value
    if kind == WAN:
        return f"{value:,.2f}"
    if kind == PCT:
        return f"{value * 100:.2f}%"
    if kind == INT and isinstance(value, (int, float)):
        return f"{value:,.0f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _chart(doc, chart) -> None:
    image = charts.png(chart)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.first_line_indent = Pt(0)
    if image is None:
        _run(p, charts.omitted(chart), FANG, 14)
        return
    p.add_run().add_picture(io.BytesIO(image), width=Cm(15.0))
