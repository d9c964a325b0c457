"""A saved month's earlier versions: nothing a save, a consolidation, a delete or a restore
replaces is lost (issue 19.2).

snapshots.save and snapshots.delete keep the file they replace as
snapshots/versions/YYYY-MM/vN.duckdb (snapshots.keep); here they are listed (`versions`),
brought back (`restore`, which first keeps the current file as one more version) and
named before anything replaces them (`describe`: the line 数据上传 and 汇总 show with their
confirmation, ui/replace.py).  `python -m dashboard months list|restore` at the bottom.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import editions, snapshots


class VersionError(ValueError):
    """An unknown month or version, in one Chinese line."""


@dataclass(frozen=True)
class Version:
    month: str
    number: int | None              # None: the month's current file
    path: Path
    kind: str                       # "upload" | "consolidated" | "" (unreadable)
    assets: int | None
    saved_at: dt.datetime | None
    saved_by: str | None
    data_date: dt.date | None
    restored: tuple | None = None   # (from version, by, at) when a restore made this file
    edition: str | None = None      # the policy edition its summary was judged by (文号)

    @property
    def kind_zh(self) -> str:
        return snapshots.KINDS.get(self.kind, "无法读取")

    @property
    def name(self) -> str:
        return "当前" if self.number is None else f"第{self.number}版"

    def line(self) -> str:
        """"汇总，资产800项，2026年12月3日 14:05由admin保存" (and who restored it, when)."""
        parts = [self.kind_zh]
        if self.assets is not None:
            parts.append(f"资产{self.assets:,}项")
        if self.saved_at:
            parts.append(f"{when(self.saved_at)}{'由' + self.saved_by if self.saved_by else ''}保存")
        if self.restored:
            number, by, at = self.restored
            parts.append(f"{when(at) if at else ''}{'由' + by if by else ''}恢复自第{number}版")
        if self.edition and self.edition != editions.seed().document:   # a later plan's: say which
            parts.append(f"按{self.edition}评估")
        return "，".join(parts)


def when(moment: dt.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _read(month: str, number: int | None, path: Path) -> Version:
    try:
        meta = snapshots.read_meta(path)
    except (duckdb.Error, OSError, ValueError, IndexError):
        return Version(month, number, path, "", None, None, None, None)
    assets = meta.get("assets")
    if assets is None:                       # saved before the count was recorded
        con = duckdb.connect()
        try:
            con.execute(f"ATTACH '{snapshots._sql_path(path)}' AS snap (READ_ONLY)")
            assets = con.execute("SELECT count(*) FROM snap.assets").fetchone()[0]
        except duckdb.Error:
            assets = None
        finally:
            con.close()
    stamp = meta.get("saved_at")
    restored = None
    if meta.get("restored_from"):
        at = meta.get("restored_at")
        restored = (meta["restored_from"], meta.get("restored_by"), dt.datetime.fromisoformat(at) if at else None)
    return Version(month, number, path, meta.get("kind", ""), assets,
                   dt.datetime.fromisoformat(stamp) if stamp else None, meta.get("saved_by"),
                   dt.date.fromisoformat(meta["data_date"]) if meta.get("data_date") else None, restored,
                   (meta.get("edition") or (meta.get("summary") or {}).get("edition") or {}).get("document"))


def current(month: str) -> Version | None:
    """The month's file as every page reads it (None: not saved, or deleted)."""
    saved = snapshots.find(month)
    return _read(month, None, saved.path) if saved else None


def versions(month: str) -> list[Version]:
    """The month's kept versions, oldest (第1版) first; the current file is not among them."""
    return [_read(month, n, snapshots.versions_dir(month) / f"v{n}.duckdb")
            for n in snapshots.version_numbers(month)]


def months() -> list[str]:
    """Every month with a current file or a kept version (a deleted month too), oldest first."""
    found = {s.month for s in snapshots.list_months()}
    folder = snapshots.snapshot_dir() / "versions"
    if folder.is_dir():
        found |= {p.name for p in folder.iterdir() if snapshots.valid_month(p.name)
                  and snapshots.version_numbers(p.name)}
    return sorted(found)


def describe(month: str) -> str | None:
    """What saving `month` would replace, in one line ("将替换2026年12月快照（汇总，资产800项，
    2026年12月3日 14:05由admin保存）"); None when the month has no current file."""
    now = current(month)
    if now is None:
        return None
    return f"将替换{snapshots.month_label(month)}快照（{now.line()}）"


@dataclass(frozen=True)
class Restored:
    month: str
    number: int                     # the version brought back
    kept: int | None                # the replaced current file's new version number

    def message(self) -> str:
        label = snapshots.month_label(self.month)
        kept = f"，恢复前的快照已保留为第{self.kept}版" if self.kept else ""
        return f"已将{label}快照恢复为第{self.number}版{kept}。"


def restore(month: str, number: int, by: str | None) -> Restored:
    """Make version `number` the month's current file again.  The current file is first kept
    as one more version, so a restore loses nothing either; the restored file's meta says
    who restored it and when (its own kind, assets and saver stay as they were)."""
    if not snapshots.valid_month(month):
        raise VersionError(f"月份应为YYYY-MM格式（2020年起）：{month}")
    label = snapshots.month_label(month)
    source = snapshots.versions_dir(month) / f"v{number}.duckdb"
    if not isinstance(number, int) or number < 1 or not source.is_file():
        have = snapshots.version_numbers(month)
        known = f"已有第{'、'.join(map(str, have))}版" if have else "没有保留的历史版本"
        raise VersionError(f"{label}没有第{number}版快照（{known}）。")
    folder = snapshots.snapshot_dir()
    with snapshots.month_lock(month):
        tmp = folder / f".{month}.{uuid.uuid4().hex}.tmp"
        try:
            shutil.copyfile(source, tmp)
            con = duckdb.connect(str(tmp))
            try:
                meta = json.loads(con.execute("SELECT meta FROM snapshot_meta").fetchall()[0][0])
                meta |= {"restored_from": number, "restored_by": by,
                         "restored_at": dt.datetime.now().isoformat(timespec="seconds")}
                con.execute("UPDATE snapshot_meta SET meta = ?", [json.dumps(meta, ensure_ascii=False)])
            finally:
                con.close()
            kept = snapshots.keep(month)
            os.replace(tmp, folder / f"{month}.duckdb")
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
    return Restored(month, number, kept)


# --- python -m dashboard months list | restore M --version N --------------------------------

def add_parsers(sub) -> None:
    months_parser = sub.add_parser("months", help="已保存的月份及其历史版本：list / restore")
    verbs = months_parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list", help="列出每个月份的当前快照和历史版本")
    restore_parser = verbs.add_parser("restore", help="把月份恢复为某个历史版本（当前快照先保留为新版本）")
    restore_parser.add_argument("month", metavar="2026-12")
    restore_parser.add_argument("--version", type=int, required=True, metavar="N")


def _row(v: Version | None, month: str) -> str:
    if v is None:
        return f"{month}\t当前\t（已删除）"
    return "\t".join([month, v.name, v.kind_zh, f"资产{v.assets:,}项" if v.assets is not None else "资产—",
                      when(v.saved_at) if v.saved_at else "—", v.saved_by or "—",
                      f"数据截至{v.data_date.year}年{v.data_date.month}月{v.data_date.day}日" if v.data_date else "数据截至—"]
                     + ([f"恢复自第{v.restored[0]}版"] if v.restored else []))


def dispatch(args) -> int | None:
    if args.command != "months":
        return None
    if args.verb == "list":
        found = months()
        lines = [_row(v, m) for m in found for v in [current(m), *reversed(versions(m))]]
        print("\n".join(lines) if lines else "还没有保存的月份。")
        _record("snapshot_versions", "全部月份", details={"月份数": len(found),
                                                       "历史版本数": sum(len(snapshots.version_numbers(m)) for m in found)})
        return 0
    try:
        done = restore(args.month, args.version, by=_cli_user())
    except VersionError as exc:
        _record("snapshot_restore", args.month, "refused", {"版本": args.version, "原因": str(exc)})
        print(str(exc), file=sys.stderr)
        return 2
    except TimeoutError:
        message = f"{snapshots.month_label(args.month)}正由其他用户保存或汇总，请稍后再试。"
        _record("snapshot_restore", args.month, "failed", {"版本": args.version, "原因": message})
        print(message, file=sys.stderr)
        return 2
    _record("snapshot_restore", snapshots.month_label(args.month), "ok", {
        "恢复的版本": f"第{done.number}版", "恢复前的快照保留为": f"第{done.kept}版" if done.kept else "—"})
    print(done.message())
    return 0


def _cli_user() -> str:
    from dashboard.store.cli import _actor
    return _actor()["user"]


def _record(action: str, obj: str, outcome: str = "ok", details: dict | None = None) -> None:
    """In the audit trail as done by 命令行（OS user）."""
    from dashboard.store import audit
    from dashboard.store.cli import _actor
    audit.record(action, obj=obj, outcome=outcome, details=details, **_actor())
