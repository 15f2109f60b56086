"""How uvicorn runs the WebSocket side of the application (``paperdesk serve``, ``paperdesk up``).

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

from typing import Any

WEBSOCKET_SERVER_OPTIONS: dict[str, Any] = {"ws_per_message_deflate": False}
