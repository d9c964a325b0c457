"""A month a leader can trust (issue 19.1, 19.4): the authorities expected come from the data,
not the accounts; one that has not reported is carried forward from the month before, marked
on every row, named by 报送情况, the command line and the dispatch; the month's 数据截至 is its
parts' latest date, never after today.

November is the whole banner's workbook saved on 数据上传 (800 assets, four towns, five
departments); in December the four towns and two of the departments report — only those two
have accounts —, 上海庙镇 does not, 城川镇 twice."""
from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys

import docx
import pytest

from conftest import COMMITTED_SAMPLE, ROOT, account
from dashboard import ledgers, places, snapshots, store
from dashboard.monthly import carry
from dashboard.monthly import consolidate as C
from dashboard.monthly import status as S
from dashboard.monthly import submissions as M
from dashboard.store import settings

REPORTING = ("农牧局", "水利局")


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def _at(monkeypatch, day: str) -> None:
    moment = dt.datetime.fromisoformat(day) + dt.timedelta(hours=2)      # 10:00 in Beijing
    monkeypatch.setattr(store, "now", lambda: moment)


@pytest.fixture
def two_months(monkeypatch, sample_books):
    account()
    for d in REPORTING:
        account(d, "department", department=d)
    november = ledgers.load([COMMITTED_SAMPLE], label="全旗台账")
    november.save("2024-11", by="管理员")
    _at(monkeypatch, "2024-12-20")
    for authority in places.TOWNS + REPORTING:
        if authority != "上海庙镇":
            assert M.submit("2024-12", authority, [COMMITTED_SAMPLE], by=authority).submission
    _at(monkeypatch, "2024-12-22")
    assert M.submit("2024-12", "城川镇", [COMMITTED_SAMPLE], by="城川镇").submission      # again
    _at(monkeypatch, "2024-12-30")
    owners = {a: settings.department_of(d) or t for a, t, d in
              sample_books.con.execute("SELECT asset_id, town, department FROM assets").fetchall()}
    return owners


def test_expected_authorities_come_from_the_data_not_the_accounts(two_months):
    owners = two_months
    departments = sorted({a for a in owners.values() if a not in places.TOWNS})
    assert len(departments) >= 4                      # the sample's departments, three without accounts
    plan = carry.plan("2024-12")
    assert set(plan.expected) == set(places.TOWNS) | set(departments)
    carried = {c.authority: c for c in plan.carried}
    assert set(carried) == {"上海庙镇"} | (set(departments) - set(REPORTING))
    assert all(c.month == "2024-11" and c.assets == sum(1 for a in owners.values() if a == c.authority)
               for c in carried.values())
    assert plan.missing == []
    rows = {r.authority: r for r in S.status("2024-12")}
    assert rows["上海庙镇"].label() == "逾期未报送" and rows["上海庙镇"].carry_note == "沿用11月数据"
    assert rows["城川镇"].submissions == 2 and rows["城川镇"].carried is None
    # before the month before existed, the same authority is named as missing outright
    assert "上海庙镇" in carry.plan("2024-11").missing


def test_the_consolidated_month_holds_every_asset_of_the_month_before(two_months):
    owners = two_months
    result = C.consolidate("2024-12", by="管理员", today=dt.date(2024, 12, 30))
    assert result.assets == len(owners) == 800
    assert "上海庙镇未报送，沿用11月数据" in result.message
    books = ledgers.saved_month(result.snapshot)
    got = dict(books.con.execute("SELECT asset_id, source_file FROM assets").fetchall())
    assert set(got) == set(owners)
    for asset_id, source in got.items():
        carried = owners[asset_id] not in places.TOWNS + REPORTING or owners[asset_id] == "上海庙镇"
        assert source.startswith("沿用上月（2024年11月）·") == carried, (asset_id, source)
    # the other sheets follow their assets: no orphan income row
    assert books.con.execute("SELECT count(*) FROM income WHERE asset_row IS NULL").fetchone()[0] == 0
    meta = snapshots.read_meta(result.snapshot.path)
    assert meta["kind"] == "consolidated" and meta["saved_by"] == "管理员" and meta["assets"] == 800
    assert {c["authority"] for c in meta["carried"]} >= {"上海庙镇"}


@pytest.mark.parametrize("today, expected", [
    (dt.date(2024, 12, 30), dt.date(2024, 12, 28)),        # the latest date its parts state
    (dt.date(2024, 12, 27), dt.date(2024, 12, 27)),        # never a day after today
])
def test_data_date_of_a_consolidated_month(today, expected):
    dates = [dt.date(2024, 12, 25), dt.date(2024, 12, 28)]
    assert C.data_date(dates, "2024-12", today) == expected
    assert C.data_date([], "2024-12", dt.date(2024, 12, 10)) == dt.date(2024, 12, 10)    # the consolidation day
    assert C.data_date([], "2024-11", dt.date(2024, 12, 10)) == dt.date(2024, 11, 30)    # within its month


def test_status_and_consolidate_from_the_command_line_and_the_dispatch(two_months, tmp_path, monkeypatch):
    out = tmp_path / "报送情况.csv"
    done = _cli("status", "--month", "2024-12", "--out", str(out))
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = {r["报送单位"]: r for r in csv.DictReader(f)}
    assert set(rows) >= set(places.TOWNS) | set(REPORTING) | {"交通运输局"}
    assert rows["上海庙镇"]["状态"].startswith("逾期未报送") or rows["上海庙镇"]["状态"] == "未报送"
    assert rows["上海庙镇"]["沿用上月"].startswith("2024年11月，") and "来自2024年11月快照·上传快照" in rows["上海庙镇"]["沿用上月"]
    assert rows["城川镇"]["报送人"] == "城川镇" and int(rows["城川镇"]["接收资产（项）"]) > 0
    printed = _cli("status", "--month", "2024-12")
    assert printed.returncode == 0 and "上海庙镇" in printed.stdout
    merged = _cli("consolidate", "--month", "2024-12")
    assert merged.returncode == 0, merged.stderr
    assert "沿用上月：上海庙镇" in merged.stdout and "资产800项" in merged.stdout
    report = _cli("report", "monthly", "--period", "2024-12", "--out", str(tmp_path / "月调度.docx"))
    assert report.returncode == 0, report.stderr
    text = "\n".join(p.text for p in docx.Document(tmp_path / "月调度.docx").paragraphs)
    # every authority carried forward is named, and what the month holds for them said once
    assert re.search(r"未报送\d+个（[^）]*上海庙镇[^）]*），均沿用11月数据（资产共[\d,]+项", text), text[:600]
    assert "本月全旗监测资产800项" in text
