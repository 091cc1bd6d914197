"""Which words a reading may be: a word list with frequencies (searched as a trie), and for anything else a
character model, so that numbers, codes and names still read.

The default list is the English frequency dictionary that ships with ``symspellpy`` (82,765 words with counts,
from Google Books Ngram and SCOWL; MIT licence; 82,711 of them letters only). Never UNIPEN's words: the benchmarks
read those. A caller may switch the list off or give their own words (names, a product list), alone or added to
the English ones. Words are matched case-insensitively: case is the ink's to say (``search``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np

#: What a word may be made of, case-insensitively: the letters and digits the 47 classes can read.
SYMBOLS = "abcdefghijklmnopqrstuvwxyz0123456789"
DIGIT_SYMBOLS = frozenset(range(26, 36))
#: A caller's word list: at most this many words, this long each, this many characters as sent.
MAX_WORDS = 20_000
MAX_WORD_LENGTH = 30
MAX_LIST_CHARS = 400_000
#: Where the English list comes from (a file inside the installed symspellpy package).
ENGLISH_PACKAGE, ENGLISH_FILE = "symspellpy", "frequency_dictionary_en_82_765.txt"
ENGLISH_SOURCE = "symspellpy's frequency_dictionary_en_82_765 (Google Books Ngram and SCOWL word counts, MIT licence)"
#: A caller's own words are as likely as the English word of this frequency rank (a name should beat a rare word).
OWN_WORD_RANK = 2_000
#: What a word may hold (a taught text's words are its runs of these).
WORD = re.compile(r"[A-Za-z0-9]+")
_SEPARATORS = re.compile(r"[\s,;]+")


class WordListError(ValueError):
    """A word list that cannot be used; the message says why, for the person or program that sent it."""


@dataclass(frozen=True)
class Lexicon:
    """Words (lowercase) with log prior probabilities, and the trie the search walks: node 0 is the root; a node's
    children are ``child_node[child_start[n] : child_start[n] + child_count[n]]``, reached by ``child_symbol``
    (an index into SYMBOLS); ``word_at[n]`` is the word a node ends (-1: none); ``best[n]`` the best log prior
    below it (the search's look-ahead); ``numbers``: whether it holds any number."""

    words: tuple[str, ...]
    log_prior: np.ndarray
    child_start: np.ndarray
    child_count: np.ndarray
    child_symbol: np.ndarray
    child_node: np.ndarray
    word_at: np.ndarray
    best: np.ndarray
    source: str = ""
    numbers: bool = False

    @classmethod
    def from_counts(cls, counts: dict[str, float], source: str = "") -> Lexicon:
        words = sorted(counts)
        total = float(sum(counts.values()))
        log_prior = np.log(np.asarray([counts[w] for w in words], dtype=np.float64) / total)
        parent, symbol, word_at = [-1], [-1], [-1]  # node 0: the root
        children: list[dict[int, int]] = [{}]
        for number, word in enumerate(words):
            node = 0
            for char in word:
                s = SYMBOLS.index(char)
                nxt = children[node].get(s)
                if nxt is None:
                    nxt = len(parent)
                    children[node][s] = nxt
                    children.append({})
                    parent.append(node)
                    symbol.append(s)
                    word_at.append(-1)
                node = nxt
            word_at[node] = number
        count = np.asarray([len(c) for c in children], dtype=np.int32)
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int32)
        child_node = np.asarray([n for c in children for _, n in sorted(c.items())], dtype=np.int32)
        child_symbol = np.asarray([s for c in children for s, _ in sorted(c.items())], dtype=np.int8)
        word_at_array = np.asarray(word_at, dtype=np.int32)
        best = np.full(len(parent), -np.inf)
        ends = word_at_array >= 0
        best[ends] = log_prior[word_at_array[ends]]
        for node in range(len(parent) - 1, 0, -1):  # children come after their parent: one backward pass
            best[parent[node]] = max(best[parent[node]], best[node])
        numbers = any(w.isdigit() for w in words)
        return cls(
            tuple(words), log_prior, start, count, child_symbol, child_node, word_at_array, best, source, numbers
        )

    def __contains__(self, word: str) -> bool:
        return _index(self.words, word.lower()) is not None

    def __len__(self) -> int:
        return len(self.words)

    def log_prior_of(self, word: str) -> float | None:
        at = _index(self.words, word.lower())
        return None if at is None else float(self.log_prior[at])


def _index(words: tuple[str, ...], word: str) -> int | None:
    import bisect

    at = bisect.bisect_left(words, word)
    return at if at < len(words) and words[at] == word else None


def parse_words(words: str | Iterable[str]) -> list[str]:
    """A caller's word list as lowercase words; WordListError names the first problem (limits, characters)."""
    if isinstance(words, str):
        if len(words) > MAX_LIST_CHARS:
            raise WordListError(
                f"The word list is too long ({len(words):,} characters; the limit is {MAX_LIST_CHARS:,})."
            )
        items = [w for w in _SEPARATORS.split(words) if w]
    elif isinstance(words, Iterable):
        items = []
        for w in words:
            if not isinstance(w, str):
                raise WordListError("Every word in the list must be a string.")
            items.append(w.strip())
            if len(items) > MAX_WORDS:
                break
    else:
        raise WordListError("The word list must be a string or a list of strings.")
    if len(items) > MAX_WORDS:
        raise WordListError(f"The word list has too many words (the limit is {MAX_WORDS:,}).")
    out = []
    for number, word in enumerate(items, 1):
        if len(word) > MAX_WORD_LENGTH:
            raise WordListError(f"Word {number} is too long ({len(word)} characters; the limit is {MAX_WORD_LENGTH}).")
        if not WORD.fullmatch(word):
            raise WordListError(
                f"Word {number} ({word[:40]!r}) has characters that cannot be read: use letters A-Z and digits only."
            )
        out.append(word.lower())
    return out


@cache
def _english_counts() -> tuple[tuple[str, float], ...]:
    text = resources.files(ENGLISH_PACKAGE).joinpath(ENGLISH_FILE).read_text(encoding="utf-8")
    counts = []
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if WORD.fullmatch(word) and count.strip().isdigit():
            counts.append((word.lower(), float(count)))
    return tuple(counts)


@cache
def _english_rank_count(rank: int) -> float:
    counts = sorted((c for _, c in _english_counts()), reverse=True)
    return counts[min(rank, len(counts)) - 1]


@cache
def english() -> Lexicon:
    """The default word list (built once per process, about a second)."""
    return Lexicon.from_counts(dict(_english_counts()), ENGLISH_SOURCE)


#: How many symbols the spelling model sees at a time (the next one and those before it), chosen by ``python -m
#: bench word_model --writers tune`` for the words no list holds (a longer memory starts to recite the list).
ORDER = 4


@dataclass(frozen=True)
class CharModel:
    """Log-probabilities of the next symbol given the ``order - 1`` before it (an n-gram over SYMBOLS, plus the
    word's start and end): English spelling learnt from a word list (each word once: names and rare words count as
    much as common ones), each longer context interpolated with the shorter one (Witten-Bell), and digits that
    follow digits, for numbers. ``log_next[context, next]``: the context its symbols as a number in base
    BASE (START before the word), next in 0..36 (36: the end)."""

    log_next: np.ndarray
    order: int = 2

    START = END = len(SYMBOLS)
    #: How many codes a context position may hold: the symbols and START (or, as the next symbol, END).
    BASE = len(SYMBOLS) + 1

    @classmethod
    def from_words(
        cls, words: Iterable[str], order: int = ORDER, digit_share: float = 0.1, switch: float = 0.02
    ) -> CharModel:
        """``digit_share``: how often a reading starts with a digit; ``switch``: how often a letter is followed by
        a digit, or a digit by a letter."""
        n, letters, digits = cls.BASE, list(range(26)), sorted(DIGIT_SYMBOLS)
        spelled = [[cls.START] * (order - 1) + [SYMBOLS.index(c) for c in w] + [cls.END] for w in words if w.isalpha()]
        counts = np.full((n, n), 0.1)  # add-k smoothing: any spelling stays possible
        np.add.at(counts, _grams(spelled, 2, n, order - 1), 1)
        counts[:, digits] = 0.0
        probabilities = counts / counts.sum(axis=1, keepdims=True)  # rows: a letter or the start
        to_digit = np.full(n, switch)
        to_digit[cls.START] = digit_share
        probabilities *= (1 - to_digit)[:, None]
        probabilities[:, digits] = (to_digit / len(digits))[:, None]
        probabilities[digits, :] = switch / len(letters)  # rows: a digit, followed now and then by a letter ...
        probabilities[np.ix_(digits, [*digits, cls.END])] = (1 - switch) / (
            len(digits) + 1
        )  # ... else a digit or the end
        spelt = [*letters, cls.END]
        for k in range(3, order + 1):
            seen = np.zeros((n ** (k - 1), n))
            np.add.at(seen, _grams(spelled, k, n, order - 1), 1)
            shorter = probabilities[np.arange(n ** (k - 1)) % n ** (k - 2)]
            total, kinds = seen.sum(axis=1, keepdims=True), (seen > 0).sum(axis=1, keepdims=True)
            trust = total / np.maximum(total + kinds, 1)
            mass = shorter[:, spelt].sum(axis=1, keepdims=True)  # what the shorter context leaves to letters
            shorter[:, spelt] = (1 - trust) * shorter[:, spelt] + trust * mass * seen[:, spelt] / np.maximum(total, 1)
            probabilities = shorter
        return cls(np.log(np.maximum(probabilities, 1e-12)).astype(np.float32), order)

    @property
    def start(self) -> int:
        """The context before a word's first symbol."""
        return sum(self.START * self.BASE**k for k in range(self.order - 1))

    def after(self, context, symbol):
        """The context once ``symbol`` follows (numbers or NumPy arrays of them)."""
        return (context * self.BASE + symbol) % self.BASE ** (self.order - 1)

    def score(self, text: str) -> float:
        context, total = self.start, 0.0
        for code in [*(SYMBOLS.index(c) for c in text.lower()), self.END]:
            total += float(self.log_next[context, code])
            context = self.after(context, code)
        return total


def _grams(spelled: list[list[int]], k: int, n: int, padding: int) -> tuple[np.ndarray, np.ndarray]:
    """(context number, next symbol) of every k-gram of the spellings (each led by ``padding`` STARTs) that
    predicts a word's symbol or its end."""
    if not spelled:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lengths = np.array([len(codes) for codes in spelled])
    flat = np.fromiter((c for codes in spelled for c in codes), np.int64, int(lengths.sum()))
    position = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    windows = np.lib.stride_tricks.sliding_window_view(flat, k)
    keep = position[k - 1 :] >= padding
    return windows[keep, :-1] @ n ** np.arange(k - 2, -1, -1), windows[keep, -1]


@cache
def english_spelling(order: int) -> CharModel:
    """English spelling of this order, built once per order (``cache`` keys on the arguments as passed)."""
    return CharModel.from_words([w for w, _ in _english_counts()], order)


@dataclass(frozen=True)
class Vocabulary:
    """What a reading may be: words from these lists (searched in turn), else any spelling the character model
    allows (at a cost, see ``search.Weights.outside``)."""

    lexicons: tuple[Lexicon, ...]
    spelling: CharModel

    @classmethod
    def of(cls, words: str | Iterable[str] | None = None, dictionary: bool = True) -> Vocabulary:
        """The English list (``dictionary``) and/or a caller's own words; with neither, spelling alone."""
        lexicons = [english()] if dictionary else []
        if words is not None and not (isinstance(words, str) and not words.strip()):
            lexicons.append(_own(tuple(parse_words(words))))
        return cls(tuple(lexicons), english_spelling(ORDER))


@lru_cache(maxsize=16)
def _own(words: tuple[str, ...]) -> Lexicon:
    """A caller's words (the last few lists are kept built), each as likely as the OWN_WORD_RANK-th English word."""
    built = Lexicon.from_counts(dict.fromkeys(words, 1.0), f"{len(set(words)):,} words given")
    prior = float(np.log(_english_rank_count(OWN_WORD_RANK) / sum(c for _, c in _english_counts())))
    return dataclasses.replace(
        built, log_prior=np.full(len(built.words), prior), best=np.where(np.isfinite(built.best), prior, -np.inf)
    )
