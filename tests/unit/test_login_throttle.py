"""The console's login throttle (console.sessions.LoginThrottle): counts per username and per client address,
locks that double, and state in the database that every console process shares."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text

from console.sessions import SessionStore, ThrottleRules

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
ADDRESS = "203.0.113.9"


def throttle(url: str, **rules: object):  # type: ignore[no-untyped-def]
    return SessionStore(url, idle=timedelta(hours=8), throttle=ThrottleRules(**rules)).throttle  # type: ignore[arg-type]


def fail(store, times: int, at: datetime, username: str = "alice", address: str = ADDRESS) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        store.record_failure(username, address, now=at)


def test_five_failures_lock_the_username_for_five_minutes(url: str) -> None:
    store = throttle(url)
    fail(store, 4, NOW)
    assert store.retry_after("alice", ADDRESS, now=NOW) is None

    fail(store, 1, NOW)

    assert store.retry_after("alice", ADDRESS, now=NOW) == timedelta(minutes=5)
    assert store.retry_after(" Alice ", "198.51.100.1", now=NOW) == timedelta(minutes=5)  # any address, any case
    assert store.retry_after("bob", ADDRESS, now=NOW) is None  # 5 failures are far from the address's 20
    assert store.retry_after("alice", ADDRESS, now=NOW + timedelta(minutes=5)) is None


def test_failures_older_than_the_window_do_not_count(url: str) -> None:
    store = throttle(url)
    fail(store, 4, NOW)
    fail(store, 4, NOW + timedelta(minutes=15, seconds=1))
    assert store.retry_after("alice", ADDRESS, now=NOW + timedelta(minutes=16)) is None


def test_each_further_lock_doubles_up_to_an_hour(url: str) -> None:
    store = throttle(url)
    moment = NOW
    locks = []
    for _ in range(7):
        fail(store, 5, moment)
        wait = store.retry_after("alice", ADDRESS, now=moment)
        locks.append(wait)
        moment += wait  # type: ignore[operator]  # the attacker comes back the moment the lock ends
    assert locks == [timedelta(minutes=minutes) for minutes in (5, 10, 20, 40, 60, 60, 60)]


def test_a_quiet_day_or_a_successful_login_forgets_the_locks(url: str) -> None:
    store = throttle(url)
    fail(store, 10, NOW)  # two locks: the next would be 20 minutes
    fail(store, 5, NOW + timedelta(days=1, minutes=11))
    assert store.retry_after("alice", ADDRESS, now=NOW + timedelta(days=1, minutes=11)) == timedelta(minutes=5)

    store.record_success("alice")

    assert store.retry_after("alice", "198.51.100.1", now=NOW + timedelta(days=1, minutes=11)) is None
    fail(store, 5, NOW + timedelta(days=1, minutes=12))
    assert store.retry_after("alice", "198.51.100.1", now=NOW + timedelta(days=1, minutes=12)) == timedelta(minutes=5)


def test_twenty_failures_from_one_address_lock_it_whatever_the_usernames(url: str) -> None:
    store = throttle(url)
    for number in range(20):
        store.record_failure(f"user{number}", ADDRESS, now=NOW)

    assert store.retry_after("alice", ADDRESS, now=NOW) == timedelta(minutes=5)
    assert store.retry_after("alice", "198.51.100.1", now=NOW) is None
    store.record_success("alice")  # a success clears the username, not the address
    assert store.retry_after("alice", ADDRESS, now=NOW) == timedelta(minutes=5)


def test_every_console_process_sees_the_same_counts(url: str) -> None:
    first, second = throttle(url), throttle(url)
    fail(first, 3, NOW)
    fail(second, 2, NOW)
    assert first.retry_after("alice", ADDRESS, now=NOW) == timedelta(minutes=5)


def test_the_table_holds_no_username_in_clear_and_forgets_old_rows(url: str) -> None:
    store = throttle(url)
    fail(store, 1, NOW, username="correct horse battery")  # a password typed into the username field
    engine = create_engine(url)
    with engine.connect() as connection:
        buckets = connection.execute(text("SELECT bucket FROM console_login_failures")).scalars().all()
    assert len(buckets) == 2 and not any("horse" in bucket for bucket in buckets)

    fail(store, 1, NOW + timedelta(days=2), username="bob")

    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM console_login_failures")).scalar_one() == 2  # bob's
    engine.dispose()
