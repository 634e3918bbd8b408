"""Loopback feed hosts for the fetch benchmark, in a process of their own.

    python benchmarks/feed_hosts.py --hosts 20 --feeds 10 --delay 0.25

Serves `--feeds` RSS feeds (a real Eurocities feed from the fixtures) on each of `--hosts`
loopback addresses (127.0.0.1, 127.0.0.2, …), each answer after `--delay` seconds, with an ETag
and a 304 to a request that sends it back. HTTP/1.1 with keep-alive, as real servers speak, so a
client that reuses its connections gains by it. One asyncio process: the servers never compete
with the client under test for its interpreter.

Prints one JSON line (every feed's URL), then serves until stdin closes. `GET /_stats` answers
at once with what happened since the last `/_stats` (answers, 304s, connections, the wall-clock
time of the first request and of the last answer) and starts counting afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEED = (ROOT / "tests/fixtures/rss/eurocities_feed.xml").read_bytes()
ETAG = '"v1"'


def address(n: int) -> str:
    """The n-th loopback address (from 0): 127.0.0.1 … 127.0.0.250, then 127.0.1.1 …"""
    return f"127.0.{n // 250}.{n % 250 + 1}"


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.answers = self.not_modified = self.connections = 0
        self.first_request: float | None = None
        self.last_answer: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return dict(vars(self))


async def serve(hosts: int, feeds: int, delay: float) -> None:
    stats = Stats()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines[1:] if line)
                }
                if path == "/_stats":
                    body = json.dumps(stats.as_dict()).encode()
                    stats.reset()
                    status, extra = "200 OK", {"Content-Type": "application/json"}
                else:
                    stats.first_request = stats.first_request or time.time()
                    await asyncio.sleep(delay)
                    extra = {"Content-Type": "application/rss+xml; charset=UTF-8", "ETag": ETAG}
                    if headers.get("if-none-match") == ETAG:
                        status, body = "304 Not Modified", b""
                        stats.not_modified += 1
                    else:
                        status, body = "200 OK", FEED
                    stats.answers += 1
                close = headers.get("connection", "").lower() == "close"
                out = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
                out += [f"{k}: {v}" for k, v in extra.items()]
                if close:
                    out.append("Connection: close")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if path != "/_stats":
                    stats.last_answer = time.time()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        except Exception as exc:  # a bug here would look like a failing feed in the benchmark
            print(f"feed_hosts: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, address(n), 0, backlog=512) for n in range(hosts)]
    urls = []
    for n, server in enumerate(servers):
        port = server.sockets[0].getsockname()[1]
        urls += [f"http://{address(n)}:{port}/feed-{k}" for k in range(feeds)]
    stats_url = f"http://{address(0)}:{servers[0].sockets[0].getsockname()[1]}/_stats"
    print(json.dumps({"urls": urls, "stats": stats_url}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes our stdin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.25)
    options = parser.parse_args()
    asyncio.run(serve(options.hosts, options.feeds, options.delay))


if __name__ == "__main__":
    main()
