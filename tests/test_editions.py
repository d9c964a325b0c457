"""Policy editions (issue 22, verification.md §4): the files, their checks, the edition in force
at as_of, what a later edition changes in the rules, and no plan word or date left in code."""
from __future__ import annotations

import datetime as dt
import ast
import re
from pathlib import Path

import pytest

from dashboard import editions, policy, rules
from dashboard.policy import PolicyError
from rulekit import D, load

ROOT = Path(__file__).resolve().parents[1]

NEXT = """
[edition]
document = "鄂前政办发〔2026〕1号"
title = "常态化帮扶项目资产管理工作方案"
effective_from = 2026-01-01

[scope]
funds = ["财政专项扶贫资金", "衔接推进乡村振兴补助资金", "易地扶贫搬迁资金", "常态化帮扶资金"]

[[milestones]]
id = "N1"
name = "年度核实"
due = 2026-03-31
measure = "verified"

[[milestones]]
id = "N2"
name = "纳入管理平台"
due = 2026-06-30
measure = "on_platform"
"""


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path))
    return tmp_path


def test_the_seed_edition_holds_the_plan_and_round_trips():
    seed = editions.seed()
    assert (seed.document, seed.effective_from) == ("鄂前政办发〔2024〕13号", dt.date(2024, 2, 29))
    assert seed.start_year == 2012 and "易地扶贫搬迁资金" in seed.funds
    assert "防止返贫致贫对象" in seed.beneficiaries["监测对象"]
    assert seed.batch_label("提升") == "提升（升级）" and seed.batch_label("巩固") == "巩固"
    assert [m.id for m in seed.milestones] == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert seed.milestone("M4").due == dt.date(2024, 3, 31) and seed.milestone("M4").measure == "confirmed"
    # parameters.toml's defaults are the seed edition's, every one of them
    assert seed.parameters == policy.default_params()
    assert len(seed.negative_list) == len(policy.parse_negative_list(
        policy.NEGATIVE_LIST_FILE.read_text(encoding="utf-8")))
    assert editions.parse(editions.to_toml(seed)) == seed
    later = editions.parse(NEXT, "next.toml")
    assert editions.parse(editions.to_toml(later)) == later
    assert later.counts_from == later.effective_from            # [edition] keys are its own
    assert later.beneficiaries == seed.beneficiaries             # left out: inherited
    assert [m.id for m in later.milestones] == ["N1", "N2"]


@pytest.mark.parametrize("text, key", [
    ('[edition]\ndocument = "x"\neffective_from = 2026-02-30\n', "effective_from"),
    ('[edition]\ndocument = "x"\neffective_from = "2026年1月"\n', "edition.effective_from"),
    ('[edition]\ndocument = "x"\neffective_from = 2026-01-01\nmotto = 1\n', "edition.motto"),
    ('[edition]\ndocument = "x"\neffective_from = 2026-01-01\n[[milestones]]\nid = "A"\ndue = 2026-03-31\n'
     'measure = "done"\n', "milestones[1].measure"),
    ('[edition]\ndocument = "x"\neffective_from = 2026-01-01\n[[milestones]]\nid = "A"\ndue = 2026-13-01\n'
     'measure = "verified"\n', "due"),
    ('[edition]\ndocument = "x"\neffective_from = 2026-01-01\n[parameters]\nidle_month = 3\n', "parameters.idle_month"),
    ('[edition]\ndocument = "x"\neffective_from = 2026-01-01\n[scope]\nfunds = "常态化帮扶资金"\n', "scope.funds"),
])
def test_a_malformed_edition_is_refused_naming_file_and_key(text, key):
    with pytest.raises(PolicyError) as err:
        editions.parse(text, "坏版本.toml")
    assert "坏版本.toml" in str(err.value) and key in str(err.value)


def test_files_in_the_data_folder_load_a_bad_one_is_refused_and_a_new_one_is_seen_at_once(data_dir):
    folder = data_dir / "editions"
    folder.mkdir()
    assert [e.document for e in editions.load_all()] == ["鄂前政办发〔2024〕13号"]
    (folder / "bad.toml").write_text('[edition]\ndocument = "x"\neffective_from = 2025-01-01\n'
                                     '[[milestones]]\nid = "A"\ndue = 2025-03-31\nmeasure = "估计"\n',
                                     encoding="utf-8")
    before = editions.version()                   # the app's evaluation keys hold it (ui/data.key_for)
    (folder / "next.toml").write_text(NEXT, encoding="utf-8")
    assert editions.version() != before
    loaded, refused = editions.scan()              # no restart: the listing changed
    assert [e.document for e in loaded] == ["鄂前政办发〔2024〕13号", "鄂前政办发〔2026〕1号"]
    assert [(p.name, "milestones[1].measure" in msg) for p, msg in refused] == [("bad.toml", True)]
    assert editions.in_force(D("2025-12-31")).document == "鄂前政办发〔2024〕13号"
    assert editions.in_force(D("2026-01-01")).document == "鄂前政办发〔2026〕1号"
    assert editions.in_force(D("2020-01-01")).document == "鄂前政办发〔2024〕13号"   # before any: the first
    saved = editions.save(editions.parse(NEXT.replace("2026-01-01", "2026-07-01")
                                         .replace("〔2026〕1号", "〔2026〕7号")))
    assert saved.parent == folder and editions.in_force(D("2026-12-31")).document == "鄂前政办发〔2026〕7号"
    with pytest.raises(PolicyError, match="已存在"):
        editions.save(editions.parse(saved.read_text(encoding="utf-8")))


NEW_MONEY = {"asset_id": "A9", "category": "公益性", "build_year": 2025, "funding_source": "2025年常态化帮扶资金"}


def _flags(con, asset_id):
    return con.execute("SELECT flags FROM asset_results WHERE asset_id = ?", [asset_id]).fetchone()[0] or []


def test_a_2026_edition_changes_scope_and_milestones_from_its_date_and_d5_takes_the_new_name(data_dir):
    (data_dir / "editions").mkdir()
    (data_dir / "editions" / "next.toml").write_text(NEXT, encoding="utf-8")
    sheets = dict(
        assets=[{"verified_date": "2024-01-10"}, NEW_MONEY | {"verified_date": "2026-02-01", "owner_level": "嘎查村",
                                                           "platform": "三资平台", "village": "大发村"},
                {"asset_id": "A3", "disposal_status": "已处置"}],       # MG3 does not check it: not on_platform's
        distribution=[{"asset_id": "A1", "year": 2026, "beneficiary": "防止返贫致贫对象", "amount": 1000.0,
                       "plan": "有", "purpose": "公益岗位工资"}])
    con = load(**sheets)
    before = rules.evaluate(con, D("2025-12-31"))
    assert before.edition.document == "鄂前政办发〔2024〕13号"
    assert "OUT_OF_SCOPE" in _flags(con, "A9")
    reason = con.execute("SELECT facts FROM rule_hits WHERE rule_id = 'OUT_OF_SCOPE'").fetchone()[0]
    assert "不属于财政专项扶贫资金、衔接推进乡村振兴补助资金、易地扶贫搬迁资金" in reason
    assert con.execute("SELECT d5 FROM distribution_judged").fetchone()[0] is False   # an alias in the seed
    assert con.execute("SELECT DISTINCT milestone FROM milestones ORDER BY 1").fetchall() == [
        ("M1",), ("M2",), ("M4",)]           # no problems ledger, no idle asset: M3, M5, M6 have nothing to count

    after = rules.evaluate(con, D("2026-06-30"))
    assert after.edition.document == "鄂前政办发〔2026〕1号"
    assert "OUT_OF_SCOPE" not in _flags(con, "A9")
    assert con.execute("SELECT d5 FROM distribution_judged").fetchone()[0] is False
    rows = con.execute("SELECT milestone, due_date, done, total FROM milestones "
                       "WHERE town IS NULL AND is_due ORDER BY milestone").fetchall()
    # N1: A1 was verified in 2024, before the edition took effect: only A9's 2026 verification counts
    assert rows == [("N1", D("2026-03-31"), 1, 3), ("N2", D("2026-06-30"), 1, 2)]   # MG3 fires on A1 (村 asset, no 三资平台)
    first = con.execute("SELECT min(at_date) FROM milestones").fetchone()[0]
    assert first == D("2026-01-31")                     # the series starts with the edition's year

    # 盘活进度 and the reports read the 2026 milestones with their names and dates
    from dashboard.evaluated import Evaluated
    from dashboard.ledgers import Ledgers
    ev = Evaluated(Ledgers("测试台账", con, None), D("2026-06-30"))
    shown = [(m["milestone"], m["name"], m["due_date"], m["share_at_due"]) for m in ev.rows("shared/milestones")
             if m["town"] is None]
    assert shown == [("N1", "年度核实", D("2026-03-31"), 1 / 3), ("N2", "纳入管理平台", D("2026-06-30"), 0.5)]
    ev.close()

    # --edition forces one: the seed judges 2026-06-30 as before
    rules.evaluate(con, D("2026-06-30"), edition=editions.seed())
    assert "OUT_OF_SCOPE" in _flags(con, "A9")


def test_an_editions_parameter_defaults_apply_and_a_users_override_still_wins(data_dir):
    (data_dir / "editions").mkdir()
    (data_dir / "editions" / "next.toml").write_text(NEXT + "\n[parameters]\nidle_months = 3\n", encoding="utf-8")
    con = load(assets=[{"operating_status": "停运", "stop_date": "2025-11-15"}])
    assert rules.evaluate(con, D("2026-03-01")).params["idle_months"] == 3
    idle = "SELECT count(*) FROM rule_hits WHERE rule_id = 'R07'"
    assert con.execute(idle).fetchone()[0] == 1           # stopped 3½ months: idle under the 2026 default
    assert rules.evaluate(con, D("2026-03-01"), {"idle_months": 4}).params["idle_months"] == 4
    assert con.execute(idle).fetchone()[0] == 0           # the user's 4 months win
    assert rules.evaluate(con, D("2025-12-31"), policy.default_params()).params["idle_months"] == 6


# --- no plan word, date or threshold in code (issue 22.1) ------------------------------------

def _plan_words() -> dict[str, str]:
    seed = editions.seed()
    words = {w: "资金来源" for w in seed.fund_patterns()}
    words |= {w: "受益对象类别" for w in seed.beneficiary_words() if len(w) >= 3}   # 村集体, 脱贫户 …
    words |= {m.due.isoformat(): "节点日期" for m in seed.milestones}
    words |= {seed.effective_from.isoformat(): "施行日期"}
    return words


# Files that fabricate example ledgers (the sample workbook, the blank template's example row)
# write these words as data, not as rules.
EXAMPLE_DATA = {"dashboard/sample.py", "dashboard/blank_template.py"}
# The same word meaning something else: 村集体 is also how a ledger writes 产权归属 嘎查村.
NOT_PLAN_WORDS = {("dashboard/template.py", "村集体")}


def _literals(text: str, suffix: str) -> set[str]:
    """A beneficiary category counts when written as a whole literal ('监测对象'), not as part
    of a longer word (防返贫监测对象, 带动脱贫户…户)."""
    if suffix == ".sql":
        return set(re.findall(r"'([^']*)'", text))
    return {text} | set(re.split(r"[、，,;；/\s]+", text))


THRESHOLDS = re.compile(r"(?<![\w.])(100000|300000|1000000|10000000|50000000|0\.01|0\.03|2012)(?![\w.])")


def _python_strings(path: Path):
    """The string literals of a Python file (f-strings' parts included) that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            docs.add(id(node.body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_fund_category_milestone_date_or_threshold_is_written_in_code():
    words = _plan_words()
    found = []
    for folder in ("dashboard", "pages", "queries"):
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in EXAMPLE_DATA or "__pycache__" in rel:
                continue
            if path.suffix == ".py":
                texts = list(_python_strings(path))
            elif path.suffix == ".sql":
                texts = [(n, re.sub(r"--.*", "", line))
                         for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]
            else:
                continue
            for line, text in texts:
                found += [f"{rel}:{line} {what} {w}" for w, what in words.items()
                          if (w in text if what != "受益对象类别" else w in _literals(text, path.suffix))
                          and (rel, w) not in NOT_PLAN_WORDS]
                if path.suffix == ".sql":
                    found += [f"{rel}:{line} 阈值 {m}" for m in THRESHOLDS.findall(text)]
    assert not found, "\n".join(found)


# --- the command line (issue 22.5) ---------------------------------------------------------

def _ledger(path: Path) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("资产台账")
    ws.write_row(0, 0, ["资产编号", "资产名称", "资产类别", "所在镇", "建成年度", "资产原值（万元）", "资金来源"])
    ws.write_row(1, 0, ["A1", "村道", "公益性", "城川镇", 2025, 10, "常态化帮扶资金"])
    ws.write_row(2, 0, ["A2", "温室", "公益性", "城川镇", 2019, 20, "衔接资金"])
    wb.close()
    return path


def test_evaluate_uses_the_edition_in_force_and_edition_forces_one(data_dir, tmp_path, capsys):
    import json
    from dashboard import cli
    book = _ledger(tmp_path / "台账.xlsx")
    (tmp_path / "next.toml").write_text(NEXT, encoding="utf-8")

    def summary(*extra):
        out = tmp_path / f"out{len(extra)}"
        assert cli.main(["evaluate", str(book), "--as-of", "2026-06-30", "--out", str(out), *extra]) == 0
        return json.loads((out / "summary.json").read_text(encoding="utf-8"))

    seed = summary()                                          # no edition saved: the seed's is in force
    assert seed["edition"] == {"document": "鄂前政办发〔2024〕13号", "title": editions.seed().title,
                               "effective_from": "2024-02-29"}
    assert seed["counts_by_rule"].get("OUT_OF_SCOPE") == 1
    forced = summary("--edition", str(tmp_path / "next.toml"))
    assert forced["edition"]["document"] == "鄂前政办发〔2026〕1号"
    assert forced["counts_by_rule"].get("OUT_OF_SCOPE", 0) == 0
    (tmp_path / "bad.toml").write_text(NEXT.replace('"on_platform"', '"平台"'), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["evaluate", str(book), "--as-of", "2026-06-30", "--out", str(tmp_path / "x"),
                     "--edition", str(tmp_path / "bad.toml")]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "milestones[2].measure" in err and "Traceback" not in err


def test_report_names_the_edition_it_was_judged_by(data_dir, tmp_path):
    import openpyxl
    from dashboard import cli
    book = _ledger(tmp_path / "台账.xlsx")
    (tmp_path / "next.toml").write_text(NEXT, encoding="utf-8")
    out = tmp_path / "月调度.xlsx"
    assert cli.main(["report", "monthly", str(book), "--period", "2026-06", "--as-of", "2026-06-30",
                     "--out", str(out), "--edition", str(tmp_path / "next.toml")]) == 0
    cells = {str(c.value) for ws in openpyxl.load_workbook(out, read_only=True).worksheets
             for row in ws.iter_rows() for c in row if c.value is not None}
    assert "政策版本：《常态化帮扶项目资产管理工作方案》（鄂前政办发〔2026〕1号），2026-01-01起施行" in cells
    assert not any("鄂前政办发〔2024〕13号" in c for c in cells)     # not the seed's


def test_the_monthly_due_day_is_the_editions(data_dir):
    from dashboard.monthly import submissions
    assert submissions.due_date("2024-05") == dt.date(2024, 5, 25)          # the seed's 八(二): the 25th
    (data_dir / "editions").mkdir()
    (data_dir / "editions" / "next.toml").write_text(NEXT + "\n[reporting]\nmonthly_due_day = 20\n", encoding="utf-8")
    assert submissions.due_date("2025-12") == dt.date(2025, 12, 25)
    assert submissions.due_date("2026-02") == dt.date(2026, 2, 20)
    with pytest.raises(PolicyError, match="reporting.monthly_due_day"):
        editions.parse(NEXT + "\n[reporting]\nmonthly_due_day = 31\n", "x.toml")


def test_progress_page_and_sidebar_follow_the_edition_in_force():
    """An edition in force at the sample's date (as if made mid-2024): the header names it, the
    sidebar starts from its defaults, 盘活进度 draws its milestones against their dates."""
    import json
    from conftest import app, assert_clean
    from dashboard import settings
    folder = settings.data_dir() / "editions"
    folder.mkdir(parents=True)
    (folder / "mid.toml").write_text(NEXT.replace("2026-01-01", "2024-06-01").replace("2026-03-31", "2024-09-30")
                                     .replace("2026-06-30", "2024-11-30") + "\n[parameters]\nidle_months = 3\n",
                                     encoding="utf-8")
    at = app("progress")
    assert_clean(at)
    assert "政策版本：鄂前政办发〔2026〕1号（2024年6月1日起施行）" in at.main.caption[0].value
    assert "政策参数：全部为默认值" in at.main.caption[0].value       # its defaults are the defaults
    assert at.number_input(key="ui.param.idle_months").value == 3
    from dashboard.filters import Filters
    from dashboard.ui import export

    class Source:
        label, month, data_date = "示例数据", None, None

    class Ctx:                                   # a page's exports say it under their title
        source, as_of, filters = Source(), D("2024-12-31"), Filters()
    assert "政策版本：鄂前政办发〔2026〕1号（2024-06-01起施行）" in export.note(Ctx)
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text") for c in at.get("plotly_chart")]
    assert "N1 年度核实" in titles and "N2 纳入管理平台" in titles and not any(t and t.startswith("M2") for t in titles)
    table = next(d.value for d in at.main.dataframe if "N1" in d.value.iloc[:, 0].astype(str).tolist())
    assert "2024-09-30" in table.to_string() or "2024年9月30日" in table.to_string()
