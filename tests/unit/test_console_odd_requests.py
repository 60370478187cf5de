"""Odd requests to the console's public paths get a 4xx, not a 500 (issue 14, found by tests/abuse)."""

import http.client
from urllib.parse import urlsplit

import pytest

from console.web import lenient_cookies
from tests.unit.test_console_support import running_console


def raw_get(base_url: str, path: str, headers=None) -> http.client.HTTPResponse:
    """A GET with the path exactly as given: requests would quote or refuse some of these."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize(
    "path",
    [
        "/shop/files/",
        "/static/",
        "/shop/files/" + "a" * 300,
        "/static/" + "b" * 300 + ".css",
        "/shop/files/chat.js%00.png",
        "/shop/files/..%2f..%2fconsole%2fapp.py",
        "/static/..%2fapp.py",
        "/shop/files/%2e%2e",
        "/static/%ff%fe",
    ],
)
def test_a_path_that_names_no_file_is_a_404(tmp_path, path):
    """Failed on main: Sanic's static handler answered 500 to a directory, a name over 255 bytes or a NUL."""
    with running_console(tmp_path) as console:
        assert raw_get(console.base_url, path).status == 404


def test_the_pages_files_are_served_with_their_types(tmp_path):
    with running_console(tmp_path) as console:
        for path, mime in [
            ("/shop/files/chat.js", "application/javascript"),
            ("/shop/files/shop.css", "text/css"),
            ("/static/console.css", "text/css"),
        ]:
            response = raw_get(console.base_url, path)
            assert response.status == 200 and response.getheader("Content-Type").startswith(mime)


def test_an_odd_cookie_beside_the_consoles_own_is_no_error_and_the_session_still_counts(tmp_path):
    """Failed on main: one cookie name that http.cookies refuses ("a(b") made every page answer 500."""
    with running_console(tmp_path) as console:
        console.add_agent("alice")
        browser = console.browser("alice")
        own = "; ".join(f"{name}={value}" for name, value in browser.http.cookies.items())
        assert raw_get(console.base_url, "/login", {"Cookie": "a(b=1"}).status == 200
        assert raw_get(console.base_url, "/", {"Cookie": f"a(b=1; {own}"}).status == 200  # still logged in
        assert raw_get(console.base_url, "/", {"Cookie": "a(b=1"}).status in (302, 303)  # to the login page


def test_lenient_cookies_keep_the_first_of_each_name_and_skip_what_is_no_pair():
    assert lenient_cookies('a(b=1; sess="x y"; junk; sess=2; =3') == {"a(b": "1", "sess": "x y"}
