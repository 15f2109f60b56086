"""A user's own strategy in a file of its own, loaded with ``--strategy-path FILE.py``: the
example package's per-bar rule under another name."""

from __future__ import annotations

from typing import ClassVar

from paperdesk_example_strategies.sma_hold import SmaHold


class MyHold(SmaHold):
    name: ClassVar[str] = "my-hold"
    description: ClassVar[str] = "A user's per-bar strategy loaded from a file."
