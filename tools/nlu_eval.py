"""Held-out NLU evaluation as the live server sees it, with the FallbackClassifier applied.

`rasa test nlu` undoes fallback predictions before scoring, so it can't say how many out-of-domain messages
the assistant rejects. This parses every example with the trained model and reports:
  - in-domain intent accuracy (a fallback on a shop message counts as an error),
  - out-of-domain rejection (an `out_of_scope` example is rejected when predicted out_of_scope or nlu_fallback),
  - the same two figures for a range of fallback thresholds, and for a range of ambiguity thresholds at the
    configured fallback threshold, to tune both by measurement (on tests/nlu_validation, never on tests/nlu).

    python -m tools.nlu_eval --model models/larkspur.tar.gz --nlu tests/nlu
"""

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
REJECTIONS = (OUT_OF_SCOPE, FALLBACK)


@dataclass(frozen=True)
class Prediction:
    text: str
    expected: str
    predicted: str  # what the live server would act on, fallback included
    top_intent: str  # the classifier's own best intent, before any fallback
    top_confidence: float
    runner_up_confidence: float


@dataclass(frozen=True)
class Scores:
    threshold: float
    in_domain_accuracy: float
    out_of_domain_rejection: float
    overall_accuracy: float
    in_domain_count: int
    out_of_domain_count: int


def decide(prediction: Prediction, threshold: float, ambiguity: float) -> str:
    """The intent the FallbackClassifier would leave with these settings."""
    if prediction.top_confidence < threshold or prediction.top_confidence - prediction.runner_up_confidence < ambiguity:
        return FALLBACK
    return prediction.top_intent


def is_correct(expected: str, predicted: str) -> bool:
    if expected == OUT_OF_SCOPE:
        return predicted in REJECTIONS
    return predicted == expected


def score(predictions: Sequence[Prediction], threshold: float, ambiguity: float) -> Scores:
    in_domain = [p for p in predictions if p.expected != OUT_OF_SCOPE]
    out_of_domain = [p for p in predictions if p.expected == OUT_OF_SCOPE]
    right_in = sum(is_correct(p.expected, decide(p, threshold, ambiguity)) for p in in_domain)
    right_out = sum(is_correct(p.expected, decide(p, threshold, ambiguity)) for p in out_of_domain)
    return Scores(
        threshold=threshold,
        in_domain_accuracy=right_in / len(in_domain) if in_domain else 0.0,
        out_of_domain_rejection=right_out / len(out_of_domain) if out_of_domain else 0.0,
        overall_accuracy=(right_in + right_out) / len(predictions) if predictions else 0.0,
        in_domain_count=len(in_domain),
        out_of_domain_count=len(out_of_domain),
    )


def per_intent_f1(predictions: Sequence[Prediction]) -> Dict[str, float]:
    """F1 per expected intent; an out_of_scope example predicted as nlu_fallback counts as right."""
    from sklearn.metrics import f1_score

    def label(intent: str) -> str:
        return OUT_OF_SCOPE if intent in REJECTIONS else intent

    expected = [label(p.expected) for p in predictions]
    intents = sorted(set(expected))
    if not intents:
        return {}
    # zero_division=0: an intent never predicted has precision 0, not a warning
    scores = f1_score(
        expected, [label(p.predicted) for p in predictions], labels=intents, average=None, zero_division=0
    )
    return {intent: float(f1) for intent, f1 in zip(intents, scores, strict=True)}


def macro_f1(predictions: Sequence[Prediction]) -> float:
    """The mean F1 of the in-domain intents in the set (an out-of-domain request taken as one lowers precision)."""
    scores = [f1 for intent, f1 in per_intent_f1(predictions).items() if intent != OUT_OF_SCOPE]
    return sum(scores) / len(scores) if scores else 0.0


def load_examples(paths: Iterable[Path]) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            examples.append((message.get("text"), message.get("intent")))
    return examples


async def predict(model: Path, examples: Sequence[Tuple[str, str]]) -> List[Prediction]:
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    agent = Agent.load(str(model))
    predictions = []
    for text, expected in examples:
        result = await agent.parse_message(text)
        ranking = [entry for entry in result.get("intent_ranking", []) if entry["name"] != FALLBACK]
        top: Dict[str, Any] = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
        runner_up = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        predictions.append(
            Prediction(text, expected, result["intent"]["name"], top["name"], top["confidence"], runner_up)
        )
    return predictions


def configured_fallback(model: Path) -> Tuple[float, float]:
    """The threshold and ambiguity threshold the model was trained with (its config.yml)."""
    import tarfile

    with tarfile.open(model) as archive:
        member = next(m for m in archive.getmembers() if m.name.lstrip("/") == "metadata.json")
        metadata_file = archive.extractfile(member)
        if metadata_file is None:
            raise ValueError(f"{model}: metadata.json is not a file")
        metadata = json.load(metadata_file)
    for node in metadata["predict_schema"]["nodes"].values():
        if node["uses"].endswith("FallbackClassifier"):
            return float(node["config"]["threshold"]), float(node["config"]["ambiguity_threshold"])
    return 0.0, 0.0


AMBIGUITY_SWEEP = (0.0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2)


def with_configured(candidates: Sequence[float], configured: float) -> List[float]:
    return sorted(set(candidates) | {configured})


def report(
    predictions: Sequence[Prediction],
    threshold: float,
    ambiguity: float,
    sweep: Sequence[float],
    ambiguity_sweep: Sequence[float] = AMBIGUITY_SWEEP,
    title: str = "Held-out NLU test",
) -> str:
    lines = []
    current = score(predictions, threshold, ambiguity)
    lines.append(
        f"{title}: {current.in_domain_count} shop/conversation messages, "
        f"{current.out_of_domain_count} out-of-domain requests (fallback threshold {threshold}, "
        f"ambiguity {ambiguity})"
    )
    lines.append(f"  in-domain intent accuracy : {current.in_domain_accuracy:.1%}")
    lines.append(f"  out-of-domain rejected    : {current.out_of_domain_rejection:.1%}")
    lines.append(f"  overall accuracy          : {current.overall_accuracy:.1%}")
    lines.append(f"  macro F1, in-domain       : {macro_f1(predictions):.3f}")
    lines.append("")
    lines.append("  threshold  in-domain  out-of-domain rejected")
    for candidate in sweep:
        s = score(predictions, candidate, ambiguity)
        marker = "  <- configured" if abs(candidate - threshold) < 1e-9 else ""
        lines.append(f"  {candidate:9.2f}  {s.in_domain_accuracy:9.1%}  {s.out_of_domain_rejection:22.1%}{marker}")
    lines.append("")
    lines.append(f"  ambiguity  in-domain  out-of-domain rejected   (fallback threshold {threshold})")
    for candidate in with_configured(ambiguity_sweep, ambiguity):
        s = score(predictions, threshold, candidate)
        marker = "  <- configured" if abs(candidate - ambiguity) < 1e-9 else ""
        lines.append(f"  {candidate:9.2f}  {s.in_domain_accuracy:9.1%}  {s.out_of_domain_rejection:22.1%}{marker}")
    lines.append("")
    weakest = sorted(per_intent_f1(predictions).items(), key=lambda item: item[1])[:8]
    lines.append("  weakest intents (F1): " + ", ".join(f"{name} {f1:.2f}" for name, f1 in weakest))
    confusions = Counter((p.expected, p.predicted) for p in predictions if not is_correct(p.expected, p.predicted))
    lines.append("  most frequent confusions (expected -> predicted):")
    for (expected, predicted), count in confusions.most_common(10):
        lines.append(f"    {count} x {expected} -> {predicted}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--nlu", type=Path, nargs="+", required=True, help="NLU files or folders")
    parser.add_argument("--title", default="Held-out NLU test", help="what the set is, for the report's heading")
    parser.add_argument("--json", type=Path, help="also write every prediction and the scores here")
    parser.add_argument("--min-in-domain", type=float, default=0.0, help="exit 1 below this accuracy")
    parser.add_argument("--min-rejection", type=float, default=0.0, help="exit 1 below this rejection rate")
    args = parser.parse_args(argv)

    files = [f for path in args.nlu for f in (sorted(path.rglob("*.yml")) if path.is_dir() else [path])]
    examples = load_examples(files)
    predictions = asyncio.run(predict(args.model, examples))
    threshold, ambiguity = configured_fallback(args.model)
    sweep = with_configured([round(0.3 + 0.05 * step, 2) for step in range(13)], threshold)
    print(report(predictions, threshold, ambiguity, sweep, title=args.title))
    current = score(predictions, threshold, ambiguity)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"scores": asdict(current), "predictions": [asdict(p) for p in predictions]}, indent=1)
        )
    if current.in_domain_accuracy < args.min_in_domain or current.out_of_domain_rejection < args.min_rejection:
        print(
            f"FAILED: below the floor (in-domain >= {args.min_in_domain:.1%}, rejection >= {args.min_rejection:.1%})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
