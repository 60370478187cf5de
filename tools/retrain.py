"""Retrain with a guard: train a candidate model, score it and the current one on the held-out NLU test set
(tests/nlu), and activate the candidate only when it is not worse.

    python -m tools.retrain                       # make retrain: train, compare, activate or refuse
    python -m tools.retrain --candidate PATH      # compare (and maybe activate) a model trained before
    python -m tools.retrain --tolerance 0.02      # or RETRAIN_TOLERANCE=0.02

The candidate is refused when its `rasa test nlu` intent accuracy or macro F1 is lower than the current model's
by more than the tolerance (0.01 = one percentage point of accuracy). Refused, nothing changes and the candidate
stays in models/candidates/. Accepted, it becomes models/larkspur.tar.gz (the one it replaces is kept as
models/larkspur.previous.tar.gz) and a running Rasa server (RASA_URL, RASA_API_TOKEN) is asked to load it.

Exit status: 0 activated, 3 refused, 1 an error (training or evaluation failed, a file is missing).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from customer_care.settings import PROJECT_ROOT
from tools.model_activation import MODEL_NAME, install_model, reload_server

EXIT_ACTIVATED = 0
EXIT_ERROR = 1
EXIT_REFUSED = 3

CANDIDATE_NAME = "candidate"
DEFAULT_MODELS_DIR = PROJECT_ROOT / "models"
DEFAULT_OUT_DIR = PROJECT_ROOT / "results" / "retrain"
DEFAULT_NLU_TEST = PROJECT_ROOT / "tests" / "nlu"
DEFAULT_TOLERANCE = 0.01
DEFAULT_RASA_URL = "http://localhost:5005"
MOVED_AT_LEAST = 0.01  # intents whose F1 moved less than this are left out of the table
STEPS = 4

# Keys of sklearn's classification_report (and Rasa's additions) that are not intents.
AGGREGATE_KEYS = frozenset({"accuracy", "macro avg", "weighted avg", "micro avg", "samples avg"})
_EPSILON = 1e-9  # so that a drop of exactly the tolerance, give or take float rounding, is accepted


class RetrainError(Exception):
    """Training or evaluation failed; the message says what to look at."""


@dataclass(frozen=True)
class NluScores:
    accuracy: float
    macro_f1: float
    per_intent_f1: Dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    activate: bool
    reasons: List[str]


# ---------------------------------------------------------------------------------------------------- scores


def scores_from_report(report: Dict) -> NluScores:
    """The figures the guard compares, from `rasa test nlu`'s intent_report.json (a sklearn classification_report
    dict with Rasa's "confused_with" added per intent)."""
    try:
        macro_f1 = float(report["macro avg"]["f1-score"])
        accuracy = report.get("accuracy")
        if accuracy is None:  # sklearn reports "micro avg" instead when some labels were never predicted
            accuracy = report["micro avg"]["f1-score"]
        accuracy = float(accuracy)
    except (KeyError, TypeError, ValueError) as error:
        raise RetrainError(f"intent report without accuracy or macro avg ({error!r})") from None
    per_intent = {
        name: float(values["f1-score"])
        for name, values in report.items()
        if name not in AGGREGATE_KEYS and isinstance(values, dict) and "f1-score" in values
    }
    return NluScores(accuracy=accuracy, macro_f1=macro_f1, per_intent_f1=per_intent)


def load_scores(report_path: Path) -> NluScores:
    try:
        report = json.loads(Path(report_path).read_text())
    except (OSError, ValueError) as error:
        raise RetrainError(f"cannot read {report_path}: {error}") from None
    return scores_from_report(report)


def rasa_executable() -> str:
    beside_python = Path(sys.executable).parent / "rasa"
    if beside_python.exists():
        return str(beside_python)
    venv = PROJECT_ROOT / ".venv" / "bin" / "rasa"
    return str(venv) if venv.exists() else "rasa"


def evaluate(model: Path, out_dir: Path, nlu: Path = DEFAULT_NLU_TEST) -> NluScores:
    """`rasa test nlu` on the held-out set in a subprocess; its log goes to OUT_DIR/rasa-test-nlu.log."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report_path = out_dir / "intent_report.json"
    if report_path.exists():
        report_path.unlink()  # never read a report left by an earlier run
    log_path = out_dir / "rasa-test-nlu.log"
    command = [
        rasa_executable(),
        "test",
        "nlu",
        "--nlu",
        str(nlu),
        "--model",
        str(model),
        "--out",
        str(out_dir),
        "--no-plot",
    ]
    with open(log_path, "wb") as log:
        result = subprocess.run(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not report_path.exists():
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RetrainError(
            f"`rasa test nlu` on {model} failed (exit status {result.returncode}); its log is {log_path}:\n{tail}"
        )
    return load_scores(report_path)


def train_candidate(models_dir: Path) -> Path:
    """`rasa train` into MODELS_DIR/candidates/candidate.tar.gz, Rasa's progress shown as it goes."""
    out = models_dir / "candidates"
    candidate = out / f"{CANDIDATE_NAME}.tar.gz"
    if candidate.exists():
        candidate.unlink()  # a failed training must not leave the last candidate looking new
    command = [rasa_executable(), "train", "--fixed-model-name", CANDIDATE_NAME, "--out", str(out)]
    sys.stdout.flush()
    result = subprocess.run(command, cwd=PROJECT_ROOT)
    if result.returncode != 0 or not candidate.exists():
        raise RetrainError(f"`rasa train` failed (exit status {result.returncode}); see its output above")
    return candidate


# ---------------------------------------------------------------------------------------------------- report


def _signed(value: float, digits: int = 3) -> str:
    return f"{round(value, digits) + 0.0:+.{digits}f}"  # + 0.0: no "-0.000" for a float-noise difference


def comparison_table(current: NluScores, candidate: NluScores, moved_at_least: float = MOVED_AT_LEAST) -> str:
    """Accuracy, macro F1, and every intent whose F1 moved by at least `moved_at_least`, biggest drop first;
    intents that only one model knows are shown as new or removed."""
    lines = [
        f"  {'':28} {'current':>9} {'candidate':>9} {'change':>8}",
        f"  {'intent accuracy':28} {current.accuracy:>9.1%} {candidate.accuracy:>9.1%} "
        f"{_signed(candidate.accuracy - current.accuracy):>8}",
        f"  {'macro F1':28} {current.macro_f1:>9.3f} {candidate.macro_f1:>9.3f} "
        f"{_signed(candidate.macro_f1 - current.macro_f1):>8}",
    ]
    before, after = current.per_intent_f1, candidate.per_intent_f1
    common = sorted(set(before) & set(after))
    moved = [
        (name, before[name], after[name], after[name] - before[name])
        for name in common
        if abs(after[name] - before[name]) >= moved_at_least - _EPSILON
    ]
    moved.sort(key=lambda row: (row[3], row[0]))
    new = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    lines.append("")
    if not (moved or new or removed):
        lines.append(f"  No intent's F1 moved by {moved_at_least:.2f} or more ({len(common)} intents).")
        return "\n".join(lines)
    lines.append(
        f"  Intents whose F1 moved by {moved_at_least:.2f} or more ({len(common) - len(moved)} others moved less):"
    )
    lines.append(f"  {'intent':28} {'before':>9} {'after':>9} {'change':>8}")
    for name, old, updated, change in moved:
        lines.append(f"  {name:28} {old:>9.3f} {updated:>9.3f} {_signed(change):>8}")
    for name in new:
        lines.append(f"  {name:28} {'-':>9} {after[name]:>9.3f} {'new':>8}")
    for name in removed:
        lines.append(f"  {name:28} {before[name]:>9.3f} {'-':>9} {'removed':>8}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- decision


def decide(current: NluScores, candidate: NluScores, tolerance: float) -> Decision:
    """Refuse when the candidate's accuracy or macro F1 is lower than the current model's by more than
    `tolerance`; otherwise accept."""
    figures = [
        ("intent accuracy", current.accuracy, candidate.accuracy, lambda v: f"{v:.1%}"),
        ("macro-F1", current.macro_f1, candidate.macro_f1, lambda v: f"{v:.3f}"),
    ]
    refusals = []
    for name, old, new, shown in figures:
        drop = old - new
        if drop > tolerance + _EPSILON:
            refusals.append(
                f"{name} dropped by {drop:.3f} ({shown(old)} -> {shown(new)}), more than the tolerance of "
                f"{tolerance:.3f}"
            )
    if refusals:
        return Decision(activate=False, reasons=refusals)
    summary = ", ".join(
        f"{name} {shown(old)} -> {shown(new)} ({_signed(new - old)})" for name, old, new, shown in figures
    )
    return Decision(
        activate=True, reasons=[f"no figure dropped by more than the tolerance of {tolerance:.3f}: {summary}"]
    )


# ---------------------------------------------------------------------------------------------------- CLI


def _shown(path: Path) -> str:
    """A path relative to the working directory when it lies under it, as a user would type it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _step(number: int, text: str) -> None:
    print(f"\n{number}/{STEPS} {text}", flush=True)


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"the tolerance is a fraction between 0 and 1, not {value}")
    return value


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidate", type=Path, help="use this model file instead of training one")
    parser.add_argument(
        "--current", type=Path, help="the model to compare against (default: MODELS_DIR/larkspur.tar.gz)"
    )
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=DEFAULT_MODELS_DIR,
        help="where larkspur.tar.gz, larkspur.previous.tar.gz and candidates/ live (default: models)",
    )
    parser.add_argument("--nlu", type=Path, default=DEFAULT_NLU_TEST, help="held-out test set (default: tests/nlu)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="where the evaluations go, in current/ and candidate/ (default: results/retrain)",
    )
    parser.add_argument(
        "--tolerance",
        type=_tolerance,
        default=None,
        help=f"largest drop in accuracy or macro F1 still accepted (default: RETRAIN_TOLERANCE or {DEFAULT_TOLERANCE})",
    )
    parser.add_argument(
        "--no-activate",
        action="store_true",
        help="when accepted, replace models/larkspur.tar.gz but do not ask a running Rasa server to load it",
    )
    args = parser.parse_args(argv)
    if args.tolerance is None:
        try:
            args.tolerance = _tolerance(os.environ.get("RETRAIN_TOLERANCE") or str(DEFAULT_TOLERANCE))
        except argparse.ArgumentTypeError as error:
            parser.error(f"RETRAIN_TOLERANCE: {error}")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    models_dir = args.models_dir.resolve()
    current_model = (args.current or models_dir / f"{MODEL_NAME}.tar.gz").resolve()
    out_dir = args.out.resolve()
    began = time.monotonic()
    try:
        if args.candidate:
            candidate = args.candidate.resolve()
            if not candidate.is_file():
                raise RetrainError(f"no model file at {candidate}")
            _step(1, f"Using the candidate {_shown(candidate)} (no training).")
        else:
            _step(1, "Training a new model (about 5 minutes on 2 cores)...")
            started = time.monotonic()
            candidate = train_candidate(models_dir)
            print(f"    trained {_shown(candidate)} in {time.monotonic() - started:.0f} s")

        if current_model.is_file():
            _step(2, f"Evaluating the current model {_shown(current_model)} on {_shown(args.nlu)} (about 30 s)...")
            started = time.monotonic()
            current = evaluate(current_model, out_dir / "current", args.nlu.resolve())
            print(f"    done in {time.monotonic() - started:.0f} s")
        else:
            _step(2, f"No current model at {_shown(current_model)}: nothing to compare against.")
            current = None

        _step(3, f"Evaluating the candidate on {_shown(args.nlu)} (about 30 s)...")
        started = time.monotonic()
        scores = evaluate(candidate, out_dir / "candidate", args.nlu.resolve())
        print(f"    done in {time.monotonic() - started:.0f} s")
    except RetrainError as error:
        print(f"\nretrain: {error}", file=sys.stderr)
        return EXIT_ERROR

    _step(4, "Comparing on the held-out test set (rasa test nlu):")
    if current is None:
        print(f"  intent accuracy {scores.accuracy:.1%}, macro F1 {scores.macro_f1:.3f}")
        decision = Decision(True, [f"there is no current model at {current_model} to compare against"])
    else:
        print(comparison_table(current, scores))
        decision = decide(current, scores, args.tolerance)

    if not decision.activate:
        print("\nREFUSED: the candidate is worse than the current model:")
        for reason in decision.reasons:
            print(f"  - {reason}")
        print(f"Nothing changed: {_shown(current_model)} stays active; the candidate stays at {_shown(candidate)}.")
        print(
            f"(A larger drop is accepted with RETRAIN_TOLERANCE, now {args.tolerance}; the full reports are in "
            f"{_shown(out_dir)}.)"
        )
        return EXIT_REFUSED

    print("\nACCEPTED: " + "; ".join(decision.reasons) + ".")
    try:
        target, previous = install_model(candidate, models_dir)
    except OSError as error:
        print(f"retrain: could not install the candidate into {models_dir}: {error}", file=sys.stderr)
        return EXIT_ERROR
    kept = f" (the one it replaced is kept as {_shown(previous)})" if previous else ""
    print(f"Activated: {_shown(target)} is the new model{kept}.")
    if args.no_activate:
        print("Not asking a running Rasa server to load it (--no-activate): the next `make run` uses it.")
    else:
        rasa_url = os.environ.get("RASA_URL") or DEFAULT_RASA_URL
        reload = reload_server(target, rasa_url, (os.environ.get("RASA_API_TOKEN") or "").strip())
        print(("Loaded: " if reload.ok else "Not loaded: ") + reload.message + ".")
    print(f"Done in {time.monotonic() - began:.0f} s.")
    return EXIT_ACTIVATED


if __name__ == "__main__":
    sys.exit(main())
