"""Who can see what: guessed order numbers, a stolen conversation id, the internal services' addresses."""

import asyncio
import json
import re
import socket
import subprocess
import time
from decimal import Decimal
from typing import Any, Dict, List, Set, Tuple

import pytest
import requests

from customer_care.sample_orders import sample_orders
from tests.abuse.conftest import (
    HTTP_TIMEOUT,
    WidgetClient,
    conversation_ids,
    http_session,
    new_sender,
    next_client_address,
)

# Guessed order numbers ----------------------------------------------------------------------------------

NUMBERS_TRIED = 100
NUMBERS_PER_CONVERSATION = 4
WRONG_DETAILS = ("guess@example.com", "12345")  # neither is any sample order's e-mail or postcode
# "the e-mail address or postcode the order was placed with" (not "your confirmation e-mail", which the bot says
# about where to find an order number)
ASKS_FOR_DETAILS = re.compile(r"post ?code|zip ?code|e-?mail address", re.IGNORECASE)


def _guessed_numbers(real: List[str]) -> List[str]:
    """Every real number and 88 that don't exist (neighbours of real ones, and others in their range), mixed so
    that real ones come early, in the middle and late, and never two real ones in a row."""
    real_set = set(real)
    low, high = min(map(int, real)), max(map(int, real))
    fake: List[str] = []
    for number in real:  # the neighbours an attacker tries first
        for step in (1, -1, 7):
            candidate = str(int(number) + step)
            if candidate not in real_set and candidate not in fake:
                fake.append(candidate)
    spread = high + 1 - low
    index = 0
    while len(fake) < NUMBERS_TRIED - len(real):
        candidate = str(low + (index * 7919) % spread)  # a fixed stride through the range: deterministic
        index += 1
        if candidate not in real_set and candidate not in fake:
            fake.append(candidate)
    ordered: List[str] = []
    every = len(fake) // len(real)
    for position, number in enumerate(real):
        ordered.append(number)
        ordered.extend(fake[position * every : (position + 1) * every])
    ordered.extend(fake[len(real) * every :])
    return ordered


def _money_variants(amount: Decimal) -> Set[str]:
    text = f"{amount:.2f}"
    return {text, text.replace(".", ",")}


def _secrets_of(order: Any) -> List[Tuple[str, re.Pattern]]:
    """(what, pattern) for everything about one order that an anonymous customer must not learn."""

    def words(text: str) -> re.Pattern:
        return re.compile(r"(?<![\w])" + re.escape(text) + r"(?![\w])", re.IGNORECASE)

    secrets: List[Tuple[str, re.Pattern]] = []
    for item in order.items:
        name = re.sub(r"^\d+\s*x\s*", "", item)
        secrets.append((f"item {name!r}", words(name)))
        head = name.split(",")[0].strip()
        if head != name and len(head.split()) >= 2:
            secrets.append((f"item {head!r}", words(head)))
    if order.tracking_code:
        secrets.append((f"tracking code {order.tracking_code}", words(order.tracking_code)))
        # The carrier's name with a code-like token next to it, in either order.
        code = r"[A-Z0-9]{8,}"
        carrier = re.escape(order.carrier or "")
        secrets.append(
            (
                f"carrier {order.carrier} next to a tracking code",
                re.compile(rf"\b{carrier}\b.{{0,40}}\b{code}\b|\b{code}\b.{{0,40}}\b{carrier}\b"),
            )
        )
    secrets.append((f"customer name {order.customer_name!r}", words(order.customer_name)))
    surname = order.customer_name.split()[-1]
    secrets.append((f"customer surname {surname!r}", words(surname)))
    secrets.append((f"e-mail {order.email}", words(order.email)))
    secrets.append(("an e-mail address of the shop's customers", re.compile(r"@mailbox\.example", re.IGNORECASE)))
    street = order.shipping_address.split(",")[0].strip()
    secrets.append((f"street address {street!r}", words(street)))
    postcode = getattr(order, "postcode", "") or (re.findall(r"\b\d{5}\b", order.shipping_address) or [""])[0]
    if postcode:
        secrets.append((f"postcode {postcode}", words(postcode)))
    for amount in {order.total} | ({order.refund.amount} if order.refund else set()):
        for text in _money_variants(amount):
            secrets.append((f"amount {text}", re.compile(r"(?<![\d.,])" + re.escape(text) + r"(?![\d])")))
    if order.refund and order.refund.note:
        secrets.append((f"refund note {order.refund.note!r}", words(order.refund.note)))
    return secrets


@pytest.mark.timeout(240)
def test_guessed_order_numbers_reveal_nothing(servers, results):
    """An anonymous REST customer tries 100 order numbers, several conversations of a few numbers each, and
    answers the question about the order's e-mail or postcode with wrong ones. Nothing of any sample order may
    come back, and the answers for a real and an unknown number must be the same sentences once the number
    itself is replaced by a placeholder."""
    orders = sample_orders()
    real = sorted(order.number for order in orders)
    numbers = _guessed_numbers(real)
    assert len(numbers) == NUMBERS_TRIED and set(real) <= set(numbers)
    secrets = [(order.number, what, pattern) for order in orders for what, pattern in _secrets_of(order)]

    exchanges: List[Dict[str, Any]] = []
    began = time.monotonic()
    for start in range(0, len(numbers), NUMBERS_PER_CONVERSATION):
        sender = new_sender("guesser")  # anonymous: no metadata at all
        # A guesser with many addresses, the strongest kind: the message rate and the failed look-ups per address
        # never stop it, so what it reads is what the answers give away.
        http = http_session(next_client_address())
        for offset, number in enumerate(numbers[start : start + NUMBERS_PER_CONVERSATION]):
            asked = _say(servers, http, sender, f"where is my order {number}")
            answer: List[str] = []
            details = None
            if any(ASKS_FOR_DETAILS.search(text) for text in asked):
                details = WRONG_DETAILS[(start + offset) % 2]
                answer = _say(servers, http, sender, details)
            exchanges.append(
                {
                    "number": number,
                    "real": number in real,
                    "sender": sender,
                    "position": offset,
                    "asked": asked,
                    "details": details,
                    "answer": answer,
                }
            )
    elapsed = time.monotonic() - began

    leaks: List[str] = []
    for exchange in exchanges:
        for text in exchange["asked"] + exchange["answer"]:
            found = {what for _owner, what, pattern in secrets if pattern.search(text)}
            leaks.extend(f"asking for {exchange['number']}: {what} in {text!r}" for what in sorted(found))

    def normal(exchange: Dict[str, Any]) -> str:
        texts = exchange["asked"] + ["|"] + exchange["answer"]
        return "\n".join(text.replace(exchange["number"], "<NUMBER>") for text in texts)

    for_real = {normal(exchange) for exchange in exchanges if exchange["real"]}
    for_unknown = {normal(exchange) for exchange in exchanges if not exchange["real"]}
    only_real = sorted(for_real - for_unknown)
    only_unknown = sorted(for_unknown - for_real)
    # The first real number and the unknown number asked right after it, in fresh conversations' first turns
    # (before any limit could count): the strictest pair.
    first_real = next(e for e in exchanges if e["real"] and e["position"] == 0)
    first_unknown = next(e for e in exchanges if not e["real"] and e["position"] == 0)

    asked_for_details = sum(1 for exchange in exchanges if exchange["details"])
    print(
        f"\n[abuse] guessed order numbers: {len(exchanges)} numbers ({len(real)} real) in "
        f"{len(exchanges) // NUMBERS_PER_CONVERSATION} conversations, {elapsed:.1f} s; the bot asked for the "
        f"e-mail or postcode {asked_for_details} times; {len(leaks)} leaks; distinct answers: "
        f"{len(for_real)} for real numbers, {len(for_unknown)} for unknown ones"
    )
    results["guessed_order_numbers"] = {
        "numbers_tried": len(exchanges),
        "real_numbers": len(real),
        "asked_for_details": asked_for_details,
        "leaks": len(leaks),
        "leak_examples": leaks[:20],
        "answers_only_for_real_numbers": only_real[:5],
        "answers_only_for_unknown_numbers": only_unknown[:5],
        "seconds": round(elapsed, 1),
    }
    problems = []
    if leaks:
        problems.append(f"{len(leaks)} replies reveal sample orders' details, e.g.:\n  " + "\n  ".join(leaks[:15]))
    if only_real or only_unknown:
        problems.append(
            "real and unknown numbers get different answers (number replaced by <NUMBER>):\n"
            f"  only for real numbers: {only_real[:3]}\n  only for unknown numbers: {only_unknown[:3]}"
        )
    if normal(first_real) != normal(first_unknown):
        problems.append(
            f"first real number {first_real['number']} vs unknown {first_unknown['number']}, each the "
            f"first question of a new conversation:\n  {normal(first_real)!r}\n  {normal(first_unknown)!r}"
        )
    assert not problems, "\n\n".join(problems)


def _say(servers, http: requests.Session, sender: str, message: str) -> List[str]:
    reply = http.post(servers.rest_webhook, json={"sender": sender, "message": message}, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 200, f"{message!r}: {reply.status_code} {reply.text[:300]}"
    return [item.get("text") or "" for item in reply.json()]


# A stolen conversation id ----------------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_stolen_conversation_id_joins_nothing(servers, results):
    """B knows A's conversation id (seen in the console, or in the database): B must neither read A's chat (an
    agent's reply to A) nor write into it."""
    asyncio.run(_stolen_conversation_id(servers, results))


async def _stolen_conversation_id(servers, results) -> None:
    known_before = set(conversation_ids(servers.work_dir))
    a, b = WidgetClient(servers.rasa_url), WidgetClient(servers.rasa_url)
    try:
        await a.connect()
        a_session = await a.session(None)
        assert a_session, "A got no session_confirm"
        await a.call("user_uttered", {"message": "hi", "session_id": a_session, "customData": {"language": "en"}})
        assert await a.wait_for(lambda: bool(a.utterances), 30), "A got no reply to 'hi'"

        # A's conversation id, as the console or the database shows it.
        deadline = time.monotonic() + 15
        new: Set[str] = set()
        while time.monotonic() < deadline and not new:
            new = set(conversation_ids(servers.work_dir)) - known_before
            if not new:
                await asyncio.sleep(0.3)
        assert len(new) == 1, f"expected exactly one new conversation in tracker.db after A's 'hi', found {new}"
        a_conversation = new.pop()

        await b.connect()
        b_session = await b.session(a_conversation)
        await b.call(
            "user_uttered", {"message": "B writes here", "session_id": a_conversation, "customData": {"language": "en"}}
        )
        await b.wait_for(lambda: bool(b.utterances), 10)  # whatever B's own conversation answers

        a_count = len(a.utterances)
        event = requests.post(
            f"{servers.rasa_url}/conversations/{a_conversation}/tracker/events",
            params={"token": servers.api_token, "output_channel": "latest", "execute_side_effects": "true"},
            json={"event": "bot", "text": "secret for A"},
            timeout=HTTP_TIMEOUT,
        )
        assert event.status_code == 200, f"the agent's message was refused: {event.status_code} {event.text[:300]}"
        a_got_it = await a.wait_for(lambda: "secret for A" in a.texts(), 15)
        await asyncio.sleep(2)  # time for a copy to reach B too, if it goes there
        b_got_it = "secret for A" in b.texts()

        tracker = requests.get(
            f"{servers.rasa_url}/conversations/{a_conversation}/tracker",
            params={"token": servers.api_token},
            timeout=HTTP_TIMEOUT,
        ).json()
        written_by_b = [
            e for e in tracker.get("events", []) if e.get("event") == "user" and e.get("text") == "B writes here"
        ]
    finally:
        await a.close()
        await b.close()

    print(
        f"\n[abuse] stolen conversation id: A's session {str(a_session)[:24]}..., conversation {a_conversation}; "
        f"B's session_confirm {str(b_session)[:24]}...; A got the agent's message: {a_got_it}; B got it: "
        f"{b_got_it}; B's message in A's tracker: {bool(written_by_b)}"
    )
    results["stolen_conversation_id"] = {
        "a_session_is_conversation_id": a_session == a_conversation,
        "b_confirmed_a_conversation_id": b_session == a_conversation,
        "a_received_agent_message": a_got_it,
        "b_received_agent_message": b_got_it,
        "b_message_in_a_tracker": bool(written_by_b),
        "replies_to_b": b.texts()[:5],
    }
    problems = []
    if b_session == a_conversation:
        problems.append(f"B's session_confirm is A's conversation id {a_conversation}: B joined A's conversation")
    if b_got_it:
        problems.append("B received the agent's message meant for A ('secret for A')")
    if written_by_b:
        problems.append("B's 'B writes here' is a user message in A's tracker")
    if not a_got_it:
        problems.append(f"A never received the agent's message (A got: {a.texts()[a_count:]})")
    assert not problems, "\n".join(problems)


# The internal services' addresses ----------------------------------------------------------------------------


def _non_loopback_ipv4() -> List[str]:
    addresses: Set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addresses.add(info[4][0])
    except socket.gaierror:
        pass
    for command in (["hostname", "-I"], ["ip", "-4", "-o", "addr", "show"]):
        try:
            output = subprocess.run(command, capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        addresses.update(re.findall(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b", output))
    return sorted(
        a
        for a in addresses
        if not a.startswith("127.")
        and not a.startswith("0.")
        and not a.endswith(".255")
        and all(0 <= int(part) <= 255 for part in a.split("."))
    )


def _connects(host: str, port: int) -> str:
    """'open', 'refused' or 'unreachable' (a timeout or another error)."""
    try:
        with socket.create_connection((host, port), timeout=3):
            return "open"
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        return "unreachable"


@pytest.mark.timeout(60)
def test_internal_services_refuse_non_loopback_connections(servers, results):
    """The action server and the NLU worker are for the Rasa server on the same machine: nothing else may reach
    them. A connection to this machine's own non-loopback address must be refused."""
    addresses = _non_loopback_ipv4()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address to try (only 127.0.0.0/8)")
    services = {"action server": servers.action_url, "NLU worker": servers.nlu_url}
    findings: Dict[str, Dict[str, str]] = {}
    for name, url in services.items():
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        findings[name] = {"127.0.0.1": _connects("127.0.0.1", port)}
        for address in addresses:
            findings[name][address] = _connects(address, port)
    print(f"\n[abuse] internal services by address: {json.dumps(findings)}")
    results["internal_services"] = findings
    for name, seen in findings.items():
        assert seen["127.0.0.1"] == "open", f"the {name} does not answer on 127.0.0.1: {seen}"
    exposed = [
        f"the {name} accepts connections on {address}"
        for name, seen in findings.items()
        for address, state in seen.items()
        if address != "127.0.0.1" and state == "open"
    ]
    assert not exposed, "; ".join(exposed) + " (it should listen on 127.0.0.1 only)"
