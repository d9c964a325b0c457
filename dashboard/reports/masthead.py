"""红头 and 版记 of the Word documents, as a county office prints them (GB/T 9704-2012):
the 发文机关标志 in red 小标宋 over the document's kind, the 期号, the issuing office and the
印发日期 over a red rule; at the end the 落款 with that date, and the 版记 between rules —
抄送, then the 印发机关 and date.  The fields come from `Masthead` (chosen on the report
page, defaults kept in the store)."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboard import explain
from dashboard.reports.document import Masthead

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, FANG = "方正小标宋简体", "仿宋_GB2312"
# The order CT_PPr's children must keep (ECMA-376): a border goes before these.
_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                 "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                 "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                 "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                 "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def rule(paragraph, side: str, color: str = "C00000", eighths: int = 12) -> None:
    """A line along one side of a paragraph (eighths of a point: 12 = 1.5 pt)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_BORDER)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "4"), ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)


def head(doc, m: Masthead, kind_name: str, run) -> None:
    """`run(paragraph, text, font, size, bold=False)` is the docx writer's own run maker."""
    mark = doc.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mark.paragraph_format.line_spacing = Pt(40)
    run(mark, m.issuer, TITLE_FONT, 24).font.color.rgb = RED
    mark.add_run().add_break()
    run(mark, "  ".join(kind_name), TITLE_FONT, 32).font.color.rgb = RED
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_before = Pt(6)
    run(number, m.issue_no or "", FANG, 16)
    line = doc.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    line.paragraph_format.space_after = Pt(6)
    run(line, f"{m.printer}\t{explain.fmt_date(m.issued) if m.issued else ''}", FANG, 16)
    rule(line, "bottom", eighths=18)


def tail(doc, m: Masthead, run) -> None:
    for text, space in ((m.signer, 4), (explain.fmt_date(m.issued) if m.issued else "", 0)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(32)
        p.paragraph_format.space_before = Pt(space)
        p.paragraph_format.line_spacing = Pt(24)    # 三号 on 24-pt lines: the dispatch keeps to 2 pages
        run(p, text, FANG, 16)
    copy = doc.add_paragraph()
    copy.paragraph_format.space_before = Pt(8)
    copy.paragraph_format.line_spacing = Pt(20)    # 四号 lines between the rules
    copy.paragraph_format.left_indent = Pt(14)
    copy.paragraph_format.keep_with_next = True
    run(copy, f"抄送：{m.copy_to}", FANG, 14)
    rule(copy, "top", "000000", 4)
    printed = doc.add_paragraph()
    printed.paragraph_format.left_indent = Pt(14)
    printed.paragraph_format.line_spacing = Pt(20)
    printed.paragraph_format.tab_stops.add_tab_stop(Cm(15.2), WD_TAB_ALIGNMENT.RIGHT)
    run(printed, f"{m.printer}\t{explain.fmt_date(m.issued) if m.issued else ''}印发", FANG, 14)
    rule(printed, "top", "000000", 4)
    rule(printed, "bottom", "000000", 8)
