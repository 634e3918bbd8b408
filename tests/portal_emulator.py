"""A local stand-in for the EU Funding & Tenders Portal's search and facet API.

It serves the real recorded calls in tests/fixtures/eu_portal/open-calls/ and behaves as
API-NOTES.md describes the real one: the body must be multipart with JSON file parts named
`blob` (a plain form field gives 500 {"type":"throwable"}), `pageSize` is capped at 100, the
`terms` filters of the query are honoured, `totalResults` counts the filtered rows. It can be
reached through httpx.MockTransport or as a real HTTP server on loopback.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

FIXTURES = Path(__file__).parent / "fixtures" / "eu_portal"
OPEN_CALLS = FIXTURES / "open-calls"
THROWABLE = (500, {"type": "throwable"})
SNAPSHOT_DAY = date(2026, 8, 22)  # the day the fixture calls were recorded


def load_open_calls() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in sorted(OPEN_CALLS.glob("page-*.json")):
        rows.extend(json.loads(page.read_text(encoding="utf-8"))["results"])
    return rows


@dataclass
class RecordedRequest:
    path: str
    params: dict[str, str]
    parts: dict[str, Any]


@dataclass
class PortalEmulator:
    rows: list[dict[str, Any]] = field(default_factory=load_open_calls)
    facet: dict[str, Any] = field(
        default_factory=lambda: json.loads((OPEN_CALLS / "facet.json").read_text(encoding="utf-8"))
    )
    requests: list[RecordedRequest] = field(default_factory=list)
    # Set to make the next answers fail: a list of (status, body) consumed one per request.
    failures: list[tuple[int, Any]] = field(default_factory=list)
    _cache_key: tuple | None = field(default=None, repr=False)
    _cache: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def _filtered(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        # Paging asks the same query again and again; filter the rows once per query and
        # state of the rows (tests edit rows between runs, so the cache key includes them).
        key = (json.dumps(query, sort_keys=True), id(self.rows), len(self.rows))
        if self._cache_key != key:
            self._cache_key = key
            self._cache = [r for r in self.rows if _matches(r, query)]
        return self._cache

    def row(self, identifier: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["metadata"]["identifier"][0] == identifier)

    def search_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/search")]

    # -- the API -----------------------------------------------------------------------------

    def handle(
        self, method: str, url: str, content_type: str, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        split = urlsplit(url)
        params = {k: v[0] for k, v in parse_qs(split.query).items()}
        parts = _json_parts(content_type, body)
        self.requests.append(RecordedRequest(split.path, params, parts or {}))
        if self.failures:
            return self.failures.pop(0)
        if method != "POST" or params.get("apiKey") != "SEDIA" or parts is None:
            return THROWABLE
        if parts.get("languages") != ["en"] or "query" not in parts:
            return THROWABLE
        rows = self._filtered(parts["query"])
        if split.path.endswith("/facet"):
            return 200, self.facet
        if not split.path.endswith("/search"):
            return 404, {"message": "not found"}
        size = min(int(params.get("pageSize", 50)), 100)
        number = int(params.get("pageNumber", 1))
        page = rows[(number - 1) * size : number * size]
        return 200, {
            "apiVersion": "2.151",
            "terms": params.get("text", "***"),
            "totalResults": len(rows),
            "pageNumber": number,
            "pageSize": size,
            "sort": "identifier",
            "results": page,  # serialised at once: later edits to self.rows do not leak in
        }

    # -- ways to reach it --------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        def respond(request: httpx.Request) -> httpx.Response:
            request.read()
            status, data = self.handle(
                request.method,
                str(request.url),
                request.headers.get("content-type", ""),
                request.content,
            )
            return httpx.Response(status, json=data)

        return httpx.MockTransport(respond)

    def serve(self) -> LiveServer:
        return LiveServer(self)


class LiveServer:
    """The emulator on a real loopback port, in a thread; use as a context manager."""

    def __init__(self, emulator: PortalEmulator) -> None:
        outer = emulator

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                url = f"http://{self.headers['Host']}{self.path}"
                status, data = outer.handle("POST", url, self.headers.get("Content-Type", ""), body)
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/search-api/prod/rest"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _json_parts(content_type: str, body: bytes) -> dict[str, Any] | None:
    """The multipart body's parts, or None unless each is a JSON file part named `blob`."""
    if not content_type.startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() != "blob" or part.get_content_type() != "application/json":
            return None
        parts[str(name)] = json.loads(part.get_payload(decode=True))
    return parts


def _matches(row: dict[str, Any], query: dict[str, Any]) -> bool:
    """Honour the `terms`/`term` clauses of a bool/must query, as the real API does."""
    metadata = row["metadata"]
    for clause in query.get("bool", {}).get("must", []):
        for op, spec in clause.items():
            for key, wanted in spec.items():
                wanted = wanted if op == "terms" else [wanted]
                if not set(metadata.get(key, [])) & {str(w) for w in wanted}:
                    return False
    return True


def portal_config(base_url: str, extra: str = "", settings: str = "") -> str:
    """A sources.toml with one eu_portal source pointing at a local emulator."""
    return f"""
[settings]
database = "monitor.db"
retries = 0
host_delay = 0
{settings}

[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"
every = "6h"
url = "{base_url}/search"
facet_url = "{base_url}/facet"
{extra}
"""
