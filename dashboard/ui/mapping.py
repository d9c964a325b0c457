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
from dashboard.ingest.read import sheets_of
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


def step(files, books) -> None:
    """The mapping expander: open by itself when a sheet could not be placed."""
    unplaced = [(s.file, s.sheet) for s in books.result.sheets if s.kind is None and s.sheet != "填表说明"]
    with st.expander("指定工作表类型和列的对应关系（导入方案）", expanded=bool(unplaced) or not books.usable,
                     icon=":material/table_edit:"):
        if unplaced:
            st.caption("以下工作表未能自动识别：" + "、".join(f"{f}/{s}" for f, s in unplaced)
                       + "。请指定它是哪种台账、各列对应哪一列，保存后本次和以后的上传都按此读取。")
        by_name = {f.name: f for f in files}
        choices = [(f, s) for f in by_name for s in _grids(f, by_name[f].getvalue())]
        choices.sort(key=lambda fs: fs not in unplaced)
        picked = st.selectbox("工作表", choices, format_func=lambda fs: f"{fs[0]} / {fs[1]}", key="map_sheet")
        if picked:
            _sheet_form(by_name[picked[0]], picked[1], books)
        _saved_list()


def _sheet_form(upload, sheet_name: str, books) -> None:
    grid = _grids(upload.name, upload.getvalue())[sheet_name]
    loaded_as = next((s.kind for s in books.result.sheets if s.sheet == sheet_name and s.file == upload.name), None)
    kinds = list(KINDS)
    kind = st.selectbox("这张表是", kinds, index=kinds.index(loaded_as or "assets"), format_func=KINDS.get,
                        key=f"map_kind.{upload.name}.{sheet_name}")
    key = f"map.{upload.name}.{sheet_name}.{kind}"
    auto = W.view(grid)
    row = st.number_input("表头所在行", 1, max(1, len(grid)), auto.header_row + 1, key=key + ".row")
    view = W.view(grid, int(row) - 1)
    entry = {"match": sheet_name if sheet_name != "CSV" else upload.name, "kind": kind, "header_row": int(row)}
    if kind != "skip":
        entry |= _columns(T.SHEET_BY_NAME[kind], view, key)
    _preview(upload, sheet_name, entry)
    user = auth.current()
    if not user.may("save_profile"):
        st.info("演示模式：创建管理员账号后才能保存导入方案。" if user.demo else "导入方案由旗级管理员或报送单位保存。")
        return
    name = st.text_input("导入方案名称", value=f"{upload.name.rsplit('.', 1)[0]}·{sheet_name}", key=key + ".name")
    replace = st.checkbox("覆盖同名导入方案（原方案留作历史版本）", key=key + ".replace")
    where = "全旗所有上传" if authority(user) is None else f"{authority(user)}的上传"
    if st.button("保存为导入方案", type="primary", key=key + ".save", icon=":material/save:",
                 help=f"保存后自动用于{where}中符合此方案的工作表"):
        try:
            W.save(name, W.toml_text(name, [entry]), authority(user), user.name, replace=replace)
        except ProfileError as e:
            auth.record("profile_save", name, outcome="failed", details={"原因": str(e)})
            st.error(str(e))
            return
        auth.record("profile_save", name, details={"工作表": sheet_name, "类型": KINDS.get(kind, kind),
                                                   "适用范围": where, "覆盖同名": "是" if replace else "否"})
        st.session_state.pop("upload.signature", None)       # parse the upload again, with it
        st.session_state["upload_mapping_saved"] = name
        st.rerun()


def authority(user) -> str | None:
    """Whose profiles a user saves and has applied by themselves: a town's or department's own
    (None: the administrator's, which apply to every upload)."""
    if user.role in ("town", "department"):
        return user.scope.department or user.scope.town
    return None


def _columns(sheet: T.Sheet, view: W.SheetView, key: str) -> dict:
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
            unit = st.radio("金额单位（表头未注明）", ["元", "万元"], horizontal=True, key=f"{key}.unit")
        if col.kind in (T.ENUM, T.YESNO) and col.values:
            values |= _value_map(col, view, chosen, key)
    return {"columns": pairs, "values": values, "unit": unit}


def _value_map(col: T.Column, view: W.SheetView, header: str, key: str) -> dict:
    odd = W.unknown_values(col, W.distinct(view, header))
    if not odd:
        return {}
    st.caption(f"“{header}”中有{len(odd)}种写法不是{col.zh}的标准值，请指定对应：")
    options = [AS_WRITTEN] + list(col.values)
    mapping = {}
    for v in odd:
        to = st.selectbox(f"“{v}” →", options, key=f"{key}.val.{col.name}.{v}")
        if to != AS_WRITTEN:
            mapping[v] = to
    return {col.zh: mapping} if mapping else {}


@st.cache_data(max_entries=16, show_spinner="正在按当前设置试读…")
def _loaded(name: str, data: bytes, sheet_name: str, profile: P.Profile, kind: str):
    """The file read with one profile entry: cached, so a rerun of the page (any widget) does
    not import the whole file again — only a changed setting does."""
    result = load_files([(name, data)], mappings=[profile], use_saved=False)
    return (result.tables.get(kind),
            [i for i in result.issues if i.file == name and i.sheet == sheet_name])


def _preview(upload, sheet_name: str, entry: dict) -> None:
    """The first rows as they will load with this entry, cells with a doubt highlighted."""
    if entry["kind"] == "skip":
        st.info("此表将被跳过。")
        return
    try:
        profile = P.parse({"name": "预览", "sheets": [entry]}, "预览")
    except ProfileError as e:
        st.warning(str(e))
        return
    frame, sheet_issues = _loaded(upload.name, upload.getvalue(), sheet_name, profile, entry["kind"])
    fatal = [i.reason for i in sheet_issues if i.kind == "fatal"]
    if fatal or frame is None:
        st.warning("按当前设置还不能载入：" + "；".join(fatal or ["请指定必填列"]))
        return
    st.markdown(f"**预览（前{PREVIEW_ROWS}行，共载入{len(frame):,}行）**")
    head = frame[(frame.source_file == upload.name) & (frame.source_sheet == sheet_name)].head(PREVIEW_ROWS)
    doubts = {i.row for i in sheet_issues if i.row is not None}
    flagged = set(head.index[head.source_row.isin(doubts)])
    shown, config = fmt.display(head.drop(columns=["source_file", "source_sheet", "qa"], errors="ignore"))
    styled = shown.style.apply(lambda r: ["background-color: #fff3cd" if r.name in flagged else ""] * len(r),
                               axis=1)
    st.dataframe(styled, column_config=config, hide_index=True, key=f"map_preview.{sheet_name}")
    notes = [f"第{i.row}行：{i.reason}" for i in sheet_issues if i.row is not None][:PREVIEW_ROWS]
    if notes:
        st.caption("存疑或已更正（黄色行）：" + "；".join(notes))


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
        left.markdown(f"{p.name}（{applies}{'；' + p.owner + '保存' if p.owner else ''}）")
        if not (user.may("administer") or (p.owner and p.owner == user.name)):
            continue
        new = mid.text_input("改名为", value=p.name, key=f"map_rename.{i}", label_visibility="collapsed")
        if new != p.name and mid.button("改名", key=f"map_rename_btn.{i}"):
            try:
                W.rename(p, new)
                auth.record("profile_rename", new, details={"原名称": p.name, "适用范围": applies})
            except ProfileError as e:
                auth.record("profile_rename", new, outcome="failed", details={"原因": str(e)})
                st.error(str(e))
                return
            st.rerun()
        if right.button("删除", key=f"map_delete.{i}", icon=":material/delete:"):
            W.delete(p)
            auth.record("profile_delete", p.name, details={"适用范围": applies, "历史版本": "已留存"})
            st.rerun()
