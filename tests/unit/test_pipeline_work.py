"""The NLU pipeline's work grows with the length of a message, not with its square (issue 14: one word of
thousands of tokens, "a.a.a....", took 52 s in the NLU worker)."""

from pathlib import Path

import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from customer_care.settings import PROJECT_ROOT
from customer_care.text_limits import MAX_MESSAGE_CHARACTERS

PIPELINE = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]


def component_config(name: str) -> dict:
    found = [dict(step) for step in PIPELINE if step["name"] == name]
    assert len(found) == 1, f"config.yml has {len(found)} {name} steps"
    return {key: value for key, value in found[0].items() if key not in ("name", "alias")}


def test_the_character_ngrams_read_each_token_once(tmp_path: Path):
    """Rasa's default makes every token of a word read the whole word (its "lemma"): 2,400 tokens of 4,800
    characters each for "a." * 2,400. Here the featurizer reads about as many characters as the message has."""
    tokenizer = WhitespaceTokenizer(
        {**WhitespaceTokenizer.get_default_config(), **component_config("WhitespaceTokenizer")}
    )
    storage = LocalModelStorage(tmp_path)
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), **component_config("CountVectorsFeaturizer")},
        storage,
        Resource("char_ngrams"),
        ExecutionContext(None),
    )  # type: ignore[arg-type]
    bomb = ("a." * MAX_MESSAGE_CHARACTERS)[:MAX_MESSAGE_CHARACTERS]
    message = Message(data={TEXT: bomb})
    tokenizer.process([message])
    read = featurizer._get_processed_message_tokens_by_attribute(message, TEXT)
    assert len(read) == MAX_MESSAGE_CHARACTERS // 2
    assert sum(len(token) for token in read) <= len(bomb)
