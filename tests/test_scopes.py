"""A town, a department and a village user each see exactly their part of the banner: on
every page they may open, in the sidebar's choices, in a console query, in the page
exports' queries and in the reports.  "Another's row" = an asset ID (or a town name) that
is not in the scope; each walk also checks that the user's own rows are there.
"""
from __future__ import annotations

import io
import json

import docx
import openpyxl
import pytest

from conftest import AS_OF, account, app, assert_clean
from dashboard import places
from dashboard.reports import build
from dashboard.store import settings
from dashboard.ui.auth import RIGHTS
from dashboard.ui.pages import PAGES

SCOPES = {
    "town": ({"town": "城川镇"}, "town = '城川镇'"),
    "department": ({"department": "农牧局"}, "department IN ({aliases})"),
    "village": ({"town": "城川镇", "village": "大发村"}, "town = '城川镇' AND village = '大发村'"),
}


def _ids(books, where: str) -> tuple[set[str], set[str]]:
    aliases = ", ".join(f"'{s}'" for s in settings.Department("农牧局", settings.department_aliases("农牧局")).spellings)
    where = where.format(aliases=aliases)
    mine = {r[0] for r in books.con.execute(f"SELECT asset_id FROM assets WHERE {where}").fetchall()}
    other = {r[0] for r in books.con.execute(f"SELECT asset_id FROM assets WHERE NOT coalesce({where}, false)").fetchall()}
    return mine, other - mine


def _strings(at) -> list[str]:
    out = []
    for d in at.main.dataframe:
        out += [str(v) for v in d.value.astype(str).to_numpy().ravel()]
    out += [c.proto.spec for c in at.get("plotly_chart")]
    return out


def _no_other(texts: list[str], other: set[str], where: str) -> None:
    blob = "\n".join(texts)
    leaked = sorted(i for i in other if i in blob)
    assert not leaked, f"{where}: {len(leaked)} assets of another scope, e.g. {leaked[:3]}"


@pytest.fixture(params=list(SCOPES))
def scoped_user(request, sample_books):
    place, where = SCOPES[request.param]
    account(request.param, request.param, **place)
    mine, other = _ids(sample_books, where)
    assert mine and other
    return request.param, mine, other


def test_every_page_shows_only_the_users_scope(scoped_user):
    name, mine, other = scoped_user
    at = app(user=name)
    assert_clean(at)
    seen_mine = False
    for page in PAGES:
        if page.public or (page.right and name not in RIGHTS[page.right]):
            continue                                  # test_a_refused_page_says_so
        at.switch_page(f"../pages/{page.file}").run()
        assert_clean(at)
        texts = _strings(at)
        _no_other(texts, other, page.title)
        seen_mine |= any(i in "\n".join(texts) for i in mine)
        for d in at.main.dataframe:
            if "镇" in d.value.columns and name != "department":
                towns = set(d.value["镇"].dropna()) - {"合计", "全旗", "—"}
                assert towns <= {"城川镇"}, (page.title, towns)
    assert seen_mine, "the user's own assets never appeared"
    ctx = at.session_state["ui.context"]
    options = ctx.evaluated().frame("sidebar/filter_options", ctx.filters)
    towns = set(options.loc[options.field == "town", "value"])
    assert towns == ({"城川镇"} if name != "department" else towns) and towns
    # The page exports read the same scoped context: the ledger's full listing, the registers.
    problem_aspects = ["资产底数", "确权登记", "运营管护", "收益分配", "处置销号"]
    for query, bind in [("ledger/listing", {"search": "", "sort": "asset_id", "desc": False,
                                            "limit": 100000, "offset": 0}),
                        ("shared/disposal_register", {"annex_order": False}),
                        ("shared/problem_register", {"annex_order": False, "aspects": problem_aspects}),
                        ("shared/warned_assets", {"town": None, "rule_id": None, "limit": 100000})]:
        frame = ctx.frame(query, **bind)
        assert set(frame.asset_id.dropna()) <= mine, query


def test_a_refused_page_says_so(scoped_user):
    name, _, _ = scoped_user
    at = app(user=name)
    at.switch_page("../pages/admin.py").run()
    assert not at.exception
    assert any("无权使用本页" in e.value for e in at.main.error)
    assert not at.main.dataframe


def test_console_holds_only_the_users_scope(scoped_user):
    name, mine, other = scoped_user
    at = app("sql_console", user=name)
    query = ("SELECT asset_id FROM assets UNION ALL SELECT asset_id FROM asset_results "
             "UNION ALL SELECT asset_id FROM rule_hits UNION ALL SELECT asset_id FROM income "
             "UNION ALL SELECT asset_id FROM distribution UNION ALL SELECT asset_id FROM disposals "
             "UNION ALL SELECT asset_id FROM problems UNION ALL SELECT asset_id FROM collection_checks")
    at.text_area(key="sql_text").set_value(query)
    next(b for b in at.main.button if b.label == "执行查询").click().run()
    assert_clean(at)
    result = next(d.value for d in at.main.dataframe if "asset_id" in d.value.columns)
    ids = set(result.asset_id.dropna())
    assert ids and ids <= mine
    catalog = next(d.value for d in at.main.dataframe if "表名" in d.value.columns).set_index("表名")
    # The nodes are counted per town: a town user reads its own rows, a village or department none.
    assert (catalog.loc["milestones", "行数"] > 0) == (name == "town")
    assert catalog.loc["assets", "行数"] == len(mine)


@pytest.mark.parametrize("kind, period", [("monthly", "2024-12"), ("quarterly", "2024Q4")])
def test_reports_hold_only_the_users_scope(scoped_user, sample_books, kind, period):
    name, mine, other = scoped_user
    from dashboard.store import accounts
    scope = accounts.get(name).scope()
    report = build.build(sample_books, kind, period, None, AS_OF, None, scope)
    assert report.scope == scope.label and scope.label in report.subtitle
    document = docx.Document(io.BytesIO(build.render(report, "docx")))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    book = openpyxl.load_workbook(io.BytesIO(build.render(report, "xlsx")), read_only=True)
    texts += [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    _no_other(texts, other, f"{kind} report")
    assert any(i in "\n".join(texts) for i in mine) or report.section("overview").figures["red"] == 0
    if name != "department":
        others = [t for t in places.TOWNS if t != "城川镇"]
        body = "\n".join(texts)
        assert not [t for t in others if t in body], "another town is named in the report"
    json.dumps(report.scope)


def test_reporting_authority_and_department_doubts(sample_books):
    """Every asset has one reporting authority: its 主管部门 when that names a banner
    department (by name or alias), else its 所在镇; any other 主管部门 is a QA doubt."""
    from dashboard.evaluated import Evaluated
    from dashboard.filters import Filters
    bind = settings.department_lists()
    con = sample_books.con
    rows = con.execute("SELECT row_id, department FROM assets WHERE town = '城川镇' ORDER BY row_id LIMIT 2").fetchall()
    con.execute("UPDATE assets SET department = '旗公安局' WHERE row_id = ?", [rows[0][0]])
    con.execute("UPDATE assets SET department = ' 旗农牧局 ' WHERE row_id = ?", [rows[1][0]])
    try:
        ev = Evaluated(sample_books, AS_OF)
        listing = ev.frame("ledger/listing", Filters(), search="", sort="row_id", desc=False, limit=None,
                           offset=0, **bind).set_index("row_id")
        doubts = ev.frame("shared/department_doubts", Filters(), **bind)
        ev.close()
    finally:
        for row_id, department in rows:
            con.execute("UPDATE assets SET department = ? WHERE row_id = ?", [department, row_id])
    assert listing.loc[rows[0][0], "authority"] == "城川镇"          # no banner department: its town
    assert listing.loc[rows[1][0], "authority"] == "农牧局"          # an alias, spaces trimmed
    towns_gov = listing[listing.department.fillna("").str.endswith("人民政府")]
    assert not towns_gov.empty and (towns_gov.authority == towns_gov.town).all()
    assert listing.authority.notna().all()
    assert list(doubts.department) == ["旗公安局"] and doubts.assets.iloc[0] == 1
