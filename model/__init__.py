"""LeNet-5 for EMNIST Balanced: architecture, labels, preprocessing, loading and inference.

Importing this package (and serving a model) never imports TensorFlow: the serving file runs on LiteRT.
"""

from model.classifier import Classifier, Prediction, from_pretrained
from model.ink.orientation import emnist_to_upright, upright_to_emnist
from model.ink.preprocess import (
    BlankImageError,
    ImageTooLargeError,
    NotAnImageError,
    PreprocessError,
    preprocess,
    preprocess_upright,
)
from model.ink.strokes import Strokes, StrokesError
from model.labels import LABELS, MERGED_LOWERCASE, NUM_CLASSES, UnknownCharacter, allowed_mask, ambiguous_with, index_of
from model.memory import MemoryRejected, WriterMemory
from model.network.architecture import EXPECTED_PARAMS, build_lenet5
from model.network.loading import ModelLoadError
from model.words.lexicon import WordListError

__all__ = [
    "EXPECTED_PARAMS",
    "build_lenet5",
    "Classifier",
    "Prediction",
    "from_pretrained",
    "LABELS",
    "MERGED_LOWERCASE",
    "NUM_CLASSES",
    "ambiguous_with",
    "index_of",
    "ModelLoadError",
    "emnist_to_upright",
    "upright_to_emnist",
    "BlankImageError",
    "ImageTooLargeError",
    "NotAnImageError",
    "PreprocessError",
    "preprocess",
    "preprocess_upright",
    "MemoryRejected",
    "WriterMemory",
    "UnknownCharacter",
    "allowed_mask",
    "Strokes",
    "StrokesError",
    "WordListError",
]
