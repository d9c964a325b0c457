"""Reports on the committed sample: the numbers in the generated xlsx and docx (read back
with openpyxl and python-docx) equal what `evaluate` computes for the same date."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pytest

from conftest import AS_OF
from dashboard import dq, evaluate, labels, rules
from dashboard.reports import build, content

PERIODS = {"monthly": "2024-12", "quarterly": "2024Q4", "annual": "2024"}
DETAIL = ["总体情况", "预警情况", "收益收缴和分配", "重点工作进展", "资产处置", "问题整改和销号"]
# The monthly dispatch is short (issue 12): key figures, red warnings new and cleared, what to do next.
SECTIONS = {"monthly": ["总体情况", "红色预警变化", "下步工作"], "quarterly": DETAIL + ["各镇排名"],
            "annual": DETAIL + ["全年走势", "主要成效", "存在问题", "下步打算"]}
SHEETS = {"monthly": ["说明", "主要指标", "新增红色预警", "解除红色预警"],
          "quarterly": ["说明", "主要指标", "分镇预警", "红色预警", "黄色预警", "新增预警", "解除预警", "预警热力图",
                        "收益收缴", "收益分配", "工作节点", "处置情况", "问题分方面", "问题分层级"]}
SHEETS["annual"] = SHEETS["quarterly"]
ANNEXES = ["预警范围台账", "问题台账", "处置登记台账", "销号台账"]


@pytest.fixture(scope="module")
def expected(sample_books, sample_ev, direct):
    """What `python -m dashboard evaluate` reports for AS_OF."""
    summary = evaluate.build_summary(sample_books, sample_ev)
    assets = sample_ev.frame("exports/assets")
    disposals = sample_ev.frame("exports/disposals")
    m5 = direct.execute(
        "SELECT share FROM milestones WHERE milestone = 'M5' AND town IS NULL AND is_as_of").fetchone()
    return {"summary": summary, "assets": assets, "disposals": disposals, "m5": m5[0]}


@pytest.fixture(scope="module")
def files(sample_books, tmp_path_factory):
    """Every kind's report, built once and written in both formats."""
    out = {}
    folder = tmp_path_factory.mktemp("reports")
    for kind, period in PERIODS.items():
        report = build.build(sample_books, kind, period)
        paths = {}
        for fmt in ("xlsx", "docx"):
            paths[fmt] = folder / f"{kind}.{fmt}"
            paths[fmt].write_bytes(build.render(report, fmt))
        out[kind] = (report, paths)
    return out


def sheet_rows(path: Path, sheet: str) -> list[dict]:
    """Data rows of one report sheet as dicts keyed by the header row (row 3)."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    return [dict(zip(header, r)) for r in rows[3:] if any(v is not None for v in r)]


def docx_tables(path: Path) -> dict[str, list[list[str]]]:
    """Tables by the caption above them ('表3　红色预警资产名单' → rows incl. header); the grouped
    lists ('1.城川镇（5项）' before each table) are merged under their caption."""
    d = docx.Document(str(path))
    out, caption = {}, None
    for block in d.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[1]
        if tag == "p":
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            if re.match(r"^表\d+　", text):
                caption = text.split("　", 1)[1]
            elif text and not re.match(r"^\d+\.", text):   # any other text ends a caption's scope
                caption = None
        elif tag == "tbl" and caption:
            table = docx.table.Table(block, d)
            rows = [[c.text for c in r.cells] for r in table.rows]
            out[caption] = out[caption] + rows[1:] if caption in out else rows
    return out


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.mark.parametrize("kind", PERIODS)
def test_every_section_in_both_files(files, kind):
    report, paths = files[kind]
    assert report.as_of == AS_OF
    text = docx_text(paths["docx"])
    numerals = "一二三四五六七八九十"
    assert [s.title for s in report.sections] == SECTIONS[kind]
    for n, title in enumerate(SECTIONS[kind]):
        assert f"{numerals[n]}、{title}" in text
        assert report.sections[n].narrative and report.sections[n].narrative in text
    assert "鄂托克前旗" in text and report.period.label in text and "2024年12月31日" in text
    sheets = openpyxl.load_workbook(paths["xlsx"], read_only=True).sheetnames
    for name in SHEETS[kind] + ANNEXES:
        assert name in sheets
    assert ("分镇排名" in sheets) == (kind == "quarterly")
    assert ("月度走势" in sheets) == (kind == "annual")
    assert ("数据质量" in sheets) == (kind == "monthly")           # verification.md §2: 完整率 per authority
    if kind == "monthly":
        quality = next(t for t in report.annexes if t.sheet == "数据质量")
        rates = [r[-1] for r in quality.rows]
        assert rates == sorted(rates) and all(0 < r <= 1 for r in rates)
        lowest = "、".join(f"{r[0]}（{r[-1] * 100:.2f}%）" for r in quality.rows[:3])
        due = dq.correction_due()
        assert f"台账完整率最低的{lowest}请于{due.month}月{due.day}日前按附表更正" in report.section("next_steps").narrative
    assert not [s for s in sheets if s.endswith("（摘）")]          # the dispatch's short lists stay in Word
    pictures = docx.Document(str(paths["docx"])).inline_shapes
    assert len(pictures) == {"monthly": 0, "quarterly": 2, "annual": 3}[kind]   # heatmap, milestones, trend


def test_parameters_in_force_are_printed(files):
    _, paths = files["monthly"]
    cover = openpyxl.load_workbook(paths["xlsx"], read_only=True)["说明"]
    rows = {r[0]: r[2:4] for r in cover.iter_rows(values_only=True) if r and r[0]}
    assert rows["停运满多少个月认定为闲置"] == (6, "个月")               # Chinese names, units as the plan writes them
    assert rows["年收益率低于此值为收益过低（红色）"] == (1, "%")
    assert rows["简易处置程序：单项资产原值上限（含）"] == (10, "万元")
    assert not {"idle_months", "元", "比率"} & {str(v) for r in cover.iter_rows(values_only=True) for v in r if v}
    assert "停运满多少个月认定为闲置（6个月）" in docx_text(paths["docx"])          # one paragraph in the dispatch
    assert "简易处置程序：单项资产原值上限（含）（10万元）" in docx_text(paths["docx"])   # 万元, as the plan writes it
    assert "年收益率低于此值为收益过低（红色）（1%）" in docx_text(paths["docx"])      # a rate in %, not 0.01比率
    _, quarterly = files["quarterly"]
    text = "\n".join(c.text for t in docx.Document(str(quarterly["docx"])).tables for r in t.rows for c in r.cells)
    assert "停运满多少个月认定为闲置" in text


@pytest.mark.parametrize("kind", PERIODS)
def test_xlsx_warning_counts_equal_evaluate(files, expected, kind):
    _, paths = files[kind]
    summary = expected["summary"]
    key = {r["指标"]: r["本期"] for r in sheet_rows(paths["xlsx"], "主要指标")}
    assert key["红色预警资产（项）"] == summary["counts_by_level"]["red"]
    assert key["黄色预警资产（项）"] == summary["counts_by_level"]["yellow"]
    if kind == "monthly":                                 # the short dispatch has no town tables
        return
    towns = {r["镇"]: r for r in sheet_rows(paths["xlsx"], "分镇预警")}
    total = towns.pop("全旗合计")
    assert total["红色预警（项）"] == summary["counts_by_level"]["red"]
    assert total["黄色预警（项）"] == summary["counts_by_level"]["yellow"]
    assert total["资产数（项）"] == sum(summary["counts_by_level"].values())
    assert {t: (r["红色预警（项）"], r["黄色预警（项）"]) for t, r in towns.items()} == \
        {t: (c["red"], c["yellow"]) for t, c in summary["counts_by_town"].items()}
    assert len(sheet_rows(paths["xlsx"], "红色预警")) == summary["counts_by_level"]["red"]
    assert len(sheet_rows(paths["xlsx"], "黄色预警")) == summary["counts_by_level"]["yellow"]


def test_xlsx_rule_counts_equal_evaluate(files, expected):
    _, paths = files["quarterly"]
    by_rule = expected["summary"]["counts_by_rule"]
    heat = sheet_rows(paths["xlsx"], "预警热力图")
    warning_rules = [k for k in heat[0] if k and re.match(r"^[RY]\d\d$", k)]
    assert warning_rules, "heatmap has no rule columns"
    for rule_id in warning_rules:
        assert sum(r[rule_id] for r in heat) == by_rule[rule_id], rule_id
    assert set(warning_rules) == {r for r in by_rule if re.match(r"^[RY]\d\d$", r)}
    dp = {r["处置程序"]: r for r in sheet_rows(paths["xlsx"], "处置情况")}["合计"]
    for i in range(1, 7):
        assert dp[next(k for k in dp if k.startswith(f"DP{i} "))] == by_rule.get(f"DP{i}", 0)
    assert dp["违规件数"] == int((expected["disposals"]["violations"] != "").sum())


def test_warning_annex_lists_each_warned_asset_with_its_rules(files, expected):
    _, paths = files["monthly"]
    annex = {r["资产编号"]: r for r in sheet_rows(paths["xlsx"], "预警范围台账")}
    assets = expected["assets"]
    warned = assets[assets["level"] != "none"]
    assert set(annex) == set(warned["asset_id"])
    for row in warned.itertuples():
        got = annex[row.asset_id]
        assert got["预警等级"] == {"red": "红色", "yellow": "黄色"}[row.level]
        assert got["触发规则"].split("、") == [labels.rule(r) for r in row.rules.split(";")]   # code with its name
        assert all(f"{rid} " in got["事实依据"] for rid in row.rules.split(";"))


def test_docx_numbers_equal_evaluate(files, expected):
    _, paths = files["quarterly"]
    summary = expected["summary"]
    tables = docx_tables(paths["docx"])
    key = {r[0]: r for r in tables["主要指标"]}
    assert int(key["红色预警资产（项）"][1].replace(",", "")) == summary["counts_by_level"]["red"]
    assert int(key["黄色预警资产（项）"][1].replace(",", "")) == summary["counts_by_level"]["yellow"]
    towns = {r[0]: r for r in tables["各镇预警情况"][1:]}
    header = tables["各镇预警情况"][0]
    red_col, yellow_col = header.index("红色预警（项）"), header.index("黄色预警（项）")
    for town, counts in summary["counts_by_town"].items():
        assert int(towns[town][red_col]) == counts["red"]
        assert int(towns[town][yellow_col]) == counts["yellow"]
    # the red list is cut (issue 20.9): the first of each town with red warnings, then how many
    # more are on the 附表's sheet, which has them all
    red = sum(c["red"] for c in summary["counts_by_town"].values())
    assert red == summary["counts_by_level"]["red"] > content.LIST_ROWS
    listed = tables["红色预警资产名单"]
    towns = [t for t, c in summary["counts_by_town"].items() if c["red"]]
    each = max(1, content.LIST_ROWS // len(towns))
    by_town = Counter(r[listed[0].index("镇")] for r in listed[1:])
    assert by_town == {t: min(each, summary["counts_by_town"][t]["red"]) for t in towns}
    text = docx_text(paths["docx"])
    rest = red - len(listed) + 1
    assert f"（共{red}项，每镇列出前{each}项，其余{rest}项见附表“红色预警”工作表。）" in text
    annex = {r["资产编号"] for r in sheet_rows(files["quarterly"][1]["xlsx"], "红色预警")}
    assert len(annex) == red and {r[listed[0].index("资产编号")] for r in listed[1:]} <= annex


def test_milestones_and_revitalisation_rate(files, expected):
    _, paths = files["quarterly"]
    rows = {r["节点"]: r for r in sheet_rows(paths["xlsx"], "工作节点")}
    assert set(rows) == {f"M{i}" for i in range(1, 7)}
    assert rows["M5"]["截至报告日完成率"] == pytest.approx(float(expected["m5"]))


def test_change_against_previous_period(sample_books, files):
    """上期 = the rules evaluated at the previous period's end; new = fired now, not then."""
    report, paths = files["monthly"]
    cur = sample_books.con.cursor()
    rules.evaluate(cur, dt.date(2024, 11, 30))
    before = set(cur.execute("SELECT asset_id, rule_id FROM rule_hits WHERE level IN ('red', 'yellow')").fetchall())
    prev_red = cur.execute("SELECT count(*) FROM asset_results WHERE level = 'red'").fetchone()[0]
    rules.evaluate(cur, AS_OF)
    now = set(cur.execute("SELECT asset_id, rule_id FROM rule_hits WHERE level IN ('red', 'yellow')").fetchall())
    key = {r["指标"]: r for r in sheet_rows(paths["xlsx"], "主要指标")}
    assert key["红色预警资产（项）"]["上期"] == prev_red
    assert key["红色预警资产（项）"]["增减"] == key["红色预警资产（项）"]["本期"] - prev_red
    red = {r[0] for r in cur.execute("SELECT rule_id FROM rule_catalog WHERE level = 'red'").fetchall()}
    new = {(r["资产编号"], r["规则"].split()[0]) for r in sheet_rows(paths["xlsx"], "新增红色预警")}
    cleared = {(r["资产编号"], r["规则"].split()[0]) for r in sheet_rows(paths["xlsx"], "解除红色预警")}
    assert new == {h for h in now - before if h[1] in red} and new
    assert cleared == {h for h in before - now if h[1] in red}
    assert report.previous_as_of == dt.date(2024, 11, 30)


def test_annual_trend_ends_with_the_year_end(files, expected):
    _, paths = files["annual"]
    months = sheet_rows(paths["xlsx"], "月度走势")
    assert [m["月份"] for m in months] == [f"{i}月" for i in range(1, 13)]
    assert months[-1]["红色预警（项）"] == expected["summary"]["counts_by_level"]["red"]
    assert months[-1]["黄色预警（项）"] == expected["summary"]["counts_by_level"]["yellow"]


def test_quarterly_ranking_orders_towns_by_red_warnings(files, expected):
    _, paths = files["quarterly"]
    ranking = sheet_rows(paths["xlsx"], "分镇排名")
    reds = [r["红色预警（项）"] for r in ranking]
    assert reds == sorted(reds, reverse=True)
    assert ranking[0]["红色预警数排名"] == 1
    assert {r["镇"]: r["红色预警（项）"] for r in ranking} == \
        {t: c["red"] for t, c in expected["summary"]["counts_by_town"].items()}


def test_xlsx_layout(files):
    _, paths = files["quarterly"]
    wb = openpyxl.load_workbook(paths["xlsx"])
    ws = wb["分镇预警"]
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A3")
    money = next(c for c in ws[4] if c.column_letter == "C")
    assert money.number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width >= 8


def test_docx_page_is_a4_with_official_margins(files):
    _, paths = files["quarterly"]
    d = docx.Document(str(paths["docx"]))
    s = d.sections[0]
    assert (round(s.page_width.cm, 1), round(s.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(x.cm, 1) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == \
        [3.7, 3.5, 2.8, 2.6]
    first = d.paragraphs[0].runs[0]._r.rPr.rFonts
    assert first.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    headers = [t.rows[0]._tr.trPr for t in d.tables]
    assert all(h is not None and h.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None for h in headers)
    assert Counter(p.text[:2] for p in d.paragraphs if re.match(r"^[一二三四五六七]、", p.text))


def test_annual_summary_reviews_the_year_and_does_not_compare_before_the_plan(files, expected):
    """2023-12-31 is before the plan (issued 2024-02-29): no 上期 column values, nothing new or
    cleared; 主要成效, 存在问题, 下步打算 come from the year's figures."""
    report, paths = files["annual"]
    assert report.previous_as_of is None and "2024年2月29日印发" in report.compared_with
    key = {r["指标"]: r for r in sheet_rows(paths["xlsx"], "主要指标")}
    assert key["红色预警资产（项）"]["上期"] is None and key["红色预警资产（项）"]["增减"] is None
    assert sheet_rows(paths["xlsx"], "新增预警") == [] and sheet_rows(paths["xlsx"], "解除预警") == []
    review = {s.key: s for s in report.sections}
    red = expected["summary"]["counts_by_level"]["red"]
    assert f"年末仍有红色预警资产{red}项" in review["shortfalls"].narrative
    assert "年末仍处于红色预警" in review["plans"].narrative
    months = sheet_rows(paths["xlsx"], "月度走势")
    assert f"变为12月末的{months[-1]['红色预警（项）']}项" in review["achievements"].narrative
    quarterly, _ = files["quarterly"]
    assert quarterly.previous_as_of == dt.date(2024, 9, 30)      # a bulletin compares as before
