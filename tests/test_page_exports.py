"""Page exports are written like the reports' sheets: a title row, a note with the data
date and the filters in force, widths, an auto-filter, 万元 as #,##0.00, formula-safe text."""
import datetime as dt
import io
from types import SimpleNamespace

import openpyxl
import pandas as pd

from dashboard.filters import Filters
from dashboard.ui import export


def test_a_page_export_says_its_date_and_filters():
    ctx = SimpleNamespace(source=SimpleNamespace(label="示例数据", data_date=dt.date(2024, 12, 31)),
                          as_of=dt.date(2024, 12, 31), filters=Filters(towns=("城川镇",), levels=("red",)))
    frame = pd.DataFrame({"资产编号": ["150623103-0000741", "=HYPERLINK(1)"], "资产名称": ["明盖嘎查肉羊养殖基地", "x"],
                          "资产原值（万元）": [178.73, None], "预警原因": ["R02 到期本金尚未收回：本金178.73万元…", "—"]})
    ws = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes({"资产台账": frame}, export.note(ctx)))).active
    assert ws["A1"].value == "资产台账"
    note = ws["A2"].value
    assert "数据截至2024年12月31日" in note and "评估基准日2024年12月31日" in note
    assert "镇=城川镇" in note and "预警等级=红色" in note and "金额单位：万元" in note
    assert [c.value for c in ws[3]] == list(frame.columns)
    assert ws.auto_filter.ref.startswith("A3")
    assert ws["C4"].number_format == "#,##0.00" and ws["C4"].value == 178.73
    assert ws.column_dimensions["A"].width > 8.43 and ws.column_dimensions["B"].width > 15   # Chinese fits
    assert ws["A5"].value == "'=HYPERLINK(1)" and ws["A5"].data_type == "s"


def test_no_filter_is_said_too():
    ctx = SimpleNamespace(source=SimpleNamespace(label="2024年5月", data_date=None),
                          as_of=dt.date(2024, 5, 31), filters=Filters())
    assert "筛选：无（全旗）" in export.note(ctx)
