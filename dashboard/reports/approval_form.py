"""附件2 of the work plan (鄂前政办发〔2024〕13号): 鄂托克前旗扶贫（帮扶）项目资产处置审批表,
printed for one disposal.  One A4 page: the attachment mark, the title, who fills it in, then
one table: the asset (资产台账) and the disposal with its procedure dates (处置台账) as the
ledgers hold them, and a blank box for each opinion the procedure asks (六(四)3: 嘎查村申请,
镇审核, 旗项目资产主管部门审核, 领导小组审批), each with its 签字盖章 and 年 月 日.  A date or
fact the ledgers lack is left blank, to be written in by hand.

`facts` is one row of queries/disposal/approval_form.sql (money in yuan, as the ledgers hold it).
Fonts, sizes and the Chinese font fallbacks are those of the reports (dashboard/reports/docx.py).
"""
from __future__ import annotations

import datetime as dt
import io
import math

import docx
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dashboard import labels, money
from dashboard.reports.docx import FANG, HEI, TITLE_FONT, TITLE_PT, _east_asian, _fonts, _run
from dashboard.reports.widths import ems as _ems

TITLE = "鄂托克前旗扶贫（帮扶）项目资产处置审批表"
ANNEX = "附件2"
PAGE_W, PAGE_H = 21.0, 29.7
MARGINS = {"top": 2.2, "bottom": 1.8, "left": 2.6, "right": 2.6}      # cm; one page, room for the boxes
TEXT_W = PAGE_W - MARGINS["left"] - MARGINS["right"]
LABEL_W = 3.4                                                         # a label column: 资产原值（万元）
VALUE_W = (TEXT_W - 2 * LABEL_W) / 2
CELL_PT = 10.5                                                        # 五号
EM_CM = CELL_PT * 0.0353 * 1.1                                        # a character and LibreOffice's CJK spacing
CELL_PAD_CM = 0.45                                                    # the cell's left and right margins, and slack
LINE_CM, FACT_ROW_CM = 0.48, 0.72
MAX_LINES, MAX_LINES_LONG = 2, 3           # a value's lines in its cell; LONG: the asset's name, a whole-row value
HEAD_CM, FOOT_CM, NOTE_ROW_CM = 2.9, 0.7, 1.0                         # above and below the table (measured)
BOX_MIN_CM, BOX_MAX_CM = 1.5, 2.6                                     # an opinion box

# The opinions the procedure asks for (六(四)3), in its order: (label, who signs).
OPINIONS = (
    ("嘎查村\n申请意见", "嘎查村负责人（签字）："),
    ("镇人民政府\n审核意见", "镇负责人（签字）："),
    ("旗项目资产主管\n部门审核意见", "部门负责人（签字）："),
    ("领导小组\n审批意见", "领导小组负责人（签字）："),
)


def write(facts: dict) -> bytes:
    """The filled-in form as .docx bytes."""
    f = {k: (None if _missing(v) else v) for k, v in facts.items()}
    rows = [_fitted(pairs) for pairs in _fact_rows(f)]
    doc = docx.Document()
    _page(doc)
    _fonts(doc)
    _heading(doc, f)
    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _widths()):
        column.width = Cm(width)
    for pairs, height in rows:
        _fact_row(table, pairs, height)
    box = _box_height(sum(h for _, h in rows))
    for label, signer in OPINIONS:
        _opinion_row(table, label, signer, box)
    _note_row(table)
    _foot(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def file_name(asset_id: str | None) -> str:
    return f"项目资产处置审批表_{asset_id or '未填写'}.docx"


# --- values as the form writes them ---------------------------------------------------

def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _date(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        v = dt.date.fromisoformat(v[:10])
    return f"{v.year}年{v.month}月{v.day}日"


def _span(start, end) -> str:
    """A notice period: 2024年7月25日至8月6日 (the year once when both fall in it)."""
    if start is None and end is None:
        return ""
    first, last = _date(start) or "　年　月　日", _date(end) or "　年　月　日"
    if start is not None and end is not None and _date(start)[:5] == last[:5]:
        last = last[5:]
    return f"{first}至{last}"


def _wan(v) -> str:
    return "" if v is None else f"{money.wan(v):,.2f}"


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _fact_rows(f: dict) -> list[tuple]:
    """Each row: (label, value) pairs; one pair = its value spans the row."""
    owner = _text(f.get("owner_unit")) or _text(f.get("owner_level"))
    simplified = _text(f.get("simplified"))
    if f.get("batch_id"):
        simplified += f"（批次{f['batch_id']}）"
    allocated = "，".join(x for x in (_date(f.get("proceeds_allocated_date")), _text(f.get("proceeds_project"))) if x)
    return [
        (("资产编号", _text(f.get("asset_id"))), ("资产名称", _text(f.get("asset_name")))),
        (("所在镇", _text(f.get("town"))), ("所在嘎查村", _text(f.get("village")))),
        (("资产类别", _text(f.get("category"))), ("资产类型", _text(f.get("asset_type")))),
        (("资产原值（万元）", _wan(f.get("original_value"))), ("建成年度", _text(f.get("build_year")))),
        (("产权归属", owner), ("主管部门", _text(f.get("department")))),
        (("处置情形", _text(f.get("circumstance"))),),
        (("处置方式", _text(f.get("method"))), ("简易程序", simplified)),
        (("适用程序", labels.PATH_ZH.get(f.get("path"), _text(f.get("path")))),
         ("第三方评估", _text(f.get("third_party_valuation")))),
        (("村申请日期", _date(f.get("village_apply_date"))),
         ("村公示", _span(f.get("village_notice_start"), f.get("village_notice_end")))),
        (("镇审核日期", _date(f.get("town_review_date"))),
         ("审核公示", _span(f.get("review_notice_start"), f.get("review_notice_end")))),
        (("网站公示", _span(f.get("web_notice_start"), f.get("web_notice_end"))),
         ("领导小组\n批复日期", _date(f.get("approval_date")))),
        (("处置日期", _date(f.get("disposal_date"))), ("处置收入（万元）", _wan(f.get("proceeds")))),
        (("处置收入安排", allocated),),
    ]


# --- page and text ----------------------------------------------------------------

def _page(doc) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Cm(PAGE_W), Cm(PAGE_H)
    s.top_margin, s.bottom_margin = Cm(MARGINS["top"]), Cm(MARGINS["bottom"])
    s.left_margin, s.right_margin = Cm(MARGINS["left"]), Cm(MARGINS["right"])
    normal = doc.styles["Normal"]
    normal.font.size = Pt(CELL_PT)
    _east_asian(normal.element.get_or_add_rPr(), FANG, "Times New Roman")
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _heading(doc, f: dict) -> None:
    mark = doc.add_paragraph()
    _run(mark, ANNEX, HEI, 16)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(6)
    title.paragraph_format.space_after = Pt(10)
    _run(title, TITLE, TITLE_FONT, TITLE_PT)
    who = doc.add_paragraph()
    who.paragraph_format.space_after = Pt(4)
    who.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_W), WD_TAB_ALIGNMENT.RIGHT)
    place = "".join(_text(f.get(k)) for k in ("town", "village") if f.get(k) != "未填写") or "　" * 8
    _run(who, f"填报单位（盖章）：{place}\t填报日期：　　年　　月　　日", FANG, 12)


def _foot(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(4)
    _run(p, "注：资产和处置情况取自项目资产台账、处置台账；空白处由经办单位据实填写，各级意见签字并加盖公章。", FANG, 9)


# --- the table ----------------------------------------------------------------------

def _widths() -> list[float]:
    return [LABEL_W, VALUE_W, LABEL_W, VALUE_W]


def _row(table, height: float, rule=WD_ROW_HEIGHT_RULE.AT_LEAST):
    """A new row that is never split across pages."""
    row = table.add_row()
    row.height, row.height_rule = Cm(height), rule
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant)
    for cell, width in zip(row.cells, _widths()):
        cell.width = Cm(width)
    return row


def _write(cell, text: str, *, label: bool = False, align=None) -> None:
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    p = cell.paragraphs[0]
    for k, line in enumerate(text.split("\n")):
        if k:
            p = cell.add_paragraph()
        p.alignment = align if align is not None else (WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT)
        _run(p, line, HEI if label else FANG, CELL_PT)


def _lines(text: str, width: float) -> int:
    per_line = max(int((width - CELL_PAD_CM) / EM_CM), 1)
    return sum(max(math.ceil(_ems(line) / per_line), 1) for line in text.split("\n"))


def _clip(text: str, width: float, most: int) -> str:
    """At most `most` lines in its cell (a longer text ends in …): the form stays on one page.
    A notice period that needs two lines breaks before its 至."""
    if _lines(text, width) > 1 and "至" in text and "\n" not in text:
        text = text.replace("至", "\n至", 1)
    if _lines(text, width) <= most:
        return text
    while text and _lines(text + "…", width) > most:
        text = text[:-1]
    return text + "…"


def _fitted(pairs: tuple) -> tuple[tuple, float]:
    """The row's pairs with their values clipped, and the row's height (cm) as laid out
    (a label fits its column but for its own line breaks)."""
    whole = len(pairs) == 1
    value_w = TEXT_W - LABEL_W if whole else VALUE_W
    pairs = tuple((label, _clip(value, value_w, MAX_LINES_LONG if whole or label == "资产名称" else MAX_LINES))
                  for label, value in pairs)
    lines = max(max(label.count("\n") + 1, _lines(value, value_w)) for label, value in pairs)
    return pairs, max(FACT_ROW_CM, lines * LINE_CM + 0.2)


def _box_height(facts_cm: float) -> float:
    """The opinion boxes share what the facts leave of the page."""
    room = PAGE_H - MARGINS["top"] - MARGINS["bottom"] - HEAD_CM - FOOT_CM - NOTE_ROW_CM - facts_cm
    return min(max(room / len(OPINIONS), BOX_MIN_CM), BOX_MAX_CM)


def _fact_row(table, pairs: tuple, height: float) -> None:
    row = _row(table, height)
    cells = row.cells
    if len(pairs) == 1:
        cells = [cells[0], cells[1].merge(cells[3])]
    for k, (label, value) in enumerate(pairs):
        _write(cells[2 * k], label, label=True)
        _write(cells[2 * k + 1], value)


def _opinion_row(table, label: str, signer: str, height: float) -> None:
    """A blank box to write the opinion in, the signature and seal and the date at its foot."""
    row = _row(table, height, WD_ROW_HEIGHT_RULE.EXACTLY)
    _write(row.cells[0], label, label=True)
    box = row.cells[1].merge(row.cells[3])
    box.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
    lines = (f"{signer}　　　　　　　（盖章）", "年　　月　　日")
    p = box.paragraphs[0]
    for k, line in enumerate(lines):
        if k:
            p = box.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(CELL_PT * (1 if k == 0 else 2))
        p.paragraph_format.space_after = Pt(3)
        _run(p, line, FANG, CELL_PT)


def _note_row(table) -> None:
    row = _row(table, NOTE_ROW_CM)
    _write(row.cells[0], "备注", label=True)
    _write(row.cells[1].merge(row.cells[3]), "")
