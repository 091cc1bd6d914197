"""Pictures named by URL (MCP tools and API clients send them): fetched with bounds, or refused with a reason.

Gradio would download a URL input whole, with no size limit and only a per-read timeout; the API's image input
(``space.ui.ApiImage``) fetches through ``download`` instead: http(s) only, the host checked against private and
local addresses by ``safehttpx`` (as Gradio does), no redirects, at most MAX_BYTES in at most TIMEOUT_S in all, and
the bytes must be a picture. ``data:`` URIs are Gradio's to decode; the handlers then cap their size like uploads.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from urllib.parse import urlparse

import anyio
import httpx

from model.atomic import write_bytes
from model.ink.preprocess import MAX_FILE_BYTES as MAX_BYTES

TIMEOUT_S = 10.0


class RemoteImageError(ValueError):
    """A URL that did not give a picture; the message says why, for the person or agent that sent it."""


async def download(url: str, cache_dir: str | Path, allow_private: bool = False) -> str:
    """The picture at ``url`` saved under ``cache_dir``; its path. ``allow_private`` (tests): skip the host check."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise RemoteImageError("Give the picture as an http(s) URL or a data: URI.")
    transport = None
    if not allow_private:
        import safehttpx

        try:
            transport = safehttpx.AsyncSecureTransport(await safehttpx.async_validate_url(parsed.hostname))
        except ValueError:
            raise RemoteImageError(f"{parsed.hostname} is a private or unknown address; give a public URL.") from None
    try:
        with anyio.fail_after(TIMEOUT_S):
            data = await _get(url, transport)
    except TimeoutError:
        raise RemoteImageError(f"The picture at that URL did not arrive within {TIMEOUT_S:g} s.") from None
    except httpx.HTTPError as exc:
        raise RemoteImageError(f"The picture could not be fetched ({type(exc).__name__}).") from None
    _check_picture(data)
    name = Path(parsed.path).name or "picture"
    path = Path(cache_dir) / hashlib.sha256(url.encode()).hexdigest()[:32] / name
    write_bytes(path, data)
    return str(path)


async def _get(url: str, transport) -> bytes:
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(TIMEOUT_S)) as client:
        async with client.stream("GET", url, follow_redirects=False) as response:
            if response.is_redirect:
                raise RemoteImageError("That URL redirects elsewhere; give the picture's own address.")
            if response.status_code != 200:
                raise RemoteImageError(f"That URL answered {response.status_code}, not a picture.")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise RemoteImageError(
                    f"The picture is {int(declared) / 1e6:.0f} MB; the limit is {MAX_BYTES // 2**20} MB."
                )
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise RemoteImageError(f"The picture is larger than {MAX_BYTES // 2**20} MB, the limit.")
                chunks.append(chunk)
    return b"".join(chunks)


def _check_picture(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise RemoteImageError("The file at that URL is not a picture we can read.") from None
