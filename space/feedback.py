"""Corrections that visitors chose to share, kept for the Space owner to train on.

When ``FEEDBACK_DATASET`` names a Hub dataset repo (and ``HF_TOKEN`` can write to it), each shared correction is
appended to a local folder that huggingface_hub's ``CommitScheduler`` pushes every few minutes. The folder is an
image dataset ``datasets.load_dataset`` reads (``python -m train --image-dataset OWNER/NAME --image-orientation
glyph`` trains on it)::

    README.md                                the dataset card: what is saved, and the splits below
    data/{train,test}/<run>/metadata.jsonl   one line per correction (9 in 10 train, 1 in 10 test)
    data/{train,test}/<run>/<id>.png         the 28x28 the model saw, upright, light on black
    inputs/<run>/<id>.png                    an uploaded picture, reduced to at most 512 px (strokes: in metadata)

Each process writes into its own ``<run>`` folder and only ever appends, so a restart never overwrites what an
earlier run pushed, and a failed push is simply retried with the next one. What is saved: the label given, the
model's top 3, the strokes or the picture, the glyph, the model's fingerprint and source, the preprocessing
version, the time (to the second). Never an IP address, a session, a name or any free text.

Saving never waits for the Hub: files are written locally at once (atomically: a reader never sees half a line
or half a picture), and the scheduler is created, and re-created after a failure, in the background.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from model.atomic import write_bytes
from model.ink.preprocess import PREPROCESSING_VERSION

log = logging.getLogger(__name__)

ENV_DATASET = "FEEDBACK_DATASET"
ENV_FOLDER = "FEEDBACK_DIR"
PUSH_EVERY_MINUTES = 5
RETRY_AFTER_S = 60  # a scheduler that could not be created (no network, no token) is tried again this much later
TEST_SHARE = 10  # one correction in this many goes to the test split
MAX_INPUT_SIDE = 512


CARD = """---
license: cc-by-4.0
task_categories:
- image-classification
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train/**
  - split: test
    path: data/test/**
---

# Corrections shared by visitors of "LeNet-5 reads your handwriting"

Each row is one character a visitor drew or uploaded, that the model read, and that the visitor corrected (or
confirmed), choosing to share it. `image`: the 28x28 glyph the model saw, upright, light on black. `label`: what
the visitor said it was (one of the 47 EMNIST Balanced classes). `model_top3`, `model`, `model_source`,
`preprocessing`: what the model answered and which model it was. `strokes`: the pen strokes as JSON (drawings);
`input_file`: the uploaded picture, reduced (uploads). `box`: "left,top,right,bottom" of a character of a word.
`time`: when, to the second. Empty strings where a field does not apply. Nothing else is kept: no
address, no session, no name, no free text.

Train on it: `python -m train --image-dataset OWNER/NAME --image-orientation glyph` (from the project's repo).
"""


def default_folder() -> Path:
    """Persistent storage on a Space (/data) when it has some, else a folder beside the app."""
    configured = os.environ.get(ENV_FOLDER)
    if configured:
        return Path(configured)
    return Path("/data/feedback") if Path("/data").is_dir() and os.access("/data", os.W_OK) else Path("feedback")


@dataclass
class Correction:
    label: str
    top3: list[tuple[str, float]]
    glyph: np.ndarray  # (28, 28) upright, floats in [0, 1]
    model: str
    model_source: str
    strokes: dict | None = None
    picture: str | None = None  # path of an uploaded picture
    box: tuple[int, int, int, int] | None = None  # where in the strokes or picture, for a character of a word


class FeedbackStore:
    """Appends shared corrections under ``folder`` and has them pushed to ``repo_id`` by a CommitScheduler."""

    def __init__(
        self,
        repo_id: str,
        folder: Path | None = None,
        token: str | None = None,
        hf_api=None,
        every: float = PUSH_EVERY_MINUTES,
    ):
        self.repo_id, self.token, self.hf_api, self.every = repo_id, token, hf_api, every
        self.folder = Path(folder or default_folder()).resolve()
        self.run = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        self.scheduler = None
        self._lock = threading.Lock()  # stands in for the scheduler's lock until it exists
        self._last_try = -RETRY_AFTER_S
        self._starting = False
        self.folder.mkdir(parents=True, exist_ok=True)
        if not (self.folder / "README.md").is_file():
            write_bytes(self.folder / "README.md", CARD.encode("utf-8"))
        self._start_in_background()

    @classmethod
    def from_environment(cls) -> FeedbackStore | None:
        repo_id = os.environ.get(ENV_DATASET, "").strip()
        if not repo_id:
            return None
        from huggingface_hub.utils import validate_repo_id

        try:
            validate_repo_id(repo_id)
        except ValueError as exc:
            log.warning("%s=%r is not a Hub repo id (%s): corrections will not be shared", ENV_DATASET, repo_id, exc)
            return None
        return cls(repo_id)

    @property
    def lock(self) -> threading.Lock:
        return self.scheduler.lock if self.scheduler is not None else self._lock

    def _start_in_background(self) -> None:
        """Create the CommitScheduler off the request path: its constructor calls the Hub (create_repo)."""
        now = time.monotonic()
        if self.scheduler is not None or self._starting or now - self._last_try < RETRY_AFTER_S:
            return
        self._starting, self._last_try = True, now
        threading.Thread(target=self._start, name="feedback scheduler", daemon=True).start()

    def _start(self) -> None:
        from huggingface_hub import CommitScheduler

        try:
            scheduler = CommitScheduler(
                repo_id=self.repo_id,
                repo_type="dataset",
                folder_path=self.folder,
                every=self.every,
                token=self.token,
                hf_api=self.hf_api,
            )
            with self._lock:  # a save in progress finishes before the scheduler's lock takes over
                self.scheduler = scheduler
            log.info("shared corrections go to the dataset %s every %g minutes", self.repo_id, self.every)
        except Exception as exc:  # no network, no token, no permission: keep saving locally, retry later
            log.warning(
                "cannot push shared corrections to %s yet (%s: %s); they are kept in %s",
                self.repo_id,
                type(exc).__name__,
                exc,
                self.folder,
            )
        finally:
            self._starting = False

    def save(self, correction: Correction) -> str:
        """Append one correction (atomically); returns its id. Never touches the network."""
        self._start_in_background()
        identifier = uuid.uuid4().hex
        split = "test" if int(hashlib.sha256(identifier.encode()).hexdigest(), 16) % TEST_SHARE == 0 else "train"
        folder = self.folder / "data" / split / self.run
        folder.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {
            "file_name": f"{identifier}.png",
            "label": correction.label,
            "model_top3": [{"label": label, "confidence": round(p, 4)} for label, p in correction.top3],
            "model": correction.model,
            "model_source": correction.model_source,
            "preprocessing": PREPROCESSING_VERSION,
            "time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            # absent values are empty strings: every column keeps one type in every split and every run
            "strokes": json.dumps(correction.strokes, separators=(",", ":")) if correction.strokes else "",
            "input_file": "",
            "box": ",".join(str(v) for v in correction.box) if correction.box else "",
        }
        with self.lock:
            write_bytes(
                folder / record["file_name"],
                _png(Image.fromarray(np.round(np.clip(correction.glyph, 0, 1) * 255).astype(np.uint8))),
            )
            if correction.picture:
                picture = Image.open(correction.picture)
                picture.thumbnail((MAX_INPUT_SIDE, MAX_INPUT_SIDE))
                record["input_file"] = f"inputs/{self.run}/{identifier}.png"
                (self.folder / "inputs" / self.run).mkdir(parents=True, exist_ok=True)
                write_bytes(
                    self.folder / record["input_file"],
                    _png(picture.convert("RGBA" if "A" in picture.getbands() else "RGB")),
                )
            with open(folder / "metadata.jsonl", "a", encoding="utf-8") as handle:  # one write: a whole line or none
                handle.write(json.dumps(record, separators=(",", ":")) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return identifier

    def push_now(self):
        """Push what is waiting (the scheduler also does this every few minutes and at exit)."""
        return None if self.scheduler is None else self.scheduler.trigger()


def _png(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
