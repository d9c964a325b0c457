"""督办 on the pages (issue 23.2–23.4, AppTest): December saved with two of 城川镇's own assets red
(R02: 本金 due 2024-12-10, none back), every red asset of December under 督办 (one of 交通运输局
issued on 2 January 2025, long overdue), January saved with one of the two repaid.  城川镇's inbox
holds its two and nothing of another authority's, the navigation counts them, it answers and
signs off the repaid one (T1) and is refused, R02 named, for the other; 农牧局 sees only its own;
the administrator's 督办 page counts by authority (the overdue one in red) and refuses a T2
sign-off while the asset is red; the dispatch says 督办办理情况 in one sentence and its 附表 lists every open 督办."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from conftest import COMMITTED_SAMPLE, account, app, assert_clean
from dashboard import ledgers, store
from dashboard import supervision as S
from dashboard.reports import periods, supervised
from dashboard.reports.document import Section
from dashboard.supervision import red


def _asset_sheet(wb):
    ws = wb["资产台账"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=5) if any(c.value == "资产编号" for c in r))
    return ws, header[0].row, {c.value: c.column for c in header}


def chuan_assets(books) -> list[str]:
    """Two assets 城川镇 reports itself (主管部门 城川镇人民政府, the smallest: T1), no 本金 of their own."""
    return [r[0] for r in books.con.execute(
        "SELECT asset_id FROM assets WHERE trim(department) = '城川镇人民政府' AND coalesce(principal, 0) = 0 "
        "ORDER BY original_value, asset_id LIMIT 2").fetchall()]


def principal_due(src, ids: list[str], outs: dict) -> None:
    """`ids` owe 2万元 of 本金 due 2024-12-10 (red R02 from then on); each workbook of `outs`
    (path → the ids that paid it back) is written from one reading of `src`."""
    wb = openpyxl.load_workbook(src)
    ws, top, col = _asset_sheet(wb)
    rows = {ws.cell(r, col["资产编号"]).value: r for r in range(top + 1, ws.max_row + 1)}
    for out, recovered in outs.items():
        for asset in ids:
            ws.cell(rows[asset], col["本金（万元）"]).value = 2
            ws.cell(rows[asset], col["本金到期日期"]).value = dt.date(2024, 12, 10)
            ws.cell(rows[asset], col["已收回本金（万元）"]).value = 2 if asset in recovered else 0
        wb.save(out)


@pytest.fixture
def months(tmp_path, monkeypatch, sample_books):
    account()
    account("城川镇", "town", town="城川镇")
    account("农牧局", "department", department="农牧局")
    cleared, still = chuan_assets(sample_books)
    principal_due(COMMITTED_SAMPLE, [cleared, still], {tmp_path / "12.xlsx": (), tmp_path / "01.xlsx": (cleared,)})
    red.forget()
    ledgers.load([tmp_path / "12.xlsx"]).save("2024-12")
    admin = S.Actor("管理员", "admin")
    late = min(a.asset_id for a in red.month_red("2024-12").assets.values() if a.authority == "交通运输局")
    clock, moment = store.now, dt.datetime(2025, 1, 2, 2)                 # 10:00 Beijing
    monkeypatch.setattr(store, "now", lambda: moment)
    S.issue("2024-12", admin, asset_ids=[late], write_documents=False)
    monkeypatch.setattr(store, "now", clock)
    S.issue("2024-12", admin, write_documents=False)                     # every other red one (no month before)
    ledgers.load([tmp_path / "01.xlsx"]).save("2025-01")
    yield cleared, still, late
    red.forget()


def _plain(text: str) -> str:
    return text.replace("\\", "")                 # markdown escapes (150623102\-0000146) as the reader sees it


def _main_text(at) -> str:
    return _plain("\n".join([m.value for m in at.main.markdown] + [e.label for e in at.main.expander]
                             + [c.value for c in at.main.caption] + [e.value for e in at.main.error]))


def _mine(at, asset: str):
    return next(e for e in at.main.expander if asset in e.label)


def test_inbox_scoping_signoff_and_the_banners_overview(months):
    cleared, still, late = months
    every = S.items(S.Actor("管理员", "admin"))
    theirs = {it.asset_id for it in every if it.authority != "城川镇"}
    assert {it.asset_id for it in every if it.authority == "城川镇"} == {cleared, still} and late in theirs

    from dashboard.store import accounts
    from dashboard.ui import supervision as U
    from dashboard.ui.auth import User
    town = accounts.get("城川镇")
    user = User(town.name, town.role, town.scope())
    assert U.nav_title("督办事项", user) == "督办事项（2）"

    at = app("supervision_inbox", user="城川镇")
    assert at.main.metric[0].value == "2项" and at.main.metric[1].value == "0项"
    text = _main_text(at)
    assert cleared in text and still in text
    assert not [a for a in theirs if a in text], "another authority's 督办 in 城川镇's inbox"
    assert "R02 到期本金尚未收回" in text and "最新月份仍触发：R02" in text    # the one still owing, in January

    def answer(asset: str, measures: str) -> None:
        it = next(i for i in every if i.asset_id == asset)
        at.text_area(key=f"inbox.measures.{it.id}").input(measures)
        at.radio(key=f"inbox.state.{it.id}").set_value("已整改（申请销号）")
        next(b for b in at.main.button if b.label == "提交反馈" and b.form_id == f"inbox.answer.{it.id}").click().run()
        assert_clean(at)
        assert f"已提交{it.number}资产{asset}的反馈（已整改（申请销号））" in _plain(at.main.success[0].value)

    answer(cleared, "本金已全额收回")
    it = next(i for i in every if i.asset_id == cleared)
    at.button(key=f"inbox.signoff.{it.id}").click().run()
    assert f"资产{cleared}已销号" in _plain(at.main.success[0].value)
    assert at.main.metric[0].value == "1项" and at.main.metric[2].value == "1项"
    answer(still, "已约谈运营主体")
    it = next(i for i in every if i.asset_id == still)
    at.button(key=f"inbox.signoff.{it.id}").click().run()
    refused = [_plain(e.value) for e in at.main.error]
    assert len(refused) == 1 and "仍为红色预警" in refused[0] and "R02（到期本金尚未收回）" in refused[0], refused
    assert S.item(it.number, still, S.Actor("管理员", "admin")).state == S.FIXED     # answered, not signed off

    at = app("supervision_inbox", user="农牧局")
    text = _main_text(at)
    assert cleared not in text and still not in text and late not in text
    mine = [it for it in every if it.authority == "农牧局"]
    assert at.main.metric[0].value == f"{len(mine)}项" and all(it.asset_id in text for it in mine)

    # a T2 asset of 农牧局 answered 已整改: the banner's sign-off asks for its 实地核查日期, then refuses it while red
    t2 = next(it for it in mine if it.tier == "T2")
    S.answer(t2.number, t2.asset_id, S.Actor("农牧局", "department", department="农牧局"), "已整改", S.FIXED)
    at = app("supervision", user="管理员")
    table = at.main.dataframe[1].value if "责任单位" not in at.main.dataframe[0].value.columns else at.main.dataframe[0].value
    rows = table.set_index("责任单位")
    assert rows.loc["城川镇", "已下发（项）"] == 2 and rows.loc["城川镇", "已销号（项）"] == 1
    assert rows.loc["城川镇", "已反馈（项）"] == 2 and rows.loc["交通运输局", "逾期（项）"] == 1
    assert rows.loc["合计", "逾期（项）"] == 1 and rows.loc["合计", "已下发（项）"] == len(every)
    assert rows.loc["城川镇", "反馈用时中位数（天）"] == "0" and rows.loc["交通运输局", "反馈用时中位数（天）"] == "—"
    assert any(":red[**逾期未整改1项**]" in m.value and "交通运输局1项" in _plain(m.value) for m in at.main.markdown)
    pick = at.selectbox(key="supervision.pick")
    pick.set_value(next(i for i, o in enumerate(pick.options) if t2.asset_id in o)).run()
    at.date_input(key=f"supervision.when.{t2.id}").set_value(S.beijing_today())
    at.button(key=next(b.key for b in at.main.button if b.label == "销号（T2）")).click().run()
    refused = [_plain(e.value) for e in at.main.error]
    assert len(refused) == 1 and f"资产{t2.asset_id}在最新保存的2025年1月仍为红色预警" in refused[0], refused

    # the monthly dispatch: one sentence in 红色预警变化, every open 督办 on a sheet of the 附表
    changes = Section("red_changes", "红色预警变化", [], {})
    sheets = {t.sheet: t for t in supervised.gather(changes, periods.parse("monthly", "2025-01"), True)}
    text = supervised.sentence(changes.figures["supervision"])
    assert text.startswith(f"督办办理情况：累计下发督办{len(every)}项（3个单位），已反馈3项、已销号1项，"
                           "逾期未整改1项（交通运输局1项）"), text
    assert len(sheets["未销号督办"].rows) == len(every) - 1 and cleared not in sheets["未销号督办"].column("资产编号")
    assert sheets["督办办理情况"].column("逾期（项）")[-1] == 1
    empty = Section("red_changes", "红色预警变化", [], {})
    assert supervised.gather(empty, periods.parse("monthly", "2024-11"), True) == [] and not empty.figures  # none before
    assert supervised.gather(empty, periods.parse("monthly", "2025-01"), False) == []     # a town's own dispatch
