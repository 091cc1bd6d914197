"""EMNIST in its official file format (four gzip IDX files + mapping): from a Hub dataset repo or a folder.

Where the data comes from decides what may be claimed about it: only the Hub copy with the official counts is
"the official EMNIST Balanced split". A folder names itself through its own dataset card (README.md front
matter, as on the Hub) and never through its local path.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from model.labels import LABELS, parse_mapping
from model.network import hub
from model.network.metrics import DataInfo

from .idx import IdxError, read_idx
from .splits import DataError, Splits, sha256_of

DEFAULT_REPO = "Royc30ne/emnist-balanced"
FILES = {
    "train_images": "emnist-balanced-train-images-idx3-ubyte.gz",
    "train_labels": "emnist-balanced-train-labels-idx1-ubyte.gz",
    "test_images": "emnist-balanced-test-images-idx3-ubyte.gz",
    "test_labels": "emnist-balanced-test-labels-idx1-ubyte.gz",
}
MAPPING_FILE = "emnist-balanced-mapping.txt"
DATASET_CARD = "README.md"
OFFICIAL_COUNTS = {"train": 112_800, "test": 18_800}
OFFICIAL_NAME = "EMNIST Balanced"
DOWNLOAD_TIMEOUT_S = 600  # 33 MB; a bound, not an estimate
#: 987 real EMNIST test glyphs (21 per class) committed for tests and quick checks (tests/data/README.md says whence).
SAMPLE_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "emnist47_test_sample.npz"
log = logging.getLogger(__name__)


def read_sample() -> tuple[np.ndarray, np.ndarray]:
    """The committed sample: (images uint8 in EMNIST orientation, labels int64)."""
    sample = np.load(SAMPLE_FILE)
    return sample["images"], sample["labels"].astype(np.int64)


def read_folder(folder: str | os.PathLike, info: DataInfo | None = None) -> Splits:
    """Read the four official gzip IDX files (and check the mapping file if present)."""
    folder = Path(folder)
    missing = [f for f in FILES.values() if not (folder / f).is_file()]
    if missing:
        raise DataError(
            f"{folder}: missing {', '.join(missing)} (expected the official EMNIST Balanced gzip IDX files)"
        )
    try:
        arrays = {key: read_idx(folder / filename) for key, filename in FILES.items()}
    except IdxError as exc:
        raise DataError(str(exc)) from exc
    mapping = folder / MAPPING_FILE
    if mapping.is_file() and parse_mapping(mapping.read_text()) != LABELS:
        raise DataError(f"{mapping}: class mapping differs from EMNIST Balanced's 47 labels")
    counts = {"train": len(arrays["train_labels"]), "test": len(arrays["test_labels"])}
    info = info or DataInfo(source="folder")
    info.official_split = counts == OFFICIAL_COUNTS and info.official_split is not False
    described = describe_folder(folder, official=info.official_split)
    info.name = info.name or described["name"]
    info.description = info.description or described["description"]
    info.handwriting = True
    info.sha256 = sha256_of([folder / f for f in [*FILES.values(), MAPPING_FILE] if (folder / f).is_file()])
    return Splits(
        arrays["train_images"],
        arrays["train_labels"].astype(np.int64),
        arrays["test_images"],
        arrays["test_labels"].astype(np.int64),
        info=info,
    )


def describe_folder(folder: Path, official: bool) -> dict[str, str | None]:
    """Name and description from the folder's dataset card, as the Hub would show them."""
    card = folder / DATASET_CARD
    if card.is_file():
        from huggingface_hub import DatasetCard

        parsed = DatasetCard.load(card)
        title = next((line.lstrip("# ").strip() for line in parsed.text.splitlines() if line.startswith("# ")), None)
        name = getattr(parsed.data, "pretty_name", None) or title
        if name:
            return {"name": name, "description": title if title != name else None}
    if official:
        return {"name": f"{OFFICIAL_NAME} (official files, local copy)", "description": None}
    return {"name": "EMNIST-format files (not the official Balanced split sizes)", "description": None}


def download(
    repo_id: str = DEFAULT_REPO,
    revision: str | None = None,
    cache_dir: str | None = None,
    timeout: float = DOWNLOAD_TIMEOUT_S,
) -> Splits:
    """Fetch the official files from a Hub dataset repo into the HF cache (or use the cached copy), then read them."""
    try:
        folder = hub.snapshot(
            repo_id,
            repo_type="dataset",
            revision=revision,
            cache_dir=cache_dir,
            timeout=timeout,
            allow_patterns=[*FILES.values(), MAPPING_FILE, DATASET_CARD],
        )
    except hub.HubError as exc:
        raise DataError(
            f"{exc.reason} Use --data-dir with the four EMNIST files, or --data synthetic to run offline. ({exc})"
        ) from exc
    # The snapshot folder name is the commit hash: record it so a run names the exact data it used.
    info = DataInfo(source="hub", hub_id=repo_id, revision=folder.name)
    splits = read_folder(folder, info)
    if not info.official_split:
        log.warning(
            "%s does not hold the official EMNIST Balanced counts %s: results will not be comparable",
            repo_id,
            OFFICIAL_COUNTS,
        )
    elif not (folder / DATASET_CARD).is_file():
        info.name = OFFICIAL_NAME
    return splits


def load(data_dir: str | os.PathLike | None = None, repo_id: str = DEFAULT_REPO, revision: str | None = None) -> Splits:
    """The official files from a folder when one is given, else from the Hub dataset repo (via the HF cache)."""
    if data_dir:
        return read_folder(data_dir)
    return download(repo_id, revision=revision)
