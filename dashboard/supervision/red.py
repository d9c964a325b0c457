"""What 督办 reads from the evaluated months: the red assets of a saved (or consolidated)
month with their rules and facts, "new red" (red now, not red in the previous saved month),
and an authority's reminders.  A month is evaluated at its own reference date with the
parameters in force (queries/supervision/red_assets.sql, reminders.sql); the answers are
kept per (month, file version, parameters, departments), so a re-saved month is judged anew.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field

from dashboard import explain, ledgers, policy, snapshots
from dashboard.evaluated import Evaluated
from dashboard.filters import Filters


@dataclass(frozen=True)
class RedRule:
    rule_id: str
    name: str
    facts: dict
    text: str              # the sentence explaining it (explain.explain)

    def as_dict(self) -> dict:
        return {"rule_id": self.rule_id, "name": self.name, "facts": self.facts, "text": self.text}


@dataclass(frozen=True)
class RedAsset:
    asset_id: str
    asset_name: str | None
    town: str | None
    village: str | None
    authority: str
    tier: str
    original_value: float | None
    rules: tuple[RedRule, ...] = field(default=())

    @property
    def rule_ids(self) -> list[str]:
        return [r.rule_id for r in self.rules]


@dataclass(frozen=True)
class MonthRed:
    month: str
    as_of: dt.date
    assets: dict[str, RedAsset]          # asset_id → the asset


_CACHE: dict[tuple, object] = {}
KEEP = 8                                 # months' answers kept in a process
_LOCK = threading.Lock()


def _key(saved: snapshots.SavedMonth) -> tuple:
    from dashboard.store import settings
    lists = settings.department_lists()
    return (saved.month, saved.path.resolve(), saved.version, tuple(sorted(policy.resolve_params().items())),
            tuple(lists["department_spellings"]), tuple(lists["department_names"]))


def _evaluated(saved: snapshots.SavedMonth) -> Evaluated:
    books = ledgers.saved_month(saved)
    return Evaluated(books, books.reference, policy.resolve_params())


def month_red(month: str) -> MonthRed | None:
    """The red assets of saved month `month` (None: not saved)."""
    saved = snapshots.find(month)
    return None if saved is None else _judged(saved)[0]


def _judged(saved: snapshots.SavedMonth) -> tuple[MonthRed, list[dict]]:
    """(red assets, every authority's reminders) of one saved month, one evaluation for both."""
    key = _key(saved)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    from dashboard.store import settings
    ev = _evaluated(saved)
    try:
        lists = settings.department_lists()
        rows = ev.rows("supervision/red_assets", Filters(), **lists)
        due = ev.rows("supervision/reminders", Filters(), **lists)
        as_of, params = ev.evaluation.as_of, ev.evaluation.params
    finally:
        ev.close()
        ev.ledgers.con.close()
    assets: dict[str, dict] = {}
    for r in rows:
        a = assets.setdefault(r["asset_id"], {
            "asset_id": r["asset_id"], "asset_name": r["asset_name"], "town": r["town"], "village": r["village"],
            "authority": r["authority"], "tier": r["signoff_tier"],
            "original_value": float(r["original_value"]) if r["original_value"] is not None else None,
            "rules": {}})
        if r["rule_id"] not in a["rules"]:
            facts = json.loads(r["facts"]) if isinstance(r["facts"], str) else dict(r["facts"] or {})
            a["rules"][r["rule_id"]] = RedRule(r["rule_id"], r["rule_name"], facts,
                                               explain.explain(r["rule_id"], facts, as_of, params))
    result = (MonthRed(saved.month, as_of, {k: RedAsset(**(v | {"rules": tuple(v["rules"].values())}))
                                            for k, v in assets.items()}), due)
    with _LOCK:
        while len(_CACHE) >= KEEP:          # the oldest answers go first (a re-saved month is a new key)
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = result
    return result


def new_red(month: str) -> set[str]:
    """Assets red in `month` and not red in the saved month before it (all red when none)."""
    now = month_red(month)
    if now is None:
        return set()
    before = snapshots.previous(month)
    was = month_red(before.month).assets if before else {}
    return set(now.assets) - set(was)


def latest() -> MonthRed | None:
    """The red assets of the latest saved month (None: no month saved)."""
    months = snapshots.list_months()
    return month_red(months[-1].month) if months else None


def reminders(authority: str | None) -> list[dict]:
    """The latest saved month's reminders for `authority` (None: every authority): authority,
    asset_id, asset_name, town, village, kind (contract | income), due_date, reason."""
    months = snapshots.list_months()
    if not months:
        return []
    return [r for r in _judged(months[-1])[1] if authority is None or r["authority"] == authority]


def forget() -> None:
    """Drop the kept answers (tests)."""
    with _LOCK:
        _CACHE.clear()
