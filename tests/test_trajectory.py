"""The word model's view of a drawing (``model.ink.trajectory``): points at an even spacing along each stroke, in
units of the ink's height, with the pen's lifts marked; too much writing is refused before any work is done."""

from __future__ import annotations

import time

import numpy as np
import pytest

from model.ink.trajectory import FEATURES, MAX_POINTS, STEP, TrajectoryError, resampled


def test_each_stroke_is_resampled_evenly_from_its_first_to_its_last_point():
    down = np.array([[0.0, 0.0], [0.0, 37.0], [0.0, 100.0]])  # a stroke 100 units tall, unevenly sampled
    across = np.array([[50.0, 50.0], [80.0, 50.0], [90.0, 50.0]])
    rows, points, owners = resampled([down, across])
    assert rows.shape == (len(points), FEATURES) and rows.dtype == np.float32
    for stroke, original in enumerate([down, across]):
        mine = points[owners == stroke]
        np.testing.assert_allclose(mine[[0, -1]], original[[0, -1]], atol=1e-9)
        gaps = np.linalg.norm(np.diff(mine, axis=0), axis=1)
        assert gaps.max() <= STEP * 100 + 1e-9 and np.ptp(gaps) < 1e-9  # even, at most a step of the height apart
    assert np.count_nonzero(owners == 0) == int(np.ceil(1 / STEP)) + 1


def test_moves_lifts_and_heights_are_in_units_of_the_ink_height():
    first, dot = np.array([[0.0, 0.0], [0.0, 200.0]]), np.array([[30.0, 10.0]])
    rows, points, owners = resampled([first, dot])
    assert np.count_nonzero(owners == 1) == 1  # a dot stays a point
    dx, dy, lifted, height = rows.T
    assert lifted.tolist() == [0.0] * (len(rows) - 1) + [1.0]  # the pen was lifted before the dot only
    np.testing.assert_allclose(rows[-1, :2], [30 / 200, (10 - 200) / 200], atol=1e-6)  # the jump to the dot
    np.testing.assert_allclose([dx.sum(), dy.sum()], (points[-1] - points[0]) / 200, atol=1e-6)
    np.testing.assert_allclose(height[[0, -2]], [1.0, 0.0], atol=1e-6)  # from the top of the ink to its bottom


def test_the_same_word_bigger_or_moved_reads_alike():
    rng = np.random.default_rng(0)
    word = [np.cumsum(rng.normal(0, 5, (40, 2)), axis=0) for _ in range(3)]
    rows = resampled(word)[0]
    np.testing.assert_allclose(resampled([3 * s + [500, -80] for s in word])[0], rows, atol=1e-5)


def test_empty_or_too_much_writing_is_refused_quickly():
    with pytest.raises(TrajectoryError, match="Nothing is drawn"):
        resampled([np.zeros((0, 2))])
    scribble = np.column_stack([np.linspace(0, 1000, 20_000), np.tile([0.0, 1000.0], 10_000)])  # up and down
    started = time.perf_counter()
    with pytest.raises(TrajectoryError, match=f"over {MAX_POINTS:,} points"):
        resampled([scribble])
    assert time.perf_counter() - started < 0.5
