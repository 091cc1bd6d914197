"""Regenerate examples/: the Space's clickable gallery. Run: python scripts/make_examples.py [--model M]

Every example is a pen trajectory drawn the way the Space's sketchpad draws (a round 18 px brush on a 400 px
canvas): digits from real people (UJI Pen Characters v2, CC BY 4.0, see tests/data/README.md), letters from
the single-stroke Hershey vector fonts (public domain glyph data, via the MIT-licensed Hershey-Fonts package),
each slightly warped as a hand would. The "hand-drawn style" group puts such drawings on paper, a chalkboard,
a photo with uneven light, and so on.

A gallery shows what the model can do, so it is chosen with the model: for each character, the first writer
(digits, in the sample's order) or the first font (letters, in FONTS order) whose drawing the given model reads
correctly. It is no benchmark: ``python -m bench pen`` and ``python -m bench accuracy`` give the honest numbers.
File names start with the expected class (``A_...png``). Seeded: rerunning with the same model writes the same
pictures.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from harness.drawings import raster as draw
from model.labels import LOWERCASE_CLASSES

ROOT = Path(__file__).resolve().parents[1]


OUT = ROOT / "examples"
PEN_SAMPLE = ROOT / "tests" / "data" / "uji_pen_digits_sample.json"
SIZE = 200  # gallery pictures are drawn on a 400 px canvas and saved at half size
BRUSH = 18
FONTS = ("futural", "rowmans", "scripts")  # tried in this order per letter ...
NOT_IN = {"q": ("scripts",)}  # ... but where a font's letter reads as another letter to people (a cursive q is a g)
WARPS = 4  # ... each up to this many times, differently warped
# (character, style) pairs that show off what the preprocessing copes with.
HANDDRAWN = [
    ("A", "chalkboard"),
    ("7", "pencil"),
    ("g", "transparent"),
    ("R", "photo"),
    ("3", "thick-marker"),
    ("e", "small-off-centre"),
    ("K", "shadow"),
]


def hershey_strokes(char: str, font: str) -> list[list[tuple[float, float]]]:
    from HersheyFonts import HersheyFonts

    fonts = HersheyFonts()
    fonts.load_default_font(font)
    return [list(stroke) for stroke in fonts.strokes_for_text(char)]


def warp(strokes: list, rng: np.random.Generator) -> list[np.ndarray]:
    """A hand's variation: a little slant, rotation and uneven scale, and a slow wobble along each stroke."""
    angle, shear = np.deg2rad(rng.uniform(-6, 6)), rng.uniform(-0.15, 0.15)
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[1, shear], [0, 1]]
    )
    matrix = matrix @ np.diag(rng.uniform(0.9, 1.1, 2))
    out = []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=float) @ matrix.T
        phase, amplitude = rng.uniform(0, 2 * np.pi, 2), rng.uniform(0.1, 0.35, 2)
        along = np.linspace(0, np.pi, len(points))[:, None]
        out.append(points + amplitude * np.sin(along + phase))
    return out


def sketch(strokes, rng, brush=BRUSH, fraction=0.6, position=(0.5, 0.5)) -> np.ndarray:
    """Dark strokes on a transparent 400 px canvas, like the Sketchpad; alpha as ink amount in [0, 1]."""
    return draw([s.tolist() if isinstance(s, np.ndarray) else s for s in strokes], brush, fraction, position)


def on_white(rgba: np.ndarray) -> Image.Image:
    return Image.fromarray(255 - rgba[..., 3], "L").resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def styled(char_strokes, style: str, rng: np.random.Generator) -> Image.Image:
    ink = sketch(char_strokes, rng)[..., 3].astype(np.float32) / 255
    ink = (
        np.asarray(
            Image.fromarray((ink * 255).astype(np.uint8)).resize((SIZE, SIZE), Image.Resampling.LANCZOS),
            dtype=np.float32,
        )
        / 255
    )
    if style == "chalkboard":  # light chalk on a dark green board
        board = np.array([30, 60, 40], np.float32)
        rgb = board + ink[..., None] * (np.array([235, 235, 225]) - board) + rng.normal(0, 6, (SIZE, SIZE, 3))
        return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    if style == "pencil":  # grey graphite on off-white paper with texture
        paper = 235 + rng.normal(0, 5, (SIZE, SIZE))
        return Image.fromarray(np.clip(paper - ink * 150, 0, 255).astype(np.uint8), "L")
    if style == "transparent":  # black strokes on a transparent background
        rgba = np.zeros((SIZE, SIZE, 4), np.uint8)
        rgba[..., 3] = (ink * 255).astype(np.uint8)
        return Image.fromarray(rgba, "RGBA")
    if style == "photo":  # blue ballpoint, light falling off across the page, slightly blurred
        shade = np.linspace(250, 190, SIZE)[None, :, None]
        rgb = shade - ink[..., None] * (shade - np.array([30, 40, 140]))
        return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(1))
    if style == "shadow":  # a phone's shadow over one corner of the page, 90 grey levels deep
        yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
        paper = 240 - 90 * np.clip(1.6 - 1.4 * (xx + yy), 0, 1)
        return Image.fromarray(np.clip(paper - ink * 200, 0, 255).astype(np.uint8), "L")
    if style == "thick-marker":
        return Image.fromarray((255 - ink * 255).astype(np.uint8), "L").filter(ImageFilter.MinFilter(7))
    if style == "small-off-centre":  # a small character in the corner of a large canvas
        canvas = Image.new("L", (SIZE * 2, SIZE * 2), 255)
        canvas.paste(
            Image.fromarray((255 - ink * 255).astype(np.uint8), "L").resize((SIZE // 2, SIZE // 2)), (20, SIZE)
        )
        return canvas
    raise ValueError(style)


def simple_strokes(char: str) -> list[list[tuple[float, float]]]:
    """Letters whose look-alikes (I/1/l, O/0, q/g) need the features people add to tell them apart: serifs on an
    I, an O as wide as it is tall, a q's straight stem (the script fonts' q is a cursive g to a reader)."""
    if char == "I":
        return [[(0, 0), (14, 0)], [(7, 0), (7, 32)], [(0, 32), (14, 32)]]
    if char == "O":
        t = np.linspace(0.3, 0.3 + 2 * np.pi, 60)
        return [list(zip(20 + 20 * np.cos(t), 16 - 16 * np.sin(t)))]
    if char == "q":
        t = np.linspace(0.1, 0.1 + 2 * np.pi, 60)
        return [list(zip(10 + 10 * np.cos(t), 12 - 12 * np.sin(t))), [(20, 2), (20, 40), (26, 35)]]
    return []


def candidates(char: str, drawings: list[dict], rng: np.random.Generator):
    """Stroke sets for ``char`` in the order they are tried."""
    if simple_strokes(char):
        for _ in range(WARPS):
            yield warp(simple_strokes(char), rng)
    if char.isdigit():
        for drawing in drawings:
            if drawing["label"] == char:
                yield drawing["strokes"]
    else:
        for _ in range(WARPS):
            for font in FONTS:
                if font not in NOT_IN.get(char, ()):
                    yield warp(hershey_strokes(char, font), rng)


def first_read(char: str, drawings, rng, classifier, render) -> Image.Image:
    """The first candidate read as ``char``; when none is, the one giving ``char`` the most probability
    (a look-alike such as O/0, with the page's note saying so), and a warning."""
    from model.labels import index_of

    best, best_p = None, -1.0
    for strokes in candidates(char, drawings, rng):
        picture = render(strokes)
        prediction = classifier.predict(picture)
        if prediction.refusal is None:
            if prediction.label == char:
                return picture
            if prediction.probabilities[index_of(char)] > best_p:
                best, best_p = picture, float(prediction.probabilities[index_of(char)])
    print(f"warning: no drawing of {char!r} is read as {char!r}; keeping the closest ({best_p:.0%})")
    return best


def main() -> None:
    import argparse

    from model import Classifier
    from model.served import PICTURES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="the model the gallery is chosen with (default: bundled)")
    parser.add_argument(
        "--variant", default=PICTURES, help="which of its models (default: the one that reads the Space's pictures)"
    )
    args = parser.parse_args()
    classifier = Classifier.load(args.model, variant=args.variant)
    rng = np.random.default_rng(2026)
    groups = ("digits", "uppercase", "lowercase", "handdrawn")
    staging = ROOT / ".examples-staging"  # the gallery is replaced only once every picture is made
    shutil.rmtree(staging, ignore_errors=True)
    for group in groups:
        (staging / group).mkdir(parents=True)
    drawings = json.loads(PEN_SAMPLE.read_text())
    plain = lambda strokes: on_white(sketch(strokes, rng))  # noqa: E731
    for group, chars in (
        ("digits", "0123456789"),
        ("uppercase", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        ("lowercase", LOWERCASE_CLASSES),
    ):
        for char in chars:
            first_read(char, drawings, rng, classifier, plain).save(staging / group / f"{char}_pen.png", optimize=True)
    for char, style in HANDDRAWN:
        picture = first_read(char, drawings, rng, classifier, lambda strokes, s=style: styled(strokes, s, rng))
        picture.save(staging / "handdrawn" / f"{char}_{style}.png", optimize=True)
    for group in groups:
        shutil.rmtree(OUT / group, ignore_errors=True)
        (staging / group).rename(OUT / group)
    staging.rmdir()
    print(f"wrote {sum(1 for _ in OUT.rglob('*.png'))} examples under {OUT}")


if __name__ == "__main__":
    main()
