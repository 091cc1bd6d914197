"""Real handwriting through every path the Space uses: EMNIST test glyphs (in their own orientation and as
upright pictures) and people's pen strokes drawn the way the Sketchpad delivers them.

The samples are committed under tests/data (see its README for their attribution); tests that use the full
copies in ../shared/data skip with a reason where those are absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench import pen
from harness import data
from harness.drawings import SIDE, as_picture, raster
from model.ink.canvas import INK_RGB
from model.ink.orientation import emnist_to_upright
from model.ink.stroke_width import stroke_width
from model.labels import DIGITS, index_of

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# Measured with the bundled model (python -m bench pen; the numbers are in README): see each test.
MIN_EMNIST_SAMPLE = 0.85  # the bundled model on 987 real test glyphs, both paths (the bound)
# The pen sample's 153 drawings of writers 30-59 (never trained on), brushes 10/18/24: top-1 0.882/0.882/0.895,
# top-3 0.980/0.974/0.980; bounds with a margin of a few drawings so that a runtime's rounding cannot flip the test,
# while a real regression does.
MIN_PEN_TOP1 = 0.85
MIN_PEN_TOP3 = 0.95
# EMNIST's stroke width at 28x28 spans 1.8-4.2 px (10th-90th percentile, median 2.7); drawings must land inside,
# at every brush from a fine pen to a fat finger, after preprocessing.
STROKE_WIDTH_TOLERANCE = 0.6


@pytest.fixture(scope="module")
def emnist_sample():
    return data.emnist_sample()


@pytest.fixture(scope="module")
def pen_sample():
    """Writers 30-59 only: the bundled model trained on writers 0-29's drawings (python -m train --pen-data)."""
    drawings = json.loads((DATA / "uji_pen_digits_sample.json").read_text())
    return [d for d in drawings if d["writer"] >= pen.UNSEEN_FROM]


def test_bundled_model_reads_real_emnist(default_classifier, emnist_sample):
    images, labels = emnist_sample
    direct = np.mean(default_classifier.predict_batch(images).argmax(1) == labels)
    upright = np.mean(
        [default_classifier.predict(as_picture(g)).label == default_classifier_label(y) for g, y in zip(images, labels)]
    )
    print(
        f"\nreal EMNIST sample ({len(labels)}): {direct:.4f} in EMNIST orientation, {upright:.4f} as upright pictures"
    )
    assert direct >= MIN_EMNIST_SAMPLE
    assert upright >= MIN_EMNIST_SAMPLE


def default_classifier_label(index: int) -> str:
    from model.labels import LABELS

    return LABELS[int(index)]


def test_orientation_matters(default_classifier, emnist_sample):
    """Feeding upright glyphs where EMNIST orientation is expected must hurt: the transpose is real."""
    images, labels = emnist_sample
    right = np.mean(default_classifier.predict_batch(images).argmax(1) == labels)
    wrong = np.mean(default_classifier.predict_batch(emnist_to_upright(images)).argmax(1) == labels)
    assert wrong < right - 0.3


# The same drawings through the pad's path, at every brush: top-1 0.856, top-3 0.980 (python -m bench pen's
# placements). The model trained on UNIPEN's letters (issue 26) reads these digits worse than the digits-only one
# did (0.908): 15 of its 22 errors are a digit read as its look-alike letter (1->L, 9->q, 5->S, 0->O), and on all
# of UJI's writers 30-59 the pad's path now reads 85.5% against the picture path's 88.0% (python -m bench pen).
# The bound is this model's measurement less a few drawings; the target (93%) is not met (README).
MIN_STROKES_TOP1 = 0.83
MIN_STROKES_TOP3 = 0.95
# With the kind of character allowed (a digit field), the look-alike letters are gone.
MIN_STROKES_DIGITS_ALLOWED = 0.95


def test_pen_drawings_as_pad_strokes(pen_classifier, pen_sample):
    """The pad's path reads the committed drawings, and the brush the visitor draws with changes nothing but the
    drawing's look on screen."""
    results = [pen.score(pen_classifier, pen_sample, brush, path="strokes") for brush in (10, 24)]
    for result in results:
        assert result["top1"] >= MIN_STROKES_TOP1 and result["top3"] >= MIN_STROKES_TOP3 and result["refused"] == 0
    assert results[0]["top1"] == results[1]["top1"]
    digits = [
        pen_classifier.predict_strokes(pen.pad_value(d["strokes"], 18), allowed=DIGITS).label == d["label"]
        for d in pen_sample
    ]
    assert np.mean(digits) >= MIN_STROKES_DIGITS_ALLOWED


@pytest.mark.parametrize("brush", [10, 18, 24])
def test_pen_drawings_as_pictures(pen_classifier, pen_sample, brush):
    """The upload path: the drawing as a picture, re-stroked to EMNIST's width by the preprocessing."""
    result = pen.score(pen_classifier, pen_sample, brush, path="picture")
    print(
        f"\npen digits as pictures, brush {brush}: top-1 {result['top1']:.3f}, top-3 {result['top3']:.3f}, "
        f"look-alike letters {result['errors_lookalike_letter']}, other errors {result['errors_other']}"
    )
    assert result["top1"] >= MIN_PEN_TOP1
    assert result["top3"] >= MIN_PEN_TOP3
    assert result["refused"] == 0  # a real digit is never refused as "not a character"


def test_drawings_get_emnist_stroke_width(pen_sample, emnist_sample):
    """Whatever the brush, the preprocessed drawing's strokes are as wide as EMNIST's (median within tolerance)."""
    from model import preprocess_upright

    images, _ = emnist_sample
    reference = np.median([stroke_width(g, upsample=4) for g in emnist_to_upright(images).astype(np.float32) / 255])
    rng = np.random.default_rng(0)
    for brush in (6, 10, 18, 24, 32):
        widths = [
            stroke_width(
                preprocess_upright(raster(d["strokes"], brush, rng.uniform(0.45, 0.8), rng.uniform(0, 1, 2))),
                upsample=4,
            )
            for d in pen_sample[::5]
        ]
        assert abs(np.median(widths) - reference) <= STROKE_WIDTH_TOLERANCE, (brush, np.median(widths), reference)


def test_pen_drawing_looks_like_the_trajectory(pen_sample):
    """The renderer itself: ink only where the pen went, the requested size, transparent elsewhere."""
    drawing = pen_sample[0]
    rgba = raster(drawing["strokes"], brush=12, fraction=0.5, position=(0.0, 0.0))
    alpha = rgba[..., 3]
    rows, cols = np.flatnonzero(alpha.max(axis=1) > 0), np.flatnonzero(alpha.max(axis=0) > 0)
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0])
    assert 0.5 * SIDE <= extent <= 0.5 * SIDE + 12 + 2
    assert rows[0] <= 2 and cols[0] <= 2  # position (0, 0): top-left corner
    assert (rgba[..., :3][alpha > 0] == INK_RGB).all() and alpha.mean() < 40


@pytest.mark.shared
@pytest.mark.skipif(
    not (SHARED / "emnist-47").is_dir(),
    reason="../shared/data/emnist-47 is not here (fresh clone): "
    "the committed 987-image sample covers the bundled model instead",
)
def test_bundled_model_on_the_whole_test_split(default_classifier):
    from train.emnist import read_folder
    from train.evaluate import evaluate

    splits = read_folder(SHARED / "emnist-47")
    metrics = evaluate(splits.y_test, default_classifier.predict_batch(splits.x_test))
    recorded = default_classifier.metrics.served_test
    # predict_batch serves the model with its test-time views: the card's served numbers must reproduce.
    assert metrics.accuracy == pytest.approx(recorded.accuracy, abs=1e-4)
    assert metrics.weighted_f1 == pytest.approx(recorded.weighted_f1, abs=1e-4)


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "uji-pen-digits").is_dir(), reason="../shared/data/uji-pen-digits is not here")
def test_full_pen_set_matches_the_sample(pen_classifier, pen_sample):
    drawings = json.loads((SHARED / "uji-pen-digits" / "strokes.json").read_text())
    assert len(drawings) == 1200 and {index_of(d["label"]) for d in drawings} == set(range(10))
    full = pen.score(pen_classifier, drawings[::4], 18)
    assert full["top1"] >= MIN_PEN_TOP1
