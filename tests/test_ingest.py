"""The ledger importer on messy inputs built at test time (tests/fixtures_messy.py)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import fixtures_messy as F
from dashboard.ingest import ImportResult, load_files


def entries(r: ImportResult, sheet: str | None = None, kind: str | None = None):
    """(sheet, row, column, reason, kind) of the report, optionally filtered."""
    return [(i.sheet, i.row, i.column, i.reason, i.kind) for i in r.issues
            if (sheet is None or i.sheet == sheet) and (kind is None or i.kind == kind)]


def find(r: ImportResult, row, column=None, kind=None):
    hits = [i for i in r.issues if i.row == row and (column is None or i.column == column)
            and (kind is None or i.kind == kind)]
    assert len(hits) == 1, (row, column, kind, entries(r))
    return hits[0]


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> ImportResult:
    return load_files([F.assets_xlsx(tmp_path_factory.mktemp("m") / "台账.xlsx")])


# ------------------------------------------------------------------ the messy workbook
def test_title_rows_and_two_level_header(messy):
    s = next(s for s in messy.sheets if s.sheet == "资产台账")
    assert (s.kind, s.header_row) == ("assets", 4)
    assert s.columns_variant["合同情况/起始日期"] == "contract_start"
    assert s.columns_variant["合同情况/到期日期"] == "contract_end"
    assert s.columns_variant["资产原值（万元）"] == "original_value"
    assert "asset_id" in s.columns_recognised and s.columns_unknown == ["备注"]
    assert messy.data_date == dt.date(2024, 12, 31)


def test_counts_and_loaded_rows(messy):
    s = next(s for s in messy.sheets if s.sheet == "资产台账")
    # rows 5,6,8..13 read (row 7 blank); 9 dup, 10/11 rejected, 13 合计
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (8, 4, 4)
    a = messy.tables["assets"]
    assert a["asset_id"].tolist() == ["A001", "A002", "A003", "A006"]
    assert a["source_row"].tolist() == [5, 6, 8, 12]
    assert a["source_file"].unique().tolist() == ["台账.xlsx"]
    assert a["qa"].tolist() == [False, True, True, True]


def test_money_units(messy):
    a = messy.tables["assets"].set_index("asset_id")
    # 资产原值（万元）: 12.5 → 125000 元; "1,234.5" text; "12.5万" carries its own unit
    assert a.loc["A001", "original_value"] == 125000.0
    assert a.loc["A002", "original_value"] == 12_345_000.0
    assert a.loc["A003", "original_value"] == 125000.0
    assert a["original_value"].dtype == np.float64
    # 资产净值 has no unit: read as 元, said once
    assert a.loc["A001", "net_value"] == 100000.0 and a.loc["A002", "net_value"] == 2000.0
    info = [e for e in entries(messy, "资产台账", "info")]
    assert info == [("资产台账", None, "资产净值", "资产净值未注明单位，按元读取", "info")]


def test_dates_serial_and_text(messy):
    a = messy.tables["assets"].set_index("asset_id")
    march = pd.Timestamp("2024-03-01")
    for col in ("ownership_date", "contract_start", "contract_end"):
        assert str(a[col].dtype).startswith("datetime64")
    assert a.loc["A001", "contract_start"] == march           # real Excel date
    assert a.loc["A001", "contract_end"] == march             # 2024年3月1日
    assert a.loc["A001", "ownership_date"] == march           # 2024/3/1
    assert a.loc["A002", "contract_start"] == march           # 2024.03.01
    assert a.loc["A002", "contract_end"] == march             # 20240301
    assert a.loc["A002", "ownership_date"] == march           # serial 45352 as a number
    assert a.loc["A003", "contract_start"] == march           # 2024.03 → 1st of month
    assert pd.isna(a.loc["A006", "contract_start"])
    i = find(messy, 8, "合同情况/起始日期")
    assert i.kind == "corrected" and "2024.03 → 2024-03-01" in i.reason
    i = find(messy, 8, "合同情况/到期日期")
    assert i.kind == "corrected" and "2024年3月" in i.reason
    i = find(messy, 12, "合同情况/起始日期")
    assert i.kind == "doubt" and "无法识别为日期：不是日期" in i.reason


def test_years_and_enums(messy):
    a = messy.tables["assets"].set_index("asset_id")
    assert str(a["build_year"].dtype) == "Int64"
    assert a["build_year"].tolist() == [2019, 2019, 2020, 2017]
    assert a.loc["A002", "category"] == "经营性"                # 经营性资产
    assert a.loc["A002", "operating_status"] == "良好"          # 正常
    assert a.loc["A003", "operating_status"] == "停运"          # 停产
    assert a.loc["A006", "operating_status"] == "乱七八糟"       # unknown: kept raw, doubted
    i = find(messy, 12, "运营状况")
    assert i.kind == "doubt" and "乱七八糟" in i.reason and "按原文保留" in i.reason


def test_places(messy):
    a = messy.tables["assets"].set_index("asset_id")
    assert a.loc["A002", "town"] == "敖勒召其镇"
    i = find(messy, 6, "所在镇")
    assert i.kind == "corrected" and "“敖勒召其”补全为“敖勒召其镇”" in i.reason
    i = find(messy, 12, "所在嘎查村")          # 城川镇 has 克珠日嘎查 and 克珠日村
    assert i.kind == "doubt" and "克珠日嘎查、克珠日村" in i.reason
    assert a.loc["A006", "village"] == "克珠日"


def test_rejected_and_skipped_rows(messy):
    rows = [e for e in entries(messy, "资产台账") if e[4] in ("rejected", "skipped")]
    assert [(r[1], r[2], r[4]) for r in rows] == [
        (9, "资产编号", "rejected"), (10, "资产原值（万元）", "rejected"),
        (11, "建成年度", "rejected"), (13, None, "skipped")]
    assert rows[0][3].startswith("重复") and "台账.xlsx" in rows[0][3] and "第5行" in rows[0][3]
    assert rows[1][3] == "必填列“资产原值（万元）”为空"
    assert rows[2][3] == "“建成年度”无法识别为年份：abc"
    assert rows[3][3] == "合计行，未作为资产载入"


def test_unknown_column_kept_as_text(messy):
    a = messy.tables["assets"]
    assert a["备注"].tolist()[0] == "首批" and a["备注"].isna().sum() == 3
    assert "备注" not in messy.columns["assets"] and "contract_start" in messy.columns["assets"]


def test_other_sheets(messy):
    notes = entries(messy, "说明")
    assert len(notes) == 1 and notes[0][4] == "info" and "未识别" in notes[0][3]
    inc = messy.tables["income"]
    assert inc["year"].tolist() == [2023, 2024]
    assert inc["income_received"].isna().tolist() == [False, True]
    assert inc["payment_date"].iloc[0] == pd.Timestamp("2024-01-15")
    assert [(e[1], e[4]) for e in entries(messy, "收益台账")] == [(4, "skipped")]
    s = next(s for s in messy.sheets if s.sheet == "说明")
    assert s.kind is None and s.rows_read == 0


def test_rejection_frame(messy):
    f = messy.rejection_frame()
    assert list(f.columns) == ["文件", "工作表", "行", "列", "原因", "类别"]
    assert len(f) == len(messy.issues)
    assert set(f["类别"]) >= {"未载入", "已跳过", "存疑", "已更正", "说明"}
    assert messy.usable and messy.fatal == []


# ---------------------------------------------------------------- other formats
def test_gb18030_csv_recognised_by_headers(tmp_path):
    r = load_files([F.csv_gb18030(tmp_path / "资产.csv")])
    assert r.usable
    s = r.sheets[0]
    assert (s.sheet, s.kind, s.rows_read, s.rows_loaded, s.rows_rejected) == ("CSV", "assets", 3, 2, 1)
    a = r.tables["assets"]
    assert a["original_value"].tolist() == [12.5, 30.0]
    assert a["source_row"].tolist() == [2, 3]
    assert entries(r) == [
        ("CSV", None, "投资金额", "资产原值未注明单位，按元读取；数值偏小，疑为万元，请核对", "info"),
        ("CSV", 3, "乡镇", "所在镇“火星镇”不在全旗镇名录中（敖勒召其镇、上海庙镇、城川镇、昂素镇）", "doubt"),
        ("CSV", 5, "资产名称", "必填列“资产名称”为空", "rejected"),
    ]


def test_distribution_csv_tab_utf8(tmp_path):
    r = load_files([("分配.csv", F.distribution_csv_bytes()), F.csv_gb18030(tmp_path / "a.csv")])
    d = r.tables["distribution"]
    assert d["amount"].tolist() == [5000.0]
    assert d["distributed_date"].tolist() == [pd.Timestamp("2024-06-30")]
    assert ("CSV", 3, "分配金额（元）", "必填列“分配金额（元）”为空", "rejected") in entries(r)


def test_xls_with_title_unit_and_date(tmp_path):
    r = load_files([F.assets_xls(tmp_path / "旧.xls")])
    a = r.tables["assets"]
    assert a["original_value"].tolist() == [125000.0, 30000.0]     # 单位：万元 in a title row
    assert a["ownership_date"].tolist() == [pd.Timestamp("2023-05-06")] * 2
    assert a["source_row"].tolist() == [4, 5]
    assert r.data_date == dt.date(2024, 6, 30)
    assert entries(r, kind="info") == [("资产台账", None, "资产原值", "资产原值按表头上方的“单位：万元”读取", "info")]


def test_duplicates_across_files_keep_first():
    one = F.simple_assets([["D1", "车间", "经营性", "城川镇", "城川嘎查", 2019, 100]])
    two = F.simple_assets([["D2", "道路", "公益性", "城川镇", "城川嘎查", 2019, 5],
                           ["D1", "车间", "经营性", "城川镇", "城川嘎查", 2019, 7]])
    r = load_files([("一.xlsx", one), ("二.xlsx", two)])
    a = r.tables["assets"]
    assert a["asset_id"].tolist() == ["D1", "D2"]
    assert a.loc[a.asset_id == "D1", "original_value"].item() == 100
    rej = entries(r, kind="rejected")
    assert len(rej) == 1 and rej[0][1] == 3 and rej[0][3].startswith("重复")
    assert "一.xlsx" in rej[0][3] and "第2行" in rej[0][3]
    assert r.issues[-1].file == "二.xlsx"


def test_a_missing_required_column_is_fatal():
    data = F.simple_assets([["a", "b", "经营性", "城川镇", "城川嘎查", 2019]],
                           headers=["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度"])
    r = load_files([("缺列.xlsx", data)])
    assert not r.usable and "assets" not in r.tables
    assert len(r.fatal) == 1 and "缺少必填列" in r.fatal[0] and "资产原值" in r.fatal[0]
    assert entries(r)[0][4] == "fatal"


def test_header_variants_spaces_and_brackets():
    data = F.simple_assets([["V1", "x", "公益类", "昂素", "", "2019.0", "8.5"]],
                           headers=["资产 代码", "名称", "资产性质*", "苏木镇", "行政村", "建设年度", "原值(万元)"],
                           title="数据截至：2024-05-31")
    r = load_files([("v.xlsx", data)])
    a = r.tables["assets"]
    assert a.iloc[0][["asset_id", "category", "town", "build_year", "original_value"]].tolist() == \
        ["V1", "公益性", "昂素镇", 2019, 85000.0]
    assert r.data_date == dt.date(2024, 5, 31)


# ----------------------------------------------------------------- unusable input
@pytest.mark.parametrize("name,data,expect", [
    ("报告.xlsx", F.fake_pdf(), "不是有效的电子表格（看起来是PDF文件）"),
    ("乱码.xlsx", bytes(range(256)) * 40, "不是有效的电子表格"),
    ("空.xlsx", b"", "空文件"),
    ("加密.xlsx", F.fake_encrypted(), "已加密"),
    ("坏.xlsx", b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
])
def test_bad_bytes_never_raise(name, data, expect):
    r = load_files([(name, data)])
    assert not r.usable
    assert expect in r.fatal[0] and name in r.fatal[0]
    assert r.fatal[-1].startswith("未找到资产台账")
    assert entries(r) == [(None, None, None, r.fatal[0], "fatal")]


def test_oversize_and_empty_workbook(tmp_path):
    r = load_files([F.empty_xlsx(tmp_path / "空表.xlsx")])
    assert not r.usable and r.fatal == [r.fatal[0]] and r.fatal[0].startswith("未找到资产台账")
    r = load_files([F.empty_xlsx(tmp_path / "空表.xlsx")], max_bytes=100)
    assert r.fatal[0] == "文件“空表.xlsx”超过大小上限100字节"


def test_good_file_survives_a_bad_one():
    good = F.simple_assets([["G1", "车间", "经营性", "城川镇", "城川嘎查", 2019, 1000]])
    r = load_files([("坏.xlsx", F.fake_pdf()), ("好.xlsx", good)])
    assert r.usable and len(r.tables["assets"]) == 1
    assert r.fatal == ["文件“坏.xlsx”不是有效的电子表格（看起来是PDF文件）"]


def test_header_only_sheet_is_usable_with_zero_rows():
    r = load_files([("头.xlsx", F.simple_assets([]))])
    assert r.usable and len(r.tables["assets"]) == 0
    assert r.sheets[0].rows_read == 0 and r.fatal == []


def test_group_row_above_a_complete_leaf_row():
    """Parent labels (基本信息, 合同情况) above a row holding every leaf header."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"                       # recognised by headers, not by name
    ws.append(["基本信息", None, None, None, None, None, None, "合同情况", None])
    ws.merge_cells("A1:G1")
    ws.merge_cells("H1:I1")
    ws.append(["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值(元)",
               "开始日期", "截止日期"])
    ws.append(["B1", "大棚", "经营性", "城川镇", "克珠日村", 2020, 50000, "2023-01-01", "2025/12/31"])
    buf = io.BytesIO()
    wb.save(buf)
    r = load_files([("组.xlsx", buf.getvalue())])
    s = r.sheets[0]
    assert (s.kind, s.header_row) == ("assets", 2)
    assert s.columns_variant == {"合同情况/开始日期": "contract_start", "合同情况/截止日期": "contract_end",
                                 "资产原值(元)": "original_value"}
    a = r.tables["assets"]
    assert a.loc[0, "contract_end"] == pd.Timestamp("2025-12-31")
    assert a.loc[0, "village"] == "克珠日村" and not a.loc[0, "qa"]
    assert r.issues == []


def test_semicolon_csv_and_tuple_upload():
    text = "资产编号;资产名称;资产类别;所在镇;建成年度;资产原值（元）\nS1;井;公益性;城川镇;2019;800\n"
    r = load_files([("分号.txt", text.encode("utf-8"))])
    assert r.usable and r.tables["assets"]["original_value"].tolist() == [800.0]
    assert r.tables["assets"]["build_year"].tolist() == [2019]


def test_two_columns_for_one_template_column_and_an_unnamed_one():
    data = F.simple_assets([["E1", "n", "经营性", "城川镇", 2019, 5000, 6000, "zz", None],
                            ["E2", "n", "经营性", "城川镇", 2019, 5000, 6000, "zz", "零散"]],
                           headers=["资产编号", "资产名称", "资产类别", "所在镇", "建成年度", "资产原值(元)",
                                    "资产金额", "编号", ""])
    r = load_files([("重列.xlsx", data)])
    a = r.tables["assets"]
    assert a["original_value"].tolist() == [5000.0, 5000.0]      # the canonical spelling wins
    assert a["资产金额"].tolist() == ["6000", "6000"] and a["编号"].tolist() == ["zz", "zz"]
    assert a["未命名列I"].isna().tolist() == [True, False]
    info = entries(r, kind="info")
    assert ("资产台账", None, "资产金额",
            "第G列“资产金额”与第F列“资产原值(元)”都对应“资产原值”，按第F列读取，此列按原样保留", "info") in info
    assert len(info) == 2


def test_streamlit_uploaded_file_object():
    class Upload:                       # what st.file_uploader hands over
        name = "上传.xlsx"

        def getvalue(self):
            return F.simple_assets([["U1", "井", "公益性", "城川镇", "城川嘎查", 2019, 800]])

    r = load_files([Upload()])
    assert r.usable and r.tables["assets"]["source_file"].tolist() == ["上传.xlsx"]
