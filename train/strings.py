"""Strings written apart, composed from real isolated pen characters: numbers, capitals and codes, as someone
writes them on the word pad one character at a time. UNIPEN's words are mostly joined-up, so without these the word
model would not learn to read "2025" or "B12" written apart, which cutting the ink at its gaps reads well.

Each string takes every character from one writer where they wrote enough of its kind (else from other training
writers), each scaled to a common height with a little spread, set on a jittered baseline with gaps from a fifth
to two thirds of a character's height.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from .pen import PenCharacter, PenWord

DIGITS, CAPITALS = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: What a string is made of, how long it is, and how often it comes.
KINDS = {
    "number": (DIGITS, (2, 8), 0.5),
    "capitals": (CAPITALS, (2, 6), 0.25),
    "code": (DIGITS + CAPITALS, (2, 6), 0.25),
}
CATEGORY = "apart"


def by_writer(characters: Iterable[PenCharacter]) -> dict[str, dict[str, list[PenCharacter]]]:
    """writer -> label -> their characters of it (digits and capitals only)."""
    found: dict[str, dict[str, list[PenCharacter]]] = defaultdict(lambda: defaultdict(list))
    for c in characters:
        if c.label in DIGITS or c.label in CAPITALS:
            found[c.writer][c.label].append(c)
    return {w: dict(labels) for w, labels in found.items()}


def compose(writers: dict[str, dict[str, list[PenCharacter]]], count: int, rng: np.random.Generator) -> list[PenWord]:
    """``count`` random strings written apart (see the module's docstring)."""
    if not writers:
        return []
    names = sorted(writers)
    anyone: dict[str, list[PenCharacter]] = defaultdict(list)
    for labels in writers.values():
        for label, chars in labels.items():
            anyone[label] += chars
    kinds = list(KINDS)
    shares = np.array([KINDS[k][2] for k in kinds])
    out = []
    for _ in range(count):
        alphabet, (low, high), _ = KINDS[kinds[rng.choice(len(kinds), p=shares / shares.sum())]]
        text = "".join(rng.choice(list(alphabet), int(rng.integers(low, high + 1))))
        writer = names[int(rng.integers(len(names)))]
        own = writers[writer]
        chosen = [own.get(ch) or anyone[ch] for ch in text]
        if not all(chosen):
            continue
        picked = [options[int(rng.integers(len(options)))] for options in chosen]
        out.append(PenWord(text, CATEGORY, writer, picked[0].contributor, lay_out(picked, rng)))
    return out


def lay_out(characters: list[PenCharacter], rng: np.random.Generator) -> tuple:
    """The characters' strokes side by side, each scaled to about one unit high, left to right with gaps."""
    strokes, cursor = [], 0.0
    for c in characters:
        points = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in c.strokes]
        ink = np.concatenate(points)
        low, high = ink.min(axis=0), ink.max(axis=0)
        scale = rng.uniform(0.85, 1.15) / max(float(high[1] - low[1]), 1e-6)
        baseline = rng.normal(0.0, 0.05)
        for p in points:
            placed = (p - [low[0], high[1]]) * scale + [cursor, baseline]
            strokes.append(placed.round(4).tolist())
        cursor += float(high[0] - low[0]) * scale + rng.uniform(0.2, 0.65)
    return tuple(strokes)
