"""督办 (issue 23, verification.md §3): issuing on a saved month's red assets, numbering, the
states and 逾期 at the due date's edges, sign-off at tiers T1–T4 and its refusal while the
asset is still red, evidence files judged by content and size, scope on both stores, and the
command line end to end.

The saved months are made once for the file (2024-11: the sample with nothing stopped and all
income in, so December has new red; 2024-12: the sample; 2025-01: the sample without the
assets `cleared` names, so their warnings are gone) and every test links them into its own data
folder: its own store, evidence and notices, the evaluations shared (supervision/red.py keeps them).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import model, policy, snapshots, store
from dashboard.store import audit, schema
from dashboard import supervision as sv
from dashboard.supervision import evidence, red
from test_store import engine_name  # noqa: F401 — the store on SQLite and PostgreSQL

ADMIN = sv.Actor("旗管理员", "admin")
LEADER = sv.Actor("旗领导", "leader")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def department(name: str) -> sv.Actor:
    return sv.Actor(f"{name}账号", "department", department=name)


def owner_of(authority: str) -> sv.Actor:
    """The account answering for an authority: a town's, else a banner department's."""
    return sv.Actor(f"{authority}账号", "town", town=authority) if authority.endswith("镇") else department(authority)


@pytest.fixture(scope="module")
def months(tmp_path_factory, sample_books):
    """The shared snapshots folder and what the months hold: December is the sample; November
    has nothing stopped and all income in (so December has new red); January is November
    without the `cleared` assets (their warnings gone; the others red in both stay red)."""
    root = tmp_path_factory.mktemp("supervision") / "var"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZCPH_DATA_DIR", str(root))
        mp.delenv("ZCPH_DATABASE_URL", raising=False)
        december = sample_books.save("2024-12")
        con = model.connect()
        meta = snapshots.copy_in(december, con)
        model.load_negative_list(con, policy.read_negative_list())
        model.load_rule_catalog(con)
        con.execute("UPDATE assets SET operating_status = '良好', stop_date = NULL")
        con.execute("UPDATE income SET income_received = income_due")
        model.derive_facts(con)
        data_date = dt.date.fromisoformat(meta["data_date"])
        snapshots.save(con, "2024-11", data_date, [])
        dec = red.month_red("2024-12")
        new = sorted(red.new_red("2024-12"))
        both = sorted(set(dec.assets) - set(new))
        assert new and len(both) >= 4, (new, both)
        cleared = [new[0], *both[:3]]
        con.execute("DELETE FROM assets WHERE list_contains(?, asset_id)", [cleared])
        # and one asset's income falls due ten days after the data date, not yet paid (a reminder)
        con.execute("UPDATE income SET payment_due_date = ? + 10, payment_date = NULL "
                    "WHERE asset_id = (SELECT min(asset_id) FROM income WHERE NOT list_contains(?, asset_id))",
                    [data_date, cleared])
        model.derive_facts(con)
        snapshots.save(con, "2025-01", data_date, [])
        con.close()
        january = red.month_red("2025-01")
    still = sorted(set(dec.assets) & set(january.assets))
    assert still and not set(cleared) & set(january.assets)
    return {"snapshots": root / "snapshots", "red": dec, "new": new, "cleared": cleared, "still": still}


@pytest.fixture
def saved(months, monkeypatch, tmp_path):
    """The months in this test's data folder (a link), its own store."""
    data = Path(os.environ["ZCPH_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "snapshots").symlink_to(months["snapshots"], target_is_directory=True)
    store.engine()                                           # the store (no longer demo mode)
    return months


def _audit(action: str) -> list:
    return audit.rows(action=action)


# --- issue and numbering ------------------------------------------------------------------

def test_issue_on_new_red_makes_one_notice_per_authority_with_rules_facts_and_due(saved):
    dec = saved["red"]
    made = sv.issue("2024-12", ADMIN)
    assert sorted(i.asset_id for n in made for i in n.items) == saved["new"]
    assert sorted(n.authority for n in made) == sorted({dec.assets[a].authority for a in saved["new"]})
    year = sv.beijing_today().year
    assert [n.number for n in made] == [f"督办〔{year}〕{k}号" for k in range(1, len(made) + 1)]
    n = made[0]
    assert n.due == sv.beijing_today() + dt.timedelta(days=30)
    it = n.items[0]
    assert it.tier == dec.assets[it.asset_id].tier and it.rule_ids == dec.assets[it.asset_id].rule_ids
    assert all(r["text"] and isinstance(r["facts"], dict) for r in it.rules)
    # the notice is kept: Word, its number as 期号 under the 红头, the asset, its rules' words
    name, data = sv.notice_document(n.number, ADMIN)
    import docx
    doc = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for row in doc.tables[0].rows for c in row.cells)
    assert name.startswith(n.number) and "督  办  通  知" in text and n.number in text
    assert f"{n.authority}：" in text and "整改时限" in text
    assert it.asset_id in cells and it.rules[0]["text"] in cells
    entries = _audit("supervision_issue")
    assert {e.object for e in entries} == {m.number for m in made} and entries[0].user_name == "旗管理员"


def test_demo_mode_issues_nothing_and_writes_nothing(months):
    data = Path(os.environ["ZCPH_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "snapshots").symlink_to(months["snapshots"], target_is_directory=True)
    with pytest.raises(sv.SupervisionError, match="演示模式"):
        sv.issue("2024-12", ADMIN)
    with pytest.raises(sv.SupervisionError, match="未找到"):
        sv.answer("督办〔2026〕1号", months["new"][0], department("农牧局"), "措施", "已整改")
    assert sv.items(ADMIN) == [] and not store.exists() and not store.sqlite_path().exists()


def test_issue_refusals(saved):
    still = saved["still"][0]
    not_red = "NO-SUCH-ASSET"
    for actor in (department("农牧局"), sv.Actor("城川镇账号", "town", town="城川镇")):
        with pytest.raises(sv.SupervisionError, match="只有旗级管理员或旗级领导"):
            sv.issue("2024-12", actor, asset_ids=[still])
    with pytest.raises(sv.SupervisionError, match="没有已保存"):
        sv.issue("2023-01", ADMIN)
    with pytest.raises(sv.SupervisionError, match=f"{not_red}在2024年12月不是红色预警"):
        sv.issue("2024-12", LEADER, asset_ids=[still, not_red])
    first = sv.issue("2024-12", LEADER, asset_ids=[still])[0]
    with pytest.raises(sv.SupervisionError, match=f"已有未销号的督办.*{still}（{first.number}）"):
        sv.issue("2024-12", ADMIN, asset_ids=[still])
    assert len(_audit("supervision_issue")) == 6 and sum(
        e.outcome == "refused" for e in _audit("supervision_issue")) == 5
    assert sv.items(ADMIN, check_latest=False)[0].issued_by == "旗领导"


def test_numbers_stay_unique_when_two_issue_at_once(saved):
    dec = saved["red"]
    by_authority = {}
    for a in saved["still"]:
        by_authority.setdefault(dec.assets[a].authority, a)
    picks = list(by_authority.values())[:2] or saved["still"][:2]
    picks = picks if len(picks) == 2 else saved["still"][:2]
    numbers, errors = [], []

    def one(asset):
        try:
            numbers.extend(n.number for n in sv.issue("2024-12", ADMIN, asset_ids=[asset], write_documents=False))
        except Exception as exc:            # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=one, args=(a,)) for a in picks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    year = sv.beijing_today().year
    assert not errors and sorted(numbers) == [f"督办〔{year}〕1号", f"督办〔{year}〕2号"]


def _two_writers_never_draw_the_same_number():
    """Two servers numbering at the same moment (each its own connection, the second asking
    while the first still holds its number uncommitted): 1 and 2; the schema refuses a repeat."""
    N = schema.supervision_notices
    start, drawn, errors = threading.Barrier(2), [], []

    def writer(k):
        try:
            start.wait()
            with store.engine().connect() as con, con.begin():
                seq = sv.first_free(con, 2099)
                time.sleep(0.15)                                   # the other asks now
                con.execute(N.insert().values(year=2099, seq=seq, number=f"督办〔2099〕{seq}号", month="2024-12",
                                              authority=f"单位{k}", issued_at=store.now(), due=dt.date(2027, 1, 1)))
            drawn.append(seq)
        except Exception as exc:             # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=writer, args=(k,)) for k in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(drawn) == [1, 2]
    for year, free in ((2099, 3), (2098, 1)):
        with store.engine().connect() as con, con.begin():
            assert sv.first_free(con, year) == free
    for repeat in ({"seq": 1, "number": "督办〔2099〕9号"}, {"seq": 9, "number": "督办〔2099〕1号"}):
        with pytest.raises(sa.exc.IntegrityError):
            with store.engine().begin() as con:
                con.execute(N.insert().values(year=2099, month="2024-12", authority="x", issued_at=store.now(),
                                              due=dt.date(2027, 1, 1), **repeat))


# --- states, 逾期, sign-off at the tier ------------------------------------------------------

def test_states_and_overdue_at_the_due_dates_edges(saved):
    dec = saved["red"]
    asset = saved["still"][0]
    owner = owner_of(dec.assets[asset].authority)
    n = sv.issue("2024-12", ADMIN, asset_ids=[asset], write_documents=False)[0]
    it = sv.item(n.number, asset, owner)
    assert it.state == "待反馈" and it.cleared is False and it.still_red == dec.assets[asset].rule_ids
    due = it.due
    assert [it.overdue(due - dt.timedelta(days=1)), it.overdue(due), it.overdue(due + dt.timedelta(days=1))] \
        == [False, False, True]
    assert it.state_label(due + dt.timedelta(days=1)) == "待反馈（逾期）"
    assert [i.asset_id for i in sv.items(owner, state="逾期", today=due + dt.timedelta(days=1))] == [asset]
    assert sv.items(owner, state="逾期", today=due) == []
    with pytest.raises(sv.SupervisionError, match="整改中.*已整改"):
        sv.answer(n.number, asset, owner, "已安排", "已销号")
    with pytest.raises(sv.SupervisionError, match="请填写整改措施"):
        sv.answer(n.number, asset, owner, "  ", "整改中")
    with pytest.raises(sv.SupervisionError, match="由责任单位"):
        sv.answer(n.number, asset, ADMIN, "代填", "整改中")
    with pytest.raises(sv.SupervisionError, match="尚未反馈“已整改”（当前：待反馈）"):
        sv.signoff(n.number, asset, owner if it.tier == "T1" else ADMIN, site_check=sv.beijing_today())
    it = sv.answer(n.number, asset, owner, "已约谈运营主体", "整改中", planned=due)
    assert (it.state, it.planned, it.fixed_at) == ("整改中", due, None)
    it = sv.answer(n.number, asset, owner, "已收回欠款", "已整改")
    assert it.state == "已整改" and it.fixed_at is not None
    # answered 已整改 in time: never late, whatever today is
    assert not it.overdue(due + dt.timedelta(days=400))
    # an answer 已整改 after the due date stays marked 逾期 (set the date back: issued 31 days ago)
    with store.engine().begin() as con:
        con.execute(schema.supervision_items.update().where(schema.supervision_items.c.id == it.id)
                    .values(due=sv.beijing_date(it.fixed_at) - dt.timedelta(days=1)))
    assert sv.item(n.number, asset, owner).overdue()
    # still red in the latest saved month (2025-01): refused, naming the rules still firing
    who = owner if it.tier == "T1" else ADMIN
    with pytest.raises(sv.SupervisionError, match="最新保存的2025年1月仍为红色预警") as refused:
        sv.signoff(n.number, asset, who, site_check=sv.beijing_today(), recheck=sv.beijing_today())
    assert all(r in str(refused.value) for r in dec.assets[asset].rule_ids)
    assert _audit("supervision_signoff")[0].outcome == "refused"


def _issued_cleared(saved):
    """督办 on every asset January cleared, answered 已整改 by its authority: {tier: (number, asset, owner)}."""
    dec = saved["red"]
    made = sv.issue("2024-12", ADMIN, asset_ids=saved["cleared"], write_documents=False)
    out = []
    for n in made:
        for it in n.items:
            owner = owner_of(dec.assets[it.asset_id].authority)
            sv.answer(n.number, it.asset_id, owner, "已整改完毕", "已整改")
            out.append((n.number, it.asset_id, owner, it.tier))
    return out


def _set_tier(number, asset, tier):
    with store.engine().begin() as con:
        item_id = con.execute(sa.select(schema.supervision_items.c.id)
                              .join(schema.supervision_notices)
                              .where(schema.supervision_notices.c.number == number,
                                     schema.supervision_items.c.asset_id == asset)).scalar_one()
        con.execute(schema.supervision_items.update().where(schema.supervision_items.c.id == item_id)
                    .values(tier=tier))


def test_signoff_at_each_tier(saved):
    today = sv.beijing_today()
    done = _issued_cleared(saved)
    assert len(done) == 4
    (n1, a1, o1, _), (n2, a2, _, _), (n3, a3, o3, _), (n4, a4, _, _) = done
    for number, asset, tier in ((n1, a1, "T1"), (n2, a2, "T2"), (n3, a3, "T3"), (n4, a4, "T4")):
        _set_tier(number, asset, tier)
    assert sv.item(n1, a1, ADMIN).state_label() == "已整改（预警已解除）"
    # T1: the authority's own account, not the banner
    with pytest.raises(sv.SupervisionError, match="T1层级.*自行销号"):
        sv.signoff(n1, a1, ADMIN)
    it = sv.signoff(n1, a1, o1)
    assert it.state == "已销号" and it.signed_by == o1.name and it.site_check is None
    with pytest.raises(sv.SupervisionError, match="已于.*销号"):
        sv.signoff(n1, a1, o1)
    with pytest.raises(sv.SupervisionError, match="已销号，不能再反馈"):
        sv.answer(n1, a1, o1, "再改", "整改中")
    # T2: the banner, with a 实地核查日期 not in the future and not before the issue
    with pytest.raises(sv.SupervisionError, match="由旗级管理员或旗级领导销号"):
        sv.signoff(n3, a3, o3, recheck=today)
    with pytest.raises(sv.SupervisionError, match="须填写实地核查日期"):
        sv.signoff(n2, a2, LEADER)
    with pytest.raises(sv.SupervisionError, match="晚于今天"):
        sv.signoff(n2, a2, LEADER, site_check=today + dt.timedelta(days=1))
    with pytest.raises(sv.SupervisionError, match="早于督办下发日期"):
        sv.signoff(n2, a2, LEADER, site_check=today - dt.timedelta(days=1))
    it = sv.signoff(n2, a2, LEADER, site_check=today)
    assert (it.state, it.site_check, it.recheck) == ("已销号", today, None)
    # T3 / T4: the city's / region's 复核日期
    with pytest.raises(sv.SupervisionError, match="须填写市乡村振兴部门复核日期"):
        sv.signoff(n3, a3, ADMIN, site_check=today)
    assert sv.signoff(n3, a3, ADMIN, recheck=today).recheck == today
    with pytest.raises(sv.SupervisionError, match="须填写自治区乡村振兴部门复核日期"):
        sv.signoff(n4, a4, ADMIN)
    assert sv.signoff(n4, a4, ADMIN, recheck=today).state == "已销号"
    assert [e.outcome for e in _audit("supervision_signoff")].count("ok") == 4
    assert {i.state for i in sv.items(ADMIN, state="已销号")} == {"已销号"} and len(sv.items(ADMIN, state="已销号")) == 4


# --- evidence --------------------------------------------------------------------------------

def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


def test_evidence_is_judged_by_content_and_size_and_nothing_else_is_stored(saved, tmp_path):
    dec = saved["red"]
    asset = saved["still"][0]
    owner = owner_of(dec.assets[asset].authority)
    n = sv.issue("2024-12", ADMIN, asset_ids=[asset], write_documents=False)[0]
    folder = snapshots.data_dir() / "supervision" / "evidence"
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.write(PDF)
        f.truncate(evidence.MAX_BYTES + 1)
    refused = [("run.exe", b"MZ\x90\0"), ("scan.pdf", PNG), ("photo.png", PDF), ("表.xlsx", _zip(["a.txt"])),
               ("文.docx", _zip(["[Content_Types].xml", "xl/workbook.xml"])), ("空.pdf", b""), ("big.pdf", big),
               ("报告.doc", PDF)]
    for name, data in refused:
        with pytest.raises(sv.SupervisionError) as exc:
            sv.add_evidence(n.number, asset, owner, name, data)
        assert any(w in str(exc.value) for w in ("只接受PDF", "超过20 MB", "空文件")), str(exc.value)
    assert not folder.exists() or not any(folder.iterdir())
    assert sv.item(n.number, asset, owner).evidence == []
    with pytest.raises(sv.SupervisionError, match="由责任单位"):
        sv.add_evidence(n.number, asset, ADMIN, "a.pdf", PDF)
    exact = PDF + b"\0" * (evidence.MAX_BYTES - len(PDF))               # 20 MB exactly: accepted
    kept = [sv.add_evidence(n.number, asset, owner, name, data) for name, data in (
        ("C:\\扫描\\整改报告.pdf", exact), ("现场.PNG", PNG), ("x.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 8),
        ("台账.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"])),
        ("说明.docx", _zip(["[Content_Types].xml", "word/document.xml"])))]
    assert [k.name for k in kept] == ["整改报告.pdf", "现场.PNG", "x.jpeg", "台账.xlsx", "说明.docx"]
    assert [k.kind for k in kept] == ["pdf", "png", "jpg", "xlsx", "docx"] and kept[0].bytes == evidence.MAX_BYTES
    import hashlib
    assert kept[0].sha256 == hashlib.sha256(exact).hexdigest()
    assert (snapshots.data_dir() / kept[0].path).read_bytes() == exact
    assert sv.evidence_file(kept[1].id, owner) == ("现场.PNG", PNG)
    assert [e.outcome for e in _audit("supervision_evidence")].count("refused") == 9


# --- scope on both stores --------------------------------------------------------------------

def _seed_items() -> dict:
    """Two authorities' items written straight into the store (no month evaluated)."""
    store.engine()                                           # the store, created and migrated
    now = store.now()
    due = sv.beijing_date(now) + dt.timedelta(days=30)
    N, I = schema.supervision_notices, schema.supervision_items
    out = {}
    with store.engine().begin() as con:
        for seq, (auth, asset, village) in enumerate((("城川镇", "A-1", "大发村"), ("昂素镇", "B-1", "昂素村"),
                                                     ("农牧局", "C-1", None)), 1):
            nid = con.execute(N.insert().values(year=2026, seq=seq, number=f"督办〔2026〕{seq}号", month="2024-12",
                                                authority=auth, issued_at=now, due=due)).inserted_primary_key[0]
            con.execute(I.insert().values(notice_id=nid, asset_id=asset, asset_name="资产", town=auth, village=village,
                                          authority=auth, month="2024-12", tier="T1", rules="[]", issued_at=now,
                                          due=due))
            out[auth] = (f"督办〔2026〕{seq}号", asset)
    return out


def test_numbering_and_scope_on_both_stores(engine_name):
    """Numbers stay unique with two writers; an authority neither reads nor answers another's."""
    seeded = _seed_items()
    _two_writers_never_draw_the_same_number()
    town = sv.Actor("城川镇账号", "town", town="城川镇")
    other = sv.Actor("昂素镇账号", "town", town="昂素镇")
    dept = department("农牧局")
    village = sv.Actor("大发村账号", "village", town="城川镇", village="大发村")
    mine, theirs = seeded["城川镇"], seeded["昂素镇"]
    assert [i.asset_id for i in sv.items(town, check_latest=False)] == ["A-1"]
    assert [i.asset_id for i in sv.items(dept, check_latest=False)] == ["C-1"]
    assert [i.asset_id for i in sv.items(village, check_latest=False)] == ["A-1"]
    assert sorted(i.asset_id for i in sv.items(ADMIN, check_latest=False)) == ["A-1", "B-1", "C-1"]
    assert [n.number for n in sv.notices(town)] == [mine[0]]
    for actor in (other, dept):
        with pytest.raises(sv.SupervisionError, match="未找到.*或无权查看"):
            sv.item(*mine, actor)
        with pytest.raises(sv.SupervisionError, match="未找到.*或无权查看"):
            sv.answer(*mine, actor, "越权反馈", "已整改")
        with pytest.raises(sv.SupervisionError, match="未找到.*或无权查看"):
            sv.add_evidence(*mine, actor, "a.pdf", PDF)
        with pytest.raises(sv.SupervisionError, match="未找到.*或无权查看"):
            sv.signoff(*mine, actor)
    with pytest.raises(sv.SupervisionError, match="由责任单位城川镇反馈"):
        sv.answer(*mine, village, "村里反馈", "整改中")          # a village reads its items, the town answers
    kept = sv.add_evidence(*mine, town, "a.pdf", PDF)
    with pytest.raises(sv.SupervisionError, match="无权查看"):
        sv.evidence_file(kept.id, other)
    assert sv.evidence_file(kept.id, village) == ("a.pdf", PDF)
    assert sv.answer(*mine, town, "已整改", "已整改").state == "已整改"
    assert sv.item(*theirs, other, check_latest=False).state == "待反馈"
    refused = [e for e in audit.rows() if e.outcome == "refused"]
    assert len(refused) == 7 and {e.user_name for e in refused} == {"昂素镇账号", "农牧局账号", "大发村账号"}


# --- reminders ---------------------------------------------------------------------------------

def test_reminders_list_an_authoritys_contracts_ending_and_income_due(saved):
    everyone = sv.reminders(ADMIN)
    assert everyone, "the sample has contracts ending and income due around its data date"
    as_of = red.latest().as_of
    for r in everyone:
        assert as_of <= r["due_date"] <= as_of + dt.timedelta(days=31 * (3 if r["kind"] == "contract" else 1))
    auth = everyone[0]["authority"]
    actor = owner_of(auth)
    assert sv.reminders(actor) == [r for r in everyone if r["authority"] == auth]
    assert {r["kind"] for r in everyone} == {"contract", "income"}


# --- the command line ------------------------------------------------------------------------------

def test_the_command_line_flow_on_the_saved_months(saved, tmp_path, capsys):
    from dashboard.cli import main
    cleared = saved["new"][0]                    # new red in December, gone in January
    assert main(["supervision", "issue", "--month", "2024-12", "--out", str(tmp_path / "n.docx")]) == 0
    out = capsys.readouterr().out
    number = next(i.number for i in sv.items(ADMIN, check_latest=False) if i.asset_id == cleared)
    assert cleared in out and ((tmp_path / "n.docx").exists() or list(tmp_path.glob("n_*.docx")))
    assert main(["supervision", "list", "--out", str(tmp_path / "l.csv")]) == 0
    csv = (tmp_path / "l.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[0] == "督办编号,资产编号,责任单位,销号层级,下发日期,整改时限,办理状态,是否逾期,整改反馈,销号"
    assert len(csv) == 1 + len(saved["new"]) and "待反馈（预警已解除）" in "\n".join(csv)
    bad = tmp_path / "证明.pdf"
    bad.write_bytes(PNG)
    assert main(["supervision", "answer", number, "--asset", cleared, "--measures", "已恢复运营",
                 "--state", "已整改", "--evidence", str(bad)]) == 2
    assert "内容不是PDF文件" in capsys.readouterr().err
    assert sv.item(number, cleared, ADMIN).state == "待反馈"          # nothing written
    good = tmp_path / "整改报告.pdf"
    good.write_bytes(PDF)
    assert main(["supervision", "answer", number, "--asset", cleared, "--measures", "已恢复运营",
                 "--state", "已整改", "--planned", "2026-12-31", "--evidence", str(good)]) == 0
    assert "已整改，佐证材料1份" in capsys.readouterr().out
    tier = sv.item(number, cleared, ADMIN).tier
    args = [] if tier == "T1" else ["--site-check", sv.beijing_today().isoformat()]
    assert main(["supervision", "signoff", number, "--asset", cleared, *args]) == 0
    assert "已销号" in capsys.readouterr().out
    still = sv.issue("2024-12", ADMIN, asset_ids=[saved["still"][0]], write_documents=False)[0]
    sv.answer(still.number, saved["still"][0], sv.Actor.command_line(), "已整改", "已整改")
    assert main(["supervision", "signoff", still.number, "--asset", saved["still"][0],
                 "--site-check", sv.beijing_today().isoformat(), "--recheck", sv.beijing_today().isoformat()]) == 2
    err = capsys.readouterr().err
    assert "仍为红色预警" in err and saved["red"].assets[saved["still"][0]].rule_ids[0] in err
    assert main(["supervision", "list", "--state", "已销号", "--out", str(tmp_path / "s.csv")]) == 0
    rows = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(rows) == 1 and rows[0].startswith(f"{number},{cleared},") and "已恢复运营（计划完成日期：2026-12-31）" in rows[0]
    assert main(["supervision", "notice", number, "--out", str(tmp_path / "again.docx")]) == 0
    assert main(["supervision", "list", "--state", "办结", "--out", str(tmp_path / "x.csv")]) == 2
    assert "未知状态" in capsys.readouterr().err
    users = {e.user_name for e in audit.rows() if e.action.startswith("supervision")}
    assert len(users) == 2 and any(u.startswith("命令行（") for u in users)


def test_the_time_limit_is_the_edition_in_force_on_the_issue_day(saved):
    """verification.md §4: supervision_days belongs to the edition; a later edition in force on
    the day of issue gives its own 整改时限."""
    import dataclasses
    from dashboard import editions
    seed = editions.seed()
    today = sv.beijing_today()
    later = dataclasses.replace(seed, document="鄂前政办发〔2026〕9号", effective_from=today - dt.timedelta(days=1),
                                parameters={**seed.parameters, "supervision_days": 15})
    editions.save(later)
    assert sv.supervision_days(today - dt.timedelta(days=2)) == 30 and sv.supervision_days(today) == 15
    made = sv.issue("2024-12", ADMIN)
    assert {n.due for n in made} == {today + dt.timedelta(days=15)}
