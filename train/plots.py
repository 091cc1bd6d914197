"""PNG figures for the model repo: confusion matrix and training curves (rendered off-screen)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from model.labels import LABELS  # noqa: E402


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def confusion_png(matrix: list[list[int]], title: str) -> bytes:
    matrix = np.asarray(matrix, dtype=float)
    rows = matrix.sum(axis=1, keepdims=True)
    normalised = np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0)
    fig, ax = plt.subplots(figsize=(11, 10))
    image = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ticks = np.arange(len(LABELS))
    ax.set_xticks(ticks, LABELS, fontsize=7)
    ax.set_yticks(ticks, LABELS, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of true class")
    return _png(fig)


def curves_png(history: dict[str, list[float]]) -> bytes:
    """Training loss and validation balanced accuracy per epoch."""
    fig, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key, title in (
        (loss_ax, "loss", "training loss"),
        (score_ax, "val_balanced_accuracy", "validation balanced accuracy"),
    ):
        values = history.get(key, [])
        ax.plot(np.arange(1, len(values) + 1), values, "-o", markersize=3)
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    return _png(fig)
