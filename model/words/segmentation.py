"""Cut a handwritten word into pieces so that every character is a run of consecutive pieces: heuristic
over-segmentation, as LeCun, Bottou, Bengio and Haffner (1998, section IX) read pen-written words.

From the pad, the pen's trajectory is cut at every pen-up and, inside a stroke, where cursive letters are joined:
the lowest points of its up-and-down movement (ligature bottoms, Cuts.cut_at). Strokes written after the word's body
(an i's dot, a t's bar) are kept aside and join every candidate under them. From a picture, wide ink is cut at its
thinnest columns. A candidate character is a run of 1 to Cuts.max_run pieces; ``model.words.search`` scores every candidate
with the LeNet-5 and finds the best reading through them.

Work is bounded: at most MAX_PIECES pieces per word (the least marked cuts are dropped first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import gaussian_filter1d

from model.ink.strokes import Strokes
from model.ink.trajectory import along_paths


@dataclass(frozen=True)
class Cuts:
    """Where a word is cut and which runs of pieces are candidates: ``CUTS`` is what the reader serves,
    ``python -m bench words_tune`` compares others."""

    #: Candidate characters are runs of at most this many pieces.
    max_run: int = 5
    #: Cuts inside a stroke: "bottom" (the pen's lowest points: where most cursive letters join), "top", or both.
    cut_at: tuple[str, ...] = ("bottom", "top")
    #: A piece of ink written apart at most this wide, in body heights or its own heights (a capital), is as wide as
    #: a character: a candidate whole however many pieces it was cut into (a digit drawn with many turns), and cut
    #: inside only at the search's ``inner`` cost. Wider ink is a joined-up word, read as runs of max_run pieces.
    whole_width: float = 1.5
    #: Pictures: ink wider than this share of its height is cut at its thinnest columns.
    wide: float = 0.8


CUTS = Cuts()

#: At most this many pieces per word: a word of 20 letters cut 3 times each.
MAX_PIECES = 60
#: The trajectory is resampled every this share of the writing's body height before cuts are looked for ...
SPACING = 0.08
#: ... and a cut is at least this many resampled points from the stroke's ends and from the previous cut.
CUT_MARGIN = 2
#: A stroke is written later (a dot, a bar) when it starts this far (body heights) left of where the pen has been
#: and is smaller than DELAYED_SIZE body heights.
DELAYED_BACK = 0.3
DELAYED_SIZE = 2.0
#: A delayed stroke joins a candidate when its middle lies within the candidate's span, widened by this share.
DELAYED_REACH = 0.15


@dataclass(frozen=True)
class Piece:
    stroke: int  # index into the lattice's resampled strokes
    start: int  # first and last point, inclusive (a cut point ends one piece and starts the next)
    end: int


@dataclass
class PenLattice:
    """A word's pieces in writing order and its candidate characters (``edges``: (i, j) = pieces i..j-1)."""

    strokes: list[np.ndarray]  # resampled, canvas units
    pieces: list[Piece]
    delayed: list[int]  # strokes written after the body, joined to candidates by position
    body: float  # the writing's body height, canvas units
    brush: float
    size: tuple[float, float]  # the canvas
    edges: list[tuple[int, int]] = field(default_factory=list)
    part_of: list[int] = field(default_factory=list)  # per stroke: which piece of ink (written apart) it is in
    narrow: set = field(default_factory=set)  # pieces of ink written apart no wider than a character (Cuts.whole_width)
    part_of_piece: list = field(default_factory=list)  # per piece: its piece of ink written apart
    _candidates: dict = field(default_factory=dict, repr=False)

    def parts_spanned(self, edge: tuple[int, int]) -> int:
        """How many pieces of ink written apart the candidate's body takes from (1: one character's worth)."""
        if not self.part_of:
            return 1
        return len({self.part_of[p.stroke] for p in self.pieces[edge[0] : edge[1]]})

    def inner_ends(self, edge: tuple[int, int]) -> int:
        return _inner_ends(edge, self.part_of_piece, self.narrow)

    def candidate(self, edge: tuple[int, int]) -> list[np.ndarray]:
        """The polylines of the pieces of ``edge`` (consecutive pieces of one stroke joined), plus the delayed
        strokes under them (built once per edge)."""
        if edge not in self._candidates:
            self._candidates[edge] = self._polylines(edge)
        return self._candidates[edge]

    def _polylines(self, edge: tuple[int, int]) -> list[np.ndarray]:
        lines: list[np.ndarray] = []
        last: Piece | None = None
        for piece in self.pieces[edge[0] : edge[1]]:
            points = self.strokes[piece.stroke][piece.start : piece.end + 1]
            if last is not None and last.stroke == piece.stroke and last.end == piece.start:
                lines[-1] = np.concatenate([lines[-1], points[1:]])
            else:
                lines.append(points)
            last = piece
        xs = np.concatenate(lines)[:, 0]
        reach = DELAYED_REACH * self.body
        for index in self.delayed:
            middle = float(self.strokes[index][:, 0].mean())
            if xs.min() - reach <= middle <= xs.max() + reach:
                lines.append(self.strokes[index])
        return lines

    def inner_gap(self, edge: tuple[int, int]) -> float:
        """The widest blank column between the candidate's pieces (0 where their inks overlap side to side)."""
        return widest_gap([(float(p[:, 0].min()), float(p[:, 0].max())) for p in self.candidate(edge)], self.brush)

    def strokes_of(self, edge: tuple[int, int]) -> Strokes:
        return Strokes(self.size[0], self.size[1], tuple(self.candidate(edge)), self.brush)

    def box(self, edge: tuple[int, int]) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the candidate's ink, brush included, canvas units."""
        points = np.concatenate(self.candidate(edge))
        half = self.brush / 2
        (left, top), (right, bottom) = points.min(axis=0) - half, points.max(axis=0) + half
        return float(left), float(top), float(right), float(bottom)


def widest_gap(spans: list[tuple[float, float]], brush: float = 0.0) -> float:
    """The widest gap between horizontal spans (lines ``brush`` wide): 0 where they overlap side to side."""
    widest, reach = 0.0, None
    for left, right in sorted(spans):
        if reach is not None:
            widest = max(widest, left - reach - brush)
        reach = right if reach is None else max(reach, right)
    return max(widest, 0.0)


def body_height(strokes: list[np.ndarray]) -> float:
    """How tall the writing's body is (about a lowercase letter's height): the middle half of the ink's heights,
    sampled evenly along the pen's path, scaled to a letter's; at least a third of the ink's height (a row of
    capitals or digits is all body)."""
    dense = along_paths(strokes, np.array([_length(s) / 50 + 1e-9 for s in strokes]))[0]
    low, high = np.percentile(dense[:, 1], [25, 75])
    points = np.concatenate(strokes)
    return max(1.3 * float(high - low), float(np.ptp(points[:, 1])) / 3, 1e-3 * float(np.ptp(points[:, 0])), 1e-6)


def over_segment(strokes: Strokes, parts: list[list[int]] | None = None, cuts: Cuts = CUTS) -> PenLattice:
    """The word these strokes write, cut into pieces (see the module's docstring). ``parts``: which strokes form
    pieces of ink written apart (stroke indices), so a candidate can say how many it takes from."""
    raw = [np.asarray(s, dtype=np.float64) for s in strokes.strokes]
    body = body_height(raw)
    points, counts = along_paths(raw, SPACING * body)
    resampled = np.split(points, np.cumsum(counts)[:-1])
    pieces: list[Piece] = []
    delayed: list[int] = []
    marks: list[tuple[float, int, int]] = []  # (how marked, stroke, point) for every cut inside a stroke
    reached = -np.inf
    for index, points in enumerate(resampled):
        size = float(np.ptp(points, axis=0).max()) if len(points) > 1 else 0.0
        if index and points[0, 0] < reached - DELAYED_BACK * body and size < DELAYED_SIZE * body:
            delayed.append(index)
            continue
        reached = max(reached, float(points[:, 0].max()))
        marks += [(mark, index, at) for at, mark in _cuts(points, cuts.cut_at)]
        pieces.append(Piece(index, 0, len(points) - 1))
    allowed = max(0, MAX_PIECES - len(pieces))
    kept = sorted(marks, reverse=True)[:allowed]
    pieces = _split(pieces, {(stroke, at) for _, stroke, at in kept})
    lattice = PenLattice(resampled, pieces, delayed, body, strokes.brush, (strokes.width, strokes.height))
    if parts:
        lattice.part_of = [next(k for k, part in enumerate(parts) if i in part) for i in range(len(raw))]
    lattice.part_of_piece = keys = [lattice.part_of[p.stroke] if parts else p.stroke for p in pieces]
    boxes = [(*resampled[p.stroke].min(axis=0), *resampled[p.stroke].max(axis=0)) for p in pieces]
    lattice.narrow = _narrow(keys, boxes, body, cuts.whole_width)
    lattice.edges = _edges(keys, cuts.max_run, lattice.narrow)
    return lattice


def _split(pieces: list[Piece], cuts: set[tuple[int, int]]) -> list[Piece]:
    out = []
    for piece in pieces:
        at = sorted(point for stroke, point in cuts if stroke == piece.stroke)
        bounds = [piece.start, *at, piece.end]
        out += [Piece(piece.stroke, a, b) for a, b in zip(bounds, bounds[1:])]
    return out


def _cuts(points: np.ndarray, cut_at: tuple[str, ...]) -> list[tuple[int, float]]:
    """(point, how marked) of the cuts inside one resampled stroke: local extrema of its height (``Cuts.cut_at``), at
    least CUT_MARGIN points from the ends and from each other; "how marked" is how far the pen moves away from
    the extremum's height on its less marked side."""
    if len(points) < 2 * CUT_MARGIN + 1:
        return []
    y = gaussian_filter1d(points[:, 1], 1.0)
    found: list[tuple[int, float]] = []
    for i in range(CUT_MARGIN, len(points) - CUT_MARGIN):
        window = y[i - CUT_MARGIN : i + CUT_MARGIN + 1]
        if "bottom" in cut_at and y[i] == window.max() and y[i] > y[i + 1]:  # y grows downwards
            mark = min(y[i] - y[:i].min(), y[i] - y[i + 1 :].min())
        elif "top" in cut_at and y[i] == window.min() and y[i] < y[i + 1]:
            mark = min(y[:i].max() - y[i], y[i + 1 :].max() - y[i])
        else:
            continue
        if not found or i - found[-1][0] > CUT_MARGIN:
            found.append((i, float(mark)))
    return found


def _length(points: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum()) if len(points) > 1 else 0.0


def _narrow(keys: list, boxes: list[tuple[float, float, float, float]], body: float, whole_width: float) -> set:
    extent: dict = {}
    for key, box in zip(keys, boxes):
        old = extent.get(key, box)
        extent[key] = (min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3]))
    return {k for k, (x0, y0, x1, y1) in extent.items() if x1 - x0 <= whole_width * max(body, y1 - y0)}


def _edges(part_of_piece: list, run: int, whole: set) -> list[tuple[int, int]]:
    """Runs of 1 to ``run`` pieces, and each piece of ink written apart in ``whole`` as one candidate."""
    count = len(part_of_piece)
    edges = [(i, j) for i in range(count) for j in range(i + 1, min(count, i + run) + 1)]
    starts = [i for i in range(count) if i == 0 or part_of_piece[i - 1] != part_of_piece[i]]
    ends = [*starts[1:], count]
    return edges + [(i, j) for i, j in zip(starts, ends) if j - i > run and part_of_piece[i] in whole]


def _inner_ends(edge: tuple[int, int], part_of_piece: list, narrow: set) -> int:
    """How many of a candidate's two ends cut through a piece of ink written apart no wider than a character (a
    printed letter cut in two; joined-up words are wider)."""
    i, j = edge
    return int(i > 0 and part_of_piece[i] in narrow and part_of_piece[i - 1] == part_of_piece[i]) + int(
        j < len(part_of_piece) and part_of_piece[j - 1] in narrow and part_of_piece[j - 1] == part_of_piece[j]
    )


#: Pictures: ink wider than Cuts.wide of its height is cut at its thinnest columns ...
#: ... at least this share of its height apart, where the column holds at most THIN of the ink's median column.
CUT_SPACING = 0.2
THIN = 0.6


@dataclass
class PictureLattice:
    """A word in a picture: pieces are column ranges of pieces of ink (``labels``: their connected components),
    left to right; candidate ``edges`` as for the pen."""

    pixels: np.ndarray  # the ink, high on strokes
    labelled: np.ndarray  # connected components of the strokes
    pieces: list[tuple[tuple[int, ...], int, int]]  # (components, first column, end column)
    body: float  # the writing's body height, pixels
    edges: list[tuple[int, int]] = field(default_factory=list)
    narrow: set = field(default_factory=set)  # pieces of ink no wider than a character (Cuts.whole_width)
    part_of_piece: list = field(default_factory=list)  # per piece: its connected components

    def mask(self, edge: tuple[int, int]) -> np.ndarray:
        mask = np.zeros(self.labelled.shape, bool)
        for labels, left, right in self.pieces[edge[0] : edge[1]]:
            mask[:, left:right] |= np.isin(self.labelled[:, left:right], labels)
        return mask

    def parts_spanned(self, edge: tuple[int, int]) -> int:
        return len({labels for labels, _, _ in self.pieces[edge[0] : edge[1]]})

    def inner_ends(self, edge: tuple[int, int]) -> int:
        return _inner_ends(edge, self.part_of_piece, self.narrow)

    def inner_gap(self, edge: tuple[int, int]) -> float:
        blank = ~self.mask(edge).any(axis=0)
        cols = np.flatnonzero(~blank)
        if not len(cols):
            return 0.0
        inside = blank[cols[0] : cols[-1] + 1]
        runs = np.diff(np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]]))))[::2]
        return float(runs.max()) if len(runs) else 0.0

    def box(self, edge: tuple[int, int]) -> tuple[int, int, int, int]:
        rows, cols = np.flatnonzero(self.mask(edge).any(axis=1)), np.flatnonzero(self.mask(edge).any(axis=0))
        if not len(rows):
            return 0, 0, 0, 0
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def cut_picture(
    pixels: np.ndarray, labelled: np.ndarray, parts: list, strokes: np.ndarray, cuts: Cuts = CUTS
) -> PictureLattice:
    """A word's parts (``model.words.layout``'s, left to right; ``strokes``: the ink mask) cut into pieces: each part
    whole, or where it is wide, at its thinnest columns."""
    inside = np.isin(labelled, [label for part in parts for label in part.labels])
    rows = np.nonzero(inside)[0]
    low, high = np.percentile(rows, [25, 75])
    body = max(1.3 * float(high - low), 0.25 * float(np.ptp(rows) + 1), 1.0)
    pieces: list[tuple[tuple[int, ...], int, int]] = []
    for part in parts:
        left, top, right, bottom = part.box
        labels = tuple(part.labels)
        columns = [left, right]
        if right - left > cuts.wide * (bottom - top):
            own = np.isin(labelled[top:bottom, left:right], labels) & strokes[top:bottom, left:right]
            columns = [left, *(left + c for c in _thin_columns(own.sum(axis=0), bottom - top)), right]
        pieces += [(labels, a, b) for a, b in zip(columns, columns[1:])]
        if len(pieces) >= MAX_PIECES:
            break
    lattice = PictureLattice(pixels, labelled, pieces[:MAX_PIECES], body)
    lattice.part_of_piece = keys = [labels for labels, _, _ in lattice.pieces]
    tops = {tuple(part.labels): (part.box[1], part.box[3]) for part in parts}
    lattice.narrow = _narrow(
        keys, [(a, tops[k][0], b, tops[k][1]) for k, a, b in lattice.pieces], body, cuts.whole_width
    )
    lattice.edges = _edges(keys, cuts.max_run, lattice.narrow)
    return lattice


def _thin_columns(profile: np.ndarray, height: int) -> list[int]:
    """Columns where the ink is thinnest: local minima of the (smoothed) column profile, CUT_SPACING apart."""
    smooth = gaussian_filter1d(profile.astype(np.float64), max(1.0, 0.03 * height))
    median = float(np.median(smooth[smooth > 0])) if (smooth > 0).any() else 0.0
    spacing = max(2, int(CUT_SPACING * height))
    found: list[int] = []
    for c in range(spacing // 2, len(smooth) - spacing // 2):
        window = smooth[max(0, c - spacing // 2) : c + spacing // 2 + 1]
        if smooth[c] == window.min() and smooth[c] <= THIN * median and (not found or c - found[-1] >= spacing):
            found.append(c)
    return found
