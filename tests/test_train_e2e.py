"""Real (short) training runs end to end, the artifacts they leave, and what they may claim about their data."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from harness.emnist_files import write_folder
from model import Classifier
from model.environment import quiet
from model.ink.preprocess import PREPROCESSING_VERSION
from model.labels import NUM_CLASSES
from model.network.files import CARD_FILE, KERAS_FILE, METRICS_FILE, REPO_FILES, SERVING_FILE
from model.network.metrics import ModelMetrics

ROOT = Path(__file__).resolve().parents[1]
CHANCE = 1 / NUM_CLASSES  # 2.1%
# Measured on this recipe (6,000 synthetic images, 6 epochs, seed 3): ~0.7 test accuracy.
# 0.45 is over 20x chance and leaves room for thread-order noise across machines.
LEARNS_BOUND = 0.45
SHARED_EMNIST = ROOT.parent / "shared" / "data" / "emnist-47"


def test_every_artifact_is_written(trained_run):
    for name in REPO_FILES:
        assert (trained_run / name).is_file() and (trained_run / name).stat().st_size > 0, name
    assert not [p for p in trained_run.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    for png in ("confusion_matrix.png", "training_curves.png"):
        assert (trained_run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_learns_far_above_chance(trained_run):
    metrics = ModelMetrics.load(trained_run / METRICS_FILE)
    test = metrics.test
    assert metrics.missing == []
    assert test.accuracy > LEARNS_BOUND > 20 * CHANCE
    assert test.top3_accuracy >= test.accuracy and 0 < test.balanced_accuracy <= 1
    matrix = np.asarray(test.confusion_matrix)
    assert matrix.shape == (47, 47) and matrix.sum() == test.samples == metrics.data.test
    assert np.isclose(np.trace(matrix) / matrix.sum(), test.accuracy, atol=1e-4)
    assert metrics.training.epochs_run == 6 and metrics.training.recipe["seed"] == 3
    assert metrics.data.handwriting is False and metrics.data.train + metrics.data.validation == 6000
    assert metrics.preprocessing == PREPROCESSING_VERSION
    assert metrics.serving.same_argmax and metrics.serving.max_abs_diff <= 1e-5


def test_calibration_is_folded_into_the_weights(trained_run):
    """The shipped model's probabilities are the calibrated ones, in every format, with the same parameters."""
    metrics = ModelMetrics.load(trained_run / METRICS_FILE)
    calibration = metrics.calibration
    assert calibration.folded_into_weights and calibration.temperature > 0 and calibration.prior_correction >= 0
    assert metrics.model.parameters == 64_851
    # What the fold computes is checked exactly in test_calibration.py; whether the temperature lowers this run's
    # validation ECE depends on the run (it minimises log-likelihood), so it is not asserted here.


def test_card_metadata_matches_metrics(trained_run):
    metrics = ModelMetrics.load(trained_run / METRICS_FILE)
    card = (trained_run / CARD_FILE).read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert front["library_name"] == "keras" and front["pipeline_tag"] == "image-classification"
    assert front["license"] and "emnist" in front["tags"] and "datasets" not in front  # synthetic: no Hub dataset
    results = front["model-index"][0]["results"][0]
    values = {m["name"]: m["value"] for m in results["metrics"]}
    assert values["Accuracy"] == metrics.test.accuracy and values["Weighted F1"] == metrics.test.weighted_f1
    assert values["Balanced accuracy"] == metrics.test.balanced_accuracy
    assert results["dataset"]["split"] == "test"
    body = card.split("---", 2)[2]
    assert f"{100 * metrics.test.accuracy:.2f}%" in body
    assert "NOT trained on handwriting" in body  # synthetic data is declared plainly
    assert f"{metrics.model.parameters:,}" in body
    for name in (KERAS_FILE, SERVING_FILE, "config.json", "model.weights.h5"):
        assert f"`{name}`" in body  # the card says which file is which


def test_saved_model_loads_and_agrees(trained_run, tiny_splits):
    served = Classifier.load(trained_run)
    keras_path = Classifier.load(trained_run / KERAS_FILE)
    assert served.engine.name == "LiteRT" and keras_path.engine.name == "Keras"
    x = tiny_splits.x_test[:64]
    a, b = served.predict_batch(x), keras_path.predict_batch(x)
    assert a.shape == (64, 47) and np.allclose(a.sum(axis=1), 1, atol=1e-4)
    assert np.array_equal(a.argmax(1), b.argmax(1)) and np.abs(a - b).max() <= 1e-5


KILLER = """
import os, signal, sys
from train import artifacts
real = artifacts.plots.curves_png
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # killed half-way through writing: after the models, before the plots
artifacts.plots.curves_png = die
from train.cli import main
main(["--data", "synthetic", "--max-samples", "600", "--epochs", "1", "--output-dir", {out!r}, "--quiet"])
"""


def test_killed_run_keeps_previous_artifacts(trained_run, tmp_path):
    """A run killed while writing leaves the earlier files exactly as they were, and the next run cleans up."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(trained_run, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    process = subprocess.run(
        [sys.executable, "-c", KILLER.format(out=str(out))],
        capture_output=True,
        cwd=ROOT,
        env=quiet(dict(os.environ)),
        timeout=600,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging-")]
    assert leftovers  # the killed run's half-written staging folder, hidden beside the output ...
    from train.artifacts import _remove_stale_staging

    _remove_stale_staging(out)  # ... which the next run removes first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging-")]


def test_failed_export_ships_nothing(trained_run, tmp_path, monkeypatch, capsys):
    """A serving file that disagrees with Keras fails the run, and the output folder is left as it was."""
    import shutil

    from train import export
    from train.cli import main

    out = tmp_path / "out"
    shutil.copytree(trained_run, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(export, "MAX_ABS_DIFF", -1.0)  # nothing can agree that closely
    assert (
        main(["--data", "synthetic", "--max-samples", "600", "--epochs", "1", "--output-dir", str(out), "--quiet"]) == 2
    )
    assert "disagrees with the Keras model" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_user_files_in_the_output_folder_survive(trained_run, tmp_path):
    """The artifact writer's folder semantics, with stub model files (no training): what a person put in the output
    folder stays, every artifact is replaced, and no staging folder is left behind."""
    import shutil

    from model.network.files import CARD_FILE, KERAS_DIR_FILES, KERAS_FILE, SERVING_FILE
    from train.artifacts import write_all

    out = tmp_path / "out"
    shutil.copytree(trained_run, out)
    (out / "NOTES.txt").write_text("mine")

    def stub_models(folder):
        for name in (KERAS_FILE, SERVING_FILE, *KERAS_DIR_FILES):
            (folder / name).write_bytes(f"stub {name}".encode())

    (out / "pen").mkdir()
    (out / "pen" / SERVING_FILE).write_bytes(b"a variant")
    write_all(out, stub_models, ModelMetrics.load(out / METRICS_FILE), lambda folder: "the card")
    assert (out / "pen" / SERVING_FILE).read_bytes() == b"a variant"  # a variant's folder stays whole
    assert (out / "NOTES.txt").read_text() == "mine"
    assert (out / SERVING_FILE).read_bytes() == f"stub {SERVING_FILE}".encode()
    assert (out / CARD_FILE).read_text() == "the card"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging-")]


def test_refit_on_validation_reuses_the_calibration(tmp_path):
    """The last fit trains on train + validation; the calibration chosen before it is kept and recorded."""
    from train.cli import main

    out = tmp_path / "out"
    assert (
        main(
            [
                "--data",
                "synthetic",
                "--max-samples",
                "1500",
                "--epochs",
                "1",
                "--refit-on-validation",
                "--output-dir",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    metrics = ModelMetrics.load(out / METRICS_FILE)
    assert metrics.training.recipe["refit_on_validation"] is True
    assert metrics.data.train == 1500 and metrics.data.validation == 150
    assert metrics.calibration.temperature > 0 and sum(metrics.data.train_class_counts) == 1350
    assert "in the final fit" in (out / CARD_FILE).read_text()


DATASET_CARD = """---
pretty_name: Tiny EMNIST-format test set
license: other
---

# A few glyphs in the EMNIST file format, made by the tests
"""


def test_data_dir_names_the_data_by_its_card_never_by_its_path(tmp_path, tiny_splits):
    """--data-dir takes the official four files; the name comes from the folder's dataset card, the checksums
    are recorded, and the card claims neither the official split nor a local path."""
    from train.cli import main

    folder = write_folder(tiny_splits, tmp_path / "my-secret-folder", card=DATASET_CARD)
    out = tmp_path / "out"
    assert main(["--data-dir", str(folder), "--epochs", "1", "--output-dir", str(out), "--quiet"]) == 0
    metrics = ModelMetrics.load(out / METRICS_FILE)
    assert metrics.data.source == "folder" and metrics.data.name == "Tiny EMNIST-format test set"
    assert metrics.data.description == "A few glyphs in the EMNIST file format, made by the tests"
    assert metrics.data.official_split is False and metrics.data.hub_id is None
    assert sorted(metrics.data.sha256) == sorted(p.name for p in folder.iterdir() if p.suffix != ".md")
    card = (out / CARD_FILE).read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert "datasets" not in front and "my-secret-folder" not in card and str(tmp_path) not in card
    assert front["model-index"][0]["results"][0]["dataset"]["type"] == "tiny-emnist-format-test-set"
    assert "not the official EMNIST Balanced split" in card


def test_card_regenerates_identically_from_metrics(trained_run, tmp_path):
    """`python -m train.card FOLDER` rebuilds the card from metrics.json alone: same text as the run wrote."""
    import shutil

    from train.card import main

    shutil.copy(trained_run / METRICS_FILE, tmp_path / METRICS_FILE)
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / CARD_FILE).read_text() == (trained_run / CARD_FILE).read_text()


def test_help_is_fast_and_imports_no_tensorflow():
    code = (
        "import sys, time; t = time.perf_counter(); sys.argv = ['train', '--help']\n"
        "from train.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('SECONDS', time.perf_counter() - t, 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    seconds, tf_loaded = out.split("SECONDS")[1].split()
    assert tf_loaded == "False" and float(seconds) < 1.0
    assert "--imbalance" in out and "--augment" in out


def test_bad_data_dir_is_a_message_not_a_traceback(tmp_path, capsys):
    from train.cli import main

    assert main(["--data-dir", str(tmp_path), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "missing emnist-balanced-train-images" in err and "Traceback" not in err and not (tmp_path / "o").exists()


@pytest.mark.skipif(
    not SHARED_EMNIST.is_dir(),
    reason="../shared/data/emnist-47 is not here (fresh clone): the synthetic runs above cover the pipeline",
)
def test_real_emnist_folder_short_run(tmp_path):
    """A short run on the real re-split: its card names the data as its README asks and records the checksums."""
    from train.cli import main

    out = tmp_path / "out"
    assert (
        main(
            [
                "--data-dir",
                str(SHARED_EMNIST),
                "--max-samples",
                "9400",
                "--epochs",
                "2",
                "--output-dir",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    metrics = ModelMetrics.load(out / METRICS_FILE)
    expected = {line.split()[1]: line.split()[0] for line in (SHARED_EMNIST / "SHA256SUMS").read_text().splitlines()}
    assert metrics.data.sha256 == expected
    assert metrics.data.name.startswith("EMNIST 47-class re-split") and metrics.data.official_split is False
    assert metrics.data.handwriting is True and metrics.test.samples == 18_800
    assert metrics.test.accuracy > 0.4  # 2 epochs on 8,460 real images: measured 0.476; 20x chance is 0.43
    assert str(SHARED_EMNIST) not in (out / CARD_FILE).read_text()
