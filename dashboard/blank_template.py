"""The ledger template to download on 数据上传: the five sheets with their headers (money in
万元, as the header says), one example row each, and a 填表说明 sheet saying which columns are
required and which forms of dates, money and values are accepted.  Built from
dashboard/template.py, so it never disagrees with what the importer reads."""
from __future__ import annotations

import io

import xlsxwriter

from dashboard import template as T

# An example value per column where its kind alone would not read naturally.
EXAMPLES = {
    "asset_id": "150623100-0000001", "project_name": "2019年城川镇设施农业项目", "asset_name": "日光温室大棚",
    "asset_type": "设施农业", "town": "城川镇", "village": "大发村", "funding_source": "衔接推进乡村振兴补助资金",
    "owner_unit": "大发村股份经济合作社", "custodian": "大发村委会", "custodian_person": "张某",
    "operator": "某农牧业合作社", "pledge": "否", "disposal_circumstance": "", "problem_id": "WT-2024-001",
    "description": "未签订运营合同", "measure": "补签合同", "responsible_unit": "城川镇人民政府",
    "purpose": "壮大村集体经济", "beneficiaries": "脱贫户、监测户", "reminder": "2024-04-10 电话催缴",
    "proceeds_project": "大发村道路维修", "method": "拍卖", "benefit_linkage": "务工带动、订单收购",
}
KIND_EXAMPLE = {T.YEAR: 2019, T.MONEY: 12.5, T.DATE: "2024-03-31", T.NUMBER: 100, T.TEXT: ""}
ACCEPTED = [
    ("日期", "2024-03-31、2024/3/31、2024.03.31、2024年3月31日、20240331 都可；只有年月（2024-03）按当月1日读取并提示。"
             "公示期可写成一个区间，如“2022年5月30日-6月3日”，自动拆成开始和结束日期。"),
    ("金额", "表头写明单位，如“资产原值（万元）”；也可在表格上方写“单位：万元”，或在单元格写“20万元”。"
             "未注明单位按元读取并在导入报告中提示。单元格后附说明（如“10(其中,灾情因素6万元)”）按10读取，说明保留在导入报告中。"),
    ("镇和嘎查村", "按全旗区划名录核对；简称、旧称可识别。“位置”“建设地点”一列写“城川镇大发村”会自动拆分，“全镇”表示全镇范围。"),
    ("资产编号", "各表用同一编号关联资产；全角字母数字自动转为半角。收益、分配、处置、问题台账中不在资产台账里的编号会载入并提示。"),
    ("合计行", "合计、小计行自动跳过；没有序号的行照常读取。"),
    ("其他表头", "各县自己的表头（如“构建时间”“投资规模”“资产状态”）多数可自动识别；识别不了的，在“数据上传”页指定对应关系并保存为导入方案。"),
]


def example(c: T.Column):
    if c.name in EXAMPLES:
        return EXAMPLES[c.name]
    if c.kind in (T.ENUM, T.YESNO) and c.values:
        return next(iter(c.values))
    return KIND_EXAMPLE.get(c.kind, "")


def header(c: T.Column) -> str:
    return f"{c.zh}（万元）" if c.kind == T.MONEY else c.zh


def workbook() -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    must = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True})
    for sheet in T.SHEETS:
        ws = book.add_worksheet(sheet.zh)
        for j, c in enumerate(sheet.columns):
            ws.write(0, j, header(c), must if c.required else head)
            ws.write(1, j, example(c))
            ws.set_column(j, j, max(10, len(header(c)) * 2 + 2))
        ws.freeze_panes(1, 0)
    _instructions(book, head)
    book.close()
    return buf.getvalue()


def _instructions(book, head) -> None:
    ws = book.add_worksheet("填表说明")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 110)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    ws.write_row(0, 0, ["项目", "说明"], head)
    r = 1
    for sheet in T.SHEETS:
        required = "、".join(c.zh for c in sheet.required) or "无"
        ws.write_row(r, 0, [f"{sheet.zh}必填列", f"{required}（表头为橙色）。其余列选填；缺少的列对应的规则标为“未评估”。"], wrap)
        r += 1
    for name, text in ACCEPTED:
        ws.write_row(r, 0, [name, text], wrap)
        r += 1
    for sheet in T.SHEETS:
        for c in sheet.columns:
            if c.kind in (T.ENUM, T.YESNO) and c.values:
                ws.write_row(r, 0, [f"{sheet.zh}·{c.zh}", "可填：" + "、".join(c.values)], wrap)
                r += 1
