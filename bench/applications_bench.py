"""電子申請 on PostgreSQL: submissions per second through the services, double submits under load, form rendering.

(a) start_draft + save_page × 3 + submit (validation, 受付番号 under a row lock, audit, receipt task) for a
    30-field form, one thread and 8 threads; ceiling: as many bare INSERTs of a Submission-sized row, autocommit,
    in one connection.
(b) 200 threads (each its own connection, released together by a barrier) submit the same draft with the same
    once token; then 200 threads file the same counter visit with one token. Prints what happened; the filed
    count should be 1 each time.
(c) render_page and validate() of a 100-field page (median, p95) against Django rendering a plain template
    with 100 inputs.

Runs against a fresh database created (and dropped) with Django's test-database utilities, named test_<name>
from YAKUBA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/yakuba_bench); never the dev database.

Run: .venv/bin/python bench/applications_bench.py [runs]   (prints; never asserts)
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

THREADS = 8
PER_RUN = 96  # submissions per run (12 per thread with 8 threads)
STORM = 200

sys.path.insert(0, str(Path(__file__).parent))
from forms_bench import FIELD_KINDS  # noqa: E402  (the same (spec, answer) pairs the forms engine bench cycles)
from pgdb import close_connections, run_on_fresh_database  # noqa: E402


def definition(count: int, per_page: int) -> tuple[dict[str, Any], dict[str, Any]]:
    fields, answers = [], {}
    for index in range(count):
        spec, answer = FIELD_KINDS[index % len(FIELD_KINDS)]
        fields.append({"name": f"f{index}", "label": f"項目{index}", **spec})
        answers[f"f{index}"] = answer
    pages = [{"title": f"ページ{n + 1}", "fields": fields[i:i + per_page]}
             for n, i in enumerate(range(0, count, per_page))]
    return {"title": "ベンチマーク", "version": 1, "pages": pages}, answers


class World:
    """The demo towns loaded, plus a 30-field procedure and residents enough for every thread."""

    def __init__(self) -> None:
        from django.core.management import call_command
        from django_scopes import scope

        from yakuba.applications.demo import publish_form
        from yakuba.applications.models import Procedure
        from yakuba.kernel.accounts.models import Department, Resident, Staff, User
        from yakuba.kernel.tenancy.models import Municipality

        call_command("demo", "--quiet")
        self.town = Municipality.objects.get(name="下仁田町")
        data, self.answers = definition(30, 10)
        with scope(municipality=self.town):
            self.staff = Staff.objects.get(user__email="juumin@shimonita.demo")
            self.procedure = Procedure.objects.create(
                municipality=self.town, slug="bench-30", title="ベンチマーク（30項目）", is_published=True,
                department=Department.objects.get(name="住民税務課"))
            publish_form(self.procedure, data)
            self.procedure.refresh_from_db()
            self.form = self.procedure.current_form.form
            self.residents = []
            for index in range(THREADS + 2):
                user = User.objects.create_user(f"bench{index}@example.jp")
                self.residents.append(Resident.objects.create(
                    municipality=self.town, user=user, family_name="ベンチ", given_name=str(index),
                    family_name_kana="ベンチ", given_name_kana="イチ", address="群馬県甘楽郡下仁田町大字下仁田1"))

    def page_answers(self, page: int) -> dict[str, Any]:
        return {f.name: self.answers[f.name] for f in self.form.pages[page].fields}


# (a) throughput ------------------------------------------------------------------------------------------------

def submit_many(world: World, resident: Any, count: int) -> None:
    from django_scopes import scope

    from yakuba.applications import services

    try:
        with scope(municipality=world.town):
            for _ in range(count):
                draft = services.start_draft(world.procedure, resident)
                for page in range(len(world.form.pages)):
                    services.save_page(draft, page, world.page_answers(page), actor=resident.user)
                services.submit(draft, actor=resident.user)
    finally:
        close_connections()


def per_second_sequential(world: World) -> float:
    started = time.perf_counter()
    submit_many(world, world.residents[0], PER_RUN)
    return PER_RUN / (time.perf_counter() - started)


def per_second_threaded(world: World) -> float:
    threads = [threading.Thread(target=submit_many, args=(world, world.residents[i], PER_RUN // THREADS))
               for i in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return PER_RUN / (time.perf_counter() - started)


def per_second_bare_inserts(world: World) -> float:
    """The floor of any design: one INSERT of a Submission-sized row per commit, one connection. An ordinary
    (WAL-logged) table, so each commit waits for its flush as the real one does; a TEMP table would not."""
    from django.db import connection

    answers = json.dumps(world.answers, ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_row (id bigserial PRIMARY KEY, public_id uuid, "
                       "reference varchar(20), status varchar(12), channel varchar(10), answers jsonb, "
                       "correction_fields jsonb, copy_by_email boolean, created_at timestamptz, "
                       "updated_at timestamptz, submitted_at timestamptz, municipality_id bigint, "
                       "procedure_id bigint, form_version_id bigint, resident_id bigint, department_id bigint)")
        started = time.perf_counter()
        for index in range(PER_RUN):
            cursor.execute("INSERT INTO bench_row (public_id, reference, status, channel, answers, correction_fields, "
                           "copy_by_email, created_at, updated_at, submitted_at, municipality_id, procedure_id, "
                           "form_version_id, resident_id, department_id) VALUES (%s, %s, 'received', 'online', "
                           "%s::jsonb, '[]'::jsonb, false, now(), now(), now(), 1, 1, 1, 1, 1)",
                           [uuid.uuid4(), f"2026-{index:06d}", answers])
        return PER_RUN / (time.perf_counter() - started)


# (b) the same click 200 times at once --------------------------------------------------------------------------

def storm(action: Callable[[], Any]) -> tuple[Counter[str], int]:
    """Run `action` in STORM threads released together; returns outcomes and how many connects were retried.

    PostgreSQL allows max_connections (100 by default) at once, so a thread refused a connection retries after
    a few milliseconds: the first ~90 race truly at once, the rest as soon as slots free up.
    """
    from django.db import OperationalError

    from yakuba.kernel.refusal import Refused
    from yakuba.kernel.ui.once import AlreadySubmitted

    barrier = threading.Barrier(STORM)
    outcomes: Counter[str] = Counter()
    retries = Counter[str]()
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        outcome = "error"
        try:
            for _attempt in range(2000):
                try:
                    action()
                    outcome = "filed"
                except AlreadySubmitted:
                    outcome = "AlreadySubmitted"
                except Refused:
                    outcome = "Refused (already filed)"
                except OperationalError as error:
                    if "too many clients" in str(error) or "remaining connection slots" in str(error):
                        with lock:
                            retries["connect"] += 1
                        close_connections()
                        time.sleep(random.uniform(0.005, 0.03))
                        continue
                    outcome = f"OperationalError: {error}"[:80]
                break
        except Exception as error:  # noqa: BLE001  (the bench reports every outcome rather than dying)
            outcome = f"{type(error).__name__}: {error}"[:80]
        finally:
            close_connections()
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=run) for _ in range(STORM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, retries["connect"]


def double_submit(world: World) -> tuple[Counter[str], int, int]:
    from django.db import transaction
    from django_scopes import scope

    from yakuba.applications import services
    from yakuba.applications.models import Submission, SubmissionEvent
    from yakuba.kernel.ui import once

    resident = world.residents[-1]
    with scope(municipality=world.town):
        draft = services.start_draft(world.procedure, resident)
        for page in range(len(world.form.pages)):
            services.save_page(draft, page, world.page_answers(page), actor=resident.user)
        draft = Submission.objects.select_related("form_version", "resident__user").get(pk=draft.pk)
        draft.form_version.form  # noqa: B018  (parse once, before the threads share it)
    token = once.new_token()

    def action() -> None:
        # As a view does (kernel.ui.actions): the click's token is used in the transaction of the filing.
        with scope(municipality=world.town), transaction.atomic():
            once.consume_token(token)
            services.submit(draft, actor=resident.user)

    outcomes, retries = storm(action)
    with scope(municipality=world.town):
        filed = SubmissionEvent.objects.filter(submission=draft.pk, to_status="received").count()
    return outcomes, retries, filed


def counter_storm(world: World) -> tuple[Counter[str], int, int]:
    from django.db import transaction
    from django_scopes import scope

    from yakuba.applications import services
    from yakuba.applications.models import CounterVisit, Submission
    from yakuba.kernel.ui import once

    resident = world.residents[-2]
    with scope(municipality=world.town):
        visit = services.start_visit(resident, [world.procedure], staff=world.staff)
        services.save_visit_page(visit, 0, dict(world.answers))
        services.record_identity_check(visit, "mynumber_card", staff=world.staff)
        visit = CounterVisit.objects.get(pk=visit.pk)
    token = once.new_token()

    def action() -> None:
        with scope(municipality=world.town), transaction.atomic():
            once.consume_token(token)
            services.file_visit(visit, staff=world.staff)

    outcomes, retries = storm(action)
    with scope(municipality=world.town):
        filed = Submission.objects.filter(counter_visit=visit).count()
    return outcomes, retries, filed


# (c) rendering -------------------------------------------------------------------------------------------------

def timings_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(5):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def plain_template() -> tuple[Any, dict[str, Any]]:
    from django.template import engines

    rows = "\n".join(f'<div class="field"><label for="id_f{i}">項目{i}</label>'
                     f'<input type="text" id="id_f{i}" name="f{i}" value="{{{{ values.f{i} }}}}"></div>'
                     for i in range(100))
    template = engines["django"].from_string(f"<form method=\"post\">{rows}</form>")
    return template, {"values": {f"f{i}": "下仁田町役場" for i in range(100)}}


def report(runs: int) -> None:
    from django.db import connection

    from yakuba.kernel.forms.definition import FormDefinition
    from yakuba.kernel.forms.render import render_page
    from yakuba.kernel.forms.validate import validate

    world = World()
    close_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('max_connections')")
        version, max_connections = cursor.fetchone()
    print(f"{version.split(',')[0]}, max_connections={max_connections}; database {connection.settings_dict['NAME']}")

    sequential = statistics.median(per_second_sequential(world) for _ in range(runs))
    threaded = statistics.median(per_second_threaded(world) for _ in range(runs))
    ceiling = statistics.median(per_second_bare_inserts(world) for _ in range(runs))
    print(f"\n(a) submissions per second, 30-field form, {PER_RUN} per run, median of {runs} runs")
    print(f"  full service path, 1 thread        {sequential:8.1f} /s   {sequential / ceiling:6.1%} of ceiling")
    print(f"  full service path, {THREADS} threads       {threaded:8.1f} /s   {threaded / ceiling:6.1%} of ceiling")
    print(f"  ceiling: bare INSERT + commit      {ceiling:8.1f} /s   (one connection, Submission-sized row)")

    outcomes, retries, filed = double_submit(world)
    print(f"\n(b) {STORM} concurrent submits of one draft with one once token ({retries} connects retried)")
    for outcome, count in outcomes.most_common():
        print(f"  {outcome:40} {count:5}")
    print(f"  filed records (受付 events of the draft): {filed}")
    outcomes, retries, filed = counter_storm(world)
    print(f"    {STORM} concurrent counter file_visit with one token ({retries} connects retried)")
    for outcome, count in outcomes.most_common():
        print(f"  {outcome:40} {count:5}")
    print(f"  filed records (submissions of the visit): {filed}")

    data, answers = definition(100, 100)
    form = FormDefinition.from_dict(data)
    errors = validate(form, answers).errors
    if errors:
        print(f"warning: the benchmark's answers do not validate: {errors}")
    render = timings_ms(lambda: render_page(form, answers, errors), runs * 40)
    check = timings_ms(lambda: validate(form, answers), runs * 40)
    template, context = plain_template()
    plain = timings_ms(lambda: template.render(context), runs * 40)
    print(f"\n(c) 100-field page, {runs * 40} runs (ms)      median      p95   median vs ceiling")
    for label, (median, p95) in (("render_page", render), ("validate()", check),
                                 ("ceiling: plain template, 100 inputs", plain)):
        print(f"  {label:36} {median:8.2f} {p95:8.2f}   {median / plain[0]:6.1f}x")


if __name__ == "__main__":
    run_on_fresh_database("bench", report, int(sys.argv[1]) if len(sys.argv) > 1 else 5)
