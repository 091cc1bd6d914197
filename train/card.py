"""The model card (README.md of the model repo), generated from metrics.json: no number typed by hand."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from model.labels import LABELS, MERGED_LOWERCASE
from model.loading import MODEL_FILENAME

from .evaluate import weakest_classes

TEMPLATE = Path(__file__).with_name("model_card_template.md")
LICENSE = "mit"
PLACEHOLDER_REPO = "<owner>/<model-repo>"


def card_data(metrics: dict) -> ModelCardData:
    data, test = metrics["data"], metrics["test"]
    if data["is_emnist"]:
        dataset_type, dataset_name = data["name"], "EMNIST Balanced"
    else:
        dataset_type, dataset_name = data["name"], f"{data['name']} (not EMNIST)"
    common = dict(task_type="image-classification", task_name="Handwritten character classification",
                  dataset_type=dataset_type, dataset_name=dataset_name, dataset_split="test",
                  dataset_revision=data.get("revision"))
    results = [
        EvalResult(metric_type="accuracy", metric_name="Accuracy", metric_value=test["accuracy"], **common),
        EvalResult(metric_type="f1", metric_name="Weighted F1", metric_config="weighted", metric_value=test["weighted_f1"], **common),
        EvalResult(metric_type="f1", metric_name="Macro F1", metric_config="macro", metric_value=test["macro_f1"], **common),
        EvalResult(metric_type="accuracy", metric_name="Top-3 accuracy", metric_config="top3", metric_value=test["top3_accuracy"], **common),
    ]
    hub_dataset = data["name"] if data.get("source") in ("hub", "image-dataset") and "/" in data["name"] else None
    return ModelCardData(
        model_name="lenet5-emnist-balanced",
        library_name="keras",
        pipeline_tag="image-classification",
        license=LICENSE,
        datasets=[hub_dataset] if hub_dataset else None,
        metrics=["accuracy", "f1"],
        tags=["keras", "lenet-5", "emnist", "handwriting-recognition", "character-recognition", "image-classification"]
        + ([] if data["is_emnist"] else ["synthetic-data"]),
        eval_results=results,
    )


def _strategy_name(class_name: str) -> str:
    return "the default tf.distribute strategy" if class_name == "_DefaultDistributionStrategy" else class_name


def render(metrics: dict, repo_id: str | None = None) -> str:
    """Card text for ``metrics`` (as written to metrics.json)."""
    card = ModelCard.from_template(
        card_data(metrics),
        template_path=str(TEMPLATE),
        merged=" ".join(MERGED_LOWERCASE),
        labels="".join(LABELS),
        is_emnist=metrics["data"]["is_emnist"],
        data_name=metrics["data"]["name"],
        revision=metrics["data"].get("revision"),
        data=metrics["data"],
        test=metrics["test"],
        training={**metrics["training"], "strategy": _strategy_name(metrics["training"]["strategy"])},
        parameters=metrics["model"]["parameters"],
        layers=metrics["model"]["layers"],
        versions=metrics["versions"],
        command=metrics["command"],
        weakest=weakest_classes(metrics["test"]),
        repo_id=repo_id or PLACEHOLDER_REPO,
        model_file=MODEL_FILENAME,
    )
    return str(card)


def main(argv: list[str] | None = None) -> int:
    """python -m train.card FOLDER [--repo-id OWNER/NAME]: rewrite FOLDER/README.md from FOLDER/metrics.json."""
    import argparse
    import json

    from model.loading import CARD_FILENAME, METRICS_FILENAME

    from .atomic import write_text

    parser = argparse.ArgumentParser(prog="python -m train.card", description=main.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repo-id", default=None, help="Hub repo id shown in the usage snippets")
    args = parser.parse_args(argv)
    metrics = json.loads((args.folder / METRICS_FILENAME).read_text())
    write_text(args.folder / CARD_FILENAME, render(metrics, repo_id=args.repo_id))
    print(f"wrote {args.folder / CARD_FILENAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
