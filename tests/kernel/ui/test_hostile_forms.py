"""A corpus of hostile values through every form a resident and a staff member can reach, and through every import.

The crawl opens every URL (as in the private-pages crawl), finds each POST form on the page, fills every field a
person can type into with one hostile value at a time (file inputs get a CSV of the corpus), posts it as the
browser would, and runs the queued tasks the posts started (imports are checked by the worker). Nothing answers
5xx and no task fails with only a traceback: every value is taken, or refused with a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.kernel.accounts import test_role_sweep
from tests.kernel.ui.test_private_pages import SIGN_OUT, _resident_path, _resident_values
from tests.support.tasks import run_worker
from tests.sweep import routes
from yakuba.kernel.accounts.models import Role

objects_a = test_role_sweep.objects_a

# The classes the issue names; the text classes go together in one value, so every free-text field meets each of
# them in one post (a form refuses a value at its first problem, so numbers get values of their own).
CORPUS = {
    "not a number": "nan",
    "infinite": "-inf",
    "overflow": "1e309",
    "text": ('=HYPERLINK("http://example.invalid","x") 𠮷野家🍣 か\u3099' + "e\u0301" * 30
             + ' \u202eevil\u202c.exe <script>alert(1)</script>"\'><img src=x> \r\n\x0b\x1b[31m'),
    "formula prefixes": "+1+1\t@SUM(A1) -2",
    "long": "あ" * 20_000,
}
# Fields a person types into; hidden fields (tokens, ids) and choices keep the page's values.
TYPED = {"text", "search", "email", "tel", "url", "number", "date", "time", "datetime-local", "month", "password",
         "textarea", None}
# A form that would end the crawl's session or its staff member's rights.
SKIPPED_ACTIONS = ("/logout/", "/staff/staff/")


def _csv() -> bytes:
    header = "名称,緯度,経度,値\n"
    text = CORPUS["text"].replace('"', '""')
    rows = f'"{text}",nan,inf,"{CORPUS["formula prefixes"]}"\n1e309,-inf,"1,5",\n'
    return (header + rows).encode("utf-8")


def _forms(page_url: str, html: str) -> Iterator[tuple[str, list[tuple[str, str | None, str]], list[str]]]:
    """(action URL, [(name, type, value)], [file field names]) of each POST form on the page."""
    document = lxml.html.fromstring(html)
    for form in document.forms:
        if (form.method or "GET").upper() != "POST":
            continue
        action = urljoin(page_url, form.get("action") or page_url)
        fields: list[tuple[str, str | None, str]] = []
        files: list[str] = []
        for element in form.inputs:
            name = element.get("name")
            if not name:
                continue
            tag = element.tag
            kind = (element.get("type") or "text").lower() if tag == "input" else tag
            if kind == "file":
                files.append(name)
            elif kind in ("checkbox", "radio"):
                if element.checked or kind == "checkbox":
                    fields.append((name, "choice", element.get("value") or "on"))
            elif tag == "select":
                options = element.value_options
                fields.append((name, "choice", options[0] if options else ""))
            elif kind not in ("submit", "button", "reset", "image"):
                fields.append((name, kind, element.value or ""))
        yield action, fields, files


def _fill(fields: list[tuple[str, str | None, str]], value: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, kind, current in fields:
        data.setdefault(name, []).append(value if kind in TYPED else current)
    return data


def _post_all(client: Client, pages: list[str], capture_on_commit) -> tuple[list[tuple[str, str, int]], int]:
    """Post every form of every page once per corpus value; (5xx found, forms posted)."""
    errors: list[tuple[str, str, int]] = []
    posted = 0
    for path in pages:
        for label, value in CORPUS.items():
            page = client.get(path)  # again for each value: a form's once-token is spent by a post
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                break
            for action, fields, files in _forms(path, page.content.decode()):
                if any(part in action for part in SKIPPED_ACTIONS):
                    continue
                data: dict[str, object] = _fill(fields, value)
                for name in files:
                    data[name] = SimpleUploadedFile("hostile.csv", _csv(), content_type="text/csv")
                with capture_on_commit(execute=True):  # the imports' check tasks are queued on commit
                    response = client.post(action, data)
                posted += 1
                if response.status_code >= 500:
                    errors.append((action, label, response.status_code))
    return errors, posted


def _failed_tasks() -> list[tuple[str, str]]:
    return [(result.task_path, result.traceback[-300:] if result.traceback else "")
            for result in DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the worker runs the tasks in transactions of its own, as in production
def test_every_resident_form_takes_or_refuses_the_corpus(town_a, resident_a, objects_a,
                                                          django_capture_on_commit_callbacks):
    client = Client(raise_request_exception=False)
    client.force_login(resident_a.user)
    values = _resident_values(town_a, resident_a)
    pages = [town_a.path_prefix + _resident_path(r, values) for r in routes()
             if not r.is_staff and r.name not in SIGN_OUT and "api" not in r.name]
    errors, posted = _post_all(client, pages, django_capture_on_commit_callbacks)
    run_worker()
    assert errors == [], errors
    assert _failed_tasks() == []
    assert posted > 100  # the crawl reached the forms themselves


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the worker runs the tasks in transactions of its own, as in production
def test_every_staff_form_and_import_takes_or_refuses_the_corpus(town_a, objects_a,
                                                                 django_capture_on_commit_callbacks):
    client = factories.staff_client(factories.make_staff(town_a, role=Role.ADMIN))
    client.raise_request_exception = False
    pages = [town_a.path_prefix + test_role_sweep._path(r, objects_a) for r in routes()
             if r.is_staff and r.name not in SIGN_OUT and "logout" not in r.name]
    errors, posted = _post_all(client, pages, django_capture_on_commit_callbacks)
    run_worker()
    assert errors == [], errors
    assert _failed_tasks() == []
    # The imports reached the worker: their check tasks ran (and recorded the file's problems, not a traceback).
    ran = set(DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).values_list("task_path", flat=True))
    assert any("import" in path or "check" in path for path in ran), ran
    assert posted > 300
