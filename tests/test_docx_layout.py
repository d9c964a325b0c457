"""How the Word documents lay out their tables (issue 12): rows never split across pages,
the asset ID never wraps, the dispatch's key figures two a row, matrices wider than the page
turned round, lists too wide to read on a landscape page, long texts cut with a pointer to
the 附表, and the command line writing the 附表 beside the .docx."""
from __future__ import annotations

import copy
import subprocess
from dataclasses import replace
import sys

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from conftest import AS_OF, COMMITTED_SAMPLE, ROOT
from dashboard.reports import build, widths
from dashboard.reports import docx as word
from dashboard.reports.document import INT, TEXT, WAN, Col, Table


@pytest.fixture(scope="module")
def quarterly(sample_books):
    report = build.build(sample_books, "quarterly", "2024Q4", None, AS_OF)
    return report, docx.Document(_bytes(build.render(report, "docx")))


@pytest.fixture(scope="module")
def monthly(sample_books):
    report = build.build(sample_books, "monthly", "2024-12", None, AS_OF)
    return report, docx.Document(_bytes(build.render(report, "docx")))


def _bytes(data: bytes):
    import io
    return io.BytesIO(data)


def _body_tables(document):
    """(table, orientation of its section) in document order."""
    out, sections = [], iter(document.sections)
    section = next(sections)
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:tbl"):
            out.append((docx.table.Table(block, document), section.orientation))
        elif block.tag == qn("w:p") and block.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section = next(sections)
    return out


def test_every_row_keeps_together_and_the_header_repeats(quarterly):
    _, document = quarterly
    for table in document.tables:
        rows = table.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)


def test_asset_ids_get_their_whole_width(quarterly):
    _, document = quarterly
    checked = 0
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if "资产编号" not in header:
            continue
        k = header.index("资产编号")
        size = table.rows[1].cells[k].paragraphs[0].runs[0].font.size.pt
        longest = max(widths.ems(r.cells[k].text) for r in table.rows[1:])
        assert table.columns[k].width.cm >= longest * size * 0.0353 + widths.MARGIN_CM - 1e-6
        checked += 1
    assert checked >= 4


def test_the_dispatch_prints_its_key_figures_two_a_row(monthly):
    report, document = monthly
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "指标")
    assert [c.text for c in table.rows[0].cells] == ["指标", "本月", "较上月"] * 2
    full = report.section("overview").parts[0].tables[0]
    printed = {}
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        for label, now, change in (cells[:3], cells[3:]):
            if label:
                printed[label] = (now, change)
    assert len(printed) == len(full.rows) and len(table.rows) - 1 == -(-len(full.rows) // 2)
    red = next(r for r in full.rows if r[0] == "红色预警资产（项）")
    assert printed["红色预警资产（项）"] == (str(red[1]), f"{red[3]:,.0f}")
    assert printed["盘活率"][1].endswith("个百分点")
    assert "红色预警原值（万元）" in printed            # the short label of 红色预警资产原值（万元）


def test_a_matrix_wider_than_the_page_is_turned_round(quarterly):
    report, document = quarterly
    towns = [t["town"] for t in report.section("warnings").figures["towns"]]
    heat = next(t for t in document.tables if t.rows[0].cells[0].text == "项目" and
                any(r.cells[0].text == "R01" or r.cells[0].text.startswith("Y0") for r in t.rows))
    # towns head the columns; its rules, each a row, run down two blocks side by side (FOLD_MIN_ROWS)
    assert [c.text for c in heat.rows[0].cells] == (["项目"] + towns) * 2
    rules = [c.header for c in report.section("warnings").parts[-1].tables[0].columns[1:]]
    assert len(rules) >= word.FOLD_MIN_ROWS and len(heat.rows) - 1 == -(-len(rules) // 2)
    blocks = [r.cells[0].text for r in heat.rows[1:]] + [r.cells[len(towns) + 1].text for r in heat.rows[1:]]
    assert [b for b in blocks if b] == rules
    distribution = next(t for t in document.tables if any(r.cells[0].text.startswith("D3 ") for r in t.rows))
    assert distribution.rows[0].cells[0].text == "项目"
    assert sum(c.width.cm for c in distribution.columns) <= word.TEXT_WIDTH_CM + 0.01


def _whole(report, title: str) -> Table:
    """A list of the report printed whole (no room of its own: WORD_ROWS)."""
    return replace(next(t for t in report.tables() if t.title == title), docx_rows=0)


def test_lists_too_wide_to_read_get_a_landscape_page(quarterly):
    """A wide list printed whole turns the page; the bulletin's own lists are printed in part
    (content.LIST_ROWS, issue 20.9) in 小五 and stay upright."""
    report, document = quarterly
    placed = _body_tables(document)
    lists = [(t, o) for t, o in placed if "预警原因" in [c.text for c in t.rows[0].cells]]
    assert len(lists) == 2 and all(o == WD_ORIENT.PORTRAIT for _, o in lists)       # red and yellow, cut
    assert all(len(t.rows) - 1 <= 4 for t, _ in lists)                            # one row for each town
    sizes = {r.font.size.pt for t, _ in lists for c in t.rows[1].cells for p in c.paragraphs for r in p.runs}
    assert sizes == {word.EXCERPT_PT}
    from dashboard.reports.document import Part, Section
    whole = copy.copy(report)
    whole.sections = [report.sections[0], Section("a", "甲", [Part("红色", [_whole(report, "红色预警资产名单")]),
                                                             Part("黄色", [_whole(report, "黄色预警资产名单")])], {}, "说明。")]
    document = docx.Document(_bytes(word.write(whole)))
    placed = _body_tables(document)
    lists = [(t, o) for t, o in placed if "预警原因" in [c.text for c in t.rows[0].cells]]
    assert len(lists) >= 4 and all(o == WD_ORIENT.LANDSCAPE for _, o in lists)   # every red and yellow group
    key = next(o for t, o in placed if [c.text for c in t.rows[0].cells] == ["指标", "本期", "上期", "增减"])
    assert key == WD_ORIENT.PORTRAIT
    for section in document.sections:
        landscape = section.orientation == WD_ORIENT.LANDSCAPE
        assert (section.page_width.cm > section.page_height.cm) == landscape
    assert document.sections[-1].orientation == WD_ORIENT.PORTRAIT     # 落款 and parameters upright
    # a landscape table uses the landscape page's width
    wide = lists[0][0]
    assert sum(c.width.cm for c in wide.columns) == pytest.approx(word.LANDSCAPE_WIDTH_CM, abs=0.05)


def _sections_hold(document) -> list[tuple[int, bool]]:
    """Per section: (its orientation, does it hold a table?)."""
    out, tables = [], False
    sections = iter(document.sections)
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:tbl"):
            tables = True
        elif block.tag == qn("w:p") and block.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            out.append((next(sections).orientation, tables))
            tables = False
    out.append((next(sections).orientation, tables))
    return out


def test_no_page_is_turned_for_nothing(quarterly):
    """A landscape section always holds a table; a part with only a note between two wide
    lists (a town with red warnings and no yellow ones) stays on the landscape page."""
    report, document = quarterly
    assert _sections_hold(document) == [(WD_ORIENT.PORTRAIT, True)]      # its lists are cut: none turns
    wide = _whole(report, "红色预警资产名单")
    from dashboard.reports.document import Part, Section
    report = copy.copy(report)
    report.sections = [Section("a", "甲", [Part("红色", [wide]),
                                          Part("黄色", [Table("空", "空", wide.columns, [])], note="本期无黄色预警资产。"),
                                          Part("新增", [wide])], {}, "说明。")]
    held = _sections_hold(docx.Document(_bytes(word.write(report))))
    assert [o for o, _ in held] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT], held
    assert held[1][1]


def test_a_short_wide_list_stays_upright(quarterly):
    """Issue 19.7: a landscape page never holds one short table — a wide list turns the page only
    when it has LANDSCAPE_MIN_ROWS rows; fewer stay upright, squeezed to the page's width."""
    report, _ = quarterly
    wide = next(t for t in report.tables() if t.title == "红色预警资产名单")
    from dashboard.reports.document import Part, Section
    for rows, turned in ((1, False), (word.LANDSCAPE_MIN_ROWS - 1, False), (word.LANDSCAPE_MIN_ROWS, True)):
        listed = Table(wide.sheet, wide.title, wide.columns, (wide.rows * 2)[:rows], group_by=wide.group_by)
        short = copy.copy(report)
        short.sections = [Section("a", "甲", [Part("红色", [listed])], {}, "说明。")]
        document = docx.Document(_bytes(word.write(short)))
        held = _sections_hold(document)
        assert (WD_ORIENT.LANDSCAPE in [o for o, _ in held]) == turned, (rows, held)
        if not turned:
            assert len(held) == 1
            assert all(sum(c.width.cm for c in t.columns) <= word.TEXT_WIDTH_CM + 0.05 for t in document.tables)


def test_widths_keep_ids_whole_short_labels_short_and_give_the_rest_to_the_reasons():
    em = 9 * 0.0353
    def lines(text: str, width: float) -> int:     # a line holds whole half-characters
        return -(-widths.ems(text) // ((width - widths.MARGIN_CM) * 2 // em / 2))
    headers = ["变化", "资产编号", "资产名称", "镇", "触发规则"]            # the dispatch's red-change table
    cells = [["新增", "150623102-0000464", "公乌素嘎查村集体经济项目（农畜产品销售点）", "上海庙镇", "R09 合同即将到期小于1个月"],
             ["解除", "150623100-0000541", "大沙头村养殖棚圈1521只", "敖勒召其镇", "R03 收益过低"]]
    got = widths.fit(headers, [False] * 5, cells, 9, word.TEXT_WIDTH_CM)
    assert sum(got) == pytest.approx(word.TEXT_WIDTH_CM)
    assert got[1] >= widths.ems(cells[0][1]) * em + widths.MARGIN_CM          # the ID on one line
    printed = [[lines(text, w) for text, w in zip(row, got)] for row in cells]
    assert printed[1] == [1] * 5                                               # short texts stay on one line
    assert max(printed[0]) == 2 and printed[0][2] == 2                         # the long name wraps, once
    reasons = "R09 合同距离到期小于1个月：合同将于2025年1月30日到期，距2024年12月31日不足1个月。" * 2
    rows = [[c[1], c[2], c[4], reasons] for c in cells]
    got = widths.fit(["资产编号", "资产名称", "触发规则", "预警原因"], [False] * 4, rows, 9, word.TEXT_WIDTH_CM)
    assert got[3] == max(got) and lines(rows[0][2], got[2]) <= 2               # the reasons take the rest
    # everything fits on one line: spread out evenly, nothing wraps
    narrow = widths.fit(["镇", "资产数"], [False, True], [["城川镇", "12"]], 10.5, word.TEXT_WIDTH_CM)
    assert sum(narrow) == pytest.approx(word.TEXT_WIDTH_CM) and narrow[0] > narrow[1]


def test_a_long_text_is_cut_in_word_with_a_pointer_to_the_annex():
    long = "本月完成资产清查复核" * 20
    table = Table("报送情况", "各单位报送情况", [Col("报送单位", TEXT), Col("本月工作推进情况", TEXT, 50, docx_chars=80)],
                  [["城川镇", long]])
    document = docx.Document()
    word._table(document, table)
    cell = document.tables[0].rows[1].cells[1].text
    assert cell == long[:80] + "…（全文见附表）"


def test_folded_rows_read_down_the_left_block_first():
    table = Table("t", "t", [Col("指标", TEXT), Col("值", INT)], [[f"第{i}项", i] for i in range(5)],
                  row_kinds=[INT, INT, WAN, INT, INT], fold=2)
    folded = word._folded(table)
    assert [c.header for c in folded.columns] == ["指标", "值", "指标", "值"]
    assert folded.rows == [["第0项", "0", "第3项", "3"], ["第1项", "1", "第4项", "4"], ["第2项", "2.00", "", ""]]


def test_the_command_line_writes_the_annex_beside_the_docx(tmp_path):
    out = tmp_path / "月调度.docx"
    done = subprocess.run([sys.executable, "-m", "dashboard", "report", "monthly", "--period", "2024-12",
                           str(COMMITTED_SAMPLE), "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    annex = tmp_path / "月调度_附表.xlsx"
    assert annex.read_bytes()[:2] == b"PK" and str(annex) in done.stdout
    import openpyxl
    sheets = openpyxl.load_workbook(annex, read_only=True).sheetnames
    assert {"预警范围台账", "问题台账", "处置登记台账", "销号台账", "新增红色预警"} <= set(sheets)


@pytest.mark.parametrize("kind,period", [("monthly", "2024-12"), ("quarterly", "2024Q4"), ("annual", "2024")])
def test_no_heading_stands_over_nothing(sample_books, kind, period):
    """A part whose tables are empty says so (the annual summary of 2024 compares nothing,
    so it has no new or cleared warnings) instead of a heading followed by the next one."""
    import re
    report = build.build(sample_books, kind, period, None, AS_OF)
    document = docx.Document(_bytes(build.render(report, "docx")))
    heading = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
    blocks = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:tbl"):
            blocks.append("<table>")
        elif block.tag == qn("w:p") and (text := "".join(t.text or "" for t in block.iter(qn("w:t"))).strip()):
            blocks.append(text)
    for here, after in zip(blocks, blocks[1:]):
        if heading.match(here) and not here.startswith("附"):
            assert not heading.match(after), f"{here!r} is followed by {after!r}"
    if kind == "annual":
        assert any("不列新增和解除预警" in b for b in blocks)


def test_copied_rows_are_the_rows_python_docx_builds():
    """word._body_rows copies one prototype row; each copy must be the XML that building
    the row cell by cell with python-docx gives (widths, alignment, fonts, lines, spaces)."""
    from lxml import etree
    table = Table("t", "t", [Col("资产名称", TEXT), Col("原值（万元）", WAN), Col("预警原因", TEXT)],
                  [["大棚", 12.5, "R03 收益过低：\n 第二行以空格开头"], ["", None, "—"], ["羊圈 ", 1234567.891, "\n空行之后"],
                   ["羊圈\t二号", 1.0, "完成清查\r\n完成复核\r再一行"]])
    document = docx.Document()
    word._table(document, table)
    built = document.tables[0]
    copied = [etree.tostring(r._tr) for r in built.rows[1:]]
    size = built.rows[1].cells[0].paragraphs[0].runs[0].font.size.pt
    cm = [c.width.cm for c in built.columns]
    for row, xml in zip(table.rows, copied):
        by_hand = built.add_row()
        word._keep_together(by_hand)
        for j, (value, col) in enumerate(zip(row, table.columns)):
            word._cell(by_hand.cells[j], word._printed(value, col.kind), cm[j], size, col.kind != TEXT)
        assert etree.tostring(by_hand._tr) == xml
    assert [c.text for c in built.rows[1].cells] == ["大棚", "12.50", "R03 收益过低：\n 第二行以空格开头"]
    assert [c.text for c in built.rows[4].cells] == ["羊圈 二号", "1.00", "完成清查\n完成复核\n再一行"]
    assert b"<w:tab/>" not in copied[3] and b"&#13;" not in copied[3]
