"""Any picture of one character -> the 28x28 EMNIST-style tensor the model was trained on.

This follows how the EMNIST paper (Cohen et al. 2017, section II-A) built its images from the
NIST forms, so a browser sketch or a photo looks to the network like a training glyph:

1. light strokes on a black background (we detect and fix polarity, and composite transparency);
2. a Gaussian blur of sigma 1 on the ~128 px original (we scale the sigma to the glyph size);
3. crop to the ink's bounding box, centre it in a square frame keeping the aspect ratio,
   with a 2 px border, i.e. the long side spans 24 of the 28 pixels;
4. bicubic downsampling to 28x28 and intensities stretched to the full range;
5. stored transposed (see ``orientation``).

The paper centres the bounding box, not the centre of mass, so that is the default here too;
``centre="mass"`` is available for comparison (``python -m bench robustness`` measures both).
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError
from scipy.ndimage import gaussian_filter, maximum_filter, minimum_filter, uniform_filter

from model.ink.orientation import upright_to_emnist
from model.ink.stroke_width import set_stroke_width, stroke_width

#: Bumped whenever the glyphs this module (or model.ink.strokes) produces change; recorded in metrics.json by training,
#: checked at load. 4: pen strokes get round joins only where they turn (twice as fast to draw; the same look).
PREPROCESSING_VERSION = "4"

SIZE = 28
#: Long side of the glyph's strokes in the 28x28 frame, before the blur. EMNIST crops *after* blurring, so its
#: blurred ink spans 24 px; here the blur and the re-drawn strokes spill ~1 px each side of the span.
#: python -m bench pen measured 22: drawings' ink then spans 24 px like EMNIST's (26 with a span of 24), and pen
#: digits read 1.3-2.1 points better at every brush, real EMNIST pictures 0.6 better (6,267 test glyphs).
GLYPH_SPAN = 22
NIST_SIDE = 96  # glyph size at which the paper's sigma-1 blur is applied (NIST forms are 128x128) ...
NIST_SIGMA = 1.0  # ... here applied, scaled, at twice the final size: the same look, a quarter of the pixels
MARGIN = 2  # px of working margin around the glyph, for the blur and wider strokes to spill into
#: EMNIST's median stroke width at 28x28 before its blur; drawings are re-drawn this wide (``python -m bench pen``).
STROKE_WIDTH = 3.0
MAX_PIXELS = 50_000_000  # refuse to decode anything bigger: a decompression bomb or a mistake
MAX_FILE_BYTES = 10 * 1024 * 1024  # what a picture file may weigh however it comes (the Space: upload, data: URI, URL)
WORK_SIDE = 512  # larger pictures are reduced first; a character needs no more
MIN_CONTRAST = 0.12  # ink vs background difference (0..1) below which the picture is "uniform"
INK_LEVEL = 0.35  # normalised ink level that counts as a stroke for cropping and emptiness
MIN_INK_FRACTION = 0.0005  # fewer stroke pixels than this share of the picture: nothing drawn
BACKGROUND_SIDE = 64  # the background (paper, light, shadows) is modelled at this size ...
BACKGROUND_FILTER = 9  # ... with a grey closing this wide (strokes up to ~1/8 of the picture stay ink) ...
SHADOW_DEPTH = 100  # ... allowed to darken (or lighten) at most this far from the border's level
COARSE_INK = 0.2  # share of the strongest low-resolution ink that marks where the character is

_FORMATS = [
    ("PNG", ".png"),
    ("JPEG", ".jpg"),
    ("WebP", ".webp"),
    ("GIF", ".gif"),
    ("BMP", ".bmp"),
    ("TIFF", ".tiff"),
    ("AVIF", ".avif"),
]
#: Picture formats this Pillow build reads, for the page and for error messages.
ACCEPTED_FORMATS = [name for name, ext in _FORMATS if ext in Image.registered_extensions()]

_PAINTED = [255 if a >= 8 else 0 for a in range(256)]  # alpha that counts as paint
_INVERT = [255 - v for v in range(256)]

ImageInput = Image.Image | np.ndarray | str | os.PathLike | bytes | io.IOBase
Centre = Literal["bbox", "mass"]


class PreprocessError(ValueError):
    """A picture we cannot turn into a character; the message is meant for the person who sent it."""


class NotAnImageError(PreprocessError):
    pass


class ImageTooLargeError(PreprocessError):
    pass


class BlankImageError(PreprocessError):
    pass


def open_image(source: ImageInput) -> Image.Image:
    """Open a path, bytes, file object, array or PIL image; first frame only, size capped before decoding."""
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, np.ndarray):
        image = _from_array(source)
    else:
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(source)
        try:
            with warnings.catch_warnings():  # Pillow warns, then refuses, above its own limits: refuse at once
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(source)
        except FileNotFoundError:
            raise NotAnImageError("The picture file was not found.") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeError(
                f"The image is too large to read safely; the limit is {MAX_PIXELS // 1_000_000} megapixels."
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            if _looks_like_svg(source):
                raise NotAnImageError("SVG drawings are not read here: export the drawing as PNG first.") from exc
            raise NotAnImageError(
                f"This file is not a picture we can read (try {', '.join(ACCEPTED_FORMATS)})."
            ) from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageTooLargeError(
            f"The image is {width}x{height} pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels."
        )
    if width < 1 or height < 1:
        raise NotAnImageError("The image has no pixels.")
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    try:
        if image.format == "JPEG":  # let libjpeg decode at reduced size: fast and light on memory
            image.draft("L", (WORK_SIDE, WORK_SIDE))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImageError("The image file is damaged or truncated and cannot be read.") from exc
    return image


def _from_array(array: np.ndarray) -> Image.Image:
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise NotAnImageError(f"Expected an HxW, HxWx3 or HxWx4 image array, got shape {array.shape}.")
    if array.size == 0:
        raise NotAnImageError("The image has no pixels.")
    if array.dtype != np.uint8:
        array = np.asarray(array, dtype=np.float64)
        if not np.all(np.isfinite(array)):
            raise NotAnImageError("The image array contains NaN or infinite values.")
        scale = 255.0 if array.max() <= 1.0 else 1.0
        array = np.clip(array * scale, 0, 255).astype(np.uint8)
    mode = {2: "L", 3: "RGB", 4: "RGBA"}[array.ndim if array.ndim == 2 else array.shape[-1]]
    return Image.fromarray(array, mode=mode)


def _looks_like_svg(source) -> bool:
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as handle:
                head = handle.read(512)
        else:
            source.seek(0)
            head = source.read(512)
    except (OSError, AttributeError, ValueError):
        return False
    return b"<svg" in head.lower()


@dataclass
class Ink:
    """The ink of a picture, cropped to where it is: "L" image (high on strokes whatever the polarity),
    the level of a full stroke, and the picture's area (to tell a drawing from a stray speck). ``origin`` and
    ``scale`` map ink pixels back to the picture's: picture = origin + scale * ink."""

    image: Image.Image
    level: float
    picture_area: int
    origin: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0


def _normalise_mode(image: Image.Image) -> Image.Image:
    """L, LA, RGB or RGBA: the modes the rest works in (16-bit and float pictures stretched to 8 bits)."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float32)
        span = float(values.max() - values.min())
        scaled = ((values - values.min()) * (255 / span)).astype(np.uint8) if span else np.zeros(values.shape, np.uint8)
        return Image.fromarray(scaled)
    if image.mode in ("RGBA", "LA"):
        return image if image.getchannel("A").getextrema()[0] < 250 else image.convert(image.mode[:-1])
    if image.mode == "PA" or (image.mode == "P" and "transparency" in image.info):
        return _normalise_mode(image.convert("RGBA"))
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def find_ink(image: Image.Image) -> Ink:
    """Where the character is and how dark its strokes are, whatever the polarity, transparency or lighting.
    Full-size pixels are only touched inside the character's box: this is the hot path of every request."""
    if "exif" in image.info:
        image = ImageOps.exif_transpose(image)
    scale = 1.0
    if max(image.size) > WORK_SIDE:
        original = max(image.size)
        image = image.copy()
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
        scale = original / max(image.size)
    image = _normalise_mode(image)
    area = image.size[0] * image.size[1]
    ink, box = _ink_on_transparent(image) if image.mode in ("LA", "RGBA") else _ink_on_paper(image.convert("L"))
    histogram = np.cumsum(ink.histogram())
    level = (
        float(np.searchsorted(histogram, 0.999 * histogram[-1])) if histogram[-1] > 1000 else float(ink.getextrema()[1])
    )
    if level < MIN_CONTRAST * 255:
        raise BlankImageError("The image is blank or uniform: draw or upload a character.")
    return Ink(ink, level, area, origin=(box[0] * scale, box[1] * scale), scale=scale)


def _ink_on_transparent(image: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A drawing layer (the Sketchpad's): ink is wherever paint is, composited onto the colour that contrasts
    with it, so black-on-transparent and white-on-transparent strokes both survive."""
    alpha = image.getchannel("A")
    box = alpha.point(_PAINTED).getbbox()
    if box is None:
        raise BlankImageError("The image is fully transparent: there is no character to read.")
    crop, mask = image.crop(box), alpha.crop(box)
    shade = crop.convert("L")
    opacity = np.asarray(mask, dtype=np.float32)
    drawn = float((np.asarray(shade, dtype=np.float32) * opacity).sum()) / max(float(opacity.sum()), 1e-6)
    backdrop = 255 if drawn < 127.5 else 0
    if backdrop:  # dark paint: ink is how far the composite falls below white
        canvas = Image.new("L", crop.size, 255)
        canvas.paste(shade, mask=mask)
        return canvas.point(_INVERT), box
    canvas = Image.new("L", crop.size, 0)
    canvas.paste(shade, mask=mask)
    return canvas, box


def _ink_on_paper(gray: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A photo or scan: the background (paper, board, light, shadows) is modelled at low resolution by a grey
    closing, so uneven light is not taken for ink; polarity comes from the border."""
    width, height = gray.size
    factor = max(1, int(np.ceil(max(width, height) / BACKGROUND_SIDE)))
    small = np.asarray(gray.reduce(factor) if factor > 1 else gray, dtype=np.float32)
    border = np.concatenate([small[:2].ravel(), small[-2:].ravel(), small[:, :2].ravel(), small[:, -2:].ravel()])
    paper = float(np.median(border))
    dark_ink = paper > 127
    # Strokes are thinner than the filter, so the closing removes them; the estimate never strays further than
    # SHADOW_DEPTH from the border's level, so a thick blob of ink is not taken for a shadow.
    if dark_ink:
        background = np.maximum(
            uniform_filter(maximum_filter(small, BACKGROUND_FILTER), BACKGROUND_FILTER), paper - SHADOW_DEPTH
        )
        small_ink = background - small
    else:
        background = np.minimum(
            uniform_filter(minimum_filter(small, BACKGROUND_FILTER), BACKGROUND_FILTER), paper + SHADOW_DEPTH
        )
        small_ink = small - background
    peak = float(small_ink.max())
    if peak < MIN_CONTRAST * 255 / 2:
        raise BlankImageError("The image is blank or uniform: draw or upload a character.")
    inked = small_ink >= COARSE_INK * peak
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    top, bottom = max(0, rows[0] - 1), min(small.shape[0], rows[-1] + 2)
    left, right = max(0, cols[0] - 1), min(small.shape[1], cols[-1] + 2)
    box = (
        left * factor,
        top * factor,
        width if right == small.shape[1] else right * factor,
        height if bottom == small.shape[0] else bottom * factor,
    )
    crop = gray.crop(box)
    region = background[top:bottom, left:right]
    if float(region.max() - region.min()) < 4:  # even light: one background level, a lookup table
        at = int(round(float(region.mean())))
        return crop.point(
            [max(0, at - v) for v in range(256)] if dark_ink else [max(0, v - at) for v in range(256)]
        ), box
    lit = Image.fromarray(np.clip(region, 0, 255).astype(np.uint8)).resize(
        crop.size, Image.Resampling.BILINEAR, box=(0, 0, crop.size[0] / factor, crop.size[1] / factor)
    )
    return (ImageChops.subtract(lit, crop) if dark_ink else ImageChops.subtract(crop, lit)), box


@dataclass(frozen=True)
class Framed:
    glyph: np.ndarray  # (28, 28) upright, floats in [0, 1]
    drawn_stroke_width: float  # px at the 28x28 scale, as drawn (before being set to STROKE_WIDTH)


def frame_glyph(
    ink: np.ndarray | Image.Image,
    centre: Centre = "bbox",
    level: float = 1.0,
    stroke: float | None = STROKE_WIDTH,
    picture_area: int | None = None,
) -> np.ndarray:
    """Crop ink (upright, light on dark, ``level`` = a full stroke) to its strokes and fit it into the
    EMNIST 28x28 frame, upright, floats in [0, 1]. ``stroke``: re-draw the strokes this wide (px at 28x28,
    before the blur) whatever drew them; None keeps them as they are."""
    return frame(ink, centre, level, stroke, picture_area).glyph


def frame(
    ink: np.ndarray | Image.Image,
    centre: Centre = "bbox",
    level: float = 1.0,
    stroke: float | None = STROKE_WIDTH,
    picture_area: int | None = None,
) -> Framed:
    """``frame_glyph``, also saying how wide the strokes were drawn (a blob's "stroke" is as wide as the blob)."""
    if not isinstance(ink, Image.Image):  # float ink in [0, 1] or uint8, as generators and tests make it
        array = np.asarray(ink)
        if array.dtype != np.uint8:
            array = np.clip(np.round(array * (255.0 / level)), 0, 255).astype(np.uint8)
            level = 255.0
        ink = Image.fromarray(array, mode="L")
    strokes = np.asarray(ink) >= INK_LEVEL * level
    if np.count_nonzero(strokes) < max(4, MIN_INK_FRACTION * (picture_area or strokes.size)):
        raise BlankImageError("Nothing is drawn here (or only a dot): draw a whole character.")
    rows, cols = np.flatnonzero(strokes.any(axis=1)), np.flatnonzero(strokes.any(axis=0))
    crop = ink.crop((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))
    width, height = crop.size
    side = max(height, width)
    new_h, new_w = max(1, round(height * GLYPH_SPAN / side)), max(1, round(width * GLYPH_SPAN / side))

    # As in the paper: blur the glyph (sigma 1 at NIST's ~96 px; here at twice the final size, sigma scaled),
    # then bicubic down. A margin of MARGIN px (final) around the glyph lets strokes widen and blur spill over
    # into the frame's border, exactly where EMNIST's blurred glyphs spill.
    work = crop.resize((2 * new_w, 2 * new_h), Image.Resampling.BILINEAR, reducing_gap=2.0)
    work = np.pad(np.minimum(np.asarray(work, dtype=np.float32) * (1.0 / level), 1.0), WORK_PAD)
    drawn = stroke_width(work)
    if stroke is not None:
        work = set_stroke_width(work, 2 * stroke, width=drawn)
    return Framed(finish(work, new_w, new_h, centre), drawn / 2)


#: Working margin of ``finish``'s input, in its (twice the final) pixels.
WORK_PAD = 2 * MARGIN


def finish(work: np.ndarray, new_w: int, new_h: int, centre: Centre = "bbox") -> np.ndarray:
    """The EMNIST look from strokes drawn at twice the final size: ``work`` is (2 new_h + 2 WORK_PAD,
    2 new_w + 2 WORK_PAD) floats in [0, 1], strokes already at their final width. Blurred as the paper does,
    bicubic down, placed in the 28x28 frame (upright), peak stretched to 1. Shared by pictures and pen strokes."""
    work = gaussian_filter(work, sigma=NIST_SIGMA * 2 * GLYPH_SPAN / NIST_SIDE, truncate=3.0)
    glyph = np.asarray(
        Image.fromarray(work, mode="F").resize((new_w + 2 * MARGIN, new_h + 2 * MARGIN), Image.Resampling.BICUBIC),
        dtype=np.float32,
    )
    glyph = np.clip(glyph, 0.0, None)

    canvas = np.zeros((SIZE + 2 * MARGIN, SIZE + 2 * MARGIN), dtype=np.float32)  # cropped to 28x28 below
    top, left = (SIZE - new_h) // 2, (SIZE - new_w) // 2
    if centre == "mass":
        total = float(glyph.sum())
        if total > 0:
            cy = float((glyph.sum(axis=1) * np.arange(glyph.shape[0])).sum()) / total - MARGIN
            cx = float((glyph.sum(axis=0) * np.arange(glyph.shape[1])).sum()) / total - MARGIN
            top = int(np.clip(round((SIZE - 1) / 2 - cy), 0, SIZE - new_h))
            left = int(np.clip(round((SIZE - 1) / 2 - cx), 0, SIZE - new_w))
    elif centre != "bbox":
        raise ValueError(f"centre must be 'bbox' or 'mass', not {centre!r}")
    canvas[top : top + glyph.shape[0], left : left + glyph.shape[1]] = glyph
    canvas = canvas[MARGIN : MARGIN + SIZE, MARGIN : MARGIN + SIZE]
    peak = float(canvas.max())
    return canvas / peak if peak > 0 else canvas


def preprocess_upright(image: ImageInput, centre: Centre = "bbox") -> np.ndarray:
    """The 28x28 glyph upright (for showing people what the model sees), floats in [0, 1]."""
    ink = find_ink(open_image(image))
    return frame_glyph(ink.image, centre=centre, level=ink.level, picture_area=ink.picture_area)


def preprocess(image: ImageInput, centre: Centre = "bbox") -> np.ndarray:
    """Any picture of one character -> (28, 28) float32 in [0, 1], in EMNIST storage orientation."""
    return upright_to_emnist(preprocess_upright(image, centre=centre))


def as_batch(glyphs: np.ndarray) -> np.ndarray:
    """(28, 28) or (N, 28, 28[, 1]) -> (N, 28, 28, 1) float32 in [0, 1], the model's input layout.
    uint8 glyphs (as EMNIST files store them) are scaled by 1/255 here, the one place that happens."""
    glyphs = np.asarray(glyphs)
    glyphs = glyphs.astype(np.float32) / 255.0 if glyphs.dtype == np.uint8 else glyphs.astype(np.float32, copy=False)
    if glyphs.ndim == 2:
        glyphs = glyphs[None]
    return glyphs[..., None] if glyphs.shape[-1] != 1 else glyphs
