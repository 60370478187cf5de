"""What the assistant says, as data: the name of a response in domain.yml and the values for its placeholders.

The wording lives in domain.yml; this package decides which response fits and computes its values (order
numbers, dates, amounts), so the actions send `dispatcher.utter_message(response=reply.response, **reply.values)`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict
from zoneinfo import ZoneInfo

from customer_care.profile import StoreProfile


@dataclass(frozen=True)
class Reply:
    response: str
    values: Dict[str, Any] = field(default_factory=dict)


def shop_today(profile: StoreProfile) -> date:
    """Today in the shop's own time zone, so "tomorrow" means the same to the bot and the shop."""
    return datetime.now(ZoneInfo(profile.timezone)).date()
