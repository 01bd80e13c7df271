"""The demo towns of the seed plans, their departments, staff in each role and a few residents.

Idempotent: loading twice changes nothing. Demo passwords are only set when YAKUBA_DEMO=1.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from yakuba.kernel.accounts.models import Department, Resident, Role, Section, Staff, User
from yakuba.kernel.tenancy.models import Municipality, MunicipalityHost

DEMO_PASSWORD = "yakuba-demo-2026"

# Apps add their demo data here (in AppConfig.ready): each loader gets the town's Municipality and the Town
# record, runs inside the town's scope and the load's transaction, and must be idempotent.
loaders: list[Callable[[Municipality, Town], None]] = []
# Loaders that read what the other apps' demo data made (the assistant ingests every app's documents): run after all
# of `loaders`, in the same way.
finishers: list[Callable[[Municipality, Town], None]] = []


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    kana: str
    name_en: str
    prefecture: str
    slug: str
    address: str
    phone: str
    area: str
    departments: tuple[tuple[str, str, tuple[str, ...]], ...]


# Departments as the towns' plans name them (seeds 000/004 下仁田町, 002 甘楽町, 001 中之条町, 003 小山町);
# the first is the office that runs the DX plan, where the demo 情報担当 and 所属長 sit.
TOWNS = (
    Town("103829", "下仁田町", "しもにたまち", "Shimonita", "群馬県", "shimonita",
         "群馬県甘楽郡下仁田町大字下仁田682", "0274-82-2111", "群馬県甘楽郡下仁田町大字下仁田", (
             ("総務課", "General Affairs", ("庶務係", "情報管理係")), ("企画課", "Planning", ()),
             ("住民税務課", "Residents and Taxation", ("住民係", "税務係")), ("福祉課", "Welfare", ()),
             ("保健課", "Health", ()), ("建設水道課", "Construction and Water", ()),
             ("会計課", "Accounting", ()), ("教育課", "Education", ()), ("農林課", "Agriculture and Forestry", ()),
             ("議会事務局", "Secretariat of the Town Assembly", ()))),
    Town("103845", "甘楽町", "かんらまち", "Kanra", "群馬県", "kanra",
         "群馬県甘楽郡甘楽町大字小幡161-1", "0274-74-3131", "群馬県甘楽郡甘楽町大字小幡", (
             ("企画課", "Planning", ("情報政策係",)), ("総務課", "General Affairs", ()),
             ("住民課", "Residents", ()), ("税務課", "Taxation", ()), ("健康課", "Health", ()),
             ("建設課", "Construction", ()), ("産業課", "Industry", ()), ("教育課", "Education", ()),
             ("議会事務局", "Secretariat of the Town Assembly", ()))),
    Town("104213", "中之条町", "なかのじょうまち", "Nakanojo", "群馬県", "nakanojo",
         "群馬県吾妻郡中之条町大字中之条町1091", "0279-75-2111", "群馬県吾妻郡中之条町大字中之条町", (
             ("総務課", "General Affairs", ("情報政策係",)), ("企画政策課", "Policy Planning", ()),
             ("住民福祉課", "Residents and Welfare", ()), ("税務会計課", "Taxation and Accounting", ()),
             ("地域課", "Community", ()), ("建設課", "Construction", ()),
             ("農林課", "Agriculture and Forestry", ()), ("教育課", "Education", ()),
             ("議会事務局", "Secretariat of the Town Assembly", ()))),
    Town("223441", "小山町", "おやまちょう", "Oyama", "静岡県", "oyama",
         "静岡県駿東郡小山町藤曲57-2", "0550-76-1111", "静岡県駿東郡小山町藤曲", (
             ("企画政策課", "Policy Planning", ("デジタル推進班",)), ("総務課", "General Affairs", ()),
             ("住民福祉課", "Residents and Welfare", ()), ("税務課", "Taxation", ()),
             ("健康増進課", "Health Promotion", ()), ("都市整備課", "Urban Development", ()),
             ("農林課", "Agriculture and Forestry", ()), ("教育委員会", "Board of Education", ()),
             ("議会事務局", "Secretariat of the Town Assembly", ()))),
)

RESIDENTS = (
    ("山田", "花子", "ヤマダ", "ハナコ", date(1944, 5, 12), "female"),
    ("佐藤", "一郎", "サトウ", "イチロウ", date(1958, 11, 3), "male"),
    ("Nguyen", "Thi Lan", "グエン", "ティ ラン", date(1998, 2, 20), "female"),
)
# resident2 and resident3 have confirmed their addresses (receipts, bookings and notices reach them by mail);
# resident1 has not, to show the mail rule: pages say why no mail came, and マイページ re-sends the confirmation.
CONFIRMED_RESIDENTS = frozenset({2, 3})


def totp_key(email: str) -> str:
    """A demo staff member's TOTP key, derived from the email so it is stable across reloads."""
    return hashlib.sha256(f"yakuba-demo-totp:{email}".encode()).hexdigest()[:40]


# The mail name of each department's demo clerk (the same word in every town that has the department).
CLERK_NAMES = {
    "総務課": "soumu", "企画課": "kikaku", "企画政策課": "kikaku", "住民税務課": "juumin", "住民課": "juumin",
    "住民福祉課": "juumin", "福祉課": "fukushi", "保健課": "hoken", "健康課": "kenkou", "健康増進課": "kenkou",
    "建設水道課": "kensetsu", "建設課": "kensetsu", "都市整備課": "toshi", "会計課": "kaikei", "税務課": "zeimu",
    "税務会計課": "zeimu", "教育課": "kyouiku", "教育委員会": "kyouiku", "農林課": "nourin", "産業課": "sangyou",
    "地域課": "chiiki", "議会事務局": "gikai",
}
GIVEN_NAMES = ("一郎", "花子", "健太", "陽子", "大輔", "美咲", "翔太", "直美", "誠")


def demo_staff(town: Town) -> list[tuple[str, str, str, str, int]]:
    """(email, family, given, department, role) for one town: the 情報担当, the 所属長 of the DX office, and one
    clerk (職員) in every department, who handles what the demo gives that department (procedures, facilities,
    notices, datasets, the DX plan's measures)."""
    first, second = town.departments[0][0], town.departments[2][0]
    staff: list[tuple[str, str, str, str, int]] = [
        (f"admin@{town.slug}.demo", "情報", "太郎", first, Role.ADMIN),
        (f"soumu@{town.slug}.demo", "総務", "次郎", "総務課", Role.STAFF),
        (f"kacho@{town.slug}.demo", "課長", "三郎", first, Role.APPROVER),
        (f"juumin@{town.slug}.demo", "住民", "春子", second, Role.STAFF),
    ]
    staffed = {"総務課", second}
    for index, (name, _name_en, _sections) in enumerate(town.departments):
        if name in staffed:
            continue
        family = name.removesuffix("委員会").removesuffix("課")[:2]
        staff.append((f"{CLERK_NAMES[name]}@{town.slug}.demo", family, GIVEN_NAMES[index % len(GIVEN_NAMES)], name,
                      Role.STAFF))
    return staff


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """get_or_create, then save only fields whose value differs: a second load writes nothing."""
    obj, created = model._default_manager.get_or_create(**lookup, defaults=values)
    if not created:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
    return obj


@functools.cache
def _demo_password_hash() -> str:
    """The demo password hashed once per process: Argon2 takes about a second a hash on a busy machine, and the
    demo has dozens of accounts that share the (published) demo password anyway."""
    return make_password(DEMO_PASSWORD)


@functools.cache
def _is_demo_password(encoded: str) -> bool:
    """Whether a stored hash is of the demo password, checked once per hash and process: after the first load every
    demo account holds the same hash, so reloading the demo verifies one hash, not one per account."""
    return check_password(DEMO_PASSWORD, encoded)


def _set_password(user: User) -> None:
    if settings.DEMO and user.password != _demo_password_hash() and not _is_demo_password(user.password):
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    elif not settings.DEMO and user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])


def demo_account(email: str, display_name: str) -> User:
    """A demo account that signs in with the demo password (an app's own demo people, e.g. 議員 who open the
    meeting pack), its address confirmed so the app's mail reaches it; written once: a second load changes nothing."""
    user, _ = User.objects.get_or_create(email=email, defaults={"display_name": display_name})
    _set_password(user)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def _load_town(town: Town) -> Municipality:
    municipality = _upsert(Municipality, {"code": town.code}, {
        "name": town.name, "name_kana": town.kana, "name_en": town.name_en, "prefecture": town.prefecture,
        "address": town.address, "phone": town.phone,
    })
    MunicipalityHost.objects.get_or_create(host=f"{town.slug}.localhost", defaults={"municipality": municipality})
    with scope(municipality=municipality):
        for order, (name, name_en, sections) in enumerate(town.departments):
            department = _upsert(Department, {"municipality": municipality, "name": name},
                                 {"name_en": name_en, "sort_order": order})
            for section in sections:
                Section.objects.get_or_create(municipality=municipality, department=department, name=section)
        for email, family, given, department_name, role in demo_staff(town):
            user, _ = User.objects.get_or_create(email=email, defaults={"display_name": f"{family} {given}"})
            _set_password(user)
            _upsert(Staff, {"user": user}, {
                "municipality": municipality, "department": Department.objects.get(name=department_name),
                "role": role, "family_name": family, "given_name": given,
            })
            _upsert(TOTPDevice, {"user": user, "name": "demo"}, {"key": totp_key(email), "confirmed": True})
        for index, (family, given, family_kana, given_kana, birthdate, gender) in enumerate(RESIDENTS, 1):
            user, _ = User.objects.get_or_create(email=f"resident{index}@{town.slug}.demo")
            _set_password(user)
            if index in CONFIRMED_RESIDENTS and user.email_verified_at is None:
                user.email_verified_at = timezone.now()
                user.save(update_fields=["email_verified_at"])
            _upsert(Resident, {"municipality": municipality, "user": user}, {
                "family_name": family, "given_name": given, "family_name_kana": family_kana,
                "given_name_kana": given_kana, "birthdate": birthdate, "gender": gender,
                "address": f"{town.area}{100 + index}", "phone": f"090-0000-{index:04d}",
            })
    return municipality


def load() -> list[Municipality]:
    with transaction.atomic():
        municipalities = [_load_town(town) for town in TOWNS]
        for town, municipality in zip(TOWNS, municipalities, strict=True):
            with scope(municipality=municipality):
                for loader in [*loaders, *finishers]:
                    loader(municipality, town)
        return municipalities


def current_code(email: str) -> str:
    """The current TOTP code of a demo staff member (for `yakuba demo_otp`)."""
    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(totp_key(email)))
    return f"{totp.token():06d}"


def b32_secret(email: str) -> str:
    return base64.b32encode(bytes.fromhex(totp_key(email))).decode().rstrip("=")
