"""Corrections a visitor chose to share: saved locally at once, pushed by huggingface_hub's CommitScheduler to the
owner's dataset, loadable as an image dataset; nothing without consent, nothing lost when the Hub fails."""

from __future__ import annotations

import json
import time
from concurrent.futures import Future

import pytest

from harness import data
from harness.drawings import pad_value
from space import feedback
from space.feedback import FeedbackStore
from space.handlers import Page
from space.ui import build_demo


class FakeHub:
    """The HfApi calls CommitScheduler makes, recorded; ``fail`` makes commits raise as an unreachable Hub does."""

    def __init__(self, fail_commits: bool = False, repo_delay: float = 0.0):
        self.repos, self.commits, self.fail_commits, self.repo_delay = [], [], fail_commits, repo_delay

    def create_repo(self, repo_id, private=None, repo_type=None, exist_ok=False):
        time.sleep(self.repo_delay)
        self.repos.append({"repo_id": repo_id, "repo_type": repo_type, "exist_ok": exist_ok})
        return type("RepoUrl", (), {"repo_id": repo_id})()

    def create_commit(self, repo_id, repo_type, operations, commit_message, revision=None):
        if self.fail_commits:
            raise ConnectionError("the Hub cannot be reached")
        files = {op.path_in_repo: op.path_or_fileobj.read() for op in operations}
        self.commits.append({"repo_id": repo_id, "repo_type": repo_type, "files": files})
        return "commit"

    def run_as_future(self, fn):
        future = Future()
        try:
            future.set_result(fn())
        except Exception as exc:
            future.set_exception(exc)
        return future


def started(store: FeedbackStore, timeout: float = 10) -> FeedbackStore:
    deadline = time.monotonic() + timeout
    while store.scheduler is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return store


@pytest.fixture
def store(tmp_path):
    hub = FakeHub()
    made = started(FeedbackStore("someone/corrections", folder=tmp_path / "feedback", hf_api=hub, every=60))
    yield made, hub
    made.scheduler.stop()


@pytest.fixture(scope="module")
def drawing():
    d = data.pen_drawings(full=False)[0][0]
    return d, pad_value(d["strokes"])


def test_a_shared_correction_lands_in_the_dataset_commit(store, default_classifier, drawing):
    made, hub = store
    d, value = drawing
    page = Page(default_classifier, made)
    shown = page.draw(value)[4]
    result = page.correct(shown, d["label"], "Anything", None, True)
    assert "Shared 1" in result[6]
    assert hub.repos == [{"repo_id": "someone/corrections", "repo_type": "dataset", "exist_ok": True}]
    made.scheduler.push_to_hub()  # (the scheduler also pushed once by itself when it started)
    assert {(c["repo_id"], c["repo_type"]) for c in hub.commits} == {("someone/corrections", "dataset")}
    files = {path: body for c in hub.commits for path, body in c["files"].items()}
    metadata = [path for path in files if path.endswith("metadata.jsonl")]
    assert len(metadata) == 1 and metadata[0].startswith(("data/train/", "data/test/"))
    (line,) = files[metadata[0]].decode().splitlines()
    record = json.loads(line)
    assert record["label"] == d["label"] and len(record["model_top3"]) == 3
    assert record["model"] == default_classifier.fingerprint and record["preprocessing"]
    assert json.loads(record["strokes"])["strokes"] == value["strokes"]
    assert set(record) == {
        "file_name",
        "label",
        "model_top3",
        "model",
        "model_source",
        "preprocessing",
        "time",
        "strokes",
        "input_file",
        "box",
    }  # nothing else about the visitor
    glyph = metadata[0].rsplit("/", 1)[0] + "/" + record["file_name"]
    assert files[glyph].startswith(b"\x89PNG") and "README.md" in files
    commits = len(hub.commits)
    made.scheduler.push_to_hub()
    assert len(hub.commits) == commits  # nothing new: no empty commit


def test_without_consent_nothing_is_written(store, default_classifier, drawing):
    made, hub = store
    d, value = drawing
    page = Page(default_classifier, made)
    shown = page.draw(value)[4]
    page.correct(shown, d["label"], "Anything", None, False)
    page.confirm(shown, "Anything", None, False)
    assert not list(made.folder.rglob("*.png")) and not list(made.folder.rglob("*.jsonl"))


def test_a_failing_hub_loses_nothing(tmp_path, default_classifier, drawing):
    d, value = drawing
    hub = FakeHub(fail_commits=True)
    made = started(FeedbackStore("someone/corrections", folder=tmp_path / "fb", hf_api=hub, every=60))
    page = Page(default_classifier, made)
    shown = page.draw(value)[4]
    for _ in range(3):
        page.correct(shown, d["label"], "Anything", None, True)
    with pytest.raises(ConnectionError):
        made.scheduler.push_to_hub()
    hub.fail_commits = False  # the Hub is back: everything waiting goes in the next commit
    made.scheduler.push_to_hub()
    lines = [
        ln
        for c in hub.commits
        for path, body in c["files"].items()
        if path.endswith(".jsonl")
        for ln in body.splitlines()
    ]
    assert len(lines) == 3
    made.scheduler.stop()


def test_saving_never_waits_for_the_hub(tmp_path, default_classifier, drawing):
    """The scheduler's constructor calls the Hub; a Hub that takes 5 s to answer must not hold up a correction."""
    d, value = drawing
    made = FeedbackStore("someone/corrections", folder=tmp_path / "slow", hf_api=FakeHub(repo_delay=30), every=60)
    page = Page(default_classifier, made)
    shown = page.draw(value)[4]
    start = time.perf_counter()
    page.correct(shown, d["label"], "Anything", None, True)
    assert time.perf_counter() - start < 10 and made.scheduler is None  # never waited for the 30 s Hub
    assert len(list((made.folder / "data").rglob("metadata.jsonl"))) == 1  # saved locally meanwhile


def test_the_folder_is_an_image_dataset_to_train_on(store, default_classifier, drawing):
    from train.image_dataset import load

    made, _ = store
    d, value = drawing
    page = Page(default_classifier, made)
    shown = page.draw(value)[4]
    picture = {"picture": str(data.ROOT / "examples" / "digits" / "7_pen.png")}
    for i in range(300):  # until both splits have rows: one correction in TEST_SHARE goes to test, by its id's hash
        page.correct(shown if i % 2 else picture, d["label"] if i % 2 else "7", "Anything", None, True)
        if i >= 29 and list((made.folder / "data" / "test").rglob("*.png")):
            break
    splits = load(str(made.folder), orientation="glyph")
    assert len(splits.y_train) + len(splits.y_test) == i + 1 and splits.x_train.shape[1:] == (28, 28)
    assert list((made.folder / "inputs").rglob("*.png"))  # the uploads, reduced, beside the dataset


def test_no_dataset_configured_no_box_and_no_store(monkeypatch, served_models):
    monkeypatch.delenv(feedback.ENV_DATASET, raising=False)
    assert FeedbackStore.from_environment() is None
    monkeypatch.setenv(feedback.ENV_DATASET, "not a repo id!")
    assert FeedbackStore.from_environment() is None
    config = build_demo(served_models, "status").get_config_file()
    share = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "share"]
    assert share and share[0]["props"]["visible"] is False
