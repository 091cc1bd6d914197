"""Real pen characters as training glyphs: UJI Pen Characters (a JSON list of digits) and UNIPEN (JSON lines of
digits, capitals and lowercase letters, gzipped or not), drawn through the pad's own path: each trajectory placed on
the 400x400 pad at a size and place a visitor might choose, thinned as the pad's script thins it, and rendered by
``model.ink.strokes.render``, so training sees exactly what the Space feeds the model.

Writers are chosen by a spec (``select``): UJI writers by number, UNIPEN writers by contributor. The pen test sets
(``TEST_CONTRIBUTORS`` of UNIPEN, UJI writers ``UJI_TEST_WRITERS``) are refused: ``python -m bench pen`` reports them,
and nothing is trained or chosen on them. A seeded share of the chosen writers is held out, whole, for validation.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.ink.canvas import pad_value
from model.ink.orientation import upright_to_emnist
from model.ink.strokes import Strokes, StrokesError, render
from model.labels import UnknownCharacter, index_of

from .splits import DataError

#: UNIPEN contributors whose writers are the pen test set (32 writers; digits, capitals and lowercase letters).
TEST_CONTRIBUTORS = ("art", "ibm", "syn")
#: UJI writers never trained on (the pen-digit test of earlier models, kept comparable).
UJI_TEST_WRITERS = range(30, 60)
#: UNIPEN contributors whose words are the word test set (65 writers: none of them in any training run, chars or
#: words), and those whose words tune the word reader's search (python -m bench words --tune); the others' words
#: are free for training.
WORD_TEST_CONTRIBUTORS = ("art", "att", "hpb", "ibm", "pcl")
WORD_TUNE_CONTRIBUTORS = ("abm", "anj", "dar", "huj", "imt", "int", "kar", "not", "par", "phi", "ugi")
#: UNIPEN's word categories: isolated cursive or mixed-style words, and other isolated words (numbers, capitals).
WORD_CATEGORIES = {"6": "cursive or mixed", "7": "other (short words, numbers, capitals)"}
#: UNIPEN's category codes for isolated characters, and what they hold ...
CATEGORIES = {"1a": "digits", "1b": "uppercase", "1c": "lowercase"}
#: ... and this project's code for letters cut from whole words (python -m train.word_letters), in the same format.
FROM_WORDS = {"1w": "from-words"}
KINDS = {**CATEGORIES, **FROM_WORDS}
#: Every writer a training run may use: UJI writers 0-29 and every UNIPEN contributor outside the test set.
TRAINING_WRITERS = "0-29,unipen"
#: Where each kind of file comes from, for the model card.
SOURCES = {
    "uji": "UJI Pen Characters (Version 2) digits, F. Prat, M. J. Castro, D. Llorens, A. Marzal and J. M. Vilar, "
    "UCI Machine Learning Repository dataset 177, CC BY 4.0",
    "unipen": "UNIPEN train_r01_v07 isolated characters, the International Unipen Foundation (1999), "
    "doi:10.5281/zenodo.1195803, CC BY 4.0 (Guyon et al., ICPR 1994)",
    "unipen-words": "letters cut from UNIPEN train_r01_v07 words by forced alignment (python -m train.word_letters), "
    "the International Unipen Foundation (1999), doi:10.5281/zenodo.1195803, CC BY 4.0 (Guyon et al., ICPR 1994)",
}
#: Where the word model's words come from, for its card.
WORD_SOURCE = (
    "UNIPEN train_r01_v07 words, the International Unipen Foundation (1999), doi:10.5281/zenodo.1195803, CC BY 4.0 "
    "(Guyon et al., ICPR 1994)"
)
#: How big a visitor draws one character on the pad (share of the canvas side).
SIZES = (0.45, 0.8)


@dataclass(frozen=True)
class PenCharacter:
    label: str  # one character; its class is model.labels.index_of(label)
    category: str  # "digits", "uppercase" or "lowercase"
    writer: str  # unique across sources: "uji/12", "apple/ArloReeves", "ibm/05", ...
    contributor: str  # "uji", or UNIPEN's three-letter code
    strokes: tuple  # one list of [x, y] points per pen-down, y down, any units


def read(path: str | Path) -> list[PenCharacter]:
    """Every character of a UJI ``.json`` or a UNIPEN ``.jsonl``/``.jsonl.gz`` file; DataError names the first bad
    entry (file, line or position, what is wrong) rather than training on it."""
    path = Path(path)
    try:
        if path.name.endswith((".jsonl", ".jsonl.gz")):
            return list(_unipen(path))
        return list(_uji(path))
    except OSError as exc:
        raise DataError(f"cannot read pen characters from {path.name}: {exc.strerror or exc}") from None


def _json_lines(path: Path, fields: str) -> Iterator[tuple[str, dict]]:
    """(where, object) for every non-blank line of a JSON-lines file, gzipped or not; ``fields`` for the error."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path.name}, line {number}"
            try:
                row = json.loads(line)
            except ValueError:
                raise DataError(f"{where}: not JSON") from None
            if not isinstance(row, dict):
                raise DataError(f"{where}: expected an object with {fields}")
            yield where, row


def _unipen(path: Path) -> Iterator[PenCharacter]:
    for where, row in _json_lines(path, "cat, label, contributor, writer and strokes"):
        category = KINDS.get(row.get("cat"))
        if category is None:
            raise DataError(f"{where}: category {row.get('cat')!r} is not one of {', '.join(KINDS)}")
        contributor, writer = row.get("contributor"), row.get("writer")
        if not (isinstance(contributor, str) and contributor and isinstance(writer, str) and writer):
            raise DataError(f"{where}: contributor and writer must be non-empty strings")
        yield PenCharacter(_label(row.get("label"), where), category, writer, contributor, _strokes(row, where))


def _uji(path: Path) -> Iterator[PenCharacter]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise DataError(f"{path.name}: not JSON (UJI pen characters are a JSON list)") from None
    if not isinstance(rows, list):
        raise DataError(f"{path.name}: expected a JSON list of drawings")
    for position, row in enumerate(rows):
        where = f"{path.name}, drawing {position}"
        if not isinstance(row, dict):
            raise DataError(f"{where}: expected an object with label, writer (or index) and strokes")
        writer = row.get("writer", row.get("index", -2) // 2 if isinstance(row.get("index"), int) else None)
        if not isinstance(writer, int) or isinstance(writer, bool):
            raise DataError(f"{where}: no writer number")
        label = _label(row.get("label"), where)
        category = "digits" if label.isdigit() else "uppercase" if label.isupper() else "lowercase"
        yield PenCharacter(label, category, f"uji/{writer}", "uji", _strokes(row, where))


def _label(label, where: str) -> str:
    if not isinstance(label, str) or len(label) != 1:
        raise DataError(f"{where}: label must be one character, not {label!r}")
    try:
        index_of(label)
    except UnknownCharacter:
        raise DataError(f"{where}: label {label!r} is none of the 47 classes") from None
    return label


def _strokes(row: dict, where: str) -> tuple:
    strokes = row.get("strokes")
    ok = isinstance(strokes, list) and strokes and all(isinstance(s, list) and s for s in strokes)
    if ok:
        try:
            points = [np.asarray(s, dtype=np.float64) for s in strokes]
            ok = all(p.ndim == 2 and p.shape[1] == 2 and np.isfinite(p).all() for p in points)
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise DataError(f"{where}: strokes must be a non-empty list of non-empty lists of [x, y] numbers")
    return tuple(strokes)


def _uji_number(character: PenCharacter) -> int:
    return int(character.writer.split("/", 1)[1])


def select(characters: Iterable[PenCharacter], spec: str = TRAINING_WRITERS) -> list[PenCharacter]:
    """The characters of the writers ``spec`` names, comma-separated: UJI writer numbers or ranges (``0-29``),
    UNIPEN contributor codes (``apa``), or ``unipen`` (every UNIPEN contributor outside the test set). The test
    sets are refused by name and never selected."""
    numbers: set[int] = set()
    contributors: set[str] = set()
    every_unipen = False
    for token in (t.strip() for t in spec.split(",")):
        low, dash, high = token.partition("-")
        if low.isdigit() and (not dash or high.isdigit()):
            numbers |= set(range(int(low), int(high or low) + 1))
        elif token == "unipen":
            every_unipen = True
        elif token.isalpha() and token.islower():
            contributors.add(token)
        else:
            raise DataError(
                f"--pen-writers wants UJI writer ranges (0-29), UNIPEN contributor codes or 'unipen', not {token!r}"
            )
    refused = sorted(contributors & set(TEST_CONTRIBUTORS)) + sorted(map(str, numbers & set(UJI_TEST_WRITERS)))
    if refused:
        raise DataError(
            f"--pen-writers names the pen test set ({', '.join(refused)}): python -m bench pen reports those writers, "
            "so no model trains on them"
        )

    kept_out = set(WORD_TEST_CONTRIBUTORS) | set(WORD_TUNE_CONTRIBUTORS)  # for letters cut from their words

    def chosen(c: PenCharacter) -> bool:
        if c.contributor == "uji":
            return _uji_number(c) in numbers
        if c.contributor in TEST_CONTRIBUTORS or (c.category == FROM_WORDS["1w"] and c.contributor in kept_out):
            return False
        return every_unipen or c.contributor in contributors

    return [c for c in characters if chosen(c)]


def test_set(characters: Iterable[PenCharacter]) -> list[PenCharacter]:
    """The pen test set: UNIPEN's test contributors and UJI writers 30-59."""
    return [
        c
        for c in characters
        if c.contributor in TEST_CONTRIBUTORS or (c.contributor == "uji" and _uji_number(c) in UJI_TEST_WRITERS)
    ]


def hold_out_writers(
    characters: list[PenCharacter], share: float, seed: int
) -> tuple[list[PenCharacter], list[PenCharacter]]:
    """(training, validation): ``share`` of each contributor's writers, seeded, held out whole."""
    if not 0 <= share < 1:
        raise DataError(f"the pen validation share must be in [0, 1), got {share}")
    by_contributor: dict[str, list[str]] = {}
    for c in characters:
        writers = by_contributor.setdefault(c.contributor, [])
        if c.writer not in writers:
            writers.append(c.writer)
    rng = np.random.default_rng(seed)
    held: set[str] = set()
    for contributor in sorted(by_contributor):
        writers = sorted(by_contributor[contributor])
        held |= set(rng.permutation(writers)[: int(round(share * len(writers)))].tolist())
    return [c for c in characters if c.writer not in held], [c for c in characters if c.writer in held]


def training_and_validation(path: str | Path, writers: str, share: float, seed: int, number: int = 0):
    """A pen file's chosen writers split as ``python -m train`` splits them (the ``number``-th --pen-data file of a
    run with this seed): (training characters, validation characters)."""
    return hold_out_writers(select(read(path), writers), share, seed + number)


def glyphs(characters: list[PenCharacter], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 glyphs in EMNIST orientation and their class labels, each character as the pad would
    deliver it (a seeded size and place on the pad)."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for c in characters:
        value = pad_value(list(c.strokes), fraction=rng.uniform(*SIZES), position=rng.uniform(0, 1, 2))
        try:
            glyph = render(Strokes.parse(value)).glyph
        except StrokesError as exc:
            raise DataError(f"a {c.label!r} of writer {c.writer} cannot be drawn: {exc}") from None
        images.append(np.round(upright_to_emnist(glyph) * 255).astype(np.uint8))
        labels.append(index_of(c.label))
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def source_of(path: str | Path, characters: list[PenCharacter]) -> str:
    """Which of SOURCES a file is: by its format, and for UNIPEN's, whether it holds letters cut from words."""
    if not Path(path).name.endswith((".jsonl", ".jsonl.gz")):
        return "uji"
    return "unipen-words" if characters and all(c.category == FROM_WORDS["1w"] for c in characters) else "unipen"


@dataclass(frozen=True)
class PenWord:
    text: str  # letters and digits
    category: str  # UNIPEN's: "6" or "7"
    writer: str
    contributor: str
    strokes: tuple


def read_words(path: str | Path, contributors: Iterable[str] | None = None) -> list[PenWord]:
    """UNIPEN's words (JSON lines, gzipped or not), only these contributors' when given; DataError names the
    first bad line."""
    path, keep = Path(path), None if contributors is None else set(contributors)
    words = []
    try:
        for where, row in _json_lines(path, "cat, text, contributor, writer and strokes"):
            if keep is not None and row.get("contributor") not in keep:
                continue
            text = row.get("text")
            if not isinstance(text, str) or not text.isalnum() or not text.isascii():
                raise DataError(f"{where}: text must be letters and digits, not {text!r}")
            if row.get("cat") not in WORD_CATEGORIES:
                raise DataError(f"{where}: category {row.get('cat')!r} is not one of {', '.join(WORD_CATEGORIES)}")
            writer, contributor = str(row.get("writer")), str(row.get("contributor"))
            words.append(PenWord(text, row["cat"], writer, contributor, _strokes(row, where)))
    except OSError as exc:
        raise DataError(f"cannot read pen words from {path.name}: {exc.strerror or exc}") from None
    return words
