"""docs/adding_a_shop_question.md, done: in a copy of the project, the three edits (NLU examples, the answer, one
list entry), `rasa train core`, and the new question asked of the trained model through the real action server.

Trains a dialogue model (about 1-2 minutes on 2 cores); no NLU model is needed, since `/gift_wrapping` names the
intent directly.
"""

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from customer_care.settings import PROJECT_ROOT
from tools.servers import free_port, wait_until_up

pytestmark = pytest.mark.trains_a_model

RASA = str(Path(sys.executable).parent / "rasa")
# What the assistant's dialogue and actions need: the actions read the shop questions from the copy's rules.
COPIED = ["actions", "addons", "customer_care", "data", "config.yml", "domain.yml", "store_profile.yml"]
ANSWER = "Larkspur wraps any order as a gift: tick 'Gift wrapping' at checkout. Questions? help@larkspur.example"


def add_gift_wrapping(project: Path) -> None:
    """The three edits of docs/adding_a_shop_question.md."""
    (project / "data" / "nlu" / "gift_wrapping.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: gift_wrapping\n  examples: |\n    - do you gift wrap\n'
        "    - can you wrap it as a present\n    - is gift wrapping available\n",
        encoding="utf-8",
    )

    domain = project / "domain.yml"
    text = domain.read_text(encoding="utf-8")
    text = text.replace("  - track_refund\n", "  - track_refund\n  - gift_wrapping\n", 1)
    text = text.replace(
        "  # Shop questions and conversation\n",
        "  # Shop questions and conversation\n"
        '  utter_answer_gift_wrapping:\n    - text: "{shop_name} wraps any order as a gift: tick '
        "'Gift wrapping' at checkout. Questions? {support_email}\"\n",
        1,
    )
    domain.write_text(text, encoding="utf-8")

    rules = project / "data" / "rules" / "shop_questions.yml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(
        text.replace(
            "    - intent: switch_account\n", "    - intent: switch_account\n    - intent: gift_wrapping\n", 1
        ),
        encoding="utf-8",
    )


async def replies_to(model: Path, action_server: str, message: str):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    agent = Agent.load(str(model), action_endpoint=EndpointConfig(url=action_server))
    return await agent.handle_text(message, sender_id="gift-wrapping-test")


def test_a_shop_question_added_in_three_edits_is_answered(tmp_path):
    project = tmp_path / "project"
    for name in COPIED:
        source, target = PROJECT_ROOT / name, project / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    add_gift_wrapping(project)

    env = {**os.environ, "PYTHONPATH": str(project), "CARE_VAR_DIR": str(tmp_path / "var"), "SANIC_HOST": "127.0.0.1"}
    trained = subprocess.run(
        [RASA, "train", "core", "--fixed-model-name", "gift", "--out", str(tmp_path / "models")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]

    port = free_port()
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up([f"http://127.0.0.1:{port}/health"], timeout=120, processes=[actions])
        replies = asyncio.run(
            replies_to(tmp_path / "models" / "gift.tar.gz", f"http://127.0.0.1:{port}/webhook", "/gift_wrapping")
        )
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    assert [reply.get("text") for reply in replies] == [ANSWER]
