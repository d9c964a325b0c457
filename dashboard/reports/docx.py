"""The report as a Word document laid out like a county office's bulletin
(GB/T 9704-2012): A4, margins 3.7/3.5/2.8/2.6 cm, title in 方正小标宋简体
(黑体 where it is not installed), body in 仿宋_GB2312 三号 on a 28-pt line,
headings 一、（一）1., tables whose header row repeats on every page,
charts as PNG, page numbers "— 1 —".
"""
from __future__ import annotations

import copy
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dashboard import explain
from dashboard.reports import charts, masthead, widths
from dashboard.reports.document import INT, PCT, TEXT, WAN, Col, Masthead, Part, Report, Table

TITLE_FONT, HEI, KAI, FANG = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"
# Word shows altName when the font itself is missing (方正小标宋简体 is not on every PC).
FALLBACKS = {TITLE_FONT: (HEI, "roman"), FANG: ("仿宋", "roman"), KAI: ("楷体", "script"),
             HEI: ("SimHei", "swiss")}   # family: the look a substitute should have
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5
NUMERALS = "一二三四五六七八九十"
# A4 and GB/T 9704's margins (cm); a turned page turns its margins with it, so the binding
# edge (the portrait page's left) stays on the same side of the paper.
A4 = (21.0, 29.7)
MARGINS = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TURNED = {"top": MARGINS["left"], "bottom": MARGINS["right"], "left": MARGINS["bottom"], "right": MARGINS["top"]}
TEXT_WIDTH_CM = A4[0] - MARGINS["left"] - MARGINS["right"]
LANDSCAPE_WIDTH_CM = A4[1] - TURNED["left"] - TURNED["right"]
# A grouped list leaves out its group column (the sub-heading says it) and the rule IDs
# (every reason starts with its rule ID).
GROUPED_HIDDEN = {"触发规则"}
# A list longer than this is cut in Word (a bulletin of 2,000 rows is read by nobody, and
# python-docx takes about 1 ms a cell); the Excel workbook has every row.  A table may ask
# for fewer (Table.docx_rows: the bulletin's and the summary's lists, content.LIST_ROWS).
WORD_ROWS = 100
LANDSCAPE_MIN_ROWS = 8     # a wide list shorter than this stays on the upright page (issue 19.7)
MAX_HEADER_LINES = 3    # a matrix whose headers would need more is turned round
FOLD_MIN_ROWS = 12      # a matrix turned round into this many rows or more is printed in two blocks
# The monthly dispatch is 1–2 pages: its tables and closing notes are set in 小五 (9 pt).
DISPATCH_PT = 9
PARAMS_PT = 6.5    # its closing list of every threshold in force, in 小六 (the 附表 说明 sets them out in full)
EXCERPT_PT = 9     # a list printed only in part (_shortened) is set in 小五, its reasons on fewer lines
# The bulletin and the summary keep to 10 pages (issue 20.9): captions on 18-pt lines, 6 pt
# under a table, charts 13 cm wide.
CAPTION_LINE_PT, AFTER_TABLE_PT, CHART_CM = 18, 6, 13.0


def write(report: Report, mast: Masthead | None = None) -> bytes:
    """The Word document; with `mast`, under a 红头 and closed by 落款 and 版记."""
    doc = docx.Document()
    _page(doc)
    _styles(doc)
    _fonts(doc)
    if mast:
        masthead.head(doc, mast, report.period.kind_name, _run)
    _title(doc, report, short=mast is not None and report.kind == "monthly")
    # chromium draws the charts (one at a time) while this thread writes the tables; a
    # drawing that hangs is not waited for (charts.drawn gives up, the thread is left)
    drawer = ThreadPoolExecutor(1)
    try:
        images = {id(c): drawer.submit(charts.png, c) for c in report.charts()}
        _body(doc, report, images)
    finally:
        drawer.shutdown(wait=False, cancel_futures=True)
    _closing(doc, report, dated=mast is None)
    if mast:
        masthead.tail(doc, mast, _run)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _body(doc, report: Report, images: dict) -> None:
    """The sections in order; a part whose tables need it goes onto a landscape page."""
    size = DISPATCH_PT if report.kind == "monthly" else None
    tables, turned = 0, False
    for n, section in enumerate(report.sections):
        parts = [p for p in section.parts if p.title or p.tables or p.chart] or [Part("")]
        for k, part in enumerate(parts):
            # (the table, as printed, landscape?, type size): a list too long is printed in part
            placed = [(t, *_placement(short, given), given) for t in part.tables if t.in_docx and t.rows
                      for short in [_shortened(t)] for given in [_type_size(t, short, size)]]
            # a part with no table to print (a note, a chart) stays on the page it is on
            wide = any(landscape for _, _, landscape, _ in placed) if placed else turned
            if wide != turned:     # a part's heading goes with its tables onto the landscape page
                _turn(doc, landscape=wide)
                turned = wide
            if k == 0:
                _heading(doc, f"{NUMERALS[n]}、{section.title}", HEI)
                _para(doc, section.narrative)
            if part.title:
                _heading(doc, f"（{NUMERALS[k]}）{part.title}", KAI)
            if part.note:
                _para(doc, part.note)
            for whole, table, _, given in placed:
                tables += 1
                _table_block(doc, table, whole, tables, given, LANDSCAPE_WIDTH_CM if turned else TEXT_WIDTH_CM)
            if part.chart:
                _chart(doc, part.chart, charts.drawn(images[id(part.chart)]))
    if turned:
        _turn(doc, landscape=False)


# --- page, styles, fonts -----------------------------------------------------

def _page(doc) -> None:
    s = doc.sections[0]
    _orient(s, landscape=False)
    s.footer_distance = Cm(2.5)
    _page_number(s.footer.paragraphs[0])


def _orient(s, landscape: bool) -> None:
    """A4 upright with MARGINS, or turned with TURNED."""
    s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (A4[1], A4[0]) if landscape else A4
    margins = TURNED if landscape else MARGINS
    s.page_width, s.page_height = Cm(width), Cm(height)
    s.top_margin, s.bottom_margin = Cm(margins["top"]), Cm(margins["bottom"])
    s.left_margin, s.right_margin = Cm(margins["left"]), Cm(margins["right"])


def _turn(doc, landscape: bool) -> None:
    """Start a new page in the other orientation (the page numbers run on).  The paragraph
    that ends the section gets a 1-pt line, so a full page does not spill it onto a blank one."""
    _orient(doc.add_section(WD_SECTION.NEW_PAGE), landscape)
    ending = doc.element.body.xpath("./w:p[w:pPr/w:sectPr]")[-1]
    fmt = docx.text.paragraph.Paragraph(ending, doc._body).paragraph_format
    fmt.line_spacing, fmt.space_before, fmt.space_after = Pt(1), Pt(0), Pt(0)


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
    p.paragraph_format.space_before = Pt(6 if short else 12)
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
    note.paragraph_format.space_after = Pt(4 if short else 14)
    if short:                                  # the dispatch keeps to two pages
        note.paragraph_format.line_spacing = Pt(22)
    _run(note, f"数据截至{explain.fmt_date(report.as_of)}，{report.compared_with}",
         KAI, 14)


def _heading(doc, text: str, font: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    p.paragraph_format.keep_with_next = True
    _run(p, text, font, BODY_PT, bold=font == FANG)


def _para(doc, text: str, size: float = BODY_PT, justify: bool = True, leading: float = 1.3) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if justify else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.first_line_indent = Pt(size * 2)
    if size < BODY_PT:                       # a note in small type keeps small lines, not the body's 28 pt
        p.paragraph_format.line_spacing = Pt(size * leading)
    _run(p, text, FANG, size)


def _source(report: Report) -> str:
    """Where the rules come from: the policy edition the report was judged by (editions.py)."""
    return (f"本报告由资产盘活驾驶舱根据上传的项目资产台账自动生成，预警规则依据{report.edition_text}；"
            "各项预警的完整明细见同期Excel附表。")


def _closing(doc, report: Report, dated: bool = True) -> None:
    skipped = "、".join(report.not_evaluated)
    evaluated = ("未上传相应数据、未作评估的规则：" + skipped + "。") if skipped else "全部规则均已评估。"
    params = [f"{p.label}（{_param_text(p)}）" for p in report.parameters]
    if report.kind == "monthly":     # one small, closely set paragraph keeps the dispatch to two pages
        _para(doc, "附：本报告采用的参数：" + "；".join(params) + "。" + evaluated + _source(report), PARAMS_PT,
              justify=False, leading=1.15)
    else:
        _heading(doc, "附：本报告采用的参数", HEI)
        rows = [[p.label, *_param_text(p, split=True)] for p in report.parameters]
        _table(doc, Table("参数", "", [Col("参数", TEXT, 40), Col("取值", TEXT, 10), Col("单位", TEXT, 6)], rows))
        _para(doc, evaluated, 14, justify=False)   # a list of IDs justified would spread into gaps
        _para(doc, _source(report), 14)
    if not dated:                # the 落款 carries the 印发日期 chosen on the page
        return
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sign.paragraph_format.space_before = Pt(28)
    _run(sign, f"{explain.fmt_date(report.generated)}", FANG, BODY_PT)


def _param_value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _param_text(p, split: bool = False):
    """A threshold as the plan writes it (Parameter.written): 10万元, 1%, 6个月."""
    value, unit = p.written()
    text = _param_value(value)
    return (text, unit) if split else f"{text}{unit}"


# --- tables and charts -------------------------------------------------------

def _size(columns: int, given: float | None = None) -> float:
    """A table's type size: 五号, 小五 when it has many columns (or the one `given`)."""
    return given or (TABLE_PT if columns <= 7 else 9)


def _placement(table: Table, given: float | None) -> tuple[Table, bool]:
    """(the table as printed, on a landscape page?).  A matrix (a label column, then numbers)
    too wide to read on the page — or whose headers would stand in narrow towers — is
    turned round when it then fits; any other table too wide (widths.least_width) gets a
    landscape page when it is long enough to fill one (LANDSCAPE_MIN_ROWS): a few rows stay
    upright, their reasons wrapping onto more lines, rather than turn a page for a short table."""
    if table.fold > 1:
        return table, False
    headers, numeric, cells, size = _measured(table, given)
    fits = widths.least_width(headers, numeric, cells, size) <= TEXT_WIDTH_CM
    if fits and not (all(numeric[1:]) and widths.header_lines(
            headers, widths.fit(headers, numeric, cells, size, TEXT_WIDTH_CM), size) > MAX_HEADER_LINES):
        return table, False
    if not numeric[0] and all(numeric[1:]) and table.row_kinds is None:
        turned = _transposed(table)
        if widths.least_width(*_measured(turned, given)) <= TEXT_WIDTH_CM:
            # a matrix turned into a long narrow table (rules by town) prints in two blocks when they fit
            folded = replace(turned, fold=2)
            if len(turned.rows) >= FOLD_MIN_ROWS and \
                    widths.least_width(*_measured(_folded(folded), given)) <= TEXT_WIDTH_CM:
                return folded, False
            return turned, False
    return table, not fits and len(table.rows) >= LANDSCAPE_MIN_ROWS


def _measured(table: Table, given: float | None):
    """(headers, numeric?, cells as printed, type size) of the columns a table prints."""
    hidden = _hidden(table)
    keep = [i for i, c in enumerate(table.columns) if c.header not in hidden]
    cols = [table.columns[i] for i in keep]
    return ([c.header for c in cols], [c.kind != TEXT for c in cols], _cells(table, cols, keep),
            _size(len(cols), given))


def _hidden(table: Table) -> set[str]:
    """A grouped list leaves out its group column (the sub-heading says it) and the rule IDs."""
    return set() if table.group_by is None else GROUPED_HIDDEN | {table.columns[table.group_by].header}


def _transposed(table: Table) -> Table:
    """Rows become columns: the first column's values head the columns, each other column
    becomes a row (its kind the row's kind)."""
    columns = [Col("项目", TEXT)] + [Col(str(r[0]), INT) for r in table.rows]
    rows = [[c.header] + [r[i] for r in table.rows] for i, c in enumerate(table.columns) if i]
    return Table(table.sheet, table.title, columns, rows, row_kinds=[c.kind for c in table.columns[1:]],
                 in_docx=table.in_docx, in_xlsx=table.in_xlsx)


def _table_block(doc, table: Table, whole: Table, number: int, size: float | None, width_cm: float) -> None:
    """表N and its caption: `table` as _shortened printed it, with the sentence saying how many
    rows of `whole` are on its 附表 sheet only."""
    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(0 if size == DISPATCH_PT else 6)
    caption.paragraph_format.line_spacing = Pt(CAPTION_LINE_PT)
    _run(caption, f"表{number}　{table.title}", HEI, 12)
    if table.group_by is None:
        _table(doc, _folded(table), size=size, width_cm=width_cm)
    else:
        groups: dict[str, list] = {}
        for row in table.rows:
            groups.setdefault(row[table.group_by], []).append(row)
        for i, (name, rows) in enumerate(groups.items(), 1):
            _heading(doc, f"{i}.{name}（{len(rows):,}{table.unit}）", FANG)
            _table(doc, Table(table.sheet, table.title, table.columns, rows), _hidden(table), size, width_cm)
    if len(table.rows) < len(whole.rows):
        _para(doc, cut_note(whole, len(table.rows)), 10.5, justify=False)


def _type_size(whole: Table, printed: Table, size: float | None) -> float | None:
    """The document's table size, or 小五 for a list printed only in part."""
    return size if printed is whole else size or EXCERPT_PT


def _room(table: Table) -> int:
    """The most rows Word prints of `table`."""
    return table.docx_rows or WORD_ROWS


def _shortened(table: Table) -> Table:
    """The rows Word prints: all of a list that fits its room (_room), else its first rows
    without the columns that are not `in_excerpt`; a grouped list cut gives each group its
    share of the room (at least one row) and is printed as one table, its group column shown."""
    room = _room(table)
    if len(table.rows) <= room:
        return table
    if table.group_by is None:
        rows, kinds = table.rows[:room], table.row_kinds[:room] if table.row_kinds else None
    else:
        groups: dict[str, list] = {}
        for row in table.rows:
            groups.setdefault(row[table.group_by], []).append(row)
        each = max(1, room // len(groups))
        rows, kinds = [row for rows in groups.values() for row in rows[:each]], None
    keep = [i for i, c in enumerate(table.columns) if c.in_excerpt]
    return replace(table, columns=[table.columns[i] for i in keep], rows=[[row[i] for i in keep] for row in rows],
                   row_kinds=kinds, group_by=None, docx_rows=len(rows))


def cut_note(table: Table, printed: int) -> str:
    """The sentence under a list Word prints only in part (`printed` of its rows): how many, which
    were listed, and the 附表 sheet that has every row."""
    n, unit = len(table.rows), table.unit
    if table.group_by is None:
        listed = f"此处列出前{printed:,}{unit}"
    else:
        groups = len({row[table.group_by] for row in table.rows})
        listed = f"每{table.columns[table.group_by].header}列出前{max(1, _room(table) // groups):,}{unit}"
    return f"（共{n:,}{unit}，{listed}，其余{n - printed:,}{unit}见附表“{table.sheet}”工作表。）"


def _folded(table: Table) -> Table:
    """A long narrow table as `fold` blocks side by side (read down the left block first);
    the cells are written out first, since a row of the folded table mixes row kinds."""
    if table.fold <= 1:
        return table
    texts = _cells(table, table.columns, range(len(table.columns)))
    height = -(-len(texts) // table.fold)
    blank = [""] * len(table.columns)
    rows = [sum((texts[b * height + i] if b * height + i < len(texts) else blank for b in range(table.fold)), [])
            for i in range(height)]
    return Table(table.sheet, table.title, table.columns * table.fold, rows)


def _table(doc, table: Table, hidden: set[str] = frozenset(), size: float | None = None,
           width_cm: float = TEXT_WIDTH_CM) -> None:
    keep = [i for i, c in enumerate(table.columns) if c.header not in hidden]
    cols = [table.columns[i] for i in keep]
    size = _size(len(cols), size)
    cells = _cells(table, cols, keep)
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    # the widths that print the table on the fewest lines
    cm = widths.fit([c.header for c in cols], [c.kind != TEXT for c in cols], cells, size, width_cm)
    for column, width in zip(t.columns, cm):   # the grid: what LibreOffice and WPS lay out by
        column.width = Cm(width)
    _header_row(t.rows[0], cols, cm, size)
    _body_rows(t, cells, cols, cm, size)
    doc.add_paragraph().paragraph_format.line_spacing = Pt(4 if size == DISPATCH_PT else AFTER_TABLE_PT)


def _body_rows(t, cells: list[list[str]], cols, widths, size) -> None:
    """The data rows: one row built the python-docx way (kept together, each cell's width,
    alignment and font), then copied and filled for every row — the same XML as building
    each cell, without python-docx's per-property work (the 4,700 cells of a bulletin at
    100,000 assets took 3 s of its Word file)."""
    proto = t.add_row()
    _keep_together(proto)
    for j, col in enumerate(cols):
        _cell(proto.cells[j], "X", widths[j], size, col.kind != TEXT)
    template = proto._tr
    t._tbl.remove(template)
    for texts in cells:
        tr = copy.deepcopy(template)
        for tc, text in zip(tr.iterchildren(qn("w:tc")), texts):
            _fill(tc, text)
        t._tbl.append(tr)


def _fill(tc, text: str) -> None:
    """Put `text` in a copied cell: its one paragraph per line."""
    first = tc.find(qn("w:p"))
    lines = text.split("\n")
    blank = copy.deepcopy(first) if len(lines) > 1 else None
    for k, line in enumerate(lines):
        p = first if k == 0 else copy.deepcopy(blank)
        t = p.find(f"{qn('w:r')}/{qn('w:t')}")
        if line:
            t.text = line
            if line != line.strip():
                t.set(qn("xml:space"), "preserve")
        else:                      # as python-docx leaves an empty run: no w:t at all
            t.getparent().remove(t)
        if k:
            tc.append(p)


def _cells(table: Table, cols, keep) -> list[list[str]]:
    """The kept columns' cells as printed."""
    kinds = table.row_kinds or [None] * len(table.rows)
    return [[_printed(row[i], col.kind if col.kind == TEXT or k is None else k, col.docx_chars)
             for i, col in zip(keep, cols)] for row, k in zip(table.rows[:_room(table)], kinds)]


def _printed(value, kind: str, limit: int = 0) -> str:
    """A cell's text: formatted, cut at `limit`, a line break as \\n and a tab as a space
    (a ledger's text may carry \\r\\n or tabs; a table cell has no use for either)."""
    text = _cut(_format(value, kind), limit)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def _keep_together(row, *tags: str) -> None:
    """No row is split across pages (w:cantSplit); the header also repeats (w:tblHeader)."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", *tags):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _cut(text: str, limit: int) -> str:
    """A text longer than `limit` characters, cut with a pointer to the whole in the xlsx."""
    return text if not limit or len(text) <= limit else text[:limit] + "…（全文见附表）"


def _header_row(row, cols, widths, size) -> None:
    """The header repeats on every page and is not split across pages."""
    _keep_together(row, "w:tblHeader")
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


def _chart(doc, chart, image: bytes | None) -> None:
    """The chart's PNG (charts.png), or the sentence saying it could not be drawn."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.first_line_indent = Pt(0)
    if image is None:
        _run(p, charts.omitted(chart), FANG, 14)
        return
    p.add_run().add_picture(io.BytesIO(image), width=Cm(CHART_CM))
