"""A lean HTTP/1.1 client for the benchmarks: one keep-alive connection over asyncio streams.

httpx's sync client in threads cost the service benchmark's clients about 0.7 ms of CPU a
request on the same 2 cores as the server (a quarter of what the server spent), so the
figure measured the clients as much as the server. This client writes a request with a few
fixed headers and reads the answer (``Content-Length`` or chunked), nothing else: no
cookies, redirects, pools or header objects. Every answer is returned whole with its status,
so the caller checks each one as before.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class LeanConnection:
    """One keep-alive HTTP/1.1 connection to ``base`` (``http://host:port``) sending
    ``headers`` with every request."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        fixed = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive", **headers}
        self._fixed = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> LeanConnection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """Send one request (``body`` as JSON when given) and read its whole answer:
        (status, body bytes)."""
        reader, writer = self._reader, self._writer
        if reader is None or writer is None:
            raise RuntimeError("the connection is not open (use async with)")
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed}"
        if body is None:
            writer.write(f"{head}Content-Length: 0\r\n\r\n".encode())
        else:
            content = json.dumps(body).encode()
            typed = f"{head}Content-Type: application/json\r\n"
            writer.write(f"{typed}Content-Length: {len(content)}\r\n\r\n".encode() + content)
        await writer.drain()
        status_line, _, header_block = (
            (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").partition("\r\n")
        )
        status = int(status_line.split(" ", 2)[1])
        length: int | None = None
        chunked = False
        for line in header_block.split("\r\n"):
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            return status, await _chunks(reader)
        return status, await reader.readexactly(length or 0)


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are sent to this client
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
