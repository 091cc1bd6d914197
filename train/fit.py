"""Compile and fit the LeNet-5 inside a tf.distribute strategy, with early stopping on validation."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import tensorflow as tf

from model.architecture import build_lenet5

from .data import TrainValSplit
from .pipeline import Augment, make_dataset


@dataclass
class Recipe:
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 2e-3
    schedule: str = "cosine"  # or "constant"
    augment: bool = True
    patience: int = 8
    seed: int = 42
    init_from: str | None = None
    augmentation: dict = field(default_factory=lambda: asdict(Augment()))

    def as_dict(self) -> dict:
        d = asdict(self)
        if not self.augment:
            d["augmentation"] = None
        return d


def pick_strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over several GPUs; the default (one device) strategy otherwise."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def _learning_rate(recipe: Recipe, steps_per_epoch: int):
    if recipe.schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(recipe.learning_rate, decay_steps=recipe.epochs * steps_per_epoch, alpha=0.02)
    if recipe.schedule == "constant":
        return recipe.learning_rate
    raise ValueError(f"unknown learning-rate schedule {recipe.schedule!r}")


def fit(split: TrainValSplit, recipe: Recipe, checkpoint_dir: Path, verbose: int = 2) -> tuple[keras.Model, dict, dict]:
    """Returns the model with the best validation weights, its history, and timing/strategy facts."""
    keras.utils.set_random_seed(recipe.seed)
    strategy = pick_strategy()
    aug = Augment(**recipe.augmentation) if recipe.augment else None
    train_ds = make_dataset(split.x_train, split.y_train, recipe.batch_size, training=True, aug=aug, seed=recipe.seed)
    val_ds = make_dataset(split.x_val, split.y_val, 1024, training=False)
    steps = -(-len(split.x_train) // recipe.batch_size)
    with strategy.scope():
        if recipe.init_from:
            from model.classifier import Classifier

            model = build_lenet5()
            model.set_weights(Classifier.load(recipe.init_from).model.get_weights())
        else:
            model = build_lenet5()
        model.compile(optimizer=keras.optimizers.Adam(_learning_rate(recipe, steps)),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    timer = EpochTimer()
    callbacks = [
        timer,
        keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=recipe.patience, restore_best_weights=True),
        keras.callbacks.ModelCheckpoint(checkpoint_dir / "best.keras", monitor="val_accuracy", mode="max", save_best_only=True),
    ]
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=recipe.epochs, callbacks=callbacks, verbose=verbose, shuffle=False)  # tf.data shuffles
    total = time.perf_counter() - start
    hist = {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items() if k != "learning_rate"}
    best = max(range(len(hist["val_accuracy"])), key=hist["val_accuracy"].__getitem__)
    facts = {
        "strategy": type(strategy).__name__,
        "replicas": strategy.num_replicas_in_sync,
        "epochs_run": len(timer.seconds),
        "best_epoch": best + 1,
        "best_val_accuracy": hist["val_accuracy"][best],
        "train_time_s": round(total, 1),
        "seconds_per_epoch": round(sum(timer.seconds) / max(1, len(timer.seconds)), 2),
        "images_per_second": round(len(split.x_train) * len(timer.seconds) / max(1e-9, sum(timer.seconds))),
    }
    return model, hist, facts
