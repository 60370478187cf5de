from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml

from customer_care.profile import ProfileError, describe_days, join_words, load_profile, parse_profile
from customer_care.settings import store_profile_path


def raw_profile() -> dict:
    return yaml.safe_load(store_profile_path().read_text(encoding="utf-8"))


def test_shipped_profile_loads_with_typed_values(profile):
    assert profile.shop_name == "Larkspur"
    assert profile.refund_window_days == 30
    assert profile.free_shipping_from == Decimal("50.00")
    assert [o.name for o in profile.shipping_options][:2] == ["Standard", "Express"]
    assert profile.url("invoices").startswith("https://")


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2026, 3, 10, 9, 0), True),  # Tuesday morning
        (datetime(2026, 3, 10, 20, 0), False),  # closes at 20:00 sharp
        (datetime(2026, 3, 14, 15, 59), True),  # Saturday
        (datetime(2026, 3, 15, 12, 0), False),  # Sunday
    ],
)
def test_is_open_follows_opening_hours_in_the_shop_timezone(profile, moment, expected):
    assert profile.is_open(moment.replace(tzinfo=ZoneInfo("Europe/Berlin"))) is expected


def test_is_open_converts_other_timezones(profile):
    # 07:30 in London is 08:30 in Berlin: open.
    assert profile.is_open(datetime(2026, 3, 10, 7, 30, tzinfo=ZoneInfo("Europe/London")))


def test_describe_days():
    assert describe_days((0, 1, 2, 3, 4)) == "Monday to Friday"
    assert describe_days((5,)) == "Saturday"
    assert describe_days((0, 2)) == "Monday and Wednesday"


def test_join_words():
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b", "c"], "or") == "a, b or c"


def test_missing_field_is_named():
    data = raw_profile()
    del data["refunds"]["window_days"]
    with pytest.raises(ProfileError, match="refunds.window_days"):
        parse_profile(data)


def test_bad_time_is_named():
    data = raw_profile()
    data["shipping"]["dispatch_cutoff"] = "2pm"
    with pytest.raises(ProfileError, match="dispatch_cutoff"):
        parse_profile(data)


def test_unknown_timezone_is_refused():
    data = raw_profile()
    data["support"]["timezone"] = "Mars/Olympus"
    with pytest.raises(ProfileError, match="timezone"):
        parse_profile(data)


def test_profile_path_can_be_moved(tmp_path, monkeypatch):
    data = raw_profile()
    data["shop_name"] = "Elsewhere"
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("STORE_PROFILE", str(path))
    assert load_profile().shop_name == "Elsewhere"
