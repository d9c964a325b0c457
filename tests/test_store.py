"""The operational store on both engines: schema migration, accounts (argon2, throttle,
lock), sessions (signed, revocable, idle expiry), the append-only audit trail, settings.

SQLite runs always; PostgreSQL runs when ZCPH_TEST_DATABASE_URL is set (.ci/run starts
Debian's server and sets it) and is required under CI.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from conftest import PRODUCTION_DUMMY, PRODUCTION_HASHER, ROOT
from dashboard import store
from dashboard.store import accounts, audit, schema, sessions, settings

PG_URL = os.environ.get("ZCPH_TEST_DATABASE_URL", "")
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def engine_name(request, monkeypatch):
    if request.param == "postgresql":
        if not PG_URL:
            if os.environ.get("CI"):
                pytest.fail("CI must test the store on PostgreSQL: set ZCPH_TEST_DATABASE_URL (.ci/run does)")
            pytest.skip("ZCPH_TEST_DATABASE_URL not set")
        _empty_postgres(PG_URL)
        monkeypatch.setenv("ZCPH_DATABASE_URL", PG_URL)
    store.dispose()
    yield request.param
    store.dispose()


def _empty_postgres(url: str) -> None:
    import parallel
    assert parallel.on_postgresql_allowed(), "a test on PostgreSQL says postgresql in its id (tests/parallel.py)"
    eng = sa.create_engine(url)
    with eng.begin() as con:
        con.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        con.execute(sa.text("CREATE SCHEMA public"))
    eng.dispose()


def test_demo_mode_writes_nothing_until_the_first_account(engine_name):
    if engine_name == "sqlite":
        assert not store.exists() and not store.sqlite_path().exists()
        assert settings.published_month() is None and audit.rows() == []
        assert not store.sqlite_path().exists(), "asking must not create the store"
    assert not accounts.admin_exists()
    accounts.add("admin", "admin", "password-1")
    assert accounts.admin_exists() and store.exists()


def test_schema_is_versioned_and_migrating_again_changes_nothing(engine_name):
    eng = store.engine()
    with eng.connect() as con:
        assert schema.current_version(con) == schema.LATEST
    assert schema.migrate(eng) == schema.LATEST          # found at the latest: no step applied
    with eng.connect() as con:
        assert con.execute(sa.text("SELECT count(*) FROM schema_version")).scalar_one() == len(schema.STEPS)


def test_passwords_are_hashed_with_argon2_and_never_kept_in_clear(engine_name):
    accounts.add("城川", "town", "城川镇-password", town="城川")
    with store.engine().connect() as con:
        row = con.execute(sa.select(schema.accounts).where(schema.accounts.c.name == "城川")).one()
    assert row.password_hash.startswith("$argon2id$") and "城川镇-password" not in row.password_hash
    # the production cost (the tests hash cheaply in-process, conftest.py): RFC 9106's low-memory
    # profile, and the unknown name's dummy hash at the same cost
    assert (PRODUCTION_HASHER.time_cost, PRODUCTION_HASHER.memory_cost, PRODUCTION_HASHER.parallelism) == (3, 65536, 4)
    assert PRODUCTION_DUMMY.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not PRODUCTION_HASHER.check_needs_rehash(PRODUCTION_DUMMY)      # exactly the hasher's parameters
    assert not accounts._verify(PRODUCTION_DUMMY, "not-a-password-of-anyone")
    assert row.town == "城川镇"                              # as the ledgers are read
    assert accounts.check("城川", "城川镇-password").outcome == "ok"
    with pytest.raises(accounts.AccountError, match="至少8个字符"):
        accounts.add("短", "leader", "1234567")
    accounts.add("八位", "leader", "12345678")               # exactly 8 is enough


@pytest.mark.parametrize("role, place, message", [
    ("town", {}, "所在镇"), ("town", {"town": "北京"}, "不在全旗镇名录"),
    ("village", {"town": "城川镇"}, "嘎查村"), ("village", {"town": "城川镇", "village": "拜图嘎查"}, "上海庙镇有此名称"),
    ("department", {"department": "公安局"}, "名单"), ("king", {}, "未知角色"),
])
def test_an_account_names_a_real_place(engine_name, role, place, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add("someone", role, "password-1", **place)


def test_a_department_account_reads_its_aliases(engine_name):
    a = accounts.add("水利", "department", "password-1", department="旗水利局")
    assert a.department == "水利局"
    scope = a.scope()
    assert scope.label == "水利局" and "鄂托克前旗水利局" in scope.department_names and "水利局" in scope.department_names


def test_failed_sign_ins_are_throttled_then_locked(engine_name, monkeypatch):
    accounts.add("u", "leader", "password-1")
    for _ in range(accounts.THROTTLE_AFTER):
        assert accounts.check("u", "wrong-password").outcome == "failed"
    answer = accounts.check("u", "password-1")               # right password, but too soon
    assert answer.outcome == "refused" and "秒后再试" in answer.message
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    outcomes = [accounts.check("u", "wrong-password").outcome
                for _ in range(accounts.MAX_FAILURES - accounts.THROTTLE_AFTER)]
    assert outcomes[-1] == "locked" and set(outcomes[:-1]) <= {"failed"}
    assert accounts.check("u", "password-1").outcome == "locked"     # locked even with the password
    accounts.set_password("u", "password-2")                           # the administrator unlocks
    assert accounts.check("u", "password-2").outcome == "ok"
    assert accounts.check("nobody", "password-1").outcome == "failed"


def test_sessions_are_signed_revocable_and_expire_when_idle(engine_name, monkeypatch):
    a = accounts.add("u", "leader", "password-1")
    cookie = sessions.start(a)
    assert sessions.resume(cookie).name == "u"
    token_id, _, signature = cookie.partition(".")
    assert sessions.resume(f"{token_id}.{signature[:-1]}x") is None          # forged signature
    assert sessions.resume(token_id) is None and sessions.resume("") is None and sessions.resume(None) is None
    with store.engine().connect() as con:
        stored = con.execute(sa.select(schema.sessions.c.id)).scalars().all()
    assert token_id not in stored and cookie not in stored                    # only a hash is kept
    sessions.end(cookie)
    assert sessions.resume(cookie) is None                                    # signed out
    second, third = sessions.start(a), sessions.start(a)
    accounts.set_disabled("u")
    assert sessions.resume(second) is None and sessions.resume(third) is None  # disabled: all end
    accounts.set_disabled("u", False)
    fresh = sessions.start(a)
    accounts.set_password("u", "password-2")
    assert sessions.resume(fresh) is None                                     # new password: ends
    idle = sessions.start(a)
    with store.engine().begin() as con:
        con.execute(schema.sessions.update().values(
            last_seen=store.now() - dt.timedelta(minutes=sessions.IDLE_MINUTES, seconds=1)))
    assert sessions.resume(idle) is None                                      # idle too long
    recent = sessions.start(a)
    assert sessions.resume(recent) is not None


def test_the_audit_trail_is_append_only_in_the_database(engine_name):
    audit.record("upload", user="u", role="town", scope="城川镇", obj="a.xlsx", details={"文件": ["a.xlsx"]})
    for statement in ("UPDATE audit SET outcome = 'failed'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DBAPIError):
            with store.engine().begin() as con:
                con.execute(sa.text(statement))
    if engine_name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError):
            with store.engine().begin() as con:
                con.execute(sa.text("TRUNCATE audit"))
    rows = audit.rows()
    assert len(rows) == 1 and rows[0].outcome == "ok"
    with pytest.raises(ValueError):
        audit.record("rewrite_history", user="u", role=None, scope=None)


def test_audit_rows_filter_and_export_safely(engine_name):
    audit.record("sign_in", user="a", role="admin", scope="全旗", outcome="ok")
    audit.record("sign_in", user="=cmd|' /C calc'!A0", role=None, scope=None, outcome="failed")
    audit.record("export", user="a", role="admin", scope="全旗", obj="资产台账", details={"格式": "xlsx"})
    assert len(audit.rows(user="a")) == 2 and len(audit.rows(action="sign_in")) == 2
    assert audit.rows(since=dt.date.today() + dt.timedelta(days=2)) == []
    table = audit.frame(audit.rows())
    assert list(table.columns) == list(audit.COLUMNS.values())
    csv = audit.csv_bytes(table)
    assert csv.startswith(b"\xef\xbb\xbf") and b"\r\n" in csv
    assert "'=cmd" in csv.decode("utf-8-sig") and "\n=cmd" not in csv.decode("utf-8-sig").replace("\r", "")


def test_departments_start_from_the_file_and_the_saved_list_wins(engine_name):
    assert settings.department_of("鄂托克前旗农牧局") == "农牧局"
    assert settings.department_of("城川镇人民政府") is None
    settings.save_departments([settings.Department("农牧局", ("牧业局",))], "admin")
    assert settings.department_of("牧业局") == "农牧局" and settings.department_of("水利局") is None
    with pytest.raises(ValueError, match="第3行"):
        settings.parse_departments("部门,别名\n甲,乙\n丙,乙\n")
    settings.publish("2024-05", "admin")
    assert settings.published_month() == "2024-05"


def _cli(*args, stdin: str = "", env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "dashboard", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_users_and_audit_commands(engine_name, tmp_path):
    add = _cli("users", "add", "旗管理员", "--role", "admin", "--password-stdin", stdin="secret-pass\n")
    assert add.returncode == 0 and "已新建账号“旗管理员”" in add.stdout, add.stderr
    refused = _cli("users", "add", "村", "--role", "village", "--town", "城川镇", "--password-stdin",
                   stdin="secret-pass\n")
    assert refused.returncode == 2 and "嘎查村" in refused.stderr and "Traceback" not in refused.stderr
    assert _cli("users", "add", "村", "--role", "village", "--town", "城川", "--village", "大发",
                "--password-stdin", stdin="secret-pass\n").returncode == 0
    listing = _cli("users", "list")
    assert "旗管理员\t旗级管理员\t全旗\t正常" in listing.stdout and "村\t嘎查村\t城川镇大发村\t正常" in listing.stdout
    assert _cli("users", "disable", "村").returncode == 0
    assert _cli("users", "passwd", "旗管理员", "--password-stdin", stdin="another-pass\n").returncode == 0
    store.dispose()
    assert accounts.check("旗管理员", "another-pass").outcome == "ok" and accounts.get("村").disabled
    with store.engine().connect() as con:                # the shell hashes at the production cost
        hashes = con.execute(sa.select(schema.accounts.c.password_hash)).scalars().all()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes)
    out = tmp_path / "audit.csv"
    done = _cli("audit", "--action", "account_add", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert text.count("新建账号") == 3 and "拒绝" in text and "secret-pass" not in text
    assert len(audit.rows(action="audit_export")) == 1


def test_users_add_without_a_terminal_says_so_in_chinese(tmp_path):
    """Issue 19.8: no --password-stdin and no terminal (a script, a pipe): one Chinese line and
    exit 2, not 内部错误：EOFError; nothing is created."""
    done = _cli("users", "add", "旗管理员", "--role", "admin", stdin="")
    assert done.returncode == 2, (done.returncode, done.stderr)
    line = done.stderr.strip()
    assert "没有可输入密码的终端" in line and "--password-stdin" in line, line
    assert "内部错误" not in line and "EOFError" not in line and "Traceback" not in line
    store.dispose()
    assert accounts.get("旗管理员") is None


def test_the_readmes_command_lines_run_with_the_venvs_python():
    """Issue 19.8: after the README's first command (which makes .venv), its command lines work as
    written: each calls .venv/bin/python and parses (an "a | b" shorthand: its first form).
    Issue 20.6: the command line is one table, a `command` per row; every subcommand is in it."""
    import re
    import shlex
    from dashboard.cli import build_parser
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [l for block in re.findall(r"```bash\n(.*?)```", text, re.S) for l in block.splitlines()
             if "-m dashboard" in l]
    lines += re.findall(r"^\| `([^`]*-m dashboard[^`]*)` \|", text, re.M)
    assert len(lines) >= 10
    subcommands = next(a for a in build_parser()._actions if a.choices and "evaluate" in a.choices).choices
    assert set(subcommands) <= {shlex.split(l)[3] for l in lines}, set(subcommands)
    for line in lines:
        words = shlex.split(line.split("#")[0].split(" | ")[0])
        assert words[:3] == [".venv/bin/python", "-m", "dashboard"], line
        build_parser().parse_args(words[3:])          # argparse exits on a line it cannot read


def test_the_readme_is_a_front_door_of_at_most_10_kb():
    """Issue 20.6: ≤ 10 kB (read as 10,000 bytes, the stricter reading); the details live in docs/,
    every document it links to exists."""
    import re
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 10_000, len(text.encode("utf-8"))
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert {"docs/performance.md", "docs/interpretations.md", "docs/operations.md"} <= set(links)
    assert all((ROOT / link).exists() for link in links), links
