"""From the word model's per-frame probabilities to the best readings: a CTC prefix beam search (Graves et al.
2009) that walks the word list's trie (``model.words.lexicon``), weighing each word's frequency against the ink, beside
a free search that spells anything the character model allows (names, codes, numbers). A listed word wins where
the ink agrees with it; where the ink agrees with no listed word, the free reading does.

Words are searched case-insensitively (the list's symbols); ``style_from_ink`` then settles the word's case (all
small, a capital first, all capitals) from the frames the reading aligns each letter with.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model.labels import LABELS, index_of
from model.network.word_model import ALPHABET, BLANK
from model.words.lexicon import SYMBOLS, CharModel, Lexicon, Vocabulary

TOP = 5
#: The least log-probability the picture model's second opinion gives a reading (``rescored``).
PICTURE_FLOOR = -60.0
#: The least probability the LeNet-5 gives a character (``as_symbols``): a class it rules out still may be read.
GLYPH_FLOOR = 1e-12
_NEG = -math.inf


@dataclass(frozen=True)
class Weights:
    """How a reading's score adds up: the ink's log-probability, plus ``prior`` times a listed word's log
    frequency, or ``spelling`` times the character model's log-probability minus ``outside`` for a reading no
    list holds (``number`` instead for a number where no list holds numbers, as the English one holds none: it is
    no near miss of a listed word); with no list at all, ``alone`` times the character model's (a spelling that
    competes with no listed word can weigh more). Where the word is also seen as a picture, each of the best
    readings then gains ``picture`` times the picture model's log-probability of it (a second opinion whose
    mistakes are not the pen model's); a reading of one character also gains ``glyph`` times how far the LeNet-5's
    log-probability of it falls below its best guess for the ink (trained on characters written alone, it tells a
    lone g from a 9, or a u from an a, better than a model of words). Chosen by ``python -m bench word_model
    --writers tune``: the first three with the English list on the tuning writers' words, ``alone`` without any
    (each the lowest CER among those about as accurate as the most accurate), ``picture``, then ``glyph``, with and
    without the list together, ``number`` with the list on every tuning word and on numbers written by unseen
    writers, at the share numbers have among the training words (the tuning writers wrote next to none)."""

    prior: float = 0.6
    spelling: float = 0.4
    outside: float = 8.0
    alone: float = 1.0
    number: float = 6.0
    picture: float = 0.5
    glyph: float = 1.5


WEIGHTS = Weights()


@dataclass(frozen=True)
class Search:
    """How wide the search looks: ``beam`` prefixes kept per frame; characters below ``prune`` probability in a
    frame not tried there (most frames are one character or blank). Chosen by ``python -m bench word_model
    --writers tune`` with the weights, the word pad's time in mind."""

    beam: int = 24
    prune: float = 1e-4


SEARCH = Search()

# Output index of each caseless symbol's lowercase and uppercase forms in the word model's output.
_LOWER = np.array([ALPHABET.index(c) + 1 for c in SYMBOLS])
_UPPER = np.array([ALPHABET.index(c.upper()) + 1 for c in SYMBOLS])
_INDEX = {c: k for k, c in enumerate(SYMBOLS)}  # each caseless symbol's place in SYMBOLS


def _classes_of_symbols() -> np.ndarray:
    """(LeNet-5 class, caseless symbol): 1 where the class is one of the symbol's cases."""
    table = np.zeros((len(LABELS), len(SYMBOLS)), np.float32)
    for k, c in enumerate(SYMBOLS):
        table[sorted({index_of(c), index_of(c.upper())}), k] = 1.0
    return table


_CLASS_OF_SYMBOL = _classes_of_symbols()


def caseless(log_probabilities: np.ndarray) -> np.ndarray:
    """(T, 1 + len(SYMBOLS)): blank, then each symbol with both its cases' probability."""
    blank = log_probabilities[:, [BLANK]]
    both = np.logaddexp(log_probabilities[:, _LOWER], np.where(_UPPER == _LOWER, _NEG, log_probabilities[:, _UPPER]))
    return np.concatenate([blank, both], axis=1)


@dataclass(frozen=True)
class Candidate:
    text: str  # caseless, as searched
    ink: float  # log-probability of the text given the ink (CTC, summed over alignments)
    score: float  # ink plus the word list's or the spelling's share
    listed: bool


def decode(
    log_probabilities: np.ndarray,
    vocabulary: Vocabulary,
    weights: Weights = WEIGHTS,
    search: Search = SEARCH,
    picture: np.ndarray | None = None,
    glyph: Callable[[], np.ndarray] | None = None,
) -> list[Candidate]:
    """The best readings, best first (at most TOP): each list's words and the free spelling, merged by text, then
    weighed again by ``picture`` (the picture model's log-probabilities for the same word) and ``glyph`` (the
    LeNet-5's reading of the ink as one character, ``as_symbols``), where given (see ``rescored``)."""
    frames = caseless(log_probabilities)
    weights = effective(weights, vocabulary)
    found = ranked(
        listed(frames, vocabulary, weights, search), spelt(frames, vocabulary, weights, search), vocabulary, weights
    )
    seen = None if picture is None else (lambda texts: likelihoods(picture, texts))
    return rescored(found, weights, seen, glyph)


def rescored(
    candidates: list[Candidate],
    weights: Weights,
    seen: Callable[[list[str]], np.ndarray] | None = None,
    glyph: Callable[[], np.ndarray] | None = None,
) -> list[Candidate]:
    """The candidates with the second opinions' say added, best first: ``Weights.picture`` times ``seen`` (the
    picture model's log-probability of each text; one its frames cannot hold counts as PICTURE_FLOOR, so that the
    picture alone never rules out what the pen read), and for each reading of one character ``Weights.glyph``
    times how far the LeNet-5's log-probability of it falls below its best guess (``glyph()``, asked only where
    some reading is one character)."""
    texts = [c.text for c in candidates]
    extra = np.zeros(len(candidates))
    if seen is not None and weights.picture and candidates:
        extra += weights.picture * np.maximum(seen(texts), PICTURE_FLOOR)
    alone = [k for k, text in enumerate(texts) if len(text) == 1]
    if glyph is not None and weights.glyph and alone:
        read = glyph()
        extra[alone] += weights.glyph * (read[[_INDEX[texts[k]] for k in alone]] - read.max())
    if not extra.any():
        return candidates
    out = [dataclasses.replace(c, score=c.score + float(e)) for c, e in zip(candidates, extra)]
    return sorted(out, key=lambda c: -c.score)


def as_symbols(probabilities: np.ndarray) -> np.ndarray:
    """The LeNet-5's probabilities of its 47 classes as log-probabilities of the decoder's caseless SYMBOLS (a
    letter whose cases are two classes gets both)."""
    return np.log(np.maximum(probabilities @ _CLASS_OF_SYMBOL, GLYPH_FLOOR))


def effective(weights: Weights, vocabulary: Vocabulary) -> Weights:
    """The weights as ``decode`` applies them: with no list to leave, the spelling competes with no listed word."""
    if vocabulary.lexicons:
        return weights
    return dataclasses.replace(weights, spelling=weights.alone, outside=0.0, number=0.0)


def listed(frames: np.ndarray, vocabulary: Vocabulary, weights: Weights, search: Search = SEARCH) -> list[Candidate]:
    """Each list's words the ink allows (``caseless`` frames), scored with their frequency; of the weights only
    ``prior`` steers this search (``bench word_model`` reuses it across the others)."""
    return [
        Candidate(text, ink, ink + weights.prior * lexicon.log_prior_of(text), True)
        for lexicon in vocabulary.lexicons
        for text, ink in _search(frames, lexicon, None, weights, search)
    ]


def spelt(
    frames: np.ndarray, vocabulary: Vocabulary, weights: Weights, search: Search = SEARCH
) -> list[tuple[str, float]]:
    """(text, ink) of the free spellings the ink allows; of the weights only ``spelling`` steers this search."""
    return _search(frames, None, vocabulary.spelling, weights, search)


def ranked(
    words: list[Candidate], spellings: list[tuple[str, float]], vocabulary: Vocabulary, weights: Weights
) -> list[Candidate]:
    """The listed words and the spellings no list holds, each spelling paying for leaving the lists, merged by
    text, best first (at most TOP)."""
    found: dict[str, Candidate] = {}
    for candidate in words:
        _keep(found, candidate)
    for text, ink in spellings:
        if not any(text in lexicon for lexicon in vocabulary.lexicons):
            score = ink + weights.spelling * vocabulary.spelling.score(text) - _leaving(text, vocabulary, weights)
            _keep(found, Candidate(text, ink, score, False))
    return sorted(found.values(), key=lambda c: -c.score)[:TOP]


def _leaving(text: str, vocabulary: Vocabulary, weights: Weights) -> float:
    """What a reading no list holds pays: a number, where no list holds numbers, its own cost (a caller's list of
    numbers makes the others near misses of it); anything else ``outside``."""
    if text.isdigit() and not any(lexicon.numbers for lexicon in vocabulary.lexicons):
        return weights.number
    return weights.outside


def readings(
    log_probabilities: np.ndarray,
    vocabulary: Vocabulary,
    picture: np.ndarray | None = None,
    glyph: Callable[[], np.ndarray] | None = None,
) -> list[tuple[Candidate, str, list]]:
    """(candidate, its text in the ink's case, the frames each character occupies) for each candidate the frames
    can hold, best first; the best one's case (``style_from_ink``) goes to all, so alternatives differ in spelling.
    ``picture``, ``glyph``: second opinions on the same ink (``decode``)."""
    out, style = [], None
    candidates = decode(log_probabilities, vocabulary, picture=picture, glyph=glyph)
    for candidate, spans in zip(candidates, aligned(log_probabilities, [c.text for c in candidates])):
        if spans is None:
            continue
        style = style or style_from_ink(log_probabilities, candidate.text, spans)
        out.append((candidate, styled(candidate.text, style), spans))
    return out


def _keep(found: dict[str, Candidate], candidate: Candidate) -> None:
    if candidate.text and (candidate.text not in found or found[candidate.text].score < candidate.score):
        found[candidate.text] = candidate


def _search(
    frames: np.ndarray, lexicon: Lexicon | None, spelling: CharModel | None, weights: Weights, search: Search
) -> list[tuple[str, float]]:
    """CTC prefix beam search over ``frames`` (caseless log-probabilities): within the lexicon's trie, or free with
    the spelling model guiding the beam. -> (text, ink log-probability) of the complete readings found."""
    log_prune = np.log(search.prune)
    step = _Steps(lexicon, spelling, weights)
    # prefix -> [log p(ends in blank), log p(ends in its last symbol), trie node or spelling context, guide]
    beams: dict[str, list] = {"": [0.0, _NEG, 0 if lexicon is not None else spelling.start, 0.0]}
    likely = frames[:, 1:] > log_prune
    for row, tried in zip(frames.tolist(), np.split(np.nonzero(likely)[1], np.cumsum(likely.sum(axis=1))[:-1])):
        if not len(tried):  # no character likely here: every prefix only stays, none grows, nothing to prune
            beams = {
                prefix: [
                    _logaddexp(blank, symbol) + row[0],
                    symbol + row[1 + _INDEX[prefix[-1]]] if prefix else _NEG,
                    *rest,
                ]
                for prefix, (blank, symbol, *rest) in beams.items()
            }
            continue
        tried = tried.tolist()
        grown: dict[str, list] = {}
        for prefix, (blank, symbol, state, guide) in beams.items():
            total = _logaddexp(blank, symbol)
            _add(grown, prefix, total + row[0], _NEG, state, guide)
            if prefix:
                _add(grown, prefix, _NEG, symbol + row[1 + _INDEX[prefix[-1]]], state, guide)
            for s in tried:
                nxt, gain = step(state, s)
                if nxt is None:
                    continue
                extended = prefix + SYMBOLS[s]
                from_prefix = blank if prefix and SYMBOLS[s] == prefix[-1] else total
                _add(grown, extended, _NEG, from_prefix + row[1 + s], nxt, guide + gain)
        if len(grown) <= search.beam:
            beams = grown
            continue
        ranks = {prefix: -(_logaddexp(b[0], b[1]) + step.guide(b)) for prefix, b in grown.items()}
        beams = {prefix: grown[prefix] for prefix in sorted(grown, key=ranks.__getitem__)[: search.beam]}
    ended = []
    for prefix, (blank, symbol, state, _) in beams.items():
        if lexicon is not None and (lexicon.word_at[state] < 0):
            continue
        ended.append((prefix, _logaddexp(blank, symbol)))
    return ended


class _Steps:
    """(the state after symbol ``s``, what the beam's guide gains), or (None, 0) where the trie has no such child;
    each trie node's children, and each spelling context's weighted row, looked up once per search."""

    def __init__(self, lexicon: Lexicon | None, spelling: CharModel | None, weights: Weights):
        self.lexicon, self.spelling, self.weights = lexicon, spelling, weights
        self.rows: dict[int, list[float]] = {}
        self.children: dict[int, dict[int, int]] = {}
        self.below: dict[int, float] = {}

    def __call__(self, state: int, s: int) -> tuple[int | None, float]:
        if self.lexicon is None:
            row = self.rows.get(state)
            if row is None:
                row = self.rows[state] = (self.weights.spelling * self.spelling.log_next[state]).tolist()
            return self.spelling.after(state, s), row[s]
        children = self.children.get(state)
        if children is None:
            start, count = self.lexicon.child_start[state], self.lexicon.child_count[state]
            symbols = self.lexicon.child_symbol[start : start + count].tolist()
            children = self.children[state] = dict(
                zip(symbols, self.lexicon.child_node[start : start + count].tolist())
            )
        return children.get(s), 0.0

    def guide(self, beam: list) -> float:
        """What a prefix is pruned by besides the ink so far: the best word below it in the trie, or its
        spelling."""
        if self.lexicon is None:
            return beam[3]
        below = self.below.get(beam[2])
        if below is None:
            below = self.below[beam[2]] = self.weights.prior * float(self.lexicon.best[beam[2]])
        return below


def _logaddexp(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    return a if b == _NEG else a + math.log1p(math.exp(b - a))


def _add(grown: dict[str, list], prefix: str, blank: float, symbol: float, state: int, guide: float) -> None:
    old = grown.get(prefix)
    if old is None:
        grown[prefix] = [blank, symbol, state, guide]
    else:
        old[0], old[1] = _logaddexp(old[0], blank), _logaddexp(old[1], symbol)


def align(log_probabilities: np.ndarray, text: str) -> list[tuple[int, int]] | None:
    """The frames each character of ``text`` (caseless) occupies on the best CTC path (Viterbi): (first, last) per
    character, or None where the frames cannot hold it."""
    return aligned(log_probabilities, [text])[0]


def aligned(log_probabilities: np.ndarray, texts: list[str]) -> list[list[tuple[int, int]] | None]:
    """``align`` for several texts on the same frames, in one pass over the frames (a word's candidates)."""
    lattice = _Lattice(log_probabilities, texts)
    out: list[list[tuple[int, int]] | None] = [None] * len(texts)
    if not lattice.fits:
        return out
    score = np.full(lattice.skip.shape, _NEG)
    score[:, :2] = lattice.emitted[0, :, :2]
    back = np.zeros((len(lattice.emitted), *score.shape), np.int8)
    options = np.full((3, *score.shape), _NEG)
    for t in range(1, len(lattice.emitted)):
        options[0] = score
        options[1, :, 1:] = score[:, :-1]
        options[2, :, 2:] = np.where(lattice.skip[:, 2:], score[:, :-2], _NEG)
        back[t] = options.argmax(axis=0)
        score = options.max(axis=0) + lattice.emitted[t]
    for row, k in enumerate(lattice.fits):
        last = 2 * len(texts[k])
        end = last if score[row, last] >= score[row, last - 1] else last - 1
        if not np.isfinite(score[row, end]):
            continue
        path = [end]
        for t in range(len(lattice.emitted) - 1, 0, -1):
            path.append(path[-1] - int(back[t, row, path[-1]]))
        path.reverse()
        spans: list[list[int]] = [[-1, -1] for _ in texts[k]]
        for t, state in enumerate(path):
            if state % 2:
                i = state // 2
                spans[i][0] = t if spans[i][0] < 0 else spans[i][0]
                spans[i][1] = t
        out[k] = [(a, b) for a, b in spans]
    return out


def likelihoods(log_probabilities: np.ndarray, texts: list[str]) -> np.ndarray:
    """log p(text | frames) of each text, caseless, summed over all its CTC alignments (-inf where the frames
    cannot hold it): how well another model's frames agree with a reading."""
    lattice = _Lattice(log_probabilities, texts)
    out = np.full(len(texts), _NEG)
    if not lattice.fits:
        return out
    with np.errstate(invalid="ignore"):
        alpha = np.full(lattice.skip.shape, _NEG)
        alpha[:, :2] = lattice.emitted[0, :, :2]
        for t in range(1, len(lattice.emitted)):
            step = alpha.copy()
            step[:, 1:] = np.logaddexp(step[:, 1:], alpha[:, :-1])
            step[:, 2:] = np.where(lattice.skip[:, 2:], np.logaddexp(step[:, 2:], alpha[:, :-2]), step[:, 2:])
            alpha = step + lattice.emitted[t]
    for row, k in enumerate(lattice.fits):
        last = 2 * len(texts[k])
        out[k] = np.logaddexp(alpha[row, last], alpha[row, last - 1])
    return out


class _Lattice:
    """The CTC states of several texts on the same frames: blank, c1, blank, c2, ..., blank (past a text's end,
    blanks), which states may be reached from two back (a character after a blank, unless repeated), and each
    state's log-probability in each frame. ``fits``: the texts the frames can hold, in the rows' order."""

    def __init__(self, log_probabilities: np.ndarray, texts: list[str]):
        frames = caseless(log_probabilities)
        self.fits = [k for k, text in enumerate(texts) if 0 < len(text) <= len(frames)]
        n = 2 * max((len(texts[k]) for k in self.fits), default=0) + 1
        states = np.zeros((len(self.fits), n), np.int64)
        self.skip = np.zeros((len(self.fits), n), bool)
        for row, k in enumerate(self.fits):
            labels = [1 + _INDEX[c] for c in texts[k].lower()]
            states[row, 1 : 2 * len(labels) : 2] = labels
            self.skip[row, 3 : 2 * len(labels) : 2] = np.diff(labels) != 0
        self.emitted = frames[:, states]  # (T, texts, n)


#: How a reading's letters may be cased: the ink chooses one style for the whole word (a letter at a time would
#: read "hEllo" where one letter's capital and small forms look alike).
STYLES = ("lower", "title", "upper")


def style_from_ink(log_probabilities: np.ndarray, text: str, spans: list[tuple[int, int]]) -> str:
    """Which of STYLES the ink holds best for ``text``, summed over the frames ``align`` gives each letter."""
    letters = [k for k, c in enumerate(text) if c.isalpha()]

    def belief(style: str) -> float:
        cased = styled(text, style)
        return sum(
            float(np.logaddexp.reduce(log_probabilities[spans[k][0] : spans[k][1] + 1, ALPHABET.index(cased[k]) + 1]))
            for k in letters
        )

    return max(STYLES, key=belief) if letters else STYLES[0]


def styled(text: str, style: str) -> str:
    """``text`` in one of STYLES (a title capital goes to the first letter)."""
    first = next((k for k, c in enumerate(text) if c.isalpha()), -1)
    return "".join(
        c.upper() if style == "upper" or (style == "title" and k == first) else c.lower() for k, c in enumerate(text)
    )


def restrict(log_probabilities: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """The frames with characters outside ``allowed`` (a mask over model.labels.LABELS) ruled out."""
    if allowed is None:
        return log_probabilities
    keep = np.concatenate([[True], [bool(allowed[index_of(c)]) for c in ALPHABET]])
    return np.where(keep, log_probabilities, _NEG)
