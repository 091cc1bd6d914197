"""Inference speed: preprocessing, single-image paths, batch throughput; every path must agree."""

from __future__ import annotations

import numpy as np

from model.classifier import Classifier, compiled_call
from model.preprocess import preprocess

from .common import table, timed

BATCHES = (1, 32, 256, 1024)


def sketch_canvas(size: int = 400) -> np.ndarray:
    """What the Sketchpad sends: an RGBA canvas, white, with a dark "L" drawn off-centre."""
    canvas = np.full((size, size, 4), 255, np.uint8)
    canvas[size // 4 : size * 3 // 4, size // 3 : size // 3 + 24, :3] = 25
    canvas[size * 3 // 4 - 24 : size * 3 // 4, size // 3 : size * 2 // 3, :3] = 25
    return canvas


def paths(model) -> dict:
    import tensorflow as tf

    xla = tf.function(lambda x: model(x, training=False), autograph=False, jit_compile=True,
                      input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
    graph = compiled_call(model)
    return {
        "keras model.predict(x)": lambda x: model.predict(x, verbose=0, batch_size=len(x)),
        "keras model(x) eager": lambda x: model(x, training=False).numpy(),
        "tf.function graph (app)": lambda x: graph(x).numpy(),
        "tf.function XLA": lambda x: xla(x).numpy(),
    }


def run(model=None, quick: bool = False) -> dict:
    classifier = Classifier.load(model)
    repeat = 20 if quick else 200
    rng = np.random.default_rng(0)
    canvas = sketch_canvas()
    result = {"model": classifier.source, "preprocess_400px_canvas": timed(lambda: preprocess(canvas), repeat),
              "single_image_end_to_end": timed(lambda: classifier.predict(canvas), repeat)}

    glyphs = rng.random((max(BATCHES), 28, 28, 1), dtype=np.float32)
    candidates = paths(classifier.model)
    reference = candidates["keras model(x) eager"](glyphs[:256])
    agreement = {}
    for name, fn in candidates.items():
        out = fn(glyphs[:256])
        agreement[name] = {"same_argmax": bool(np.array_equal(out.argmax(1), reference.argmax(1))),
                           "max_abs_diff": float(np.abs(out - reference).max())}
    result["agreement_vs_eager"] = agreement

    speed = {}
    for name, fn in candidates.items():
        speed[name] = {}
        for batch in BATCHES:
            if name.startswith("keras model.predict") and batch > 1 and quick:
                continue
            x = glyphs[:batch]
            t = timed(lambda fn=fn, x=x: fn(x), max(5, repeat // (4 if batch >= 256 else 1)))
            speed[name][str(batch)] = {**t, "images_per_s": round(batch / (t["median_ms"] / 1e3))}
    result["paths"] = speed
    result["app_path"] = "tf.function graph (app)"
    return result


def report(result: dict) -> str:
    rows = []
    for name, by_batch in result["paths"].items():
        one = by_batch.get("1", {})
        cells = [f"{by_batch[str(b)]['images_per_s']:,}" if str(b) in by_batch else "–" for b in BATCHES[1:]]
        same = result["agreement_vs_eager"][name]
        rows.append([name, f"{one.get('median_ms', float('nan')):.2f} / {one.get('p95_ms', float('nan')):.2f}", *cells,
                     "yes" if same["same_argmax"] else "NO", f"{same['max_abs_diff']:.1e}"])
    pre, e2e = result["preprocess_400px_canvas"], result["single_image_end_to_end"]
    head = (f"Preprocessing a 400x400 RGBA canvas: {pre['median_ms']:.2f} ms median ({pre['p95_ms']:.2f} p95). "
            f"Preprocessing + prediction, one image, app path: {e2e['median_ms']:.2f} ms median ({e2e['p95_ms']:.2f} p95).")
    return head + "\n\n" + table(rows, ["path", "batch 1 ms (median / p95)", *[f"img/s @ {b}" for b in BATCHES[1:]],
                                        "same predictions", "max |diff|"])
