"""Serving without TensorFlow: the bundled LiteRT file answers like its Keras twin, and the Space's code path
never imports TensorFlow or Keras."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from harness.data import emnist_sample
from model import Classifier
from model.network.files import KERAS_FILE, SERVING_FILE
from model.network.loading import DEFAULT_DIR

ROOT = Path(__file__).resolve().parents[1]

SERVING_PATH = """
import sys
from space.serving import load_for_serving
from space.ui import build_demo
models, status = load_for_serving()
build_demo(models, status)
for classifier in (models.emnist, models.pen):
    classifier.predict({example!r})
    classifier.read({example!r})
print("ENGINE", models.emnist.engine.name, models.pen.engine.name)
print("LOADED", sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras")))
"""


def test_the_space_serving_path_imports_no_tensorflow():
    code = SERVING_PATH.format(example=str(ROOT / "examples" / "uppercase" / "A_pen.png"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=ROOT).stdout
    assert "ENGINE LiteRT LiteRT" in out
    assert "LOADED []" in out, out[-2000:]


@pytest.mark.parametrize("folder", [DEFAULT_DIR, DEFAULT_DIR / "pen"], ids=["emnist", "pen"])
def test_bundled_serving_file_agrees_with_its_keras_model(folder):
    sample = emnist_sample()[0]
    served = Classifier.load(folder / SERVING_FILE).predict_batch(sample)
    keras = Classifier.load(folder / KERAS_FILE).predict_batch(sample)
    assert np.array_equal(served.argmax(1), keras.argmax(1))
    assert np.abs(served - keras).max() <= 1e-5


def test_batches_of_any_size_give_the_same_answers():
    """The interpreter is resized per batch and runs large ones in padded chunks: one image at a time, a small
    batch, and a large batch with a partial last chunk must all agree."""
    from model.network.runtime import CHUNK

    classifier = Classifier.load()
    sample = emnist_sample()[0][: 2 * CHUNK + 37]
    together = classifier.predict_batch(sample)
    assert together.shape == (len(sample), 47)
    alone = np.concatenate([classifier.predict_batch(g) for g in sample[::23]])
    small = np.concatenate([classifier.predict_batch(sample[i : i + 50]) for i in range(0, len(sample), 50)])
    assert np.allclose(together[::23], alone, atol=1e-6) and np.allclose(together, small, atol=1e-6)
