"""Beyond one character: read a picture or a drawing of words, numbers or a few lines.

Lines and words come from pieces of ink: connected ink in a picture (as EMNIST's characters were cut from forms),
or, from the drawing pad, strokes whose inks touch (``strokes.touching_groups``). Pieces that overlap horizontally
and sit close vertically form one (the dot of an i, the bar of a t); pieces are grouped into lines by their vertical
extent, into words at wide gaps, and small marks at the baseline are punctuation. Each word is then cut into
candidate characters (``segmentation``: joined-up letters at the pen's ligatures, touching ink at its thinnest
columns), every candidate is read by the network in one batch, and ``search`` finds the best readings through
them with a word list and a character model (``lexicon.Vocabulary``): ``Reading.text`` and ``.candidates``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from . import search, segmentation
from .labels import LABELS, MERGED_LOWERCASE, NUM_CLASSES, index_of
from .lexicon import Vocabulary
from .preprocess import INK_LEVEL, BlankImageError, Ink, PreprocessError, frame_glyph
from .stroke_width import stroke_width
from .strokes import Strokes, render, touching_groups

#: Ink smaller than this share of the stroke width, both ways, is a speck (a pen's dot is a stroke width wide).
SPECK = 0.6
#: Parts of one character: horizontal overlap (of the narrower part's width) at least this ...
SAME_CHARACTER_OVERLAP = 0.5
#: ... and a vertical gap at most this share of the taller part's height (a dot above an i or j: more, see below).
SAME_CHARACTER_GAP = 0.35
#: Strokes side by side closer than this share of the taller one's height are one character; characters
#: written apart leave at least a stroke width, about 1/8 of a character's height.
APART = 0.1
#: A 4 written in two strokes: a bar, and just left of it (this share of its height) a part ending well above
#: the bar's foot.
FOUR_GAP = 0.3
SEVERAL_APART = 0.25
#: Ink this many times wider than tall is no single character (an m or a w is about as wide as tall): an uploaded
#: picture of it is read as words even when its letters are joined (one piece of ink).
JOINED_UP = 2.2
#: An uploaded picture is a photo of what someone wrote, not a pad where one character is expected: parts
#: side by side with any clear gap between them, or ink this many times wider than tall, are read as words.
PICTURE_APART = 0.08
PICTURE_JOINED_UP = 1.6
MIN_SHARE = 0.15
COUNT_SIDE = 96  # px: counting characters needs no more (a clear gap is then still several pixels wide)
ACCENT_GAP = 0.6  # a small part (a dot) may float this far above a stroke (share of the stroke's height) ...
ACCENT_REACH = 0.15  # ... and sit this far to its side (a slanted i)
ACCENT_AREA = 0.2  # "small": ink area under this share of the other part's
#: A space between words: a horizontal gap wider than this share of the line's median piece height, and than
#: GAP_RATIO times the line's median gap between pieces.
WORD_GAP = 0.6
GAP_RATIO = 2.0
#: Punctuation: a standalone blob lower than this share of the line's median character height.
PUNCTUATION = 0.3
#: At most this many candidate characters are drawn and read for one picture or drawing (a few lines of words).
MAX_CANDIDATES = 2_000


class TooMuchWriting(PreprocessError):
    """More ink than one request may read (the message says what to do)."""


@dataclass
class Character:
    box: tuple[int, int, int, int]  # (left, top, right, bottom) in the picture's pixels
    glyph: np.ndarray | None  # the 28x28 upright frame the model saw (None for punctuation)
    probabilities: np.ndarray | None = None
    label: str = ""  # after context; punctuation: "." or ","
    raw_label: str = ""  # the model's own top-1, before context
    features: np.ndarray | None = None  # the model's features of the glyph (what a WriterMemory keeps)
    model: str = ""  # fingerprint of the model that read it

    @property
    def changed_by_word(self) -> bool:
        """Whether the word's reading chose another class than the network's own top guess for this character."""
        return self.probabilities is not None and index_of(self.label) != index_of(self.raw_label)

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        if self.probabilities is None:
            return [(self.label, 1.0)]
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(LABELS[i], float(self.probabilities[i])) for i in order]


@dataclass
class Candidate:
    text: str
    score: float  # how much of the shown readings' total belief it has (the candidates' scores sum to 1)
    characters: list[Character] = field(default_factory=list, repr=False)  # as this reading cuts and reads them


@dataclass
class Reading:
    text: str
    characters: list[Character] = field(default_factory=list)
    #: The best readings, best first; the first is ``text``.
    candidates: list[Candidate] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "candidates": [{"text": c.text, "score": c.score} for c in self.candidates],
            "characters": [
                {
                    "label": c.label,
                    "model_label": c.raw_label,
                    "box": list(c.box),
                    "top3": [{"label": label, "confidence": round(p, 4)} for label, p in c.top(3)],
                }
                for c in self.characters
            ],
        }


@dataclass
class _Part:
    box: tuple[int, int, int, int]  # in ink pixels, right/bottom exclusive
    area: int
    labels: list[int]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


def _belong_together(a: _Part, b: _Part, apart: float | None = None) -> bool:
    apart = APART if apart is None else apart
    overlap = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])  # horizontal; negative: the gap between them
    gap = max(a.box[1], b.box[1]) - min(a.box[3], b.box[3])  # vertical; negative when they overlap vertically
    tall = max(a.height, b.height)
    if -overlap < apart * tall and gap < -0.3 * min(a.height, b.height):  # side by side, (almost) touching
        return True
    if _open_four(a, b) or _open_four(b, a):
        return True
    small, big = (a, b) if a.area < b.area else (b, a)
    if small.area < ACCENT_AREA * big.area and small.box[3] <= big.box[1]:  # a dot above a stroke (i, j)
        return -overlap < ACCENT_REACH * tall and gap <= ACCENT_GAP * big.height
    return overlap >= SAME_CHARACTER_OVERLAP * min(a.width, b.width) and gap <= SAME_CHARACTER_GAP * tall


def _open_four(left: _Part, bar: _Part) -> bool:
    """The two strokes of a 4 drawn apart: a bar, and left of it a part whose foot (the 4's crossbar) is level
    with the bar, well above the bar's own foot (a 1 after a 7, an L, a 3 ... reaches the baseline like it)."""
    gap = bar.box[0] - left.box[2]
    return (
        bar.width < 0.3 * bar.height
        and 0 <= gap < FOUR_GAP * bar.height
        and bar.box[1] < left.box[3] < bar.box[3] - 0.2 * bar.height
    )


def _merge(parts: list[_Part], apart: float | None = None) -> list[_Part]:
    merged = True
    while merged:
        merged = False
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                if _belong_together(parts[i], parts[j], apart):
                    a, b = parts[i], parts.pop(j)
                    parts[i] = _Part(
                        (
                            min(a.box[0], b.box[0]),
                            min(a.box[1], b.box[1]),
                            max(a.box[2], b.box[2]),
                            max(a.box[3], b.box[3]),
                        ),
                        a.area + b.area,
                        a.labels + b.labels,
                    )
                    merged = True
                    break
            if merged:
                break
    return parts


def _lines(parts: list[_Part]) -> list[list[_Part]]:
    """Group characters into lines (a character joins the line its vertical centre falls in), top to bottom.
    Only parts at least half the tallest one's height start a line; small ones (dots, specks) join the nearest."""
    tallest = max(p.height for p in parts)
    lines: list[list[_Part]] = []
    for part in sorted(parts, key=lambda p: -p.height):
        centre = (part.box[1] + part.box[3]) / 2
        spans = [(min(p.box[1] for p in line), max(p.box[3] for p in line)) for line in lines]
        inside = [k for k, (top, bottom) in enumerate(spans) if top <= centre <= bottom]
        if inside:
            lines[inside[0]].append(part)
        elif part.height < 0.5 * tallest and lines:
            nearest = min(range(len(lines)), key=lambda k: min(abs(centre - spans[k][0]), abs(centre - spans[k][1])))
            lines[nearest].append(part)
        else:
            lines.append([part])
    lines.sort(key=lambda line: min(p.box[1] for p in line))
    return [sorted(line, key=lambda p: (p.box[0] + p.box[2]) / 2) for line in lines]


def _parts(
    ink: Ink, apart: float | None = None, side: int | None = None
) -> tuple[np.ndarray, np.ndarray, list[list[_Part]]]:
    """Pixels, component labels, and the characters' parts in lines (reading order). ``side``: work on the ink
    reduced to this long side (coarser, much faster; specks are then left to the caller)."""
    image = ink.image
    if side and max(image.size) > side:
        image = image.copy()
        image.thumbnail((side, side), Image.Resampling.BOX)
    pixels = np.asarray(image)
    strokes = pixels >= INK_LEVEL * ink.level
    labelled, count = ndimage.label(strokes, structure=np.ones((3, 3)))
    if count == 0:
        raise BlankImageError("Nothing is drawn here: write a character or a word.")
    slices = ndimage.find_objects(labelled)
    areas = ndimage.sum_labels(strokes, labelled, index=np.arange(1, count + 1))
    parts = [
        _Part((s[1].start, s[0].start, s[1].stop, s[0].stop), int(a), [i + 1])
        for i, (s, a) in enumerate(zip(slices, areas))
    ]
    if not side:
        width = stroke_width(strokes.astype(np.float32))
        parts = [p for p in parts if max(p.height, p.width) >= SPECK * width]
    return pixels, labelled, _lines(_merge(parts, apart))


def stroke_parts(strokes: Strokes, apart: float | None = None) -> list[list[_Part]]:
    """The characters' parts in lines, from strokes: every stroke is meant, so none is dropped as a speck."""
    if not strokes.strokes:
        raise BlankImageError("Nothing is drawn here: write a character or a word.")
    parts = [_Part(g.box, g.area, g.labels) for g in touching_groups(strokes)]
    return _lines(_merge(parts, apart))


def count_characters(ink: Ink | Strokes, apart: float = SEVERAL_APART) -> int:
    """How many characters sit side by side in a picture or a drawing: the single-character view's guard.
    Someone drawing one character may break a stroke, leave a gap inside it, or add a stray mark, so here only
    parts of a fair size (MIN_SHARE of the largest) that stand apart horizontally by ``apart`` of the tallest
    part's height count."""
    if isinstance(ink, Strokes):
        lines = stroke_parts(ink, apart)
    else:
        _, _, lines = _parts(ink, apart, side=COUNT_SIDE)
    parts = [p for line in lines for p in line]
    largest = max(p.area for p in parts)
    tallest = max(p.height for p in parts)
    spans = sorted((p.box[0], p.box[2]) for p in parts if p.area >= MIN_SHARE * largest)
    count, right = 0, None
    for left, end in spans:
        if right is None or left - right > apart * tallest:
            count += 1
            right = end
        else:
            right = max(right, end)
    return count


def joined_up(ink: Ink, ratio: float = JOINED_UP) -> bool:
    """Whether a picture's ink is too wide for one character (``ratio`` times wider than tall)."""
    width, height = ink.image.size
    return width > ratio * height


def _glyph(pixels: np.ndarray, labelled: np.ndarray, part: _Part, level: float) -> np.ndarray:
    """One character framed exactly like a single one, from its own strokes only."""
    mask = ndimage.binary_dilation(np.isin(labelled, part.labels), iterations=2)  # keep antialiased edges
    return frame_glyph(np.where(mask, pixels, 0).astype(np.uint8), level=level, picture_area=None)


Line = list[tuple[_Part, "np.ndarray | None"]]


def _with_glyphs(parts_in_lines: list[list[_Part]], glyph_of: Callable[[_Part], np.ndarray]) -> list[Line]:
    """Lines of (part, its 28x28 glyph) in reading order; punctuation (a small mark at the baseline) has no glyph,
    other small marks between the lines are dropped."""
    lines = []
    for line in parts_in_lines:
        typical = float(np.median([p.height for p in line if p.height >= 0.5 * max(q.height for q in line)]))
        marks = [p for p in line if max(p.height, p.width) < PUNCTUATION * typical] if len(line) > 1 else []
        characters = [p for p in line if p not in marks]
        baseline = float(np.median([p.box[3] for p in characters])) if characters else 0.0
        row = [(p, glyph_of(p)) for p in characters]
        row += [(p, None) for p in marks if p.box[3] >= baseline - PUNCTUATION * typical]  # at the baseline: . or ,
        lines.append(sorted(row, key=lambda item: (item[0].box[0] + item[0].box[2]) / 2))
    return lines


def segment(ink: Ink) -> list[Line]:
    """A picture's characters: lines of (part, its 28x28 glyph) in reading order, stray specks dropped."""
    pixels, labelled, parts_in_lines = _parts(ink)
    return _with_glyphs(parts_in_lines, lambda p: _glyph(pixels, labelled, p, ink.level))


def segment_strokes(strokes: Strokes) -> list[Line]:
    """A drawing's characters, from which strokes belong together; each drawn from its own strokes."""
    return _with_glyphs(stroke_parts(strokes), lambda p: render(strokes.subset(p.labels)).glyph)


#: Upright glyphs (N, 28, 28) -> calibrated probabilities (N, 47) and features (N, F), or None without features.
Answer = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray | None]"]


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


def read(ink: Ink, answer: Answer, vocabulary: Vocabulary) -> Reading:
    """A picture: lines and words from its pieces of ink, each word cut at its thinnest columns where letters
    touch, read through the segmentation graph."""
    lines, unit = _picture_units(ink)
    return _read(marked(lines), unit, answer, vocabulary, ink.origin, ink.scale)


def _picture_units(ink: Ink) -> tuple[list, Callable[[list[_Part]], _Unit]]:
    pixels, labelled, lines = _parts(ink)
    strokes = pixels >= INK_LEVEL * ink.level

    def unit(parts: list[_Part]) -> _Unit:
        lattice = segmentation.cut_picture(pixels, labelled, parts, strokes)
        glyphs = [_masked_glyph(pixels, lattice.mask(e), ink.level) for e in lattice.edges]
        boxes = [lattice.box(e) for e in lattice.edges]
        return _unit(lattice, glyphs, boxes, ink.origin, ink.scale)

    return lines, unit


def read_strokes(strokes: Strokes, answer: Answer, vocabulary: Vocabulary) -> Reading:
    """A drawing: lines and words from which strokes touch, each word's pen trajectory over-segmented
    (``model.segmentation``) and read through the segmentation graph; boxes in canvas units."""

    return _read(marked(stroke_parts(strokes)), lambda parts: pen_unit(strokes, parts), answer, vocabulary)


def pen_unit(strokes: Strokes, parts: list[_Part]) -> _Unit:
    chosen = sorted(label for p in parts for label in p.labels)
    at = {label: k for k, label in enumerate(chosen)}
    lattice = segmentation.over_segment(
        strokes.subset(chosen), parts=[[at[label] for label in p.labels] for p in parts]
    )
    glyphs = [render(lattice.strokes_of(e)).glyph for e in lattice.edges]
    return _unit(lattice, glyphs, [lattice.box(e) for e in lattice.edges])


def word_graphs(drawing: Strokes | Ink, answer: Answer) -> list[search.Graph]:
    """The search graphs of a drawing's (or a picture's) words, as ``read_strokes`` (``read``) builds them: for
    tuning the search."""
    captured: list[_Unit] = []
    if isinstance(drawing, Strokes):
        lines, make = stroke_parts(drawing), lambda parts: pen_unit(drawing, parts)
    else:
        lines, make = _picture_units(drawing)

    def keep(parts: list[_Part]) -> _Unit:
        captured.append(make(parts))
        return captured[-1]

    layout(marked(lines), keep)
    _answer_all(captured, answer)
    return [_graph(u) for u in captured]


def _graph(unit: _Unit) -> search.Graph:
    return search.Graph(
        unit.nodes, unit.edges, unit.probabilities, unit.widths, unit.gaps, unit.apart, unit.inner, unit.pictured
    )


def _unit(lattice, glyphs, boxes, origin=(0.0, 0.0), scale: float = 1.0) -> _Unit:
    widths = np.asarray([(b[2] - b[0]) / lattice.unit for b in boxes], dtype=np.float64)
    gaps = np.asarray([lattice.inner_gap(e) / lattice.unit for e in lattice.edges], dtype=np.float64)
    apart = np.asarray([lattice.parts_spanned(e) - 1 for e in lattice.edges], dtype=np.float64)
    inner = np.asarray([lattice.inner_ends(e) for e in lattice.edges], dtype=np.float64)
    placed = [tuple(int(round(o + scale * v)) for o, v in zip((*origin, *origin), b)) for b in boxes]
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


def marked(parts_in_lines: list[list[_Part]]) -> list[list[tuple[_Part, bool]]]:
    """Lines of (part, whether it is punctuation: a small mark at the baseline) in reading order; other small
    marks between the lines are dropped."""
    return [[(part, glyph is None) for part, glyph in line] for line in _with_glyphs(parts_in_lines, lambda p: p)]


def _read(
    lines: list[list[tuple[_Part, bool]]],
    make_unit: Callable[[list[_Part]], _Unit],
    answer: Answer,
    vocabulary: Vocabulary,
    origin: tuple[float, float] = (0.0, 0.0),
    scale: float = 1.0,
) -> Reading:
    """Words (split at gaps) of runs of parts (split at punctuation), each run read as one unit; every candidate
    of every unit goes through the network in one batch."""
    placed, units = layout(lines, make_unit, origin, scale)
    search_units(units, answer, vocabulary)
    return assemble(placed, units)


def search_units(units: list[_Unit], answer: Answer, vocabulary: Vocabulary) -> None:
    """Each unit's readings through its segmentation graph (``paths``, ``characters``); every candidate of every
    unit goes through the network in one batch."""
    _answer_all(units, answer)
    for unit in units:
        paths = search.decode(_graph(unit), vocabulary.lexicons, vocabulary.spelling)
        unit.paths = paths or [search.Path("", 0.0, [], False)]
        unit.characters = [_characters(unit, path) for path in unit.paths]


def layout(lines, make_unit, origin=(0.0, 0.0), scale: float = 1.0, budget: int = MAX_CANDIDATES):
    """(lines -> words -> units and punctuation marks, the units in reading order), within ``budget`` (the units'
    summed ``cost``)."""
    placed: list[list[list[_Unit | Character]]] = []
    units: list[_Unit] = []
    for line in lines:
        apart = _word_gap(line)
        words: list[list[_Unit | Character]] = []
        run: list[_Part] = []
        previous_right = None
        for part, mark in line + [(None, False)]:
            gap = part is None or (previous_right is not None and part.box[0] - previous_right > apart)
            if (gap or mark) and run:
                units.append(make_unit(run))
                words[-1].append(units[-1])
                run = []
                budget -= units[-1].cost
                if budget < 0:
                    raise TooMuchWriting(
                        "There is too much writing here to read at once: write a few words or a line at a time."
                    )
            if part is None:
                break
            if gap or not words:
                words.append([])
            previous_right = part.box[2]
            if mark:
                box = tuple(int(round(o + scale * v)) for o, v in zip((*origin, *origin), part.box))
                label = "," if part.height > 1.5 * part.width else "."
                words[-1].append(Character(box, None, label=label, raw_label=label))
            else:
                run.append(part)
        placed.append(words)
    return placed, units


def _word_gap(line: list[tuple[_Part, bool]]) -> float:
    """How wide a gap between pieces of a line must be to part words: wider than WORD_GAP of the line's typical
    height, and GAP_RATIO times the line's median gap (someone who writes every letter apart writes words
    further apart still)."""
    parts = [p for p, mark in line if not mark]
    typical = float(np.median([p.height for p in parts] or [1]))
    gaps = [b.box[0] - a.box[2] for a, b in zip(parts, parts[1:]) if b.box[0] > a.box[2]]
    return max(WORD_GAP * typical, GAP_RATIO * float(np.median(gaps)) if gaps else 0.0)


def _answer_all(units: list[_Unit], answer: Answer) -> None:
    """Every unit's candidate glyphs read in one batch; a candidate without ink gets no probability at all."""
    glyphs = [g for u in units for g in u.glyphs if g is not None]
    if glyphs:
        probabilities, features = answer(np.stack(glyphs))
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


def assemble(placed: list[list[list]], units: list[_Unit]) -> Reading:
    """The best text, its characters in reading order, and the best few texts overall: the best reading of
    every unit, then each unit's runner-up readings in turn, ranked by the total score."""
    best = sum(u.paths[0].score for u in units)
    options = [(best, [u.characters[0] for u in units])]
    for u in units:
        for alternative in range(1, len(u.paths)):
            chosen = [v.characters[alternative] if v is u else v.characters[0] for v in units]
            options.append((best - u.paths[0].score + u.paths[alternative].score, chosen))
    options.sort(key=lambda option: -option[0])
    candidates: list[tuple[float, str, list[Character]]] = []
    for score, chosen in options:
        text, characters = _spelled_out(placed, units, chosen)
        if text not in {t for _, t, _ in candidates}:
            candidates.append((score, text, characters))
        if len(candidates) == search.TOP:
            break
    weights = np.exp(np.asarray([score for score, _, _ in candidates]) - candidates[0][0])
    shares = weights / weights.sum()
    text, characters = candidates[0][1], candidates[0][2]
    return Reading(
        text,
        characters,
        [Candidate(t, round(float(share), 4), chars) for (_, t, chars), share in zip(candidates, shares)],
    )


def _spelled_out(placed: list[list[list]], units: list[_Unit], chosen: list[list[Character]]):
    """(text, characters in reading order) with each unit read as ``chosen`` says."""
    index = {id(u): k for k, u in enumerate(units)}
    characters: list[Character] = []
    lines = []
    for words in placed:
        spoken = []
        for word in words:
            spelled = ""
            for item in word:
                read = [item] if isinstance(item, Character) else chosen[index[id(item)]]
                characters += read
                spelled += "".join(c.label for c in read)
            spoken.append(spelled)
        lines.append(" ".join(spoken))
    return "\n".join(lines), characters
