"""Teachers for distillation: one or more trained models whose averaged, uncorrected probabilities become soft
targets for the student.

A model of this project ships calibrated (temperature and class-prior correction folded into its last layer);
its metrics.json records both, so the raw output is recovered exactly: the student then learns the natural
class mix and gets its own correction, like any other run.
"""

from __future__ import annotations

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


def ensemble_probabilities(sources: list[str], images: np.ndarray) -> np.ndarray:
    """The mean raw output of every teacher on ``images`` (uint8 glyphs, EMNIST orientation)."""
    return np.mean([raw_probabilities(Classifier.load(source), images) for source in sources], axis=0)
