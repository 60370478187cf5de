"""The demo shop page with the chat widget, public (no login), served beside the console.

The page, its CSS and its widget set-up live in `shop/` at the repository root; the widget itself is the npm
package rasa-webchat, installed into `shop/node_modules` from the committed package-lock.json and served from
here, so the page works offline. The widget talks to Rasa's socket.io channel directly, so these pages get a
Content-Security-Policy that allows exactly that origin.

Signed-in customers: a shop's page passes the widget a token its server signs (customer_care.identity). This demo
has no accounts, so with LARKSPUR_DEMO_SIGN_IN=1 (`make run` sets it) `?email=...&name=...` plays a customer who
signed in with that address, and the page signs their token with LARKSPUR_CUSTOMER_TOKEN_KEY as a shop would.
Without that setting the page is anonymous whatever its URL says: a public demo page must not sign anyone in.
"""

import os
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic import Blueprint, HTTPResponse, Request
from sanic import response as responses

from console.context import console_of
from console.web import serve_files
from customer_care.identity import CustomerTokens, VerifiedCustomer, normal_email
from customer_care.names import extract_name

SHOP = Path(__file__).resolve().parent.parent / "shop"
WIDGET_BUNDLE = SHOP / "node_modules" / "rasa-webchat" / "lib" / "index.js"
MAX_PAGE_DATA = 200  # a name or e-mail passed in the URL for the demo; longer is not a name
DEMO_SIGN_IN = "LARKSPUR_DEMO_SIGN_IN"
DEMO_TOKEN_SECONDS = 3600


def socket_origins(socket_url: str) -> str:
    """The http(s) and ws(s) origins of Rasa's socket.io server, for connect-src."""
    parts = urlsplit(socket_url)
    secure = parts.scheme == "https"
    return f"{parts.scheme}://{parts.netloc} {'wss' if secure else 'ws'}://{parts.netloc}"


def shop_policy(socket_url: str) -> str:
    # rasa-webchat injects its stylesheet as <style> elements, hence 'unsafe-inline' for styles only.
    return (
        f"default-src 'self'; script-src 'self'; connect-src 'self' {socket_origins(socket_url)}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


_pages = Environment(loader=FileSystemLoader(str(SHOP)), autoescape=True, undefined=StrictUndefined)


def _page_value(request: Request, name: str) -> str:
    return (request.args.get(name) or "").strip()[:MAX_PAGE_DATA]


def demo_customer(request: Request) -> Optional[VerifiedCustomer]:
    """The customer `?email=...&name=...` plays, when demo sign-in is on and the address looks like one."""
    if os.environ.get(DEMO_SIGN_IN) != "1":
        return None
    email = normal_email(_page_value(request, "email"))
    if email is None:
        return None
    return VerifiedCustomer(f"demo:{email}", email, extract_name(_page_value(request, "name")))


def customer_token(customer: Optional[VerifiedCustomer]) -> str:
    tokens = CustomerTokens.from_environment() if customer else None
    return tokens.sign(customer, DEMO_TOKEN_SECONDS) if tokens and customer else ""


async def shop_page(request: Request) -> HTTPResponse:
    """The demo shop; with demo sign-in on, `?email=...&name=...` plays a signed-in customer."""
    socket_url = console_of(request).settings.widget_socket_url
    customer = demo_customer(request)
    token = customer_token(customer)
    body = _pages.get_template("index.html").render(
        socket_url=socket_url,
        customer_name=(customer.name or customer.email) if customer and token else "",
        customer_token=token,
    )
    return responses.html(body, headers={"Content-Security-Policy": shop_policy(socket_url)})


async def shop_widget(request: Request) -> HTTPResponse:
    if not WIDGET_BUNDLE.exists():
        return responses.text("The chat widget is not installed: run `make install` (npm ci in shop/).", status=503)
    return await responses.file(str(WIDGET_BUNDLE), mime_type="application/javascript")


def shop_blueprint() -> Blueprint:
    """The public `shop` blueprint: the demo page, its widget and its files, for anyone, without a session."""
    blueprint = Blueprint("shop")
    blueprint.add_route(shop_page, "/shop/", methods=["GET"], name="shop_page")
    blueprint.add_route(shop_widget, "/shop/webchat.js", methods=["GET"], name="shop_widget")
    serve_files(blueprint, "/shop/files", SHOP / "files", name="shop_files")
    return blueprint
