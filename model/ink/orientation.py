"""EMNIST storage orientation <-> upright, defined once.

The EMNIST files store every glyph transposed (mirrored and rotated 90 degrees) relative to how it
was written. A transpose is its own inverse, so the same swap of the last two image axes converts
both ways; it works on (28, 28), (N, 28, 28) and (N, 28, 28, 1)-free arrays alike.
"""

from __future__ import annotations

import numpy as np


def _swap_hw(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"expected an image array with at least 2 dimensions, got shape {images.shape}")
    return np.ascontiguousarray(np.swapaxes(images, -1, -2))


def emnist_to_upright(images: np.ndarray) -> np.ndarray:
    """Glyphs as read from EMNIST files -> as a person wrote them."""
    return _swap_hw(images)


def upright_to_emnist(images: np.ndarray) -> np.ndarray:
    """Upright glyphs -> EMNIST storage orientation (what the model is trained on)."""
    return _swap_hw(images)
