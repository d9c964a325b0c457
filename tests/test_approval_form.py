"""附件2 处置审批表: one disposal's facts (资产台账 and 处置台账) on one A4 page with a blank box for
every opinion the procedure asks (DP1–DP6 name its steps), printed from 处置与销号 and audited."""
from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import docx
import pytest
from docx.oxml.ns import qn

from conftest import account, app
from dashboard import explain, places
from dashboard.filters import Filters
from dashboard.reports import approval_form
from dashboard.store import audit

SIGNATURE_LABELS = ("嘎查村\n申请意见", "镇人民政府\n审核意见", "旗项目资产主管\n部门审核意见", "领导小组\n审批意见")


def richest(ev) -> dict:
    """The disposal of the sample with the most procedure dates (a transfer, full path)."""
    best = None
    for r in ev.rows("shared/disposal_register", annex_order=False):
        f = ev.one("disposal/approval_form", row_id=r["row_id"], asset_id=r["asset_id"])
        dated = sum(v is not None for k, v in f.items() if k.endswith(("_date", "_start", "_end")))
        if best is None or dated > best[0]:
            best = (dated, f)
    return best[1]


def cells(document) -> list[str]:
    return [c.text for t in document.tables for row in t.rows for c in row.cells]


def test_the_form_holds_the_disposals_facts_and_blank_signature_boxes(sample_ev):
    facts = richest(sample_ev)
    assert facts["village_apply_date"] is not None and facts["original_value"]
    document = docx.Document(io.BytesIO(approval_form.write(facts)))
    text = cells(document)
    body = "\n".join(p.text for p in document.paragraphs)
    assert approval_form.TITLE in body and "附件2" in body
    assert facts["asset_id"] in text and facts["asset_name"] in text
    wan = f"{Decimal(str(facts['original_value'])) / 10000:,.2f}"
    assert text[text.index("资产原值（万元）") + 1] == wan
    assert text[text.index("建成年度") + 1] == str(facts["build_year"])
    assert text[text.index("村申请日期") + 1] == explain.fmt_date(facts["village_apply_date"])
    assert text[text.index("领导小组\n批复日期") + 1] == explain.fmt_date(facts["approval_date"])
    assert text[text.index("处置日期") + 1] == explain.fmt_date(facts["disposal_date"])
    assert text[text.index("处置情形") + 1] == facts["circumstance"]
    notice = text[text.index("村公示") + 1]
    assert notice.startswith(explain.fmt_date(facts["village_notice_start"])) and "至" in notice
    for label in SIGNATURE_LABELS:        # each opinion: its label, an empty box, 签字 盖章 and the date
        box = text[text.index(label) + 1]
        assert "（签字）" in box and "（盖章）" in box and "年　　月　　日" in box
    assert len(document.sections) == 1
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)   # A4 portrait
    rows = [row for t in document.tables for row in t.rows]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_a_disposal_missing_from_the_ledger_prints_with_blank_dates(sample_ev):
    """An 已处置 asset with no 处置台账 row (DP6): the asset's facts, every date left to be written."""
    missing = [r for r in sample_ev.rows("shared/disposal_register", annex_order=False) if r["row_id"] is None]
    assert missing
    facts = sample_ev.one("disposal/approval_form", row_id=None, asset_id=missing[0]["asset_id"])
    text = cells(docx.Document(io.BytesIO(approval_form.write(facts))))
    assert missing[0]["asset_id"] in text
    assert text[text.index("村申请日期") + 1] == "" and text[text.index("处置日期") + 1] == ""


def test_the_query_applies_the_users_filters_and_scope(sample_ev):
    facts = richest(sample_ev)
    bind = {"row_id": facts["row_id"], "asset_id": facts["asset_id"]}
    assert sample_ev.rows("disposal/approval_form", Filters(towns=(facts["town"],)), **bind)
    others = [t for t in places.TOWNS if t != facts["town"]]
    assert sample_ev.rows("disposal/approval_form", Filters(towns=(others[0],)), **bind) == []


def long_facts(ev) -> dict:
    return dict(richest(ev), asset_name="某某嘎查" * 12, circumstance="受政策、市场等因素影响长期闲置无法发挥效益" * 6,
                proceeds_project="项目" * 80, owner_unit="股份经济合作社" * 6, department="旗农牧局" * 6,
                method="转让", batch_id="PC-2024-001", village_notice_end=None)


@pytest.mark.skipif(not (shutil.which("libreoffice") and shutil.which("pdfinfo")), reason="LibreOffice not installed")
@pytest.mark.parametrize("make", [richest, long_facts], ids=["sample", "long texts"])
def test_the_form_is_one_page_in_libreoffice(sample_ev, tmp_path, make):
    path = tmp_path / "form.docx"
    path.write_bytes(approval_form.write(make(sample_ev)))
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(tmp_path / "form.pdf")], check=True, capture_output=True, text=True).stdout
    assert "Pages:           1" in info


def test_the_disposal_page_prints_the_form_of_the_chosen_disposal_and_audits_it(sample_ev, monkeypatch):
    import streamlit as st
    builders = {}
    download = st.download_button

    def spy(label, data, *args, **kwargs):   # the builder Streamlit runs when the browser asks for the file
        builders[label] = data
        return download(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    account()
    at = app("disposal", user="管理员")
    register = sample_ev.rows("shared/disposal_register", annex_order=False)
    pick = at.selectbox(key="disposal_form_pick")
    assert len(pick.options) == len(register)
    assert pick.options[0] == f"{register[0]['asset_id']} {register[0]['asset_name'] or ''}"
    chosen = next(i for i, r in enumerate(register) if r["row_id"] is not None and i > 0)
    pick.set_value(chosen).run()
    assert [b.proto.label for b in at.get("download_button")].count("打印处置审批表（Word）") == 1
    assert not [r for r in audit.rows(action="export") if r.object == "处置审批表"]     # nothing built yet
    document = docx.Document(io.BytesIO(builders["打印处置审批表（Word）"]()))         # outside the page's run
    assert register[chosen]["asset_id"] in cells(document)
    entry = next(r for r in audit.rows(action="export") if r.object == "处置审批表")
    assert entry.user_name == "管理员" and register[chosen]["asset_id"] in str(entry.details)
