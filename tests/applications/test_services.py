"""The verbs of 電子申請 through the real database: drafts, submitting, the staff workflow, forms, counter."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_scopes import scope

from tests import factories
from yakuba.applications import services
from yakuba.applications.models import Channel, Status, Submission, SubmissionEvent
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui import once
from yakuba.kernel.ui.once import AlreadySubmitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(town_a):
    return factories.make_procedure(town_a, slug="dog")


def test_draft_is_prefilled_and_resumed(town_a, procedure, resident_a):
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        assert draft.answers["applicant_name"] == {"family": resident_a.family_name, "given": resident_a.given_name}
        assert services.start_draft(procedure, resident_a).pk == draft.pk


def test_typed_answers_are_kept_even_when_invalid(town_a, procedure, resident_a):
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        result = services.save_page(draft, 1, {"dog_name": "", "breed": "nope"})
        assert set(result.errors) == {"dog_name", "breed"}
        draft.refresh_from_db()
        assert draft.answers["breed"] == "nope"
        assert services.first_incomplete_page(draft) == 1


def test_submit_gives_sequential_references_and_records_it(town_a, procedure, resident_a, resident_b):
    first = factories.make_submission(procedure, resident_a)
    with scope(municipality=town_a):
        other = factories.make_resident(town_a, email="other@example.jp")
        second = factories.make_submission(procedure, other)
        assert first.status == Status.RECEIVED and first.channel == Channel.ONLINE
        year = first.submitted_at.year
        assert (first.reference, second.reference) == (f"{year}-000001", f"{year}-000002")
        assert AuditEntry.objects.filter(action="applications.submission.submitted").count() == 2


def test_invalid_answers_are_not_submitted(town_a, procedure, resident_a):
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        with pytest.raises(services.Invalid) as raised:
            services.submit(draft, actor=resident_a.user)
        assert "dog_name" in raised.value.result.errors
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and draft.reference is None


def test_the_same_token_submits_once(town_a, procedure, resident_a):
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        draft.answers.update(factories.SIMPLE_ANSWERS)
        draft.save()
        token = "t" * 32
        with transaction.atomic():  # as a view does it (kernel.ui.actions): token and filing in one transaction
            once.consume_token(token)
            services.submit(draft, actor=resident_a.user)
        with pytest.raises(AlreadySubmitted), transaction.atomic():
            once.consume_token(token)
            services.submit(draft, actor=resident_a.user)
        with pytest.raises(Refused, match="すでに提出されています"):  # a click without a token is refused
            services.submit(draft, actor=resident_a.user)
        assert Submission.objects.exclude(status=Status.DRAFT).count() == 1


def test_correction_changes_only_flagged_fields(town_a, procedure, resident_a):
    submission = factories.make_submission(procedure, resident_a, status=Status.CORRECTION)
    with scope(municipality=town_a):
        assert submission.correction_fields == ["dog_name"]
        services.resubmit(submission, {"dog_name": "タロウ", "breed": "mixed"}, actor=resident_a.user)
        submission.refresh_from_db()
        assert submission.answers["dog_name"] == "タロウ"
        assert submission.answers["breed"] == "shiba"
        assert submission.status == Status.REVIEWING and submission.correction_fields == []


def test_withdraw_only_before_processing(town_a, procedure, resident_a):
    submission = factories.make_submission(procedure, resident_a)
    reviewing = factories.make_submission(factories.make_procedure(town_a, slug="other"), resident_a,
                                          status=Status.REVIEWING)
    with scope(municipality=town_a):
        services.withdraw(submission, actor=resident_a.user)
        assert submission.status == Status.WITHDRAWN
        with pytest.raises(Refused):
            services.withdraw(reviewing, actor=resident_a.user)


def test_staff_see_their_department_only(town_a, procedure, resident_a, staff_a, staff_a_other, admin_a):
    submission = factories.make_submission(procedure, resident_a)
    with scope(municipality=town_a):
        assert services.may_handle(staff_a, submission)
        assert not services.may_handle(staff_a_other, submission)
        assert services.may_handle(admin_a, submission)
        procedure.shared_with.add(staff_a_other.department)
        assert services.may_handle(staff_a_other, submission)


def test_correction_needs_fields_and_message(town_a, procedure, resident_a, staff_a):
    submission = factories.make_submission(procedure, resident_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            services.transition(submission, "request_correction", staff=staff_a, message="直してください")
        with pytest.raises(Refused):
            services.transition(submission, "request_correction", staff=staff_a, fields=["dog_name"])
        services.transition(submission, "complete", staff=staff_a)
        assert submission.status == Status.COMPLETED and submission.decided_at is not None
        with pytest.raises(Refused):
            services.transition(submission, "reject", staff=staff_a, message="x")
        assert SubmissionEvent.objects.filter(submission=submission).count() == 2


def test_new_form_version_keeps_old_submissions_readable(town_a, procedure, resident_a, admin_a):
    old = factories.make_submission(procedure, resident_a)
    with scope(municipality=town_a):
        draft = services.draft_version(procedure, staff=admin_a)
        data = draft.definition
        data["pages"][1]["fields"][0]["label"] = "犬の呼び名"
        services.save_draft_definition(draft, data, staff=admin_a)
        services.publish_draft(procedure, staff=admin_a)
        assert procedure.current_form.version == 2
        old.refresh_from_db()
        assert old.form_version.version == 1
        assert old.form_version.form.pages[1].fields[0].label == "犬の名前"


def test_counter_visit_files_a_bundle_with_shared_answers(town_a, staff_a):
    one = factories.make_procedure(town_a, slug="one")
    two = factories.make_procedure(town_a, slug="two")
    with scope(municipality=town_a):
        resident = services.register_resident_at_counter(
            town_a, {"family_name": "窓口", "given_name": "太郎", "address": "下仁田町1"}, staff=staff_a)
        visit = services.start_visit(resident, [one, two], staff=staff_a)
        combined = services.combine_forms([one, two])
        assert {"applicant_name", "dog_name"} <= combined.shared
        assert visit.answers["applicant_name"] == {"family": "窓口", "given": "太郎"}
        services.save_visit_page(visit, 0, {"dog_name": "ポチ", "breed": "shiba"})
        services.record_identity_check(visit, "mynumber_card", staff=staff_a)
        filed = services.file_visit(visit, staff=staff_a)
        assert [s.channel for s in filed] == [Channel.COUNTER, Channel.COUNTER]
        assert all(s.counter_staff == staff_a and s.answers["dog_name"] == "ポチ" for s in filed)
        with pytest.raises(Refused):
            services.file_visit(visit, staff=staff_a)
