"""`python -m dashboard evaluate` as exports.md specifies: files, columns, exit codes."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from conftest import ROOT

ASSET_HEADER = ["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（万元）",
                "运营状况", "停运日期", "合同到期日期"]


def workbook(path: Path, rows, extra_sheets=None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("资产台账")
    ws.write_row(0, 0, ["鄂托克前旗扶贫（帮扶）项目资产台账"])
    ws.write_row(1, 0, ASSET_HEADER)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):   # write_string: "=1+1" must arrive as text, as in a real ledger
            ws.write_string(2 + i, j, value) if isinstance(value, str) else ws.write(2 + i, j, value)
    for name, (header, data) in (extra_sheets or {}).items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header)
        for i, row in enumerate(data):
            ws.write_row(1 + i, 0, row)
    wb.close()
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "dashboard", "evaluate", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def read_csv(path: Path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must carry a BOM for Excel"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


@pytest.fixture
def ledger(tmp_path):
    rows = [["A1", "大棚", "经营性", "城川镇", "大发村", 2018, 100, "停运", "2024-01-01", "2025-01-15"],
            ["A2", "=HYPERLINK(\"x\")", "经营性", "城川", "大发村", 2019, 20, "一般", None, "2025-03-01"],
            ["A2", "重复", "经营性", "城川镇", "大发村", 2019, 20, "一般", None, None],
            ["A3", "道路", "公益性", "昂素镇", "毛盖图嘎查", 2010, 300, None, None, None],
            ["合计", None, None, None, None, None, 440]]
    dist = ["资产编号", "年度", "分配方案", "分配金额（元）", "分配用途", "受益对象", "发放方式"]
    return workbook(tmp_path / "ledger.xlsx", rows, {
        "收益分配": (dist, [["A1", 2024, "有", 5000, "用于支付村干部补贴", "脱贫户", "公益岗位"]])})


def test_evaluate_writes_the_five_files(ledger, tmp_path):
    out = tmp_path / "out"
    proc = run(ledger, "--as-of", "2024-12-31", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assets = read_csv(out / "assets.csv")
    assert list(assets[0]) == ["asset_id", "town", "village", "category", "original_value_yuan", "level",
                               "rules", "flags", "batch_suggested", "batch_recorded", "signoff_tier",
                               "not_evaluated", "checks"]
    by_id = {a["asset_id"]: a for a in assets}
    assert set(by_id) == {"A1", "A2", "A3"}
    assert by_id["A1"]["level"] == "red" and by_id["A1"]["rules"] == "R06;R09"
    assert by_id["A1"]["flags"] == "IDLE"
    assert float(by_id["A1"]["original_value_yuan"]) == 1_000_000
    assert by_id["A2"]["rules"] == "Y01;Y08" and by_id["A2"]["flags"] == "QA"   # town corrected
    assert by_id["A3"]["flags"] == "OUT_OF_SCOPE" and by_id["A3"]["level"] == "none"
    assert "R03" in by_id["A1"]["not_evaluated"].split(";")        # no 收益台账 uploaded
    assert "D3" not in by_id["A1"]["not_evaluated"].split(";")
    assert "MG3" in by_id["A1"]["not_evaluated"].split(";") and by_id["A1"]["checks"] == ""  # no 纳入管理平台

    dist = read_csv(out / "distribution.csv")
    assert list(dist[0]) == ["sheet_row", "asset_id", "town", "village", "year", "amount_yuan", "failed"]
    assert dist[0]["failed"] == "D3" and dist[0]["sheet_row"] == "2"
    assert list(read_csv(out / "disposals.csv")[0:1] or [{}])  # header only is fine: no 处置台账
    assert (out / "disposals.csv").read_text(encoding="utf-8-sig").startswith("asset_id,path,violations")

    rejected = read_csv(out / "rejected.csv")
    assert list(rejected[0]) == ["file", "sheet", "row", "column", "reason"]
    reasons = {(r["row"], r["column"]): r["reason"] for r in rejected}
    assert reasons[("5", "资产编号")].startswith("重复")
    assert any(r["row"] == "7" and "合计" in r["reason"] for r in rejected)

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2024-12-31"
    assert summary["parameters"]["idle_months"] == 6
    assert summary["counts_by_level"] == {"red": 1, "yellow": 1, "none": 1}
    assert summary["counts_by_town"]["城川镇"] == {"red": 1, "yellow": 1, "none": 0}
    assert summary["counts_by_rule"]["R09"] == 1 and summary["counts_by_rule"]["D3"] == 1
    sheet = next(s for s in summary["sheets"] if s["kind"] == "assets")
    assert (sheet["rows_read"], sheet["rows_loaded"], sheet["rows_rejected"]) == (5, 3, 2)


def test_exports_are_safe_against_formula_injection(ledger, tmp_path):
    # asset names are not in assets.csv; the rejected report echoes cell text, so test it there
    bad = workbook(tmp_path / "bad.xlsx", [["=1+1", "x", "经营性", "城川镇", "大发村", 2018, 1, None, "2024年13月1日", None]])
    out = tmp_path / "out"
    assert run(bad, "--as-of", "2024-12-31", "--out", out).returncode == 0
    text = (out / "assets.csv").read_text(encoding="utf-8-sig")
    assert "\n'=1+1," in text and "\n=1+1" not in text


def test_param_override_changes_results(ledger, tmp_path):
    out = tmp_path / "out"
    assert run(ledger, "--as-of", "2024-07-01", "--out", out).returncode == 0
    assert "IDLE" in {a["flags"] for a in read_csv(out / "assets.csv")}
    assert run(ledger, "--as-of", "2024-07-01", "--out", out, "--param", "idle_months=7").returncode == 0
    assert "IDLE" not in {a["flags"] for a in read_csv(out / "assets.csv")}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["idle_months"] == 7


@pytest.mark.parametrize("content, name", [
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "report.xlsx"),
    (bytes(range(256)) * 10, "noise.xlsx"),
    (b"", "empty.xlsx"),
])
def test_unusable_input_exits_2_with_one_chinese_line(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    proc = run(path, "--as-of", "2024-12-31", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])


def test_missing_required_column_exits_2(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet("资产台账")
    ws.write_row(0, 0, ["资产编号", "资产名称", "资产类别", "所在镇", "建成年度"])   # no 资产原值
    ws.write_row(1, 0, ["A1", "x", "经营性", "城川镇", 2018])
    wb.close()
    proc = run(tmp_path / "x.xlsx", "--as-of", "2024-12-31", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "资产原值" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_arguments_exit_2_in_chinese(ledger, tmp_path):
    proc = run(ledger, "--as-of", "2024-02-30", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "日期" in proc.stderr
    proc = run(ledger, "--as-of", "2024-02-01", "--out", tmp_path / "o", "--param", "idle_months=abc")
    assert proc.returncode == 2 and "idle_months" in proc.stderr and "Traceback" not in proc.stderr


def test_checks_column_and_counts(tmp_path):
    """assets.csv's last column `checks` (MG IDs fired, sorted, ';'-joined, empty when none) and
    summary.json's `checks` / `checks_by_town` (every town, every check)."""
    import datetime as dt

    import rulekit
    from dashboard import evaluate
    from dashboard.evaluated import Evaluated
    ok = {"ownership_status": "已确权", "ownership_date": "2024-01-02", "owner_unit": "大发村股份经济合作社",
          "platform": "三资平台", "custodian": "村委会", "custodian_person": "王某某", "operating_mode": "自主运营"}
    books = rulekit.ledgers(assets=[
        {**ok, "asset_id": "A1"},
        {**ok, "asset_id": "A2", "platform": None, "ownership_status": None, "owner_unit": None},
        {**ok, "asset_id": "A3", "town": "昂素镇", "custodian_person": None, "disposal_status": "处置中"},
        {**ok, "asset_id": "A4", "town": "昂素镇", "custodian_person": None, "disposal_status": "已处置"}])
    summary = evaluate.write_exports(books, Evaluated(books, dt.date(2024, 12, 31)), tmp_path)
    rows = read_csv(tmp_path / "assets.csv")
    assert list(rows[0])[-1] == "checks"
    assert [r["checks"] for r in rows] == ["", "MG1;MG2;MG3", "MG4", ""]
    zero = dict.fromkeys(["MG1", "MG2", "MG3", "MG4", "MG5", "MG6"], 0)
    assert summary["checks"] == {**zero, "MG1": 1, "MG2": 1, "MG3": 1, "MG4": 1}
    assert summary["checks_by_town"] == {"城川镇": {**zero, "MG1": 1, "MG2": 1, "MG3": 1},
                                         "昂素镇": {**zero, "MG4": 1}}
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["checks"] == summary["checks"]
