"""The model card (README.md of the model repo), generated from metrics.json: no number typed by hand."""

from __future__ import annotations

import json
import logging
import re
import shlex
import sys
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from model.atomic import write_text
from model.labels import AMBIGUOUS_GROUPS, LABELS, LOWERCASE_CLASSES, MERGED_LOWERCASE
from model.network import seed_card
from model.network.files import (
    CARD_FILE,
    CONFUSION_PNG,
    CURVES_PNG,
    KERAS_DIR_FILES,
    KERAS_FILE,
    METRICS_FILE,
    PEN,
    SERVING_FILE,
    VARIANTS,
    WORD_FILES,
    WORD_PICTURES_FOLDER,
    WORDS_FOLDER,
)
from model.network.metrics import DataInfo, ModelMetrics

from .evaluate import weakest_classes
from .pen import (
    TEST_CONTRIBUTORS,
    TRAINING_WRITERS,
    UJI_TEST_WRITERS,
    WORD_SOURCE,
    WORD_TEST_CONTRIBUTORS,
    WORD_TUNE_CONTRIBUTORS,
)
from .recipe import IMBALANCE

log = logging.getLogger(__name__)
TEMPLATE = Path(__file__).with_name("model_card_template.md")
LICENSE = "mit"
PLACEHOLDER_REPO = "<owner>/<model-repo>"


def dataset_id(data: DataInfo) -> str:
    """What the model-index names the data by: the Hub id when there is one, else a slug of its name (a local
    path never reaches the card)."""
    if data.hub_id:
        return data.hub_id
    return re.sub(r"[^a-z0-9]+", "-", (data.name or "unknown-data").lower()).strip("-")


def card_data(metrics: ModelMetrics) -> ModelCardData:
    data, test = metrics.data, metrics.test
    common = dict(
        task_type="image-classification",
        task_name="Handwritten character classification",
        dataset_type=dataset_id(data),
        dataset_name=data.name or "unknown",
        dataset_split="test",
        dataset_revision=data.revision if data.hub_id else None,
    )
    results = [
        EvalResult(metric_type="accuracy", metric_name="Accuracy", metric_value=test.accuracy, **common),
        EvalResult(
            metric_type="accuracy",
            metric_name="Balanced accuracy",
            metric_config="balanced",
            metric_value=test.balanced_accuracy,
            **common,
        ),
        EvalResult(
            metric_type="f1",
            metric_name="Weighted F1",
            metric_config="weighted",
            metric_value=test.weighted_f1,
            **common,
        ),
        EvalResult(
            metric_type="f1", metric_name="Macro F1", metric_config="macro", metric_value=test.macro_f1, **common
        ),
        EvalResult(
            metric_type="accuracy",
            metric_name="Top-3 accuracy",
            metric_config="top3",
            metric_value=test.top3_accuracy,
            **common,
        ),
        EvalResult(
            metric_type="ece", metric_name="Expected calibration error (15 bins)", metric_value=test.ece, **common
        ),
    ]
    return ModelCardData(
        model_name="lenet5-emnist-balanced",
        library_name="keras",
        pipeline_tag="image-classification",
        license=LICENSE,
        datasets=[data.hub_id] if data.hub_id else None,
        metrics=["accuracy", "f1"],
        tags=[
            "keras",
            "litert",
            "lenet-5",
            "emnist",
            "handwriting-recognition",
            "character-recognition",
            "image-classification",
        ]
        + ([] if data.handwriting else ["synthetic-data"]),
        eval_results=results,
    )


def pen_test_writers() -> str:
    return (
        f"UNIPEN contributors {', '.join(TEST_CONTRIBUTORS)}; UJI writers "
        f"{UJI_TEST_WRITERS.start}-{UJI_TEST_WRITERS.stop - 1}"
    )


def _strategy_name(class_name: str | None) -> str:
    return "the default tf.distribute strategy" if class_name in (None, "_DefaultDistributionStrategy") else class_name


def without_pen(command: str | None) -> str | None:
    """The training command with its --pen-* options dropped (the same recipe on EMNIST alone); None when the
    command used no pen characters."""
    if not command or "--pen-" not in command:
        return None
    words, skipping = [], False
    for word in shlex.split(command):
        if word.startswith("--"):
            skipping = word.startswith("--pen-")
            if skipping:
                continue
        elif skipping:
            continue
        words.append(word)
    return shlex.join(words)


def render(
    metrics: ModelMetrics,
    repo_id: str | None = None,
    pen: ModelMetrics | None = None,
    words: dict | None = None,
    word_pictures: dict | None = None,
) -> str:
    """Card text for the repo's EMNIST model's ``metrics`` (as written to metrics.json), with a section for its
    pen-tuned sibling and for each word model (``words``, ``word_pictures``: their metrics.json) the repo has."""
    recipe = metrics.training.recipe
    card = ModelCard.from_template(
        card_data(metrics),
        template_path=str(TEMPLATE),
        merged=" ".join(MERGED_LOWERCASE),
        lowercase=" ".join(LOWERCASE_CLASSES),
        labels="".join(LABELS),
        lookalikes=["/".join(sorted(group)) for group in AMBIGUOUS_GROUPS],
        seed={
            "accuracy": seed_card.ACCURACY,
            "weighted_f1": seed_card.WEIGHTED_F1,
            "parameters": seed_card.PARAMETERS,
            "split": seed_card.SPLIT,
        },
        data=metrics.data,
        test=metrics.test,
        training=metrics.training,
        recipe=recipe,
        imbalance=IMBALANCE.get(recipe.get("imbalance"), "not recorded"),
        calibration=metrics.calibration,
        serving=metrics.serving,
        views=metrics.views,
        served=metrics.served_test,
        strategy=_strategy_name(metrics.training.strategy),
        parameters=metrics.model.parameters,
        layers=metrics.model.layers,
        versions=metrics.versions,
        command=metrics.command,
        emnist_only=without_pen(metrics.command),
        pen_test=pen_test_writers(),
        preprocessing=metrics.preprocessing,
        weakest=weakest_classes(metrics.test),
        repo_id=repo_id or PLACEHOLDER_REPO,
        pen=pen,
        pen_folder=VARIANTS[PEN],
        pen_emnist_only=without_pen(pen.command) if pen else None,
        words=words,
        words_folder=WORDS_FOLDER,
        word_pictures=word_pictures,
        word_pictures_folder=WORD_PICTURES_FOLDER,
        word_files=WORD_FILES,
        word_source=WORD_SOURCE,
        writers={
            "uji_training": TRAINING_WRITERS.split(",")[0],
            "uji_test": f"{UJI_TEST_WRITERS.start}-{UJI_TEST_WRITERS.stop - 1}",
            "character_test": " ".join(TEST_CONTRIBUTORS),
            "word_tuning": " ".join(WORD_TUNE_CONTRIBUTORS),
            "word_test": " ".join(WORD_TEST_CONTRIBUTORS),
        },
        files={
            "keras": KERAS_FILE,
            "keras_dir": KERAS_DIR_FILES,
            "serving": SERVING_FILE,
            "metrics": METRICS_FILE,
            "confusion": CONFUSION_PNG,
            "curves": CURVES_PNG,
        },
    )
    return str(card)


def render_repo(folder: str | Path, repo_id: str | None = None) -> str:
    """The card of a repo folder: its EMNIST model's metrics.json, and its pen variant's and word models' where
    present."""
    folder = Path(folder)
    pen = folder / VARIANTS[PEN] / METRICS_FILE
    words, word_pictures = (folder / name / METRICS_FILE for name in (WORDS_FOLDER, WORD_PICTURES_FOLDER))
    return render(
        ModelMetrics.load(folder / METRICS_FILE),
        repo_id=repo_id,
        pen=ModelMetrics.load(pen) if pen.is_file() else None,
        words=json.loads(words.read_text(encoding="utf-8")) if words.is_file() else None,
        word_pictures=json.loads(word_pictures.read_text(encoding="utf-8")) if word_pictures.is_file() else None,
    )


def write_repo_card(folder: str | Path, repo_id: str | None = None) -> bool:
    """Rewrite ``folder``'s README.md (atomically) from what it holds; False where it has no EMNIST model yet
    (a pen variant trained first: the card comes with the EMNIST model)."""
    folder = Path(folder)
    if not (folder / METRICS_FILE).is_file():
        log.info("no %s in %s yet: its card is written with the EMNIST model", METRICS_FILE, folder)
        return False
    write_text(folder / CARD_FILE, render_repo(folder, repo_id))
    return True


def main(argv: list[str] | None = None) -> int:
    """python -m train.card FOLDER [--repo-id OWNER/NAME]: rewrite FOLDER/README.md from FOLDER/metrics.json
    (and FOLDER/pen/metrics.json)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m train.card", description=main.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repo-id", default=None, help="Hub repo id shown in the usage snippets")
    args = parser.parse_args(argv)
    if not write_repo_card(args.folder, repo_id=args.repo_id):
        print(f"error: {args.folder / METRICS_FILE} does not exist", file=sys.stderr)
        return 2
    print(f"wrote {args.folder / CARD_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
