"""Reading whole words and numbers: strings composed from real characters, read end to end by Classifier.read.

Strings of 3-7 characters are made from real EMNIST test glyphs (the committed sample: letter words and digit
runs) and from real pen-drawn digits (numbers drawn on a canvas), with realistic jitter: character size
(±15%), baseline (±8% of the height), and gaps from one stroke width to half a character. The pen-drawn numbers
are also read as the word pad sends them (``Classifier.read_strokes``): the same strings, each digit's trajectory
mapped exactly onto where its picture was pasted, so segmentation comes from the strokes. Reported: segmentation
(right number of characters, every box where the character is), character accuracy before and after context,
whole-string accuracy, and the accuracy of the same characters read alone.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from harness import data
from harness.drawings import place, raster
from model.classifier import Classifier
from model.labels import LABELS, LOWERCASE_CLASSES
from model.orientation import emnist_to_upright

from .common import table

HEIGHT = 90  # px, a character's height on the composed page
LETTERS = [i for i, c in enumerate(LABELS) if not c.isdigit()]
DIGITS = list(range(10))


def _ink_of(glyph: np.ndarray) -> Image.Image:
    """An EMNIST glyph, upright, cropped to its ink, as an "L" ink image (light on black)."""
    upright = Image.fromarray(emnist_to_upright(glyph))
    return upright.crop(upright.point(lambda v: 255 if v > 60 else 0).getbbox())


def _pen_ink(strokes, rng) -> tuple[Image.Image, list[np.ndarray], tuple[int, int, int, int], float]:
    """A pen digit drawn on the pad: its ink cropped, and the same trajectory, the crop box and the brush."""
    brush = float(rng.uniform(10, 24))
    rgba = raster(strokes, brush=brush, fraction=0.8, position=(0.5, 0.5))
    alpha = Image.fromarray(rgba[..., 3])
    box = alpha.getbbox()
    return alpha.crop(box), place(strokes, brush, fraction=0.8, position=(0.5, 0.5)), box, brush


def _as_pad_strokes(pens: list, boxes: list, size: tuple[int, int]) -> tuple[dict, list[dict]]:
    """The composed page as the word pad would send it (and each digit alone): every trajectory moved and scaled
    from its crop box onto its box on the page; the pad has one brush, the median of the digits' scaled ones."""
    moved, brushes = [], []
    for (_, strokes, (left, top, _right, bottom), brush), (x0, y0, _x1, y1) in zip(pens, boxes):
        scale = (y1 - y0) / (bottom - top)
        moved.append([((s - [left, top]) * scale + [x0, y0]).round(2).tolist() for s in strokes])
        brushes.append(brush * scale)
    value = {"width": size[0], "height": size[1], "brush": float(np.median(brushes))}
    return {**value, "strokes": [s for m in moved for s in m]}, [{**value, "strokes": m} for m in moved]


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
    images, labels = data.emnist_sample()
    by_class = {c: np.flatnonzero(labels == c) for c in range(len(LABELS))}
    pen, _ = data.pen_drawings(full=False)
    pen_by_digit = {d: [p for p in pen if p["label"] == str(d)] for d in range(10)}
    count = strings or (20 if quick else 300)
    rng = np.random.default_rng(11)
    kinds = {
        "EMNIST letter words": [],
        "EMNIST digit runs": [],
        "pen-drawn numbers": [],
        "pen-drawn numbers, as pad strokes": [],
    }
    for kind in list(kinds)[:3]:
        for _ in range(count):
            length = int(rng.integers(3, 8))
            if kind == "pen-drawn numbers":
                digits = rng.integers(0, 10, length)
                chosen = [pen_by_digit[d][rng.integers(len(pen_by_digit[d]))] for d in digits]
                pens = [_pen_ink(p["strokes"], rng) for p in chosen]
                inks, truth = [p[0] for p in pens], [LABELS[d] for d in digits]
            else:
                classes = rng.choice(LETTERS if kind == "EMNIST letter words" else DIGITS, length)
                inks = [_ink_of(images[rng.choice(by_class[c])]) for c in classes]
                truth = [LABELS[c] for c in classes]
            picture, boxes = compose(inks, rng)
            alone = [classifier.predict(compose([ink], rng)[0]).label for ink in inks]
            kinds[kind].append(_row(classifier.read(picture), truth, boxes, alone))
            if kind == "pen-drawn numbers":
                word, singles = _as_pad_strokes(pens, boxes, (picture.shape[1], picture.shape[0]))
                alone = [classifier.predict_strokes(one).label for one in singles]
                kinds["pen-drawn numbers, as pad strokes"].append(
                    _row(classifier.read_strokes(word), truth, boxes, alone)
                )
    return {"model": classifier.source, "strings_per_kind": count, "kinds": {k: summarise(v) for k, v in kinds.items()}}


def _row(reading, truth: list[str], boxes: list, alone: list[str]) -> dict:
    characters = reading.characters
    segmented = len(characters) == len(truth) and all(_overlap(c.box, b) > 0.5 for c, b in zip(characters, boxes))
    return {
        "truth": truth,
        "segmented": segmented,
        "raw": [c.raw_label for c in characters],
        "context": [c.label for c in characters],
        "alone": alone,
    }


def summarise(rows: list[dict]) -> dict:
    segmented = [r for r in rows if r["segmented"]]
    total = sum(len(r["truth"]) for r in segmented)

    def accuracy(key):
        return round(sum(sum(p == t for p, t in zip(r[key], r["truth"])) for r in segmented) / max(1, total), 4)

    return {
        "strings": len(rows),
        "segmentation_right": round(len(segmented) / len(rows), 4),
        "characters": total,
        "alone": accuracy("alone"),
        "in_string_raw": accuracy("raw"),
        "in_string_context": accuracy("context"),
        "whole_string_context": round(sum(r["context"] == r["truth"] for r in segmented) / max(1, len(rows)), 4),
        "lowercase_share": round(
            sum(t in LOWERCASE_CLASSES for r in rows for t in r["truth"]) / max(1, sum(len(r["truth"]) for r in rows)),
            3,
        ),
    }


def report(result: dict) -> str:
    rows = [
        [
            kind,
            r["strings"],
            f"{100 * r['segmentation_right']:.1f}%",
            f"{100 * r['alone']:.1f}%",
            f"{100 * r['in_string_raw']:.1f}%",
            f"{100 * r['in_string_context']:.1f}%",
            f"{100 * r['whole_string_context']:.1f}%",
        ]
        for kind, r in result["kinds"].items()
    ]
    return (
        f"Model `{result['model']}`: strings of 3-7 real characters written apart, read by `Classifier.read` (pictures) "
        "and `Classifier.read_strokes` (the same pen-drawn numbers as the word pad sends them). Character "
        "accuracies are over the strings segmented right.\n\n"
        + table(
            rows,
            [
                "strings",
                "count",
                "segmented right",
                "characters read alone",
                "in the string, no context",
                "in the string, with context",
                "whole string right",
            ],
        )
    )
