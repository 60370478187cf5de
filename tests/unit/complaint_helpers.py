"""Shared by the complaint and feedback form tests (test_complaint_form, test_feedback_actions)."""

from tests.unit.conftest import make_tracker


def in_form(form, text, intent, requested, **slots):
    tracker = make_tracker(text, intent, slots={"requested_slot": requested, **slots}, active_loop=form)
    tracker.events.append({"event": "slot", "name": "requested_slot", "value": requested})
    return tracker
