"""Who may use the console: login and logout, the session cookie, CSRF checks, the session gate (the
middleware of the `console` blueprint, so it stands in front of every route there, and of requests that match
no route) and the roles a handler needs (`require_role`).

- The session cookie is HttpOnly, SameSite=Strict and Path=/ (and Secure when CONSOLE_SECURE_COOKIES is on);
  the session itself lives in the database (`console.sessions`).
- Every POST carries the session's CSRF token, in the form field `csrf_token` or the header `X-CSRF-Token`.
  The login form, which has no session yet, uses a double-submit cookie instead.
- Every authenticated request records that the agent is at the console (`AgentDirectory.touch`): the bot
  promises a live hand-over only while someone is. A disabled account's session ends at its next request.
- Logins are throttled per username and per client address (`console.sessions.LoginThrottle`): a locked one
  gets a 429 without its password being checked. The client address is the socket's peer, or, only when
  CONSOLE_TRUSTED_PROXIES says how many reverse proxies stand in front, the address the outermost of them put
  in X-Forwarded-For. At most `LOGIN_CHECKS_AT_ONCE` passwords are checked at a time, so a burst of attempts
  can't slip past the throttle before its failures are counted (and argon2's memory use stays bounded).
- A handler that needs a role says so with `@require_role(...)`; any other account gets a 403 that names it.
- The sessions, accounts and throttle live in the database, so every call to them runs in a worker thread:
  the event loop keeps serving other agents while one waits for a lock.
"""

import asyncio
import functools
import hmac
import ipaddress
import math
import re
import secrets
from datetime import timedelta
from typing import Awaitable, Callable, Concatenate, Optional, ParamSpec, Tuple, TypeVar

from sanic import HTTPResponse, Request
from sanic import response as responses

from console.context import Console, console_of
from console.errors import NotAllowed
from console.sessions import Session
from console.web import error_page, is_api, json_error, render
from customer_care.agents import Agent, Role

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRONG_LOGIN = "Wrong username or password."
STALE_FORM = "This form has expired (its security token is missing or wrong). Reload the page and try again."
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what secrets.token_urlsafe(32) makes
MAX_CREDENTIAL_LENGTH = 1024  # a longer password only makes the hash work harder for nothing
LOGIN_CHECKS_AT_ONCE = 2

Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")
Handler = Callable[Concatenate[Request, Arguments], Awaitable[Result]]


def csrf_matches(expected: Optional[str], given: Optional[str]) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool, max_age: Optional[int] = None) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def clear_cookie(response: HTTPResponse, name: str, secure: bool) -> None:
    set_cookie(response, name, "", secure, max_age=0)


async def require_session(request: Request) -> Optional[HTTPResponse]:
    """Request middleware of the `console` blueprint: lets a request through only with a live session of an
    enabled account and, for a POST, its CSRF token."""
    console = console_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    session, agent = await asyncio.to_thread(_live_session, console, token)
    if session is None or agent is None:  # no session, an expired one, or no usable account
        response = (
            json_error(401, "You are not logged in, or your session has expired. Log in again.")
            if is_api(request)
            else responses.redirect("/login", status=303)
        )
        if token:
            clear_cookie(response, SESSION_COOKIE, console.settings.secure_cookies)
        return response
    request.ctx.session = session
    request.ctx.agent = agent
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER) or _form_field(request, CSRF_FIELD)
        if not csrf_matches(session.csrf_token, given):
            return error_page(request, 403, STALE_FORM)  # before touch(): a refused request changes nothing
    await asyncio.to_thread(console.agents.touch, agent.username)
    return None


async def gate_unmatched(request: Request) -> Optional[HTTPResponse]:
    """App request middleware for a request that matched no route (a 404 or 405): Sanic runs only the app's
    middleware then, not a blueprint's. Such a request is answered as the console's own routes are: the gate
    hides which URLs exist from a visitor without a session, and the error page shows who is logged in."""
    if request.route is not None:
        return None  # a route's own blueprint decides: the `console` one has the gate, the public ones don't
    return await require_session(request)


def _live_session(console: Console, token: str) -> Tuple[Optional[Session], Optional[Agent]]:
    """The session for `token` and its account; both None unless the session is live and the account enabled."""
    session = console.sessions.resume(token)
    agent = console.agents.get(session.username) if session else None
    if session is None or agent is None or agent.disabled:
        if session is not None:
            console.sessions.end(token)  # the account was removed or disabled: the session ends now
        return None, None
    return session, agent


def require_role(role: Role, refusal: str) -> Callable[[Handler[Arguments, Result]], Handler[Arguments, Result]]:
    """Decorates a handler behind the session gate: an account without `role` gets `refusal` (which may name
    their `{role}`) as a 403, before the handler reads or changes anything."""

    def decorate(handler: Handler[Arguments, Result]) -> Handler[Arguments, Result]:
        @functools.wraps(handler)
        async def checked(request: Request, /, *args: Arguments.args, **kwargs: Arguments.kwargs) -> Result:
            agent: Agent = request.ctx.agent
            if agent.role != role:
                raise NotAllowed(refusal.format(role=agent.role))
            return await handler(request, *args, **kwargs)

        return checked

    return decorate


def _form_field(request: Request, name: str) -> Optional[str]:
    if is_api(request):
        return None  # fetch calls send the header; a JSON body is never parsed as a form
    value = request.form.get(name) if request.form else None
    return value if isinstance(value, str) else None


async def login_form(request: Request) -> HTTPResponse:
    return _login_page(request)


async def login(request: Request) -> HTTPResponse:
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not csrf_matches(cookie_token, _form_field(request, CSRF_FIELD)):
        return _login_page(request, status=403, message=STALE_FORM)
    username = (_form_field(request, "username") or "").strip()[:MAX_CREDENTIAL_LENGTH]
    password = (_form_field(request, "password") or "")[:MAX_CREDENTIAL_LENGTH]
    console = console_of(request)
    throttle = console.sessions.throttle
    address = client_address(request, console.settings.trusted_proxies)
    async with _login_checks(request):
        wait = await asyncio.to_thread(throttle.retry_after, username, address)
        if wait is not None:
            return _too_many_attempts(request, wait, username)
        # The hash takes a noticeable fraction of a second on purpose; keep the event loop serving other agents.
        agent = await asyncio.to_thread(console.agents.authenticate, username, password)
        if agent is None:
            await asyncio.to_thread(throttle.record_failure, username, address)
            return _login_page(request, status=401, message=WRONG_LOGIN, username=username)
        await asyncio.to_thread(throttle.record_success, username)
    session_token = await asyncio.to_thread(
        _new_session, console, request.cookies.get(SESSION_COOKIE, ""), agent.username
    )
    response = responses.redirect("/", status=303)
    set_cookie(
        response,
        SESSION_COOKIE,
        session_token,
        console.settings.secure_cookies,
        max_age=int(console.sessions.lifetime.total_seconds()),
    )
    clear_cookie(response, LOGIN_CSRF_COOKIE, console.settings.secure_cookies)
    return response


def _new_session(console: Console, old_token: str, username: str) -> str:
    console.sessions.end(old_token)  # never carry an old session over a login
    return console.sessions.start(username)


def client_address(request: Request, trusted_proxies: int) -> str:
    """Who is logging in: the socket's peer, or behind `trusted_proxies` reverse proxies the address the
    outermost one appended to X-Forwarded-For (entries further left were written by the client: ignored)."""
    peer = request.ip or "unknown"
    if trusted_proxies <= 0:
        return peer
    hops = [hop.strip() for header in request.headers.getall("x-forwarded-for", []) for hop in header.split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < trusted_proxies:
        return peer  # the request did not come through every proxy we were told about
    try:
        return str(ipaddress.ip_address(hops[-trusted_proxies]))
    except ValueError:
        return peer


def _login_checks(request: Request) -> asyncio.Semaphore:
    slots = getattr(request.app.ctx, "login_checks", None)
    if slots is None:
        slots = request.app.ctx.login_checks = asyncio.Semaphore(LOGIN_CHECKS_AT_ONCE)
    return slots


def _too_many_attempts(request: Request, wait: timedelta, username: str) -> HTTPResponse:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    message = f"Too many attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}."
    response = _login_page(request, status=429, message=message, username=username)
    response.headers["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
    return response


async def logout(request: Request) -> HTTPResponse:
    console = console_of(request)
    await asyncio.to_thread(console.sessions.end, request.cookies.get(SESSION_COOKIE, ""))
    response = responses.redirect("/login", status=303)
    clear_cookie(response, SESSION_COOKIE, console.settings.secure_cookies)
    return response


def _login_page(request: Request, status: int = 200, message: Optional[str] = None, username: str = "") -> HTTPResponse:
    # Reusing the cookie's token keeps a login form in another tab valid.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not TOKEN_PATTERN.match(token):
        token = secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, login_csrf=token, message=message, username=username)
    set_cookie(response, LOGIN_CSRF_COOKIE, token, console_of(request).settings.secure_cookies)
    return response
