"""The core promise: a character drawn in a browser reaches the model looking like a training glyph.

Dataset glyphs (synthetic, EMNIST format) are redrawn the way a Sketchpad delivers them (upright, dark
on white or on transparent, RGBA canvas several hundred pixels wide, off-centre, various sizes and
stroke widths), preprocessed, and compared with the original glyph.
"""

import numpy as np
from PIL import Image, ImageFilter

from model import preprocess
from model.orientation import emnist_to_upright

COUNT = 300
# Measured with the bundled model (python -m pytest tests/test_fidelity.py -s prints them):
# agreement 0.993, mean pixel correlation 0.986 (seeded). The bounds leave a little room.
MIN_AGREEMENT = 0.97
MIN_MEAN_CORRELATION = 0.95


def as_browser_sketch(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ink = Image.fromarray(emnist_to_upright(glyph))
    width, height = int(rng.integers(300, 700)), int(rng.integers(300, 600))
    size = int(rng.integers(110, int(0.85 * min(width, height))))
    ink = ink.resize((size, size), Image.Resampling.BICUBIC)
    if rng.random() < 0.5:  # a thicker brush
        ink = ink.filter(ImageFilter.MaxFilter(int(rng.choice([3, 5]))))
    canvas = Image.new("L", (width, height), 0)
    canvas.paste(ink, (int(rng.integers(0, width - size)), int(rng.integers(0, height - size))))
    alpha = np.asarray(canvas, dtype=np.float32) / 255
    rgba = np.empty((height, width, 4), np.uint8)
    if rng.random() < 0.5:  # opaque white canvas, dark brush (the Sketchpad composite)
        rgba[..., :3] = (255 - alpha[..., None] * 230).astype(np.uint8)
        rgba[..., 3] = 255
    else:  # dark strokes on a transparent layer
        rgba[..., :3] = 25
        rgba[..., 3] = (alpha * 255).astype(np.uint8)
    return rgba


def test_browser_sketches_match_dataset_glyphs(default_classifier):
    from train import synthetic

    glyphs, _ = synthetic.generate(COUNT, seed=99)
    rng = np.random.default_rng(5)
    processed = np.stack([preprocess(as_browser_sketch(g, rng)) for g in glyphs])
    original = glyphs.astype(np.float32) / 255
    correlation = np.mean([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in zip(processed, original)])
    agree = np.mean(default_classifier.predict_batch(processed).argmax(1) == default_classifier.predict_batch(original).argmax(1))
    print(f"\nfidelity over {COUNT} sketches: prediction agreement {agree:.3f}, mean pixel correlation {correlation:.3f}")
    assert agree >= MIN_AGREEMENT
    assert correlation >= MIN_MEAN_CORRELATION
