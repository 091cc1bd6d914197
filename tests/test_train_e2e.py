"""A real (short) training run end to end on synthetic data, and the artifacts it leaves."""

import json

import numpy as np
import pytest
import yaml

from model import Classifier
from model.labels import NUM_CLASSES
from train.artifacts import ARTIFACTS

CHANCE = 1 / NUM_CLASSES  # 2.1%
# Measured on this recipe (6,000 synthetic images, 6 epochs, seed 3): 0.772 test accuracy.
# 0.45 is over 20x chance and leaves room for thread-order noise across machines.
LEARNS_BOUND = 0.45


def test_every_artifact_is_written(trained_run):
    for name in ARTIFACTS:
        assert (trained_run / name).is_file() and (trained_run / name).stat().st_size > 0, name
    assert not list(trained_run.glob(".*tmp*")) and not (trained_run / ".checkpoint").exists()
    for png in ("confusion_matrix.png", "training_curves.png"):
        assert (trained_run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_learns_far_above_chance(trained_run):
    metrics = json.loads((trained_run / "metrics.json").read_text())
    test = metrics["test"]
    assert test["accuracy"] > LEARNS_BOUND > 20 * CHANCE
    assert test["top3_accuracy"] >= test["accuracy"]
    assert 0 < test["macro_f1"] <= 1 and 0 < test["weighted_f1"] <= 1
    matrix = np.asarray(test["confusion_matrix"])
    assert matrix.shape == (47, 47) and matrix.sum() == test["samples"] == metrics["data"]["test"]
    assert np.isclose(np.trace(matrix) / matrix.sum(), test["accuracy"], atol=1e-4)
    assert metrics["training"]["epochs_run"] <= 6 and metrics["training"]["seed"] == 3
    assert metrics["data"]["is_emnist"] is False and metrics["data"]["train"] + metrics["data"]["validation"] == 6000
    assert {"tensorflow", "keras", "huggingface_hub"} <= set(metrics["versions"])


def test_card_metadata_matches_metrics(trained_run):
    metrics = json.loads((trained_run / "metrics.json").read_text())
    card = (trained_run / "README.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert front["library_name"] == "keras" and front["pipeline_tag"] == "image-classification"
    assert front["license"] and "emnist" in front["tags"]
    results = front["model-index"][0]["results"][0]
    values = {(m["name"]): m["value"] for m in results["metrics"]}
    assert values["Accuracy"] == metrics["test"]["accuracy"]
    assert values["Weighted F1"] == metrics["test"]["weighted_f1"]
    assert values["Macro F1"] == metrics["test"]["macro_f1"]
    assert results["dataset"]["split"] == "test"
    body = card.split("---", 2)[2]
    assert f"{100 * metrics['test']['accuracy']:.2f}%" in body
    assert "NOT trained on EMNIST" in body  # synthetic data is declared plainly
    assert "64,851" in body


def test_saved_model_loads_and_agrees(trained_run, tiny_splits):
    classifier = Classifier.load(trained_run)
    assert classifier.metrics["test"]["accuracy"] > LEARNS_BOUND
    x = tiny_splits.x_test[:32].astype(np.float32) / 255
    probabilities = classifier.predict_batch(x)
    assert probabilities.shape == (32, 47) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)


def test_failed_run_keeps_previous_artifacts(trained_run, tmp_path, monkeypatch):
    """A run that dies while writing leaves the earlier files exactly as they were."""
    import shutil

    from train import artifacts
    from train.cli import main

    out = tmp_path / "out"
    shutil.copytree(trained_run, out)
    before = {name: (out / name).read_bytes() for name in ARTIFACTS}

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(artifacts.plots, "curves_png", explode)
    try:
        main(["--data", "synthetic", "--max-samples", "300", "--epochs", "1", "--output-dir", str(out), "--quiet"])
    except RuntimeError:
        pass
    assert {name: (out / name).read_bytes() for name in ARTIFACTS} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".checkpoint"]


def test_cli_help_documents_every_option(capsys):
    from train.cli import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    text = capsys.readouterr().out
    for action in parser._actions:
        for flag in action.option_strings:
            assert flag in text
        if action.option_strings and action.dest != "help":
            assert action.help, action.dest


def test_data_dir_reads_emnist_format(tmp_path, tiny_splits):
    """--data-dir takes the official four files; here written by the synthetic generator in that format."""
    from train.cli import main
    from train.synthetic import write_folder

    folder = write_folder(tiny_splits, tmp_path / "emnist")
    out = tmp_path / "out"
    assert main(["--data-dir", str(folder), "--epochs", "1", "--output-dir", str(out), "--quiet"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["source"] == "folder" and metrics["data"]["is_emnist"] is True
    assert metrics["data"]["test"] == len(tiny_splits.y_test)


def test_card_regenerates_identically_from_metrics(trained_run, tmp_path):
    """`python -m train.card FOLDER` rebuilds the card from metrics.json alone: same text as the run wrote."""
    import shutil

    from train.card import main

    shutil.copy(trained_run / "metrics.json", tmp_path / "metrics.json")
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / "README.md").read_text() == (trained_run / "README.md").read_text()
