"""Run the network: LiteRT on the serving artifact (no TensorFlow), or Keras for a model that has only a .keras file.

``python -m bench inference`` measured the candidates on the Space's 2-core CPU: LiteRT answers one image in
tens of microseconds and imports in a tenth of a second, where TensorFlow needs seconds and ~700 MB.
Both engines return the same calibrated probabilities, because calibration lives in the weights.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from model.labels import NUM_CLASSES
from model.network.architecture import FEATURES, INPUT_SHAPE

log = logging.getLogger(__name__)

#: Large batches run in chunks of this many images: measured ~20% more images/s than whole batches of 1024
#: (python -m bench inference; the activations of 256 images stay in cache).
CHUNK = 256
KERAS_EXTRAS_HINT = "install the training extras (pip install -r requirements-train.txt)"


class EngineError(RuntimeError):
    """The file cannot be run by this engine; ``reason`` is one short sentence without paths."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class Engine(Protocol):
    name: str
    has_features: bool  # whether ``run`` also gives the penultimate layer's features

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        """(N, 28, 28, 1) float32 in EMNIST orientation -> (N, 47) probabilities."""

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The same batch -> (probabilities, (N, 84) features, or None where the model file has no such output)."""


def litert_available() -> bool:
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return False
    return True


class LiteRTEngine:
    """A LiteRT interpreter; one invocation at a time (interpreters are not thread-safe), resized per batch size.

    One thread per core up to 4: on the 2-core Space, 2 threads were measured faster than 1 both for one image
    (17 against 20 µs) and for batches of 1024 (94k against 53k images/s)."""

    name = "LiteRT"

    def __init__(self, path: str | Path, threads: int | None = None):
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        try:
            threads = threads or min(os.cpu_count() or 1, 4)
            self._interpreter = Interpreter(model_path=str(self.path), num_threads=threads)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise EngineError(
                f"{self.path.name} is not a readable LiteRT model ({exc})",
                "The model file is damaged or is not a LiteRT model.",
            ) from exc
        (inp,), outputs = self._interpreter.get_input_details(), self._interpreter.get_output_details()
        by_width = {int(o["shape"][-1]): o for o in outputs}
        if (
            tuple(inp["shape"][1:]) != INPUT_SHAPE
            or NUM_CLASSES not in by_width
            or len(outputs) > 2
            or (len(outputs) == 2 and set(by_width) != {NUM_CLASSES, FEATURES})
        ):
            raise EngineError(
                f"{self.path.name} maps {tuple(inp['shape'])} to {[tuple(o['shape']) for o in outputs]}, "
                f"not (N, 28, 28, 1) to (N, {NUM_CLASSES}) [and (N, {FEATURES}) features]",
                "The model file is not this project's LeNet-5.",
            )
        self._input, self._output = inp["index"], by_width[NUM_CLASSES]["index"]
        self._features = by_width[FEATURES]["index"] if len(outputs) == 2 else None
        self.has_features = self._features is not None
        self._batch = int(inp["shape"][0])
        self._lock = threading.Lock()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.run(batch)[0]

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if len(batch) <= CHUNK:
            return self._invoke(batch)
        out = np.empty((len(batch), NUM_CLASSES), np.float32)
        features = np.empty((len(batch), FEATURES), np.float32) if self.has_features else None
        for start in range(0, len(batch), CHUNK):
            part = batch[start : start + CHUNK]
            if len(part) < CHUNK:  # pad the last one: one input size, no re-allocation between calls
                part = np.concatenate([part, np.zeros((CHUNK - len(part), *part.shape[1:]), np.float32)])
            p, f = self._invoke(part)
            out[start : start + CHUNK] = p[: len(batch) - start]
            if features is not None:
                features[start : start + CHUNK] = f[: len(batch) - start]
        return out, features

    def _invoke(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        with self._lock:
            if len(batch) != self._batch:
                self._interpreter.resize_tensor_input(self._input, batch.shape, strict=False)
                self._interpreter.allocate_tensors()
                self._batch = len(batch)
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            probabilities = self._interpreter.get_tensor(self._output).copy()
            features = None if self._features is None else self._interpreter.get_tensor(self._features).copy()
            return probabilities, features


class KerasEngine:
    """A Keras model, traced once into a graph when the backend is TensorFlow (7x faster than eager calls)."""

    name = "Keras"
    has_features = True

    def __init__(self, model):
        from model.network.architecture import with_features

        self.model = model
        both = with_features(model)
        try:
            import tensorflow as tf
        except ImportError:
            self._call = lambda x: tuple(np.asarray(y) for y in both(x, training=False))
        else:
            graph = tf.function(
                lambda x: both(x, training=False),
                autograph=False,
                reduce_retracing=True,
                input_signature=[tf.TensorSpec([None, *INPUT_SHAPE], tf.float32)],
            )
            self._call = lambda x: tuple(y.numpy() for y in graph(x))

    @classmethod
    def load(cls, path: str | Path) -> KerasEngine:
        """A .keras archive, or a folder in Keras' unzipped layout, loaded in safe mode (no code runs from it)."""
        try:
            import keras
        except ImportError as exc:
            raise EngineError(
                f"{Path(path).name} needs Keras and TensorFlow: {KERAS_EXTRAS_HINT}",
                f"This model has only a Keras file; serving it needs Keras: {KERAS_EXTRAS_HINT}.",
            ) from exc
        from model.network.architecture import check_architecture

        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # Keras raises many types for a bad archive; all mean the same to a user
            raise EngineError(
                f"Could not load {Path(path).name}: {type(exc).__name__}: {exc}",
                "The model file is damaged or is not a Keras model.",
            ) from exc
        try:
            check_architecture(model, source=Path(path).name)
        except ValueError as exc:
            raise EngineError(str(exc), "The model file is not this project's LeNet-5.") from exc
        return cls(model)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.run(batch)[0]

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        probabilities, features = self._call(np.asarray(batch, dtype=np.float32))
        return probabilities, features
