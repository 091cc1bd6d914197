"""Agents can use it: the Space's MCP server (launch(mcp_server=True)) through the real ``mcp`` client SDK, and the
bounded fetch of pictures named by URL."""

from __future__ import annotations

import asyncio
import base64
import http.server
import threading
import time
from pathlib import Path

import pytest

from harness.drawings import pad_value, written
from harness.live_server import start_app
from space import remote
from tests.conftest import ARTIFACT_DIR

pytestmark = pytest.mark.app
ROOT = Path(__file__).resolve().parents[1]
TOOLS = {"predict", "read", "predict_strokes", "read_strokes"}


@pytest.fixture(scope="module")
def server():
    ARTIFACT_DIR.mkdir(exist_ok=True)
    with start_app(ARTIFACT_DIR / "app_mcp.log") as app:
        yield app


def data_uri(path: Path | None = None, raw: bytes | None = None, kind: str = "image/png") -> str:
    raw = raw if raw is not None else path.read_bytes()
    return f"data:{kind};base64," + base64.b64encode(raw).decode()


def session_calls(url: str, calls: list[tuple[str, dict]]) -> tuple[list, list]:
    """List the tools and make each call in one MCP session; (tools, [(is_error, text), ...])."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with streamable_http_client(url + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = (await session.list_tools()).tools
                answers = []
                for name, arguments in calls:
                    result = await session.call_tool(name, arguments)
                    answers.append((result.isError, " ".join(c.text for c in result.content if hasattr(c, "text"))))
                return tools, answers

    return asyncio.run(asyncio.wait_for(run(), 120))


def test_tools_are_listed_and_each_answers(server):
    digit = ROOT / "examples" / "digits" / "7_pen.png"
    from harness import data

    stroke = pad_value(data.pen_drawings(full=False)[0][0]["strokes"])
    tools, answers = session_calls(
        server.url,
        [
            ("predict", {"image": data_uri(digit)}),
            ("predict", {"image": data_uri(ROOT / "examples" / "uppercase" / "O_pen.png"), "allowed": "0123456789"}),
            ("read", {"image": data_uri(ROOT / "examples" / "uppercase" / "A_pen.png")}),
            ("predict_strokes", {"strokes": stroke}),
            ("read_strokes", {"strokes": written(["47"])}),
        ],
    )
    assert {t.name for t in tools} == TOOLS  # the page's own events stay private
    described = {t.name: t for t in tools}
    assert "allowed" in described["predict"].inputSchema["properties"]
    for reader in ("read", "read_strokes"):
        properties = described[reader].inputSchema["properties"]
        assert {"words", "dictionary"} <= set(properties) and "candidates" in described[reader].description
    assert "pen-down" in described["predict_strokes"].inputSchema["properties"]["strokes"]["description"]
    assert not any(error for error, _ in answers), answers
    assert "'label': '7'" in answers[0][1] and "'label': '0'" in answers[1][1]
    assert "'text': 'A'" in answers[2][1] and "'text': '47'" in answers[4][1]


def test_bad_tool_calls_are_readable_errors_and_the_server_keeps_serving(server):
    _, answers = session_calls(
        server.url,
        [
            ("predict", {"image": data_uri(raw=b"just some text, not a picture")}),
            ("predict", {"image": "data:image/png;base64,@@@not-base64@@@"}),
            ("predict", {}),
            ("predict", {"image": "http://127.0.0.1:1/x.png"}),
            ("predict", {"image": "ftp://example.com/x.png"}),
            ("predict_strokes", {"strokes": {"width": 0, "height": 1, "strokes": []}}),
            ("predict", {"image": data_uri(ROOT / "examples" / "digits" / "7_pen.png")}),
        ],
    )
    errors = [error for error, _ in answers]
    assert errors == [True] * 6 + [False], answers
    texts = [text for _, text in answers]
    assert "not a picture" in texts[0]
    assert "private or unknown address" in texts[3]
    assert "minimum of 1" in texts[5]  # the published schema is checked first
    assert all("Traceback" not in t for t in texts)


def test_a_60_megabyte_picture_is_refused_before_it_is_read(server):
    """The MCP transport refuses request bodies over 4 MiB (413) before parsing them; the server keeps serving."""
    import httpx

    huge = data_uri(raw=b"\x89PNG\r\n\x1a\n" + b"\x00" * (60 * 2**20))
    with pytest.raises(BaseException) as info:  # the SDK raises the 413 inside an exception group
        session_calls(server.url, [("predict", {"image": huge})])
    assert "413" in repr(info.value) or any("413" in repr(e) for e in getattr(info.value, "exceptions", []))
    _, answers = session_calls(
        server.url, [("predict", {"image": data_uri(ROOT / "examples" / "digits" / "7_pen.png")})]
    )
    assert answers[0][0] is False
    assert httpx.get(server.url, timeout=10).status_code == 200


def test_mcp_schema_is_served(server):
    import httpx

    schema = httpx.get(server.url + "gradio_api/mcp/schema", timeout=30).json()
    assert {tool["name"] for tool in schema} == TOOLS


class _Pictures(http.server.BaseHTTPRequestHandler):
    """A local web server for remote.download: /ok.png, /text, /huge (declared), /endless, /slow, /moved."""

    picture = (ROOT / "examples" / "digits" / "7_pen.png").read_bytes()

    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/ok.png")
            self.end_headers()
            return
        self.send_response(200)
        if self.path == "/huge":
            self.send_header("Content-Length", str(50 * 2**20))
        self.end_headers()
        try:
            if self.path == "/ok.png":
                self.wfile.write(self.picture)
            elif self.path == "/text":
                self.wfile.write(b"<html>not a picture</html>")
            elif self.path in ("/endless", "/huge"):
                for _ in range(2000):
                    self.wfile.write(b"\x00" * 2**16)
            elif self.path == "/slow":
                for _ in range(100):
                    self.wfile.write(b"\x00")
                    self.wfile.flush()
                    time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pictures_url():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pictures)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    "path, message",
    [
        ("/text", "not a picture"),
        ("/huge", "limit"),
        ("/endless", "limit"),
        ("/moved", "redirects"),
        ("/missing", None),
    ],
)
def test_a_url_is_fetched_with_bounds(pictures_url, tmp_path, path, message):
    if path == "/missing":  # a closed port: refused at once
        with pytest.raises(remote.RemoteImageError, match="could not be fetched"):
            asyncio.run(remote.download("http://127.0.0.1:1/x.png", tmp_path, allow_private=True))
        return
    with pytest.raises(remote.RemoteImageError, match=message):
        asyncio.run(remote.download(pictures_url + path, tmp_path, allow_private=True))
    assert not list(tmp_path.rglob("*")), "nothing half-written"


def test_a_slow_url_gives_up_in_time(pictures_url, tmp_path, monkeypatch):
    monkeypatch.setattr(remote, "TIMEOUT_S", 1.0)
    start = time.perf_counter()
    with pytest.raises(remote.RemoteImageError, match="did not arrive"):
        asyncio.run(remote.download(pictures_url + "/slow", tmp_path, allow_private=True))
    assert time.perf_counter() - start < 10  # the server would have taken 20 s


def test_a_picture_url_is_saved(pictures_url, tmp_path):
    path = asyncio.run(remote.download(pictures_url + "/ok.png", tmp_path, allow_private=True))
    assert Path(path).read_bytes() == _Pictures.picture
    with pytest.raises(remote.RemoteImageError, match="private"):
        asyncio.run(remote.download(pictures_url + "/ok.png", tmp_path))  # 127.0.0.1 without the test's leave
