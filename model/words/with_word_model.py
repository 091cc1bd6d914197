"""A drawing of words read by the word model: the lines and words ``model.words.layout`` lays out from the strokes, each
word's trajectory read whole (``model.network.word_model``) and decoded with the word list (``model.words.decoder``),
the picture word model's reading of the same ink, drawn as a picture, weighing in where the repo has it.

Nothing is cut before reading. Each character's ink comes afterwards from the reading's CTC alignment (see
``_Word.ink_of``).
That ink gives the character its box and its glyph, which the LeNet-5 reads for the character's own top guesses
and for a writer's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from model.ink import strip
from model.ink.preprocess import PreprocessError
from model.ink.strokes import Strokes, render
from model.ink.trajectory import TrajectoryError, resampled
from model.network.word_model import STRIDE, WordModel, frames
from model.words import decoder
from model.words.layout import CHARACTER_WIDTH, layout, marked, stroke_parts
from model.words.lexicon import SYMBOLS, Vocabulary
from model.words.reading import (
    Character,
    ReadGlyphs,
    Reading,
    TooMuchWriting,
    assemble,
    read_glyphs_into,
    take_readings,
)

#: At most this many of the word model's frames for one drawing (a full line on the word pad is a few hundred).
MAX_FRAMES = 2_000


class Unspellable(PreprocessError):
    """A text that cannot be laid on the ink it is said to be (the message says why, for the writer)."""


@dataclass
class _Word:
    """One run of ink read as one word: its trajectory, and after reading, its readings and their characters."""

    parts: list
    strokes: Strokes
    features: np.ndarray
    points: np.ndarray  # (N, 2) canvas units, where each feature row was taken
    owners: np.ndarray  # (N,) the stroke each point lies on
    output: np.ndarray | None = None  # (T, CLASSES) the model's log-probabilities
    paths: list = field(default_factory=list)  # decoder.Candidate, best first
    characters: list[list[Character]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """What reading it spends of MAX_FRAMES."""
        return frames(len(self.features))

    def ink_of(self, spans: list[tuple[int, int]]) -> list[Strokes]:
        """Each aligned character's ink. The model marks a character as its pen starts on it, so a character's
        points run from its first marked frame to the next character's; a stroke drawn later over earlier ink (the
        dot of an i, the bar of a t) goes to the character under its middle."""
        starts = [0] + [b[0] for b in spans[1:]]
        owner_of = np.zeros(len(self.points), np.int64)
        for k, first in enumerate(starts):
            owner_of[first * STRIDE :] = k
        x = self.points[:, 0]
        for at, middle in self._drawn_back:
            rest = np.ones(len(x), bool)
            rest[at] = False
            counts = np.bincount(owner_of[rest], minlength=len(spans))
            if not counts[owner_of[at]].all():
                continue  # all the ink a character has: it stays
            held = np.flatnonzero(counts)
            means = np.bincount(owner_of[rest], weights=x[rest], minlength=len(spans))[held] / counts[held]
            owner_of[at] = held[np.argmin(np.abs(middle - means))]
        self._keep_pieces_whole(owner_of)
        inks = []
        for k in range(len(spans)):
            mine = owner_of == k
            points, owners = self.points[mine], self.owners[mine]
            runs = np.flatnonzero((np.diff(owners) != 0) | (np.diff(np.flatnonzero(mine)) > 1)) + 1
            pieces = tuple(np.asarray(p, np.float32) for p in np.split(points, runs) if len(p))
            inks.append(Strokes(self.strokes.width, self.strokes.height, pieces, self.strokes.brush))
        return inks

    @cached_property
    def _drawn_back(self) -> list[tuple[np.ndarray, float]]:
        """(its points, its middle x) for each stroke written back over the word (``ink_of``)."""
        reach = np.maximum.accumulate(self.points[:, 0])
        back = []
        for stroke in np.unique(self.owners):
            at = np.flatnonzero(self.owners == stroke)
            middle = float(self.points[at, 0].mean())
            if at[0] > 0 and middle < reach[at[0] - 1]:
                back.append((at, middle))
        return back

    @cached_property
    def _pieces_apart(self) -> list[np.ndarray]:
        """Which points lie in each piece of ink written apart and no wider than a character."""
        index = {label: k for k, label in enumerate(sorted(label for p in self.parts for label in p.labels))}
        height = float(np.median([p.height for p in self.parts]))
        return [
            np.isin(self.owners, [index[label] for label in part.labels])
            for part in self.parts
            if part.width <= CHARACTER_WIDTH * height
        ]

    def _keep_pieces_whole(self, owner_of: np.ndarray) -> None:
        """A piece of ink written apart and no wider than a character (CHARACTER_WIDTH) goes whole to the character
        that holds most of it: the model may mark a character while the pen is still on the one before. A character
        whose only ink lies in the piece keeps it (two letters written in one go)."""
        for inside in self._pieces_apart:
            held = np.bincount(owner_of[inside])
            if np.count_nonzero(held) < 2:
                continue
            for k in np.flatnonzero(held):
                if k != held.argmax() and np.any((owner_of == k) & ~inside):
                    owner_of[inside & (owner_of == k)] = held.argmax()


def _word(strokes: Strokes, parts: list) -> _Word:
    chosen = strokes.subset(sorted(label for p in parts for label in p.labels))
    try:
        features, points, owners = resampled(chosen.strokes)
    except TrajectoryError as exc:
        raise TooMuchWriting(str(exc)) from None
    return _Word(parts, chosen, features, points, owners)


def _layout(strokes: Strokes):
    """(lines -> words -> runs of ink and punctuation, the runs in reading order), within the reading budget."""
    lines = marked(stroke_parts(strokes))
    return layout(lines, lambda parts: _word(strokes, parts), budget=MAX_FRAMES)


def _characters(
    word: _Word, text: str, spans: list[tuple[int, int]], read_glyphs: ReadGlyphs | None
) -> list[Character]:
    """``text``'s characters on the ink ``spans`` aligns them with; with ``read_glyphs``, each glyph read by LeNet-5."""
    inks = word.ink_of(spans)
    characters = [
        Character(tuple(int(round(v)) for v in ink.box()), None, label=c, raw_label=c) for c, ink in zip(text, inks)
    ]
    if read_glyphs is not None:
        read_glyphs_into(characters, [render(ink).glyph for ink in inks], read_glyphs)
    return characters


def read_strokes(
    strokes: Strokes,
    model: WordModel,
    read_glyphs: ReadGlyphs,
    vocabulary: Vocabulary,
    allowed: np.ndarray | None = None,
    pictures: WordModel | None = None,
) -> Reading:
    """The drawing's text, its best few readings and the best one's characters (boxes in canvas units). With
    ``pictures`` (the picture word model), each word's ink is also drawn as a picture and read by it, a second
    opinion on the pen model's readings (``decoder.rescored``); where a reading is one character, the LeNet-5
    reads the ink as one too (``glyph_of``)."""
    placed, words = _layout(strokes)
    for word in words:
        word.output = decoder.restrict(model(word.features), allowed)
        take_readings(
            word,
            decoder.readings(
                word.output, vocabulary, pictured(word.strokes, pictures, allowed), glyph_of(word.strokes, read_glyphs)
            ),
            lambda text, spans, first, word=word: _characters(word, text, spans, read_glyphs if first else None),
        )
    return assemble(placed, words)


def glyph_of(word: Strokes, read_glyphs: ReadGlyphs) -> Callable[[], np.ndarray]:
    """The LeNet-5's reading of a word's whole ink as one character (``decoder.as_symbols``), read when asked."""
    return lambda: decoder.as_symbols(read_glyphs(render(word).glyph[None])[0][0])


def pictured(word: Strokes, pictures: WordModel | None, allowed: np.ndarray | None = None) -> np.ndarray | None:
    """The picture model's log-probabilities for a word's ink drawn as that model reads pictures, or None."""
    if pictures is None:
        return None
    try:
        drawn, _ = strip.from_strokes(word.strokes, strip.PEN_BRUSH)
    except strip.StripError:
        return None
    return decoder.restrict(pictures(drawn), allowed)


def spell(strokes: Strokes, model: WordModel, read_glyphs: ReadGlyphs, text: str) -> Reading:
    """The drawing read as ``text`` says (a writer's correction): one typed word per word of ink (or, for one word of
    ink, the whole text), each laid on its ink by the model's alignment, each character's glyph read by LeNet-5."""
    placed, words = _layout(strokes)
    typed = text.split()
    if len(words) == 1:
        typed = ["".join(typed)]
    if not typed or len(typed) != len(words):
        raise Unspellable(
            f"Type one word for each of the {len(words)} words written here (you typed {len(typed)})."
            if words
            else "There is no word written here to correct."
        )
    for word, spelt in zip(words, typed):
        spelt = spelt.strip(".,")
        if not spelt or any(c.lower() not in SYMBOLS for c in spelt):
            raise Unspellable(f"{spelt!r} cannot be taught: use letters A-Z and digits only.")
        word.output = model(word.features)
        spans = decoder.align(word.output, spelt)
        if spans is None:
            raise Unspellable(f"{spelt!r} has more characters than this ink can hold.")
        word.paths, word.characters = (
            [decoder.Candidate(spelt, 0.0, 0.0, False)],
            [_characters(word, spelt, spans, read_glyphs)],
        )
    return assemble(placed, words)
