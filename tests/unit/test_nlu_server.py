"""The NLU worker (addons/nlu_server.py) as the Rasa server's `nlu` endpoint talks to it, with a fake model.

The real model behind it is covered end to end: the e2e tests start the servers as `make run` does, NLU worker
included (tests/e2e/test_rest_conversations.py checks that it parsed their messages).
"""

import asyncio
import os
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from rasa.core.channels import UserMessage
from rasa.core.http_interpreter import RasaNLUHttpInterpreter
from rasa.utils.endpoints import EndpointConfig
from sanic_serving import serving

from addons import nlu_server
from addons.nlu_server import ServedModel, create_app

TOKEN = "a-token-for-the-tests"


class FakeModels:
    """Loads "models" whose parse answers `greet` and names the file it came from; can be told to fail."""

    def __init__(self) -> None:
        self.loaded: List[str] = []
        self.broken: set = set()

    def load(self, model_file: str):
        self.loaded.append(model_file)
        if os.path.basename(model_file) in self.broken:
            raise ValueError("not a model")

        async def parse(text: str) -> Dict[str, Any]:
            return {
                "text": text,
                "intent": {"name": "greet", "confidence": 0.9},
                "entities": [],
                "model": os.path.basename(model_file),
            }

        return parse


@pytest.fixture
def fakes() -> FakeModels:
    return FakeModels()


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "larkspur.tar.gz").write_bytes(b"first model")
    return folder


def make_newest(model_file: Path) -> None:
    """Date `model_file` after every other model, as a model trained or installed just now is."""
    later = time.time() + 10
    os.utime(model_file, (later, later))


def parse_through_rasa(url: str, token: str, text: str) -> Dict[str, Any]:
    """What the Rasa server does with each message when endpoints name an `nlu` server."""

    async def parse() -> Dict[str, Any]:
        interpreter = RasaNLUHttpInterpreter(EndpointConfig(url, token=token))
        try:
            return await interpreter.parse(UserMessage(text, sender_id="customer-1"))
        finally:
            await interpreter.session.close()

    return asyncio.run(parse())


def status(url: str) -> Dict[str, Any]:
    response = requests.get(f"{url}/status", timeout=5)
    assert response.status_code == 200
    return response.json()


def test_rasa_gets_the_parse_from_the_worker(models_dir: Path, fakes: FakeModels):
    model = ServedModel(str(models_dir), fakes.load)
    with serving(create_app(model, TOKEN, reload_every=None)) as url:
        texts = ["hi there", "<script>alert(1)</script> 🙂 où est ma commande", "x" * 10_000]
        for text in texts:
            parsed = parse_through_rasa(url, TOKEN, text)
            assert parsed["intent"] == {"name": "greet", "confidence": 0.9}
            assert parsed["text"] == text
            assert parsed["model"] == "larkspur.tar.gz"
        assert status(url) == {"model_file": "larkspur.tar.gz", "messages_parsed": len(texts)}


def test_a_missing_or_wrong_token_is_refused(models_dir: Path, fakes: FakeModels):
    with serving(create_app(ServedModel(str(models_dir), fakes.load), TOKEN, reload_every=None)) as url:
        # Rasa's interpreter turns a refusal into an empty parse (no intent), and logs it.
        assert parse_through_rasa(url, "another-token", "hi")["intent"]["name"] == ""
        for body in (
            {"text": "hi"},
            {"text": "hi", "token": ""},
            {"text": "hi", "token": TOKEN + "x"},
            {"text": "hi", "token": None},
        ):
            response = requests.post(f"{url}/model/parse", json=body, timeout=5)
            assert response.status_code == 401
            assert response.json()["message"] == "Missing or wrong token."
        assert status(url)["messages_parsed"] == 0


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "The body must be a JSON object with a 'text'."),
        (b"{not json", "The body must be a JSON object with a 'text'."),
        (b"\xff\xfe\x00binary", "The body must be a JSON object with a 'text'."),
        (b'["hi"]', "The body must be a JSON object with a 'text'."),
        (f'{{"token": "{TOKEN}"}}'.encode(), "'text' must be a string."),
        (f'{{"token": "{TOKEN}", "text": 42}}'.encode(), "'text' must be a string."),
    ],
)
def test_malformed_requests_get_a_clear_400(models_dir: Path, fakes: FakeModels, body: bytes, message: str):
    with serving(create_app(ServedModel(str(models_dir), fakes.load), TOKEN, reload_every=None)) as url:
        response = requests.post(
            f"{url}/model/parse", data=body, timeout=5, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json() == {"status": "failure", "message": message}


def test_a_worker_without_a_token_does_not_start(
    models_dir: Path, fakes: FakeModels, monkeypatch: pytest.MonkeyPatch, capsys
):
    with pytest.raises(ValueError):
        create_app(ServedModel(str(models_dir), fakes.load), "")
    monkeypatch.delenv(nlu_server.TOKEN_VARIABLE, raising=False)
    assert nlu_server.main(["--model", str(models_dir)]) == 2
    assert nlu_server.TOKEN_VARIABLE in capsys.readouterr().err


def test_a_model_replaced_on_disk_is_loaded_and_used(models_dir: Path, fakes: FakeModels):
    model = ServedModel(str(models_dir), fakes.load)
    assert not asyncio.run(model.reload_if_changed())
    assert len(fakes.loaded) == 1

    # As `make retrain` installs a model: written beside it, then moved over it.
    staging = models_dir / "staging.part"
    staging.write_bytes(b"second model")
    os.replace(staging, models_dir / "larkspur.tar.gz")
    assert asyncio.run(model.reload_if_changed())
    assert len(fakes.loaded) == 2
    assert not asyncio.run(model.reload_if_changed())

    # A folder serves its newest model, as `rasa run --model models` picks it.
    newer = models_dir / "newer.tar.gz"
    newer.write_bytes(b"third model")
    make_newest(newer)
    assert asyncio.run(model.reload_if_changed())
    assert asyncio.run(model.parse("hi"))["model"] == "newer.tar.gz"


def test_a_model_that_fails_to_load_leaves_the_old_one_serving(models_dir: Path, fakes: FakeModels):
    model = ServedModel(str(models_dir), fakes.load)
    broken = models_dir / "broken.tar.gz"
    broken.write_bytes(b"truncated")
    make_newest(broken)
    fakes.broken.add("broken.tar.gz")

    assert not asyncio.run(model.reload_if_changed())
    assert asyncio.run(model.parse("hi"))["model"] == "larkspur.tar.gz"
    assert not asyncio.run(model.reload_if_changed())  # not tried again until it changes
    assert fakes.loaded.count(str(broken)) == 1

    broken.unlink()  # back to the model it kept serving: nothing to load
    assert not asyncio.run(model.reload_if_changed())
    assert fakes.loaded.count(str(models_dir / "larkspur.tar.gz")) == 1


def test_the_running_worker_follows_a_new_model(models_dir: Path, fakes: FakeModels):
    with serving(create_app(ServedModel(str(models_dir), fakes.load), TOKEN, reload_every=0.05)) as url:
        assert parse_through_rasa(url, TOKEN, "hi")["model"] == "larkspur.tar.gz"
        newer = models_dir / "larkspur-retrained.tar.gz"
        newer.write_bytes(b"retrained")
        make_newest(newer)
        deadline = time.monotonic() + 5
        while status(url)["model_file"] != newer.name and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status(url)["model_file"] == newer.name
        assert parse_through_rasa(url, TOKEN, "hi")["model"] == newer.name
