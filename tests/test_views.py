"""Test-time views: what they do to a glyph, that a served batch answers each image as if alone, that a model's
record is obeyed within bounds, and that training records a choice loading then serves."""

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from harness.drawings import pad_value
from harness.tiny_run import train_tiny
from model import Classifier
from model.network.files import METRICS_FILE
from model.network.metrics import ModelMetrics
from model.network.views import MAX_TRANSFORMS, Views, transformed
from train import views as test_views

ROTATIONS = ((6, 1, 0, 0), (-6, 1, 0, 0), (0, 0.92, 0, 0), (0, 1.08, 0, 0))


def dot(row: int, col: int) -> np.ndarray:
    glyph = np.zeros((1, 28, 28), np.float32)
    glyph[0, row, col] = 1.0
    return glyph


def test_a_shift_moves_ink_and_a_zoom_grows_it():
    assert transformed(dot(10, 12), (0, 1, 1, 0))[0, 11, 12] == pytest.approx(1.0)
    assert transformed(dot(10, 12), (0, 1, 0, -2))[0, 10, 10] == pytest.approx(1.0)
    bar = np.zeros((1, 28, 28), np.float32)
    bar[0, 8:20, 13:15] = 1.0
    assert (transformed(bar, (0, 1.3, 0, 0)) > 0.5).sum() > (bar > 0.5).sum()
    assert transformed(bar, (0, 1, 0, 0)) == pytest.approx(bar)


@pytest.fixture(scope="module")
def plain(default_classifier):
    return replace(default_classifier, views=Views())


@pytest.fixture(scope="module")
def with_views(default_classifier):
    return replace(default_classifier, views=Views(ROTATIONS, 0.9))


def test_identical_views_change_nothing(plain, tiny_splits):
    glyphs = tiny_splits.x_test[:20] / 255.0
    same = replace(plain, views=Views(((0, 1, 0, 0),) * 4, 1.0))
    assert np.allclose(same.predict_batch(glyphs), plain.predict_batch(glyphs), atol=1e-6)


def test_each_image_of_a_batch_is_answered_as_if_alone(with_views, tiny_splits):
    glyphs = tiny_splits.x_test[:7] / 255.0
    together = with_views.predict_batch(glyphs)
    alone = np.concatenate([with_views.predict_batch(glyphs[i : i + 1]) for i in range(len(glyphs))])
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(together.sum(axis=1), 1.0, atol=1e-5)
    assert not np.allclose(together, with_views.engine(glyphs[..., None]), atol=1e-3)  # the views do something


def test_refusals_and_memory_features_come_from_the_glyph_itself(plain, with_views):
    """The non-character rules and a WriterMemory were measured on the glyph's own output: views leave them."""
    seven = pad_value([[(40, 40), (160, 40), (90, 180)]])
    tap = {"width": 400, "height": 400, "brush": 18, "strokes": [[[200, 200], [201, 200]]]}
    for value in (seven, tap):
        alone, viewed = plain.predict_strokes(value), with_views.predict_strokes(value)
        assert alone.refusal == viewed.refusal
        assert np.array_equal(alone.features, viewed.features)
    assert with_views.predict_strokes(tap).refusal is not None


@pytest.mark.parametrize(
    "transforms, temperature",
    [
        ([[0, 1, 0, 0]] * (MAX_TRANSFORMS + 1), 1.0),  # too many: every answer would be slow
        ([[90, 1, 0, 0]], 1.0),
        ([[0, 5, 0, 0]], 1.0),
        ([[0, 1, 30, 0]], 1.0),
        ([[0, 1, 0]], 1.0),
        ([["x", 1, 0, 0]], 1.0),
        ([[float("nan"), 1, 0, 0]], 1.0),
        ([[6, 1, 0, 0]], 0.0),
        ([[6, 1, 0, 0]], 1e6),
    ],
)
def test_a_record_beyond_what_serving_affords_is_refused(transforms, temperature):
    assert Views.recorded(transforms, temperature) is None


def test_a_model_folder_with_a_bad_record_serves_the_glyph_alone(tmp_path):
    from model.network.loading import DEFAULT_DIR

    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_DIR, folder)
    raw = json.loads((folder / METRICS_FILE).read_text())
    raw["views"] = {"name": "huge", "transforms": [[0, 1, 0, 0]] * 500, "temperature": 1.0}
    (folder / METRICS_FILE).write_text(json.dumps(raw))
    classifier = Classifier.load(folder)
    assert not classifier.views and any("test-time views" in w for w in classifier.warnings)


def test_a_tie_goes_to_the_glyph_alone(tiny_splits):
    """Views must read validation strictly better to be chosen: here every view gives the same answer."""

    def predict(batch):
        p = np.full((len(batch), 47), 0.5 / 46, np.float32)
        p[:, 0] = 0.5
        return p

    name, chosen, accuracy = test_views.choose(predict, tiny_splits.x_test[:50], tiny_splits.y_test[:50])
    assert name == test_views.NONE and not chosen and set(accuracy) == set(test_views.SETS)


PINNED = "half-pixel shifts"


@pytest.fixture(scope="module")
def views_runs(tmp_path_factory):
    """Two tiny training runs: views chosen on validation (whichever way that goes), and a set named outright."""
    return {
        views: train_tiny(tmp_path_factory.mktemp("views"), samples=1200, epochs=2, views=views)
        for views in ("auto", PINNED)
    }


@pytest.mark.parametrize("views", ["auto", PINNED])
def test_training_records_the_views_loading_serves(views_runs, views):
    folder = views_runs[views]
    metrics = ModelMetrics.load(folder / METRICS_FILE)
    recorded = metrics.views
    assert recorded.name in test_views.SETS and set(recorded.validation_accuracy) == set(test_views.SETS)
    if views == "auto":
        assert not recorded.pinned and recorded.validation_accuracy[recorded.name] == max(
            recorded.validation_accuracy.values()
        )
    else:
        assert recorded.pinned and recorded.name == views and len(recorded.transforms) == 4
    assert [list(t) for t in test_views.SETS[recorded.name]] == recorded.transforms
    classifier = Classifier.load(folder)
    assert [list(t) for t in classifier.views.transforms] == recorded.transforms
    glyphs = np.random.default_rng(0).random((6, 28, 28, 1), dtype=np.float32)
    served, alone = classifier.predict_batch(glyphs), classifier.engine(glyphs)
    if recorded.transforms:
        assert classifier.views.temperature == recorded.temperature
        assert metrics.served_test.samples == metrics.test.samples and metrics.served_test is metrics.views.test
        assert np.allclose(served, Views(classifier.views.transforms, recorded.temperature)(classifier.engine, glyphs))
        assert not np.allclose(served, alone, atol=1e-4)
    else:
        assert metrics.served_test is metrics.test and np.array_equal(served, alone)


def test_a_pinned_set_is_said_so_on_the_card(views_runs):
    from model.network.files import CARD_FILE

    card = (views_runs[PINNED] / CARD_FILE).read_text()
    assert "the training command named this set" in card and "chose this set on the validation split" not in card


def test_the_card_shows_the_file_and_the_served_numbers_apart(trained_run):
    import yaml

    from train import card

    metrics = ModelMetrics.load(trained_run / METRICS_FILE)
    name = "rotations ±6°, zooms 0.92/1.08"
    served = replace(metrics.test, accuracy=0.91234, ece=0.00567)
    metrics.views = test_views.record(
        name, Views(test_views.SETS[name], 0.9), {test_views.NONE: 0.8, name: 0.81}, served
    )
    text = card.render(metrics)
    body = text.split("---", 2)[2]
    assert "as this package serves it (5 views averaged)" in body and "91.23%" in body and "0.0057" in body
    assert f"{100 * metrics.test.accuracy:.2f}%" in body and "+6° rotation" in body
    front = yaml.safe_load(text.split("---")[1])
    values = {m["name"]: m["value"] for m in front["model-index"][0]["results"][0]["metrics"]}
    assert values["Accuracy"] == metrics.test.accuracy  # the model-index describes the file alone
