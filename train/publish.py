"""Publish a run's folder to a Hub model repo in one commit, after checking the token before any training."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import HfHubHTTPError

from model.network.files import (
    DEFAULT_VARIANT,
    METRICS_FILE,
    REPO_FILES,
    VARIANTS,
    WORD_FILES,
    WORD_FOLDERS,
    repo_paths,
)
from model.network.hub import HubError, HubTimeout, check_write_access, with_deadline
from model.network.metrics import ModelMetrics

UPLOAD_TIMEOUT_S = 600


class PublishError(RuntimeError):
    pass


def check_access(repo_id: str, api: HfApi | None = None, token: str | None = None) -> str:
    """Fail fast (no token, no network, wrong namespace) so no training time is wasted; returns the user name."""
    try:
        return check_write_access(repo_id, api, token)
    except HubError as exc:
        raise PublishError(str(exc) if exc.reason.startswith("Cannot reach") else exc.reason) from exc


def commit_message(metrics: ModelMetrics, variants: dict[str, ModelMetrics] | None = None) -> str:
    test = metrics.test
    message = (
        f"LeNet-5 on {metrics.data.name}: test accuracy {100 * test.accuracy:.2f}%, "
        f"balanced {100 * test.balanced_accuracy:.2f}%, weighted F1 {test.weighted_f1:.4f}, ECE {test.ece:.4f}"
    )
    for name, other in (variants or {}).items():
        message += f"; {name} variant {100 * other.served_test.accuracy:.2f}%"
    return message


def check_root(folder: str | Path) -> None:
    """A repo is pushed whole: its root (the EMNIST model and the card) must be there."""
    folder = Path(folder)
    missing = [name for name in REPO_FILES if not (folder / name).is_file()]
    if missing:
        raise PublishError(
            f"{folder} lacks {', '.join(missing)}: train the EMNIST model there first (python -m train "
            "--output-dir it); nothing was uploaded"
        )


def files_to_push(folder: str | Path) -> list[str]:
    """Paths in the repo of every file a push uploads: the root's, and each variant's subfolder and the word
    models' folders where present (whole)."""
    folder = Path(folder)
    check_root(folder)
    paths = list(REPO_FILES)
    for variant, subfolder in VARIANTS.items():
        if variant == DEFAULT_VARIANT or not (folder / subfolder).is_dir():
            continue
        wanted = repo_paths(variant)
        missing = [path for path in wanted if not (folder / path).is_file()]
        if missing:
            raise PublishError(f"{folder} lacks {', '.join(missing)}; nothing was uploaded")
        paths += wanted
    for words in WORD_FOLDERS:
        if not (folder / words).is_dir():
            continue
        wanted = [f"{words}/{name}" for name in WORD_FILES]
        missing = [path for path in wanted if not (folder / path).is_file()]
        if missing:
            raise PublishError(f"{folder} lacks {', '.join(missing)}; nothing was uploaded")
        paths += wanted
    return paths


def push(
    folder: str | Path,
    repo_id: str,
    api: HfApi | None = None,
    token: str | None = None,
    private: bool = False,
):
    """Create the repo if needed and upload every artifact, every variant's too, in a single commit (all or
    nothing on the Hub)."""
    api = api or HfApi()
    folder = Path(folder)
    paths = files_to_push(folder)
    operations = [CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(folder / path)) for path in paths]
    metrics = ModelMetrics.load(folder / METRICS_FILE)
    variants = {
        variant: ModelMetrics.load(folder / subfolder / METRICS_FILE)
        for variant, subfolder in VARIANTS.items()
        if subfolder and f"{subfolder}/{METRICS_FILE}" in paths
    }
    training = metrics.training
    description = (
        f"Trained with `{metrics.command}`: {training.epochs_run} epochs, seed {training.recipe.get('seed')}, "
        f"{training.train_time_s} s. Data: {metrics.data.name}"
        + (f" @ {metrics.data.revision}" if metrics.data.revision else "")
        + "."
    )

    def upload():
        api.create_repo(repo_id, repo_type="model", exist_ok=True, private=private, token=token)
        return api.create_commit(
            repo_id,
            operations,
            commit_message=commit_message(metrics, variants),
            commit_description=description,
            token=token,
            repo_type="model",
        )

    try:
        return with_deadline(upload, UPLOAD_TIMEOUT_S, f"upload to {repo_id}")
    except (HfHubHTTPError, HubTimeout, OSError) as exc:
        raise PublishError(
            f"Uploading to {repo_id} failed; the artifacts stay in {folder} ({type(exc).__name__}: {exc})."
        ) from exc
