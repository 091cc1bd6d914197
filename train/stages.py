"""A training run's stages, one function each: ``python -m train`` chains them and ``python -m bench ablation``
reuses them, so a benchmark row is made exactly as a shipped model is."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from model.ink.preprocess import as_batch
from model.labels import NUM_CLASSES

from . import calibrate, export, fit
from .data import TrainValSplit


@dataclass
class Fitted:
    model: object  # the raw Keras network, before calibration
    history: dict
    facts: dict  # train.fit's facts: epochs run, best epoch, timings
    counts: np.ndarray  # class counts of the training part: the prior the calibration corrects


def soft_targets(teachers: list[str], images: np.ndarray) -> np.ndarray | None:
    """The teachers' averaged raw output for ``images`` (None without teachers)."""
    if not teachers:
        return None
    from .teacher import ensemble_probabilities

    return ensemble_probabilities(teachers, images)


def train(split: TrainValSplit, recipe, verbose: int = 0, teachers: list[str] | None = None) -> Fitted:
    """Fit ``recipe`` on the split's training part (distilling from ``teachers`` when given)."""
    soft = soft_targets(teachers or [], split.x_train)
    model, history, facts = fit.fit(split, recipe, verbose=verbose, teacher_probabilities=soft)
    return Fitted(model, history, facts, np.bincount(split.y_train, minlength=NUM_CLASSES))


def calibration(fitted: Fitted, split: TrainValSplit, recipe) -> calibrate.Plan:
    """Prior correction (when the recipe handles imbalance that way) and temperature, fitted on the base data's
    validation images."""
    x_val, y_val = split.base_validation()
    raw = np.asarray(fitted.model.predict(as_batch(x_val), batch_size=2048, verbose=0))
    return calibrate.plan(raw, y_val, fitted.counts, correct_prior=recipe.imbalance == "prior")


def calibrated(fitted: Fitted, tau: float, temperature: float):
    """The inference network (no dropout) with the calibration folded into its last layer."""
    model = export.inference_copy(fitted.model)
    calibrate.fold(model, fitted.counts, tau, temperature)
    return model


def refit(split: TrainValSplit, recipe, verbose: int = 0, teachers: list[str] | None = None) -> Fitted:
    """The same recipe once more on training + validation. Its ``counts`` stay the training part's: the
    calibration fitted before on validation is reused, with the prior it was fitted with."""
    everything = TrainValSplit(
        np.concatenate([split.x_train, split.x_val]),
        np.concatenate([split.y_train, split.y_val]),
        split.x_val,
        split.y_val,
    )
    return replace(
        train(everything, recipe, verbose, teachers), counts=np.bincount(split.y_train, minlength=NUM_CLASSES)
    )
