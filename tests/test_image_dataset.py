"""Training from a standard image-classification dataset (parquet, as push_to_hub writes), offline."""

import numpy as np
import pytest
from PIL import Image

from model.ink.orientation import emnist_to_upright
from model.labels import LABELS
from train import image_dataset
from train.splits import DataError


def _write_parquet_dataset(folder, splits, count=94):
    import datasets

    features = datasets.Features({"image": datasets.Image(), "label": datasets.ClassLabel(names=list(LABELS))})
    for split, x, y in (("train", splits.x_train, splits.y_train), ("test", splits.x_test, splits.y_test)):
        # Upright, dark ink on white paper, larger than 28x28: like photos of someone's own handwriting.
        pictures = [Image.fromarray(255 - emnist_to_upright(g)).resize((64, 64)) for g in x[:count]]
        ds = datasets.Dataset.from_dict({"image": pictures, "label": y[:count].tolist()}, features=features)
        (folder / "data").mkdir(parents=True, exist_ok=True)
        ds.to_parquet(str(folder / "data" / f"{split}-00000-of-00001.parquet"))
    return folder


def test_parquet_image_dataset_goes_through_preprocessing(tmp_path, tiny_splits):
    folder = _write_parquet_dataset(tmp_path / "mine", tiny_splits)
    splits = image_dataset.load(str(folder))
    assert splits.x_train.shape == (94, 28, 28) and splits.x_train.dtype == np.uint8
    assert np.array_equal(splits.y_train, tiny_splits.y_train[:94])
    # The preprocessing recovers light-on-black EMNIST-oriented glyphs close to the originals.
    a = splits.x_train.astype(float).ravel()
    b = tiny_splits.x_train[:94].astype(float).ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.8
    # a local folder is named by its folder name, never by its path, and is not a Hub dataset
    assert splits.info.name == "mine" and splits.info.hub_id is None and splits.info.source == "image-dataset"


def test_train_cli_on_image_dataset(tmp_path, tiny_splits):
    import json

    from train.cli import main

    folder = _write_parquet_dataset(tmp_path / "mine", tiny_splits)
    out = tmp_path / "out"
    assert main(["--image-dataset", str(folder), "--epochs", "1", "--output-dir", str(out), "--quiet"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["source"] == "image-dataset" and metrics["data"]["test"] == 94
    card = (out / "README.md").read_text()
    assert str(tmp_path) not in card and "datasets:" not in card.split("---")[1]  # a local path is no Hub dataset id


def test_bad_columns_and_labels(tmp_path, tiny_splits):
    folder = _write_parquet_dataset(tmp_path / "mine", tiny_splits, count=10)
    with pytest.raises(DataError, match="no column 'picture'"):
        image_dataset.load(str(folder), image_column="picture")
    with pytest.raises(DataError, match="Could not load"):
        image_dataset.load(str(tmp_path / "nothing-here"))
