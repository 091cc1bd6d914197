"""Reading a word by cutting it: each word's ink is cut into candidate characters (``segmentation``: joined-up
letters at the pen's ligatures, touching ink at its thinnest columns), every candidate is read by the LeNet-5 in one
batch, and ``search`` finds the best readings through them with a word list and a character model
(``lexicon.Vocabulary``). Pictures are read this way, and from the pad, characters written one at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from model.ink.preprocess import INK_LEVEL, BlankImageError, Ink, frame_glyph
from model.ink.strokes import Strokes, render
from model.labels import LABELS, MERGED_LOWERCASE, NUM_CLASSES, index_of
from model.words import search, segmentation
from model.words.layout import Part, in_picture, layout, marked, picture_parts, stroke_parts
from model.words.lexicon import Vocabulary
from model.words.reading import Character, ReadGlyphs, Reading, assemble


@dataclass
class _Unit:
    """Ink read as one word: its candidate characters (glyphs, boxes in the caller's units, widths in body
    heights) over ``nodes`` pieces, and after the search, its readings."""

    nodes: int
    edges: list[tuple[int, int]]
    glyphs: list[np.ndarray | None]
    boxes: list[tuple[int, int, int, int]]
    widths: np.ndarray
    gaps: np.ndarray
    apart: np.ndarray  # pieces of ink written apart each candidate joins, beyond the first
    inner: np.ndarray  # ends of each candidate that cut through ink written apart
    pictured: bool  # cut from a picture
    probabilities: np.ndarray | None = None  # (E, 47), the network's (and the writer's memory's) answers
    features: list = field(default_factory=list)  # per candidate, what a WriterMemory keeps
    paths: list[search.Path] = field(default_factory=list)
    characters: list[list[Character]] = field(default_factory=list)  # per path

    @property
    def cost(self) -> int:
        """What reading it spends of MAX_CANDIDATES: its candidate characters."""
        return len(self.edges)


def read(ink: Ink, read_glyphs: ReadGlyphs, vocabulary: Vocabulary) -> Reading:
    """A picture: lines and words from its pieces of ink, each word cut at its thinnest columns where letters
    touch, read through the segmentation graph."""
    lines, make_unit = _picture_units(ink)
    return _read(marked(lines), make_unit, read_glyphs, vocabulary, ink.origin, ink.scale)


def _picture_units(ink: Ink, cuts: segmentation.Cuts = segmentation.CUTS) -> tuple[list, Callable[[list[Part]], _Unit]]:
    pixels, labelled, lines = picture_parts(ink)
    return lines, picture_unit(ink, pixels, labelled, cuts)


def picture_unit(
    ink: Ink, pixels: np.ndarray, labelled: np.ndarray, cuts: segmentation.Cuts = segmentation.CUTS
) -> Callable[[list[Part]], _Unit]:
    """What makes a unit of a picture's parts (``layout.picture_parts``' pixels and labels): its candidate
    characters, cut where touching ink is thinnest; ``search_units`` reads them."""
    strokes = pixels >= INK_LEVEL * ink.level

    def make_unit(parts: list[Part]) -> _Unit:
        lattice = segmentation.cut_picture(pixels, labelled, parts, strokes, cuts)
        glyphs = [_masked_glyph(pixels, lattice.mask(e), ink.level) for e in lattice.edges]
        boxes = [lattice.box(e) for e in lattice.edges]
        return _unit(lattice, glyphs, boxes, ink.origin, ink.scale)

    return make_unit


def read_strokes(strokes: Strokes, read_glyphs: ReadGlyphs, vocabulary: Vocabulary) -> Reading:
    """A drawing: lines and words from which strokes touch, each word's pen trajectory over-segmented
    (``model.words.segmentation``) and read through the segmentation graph; boxes in canvas units."""

    return _read(marked(stroke_parts(strokes)), lambda parts: pen_unit(strokes, parts), read_glyphs, vocabulary)


def pen_unit(strokes: Strokes, parts: list[Part], cuts: segmentation.Cuts = segmentation.CUTS) -> _Unit:
    chosen = sorted(label for p in parts for label in p.labels)
    at = {label: k for k, label in enumerate(chosen)}
    lattice = segmentation.over_segment(
        strokes.subset(chosen), [[at[label] for label in p.labels] for p in parts], cuts
    )
    glyphs = [render(lattice.strokes_of(e)).glyph for e in lattice.edges]
    return _unit(lattice, glyphs, [lattice.box(e) for e in lattice.edges])


def word_graphs(
    drawing: Strokes | Ink, read_glyphs: ReadGlyphs, cuts: segmentation.Cuts = segmentation.CUTS
) -> list[search.Graph]:
    """The search graphs of a drawing's (or a picture's) words, as ``read_strokes`` (``read``) builds them with
    ``cuts``: for tuning the search and the cuts."""
    captured: list[_Unit] = []
    if isinstance(drawing, Strokes):
        lines, make = stroke_parts(drawing), lambda parts: pen_unit(drawing, parts, cuts)
    else:
        lines, make = _picture_units(drawing, cuts)

    def keep(parts: list[Part]) -> _Unit:
        captured.append(make(parts))
        return captured[-1]

    layout(marked(lines), keep)
    _read_all(captured, read_glyphs)
    return [_graph(u) for u in captured]


def _graph(unit: _Unit) -> search.Graph:
    return search.Graph(
        unit.nodes, unit.edges, unit.probabilities, unit.widths, unit.gaps, unit.apart, unit.inner, unit.pictured
    )


def _unit(lattice, glyphs, boxes, origin=(0.0, 0.0), scale: float = 1.0) -> _Unit:
    widths = np.asarray([(b[2] - b[0]) / lattice.body for b in boxes], dtype=np.float64)
    gaps = np.asarray([lattice.inner_gap(e) / lattice.body for e in lattice.edges], dtype=np.float64)
    apart = np.asarray([lattice.parts_spanned(e) - 1 for e in lattice.edges], dtype=np.float64)
    inner = np.asarray([lattice.inner_ends(e) for e in lattice.edges], dtype=np.float64)
    placed = [in_picture(b, origin, scale) for b in boxes]
    pictured = isinstance(lattice, segmentation.PictureLattice)
    return _Unit(len(lattice.pieces), lattice.edges, glyphs, placed, widths, gaps, apart, inner, pictured)


def _masked_glyph(pixels: np.ndarray, mask: np.ndarray, level: float) -> np.ndarray | None:
    """A candidate character of a picture framed exactly like a single one, from its own ink; None where too
    little ink is left to be a character."""
    try:
        return frame_glyph(
            np.where(ndimage.binary_dilation(mask, iterations=2), pixels, 0).astype(np.uint8),
            level=level,
            picture_area=None,
        )
    except BlankImageError:
        return None


def _read(
    lines: list[list[tuple[Part, bool]]],
    make_unit: Callable[[list[Part]], _Unit],
    read_glyphs: ReadGlyphs,
    vocabulary: Vocabulary,
    origin: tuple[float, float] = (0.0, 0.0),
    scale: float = 1.0,
) -> Reading:
    """Words (split at gaps) of runs of parts (split at punctuation), each run read as one unit; every candidate
    of every unit goes through the network in one batch."""
    placed, units = layout(lines, make_unit, origin, scale)
    search_units(units, read_glyphs, vocabulary)
    return assemble(placed, units)


def search_units(units: list[_Unit], read_glyphs: ReadGlyphs, vocabulary: Vocabulary) -> None:
    """Each unit's readings through its segmentation graph (``paths``, ``characters``); every candidate of every
    unit goes through the network in one batch."""
    _read_all(units, read_glyphs)
    for unit in units:
        paths = search.decode(_graph(unit), vocabulary.lexicons)
        unit.paths = paths or [search.Path("", 0.0, [], False)]
        unit.characters = [_characters(unit, path) for path in unit.paths]


def _read_all(units: list[_Unit], read_glyphs: ReadGlyphs) -> None:
    """Every unit's candidate glyphs read in one batch; a candidate without ink gets no probability at all."""
    glyphs = [g for u in units for g in u.glyphs if g is not None]
    if glyphs:
        probabilities, features = read_glyphs(np.stack(glyphs))
    row = 0
    for unit in units:
        unit.probabilities = np.zeros((len(unit.edges), NUM_CLASSES), np.float32)
        unit.features = [None] * len(unit.edges)
        for k, glyph in enumerate(unit.glyphs):
            if glyph is not None:
                unit.probabilities[k] = probabilities[row]
                unit.features[k] = None if features is None else features[row]
                row += 1


def _characters(unit: _Unit, path: search.Path) -> list[Character]:
    """The characters of one reading, with the word's case: all lowercase, all capitals, or a capital first,
    whichever the letters EMNIST tells apart (a/A, b/B, ...) favour; the merged ones (c/C, ...) follow."""
    chosen = [
        Character(
            unit.boxes[edge],
            unit.glyphs[edge],
            unit.probabilities[edge],
            label=symbol,
            raw_label=LABELS[int(np.argmax(unit.probabilities[edge]))],
            features=unit.features[edge],
        )
        for edge, symbol in zip(path.edges, path.text)
    ]
    letters = [c for c in chosen if c.label.isalpha()]

    def capital(style: str, position: int) -> bool:
        return style == "upper" or (style == "title" and position == 0)

    def belief(style: str) -> float:
        return sum(
            float(np.log(max(c.probabilities[index_of(c.label.upper() if capital(style, k) else c.label)], 1e-12)))
            for k, c in enumerate(letters)
            if c.label not in MERGED_LOWERCASE
        )

    # A tie (no letter whose case the ink shows) goes to lowercase in a word, to capitals in a code such as L7.
    styles = ("upper", "lower", "title") if any(c.label.isdigit() for c in chosen) else ("lower", "title", "upper")
    style = max(styles, key=belief)
    for k, c in enumerate(letters):
        c.label = c.label.upper() if capital(style, k) else c.label
    return chosen
