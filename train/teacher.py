"""Teachers for distillation: one or more trained models whose averaged, uncorrected probabilities become soft
targets for the student.

A model of this project ships calibrated (temperature and class-prior correction folded into its last layer);
its metrics.json records both, so the raw output is recovered exactly: the student then learns the natural
class mix and gets its own correction, like any other run. A larger network trained for the purpose
(``python -m train.teacher``, saved raw as ``teacher.keras``) is used as it is.

    python -m train.teacher --data-dir ../shared/data/emnist-47 --epochs 30 --output-dir runs/teacher
    python -m train --data-dir ../shared/data/emnist-47 --epochs 60 --teacher runs/teacher/teacher.keras
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.special import softmax

from model.classifier import Classifier

from .calibrate import log_prior
from .splits import DataError


def raw_probabilities(classifier: Classifier, images: np.ndarray) -> np.ndarray:
    """The model's output before calibration: logits * T + tau * log prior, through softmax."""
    probabilities = classifier.predict_batch(images)
    calibration, counts = classifier.metrics.calibration, classifier.metrics.data.train_class_counts
    temperature = calibration.temperature or 1.0
    tau = calibration.prior_correction or 0.0
    if tau and not counts:
        raise DataError(f"teacher {classifier.source} records a prior correction but not its class counts")
    logits = np.log(np.clip(probabilities.astype(np.float64), 1e-30, 1.0)) * temperature
    if tau:
        logits += tau * log_prior(np.asarray(counts))
    return softmax(logits, axis=1).astype(np.float32)


TEACHER_FILE = "teacher.keras"


def build_teacher(dropout: float = 0.3):
    """A VGG-style CNN of ~0.5M parameters (conv 40-80-160 with batch norm): a much stronger reader than the
    LeNet-5, small enough to train on two CPU cores in well under an hour."""
    import keras
    from keras import layers

    from model.labels import NUM_CLASSES
    from model.network.architecture import INPUT_SHAPE

    def block(filters):
        return [
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(2),
        ]

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            *block(40),
            *block(80),
            *block(160),
            layers.GlobalAveragePooling2D(),
            layers.Dropout(dropout),
            layers.Dense(256, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="teacher",
    )


def _teacher_output(source: str, images: np.ndarray) -> np.ndarray:
    path = Path(source)
    if path.name == TEACHER_FILE or (path.is_dir() and (path / TEACHER_FILE).is_file()):
        import keras

        from model.ink.preprocess import as_batch

        model = keras.saving.load_model(path if path.is_file() else path / TEACHER_FILE, compile=False, safe_mode=True)
        return np.asarray(model.predict(as_batch(images), batch_size=1024, verbose=0))
    return raw_probabilities(Classifier.load(source), images)


def ensemble_probabilities(sources: list[str], images: np.ndarray) -> np.ndarray:
    """The mean raw output of every teacher on ``images`` (uint8 glyphs, EMNIST orientation)."""
    return np.mean([_teacher_output(source, images) for source in sources], axis=0)


def main(argv: list[str] | None = None) -> int:
    """Train the teacher on the LeNet's data, splits and augmentation; resumable (run the same command again)."""
    import argparse
    import json

    from model.atomic import write_text

    from . import data
    from .evaluate import evaluate
    from .fit import fit
    from .recipe import Recipe

    parser = argparse.ArgumentParser(prog="python -m train.teacher", description=main.__doc__)
    data.add_arguments(parser)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--augment", default="light")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/teacher"))
    args = parser.parse_args(argv)
    options = data.DataOptions.from_args(args)
    splits = data.load_splits(options)
    held = data.hold_out(splits.x_train, splits.y_train, options.val_fraction, options.seed)
    recipe = Recipe(epochs=args.epochs, augment=args.augment, imbalance="none")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    model, history, facts = fit(held, recipe, build=build_teacher, backup_dir=args.output_dir / "backup")
    from model.ink.preprocess import as_batch

    test = evaluate(splits.y_test, np.asarray(model.predict(as_batch(splits.x_test), batch_size=1024, verbose=0)))
    model.save(args.output_dir / TEACHER_FILE)
    report = {
        "parameters": model.count_params(),
        "recipe": recipe.as_dict(),
        "data": splits.info.name,
        **facts,
        "test_accuracy": test.accuracy,
        "test_weighted_f1": test.weighted_f1,
        "test_ece": test.ece,
        "history": history,
    }
    write_text(args.output_dir / "teacher.json", json.dumps(report, indent=2) + "\n")
    print(
        f"teacher: {model.count_params():,} parameters, test accuracy {test.accuracy:.4f}, weighted F1 "
        f"{test.weighted_f1:.4f} ({facts['seconds_per_epoch']} s/epoch) -> {args.output_dir / TEACHER_FILE}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
