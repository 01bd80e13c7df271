"""A form body in another charset than UTF-8, or with bytes that do not decode, is a clear 400 on every form."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

TEXT = "username=山田𠮷@example.jp&password=か"
URLENCODED = "application/x-www-form-urlencoded"
# (declared charset or None, body): bodies a browser or a script in another charset sends.
BODIES = [
    ("shift_jis", TEXT.replace("𠮷", "").encode("shift_jis")),
    ("cp932", TEXT.replace("𠮷", "").encode("cp932")),
    ("utf-16", TEXT.encode("utf-16")),
    ("latin-1", "username=caf\xe9&password=\xe9".encode("latin-1")),
    ("x-no-such-charset", b"username=a&password=b"),
    ("euc-jp", TEXT.replace("𠮷", "").encode("euc-jp")),
    (None, TEXT.replace("𠮷", "").encode("cp932")),  # undeclared, but not UTF-8
    (None, b"username=%82%A0&password=b"),  # percent-encoded Shift_JIS
    ("utf-8", b"username=\xff\xfe\xed\xa0\x80&password=b"),  # invalid UTF-8 (and a lone surrogate)
]
MULTIPART_BOUNDARY = "yakubaboundary"


def multipart(value: bytes) -> bytes:
    return (f"--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n".encode()
            + value + f"\r\n--{MULTIPART_BOUNDARY}--\r\n".encode())


MULTIPART = [
    ("shift_jis", multipart("山田".encode("shift_jis"))),
    ("utf-16", multipart("山田".encode("utf-16"))),
    ("x-no-such-charset", multipart(b"a")),
    (None, multipart("山田".encode("cp932"))),
]


def post(client: Client, path: str, charset: str | None, body: bytes, kind: str = URLENCODED, **extra):
    content_type = kind + (f"; boundary={MULTIPART_BOUNDARY}" if kind.startswith("multipart") else "")
    if charset is not None:
        content_type += f"; charset={charset}"
    return client.generic("POST", path, body, content_type=content_type, **extra)


def assert_refused(response, label) -> None:
    assert response.status_code == 400, (label, response.status_code)
    assert "読み取れませんでした" in response.content.decode(), label


@pytest.fixture
def endpoints(town_a, staff_a, resident_a):
    """(client, path) on the login and sign-up pages, a staff form and a resident's form."""
    staff = factories.staff_client(staff_a)
    resident = Client()
    resident.force_login(resident_a.user)
    return [(Client(), "/t/10382/accounts/login/"), (Client(), "/t/10382/accounts/signup/"),
            (Client(), "/t/10382/staff/login/"), (staff, "/t/10382/staff/notices/new/"),
            (resident, "/t/10382/accounts/profile/"), (resident, "/t/10382/prefs/")]


@pytest.mark.django_db
def test_other_charsets_and_undecodable_bytes_are_a_clear_400(endpoints):
    for client, path in endpoints:
        client.raise_request_exception = True
        for charset, body in BODIES:
            assert_refused(post(client, path, charset, body), (path, charset, body))
        for charset, body in MULTIPART:
            assert_refused(post(client, path, charset, body, "multipart/form-data"), (path, "multipart", charset))


@pytest.mark.django_db
def test_the_csrf_check_never_reads_a_refused_body_again(town_a):
    """With the CSRF check enforced (a browser), Django's own 400 page ran the check again and read the body again:
    a 500. With and without the CSRF cookie, and with a header token, it is the same 400."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=True)
    for charset, body in BODIES:
        assert_refused(post(client, "/t/10382/accounts/login/", charset, body), ("no cookie", charset))
    client.get("/t/10382/accounts/login/")
    token = client.cookies["csrftoken"].value
    for charset, body in BODIES + [(c, b) for c, b in MULTIPART]:
        kind = "multipart/form-data" if body.startswith(b"--") else URLENCODED
        response = post(client, "/t/10382/accounts/login/", charset, body, kind, HTTP_X_CSRFTOKEN=token)
        assert_refused(response, ("cookie", charset))


@pytest.mark.django_db
def test_utf8_is_read_as_before(client, town_a):
    for charset in (None, "utf-8", "UTF-8", "utf8"):
        page = post(client, "/t/10382/accounts/login/", charset, TEXT.encode()).content.decode()
        # The login form answers (not an address it takes) and keeps what was typed.
        assert "山田𠮷" in page and "メールアドレス" in page and "読み取れませんでした" not in page, charset
    page = post(client, "/t/10382/accounts/login/", None, multipart("山田𠮷".encode()),
                "multipart/form-data").content.decode()
    assert "山田𠮷" in page and "読み取れませんでした" not in page


@pytest.mark.django_db
def test_the_message_is_in_english_when_chosen(client, town_a):
    client.post("/t/10382/i18n/setlang/", {"language": "en", "next": "/t/10382/"})
    response = post(client, "/t/10382/accounts/login/", "shift_jis", TEXT.replace("𠮷", "").encode("shift_jis"))
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_clear_400(client, town_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.raise_request_exception = True
    response = post(client, "/t/10382/accounts/login/", None, b"username=" + b"a" * 2000 + b"&password=b")
    assert response.status_code == 400
    assert "大きすぎます" in response.content.decode()


@pytest.mark.django_db
def test_a_ten_megabyte_field_is_a_clear_400_on_pages_and_apis(town_a, staff_a):
    """At the default limits: a person's form gets the 400 page, a JSON API the kernel's JSON refusal."""
    field = "あ" * (10 * 1024 * 1024 // 3)
    staff = factories.staff_client(staff_a)
    for client, path in [(Client(), "/t/10382/accounts/login/"), (staff, "/t/10382/staff/notices/new/")]:
        response = client.post(path, {"username": field, "title": field})
        assert response.status_code == 400 and "大きすぎます" in response.content.decode(), path
    for path in ("/t/10382/assistant/api/ask", "/t/10382/api/3/action/package_search"):
        response = Client().post(path, {"q": field})
        assert response.status_code == 400 and response.json()["error"]["__type"] == "Too Large", path
