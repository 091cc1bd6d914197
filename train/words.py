"""python -m train.words: train a word model (``model.network.word_model``) on whole handwritten words with CTC: the
pen model, which reads the trajectory (``--reads pen``), or the picture model, which reads the word drawn as a
picture (``--reads pictures``: each training word drawn into a strip, ``model.ink.strip``, with a random brush).

UNIPEN's words of the training writers only: the word test contributors (``pen.WORD_TEST_CONTRIBUTORS``) are never
read here, and the tuning contributors (``pen.WORD_TUNE_CONTRIBUTORS``) only validate (the epoch kept is the one
that reads them best). Every epoch draws each training word afresh with a random slant, rotation, width and jitter
(augmentation rather than hand normalisation). The run writes the Keras model, the LiteRT serving file (checked
against Keras on validation words) and metrics.json, together or not at all.

    python -m train.words --words ../shared/data/unipen/words.jsonl.gz --output-dir model/default/words
    python -m train.words --reads pictures --words ../shared/data/unipen/words.jsonl.gz \
        --output-dir model/default/word_pictures
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from model.ink import strip
from model.ink.trajectory import FEATURES, TrajectoryError, features
from model.network import files
from model.network.word_model import ALPHABET, READS_PEN, READS_PICTURES, encode, frames, greedy, strip_frames

from . import pen, strings
from .options import add_options, option, recipe_from
from .splits import DataError

log = logging.getLogger("train.words")


@dataclass(frozen=True)
class Recipe:
    reads: str = option(
        READS_PEN, choices=(READS_PEN, READS_PICTURES), help="what the model reads: the pen's trajectory, or pictures"
    )
    epochs: int = option(30, help="epochs (the learning-rate schedule spans all of them)")
    batch_size: int = option(32, help="words per batch")
    learning_rate: float = option(2e-3, help="Adam learning rate (peak)")
    width: int = option(96, help="LSTM units per direction")
    dropout: float = option(0.25, help="dropout after the convolutions and after each recurrent layer, in training")
    slant: float = option(0.35, help="augmentation: shear of x by height, uniform in [-slant, slant]")
    rotation_deg: float = option(4.0, help="augmentation: rotation, uniform in degrees")
    stretch: float = option(0.2, help="augmentation: width scaled by 1 +- stretch")
    jitter: float = option(0.01, help="augmentation: points moved by this share of the ink's height (Gaussian)")
    warp: float = option(
        0.0,
        help="augmentation: x moved by up to this share of the height along a wave 2-4 heights long (letters "
        "wider and narrower within a word; below 0.3 no ink folds back)",
    )
    brush: float = option(0.12, help="pictures: strokes drawn from a quarter of this to this share of the ink's height")
    average: int = option(
        0,
        help="average the weights of the last this many epochs (stochastic weight averaging, Izmailov et al. 2018); "
        "the average is kept where it validates better than every epoch alone",
    )
    half: bool = option(False, help="store the served file's weights as float16 (half the size)")
    strings: int = option(6000, help="with --chars: strings written apart composed afresh each epoch (train.strings)")
    seed: int = option(42, help="seed for the sampling, augmentation and initialisation")


def spellable(word: pen.PenWord) -> bool:
    return all(c in ALPHABET for c in word.text)


def split(words: list[pen.PenWord]) -> tuple[list[pen.PenWord], list[pen.PenWord]]:
    """(training words, validation words): the tuning contributors validate, the test contributors are dropped."""
    test, tune = set(pen.WORD_TEST_CONTRIBUTORS), set(pen.WORD_TUNE_CONTRIBUTORS)
    usable = [w for w in words if spellable(w) and w.contributor not in test]
    return [w for w in usable if w.contributor not in tune], [w for w in usable if w.contributor in tune]


def augment(strokes: tuple, recipe: Recipe, rng: np.random.Generator) -> list[np.ndarray]:
    """The word as another hand might have written it: slanted, turned, wider or narrower (and, with ``warp``,
    unevenly so along the word), a little shaky."""
    points = [np.asarray(s, dtype=np.float64) for s in strokes]
    ink = np.concatenate(points)
    height = max(float(np.ptp(ink[:, 1])), 1.0)
    angle = np.deg2rad(rng.uniform(-recipe.rotation_deg, recipe.rotation_deg))
    shear, stretch = rng.uniform(-recipe.slant, recipe.slant), 1 + rng.uniform(-recipe.stretch, recipe.stretch)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = turn @ np.array([[stretch, -shear], [0.0, 1.0]])
    points = [p @ matrix.T for p in points]
    if recipe.warp:
        size, period, phase = (
            rng.uniform(0, recipe.warp) * height,
            rng.uniform(2, 4) * height,
            rng.uniform(0, 2 * np.pi),
        )
        points = [
            np.column_stack([p[:, 0] + size * np.sin(2 * np.pi * p[:, 0] / period + phase), p[:, 1]]) for p in points
        ]
    return [p + rng.normal(0, recipe.jitter * height, p.shape) for p in points]


class Input(NamedTuple):
    """What one model reads: its Keras input's name and shape (None: the word's length, along ``axis``), its
    output frames for a length, and how a word's strokes (with a brush, for a picture) become it."""

    name: str
    shape: tuple
    frames: Callable[[int], int]
    of: Callable[[list[np.ndarray], float], np.ndarray]

    @property
    def axis(self) -> int:
        return self.shape.index(None)

    def length(self, x: np.ndarray) -> int:
        return x.shape[self.axis]


INPUTS = {
    READS_PEN: Input("points", (None, FEATURES), frames, lambda strokes, brush: features(strokes)),
    READS_PICTURES: Input(
        "strip", (strip.HEIGHT, None), strip_frames, lambda strokes, brush: strip.from_strokes(strokes, brush)[0]
    ),
}


def encoded(
    words: list[pen.PenWord], recipe: Recipe | None, rng: np.random.Generator, reads: str = READS_PEN
) -> list[tuple]:
    """(input, labels, text) per word, augmented when a recipe is given; words that cannot be read are skipped."""
    source, out = INPUTS[reads], []
    for w in words:
        strokes = augment(w.strokes, recipe, rng) if recipe else [np.asarray(s) for s in w.strokes]
        brush = rng.uniform(recipe.brush / 4, recipe.brush) if recipe and reads == READS_PICTURES else strip.PEN_BRUSH
        try:
            x = source.of(strokes, brush)
        except (TrajectoryError, strip.StripError):
            continue
        if source.frames(source.length(x)) >= 2 * len(w.text) + 1:  # a frame per character, and between repeats
            out.append((x, encode(w.text), w.text))
    return out


def batches(samples: list[tuple], batch_size: int, rng: np.random.Generator | None = None, reads: str = READS_PEN):
    """Padded batches of words of similar length (less padding, faster LSTMs); shuffled when ``rng`` is given."""
    source = INPUTS[reads]
    order = np.argsort([source.length(x) for x, _, _ in samples], kind="stable")
    groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(groups)
    for group in groups:
        chosen = [samples[i] for i in group]
        longest = max(source.length(x) for x, _, _ in chosen)
        shape = list(chosen[0][0].shape)
        shape[source.axis] = longest
        inputs = np.zeros((len(chosen), *shape), np.float32)
        mask = np.zeros((len(chosen), source.frames(longest)), bool)
        labels = np.zeros((len(chosen), max(len(y) for _, y, _ in chosen)), np.int32)
        lengths = np.zeros(len(chosen), np.int32)
        for row, (x, y, _) in enumerate(chosen):
            inputs[(row, *(slice(0, n) for n in x.shape))] = x
            mask[row, : source.frames(source.length(x))] = True
            labels[row, : len(y)] = y
            lengths[row] = len(y)
        yield {source.name: inputs, "frame_mask": mask}, (labels, lengths), [t for _, _, t in chosen]


def score(read: list[str], truth: list[str]) -> dict:
    """Word accuracy (ignoring case, and exact) and character error rate (case ignored), over all words."""
    from .evaluate import edit_distance

    errors = sum(edit_distance(r.lower(), t.lower()) for r, t in zip(read, truth))
    return {
        "words": len(truth),
        "word_accuracy": round(float(np.mean([r.lower() == t.lower() for r, t in zip(read, truth)])), 4),
        "word_accuracy_with_case": round(float(np.mean([r == t for r, t in zip(read, truth)])), 4),
        "cer": round(errors / max(1, sum(len(t) for t in truth)), 4),
    }


def read_greedy(
    model, samples: list[tuple], reads: str = READS_PEN, batch_size: int = 64
) -> tuple[list[str], list[str]]:
    """(what the model reads without a word list, the truth), word by word."""
    read, truth = [], []
    for inputs, _, texts in batches(samples, batch_size, reads=reads):
        out = np.asarray(model(inputs, training=False))
        read += [greedy(out[row, :length]) for row, length in enumerate(inputs["frame_mask"].sum(axis=1))]
        truth += texts
    return read, truth


def train(args: argparse.Namespace) -> dict:
    import keras

    from . import word_net

    recipe = recipe_from(Recipe, args, **({} if args.chars else {"strings": 0}))
    _share_cores()
    rng = np.random.default_rng(recipe.seed)
    keras.utils.set_random_seed(recipe.seed)
    started = time.time()
    training_words, validation_words = split(pen.read_words(args.words))
    if args.max_words:
        training_words = [training_words[i] for i in rng.permutation(len(training_words))[: args.max_words]]
    held = [validation_words[i] for i in rng.permutation(len(validation_words))[: args.validation_words]]
    if not training_words or not held:
        raise DataError(f"{args.words} holds no training or no validation words (see train/pen.py's contributors)")
    validation = encoded(held, None, rng, recipe.reads)
    writers, checks = _characters(args.chars, recipe) if recipe.strings else ({}, [])
    log.info("words: %d training, %d validating", len(training_words), len(validation))
    model, inference = word_net.build(recipe.width, recipe.dropout, recipe.reads)
    steps = -(-(len(training_words) + recipe.strings) // recipe.batch_size) * recipe.epochs
    schedule = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=5.0))
    best, history, seconds, averaged = None, [], [], Average()
    for epoch in range(recipe.epochs):
        start = time.perf_counter()
        samples = encoded(training_words + strings.compose(writers, recipe.strings, rng), recipe, rng, recipe.reads)
        batched = batches(samples, recipe.batch_size, rng, recipe.reads)
        losses = [float(model.train_on_batch(x, y)) for x, y, _ in batched]
        seconds.append(time.perf_counter() - start)
        result = score(*read_greedy(model, validation, recipe.reads))
        apart = {"strings_apart": score(*read_greedy(model, checks, recipe.reads))} if checks else {}
        history.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4), **result, **apart})
        if not args.quiet:
            print(json.dumps(history[-1]), flush=True)
        if best is None or result["cer"] < best[0]["cer"]:
            best = (result, [w.copy() for w in inference.get_weights()], epoch + 1)
        if epoch >= recipe.epochs - recipe.average:
            averaged.add(inference.get_weights())
    if averaged.count > 1:
        mean = averaged.mean()
        inference.set_weights(mean)
        result = score(*read_greedy(model, validation, recipe.reads))
        history.append({"averaged_epochs": averaged.count, **result})
        if not args.quiet:
            print(json.dumps(history[-1]), flush=True)
        if result["cer"] <= best[0]["cer"]:
            best = (result, mean, f"{recipe.epochs - averaged.count + 1}-{recipe.epochs} averaged")
    inference.set_weights(best[1])
    metrics = {
        "model": {
            "name": "word_model",
            "reads": recipe.reads,
            "parameters": int(inference.count_params()),
            "alphabet": ALPHABET,
        },
        "data": {
            "name": pen.WORD_SOURCE,
            "source": Path(args.words).name,
            "training_words": len(training_words),
            "training_writers": len({w.writer for w in training_words}),
            "validation_words": len(validation),
            "validation_contributors": list(pen.WORD_TUNE_CONTRIBUTORS),
            **({"characters": Path(args.chars).name, "character_writers": len(writers)} if writers else {}),
            "never_read": list(pen.WORD_TEST_CONTRIBUTORS),
        },
        "recipe": asdict(recipe),
        "validation": {**best[0], "epoch": best[2], "decoding": "greedy, no word list"},
        "training": {
            "epochs": recipe.epochs,
            "seconds_per_epoch": round(float(np.mean(seconds)), 1),
            "train_time_s": round(float(np.sum(seconds)), 1),
        },
        "history": history,
        "command": "python -m train.words " + " ".join(_public(sys.argv[1:] if args.argv is None else args.argv)),
        "created_unix": int(started),
    }
    write(args.output_dir, inference, metrics, validation[:50], recipe)
    return metrics


def _share_cores() -> None:
    """Each BiLSTM direction on its own half of the cores: an LSTM step's matrices are too small to split well
    across cores, while the two directions' loops are independent. TensorFlow takes this only before it first runs
    (a process that already ran it, a test session, keeps its threads)."""
    import os

    import tensorflow as tf

    try:
        tf.config.threading.set_inter_op_parallelism_threads(2)
        tf.config.threading.set_intra_op_parallelism_threads(max(1, (os.cpu_count() or 2) // 2))
    except RuntimeError:
        log.info("TensorFlow already runs: its threads stay as they are")


class Average:
    """The running mean of a model's weights over the epochs added."""

    def __init__(self):
        self.count, self.sums = 0, None

    def add(self, weights: list[np.ndarray]) -> None:
        weights = [w.astype(np.float64) for w in weights]
        self.sums = weights if self.sums is None else [s + w for s, w in zip(self.sums, weights)]
        self.count += 1

    def mean(self) -> list[np.ndarray]:
        return [(s / self.count).astype(np.float32) for s in self.sums]


def _public(argv: list[str]) -> list[str]:
    """The command as recorded: a data file by its name, the output folder as OUTPUT_DIR (metrics are public)."""
    words = []
    for flag, value in zip(["", *argv], argv):
        if flag == "--output-dir":
            value = "OUTPUT_DIR"
        elif Path(value).is_file():
            value = Path(value).name
        words.append(value)
    return words


def write(output_dir: Path, inference, metrics: dict, check: list[tuple], recipe: Recipe) -> None:
    """The three files, staged and swapped in together (``train.artifacts.staged``)."""
    from model.atomic import write_text

    from . import word_net
    from .artifacts import staged

    with staged(output_dir, files.WORD_FILES) as staging:
        inference.save(staging / files.WORD_KERAS_FILE)
        metrics["serving"] = word_net.export(inference, staging, check, recipe.reads, recipe.half)
        write_text(staging / files.METRICS_FILE, json.dumps(metrics, indent=2) + "\n")


def _characters(path: Path, recipe: Recipe) -> tuple[dict, list[tuple]]:
    """(training writers' digits and capitals by writer, fixed validation strings of other writers, a tenth of each
    contributor's held out whole): no character of a test contributor (of characters or of words) is read."""
    never = {*pen.TEST_CONTRIBUTORS, *pen.WORD_TEST_CONTRIBUTORS, *pen.WORD_TUNE_CONTRIBUTORS}
    contributed = [c for c in pen.read(path) if c.contributor not in never]
    training, held = pen.hold_out_writers(contributed, 0.1, recipe.seed)
    writers = strings.by_writer(training)
    checks = strings.compose(strings.by_writer(held), 500, np.random.default_rng(recipe.seed))
    log.info("strings written apart: characters of %d writers; %d validation strings", len(writers), len(checks))
    return writers, encoded(checks, None, np.random.default_rng(recipe.seed), recipe.reads)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m train.words",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--words", required=True, type=Path, help="UNIPEN words as JSON lines (words.jsonl.gz)")
    p.add_argument(
        "--chars", type=Path, default=None, help="UNIPEN characters (chars.jsonl.gz): strings written apart from them"
    )
    p.add_argument("--output-dir", type=Path, default=Path("artifacts/words"))
    add_options(p, Recipe)
    p.add_argument("--max-words", type=int, default=None, help="train on this many words at most (tests)")
    p.add_argument("--validation-words", type=int, default=2000, help="tuning contributors' words that validate")
    p.add_argument("--quiet", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = argv
    from model.environment import quiet

    quiet()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        metrics = train(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    v = metrics["validation"]
    print(
        f"validation (tuning contributors, greedy, no word list): words {100 * v['word_accuracy']:.1f}%, "
        f"CER {v['cer']:.3f} (epoch {v['epoch']}) | {metrics['training']['seconds_per_epoch']} s/epoch | "
        f"{metrics['model']['parameters']:,} parameters | written to {args.output_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
