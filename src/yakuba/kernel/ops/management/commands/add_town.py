"""yakuba add_town: register a municipality (共同利用) with its code, names and host names."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yakuba.kernel.tenancy.codes import normalise_code
from yakuba.kernel.tenancy.models import Municipality, MunicipalityHost


class Command(BaseCommand):
    help = "Register a municipality: yakuba add_town 103829 下仁田町 しもにたまち 群馬県 --host shimonita.example.jp"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", help="6-digit 全国地方公共団体コード, check digit included (e.g. 103829)")
        parser.add_argument("name")
        parser.add_argument("kana")
        parser.add_argument("prefecture")
        parser.add_argument("--host", action="append", default=[], help="a host name serving this town")
        parser.add_argument("--phone", default="")
        parser.add_argument("--address", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        town = Municipality(code=normalise_code(options["code"]), name=options["name"], name_kana=options["kana"],
                            prefecture=options["prefecture"], phone=options["phone"], address=options["address"])
        try:
            town.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(messages)}"
                                         for field, messages in error.message_dict.items())) from error
        with transaction.atomic():
            town.save()
            for host in options["host"]:
                MunicipalityHost.objects.create(municipality=town, host=host)
        self.stdout.write(self.style.SUCCESS(f"Registered {town} ({town.code}) at {town.path_prefix}/"))
