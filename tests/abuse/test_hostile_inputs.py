"""Every hostile input of the corpus on every public endpoint: no 5xx, no timeout, nothing echoed unescaped, every
server still alive and answering at the end.

Public endpoints and what each input becomes there:
- Rasa REST channel, POST /webhooks/rest/webhook: the raw body; `message`; `sender`; `metadata` values.
- Rasa socket.io channel (a socket.io client, as the widget): the `session_request` payload and its `session_id`;
  `user_uttered` as a whole, its `message` (with the input also in `customData`'s fields), its `session_id`
  (with the input also as the whole `customData`).
- Rasa's other public paths: GET / with the input in the query; /socket.io/ long polling: GET with a junk
  session id, and on a real polling session a POST with the input in a socket.io packet, then as the raw body.
- The console's public pages: GET /login with the input in the query; POST /login with the input as
  username and password (with a valid CSRF pair), and as the CSRF token; the demo shop /shop/ with the input as
  `name`, `email` and another parameter; /shop/files/<input as a path>.
Inputs of the "header" category also go in as header values (User-Agent, Referer, X-Forwarded-For, Accept,
Cookie, and Content-Type where there is a body).

A socket.io event counts as handled when the server acknowledges it (python-socketio sends the acknowledgement
once the handler returned); one that is never acknowledged while the connection stays open is a handler that
raised or hung: a failure, the socket.io equivalent of a 500. Being disconnected, like a 4xx, is a legitimate
refusal. A delivery that the test client itself can't send (a header value no HTTP client may put on the wire)
is not counted. Each input comes from a loopback address of its own, as from many attackers, so that the
channels' message rate per address lets all of it through to the NLU and the actions.

Light inputs go first, then the heavy ones, then the "tokenizer bombs" (one word made of thousands of sub-tokens,
like "a.a.a...", which cost the NLU time that grows with the square of their length). When a turn times out and
the assistant no longer answers a plain "hi", the remaining deliveries that need a turn are not sent (reported,
and the test fails); so does a delivery that the time budget leaves unsent.

The barrage's code: barrage.py (its bookkeeping), barrage_http.py and barrage_http_deliveries.py (HTTP),
barrage_sockets.py (socket.io); the inputs: corpus.py.
"""

import re
import resource
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import pytest
import requests

from tests.abuse.barrage import BUDGET_SECONDS, Barrage, Outcome
from tests.abuse.barrage_http import run_http
from tests.abuse.barrage_http_deliveries import http_deliveries
from tests.abuse.barrage_sockets import run_sockets, socket_deliveries
from tests.abuse.conftest import HTTP_TIMEOUT, new_sender, next_client_address
from tests.abuse.corpus import Hostile, hostile_inputs

HTTP_WORKERS = 6
TOKENIZER_BOMB_SUBTOKENS = 300  # sub-tokens in one whitespace-separated word
WAVES = ("light", "heavy", "tokenizer bombs")


def _wave(hostile: Hostile) -> int:
    text = hostile.text() if hostile.raw_json is None else ""
    words = text.split()
    if words and max(len(re.findall(r"\w+", word)) for word in words) >= TOKENIZER_BOMB_SUBTOKENS:
        return 2
    return 1 if hostile.heavy else 0


# The test -------------------------------------------------------------------------------------------------------


def _groups(failed: List[Outcome]) -> Dict[str, Dict[str, Any]]:
    """Failures by endpoint and kind (an HTTP status, a timeout, a missing acknowledgement), with the inputs."""
    groups: Dict[str, Dict[str, Any]] = {}
    for outcome in failed:
        kind = outcome.detail.split(":")[0] if outcome.detail.startswith("HTTP") else outcome.detail[:70]
        group = groups.setdefault(f"{outcome.endpoint}: {kind}", {"count": 0, "inputs": []})
        group["count"] += 1
        if len(group["inputs"]) < 12:
            group["inputs"].append(outcome.hostile)
    return dict(sorted(groups.items(), key=lambda item: -item[1]["count"]))


@pytest.mark.timeout(BUDGET_SECONDS + 150)
def test_hostile_inputs_on_every_public_endpoint(servers, results):
    corpus = hostile_inputs()
    assert len(corpus) >= 500
    console = servers.console_url
    login_page = requests.get(f"{console}/login", timeout=HTTP_TIMEOUT)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
    cookie_token = login_page.cookies.get("console_login_csrf", form_token)
    stale_form = requests.post(
        f"{console}/login", data={"username": "x", "password": "y", "csrf_token": "z"}, timeout=HTTP_TIMEOUT
    )
    wrong_login = requests.post(
        f"{console}/login",
        data={"username": "nobody", "password": "wrong password", "csrf_token": form_token},
        cookies={"console_login_csrf": cookie_token},
        timeout=HTTP_TIMEOUT,
    )
    baselines = {
        "shop": [requests.get(f"{console}/shop/", timeout=HTTP_TIMEOUT).text],
        "login": [login_page.text, stale_form.text, wrong_login.text],
    }

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    barrage = Barrage(
        servers, time.monotonic() + BUDGET_SECONDS, sources={hostile.name: next_client_address() for hostile in corpus}
    )
    stop_watching = threading.Event()
    watcher = threading.Thread(target=barrage.watch, args=(stop_watching,), daemon=True)
    watcher.start()
    began = time.monotonic()
    wave_times = {}
    for wave, name in enumerate(WAVES):
        inputs = [hostile for hostile in corpus if _wave(hostile) == wave]
        http = [
            d for hostile in inputs for d in http_deliveries(servers, hostile, (cookie_token, form_token), baselines)
        ]
        sockets = [d for hostile in inputs for d in socket_deliveries(hostile)]
        wave_began = time.monotonic()
        socket_thread = threading.Thread(target=run_sockets, args=(barrage, sockets), daemon=True)
        socket_thread.start()
        with ThreadPoolExecutor(HTTP_WORKERS) as pool:
            list(pool.map(lambda delivery: run_http(barrage, delivery), http))
        socket_thread.join()
        names = {hostile.name for hostile in inputs}
        in_wave = [o for o in barrage.outcomes if o.hostile in names and o.seconds]
        slowest_in_wave = max(in_wave, key=lambda o: o.seconds, default=None)
        wave_times[name] = {
            "inputs": len(inputs),
            "deliveries": len(http) + len(sockets),
            "seconds": round(time.monotonic() - wave_began, 1),
            "slowest": f"{slowest_in_wave.seconds:.1f} s {slowest_in_wave.endpoint} <- {slowest_in_wave.hostile}"
            if slowest_in_wave
            else None,
        }
    elapsed = time.monotonic() - began
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    time.sleep(0.5)
    stop_watching.set()
    watcher.join()

    dead = {name: process.returncode for name, process in servers.processes.items() if process.poll() is not None}
    try:
        final = requests.post(
            servers.rest_webhook, json={"sender": new_sender("after"), "message": "hi"}, timeout=HTTP_TIMEOUT
        )
        answers = final.status_code == 200 and bool(final.json())
    except (requests.RequestException, ValueError):
        answers = False

    outcomes = barrage.outcomes
    sent = [o for o in outcomes if o.result in ("ok", "refused", "failed")]
    failed = [o for o in outcomes if o.result == "failed"]
    skipped = [o for o in outcomes if o.result == "skipped"]
    slowest = max(sent, key=lambda o: o.seconds)
    by_endpoint: Dict[str, Counter] = defaultdict(Counter)
    for outcome in outcomes:
        by_endpoint[outcome.endpoint][outcome.result] += 1
    five_xx = [o for o in failed if o.detail.startswith("HTTP 5")]
    timeouts = [o for o in failed if "within" in o.detail]
    figures = {
        "inputs": len(corpus),
        "requests_sent": len(sent),
        "http_requests_sent": sum(1 for o in sent if not o.endpoint.startswith("sio")),
        "socket_events_sent": sum(1 for o in sent if o.endpoint.startswith("sio")),
        "seconds": round(elapsed, 1),
        "waves": wave_times,
        "test_client_cpu_seconds": round(client_cpu.ru_utime + client_cpu.ru_stime - cpu_before, 1),
        "slowest_request": {
            "seconds": round(slowest.seconds, 2),
            "endpoint": slowest.endpoint,
            "input": slowest.hostile,
            "result": slowest.detail,
        },
        "failed": len(failed),
        "five_xx": len(five_xx),
        "timeouts_or_no_ack": len(timeouts),
        "skipped": len(skipped),
        "not_sent_by_client": sum(1 for o in outcomes if o.result == "not sent"),
        "by_endpoint": {endpoint: dict(counts) for endpoint, counts in sorted(by_endpoint.items())},
        "failure_groups": _groups(failed),
        "stalled": barrage.stalled,
        "down": barrage.down,
        "dead_processes": dead,
        "deaths": barrage.deaths,
        "answers_after": answers,
    }
    results["hostile_inputs"] = figures
    print(
        f"\n[abuse] hostile inputs: {len(corpus)} inputs, {len(sent)} requests sent "
        f"({figures['http_requests_sent']} HTTP, {figures['socket_events_sent']} socket.io events) in {elapsed:.1f} s; "
        f"largest single request: {slowest.seconds:.2f} s ({slowest.endpoint} <- {slowest.hostile}: "
        f"{slowest.detail}); {len(failed)} failed ({len(five_xx)} 5xx, {len(timeouts)} timeouts or unacknowledged), "
        f"{len(skipped)} skipped; waves {wave_times}"
    )
    for endpoint, counts in sorted(by_endpoint.items()):
        print(f"[abuse]   {endpoint:38s} {dict(counts)}")
    for group, found in figures["failure_groups"].items():
        print(f"[abuse]   FAILED {found['count']:4d} x {group}: {', '.join(found['inputs'])}")

    if barrage.down:
        print(
            f"[abuse]   STOPPED ACCEPTING CONNECTIONS: {barrage.down['server']}; in flight then: "
            f"{barrage.down['suspects']}"
        )
    for name, death in barrage.deaths.items():
        print(
            f"[abuse]   DIED {name} (exit code {death['exit_code']}); in flight then: {death['suspects']}; its last "
            f"errors: " + "\n[abuse]     ".join([""] + death["last_errors"])
        )

    problems = []
    if dead:
        problems.append(
            f"server processes died: {dead}; "
            + "; ".join(
                f"{name} with these in flight: {death['suspects'][:12]}, last errors: {death['last_errors'][-3:]}"
                for name, death in barrage.deaths.items()
            )
        )
    if not answers:
        problems.append("the assistant no longer answers 'hi' within 30 s after the barrage")
    if barrage.down and not dead:
        problems.append(
            f"{barrage.down['server']} stopped accepting connections; in flight then: {barrage.down['suspects'][:12]}"
        )
    if barrage.stalled:
        problems.append(f"the assistant stopped answering {barrage.stalled}")
    if failed:
        examples = "\n  ".join(
            f"{found['count']} x {group}, e.g. {', '.join(found['inputs'][:4])}"
            for group, found in figures["failure_groups"].items()
        )
        problems.append(f"{len(failed)} deliveries failed ({len(five_xx)} with a 5xx):\n  {examples}")
    if skipped:
        reasons = Counter(o.detail for o in skipped)
        problems.append(f"{len(skipped)} deliveries were not sent: {dict(reasons)}")
    assert not problems, "\n".join(problems)
