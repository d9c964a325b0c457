"""What every test module shares: where the project and the sample are, the sample's
data date, the sample loaded and evaluated once per session, and the AppTest helpers
(an isolated data folder and fresh Streamlit caches for every test).

Fixtures are found by pytest; the plain helpers and constants are imported by name:
    from conftest import AS_OF, ROOT, app, assert_clean, one, table_with
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import ledgers, rules, store
from dashboard.evaluated import Evaluated
from dashboard.ledgers import Ledgers

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_SAMPLE = ROOT / "data" / "sample.xlsx"     # what `python -m dashboard sample` wrote
AS_OF = dt.date(2024, 12, 31)                         # the sample's data date (Yr = 2024)

# argon2 at a test's cost in this process (issue 20.4): at the production cost (t=3, 64 MiB, p=4:
# 0.22 CPU s on both cores) the ~500 hashes and verifications the tests make in-process cost
# ~110 CPU s. The code path is the same; the production parameters are asserted in test_store
# (PRODUCTION_HASHER, and the hash `users add` writes from the shell, which keeps them, as every
# server the browser tests start does); the sign-in races keep a verification's duration with a
# delay (test_sign_in_hardening).
from dashboard.store import accounts as _accounts     # noqa: E402
from argon2 import PasswordHasher as _PasswordHasher  # noqa: E402

PRODUCTION_HASHER, PRODUCTION_DUMMY = _accounts._HASHER, _accounts._DUMMY
_accounts._HASHER = _PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_accounts._DUMMY = _accounts._HASHER.hash("not-a-password-of-anyone")     # as cheap as a real one


def sample_path() -> Path:
    """The workbook the tests run on ($ZCPH_SAMPLE, else the committed sample): skipped
    when it was not generated locally, a failure under CI."""
    path = Path(os.environ.get("ZCPH_SAMPLE") or COMMITTED_SAMPLE)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing")
        pytest.skip(f"{path} not generated yet")
    return path


# --- the suite on every core (pytest-xdist; see tests/parallel.py) -----------------------

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    import parallel
    return parallel.workers(config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    import parallel
    return parallel.scheduler(config, log) if config.getvalue("dist") == "loadfile" else None


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import parallel
        parallel.in_slow_first_order(items)


# --- the sample, loaded and evaluated without the app ---------------------------------

@pytest.fixture(scope="session")
def sample_file() -> Path:
    return sample_path()


@pytest.fixture(scope="session")
def sample_books(sample_file) -> Ledgers:
    """The sample's ledgers, loaded once.  Shared: never change its tables (load your own
    copy with ledgers.load to do that); evaluate on a cursor of your own."""
    books = ledgers.load([sample_file], label=ledgers.SAMPLE_LABEL)
    assert books.usable, books.fatal
    return books


@pytest.fixture(scope="session")
def sample_ev(sample_books) -> Evaluated:
    """The sample evaluated at AS_OF with the default parameters, queried as the app and
    the reports query it (ev.frame / ev.rows).  Shared: do not move_to() another date,
    and run no SQL of your own on ev.cur (use `direct`): DuckDB refuses a query file
    while an execute() result on the same cursor is not fetched to the end."""
    return Evaluated(sample_books, AS_OF)


@pytest.fixture(scope="session")
def direct(sample_books):
    """The sample evaluated at AS_OF on a cursor of its own, for plain SQL on the result
    tables: the reference for every count the pages and reports show."""
    cur = sample_books.con.cursor()
    rules.evaluate(cur, AS_OF)
    return cur


# --- AppTest -----------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Snapshots and the edited negative list go to a temporary data folder; no test sees
    another's cached sources or evaluations."""
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("ZCPH_DATABASE_URL", raising=False)   # the store: SQLite in that folder
    store.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


PASSWORD = "correct-horse-1"


def account(name: str = "管理员", role: str = "admin", **place):
    """An account in the test's store (the first admin ends demo mode)."""
    from dashboard.store import accounts
    if role != "admin" and not accounts.get("管理员"):
        accounts.add("管理员", "admin", PASSWORD)
    return accounts.get(name) or accounts.add(name, role, PASSWORD, **place)


def app(page: str | None = None, timeout: float = 60, user: str | None = None) -> AppTest:
    """The app on the bundled sample, run once (and switched to pages/<page>.py); `user`
    (an account's name, see `account`) is signed in before the first run."""
    sample_path()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=timeout)
    if user:
        from dashboard.store import accounts, sessions
        at.session_state["auth.token"] = sessions.start(accounts.get(user))
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.main.error], [e.value for e in at.main.error]


def table_with(at: AppTest, column: str, value=None):
    """The first table with that column (holding `value` in it, when given)."""
    for d in at.main.dataframe:
        if column in d.value.columns and (value is None or value in set(d.value[column])):
            return d.value
    raise AssertionError(f"no table with {column} {value or ''}")


def one(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]
