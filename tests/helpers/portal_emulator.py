"""A local stand-in for the EU Funding & Tenders Portal's search and facet API.

It serves the real recorded calls in tests/fixtures/eu_portal/open-calls/ and behaves as
API-NOTES.md describes the real one: the body must be multipart with JSON file parts named
`blob` (a plain form field gives 500 {"type":"throwable"}), `pageSize` is capped at 100, the
`terms` filters of the query are honoured, `totalResults` counts the filtered rows. It also
serves each call's topic details (`GET .../topicDetails/<identifier>.json`, lower case only, as
the real portal; the answers are built by portal_topics.py in the real format), with an ETag
and Last-Modified that a conditional GET is answered 304 on. It can be reached through
httpx.MockTransport or as a real HTTP server on loopback.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import date
from email.parser import BytesParser
from email.policy import HTTP
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from helpers import paths
from helpers.portal_topics import REAL_TOPIC, real_topic_details, topic_details_body

FIXTURES = paths.FIXTURES / "eu_portal"
OPEN_CALLS = FIXTURES / "open-calls"
THROWABLE = (500, {"type": "throwable"})
SNAPSHOT_DAY = date(2026, 8, 22)  # the day the fixture calls were recorded
DETAILS_PATH = "/topicDetails/"
LAST_MODIFIED = "Sat, 22 Aug 2026 06:00:00 GMT"
# What `detail_failures` can make one call's topic details do.
DETAIL_FAILURES = ("404", "500", "timeout", "not-json")


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
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class PortalEmulator:
    rows: list[dict[str, Any]] = field(default_factory=load_open_calls)
    facet: dict[str, Any] = field(
        default_factory=lambda: json.loads((OPEN_CALLS / "facet.json").read_text(encoding="utf-8"))
    )
    requests: list[RecordedRequest] = field(default_factory=list)
    # Set to make the next answers fail: a list of (status, body) consumed one per request.
    failures: list[tuple[int, Any]] = field(default_factory=list)
    # Topic details: answers set by a test (by lower-case identifier) win over built ones;
    # a failure named here (one of DETAIL_FAILURES) is what that call's details do.
    topic_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    detail_failures: dict[str, str] = field(default_factory=dict)
    _facet_json: str | None = field(default=None, repr=False)
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

    def detail_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if DETAILS_PATH in r.path]

    def handle_details(
        self, url: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """GET of one topic's details: (status, headers, body); "timeout" is status 0."""
        split = urlsplit(url)
        self.requests.append(RecordedRequest(split.path, {}, {}, headers))
        name = unquote(split.path.rsplit("/", 1)[-1]).removesuffix(".json")
        failure = self.detail_failures.get(name.lower())
        if failure == "timeout":
            return 0, {}, b""
        if failure == "500":
            return 500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"
        if failure == "not-json":
            return 200, {"Content-Type": "text/html"}, b"<html><body>Maintenance</body></html>"
        body = None if failure == "404" else self._topic(name)
        if body is None:
            return 404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>"
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if {k.lower(): v for k, v in headers.items()}.get("if-none-match") == etag:
            return 304, validators, b""
        return 200, {"Content-Type": "application/json", **validators}, body

    def _topic(self, name: str) -> bytes | None:
        if name != name.lower():
            return None  # the real portal answers 404 to an upper-case identifier
        if name in self.topic_details:
            return json.dumps(self.topic_details[name], ensure_ascii=False).encode()
        if name == real_topic_details()["TopicDetails"]["identifier"].lower():
            return REAL_TOPIC.read_bytes()
        for row in self.rows:
            meta = row["metadata"]
            if meta["identifier"][0].lower() == name and meta["type"][0] != "8":
                if self._facet_json is None:
                    self._facet_json = json.dumps(self.facet)
                return topic_details_body(json.dumps(row), self._facet_json)
        return None

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
            if request.method == "GET" and DETAILS_PATH in request.url.path:
                code, headers, body = self.handle_details(str(request.url), dict(request.headers))
                if code == 0:
                    raise httpx.ReadTimeout("the emulator let it time out", request=request)
                return httpx.Response(code, headers=headers, content=body)
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

            def do_GET(self) -> None:
                url = f"http://{self.headers['Host']}{self.path}"
                status, headers, body = outer.handle_details(url, dict(self.headers.items()))
                if status == 0:  # no timeout on a real socket in tests: a dropped connection
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

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
    # A source asks with the same body page after page, under a new random boundary each time:
    # parsed once (the email package took a tenth of bench_ingest's run), a copy each time.
    boundary = content_type.partition("boundary=")[2].strip('"').encode()
    if not boundary:
        return _parsed_parts(content_type, body)
    marker = b"emulator-boundary"
    parts = _parsed_parts(
        content_type.replace(boundary.decode(), marker.decode()), body.replace(boundary, marker)
    )
    return copy.deepcopy(parts)


@lru_cache(maxsize=64)
def _parsed_parts(content_type: str, body: bytes) -> dict[str, Any] | None:
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
    """A sources.toml with one eu_portal source pointing at a local emulator (on 127.0.0.1,
    which the fetcher refuses unless allow_private is set)."""
    return f"""
[settings]
database = "monitor.db"
retries = 0
host_delay = 0
allow_private = true
{settings}

[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"
every = "6h"
url = "{base_url}/search"
facet_url = "{base_url}/facet"
details_url = "{base_url}/topicDetails/{{identifier}}.json"
{extra}
"""
