"""The floor any Gradio app pays per API call: one endpoint taking what ``/predict_strokes`` takes (a JSON, a
string and a choice of model) and answering a gr.Label, with nothing behind it. ``python -m bench app`` serves it beside the Space and
calls both the same way, so the Space's own overhead is measured in the same run.

``python -m harness.bare_gradio --port N``
"""

from __future__ import annotations

import argparse

from model.environment import quiet


def answer(strokes, allowed, model):
    return {"7": 0.9, "1": 0.1}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args(argv).port
    quiet()
    import gradio as gr

    with gr.Blocks() as demo:
        strokes, allowed, confidences = gr.JSON(label="strokes"), gr.Textbox(label="allowed"), gr.Label()
        model = gr.Dropdown(["auto", "emnist", "pen"], value="auto", label="model")
        strokes.change(
            answer, [strokes, allowed, model], confidences, api_name="predict_strokes", queue=False, preprocess=False
        )
    demo.launch(server_name="127.0.0.1", server_port=port, ssr_mode=False)


if __name__ == "__main__":
    main()
