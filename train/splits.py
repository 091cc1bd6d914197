"""Train and test images from any source, in one shape, with what is known about where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.labels import NUM_CLASSES
from model.network.files import sha256
from model.network.metrics import DataInfo


class DataError(ValueError):
    """Training data that is missing or malformed; never train on it silently."""


@dataclass
class Splits:
    """Images in EMNIST storage orientation, uint8 (N, 28, 28), light strokes on black; int labels 0..46.

    ``info`` describes the data for metrics.json and the model card; the training run fills in the counts."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: DataInfo = field(default_factory=DataInfo)

    def __post_init__(self):
        for split in ("train", "test"):
            validate(getattr(self, f"x_{split}"), getattr(self, f"y_{split}"), split, self.info.name or "data")


def validate(images: np.ndarray, labels: np.ndarray, split: str, source: str) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DataError(
            f"{source}: {split} images have shape {images.shape} dtype {images.dtype}, expected (N, 28, 28) uint8"
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataError(f"{source}: {split} has {len(images):,} images but {labels.shape} labels")
    if len(labels) == 0:
        raise DataError(f"{source}: {split} split is empty")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise DataError(f"{source}: {split} labels span {labels.min()}..{labels.max()}, expected 0..{NUM_CLASSES - 1}")


def sha256_of(paths: list[Path]) -> dict[str, str]:
    """File name -> sha256, so a run names the exact bytes it trained on."""
    return {path.name: sha256(path) for path in paths}
