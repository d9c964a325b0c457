"""Upload helpers: parse once per set of files, the import summary, the rejection report."""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from dashboard import ledgers, template
from dashboard.ledgers import Ledgers
from dashboard.ingest import profiles
from dashboard.ui import auth, data, export, mapping

_SIG, _BOOKS, _DIGEST = "upload.signature", "upload.ledgers", "upload.digest"
_RECORDED = "upload.recorded"       # the files (name, SHA-256) of the upload last put in the audit trail


def _profiles_state(authority: str | None) -> tuple:
    """The saved profiles that apply to this user's uploads, as (file, modified, size): changes
    when one is saved, replaced, renamed or deleted — here or in another session."""
    out = []
    for path in profiles.saved_paths(authority):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def parsed(files) -> tuple[str, Ledgers]:
    """(digest, Ledgers) of these uploads, parsed again when the set of files or a saved
    profile that applies to them changes.  The digest names the files' contents (and whose
    profiles read them): an upload already viewed on the pages — even if the same file was
    chosen again since — is replaced there too, so every page shows what the profile reads."""
    files_sig = tuple((f.name, f.size, getattr(f, "file_id", "")) for f in files)
    authority = mapping.authority(auth.current())
    sig = (files_sig, _profiles_state(authority))
    if st.session_state.get(_SIG) != sig:
        label = "、".join(f.name for f in files)
        books = st.session_state[_BOOKS] = ledgers.load(list(files), label=f"上传：{label}", authority=authority)
        st.session_state[_SIG] = sig
        described = [{"名称": f.name, "字节": f.size, "SHA-256": hashlib.sha256(f.getvalue()).hexdigest()}
                     for f in files]
        contents = sorted((d["名称"], d["SHA-256"]) for d in described)
        digest = st.session_state[_DIGEST] = hashlib.sha256(repr((contents, authority)).encode("utf-8")).hexdigest()[:16]
        data.replace_upload(digest, books)
        # a saved profile that read this upload by itself (mapping-profiles.md), with the sheets
        auto = {n: "、".join(s) for n, s in books.result.auto_profiles.items()}
        recorded = st.session_state.get(_RECORDED)
        if recorded is None or recorded[0] != contents:
            auth.record("upload", label, outcome="ok" if books.usable else "failed", details={   # one entry
                "文件": described, "自动采用的导入方案": auto or "无"})
        elif auto and auto != recorded[1]:     # the same upload read again through a profile just saved
            auth.record("profile_apply", "、".join(auto), details={"文件": label, **auto})
        st.session_state[_RECORDED] = (contents, auto)
    return st.session_state[_DIGEST], st.session_state[_BOOKS]


def summary(books: Ledgers) -> pd.DataFrame:
    """One row per sheet: what it was read as, rows, columns, and — for a sheet not loaded or
    loaded partly — what was recognised and what is missing (the sheet-level notes)."""
    notes: dict[tuple, list[str]] = {}
    for i in books.result.issues:
        if i.row is None and i.kind in ("info", "fatal") and i.sheet:
            notes.setdefault((i.file, i.sheet), []).append(i.reason)
    rows = []
    for s in books.result.sheets:
        kind = template.SHEET_BY_NAME[s.kind].zh if s.kind else "未识别"
        variants = "、".join(f"{raw}→{template.SHEET_BY_NAME[s.kind].column(c).zh}"
                             for raw, c in s.columns_variant.items()) if s.kind else ""
        mapped = f"导入方案“{s.profile}”" if s.profile else ""
        rows.append((s.file, s.sheet, kind, s.rows_read, s.rows_loaded, s.rows_rejected,
                     len(s.columns_recognised), variants, "、".join(s.columns_unknown), mapped,
                     "；".join(notes.get((s.file, s.sheet), []))))
    return pd.DataFrame(rows, columns=["文件", "工作表", "识别为", "读取行数", "载入行数", "未载入行数",
                                       "识别的列数", "由别名识别的列", "未识别的列", "采用的导入方案", "说明"])


def rejection_xlsx(books: Ledgers) -> bytes:
    return export.xlsx_bytes({"未载入与存疑": books.result.rejection_frame(), "导入概况": summary(books)})


def default_month(books: Ledgers) -> dt.date:
    return books.data_date or dt.date.today()
