"""督办通知: one Word document per notice (one authority), under the same red 红头 and 版记 as
the reports (reports/masthead.py, the stored 发文机关 and 落款; the 督办 number as 期号), with a
table of the authority's assets — each asset's red rules with their facts, its sign-off tier
and 整改时限.  Written when 督办 is issued and kept under `$ZCPH_DATA_DIR/supervision/notices/`
with its SHA-256 (the notice row names it), so the same file can be downloaded again."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from dashboard import explain, snapshots, store
from dashboard.reports import docx as report_docx
from dashboard.reports import masthead
from dashboard.reports.document import INT, WAN, Col, Masthead, Table

FOLDER = Path("supervision") / "notices"
KIND = "督办通知"
PLAN = "《鄂托克前旗扶贫（帮扶）项目资产巩固提升盘活处置工作方案》（鄂前政办发〔2024〕13号）"
TIERS = ("销号层级（工作方案七（四），按单项资产原值）：T1（100万元及以下）由镇或旗行业主管部门销号；"
         "T2（100万元至1000万元）经实地核查后由旗领导小组销号；T3（1000万元至5000万元）经市乡村振兴部门复核后销号；"
         "T4（5000万元以上）经自治区乡村振兴部门复核后销号。资产在最新月份仍为红色预警的，不予销号。")


def _day(value: dt.date) -> str:
    return explain.fmt_date(value)


def write(notice) -> bytes:
    """The 督办通知 of `notice` (dashboard.supervision.Notice with its items) as .docx bytes."""
    from dashboard.store import beijing_date, settings
    issued = beijing_date(notice.issued_at)
    mast = Masthead(issue_no=notice.number, issued=issued, **settings.masthead_defaults())
    run = report_docx._run
    doc = docx.Document()
    report_docx._page(doc)
    report_docx._styles(doc)
    report_docx._fonts(doc)
    masthead.head(doc, mast, KIND, run)
    month = snapshots.month_label(notice.month)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(35)
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(12)
    run(title, f"关于{month}红色预警项目资产整改的督办通知", report_docx.TITLE_FONT, report_docx.TITLE_PT)
    to = doc.add_paragraph()
    run(to, f"{notice.authority}：", report_docx.FANG, report_docx.BODY_PT)
    n = len(notice.items)
    report_docx._para(doc, (
        f"根据{month}项目资产监测结果，你单位负责的{n}项扶贫（帮扶）项目资产触发红色预警（明细见下表）。"
        f"依据{PLAN}五“旗委农牧办督促……提前介入”和七（四）“谁实施、谁销号”的要求，现予督办。"
        f"请于{_day(notice.due)}前完成整改，并在资产盘活驾驶舱“督办事项”中逐项反馈整改措施、计划完成日期"
        f"及佐证材料；整改完成后按销号层级申请销号。逾期未整改的，将在月调度中通报。"))
    report_docx._heading(doc, f"{notice.number} 督办资产明细（整改时限：{_day(notice.due)}）", report_docx.HEI)
    _table(doc, notice.items)
    report_docx._para(doc, TIERS, 12, justify=False)
    masthead.tail(doc, mast, run)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc, items) -> None:
    """The assets, laid out by the reports' own table writer (widths fitted to the text)."""
    rows = []
    for k, it in enumerate(items, 1):
        place = f"{it.town or ''}{it.village or ''}"
        name = (it.asset_name or "—") + (f"（{place}）" if place else "")
        rules = "\n".join(f"{r['rule_id']} {r['name']}：{r.get('text') or ''}" for r in it.rules)
        value = None if it.original_value is None else float(it.original_value) / 10000
        rows.append([k, it.asset_id, name, value, it.tier, rules, it.due.isoformat()])
    columns = [Col("序号", INT), Col("资产编号"), Col("资产名称（所在镇村）"), Col("原值（万元）", WAN),
               Col("销号层级"), Col("红色预警及事实"), Col("整改时限")]
    report_docx._table(doc, Table("督办资产", "", columns, rows, docx_rows=len(rows) or 1),
                       size=report_docx.DISPATCH_PT)


def file_name(notice) -> str:
    authority = re.sub(r'[\\/:*?"<>|\s]', "", notice.authority)
    return f"{notice.number}_{authority}.docx"


def keep(notice) -> None:
    """Write the notice's document into the data folder and record it on the notice row."""
    from dashboard.store.schema import supervision_notices as N      # not the package: it imports this module
    data = write(notice)
    relative = FOLDER / file_name(notice)
    target = snapshots.data_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    digest = hashlib.sha256(data).hexdigest()
    with store.engine().connect() as con, con.begin():
        con.execute(N.update().where(N.c.id == notice.id).values(document=relative.as_posix(), document_sha256=digest))
    notice.document, notice.document_sha256 = relative.as_posix(), digest
