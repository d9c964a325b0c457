"""Report periods, formula injection and the `report` command's exit codes."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile

import docx
import openpyxl
import pytest

import rulekit
from conftest import ROOT
from dashboard.reports import build, periods

D = dt.date
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind, text, start, end, label, previous_end", [
    ("monthly", "2024-05", D(2024, 5, 1), D(2024, 5, 31), "2024年5月", D(2024, 4, 30)),
    ("monthly", "2024年3月", D(2024, 3, 1), D(2024, 3, 31), "2024年3月", D(2024, 2, 29)),
    ("monthly", "2024-1", D(2024, 1, 1), D(2024, 1, 31), "2024年1月", D(2023, 12, 31)),
    ("quarterly", "2024Q2", D(2024, 4, 1), D(2024, 6, 30), "2024年第二季度", D(2024, 3, 31)),
    ("quarterly", "2024q1", D(2024, 1, 1), D(2024, 3, 31), "2024年第一季度", D(2023, 12, 31)),
    ("quarterly", "2024年第四季度", D(2024, 10, 1), D(2024, 12, 31), "2024年第四季度", D(2024, 9, 30)),
    ("annual", "2024", D(2024, 1, 1), D(2024, 12, 31), "2024年度", D(2023, 12, 31)),
])
def test_periods(kind, text, start, end, label, previous_end):
    p = periods.parse(kind, text)
    assert (p.start, p.end, p.label, p.previous().end) == (start, end, label, previous_end)


def test_annual_month_ends_are_calendar_month_ends():
    ends = periods.parse("annual", "2024").month_ends()
    assert len(ends) == 12 and ends[1] == D(2024, 2, 29) and ends[-1] == D(2024, 12, 31)


@pytest.mark.parametrize("kind, text, words", [
    ("monthly", "2024-13", "月份13无效"),
    ("monthly", "2024Q2", "2024-05"),
    ("monthly", "", "请填写"),
    ("quarterly", "2024Q5", "2024Q2"),
    ("quarterly", "2024-05", "2024Q2"),
    ("annual", "24", "2024"),
    ("annual", "1899", "超出范围"),
    ("annual", "2201", "超出范围"),
    ("weekly", "2024", "monthly"),
])
def test_bad_periods_say_why_in_chinese(kind, text, words):
    with pytest.raises(periods.PeriodError) as err:
        periods.parse(kind, text)
    message = str(err.value)
    assert CHINESE.search(message) and words in message


NASTY = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\",\"点我\")"]


@pytest.fixture(scope="module")
def injected():
    """Assets whose names and custodians look like formulas, each with a red warning."""
    assets = [{"asset_id": f"A{i}", "asset_name": name, "custodian": name, "operating_status": "不正常"}
              for i, name in enumerate(NASTY)]
    # each is a red asset of the bulletin, whose lists Word prints whole here
    report = build.build(rulekit.ledgers(assets=assets), "quarterly", "2024Q2")
    xlsx = build.render(report, "xlsx")
    for table in report.tables():       # Word prints these lists whole (not cut at content.LIST_ROWS)
        table.docx_rows = 0
    return report, xlsx, build.render(report, "docx")


def test_formula_lookalikes_stay_text_in_xlsx(injected):
    _, data, _ = injected
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in s or "<f " in s for s in sheets), "a cell was written as a formula"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    found = [c for ws in wb for row in ws.iter_rows() for c in row if c.value in NASTY]
    assert {c.value for c in found} == set(NASTY)
    assert all(c.data_type == "s" and c.quotePrefix for c in found)
    red = wb["红色预警"]
    names = [r[4] for r in red.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == sorted(NASTY)


def test_formula_lookalikes_print_as_is_in_docx(injected):
    _, _, data = injected
    cells = {c.text for t in docx.Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells}
    assert set(NASTY) <= cells


def test_report_on_small_ledger_names_the_rule_and_the_unit(injected):
    report, _, _ = injected
    red = report.section("warnings").parts[1].tables[0]
    assert len(red.rows) == len(NASTY)
    assert all(r[7].startswith("R01 运营不正常：") for r in red.rows)
    assert {r[8] for r in red.rows} == set(NASTY)      # custodian stands in for the responsible unit


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "dashboard", "report", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args, words", [
    (["weekly", "--period", "2024-05", "{sample}", "--out", "{tmp}/r.docx"], "报告类型"),
    (["monthly", "--period", "2024-99", "{sample}", "--out", "{tmp}/r.docx"], "月份"),
    (["quarterly", "--period", "2024", "{sample}", "--out", "{tmp}/r.docx"], "2024Q2"),
    (["monthly", "--period", "2024-05", "{sample}", "--out", "{tmp}/r.pdf"], ".xlsx 或 .docx"),
    (["monthly", "--period", "2024-05", "{tmp}/none.xlsx", "--out", "{tmp}/r.xlsx"], "无法打开"),
    (["monthly", "--period", "2024-05", "{readme}", "--out", "{tmp}/r.xlsx"], "资产台账"),
    (["monthly", "--period", "2024-05", "{sample}", "--out", "{tmp}/r.xlsx", "--param", "idle=1"], "未知参数"),
])
def test_cli_bad_input_exits_2_with_one_chinese_line(sample_file, tmp_path, args, words):
    args = [a.format(sample=sample_file, tmp=tmp_path, readme=ROOT / "README.md") for a in args]
    done = run_cli(*args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and CHINESE.search(lines[0]) and words in lines[0]
    assert "Traceback" not in done.stderr
    assert not any(tmp_path.glob("r.*"))


def test_cli_writes_the_report(sample_file, tmp_path):
    out = tmp_path / "季通报.xlsx"
    done = run_cli("quarterly", "--period", "2024Q4", sample_file, "--out", out, "--as-of", "2024-12-31",
                   "--param", "idle_months=9")
    assert done.returncode == 0, done.stderr
    assert "2024年第四季度季通报" in done.stdout
    wb = openpyxl.load_workbook(out, read_only=True)
    cover = {r[0]: r[2] for r in wb["说明"].iter_rows(values_only=True) if r and r[0]}
    assert cover["停运满多少个月认定为闲置"] == 9
    assert "分镇排名" in wb.sheetnames
