"""The word models' networks in Keras (``model.network.word_model`` serves them): built for training (with each word's
frame mask, so padding never reaches the LSTMs) and for inference (points or strip alone), sharing one set of
layers; trained with CTC; exported to LiteRT with their variables frozen into constants, so that the LSTM loops
convert."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import keras
import numpy as np
from keras import ops

from model.ink import strip
from model.network import files, word_model
from model.network.word_model import BLANK, CLASSES, READS_PEN, STRIDE

from .words import INPUTS

#: The LiteRT file must answer as Keras does: log-probabilities within this.
MAX_ABS_DIFF = 1e-3


class CTCModel(keras.Model):
    """CTC loss over each word's own frames (its frame mask) and characters."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        labels, lengths = y
        frame_lengths = ops.sum(ops.cast(x["frame_mask"], "int32"), axis=1)
        return ops.mean(ops.ctc_loss(labels, y_pred, lengths, frame_lengths, mask_index=BLANK))


#: The picture model's convolutions (channels), each followed by pooling (rows, columns): the strip's HEIGHT rows
#: pooled to 2, its columns to a quarter (``strip.STRIDE``).
PICTURE_CONVOLUTIONS = ((32, (2, 2)), (64, (2, 2)), (96, (2, 1)), (96, (2, 1)))


def _pen_front() -> list:
    return [
        keras.layers.Conv1D(64, 5, padding="same", activation="relu", name="conv1"),
        keras.layers.Conv1D(96, 5, strides=STRIDE, padding="same", activation="relu", name="conv2"),
    ]


def _picture_front() -> list:
    """A CRNN's front (Shi et al. 2016): convolutions and pooling down the strip, then each column of features a frame."""
    layers = [keras.layers.Reshape((strip.HEIGHT, -1, 1), name="channel")]
    for k, (channels, pool) in enumerate(PICTURE_CONVOLUTIONS, 1):
        layers += [
            keras.layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"conv{k}"),
            keras.layers.MaxPooling2D(pool, name=f"pool{k}"),
        ]
    rows = strip.HEIGHT // int(np.prod([pool[0] for _, pool in PICTURE_CONVOLUTIONS]))
    return layers + [
        keras.layers.Permute((2, 1, 3), name="columns"),
        keras.layers.Reshape((-1, rows * PICTURE_CONVOLUTIONS[-1][0]), name="frames"),
        keras.layers.Dense(64, activation="relu", name="project"),
    ]


def build(width: int, dropout: float = 0.0, reads: str = READS_PEN) -> tuple[CTCModel, keras.Model]:
    """(training model: input and frame mask in, log-probabilities out; inference model: the input alone), for the
    pen model (points) or the picture model (a strip). Dropout between layers, as in Keras' handwriting example,
    keeps the network from learning the training writers' hands."""
    convolve = _pen_front() if reads == READS_PEN else _picture_front()
    recurrent = [
        keras.layers.Bidirectional(keras.layers.LSTM(width, return_sequences=True), name=f"blstm{i}") for i in (1, 2)
    ]
    drops = [keras.layers.Dropout(dropout, name=f"dropout{i}") for i in range(1 + len(recurrent))]
    out = keras.layers.Dense(CLASSES, activation="log_softmax", name="characters")

    def forward(x, mask=None):
        for layer in convolve:
            x = layer(x)
        x = drops[0](x)
        for layer, drop in zip(recurrent, drops[1:]):
            x = drop(layer(x, mask=mask))
        return out(x)

    x = keras.Input(INPUTS[reads].shape, name=INPUTS[reads].name)
    mask = keras.Input((None,), dtype="bool", name="frame_mask")
    training = CTCModel(
        {INPUTS[reads].name: x, "frame_mask": mask}, forward(x, mask), name=f"word_model_{reads}_training"
    )
    return training, keras.Model(x, forward(x), name=f"word_model_{reads}")


def export(
    inference: keras.Model, folder: Path, check: list[tuple], reads: str = READS_PEN, half: bool = False
) -> dict:
    """Write the LiteRT serving file and check it against Keras on ``check`` ((input, labels, text) each). ``half``:
    weights stored as float16 (half the file; LiteRT computes in float32 all the same), checked against Keras with
    its weights rounded alike."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    serve = tf.function(lambda x: inference(x, training=False))
    concrete = serve.get_concrete_function(tf.TensorSpec([1, *INPUTS[reads].shape], tf.float32))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([convert_variables_to_constants_v2(concrete)])
    if half:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    path = Path(folder) / files.WORD_SERVING_FILE
    path.write_bytes(converter.convert())
    served = word_model.WordModel(path, reads=reads)
    with _rounded(inference, half):
        worst = max(
            (float(np.abs(served(x) - np.asarray(inference(x[None], training=False))[0]).max()) for x, _, _ in check),
            default=0.0,
        )
    if worst > MAX_ABS_DIFF:
        raise RuntimeError(f"the LiteRT word model disagrees with Keras (max log-probability difference {worst:.2g})")
    weights = "float16" if half else "float32"
    return {
        "file": files.WORD_SERVING_FILE,
        "max_abs_diff": round(worst, 7),
        "bytes": path.stat().st_size,
        "weights": weights,
    }


@contextmanager
def _rounded(model: keras.Model, half: bool):
    """The model with its weights rounded to float16 (what a half-size LiteRT file holds) while inside."""
    kept = model.get_weights()
    if half:
        model.set_weights([w.astype(np.float16).astype(w.dtype) for w in kept])
    try:
        yield model
    finally:
        model.set_weights(kept)
