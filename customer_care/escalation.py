"""When the bot hands a conversation to a person, and how urgent the ticket is.

Every trigger can be switched off and given a priority in one place: the `escalation` section of the store
profile (store_profile.yml). The actions ask this module which trigger applies; the ticket store receives
the priority computed here.
"""

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Collection, Dict, Mapping, Optional

import yaml

from customer_care.settings import store_profile_path
from customer_care.tickets import PRIORITIES, Priority, priority_rank


class Trigger(str, Enum):
    CUSTOMER_ASKED = "customer_asked"  # "can I talk to a person?"
    NOT_UNDERSTOOD = "not_understood"  # NLU fallbacks in a row
    PARAPHRASE_DENIED = "paraphrase_denied"  # the complaint paraphrase was denied twice
    SAFETY = "safety"  # injury, fire, a product that is dangerous
    LEGAL_THREAT = "legal_threat"
    FRAUD = "fraud"  # unauthorised charges, a hacked account
    STRONG_ANGER = "strong_anger"
    REPEAT_COMPLAINT = "repeat_complaint"  # the same customer, the same kind of problem, again
    NOT_ALLOWED = "not_allowed"  # a refund or cancellation the shop's rules don't allow
    SOLUTION_DECLINED = "solution_declined"
    TEAM_NEEDED = "team_needed"  # the solution itself is a person's job (staff behaviour, missing records)


# The severity signals of the complaint analysis, and the trigger each one stands for.
SEVERITY_TRIGGERS = {
    "safety": Trigger.SAFETY,
    "legal": Trigger.LEGAL_THREAT,
    "fraud": Trigger.FRAUD,
    "anger": Trigger.STRONG_ANGER,
}

# Cases a person must look at whatever the customer prefers: a safety risk, a legal threat, possible fraud.
URGENT_TRIGGERS = frozenset({Trigger.SAFETY, Trigger.LEGAL_THREAT, Trigger.FRAUD})
# A hand-over the customer did not ask for is offered (yes/no), never imposed, except in urgent cases.
IMPOSED_TRIGGERS = URGENT_TRIGGERS | {Trigger.CUSTOMER_ASKED}


def hand_over_without_asking(trigger: Trigger, agreed: bool = False) -> bool:
    """Whether the bot hands over at once; otherwise it asks the customer first. `agreed`: the customer already
    said yes to a solution that is itself a hand-over ("A colleague will look at this. Is that all right?")."""
    return trigger in IMPOSED_TRIGGERS or agreed


DESCRIPTIONS = {
    Trigger.CUSTOMER_ASKED: "The customer asked for a person",
    Trigger.NOT_UNDERSTOOD: "The bot did not understand the customer",
    Trigger.PARAPHRASE_DENIED: "The bot could not restate the complaint correctly",
    Trigger.SAFETY: "Safety risk or injury",
    Trigger.LEGAL_THREAT: "Legal threat",
    Trigger.FRAUD: "Possible fraud or unauthorised charge",
    Trigger.STRONG_ANGER: "Very upset customer",
    Trigger.REPEAT_COMPLAINT: "Repeat complaint about the same problem",
    Trigger.NOT_ALLOWED: "Refund or cancellation outside the rules",
    Trigger.SOLUTION_DECLINED: "The customer declined the bot's solution",
    Trigger.TEAM_NEEDED: "The solution needs a person",
}


class EscalationConfigError(ValueError):
    """The escalation section of the store profile has an unknown trigger or a bad value."""


@dataclass(frozen=True)
class TriggerSetting:
    enabled: bool
    priority: Priority


@dataclass(frozen=True)
class EscalationSettings:
    triggers: Mapping[Trigger, TriggerSetting]
    fallbacks_in_a_row: int = 2
    repeat_within_days: int = 30

    def enabled(self, trigger: Trigger) -> bool:
        return self.triggers[trigger].enabled

    def priority(self, trigger: Trigger, severity: Collection[str] = ()) -> Priority:
        """The trigger's priority, raised to that of any severity signal in the complaint."""
        candidates = [self.triggers[trigger].priority]
        candidates += [
            self.triggers[SEVERITY_TRIGGERS[signal]].priority for signal in severity if signal in SEVERITY_TRIGGERS
        ]
        return min(candidates, key=priority_rank)


DEFAULT_PRIORITIES = {
    Trigger.CUSTOMER_ASKED: Priority.NORMAL,
    Trigger.NOT_UNDERSTOOD: Priority.LOW,
    Trigger.PARAPHRASE_DENIED: Priority.NORMAL,
    Trigger.SAFETY: Priority.URGENT,
    Trigger.LEGAL_THREAT: Priority.HIGH,
    Trigger.FRAUD: Priority.HIGH,
    Trigger.STRONG_ANGER: Priority.HIGH,
    Trigger.REPEAT_COMPLAINT: Priority.HIGH,
    Trigger.NOT_ALLOWED: Priority.NORMAL,
    Trigger.SOLUTION_DECLINED: Priority.NORMAL,
    Trigger.TEAM_NEEDED: Priority.NORMAL,
}


def parse_settings(section: Optional[Mapping[str, Any]]) -> EscalationSettings:
    """Settings from the profile's `escalation` mapping; triggers it leaves out keep their defaults."""
    if section is not None and not isinstance(section, Mapping):
        raise EscalationConfigError("escalation must be a mapping of settings")
    section = dict(section or {})
    triggers_section = section.pop("triggers", None)
    if triggers_section is not None and not isinstance(triggers_section, Mapping):
        raise EscalationConfigError("escalation.triggers must be a mapping of trigger names to settings")
    configured: Dict[str, Any] = dict(triggers_section or {})
    triggers: Dict[Trigger, TriggerSetting] = {}
    for trigger in Trigger:
        value = configured.pop(trigger.value, None)
        value = {} if value is None else value
        if not isinstance(value, Mapping):
            raise EscalationConfigError(f"escalation.triggers.{trigger.value} must be a mapping")
        enabled = value.get("enabled", True)
        priority = value.get("priority", DEFAULT_PRIORITIES[trigger])
        if not isinstance(enabled, bool):
            raise EscalationConfigError(f"escalation.triggers.{trigger.value}.enabled must be true or false")
        if priority not in PRIORITIES:
            raise EscalationConfigError(
                f"escalation.triggers.{trigger.value}.priority must be one of {', '.join(PRIORITIES)}"
            )
        triggers[trigger] = TriggerSetting(enabled, Priority(priority))
    if configured:
        raise EscalationConfigError(
            f"unknown escalation trigger(s): {', '.join(sorted(configured))}; known: "
            f"{', '.join(t.value for t in Trigger)}"
        )
    numbers = {}
    for key, default in (("fallbacks_in_a_row", 2), ("repeat_within_days", 30)):
        value = section.pop(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise EscalationConfigError(f"escalation.{key} must be a whole number of at least 1")
        numbers[key] = value
    if section:
        raise EscalationConfigError(f"unknown escalation setting(s): {', '.join(sorted(section))}")
    return EscalationSettings(triggers, **numbers)


def load_settings(path: Optional[Path] = None) -> EscalationSettings:
    data = yaml.safe_load((path or store_profile_path()).read_text(encoding="utf-8")) or {}
    return parse_settings(data.get("escalation"))


def complaint_trigger(
    settings: EscalationSettings,
    *,
    understood: bool,
    accepted: bool,
    severity: Collection[str] = (),
    repeat: bool = False,
    outside_policy: bool = False,
    needs_person: bool = False,
) -> Optional[Trigger]:
    """The trigger that hands a finished complaint to a person, the most serious first; None keeps the bot."""
    candidates = [] if understood else [Trigger.PARAPHRASE_DENIED]
    candidates += [trigger for signal, trigger in SEVERITY_TRIGGERS.items() if signal in severity]
    if repeat:
        candidates.append(Trigger.REPEAT_COMPLAINT)
    if not accepted:
        candidates.append(Trigger.SOLUTION_DECLINED)
    if outside_policy:
        candidates.append(Trigger.NOT_ALLOWED)
    if needs_person:
        candidates.append(Trigger.TEAM_NEEDED)
    return next((trigger for trigger in candidates if settings.enabled(trigger)), None)
