"""The word models: small networks trained on whole handwritten words (``python -m train.words``) that read a word
into per-frame probabilities of each character and of "no character" (CTC's blank), served by LiteRT like the
LeNet-5, without TensorFlow. One reads the pen's trajectory (``model.ink.trajectory``), the other a picture of the
word (``model.ink.strip``).

The pen model follows the on-device readers of Carbune et al. (2020) and the BLSTM-CTC of Graves et al. (2009):
two 1-D convolutions over the resampled points (the second halves the frame rate), two bidirectional LSTM layers,
and a softmax over ALPHABET plus the blank. The picture model is a CRNN (Shi et al. 2016): 2-D convolutions down
the strip's height and to a quarter of its width, then the same recurrent layers and softmax. ``greedy`` decodes
without a word list; ``model.words.decoder`` weighs a word list against the ink.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.ink import strip
from model.ink.trajectory import FEATURES
from model.network.files import METRICS_FILE, WORD_SERVING_FILE

#: What the word model spells, case and all; index 0 of its output is CTC's blank, ALPHABET[i] is output i + 1.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BLANK = 0
CLASSES = len(ALPHABET) + 1
#: The pen model's frame rate is halved once: one output frame per this many input points.
STRIDE = 2
#: What each model reads, by its name in ``WordModel.reads``.
READS_PEN, READS_PICTURES = "pen", "pictures"
#: LiteRT threads per model: the pen model's recurrent steps are too small to share between cores (a second thread
#: only adds waiting), the picture model's convolutions are not.
THREADS = {READS_PEN: 1, READS_PICTURES: 2}


class WordModelError(RuntimeError):
    """The word model's file is missing or cannot be run; ``reason`` is one short sentence without paths."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def frames(points: int) -> int:
    """The pen model's output frames for this many input points."""
    return -(-points // STRIDE)


def strip_frames(columns: int) -> int:
    """The picture model's output frames for a strip this many columns wide."""
    return columns // strip.STRIDE


def encode(text: str) -> list[int]:
    """A word's characters as output indices (ValueError for a character the model cannot spell)."""
    try:
        return [ALPHABET.index(c) + 1 for c in text]
    except ValueError:
        raise ValueError(f"{text!r} holds a character outside the word model's alphabet") from None


def greedy(log_probabilities: np.ndarray) -> str:
    """The best path: the most probable output per frame, repeats merged, blanks dropped."""
    best = log_probabilities.argmax(axis=1)
    keep = (best != BLANK) & np.concatenate([[True], best[1:] != best[:-1]])
    return "".join(ALPHABET[i - 1] for i in best[keep])


@dataclass
class WordModel:
    """A LiteRT interpreter of a word model (one invocation at a time; resized to each word's length). ``reads``:
    READS_PEN (points (N, FEATURES)) or READS_PICTURES (a strip (strip.HEIGHT, W))."""

    path: Path
    info: dict = field(default_factory=dict)
    reads: str = READS_PEN

    def __post_init__(self):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise WordModelError(f"LiteRT is not installed ({exc})", "LiteRT is not installed on this server.") from exc
        try:
            self._interpreter = Interpreter(model_path=str(self.path), num_threads=THREADS.get(self.reads, 2))
        except (ValueError, RuntimeError) as exc:
            raise WordModelError(
                f"{self.path.name} is not a readable LiteRT model ({exc})", "The word model's file is damaged."
            ) from exc
        (self._input,), (self._output,) = self._interpreter.get_input_details(), self._interpreter.get_output_details()
        shape = tuple(int(v) for v in self._input["shape"])
        fits = shape[2:] == (FEATURES,) if self.reads == READS_PEN else shape[1:2] == (strip.HEIGHT,)
        if len(shape) != 3 or not fits or int(self._output["shape"][-1]) != CLASSES:
            raise WordModelError(
                f"{self.path.name} is not this project's word model (input {self._input['shape']}, output "
                f"{self._output['shape']})",
                "The word model's file is not a word model of this project.",
            )
        self._lock = threading.Lock()
        self._shape = None

    @classmethod
    def load(cls, folder: str | Path, reads: str = READS_PEN) -> WordModel:
        folder = Path(folder)
        if not (folder / WORD_SERVING_FILE).is_file():
            raise WordModelError(f"No {WORD_SERVING_FILE} in {folder}", "There is no word model.")
        try:
            info = json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        return cls(folder / WORD_SERVING_FILE, info if isinstance(info, dict) else {}, reads)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(N, FEATURES) trajectory features, or a (strip.HEIGHT, W) strip -> (frames, CLASSES) log-probabilities."""
        x = np.asarray(x, dtype=np.float32)[None]
        with self._lock:
            if self._shape != x.shape:
                self._interpreter.resize_tensor_input(self._input["index"], x.shape)
                self._interpreter.allocate_tensors()
                self._shape = x.shape
            self._interpreter.set_tensor(self._input["index"], x)
            self._interpreter.invoke()
            return np.array(self._interpreter.get_tensor(self._output["index"])[0])
