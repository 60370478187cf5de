"""tools.retrain's activation, without Rasa: installing a model beside the previous one, asking a (fake) Rasa
server to load it, and main() with the evaluation stubbed."""

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.unit.retrain_helpers import scores
from tools import retrain
from tools.model_activation import install_model, reload_server
from tools.retrain import EXIT_ACTIVATED, EXIT_REFUSED, NluScores

TOKEN = "s3cret/token+"


@contextmanager
def refused_port() -> Iterator[int]:
    """A port bound but never listening: connecting to it is refused, as with no server running."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


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
