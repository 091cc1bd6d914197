"""A stand-in for ZeroGPU hardware, so the ``spaces`` package's real start-up path runs offline: the environment a
ZeroGPU Space gets (``SPACES_ZERO_GPU``), and a local device API that records the start-up report."""

from __future__ import annotations

import http.server
import threading


class FakeDeviceAPI:
    """``with FakeDeviceAPI() as device: start_app(..., extra_env=device.env)``; ``device.requests`` lists what
    ``spaces`` asked (a POST /startup-report when a @spaces.GPU function was registered)."""

    def __init__(self):
        self.requests: list[str] = []
        recorded = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                recorded.append(f"POST {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.env = {"SPACES_ZERO_GPU": "true", "SPACES_ZERO_DEVICE_API_URL": self.url}

    def __enter__(self) -> FakeDeviceAPI:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
