import difflib
import shutil
from pathlib import Path
from typing import Dict, List, Sequence

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.domain_file import PLACEHOLDER_RESPONSE
from addons.nlu_export import (
    HEADER,
    ExportError,
    export_examples,
    render_example,
    training_text,
)
from customer_care.inbox import ApprovedExample, Inbox
from tools import inbox_export

ROOT = Path(__file__).resolve().parents[2]
KNOWN_DOMAIN_COMMENT = "  # Shop intents: these 27 names are a contract, used by the held-out evaluation.\n"

ORDERS_YML = """version: "3.1"
nlu:
- intent: track_order
  examples: |
    - where is my order 104233
    - Track my parcel
    - has my order [104233](order_number) shipped yet
- intent: greet
  examples: |
    - hello
"""


@pytest.fixture
def project(tmp_path: Path) -> Dict[str, Path]:
    nlu_dir = tmp_path / "data" / "nlu"
    nlu_dir.mkdir(parents=True)
    (nlu_dir / "orders.yml").write_text(ORDERS_YML, encoding="utf-8")
    shutil.copy(ROOT / "data" / "nlu" / "regex.yml", nlu_dir / "regex.yml")
    domain = tmp_path / "domain.yml"
    shutil.copy(ROOT / "domain.yml", domain)
    return {"nlu_dir": nlu_dir, "domain": domain, "out": nlu_dir / "from_conversations.yml"}


def export(project: Dict[str, Path], examples: Sequence[ApprovedExample]):
    return export_examples(examples, nlu_dir=project["nlu_dir"], domain_path=project["domain"], out_path=project["out"])


def loaded(path: Path) -> TrainingData:
    return load_data(str(path))


def examples_by_intent(data: TrainingData) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for message in data.training_examples:
        found.setdefault(message.get("intent"), []).append(message.get("text"))
    return found


BASIC = [
    ApprovedExample("wheres my parcel gone", "track_order", []),
    ApprovedExample("I want to cancel, it's been 3 weeks", "cancel_order", []),
    ApprovedExample("what's the weather in Leeds", "out_of_scope", []),
]


def test_export_writes_rasa_training_data(project: Dict[str, Path]) -> None:
    result = export(project, BASIC)

    assert result.path == project["out"]
    assert (result.written, result.skipped_existing, result.new_intents) == (3, 0, [])
    content = project["out"].read_text(encoding="utf-8")
    assert content.startswith(HEADER)
    assert "make inbox-export" in content and 'version: "3.1"' in content
    assert examples_by_intent(loaded(project["out"])) == {
        "cancel_order": ["I want to cancel, it's been 3 weeks"],
        "out_of_scope": ["what's the weather in Leeds"],
        "track_order": ["wheres my parcel gone"],
    }


def test_output_is_sorted_and_byte_identical_on_re_export(project: Dict[str, Path]) -> None:
    export(project, BASIC)
    first = project["out"].read_bytes()
    modified = project["out"].stat().st_mtime_ns

    export(project, list(reversed(BASIC)))

    assert project["out"].read_bytes() == first
    assert project["out"].stat().st_mtime_ns == modified  # unchanged content is not rewritten (make would retrain)
    intents = [line for line in first.decode().splitlines() if line.startswith("- intent:")]
    assert intents == sorted(intents)


def test_same_input_gives_the_same_bytes_from_scratch(project: Dict[str, Path], tmp_path: Path) -> None:
    export(project, BASIC)
    first = project["out"].read_bytes()
    project["out"].unlink()
    export(project, list(reversed(BASIC)))
    assert project["out"].read_bytes() == first


def test_re_export_merges_with_earlier_exports(project: Dict[str, Path]) -> None:
    export(project, BASIC[:1])
    result = export(project, BASIC[1:])

    assert result.written == 3
    assert sorted(message.get("text") for message in loaded(project["out"]).training_examples) == sorted(
        example.text for example in BASIC
    )


def test_a_relabelled_example_moves_to_its_new_intent(project: Dict[str, Path]) -> None:
    export(project, [ApprovedExample("can I pay by cheque", "payment_issue", [])])
    export(project, [ApprovedExample("can I pay by cheque", "check_payment_methods", [])])

    assert examples_by_intent(loaded(project["out"])) == {"check_payment_methods": ["can I pay by cheque"]}


def test_examples_the_training_data_has_in_other_words_are_skipped(project: Dict[str, Path]) -> None:
    result = export(
        project,
        [
            ApprovedExample("TRACK MY PARCEL!!", "track_order", []),
            ApprovedExample("Where is my order 999999?", "track_order", []),
            ApprovedExample("Hello.", "contact_human_agent", []),  # known under another intent: skipped too
            ApprovedExample("gift wrap?", "place_order", []),
            ApprovedExample("Gift wrap", "place_order", []),  # a duplicate within the export
        ],
    )

    assert result.skipped_existing == 3
    assert result.written == 1
    assert examples_by_intent(loaded(project["out"])) == {"place_order": ["Gift wrap"]}


def test_personal_data_is_masked_before_writing(project: Dict[str, Path]) -> None:
    export(
        project,
        [
            ApprovedExample("please update my email to jane.doe@example.com", "edit_account", []),
            ApprovedExample("charge 4111 1111 1111 1111 failed for order 104233", "payment_issue", []),
            ApprovedExample("my card is [card] and it was refused", "payment_issue", []),  # masked by the inbox
        ],
    )

    content = project["out"].read_text(encoding="utf-8")
    assert "jane.doe" not in content and "4111" not in content
    data = loaded(project["out"])
    texts = examples_by_intent(data)
    assert texts["edit_account"] == ["please update my email to <email>"]
    assert sorted(texts["payment_issue"]) == [
        "charge <card> failed for order 104233",
        "my card is <card> and it was refused",
    ]
    assert all(not message.get("entities") for message in data.training_examples)


def test_training_text_never_leaves_entity_syntax() -> None:
    assert training_text("mail [email](x) now [a][b] {c}") == "mail <email>(x) now (a)(b) (c)"
    assert training_text("two\nlines\u2028and\ttabs\x00") == "two lines and tabs"
    assert training_text(training_text("call +44 20 7946 0958")) == "call <phone>"


def test_entities_round_trip(project: Dict[str, Path]) -> None:
    text = "order 123456 never came, mail me at sam@example.com, this is Sam"
    entities = [
        {"entity": "order_number", "value": "123456", "start": 6, "end": 12},
        {"entity": "email", "value": "sam@example.com", "start": 36, "end": 51},
        {"entity": "customer_name", "value": "Sam", "start": 61, "end": 64},
    ]
    export(project, [ApprovedExample(text, "track_order", entities)])

    assert "[123456](order_number)" in project["out"].read_text(encoding="utf-8")
    message = loaded(project["out"]).training_examples[0]
    assert message.get("text") == "order 123456 never came, mail me at <email>, this is Sam"
    # The masked address loses its annotation (the model would learn the word "email" as an e-mail address);
    # the name after it moves with the shorter text.
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in message.get("entities")] == [
        ("order_number", "123456", 6, 12),
        ("customer_name", "Sam", 53, 56),
    ]

    export(project, [])  # read back and written again: the same
    again = loaded(project["out"]).training_examples[0]
    assert again.get("entities") == message.get("entities")


def test_render_example_synonym_form() -> None:
    entities = [{"entity": "order_number", "value": "104233", "start": 6, "end": 12}]
    assert render_example("order 104233 please", entities) == "order [104233](order_number) please"
    entities = [{"entity": "customer_name", "value": "Samantha", "start": 8, "end": 11}]
    assert render_example("this is Sam", entities) == 'this is [Sam]{"entity": "customer_name", "value": "Samantha"}'


def test_new_intent_goes_into_the_domain_with_a_placeholder_response(project: Dict[str, Path]) -> None:
    original = project["domain"].read_text(encoding="utf-8")

    result = export(
        project,
        [
            ApprovedExample("do you do gift wrapping", "gift_wrapping", []),
            ApprovedExample("can you wrap it as a present", "gift_wrapping", []),
            *BASIC,
        ],
    )

    assert result.new_intents == ["gift_wrapping"]
    edited = project["domain"].read_text(encoding="utf-8")
    assert KNOWN_DOMAIN_COMMENT in edited
    assert "  # Conversation intents.\n" in edited
    assert "- active_loop: null\n" in edited
    # Appended after the last entry, before the blank line that ends each section.
    assert "  - out_of_scope\n  - gift_wrapping\n\nentities:\n" in edited
    last_response_line = original.split("\n\nsession_config:")[0].splitlines()[-1]
    assert (
        f"{last_response_line}\n  utter_answer_gift_wrapping:\n"
        f'    - text: "{PLACEHOLDER_RESPONSE}"\n\nsession_config:\n'
    ) in edited
    diff = [line for line in difflib.ndiff(original.splitlines(), edited.splitlines()) if line[:1] in "+-"]
    assert sorted(diff) == sorted(
        [
            "+   - gift_wrapping",
            "+   utter_answer_gift_wrapping:",
            f'+     - text: "{PLACEHOLDER_RESPONSE}"',
        ]
    )
    domain = Domain.load(str(project["domain"]))
    assert "gift_wrapping" in domain.intents
    assert domain.responses["utter_answer_gift_wrapping"] == [{"text": PLACEHOLDER_RESPONSE}]
    assert examples_by_intent(loaded(project["out"]))["gift_wrapping"] == [
        "can you wrap it as a present",
        "do you do gift wrapping",
    ]


def test_known_intents_and_a_second_export_leave_the_domain_alone(project: Dict[str, Path]) -> None:
    export(project, BASIC)
    assert project["domain"].read_bytes() == (ROOT / "domain.yml").read_bytes()

    export(project, [ApprovedExample("do you do gift wrapping", "gift_wrapping", [])])
    once = project["domain"].read_bytes()
    result = export(project, [ApprovedExample("do you do gift wrapping", "gift_wrapping", [])])
    assert result.new_intents == []
    assert project["domain"].read_bytes() == once


@pytest.mark.parametrize(
    "example, message",
    [
        (ApprovedExample("hi", "Bad Intent", []), "intent name"),
        (
            ApprovedExample(
                "order 104233 please",
                "track_order",
                [{"entity": "parcel_id", "value": "104233", "start": 6, "end": 12}],
            ),
            "parcel_id",
        ),
    ],
)
def test_bad_data_is_an_export_error(project: Dict[str, Path], example: ApprovedExample, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        export(project, [example])
    assert not project["out"].exists()
    assert project["domain"].read_bytes() == (ROOT / "domain.yml").read_bytes()


def test_nothing_approved_writes_nothing(project: Dict[str, Path]) -> None:
    result = export(project, [])
    assert (result.written, result.new_intents) == (0, [])
    assert not project["out"].exists()


# --- The command --------------------------------------------------------------------------------------------


def test_command_exports_the_inbox_and_explains_new_intents(
    project: Dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from tests.unit.inbox_helpers import FakeBroker

    broker = FakeBroker(tmp_path / "events.db")
    broker.user("c-1", "do you do gift wrapping", "nlu_fallback", 0.3, 0)
    broker.user("c-2", "Track my parcel!", "track_order", 0.4, 1)
    broker.close()
    urls = [
        "--events-url",
        f"sqlite:///{tmp_path / 'events.db'}",
        "--database-url",
        f"sqlite:///{tmp_path / 'care.db'}",
    ]
    paths = ["--nlu-dir", str(project["nlu_dir"]), "--domain", str(project["domain"]), "--out", str(project["out"])]

    assert inbox_export.main([*urls, *paths]) == 0
    assert "2 new customer messages" in capsys.readouterr().out

    inbox = Inbox(events_url=f"sqlite:///{tmp_path / 'events.db'}", database_url=f"sqlite:///{tmp_path / 'care.db'}")
    inbox.label(["do you do gift wrapping"], "new_intent", reviewer="sam", intent="gift_wrapping")
    inbox.label(["track my parcel"], "intent", reviewer="sam", intent="track_order")
    inbox.close()

    assert inbox_export.main(["--no-sync", *urls, *paths]) == 0
    out = capsys.readouterr().out
    assert "Synced" not in out
    assert "1 example" in out and "Skipped 1 approved example" in out
    assert (
        "New intent gift_wrapping: added to domain.yml with a placeholder answer utter_answer_gift_wrapping. "
        "Still needed: write the real answer there, and add gift_wrapping to the shop questions in "
        "data/rules/shop_questions.yml (docs/adding_a_shop_question.md); then make retrain."
    ) in out
    assert examples_by_intent(loaded(project["out"])) == {"gift_wrapping": ["do you do gift wrapping"]}


def test_command_fails_clearly_on_bad_data(
    project: Dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (project["nlu_dir"] / "broken.yml").write_text("nlu: [\n", encoding="utf-8")
    inbox = Inbox(events_url=f"sqlite:///{tmp_path / 'none.db'}", database_url=f"sqlite:///{tmp_path / 'care.db'}")
    inbox.close()
    project["out"].write_text('version: "3.1"\nnlu: []\n', encoding="utf-8")

    code = inbox_export.main(
        [
            "--no-sync",
            "--database-url",
            f"sqlite:///{tmp_path / 'care.db'}",
            "--nlu-dir",
            str(project["nlu_dir"]),
            "--domain",
            str(project["domain"]),
            "--out",
            str(project["out"]),
        ]
    )

    assert code == 1
    assert "broken.yml" in capsys.readouterr().err


def test_command_with_nothing_to_export(
    tmp_path: Path, project: Dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    code = inbox_export.main(
        [
            "--no-sync",
            "--database-url",
            f"sqlite:///{tmp_path / 'care.db'}",
            "--nlu-dir",
            str(project["nlu_dir"]),
            "--domain",
            str(project["domain"]),
            "--out",
            str(project["out"]),
        ]
    )
    assert code == 0
    assert "No reviewed examples" in capsys.readouterr().out
    assert not project["out"].exists()
