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
from typing import Literal, Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy.ndimage import gaussian_filter

from .orientation import upright_to_emnist

SIZE = 28
GLYPH_SPAN = 24  # long side of the glyph inside the 28x28 frame (2 px border each side)
NIST_SIDE = 96  # glyph size at which the paper's sigma-1 blur is applied (NIST forms are 128x128)
MAX_PIXELS = 50_000_000  # refuse to decode anything bigger: a decompression bomb or a mistake
WORK_SIDE = 512  # larger pictures are reduced first; a character needs no more
MIN_CONTRAST = 0.12  # ink vs background difference (0..1) below which the picture is "uniform"
INK_LEVEL = 0.35  # normalised ink level that counts as a stroke for cropping and emptiness
MIN_INK_FRACTION = 0.0005  # fewer stroke pixels than this share of the picture: nothing drawn

ImageInput = Union[Image.Image, np.ndarray, str, os.PathLike, bytes, io.IOBase]
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
            image = Image.open(source)
        except FileNotFoundError:
            raise NotAnImageError(f"File not found: {source}") from None
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError(f"The image is too large to read safely ({exc}).") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise NotAnImageError(
                "This file is not an image we can read (try PNG, JPEG, WebP, BMP or GIF)."
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


def ink_levels(image: Image.Image) -> tuple[np.ndarray, float]:
    """uint8 (H, W) ink amount (high on strokes, 0 on the background, whatever the polarity) and the ink level
    of a full stroke. Kept in uint8 (floats only for the crop later): this is the hot path of every request.

    Transparent pixels are composited onto the colour that contrasts with the drawn pixels, so both
    black-on-transparent and white-on-transparent strokes survive.
    """
    if "exif" in image.info:
        image = ImageOps.exif_transpose(image)
    if max(image.size) > WORK_SIDE:
        image = image.copy()
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    alpha = None
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float32)
        span = float(values.max() - values.min())
        gray = ((values - values.min()) * (255 / span)).astype(np.uint8) if span else np.zeros(values.shape, np.uint8)
    elif image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        alpha, gray = np.asarray(rgba.getchannel("A")), np.asarray(rgba.convert("L"))
    else:
        gray = np.asarray(image if image.mode == "L" else image.convert("L"))
    if alpha is not None and alpha.min() < 250:
        opacity = alpha.astype(np.float32) / 255
        covered = float(opacity.sum())
        if covered < 1.0:
            raise BlankImageError("The image is fully transparent: there is no character to read.")
        drawn = float((gray * opacity).sum()) / covered
        backdrop = 255.0 if drawn < 127.5 else 0.0
        gray = (gray * opacity + backdrop * (1.0 - opacity) + 0.5).astype(np.uint8)

    border = np.concatenate([gray[:2].ravel(), gray[-2:].ravel(), gray[:, :2].ravel(), gray[:, -2:].ravel()])
    background = int(np.median(border))
    signed = gray.astype(np.int16) - background
    ink = np.clip(-signed if background > 127 else signed, 0, 255).astype(np.uint8)
    if ink.size > 1000:  # the 99.9th percentile: robust to a few hot pixels, from a 256-bin histogram
        cumulative = np.cumsum(np.bincount(ink.ravel(), minlength=256))
        level = float(np.searchsorted(cumulative, 0.999 * ink.size))
    else:
        level = float(ink.max())
    if level < MIN_CONTRAST * 255:
        raise BlankImageError("The image is blank or uniform: draw or upload a character.")
    return ink, level


def frame_glyph(ink: np.ndarray, centre: Centre = "bbox", level: float = 1.0) -> np.ndarray:
    """Crop ink (upright, light on dark, ``level`` = a full stroke) to its strokes and fit it into the
    EMNIST 28x28 frame, upright, floats in [0, 1]."""
    strokes = ink >= INK_LEVEL * level
    if np.count_nonzero(strokes) < max(4, MIN_INK_FRACTION * ink.size):
        raise BlankImageError("Nothing is drawn here (or only a dot): draw a whole character.")
    rows = np.flatnonzero(strokes.any(axis=1))
    cols = np.flatnonzero(strokes.any(axis=0))
    crop = np.minimum(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / level, 1.0)
    height, width = crop.shape
    side = max(height, width)
    scale = GLYPH_SPAN / side
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))

    # As in the paper: a ~128 px glyph, Gaussian blur sigma 1, then bicubic down to the frame.
    work = Image.fromarray(crop, mode="F")
    work = work.resize((max(1, round(width * NIST_SIDE / side)), max(1, round(height * NIST_SIDE / side))), Image.Resampling.BILINEAR)
    work = Image.fromarray(gaussian_filter(np.asarray(work, dtype=np.float32), sigma=1.0), mode="F")
    glyph = np.asarray(work.resize((new_w, new_h), Image.Resampling.BICUBIC), dtype=np.float32)
    glyph = np.clip(glyph, 0.0, None)

    frame = np.zeros((SIZE, SIZE), dtype=np.float32)
    top, left = (SIZE - new_h) // 2, (SIZE - new_w) // 2
    if centre == "mass":
        total = float(glyph.sum())
        if total > 0:
            cy = float((glyph.sum(axis=1) * np.arange(new_h)).sum()) / total
            cx = float((glyph.sum(axis=0) * np.arange(new_w)).sum()) / total
            top = int(np.clip(round((SIZE - 1) / 2 - cy), 0, SIZE - new_h))
            left = int(np.clip(round((SIZE - 1) / 2 - cx), 0, SIZE - new_w))
    elif centre != "bbox":
        raise ValueError(f"centre must be 'bbox' or 'mass', not {centre!r}")
    frame[top : top + new_h, left : left + new_w] = glyph
    peak = float(frame.max())
    return frame / peak if peak > 0 else frame


def preprocess_upright(image: ImageInput, centre: Centre = "bbox") -> np.ndarray:
    """The 28x28 glyph upright (for showing people what the model sees), floats in [0, 1]."""
    ink, level = ink_levels(open_image(image))
    return frame_glyph(ink, centre=centre, level=level)


def preprocess(image: ImageInput, centre: Centre = "bbox") -> np.ndarray:
    """Any picture of one character -> (28, 28) float32 in [0, 1], in EMNIST storage orientation."""
    return upright_to_emnist(preprocess_upright(image, centre=centre))


def as_batch(glyphs: np.ndarray) -> np.ndarray:
    """(28, 28) or (N, 28, 28) -> (N, 28, 28, 1) float32, the model's input layout."""
    glyphs = np.asarray(glyphs, dtype=np.float32)
    if glyphs.ndim == 2:
        glyphs = glyphs[None]
    return glyphs[..., None] if glyphs.shape[-1] != 1 else glyphs

