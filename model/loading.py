"""Find and load the model: a .keras file, a folder laid out like the Hub repo, a Hub repo id, or the bundled default.

Hub downloads go through huggingface_hub's cache, so a model loaded once loads again offline.
Keras loads with ``safe_mode=True``: a .keras file from the Hub cannot run arbitrary code.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zipfile
from pathlib import Path

from .architecture import check_architecture

log = logging.getLogger(__name__)

MODEL_FILENAME = "lenet5_emnist_balanced.keras"
METRICS_FILENAME = "metrics.json"
CARD_FILENAME = "README.md"
REPO_FILES = [MODEL_FILENAME, METRICS_FILENAME, CARD_FILENAME, "*.png"]
DEFAULT_DIR = Path(__file__).resolve().parent / "default"
ENV_VAR = "EMNIST_MODEL"  # a Hub repo id or local path, read when no source is given
REPO_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class ModelLoadError(RuntimeError):
    """The model could not be found or read; the message names what and where."""


def is_repo_id(source: str) -> bool:
    return bool(REPO_ID_RE.match(source)) and not Path(source).exists()


def download(repo_id: str, revision: str | None = None, *, cache_dir: str | os.PathLike | None = None,
             token: str | bool | None = None, etag_timeout: float = 5) -> Path:
    """Fetch the model repo's files into the HF cache (or use the cached copy offline); returns the folder."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        folder = snapshot_download(repo_id, revision=revision, cache_dir=cache_dir, token=token,
                                   allow_patterns=REPO_FILES, etag_timeout=etag_timeout,
                                   library_name="emnist-lenet5")
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise ModelLoadError(f"Hub model {repo_id!r} (revision {revision or 'main'}) does not exist or is private: {exc}") from exc
    except LocalEntryNotFoundError as exc:
        raise ModelLoadError(
            f"Cannot reach the Hugging Face Hub and {repo_id!r} is not in the local cache yet. "
            "Connect once to download it, or pass a local folder or .keras file."
        ) from exc
    except HfHubHTTPError as exc:
        raise ModelLoadError(f"The Hub refused {repo_id!r}: {exc}") from exc
    return Path(folder)


def resolve(source: str | os.PathLike | None = None, revision: str | None = None, **hub_kwargs) -> Path:
    """Where the model file is: explicit source, else $EMNIST_MODEL, else the bundled default."""
    if source is None or str(source) == "":
        source = os.environ.get(ENV_VAR) or DEFAULT_DIR
    path = Path(source).expanduser()
    if path.is_dir():
        path = path / MODEL_FILENAME
    if path.suffix == ".keras" or path.exists():
        if not path.exists():
            raise ModelLoadError(f"Model file not found: {path}")
        return path
    if is_repo_id(str(source)):
        return download(str(source), revision, **hub_kwargs) / MODEL_FILENAME
    raise ModelLoadError(f"{source!s} is neither an existing file or folder nor a Hub repo id like 'owner/name'")


def load_keras(path: str | os.PathLike):
    """Load a .keras file safely and check it is our LeNet-5; errors name the file."""
    import keras

    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"Model file not found: {path}")
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(f"{path} is not a .keras archive (truncated, corrupt, or a Git LFS pointer?)")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a bad archive; all mean the same to a user
        raise ModelLoadError(f"Could not load {path}: {type(exc).__name__}: {exc}") from exc
    try:
        check_architecture(model, source=str(path))
    except ValueError as exc:
        raise ModelLoadError(str(exc)) from exc
    return model


def read_metrics(folder: str | os.PathLike) -> dict:
    """metrics.json next to the model, or {} when there is none (a bare .keras file)."""
    path = Path(folder) / METRICS_FILENAME
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return {}
