"""Inference side by side: LiteRT (what the Space serves) against Keras on TensorFlow, same model, same inputs.

Per runtime: import + load time and peak memory in a fresh process, installed size, one-image latency, batch
throughput, and agreement with Keras. Plus preprocessing and the app's whole in-process path for one canvas.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from model.classifier import Classifier
from model.environment import quiet
from model.ink.preprocess import preprocess
from model.network.files import KERAS_FILE
from model.network.loading import resolve
from model.network.runtime import KerasEngine, LiteRTEngine

from .common import table, timed

BATCHES = (1, 32, 256, 1024)
ROOT = Path(__file__).resolve().parents[1]
# What each runtime needs installed (site-packages folders), for the size column.
PACKAGES = {"LiteRT": ["ai_edge_litert"], "Keras + TensorFlow": ["tensorflow", "keras"]}
# Peak RSS from /proc (VmHWM, reset by exec): getrusage's maxrss in a child keeps the forking parent's peak.
COLD_START = """
def peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
import json, sys, time
start = time.perf_counter()
from model.network.runtime import {engine}
engine = {make}
engine(__import__("numpy").zeros((1, 28, 28, 1), "float32"))
print(json.dumps({{"import_and_load_s": round(time.perf_counter() - start, 3),
                  "peak_rss_mb": peak_rss_mb(),
                  "tensorflow_imported": "tensorflow" in sys.modules}}))
"""


def sketch_canvas(size: int = 400) -> np.ndarray:
    """What the Sketchpad sends: an RGBA canvas, transparent, with a dark "L" drawn off-centre."""
    canvas = np.zeros((size, size, 4), np.uint8)
    canvas[..., :3] = 26
    canvas[size // 4 : size * 3 // 4, size // 3 : size // 3 + 18, 3] = 255
    canvas[size * 3 // 4 - 18 : size * 3 // 4, size // 3 : size * 2 // 3, 3] = 255
    return canvas


def installed_mb(modules: list[str]) -> float:
    total = 0
    for name in modules:
        try:
            spec_path = Path(__import__(name).__file__).parent
        except ImportError:
            continue
        total += sum(p.stat().st_size for p in spec_path.rglob("*") if p.is_file())
    return round(total / 2**20, 1)


def cold_start(folder: Path, runtime: str) -> dict:
    make = (
        f"LiteRTEngine({str(next(folder.glob('*.tflite')))!r})"
        if runtime == "LiteRT"
        else f"KerasEngine.load({str(folder / KERAS_FILE)!r})"
    )
    engine = "LiteRTEngine" if runtime == "LiteRT" else "KerasEngine"
    code = COLD_START.format(engine=engine, make=make)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=quiet(dict(os.environ)),
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(model=None, variant: str | None = None, quick: bool = False) -> dict:
    folder = resolve(model)
    folder = folder if folder.is_dir() else folder.parent
    classifier = Classifier.load(model, variant=variant)
    repeat = 20 if quick else 300
    canvas = sketch_canvas()
    result = {
        "model": classifier.source,
        "app_runtime": classifier.engine.name,
        "preprocess_400px_canvas": timed(lambda: preprocess(canvas), repeat),
        "single_image_end_to_end": timed(lambda: classifier.predict(canvas), repeat),
    }

    # LiteRT is timed before TensorFlow is first used: TensorFlow's idle worker threads slow everything after it.
    makers = {
        "LiteRT": lambda: LiteRTEngine(next(folder.glob("*.tflite"))),
        "Keras + TensorFlow": lambda: KerasEngine.load(folder / KERAS_FILE),
    }
    glyphs = np.random.default_rng(0).random((max(BATCHES), 28, 28, 1), dtype=np.float32)
    rows, outputs, engines = {}, {}, {}
    for name, make in makers.items():
        engine = engines[name] = make()
        outputs[name] = engine(glyphs[:256])
        row = {"installed_mb": installed_mb(PACKAGES[name]), **cold_start(folder, name), "batches": {}}
        for batch in BATCHES:
            x = glyphs[:batch]
            t = timed(lambda e=engine, x=x: e(x), max(5, repeat // (4 if batch >= 256 else 1)))
            row["batches"][str(batch)] = {**t, "images_per_s": round(batch / (t["median_ms"] / 1e3))}
        rows[name] = row
    reference = np.asarray(engines["Keras + TensorFlow"].model(glyphs[:256], training=False))  # eager Keras
    for name, row in rows.items():
        row["same_argmax_as_keras"] = bool(np.array_equal(outputs[name].argmax(1), reference.argmax(1)))
        row["max_abs_diff_vs_keras"] = float(np.abs(outputs[name] - reference).max())
    result["runtimes"] = rows
    return result


def report(result: dict) -> str:
    rows = []
    for name, r in result["runtimes"].items():
        one = r["batches"]["1"]
        rows.append(
            [
                name + (" (app)" if name == result["app_runtime"] else ""),
                f"{r['import_and_load_s']:.2f}",
                f"{r['peak_rss_mb']:.0f}",
                f"{r['installed_mb']:.0f}",
                f"{1000 * one['median_ms']:.0f}",
                *[f"{r['batches'][str(b)]['images_per_s']:,}" for b in BATCHES[1:]],
                "yes" if r["same_argmax_as_keras"] else "NO",
                f"{r['max_abs_diff_vs_keras']:.1e}",
            ]
        )
    pre, e2e = result["preprocess_400px_canvas"], result["single_image_end_to_end"]
    head = (
        f"One 400x400 RGBA canvas, in process: preprocessing {pre['median_ms']:.3f} ms median, preprocessing + "
        f"prediction (the app's path, {result['app_runtime']}) {e2e['median_ms']:.3f} ms median ({e2e['p95_ms']:.3f} p95)."
    )
    return (
        head
        + "\n\n"
        + table(
            rows,
            [
                "runtime",
                "import + load s (fresh process)",
                "peak RSS MB",
                "installed MB",
                "one image µs (median)",
                *[f"img/s @ {b}" for b in BATCHES[1:]],
                "same top-1 as Keras",
                "max |p diff|",
            ],
        )
    )
