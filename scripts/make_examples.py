"""Regenerate examples/: the Space's clickable gallery. Run: python scripts/make_examples.py

File names start with the expected class (``A_...png``), which the tests use. Everything is seeded,
so rerunning it rewrites the same pictures.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.labels import LOWERCASE_CLASSES  # noqa: E402
from train.synthetic import CAPS_ONLY_FONTS, find_fonts, load_font, render_ink  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "examples"
SIZE = 160
CLEAN_FONTS = ["Humor-Sans", "ComicNeue-Regular", "dkg", "ComicNeue-Bold"]
# (character, style) pairs that show off what the preprocessing copes with.
HANDDRAWN = [("A", "chalkboard"), ("7", "pencil"), ("g", "transparent"), ("R", "photo"), ("3", "thick-marker"), ("e", "small-off-centre")]


def _font_for(index: int, lowercase: bool = False):
    installed = {p.stem: p for p in find_fonts()}
    names = [n for n in CLEAN_FONTS if n in installed and not (lowercase and n in CAPS_ONLY_FONTS)]
    return load_font(installed[names[index % len(names)]])


def clean_glyph(char: str, index: int) -> Image.Image:
    """Dark ink on white paper, as someone would photograph or scan it."""
    side = SIZE * 5 // 8
    image = Image.new("L", (side, side), 255)
    ImageDraw.Draw(image).text((side / 2, side / 2), char, font=_font_for(index, char.islower()), fill=20, anchor="mm", stroke_width=2, stroke_fill=20)
    return image


def handdrawn(char: str, style: str, rng: np.random.Generator) -> Image.Image:
    ink = render_ink(char, _font_for(1, char.islower()), rng)  # warped like a quick handwritten stroke
    ink = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize((SIZE, SIZE)), dtype=np.float32) / 255
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
    if style == "photo":  # blue ballpoint, uneven light, saved as a JPEG-like lossy photo
        shade = np.linspace(250, 200, SIZE)[None, :, None]
        rgb = shade - ink[..., None] * (shade - np.array([30, 40, 140]))
        image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(1))
        return image
    if style == "thick-marker":
        return Image.fromarray((255 - ink * 255).astype(np.uint8), "L").filter(ImageFilter.MinFilter(5))
    if style == "small-off-centre":  # a small character in the corner of a large canvas
        canvas = Image.new("L", (SIZE * 2, SIZE * 2), 255)
        canvas.paste(Image.fromarray((255 - ink * 255).astype(np.uint8), "L").resize((SIZE, SIZE)), (10, SIZE - 10))
        return canvas
    raise ValueError(style)


def main() -> None:
    groups = {"digits": "0123456789", "uppercase": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "lowercase": LOWERCASE_CLASSES}
    for group, chars in groups.items():
        shutil.rmtree(OUT / group, ignore_errors=True)
        (OUT / group).mkdir(parents=True)
        for i, char in enumerate(chars):
            clean_glyph(char, i).save(OUT / group / f"{char}_{group}.png", optimize=True)
    rng = np.random.default_rng(2024)
    shutil.rmtree(OUT / "handdrawn", ignore_errors=True)
    (OUT / "handdrawn").mkdir()
    for char, style in HANDDRAWN:
        handdrawn(char, style, rng).save(OUT / "handdrawn" / f"{char}_{style}.png", optimize=True)
    print(f"wrote {sum(1 for _ in OUT.rglob('*.png'))} examples under {OUT}")


if __name__ == "__main__":
    main()
