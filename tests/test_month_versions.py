"""A saved month is never replaced by one click, and nothing replaced is lost (issue 19.2):
versions kept by save, delete and restore; the line naming what a save replaces; the
`months` commands; 数据上传's confirmation and 系统管理's restore (AppTest)."""
from __future__ import annotations

import getpass

import pytest

from conftest import account, app, assert_clean
from dashboard import cli, ledgers, month_versions as V, snapshots
from dashboard.store import audit
from fixtures_messy import assets_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH = "2026-12"


@pytest.fixture()
def books(tmp_path):
    books = ledgers.load([assets_xlsx(tmp_path / "镇台账.xlsx")])
    assert books.usable
    return books


def two_saves(books) -> tuple[int, int]:
    """Save the month as an upload by 甲, then (two assets fewer) as 汇总 by 乙: (first, second) counts."""
    first = books.con.execute("SELECT count(*) FROM assets").fetchone()[0]
    assert books.save(MONTH, by="甲").kept is None
    books.con.execute("DELETE FROM assets WHERE asset_id IN (SELECT asset_id FROM assets ORDER BY asset_id LIMIT 2)")
    with snapshots.month_lock(MONTH):
        second = snapshots.save(books.con, MONTH, None, ["城川镇报送#1"], kind="consolidated", by="乙")
    assert second.kept == 1
    return first, first - 2


def test_a_second_save_keeps_the_first_as_version_1_and_restore_keeps_the_second(books):
    first, second = two_saves(books)
    assert [s.month for s in snapshots.list_months()] == [MONTH]           # versions are not months
    [v1] = V.versions(MONTH)
    assert (v1.number, v1.kind, v1.kind_zh, v1.assets, v1.saved_by) == (1, "upload", "上传快照", first, "甲")
    now = V.current(MONTH)
    assert (now.kind_zh, now.assets, now.saved_by) == ("汇总", second, "乙")

    done = V.restore(MONTH, 1, by="丙")
    assert (done.number, done.kept) == (1, 2)
    assert done.message() == "已将2026年12月快照恢复为第1版，恢复前的快照已保留为第2版。"
    now = V.current(MONTH)
    assert (now.kind, now.assets, now.saved_by, now.restored[:2]) == ("upload", first, "甲", (1, "丙"))
    assert "由丙恢复自第1版" in now.line()
    reread = ledgers.saved_month(snapshots.find(MONTH))                   # the pages read the restored tables
    assert reread.con.execute("SELECT count(*) FROM assets").fetchone()[0] == first
    assert [(v.number, v.kind, v.assets, v.saved_by) for v in V.versions(MONTH)] == [
        (1, "upload", first, "甲"), (2, "consolidated", second, "乙")]   # restored from, yet still there
    assert not list(snapshots.snapshot_dir().glob(".*.tmp*"))


def test_the_line_naming_what_a_save_replaces(books):
    assert V.describe(MONTH) is None
    _, second = two_saves(books)
    at = V.current(MONTH).saved_at
    assert V.describe(MONTH) == (f"将替换2026年12月快照（汇总，资产{second}项，"
                                 f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}由乙保存）")


def test_delete_keeps_a_version_that_can_be_restored(books):
    first = books.con.execute("SELECT count(*) FROM assets").fetchone()[0]
    books.save(MONTH, by="甲")
    assert snapshots.delete(MONTH) == 1 and snapshots.delete(MONTH) is None
    assert snapshots.list_months() == [] and V.current(MONTH) is None
    assert V.months() == [MONTH] and V.describe(MONTH) is None
    done = V.restore(MONTH, 1, by="丙")
    assert done.kept is None and done.message() == "已将2026年12月快照恢复为第1版。"
    assert V.current(MONTH).assets == first and [v.number for v in V.versions(MONTH)] == [1]


def test_unknown_month_or_version_is_one_chinese_line(books):
    books.save(MONTH, by="甲")
    with pytest.raises(V.VersionError, match="2026年12月没有第3版快照（没有保留的历史版本）"):
        V.restore(MONTH, 3, by="丙")
    with pytest.raises(V.VersionError, match="月份应为YYYY-MM"):
        V.restore("2026-13", 1, by="丙")


def test_months_list_and_restore_from_the_command_line(books, capsys):
    account()
    assert cli.main(["months", "list"]) == 0
    assert capsys.readouterr().out.strip() == "还没有保存的月份。"
    first, second = two_saves(books)
    assert cli.main(["months", "list"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()]
    assert [row[:6] for row in lines] == [
        [MONTH, "当前", "汇总", f"资产{second}项", V.when(V.current(MONTH).saved_at), "乙"],
        [MONTH, "第1版", "上传快照", f"资产{first}项", V.when(V.versions(MONTH)[0].saved_at), "甲"]]

    assert cli.main(["months", "restore", MONTH, "--version", "1"]) == 0
    assert capsys.readouterr().out.strip() == "已将2026年12月快照恢复为第1版，恢复前的快照已保留为第2版。"
    assert V.current(MONTH).assets == first
    assert V.current(MONTH).restored[1] == f"命令行（{getpass.getuser()}）"

    assert cli.main(["months", "restore", MONTH, "--version", "7"]) == 2
    assert capsys.readouterr().err.strip() == "2026年12月没有第7版快照（已有第1、2版）。"
    assert cli.main(["months", "restore", "2026-5", "--version", "1"]) == 2
    assert "月份应为YYYY-MM" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:                               # --version is required
        cli.main(["months", "restore", MONTH])
    assert usage.value.code == 2
    assert "命令行参数错误" in capsys.readouterr().err

    done = sorted(audit.rows(action="snapshot_restore"), key=lambda r: r.id)
    who = f"命令行（{getpass.getuser()}）"
    assert [(r.outcome, r.user_name) for r in done] == [("ok", who), ("refused", who), ("refused", who)]
    assert "第1版" in str(done[0].details) and "第2版" in str(done[0].details)
    assert len(audit.rows(action="snapshot_versions")) == 2


def test_upload_asks_before_replacing_and_admin_restores(tmp_path):
    path = assets_xlsx(tmp_path / "镇台账.xlsx")
    account()
    at = app("upload", user="管理员")
    at.file_uploader(key="upload_files").upload("镇台账.xlsx", path.read_bytes(), XLSX).run()
    at.selectbox(key="upload_year").set_value(2026)
    at.selectbox(key="upload_month").set_value(12).run()
    assert not [c for c in at.main.checkbox if c.key == "upload_save.confirm"]   # nothing to replace yet
    save = at.button(key="upload_save")
    assert save.label == "保存为2026年12月快照并查看" and not save.disabled
    save.click().run()
    assert_clean(at)
    first = V.current(MONTH)

    at.switch_page("../pages/upload.py").run()                     # the month exists now: ask first
    save = at.button(key="upload_save")
    assert save.label == "替换2026年12月快照并查看" and save.disabled
    warning = next(w.value for w in at.main.warning if "将替换" in w.value)
    assert warning.replace("\\", "").startswith(V.describe(MONTH))
    assert "上传快照" in warning and f"资产{first.assets}项" in warning and "管理员" in warning
    at.checkbox(key="upload_save.confirm").check().run()
    assert not at.button(key="upload_save").disabled
    at.button(key="upload_save").click().run()
    assert_clean(at)
    assert any("原快照已保留为第1版" in s.value for s in at.main.success)
    [replaced] = audit.rows(action="snapshot_replace")
    assert "第1版" in str(replaced.details) and "上传快照" in str(replaced.details)
    assert [v.number for v in V.versions(MONTH)] == [1]

    at.switch_page("../pages/admin.py").run()
    assert_clean(at)
    assert at.selectbox(key="admin.restore.month").value == MONTH
    assert at.button(key="admin.restore").disabled
    at.checkbox(key="admin.restore.sure").check().run()
    at.button(key="admin.restore").click().run()
    assert_clean(at)
    assert any("恢复为第1版" in s.value for s in at.main.success)
    [restored] = audit.rows(action="snapshot_restore")
    assert restored.user_name == "管理员" and "第2版" in str(restored.details)
    assert V.current(MONTH).restored[:2] == (1, "管理员")
