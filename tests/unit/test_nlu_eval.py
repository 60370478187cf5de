import random

import pytest

from tools.nlu_eval import FALLBACK, Prediction, decide, is_correct, macro_f1, per_intent_f1, report, score


def prediction(expected, top, confidence, runner_up=0.0, predicted=None):
    return Prediction("text", expected, predicted or top, top, confidence, runner_up)


def test_decide_applies_threshold_and_ambiguity():
    assert decide(prediction("greet", "greet", 0.9, 0.05), 0.5, 0.1) == "greet"
    assert decide(prediction("greet", "greet", 0.4), 0.5, 0.1) == FALLBACK
    assert decide(prediction("greet", "greet", 0.55, 0.5), 0.5, 0.1) == FALLBACK


def test_out_of_scope_is_right_when_rejected_either_way():
    assert is_correct("out_of_scope", "out_of_scope")
    assert is_correct("out_of_scope", FALLBACK)
    assert not is_correct("out_of_scope", "track_order")
    assert not is_correct("track_order", FALLBACK)


def test_score_separates_in_domain_and_out_of_domain():
    predictions = [
        prediction("track_order", "track_order", 0.9),
        prediction("track_order", "track_refund", 0.9),
        prediction("track_order", "track_order", 0.3),  # correct intent, but rejected at 0.5
        prediction("out_of_scope", "track_order", 0.3),  # rejected: right
        prediction("out_of_scope", "complaint", 0.95),  # accepted: wrong
    ]
    result = score(predictions, threshold=0.5, ambiguity=0.0)
    assert result.in_domain_accuracy == 1 / 3
    assert result.out_of_domain_rejection == 1 / 2
    assert result.overall_accuracy == 2 / 5
    lenient = score(predictions, threshold=0.2, ambiguity=0.0)
    assert lenient.in_domain_accuracy == 2 / 3 and lenient.out_of_domain_rejection == 0.0


def test_per_intent_f1():
    predictions = [
        prediction("a", "a", 1.0),
        prediction("a", "b", 1.0),
        prediction("b", "b", 1.0),
        prediction("out_of_scope", FALLBACK, 0.1, predicted=FALLBACK),
    ]
    f1 = per_intent_f1(predictions)
    assert f1["a"] == 2 / 3 and f1["b"] == 2 / 3 and f1["out_of_scope"] == 1.0


def f1_by_hand(pairs):
    """F1 per expected label from (expected, predicted) pairs, counted as the textbook defines it."""
    scores = {}
    for intent in {expected for expected, _ in pairs}:
        true_positive = sum(1 for e, p in pairs if e == intent and p == intent)
        predicted = sum(1 for _, p in pairs if p == intent)
        actual = sum(1 for e, _ in pairs if e == intent)
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / actual if actual else 0.0
        scores[intent] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


@pytest.mark.parametrize("seed", range(5))
def test_per_intent_f1_gives_the_textbook_figures(seed):
    chooser = random.Random(seed)
    intents = ["greet", "track_order", "get_refund", "out_of_scope", "never_expected"]
    predictions = [
        prediction(chooser.choice(intents[:4]), top := chooser.choice(intents + [FALLBACK]), 0.9, predicted=top)
        for _ in range(60)
    ]
    rejected = {"out_of_scope", FALLBACK}
    pairs = [
        (
            "out_of_scope" if p.expected in rejected else p.expected,
            "out_of_scope" if p.predicted in rejected else p.predicted,
        )
        for p in predictions
    ]
    assert per_intent_f1(predictions) == pytest.approx(f1_by_hand(pairs))
    assert per_intent_f1([]) == {}


def test_macro_f1_averages_the_in_domain_intents_only():
    predictions = [
        prediction("a", "a", 1.0),
        prediction("a", FALLBACK, 0.1, predicted=FALLBACK),  # a rejected shop message: a's recall is 1/2
        prediction("b", "b", 1.0),
        prediction("out_of_scope", "b", 0.9),  # an accepted out-of-domain request: b's precision is 1/2
    ]
    assert macro_f1(predictions) == (2 / 3 + 2 / 3) / 2
    assert macro_f1([prediction("out_of_scope", FALLBACK, 0.1, predicted=FALLBACK)]) == 0.0


def test_report_sweeps_thresholds_and_ambiguity_marking_the_configured_ones():
    predictions = [
        prediction("place_order", "place_order", 0.48, 0.42),  # a near tie: kept up to an ambiguity of 0.06
        prediction("track_order", "track_order", 0.9, 0.05),
        prediction("out_of_scope", "complaint", 0.3, 0.29),  # under the fallback threshold 0.35
    ]
    lines = report(predictions, 0.35, 0.1, [0.3, 0.35]).splitlines()
    header = next(n for n, line in enumerate(lines) if line.strip().startswith("ambiguity"))
    rows = {line.split()[0]: line.split()[1:] for line in lines[header + 1 :] if line.strip()[:1].isdigit()}
    assert rows["0.00"] == ["100.0%", "100.0%"]
    assert rows["0.02"] == ["100.0%", "100.0%"]
    assert rows["0.05"] == ["100.0%", "100.0%"]
    assert rows["0.08"] == ["50.0%", "100.0%"]
    assert rows["0.10"] == ["50.0%", "100.0%", "<-", "configured"]
    thresholds = {line.split()[0]: line.split()[1:] for line in lines[:header] if line.strip()[:1].isdigit()}
    assert thresholds["0.35"] == ["50.0%", "100.0%", "<-", "configured"]
    assert thresholds["0.30"] == ["50.0%", "100.0%"]  # the near tie of the out-of-domain one still rejects it
