"""Activating a model: it becomes models/larkspur.tar.gz (the one it replaces kept as larkspur.previous.tar.gz),
and a running Rasa server is asked to load it (PUT /model). Used by tools.retrain once a candidate is accepted.
"""

import json
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

MODEL_NAME = "larkspur"
PREVIOUS_NAME = f"{MODEL_NAME}.previous"


@dataclass(frozen=True)
class ServerReload:
    ok: bool
    message: str


def install_model(candidate: Path, models_dir: Path) -> Tuple[Path, Optional[Path]]:
    """Make `candidate` MODELS_DIR/larkspur.tar.gz, keeping the one it replaces as larkspur.previous.tar.gz;
    return both paths (the second None when there was no model to replace).

    The new file is written beside the target first and renamed into place, so a reader never sees half a
    model; it gets a fresh modification time, so `rasa run --model models` (the newest file) picks it."""
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / f"{MODEL_NAME}.tar.gz"
    previous = models_dir / f"{PREVIOUS_NAME}.tar.gz"
    staging = models_dir / f".{MODEL_NAME}.incoming.tar.gz"
    shutil.copyfile(candidate, staging)  # before moving anything: the candidate may be the target itself
    replaced = target.exists()
    try:
        if replaced:
            os.replace(target, previous)  # keeps its modification time, older than the new model's
        os.replace(staging, target)
    finally:
        if staging.exists():
            staging.unlink()
    now = time.time()
    os.utime(target, (now, now))
    return target, previous if replaced else None


def reload_server(model: Path, rasa_url: str, token: str, timeout: float = 300) -> ServerReload:
    """Ask a running Rasa server to load `model` (PUT /model); say what happened. The token is never shown."""
    base = rasa_url.rstrip("/")
    query = f"?token={urllib.parse.quote(token, safe='')}" if token else ""
    body = json.dumps({"model_file": str(Path(model).resolve())}).encode()
    request = urllib.request.Request(
        f"{base}/model{query}", data=body, method="PUT", headers={"Content-Type": "application/json"}
    )
    by_hand = (
        f'load it by hand with: curl -X PUT "{base}/model?token=$RASA_API_TOKEN" '
        f"-H 'Content-Type: application/json' -d '{{\"model_file\": \"{Path(model).resolve()}\"}}'"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        detail = _error_detail(error)
        if error.code in (401, 403):
            return ServerReload(
                False,
                f"the Rasa server at {base} refused the API token (HTTP {error.code}): set "
                f"RASA_API_TOKEN to the token `make run` printed and {by_hand}",
            )
        if error.code == 404:
            return ServerReload(
                False,
                f"the server at {base} has no /model endpoint (HTTP 404; started without "
                f"--enable-api?); restart it, or {by_hand}",
            )
        return ServerReload(
            False,
            f"the Rasa server at {base} could not load the model (HTTP {error.code}"
            f"{': ' + detail if detail else ''}); it still runs the old one",
        )
    except (urllib.error.URLError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, ConnectionRefusedError):
            return ServerReload(False, f"no Rasa server is running at {base}: the next `make run` uses the new model")
        return ServerReload(
            False,
            f"could not reach a Rasa server at {base} ({reason}): if one is running, "
            f"{by_hand}; otherwise the next `make run` uses the new model",
        )
    if status >= 300:
        return ServerReload(False, f"the Rasa server at {base} answered HTTP {status} to PUT /model")
    return ServerReload(True, f"the Rasa server at {base} now serves {_served_model(base, query) or model.name}")


def _error_detail(error: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(error.read() or b"{}")
    except ValueError:
        return ""
    return str(payload.get("message", "")) if isinstance(payload, dict) else ""


def _served_model(base: str, query: str) -> Optional[str]:
    try:
        with urllib.request.urlopen(f"{base}/status{query}", timeout=10) as response:
            return json.load(response).get("model_file")
    except (urllib.error.URLError, OSError, ValueError, AttributeError):
        return None
