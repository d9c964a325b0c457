"""The report as plain data: what content.py gathers and the writers draw.

Numbers stay numbers (money already in 万元, shares as fractions) so the xlsx
writer can give them number formats and tests can read them back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dashboard.money import wan
from dashboard.reports.periods import Period

BANNER = "鄂托克前旗"
SUBJECT = "扶贫（帮扶）项目资产巩固提升盘活处置工作"

# Column kinds: text; int (count); wan (money in 万元); pct (a share 0–1); date.
TEXT, INT, WAN, PCT, DATE = "text", "int", "wan", "pct", "date"


@dataclass
class Col:
    header: str
    kind: str = TEXT
    width: int = 0          # xlsx width in characters; 0 = from the header and kind
    docx_chars: int = 0     # docx: a longer text is cut there and points to the xlsx (0 = never)
    in_excerpt: bool = True  # docx: False = left out when Word prints only a list's first rows


@dataclass
class Table:
    sheet: str              # xlsx sheet name (unique, ≤ 31 characters)
    title: str              # caption above the table
    columns: list[Col]
    rows: list[list]
    row_kinds: list[str] | None = None   # per-row kind of the numeric cells (mixed-unit tables)
    group_by: int | None = None          # docx: one numbered sub-heading per value of this column
    in_docx: bool = True
    in_xlsx: bool = True                 # False: a shortened list whose whole is another sheet
    fold: int = 1                        # docx: the rows printed in this many blocks side by side
    docx_rows: int = 0                   # docx: at most this many rows (0: docx.WORD_ROWS), then a
                                         # sentence saying how many more and on which 附表 sheet
    unit: str = "条"                     # what a row counts, in that sentence (项, 条, 件)

    def column(self, header: str) -> list:
        i = [c.header for c in self.columns].index(header)
        return [row[i] for row in self.rows]


@dataclass
class Chart:
    kind: str               # heatmap / trend / milestones
    title: str
    x: list                 # categories along the horizontal axis
    y: list                 # rows (heatmap) or series names (trend, milestones)
    z: list[list]           # values: z[row][column]


@dataclass
class Part:
    title: str              # （一）level heading; "" = none
    tables: list[Table] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""          # a plain sentence under the heading (e.g. 无)


@dataclass
class Section:
    key: str
    title: str              # 一、level heading, without the number
    parts: list[Part]
    figures: dict           # the numbers the narrative and the page preview use
    narrative: str = ""


@dataclass(frozen=True)
class Masthead:
    """红头 and 版记 of the Word document (GB/T 9704): who issues it, its 期号, the 落款 and the
    印发日期 chosen on the page (not the day it was generated), 抄送 and 印发机关.  The
    defaults are settings the administrator keeps in the store (store/settings.py)."""
    issuer: str = "鄂托克前旗扶贫项目资产盘活工作"          # 发文机关标志, in red
    issue_no: str = ""                                    # 第5期
    signer: str = "中共鄂托克前旗委员会农村牧区工作办公室"    # 落款
    issued: dt.date | None = None                         # 印发日期
    copy_to: str = "旗委、旗政府有关领导，各镇党委、政府，旗直有关部门。"   # 抄送
    printer: str = "旗委农牧办"                            # 印发机关


@dataclass
class Parameter:
    name: str
    label: str
    value: float | int
    unit: str

    def written(self) -> tuple[float | int, str]:
        """(value, unit) as the plan writes a threshold: money in 万元 (100000 元 → 10万元), a rate
        in % (0.01 → 1%); others as kept.  The Word file and the Excel 说明 sheet both print this."""
        if self.unit == "元":
            return float(wan(self.value)), "万元"
        if self.unit == "比率":
            return round(self.value * 100, 6), "%"
        return self.value, self.unit


@dataclass
class Report:
    kind: str
    period: Period
    as_of: dt.date
    previous_as_of: dt.date | None      # None: not compared (the plan did not exist then)
    parameters: list[Parameter]
    not_evaluated: list[str]
    sections: list[Section]
    annexes: list[Table]
    generated: dt.date = field(default_factory=dt.date.today)
    scope: str = "全旗"         # the reader's part of the banner (dashboard/scope.py)
    previous_label: str | None = None   # the saved month compared with: '2024年11月（数据截至2024年11月30日）'
    edition: dict = field(default_factory=dict)   # the policy edition judging as_of: editions.Edition.meta()

    @property
    def edition_text(self) -> str:
        """《title》（document）: the plan the rules follow, as the closing names it."""
        from dashboard import editions          # a Report made without one: the seed's plan
        e = self.edition or editions.seed().meta()
        return f"《{e['title']}》（{e['document']}）"

    @property
    def title(self) -> str:
        return f"{BANNER}{SUBJECT}{self.period.kind_name}"

    @property
    def title_lines(self) -> list[str]:
        """The title broken where a reader pauses (GB/T 9704: keep words whole)."""
        return [f"{BANNER}扶贫（帮扶）项目资产", f"巩固提升盘活处置工作{self.period.kind_name}"]

    @property
    def compared_with(self) -> str:
        """'与2024年11月30日比较', or why nothing is compared."""
        from dashboard import explain
        if self.previous_as_of is None:
            return "工作方案2024年2月29日印发，不与此前的年末比较"
        if self.previous_label:                 # a saved month (dashboard/baseline.py)
            return f"与{self.previous_label}比较"
        return f"与{explain.fmt_date(self.previous_as_of)}比较"

    @property
    def subtitle(self) -> str:
        return f"（{self.period.label}）" if self.scope == "全旗" else f"（{self.scope} · {self.period.label}）"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for p in s.parts for t in p.tables] + self.annexes

    def charts(self) -> list[Chart]:
        return [p.chart for s in self.sections for p in s.parts if p.chart]
