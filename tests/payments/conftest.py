"""fakepay as its own process on loopback (as in production a provider is another server), and a town that uses it."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import requests
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from tests.factories import make_resident, make_room

ACCOUNTS = {"sk_test_town_a": "whsec_town_a", "sk_test_town_b": "whsec_town_b"}
SRC = Path(__file__).resolve().parents[2] / "src"


def start_fakepay(accounts: dict[str, str], *, webhooks: bool = True) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, "-m", "yakuba.payments.fakepay", "--port", "0"] + ([] if webhooks else ["--no-webhooks"])
    for key, secret in accounts.items():
        args += ["--account", f"{key}={secret}"]
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()  # "fakepay on http://127.0.0.1:PORT/ accounts: ..."
    url = line.split(" on ", 1)[1].split("/ ", 1)[0]
    return process, url


@pytest.fixture(scope="session")
def fakepay():
    process, url = start_fakepay(ACCOUNTS)
    yield url
    process.terminate()
    process.wait(timeout=10)


def use_fakepay(town, url: str, key: str = "sk_test_town_a", **extra) -> None:
    town.settings = {**(town.settings or {}), "payments": {
        "provider": "fake", "api_base": url, "api_key": key, "webhook_secret": ACCOUNTS[key], **extra}}
    town.save(update_fields=["settings"])


@pytest.fixture
def paying_town(town_a, fakepay):
    use_fakepay(town_a, fakepay)
    return town_a


@pytest.fixture
def fee_room(paying_town):
    return make_room(paying_town, name="有料の会議室", fee_per_hour=600)


@pytest.fixture
def payer(paying_town):
    return make_resident(paying_town)


def pay_on_fakepay(next_url: str, *, method: str = "card", card: str = "4242424242424242") -> requests.Response:
    """What the resident does on the provider's page."""
    requests.get(next_url, timeout=5)
    return requests.post(next_url, data={"method": method, "card_number": card}, allow_redirects=False, timeout=5)


def soon(days: int = 10, hour: int = 10) -> datetime:
    """A time well inside the booking window and before any cancel deadline."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


_days = itertools.count(10)


def book(room, resident, *, days: int | None = None, hours: int = 2):
    """A resident's online booking, as the booking page makes it (the fee is asked for in its transaction); each
    on another day unless told."""
    from yakuba.reservations import services

    starts_at = soon(days if days is not None else 10 + next(_days) % 40)
    with scope(municipality=room.municipality), transaction.atomic():
        return services.reserve_room(room, resident, starts_at, starts_at + timedelta(hours=hours), purpose="会議")


def payment_of(reservation):
    from yakuba.payments.models import Payment

    with scope(municipality=reservation.municipality):
        return Payment.objects.get(payable_kind="reservations.reservation", payable_key=str(reservation.pk),
                                   status__in=["created", "started", "submitted", "success"])
