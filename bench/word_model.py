"""The word model (``python -m train.words``) on whole handwritten words, scored exactly as ``bench words`` scores
the segmentation reader: UNIPEN's word test writers (``train.pen.WORD_TEST_CONTRIBUTORS``), or with ``tune`` its
tuning writers (the word model's validation), placed on the 720x288 word pad as someone would write them, read
with the English word list (``model.words.decoder``), without any list, and greedily (the network alone). Case is
ignored; in-list and out-of-list words are reported apart.

``python -m bench word_model --model FOLDER [--writers tune]`` (a folder holding words.tflite; default
``model/default/words``); with ``tune``, also the decoder's weights chosen there.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np

from harness import data
from model.ink import trajectory
from model.network.word_model import WordModel, WordModelError, greedy
from model.words.decoder import SEARCH, WEIGHTS, Search, Weights, decode
from model.words.lexicon import ORDER, Vocabulary, english, english_spelling

from .common import table
from .words import DIGITS, LETTERS, _word_scores, sample_words

DEFAULT = Path(__file__).resolve().parents[1] / "model" / "default" / "words"


def run(model=None, quick: bool = False, which: str = "test", count: int | None = None) -> dict:
    from harness.drawings import word_placing
    from model.ink.canvas import WORD_CANVAS, pad_value
    from model.ink.strokes import Strokes

    try:
        served = WordModel.load(model or DEFAULT)
    except WordModelError as exc:
        raise SystemExit(f"{exc}: train one with python -m train.words and pass its folder as --model") from None
    words, name = data.pen_words(which, full=False if quick else None)
    words = sample_words(words, count or (40 if quick else 1500))
    listed, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    english_words = english()
    rng = np.random.default_rng(23)
    rows = []
    for w in words:
        value = Strokes.parse(pad_value(list(w.strokes), canvas=WORD_CANVAS, **word_placing(list(w.strokes), rng)))
        start = time.perf_counter()
        frames = served(trajectory.features(value.strokes))
        found = decode(frames, listed)
        seconds = time.perf_counter() - start
        plain = decode(frames, bare)
        rows.append(
            {
                "truth": w.text,
                "category": w.category,
                "writer": w.writer,
                "in_lexicon": w.text.lower() in english_words,
                "read": found[0].text if found else "",
                "candidates": [c.text for c in found],
                "no_lexicon": plain[0].text if plain else "",
                "greedy": greedy(frames),
                "ms": round(1e3 * seconds, 2),
            }
        )
    greedy_right = np.mean([r["greedy"].lower() == r["truth"].lower() for r in rows])
    result = {
        "data": name,
        "model": served.info.get("command"),
        "words": len(rows),
        "greedy_accuracy": round(float(greedy_right), 4),
        **_word_scores(rows),
    }
    if which == "tune":  # the tuning writers also choose the decoder's weights
        result["weights"] = choose_weights(model, 100 if quick else 800, quick)
        result["readers"] = readers(100 if quick else 300)
    return result


#: The decoder's weights tried on the tuning writers (``model.words.decoder.WEIGHTS`` records the choice): with the
#: English list, then the spelling's weight without any list.
GRID = {"prior": (0.2, 0.35, 0.5, 0.7), "spelling": (0.15, 0.3, 0.5, 0.7), "outside": (3.0, 5.0, 7.0, 9.0, 11.0)}
ALONE = (0.3, 0.5, 0.7, 1.0)


def choose_weights(model=None, count: int = 800, quick: bool = False) -> dict:
    """Every weight combination of GRID on the tuning writers' words (the network run once per word), the best by
    word accuracy with the English list; then each ``alone`` of ALONE, the best by accuracy without any list; then
    what a number pays (``_number_costs``)."""
    served = WordModel.load(model or DEFAULT)
    words = sample_words(data.pen_words("tune")[0], count)
    frames = _frames(served, _placed([w.strokes for w in words], np.random.default_rng(29)))
    truth = [w.text.lower() for w in words]
    listed, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    rows = [
        {
            "weights": [prior, spelling, outside],
            "with_list": _right(frames, truth, listed, Weights(prior, spelling, outside)),
        }
        for prior in GRID["prior"]
        for spelling in GRID["spelling"]
        for outside in GRID["outside"]
    ]
    best = max(rows, key=lambda r: r["with_list"])
    alone = [{"alone": a, "no_list": _right(frames, truth, bare, Weights(*best["weights"], alone=a))} for a in ALONE]
    best_alone = max(alone, key=lambda r: r["no_list"])
    numbers = _number_costs(served, Weights(*best["weights"], alone=best_alone["alone"]), quick)
    chosen = Weights(*best["weights"], alone=best_alone["alone"], number=numbers["best"])
    return {
        "words": len(words),
        "grid": rows,
        "alone": alone,
        "number": numbers,
        "best": {**best, "weights": list(vars(chosen).values()), "no_list": best_alone["no_list"]},
        "current": list(vars(WEIGHTS).values()),
        "search": _search_widths(frames, truth, chosen),
        "spelling": _spelling_orders(frames, truth, chosen),
    }


def _placed(inks: list, rng: np.random.Generator) -> list[dict]:
    """Each word's strokes as a word pad value, placed on the pad as someone would write it."""
    from harness.drawings import word_placing
    from model.ink.canvas import WORD_CANVAS, pad_value

    return [pad_value(list(ink), canvas=WORD_CANVAS, **word_placing(list(ink), rng)) for ink in inks]


def _frames(served: WordModel, values: list[dict]) -> list[np.ndarray]:
    """The network's frames for each word pad value."""
    from model.ink.strokes import Strokes

    return [served(trajectory.features(Strokes.parse(value).strokes)) for value in values]


def _right(frames: list, truth: list[str], vocabulary: Vocabulary, weights: Weights) -> float:
    """The share of words whose best reading is the truth."""
    found = [decode(f, vocabulary, weights) for f in frames]
    return round(float(np.mean([bool(c) and c[0].text == t for c, t in zip(found, truth)])), 4)


#: What a number pays for leaving the list (``model.words.decoder.Weights.number``), tried with the other weights.
NUMBER = (0.0, 3.0, 6.0, 9.0)


def _number_costs(served: WordModel, weights: Weights, quick: bool = False) -> dict:
    """Each cost of NUMBER, with the English list: accuracy on every tuning word (their lone letters and short
    words are what a cheap number takes), on ``_validation_numbers`` (the tuning writers wrote next to no numbers),
    and on both together, the numbers counted at their share of the word model's training words; the best
    together is chosen (a tie: the dearer)."""
    from train import pen
    from train.words import split

    training, tuning = split(pen.read_words(data.UNIPEN_WORDS))  # the tuning writers' words validate it
    share = sum(w.text.isdigit() for w in training) / len(training)
    tuning = sample_words(tuning, 100) if quick else tuning
    frames = _frames(served, _placed([w.strokes for w in tuning], np.random.default_rng(43)))
    truth = [w.text.lower() for w in tuning]
    numbers = _validation_numbers(40 if quick else 400, np.random.default_rng(37))
    number_frames = _frames(served, [value for _, value, _ in numbers])
    listed, rows = Vocabulary.of(), []
    for cost in NUMBER:
        priced = dataclasses.replace(weights, number=cost)
        words = _right(frames, truth, listed, priced)
        on_numbers = _right(number_frames, [text for text, _, _ in numbers], listed, priced) if numbers else 0.0
        rows.append(
            {
                "number": cost,
                "words": words,
                "numbers": on_numbers,
                "together": (1 - share) * words + share * on_numbers,
            }
        )
    best = max(rows, key=lambda r: (round(r["together"], 6), r["number"]))
    return {
        "words": len(tuning),
        "numbers": len(numbers),
        "share": round(share, 4),
        "grid": [{**r, "together": round(r["together"], 4)} for r in rows],
        "best": best["number"],
    }


#: The spelling model's orders tried (``model.words.lexicon.ORDER`` records the choice); a longer one is a table of
#: 37 ** order numbers.
ORDERS = (2, 3, 4)


def _spelling_orders(frames: list, truth: list[str], weights: Weights) -> dict:
    """Each spelling order of ORDERS with the chosen weights: accuracy with the list, without, and without on the
    words the list lacks (what a spelling model is for: a longer one also learns the list's own words)."""
    english_words = english()
    outside = [t not in english_words for t in truth]
    rows = []
    for order in ORDERS:
        spelling = english_spelling(order)
        listed, bare = Vocabulary((english_words,), spelling), Vocabulary((), spelling)
        read = [(decode(f, listed, weights) or [None])[0] for f in frames]
        plain = [(decode(f, bare, weights) or [None])[0] for f in frames]
        right = [c is not None and c.text == t for c, t in zip(plain, truth)]
        rows.append(
            {
                "order": order,
                "with_list": round(float(np.mean([c is not None and c.text == t for c, t in zip(read, truth)])), 4),
                "no_list": round(float(np.mean(right)), 4),
                "no_list_outside": round(float(np.mean([r for r, o in zip(right, outside) if o])), 4),
            }
        )
    return {"grid": rows, "outside": int(sum(outside)), "current": ORDER}


#: How wide the decoder may search (``model.words.decoder.Search``), tried on the tuning writers.
SEARCH_GRID = {"beam": (24, 48), "prune": (1e-3, 1e-4)}


def _search_widths(frames: list, truth: list[str], weights: Weights) -> dict:
    """Each search width of SEARCH_GRID with the chosen weights: accuracy and top-5 with the list, accuracy
    without, and the decoder's median time a word (with the list)."""
    listed, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    rows = []
    for beam in SEARCH_GRID["beam"]:
        for prune in SEARCH_GRID["prune"]:
            search, seconds, read = Search(beam, prune), [], []
            for f in frames:
                start = time.perf_counter()
                read.append(decode(f, listed, weights, search))
                seconds.append(time.perf_counter() - start)
            plain = [(decode(f, bare, weights, search) or [None])[0] for f in frames]
            rows.append(
                {
                    "beam": beam,
                    "prune": prune,
                    "with_list": round(float(np.mean([bool(c) and c[0].text == t for c, t in zip(read, truth)])), 4),
                    "top5": round(float(np.mean([t in [c.text for c in cs] for cs, t in zip(read, truth)])), 4),
                    "no_list": round(float(np.mean([c is not None and c.text == t for c, t in zip(plain, truth)])), 4),
                    "ms_median": round(1e3 * float(np.median(seconds)), 2),
                }
            )
    return {"grid": rows, "current": [SEARCH.beam, SEARCH.prune]}


def report(result: dict) -> str:
    def row(label: str, s: dict) -> list:
        if not s.get("words"):
            return [label, 0, "–", "–", "–", "–", "–"]
        return [
            label,
            s["words"],
            f"{100 * s['accuracy']:.1f}%",
            f"{100 * s['top5']:.1f}%",
            f"{s['cer']:.3f}",
            f"{100 * s['accuracy_no_lexicon']:.1f}%",
            f"{s['cer_no_lexicon']:.3f}",
        ]

    weights = ""
    if "weights" in result:
        w = result["weights"]
        weights = (
            f"\n\nDecoder weights (prior, spelling, outside, alone, number) on {w['words']:,} tuning words: "
            f"best {w['best']['weights']} "
            f"({100 * w['best']['with_list']:.1f}% with the list, {100 * w['best']['no_list']:.1f}% without); "
            f"`model.words.decoder.WEIGHTS` is {w['current']}."
        )
        if "number" in w:
            n = w["number"]
            tried = "; ".join(
                f"{r['number']:g}: {100 * r['words']:.2f}% of the words, {100 * r['numbers']:.1f}% of the numbers, "
                f"{100 * r['together']:.2f}% together"
                for r in n["grid"]
            )
            weights += (
                f" What a number pays for leaving the list, on all {n['words']:,} tuning words and {n['numbers']} "
                f"numbers written apart by unseen writers (together: numbers at their share of the training words, "
                f"{100 * n['share']:.1f}%): {tried}."
            )
        if "search" in w:
            tried = "; ".join(
                f"beam {r['beam']}, prune {r['prune']:g}: {100 * r['with_list']:.1f}% (top-5 {100 * r['top5']:.1f}%), "
                f"{100 * r['no_list']:.1f}% without, {r['ms_median']} ms"
                for r in w["search"]["grid"]
            )
            weights += f" Search widths with those weights: {tried}; `decoder.SEARCH` is {w['search']['current']}."
        if "spelling" in w:
            tried = "; ".join(
                f"order {r['order']}: {100 * r['with_list']:.1f}% with the list, {100 * r['no_list']:.1f}% without "
                f"({100 * r['no_list_outside']:.1f}% of the {w['spelling']['outside']} words the list lacks)"
                for r in w["spelling"]["grid"]
            )
            weights += f" Spelling models with those weights: {tried}; `lexicon.ORDER` is {w['spelling']['current']}."
    if "readers" in result:
        a = result["readers"]
        weights += (
            "\n\nDrawings and pictures cut and searched (the reader of a repo without word models) or read by the "
            "word models (whole text right; pictures also as shipped: whole, but for characters written apart, cut): "
            + "; ".join(
                f"{name}: " + ", ".join(f"{100 * share:.1f}% {reader}" for reader, share in r.items())
                for name, r in a.items()
                if isinstance(r, dict)
            )
            + f" ({a['words']} words, {a['numbers']} numbers, {a.get('strings', 0)} EMNIST strings)."
        )
    rows = [row("all", result["all"]), row("in the word list", result["in_lexicon"])]
    rows.append(row("outside it", result["outside_lexicon"]))
    p10 = result["writer_accuracy_percentiles"]
    return (
        f"Word model `{result.get('model')}` on {result['data']}: {result['words']:,} words. Greedy (the network "
        f"alone): {100 * result['greedy_accuracy']:.1f}%. Per writer (10th/50th/90th percentile): "
        + ("–" if not p10 else " / ".join(f"{100 * v:.0f}%" for v in p10))
        + f". Median {result['ms_median']} ms a word (10 letters: {result['ms_median_10_letters']} ms).\n\n"
        + table(rows, ["words", "count", "accuracy", "top-5", "CER", "no list: accuracy", "no list: CER"])
        + weights
    )


def readers(count: int = 300) -> dict:
    """Whether drawings and pictures read better cut and searched (``model.words.cut_and_search``) than read by the
    word models: on the tuning writers' words (pictures drawn as ``bench words`` draws them), on numbers written
    apart by the UJI writers the pen model held out for validation, composed on the word pad exactly as ``bench
    words`` composes its pen-drawn numbers, and on strings of EMNIST glyphs the models held out for validation,
    composed as ``bench words`` composes its test glyphs; whole text right, without a word list but for the words.
    Pictures are also read as shipped: whole by the picture model, but for words written a character at a time
    (``with_picture_model.written_apart``), cut."""
    from harness.drawings import raster, word_placing
    from harness.strings import compose, emnist_ink
    from model.classifier import Classifier
    from model.ink.canvas import WORD_CANVAS, pad_value
    from model.ink.preprocess import find_ink, open_image
    from model.ink.strokes import Strokes
    from model.labels import LABELS
    from model.network.files import PEN
    from model.words import cut_and_search, with_picture_model, with_word_model
    from model.words.lexicon import Vocabulary

    classifier = Classifier.load(variant=PEN)
    recipe = classifier.metrics.training.recipe
    rng = np.random.default_rng(31)
    words, word_pictures = [], []
    for w in sample_words(data.pen_words("tune")[0], count):
        placing = word_placing(list(w.strokes), rng)
        words.append((w.text, pad_value(list(w.strokes), canvas=WORD_CANVAS, **placing)))
        word_pictures.append((w.text, raster(list(w.strokes), brush=6, canvas=WORD_CANVAS, **placing)))
    held = _validation_numbers(count, rng, classifier)
    numbers = [(text, value) for text, value, _ in held]
    number_pictures = [(text, picture) for text, _, picture in held]
    glyphs, labels = _emnist_validation(recipe)
    strings = []
    for kind in (LETTERS, DIGITS) if glyphs is not None else ():
        by_class = {c: np.flatnonzero(labels == c) for c in kind}
        for _ in range(count // 2):
            classes = rng.choice(kind, int(rng.integers(3, 8)))
            inks = [emnist_ink(glyphs[rng.choice(by_class[c])]) for c in classes]
            strings.append(("".join(LABELS[c] for c in classes), compose(inks, rng)[0]))

    def right(samples, reader: str, dictionary: bool) -> float:
        vocabulary, read_glyphs = Vocabulary.of(dictionary=dictionary), classifier.glyph_reader(None, None)
        read = []
        for _, v in samples:
            if isinstance(v, np.ndarray):  # a picture
                ink = find_ink(open_image(v))
                if reader == "cut":
                    reading = cut_and_search.read(ink, read_glyphs, vocabulary)
                else:
                    apart = reader != "word model"
                    reading = with_picture_model.read(
                        ink, classifier.word_pictures, read_glyphs, vocabulary, cut_apart=apart
                    )
            elif reader == "cut":
                reading = cut_and_search.read_strokes(Strokes.parse(v), read_glyphs, vocabulary)
            else:
                reading = with_word_model.read_strokes(Strokes.parse(v), classifier.words, read_glyphs, vocabulary)
            read.append(reading.text)
        return round(float(np.mean([r.lower() == t.lower() for r, (t, _) in zip(read, samples)])), 4)

    result = {
        "tuning words, with the list": {
            "cut": right(words, "cut", True),
            "word model": right(words, "word model", True),
        },
        "validation writers' numbers": {
            "cut": right(numbers, "cut", False),
            "word model": right(numbers, "word model", False),
        },
    }
    if classifier.word_pictures is not None:
        for name, samples, listed in (
            ("tuning words as pictures, with the list", word_pictures, True),
            ("validation writers' numbers as pictures", number_pictures, False),
            ("validation EMNIST strings as pictures", strings, False),
        ):
            result[name] = {reader: right(samples, reader, listed) for reader in PICTURE_READERS}
    return {**result, "words": len(words), "numbers": len(numbers), "strings": len(strings)}


def _validation_numbers(count: int, rng: np.random.Generator, classifier=None) -> list[tuple[str, dict, np.ndarray]]:
    """(text, word pad value, picture) of ``count`` numbers of 1 to 7 digits written apart by the UJI writers the
    pen model held out for validation (none without ../shared), composed as ``bench words`` composes its test
    writers' pen-drawn numbers. The word models never read UJI's characters."""
    from harness.strings import as_pad_strokes, compose, pen_ink
    from model.classifier import Classifier
    from model.network.files import PEN
    from train import pen

    if not data.PEN_FULL.is_file():
        return []
    recipe = (classifier or Classifier.load(variant=PEN)).metrics.training.recipe
    held = pen.training_and_validation(
        data.PEN_FULL, recipe.get("pen_writers", pen.TRAINING_WRITERS), recipe.get("pen_validation", 0.15),
        recipe.get("seed", 42), 0,
    )[1]  # fmt: skip
    by_digit = {d: [c for c in held if c.label == str(d)] for d in range(10)}
    out = []
    for _ in range(count):
        digits = rng.integers(0, 10, int(rng.integers(1, 8)))
        pens = [pen_ink(list(by_digit[d][int(rng.integers(len(by_digit[d])))].strokes), rng) for d in digits]
        picture, boxes = compose([p[0] for p in pens], rng)
        value, _ = as_pad_strokes(pens, boxes, (picture.shape[1], picture.shape[0]))
        out.append(("".join(str(d) for d in digits), value, picture))
    return out


#: How pictures may be read: cut and searched, whole by the picture model, or as shipped (written apart: cut).
PICTURE_READERS = ("cut", "word model", "as shipped")


def _emnist_validation(recipe: dict) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The EMNIST training images the models held out for validation (``train.data.hold_out`` with their recipe's
    fraction and seed), or (None, None) without the full EMNIST data."""
    if not data.EMNIST_FULL.is_dir():
        return None, None
    from train import data as train_data
    from train.emnist import read_folder

    splits = read_folder(data.EMNIST_FULL)
    held = train_data.hold_out(
        splits.x_train,
        splits.y_train,
        recipe.get("val_fraction", train_data.DataOptions.val_fraction),
        recipe.get("seed", 42),
    )
    return held.x_val, held.y_val
