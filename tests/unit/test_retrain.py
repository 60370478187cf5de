"""tools.retrain without Rasa: reading intent reports, the comparison table, the guard's decision, installing
a model, asking a (fake) Rasa server to load it, and main() with the evaluation stubbed."""

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

from tools import retrain
from tools.model_activation import install_model, reload_server
from tools.retrain import (
    EXIT_ACTIVATED,
    EXIT_REFUSED,
    NluScores,
    comparison_table,
    decide,
    load_scores,
    scores_from_report,
)

TOKEN = "s3cret/token+"


@contextmanager
def refused_port() -> Iterator[int]:
    """A port bound but never listening: connecting to it is refused, as with no server running."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


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


def scores(accuracy: float = 0.94, macro_f1: float = 0.94, **per_intent: float) -> NluScores:
    return NluScores(accuracy, macro_f1, dict(per_intent))


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


# ------------------------------------------------------------------------------------------------ activation


def test_install_keeps_the_previous_model(tmp_path: Path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "larkspur.tar.gz").write_bytes(b"old model")
    candidate = models / "candidates" / "candidate.tar.gz"
    candidate.parent.mkdir()
    candidate.write_bytes(b"new model")

    target, previous = install_model(candidate, models)

    assert target == models / "larkspur.tar.gz" and target.read_bytes() == b"new model"
    assert previous == models / "larkspur.previous.tar.gz" and previous.read_bytes() == b"old model"
    assert candidate.read_bytes() == b"new model"
    # `rasa run --model models` loads the newest file of the folder: it must be the new model
    assert target.stat().st_mtime >= previous.stat().st_mtime
    assert sorted(p.name for p in models.iterdir()) == ["candidates", "larkspur.previous.tar.gz", "larkspur.tar.gz"]


def test_install_without_a_model_to_replace(tmp_path: Path):
    candidate = tmp_path / "candidate.tar.gz"
    candidate.write_bytes(b"new model")
    target, previous = install_model(candidate, tmp_path / "models")
    assert target.read_bytes() == b"new model" and previous is None


class FakeRasa:
    """http.server in a thread on a free port; records PUT /model and answers /status."""

    def __init__(self, put_status: int = 204, put_body: Optional[Dict] = None) -> None:
        self.requests: List[Dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                url = urlsplit(self.path)
                fake.requests.append(
                    {
                        "method": "PUT",
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                payload = json.dumps(put_body).encode() if put_body is not None else b""
                self.send_response(put_status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                payload = json.dumps({"model_file": "larkspur.tar.gz", "model_id": "abc"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeRasa":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_reload_puts_the_absolute_model_path_with_the_token(tmp_path: Path):
    model = tmp_path / "larkspur.tar.gz"
    model.write_bytes(b"model")
    with FakeRasa() as rasa:
        result = reload_server(model, rasa.url + "/", TOKEN, timeout=10)

    assert result.ok, result.message
    assert "now serves larkspur.tar.gz" in result.message
    assert rasa.requests == [
        {
            "method": "PUT",
            "path": "/model",
            "query": {"token": [TOKEN]},
            "content_type": "application/json",
            "body": {"model_file": str(model.resolve())},
        }
    ]
    assert TOKEN not in result.message


def test_reload_with_a_relative_path_sends_it_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.tar.gz").write_bytes(b"model")
    with FakeRasa() as rasa:
        assert reload_server(Path("m.tar.gz"), rasa.url, TOKEN, timeout=10).ok
    assert rasa.requests[0]["body"] == {"model_file": str(tmp_path / "m.tar.gz")}


@pytest.mark.parametrize(
    "status, body, fragment",
    [
        (401, {"message": "User is not authenticated."}, "refused the API token"),
        (403, None, "refused the API token"),
        (404, None, "--enable-api"),
        (500, {"message": "Model file not found"}, "HTTP 500: Model file not found"),
    ],
)
def test_reload_failures_say_why(tmp_path: Path, status, body, fragment):
    with FakeRasa(put_status=status, put_body=body) as rasa:
        result = reload_server(tmp_path / "larkspur.tar.gz", rasa.url, TOKEN, timeout=10)
    assert not result.ok
    assert fragment in result.message
    assert TOKEN not in result.message


def test_reload_without_a_server_running():
    with refused_port() as port:
        result = reload_server(Path("models/larkspur.tar.gz"), f"http://127.0.0.1:{port}", TOKEN, timeout=5)
    assert not result.ok
    assert "no Rasa server is running" in result.message and "the next `make run` uses" in result.message


# ------------------------------------------------------------------------------------------------ main()


@pytest.fixture
def models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    (models / "candidates").mkdir(parents=True)
    (models / "larkspur.tar.gz").write_bytes(b"current model")
    (models / "candidates" / "candidate.tar.gz").write_bytes(b"candidate model")
    return models


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> Dict[str, NluScores]:
    """Stub the evaluation: the scores of each model, by its file's content."""
    by_content: Dict[str, NluScores] = {}
    calls: List[Path] = []

    def fake_evaluate(model: Path, out_dir: Path, nlu: Path = retrain.DEFAULT_NLU_TEST) -> NluScores:
        calls.append(model)
        return by_content[Path(model).read_text()]

    monkeypatch.setattr(retrain, "evaluate", fake_evaluate)
    monkeypatch.setattr(retrain, "train_candidate", lambda models_dir: pytest.fail("must not train"))
    monkeypatch.delenv("RETRAIN_TOLERANCE", raising=False)
    by_content["calls"] = calls  # type: ignore[assignment]
    return by_content


def run_main(models: Path, tmp_path: Path, *extra: str) -> int:
    return retrain.main(
        [
            "--candidate",
            str(models / "candidates" / "candidate.tar.gz"),
            "--models-dir",
            str(models),
            "--out",
            str(tmp_path / "results"),
            *extra,
        ]
    )


def test_main_refuses_a_worse_candidate(models, tmp_path, evaluations, capsys):
    evaluations["current model"] = scores(0.943, 0.941, track_order=0.95)
    evaluations["candidate model"] = scores(0.880, 0.935, track_order=0.80)

    assert run_main(models, tmp_path) == EXIT_REFUSED

    out = capsys.readouterr().out
    assert "REFUSED" in out and "intent accuracy dropped by 0.063" in out
    assert "track_order" in out and "-0.150" in out
    assert (models / "larkspur.tar.gz").read_bytes() == b"current model"
    assert (models / "candidates" / "candidate.tar.gz").read_bytes() == b"candidate model"
    assert not (models / "larkspur.previous.tar.gz").exists()
    assert evaluations["calls"] == [models / "larkspur.tar.gz", models / "candidates" / "candidate.tar.gz"]


def test_main_activates_a_candidate_as_good(models, tmp_path, evaluations, capsys, monkeypatch):
    evaluations["current model"] = scores(0.943, 0.941)
    evaluations["candidate model"] = scores(0.945, 0.938)
    with FakeRasa() as rasa:
        monkeypatch.setenv("RASA_URL", rasa.url)
        monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
        assert run_main(models, tmp_path) == EXIT_ACTIVATED

    out = capsys.readouterr().out
    assert "ACCEPTED" in out and "Loaded: the Rasa server" in out
    assert (models / "larkspur.tar.gz").read_bytes() == b"candidate model"
    assert (models / "larkspur.previous.tar.gz").read_bytes() == b"current model"
    assert [r["body"] for r in rasa.requests] == [{"model_file": str(models / "larkspur.tar.gz")}]


def test_main_no_activate_replaces_the_file_but_leaves_the_server_alone(
    models, tmp_path, evaluations, capsys, monkeypatch
):
    evaluations["current model"] = scores(0.943, 0.941)
    evaluations["candidate model"] = scores(0.943, 0.941)
    with FakeRasa() as rasa:
        monkeypatch.setenv("RASA_URL", rasa.url)
        assert run_main(models, tmp_path, "--no-activate") == EXIT_ACTIVATED
    assert rasa.requests == []
    assert (models / "larkspur.tar.gz").read_bytes() == b"candidate model"
    assert "--no-activate" in capsys.readouterr().out


def test_main_with_no_server_running_still_activates(models, tmp_path, evaluations, capsys, monkeypatch):
    evaluations["current model"] = scores(0.943, 0.941)
    evaluations["candidate model"] = scores(0.95, 0.95)
    with refused_port() as port:
        monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{port}")
        assert run_main(models, tmp_path) == EXIT_ACTIVATED
    assert "the next `make run` uses the new model" in capsys.readouterr().out
    assert (models / "larkspur.tar.gz").read_bytes() == b"candidate model"


def test_main_tolerance_from_the_environment_and_the_option(models, tmp_path, evaluations, monkeypatch):
    evaluations["current model"] = scores(0.943, 0.941)
    evaluations["candidate model"] = scores(0.923, 0.941)  # 2 points less accuracy
    monkeypatch.setenv("RETRAIN_TOLERANCE", "0.03")
    assert run_main(models, tmp_path, "--tolerance", "0.01") == EXIT_REFUSED  # the option wins
    assert (models / "larkspur.tar.gz").read_bytes() == b"current model"
    assert run_main(models, tmp_path, "--no-activate") == EXIT_ACTIVATED


def test_main_rejects_a_bad_tolerance(models, tmp_path, evaluations, monkeypatch):
    monkeypatch.setenv("RETRAIN_TOLERANCE", "lots")
    with pytest.raises(SystemExit) as exit_info:
        run_main(models, tmp_path)
    assert exit_info.value.code == 2


def test_main_without_a_current_model_activates(models, tmp_path, evaluations, capsys):
    (models / "larkspur.tar.gz").unlink()
    evaluations["candidate model"] = scores(0.5, 0.5)
    assert run_main(models, tmp_path, "--no-activate") == EXIT_ACTIVATED
    assert (models / "larkspur.tar.gz").read_bytes() == b"candidate model"
    assert not (models / "larkspur.previous.tar.gz").exists()
    assert "no current model" in capsys.readouterr().out


def test_main_errors_exit_1(models, tmp_path, evaluations, monkeypatch, capsys):
    assert retrain.main(["--candidate", str(tmp_path / "nothing.tar.gz"), "--models-dir", str(models)]) == 1
    assert "no model file" in capsys.readouterr().err

    def failing(model, out_dir, nlu=None):
        raise retrain.RetrainError("`rasa test nlu` failed")

    monkeypatch.setattr(retrain, "evaluate", failing)
    assert run_main(models, tmp_path) == 1
    assert (models / "larkspur.tar.gz").read_bytes() == b"current model"


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
