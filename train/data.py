"""Which data to train and test on (one set of options for ``python -m train`` and ``python -m bench``), and the
stratified validation split held out of the training data."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from model.labels import NUM_CLASSES

from .emnist import DEFAULT_REPO
from .splits import DataError, Splits

EMNIST_GROUP = "EMNIST"


@dataclass
class DataOptions:
    data: str = "emnist"  # "emnist" (Hub or --data-dir) or "synthetic"
    dataset_repo: str = DEFAULT_REPO
    revision: str | None = None
    data_dir: Path | None = None
    image_dataset: str | None = None
    image_column: str = "image"
    label_column: str = "label"
    image_orientation: str = "upright"
    max_samples: int | None = None
    val_fraction: float = 0.1
    seed: int = 42

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DataOptions:
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls) if hasattr(args, f.name)})

    @property
    def source(self) -> str:
        if self.image_dataset:
            return "image-dataset"
        if self.data == "synthetic":
            return "synthetic"
        return "folder" if self.data_dir else "hub"


def add_arguments(parser: argparse.ArgumentParser, defaults: DataOptions | None = None) -> None:
    d = defaults or DataOptions()
    g = parser.add_argument_group("data")
    g.add_argument(
        "--data",
        choices=["emnist", "synthetic"],
        default=d.data,
        help="emnist: the official files from --dataset-repo (or --data-dir); synthetic: generated "
        "font glyphs in EMNIST format, offline (for tests and CI, not a handwriting model)",
    )
    g.add_argument(
        "--dataset-repo",
        default=d.dataset_repo,
        help="Hub dataset repo holding the four official EMNIST Balanced gzip IDX files + mapping",
    )
    g.add_argument(
        "--revision", default=d.revision, help="revision (branch, tag or commit) of --dataset-repo or --image-dataset"
    )
    g.add_argument(
        "--data-dir",
        type=Path,
        default=d.data_dir,
        help="read the four EMNIST-format files from this folder instead of the Hub (its README.md, if any, names the data)",
    )
    g.add_argument(
        "--image-dataset",
        default=d.image_dataset,
        help="train on an image-classification dataset instead (Hub id or local folder loadable by datasets.load_dataset)",
    )
    g.add_argument("--image-column", default=d.image_column, help="image column of --image-dataset")
    g.add_argument(
        "--label-column", default=d.label_column, help="label column of --image-dataset (class names or indices 0..46)"
    )
    g.add_argument(
        "--image-orientation",
        choices=["upright", "emnist", "glyph"],
        default=d.image_orientation,
        help="upright: pictures as written, run through the app's preprocessing; emnist: 28x28 already in "
        "EMNIST layout; glyph: 28x28 upright glyphs as the model saw them (the Space's shared corrections)",
    )
    g.add_argument(
        "--max-samples", type=int, default=d.max_samples, help="use a stratified subset of this many training images"
    )
    g.add_argument(
        "--val-fraction", type=float, default=d.val_fraction, help="share of training images held out for validation"
    )


def load_splits(options: DataOptions) -> Splits:
    from . import emnist, image_dataset, synthetic  # synthetic needs fonts, image_dataset needs datasets: load on use

    if options.image_dataset:
        return image_dataset.load(
            options.image_dataset,
            revision=options.revision,
            image_column=options.image_column,
            label_column=options.label_column,
            orientation=options.image_orientation,
            max_samples=options.max_samples,
        )
    if options.data == "synthetic":
        train = options.max_samples or emnist.OFFICIAL_COUNTS["train"]
        test = max(NUM_CLASSES * 4, train // 6) if options.max_samples else emnist.OFFICIAL_COUNTS["test"]
        return synthetic.make_splits(train, test, seed=options.seed)
    splits = emnist.load(options.data_dir, options.dataset_repo, options.revision)
    if options.max_samples:
        splits.x_train, splits.y_train = subsample(splits.x_train, splits.y_train, options.max_samples, options.seed)
    return splits


def load_test_split(options: DataOptions, count: int | None = None):
    """Only what evaluating a model needs: (images, labels, DataInfo). Synthetic data generates just its test
    split (the same one ``load_splits`` makes); other sources read theirs."""
    from . import emnist, synthetic

    if options.data == "synthetic" and not options.image_dataset:
        total = count or emnist.OFFICIAL_COUNTS["test"]
        x, y = synthetic.test_split(total, seed=options.seed)
        return x, y, synthetic.data_info(options.seed)
    splits = load_splits(options)
    x, y = (splits.x_test[:count], splits.y_test[:count]) if count else (splits.x_test, splits.y_test)
    return x, y, splits.info


def subsample(x: np.ndarray, y: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if count >= len(x):
        return x, y
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(np.arange(len(x)), train_size=count, stratify=_stratify(y, count), random_state=seed)
    return x[np.sort(keep)], y[np.sort(keep)]


@dataclass
class TrainValSplit:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    #: Which data each validation image comes from ("EMNIST", "pen digits", ...), where pen characters were added.
    val_groups: np.ndarray | None = None
    #: What each pen file added (train.pen's record per file), for metrics.json and the card.
    pen: list[dict] = field(default_factory=list)

    def base_validation(self) -> tuple[np.ndarray, np.ndarray]:
        """The validation images of the base data alone (EMNIST's): what calibration and test-time views are fitted
        on, since the test split they are reported on is EMNIST's; pen characters only validate recipes."""
        if self.val_groups is None:
            return self.x_val, self.y_val
        rows = self.val_groups == EMNIST_GROUP
        return self.x_val[rows], self.y_val[rows]

    def groups(self) -> dict[str, np.ndarray]:
        """Validation rows by the data they come from (all of them "EMNIST" without pen characters)."""
        groups = self.val_groups if self.val_groups is not None else np.full(len(self.y_val), EMNIST_GROUP)
        return {name: np.flatnonzero(groups == name) for name in dict.fromkeys(groups.tolist())}


def hold_out(x: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> TrainValSplit:
    """Stratified, seeded validation split from the training data; the test split is never touched."""
    if not 0 < fraction < 1:
        raise DataError(f"validation fraction must be between 0 and 1, got {fraction}")
    held = int(np.ceil(fraction * len(y)))
    from sklearn.model_selection import train_test_split

    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=held, stratify=_stratify(y, held), random_state=seed
    )
    return TrainValSplit(x_train, y_train, x_val, y_val)


def mix_synthetic(held: TrainValSplit, share: float, seed: int) -> TrainValSplit:
    """Add generated font glyphs (uniform strokes, like a pen on a screen) to the training part only; the
    validation part stays real, so levers are still chosen on real handwriting."""
    if share <= 0:
        return held
    from . import synthetic

    x, y = synthetic.generate(int(round(share * len(held.y_train))), seed=seed + 7)
    return replace(held, x_train=np.concatenate([held.x_train, x]), y_train=np.concatenate([held.y_train, y]))


def mix_styles(held: TrainValSplit, share: float, seed: int) -> TrainValSplit:
    """Add styled copies of some training glyphs (train/styles.py) to the training part only."""
    if share <= 0:
        return held
    from .styles import styled_copies

    x, y = styled_copies(held.x_train, held.y_train, share, seed + 11)
    return replace(held, x_train=np.concatenate([held.x_train, x]), y_train=np.concatenate([held.y_train, y]))


def mix_pen(held: TrainValSplit, recipe, seed: int) -> TrainValSplit:
    """Add real pen characters (train/pen.py), drawn as the pad delivers them: a held-out share of the chosen
    writers' to the validation part (every kind, marked by kind), the others' characters of the recipe's kinds to
    the training part, each file's ``repeat`` times (0: that file is for validation only). So recipes that differ in
    what they train on are still chosen on the same validation split."""
    if not recipe.pen_data:
        return held
    from . import pen

    kinds = {k.strip() for k in recipe.pen_categories.split(",") if k.strip()}
    if not kinds or kinds - set(pen.KINDS.values()):
        raise DataError(
            f"--pen-categories wants some of {', '.join(pen.KINDS.values())}, not {recipe.pen_categories!r}"
        )
    x_train, y_train, x_val, y_val = [held.x_train], [held.y_train], [held.x_val], [held.y_val]
    groups = [held.val_groups if held.val_groups is not None else np.full(len(held.y_val), EMNIST_GROUP)]
    files = recipe.pen_data
    splits = [
        pen.training_and_validation(path, recipe.pen_writers, recipe.pen_validation, seed, number)
        for number, path in enumerate(files)
    ]
    validating = {c.writer for _, validation in splits for c in validation}  # no validation writer trains, anywhere
    records = []
    for number, (path, repeat, (training, validation)) in enumerate(zip(files, recipe.pen_repeats(), splits)):
        training = [c for c in training if c.category in kinds and c.writer not in validating] if repeat else []
        if not training and not validation:
            raise DataError(
                f"no pen characters of writers {recipe.pen_writers} ({recipe.pen_categories}) in {Path(path).name}"
            )
        x, y = pen.glyphs(training, seed=seed + 100 + number)
        x_train.append(np.repeat(x, repeat, axis=0))
        y_train.append(np.repeat(y, repeat))
        x, y = pen.glyphs(validation, seed=seed + 200 + number)
        x_val.append(x)
        y_val.append(y)
        groups.append(np.asarray([f"pen {c.category}" for c in validation], dtype=object))
        records.append(
            {
                "file": Path(path).name,
                "source": pen.SOURCES[pen.source_of(path, training + validation)],
                "writers": recipe.pen_writers,
                "categories": sorted(kinds),
                "training_writers": len({c.writer for c in training}),
                "training_characters": len(training),
                "repeat": repeat,
                "validation_writers": len({c.writer for c in validation}),
                "validation_characters": len(validation),
            }
        )
    return replace(
        held,
        x_train=np.concatenate(x_train),
        y_train=np.concatenate(y_train),
        x_val=np.concatenate(x_val),
        y_val=np.concatenate(y_val),
        val_groups=np.concatenate([np.asarray(g, dtype=object) for g in groups]),
        pen=held.pen + records,
    )


def training_split(held: TrainValSplit, recipe, seed: int) -> TrainValSplit:
    """What a recipe trains on: the held-out split plus the recipe's additions (pen characters to both parts)."""
    held = mix_styles(mix_synthetic(held, recipe.synthetic_mix, seed), recipe.style_mix, seed)
    return mix_pen(held, recipe, seed)


def _stratify(y: np.ndarray, part: int) -> np.ndarray | None:
    """Stratify when it is possible: every class twice, and both parts at least one per class
    (tiny runs and custom datasets may not allow it; then the split is plain random)."""
    counts = np.bincount(y)
    present = int((counts > 0).sum())
    feasible = counts[counts > 0].min() >= 2 and min(part, len(y) - part) >= present
    return y if feasible else None
