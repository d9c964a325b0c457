"""Sign-in under attack (issue 18, item 3), on SQLite and PostgreSQL: the failure count is
atomic (simultaneous wrong passwords read at most THROTTLE_AFTER of them), an unknown name
answers exactly like a real one, a lock holds one (name, address) while a slower backoff
holds the name everywhere, the administrator unlocks (audited), and argon2 runs in a small
pool off the caller's thread.  The store's clock (`accounts.now`) is driven by the tests.
"""
from __future__ import annotations

import collections
import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, account, app
from dashboard import store
from dashboard.store import accounts, audit, schema
from test_store import _cli, engine_name  # noqa: F401 — the fixture: each test on both engines

T0 = dt.datetime(2026, 3, 1, 8, 0, 0)
RIGHT = "password-1"
WRONG = "wrong-password"
# A production verification's time on a quiet machine (argon2 leaves the GIL as a sleep does): the
# races below keep it though the tests hash at a test's cost (conftest.py).
VERIFY_SECONDS = 0.2


class Clock:
    """The store's clock, moved by hand: accounts.now() answers `at`."""

    def __init__(self, monkeypatch):
        self.at = T0
        monkeypatch.setattr(accounts, "now", lambda: self.at)

    def set(self, seconds: float) -> None:
        self.at = T0 + dt.timedelta(seconds=seconds)


class Verifications:
    """Counts the argon2 verifications actually run (and the most at once, on which threads)."""

    def __init__(self, monkeypatch, delay: float = 0.0):
        self.count = self.running = self.most = 0
        self.threads: set[str] = set()
        self.lock = threading.Lock()
        real = accounts._verify

        def verify(hashed: str, password: str) -> bool:
            with self.lock:
                self.count += 1
                self.running += 1
                self.most = max(self.most, self.running)
                self.threads.add(threading.current_thread().name)
            try:
                if delay:
                    time.sleep(delay)
                return real(hashed, password)
            finally:
                with self.lock:
                    self.running -= 1
        monkeypatch.setattr(accounts, "_verify", verify)


def at_once(n: int, attempt) -> list[accounts.Check]:
    """n threads released together by a barrier, each making `attempt(i)`."""
    barrier = threading.Barrier(n)
    answers: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = attempt(i)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None for a in answers)
    return answers


def said(answers) -> list[tuple[str, str]]:
    return [(a.outcome, a.message) for a in answers]


def test_twenty_simultaneous_wrong_passwords_read_at_most_three(engine_name, monkeypatch):
    accounts.add("u", "leader", RIGHT)
    clock, seen = Clock(monkeypatch), Verifications(monkeypatch, delay=VERIFY_SECONDS)
    answers = at_once(20, lambda i: accounts.check("u", WRONG, "10.0.0.1"))
    assert seen.count == accounts.THROTTLE_AFTER == 3
    assert collections.Counter(a.outcome for a in answers) == {"failed": 3, "refused": 17}
    assert {a.message for a in answers if a.outcome == "refused"} == {"登录失败次数较多，请10秒后再试。"}
    # 20 sessions guessing for 64 s, a round every 2 s: 5 passwords read in all, then locked
    read = {}
    for second in range(2, 66, 2):
        clock.set(second)
        before = seen.count
        answers = at_once(20, lambda i: accounts.check("u", WRONG, "10.0.0.1"))
        read[second] = seen.count - before
        if second >= 20:                  # the fifth locks the pair as it is reserved: all 20 hear it
            assert {a.outcome for a in answers} == {"locked"}
    assert {s: n for s, n in read.items() if n} == {10: 1, 20: 1}
    assert seen.count == accounts.MAX_FAILURES == 5
    assert accounts.check("u", RIGHT, "10.0.0.1").outcome == "locked"       # even with the password
    assert accounts.check("u", RIGHT, "10.0.0.2").outcome == "ok"           # another address


def test_a_right_password_resets_the_count(engine_name, monkeypatch):
    accounts.add("u", "leader", RIGHT)
    Clock(monkeypatch)
    for _ in range(2):
        assert accounts.check("u", WRONG, "10.0.0.1").outcome == "failed"
    assert accounts.check("u", RIGHT, "10.0.0.1").outcome == "ok"
    outcomes = [accounts.check("u", WRONG, "10.0.0.1").outcome for _ in range(4)]
    assert outcomes == ["failed", "failed", "failed", "refused"]            # three again, not one


def _sequence(name: str, clock: Clock, address: str) -> list[tuple[str, str]]:
    """Wrong passwords → throttled → locked → lock served, at the same times for any name."""
    answers = []
    for second, password in ((0, WRONG), (1, WRONG), (2, WRONG), (3, WRONG), (3, RIGHT), (12, WRONG),
                             (13, WRONG), (22, WRONG), (23, WRONG), (23 + 60 * 14, RIGHT), (22 + 60 * 15, WRONG)):
        clock.set(second)
        answers.append(accounts.check(name, password if password == WRONG else "password-x", address))
    return said(answers)


def test_an_unknown_name_answers_exactly_like_a_real_one(engine_name, monkeypatch):
    accounts.add("real", "leader", RIGHT)
    accounts.add("off", "leader", RIGHT)
    accounts.set_disabled("off")
    clock, seen = Clock(monkeypatch), Verifications(monkeypatch)
    runs = {}
    for name in ("real", "nobody", "off"):
        before = seen.count
        runs[name] = (_sequence(name, clock, "10.0.0.9"), seen.count - before)
    assert runs["real"] == runs["nobody"] == runs["off"]
    answers, read = runs["real"]
    assert read == 6                                  # the same number of passwords read: the same time
    assert [o for o, _ in answers] == ["failed", "failed", "failed", "refused", "refused", "failed",
                                       "refused", "locked", "locked", "locked", "failed"]
    assert "请10秒后再试" in answers[3][1] and "已锁定" in answers[7][1] and "已锁定" in answers[8][1]
    assert all("已停用" not in m for _, m in answers)
    # the unknown name's password is checked against a hash of the same cost
    with store.engine().connect() as con:
        stored = con.execute(sa.select(schema.accounts.c.password_hash)
                             .where(schema.accounts.c.name == "real")).scalar_one()
    assert accounts._DUMMY.rsplit("$", 2)[0] == stored.rsplit("$", 2)[0]   # $argon2id$v=19$m=…,t=…,p=…
    # 已停用 only after the right password
    clock.set(5000)
    assert said([accounts.check("off", RIGHT, "10.0.0.8")]) == [("refused", "该账号已停用，请联系管理员。")]


@pytest.mark.parametrize("second, outcome", [(9, "refused"), (10, "failed")])
def test_the_throttle_ends_at_exactly_ten_seconds(engine_name, monkeypatch, second, outcome):
    clock = Clock(monkeypatch)
    accounts.add("u", "leader", RIGHT)
    for _ in range(accounts.THROTTLE_AFTER):
        accounts.check("u", WRONG, "10.0.0.1")
    clock.set(second)
    assert accounts.check("u", WRONG, "10.0.0.1").outcome == outcome


@pytest.mark.parametrize("seconds, outcome", [(15 * 60 - 1, "locked"), (15 * 60, "ok")])
def test_the_lock_ends_at_exactly_fifteen_minutes(engine_name, monkeypatch, seconds, outcome):
    clock = Clock(monkeypatch)
    accounts.add("u", "leader", RIGHT)
    for i in range(accounts.MAX_FAILURES):
        clock.set(i * accounts.THROTTLE_SECONDS)
        last = accounts.check("u", WRONG, "10.0.0.1")
    assert last.outcome == "locked" and last.message == "连续5次登录失败，账号已锁定15分钟。"
    clock.set(4 * accounts.THROTTLE_SECONDS + seconds)
    answer = accounts.check("u", RIGHT, "10.0.0.1")
    assert answer.outcome == outcome
    if outcome == "locked":                           # one second left: said as one minute
        assert answer.message == "连续登录失败次数过多，账号已锁定，请1分钟后再试或联系管理员。"


@pytest.mark.parametrize("seconds, fourth", [(15 * 60 - 1, "refused"), (15 * 60, "failed")])
def test_a_count_starts_again_fifteen_minutes_after_its_last_failure(engine_name, monkeypatch, seconds, fourth):
    clock = Clock(monkeypatch)
    for _ in range(2):
        accounts.check("nobody", WRONG, "10.0.0.1")
    clock.set(seconds)
    outcomes = [accounts.check("nobody", WRONG, "10.0.0.1").outcome for _ in range(2)]
    assert outcomes == ["failed", fourth]             # stale: counted from 1 again, else the 4th is held


def test_a_lock_holds_one_address_and_the_backoff_holds_the_name(engine_name, monkeypatch):
    accounts.add("u", "leader", RIGHT)
    clock = Clock(monkeypatch)
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    for _ in range(accounts.MAX_FAILURES):
        last = accounts.check("u", WRONG, "10.0.0.1")
    assert last.outcome == "locked"
    assert accounts.check("u", RIGHT, "10.0.0.1").outcome == "locked"
    assert accounts.check("u", RIGHT, "10.0.0.2").outcome == "ok"       # the user, from their own address
    assert accounts.check("u", RIGHT, "10.0.0.1").outcome == "locked"   # which unlocks nobody else
    assert accounts.check("u", RIGHT, None).outcome == "ok"             # an unknown address is one address

    def spread(name: str) -> list[tuple[str, str]]:
        """GLOBAL_AFTER guesses from as many addresses, then one more from each of two new ones."""
        clock.set(100)
        answers = [accounts.check(name, WRONG, f"192.0.2.{i}") for i in range(accounts.GLOBAL_AFTER)]
        for second in (100, 129, 130, 130):
            clock.set(second)
            answers.append(accounts.check(name, WRONG, f"198.51.100.{second}"))
        return said(answers)
    real, unknown = spread("u"), spread("nobody")
    assert real == unknown
    assert [o for o, _ in real[-4:]] == ["refused", "refused", "failed", "refused"]
    assert real[-4][1] == "该账号登录失败次数较多，请30秒后再试。"
    assert {o for o, _ in real[:-4]} == {"failed"}
    clock.set(131)
    assert accounts.check("nobody", RIGHT, "10.0.0.2").outcome == "refused"  # never signed in from there
    assert accounts.check("u", RIGHT, "10.0.0.2").outcome == "ok"       # signed in from there: not held
    assert accounts.check("u", WRONG, "10.0.0.3").outcome == "failed"   # and that reset the name's count
    assert accounts.check("nobody", WRONG, "10.0.0.3").outcome == "refused"


def test_unlock_from_the_command_line_is_audited(engine_name, monkeypatch):
    accounts.add("u", "leader", RIGHT)
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(accounts.MAX_FAILURES):
            accounts.check("u", WRONG, address)
    assert accounts.check("u", RIGHT, "10.0.0.1").outcome == "locked"
    assert accounts.locked_addresses() == {"u": 2}
    done = _cli("users", "unlock", "u")
    assert done.returncode == 0 and "已解除“u”的登录锁定（此前锁定的地址2个）" in done.stdout, done.stderr
    store.dispose()
    assert accounts.locked_addresses() == {}
    assert accounts.check("u", RIGHT, "10.0.0.1").outcome == "ok"
    entries = audit.rows(action="account_unlock")
    assert len(entries) == 1 and entries[0].outcome == "ok" and entries[0].object == "u"
    assert entries[0].user_name.startswith("命令行") and "2" in entries[0].details
    refused = _cli("users", "unlock", "nobody")
    assert refused.returncode == 2 and "没有用户“nobody”" in refused.stderr
    store.dispose()
    assert [r.outcome for r in audit.rows(action="account_unlock")] == ["refused", "ok"]


def test_a_new_password_unlocks_every_address(engine_name, monkeypatch):
    accounts.add("u", "leader", RIGHT)
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    for _ in range(accounts.MAX_FAILURES):
        accounts.check("u", WRONG, "10.0.0.1")
    accounts.set_password("u", "password-2")
    assert accounts.check("u", "password-2", "10.0.0.1").outcome == "ok"


def test_at_most_two_verifications_run_at_once_off_the_callers_thread(engine_name, monkeypatch):
    seen = Verifications(monkeypatch, delay=0.3)
    answers = at_once(8, lambda i: accounts.check(f"name-{i}", WRONG, f"10.0.1.{i}"))
    assert [a.outcome for a in answers] == ["failed"] * 8 and seen.count == 8
    assert seen.most == accounts.VERIFY_WORKERS == 2
    assert seen.threads and all(t.startswith("argon2") for t in seen.threads)


def test_a_sign_in_that_finds_no_free_slot_is_refused_unread_and_uncounted(engine_name, monkeypatch):
    seen = Verifications(monkeypatch, delay=1.5)
    monkeypatch.setattr(accounts, "BUSY_SECONDS", 0.3)
    answers = at_once(4, lambda i: accounts.check(f"name-{i}", WRONG, "10.0.0.1"))
    assert sorted(said(answers)) == sorted([("failed", "用户名或密码不正确。")] * 2
                                           + [("refused", "登录繁忙，请稍后再试。")] * 2)
    assert seen.count == 2
    with store.engine().connect() as con:
        counted = con.execute(sa.select(schema.sign_in_failures.c.name)
                              .where(schema.sign_in_failures.c.address == "10.0.0.1",
                                     schema.sign_in_failures.c.failures > 0)).scalars().all()
    assert len(counted) == 2                          # the two refused as busy are not counted


def test_rows_of_guessed_names_are_forgotten_once_stale(engine_name, monkeypatch):
    clock = Clock(monkeypatch)
    for i in range(5):
        accounts.check(f"guess-{i}", WRONG, "10.0.0.1")
    clock.set(accounts.GLOBAL_WINDOW_MINUTES * 60 + 1)
    accounts.check("another", WRONG, "10.0.0.1")
    with store.engine().connect() as con:
        names = set(con.execute(sa.select(schema.sign_in_failures.c.name)).scalars())
    assert names == {"another"}


def test_the_administrator_unlocks_from_the_page(monkeypatch):
    account()
    account("镇账号", "town", town="城川镇")
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    for _ in range(accounts.MAX_FAILURES):
        accounts.check("镇账号", WRONG, "10.0.0.1")
    assert accounts.check("镇账号", PASSWORD, "10.0.0.1").outcome == "locked"
    at = app("admin", user="管理员")
    listing = next(d.value for d in at.main.dataframe if "锁定的地址" in d.value.columns)
    assert int(listing.set_index("用户名").loc["镇账号", "锁定的地址"]) == 1
    at.selectbox(key="admin.change.name").set_value("镇账号").run()
    at.button(key="admin.unlock").click().run()
    assert not at.exception
    entries = audit.rows(action="account_unlock")
    assert len(entries) == 1 and entries[0].user_name == "管理员" and entries[0].object == "镇账号"
    assert accounts.check("镇账号", PASSWORD, "10.0.0.1").outcome == "ok"


def test_resets_and_unlocks_amid_reservations_never_deadlock(engine_name, monkeypatch):
    accounts.add("u", "leader", RIGHT)
    Clock(monkeypatch)
    Verifications(monkeypatch, delay=VERIFY_SECONDS)
    errors: list[BaseException] = []

    def attempt(i: int):
        try:
            if i % 7 == 6:
                return accounts.Check(None, "unlocked", str(accounts.unlock("u")))
            return accounts.check("u", RIGHT if i % 2 else WRONG, ("10.0.0.1", "10.0.0.2", None)[i % 3])
        except BaseException as exc:      # noqa: BLE001 — a deadlock would surface here
            errors.append(exc)
            return accounts.Check(None, "error", repr(exc))
    answers = at_once(21, attempt)
    assert errors == []
    assert {a.outcome for a in answers} <= {"ok", "failed", "refused", "locked", "unlocked"}


def test_the_sign_in_form_answers_an_unknown_name_like_a_real_one(monkeypatch):
    from test_accounts_app import fresh, sign_in
    account()
    Clock(monkeypatch)
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    shown = {}
    for name in ("管理员", "nobody"):
        at = fresh()
        shown[name] = [[e.value for e in sign_in(at, name, WRONG).main.error]
                       for _ in range(accounts.MAX_FAILURES + 1)]
    assert shown["管理员"] == shown["nobody"]
    assert shown["nobody"][0] == ["用户名或密码不正确。"]
    assert shown["nobody"][-1] == ["连续登录失败次数过多，账号已锁定，请15分钟后再试或联系管理员。"]
    outcomes = {name: [r.outcome for r in audit.rows(action="sign_in", user=name)] for name in shown}
    assert outcomes["管理员"] == outcomes["nobody"] == ["locked", "locked", "failed", "failed", "failed", "failed"]
