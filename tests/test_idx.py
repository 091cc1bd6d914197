import gzip

import numpy as np
import pytest

from harness.emnist_files import encode_idx, write_folder, write_idx
from train import emnist
from train.idx import IdxError, read_idx
from train.splits import DataError


def test_round_trip_gzip_and_plain(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "a-idx3-ubyte.gz", images)
    write_idx(tmp_path / "a-idx3-ubyte", images)
    assert np.array_equal(read_idx(tmp_path / "a-idx3-ubyte.gz"), images)
    assert np.array_equal(read_idx(tmp_path / "a-idx3-ubyte"), images)
    raw = (tmp_path / "a-idx3-ubyte").read_bytes()
    assert raw[:4] == bytes([0, 0, 8, 3]) and int.from_bytes(raw[4:8], "big") == 5  # the MNIST header


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: b"\x01\x02" + b[2:], "bad magic"),
        (lambda b: b[:-10], "truncated or corrupt"),
        (lambda b: b[:6], "truncated IDX header"),
        (lambda b: b"", "bad magic"),
    ],
)
def test_corrupt_files_are_named_errors(tmp_path, damage, message):
    good = encode_idx(np.zeros((3, 28, 28), dtype=np.uint8))
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(damage(good))
    with pytest.raises(IdxError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncated_gzip(tmp_path):
    data = gzip.compress(encode_idx(np.zeros((50, 28, 28), dtype=np.uint8)))
    path = tmp_path / "cut-idx3-ubyte.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IdxError, match="gzip"):
        read_idx(path)


def test_read_folder_validates(tmp_path, tiny_splits):
    folder = write_folder(tiny_splits, tmp_path / "ok")
    splits = emnist.read_folder(folder)
    assert np.array_equal(splits.x_train, tiny_splits.x_train) and np.array_equal(splits.y_test, tiny_splits.y_test)

    bad_labels = tiny_splits.y_train.copy()
    bad_labels[0] = 47
    write_idx(folder / emnist.FILES["train_labels"], bad_labels.astype(np.uint8))
    with pytest.raises(DataError, match="labels span 0..47"):
        emnist.read_folder(folder)

    write_idx(folder / emnist.FILES["train_labels"], tiny_splits.y_train[:-1].astype(np.uint8))
    with pytest.raises(DataError, match="labels"):
        emnist.read_folder(folder)

    write_idx(folder / emnist.FILES["train_labels"], tiny_splits.y_train.astype(np.uint8))
    (folder / emnist.MAPPING_FILE).write_text("0 48\n1 49\n")
    with pytest.raises(DataError, match="mapping"):
        emnist.read_folder(folder)

    (folder / emnist.FILES["test_images"]).unlink()
    with pytest.raises(DataError, match="missing emnist-balanced-test-images"):
        emnist.read_folder(folder)


def test_wrong_image_shape(tmp_path, tiny_splits):
    folder = write_folder(tiny_splits, tmp_path)
    write_idx(folder / emnist.FILES["test_images"], np.zeros((len(tiny_splits.y_test), 32, 32), dtype=np.uint8))
    with pytest.raises(DataError, match=r"expected \(N, 28, 28\)"):
        emnist.read_folder(folder)
