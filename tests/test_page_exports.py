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


def test_a_missing_number_or_date_reads_a_dash_on_screen_and_stays_empty_in_exports():
    """Issue 19.7: the grid draws a missing number or date as "None" (变化明细, the mapping step's
    preview): fmt.display shows "—"; an export keeps the column's numbers and the empty cell."""
    import numpy as np
    from dashboard.ui import fmt
    frame = pd.DataFrame({"asset_id": ["a", "b"], "original_value": [123400.0, None],
                          "build_year": pd.array([2019, None], dtype="Int64"), "design_capacity": [1.5, np.nan],
                          "stop_date": [dt.date(2024, 1, 2), None], "asset_name": ["x", None],
                          "warned_share": [0.1, None], "assets": [3, 4]})
    shown, _ = fmt.display(frame)
    assert shown.iloc[1].tolist() == ["b", "—", "—", "—", "—", "—", "—", 4]
    assert shown.iloc[0].tolist() == ["a", "12.34", "2019", "1.5", "2024-01-02", "x", "10.00%", 3]
    kept = fmt.export_frame(frame)
    assert kept["资产原值（万元）"].iloc[0] == 12.34 and pd.isna(kept["资产原值（万元）"].iloc[1])
    assert pd.isna(kept["建成年度"].iloc[1]) and kept["建成年度"].iloc[0] == 2019
