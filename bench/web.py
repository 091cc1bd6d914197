"""The character pad's reader in the page (space/web/reader.js) against the server's ``Classifier.predict_strokes``:
the same top guess, probabilities and 28x28 on real pen drawings, in headless Chromium; what it adds to the page.

Drawings: every committed one (tests/data: UJI Pen Characters v2 digits, UNIPEN train_r01_v07 characters of the
pen test writers), and 500 UNIPEN train_r01_v07 characters of the writers the served pen model held out for
validation (``harness.data.pen_validation_characters``, from ../shared; seeded choice), each placed on the pad
as the server's tests place them.
"""

from __future__ import annotations

import gzip
import json

import numpy as np

from harness import browser, data, web_reader
from model.classifier import Classifier
from model.ink.canvas import pad_value
from model.network.files import PEN
from space.ui import READER_JS

from .common import table

VALIDATION_DRAWINGS = 500
#: The in-page answers issue's: the same top guess for this share, probabilities within this, glyphs within this
#: many grey levels on average; the page grows by at most this many bytes, gzipped.
TARGETS = {"same_top": 0.995, "max_abs_diff": 1e-3, "grey_levels": 1.0, "added_gzip_bytes": 150_000}


def _compare(page, url: str, weights: str, classifier: Classifier, values: list[dict]) -> dict:
    found = web_reader.answers(page, url, weights, values)
    served = [classifier.predict_strokes(v) for v in values]
    here = np.array([a["probabilities"] for a in found["answers"]])
    there = np.stack([s.probabilities for s in served])
    glyphs = np.array([a["glyph"] for a in found["answers"]]).reshape(-1, 28, 28)
    grey = 255 * np.abs(glyphs - np.stack([s.glyph for s in served])).mean(axis=(1, 2))
    return {
        "drawings": len(values),
        "same_top": round(float(np.mean(here.argmax(1) == there.argmax(1))), 4),
        "max_abs_diff": float(f"{np.abs(here - there).max():.2e}"),
        "median_abs_diff": float(f"{np.median(np.abs(here - there).max(axis=1)):.2e}"),
        "grey_levels_mean": round(float(grey.mean()), 4),
        "glyphs_identical": round(float(np.mean(grey == 0)), 4),
        "ms_per_drawing": round(float(found["ms"]), 2),
    }


def run(quick: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    classifier = Classifier.load(variant=PEN)
    weights = classifier.web_file
    if weights is None:
        raise SystemExit("The served pen model has no web weights file: python -m train.export FOLDER --web-only")
    uji, _ = data.pen_drawings(full=False)
    unipen = [json.loads(line) for line in data.UNIPEN_SAMPLE.read_text().splitlines() if line.strip()]
    sets = {"committed pen drawings (tests/data)": [pad_value(d["strokes"]) for d in [*uji, *unipen]]}
    held = data.pen_validation_characters(classifier.metrics.training.recipe)
    if held:
        rng = np.random.default_rng(17)
        chosen = rng.choice(len(held), min(len(held), 100 if quick else VALIDATION_DRAWINGS), replace=False)
        sets["UNIPEN validation writers' characters"] = [pad_value(list(held[i].strokes)) for i in chosen]
    served = f"/{weights.relative_to(web_reader.ROOT).as_posix()}"
    with sync_playwright() as p, web_reader.served() as url:
        chromium = browser.launch(p)
        page = chromium.new_page()
        results = {name: _compare(page, url, served, classifier, values) for name, values in sets.items()}
        chromium.close()
    added = {
        path.name: (path.stat().st_size, len(gzip.compress(path.read_bytes(), 9))) for path in (READER_JS, weights)
    }
    return {
        "model": classifier.source,
        "sets": results,
        "page_added_bytes": sum(raw for raw, _ in added.values()),
        "page_added_gzip_bytes": sum(packed for _, packed in added.values()),
        "files": {name: {"bytes": raw, "gzip_bytes": packed} for name, (raw, packed) in added.items()},
        "targets": TARGETS,
    }


def report(result: dict) -> str:
    rows = [
        [
            name,
            r["drawings"],
            f"{100 * r['same_top']:.1f}%",
            f"{r['max_abs_diff']:.1e}",
            f"{r['median_abs_diff']:.1e}",
            r["grey_levels_mean"],
            f"{100 * r['glyphs_identical']:.1f}%",
            r["ms_per_drawing"],
        ]
        for name, r in result["sets"].items()
    ]
    t = result["targets"]
    return (
        f"The page's reader against the server's ({result['model']}), headless Chromium on this machine. Targets: "
        f"the same top guess for >= {100 * t['same_top']:.1f}%, probabilities within {t['max_abs_diff']:g}, the 28x28 "
        f"within {t['grey_levels']:g} grey level on average; the page grows by <= {t['added_gzip_bytes'] // 1000} kB "
        f"gzipped: it grows by {result['page_added_gzip_bytes'] / 1000:.1f} kB gzipped "
        f"({result['page_added_bytes'] / 1000:.1f} kB as sent: "
        + ", ".join(f"`{n}` {f['bytes'] / 1000:.1f} kB" for n, f in result["files"].items())
        + ").\n\n"
        + table(
            rows,
            [
                "drawings",
                "count",
                "same top guess",
                "largest probability difference",
                "median (per drawing, largest)",
                "28x28 mean difference, grey levels",
                "28x28 identical",
                "ms a drawing (9 views)",
            ],
        )
    )
