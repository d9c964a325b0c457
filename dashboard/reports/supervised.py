"""督办办理情况 in the monthly dispatch (verification.md §3 Reports): one sentence at the end of
its 红色预警变化 paragraph — issued, answered, overdue (by authority), signed off — and two
sheets of the Excel 附表: the counts by authority and every 督办 not yet 已销号.  The
督办 are those issued on months up to the dispatch's, in the state they are in when the
dispatch is made (dashboard/supervision/ reads and judges them)."""
from __future__ import annotations

from dashboard.reports.document import DATE, INT, TEXT, Col, Section, Table
from dashboard.reports.periods import Period

READER = ("月调度", "leader")       # reads the whole banner's 督办; reading writes nothing


def _items(period: Period):
    from dashboard import supervision as S
    month = period.end.strftime("%Y-%m")
    return [it for it in S.items(S.Actor(*READER)) if it.month <= month]


def stamp() -> tuple:
    """What the 督办 are now (the report page keys its cached report by it): a change of any shows."""
    from dashboard import supervision as S
    found = S.items(S.Actor(*READER), check_latest=False)
    return (len(found), max((it.issued_at for it in found), default=None),
            max((it.answered_at for it in found if it.answered_at), default=None),
            max((it.signed_at for it in found if it.signed_at), default=None), sum(len(it.evidence) for it in found))


def gather(changes: Section, period: Period, whole: bool) -> list[Table]:
    """The whole banner's monthly dispatch: the figures of 督办办理情况 go into the 红色预警变化
    section (its paragraph ends with the sentence; no heading of its own keeps the dispatch on two
    pages), the two 附表 sheets are returned.  Nothing when no 督办 was issued on the month or
    before it, or the report is of a part of the banner."""
    if period.kind != "monthly" or not whole:
        return []
    from dashboard import supervision as S
    from dashboard.supervision import summary
    found = _items(period)
    if not found:
        return []
    today = S.beijing_today()
    rows = summary.by_authority(found, today)
    total = rows[-1]
    changes.figures["supervision"] = {
        "authorities": len({it.authority for it in found}), "issued": total.issued, "answered": total.answered,
        "overdue": total.overdue, "signed": total.signed, "open": total.open,
        "overdue_by": [(r.authority, r.overdue) for r in rows if r.overdue and r.authority != summary.TOTAL]}
    by_authority = Table("督办办理情况", "各单位督办办理情况", [
        Col("责任单位", TEXT, 16), Col("已下发（项）", INT), Col("已反馈（项）", INT), Col("逾期（项）", INT),
        Col("已销号（项）", INT), Col("未销号（项）", INT), Col("反馈用时中位数（天）", TEXT, 12)],
        [[r.authority, r.issued, r.answered, r.overdue, r.signed, r.open,
          "—" if r.median_days is None else f"{r.median_days:g}"] for r in rows], in_docx=False)
    open_items = [it for it in found if it.state != S.SIGNED]
    annex = Table("未销号督办", "未销号督办清单", [
        Col("序号", INT, 6), Col("督办编号", TEXT, 16), Col("责任单位", TEXT, 14), Col("资产编号", TEXT, 18),
        Col("资产名称", TEXT, 24), Col("镇", TEXT, 12), Col("销号层级", TEXT, 8), Col("红色预警规则", TEXT, 30),
        Col("下发日期", DATE), Col("整改时限", DATE), Col("状态", TEXT, 8), Col("是否逾期", TEXT, 8),
        Col("预警已解除", TEXT, 10), Col("整改措施", TEXT, 40)],
        [[i + 1, it.number, it.authority, it.asset_id, it.asset_name, it.town, it.tier,
          "、".join(f"{r['rule_id']} {r.get('name') or ''}" for r in it.rules), it.issue_date, it.due, it.state,
          "是" if it.overdue(today) else "否", "是" if it.cleared else "否", it.measures or ""]
         for i, it in enumerate(open_items)], in_docx=False)
    return [by_authority, annex]


def sentence(f: dict) -> str:
    """督办办理情况：累计下发督办15项（3个单位），已反馈4项、已销号1项，逾期未整改12项（农牧局11项、交通运输局1项）。
    The median days to answer stay on the 督办 page and the 附表's 督办办理情况 sheet: in the sentence
    they made it a line longer and the dispatch a page longer once anything was answered."""
    text = f"督办办理情况：累计下发督办{f['issued']}项（{f['authorities']}个单位），已反馈{f['answered']}项、已销号{f['signed']}项"
    if f["overdue"]:
        named = "、".join(f"{a}{n}项" for a, n in sorted(f["overdue_by"], key=lambda x: -x[1])[:3])
        text += f"，逾期未整改{f['overdue']}项（{named}{'等' if len(f['overdue_by']) > 3 else ''}）"
    return text + "。"
