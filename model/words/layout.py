"""Pieces of ink laid out as lines, words and characters, before anything is read.

Lines and words come from pieces of ink: connected ink in a picture (as EMNIST's characters were cut from forms),
or, from the drawing pad, strokes whose inks touch (``model.ink.strokes.touching_groups``). Pieces that overlap
horizontally and sit close vertically form one (the dot of an i, the bar of a t); pieces are grouped into lines by
their vertical extent, into words at wide gaps, and small marks at the baseline are punctuation. Both readers
(``cut_and_search`` and ``with_word_model``) read the runs of ink ``layout`` hands them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from model.ink.preprocess import INK_LEVEL, BlankImageError, Ink, frame_glyph
from model.ink.stroke_width import stroke_width
from model.ink.strokes import Strokes, render, touching_groups
from model.words.reading import Character, TooMuchWriting, Unit

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


#: A piece of ink written apart no wider than this share of the pieces' median height is one character (or two
#: written in one go): the word readers never part it between two characters.
CHARACTER_WIDTH = 1.2


#: At most this many candidate characters are drawn and read for one picture or drawing (a few lines of words).
MAX_CANDIDATES = 2_000
#: A picture with more separate pieces of ink than this is refused before they are grouped into characters and
#: lines (a page, not a few words; grouping them all would take many seconds).
MAX_PIECES = 200


@dataclass
class Part:
    box: tuple[int, int, int, int]  # in ink pixels, right/bottom exclusive
    area: int
    labels: list[int]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


def _belong_together(a: Part, b: Part, apart: float | None = None) -> bool:
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


def _open_four(left: Part, bar: Part) -> bool:
    """The two strokes of a 4 drawn apart: a bar, and left of it a part whose foot (the 4's crossbar) is level
    with the bar, well above the bar's own foot (a 1 after a 7, an L, a 3 ... reaches the baseline like it)."""
    gap = bar.box[0] - left.box[2]
    return (
        bar.width < 0.3 * bar.height
        and 0 <= gap < FOUR_GAP * bar.height
        and bar.box[1] < left.box[3] < bar.box[3] - 0.2 * bar.height
    )


def _merge(parts: list[Part], apart: float | None = None) -> list[Part]:
    merged = True
    while merged:
        merged = False
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                if _belong_together(parts[i], parts[j], apart):
                    a, b = parts[i], parts.pop(j)
                    parts[i] = Part(
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


def _lines(parts: list[Part]) -> list[list[Part]]:
    """Group characters into lines (a character joins the line its vertical centre falls in), top to bottom.
    Only parts at least half the tallest one's height start a line; small ones (dots, specks) join the nearest."""
    tallest = max(p.height for p in parts)
    lines: list[list[Part]] = []
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


def picture_parts(
    ink: Ink, apart: float | None = None, side: int | None = None
) -> tuple[np.ndarray, np.ndarray, list[list[Part]]]:
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
        Part((s[1].start, s[0].start, s[1].stop, s[0].stop), int(a), [i + 1])
        for i, (s, a) in enumerate(zip(slices, areas))
    ]
    if not side:
        width = stroke_width(strokes.astype(np.float32))
        parts = [p for p in parts if max(p.height, p.width) >= SPECK * width]
    if len(parts) > MAX_PIECES:
        raise TooMuchWriting(
            f"There is too much writing here to read at once ({len(parts):,} separate pieces of ink; at most "
            f"{MAX_PIECES:,}): photograph or write a few words or a line at a time."
        )
    return pixels, labelled, _lines(_merge(parts, apart))


def stroke_parts(strokes: Strokes, apart: float | None = None) -> list[list[Part]]:
    """The characters' parts in lines, from strokes: every stroke is meant, so none is dropped as a speck."""
    if not strokes.strokes:
        raise BlankImageError("Nothing is drawn here: write a character or a word.")
    parts = [Part(g.box, g.area, g.labels) for g in touching_groups(strokes)]
    return _lines(_merge(parts, apart))


def count_characters(ink: Ink | Strokes, apart: float = SEVERAL_APART) -> int:
    """How many characters sit side by side in a picture or a drawing: the single-character view's guard.
    Someone drawing one character may break a stroke, leave a gap inside it, or add a stray mark, so here only
    parts of a fair size (MIN_SHARE of the largest) that stand apart horizontally by ``apart`` of the tallest
    part's height count."""
    if isinstance(ink, Strokes):
        lines = stroke_parts(ink, apart)
    else:
        _, _, lines = picture_parts(ink, apart, side=COUNT_SIDE)
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


def _glyph(pixels: np.ndarray, labelled: np.ndarray, part: Part, level: float) -> np.ndarray:
    """One character framed exactly like a single one, from its own strokes only."""
    mask = ndimage.binary_dilation(np.isin(labelled, part.labels), iterations=2)  # keep antialiased edges
    return frame_glyph(np.where(mask, pixels, 0).astype(np.uint8), level=level, picture_area=None)


Line = list[tuple[Part, "np.ndarray | None"]]


def _with_glyphs(parts_in_lines: list[list[Part]], glyph_of: Callable[[Part], np.ndarray]) -> list[Line]:
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
    pixels, labelled, parts_in_lines = picture_parts(ink)
    return _with_glyphs(parts_in_lines, lambda p: _glyph(pixels, labelled, p, ink.level))


def segment_strokes(strokes: Strokes) -> list[Line]:
    """A drawing's characters, from which strokes belong together; each drawn from its own strokes."""
    return _with_glyphs(stroke_parts(strokes), lambda p: render(strokes.subset(p.labels)).glyph)


def marked(parts_in_lines: list[list[Part]]) -> list[list[tuple[Part, bool]]]:
    """Lines of (part, whether it is punctuation: a small mark at the baseline) in reading order; other small
    marks between the lines are dropped."""
    return [[(part, glyph is None) for part, glyph in line] for line in _with_glyphs(parts_in_lines, lambda p: p)]


def layout(lines, make_unit, origin=(0.0, 0.0), scale: float = 1.0, budget: int = MAX_CANDIDATES):
    """(lines -> words -> units and punctuation marks, the units in reading order), within ``budget`` (the units'
    summed ``cost``)."""
    placed: list[list[list[Unit | Character]]] = []
    units: list[Unit] = []
    for line in lines:
        apart = _word_gap(line)
        words: list[list[Unit | Character]] = []
        run: list[Part] = []
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
                box = in_picture(part.box, origin, scale)
                label = "," if part.height > 1.5 * part.width else "."
                words[-1].append(Character(box, None, label=label, raw_label=label))
            else:
                run.append(part)
        placed.append(words)
    return placed, units


def in_picture(box: tuple, origin: tuple[float, float] = (0.0, 0.0), scale: float = 1.0) -> tuple[int, ...]:
    """A box in ink pixels as a box in the picture's pixels (``preprocess.Ink``: picture = origin + scale * ink)."""
    return tuple(int(round(o + scale * v)) for o, v in zip((*origin, *origin), box))


def _word_gap(line: list[tuple[Part, bool]]) -> float:
    """How wide a gap between pieces of a line must be to part words: wider than WORD_GAP of the line's typical
    height, and GAP_RATIO times the line's median gap (someone who writes every letter apart writes words
    further apart still)."""
    parts = [p for p, mark in line if not mark]
    typical = float(np.median([p.height for p in parts] or [1]))
    gaps = [b.box[0] - a.box[2] for a, b in zip(parts, parts[1:]) if b.box[0] > a.box[2]]
    return max(WORD_GAP * typical, GAP_RATIO * float(np.median(gaps)) if gaps else 0.0)
