"""Staff pages of DX推進計画 through HTTP: the plans, a department's to-do, the tree with 「進捗を記録」, recording a
status and values (refusals keep the typing, 400; a double submit counts once), evidence downloads (audited),
binding a metric and fixing live values (情報担当)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui import once
from yakuba.plans.models import Evidence, Indicator, IndicatorValue, Measure, StatusReport

from .conftest import indicator, measure, text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOW = "2026-11-23 10:00+09:00"


def url(town, name: str, *args, query: str = "") -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args)) + (f"?{query}" if query else "")


def reports(target: Measure) -> list[StatusReport]:
    with scopes_disabled():
        return list(StatusReport.objects.filter(measure=target))


def values(target: Indicator) -> list[IndicatorValue]:
    with scopes_disabled():
        return list(IndicatorValue.objects.filter(indicator=target))


def status_post(**overrides) -> dict:
    data = {"form": "status", "status-year": "2026", "status-status": "in_progress", "status-comment": "試行中です",
            once.FIELD: once.new_token()}
    data.update(overrides)
    return data



# Access and lists --------------------------------------------------------------------------------------------------

def test_the_plans_page_links_everything(town_a, staff_a, small_plan):
    response = factories.staff_client(staff_a).get(url(town_a, "plans"))
    assert response.status_code == 200
    body = response.content.decode()
    for link in (reverse("staff:plan", args=["dx-test"]), reverse("plans:detail", args=["dx-test"]),
                 reverse("plans:kpi", args=["dx-test"]), reverse("staff:plan-todo")):
        assert link in body, link


def test_anonymous_go_to_login_and_other_towns_get_403_or_404(client, town_a, town_b, staff_b, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    response = client.get(url(town_a, "plan", "dx-test"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    other = factories.staff_client(staff_b)
    assert other.get(url(town_a, "plan", "dx-test")).status_code == 403
    # Through their own town's site, town A's plan and measure do not exist.
    assert other.get(url(town_b, "plan", "dx-test")).status_code == 404
    assert other.get(url(town_b, "plan-measure", "dx-test", target.pk)).status_code == 404
    assert other.post(url(town_b, "plan-measure", "dx-test", target.pk), status_post()).status_code == 404
    assert reports(target) == []


@time_machine.travel(NOW, tick=False)
def test_todo_lists_the_departments_measures_for_the_year(town_a, staff_a, admin_a, small_plan):
    client = factories.staff_client(staff_a)
    page = text(client.get(url(town_a, "plan-todo")))
    assert "総務課のやること（令和8年度）" in page
    assert "行政事務の効率化" in page and "情報発信の強化" in page and "未報告" in page
    assert "電子決裁システムの導入: システム整備" in page
    assert "電子決裁システムの導入: 電子決裁利用率80%以上" in page  # due this year
    assert reverse("staff:plan-measure", args=["dx-test", measure(small_plan, "行政事務の効率化").pk]) in (
        client.get(url(town_a, "plan-todo")).content.decode())
    # In 令和10年度 情報発信の強化 (scheduled until 令和9年度) has nothing to do.
    later = text(client.get(url(town_a, "plan-todo", query="year=2028")))
    assert "行政事務の効率化" in later and "情報発信の強化" not in later
    # Only 情報担当 may look at another department.
    with scope(municipality=town_a):
        accounting = factories.make_department(town_a, "会計課")
    assert "総務課のやること" in text(client.get(url(town_a, "plan-todo", query=f"department={accounting.pk}")))
    admin_page = text(factories.staff_client(admin_a).get(url(town_a, "plan-todo",
                                                                  query=f"department={accounting.pk}")))
    assert "会計課のやること（令和8年度）" in admin_page and "関係" in admin_page and "情報発信の強化" not in admin_page
    bad = client.get(url(town_a, "plan-todo", query="year=abc"))
    assert bad.status_code == 400 and "年度を選び直してください。" in bad.content.decode()
    for odd in ("year=%C2%B2", "year=" + "9" * 5000, "department=%C2%B2", "department=" + "9" * 30):
        response = factories.staff_client(admin_a).get(url(town_a, "plan-todo", query=odd))  # '²' passes isdigit()
        assert response.status_code == 400


@pytest.mark.django_db(transaction=True)  # the writes commit: the kept to-do hears of them as in production
@time_machine.travel(NOW, tick=False)
def test_the_staff_top_page_keeps_the_todo_until_a_plan_record_changes(town_a, staff_a, small_plan, monkeypatch):
    from yakuba.plans.services import todo

    computed = []
    real = todo.for_department
    monkeypatch.setattr(todo, "for_department", lambda *args: computed.append(args) or real(*args))
    client = factories.staff_client(staff_a)

    def open_reports() -> int:
        response = client.get(factories.town_url(town_a, reverse("staff:dashboard")))
        items = {str(item.label): item for section in response.context["sections"] for item in section.items}
        return items["進捗の報告が必要な取組"].count

    before = open_reports()
    assert before >= 1 and open_reports() == before and len(computed) == 1  # the second visit reads what was kept
    target = measure(small_plan, "行政事務の効率化")
    assert client.post(url(town_a, "plan-measure", "dx-test", target.pk), status_post()).status_code == 302
    assert open_reports() == before - 1 and len(computed) == 2  # the report changed the plan's records: recomputed
    with scope(municipality=town_a):
        staff_a.department.name = "総務企画課"
        staff_a.department.save()
    response = client.get(factories.town_url(town_a, reverse("staff:dashboard")))
    assert "総務企画課: 取組" in response.content.decode() and len(computed) == 3  # the 課's name is in the detail


@time_machine.travel(NOW, tick=False)
def test_the_staff_tree_offers_recording_where_allowed(town_a, staff_a, staff_a_other, small_plan):
    own = factories.staff_client(staff_a).get(url(town_a, "plan", "dx-test")).content.decode()
    assert own.count(">進捗を記録<") == 3  # 総務課's two and the 全庁 one
    other = factories.staff_client(staff_a_other).get(url(town_a, "plan", "dx-test")).content.decode()
    assert other.count(">進捗を記録<") == 1  # only the 全庁 measure
    assert "自動計測の設定（情報担当）" not in other


# Recording ----------------------------------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_recording_a_status_shows_it_in_the_history(town_a, staff_a, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "plan-measure", "dx-test", target.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="status-status" value="in_progress"' in body and 'name="_once"' in body
    assert re.search(r'<option value="2026" selected>令和8年度</option>', body)
    assert "<option value=\"2029\"" not in body
    data = status_post(**{"status-evidence": SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")})
    response = client.post(url(town_a, "plan-measure", "dx-test", target.pk), data)
    assert response.status_code == 302 and response["Location"].endswith("#history")
    [report] = reports(target)
    assert (report.year, report.status, report.comment, report.recorded_by) == (2026, "in_progress", "試行中です",
                                                                                 staff_a)
    page = text(client.get(response["Location"]))
    assert "進捗状況を記録しました。" in page and "試行中です" in page and "minutes.pdf" in page
    assert "令和8年度: 実施中" in page and f"総務課 {staff_a}" in page


@time_machine.travel(NOW, tick=False)
def test_a_year_outside_the_plan_is_refused_and_the_typing_kept(town_a, staff_a, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "plan-measure", "dx-test", target.pk),
                           status_post(**{"status-year": "2030", "status-comment": "来年度に延期"}))
    assert response.status_code == 400
    body = response.content.decode()
    assert "令和12年度 は計画の期間（令和8年度〜令和10年度）の外です。" in body
    assert 'class="error-summary"' in body and 'href="#id_status-year"' in body
    assert "来年度に延期</textarea>" in body
    assert re.search(r'value="in_progress"[^>]*checked', body)
    assert reports(target) == []
    missing = client.post(url(town_a, "plan-measure", "dx-test", target.pk), status_post(**{"status-status": ""}))
    assert missing.status_code == 400 and "進捗状況を選んでください。" in missing.content.decode()


@time_machine.travel(NOW, tick=False)
def test_staff_of_another_department_cannot_record(town_a, staff_a_other, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    client = factories.staff_client(staff_a_other)
    page = client.get(url(town_a, "plan-measure", "dx-test", target.pk)).content.decode()
    assert 'name="status-status"' not in page and "担当・関係課の職員と情報担当が記録します" in page
    response = client.post(url(town_a, "plan-measure", "dx-test", target.pk), status_post())
    assert response.status_code == 400
    assert "この取組の進捗を記録する権限がありません" in response.content.decode()
    assert reports(target) == []


@time_machine.travel(NOW, tick=False)
def test_a_double_submit_records_once(town_a, staff_a, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    client = factories.staff_client(staff_a)
    data = status_post()
    first = client.post(url(town_a, "plan-measure", "dx-test", target.pk), data)
    second = client.post(url(town_a, "plan-measure", "dx-test", target.pk), data)
    assert first.status_code == second.status_code == 302
    assert len(reports(target)) == 1
    assert "この記録はすでに受け付けています。" in text(client.get(second["Location"]))


@time_machine.travel(NOW, tick=False)
def test_recording_values_in_the_indicators_unit(town_a, staff_a, small_plan):
    target = indicator(small_plan, "電子決裁")
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "plan-measure", "dx-test", target.measure_id)).content.decode()
    prefix = f"value-{target.pk}"
    assert f'name="{prefix}-unit" value="%"' in page and 'class="plan-value__unit"' in page
    base = {"form": prefix, f"{prefix}-year": "2026", f"{prefix}-value": "８５", f"{prefix}-unit": "%",
            f"{prefix}-note": "庁内アンケート"}
    wrong = client.post(url(town_a, "plan-measure", "dx-test", target.measure_id),
                        {**base, f"{prefix}-unit": "件", once.FIELD: once.new_token()})
    assert wrong.status_code == 400
    assert "この指標の単位は「%」です。「件」の値は記録できません。" in wrong.content.decode()
    assert "庁内アンケート</textarea>" in wrong.content.decode()
    too_big = client.post(url(town_a, "plan-measure", "dx-test", target.measure_id),
                          {**base, f"{prefix}-value": "120", once.FIELD: once.new_token()})
    assert too_big.status_code == 400 and "割合（%）は 0〜100 で入力してください。" in too_big.content.decode()
    assert values(target) == []
    ok = client.post(url(town_a, "plan-measure", "dx-test", target.measure_id), {**base, once.FIELD: once.new_token()})
    assert ok.status_code == 302
    [value] = values(target)
    assert (value.value, value.unit, value.achieved, value.note) == (85, "%", True, "庁内アンケート")


@time_machine.travel(NOW, tick=False)
def test_a_done_indicator_is_recorded_with_the_checkbox(town_a, staff_a, small_plan):
    target = indicator(small_plan, "DXご意見箱")
    prefix = f"value-{target.pk}"
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "plan-measure", "dx-test", target.measure_id)).content.decode()
    assert f'name="{prefix}-achieved"' in page and f'name="{prefix}-value"' not in page
    response = client.post(url(town_a, "plan-measure", "dx-test", target.measure_id),
                           {"form": prefix, f"{prefix}-year": "2026", f"{prefix}-achieved": "on",
                            once.FIELD: once.new_token()})
    assert response.status_code == 302
    [value] = values(target)
    assert value.achieved is True and value.value is None


def test_an_unknown_form_is_a_bad_request(town_a, staff_a, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    response = factories.staff_client(staff_a).post(url(town_a, "plan-measure", "dx-test", target.pk), {"form": "x"})
    assert response.status_code == 400 and "記録する内容を選び直してください。" in response.content.decode()


# Evidence ------------------------------------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_evidence_downloads_are_for_staff_and_audited(client, town_a, town_b, staff_a, staff_b, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    staff = factories.staff_client(staff_a)
    upload = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")
    staff.post(url(town_a, "plan-measure", "dx-test", target.pk), status_post(**{"status-evidence": upload}))
    with scopes_disabled():
        evidence = Evidence.objects.get()
    link = url(town_a, "plan-evidence", evidence.pk)
    assert reverse("staff:plan-evidence", args=[evidence.pk]) in staff.get(
        url(town_a, "plan-measure", "dx-test", target.pk)).content.decode()
    response = staff.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"] and "minutes.pdf" in response["Content-Disposition"]
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="plans.evidence_downloaded").count() == 1
    assert client.get(link).status_code == 302
    assert factories.staff_client(staff_b).get(url(town_b, "plan-evidence", evidence.pk)).status_code == 404


# 情報担当: metrics ---------------------------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_binding_a_metric_is_for_admins_and_checks_the_unit(town_a, staff_a, admin_a, small_plan, live_metric):
    counter = indicator(small_plan, "窓口入力支援")
    share = indicator(small_plan, "電子決裁")
    assert factories.staff_client(staff_a).get(url(town_a, "plan-bind", "dx-test", counter.pk)).status_code == 403
    client = factories.staff_client(admin_a)
    page = client.get(url(town_a, "plan-bind", "dx-test", share.pk))
    assert page.status_code == 200 and "テスト来庁者数（回/月・test）" in page.content.decode()
    wrong = client.post(url(town_a, "plan-bind", "dx-test", share.pk), {"metric": "test.visits"})
    assert wrong.status_code == 400
    assert "単位が合いません。この指標は「%」、選んだ値は「回/月」です。" in wrong.content.decode()
    ok = client.post(url(town_a, "plan-bind", "dx-test", counter.pk), {"metric": "test.visits"})
    assert ok.status_code == 302
    with scope(municipality=town_a):
        counter.refresh_from_db()
        share.refresh_from_db()
    assert (counter.metric, share.metric) == ("test.visits", "")
    plan_page = text(client.get(url(town_a, "plan", "dx-test")))
    assert "自動計測 テスト来庁者数" in plan_page


@time_machine.travel(NOW, tick=False)
def test_snapshot_fixes_the_live_values_of_a_year(town_a, staff_a, admin_a, small_plan, live_metric):
    counter = indicator(small_plan, "窓口入力支援")
    with scope(municipality=town_a):
        Indicator.objects.filter(pk=counter.pk).update(metric="test.visits")
    assert factories.staff_client(staff_a).post(url(town_a, "plan-snapshot", "dx-test"), {"year": "2026"}
                                                ).status_code == 403
    client = factories.staff_client(admin_a)
    assert client.get(url(town_a, "plan-snapshot", "dx-test")).status_code == 405
    response = client.post(url(town_a, "plan-snapshot", "dx-test"), {"year": "2026"})
    assert response.status_code == 302
    assert "令和8年度 の自動計測の値を 1 件、実績として確定しました。" in text(client.get(response["Location"]))
    [value] = values(counter)
    assert value.value == 12 and value.source == "metric"
    client.post(url(town_a, "plan-snapshot", "dx-test"), {"year": "2031"})
    assert len(values(counter)) == 1


def test_roles(town_a, small_plan):
    """The role each staff view asks for (the role sweep checks them all)."""
    from yakuba.plans.views import staff

    assert staff.plan_bind.staff_role == staff.plan_snapshot.staff_role == Role.ADMIN
    assert staff.plan_measure.staff_role == staff.plan_todo.staff_role == Role.STAFF
