"""The audit trail is tamper-evident, complete and attributed (issue 18, item 7).

Each entry carries the hash of the one before; `python -m dashboard audit verify` checks the
chain and names the first entry that breaks it.  REPLACE INTO (SQLite) cannot rewrite an
entry; on PostgreSQL the runtime role may only INSERT and SELECT the audit (its owner
migrates).  Entries record the client address and the session; one upload is one entry;
failed submissions and consolidations are recorded.  SQLite always, PostgreSQL when
ZCPH_TEST_DATABASE_URL is set (its runtime role: ZCPH_TEST_APP_DATABASE_URL, .ci/run).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from conftest import COMMITTED_SAMPLE, PASSWORD, ROOT, account, app, assert_clean
from dashboard import store
from dashboard.store import accounts, audit, chain, schema, sessions
from test_store import PG_URL, engine_name  # noqa: F401 — the fixture runs both engines

APP_URL = os.environ.get("ZCPH_TEST_APP_DATABASE_URL", "") or re.sub(
    r"://[^@/]*@", "://zcph_app:zcph_app@", PG_URL)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ), timeout=300)


def _some(n: int) -> None:
    for i in range(n):
        audit.record("export", user=f"u{i}", role="admin", scope="全旗", obj=f"表{i}", details={"行数": i},
                     client=f"10.0.0.{i}", session=f"页面 {i}")


def _tamper(statement: str, **params) -> None:
    """Change the audit behind the app's back: its owner lifts the triggers (PostgreSQL), or
    whoever holds the SQLite file drops them."""
    with store.engine().begin() as con:
        if con.dialect.name == "postgresql":
            con.execute(sa.text("ALTER TABLE audit DISABLE TRIGGER USER"))
            con.execute(sa.text(statement), params)
            con.execute(sa.text("ALTER TABLE audit ENABLE TRIGGER USER"))
        else:
            con.execute(sa.text("DROP TRIGGER IF EXISTS audit_no_update"))
            con.execute(sa.text("DROP TRIGGER IF EXISTS audit_no_delete"))
            con.execute(sa.text(statement), params)


def test_the_chain_runs_from_the_first_entry_and_verifies(engine_name):
    assert audit.verify() == (0, None)
    _some(5)
    with store.engine().connect() as con:
        entries = con.execute(sa.select(schema.audit).order_by(schema.audit.c.id)).all()
    assert entries[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert all(e.hash == chain.entry_hash(e) and len(e.hash) == 64 for e in entries)
    done = _cli("audit", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "审计记录完整：共5条，哈希链校验通过"
    missing = _cli("audit")                                    # the export still wants its file
    assert missing.returncode == 2 and "--out" in missing.stderr


@pytest.mark.parametrize("how, named", [
    ("edit", 3),             # one entry's details changed: that entry
    ("rehash", 4),           # changed and its own hash recomputed: the next one no longer follows
    ("delete", 3),           # an entry removed: the one after the gap
])
def test_audit_verify_names_the_first_broken_entry(engine_name, how, named):
    _some(5)
    if how == "delete":
        _tamper("DELETE FROM audit WHERE id = 2")
    else:
        forged = {"行数": 999}
        _tamper("UPDATE audit SET details = :d WHERE id = 3", d=json.dumps(forged, ensure_ascii=False))
        if how == "rehash":
            with store.engine().connect() as con:
                row = con.execute(sa.select(schema.audit).where(schema.audit.c.id == 3)).one()
            _tamper("UPDATE audit SET hash = :h WHERE id = 3", h=chain.entry_hash(row))
    count, broken = audit.verify()
    assert broken is not None and broken.id == named
    done = _cli("audit", "verify")
    assert done.returncode == 2, done.stdout
    assert f"编号{named}，{store.beijing(broken.at)}" in done.stderr and "Traceback" not in done.stderr


def test_replace_into_the_audit_is_refused_or_detected(engine_name):
    _some(3)
    if engine_name == "postgresql":                     # PostgreSQL's REPLACE: an upsert is an UPDATE
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine().begin() as con:
            con.execute(sa.text("INSERT INTO audit (id, at, action, outcome) VALUES (2, now(), 'x', 'ok') "
                                "ON CONFLICT (id) DO UPDATE SET details = 'forged'"))
        assert audit.verify() == (3, None)
        return
    replace = ("REPLACE INTO audit (id, at, action, outcome, details, prev_hash, hash) "
               "SELECT id, at, action, outcome, 'forged', prev_hash, hash FROM audit WHERE id = 2")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine().begin() as con:
        con.execute(sa.text(replace))                     # the app's connections (recursive_triggers)
    raw = sqlite3.connect(store.sqlite_path())            # any other client: no pragma
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(replace)
    raw.rollback()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):   # the delete trigger fires too
        raw.execute("PRAGMA recursive_triggers=ON")
        raw.execute("DROP TRIGGER audit_no_replace")
        raw.execute(replace)
    raw.rollback()
    raw.execute("PRAGMA recursive_triggers=OFF")          # with both triggers out of the way …
    raw.execute(replace)
    raw.commit()
    raw.close()
    assert audit.rows()[1].details == "forged"
    count, broken = audit.verify()                         # … the chain still tells
    assert broken is not None and broken.id == 2


def test_twenty_writers_at_once_leave_one_chain(engine_name):
    _some(1)
    barrier, errors = threading.Barrier(20), []

    def write(i: int) -> None:
        try:
            barrier.wait()
            audit.record("sign_in", user=f"t{i}", role=None, scope=None, outcome="failed", client=f"10.1.0.{i}")
        except Exception as exc:          # noqa: BLE001 — collected and asserted below
            errors.append(exc)
    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.engine().connect() as con:
        prev = con.execute(sa.select(schema.audit.c.prev_hash)).scalars().all()
    assert len(prev) == 21 and len(set(prev)) == 21          # no two entries follow the same one
    assert audit.verify() == (21, None)


def test_a_store_of_before_the_chain_is_chained_at_migration(engine_name):
    """Step 3 on entries written under step 2: hashed in id order, the chain from the first."""
    if engine_name == "postgresql":
        eng = sa.create_engine(PG_URL)
    else:
        store.sqlite_path().parent.mkdir(parents=True, exist_ok=True)
        eng = sa.create_engine(f"sqlite:///{store.sqlite_path()}")
    with eng.begin() as con:
        schema.metadata.create_all(con, tables=[schema.schema_version])
        for version, step in schema.STEPS[:2]:                  # the store as released before the chain
            step(con)
            con.execute(schema.schema_version.insert().values(version=version))
        for i in range(3):
            con.execute(sa.text("INSERT INTO audit (at, user_name, action, outcome, details) "
                                "VALUES (:at, 'old', 'export', 'ok', '{}')"),
                        {"at": dt.datetime(2024, 6, 1, 10, 0, i)})
    eng.dispose()
    _some(2)                                                     # the app opens it: step 3 and on
    assert audit.verify() == (5, None)
    with store.engine().connect() as con:
        first = con.execute(sa.select(schema.audit).order_by(schema.audit.c.id)).first()
    assert first.user_name == "old" and first.prev_hash == chain.GENESIS


def _grant_runtime_role(owner: sa.Engine) -> None:
    """docs/operations.md, as the owner before its first migration."""
    with owner.begin() as con:
        for statement in (
                "GRANT USAGE ON SCHEMA public TO zcph_app",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO zcph_app",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO zcph_app"):
            con.execute(sa.text(statement))


def test_the_runtime_role_may_only_insert_and_read_the_audit(engine_name, monkeypatch):
    if engine_name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    owner = sa.create_engine(PG_URL)
    _grant_runtime_role(owner)
    monkeypatch.setenv("ZCPH_DATABASE_URL", APP_URL)
    monkeypatch.setenv("ZCPH_MIGRATE_DATABASE_URL", PG_URL)
    migrated = _cli("store", "migrate")
    assert migrated.returncode == 0 and f"第{schema.LATEST}版" in migrated.stdout, migrated.stderr
    store.dispose()
    accounts.add("管理员", "admin", "password-1")                 # the other tables: as before
    _some(3)                                                     # INSERT through audit.record
    assert audit.verify() == (3, None) and len(audit.rows()) == 3
    with owner.connect() as con:
        assert con.execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit'")).scalar_one() \
            == owner.url.username
    app_engine = store.engine()
    assert app_engine.url.username == "zcph_app"
    for statement in ("UPDATE audit SET details = 'forged'", "DELETE FROM audit", "TRUNCATE audit",
                      "DROP TRIGGER audit_no_change ON audit", "ALTER TABLE audit DISABLE TRIGGER USER",
                      "ALTER TABLE audit ADD COLUMN note TEXT", "DROP TABLE audit",
                      "CREATE TRIGGER x BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()"):
        with pytest.raises(sa.exc.DBAPIError) as refused, app_engine.begin() as con:
            con.execute(sa.text(statement))
        assert re.search(r"permission denied|must be owner|privileges", str(refused.value)), statement
    with app_engine.begin() as con:                 # the upsert: no UPDATE right either
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
            con.execute(sa.text("INSERT INTO audit (id, at, action, outcome) VALUES (1, now(), 'x', 'ok') "
                                "ON CONFLICT (id) DO UPDATE SET details = 'forged'"))
    assert audit.verify() == (3, None)
    owner.dispose()


def test_the_command_line_records_its_client_and_session(engine_name):
    account()
    done = _cli("users", "disable", "nobody")
    assert done.returncode == 2
    entry = audit.rows(action="account_disable")[0]
    assert entry.client == "命令行" and entry.session.startswith("pid ") and entry.outcome == "refused"


@pytest.fixture
def town(engine_name):
    account("城川镇报送", "town", town="城川镇")
    return engine_name


def test_the_app_records_client_address_and_session(town, monkeypatch):
    from dashboard.ui import auth
    monkeypatch.setattr(auth, "client_address", lambda: "203.0.113.7")   # Streamlit's st.context.ip_address
    at = app("upload")                                                     # the sign-in form
    at.text_input(key="auth.name").set_value("城川镇报送")
    at.text_input(key="auth.password").set_value(PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    signed = audit.rows(action="sign_in")[0]
    assert signed.outcome == "ok" and signed.client == "203.0.113.7"
    assert signed.session == "页面 test session id"          # this browser tab's Streamlit session (AppTest's id)
    at.switch_page("../pages/upload.py").run()
    at.file_uploader(key="upload_files").upload("sample.xlsx", COMMITTED_SAMPLE.read_bytes(), XLSX).run()
    assert_clean(at)
    uploaded = audit.rows(action="upload")[0]
    key = sessions.key_of(at.session_state["auth.token"])
    assert uploaded.client == "203.0.113.7" and uploaded.session == f"登录 {key[:16]}"
    table = audit.frame(audit.rows())
    assert list(table.columns)[-2:] == ["客户端地址", "会话"]                  # appended: the export's order kept
    assert list(table.columns)[:8] == ["时间（北京时间）", "用户", "角色", "范围", "操作", "对象", "结果", "详情"]
    assert table["客户端地址"].iloc[0] == "203.0.113.7"


def test_one_upload_is_one_entry(town, tmp_path):
    from fixtures_messy import assets_xlsx
    at = app("upload", user="城川镇报送")
    before = len(audit.rows())
    uploader = at.file_uploader(key="upload_files")
    uploader.upload("sample.xlsx", COMMITTED_SAMPLE.read_bytes(), XLSX)
    uploader.upload("镇台账.xlsx", assets_xlsx(tmp_path / "a.xlsx").read_bytes(), XLSX)
    at.run()
    assert_clean(at)
    at.session_state["upload.signature"] = None       # read again, as after saving an import profile
    at.run()
    at.run()
    assert_clean(at)
    added = audit.rows()[: len(audit.rows()) - before]
    assert [e.action for e in added] == ["upload"]
    files = json.loads(added[0].details)["文件"]
    assert [f["名称"] for f in files] == ["sample.xlsx", "镇台账.xlsx"] and all(len(f["SHA-256"]) == 64 for f in files)


def test_a_failed_submission_is_recorded(town, monkeypatch, tmp_path):
    from dashboard.monthly import submissions as M
    at = app("upload", user="城川镇报送")
    at.file_uploader(key="upload_files").upload("sample.xlsx", COMMITTED_SAMPLE.read_bytes(), XLSX).run()

    def broken(*_args, **_kwargs):
        raise OSError("磁盘已满")
    monkeypatch.setattr(M, "submit", broken)
    at.button(key="submit.go").click().run()
    assert not at.exception
    assert any("报送未完成" in e.value for e in at.main.error)
    entry = audit.rows(action="submit")[0]
    assert entry.outcome == "failed" and "磁盘已满" in entry.details and entry.user_name == "城川镇报送"

    not_a_ledger = tmp_path / "台账.xlsx"
    not_a_ledger.write_bytes(b"%PDF-1.4 not a ledger")
    done = _cli("submit", "--month", "2024-05", "--authority", "城川镇", str(not_a_ledger))
    assert done.returncode == 2
    entry = audit.rows(action="submit")[0]
    assert entry.outcome == "failed" and "原因" in entry.details and entry.client == "命令行"


def test_a_failed_consolidation_is_recorded(engine_name, monkeypatch):
    account()
    done = _cli("consolidate", "--month", "2024-05")               # nothing submitted
    assert done.returncode == 2 and "还没有任何单位报送" in done.stderr
    entry = audit.rows(action="consolidate")[0]
    assert entry.outcome == "failed" and "还没有任何单位报送" in entry.details and entry.client == "命令行"

    from dashboard.monthly import consolidate as C
    from dashboard.monthly import submissions as M
    this_month = M.beijing_date(store.now()).strftime("%Y-%m")
    assert M.submit(this_month, "城川镇", [COMMITTED_SAMPLE], by="管理员").submission   # the button is enabled …
    real = C.consolidate

    def broken(month, *, save=True, by=None):
        if not save:
            return real(month, save=False)                         # the page's look for conflicts
        raise M.MonthlyError("本月正在由另一位管理员汇总，请稍后再试。")
    monkeypatch.setattr(C, "consolidate", broken)                         # … and the consolidation fails
    at = app("submissions", user="管理员")
    at.checkbox(key=f"submissions.confirm_carry.{this_month}").check().run()   # the other towns: not reported
    button = at.button(key="submissions.consolidate")
    button.click().run()
    entry = audit.rows(action="consolidate")[0]
    assert entry.outcome == "failed" and "正在由另一位管理员汇总" in entry.details and entry.user_name == "管理员"
