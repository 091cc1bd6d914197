"""tf.data input pipeline: which images each epoch sees (natural or class-balanced sampling) and on-the-fly
augmentation, batched so the two CPU cores stay busy.

Augmentation: one random affine warp per image (rotation, scale, shear, shift, in a single resampling), an elastic
distortion (Simard et al. 2003: a random displacement field smoothed by a Gaussian) and a random stroke-width
change. It runs in EMNIST storage orientation; the ranges are symmetric, so the transpose does not matter.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from model.labels import NUM_CLASSES

from .evaluate import balancing_weights
from .recipe import Augment


def _affine(images: tf.Tensor, aug: Augment, seed: tf.Tensor) -> tf.Tensor:
    batch = tf.shape(images)[0]

    def uniform(limit, i):
        return tf.random.stateless_uniform([batch], seed=seed + i, minval=-limit, maxval=limit)

    angle = uniform(np.deg2rad(aug.rotation_deg), 1)
    zoom = 1.0 + uniform(aug.scale, 2)
    shear = uniform(aug.shear, 3)
    tx, ty = uniform(aug.shift_px, 4), uniform(aug.shift_px, 5)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # Output->input mapping (what ImageProjectiveTransform wants): inverse zoom of rotation+shear, about the centre.
    a0, a1 = cos / zoom, (-sin + shear * cos) / zoom
    b0, b1 = sin / zoom, (cos + shear * sin) / zoom
    c = 13.5
    a2 = c - a0 * c - a1 * c + tx
    b2 = c - b0 * c - b1 * c + ty
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.constant([28, 28]),
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
        fill_value=0.0,
    )


def _gaussian_kernel(sigma: float) -> tf.Tensor:
    radius = int(np.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    return tf.constant(taps / taps.sum(), tf.float32)


def _elastic(images: tf.Tensor, aug: Augment, seed: tf.Tensor) -> tf.Tensor:
    """Each pixel moved by a smooth random field: uniform noise in [-1, 1] per pixel and axis, blurred by a
    Gaussian of ``elastic_sigma`` px (separably), scaled by ``elastic`` px; bilinear resampling, zeros outside."""
    batch = tf.shape(images)[0]
    noise = tf.random.stateless_uniform([batch, 28, 28, 2], seed=seed + 11, minval=-1.0, maxval=1.0)
    taps = _gaussian_kernel(aug.elastic_sigma)
    horizontal = tf.tile(tf.reshape(taps, [1, -1, 1, 1]), [1, 1, 2, 1])
    vertical = tf.tile(tf.reshape(taps, [-1, 1, 1, 1]), [1, 1, 2, 1])
    field = tf.nn.depthwise_conv2d(noise, horizontal, [1, 1, 1, 1], "SAME")
    field = tf.nn.depthwise_conv2d(field, vertical, [1, 1, 1, 1], "SAME") * aug.elastic
    rows, cols = tf.meshgrid(tf.range(28, dtype=tf.float32), tf.range(28, dtype=tf.float32), indexing="ij")
    src_r, src_c = rows[None] + field[..., 0], cols[None] + field[..., 1]
    r0, c0 = tf.floor(src_r), tf.floor(src_c)
    wr, wc = src_r - r0, src_c - c0
    flat = images[..., 0]
    index = tf.broadcast_to(tf.range(batch)[:, None, None], tf.shape(flat))

    def at(r, c):
        inside = (r >= 0) & (r <= 27) & (c >= 0) & (c <= 27)
        r, c = tf.cast(tf.clip_by_value(r, 0, 27), tf.int32), tf.cast(tf.clip_by_value(c, 0, 27), tf.int32)
        return tf.where(inside, tf.gather_nd(flat, tf.stack([index, r, c], axis=-1)), 0.0)

    warped = (
        (1 - wr) * (1 - wc) * at(r0, c0)
        + (1 - wr) * wc * at(r0, c0 + 1)
        + wr * (1 - wc) * at(r0 + 1, c0)
        + wr * wc * at(r0 + 1, c0 + 1)
    )
    return warped[..., None]


def _stroke(images: tf.Tensor, aug: Augment, seed: tf.Tensor) -> tf.Tensor:
    batch = tf.shape(images)[0]
    amount = tf.random.stateless_uniform([batch, 1, 1, 1], seed=seed + 7, minval=-aug.stroke, maxval=aug.stroke)
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    target = tf.where(amount > 0, dilated, eroded)
    return images + tf.abs(amount) * (target - images)


def augment_batch(images: tf.Tensor, aug: Augment, seed: tf.Tensor) -> tf.Tensor:
    if aug.rotation_deg or aug.scale or aug.shear or aug.shift_px:
        images = _affine(images, aug, seed)
    if aug.elastic:
        images = _elastic(images, aug, seed)
    if aug.stroke:
        images = _stroke(images, aug, seed)
    return tf.clip_by_value(images, 0.0, 1.0)


def epoch_order(y: np.ndarray, epochs: int, seed: int, balanced: bool) -> np.ndarray:
    """Indices of every training step's images, all epochs back to back (one array: cheap and reproducible).

    Natural: a fresh permutation per epoch. Balanced: each epoch draws as many images, with replacement, so that
    every class is equally likely (rare classes repeat, frequent ones are subsampled)."""
    rng = np.random.default_rng(seed)
    if not balanced:
        return np.concatenate([rng.permutation(len(y)) for _ in range(epochs)])
    weights = balancing_weights(y)
    return rng.choice(len(y), size=epochs * len(y), p=weights / weights.sum())


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    training: bool,
    aug: Augment | None = None,
    seed: int = 0,
    epochs: int = 1,
    balanced: bool = False,
    targets: np.ndarray | None = None,
) -> tf.data.Dataset:
    """uint8 (N, 28, 28) + int labels -> batches of (float (B, 28, 28, 1), targets (B, 47)).

    Targets are one-hot labels, or ``targets[i]`` (for example a teacher's probabilities) when given."""
    targets = np.eye(NUM_CLASSES, dtype=np.float32)[y] if targets is None else targets.astype(np.float32)
    images, labels = tf.constant(x), tf.constant(targets)
    order = epoch_order(y, epochs, seed, balanced) if training else np.arange(len(y))
    per_epoch = order.astype(np.int64).reshape(-1, len(y))  # batches never straddle two epochs
    ds = tf.data.Dataset.from_tensor_slices(per_epoch).flat_map(
        lambda epoch: tf.data.Dataset.from_tensor_slices(epoch).batch(batch_size, drop_remainder=False)
    )

    def gather(index):
        # model.ink.preprocess.as_batch's scaling, as a graph op
        return tf.cast(tf.gather(images, index), tf.float32)[..., None] / 255.0, tf.gather(labels, index)

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    if training and aug is not None:
        counter = tf.data.Dataset.counter(start=seed * 1_000_003)
        ds = tf.data.Dataset.zip((ds, counter)).map(
            lambda batch, step: (augment_batch(batch[0], aug, tf.stack([step, tf.constant(seed, tf.int64)])), batch[1]),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)
