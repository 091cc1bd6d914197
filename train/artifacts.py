"""A training run's files, written together or not at all.

Everything is written into a hidden staging folder beside the output folder, then swapped in with one rename
(an atomic exchange on Linux), so a run killed at any moment leaves the previous artifacts whole.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from model.network.files import CARD_FILE, CONFUSION_PNG, CURVES_PNG, METRICS_FILE, REPO_FILES
from model.network.metrics import ModelMetrics

from . import plots

_RENAME_EXCHANGE = 2


@contextmanager
def staged(output_dir: str | Path, replaced: tuple[str, ...]) -> Iterator[Path]:
    """A hidden staging folder beside ``output_dir`` holding what the folder held but the ``replaced`` files (a
    variant's subfolder, people's own files); what the block writes there is swapped in when it ends without error."""
    output_dir = Path(output_dir).resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(output_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    try:
        if output_dir.is_dir():
            for item in output_dir.iterdir():
                if item.is_dir():
                    shutil.copytree(item, staging / item.name, symlinks=True)
                elif item.name not in replaced:
                    shutil.copy2(item, staging / item.name)
        yield staging
        os.chmod(staging, 0o777 & ~_umask())
        _sync(staging)
        swap_in(staging, output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after the swap it holds the previous artifacts


def write_all(
    output_dir: str | Path,
    write_models: Callable[[Path], None],
    metrics: ModelMetrics,
    render_card: Callable[[Path], str] | None = None,
) -> Path:
    """Stage the model files (``write_models(folder)``, which may add to ``metrics``), metrics.json, the plots
    and, given ``render_card(staged folder)``, the card; then swap them in."""
    with staged(output_dir, REPO_FILES) as staging:
        write_models(staging)
        metrics.save(staging / METRICS_FILE)
        if render_card is not None:
            (staging / CARD_FILE).write_text(render_card(staging), encoding="utf-8")
        title = f"Confusion matrix: {metrics.data.name} test split"
        (staging / CONFUSION_PNG).write_bytes(plots.confusion_png(metrics.test.confusion_matrix, title))
        (staging / CURVES_PNG).write_bytes(plots.curves_png(metrics.history))
    return Path(output_dir).resolve()


def swap_in(staging: Path, target: Path) -> None:
    """Make ``staging`` the ``target`` folder with one rename; afterwards ``staging`` holds the old contents."""
    if not target.exists():
        os.rename(staging, target)
        staging.mkdir()
        return
    if _exchange(staging, target):
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")  # no atomic exchange here: two renames
    os.rename(target, old)
    os.rename(staging, target)
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths atomically (Linux 3.15+); False where unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _remove_stale_staging(output_dir: Path) -> None:
    """Folders a killed run left behind (hidden, never the artifacts themselves)."""
    for stale in output_dir.parent.glob(f".{output_dir.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _sync(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
