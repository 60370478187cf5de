"""What each hostile input becomes on the public HTTP endpoints (the Rasa REST channel, Rasa's other public paths
and socket.io long polling, the console's login page, the demo shop page and its files), and the checks of what
comes back: no markup or verbatim echo that the page has not without the input, no file that is not in shop/files.
"""

import json
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

from customer_care.settings import PROJECT_ROOT
from tests.abuse.barrage import CONSOLE_ENDPOINTS
from tests.abuse.barrage_http import HttpDelivery, Reply, http_request, raw_get
from tests.abuse.conftest import new_sender
from tests.abuse.hostile_value import Hostile

SHOP_FILES = {path.name: path.read_bytes() for path in (PROJECT_ROOT / "shop" / "files").iterdir() if path.is_file()}
# Elements an attacker wants rendered; a page may contain no more of them than it does without input. (Event
# attributes and "javascript:" alone prove nothing: escaped text keeps those letters. Links and forms are on the
# console's own error pages; an injected one, like an attribute broken open with a quote, shows in the
# verbatim-echo check.)
MARKUP = (
    "<script",
    "<img",
    "<svg",
    "<iframe",
    "<base",
    "<meta http-equiv",
    "<style>*",
    "<details",
    "<math",
    "<b onmouseover",
    "<scr<script",
    "<![cdata[",
)


def _header_tricks(hostile: Hostile) -> Dict[str, str]:
    if hostile.category != "header":
        return {}
    value = hostile.header_value()
    return {"User-Agent": value, "Referer": value, "X-Forwarded-For": value, "Accept": value, "Cookie": value}


HOLE = "__hostile_input__"


def _json_body(document: Dict[str, Any], hostile: Hostile) -> bytes:
    """`document` with the hostile input wherever it says HOLE; a raw JSON input is spliced in as written."""
    filling = hostile.raw_json if hostile.raw_json is not None else json.dumps(hostile.json_value(), allow_nan=True)
    return json.dumps(document).replace(f'"{HOLE}"', filling).encode("utf-8", "surrogatepass")


def _unescaped(hostile: Hostile, baseline_pages: List[str]) -> Callable[[Reply], Optional[str]]:
    """A check for HTML pages: no more markup than the page has without input, and the input never verbatim when
    it holds a character HTML must escape (more often than the page has it anyway)."""
    raw = hostile.text().strip()[:200]
    tricky = len(raw) > 1 and any(c in raw for c in "<>\"'")

    def check(reply: Reply) -> Optional[str]:
        if "html" not in reply.content_type:
            return None
        page = reply.body.decode("utf-8", "replace")
        lowered = page.lower()
        extra = [
            marker
            for marker in MARKUP
            if lowered.count(marker) > max(base.lower().count(marker) for base in baseline_pages)
        ]
        if extra:
            return f"unescaped markup in the page: {extra}"
        if tricky and page.count(raw) > max(base.count(raw) for base in baseline_pages):
            return f"the input is echoed unescaped: {raw[:60]!r}"
        return None

    return check


def _shop_file_check(reply: Reply) -> Optional[str]:
    if reply.status == 200 and reply.body not in SHOP_FILES.values():
        return f"/shop/files served something that is not in shop/files: {reply.body[:80]!r}"
    return None


def http_deliveries(
    servers, hostile: Hostile, login_csrf: Tuple[str, str], baselines: Dict[str, List[str]]
) -> List[HttpDelivery]:
    rasa, console = servers.rasa_url, servers.console_url
    tricks = _header_tricks(hostile)
    tricks_but_cookie = {name: value for name, value in tricks.items() if name != "Cookie"}
    content_type = hostile.header_value() if hostile.category == "header" else "application/json"
    json_headers = {**tricks, "Content-Type": content_type}
    value = hostile.form_value()
    # A huge value goes in one query parameter, not four: URL-encoding 4 x 3 MB is the client's time, not the
    # server's.
    other = value if len(value) <= 64 * 1024 else b"x"
    cookie_token, form_token = login_csrf

    def rest(field_name: Optional[str]) -> Callable[[], Reply]:
        def send() -> Reply:
            if field_name is None:  # the input is the body (a header input: a plain body, the odd Content-Type)
                body = (
                    json.dumps({"sender": new_sender(), "message": "hi"}).encode()
                    if hostile.category == "header"
                    else hostile.body()
                )
            elif field_name == "metadata":
                body = _json_body(
                    {
                        "sender": new_sender(),
                        "message": "hi",
                        "metadata": {"name": HOLE, "email": HOLE, "language": HOLE, "customer_token": HOLE},
                    },
                    hostile,
                )
            else:
                body = _json_body({"sender": new_sender(), "message": "hi", field_name: HOLE}, hostile)
            return http_request("POST", servers.rest_webhook, data=body, headers=json_headers)

        return send

    def polling_session() -> Reply:
        handshake = http_request(
            "GET", f"{rasa}/socket.io/", params={"EIO": "4", "transport": "polling"}, headers=tricks
        )
        match = re.search(rb'"sid"\s*:\s*"([^"]+)"', handshake.body)
        if not match:
            return handshake
        sid = match.group(1).decode()
        payload = (
            hostile.raw_json
            if hostile.raw_json is not None
            else json.dumps({"session_id": hostile.json_value()}, allow_nan=True)
        )
        packets = (
            b"40\x1e42"
            + json.dumps(["session_request"]).encode()[:-1]
            + b","
            + payload.encode("utf-8", "surrogatepass")
            + b"]"
        )
        structured = http_request(
            "POST",
            f"{rasa}/socket.io/",
            params={"EIO": "4", "transport": "polling", "sid": sid},
            data=packets,
            headers={**tricks, "Content-Type": "text/plain;charset=UTF-8"},
        )
        if structured.status >= 500:
            return structured
        raw = http_request(
            "POST",
            f"{rasa}/socket.io/",
            params={"EIO": "4", "transport": "polling", "sid": sid},
            data=hostile.body(),
            headers={**tricks, "Content-Type": content_type},
        )
        raw.seconds = max(handshake.seconds, structured.seconds, raw.seconds)  # the slowest of the three
        return raw

    shop_check = _unescaped(hostile, baselines["shop"])
    login_check = _unescaped(hostile, baselines["login"])
    deliveries = [
        HttpDelivery("rest raw body", hostile, True, rest(None)),
        HttpDelivery("rest message", hostile, True, rest("message")),
        HttpDelivery("rest sender", hostile, True, rest("sender")),
        HttpDelivery("rest metadata", hostile, True, rest("metadata")),
        HttpDelivery(
            "rasa GET /", hostile, False, lambda: http_request("GET", f"{rasa}/", params={"q": value}, headers=tricks)
        ),
        HttpDelivery(
            "rasa polling GET",
            hostile,
            False,
            lambda: http_request(
                "GET",
                f"{rasa}/socket.io/",
                params={"EIO": "4", "transport": "polling", "sid": value, "t": other},
                headers=tricks,
            ),
        ),
        HttpDelivery("rasa polling POST", hostile, False, polling_session),
        HttpDelivery(
            "console GET /login",
            hostile,
            False,
            lambda: http_request("GET", f"{console}/login", params={"next": value, other: "1"}, headers=tricks),
            login_check,
        ),
        HttpDelivery(
            "console POST /login fields",
            hostile,
            False,
            lambda: http_request(
                "POST",
                f"{console}/login",
                data={"username": value, "password": value, "csrf_token": form_token},
                cookies={"console_login_csrf": cookie_token},
                headers=tricks_but_cookie,
            ),
            login_check,
        ),
        HttpDelivery(
            "console POST /login csrf",
            hostile,
            False,
            lambda: http_request(
                "POST",
                f"{console}/login",
                data={"username": "sam", "password": "wrong", "csrf_token": value},
                cookies={"console_login_csrf": hostile.header_value()},
                headers=tricks_but_cookie,
            ),
            login_check,
        ),
        HttpDelivery(
            "shop page query",
            hostile,
            False,
            lambda: http_request(
                "GET", f"{console}/shop/", params={"name": value, "email": other, other: other}, headers=tricks
            ),
            shop_check,
        ),
        HttpDelivery(
            "shop files path",
            hostile,
            False,
            lambda: raw_get(console, "/shop/files/" + hostile.url_path(), tricks),
            _shop_file_check,
        ),
    ]
    for delivery in deliveries:
        delivery.base_url = console if delivery.endpoint.startswith(CONSOLE_ENDPOINTS) else rasa
    return deliveries
