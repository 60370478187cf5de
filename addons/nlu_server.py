"""An NLU worker: the model's message parsing in a process of its own, so that conversation turns use two cores.

The Rasa server does all of a turn's work in one process, on one core. Given Rasa's `nlu` endpoint, it sends each
message to `POST {url}/model/parse` and does only the dialogue part itself. `make run` starts this worker and
points the Rasa server at it; turns per second at 8 concurrent conversations nearly double on two cores (README,
"Benchmark"). Plain `rasa run` with endpoints.yml still parses in-process, as Rasa does by default.

Rasa 3.6 sends that request's token in the JSON body, `{"text": ..., "message_id": ..., "token": ...}`, while
Rasa's own HTTP API reads it from the query string, so `rasa run --enable-api` cannot be the NLU server with
auth on. This worker serves only `/model/parse` and `/status`, checks the token where Rasa sends it, and listens
on 127.0.0.1 unless told otherwise.

It serves the model `--model` names: a model file, or the newest model in a folder, as `rasa run --model` picks
it. When that changes on disk (`make retrain` installs a better model and reloads the Rasa server), the worker
loads the new one in the background and parses with it from then on.

    LARKSPUR_NLU_TOKEN=... python -m addons.nlu_server --model models --port 5007
"""

import argparse
import asyncio
import hmac
import logging
import os
import sys
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence, Text, Tuple

from sanic import Request, Sanic
from sanic import response as responses
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from addons import seams

TOKEN_VARIABLE = "LARKSPUR_NLU_TOKEN"
RELOAD_CHECK_SECONDS = 2.0
Parser = Callable[[Text], Awaitable[Dict[Text, Any]]]
ParserLoader = Callable[[Text], Parser]

logger = logging.getLogger(__name__)


WARM_UP_TEXT = "hello"


def load_parser(model_file: Text) -> Parser:
    """The parse function of a trained model, as Rasa's `/model/parse` uses it, warmed up by one parse so that
    components that load on first use (the sentence encoder) don't slow a customer's first message."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_file)
    asyncio.run(agent.parse_message(WARM_UP_TEXT))
    return agent.parse_message


class ServedModel:
    """The parser of the model at `location` (a model file, or a folder whose newest model counts), reloaded when
    the model there changes."""

    def __init__(self, location: Text, load: ParserLoader = load_parser) -> None:
        self.location = location
        self._load = load
        self._served = self._seen = self._find()  # (model file, its version)
        self.parse: Parser = load(self.model_file)

    @property
    def model_file(self) -> Text:
        return self._served[0]

    def _find(self) -> Tuple[Text, Tuple[int, int]]:
        from rasa.model import get_local_model

        model_file = get_local_model(self.location)
        status = os.stat(model_file)
        return model_file, (status.st_ino, status.st_mtime_ns)  # a model moved into place has a new inode

    async def reload_if_changed(self) -> bool:
        """Load the model at `location` when it is not the one served; True when the new one is served."""
        from rasa.exceptions import ModelNotFound

        try:
            found = self._find()
        except (OSError, ModelNotFound) as error:  # e.g. a file gone between listing and stat
            logger.warning("Keeping %s: no model at %s (%s)", self.model_file, self.location, error)
            return False
        if found == self._seen:
            return False
        self._seen = found  # a model that fails to load is not tried again until it changes
        if found == self._served:
            return False
        model_file = found[0]
        try:
            parse = await asyncio.get_running_loop().run_in_executor(None, self._load, model_file)
        except Exception:
            logger.exception("Could not load %s; still parsing with %s", model_file, self.model_file)
            return False
        self._served, self.parse = found, parse
        logger.info("Now parsing with %s", model_file)
        return True


def create_app(model: ServedModel, token: Text, reload_every: Optional[float] = RELOAD_CHECK_SECONDS) -> Sanic:
    """A Sanic app answering `POST /model/parse` for requests that carry `token`, with `model`'s parser."""
    if not token:
        raise ValueError(f"the NLU worker needs a token ({TOKEN_VARIABLE})")
    app = Sanic("larkspur_nlu_worker")
    app.ctx.parsed = 0

    @app.post("/model/parse")
    async def parse_message(request: Request) -> HTTPResponse:
        try:
            body = request.json
        except SanicException:
            body = None
        if not isinstance(body, dict):
            return _error(400, "The body must be a JSON object with a 'text'.")
        if not hmac.compare_digest(str(body.get("token") or ""), token):
            return _error(401, "Missing or wrong token.")
        text = body.get("text")
        if not isinstance(text, str):
            return _error(400, "'text' must be a string.")
        parse_data = await model.parse(text)
        app.ctx.parsed += 1
        return responses.json(parse_data)

    @app.get("/status")
    async def status(_request: Request) -> HTTPResponse:
        return responses.json({"model_file": os.path.basename(model.model_file), "messages_parsed": app.ctx.parsed})

    if reload_every:

        async def follow_model_changes() -> None:
            while True:
                await asyncio.sleep(reload_every)
                await model.reload_if_changed()

        @app.after_server_start
        async def start_following(app_: Sanic, loop: asyncio.AbstractEventLoop) -> None:
            app_.ctx.follower = loop.create_task(follow_model_changes())

        @app.before_server_stop
        async def stop_following(app_: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
            app_.ctx.follower.cancel()

    return app


def _error(status: int, message: Text) -> HTTPResponse:
    return responses.json({"status": "failure", "message": message}, status=status)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models", help="a model file, or a folder whose newest model is used")
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5007)
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        print(f"Set {TOKEN_VARIABLE}: the Rasa server's `nlu` endpoint sends it with each message.", file=sys.stderr)
        return 2

    from rasa.utils.common import configure_logging_and_warnings, update_sanic_log_level
    from rasa.utils.log_utils import configure_structlog

    # As `rasa run` sets up logging. Unconfigured, Rasa's structured debug logs would print every parsed message.
    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)
    update_sanic_log_level()
    seams.install()  # after Rasa's logging set-up, which puts its own warning filters first
    model = ServedModel(args.model)  # loaded before listening: an answer on the port means ready
    logger.info("NLU worker parsing with %s on http://%s:%s", model.model_file, args.interface, args.port)
    create_app(model, token).run(host=args.interface, port=args.port, access_log=False, motd=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
