"""A fake LINE Messaging API on loopback: the endpoints our LINE channel calls, answering as LINE documents.

Used by the tests (`line_api` fixture) and, standalone, by the delivery benchmark:

    python -m tests.support.line_api --port 8790 [--token TOKEN]

`GET /_stats` returns {"accepted", "duplicates_refused", "distinct_keys"} (per request: a multicast to 500 users is one
accepted request with one key) and {"requests", "multicasts", "users", "user_repeats"} (what the users got: distinct
users reached, and messages a user got beyond the first); `POST /_reset` forgets everything.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import uuid
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from socketserver import StreamRequestHandler
from typing import Any

import pytest

_LINK_TOKEN = re.compile(r"^/v2/bot/user/([^/]+)/linkToken$")
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
            409: "Conflict",
            429: "Too Many Requests", 500: "Internal Server Error"}


class LineState:
    """What the fake has received, and the knobs tests turn. Every access holds the lock."""

    def __init__(self, tokens: set[str] | None = None) -> None:
        self.lock = threading.Lock()
        self.tokens: set[str] = set(tokens or ())  # accepted channel access tokens; empty = any token
        self.blocked: set[str] = set()  # user ids LINE cannot send to
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.pushes: list[dict[str, Any]] = []  # accepted pushes: {to, messages, retry_key, token}
            self.multicasts: list[dict[str, Any]] = []  # accepted multicasts: {to: [...], messages, retry_key, token}
            self.received: dict[str, int] = {}  # user id → messages accepted for them (push or multicast)
            self.replies: list[dict[str, Any]] = []
            self.link_tokens: dict[str, str] = {}  # link token → user id
            self.accepted_keys: dict[str, str] = {}  # retry key → request id of the accepted request
            self.duplicates_refused = 0
            self.failures: list[int] = []  # status codes for the next pushes, first first
            self.requests = 0

    def fail_next(self, count: int, status: int = 500) -> None:
        with self.lock:
            self.failures.extend([status] * count)

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {"accepted": len(self.pushes) + len(self.multicasts), "duplicates_refused": self.duplicates_refused,
                    "distinct_keys": len(self.accepted_keys)}

    def reach(self) -> dict[str, int]:
        with self.lock:
            return {"requests": len(self.pushes) + len(self.multicasts), "multicasts": len(self.multicasts),
                    "users": len(self.received), "user_repeats": sum(n - 1 for n in self.received.values())}

    def pushes_to(self, user_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [push for push in self.pushes if push["to"] == user_id]


class _Handler(StreamRequestHandler):
    """A lean HTTP/1.1 keep-alive handler: http.server's header parsing costs more than everything else a request
    does here, and the benchmark measures our pipeline, not the fake."""

    disable_nagle_algorithm = True
    server: _Server
    headers: dict[str, str]
    path: str

    def handle(self) -> None:
        while True:
            line = self.rfile.readline(65537)
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                continue
            try:
                method, self.path, version = line.decode("latin-1").split()
            except ValueError:
                return
            self.headers = {}
            while True:
                header = self.rfile.readline(65537)
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _sep, value = header.decode("latin-1").partition(":")
                self.headers[name.strip().lower()] = value.strip()
            if method == "POST":
                self.do_POST()
            elif method == "GET":
                self.do_GET()
            else:
                self._respond(405, {"message": "Method not allowed"})
            self.wfile.flush()
            if version != "HTTP/1.1" or self.headers.get("connection", "").lower() == "close":
                return

    # ---------------------------------------------------------------- plumbing

    def _respond(self, status: int, payload: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, request_id: str | None = None) -> None:
        body = json.dumps(payload if payload is not None else {}).encode()
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}",
                 f"x-line-request-id: {request_id or uuid.uuid4()}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)  # one write per response

    def _body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def _token(self) -> str | None:
        """The bearer token if the fake accepts it, else None (after answering 401)."""
        auth = self.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        state = self.server.state
        if not token or (state.tokens and token not in state.tokens):
            self._respond(401, {"message": "Authentication failed due to the following reason: invalid token. "
                                           "Confirm that the access token in the authorization header is valid."})
            return None
        return token

    # ---------------------------------------------------------------- routes

    def do_GET(self) -> None:  # noqa: N802 - named as http.server names them
        if self.path == "/_stats":
            self._respond(200, {**self.server.state.stats(), **self.server.state.reach()})
        else:
            self._respond(404, {"message": "Not found"})

    def do_POST(self) -> None:  # noqa: N802 - named as http.server names them
        body = self._body()
        if self.path == "/_reset":
            self.server.state.reset()
            self._respond(200, {})
        elif self.path == "/v2/bot/message/push":
            self._push(body)
        elif self.path == "/v2/bot/message/multicast":
            self._multicast(body)
        elif self.path == "/v2/bot/message/reply":
            self._reply(body)
        elif match := _LINK_TOKEN.match(self.path):
            self._link_token(match.group(1))
        else:
            self._respond(404, {"message": "Not found"})

    def _push(self, body: Any) -> None:
        token = self._token()
        if token is None:
            return
        if not isinstance(body, dict) or not body.get("to") or not body.get("messages"):
            self._respond(400, {"message": "The request body has 1 error(s)",
                                "details": [{"message": "May not be empty", "property": "to"}]})
            return
        state = self.server.state
        key = self.headers.get("x-line-retry-key")
        request_id = str(uuid.uuid4())
        with state.lock:
            failure = state.failures.pop(0) if state.failures else None
            accepted = state.accepted_keys.get(key) if key else None
            if failure is None and accepted is not None:
                state.duplicates_refused += 1
            elif failure is None and body["to"] in state.blocked:
                failure = 400
            elif failure is None:
                if key:
                    state.accepted_keys[key] = request_id
                state.pushes.append({"to": body["to"], "messages": body["messages"], "retry_key": key,
                                     "token": token})
                state.received[body["to"]] = state.received.get(body["to"], 0) + 1
        if failure == 400:
            # What LINE answers when the user id cannot receive messages (unknown, or no longer a friend).
            self._respond(400, {"message": "Failed to send messages"})
        elif failure is not None:
            self._respond(failure, {"message": "The API rate limit has been exceeded. Try again later."
                                    if failure == 429 else "Internal server error"})
        elif accepted is not None:
            self._respond(409, {"message": "The retry key is already accepted"},
                          {"x-line-accepted-request-id": accepted})
        else:
            self._respond(200, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18], "quoteToken": "q"}
                                                 for _message in body["messages"]]},
                          request_id=request_id)

    def _multicast(self, body: Any) -> None:
        """LINE's multicast: one text to up to 500 user ids. Users who blocked the account are skipped silently (LINE
        reports nothing per user); a repeated X-Line-Retry-Key is refused with 409 as for a push."""
        token = self._token()
        if token is None:
            return
        to = body.get("to") if isinstance(body, dict) else None
        if (not isinstance(to, list) or not 1 <= len(to) <= 500 or not all(isinstance(u, str) for u in to)
                or not body.get("messages")):
            self._respond(400, {"message": "The request body has 1 error(s)",
                                "details": [{"message": "Size must be between 1 and 500", "property": "to"}]})
            return
        state = self.server.state
        key = self.headers.get("x-line-retry-key")
        request_id = str(uuid.uuid4())
        with state.lock:
            failure = state.failures.pop(0) if state.failures else None
            accepted = state.accepted_keys.get(key) if key else None
            if failure is None and accepted is not None:
                state.duplicates_refused += 1
            elif failure is None:
                if key:
                    state.accepted_keys[key] = request_id
                state.multicasts.append({"to": list(to), "messages": body["messages"], "retry_key": key,
                                         "token": token})
                for user in to:
                    if user not in state.blocked:
                        state.received[user] = state.received.get(user, 0) + 1
        if failure is not None:
            self._respond(failure, {"message": "The API rate limit has been exceeded. Try again later."
                                    if failure == 429 else "Internal server error"})
        elif accepted is not None:
            self._respond(409, {"message": "The retry key is already accepted"},
                          {"x-line-accepted-request-id": accepted})
        else:
            self._respond(200, {}, request_id=request_id)

    def _reply(self, body: Any) -> None:
        token = self._token()
        if token is None:
            return
        if not isinstance(body, dict) or not body.get("replyToken") or not body.get("messages"):
            self._respond(400, {"message": "Invalid reply token"})
            return
        with self.server.state.lock:
            self.server.state.replies.append({"replyToken": body["replyToken"], "messages": body["messages"],
                                              "token": token})
        self._respond(200, {"sentMessages": [{"id": "1", "quoteToken": "q"} for _m in body["messages"]]})

    def _link_token(self, user_id: str) -> None:
        if self._token() is None:
            return
        link_token = uuid.uuid4().hex
        with self.server.state.lock:
            self.server.state.link_tokens[link_token] = user_id
        self._respond(200, {"linkToken": link_token})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, port: int, state: LineState) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = state


class FakeLineApi:
    """A running fake: `base` is its URL; the rest is the state's."""

    def __init__(self, port: int = 0, tokens: set[str] | None = None) -> None:
        self.state = LineState(tokens)
        self.server = _Server(port, self.state)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def start(self) -> FakeLineApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.state, name)


@pytest.fixture
def line_api(settings) -> Iterator[FakeLineApi]:
    """Start the fake LINE API and point settings.LINE_API_BASE at it."""
    fake = FakeLineApi().start()
    settings.LINE_API_BASE = fake.base
    try:
        yield fake
    finally:
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake LINE Messaging API for tests and benchmarks.")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--token", action="append", default=[], help="accepted access token (default: any)")
    args = parser.parse_args()
    fake = FakeLineApi(args.port, set(args.token))
    print(f"fake LINE API on {fake.base}", flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()


if __name__ == "__main__":
    main()
