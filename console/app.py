"""The Sanic app: its blueprints (`console.routes`, `console.shop`), security headers and error pages."""

import logging
from datetime import timedelta
from typing import Any, Callable, Coroutine, Optional

from sanic import HTTPResponse, Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import BaseHTTPResponse

from console.auth import gate_unmatched
from console.context import Console
from console.desk import TicketDesk
from console.errors import EXPECTED_ERRORS, status_for
from console.rasa_api import RasaApi, RasaClient
from console.routes import console_blueprint, login_blueprint
from console.sessions import SessionStore, ThrottleRules
from console.settings import ConsoleSettings
from console.shop import shop_blueprint
from console.web import error_page, read_cookies_leniently, template_environment
from customer_care.agents import AgentDirectory
from customer_care.inbox import Inbox
from customer_care.issue_log import IssueLog
from customer_care.retention import retention_days, start_daily_purge
from customer_care.tickets import TicketStore

APP_NAME = "agent_console"
MAX_REQUEST_BYTES = 256 * 1024  # replies are at most 2,000 characters; nothing legitimate is bigger
SECURITY_HEADERS = {
    # No inline script or style anywhere: the pages' JavaScript and CSS are static files.
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

logger = logging.getLogger(__name__)


def create_app(settings: ConsoleSettings, rasa_client: Optional[RasaApi] = None) -> Sanic:
    """The console app. Without `rasa_client` it talks to the Rasa server in `settings` (token required)."""
    if rasa_client is None:
        settings.require_rasa_token()
        rasa_client = RasaClient(settings.rasa_url, settings.rasa_api_token)
    tickets = TicketStore(settings.database_url)
    issues = IssueLog(settings.database_url)
    app = Sanic(APP_NAME)
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.ctx.console = Console(
        settings=settings,
        tickets=tickets,
        agents=AgentDirectory(settings.database_url),
        issues=issues,
        sessions=SessionStore(
            settings.database_url,
            timedelta(hours=settings.session_hours),
            lifetime=timedelta(hours=settings.session_max_hours),
            throttle=ThrottleRules(
                per_user=settings.login_failures_per_user, per_address=settings.login_failures_per_address
            ),
        ),
        rasa=rasa_client,
        desk=TicketDesk(tickets, issues, rasa_client),
        templates=template_environment(),
        inbox=Inbox(settings.events_url or None, settings.database_url),
    )
    # The app's request middleware runs before the blueprints': the session gate then reads the cookies.
    app.register_middleware(read_cookies_leniently, "request")
    app.register_middleware(gate_unmatched, "request")
    app.blueprint(login_blueprint())
    app.blueprint(console_blueprint())
    app.blueprint(shop_blueprint())
    app.register_middleware(_add_security_headers, "response")
    app.error_handler.add(Exception, _on_error)
    app.register_listener(_close_clients, "after_server_stop")
    days = retention_days()  # CARE_RETENTION_DAYS; a bad value stops the console here
    if days is not None:
        app.register_listener(_daily_purge(days), "after_server_start")
    return app


async def _add_security_headers(request: Request, response: BaseHTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")  # pages hold customer data


def _on_error(request: Request, error: Exception) -> HTTPResponse:
    if isinstance(error, EXPECTED_ERRORS):
        return error_page(request, status_for(error), str(error))
    if isinstance(error, SanicException) and error.status_code < 500:
        return error_page(request, error.status_code, str(error) or "The request was not understood.")
    logger.exception("Unexpected error answering %s %s", request.method, request.path)
    return error_page(request, 500, "Something went wrong in the console; the error is in its log.")


def _daily_purge(days: int) -> Callable[[Sanic, object], Coroutine[Any, Any, None]]:
    async def purge_daily(app: Sanic, _loop: object) -> None:
        """Purge what is older than `days` now and every 24 h, in a worker thread (customer_care.retention)."""
        settings: ConsoleSettings = app.ctx.console.settings
        start_daily_purge(
            days,
            database_url=settings.database_url,
            events_url=settings.events_url or None,
            log=logging.getLogger("sanic.root"),
        )

    return purge_daily


async def _close_clients(app: Sanic, _loop: object) -> None:
    console: Console = app.ctx.console
    await console.rasa.close()
    for engine in (console.tickets.engine, console.issues.engine, console.agents.engine, console.sessions.engine):
        engine.dispose()
    console.inbox.close()
