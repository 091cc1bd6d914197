"""What the Space shows around a prediction, and which model it serves when the configured one fails."""

import time

import numpy as np

from model import explain
from model.serving import load_for_serving


def test_ambiguity_notes():
    assert "**0**" in explain.ambiguity_note("O") and "**D**" in explain.ambiguity_note("O")
    assert "**5**" in explain.ambiguity_note("S")
    assert explain.ambiguity_note("X") == ""
    assert "c, i, j, k, l, m, o, p, s, u, v, w, x, y, z" in explain.MERGED_NOTE


def test_enlarge_keeps_hard_pixel_edges():
    glyph = np.zeros((28, 28), np.float32)
    glyph[3, 4] = 1.0
    big = explain.enlarge(glyph, scale=8)
    assert big.shape == (224, 224) and big.dtype == np.uint8
    assert big[24:32, 32:40].min() == 255 and big[23, 32] == 0 and big[24, 31] == 0


def test_about_comes_from_metrics(default_classifier):
    text = explain.about_markdown(default_classifier.metrics, default_classifier.source)
    test = default_classifier.metrics["test"]
    assert f"{100 * test['accuracy']:.2f}%" in text and f"{test['weighted_f1']:.4f}" in text
    assert "not trained on EMNIST" in text  # the bundled model is synthetic and says so
    assert "no metrics.json" in explain.about_markdown({}, "x.keras")


def test_unreachable_configured_model_falls_back_fast(monkeypatch, tmp_path):
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(tmp_path))
    start = time.perf_counter()
    classifier, status = load_for_serving("someone/not-cached")
    assert time.perf_counter() - start < 10
    assert classifier.source == "bundled default"
    assert "Could not load `someone/not-cached`" in status and "bundled default model instead" in status


def test_env_var_and_default(monkeypatch, trained_run):
    monkeypatch.setenv("EMNIST_MODEL", str(trained_run))
    classifier, status = load_for_serving()
    assert str(trained_run) in status and classifier.metrics["data"]["train"] + classifier.metrics["data"]["validation"] == 6000
    monkeypatch.delenv("EMNIST_MODEL")
    classifier, status = load_for_serving()
    assert classifier.source == "bundled default" and status == "Serving the bundled default model."
