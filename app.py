"""Gradio Space: draw, upload or click a character (or a whole word) and see what a tiny LeNet-5 reads.

Run ``python app.py --help`` for options; the model loads once, at start-up, and TensorFlow is never imported.
"""

from __future__ import annotations

import argparse
import logging
import os

from model.environment import quiet

quiet()  # before Gradio and huggingface_hub are imported


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default=None, help="Hub repo id or local path (default: $EMNIST_MODEL, else the bundled model)"
    )
    parser.add_argument("--revision", default=None, help="revision of the Hub model repo")
    parser.add_argument(
        "--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"), help="address to listen on"
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)), help="port")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    from space import zerogpu
    from space.feedback import FeedbackStore
    from space.serving import load_for_serving
    from space.ui import build_demo, launch

    models, status = load_for_serving(args.model, args.revision)
    logging.info("%s", status.replace("`", ""))
    demo = build_demo(models, status, FeedbackStore.from_environment())
    zerogpu.register()
    launch(demo, args.host, args.port)


if __name__ == "__main__":
    main()
