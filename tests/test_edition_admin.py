"""系统管理 → 政策版本 (issue 22.3) in AppTest, its logic (dashboard/edition_admin.py) and
`python -m dashboard editions list` (issue 22.5).  The evaluation under an edition is
tests/test_editions*.py's (SQL level); here: the draft, its checks, the preview, saving, audit."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from conftest import account, app, assert_clean, table_with
from dashboard import edition_admin, editions, ledgers
from dashboard.policy import PolicyError
from dashboard.store import audit

K = "admin.edition"


def entries(action: str, outcome: str | None = None) -> list:
    return [r for r in audit.rows(action=action) if outcome is None or r.outcome == outcome]


def admin_tab():
    account()
    at = app("admin", user="管理员")
    assert "政策版本" in [t.label for t in at.tabs]
    return at


def milestone_rows(at) -> list[str]:
    return list(at.data_editor(key=f"{K}.milestones").value["编号"])


def test_copy_refuse_a_bad_date_edit_preview_and_save_then_load_all_reads_it():
    ledgers.sample().save("2024-12")                   # the latest saved month the preview judges
    at = admin_tab()
    listed = table_with(at, "今日施行")
    assert list(listed["文号"]) == ["鄂前政办发〔2024〕13号"] and list(listed["来源"]) == ["内置"]
    assert list(listed["今日施行"]) == ["是"]
    at.button(key=f"{K}.copy").click().run()
    assert_clean(at)
    assert at.text_input(key=f"{K}.document").value == "鄂前政办发〔2024〕13号"
    assert milestone_rows(at) == ["M1", "M2", "M3", "M4", "M5", "M6"]
    measures = set(at.data_editor(key=f"{K}.milestones").value["考核口径"])
    assert measures <= set(editions.MEASURES.values()) and "verified" not in measures   # shown in Chinese
    at.text_input(key=f"{K}.document").set_value("鄂前政办发〔2026〕1号")
    # a date that is not one: refused, naming its key; nothing saved; the draft stays to correct
    at.session_state[f"{K}.milestones"] = {"edited_rows": {3: {"截止日期": "2026-13-01"}},
                                           "deleted_rows": [], "added_rows": []}
    at.button(key=f"{K}.save").click().run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.main.error]
    assert len(errors) == 1 and "未通过检查" in errors[0] and "“milestones[4].due”" in errors[0] \
        and "2026-13-01" in errors[0] and "不是日期" in errors[0], errors
    assert not editions.user_dir().exists()
    assert len(entries("edition_save", "refused")) == 1 and not entries("edition_save", "ok")
    at.text_input(key=f"{K}.effective").set_value("2026年1月1日")
    at.session_state[f"{K}.milestones"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": []}
    at.button(key=f"{K}.save").click().run()
    assert any("edition.effective_from" in e.value.replace("\\", "") for e in at.main.error)
    assert at.text_input(key=f"{K}.document").value == "鄂前政办发〔2026〕1号"
    # corrected: a milestone moved, one removed, one added; a fund added; a default changed
    at.text_input(key=f"{K}.effective").set_value("2026-01-01")
    at.session_state[f"{K}.milestones"] = {
        "edited_rows": {1: {"截止日期": "2026-03-31"}}, "deleted_rows": [5],
        "added_rows": [{"编号": "N1", "名称": "常态化帮扶资产全面核实", "截止日期": "2026-06-30",
                        "考核口径": editions.MEASURES["verified"]}]}
    at.session_state[f"{K}.funds"] = {"edited_rows": {}, "deleted_rows": [],
                                      "added_rows": [{"资金名称": "常态化帮扶资金", "简称（以、分隔）": "常态化资金"}]}
    at.session_state[f"{K}.parameters"] = {"edited_rows": {0: {"值": "9"}}, "deleted_rows": [], "added_rows": []}
    at.button(key=f"{K}.preview").click().run()
    assert_clean(at)
    changed = table_with(at, "完成率（草稿）")
    assert "N1" in set(changed["节点"]) and "M6" in set(changed["节点"])
    n1 = changed[changed["节点"] == "N1"].iloc[0]
    assert n1["完成/应完成（现）"] == "—" and n1["完成/应完成（草稿）"] != "—"
    # idle_months 6 -> 9: fewer assets are idle, so some assets' level or rules change
    assets = table_with(at, "预警等级（草稿）")
    assert len(assets) > 0 and (assets["预警规则（现）"] != assets["预警规则（草稿）"]).any()
    assert not editions.user_dir().exists()            # a preview saves nothing
    at.button(key=f"{K}.save").click().run()
    assert_clean(at)
    assert any("已保存政策版本鄂前政办发〔2026〕1号" in s.value for s in at.main.success)
    path = editions.user_dir() / "2026-01-01_鄂前政办发〔2026〕1号.toml"
    assert path.exists() and str(path).startswith(os.environ["ZCPH_DATA_DIR"])
    saved = next(e for e in editions.load_all() if e.document == "鄂前政办发〔2026〕1号")
    assert saved.source == str(path) and saved.effective_from == dt.date(2026, 1, 1)
    assert saved.counts_from == dt.date(2026, 1, 1)          # its progress restarts from its own date
    assert [(m.id, m.due, m.measure) for m in saved.milestones] == [
        ("M1", dt.date(2024, 2, 29), "issued"), ("M2", dt.date(2026, 3, 31), "verified"),
        ("M3", dt.date(2024, 2, 29), "one_case_one_plan"), ("M4", dt.date(2024, 3, 31), "confirmed"),
        ("M5", dt.date(2024, 6, 30), "revitalised"), ("N1", dt.date(2026, 6, 30), "verified")]
    assert saved.funds[-1] == "常态化帮扶资金" and saved.fund_aliases["常态化帮扶资金"] == ("常态化资金",)
    assert saved.parameters == {**editions.seed().parameters, "idle_months": 9}
    assert saved.negative_list == editions.seed().negative_list and saved.batches == editions.seed().batches
    assert saved.monthly_due_day == editions.seed().monthly_due_day == 25
    assert editions.in_force(dt.date(2026, 6, 30)) == saved
    assert editions.in_force(dt.date(2025, 12, 31)).document == "鄂前政办发〔2024〕13号"
    listed = table_with(at, "今日施行")
    assert list(listed["文号"]) == ["鄂前政办发〔2024〕13号", "鄂前政办发〔2026〕1号"]
    assert list(listed["来源"]) == ["内置", str(path)]
    assert [r.object for r in entries("edition_draft")] == ["鄂前政办发〔2024〕13号（2024-02-29起施行）"]
    assert len(entries("edition_preview")) == 1
    saves = entries("edition_save", "ok")
    assert len(saves) == 1 and saves[0].user_name == "管理员" and json.loads(saves[0].details)["文件"] == str(path)
    # opened again: no report issued under it yet, so it may be saved in place ...
    at.button(key=f"{K}.open").click().run()
    assert [b.key for b in at.button if b.key in (f"{K}.save_in_place", f"{K}.save")] == [f"{K}.save_in_place", f"{K}.save"]
    assert not [i for i in at.main.info if "不能原地修改" in i.value]
    # ... but once a report was issued under it, only as a new edition
    from dashboard.store import cli
    cli.record("report", "q.docx", 类型="季通报", 政策版本=saved.label())
    at.button(key=f"{K}.open").click().run()
    assert_clean(at)
    assert [b.label for b in at.button if b.key in (f"{K}.save_in_place", f"{K}.save")] == ["另存为新版本"]
    assert any("不能原地修改" in i.value for i in at.main.info)


def test_town_and_department_users_have_no_edition_tab():
    from dashboard.store import accounts, sessions, settings
    account("城川镇", "town", town="城川镇")
    account("部门", "department", department=settings.departments()[0].name)
    at = app(None, user="城川镇")
    for name in ("城川镇", "部门"):
        at.session_state["auth.token"] = sessions.start(accounts.get(name))
        at.switch_page("../pages/admin.py").run()
        assert not at.exception and any("无权使用本页" in e.value for e in at.main.error), name
        assert "政策版本" not in [t.label for t in at.tabs] and not at.main.dataframe, name
        assert not [b for b in at.button if (b.key or "").startswith(K)], name


# --- the logic without Streamlit ------------------------------------------------------------------

def _saved(document: str, effective: str) -> editions.Edition:
    draft = edition_admin.draft_of(editions.seed())
    draft = editions.parse(edition_admin.draft_text(draft, document, "新方案", effective, "2012",
                                                    edition_admin.tables(draft)), "草稿")
    path = edition_admin.save(draft)
    return next(e for e in editions.load_all() if e.source == str(path))


def test_an_edition_a_report_was_issued_under_is_not_rewritten_a_correction_is_new(capsys):
    from dashboard.store import cli
    account()
    e = _saved("鄂前政办发〔2026〕3号", "2026-01-01")
    assert edition_admin.issued_under(e) == []
    renamed = editions.parse(editions.to_toml(e).replace("新方案", "新方案（修订）"), "x")
    path = edition_admin.save(renamed, replacing=e)            # not issued yet: rewritten in place
    assert path == Path(e.source) and "新方案（修订）" in path.read_text(encoding="utf-8")
    e = next(x for x in editions.load_all() if x.source == str(path))
    cli.record("report", "q.docx", 类型="季通报", 政策版本=e.label())
    assert len(edition_admin.issued_under(e)) == 1
    with pytest.raises(PolicyError, match="不能原地修改"):
        edition_admin.save(renamed, replacing=e)
    with pytest.raises(PolicyError, match="已存在"):           # nor by saving over its file
        edition_admin.save(e)
    with pytest.raises(PolicyError, match="内置"):
        edition_admin.save(renamed, replacing=editions.seed())
    later = editions.parse(editions.to_toml(e).replace("2026-01-01", "2026-02-01"), "x")
    assert edition_admin.save(later).name == "2026-02-01_鄂前政办发〔2026〕3号.toml"
    assert len([x for x in editions.load_all() if x.document == "鄂前政办发〔2026〕3号"]) == 2


@pytest.mark.parametrize("cell,key", [("due", "milestones[1].due"), ("measure", "milestones[1].measure"),
                                      ("param", "parameters.idle_months"), ("year", "scope.start_year"),
                                      ("day", "reporting.monthly_due_day")])
def test_a_malformed_draft_names_its_key(cell, key):
    base = edition_admin.draft_of(editions.seed())
    frames = edition_admin.tables(base)
    year = "二〇一二" if cell == "year" else "2012"
    if cell == "due":
        frames["milestones"].loc[0, "截止日期"] = "明年"
    if cell == "measure":
        frames["milestones"].loc[0, "考核口径"] = "completed"
    if cell == "param":
        frames["parameters"].loc[frames["parameters"]["参数"] == "idle_months", "值"] = "六"
    with pytest.raises(PolicyError) as refused:
        edition_admin.check(edition_admin.draft_text(base, "文号", "", "2026-01-01", year, frames,
                                                     "31" if cell == "day" else "25"))
    assert key in str(refused.value) and "“草稿”" in str(refused.value)


def test_the_unchanged_draft_is_the_edition_it_was_copied_from():
    base = edition_admin.draft_of(editions.seed())
    e = edition_admin.check(edition_admin.draft_text(base, base.document, base.title, "2024-02-29", "2012",
                                                     edition_admin.tables(base)))
    assert e == base


def test_editions_list_prints_document_title_date_and_source(capsys):
    from dashboard.cli import main
    account()
    e = _saved("鄂前政办发〔2026〕4号", "2026-01-01")
    bad = editions.user_dir() / "2026-05-01_坏.toml"
    bad.write_text('[edition]\ndocument = "坏"\neffective_from = 2026-05-01\nwhatever = 1\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["editions", "list"]) == 0
    out, err = capsys.readouterr()
    lines = [l.split("\t") for l in out.splitlines()]
    assert lines[0] == ["文号", "标题", "施行日期", "来源", "今日施行"]
    assert lines[1][:4] == ["鄂前政办发〔2024〕13号", "鄂托克前旗扶贫（帮扶）项目资产巩固提升盘活处置工作方案",
                            "2024-02-29", "内置"]
    assert lines[2][:4] == ["鄂前政办发〔2026〕4号", "新方案", "2026-01-01", e.source]
    today_is_2026 = dt.date.today() >= dt.date(2026, 1, 1)
    assert [l[4] if len(l) > 4 else "" for l in lines[1:]] == (["", "是"] if today_is_2026 else ["是", ""])
    assert len(lines) == 3
    assert "2026-05-01_坏.toml" in err and "edition.whatever" in err
