"""Reading more than one character: segmentation of composed drawings, reading order, context for look-alikes."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from harness.drawings import lay_out
from harness.drawings import raster as draw
from model.ink.preprocess import BlankImageError, find_ink, open_image
from model.words import layout

ROOT = Path(__file__).resolve().parents[1]


def compose(lines: list[str], gap: float = 35, line_gap: float = 60) -> np.ndarray:
    """Characters laid out in lines (harness.drawings.lay_out), drawn as one raster sketchpad canvas."""
    strokes, _, y = lay_out(lines, gap, line_gap)
    width = max(px for s in strokes for px, _ in s)
    return draw(strokes, brush=12, fraction=min(0.9, 0.9 * width / max(width, y)), canvas=900, position=(0.5, 0.5))


def parts(picture) -> list[list]:
    return [[part for part, _ in line] for line in layout.segment(find_ink(open_image(picture)))]


@pytest.mark.parametrize("text", ["i", "j", "t", "x", "7", "T"])
def test_the_parts_of_one_character_stay_together(text):
    assert [len(line) for line in parts(compose([text]))] == [1]


def test_characters_in_reading_order():
    lines = parts(compose(["it7", "jxT"]))
    assert [len(line) for line in lines] == [3, 3]
    for line in lines:
        lefts = [p.box[0] for p in line]
        assert lefts == sorted(lefts)
    assert max(p.box[3] for p in lines[0]) < min(p.box[1] for p in lines[1])  # first line above the second


def test_a_dot_between_digits_is_punctuation(default_classifier):
    reading_ = default_classifier.read(compose(["1.1"]))
    assert [c.label for c in reading_.characters][1] == "." and reading_.characters[1].probabilities is None
    assert len(reading_.characters) == 3


def test_word_gaps_become_spaces(default_classifier):
    text = default_classifier.read(compose(["LT LT"])).text
    assert text.count(" ") == 1 and len(text.replace(" ", "")) == 4


def test_empty_canvas_and_one_character(default_classifier):
    with pytest.raises(BlankImageError):
        default_classifier.read(np.zeros((300, 600, 4), np.uint8))
    single = default_classifier.read(ROOT / "examples" / "uppercase" / "A_pen.png")
    assert single.text == "A" and len(single.characters) == 1


def test_gallery_characters_written_apart_are_read(default_classifier):
    """Gallery pictures side by side, a stroke's width or more apart: read in order, one box each."""
    names = [
        "uppercase/H_pen.png",
        "lowercase/e_pen.png",
        "uppercase/L_pen.png",
        "uppercase/L_pen.png",
        "uppercase/O_pen.png",
    ]
    inks = [ImageOps.invert(Image.open(ROOT / "examples" / n).convert("L")) for n in names]
    inks = [ink.crop(ink.getbbox()) for ink in inks]
    page = Image.new("L", (sum(i.width + 25 for i in inks) + 40, max(i.height for i in inks) + 60), 0)
    x = 30
    for ink in inks:
        page.paste(ink, (x, 30))
        x += ink.width + 25
    result = default_classifier.read(255 - np.asarray(page))
    assert len(result.characters) == 5
    assert result.text.upper().replace("0", "O") == "HELLO"  # context turns a 0 among letters into an O


@pytest.mark.parametrize("reader", ["word model", "cut and search"])
def test_too_much_writing_is_refused_quickly(default_classifier, reader):
    """Forty lines of dense zigzag: thousands of the word model's frames, or of candidate characters to cut and
    read; a clear refusal within seconds either way."""
    import dataclasses
    import time

    from model.words.reading import TooMuchWriting

    classifier = default_classifier if reader == "word model" else dataclasses.replace(default_classifier, words=None)
    assert (classifier.words is not None) == (reader == "word model")
    t = np.linspace(0, 60 * np.pi, 240)
    strokes = [
        (np.stack([40 + t * 5.3, 30 + row * 60 + 15 * np.sin(t)], axis=1) + [col * 1200, 0]).round(1).tolist()
        for row in range(40)
        for col in range(2)
    ]
    value = {"width": 2600, "height": 2500, "brush": 4, "strokes": strokes}
    start = time.perf_counter()
    with pytest.raises(TooMuchWriting, match="too much writing"):
        classifier.read_strokes(value)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("reader", ["picture model", "cut and search"])
def test_too_much_writing_in_a_picture_is_refused_quickly(default_classifier, reader):
    """A page of 300 short zigzag words, as a picture: more pieces of ink than a request may group into characters
    and lines; refused within seconds, before any word is read, whichever reader would read it."""
    import dataclasses
    import time

    from harness.drawings import page_of_words
    from model.words.reading import TooMuchWriting

    classifier = default_classifier
    if reader != "picture model":
        classifier = dataclasses.replace(default_classifier, word_pictures=None)
    assert (classifier.word_pictures is not None) == (reader == "picture model")
    picture = page_of_words()
    start = time.perf_counter()
    with pytest.raises(TooMuchWriting, match="too much writing"):
        classifier.read(picture)
    assert time.perf_counter() - start < 5
