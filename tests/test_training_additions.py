"""What training can add to EMNIST: people's styles drawn onto its glyphs, real pen drawings of some writers, an
elastic warp; and what a recipe records about them."""

from __future__ import annotations

import numpy as np
import pytest

from harness import data
from model.labels import LABELS, index_of
from model.orientation import emnist_to_upright
from train.pen import pen_glyphs, writers_of
from train.recipe import Recipe
from train.splits import DataError
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


def test_pen_glyphs_are_the_named_writers_drawn_as_the_pad_does():
    x, y = pen_glyphs(data.PEN_WRITERS_SAMPLE, "25-29", repeat=3)
    assert len(x) == 3 * 3 * 20  # writers 25, 27 and 29 are in the sample, 20 drawings each
    assert sorted(np.unique(y).tolist()) == list(range(10))
    assert writers_of("0-2,7") == {0, 1, 2, 7}
    with pytest.raises(DataError, match="ranges"):
        writers_of("all of them")
    with pytest.raises(DataError, match="no pen drawings"):
        pen_glyphs(data.PEN_WRITERS_SAMPLE, "0-9")


def test_a_recipe_records_file_names_not_local_paths(tmp_path):
    pen = tmp_path / "private" / "strokes.json"
    pen.parent.mkdir()
    pen.write_text("[]")
    recorded = Recipe(pen_data=str(pen), init_from=str(pen.parent), teachers=[str(pen), "owner/hub-model"]).as_dict()
    assert recorded["pen_data"] == "strokes.json" and recorded["init_from"] == "private"
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
