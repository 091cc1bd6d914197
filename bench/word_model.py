"""The word model (``python -m train.words``) on whole handwritten words, scored exactly as ``bench words`` scores
the segmentation reader: UNIPEN's word test writers (``train.pen.WORD_TEST_CONTRIBUTORS``), or with ``tune`` its
tuning writers (the word model's validation), placed on the 720x288 word pad as someone would write them, read
with the English word list (``model.words.decoder``), without any list, and greedily (the network alone). Case is
ignored; in-list and out-of-list words are reported apart.

``python -m bench word_model --model FOLDER [--writers tune]`` (a folder holding words.tflite; default
``model/default/words``; the picture model beside it, in ``word_pictures``, gives its second opinion as the
served reader's does); with ``tune``, also the decoder's weights chosen there.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from harness import data
from model.ink import trajectory
from model.network.files import WORD_PICTURES_FOLDER
from model.network.word_model import READS_PICTURES, WordModel, WordModelError, greedy
from model.words import decoder
from model.words.decoder import SEARCH, TOP, WEIGHTS, Search, Weights, decode
from model.words.lexicon import ORDER, Vocabulary, english, english_spelling
from model.words.with_word_model import glyph_of, pictured
from train.evaluate import cer

from .common import table
from .words import DIGITS, LETTERS, _word_scores, sample_words

DEFAULT = Path(__file__).resolve().parents[1] / "model" / "default" / "words"


def run(model=None, quick: bool = False, which: str = "test", count: int | None = None) -> dict:
    from harness.drawings import word_placing
    from model.ink.canvas import WORD_CANVAS, pad_value
    from model.ink.strokes import Strokes

    served, pictures = _models(model)
    words, name = data.pen_words(which, full=False if quick and which == "test" else None)
    words = sample_words(words, count or (40 if quick else 1500))
    listed, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    english_words = english()
    rng = np.random.default_rng(23)
    rows = []
    for w in words:
        value = Strokes.parse(pad_value(list(w.strokes), canvas=WORD_CANVAS, **word_placing(list(w.strokes), rng)))
        start = time.perf_counter()
        frames = served(trajectory.features(value.strokes))
        picture = pictured(value, pictures)
        glyph = glyph_of(value, _lenet())
        found = decode(frames, listed, picture=picture, glyph=glyph)
        seconds = time.perf_counter() - start
        plain = decode(frames, bare, picture=picture, glyph=glyph)
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
        "second_opinion": None if pictures is None else pictures.info.get("command"),
        "words": len(rows),
        "greedy_accuracy": round(float(greedy_right), 4),
        **_word_scores(rows),
    }
    if which == "tune":  # the tuning writers also choose the decoder's weights
        result["weights"] = choose_weights(model, quick)
        result["readers"] = readers(100 if quick else 300)
    return result


def _models(model=None) -> tuple[WordModel, WordModel | None]:
    """(the pen model in ``model``, the picture model beside it or None)."""
    folder = Path(model or DEFAULT)
    try:
        served = WordModel.load(folder)
    except WordModelError as exc:
        raise SystemExit(f"{exc}: train one with python -m train.words and pass its folder as --model") from None
    try:
        return served, WordModel.load(folder.parent / WORD_PICTURES_FOLDER, READS_PICTURES)
    except WordModelError:
        return served, None


#: The decoder's weights tried on the tuning writers (``model.words.decoder.WEIGHTS`` records the choice): with the
#: English list, then the spelling's weight without any list.
GRID = {
    "prior": (0.35, 0.5, 0.6, 0.7, 0.85, 1.0),
    "spelling": (0.15, 0.3, 0.4, 0.5, 0.6, 0.7),
    "outside": (3.0, 5.0, 6.0, 7.0, 8.0, 9.0, 11.0, 13.0),
}
ALONE = (0.5, 0.7, 1.0, 1.4)
#: The picture model's weight as a second opinion, tried with the weights chosen before it ...
PICTURE = (0.0, 0.2, 0.3, 0.5, 0.7, 1.0)
#: ... and then the LeNet-5's, on readings of one character.
GLYPH = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)


def choose_weights(model=None, quick: bool = False) -> dict:
    """Every weight combination of GRID on every tuning writer's words, each writer counting alike (as ``bench
    words`` samples its test words evenly over the writers), the best with the English list by ``_best``; then
    each ``alone`` of ALONE without any list, the same way (both with the picture model's current weight); then
    each weight of PICTURE on the words with and without the list together, then each of GLYPH; then what a
    number pays (``_number_costs``)."""
    served, pictures = _models(model)
    words = data.pen_words("tune")[0]
    words = sample_words(words, 100) if quick else words
    tuning = _Words.of(served, words, pictures)
    english_list, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    combinations = [Weights(p, s, o) for p in GRID["prior"] for s in GRID["spelling"] for o in GRID["outside"]]
    alone = [Weights(alone=a) for a in ALONE]
    read = tuning.read([(english_list, w) for w in combinations] + [(bare, w) for w in alone])
    with_list, no_list = read.part(slice(0, len(combinations))), read.part(slice(len(combinations), None))
    rows = [
        {
            "weights": [w.prior, w.spelling, w.outside],
            "with_list": tuning.share(with_list.right[:, k]),
            "cer": tuning.mean(with_list.cer[:, k]),
        }
        for k, w in enumerate(combinations)
    ]
    best = rows[_best(tuning, with_list)]
    tried = [
        {"alone": a, "no_list": tuning.share(no_list.right[:, k]), "cer": tuning.mean(no_list.cer[:, k])}
        for k, a in enumerate(ALONE)
    ]
    best_alone = tried[_best(tuning, no_list)]
    picture = _opinion_weights(tuning, Weights(*best["weights"], alone=best_alone["alone"]), "picture", PICTURE)
    so_far = Weights(*best["weights"], alone=best_alone["alone"], picture=picture["best"])
    glyph = _opinion_weights(tuning, so_far, "glyph", GLYPH)
    so_far = dataclasses.replace(so_far, glyph=glyph["best"])
    numbers = _number_costs(served, pictures, tuning, so_far, quick)
    chosen = dataclasses.replace(so_far, number=numbers["best"])
    return {
        "words": len(words),
        "writers": len(set(tuning.writers)),
        "grid": rows,
        "alone": tried,
        "picture": picture,
        "glyph": glyph,
        "number": numbers,
        "best": {
            **best,
            "weights": list(vars(chosen).values()),
            "no_list": best_alone["no_list"],
            "no_list_cer": best_alone["cer"],
        },
        "current": list(vars(WEIGHTS).values()),
        "search": _search_widths(tuning, chosen),
        "spelling": _spelling_orders(tuning, chosen),
    }


def _opinion_weights(tuning: _Words, weights: Weights, opinion: str, grid: tuple) -> dict:
    """Each weight in ``grid`` of a second ``opinion`` ("picture" or "glyph", as ``Weights`` names it) with
    ``weights``: accuracy and CER with the English list and without any, the best by ``_best`` over both readings
    of every word together."""
    english_list, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    settings = [(v, dataclasses.replace(weights, **{opinion: p})) for p in grid for v in (english_list, bare)]
    read = tuning.read(settings)
    rows = [
        {
            opinion: p,
            "with_list": tuning.share(read.right[:, 2 * k]),
            "cer": tuning.mean(read.cer[:, 2 * k]),
            "no_list": tuning.share(read.right[:, 2 * k + 1]),
            "no_list_cer": tuning.mean(read.cer[:, 2 * k + 1]),
        }
        for k, p in enumerate(grid)
    ]
    both = _Read(
        np.concatenate([read.places[:, 0::2], read.places[:, 1::2]]),
        np.concatenate([read.cer[:, 0::2], read.cer[:, 1::2]]),
    )
    twice = _Words(tuning.frames * 2, tuning.truth * 2, np.concatenate([tuning.writers, tuning.writers]))
    return {"grid": rows, "best": grid[_best(twice, both)], "current": getattr(WEIGHTS, opinion)}


def _best(words: _Words, read: _Read) -> int:
    """The setting to keep: of those whose word accuracy is within a standard error of the most accurate one's
    (the error of the difference on the same words: the square root of the words the two read differently, over
    all words), the one with the lowest CER: a reader is judged by both, and settings closer than that are not
    told apart by these words."""
    accuracy = np.array([words.share(read.right[:, k]) for k in range(read.right.shape[1])])
    top = int(np.argmax(accuracy))
    differ = (read.right != read.right[:, [top]]).sum(axis=0)
    tied = accuracy[top] - accuracy <= np.sqrt(differ) / max(1, len(words.truth))
    cer = np.array([words.mean(read.cer[:, k]) if tied[k] else np.inf for k in range(len(tied))])
    return int(np.argmin(cer))


@dataclasses.dataclass
class _Words:
    """Words to choose the decoder's settings on: the network's frames for each (run once), the truth, the writer,
    the picture model's frames for each where it gives a second opinion, and the LeNet-5's reading of each as one
    character (``decoder.as_symbols``)."""

    frames: list[np.ndarray]
    truth: list[str]
    writers: np.ndarray
    pictures: list[np.ndarray | None] | None = None
    glyphs: list[np.ndarray] | None = None

    @classmethod
    def of(cls, served: WordModel, words: list, pictures: WordModel | None = None, seed: int = 43) -> _Words:
        values = _placed([w.strokes for w in words], np.random.default_rng(seed))
        return cls.written(served, values, [w.text for w in words], [w.writer for w in words], pictures)

    @classmethod
    def written(
        cls, served: WordModel, values: list[dict], truth: list[str], writers: list[str], pictures: WordModel | None
    ) -> _Words:
        """Word pad ``values`` of the ``truth`` texts by ``writers``, read by every model once."""
        return cls(
            _frames(served, values),
            [t.lower() for t in truth],
            np.array(writers),
            _pictures(pictures, values),
            _glyphs(values),
        )

    def share(self, right: np.ndarray, among: np.ndarray | None = None) -> float:
        """The share of ``right`` words (of those ``among``), each writer's share counting alike."""
        return self.mean(right, among)

    def mean(self, values: np.ndarray, among: np.ndarray | None = None) -> float:
        """The mean of a value a word (of those ``among``), each writer's mean counting alike."""
        among = np.ones(len(values), bool) if among is None else among
        means = [values[among & (self.writers == w)].mean() for w in np.unique(self.writers[among])]
        return round(float(np.mean(means)), 4) if means else 0.0

    def read(self, settings: list[tuple[Vocabulary, Weights] | tuple[Vocabulary, Weights, Search]]) -> _Read:
        """Each word under each setting, a forked process per core; what settings share (``decoder.listed`` is
        steered by the prior alone, ``decoder.spelt`` by the spelling's weight alone) is searched once per word."""
        _JOB.update(words=self, settings=[(v, w, *rest) if rest else (v, w, SEARCH) for v, w, *rest in settings])
        parts = np.array_split(np.arange(len(self.frames)), 8 * (os.cpu_count() or 1))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(os.cpu_count(), mp_context=context) as pool:
            done = list(pool.map(_read_part, parts))
        return _Read(np.concatenate([p for p, _ in done]), np.concatenate([c for _, c in done]))


@dataclasses.dataclass
class _Read:
    """(words, settings): where the truth comes among each word's readings (TOP where it is not among them), and
    the first reading's CER."""

    places: np.ndarray
    cer: np.ndarray

    @property
    def right(self) -> np.ndarray:
        return self.places == 0

    def part(self, columns: slice) -> _Read:
        return _Read(self.places[:, columns], self.cer[:, columns])


_JOB: dict = {}  # what the forked processes read: the words and the settings


def _read_part(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    words, settings = _JOB["words"], _JOB["settings"]
    places = np.full((len(indices), len(settings)), TOP, np.int8)
    errors = np.zeros((len(indices), len(settings)), np.float32)
    for row, k in enumerate(indices):
        frames, searched, truth = decoder.caseless(words.frames[k]), {}, words.truth[k]
        picture = words.pictures[k] if words.pictures else None
        seen = None if picture is None else _Seen(picture)
        glyph = None if words.glyphs is None else (lambda k=k: words.glyphs[k])
        scored = {}  # the CER of each first reading, once a word
        for column, (vocabulary, weights, search) in enumerate(settings):
            weights = decoder.effective(weights, vocabulary)
            lists = (tuple(map(id, vocabulary.lexicons)), weights.prior, search)
            spelling = (id(vocabulary.spelling), weights.spelling, search)
            if lists not in searched:
                searched[lists] = decoder.listed(frames, vocabulary, weights, search)
            if spelling not in searched:
                searched[spelling] = decoder.spelt(frames, vocabulary, weights, search)
            found = decoder.ranked(searched[lists], searched[spelling], vocabulary, weights)
            texts = [c.text for c in decoder.rescored(found, weights, seen, glyph)]
            places[row, column] = texts.index(truth) if truth in texts else TOP
            first = texts[0] if texts else ""
            if first not in scored:
                scored[first] = cer(first, truth)
            errors[row, column] = scored[first]
    return places, errors


class _Seen:
    """The picture model's log-probability of each text (``decoder.likelihoods``), each text's computed once."""

    def __init__(self, picture: np.ndarray | None):
        self.picture, self.known = picture, {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            self.known.update(zip(new, decoder.likelihoods(self.picture, new)))
        return np.array([self.known[t] for t in texts])


def _placed(inks: list, rng: np.random.Generator) -> list[dict]:
    """Each word's strokes as a word pad value, placed on the pad as someone would write it."""
    from harness.drawings import word_placing
    from model.ink.canvas import WORD_CANVAS, pad_value

    return [pad_value(list(ink), canvas=WORD_CANVAS, **word_placing(list(ink), rng)) for ink in inks]


def _frames(served: WordModel, values: list[dict]) -> list[np.ndarray]:
    """The network's frames for each word pad value."""
    from model.ink.strokes import Strokes

    return [served(trajectory.features(Strokes.parse(value).strokes)) for value in values]


def _pictures(pictures: WordModel | None, values: list[dict]) -> list[np.ndarray | None] | None:
    """The picture model's frames for each word pad value's ink, drawn as the served reader draws it."""
    from model.ink.strokes import Strokes

    return None if pictures is None else [pictured(Strokes.parse(value), pictures) for value in values]


def _glyphs(values: list[dict]) -> list[np.ndarray]:
    """The LeNet-5's reading of each word pad value's ink as one character, as the served reader asks for it."""
    from model.ink.strokes import Strokes

    return [glyph_of(Strokes.parse(value), _lenet())() for value in values]


@functools.cache
def _lenet():
    """The repo's pen-tuned LeNet-5 reading glyphs as the word pad's reader does (no writer, every class)."""
    from model.classifier import Classifier
    from model.network.files import PEN

    return Classifier.load(variant=PEN).glyph_reader(None, None)


#: What a number pays for leaving the list (``model.words.decoder.Weights.number``), tried with the other weights.
NUMBER = (0.0, 3.0, 6.0, 9.0)


def _number_costs(
    served: WordModel, pictures: WordModel | None, tuning: _Words, weights: Weights, quick: bool = False
) -> dict:
    """Each cost of NUMBER, with the English list: accuracy on the tuning words (their lone letters and short words
    are what a cheap number takes), on ``_validation_numbers`` (the tuning writers wrote next to no numbers), and
    on both together, the numbers counted at their share of the word model's training words; the best together is
    chosen (a tie: the dearer)."""
    from train import pen
    from train.words import split

    training, _ = split(pen.read_words(data.UNIPEN_WORDS))
    share = sum(w.text.isdigit() for w in training) / len(training)
    numbers = _validation_numbers(40 if quick else 400, np.random.default_rng(37))
    values = [value for _, value, _ in numbers]
    written = _Words.written(served, values, [text for text, _, _ in numbers], ["UJI"] * len(numbers), pictures)
    english_list, rows = Vocabulary.of(), []
    settings = [(english_list, dataclasses.replace(weights, number=cost)) for cost in NUMBER]
    on_words = tuning.read(settings).right
    on_numbers = written.read(settings).right if numbers else np.zeros((0, len(NUMBER)), bool)
    for k, cost in enumerate(NUMBER):
        words = tuning.share(on_words[:, k])
        right = written.share(on_numbers[:, k])
        rows.append({"number": cost, "words": words, "numbers": right, "together": (1 - share) * words + share * right})
    best = max(rows, key=lambda r: (round(r["together"], 6), r["number"]))
    return {
        "words": len(tuning.truth),
        "numbers": len(numbers),
        "share": round(share, 4),
        "grid": [{**r, "together": round(r["together"], 4)} for r in rows],
        "best": best["number"],
    }


#: The spelling model's orders tried (``model.words.lexicon.ORDER`` records the choice); a longer one is a table of
#: 37 ** order numbers.
ORDERS = (2, 3, 4)


def _spelling_orders(tuning: _Words, weights: Weights) -> dict:
    """Each spelling order of ORDERS with the chosen weights: accuracy with the list, without, and without on the
    words the list lacks (what a spelling model is for: a longer one also learns the list's own words)."""
    english_words = english()
    outside = np.array([t not in english_words for t in tuning.truth])
    settings = []
    for order in ORDERS:
        spelling = english_spelling(order)
        settings += [(Vocabulary((english_words,), spelling), weights), (Vocabulary((), spelling), weights)]
    right = tuning.read(settings).right
    rows = [
        {
            "order": order,
            "with_list": tuning.share(right[:, 2 * k]),
            "no_list": tuning.share(right[:, 2 * k + 1]),
            "no_list_outside": tuning.share(right[:, 2 * k + 1], outside),
        }
        for k, order in enumerate(ORDERS)
    ]
    return {"grid": rows, "outside": int(outside.sum()), "current": ORDER}


#: How wide the decoder may search (``model.words.decoder.Search``), tried on the tuning writers.
SEARCH_GRID = {"beam": (24, 48), "prune": (1e-3, 1e-4)}
TIMED = 300  # words the decoder is timed on, one at a time


def _search_widths(tuning: _Words, weights: Weights) -> dict:
    """Each search width of SEARCH_GRID with the chosen weights: accuracy and top-5 with the list, accuracy
    without, and the decoder's median time a word with the list (TIMED words, one process)."""
    english_list, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    widths = [Search(beam, prune) for beam in SEARCH_GRID["beam"] for prune in SEARCH_GRID["prune"]]
    read = tuning.read([(v, weights, search) for search in widths for v in (english_list, bare)])
    timed = tuning.frames[:: max(1, len(tuning.frames) // TIMED)]
    rows = []
    for k, search in enumerate(widths):
        seconds = []
        for f in timed:
            start = time.perf_counter()
            decode(f, english_list, weights, search)
            seconds.append(time.perf_counter() - start)
        rows.append(
            {
                "beam": search.beam,
                "prune": search.prune,
                "with_list": tuning.share(read.right[:, 2 * k]),
                "top5": tuning.share(read.places[:, 2 * k] < TOP),
                "no_list": tuning.share(read.right[:, 2 * k + 1]),
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
            f"\n\nDecoder weights (prior, spelling, outside, alone, number, picture, glyph) on {w['words']:,} tuning words "
            f"({w.get('writers', '?')} writers, each counting alike): "
            f"best {w['best']['weights']} "
            f"({100 * w['best']['with_list']:.1f}% with the list, CER {w['best'].get('cer', float('nan')):.4f}; "
            f"{100 * w['best']['no_list']:.1f}% without, CER {w['best'].get('no_list_cer', float('nan')):.4f}; "
            "of the settings within a standard error of the most accurate, the lowest CER); "
            f"`model.words.decoder.WEIGHTS` is {w['current']}."
        )
        for opinion, whose in (("picture", "The picture model's"), ("glyph", "The LeNet-5's, on one character,")):
            if opinion in w:
                tried = "; ".join(
                    f"{r[opinion]:g}: {100 * r['with_list']:.1f}% with the list (CER {r['cer']:.4f}), "
                    f"{100 * r['no_list']:.1f}% without ({r['no_list_cer']:.4f})"
                    for r in w[opinion]["grid"]
                )
                weights += f" {whose} second opinion, weighted: {tried}."
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
                reading = with_word_model.read_strokes(
                    Strokes.parse(v), classifier.words, read_glyphs, vocabulary, pictures=classifier.word_pictures
                )
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
