"""The files of a model repo (the Hub repo, a training run's output folder, ``model/default``), by name.

One place for every name: training writes these, loading reads them, publishing uploads them.
"""

from __future__ import annotations

import hashlib
import os

#: The Keras model, zipped: what training, fine-tuning and ``keras.saving.load_model(path)`` use.
KERAS_FILE = "lenet5_emnist_balanced.keras"
#: The same network as a LiteRT flatbuffer: what the Space serves, without TensorFlow.
SERVING_FILE = "lenet5_emnist_balanced.tflite"
#: Keras' unzipped layout, beside the .keras file, so ``keras.saving.load_model("hf://OWNER/NAME")`` works.
KERAS_DIR_FILES = ("config.json", "model.weights.h5", "metadata.json")
#: The same network for the visitor's browser (model.web_weights): what the character pad computes with locally.
WEB_FILE = "lenet5_emnist_balanced.web.bin"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
CONFUSION_PNG = "confusion_matrix.png"
CURVES_PNG = "training_curves.png"

#: Everything a training run writes for one model.
MODEL_FILES = (KERAS_FILE, SERVING_FILE, WEB_FILE, *KERAS_DIR_FILES, METRICS_FILE, CONFUSION_PNG, CURVES_PNG)
#: Everything a model repo holds at its root: the EMNIST model and the card, which describes every variant.
REPO_FILES = (*MODEL_FILES, CARD_FILE)
#: What loading a model for inference needs from a repo (the .keras file only where no serving file exists).
INFERENCE_FILES = (SERVING_FILE, KERAS_FILE, METRICS_FILE)

#: The models a repo holds, by name: the EMNIST Balanced model at the root (what ``keras.saving.load_model``
#: and ``from_pretrained`` load by default), and siblings of the same architecture in subfolders of these names,
#: each with the same MODEL_FILES (huggingface_hub reads them with ``subfolder=`` or ``allow_patterns``).
EMNIST, PEN = "emnist", "pen"
VARIANTS = {EMNIST: "", PEN: "pen"}
DEFAULT_VARIANT = EMNIST

#: The word models (``python -m train.words``), each in its own folder of a repo holding WORD_FILES, read by every
#: variant: the pen model reads drawings (the word pad's strokes), the picture model pictures of words.
WORDS_FOLDER = "words"
WORD_PICTURES_FOLDER = "word_pictures"
WORD_FOLDERS = (WORDS_FOLDER, WORD_PICTURES_FOLDER)
WORD_KERAS_FILE = "words.keras"
WORD_SERVING_FILE = "words.tflite"
WORD_FILES = (WORD_KERAS_FILE, WORD_SERVING_FILE, METRICS_FILE)
#: What reading words needs from a repo.
WORD_INFERENCE_FILES = tuple(
    f"{folder}/{name}" for folder in WORD_FOLDERS for name in (WORD_SERVING_FILE, METRICS_FILE)
)


def variant_folder(variant: str | None) -> str:
    """The subfolder of a repo that holds ``variant`` ("" for the root); a name it does not hold is refused."""
    variant = variant or DEFAULT_VARIANT
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    return VARIANTS[variant]


def repo_paths(variant: str | None, names=MODEL_FILES) -> list[str]:
    """Paths inside a repo of ``variant``'s files (names joined to its subfolder, with "/" as the Hub wants)."""
    folder = variant_folder(variant)
    return [f"{folder}/{name}" if folder else name for name in names]


def sha256(path: str | os.PathLike) -> str:
    """The file's SHA-256, hex: names the exact bytes of a model or a data file."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
