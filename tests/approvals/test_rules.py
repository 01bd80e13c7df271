"""Editing the 事務決裁規程, the 職位 and their 代決 order from the staff pages: what is refused (with the typing kept
and status 400), what a change does to the next route, the audit of before and after, and who may."""

from __future__ import annotations

import uuid

import pytest
from django_scopes import scope

from tests import factories
from tests.approvals.decide_factories import make_office
from yakuba.approvals.models import DecisionRule, Deputy, Matter, Post, Rank
from yakuba.approvals.services import decide, routes, rules
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(town_a):
    return make_office(town_a)


def url(town, path):
    return factories.town_url(town, path)


def _post(client, path, data):
    return client.post(path, {"_once": uuid.uuid4().hex, **data})


def _rule_data(**overrides):
    return {"matter": Matter.EXPENDITURE, "document_class": "", "amount_up_to": "300000",
            "decider_rank": str(Rank.CHIEF), "consult_mode": "all", **overrides}


def test_a_new_band_changes_the_route_of_the_next_draft_and_is_audited(office, town_a):
    keeper = factories.staff_client(office.director)  # 所属長 of 総務課, the 文書主管課
    page = keeper.get(url(town_a, "/staff/approvals/rules/")).content.decode()
    assert "100,000円超" not in page and "1,000,000円以下" in page and "10,000,000円超" in page
    response = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), _rule_data())
    assert response.status_code == 302
    with scope(municipality=town_a):
        route = routes.build_route(decide._matter_of(office.draft(200_000)))
        assert [step.post.title for step in route.steps] == ["庶務係長"]
        entry = AuditEntry.objects.get(action="approvals.rule.saved")
        assert entry.data["before"] is None and entry.data["after"]["amount_up_to"] == 300_000
        assert entry.actor == office.director.user
    page = keeper.get(url(town_a, "/staff/approvals/rules/")).content.decode()
    assert "300,000円超 1,000,000円以下" in page


def test_an_overlapping_band_is_refused_with_the_typing_kept(office, town_a):
    keeper = factories.staff_client(office.director)
    response = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), _rule_data(amount_up_to="1000000"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "金額の区分が重なります" in page and 'value="1000000"' in page
    with scope(municipality=town_a):
        assert DecisionRule.objects.count() == 4
        assert not AuditEntry.objects.filter(action="approvals.rule.saved").exists()
    again = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), _rule_data(
        matter=Matter.GENERAL, amount_up_to=""))
    assert again.status_code == 400 and "上限が同じ（上限なし）" in again.content.decode()


def test_empty_fields_a_level_with_no_holder_and_falling_ranks_are_refused(office, town_a):
    keeper = factories.staff_client(office.director)
    empty = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), {"matter": "", "decider_rank": ""})
    assert empty.status_code == 400
    assert "事項を選んでください" in empty.content.decode() and "決裁権者（専決の職位）を選んでください" in (
        empty.content.decode())
    nobody = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), _rule_data(
        decider_rank=str(Rank.DEPUTY_DIRECTOR)))
    assert nobody.status_code == 400 and "副課長）に在職者がいません" in nobody.content.decode()
    falling = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), _rule_data(
        amount_up_to="5000000", decider_rank=str(Rank.CHIEF)))
    assert falling.status_code == 400 and "金額の区分と決裁権者が逆になります" in falling.content.decode()
    plain = _post(keeper, url(town_a, "/staff/approvals/rules/new/"), _rule_data(matter=Matter.REPLY))
    assert plain.status_code == 400 and "金額の上限は支出負担行為と契約にだけ" in plain.content.decode()
    with scope(municipality=town_a):
        assert DecisionRule.objects.count() == 4


def test_changing_and_deleting_a_rule_records_before_and_after(office, town_a):
    keeper = factories.staff_client(office.director)
    with scope(municipality=town_a):
        rule = DecisionRule.objects.get(matter=Matter.GENERAL)
        kaikei = office.accounting.department
    response = _post(keeper, url(town_a, f"/staff/approvals/rules/{rule.pk}/"), {
        "matter": Matter.GENERAL, "decider_rank": str(Rank.DIRECTOR), "consult": [str(kaikei.pk)],
        "consult_mode": "any", "important": "on"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        entry = AuditEntry.objects.get(action="approvals.rule.saved")
        assert entry.data["before"]["important"] is False and entry.data["after"]["important"] is True
        assert entry.data["after"]["consult"] == [kaikei.pk]
    assert _post(keeper, url(town_a, f"/staff/approvals/rules/{rule.pk}/delete/"), {}).status_code == 302
    with scope(municipality=town_a):
        assert not DecisionRule.objects.filter(pk=rule.pk).exists()
        assert AuditEntry.objects.get(action="approvals.rule.deleted").data["before"]["matter"] == Matter.GENERAL


def test_a_transfer_moves_the_post_and_the_deputy_order_is_kept_in_order(office, town_a):
    keeper = factories.staff_client(office.director)
    newcomer = factories.make_staff(town_a, department="総務課")
    with scope(municipality=town_a):
        chief = office.posts["庶務係長"]
        deputy_mayor, director = office.posts["副町長"], office.posts["総務課長"]
    response = _post(keeper, url(town_a, f"/staff/approvals/posts/{chief.pk}/"), {
        "title": "庶務係長", "rank": str(Rank.CHIEF), "department": str(office.clerk.department_id),
        "holder": str(newcomer.pk), "deputy_1": str(director.pk)})
    assert response.status_code == 302
    response = _post(keeper, url(town_a, f"/staff/approvals/posts/{office.posts['町長'].pk}/"), {
        "title": "町長", "rank": str(Rank.MAYOR), "holder": str(office.mayor.pk),
        "deputy_1": str(director.pk), "deputy_2": str(deputy_mayor.pk)})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Post.objects.get(pk=chief.pk).holder == newcomer
        mayor = office.posts["町長"]
        assert [line.deputy.title for line in Deputy.objects.filter(post=mayor)] == ["総務課長", "副町長"]
        entry = AuditEntry.objects.filter(action="approvals.post.saved").first()
        assert entry is not None
        moved = AuditEntry.objects.get(action="approvals.post.saved", object_id=str(chief.pk))
        assert moved.data["before"]["holder"] == office.chief.pk and moved.data["after"]["holder"] == newcomer.pk
        sent = office.sent(500_000)
        assert decide.waiting_for(newcomer).filter(draft=sent).exists()
    page = keeper.get(url(town_a, "/staff/approvals/posts/")).content.decode()
    assert "総務課長 → 副町長" in page


def test_bad_posts_are_refused_with_the_typing_kept(office, town_a):
    keeper = factories.staff_client(office.director)
    with scope(municipality=town_a):
        director, deputy_mayor = office.posts["総務課長"], office.posts["副町長"]
    empty = _post(keeper, url(town_a, "/staff/approvals/posts/new/"), {"title": "", "rank": ""})
    assert empty.status_code == 400 and "職名を入力してください" in empty.content.decode()
    no_department = _post(keeper, url(town_a, "/staff/approvals/posts/new/"), {
        "title": "企画係長", "rank": str(Rank.CHIEF)})
    assert no_department.status_code == 400 and "課を選んでください" in no_department.content.decode()
    assert 'value="企画係長"' in no_department.content.decode()
    twice = _post(keeper, url(town_a, f"/staff/approvals/posts/{deputy_mayor.pk}/"), {
        "title": "副町長", "rank": str(Rank.DEPUTY_MAYOR), "holder": str(office.deputy_mayor.pk),
        "deputy_1": str(director.pk), "deputy_2": str(director.pk)})
    assert twice.status_code == 400 and "2回選ばれています" in twice.content.decode()
    vacant = _post(keeper, url(town_a, f"/staff/approvals/posts/{deputy_mayor.pk}/"), {
        "title": "副町長", "rank": str(Rank.DEPUTY_MAYOR), "holder": ""})
    assert vacant.status_code == 400 and "空席にするなら代決の順位を" in vacant.content.decode()
    duplicate = _post(keeper, url(town_a, "/staff/approvals/posts/new/"), {
        "title": "副町長", "rank": str(Rank.DEPUTY_MAYOR)})
    assert duplicate.status_code == 400 and "既にあります" in duplicate.content.decode()
    with scope(municipality=town_a):
        assert Post.objects.get(pk=deputy_mayor.pk).holder == office.deputy_mayor
        assert [d.deputy_id for d in Deputy.objects.filter(post=deputy_mayor)] == [director.pk]
        assert not AuditEntry.objects.filter(action="approvals.post.saved").exists()


def test_a_post_used_on_a_route_cannot_be_deleted(office, town_a):
    keeper = factories.staff_client(office.director)
    with scope(municipality=town_a):
        office.sent(500_000)
        chief = office.posts["庶務係長"]
    response = _post(keeper, url(town_a, f"/staff/approvals/posts/{chief.pk}/delete/"), {})
    assert response.status_code == 302
    followed = keeper.get(response["Location"]).content.decode()
    assert "回議に使われた職位は削除できません" in followed
    with scope(municipality=town_a):
        assert Post.objects.filter(pk=chief.pk).exists()


def test_only_the_keepers_may_change_the_rules(office, town_a, admin_a):
    assert factories.staff_client(office.clerk).get(url(town_a, "/staff/approvals/rules/")).status_code == 200
    assert factories.staff_client(office.clerk).get(url(town_a, "/staff/approvals/rules/new/")).status_code == 403
    other = factories.staff_client(office.accounting)  # 所属長, but of 会計課
    assert other.get(url(town_a, "/staff/approvals/posts/new/")).status_code == 403
    assert _post(other, url(town_a, "/staff/approvals/rules/new/"), _rule_data()).status_code == 403
    assert factories.staff_client(admin_a).get(url(town_a, "/staff/approvals/posts/new/")).status_code == 200
    with scope(municipality=town_a), pytest.raises(Refused):
        rules.save_rule(office.accounting, None, rules.RuleFields(matter=Matter.GENERAL, document_class=None,
                                                                  amount_up_to=None, decider_rank=Rank.DIRECTOR))
