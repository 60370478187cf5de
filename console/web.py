"""Request and response helpers shared by the pages and the JSON API."""

import json
from http.cookies import CookieError
from pathlib import Path
from typing import Any, Dict, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic import Blueprint, HTTPResponse, Request
from sanic import response as responses

from console.errors import InvalidInput
from console.present import label, when

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def template_environment() -> Environment:
    # Autoescape everything, not just *.html: customer text ends up in HTML, SVG and attributes alike.
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined)
    environment.filters["label"] = label
    environment.filters["when"] = when
    return environment


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTTPResponse:
    session = getattr(request.ctx, "session", None)
    context = {
        "agent": getattr(request.ctx, "agent", None),
        "csrf_token": session.csrf_token if session else None,
        "page": None,
        **values,
    }
    body = request.app.ctx.console.templates.get_template(template).render(**context)
    return responses.html(body, status=status)


def is_form(request: Request) -> bool:
    return (request.content_type or "").split(";")[0].strip().lower() in FORM_TYPES


def is_api(request: Request) -> bool:
    """Answer in JSON: a fetch call to /api/*. A browser form posting there gets a page."""
    return request.path.startswith("/api/") and not is_form(request)


def json_error(status: int, message: str) -> HTTPResponse:
    return responses.json({"error": message}, status=status)


def error_page(request: Request, status: int, message: str) -> HTTPResponse:
    if is_api(request):
        return json_error(status, message)
    return render(request, "error.html", status=status, status_code=status, message=message)


def payload(request: Request) -> Mapping[str, Any]:
    """The POST body as a mapping, from a form or a JSON object; an empty body is an empty mapping."""
    if is_form(request):
        return {name: values[0] for name, values in request.form.items() if values}
    if not request.body or not request.body.strip():
        return {}
    try:
        data = json.loads(request.body)
    except UnicodeDecodeError:
        raise InvalidInput("Malformed JSON: the body is not UTF-8.") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"Malformed JSON: {error.msg} (line {error.lineno}, column {error.colno}).") from None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data


MIME_TYPES = {".js": "application/javascript", ".css": "text/css"}


def serve_files(blueprint: Blueprint, uri: str, directory: Path, name: str) -> None:
    """Serve the files in `directory` (not below it) under `uri`, by name. Sanic's static handler answered 500 to
    a directory, a NUL byte or a name over 255 bytes in the path; a fixed set of names, listed at start-up,
    leaves nothing of the path to interpret."""
    files = {path.name: path for path in directory.iterdir() if path.is_file()}

    async def serve_file(request: Request, file_name: str) -> HTTPResponse:
        path = files.get(file_name)
        if path is None:
            return responses.text("Not found.", status=404)
        return await responses.file(str(path), mime_type=MIME_TYPES.get(path.suffix, "application/octet-stream"))

    blueprint.add_route(serve_file, f"{uri}/<file_name:str>", methods=["GET"], name=name)


def lenient_cookies(header: str) -> Dict[str, str]:
    """`name=value` pairs of a Cookie header, the first of each name, skipping what is not a pair."""
    cookies: Dict[str, str] = {}
    for part in header.split(";"):
        name, separator, value = part.strip().partition("=")
        if separator and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


async def read_cookies_leniently(request: Request) -> None:
    """Sanic reads the Cookie header with http.cookies, which raises on one odd cookie ("Illegal key") and made
    every page answer 500; another site on the same domain may set such a cookie. Then the cookies are read
    pair by pair instead, so the console's own still count."""
    try:
        _ = request.cookies  # parsing the header is what may raise
    except CookieError:
        request._cookies = lenient_cookies(request.headers.getone("cookie", ""))  # Sanic's cache of the parse
