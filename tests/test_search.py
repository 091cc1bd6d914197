"""The search through a word's candidate characters (model/words/search.py) and the word lists it reads
(model/words/lexicon.py), on graphs whose ink is known: what the network says of each candidate is given here."""

import time

import numpy as np
import pytest

from model.labels import NUM_CLASSES, index_of
from model.words import search
from model.words.lexicon import MAX_LIST_CHARS, MAX_WORDS, CharModel, Vocabulary, WordListError, english, parse_words


def says(*readings: dict[str, float]) -> np.ndarray:
    """One candidate per argument: the probabilities the network gives its classes (about a millionth each to the
    others, as the calibrated network does to classes that look nothing like the ink)."""
    rows = np.full((len(readings), NUM_CLASSES), 1e-6)
    for row, reading in zip(rows, readings):
        for label, p in reading.items():
            row[index_of(label)] = p
    return rows / rows.sum(axis=1, keepdims=True)


def chain(*readings: dict[str, float]) -> search.Graph:
    """Characters written apart: one piece each, no candidate joins two."""
    n = len(readings)
    return search.Graph(n, [(i, i + 1) for i in range(n)], says(*readings), np.ones(n), np.zeros(n), np.zeros(n))


def read(graph: search.Graph, vocabulary: Vocabulary | None = None) -> list[str]:
    vocabulary = vocabulary or Vocabulary.of()
    return [p.text for p in search.decode(graph, vocabulary.lexicons)]


def test_the_word_list_settles_what_the_ink_leaves_open():
    # "hello" with an l the network cannot tell from a 1 (and leans the wrong way)
    ink = chain({"h": 0.9}, {"e": 0.9}, {"L": 0.9}, {"1": 0.55, "L": 0.4}, {"O": 0.5, "0": 0.45})
    assert read(ink)[0] == "hello"


def test_clear_ink_outside_the_word_list_is_read_as_written():
    assert read(chain({"X": 0.999}, {"q": 0.999}, {"Z": 0.999}))[0] == "xqz"
    assert read(chain({"2": 0.99}, {"0": 0.9, "O": 0.09}, {"2": 0.99}, {"4": 0.99}))[0] == "2024"


def test_own_words_are_honoured():
    ink = chain(
        {"Z": 0.3, "S": 0.4, "2": 0.2},
        {"O": 0.5, "a": 0.4},
        {"L": 0.4, "1": 0.5},
        {"t": 0.5, "f": 0.4},
        {"a": 0.5, "e": 0.4},
        {"N": 0.5, "M": 0.4},
    )  # unclear ink: another spelling is likelier until the writer says Zoltan is a word of theirs
    assert read(ink)[0] not in ("zoltan", "")
    assert read(ink, Vocabulary.of("Zoltan, Ada"))[0] == "zoltan"
    assert read(ink, Vocabulary.of("Zoltan", dictionary=False))[0] == "zoltan"


def test_candidates_are_distinct_and_best_first():
    paths = search.decode(chain({"h": 0.6, "n": 0.3}, {"a": 0.5, "u": 0.4}, {"t": 0.9}), Vocabulary.of().lexicons)
    assert len(paths) == search.TOP and len({p.text for p in paths}) == len(paths)
    assert [p.score for p in paths] == sorted((p.score for p in paths), reverse=True)


def test_half_a_letter_or_two_letters_lose_to_the_right_cut():
    """Three pieces: 'c' + 'l' side by side (written joined), which together look like a 'd'. A candidate joining
    two pieces of ink written apart loses, even when it reads confidently."""
    edges = [(0, 1), (1, 2), (0, 2)]
    probabilities = says({"C": 0.9}, {"L": 0.8, "1": 0.15}, {"d": 0.95})
    joined = search.Graph(2, edges, probabilities, np.ones(3), np.zeros(3), np.zeros(3))
    apart = search.Graph(2, edges, probabilities, np.ones(3), np.array([0.0, 0.0, 0.5]), np.array([0.0, 0.0, 1.0]))
    assert read(joined, Vocabulary.of(dictionary=False))[0] == "d"
    assert read(apart, Vocabulary.of(dictionary=False))[0] == "cl"


def test_a_character_written_apart_is_cut_in_two_only_where_the_ink_says_so():
    """One piece of ink written apart, cut into two: read whole it is a fairly sure 'M'; its halves read as a
    confident 'r' and 'n'. Cutting between characters inside ink written apart costs ``inner``: with it, the
    whole 'M' wins; without it, the two letters (a joined-up 'rn' would be read so)."""
    edges = [(0, 1), (1, 2), (0, 2)]
    probabilities = says({"r": 0.95}, {"n": 0.95}, {"M": 0.6, "N": 0.3})
    graph = search.Graph(2, edges, probabilities, np.ones(3), np.zeros(3), np.zeros(3), np.array([1.0, 1.0, 0.0]))
    alone = Vocabulary.of(dictionary=False)

    def best(inner: float) -> str:
        weights = search.Weights(per_character=0.0, per_extra_piece=0.0, width=0.0, spelling=0.0, inner=inner)
        return search.decode(graph, alone.lexicons, weights)[0].text

    assert best(0.0) == "rn"
    assert best(4.0) == "m"


def test_the_word_list_and_spelling_model():
    words = english()
    assert len(words) > 80_000 and "hello" in words and "Hello" in words and "hellq" not in words
    assert words.log_prior_of("the") > words.log_prior_of("aardvark")
    spelling = CharModel.from_words(["the", "then", "this"])
    assert spelling.score("thi") > spelling.score("xqz") and spelling.score("123") > spelling.score("1x3")


def test_a_longer_spelling_model_remembers_words_and_leaves_numbers_alone():
    words = ["then", "than", "thin", "hen", "ten"]
    short, long = CharModel.from_words(words, order=2), CharModel.from_words(words, order=4)
    for spelling in (short, long):
        assert np.allclose(np.exp(spelling.log_next.astype(np.float64)).sum(axis=1), 1.0, atol=1e-5)
    assert long.score("then") > short.score("then") and long.score("hthe") < short.score("hthe")
    assert np.isfinite(long.score("xqzv"))  # any spelling stays possible
    assert long.score("2025") == pytest.approx(short.score("2025"))


@pytest.mark.parametrize(
    "words, says_",
    [
        ("Zoltan, b@d", "Word 2"),
        ("x" * (MAX_LIST_CHARS + 1), "too long"),
        (" ".join(["w"] * (MAX_WORDS + 1)), "too many words"),
        ("a" * 31, "Word 1 is too long"),
        ([1, 2], "must be a string"),
        (42, "a string or a list"),
    ],
)
def test_a_bad_word_list_is_refused_quickly_with_a_reason(words, says_):
    start = time.perf_counter()
    with pytest.raises(WordListError, match=says_):
        Vocabulary.of(words)
    assert time.perf_counter() - start < 5  # a guard against a parse that runs away, not a timing


def test_a_word_list_is_parsed_from_a_string_or_a_list():
    assert parse_words("Ada, Grace\nLinus;  Guido") == ["ada", "grace", "linus", "guido"]
    assert parse_words(["Ada", " Grace "]) == ["ada", "grace"]
    assert Vocabulary.of("").lexicons == Vocabulary.of().lexicons  # an empty list is no list
    assert Vocabulary.of(dictionary=False).lexicons == ()
