"""Every URL of the console, in the blueprint that decides who may reach it.

- `login`, public: the login form and the console's own scripts and styles, which a visitor needs to log in.
- `console`: everything else. Its request middleware is the session gate (`console.auth.require_session`), so
  a route added here can't be reachable without a session by mistake; a handler that also needs a role says so
  with `console.auth.require_role`.

The demo shop page is public too, in its own blueprint (`console.shop.shop_blueprint`).
"""

from pathlib import Path
from typing import Any, Callable, Tuple

from sanic import Blueprint

from console import api, auth, pages, review
from console.web import serve_files

STATIC = Path(__file__).resolve().parent / "static"

# (handler, URI, method, route name)
CONSOLE_ROUTES: Tuple[Tuple[Callable[..., Any], str, str, str], ...] = (
    (auth.logout, "/logout", "POST", "logout"),
    (pages.queue_page, "/", "GET", "queue_page"),
    (pages.ticket_page, "/tickets/<ticket_id:int>", "GET", "ticket_page"),
    (pages.issues_page, "/issues", "GET", "issues_page"),
    (api.me, "/api/me", "GET", "api_me"),
    (api.tickets, "/api/tickets", "GET", "api_tickets"),
    (api.ticket, "/api/tickets/<ticket_id:int>", "GET", "api_ticket"),
    (api.transcript, "/api/tickets/<ticket_id:int>/transcript", "GET", "api_transcript"),
    (api.issues, "/api/issues", "GET", "api_issues"),
    (api.ticket_action(api.claim), "/api/tickets/<ticket_id:int>/claim", "POST", "api_claim"),
    (api.ticket_action(api.reply), "/api/tickets/<ticket_id:int>/reply", "POST", "api_reply"),
    (api.ticket_action(api.hand_back), "/api/tickets/<ticket_id:int>/hand-back", "POST", "api_hand_back"),
    (api.ticket_action(api.resolve), "/api/tickets/<ticket_id:int>/resolve", "POST", "api_resolve"),
    (review.api_misunderstood, "/api/tickets/<ticket_id:int>/misunderstood", "POST", "api_misunderstood"),
    (review.review_page, "/review", "GET", "review_page"),
    (review.api_groups, "/api/review/groups", "GET", "api_review_groups"),
    (review.api_label, "/api/review/label", "POST", "api_review_label"),
    (review.api_unlabel, "/api/review/unlabel", "POST", "api_review_unlabel"),
    (review.api_export, "/api/review/export", "POST", "api_review_export"),
)


def login_blueprint() -> Blueprint:
    blueprint = Blueprint("login")
    blueprint.add_route(auth.login_form, "/login", methods=["GET"], name="login_form")
    blueprint.add_route(auth.login, "/login", methods=["POST"], name="login")
    serve_files(blueprint, "/static", STATIC, name="static")
    return blueprint


def console_blueprint() -> Blueprint:
    blueprint = Blueprint("console")
    blueprint.middleware(auth.require_session, "request")
    for handler, uri, method, name in CONSOLE_ROUTES:
        blueprint.add_route(handler, uri, methods=[method], name=name)
    return blueprint
