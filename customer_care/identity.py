"""Who is chatting, as far as the assistant may trust it: the shop's signed customer token, and the widget's
server-issued session.

Nothing a page or a client sends is taken as identity on its word. A signed-in customer arrives with a token the
shop signs (a JWT, HS256 by default, with the shop's key): `sub`, `email` and `exp` are required, `name` is
optional. The channels verify it on every message (`connectors/`) and pass on only what it proves, as the
message metadata's `customer`; whatever else the page sent is dropped, except a short language code.

The widget's socket.io session is a JWT too, issued by the Rasa server and signed with a key of its own: it names
the conversation, so knowing a conversation id (shown in the console) is not enough to join it.

Keys come from the environment or from a file named by `<VARIABLE>_FILE`, never from a command line.
"""

import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Text

import jwt

from customer_care.names import extract_name

CUSTOMER_TOKEN_KEY = "LARKSPUR_CUSTOMER_TOKEN_KEY"  # the shop's key for customer tokens (or ..._FILE)
SESSION_KEY = "LARKSPUR_SESSION_KEY"  # the Rasa server's key for widget sessions (or ..._FILE)
ALGORITHMS = ("HS256",)
LEEWAY_SECONDS = 30  # clock difference between the shop's servers and ours
MAX_CUSTOMER_TOKEN_SECONDS = 24 * 3600  # a token that claims to live longer is refused: shops sign short ones
SESSION_SECONDS = 30 * 24 * 3600  # a widget keeps its conversation this long, then starts a new one
MAX_TOKEN_CHARACTERS = 2_000
MAX_EMAIL_CHARACTERS = 254
MAX_LANGUAGE_CHARACTERS = 16
CONVERSATION_PREFIX = "web-"  # socket.io conversations; the REST channel refuses sender ids that start with it


class MissingSecret(Exception):
    pass


def secret_from_environment(variable: Text, environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]:
    """The secret in `variable`, or in the file `variable_FILE` names (trailing newline dropped); None if unset."""
    environ = os.environ if environ is None else environ
    value = environ.get(variable)
    if value:
        return value
    path = environ.get(f"{variable}_FILE")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as error:
            raise MissingSecret(f"{variable}_FILE names {path}, which can't be read: {error.strerror}") from None
        if value:
            return value
        raise MissingSecret(f"{variable}_FILE names {path}, which is empty")
    return None


@dataclass(frozen=True)
class VerifiedCustomer:
    subject: Text
    email: Text
    name: Optional[Text] = None

    def as_metadata(self) -> Dict[Text, Any]:
        return {"id": self.subject, "email": self.email, "name": self.name}

    @classmethod
    def from_metadata(cls, value: Any) -> Optional["VerifiedCustomer"]:
        """Read back what a channel put into the metadata (only channels write it: they drop any client copy)."""
        if not isinstance(value, dict):
            return None
        subject, email, name = value.get("id"), value.get("email"), value.get("name")
        if not (isinstance(subject, str) and subject and isinstance(email, str) and "@" in email):
            return None
        return cls(subject, email, name if isinstance(name, str) and name else None)


def normal_email(value: Any) -> Optional[Text]:
    """`value` as a lower-case address when it has the shape of one (local@domain.tld, no spaces), else None."""
    if not isinstance(value, str) or len(value) > MAX_EMAIL_CHARACTERS:
        return None
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if not (at and local and "." in domain) or any(character.isspace() for character in email):
        return None
    return email


def _checked_key(key: Text, variable: Text) -> Text:
    if len(key) < 32:
        raise ValueError(f"the key in {variable} must have at least 32 characters")
    return key


def _verified_claims(token: Any, key: Text, required: Sequence[Text]) -> Optional[Dict[Text, Any]]:
    """The claims of a token signed with `key` that carries `required` and has not expired, or None for anything
    else (another key, malformed, not text, too long)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARACTERS:
        return None
    try:
        return jwt.decode(
            token, key, algorithms=list(ALGORITHMS), leeway=LEEWAY_SECONDS, options={"require": list(required)}
        )
    except (jwt.PyJWTError, ValueError, UnicodeError, TypeError):
        return None


class CustomerTokens:
    """Verifies (and, for the demo page and tests, signs) the shop's customer tokens."""

    def __init__(self, key: Text, max_lifetime_seconds: int = MAX_CUSTOMER_TOKEN_SECONDS) -> None:
        self._key = _checked_key(key, CUSTOMER_TOKEN_KEY)
        self._max_lifetime = max_lifetime_seconds

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[Text, Text]] = None) -> Optional["CustomerTokens"]:
        key = secret_from_environment(CUSTOMER_TOKEN_KEY, environ)
        return cls(key) if key else None

    def sign(self, customer: VerifiedCustomer, lifetime_seconds: int = 3600, now: Optional[float] = None) -> Text:
        now = time.time() if now is None else now
        claims = {"sub": customer.subject, "email": customer.email, "iat": int(now), "exp": int(now + lifetime_seconds)}
        if customer.name:
            claims["name"] = customer.name
        return jwt.encode(claims, self._key, algorithm=ALGORITHMS[0])

    def verify(self, token: Any, now: Optional[float] = None) -> Optional[VerifiedCustomer]:
        """The customer the token proves, or None for anything else (wrong key, expired, malformed, too long)."""
        claims = _verified_claims(token, self._key, ["exp", "sub", "email"])
        if claims is None:
            return None
        now = time.time() if now is None else now
        issued = claims.get("iat")
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] - now > self._max_lifetime + LEEWAY_SECONDS:
            return None
        if isinstance(issued, (int, float)) and issued > now + LEEWAY_SECONDS:
            return None
        subject, email = claims.get("sub"), normal_email(claims.get("email"))
        if not isinstance(subject, str) or not subject or len(subject) > 200 or email is None:
            return None
        name = claims.get("name")
        return VerifiedCustomer(subject, email, extract_name(name) if isinstance(name, str) else None)


class SessionTokens:
    """The widget's sessions: a signed token naming a conversation id that the server chose."""

    def __init__(self, key: Text, lifetime_seconds: int = SESSION_SECONDS) -> None:
        self._key = _checked_key(key, SESSION_KEY)
        self._lifetime = lifetime_seconds

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[Text, Text]] = None) -> "SessionTokens":
        """With no key set, one made for this process: sessions then end when the server restarts."""
        return cls(secret_from_environment(SESSION_KEY, environ) or secrets.token_urlsafe(48))

    def issue(self, now: Optional[float] = None) -> "Session":
        now = time.time() if now is None else now
        conversation_id = f"{CONVERSATION_PREFIX}{uuid.uuid4().hex}"
        token = jwt.encode(
            {"cid": conversation_id, "iat": int(now), "exp": int(now + self._lifetime)},
            self._key,
            algorithm=ALGORITHMS[0],
        )
        return Session(token, conversation_id)

    def conversation_of(self, token: Any) -> Optional[Text]:
        """The conversation a session token names, or None when it is not one of ours (or expired)."""
        claims = _verified_claims(token, self._key, ["exp", "cid"])
        conversation_id = claims.get("cid") if claims else None
        if not isinstance(conversation_id, str) or not conversation_id.startswith(CONVERSATION_PREFIX):
            return None
        return conversation_id


@dataclass(frozen=True)
class Session:
    token: Text
    conversation_id: Text


def client_key_secret() -> Text:
    """The key of the client-address pseudonyms: the session key, so every channel and instance agrees."""
    return secret_from_environment(SESSION_KEY) or "larkspur-client"


def client_key(address: Optional[Text], secret: Text) -> Optional[Text]:
    """A pseudonym for a client's network address, for per-client limits without storing the address."""
    if not address:
        return None
    return hmac.new(secret.encode(), address.encode(errors="replace"), hashlib.sha256).hexdigest()[:24]


def trusted_metadata(
    raw: Any, tokens: Optional[CustomerTokens], client: Optional[Text] = None, max_bytes: int = 8_192
) -> Dict[Text, Any]:
    """What the assistant keeps of a message's metadata: the verified customer, the client's pseudonym and a
    language code. Everything else the page sent (a name, an e-mail, anything) is dropped unread; metadata over
    `max_bytes` is dropped whole, before it is looked at."""
    if isinstance(raw, (str, bytes)):
        if len(raw) > max_bytes:
            raw = None
        else:
            try:
                raw = json.loads(raw)
            except (ValueError, UnicodeError, RecursionError):
                raw = None
    trusted: Dict[Text, Any] = {}
    if client:
        trusted["client"] = client
    if not isinstance(raw, dict):
        return trusted
    language = raw.get("language")
    if (
        isinstance(language, str)
        and 0 < len(language) <= MAX_LANGUAGE_CHARACTERS
        and language.replace("-", "").isalnum()
    ):
        trusted["language"] = language
    token = raw.get("customer_token")
    if tokens is not None and isinstance(token, str):
        customer = tokens.verify(token)
        if customer is not None:
            trusted["customer"] = customer.as_metadata()
    return trusted
