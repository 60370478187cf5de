"""Agents' replies reach the customer's widget as literal text: rasa-webchat 1.0.1 renders bot messages as
Markdown (react-markdown 4, remark-parse 5 with GFM, raw HTML escaped, *no* link sanitising), so the console
escapes what an agent types, and their name, before it becomes the bot message."""

import json
import random
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import List

import pytest

from console import rasa_api
from console.rasa_api import agent_text, transcript_from_events

ROOT = Path(__file__).resolve().parents[2]
WIDGET_MODULES = ROOT / "shop" / "node_modules"
RENDERER = Path(__file__).resolve().parent / "widget_markdown.js"

ATTACKS = [
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "**bold**",
    "![img](http://evil)",
    "<javascript://%0Aalert(1)>",
    "<http://evil.example/>",
    '<a href="javascript:alert(1)">click</a>',
    "[click][1]\n\n[1]: javascript:alert(1)",
    "[click]\n\n[click]: javascript:alert(1)",
    "__under__ and *one* and _two_ and `code` and ~~gone~~",
    "# Heading\n## Sub",
    "> quoted",
    "- item\n+ item\n* item",
    "1. first\n2) second",
    "Title\n=====",
    "Title\n-----",
    "***\n---\n___",
    "```\nfenced\n```\n~~~\nfenced\n~~~",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "&lt;script&gt; &amp; &copy &#x3C;img&#x3E; Q&A",
    "a\\*b\\*c \\[x\\](javascript:alert(1))",
    "line one  \nline two",
    "track it at https://carrier.example/t?id=1 or HTTP://x.example, mail help@shop.example or mailto:a@b.example",
    "    indented like code\n\tand with a tab\n      - a nested item *here*",
]
PLAIN = [
    "Hello, I'm Sam. How can I help?",
    "Your refund (EUR 49.90) is on its way - it takes 3-5 days!",
    "Order 104233: shipped? Yes. 100% sure; see you @ 5 pm, okay = fine {promise}",
]


def widget_render(texts: List[str]) -> List[str]:
    """The HTML rasa-webchat makes of each bot message (see widget_markdown.js)."""
    if shutil.which("node") is None or not (WIDGET_MODULES / "react-markdown").is_dir():
        pytest.skip("needs node and shop/node_modules (make install)")
    result = subprocess.run(
        ["node", str(RENDERER), str(WIDGET_MODULES)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def visible_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html.replace("<br/>", "\n").replace("</p><p>", "\n")))


def test_agent_markdown_link_is_escaped() -> None:
    text = agent_text("Sam Lee", "[x](javascript:alert(1))")

    assert text == r"Sam Lee (customer care): \[x\](javascript:alert(1))"
    [html] = widget_render([text])
    assert "<a" not in html and "javascript:alert(1)" in html
    assert visible_text(html) == "Sam Lee (customer care): [x](javascript:alert(1))"


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_and_html_in_a_reply_arrive_as_literal_text(attack: str) -> None:
    [html] = widget_render([rasa_api.escape_markdown(attack)])

    tags = set(re.findall(r"<([a-z0-9]+)", html)) - {"div", "p", "br"}
    assert tags == set(), html
    assert " ".join(visible_text(html).split()) == " ".join(attack.split())


def test_the_unsafe_examples_of_the_issue_are_not_rendered() -> None:
    rendered = widget_render(
        [
            agent_text("Sam", text)
            for text in ("[x](javascript:alert(1))", "<script>", "**bold**", "![img](http://evil)")
        ]
    )

    for html in rendered:
        assert not re.search(r"<(a|img|strong|script)\b", html), html
    assert [visible_text(html) for html in rendered] == [
        "Sam (customer care): [x](javascript:alert(1))",
        "Sam (customer care): <script>",
        "Sam (customer care): **bold**",
        "Sam (customer care): ![img](http://evil)",
    ]


@pytest.mark.parametrize("name", ["[Sam](javascript:alert(1))", "**Sam**", "<img src=x onerror=alert(1)>", "# Sam"])
def test_the_agents_name_is_escaped_too(name: str) -> None:
    [html] = widget_render([agent_text(name, "Hello")])

    assert not re.search(r"<(a|img|strong|h1)\b", html), html
    assert visible_text(html) == f"{name} (customer care): Hello"


def test_ordinary_replies_are_left_as_they_are() -> None:
    """Other channels (REST, a help desk reading the tracker) show the text as it is: plain sentences need no
    escapes, so they get none."""
    for text in PLAIN:
        assert rasa_api.escape_markdown(text) == text
    assert agent_text("Sam Lee", PLAIN[0]) == "Sam Lee (customer care): Hello, I'm Sam. How can I help?"
    assert [visible_text(html) for html in widget_render(PLAIN)] == PLAIN


def test_unescape_gives_back_exactly_what_the_agent_typed() -> None:
    generator = random.Random(14)
    alphabet = "ab 1.#>-+=*_`[]()!<>&;|~\\\n\t:/lt;amp#61x" + "http" * 3 + "mailto:"
    samples = (
        ATTACKS
        + PLAIN
        + ["".join(generator.choice(alphabet) for _ in range(generator.randint(0, 40))) for _ in range(2000)]
    )
    for sample in samples:
        assert rasa_api.unescape_markdown(rasa_api.escape_markdown(sample)) == sample, repr(sample)


def test_the_console_transcript_shows_the_reply_as_typed() -> None:
    typed = "See **this**: [x](javascript:alert(1)) <b>"
    name = "Sam [Lee]"
    events = [{"event": "bot", "text": agent_text(name, typed), "metadata": {"agent_name": name}}]

    assert transcript_from_events(events) == [{"sender": "agent", "text": typed, "time": None, "agent_name": name}]
