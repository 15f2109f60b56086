"""The service benchmark's lean HTTP client (``benchmarks/lean_http.py``) reads whole answers,
sized or chunked, one after another on one keep-alive connection."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from lean_http import LeanConnection

SIZED = b"HTTP/1.1 201 Created\r\ncontent-length: 12\r\ncontent-type: application/json\r\n\r\n"
CHUNKED = (
    b"HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n"
    b"4\r\nnot \r\n5\r\nfound\r\n0\r\n\r\n"
)


async def _exchange() -> tuple[list[tuple[int, bytes]], list[bytes]]:
    received: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for reply in (SIZED + b'{"id": "O1"}', CHUNKED):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            received.append(head + await reader.readexactly(length))
            writer.write(reply)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, LeanConnection(f"http://127.0.0.1:{port}", {"X-Key": "k"}) as connection:
        first = await connection.request("POST", "/orders", {"quantity": "1"})
        second = await connection.request("DELETE", "/orders/O1")
    return [first, second], received


def test_sized_and_chunked_answers_on_one_connection() -> None:
    answers, received = asyncio.run(_exchange())
    assert answers == [(201, b'{"id": "O1"}'), (404, b"not found")]
    posted, deleted = received
    assert posted.startswith(b"POST /orders HTTP/1.1\r\n")
    assert b"X-Key: k\r\n" in posted
    assert b"Content-Type: application/json\r\n" in posted
    assert json.loads(posted.partition(b"\r\n\r\n")[2]) == {"quantity": "1"}
    assert deleted.startswith(b"DELETE /orders/O1 HTTP/1.1\r\n")
    assert deleted.endswith(b"Content-Length: 0\r\n\r\n")
