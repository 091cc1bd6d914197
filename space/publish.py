"""python -m space.publish OWNER/NAME: host this Space on your own Hub account, in one commit.

Which hardware a Space may run on depends on the account (Hub rules since July 2026):

- ZeroGPU (``zero-a10g``, the default): free personal accounts can host up to 2 such Spaces, PRO accounts 10,
  paid organisations 50. This Space needs no GPU; on ZeroGPU it registers one no-op GPU function so start-up passes
  and answers on the CPU (``space/zerogpu.py``).
- CPU basic (``cpu-basic``): Gradio and Docker Spaces on CPU hardware need a PRO account or a paid (Team or
  Enterprise) organisation; a free account gets "402 Payment Required".
- Or duplicate a running copy from its page ("Duplicate this Space"), choosing the hardware there.

The command checks the token and the network first, creates the Space (SDK gradio, the chosen hardware), sets
``EMNIST_MODEL`` when ``--model`` names a model repo (and lists it in the Space card's ``models``), and uploads
exactly what the Space runs: app.py, requirements.txt, README.md, model/, space/ and examples/ (no tests,
benchmarks, training code, virtual environments or caches). ``--dry-run`` lists that without touching the network.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import HfHubHTTPError

from model.network.hub import HubError, HubTimeout, check_write_access, with_deadline

ROOT = Path(__file__).resolve().parents[1]
#: What the Space runs, relative to the project root; everything else stays out.
INCLUDE = ("app.py", "requirements.txt", "README.md", "docs/word-pad.png", "model", "space", "examples")
EXCLUDE = ("**/__pycache__/**", "*.pyc", "space/*.pyi", "**/.*", ".*")
HARDWARE = {
    "zero-a10g": "ZeroGPU: free accounts up to 2 Spaces, PRO 10, paid organisations 50",
    "cpu-basic": "CPU basic: needs a PRO account or a paid organisation (402 for free accounts)",
}
CALL_TIMEOUT_S = 30
UPLOAD_TIMEOUT_S = 600
ENV_MODEL = "EMNIST_MODEL"


class PublishError(RuntimeError):
    """Publishing failed; the message says why and what to do."""


@dataclass
class Plan:
    repo_id: str
    hardware: str
    files: dict[str, Path | bytes]  # path in the Space -> local file, or bytes (the card)

    @property
    def size(self) -> int:
        return sum(len(v) if isinstance(v, bytes) else v.stat().st_size for v in self.files.values())


def space_files(root: Path = ROOT) -> list[str]:
    """The files the Space needs, as paths relative to ``root`` (sorted)."""
    from huggingface_hub.utils import filter_repo_objects

    found = []
    for entry in INCLUDE:
        path = root / entry
        found += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    relative = sorted(p.relative_to(root).as_posix() for p in found)
    return list(filter_repo_objects(relative, ignore_patterns=list(EXCLUDE)))


def space_card(model: str | None, root: Path = ROOT) -> bytes:
    """README.md as uploaded: the Space's card, with ``models:`` naming the served model repo when there is one."""
    from huggingface_hub import SpaceCard

    card = SpaceCard.load(root / "README.md")
    if model:
        card.data.models = [model]
    return str(card).encode("utf-8")


def plan(repo_id: str, hardware: str = "zero-a10g", model: str | None = None, root: Path = ROOT) -> Plan:
    if hardware not in HARDWARE:
        raise PublishError(f"Unknown hardware {hardware!r}: choose {' or '.join(HARDWARE)}.")
    files: dict[str, Path | bytes] = {name: root / name for name in space_files(root)}
    files["README.md"] = space_card(model, root)
    return Plan(repo_id, hardware, files)


def explain(exc: HfHubHTTPError, repo_id: str, hardware: str) -> str:
    """What a Hub refusal means for the person publishing, and what to do."""
    status = exc.response.status_code if exc.response is not None else None
    if status == 402:
        return (
            f"The Hub asks for a paid plan to host {repo_id} on {hardware} (402 Payment Required). Free accounts "
            "can host up to 2 ZeroGPU Spaces: run again with --hardware zero-a10g (the default), upgrade to PRO, "
            "or publish under a paid organisation."
        )
    if status == 403:
        return (
            f"The token may not create or write {repo_id} (403 Forbidden): use a token with write access to that "
            "namespace, or publish under your own name."
        )
    if status == 409:
        return (
            f"{repo_id} already exists as something else, or the name is taken (409 Conflict): choose another "
            "name, or delete the old repo first."
        )
    if status == 404:
        return (
            f"The Hub does not know {repo_id}'s owner (404 Not Found): check the spelling of the user or organisation."
        )
    return f"The Hub refused the request for {repo_id} ({status}): {exc}"


def publish(
    repo_id: str,
    hardware: str = "zero-a10g",
    private: bool = False,
    model: str | None = None,
    api: HfApi | None = None,
    token: str | None = None,
    root: Path = ROOT,
) -> str:
    """Create (or update) the Space and upload it in one commit; returns its URL."""
    api = api or HfApi()
    job = plan(repo_id, hardware, model, root)
    try:
        check_write_access(repo_id, api, token)
    except HubError as exc:
        raise PublishError(exc.reason) from exc
    variables = [{"key": ENV_MODEL, "value": model}] if model else None

    def call(what, fn, seconds=CALL_TIMEOUT_S):
        try:
            return with_deadline(fn, seconds, what)
        except HfHubHTTPError as exc:
            raise PublishError(explain(exc, repo_id, hardware)) from exc
        except HubTimeout as exc:
            raise PublishError(f"The Hub did not answer in time ({what}); nothing more was sent.") from exc

    existed = call("repo_exists", lambda: api.repo_exists(repo_id, repo_type="space", token=token))
    call(
        "create_repo",
        lambda: api.create_repo(
            repo_id,
            repo_type="space",
            space_sdk="gradio",
            space_hardware=hardware,
            private=private,
            exist_ok=True,
            space_variables=variables,
            token=token,
        ),
    )
    if existed and model:
        call("add_space_variable", lambda: api.add_space_variable(repo_id, ENV_MODEL, model, token=token))
    operations = [
        CommitOperationAdd(path_in_repo=name, path_or_fileobj=value if isinstance(value, bytes) else str(value))
        for name, value in job.files.items()
    ]
    call(
        "create_commit",
        lambda: api.create_commit(
            repo_id,
            operations,
            repo_type="space",
            token=token,
            commit_message="Publish LeNet-5 reads your handwriting",
            commit_description=f"{len(operations)} files, {job.size:,} bytes",
        ),
        UPLOAD_TIMEOUT_S,
    )
    return f"https://huggingface.co/spaces/{repo_id}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m space.publish",
        description=__doc__.split("\n\n")[0],
        epilog="Hardware: "
        + "; ".join(f"{k}: {v}" for k, v in HARDWARE.items())
        + ". Or duplicate a running copy of the Space from its page.",
    )
    parser.add_argument("repo_id", metavar="OWNER/NAME", help="the Space to create or update")
    parser.add_argument("--hardware", choices=list(HARDWARE), default="zero-a10g", help="default: zero-a10g")
    parser.add_argument("--private", action="store_true", help="create the Space as private")
    parser.add_argument(
        "--model",
        metavar="OWNER/MODEL",
        default=None,
        help="serve this model repo (made by python -m train --push-to-hub) instead of the bundled one",
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be uploaded; no network")
    args = parser.parse_args(argv)
    try:
        if args.dry_run:
            job = plan(args.repo_id, args.hardware, args.model)
            for name in job.files:
                print(name)
            print(
                f"{len(job.files)} files, {job.size / 1e6:.1f} MB would go to spaces/{args.repo_id} "
                f"({args.hardware}{', EMNIST_MODEL=' + args.model if args.model else ''})"
            )
            return 0
        url = publish(args.repo_id, args.hardware, args.private, args.model)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"published: {url} (it builds in a few minutes; its page shows progress)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
