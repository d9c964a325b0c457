"""Turns a fired rule's facts into one Chinese sentence for pages and reports.

The SQL gives facts (dates, amounts); data/policy/rules.csv gives each rule's
sentence template; this module only formats: dates as 2024年6月29日, money in
万元 with two decimals, rates as percentages.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import string
from dashboard import policy
from dashboard.money import fmt_wan

# Facts and parameters that are amounts of money in yuan.
MONEY_KEYS = {
    "income", "original_value", "principal", "principal_recovered", "income_due",
    "contract_income", "income_received", "proceeds", "net_income", "prev_net_income",
    "batch_total", "amount", "simplified_single_max", "simplified_batch_max",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fmt_date(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return "无"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def fmt_value(key: str, value: object) -> str:
    if value is None or value == "":
        return "无"
    if key in MONEY_KEYS:
        return fmt_wan(value)
    if isinstance(value, (dt.date, dt.datetime)) or (isinstance(value, str) and _DATE.match(value)):
        return fmt_date(value)
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def explain(rule_id: str, facts: str | dict | None, as_of: dt.date, params: dict) -> str:
    """One sentence: why rule_id fired, e.g. 合同将于2024年6月29日到期，距2024年6月1日不足1个月。"""
    rule = policy.rules()[rule_id]
    data = json.loads(facts) if isinstance(facts, str) else dict(facts or {})
    raw = {**params, **data, "as_of": as_of.isoformat()}
    values = {}
    for _, name, _, _ in string.Formatter().parse(rule.explain):
        if not name:
            continue
        if name.endswith("_pct"):  # a rate shown as a percentage
            base = raw.get(name[:-4])
            values[name] = "无" if base is None else f"{float(base) * 100:.2f}%"
        else:
            values[name] = fmt_value(name, raw.get(name))
    return rule.explain.format_map(values) + "。"

