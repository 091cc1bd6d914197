from pathlib import Path

import numpy as np
import pytest

from model import EXPECTED_PARAMS, LABELS, MERGED_LOWERCASE, NUM_CLASSES, ambiguous_with, build_lenet5, index_of
from model.ink.orientation import emnist_to_upright, upright_to_emnist
from model.labels import UnknownCharacter, parse_mapping
from model.network.architecture import check_architecture


def test_architecture_matches_seed_card():
    model = build_lenet5()
    assert model.count_params() == EXPECTED_PARAMS == 64_851
    kinds = [
        (type(layer).__name__, getattr(layer, "filters", None) or getattr(layer, "units", None))
        for layer in model.layers
    ]
    assert kinds == [
        ("Conv2D", 6),
        ("AveragePooling2D", None),
        ("Conv2D", 16),
        ("AveragePooling2D", None),
        ("Flatten", None),
        ("Dropout", None),
        ("Dense", 120),
        ("Dropout", None),
        ("Dense", 84),
        ("Dense", 47),
    ]
    conv1, conv2 = model.layers[0], model.layers[2]
    assert conv1.kernel_size == conv2.kernel_size == (5, 5)
    assert (conv1.padding, conv2.padding) == ("same", "valid")
    assert [layer.rate for layer in model.layers if type(layer).__name__ == "Dropout"] == [0.2, 0.2]
    assert model.layers[-1].activation.__name__ == "softmax"
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 47)


def test_check_architecture_rejects_other_models():
    with pytest.raises(ValueError, match="parameters"):
        check_architecture(_wider_model(), "x.keras")


def _wider_model():
    import keras

    return keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(47, activation="softmax")]
    )


def test_label_table():
    assert len(LABELS) == NUM_CLASSES == 47
    assert "".join(LABELS) == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"
    assert MERGED_LOWERCASE == "cijklmopsuvwxyz"
    assert index_of("c") == index_of("C") == 12
    assert index_of("a") == 36 and index_of("t") == 46
    with pytest.raises(UnknownCharacter, match="'\\?' is not one of the 47"):
        index_of("?")
    official = (Path(__file__).parent / "data" / "emnist-balanced-mapping.txt").read_text()  # EMNIST's own file
    assert parse_mapping(official) == LABELS
    assert {"0", "D"} <= ambiguous_with("O") and "O" not in ambiguous_with("O")
    assert ambiguous_with("X") == frozenset()


def test_orientation_round_trip_and_direction():
    upright = np.zeros((28, 28), dtype=np.uint8)
    upright[4:24, 6] = 255  # an "L": vertical bar on the left ...
    upright[23, 6:20] = 255  # ... and a foot at the bottom
    stored = upright_to_emnist(upright)
    # EMNIST storage is the transpose: the vertical bar becomes a horizontal one at the top.
    assert stored[6, 4:24].all() and not stored[4:24, 6].all()
    assert np.array_equal(emnist_to_upright(stored), upright)
    batch = np.stack([upright, upright[::-1]])
    assert np.array_equal(emnist_to_upright(upright_to_emnist(batch)), batch)
    assert np.array_equal(upright_to_emnist(batch)[1], upright[::-1].T)
