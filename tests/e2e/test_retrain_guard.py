"""The retrain guard with real Rasa: a deliberately worse model (the intent classifier without the sentence
embedding and regularised a thousand times harder) must be refused, with exit status 3, a reason naming the drop,
and the current model untouched.

About 2-3 minutes on 2 cores: under a minute to train the worse NLU model, then `rasa test nlu` on both models.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from customer_care.settings import PROJECT_ROOT
from tools.retrain import EXIT_REFUSED

CURRENT_MODEL = PROJECT_ROOT / "models" / "larkspur.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")


def fingerprint(path: Path) -> tuple:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def worse_config(target: Path) -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    classifier = [node for node in config["pipeline"] if node["name"].endswith("LinearIntentClassifier")]
    assert len(classifier) == 1, "config.yml has no single LinearIntentClassifier to make worse"
    classifier[0]["featurizers"] = ["char_ngrams"]
    classifier[0]["C"] = classifier[0].get("C", 20) / 1000
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def test_a_worse_model_is_refused_and_the_current_one_kept(tmp_path: Path):
    if not CURRENT_MODEL.exists():
        pytest.fail(f"no trained model at {CURRENT_MODEL}: run `make train` first")
    before = fingerprint(CURRENT_MODEL)

    # Its own training cache, so the project's .rasa/cache neither helps nor gets a worse classifier in it.
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(tmp_path / "cache"), RASA_URL="http://127.0.0.1:9")
    env.pop("RETRAIN_TOLERANCE", None)
    started = time.monotonic()
    trained = subprocess.run(
        [
            RASA,
            "train",
            "nlu",
            "--config",
            str(worse_config(tmp_path / "config.yml")),
            "--nlu",
            "data/nlu",
            "--out",
            str(tmp_path / "out"),
            "--fixed-model-name",
            "worse",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    worse = tmp_path / "out" / "worse.tar.gz"
    assert trained.returncode == 0 and worse.exists(), trained.stdout[-3000:] + trained.stderr[-3000:]
    trained_in = time.monotonic() - started

    models = tmp_path / "models"
    models.mkdir()
    (models / "larkspur.tar.gz").write_bytes(CURRENT_MODEL.read_bytes())
    copy_before = fingerprint(models / "larkspur.tar.gz")

    started = time.monotonic()
    guarded = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.retrain",
            "--candidate",
            str(worse),
            "--current",
            str(CURRENT_MODEL),
            "--no-activate",
            "--models-dir",
            str(models),
            "--out",
            str(tmp_path / "results"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=480,
    )
    guarded_in = time.monotonic() - started
    output = guarded.stdout + guarded.stderr
    print(f"worse model trained in {trained_in:.0f} s; retrain guard ran in {guarded_in:.0f} s\n{guarded.stdout}")

    assert guarded.returncode == EXIT_REFUSED, output[-4000:]
    assert "REFUSED" in guarded.stdout
    assert "intent accuracy dropped by" in guarded.stdout or "macro-F1 dropped by" in guarded.stdout
    assert "more than the tolerance of 0.010" in guarded.stdout
    assert fingerprint(CURRENT_MODEL) == before
    assert fingerprint(models / "larkspur.tar.gz") == copy_before
    assert sorted(path.name for path in models.iterdir()) == ["larkspur.tar.gz"]
    assert worse.exists()
    assert (tmp_path / "results" / "current" / "intent_report.json").exists()
    assert (tmp_path / "results" / "candidate" / "intent_report.json").exists()
