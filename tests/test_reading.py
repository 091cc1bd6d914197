"""Reading more than one character: segmentation of composed drawings, reading order, context for look-alikes."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from harness.drawings import lay_out
from harness.drawings import raster as draw
from model import reading
from model.labels import LABELS
from model.preprocess import BlankImageError, find_ink, open_image

ROOT = Path(__file__).resolve().parents[1]


def compose(lines: list[str], gap: float = 35, line_gap: float = 60) -> np.ndarray:
    """Characters laid out in lines (harness.drawings.lay_out), drawn as one raster sketchpad canvas."""
    strokes, _, y = lay_out(lines, gap, line_gap)
    width = max(px for s in strokes for px, _ in s)
    return draw(strokes, brush=12, fraction=min(0.9, 0.9 * width / max(width, y)), canvas=900, position=(0.5, 0.5))


def parts(picture) -> list[list]:
    return [[part for part, _ in line] for line in reading.segment(find_ink(open_image(picture)))]


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


def _character(label: str, probabilities: dict[str, float]) -> reading.Character:
    p = np.full(len(LABELS), 1e-4)
    for name, value in probabilities.items():
        p[LABELS.index(name)] = value
    return reading.Character((0, 0, 1, 1), None, p / p.sum(), label=label, raw_label=label)


def test_context_settles_look_alikes():
    word = [_character("H", {"H": 0.9}), _character("0", {"0": 0.55, "O": 0.4}), _character("T", {"T": 0.9})]
    reading.apply_context(word)
    assert [c.label for c in word] == ["H", "O", "T"] and word[1].raw_label == "0"
    number = [_character("4", {"4": 0.9}), _character("S", {"S": 0.6, "5": 0.35}), _character("2", {"2": 0.9})]
    reading.apply_context(number)
    assert [c.label for c in number] == ["4", "5", "2"]
    # context breaks near-ties only: a confident reading stays, and a word without a majority is left alone
    sure = [_character("H", {"H": 0.9}), _character("0", {"0": 0.999, "O": 0.00001}), _character("T", {"T": 0.9})]
    reading.apply_context(sure)
    assert sure[1].label == "0"
    mixed = [_character("A", {"A": 0.9}), _character("0", {"0": 0.6, "O": 0.3}), _character("7", {"7": 0.9})]
    reading.apply_context(mixed)
    assert mixed[1].label == "0"


def test_merged_lowercase_follows_its_neighbours():
    word = [
        _character("t", {"t": 0.9}),
        _character("h", {"h": 0.9}),
        _character("I", {"I": 0.9}),
        _character("S", {"S": 0.9}),
    ]
    assert reading.spelled(word) == "this"
    assert (
        reading.spelled([_character("C", {"C": 0.9}), _character("A", {"A": 0.9}), _character("T", {"T": 0.9})])
        == "CAT"
    )
