"""From the word model's per-frame probabilities to the best readings: a CTC prefix beam search (Graves et al.
2009) that walks the word list's trie (``model.lexicon``), weighing each word's frequency against the ink, beside
a free search that spells anything the character model allows (names, codes, numbers). A listed word wins where
the ink agrees with it; where the ink agrees with no listed word, the free reading does.

Words are searched case-insensitively (the list's symbols); ``case_from_ink`` then settles each character's case
from the frames the reading aligns it with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lexicon import SYMBOLS, CharModel, Lexicon, Vocabulary
from .word_model import ALPHABET, BLANK

#: The beam: prefixes kept per frame.
BEAM = 24
#: Characters below this probability in a frame are not tried there (most frames are one character or blank).
PRUNE = 1e-3
TOP = 5
_NEG = -np.inf


@dataclass(frozen=True)
class Weights:
    """How a reading's score adds up: the ink's log-probability, plus ``prior`` times a listed word's log
    frequency, or ``spelling`` times the character model's log-probability minus ``outside`` for a reading no
    list holds. Chosen by ``python -m bench word_model --writers tune`` on the tuning writers' words."""

    prior: float = 0.35
    spelling: float = 0.5
    outside: float = 5.0


WEIGHTS = Weights()

# Output index of each caseless symbol's lowercase and uppercase forms in the word model's output.
_LOWER = np.array([ALPHABET.index(c) + 1 for c in SYMBOLS])
_UPPER = np.array([ALPHABET.index(c.upper()) + 1 for c in SYMBOLS])


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


def decode(log_probabilities: np.ndarray, vocabulary: Vocabulary, weights: Weights = WEIGHTS) -> list[Candidate]:
    """The best readings, best first (at most TOP): each list's words and the free spelling, merged by text."""
    frames = caseless(log_probabilities)
    found: dict[str, Candidate] = {}
    for lexicon in vocabulary.lexicons:
        for text, ink in _search(frames, lexicon, None, weights):
            prior = lexicon.log_prior_of(text)
            _keep(found, Candidate(text, ink, ink + weights.prior * prior, True))
    for text, ink in _search(frames, None, vocabulary.spelling, weights):
        listed = any(text in lexicon for lexicon in vocabulary.lexicons)
        if not listed:
            spelled = vocabulary.spelling.score(text)
            _keep(found, Candidate(text, ink, ink + weights.spelling * spelled - weights.outside, False))
    return sorted(found.values(), key=lambda c: -c.score)[:TOP]


def _keep(found: dict[str, Candidate], candidate: Candidate) -> None:
    if candidate.text and (candidate.text not in found or found[candidate.text].score < candidate.score):
        found[candidate.text] = candidate


def _search(
    frames: np.ndarray, lexicon: Lexicon | None, spelling: CharModel | None, weights: Weights
) -> list[tuple[str, float]]:
    """CTC prefix beam search over ``frames`` (caseless log-probabilities): within the lexicon's trie, or free with
    the spelling model guiding the beam. -> (text, ink log-probability) of the complete readings found."""
    log_prune = np.log(PRUNE)
    # prefix -> [log p(ends in blank), log p(ends in its last symbol), trie node or last symbol code, guide]
    beams: dict[str, list] = {"": [0.0, _NEG, 0 if lexicon is not None else CharModel.START, 0.0]}
    for row in frames:
        tried = np.flatnonzero(row[1:] > log_prune)
        grown: dict[str, list] = {}
        for prefix, (blank, symbol, state, guide) in beams.items():
            total = np.logaddexp(blank, symbol)
            _add(grown, prefix, total + row[0], _NEG, state, guide)
            if prefix:
                last = SYMBOLS.index(prefix[-1])
                _add(grown, prefix, _NEG, symbol + row[1 + last], state, guide)
            for s in tried:
                nxt, step = _step(lexicon, spelling, state, int(s), weights)
                if nxt is None:
                    continue
                extended = prefix + SYMBOLS[s]
                from_prefix = blank if prefix and SYMBOLS[s] == prefix[-1] else total
                _add(grown, extended, _NEG, from_prefix + row[1 + s], nxt, guide + step)
        beams = dict(sorted(grown.items(), key=lambda kv: -_rank(kv[1], lexicon, weights))[:BEAM])
    ended = []
    for prefix, (blank, symbol, state, _) in beams.items():
        if lexicon is not None and (lexicon.word_at[state] < 0):
            continue
        ended.append((prefix, float(np.logaddexp(blank, symbol))))
    return ended


def _step(lexicon: Lexicon | None, spelling: CharModel | None, state: int, s: int, weights: Weights):
    """(the state after symbol ``s``, what the beam's guide gains), or (None, 0) where the trie has no such child."""
    if lexicon is not None:
        start, count = lexicon.child_start[state], lexicon.child_count[state]
        children = lexicon.child_symbol[start : start + count]
        at = np.flatnonzero(children == s)
        return (int(lexicon.child_node[start + at[0]]), 0.0) if len(at) else (None, 0.0)
    return s, weights.spelling * float(spelling.log_next[state, s])


def _rank(beam: list, lexicon: Lexicon | None, weights: Weights) -> float:
    """What a prefix is pruned by: the ink so far, and the best word below it in the trie (or its spelling)."""
    ink = np.logaddexp(beam[0], beam[1])
    if lexicon is not None:
        return ink + weights.prior * lexicon.best[beam[2]]
    return ink + beam[3]


def _add(grown: dict[str, list], prefix: str, blank: float, symbol: float, state: int, guide: float) -> None:
    if prefix in grown:
        old = grown[prefix]
        old[0], old[1] = np.logaddexp(old[0], blank), np.logaddexp(old[1], symbol)
    else:
        grown[prefix] = [blank, symbol, state, guide]


def align(log_probabilities: np.ndarray, text: str) -> list[tuple[int, int]] | None:
    """The frames each character of ``text`` (caseless) occupies on the best CTC path (Viterbi): (first, last) per
    character, or None where the frames cannot hold it."""
    frames = caseless(log_probabilities)
    labels = [1 + SYMBOLS.index(c) for c in text.lower()]
    states = [0]
    for label in labels:
        states += [label, 0]
    n, t_count = len(states), len(frames)
    if t_count < len(labels):
        return None
    score = np.full((t_count, n), _NEG)
    back = np.zeros((t_count, n), np.int64)
    score[0, 0] = frames[0, 0]
    if n > 1:
        score[0, 1] = frames[0, states[1]]
    for t in range(1, t_count):
        for k in range(n):
            options = [(score[t - 1, k], k)]
            if k >= 1:
                options.append((score[t - 1, k - 1], k - 1))
            if k >= 2 and states[k] != 0 and states[k] != states[k - 2]:
                options.append((score[t - 1, k - 2], k - 2))
            best, came = max(options)
            score[t, k] = best + frames[t, states[k]]
            back[t, k] = came
    end = n - 1 if score[-1, n - 1] >= (score[-1, n - 2] if n > 1 else _NEG) else n - 2
    if not np.isfinite(score[-1, end]):
        return None
    path = [end]
    for t in range(t_count - 1, 0, -1):
        path.append(back[t, path[-1]])
    path.reverse()
    spans: list[list[int]] = [[-1, -1] for _ in labels]
    for t, k in enumerate(path):
        if states[k] != 0:
            i = (k - 1) // 2
            spans[i][0] = t if spans[i][0] < 0 else spans[i][0]
            spans[i][1] = t
    return [(a, b) for a, b in spans]


def case_from_ink(log_probabilities: np.ndarray, text: str) -> str:
    """``text`` with each letter's case as the ink says: upper where its frames hold more of the capital."""
    spans = align(log_probabilities, text)
    if spans is None:
        return text
    out = []
    for c, (first, last) in zip(text, spans):
        if not c.isalpha():
            out.append(c)
            continue
        rows = log_probabilities[first : last + 1]
        upper = np.logaddexp.reduce(rows[:, ALPHABET.index(c.upper()) + 1])
        lower = np.logaddexp.reduce(rows[:, ALPHABET.index(c.lower()) + 1])
        out.append(c.upper() if upper > lower else c.lower())
    return "".join(out)
