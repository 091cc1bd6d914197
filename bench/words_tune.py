"""Choosing the word reader's search weights (``model.search.WEIGHTS``) and cuts (``model.segmentation``) on UNIPEN
words of the writers kept for tuning (``train.pen.WORD_TUNE_CONTRIBUTORS``: never trained on, never reported by
``python -m bench words``).

Each word is placed on the word pad, cut and read by the network once; the search then runs with many weights.
Coordinate ascent from the current weights, two rounds: each weight in turn takes the value of its grid that scores
best (word accuracy with the word list, minus the character error rate without it), the others held. The cuts
(where strokes are cut, how many pieces a character may take) are compared with the weights chosen.

    python -m bench words_tune
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from harness import data
from model import search, segmentation
from model.classifier import Classifier
from model.lexicon import Vocabulary
from model.pad import WORD_CANVAS, pad_value, word_placing
from model.reading import word_graphs
from model.strokes import Strokes

from .common import table
from .words import cer, sample_words

GRID = {
    "per_character": (-2.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0),
    "per_extra_piece": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "width": (0.0, 0.5, 1.0, 2.0),
    "gap": (2.0, 8.0, 20.0),
    "apart": (4.0, 12.0, 30.0),
    "word": (0.25, 0.5, 1.0, 1.5),
    "spelling": (0.25, 0.5, 1.0, 1.5),
    "outside": (-12.0, -8.0, -4.0, -2.0, 0.0),
}
CUTS = [(("bottom",), 5), (("bottom", "top"), 5), (("bottom", "top"), 6), (("bottom", "top"), 7)]


def graphs_of(classifier: Classifier, words: list) -> list[tuple[str, list[search.Graph]]]:
    rng = np.random.default_rng(29)
    answer = classifier._answerer(None, None)
    out = []
    for w in words:
        value = pad_value(list(w.strokes), canvas=WORD_CANVAS, **word_placing(list(w.strokes), rng))
        out.append((w.text.lower(), word_graphs(Strokes.parse(value), answer)))
    return out


def evaluate(graphs, weights: search.Weights) -> dict:
    with_list, alone = Vocabulary.of(), Vocabulary.of(dictionary=False)
    right = top5 = errors = errors_alone = 0.0
    for text, units in graphs:
        read, offered, bare = "", [], ""
        for graph in units:
            paths = search.decode(graph, with_list.lexicons, with_list.spelling, weights)
            read += paths[0].text if paths else ""
            offered = [p.text for p in paths] if len(units) == 1 else [read]
            free = search.decode(graph, alone.lexicons, alone.spelling, weights)
            bare += free[0].text if free else ""
        right += read == text
        top5 += text in offered
        errors += cer(read, text)
        errors_alone += cer(bare, text)
    n = len(graphs)
    return {
        "accuracy": round(right / n, 4),
        "top5": round(top5 / n, 4),
        "cer": round(errors / n, 4),
        "cer_no_lexicon": round(errors_alone / n, 4),
    }


def objective(scores: dict) -> float:
    return scores["accuracy"] - scores["cer_no_lexicon"]


def run(model=None, quick: bool = False, count: int | None = None) -> dict:
    classifier = Classifier.load(model)
    words, name = data.pen_words("tune")
    words = sample_words(words, count or (40 if quick else 300), seed=9)
    saved = segmentation.CUT_AT, segmentation.MAX_RUN
    graphs = graphs_of(classifier, words)
    weights, history = search.WEIGHTS, []
    for _ in range(1 if quick else 2):
        for field, values in GRID.items():
            trials = []
            for value in values:
                candidate = dataclasses.replace(weights, **{field: value})
                trials.append((objective(scores := evaluate(graphs, candidate)), value, scores))
            best = max(trials, key=lambda t: t[0])
            weights = dataclasses.replace(weights, **{field: best[1]})
            history.append({"weight": field, "tried": {str(v): s for _, v, s in trials}, "chosen": best[1]})
    cuts = []
    for cut_at, max_run in CUTS[:1] if quick else CUTS:
        segmentation.CUT_AT, segmentation.MAX_RUN = cut_at, max_run
        start = time.perf_counter()
        trial = graphs_of(classifier, words)
        seconds = (time.perf_counter() - start) / len(words)
        edges = float(np.mean([sum(len(g.edges) for g in units) for _, units in trial]))
        cuts.append(
            {
                "cut_at": list(cut_at),
                "max_run": max_run,
                "ms_per_word": round(1e3 * seconds, 1),
                "candidates": round(edges, 1),
                **evaluate(trial, weights),
            }
        )
    segmentation.CUT_AT, segmentation.MAX_RUN = saved
    return {
        "model": classifier.source,
        "data": name,
        "words": len(words),
        "start": dataclasses.asdict(search.WEIGHTS),
        "chosen": dataclasses.asdict(weights),
        "chosen_scores": evaluate(graphs, weights),
        "start_scores": evaluate(graphs, search.WEIGHTS),
        "history": history,
        "cuts": cuts,
        "serving_cuts": {"cut_at": list(saved[0]), "max_run": saved[1]},
    }


def report(result: dict) -> str:
    same = result["chosen"] == result["start"]
    rows = [[k, result["start"][k], result["chosen"][k]] for k in GRID]
    s, c = result["start_scores"], result["chosen_scores"]
    cuts = [
        [
            " and ".join(x["cut_at"]),
            x["max_run"],
            x["candidates"],
            x["ms_per_word"],
            f"{100 * x['accuracy']:.1f}%",
            f"{100 * x['top5']:.1f}%",
            f"{x['cer']:.3f}",
            f"{x['cer_no_lexicon']:.3f}",
        ]
        for x in result["cuts"]
    ]
    return (
        f"Model `{result['model']}`: {result['data']}, {result['words']} words (never reported by `bench words`). "
        f"Word accuracy / top-5 / CER / CER without the word list: {100 * s['accuracy']:.1f}% / {100 * s['top5']:.1f}% "
        f"/ {s['cer']:.3f} / {s['cer_no_lexicon']:.3f} with the weights in `model/search.py`, "
        f"{100 * c['accuracy']:.1f}% / {100 * c['top5']:.1f}% / {c['cer']:.3f} / {c['cer_no_lexicon']:.3f} with the "
        "weights chosen here"
        + (" (the same)." if same else " (NOT the weights in `model/search.py`).")
        + "\n\n"
        + table(rows, ["weight", "in model/search.py", "chosen here"])
        + f"\n\nWhere strokes are cut (serving: {' and '.join(result['serving_cuts']['cut_at'])}, runs of at most "
        f"{result['serving_cuts']['max_run']} pieces), with the chosen weights:\n\n"
        + table(
            cuts,
            [
                "cut at the pen's",
                "pieces per character",
                "candidates per word",
                "ms per word (cut, draw, read)",
                "word accuracy",
                "top-5",
                "CER",
                "CER, no word list",
            ],
        )
    )
