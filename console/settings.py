"""The console's settings, all from environment variables so the same code runs in a demo and in production."""

import os
from dataclasses import dataclass
from typing import Optional

from customer_care.settings import database_url, events_database_url

DEFAULT_RASA_URL = "http://localhost:5005"
DEFAULT_SESSION_HOURS = 8.0
DEFAULT_SESSION_MAX_HOURS = 12.0
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the environment variable."""


@dataclass(frozen=True)
class ConsoleSettings:
    database_url: str
    rasa_url: str = DEFAULT_RASA_URL
    rasa_api_token: str = ""
    session_hours: float = DEFAULT_SESSION_HOURS  # a session ends after this long without a request
    session_max_hours: float = DEFAULT_SESSION_MAX_HOURS  # and this long after the login, however busy
    secure_cookies: bool = False  # off by default: the demo runs over plain http, where browsers drop Secure cookies
    events_url: str = ""  # the SQL event broker's database the review inbox reads; events_database_url() if empty
    # Where browsers reach Rasa's socket.io channel from the demo shop page; rasa_url if empty.
    shop_socket_url: str = ""
    # How many reverse proxies in front of the console append the client's address to X-Forwarded-For. 0 (the
    # default): the header is ignored, since anyone can send one; the socket's peer is the client.
    trusted_proxies: int = 0
    login_failures_per_user: int = 5  # failed logins within 15 minutes before a username is locked
    login_failures_per_address: int = 20  # the same for one client address

    @classmethod
    def from_env(cls) -> "ConsoleSettings":
        env = os.environ
        return cls(
            database_url=database_url(),
            events_url=events_database_url(),
            rasa_url=(env.get("RASA_URL") or DEFAULT_RASA_URL).rstrip("/"),
            rasa_api_token=(env.get("RASA_API_TOKEN") or "").strip(),
            session_hours=_positive_hours(env.get("CONSOLE_SESSION_HOURS")),
            session_max_hours=_positive_hours(
                env.get("CONSOLE_SESSION_MAX_HOURS"), "CONSOLE_SESSION_MAX_HOURS", DEFAULT_SESSION_MAX_HOURS
            ),
            trusted_proxies=_proxy_count(env.get("CONSOLE_TRUSTED_PROXIES")),
            secure_cookies=_flag("CONSOLE_SECURE_COOKIES", env.get("CONSOLE_SECURE_COOKIES")),
            shop_socket_url=(env.get("SHOP_SOCKET_URL") or "").strip().rstrip("/"),
        )

    @property
    def widget_socket_url(self) -> str:
        return self.shop_socket_url or self.rasa_url

    def require_rasa_token(self) -> None:
        if not self.rasa_api_token:
            raise SettingsError(
                "RASA_API_TOKEN is not set: the console needs the token of Rasa's HTTP API "
                "(the one `make run` prints, or that rasa run got with --auth-token)."
            )


def _positive_hours(
    text: Optional[str], name: str = "CONSOLE_SESSION_HOURS", default: float = DEFAULT_SESSION_HOURS
) -> float:
    if text is None or not text.strip():
        return default
    try:
        hours = float(text)
    except ValueError:
        hours = 0.0
    if not 0 < hours < float("inf"):
        raise SettingsError(f"{name} must be a positive number of hours, not {text!r}.")
    return hours


def _proxy_count(text: Optional[str]) -> int:
    value = (text or "").strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()) or int(value) > 10:
        raise SettingsError(
            "CONSOLE_TRUSTED_PROXIES must be the number of reverse proxies in front of the console "
            f"(0 when none; at most 10), not {text!r}."
        )
    return int(value)


def _flag(name: str, text: Optional[str]) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be on or off (1/0, true/false, yes/no), not {text!r}.")
