"""A standard Hub image-classification dataset (image + label columns, as ``push_to_hub`` writes) -> Splits.

Upright pictures (a user's own handwriting) go through the app's preprocessing, so training sees
exactly what the Space will feed the model; ``orientation="emnist"`` takes 28x28 EMNIST-style images as they are,
``"glyph"`` the 28x28 upright glyphs the model saw (what the Space's shared corrections hold).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.ink.orientation import upright_to_emnist
from model.ink.preprocess import PreprocessError, preprocess
from model.labels import LABELS, UnknownCharacter, index_of
from model.network.metrics import DataInfo

from .splits import DataError, Splits, validate


def _to_glyph(image, orientation: str) -> np.ndarray:
    if orientation in ("emnist", "glyph"):
        array = np.asarray(image.convert("L"), dtype=np.uint8)
        if array.shape != (28, 28):
            raise DataError(f"orientation {orientation!r} expects 28x28 images, got {array.shape}")
        return array if orientation == "emnist" else upright_to_emnist(array)
    return np.round(preprocess(image) * 255).astype(np.uint8)


def _label_mapper(feature) -> callable:
    """Map the dataset's labels onto our 47 classes: by class name when it has names, else as indices."""
    names = getattr(feature, "names", None)
    if names:
        try:
            lookup = [index_of(str(n)) for n in names]
        except UnknownCharacter as exc:
            raise DataError(f"label names must be EMNIST Balanced characters: {exc}") from None
        return lambda v: lookup[int(v)]
    return lambda v: index_of(v) if isinstance(v, str) else int(v)


def load(
    name_or_path: str,
    revision: str | None = None,
    image_column: str = "image",
    label_column: str = "label",
    orientation: str = "upright",
    test_split: str = "test",
    max_samples: int | None = None,
) -> Splits:
    import datasets

    try:
        ds = datasets.load_dataset(name_or_path, revision=revision)
    except Exception as exc:  # datasets raises many kinds (connection, not found, bad format)
        raise DataError(f"Could not load image dataset {name_or_path!r}: {type(exc).__name__}: {exc}") from exc
    if "train" not in ds or test_split not in ds:
        raise DataError(f"{name_or_path}: needs 'train' and '{test_split}' splits, has {list(ds)}")
    splits = {}
    for split in ("train", test_split):
        part = ds[split]
        for column in (image_column, label_column):
            if column not in part.column_names:
                raise DataError(f"{name_or_path}[{split}] has no column {column!r} (columns: {part.column_names})")
        if max_samples and split == "train":
            part = part.select(range(min(max_samples, len(part))))
        to_label = _label_mapper(part.features[label_column])
        images, labels = [], []
        for row_index, row in enumerate(part):
            try:
                images.append(_to_glyph(row[image_column], orientation))
            except PreprocessError as exc:
                raise DataError(f"{name_or_path}[{split}] row {row_index}: {exc}") from exc
            labels.append(to_label(row[label_column]))
        x, y = np.stack(images), np.asarray(labels, dtype=np.int64)
        validate(x, y, split, name_or_path)
        splits[split] = (x, y)
    local = Path(name_or_path).expanduser().exists()
    info = DataInfo(
        name=Path(name_or_path).name if local else name_or_path,
        source="image-dataset",
        hub_id=None if local else name_or_path,
        revision=revision,
        handwriting=True,
        official_split=False,
        notes={"orientation": orientation, "classes_seen": sorted({LABELS[i] for i in splits["train"][1]})},
    )
    return Splits(*splits["train"], *splits[test_split], info=info)
