"""The store's tables and the versioned steps that create and migrate them.

`migrate(engine)` applies, in one transaction, every step in STEPS newer than the version
recorded in `schema_version`; PostgreSQL serialises servers starting at once
with an advisory lock.  A new step is appended to STEPS, never edited once released.
The audit table is append-only in the database itself: a trigger refuses UPDATE and
DELETE on both engines, so no code path of the app can change an entry; on SQLite another
refuses an entry that is not after the last (REPLACE INTO), and on PostgreSQL the runtime
role holds only SELECT and INSERT on it (`_narrow_audit`, run by every migration).  Each
entry carries the hash of the one before (chain.py): what the database lets through anyway
— its owner, a copy of the file — `python -m dashboard audit verify` finds.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Integer, MetaData, String, Table,
                        Text, UniqueConstraint, Numeric, inspect, select, text)
from sqlalchemy.engine import Connection, Engine

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")))

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("town", String(64)),
    Column("village", String(64)),
    Column("department", String(64)),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("last_failed_at", DateTime),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64)))

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),          # SHA-256 of the token's id, never the token
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("end_reason", String(16)))                     # signed_out, disabled, password, expired

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_name", String(64)),
    Column("role", String(16)),
    Column("scope", String(128)),
    Column("action", String(32), nullable=False, index=True),
    Column("object", Text),
    Column("outcome", String(16), nullable=False),       # ok, failed, locked, refused
    Column("details", Text),
    # v3: the hash chain (dashboard/store/chain.py) and who was at the other end
    Column("prev_hash", String(64)),                      # the hash of the entry before (the first: GENESIS)
    Column("hash", String(64)),                           # SHA-256 of this entry's other columns
    Column("client", String(64)),                         # the browser's address, or 命令行
    Column("session", String(64)))                        # the Streamlit session (see ui/auth.record)
AUDIT_V3 = ("prev_hash", "hash", "client", "session")

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(64)))

V1_TABLES = (accounts, sessions, audit, settings)

# v2: the monthly submissions of every reporting authority (dashboard/monthly/).  The rows
# themselves are a DuckDB file in the shared data folder (`path`, relative to it); a later
# submission of the same month and authority replaces this one and both are kept.
submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False, index=True),          # '2024-05'
    Column("authority", String(64), nullable=False),                  # a town or a banner department
    Column("submitted_at", DateTime, nullable=False),
    Column("submitted_by", String(64)),
    Column("files", Text, nullable=False),                            # JSON: name, bytes, SHA-256
    Column("accepted", Integer, nullable=False),                      # assets accepted
    Column("rejected", Integer, nullable=False),                      # rows rejected (any sheet)
    Column("progress", Text, nullable=False, default=""),             # 本月工作推进情况
    Column("path", String(255), nullable=False))

# v4: failed sign-ins per (name as typed, client address), whatever the name (accounts.py):
# an unknown name is counted, throttled and locked exactly like a real one.  The row whose
# address is '*' counts the name's failures from every address (the global backoff).
sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("name", String(64), primary_key=True),                     # stripped, NFKC, casefolded
    Column("address", String(64), primary_key=True),                  # client address; '-' unknown; '*' all
    Column("failures", Integer, nullable=False, default=0),           # reserved attempts since the last reset
    Column("last_failed_at", DateTime, index=True),                   # the last reserved attempt
    Column("locked_until", DateTime),
    Column("last_ok_at", DateTime))                                   # the last sign-in from this address

# v5: 督办 (verification.md §3, dashboard/supervision/).  A notice (督办〔YYYY〕N号, N counted per
# year, unique) goes to one reporting authority and holds one item per red asset; an item
# carries its answer, its sign-off and its evidence files (kept under the data folder by SHA-256).
supervision_notices = Table(
    "supervision_notices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(32), nullable=False, unique=True),          # 督办〔2026〕3号
    Column("month", String(7), nullable=False, index=True),             # the saved month it was issued on
    Column("authority", String(64), nullable=False, index=True),
    Column("issued_by", String(64)),
    Column("issued_at", DateTime, nullable=False),
    Column("due", Date, nullable=False),
    Column("document", String(255)),                                    # the 督办通知 (docx), relative to the data folder
    Column("document_sha256", String(64)),
    UniqueConstraint("year", "seq", name="supervision_notices_year_seq"))

supervision_items = Table(
    "supervision_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notice_id", Integer, ForeignKey("supervision_notices.id"), nullable=False, index=True),
    Column("asset_id", String(64), nullable=False, index=True),
    Column("asset_name", String(255)),
    Column("town", String(64)),
    Column("village", String(64)),
    Column("authority", String(64), nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("tier", String(4), nullable=False),                          # T1–T4 (policy-rules §7)
    Column("original_value", Numeric(18, 2)),                           # 元, as the ledger said
    Column("rules", Text, nullable=False),                              # JSON: [{rule_id, name, facts, text}]
    Column("issued_by", String(64)),
    Column("issued_at", DateTime, nullable=False),
    Column("due", Date, nullable=False),
    Column("measures", Text),                                           # 整改措施
    Column("planned", Date),                                            # 计划完成日期
    Column("answer_state", String(8)),                                  # NULL (待反馈), 整改中, 已整改
    Column("answered_by", String(64)),
    Column("answered_at", DateTime),
    Column("fixed_at", DateTime),                                       # when it was first answered 已整改
    Column("signed_by", String(64)),
    Column("signed_at", DateTime),
    Column("site_check", Date),                                         # 实地核查日期 (T2)
    Column("recheck", Date),                                            # 市/自治区复核日期 (T3/T4)
    UniqueConstraint("notice_id", "asset_id", name="supervision_items_notice_asset"))

supervision_evidence = Table(
    "supervision_evidence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("supervision_items.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),                        # as uploaded
    Column("kind", String(8), nullable=False),                          # pdf, jpg, png, xlsx, docx
    Column("bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("path", String(255), nullable=False),                        # relative to the data folder
    Column("added_by", String(64)),
    Column("added_at", DateTime, nullable=False))

SUPERVISION_TABLES = (supervision_notices, supervision_items, supervision_evidence)

SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")
POSTGRES_APPEND_ONLY = (
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit is append-only'; END $$""",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()")


def _v1(con: Connection) -> None:
    """Accounts, sessions, the audit trail (append-only) and settings."""
    metadata.create_all(con, tables=[t for t in V1_TABLES if t is not audit])
    audit_v1 = Table("audit", MetaData(), *(c._copy() for c in audit.columns if c.name not in AUDIT_V3))
    audit_v1.create(con)                                  # as released: step 3 adds the rest
    statements = POSTGRES_APPEND_ONLY if con.dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    for statement in statements:
        con.execute(text(statement))


def _v2(con: Connection) -> None:
    """Monthly submissions."""
    metadata.create_all(con, tables=[submissions])


SQLITE_NO_REPLACE = (
    # REPLACE INTO deletes the row it replaces without firing a delete trigger (unless the
    # connection set recursive_triggers, which store.py does but another client need not):
    # an entry may only be added after the last one.
    "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
    "WHEN NEW.id IS NULL OR NEW.id <= (SELECT coalesce(max(id), 0) FROM audit) "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")


def _v3(con: Connection) -> None:
    """The audit's hash chain, client address and session.  The entries already there are
    chained in id order (the triggers lifted for this one transaction), so the chain starts
    at the first entry; one successor per entry (a unique prev_hash)."""
    from dashboard.store import chain
    postgres = con.dialect.name == "postgresql"
    for name in AUDIT_V3:
        con.execute(text(f"ALTER TABLE audit ADD COLUMN {name} VARCHAR(64)"))
    if postgres:
        con.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_no_change"))
    else:
        con.execute(text("DROP TRIGGER audit_no_update"))
    previous = chain.GENESIS
    for row in con.execute(select(audit).order_by(audit.c.id)).all():
        entry = row._asdict() | {"prev_hash": previous}
        previous = chain.entry_hash(entry)
        con.execute(audit.update().where(audit.c.id == row.id).values(prev_hash=entry["prev_hash"], hash=previous))
    if postgres:
        con.execute(text("ALTER TABLE audit ENABLE TRIGGER audit_no_change"))
    else:
        con.execute(text(SQLITE_APPEND_ONLY[0]))
        con.execute(text(SQLITE_NO_REPLACE))
    con.execute(text("CREATE UNIQUE INDEX audit_prev_hash ON audit (prev_hash)"))


def _narrow_audit(con: Connection) -> None:
    """PostgreSQL: only the owner (the role that migrates) may change the audit; every other
    role keeps at most SELECT and INSERT on it (docs/operations.md)."""
    kinds = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
    con.execute(text(f"REVOKE {kinds} ON audit FROM PUBLIC"))
    roles = con.execute(text(
        "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE table_name = 'audit' "
        "AND table_schema = current_schema() AND grantee <> current_user AND grantee <> 'PUBLIC' "
        "AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')")).scalars().all()
    for role in roles:
        con.execute(text(f'REVOKE {kinds} ON audit FROM "{role.replace(chr(34), chr(34) * 2)}"'))


def _v4(con: Connection) -> None:
    """Failed sign-ins per (name, client address) and per name (accounts.check)."""
    metadata.create_all(con, tables=[sign_in_failures])


def _v5(con: Connection) -> None:
    """督办: notices, their items per asset, the items' evidence files."""
    metadata.create_all(con, tables=list(SUPERVISION_TABLES))


STEPS = [(1, _v1), (2, _v2), (3, _v3), (4, _v4), (5, _v5)]
LATEST = STEPS[-1][0]


def current_version(con: Connection) -> int:
    if not inspect(con).has_table("schema_version"):
        return 0
    return con.execute(text("SELECT coalesce(max(version), 0) FROM schema_version")).scalar_one()


def write_lock(con: Connection, key: int) -> None:
    """Serialise this transaction with every other that takes the same lock, in every
    process: PostgreSQL's transaction-level advisory lock `key`; on SQLite the transaction
    is begun as BEGIN IMMEDIATE (the database's one write lock, so call this first, before
    any other statement: pysqlite has not begun one of its own yet)."""
    if con.dialect.name == "postgresql":
        con.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        con.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> int:
    """Bring the schema to LATEST; returns the version found before."""
    with engine.connect() as con, con.begin():
        write_lock(con, 150623)                                        # one server migrates at a time
        metadata.create_all(con, tables=[schema_version])
        found = current_version(con)
        for version, step in STEPS:
            if version > found:
                step(con)
                con.execute(schema_version.insert().values(version=version))
        if con.dialect.name == "postgresql":
            _narrow_audit(con)
    return found
