"""python -m space.publish against a fake Hub API boundary: every call and every file checked, every refusal explained;
and the files it would upload are enough to run the Space."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from huggingface_hub import SpaceCard
from huggingface_hub.errors import HfHubHTTPError

from space import publish

ROOT = Path(__file__).resolve().parents[1]


class FakeHub:
    def __init__(self, exists: bool = False, fail: dict[str, int] | None = None, offline: bool = False):
        self.calls, self.exists, self.fail, self.offline = [], exists, fail or {}, offline

    def _maybe_fail(self, name):
        if name in self.fail:
            request = httpx.Request("POST", f"https://huggingface.co/api/{name}")
            raise HfHubHTTPError(
                f"{self.fail[name]} refused", response=httpx.Response(self.fail[name], request=request)
            )

    def whoami(self, token=None):
        if self.offline:
            raise httpx.ConnectError("no route to huggingface.co")
        self.calls.append(("whoami", token))
        return {"name": "alice", "orgs": [{"name": "lab"}]}

    def repo_exists(self, repo_id, repo_type=None, token=None):
        self.calls.append(("repo_exists", repo_id, repo_type))
        return self.exists

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", repo_id, kwargs))
        self._maybe_fail("create_repo")

    def add_space_variable(self, repo_id, key, value, token=None):
        self.calls.append(("add_space_variable", repo_id, key, value))

    def create_commit(self, repo_id, operations, **kwargs):
        self._maybe_fail("create_commit")
        files = {op.path_in_repo: op.path_or_fileobj for op in operations}
        self.calls.append(("create_commit", repo_id, kwargs["repo_type"], files))
        return "commit"


def test_the_upload_is_exactly_what_the_space_runs():
    files = publish.space_files()
    assert {
        "app.py",
        "requirements.txt",
        "README.md",
        "model/default/lenet5_emnist_balanced.tflite",
        "space/ui.py",
        "space/pad.py",
        "examples/digits/7_pen.png",
    } <= set(files)
    roots = {name.split("/")[0] for name in files}
    assert roots == {"app.py", "requirements.txt", "README.md", "docs", "model", "space", "examples"}
    assert [f for f in files if f.startswith("docs/")] == ["docs/word-pad.png"]  # the card's picture only
    assert not [f for f in files if "__pycache__" in f or f.endswith((".pyc", ".pyi")) or "/." in f]


def test_junk_beside_the_sources_stays_out(tmp_path):
    for name in [
        "app.py",
        "README.md",
        "requirements.txt",
        "model/a.py",
        "model/__pycache__/a.cpython-311.pyc",
        "space/ui.py",
        "space/ui.pyi",
        "space/.DS_Store",
        "tests/test_a.py",
        ".venv/lib/x.py",
        "bench/results/x.json",
        "artifacts/m.keras",
        "feedback/data/x.png",
        "examples/digits/1.png",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    assert publish.space_files(tmp_path) == [
        "README.md",
        "app.py",
        "examples/digits/1.png",
        "model/a.py",
        "requirements.txt",
        "space/ui.py",
    ]


@pytest.mark.app
def test_the_listed_files_are_enough_to_run_the_space(tmp_path):
    """Copied alone into a new folder, the upload starts and answers /predict."""
    from gradio_client import Client, handle_file

    from harness.live_server import start_app

    for name in publish.space_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    with start_app(tmp_path / "app.log", root=tmp_path) as server:
        result = Client(server.url, verbose=False).predict(
            handle_file(str(ROOT / "examples" / "digits" / "7_pen.png")), api_name="/predict"
        )
    assert result["label"] == "7"


def test_publish_creates_a_zerogpu_space_and_uploads_in_one_commit():
    hub = FakeHub()
    url = publish.publish("alice/handwriting", model="alice/lenet5", api=hub, token="hf_x")
    assert url == "https://huggingface.co/spaces/alice/handwriting"
    names = [c[0] for c in hub.calls]
    assert names == ["whoami", "repo_exists", "create_repo", "create_commit"]  # token first, one commit
    _, repo_id, options = hub.calls[2]
    assert repo_id == "alice/handwriting" and options["repo_type"] == "space" and options["space_sdk"] == "gradio"
    assert options["space_hardware"] == "zero-a10g" and options["private"] is False and options["exist_ok"] is True
    assert options["space_variables"] == [{"key": "EMNIST_MODEL", "value": "alice/lenet5"}]
    _, _, repo_type, files = hub.calls[3]
    assert repo_type == "space" and set(files) == set(publish.space_files())
    card = SpaceCard(files["README.md"].decode())
    assert card.data.models == ["alice/lenet5"] and card.data.sdk == "gradio"


def test_an_existing_space_gets_the_model_variable_and_cpu_hardware_on_request():
    hub = FakeHub(exists=True)
    publish.publish("lab/handwriting", hardware="cpu-basic", private=True, model="lab/m", api=hub, token="hf_x")
    assert ("add_space_variable", "lab/handwriting", "EMNIST_MODEL", "lab/m") in hub.calls
    options = next(c[2] for c in hub.calls if c[0] == "create_repo")
    assert options["space_hardware"] == "cpu-basic" and options["private"] is True


@pytest.mark.parametrize(
    "status, words",
    [
        (402, ["ZeroGPU", "PRO", "--hardware zero-a10g"]),
        (403, ["write access"]),
        (409, ["already exists", "another name"]),
        (404, ["spelling"]),
    ],
)
def test_hub_refusals_say_why_and_what_to_do(status, words):
    hub = FakeHub(fail={"create_repo": status})
    with pytest.raises(publish.PublishError) as info:
        publish.publish("alice/handwriting", hardware="cpu-basic", api=hub, token="hf_x")
    assert all(w in str(info.value) for w in words), str(info.value)
    assert not [c for c in hub.calls if c[0] == "create_commit"]  # nothing uploaded


def test_no_token_no_network_and_wrong_names_fail_before_anything_is_sent(monkeypatch):
    monkeypatch.setattr("huggingface_hub.get_token", lambda: None)
    for repo_id, hub, message in [
        ("alice/space", FakeHub(), "No Hugging Face token"),
        ("bob/space", FakeHub(), "cannot write to 'bob'"),
        ("not a repo", FakeHub(), "owner/name"),
    ]:
        with pytest.raises(publish.PublishError, match=message):
            publish.publish(repo_id, api=hub, token=None if "token" in message else "hf_x")
        assert not [c for c in hub.calls if c[0] in ("create_repo", "create_commit")]
    offline = FakeHub(offline=True)
    with pytest.raises(publish.PublishError, match="Cannot reach"):
        publish.publish("alice/space", api=offline, token="hf_x")
    with pytest.raises(publish.PublishError, match="Unknown hardware"):
        publish.publish("alice/space", hardware="t4-small", api=FakeHub(), token="hf_x")


def test_dry_run_lists_the_files_and_touches_no_network(capsys):
    assert publish.main(["alice/handwriting", "--dry-run", "--model", "alice/m"]) == 0
    out = capsys.readouterr().out
    assert "app.py" in out and "tests/" not in out and "EMNIST_MODEL=alice/m" in out
    assert f"{len(publish.space_files())} files" in out
