"""API calls without a session cost what the model costs, not what the page's size costs.

Gradio answers a call that carries no session (plain HTTP ``/gradio_api/run/...``, ``/call/...``, MCP tools) with a
fresh ``SessionState``, whose constructor renders the config of every block on the page, for deep links only. On
this page (60-odd blocks) that is most of an API call's server time. ``defer_block_configs`` makes the rendering
lazy: a config is rendered when something reads or updates it, and all of them when a deep link lists them, so
what Gradio sees is unchanged; a call that reads none renders none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class LazyConfigs(dict):
    """Block id -> config, rendered on first use: a read or write of one key touches one block; listing them all
    (``items``, ``values``, iteration, ``len``) renders the rest first."""

    def __init__(self, render: Callable[[], dict]):
        super().__init__()
        self._render = render
        self._complete = False

    def _fill(self) -> None:
        if not self._complete:
            self._complete = True
            for key, config in self._render().items():
                self.setdefault(key, config)  # one written since keeps its newer config

    def items(self):
        self._fill()
        return super().items()

    def values(self):
        self._fill()
        return super().values()

    def keys(self):
        self._fill()
        return super().keys()

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()


class _NothingToRender:
    """What Gradio's SessionState constructor reads from a Blocks, with no blocks to render up front."""

    def __init__(self, blocks):
        self.default_config = blocks.default_config
        self.blocks: dict = {}


def defer_block_configs() -> bool:
    """Make Gradio's SessionState render block configs on demand (idempotent). False where this Gradio's
    SessionState does not build as expected; then nothing is changed."""
    from gradio import state_holder

    session_state = state_holder.SessionState
    if getattr(session_state.__init__, "defers_configs", False):
        return True
    eager = session_state.__init__

    def __init__(self, blocks) -> None:
        eager(self, _NothingToRender(blocks))
        page = blocks.blocks
        config = self.blocks_config
        self.config_values = LazyConfigs(
            lambda: {k: config.config_for_block(k, [], v) for k, v in config.blocks.items() if k in page}
        )

    try:  # a trial on an empty page: a Gradio whose constructor reads more than this expects keeps its own
        import gradio as gr

        with gr.Blocks() as probe:
            gr.Markdown()
        trial = session_state.__new__(session_state)
        __init__(trial, probe)
        assert len(trial.config_values) == len(probe.blocks)
    except Exception:
        log.warning("Gradio's SessionState is not as expected: API calls render every block's config")
        return False
    __init__.defers_configs = True
    session_state.__init__ = __init__
    return True
