"""The modified LeNet-5 from the seed model card: 64,851 trainable parameters, fixed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.labels import NUM_CLASSES

if TYPE_CHECKING:
    import keras

INPUT_SHAPE = (28, 28, 1)
EXPECTED_PARAMS = 64_851
#: The penultimate layer and its width: the features the serving file also outputs (model.memory keeps them).
FEATURE_LAYER = "fc2"
FEATURES = 84


def build_lenet5(num_classes: int = NUM_CLASSES, dropout: float = 0.2) -> keras.Sequential:
    """Conv(6,5x5,same) -> AvgPool -> Conv(16,5x5) -> AvgPool -> Dense 120 -> Dense 84 -> softmax."""
    import keras  # imported here so labels/preprocessing stay usable without loading TensorFlow
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="emnist_28x28"),
            layers.Conv2D(6, 5, padding="same", activation="relu", name="conv1"),
            layers.AveragePooling2D(2, name="pool1"),
            layers.Conv2D(16, 5, activation="relu", name="conv2"),
            layers.AveragePooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dropout(dropout, name="dropout1"),
            layers.Dense(120, activation="relu", name="fc1"),
            layers.Dropout(dropout, name="dropout2"),
            layers.Dense(FEATURES, activation="relu", name=FEATURE_LAYER),
            layers.Dense(num_classes, activation="softmax", name="predictions"),
        ],
        name="lenet5_emnist_balanced",
    )


def check_architecture(model: keras.Model, source: str = "model") -> None:
    """Refuse a model that is not this LeNet-5 (e.g. a different .keras file with the right name)."""
    problems = []
    if tuple(model.input_shape[1:]) != INPUT_SHAPE:
        problems.append(f"input shape {model.input_shape[1:]} != {INPUT_SHAPE}")
    if tuple(model.output_shape[1:]) != (NUM_CLASSES,):
        problems.append(f"output shape {model.output_shape[1:]} != ({NUM_CLASSES},)")
    if model.count_params() != EXPECTED_PARAMS:
        problems.append(f"{model.count_params():,} parameters != {EXPECTED_PARAMS:,}")
    if problems:
        raise ValueError(f"{source} is not the EMNIST Balanced LeNet-5: " + "; ".join(problems))


def with_features(model: keras.Model) -> keras.Model:
    """The same network with two outputs, (probabilities, features): what the serving file is exported from."""
    import keras

    return keras.Model(model.inputs[0], [model.outputs[0], model.get_layer(FEATURE_LAYER).output], name=model.name)
