"""数据上传's mapping step: tell the importer, once, which sheet is which ledger and which
column is which, preview the first rows as they will load, and save it as an import profile
(mapping-profiles.md).  Only draws: the guesses and the TOML come from ingest/wizard.py."""
from __future__ import annotations

import streamlit as st

from dashboard import template as T
from dashboard.ingest import ProfileError, UnusableInput, load_files
from dashboard.ingest import profiles as P
from dashboard.ingest import wizard as W
from dashboard.ingest.mapped import is_place_header
from dashboard.ingest.jobs import sheets_of
from dashboard.ui import auth, fmt

NONE = "（不对应）"
AS_WRITTEN = "（按原文判断）"
KINDS = {s.name: s.zh for s in T.SHEETS} | {"skip": "跳过此表"}
PREVIEW_ROWS = 20


@st.cache_data(max_entries=8, show_spinner="正在读取表头…")
def _grids(name: str, data: bytes) -> dict[str, list[list]]:
    """The top rows of every sheet of one uploaded file (headers and sample values only),
    read in a worker like any upload; a file that cannot be read offers no sheet."""
    try:
        _, sheets = sheets_of((name, data), len(data) + 1, rows=W.SAMPLE_ROWS + 30)
    except UnusableInput:
        return {}
    return {sheet: grid for sheet, grid in sheets}


def _sheet_state(books, file: str) -> dict[str, str | None]:
    """Sheet → what this upload read it as: its kind, "skip" when a profile skipped it, None
    when it was not placed."""
    return {s.sheet: s.kind or ("skip" if s.profile else None) for s in books.result.sheets if s.file == file}


def unit_doubts(books) -> list[tuple[str, str]]:
    """(file, sheet) whose money the importer read as 元 while suspecting 万元."""
    return list(dict.fromkeys((i.file, i.sheet) for i in books.result.issues if "疑为万元" in i.reason))


def step(files, books) -> None:
    """The mapping expander: one import profile for a whole workbook (a tab per sheet, each
    sheet's kind proposed — 跳过 for a sheet of projects), open by itself when a sheet could
    not be placed or its money looks like 万元 read as 元."""
    by_name = {f.name: f for f in files}
    grids = {f: _grids(f, by_name[f].getvalue()) for f in by_name}
    proposals = {f: {s: W.propose(s, grid, _sheet_state(books, f).get(s)) for s, grid in grids[f].items()}
                 for f in by_name}
    unplaced = [(f, s) for f in by_name for s, kind in _sheet_state(books, f).items()
                if kind is None and proposals[f].get(s, ("", ""))[0] != "skip"]
    projects = [(f, s) for f in by_name for s, (kind, why) in proposals[f].items()
                if kind == "skip" and why and _sheet_state(books, f).get(s) is None and "项目" in why]
    doubts = unit_doubts(books)
    with st.expander("指定工作表类型和列的对应关系（导入方案）", icon=":material/table_edit:",
                     expanded=bool(unplaced or projects or doubts) or not books.usable):
        notes = []
        if unplaced:
            notes.append("以下工作表未能自动识别：" + "、".join(f"{fmt.md(f)}/{fmt.md(s)}" for f, s in unplaced)
                         + "，请指定它是哪种台账、各列对应哪一列")
        if projects:
            notes.append("、".join(f"{fmt.md(f)}/{fmt.md(s)}" for f, s in projects) + "每行是一个项目，不是资产，建议跳过")
        if doubts:
            notes.append("、".join(f"{fmt.md(f)}/{fmt.md(s)}" for f, s in doubts) + "的金额未注明单位，数值偏小，疑为万元，请核对金额单位")
        if notes:
            st.caption("；".join(notes) + "。保存后本次和以后的上传都按此读取，一个导入方案包含整个工作簿的所有工作表。")
        first = next((f for f, _ in unplaced + projects + doubts), next(iter(by_name)))
        names = list(by_name)
        picked = names[0] if len(names) == 1 else st.selectbox(
            "文件", names, index=names.index(first), key="map_file")
        if grids[picked]:
            _workbook_form(by_name[picked], grids[picked], proposals[picked], books)
        else:
            st.warning(f"文件“{fmt.md(picked)}”无法读取工作表。")
        _saved_list()


def _workbook_form(upload, grids: dict[str, list[list]], proposals: dict[str, tuple[str, str]], books) -> None:
    """A tab per sheet (its kind, header row, columns, unit, preview), then one profile with
    an entry for every sheet, saved with one button."""
    sheets = list(grids)
    chosen = {s: st.session_state.get(f"map_kind.{upload.name}.{s}", proposals[s][0]) for s in sheets}
    tabs = _sheet_tabs(upload.name, {s: f"{fmt.md(s)}（{KINDS['skip']}）" if chosen[s] == "skip" else fmt.md(s)
                                     for s in sheets})
    entries = []
    profiled = {s.sheet for s in books.result.sheets if s.file == upload.name and s.profile}
    for tab, sheet_name in zip(tabs, sheets):
        with tab:
            entries.append(_sheet_entry(upload, sheet_name, grids[sheet_name], proposals[sheet_name],
                                        sheet_name in profiled))
    try:
        profile = P.parse({"name": "预览", "sheets": entries}, "预览")
    except ProfileError as e:
        st.warning(fmt.md(e))
        return
    result = _loaded(upload.name, upload.getvalue(), profile)
    loads = []
    for tab, entry, sheet_name in zip(tabs, entries, sheets):
        with tab:
            loads.append(_preview(upload, sheet_name, entry, result))
    kept = [e for e, ok in zip(entries, loads) if ok]
    left_out = [s for s, ok in zip(sheets, loads) if not ok]
    if left_out:
        st.caption("、".join(f"“{fmt.md(s)}”" for s in left_out) + "按当前设置还不能载入，不写入导入方案（仍按通常方式识别）。")
    _save_form(upload, kept, books)


def _sheet_tabs(file_name: str, labels: dict[str, str]):
    """A tab per sheet that stays open over the reruns its widgets cause (keyed, tracked): without
    it every choice on the third sheet showed the first again. A sheet set to 跳过 changes its
    label, so the open tab's remembered label is moved to the sheet's new one first."""
    key = f"map_tab.{file_name}"
    current = st.session_state.get(key)
    if current is not None and current not in labels.values():
        for sheet, label in labels.items():
            if current in (fmt.md(sheet), f"{fmt.md(sheet)}（{KINDS['skip']}）"):
                st.session_state[key] = label
    return st.tabs(list(labels.values()), key=key, on_change="rerun")


def _sheet_entry(upload, sheet_name: str, grid: list[list], proposal: tuple[str, str], profiled: bool) -> dict:
    """One sheet's tab: its kind (the proposal pre-selected, and why), header row and columns;
    returns its profile entry.  A sheet already read through a profile gives no more advice."""
    proposed, why = proposal
    kinds = list(KINDS)
    kind = st.selectbox("这张表是", kinds, index=kinds.index(proposed), format_func=KINDS.get,
                        key=f"map_kind.{upload.name}.{sheet_name}")
    if why and kind == proposed:
        st.caption(f"建议{KINDS[proposed]}：{fmt.md(why)}。")
    entry = {"match": sheet_name if sheet_name != "CSV" else upload.name, "kind": kind}
    if kind == "skip":
        return entry
    key = f"map.{upload.name}.{sheet_name}.{kind}"
    auto = W.view(grid)
    row = st.number_input("表头所在行", 1, max(1, len(grid)), auto.header_row + 1, key=key + ".row")
    view = W.view(grid, int(row) - 1)
    return entry | {"header_row": int(row)} | _columns(T.SHEET_BY_NAME[kind], grid, view, key, advise=not profiled)


def _save_form(upload, entries: list[dict], books) -> None:
    user = auth.current()
    if not user.may("save_profile"):
        st.info("演示模式：创建管理员账号后才能保存导入方案。" if user.demo else "导入方案由旗级管理员或报送单位保存。")
        return
    applied = next((s.profile for s in books.result.sheets if s.file == upload.name and s.profile), None)
    key = f"map.{upload.name}"
    name = st.text_input("导入方案名称（包含本工作簿的所有工作表）", value=applied or upload.name.rsplit(".", 1)[0],
                         key=key + ".name")
    replace = st.checkbox("覆盖同名导入方案（原方案留作历史版本）", value=bool(applied), key=key + ".replace")
    where = "全旗所有上传" if authority(user) is None else f"{authority(user)}的上传"
    if st.button("保存为导入方案", type="primary", key=key + ".save", icon=":material/save:", disabled=not entries,
                 help=f"保存后自动用于{fmt.md(where)}中符合此方案的工作表"):
        try:
            W.save(name, W.toml_text(name, entries), authority(user), user.name, replace=replace)
        except ProfileError as e:
            auth.record("profile_save", name, outcome="failed", details={"原因": str(e)})
            st.error(fmt.md(e))
            return
        auth.record("profile_save", name, details={
            "工作表": "、".join(f"{e['match']}（{KINDS.get(e['kind'], e['kind'])}）" for e in entries),
            "适用范围": where, "覆盖同名": "是" if replace else "否"})
        st.session_state["upload_mapping_saved"] = name
        st.rerun()                      # the upload is read again with it (uploads.parsed)


def authority(user) -> str | None:
    """Whose profiles a user saves and has applied by themselves: a town's or department's own
    (None: the administrator's, which apply to every upload)."""
    if user.role in ("town", "department"):
        return user.scope.department or user.scope.town
    return None


def _columns(sheet: T.Sheet, grid: list[list], view: W.SheetView, key: str, advise: bool = True) -> dict:
    """A select per canonical column (required first), the best guess pre-selected; a unit when
    money headers state none; value maps for the enumerations."""
    pairs, values, unit = {}, {}, None
    exact = W.exact_headers(sheet, view)
    for col in sorted(sheet.columns, key=lambda c: not c.required):
        ranked = [h for h, _ in W.rank(col, view)]
        # a header already given to a column, or naming another column exactly, is no guess for
        # this one; optional columns want a surer one
        guess = W.best_guess(col, view, 0.55 if col.required else 0.75, exclude=set(pairs), exact=exact)
        options = [NONE] + ranked
        label = f"{col.zh}{'（必填）' if col.required else ''}"
        chosen = st.selectbox(label, options, index=options.index(guess) if guess else 0, key=f"{key}.col.{col.name}")
        if chosen == NONE:
            continue
        if col.name == "town" and st.checkbox("此列同时写有镇和嘎查村（如“城川镇大发村”）", key=f"{key}.place",
                                              value=is_place_header(chosen)):
            pairs[chosen] = list(P.PLACE_PAIR)
        else:
            pairs[chosen] = col.zh
        if col.kind == T.MONEY and W.split_unit(chosen)[1] is None and unit is None:
            hint, why = W.unit_hint(grid, view, chosen)
            unit = st.radio("金额单位（表头未注明）", ["元", "万元"], index=["元", "万元"].index(hint), horizontal=True,
                            key=f"{key}.unit")
            if why and advise:
                st.caption(fmt.md(why))
        if col.kind in (T.ENUM, T.YESNO) and col.values:
            values |= _value_map(col, view, chosen, key)
    return {"columns": pairs, "values": values, "unit": unit}


def _value_map(col: T.Column, view: W.SheetView, header: str, key: str) -> dict:
    odd = W.unknown_values(col, W.distinct(view, header))
    if not odd:
        return {}
    st.caption(f"“{fmt.md(header)}”中有{len(odd)}种写法不是{col.zh}的标准值，请指定对应：")
    options = [AS_WRITTEN] + list(col.values)
    mapping = {}
    for v in odd:
        to = st.selectbox(f"“{fmt.md(v)}” →", options, key=f"{key}.val.{col.name}.{v}")
        if to != AS_WRITTEN:
            mapping[v] = to
    return {col.zh: mapping} if mapping else {}


@st.cache_data(max_entries=16, show_spinner="正在按当前设置试读…")
def _loaded(name: str, data: bytes, profile: P.Profile):
    """The file read with the profile being written (every sheet at once): cached, so a rerun
    of the page (any widget) does not import the whole file again — only a changed setting does."""
    return load_files([(name, data)], mappings=[profile], use_saved=False)


def _preview(upload, sheet_name: str, entry: dict, result) -> bool:
    """The first rows as they will load with this entry, cells with a doubt highlighted;
    False when the entry loads nothing (it is then not saved)."""
    if entry["kind"] == "skip":
        st.info("此表将被跳过。")
        return True
    sheet_issues = [i for i in result.issues if i.file == upload.name and i.sheet == sheet_name]
    frame = result.tables.get(entry["kind"])
    fatal = [i.reason for i in sheet_issues if i.kind == "fatal"]
    if frame is not None:
        frame = frame[(frame.source_file == upload.name) & (frame.source_sheet == sheet_name)]
    if fatal or frame is None or frame.empty:
        st.warning("按当前设置还不能载入：" + fmt.md("；".join(fatal or ["请指定必填列"])))
        return False
    st.markdown(f"**预览（前{PREVIEW_ROWS}行，共载入{len(frame):,}行）**")
    head = frame.head(PREVIEW_ROWS)
    doubts = {i.row for i in sheet_issues if i.row is not None}
    flagged = set(head.index[head.source_row.isin(doubts)])
    shown, config = fmt.display(head.drop(columns=["source_file", "source_sheet", "qa"], errors="ignore"))
    styled = shown.style.apply(lambda r: ["background-color: #fff3cd" if r.name in flagged else ""] * len(r),
                               axis=1)
    st.dataframe(styled, column_config=config, hide_index=True, key=f"map_preview.{upload.name}.{sheet_name}")
    notes = [f"第{i.row}行：{i.reason}" for i in sheet_issues if i.row is not None][:PREVIEW_ROWS]
    if notes:
        st.caption("存疑或已更正（黄色行）：" + fmt.md("；".join(notes)))
    return True


def _saved_list() -> None:
    """The saved profiles this user's uploads use (the administrator's and its authority's own;
    the administrator sees every authority's); its owner or the administrator may rename or
    delete one — a deleted or replaced profile is kept under 历史版本/."""
    user = auth.current()
    saved = W.listing(authority(user), everyone=user.may("administer"))
    st.markdown("**已保存的导入方案**" + ("" if saved else "：暂无"))
    for i, p in enumerate(saved):
        left, mid, right = st.columns([3, 3, 1])
        applies = "旗级，适用于所有上传" if p.authority is None else f"仅用于{p.authority}的上传"
        left.markdown(fmt.md(f"{p.name}（{applies}{'；' + p.owner + '保存' if p.owner else ''}）"))
        if not (user.may("administer") or (p.owner and p.owner == user.name)):
            continue
        new = mid.text_input("改名为", value=p.name, key=f"map_rename.{i}", label_visibility="collapsed")
        if new != p.name and mid.button("改名", key=f"map_rename_btn.{i}"):
            try:
                W.rename(p, new)
                auth.record("profile_rename", new, details={"原名称": p.name, "适用范围": applies})
            except ProfileError as e:
                auth.record("profile_rename", new, outcome="failed", details={"原因": str(e)})
                st.error(fmt.md(e))
                return
            st.rerun()
        if right.button("删除", key=f"map_delete.{i}", icon=":material/delete:"):
            W.delete(p)
            auth.record("profile_delete", p.name, details={"适用范围": applies, "历史版本": "已留存"})
            st.rerun()
