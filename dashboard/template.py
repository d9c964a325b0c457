"""The ledger template (../shared/spec/ledger-template.md) as data.

Every sheet the users upload is described here once: its Chinese name, how to
recognise it, and its columns with canonical English names (used in DuckDB and
in code), the Chinese header (used in the UI and in exports), accepted header
variants, type and allowed values.  The importer, the sample generator, the
DuckDB model and the pages all read this module; nothing else lists columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dashboard import editions as _editions

# Column types.  money is stored in yuan (DECIMAL(18,2)); the header's unit
# suffix (万元 / 元) decides the conversion.
TEXT, ENUM, YEAR, MONEY, DATE, NUMBER, YESNO = (
    "text", "enum", "year", "money", "date", "number", "yesno")


@dataclass(frozen=True)
class Column:
    name: str                 # canonical English name (DuckDB column)
    zh: str                   # canonical Chinese header
    kind: str = TEXT
    required: bool = False
    variants: tuple[str, ...] = ()
    # For ENUM: canonical value -> accepted spellings (canonical value included).
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    name: str                 # canonical English name (DuckDB table)
    zh: str                   # sheet name in the workbook
    columns: tuple[Column, ...]
    key: str | None = None    # unique key column (duplicates rejected)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def columns_by_name(self) -> set[str]:
        return {c.name for c in self.columns}

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


YES_NO = {"是": ("是", "Y", "y", "yes", "√", "有"), "否": ("否", "N", "n", "no", "×", "无")}
HAVE = {"有": ("有", "是"), "无": ("无", "否")}

CATEGORY = {
    "经营性": ("经营性", "经营性资产", "经营类", "经营性类"),
    "公益性": ("公益性", "公益性资产", "公益类", "公益性类"),
    "到户类": ("到户类", "到户类资产", "到户", "到户资产"),
}
OPERATING_STATUS = {
    "良好": ("良好", "正常", "运营良好", "正常运营"),
    "一般": ("一般", "运营一般"),
    "不正常": ("不正常", "运营不正常", "异常"),
    "停运": ("停运", "停工", "停建", "停产", "停止运营", "闲置"),
}
OPERATING_MODE = {m: (m,) for m in ("自主运营", "联建联营", "委托经营", "出租经营", "入股经营")}
OPERATING_MODE["出租经营"] += ("出租", "租赁经营", "租赁")
OPERATING_MODE["入股经营"] += ("入股", "入股分红")
OPERATING_MODE["委托经营"] += ("委托", "托管")
OPERATING_MODE["自主运营"] += ("自主经营", "自营")
OWNERSHIP = {"已确权": ("已确权", "是"), "未确权": ("未确权", "否")}
OWNER_LEVEL = {
    "旗": ("旗", "旗级", "县级"), "镇": ("镇", "镇级", "苏木镇"),
    "嘎查村": ("嘎查村", "村", "嘎查", "村级", "村集体"), "农户": ("农户", "户", "到户"),
}
PLATFORM = {"国有资产平台": ("国有资产平台", "国有资产管理平台"),
            "三资平台": ("三资平台", "三资管理平台", "农村牧区集体三资管理平台"),
            "否": ("否", "未纳入", "无")}
DISPOSAL_STATUS = {"未处置": ("未处置",), "处置中": ("处置中",), "已处置": ("已处置", "处置完成")}
# Headers of one column holding town and village together: read as 所在镇, then split.
PLACE_HEADERS = ("位置", "建设地点", "实施地点", "项目地点", "所在地点", "项目位置")
PATHS = ("升级改造", "招强引优", "转变用途", "灵活重组", "瘦身止损", "优化配置")
REVITALISATION_PATH = {p: (p,) for p in PATHS}
REVITALISATION_PATH["瘦身止损"] += ("“瘦身”止损", "\"瘦身\"止损", "瘦身")
# 四个一批 and the funds in scope are the seed edition's (data/policy/editions/, editions.py):
# the importer folds a ledger's words to these labels; which funds are in scope at as_of is
# the edition in force's (queries/rules/fund_scope.sql), never a list written here.
BATCHES = tuple(_editions.seed().batches)
BATCH = {b: (b, b + "一批") for b in BATCHES}
FUNDING_IN_SCOPE = _editions.seed().funds
ASPECTS = ("建章立制", "项目实施程序", "项目资产管理运维", "项目效益", "项目收益分配")
ASPECT = {a: (a,) for a in ASPECTS}
ASPECT["项目实施程序"] += ("项目实施",)
ASPECT["项目资产管理运维"] += ("管理运维", "项目资产管理运维情况")
ASPECT["项目收益分配"] += ("收益分配",)
RECTIFICATION = {"整改中": ("整改中", "未整改"), "已整改": ("已整改", "整改完成"), "已销号": ("已销号",)}
PLAN_CHANGE = {"无": ("无", "否"), "已审批": ("已审批",), "未审批": ("未审批",)}
DISPOSAL_METHODS = ("拍卖", "转让", "转产", "报停", "报损", "报废", "拆除", "核销")


def _c(*args, **kw) -> Column:
    return Column(*args, **kw)


ASSETS = Sheet("assets", "资产台账", key="asset_id", columns=(
    _c("asset_id", "资产编号", TEXT, True, ("资产代码", "编号")),
    _c("project_name", "项目名称", TEXT, False, ("所属项目", "项目")),
    _c("asset_name", "资产名称", TEXT, True, ("名称",)),
    _c("category", "资产类别", ENUM, True, ("资产性质", "资产分类"), CATEGORY),
    _c("asset_type", "资产类型", TEXT, False, ("资产小类", "行业类别")),
    _c("town", "所在镇", TEXT, True, ("镇", "乡镇", "苏木镇", "所属镇") + PLACE_HEADERS),
    _c("village", "所在嘎查村", TEXT, False, ("嘎查村", "村", "行政村", "所属嘎查村")),
    _c("build_year", "建成年度", YEAR, True, ("项目年度", "年度", "建设年度", "构建时间", "建成时间", "建设时间")),
    _c("funding_source", "资金来源", TEXT, False, ("资金类型",)),
    _c("original_value", "资产原值", MONEY, True, ("资产金额", "投资金额", "原值", "资产价值",
                                                  "投资规模", "资金金额", "实际投入")),
    _c("net_value", "资产净值", MONEY, False, ("净值",)),
    _c("ownership_status", "确权状态", ENUM, False, ("是否确权",), OWNERSHIP),
    _c("ownership_date", "确权日期", DATE, False, ("移交日期",)),
    _c("owner_level", "产权归属", ENUM, False, ("产权主体层级", "权属"), OWNER_LEVEL),
    _c("owner_unit", "产权单位", TEXT, False, ("产权主体", "所有权人", "所有权主体")),
    _c("platform", "纳入管理平台", ENUM, False, ("是否纳入平台",), PLATFORM),
    _c("department", "主管部门", TEXT, False, ("行业主管部门", "项目主管部门", "资产主管部门")),
    _c("custodian", "管护主体", TEXT, False, ("管护单位",)),
    _c("custodian_person", "管护责任人", TEXT, False, ("责任人",)),
    _c("operating_mode", "运营方式", ENUM, False, ("经营方式",), OPERATING_MODE),
    _c("operator", "运营主体", TEXT, False, ("经营主体", "承租方")),
    _c("operating_status", "运营状况", ENUM, False, ("运营状态", "经营状况", "资产状态", "资产使用状况"),
       OPERATING_STATUS),
    _c("stop_date", "停运日期", DATE, False, ("停止运营日期", "闲置起始日期")),
    _c("design_capacity", "设计产能", NUMBER),
    _c("actual_capacity", "实际产能", NUMBER),
    _c("deemed_inefficient", "认定低效", YESNO, False, ("主管部门认定低效",), YES_NO),
    _c("contract_start", "合同起始日期", DATE, False, ("合同开始日期",)),
    _c("contract_end", "合同到期日期", DATE, False, ("合同截止日期", "合同终止日期")),
    _c("renewed", "是否续签", YESNO, False, ("续签",), YES_NO),
    _c("contract_income", "约定年收益", MONEY, False, ("合同约定收益", "年收益")),
    _c("principal", "本金", MONEY, False, ("入股本金", "借用本金")),
    _c("principal_due", "本金到期日期", DATE),
    _c("principal_recovered", "已收回本金", MONEY, False, ("收回本金",)),
    _c("pledge", "抵押担保", TEXT, False, ("是否抵押担保",)),
    _c("judicial_recovery", "司法追缴", YESNO, False, ("是否司法追缴",), YES_NO),
    _c("disposal_circumstance", "处置情形", TEXT),
    _c("disposal_status", "处置状态", ENUM, False, (), DISPOSAL_STATUS),
    _c("revitalised_date", "盘活日期", DATE, False, ("已盘活日期", "盘活时间")),
    _c("revitalisation_path", "盘活路径", ENUM, False, ("盘活措施",), REVITALISATION_PATH),
    _c("batch_recorded", "四个一批", ENUM, False, ("分类",), BATCH),
    _c("verified_date", "核实日期", DATE, False, ("最近核实日期",)),
    # Not in the spec's table, needed by C4 (四(四) 联农带农机制); optional.
    _c("benefit_linkage", "联农带农", TEXT, False, ("联农带农机制", "利益联结机制", "利益联结", "带农情况")),
))

INCOME = Sheet("income", "收益台账", columns=(
    _c("asset_id", "资产编号", TEXT, True, ("资产代码", "编号")),
    _c("year", "年度", YEAR, True, ("收益年度",)),
    _c("income_due", "应收收益", MONEY),
    _c("income_received", "实收收益", MONEY),
    _c("payment_due_date", "约定上缴日期", DATE),
    _c("payment_date", "实际上缴日期", DATE, False, ("上缴日期",)),
    _c("dividend_due_date", "约定分红日期", DATE),
    _c("dividend_date", "实际分红日期", DATE, False, ("分红日期",)),
    _c("net_operating_income", "运营净收益", MONEY, False, ("净收益",)),
    _c("reminder", "催缴记录", TEXT, False, ("催缴情况",)),
))

DISTRIBUTION = Sheet("distribution", "收益分配", columns=(
    _c("asset_id", "资产编号", TEXT, False, ("资产代码", "编号")),
    _c("town", "所在镇", TEXT, False, ("镇", "乡镇", "苏木镇", "所属镇")),
    _c("village", "所在嘎查村", TEXT, False, ("嘎查村", "村", "行政村", "所属嘎查村")),
    _c("year", "年度", YEAR, True, ("分配年度",)),
    _c("plan", "分配方案", ENUM, False, (), HAVE),
    _c("plan_approved_date", "方案审批日期", DATE),
    _c("plan_change", "方案变更", ENUM, False, (), PLAN_CHANGE),
    _c("amount", "分配金额", MONEY, True),
    _c("purpose", "分配用途", TEXT),
    _c("beneficiary", "受益对象", TEXT),
    _c("beneficiary_count", "受益人数", NUMBER),
    _c("payout_method", "发放方式", TEXT),
    _c("distributed_date", "分配日期", DATE),
    _c("income_arrived_date", "收益到账日期", DATE),
))

DISPOSALS = Sheet("disposals", "处置台账", columns=(
    _c("asset_id", "资产编号", TEXT, True, ("资产代码", "编号")),
    _c("circumstance", "处置情形", TEXT),
    _c("method", "处置方式", TEXT),
    _c("simplified", "简易程序", YESNO, False, (), YES_NO),
    _c("batch_id", "批次编号", TEXT, False, ("批次",)),
    _c("village_apply_date", "村申请日期", DATE),
    _c("village_notice_start", "村公示开始", DATE, False, ("村公示开始日期",)),
    _c("village_notice_end", "村公示结束", DATE, False, ("村公示结束日期",)),
    _c("third_party_valuation", "第三方评估", YESNO, False, (), HAVE),
    _c("town_review_date", "镇审核日期", DATE),
    _c("review_notice_start", "审核公示开始", DATE, False, ("审核公示开始日期",)),
    _c("review_notice_end", "审核公示结束", DATE, False, ("审核公示结束日期",)),
    _c("web_notice_start", "网站公示开始", DATE, False, ("网站公示开始日期",)),
    _c("web_notice_end", "网站公示结束", DATE, False, ("网站公示结束日期",)),
    _c("approval_date", "领导小组批复日期", DATE, False, ("批复日期",)),
    _c("disposal_date", "处置日期", DATE),
    _c("proceeds", "处置收入", MONEY),
    _c("proceeds_allocated_date", "收入安排日期", DATE),
    _c("proceeds_project", "收入安排项目", TEXT),
))

PROBLEMS = Sheet("problems", "问题台账", key="problem_id", columns=(
    _c("problem_id", "问题编号", TEXT, True),
    _c("asset_id", "资产编号", TEXT, False, ("资产代码",)),
    _c("aspect", "方面", ENUM, True, ("问题方面", "核实方面"), ASPECT),
    _c("description", "问题描述", TEXT),
    _c("measure", "整改措施", TEXT),
    _c("responsible_unit", "责任单位", TEXT),
    _c("found_date", "发现日期", DATE),
    _c("deadline", "整改时限", DATE),
    _c("plan_date", "一案一策日期", DATE),
    _c("status", "整改状态", ENUM, False, (), RECTIFICATION),
    _c("signoff_date", "销号日期", DATE),
    _c("signoff_level", "销号层级", TEXT),
))

SHEETS: tuple[Sheet, ...] = (ASSETS, INCOME, DISTRIBUTION, DISPOSALS, PROBLEMS)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
SHEET_BY_ZH = {s.zh: s for s in SHEETS}

# Columns every loaded table carries besides the template's: where the row came from.
PROVENANCE = ("source_file", "source_sheet", "source_row")
