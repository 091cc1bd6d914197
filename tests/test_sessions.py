"""A session-less API call renders no block configs up front, and everything Gradio reads from them is as before."""

import gradio as gr
from gradio.blocks import BlocksConfig
from gradio.state_holder import SessionState

from space.sessions import LazyConfigs, defer_block_configs


def page() -> gr.Blocks:
    with gr.Blocks() as demo:
        text = gr.Textbox("hello", label="text")
        number = gr.Number(3)
        gr.Markdown("about")
        text.change(lambda t: t, text, number)
    return demo


def eager_configs(demo: gr.Blocks) -> dict:
    config = demo.default_config
    return {k: config.config_for_block(k, [], v) for k, v in config.blocks.items() if k in demo.blocks}


def test_a_new_session_renders_nothing_until_read(monkeypatch):
    assert defer_block_configs() and defer_block_configs()  # applied once, idempotent
    demo = page()
    rendered = []
    real = BlocksConfig.config_for_block

    def counting(*args, **kwargs):
        rendered.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(BlocksConfig, "config_for_block", staticmethod(counting))
    state = SessionState(demo)
    assert rendered == []
    listed = list(state.components)  # what deep links read: every block, as Gradio renders them
    assert len(rendered) == len(demo.blocks)
    assert listed == [c for c in eager_configs(demo).values() if c]


def test_one_update_renders_one_block_and_is_kept_when_all_are_listed():
    defer_block_configs()
    demo = page()
    state = SessionState(demo)
    text_id = next(k for k, b in demo.blocks.items() if isinstance(b, gr.Textbox))
    state._update_value_in_config(text_id, "changed")
    assert dict.__len__(state.config_values) == 1  # only that block so far
    configs = {c["id"]: c for c in state.components}
    assert configs[text_id]["props"]["value"] == "changed" and len(configs) == len(demo.blocks)


def test_lazy_configs_behave_like_a_dict():
    calls = []
    lazy = LazyConfigs(lambda: calls.append(1) or {1: "a", 2: "b"})
    lazy[2] = "newer"
    assert 1 not in lazy and calls == []
    assert sorted(lazy.items()) == [(1, "a"), (2, "newer")] and len(lazy) == 2 and list(lazy) == [2, 1]
    assert calls == [1]
