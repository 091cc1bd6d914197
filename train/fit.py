"""Fit the LeNet-5 (Adam, categorical cross-entropy) inside a tf.distribute strategy, with the levers that
``python -m bench ablation`` measures: augmentation, epochs and schedule, batch size, label smoothing, class
imbalance handling, weight averaging (EMA) and distillation from a teacher."""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from model.ink.preprocess import as_batch
from model.labels import NUM_CLASSES
from model.network.architecture import build_lenet5

from .calibrate import log_prior
from .data import TrainValSplit
from .evaluate import balanced_accuracy
from .pipeline import make_dataset
from .recipe import Recipe


def pick_strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over several GPUs; the default (one device) strategy otherwise."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


class ValidationScore(keras.callbacks.Callback):
    """Balanced accuracy on the validation split after every epoch (as ``val_balanced_accuracy`` in the logs),
    plus wall time per epoch. The validation split is balanced-scored because the test split is balanced."""

    def __init__(self, x_val: np.ndarray, y_val: np.ndarray):
        super().__init__()
        self.x_val, self.y_val = as_batch(x_val), y_val
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
        probabilities = self.model.predict(self.x_val, batch_size=2048, verbose=0)
        logs["val_balanced_accuracy"] = balanced_accuracy(self.y_val, probabilities)


def make_loss(recipe: Recipe, class_counts: np.ndarray):
    """Cross-entropy on the softmax output, with label smoothing, the logit adjustment (imbalance="loss") and,
    when targets carry a teacher's probabilities in their second half, distillation."""
    shift = tf.constant(log_prior(class_counts) if recipe.imbalance == "loss" else np.zeros(NUM_CLASSES), tf.float32)
    smoothing, distill = recipe.label_smoothing, recipe.distill

    def loss(targets, probabilities):
        logits = tf.math.log(tf.clip_by_value(probabilities, 1e-7, 1.0)) + shift
        onehot = targets[:, :NUM_CLASSES]
        hard = keras.losses.categorical_crossentropy(
            onehot * (1 - smoothing) + smoothing / NUM_CLASSES, logits, from_logits=True
        )
        if not distill:
            return hard
        soft = keras.losses.categorical_crossentropy(targets[:, NUM_CLASSES:], logits, from_logits=True)
        return (1 - distill) * hard + distill * soft

    return loss


def _learning_rate(recipe: Recipe, steps_per_epoch: int):
    if recipe.schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(
            recipe.learning_rate, decay_steps=recipe.epochs * steps_per_epoch, alpha=0.02
        )
    if recipe.schedule == "constant":
        return recipe.learning_rate
    raise ValueError(f"unknown learning-rate schedule {recipe.schedule!r}")


def fit(
    split: TrainValSplit,
    recipe: Recipe,
    verbose: int = 2,
    teacher_probabilities: np.ndarray | None = None,
    build=build_lenet5,
    backup_dir=None,
) -> tuple[keras.Model, dict, dict]:
    """Returns the fitted model (best validation weights when early stopping), its history, and timing facts.

    ``teacher_probabilities`` (N_train, 47), required when ``recipe.distill`` > 0: a teacher's output on
    ``split.x_train``, mixed into the targets. ``build``: the network (the LeNet-5; a larger teacher for
    distillation). ``backup_dir``: resume an interrupted run from there (Keras' BackupAndRestore)."""
    keras.utils.set_random_seed(recipe.seed)
    strategy = pick_strategy()
    counts = np.bincount(split.y_train, minlength=NUM_CLASSES)
    targets = None
    if recipe.distill:
        if teacher_probabilities is None or len(teacher_probabilities) != len(split.y_train):
            raise ValueError("distillation needs the teacher's probabilities for every training image")
        targets = np.concatenate([np.eye(NUM_CLASSES, dtype=np.float32)[split.y_train], teacher_probabilities], axis=1)
    aug = recipe.augmentation
    train_ds = make_dataset(
        split.x_train,
        split.y_train,
        recipe.batch_size,
        training=True,
        aug=aug,
        seed=recipe.seed,
        epochs=recipe.epochs,
        balanced=recipe.imbalance == "sampling",
        targets=targets,
    )
    steps = -(-len(split.x_train) // recipe.batch_size)
    with strategy.scope():
        model = build()
        if recipe.init_from:
            from model.classifier import Classifier
            from model.network.files import KERAS_FILE
            from model.network.loading import resolve

            path = resolve(recipe.init_from)  # a folder or repo: its .keras file, the one with weights to train
            source = Classifier.load(path / KERAS_FILE if (path / KERAS_FILE).is_file() else path).engine
            if not hasattr(source, "model"):
                raise ValueError(f"--init-from {recipe.init_from} needs a .keras file to start from")
            model.set_weights(source.model.get_weights())
        optimizer = keras.optimizers.Adam(
            _learning_rate(recipe, steps), use_ema=recipe.ema > 0, ema_momentum=recipe.ema or 0.99
        )
        model.compile(optimizer=optimizer, loss=make_loss(recipe, counts))
    score = ValidationScore(split.x_val, split.y_val)
    callbacks = [score]
    if backup_dir is not None:
        callbacks.insert(
            0, keras.callbacks.BackupAndRestore(str(backup_dir), save_freq="epoch", delete_checkpoint=False)
        )
    if recipe.ema:
        callbacks.insert(0, keras.callbacks.SwapEMAWeights(swap_on_epoch=True))  # validate the averaged weights
    if recipe.patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_balanced_accuracy", mode="max", patience=recipe.patience, restore_best_weights=True
            )
        )
    start = time.perf_counter()
    history = model.fit(
        train_ds, epochs=recipe.epochs, steps_per_epoch=steps, callbacks=callbacks, verbose=verbose, shuffle=False
    )  # the index stream is already shuffled
    total = time.perf_counter() - start
    hist = {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items() if k != "learning_rate"}
    scores = hist["val_balanced_accuracy"]
    best = max(range(len(scores)), key=scores.__getitem__) if recipe.patience else len(scores) - 1
    facts = {
        "strategy": type(strategy).__name__,
        "replicas": strategy.num_replicas_in_sync,
        "epochs_run": len(score.seconds),
        "best_epoch": best + 1,
        "best_val_balanced_accuracy": scores[best],
        "train_time_s": round(total, 1),
        "seconds_per_epoch": round(sum(score.seconds) / max(1, len(score.seconds)), 2),
        "images_per_second": round(len(split.x_train) * len(score.seconds) / max(1e-9, sum(score.seconds))),
    }
    return model, hist, facts
