"""Replacing a saved month asks first (issue 19.2): the line naming what would be replaced
(source, assets, when, by whom) and a checkbox 确认替换.  Used by 数据上传's save and 报送情况's 汇总."""
from __future__ import annotations

import streamlit as st

from dashboard import month_versions, snapshots
from dashboard.safe import md


def plain(text: str) -> str:
    """Text shown through markdown as the characters it is (an account name is not markup,
    an address in it no link): safe.md."""
    return md(text)


def confirm_replace(month: str, key: str) -> bool:
    """Whether saving `month` ('2026-12') may go ahead.

    No saved month (never saved, or deleted): returns True and shows nothing.
    A saved month: shows a warning naming what a save would replace — "将替换2026年12月快照
    （汇总，资产800项，2026年12月3日 14:05由admin保存）。被替换的快照保留为历史版本…" — and a
    checkbox "确认替换" (widget key f"{key}.confirm"), and returns True only while it is ticked.
    The box is unticked again whenever the month's file changes (someone else saved it since),
    so a confirmation always belongs to the version it named.

    Call it on every run before the save button and disable the button until it says yes:

        ok = confirm_replace(month, key="submissions.consolidate")
        if st.button("汇总…", key="submissions.consolidate", disabled=not ok): ...

    The save itself keeps the replaced file as a version (snapshots.save); audit it as
    "snapshot_replace" with the kept number (SavedMonth.kept)."""
    saved = snapshots.find(month)
    line = month_versions.describe(month) if saved else None
    if line is None:
        return True
    box, of = f"{key}.confirm", f"{key}.confirm.of"
    if st.session_state.get(of) != saved.version:        # a new file since the box was ticked
        st.session_state[of] = saved.version
        st.session_state[box] = False
    st.warning(plain(line) + "。被替换的快照会保留为历史版本，可在“系统管理 → 快照”中恢复。",
               icon=":material/warning:")
    return bool(st.checkbox("确认替换", key=box, help="勾选后才能替换已保存的月份"))
