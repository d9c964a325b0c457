"""`python -m dashboard supervision issue|list|answer|signoff|notice` (issue 23.5): 督办 for
scripted offices.  The command line acts for the whole banner and in the audit trail as
命令行（OS user）; a refused step prints one Chinese line and exits 2."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from dashboard import safe, snapshots

HEADERS = {"number": "督办编号", "asset": "资产编号", "authority": "责任单位", "tier": "销号层级",
           "issued": "下发日期", "due": "整改时限", "state": "办理状态", "overdue": "是否逾期",
           "answer": "整改反馈", "signed_off": "销号"}


def add_parsers(sub, date_type) -> None:
    p = sub.add_parser("supervision", help="督办：下发、清单、反馈、销号")
    verbs = p.add_subparsers(dest="verb", required=True)
    i = verbs.add_parser("issue", help="对已保存月份的红色预警资产下发督办（每个责任单位一份督办通知）")
    i.add_argument("--month", required=True, metavar="2024-12")
    i.add_argument("--authority", default=None, metavar="城川镇|农牧局")
    i.add_argument("--asset", nargs="+", default=None, metavar="ID", help="缺省：本月新增红色预警资产")
    i.add_argument("--all-red", action="store_true", help="本月全部红色预警资产（不只新增的）")
    i.add_argument("--out", type=Path, default=None, metavar="notice.docx",
                   help="督办通知另存到此（多个单位时在文件名后加督办编号）")
    li = verbs.add_parser("list", help="督办清单（CSV）")
    li.add_argument("--month", default=None, metavar="2024-12")
    li.add_argument("--state", default=None, metavar="待反馈|整改中|已整改|已销号|逾期|预警已解除")
    li.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    a = verbs.add_parser("answer", help="责任单位反馈整改情况")
    a.add_argument("number", metavar="督办〔2026〕1号")
    a.add_argument("--asset", required=True, metavar="ID")
    a.add_argument("--measures", required=True, metavar="整改措施")
    a.add_argument("--state", required=True, metavar="整改中|已整改")
    a.add_argument("--planned", type=date_type, default=None, metavar="YYYY-MM-DD", help="计划完成日期")
    a.add_argument("--evidence", nargs="+", type=Path, default=[], metavar="FILE")
    s = verbs.add_parser("signoff", help="按层级销号（T2须 --site-check，T3/T4须 --recheck）")
    s.add_argument("number", metavar="督办〔2026〕1号")
    s.add_argument("--asset", required=True, metavar="ID")
    s.add_argument("--site-check", type=date_type, default=None, metavar="YYYY-MM-DD", help="实地核查日期（T2）")
    s.add_argument("--recheck", type=date_type, default=None, metavar="YYYY-MM-DD", help="市/自治区复核日期（T3/T4）")
    n = verbs.add_parser("notice", help="另存已下发的督办通知（Word）")
    n.add_argument("number", metavar="督办〔2026〕1号")
    n.add_argument("--out", type=Path, required=True, metavar="notice.docx")


def frame(found: list, today=None) -> pd.DataFrame:
    """The items as `supervision list` and the pages export them: Chinese headers, one row an item."""
    rows = []
    for it in found:
        answer = "—"
        if it.measures:
            answer = it.measures + (f"（计划完成日期：{it.planned.isoformat()}）" if it.planned else "")
        signed = "—"
        if it.signed_at:
            from dashboard.supervision import beijing_date
            signed = f"{beijing_date(it.signed_at).isoformat()} {it.signed_by or ''}".strip()
        rows.append({"number": it.number, "asset": it.asset_id, "authority": it.authority, "tier": it.tier,
                     "issued": it.issue_date.isoformat(), "due": it.due.isoformat(),
                     "state": it.state_label(today), "overdue": "是" if it.overdue(today) else "否",
                     "answer": answer, "signed_off": signed})
    return pd.DataFrame(rows, columns=list(HEADERS)).rename(columns=HEADERS)


def dispatch(args) -> int:
    from dashboard import supervision as sv
    actor = sv.Actor.command_line()
    try:
        return {"issue": _issue, "list": _list, "answer": _answer, "signoff": _signoff,
                "notice": _notice}[args.verb](args, sv, actor)
    except sv.SupervisionError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _issue(args, sv, actor) -> int:
    if not snapshots.valid_month(args.month):
        print(f"命令行参数错误：月份应为YYYY-MM格式：{args.month}", file=sys.stderr)
        return 2
    made = sv.issue(args.month, actor, authority=args.authority, asset_ids=args.asset, all_red=args.all_red)
    for n in made:
        where = snapshots.data_dir() / n.document if n.document else None
        if args.out and where:
            out = args.out if len(made) == 1 else args.out.with_name(f"{args.out.stem}_{n.number}{args.out.suffix}")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(where.read_bytes())
            where = out
        print(f"已下发{n.number}：{n.authority}，{len(n.items)}项资产（{'、'.join(i.asset_id for i in n.items)}），"
              f"整改时限{n.due.isoformat()}；督办通知：{where}")
    skipped = made[0].skipped if made else []
    if skipped:
        print(f"已有未销号督办、本次未下发：{'、'.join(skipped)}")
    return 0


def _list(args, sv, actor) -> int:
    if args.month and not snapshots.valid_month(args.month):
        print(f"命令行参数错误：月份应为YYYY-MM格式：{args.month}", file=sys.stderr)
        return 2
    found = sv.items(actor, month=args.month, state=args.state)
    table = frame(found)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    safe.write_csv(table, args.out)
    from dashboard.store import cli as store_cli
    store_cli.record("export", str(args.out), 内容="督办清单", 行数=len(table),
                     月份=args.month or "全部", 状态=args.state or "全部")
    print(f"已导出{len(table)}项督办：{args.out}")
    return 0


def _answer(args, sv, actor) -> int:
    missing = [str(p) for p in args.evidence if not p.is_file()]
    if missing:
        print(f"找不到佐证材料文件：{'、'.join(missing)}", file=sys.stderr)
        return 2
    from dashboard.supervision import evidence
    for path in args.evidence:         # every file checked before anything is written
        try:
            _precheck(evidence, path)
        except evidence.EvidenceError as exc:
            sv.item(args.number, args.asset, actor, check_latest=False)     # not found first
            sv._record("supervision_evidence", actor, f"{sv._number(args.number)} {args.asset}", "refused",
                       {"文件": path.name, "原因": str(exc)})
            print(str(exc), file=sys.stderr)
            return 2
    it = sv.answer(args.number, args.asset, actor, args.measures, args.state, args.planned)
    kept = [sv.add_evidence(args.number, args.asset, actor, path.name, path) for path in args.evidence]
    extra = f"，佐证材料{len(kept)}份" if kept else ""
    print(f"已反馈{it.number}中资产{it.asset_id}：{it.state}{extra}")
    return 0


def _precheck(evidence, path: Path) -> None:
    """The evidence checks without storing (so a bad second file leaves no answer behind)."""
    shown = path.name
    kind = evidence.KINDS.get(path.suffix.lower())
    if kind is None:
        raise evidence.EvidenceError(f"文件“{shown}”的类型不能作为佐证材料，只接受{evidence.ALLOWED}文件。")
    size = path.stat().st_size
    if size > evidence.MAX_BYTES:
        raise evidence.EvidenceError(evidence._too_big(shown, size))
    if size == 0:
        raise evidence.EvidenceError(f"文件“{shown}”是空文件。")
    with path.open("rb") as f:
        head = f.read(16)
    if evidence.sniff(head, lambda: path) != kind:
        raise evidence.EvidenceError(f"文件“{shown}”的内容不是{kind.upper()}文件（扩展名与内容不符），未保存。"
                                     f"只接受{evidence.ALLOWED}文件。")


def _signoff(args, sv, actor) -> int:
    it = sv.signoff(args.number, args.asset, actor, site_check=args.site_check, recheck=args.recheck)
    print(f"已销号{it.number}中资产{it.asset_id}（{it.tier}）")
    return 0


def _notice(args, sv, actor) -> int:
    name, data = sv.notice_document(args.number, actor)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    from dashboard.store import cli as store_cli
    store_cli.record("export", str(args.out), 内容="督办通知", 督办编号=sv._number(args.number))
    print(f"已另存{name}：{args.out}")
    return 0
