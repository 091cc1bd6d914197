"""The model in the three forms a model repo ships: the zipped .keras file, Keras' unzipped layout (what
``keras.saving.load_model("hf://OWNER/NAME")`` reads) and the LiteRT serving file, checked against each other.

The serving file has two outputs, the calibrated probabilities and the penultimate layer's features (what a
``model.WriterMemory`` compares drawings by). ``python -m train.export FOLDER`` re-exports a model folder's
serving file from its .keras file (same weights), e.g. to give an older model the features output."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from model import web_weights
from model.ink.preprocess import as_batch
from model.network.architecture import FEATURES, build_lenet5, with_features
from model.network.files import KERAS_FILE, METRICS_FILE, SERVING_FILE, WEB_FILE, sha256
from model.network.metrics import ServingInfo
from model.network.runtime import LiteRTEngine

#: The serving file must give the same answers as Keras: identical argmax, probabilities within this.
MAX_ABS_DIFF = 1e-5
#: The page's 16-bit copy (model.web_weights) may differ from Keras by this much, with the same argmax.
WEB_MAX_ABS_DIFF = 1e-3
WEB_CHECK_IMAGES = 2_000


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
    from model.atomic import atomic_path

    path = folder / SERVING_FILE
    both = with_features(model)
    with tempfile.TemporaryDirectory() as tmp:  # the exporter leaves its SavedModel scratch files here
        both.export(str(Path(tmp) / SERVING_FILE), format="litert", verbose=False)
        with atomic_path(path) as staged:
            staged.write_bytes((Path(tmp) / SERVING_FILE).read_bytes())
    batch = as_batch(check_images)
    expected, expected_features = (np.asarray(y) for y in both(batch, training=False))
    served, features = LiteRTEngine(path).run(batch)
    same = bool(np.array_equal(expected.argmax(1), served.argmax(1)))
    diff = float(np.abs(expected - served).max())
    feature_diff = float(np.abs(expected_features - features).max() / max(1.0, float(np.abs(expected_features).max())))
    if not same or diff > MAX_ABS_DIFF or feature_diff > MAX_ABS_DIFF:
        raise ExportError(
            f"{SERVING_FILE} disagrees with the Keras model on {len(batch):,} test images "
            f"(same argmax: {same}, max |p diff| {diff:.2e}, max relative feature diff {feature_diff:.2e}; "
            f"the bound is {MAX_ABS_DIFF:g}); not shipping it"
        )
    return ServingInfo(
        file=SERVING_FILE,
        runtime="LiteRT (ai-edge-litert)",
        same_argmax=same,
        max_abs_diff=diff,
        features=FEATURES,
        features_max_abs_diff=feature_diff,
    )


def write_web(model, folder: Path, views, check_images: np.ndarray) -> float:
    """The page's copy of the network (``model.web_weights``), packed from the same weights as the serving file
    beside it (whose fingerprint it records) and checked against Keras like it; -> the largest difference."""
    from model.atomic import write_bytes
    from model.network.loading import FINGERPRINT_CHARS

    blob = web_weights.pack(
        model.get_weights(),
        {"transforms": [list(t) for t in views.transforms], "temperature": views.temperature},
        sha256(folder / SERVING_FILE)[:FINGERPRINT_CHARS],
    )
    batch = as_batch(check_images[:WEB_CHECK_IMAGES])
    expected = np.asarray(model(batch, training=False))
    served, _ = web_weights.forward(web_weights.unpack(blob).tensors, batch)
    diff = float(np.abs(expected - served).max())
    if diff > WEB_MAX_ABS_DIFF or not np.array_equal(expected.argmax(1), served.argmax(1)):
        raise ExportError(
            f"{WEB_FILE} differs from the Keras model by {diff:.2e} (bound {WEB_MAX_ABS_DIFF:g}); not shipping it"
        )
    write_bytes(folder / WEB_FILE, blob)
    return diff


def reexport(folder: Path, check_images: np.ndarray) -> ServingInfo:
    """A model folder's serving file made again from its .keras file; metrics.json records the new check."""
    import keras

    from model.network.metrics import ModelMetrics

    model = keras.saving.load_model(folder / KERAS_FILE, compile=False, safe_mode=True)
    info = write_serving(model, folder, check_images)
    metrics = ModelMetrics.load(folder / METRICS_FILE)
    if metrics.known:
        metrics.serving = info
        metrics.save(folder / METRICS_FILE)
    return info


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m train.export", description=reexport.__doc__)
    parser.add_argument("folder", type=Path, help="a model folder (model/default, a training run's output)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="EMNIST-format folder whose test split checks the export (default: the committed sample)",
    )
    parser.add_argument(
        "--web-only", action="store_true", help=f"write only {WEB_FILE}, the page's copy (the serving file stays)"
    )
    args = parser.parse_args(argv)
    if args.data_dir:
        from .emnist import read_folder

        images = read_folder(args.data_dir).x_test
    else:
        from .emnist import read_sample

        images = read_sample()[0]
    if not args.web_only:
        info = reexport(args.folder, images)
        print(
            f"{args.folder / SERVING_FILE}: same argmax as Keras on {len(images):,} images: {info.same_argmax}, "
            f"max |p diff| {info.max_abs_diff:.2e}, features ({info.features}) max relative diff "
            f"{info.features_max_abs_diff:.2e}"
        )
    import keras

    from model.network.metrics import ModelMetrics

    model = keras.saving.load_model(args.folder / KERAS_FILE, compile=False, safe_mode=True)
    diff = write_web(model, args.folder, ModelMetrics.load(args.folder / METRICS_FILE).views, images)
    print(f"{args.folder / WEB_FILE}: {(args.folder / WEB_FILE).stat().st_size:,} bytes, max |p diff| {diff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
