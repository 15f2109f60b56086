"""How uvicorn runs the application (``paperdesk serve``, ``paperdesk up``): its HTTP parser,
its event loop and the WebSocket side.

HTTP/1.1 is parsed by httptools (llhttp, in C) and the event loop is uvloop (libuv), both
dependencies of paperdesk (uvicorn's ``[standard]`` choice), named here rather than left to
uvicorn's ``auto``, which falls back to the pure-Python h11 parser and asyncio's own loop
without a word when they are missing (docs/live-speed.md, "Orders over HTTP, sixth pass").
uvloop has no Windows build; there the loop is asyncio's.

permessage-deflate is OFF. Every stream message is built once and the same text goes to every
client, but a compressed frame cannot be shared: each connection keeps its own compression
context, so with deflate on the server compresses every message once PER CLIENT. Profiling the
1,000-client fan-out (``benchmarks/bench_streams.py --profile``) showed that compression as the
largest single cost of a delivered message, about 40 % of the server's busy time, for messages
of a few hundred bytes that gain little from it. Clients that offer the extension simply get
uncompressed frames (the negotiation allows it); the protocol, one JSON message per text frame,
is unchanged.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

SERVER_OPTIONS: dict[str, Any] = {
    "http": "httptools",
    "loop": "asyncio" if sys.platform == "win32" else "uvloop",
    "ws_per_message_deflate": False,
}


# Allocations between two collections of the youngest generation (CPython's default is 700).
# A fan-out allocates several objects per client per message (the wake-up's handle, the frame,
# the list of queued items): at the default, one event to 1,000 clients runs many collections
# (an estimate, not counted), and every tenth of those a collection of the older generation,
# which walks every connection's objects. Measured with ``benchmarks/bench_streams.py`` (1,000
# clients, SQLite, four runs each): 24 to 31 µs of server CPU per delivered message at 700,
# 20 to 21 µs at 100,000, and a lower p99. The memory this holds back is at most that many
# young objects.
YOUNG_GENERATION_THRESHOLD = 100_000


def tune_garbage_collector() -> None:
    """For a server process (``paperdesk serve``, ``paperdesk up``), once, before it serves:
    collect the young generation less often, and freeze what start-up allocated (the modules,
    the application, the settings) so that older-generation collections no longer walk it.
    Process-wide, hence called by the commands that own the process, never on import."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
