"""A local SMTP sink for benchmarks: accepts every message, counts them, their distinct Message-IDs, the distinct
recipients, and the recipients who got two different messages (two Message-IDs).

Run: python bench/smtp_sink.py SMTP_PORT STATS_PORT   (GET http://127.0.0.1:STATS_PORT/ → JSON counts;
POST / resets them). It is its own process so it does not share the benchmark's interpreter lock.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.received, self.ids, self.first, self.last = 0, set(), 0.0, 0.0
        self.by_recipient: dict[str, set[bytes]] = {}

    def add(self, content: bytes, recipients: list[str]) -> None:
        found = MESSAGE_ID.search(content[:4000])
        message_id = found.group(1) if found else b""
        now = time.time()
        with self.lock:
            self.received += 1
            self.ids.add(message_id)
            for recipient in recipients:
                self.by_recipient.setdefault(recipient, set()).add(message_id)
            self.first = self.first or now
            self.last = now

    def snapshot(self) -> dict[str, float]:
        with self.lock:
            return {"received": self.received, "distinct": len(self.ids), "first": self.first, "last": self.last,
                    "recipients": len(self.by_recipient),
                    "two_messages": sum(1 for ids in self.by_recipient.values() if len(ids) > 1)}


COUNTS = Counts()


class Handler:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        COUNTS.add(envelope.original_content or envelope.content, list(envelope.rcpt_tos))
        return "250 OK"


class Stats(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps(COUNTS.snapshot()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        with COUNTS.lock:
            COUNTS.reset()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    smtp_port, stats_port = int(sys.argv[1]), int(sys.argv[2])
    controller = Controller(Handler(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    ThreadingHTTPServer(("127.0.0.1", stats_port), Stats).serve_forever()


if __name__ == "__main__":
    main()
