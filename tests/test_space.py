"""What the Space shows around a prediction, and which model it serves when the configured one fails."""

import json
import shutil
import time
from types import SimpleNamespace

import numpy as np

from model.network.files import METRICS_FILE
from model.network.metrics import ModelMetrics
from space import pictures, texts
from space.serving import HUB_TIMEOUT_S, load_for_serving


def test_notes_apply_only_where_they_are_true():
    assert "**0**" in texts.notes_for("O") and "**D**" in texts.notes_for("O") and "lowercase o" in texts.notes_for("O")
    assert "**5**" in texts.notes_for("S")
    assert texts.notes_for("7") == "" and texts.notes_for("A") == "" and texts.notes_for("a") == ""
    assert "lowercase" not in texts.notes_for("1")  # a digit never gets the merged-lowercase note
    assert "lowercase c" in texts.notes_for("C") and "**0**" not in texts.notes_for("C")


def test_enlarge_keeps_hard_pixel_edges():
    glyph = np.zeros((28, 28), np.float32)
    glyph[3, 4] = 1.0
    big = pictures.enlarge(glyph, scale=8)
    assert big.shape == (224, 224) and big.dtype == np.uint8
    assert big[24:32, 32:40].min() == 255 and big[23, 32] == 0 and big[24, 31] == 0


def about(metrics: ModelMetrics, pen: ModelMetrics | None = None) -> str:
    """The About text of a page serving models with these metrics."""
    from model.served import ServedModels

    def model(m):
        return SimpleNamespace(metrics=m, warnings=[])

    return texts.about_markdown(ServedModels(model(metrics), model(pen) if pen else None))


def test_about_comes_from_metrics(trained_run, served_models):
    metrics = ModelMetrics.load(trained_run / METRICS_FILE)
    text = about(metrics)
    served = metrics.served_test  # what the page's answers are: with the test-time views the run chose, if any
    assert f"{100 * served.accuracy:.2f}%" in text and f"{served.weighted_f1:.4f}" in text
    assert "generated font glyphs, not handwriting" in text  # the test run is synthetic and says so
    assert texts.NO_PEN_MODEL in text  # and has no pen-tuned sibling
    assert "no metrics.json" in about(ModelMetrics(missing=["metrics.json"]))
    # The bundled pair: which model reads what, what each learnt from, and the pen model's held-out writers.
    text = texts.about_markdown(served_models)
    emnist, pen = served_models.emnist.metrics, served_models.pen.metrics
    assert (
        f"**{100 * emnist.served_test.accuracy:.2f}%**" in text and f"**{100 * pen.served_test.accuracy:.2f}%**" in text
    )
    assert "UNIPEN" in text and "UJI" in text and "reads your drawings" in text
    assert f"lowercase {100 * pen.training.validation['pen lowercase']:.2f}%" in text
    assert "we never measured" not in text and "for machines without the Hub" not in text


def test_about_survives_missing_and_unknown_fields(trained_run, tmp_path):
    """A metrics.json from another version: missing keys read "not recorded", unknown keys are ignored."""
    raw = json.loads((trained_run / METRICS_FILE).read_text())
    del raw["test"]["accuracy"], raw["data"]["name"], raw["model"]
    raw["views"]["test"].pop("accuracy", None)  # the page shows the served numbers: with views, these
    raw["something_new"] = {"x": 1}
    raw["training"] = "not even a dict"
    raw["test"]["ece"], raw["test"]["samples"] = "0.01", True  # a string for a number, a bool for a count
    path = tmp_path / METRICS_FILE
    path.write_text(json.dumps(raw))
    metrics = ModelMetrics.load(path)
    assert {"test.accuracy", "data.name", "model", "training", "test.ece", "test.samples"} <= set(metrics.missing)
    assert metrics.test.ece is None and metrics.test.weighted_f1 == raw["test"]["weighted_f1"]
    text = about(metrics)
    assert "reads **not recorded**" in text


def test_unreachable_configured_model_falls_back_fast(monkeypatch, tmp_path):
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(tmp_path))
    start = time.perf_counter()
    models, status = load_for_serving("someone/not-cached")
    assert time.perf_counter() - start < HUB_TIMEOUT_S + 2
    assert models.emnist.source == "bundled default" and models.pen.source == "bundled default (pen)"
    assert "could not be loaded" in status and "Serving the bundled model instead." in status
    assert str(tmp_path) not in status


def test_a_hub_that_never_answers_cannot_hold_up_start_up(silent_endpoint, tmp_path, monkeypatch):
    """python app.py --model someone/nothing against a server that accepts and never replies: the bundled model
    serves within the start-up bound."""
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "HF_HUB_CACHE", str(tmp_path))
    start = time.perf_counter()
    models, status = load_for_serving("someone/nothing")
    assert time.perf_counter() - start < HUB_TIMEOUT_S + 3
    assert models.emnist.source == "bundled default" and "Cannot reach the Hugging Face Hub" in status


def test_broken_model_folder_is_reported_without_server_paths(trained_run, tmp_path):
    folder = tmp_path / "srv" / "models" / "mine"
    shutil.copytree(trained_run, folder)
    for name in ("lenet5_emnist_balanced.tflite", "lenet5_emnist_balanced.keras"):
        (folder / name).write_bytes(b"\x00" * 100)
    models, status = load_for_serving(str(folder))
    assert models.emnist.source == "bundled default" and "damaged" in status
    assert str(tmp_path) not in status and "srv" not in status


def test_a_broken_pen_model_is_reported_like_the_first(trained_run, tmp_path):
    folder = tmp_path / "mine"
    shutil.copytree(trained_run, folder)
    shutil.copytree(trained_run, folder / "pen", ignore=shutil.ignore_patterns("README.md"))
    (folder / "pen" / "lenet5_emnist_balanced.tflite").write_bytes(b"\x00" * 100)
    models, status = load_for_serving(str(folder))
    assert models.pen.source == "bundled default (pen)" and "damaged" in status and str(tmp_path) not in status


def test_a_repo_without_a_pen_model_still_serves_and_says_so(trained_run):
    models, status = load_for_serving(str(trained_run))
    assert models.pen is None and models.emnist.source == str(trained_run)
    assert texts.NO_PEN_MODEL in status
    assert (
        models.classifier("auto", "strokes") is models.emnist and models.classifier("pen", "picture") is models.emnist
    )


def test_old_preprocessing_is_flagged(trained_run, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(trained_run, folder)
    raw = json.loads((folder / METRICS_FILE).read_text())
    raw["preprocessing"] = "0"
    (folder / METRICS_FILE).write_text(json.dumps(raw))
    models, status = load_for_serving(str(folder))
    assert models.emnist.source == str(folder) and "preprocessing version 0" in status


def test_env_var_and_default(monkeypatch, trained_run):
    monkeypatch.setenv("EMNIST_MODEL", str(trained_run))
    models, status = load_for_serving()
    metrics = models.emnist.metrics
    assert str(trained_run) in status and metrics.data.train + metrics.data.validation == 6000
    monkeypatch.delenv("EMNIST_MODEL")
    models, status = load_for_serving()
    assert models.emnist.source == "bundled default" and status.startswith("Serving the bundled models.")
    assert "The pen-tuned model reads drawings and pictures" in status


def test_look_alike_notes_name_only_what_the_visitor_allows():
    assert "**I**" in texts.notes_for("1") and "**L**" in texts.notes_for("1")
    assert texts.notes_for("1", allowed="0123456789") == ""  # among digits, a 1 has no look-alike
    assert "**0**" in texts.notes_for("O", allowed="0O") and "**D**" not in texts.notes_for("O", allowed="0O")
