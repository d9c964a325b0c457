"""Issue 18 item 8: 报送情况 shows a town or department only its own submissions and the
conflicts on its assets; two consolidations of one month at once are serialised on unique
temporary files; months are ASCII YYYY-MM from 2020 on; the store and its files are the
owner's alone."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest

from conftest import COMMITTED_SAMPLE, ROOT, account
from dashboard import snapshots, store
from dashboard.monthly import consolidate as C
from dashboard.monthly import submissions as M
from test_monthly import moved_asset


@pytest.mark.parametrize("month, ok", [
    ("2024-05", True), ("2020-01", True), ("2099-12", True),
    ("2019-12", False), ("0000-01", False), ("２０２４-05", False), ("2024-5", False), ("2024-13", False),
    ("2024-00", False), (" 2024-05", False), ("2024-05\n", False), (None, False)])
def test_a_month_is_ascii_yyyy_mm_from_2020(month, ok):
    assert snapshots.valid_month(month) is ok
    if ok:
        assert M.check_month(month) == month
    else:
        with pytest.raises(M.MonthlyError, match="YYYY-MM"):
            M.check_month(month)


def test_a_bad_month_from_the_shell_stores_nothing(tmp_path):
    account()
    run = subprocess.run([sys.executable, "-m", "dashboard", "submit", "--month", "0000-01", "--authority",
                          "城川镇", str(COMMITTED_SAMPLE)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and "YYYY-MM" in run.stderr and "Traceback" not in run.stderr
    assert M.months() == []


def test_two_consolidations_of_one_month_at_once_both_finish(tmp_path):
    account()
    for authority in ("城川镇", "昂素镇"):
        assert M.submit("2024-12", authority, [COMMITTED_SAMPLE], by="管理员").submission
    results, errors = [], []

    def run():
        try:
            results.append(C.consolidate("2024-12"))
        except Exception as e:            # noqa: BLE001 — any failure is the finding
            errors.append(e)
    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 3
    assert {r.assets for r in results} == {results[0].assets} and results[0].assets > 0
    folder = snapshots.snapshot_dir()
    assert [p.name for p in folder.glob("*.duckdb")] == ["2024-12.duckdb"]
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))
    assert snapshots.find("2024-12").month == "2024-12"


def test_a_month_being_consolidated_is_refused_after_the_wait(monkeypatch):
    account()
    assert M.submit("2024-12", "城川镇", [COMMITTED_SAMPLE], by="管理员").submission
    real = snapshots.month_lock
    monkeypatch.setattr(snapshots, "month_lock", lambda month: real(month, wait=0.3))
    with real("2024-12"):                                   # another consolidation holds the month
        with pytest.raises(M.MonthlyError, match="正由其他用户汇总") as refused:
            C.consolidate("2024-12")
    assert str(snapshots.data_dir()) not in str(refused.value)


def test_the_store_and_its_files_are_the_owners_alone():
    account()
    ledger_month = M.submit("2024-12", "城川镇", [COMMITTED_SAMPLE], by="管理员").submission
    C.consolidate("2024-12")
    paths = [store.sqlite_path(), snapshots.snapshot_dir() / "2024-12.duckdb", ledger_month.file]
    for path in paths:
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, (path, oct(os.stat(path).st_mode))


def test_an_old_0644_store_is_made_the_owners_on_opening():
    account()
    store.dispose()
    os.chmod(store.sqlite_path(), 0o644)
    store.engine()
    assert stat.S_IMODE(os.stat(store.sqlite_path()).st_mode) == 0o600


def _page(page: str, user: str):
    """The page as `user` (the conflict list is an st.error, which conftest.app refuses)."""
    from streamlit.testing.v1 import AppTest
    from dashboard.store import accounts, sessions
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.session_state["auth.token"] = sessions.start(accounts.get(user))
    at.run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_town_sees_only_its_own_submissions_and_conflicts(tmp_path, sample_books):
    account()
    account("城川", "town", town="城川镇")
    account("昂素", "town", town="昂素镇")
    account("农牧局", "department", department="农牧局")
    moved, asset_id = moved_asset(tmp_path, sample_books)      # one asset both 城川镇 and 农牧局 report
    month = M.beijing_date(store.now()).strftime("%Y-%m")
    for authority, path in (("城川镇", moved), ("农牧局", COMMITTED_SAMPLE), ("昂素镇", COMMITTED_SAMPLE)):
        assert M.submit(month, authority, [path], by="管理员").submission
    seen = {}
    for user in ("城川", "昂素", "管理员"):
        at = _page("submissions", user)
        frames = [d.value for d in at.main.dataframe]
        history = next(f for f in frames if "文件" in f.columns)                 # 本月全部报送记录
        conflicts = [f for f in frames if list(f.columns) == ["资产编号", "报送单位"]]
        seen[user] = (sorted(set(history["报送单位"])), conflicts[0]["资产编号"].tolist() if conflicts else [])
    assert seen["城川"] == (["城川镇"], [asset_id])
    assert seen["昂素"] == (["昂素镇"], [])                  # not 城川镇's files, not the conflict
    assert seen["管理员"] == (sorted(["城川镇", "农牧局", "昂素镇"]), [asset_id])
