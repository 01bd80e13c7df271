"""Shared cast (as healthchecks' Alice/Bob/Charlie): two towns, their staff, a resident."""

from __future__ import annotations

import importlib.util

import pytest
from django.core.cache import cache
from django.utils import translation

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit import guard

from . import factories

pytest_plugins = ["tests.support.oidc_fixtures"] if importlib.util.find_spec("tests.support.oidc_fixtures") else []


# The longest tests first. pytest-xdist hands the tests out in collection order (`--dist worksteal` in the Makefile),
# so the long ones start early and the workers end together, instead of one worker running a long sweep picked up
# last while the other waits. Django's order comes first (pytest-django sorted the tests already: in-transaction
# tests, then those that flush, then those without a database); the sort is stable, so modules stay in one piece.
LONG_FIRST = ("tests/kernel/tenancy/test_isolation_sweep.py", "tests/kernel/accounts/test_role_sweep.py",
              "tests/kernel/ops/", "tests/browser/")


def _django_order(item) -> int:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or \
            "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


# CI runs the suite twice (.ci/run): on SQLite with the browser journeys, then on PostgreSQL. A few long tests run in
# one of the two passes only, where they can fail; `make test` (and `make pytest` anywhere) still runs every test.
# - db_neutral: what they check does not depend on the database (which role may open a page, translations, HEAD,
#   cache headers, what the demo loader writes, the clerk journeys of the README): the SQLite pass only.
# - postgres_first: they exercise the database in ways PostgreSQL is stricter about (every form with NULs and
#   oversized values, every URL with the other town's ids with PostgreSQL's sequences, data migrations back and
#   forth): the PostgreSQL pass only.
DB_NEUTRAL = ("tests/kernel/accounts/test_role_sweep.py", "tests/kernel/ui/test_english_crawl.py",
              "tests/kernel/ui/test_head_and_favicon.py", "tests/kernel/ops/test_demo_journeys.py",
              "tests/kernel/ops/test_demo_one_story.py", "tests/plans/test_demo.py", "tests/notices/test_demo.py",
              "tests/assistant/test_demo.py", "tests/applications/test_demo.py", "tests/reservations/test_demo.py",
              "tests/reservations/test_courses_demo.py", "tests/approvals/test_retention_demo.py",
              "tests/approvals/test_decide_demo.py", "tests/attendance/test_demo.py", "tests/website/test_demo.py",
              "tests/kernel/words/test_demo.py",
              # the loader's other checks; loading it twice to the same rows (every table) stays in both passes
              "tests/kernel/ops/test_demo.py::test_each_town", "tests/kernel/ops/test_demo.py::test_demo_otp",
              "tests/kernel/ops/test_demo.py::test_demo_passwords",
              # crawls of every page for its cache headers: what a page sends does not depend on the database
              "tests/kernel/ui/test_private_pages.py::test_every_page_for_a_signed_in_resident_is_private",
              "tests/kernel/ui/test_private_pages.py::test_every_staff_page_is_private",
              "tests/kernel/ui/test_pagecache.py::test_signed_out_crawl_",
              "tests/kernel/ui/test_pagecache.py::test_signed_in_crawl_",
              # subprocesses with production settings on their own SQLite file, whatever the pass's database
              "tests/kernel/ops/test_production_server.py",
              "tests/kernel/ops/test_deploy.py::test_check_deploy_is_clean_with_production_settings",
              "tests/kernel/ops/test_deploy.py::test_production_refuses_to_start_without_a_secret")
POSTGRES_FIRST = ("tests/kernel/tenancy/test_isolation_sweep.py", "tests/kernel/ui/test_hostile_forms.py",
                  "tests/opendata/test_listing_migration.py", "tests/notices/test_shelter_migration.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        # A test without database access (Django's order 2) checks nothing a database could change: once is enough.
        if item.nodeid.startswith(DB_NEUTRAL) or _django_order(item) == 2:
            item.add_marker(pytest.mark.db_neutral)
        elif item.nodeid.startswith(POSTGRES_FIRST):
            item.add_marker(pytest.mark.postgres_first)
    items.sort(key=lambda item: (_django_order(item),
                                 not (item.nodeid.startswith(LONG_FIRST) or item.get_closest_marker("slow"))))


def _postgres_flush_by_delete():
    """Transactional tests empty every table after each test (Django's flush). On PostgreSQL that is one TRUNCATE of
    some 300 tables, which gives each table new files: about 2 s a test, most of the PostgreSQL pass's teardowns.
    Deleting the rows costs next to nothing for the tables a test left empty. Triggers and foreign-key checks are
    off while the rows go (session_replication_role = replica, for this transaction only): the flush empties every
    table, so no row is left to check, and the audit and closed-month guards refuse deletes by design. Test
    databases only; a flush that also resets sequences keeps Django's TRUNCATE … RESTART IDENTITY."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica",
                *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
                "SET LOCAL session_replication_role = origin"]

    DatabaseOperations.sql_flush = sql_flush


_postgres_flush_by_delete()


@pytest.fixture(scope="session", autouse=True)
def _audit_unlocked_for_flushes(django_db_setup, django_db_blocker):
    """Transactional tests flush every table between tests; let the audit triggers allow that.

    Tests that prove the triggers refuse changes arm them with `guard.locked()`.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} "
                               "SET yakuba.audit_unlocked = 'on'")
        guard.set_unlocked(True)
    yield


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    """The demo towns (`yakuba demo`), loaded once for a module of non-transactional tests, undone after it.

    Each test runs in a transaction of its own (pytest-django's `db`), so what a test changes is undone before the
    next one, as if each test had loaded the demo itself. On SQLite the load is a copy of the process's first one
    (tests/support/demo_copy.py). Tests without database access stay blocked.
    """
    from .support.demo_copy import demo_for_a_while

    with django_db_blocker.unblock(), demo_for_a_while():
        with django_db_blocker.block():
            yield


@pytest.fixture(autouse=True)
def _postgres_marked_tests_need_postgres(request):
    """`@pytest.mark.postgres`: a test of what only PostgreSQL can show (row locks between threads, SKIP LOCKED)
    skips on SQLite, where writers queue for one file lock and a race shows nothing (or a 'database is locked')."""
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (YAKUBA_TEST_DATABASE_URL)")


@pytest.fixture(autouse=True)
def _clear_cache():
    from yakuba.kernel.tenancy.middleware import lookups
    from yakuba.kernel.ui.pagecache import recent

    cache.clear()
    lookups.clear()  # a town of an earlier test, rolled back since, is not found again
    recent.clear()
    yield


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """Each test starts in Japanese: a request with the English cookie activates English in the test's thread
    (as the language middleware does for every request), and services called after it would answer in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def town_a(db):
    return factories.make_town("10382", "下仁田町")


@pytest.fixture
def town_b(db):
    return factories.make_town("10384", "甘楽町", name_kana="かんらまち")


@pytest.fixture
def staff_a(town_a):
    """総務課 職員 of town A."""
    return factories.make_staff(town_a, department="総務課", role=Role.STAFF)


@pytest.fixture
def staff_a_other(town_a):
    """職員 of town A in another department."""
    return factories.make_staff(town_a, department="住民課", role=Role.STAFF)


@pytest.fixture
def admin_a(town_a):
    """情報担当 of town A."""
    return factories.make_staff(town_a, department="総務課", role=Role.ADMIN)


@pytest.fixture
def staff_b(town_b):
    """情報担当 of town B: all rights there, none in town A."""
    return factories.make_staff(town_b, department="総務課", role=Role.ADMIN)


@pytest.fixture
def resident_a(town_a):
    return factories.make_resident(town_a)


@pytest.fixture
def resident_b(town_b):
    return factories.make_resident(town_b, family_name="甘楽", given_name="太郎", address="群馬県甘楽郡甘楽町小幡1")
