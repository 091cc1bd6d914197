"""Beyond one character: split a picture of a word, a number or a few lines into characters, read them in one
batch, and settle EMNIST's look-alikes (O/0, I/1/L, S/5, ...) from the characters around them.

Segmentation starts from pieces of ink that touch: connected ink in a picture (as EMNIST's characters were cut
from forms), or, from the drawing pad, strokes whose inks touch (``strokes.touching_groups``). Then the same rules
apply to both: pieces that overlap horizontally and sit close vertically form one character (the dot of an i or j,
the bar of a t, a broken stroke), characters are grouped into lines by their vertical extent, and read left to
right, top to bottom. Characters that touch are read as one: write them apart (a gap of about a stroke width).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from .labels import LABELS, LOWERCASE_CLASSES, MERGED_LOWERCASE, ambiguous_with
from .preprocess import INK_LEVEL, BlankImageError, Ink, frame_glyph
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
MIN_SHARE = 0.15
COUNT_SIDE = 96  # px: counting characters needs no more (a clear gap is then still several pixels wide)
ACCENT_GAP = 0.6  # a small part (a dot) may float this far above a stroke (share of the stroke's height) ...
ACCENT_REACH = 0.15  # ... and sit this far to its side (a slanted i)
ACCENT_AREA = 0.2  # "small": ink area under this share of the other part's
#: A space between words: a horizontal gap wider than this share of the line's median character height.
WORD_GAP = 0.6
#: Punctuation: a standalone blob lower than this share of the line's median character height.
PUNCTUATION = 0.3
#: A look-alike is re-read from context only when the wanted kind has this share of its probability.
CONTEXT_MIN_SHARE = 0.05


@dataclass
class Character:
    box: tuple[int, int, int, int]  # (left, top, right, bottom) in the picture's pixels
    glyph: np.ndarray | None  # the 28x28 upright frame the model saw (None for punctuation)
    probabilities: np.ndarray | None = None
    label: str = ""  # after context; punctuation: "." or ","
    raw_label: str = ""  # the model's own top-1, before context
    features: np.ndarray | None = None  # the model's features of the glyph (what a WriterMemory keeps)
    model: str = ""  # fingerprint of the model that read it

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        if self.probabilities is None:
            return [(self.label, 1.0)]
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(LABELS[i], float(self.probabilities[i])) for i in order]


@dataclass
class Reading:
    text: str
    characters: list[Character] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
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


def _stroke_parts(strokes: Strokes, apart: float | None = None) -> list[list[_Part]]:
    """The characters' parts in lines, from strokes: every stroke is meant, so none is dropped as a speck."""
    if not strokes.strokes:
        raise BlankImageError("Nothing is drawn here: write a character or a word.")
    parts = [_Part(g.box, g.area, g.labels) for g in touching_groups(strokes)]
    return _lines(_merge(parts, apart))


def count_characters(ink: Ink | Strokes) -> int:
    """How many characters sit side by side in a picture or a drawing: the single-character view's guard.
    Someone drawing one character may break a stroke, leave a gap inside it, or add a stray mark, so here only
    parts of a fair size (MIN_SHARE of the largest) that stand clearly apart horizontally (SEVERAL_APART) count."""
    if isinstance(ink, Strokes):
        lines = _stroke_parts(ink, SEVERAL_APART)
    else:
        _, _, lines = _parts(ink, SEVERAL_APART, side=COUNT_SIDE)
    parts = [p for line in lines for p in line]
    largest = max(p.area for p in parts)
    tallest = max(p.height for p in parts)
    spans = sorted((p.box[0], p.box[2]) for p in parts if p.area >= MIN_SHARE * largest)
    count, right = 0, None
    for left, end in spans:
        if right is None or left - right > SEVERAL_APART * tallest:
            count += 1
            right = end
        else:
            right = max(right, end)
    return count


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
    return _with_glyphs(_stroke_parts(strokes), lambda p: render(strokes.subset(p.labels)).glyph)


#: Upright glyphs (N, 28, 28) -> calibrated probabilities (N, 47) and features (N, F), or None without features.
Answer = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray | None]"]


def read(ink: Ink, answer: Answer) -> Reading:
    """Segment a picture, frame each character like a single one, read them all in one batch, apply context."""
    return _read(segment(ink), answer, origin=ink.origin, scale=ink.scale)


def read_strokes(strokes: Strokes, answer: Answer) -> Reading:
    """The same for a drawing; boxes in canvas units."""
    return _read(segment_strokes(strokes), answer)


def _read(lines: list[Line], answer: Answer, origin: tuple[float, float] = (0.0, 0.0), scale: float = 1.0) -> Reading:
    characters: list[Character] = []
    words: list[list[Character]] = []
    text_lines = []
    pending = []
    for line in lines:
        typical = float(np.median([p.height for p, glyph in line if glyph is not None] or [1]))
        words_in_line, current, previous_right = [], [], None
        for part, glyph in line:
            if previous_right is not None and part.box[0] - previous_right > WORD_GAP * typical:
                words_in_line.append(current)
                current = []
            previous_right = part.box[2]
            box = tuple(int(round(o + scale * v)) for o, v in zip((*origin, *origin), part.box))
            if glyph is None:
                mark = "," if part.height > 1.5 * part.width else "."
                character = Character(box, None, label=mark, raw_label=mark)
            else:
                character = Character(box, glyph)
                pending.append(character)
            characters.append(character)
            current.append(character)
        words_in_line.append(current)
        words.extend(words_in_line)
        text_lines.append(words_in_line)
    if pending:
        probabilities, features = answer(np.stack([c.glyph for c in pending]))
        for i, (character, p) in enumerate(zip(pending, probabilities)):
            character.probabilities = p
            character.features = None if features is None else features[i]
            character.raw_label = character.label = LABELS[int(np.argmax(p))]
    for word in words:
        apply_context(word)
    text = "\n".join(" ".join(spelled(word) for word in line) for line in text_lines)
    return Reading(text, characters)


def spelled(word: list[Character]) -> str:
    """The word as text. EMNIST Balanced cannot tell c from C (15 such letters): in a word whose other letters
    are lowercase, those are written lowercase."""
    lower = sum(c.label in LOWERCASE_CLASSES for c in word)
    upper = sum(c.label.isupper() and c.label.lower() not in MERGED_LOWERCASE for c in word)
    if lower > upper:
        return "".join(c.label.lower() if c.label.lower() in MERGED_LOWERCASE else c.label for c in word)
    return "".join(c.label for c in word)


def apply_context(word: list[Character]) -> None:
    """In a word of letters, a look-alike reads as its letter; in a run of digits, as its digit.

    The kind of a word is decided by its unambiguous characters (those whose top-1 has no look-alike of the
    other kind); with none, or a tie, nothing changes. The change is made only when the other reading has at
    least CONTEXT_MIN_SHARE of the probability: context breaks ties, it does not overrule the picture."""
    read = [c for c in word if c.probabilities is not None]
    votes = {"letter": 0, "digit": 0}
    for c in read:
        if not _crosses_kinds(c.raw_label):
            votes["digit" if c.raw_label.isdigit() else "letter"] += 1
    if votes["letter"] == votes["digit"]:
        return
    want_digit = votes["digit"] > votes["letter"]
    for c in read:
        if not _crosses_kinds(c.raw_label) or c.raw_label.isdigit() == want_digit:
            continue
        options = [LABELS.index(o) for o in ambiguous_with(c.raw_label) if o.isdigit() == want_digit]
        best = max(options, key=lambda i: c.probabilities[i], default=None)
        if best is not None and c.probabilities[best] >= CONTEXT_MIN_SHARE * c.probabilities.max():
            c.label = LABELS[best]


def _crosses_kinds(label: str) -> bool:
    """A look-alike of the other kind exists (O and 0; but B only with 8, g with 9, ...)."""
    return any(o.isdigit() != label.isdigit() for o in ambiguous_with(label))
