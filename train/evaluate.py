"""Test-split metrics: the numbers that go into metrics.json, the model card and the README.

The test split may be balanced while training data is not, so balanced accuracy (mean per-class recall) and
calibration error are reported next to accuracy and F1.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    top_k_accuracy_score,
)
from sklearn.utils.class_weight import compute_sample_weight

from model.labels import LABELS, NUM_CLASSES
from model.network.metrics import TestMetrics

ECE_BINS = 15


def expected_calibration_error(
    y_true: np.ndarray, probabilities: np.ndarray, bins: int = ECE_BINS, weights: np.ndarray | None = None
) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by the share of samples in each
    (``weights``: per-sample weights, e.g. to score an unbalanced split as if it were balanced)."""
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == y_true).astype(np.float64)
    weights = np.ones(len(y_true)) if weights is None else np.asarray(weights, dtype=np.float64)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            w = weights[inside]
            total += (
                w.sum()
                / weights.sum()
                * abs(np.average(correct[inside], weights=w) - np.average(confidence[inside], weights=w))
            )
    return float(total)


def balancing_weights(y: np.ndarray) -> np.ndarray:
    """Per-sample weights that give every class the same total: an unbalanced split scored like a balanced one."""
    return compute_sample_weight("balanced", y)


def most_confused(matrix: np.ndarray, count: int = 10) -> list[dict]:
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    pairs = np.dstack(np.unravel_index(np.argsort(off, axis=None, kind="stable")[::-1], off.shape))[0][:count]
    return [
        {
            "true": LABELS[t],
            "predicted": LABELS[p],
            "count": int(off[t, p]),
            "share_of_true": round(float(off[t, p]) / max(1, int(matrix[t].sum())), 4),
        }
        for t, p in pairs
        if off[t, p] > 0
    ]


def evaluate(y_true: np.ndarray, probabilities: np.ndarray) -> TestMetrics:
    y_pred = probabilities.argmax(axis=1)
    classes = np.arange(NUM_CLASSES)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
    matrix = confusion_matrix(y_true, y_pred, labels=classes)
    return TestMetrics(
        samples=int(len(y_true)),
        accuracy=round(float(accuracy_score(y_true, y_pred)), 5),
        balanced_accuracy=round(float(np.mean(recall[support > 0])), 5),
        weighted_f1=round(float(f1_score(y_true, y_pred, labels=classes, average="weighted", zero_division=0)), 5),
        macro_f1=round(float(f1_score(y_true, y_pred, labels=classes, average="macro", zero_division=0)), 5),
        top3_accuracy=round(float(top_k_accuracy_score(y_true, probabilities, k=3, labels=classes)), 5),
        ece=round(expected_calibration_error(y_true, probabilities), 5),
        per_class={
            LABELS[i]: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i in classes
        },
        most_confused=most_confused(matrix),
        confusion_matrix=matrix.tolist(),
    )


def balanced_accuracy(y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean per-class recall: what levers are chosen by, on the validation split."""
    return float(balanced_accuracy_score(y_true, probabilities.argmax(axis=1)))


def weakest_classes(metrics: TestMetrics, count: int = 10) -> list[tuple[str, float]]:
    """Classes with the lowest F1 (among those present in the test split)."""
    rows = [(label, v["f1"]) for label, v in metrics.per_class.items() if v["support"] > 0]
    return sorted(rows, key=lambda r: r[1])[:count]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions, one each."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def cer(read: str, truth: str) -> float:
    """Character error rate of a reading: edit distance over the truth's length, case and spaces ignored."""
    truth = truth.lower()
    return edit_distance(read.lower().replace(" ", ""), truth) / max(1, len(truth))
