"""アンケートの集計: a 町民意識調査 of 10,000 answers (5 questions: two multiple choice, a 5-point scale, a number,
free text; age bands; online and paper) tallied by the service (`surveys_results.results`: every figure the results
page shows, 5 GROUP BY queries plus the definition), against one plain SQL aggregate over the same rows in the same
run (SELECT question, option, age_band, COUNT(*) … GROUP BY …: the floor of any tally of this shape).

Also: the answers keyed in through the service (`answer_online` with a code each: validation, the conditional
UPDATE of the invitation, the answer and its items in one transaction), answers per second.

Run: .venv/bin/python bench/survey_bench.py [answers] [runs]   (SQLite in a temporary folder; with
     YAKUBA_BENCH_DATABASE_URL set, on a fresh PostgreSQL test database; prints medians; never asserts)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

ANSWERS = 10_000
RUNS = 7
THROUGH_SERVICE = 300  # answers sent through answer_online (timed)


def build(count: int) -> tuple[Any, Any, Any]:
    from django.utils import timezone
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department, Role, Staff, User
    from yakuba.kernel.tenancy.models import Municipality
    from yakuba.voice.demo.surveys import RESIDENT_QUESTIONS
    from yakuba.voice.models.surveys import Channel, SurveyAnswer, SurveyItem, SurveyState
    from yakuba.voice.services import surveys as services

    town = Municipality.objects.create(code="103829", name="下仁田町", name_kana="しもにたまち", prefecture="群馬県")
    with scope(municipality=town):
        department = Department.objects.create(municipality=town, name="企画課")
        user = User.objects.create_user("kikaku@bench.example.jp", "x" * 20)
        clerk = Staff.objects.create(municipality=town, user=user, department=department, role=Role.STAFF,
                                     family_name="企画", given_name="花子")
        survey = services.create_survey(clerk, services.SurveyData(
            title="町民意識調査 2026", department=department, questions=RESIDENT_QUESTIONS))
        services.set_state(clerk, survey, SurveyState.OPEN)
        rng = random.Random(7)
        answers: list[SurveyAnswer] = []
        items: list[SurveyItem] = []
        today = timezone.localdate()
        for index in range(count):
            answer = SurveyAnswer(municipality=town, survey=survey, answered_on=today,
                                  channel=Channel.ONLINE if index % 7 == 0 else Channel.PAPER,
                                  age_band=rng.choice(["10", "20", "30", "40", "50", "60", "70", "80", ""]))
            answers.append(answer)
            row = {"municipality": town, "answer": answer, "survey": survey}
            for value in rng.sample(["kouhou", "web", "line", "musen", "kairan", "media"], rng.randint(1, 3)):
                items.append(SurveyItem(**row, question="info_source", option=value))
            for value in rng.sample(["shinsei", "yoyaku", "shiharai", "soudan"], rng.randint(1, 2)):
                items.append(SurveyItem(**row, question="online_services", option=value))
            items.append(SurveyItem(**row, question="satisfaction", option=str(rng.randint(1, 5))))
            items.append(SurveyItem(**row, question="household", number=rng.randint(1, 6)))
            if rng.random() < 0.3:
                items.append(SurveyItem(**row, question="comment", text="広報紙で知りました。" * rng.randint(1, 5)))
        SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
        SurveyItem.objects.bulk_create(items, batch_size=5000)
    return town, clerk, survey


def median_ms(action: Any, runs: int) -> float:
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def report(runs: int, count: int) -> None:
    from django.db import connection
    from django_scopes import scope

    from yakuba.voice.services import surveys as services
    from yakuba.voice.services import surveys_results as tally

    print(f"アンケートの集計: {count:,} answers ({connection.vendor}, {os.cpu_count()} cores, median of {runs})")
    started = time.perf_counter()
    town, clerk, survey = build(count)
    print(f"  (building: {time.perf_counter() - started:.1f} s; not timed)")
    with scope(municipality=town):
        items = tally.SurveyItem.objects.filter(survey=survey).count()
        service = median_ms(lambda: tally.results(survey), runs)

        def plain() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT i.question, i.option, a.age_band, COUNT(*) FROM voice_surveyitem i "
                    "JOIN voice_surveyanswer a ON a.id = i.answer_id WHERE i.survey_id = %s "
                    "GROUP BY i.question, i.option, a.age_band", [survey.pk])
                cursor.fetchall()

        floor = median_ms(plain, runs)
        result = tally.results(survey)
        print(f"  items: {items:,}; online share {result.online_share:.1f} %")
        print(f"  service tally (every figure of the results page): {service:8.1f} ms")
        print(f"  one plain SQL GROUP BY (question, option, age band): {floor:8.1f} ms")
        print(f"  ratio service / plain SQL: {service / floor:.2f}")
        csv = median_ms(lambda: tally.results_csv(survey), max(1, runs // 2))
        print(f"  CSV export (the tally and every free-text answer): {csv:8.1f} ms")
        codes = services.make_invitations(clerk, survey, THROUGH_SERVICE)
        answers = {"age_band": "40", "info_source": ["line"], "online_services": ["shinsei"], "satisfaction": "4",
                   "household": "3", "comment": "スマートフォンで答えました。"}
        started = time.perf_counter()
        for code in codes:
            services.answer_online(survey, answers, code=code)
        elapsed = time.perf_counter() - started
        print(f"  answer_online with a code: {THROUGH_SERVICE / elapsed:8.0f} answers/s "
              f"({elapsed / THROUGH_SERVICE * 1000:.1f} ms each, one thread)")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else ANSWERS
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else RUNS
    if os.environ.get("YAKUBA_BENCH_DATABASE_URL"):
        from pgdb import run_on_fresh_database

        run_on_fresh_database("surveys", lambda n: report(n, count), runs)
        return
    data = Path(tempfile.mkdtemp(prefix="yakuba-bench-"))
    (data / "static").mkdir()
    os.environ.update({"DJANGO_SETTINGS_MODULE": "yakuba.settings", "YAKUBA_DATA_DIR": str(data),
                       "DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}", "YAKUBA_LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    report(runs, count)


if __name__ == "__main__":
    main()
