"""ZeroGPU hardware, which free Hub accounts can host: its start-up needs one ``@spaces.GPU`` function, and this
model needs no GPU at all (it answers on the CPU in microseconds).

So on ZeroGPU (the ``spaces`` package's own test: ``SPACES_ZERO_GPU``) one no-op function is registered and never
called: start-up passes, and no request ever asks for a GPU, so a request costs what it costs on CPU hardware.
Anywhere else nothing happens and ``spaces`` is not even imported.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)
ZEROGPU_VARIABLE = "SPACES_ZERO_GPU"  # set by the Hub on ZeroGPU hardware; spaces.config.Settings reads it


def on_zerogpu() -> bool:
    if os.environ.get(ZEROGPU_VARIABLE) is None:  # importing spaces would import its whole package: only when set
        return False
    try:
        from spaces.config import Config  # its own reading of the variable
    except ImportError:  # off Spaces the package is optional
        return False
    return bool(Config.zero_gpu)


def register() -> bool:
    """Register the no-op GPU function when on ZeroGPU; returns whether it did."""
    if not on_zerogpu():
        return False
    import spaces

    @spaces.GPU(duration=1)
    def zerogpu_start_up_check() -> None:
        """Never called: ZeroGPU refuses to start a Space without a GPU function, and this one needs none."""

    log.info("ZeroGPU hardware: registered a no-op GPU function; serving stays on the CPU")
    return True
