"""Real county tables (ledger-template.md, “What real county tables look like”) and the
orphan rows of policy-rules §9: recognition that explains itself, county header words,
资产编号 folded from full width, rows naming an asset the ledger lacks."""
import json
import subprocess
import sys

import pandas as pd

from conftest import ROOT
from dashboard import ledgers
from dashboard.ingest import load_files

ASSET = {"资产编号": "K30", "资产名称": "日光温室", "资产类别": "经营性", "所在镇": "城川镇",
         "所在嘎查村": "大发村", "建成年度": 2019, "资产原值": 300000}


def book(tmp_path, name="台账.xlsx", **sheets) -> str:
    path = tmp_path / name
    with pd.ExcelWriter(path) as w:
        for sheet, rows in sheets.items():
            pd.DataFrame(rows).to_excel(w, sheet_name=sheet, index=False)
    return str(path)


def test_six_asset_columns_are_an_asset_ledger_missing_two(tmp_path):
    # four of the six required asset columns, under a sheet name that says nothing: before,
    # 资产编号 alone (disposals' only required column) made it a 处置台账, then dropped
    rows = [{"资产编号": "K1", "资产名称": "大棚", "所在镇": "城川镇", "资产原值": 1000,
             "运营方式": "出租经营", "管护主体": "大发村委会"}]
    result = load_files([book(tmp_path, 附件6=rows)])
    assert not result.usable
    said = "；".join(result.fatal) + "；".join(i.reason for i in result.issues)
    assert "资产台账" in said and "处置台账" not in said
    assert "“资产类别”" in said and "“建成年度”" in said          # the required ones missing
    assert "资产编号" in said and "管护主体" in said               # what was recognised


def test_county_header_words_load(tmp_path):
    rows = [{"序号": 1, "资产编号": "K1", "项目编号": "XM-2019-01", "资产名称": "冷库", "资产类别": "经营性",
             "所在镇": "城川镇", "构建时间": "2019年", "投资规模（万元）": 35.5, "资产状态": "闲置",
             "所有权主体": "大发村股份经济合作社", "盘活时间": "2024-03-01"}]
    result = load_files([book(tmp_path, 项目资产总台账=rows)])
    assert result.usable, result.fatal
    a = result.tables["assets"].iloc[0]
    assert a.asset_id == "K1" and int(a.build_year) == 2019 and float(a.original_value) == 355000.0
    assert a.operating_status == "停运" and a.owner_unit == "大发村股份经济合作社"
    assert "项目编号" not in result.columns["assets"]        # not taken for 资产编号


def test_full_width_ids_join_their_asset(tmp_path):
    income = [{"资产编号": "Ｋ３０", "年度": 2023, "应收收益": 9000, "实收收益": 9000}]
    books = ledgers.load([book(tmp_path, 资产台账=[ASSET], 收益台账=income)])
    assert books.con.execute("SELECT asset_id, asset_row FROM income").fetchall() == [("K30", 1)]
    notes = [i for i in books.result.issues if "全角" in i.reason]
    assert len(notes) == 1 and notes[0].kind == "corrected" and "Ｋ３０" in notes[0].reason


def test_orphan_rows_are_loaded_listed_and_counted(tmp_path):
    income = [{"资产编号": "K30", "年度": 2023, "应收收益": 9000, "实收收益": 9000},
              {"资产编号": "K99", "年度": 2023, "应收收益": 1000, "实收收益": 0}]
    problems = [{"问题编号": "P1", "方面": "项目资产管理运维", "资产编号": "K98", "问题描述": "未确权",
                 "发现日期": "2024-03-01"}]
    path = book(tmp_path, 资产台账=[ASSET], 收益台账=income, 问题台账=problems)
    books = ledgers.load([path])
    assert books.con.execute("SELECT count(*) FROM income").fetchone()[0] == 2
    said = [i for i in books.result.issues if "不在资产台账中" in i.reason]
    assert {i.asset_id for i in said} == {"K99", "K98"} and all(i.kind == "doubt" for i in said)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "dashboard", "evaluate", path, "--as-of", "2024-12-31",
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    sheets = {s["kind"]: s for s in json.loads((out / "summary.json").read_text(encoding="utf-8"))["sheets"]}
    assert sheets["income"]["orphan_rows"] == 1 and sheets["problems"]["orphan_rows"] == 1
    assert sheets["assets"]["orphan_rows"] == 0
    rejected = pd.read_csv(out / "rejected.csv")
    assert rejected.reason.str.contains("资产编号“K99”不在资产台账中").sum() == 1
    # R05 would fire on K99's unpaid row if it belonged to an asset: it takes part in no asset rule
    hits = pd.read_csv(out / "assets.csv")
    assert list(hits.asset_id) == ["K30"]


def test_real_world_values(tmp_path):
    """ledger-template.md: a note in a money cell, a unit only above the table, town and village
    in one column (全镇 = the town), a 合计 first data row, 小计 rows, rows without 序号, dotted
    dates and a notice period written as one range."""
    assets = [["项目资产总台账", None, None, None, None, None, None, None],
              ["单位：万元", None, None, None, None, None, None, None],
              ["序号", "资产编号", "资产名称", "资产类别", "位置", "构建时间", "投资规模", "盘活时间"],
              ["合计", None, None, None, None, None, 60, None],
              [1, "K1", "冷库", "经营性", "城川镇大发村", "2019", "10(其中,灾情因素6万元)", "2024.03.01"],
              [None, "K2", "村道", "公益性", "昂素镇全镇", "2020年", "20", None],
              ["小计", None, None, None, None, None, 30, None],
              [3, "K3", "大棚", "经营性", "城川大发村", "2018", 30, None]]
    disposals = [["资产编号", "处置方式", "村公示时间"], ["K1", "拍卖", "2022年5月30日-6月3日"]]
    path = tmp_path / "real.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame(assets).to_excel(w, sheet_name="附件6", index=False, header=False)
        pd.DataFrame(disposals).to_excel(w, sheet_name="处置台账", index=False, header=False)
    result = load_files([str(path)], use_saved=False)
    assert result.usable, result.fatal
    a = result.tables["assets"].set_index("asset_id")
    assert list(a.index) == ["K1", "K2", "K3"]                       # 合计 and 小计 rows skipped
    assert a.loc["K1", "original_value"] == 100000.0                  # the amount 10, 万元 from above
    assert a.loc["K2", "original_value"] == 200000.0
    assert (a.loc["K1", "town"], a.loc["K1", "village"]) == ("城川镇", "大发村")
    assert a.loc["K2", "town"] == "昂素镇" and pd.isna(a.loc["K2", "village"])
    assert str(a.loc["K1", "revitalised_date"])[:10] == "2024-03-01"
    note = [i for i in result.issues if "灾情因素" in i.reason]
    assert len(note) == 1 and note[0].kind == "doubt" and "其中,灾情因素6万元" in note[0].reason
    d = result.tables["disposals"].iloc[0]
    assert (str(d.village_notice_start)[:10], str(d.village_notice_end)[:10]) == ("2022-05-30", "2022-06-03")


def test_the_downloadable_template_loads_as_it_is():
    from dashboard import blank_template
    result = load_files([("模板.xlsx", blank_template.workbook())], use_saved=False)
    assert result.usable and not result.fatal
    assert {s.kind: s.rows_loaded for s in result.sheets if s.kind} == {
        "assets": 1, "income": 1, "distribution": 1, "disposals": 1, "problems": 1}
    assert not [i for i in result.issues if i.kind in ("rejected", "fatal")]
    import openpyxl, io
    book = openpyxl.load_workbook(io.BytesIO(blank_template.workbook()))
    assert book.sheetnames[-1] == "填表说明"
    text = " ".join(str(c.value) for row in book["填表说明"].iter_rows() for c in row if c.value)
    assert "资产台账必填列" in text and "2024年3月31日" in text and "单位：万元" in text
