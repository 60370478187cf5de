"""A Rasa dense featurizer that adds each message's all-MiniLM-L6-v2 sentence embedding (addons.sentence_encoder).

Only a sentence feature is added: the intent classifier (addons.intent_classifier) reads sentence-level
features alone, so token vectors would cost memory and time and change nothing. The embedding
carries what character n-grams cannot: that "my parcel never came" and "the package hasn't arrived" mean the
same, and that "what's the weather in Paris" is about nothing the shop sells.

    - name: addons.sentence_featurizer.SentenceEmbeddingFeaturizer
"""

import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.sentence_encoder import SentenceEncoder

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional sentence feature to the text of every message."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # A directory with config.json, model.safetensors and tokenizer.json; by default the one
            # `make install` fills inside the virtual environment.
            "model_dir": None,
            "batch_size": 64,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("batch_size must be at least 1")

    def __init__(
        self, config: Dict[Text, Any], execution_context: ExecutionContext, encoder: Optional[SentenceEncoder] = None
    ) -> None:
        super().__init__(execution_context.node_name, config)
        # Loaded on first use: a Rasa server that hands parsing to the NLU worker (`make run`) loads every
        # component of the model but never parses, and so never pays the encoder's ~250 MB.
        self._encoder = encoder

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        return cls(config, execution_context)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["transformers", "tokenizers"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([example for example in training_data.training_examples if example.get(TEXT)])
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize([message for message in messages if message.get(TEXT)])
        return messages

    def _featurize(self, messages: List[Message]) -> None:
        if not messages:
            return
        if self._encoder is None:
            self._encoder = _load_encoder(self._config.get("model_dir"))
        embeddings = self._encoder.encode(
            [message.get(TEXT) for message in messages], batch_size=int(self._config["batch_size"])
        )
        for message, embedding in zip(messages, embeddings, strict=True):
            self.add_features_to_message(
                sequence=None, sentence=embedding[np.newaxis, :], attribute=TEXT, message=message
            )


def _load_encoder(model_dir: Optional[str]) -> SentenceEncoder:
    # transformers announces, at warning level, that it dropped an unused buffer while converting the weights.
    transformers_logger = logging.getLogger("transformers.modeling_tf_pytorch_utils")
    previous_level = transformers_logger.level
    transformers_logger.setLevel(logging.ERROR)
    try:
        return SentenceEncoder(model_dir)
    finally:
        transformers_logger.setLevel(previous_level)
