"""yakuba demo: load the demo towns (idempotent) and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ops import demo


class Command(BaseCommand):
    help = "Load the demo towns, departments, staff and residents (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        towns = demo.load()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(towns)} demo towns."))
        for town, municipality in zip(demo.TOWNS, towns, strict=True):
            self.stdout.write(f"\n{municipality}  http://127.0.0.1:8000{municipality.path_prefix}/")
            self.stdout.write(f"  staff site: http://127.0.0.1:8000{municipality.path_prefix}/staff/")
            for email, family, given, department, role in demo.demo_staff(town):
                self.stdout.write(f"  {email:28} {department} {family}{given} ({Role(role).label})")
            self.stdout.write(f"  resident1@{town.slug}.demo (resident)")
        if settings.DEMO:
            self.stdout.write(f"\nDemo password for every account: {demo.DEMO_PASSWORD}")
        else:
            self.stdout.write("\nYAKUBA_DEMO is not 1: demo accounts have no password and cannot sign in.")
        self.stdout.write("Staff TOTP code now: yakuba demo_otp soumu@shimonita.demo")
