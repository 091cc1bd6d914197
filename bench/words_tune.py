"""Choosing the word reader's search weights (``model.words.search.WEIGHTS``) and cuts (``model.words.segmentation``) on UNIPEN
words of the writers kept for tuning (``train.pen.WORD_TUNE_CONTRIBUTORS``: never trained on, never reported by
``python -m bench words``), as pad strokes and as pictures; and on strings of characters written apart, read
without the word list: random letters or digits of the UNIPEN writers the model held out for validation (as pad
strokes and as a picture) and of EMNIST's validation split (as a picture).

Each word is placed on the word pad, cut and read by the network once; the search then runs with many weights.
Coordinate ascent from the current weights, two rounds: each weight in turn takes the value of its grid that scores
best (word accuracy with the word list, minus the character error rates of the words without it, of the strings
and of the pictures), the others held. The segmentation's settings (where strokes are cut, how many pieces a
character may take, which ink is also read whole, which pictured ink is cut) are compared with the weights chosen.

    python -m bench words_tune --data-dir ../shared/data/emnist-47
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from harness import data
from harness.drawings import raster
from harness.strings import as_pad_strokes, compose, emnist_ink, pen_ink
from model.classifier import Classifier
from model.ink.canvas import WORD_CANVAS, pad_value, word_placing
from model.ink.preprocess import find_ink, open_image
from model.ink.strokes import Strokes
from model.labels import LABELS
from model.words import search
from model.words.cut_and_search import word_graphs
from model.words.lexicon import Vocabulary
from model.words.segmentation import CUTS as CUTS_SERVED
from model.words.segmentation import Cuts

from .common import table
from .words import DIGITS, LETTERS, cer, sample_words

GRID = {
    "per_character": (-2.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0),
    "per_extra_piece": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "width": (0.0, 0.5, 1.0, 2.0),
    "gap": (2.0, 8.0, 20.0),
    "apart": (4.0, 12.0, 30.0),
    "inner": (0.0, 1.0, 2.0, 4.0, 8.0),
    "inner_picture": (0.0, 1.0, 2.0, 4.0, 8.0),
    "word": (0.25, 0.5, 1.0, 1.5),
    "spelling": (0.25, 0.5, 1.0, 1.5),
    "outside": (-12.0, -8.0, -4.0, -2.0, 0.0),
}
#: The segmentation's settings compared (each a change from what ``model.words.segmentation`` serves; {}: as served).
CUTS = [
    {},
    {"cut_at": ("bottom",)},
    {"max_run": 6},
    {"max_run": 7},
    {"whole_width": 1.0},
    {"whole_width": 2.0},
    {"wide": 1.2},
    {"wide": 1.6},
]


def graphs_of(
    classifier: Classifier, words: list, pictures: bool = False, cuts: Cuts = CUTS_SERVED
) -> list[tuple[str, list[search.Graph]]]:
    """Each word placed on the word pad, and cut and read as the pad sends it (or as a picture of that ink)."""
    rng = np.random.default_rng(29)
    read_glyphs = classifier.glyph_reader(None, None)
    out = []
    for w in words:
        placing = word_placing(list(w.strokes), rng)
        if pictures:
            drawing = find_ink(open_image(raster(list(w.strokes), brush=6, canvas=WORD_CANVAS, **placing)))
        else:
            drawing = Strokes.parse(pad_value(list(w.strokes), canvas=WORD_CANVAS, **placing))
        out.append((w.text.lower(), word_graphs(drawing, read_glyphs, cuts)))
    return out


def string_graphs(classifier: Classifier, count: int, cuts: Cuts = CUTS_SERVED) -> list[tuple[str, list[search.Graph]]]:
    """``count`` strings of 3-7 characters written apart (half digits, half letters) by the UNIPEN writers the
    model held out for validation, each as the word pad sends it and as a picture of the same ink."""
    characters = data.pen_validation_characters(classifier.metrics.training.recipe)
    if characters is None:
        raise FileNotFoundError("the tuning strings need UNIPEN characters a model held out (../shared)")
    by_kind = {
        kind: [c for c in characters if c.category in names]
        for kind, names in (("digits", {"digits"}), ("letters", {"uppercase", "lowercase"}))
    }
    rng = np.random.default_rng(31)
    read_glyphs = classifier.glyph_reader(None, None)
    out = []
    for n in range(count):
        pool = by_kind["digits" if n % 2 else "letters"]
        chosen = [pool[i] for i in rng.integers(len(pool), size=int(rng.integers(3, 8)))]
        pens = [pen_ink(list(c.strokes), rng) for c in chosen]
        picture, boxes = compose([p[0] for p in pens], rng)
        text = "".join(c.label for c in chosen).lower()
        value, _ = as_pad_strokes(pens, boxes, (picture.shape[1], picture.shape[0]))
        out.append((text, word_graphs(Strokes.parse(value), read_glyphs, cuts)))
        out.append((text, word_graphs(find_ink(open_image(picture)), read_glyphs, cuts)))
    return out


def emnist_strings(
    classifier: Classifier, data_options, count: int, cuts: Cuts = CUTS_SERVED
) -> list[tuple[str, list[search.Graph]]]:
    """``count`` strings of 3-7 EMNIST glyphs of the validation split (half letters, half digits) side by side, as
    a picture: how the picture path reads characters written apart in EMNIST's own style."""
    from train.data import DataOptions, hold_out, load_splits

    options = data_options or DataOptions()
    splits = load_splits(options)
    held = hold_out(splits.x_train, splits.y_train, options.val_fraction, options.seed)
    by_class = {c: np.flatnonzero(held.y_val == c) for c in range(len(LABELS))}
    rng = np.random.default_rng(37)
    read_glyphs = classifier.glyph_reader(None, None)
    out = []
    for n in range(count):
        classes = rng.choice(DIGITS if n % 2 else LETTERS, int(rng.integers(3, 8)))
        inks = [emnist_ink(held.x_val[rng.choice(by_class[c])]) for c in classes]
        picture, _ = compose(inks, rng)
        out.append(
            ("".join(LABELS[c] for c in classes).lower(), word_graphs(find_ink(open_image(picture)), read_glyphs, cuts))
        )
    return out


def _best_texts(graphs, weights: search.Weights, vocabulary: Vocabulary) -> tuple[float, float]:
    """(share read right, mean CER) of the best readings."""
    read = []
    for _, units in graphs:
        paths = [search.decode(g, vocabulary.lexicons, weights) for g in units]
        read.append("".join(p[0].text for p in paths if p))
    return (
        round(float(np.mean([r == t for r, (t, _) in zip(read, graphs)])), 4),
        round(float(np.mean([cer(r, t) for r, (t, _) in zip(read, graphs)])), 4),
    )


def evaluate(graphs, weights: search.Weights, strings=(), pictures=()) -> dict:
    with_list, alone = Vocabulary.of(), Vocabulary.of(dictionary=False)
    right = top5 = errors = errors_alone = 0.0
    for text, units in graphs:
        read, offered, bare = "", [], ""
        for graph in units:
            paths = search.decode(graph, with_list.lexicons, weights)
            read += paths[0].text if paths else ""
            offered = [p.text for p in paths] if len(units) == 1 else [read]
            free = search.decode(graph, alone.lexicons, weights)
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
        **(dict(zip(("strings", "strings_cer"), _best_texts(strings, weights, alone))) if strings else {}),
        **(dict(zip(("pictures", "pictures_cer"), _best_texts(pictures, weights, with_list))) if pictures else {}),
    }


def objective(scores: dict) -> float:
    return (
        scores["accuracy"] - scores["cer_no_lexicon"] - scores.get("strings_cer", 0.0) - scores.get("pictures_cer", 0.0)
    )


def run(
    model=None, variant: str | None = None, data_options=None, quick: bool = False, count: int | None = None
) -> dict:
    classifier = Classifier.load(model, variant=variant)
    words, name = data.pen_words("tune")
    words = sample_words(words, count or (40 if quick else 300), seed=9)
    count_strings = 30 if quick else 200

    def sets(cuts: Cuts = CUTS_SERVED) -> tuple:
        return (
            graphs_of(classifier, words, cuts=cuts),
            string_graphs(classifier, count_strings, cuts)
            + emnist_strings(classifier, data_options, count_strings // 2, cuts),
            graphs_of(classifier, words, pictures=True, cuts=cuts),
        )

    graphs, strings, pictures = sets()
    weights, history = search.WEIGHTS, []
    for _ in range(1 if quick else 2):
        for field, values in GRID.items():
            trials = []
            for value in values:
                candidate = dataclasses.replace(weights, **{field: value})
                trials.append((objective(scores := evaluate(graphs, candidate, strings, pictures)), value, scores))
            best = max(trials, key=lambda t: t[0])
            weights = dataclasses.replace(weights, **{field: best[1]})
            history.append({"weight": field, "tried": {str(v): s for _, v, s in trials}, "chosen": best[1]})
    cuts = []
    for change in CUTS[:2] if quick else CUTS:
        start = time.perf_counter()
        trial = sets(dataclasses.replace(CUTS_SERVED, **change))
        seconds = (time.perf_counter() - start) / len(words)
        edges = float(np.mean([sum(len(g.edges) for g in units) for _, units in trial[0]]))
        cuts.append(
            {
                "change": {k: list(v) if isinstance(v, tuple) else v for k, v in change.items()},
                "ms_per_word": round(1e3 * seconds, 1),
                "candidates": round(edges, 1),
                **evaluate(trial[0], weights, trial[1], trial[2]),
            }
        )
    return {
        "model": classifier.source,
        "data": name,
        "words": len(words),
        "strings": count_strings,
        "start": dataclasses.asdict(search.WEIGHTS),
        "chosen": dataclasses.asdict(weights),
        "chosen_scores": evaluate(graphs, weights, strings, pictures),
        "start_scores": evaluate(graphs, search.WEIGHTS, strings, pictures),
        "history": history,
        "cuts": cuts,
        "serving_cuts": {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(CUTS_SERVED).items()},
    }


def report(result: dict) -> str:
    same = result["chosen"] == result["start"]
    rows = [[k, result["start"][k], result["chosen"][k]] for k in GRID]
    s, c = result["start_scores"], result["chosen_scores"]
    cuts = [
        [
            ", ".join(f"{k} {v}" for k, v in x["change"].items()) or "as served",
            x["candidates"],
            x["ms_per_word"],
            *_scores(x),
        ]
        for x in result["cuts"]
    ]
    served = ", ".join(f"{k} {v}" for k, v in result["serving_cuts"].items())
    return (
        f"Model `{result['model']}`: {result['data']}, {result['words']} words (never reported by `bench words`), "
        "as pad strokes and as pictures; and "
        f"{result['strings']} strings of 3-7 characters written apart by the UNIPEN writers the model held out for "
        f"validation, as pad strokes and as pictures, and {result['strings'] // 2} of EMNIST validation glyphs as "
        "pictures, read without the word list. The objective: word accuracy "
        "minus the character error rates of the words without the word list, of the strings and of the pictures.\n\n"
        + table(
            [["in model/words/search.py", *_scores(s)], ["chosen here", *_scores(c)]],
            ["weights", *SCORE_NAMES],
        )
        + (
            "\n\nThe weights chosen are those in `model/words/search.py`."
            if same
            else "\n\nThe weights chosen are NOT those in `model/words/search.py`."
        )
        + "\n\n"
        + table(rows, ["weight", "in model/words/search.py", "chosen here"])
        + f"\n\nThe segmentation's settings (`model/words/segmentation.py`; served: {served}), with the chosen weights:\n\n"
        + table(cuts, ["setting", "candidates per word", "ms per word (cut, draw, read)", *SCORE_NAMES])
    )


SCORE_NAMES = [
    "word accuracy",
    "top-5",
    "CER",
    "CER, no word list",
    "strings read right",
    "strings' CER",
    "pictures read right",
    "pictures' CER",
]


def _scores(s: dict) -> list[str]:
    return [
        f"{100 * s['accuracy']:.1f}%",
        f"{100 * s['top5']:.1f}%",
        f"{s['cer']:.3f}",
        f"{s['cer_no_lexicon']:.3f}",
        f"{100 * s['strings']:.1f}%",
        f"{s['strings_cer']:.3f}",
        f"{100 * s['pictures']:.1f}%",
        f"{s['pictures_cer']:.3f}",
    ]
