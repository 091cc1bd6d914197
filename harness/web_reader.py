"""The page's own reader (space/web/reader.js) run in headless Chromium on drawings, for parity tests and benchmarks:
the project folder served on 127.0.0.1, the module imported as the page imports it."""

from __future__ import annotations

import functools
import http.server
import socketserver
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READER = "/space/web/reader.js"

ANSWER_JS = """async ([reader, weights, values, options]) => {
  const r = await import(reader);
  const model = await r.loadModel(weights);
  const answers = [];
  const started = performance.now();
  for (const value of values) {
    const answer = r.predictStrokes(model, value, options);
    answers.push({probabilities: answer.probabilities, glyph: Array.from(answer.glyph)});
  }
  return {answers, ms: (performance.now() - started) / Math.max(1, values.length)};
}"""

PARSE_JS = """async ([reader, weights]) => {
  const r = await import(reader);
  try { await r.loadModel(weights); return null; } catch (err) { return String(err.message || err); }
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def served(root: Path = ROOT):
    """An HTTP server on 127.0.0.1 for ``root``'s files; yields its URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


def answers(page, url: str, weights: str, values: list[dict], allowed: str | None = None, memory=None) -> dict:
    """{answers: [{probabilities, glyph}], ms: per drawing} from the page's reader; ``weights`` is a path under
    the served root ("/model/default/pen/...")."""
    page.goto(f"{url}/README.md")
    return page.evaluate(ANSWER_JS, [READER, weights, values, {"allowed": allowed, "memory": memory}])


def refusal(page, url: str, weights: str) -> str | None:
    """Why the page's reader refuses the weights file at ``weights`` (None: it accepts it)."""
    page.goto(f"{url}/README.md")
    return page.evaluate(PARSE_JS, [READER, weights])
