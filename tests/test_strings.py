"""Strings written apart, composed from real pen characters for the word model's training (train.strings)."""

from __future__ import annotations

import numpy as np

from harness import data
from train import pen, strings


def test_strings_are_real_characters_of_one_writer_laid_left_to_right_with_gaps():
    characters = pen.read(data.UNIPEN_SAMPLE)
    writers = strings.by_writer(characters)
    assert writers and all(label.isdigit() or label.isupper() for w in writers.values() for label in w)
    composed = strings.compose(writers, 200, np.random.default_rng(3))
    assert len(composed) > 100 and {w.category for w in composed} == {strings.CATEGORY}
    lengths = [len(w.text) for w in composed]
    assert min(lengths) >= 2 and max(lengths) <= 8
    assert any(w.text.isdigit() for w in composed) and any(w.text.isalpha() for w in composed)
    one = next(w for w in composed if all(w.text.count(c) == 1 for c in w.text))
    ink = [np.asarray(s) for s in one.strokes]
    heights = np.ptp(np.concatenate(ink)[:, 1])
    assert 0.8 < heights < 1.6  # each character about one unit high, on a jittered baseline
    starts = [s[:, 0].min() for s in ink]
    assert starts[-1] > starts[0]  # written left to right
    again = strings.compose(writers, 200, np.random.default_rng(3))
    assert [w.text for w in again] == [w.text for w in composed]  # seeded


def test_no_characters_no_strings():
    assert strings.compose({}, 10, np.random.default_rng(0)) == []
