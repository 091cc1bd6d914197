"""Hub code paths, offline: a populated HF cache with HF_HUB_OFFLINE=1, a local endpoint that refuses or never
answers, local folders, and a fake HfApi that records exactly what would be sent."""

import json
import time

import numpy as np
import pytest

from harness.emnist_files import write_folder
from harness.hub_cache import COMMIT, populate
from model import Classifier, ModelLoadError, from_pretrained
from model.network.files import (
    KERAS_FILE,
    METRICS_FILE,
    MODEL_FILES,
    REPO_FILES,
    SERVING_FILE,
    WORD_FILES,
    WORD_FOLDERS,
    WORD_INFERENCE_FILES,
)
from train import emnist, publish
from train.splits import DataError


@pytest.fixture
def offline(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def test_from_pretrained_uses_the_hf_cache_offline(trained_run, offline, tmp_path):
    cache = tmp_path / "cache"
    populate(cache, "someone/lenet5-emnist", {name: trained_run / name for name in REPO_FILES})
    classifier = from_pretrained("someone/lenet5-emnist", cache_dir=cache, local_files_only=True)
    assert classifier.source == "someone/lenet5-emnist" and classifier.engine.name == "LiteRT"
    assert classifier.metrics.to_dict() == json.loads((trained_run / METRICS_FILE).read_text())
    glyph = np.zeros((28, 28), np.float32)
    glyph[4:24, 12:16] = 1
    local = Classifier.load(trained_run)
    assert np.allclose(classifier.predict_batch(glyph), local.predict_batch(glyph))


def test_keras_hf_loader_reads_our_repo_layout(trained_run, offline, tmp_path, monkeypatch):
    """The Hub's own snippet for library_name: keras is keras.saving.load_model("hf://OWNER/NAME")."""
    import huggingface_hub.constants as c
    import keras

    cache = tmp_path / "cache"
    populate(cache, "someone/lenet5-emnist", {name: trained_run / name for name in REPO_FILES})
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(cache))
    model = keras.saving.load_model("hf://someone/lenet5-emnist")
    x = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    ours = Classifier.load(trained_run).engine(x)  # the file's own output, without test-time views
    assert np.allclose(np.asarray(model(x)), ours, atol=1e-5)


def test_standard_hub_options_are_accepted(trained_run, offline, tmp_path, monkeypatch):
    """revision, cache_dir, token, local_files_only and force_download reach huggingface_hub as given."""
    import huggingface_hub

    cache = tmp_path / "cache"
    snapshot = populate(cache, "someone/m", {name: trained_run / name for name in REPO_FILES})
    classifier = from_pretrained("someone/m", revision=COMMIT, cache_dir=cache, token=False, local_files_only=True)
    assert classifier.metrics.test.accuracy is not None
    sent = []

    def fake_snapshot_download(repo_id, **kwargs):
        sent.append((repo_id, kwargs))
        return str(snapshot)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    from_pretrained("someone/m", revision="v1", cache_dir=cache, token="hf_x", force_download=True)
    ((repo_id, kwargs),) = sent
    assert repo_id == "someone/m" and kwargs["revision"] == "v1" and kwargs["cache_dir"] == cache
    assert kwargs["token"] == "hf_x" and kwargs["force_download"] is True and kwargs["repo_type"] == "model"
    assert set(kwargs["allow_patterns"]) == {SERVING_FILE, KERAS_FILE, METRICS_FILE, *WORD_INFERENCE_FILES}


def test_uncached_repo_offline_fails_fast_with_clear_message(offline, tmp_path):
    start = time.perf_counter()
    with pytest.raises(ModelLoadError, match="not in the local cache") as info:
        from_pretrained("someone/never-downloaded", cache_dir=tmp_path)
    assert time.perf_counter() - start < 5
    assert str(tmp_path) not in info.value.reason  # the short reason never names server paths


def test_refused_connection_fails_fast(tmp_path, monkeypatch):
    """No network (the endpoint refuses connections): a clear error within seconds, not a hang."""
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(c, "HUGGINGFACE_CO_URL_TEMPLATE", "http://127.0.0.1:9/{repo_id}/resolve/{revision}/{filename}")
    start = time.perf_counter()
    with pytest.raises(ModelLoadError, match="Cannot reach"):
        from_pretrained("someone/repo", cache_dir=tmp_path)
    assert time.perf_counter() - start < 10


def test_silent_hub_is_bounded_and_falls_back_to_the_cache(silent_endpoint, trained_run, tmp_path):
    """A server that never replies: the loader gives up at its timeout and uses the cached copy."""
    cache = tmp_path / "cache"
    populate(cache, "someone/cached", {name: trained_run / name for name in REPO_FILES})
    start = time.perf_counter()
    classifier = from_pretrained("someone/cached", cache_dir=cache, timeout=2)
    assert time.perf_counter() - start < 5 and classifier.metrics.test.accuracy is not None
    start = time.perf_counter()
    with pytest.raises(ModelLoadError, match="Cannot reach"):
        from_pretrained("someone/not-cached", cache_dir=cache, timeout=2)
    assert time.perf_counter() - start < 5


def test_local_folder_file_and_keras_only(trained_run, tmp_path):
    by_folder = from_pretrained(trained_run)
    by_file = Classifier.load(trained_run / SERVING_FILE)
    assert by_folder.engine.name == by_file.engine.name == "LiteRT"
    assert by_file.metrics.to_dict() == by_folder.metrics.to_dict()
    (tmp_path / KERAS_FILE).write_bytes((trained_run / KERAS_FILE).read_bytes())  # an older repo: .keras only
    keras_only = Classifier.load(tmp_path)
    assert keras_only.engine.name == "Keras" and not keras_only.metrics.known
    x = np.random.default_rng(1).random((4, 28, 28), dtype=np.float32)
    # Without metrics.json there are no recorded test-time views: the .keras file alone answers, like the .tflite.
    assert np.allclose(keras_only.predict_batch(x), by_folder.engine(x[..., None]), atol=1e-5)


def test_env_var_selects_model(trained_run, monkeypatch):
    monkeypatch.setenv("EMNIST_MODEL", str(trained_run))
    assert Classifier.load().metrics.to_dict() == Classifier.load(trained_run).metrics.to_dict()


@pytest.mark.parametrize(
    "name, damage, reason",
    [
        (KERAS_FILE, lambda b: b[: len(b) // 2], "damaged"),
        (KERAS_FILE, lambda b: b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n", "Git LFS"),
        (SERVING_FILE, lambda b: b[: len(b) // 3], "damaged"),
    ],
)
def test_corrupt_model_file_is_named(trained_run, tmp_path, name, damage, reason):
    bad = tmp_path / name
    bad.write_bytes(damage((trained_run / name).read_bytes()))
    with pytest.raises(ModelLoadError) as info:
        Classifier.load(tmp_path)
    assert name in str(info.value) and reason in info.value.reason and str(tmp_path) not in info.value.reason


def test_wrong_architecture_is_refused(tmp_path):
    import keras

    other = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(47, activation="softmax")]
    )
    other.save(tmp_path / KERAS_FILE)
    with pytest.raises(ModelLoadError, match="not the EMNIST Balanced LeNet-5") as info:
        Classifier.load(tmp_path)
    assert info.value.reason == "The model file is not this project's LeNet-5."


def test_missing_paths_and_bad_ids(tmp_path, monkeypatch):
    with pytest.raises(ModelLoadError, match="no such file or folder"):
        Classifier.load("/nonexistent/model.keras")
    with pytest.raises(ModelLoadError, match="no such file or folder"):
        Classifier.load("not a repo id")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "artifacts").mkdir()
    with pytest.raises(ModelLoadError, match="No model at artifacts/emnist"):  # a training output not written yet
        Classifier.load("artifacts/emnist")


def test_emnist_download_reads_from_the_hf_dataset_cache(tiny_splits, offline, tmp_path):
    files = write_folder(tiny_splits, tmp_path / "files")
    cache = tmp_path / "cache"
    populate(cache, emnist.DEFAULT_REPO, {p.name: p for p in files.iterdir()}, repo_type="dataset")
    splits = emnist.download(cache_dir=str(cache))
    assert splits.info.revision == COMMIT and splits.info.hub_id == emnist.DEFAULT_REPO
    assert splits.info.official_split is False  # tiny counts: never claimed as the official split
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
        self.calls.append(
            ("create_commit", repo_id, [(op.path_in_repo, op.path_or_fileobj) for op in operations], kwargs)
        )
        return "https://huggingface.co/alice/m/commit/1"


def test_push_builds_one_commit_with_every_artifact(trained_run):
    from model.network.metrics import ModelMetrics

    api = FakeHfApi()
    metrics = ModelMetrics.load(trained_run / METRICS_FILE)
    assert publish.check_access("lab/lenet5", api=api, token="hf_x") == "alice"
    publish.push(trained_run, "lab/lenet5", api=api, token="hf_x")
    assert [c[0] for c in api.calls] == ["whoami", "create_repo", "create_commit"]
    _, repo, kwargs = api.calls[1]
    assert repo == "lab/lenet5" and kwargs["exist_ok"] is True and kwargs["repo_type"] == "model"
    _, repo, operations, kwargs = api.calls[2]
    assert sorted(p for p, _ in operations) == sorted(REPO_FILES)  # .keras, hf:// layout, LiteRT, card, metrics, plots
    assert all(src == str(trained_run / p) for p, src in operations)
    assert f"{100 * metrics.test.accuracy:.2f}%" in kwargs["commit_message"]
    assert f"{metrics.test.weighted_f1:.4f}" in kwargs["commit_message"]


def test_push_refuses_incomplete_folder(trained_run, tmp_path):

    api = FakeHfApi()
    (tmp_path / KERAS_FILE).write_bytes((trained_run / KERAS_FILE).read_bytes())
    with pytest.raises(publish.PublishError, match="nothing was uploaded"):
        publish.push(tmp_path, "alice/m", api=api)
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


@pytest.fixture(scope="module")
def with_pen(trained_run, tmp_path_factory):
    """A repo folder holding both models: the shared run's EMNIST model and a pen variant fine-tuned from it by
    ``python -m train --variant pen`` (generated glyphs stand in for pen data: the variant's mechanics are tested)."""
    import shutil

    from train.cli import main

    repo = tmp_path_factory.mktemp("repo") / "both"
    shutil.copytree(trained_run, repo)
    argv = ["--data", "synthetic", "--max-samples", "1500", "--epochs", "1", "--batch-size", "64", "--seed", "5"]
    argv += ["--test-time-views", "none", "--quiet", "--init-from", str(trained_run)]
    assert main([*argv, "--variant", "pen", "--output-dir", str(repo)]) == 0
    return repo


def test_a_variant_run_writes_its_subfolder_and_the_card_describes_both(with_pen, trained_run):
    from model.network.metrics import ModelMetrics

    pen = ModelMetrics.load(with_pen / "pen" / METRICS_FILE)
    assert pen.model.variant == "pen" and pen.training.recipe["init_from"] == trained_run.name
    assert sorted(p.name for p in (with_pen / "pen").iterdir()) == sorted(MODEL_FILES)
    assert (with_pen / KERAS_FILE).read_bytes() == (trained_run / KERAS_FILE).read_bytes()  # the root is untouched
    card = (with_pen / "README.md").read_text()
    root = ModelMetrics.load(with_pen / METRICS_FILE)
    assert f"{100 * root.test.accuracy:.2f}%" in card and f"{100 * pen.served_test.accuracy:.2f}%" in card
    assert 'variant="pen"' in card and "## The pen-tuned variant (`pen/`)" in card
    assert "## The pen-tuned variant" not in (trained_run / "README.md").read_text()


def test_both_models_are_pushed_in_one_commit(with_pen):
    api = FakeHfApi()
    publish.push(with_pen, "lab/lenet5", api=api, token="hf_x")
    _, repo, operations, kwargs = api.calls[-1]
    assert [c[0] for c in api.calls] == ["create_repo", "create_commit"]
    assert sorted(p for p, _ in operations) == sorted([*REPO_FILES, *(f"pen/{name}" for name in MODEL_FILES)])
    assert all(src == str(with_pen / p) for p, src in operations)
    assert "pen variant" in kwargs["commit_message"]


def test_the_word_models_go_in_the_same_commit_with_their_card_sections(with_pen, tmp_path):
    import shutil

    from model.network.loading import DEFAULT_DIR
    from train.card import render_repo

    repo = tmp_path / "repo"
    shutil.copytree(with_pen, repo)
    for folder in WORD_FOLDERS:
        (repo / folder).mkdir()
        for name in WORD_FILES[:-1]:
            shutil.copyfile(DEFAULT_DIR / folder / name, repo / folder / name)
    with pytest.raises(publish.PublishError, match="words/metrics.json"):
        publish.push(repo, "lab/lenet5", api=FakeHfApi())
    for folder in WORD_FOLDERS:
        shutil.copyfile(DEFAULT_DIR / folder / METRICS_FILE, repo / folder / METRICS_FILE)
    api = FakeHfApi()
    publish.push(repo, "lab/lenet5", api=api, token="hf_x")
    _, _, operations, _ = api.calls[-1]
    assert {f"{folder}/{name}" for folder in WORD_FOLDERS for name in WORD_FILES} <= {p for p, _ in operations}
    card = render_repo(repo, "lab/lenet5")
    for folder, title in zip(WORD_FOLDERS, ("The word model", "The picture word model")):
        recorded = json.loads((repo / folder / METRICS_FILE).read_text())
        assert f"## {title} (`{folder}/`)" in card and f"{recorded['model']['parameters']:,} parameters" in card
    assert " ".join(recorded["data"]["never_read"]) in card


def test_a_variant_alone_is_not_pushed_and_says_why(with_pen, tmp_path, monkeypatch, capsys):
    import shutil

    from train.cli import main

    lonely = tmp_path / "only-pen"
    shutil.copytree(with_pen / "pen", lonely / "pen")
    with pytest.raises(publish.PublishError, match="train the EMNIST model there first"):
        publish.push(lonely, "alice/m", api=FakeHfApi())
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    argv = ["--data", "synthetic", "--variant", "pen", "--push-to-hub", "alice/m", "--output-dir", str(lonely)]
    assert main(argv) == 2 and "train the EMNIST model there first" in capsys.readouterr().err
    (with_pen / "pen" / SERVING_FILE).rename(tmp_path / "moved")
    try:
        with pytest.raises(publish.PublishError, match="pen/lenet5_emnist_balanced.tflite"):
            publish.push(with_pen, "alice/m", api=FakeHfApi())
    finally:
        (tmp_path / "moved").rename(with_pen / "pen" / SERVING_FILE)


def test_the_pen_variant_loads_from_a_folder_and_the_offline_cache(with_pen, offline, tmp_path):
    from model.network.loading import VariantMissing

    files = {name: with_pen / name for name in REPO_FILES}
    files |= {f"pen/{name}": with_pen / "pen" / name for name in MODEL_FILES}
    cache = tmp_path / "cache"
    snapshot = populate(cache, "someone/both", {})
    (snapshot / "pen").mkdir()
    for name, source in files.items():
        (snapshot / name).write_bytes(source.read_bytes())
    glyph = np.zeros((28, 28), np.float32)
    glyph[4:24, 12:16] = 1
    local = Classifier.load(with_pen, variant="pen")
    hub = from_pretrained("someone/both", variant="pen", cache_dir=cache, local_files_only=True)
    assert hub.source == "someone/both (pen)" and local.variant == hub.variant == "pen"
    assert np.allclose(hub.predict_batch(glyph), local.predict_batch(glyph))
    assert hub.fingerprint != from_pretrained("someone/both", cache_dir=cache, local_files_only=True).fingerprint
    populate(tmp_path / "old", "someone/old", {name: with_pen / name for name in REPO_FILES})
    with pytest.raises(VariantMissing, match="holds no .pen. variant"):
        from_pretrained("someone/old", variant="pen", cache_dir=tmp_path / "old", local_files_only=True)
    with pytest.raises(ModelLoadError, match="variant must be one of"):
        Classifier.load(with_pen, variant="fp16")
    with pytest.raises(ModelLoadError, match="is one model file") as refused:
        Classifier.load(with_pen / SERVING_FILE, variant="pen")
    assert refused.value.reason == "A single model file has no variants: give its folder or repo."
