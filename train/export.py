"""The model in the three forms a model repo ships: the zipped .keras file, Keras' unzipped layout (what
``keras.saving.load_model("hf://OWNER/NAME")`` reads) and the LiteRT serving file, checked against each other."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from model.architecture import build_lenet5
from model.files import KERAS_FILE, SERVING_FILE
from model.metrics import ServingInfo
from model.preprocess import as_batch
from model.runtime import LiteRTEngine

#: The serving file must give the same answers as Keras: identical argmax, probabilities within this.
MAX_ABS_DIFF = 1e-5


class ExportError(RuntimeError):
    pass


def inference_copy(model):
    """A fresh, uncompiled copy: the files hold weights, not optimizer state (3x smaller)."""
    copy = build_lenet5()
    copy.set_weights(model.get_weights())
    return copy


def write_keras(model, folder: Path) -> None:
    import keras

    model.save(folder / KERAS_FILE)
    keras.saving.save_model(model, folder, zipped=False)  # config.json, model.weights.h5, metadata.json
    assets = folder / "assets"
    if assets.is_dir() and not any(assets.iterdir()):
        assets.rmdir()  # empty for this model; Git and the Hub cannot hold an empty folder anyway


def write_serving(model, folder: Path, check_images: np.ndarray) -> ServingInfo:
    """Export to LiteRT and compare with Keras on ``check_images`` (uint8 or float glyphs, EMNIST orientation);
    raises ExportError when they disagree, so a run never ships a serving file that answers differently."""
    path = folder / SERVING_FILE
    with tempfile.TemporaryDirectory() as tmp:  # the exporter leaves its SavedModel scratch files here
        model.export(str(Path(tmp) / SERVING_FILE), format="litert", verbose=False)
        path.write_bytes((Path(tmp) / SERVING_FILE).read_bytes())
    batch = as_batch(check_images)
    expected = np.asarray(model(batch, training=False))
    served = LiteRTEngine(path)(batch)
    same = bool(np.array_equal(expected.argmax(1), served.argmax(1)))
    diff = float(np.abs(expected - served).max())
    if not same or diff > MAX_ABS_DIFF:
        raise ExportError(f"{SERVING_FILE} disagrees with the Keras model on {len(batch):,} test images "
                          f"(same argmax: {same}, max |p diff| {diff:.2e} > {MAX_ABS_DIFF:g}); not shipping it")
    return ServingInfo(file=SERVING_FILE, runtime="LiteRT (ai-edge-litert)", same_argmax=same, max_abs_diff=diff)
