"""督办: from a red warning to 销号 (verification.md §3, policy-rules.md §7).

The banner office (admin or leader; the command line) issues 督办 on a saved or
consolidated month's red assets to their reporting authorities — one notice
督办〔YYYY〕N号 per authority, one item per asset with its red rules and facts, due
`supervision_days` after the issue date (Beijing).  The authority answers each item
(整改措施, 计划完成日期, 整改中 or 已整改) with evidence files, and it is signed off at its tier.

    issue(month, actor, authority=None, asset_ids=None, all_red=False) -> list[Notice]
    items(actor, month=None, state=None, number=None, today=None) -> list[Item]   # the actor's scope only
    item(number, asset_id, actor) -> Item                                          # SupervisionError when not visible
    answer(number, asset_id, actor, measures, state, planned=None) -> Item
    add_evidence(number, asset_id, actor, name, data: bytes | Path) -> Evidence
    evidence_file(evidence_id, actor) -> (name, bytes)
    signoff(number, asset_id, actor, site_check=None, recheck=None) -> Item
    reminders(actor) -> list[dict]
    notices(actor) / notice_document(number, actor) -> (file name, bytes)

States (stored): 待反馈 → 整改中 → 已整改 → 已销号; `Item.overdue(today)`: the due date passed
before 已整改 (the due day itself is not late); `Item.cleared`: the latest saved month no
longer has the asset red (预警已解除, filled in by `items`).  Scope is enforced here: a
town or department account reads and answers only its own authority's items (a village
account reads its village's items of its town); an item out of scope is "not found".
Every write, and every refusal of one, is in the audit trail.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from dashboard import policy, snapshots, store
from dashboard.store import audit, schema
from dashboard.supervision import evidence as files
from dashboard.supervision import red

N, I, E = schema.supervision_notices, schema.supervision_items, schema.supervision_evidence
LOCK = 150625                     # the advisory lock numbering notices (audit's is 150624)

WAITING, WORKING, FIXED, SIGNED = "待反馈", "整改中", "已整改", "已销号"
STATES = (WAITING, WORKING, FIXED, SIGNED)
ANSWER_STATES = (WORKING, FIXED)
OVERDUE, CLEARED = "逾期", "预警已解除"
TIER_WHO = {"T1": "镇或旗行业主管部门", "T2": "旗领导小组（实地核查后）",
            "T3": "市乡村振兴部门复核后由旗", "T4": "自治区乡村振兴部门复核后由旗"}
BANNER_ROLES = ("admin", "leader")
COMMAND_LINE = "cli"


class SupervisionError(ValueError):
    """A refused step; the message is Chinese and shown as is."""


@dataclass(frozen=True)
class Actor:
    """Who acts: an account's name and place, or the command line (role 'cli', whole banner)."""
    name: str
    role: str                          # admin, leader, town, department, village, cli
    town: str | None = None
    village: str | None = None
    department: str | None = None
    client: str | None = None
    session: str | None = None

    @classmethod
    def of(cls, account, client: str | None = None, session: str | None = None) -> "Actor":
        """From a dashboard.store.accounts.Account (the pages: ui.auth.attribution() gives client, session)."""
        return cls(account.name, account.role, account.town, account.village, account.department, client, session)

    @classmethod
    def command_line(cls) -> "Actor":
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "?"
        return cls(f"命令行（{who}）", COMMAND_LINE, client="命令行", session=f"pid {os.getpid()}")

    @property
    def whole(self) -> bool:
        return self.role in BANNER_ROLES or self.role == COMMAND_LINE

    @property
    def authority(self) -> str | None:
        """The reporting authority the account answers for (None: the banner or a village)."""
        return {"town": self.town, "department": self.department}.get(self.role)

    @property
    def scope_label(self) -> str:
        if self.whole:
            return "全旗"
        if self.role == "village":
            return f"{self.town}{self.village}"
        return self.authority or "—"

    def sees(self, authority: str, village: str | None) -> bool:
        if self.whole:
            return True
        if self.role == "village":
            return authority == self.town and village == self.village
        return authority == self.authority

    def answers_for(self, authority: str) -> bool:
        return self.role == COMMAND_LINE or (self.authority is not None and authority == self.authority)


@dataclass(frozen=True)
class Evidence:
    id: int
    item_id: int
    name: str
    kind: str
    bytes: int
    sha256: str
    path: str
    added_by: str | None
    added_at: dt.datetime


@dataclass
class Item:
    id: int
    notice_id: int
    number: str
    asset_id: str
    asset_name: str | None
    town: str | None
    village: str | None
    authority: str
    month: str
    tier: str
    original_value: float | None
    rules: list[dict]
    issued_by: str | None
    issued_at: dt.datetime
    due: dt.date
    measures: str | None = None
    planned: dt.date | None = None
    answer_state: str | None = None
    answered_by: str | None = None
    answered_at: dt.datetime | None = None
    fixed_at: dt.datetime | None = None
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    site_check: dt.date | None = None
    recheck: dt.date | None = None
    evidence: list[Evidence] = field(default_factory=list)
    cleared: bool | None = None        # 预警已解除 (None: not checked against the latest month)
    still_red: list[str] = field(default_factory=list)   # the red rules firing in the latest saved month

    @property
    def state(self) -> str:
        if self.signed_at is not None:
            return SIGNED
        return self.answer_state or WAITING

    @property
    def issue_date(self) -> dt.date:
        return beijing_date(self.issued_at)

    def overdue(self, today: dt.date | None = None) -> bool:
        """逾期: 整改时限 passed before 已整改 (answered 已整改 late stays marked; the due day is in time)."""
        done = beijing_date(self.fixed_at) if self.fixed_at else (today or beijing_today())
        return done > self.due

    def state_label(self, today: dt.date | None = None) -> str:
        """整改中（逾期）、已整改（预警已解除）… as the lists show it."""
        extra = [OVERDUE] if self.overdue(today) and self.state != SIGNED else []
        if self.cleared:
            extra.append(CLEARED)
        return self.state + (f"（{'，'.join(extra)}）" if extra else "")

    @property
    def rule_ids(self) -> list[str]:
        return [r["rule_id"] for r in self.rules]


@dataclass
class Notice:
    id: int
    number: str
    month: str
    authority: str
    issued_by: str | None
    issued_at: dt.datetime
    due: dt.date
    document: str | None = None
    document_sha256: str | None = None
    items: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # assets left out: an open 督办 already


beijing_date = store.beijing_date


def beijing_today() -> dt.date:
    return beijing_date(store.now())


def supervision_days(on: dt.date | None = None) -> int:
    """整改时限 in calendar days: the edition in force on the issue day says (verification.md §4),
    so a later plan's time limit applies to what is issued under it."""
    from dashboard import editions
    days = editions.in_force(on).parameters.get("supervision_days")
    return int(days if days is not None else policy.resolve_params().get("supervision_days", 30))


def _record(action: str, actor: Actor, obj: str, outcome: str = "ok", details: dict | None = None) -> None:
    if not store.exists() and actor.role != COMMAND_LINE:
        return                         # demo mode (no store yet): nothing is written, not even a refusal
    audit.record(action, user=actor.name, role=None if actor.role == COMMAND_LINE else actor.role,
                 scope=actor.scope_label, obj=obj, outcome=outcome, details=details,
                 client=actor.client, session=actor.session)


def _refuse(action: str, actor: Actor, obj: str, message: str, details: dict | None = None):
    _record(action, actor, obj, "refused", {**(details or {}), "原因": message})
    raise SupervisionError(message)


# --- issue ---------------------------------------------------------------------------------

def issue(month: str, actor: Actor, authority: str | None = None, asset_ids: list[str] | None = None,
          all_red: bool = False, write_documents: bool = True) -> list[Notice]:
    """督办 on the red assets of saved month `month`: `asset_ids` (each must be red then), else the
    month's new red assets (every red one with `all_red`), of `authority` when given; one notice
    per authority.  An asset with a 督办 not yet 已销号 is left out (named: refused when asked for)."""
    obj = snapshots.month_label(month) if snapshots.valid_month(month) else str(month)
    if not store.exists() and actor.role != COMMAND_LINE:
        raise SupervisionError("演示模式（尚未建立账号）不能下发督办。")
    if not actor.whole:
        _refuse("supervision_issue", actor, obj, "只有旗级管理员或旗级领导可以下发督办。")
    if not snapshots.valid_month(month) or snapshots.find(month) is None:
        _refuse("supervision_issue", actor, obj, f"月份“{month}”没有已保存或已汇总的数据，无法下发督办。")
    found = red.month_red(month)
    label = snapshots.month_label(month)
    if asset_ids:
        wanted = list(dict.fromkeys(a.strip() for a in asset_ids if a and a.strip()))
        not_red = [a for a in wanted if a not in found.assets]
        if not_red:
            _refuse("supervision_issue", actor, obj, f"资产{'、'.join(not_red)}在{label}不是红色预警，不能下发督办。")
        if authority:
            other = [a for a in wanted if found.assets[a].authority != authority]
            if other:
                _refuse("supervision_issue", actor, obj,
                        f"资产{'、'.join(other)}的责任单位不是{authority}。")
    else:
        pool = set(found.assets) if all_red else red.new_red(month)
        wanted = sorted(a for a in pool if authority is None or found.assets[a].authority == authority)
    open_now = _open_items(wanted)
    if asset_ids and open_now:
        named = "、".join(f"{a}（{n}）" for a, n in sorted(open_now.items()))
        _refuse("supervision_issue", actor, obj, f"以下资产已有未销号的督办，不重复下发：{named}。")
    chosen = [a for a in wanted if a not in open_now]
    if not chosen:
        kind = "红色预警资产" if all_red or asset_ids else "本月新增红色预警资产"
        where = f"{authority}" if authority else ""
        _refuse("supervision_issue", actor, obj, f"{label}{where}没有可下发督办的{kind}"
                + ("（均已有未销号的督办）。" if wanted else "。"))
    by_authority: dict[str, list[red.RedAsset]] = {}
    for asset_id in chosen:
        a = found.assets[asset_id]
        by_authority.setdefault(a.authority, []).append(a)
    issued_at = store.now()
    due = beijing_date(issued_at) + dt.timedelta(days=supervision_days(beijing_date(issued_at)))
    year = beijing_date(issued_at).year
    made: list[Notice] = []
    with store.engine().connect() as con, con.begin():
        seq = first_free(con, year)                     # the numbering lock, held to the commit
        for auth in sorted(by_authority):
            number = f"督办〔{year}〕{seq}号"
            notice_id = con.execute(N.insert().values(
                year=year, seq=seq, number=number, month=month, authority=auth, issued_by=actor.name,
                issued_at=issued_at, due=due)).inserted_primary_key[0]
            notice = Notice(notice_id, number, month, auth, actor.name, issued_at, due)
            for a in by_authority[auth]:
                rules = [r.as_dict() for r in a.rules]
                values = dict(notice_id=notice_id, asset_id=a.asset_id, asset_name=a.asset_name, town=a.town,
                              village=a.village, authority=auth, month=month, tier=a.tier,
                              original_value=None if a.original_value is None else round(a.original_value, 2),
                              rules=json.dumps(rules, ensure_ascii=False, default=str),
                              issued_by=actor.name, issued_at=issued_at, due=due)
                item_id = con.execute(I.insert().values(**values)).inserted_primary_key[0]
                notice.items.append(Item(id=item_id, number=number, **(values | {
                    "rules": rules, "original_value": a.original_value})))
            made.append(notice)
            seq += 1
    if write_documents:
        from dashboard.supervision import notice as documents
        for n in made:
            documents.keep(n)
    for n in made:
        _record("supervision_issue", actor, n.number, details={
            "月份": label, "责任单位": n.authority, "资产": "、".join(i.asset_id for i in n.items),
            "整改时限": n.due.isoformat(), "通知": n.document or "—"})
    if not asset_ids and open_now:
        for n in made:
            n.skipped = sorted(open_now)
    return made


def first_free(con, year: int) -> int:
    """The next notice number N of `year`, taking the numbering lock first (PostgreSQL: an
    advisory lock; SQLite: BEGIN IMMEDIATE), so two servers or processes issuing at once
    never draw the same N; the lock is held until the caller's transaction ends.  The
    table's unique (year, seq) refuses a repeat whatever path wrote it."""
    schema.write_lock(con, LOCK)
    return con.execute(select(func.coalesce(func.max(N.c.seq), 0)).where(N.c.year == year)).scalar_one() + 1


def _open_items(asset_ids: list[str]) -> dict[str, str]:
    """asset_id → the number of its 督办 not yet 已销号."""
    if not asset_ids:
        return {}
    with store.engine().connect() as con:
        rows = con.execute(select(I.c.asset_id, N.c.number).join(N, N.c.id == I.c.notice_id)
                           .where(I.c.asset_id.in_(asset_ids), I.c.signed_at.is_(None))).all()
    return {r.asset_id: r.number for r in rows}


# --- read ----------------------------------------------------------------------------------

def _item(row, evidence: list[Evidence]) -> Item:
    data = row._asdict()
    rules = json.loads(data.pop("rules") or "[]")
    if data["original_value"] is not None:
        data["original_value"] = float(data["original_value"])
    return Item(**data, rules=rules, evidence=evidence)


def _query():
    return select(*I.c, N.c.number).join(N, N.c.id == I.c.notice_id)


def _evidence_of(con, item_ids: list[int]) -> dict[int, list[Evidence]]:
    out: dict[int, list[Evidence]] = {}
    if not item_ids:
        return out
    for r in con.execute(select(E).where(E.c.item_id.in_(item_ids)).order_by(E.c.id)).all():
        out.setdefault(r.item_id, []).append(Evidence(**r._asdict()))
    return out


def _mark_cleared(found: list[Item]) -> None:
    latest = red.latest() if found else None
    for it in found:
        if latest is None:
            it.cleared, it.still_red = None, []
        else:
            now = latest.assets.get(it.asset_id)
            it.still_red = now.rule_ids if now else []
            it.cleared = now is None


def items(actor: Actor, month: str | None = None, state: str | None = None, number: str | None = None,
          authority: str | None = None, today: dt.date | None = None, check_latest: bool = True) -> list[Item]:
    """The items the actor may see, newest notice first; `state` one of STATES or 逾期 / 预警已解除."""
    if not store.exists():
        return []
    query = _query()
    if not actor.whole:
        if actor.role == "village":
            query = query.where(I.c.authority == actor.town, I.c.village == actor.village)
        elif actor.authority:
            query = query.where(I.c.authority == actor.authority)
        else:
            return []
    if month:
        query = query.where(I.c.month == month)
    if number:
        query = query.where(N.c.number == number)
    if authority:
        query = query.where(I.c.authority == authority)
    with store.engine().connect() as con:
        rows = con.execute(query.order_by(N.c.year.desc(), N.c.seq.desc(), I.c.asset_id)).all()
        evidence = _evidence_of(con, [r.id for r in rows])
    found = [_item(r, evidence.get(r.id, [])) for r in rows]
    if check_latest or state == CLEARED:
        _mark_cleared(found)
    if state == OVERDUE:
        found = [i for i in found if i.state != SIGNED and i.overdue(today)]
    elif state == CLEARED:
        found = [i for i in found if i.cleared]
    elif state:
        if state not in STATES:
            raise SupervisionError(f"未知状态“{state}”，可选：{'、'.join((*STATES, OVERDUE, CLEARED))}。")
        found = [i for i in found if i.state == state]
    return found


def item(number: str, asset_id: str, actor: Actor, check_latest: bool = True) -> Item:
    """One item the actor may see; SupervisionError (the same words whether it exists or not) else."""
    number = _number(number)
    found = _one(number, asset_id, actor)
    if found is None:
        raise SupervisionError(_not_found(number, asset_id))
    if check_latest:
        _mark_cleared([found])
    return found


def _not_found(number: str, asset_id: str) -> str:
    return f"未找到{number}中资产{asset_id}的督办事项（或无权查看）。"


def _one(number: str, asset_id: str, actor: Actor) -> Item | None:
    if not store.exists():
        return None
    with store.engine().connect() as con:
        row = con.execute(_query().where(N.c.number == _number(number), I.c.asset_id == asset_id)).first()
        if row is None or not actor.sees(row.authority, row.village):
            return None
        return _item(row, _evidence_of(con, [row.id]).get(row.id, []))


def _number(text: str) -> str:
    """督办〔2026〕3号 as typed: 2026-3, 〔2026〕3 and [2026]3 name it too."""
    import re
    t = (text or "").strip()
    m = re.fullmatch(r"(?:督办)?\s*[〔\[(（]?\s*(\d{4})\s*[〕\])）-]?\s*(\d+)\s*号?", t)
    return f"督办〔{m[1]}〕{int(m[2])}号" if m else t


def notices(actor: Actor) -> list[Notice]:
    """The notices the actor may see (their items not filled in), newest first."""
    if not store.exists():
        return []
    query = select(N).order_by(N.c.year.desc(), N.c.seq.desc())
    if not actor.whole:
        if actor.role == "village":
            query = query.where(N.c.authority == actor.town)
        elif actor.authority:
            query = query.where(N.c.authority == actor.authority)
        else:
            return []
    with store.engine().connect() as con:
        return [Notice(**{k: v for k, v in r._asdict().items() if k not in ("year", "seq")})
                for r in con.execute(query).all()]


def notice_document(number: str, actor: Actor) -> tuple[str, bytes]:
    """The kept 督办通知 (file name, bytes) for one who may see its authority's items."""
    number = _number(number)
    found = [n for n in notices(actor) if n.number == number]
    if not found or not found[0].document:
        raise SupervisionError(f"未找到{number}的督办通知（或无权查看）。")
    n = found[0]
    path = snapshots.data_dir() / n.document
    if not path.is_file():
        raise SupervisionError(f"{number}的督办通知文件已不在数据目录中。")
    return path.name, path.read_bytes()


# --- answer, evidence ------------------------------------------------------------------------

def answer(number: str, asset_id: str, actor: Actor, measures: str, state: str,
           planned: dt.date | None = None) -> Item:
    """The authority's answer: 整改措施, 计划完成日期, 整改中 or 已整改（申请销号）."""
    number = _number(number)
    obj = f"{number} {asset_id}"
    it = _one(number, asset_id, actor)
    if it is None:
        _refuse("supervision_answer", actor, obj, _not_found(number, asset_id))
    if not actor.answers_for(it.authority):
        _refuse("supervision_answer", actor, obj, f"督办事项由责任单位{it.authority}反馈。")
    if it.state == SIGNED:
        _refuse("supervision_answer", actor, obj, f"{number}中资产{asset_id}已销号，不能再反馈。")
    if state not in ANSWER_STATES:
        _refuse("supervision_answer", actor, obj, f"整改状态应为“整改中”或“已整改”，不是“{state}”。")
    measures = (measures or "").strip()
    if not measures:
        _refuse("supervision_answer", actor, obj, "请填写整改措施。")
    if len(measures) > 4000:
        _refuse("supervision_answer", actor, obj, "整改措施过长（不超过4000字）。")
    now = store.now()
    fixed_at = (it.fixed_at or now) if state == FIXED else None
    with store.engine().connect() as con, con.begin():
        changed = con.execute(I.update().where(I.c.id == it.id, I.c.signed_at.is_(None)).values(
            measures=measures, planned=planned, answer_state=state, answered_by=actor.name,
            answered_at=now, fixed_at=fixed_at)).rowcount
    if not changed:                    # signed off by the banner meanwhile
        _refuse("supervision_answer", actor, obj, f"{number}中资产{asset_id}已销号，不能再反馈。")
    _record("supervision_answer", actor, obj, details={
        "整改状态": state, "整改措施": measures[:200], "计划完成日期": planned.isoformat() if planned else "—"})
    return item(number, asset_id, actor, check_latest=False)


def add_evidence(number: str, asset_id: str, actor: Actor, name: str, data: bytes | Path) -> Evidence:
    """Keep one evidence file (pdf, jpg, png, xlsx, docx; ≤ 20 MB; judged by its content) with its
    SHA-256 under the data folder; anything else is refused and nothing is stored."""
    number = _number(number)
    obj = f"{number} {asset_id}"
    it = _one(number, asset_id, actor)
    if it is None:
        _refuse("supervision_evidence", actor, obj, _not_found(number, asset_id))
    if not actor.answers_for(it.authority):
        _refuse("supervision_evidence", actor, obj, f"督办佐证材料由责任单位{it.authority}上传。")
    if it.state == SIGNED:
        _refuse("supervision_evidence", actor, obj, f"{number}中资产{asset_id}已销号，不能再上传佐证材料。")
    try:
        kept = files.keep(name, data)
    except files.EvidenceError as exc:
        _refuse("supervision_evidence", actor, obj, str(exc), {"文件": Path(str(name)).name})
    now = store.now()
    with store.engine().connect() as con, con.begin():
        new_id = con.execute(E.insert().values(
            item_id=it.id, name=kept.name, kind=kept.kind, bytes=kept.size, sha256=kept.sha256,
            path=kept.path, added_by=actor.name, added_at=now)).inserted_primary_key[0]
    _record("supervision_evidence", actor, obj, details={
        "文件": kept.name, "大小（字节）": kept.size, "SHA-256": kept.sha256})
    return Evidence(new_id, it.id, kept.name, kept.kind, kept.size, kept.sha256, kept.path, actor.name, now)


def evidence_file(evidence_id: int, actor: Actor) -> tuple[str, bytes]:
    """An evidence file served back — only to one who may see its item."""
    with store.engine().connect() as con:
        row = con.execute(select(E, I.c.authority, I.c.village).join(I, I.c.id == E.c.item_id)
                          .where(E.c.id == int(evidence_id))).first()
    if row is None or not actor.sees(row.authority, row.village):
        raise SupervisionError("未找到该佐证材料（或无权查看）。")
    path = snapshots.data_dir() / row.path
    if not path.is_file():
        raise SupervisionError(f"佐证材料“{row.name}”已不在数据目录中。")
    return row.name, path.read_bytes()


# --- sign-off ---------------------------------------------------------------------------------

def signoff(number: str, asset_id: str, actor: Actor, site_check: dt.date | None = None,
            recheck: dt.date | None = None, today: dt.date | None = None) -> Item:
    """销号 at the item's tier (policy-rules §7, "谁实施、谁销号"): T1 by the authority's own account
    once answered 已整改; T2 by the banner with a 实地核查日期; T3/T4 by the banner with the city's /
    region's 复核日期.  Refused while the latest saved month still has the asset red."""
    number = _number(number)
    obj = f"{number} {asset_id}"
    it = _one(number, asset_id, actor)
    if it is None:
        _refuse("supervision_signoff", actor, obj, _not_found(number, asset_id))
    today = today or beijing_today()
    if it.state == SIGNED:
        _refuse("supervision_signoff", actor, obj, f"{number}中资产{asset_id}已于{_day(it.signed_at)}销号。")
    if it.tier == "T1":
        if not actor.answers_for(it.authority):
            _refuse("supervision_signoff", actor, obj,
                    f"资产{asset_id}属T1层级（原值不超过100万元），由责任单位{it.authority}自行销号。")
    elif actor.role not in BANNER_ROLES and actor.role != COMMAND_LINE:
        _refuse("supervision_signoff", actor, obj,
                f"资产{asset_id}属{it.tier}层级，由旗级管理员或旗级领导销号（{TIER_WHO[it.tier]}）。")
    if it.state != FIXED:
        _refuse("supervision_signoff", actor, obj,
                f"{number}中资产{asset_id}尚未反馈“已整改”（当前：{it.state}），不能销号。")
    if it.tier == "T2":
        site_check = _date_given("实地核查日期", site_check, it, today, actor, obj)
    elif it.tier in ("T3", "T4"):
        body = "市乡村振兴部门" if it.tier == "T3" else "自治区乡村振兴部门"
        recheck = _date_given(f"{body}复核日期", recheck, it, today, actor, obj)
    latest = red.latest()
    now_red = latest.assets.get(asset_id) if latest else None
    if now_red is not None:
        named = "、".join(f"{r.rule_id}（{r.name}）" for r in now_red.rules)
        _refuse("supervision_signoff", actor, obj,
                f"资产{asset_id}在最新保存的{snapshots.month_label(latest.month)}仍为红色预警，不能销号。"
                f"仍触发的规则：{named}。", {"仍触发": "、".join(now_red.rule_ids)})
    now = store.now()
    with store.engine().connect() as con, con.begin():
        changed = con.execute(I.update().where(I.c.id == it.id, I.c.signed_at.is_(None),
                                               I.c.answer_state == FIXED).values(
            signed_by=actor.name, signed_at=now,
            site_check=site_check if it.tier == "T2" else None,
            recheck=recheck if it.tier in ("T3", "T4") else None)).rowcount
    if not changed:                    # answered again or signed off by another meanwhile
        _refuse("supervision_signoff", actor, obj, f"{number}中资产{asset_id}的状态刚被他人改变，请刷新后再试。")
    _record("supervision_signoff", actor, obj, details={
        "层级": it.tier, "实地核查日期": site_check.isoformat() if site_check and it.tier == "T2" else "—",
        "复核日期": recheck.isoformat() if recheck and it.tier in ("T3", "T4") else "—",
        "核对月份": snapshots.month_label(latest.month) if latest else "—"})
    return item(number, asset_id, actor)


def _date_given(what: str, value: dt.date | None, it: Item, today: dt.date, actor: Actor, obj: str) -> dt.date:
    if value is None:
        _refuse("supervision_signoff", actor, obj, f"资产{it.asset_id}属{it.tier}层级，销号须填写{what}。")
    if value > today:
        _refuse("supervision_signoff", actor, obj, f"{what}{_day(value)}晚于今天，不能销号。")
    if value < it.issue_date:
        _refuse("supervision_signoff", actor, obj, f"{what}{_day(value)}早于督办下发日期{_day(it.issue_date)}。")
    return value


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        value = beijing_date(value)
    return f"{value.year}年{value.month}月{value.day}日"


# --- reminders ----------------------------------------------------------------------------------

def reminders(actor: Actor) -> list[dict]:
    """The actor's reminders (no 督办): contracts ending within contract_yellow_months, income due
    within a month, as of the latest saved month; the banner sees every authority's."""
    if actor.whole:
        return red.reminders(None)
    if actor.role == "village":
        return [r for r in red.reminders(actor.town) if r["village"] == actor.village]
    return red.reminders(actor.authority) if actor.authority else []
