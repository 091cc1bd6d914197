"""Cutting joined-up words into candidate characters (model/words/segmentation.py), on real UNIPEN words whose letter
boundaries were marked by hand (tests/data/unipen_words_sample.jsonl, see its README), and on pictures."""

import dataclasses
import json

import numpy as np
import pytest

from harness import data
from model.ink.strokes import Strokes
from model.words import segmentation


def annotated() -> list[dict]:
    return [json.loads(line) for line in data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()]


def as_drawn(row: dict) -> Strokes:
    """The word in its tablet's own units (the cuts are measured in body heights: the scale does not matter)."""
    points = [np.asarray(s, dtype=np.float64) for s in row["strokes"]]
    size = float(np.concatenate(points).max()) + 1
    return Strokes(size, size, tuple(points), brush=2.0)


def cut_points(lattice: segmentation.PenLattice, raw: Strokes) -> set[tuple[int, int]]:
    """(stroke, nearest original point) of every cut inside a stroke."""
    found = set()
    for a, b in zip(lattice.pieces, lattice.pieces[1:]):
        if a.stroke == b.stroke and a.end == b.start:
            where = lattice.strokes[a.stroke][a.end]
            found.add((a.stroke, int(np.argmin(np.linalg.norm(raw.strokes[a.stroke] - where, axis=1)))))
    return found


@pytest.mark.parametrize("row", annotated(), ids=lambda row: row["text"])
def test_every_letter_boundary_of_a_joined_up_word_is_a_cut(row):
    raw = as_drawn(row)
    lattice = segmentation.over_segment(raw)
    cuts = cut_points(lattice, raw)
    for stroke, first, last in row["cuts"]:
        assert any(s == stroke and first <= at <= last for s, at in cuts), (row["text"], stroke, first, last)
    letters = len(row["text"])
    assert letters <= len(lattice.pieces) <= segmentation.MAX_PIECES  # over-segmented, within bounds
    longer = [(i, j) for i, j in lattice.edges if j - i > segmentation.CUTS.max_run]
    assert len(longer) <= len(row["strokes"])  # at most one whole stroke each beyond runs of CUTS.max_run


def wiggle(turns: int, width: float) -> np.ndarray:
    """One stroke going up and down ``turns`` times, 100 units tall, across ``width`` units."""
    t = np.linspace(0, turns * np.pi, 40 * turns)
    return np.stack([50 + width * t / t[-1], 150 + 50 * np.cos(t)], axis=1)


def test_a_character_drawn_with_many_turns_is_a_candidate_whole_but_a_word_is_not():
    """A digit written with a shaky pen is cut at every turn into more than CUTS.max_run pieces: the whole of it
    stays a candidate. A joined-up word as wide as several letters is read only as runs of pieces."""
    narrow = segmentation.over_segment(Strokes(400, 400, (wiggle(10, 80.0),), 4.0))
    assert len(narrow.pieces) > segmentation.CUTS.max_run
    assert (0, len(narrow.pieces)) in narrow.edges
    wide = segmentation.over_segment(Strokes(2000, 400, (wiggle(10, 1000.0),), 4.0))
    assert len(wide.pieces) > segmentation.CUTS.max_run
    assert all(j - i <= segmentation.CUTS.max_run for i, j in wide.edges)


def test_other_cuts_are_passed_in_and_the_served_ones_stay():
    """A tuning run compares settings by passing them in (``Cuts``): the served ones are never changed by it."""
    word = Strokes(2000, 400, (wiggle(10, 1000.0),), 4.0)
    short = segmentation.over_segment(word, cuts=segmentation.Cuts(max_run=2))
    assert short.edges and all(j - i <= 2 for i, j in short.edges)
    bottoms = segmentation.over_segment(word, cuts=segmentation.Cuts(cut_at=("bottom",)))
    assert len(bottoms.pieces) < len(segmentation.over_segment(word).pieces)
    with pytest.raises(dataclasses.FrozenInstanceError):
        segmentation.CUTS.max_run = 7


def test_a_dot_or_bar_written_after_the_word_joins_the_letters_under_it():
    hotel = next(row for row in annotated() if row["text"] == "hotel")
    lattice = segmentation.over_segment(as_drawn(hotel))
    bar = len(hotel["strokes"]) - 1  # the t's bar, written last
    assert lattice.delayed == [bar]
    under = [e for e in lattice.edges if any(np.array_equal(p, lattice.strokes[bar]) for p in lattice.candidate(e))]
    left, right = np.ptp(lattice.strokes[bar][:, 0]), lattice.strokes[bar][:, 0].mean()
    assert under and left > 0
    for edge in under:  # every candidate that takes the bar lies under it
        xs = np.concatenate([p[:, 0] for p in lattice.candidate(edge)[:-1]])
        assert xs.min() - segmentation.DELAYED_REACH * lattice.body <= right <= xs.max() + lattice.body


def test_a_long_scribble_is_cut_into_a_bounded_number_of_pieces():
    t = np.linspace(0, 200 * np.pi, 20000)
    zigzag = np.stack([t * 10, 100 + 50 * np.sin(t)], axis=1)
    lattice = segmentation.over_segment(Strokes(20_000, 300, (zigzag,), 4.0))
    assert len(lattice.pieces) == segmentation.MAX_PIECES
    assert len(lattice.edges) <= segmentation.MAX_PIECES * segmentation.CUTS.max_run


def test_touching_letters_in_a_picture_are_cut_at_their_thinnest_columns():
    """Two blocks joined by a thin bridge: the cut falls in the bridge."""
    ink = np.zeros((60, 130), np.uint8)
    ink[10:50, 5:55] = 255
    ink[10:50, 75:125] = 255
    ink[45:49, 55:75] = 255  # a thin join, like a ligature
    strokes = ink > 0
    from scipy import ndimage

    labelled, _ = ndimage.label(strokes)

    class Part:
        box, labels = (5, 10, 125, 50), [1]

    lattice = segmentation.cut_picture(ink, labelled, [Part()], strokes)
    inner = [left for _, left, _ in lattice.pieces[1:]]
    assert any(55 <= c <= 75 for c in inner) and len(lattice.pieces) >= 2
