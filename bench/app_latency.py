"""The Space as its users feel it: start-up against `import gradio` alone, /predict round trips through
gradio_client, plain HTTP and the MCP server, the server's memory after every request, and the same plain-HTTP
request on (simulated) ZeroGPU hardware, where the app registers a GPU function it never calls.

Its own overhead: ``/predict_strokes`` over plain HTTP against a bare Gradio app with one endpoint of the same
inputs (``harness.bare_gradio``), served and called the same way in the same run, plus the handler's time in
process. Target: the Space's median at most 1.5x (bare Gradio + in process)."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from harness.live_server import start_app

from .common import table

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "uppercase" / "A_pen.png"
#: A one-stroke 7 on the 400x400 pad: what /predict_strokes is timed with.
SEVEN = {"width": 400, "height": 400, "brush": 18, "strokes": [[[100, 100], [300, 100], [180, 340]]]}
OVERHEAD_TARGET = 1.5  # the Space's /predict_strokes median over (bare Gradio + the handler in process)


def _stats(seconds: list[float]) -> dict:
    ms = np.asarray(seconds) * 1e3
    return {
        "median_ms": round(float(np.median(ms)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "calls": len(ms),
    }


def _raw_http(url: str, calls: int) -> list[float]:
    """The same request without gradio_client: upload, then POST /gradio_api/run/predict (what curl would do).

    gradio_client polls its event stream every 50 ms, which sets the floor of its round trip; this shows
    what the server itself costs."""
    import httpx

    times = []
    with httpx.Client(base_url=url.rstrip("/") + "/gradio_api", timeout=10) as http:
        for _ in range(calls):
            t = time.perf_counter()
            with open(EXAMPLE, "rb") as handle:
                path = http.post("/upload", files={"files": handle}).json()[0]
            response = http.post(
                "/run/predict", json={"data": [{"path": path, "meta": {"_type": "gradio.FileData"}}, ""]}
            )
            assert response.json()["data"][0]["label"]
            times.append(time.perf_counter() - t)
    return times


def _raw_strokes(url: str, calls: int) -> list[float]:
    """POST /gradio_api/run/predict_strokes with SEVEN, no session (what curl would do); the first 10 are warm-up."""
    import httpx

    times = []
    with httpx.Client(base_url=url.rstrip("/") + "/gradio_api", timeout=10) as http:
        for _ in range(calls + 10):
            t = time.perf_counter()
            response = http.post("/run/predict_strokes", json={"data": [SEVEN, "", "auto"]})
            assert response.status_code == 200 and response.json()["data"][0]["label"], response.text
            times.append(time.perf_counter() - t)
    return times[10:]


def _in_process(calls: int) -> list[float]:
    """The Space's handler for the same request, called directly (what no server can make faster)."""
    from model.served import ServedModels
    from space.api import Api

    api = Api(ServedModels.load())
    times = []
    for _ in range(calls + 10):
        t = time.perf_counter()
        api.predict_strokes(SEVEN, "")
        times.append(time.perf_counter() - t)
    return times[10:]


LOAD_MODELS = """
import json, time
t = time.perf_counter()
from model.classifier import Classifier
for variant in {variants!r}:
    Classifier.load(variant=variant)
print(json.dumps({{"seconds": time.perf_counter() - t, "rss_kb": int(next(line.split()[1] for line in
      open("/proc/self/status") if line.startswith("VmRSS:")))}}))
"""
SECOND_MODEL_TARGETS = {"start_up_ms": 50, "rss_mb": 20}


def second_model(runs: int = 5) -> dict:
    """What serving the pen-tuned model beside the EMNIST one costs: fresh processes that load the EMNIST model
    alone, and both (the package's imports counted in each), compared by their medians."""
    import json
    import subprocess
    import sys

    def once(variants: list[str]) -> dict:
        code = LOAD_MODELS.format(variants=variants)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
        return json.loads(out.stdout.strip().splitlines()[-1])

    one = [once(["emnist"]) for _ in range(runs)]
    two = [once(["emnist", "pen"]) for _ in range(runs)]
    median = lambda rows, key: float(np.median([r[key] for r in rows]))  # noqa: E731
    return {
        "start_up_ms": round(1e3 * (median(two, "seconds") - median(one, "seconds")), 1),
        "rss_mb": round((median(two, "rss_kb") - median(one, "rss_kb")) / 1024, 1),
        "runs": runs,
        "targets": SECOND_MODEL_TARGETS,
    }


def overhead(calls: int) -> dict:
    """/predict_strokes on the Space against a bare Gradio app, alternating rounds so both see the same machine."""
    with tempfile.TemporaryDirectory() as tmp:
        with (
            start_app(Path(tmp) / "app.log") as app,
            start_app(Path(tmp) / "bare.log", module="harness.bare_gradio") as bare,
        ):
            ours, floor = [], []
            for _ in range(4):
                ours += _raw_strokes(app.url, calls // 4)
                floor += _raw_strokes(bare.url, calls // 4)
    in_process = _in_process(calls)
    result = {"space": _stats(ours), "bare_gradio": _stats(floor), "in_process": _stats(in_process)}
    bound = result["bare_gradio"]["median_ms"] + result["in_process"]["median_ms"]
    result["ratio"] = round(result["space"]["median_ms"] / bound, 2)
    result["target_ratio"] = OVERHEAD_TARGET
    return result


def _mcp(url: str, calls: int) -> list[float]:
    """The same picture through the MCP server's predict tool (a data: URI), in one session."""
    import asyncio
    import base64

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    image = "data:image/png;base64," + base64.b64encode(EXAMPLE.read_bytes()).decode()

    async def run():
        times = []
        async with streamable_http_client(url + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                for _ in range(calls):
                    t = time.perf_counter()
                    result = await session.call_tool("predict", {"image": image})
                    assert not result.isError
                    times.append(time.perf_counter() - t)
        return times

    return asyncio.run(run())


def _zerogpu(calls: int) -> list[float]:
    from harness.zerogpu import FakeDeviceAPI

    with tempfile.TemporaryDirectory() as tmp, FakeDeviceAPI() as device:
        with start_app(Path(tmp) / "app.log", extra_env=device.env) as server:
            times = _raw_http(server.url, calls)
            assert device.requests == ["POST /startup-report"], device.requests  # no GPU asked for by any request
    return times


def import_gradio_seconds() -> float:
    """How long `import gradio` alone takes in a fresh process: the floor for any Gradio app's start-up."""
    import subprocess
    import sys

    code = "import time; t = time.perf_counter(); import gradio; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return round(float(out.stdout.strip().splitlines()[-1]), 2)


def _process_facts(pid: int) -> dict:
    """Resident memory and whether TensorFlow's library is mapped into the server process (Linux /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {
        "rss_mb": round(rss_kb / 1024, 1),
        "tensorflow_loaded": "libtensorflow" in maps or "_pywrap_tensorflow" in maps,
    }


def run(quick: bool = False, calls: int | None = None, clients: int = 8) -> dict:
    from gradio_client import Client, handle_file

    calls = calls or (10 if quick else 200)
    gradio_import = import_gradio_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with start_app(Path(tmp) / "app.log") as server:
            client = Client(server.url, verbose=False)
            first = client.predict(handle_file(str(EXAMPLE)), api_name="/predict")
            cold = time.perf_counter() - started

            def call(c=client):
                t = time.perf_counter()
                c.predict(handle_file(str(EXAMPLE)), api_name="/predict")
                return time.perf_counter() - t

            sequential = [call() for _ in range(calls)]
            pool_clients = [Client(server.url, verbose=False) for _ in range(clients)]
            per_client = max(1, calls // clients)
            wall = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                concurrent = [
                    t for ts in pool.map(lambda c: [call(c) for _ in range(per_client)], pool_clients) for t in ts
                ]
            wall = time.perf_counter() - wall
            raw = _raw_http(server.url, calls)
            mcp = _mcp(server.url, calls)
            served = 1 + len(sequential) + len(concurrent) + len(raw) + len(mcp)
            extra = max(0, (100 if quick else 1000) - served)  # memory is read after at least 1,000 requests
            _raw_http(server.url, extra)
            served += extra
            facts = _process_facts(server.process.pid)
            outbound = list(server.recorder.attempts)
    return {
        "import_gradio_alone_s": gradio_import,
        "requests_served": served,
        **facts,
        "cold_start_to_first_answer_s": round(cold, 2),
        "server_ready_s": round(server.startup_seconds, 2),
        "first_label": first["label"],
        "sequential": _stats(sequential),
        "concurrent": {**_stats(concurrent), "clients": clients, "requests_per_s": round(len(concurrent) / wall, 1)},
        "raw_http": _stats(raw),
        "mcp": _stats(mcp),
        "zerogpu_raw_http": _stats(_zerogpu(calls)),
        "strokes_overhead": overhead(calls),
        "second_model": second_model(2 if quick else 7),
        "outbound_connections_at_start": outbound,
    }


def report(result: dict) -> str:
    s, c = result["sequential"], result["concurrent"]
    r = result["raw_http"]
    rows = [
        ["gradio_client, sequential", s["calls"], s["median_ms"], s["p95_ms"], "–"],
        [
            f"gradio_client, {c['clients']} concurrent clients",
            c["calls"],
            c["median_ms"],
            c["p95_ms"],
            c["requests_per_s"],
        ],
        ["plain HTTP (upload + /gradio_api/run/predict), sequential", r["calls"], r["median_ms"], r["p95_ms"], "–"],
    ]
    for name, key in [
        ("MCP tool `predict` (the picture as a data: URI), one session", "mcp"),
        ("plain HTTP on ZeroGPU hardware (simulated: its start-up, no GPU per request)", "zerogpu_raw_http"),
    ]:
        if key in result:
            m = result[key]
            rows.append([name, m["calls"], m["median_ms"], m["p95_ms"], "–"])
    text = ""
    if "strokes_overhead" in result:
        o = result["strokes_overhead"]
        text = (
            "\n\n"
            + table(
                [
                    ["this Space: plain HTTP `/gradio_api/run/predict_strokes`, a one-stroke 7", *_cells(o["space"])],
                    [
                        "bare Gradio, one endpoint of the same inputs (`harness.bare_gradio`), same calls",
                        *_cells(o["bare_gradio"]),
                    ],
                    ["the Space's handler in process (`Api.predict_strokes`)", *_cells(o["in_process"])],
                ],
                ["the Space's own overhead", "calls", "median ms", "p95 ms"],
            )
            + (
                f"\n\nThe Space's median is {o['ratio']}x (bare Gradio + in process); target at most "
                f"{o['target_ratio']}x: {'met' if o['ratio'] <= o['target_ratio'] else 'NOT met'}."
            )
        )
    if "second_model" in result:
        m = result["second_model"]
        met = m["start_up_ms"] <= m["targets"]["start_up_ms"] and m["rss_mb"] <= m["targets"]["rss_mb"]
        text += (
            f"\n\nServing the pen-tuned model beside the EMNIST one (each loaded in fresh processes, median of "
            f"{m['runs']}): {m['start_up_ms']} ms more start-up and {m['rss_mb']} MB more resident memory; targets "
            f"{m['targets']['start_up_ms']} ms and {m['targets']['rss_mb']} MB: {'met' if met else 'NOT met'}."
        )
    return (
        f"Start-up: the page is served {result['server_ready_s']} s after the process starts, where `import gradio` "
        f"alone takes {result['import_gradio_alone_s']} s; first answer after {result['cold_start_to_first_answer_s']} s. "
        f"TensorFlow loaded in the server: {'yes' if result['tensorflow_loaded'] else 'no'}. Server memory after "
        f"{result['requests_served']:,} requests: {result['rss_mb']:.0f} MB. Outbound connections at start: "
        f"{len(result['outbound_connections_at_start'])}.\n\n"
        + table(rows, ["/predict round trip", "calls", "median ms", "p95 ms", "requests/s"])
        + text
    )


def _cells(stats: dict) -> list:
    return [stats["calls"], stats["median_ms"], stats["p95_ms"]]
