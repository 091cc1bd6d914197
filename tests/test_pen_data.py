"""Real pen characters for training (train/pen.py): UNIPEN's JSON lines and UJI's JSON read into the 47 classes,
writers chosen and held out whole, the pen test set refused, and every character drawn as the pad delivers it."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from harness import data
from model import Classifier, index_of
from model.ink.canvas import pad_value
from model.ink.orientation import emnist_to_upright
from model.network.files import CARD_FILE, METRICS_FILE
from model.network.metrics import ModelMetrics
from train import pen
from train.splits import DataError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    return pen.read(data.UNIPEN_SAMPLE)


def unipen_line(**changes) -> str:
    row = {"cat": "1c", "label": "c", "contributor": "apa", "writer": "apple/X", "quality": "?"}
    row["strokes"] = [[[0, 0], [10, 5], [20, 0]]]
    return json.dumps({**row, **changes})


def test_unipen_lines_map_to_the_47_classes(sample, tmp_path):
    assert len(sample) == 360
    assert {kind: sum(c.category == kind for c in sample) for kind in pen.CATEGORIES.values()} == {
        "digits": 120,
        "uppercase": 120,
        "lowercase": 120,
    }
    assert all(c.contributor in pen.TEST_CONTRIBUTORS for c in sample)
    path = tmp_path / "chars.jsonl.gz"
    with gzip.open(path, "wt") as out:
        out.write(unipen_line(label="c") + "\n\n" + unipen_line(label="a", cat="1c") + "\n")
    c, a = pen.read(path)
    assert (c.category, index_of(c.label), c.writer) == ("lowercase", index_of("C"), "apple/X")
    assert index_of(a.label) == index_of("a") != index_of("A")  # a keeps its own class


@pytest.mark.parametrize(
    "line, says",
    [
        ("{not json", "line 2: not JSON"),
        (unipen_line(label="é"), "line 2: label 'é' is none of the 47 classes"),
        (unipen_line(label="ab"), "label must be one character"),
        (unipen_line(cat="6"), "category '6'"),
        (unipen_line(writer=""), "contributor and writer"),
        (unipen_line(strokes=[]), "strokes must be"),
        (unipen_line(strokes=[[[0, 0], [1]]]), "strokes must be"),
        (unipen_line(strokes=[[[0, "x"]]]), "strokes must be"),
        ("[1, 2, 3]", "expected an object"),
    ],
)
def test_a_bad_line_is_refused_by_file_and_line(tmp_path, line, says):
    path = tmp_path / "chars.jsonl"
    path.write_text(unipen_line() + "\n" + line + "\n")
    with pytest.raises(DataError, match="chars.jsonl, line 2") as info:
        pen.read(path)
    assert says in str(info.value) and str(tmp_path) not in str(info.value)


def test_uji_drawings_read_with_their_writers():
    characters = pen.read(data.PEN_WRITERS_SAMPLE)
    assert len(characters) == 160 and {c.category for c in characters} == {"digits"}
    assert {c.writer for c in characters} == {f"uji/{w}" for w in (25, 27, 29, 30, 34, 40, 55, 57)}


def test_writers_are_chosen_by_spec_and_the_test_set_is_refused(sample):
    uji = pen.read(data.PEN_WRITERS_SAMPLE)
    assert {c.writer for c in pen.select(uji, "25-27,29")} == {"uji/25", "uji/27", "uji/29"}
    assert pen.select(sample, "unipen") == [] and pen.select(sample, pen.TRAINING_WRITERS) == []
    assert {c.writer for c in pen.test_set(uji)} == {"uji/30", "uji/34", "uji/40", "uji/55", "uji/57"}
    for spec in ("ibm", "apa,syn", "0-30", "35"):
        with pytest.raises(DataError, match="pen test set"):
            pen.select(uji + sample, spec)
    with pytest.raises(DataError, match="not 'all of them'"):
        pen.select(uji, "all of them")


def test_validation_writers_are_held_out_whole_and_seeded():
    characters = [
        pen.PenCharacter("7", "digits", f"{site}/{w}", site, (((0, 0), (1, 1)),))
        for site in ("apa", "apb")
        for w in range(20)
        for _ in range(3)
    ]
    training, validation = pen.hold_out_writers(characters, 0.15, seed=5)
    train_writers, val_writers = {c.writer for c in training}, {c.writer for c in validation}
    assert not train_writers & val_writers and len(train_writers | val_writers) == 40
    assert sum(w.startswith("apa/") for w in val_writers) == 3 == sum(w.startswith("apb/") for w in val_writers)
    assert all(sum(c.writer == w for c in validation) == 3 for w in val_writers)  # every character of a writer
    assert pen.hold_out_writers(characters, 0.15, seed=5)[1] == validation
    assert {c.writer for c in pen.hold_out_writers(characters, 0.15, seed=6)[1]} != val_writers


def test_characters_are_drawn_as_the_pad_delivers_them(sample, default_classifier):
    """The training glyph of a character is what the pad's path makes of it wherever the visitor draws it."""
    some = sample[::40]
    glyphs, labels = pen.glyphs(some, seed=3)
    assert glyphs.shape == (len(some), 28, 28) and glyphs.dtype == np.uint8
    assert labels.tolist() == [index_of(c.label) for c in some]
    rng = np.random.default_rng(3)  # the size and place glyphs() chose for each, in its order
    for c, glyph in zip(some, glyphs):
        fraction, position = rng.uniform(*pen.SIZES), rng.uniform(0, 1, 2)
        served = default_classifier.predict_strokes(pad_value(list(c.strokes), fraction=fraction, position=position))
        assert np.abs(emnist_to_upright(glyph) / 255.0 - served.glyph).max() <= 0.5 / 255 + 1e-6
        elsewhere = default_classifier.predict_strokes(pad_value(list(c.strokes), fraction=0.5, position=(0.1, 0.9)))
        assert np.abs(served.glyph - elsewhere.glyph).mean() < 0.01  # where and how big barely matters


def test_a_tiny_run_trains_on_pen_characters(tmp_path, sample):
    """UNIPEN and UJI files together: held-out writers validate, the others train, and the card credits both."""
    from train.cli import main

    unipen = tmp_path / "chars.jsonl"  # the sample's characters under training contributors' codes
    lines = data.UNIPEN_SAMPLE.read_text().splitlines()
    renamed = []
    for number, line in enumerate(lines):
        row = json.loads(line)
        row["contributor"] = ("apa", "apb")[number % 2]
        row["writer"] = f"test/{number % 12}"
        renamed.append(json.dumps(row))
    unipen.write_text("\n".join(renamed) + "\n")
    out = tmp_path / "out"
    argv = ["--data", "synthetic", "--max-samples", "940", "--epochs", "1", "--output-dir", str(out), "--quiet"]
    argv += ["--pen-data", str(data.PEN_WRITERS_SAMPLE), str(unipen), "--pen-writers", "25-29,unipen"]
    argv += ["--pen-repeat", "2", "1", "--pen-validation", "0.2", "--test-time-views", "none"]
    assert main(argv) == 0
    metrics = ModelMetrics.load(out / METRICS_FILE)
    uji, unipen_record = metrics.data.pen
    assert (uji["training_writers"], uji["validation_writers"], uji["repeat"]) == (2, 1, 2)
    assert unipen_record["training_writers"] + unipen_record["validation_writers"] == 12
    assert unipen_record["validation_writers"] == 2 and unipen_record["validation_characters"] == 60
    pen_rows = uji["training_characters"] * 2 + unipen_record["training_characters"]
    assert metrics.data.train == 846 + pen_rows and metrics.data.validation == 94 + 20 + 60
    assert set(metrics.training.validation) == {"EMNIST", "pen digits", "pen uppercase", "pen lowercase"}
    card = (out / CARD_FILE).read_text()
    assert "UNIPEN train_r01_v07" in card and "UJI Pen Characters" in card and "CC BY 4.0" in card
    assert "--pen-data uji_pen_writers_sample.json chars.jsonl" in card and str(tmp_path) not in card
    assert "the same recipe on EMNIST alone: `python -m train --data synthetic --max-samples 940" in card
    assert Classifier.load(out).predict_strokes(pad_value(list(sample[0].strokes))).probabilities.shape == (47,)


def test_training_on_the_pen_test_set_is_refused(tmp_path, capsys):
    from train.cli import main

    argv = ["--data", "synthetic", "--max-samples", "940", "--epochs", "1", "--output-dir", str(tmp_path / "o")]
    assert main([*argv, "--pen-data", str(data.UNIPEN_SAMPLE), "--pen-writers", "unipen,syn"]) == 2
    assert "pen test set" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_letters_cut_from_words_spell_the_words_and_train_like_characters(tmp_path, capsys):
    """python -m train.word_letters on real joined-up words (the committed sample, under a training writer's
    contributor code): what it writes reads back as pen characters of kind from-words, spelling each kept word."""
    from train import word_letters

    words = tmp_path / "words.jsonl"
    rows = [json.loads(line) for line in data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()]
    words.write_text("".join(json.dumps({**row, "contributor": "hpp"}) + "\n" for row in rows))
    out = tmp_path / "letters.jsonl.gz"
    assert (
        word_letters.main(["--words", str(words), "--model", str(ROOT / "model" / "default"), "--output", str(out)])
        == 0
    )
    assert "words kept" in capsys.readouterr().out
    letters = pen.read(out)
    assert letters and {c.category for c in letters} == {"from-words"}
    spelled = "".join(c.label for c in letters)
    kept = [r["text"] for r in rows if r["text"] in spelled]
    assert kept and sum(len(t) for t in kept) == len(letters)  # whole words, in order
    assert gzip.decompress(out.read_bytes())  # a real gzip file, as --pen-data reads it
    assert word_letters.contributors([pen.PenWord("x", "6", "w", c, ()) for c in ("hpp", "art", "kar")]) == ["hpp"]


def test_letters_from_the_word_test_or_tuning_writers_never_train():
    def letter(contributor):
        return pen.PenCharacter("a", "from-words", f"{contributor}/1", contributor, (((0, 0), (1, 1)),))

    kept = pen.select([letter(c) for c in ("hpp", "att", "kar", "sta")], "unipen")
    assert [c.contributor for c in kept] == ["hpp", "sta"]


def test_unipen_words_are_read_and_a_bad_line_is_named(tmp_path):
    words = pen.read_words(data.UNIPEN_WORDS_SAMPLE)
    assert [w.text for w in words] == ["call", "assure", "hotel", "hash", "clock", "tower"]
    assert pen.read_words(data.UNIPEN_WORDS_SAMPLE, ["att"]) == [w for w in words if w.contributor == "att"]
    path = tmp_path / "words.jsonl"
    good = data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()[0]
    path.write_text(good + "\n" + good.replace('"text":"call"', '"text":"c-all"') + "\n")
    with pytest.raises(DataError, match="words.jsonl, line 2: text must be letters and digits"):
        pen.read_words(path)
