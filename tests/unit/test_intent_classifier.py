"""The linear intent classifier: TF-IDF arithmetic as scikit-learn does it, training, ranking, and a safe round trip."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from addons.intent_classifier import ARRAYS_FILE, LinearIntentClassifier, LinearModel

VOCABULARY = ["where", "order", "parcel", "refund", "money", "back", "weather", "rain"]


def featurized(text: str, intent: str = "") -> Message:
    """A message with the features a pipeline would give it: word counts, and a made-up 'embedding'."""
    words = text.lower().split()
    counts = np.array([[words.count(word) for word in VOCABULARY]], dtype=float)
    embedding = np.array(
        [
            [
                float("order" in words or "parcel" in words),
                float("refund" in words or "money" in words),
                float("weather" in words or "rain" in words),
            ]
        ]
    )
    message = Message({TEXT: text, **({INTENT: intent} if intent else {})})
    message.add_features(Features(scipy.sparse.coo_matrix(counts), "sentence", TEXT, "words"))
    message.add_features(Features(embedding, "sentence", TEXT, "meaning"))
    return message


TRAINING = [
    ("where is my order", "track_order"),
    ("where is my parcel", "track_order"),
    ("order where", "track_order"),
    ("refund my money", "get_refund"),
    ("money back", "get_refund"),
    ("refund back", "get_refund"),
    ("weather rain", "out_of_scope"),
    ("rain", "out_of_scope"),
    ("weather", "out_of_scope"),
]


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config) -> LinearIntentClassifier:
    classifier = LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **config},
        storage,
        Resource("intents"),
        ExecutionContext(graph_schema=None, node_name="intents"),
    )
    classifier.train(TrainingData([featurized(text, intent) for text, intent in TRAINING]))
    return classifier


def intent_of(classifier: LinearIntentClassifier, text: str) -> dict:
    [message] = classifier.process([featurized(text)])
    return message.get(INTENT)


def test_tf_idf_weighting_matches_scikit_learn() -> None:
    texts = ["where where is my order", "my parcel", "refund my money money money"]
    vectorizer = CountVectorizer()
    counts = vectorizer.fit_transform(texts).tocsr()
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray()
    model = LinearModel(LinearModel.idf_from(counts), 1.0, np.zeros(0), np.zeros(0), [])
    assert np.allclose(model.features(counts, None).toarray(), expected)


def test_the_embedding_is_weighted_and_appended() -> None:
    counts = scipy.sparse.csr_matrix(np.array([[0.0, 0.0]]))
    model = LinearModel(np.ones(2), 2.5, np.zeros(0), np.zeros(0), [])
    features = model.features(counts, np.array([[0.6, 0.8]])).toarray()
    assert np.allclose(features, [[0.0, 0.0, 1.5, 2.0]])  # an empty count row stays zero, not NaN


def test_it_learns_the_intents_and_ranks_every_one(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    assert intent_of(classifier, "where is the parcel")["name"] == "track_order"
    assert intent_of(classifier, "money back please")["name"] == "get_refund"
    assert intent_of(classifier, "rain tomorrow")["name"] == "out_of_scope"
    [message] = classifier.process([featurized("where is my order")])
    ranking = message.get("intent_ranking")
    assert [entry["name"] for entry in ranking][0] == "track_order"
    assert sorted(entry["name"] for entry in ranking) == ["get_refund", "out_of_scope", "track_order"]
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)
    assert ranking[0]["confidence"] == message.get(INTENT)["confidence"]


def test_only_the_named_featurizers_are_used(storage: LocalModelStorage) -> None:
    meaning_only = trained(storage, featurizers=["meaning"])
    assert meaning_only._model.weights.shape[0] == 3  # the three "embedding" columns, no word counts


def test_a_trained_classifier_loads_back_from_plain_arrays(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    with storage.read_from(Resource("intents")) as directory:
        assert (directory / ARRAYS_FILE).is_file()
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:  # no object arrays inside
            assert set(arrays.files) == {"idf", "embedding_weight", "weights", "bias", "labels"}
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(),
        storage,
        Resource("intents"),
        ExecutionContext(graph_schema=None, node_name="intents"),
    )
    for text in ["where is the parcel", "money back please", "rain tomorrow"]:
        assert intent_of(loaded, text) == intent_of(classifier, text)


def test_an_untrained_classifier_predicts_nothing_instead_of_failing(storage: LocalModelStorage) -> None:
    empty = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(),
        storage,
        Resource("never-trained"),
        ExecutionContext(graph_schema=None, node_name="intents"),
    )
    assert intent_of(empty, "where is my order") == {"name": None, "confidence": 0.0}
    [message] = empty.process([Message({TEXT: ""})])
    assert message.get("intent_ranking") == []
