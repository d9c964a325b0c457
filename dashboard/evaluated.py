"""The rules evaluated on one cursor: where every page, report and export asks its questions.

`Evaluated(ledgers, as_of, params)` runs the rule pipeline (rules.evaluate) on a cursor
of its own — TEMP result tables belong to a cursor, so two dates never see each other's
results — installs the filter macros, and answers `frame` / `rows` / `one` with any
queries/<name>.sql, the evaluation's $as_of, thresholds and $filters bound.  The app
keys its cached instances by `EvalKey`; the reports and `evaluate` make their own.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pandas as pd

from dashboard import filters, rules, sql
from dashboard.filters import Filters
from dashboard.ledgers import Ledgers
from dashboard.scope import Scope


@dataclass(frozen=True)
class EvalKey:
    """Everything an evaluation depends on; hashable, so it keys the app's caches."""
    source: str                                 # 'sample', 'snap:2024-05', 'upload:<digest>'
    version: float                              # the source's version (a re-saved month is new)
    policy_version: float                       # the negative list in force
    as_of: dt.date
    params: tuple[tuple[str, float | int], ...]  # the thresholds, sorted by name
    editions: str = ""                          # editions.version(): a new edition file is a new key

    @classmethod
    def of(cls, source: str, version: float, policy_version: float, as_of: dt.date,
           params: dict, editions_version: str = "") -> "EvalKey":
        return cls(source, version, policy_version, as_of, tuple(sorted(params.items())), editions_version)

    @property
    def param_dict(self) -> dict[str, float | int]:
        return dict(self.params)

    def elsewhere(self, source: str, version: float, as_of: dt.date) -> "EvalKey":
        """The same thresholds and negative list applied to another source at another date."""
        return EvalKey(source, version, self.policy_version, as_of, self.params, self.editions)


class Evaluated:
    """The rules evaluated on one cursor of `ledgers`; queries run here, one at a time."""

    def __init__(self, ledgers: Ledgers, as_of: dt.date, params: dict | None = None,
                 defaults: dict | None = None, scope: Scope = Scope(), edition=None):
        self.ledgers = ledgers
        self.scope = scope                     # applied to every query that names no scope (a report's)
        self.cur = ledgers.con.cursor()
        self.lock = threading.Lock()           # a DuckDB cursor is not thread-safe
        self.defaults = defaults or {}         # extra $parameters every query of this user gets
        self.forced_edition = edition          # None: the edition in force at each as_of (editions.py)
        self._evaluate(as_of, params)
        filters.install(self.cur)

    def _evaluate(self, as_of: dt.date, params: dict | None, tables=None) -> None:
        self.evaluation = rules.evaluate(self.cur, as_of, params, tables, self.forced_edition)
        ev = self.evaluation
        self.bind = {**rules.bindings(ev.as_of, ev.params, ev.not_evaluated, ev.edition), **self.defaults}

    def move_to(self, as_of: dt.date, tables=None) -> "Evaluated":
        """Evaluate again at another date, same thresholds (the reports' trend by month);
        `tables`: only the rule results named and what they read (rules.evaluate), the
        others are dropped."""
        with self.lock:
            self._evaluate(as_of, self.evaluation.params, tables)
        return self

    def register(self, name: str, table) -> None:
        """Make an Arrow table (an older evaluation's warnings) readable by name."""
        with self.lock:
            self.cur.register(name, table)

    def _ready(self, name: str) -> None:
        """The data-quality questions (queries/quality/) read DQ1–DQ4, judged on first ask."""
        if name.startswith("quality/"):
            from dashboard import dq
            dq.ensure(self, cells=name == "quality/by_authority")

    def _params(self, where: Filters, bind: dict) -> dict:
        if where.scope.whole and not self.scope.whole:
            where = where.within(self.scope)
        return {**self.bind, **where.bind(), **bind}

    def arrow(self, name: str, where: Filters = Filters(), **bind):
        """queries/<name>.sql as an Arrow table."""
        self._ready(name)
        with self.lock:
            return sql.relation(self.cur, name, self._params(where, bind)).to_arrow_table()

    def frame(self, name: str, where: Filters = Filters(), tables: dict | None = None,
              **bind) -> pd.DataFrame:
        """queries/<name>.sql as a DataFrame; `tables` are registered for this query only."""
        self._ready(name)
        with self.lock:
            for table_name, table in (tables or {}).items():
                self.cur.register(table_name, table)
            try:
                rel = sql.relation(self.cur, name, self._params(where, bind))
                frame = rel.to_arrow_table().to_pandas()
            finally:
                for table_name in tables or {}:
                    self.cur.unregister(table_name)
        declared = sql.formats(name)
        if declared:                  # how its columns are shown (ui/fmt.display reads them)
            frame.attrs[sql.FORMATS_ATTR] = declared
        return frame

    def rows(self, name: str, where: Filters = Filters(), **bind) -> list[dict]:
        """queries/<name>.sql as a list of dicts (Python values: Decimal, date)."""
        self._ready(name)
        with self.lock:
            rel = sql.relation(self.cur, name, self._params(where, bind))
            return [dict(zip(rel.columns, r)) for r in rel.fetchall()]

    def one(self, name: str, where: Filters = Filters(), **bind) -> dict:
        return self.rows(name, where, **bind)[0]

    def close(self) -> None:
        self.cur.close()
