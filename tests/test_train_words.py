"""python -m train.words end to end on a few made-up words, for the pen model and the picture model: it learns them,
writes the files together, its LiteRT file answers as Keras does, and the decoder reads the words back from the
served file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.drawings import CHARACTER_STROKES
from model.ink import strip, trajectory
from model.network import files, word_model
from model.words.decoder import decode
from model.words.lexicon import Vocabulary

pytestmark = pytest.mark.train

TEXTS = ["it", "tx", "71", "L4", "xT", "47", "Tix", "1L"]


def written(text: str, rng: np.random.Generator) -> list:
    """``text`` in the harness's hand-drawn characters, side by side with a varying gap and a little wobble."""
    strokes, x = [], 0.0
    for char in text:
        for stroke in CHARACTER_STROKES[char]:
            points = np.asarray(stroke, float) + [x, 0] + rng.normal(0, 2, (len(stroke), 2))
            strokes.append(points.round().tolist())
        x += 100 + rng.uniform(10, 40)
    return strokes


@pytest.fixture(scope="module", params=[word_model.READS_PEN, word_model.READS_PICTURES])
def trained(request, tmp_path_factory):
    from train.words import main

    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("words")
    rows = []
    for i in range(480):  # "zzz" trains; "abm", one of the tuning contributors, validates; "art" (test) is never read
        contributor = "abm" if i % 8 == 0 else ("art" if i % 8 == 1 else "zzz")
        text = TEXTS[(i // 8) % len(TEXTS)]
        rows.append({"cat": "7", "text": text, "contributor": contributor, "writer": f"{contributor}/w{i % 5}",
                     "quality": "?", "strokes": written(text, rng)})  # fmt: skip
    data = folder / "words.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    out = folder / "model"
    argv = ["--words", str(data), "--epochs", "30", "--width", "32", "--batch-size", "4", "--output-dir", str(out)]
    half = ["--half"] if request.param == word_model.READS_PICTURES else []  # stored as float16, still checked
    # Small steps, many of them, no dropout: at 8 words a batch and a learning rate of 0.005 the picture model
    # answered every word alike on some CPUs and not on others.
    options = ["--validation-words", "100", "--learning-rate", "0.002", "--dropout", "0", "--average", "8",
               "--reads", request.param, *half, "--quiet"]  # fmt: skip
    assert main([*argv, *options]) == 0
    return out, rows, request.param


def test_it_learns_words_and_writes_every_file(trained):
    out, rows, reads = trained
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [files.WORD_KERAS_FILE, files.WORD_SERVING_FILE, files.METRICS_FILE]
    )
    metrics = json.loads((out / files.METRICS_FILE).read_text())
    assert metrics["data"]["training_words"] == sum(r["contributor"] == "zzz" for r in rows)  # never "art"
    assert metrics["validation"]["words"] == sum(r["contributor"] == "abm" for r in rows)
    assert metrics["validation"]["word_accuracy"] >= 0.7 and metrics["serving"]["max_abs_diff"] <= 1e-3
    assert metrics["history"][0]["cer"] > metrics["validation"]["cer"]  # it learnt
    assert metrics["validation"]["cer"] == min(h["cer"] for h in metrics["history"])  # it keeps its best weights
    assert metrics["history"][-1]["averaged_epochs"] == 8  # the last epochs' average was validated too
    assert metrics["model"]["reads"] == reads


def test_the_served_file_and_decoder_read_the_words_back(trained):
    out, rows, reads = trained
    served = word_model.WordModel.load(out, reads)
    vocabulary = Vocabulary.of(words=TEXTS, dictionary=False)
    held = [r for r in rows if r["contributor"] == "abm"]

    def seen(strokes):
        return trajectory.features(strokes) if reads == word_model.READS_PEN else strip.from_strokes(strokes, 0.06)[0]

    read = [decode(served(seen(r["strokes"])), vocabulary)[0].text for r in held]
    assert np.mean([a == r["text"].lower() for a, r in zip(read, held)]) >= 0.7


def test_a_model_is_refused_as_the_other_kind(trained):
    out, _, reads = trained
    other = word_model.READS_PICTURES if reads == word_model.READS_PEN else word_model.READS_PEN
    with pytest.raises(word_model.WordModelError) as refused:
        word_model.WordModel.load(out, other)
    assert refused.value.reason == "The word model's file is not a word model of this project."


def test_a_damaged_word_model_is_refused_clearly(tmp_path):
    (tmp_path / files.WORD_SERVING_FILE).write_bytes(b"\0" * 64)
    with pytest.raises(word_model.WordModelError) as refused:
        word_model.WordModel.load(tmp_path)
    assert refused.value.reason == "The word model's file is damaged."
    with pytest.raises(word_model.WordModelError):
        word_model.WordModel.load(tmp_path / "nowhere")


def test_a_warp_makes_letters_wider_and_narrower_along_a_word_without_folding_it_back():
    from dataclasses import replace

    from train.words import Recipe, augment

    ink = written("Tix1L4", np.random.default_rng(0))
    still = Recipe(slant=0.0, rotation_deg=0.0, stretch=0.0, jitter=0.0)
    assert all(np.allclose(a, b) for a, b in zip(augment(ink, still, np.random.default_rng(1)), ink))
    scales = []
    for seed in range(20):
        warped = np.concatenate(augment(ink, replace(still, warp=0.3), np.random.default_rng(seed)))
        before = np.concatenate([np.asarray(s, float) for s in ink])
        assert np.allclose(warped[:, 1], before[:, 1])  # heights untouched
        order = np.argsort(before[:, 0], kind="stable")
        x, was = warped[order, 0], before[order, 0]
        assert np.all(np.diff(x) >= 0)  # nothing written left of what was to its left
        apart = np.diff(was) > 1
        scales.append(np.diff(x)[apart] / np.diff(was)[apart])
    assert min(map(np.min, scales)) < 0.8 and max(map(np.max, scales)) > 1.2  # stretches narrower and wider
