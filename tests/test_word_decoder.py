"""The word decoder on made-up ink: per-frame probabilities written by hand, so what the word list may and may not
change is exact."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from model.labels import LABELS
from model.network.word_model import ALPHABET, CLASSES, greedy
from model.words.decoder import (
    TOP,
    Weights,
    align,
    aligned,
    as_symbols,
    decode,
    likelihoods,
    style_from_ink,
    styled,
)
from model.words.lexicon import Vocabulary
from train.evaluate import cer

#: The weights these made-up inks are written for, fixed here: ``decoder.WEIGHTS`` is chosen on the tuning writers'
#: words (``python -m bench word_model --writers tune``) and moves with the model.
FIXED = Weights(prior=0.5, spelling=0.3, outside=9.0, alone=0.7, number=0.0, picture=0.5, glyph=1.0)


def frames(*steps: dict[str, float]) -> np.ndarray:
    """Log-probabilities: each step is one character frame ({character: probability}) followed by a blank frame;
    what a frame leaves unsaid is blank."""
    rows = []
    for step in steps:
        row = np.full(CLASSES, 1e-6)
        for char, p in step.items():
            row[ALPHABET.index(char) + 1] = p
        row[0] = max(1e-6, 1 - sum(step.values()))
        blank = np.full(CLASSES, 1e-6)
        blank[0] = 1.0
        rows += [row, blank]
    rows = np.asarray(rows)
    return np.log(rows / rows.sum(axis=1, keepdims=True))


def test_clear_ink_reads_as_written_with_or_without_a_list():
    ink = frames({"c": 0.9}, {"a": 0.9}, {"t": 0.9})
    assert greedy(ink) == "cat"
    assert decode(ink, Vocabulary.of(), FIXED)[0].text == "cat"
    assert decode(ink, Vocabulary.of(dictionary=False), FIXED)[0].text == "cat"


def test_the_list_settles_what_the_ink_leaves_open_and_no_more():
    torn = frames({"t": 0.9}, {"b": 0.5, "h": 0.4}, {"e": 0.9})  # "tbe" by a nose, "the" close behind
    assert greedy(torn) == "tbe"
    best = decode(torn, Vocabulary.of(), FIXED)
    assert best[0].text == "the" and best[0].listed
    assert not any(c.listed for c in decode(torn, Vocabulary.of(dictionary=False), FIXED))  # no list, no listed words
    sure = frames({"t": 0.999999}, {"b": 0.999998, "h": 1e-6}, {"e": 0.999999})  # the ink rules "the" out
    assert decode(sure, Vocabulary.of(), FIXED)[0].text == "tbe"


def test_unlisted_names_and_numbers_are_read_from_the_ink():
    name = frames({"Z": 0.999}, {"o": 0.999}, {"l": 0.999}, {"t": 0.999}, {"a": 0.999}, {"n": 0.999})
    assert decode(name, Vocabulary.of(), FIXED)[0].text == "zoltan"
    assert decode(name, Vocabulary.of(words="Zoltan"), FIXED)[0].listed
    number = frames({"2": 0.9}, {"0": 0.8, "o": 0.1}, {"2": 0.9}, {"5": 0.8, "s": 0.1})
    assert decode(number, Vocabulary.of(), FIXED)[0].text == "2025"


def test_without_a_list_the_spelling_weighs_alone():
    """ "thr" by a nose over "the" in the ink: spelling decides only as much as its weight with no list says."""
    ink = frames({"t": 0.9}, {"h": 0.9}, {"r": 0.5, "e": 0.4})
    bare = Vocabulary.of(dictionary=False)
    assert decode(ink, bare, replace(FIXED, alone=0.0))[0].text == "thr"
    assert decode(ink, bare, replace(FIXED, alone=1.0))[0].text == "the"
    assert decode(ink, bare, replace(FIXED, spelling=0.0, alone=1.0))[0].text == "the"  # not the list's weight


def test_a_number_pays_its_own_cost_for_leaving_the_list():
    """The English list spells no number, so what "15" pays for leaving it is the number's cost, not a name's; a
    code like "1s" pays what any unlisted reading pays, and so does a number beside a list that holds numbers;
    with no list there is nothing to leave."""
    listed, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    ink = frames({"1": 0.6, "i": 0.3}, {"5": 0.6, "s": 0.3})  # "15" by a nose over the listed "is"
    assert decode(ink, listed, replace(FIXED, number=0.0))[0].text == "15"
    assert decode(ink, Vocabulary.of(words="2025 1984"), replace(FIXED, number=0.0))[0].text == "is"
    assert decode(ink, listed, replace(FIXED, number=9.0, outside=0.0))[0].text == "is"
    code = frames({"1": 0.9, "i": 0.09}, {"s": 0.9, "5": 0.09})
    assert decode(code, listed, replace(FIXED, number=9.0, outside=0.0))[0].text == "1s"
    assert decode(code, listed, replace(FIXED, number=0.0, outside=9.0))[0].text == "is"
    assert [c.text for c in decode(ink, bare, replace(FIXED, number=0.0))] == [
        c.text for c in decode(ink, bare, replace(FIXED, number=20.0))
    ]


def test_repeated_letters_need_a_blank_between_them():
    ink = frames({"l": 0.9}, {"l": 0.9})  # two separate l frames: "ll"
    assert decode(ink, Vocabulary.of(dictionary=False), FIXED)[0].text == "ll"
    held = np.concatenate([frames({"l": 0.9})[:1]] * 3)  # one l held over three frames: "l"
    assert decode(held, Vocabulary.of(dictionary=False), FIXED)[0].text == "l"


def test_candidates_are_ordered_and_distinct():
    ink = frames({"c": 0.6, "e": 0.3}, {"a": 0.5, "o": 0.4}, {"t": 0.9})
    found = decode(ink, Vocabulary.of(), FIXED)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert len({c.text for c in found}) == len(found) >= 3


def test_a_texts_likelihood_sums_every_path_that_spells_it():
    """Against every path through the frames spelled out: blanks dropped, repeats merged, case ignored."""
    import itertools

    rng = np.random.default_rng(7)
    symbols = [0, 1 + ALPHABET.index("a"), 1 + ALPHABET.index("A"), 1 + ALPHABET.index("b")]
    raw = np.full((5, CLASSES), -np.inf)
    raw[:, symbols] = rng.normal(size=(5, len(symbols)))
    ink = raw - np.logaddexp.reduce(raw, axis=1, keepdims=True)
    texts = ["a", "ab", "aa", "aba", "bab", "aaa", "b" * 6]
    spelled = dict.fromkeys(texts, -np.inf)
    for path in itertools.product(symbols, repeat=len(ink)):
        caseless = [ALPHABET[s - 1].lower() if s else "" for s in path]
        text = "".join(c for k, c in enumerate(caseless) if c and (k == 0 or c != caseless[k - 1]))
        if text in spelled:
            spelled[text] = np.logaddexp(spelled[text], sum(ink[k, s] for k, s in enumerate(path)))
    found = likelihoods(ink, texts)
    assert found[:-1] == pytest.approx([spelled[t] for t in texts[:-1]])
    assert np.isfinite(found[:-1]).all()  # every other text fits (three a's: a blank between each)
    assert found[-1] == -np.inf  # six characters cannot fit in five frames


def test_the_picture_settles_what_the_pen_leaves_open_and_never_rules_a_reading_out():
    pen = frames({"c": 0.9}, {"a": 0.5, "o": 0.4}, {"t": 0.9})  # "cat" by a nose over "cot"
    picture = frames({"c": 0.9}, {"o": 0.95, "a": 0.01}, {"t": 0.9})  # the picture sees "cot" clearly
    listed = Vocabulary.of()
    alone = [c.text for c in decode(pen, listed, FIXED)]
    assert alone[0] == "cat" and "cot" in alone
    seen = decode(pen, listed, FIXED, picture=picture)
    assert seen[0].text == "cot" and sorted(c.text for c in seen) == sorted(alone)
    assert [c.score for c in seen] == sorted((c.score for c in seen), reverse=True)
    assert decode(pen, listed, replace(FIXED, picture=0.0), picture=picture)[0].text == "cat"  # weight 0: no say
    narrow = picture[:2]  # a picture too short for most readings: they stay, at its least say
    assert sorted(c.text for c in decode(pen, listed, FIXED, picture=narrow)) == sorted(alone)


def lenet(**sure: float) -> np.ndarray:
    """What the LeNet-5 might say of a glyph ({class label: probability}, the rest shared out), as decoder symbols."""
    p = np.full(len(LABELS), (1 - sum(sure.values())) / (len(LABELS) - len(sure)))
    for label, share in sure.items():
        p[LABELS.index(label)] = share
    return as_symbols(p)


def test_the_lenet_settles_a_lone_character_and_says_nothing_of_longer_readings():
    lone = frames({"5": 0.6, "s": 0.35})  # a lone "5" by a nose over "s" to the word model
    bare = Vocabulary.of(dictionary=False)
    asked = []

    def says_s():
        asked.append(True)
        return lenet(S=0.999, **{"5": 1e-5})  # the LeNet-5, which reads characters written alone, sees an s

    assert decode(lone, bare, FIXED)[0].text == "5"
    assert decode(lone, bare, FIXED, glyph=says_s)[0].text == "s" and asked
    assert decode(lone, bare, replace(FIXED, glyph=0.0), glyph=says_s)[0].text == "5"  # weight 0: no say
    assert decode(lone, bare, FIXED, glyph=lambda: lenet(**{"5": 0.9}))[0].text == "5"  # agreeing changes nothing
    word = frames({"c": 0.9}, {"a": 0.5, "o": 0.4}, {"t": 0.9})
    alone = decode(word, bare, FIXED)
    seen = decode(word, bare, FIXED, glyph=says_s)
    longer = {c.text: c.score for c in alone if len(c.text) > 1}
    assert longer and {c.text: c.score for c in seen if len(c.text) > 1} == longer  # longer readings: no say


def test_the_lenets_classes_become_the_decoders_caseless_symbols():
    symbols = "abcdefghijklmnopqrstuvwxyz0123456789"
    both = lenet(a=0.45, A=0.45)  # two classes, one symbol: the symbol gets both
    assert np.exp(both[symbols.index("a")]) == pytest.approx(0.9, abs=0.01)
    merged = lenet(S=0.9)  # one class for both cases
    assert np.argmax(merged) == symbols.index("s")
    assert np.isfinite(as_symbols(np.eye(len(LABELS))[LABELS.index("S")])).all()  # a ruled-out class: floored


def test_alignment_and_case_come_from_the_frames():
    ink = frames({"C": 0.8, "c": 0.1}, {"a": 0.9}, {"t": 0.9})
    assert align(ink, "cat") == [(0, 0), (2, 2), (4, 4)]
    assert styled("cat", style_from_ink(ink, "cat", align(ink, "cat"))) == "Cat"
    assert align(ink[:2], "cat") is None  # two frames cannot hold three characters
    # a word's candidates aligned together, each as alone: shorter and longer texts beside it change nothing
    too_long = "c" * (len(ink) + 1)
    assert aligned(ink, ["at", "cat", too_long, ""]) == [[(2, 2), (4, 4)], [(0, 0), (2, 2), (4, 4)], None, None]


def test_choosing_the_weights_reads_every_word_as_the_decoder_does():
    """``bench word_model --writers tune`` runs each search once for all the weights that share it, in forked
    processes: where the truth comes among the readings must be what ``decode`` itself gives, setting by setting."""
    from bench.word_model import _Words
    from model.words.decoder import Search

    rng = np.random.default_rng(3)
    texts = ["the", "tbe", "cat", "zoltan", "2025", "house", "hause", "of"]
    ink = []
    for text in texts:  # each character sure to fairly sure, a look-alike beside it
        ink.append(frames(*({c: rng.uniform(0.35, 0.95), rng.choice(list("aeohnbr")): 0.05} for c in text)))
    # "house" with "q" or "g" first by the ink: only spelling that weighs keeps "h" in a narrow search
    ink.append(frames({"q": 0.4, "g": 0.3, "h": 0.25}, {"o": 0.9}, {"u": 0.9}, {"s": 0.9}, {"e": 0.9}))
    ink.append(frames({"5": 0.5, "s": 0.45}))  # a lone s, a 5 by a nose to the word model
    truth = ["the", "the", "cat", "zoltan", "2025", "house", "house", "or", "house", "s"]
    # the picture's second opinion: the same ink, less sure of it
    pictures = [0.5 * f - np.logaddexp.reduce(0.5 * f, axis=1, keepdims=True) for f in ink]
    # the LeNet-5's reading of each ink as one character: an s, sure or not
    glyphs = np.stack([lenet(S=rng.uniform(0.3, 0.999)) for _ in ink[:-1]] + [lenet(S=0.999)])
    listed, bare = Vocabulary.of(), Vocabulary.of(dictionary=False)
    narrow = Search(beam=2, prune=1e-3)  # a search this narrow finds different readings for different weights
    settings = [
        (listed, Weights(prior=0.5, spelling=0.3, outside=9.0), narrow),
        (listed, Weights(prior=0.5, spelling=3.0, outside=3.0), narrow),
        (listed, Weights(prior=0.5, spelling=0.3, outside=9.0)),
        (listed, Weights(prior=2.0, spelling=0.3, outside=9.0)),
        (bare, replace(FIXED, alone=0.0), narrow),
        (bare, replace(FIXED, alone=3.0), narrow),
        (listed, replace(FIXED, picture=0.0)),
        (listed, replace(FIXED, picture=2.0)),
        (bare, replace(FIXED, glyph=0.0)),
        (bare, replace(FIXED, glyph=4.0)),
    ]
    read = _Words(ink, truth, np.array(list("aaabbccccd")), pictures, glyphs).read(settings)
    for column, (vocabulary, weights, *search) in enumerate(settings):
        for row, (f, t, pic, g) in enumerate(zip(ink, truth, pictures, glyphs)):
            texts = [c.text for c in decode(f, vocabulary, weights, *search, picture=pic, glyph=lambda g=g: g)]
            assert read.places[row, column] == (texts.index(t) if t in texts else TOP), (t, texts, column)
            assert read.cer[row, column] == pytest.approx(cer(texts[0], t)), (t, texts, column)
    assert (read.places == 0).any() and (read.places > 0).any()  # the words are neither all read nor all missed
    assert read.places[-1, -2] > 0 and read.places[-1, -1] == 0  # the lone s: read right only with the LeNet-5
    assert (read.cer > 0).any()


def test_the_weights_kept_read_fewer_characters_wrong_among_those_as_accurate():
    """Of settings whose accuracy the words cannot tell apart, the one with the lowest CER is kept; a setting
    clearly less accurate is not, however few characters it gets wrong."""
    from bench.word_model import _best, _Read, _Words

    right = np.zeros((100, 3), bool)
    right[:80, 0] = True  # 80 words
    right[3:82, 1] = True  # 79: differs on five words (net one), within the standard error (sqrt(5) / 100)
    right[:70, 2] = True  # 70: differs on ten words, three standard errors (sqrt(10) / 100) below
    errors = np.tile(np.array([0.10, 0.05, 0.0], np.float32), (100, 1))
    read = _Read(np.where(right, 0, TOP).astype(np.int8), errors)
    assert _best(_Words([], ["x"] * 100, np.array(["a"] * 100)), read) == 1
    errors[:, 1] = 0.2  # now the more accurate one also reads fewer characters wrong
    assert _best(_Words([], ["x"] * 100, np.array(["a"] * 100)), read) == 0


def test_each_writer_counts_alike_when_choosing_the_weights():
    from bench.word_model import _Words

    words = _Words([], ["x"] * 6, np.array(["a", "a", "a", "a", "b", "b"]))
    right = np.array([True, True, True, False, False, False])
    assert words.share(right) == 0.375  # a reads 3 of 4, b none of 2: not 3 of 6
    assert words.share(right, among=np.array([True, False, False, False, True, True])) == 0.5
