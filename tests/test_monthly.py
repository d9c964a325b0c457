"""The monthly rhythm over two simulated months: four towns and three departments submit
their parts (one late, one again, one conflicting), 报送情况 says who reported when, the
consolidated snapshot equals the union of the parts in force, and the command line reads it.
Each authority submits the whole sample workbook; it keeps only the assets it reports."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys

import docx
import openpyxl
import pytest

from conftest import COMMITTED_SAMPLE, ROOT, account
from dashboard import ledgers, places, snapshots, store
from dashboard import supervision as sv
from dashboard.monthly import consolidate as C
from dashboard.monthly import status as S
from dashboard.monthly import submissions as M
from dashboard.store import audit

DEPARTMENTS = ("农牧局", "水利局", "交通运输局")
AUTHORITIES = (*places.TOWNS, *DEPARTMENTS)


@pytest.fixture
def clock(monkeypatch):
    """Submissions at chosen Beijing times (the store keeps UTC)."""
    def at(day: str, hour: int = 10) -> None:
        moment = dt.datetime.fromisoformat(day) + dt.timedelta(hours=hour - 8)
        monkeypatch.setattr(store, "now", lambda: moment)
    return at


@pytest.fixture
def offices():
    account()
    for d in DEPARTMENTS:
        account(d, "department", department=d)


def authority_of(books) -> dict[str, str]:
    """The sample's asset ID → its reporting authority, as the policy defines it."""
    from dashboard.store import settings
    out = {}
    for asset_id, town, department in books.con.execute("SELECT asset_id, town, department FROM assets").fetchall():
        out[asset_id] = settings.department_of(department) or town
    return out


def moved_asset(tmp_path, books) -> tuple:
    """A copy of the sample where one 城川镇 asset of 农牧局 says 城川镇人民政府 instead."""
    asset_id = books.con.execute("SELECT asset_id FROM assets WHERE town = '城川镇' AND department LIKE '%农牧局' "
                                 "ORDER BY asset_id LIMIT 1").fetchone()[0]
    path = tmp_path / "城川镇台账.xlsx"
    shutil.copy(COMMITTED_SAMPLE, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["资产台账"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=5) if any(c.value == "主管部门" for c in r))
    col = next(c.column for c in header if c.value == "主管部门")
    id_col = next(c.column for c in header if c.value == "资产编号")
    row = next(r for r in range(header[0].row + 1, ws.max_row + 1) if ws.cell(r, id_col).value == asset_id)
    ws.cell(row, col).value = "城川镇人民政府"
    wb.save(path)
    return path, asset_id


def test_two_months_of_submissions_status_and_consolidation(tmp_path, offices, clock, sample_books):
    owner = authority_of(sample_books)
    # November: everyone on time but 交通运输局, which reports on the 27th.
    for authority in AUTHORITIES:
        clock("2024-11-27" if authority == "交通运输局" else "2024-11-20")
        out = M.submit("2024-11", authority, [COMMITTED_SAMPLE], by="旗管理员", progress=f"{authority}11月推进情况")
        assert out.submission is not None, out.message
        assert out.submission.accepted == sum(1 for a in owner.values() if a == authority)
        theirs = out.rejected[out.rejected.reason.str.contains("的报送主体是")]
        assert len(theirs) == len(owner) - out.submission.accepted
        assert set(theirs.column) <= {"所在镇", "主管部门"} and theirs.row.notna().all()
    # December: 城川镇 first on time, then again with an asset moved from 农牧局 (a conflict);
    # 昂素镇 does not report; 水利局 late.
    path, conflict_id = moved_asset(tmp_path, sample_books)
    for authority in AUTHORITIES:
        if authority == "昂素镇":
            continue
        clock("2024-12-28" if authority == "水利局" else "2024-12-18")
        M.submit("2024-12", authority, [COMMITTED_SAMPLE], by="旗管理员")
    clock("2024-12-24")
    again = M.submit("2024-12", "城川镇", [path], by="城川镇", progress="补报：一项资产改由镇管护")
    assert "重新报送" in again.message and again.submission.accepted == \
        sum(1 for a in owner.values() if a == "城川镇") + 1

    clock("2024-12-30")
    rows = {r.authority: r for r in S.status("2024-12")}
    assert set(rows) == set(AUTHORITIES)
    assert rows["昂素镇"].state == "missing" and rows["昂素镇"].overdue
    assert rows["水利局"].state == "late" and rows["城川镇"].state == "on_time" and rows["城川镇"].submissions == 2
    assert rows["城川镇"].part.progress == "补报：一项资产改由镇管护"
    assert rows["城川镇"].changes == {"added": 1, "removed": 0, "changed": 0, "new_warnings": rows["城川镇"].changes["new_warnings"],
                                     "cleared_warnings": rows["城川镇"].changes["cleared_warnings"]}
    assert rows["农牧局"].changes["added"] == 0 and rows["农牧局"].changes["removed"] == 0
    early = {r.authority: r for r in S.status("2024-12", today=dt.date(2024, 12, 20))}
    assert not early["昂素镇"].overdue                       # not red before the 25th

    result = C.consolidate("2024-12")
    assert [c.asset_id for c in result.conflicts] == [conflict_id]
    assert result.conflicts[0].authorities == ["农牧局", "城川镇"] or \
        set(result.conflicts[0].authorities) == {"农牧局", "城川镇"}
    books = ledgers.saved_month(result.snapshot)
    got = {a: f for a, f in books.con.execute("SELECT asset_id, source_file FROM assets").fetchall()}
    # The union of the parts in force, the conflict kept out, and 昂素镇 — which did not report
    # December — carried forward from its November part (issue 19), every row marked.
    expected = {a for a, who in owner.items() if who in AUTHORITIES}
    assert set(got) == expected - {conflict_id}
    november = M.latest("2024-11")["昂素镇"]
    assert [(c.authority, c.month, c.assets) for c in result.carried] == [("昂素镇", "2024-11", november.accepted)]
    assert all(f.startswith(f"沿用上月（2024年11月）·昂素镇报送#{november.id}·") for a, f in got.items()
               if owner[a] == "昂素镇")
    assert all(f.startswith(f"{owner[a]}报送#") for a, f in got.items() if owner[a] != "昂素镇")
    assert "昂素镇未报送，沿用11月数据" in result.message
    chengchuan = M.latest("2024-12")["城川镇"]
    assert all(f.startswith(f"城川镇报送#{chengchuan.id}·") for a, f in got.items() if owner[a] == "城川镇")
    income = books.con.execute("SELECT count(*) FROM income WHERE asset_row IS NULL").fetchone()[0]
    assert income == 0                                       # every income row follows its asset
    assert snapshots.find("2024-12") is not None
    # 督办 on every red asset, long overdue by the time the dispatch is printed: its longest
    # 督办办理情况 sentence must still leave the dispatch on two pages (issue 23.4).
    assert sv.issue("2024-12", sv.Actor.command_line(), all_red=True, write_documents=False)
    # one answered (the month after, as an office would): the sentence holds what was answered too
    first = sv.items(sv.Actor.command_line())[0]
    sv.answer(first.number, first.asset_id, sv.Actor.command_line(), measures="已联系运营方", state=sv.WORKING)
    _the_dispatch_prints_on_two_pages(tmp_path)


def test_a_month_most_authorities_missed_still_prints_on_two_pages(tmp_path, offices, clock):
    """Six of seven authorities do not report December (all carried forward from November), the one
    that does writes its 工作推进情况, and 督办 goes out on every red asset: the dispatch names the
    six once, says what was carried in one clause, puts the 工作推进情况 in its text, and stays on
    two pages (it printed three when each carried authority had its sentence and its table row)."""
    for authority in AUTHORITIES:
        clock("2024-11-20")
        M.submit("2024-11", authority, [COMMITTED_SAMPLE], by="旗管理员")
    clock("2024-12-18")
    progress = "本月完成全镇项目资产核实，对闲置低效资产逐项制定盘活方案"
    M.submit("2024-12", "城川镇", [COMMITTED_SAMPLE], by="旗管理员", progress=progress)
    clock("2024-12-30")
    result = C.consolidate("2024-12")
    assert len(result.carried) == len(AUTHORITIES) - 1
    assert sv.issue("2024-12", sv.Actor.command_line(), all_red=True, write_documents=False)
    text = _the_dispatch_prints_on_two_pages(tmp_path, answered=False)
    missing = [a for a in AUTHORITIES if a != "城川镇"]
    assert f"未报送{len(missing)}个（{'、'.join(missing)}），均沿用11月数据（资产共" in text
    assert "未报送，沿用11月数据" not in text                   # not once per authority
    assert f"请未报送的{len(missing)}个单位尽快补报" in text
    assert f"各单位本月工作推进情况：城川镇，{progress}。" in text
    sheet = openpyxl.load_workbook(tmp_path / "月调度_附表.xlsx")["报送情况"]
    assert progress in [c.value for row in sheet.iter_rows() for c in row]


def test_the_dispatch_gives_each_authoritys_progress_its_share_of_the_text():
    from dashboard.reports import narrative as N
    assert N.progress([]) == ""
    assert N.progress([("城川镇", "已完成核实。")]) == "各单位本月工作推进情况：城川镇，已完成核实。"
    long = "对闲置低效资产逐项制定盘活方案并落实管护责任，" * 6
    one = N.progress([("城川镇", long)])
    assert one.endswith("…（全文见附表“报送情况”）。") and len(one) < len("各单位本月工作推进情况：城川镇，") + N.PROGRESS_EACH + 16
    seven = N.progress([(a, long) for a in AUTHORITIES])
    assert seven.endswith("（全文见附表“报送情况”）。")
    shares = seven.removesuffix("（全文见附表“报送情况”）。").split("：", 1)[1].split("；")
    assert [s.split("，", 1)[0] for s in shares] == list(AUTHORITIES)       # every authority, in order
    assert all(len(s.split("，", 1)[1]) <= N.PROGRESS_BUDGET // len(AUTHORITIES) + 12 for s in shares)


def _the_dispatch_prints_on_two_pages(tmp_path, answered: bool = True) -> str:
    """December's dispatch of the consolidated month, under its 红头 and with its 版记, as
    LibreOffice prints it: 1–2 pages (issue 12); its 附表 beside it.  Returns its text."""
    out = tmp_path / "月调度.docx"
    done = _cli("report", "monthly", "--period", "2024-12", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "月调度_附表.xlsx").exists()
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "督办办理情况：累计下发督办" in text and "逾期未整改" in text
    assert not answered or "已反馈1项" in text
    if not (shutil.which("libreoffice") and shutil.which("pdfinfo")):
        assert not os.environ.get("CI"), "CI must install LibreOffice and poppler-utils"
        return text
    profile = f"file://{tmp_path / 'lo-profile'}"
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(tmp_path / "月调度.pdf")], check=True, capture_output=True, text=True)
    pages = int(info.stdout.split("Pages:")[1].split()[0])
    assert 1 <= pages <= 2, pages
    return text


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_submit_consolidate_evaluate_and_report_from_the_command_line(tmp_path, offices):
    done = _cli("submit", "--month", "2024-12", "--authority", "城川镇", str(COMMITTED_SAMPLE), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "城川镇2024年12月报送：接收资产" in done.stdout
    with open(tmp_path / "rejected.csv", encoding="utf-8-sig", newline="") as f:
        rejected = list(csv.reader(f))
    assert rejected[0] == ["file", "sheet", "row", "column", "reason"] and len(rejected) > 100
    assert _cli("submit", "--month", "2024-13", "--authority", "城川镇", str(COMMITTED_SAMPLE)).returncode == 2
    wrong = _cli("submit", "--month", "2024-12", "--authority", "北京", str(COMMITTED_SAMPLE))
    assert wrong.returncode == 2 and "不是报送单位" in wrong.stderr and "Traceback" not in wrong.stderr
    assert _cli("submit", "--month", "2024-12", "--authority", "农牧局", str(COMMITTED_SAMPLE)).returncode == 0
    merged = _cli("consolidate", "--month", "2024-12")
    assert merged.returncode == 0 and "已汇总2024年12月：2个单位的报送" in merged.stdout, merged.stderr
    out = tmp_path / "eval"
    evaluated = _cli("evaluate", "--month", "2024-12", "--out", str(out))
    assert evaluated.returncode == 0, evaluated.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2024-12-31"                  # the month's own date (policy-rules §9)
    with open(out / "assets.csv", encoding="utf-8-sig") as f:
        assets = list(csv.DictReader(io.StringIO(f.read())))
    parts = M.latest("2024-12")
    assert len(assets) == parts["城川镇"].accepted + parts["农牧局"].accepted
    report = _cli("report", "monthly", "--period", "2024-12", "--out", str(tmp_path / "月调度.docx"))
    assert report.returncode == 0 and (tmp_path / "月调度.docx").read_bytes()[:2] == b"PK", report.stderr
    missing = _cli("evaluate", "--month", "2024-10", "--out", str(tmp_path / "x"))
    assert missing.returncode == 2 and "consolidate" in missing.stderr
    outcomes = sorted(r.outcome for r in audit.rows(action="submit"))
    assert outcomes == ["ok", "ok", "refused", "refused"] and len(audit.rows(action="consolidate")) == 1
    # the consolidated month leaving the server from the shell is attributed like a download
    report_row, = audit.rows(action="report")
    assert report_row.user_name.startswith("命令行") and "月调度_附表.xlsx" in report_row.object
    exported, = audit.rows(action="export")
    assert exported.object == str(out) and "2024-12" in exported.details


def test_a_town_submits_on_the_upload_page_and_the_banner_consolidates(offices, clock):
    from conftest import app, assert_clean
    clock("2024-12-20")
    account("城川镇报送", "town", town="城川镇")
    at = app("upload", user="城川镇报送")
    at.file_uploader(key="upload_files").upload("sample.xlsx", COMMITTED_SAMPLE.read_bytes(),
                                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert_clean(at)
    at.selectbox(key="submit.month").set_value("2024-12")
    at.text_area(key="submit.progress").set_value("完成确权3项")
    at.button(key="submit.go").click().run()
    assert_clean(at)
    assert any("城川镇2024年12月报送：接收资产" in s.value for s in at.main.success)
    rejected = [d.value for d in at.main.dataframe if "原因" in d.value.columns][-1]   # the panel's, after the import report
    assert rejected["原因"].str.contains("报送主体是").any()
    at.switch_page("../pages/submissions.py").run()
    assert_clean(at)
    table = next(d.value for d in at.main.dataframe if "报送单位" in d.value.columns)
    assert list(table["报送单位"]) == ["城川镇"]                  # a town sees its own row
    assert table["本月工作推进情况"].iloc[0] == "完成确权3项" and table["状态"].iloc[0] == "按时报送"
    assert not [b for b in at.main.button if b.key == "submissions.consolidate"]

    clock("2024-12-27")
    boss = app("submissions", user="管理员")
    table = next(d.value for d in boss.main.dataframe if "报送单位" in d.value.columns)
    assert set(table["报送单位"]) == set(AUTHORITIES)
    assert (table.loc[table["报送单位"] == "昂素镇", "状态"] == "逾期未报送").all()
    assert (table.loc[table["报送单位"] == "昂素镇", "沿用上月"] == "无上月数据").all()
    # Consolidating asks first, naming every authority the month will not hold (issue 19)
    assert boss.button(key="submissions.consolidate").disabled
    warning = next(w.value for w in boss.main.warning if w.value.startswith("汇总前请确认"))
    assert "昂素镇未报送且无上月数据" in warning and "交通运输局未报送且无上月数据" in warning
    boss.checkbox(key="submissions.confirm_carry.2024-12").check().run()
    boss.button(key="submissions.consolidate").click().run()
    assert_clean(boss)
    assert any("已汇总2024年12月：1个单位的报送" in s.value for s in boss.main.success)
    assert snapshots.find("2024-12") is not None
    assert [r.user_name for r in audit.rows(action="submit")] == ["城川镇报送"]
    assert [r.user_name for r in audit.rows(action="consolidate")] == ["管理员"]

    # A part that comes in after the month was consolidated: 报送情况 says the month is behind,
    # and consolidating again names what it replaces and waits for 确认替换 (issue 19.2).
    clock("2024-12-28")
    M.submit("2024-12", "昂素镇", [COMMITTED_SAMPLE], by="昂素镇")
    boss = app("submissions", user="管理员")
    assert any("早于昂素镇" in w.value and "请重新汇总" in w.value for w in boss.main.warning)
    assert any(w.value.startswith("将替换2024年12月快照（汇总，资产") for w in boss.main.warning)
    assert boss.button(key="submissions.consolidate").disabled
    boss.checkbox(key="submissions.confirm_carry.2024-12").check().run()
    assert boss.button(key="submissions.consolidate").disabled            # still: the replacement
    boss.checkbox(key="submissions.consolidate.confirm").check().run()
    boss.button(key="submissions.consolidate").click().run()
    assert_clean(boss)
    assert any("已汇总2024年12月：2个单位的报送" in s.value for s in boss.main.success)
    assert "第1版" in str(audit.rows(action="consolidate")[0].details)


def test_status_table_shows_no_none_for_an_authority_not_reported(offices, clock):
    from conftest import app
    clock("2024-12-27")
    at = app("submissions", user="管理员")
    table = next(d.value for d in at.main.dataframe if "报送单位" in d.value.columns)
    assert (table["接收资产（项）"] == "—").all() and (table["状态"] == "逾期未报送").all()
    assert not table.isna().any().any()
