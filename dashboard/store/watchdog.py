"""A PostgreSQL that stops answering must not hold every page (issue 18 item 5).

A stopped server refuses at once; a frozen one (a stalled host, a SIGSTOP) accepts and never
answers, and libpq then waits for ever: neither the server's statement_timeout (the server
is not running) nor TCP keepalives (the kernel still acknowledges) end the wait.  So:

* new connections give up after `connect_timeout` (libpq counts the whole handshake);
* the server ends a statement or lock wait after TIMEOUT (`statement_timeout`, `lock_timeout`);
* every connection taken from the pool is pinged and must go back within HOLD seconds,
  else a timer shuts its socket down — the waiting call then fails at once with a
  disconnection, SQLAlchemy drops the connection, and the page says 数据存储不可用.

SQLite needs none of this (a local file; its busy timeout is set where it is opened).
"""
from __future__ import annotations

import logging
import os
import socket
import threading

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from dashboard import settings

log = logging.getLogger(__name__)
TIMEOUT = settings.number("ZCPH_STORE_TIMEOUT_SECONDS")
HOLD = TIMEOUT + 3                 # a checkout's longest life: a statement's limit and some margin
KEY = "zcph.watchdog"


def connect_args() -> dict:
    """libpq settings for a PostgreSQL store: give up on connecting and on statements."""
    ms = int(TIMEOUT * 1000)
    return {"connect_timeout": max(1, round(TIMEOUT)),
            "options": f"-c statement_timeout={ms} -c lock_timeout={ms} "
                       f"-c idle_in_transaction_session_timeout={6 * ms}"}


class _Timer:
    """Shuts a connection's socket down unless cancelled in time."""

    def __init__(self, dbapi_con, seconds: float):
        self.fired = False
        self._con = dbapi_con
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        log.error("the store did not answer within %.0f s: its connection is cut", HOLD)
        try:
            with socket.socket(fileno=os.dup(self._con.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError, AttributeError):   # already closed
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def install(engine: Engine) -> None:
    """Ping every checkout under a timer and cut a connection held past HOLD."""

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_con, record, _proxy):
        timer = _Timer(dbapi_con, HOLD)
        try:
            with dbapi_con.cursor() as cur:       # SQLAlchemy's pessimistic ping, under the timer
                cur.execute("SELECT 1")
            dbapi_con.rollback()
        except Exception as e:                     # noqa: BLE001
            timer.cancel()
            if timer.fired:                        # frozen: say so now, do not wait on a new connection
                raise exc.OperationalError("SELECT 1", None, e) from e
            raise exc.DisconnectionError() from e # restarted: the pool connects anew
        record.info[KEY] = timer

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_con, record):
        timer = record.info.pop(KEY, None) if record is not None else None
        if timer is not None:
            timer.cancel()
