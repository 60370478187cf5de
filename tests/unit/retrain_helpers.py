"""Shared by the tests of tools.retrain (test_retrain_scores, test_retrain_activation): NLU scores to compare."""

from tools.retrain import NluScores


def scores(accuracy: float = 0.94, macro_f1: float = 0.94, **per_intent: float) -> NluScores:
    return NluScores(accuracy, macro_f1, dict(per_intent))
