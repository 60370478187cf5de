from dataclasses import replace
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from customer_care.complaints.model import Severity
from customer_care.escalation import (
    DEFAULT_PRIORITIES,
    DESCRIPTIONS,
    SEVERITY_TRIGGERS,
    EscalationConfigError,
    EscalationSettings,
    Trigger,
    TriggerSetting,
    complaint_trigger,
    hand_over_without_asking,
    load_settings,
    parse_settings,
)
from customer_care.settings import PROJECT_ROOT
from customer_care.tickets import PRIORITIES

REPO_PROFILE = PROJECT_ROOT / "store_profile.yml"


@pytest.fixture(scope="module")
def defaults() -> EscalationSettings:
    return parse_settings(None)


def with_triggers(**triggers: Dict[str, Any]) -> EscalationSettings:
    return parse_settings({"triggers": triggers})


def disabled(*names: str) -> EscalationSettings:
    return with_triggers(**{name: {"enabled": False} for name in names})


# --- parsing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("section", [None, {}, {"triggers": None}, {"triggers": {}}])
def test_without_settings_every_trigger_is_on_with_the_default_priority(section: Any) -> None:
    settings = parse_settings(section)

    assert set(settings.triggers) == set(Trigger)
    assert {trigger: setting.priority for trigger, setting in settings.triggers.items()} == DEFAULT_PRIORITIES
    assert all(settings.enabled(trigger) for trigger in Trigger)
    assert (settings.fallbacks_in_a_row, settings.repeat_within_days) == (2, 30)


def test_default_priorities_cover_every_trigger_with_a_known_priority() -> None:
    assert set(DEFAULT_PRIORITIES) == set(Trigger)
    assert set(DEFAULT_PRIORITIES.values()) <= set(PRIORITIES)
    assert set(DESCRIPTIONS) == set(Trigger)


def test_a_section_can_disable_a_trigger_and_change_a_priority() -> None:
    settings = with_triggers(
        safety={"enabled": False}, customer_asked={"priority": "high"}, fraud={"enabled": True, "priority": "urgent"}
    )

    assert not settings.enabled(Trigger.SAFETY)
    assert settings.triggers[Trigger.SAFETY].priority == DEFAULT_PRIORITIES[Trigger.SAFETY]
    assert settings.triggers[Trigger.CUSTOMER_ASKED] == TriggerSetting(True, "high")
    assert settings.triggers[Trigger.FRAUD] == TriggerSetting(True, "urgent")
    untouched = set(Trigger) - {Trigger.SAFETY, Trigger.CUSTOMER_ASKED, Trigger.FRAUD}
    assert all(settings.triggers[t] == TriggerSetting(True, DEFAULT_PRIORITIES[t]) for t in untouched)


def test_a_trigger_without_a_value_keeps_its_defaults() -> None:
    settings = with_triggers(not_understood=None)
    assert settings.triggers[Trigger.NOT_UNDERSTOOD] == TriggerSetting(True, "low")


def test_the_numbers_can_be_changed() -> None:
    settings = parse_settings({"fallbacks_in_a_row": 3, "repeat_within_days": 14})
    assert (settings.fallbacks_in_a_row, settings.repeat_within_days) == (3, 14)


def test_the_section_is_not_modified() -> None:
    section = {"fallbacks_in_a_row": 3, "triggers": {"safety": {"enabled": False}}}
    parse_settings(section)
    assert section == {"fallbacks_in_a_row": 3, "triggers": {"safety": {"enabled": False}}}


@pytest.mark.parametrize(
    "section, named",
    [
        ({"triggers": {"talk_to_human": {"enabled": True}}}, "talk_to_human"),
        ({"triggers": {"Safety": {"enabled": False}}}, "Safety"),
        ({"triggers": {"safety": {"enabled": "no"}}}, "escalation.triggers.safety.enabled"),
        ({"triggers": {"fraud": {"enabled": 1}}}, "escalation.triggers.fraud.enabled"),
        ({"triggers": {"fraud": {"enabled": None}}}, "escalation.triggers.fraud.enabled"),
        ({"triggers": {"legal_threat": {"priority": "critical"}}}, "escalation.triggers.legal_threat.priority"),
        ({"triggers": {"legal_threat": {"priority": "HIGH"}}}, "escalation.triggers.legal_threat.priority"),
        ({"triggers": {"legal_threat": {"priority": None}}}, "escalation.triggers.legal_threat.priority"),
        ({"triggers": {"customer_asked": True}}, "escalation.triggers.customer_asked"),
        ({"triggers": {"customer_asked": "normal"}}, "escalation.triggers.customer_asked"),
        ({"triggers": {"team_needed": ["enabled", "normal"]}}, "escalation.triggers.team_needed"),
        ({"fallbacks_in_a_row": 0}, "escalation.fallbacks_in_a_row"),
        ({"fallbacks_in_a_row": -1}, "escalation.fallbacks_in_a_row"),
        ({"fallbacks_in_a_row": "2"}, "escalation.fallbacks_in_a_row"),
        ({"fallbacks_in_a_row": True}, "escalation.fallbacks_in_a_row"),
        ({"fallbacks_in_a_row": 2.5}, "escalation.fallbacks_in_a_row"),
        ({"repeat_within_days": 0}, "escalation.repeat_within_days"),
        ({"repeat_within_days": None}, "escalation.repeat_within_days"),
        ({"repeat_within_days": False}, "escalation.repeat_within_days"),
        ({"fallback_in_a_row": 2}, "fallback_in_a_row"),
        ({"enabled": False}, "enabled"),
    ],
)
def test_bad_settings_raise_naming_the_key(section: Dict[str, Any], named: str) -> None:
    with pytest.raises(EscalationConfigError) as raised:
        parse_settings(section)
    assert named in str(raised.value)


def test_every_unknown_trigger_is_named() -> None:
    with pytest.raises(EscalationConfigError) as raised:
        with_triggers(angry={}, lawyer={}, safety={})
    message = str(raised.value)
    assert "angry" in message and "lawyer" in message
    assert "unknown" in message


def test_escalation_config_error_is_a_value_error() -> None:
    assert issubclass(EscalationConfigError, ValueError)


def test_a_trigger_written_as_false_is_refused_rather_than_left_on() -> None:
    with pytest.raises(EscalationConfigError, match="escalation.triggers.safety"):
        with_triggers(safety=False)


# --- the repository's profile --------------------------------------------------------------------------------


def test_load_settings_reads_the_real_store_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORE_PROFILE", raising=False)
    section = yaml.safe_load(REPO_PROFILE.read_text(encoding="utf-8"))["escalation"]

    settings = load_settings()

    assert settings == parse_settings(section)
    assert settings == load_settings(REPO_PROFILE)
    for trigger in Trigger:
        configured = section["triggers"][trigger.value]
        assert settings.triggers[trigger] == TriggerSetting(configured["enabled"], configured["priority"])


def test_every_trigger_is_configured_explicitly_in_the_store_profile() -> None:
    section = yaml.safe_load(REPO_PROFILE.read_text(encoding="utf-8"))["escalation"]

    assert set(section["triggers"]) == {trigger.value for trigger in Trigger}
    for name, value in section["triggers"].items():
        assert set(value) == {"enabled", "priority"}, name


def test_load_settings_follows_the_store_profile_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "profile.yml"
    path.write_text(
        "escalation:\n  fallbacks_in_a_row: 4\n  triggers:\n    fraud: {enabled: false}\n", encoding="utf-8"
    )
    monkeypatch.setenv("STORE_PROFILE", str(path))

    settings = load_settings()

    assert settings.fallbacks_in_a_row == 4
    assert not settings.enabled(Trigger.FRAUD)


@pytest.mark.parametrize("text", ["", "shop_name: Larkspur\n", "escalation:\n"])
def test_load_settings_without_a_section_gives_the_defaults(tmp_path: Path, text: str) -> None:
    path = tmp_path / "profile.yml"
    path.write_text(text, encoding="utf-8")
    assert load_settings(path) == parse_settings(None)


def test_load_settings_reports_a_bad_section(tmp_path: Path) -> None:
    path = tmp_path / "profile.yml"
    path.write_text("escalation:\n  triggers:\n    safety: {priority: asap}\n", encoding="utf-8")
    with pytest.raises(EscalationConfigError, match="safety"):
        load_settings(path)


# --- priority ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "trigger, severity, expected",
    [
        (Trigger.CUSTOMER_ASKED, (), "normal"),
        (Trigger.CUSTOMER_ASKED, ["safety"], "urgent"),
        (Trigger.CUSTOMER_ASKED, ["anger"], "high"),
        (Trigger.CUSTOMER_ASKED, ["anger", "safety"], "urgent"),
        (Trigger.NOT_UNDERSTOOD, ("fraud",), "high"),
        (Trigger.SOLUTION_DECLINED, ["legal"], "high"),
        (Trigger.SAFETY, ["anger"], "urgent"),  # never lowered
        (Trigger.NOT_UNDERSTOOD, ["unknown", "rude"], "low"),  # unknown signals are ignored
        (Trigger.CUSTOMER_ASKED, ["unknown", "safety"], "urgent"),
    ],
)
def test_priority_is_raised_to_the_most_urgent_severity_signal(
    defaults: EscalationSettings, trigger: Trigger, severity: Any, expected: str
) -> None:
    assert defaults.priority(trigger, severity) == expected


def test_priority_follows_the_configured_priorities() -> None:
    settings = with_triggers(
        customer_asked={"priority": "low"}, strong_anger={"priority": "normal"}, safety={"priority": "high"}
    )

    assert settings.priority(Trigger.CUSTOMER_ASKED) == "low"
    assert settings.priority(Trigger.CUSTOMER_ASKED, ["anger"]) == "normal"
    assert settings.priority(Trigger.CUSTOMER_ASKED, ["safety"]) == "high"


def test_a_low_severity_priority_does_not_lower_the_trigger() -> None:
    settings = with_triggers(strong_anger={"priority": "low"})
    assert settings.priority(Trigger.REPEAT_COMPLAINT, ["anger"]) == "high"


def test_every_severity_signal_of_the_complaint_analysis_has_a_trigger() -> None:
    assert set(SEVERITY_TRIGGERS) == {severity.value for severity in Severity}


# --- which trigger a complaint pulls -------------------------------------------------------------------------


def trigger_for(settings: EscalationSettings, **facts: Any) -> Any:
    return complaint_trigger(settings, **{"understood": True, "accepted": True, **facts})


def test_a_settled_complaint_stays_with_the_bot(defaults: EscalationSettings) -> None:
    assert trigger_for(defaults) is None
    assert trigger_for(defaults, severity=["unknown"]) is None


@pytest.mark.parametrize(
    "facts, expected",
    [
        ({"understood": False}, Trigger.PARAPHRASE_DENIED),
        ({"severity": ["safety"]}, Trigger.SAFETY),
        ({"severity": ["legal"]}, Trigger.LEGAL_THREAT),
        ({"severity": ["fraud"]}, Trigger.FRAUD),
        ({"severity": ["anger"]}, Trigger.STRONG_ANGER),
        ({"repeat": True}, Trigger.REPEAT_COMPLAINT),
        ({"accepted": False}, Trigger.SOLUTION_DECLINED),
        ({"outside_policy": True}, Trigger.NOT_ALLOWED),
        ({"needs_person": True}, Trigger.TEAM_NEEDED),
    ],
)
def test_each_fact_pulls_its_trigger(defaults: EscalationSettings, facts: Dict[str, Any], expected: Trigger) -> None:
    assert trigger_for(defaults, **facts) == expected


def test_not_understood_comes_before_everything(defaults: EscalationSettings) -> None:
    assert (
        trigger_for(
            defaults,
            understood=False,
            accepted=False,
            severity=["safety"],
            repeat=True,
            outside_policy=True,
            needs_person=True,
        )
        == Trigger.PARAPHRASE_DENIED
    )


@pytest.mark.parametrize(
    "severity, expected",
    [
        (["anger", "fraud", "legal", "safety"], Trigger.SAFETY),
        (["anger", "fraud", "legal"], Trigger.LEGAL_THREAT),
        (["anger", "fraud"], Trigger.FRAUD),
        (("anger",), Trigger.STRONG_ANGER),
        ({"fraud", "legal"}, Trigger.LEGAL_THREAT),
    ],
)
def test_severity_order_is_safety_legal_fraud_anger(
    defaults: EscalationSettings, severity: Any, expected: Trigger
) -> None:
    assert trigger_for(defaults, severity=severity, repeat=True, accepted=False) == expected


@pytest.mark.parametrize(
    "facts, expected",
    [
        ({"repeat": True, "accepted": False, "outside_policy": True, "needs_person": True}, Trigger.REPEAT_COMPLAINT),
        ({"accepted": False, "outside_policy": True, "needs_person": True}, Trigger.SOLUTION_DECLINED),
        ({"outside_policy": True, "needs_person": True}, Trigger.NOT_ALLOWED),
    ],
)
def test_the_remaining_order(defaults: EscalationSettings, facts: Dict[str, Any], expected: Trigger) -> None:
    assert trigger_for(defaults, **facts) == expected


def test_a_disabled_trigger_is_skipped_for_the_next_one() -> None:
    settings = disabled("safety", "legal_threat")

    assert trigger_for(settings, severity=["safety", "legal", "anger"]) == Trigger.STRONG_ANGER
    assert trigger_for(settings, severity=["safety"], repeat=True) == Trigger.REPEAT_COMPLAINT
    assert trigger_for(settings, severity=["safety"]) is None


def test_a_disabled_paraphrase_trigger_lets_the_other_facts_decide() -> None:
    settings = disabled("paraphrase_denied")

    assert trigger_for(settings, understood=False) is None
    assert trigger_for(settings, understood=False, needs_person=True) == Trigger.TEAM_NEEDED


def test_all_triggers_disabled_keeps_the_bot() -> None:
    settings = disabled(*(trigger.value for trigger in Trigger))

    assert (
        trigger_for(
            settings,
            understood=False,
            accepted=False,
            severity=list(SEVERITY_TRIGGERS),
            repeat=True,
            outside_policy=True,
            needs_person=True,
        )
        is None
    )


def test_complaint_trigger_reads_only_the_enabled_flag(defaults: EscalationSettings) -> None:
    quiet = replace(defaults, triggers={**defaults.triggers, Trigger.NOT_ALLOWED: TriggerSetting(False, "urgent")})

    assert trigger_for(quiet, outside_policy=True, needs_person=True) == Trigger.TEAM_NEEDED


@pytest.mark.parametrize("section", ["off", ["safety"], {"triggers": "none"}, {"triggers": ["safety"]}])
def test_a_section_of_the_wrong_shape_is_refused(section) -> None:
    with pytest.raises(EscalationConfigError, match="escalation"):
        parse_settings(section)


# Issue 13, failure 2: a hand-over the customer did not ask for is offered, not imposed, except urgent cases.
@pytest.mark.parametrize(
    "trigger, imposed",
    [
        (Trigger.CUSTOMER_ASKED, True),
        (Trigger.SAFETY, True),
        (Trigger.LEGAL_THREAT, True),
        (Trigger.FRAUD, True),
        (Trigger.NOT_ALLOWED, False),
        (Trigger.NOT_UNDERSTOOD, False),
        (Trigger.PARAPHRASE_DENIED, False),
        (Trigger.SOLUTION_DECLINED, False),
        (Trigger.STRONG_ANGER, False),
        (Trigger.REPEAT_COMPLAINT, False),
        (Trigger.TEAM_NEEDED, False),
    ],
)
def test_failure_2_only_requested_or_urgent_hand_overs_are_imposed(trigger, imposed):
    assert hand_over_without_asking(trigger) is imposed
    assert hand_over_without_asking(trigger, agreed=True)  # the customer said yes to a colleague taking over
