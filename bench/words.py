"""Reading whole words and numbers: strings composed from real characters, read end to end by Classifier.read.

Strings of 3-7 characters are made from real EMNIST test glyphs (the committed sample: letter words and digit
runs) and from real pen-drawn digits (numbers drawn on a canvas), with realistic jitter: character size
(±15%), baseline (±8% of the height), and gaps from one stroke width to half a character. Reported: segmentation
(right number of characters, every box where the character is), character accuracy before and after context,
whole-string accuracy, and the accuracy of the same characters read alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from model.classifier import Classifier
from model.labels import LABELS, LOWERCASE_CLASSES
from model.orientation import emnist_to_upright

from .common import table
from .pen import SAMPLE, draw

ROOT = Path(__file__).resolve().parents[1]
EMNIST = ROOT / "tests" / "data" / "emnist47_test_sample.npz"
HEIGHT = 90  # px, a character's height on the composed page
LETTERS = [i for i, c in enumerate(LABELS) if not c.isdigit()]
DIGITS = list(range(10))


def _ink_of(glyph: np.ndarray) -> Image.Image:
    """An EMNIST glyph, upright, cropped to its ink, as an "L" ink image (light on black)."""
    upright = Image.fromarray(emnist_to_upright(glyph))
    return upright.crop(upright.point(lambda v: 255 if v > 60 else 0).getbbox())


def _pen_ink(strokes, rng) -> Image.Image:
    rgba = draw(strokes, brush=float(rng.uniform(10, 24)), fraction=0.8, position=(0.5, 0.5))
    alpha = Image.fromarray(rgba[..., 3])
    return alpha.crop(alpha.getbbox())


def compose(inks: list[Image.Image], rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Dark ink on white paper, left to right; returns the picture and each character's true box."""
    placed, x = [], 30
    for ink in inks:
        height = int(HEIGHT * rng.uniform(0.85, 1.15))
        width = max(2, int(ink.width * height / ink.height))
        ink = ink.resize((width, height), Image.Resampling.LANCZOS)
        y = 40 + int(HEIGHT * rng.uniform(-0.08, 0.08)) + (HEIGHT - height) // 2
        placed.append((ink, x, y))
        x += width + int(HEIGHT * rng.uniform(0.12, 0.5))  # at least a stroke width (about 1/8 of the height)
    page = Image.new("L", (x + 30, HEIGHT + 100), 0)
    for ink, px, py in placed:
        page.paste(ink, (px, py), ink)
    boxes = [(px, py, px + ink.width, py + ink.height) for ink, px, py in placed]
    return 255 - np.asarray(page), boxes


def _overlap(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def run(model=None, quick: bool = False, strings: int | None = None) -> dict:
    classifier = Classifier.load(model)
    sample = np.load(EMNIST)
    by_class = {c: np.flatnonzero(sample["labels"] == c) for c in range(len(LABELS))}
    pen = json.loads(SAMPLE.read_text())
    pen_by_digit = {d: [p for p in pen if p["label"] == str(d)] for d in range(10)}
    count = strings or (20 if quick else 300)
    rng = np.random.default_rng(11)
    kinds = {"EMNIST letter words": [], "EMNIST digit runs": [], "pen-drawn numbers": []}
    for kind in kinds:
        for _ in range(count):
            length = int(rng.integers(3, 8))
            if kind == "pen-drawn numbers":
                digits = rng.integers(0, 10, length)
                chosen = [pen_by_digit[d][rng.integers(len(pen_by_digit[d]))] for d in digits]
                inks, truth = [_pen_ink(p["strokes"], rng) for p in chosen], [LABELS[d] for d in digits]
            else:
                classes = rng.choice(LETTERS if kind == "EMNIST letter words" else DIGITS, length)
                glyphs = [sample["images"][rng.choice(by_class[c])] for c in classes]
                inks, truth = [_ink_of(g) for g in glyphs], [LABELS[c] for c in classes]
            picture, boxes = compose(inks, rng)
            reading = classifier.read(picture)
            alone = [classifier.predict(compose([ink], rng)[0]).label for ink in inks]
            characters = reading.characters
            segmented = len(characters) == len(truth) and all(_overlap(c.box, b) > 0.5 for c, b in zip(characters, boxes))
            kinds[kind].append({"truth": truth, "segmented": segmented, "raw": [c.raw_label for c in characters],
                                "context": [c.label for c in characters], "alone": alone})
    return {"model": classifier.source, "strings_per_kind": count, "kinds": {k: summarise(v) for k, v in kinds.items()}}


def summarise(rows: list[dict]) -> dict:
    segmented = [r for r in rows if r["segmented"]]
    total = sum(len(r["truth"]) for r in segmented)

    def accuracy(key):
        return round(sum(sum(p == t for p, t in zip(r[key], r["truth"])) for r in segmented) / max(1, total), 4)

    return {"strings": len(rows), "segmentation_right": round(len(segmented) / len(rows), 4),
            "characters": total, "alone": accuracy("alone"), "in_string_raw": accuracy("raw"),
            "in_string_context": accuracy("context"),
            "whole_string_context": round(sum(r["context"] == r["truth"] for r in segmented) / max(1, len(rows)), 4),
            "lowercase_share": round(sum(t in LOWERCASE_CLASSES for r in rows for t in r["truth"])
                                     / max(1, sum(len(r["truth"]) for r in rows)), 3)}


def report(result: dict) -> str:
    rows = [[kind, r["strings"], f"{100 * r['segmentation_right']:.1f}%", f"{100 * r['alone']:.1f}%",
             f"{100 * r['in_string_raw']:.1f}%", f"{100 * r['in_string_context']:.1f}%", f"{100 * r['whole_string_context']:.1f}%"]
            for kind, r in result["kinds"].items()]
    return (f"Model `{result['model']}`: strings of 3-7 real characters written apart, read by `Classifier.read`. "
            "Character accuracies are over the strings segmented right.\n\n"
            + table(rows, ["strings", "count", "segmented right", "characters read alone", "in the string, no context",
                           "in the string, with context", "whole string right"]))
