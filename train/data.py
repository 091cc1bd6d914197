"""Choose the training data from the CLI options, and hold out a stratified validation split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from model.labels import NUM_CLASSES

from . import emnist, image_dataset, synthetic
from .emnist import DataError, Splits


def load_splits(args) -> Splits:
    if args.image_dataset:
        return image_dataset.load(args.image_dataset, revision=args.revision, image_column=args.image_column,
                                  label_column=args.label_column, orientation=args.image_orientation,
                                  max_samples=args.max_samples)
    if args.data == "synthetic":
        train = args.max_samples or emnist.OFFICIAL_COUNTS["train"]
        test = max(NUM_CLASSES * 4, train // 6) if args.max_samples else emnist.OFFICIAL_COUNTS["test"]
        return synthetic.make_splits(train, test, seed=args.seed)
    splits = emnist.load(args.data_dir, args.dataset_repo, args.revision)
    if args.max_samples:
        splits.x_train, splits.y_train = subsample(splits.x_train, splits.y_train, args.max_samples, args.seed)
    return splits


def subsample(x: np.ndarray, y: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if count >= len(x):
        return x, y
    keep, _ = train_test_split(np.arange(len(x)), train_size=count, stratify=_stratify(y, count), random_state=seed)
    return x[np.sort(keep)], y[np.sort(keep)]


@dataclass
class TrainValSplit:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def hold_out(x: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> TrainValSplit:
    """Stratified, seeded validation split from the training data; the test split is never touched."""
    if not 0 < fraction < 1:
        raise DataError(f"validation fraction must be between 0 and 1, got {fraction}")
    held = int(np.ceil(fraction * len(y)))
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=held, stratify=_stratify(y, held), random_state=seed)
    return TrainValSplit(x_train, y_train, x_val, y_val)


def _stratify(y: np.ndarray, part: int) -> np.ndarray | None:
    """Stratify when it is possible: every class twice, and both parts at least one per class
    (tiny runs and custom datasets may not allow it; then the split is plain random)."""
    counts = np.bincount(y)
    present = int((counts > 0).sum())
    feasible = counts[counts > 0].min() >= 2 and min(part, len(y) - part) >= present
    return y if feasible else None
