"""Start app.py as a real server on 127.0.0.1 for client and browser tests and benchmarks; record any outbound
connection it attempts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OutboundRecorder:
    """A fake proxy: every process that honours HTTP(S)_PROXY and tries the internet connects here instead."""

    port: int = field(default_factory=free_port)
    attempts: list = field(default_factory=list)

    def __post_init__(self):
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen(16)
        self._server.settimeout(0.2)
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.attempts.append(conn.recv(200).split(b"\r\n")[0].decode(errors="replace"))
            except OSError:
                self.attempts.append("?")
            conn.close()

    def close(self):
        self._stop = True
        self._server.close()


@dataclass
class AppServer:
    """A running app.py; ``with start_app(...) as server:`` stops it (and closes its log) however the block ends."""

    url: str
    process: subprocess.Popen
    startup_seconds: float
    recorder: OutboundRecorder
    log_path: Path
    log: IO[str]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.recorder.close()
        self.log.close()

    def __enter__(self) -> AppServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_app(
    log_path: Path, extra_env: dict | None = None, timeout: float = 90, root: Path = ROOT, module: str | None = None
) -> AppServer:
    """app.py of ``root`` (this checkout unless given) on a free port, its log in ``log_path``; ``module``: that
    module's server instead (``python -m MODULE --port N``), such as ``harness.bare_gradio``."""
    port, recorder = free_port(), OutboundRecorder()
    proxy = f"http://127.0.0.1:{recorder.port}"
    env = {
        **os.environ,
        "HTTP_PROXY": proxy,
        "HTTPS_PROXY": proxy,
        "http_proxy": proxy,
        "https_proxy": proxy,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    env.pop("HF_HUB_OFFLINE", None)
    log = open(log_path, "w")  # noqa: SIM115  (AppServer closes it, however the server ends)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *(["-m", module] if module else [str(Path(root) / "app.py")]), "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            recorder.close()
            log.close()
            raise RuntimeError(
                f"{module or 'app.py'} exited with {process.returncode}:\n{log_path.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return AppServer(url, process, time.perf_counter() - start, recorder, log_path, log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    recorder.close()
    log.close()
    raise RuntimeError(f"{module or 'app.py'} did not answer within {timeout} s:\n{log_path.read_text()[-3000:]}")
