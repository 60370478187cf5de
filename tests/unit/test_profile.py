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


@pytest.mark.parametrize(
    "section, index, field, value, message",
    [
        # Every bad profile raises ProfileError naming the field and the bad value, inside list entries too.
        ("support", None, "reply_within_hours", "a day", r"'support.reply_within_hours' .* got 'a day'"),
        ("refunds", None, "window_days", None, r"'refunds.window_days' must be a whole number, got None"),
        ("cancellation", None, "free_before_dispatch", "no", r"'cancellation.free_before_dispatch' .* got 'no'"),
        ("shipping", None, "free_shipping_from", "NaN", r"'shipping.free_shipping_from' must be an amount"),
        ("payments", None, "instalments_from", "lots", r"'payments.instalments_from' must be an amount, got 'lots'"),
        ("payments", None, "methods", "Visa", r"'payments.methods' must be a list, got 'Visa'"),
        ("opening_hours", 1, "days", [5, 7], r"'support.opening_hours.1.days' .* got \[5, 7\]"),
        ("opening_hours", 0, "opens", "8am", r"'support.opening_hours.0.opens' must be HH:MM, got '8am'"),
        ("opening_hours", 0, "closes", ..., r"missing field 'support.opening_hours.0.closes'"),
        ("options", 2, "max_days", "four", r"'shipping.options.2.max_days' .* got 'four'"),
        ("options", 1, "price", ..., r"missing field 'shipping.options.1.price'"),
        ("plans", 0, "perks", ..., r"missing field 'account.plans.0.perks'"),
        ("plans", 1, "price", "4,99", r"'account.plans.1.price' must be an amount, got '4,99'"),
    ],
)
def test_bad_values_are_named_with_the_value(section, index, field, value, message):
    data = raw_profile()
    holder = {"opening_hours": data["support"], "options": data["shipping"], "plans": data["account"]}
    target = data[section] if index is None else holder[section][section][index]
    if value is ...:
        del target[field]
    else:
        target[field] = value
    with pytest.raises(ProfileError, match=message):
        parse_profile(data)


def test_the_shipped_profile_reads_the_same_values(profile):
    assert profile.opening_hours[0].days == (0, 1, 2, 3, 4)
    assert profile.describe_opening_hours() == "Monday to Friday 08:00-20:00; Saturday 09:00-16:00"
    assert profile.free_cancellation_before_dispatch is True
    assert (profile.custom_items_fee_percent, profile.reply_within_hours) == (15, 24)
    assert [plan.price for plan in profile.plans] == [Decimal("0.00"), Decimal("4.99"), Decimal("0.00")]
    assert profile.shipping_options[1].max_days == 2
    assert "plans" not in profile.urls and profile.url("signup").endswith("/register")


def test_profile_path_can_be_moved(tmp_path, monkeypatch):
    data = raw_profile()
    data["shop_name"] = "Elsewhere"
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("STORE_PROFILE", str(path))
    assert load_profile().shop_name == "Elsewhere"
