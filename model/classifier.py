"""Inference: a loaded LeNet-5 plus what it knows about itself, one call from any picture to an answer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import hub, loading, reading, rejection
from .labels import LABELS
from .metrics import ModelMetrics
from .orientation import upright_to_emnist
from .preprocess import Centre, ImageInput, as_batch, find_ink, frame, open_image
from .runtime import Engine


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # (47,), calibrated
    glyph: np.ndarray  # (28, 28) upright, what the model saw, for display
    refusal: str | None = None  # why this is not read as a character (a dot, a scribble), for the person
    characters: int = 1  # how many characters the picture seems to hold (more than one: see Classifier.read)

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(LABELS[i], float(self.probabilities[i])) for i in order]

    @property
    def label(self) -> str:
        return LABELS[int(np.argmax(self.probabilities))]

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))

    def confidences(self, k: int = 5) -> dict[str, float]:
        """Top-k as {label: probability}, the shape gr.Label and API clients take."""
        return dict(self.top(k))


@dataclass
class Classifier:
    engine: Engine
    metrics: ModelMetrics = field(default_factory=ModelMetrics)
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, source: str | os.PathLike | None = None, *, revision: str | None = None,
             cache_dir: str | os.PathLike | None = None, token: str | bool | None = None,
             local_files_only: bool = False, force_download: bool = False,
             timeout: float = hub.DEFAULT_TIMEOUT_S) -> "Classifier":
        """From a .tflite or .keras file, a folder, a Hub repo id, $EMNIST_MODEL or the bundled default.

        The Hub options mean what they mean in huggingface_hub; ``timeout`` bounds the whole download, after
        which the cached copy is used (or ModelLoadError says why there is none)."""
        loaded = loading.load(source, revision, cache_dir=cache_dir, token=token, local_files_only=local_files_only,
                              force_download=force_download, timeout=timeout)
        return cls(engine=loaded.engine, metrics=loaded.metrics, source=loaded.source, warnings=loaded.warnings)

    def predict_batch(self, glyphs: np.ndarray) -> np.ndarray:
        """(N, 28, 28[, 1]) EMNIST-oriented glyphs in [0, 1] -> (N, 47) calibrated probabilities."""
        return self.engine(as_batch(glyphs))

    def predict(self, image: ImageInput, centre: Centre = "bbox") -> Prediction:
        """Any picture of a character -> probabilities and the 28x28 it was turned into."""
        ink = find_ink(open_image(image))
        framed = frame(ink.image, centre=centre, level=ink.level, picture_area=ink.picture_area)
        upright = framed.glyph
        probabilities = self.predict_batch(upright_to_emnist(upright))[0]
        refusal = rejection.refusal(upright, probabilities, framed.drawn_stroke_width)
        count = reading.count_characters(ink)
        if refusal is None and count > 1:
            refusal = rejection.several(count)
        return Prediction(probabilities=probabilities, glyph=upright, refusal=refusal, characters=count)

    def read(self, image: ImageInput) -> reading.Reading:
        """Any picture of one or more characters (a word, a number, a few lines) -> the text read, with each
        character's box and top-3."""
        return reading.read(find_ink(open_image(image)), self.predict_batch)


def from_pretrained(repo_id_or_path: str | Path, **options) -> Classifier:
    """``from_pretrained("owner/name")`` or a local folder, as in transformers; options as ``Classifier.load``."""
    return Classifier.load(repo_id_or_path, **options)
