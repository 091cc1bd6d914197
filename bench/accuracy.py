"""Accuracy of any model (bundled, local path, Hub id) on a test split, next to the seed card's claims."""

from __future__ import annotations

from model.classifier import Classifier
from model.network import seed_card

from .common import table


def run(model=None, variant: str | None = None, data_options=None, count: int | None = None) -> dict:
    from train.data import DataOptions, load_test_split
    from train.evaluate import evaluate, weakest_classes

    classifier = Classifier.load(model, variant=variant)
    x, y, info = load_test_split(data_options or DataOptions(), count)
    metrics = evaluate(y, classifier.predict_batch(x))
    return {
        "model": classifier.source,
        "data": info.name + (f" @ {info.revision}" if info.revision else ""),
        "handwriting": bool(info.handwriting),
        "official_split": bool(info.official_split),
        "samples": metrics.samples,
        "parameters": classifier.metrics.model.parameters,
        **{
            key: getattr(metrics, key)
            for key in ("accuracy", "balanced_accuracy", "weighted_f1", "macro_f1", "top3_accuracy", "ece")
        },
        "worst_f1": [{"class": c, "f1": f} for c, f in weakest_classes(metrics)],
    }


def report(result: dict) -> str:
    rows = [
        ["accuracy", f"{100 * result['accuracy']:.2f}%", f"~{100 * seed_card.ACCURACY:.0f}% (validation)"],
        ["balanced accuracy", f"{100 * result['balanced_accuracy']:.2f}%", "–"],
        ["weighted F1", f"{result['weighted_f1']:.4f}", f"{seed_card.WEIGHTED_F1:.4f}"],
        ["macro F1", f"{result['macro_f1']:.4f}", "–"],
        ["top-3 accuracy", f"{100 * result['top3_accuracy']:.2f}%", "–"],
        ["expected calibration error", f"{result['ece']:.4f}", "–"],
        [
            "parameters",
            f"{result['parameters']:,}" if result["parameters"] else "not recorded",
            f"{seed_card.PARAMETERS:,}",
        ],
    ]
    head = f"Model `{result['model']}` on the test split of {result['data']} ({result['samples']:,} images)"
    if not result["handwriting"]:
        head += ": NOT handwriting, so the seed card column is not comparable"
    elif not result["official_split"]:
        head += ": real EMNIST, not the official Balanced split"
    worst = ", ".join(f"{w['class']} {w['f1']:.3f}" for w in result["worst_f1"])
    return f"{head}\n\n{table(rows, ['metric', 'measured', 'seed card (claimed)'])}\n\nLowest per-class F1: {worst}"
