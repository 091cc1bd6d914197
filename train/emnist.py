"""EMNIST Balanced in its official file format: from a Hub dataset repo (via the HF cache) or a folder."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.labels import LABELS, NUM_CLASSES, parse_mapping

from .idx import IdxError, read_idx

DEFAULT_REPO = "Royc30ne/emnist-balanced"
FILES = {
    "train_images": "emnist-balanced-train-images-idx3-ubyte.gz",
    "train_labels": "emnist-balanced-train-labels-idx1-ubyte.gz",
    "test_images": "emnist-balanced-test-images-idx3-ubyte.gz",
    "test_labels": "emnist-balanced-test-labels-idx1-ubyte.gz",
}
MAPPING_FILE = "emnist-balanced-mapping.txt"
OFFICIAL_COUNTS = {"train": 112_800, "test": 18_800}
log = logging.getLogger(__name__)


class DataError(ValueError):
    """Training data that is missing or malformed; never train on it silently."""


@dataclass
class Splits:
    """Images in EMNIST storage orientation, uint8 (N, 28, 28), light strokes on black; int labels 0..46."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    revision: str | None = None
    is_emnist: bool = True
    notes: dict = field(default_factory=dict)


def validate(images: np.ndarray, labels: np.ndarray, split: str, source: str) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DataError(f"{source}: {split} images have shape {images.shape} dtype {images.dtype}, expected (N, 28, 28) uint8")
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataError(f"{source}: {split} has {len(images):,} images but {labels.shape} labels")
    if len(labels) == 0:
        raise DataError(f"{source}: {split} split is empty")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise DataError(f"{source}: {split} labels span {labels.min()}..{labels.max()}, expected 0..{NUM_CLASSES - 1}")


def read_folder(folder: str | os.PathLike, name: str | None = None, revision: str | None = None) -> Splits:
    """Read the four official gzip IDX files (and check the mapping file if present)."""
    folder = Path(folder)
    missing = [f for f in FILES.values() if not (folder / f).is_file()]
    if missing:
        raise DataError(f"{folder}: missing {', '.join(missing)} (expected the official EMNIST Balanced gzip IDX files)")
    try:
        arrays = {key: read_idx(folder / filename) for key, filename in FILES.items()}
    except IdxError as exc:
        raise DataError(str(exc)) from exc
    mapping = folder / MAPPING_FILE
    if mapping.is_file() and parse_mapping(mapping.read_text()) != LABELS:
        raise DataError(f"{mapping}: class mapping differs from EMNIST Balanced's 47 labels")
    for split in ("train", "test"):
        validate(arrays[f"{split}_images"], arrays[f"{split}_labels"].astype(np.int64), split, str(folder))
    return Splits(arrays["train_images"], arrays["train_labels"].astype(np.int64),
                  arrays["test_images"], arrays["test_labels"].astype(np.int64),
                  name=name or str(folder), revision=revision)


def download(repo_id: str = DEFAULT_REPO, revision: str | None = None, cache_dir: str | None = None) -> Splits:
    """Fetch the official files from a Hub dataset repo into the HF cache, then read them."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError, RepositoryNotFoundError

    paths = []
    try:
        for filename in [*FILES.values(), MAPPING_FILE]:
            paths.append(Path(hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision, cache_dir=cache_dir, etag_timeout=10)))
    except LocalEntryNotFoundError as exc:
        raise DataError(
            f"Cannot download {repo_id} from the Hugging Face Hub (no network, and not in the HF cache). "
            "Use --data-dir with the four EMNIST files, or --data synthetic to run offline."
        ) from exc
    except (RepositoryNotFoundError, EntryNotFoundError) as exc:
        raise DataError(f"{repo_id} (revision {revision or 'main'}) lacks the EMNIST Balanced files: {exc}") from exc
    except HfHubHTTPError as exc:
        raise DataError(f"The Hub refused {repo_id}: {exc}") from exc
    # The snapshot folder name is the commit hash: record it so a run names the exact data it used.
    commit = paths[0].parent.name
    splits = read_folder(paths[0].parent, name=repo_id, revision=commit)
    counts = {"train": len(splits.y_train), "test": len(splits.y_test)}
    if counts != OFFICIAL_COUNTS:
        log.warning("%s holds %s images, not the official %s: results will not be comparable with EMNIST's",
                    repo_id, counts, OFFICIAL_COUNTS)
        splits.notes["counts_differ_from_official"] = True
    return splits


def load(data_dir: str | os.PathLike | None = None, repo_id: str = DEFAULT_REPO, revision: str | None = None) -> Splits:
    """The official files from a folder when one is given, else from the Hub dataset repo (via the HF cache)."""
    if data_dir:
        return read_folder(data_dir, name="EMNIST Balanced (local files)")
    return download(repo_id, revision=revision)
