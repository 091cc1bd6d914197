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
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
CONFUSION_PNG = "confusion_matrix.png"
CURVES_PNG = "training_curves.png"

#: Everything a training run writes, and so everything a model repo holds.
REPO_FILES = (KERAS_FILE, SERVING_FILE, *KERAS_DIR_FILES, METRICS_FILE, CARD_FILE, CONFUSION_PNG, CURVES_PNG)
#: What loading a model for inference needs from a repo (the .keras file only where no serving file exists).
INFERENCE_FILES = (SERVING_FILE, KERAS_FILE, METRICS_FILE)


def sha256(path: str | os.PathLike) -> str:
    """The file's SHA-256, hex: names the exact bytes of a model or a data file."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
