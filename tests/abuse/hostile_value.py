"""One hostile input (`Hostile`) and what each kind of place on a public endpoint can carry of it: a raw request
body, a JSON field, a form field, a query parameter, a URL path, a header, a socket.io payload.

`value` is a `str`, `bytes`, or any JSON value (numbers, lists, None, dicts) for the places that take JSON; the
methods turn it into what each place can carry. The corpus (corpus.py) is made of them.
"""

import json
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote

KB = 1024
MB = 1024 * KB


@dataclass(frozen=True)
class Hostile:
    name: str  # unique, short, printable: shown in failure messages and results/abuse.json
    category: str
    value: Any
    # Expensive for the servers by design (pathological regex input, huge text): delivered after every light
    # input, so that one that stalls a server can't hide what the light ones would have found.
    heavy: bool = False
    # A raw request body of its own (a deeply nested JSON document, a malformed one) rather than a value.
    raw_json: Optional[str] = None

    # What each kind of place can carry --------------------------------------------------------------------

    def text(self) -> str:
        """The value as text: bytes decoded with surrogateescape (invalid UTF-8 stays invalid), JSON values
        as their JSON text."""
        if isinstance(self.value, str):
            return self.value
        if isinstance(self.value, bytes):
            return self.value.decode("utf-8", "surrogateescape")
        if self.raw_json is not None:
            return self.raw_json
        return json.dumps(self.value, allow_nan=True)

    def json_value(self) -> Any:
        """The value inside a JSON document: strings and other JSON values as they are; bytes as a string with
        lone surrogates (invalid UTF-8 smuggled into JSON as \\udcXX escapes)."""
        if isinstance(self.value, bytes):
            return self.value.decode("utf-8", "surrogateescape")
        return self.value

    def body(self) -> bytes:
        """The value as a whole request body."""
        if isinstance(self.value, bytes):
            return self.value
        if isinstance(self.value, str):
            return _encode(self.value)
        if self.raw_json is not None:
            return self.raw_json.encode()
        return json.dumps(self.value, allow_nan=True).encode()

    def form_value(self) -> bytes:
        """For form fields and query strings (requests percent-encodes bytes as they are)."""
        return _encode(self.text())

    def url_path(self) -> str:
        """For a URL path: "/" and "." kept (../ tricks stay tricks), percent-escapes kept as the attacker wrote
        them, everything else percent-encoded so that the request line stays valid HTTP."""
        return quote(self.form_value(), safe="/.%~!$&'()*+,;=:@-_")

    def header_value(self) -> str:
        """For a header: latin-1 only, no CR, LF or NUL (clients refuse those), no leading or trailing space."""
        cleaned = self.text().encode("latin-1", "replace").decode("latin-1")
        return "".join(c if c >= " " and c != "\x7f" else "?" for c in cleaned).strip() or "x"

    def size(self) -> int:
        return len(self.body())


def _encode(text: str) -> bytes:
    """UTF-8, keeping what isn't: bytes smuggled in as surrogateescape go back to the original bytes, other lone
    surrogates become their (invalid) three-byte forms."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
