"""API callers written for an endpoint's earlier inputs keep working when inputs are added at the end.

Over plain HTTP (``/gradio_api/run/...``, ``/call/...``) Gradio wants a value for every input of an endpoint, while
gradio_client and MCP clients fill in the defaults themselves. ``fill_trailing_inputs`` gives plain-HTTP calls the
same courtesy for the public endpoints: a call that sends fewer values gets each missing trailing input's default
(``/read`` and ``/read_strokes`` took two inputs before ``words`` and ``dictionary`` joined them).
"""

from __future__ import annotations

import gradio as gr


def fill_trailing_inputs(demo: gr.Blocks) -> None:
    """Pad short input lists of the public API endpoints with their components' default values."""
    validate = demo.validate_inputs

    def validate_inputs(block_fn, inputs: list) -> None:
        missing = block_fn.inputs[len(inputs) :]
        if block_fn.api_name and missing and getattr(block_fn, "api_visibility", "public") == "public":
            inputs.extend(getattr(component, "value", None) for component in missing)
        validate(block_fn, inputs)

    demo.validate_inputs = validate_inputs
