"""Accuracy of any model (bundled, local path, Hub id) on a test split, next to the seed card's claims."""

from __future__ import annotations

from model.classifier import Classifier

from .common import SEED_CARD, table


def load_test_split(data: str, data_dir=None, dataset_repo=None, revision=None, count=None, seed=42):
    from train import emnist, synthetic

    if data == "synthetic":
        x, y = synthetic.test_split(count or emnist.OFFICIAL_COUNTS["test"], seed=seed)
        return x, y, f"synthetic (seed {seed})"
    splits = emnist.load(data_dir, dataset_repo or emnist.DEFAULT_REPO, revision)
    x, y = splits.x_test, splits.y_test
    if count:
        x, y = x[:count], y[:count]
    return x, y, f"{splits.name} @ {splits.revision}" if splits.revision else splits.name


def run(model=None, data="synthetic", data_dir=None, dataset_repo=None, revision=None, count=None, seed=None) -> dict:
    from train.evaluate import evaluate, weakest_classes

    classifier = Classifier.load(model)
    if seed is None:  # the bundled model's own test split unless told otherwise
        seed = classifier.metrics.get("training", {}).get("seed", 42)
    x, y, name = load_test_split(data, data_dir, dataset_repo, revision, count, seed)
    probabilities = classifier.predict_batch(x.astype("float32") / 255)
    metrics = evaluate(y, probabilities)
    return {
        "model": classifier.source,
        "data": name,
        "is_emnist": data != "synthetic",
        "samples": metrics["samples"],
        "parameters": classifier.model.count_params(),
        "accuracy": metrics["accuracy"],
        "weighted_f1": metrics["weighted_f1"],
        "macro_f1": metrics["macro_f1"],
        "top3_accuracy": metrics["top3_accuracy"],
        "worst_f1": [{"class": c, "f1": f} for c, f in weakest_classes(metrics)],
        "seed_card": SEED_CARD,
    }


def report(result: dict) -> str:
    rows = [
        ["accuracy", f"{100 * result['accuracy']:.2f}%", f"~{100 * SEED_CARD['accuracy']:.0f}% (validation)"],
        ["weighted F1", f"{result['weighted_f1']:.4f}", f"{SEED_CARD['weighted_f1']:.4f}"],
        ["macro F1", f"{result['macro_f1']:.4f}", "–"],
        ["top-3 accuracy", f"{100 * result['top3_accuracy']:.2f}%", "–"],
        ["parameters", f"{result['parameters']:,}", f"{SEED_CARD['parameters']:,}"],
    ]
    head = f"Model `{result['model']}` on {result['data']} test split ({result['samples']:,} images)"
    if not result["is_emnist"]:
        head += ": NOT EMNIST, so the seed card column is not comparable"
    worst = ", ".join(f"{w['class']} {w['f1']:.3f}" for w in result["worst_f1"])
    return f"{head}\n\n{table(rows, ['metric', 'measured', 'seed card (claimed)'])}\n\nLowest per-class F1: {worst}"
