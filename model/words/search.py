"""The best readings of a word through its candidate characters (``model.words.segmentation``): a beam search over the
segmentation graph, as in LeCun et al. (1998, section IX), with and without a word list.

A reading is a path through the pieces; each step is one candidate character read as one symbol. Its score adds,
for every character, the LeNet-5's calibrated log-probability of that symbol (case ignored: the 47 classes' upper
and lower twins pooled), what the candidate's shape says about being one character (how many pieces, how wide for
the writing's body height), and a cost per character; then the word's prior: its log frequency in the word list,
or, for a reading outside the list (a number, a name, a code), the character model's log-probability of its
spelling plus a cost for leaving the list. WEIGHTS were chosen on the UNIPEN words of writers the benchmarks never
report (``python -m bench words_tune``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.labels import NUM_CLASSES, index_of
from model.words.lexicon import SYMBOLS, CharModel, Lexicon, english_spelling

#: Hypotheses kept at each point of the word.
BEAM = 48
#: Readings returned, best first.
TOP = 5
#: The spelling model's order here: characters written apart are codes, initials and numbers as often as words,
#: and a longer memory of English words makes a lone letter or a code unlikely.
SPELLING_ORDER = 2


@dataclass(frozen=True)
class Weights:
    character: float = 1.0  # the network's log-probability of each character's symbol
    per_character: float = 1.0  # added per character read (negative: fewer, larger characters)
    per_extra_piece: float = 0.5  # added per piece of a candidate beyond its first
    width: float = 2.0  # times (log of the candidate's width over its expected width) squared, subtracted
    gap: float = 20.0  # times the widest blank column inside the candidate (body heights), subtracted
    apart: float = 4.0  # subtracted per piece of ink written apart that a candidate joins to its first
    inner: float = 1.0  # subtracted per cut between two characters inside ink written apart as wide as a character
    inner_picture: float = 0.0  # the same in a picture (cut at thin columns, not where the pen turns)
    word: float = 0.5  # the word list's log prior of the word
    spelling: float = 0.5  # the character model's log-probability of a reading outside the list
    outside: float = -2.0  # added to a reading outside the list, when there is one


WEIGHTS = Weights()
#: A character's expected width, in body heights (``width`` penalises candidates far from it).
EXPECTED_WIDTH = 0.9


def symbol_classes() -> list[list[int]]:
    """For each of SYMBOLS, the classes that read as it (a and A; c alone, since EMNIST merges it with C)."""
    return [sorted({index_of(s), index_of(s.upper())}) for s in SYMBOLS]


_POOL = np.zeros((NUM_CLASSES, len(SYMBOLS)), np.float32)
for _s, _classes in enumerate(symbol_classes()):
    _POOL[_classes, _s] = 1.0


def symbol_log_probabilities(probabilities: np.ndarray) -> np.ndarray:
    """(E, 47) calibrated probabilities -> (E, 36) log-probabilities of SYMBOLS, case pooled."""
    return np.log(np.clip(probabilities @ _POOL, 1e-12, 1.0))


@dataclass
class Path:
    text: str  # lowercase symbols
    score: float
    edges: list[int]  # the candidate (edge index) read for each character
    in_lexicon: bool


@dataclass
class Graph:
    """What the search needs of a segmented word: ``nodes`` pieces, candidate ``edges`` (i, j) with their
    (E, 47) ``probabilities``, and their shapes: ``widths`` and inner ``gaps`` in body heights."""

    nodes: int
    edges: list[tuple[int, int]]
    probabilities: np.ndarray
    widths: np.ndarray
    gaps: np.ndarray  # the widest blank column inside each candidate, body heights
    apart: np.ndarray  # pieces of ink written apart each candidate joins, beyond its first
    inner: np.ndarray | None = None  # how many of each candidate's ends cut through ink as wide as a character
    pictured: bool = False  # cut from a picture (else from pen strokes)

    def step_scores(self, weights: Weights) -> np.ndarray:
        """(E, 36): what reading each candidate as each symbol adds to a path."""
        pieces = np.asarray([j - i for i, j in self.edges], dtype=np.float64)
        shape = (
            weights.per_character
            + weights.per_extra_piece * (pieces - 1)
            - weights.width * np.log(np.maximum(self.widths, 1e-3) / EXPECTED_WIDTH) ** 2
            - weights.gap * self.gaps
            - weights.apart * self.apart
            - 0.5
            * (weights.inner_picture if self.pictured else weights.inner)
            * (0.0 if self.inner is None else self.inner)
        )
        return weights.character * symbol_log_probabilities(self.probabilities) + shape[:, None]


def decode(
    graph: Graph,
    lexicons: tuple[Lexicon, ...] | list[Lexicon],
    weights: Weights = WEIGHTS,
    beam: int = BEAM,
    top: int = TOP,
) -> list[Path]:
    """The best readings, best first, distinct texts; inside the word list and (with a lower prior) outside it,
    spelt by ``english_spelling(SPELLING_ORDER)``."""
    spelling = english_spelling(SPELLING_ORDER)
    steps = graph.step_scores(weights)
    incoming: list[list[int]] = [[] for _ in range(graph.nodes + 1)]
    for e, (_, j) in enumerate(graph.edges):
        incoming[j].append(e)
    found: dict[str, Path] = {}
    outside_cost = weights.outside if lexicons else 0.0
    for path in _spelled(graph, incoming, steps, spelling, weights.spelling, beam, top):
        path.score += outside_cost
        found[path.text] = path
    for lexicon in lexicons:
        for path in _lexicon_paths(graph, incoming, steps, lexicon, weights.word, beam):
            if path.text not in found or found[path.text].score < path.score:
                found[path.text] = path
    return sorted(found.values(), key=lambda p: -p.score)[:top]


def align(graph: Graph, text: str, weights: Weights = WEIGHTS) -> tuple[list[int], np.ndarray] | None:
    """The best way to cut the word into ``text``'s characters (forced alignment, for training on letters cut
    from words): (the candidate read for each character, that candidate's step score), or None where no
    segmentation has that many characters."""
    symbols = [SYMBOLS.index(c) for c in text.lower()]
    steps = graph.step_scores(weights)
    n, m = graph.nodes, len(symbols)
    best = np.full((n + 1, m + 1), -np.inf)
    best[0, 0] = 0.0
    back: dict[tuple[int, int], int] = {}
    order = sorted(range(len(graph.edges)), key=lambda e: graph.edges[e][1])
    for e in order:
        i, j = graph.edges[e]
        for k in range(1, m + 1):
            value = best[i, k - 1] + steps[e, symbols[k - 1]]
            if value > best[j, k]:
                best[j, k], back[(j, k)] = value, e
    if not np.isfinite(best[n, m]):
        return None
    chosen, j = [], n
    for k in range(m, 0, -1):
        e = back[(j, k)]
        chosen.append(e)
        j = graph.edges[e][0]
    chosen.reverse()
    return chosen, np.asarray([steps[e, s] for e, s in zip(chosen, symbols)])


class _Beam:
    """Hypotheses ending at one point of the word: state (trie node or spelling context), score, and how they came."""

    def __init__(self, state, score, previous, edge, symbol):
        self.state, self.score, self.previous, self.edge, self.symbol = state, score, previous, edge, symbol


def _walk_back(beams: list[_Beam | None], edges: list[tuple[int, int]], end: int, row: int) -> tuple[list, list]:
    symbols, chosen = [], []
    node = end
    while node > 0:
        b = beams[node]
        edge, symbol, previous = int(b.edge[row]), int(b.symbol[row]), int(b.previous[row])
        symbols.append(symbol)
        chosen.append(edge)
        node, row = edges[edge][0], previous
    return symbols[::-1], chosen[::-1]


def _spelled(graph, incoming, steps, spelling: CharModel, weight: float, beam: int, top: int) -> list[Path]:
    """Readings of any spelling: a beam over (point, spelling context) with the character model."""
    n_symbols = len(SYMBOLS)
    beams: list[_Beam | None] = [None] * (graph.nodes + 1)
    start = spelling.start
    beams[0] = _Beam(np.array([start]), np.array([0.0]), np.array([-1]), np.array([-1]), np.array([-1]))
    for j in range(1, graph.nodes + 1):
        states, symbols, scores, previous, edges = [], [], [], [], []
        for e in incoming[j]:
            b = beams[graph.edges[e][0]]
            if b is None:
                continue
            total = b.score[:, None] + weight * spelling.log_next[b.state, :n_symbols] + steps[e][None, :]  # (H, 36)
            scores.append(total.ravel())
            states.append(spelling.after(b.state[:, None], np.arange(n_symbols)).ravel())
            symbols.append(np.tile(np.arange(n_symbols), len(b.score)))
            previous.append(np.repeat(np.arange(len(b.score)), n_symbols))
            edges.append(np.full(total.size, e))
        if not scores:
            continue
        score, state = np.concatenate(scores), np.concatenate(states)
        keep = _best(score, beam)
        beams[j] = _Beam(
            state[keep],
            score[keep],
            np.concatenate(previous)[keep],
            np.concatenate(edges)[keep],
            np.concatenate(symbols)[keep],
        )
    last = beams[graph.nodes]
    if last is None:
        return []
    final = last.score + weight * spelling.log_next[last.state, CharModel.END]
    paths: dict[str, Path] = {}
    for row in np.argsort(-final):
        symbols, chosen = _walk_back(beams, graph.edges, graph.nodes, int(row))
        text = "".join(SYMBOLS[s] for s in symbols)
        if text not in paths:
            paths[text] = Path(text, float(final[row]), chosen, False)
        if len(paths) == top:
            break
    return list(paths.values())


def _lexicon_paths(graph, incoming, steps, lexicon: Lexicon, weight: float, beam: int) -> list[Path]:
    """Readings inside the word list: a beam over (point, trie node), looking ahead to the best word below."""
    beams: list[_Beam | None] = [None] * (graph.nodes + 1)
    beams[0] = _Beam(np.array([0]), np.array([0.0]), np.array([-1]), np.array([-1]), np.array([-1]))
    for j in range(1, graph.nodes + 1):
        parts = []
        for e in incoming[j]:
            b = beams[graph.edges[e][0]]
            if b is None:
                continue
            counts = lexicon.child_count[b.state]
            if not counts.sum():
                continue
            owner = np.repeat(np.arange(len(b.state)), counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            child = lexicon.child_start[b.state][owner] + offsets
            symbol = lexicon.child_symbol[child].astype(np.int64)
            parts.append(
                (lexicon.child_node[child], b.score[owner] + steps[e][symbol], owner, np.full(len(owner), e), symbol)
            )
        if not parts:
            continue
        state, score, previous, edge, symbol = (np.concatenate(p) for p in zip(*parts))
        order = np.lexsort((-score, state))  # best first within each trie node ...
        first = np.ones(len(order), bool)
        first[1:] = state[order][1:] != state[order][:-1]
        unique = order[first]  # ... one hypothesis per prefix
        keep = unique[_best(score[unique] + weight * lexicon.best[state[unique]], beam)]
        beams[j] = _Beam(state[keep], score[keep], previous[keep], edge[keep], symbol[keep])
    last = beams[graph.nodes]
    if last is None:
        return []
    words = lexicon.word_at[last.state]
    ends = np.flatnonzero(words >= 0)
    final = last.score[ends] + weight * lexicon.log_prior[words[ends]]
    paths = []
    for k in np.argsort(-final)[:TOP]:
        symbols, chosen = _walk_back(beams, graph.edges, graph.nodes, int(ends[k]))
        paths.append(Path("".join(SYMBOLS[s] for s in symbols), float(final[k]), chosen, True))
    return paths


def _best(score: np.ndarray, count: int) -> np.ndarray:
    if len(score) <= count:
        return np.argsort(-score)
    keep = np.argpartition(-score, count)[:count]
    return keep[np.argsort(-score[keep])]
