"""The upload page's 月度报送 panel: a town or department submits the uploaded files as its
part of a month, with its 本月工作推进情况; the banner office may submit for any authority.
Only draws: dashboard/monthly/submissions.py decides what is accepted."""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from dashboard import safe, snapshots, store
from dashboard.monthly import submissions as M
from dashboard.store import audit
from dashboard.ui import auth, fmt, mapping

RESULT = "submit.result"


def _authority(user) -> str | None:
    if user.role == "admin":
        return st.selectbox("报送单位", M.authorities(), key="submit.authority",
                            help="旗委农牧办可代任一单位报送（如补录纸质报表）")
    authority = user.scope.department or user.scope.town
    st.markdown(f"报送单位：**{fmt.md(authority)}**")
    return authority


def _month() -> str:
    this = M.beijing_date(store.now()).strftime("%Y-%m")
    return st.selectbox("报送月份", [this, M.previous_month(this)], format_func=snapshots.month_label, key="submit.month",
                        help="每月25日前报送当月台账，逾期报送会在“报送情况”中标出")


def panel(files) -> None:
    user = auth.current()
    if not user.may("submit"):
        return
    st.subheader("月度报送（月调度）")
    st.caption("只接收本单位作为报送主体的资产（主管部门为本部门，或所在镇为本镇且主管部门不是旗行业主管部门）"
               "及其收益、分配、处置、问题记录；其他行列出原因，不接收。重新报送将替换本单位本月的报送，历次报送都留存。")
    authority = _authority(user)
    month = _month()
    progress = st.text_area("本月工作推进情况", key="submit.progress", height=100,
                            placeholder="如：本月完成3项资产确权登记，2项闲置资产已与经营主体签订租赁合同……")
    if st.button("报送", type="primary", key="submit.go", icon=":material/send:"):
        try:
            outcome = M.submit(month, authority, files, by=user.name, progress=progress,
                               profile_authority=mapping.authority(user))
        except M.MonthlyError as exc:
            auth.record("submit", f"{authority} {month}", outcome="refused", details={"原因": str(exc)})
            st.error(fmt.md(exc))
            return
        except Exception as exc:                      # recorded, logged, told in Chinese
            auth.record("submit", f"{authority} {month}", outcome="failed",
                        details={"原因": audit.failure(exc), "文件": [f.name for f in files]})
            logging.getLogger(__name__).exception("submission failed")
            st.error("报送未完成：处理上传的文件时出错（已记入审计记录），请稍后重试或联系旗级管理员。")
            return
        auth.record("submit", f"{authority} {month}", outcome="ok" if outcome.submission else "failed",
                    details={"接收资产": outcome.submission.accepted if outcome.submission else 0,
                             "未接收行": len(outcome.rejected), "文件": [f.name for f in files]}
                    | ({} if outcome.submission else {"原因": outcome.message}))
        st.session_state[RESULT] = (outcome.message, outcome.submission is not None, outcome.rejected)
    kept = st.session_state.get(RESULT)
    if kept:
        message, ok, rejected = kept
        (st.success if ok else st.error)(fmt.md(message))
        if not rejected.empty:
            shown = rejected.rename(columns={"file": "文件", "sheet": "工作表", "row": "行", "column": "列",
                                             "reason": "原因"})
            st.dataframe(shown, hide_index=True, height=240, key="submit.rejected")
            st.download_button("下载未接收的行（csv）", auth.bound(lambda: _rejected_csv(rejected)),
                               "未接收的行.csv", "text/csv", on_click="ignore", key="submit.rejected_csv",
                               icon=":material/download:")


def _rejected_csv(rejected: pd.DataFrame) -> bytes:
    auth.record("export", "未接收的行", details={"格式": "csv", "行数": len(rejected)})
    return safe.csv_bytes(rejected)
