"""python -m train: data -> fit -> calibrate -> evaluate on the test split -> artifacts (+ optional push to the Hub).

Imports stay light until a run starts, so ``--help`` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from model.network.files import DEFAULT_VARIANT, VARIANTS, variant_folder
from model.network.hub import is_repo_id

from . import data, options
from . import views as test_views
from .options import add_options
from .recipe import Recipe

if TYPE_CHECKING:
    from model.network.metrics import ModelMetrics

log = logging.getLogger("train")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m train",
        description="Train the LeNet-5 on EMNIST Balanced, calibrate it, evaluate it on the test split, write the "
        "model (.keras, Keras' hf:// layout, LiteRT), metrics.json, plots and a model card, and "
        "optionally push them to the Hugging Face Hub in one commit.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data.add_arguments(p)
    t = p.add_argument_group("training")
    add_options(t, Recipe)
    t.add_argument(
        "--teacher",
        nargs="+",
        default=None,
        metavar="MODEL",
        help="distil from these models (paths, folders or Hub ids of this project's models; their outputs "
        "are averaged)",
    )
    t.add_argument(
        "--distill", type=float, default=0.7, help="weight of the teacher's soft targets in the loss, with --teacher"
    )
    t.add_argument(
        "--test-time-views",
        choices=["auto", *test_views.SETS],
        default="auto",
        metavar="{auto," + ",".join(f"'{name}'" for name in test_views.SETS) + "}",
        help="auto: serve the average over small transforms of each glyph when that reads the validation split "
        "better (train/views.py's sets, chosen like the calibration); none: the glyph alone; a set's name: "
        "serve that set whatever validation says (its temperature is still fitted there)",
    )
    o = p.add_argument_group("output")
    o.add_argument("--output-dir", type=Path, default=Path("artifacts"), help="where the artifacts are written")
    o.add_argument(
        "--variant",
        choices=list(VARIANTS),
        default=DEFAULT_VARIANT,
        help="which of the repo's models this run makes: emnist, at the output folder's root (what loads by "
        "default), or pen, in its pen/ subfolder (the pen-tuned sibling the Space's pads use: train it with "
        "--pen-data, usually --init-from the EMNIST model). The card at the root describes both",
    )
    o.add_argument(
        "--push-to-hub",
        metavar="OWNER/NAME",
        default=None,
        help="upload all artifacts to this Hub model repo in one commit (token from `hf auth login` or HF_TOKEN)",
    )
    o.add_argument("--private", action="store_true", help="create the Hub repo as private")
    o.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    return p


def recipe_from(args: argparse.Namespace) -> Recipe:
    return options.recipe_from(Recipe, args, distill=args.distill if args.teacher else 0.0, teachers=args.teacher or [])


def _versions() -> dict:
    import huggingface_hub
    import keras
    import numpy
    import tensorflow

    return {
        "python": platform.python_version(),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "huggingface_hub": huggingface_hub.__version__,
    }


def _layers(model) -> list[dict]:
    return [
        {
            "name": layer.name,
            "kind": type(layer).__name__,
            "shape": str(tuple(layer.output.shape[1:])),
            "params": layer.count_params(),
        }
        for layer in model.layers
    ]


def run(args: argparse.Namespace) -> ModelMetrics:
    from . import publish

    if args.push_to_hub:  # before any data download or training: no wasted time on a missing token
        if args.variant != DEFAULT_VARIANT:
            publish.check_root(args.output_dir)  # a variant is pushed with the repo's EMNIST model
        user = publish.check_access(args.push_to_hub)
        log.info("Hub access OK as %s; will push to %s", user, args.push_to_hub)

    from . import artifacts, card, export
    from .splits import DataError

    try:
        recipe = recipe_from(args)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    options = data.DataOptions.from_args(args)
    started = time.time()
    splits = data.load_splits(options)
    held = data.training_split(
        data.hold_out(splits.x_train, splits.y_train, options.val_fraction, options.seed), recipe, options.seed
    )
    log.info(
        "data: %s | train %d, validation %d, test %d",
        splits.info.name,
        len(held.x_train),
        len(held.x_val),
        len(splits.x_test),
    )
    model, fitted, plan, views = _train(held, recipe, args)
    metrics = _metrics(args, recipe, splits, held, model, fitted, plan, views, started)

    def write_models(folder: Path) -> None:
        export.write_keras(model, folder)
        metrics.serving = export.write_serving(model, folder, splits.x_test)
        export.write_web(model, folder, metrics.views, splits.x_test)

    if args.variant == DEFAULT_VARIANT:  # the repo's root: its card comes with it
        artifacts.write_all(args.output_dir, write_models, metrics, lambda f: card.render_repo(f, args.push_to_hub))
    else:  # a subfolder: then the root's card again, which describes it
        artifacts.write_all(args.output_dir / variant_folder(args.variant), write_models, metrics)
        card.write_repo_card(args.output_dir, repo_id=args.push_to_hub)
    test, served = metrics.test, metrics.served_test
    print(
        f"test accuracy {test.accuracy:.4f} | balanced {test.balanced_accuracy:.4f} | weighted F1 {test.weighted_f1:.4f} "
        f"| macro F1 {test.macro_f1:.4f} | top-3 {test.top3_accuracy:.4f} | ECE {test.ece:.4f} "
        f"| as served (test-time views: {metrics.views.name}) {served.accuracy:.4f}, ECE {served.ece:.4f} "
        f"| {fitted.facts['seconds_per_epoch']} s/epoch | artifacts in {args.output_dir}"
    )
    if args.push_to_hub:
        info = publish.push(args.output_dir, args.push_to_hub, private=args.private)
        print(f"pushed to https://huggingface.co/{args.push_to_hub} ({getattr(info, 'commit_url', info)})")
    return metrics


def _train(held, recipe: Recipe, args: argparse.Namespace):
    """Fit, calibrate and choose the test-time views on validation; with a refit, train once more on everything
    and reuse both choices. -> (calibrated model, what was fitted, calibration plan, (name, views, accuracies))."""
    from model.network.runtime import KerasEngine

    from . import stages

    verbose = 0 if args.quiet else 2
    if recipe.teachers:
        log.info("teachers: %s", ", ".join(recipe.teachers))
    fitted = stages.train(held, recipe, verbose, recipe.teachers)
    plan = stages.calibration(fitted, held, recipe)
    model = stages.calibrated(fitted, plan.tau, plan.temperature)
    log.info(
        "calibration: prior correction %.1f, temperature %.3f (validation ECE %.4f -> %.4f)",
        plan.tau,
        plan.temperature,
        plan.record.validation_ece_before,
        plan.record.validation_ece_after,
    )
    views = test_views.choose(KerasEngine(model), *held.base_validation(), pinned=args.test_time_views)
    log.info("test-time views: %s (validation accuracy by set: %s)", views[0], views[2])
    if recipe.refit_on_validation:  # the recipe, calibration and views are settled: train once more on everything
        log.info(
            "refit on train + validation (%d images), reusing the calibration and views chosen above",
            len(held.y_train) + len(held.y_val),
        )
        first = fitted
        fitted = stages.refit(held, recipe, verbose, recipe.teachers)
        fitted.facts = {
            **fitted.facts,
            "best_epoch": first.facts["best_epoch"],
            "best_val_balanced_accuracy": first.facts["best_val_balanced_accuracy"],
        }
        model = stages.calibrated(fitted, plan.tau, plan.temperature)
    return model, fitted, plan, views


def _metrics(args, recipe, splits, held, model, fitted, plan, views, started: float) -> ModelMetrics:
    import numpy as np

    from model.ink.preprocess import PREPROCESSING_VERSION, as_batch
    from model.network.metrics import ModelInfo, ModelMetrics, TestMetrics, TrainingInfo
    from model.network.runtime import KerasEngine

    from . import evaluate

    x_test = as_batch(splits.x_test)
    probabilities = np.asarray(model.predict(x_test, batch_size=2048, verbose=0))
    name, chosen, accuracy = views
    served = evaluate.evaluate(splits.y_test, chosen(KerasEngine(model), x_test)) if chosen else None
    info = splits.info
    info.train, info.validation, info.test = len(held.x_train), len(held.x_val), len(splits.x_test)
    if recipe.refit_on_validation:
        info.train += len(held.x_val)  # the final fit saw the validation images too
    info.train_class_counts = fitted.counts.tolist()
    info.pen = held.pen
    val_probabilities = np.asarray(model.predict(as_batch(held.x_val), batch_size=2048, verbose=0))
    validation = {
        name: round(float(np.mean(val_probabilities[rows].argmax(1) == held.y_val[rows])), 5)
        for name, rows in held.groups().items()
    }
    metrics = ModelMetrics(
        model=ModelInfo(
            name="lenet5_emnist_balanced" + (f"_{args.variant}" if args.variant != DEFAULT_VARIANT else ""),
            variant=args.variant,
            parameters=model.count_params(),
            layers=_layers(model),
            input="28x28x1 float in [0,1], light on black, EMNIST storage orientation (transposed)",
        ),
        preprocessing=PREPROCESSING_VERSION,
        data=info,
        training=TrainingInfo(recipe=recipe.as_dict(), validation=validation, **fitted.facts),
        calibration=plan.record,
        test=evaluate.evaluate(splits.y_test, probabilities),
        history=fitted.history,
        versions=_versions(),
        command=args.command,
        created_unix=int(started),
    )
    pinned = args.test_time_views != "auto"
    metrics.views = test_views.record(name, chosen, accuracy, served or TestMetrics(), pinned)
    return metrics


PATH_OPTIONS = {
    "--pen-data": "PEN_DATA",
    "--data-dir": "DATA_DIR",
    "--output-dir": "OUTPUT_DIR",
    "--image-dataset": "IMAGE_FOLDER",
    "--init-from": "MODEL_FOLDER",
    "--teacher": "TEACHER",
}


def recorded_command(argv: list[str]) -> str:
    """The command as metrics.json and the card record it: local paths become placeholders, pen data files their
    names (a card is public; Hub ids stay, they are what makes a run reproducible)."""

    def local(value: str) -> bool:
        return Path(value).expanduser().exists() or (os.sep in value and not is_repo_id(value))

    words, option = [], None
    for word in argv:
        if word.startswith("--"):
            option, equals, value = word.partition("=")
            if equals:
                if option in PATH_OPTIONS and local(value):
                    word = f"{option}={Path(value).name if option == '--pen-data' else PATH_OPTIONS[option]}"
                option = None
        elif option in PATH_OPTIONS and local(word):
            word = Path(word).name if option == "--pen-data" else PATH_OPTIONS[option]  # a data file's name is public
        words.append(word)
    return "python -m train " + shlex.join(words)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.command = recorded_command(argv)
    from model.environment import quiet

    quiet()  # before TensorFlow is imported
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from model.network.loading import ModelLoadError

    from .export import ExportError
    from .publish import PublishError
    from .splits import DataError

    try:
        run(args)
    except (DataError, PublishError, ModelLoadError, ExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
