"""Timing, machine description and result files shared by the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.system(),
    }


def timed(fn: Callable[[], object], repeat: int, warmup: int = 3) -> dict:
    """Median and 95th percentile wall time of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    ms = np.asarray(samples) * 1e3
    return {
        "median_ms": round(float(np.median(ms)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "runs": repeat,
    }


def save(name: str, result: dict, out_dir: Path = RESULTS_DIR, command: str | None = None) -> Path:
    from model.atomic import write_text

    result = {"benchmark": name, "command": command, "machine": machine(), "created_unix": int(time.time()), **result}
    path = Path(out_dir) / f"{name}.json"
    write_text(path, json.dumps(result, indent=2) + "\n")
    return path


def table(rows: list[list], header: list[str]) -> str:
    """A Markdown table (also readable in a terminal)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
