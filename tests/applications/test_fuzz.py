"""Whatever a browser (or an attacker) posts to the resident's form pages, the answer is never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories

KEYS = st.sampled_from(["applicant_name__family", "applicant_name__given", "address", "phone", "dog_name", "breed",
                        "breed_other", "photo", "_once", "action", "family.0.x", "csrfmiddlewaretoken", "ｘ"])
VALUES = st.text(max_size=40) | st.sampled_from(["shiba", "other", "", "0" * 300, "=cmd|' /C calc'!A0", "\x00"])
POSTS = st.dictionaries(KEYS, st.lists(VALUES, min_size=1, max_size=3), max_size=8)


@pytest.fixture
def signed_in(town_a, resident_a):
    factories.make_procedure(town_a, slug="dog")
    client = Client()
    client.force_login(resident_a.user)
    response = client.post("/t/10382/procedures/dog/start/")
    assert response.status_code == 302
    return client, response["Location"].rsplit("/page/", 1)[0]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=POSTS, page=st.sampled_from([0, 1]))
def test_random_posts_to_form_pages_never_fail_the_server(signed_in, data, page):
    client, base = signed_in
    response = client.post(f"{base}/page/{page}/", data)
    assert response.status_code in (200, 302, 400), response.status_code
    response = client.post(f"{base}/check/", data)
    assert response.status_code in (200, 302, 400, 409), response.status_code
