"""Short real training runs on generated glyphs, as the tests make them."""

from __future__ import annotations

from pathlib import Path


def train_tiny(out: Path, samples: int, epochs: int, views: str, seed: int = 3) -> Path:
    """``python -m train`` on generated glyphs, as a test runs it: the artifacts folder."""
    from train.cli import main

    argv = ["--data", "synthetic", "--max-samples", str(samples), "--epochs", str(epochs), "--batch-size", "64"]
    argv += ["--seed", str(seed), "--test-time-views", views, "--output-dir", str(out), "--quiet"]
    assert main(argv) == 0
    return out
