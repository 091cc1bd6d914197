"""Write data in the official EMNIST file format (gzip IDX + mapping), so tests can feed --data-dir offline."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from model.atomic import write_bytes, write_text
from model.labels import LABELS
from train.emnist import FILES, MAPPING_FILE
from train.idx import DTYPES
from train.splits import Splits


def encode_idx(array: np.ndarray) -> bytes:
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("=").str: k for k, v in DTYPES.items()}
    code = codes[array.dtype.newbyteorder("=").str]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.dtype(DTYPES[code])).tobytes()


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """IDX, gzipped when the name ends in .gz (mtime 0 keeps the bytes reproducible)."""
    data = encode_idx(array)
    write_bytes(path, gzip.compress(data, mtime=0) if str(path).endswith(".gz") else data)


def mapping_lines() -> list[str]:
    """The lines of ``emnist-balanced-mapping.txt`` ("index ascii_code") our labels imply."""
    return [f"{i} {ord(c)}" for i, c in enumerate(LABELS)]


def write_folder(splits: Splits, folder: str | Path, card: str | None = None) -> Path:
    """The four official files + mapping (+ a dataset card README.md when given)."""
    folder = Path(folder)
    write_idx(folder / FILES["train_images"], splits.x_train)
    write_idx(folder / FILES["train_labels"], splits.y_train.astype(np.uint8))
    write_idx(folder / FILES["test_images"], splits.x_test)
    write_idx(folder / FILES["test_labels"], splits.y_test.astype(np.uint8))
    write_text(folder / MAPPING_FILE, "\n".join(mapping_lines()) + "\n")
    if card is not None:
        write_text(folder / "README.md", card)
    return folder
