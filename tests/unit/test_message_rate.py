"""The per-client message rate of the channels (connectors.limits.ClientMessageRate), on a clock the test moves."""

import pytest

from connectors.limits import MESSAGE_BURST, MESSAGES_PER_MINUTE, ClientMessageRate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate():
    clock = Clock()
    rate = ClientMessageRate(per_minute=30, burst=3, clock=clock)
    assert [rate.allow("a") for _ in range(4)] == [True, True, True, False]
    assert rate.retry_after("a") == 2
    clock.now += 1.9
    assert not rate.allow("a")
    clock.now += 0.2
    assert rate.allow("a") and not rate.allow("a")


def test_refused_messages_do_not_use_up_the_allowance():
    clock = Clock()
    rate = ClientMessageRate(per_minute=60, burst=1, clock=clock)
    assert rate.allow("a")
    for _ in range(100):
        clock.now += 0.01
        assert not rate.allow("a")
    clock.now += 0.1  # 1.1 s after the first message: one more, not a debt of 100
    assert rate.allow("a")


def test_the_bucket_refills_only_to_the_burst():
    clock = Clock()
    rate = ClientMessageRate(per_minute=60, burst=2, clock=clock)
    rate.allow("a")
    clock.now += 3600
    assert [rate.allow("a") for _ in range(3)] == [True, True, False]


def test_clients_are_counted_apart_and_a_message_without_a_client_is_allowed():
    rate = ClientMessageRate(per_minute=1, burst=1, clock=Clock())
    assert rate.allow("a") and not rate.allow("a")
    assert rate.allow("b")
    assert all(rate.allow(None) for _ in range(10))


def test_memory_stays_bounded_and_the_least_recent_client_is_forgotten():
    rate = ClientMessageRate(per_minute=1, burst=1, max_clients=100, clock=Clock())
    for n in range(1000):
        rate.allow(f"client-{n}")
    assert len(rate._buckets) == 100
    assert not rate.allow("client-999") and rate.allow("client-0")


def test_zero_switches_the_limit_off():
    rate = ClientMessageRate(per_minute=0, burst=10, clock=Clock())
    assert not rate.enabled and all(rate.allow("a") for _ in range(1000))


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv(MESSAGES_PER_MINUTE, "12")
    monkeypatch.setenv(MESSAGE_BURST, "4")
    rate = ClientMessageRate.from_environment()
    assert rate.per_second == pytest.approx(0.2) and rate.burst == 4
    monkeypatch.delenv(MESSAGES_PER_MINUTE)
    monkeypatch.delenv(MESSAGE_BURST)
    assert ClientMessageRate.from_environment().enabled


@pytest.mark.parametrize("value", ["fast", "-1"])
def test_a_bad_setting_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv(MESSAGES_PER_MINUTE, value)
    with pytest.raises(ValueError, match=MESSAGES_PER_MINUTE):
        ClientMessageRate.from_environment()
