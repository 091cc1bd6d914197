"""Populate a Hugging Face cache folder the way huggingface_hub lays it out, so real Hub code runs offline."""

from __future__ import annotations

import shutil
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def populate(
    cache_dir: Path, repo_id: str, files: dict[str, Path], repo_type: str = "model", commit: str = COMMIT
) -> Path:
    """models--owner--name/{refs/main, snapshots/<commit>/<files>}; returns the snapshot folder."""
    repo = Path(cache_dir) / f"{repo_type}s--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    for name, source in files.items():
        shutil.copyfile(source, snapshot / name)
    return snapshot
