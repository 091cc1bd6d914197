"""A generated stand-in for EMNIST Balanced: glyphs rendered from installed fonts, EMNIST format.

For tests, CI and offline use only: it is learnable and shaped exactly like EMNIST (47 balanced
classes, 28x28 uint8, light on black, stored transposed), but it is typography, not handwriting.
Each glyph gets a random affine warp, an elastic distortion and a stroke-width change, then goes
through the same EMNIST framing as user input (``model.ink.preprocess.frame_glyph``).
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy.ndimage import map_coordinates

from model.ink.orientation import upright_to_emnist
from model.ink.preprocess import BlankImageError, frame_glyph
from model.labels import LABELS, LOWERCASE_CLASSES, MERGED_LOWERCASE
from model.network.metrics import DataInfo

from .splits import DataError, Splits

FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts")]
# Handwriting-like faces first; plain sans/serif/mono faces add variety. Names are file stems.
FONT_STEMS = [
    "Humor-Sans",
    "ComicNeue-Regular",
    "ComicNeue-Bold",
    "ComicNeue-Light",
    "ComicNeue-Italic",
    "dkg",
    "dkgBd",
    "dkgIt",
    "Breip",
    "femkeklaver",
    "Rufscript010",
    "DejaVuSans",
    "DejaVuSans-Bold",
    "DejaVuSans-Oblique",
    "DejaVuSerif",
    "DejaVuSansMono",
    "FreeSans",
    "FreeSerif",
    "FreeMono",
    "LiberationSans-Regular",
    "LiberationSerif-Regular",
    "LiberationMono-Regular",
    "LiberationSansNarrow-Regular",
]
# Faces whose "lowercase" is small capitals: drawing class "a" with them would teach the model an "A".
CAPS_ONLY_FONTS = {"Humor-Sans"}
#: Debian packages with these fonts, one per line; scripts/test.sh installs the same list.
APT_PACKAGES_FILE = Path(__file__).with_name("fonts-debian.txt")
CANVAS = 72
FONT_SIZE = 48


class NoFontsError(DataError):
    """No usable font is installed; the message says which packages to install."""


@lru_cache(maxsize=1)
def find_fonts() -> tuple[Path, ...]:
    """Installed fonts from FONT_STEMS, in that fixed order (so a seed means the same data everywhere)."""
    found: dict[str, Path] = {}
    for root in FONT_DIRS:
        for dirpath, _, names in os.walk(root):
            for name in names:
                stem, ext = os.path.splitext(name)
                if ext.lower() in (".ttf", ".otf") and stem in FONT_STEMS:
                    found.setdefault(stem, Path(dirpath) / name)
    if not found:
        packages = " ".join(APT_PACKAGES_FILE.read_text().split())
        raise NoFontsError(f"No fonts for synthetic data in {FONT_DIRS}. Install them: sudo apt-get install {packages}")
    return tuple(found[s] for s in FONT_STEMS if s in found)


@cache
def load_font(path: Path) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), FONT_SIZE)


def class_chars(label: int) -> str:
    """Characters drawn for a class: merged classes get both cases, as EMNIST merged them."""
    char = LABELS[label]
    return char + char.lower() if char.lower() in MERGED_LOWERCASE else char


def render_ink(char: str, font: ImageFont.FreeTypeFont, rng: np.random.Generator) -> np.ndarray:
    """One randomly warped glyph, upright, light on black, float (144, 144)."""
    image = Image.new("L", (CANVAS * 2, CANVAS * 2), 0)
    draw = ImageDraw.Draw(image)
    width = int(rng.choice([0, 0, 0, 1, 1, 2]))
    draw.text((CANVAS, CANVAS), char, font=font, fill=255, anchor="mm", stroke_width=width, stroke_fill=255)
    if width > 0 and rng.random() < 0.3:
        image = image.filter(ImageFilter.MinFilter(3))  # thinner strokes
    # Random affine: rotation, shear, anisotropic scale, about the centre.
    angle, shear = np.deg2rad(rng.uniform(-12, 12)), rng.uniform(-0.3, 0.3)
    sx, sy = rng.uniform(0.75, 1.25, size=2)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = rot @ np.array([[1, shear], [0, 1]]) @ np.diag([sx, sy])
    inverse = np.linalg.inv(forward)
    centre = np.array([CANVAS, CANVAS], dtype=float)
    offset = centre - inverse @ centre
    image = image.transform(
        image.size,
        Image.Transform.AFFINE,
        (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1]),
        resample=Image.Resampling.BILINEAR,
    )
    ink = np.asarray(image, dtype=np.float32) / 255.0
    # Elastic distortion (Simard et al. 2003): a smooth random displacement field, interpolated from a
    # coarse grid (much faster than Gaussian-filtering white noise, same look), mild enough to stay readable.
    amplitude = rng.uniform(1.5, 5.0)
    dy, dx = (
        np.asarray(
            Image.fromarray(rng.uniform(-amplitude, amplitude, (5, 5)).astype(np.float32), mode="F").resize(
                ink.shape[::-1], Image.Resampling.BICUBIC
            )
        )
        for _ in range(2)
    )
    yy, xx = np.mgrid[: ink.shape[0], : ink.shape[1]]
    return map_coordinates(ink, [yy + dy, xx + dx], order=1, mode="constant").astype(np.float32)


def generate(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` glyphs, classes balanced (round-robin) and shuffled: uint8 (N, 28, 28) EMNIST orientation, labels."""
    rng = np.random.default_rng(seed)
    paths = find_fonts()
    fonts = [load_font(p) for p in paths]
    with_lowercase = [f for f, p in zip(fonts, paths) if p.stem not in CAPS_ONLY_FONTS]
    labels = np.arange(count) % len(LABELS)
    rng.shuffle(labels)
    images = np.empty((count, 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        chars = class_chars(int(label))
        while True:
            char = chars[rng.integers(len(chars))]
            pool = with_lowercase if char in LOWERCASE_CLASSES else fonts
            ink = render_ink(char, pool[rng.integers(len(pool))], rng)
            try:
                images[i] = np.round(frame_glyph(ink) * 255).astype(np.uint8)
                break
            except BlankImageError:  # a font without this glyph, or strokes thinned away: draw again
                continue
    return upright_to_emnist(images), labels.astype(np.int64)


def test_split(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The test split ``make_splits(..., seed)`` produces, without generating its training data."""
    return generate(count, seed=seed + 1_000_003)


def make_splits(train_count: int, test_count: int, seed: int = 0) -> Splits:
    x_train, y_train = generate(train_count, seed=seed)
    x_test, y_test = test_split(test_count, seed=seed)
    return Splits(x_train, y_train, x_test, y_test, info=data_info(seed))


def data_info(seed: int) -> DataInfo:
    return DataInfo(
        name="synthetic font glyphs",
        source="synthetic",
        revision=f"seed-{seed}",
        handwriting=False,
        official_split=False,
        description="Generated offline from installed fonts with random warps",
        notes={"fonts": [p.name for p in find_fonts()]},
    )
