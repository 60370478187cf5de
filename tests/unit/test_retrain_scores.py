"""tools.retrain's judgement, without Rasa: reading intent reports (and running `rasa test nlu` for one), the
comparison table, and the guard's decision."""

import json
from pathlib import Path
from typing import Dict

import pytest

from tests.unit.retrain_helpers import scores
from tools import retrain
from tools.retrain import NluScores, comparison_table, decide, load_scores, scores_from_report


def intent_report(per_intent_f1: Dict[str, float], accuracy: float, macro_f1: float) -> Dict:
    """Shaped like `rasa test nlu`'s intent_report.json."""
    report: Dict = {
        name: {"precision": f1, "recall": f1, "f1-score": f1, "support": 10, "confused_with": {}}
        for name, f1 in per_intent_f1.items()
    }
    report["accuracy"] = accuracy
    report["macro avg"] = {"precision": macro_f1, "recall": macro_f1, "f1-score": macro_f1, "support": 633}
    report["weighted avg"] = {"precision": 0.9, "recall": 0.9, "f1-score": 0.91, "support": 633}
    report["micro avg"] = {"precision": accuracy, "recall": accuracy, "f1-score": accuracy, "support": 633}
    return report


# ------------------------------------------------------------------------------------------------ parsing


def test_parses_a_real_shaped_intent_report(tmp_path: Path):
    path = tmp_path / "intent_report.json"
    report = intent_report(
        {"track_order": 0.97, "edit_account": 0.83}, accuracy=0.943127962085308, macro_f1=0.941115948151105
    )
    report["track_refund"] = {
        "precision": 0.82,
        "recall": 1.0,
        "f1-score": 0.9032258064516129,
        "support": 14,
        "confused_with": {"track_order": 2},
    }
    path.write_text(json.dumps(report, indent=2))

    parsed = load_scores(path)

    assert parsed.accuracy == pytest.approx(0.943127962085308)
    assert parsed.macro_f1 == pytest.approx(0.941115948151105)
    assert parsed.per_intent_f1 == {"track_order": 0.97, "edit_account": 0.83, "track_refund": 0.9032258064516129}


def test_accuracy_falls_back_to_micro_average():
    report = intent_report({"greet": 1.0}, accuracy=0.9, macro_f1=0.8)
    del report["accuracy"]
    assert scores_from_report(report).accuracy == 0.9


def test_a_report_without_the_figures_is_an_error(tmp_path: Path):
    path = tmp_path / "intent_report.json"
    path.write_text(json.dumps({"greet": {"f1-score": 1.0}}))
    with pytest.raises(retrain.RetrainError, match="macro avg"):
        load_scores(path)
    with pytest.raises(retrain.RetrainError, match="cannot read"):
        load_scores(tmp_path / "missing.json")


# ------------------------------------------------------------------------------------------------ table


def test_table_shows_moved_new_and_removed_intents_sorted_by_change():
    current = scores(
        0.943, 0.941, track_order=0.95, edit_account=0.83, greet=1.0, delivery_options=0.87, old_intent=0.7
    )
    candidate = scores(
        0.950, 0.945, track_order=0.90, edit_account=0.88, greet=0.995, delivery_options=0.86, new_intent=0.66
    )

    lines = comparison_table(current, candidate).splitlines()
    text = "\n".join(lines)

    assert "94.3%" in text and "95.0%" in text and "+0.007" in text  # accuracy
    assert "0.941" in text and "0.945" in text and "+0.004" in text  # macro F1
    rows = [
        line.split()
        for line in lines
        if line.split()
        and line.split()[0] in {"track_order", "edit_account", "greet", "delivery_options", "old_intent", "new_intent"}
    ]
    assert [row[0] for row in rows] == ["track_order", "delivery_options", "edit_account", "new_intent", "old_intent"]
    assert rows[0] == ["track_order", "0.950", "0.900", "-0.050"]
    assert rows[1] == ["delivery_options", "0.870", "0.860", "-0.010"]  # exactly 0.01 counts as moved
    assert rows[2] == ["edit_account", "0.830", "0.880", "+0.050"]
    assert rows[3] == ["new_intent", "-", "0.660", "new"]
    assert rows[4] == ["old_intent", "0.700", "-", "removed"]
    assert "greet" not in text  # moved by 0.005 only
    assert "1 others moved less" in text


def test_table_says_when_no_intent_moved():
    text = comparison_table(scores(greet=1.0, deny=0.9), scores(greet=1.0, deny=0.905))
    assert "No intent's F1 moved by 0.01 or more (2 intents)" in text


# ------------------------------------------------------------------------------------------------ decide


def test_equal_scores_are_accepted():
    decision = decide(scores(0.94, 0.94), scores(0.94, 0.94), tolerance=0.01)
    assert decision.activate
    assert decision.reasons and "no figure dropped" in decision.reasons[0]


def test_a_small_drop_within_the_tolerance_is_accepted():
    assert decide(scores(0.943, 0.941), scores(0.935, 0.933), tolerance=0.01).activate
    assert decide(scores(0.95, 0.95), scores(0.94, 0.94), tolerance=0.01).activate  # exactly the tolerance


def test_an_accuracy_drop_beyond_the_tolerance_is_refused_naming_accuracy():
    decision = decide(scores(0.943, 0.941), scores(0.900, 0.940), tolerance=0.01)
    assert not decision.activate
    assert len(decision.reasons) == 1
    reason = decision.reasons[0]
    assert "accuracy dropped by 0.043" in reason
    assert "94.3% -> 90.0%" in reason and "0.010" in reason
    assert "macro" not in reason


def test_a_macro_f1_drop_beyond_the_tolerance_is_refused():
    decision = decide(scores(0.943, 0.941), scores(0.945, 0.911), tolerance=0.01)
    assert not decision.activate
    assert decision.reasons == ["macro-F1 dropped by 0.030 (0.941 -> 0.911), more than the tolerance of 0.010"]


def test_both_drops_are_named():
    decision = decide(scores(0.943, 0.941), scores(0.5, 0.4), tolerance=0.01)
    assert not decision.activate
    assert [reason.split(" dropped")[0] for reason in decision.reasons] == ["intent accuracy", "macro-F1"]


def test_an_improvement_is_accepted():
    decision = decide(scores(0.90, 0.88), scores(0.95, 0.94), tolerance=0.0)
    assert decision.activate
    assert "+0.050" in decision.reasons[0] and "+0.060" in decision.reasons[0]


def test_a_larger_tolerance_accepts_a_larger_drop():
    assert not decide(scores(0.94, 0.94), scores(0.92, 0.94), tolerance=0.01).activate
    assert decide(scores(0.94, 0.94), scores(0.92, 0.94), tolerance=0.03).activate


def test_evaluate_runs_rasa_test_nlu_and_reads_its_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    commands = []

    def fake_run(command, **kwargs):
        commands.append(command)
        out = Path(command[command.index("--out") + 1])
        (out / "intent_report.json").write_text(json.dumps(intent_report({"greet": 0.9}, 0.8, 0.7)))
        return type("Done", (), {"returncode": 0})()

    monkeypatch.setattr(retrain.subprocess, "run", fake_run)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "intent_report.json").write_text("stale")
    result = retrain.evaluate(tmp_path / "m.tar.gz", tmp_path / "out", tmp_path / "nlu")
    assert result == NluScores(0.8, 0.7, {"greet": 0.9})
    assert commands[0][1:] == [
        "test",
        "nlu",
        "--nlu",
        str(tmp_path / "nlu"),
        "--model",
        str(tmp_path / "m.tar.gz"),
        "--out",
        str(tmp_path / "out"),
        "--no-plot",
    ]


def test_evaluate_failure_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(retrain.subprocess, "run", lambda command, **kwargs: type("Done", (), {"returncode": 1})())
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "intent_report.json").write_text(json.dumps(intent_report({}, 0.9, 0.9)))  # stale
    with pytest.raises(retrain.RetrainError, match="exit status 1"):
        retrain.evaluate(tmp_path / "m.tar.gz", tmp_path / "out", tmp_path / "nlu")
