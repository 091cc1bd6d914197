"""The word model's network in Keras (``model.network.word_model`` serves it): built for training (with each word's frame
mask, so padding never reaches the LSTMs) and for inference (points alone), sharing one set of layers; trained
with CTC; exported to LiteRT with its variables frozen into constants, so that the LSTM loops convert."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import ops

from model.ink.trajectory import FEATURES
from model.network import files, word_model
from model.network.word_model import BLANK, CLASSES, STRIDE

#: The LiteRT file must answer as Keras does: log-probabilities within this.
MAX_ABS_DIFF = 1e-3


class CTCModel(keras.Model):
    """CTC loss over each word's own frames (its frame mask) and characters."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        labels, lengths = y
        frame_lengths = ops.sum(ops.cast(x["frame_mask"], "int32"), axis=1)
        return ops.mean(ops.ctc_loss(labels, y_pred, lengths, frame_lengths, mask_index=BLANK))


def build(width: int, dropout: float = 0.0) -> tuple[CTCModel, keras.Model]:
    """(training model: points and frame mask in, log-probabilities out; inference model: points alone). Dropout
    between layers, as in Keras' handwriting example, keeps the network from learning the training writers' hands."""
    convolve = [
        keras.layers.Conv1D(64, 5, padding="same", activation="relu", name="conv1"),
        keras.layers.Conv1D(96, 5, strides=STRIDE, padding="same", activation="relu", name="conv2"),
    ]
    recurrent = [
        keras.layers.Bidirectional(keras.layers.LSTM(width, return_sequences=True), name=f"blstm{i}") for i in (1, 2)
    ]
    drops = [keras.layers.Dropout(dropout, name=f"dropout{i}") for i in range(1 + len(recurrent))]
    out = keras.layers.Dense(CLASSES, activation="log_softmax", name="characters")

    def forward(points, mask=None):
        x = points
        for layer in convolve:
            x = layer(x)
        x = drops[0](x)
        for layer, drop in zip(recurrent, drops[1:]):
            x = drop(layer(x, mask=mask))
        return out(x)

    points = keras.Input((None, FEATURES), name="points")
    mask = keras.Input((None,), dtype="bool", name="frame_mask")
    training = CTCModel({"points": points, "frame_mask": mask}, forward(points, mask), name="word_model_training")
    return training, keras.Model(points, forward(points), name="word_model")


def export(inference: keras.Model, folder: Path, check: list[tuple]) -> dict:
    """Write the LiteRT serving file and check it against Keras on ``check`` ((features, labels, text) each)."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    serve = tf.function(lambda x: inference(x, training=False))
    concrete = serve.get_concrete_function(tf.TensorSpec([1, None, FEATURES], tf.float32))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([convert_variables_to_constants_v2(concrete)])
    path = Path(folder) / files.WORD_SERVING_FILE
    path.write_bytes(converter.convert())
    served = word_model.WordModel(path)
    worst = max(
        (float(np.abs(served(x) - np.asarray(inference(x[None], training=False))[0]).max()) for x, _, _ in check),
        default=0.0,
    )
    if worst > MAX_ABS_DIFF:
        raise RuntimeError(f"the LiteRT word model disagrees with Keras (max log-probability difference {worst:.2g})")
    return {"file": files.WORD_SERVING_FILE, "max_abs_diff": round(worst, 7), "bytes": path.stat().st_size}
