"""The store's tables and the versioned steps that create and migrate them.

`migrate(engine)` applies, in one transaction, every step in STEPS newer than the version
recorded in `schema_version`; PostgreSQL serialises servers starting at once
with an advisory lock.  A new step is appended to STEPS, never edited once released.
The audit table is append-only in the database itself: a trigger refuses UPDATE and
DELETE on both engines, so no code path of the app can change an entry.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text,
                        inspect, text)
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
    Column("details", Text))

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
    metadata.create_all(con, tables=list(V1_TABLES))
    statements = POSTGRES_APPEND_ONLY if con.dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    for statement in statements:
        con.execute(text(statement))


def _v2(con: Connection) -> None:
    """Monthly submissions."""
    metadata.create_all(con, tables=[submissions])


STEPS = [(1, _v1), (2, _v2)]
LATEST = STEPS[-1][0]


def current_version(con: Connection) -> int:
    if not inspect(con).has_table("schema_version"):
        return 0
    return con.execute(text("SELECT coalesce(max(version), 0) FROM schema_version")).scalar_one()


def migrate(engine: Engine) -> int:
    """Bring the schema to LATEST; returns the version found before."""
    with engine.begin() as con:
        if con.dialect.name == "postgresql":
            con.execute(text("SELECT pg_advisory_xact_lock(150623)"))   # one server migrates at a time
        metadata.create_all(con, tables=[schema_version])
        found = current_version(con)
        for version, step in STEPS:
            if version > found:
                step(con)
                con.execute(schema_version.insert().values(version=version))
    return found
