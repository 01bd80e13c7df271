"""yakuba demo_otp USER: the current TOTP code of a demo staff member (demo deployments only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yakuba.kernel.ops import demo


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff member (needs YAKUBA_DEMO=1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--secret", action="store_true", help="Print the base32 secret instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("demo_otp only works when YAKUBA_DEMO=1.")
        email = options["email"].lower()
        if not email.endswith(".demo"):
            raise CommandError("Only demo accounts (…@<town>.demo) have a known TOTP key.")
        self.stdout.write(demo.b32_secret(email) if options["secret"] else demo.current_code(email))
