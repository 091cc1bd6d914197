"""Letters cut from real joined-up words, so the LeNet-5 learns characters as the word reader cuts them.

Every word of the chosen UNIPEN writers is over-segmented exactly as serving does (``model.words.segmentation``), every
candidate is read by a model, and the word is cut into its letters by forced alignment (``model.words.search.align``: the
segmentation that best spells the known text). A word is kept only when every letter it was cut into has its
letter among the model's top guesses (``TOP``), so a bad cut teaches nothing. The letters are written in UNIPEN's
character format (category ``1w``), which ``python -m train --pen-data`` reads like any other pen characters.

Writers: every UNIPEN word contributor outside the word test set and the writers that tune the word search
(``train.pen.WORD_TEST_CONTRIBUTORS``, ``WORD_TUNE_CONTRIBUTORS``).

    python -m train.word_letters --words WORDS_JSONL_GZ --model MODEL --output runs/word_letters.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from pathlib import Path

import numpy as np

from . import pen
from .splits import DataError

log = logging.getLogger("train.word_letters")
#: A word is kept when each of its letters is among the model's top this many symbols (case pooled).
TOP = 3


def contributors(words: list[pen.PenWord]) -> list[str]:
    """The word contributors letters may be cut from: all but the test set and the search's tuning writers."""
    excluded = set(pen.WORD_TEST_CONTRIBUTORS) | set(pen.WORD_TUNE_CONTRIBUTORS)
    return sorted({w.contributor for w in words} - excluded)


def letters_of(word: pen.PenWord, classifier) -> list[dict] | None:
    """The word's letters as UNIPEN character lines, or None when the alignment is not trusted. The whole word is
    one run of ink here (no layout) and its graph has no cost for cutting inside a narrow stroke, as when the
    bundled pen model's letters were cut: the command reproduces that data (the reader's own graph,
    ``cut_and_search.pen_unit``, would cut some printed words' letters differently)."""
    from model.ink.canvas import WORD_CANVAS, pad_value, word_placing
    from model.ink.orientation import upright_to_emnist
    from model.ink.preprocess import as_batch
    from model.ink.strokes import Strokes, render
    from model.words import search, segmentation

    value = pad_value(list(word.strokes), canvas=WORD_CANVAS, **word_placing(list(word.strokes)))
    lattice = segmentation.over_segment(Strokes.parse(value))  # on the word pad, as serving cuts it
    if not lattice.edges or len(lattice.pieces) < len(word.text):
        return None
    glyphs = np.stack([upright_to_emnist(render(lattice.strokes_of(e)).glyph) for e in lattice.edges])
    probabilities = classifier.engine(as_batch(glyphs))
    widths = np.asarray([(lattice.box(e)[2] - lattice.box(e)[0]) / lattice.body for e in lattice.edges])
    gaps = np.asarray([lattice.inner_gap(e) / lattice.body for e in lattice.edges])
    graph = search.Graph(len(lattice.pieces), lattice.edges, probabilities, widths, gaps, np.zeros(len(widths)))
    aligned = search.align(graph, word.text)
    if aligned is None:
        return None
    chosen, _ = aligned
    symbols = search.symbol_log_probabilities(probabilities)
    for edge, char in zip(chosen, word.text.lower()):
        own = symbols[edge, search.SYMBOLS.index(char)]
        if (symbols[edge] > own).sum() >= TOP:
            return None
    return [
        {
            "cat": "1w",
            "label": char,
            "contributor": word.contributor,
            "writer": word.writer,
            "quality": "aligned",
            "strokes": [np.round(line, 2).tolist() for line in lattice.candidate(lattice.edges[edge])],
        }
        for edge, char in zip(chosen, word.text)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.word_letters", description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=Path, required=True, help="UNIPEN's words.jsonl.gz")
    parser.add_argument("--model", required=True, help="the model that reads the candidates (path, folder or Hub id)")
    parser.add_argument("--output", type=Path, required=True, help="where the letters go (.jsonl.gz)")
    parser.add_argument("--max-words", type=int, default=None, help="at most this many words (seeded choice)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
    from model import Classifier
    from model.atomic import write_bytes

    try:
        everything = pen.read_words(args.words)
        chosen = [w for w in everything if w.contributor in contributors(everything)]
        if args.max_words and len(chosen) > args.max_words:
            keep = np.random.default_rng(args.seed).choice(len(chosen), args.max_words, replace=False)
            chosen = [chosen[i] for i in sorted(keep)]
        classifier = Classifier.load(args.model)
        lines, kept = [], 0
        for number, word in enumerate(chosen, 1):
            letters = letters_of(word, classifier)
            if letters:
                kept += 1
                lines += [json.dumps(letter, separators=(",", ":")) for letter in letters]
            if number % 2000 == 0:
                log.info("%d of %d words, %d kept, %d letters", number, len(chosen), kept, len(lines))
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_bytes(args.output, gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"{kept:,} of {len(chosen):,} words kept: {len(lines):,} letters in {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
