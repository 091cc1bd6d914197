"""Stroke width: measured on any glyph, and set to EMNIST's own before a drawing reaches the network.

A browser brush draws lines of one fixed width whatever the size of the character, so a small letter drawn with
a fat brush and a big one drawn with a thin pen reach the 28x28 frame with strokes from 1 to 5 px wide, while
EMNIST's pen-on-paper glyphs sit near 3 px (``python -m bench pen`` prints both). Preprocessing therefore
re-draws the strokes at EMNIST's median width, before the EMNIST blur, whatever brush drew them.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import distance_transform_edt, maximum_filter, zoom


def stroke_width(image: np.ndarray, threshold: float = 0.5, upsample: int = 1) -> float:
    """Typical stroke width in pixels of ``image``: along the ridges of the strokes, twice the distance to the
    background, less the one pixel the ridge itself counts. ``upsample`` > 1 measures sub-pixel widths."""
    image = np.asarray(image, dtype=np.float32)
    if upsample > 1:
        image = zoom(image, upsample, order=1)
    mask = image >= threshold
    if not mask.any():
        return 0.0
    distance = distance_transform_edt(mask)
    ridge = mask & (distance >= maximum_filter(distance, size=3))
    return float((2 * distance[ridge].mean() - 1) / upsample)


def set_stroke_width(
    image: np.ndarray, target: float, threshold: float = 0.5, width: float | None = None
) -> np.ndarray:
    """Re-draw the strokes of ``image`` (floats in [0, 1], light strokes) ``target`` px wide, antialiased:
    thicker strokes are eroded and thinner ones dilated by half the difference (a disc of that radius).
    ``width``: the strokes' width if already measured."""
    mask = image >= threshold
    if not mask.any():
        return image
    change = (target - (stroke_width(image, threshold) if width is None else width)) / 2
    if abs(change) < 0.25:
        return image
    if change > 0:  # dilate: every pixel within `change` of a stroke becomes ink, edges antialiased
        outside = distance_transform_edt(~mask)
        grown = np.clip(change + 0.5 - outside, 0.0, 1.0)
        return np.maximum(image, grown).astype(np.float32)
    inside = distance_transform_edt(mask)  # erode, but never below a 1 px line: strokes must not vanish
    keep = np.clip(inside + change + 0.5, 0.0, 1.0)
    keep = np.maximum(keep, (inside >= maximum_filter(inside, size=3)) & mask)
    return (image * keep).astype(np.float32)
