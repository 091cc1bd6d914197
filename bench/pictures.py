"""Which of the repo's two models should read uploaded pictures: both read pictures of people's handwriting that
neither trained on, and the better mean wins (``model.served.PICTURES`` records the choice; this prints whether it
still holds).

Validation data only, never the test writers: the UNIPEN characters of the writers the pen model held out of its
training (``harness.data.pen_validation_characters``; the EMNIST model never saw any UNIPEN writer), drawn as a
raster sketchpad draws them; and the EMNIST validation images (the seeded 10% that both models held out of
training), enlarged and printed dark on white as a scan or photo would show them, through the picture path
(``Classifier.predict``).
"""

from __future__ import annotations

import numpy as np

from harness import data
from harness.drawings import raster
from model.classifier import Classifier
from model.ink.orientation import emnist_to_upright
from model.labels import index_of
from model.network.files import EMNIST, PEN
from model.served import NAMES, PICTURES

from .common import table

BRUSH = 12  # px on the 400 px pad: a pen, neither a fine liner nor a finger
SCALE = 4  # an EMNIST glyph printed at 112x112


def scanned(glyph: np.ndarray) -> np.ndarray:
    """An EMNIST validation glyph (storage orientation, light on black) as a picture: upright, dark on white."""
    upright = emnist_to_upright(glyph)
    big = np.kron(upright, np.ones((SCALE, SCALE), np.uint8))
    return 255 - big


def samples(count: int, data_options, seed: int = 0) -> dict[str, tuple[list, np.ndarray]]:
    """Each validation set: (pictures, labels), ``count`` of each at most, seeded."""
    from train.data import DataOptions, hold_out, load_splits

    rng = np.random.default_rng(seed)
    pen = Classifier.load(variant=PEN)
    characters = data.pen_validation_characters(pen.metrics.training.recipe)
    if characters is None:
        raise SystemExit(
            f"bench pictures needs {data.UNIPEN_CHARS} and a pen model trained on it (its held-out writers)"
        )
    chosen = [characters[i] for i in rng.permutation(len(characters))[:count]]
    sets = {
        f"UNIPEN validation writers ({len({c.writer for c in characters})}), drawn": (
            [raster(list(c.strokes), BRUSH, fraction=rng.uniform(0.45, 0.8)) for c in chosen],
            np.array([index_of(c.label) for c in chosen]),
        )
    }
    options = data_options or DataOptions()
    splits = load_splits(options)
    held = hold_out(splits.x_train, splits.y_train, options.val_fraction, options.seed)
    rows = rng.permutation(len(held.y_val))[:count]
    sets[f"{splits.info.name} validation, scanned"] = ([scanned(held.x_val[i]) for i in rows], held.y_val[rows])
    return sets


def run(quick: bool = False, data_options=None, count: int = 2000) -> dict:
    sets = samples(200 if quick else count, data_options)
    models = {EMNIST: Classifier.load(variant=EMNIST), PEN: Classifier.load(variant=PEN)}
    rows = []
    for name, (pictures, labels) in sets.items():
        row = {"set": name, "pictures": len(labels)}
        for variant, classifier in models.items():
            read = np.array([classifier.predict(p).probabilities.argmax() for p in pictures])
            row[variant] = round(float(np.mean(read == labels)), 4)
        rows.append(row)
    means = {variant: round(float(np.mean([row[variant] for row in rows])), 4) for variant in models}
    best = max(means, key=means.get)
    return {"models": {v: c.source for v, c in models.items()}, "rows": rows, "mean": means, "best": best}


def report(result: dict) -> str:
    header = ["validation pictures", "count", *(NAMES[v] for v in result["mean"])]
    rows = [
        [row["set"], f"{row['pictures']:,}", *(f"{100 * row[v]:.2f}%" for v in result["mean"])]
        for row in result["rows"]
    ]
    rows.append(["mean", "", *(f"**{100 * m:.2f}%**" for m in result["mean"].values())])
    verdict = f"Uploaded pictures go to the {NAMES[PICTURES]} (`model.served.PICTURES`), " + (
        "which reads them best here." if result["best"] == PICTURES else f"but the {NAMES[result['best']]} won here."
    )
    return table(rows, header) + "\n\n" + verdict
