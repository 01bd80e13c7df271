"""`yakuba fakepay`: run the local payment provider of the demo and tests as its own process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yakuba.payments import fakepay


class Command(BaseCommand):
    help = "Run fakepay, the local payment provider (see yakuba/payments/fakepay.py for its API)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--account", action="append", default=[], help="API_KEY=WEBHOOK_SECRET (repeatable)")
        parser.add_argument("--public-base", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--host", options["host"], "--port", str(options["port"])]
        for account in options["account"]:
            argv += ["--account", account]
        if options["public_base"]:
            argv += ["--public-base", options["public_base"]]
        fakepay.main(argv)
