"""ZeroGPU hardware (what free Hub accounts can host): start-up passes with one no-op @spaces.GPU function, requests
never ask for a GPU; off ZeroGPU nothing changes and ``spaces`` is not imported."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from harness.live_server import start_app
from harness.zerogpu import FakeDeviceAPI
from tests.conftest import ARTIFACT_DIR

ROOT = Path(__file__).resolve().parents[1]
CHECK = """
import sys
from space import zerogpu
print("ZEROGPU", zerogpu.on_zerogpu(), zerogpu.register())
if "spaces.zero.decorator" in sys.modules:
    from spaces.zero.decorator import decorated_cache
    print("DECORATED", sorted({getattr(f, "__name__", "?") for f in decorated_cache}))
print("SPACES_IMPORTED", "spaces" in sys.modules)
"""


def run_check(env: dict) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPACES_", "ZERO"))}
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    ).stdout


def test_off_zerogpu_nothing_changes():
    out = run_check({})
    assert "ZEROGPU False False" in out and "SPACES_IMPORTED False" in out


def test_on_zerogpu_one_gpu_function_is_registered():
    with FakeDeviceAPI() as device:
        out = run_check(device.env)
    assert "ZEROGPU True True" in out and "DECORATED ['zerogpu_start_up_check']" in out


@pytest.mark.app
def test_the_app_starts_on_zerogpu_and_requests_stay_on_the_cpu():
    """app.py under the ZeroGPU environment: spaces reports the GPU function at launch (a Space without one fails
    there), and /predict answers without asking the device API for a GPU."""
    ARTIFACT_DIR.mkdir(exist_ok=True)
    example = ROOT / "examples" / "digits" / "7_pen.png"
    with FakeDeviceAPI() as device, start_app(ARTIFACT_DIR / "app_zerogpu.log", extra_env=device.env) as server:
        assert device.requests == ["POST /startup-report"]
        with httpx.Client(base_url=server.url + "gradio_api", timeout=30) as http:
            for _ in range(5):
                with open(example, "rb") as handle:
                    path = http.post("/upload", files={"files": handle}).json()[0]
                answer = http.post(
                    "/run/predict", json={"data": [{"path": path, "meta": {"_type": "gradio.FileData"}}, ""]}
                )
                assert answer.json()["data"][0]["label"] == "7"
        time.sleep(0.2)
        assert device.requests == ["POST /startup-report"]  # no GPU was scheduled for any request
