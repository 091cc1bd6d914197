"""Test-split metrics: the numbers that go into metrics.json, the model card and the README."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from model.labels import LABELS, NUM_CLASSES


def top_k_accuracy(y_true: np.ndarray, probabilities: np.ndarray, k: int) -> float:
    top = np.argsort(probabilities, axis=1)[:, -k:]
    return float(np.mean(np.any(top == y_true[:, None], axis=1)))


def most_confused(matrix: np.ndarray, count: int = 10) -> list[dict]:
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    pairs = np.dstack(np.unravel_index(np.argsort(off, axis=None)[::-1], off.shape))[0][:count]
    return [{"true": LABELS[t], "predicted": LABELS[p], "count": int(off[t, p]),
             "share_of_true": round(float(off[t, p]) / max(1, int(matrix[t].sum())), 4)}
            for t, p in pairs if off[t, p] > 0]


def evaluate(y_true: np.ndarray, probabilities: np.ndarray) -> dict:
    y_pred = probabilities.argmax(axis=1)
    classes = np.arange(NUM_CLASSES)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
    matrix = confusion_matrix(y_true, y_pred, labels=classes)
    return {
        "samples": int(len(y_true)),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 5),
        "weighted_f1": round(float(f1_score(y_true, y_pred, labels=classes, average="weighted", zero_division=0)), 5),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=classes, average="macro", zero_division=0)), 5),
        "top3_accuracy": round(top_k_accuracy(y_true, probabilities, 3), 5),
        "per_class": {LABELS[i]: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4),
                                  "f1": round(float(f1[i]), 4), "support": int(support[i])} for i in classes},
        "most_confused": most_confused(matrix),
        "confusion_matrix": matrix.tolist(),
    }


def weakest_classes(metrics: dict, count: int = 10) -> list[tuple[str, float]]:
    """Classes with the lowest F1 (among those present in the test split)."""
    rows = [(label, v["f1"]) for label, v in metrics["per_class"].items() if v["support"] > 0]
    return sorted(rows, key=lambda r: r[1])[:count]
