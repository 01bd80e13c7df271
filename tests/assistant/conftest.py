"""Fixtures of the AI問い合わせ tests: documents added through the services, a clean index cache, and a local stub of
an OpenAI-compatible chat-completions endpoint (`stub`, `ai`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django_scopes import scope

from yakuba.assistant.models import Document, Kind
from yakuba.assistant.services.ingest import DocumentFields, upsert
from yakuba.kernel.search import index


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test starts with no cached index (ids are reused between tests' databases)."""
    index.forget()
    yield
    index.forget()


def add_document(town, title: str, text: str, *, kind: str = Kind.FAQ, key: str | None = None,
                 **fields) -> Document:
    """A document of `town` (None: national) written the way synced and demo documents are."""
    with scope(municipality=town):
        return upsert(town, source_key=key or f"test:{title}", text=text,
                      fields=DocumentFields(kind=kind, title=title, **fields))


Reply = tuple[int, bytes]


def completion(content: str) -> Reply:
    body = {"id": "chatcmpl-1", "object": "chat.completion", "model": "stub-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
    return 200, json.dumps(body, ensure_ascii=False).encode()


@dataclass
class Stub:
    """A chat-completions server on 127.0.0.1: records every request and answers with `reply(request)`."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    reply: Callable[[dict[str, Any]], Reply] = lambda request: completion("資料からは分かりません")
    delay: float = 0.0
    released: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def stub() -> Iterator[Stub]:
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = {"path": self.path, "headers": dict(self.headers), "raw": raw, "json": json.loads(raw)}
            state.requests.append(request)
            if state.delay:
                state.released.wait(state.delay)
            status, body = state.reply(request)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def ai(settings, stub):
    settings.AI_BASE_URL = stub.url
    settings.AI_MODEL = "stub-model"
    settings.AI_API_KEY = "test-key"
    settings.AI_TIMEOUT_SECONDS = 5
    return settings
