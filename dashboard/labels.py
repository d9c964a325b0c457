"""The Chinese a user reads for every code: warning levels, changes, rules, disposal
paths, sign-off tiers.  Pages, reports and exports all take their words from here."""
from __future__ import annotations

from dashboard import policy

LEVEL_ZH = {"red": "红色预警", "yellow": "黄色预警", "none": "无预警", "flag": "标记"}
LEVEL_SHORT = {"red": "红色", "yellow": "黄色", "none": "无"}
CHANGE_ZH = {"joined": "新增资产", "left": "减少资产", "new": "新增预警", "cleared": "解除预警", "worsened": "等级升高"}
PATH_ZH = {"full": "村级完整程序", "simplified": "简易程序", "state": "国有资产程序", "transfer": "转让拍卖程序"}
SIGNER_ZH = {"T1": "镇或旗项目资产主管部门", "T2": "旗领导小组（实地核查）",
             "T3": "市乡村振兴部门复核", "T4": "自治区乡村振兴部门复核"}


def rule(rule_id: str) -> str:
    """'R09 合同距离到期小于1个月' — how a rule is named to a user."""
    return f"{rule_id} {policy.rules()[rule_id].name}"


def rule_name(rule_id: str) -> str:
    return policy.rules()[rule_id].name
