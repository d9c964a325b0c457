"""How the README's test command spreads the suite over the machine's cores (pytest-xdist).

`python -m pytest` without paths runs one worker process per core (pytest.ini: `-n auto
--dist loadfile`); with paths — a developer's few files — it runs in one process as before.
`-n 0` forces one process, `-n 2` two workers for any selection.

A unit is a set of tests that one worker runs together, in order, sharing its module and
session fixtures. It is a test file, except:
- every test on the PostgreSQL test database ($ZCPH_TEST_DATABASE_URL: one database, whose
  schema each such test empties) is in one unit, so two never run at once. Such a test says
  postgresql in its id — the `engine_name` parameter or its name — or its file is listed in
  POSTGRESQL_FILES; `test_store._empty_postgres` fails a test that is neither.
- the browser files on the session's demo server (tests/browser/conftest.py `server`) are one
  unit: one server and one browser serve them all.
Workers take units longest first (SLOW_FIRST, measured in docs/performance.md), so no worker
starts a long file when the others are nearly done; a unit not listed only goes later.
"""
from __future__ import annotations

import os

POSTGRESQL = "postgresql"
POSTGRESQL_FILES = ("tests/browser/test_proxy.py",)      # every test on the one database
SHARED_SERVER = "tests/browser (the shared demo server)"
SHARED_SERVER_FILES = ("tests/browser/test_browser.py", "tests/browser/test_phone.py")
SLOW_FIRST = (         # seconds per unit, 2 workers, load 0.5-3.9, 2026-12-05 13:38 (docs/performance.md)
    SHARED_SERVER, POSTGRESQL, "tests/browser/test_accounts_browser.py",                           # 105 97 77
    "tests/browser/test_monthly_browser.py", "tests/browser/test_text_is_text.py",                 # 75 45
    "tests/test_monthly.py", "tests/browser/test_guard_server.py", "tests/test_app_pages.py",       # 41 39 31
    "tests/test_scopes.py", "tests/test_console_limits.py", "tests/test_pages_more.py",             # 30 24 24
    "tests/test_reports_trend.py", "tests/test_accounts_app.py", "tests/test_rules_compliance.py",  # 24 18 18
    "tests/test_audit_chain.py", "tests/test_reports_units.py", "tests/test_month_complete.py",     # 18 16 16
    "tests/test_rules_warnings.py",                                                                 # 16
)


def unit_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    if POSTGRESQL in nodeid.lower() or path in POSTGRESQL_FILES:
        return POSTGRESQL
    return SHARED_SERVER if path in SHARED_SERVER_FILES else path


def on_postgresql_allowed() -> bool:
    """May the running test touch the PostgreSQL test database? Always in one process; in a
    worker only a test of the postgresql unit (see above)."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    return not os.environ.get("PYTEST_XDIST_WORKER") or unit_of(current.rsplit(" ", 1)[0]) == POSTGRESQL


def workers(config):
    """`-n auto`: the default (one per core) for the whole suite, none for chosen paths."""
    return None if config.args_source == config.ArgsSource.TESTPATHS else 0


def in_slow_first_order(items) -> None:
    """A worker's collection, longest units first (each worker sorts alike, the controller
    hands units out in that order)."""
    rank = {u: i for i, u in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(unit_of(item.nodeid), len(rank)))      # stable: files keep their order


def scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            config.option.loadscopereorder = False      # keep the collection's order (above)

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return Units(config, log)
