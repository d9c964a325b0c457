"""Builders of messy ledger files, written at test time into tmp dirs.

Each builder returns the path it wrote; the expected row numbers used by the
tests are the spreadsheet rows documented next to each row here.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

TITLE = "鄂托克前旗扶贫项目资产台账（截至2024年12月31日）"

# Two-level header: rows 3-4, single-level headers merged vertically,
# 合同情况 merged over 起始日期 / 到期日期.
PARENT = ["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度",
          "资产原值（万元）", "资产净值", "合同情况", None, "确权日期", "备注", "运营状况"]
CHILD = [None] * 8 + ["起始日期", "到期日期"] + [None] * 3
# (spreadsheet row, cells); row 7 is blank.
ROWS = [
    (5, ["A001", "光伏电站", "经营性", "城川镇", "城川嘎查", 2019, 12.5, 100000,
         dt.date(2024, 3, 1), "2024年3月1日", "2024/3/1", "首批", "良好"]),
    (6, ["A002", "扶贫车间", "经营性资产", "敖勒召其", "乌兰道崩嘎查", "2019年", "1,234.5", " 2,000 ",
         "2024.03.01", "20240301", 45352, None, "正常"]),
    (8, ["A003", "养殖棚圈", "到户类", "昂素镇", "毛盖图嘎查", 2020.0, "12.5万", None,
         "2024.03", "2024年3月", None, None, "停产"]),
    (9, ["A001", "重复的资产", "公益性", "城川镇", "城川嘎查", 2021, 1, None, None, None, None, None, None]),
    (10, ["A004", "道路", "公益性", "上海庙镇", "八一村", 2018, None, None, None, None, None, None, None]),
    (11, ["A005", "饮水工程", "公益性", "上海庙镇", "八一村", "abc", 3, None, None, None, None, None, None]),
    (12, ["A006", "温室大棚", "公益性", "城川镇", "克珠日", 2017, 4, None, "不是日期", None, None, None, "乱七八糟"]),
    (13, ["合计", None, None, None, None, None, 9999, None, None, None, None, None, None]),
]


def assets_xlsx(path: Path) -> Path:
    """Title row, merged two-level header, 万元 and unit-less money, blank and 合计 rows,
    text/serial dates, a duplicate ID, and a 说明 sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "资产台账"
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PARENT))
    ws.append([])
    ws.append(PARENT)
    ws.append(CHILD)
    for j, h in enumerate(PARENT, start=1):
        if h and CHILD[j - 1] is None:
            ws.merge_cells(start_row=3, start_column=j, end_row=4, end_column=j)
    ws.merge_cells(start_row=3, start_column=9, end_row=3, end_column=10)
    for rownum, cells in ROWS:
        for j, v in enumerate(cells, start=1):
            if v is not None:
                ws.cell(rownum, j, v)
    ws.cell(5, 9).number_format = "yyyy-mm-dd"
    notes = wb.create_sheet("说明")
    notes.append(["本表由各镇填报，金额单位见表头。"])
    income = wb.create_sheet("收益台账")
    income.append(["资产编号", "年度", "应收收益（元）", "实收收益（元）", "实际上缴日期"])
    income.append(["A001", 2023, 50000, 30000, "2024.01.15"])
    income.append(["A001", "2024年", 50000, None, None])
    income.append(["小计", None, 100000, 30000, None])
    wb.save(path)
    return path


def csv_gb18030(path: Path) -> Path:
    """An asset ledger as CSV in GB18030, money without a unit and small (looks like 万元)."""
    text = ("资产编号,资产名称,资产分类,乡镇,村,项目年度,投资金额\n"
            "C001,光伏电站,经营性,城川镇,城川嘎查,2019,12.5\n"
            "C002,道路,公益性,火星镇,某村,2020,30\n"
            "\n"
            "C003,,公益性,昂素镇,,2021,8\n")
    path.write_bytes(text.encode("gb18030"))
    return path


def distribution_csv_bytes() -> bytes:
    """A 收益分配 CSV (tab separated, UTF-8 with BOM), recognised by its headers."""
    text = ("年度\t所在镇\t所在嘎查村\t分配金额（元）\t分配用途\t分配日期\n"
            "2024\t城川镇\t城川嘎查\t5000\t公益岗位工资\t2024/6/30\n"
            "2024\t城川镇\t城川嘎查\t\t发放现金\t2024/7/1\n")
    return text.encode("utf-8-sig")


def assets_xls(path: Path) -> Path:
    """A legacy .xls (BIFF8) with an Excel date cell and a 单位：万元 title row."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("资产台账")
    ws.write(0, 0, "资产台账  数据截至：2024-06-30")
    ws.write(1, 0, "单位：万元")
    for j, h in enumerate(["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值", "确权日期"]):
        ws.write(2, j, h)
    datefmt = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i, (aid, v) in enumerate([("X001", 12.5), ("X002", 3)]):
        for j, x in enumerate([aid, "车间", "经营性", "城川镇", "城川嘎查", 2019, v]):
            ws.write(3 + i, j, x)
        ws.write(3 + i, 7, dt.date(2023, 5, 6), datefmt)
    wb.save(str(path))
    return path


def simple_assets(rows: list[list], headers: list[str] | None = None, sheet: str = "资产台账",
                  title: str | None = None) -> bytes:
    """A plain one-sheet xlsx in memory (xlsxwriter)."""
    import xlsxwriter

    headers = headers or ["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（元）"]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    r = 0
    if title:
        ws.write(0, 0, title)
        r = 1
    ws.write_row(r, 0, headers)
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for i, row in enumerate(rows, start=r + 1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write_datetime(i, j, v, datefmt)
            else:
                ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def empty_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    Workbook().save(path)
    return path


def fake_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def fake_encrypted() -> bytes:
    """The start of an OLE container holding an encrypted OOXML package."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
            + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 200)


# A county's workbook as the counties keep it (ledger-template.md, "What real county tables look
# like"): 附件5-1 lists the projects (one row per project, 项目编号 but no 资产编号), 附件6 is the
# 项目资产总台账 (构建时间, 位置 holding town and village, 投资规模 in 万元 stated nowhere, 资产状态,
# the five ownership subjects, 项目编号 beside 资产编号), and a 填表说明 sheet.
COUNTY_PROJECTS = [
    ["鄂托克前旗2019-2023年度巩固衔接项目汇总表", *[None] * 10],
    ["序号", "项目编号", "项目名称", "项目类型", "建设性质", "实施地点", "建设内容及规模", "资金规模", None,
     "实施单位", "完工时间"],
    [None, None, None, None, None, None, None, "小计", "衔接资金", None, None],
    [1, "XM2019-01", "大发村光伏电站项目", "产业发展", "新建", "城川镇大发村", "光伏电站1座", 120.5, 120.5,
     "城川镇人民政府", "2019年10月"],
    [2, "XM2020-03", "毛盖图嘎查村道硬化", "基础设施", "新建", "昂素镇毛盖图嘎查", "村道3公里", 80, 80,
     "昂素镇人民政府", "2020年9月"],
    [3, "XM2021-07", "八一村肉牛养殖棚圈", "产业发展", "新建", "上海庙镇八一村", "棚圈12座", 35, 30,
     "上海庙镇人民政府", "2021年11月"],
]
COUNTY_ASSETS = [
    ["项目资产总台账", *[None] * 14],
    ["序号", "资产编号", "项目编号", "资产名称", "资产性质", "位置", "构建时间", "投资规模", "资产状态",
     "所有权主体", "经营权主体", "收益权主体", "监督权主体", "处置权主体", "盘活时间"],
    ["合计", None, None, None, None, None, None, 235.5, None, None, None, None, None, None, None],
    [1, "ZC-001", "XM2019-01", "光伏电站", "经营性", "城川镇大发村", "2019年", 120.5, "良好",
     "大发村股份经济合作社", "城川镇光伏公司", "大发村股份经济合作社", "城川镇人民政府", "城川镇人民政府", None],
    [2, "ZC-002", "XM2020-03", "村道", "公益性", "昂素镇毛盖图嘎查", "2020", 80, "良好",
     "毛盖图嘎查村民委员会", None, None, "昂素镇人民政府", "昂素镇人民政府", None],
    [3, "ZC-003", "XM2021-07", "肉牛养殖棚圈", "经营性", "上海庙镇八一村", "2021年", 35, "停运",
     "八一村股份经济合作社", "八一村养殖合作社", "八一村股份经济合作社", "上海庙镇人民政府", "上海庙镇人民政府",
     "2024.03.01"],
]


def county_workbook(path: Path) -> Path:
    """附件5-1 (projects, two-level 资金规模 header), 附件6 (assets, unit stated nowhere) and 填表说明."""
    from openpyxl import Workbook

    wb = Workbook()
    projects = wb.active
    projects.title = "附件5-1"
    for row in COUNTY_PROJECTS:
        projects.append(row)
    projects.merge_cells("H2:I2")
    assets = wb.create_sheet("附件6")
    for row in COUNTY_ASSETS:
        assets.append(row)
    wb.create_sheet("填表说明").append(["金额单位：万元。附件5-1为项目清单，附件6为项目资产总台账。"])
    wb.save(path)
    return path
