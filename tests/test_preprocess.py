"""Preprocessing: any picture of a character -> the EMNIST-style 28x28. Orientation, polarity, alpha,
cropping, centring, sizes, formats and bad input each have a test here."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from harness.data import emnist_sample
from model import BlankImageError, ImageTooLargeError, NotAnImageError, preprocess, preprocess_upright
from model.ink.preprocess import open_image


def letter_l(size=200, thickness=24, margin=30):
    """An upright "L": dark ink on white, as a drawing arrives. Asymmetric, so orientation errors show."""
    image = np.full((size, size), 255, np.uint8)
    image[margin : size - margin, margin : margin + thickness] = 0
    image[size - margin - thickness : size - margin, margin : size - margin - 40] = 0
    return image


def test_output_is_emnist_shaped_and_transposed():
    upright = preprocess_upright(letter_l())
    stored = preprocess(letter_l())
    assert stored.shape == (28, 28) and stored.dtype == np.float32
    assert stored.min() >= 0.0 and stored.max() == pytest.approx(1.0)
    assert np.array_equal(stored, upright.T)
    # Upright: the L's vertical bar is on the left, its foot at the bottom.
    assert upright[:, :8].sum() > upright[:, -8:].sum() and upright[-8:].sum() > upright[:8].sum()
    # Stored (EMNIST): transposed, so the bar runs along the top.
    assert stored[:8].sum() > stored[-8:].sum()


def test_glyph_fills_the_emnist_frame():
    upright = preprocess_upright(letter_l())
    rows = np.flatnonzero(upright.max(axis=1) > 0.3)
    cols = np.flatnonzero(upright.max(axis=0) > 0.3)
    # EMNIST's own glyphs span 22 / 23.5 / 24 px (10th / 50th / 90th percentile, ink above 0.3; python -m bench pen)
    assert 22 <= rows[-1] - rows[0] + 1 <= 25
    assert rows[0] >= 1 and rows[-1] <= 26 and cols[0] >= 1 and cols[-1] <= 26  # 2 px margin, give or take blur


def test_polarity_and_position_do_not_matter():
    reference = preprocess(letter_l())
    assert np.allclose(preprocess(255 - letter_l()), reference, atol=0.02)  # light chalk on a dark board
    shifted = np.full((500, 500), 255, np.uint8)
    shifted[260:460, 230:430] = letter_l()  # off-centre on a bigger canvas
    assert np.allclose(preprocess(shifted), reference, atol=0.02)
    wide = np.full((500, 1400), 255, np.uint8)
    wide[260:460, 1130:1330] = letter_l()  # reduced to the working size first: nearly identical
    assert np.corrcoef(preprocess(wide).ravel(), reference.ravel())[0, 1] > 0.99


def test_scale_changes_little():
    big = np.asarray(Image.fromarray(letter_l()).resize((800, 800), Image.Resampling.NEAREST))
    small = np.asarray(Image.fromarray(letter_l()).resize((60, 60), Image.Resampling.BILINEAR))
    reference = preprocess(letter_l())
    assert np.corrcoef(preprocess(big).ravel(), reference.ravel())[0, 1] > 0.98
    assert np.corrcoef(preprocess(small).ravel(), reference.ravel())[0, 1] > 0.9


def _rgba(ink_alpha, rgb=(0, 0, 0)):
    rgba = np.zeros(ink_alpha.shape + (4,), np.uint8)
    rgba[..., :3] = rgb
    rgba[..., 3] = ink_alpha
    return rgba


def test_transparency_is_composited_whatever_the_stroke_colour():
    alpha = 255 - letter_l()
    reference = preprocess(letter_l())
    assert np.allclose(preprocess(_rgba(alpha, (0, 0, 0))), reference, atol=0.02)  # black on transparent
    assert np.allclose(preprocess(_rgba(alpha, (255, 255, 255))), reference, atol=0.02)  # white on transparent
    # A Sketchpad composite: opaque white canvas, dark strokes.
    canvas = np.stack([letter_l()] * 3 + [np.full_like(letter_l(), 255)], axis=-1)
    assert np.allclose(preprocess(canvas), reference, atol=0.02)


@pytest.mark.parametrize(
    "fmt, mode",
    [
        ("PNG", "L"),
        ("PNG", "RGB"),
        ("PNG", "P"),
        ("PNG", "LA"),
        ("JPEG", "L"),
        ("JPEG", "RGB"),
        ("WEBP", "RGB"),
        ("BMP", "RGB"),
        ("GIF", "P"),
        ("PNG", "I;16"),
        ("PNG", "1"),
    ],
)
def test_common_formats_and_modes(fmt, mode):
    image = Image.fromarray(letter_l())
    image = image.convert(mode) if mode != "I;16" else Image.fromarray(letter_l().astype(np.uint16) * 257)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    result = preprocess(buffer.getvalue())
    assert np.corrcoef(result.ravel(), preprocess(letter_l()).ravel())[0, 1] > 0.97


def test_gif_uses_first_frame():
    first, second = Image.fromarray(letter_l()), Image.fromarray(np.full((200, 200), 255, np.uint8))
    buffer = io.BytesIO()
    first.save(buffer, format="GIF", save_all=True, append_images=[second])
    assert np.allclose(preprocess(buffer.getvalue()), preprocess(letter_l()), atol=0.02)


def test_photo_like_input_with_noise_and_grey_paper():
    rng = np.random.default_rng(0)
    paper = 200 + rng.normal(0, 6, (200, 200))  # grey, textured paper
    photo = np.clip(paper - (255 - letter_l()) * 0.55, 0, 255).astype(np.uint8)  # faint pencil
    assert np.corrcoef(preprocess(photo).ravel(), preprocess(letter_l()).ravel())[0, 1] > 0.95


@pytest.mark.parametrize(
    "picture",
    [
        np.full((300, 300), 255, np.uint8),  # blank white canvas
        np.zeros((300, 300), np.uint8),  # black
        np.full((300, 300, 3), 128, np.uint8),  # uniform grey
        np.zeros((400, 400, 4), np.uint8),  # fully transparent sketchpad
        np.random.default_rng(0).normal(128, 3, (300, 300)).clip(0, 255).astype(np.uint8),  # sensor noise only
    ],
)
def test_nothing_to_read_is_a_clean_error(picture):
    with pytest.raises(BlankImageError):
        preprocess(picture)


def test_a_single_dot_is_not_a_character():
    canvas = np.full((400, 400), 255, np.uint8)
    canvas[200:203, 200:203] = 0
    with pytest.raises(BlankImageError):
        preprocess(canvas)


def test_not_an_image(tmp_path):
    with pytest.raises(NotAnImageError, match="not a picture we can read"):
        preprocess(b"%PDF-1.4 this is not a picture")
    with pytest.raises(NotAnImageError, match="SVG"):
        preprocess(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(NotAnImageError):
        preprocess(bad)
    with pytest.raises(NotAnImageError, match="not found"):
        preprocess(tmp_path / "missing.png")


def test_truncated_png_is_a_clean_error():
    buffer = io.BytesIO()
    Image.fromarray(letter_l()).save(buffer, format="PNG")
    with pytest.raises(NotAnImageError):
        preprocess(buffer.getvalue()[:200])


def _png_header(width, height):
    """A PNG that claims to be width x height: enough for the size check, never decoded."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IEND", b"")
    )


def test_enormous_image_is_refused_before_decoding():
    with pytest.raises(ImageTooLargeError, match="too large"):
        preprocess(_png_header(100_000, 100_000))  # Pillow's own bomb guard
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        preprocess(_png_header(10_000, 6_000))  # under Pillow's guard, over ours


def test_large_image_is_reduced_not_refused():
    big = Image.fromarray(letter_l()).resize((4000, 3000))
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG", quality=85)
    image = open_image(buffer.getvalue())
    assert max(image.size) <= 1024  # JPEG draft mode decoded it at reduced size
    assert preprocess(buffer.getvalue()).shape == (28, 28)


def test_odd_arrays():
    assert preprocess(letter_l().astype(np.float32) / 255).shape == (28, 28)  # floats in [0, 1]
    assert preprocess(letter_l()[..., None]).shape == (28, 28)  # HxWx1
    with pytest.raises(NotAnImageError):
        preprocess(np.zeros((4, 4, 2)))
    with pytest.raises(NotAnImageError):
        preprocess(np.full((10, 10), np.nan))


def test_centre_of_mass_option_keeps_the_glyph_in_frame():
    mass = preprocess_upright(letter_l(), centre="mass")
    assert mass.shape == (28, 28) and mass.max() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        preprocess_upright(letter_l(), centre="middle")


def test_real_glyph_round_trip():
    """Real EMNIST glyphs, shown upright and dark on white at 10x, come back close to themselves."""
    from harness.drawings import as_picture

    images = emnist_sample()[0][::10]
    correlations = [np.corrcoef(preprocess(as_picture(g)).ravel(), g.ravel())[0, 1] for g in images]
    # median measured 0.915: a few glyphs differ more (EMNIST's own crop kept blur tails, or a stroke width far
    # from the median is re-drawn), which the accuracy tests in test_real_handwriting.py bound instead
    assert np.median(correlations) > 0.9
