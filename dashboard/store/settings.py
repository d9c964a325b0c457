"""Settings the banner administrator keeps in the store: the list of banner departments
with their aliases, and which month the 公示 page shows.

The departments start from data/policy/departments.csv (an editable file, like the
negative list); once the administrator saves the list in the app, the store's copy is the
one in force for every server.  In demo mode (no store yet) the file is read and nothing
is written.
"""
from __future__ import annotations

import csv
import io
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dashboard import snapshots, store
from dashboard.store import schema

DEPARTMENTS_FILE = Path(__file__).resolve().parents[2] / "data" / "policy" / "departments.csv"
T = schema.settings


@dataclass(frozen=True)
class Department:
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def get(key: str) -> object | None:
    if not store.exists():
        return None
    with store.engine().connect() as con:
        value = con.execute(select(T.c.value).where(T.c.key == key)).scalar_one_or_none()
    return json.loads(value) if value is not None else None


def put(key: str, value: object, by: str | None) -> None:
    text = json.dumps(value, ensure_ascii=False)
    with store.engine().begin() as con:
        changed = con.execute(T.update().where(T.c.key == key)
                              .values(value=text, updated_at=store.now(), updated_by=by)).rowcount
        if not changed:
            con.execute(T.insert().values(key=key, value=text, updated_at=store.now(), updated_by=by))


# --- departments --------------------------------------------------------------------

def parse_departments(text: str) -> list[Department]:
    """The two-column list (部门, 别名 separated by 、) → departments; a Chinese error names the row."""
    out: list[Department] = []
    seen: dict[str, str] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if n == 1 or not row or not row[0].strip():
            continue
        name = row[0].strip()
        aliases = tuple(a.strip() for a in (row[1] if len(row) > 1 else "").replace(",", "、").split("、")
                        if a.strip() and a.strip() != name)
        for spelling in (name, *aliases):
            if spelling in seen:
                raise ValueError(f"第{n}行：“{spelling}”已是“{seen[spelling]}”的名称或别名。")
            seen[spelling] = name
        out.append(Department(name, aliases))
    return out


def format_departments(items: list[Department]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["部门", "别名（以、分隔，台账中主管部门的其他写法）"])
    for d in items:
        writer.writerow([d.name, "、".join(d.aliases)])
    return buf.getvalue()


def departments() -> list[Department]:
    saved = get("departments")
    if saved is not None:
        return [Department(d["name"], tuple(d["aliases"])) for d in saved]
    return parse_departments(DEPARTMENTS_FILE.read_text(encoding="utf-8-sig"))


def save_departments(items: list[Department], by: str | None) -> None:
    put("departments", [{"name": d.name, "aliases": list(d.aliases)} for d in items], by)


def department_of(written: str | None) -> str | None:
    """The banner department a 主管部门 value names (by name or alias), else None."""
    value = "".join((written or "").split())
    return next((d.name for d in departments() if value in d.spellings), None)


def department_aliases(name: str | None) -> tuple[str, ...]:
    return next((d.aliases for d in departments() if d.name == name), ())


def department_lists() -> dict:
    """The departments as two parallel lists, bound as $department_spellings → $department_names
    by the queries that find an asset's reporting authority."""
    pairs = [(s, d.name) for d in departments() for s in d.spellings]
    return {"department_spellings": [s for s, _ in pairs], "department_names": [n for _, n in pairs]}


# --- import profiles ------------------------------------------------------------------

def profile_owners() -> dict[str, str]:
    """Saved import profile (file name) → the account that saved it."""
    value = get("profile_owners")
    return value if isinstance(value, dict) else {}


def set_profile_owner(file_name: str, owner: str | None) -> None:
    if owner and store.exists():
        put("profile_owners", profile_owners() | {file_name: owner}, owner)


# --- the documents' 红头 and 版记 ---------------------------------------------------------

MASTHEAD_FIELDS = ("issuer", "signer", "copy_to", "printer")


def masthead_defaults() -> dict:
    """The stored 发文机关, 落款, 抄送, 印发机关 (the document's own defaults where unset)."""
    value = get("masthead")
    return {k: v for k, v in (value or {}).items() if k in MASTHEAD_FIELDS and v}


def save_masthead(fields: dict, by: str | None) -> None:
    put("masthead", {k: str(fields[k]).strip() for k in MASTHEAD_FIELDS if k in fields}, by)


# --- 公示 ---------------------------------------------------------------------------

PUBLICATION_FILE = "publication.json"     # in the data folder: 公示 outlives a store that is down


def published_month() -> str | None:
    """The saved month ('2024-05') the administrator published on 公示, or None.  When the
    store cannot be read, the copy kept in the data folder at publishing answers, so the
    villagers' page stays up while the accounts database is down (issue 18 item 5)."""
    try:
        value = get("publication") if store.exists() else _published_copy()
    except Exception:                       # noqa: BLE001 — any store failure: the published copy
        value = _published_copy()
    return value.get("month") if isinstance(value, dict) else None


def _published_copy() -> dict | None:
    path = snapshots.data_dir() / PUBLICATION_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def publish(month: str | None, by: str | None) -> None:
    put("publication", {"month": month}, by)
    path = snapshots.data_dir() / PUBLICATION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps({"month": month}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
