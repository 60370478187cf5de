"""Talking to the Rasa server's HTTP API: read a conversation, speak in it as an agent, give it back to the bot.

Every call has a timeout and every failure (Rasa down, slow, refusing the token, answering nonsense) becomes
`RasaUnavailable` with a message an agent can act on; the API token never appears in it.

What an agent types reaches the customer as literal text: the chat widget (rasa-webchat 1.0.1) renders bot
messages as Markdown with react-markdown 4 (remark-parse 5, GFM on, CommonMark off) and no link sanitising,
so `[x](javascript:...)` would be a live link there. `escape_markdown` neutralises every piece of Markdown that
parser knows, in the agent's text and name alike, and leaves plain sentences as they are.
"""

import asyncio
import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence
from urllib.parse import quote

import aiohttp

DEFAULT_TIMEOUT_SECONDS = 10.0
AGENT_SUFFIX = " (customer care): "
BOT_BACK_ACTION = "action_bot_back"

TranscriptLine = Dict[str, Optional[str]]


class RasaUnavailable(Exception):
    """Rasa could not be reached or refused the request; the message is meant for the agent."""


class RasaApi(Protocol):
    """What the console needs from Rasa; tests pass a fake with the same methods."""

    async def transcript(self, conversation_id: str) -> List[TranscriptLine]: ...

    async def send_agent_message(self, conversation_id: str, agent_name: str, text: str) -> None: ...

    async def resume(self, conversation_id: str) -> None: ...

    async def hand_back(self, conversation_id: str) -> None: ...

    async def close(self) -> None: ...


def agent_text(agent_name: str, text: str) -> str:
    """What the customer reads: the prefix shows a named person wrote it, whatever widget they chat in. Both
    the name and the text are escaped for Markdown, so they show as typed."""
    return f"{escape_markdown(agent_name)}{AGENT_SUFFIX}{escape_markdown(text)}"


# Anywhere in a line: backslash, code, emphasis, links and images, strikethrough, tables. remark-parse (GFM,
# not CommonMark) lets a backslash escape these and # + - . ! > ( ) { } (markdown-escapes' "gfm" list), no more.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]~|]")
# At the start of a line: an indent that would make a code block (inside which escapes show), headings, quotes,
# list items, ordered lists, setext underlines.
_LINE_START_MARKUP = re.compile(r"^([ \t]*)(?:([#>+\-])|(\d+)([.)])|(=))?", re.MULTILINE)
CODE_INDENT = 4
# `<` opens raw HTML and autolinks (`<javascript://%0Aalert(1)>` would be a live link), and a backslash can't
# escape it here; `&` followed by a name or `#` would be read as a character reference. Both become entities.
_ENTITY_START = re.compile(r"&(?=[A-Za-z0-9#])")
# GFM links bare http://, https:// and mailto: addresses (even inside `![img](http://evil)`); an entity for the
# colon keeps the address as plain text the customer can still read and copy.
_BARE_LINK = re.compile(r"(https?|mailto):", re.IGNORECASE)
_ESCAPED = re.compile(r"\\([\\`*_\[\]~|#>+\-.)])|&lt;|&amp;|&#58;|&#61;|&#32;|&#9;")
_UNESCAPED = {"&lt;": "<", "&amp;": "&", "&#58;": ":", "&#61;": "=", "&#32;": " ", "&#9;": "\t"}


def escape_markdown(text: str) -> str:
    """`text` as Markdown that renders to exactly `text` in the widget, with no link, image, HTML or formatting
    of any kind. Plain sentences come back unchanged, since other channels show the raw text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ENTITY_START.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    text = _BARE_LINK.sub(lambda match: match.group(1) + "&#58;", text)
    text = _INLINE_MARKUP.sub(lambda match: "\\" + match.group(0), text)
    return _LINE_START_MARKUP.sub(_escape_line_start, text)


def _escape_line_start(match: "re.Match[str]") -> str:
    indent, marker, digits, delimiter, underline = match.groups()
    if len(indent.expandtabs(CODE_INDENT)) >= CODE_INDENT:
        indent = ("&#9;" if indent[0] == "\t" else "&#32;") + indent[1:]  # a paragraph line, not a code block
    if marker:
        return f"{indent}\\{marker}"
    if digits:
        return f"{indent}{digits}\\{delimiter}"
    if underline:
        return f"{indent}&#61;"  # "=" can't be backslash-escaped; a line of them would underline a heading
    return indent


def unescape_markdown(text: str) -> str:
    """The inverse of `escape_markdown`: what the agent typed, for the console's own transcript."""
    return _ESCAPED.sub(lambda match: match.group(1) or _UNESCAPED[match.group(0)], text)


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def transcript(self, conversation_id: str) -> List[TranscriptLine]:
        tracker = await self._request("GET", conversation_id, "tracker", {})
        events = tracker.get("events") if isinstance(tracker, dict) else None
        if not isinstance(events, list):
            raise RasaUnavailable("Rasa sent a conversation without events; is RASA_URL the Rasa server?")
        return transcript_from_events(events)

    async def send_agent_message(self, conversation_id: str, agent_name: str, text: str) -> None:
        event = {"event": "bot", "text": agent_text(agent_name, text), "metadata": {"agent_name": agent_name}}
        await self._request(
            "POST",
            conversation_id,
            "tracker/events",
            {"output_channel": "latest", "execute_side_effects": "true"},
            event,
        )

    async def resume(self, conversation_id: str) -> None:
        await self._request(
            "POST",
            conversation_id,
            "tracker/events",
            {"output_channel": "latest", "execute_side_effects": "true"},
            {"event": "resume"},
        )

    async def hand_back(self, conversation_id: str) -> None:
        """Unpause the bot, then let it greet the customer again and ask how satisfied they were."""
        await self.resume(conversation_id)
        await self._request("POST", conversation_id, "execute", {"output_channel": "latest"}, {"name": BOT_BACK_ACTION})

    async def _request(
        self,
        method: str,
        conversation_id: str,
        endpoint: str,
        params: Mapping[str, str],
        body: Optional[Dict[str, Any]] = None,
    ) -> Any:
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{endpoint}"
        what = f"{method} /conversations/…/{endpoint}"
        try:
            async with self._client().request(
                method, url, params={**params, "token": self._token}, json=body
            ) as response:
                if response.status in (401, 403):
                    raise RasaUnavailable(
                        f"Rasa refused the console's API token ({response.status} to {what}); check RASA_API_TOKEN."
                    )
                if response.status >= 400:
                    raise RasaUnavailable(
                        f"Rasa answered {response.status} to {what}: {_reason(await response.text())}"
                    )
                return await response.json(content_type=None)
        except RasaUnavailable:
            raise
        except asyncio.TimeoutError:
            raise RasaUnavailable(f"Rasa at {self.base_url} did not answer in time ({what}).") from None
        except aiohttp.ClientConnectionError:
            raise RasaUnavailable(f"Cannot reach Rasa at {self.base_url}: is it running?") from None
        except (aiohttp.ClientError, ValueError) as error:  # ValueError: the body was not JSON
            raise RasaUnavailable(f"Unexpected answer from Rasa to {what} ({type(error).__name__}).") from None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: an aiohttp session belongs to the event loop that is running when it is made.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


def transcript_from_events(events: Sequence[Any]) -> List[TranscriptLine]:
    """Customer, bot and agent messages and the pause/resume marks, in the order they happened."""
    lines: List[TranscriptLine] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        line = _line(event)
        if line is not None:
            lines.append(line)
    return lines


# The events the transcript shows as a line of its own, from the system.
_SYSTEM_LINES = {
    "pause": "Conversation paused: the bot waits for an agent.",
    "resume": "Conversation resumed: the bot answers again.",
}


def _line(event: Mapping[str, Any]) -> Optional[TranscriptLine]:
    kind = event.get("event")
    time = _iso_time(event.get("timestamp"))
    if isinstance(kind, str) and kind in _SYSTEM_LINES:
        return {"sender": "system", "text": _SYSTEM_LINES[kind], "time": time, "agent_name": None}
    text = event.get("text")
    if kind not in ("user", "bot") or not isinstance(text, str) or not text:
        return None  # slots, actions, button-only or image-only messages: not part of the readable chat
    if kind == "user":
        return {"sender": "customer", "text": text, "time": time, "agent_name": None}
    metadata = event.get("metadata")
    agent_name = metadata.get("agent_name") if isinstance(metadata, dict) else None
    if not isinstance(agent_name, str) or not agent_name:
        return {"sender": "bot", "text": text, "time": time, "agent_name": None}
    # The agent's name is shown beside the line, so the prefix the customer sees is not repeated in it, and the
    # text is shown as the agent typed it, without the escapes that keep the widget from reading it as Markdown.
    prefix = agent_text(agent_name, "")
    if text.startswith(prefix):
        text = unescape_markdown(text[len(prefix) :])
    elif text.startswith(f"{agent_name}{AGENT_SUFFIX}"):  # a reply sent before replies were escaped
        text = text[len(agent_name) + len(AGENT_SUFFIX) :]
    return {"sender": "agent", "text": text, "time": time, "agent_name": agent_name}


def _iso_time(timestamp: Any) -> Optional[str]:
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def _reason(body: str) -> str:
    """A short reason from Rasa's error body (its JSON has a `message`), never the whole body."""
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        message = None
    text = message if isinstance(message, str) and message else body
    return " ".join(text.split())[:200] or "no details"
