"""Saying what you write (``allowed``) and teaching the model your handwriting (``WriterMemory``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import data
from harness.drawings import pad_value
from model import Classifier, WriterMemory
from model.labels import DIGITS, LABELS, UnknownCharacter, allowed_mask
from model.memory import MAX_EXAMPLES, MAX_JSON_CHARS, MAX_WORDS, MemoryRejected
from model.words.lexicon import WordListError


@pytest.fixture(scope="module")
def pen():
    return data.pen_drawings(full=False)[0]


@pytest.fixture(scope="module")
def misread(default_classifier, pen):
    """A real pen digit the bundled model reads wrong, and its pad value."""
    for d in pen:
        value = pad_value(d["strokes"])
        if default_classifier.predict_strokes(value).label != d["label"]:
            return d, value
    pytest.fail("the bundled model reads every sample drawing right: choose another test drawing")


def near_copies(strokes, count=4):
    """The same trajectory drawn again a little differently: elsewhere, bigger or smaller, a little jitter."""
    rng = np.random.default_rng(3)
    return [
        pad_value(
            [(np.asarray(s) + rng.normal(0, 2, np.shape(s))).tolist() for s in strokes],
            fraction=rng.uniform(0.5, 0.7),
            position=rng.uniform(0.2, 0.8, 2),
        )
        for _ in range(count)
    ]


# allowed


def test_allowed_restricts_and_renormalises(default_classifier, pen):
    value = pad_value(pen[0]["strokes"])
    anything = default_classifier.predict_strokes(value).probabilities
    digits = default_classifier.predict_strokes(value, allowed=DIGITS).probabilities
    assert digits[10:].sum() == 0 and digits.sum() == pytest.approx(1, abs=1e-5)
    assert np.allclose(digits[:10], anything[:10] / anything[:10].sum(), atol=1e-6)
    prediction = default_classifier.predict_strokes(value, allowed="AbC")
    assert {label for label, _ in prediction.top(5)} <= {"A", "b", "C"}


def test_allowed_accepts_merged_lowercase_and_refuses_the_unknown():
    assert allowed_mask("o").nonzero()[0].tolist() == [LABELS.index("O")]
    assert allowed_mask(None) is None
    for bad in ("é", "0?", "   ", 7):
        with pytest.raises(UnknownCharacter):
            allowed_mask(bad)


def test_allowed_settles_look_alikes_in_a_reading(default_classifier):
    from harness.drawings import written

    zero_one = written(["1L1"])  # an L among ones: with digits only, no letter can come out
    assert set(default_classifier.read_strokes(zero_one, allowed=DIGITS).text.replace(" ", "")) <= set(DIGITS)


# memory


def test_an_empty_memory_changes_nothing(default_classifier, pen):
    for d in pen[::30]:
        value = pad_value(d["strokes"])
        alone = default_classifier.predict_strokes(value)
        remembered = default_classifier.predict_strokes(value, memory=WriterMemory())
        assert np.array_equal(alone.probabilities, remembered.probabilities)


def test_a_correction_fixes_that_drawing_and_its_near_copies_only(default_classifier, pen, misread):
    d, value = misread
    memory = WriterMemory()
    memory.add(default_classifier.predict_strokes(value), d["label"])
    assert len(memory) == 1
    assert default_classifier.predict_strokes(value, memory=memory).label == d["label"]
    copies = near_copies(d["strokes"])
    assert sum(default_classifier.predict_strokes(c, memory=memory).label == d["label"] for c in copies) >= 3
    # Unrelated characters are not pulled towards the corrected class: real EMNIST glyphs of classes other than the
    # corrected one, its look-alikes (O/0/D, ...) and what it was misread as keep their answer (the bonus only reaches
    # drawings whose features are close to the remembered one's).
    from model.ink.orientation import emnist_to_upright
    from model.labels import ambiguous_with

    misread_as = default_classifier.predict_strokes(value).label
    related = {d["label"], misread_as, *ambiguous_with(d["label"])}
    images, labels = data.emnist_sample()
    others = [255 - emnist_to_upright(images[i]) for i in range(0, len(labels), 2) if LABELS[labels[i]] not in related]
    flipped = [default_classifier.predict(x, memory=memory).label for x in others]
    unchanged = [default_classifier.predict(x).label for x in others]
    assert sum(a != b and b not in related for a, b in zip(flipped, unchanged)) <= 0.005 * len(others)


def test_memory_json_round_trip(default_classifier, pen, misread):
    d, value = misread
    memory = WriterMemory()
    for other in pen[:5]:
        memory.add(default_classifier.predict_strokes(pad_value(other["strokes"])), other["label"], confirmed=True)
    memory.add(default_classifier.predict_strokes(value), d["label"])
    text = memory.to_json()
    same = WriterMemory.from_json(text, model=default_classifier.fingerprint)
    assert len(same) == 6 and same.model == memory.model == default_classifier.fingerprint
    assert [e.label for e in same.examples] == [e.label for e in memory.examples]
    a = default_classifier.predict_strokes(value, memory=memory).probabilities
    b = default_classifier.predict_strokes(value, memory=same).probabilities
    assert np.abs(a - b).max() < 0.02  # features travel as one byte each
    assert WriterMemory.from_json(json.loads(text)).to_json() == same.to_json()


def test_memory_is_bounded_oldest_first(default_classifier, pen):
    answer = default_classifier.predict_strokes(pad_value(pen[0]["strokes"]))
    memory = WriterMemory()
    for i in range(MAX_EXAMPLES + 5):
        memory.add(answer, LABELS[i % 47])
    assert len(memory) == MAX_EXAMPLES and memory.examples[0].label == LABELS[5]
    assert len(memory.to_json()) < MAX_JSON_CHARS
    with pytest.raises(UnknownCharacter):
        memory.add(answer, "é")


def _stored(default_classifier, pen) -> dict:
    memory = WriterMemory()
    memory.add(default_classifier.predict_strokes(pad_value(pen[0]["strokes"])), pen[0]["label"])
    return memory.as_dict()


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda m: "x" * (MAX_JSON_CHARS + 1), "too large"),
        (lambda m: "{oops", "not valid JSON"),
        (lambda m: [m], "format"),
        (lambda m: {**m, "version": 99}, "format"),
        (lambda m: {**m, "examples": "all of them"}, "damaged"),
        (lambda m: {**m, "model": "someone else's model"}, "another model"),
        (lambda m: {**m, "examples": m["examples"] * (MAX_EXAMPLES + 1)}, "limit"),
        (lambda m: {**m, "examples": [{**m["examples"][0], "label": "é"}]}, "valid label"),
        (lambda m: {**m, "examples": [{**m["examples"][0], "label": None}]}, "valid label"),
        (lambda m: {**m, "examples": [{**m["examples"][0], "features": "AAAA"}]}, "wrong size"),
        (
            lambda m: {**m, "examples": [{**m["examples"][0], "features": "!" * len(m["examples"][0]["features"])}]},
            "base64",
        ),
        (lambda m: {**m, "examples": [{**m["examples"][0], "features": [0.5] * 84}]}, "wrong size"),
    ],
)
def test_a_tampered_memory_is_refused(default_classifier, pen, tamper, message):
    with pytest.raises(MemoryRejected, match=message):
        WriterMemory.from_json(tamper(_stored(default_classifier, pen)), model=default_classifier.fingerprint)


def test_a_memory_from_another_model_is_not_used(default_classifier, pen, trained_run):
    other = Classifier.load(trained_run)
    memory = WriterMemory()
    memory.add(other.predict_strokes(pad_value(pen[0]["strokes"])), "7")
    with pytest.raises(MemoryRejected, match="another model"):
        default_classifier.predict_strokes(pad_value(pen[1]["strokes"]), memory=memory)
    with pytest.raises(ValueError, match="another model"):
        memory.add(default_classifier.predict_strokes(pad_value(pen[1]["strokes"])), "7")


def test_features_match_keras(default_classifier):
    """The serving file's features output is the Keras model's penultimate layer."""
    from model.network.files import KERAS_FILE
    from model.network.loading import DEFAULT_DIR

    keras_classifier = Classifier.load(DEFAULT_DIR / KERAS_FILE)
    images, _ = data.emnist_sample()
    served = default_classifier.engine.run(images[:64, ..., None].astype(np.float32) / 255)
    reference = keras_classifier.engine.run(images[:64, ..., None].astype(np.float32) / 255)
    assert np.abs(served[1] - reference[1]).max() <= 1e-4 * np.abs(reference[1]).max()


def test_remembered_words_round_trip_and_damaged_ones_are_refused():
    memory = WriterMemory()
    for word in ("Mum", "B12", "mum"):
        memory.add_word(word)
    assert list(WriterMemory.from_json(memory.to_json()).words) == ["b12", "mum"]  # a repeat moves to the end
    with pytest.raises(WordListError):
        memory.add_word("two words")
    for words in ("mum", ["ok", 3], ["b@d"], ["x" * 31], ["w"] * (MAX_WORDS + 1)):
        with pytest.raises(MemoryRejected, match="remembered words"):
            WriterMemory.from_json({"version": 1, "model": None, "examples": [], "words": words})
