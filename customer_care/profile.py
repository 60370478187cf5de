"""The store profile: the shop's facts (hours, contacts, shipping, refunds, fees), loaded from one YAML file."""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

import yaml

from customer_care.settings import store_profile_path

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ProfileError(ValueError):
    """The store profile file is missing a field or has a value of the wrong form."""


@dataclass(frozen=True)
class OpeningHours:
    days: Tuple[int, ...]
    opens: time
    closes: time

    def describe(self) -> str:
        return f"{describe_days(self.days)} {self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True)
class ShippingOption:
    name: str
    price: Decimal
    min_days: int
    max_days: int


@dataclass(frozen=True)
class Plan:
    name: str
    price: Decimal
    per: str
    perks: str


@dataclass(frozen=True)
class StoreProfile:
    shop_name: str
    assistant_name: str
    website: str
    currency_symbol: str
    support_email: str
    support_phone: str
    timezone: str
    opening_hours: Tuple[OpeningHours, ...]
    reply_within_hours: int
    urls: Dict[str, str]
    plans: Tuple[Plan, ...]
    dispatch_cutoff: time
    free_shipping_from: Decimal
    shipping_options: Tuple[ShippingOption, ...]
    payment_methods: Tuple[str, ...]
    instalments_from: Decimal
    refund_window_days: int
    refund_processing_days: int
    refund_conditions: str
    non_refundable: str
    free_cancellation_before_dispatch: bool
    cancellation_fee_after_dispatch: Decimal
    custom_items_fee_percent: int

    def money(self, amount: Decimal) -> str:
        return f"{self.currency_symbol}{amount:.2f}"

    def url(self, name: str) -> str:
        return self.urls[name]

    def describe_opening_hours(self) -> str:
        return "; ".join(hours.describe() for hours in self.opening_hours)

    def is_open(self, moment: Optional[datetime] = None) -> bool:
        """Whether support is staffed at `moment` (now by default), in the shop's own timezone."""
        local = (moment or datetime.now(ZoneInfo(self.timezone))).astimezone(ZoneInfo(self.timezone))
        return any(
            local.weekday() in hours.days and hours.opens <= local.time() < hours.closes for hours in self.opening_hours
        )


def describe_days(days: Tuple[int, ...]) -> str:
    """(0, 1, 2, 3, 4) -> 'Monday to Friday'; (5,) -> 'Saturday'; (0, 2) -> 'Monday and Wednesday'."""
    ordered = sorted(days)
    names = [WEEKDAY_NAMES[day] for day in ordered]
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{names[0]} to {names[-1]}"
    return join_words(names)


def join_words(words: List[str], conjunction: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _field(data: Any, dotted: str, where: str = "") -> Any:
    """The value at `dotted` in `data`; `where` is the path of the list entry `data` is, for the message."""
    value: Any = data
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            raise ProfileError(f"store profile: missing field '{where}{dotted}'")
        value = value[key]
    return value


def _time(data: Any, dotted: str, where: str = "") -> time:
    raw = str(_field(data, dotted, where))
    if raw == "24:00":  # "closes: 24:00" means open until midnight
        return time.max
    try:
        return time.fromisoformat(raw)
    except ValueError as error:
        raise ProfileError(f"store profile: '{where}{dotted}' must be HH:MM, got {raw!r}") from error


def _money(data: Any, dotted: str, where: str = "") -> Decimal:
    value = _field(data, dotted, where)
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ProfileError(f"store profile: '{where}{dotted}' must be an amount, got {value!r}")
    return amount


def _whole(data: Any, dotted: str, where: str = "") -> int:
    value = _field(data, dotted, where)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    raise ProfileError(f"store profile: '{where}{dotted}' must be a whole number, got {value!r}")


def _flag(data: Any, dotted: str) -> bool:
    value = _field(data, dotted)
    if not isinstance(value, bool):
        raise ProfileError(f"store profile: '{dotted}' must be true or false, got {value!r}")
    return value


def _entries(data: Any, dotted: str) -> List[Tuple[Any, str]]:
    """The entries of the list at `dotted`, each with its path ("shipping.options.2.") for messages."""
    value = _field(data, dotted)
    if not isinstance(value, list):
        raise ProfileError(f"store profile: '{dotted}' must be a list, got {value!r}")
    return [(entry, f"{dotted}.{index}.") for index, entry in enumerate(value)]


def _weekdays(entry: Any, where: str) -> Tuple[int, ...]:
    days = _field(entry, "days", where)
    if not isinstance(days, list) or not all(type(day) is int and 0 <= day <= 6 for day in days):
        raise ProfileError(f"store profile: '{where}days' must be weekday numbers 0 (Monday) to 6, got {days!r}")
    return tuple(days)


def parse_profile(data: Dict[str, Any]) -> StoreProfile:
    """Build a StoreProfile from the YAML mapping, naming the field at fault when one is wrong."""
    if not isinstance(data, dict):
        raise ProfileError("store profile: the file must hold a mapping of fields")
    timezone = str(_field(data, "support.timezone"))
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError) as error:
        raise ProfileError(f"store profile: unknown timezone {timezone!r}") from error
    hours = tuple(
        OpeningHours(days=_weekdays(entry, at), opens=_time(entry, "opens", at), closes=_time(entry, "closes", at))
        for entry, at in _entries(data, "support.opening_hours")
    )
    account = _field(data, "account")
    if not isinstance(account, dict):
        raise ProfileError(f"store profile: 'account' must be a mapping of fields, got {account!r}")
    plans = tuple(
        Plan(
            str(_field(entry, "name", at)),
            _money(entry, "price", at),
            str(_field(entry, "per", at)),
            str(_field(entry, "perks", at)),
        )
        for entry, at in (_entries(data, "account.plans") if "plans" in account else [])
    )
    options = tuple(
        ShippingOption(
            name=str(_field(entry, "name", at)),
            price=_money(entry, "price", at),
            min_days=_whole(entry, "min_days", at),
            max_days=_whole(entry, "max_days", at),
        )
        for entry, at in _entries(data, "shipping.options")
    )
    return StoreProfile(
        shop_name=str(_field(data, "shop_name")),
        assistant_name=str(_field(data, "assistant_name")),
        website=str(_field(data, "website")),
        currency_symbol=str(_field(data, "currency_symbol")),
        support_email=str(_field(data, "support.email")),
        support_phone=str(_field(data, "support.phone")),
        timezone=timezone,
        opening_hours=hours,
        reply_within_hours=_whole(data, "support.reply_within_hours"),
        urls={key.removesuffix("_url"): str(value) for key, value in account.items() if key != "plans"},
        plans=plans,
        dispatch_cutoff=_time(data, "shipping.dispatch_cutoff"),
        free_shipping_from=_money(data, "shipping.free_shipping_from"),
        shipping_options=options,
        payment_methods=tuple(str(method) for method, _ in _entries(data, "payments.methods")),
        instalments_from=_money(data, "payments.instalments_from"),
        refund_window_days=_whole(data, "refunds.window_days"),
        refund_processing_days=_whole(data, "refunds.processing_days"),
        refund_conditions=str(_field(data, "refunds.conditions")),
        non_refundable=str(_field(data, "refunds.non_refundable")),
        free_cancellation_before_dispatch=_flag(data, "cancellation.free_before_dispatch"),
        cancellation_fee_after_dispatch=_money(data, "cancellation.after_dispatch_fee"),
        custom_items_fee_percent=_whole(data, "cancellation.custom_items_fee_percent"),
    )


def load_profile(path: Optional[Path] = None) -> StoreProfile:
    with open(path or store_profile_path(), encoding="utf-8") as handle:
        return parse_profile(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def shop_profile() -> StoreProfile:
    """The profile the running assistant uses, read once per process."""
    return load_profile()
