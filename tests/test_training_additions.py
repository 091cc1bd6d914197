"""What training can add to EMNIST: people's styles drawn onto its glyphs, an elastic warp; and what a recipe
records about them (real pen characters: tests/test_pen_data.py)."""

from __future__ import annotations

import numpy as np
import pytest

from harness import data
from model.ink.orientation import emnist_to_upright
from model.labels import LABELS, index_of
from train.recipe import Recipe
from train.styles import RATES, mark, styled_copies


@pytest.fixture(scope="module")
def sample():
    return data.emnist_sample()


def test_style_marks_add_ink_where_people_put_it(sample):
    images, labels = sample
    rng = np.random.default_rng(0)
    for label in RATES:
        glyph = emnist_to_upright(images[np.flatnonzero(labels == index_of(label))[0]])
        styled = mark(glyph, label, rng)
        added = (styled.astype(int) - glyph) > 60
        assert added.sum() >= 6, label  # a visible stroke ...
        assert (styled >= glyph).all()  # ... drawn over, never erasing
    assert mark(emnist_to_upright(images[0]), "A", rng) is None  # no style for other classes


def test_styled_copies_follow_the_rates(sample):
    images, labels = sample
    x, y = styled_copies(images, labels, share=1.0, seed=3)
    counts = {LABELS[c]: int((y == c).sum()) for c in np.unique(y)}
    per_class = 21  # the committed sample
    assert counts == {label: round(rate * per_class) for label, rate in RATES.items()}
    assert x.dtype == np.uint8 and x.shape[1:] == (28, 28)
    assert styled_copies(images, labels, share=0.0, seed=3)[0].shape[0] == 0


def test_a_recipe_records_file_names_not_local_paths(tmp_path):
    pen = tmp_path / "private" / "strokes.json"
    pen.parent.mkdir()
    pen.write_text("[]")
    recorded = Recipe(pen_data=[str(pen)], init_from=str(pen.parent), teachers=[str(pen), "owner/hub-model"]).as_dict()
    assert recorded["pen_data"] == ["strokes.json"] and recorded["init_from"] == "private"
    assert recorded["teachers"] == ["strokes.json", "owner/hub-model"]


@pytest.mark.train
def test_elastic_distortion_moves_ink_without_losing_it(sample):
    import tensorflow as tf

    from train.pipeline import augment_batch
    from train.recipe import AUGMENTATIONS

    images = tf.constant(sample[0][:32, ..., None].astype(np.float32) / 255)
    warped = augment_batch(images, AUGMENTATIONS["elastic"], tf.constant([1, 2], tf.int64)).numpy()
    before = images.numpy()
    assert np.abs(warped - before).mean() > 0.01  # it moves the strokes ...
    assert abs(warped.sum() / before.sum() - 1) < 0.1  # ... and keeps the ink
