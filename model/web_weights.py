"""The LeNet-5 for the visitor's browser: its weights as 16-bit integers (one scale per tensor), with the served
model's test-time views and fingerprint, in one small file the page reads (``space/web/reader.js``).

Why 16-bit integers: the float32 weights are 260 kB and do not compress; 16 bits per weight with a scale per
tensor halve that and keep every served probability within 5e-4 of the LiteRT file's, where float16 strays
to 2e-3. The file is written by the export step (``train.export``) from the trained .keras weights, the one
source of truth, and checked here and in the page before use: a damaged file is refused, never half-read.

Layout: ``MAGIC``, a format byte, the header's length (uint32, little-endian), the header (UTF-8 JSON: tensor
names, shapes and scales, the views, the fingerprint of the serving file it mirrors), padding to an even offset,
the int16 weights (little-endian, in header order), and a CRC-32 of everything before it. The header also carries
what the page must do exactly as the server does: the class labels, the lowercase letters EMNIST merges, and
the writer memory's two numbers.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from model.labels import LABELS, MERGED_LOWERCASE
from model.memory import SIMILAR, STRENGTH

MAGIC = b"LN5W"
FORMAT = 1
#: The tensors, in the order of the network's layers (Keras' kernel layouts: conv HWIO, dense IO).
SHAPES = {
    "conv1/kernel": (5, 5, 1, 6),
    "conv1/bias": (6,),
    "conv2/kernel": (5, 5, 6, 16),
    "conv2/bias": (16,),
    "fc1/kernel": (400, 120),
    "fc1/bias": (120,),
    "fc2/kernel": (120, 84),
    "fc2/bias": (84,),
    "predictions/kernel": (84, 47),
    "predictions/bias": (47,),
}
MAX_BYTES = 1_000_000
LEVELS = 32767


class WebWeightsError(ValueError):
    """A weights file that cannot be used (the message says what is wrong with it)."""


@dataclass(frozen=True)
class WebWeights:
    tensors: dict[str, np.ndarray]  # float32, as the page computes with them
    views: dict  # {"transforms": [[rotation, zoom, dy, dx], ...], "temperature": t}
    fingerprint: str  # the served file's (model.network.loading), so a writer's memory is known to fit


def pack(weights: list[np.ndarray], views: dict, fingerprint: str) -> bytes:
    """The file's bytes from the network's weights (Keras' ``get_weights()`` order)."""
    if [tuple(w.shape) for w in weights] != list(SHAPES.values()):
        raise WebWeightsError("These are not the LeNet-5's weights (shapes differ).")
    scales, data = [], b""
    for w in weights:
        w = np.asarray(w, dtype=np.float64)
        scale = float(np.abs(w).max()) / LEVELS or 1.0
        scales.append(scale)
        data += np.round(w / scale).astype("<i2").tobytes()
    header = json.dumps(
        {
            "tensors": [{"name": n, "shape": list(s), "scale": sc} for (n, s), sc in zip(SHAPES.items(), scales)],
            "views": views,
            "fingerprint": fingerprint,
            "labels": "".join(LABELS),
            "merged": "".join(sorted(MERGED_LOWERCASE)),
            "memory": {"similar": SIMILAR, "strength": STRENGTH},
        },
        separators=(",", ":"),
    ).encode()
    header += b" " * ((len(MAGIC) + 1 + 4 + len(header)) % 2)
    body = MAGIC + bytes([FORMAT]) + struct.pack("<I", len(header)) + header + data
    return body + struct.pack("<I", zlib.crc32(body))


def unpack(blob: bytes) -> WebWeights:
    """The weights back, as float32 (what the page computes with); WebWeightsError for anything else."""
    if len(blob) > MAX_BYTES or len(blob) < len(MAGIC) + 9 or blob[: len(MAGIC)] != MAGIC:
        raise WebWeightsError("This is not a LeNet-5 web weights file.")
    if blob[len(MAGIC)] != FORMAT:
        raise WebWeightsError(f"This web weights file has format {blob[len(MAGIC)]}; this code reads {FORMAT}.")
    body, (crc,) = blob[:-4], struct.unpack("<I", blob[-4:])
    if zlib.crc32(body) != crc:
        raise WebWeightsError("The web weights file is damaged (its checksum does not match).")
    (length,) = struct.unpack("<I", body[len(MAGIC) + 1 : len(MAGIC) + 5])
    start = len(MAGIC) + 5
    try:
        header = json.loads(body[start : start + length])
        specs = [(t["name"], tuple(t["shape"]), float(t["scale"])) for t in header["tensors"]]
    except (ValueError, KeyError, TypeError):
        raise WebWeightsError("The web weights file's header is damaged.") from None
    if [(n, s) for n, s, _ in specs] != list(SHAPES.items()):
        raise WebWeightsError("The web weights file holds another network's weights.")
    offset, tensors = start + length, {}
    for name, shape, scale in specs:
        count = int(np.prod(shape))
        chunk = body[offset : offset + 2 * count]
        if len(chunk) != 2 * count:
            raise WebWeightsError("The web weights file is cut short.")
        tensors[name] = (np.frombuffer(chunk, "<i2").astype(np.float32) * np.float32(scale)).reshape(shape)
        offset += 2 * count
    if offset != len(body):
        raise WebWeightsError("The web weights file has bytes after its weights.")
    return WebWeights(tensors, header.get("views") or {}, str(header.get("fingerprint", "")))


def forward(tensors: dict[str, np.ndarray], batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28[, 1]) EMNIST-oriented glyphs -> (probabilities (N, 47), features (N, 84)): the LeNet-5 in NumPy,
    the computation the page does, for checking the file against the served model."""
    x = np.asarray(batch, dtype=np.float64).reshape(-1, 28, 28)
    n = len(x)

    def conv(image: np.ndarray, kernel: np.ndarray, bias: np.ndarray, size: int) -> np.ndarray:
        out = np.zeros((n, size, size, kernel.shape[-1]))
        for i in range(5):
            for j in range(5):
                out += np.einsum("nhwc,cd->nhwd", image[:, i : i + size, j : j + size], kernel[i, j])
        return np.maximum(out + bias, 0)

    def pool(image: np.ndarray) -> np.ndarray:
        s = image.shape
        return image.reshape(n, s[1] // 2, 2, s[2] // 2, 2, s[3]).mean(axis=(2, 4))

    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    h = pool(conv(np.pad(x, ((0, 0), (2, 2), (2, 2)))[..., None], t["conv1/kernel"], t["conv1/bias"], 28))
    h = pool(conv(h, t["conv2/kernel"], t["conv2/bias"], 10)).reshape(n, -1)
    h = np.maximum(h @ t["fc1/kernel"] + t["fc1/bias"], 0)
    features = np.maximum(h @ t["fc2/kernel"] + t["fc2/bias"], 0)
    z = features @ t["predictions/kernel"] + t["predictions/bias"]
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True), features
