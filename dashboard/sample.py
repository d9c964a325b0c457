"""Seeded sample ledgers for 鄂托克前旗: `generate(n_assets, seed, out)`.

The workbook looks like a county ledger (title row, Chinese headers with unit
suffixes, a 合计 row, real Excel dates) and is built from dashboard/template.py,
so a column added there appears here without a second list of columns.

How the rows are made:
  * the bulk ("ordinary" rows) is drawn column by column with numpy from one
    np.random.default_rng(seed), and is well behaved: no warning fires on it;
  * a fixed set of "scenario" assets (SCENARIOS, one copy per 800 assets) get
    facts that make one rule fire — or, for the near misses, make it *not* fire
    at a boundary — so every rule ID of policy-rules.md fires on some rows and
    not on others at as_of = as_of_ref, by construction;
  * every date is placed relative to as_of_ref (scenarios) or to the 2024
    campaign calendar (核实, 确权, 问题台账), and an event dated after as_of_ref
    is left blank: a ledger "截至 as_of_ref" cannot know the future.

Money is generated in yuan and written in 万元 (资产台账, 4 decimals = whole
yuan) or 元 (other sheets).  The workbook is xlsxwriter's, in constant_memory
mode; data rows go in blocks of CHUNK rows rendered by BlockWorksheet (the
same cells write_row would write, ~8× faster): 1,000,000 assets take about a
minute and a half and ~1 GB.

    generate(n_assets, seed, out, as_of_ref=date(2024, 12, 31)) -> counts
    build(n_assets, seed, as_of_ref) -> Ledger      (tables + where each scenario went)
    main(argv)                                      (python -m dashboard.sample --assets N --seed S --out F)
"""
from __future__ import annotations

import argparse
import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from dashboard import places, template as T

AS_OF_REF = dt.date(2024, 12, 31)
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
NAT = np.datetime64("NaT", "D")
ASSETS_PER_COPY = 800            # one copy of the scenario set per this many assets
CHUNK = 20_000                   # rows rendered at a time when writing

# --------------------------------------------------------------------------- vocab
# (type, weight, median value 万元, log-sd, cap 万元, capacity unit or None)
PUBLIC_TYPES = (
    ("道路", 0.22, 90, 1.0, 3500, None), ("饮水工程", 0.17, 25, 1.0, 2500, None),
    ("桥梁", 0.04, 80, 0.8, 1500, None), ("文化活动室", 0.08, 30, 0.6, 300, None),
    ("村内路灯", 0.10, 10, 0.6, 120, None), ("围栏", 0.12, 20, 0.8, 400, None),
    ("机电井", 0.10, 8, 0.5, 80, None), ("卫生室", 0.05, 25, 0.5, 200, None),
    ("节水灌溉", 0.07, 50, 0.9, 1500, None), ("垃圾收集设施", 0.05, 8, 0.6, 60, None),
)
HOUSEHOLD_TYPES = (
    ("棚圈", 0.35, 3.0, 0.5, 15, None), ("基础母羊", 0.25, 2.5, 0.5, 12, None),
    ("基础母牛", 0.12, 4.0, 0.5, 15, None), ("储草棚", 0.15, 2.0, 0.4, 10, None),
    ("农机具", 0.13, 3.0, 0.6, 15, None),
)
OPERATING_TYPES = (
    ("光伏电站", 0.12, 300, 1.0, 4000, "千瓦"), ("扶贫车间", 0.15, 120, 0.7, 1500, "平方米"),
    ("温室大棚", 0.20, 50, 0.7, 800, "座"), ("养殖棚圈", 0.20, 60, 0.7, 800, "只"),
    ("冷库", 0.08, 100, 0.6, 1000, "吨"), ("肉羊养殖基地", 0.10, 200, 0.8, 2000, "只"),
    ("村集体经济项目", 0.15, 80, 0.8, 1200, None),
)
# Category shares by count (data README: 掇刀区 80 % 公益性, 14 % 到户类, 5 % 经营性).
PUBLIC_SHARE, HOUSEHOLD_SHARE, OPERATING_SHARE = 0.80, 0.12, 0.08
MODES = ("出租经营", "入股经营", "委托经营", "联建联营", "自主运营")
MODE_P = (0.40, 0.25, 0.15, 0.10, 0.10)
PATH_OF_MODE_WITHOUT_CONTRACT = "自主运营"   # runs itself: no contract, no contract income
CONTRACT_MODES = ("出租经营", "出租经营", "委托经营", "联建联营")   # for scenarios that need a contract
OUT_OF_SCOPE_FUNDS = ("地方自筹", "社会帮扶资金")
SURNAMES = tuple("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗白乌包")
FIRM_WORDS = ("丰泽", "绿源", "兴牧", "塞北", "金穗", "恒泰", "瑞丰", "牧歌", "聚源", "沃野",
              "草原红", "鄂尔多", "蒙泰", "禾润", "福泉")
BENEFICIARIES = ("脱贫户", "监测对象", "村集体", "脱贫户、监测对象")
PAYOUTS = (  # 发放方式 → 分配用途 (allowed uses, 四(五))
    ("公益岗位", ("设置公益性岗位", "聘用脱贫户担任草原管护员", "设置村内保洁公益岗位")),
    ("小型公益事业", ("村内道路维修", "人畜饮水设施维护", "村内路灯维护")),
    ("奖励补助", ("脱贫户产业发展奖补", "监测对象务工奖补", "庭院经济奖补")),
)
PROBLEM_TEXT = {  # 方面 → (问题描述, 整改措施) for findings not tied to a rule
    "建章立制": (("未制定村级项目资产管理制度", "制定并公示村级项目资产管理办法"),
             ("资产管护制度未落实到人", "明确管护责任人并签订管护协议")),
    "项目实施程序": (("项目档案资料不完整", "补齐立项、验收、决算资料并归档"),
               ("系统资产信息有漏项错项", "核对后在系统中更正")),
    "项目效益": (("联农带农机制不健全", "完善利益联结机制"),
             ("投入产出比未全面评估", "开展综合效益评估")),
    "项目收益分配": (("收益分配结果公示不及时", "按规定公示分配结果"),
               ("收益分配台账不规范", "规范收益分配台账")),
}
# Management findings (四(三)) written down where the asset's own row shows the gap.
FACT_PROBLEMS = (
    ("ownership_status", "未确权", ("资产未确权移交", "完成确权移交手续")),
    ("platform", "否", ("未纳入三资管理平台", "录入农村牧区集体三资管理平台")),
    ("custodian_person", None, ("管护责任人未明确", "明确管护主体和责任人")),
)
SIGNOFF_LEVEL = ("镇或旗项目资产主管部门", "旗领导小组", "市乡村振兴部门复核", "自治区乡村振兴部门复核")


# --------------------------------------------------------------------------- dates
def add_months(d: dt.date, k: int) -> dt.date:
    """Calendar month arithmetic (policy-rules §0): 2024-01-31 + 1 = 2024-02-29."""
    m = d.month - 1 + k
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _d64(d: dt.date | None) -> np.datetime64:
    return NAT if d is None else np.datetime64(d, "D")


def _ymd(year, month, day) -> np.ndarray:
    """Vectorised date(year, month, day) as datetime64[D] (day must exist)."""
    months = (np.asarray(year) - 1970) * 12 + np.asarray(month) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(day) - 1)


def _future_blank(dates: np.ndarray, as_of: dt.date) -> np.ndarray:
    """An event after as_of has not happened in a ledger dated as_of."""
    out = dates.copy()
    out[out > np.datetime64(as_of, "D")] = NAT
    return out


# --------------------------------------------------------------------------- tables
@dataclass
class Table:
    """Columns by template name (numpy arrays of equal length).  Money in yuan,
    dates datetime64[D], text object arrays (None = blank)."""
    n: int
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, k):
        return self.cols[k]

    def __setitem__(self, k, v):
        if np.ndim(v) == 0:
            v = np.full(self.n, v, dtype=object if isinstance(v, str) or v is None else None)
        self.cols[k] = np.asarray(v)

    def text(self, k) -> np.ndarray:
        if k not in self.cols:
            self.cols[k] = np.full(self.n, None, dtype=object)
        return self.cols[k]

    def dates(self, k) -> np.ndarray:
        if k not in self.cols:
            self.cols[k] = np.full(self.n, NAT)
        return self.cols[k]

    def nums(self, k) -> np.ndarray:
        if k not in self.cols:
            self.cols[k] = np.full(self.n, np.nan)
        return self.cols[k]


def _obj(values) -> np.ndarray:
    a = np.empty(len(values), dtype=object)
    a[:] = values
    return a


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    key: str
    rules: tuple[str, ...]     # rule IDs this asset makes fire (empty: a near miss)
    why: str                   # the facts, in words
    mode: str | None = None    # operating mode the scenario needs (None: any contract mode)
    apply: Callable | None = None
    atype: str | None = None   # asset type the scenario needs (else the drawn one)


# key → {"rules": rule IDs the scenario's asset fires (T1–T4: its tier), "why": the facts,
#        "category": the asset's 资产类别}.  build() reports where each one went.
SCENARIOS: dict[str, dict] = {}
_OPERATING: list[Scenario] = []


def scenario(key: str, rules: tuple[str, ...], why: str, mode: str | None = None,
             atype: str | None = None):
    """Register an operating-asset scenario; SCENARIOS documents it."""
    def deco(fn):
        _OPERATING.append(Scenario(key, rules, why, mode, fn, atype))
        SCENARIOS[key] = {"rules": rules, "why": why, "category": "经营性"}
        return fn
    return deco


def _document(key: str, rules: tuple[str, ...], why: str, category: str) -> None:
    SCENARIOS[key] = {"rules": rules, "why": why, "category": category}


class Scen:
    """One scenario asset: set its fields, and override its income / distribution rows."""

    def __init__(self, ctx: "Ctx", assets: Table, i: int):
        self.ctx, self.a, self.i = ctx, assets, i
        self.income: dict[int, dict] = {}
        self.dist: dict[int, dict] = {}

    def set(self, **fields):
        for k, v in fields.items():
            col = self.a[k]
            col[self.i] = _d64(v) if col.dtype.kind == "M" else v

    def get(self, k):
        return self.a[k][self.i]

    @property
    def value(self) -> float:
        return float(self.a["original_value"][self.i])

    def m(self, k: int, day: int | None = None) -> dt.date:
        d = add_months(self.ctx.as_of, k)
        return d.replace(day=min(day, calendar.monthrange(d.year, d.month)[1])) if day else d

    def first_after(self, months: int, strict: bool = True) -> dt.date:
        """Earliest date d with d + months > as_of (≥ if not strict): the day a
        month-based rule stops firing.  Month-end clipping makes this a search."""
        d, a = add_months(self.ctx.as_of, -months) - dt.timedelta(days=3), self.ctx.as_of
        while not (add_months(d, months) > a if strict else add_months(d, months) >= a):
            d += dt.timedelta(days=1)
        return d

    def rent(self, rate: float) -> None:
        """Contract income as a share of the original value, in whole yuan."""
        self.set(contract_income=float(round(self.value * rate)))

    def inc(self, year: int, **fields):
        self.income.setdefault(year, {}).update(fields)

    def dis(self, year: int, **fields):
        self.dist.setdefault(year, {}).update(fields)


# Idle and low efficiency (§2) ------------------------------------------------
@scenario("idle", ("IDLE", "R07"), "停运，停运日期 = as_of − 6个月（恰满6个月，边界），未盘活；租金照付")
def _s_idle(s):
    s.set(operating_status="停运", stop_date=s.m(-6), batch_recorded="盘活")


@scenario("idle_not_yet", (), "停运，停运日期为“+6个月 > as_of”的最早一天：未满6个月，不算闲置（边界）")
def _s_idle_not_yet(s):
    s.set(operating_status="停运", stop_date=s.first_after(6), batch_recorded="提升")


@scenario("qa_no_stop_date", ("QA",), "停运但未填停运日期：无法判断是否闲置，列为数据质量问题")
def _s_qa(s):
    s.set(operating_status="停运", stop_date=None, batch_recorded=None)


@scenario("revitalised", ("Y05",), "2023年停运，2024年6月30日前盘活（招强引优），仍在12个月跟踪期内")
def _s_revitalised(s):
    s.set(stop_date=s.m(-21, 10), revitalised_date=s.m(-7, 20), revitalisation_path="招强引优",
          batch_recorded="盘活")


@scenario("revitalised_late", ("Y05",), "2024年6月30日后才盘活（升级改造）：Y05，且M5节点未按时完成")
def _s_revitalised_late(s):
    s.set(stop_date=s.m(-17, 1), revitalised_date=s.m(-3, 15), revitalisation_path="升级改造",
          batch_recorded="盘活")


@scenario("revitalised_old", (), "盘活日期为“+12个月 < as_of”的最晚一天：跟踪期刚过，不再黄色预警（边界）")
def _s_revitalised_old(s):
    s.set(stop_date=s.m(-30, 1), revitalised_date=s.first_after(12, strict=False) - dt.timedelta(days=1),
          revitalisation_path="转变用途", batch_recorded="巩固")


@scenario("le1", ("LE1",), "入股经营：上年收益约定分红日期 = as_of − 6个月，至今未分红（恰满6个月）", "入股经营")
def _s_le1(s):
    s.inc(s.ctx.yr - 1, dividend_due_date=s.m(-6), dividend_date=None, income_received=0.0)
    s.set(batch_recorded="盘活")


@scenario("le1_not_yet", (), "入股经营：约定分红日期为“+6个月 > as_of”的最早一天，未分红，尚在宽限期（边界）", "入股经营")
def _s_le1_not_yet(s):
    s.inc(s.ctx.yr - 1, dividend_due_date=s.first_after(6), dividend_date=None,
          income_received=0.0)


@scenario("le2", ("LE2",), "运营净收益上年、本年均为负")
def _s_le2(s):
    s.inc(s.ctx.yr - 1, net_operating_income=-round(s.value * 0.03))
    s.inc(s.ctx.yr, net_operating_income=-round(s.value * 0.015))
    s.set(batch_recorded="盘活")


@scenario("le2_recovered", (), "运营净收益前两年为负、本年转正：不连续两年为负（近似）")
def _s_le2_recovered(s):
    s.inc(s.ctx.yr - 2, net_operating_income=-round(s.value * 0.04))
    s.inc(s.ctx.yr - 1, net_operating_income=-round(s.value * 0.02))


@scenario("le3", ("LE3",), "实际产能 = 设计产能 × 0.499（取整），低于50%", atype="温室大棚")
def _s_le3(s):
    s.set(actual_capacity=float(int(s.get("design_capacity") * 0.499)), batch_recorded="盘活")


@scenario("le3_edge", (), "实际产能恰为设计产能的50%：不低于，不算低效（边界）", atype="冷库")
def _s_le3_edge(s):
    design = 2.0 * max(1, round(s.get("design_capacity") / 2))
    s.set(design_capacity=design, actual_capacity=design / 2)


@scenario("le4", ("LE4",), "行业主管部门认定低效（认定低效 = 是）")
def _s_le4(s):
    s.set(deemed_inefficient="是", batch_recorded="盘活")


# Yellow (§3) -------------------------------------------------------------------
@scenario("y01", ("Y01",), "运营状况 = 一般")
def _s_y01(s):
    s.set(operating_status="一般", batch_recorded="提升")


@scenario("y02", ("Y02",), "约定年收益 = 原值 × 2%，按时足额上缴：收益率2%，在1%–3%之间")
def _s_y02(s):
    s.rent(0.02)
    s.set(batch_recorded="提升")


@scenario("y03", ("Y03",), "本年收益足额上缴，但实际上缴日期晚于约定上缴日期20天，有催缴记录")
def _s_y03(s):
    due = s.m(-6)
    s.inc(s.ctx.yr, payment_due_date=due, payment_date=due + dt.timedelta(days=20),
          reminder=f"{due + dt.timedelta(days=5)} 镇农牧办电话催缴")
    s.set(batch_recorded="提升")


@scenario("y04_d1", ("Y04", "D1"), "本年收益分配行：分配方案 = 无")
def _s_d1(s):
    s.dis(s.ctx.yr, plan="无", plan_approved_date=None)


@scenario("y04_d2", ("Y04", "D2"), "本年收益分配行：方案变更 = 未审批")
def _s_d2(s):
    s.dis(s.ctx.yr, plan_change="未审批")


@scenario("y04_d4", ("Y04", "D4"), "租金提前一年上缴（上年12月15日到账），本年收益至as_of未分配，滞留超过12个月")
def _s_d4(s):
    due = dt.date(s.ctx.yr - 1, 12, 20)
    s.inc(s.ctx.yr, payment_due_date=due, payment_date=due - dt.timedelta(days=5))
    s.dis(s.ctx.yr, distributed_date=None)


@scenario("d4_edge", (), "租金上年12月31日到账，as_of（本年12月31日）分配：恰满12个月，不算滞留（边界）")
def _s_d4_edge(s):
    due = dt.date(s.ctx.yr - 1, 12, 31)
    s.inc(s.ctx.yr, payment_due_date=due, payment_date=due)
    s.dis(s.ctx.yr, distributed_date=add_months(due, 12))


@scenario("y04_d5", ("Y04", "D5"), "本年收益分配行：受益对象 = 一般农户（扩大受益范围）")
def _s_d5(s):
    s.dis(s.ctx.yr, beneficiary="一般农户")


@scenario("y04_d6", ("Y04", "D6"), "本年收益分配行：发放方式 = 直接发放现金（简单发钱）")
def _s_d6(s):
    s.dis(s.ctx.yr, payout_method="直接发放现金", purpose="按户发放收益分红")


@scenario("r06_d3", ("R06", "D3"), "本年收益分配用途“用于支付村干部补贴”（负面清单）")
def _s_d3(s):
    s.dis(s.ctx.yr, purpose="用于支付村干部补贴")


@scenario("dist_old", ("D3", "D6"), "两年前的分配行违反负面清单（村级组织办公经费）且发放实物：D3/D6，但不触发本年Y04/R06")
def _s_dist_old(s):
    s.dis(s.ctx.yr - 2, purpose="村级组织办公经费", payout_method="发放实物")


@scenario("y06", ("Y06",), "入股经营，到期本金和收益经司法程序追缴（司法追缴 = 是），本金已全部收回", "入股经营")
def _s_y06(s):
    s.set(judicial_recovery="是", principal_due=s.m(-14, 30), contract_end=s.m(-14, 30),
          renewed="是", principal_recovered=s.get("principal"), batch_recorded="提升")


@scenario("y08", ("Y08",), "合同到期日期 = as_of + 2个月，未续签")
def _s_y08(s):
    s.set(contract_end=s.m(2), renewed="否", batch_recorded="提升")


@scenario("y08_lo", ("Y08",), "合同到期日期 = as_of + 1个月（边界，黄色）")
def _s_y08_lo(s):
    s.set(contract_end=s.m(1), renewed="否", batch_recorded="提升")


@scenario("y08_hi", ("Y08",), "合同到期日期 = as_of + 3个月（边界，黄色）")
def _s_y08_hi(s):
    s.set(contract_end=s.m(3), renewed="否", batch_recorded="提升")


@scenario("y08_renewed", (), "合同 as_of + 2个月到期但已续签：不预警")
def _s_y08_renewed(s):
    s.set(contract_end=s.m(2), renewed="是")


@scenario("y09", ("Y09",), "合同到期日期为“+3个月 ≥ as_of”的最早一天，未续签：到期已超1个月、未超3个月（边界）")
def _s_y09(s):
    s.set(contract_end=s.first_after(3, strict=False), renewed="否", batch_recorded="提升")


# Red (§3) --------------------------------------------------------------------------
@scenario("r01", ("R01",), "运营状况 = 不正常")
def _s_r01(s):
    s.set(operating_status="不正常", batch_recorded="盘活")


@scenario("r02", ("R02",), "入股经营，本金到期日期 = as_of − 1个月，只收回40%", "入股经营")
def _s_r02(s):
    s.set(principal_due=s.m(-1), principal_recovered=round(s.get("principal") * 0.4),
          batch_recorded="提升")


@scenario("r02_edge", (), "入股经营，本金到期日期 = as_of，尚未收回：未逾期（边界）", "入股经营")
def _s_r02_edge(s):
    s.set(principal_due=s.ctx.as_of, principal_recovered=0.0)


@scenario("r03", ("R03",), "约定年收益 = 原值 × 0.5%：收益率低于1%")
def _s_r03(s):
    s.rent(0.005)
    s.set(batch_recorded="盘活")


@scenario("r04", ("R04",), "上年（整年在合同期内）应收收益只有约定年收益的2/3")
def _s_r04(s):
    if s.get("renewed") == "是":          # the contract must cover last year in full
        s.set(contract_end=s.m(60), renewed="否")
    s.inc(s.ctx.yr - 1, income_due=round(s.get("contract_income") * 2 / 3),
          income_received=round(s.get("contract_income") * 2 / 3))
    s.set(batch_recorded="提升")


@scenario("r05", ("R05",), "本年收益约定上缴日期已过，只上缴70%，有催缴记录")
def _s_r05(s):
    due = s.m(-1)
    s.inc(s.ctx.yr, payment_due_date=due, payment_date=due,
          income_received=round(s.get("contract_income") * 0.7),
          reminder=f"{due + dt.timedelta(days=7)} 下达书面催缴通知")
    s.set(batch_recorded="提升")


@scenario("r05_arrears", ("R05",), "上年收益至今未上缴（无实际上缴日期），无催缴记录")
def _s_r05_arrears(s):
    s.inc(s.ctx.yr - 1, payment_date=None, income_received=0.0)
    s.set(batch_recorded="提升")


@scenario("r09", ("R09",), "合同到期日期 = as_of（边界，红色），未续签")
def _s_r09(s):
    s.set(contract_end=s.ctx.as_of, renewed="否", batch_recorded="提升")


@scenario("r09_b", ("R09",), "合同到期日期 = as_of + 1个月 − 1天，未续签")
def _s_r09_b(s):
    s.set(contract_end=s.m(1) - dt.timedelta(days=1), renewed="否", batch_recorded="提升")


@scenario("r10", ("R10",), "合同到期日期为“+3个月 < as_of”的最晚一天，未续签（边界）")
def _s_r10(s):
    s.set(contract_end=s.first_after(3, strict=False) - dt.timedelta(days=1), renewed="否",
          batch_recorded="盘活")


@scenario("contract_gap", (), "合同到期日期 = as_of − 15天，未续签：到期不满1个月，不预警（规则的空档）")
def _s_gap(s):
    s.set(contract_end=s.ctx.as_of - dt.timedelta(days=15), renewed="否")


# Flags ------------------------------------------------------------------------------
@scenario("pledge", ("PLEDGE",), "扶贫车间为村集体贷款抵押担保", atype="扶贫车间")
def _s_pledge(s):
    s.set(pledge=f"为{s.get('village')}股份经济合作社银行贷款提供抵押担保", batch_recorded="提升")


@scenario("tier_t4", ("T4",), "光伏电站，原值 6,180万元（> 5000万元），运营良好", atype="光伏电站")
def _s_t4(s):
    _revalue(s, 61_800_000.0)


@scenario("tier_t3", ("T3",), "光伏电站，原值 2,350万元（1000–5000万元），运营良好", atype="光伏电站")
def _s_t3(s):
    _revalue(s, 23_500_000.0)


@scenario("tier_t3_edge", ("T3",), "冷库，原值恰为 5000万元（T3 上限，含）", atype="冷库")
def _s_t3_edge(s):
    _revalue(s, 50_000_000.0)


def _revalue(s: Scen, value: float) -> None:
    """A big asset keeps its ordinary rent rate and capacity ratio (no other rule fires)."""
    scale = value / s.value
    s.set(original_value=value, net_value=round(value * 0.85),
          contract_income=float(np.round(s.get("contract_income") * scale)),
          _plan_income=float(np.round(s.get("_plan_income") * scale)),
          design_capacity=float(np.round(s.get("design_capacity") * scale)),
          actual_capacity=float(np.round(s.get("actual_capacity") * scale)))
    if s.get("principal") == s.get("principal"):    # not NaN: equity principal follows the value
        s.set(principal=value)


for _key, _rules, _why, _cat in (
    ("out_of_scope_year", ("OUT_OF_SCOPE",), "建成年度 2010/2011（早于2012年）", "公益性"),
    ("out_of_scope_fund", ("OUT_OF_SCOPE",), "资金来源 地方自筹 / 社会帮扶资金", "公益性/到户类"),
    ("tier_t1_edge", ("T1",), "原值恰为 100万元（T1 上限，含）", "公益性"),
    ("tier_t2_edge", ("T2",), "原值 100.0001万元（刚超 T1）与恰为 1000万元（T2 上限，含）", "公益性"),
    ("r08", ("R08",), "雪灾损毁（P5），处置中：村已申请、村公示完毕，尚未审核", "公益性"),
    ("dp_full_ok", (), "村级资产完整程序，三次公示各恰10天（边界），已处置、无收入", "公益性"),
    ("dp_simplified_ok", (), "简易程序：单项原值恰10万元（边界）", "到户类"),
    ("dp_batch_ok", (), "简易程序批次：15 + 9 + 6 = 30万元（批次上限，含）", "到户类"),
    ("dp_state_ok", (), "镇级资产按国有资产程序：镇审核 → 领导小组批复 → 处置", "公益性"),
    ("dp_auction_ok", (), "村级资产拍卖：完整程序 + 第三方评估，收入已安排项目", "公益性"),
    ("dp1", ("DP1",), "完整程序缺网站公示，已处置", "公益性"),
    ("dp1_valuation", ("DP1",), "村级资产转让，无第三方评估", "公益性"),
    ("dp2", ("DP2",), "村公示只有9天", "公益性"),
    ("dp3", ("DP3",), "处置日期早于领导小组批复日期", "公益性"),
    ("dp4_single", ("DP4",), "单项原值25万元却走简易程序，且不在批次中", "到户类"),
    ("dp4_batch", ("DP4",), "简易程序批次 20 + 16 = 36万元，超30万元", "到户类"),
    ("dp5", ("DP5", "Y07"), "拍卖收入未安排使用（无收入安排日期）", "公益性"),
    ("dp6", ("DP6",), "处置状态 = 已处置，处置台账中没有该资产", "公益性"),
):
    _document(_key, _rules, _why, _cat)
_document("tiers_ordinary", ("T1", "T2"), "普通资产按对数正态分布，绝大多数 ≤ 100万元，道路、饮水工程可达数千万元", "全部")
_document("dist_ordinary", (), "普通收益分配行：有方案、无变更或已审批、受益对象和发放方式合规、到账后1–4个月分配", "经营性")

# Rules that fire on several scenarios (listed once above where they are the target).
ALL_RULE_IDS = tuple(sorted({r for v in SCENARIOS.values() for r in v["rules"]}))


# --------------------------------------------------------------------------- context
@dataclass
class Ctx:
    rng: np.random.Generator
    as_of: dt.date
    yr: int                     # last full year (policy-rules §3)
    villages: list              # [(town, short, code9)]

    def choice(self, options, size, p=None) -> np.ndarray:
        """size picks from options (kept as Python objects: str, int)."""
        pool = options if isinstance(options, np.ndarray) else _obj(list(options))
        return pool[self.rng.choice(len(pool), size=size, p=p)]

    def masked_name(self, size: int) -> np.ndarray:
        """Custodians and households as 王某某: realistic shape, no personal data."""
        return _obj([s + "某某" for s in self.choice(SURNAMES, size)])


def last_full_year(as_of: dt.date) -> int:
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def _village_pool() -> list[tuple[str, str, str]]:
    """Villages (嘎查 / 村) of the four towns; residential 社区 hold no project assets."""
    pool = []
    for t in places.TOWNS:
        for v in places.villages_of(t):
            if v.short.endswith(("嘎查", "村")):
                pool.append((t, v.short, v.code[:9]))
    return pool


# --------------------------------------------------------------------------- assets
def _types_of(category: str):
    return {"公益性": PUBLIC_TYPES, "到户类": HOUSEHOLD_TYPES, "经营性": OPERATING_TYPES}[category]


def _category_counts(n: int, copies: int) -> tuple[int, int, int]:
    """(operating, household, public): the README's shares, but never fewer
    operating assets than the scenarios need plus a few ordinary ones."""
    n_op = max(round(OPERATING_SHARE * n), copies * len(_OPERATING) + 10)
    n_hh = round(HOUSEHOLD_SHARE * n)
    if n - n_op - n_hh < copies * 30:
        raise ValueError(f"样本至少需要约{n_op + n_hh + copies * 30}项资产（当前{n}项）")
    return n_op, n_hh, n - n_op - n_hh


def _draw_types(ctx: Ctx, category: np.ndarray) -> np.ndarray:
    out = np.empty(len(category), dtype=object)
    for cat in ("公益性", "到户类", "经营性"):
        m = category == cat
        types = _types_of(cat)
        p = np.array([t[1] for t in types])
        out[m] = ctx.choice([t[0] for t in types], int(m.sum()), p / p.sum())
    return out


def _draw_values(ctx: Ctx, category: np.ndarray, atype: np.ndarray) -> np.ndarray:
    """Original value in whole yuan, log-normal around each type's median (万元)."""
    value = np.zeros(len(atype))
    for cat in ("公益性", "到户类", "经营性"):
        for name, _, median, sd, cap, _ in _types_of(cat):
            m = (category == cat) & (atype == name)
            wan = median * np.exp(sd * ctx.rng.standard_normal(int(m.sum())))
            value[m] = np.clip(wan, median / 8, cap) * 10_000
    return np.round(value)


def _base_assets(ctx: Ctx, n: int, copies: int) -> Table:
    n_op, n_hh, n_pub = _category_counts(n, copies)
    a = Table(n)
    a["category"] = _obj(["经营性"] * n_op + ["到户类"] * n_hh + ["公益性"] * n_pub)
    place = ctx.rng.integers(0, len(ctx.villages), n)
    pool = np.array(ctx.villages, dtype=object)
    a["town"], a["village"], a["_code"] = pool[place, 0], pool[place, 1], pool[place, 2]
    years = np.arange(ctx.yr - 11, ctx.yr)                 # 2013–2023 for yr 2024
    w = np.array([3, 4, 6, 8, 10, 10, 10, 9, 8, 7, 6], float)
    a["build_year"] = ctx.rng.choice(years, n, p=w / w.sum())
    a["asset_type"] = _draw_types(ctx, a["category"])
    return a


def _force_scenario_shapes(ctx: Ctx, a: Table, copies: int) -> list[tuple[Scenario, int]]:
    """Pick the scenario assets among the operating ones (spread at random) and give
    them what their scenario needs: ≥ 3 full years of income, a mode, a type."""
    op = np.flatnonzero(a["category"] == "经营性")
    picks = ctx.rng.permutation(op)[: copies * len(_OPERATING)]
    placed = []
    for k, i in enumerate(picks):
        sc = _OPERATING[k % len(_OPERATING)]
        a["build_year"][i] = ctx.rng.integers(ctx.yr - 9, ctx.yr - 4)
        a["operating_mode"][i] = sc.mode or CONTRACT_MODES[ctx.rng.integers(0, len(CONTRACT_MODES))]
        if sc.atype:
            a["asset_type"][i] = sc.atype
        placed.append((sc, int(i)))
    return placed


def _funding(ctx: Ctx, a: Table) -> None:
    """财政专项扶贫资金 until 2020, 衔接推进乡村振兴补助资金 from 2021 (the fund's
    start), 易地扶贫搬迁资金 for some 2016–2019 public works."""
    y = a["build_year"]
    src = np.where(y >= 2021, "衔接推进乡村振兴补助资金", "财政专项扶贫资金").astype(object)
    reloc = (a["category"] == "公益性") & (y >= 2016) & (y <= 2019) & (ctx.rng.random(a.n) < 0.08)
    src[reloc] = "易地扶贫搬迁资金"
    a["funding_source"] = src


def _ownership(ctx: Ctx, a: Table) -> None:
    cat, n = a["category"], a.n
    level = ctx.choice(("嘎查村", "镇", "旗"), n, p=(0.82, 0.12, 0.06))
    level[cat == "经营性"] = ctx.choice(("嘎查村", "镇", "旗"), int((cat == "经营性").sum()),
                                      p=(0.85, 0.10, 0.05))
    level[cat == "到户类"] = "农户"
    a["owner_level"] = level
    _owner_names(ctx, a)


BANNER_UNIT = {"道路": "鄂托克前旗交通运输局", "桥梁": "鄂托克前旗交通运输局",
               "饮水工程": "鄂托克前旗水利局", "机电井": "鄂托克前旗水利局", "节水灌溉": "鄂托克前旗水利局",
               "卫生室": "鄂托克前旗卫生健康委员会", "光伏电站": "鄂托克前旗发展和改革委员会"}


def _owner_names(ctx: Ctx, a: Table) -> None:
    """产权单位, 管护主体, 纳入管理平台 follow the owner level (四(三))."""
    n, level, town, village = a.n, a["owner_level"], a["town"], a["village"]
    person = ctx.masked_name(n)
    unit = np.empty(n, dtype=object)
    custodian = np.empty(n, dtype=object)
    platform = np.empty(n, dtype=object)
    for i in range(n):
        lv = level[i]
        if lv == "嘎查村":
            unit[i], custodian[i] = f"{village[i]}股份经济合作社", f"{village[i]}村民委员会"
            platform[i] = "三资平台"
        elif lv == "镇":
            unit[i] = custodian[i] = f"{town[i]}人民政府"
            platform[i] = "国有资产平台"
        elif lv == "旗":
            unit[i] = custodian[i] = BANNER_UNIT.get(a["asset_type"][i], "鄂托克前旗农牧局")
            platform[i] = "国有资产平台"
        else:
            unit[i], custodian[i] = f"脱贫户{person[i]}", "农户自行管护"
    # A few village assets not yet on the 三资 platform, a few custodians unnamed (四(三)).
    platform[(level == "嘎查村") & (ctx.rng.random(n) < 0.03)] = "否"
    person[ctx.rng.random(n) < 0.02] = None
    a["owner_unit"], a["custodian"], a["platform"], a["custodian_person"] = unit, custodian, platform, person
    a["department"] = _departments(a)


# 主管部门 by kind of asset, spelled as ledgers spell it (the banner's list of departments has
# the aliases); public-welfare assets of a town are the town's own.  No random draw: adding
# this column left every other value of a seed unchanged.
DEPARTMENT_OF_TYPE = {"道路": "交通运输局", "桥梁": "交通运输局", "饮水工程": "水利局", "机电井": "水利局",
                      "节水灌溉": "水利局", "卫生室": "卫生健康委员会", "光伏电站": "发展和改革委员会"}
SPELLINGS = ("鄂托克前旗{}", "{}", "旗{}")


def _departments(a: Table) -> np.ndarray:
    out = np.empty(a.n, dtype=object)
    for i in range(a.n):
        kind = a["asset_type"][i]
        if a["category"][i] == "公益性" and kind not in DEPARTMENT_OF_TYPE:
            out[i] = f"{a['town'][i]}人民政府"
        else:
            out[i] = SPELLINGS[i % 3].format(DEPARTMENT_OF_TYPE.get(kind, "农牧局"))
    return out


NAME_OF_TYPE = {"道路": "通村道路", "饮水工程": "人畜饮水工程", "桥梁": "漫水桥", "围栏": "草场网围栏",
                "村内路灯": "太阳能路灯", "节水灌溉": "高效节水灌溉工程", "垃圾收集设施": "垃圾收集点"}
COLLECTIVE_KINDS = ("饲草料加工厂", "牧家乐", "农机服务站", "农畜产品销售点")
CAPACITY_PER_WAN = {"光伏电站": 2.0, "扶贫车间": 6.0, "温室大棚": 0.15, "养殖棚圈": 8.0, "冷库": 4.0,
                    "肉羊养殖基地": 6.0}


def _names(ctx: Ctx, a: Table) -> None:
    """项目名称 like 城川镇大发村2019年温室大棚项目; 资产名称 with a size where ledgers give one."""
    town, village, year, typ, cat = a["town"], a["village"], a["build_year"], a["asset_type"], a["category"]
    unit = {t[0]: t[5] for t in OPERATING_TYPES}
    design = a.nums("design_capacity")
    hh = a["owner_unit"]
    project, name = np.empty(a.n, dtype=object), np.empty(a.n, dtype=object)
    for i in range(a.n):
        t = typ[i]
        label = "到户产业扶持" if cat[i] == "到户类" else t.removesuffix("项目")
        project[i] = f"{town[i]}{village[i]}{year[i]}年{label}项目"
        if cat[i] == "到户类":
            name[i] = f"{village[i]}{hh[i].removeprefix('脱贫户')}户{t}"
        elif t == "村集体经济项目":
            name[i] = f"{village[i]}村集体经济项目（{COLLECTIVE_KINDS[i % len(COLLECTIVE_KINDS)]}）"
        elif unit.get(t) and design[i] == design[i]:
            name[i] = f"{village[i]}{t}{int(design[i])}{unit[t]}"
        else:
            name[i] = f"{village[i]}{NAME_OF_TYPE.get(t, t)}"
    a["project_name"], a["asset_name"] = project, name


def _asset_ids(a: Table) -> np.ndarray:
    """IDs like 150623102-0000123 numbered in ledger order (town, village, year);
    returns that order (rows are written in it, arrays are never permuted)."""
    order = np.lexsort((a["build_year"], a["village"].astype(str), a["town"].astype(str)))
    rank = np.empty(a.n, dtype=np.int64)
    rank[order] = np.arange(a.n)
    a["asset_id"] = _obj([f"{c}-{r + 1:07d}" for c, r in zip(a["_code"], rank)])
    return order


def _values_and_status(ctx: Ctx, a: Table) -> None:
    n, cat = a.n, a["category"]
    a["original_value"] = _draw_values(ctx, cat, a["asset_type"])
    age = ctx.yr - a["build_year"]
    rate = np.select([cat == "公益性", cat == "到户类"], [0.04, 0.10], 0.05)
    a["net_value"] = np.round(a["original_value"] * np.maximum(0.2, 1 - rate * age))
    # 确权: most before or during the campaign (by 2024-03-31), a few late or missing.
    done = ctx.rng.random(n) < 0.97
    a["ownership_status"] = np.where(done, "已确权", "未确权").astype(object)
    before = _ymd(np.minimum(a["build_year"] + 1, 2023), ctx.rng.integers(1, 13, n), ctx.rng.integers(1, 29, n))
    campaign = np.datetime64("2024-01-05") + ctx.rng.integers(0, 86, n)
    late = np.datetime64("2024-04-01") + ctx.rng.integers(0, 100, n)
    r = ctx.rng.random(n)
    own = np.where(r < 0.55, before, np.where(r < 0.95, campaign, late))
    own[~done] = NAT
    a["ownership_date"] = _future_blank(own, ctx.as_of)
    # 核实 (M2): Jan–Feb 2024 for most, some later, some missing.
    r = ctx.rng.random(n)
    ver = np.where(r < 0.86, np.datetime64("2024-01-03") + ctx.rng.integers(0, 58, n),
                   np.datetime64("2024-03-01") + ctx.rng.integers(0, 90, n))
    ver[r > 0.96] = NAT
    a["verified_date"] = _future_blank(ver, ctx.as_of)
    a["operating_status"] = np.full(n, "良好", dtype=object)
    a["disposal_status"] = np.full(n, "未处置", dtype=object)
    batch = np.full(n, "巩固", dtype=object)
    batch[ctx.rng.random(n) < 0.08] = None               # 四个一批 recorded for most
    a["batch_recorded"] = batch


def _blank_columns(a: Table) -> None:
    """Columns only some assets fill (operating, disposal, revitalisation)."""
    for k in ("stop_date", "contract_start", "contract_end", "principal_due", "revitalised_date"):
        a.dates(k)
    for k in ("design_capacity", "actual_capacity", "contract_income", "principal", "principal_recovered",
              "_plan_income", "_due_month", "_due_day"):
        a.nums(k)
    for k in ("operating_mode", "operator", "deemed_inefficient", "renewed", "pledge",
              "judicial_recovery", "disposal_circumstance", "revitalisation_path", "benefit_linkage"):
        a.text(k)


# --------------------------------------------------------------------------- operating
def _operating(ctx: Ctx, a: Table) -> None:
    """Modes, operators, contracts, capacity, principal for the 经营性 assets.
    Ordinary ones are well behaved: rent 4–8 % of value, contracts that run at
    least four months past as_of (or were renewed), capacity 60–100 %."""
    op = np.flatnonzero(a["category"] == "经营性")
    k = len(op)
    mode = a["operating_mode"]
    unset = op[[m is None for m in mode[op]]]
    mode[unset] = ctx.choice(MODES, len(unset), p=MODE_P)
    m = mode[op]
    a["pledge"][op], a["judicial_recovery"][op], a["deemed_inefficient"][op] = "否", "否", "否"
    a["operator"][op] = _operators(ctx, a, op)
    a["benefit_linkage"][op] = _linkage(ctx, k)
    value = a["original_value"][op]
    rate = np.where(m == "入股经营", ctx.rng.uniform(0.05, 0.08, k), ctx.rng.uniform(0.04, 0.08, k))
    income = np.round(value * rate)
    has_contract = m != PATH_OF_MODE_WITHOUT_CONTRACT
    a["contract_income"][op] = np.where(has_contract, income, np.nan)
    a["_plan_income"][op] = income
    _contracts(ctx, a, op[has_contract])
    eq = op[m == "入股经营"]
    a["principal"][eq] = a["original_value"][eq]
    a["principal_due"][eq] = a["contract_end"][eq]
    a["principal_recovered"][eq] = 0.0
    _capacity(ctx, a, op)
    # When the yearly income falls due: 3-31, 6-30 or 12-20 of the year.
    md = ctx.rng.integers(0, 3, k)
    a["_due_month"][op] = np.array([3, 6, 12])[md]
    a["_due_day"][op] = np.array([31, 30, 20])[md]


def _operators(ctx: Ctx, a: Table, op: np.ndarray) -> np.ndarray:
    """Cooperatives of the village, companies, or the village's own collective."""
    out = np.empty(len(op), dtype=object)
    words = ctx.choice(FIRM_WORDS, len(op))
    kind = ctx.rng.random(len(op))
    for j, i in enumerate(op):
        v, t, md = a["village"][i], a["asset_type"][i], a["operating_mode"][i]
        if md == "自主运营":
            out[j] = f"{v}股份经济合作社"
        elif t == "光伏电站":
            out[j] = f"鄂托克前旗{words[j]}新能源有限公司"
        elif md in ("入股经营", "联建联营") or kind[j] < 0.35:
            out[j] = (f"内蒙古{words[j]}农牧业有限公司" if kind[j] < 0.6
                      else f"鄂尔多斯市{words[j]}农牧业发展有限公司")
        else:
            out[j] = f"鄂托克前旗{v}{'种养殖' if kind[j] < 0.8 else '肉羊养殖'}专业合作社"
    return out


def _linkage(ctx: Ctx, k: int) -> np.ndarray:
    """联农带农 (四(四)): how the asset drives poor households' income; a few unrecorded."""
    n = ctx.rng.integers(3, 40, k)
    kinds = ctx.rng.integers(0, 3, k)
    text = [(f"带动脱贫户{x}户务工增收", f"吸纳监测对象{x}人就近就业", f"收购脱贫户农畜产品，带动{x}户")[t]
            for x, t in zip(n, kinds)]
    out = _obj(text)
    out[ctx.rng.random(k) < 0.08] = None
    return out


def _contracts(ctx: Ctx, a: Table, idx: np.ndarray) -> None:
    """Start in the year after completion; 5–15 years; a contract that would end
    within four months of as_of is either renewed (是) or was signed longer."""
    k = len(idx)
    start_year = a["build_year"][idx] + 1
    month = np.where((start_year < ctx.yr) & (ctx.rng.random(k) < 0.5), ctx.rng.integers(1, 7, k), 1)
    start = _ymd(start_year, month, 1)
    years = ctx.choice(np.array([5, 8, 10, 15]), k)
    limit = np.datetime64(add_months(ctx.as_of, 4), "D")
    equity = a["operating_mode"][idx] == "入股经营"
    renew = (~equity) & (ctx.rng.random(k) < 0.5)
    for _ in range(4):                                  # extend until past the limit
        end = _ymd(start_year + years, month, 1) - 1
        short = (end < limit) & ~renew
        years = years + 5 * short
    end = _ymd(start_year + years, month, 1) - 1
    a["contract_start"][idx] = start
    a["contract_end"][idx] = end
    a["renewed"][idx] = np.where(renew & (end < limit), "是", "否")


def _capacity(ctx: Ctx, a: Table, op: np.ndarray) -> None:
    for t, per_wan in CAPACITY_PER_WAN.items():
        idx = op[a["asset_type"][op] == t]
        design = np.maximum(2, np.round(a["original_value"][idx] / 10_000 * per_wan))
        a["design_capacity"][idx] = design
        a["actual_capacity"][idx] = np.round(design * ctx.rng.uniform(0.6, 1.0, len(idx)))


# --------------------------------------------------------------------------- other scenarios
class Picker:
    """Hands out distinct non-scenario assets of a category (and owner level), in a
    random order drawn once per kind of request: O(1) per asset at any size."""

    def __init__(self, ctx: Ctx, a: Table, used: np.ndarray):
        self.ctx, self.a, self.used = ctx, a, used
        self.pools: dict[tuple, list] = {}

    def _pool(self, key: tuple, category: str, levels, max_value) -> list:
        if key not in self.pools:
            ok = (self.a["category"] == category) & ~self.used
            ok_level = ok & np.isin(self.a["owner_level"], levels)
            if max_value is not None:
                ok_level &= self.a["original_value"] <= max_value
            cand = np.flatnonzero(ok_level)
            if not len(cand):       # small samples: fall back to any free asset of the category
                cand = np.flatnonzero(ok)
            self.pools[key] = [self.ctx.rng.permutation(cand).tolist(), 0]
        return self.pools[key]

    def take(self, category: str, levels=("嘎查村",), max_value: float | None = None) -> int:
        key = (category, tuple(levels), max_value)
        pool = self._pool(key, category, levels, max_value)
        cand, k = pool
        while k < len(cand) and self.used[cand[k]]:
            k += 1
        if k == len(cand):
            raise ValueError(f"样本资产不足：没有更多可用的{category}资产")
        pool[1] = k + 1
        self.used[cand[k]] = True
        return int(cand[k])


def _scope_and_tiers(ctx: Ctx, a: Table, pick: Picker) -> None:
    """OUT_OF_SCOPE (三、工作范围) and the exact tier limits (七(四))."""
    for year in (ctx.yr - 14, ctx.yr - 13):           # 2010, 2011: before the 2012 scope
        i = pick.take("公益性")
        a["build_year"][i] = year
        a["funding_source"][i] = "财政专项扶贫资金"
    for category, fund in zip(("公益性", "到户类"), OUT_OF_SCOPE_FUNDS):
        a["funding_source"][pick.take(category, ("嘎查村", "农户"))] = fund
    for value in (1_000_000.0, 1_000_001.0, 10_000_000.0):
        _set_value(a, pick.take("公益性"), value)


def _set_value(a: Table, i: int, value: float) -> None:
    """A forced original value; the net value keeps its depreciated share."""
    a["net_value"][i] = round(a["net_value"][i] / a["original_value"][i] * value)
    a["original_value"][i] = value


CIRCUMSTANCE = {
    "P1": "受政策、市场等因素影响，长期闲置无法发挥效益",
    "P2": "已超过使用年限无法继续使用",
    "P4": "因规划调整或政策因素拆除",
    "P5": "因雪灾等自然灾害不可抗力因素损毁",
    "P6": "其他确需处置的情形（牲畜死亡淘汰）",
}
HOW_DISPOSED = {"基础母羊": ("P6", "核销"), "基础母牛": ("P6", "核销"), "棚圈": ("P5", "报损"),
                "储草棚": ("P5", "报损"), "农机具": ("P2", "报废"), "道路": ("P4", "拆除"),
                "桥梁": ("P4", "拆除"), "围栏": ("P5", "报损")}


def _full_steps(d0: dt.date, days=(10, 10, 10)) -> dict:
    """村申请 → 村公示 → 镇审核 → 审核公示 → 网站公示 → 领导小组批复 → 处置 (六(四)3)."""
    step = dt.timedelta
    vs = d0 + step(2)
    ve = vs + step(days[0] - 1)
    tr = ve + step(3)
    rs = tr + step(1)
    re_ = rs + step(days[1] - 1)
    ws = re_ + step(3)
    we = ws + step(days[2] - 1)
    ap = we + step(5)
    return dict(village_apply_date=d0, village_notice_start=vs, village_notice_end=ve, town_review_date=tr,
                review_notice_start=rs, review_notice_end=re_, web_notice_start=ws, web_notice_end=we,
                approval_date=ap, disposal_date=ap + step(7), simplified="否", third_party_valuation="无")


def _simplified_steps(d0: dt.date) -> dict:
    """村申请 → 镇审核 → 公告处置结果 → 处置 (单项 ≤ 10万元 or 批次 ≤ 30万元)."""
    step = dt.timedelta
    return dict(village_apply_date=d0, town_review_date=d0 + step(7), review_notice_start=d0 + step(9),
                review_notice_end=d0 + step(18), disposal_date=d0 + step(21), simplified="是",
                third_party_valuation="无")


def _state_steps(d0: dt.date) -> dict:
    """旗/镇 assets follow the state-asset rules: 主管部门意见 → 领导小组批复 → 处置."""
    step = dt.timedelta
    return dict(town_review_date=d0, approval_date=d0 + step(20), disposal_date=d0 + step(30),
                simplified="否", third_party_valuation="无")


class Disposals:
    """Rows of 处置台账 (template names) and the matching asset fields."""

    def __init__(self, ctx: Ctx, a: Table, pick: Picker):
        self.ctx, self.a, self.pick, self.rows = ctx, a, pick, []
        self.batches = 0
        self.placed: dict[str, list[int]] = {}      # scenario key → assets
        lo = min(dt.date(2024, 3, 1), ctx.as_of - dt.timedelta(days=300))
        self.window = (lo, ctx.as_of - dt.timedelta(days=100))

    def start(self) -> dt.date:
        lo, hi = self.window
        return lo + dt.timedelta(days=int(self.ctx.rng.integers(0, (hi - lo).days + 1)))

    def batch_id(self, i: int) -> str:
        self.batches += 1
        return f"PC{self.ctx.yr}-{self.a['_code'][i][-3:]}-{self.batches:03d}"

    def add(self, i: int, steps: dict, method: str | None = None, status="已处置", ledger=True,
            key: str | None = None, **extra):
        code, default_method = HOW_DISPOSED.get(self.a["asset_type"][i], ("P2", "报废"))
        circumstance = CIRCUMSTANCE[code if method not in ("拍卖", "转让") else "P1"]
        row = dict(asset=i, circumstance=circumstance, method=method or default_method, **steps, **extra)
        for k, v in list(row.items()):     # a step after as_of has not happened yet
            if isinstance(v, dt.date) and v > self.ctx.as_of:
                row[k] = None
        if row.get("disposal_date") is None and status == "已处置":
            status = "处置中"
        if key:
            self.placed.setdefault(key, []).append(i)
        if ledger:
            self.rows.append(row)
        self.a["disposal_circumstance"][i] = circumstance
        self.a["disposal_status"][i] = status
        self.a["batch_recorded"][i] = "另起炉灶"
        self.a["operating_status"][i] = None
        return row

    def proceeds(self, i: int, share: float) -> float:
        return float(round(self.a["original_value"][i] * share))

    def project(self, i: int) -> str:
        return f"{self.a['village'][i]}{self.ctx.yr}年人畜饮水工程维修项目"


def _disposal_scenarios(d: Disposals) -> None:
    """One disposal per DP rule and the correct paths next to them (SCENARIOS r08, dp*)."""
    ctx, pick, step = d.ctx, d.pick, dt.timedelta
    village, household, state = ("公益性",), ("到户类", ("农户",)), ("公益性", ("镇", "旗"))
    t0 = add_months(ctx.as_of, -2)
    d.add(pick.take(*village), {"village_apply_date": t0, "village_notice_start": t0 + step(2),
                                "village_notice_end": t0 + step(11), "simplified": "否",
                                "third_party_valuation": "无"}, method="报损", status="处置中", key="r08")
    d.add(pick.take(*village), _full_steps(d.start()), key="dp_full_ok")
    i = pick.take(*household)
    _set_value(d.a, i, 100_000.0)
    d.add(i, _simplified_steps(d.start()), key="dp_simplified_ok")
    _batch(d, (150_000.0, 90_000.0, 60_000.0), "dp_batch_ok")
    d.add(pick.take(*state), _state_steps(d.start()), key="dp_state_ok")
    i, t = pick.take(*village), _full_steps(d.start())
    d.add(i, {**t, "third_party_valuation": "有"}, method="拍卖", proceeds=d.proceeds(i, 0.12),
          proceeds_allocated_date=t["disposal_date"] + step(30), proceeds_project=d.project(i),
          key="dp_auction_ok")
    t = _full_steps(d.start())
    d.add(pick.take(*village), {**t, "web_notice_start": None, "web_notice_end": None}, key="dp1")
    i, t = pick.take(*village), _full_steps(d.start())
    d.add(i, t, method="转让", proceeds=d.proceeds(i, 0.2), proceeds_allocated_date=t["disposal_date"] + step(30),
          proceeds_project=d.project(i), key="dp1_valuation")
    d.add(pick.take(*village), _full_steps(d.start(), days=(9, 10, 10)), key="dp2")
    t = _full_steps(d.start())
    d.add(pick.take(*village), {**t, "disposal_date": t["approval_date"] - step(5)}, key="dp3")
    i = pick.take(*household)
    _set_value(d.a, i, 250_000.0)
    d.add(i, _simplified_steps(d.start()), key="dp4_single")
    _batch(d, (200_000.0, 160_000.0), "dp4_batch")
    i = pick.take(*village)
    d.add(i, {**_full_steps(d.start()), "third_party_valuation": "有"}, method="拍卖",
          proceeds=d.proceeds(i, 0.1), key="dp5")
    d.add(pick.take(*village), _full_steps(d.start()), ledger=False, key="dp6")


def _batch(d: Disposals, values: tuple[float, ...], key: str) -> None:
    """Household assets of the given values disposed together under one 批次编号."""
    t0, bid = d.start(), None
    for value in values:
        i = d.pick.take("到户类", ("农户",))
        _set_value(d.a, i, value)
        bid = bid or d.batch_id(i)
        d.add(i, _simplified_steps(t0), batch_id=bid, key=key)


def _ordinary_disposals(d: Disposals, count: int) -> None:
    """Correct disposals: household ones simplified (alone ≤ 10万 or in batches of two),
    village ones by the full path (some auctioned with valuation), state ones by theirs."""
    rng = d.ctx.rng
    for _ in range(count):
        r = rng.random()
        if r < 0.45:
            first = d.pick.take("到户类", ("农户",), max_value=100_000)
            if rng.random() < 0.5:
                d.add(first, _simplified_steps(d.start()))
            else:                                        # a batch of two, each ≤ 10万
                t0, bid = d.start(), d.batch_id(first)
                d.add(first, _simplified_steps(t0), batch_id=bid)
                second = d.pick.take("到户类", ("农户",), max_value=100_000)
                d.add(second, _simplified_steps(t0), batch_id=bid)
        elif r < 0.80:
            i = d.pick.take("公益性")
            t = _full_steps(d.start(), days=tuple(int(x) for x in rng.integers(10, 16, 3)))
            if rng.random() < 0.2:
                d.add(i, {**t, "third_party_valuation": "有"}, method="拍卖", proceeds=d.proceeds(i, 0.1),
                      proceeds_allocated_date=t["disposal_date"] + dt.timedelta(days=30),
                      proceeds_project=d.project(i))
            else:
                d.add(i, t)
        else:
            d.add(d.pick.take("公益性", ("镇", "旗")), _state_steps(d.start()))


# --------------------------------------------------------------------------- income
def _income(ctx: Ctx, a: Table, op: np.ndarray, overrides: dict) -> Table:
    """One row per operating asset and year, from 2019 (or the year after completion)
    to Yr.  Ordinary rows: 应收 = the contract's (the first contract year pro rata),
    paid in full on or before the due date; 入股经营 rows are dividends instead.
    overrides: {(asset, year): {column: value}} from the scenarios."""
    op = op[a["disposal_status"][op] != "已处置"]
    first = np.maximum(2019, a["build_year"][op] + 1)
    count = np.maximum(0, ctx.yr - first + 1)
    asset = np.repeat(op, count)
    start_row = np.concatenate(([0], np.cumsum(count)[:-1]))
    year = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(start_row, count))
    n = len(asset)
    t = Table(n)
    t["_asset"], t["asset_id"], t["year"] = asset, a["asset_id"][asset], year
    due = np.where(np.isnan(a["contract_income"][asset]), a["_plan_income"][asset], a["contract_income"][asset])
    cs = a["contract_start"][asset]
    part = ~np.isnat(cs) & (cs.astype("datetime64[Y]").astype(int) + 1970 == year)
    months_in = 13 - (cs.astype("datetime64[M]").astype(int) % 12 + 1)
    due = np.where(part, np.round(due * months_in / 12), due)
    t["income_due"], t["income_received"] = due, due.copy()
    equity = a["operating_mode"][asset] == "入股经营"
    pay_due = _ymd(year, a["_due_month"][asset].astype(int), a["_due_day"][asset].astype(int))
    pay = pay_due - ctx.rng.integers(0, 21, n)
    t["payment_due_date"] = np.where(equity, NAT, pay_due)
    t["payment_date"] = np.where(equity, NAT, pay)
    div_due = _ymd(year, 12, 25)
    t["dividend_due_date"] = np.where(equity, div_due, NAT)
    t["dividend_date"] = np.where(equity, div_due - ctx.rng.integers(1, 16, n), NAT)
    t["net_operating_income"] = np.round(a["original_value"][asset] * ctx.rng.uniform(0.03, 0.15, n))
    t.text("reminder")
    _apply_overrides(t, start_row, first, op, overrides)
    for k in ("payment_date", "dividend_date"):
        t[k] = _future_blank(t[k], ctx.as_of)
    return t


def _apply_overrides(t: Table, start_row, first, op, overrides: dict) -> None:
    row_of = {int(i): (int(s), int(f)) for i, s, f in zip(op, start_row, first)}
    for (i, year), fields in overrides.items():
        if i not in row_of:
            continue
        s, f = row_of[i]
        r = s + year - f
        for k, v in fields.items():
            col = t[k] if k in t.cols else t.text(k)
            col[r] = _d64(v) if col.dtype.kind == "M" else v


# --------------------------------------------------------------------------- distribution
def _distribution(ctx: Ctx, a: Table, inc: Table, overrides: dict, pooled: int) -> Table:
    """Each year's received income is distributed in one or two uses: plan approved,
    beneficiaries 脱贫户/监测对象/村集体, paid as 公益岗位/小型公益事业/奖励补助,
    one to four months after it arrived (blank while that is after as_of)."""
    src = np.flatnonzero(inc["income_received"] > 0)
    two = ctx.rng.random(len(src)) < 0.6
    rows = np.repeat(src, np.where(two, 2, 1))
    second = np.zeros(len(rows), bool)
    second[1:] = rows[1:] == rows[:-1]
    n = len(rows)
    share = ctx.rng.uniform(0.4, 0.7, n)
    received = inc["income_received"][rows]
    amount = np.where(np.repeat(two, np.where(two, 2, 1)),
                      np.where(second, received * (1 - np.roll(share, 1)), received * share), received)
    t = Table(n)
    asset = inc["_asset"][rows]
    t["_asset"], t["_income_row"] = asset, rows
    t["asset_id"], t["town"], t["village"] = a["asset_id"][asset], a["town"][asset], a["village"][asset]
    t["year"], t["amount"] = inc["year"][rows], np.round(amount, 2)
    _distribution_fields(ctx, t, inc, rows)
    _dist_overrides(t, overrides)
    t["distributed_date"] = _future_blank(t["distributed_date"], ctx.as_of)
    return _with_pooled(ctx, t, pooled)


def _distribution_fields(ctx: Ctx, t: Table, inc: Table, rows: np.ndarray) -> None:
    n = t.n
    arrived = np.where(np.isnat(inc["payment_date"][rows]), inc["dividend_date"][rows], inc["payment_date"][rows])
    t["income_arrived_date"] = arrived
    t["distributed_date"] = arrived + ctx.rng.integers(20, 121, n)
    t["plan"] = np.full(n, "有", dtype=object)
    t["plan_approved_date"] = _ymd(t["year"], 3, ctx.rng.integers(1, 29, n))
    t["plan_change"] = ctx.choice(("无", "已审批"), n, p=(0.92, 0.08))
    ben = ctx.choice(BENEFICIARIES, n, p=(0.45, 0.2, 0.15, 0.2))
    t["beneficiary"] = ben
    t["beneficiary_count"] = np.where(ben == "村集体", 1, ctx.rng.integers(5, 61, n)).astype(float)
    way = ctx.rng.choice(len(PAYOUTS), n, p=(0.45, 0.3, 0.25))
    t["payout_method"] = _obj([PAYOUTS[w][0] for w in way])
    pick = ctx.rng.integers(0, 3, n)
    t["purpose"] = _obj([PAYOUTS[w][1][p] for w, p in zip(way, pick)])


def _dist_overrides(t: Table, overrides: dict) -> None:
    """{(asset, year): fields} applied to the first distribution row of that asset and year."""
    if not overrides:
        return
    first = {}
    for r, (i, y) in enumerate(zip(t["_asset"], t["year"])):
        if (int(i), int(y)) in overrides:
            first.setdefault((int(i), int(y)), r)
    for key, fields in overrides.items():
        r = first.get(key)
        if r is None:
            raise AssertionError(f"scenario needs a distribution row for {key}")
        for k, v in fields.items():
            col = t[k]
            col[r] = _d64(v) if col.dtype.kind == "M" else v


def _with_pooled(ctx: Ctx, t: Table, pooled: int) -> Table:
    """A few rows of pooled village income (no 资产编号, only the village), all compliant."""
    if pooled <= 0:
        return t
    pool = np.array(ctx.villages, dtype=object)[ctx.rng.integers(0, len(ctx.villages), pooled)]
    p = Table(pooled)
    p["town"], p["village"] = pool[:, 0], pool[:, 1]
    p["year"] = np.full(pooled, ctx.yr - 1)
    p["amount"] = np.round(ctx.rng.uniform(20_000, 100_000, pooled))
    p["plan"], p["plan_change"] = "有", "无"
    p["plan_approved_date"] = np.full(pooled, np.datetime64(f"{ctx.yr - 1}-03-15", "D"))
    p["purpose"] = "村集体经济收益统筹设置公益性岗位"
    p["beneficiary"], p["payout_method"] = "脱贫户、监测对象", "公益岗位"
    p["beneficiary_count"] = ctx.rng.integers(10, 80, pooled).astype(float)
    p["income_arrived_date"] = np.full(pooled, np.datetime64(f"{ctx.yr - 1}-12-20", "D"))
    p["distributed_date"] = np.full(pooled, np.datetime64(f"{ctx.yr}-03-10", "D"))
    return _concat(t, p)


def _concat(t: Table, p: Table) -> Table:
    out = Table(t.n + p.n)
    for k, col in t.cols.items():
        other = p.cols.get(k)
        if other is None:
            other = np.full(p.n, NAT if col.dtype.kind == "M" else (None if col.dtype == object else np.nan),
                            dtype=col.dtype if col.dtype.kind in "MO" else float)
        out.cols[k] = np.concatenate([col.astype(float) if col.dtype.kind in "iu" else col, other])
    return out


# --------------------------------------------------------------------------- problems
RULE_PROBLEM = {  # the problem a verifier writes down for an asset that fired a rule
    "IDLE": ("项目资产管理运维", "资产停运超过6个月，闲置未盘活", "制定盘活方案，招引运营主体"),
    "QA": ("项目实施程序", "系统中停运资产未填写停运日期", "补录停运日期并核实闲置情况"),
    "Y05": ("项目资产管理运维", "闲置资产已盘活，需持续跟踪监测", "按月跟踪运营和收益情况"),
    "LE1": ("项目效益", "入股资产约定分红到期后6个月未分红", "督促经营主体兑付分红"),
    "LE2": ("项目效益", "连续两年运营净收益为负", "调整经营方式，开展提升改造"),
    "LE3": ("项目效益", "实际产能低于设计产能的50%", "补链延链，提高产能利用率"),
    "LE4": ("项目效益", "行业主管部门认定为低效资产", "制定一案一策盘活方案"),
    "Y01": ("项目资产管理运维", "资产运营一般", "加强运营指导"),
    "R01": ("项目资产管理运维", "资产运营不正常", "更换或帮扶运营主体"),
    "Y02": ("项目效益", "收益率低于3%，收益比例不合理", "重新协商收益比例"),
    "R03": ("项目效益", "收益率低于1%，收益过低", "重新协商收益比例或另选运营主体"),
    "Y03": ("项目效益", "收益未在约定时间上缴", "下达催缴通知"),
    "R05": ("项目效益", "收益尚未足额上缴", "下达催缴通知，必要时依法追缴"),
    "R04": ("项目效益", "未按合同约定收取收益", "按合同足额收取收益"),
    "R02": ("项目效益", "到期本金尚未收回", "制定本金回收计划"),
    "Y06": ("项目效益", "到期本金和收益经司法程序追缴", "跟踪执行到位情况"),
    "Y04": ("项目收益分配", "收益分配使用不规范", "按方案规范分配使用"),
    "R06": ("项目收益分配", "收益分配使用违反负面清单", "追回违规资金，重新安排分配"),
    "D3": ("项目收益分配", "收益分配使用违反负面清单", "追回违规资金，重新安排分配"),
    "Y08": ("项目资产管理运维", "合同即将到期", "提前研究续签或另选运营主体"),
    "R09": ("项目资产管理运维", "合同不足1个月到期", "尽快完成续签"),
    "Y09": ("项目资产管理运维", "合同到期未续签，资产闲置", "尽快续签或另选运营主体"),
    "R10": ("项目资产管理运维", "合同到期3个月以上未续签", "尽快盘活"),
    "PLEDGE": ("项目资产管理运维", "项目资产违规抵押担保", "解除抵押担保"),
}


def _tier(value: np.ndarray) -> np.ndarray:
    return np.select([value <= 1e6, value <= 1e7, value <= 5e7], [0, 1, 2], 3)


def _problems(ctx: Ctx, a: Table, flagged: list[tuple[int, str]]) -> Table:
    """问题台账: the problem behind each scenario rule, the management gaps the asset
    rows show, a few other findings (~3 % of assets) and village-level 建章立制 gaps.
    Found mostly in Jan–Feb 2024 (七(二)), one-case-one-plan by 2024-02-29 for most
    (M3), signed off at the asset's tier (M6)."""
    rows = [(i, *RULE_PROBLEM[r]) for i, r in flagged if r in RULE_PROBLEM]
    n_open = len(rows)
    for col, value, text in FACT_PROBLEMS:
        hit = np.flatnonzero(np.array([v is value or v == value for v in a[col]]))
        rows += [(int(i), "项目资产管理运维", *text) for i in hit]
    n_unfixed = len(rows)
    rows += _other_findings(ctx, a)
    rows += [(-1, "建章立制", *PROBLEM_TEXT["建章立制"][k % 2]) for k in range(max(2, a.n // 150))]
    t = Table(len(rows))
    asset = np.array([r[0] for r in rows])
    has = asset >= 0
    at = np.maximum(asset, 0)
    t["asset_id"] = np.where(has, a["asset_id"][at], None)
    t["aspect"] = _obj([r[1] for r in rows])
    t["description"], t["measure"] = _obj([r[2] for r in rows]), _obj([r[3] for r in rows])
    towns = np.array(ctx.villages, dtype=object)[ctx.rng.integers(0, len(ctx.villages), t.n), 0]
    town = np.where(has, a["town"][at], towns)
    banner = has & (a["owner_level"][at] == "旗")
    t["responsible_unit"] = np.where(banner, a["owner_unit"][at], _obj([f"{x}人民政府" for x in town]))
    t["signoff_level"] = _obj(SIGNOFF_LEVEL)[np.where(has, _tier(a["original_value"][at]), 0)]
    _problem_dates(ctx, t)
    t["status"][n_open:n_unfixed] = "整改中"      # the asset row still shows the gap
    t["signoff_date"][n_open:n_unfixed] = NAT
    _open_problem_dates(ctx, t, n_open)
    t = _sorted_by(t, t["found_date"])
    t["problem_id"] = _obj([f"WT{d.astype(object).year if not np.isnat(d) else ctx.yr}-{k + 1:06d}"
                            for k, d in enumerate(t["found_date"])])
    return t


def _other_findings(ctx: Ctx, a: Table) -> list[tuple]:
    """Paperwork findings on any asset; benefit and distribution findings only where
    there is income (operating assets)."""
    picked = np.flatnonzero(ctx.rng.random(a.n) < 0.03)
    operating = a["category"][picked] == "经营性"
    aspect = np.where(operating, ctx.choice(("项目实施程序", "项目效益", "项目收益分配"), len(picked)),
                      "项目实施程序")
    which = ctx.rng.integers(0, 2, len(picked))
    return [(int(i), asp, *PROBLEM_TEXT[asp][w]) for i, asp, w in zip(picked, aspect, which)]


def _open_problem_dates(ctx: Ctx, t: Table, k: int) -> None:
    """Problems behind a warning that still fires at as_of were found by the dynamic
    monitoring in the last two months and are still being fixed."""
    rng, as_of = ctx.rng, np.datetime64(ctx.as_of, "D")
    found = as_of - rng.integers(5, 61, k)
    t["found_date"][:k] = found
    t["plan_date"][:k] = _future_blank(found + rng.integers(3, 11, k), ctx.as_of)
    t["deadline"][:k] = found + 30 * rng.integers(1, 4, k)
    t["status"][:k] = "整改中"
    t["signoff_date"][:k] = NAT


def _problem_dates(ctx: Ctx, t: Table) -> None:
    rng, n = ctx.rng, t.n
    early = rng.random(n) < 0.85
    found = np.where(early, np.datetime64("2024-01-03") + rng.integers(0, 57, n),
                     np.datetime64("2024-03-01") + rng.integers(0, 240, n))
    at_once = rng.random(n) < 0.2                       # fixed on the spot: no plan needed
    plan = found + rng.integers(3, 21, n)
    plan = np.where(early & (rng.random(n) < 0.9), np.minimum(plan, np.datetime64("2024-02-29")), plan)
    plan[at_once | (rng.random(n) < 0.03)] = NAT
    deadline = found + 30 * rng.integers(1, 5, n)
    r = rng.random(n)
    signoff = found + rng.integers(30, 150, n)
    status = np.where(at_once, "已整改", np.where(r < 0.72, "已销号", np.where(r < 0.88, "整改中", "已整改")))
    status = status.astype(object)
    late = signoff > np.datetime64(ctx.as_of, "D")
    status[(status == "已销号") & late] = "已整改"
    signoff[status != "已销号"] = NAT
    t["found_date"] = _future_blank(found, ctx.as_of)
    t["deadline"], t["plan_date"] = deadline, _future_blank(plan, ctx.as_of)
    t["status"], t["signoff_date"] = status, signoff


def _sorted_by(t: Table, key: np.ndarray) -> Table:
    order = np.argsort(key, kind="stable")
    for k in list(t.cols):
        t.cols[k] = t.cols[k][order]
    return t


# --------------------------------------------------------------------------- build
@dataclass
class Ledger:
    """The generated tables (template column names) and where the scenarios went."""
    as_of: dt.date
    tables: dict[str, Table]
    asset_order: np.ndarray
    scenario_assets: dict[str, list[str]]      # scenario key → asset IDs


def build(n_assets: int, seed: int, as_of_ref: dt.date = AS_OF_REF) -> Ledger:
    """All five tables in memory (generate() writes them)."""
    ctx = Ctx(np.random.default_rng(seed), as_of_ref, last_full_year(as_of_ref), _village_pool())
    copies = max(1, n_assets // ASSETS_PER_COPY)
    a = _base_assets(ctx, n_assets, copies)
    _blank_columns(a)
    placed = _force_scenario_shapes(ctx, a, copies)
    _funding(ctx, a)
    _ownership(ctx, a)
    _values_and_status(ctx, a)
    _operating(ctx, a)
    used = np.zeros(a.n, bool)
    used[[i for _, i in placed]] = True
    pick = Picker(ctx, a, used)
    disposals = Disposals(ctx, a, pick)
    for _ in range(copies):
        _scope_and_tiers(ctx, a, pick)
        _disposal_scenarios(disposals)
    _ordinary_disposals(disposals, max(4, round(0.03 * n_assets)))
    scens = []
    for sc, i in placed:
        s = Scen(ctx, a, i)
        sc.apply(s)
        scens.append((sc, s))
    _names(ctx, a)
    order = _asset_ids(a)
    op = order[a["category"][order] == "经营性"]
    inc_over = {(s.i, y): f for _, s in scens for y, f in s.income.items()}
    dist_over = {(s.i, y): f for _, s in scens for y, f in s.dist.items()}
    income = _income(ctx, a, op, inc_over)
    dist = _distribution(ctx, a, income, dist_over, pooled=max(1, n_assets // 400))
    flagged = [(s.i, r) for sc, s in scens for r in sc.rules]
    tables = {"assets": a, "income": income, "distribution": dist,
              "disposals": _disposal_table(a, disposals.rows), "problems": _problems(ctx, a, flagged)}
    _management_gaps(a, used, n_assets)
    _quality_gaps(tables, used, n_assets, as_of_ref)
    placed_ids: dict[str, list[str]] = {}
    for sc, i in placed:
        placed_ids.setdefault(sc.key, []).append(a["asset_id"][i])
    for key, idx in disposals.placed.items():
        placed_ids[key] = list(a["asset_id"][idx])
    placed_ids.update(_other_scenario_ids(a))
    return Ledger(as_of_ref, tables, order, placed_ids)


# The management checks MG2, MG5 and MG6 (verification.md §1) that the draws above never make
# fire: a few ordinary (non-scenario, not disposed) assets get the gap, chosen and set without
# a random draw and after every other table was built, so no other value of a seed changes.
MG_GAPS = (("owner_unit", "公益性", None, None),              # MG2 产权单位 empty
           ("operator", "经营性", ("委托经营", "入股经营"), None),  # MG5 有租无合同: no 运营主体
           ("contract_income", "经营性", ("出租经营",), 0.0))     # MG6 合同未约定收益


def _management_gaps(a: Table, used: np.ndarray, n_assets: int) -> None:
    every = max(1, n_assets // 400)                       # 2 assets per check in 800
    for col, category, modes, value in MG_GAPS:
        ok = (a["category"] == category) & ~used & (a["disposal_status"] == "未处置")
        if modes:
            ok &= np.isin(a["operating_mode"], modes)
        cand = np.flatnonzero(ok)
        a[col][cand[:: max(1, len(cand) // every)][:every]] = value


# The data-quality checks DQ2–DQ4 (verification.md §2; DQ1 fires on the draws' blank cells) that
# the draws above never make fire: a few ordinary assets and disposals get a cell no rule reads at
# as_of_ref — 资产净值 above 资产原值 (DQ3), 核实日期 after the data date where none was drawn (DQ4;
# M2 counts by the date) and 处置方式 “报废处置” (DQ2, kept as written; only 拍卖/转让 choose a path,
# and a 资产台账 value kept as written would make its asset QA) — chosen and set without a random
# draw, after every other table was built, so no other value of a seed changes.
def _quality_gaps(tables: dict, used: np.ndarray, n_assets: int, as_of: dt.date) -> None:
    a, d = tables["assets"], tables["disposals"]
    every = max(1, n_assets // 400)                       # 2 of each in 800

    def pick(ok: np.ndarray) -> np.ndarray:
        cand = np.flatnonzero(ok & ~used)
        return cand[:: max(1, len(cand) // every)][:every]

    i = pick(a["category"] == "公益性")
    a["net_value"][i] = a["original_value"][i] + 1000.0
    a["verified_date"][pick(np.isnat(a["verified_date"]))] = _d64(as_of + dt.timedelta(days=15))
    rows = np.flatnonzero(np.isin(d["method"], ("报废",)))
    d["method"][rows[:: max(1, len(rows) // every)][:every]] = "报废处置"


def _disposal_table(a: Table, rows: list[dict]) -> Table:
    sheet = T.DISPOSALS
    t = Table(len(rows))
    for c in sheet.columns:
        if c.name == "asset_id":
            t["asset_id"] = _obj([a["asset_id"][r["asset"]] for r in rows])
        elif c.kind == T.DATE:
            t[c.name] = np.array([_d64(r.get(c.name)) for r in rows], dtype="datetime64[D]")
        elif c.kind == T.MONEY:
            t[c.name] = np.array([r.get(c.name, np.nan) for r in rows], dtype=float)
        else:
            t[c.name] = _obj([r.get(c.name) for r in rows])
    first_date = np.where(np.isnat(t["village_apply_date"]), t["town_review_date"], t["village_apply_date"])
    return _sorted_by(t, first_date)


def _other_scenario_ids(a: Table) -> dict[str, list[str]]:
    """Asset IDs of the non-operating scenarios, found back from their facts."""
    ids = a["asset_id"]
    out = {
        "out_of_scope_year": list(ids[a["build_year"] < 2012]),
        "out_of_scope_fund": list(ids[np.isin(a["funding_source"], OUT_OF_SCOPE_FUNDS)]),
        "tier_t1_edge": list(ids[a["original_value"] == 1_000_000]),
        "tier_t2_edge": list(ids[np.isin(a["original_value"], (1_000_001, 10_000_000))]),
    }
    return {k: v for k, v in out.items() if v}


# --------------------------------------------------------------------------- writing
WIDE = {"project_name": 34, "asset_name": 28, "operator": 30, "owner_unit": 24, "custodian": 22,
        "purpose": 26, "description": 30, "measure": 30, "responsible_unit": 22, "pledge": 30,
        "benefit_linkage": 26, "proceeds_project": 30, "disposal_circumstance": 30, "circumstance": 30,
        "asset_id": 19, "reminder": 26}


def _header(sheet: T.Sheet, c: T.Column) -> str:
    """Canonical Chinese header; money carries its unit (资产台账 万元, others 元)."""
    if c.kind != T.MONEY:
        return c.zh
    return c.zh + ("（万元）" if sheet is T.ASSETS else "（元）")


def _cells(t: Table, c: T.Column, wan: bool, rows) -> list:
    """One column (rows: an index array or slice) as Python values: dates as Excel
    serials (the column's date format makes them real dates), money rounded,
    whole numbers as int, blanks None."""
    col = t.cols.get(c.name)
    if col is None:
        return [None] * len(range(t.n)[rows] if isinstance(rows, slice) else rows)
    col = col[rows]
    if c.kind == T.DATE:
        serial = (col - EXCEL_EPOCH).astype("int64").astype(object)
        serial[np.isnat(col)] = None
        return serial.tolist()
    if col.dtype == object:
        return col.tolist()
    values = col.astype(float)
    if c.kind == T.MONEY:
        values = np.round(values / 10_000, 4) if wan else np.round(values, 2)
    out = values.astype(object)
    whole = ~np.isnan(values) & (values == np.round(values))
    out[whole] = values[whole].astype(np.int64).astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


class BlockWorksheet(Worksheet):
    """An xlsxwriter worksheet (added with worksheet_class=) that appends a block of
    plain rows in one go, in constant_memory mode.  xlsxwriter's per-cell path costs
    about 8 µs a cell — minutes for 1,000,000 assets × 41 columns; here a cell is one
    f-string.  The cells are the ones write_row would write: inline strings, numbers
    with the column's style; the workbook, styles, merges and panes stay xlsxwriter's."""

    def begin_block(self, first_row: int) -> None:
        self._write_single_row(first_row)          # flush what the normal API wrote above

    def append_rows(self, first_row: int, columns: list[list], text: list[bool],
                    styles: list[int | None]) -> None:
        n = len(columns[0])
        rownums = [str(r + 1) for r in range(first_row, first_row + n)]
        cells = [_render(col, xl_col_to_name(j), rownums, text[j], styles[j])
                 for j, col in enumerate(columns)]
        self.fh.write("".join(f'<row r="{r}">{"".join(row)}</row>' for r, row in zip(rownums, zip(*cells))))

    def end_block(self, first_row: int, last_row: int, last_col: int) -> None:
        self._check_dimensions(first_row, 0)
        self._check_dimensions(last_row, last_col)
        self.previous_row = last_row                # later writes continue below the block


def _render(values: list, letter: str, rownums: list[str], text: bool, style: int | None) -> list[str]:
    s = f' s="{style}"' if style else ""
    if text:
        esc = _Escaped()                    # ledgers repeat their words: escape each once
        return [f'<c r="{letter}{r}"{s} t="inlineStr"><is><t>{esc[v]}</t></is></c>' if v is not None
                else "" for v, r in zip(values, rownums)]
    return [f'<c r="{letter}{r}"{s}><v>{v:.16G}</v></c>' if v is not None else ""
            for v, r in zip(values, rownums)]


class _Escaped(dict):
    def __missing__(self, v: str) -> str:
        self[v] = out = _xml_text(v)
        return out


def _xml_text(v: str) -> str:
    if not v.isprintable():           # control characters: never in generated text; escape anyway
        v = "".join(ch if ch.isprintable() or ch in "\t\n" else f"_x{ord(ch):04X}_" for ch in v)
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "head": wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                               "text_wrap": True, "bg_color": "#DDEBF7"}),
        T.DATE: wb.add_format({"num_format": "yyyy-mm-dd"}),
        "万元": wb.add_format({"num_format": "#,##0.0000"}),
        "元": wb.add_format({"num_format": "#,##0.00"}),
        "total": wb.add_format({"bold": True, "num_format": "#,##0.0000"}),
    }


def _column_format(fmt: dict, c: T.Column, wan: bool):
    """Dates and money are styled per column (also for cells a user types in later)."""
    if c.kind == T.DATE:
        return fmt[T.DATE]
    if c.kind == T.MONEY:
        return fmt["万元" if wan else "元"]
    return None


def _write_sheet(wb, fmt: dict, sheet: T.Sheet, t: Table, as_of: dt.date, rows=None,
                 plain: bool = False) -> None:
    ws = wb.add_worksheet(sheet.zh, worksheet_class=BlockWorksheet)
    cols = sheet.columns
    wan = sheet is T.ASSETS
    for j, c in enumerate(cols):
        width = WIDE.get(c.name, max(10, 2 * len(_header(sheet, c)) + 1))
        ws.set_column(j, j, width, _column_format(fmt, c, wan))
    r = 0
    if wan:   # county ledgers open with a title row merged across the table
        title = f"鄂托克前旗扶贫（帮扶）项目资产台账（截至{as_of.year}年{as_of.month}月{as_of.day}日）"
        ws.merge_range(0, 0, 0, len(cols) - 1, title, fmt["title"])
        ws.set_row(0, 28)
        r = 1
    ws.write_row(r, 0, [_header(sheet, c) for c in cols], fmt["head"])
    ws.freeze_panes(r + 1, 2 if wan else 1)
    _write_data(ws, fmt, sheet, t, r + 1, rows, plain)
    if wan:
        _total_row(ws, fmt, sheet, t, r + 1 + t.n)


def _write_data(ws: "BlockWorksheet", fmt: dict, sheet: T.Sheet, t: Table, first: int, rows,
                plain: bool = False) -> None:
    """The data rows in chunks: only CHUNK rows of Python values exist at a time.
    plain: through xlsxwriter's write_row instead (slow; the tests compare the two)."""
    cols = sheet.columns
    wan = sheet is T.ASSETS
    text = [c.kind in (T.TEXT, T.ENUM, T.YESNO) for c in cols]
    styles = [_column_format(fmt, c, wan) for c in cols]
    styles = [f._get_xf_index() if f is not None else None for f in styles]
    ws.begin_block(first)
    for lo in range(0, t.n, CHUNK):
        hi = min(t.n, lo + CHUNK)
        idx = slice(lo, hi) if rows is None else rows[lo:hi]
        data = [_cells(t, c, wan, idx) for c in cols]
        if plain:
            for r, row in enumerate(zip(*data), start=first + lo):
                ws.write_row(r, 0, row)
        else:
            ws.append_rows(first + lo, data, text, styles)
    if t.n and not plain:
        ws.end_block(first, first + t.n - 1, len(cols) - 1)


def _total_row(ws, fmt, sheet: T.Sheet, t: Table, r: int) -> None:
    """合计 under 资产编号, the sums of 资产原值 and 资产净值 (万元)."""
    names = [c.name for c in sheet.columns]
    ws.write_string(r, 0, "合计", fmt["total"])
    for k in ("original_value", "net_value"):
        ws.write_number(r, names.index(k), round(float(np.nansum(t[k])) / 10_000, 4), fmt["total"])


def write(ledger: Ledger, out: str | Path, plain: bool = False) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # constant_memory: rows go to disk as written.  No URL / formula sniffing of text.
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_urls": False,
                                        "strings_to_formulas": False})
    # Fixed metadata: the same (n, seed, as_of_ref) gives the same bytes.
    wb.set_properties({"title": "鄂托克前旗扶贫（帮扶）项目资产台账（示例数据）", "author": "资产盘活驾驶舱示例生成器",
                       "created": dt.datetime.combine(ledger.as_of, dt.time())})
    fmt = _formats(wb)
    for sheet in T.SHEETS:
        rows = ledger.asset_order if sheet is T.ASSETS else None
        _write_sheet(wb, fmt, sheet, ledger.tables[sheet.name], ledger.as_of, rows, plain)
    wb.close()


def generate(n_assets: int, seed: int, out: str | Path, as_of_ref: dt.date = AS_OF_REF) -> dict:
    """Write a sample workbook of n_assets assets; returns the row counts."""
    ledger = build(n_assets, seed, as_of_ref)
    write(ledger, out)
    a, t = ledger.tables["assets"], ledger.tables
    cat = a["category"]
    return {"assets": a.n, "operating": int((cat == "经营性").sum()), "public": int((cat == "公益性").sum()),
            "household": int((cat == "到户类").sum()), "income_rows": t["income"].n,
            "distribution_rows": t["distribution"].n, "disposal_rows": t["disposals"].n,
            "problem_rows": t["problems"].n,
            "scenario_assets": sum(len(v) for v in ledger.scenario_assets.values())}


def main(argv: list[str] | None = None) -> int:
    """`python -m dashboard sample --assets N --seed S --out FILE.xlsx [--as-of YYYY-MM-DD]`."""
    p = argparse.ArgumentParser(prog="python -m dashboard sample", description="生成示例台账")
    p.add_argument("--assets", type=int, default=800)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF_REF)
    args = p.parse_args(argv)
    counts = generate(args.assets, args.seed, args.out, args.as_of)
    print(f"已生成{args.out}：{counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
