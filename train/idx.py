"""The IDX format of MNIST/EMNIST (optionally gzipped), read with validation."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IdxError(ValueError):
    """A file that is not a valid IDX file; the message names it."""


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in DTYPES:
        raise IdxError(f"{name}: not an IDX file (bad magic number {data[:4].hex() or 'empty'})")
    dtype, ndim = np.dtype(DTYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise IdxError(f"{name}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise IdxError(
            f"{name}: header says shape {shape} ({expected:,} bytes) but the file holds "
            f"{len(data) - header:,} bytes of data (truncated or corrupt)"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise IdxError(f"{path}: file not found") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise IdxError(f"{path}: corrupt or truncated gzip data ({exc})") from exc
    return parse_idx(raw, str(path))
