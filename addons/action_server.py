"""The action server as `make run` starts it: rasa_sdk's actions on 127.0.0.1, behind a shared secret, each run
in a worker thread.

    LARKSPUR_ACTION_SECRET=... python -m addons.action_server --port 5055 [--interface 127.0.0.1] [--workers 4]

`rasa run actions` (still usable, see the README) listens on every address and runs any action for anyone who
can post a tracker: change an address, open urgent tickets. It also runs each action on its only event loop, so
one slow action holds up every customer's. Here:
- the server listens on 127.0.0.1 unless `--interface` says otherwise, and refuses another address without a
  secret;
- with a secret (from LARKSPUR_ACTION_SECRET or the file LARKSPUR_ACTION_SECRET_FILE names; never a command line),
  every request but /health must carry it in the X-Larkspur-Action-Secret header, which Rasa sends from the
  action endpoint's `headers` (scripts/run.sh writes them);
- actions run in a pool of threads, each call on an event loop of its own, so the server's loop only moves
  requests and a CPU-heavy action delays nobody else's.
"""

import argparse
import asyncio
import hmac
import ipaddress
import json
import logging
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Sequence, Text

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import HTTPResponse, Request, Sanic, response

from customer_care.identity import MissingSecret, secret_from_environment

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "LARKSPUR_ACTION_SECRET"
SECRET_HEADER = "X-Larkspur-Action-Secret"
DEFAULT_WORKERS = 4
MAX_REQUEST_BYTES = 32 * 1024 * 1024  # a tracker with a long conversation; only Rasa can send one


class ThreadedActionExecutor(ActionExecutor):
    """rasa_sdk's executor, with each action call run to completion in a worker thread."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        super().__init__()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="action")

    async def run(self, action_call: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        parent_run = super().run
        return await asyncio.get_running_loop().run_in_executor(self.pool, lambda: asyncio.run(parent_run(action_call)))


def is_loopback(interface: Text) -> bool:
    try:
        return ipaddress.ip_address(interface).is_loopback
    except ValueError:
        return interface == "localhost"


def _action_call(request: Request) -> Optional[Dict[Text, Any]]:
    body = request.body or b""
    if request.headers.get("Content-Encoding") == "deflate":
        inflater = zlib.decompressobj()
        body = inflater.decompress(body, MAX_REQUEST_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError("the inflated request is too large")
    call = json.loads(body) if body else None
    return call if isinstance(call, dict) else None


def create_app(secret: Optional[Text], package: Text = "actions", workers: int = DEFAULT_WORKERS) -> Sanic:
    app = Sanic("larkspur_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    executor = ThreadedActionExecutor(workers)
    executor.register_package(package)

    @app.middleware("request")
    async def require_secret(request: Request) -> Optional[HTTPResponse]:
        if secret is None or request.path == "/health":
            return None
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return response.json({"error": "Missing or wrong action server secret."}, status=401)
        return None

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        try:
            action_call = _action_call(request)
        except (ValueError, RecursionError, zlib.error):
            action_call = None
        if action_call is None or not isinstance(action_call.get("tracker"), dict):
            return response.json({"error": "Invalid body request"}, status=400)
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as rejection:
            return response.json({"error": rejection.message, "action_name": rejection.action_name}, status=400)
        except ActionNotFoundException as missing:
            return response.json({"error": missing.message, "action_name": missing.action_name}, status=404)
        return response.json(result, status=200)

    @app.get("/actions")
    async def actions(_: Request) -> HTTPResponse:
        return response.json([{"name": name} for name in executor.actions])

    @app.exception(Exception)
    async def failure(request: Request, exception: Exception) -> HTTPResponse:
        status = getattr(exception, "status_code", 500)
        if status >= 500:
            logger.error("Action call failed: %s", request.path, exc_info=exception)
            return response.json({"error": "The action failed; see the action server's log."}, status=500)
        return response.json({"error": str(exception)}, status=status)

    @app.after_server_stop
    async def stop_pool(*_: Any) -> None:
        executor.pool.shutdown(wait=False, cancel_futures=True)

    return app


def main(argv: Optional[Sequence[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="threads that run actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        secret = secret_from_environment(SECRET_VARIABLE)
    except MissingSecret as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not is_loopback(args.interface) and not secret:
        print(
            f"error: the action server listens on {args.interface} only with a shared secret: set "
            f"{SECRET_VARIABLE} (or {SECRET_VARIABLE}_FILE) here, and send it from Rasa's action endpoint as "
            f"the {SECRET_HEADER} header.",
            file=sys.stderr,
        )
        return 2
    logger.info(
        "Action server on http://%s:%s (%s)",
        args.interface,
        args.port,
        "secret required" if secret else "no secret: loopback only",
    )
    create_app(secret, workers=args.workers).run(
        host=args.interface, port=args.port, access_log=False, motd=False, workers=1
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
