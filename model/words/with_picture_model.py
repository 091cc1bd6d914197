"""A picture of words read by the picture word model: lines and words laid out from the picture's pieces of ink
(``model.words.layout``), each word taken with its own ink only, scaled into a strip (``model.ink.strip``), read
whole (``model.network.word_model``) and decoded with the word list (``model.words.decoder``).

Nothing is cut before reading. Each character's ink comes afterwards from the reading's CTC alignment: the strip's
columns between its neighbours' frames. That ink gives the character its box and its glyph, which the LeNet-5
reads for the character's own top guesses and for a writer's memory. A word whose characters are written one at a
time is cut and searched instead (``written_apart``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from model.ink import strip
from model.ink.preprocess import INK_LEVEL, BlankImageError, Ink, frame_glyph
from model.network.word_model import WordModel, strip_frames
from model.words import cut_and_search, decoder
from model.words.layout import CHARACTER_WIDTH, Part, in_picture, layout, marked, picture_parts
from model.words.lexicon import SYMBOLS, Vocabulary
from model.words.reading import Character, ReadGlyphs, Reading, assemble, read_glyphs_into, take_readings

#: At most this many of the picture model's frames for one picture (a full line of a page is a few hundred) ...
MAX_FRAMES = 4_000
#: ... each word counted as at least this many (each is one run of the model and one search, however small).
MIN_WORD_FRAMES = 16
#: A word's own ink reaches this many pixels around its pieces (their antialiased edges).
EDGE = 2
#: A word whose pieces are all no wider than this share of their typical height is written a character at a time
#: (``written_apart``): chosen on the validation pictures (``python -m bench word_model --writers tune``).
APART_WIDTH = 1.5


@dataclass
class _Word:
    """One run of ink read as one word: its own pixels (a window of the picture, other ink cleared) and which piece
    of ink each pixel belongs to, its strip, and after reading, its readings and their characters."""

    pixels: np.ndarray
    pieces: np.ndarray  # (H, W) the piece of ink each pixel of ``pixels`` belongs to (0: none)
    corner: tuple[int, int]  # (x, y) of the window in the ink's pixels
    strip: np.ndarray
    placing: tuple[float, float, float]  # strip x = (x - left) * scale + strip.MARGIN, as strip.from_pixels says
    paths: list = field(default_factory=list)  # decoder.Candidate, best first
    characters: list[list[Character]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        return max(MIN_WORD_FRAMES, strip_frames(self.strip.shape[1]))

    def owners(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """(H, W) which aligned character each pixel's ink belongs to. The columns between two characters' frames
        part them halfway; a piece of ink written apart and no wider than a character (CHARACTER_WIDTH) goes whole
        to the character holding most of it, unless that leaves another character without ink."""
        scale, left, _ = self.placing
        edges = [(end + 1 + start) / 2 * strip.STRIDE for (_, end), (start, _) in zip(spans, spans[1:])]
        at = [(column - strip.MARGIN) / scale + left for column in edges]
        owner = np.broadcast_to(np.searchsorted(at, np.arange(self.pixels.shape[1]) + 0.5), self.pixels.shape).copy()
        ink = self.pixels > 0
        found = ndimage.find_objects(self.pieces)
        heights = [s[0].stop - s[0].start for s in found if s is not None]
        typical = float(np.median(heights)) if heights else 0.0
        for label, where in enumerate(found, 1):
            if where is None or where[1].stop - where[1].start > CHARACTER_WIDTH * typical:
                continue
            mine = (self.pieces == label) & ink
            held = np.bincount(owner[mine], minlength=len(spans))
            elsewhere = np.bincount(owner[ink & ~mine], minlength=len(spans))
            if np.count_nonzero(held) > 1 and all(elsewhere[k] for k in np.flatnonzero(held) if k != held.argmax()):
                owner[mine] = held.argmax()
        return np.where(ink, owner, -1)


def _window(
    pixels: np.ndarray, labelled: np.ndarray, parts: list[Part]
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The parts' own ink (with its antialiased edge) and its pieces, in the smallest window of the picture that
    holds it."""
    left = max(0, min(p.box[0] for p in parts) - EDGE)
    top = max(0, min(p.box[1] for p in parts) - EDGE)
    right = max(p.box[2] for p in parts) + EDGE
    bottom = max(p.box[3] for p in parts) + EDGE
    labels = [label for p in parts for label in p.labels]
    window = labelled[top:bottom, left:right]
    pieces = ndimage.grey_dilation(np.where(np.isin(window, labels), window, 0), size=2 * EDGE + 1)
    return np.where(pieces > 0, pixels[top:bottom, left:right], 0), pieces, (left, top)


def written_apart(parts: list[Part]) -> bool:
    """Characters written one at a time: two pieces of ink or more, none much wider than a character. The LeNet-5
    reads strings of those (codes, numbers) one by one better than the picture model reads them as a word, so they
    are cut and searched."""
    if len(parts) < 2:
        return False
    typical = float(np.median([p.height for p in parts]))
    return all(p.width <= APART_WIDTH * typical for p in parts)


def _characters(
    word: _Word, text: str, spans: list[tuple[int, int]], ink: Ink, read_glyphs: ReadGlyphs | None
) -> list[Character]:
    """``text``'s characters on the ink ``spans`` aligns them with (boxes in the picture's pixels); with
    ``read_glyphs``, each glyph read by LeNet-5."""
    characters, glyphs = [], []
    owners = word.owners(spans)
    for k, c in enumerate(text):
        own = np.where(owners == k, word.pixels, 0)
        rows, cols = np.nonzero(own >= INK_LEVEL * ink.level)
        if not len(rows):
            rows, cols = np.nonzero(own)
        box = (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1) if len(rows) else (0, 0, 1, 1)
        box = (box[0] + word.corner[0], box[1] + word.corner[1], box[2] + word.corner[0], box[3] + word.corner[1])
        characters.append(Character(in_picture(box, ink.origin, ink.scale), None, label=c, raw_label=c))
        if read_glyphs is not None:  # only the best reading's glyphs are read
            glyphs.append(_glyph(own, ink.level))
    if read_glyphs is not None:
        read_glyphs_into(characters, glyphs, read_glyphs)
    return characters


def _glyph_of(word: _Word, ink: Ink, read_glyphs: ReadGlyphs) -> Callable[[], np.ndarray]:
    """The LeNet-5's reading of a word's whole ink as one character (``decoder.as_symbols``; no say where there is
    no glyph to read), read when asked."""

    def read() -> np.ndarray:
        glyph = _glyph(word.pixels, ink.level)
        return np.zeros(len(SYMBOLS)) if glyph is None else decoder.as_symbols(read_glyphs(glyph[None])[0][0])

    return read


def _glyph(own: np.ndarray, level: float) -> np.ndarray | None:
    try:
        return frame_glyph(own.astype(np.uint8), level=level, picture_area=None)
    except BlankImageError:
        return None


def read(
    ink: Ink,
    model: WordModel,
    read_glyphs: ReadGlyphs,
    vocabulary: Vocabulary,
    allowed: np.ndarray | None = None,
    cut_apart: bool = True,
) -> Reading:
    """The picture's text, its best few readings and the best one's characters (boxes in the picture's pixels):
    each word read whole by ``model`` (where a reading is one character, the LeNet-5's reading of the word's ink
    has its say, as on the word pad), or, where its characters are written apart (and ``cut_apart``: benchmarks
    compare), cut and searched."""
    pixels, labelled, lines = picture_parts(ink)
    cut = cut_and_search.picture_unit(ink, pixels, labelled)

    def make_unit(parts: list[Part]):
        if cut_apart and written_apart(parts):
            return cut(parts)
        own, pieces, corner = _window(pixels, labelled, parts)
        return _Word(own, pieces, corner, *strip.from_pixels(own, ink.level))

    placed, units = layout(marked(lines), make_unit, ink.origin, ink.scale, budget=MAX_FRAMES)
    cut_and_search.search_units([u for u in units if not isinstance(u, _Word)], read_glyphs, vocabulary)
    for word in (u for u in units if isinstance(u, _Word)):
        take_readings(
            word,
            decoder.readings(
                decoder.restrict(model(word.strip), allowed), vocabulary, glyph=_glyph_of(word, ink, read_glyphs)
            ),
            lambda text, spans, first, word=word: _characters(word, text, spans, ink, read_glyphs if first else None),
        )
    return assemble(placed, units)
