"""python -m train: data -> fit -> evaluate on the test split -> artifacts (+ optional push to the Hub)."""

from __future__ import annotations

import argparse
import logging
import platform
import shlex
import shutil
import sys
import time
from pathlib import Path

from model.loading import ModelLoadError

from . import emnist
from .emnist import DataError
from .fit import Recipe

log = logging.getLogger("train")


def build_parser() -> argparse.ArgumentParser:
    d = Recipe()
    p = argparse.ArgumentParser(
        prog="python -m train",
        description="Train the LeNet-5 on EMNIST Balanced, evaluate it on the official test split, write the model, "
                    "metrics.json, plots and a model card, and optionally push them to the Hugging Face Hub.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    g = p.add_argument_group("data")
    g.add_argument("--data", choices=["emnist", "synthetic"], default="emnist",
                   help="emnist: the official files from --dataset-repo (or --data-dir); synthetic: generated "
                        "font glyphs in EMNIST format, offline (for tests and CI, not a handwriting model)")
    g.add_argument("--dataset-repo", default=emnist.DEFAULT_REPO,
                   help="Hub dataset repo holding the four official EMNIST Balanced gzip IDX files + mapping")
    g.add_argument("--revision", default=None, help="revision (branch, tag or commit) of --dataset-repo or --image-dataset")
    g.add_argument("--data-dir", type=Path, default=None, help="read the four official EMNIST files from this folder instead of the Hub")
    g.add_argument("--image-dataset", default=None,
                   help="train on an image-classification dataset instead (Hub id or local folder loadable by datasets.load_dataset)")
    g.add_argument("--image-column", default="image", help="image column of --image-dataset")
    g.add_argument("--label-column", default="label", help="label column of --image-dataset (class names or indices 0..46)")
    g.add_argument("--image-orientation", choices=["upright", "emnist"], default="upright",
                   help="upright: pictures as written, run through the app's preprocessing; emnist: 28x28 already in EMNIST layout")
    g.add_argument("--max-samples", type=int, default=None, help="train on a stratified subset of this many images")
    g.add_argument("--val-fraction", type=float, default=0.1, help="share of training images held out for validation")
    t = p.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=d.epochs, help="maximum epochs")
    t.add_argument("--batch-size", type=int, default=d.batch_size, help="global batch size")
    t.add_argument("--learning-rate", type=float, default=d.learning_rate, help="Adam learning rate (peak)")
    t.add_argument("--lr-schedule", choices=["cosine", "constant"], default=d.schedule, help="learning-rate schedule")
    t.add_argument("--no-augment", dest="augment", action="store_false", help="disable on-the-fly augmentation")
    t.add_argument("--patience", type=int, default=d.patience, help="early-stopping patience in epochs (validation accuracy)")
    t.add_argument("--seed", type=int, default=d.seed, help="seed for the split, shuffling, augmentation and initialisation")
    t.add_argument("--init-from", default=None, help="fine-tune: start from this model (path, folder or Hub repo id)")
    o = p.add_argument_group("output")
    o.add_argument("--output-dir", type=Path, default=Path("artifacts"), help="where the artifacts are written")
    o.add_argument("--push-to-hub", metavar="OWNER/NAME", default=None,
                   help="upload all artifacts to this Hub model repo in one commit (token from `hf auth login` or HF_TOKEN)")
    o.add_argument("--private", action="store_true", help="create the Hub repo as private")
    o.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    return p


def _versions() -> dict:
    import huggingface_hub
    import keras
    import numpy
    import tensorflow

    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__, "keras": keras.__version__,
            "numpy": numpy.__version__, "huggingface_hub": huggingface_hub.__version__}


def _layers(model) -> list[dict]:
    return [{"name": layer.name, "kind": type(layer).__name__, "shape": str(tuple(layer.output.shape[1:])),
             "params": layer.count_params()} for layer in model.layers]


def _data_source(args) -> str:
    if args.image_dataset:
        return "image-dataset"
    if args.data == "synthetic":
        return "synthetic"
    return "folder" if args.data_dir else "hub"


def run(args) -> dict:
    from . import publish

    if args.push_to_hub:  # before any data download or training: no wasted time on a missing token
        user = publish.check_access(args.push_to_hub)
        log.info("Hub access OK as %s; will push to %s", user, args.push_to_hub)

    from . import artifacts, card, data, evaluate, fit

    started = time.time()
    splits = data.load_splits(args)
    held = data.hold_out(splits.x_train, splits.y_train, args.val_fraction, args.seed)
    log.info("data: %s | train %d, validation %d, test %d", splits.name, len(held.x_train), len(held.x_val), len(splits.x_test))

    recipe = Recipe(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                    schedule=args.lr_schedule, augment=args.augment, patience=args.patience, seed=args.seed,
                    init_from=args.init_from)
    model, history, facts = fit.fit(held, recipe, checkpoint_dir=args.output_dir / ".checkpoint", verbose=0 if args.quiet else 2)

    probabilities = model.predict(splits.x_test[..., None].astype("float32") / 255.0, batch_size=1024, verbose=0)
    metrics = {
        "model": {"name": "lenet5_emnist_balanced", "parameters": model.count_params(), "layers": _layers(model),
                  "input": "28x28x1 float in [0,1], light on black, EMNIST storage orientation (transposed)"},
        "data": {"name": splits.name, "revision": splits.revision, "source": _data_source(args), "is_emnist": splits.is_emnist,
                 "train": len(held.x_train), "validation": len(held.x_val), "test": len(splits.x_test), **splits.notes},
        "training": {**recipe.as_dict(), **facts},
        "test": evaluate.evaluate(splits.y_test, probabilities),
        "history": history,
        "versions": _versions(),
        "command": "python -m train " + shlex.join(sys.argv[1:]),
        "created_unix": int(started),
    }
    text = card.render(metrics, repo_id=args.push_to_hub)
    artifacts.write_all(args.output_dir, model, metrics, history, text)
    shutil.rmtree(args.output_dir / ".checkpoint", ignore_errors=True)
    test = metrics["test"]
    print(f"test accuracy {test['accuracy']:.4f} | weighted F1 {test['weighted_f1']:.4f} | macro F1 {test['macro_f1']:.4f} "
          f"| top-3 {test['top3_accuracy']:.4f} | {facts['seconds_per_epoch']} s/epoch | artifacts in {args.output_dir}")
    if args.push_to_hub:
        info = publish.push(args.output_dir, args.push_to_hub, metrics, private=args.private)
        print(f"pushed to https://huggingface.co/{args.push_to_hub} ({getattr(info, 'commit_url', info)})")
    return metrics


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from .publish import PublishError

    try:
        run(args)
    except (DataError, PublishError, ModelLoadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
