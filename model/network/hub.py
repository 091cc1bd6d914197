"""Downloads from the Hugging Face Hub that never hang, and one reading of what Hub errors mean.

huggingface_hub's HTTP client has no overall timeout (a server that accepts the connection and never answers
blocks its first metadata request forever), so every call here runs against a deadline. When the deadline
passes or the network fails, the copy already in the HF cache is used, exactly as ``HF_HUB_OFFLINE=1`` would.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

DEFAULT_TIMEOUT_S = 10.0
T = TypeVar("T")


class HubError(RuntimeError):
    """A Hub call failed; ``reason`` is one short sentence for people, the message adds the detail."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class HubTimeout(TimeoutError):
    pass


def with_deadline(call: Callable[[], T], seconds: float, what: str) -> T:
    """Run ``call`` in a daemon thread and give up after ``seconds`` (the thread is abandoned, never joined)."""
    outcome: dict[str, object] = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"hub: {what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise HubTimeout(f"the Hugging Face Hub did not answer within {seconds:g} s ({what})")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def describe(exc: BaseException, repo_id: str, revision: str | None, kind: str) -> HubError:
    """What a Hub failure means to a person, for models and datasets alike."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    name = f"{kind} {repo_id!r}" + (f" (revision {revision})" if revision else "")
    if isinstance(exc, GatedRepoError):
        reason = f"The {kind} {repo_id} is gated: accept its terms on the Hub and log in (`hf auth login`)."
    elif isinstance(exc, (RepositoryNotFoundError, RevisionNotFoundError)):
        reason = f"The {kind} {repo_id} does not exist on the Hub, or is private."
    elif isinstance(exc, (LocalEntryNotFoundError, HubTimeout, OSError)) or _is_connection_error(exc):
        reason = (
            f"Cannot reach the Hugging Face Hub, and the {kind} {repo_id} is not in the local cache yet. "
            "Connect once to download it, or use a local copy."
        )
    elif isinstance(exc, EntryNotFoundError):
        reason = f"The {kind} {repo_id} lacks a file this project needs."
    elif isinstance(exc, HfHubHTTPError):
        reason = f"The Hub refused the {kind} {repo_id}."
    else:
        reason = f"Could not download the {kind} {repo_id}."
    return HubError(f"{reason} ({name}: {type(exc).__name__}: {exc})", reason)


def _is_connection_error(exc: BaseException) -> bool:
    return any(word in type(exc).__name__ for word in ("Connect", "Timeout", "Network", "Proxy"))


def snapshot(
    repo_id: str,
    *,
    repo_type: str = "model",
    revision: str | None = None,
    allow_patterns: list[str] | tuple[str, ...] | None = None,
    cache_dir: str | os.PathLike | None = None,
    token: str | bool | None = None,
    local_files_only: bool = False,
    force_download: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    library_name: str = "emnist-lenet5",
) -> Path:
    """``snapshot_download`` bounded by ``timeout``; falls back to the cached snapshot when the Hub cannot be
    reached. Raises HubError with a readable reason."""
    from huggingface_hub import snapshot_download

    common = dict(
        repo_type=repo_type,
        revision=revision,
        allow_patterns=list(allow_patterns) if allow_patterns else None,
        cache_dir=cache_dir,
        token=token,
        library_name=library_name,
    )
    if not local_files_only:
        try:
            return Path(
                with_deadline(
                    lambda: snapshot_download(
                        repo_id, force_download=force_download, etag_timeout=min(timeout, 5.0), **common
                    ),
                    timeout,
                    f"{repo_type} {repo_id}",
                )
            )
        except Exception as exc:
            error = describe(exc, repo_id, revision, repo_type)
            if force_download and error.reason.startswith("Cannot reach"):
                error = HubError(
                    f"force_download needs the Hub: {error}",
                    f"Cannot reach the Hugging Face Hub to download the {repo_type} {repo_id} again.",
                )
            if not _worth_trying_cache(exc) or force_download:
                raise error from exc
    try:
        return Path(snapshot_download(repo_id, local_files_only=True, **common))
    except Exception as exc:
        raise describe(exc, repo_id, revision, repo_type) from exc


def _worth_trying_cache(exc: BaseException) -> bool:
    """A slow or absent network: try the cache. The Hub saying "no such repo" or "gated": believe it."""
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    return not isinstance(exc, (RepositoryNotFoundError, RevisionNotFoundError, GatedRepoError))


CHECK_TIMEOUT_S = 15


def is_repo_id(value: str) -> bool:
    """``owner/name`` as the Hub spells repo ids (huggingface_hub's own rule), and no local path of that name."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if value.count("/") != 1 or value.startswith((".", "/", "~")) or Path(value).expanduser().exists():
        return False
    try:
        validate_repo_id(value)
    except HFValidationError:
        return False
    return True


def check_write_access(repo_id: str, api=None, token: str | None = None) -> str:
    """Before any long work: the token exists, the Hub answers, and the token may write to ``repo_id``'s namespace.
    Returns the user name; raises HubError with a readable reason (no token, no network, wrong namespace)."""
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import HfHubHTTPError

    if not is_repo_id(repo_id):
        raise HubError(f"{repo_id!r} is not a repo id", f"Give the repo as 'owner/name', not {repo_id!r}.")
    api = api or HfApi()
    token = token or get_token()
    if not token:
        raise HubError(
            "no token", "No Hugging Face token found: run `hf auth login` or set HF_TOKEN (a token with write access)."
        )
    try:
        who = with_deadline(lambda: api.whoami(token=token), CHECK_TIMEOUT_S, "whoami")
    except HfHubHTTPError as exc:
        raise HubError(
            f"The Hub rejected the token: {exc}",
            "The Hub rejected the token: log in again (`hf auth login`) with a token that has write access.",
        ) from exc
    except Exception as exc:  # connection errors come from httpx/OS layers, timeouts from with_deadline
        raise HubError(
            f"Cannot reach the Hugging Face Hub to check the token ({type(exc).__name__}: {exc}).",
            "Cannot reach the Hugging Face Hub to check the token.",
        ) from exc
    owner = repo_id.split("/")[0]
    namespaces = {who.get("name")} | {org.get("name") for org in who.get("orgs", [])}
    if owner not in namespaces:
        reason = (
            f"The token belongs to {who.get('name')!r}, which cannot write to {owner!r} "
            f"(namespaces: {sorted(n for n in namespaces if n)})."
        )
        raise HubError(reason, reason)
    return who["name"]
