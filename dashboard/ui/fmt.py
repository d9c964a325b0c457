"""Tables as users read them: Chinese column labels, money in 万元 (2 decimals),
dates as 2024-03-31, levels in words.  Presentation only; the numbers come from SQL."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import labels, money, policy, sql, template
from dashboard.explain import fmt_date  # noqa: F401 — re-exported for pages
from dashboard.labels import CHANGE_ZH, LEVEL_ZH
from dashboard.money import fmt_wan  # noqa: F401 — re-exported for pages
from dashboard.safe import chart_text, chart_value, md  # noqa: F401 — text from data, shown as text

# Template columns: canonical name → Chinese header (the first sheet that uses a name wins).
LABELS: dict[str, str] = {}
for _sheet in template.SHEETS:
    for _col in _sheet.columns:
        LABELS.setdefault(_col.name, _col.zh)
LABELS.update({
    "level": "预警等级", "rules": "触发预警规则", "flags": "标记", "batch_suggested": "四个一批（建议）",
    "batch_recorded": "四个一批（台账）", "signoff_tier": "销号层级", "assets": "资产数",
    "value": "资产原值", "red": "红色预警", "red_value": "红色预警原值", "yellow": "黄色预警",
    "yellow_value": "黄色预警原值", "idle": "闲置", "idle_value": "闲置原值", "low": "低效",
    "low_value": "低效原值", "warned_share": "预警占比", "rank": "排名", "rule_id": "规则",
    "rule_level": "规则等级", "previous_level": "上期等级", "change": "变化",
    "source_file": "来源文件", "source_row": "来源行", "source_sheet": "来源工作表", "failed": "未通过检查",
    "violations": "违规项", "path": "处置程序", "key_date": "关键日期", "occurrences": "次数",
    "warned": "预警资产数", "month": "月份", "town": "镇", "village": "嘎查村", "reason": "预警原因",
})
MONEY = {c.name for s in template.SHEETS for c in s.columns if c.kind == template.MONEY} | {
    "value", "red_value", "yellow_value", "idle_value", "low_value"}
DATES = {c.name for s in template.SHEETS for c in s.columns if c.kind == template.DATE} | {"key_date"}
SHARES = {"warned_share"}
HIDDEN = {"row_id", "asset_row", "facts"}

# Columns of the pages 收益与分配, 盘活进度, 处置与销号 (queries/income/, progress/, disposal/ and shared/); a check's
# column (C1, D3, DP2) is headed by its rule ID and name from data/policy/rules.csv.
LABELS.update({
    "check_id": "检查项", "check_name": "检查内容", "checked": "已检查", "passed": "通过", "failing": "未通过",
    "failed_amount": "未通过金额", "failed_value": "未通过资产原值", "not_evaluated": "未评估",
    "rows": "分配记录数", "passed_rows": "全部通过的记录", "failed_rows": "有未通过项的记录",
    "passed_assets": "全部通过的资产", "failed_assets": "有未通过项的资产", "reasons": "原因",
    "milestone": "节点", "milestone_name": "节点名称", "due_date": "到期日", "share_at_due": "到期时完成率",
    "share": "截至基准日完成率", "done": "已完成", "total": "应完成", "revitalised": "已盘活资产数",
    "revitalised_value": "已盘活资产原值", "revitalised_share": "已盘活比例", "differs": "建议与台账不一致",
    "violating": "有违规的处置", "status_as_of": "整改状态", "overdue": "是否逾期", "problems": "问题数",
    "overdue_problems": "逾期未整改",
    "rectifying": "整改中", "rectified": "已整改", "signed_off": "已销号", "open": "未销号",
    "tier": "销号层级", "signer": "销号主体", "tier_range": "原值范围", "path_name": "处置程序",
    "beneficiary_kind": "受益对象类别", "authority": "报送主体", "report_state": "报送状态", "example": "例（资产编号）",
})
LABELS.update({name: f"{rid} {r.name}" for rid, r in policy.rules().items() for name in (rid, rid.lower())
               if r.level in ("collection", "distribution", "disposal")})
# 盘活进度's MG1 / MG3 view (progress/check_shares)
LABELS.update({"confirmed": "已确权移交", "on_platform": "已纳入对应平台", "confirmed_share": "确权移交率",
               "platform_share": "纳入平台率", "in_scope_checked": "核查范围内资产"})
SHARES |= {"confirmed_share", "platform_share"}
MONEY |= {"failed_amount", "failed_value", "revitalised_value"}
DATES |= {"due_date"}
SHARES |= {"share_at_due", "share", "revitalised_share"}


def by_name(name: str) -> str | None:
    """A column's display format guessed from its name (the fallback): 万元, %, 日期 or None."""
    return sql.MONEY if name in MONEY else sql.SHARE if name in SHARES else sql.DATE if name in DATES else None


def formats(frame: pd.DataFrame) -> dict[str, str | None]:
    """Each column's display format: as its query declares it (sql.formats: a frame from a named
    query carries them in attrs), else guessed from its name."""
    declared = frame.attrs.get(sql.FORMATS_ATTR) or {}
    return {name: declared.get(name) or by_name(name) for name in frame.columns}


def label(name: str, kind: str | None = None) -> str:
    """The Chinese header of a column, money with its unit: 资产原值（万元）.  kind: its declared
    format (formats(frame)[name]); else guessed from the name."""
    zh = LABELS.get(name, name)
    return f"{zh}（万元）" if (kind or by_name(name)) == sql.MONEY else zh


def wan(yuan) -> float | None:
    """万元 rounded to the two decimals a table shows."""
    return None if yuan is not None and pd.isna(yuan) else money.wan(yuan, places=2)


def count(n) -> str:
    return f"{int(n):,}"


def display(frame: pd.DataFrame, blanks: bool = True) -> tuple[pd.DataFrame, dict]:
    """(frame with Chinese headers and 万元, column_config) for st.dataframe.  blanks: a number or
    date column with a missing value becomes text with "—" there (the grid draws a missing
    number or date as "None" and has no setting for it; sorted as text); exports pass False
    and keep the numbers."""
    kinds = formats(frame)
    out, config = _display(frame, kinds)
    if blanks:
        for name in frame.columns:
            kind = kinds[name]
            head = label(name, kind)
            if head in out and name not in HIDDEN and (kind == sql.DATE or out[head].dtype != object) \
                    and out[head].isna().any():
                out[head] = out[head].map(lambda v, k=kind: _cell(v, k))
                config[head] = st.column_config.TextColumn(head, alignment="left" if kind == sql.DATE else "right")
    return out, config


def _display(frame: pd.DataFrame, kinds: dict) -> tuple[pd.DataFrame, dict]:
    out = pd.DataFrame(index=frame.index)
    config = {}
    for name in frame.columns:
        if name in HIDDEN:
            continue
        kind = kinds[name]
        col, head = frame[name], label(name, kind)
        if kind == sql.MONEY:
            out[head] = col.map(wan).astype("Float64")
            config[head] = st.column_config.NumberColumn(head, format="%.2f")
        elif kind == sql.DATE:
            out[head] = pd.to_datetime(col).dt.date
            config[head] = st.column_config.DateColumn(head, format="YYYY-MM-DD")
        elif kind == sql.SHARE:
            out[head] = (col.astype("Float64") * 100).round(2)
            config[head] = st.column_config.NumberColumn(head, format="%.2f%%")
        elif name in ("level", "rule_level", "previous_level"):
            out[head] = col.map(lambda v: LEVEL_ZH.get(v, v))
        elif name == "change":
            out[head] = col.map(lambda v: CHANGE_ZH.get(v, v))
        elif name in CODES:
            out[head] = col.map(_codes)
        else:
            out[head] = col.map(_text) if col.dtype in (object, "str", "string") else col
    return out, config


# Columns of rule codes: read as "R03 收益过低、IDLE 闲置", never a bare code.
CODES = {"rules", "flags", "rule_id", "failed", "violations"}


def _items(value) -> list:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return list(value)
    return [v for v in str(value).replace(";", "、").split("、") if v]


def _codes(value) -> str:
    known = policy.rules()
    return "、".join(labels.rule(v) if v in known else str(v) for v in _items(value)) or "—"


def _text(value):
    # Lists read as "a、b"; an empty cell as "—", never None or nan.
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "—"
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return "、".join(str(v) for v in list(value)) or "—"
    return value


def table(frame: pd.DataFrame, *, key: str | None = None, height="auto", widths: dict | None = None, **kwargs):
    """st.dataframe of a query result, formatted; says so when it is empty.  widths: column
    name → "small" / "medium" / "large" or pixels (a phone shows about 330 px of a table)."""
    if frame.empty:
        st.info("当前筛选条件下没有数据。")
        return None
    shown, config = display(frame)
    kinds = formats(frame)
    for name, width in (widths or {}).items():
        if name in frame.columns:
            head = label(name, kinds[name])
            config[head] = {**config.get(head, {}), "width": width}
    return st.dataframe(shown, column_config=config, hide_index=True, key=key, height=height, **kwargs)


def _cell(value, kind: str | None) -> str:
    if value is None or pd.isna(value):
        return "—"
    if kind == sql.DATE:
        return value.isoformat()
    if kind == sql.SHARE:
        return f"{value:.2f}%"
    if kind == sql.MONEY:
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "是" if value else "否"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{int(number)}" if number.is_integer() else f"{number:g}"


SAME = "与上期持平"


def change(diff, unit: str = "", spec: str = ",d", worse_when_up: bool = False) -> dict:
    """st.metric's delta arguments for a change against the previous period: '+3项' (an arrow,
    red when more is worse), '-1.20个百分点'; no change is "与上期持平" in grey without an arrow
    (st.metric draws any text not starting with '-' as a rise, so "持平" was a red ↑); no earlier
    period, no delta.  Use: st.metric(label, value, **fmt.change(now - before, "项"))."""
    if diff is None or pd.isna(diff):
        return {"delta": None}
    if abs(diff) < 0.005:
        return {"delta": SAME, "delta_color": "off", "delta_arrow": "off"}
    return {"delta": f"{diff:+{spec}}{unit}", "delta_color": "inverse" if worse_when_up else "normal"}


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The displayed form of a result for xlsx/csv exports (Chinese headers, 万元)."""
    return display(frame, blanks=False)[0]
