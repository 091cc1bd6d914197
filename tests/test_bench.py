"""The benchmark scripts in tiny mode, so they never rot. Assertions are about correctness, not time."""

import json

import pytest

from bench.__main__ import main


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    assert main(["inference", "accuracy", "robustness", "training", "--quick", "--out", str(out)]) == 0
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}


def test_every_serving_path_gives_identical_predictions(results):
    inference = results["inference"]
    agreement = inference["agreement_vs_eager"]
    assert set(agreement) == {"keras model.predict(x)", "keras model(x) eager", "tf.function graph (app)", "tf.function XLA"}
    assert all(a["same_argmax"] for a in agreement.values())
    assert agreement[inference["app_path"]]["max_abs_diff"] == 0.0  # the app's path is exact, not just close
    for by_batch in inference["paths"].values():
        for entry in by_batch.values():
            assert entry["median_ms"] > 0 and entry["p95_ms"] >= entry["median_ms"] and entry["images_per_s"] > 0


def test_result_schemas(results):
    for result in results.values():
        assert {"benchmark", "machine", "created_unix"} <= set(result) and result["machine"]["cores"] >= 1
    accuracy = results["accuracy"]
    assert 0 <= accuracy["accuracy"] <= accuracy["top3_accuracy"] <= 1 and len(accuracy["worst_f1"]) == 10
    assert accuracy["seed_card"]["weighted_f1"] == 0.8751 and accuracy["parameters"] == 64_851
    robust = results["robustness"]
    assert len(robust["transforms"]) == 12
    assert all(0 <= r[c]["accuracy"] <= 1 for r in robust["transforms"].values() for c in ("bbox", "mass"))
    training = results["training"]
    assert training["epochs_run"] == 1 and training["images_per_second"] > 0 and training["train_images"] > 0


def test_app_benchmark_quick(tmp_path):
    assert main(["app", "--quick", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "app.json").read_text())
    assert result["first_label"] == "A"
    assert result["outbound_connections_at_start"] == []
    for key in ("sequential", "concurrent", "raw_http"):
        assert result[key]["calls"] > 0 and result[key]["p95_ms"] >= result[key]["median_ms"] > 0


def test_readme_section_is_generated_from_json(results, tmp_path):
    from bench.__main__ import readme_section

    for name, result in results.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(result))
    section = readme_section(tmp_path, "python -m bench all")
    assert "`python -m bench all`" in section and "| tf.function graph (app) |" in section
    assert f"{100 * results['accuracy']['accuracy']:.2f}%" in section
