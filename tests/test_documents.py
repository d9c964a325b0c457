"""The Word documents as the office sends them: a 红头 (发文机关 in red, 期号, a red rule), the
落款 and 印发日期 chosen (not the day generated), a 版记 (抄送, 印发); the header fields kept
in the store; the monthly dispatch of a submitted month says who reported by the 25th."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import docx
import pytest

from conftest import AS_OF, COMMITTED_SAMPLE, ROOT, account, app, assert_clean
from dashboard import store
from dashboard.monthly import submissions as M
from dashboard.reports import build
from dashboard.reports.document import Masthead
from dashboard.store import audit, settings

ISSUED = dt.date(2025, 1, 3)


def _text(data: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(data))
    return document, "\n".join(p.text for p in document.paragraphs)


def test_masthead_and_closing(sample_books):
    report = build.build(sample_books, "monthly", "2024-12", None, AS_OF)
    document, text = _text(build.render(report, "docx", Masthead(issue_no="第12期", issued=ISSUED)))
    first = document.paragraphs[0]
    red = [r for r in first.runs if r.font.color is not None and r.font.color.rgb is not None
           and str(r.font.color.rgb) == "C00000"]
    assert red and "鄂托克前旗" in red[0].text and "月  调  度" in first.text
    assert document.paragraphs[1].text == "第12期"
    rule = document.paragraphs[2]._p.xpath("./w:pPr/w:pBdr/w:bottom")
    assert rule and rule[0].get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}color") == "C00000"
    tail = text[-300:]
    assert "中共鄂托克前旗委员会农村牧区工作办公室\n2025年1月3日" in tail
    assert "抄送：" in tail and "旗委农牧办\t2025年1月3日印发" in tail
    assert dt.date.today().strftime("%Y年") + f"{dt.date.today().month}月{dt.date.today().day}日" not in tail \
        or dt.date.today() == ISSUED
    plain = _text(build.render(report, "docx"))[1]                # without: no 红头, dated as generated
    assert "月  调  度" not in plain and "印发" not in plain[-200:]


def test_default_issue_numbers():
    from dashboard.reports import periods
    assert build.default_issue_no(periods.parse("monthly", "2024-05")) == "第5期"
    assert build.default_issue_no(periods.parse("quarterly", "2024Q3")) == "第3期"
    assert build.default_issue_no(periods.parse("annual", "2024")) == "第1期"


def test_stored_header_fields_reach_the_command_line(tmp_path):
    account()
    settings.save_masthead({"issuer": "鄂托克前旗委农牧办", "signer": "旗委农牧办", "copy_to": "旗委办。",
                            "printer": "旗委农牧办秘书科"}, "管理员")
    out = tmp_path / "月调度.docx"
    done = subprocess.run([sys.executable, "-m", "dashboard", "report", "monthly", "--period", "2024-12",
                           str(COMMITTED_SAMPLE), "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    _, text = _text(out.read_bytes())
    assert text.startswith("鄂托克前旗委农牧办") and "第12期" in text and "抄送：旗委办。" in text


def test_report_page_header_fields_and_saving_them():
    account()
    at = app("report", user="管理员")
    assert at.text_input(key="report.mast.issuer").value == Masthead().issuer
    assert at.date_input(key="report.mast.issued").value == dt.date.today()
    at.text_input(key="report.mast.issuer").set_value("鄂托克前旗委农牧办")
    at.button(key="report.mast.save").click().run()
    assert_clean(at)
    assert settings.masthead_defaults()["issuer"] == "鄂托克前旗委农牧办"
    assert len(audit.rows(action="masthead_save")) == 1
    leader = account("领导", "leader")
    at = app("report", user=leader.name)
    assert at.text_input(key="report.mast.issuer").value == "鄂托克前旗委农牧办"
    assert not [b for b in at.main.button if b.key == "report.mast.save"]


def test_the_monthly_dispatch_of_a_submitted_month_says_who_reported(monkeypatch, sample_books):
    account()
    moment = dt.datetime(2024, 12, 20, 2)                             # 10:00 in Beijing
    monkeypatch.setattr(store, "now", lambda: moment)
    M.submit("2024-12", "城川镇", [COMMITTED_SAMPLE], by="城川镇", progress="完成确权3项")
    moment = dt.datetime(2024, 12, 27, 2)
    M.submit("2024-12", "上海庙镇", [COMMITTED_SAMPLE], by="上海庙镇", progress="")
    report = build.build(sample_books, "monthly", "2024-12", None, AS_OF)
    section = report.section("submissions")
    assert section.title == "报送情况"
    assert section.figures["on_time"] == ["城川镇"] and section.figures["late"] == ["上海庙镇"]
    assert set(section.figures["missing"]) == {"敖勒召其镇", "昂素镇"}
    assert "逾期报送1个（上海庙镇）" in section.narrative and "未报送2个" in section.narrative
    table = section.parts[0].tables[0]
    assert table.column("本月工作推进情况")[table.column("报送单位").index("城川镇")] == "完成确权3项"
    quarterly = build.build(sample_books, "quarterly", "2024Q4", None, AS_OF)
    assert "submissions" not in [s.key for s in quarterly.sections]
    with pytest.raises(StopIteration):
        build.build(sample_books, "monthly", "2024-11", None, AS_OF).section("submissions")


def test_a_long_list_is_cut_in_word_and_whole_in_excel():
    """2,000 rows in a Word bulletin are read by nobody and took 40 s at 100,000 assets: the
    bulletin lists the first LIST_ROWS (issue 20.9) and says how many more are on which 附表
    sheet; the Excel sheet has every row.  A table without its own room keeps WORD_ROWS."""
    import openpyxl
    import rulekit
    from dashboard.reports import content
    from dashboard.reports import docx as word
    assets = [{"asset_id": f"A{i:03d}", "asset_name": f"养殖棚{i}", "operating_status": "不正常"} for i in range(120)]
    report = build.build(rulekit.ledgers(assets=assets), "quarterly", "2024Q2")
    red = report.section("warnings").parts[1].tables[0]
    assert len(red.rows) == 120 > red.docx_rows == content.LIST_ROWS
    assert len({row[red.group_by] for row in red.rows}) == 1          # one town: it gets the whole room
    document, text = _text(build.render(report, "docx"))
    names = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert [i for i in range(120) if f"A{i:03d}" in names] == list(range(content.LIST_ROWS))
    rest = 120 - content.LIST_ROWS
    assert f"（共120项，每镇列出前{content.LIST_ROWS}项，其余{rest}项见附表“红色预警”工作表。）" in text
    sheet = openpyxl.load_workbook(io.BytesIO(build.render(report, "xlsx")), read_only=True)["红色预警"]
    assert sum(1 for row in sheet.iter_rows(min_row=4, values_only=True) if row[3]) == 120
    # a table that asks for no room of its own is cut at WORD_ROWS, with the same sentence
    from dashboard.reports.document import Table
    plain = Table(red.sheet, red.title, red.columns, red.rows * 2)
    assert word.cut_note(plain, word.WORD_ROWS) == f"（共240条，此处列出前{word.WORD_ROWS}条，其余{240 - word.WORD_ROWS}条见附表“红色预警”工作表。）"
    assert len(word._shortened(plain).rows) == word.WORD_ROWS
