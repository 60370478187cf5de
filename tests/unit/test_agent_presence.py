"""Who is online at the console, and whether an agent is on duty: online within the window, during the shop's
opening hours, never a trainer, never a disabled account."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from customer_care.agents import ONLINE_WITHIN, AgentDirectory, AgentError, agent_on_duty
from customer_care.profile import StoreProfile, load_profile
from tests.unit.agent_helpers import PASSWORD

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)  # a Tuesday, 13:00 in Berlin

# store_profile.yml: Europe/Berlin, Monday-Friday 08:00-20:00, Saturday 09:00-16:00.
OPEN_MOMENTS = [
    datetime(2026, 3, 10, 13, 0, tzinfo=BERLIN),  # Tuesday afternoon
    datetime(2026, 3, 9, 8, 0, tzinfo=BERLIN),  # Monday, the minute support opens
    datetime(2026, 3, 13, 19, 59, tzinfo=BERLIN),  # Friday, the last minute
    datetime(2026, 3, 14, 9, 0, tzinfo=BERLIN),  # Saturday opening
    datetime(2026, 3, 14, 15, 59, tzinfo=BERLIN),  # Saturday, the last minute
    datetime(2026, 7, 7, 6, 30, tzinfo=timezone.utc),  # Tuesday 08:30 in Berlin (summer time, UTC+2)
]
CLOSED_MOMENTS = [
    datetime(2026, 3, 10, 7, 59, tzinfo=BERLIN),  # Tuesday, before opening
    datetime(2026, 3, 10, 20, 0, tzinfo=BERLIN),  # Tuesday, the minute support closes
    datetime(2026, 3, 10, 23, 30, tzinfo=BERLIN),  # Tuesday night
    datetime(2026, 3, 14, 8, 59, tzinfo=BERLIN),  # Saturday, opens later than on weekdays
    datetime(2026, 3, 14, 16, 0, tzinfo=BERLIN),  # Saturday, closes earlier
    datetime(2026, 3, 15, 12, 0, tzinfo=BERLIN),  # Sunday noon
    datetime(2026, 1, 13, 6, 30, tzinfo=timezone.utc),  # Tuesday 07:30 in Berlin (winter time, UTC+1)
    datetime(2026, 3, 10, 19, 30, tzinfo=timezone.utc),  # Tuesday 20:30 in Berlin, though 19:30 in UTC
]


@pytest.fixture(scope="module")
def shop() -> StoreProfile:
    return load_profile()


# --- who is online -------------------------------------------------------------------------------------------


def test_touch_records_last_seen_as_aware_utc(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    seen = datetime(2026, 3, 10, 13, 0, tzinfo=BERLIN)

    directory.touch("sam", seen)

    last_seen = directory.get("sam").last_seen_at  # type: ignore[union-attr]
    assert last_seen == seen
    assert last_seen.tzinfo == timezone.utc and last_seen.hour == 12


def test_nobody_is_online_before_touching(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    assert directory.online(NOW) == []


@pytest.mark.parametrize(
    "ago, online",
    [
        (timedelta(0), True),
        (timedelta(seconds=45), True),
        (ONLINE_WITHIN, True),  # the window includes its edge
        (ONLINE_WITHIN + timedelta(seconds=1), False),
        (timedelta(minutes=10), False),
    ],
)
def test_an_agent_is_online_within_the_window(directory: AgentDirectory, ago: timedelta, online: bool) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - ago)

    assert [agent.username for agent in directory.online(NOW)] == (["sam"] if online else [])


def test_online_window_is_ninety_seconds(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - timedelta(seconds=89))
    assert directory.online(NOW) != []
    assert directory.online(NOW + timedelta(seconds=2)) == []


def test_a_later_touch_keeps_an_agent_online(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - timedelta(minutes=5))
    assert directory.online(NOW) == []

    directory.touch("sam", NOW - timedelta(seconds=3))

    assert [agent.username for agent in directory.online(NOW)] == ["sam"]


def test_online_lists_only_the_agents_seen_recently(directory: AgentDirectory) -> None:
    for name in ("amy", "bob", "cat"):
        directory.add(name, name.title(), PASSWORD)
    directory.touch("amy", NOW - timedelta(seconds=10))
    directory.touch("cat", NOW - timedelta(hours=1))

    assert [agent.username for agent in directory.online(NOW)] == ["amy"]


def test_online_takes_a_custom_window(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - timedelta(minutes=5))

    assert directory.online(NOW, within=timedelta(minutes=10)) != []
    assert directory.online(NOW, within=timedelta(minutes=1)) == []


def test_trainers_never_count_as_online_agents(directory: AgentDirectory) -> None:
    directory.add("tess", "Tess", PASSWORD, role="trainer")
    directory.touch("tess", NOW)

    assert directory.online(NOW) == []
    assert directory.get("tess").last_seen_at == NOW  # type: ignore[union-attr]


def test_touching_an_unknown_user_changes_nothing(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("nobody", NOW)
    assert directory.online(NOW) == []


# --- on duty -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("now", OPEN_MOMENTS, ids=lambda moment: moment.isoformat())
def test_on_duty_within_opening_hours_with_an_agent_online(
    directory: AgentDirectory, shop: StoreProfile, now: datetime
) -> None:
    directory.add("sam", "Sam", PASSWORD)
    assert agent_on_duty(shop, directory, now) is False  # open, but nobody at the console

    directory.touch("sam", now - timedelta(seconds=30))

    assert agent_on_duty(shop, directory, now) is True


@pytest.mark.parametrize("now", CLOSED_MOMENTS, ids=lambda moment: moment.isoformat())
def test_not_on_duty_outside_opening_hours_even_with_an_agent_online(
    directory: AgentDirectory, shop: StoreProfile, now: datetime
) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", now)

    assert directory.online(now) != []
    assert agent_on_duty(shop, directory, now) is False


def test_not_on_duty_when_only_a_trainer_is_online(directory: AgentDirectory, shop: StoreProfile) -> None:
    now = OPEN_MOMENTS[0]
    directory.add("tess", "Tess", PASSWORD, role="trainer")
    directory.touch("tess", now)

    assert agent_on_duty(shop, directory, now) is False


def test_not_on_duty_when_the_agent_left_the_console(directory: AgentDirectory, shop: StoreProfile) -> None:
    now = OPEN_MOMENTS[0]
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", now - timedelta(minutes=2))

    assert agent_on_duty(shop, directory, now) is False


def test_the_profile_has_the_hours_these_tests_assume(shop: StoreProfile) -> None:
    assert shop.timezone == "Europe/Berlin"
    assert shop.describe_opening_hours() == "Monday to Friday 08:00-20:00; Saturday 09:00-16:00"


def test_disabled_agent_cannot_log_in_and_is_never_on_duty(directory: AgentDirectory, shop: StoreProfile) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", OPEN_MOMENTS[0])

    directory.disable("Sam")

    assert directory.get("sam").disabled  # type: ignore[union-attr]
    assert directory.authenticate("sam", PASSWORD) is None
    assert directory.online(OPEN_MOMENTS[0]) == []
    assert agent_on_duty(shop, directory, OPEN_MOMENTS[0]) is False
    directory.enable("sam")
    assert not directory.get("sam").disabled  # type: ignore[union-attr]
    assert directory.authenticate("sam", PASSWORD) is not None
    with pytest.raises(AgentError, match="nobody"):
        directory.disable("nobody")
