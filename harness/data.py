"""Where the real handwriting lives: small committed samples (tests/data, attributed in its README; the EMNIST one
is ``train.emnist``'s), and the full copies in ../shared/data on this project's machines (never needed: callers
fall back to the samples)."""

from __future__ import annotations

import json
from pathlib import Path

from train.emnist import SAMPLE_FILE as EMNIST_SAMPLE
from train.emnist import read_sample as emnist_sample

__all__ = [
    "EMNIST_SAMPLE",
    "emnist_sample",
    "pen_drawings",
    "PEN_SAMPLE",
    "PEN_HARD_CASES",
    "PEN_WRITERS_SAMPLE",
    "PEN_FULL",
    "EMNIST_FULL",
    "ROOT",
    "SHARED",
    "UNIPEN_CHARS",
    "UNIPEN_SAMPLE",
    "UNIPEN_WORDS",
    "UNIPEN_WORDS_SAMPLE",
    "pen_test_characters",
    "pen_validation_characters",
    "pen_words",
]

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "data"

PEN_SAMPLE = SAMPLES / "uji_pen_digits_sample.json"  # 300 UJI pen digits
PEN_HARD_CASES = SAMPLES / "uji_pen_hard_cases.json"
PEN_WRITERS_SAMPLE = SAMPLES / "uji_pen_writers_sample.json"  # every drawing of 8 writers (two of each digit)
PEN_FULL = SHARED / "uji-pen-digits" / "strokes.json"  # all 1,200, with writers
EMNIST_FULL = SHARED / "emnist-47"
UNIPEN_CHARS = SHARED / "unipen" / "chars.jsonl.gz"  # 83,897 characters of 147 writers
UNIPEN_SAMPLE = SAMPLES / "unipen_chars_sample.jsonl"  # 360 characters of the pen test writers
UNIPEN_WORDS = SHARED / "unipen" / "words.jsonl.gz"  # 58,852 words of 287 writers
UNIPEN_WORDS_SAMPLE = SAMPLES / "unipen_words_sample.jsonl"  # words of the word test writers, cuts annotated


def pen_drawings(full: bool | None = None) -> tuple[list[dict], str]:
    """The UJI pen digits and a name for reports: all 1,200 where ../shared has them (or ``full=True``), else the
    committed sample. Each: {"label", "index", "writer" (full set only), "strokes"}."""
    use_full = PEN_FULL.is_file() if full is None else full
    path = PEN_FULL if use_full else PEN_SAMPLE
    name = "UJI Pen Characters v2 digits" + (" (all 1,200)" if use_full else f" (sample, {path.name})")
    return json.loads(path.read_text()), name


def pen_test_characters(full: bool | None = None) -> tuple[list, str]:
    """UNIPEN's pen test writers (``train.pen.TEST_CONTRIBUTORS``) and a name for reports: all their characters
    where ../shared has UNIPEN (or ``full=True``), else the committed sample."""
    from train import pen

    use_full = UNIPEN_CHARS.is_file() if full is None else full
    if use_full:
        characters = pen.test_set(pen.read(UNIPEN_CHARS))
        return characters, f"UNIPEN train_r01_v07 characters of contributors {', '.join(pen.TEST_CONTRIBUTORS)}"
    return pen.read(UNIPEN_SAMPLE), f"UNIPEN train_r01_v07 characters (sample, {UNIPEN_SAMPLE.name})"


def pen_words(which: str = "test", full: bool | None = None) -> tuple[list, str]:
    """UNIPEN's words of the word test writers (``which="test"``) or of the writers that tune the search
    (``"tune"``), and a name for reports; the test words fall back to the committed sample without ../shared."""
    from train import pen

    contributors = pen.WORD_TEST_CONTRIBUTORS if which == "test" else pen.WORD_TUNE_CONTRIBUTORS
    use_full = UNIPEN_WORDS.is_file() if full is None else full
    if use_full:
        name = f"UNIPEN train_r01_v07 words of contributors {', '.join(contributors)}"
        return pen.read_words(UNIPEN_WORDS, contributors), name
    if which != "test":
        raise FileNotFoundError(f"{UNIPEN_WORDS} is not here: the tuning words come only from ../shared")
    return pen.read_words(UNIPEN_WORDS_SAMPLE), f"UNIPEN train_r01_v07 words (sample, {UNIPEN_WORDS_SAMPLE.name})"


def pen_validation_characters(recipe: dict | None) -> list | None:
    """The UNIPEN characters of the writers a model (its training ``recipe``, as metrics.json records it) held out
    for validation: never trained on, never tested on; None where this model did not train on UNIPEN's characters
    or ../shared has none."""
    from train import pen

    recipe = recipe or {}
    files = [str(f) for f in recipe.get("pen_data") or []]
    if UNIPEN_CHARS.name not in files or not UNIPEN_CHARS.is_file():
        return None
    return pen.training_and_validation(
        UNIPEN_CHARS,
        recipe.get("pen_writers", pen.TRAINING_WRITERS),
        recipe.get("pen_validation", 0.15),
        recipe.get("seed", 42),
        files.index(UNIPEN_CHARS.name),
    )[1]
