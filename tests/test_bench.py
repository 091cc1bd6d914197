"""The benchmark scripts in tiny mode, so they never rot. Assertions are about what the numbers must mean."""

import json

import pytest

from bench.__main__ import main

pytestmark = pytest.mark.train  # accuracy, training and ablation run the real Keras pipeline


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    assert (
        main(["inference", "accuracy", "robustness", "training", "--quick", "--data", "synthetic", "--out", str(out)])
        == 0
    )
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}


def test_runtimes_agree_and_the_app_never_loads_tensorflow(results):
    inference = results["inference"]
    runtimes = inference["runtimes"]
    assert set(runtimes) == {"LiteRT", "Keras + TensorFlow"} and inference["app_runtime"] == "LiteRT"
    for name, row in runtimes.items():
        assert row["same_argmax_as_keras"] and row["max_abs_diff_vs_keras"] <= 1e-5, name
        assert set(row["batches"]) == {"1", "32", "256", "1024"}
    assert runtimes["LiteRT"]["tensorflow_imported"] is False and runtimes["Keras + TensorFlow"]["tensorflow_imported"]
    # the reason the Space serves LiteRT: lighter in memory and on disk than TensorFlow
    assert runtimes["LiteRT"]["peak_rss_mb"] < runtimes["Keras + TensorFlow"]["peak_rss_mb"]
    assert runtimes["LiteRT"]["installed_mb"] < runtimes["Keras + TensorFlow"]["installed_mb"]


def test_accuracy_matches_an_independent_count(results, default_classifier):
    """The bench's accuracy is what counting right answers on the same split gives."""
    import numpy as np

    from train import synthetic
    from train.data import DataOptions

    accuracy = results["accuracy"]
    x, y = synthetic.test_split(940, seed=DataOptions().seed)
    assert accuracy["samples"] == 940 and accuracy["handwriting"] is False
    assert accuracy["accuracy"] == pytest.approx(
        float(np.mean(default_classifier.predict_batch(x).argmax(1) == y)), abs=1e-5
    )
    assert accuracy["accuracy"] <= accuracy["top3_accuracy"]


def test_robustness_covers_uneven_light(results):
    robust = results["robustness"]
    names = set(robust["transforms"])
    assert {"shadow over a corner, 90 levels", "baseline (centred, 200 px)", "inverted polarity"} <= names
    baseline = robust["transforms"]["baseline (centred, 200 px)"]["bbox"]["accuracy"]
    # a 90-level shadow must not cost more than a few of the 47 glyphs (it used to shrink letters into a corner)
    assert robust["transforms"]["shadow over a corner, 90 levels"]["bbox"]["accuracy"] >= baseline - 0.07


def test_training_benchmark_runs_the_default_recipe(results):
    from train.recipe import Recipe

    training = results["training"]
    assert training["epochs_run"] == training["epochs"] == 1 and training["augment"] == Recipe().augment


@pytest.mark.app
def test_pen_benchmark_quick(tmp_path):
    assert main(["pen", "--quick", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "pen.json").read_text())
    assert [(r["brush_px"], r["path"]) for r in result["brushes"]] == [
        (10, "strokes"),
        (10, "picture"),
        (24, "strokes"),
        (24, "picture"),
    ]
    for row in result["brushes"]:
        assert row["errors_lookalike_letter"] + row["errors_other"] == round(row["samples"] * (1 - row["top1"]))
    strokes = [r for r in result["brushes"] if r["path"] == "strokes"]
    assert strokes[0]["top1"] == strokes[1]["top1"]  # strokes are drawn at EMNIST's width whatever the brush
    assert result["app"]["samples"] == 10  # the same pad values through the running app's /predict_strokes ...
    assert result["app"]["top1"] == result["app"]["in_process_top1"]  # ... read exactly as in process
    assert result["page"]["samples"] == 5 and result["page"]["same_as_in_process"] >= 0.6  # drawn in Chromium


@pytest.mark.app
def test_app_benchmark_quick(tmp_path):
    assert main(["app", "--quick", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "app.json").read_text())
    assert result["first_label"] == "A"
    assert result["outbound_connections_at_start"] == []
    assert result["tensorflow_loaded"] is False


def test_readme_section_is_generated_from_json(results, tmp_path):
    from bench.__main__ import readme_section

    for name, result in results.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(result))
    section = readme_section(tmp_path)
    command = results["accuracy"]["command"]
    assert command.startswith("python -m bench inference accuracy robustness training --quick")
    assert f"`{command}`" in section and "| LiteRT (app) |" in section
    machine = results["accuracy"]["machine"]  # each result says where it ran, not where the README was made
    assert f"`{command}`, on {machine['cores']} CPU cores ({machine['cpu'] or 'unknown CPU'})" in section
    assert f"{100 * results['accuracy']['accuracy']:.2f}%" in section


def test_ablation_quick(tmp_path):
    """Three recipes, one epoch each on a small synthetic set: the table is made by the real pipeline."""
    from bench.ablation import VARIANTS

    assert main(["ablation", "--quick", "--data", "synthetic", "--max-samples", "2000", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "ablation.json").read_text())
    assert [v["name"] for v in result["variants"]] == [name for name, _, _ in VARIANTS[:3]]
    chosen = max(result["variants"], key=lambda v: v["val_balanced_accuracy"])
    assert result["chosen_on_validation"] == chosen["name"]  # chosen on validation, never on test
    assert (
        result["variants"][0]["recipe"]["augment"] == "strong"
        and result["variants"][2]["recipe"]["imbalance"] == "prior"
    )


def test_words_and_rejection_quick(tmp_path):
    assert main(["words", "rejection", "--quick", "--out", str(tmp_path)]) == 0
    words = json.loads((tmp_path / "words.json").read_text())
    for name, kind in words["kinds"].items():
        # Full runs (python -m bench words) segment 98-100% of the digit and number strings right, and 82.7% of
        # EMNIST's letters as a picture: the reader cuts wide ink in pictures, where joined-up letters touch, and
        # wide capitals (M, W, H) are sometimes read as two letters (98.0% before it cut pictures; see README).
        least = 0.6 if name == "EMNIST letter words" else 0.9
        assert kind["strings"] == 20 and kind["segmentation_right"] >= least, kind
        assert kind["in_string_context"] >= kind["in_string_raw"] - 0.05  # context must not make reading worse
    rejection = json.loads((tmp_path / "rejection.json").read_text())
    real = [row for row in rejection["rows"].values() if row["kind"] == "real characters"]
    assert all(row["refused"] == 0 for row in real)


def test_writer_benchmark_quick(tmp_path):
    """Eight writers of the committed sample: corrections must not hurt (the bundled model may already read them
    all; that a correction fixes a misread drawing is test_memory's), an empty memory must change nothing."""
    assert main(["writer", "--quick", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "writer.json").read_text())
    group = result["groups"]["all writers"]
    assert group["writers"] == 8 and group["second, corrections"] >= group["second, no memory"]
    assert group["second, corrections"] <= group["ceiling, corrections"]
    assert result["emnist"]["empty_memory_identical"] is True


def test_a_joined_up_word_is_timed_on_its_last_stroke_written_onwards():
    from bench.latency import _last_onwards

    body, bar, onwards = [[0, 10], [40, 0], [100, 10]], [[45, 5], [60, 5]], [[105, 10], [150, 0]]
    assert _last_onwards([body, bar]) == 0  # a t's bar put back over the word seldom changes what is read
    assert _last_onwards([body, onwards]) == 1
    assert _last_onwards([body, bar, onwards, [[120, -5]]]) == 2  # and an i's dot after it


@pytest.mark.browser
def test_latency_benchmark_quick(tmp_path):
    assert main(["latency", "--quick", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "latency.json").read_text())
    for device in ("desktop", "phone"):
        measured = result["devices"][device]
        assert measured["local"] is True  # the character pad answered in the page
        nearby = measured["conditions"]["0 ms"]
        assert nearby["character_guess"]["drawings"] == 4 and nearby["character_guess"]["unanswered"] == 0
        assert nearby["character_compute"]["drawings"] == 4  # every guess was the page's own
        assert nearby["joined_word_text"]["unanswered"] == 0  # a word ending in a bar is timed on its last onward
        # Timings are the benchmark's to report; here only a guard against a pad that hangs.
        assert nearby["character_guess"]["median_ms"] < 5_000 and nearby["word_text"]["median_ms"] < 5_000


@pytest.mark.browser
def test_web_benchmark_quick(tmp_path):
    assert main(["web", "--quick", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "web.json").read_text())
    committed = result["sets"]["committed pen drawings (tests/data)"]
    assert committed["drawings"] >= 600 and committed["same_top"] >= 0.995 and committed["max_abs_diff"] <= 1e-3
    assert result["page_added_gzip_bytes"] <= 150_000
