"""Hub code paths, offline: a populated HF cache with HF_HUB_OFFLINE=1, local folders, and a fake HfApi."""

import json
import time

import numpy as np
import pytest

from model import Classifier, ModelLoadError, from_pretrained
from model.loading import MODEL_FILENAME
from tests.hub_cache import COMMIT, populate
from train import emnist, publish
from train.artifacts import ARTIFACTS
from train.emnist import DataError
from train.synthetic import write_folder


@pytest.fixture
def offline(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def test_from_pretrained_uses_the_hf_cache_offline(trained_run, offline, tmp_path):
    cache = tmp_path / "cache"
    populate(cache, "someone/lenet5-emnist", {name: trained_run / name for name in ARTIFACTS})
    classifier = from_pretrained("someone/lenet5-emnist", cache_dir=cache)
    assert classifier.source == "someone/lenet5-emnist"
    assert classifier.metrics == json.loads((trained_run / "metrics.json").read_text())
    glyph = np.zeros((28, 28), np.float32)
    glyph[4:24, 12:16] = 1
    local = Classifier.load(trained_run)
    assert np.allclose(classifier.predict_batch(glyph), local.predict_batch(glyph))


def test_uncached_repo_offline_fails_fast_with_clear_message(offline, tmp_path):
    start = time.perf_counter()
    with pytest.raises(ModelLoadError, match="not in the local cache"):
        from_pretrained("someone/never-downloaded", cache_dir=tmp_path)
    assert time.perf_counter() - start < 5


def test_unreachable_hub_fails_fast(tmp_path, monkeypatch):
    """No network (the endpoint refuses connections): a clear error within seconds, not a hang."""
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(c, "HUGGINGFACE_CO_URL_TEMPLATE", "http://127.0.0.1:9/{repo_id}/resolve/{revision}/{filename}")
    start = time.perf_counter()
    with pytest.raises(ModelLoadError, match="Cannot reach"):
        from_pretrained("someone/repo", cache_dir=tmp_path)
    assert time.perf_counter() - start < 10


def test_local_folder_and_file(trained_run):
    by_folder = from_pretrained(trained_run)
    by_file = Classifier.load(trained_run / MODEL_FILENAME)
    assert by_folder.metrics["test"]["accuracy"] > 0 and by_file.metrics == by_folder.metrics


def test_env_var_selects_model(trained_run, monkeypatch):
    monkeypatch.setenv("EMNIST_MODEL", str(trained_run))
    assert Classifier.load().metrics == Classifier.load(trained_run).metrics


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[: len(b) // 2], "not a .keras archive"),
    (lambda b: b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n", "not a .keras archive"),
])
def test_corrupt_model_file_is_named(trained_run, tmp_path, damage, message):
    bad = tmp_path / MODEL_FILENAME
    bad.write_bytes(damage((trained_run / MODEL_FILENAME).read_bytes()))
    with pytest.raises(ModelLoadError, match=message) as info:
        Classifier.load(tmp_path)
    assert str(bad) in str(info.value)


def test_wrong_architecture_is_refused(tmp_path):
    import keras

    other = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(47, activation="softmax")])
    other.save(tmp_path / MODEL_FILENAME)
    with pytest.raises(ModelLoadError, match="not the EMNIST Balanced LeNet-5"):
        Classifier.load(tmp_path)


def test_missing_paths_and_bad_ids():
    with pytest.raises(ModelLoadError, match="not found"):
        Classifier.load("/nonexistent/model.keras")
    with pytest.raises(ModelLoadError, match="neither"):
        Classifier.load("not a repo id")


def test_emnist_download_reads_from_the_hf_dataset_cache(tiny_splits, offline, tmp_path):
    files = write_folder(tiny_splits, tmp_path / "files")
    cache = tmp_path / "cache"
    populate(cache, emnist.DEFAULT_REPO, {p.name: p for p in files.iterdir()}, repo_type="dataset")
    splits = emnist.download(cache_dir=str(cache))
    assert splits.revision == COMMIT and splits.name == emnist.DEFAULT_REPO
    assert np.array_equal(splits.x_test, tiny_splits.x_test)


def test_emnist_download_offline_without_cache(offline, tmp_path):
    with pytest.raises(DataError, match="--data synthetic"):
        emnist.download("someone/emnist", cache_dir=str(tmp_path))


class FakeHfApi:
    """Stands at the HfApi boundary and records exactly what would be sent."""

    def __init__(self, user="alice", orgs=("lab",)):
        self.user, self.orgs, self.calls = user, orgs, []

    def whoami(self, token=None):
        self.calls.append(("whoami", token))
        return {"name": self.user, "orgs": [{"name": o} for o in self.orgs]}

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", repo_id, kwargs))

    def create_commit(self, repo_id, operations, **kwargs):
        self.calls.append(("create_commit", repo_id, [(op.path_in_repo, op.path_or_fileobj) for op in operations], kwargs))
        return "https://huggingface.co/alice/m/commit/1"


def test_push_builds_one_commit_with_every_artifact(trained_run):
    api = FakeHfApi()
    metrics = json.loads((trained_run / "metrics.json").read_text())
    assert publish.check_access("lab/lenet5", api=api, token="hf_x") == "alice"
    publish.push(trained_run, "lab/lenet5", metrics, api=api, token="hf_x")
    names = [c[0] for c in api.calls]
    assert names == ["whoami", "create_repo", "create_commit"]
    _, repo, kwargs = api.calls[1]
    assert repo == "lab/lenet5" and kwargs["exist_ok"] is True and kwargs["repo_type"] == "model"
    _, repo, operations, kwargs = api.calls[2]
    assert sorted(p for p, _ in operations) == sorted(ARTIFACTS)
    assert all(src == str(trained_run / p) for p, src in operations)
    accuracy = f"{100 * metrics['test']['accuracy']:.2f}%"
    assert accuracy in kwargs["commit_message"] and f"{metrics['test']['weighted_f1']:.4f}" in kwargs["commit_message"]


def test_push_refuses_incomplete_folder(trained_run, tmp_path):
    api = FakeHfApi()
    (tmp_path / MODEL_FILENAME).write_bytes((trained_run / MODEL_FILENAME).read_bytes())
    with pytest.raises(publish.PublishError, match="nothing was uploaded"):
        publish.push(tmp_path, "alice/m", {}, api=api)
    assert api.calls == []


def test_no_token_fails_before_training(tmp_path, monkeypatch, capsys):
    from train.cli import main

    monkeypatch.delenv("HF_TOKEN", raising=False)
    start = time.perf_counter()
    assert main(["--data", "synthetic", "--push-to-hub", "alice/m", "--output-dir", str(tmp_path / "o")]) == 2
    assert "No Hugging Face token" in capsys.readouterr().err
    assert time.perf_counter() - start < 5 and not (tmp_path / "o").exists()


def test_wrong_namespace_and_no_network():
    with pytest.raises(publish.PublishError, match="cannot write to 'bob'"):
        publish.check_access("bob/m", api=FakeHfApi(), token="hf_x")

    class Offline(FakeHfApi):
        def whoami(self, token=None):
            raise ConnectionError("Name or service not known")

    with pytest.raises(publish.PublishError, match="Cannot reach"):
        publish.check_access("alice/m", api=Offline(), token="hf_x")
