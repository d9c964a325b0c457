"""报送情况 (月调度, plan 八(二)): for one month, every authority expected — reported on time by
the 25th, late, or not at all (red once the 25th has passed) —, when and by whom, how many
rows were accepted and rejected, its 本月工作推进情况, and what changed against its part of
the month before; asset IDs reported by two authorities; the administrator consolidates
the month's snapshot here.  Only draws: dashboard/monthly/ answers."""
from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from dashboard import snapshots, store, ui
from dashboard.monthly import consolidate as C
from dashboard.monthly import status as S
from dashboard.monthly import submissions as M
from dashboard.store import audit
from dashboard.ui import auth, fmt, sidebar
from dashboard.ui.replace import confirm_replace

DONE = "submissions.done"


@st.cache_data(max_entries=24, show_spinner="正在比较各单位本月与上月的报送…")
def _status(month: str, parts: tuple, today, months: tuple) -> list[S.Row]:
    """Keyed by the submissions in force and the saved months (what is carried forward comes
    from the month before), so a new one is compared at once."""
    return S.status(month, today)


def _frame(rows: list[S.Row]) -> pd.DataFrame:
    out = []
    for r in rows:
        p, c = r.part, r.changes or {}
        out.append({"报送单位": r.authority, "状态": r.label(),
                    "报送时间": store.beijing(p.submitted_at) if p else "—", "报送人": (p.submitted_by or "—") if p else "—",
                    "接收资产（项）": p.accepted if p else None, "未接收（行）": p.rejected if p else None,
                    "本月工作推进情况": (p.progress or "—") if p else "—",
                    "沿用上月": (f"{snapshots.month_label(r.carried.month)}，{r.carried.assets:,}项" if r.carried
                             else ("无上月数据" if p is None else "—")),
                    "较上月新增资产": c.get("added"), "较上月减少资产": c.get("removed"),
                    "状态或原值变化": c.get("changed"), "新增预警": c.get("new_warnings"),
                    "解除预警": c.get("cleared_warnings")})
    frame = pd.DataFrame(out)
    # The grid draws a missing number as "None": an authority not reported (or with no month
    # before to compare) shows "—", the way every other table of the app does.
    counts = [c for c in frame.columns if c.endswith(("（项）", "（行）")) or c.startswith(("较上月", "状态或", "新增预警", "解除预警"))]
    for col in counts:
        frame[col] = [f"{int(v):,}" if pd.notna(v) else "—" for v in frame[col]]
    return frame


def _colour(row: pd.Series) -> list[str]:
    colour = "color: #b71c1c; font-weight: bold" if row["状态"].startswith("逾期未报送") else ""
    if row["状态"].startswith("逾期报送"):
        colour = "color: #e65100"
    return [colour] * len(row)


def _months() -> list[str]:
    today = M.beijing_date(store.now()).strftime("%Y-%m")
    return sorted(set(M.months()) | {today}, reverse=True)


def _mine() -> str | None:
    """The authority whose submissions this user sees: None = every authority (leadership, the
    banner office); a town or department its own; a village user none of them."""
    user = auth.current()
    if user.scope.whole:
        return None
    return user.scope.department or (user.scope.town if not user.scope.village else "（无）")


def _visible(rows: list[S.Row]) -> list[S.Row]:
    mine = _mine()
    return rows if mine is None else [r for r in rows if r.authority == mine]


def conflicts(month: str) -> None:
    if not M.latest(month):
        return
    found = C.consolidate(month, save=False).conflicts
    mine = _mine()
    if mine is not None:                     # a town or department: the conflicts on its own assets
        found = [c for c in found if mine in c.authorities]
    if found:
        st.error(f"{len(found)}项资产被两个单位同时报送，汇总时暂不纳入，请核实主管部门或所在镇后由相关单位重新报送：")
        st.dataframe(pd.DataFrame([(c.asset_id, "、".join(c.authorities)) for c in found],
                                  columns=["资产编号", "报送单位"]), hide_index=True, key="submissions.conflicts")


def stale_note(month: str) -> None:
    """The saved month does not hold a submission in force: say so.  A consolidated month
    names the parts it holds ("城川镇报送#12"); an uploaded one is compared by time."""
    saved = snapshots.find(month)
    parts = M.latest(month)
    if saved is None or not parts:
        return
    meta = snapshots.read_meta(saved.path)
    held = set(meta.get("files", []))
    if meta.get("kind") == "consolidated":
        behind = [p for p in parts.values() if f"{p.authority}报送#{p.id}" not in held]
    else:
        behind = [p for p in parts.values() if p.submitted_at.replace(tzinfo=dt.UTC).timestamp() > saved.version]
    if behind:
        newest = max(behind, key=lambda s: s.submitted_at)
        st.warning(fmt.md(f"{snapshots.month_label(month)}快照生成于{_saved_at(saved)}，早于{newest.authority}"
                          f"{store.beijing(newest.submitted_at)}的报送：快照尚未包含最新报送"
                          f"（{'、'.join(sorted(p.authority for p in behind))}），请重新汇总。"))


def _saved_at(saved: snapshots.SavedMonth) -> str:
    moment = dt.datetime.fromtimestamp(saved.version, dt.UTC).replace(tzinfo=None)
    return store.beijing(moment)


def consolidate_button(month: str, rows: list[S.Row]) -> None:
    if not auth.current().may("administer"):
        return
    saved = snapshots.find(month)
    st.caption(f"{snapshots.month_label(month)}快照：" + ("已生成（重新汇总将替换，原快照保留为历史版本）" if saved else "尚未生成"))
    carried = [r.carried.label for r in rows if r.part is None and r.carried]
    bare = [r.authority for r in rows if r.part is None and not r.carried]
    confirmed = True
    if carried or bare:
        # authority names come from the ledgers (a town as written): text, not markdown
        st.warning(fmt.md("汇总前请确认：" + "；".join(carried + [f"{a}未报送且无上月数据，汇总不含其资产" for a in bare])
                          + "。"))
        confirmed = st.checkbox("已知晓上述单位未报送，按此汇总（沿用上月数据的资产在台账中标注“沿用上月”）",
                                key=f"submissions.confirm_carry.{month}")
    replace_ok = confirm_replace(month, key="submissions.consolidate")     # names what a re-run replaces
    if st.button(f"汇总生成{snapshots.month_label(month)}快照", type="primary", key="submissions.consolidate",
                 disabled=not M.latest(month) or not confirmed or not replace_ok) and confirmed and replace_ok:
        try:
            result = C.consolidate(month, by=auth.current().name)
        except M.MonthlyError as exc:
            auth.record("consolidate", month, outcome="failed", details={"原因": str(exc)})
            st.error(fmt.md(str(exc)))
            return
        except Exception as exc:                      # recorded, logged, told in Chinese
            auth.record("consolidate", month, outcome="failed", details={"原因": audit.failure(exc)})
            logging.getLogger(__name__).exception("consolidation failed")
            st.error("汇总未完成：读取各单位的报送时出错（已记入审计记录），请稍后重试。")
            return
        kept = getattr(result.snapshot, "kept", None)
        auth.record("consolidate", month, details={"单位": [p.authority for p in result.parts],
                                                  "资产": result.assets, "冲突": len(result.conflicts),
                                                  "替换并保留为": f"第{kept}版" if kept else "—",
                                                  "沿用上月": [c.label for c in result.carried],
                                                  "未报送且无上月数据": result.missing})
        st.session_state[DONE] = result.message
        sidebar.select_source(result.snapshot.key)       # every page now shows the month just made
        st.rerun()


def body(_ctx) -> None:
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(fmt.md(done))
    month = st.selectbox("月份", _months(), format_func=snapshots.month_label, key="submissions.month")
    today = M.beijing_date(store.now())
    parts = tuple(sorted((a, s.id) for a, s in M.latest(month).items()))
    every = _status(month, parts, today, tuple((m.month, m.version) for m in snapshots.list_months()))
    rows = _visible(every)
    due = M.due_date(month)
    reported = sum(r.part is not None for r in rows)
    st.caption(f"报送截止：{due.year}年{due.month}月{due.day}日（每月25日前）。应报{len(rows)}个单位，已报{reported}个"
               + (f"，{sum(r.overdue for r in rows)}个逾期未报送。" if today > due else "。"))
    st.dataframe(_frame(rows).style.apply(_colour, axis=1), hide_index=True, key="submissions.table",
                 column_config={"报送单位": st.column_config.TextColumn(pinned=True)})
    conflicts(month)
    stale_note(month)
    consolidate_button(month, every)
    with st.expander("本月全部报送记录（含被替换的）"):
        every = [s for s in M.history(month) if _mine() in (None, s.authority)]
        st.dataframe(pd.DataFrame([(s.authority, store.beijing(s.submitted_at), s.submitted_by or "—", s.accepted,
                                    s.rejected, "、".join(f["名称"] for f in s.files)) for s in every],
                                  columns=["报送单位", "报送时间", "报送人", "接收资产（项）", "未接收（行）", "文件"]),
                     hide_index=True, key="submissions.history")


ui.run("报送情况", body, needs_data=False)
