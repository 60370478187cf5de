"""The demo shop page served by the console, and the socket.io channel's allowed origins."""

import html
import re

import pytest
import requests

from connectors.socketio import DEFAULT_ORIGINS, SocketIOWithOrigins
from console import shop
from customer_care.identity import CUSTOMER_TOKEN_KEY, CustomerTokens
from tests.unit.test_console_support import XSS_IMG, running_console


def test_the_shop_page_needs_no_login_and_points_the_widget_at_rasa(tmp_path):
    with running_console(tmp_path, shop_socket_url="https://chat.shop.example") as console:
        response = requests.get(f"{console.base_url}/shop/", timeout=10, allow_redirects=False)
        assert response.status_code == 200
        assert 'data-socket-url="https://chat.shop.example"' in response.text
        policy = response.headers["Content-Security-Policy"]
        assert "connect-src 'self' https://chat.shop.example wss://chat.shop.example" in policy
        assert "script-src 'self';" in policy  # no inline or remote scripts
        assert requests.get(f"{console.base_url}/shop/files/chat.js", timeout=10).status_code == 200


def test_the_widget_talks_to_the_rasa_url_by_default(tmp_path):
    with running_console(tmp_path, rasa_url="http://localhost:5005") as console:
        page = requests.get(f"{console.base_url}/shop/", timeout=10).text
        assert 'data-socket-url="http://localhost:5005"' in page


KEY = "s" * 40


def demo_sign_in(monkeypatch, enabled: bool = True) -> None:
    monkeypatch.setenv(shop.DEMO_SIGN_IN, "1" if enabled else "0")
    monkeypatch.setenv(CUSTOMER_TOKEN_KEY, KEY)


def page_token(page: str) -> str:
    return re.search(r'data-customer-token="([^"]*)"', page).group(1)


def test_the_demo_page_signs_a_token_for_its_signed_in_customer(tmp_path, monkeypatch):
    demo_sign_in(monkeypatch)
    with running_console(tmp_path) as console:
        page = requests.get(
            f"{console.base_url}/shop/", params={"name": "Priya", "email": "priya.r@mailbox.example"}, timeout=10
        ).text
    customer = CustomerTokens(KEY).verify(html.unescape(page_token(page)))
    assert customer is not None and customer.email == "priya.r@mailbox.example" and customer.name == "Priya"
    assert "Signed in as Priya" in page


def test_without_demo_sign_in_the_url_signs_nobody_in(tmp_path, monkeypatch):
    """Failed on main: `?email=` was passed to the bot as the customer's address."""
    demo_sign_in(monkeypatch, enabled=False)
    with running_console(tmp_path) as console:
        page = requests.get(
            f"{console.base_url}/shop/", params={"name": "Priya", "email": "priya.r@mailbox.example"}, timeout=10
        ).text
    assert page_token(page) == "" and "priya.r@mailbox.example" not in page and "Signed in" not in page


def test_a_name_in_the_url_is_escaped_into_the_page(tmp_path, monkeypatch):
    demo_sign_in(monkeypatch)
    with running_console(tmp_path) as console:
        page = requests.get(
            f"{console.base_url}/shop/", params={"name": XSS_IMG, "email": "a@b.example"}, timeout=10
        ).text
        assert XSS_IMG not in page and "<img" not in page
        hostile = requests.get(
            f"{console.base_url}/shop/", params={"name": "Ana", "email": '"><b>x@y.example'}, timeout=10
        ).text
        assert '"><b>x' not in hostile


def test_the_widget_bundle_is_served_or_its_absence_explained(tmp_path, monkeypatch):
    with running_console(tmp_path) as console:
        if shop.WIDGET_BUNDLE.exists():
            response = requests.get(f"{console.base_url}/shop/webchat.js", timeout=10)
            assert response.status_code == 200 and "WebChat" in response.text[:2000]
        monkeypatch.setattr(shop, "WIDGET_BUNDLE", tmp_path / "missing.js")
        response = requests.get(f"{console.base_url}/shop/webchat.js", timeout=10)
        assert response.status_code == 503 and "make install" in response.text


def test_socket_origins_follow_the_scheme():
    assert shop.socket_origins("http://localhost:5005") == "http://localhost:5005 ws://localhost:5005"
    assert shop.socket_origins("https://chat.example") == "https://chat.example wss://chat.example"


def channel(**credentials):
    return SocketIOWithOrigins.from_credentials({"session_persistence": True, **credentials})


def test_the_socket_channel_allows_only_the_configured_origins():
    configured = channel(cors_allowed_origins=["https://shop.example"])
    configured.blueprint(lambda message: None)
    assert configured.sio.eio.cors_allowed_origins == ["https://shop.example"]
    assert configured.session_persistence is True and configured.name() == "socketio"
    default = channel()
    default.blueprint(lambda message: None)
    assert default.sio.eio.cors_allowed_origins == DEFAULT_ORIGINS


@pytest.mark.parametrize("origins", ["https://shop.example", [1, 2], {"a": 1}])
def test_a_malformed_origin_setting_is_refused(origins):
    with pytest.raises(ValueError, match="cors_allowed_origins"):
        channel(cors_allowed_origins=origins)


def test_any_origin_can_be_allowed_explicitly():
    assert channel(cors_allowed_origins="*").allowed_origins == "*"
