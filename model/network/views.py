"""Test-time augmentation: the served answer averages the model's calibrated probabilities over the glyph and a few
small transforms of it, then sharpens the average by a temperature fitted on the validation split.

Which transforms (if any) is a measurement, made by ``python -m train`` on the validation split (``train/views.py``)
and recorded in metrics.json; a model without that record answers from the glyph alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import affine_transform
from scipy.special import softmax

#: The most transforms a model's record may ask for (each adds about 0.05 ms to an answer), and how far each may go.
MAX_TRANSFORMS = 8
LIMITS = {"rotation": 45.0, "zoom": (0.5, 2.0), "shift": 4.0, "temperature": (0.05, 20.0)}

#: One transform: (rotation in degrees, zoom, shift in rows, shift in columns), about the frame's centre.
Transform = tuple[float, float, float, float]


def transformed(glyphs: np.ndarray, transform: Transform) -> np.ndarray:
    """(N, 28, 28[, 1]) floats, each rotated, zoomed and shifted about the frame's centre (bilinear, zeros outside)."""
    rotation, zoom, dy, dx = transform
    angle = np.deg2rad(rotation)
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / zoom
    size = np.array(glyphs.shape[1:3])
    centre = (size - 1) / 2
    offset = centre - matrix @ centre - np.array([dy, dx])
    flat = glyphs.reshape(-1, *glyphs.shape[1:3])
    out = np.stack([affine_transform(g, matrix, offset=offset, order=1, mode="constant") for g in flat])
    return out.reshape(glyphs.shape).astype(glyphs.dtype, copy=False)


@dataclass(frozen=True)
class Views:
    """The transforms averaged besides the glyph itself, and the temperature applied to the average."""

    transforms: tuple[Transform, ...] = ()
    temperature: float = 1.0

    @classmethod
    def recorded(cls, transforms: list, temperature: float | None) -> Views | None:
        """The views a metrics.json records, or None where they are beyond what serving affords (a downloaded
        model's record must not make every answer slow)."""
        try:
            views = tuple(tuple(float(v) for v in t) for t in transforms)
        except (TypeError, ValueError):
            return None
        temperature = 1.0 if temperature is None else float(temperature)
        low, high = LIMITS["temperature"]
        ok = len(views) <= MAX_TRANSFORMS and low <= temperature <= high
        for t in views:
            ok = ok and len(t) == 4 and all(math.isfinite(v) for v in t)
            ok = ok and abs(t[0]) <= LIMITS["rotation"] and LIMITS["zoom"][0] <= t[1] <= LIMITS["zoom"][1]
            ok = ok and abs(t[2]) <= LIMITS["shift"] and abs(t[3]) <= LIMITS["shift"]
        return cls(views, temperature) if ok else None

    def __bool__(self) -> bool:
        return bool(self.transforms)

    def stack(self, batch: np.ndarray) -> np.ndarray:
        """(N, ...) -> ((1 + transforms) * N, ...): the batch, then each transform of it, for one model call."""
        return np.concatenate([batch] + [transformed(batch, t) for t in self.transforms])

    def combine(self, probabilities: np.ndarray) -> np.ndarray:
        """The model's output for ``stack(batch)`` -> (N, classes) served probabilities."""
        views = probabilities.reshape(1 + len(self.transforms), -1, probabilities.shape[-1])
        mean = views.mean(axis=0)
        if not self.transforms:
            return mean
        return softmax(np.log(np.clip(mean, 1e-30, 1.0)) / self.temperature, axis=-1).astype(probabilities.dtype)

    def __call__(self, predict, batch: np.ndarray) -> np.ndarray:
        """``predict`` (batch -> probabilities) answered as served."""
        return self.combine(np.asarray(predict(self.stack(batch)))) if self else np.asarray(predict(batch))
